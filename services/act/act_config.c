#include "act_config.h"

#include <ctype.h>
#include <limits.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static const char *const default_urls[PLATFORM_N] = {
    "https://graph.facebook.com/v21.0",
    "https://graph.facebook.com/v21.0",
    "https://www.googleapis.com/youtube/v3",
    "https://api.telegram.org",
    "https://api.x.com/2",
    "https://graph.facebook.com/v21.0",
};

const char act_config_help[] =
    "  VIGILE_ACT_TOKEN_<TENANT>_<PLATFORM>  credential of a tenant on a platform\n"
    "                                  (VIGILE_ACT_TOKEN_LECCE_FACEBOOK)\n"
    "  VIGILE_ACT_SECRETS_FILE         JSON {tenant: {platform: token}}, outside the config dir\n"
    "  VIGILE_ACT_<PLATFORM>_URL       API base URL (FACEBOOK, INSTAGRAM, YOUTUBE, TELEGRAM, X,\n"
    "                                  WHATSAPP); defaults: the platforms' own\n"
    "  VIGILE_ACT_THREADS              platform calls in flight per replica (4)\n"
    "  VIGILE_ACT_RATE, VIGILE_ACT_BURST  token bucket per credential: calls/s (5), burst (10)\n"
    "  VIGILE_ACT_TIMEOUT_MS           longest one call may take (15000)\n"
    "  VIGILE_ACT_MAX_FAILURES         transient failures before an operator takes over (12:\n"
    "                                  17-34 minutes of a platform down, at the default base)\n"
    "  VIGILE_ACT_RETRY_BASE_MS        first retry delay, doubled each time, jittered (1000)\n";

static int env_int(const char *name, int dflt, int min, int max, int *out, char *err, size_t n) {
    const char *v = getenv(name);
    char *end;
    *out = dflt;
    if (!v || !*v) return 0;
    long l = strtol(v, &end, 10);
    if (*end || l < min || l > max) {
        snprintf(err, n, "%s: \"%s\" is not an integer in %d..%d", name, v, min, max);
        return -1;
    }
    *out = (int)l;
    return 0;
}

static void upper_name(char *buf, size_t n, const char *prefix, const char *a, const char *b) {
    snprintf(buf, n, "%s%s%s%s", prefix, a, b ? "_" : "", b ? b : "");
    for (char *p = buf; *p; p++) *p = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
}

static void load_urls(struct act_config *c) {
    char name[64];
    for (int p = 0; p < PLATFORM_N; p++) {
        upper_name(name, sizeof name, "VIGILE_ACT_", act_platform_name(p), "URL");
        const char *v = getenv(name);
        c->base_url[p] = xstrdup(v && *v ? v : default_urls[p]);
        size_t len = strlen(c->base_url[p]);
        if (len && c->base_url[p][len - 1] == '/') c->base_url[p][len - 1] = '\0';
    }
}

/* A secrets file inside the config directory would be versioned with the policies. */
static int load_secrets(struct act_config *c, const char *config_dir, char *err, size_t n) {
    const char *path = getenv("VIGILE_ACT_SECRETS_FILE");
    if (!path || !*path) return 0;
    char real[PATH_MAX], dir[PATH_MAX];
    if (realpath(path, real) && realpath(config_dir, dir) && strncmp(real, dir, strlen(dir)) == 0 &&
        real[strlen(dir)] == '/') {
        snprintf(err, n,
                 "VIGILE_ACT_SECRETS_FILE: %s is inside the config directory %s; keep "
                 "credentials out of it",
                 path, config_dir);
        return -1;
    }
    json_error_t je;
    c->secrets = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!c->secrets || !json_is_object(c->secrets)) {
        snprintf(err, n, "VIGILE_ACT_SECRETS_FILE: %s: %s", path,
                 c->secrets ? "not a JSON object" : je.text);
        return -1;
    }
    return 0;
}

int act_config_load(struct act_config *c, const char *config_dir, char *err, size_t n) {
    int rate;
    memset(c, 0, sizeof *c);
    load_urls(c);
    if (env_int("VIGILE_ACT_THREADS", 4, 1, 64, &c->threads, err, n) ||
        env_int("VIGILE_ACT_RATE", 5, 1, 10000, &rate, err, n) ||
        env_int("VIGILE_ACT_BURST", 10, 1, 100000, &c->burst, err, n) ||
        env_int("VIGILE_ACT_TIMEOUT_MS", 15000, 100, 120000, &c->timeout_ms, err, n) ||
        env_int("VIGILE_ACT_MAX_FAILURES", 12, 1, 100, &c->max_failures, err, n) ||
        env_int("VIGILE_ACT_RETRY_BASE_MS", 1000, 1, 3600000, &c->retry_base_ms, err, n) ||
        load_secrets(c, config_dir, err, n)) {
        act_config_free(c);
        return -1;
    }
    c->rate = rate;
    return 0;
}

void act_config_free(struct act_config *c) {
    for (int p = 0; p < PLATFORM_N; p++) free(c->base_url[p]);
    json_decref(c->secrets);
    memset(c, 0, sizeof *c);
}

const char *act_config_token(const struct act_config *c, const char *tenant, enum act_platform p) {
    char name[256];
    upper_name(name, sizeof name, "VIGILE_ACT_TOKEN_", tenant, act_platform_name(p));
    const char *v = getenv(name);
    if (v && *v) return v;
    json_t *t = json_object_get(json_object_get(c->secrets, tenant), act_platform_name(p));
    return json_is_string(t) && json_string_length(t) ? json_string_value(t) : NULL;
}
