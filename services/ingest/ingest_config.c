#include "ingest_config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"

struct number_var {
    const char *name;
    long def, min, max;
    size_t offset; /* of a long, or of an int when is_int */
    int is_int;
    const char *help;
};

static const struct number_var numbers[] = {
    { "VIGILE_INGEST_PORT", 8081, 1, 65535, offsetof(struct ingest_config, port), 1,
      "port of the webhook endpoints" },
    { "VIGILE_INGEST_MAX_BODY", LIMIT_HTTP_BODY_DEFAULT, 1024, LIMIT_HTTP_BODY_MAX,
      offsetof(struct ingest_config, max_body), 0, "largest request body in bytes (413 above)" },
    { "VIGILE_INGEST_ACK_TIMEOUT_MS", 5000, 100, 120000,
      offsetof(struct ingest_config, ack_timeout_ms), 1,
      "longest wait for the broker's acknowledgement before answering 503" },
    { "VIGILE_INGEST_RETRY_AFTER", 30, 1, 3600, offsetof(struct ingest_config, retry_after_s), 1,
      "seconds in the Retry-After of a 503" },
    { "VIGILE_INGEST_DEDUP_TTL", 604800, 60, 31536000,
      offsetof(struct ingest_config, dedup_ttl_s), 0,
      "seconds an event id is remembered against platform retries and re-polls" },
};

struct secret_var {
    const char *name;
    size_t offset;
    const char *const *platforms; /* channels that need it */
    const char *help;
};

static const char *const meta_platforms[] = { "facebook", "instagram", "whatsapp", NULL };
static const char *const telegram_platforms[] = { "telegram", NULL };
static const char *const connector_platforms[] = { "youtube", "x", "generic", NULL };

static const struct secret_var secrets[] = {
    { "VIGILE_META_APP_SECRET", offsetof(struct ingest_config, meta_app_secret), meta_platforms,
      "Meta app secret: checks X-Hub-Signature-256" },
    { "VIGILE_META_VERIFY_TOKEN", offsetof(struct ingest_config, meta_verify_token),
      meta_platforms, "answer to Meta's hub.verify_token handshake" },
    { "VIGILE_TELEGRAM_SECRET", offsetof(struct ingest_config, telegram_secret),
      telegram_platforms, "setWebhook secret_token: X-Telegram-Bot-Api-Secret-Token" },
    { "VIGILE_GENERIC_TOKEN", offsetof(struct ingest_config, generic_token),
      connector_platforms, "bearer token of connectors (generic, YouTube poller)" },
};

#define COUNT(a) (sizeof(a) / sizeof *(a))

static int read_number(const struct number_var *v, struct ingest_config *c, char *err,
                       size_t n) {
    const char *s = getenv(v->name);
    long x = v->def;
    if (s && *s) {
        char *end;
        errno = 0;
        x = strtol(s, &end, 10);
        if (errno || *end || end == s || x < v->min || x > v->max) {
            snprintf(err, n, "%s: \"%s\" is not a number in %ld..%ld", v->name, s, v->min, v->max);
            return -1;
        }
    }
    if (v->is_int) *(int *)((char *)c + v->offset) = (int)x;
    else *(long *)((char *)c + v->offset) = x;
    return 0;
}

static int needs(const struct secret_var *v, const char *platform) {
    for (const char *const *p = v->platforms; *p; p++)
        if (strcmp(*p, platform) == 0) return 1;
    return 0;
}

/* The first channel of any tenant on a platform that needs v (its tenant in *owner), or
 * NULL. */
static const struct tenant_channel *needing(const struct secret_var *v,
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
    for (size_t i = 0; i < COUNT(numbers); i++)
        if (read_number(&numbers[i], c, err, n)) return -1;
    for (size_t i = 0; i < COUNT(secrets); i++) {
        const char *s = getenv(secrets[i].name);
        const char **slot = (const char **)((char *)c + secrets[i].offset);
        *slot = s && *s ? s : NULL;
        const struct tenant *t = NULL;
        const struct tenant_channel *ch;
        if (!*slot && tenants && (ch = needing(&secrets[i], tenants, &t))) {
            snprintf(err, n, "%s: required by %s's %s channel %s", secrets[i].name, tenant_id(t),
                     ch->platform, ch->id);
            return -1;
        }
    }
    return 0;
}

void ingest_config_print_help(FILE *out) {
    fprintf(out, "\n\nIngest (webhook mode):\n");
    for (size_t i = 0; i < COUNT(numbers); i++)
        fprintf(out, "  %-28s %s (default: %ld)\n", numbers[i].name, numbers[i].help,
                numbers[i].def);
    for (size_t i = 0; i < COUNT(secrets); i++)
        fprintf(out, "  %-28s %s (required when a tenant has such a channel)\n",
                secrets[i].name, secrets[i].help);
}
