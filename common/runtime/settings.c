#include "settings.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"

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
      "stable name of this instance, part of the transactional id" },
    { SETTING_BOOL, "VIGILE_KAFKA_TRANSACTIONS", "1", offsetof(struct settings, transactions), 0, 1,
      "1: outputs and input offsets commit in one Kafka transaction" },
    { SETTING_INT, "VIGILE_BATCH_MAX", "500", offsetof(struct settings, batch_max), 1, 100000,
      "most input messages per commit" },
    { SETTING_INT, "VIGILE_BATCH_MS", "100", offsetof(struct settings, batch_ms), 1, 60000,
      "longest a batch stays open, in milliseconds" },
    { SETTING_BOOL, "VIGILE_BATCH_CLOSE_IDLE", "0", offsetof(struct settings, batch_close_idle), 0,
      1, "1: a batch commits as soon as no more input is waiting; 0: it waits VIGILE_BATCH_MS" },
    { SETTING_INT, "VIGILE_TOPIC_PARTITIONS", "6", offsetof(struct settings, partitions), 1, 1000,
      "partitions of the topics created at start-up" },
    { SETTING_STR, "VIGILE_GROUP_PREFIX", "vigile", offsetof(struct settings, group_prefix), 0, 0,
      "consumer groups are named <prefix>-<stage>" },
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

static int parse_number(const struct setting_field *f, const char *v, long *out, char *err,
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
    *out = x;
    return 0;
}

/* Stores one row's value (v: the environment's, or the default) into its slot. */
static int load_field(const struct setting_field *f, const char *v, void *slot, char *err,
                      size_t n) {
    long x;
    if (f->type == SETTING_STR) {
        *(char **)slot = v ? xstrdup(v) : default_instance_id();
    } else if (f->type == SETTING_SECRET) {
        *(const char **)slot = v;
    } else if (parse_number(f, v, &x, err, n)) {
        return -1;
    } else if (f->type == SETTING_LONG) {
        *(long *)slot = x;
    } else {
        *(int *)slot = (int)x;
    }
    return 0;
}

int settings_table_load(const struct setting_field *table, size_t count, void *dst, char *err,
                        size_t n) {
    for (size_t i = 0; i < count; i++) {
        const char *v = getenv(table[i].name);
        if (v && !*v) v = NULL;
        if (!v) v = table[i].def;
        if (load_field(&table[i], v, (char *)dst + table[i].offset, err, n)) {
            settings_table_free(table, i, dst);
            return -1;
        }
    }
    return 0;
}

void settings_table_free(const struct setting_field *table, size_t count, void *dst) {
    for (size_t i = 0; i < count; i++) {
        if (table[i].type != SETTING_STR) continue;
        char **slot = (char **)((char *)dst + table[i].offset);
        free(*slot);
        *slot = NULL;
    }
}

void settings_table_print(FILE *out, const struct setting_field *table, size_t count) {
    for (size_t i = 0; i < count; i++)
        fprintf(out, "  %-28s %s (default: %s)\n", table[i].name, table[i].help,
                table[i].type == SETTING_STR && !table[i].def ? "host name"
                : table[i].def && *table[i].def               ? table[i].def
                                                              : "none");
}

int settings_load(struct settings *s, char *err, size_t n) {
    memset(s, 0, sizeof *s);
    return settings_table_load(fields, N_FIELDS, s, err, n);
}

void settings_free(struct settings *s) { settings_table_free(fields, N_FIELDS, s); }

void settings_print_help(FILE *out) {
    fprintf(out, "Environment:\n");
    settings_table_print(out, fields, N_FIELDS);
}
