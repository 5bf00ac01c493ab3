#include "settings.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"

enum setting_type { SETTING_STR, SETTING_INT, SETTING_BOOL };

struct setting_field {
    enum setting_type type;
    const char *name;
    const char *def;      /* NULL: computed (instance id) */
    size_t offset;
    long min, max;        /* integers only */
    const char *help;
};

static const struct setting_field fields[] = {
    { SETTING_STR, "VIGILE_KAFKA_BROKERS", "127.0.0.1:9092",
      offsetof(struct settings, kafka_brokers), 0, 0, "Kafka bootstrap servers" },
    { SETTING_STR, "VIGILE_REDIS_URL", "redis://127.0.0.1:6379",
      offsetof(struct settings, redis_url), 0, 0, "Redis URL (redis://host:port[/db])" },
    { SETTING_STR, "VIGILE_CONFIG_DIR", "config", offsetof(struct settings, config_dir), 0, 0,
      "directory holding tenants/*.json and baseline.json" },
    { SETTING_INT, "VIGILE_HTTP_PORT", "8080", offsetof(struct settings, http_port), 0, 65535,
      "port of /healthz and /metrics (0: off)" },
    { SETTING_STR, "VIGILE_LOG_LEVEL", "info", offsetof(struct settings, log_level), 0, 0,
      "debug, info, warn or error" },
    { SETTING_STR, "VIGILE_INSTANCE_ID", NULL, offsetof(struct settings, instance_id), 0, 0,
      "stable name of this instance, part of the transactional id (default: host name)" },
    { SETTING_BOOL, "VIGILE_KAFKA_TRANSACTIONS", "1", offsetof(struct settings, transactions),
      0, 1, "1: outputs and input offsets commit in one Kafka transaction" },
    { SETTING_INT, "VIGILE_BATCH_MAX", "500", offsetof(struct settings, batch_max), 1, 100000,
      "most input messages per commit" },
    { SETTING_INT, "VIGILE_BATCH_MS", "100", offsetof(struct settings, batch_ms), 1, 60000,
      "longest a batch stays open, in milliseconds" },
    { SETTING_INT, "VIGILE_TOPIC_PARTITIONS", "6", offsetof(struct settings, partitions), 1,
      1000, "partitions of the topics created at start-up" },
    { SETTING_STR, "VIGILE_GROUP_PREFIX", "vigile", offsetof(struct settings, group_prefix), 0,
      0, "consumer groups are named <prefix>-<stage>" },
    { SETTING_STR, "VIGILE_DATA_DIR", "data", offsetof(struct settings, data_dir), 0, 0,
      "directory holding lexicons/ and rules/ of the classifier" },
    { SETTING_STR, "VIGILE_PSEUDONYM_KEY", "", offsetof(struct settings, pseudonym_key), 0, 0,
      "secret behind authors' pseudonyms (required by classify and route)" },
};
#define N_FIELDS (sizeof fields / sizeof *fields)

static char *default_instance_id(void) {
    char host[256];
    if (gethostname(host, sizeof host) != 0) return xstrdup("vigile");
    host[sizeof host - 1] = '\0';
    return xstrdup(host);
}

static int parse_int(const struct setting_field *f, const char *v, int *out, char *err,
                     size_t n) {
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (f->type == SETTING_BOOL) {
        if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0) x = 1, end = "";
        if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0) x = 0, end = "";
    }
    if (errno || end == v || *end || x < f->min || x > f->max) {
        snprintf(err, n, "%s: \"%s\" is not an integer in %ld..%ld", f->name, v, f->min, f->max);
        return -1;
    }
    *out = (int)x;
    return 0;
}

int settings_load(struct settings *s, char *err, size_t n) {
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < N_FIELDS; i++) {
        const struct setting_field *f = &fields[i];
        const char *v = getenv(f->name);
        if (v && !*v) v = NULL;
        if (!v) v = f->def;
        void *slot = (char *)s + f->offset;
        if (f->type == SETTING_STR) {
            *(char **)slot = v ? xstrdup(v) : default_instance_id();
        } else if (parse_int(f, v, (int *)slot, err, n)) {
            settings_free(s);
            return -1;
        }
    }
    return 0;
}

void settings_free(struct settings *s) {
    for (size_t i = 0; i < N_FIELDS; i++) {
        if (fields[i].type != SETTING_STR) continue;
        char **slot = (char **)((char *)s + fields[i].offset);
        free(*slot);
        *slot = NULL;
    }
}

void settings_print_help(FILE *out) {
    fprintf(out, "Environment:\n");
    for (size_t i = 0; i < N_FIELDS; i++)
        fprintf(out, "  %-26s %s (default: %s)\n", fields[i].name, fields[i].help,
                !fields[i].def ? "host name" : *fields[i].def ? fields[i].def : "none");
}
