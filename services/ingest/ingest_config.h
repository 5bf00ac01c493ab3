/* Ingest's own settings, read from the environment beside the common VIGILE_* table:
 * the webhook port and limits, and the platforms' secrets. A secret is required exactly
 * when a tenant has a channel that needs it, so a deployment cannot serve a platform
 * without authenticating it (docs/ingest.md, "Secrets"). */
#ifndef VIGILE_INGEST_CONFIG_H
#define VIGILE_INGEST_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "tenant.h"

struct ingest_config {
    int port;           /* VIGILE_INGEST_PORT: the webhooks (VIGILE_HTTP_PORT: ops) */
    long max_body;      /* VIGILE_INGEST_MAX_BODY: bytes; larger bodies get 413 */
    int ack_timeout_ms; /* VIGILE_INGEST_ACK_TIMEOUT_MS: longest wait for the broker */
    int retry_after_s;  /* VIGILE_INGEST_RETRY_AFTER: Retry-After of a 503 */
    long dedup_ttl_s;   /* VIGILE_INGEST_DEDUP_TTL: how long an event id is remembered */
    /* Secrets; NULL when unset. Borrowed from the environment. */
    const char *meta_app_secret;   /* VIGILE_META_APP_SECRET */
    const char *meta_verify_token; /* VIGILE_META_VERIFY_TOKEN */
    const char *telegram_secret;   /* VIGILE_TELEGRAM_SECRET */
    const char *generic_token;     /* VIGILE_GENERIC_TOKEN: connectors and the YouTube poller */
};

/* Reads the environment into c. When tenants is not NULL, also checks that every
 * platform a tenant's channel uses has its secrets. Returns 0, or -1 with the first
 * problem in err ("VIGILE_TELEGRAM_SECRET: required by arese's telegram channel
 * telegram-comune"). */
int ingest_config_load(struct ingest_config *c, const struct tenant_set *tenants, char *err,
                       size_t errlen);

/* Prints the variables above with their defaults, for --help. */
void ingest_config_print_help(FILE *out);

#endif
