/* vigile-act's own settings, from VIGILE_ACT_* environment variables: the platforms' base
 * URLs (tests point them at local fakes), the credentials per tenant and platform, and
 * the limits of the executor. Credentials never come from the config directory, which is
 * versioned and shown by `vigile-config show`. */
#ifndef VIGILE_ACT_CONFIG_H
#define VIGILE_ACT_CONFIG_H

#include <jansson.h>
#include <stddef.h>

#include "act_action.h"

struct act_config {
    char *base_url[PLATFORM_N]; /* VIGILE_ACT_<PLATFORM>_URL, no trailing slash */
    json_t *secrets;            /* VIGILE_ACT_SECRETS_FILE: {tenant: {platform: token}}, or NULL */
    int threads;                /* VIGILE_ACT_THREADS: platform calls in flight per replica */
    double rate;                /* VIGILE_ACT_RATE: calls per second per credential */
    int burst;                  /* VIGILE_ACT_BURST: calls a credential may make at once */
    int timeout_ms;             /* VIGILE_ACT_TIMEOUT_MS: longest one call may take */
    int max_failures;           /* VIGILE_ACT_MAX_FAILURES: transient failures before a person */
    int retry_base_ms;          /* VIGILE_ACT_RETRY_BASE_MS: first backoff (doubles each time) */
};

/* The --help text of these variables. */
extern const char act_config_help[];

/* Reads the environment. config_dir (borrowed) is where tenants live: a secrets file
 * inside it is refused. Returns 0 (free with act_config_free), or -1 with
 * "VIGILE_ACT_X: problem" in err. */
int act_config_load(struct act_config *c, const char *config_dir, char *err, size_t n);
void act_config_free(struct act_config *c);

/* The credential of tenant on platform: VIGILE_ACT_TOKEN_<TENANT>_<PLATFORM> (upper
 * case, '-' as '_'), else the secrets file; NULL when there is none. Borrowed. */
const char *act_config_token(const struct act_config *c, const char *tenant, enum act_platform p);

#endif
