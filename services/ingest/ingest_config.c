#include "ingest_config.h"

#include <stddef.h>
#include <string.h>

#include "limits.h"
#include "settings.h"

#define F(member) offsetof(struct ingest_config, member)

static const struct setting_field fields[] = {
    { .type = SETTING_INT, .name = "VIGILE_INGEST_PORT", .num = 8081, .offset = F(port),
      .min = 1, .max = 65535, .help = "port of the webhook endpoints" },
    { .type = SETTING_LONG, .name = "VIGILE_INGEST_MAX_BODY", .num = LIMIT_HTTP_BODY_DEFAULT,
      .offset = F(max_body), .min = 1024, .max = LIMIT_HTTP_BODY_MAX,
      .help = "largest request body in bytes (413 above)" },
    { .type = SETTING_INT, .name = "VIGILE_INGEST_ACK_TIMEOUT_MS", .num = 5000,
      .offset = F(ack_timeout_ms), .min = 100, .max = 120000,
      .help = "longest wait for the broker's acknowledgement before answering 503" },
    { .type = SETTING_INT, .name = "VIGILE_INGEST_RETRY_AFTER", .num = 30,
      .offset = F(retry_after_s), .min = 1, .max = 3600,
      .help = "seconds in the Retry-After of a 503" },
    { .type = SETTING_LONG, .name = "VIGILE_INGEST_DEDUP_TTL", .num = 604800,
      .offset = F(dedup_ttl_s), .min = 60, .max = 31536000,
      .help = "seconds an event id is remembered against platform retries and re-polls" },
    { .type = SETTING_SECRET, .name = "VIGILE_META_APP_SECRET", .offset = F(meta_app_secret),
      .help = "Meta app secret: checks X-Hub-Signature-256" },
    { .type = SETTING_SECRET, .name = "VIGILE_META_VERIFY_TOKEN",
      .offset = F(meta_verify_token), .help = "answer to Meta's hub.verify_token handshake" },
    { .type = SETTING_SECRET, .name = "VIGILE_TELEGRAM_SECRET", .offset = F(telegram_secret),
      .help = "setWebhook secret_token: X-Telegram-Bot-Api-Secret-Token" },
    { .type = SETTING_SECRET, .name = "VIGILE_GENERIC_TOKEN", .offset = F(generic_token),
      .help = "bearer token of connectors (generic, YouTube poller)" },
};

#define COUNT(a) (sizeof(a) / sizeof *(a))

/* Which channels need which secret: a secret is required exactly when a tenant has one. */
static const char *const meta_platforms[] = { "facebook", "instagram", "whatsapp", NULL };
static const char *const telegram_platforms[] = { "telegram", NULL };
static const char *const connector_platforms[] = { "youtube", "x", "generic", NULL };

static const struct secret_need {
    const char *name; /* a SETTING_SECRET row of fields */
    size_t offset;
    const char *const *platforms;
} secret_needs[] = {
    { "VIGILE_META_APP_SECRET", F(meta_app_secret), meta_platforms },
    { "VIGILE_META_VERIFY_TOKEN", F(meta_verify_token), meta_platforms },
    { "VIGILE_TELEGRAM_SECRET", F(telegram_secret), telegram_platforms },
    { "VIGILE_GENERIC_TOKEN", F(generic_token), connector_platforms },
};

static int needs(const struct secret_need *v, const char *platform) {
    for (const char *const *p = v->platforms; *p; p++)
        if (strcmp(*p, platform) == 0) return 1;
    return 0;
}

/* The first channel of any tenant on a platform that needs v (its tenant in *owner), or
 * NULL. */
static const struct tenant_channel *needing(const struct secret_need *v,
                                            const struct tenant_set *set,
                                            const struct tenant **owner) {
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
            snprintf(err, n, "%s: required by %s's %s channel %s", s->name, tenant_id(t),
                     ch->platform, ch->id);
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
