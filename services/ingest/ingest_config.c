#include "ingest_config.h"

#include <stddef.h>
#include <string.h>

#include "limits.h"
#include "settings.h"

#define F(member) offsetof(struct ingest_config, member)

static const struct setting_field fields[] = {
    { SETTING_INT, "VIGILE_INGEST_PORT", "8081", F(port), 1, 65535,
      "port of the webhook endpoints" },
    { SETTING_LONG, "VIGILE_INGEST_MAX_BODY", LIMIT_STR(LIMIT_HTTP_BODY_DEFAULT), F(max_body), 1024,
      LIMIT_HTTP_BODY_MAX, "largest request body in bytes (413 above)" },
    { SETTING_INT, "VIGILE_INGEST_ACK_TIMEOUT_MS", "5000", F(ack_timeout_ms), 100, 120000,
      "longest wait for the broker's acknowledgement before answering 503" },
    { SETTING_INT, "VIGILE_INGEST_RETRY_AFTER", "30", F(retry_after_s), 1, 3600,
      "seconds in the Retry-After of a 503" },
    { SETTING_LONG, "VIGILE_INGEST_DEDUP_TTL", "604800", F(dedup_ttl_s), 60, 31536000,
      "seconds an event id is remembered against platform retries and re-polls" },
    { SETTING_SECRET, "VIGILE_META_APP_SECRET", NULL, F(meta_app_secret), 0, 0,
      "Meta app secret: checks X-Hub-Signature-256" },
    { SETTING_SECRET, "VIGILE_META_VERIFY_TOKEN", NULL, F(meta_verify_token), 0, 0,
      "answer to Meta's hub.verify_token handshake" },
    { SETTING_SECRET, "VIGILE_TELEGRAM_SECRET", NULL, F(telegram_secret), 0, 0,
      "setWebhook secret_token: X-Telegram-Bot-Api-Secret-Token" },
    { SETTING_SECRET, "VIGILE_GENERIC_TOKEN", NULL, F(generic_token), 0, 0,
      "bearer token of connectors (generic, YouTube poller)" },
};

#define COUNT(a) (sizeof(a) / sizeof *(a))

/* Which channels need which secret: a secret is required exactly when a tenant has one. */
static const char *const meta_platforms[] = { "facebook", "instagram", "whatsapp", NULL };
static const char *const telegram_platforms[] = { "telegram", NULL };
static const char *const connector_platforms[] = { "youtube", "x", "generic", NULL };

/* Each secret's row of fields is found by its member, so its variable is named once. */
static const struct secret_need {
    size_t offset; /* of a SETTING_SECRET row of fields */
    const char *const *platforms;
} secret_needs[] = {
    { F(meta_app_secret), meta_platforms },
    { F(meta_verify_token), meta_platforms },
    { F(telegram_secret), telegram_platforms },
    { F(generic_token), connector_platforms },
};

static const char *field_name(size_t offset) {
    for (size_t i = 0; i < COUNT(fields); i++)
        if (fields[i].offset == offset) return fields[i].name;
    return "?"; /* unreachable: every secret_needs row names a member of fields */
}

static int needs(const struct secret_need *v, const char *platform) {
    for (const char *const *p = v->platforms; *p; p++)
        if (strcmp(*p, platform) == 0) return 1;
    return 0;
}

/* The first channel of any tenant on a platform that needs v (its tenant in *owner), or
 * NULL. */
static const struct tenant_channel *
needing(const struct secret_need *v, const struct tenant_set *set, const struct tenant **owner) {
    for (size_t i = 0; i < tenant_set_count(set); i++) {
        const struct tenant *t = tenant_set_at(set, i);
        for (size_t j = 0; j < tenant_channel_count(t); j++) {
            const struct tenant_channel *ch = tenant_channel_at(t, j);
            if (needs(v, ch->platform)) {
                *owner = t;
                return ch;
            }
        }
    }
    return NULL;
}

int ingest_config_load(struct ingest_config *c, const struct tenant_set *tenants, char *err,
                       size_t n) {
    memset(c, 0, sizeof *c);
    if (settings_table_load(fields, COUNT(fields), c, err, n)) return -1;
    for (size_t i = 0; tenants && i < COUNT(secret_needs); i++) {
        const struct secret_need *s = &secret_needs[i];
        const struct tenant *t = NULL;
        const struct tenant_channel *ch;
        if (!*(const char **)((char *)c + s->offset) && (ch = needing(s, tenants, &t))) {
            snprintf(err, n, "%s: required by %s's %s channel %s", field_name(s->offset),
                     tenant_id(t), ch->platform, ch->id);
            return -1;
        }
    }
    return 0;
}

void ingest_config_print_help(FILE *out) {
    fprintf(out, "\n\nIngest (webhook mode; a secret is required when a tenant has a channel "
                 "that needs it):\n");
    settings_table_print(out, fields, COUNT(fields));
}
