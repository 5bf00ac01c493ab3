#include "settings.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"

#define F(member) offsetof(struct settings, member)

static const struct setting_field fields[] = {
    { .type = SETTING_STR, .name = "VIGILE_KAFKA_BROKERS", .def = "127.0.0.1:9092",
      .offset = F(kafka_brokers), .help = "Kafka bootstrap servers" },
    { .type = SETTING_STR, .name = "VIGILE_REDIS_URL", .def = "redis://127.0.0.1:6379",
      .offset = F(redis_url), .help = "Redis URL (redis://host:port[/db])" },
    { .type = SETTING_STR, .name = "VIGILE_CONFIG_DIR", .def = "config",
      .offset = F(config_dir), .help = "directory holding tenants/*.json and baseline.json" },
    { .type = SETTING_INT, .name = "VIGILE_HTTP_PORT", .num = 8080, .offset = F(http_port),
      .min = 0, .max = 65535, .help = "port of /healthz and /metrics (0: off)" },
    { .type = SETTING_STR, .name = "VIGILE_LOG_LEVEL", .def = "info", .offset = F(log_level),
      .help = "debug, info, warn or error" },
    { .type = SETTING_STR, .name = "VIGILE_INSTANCE_ID", .offset = F(instance_id),
      .help = "stable name of this instance, part of the transactional id" },
    { .type = SETTING_BOOL, .name = "VIGILE_KAFKA_TRANSACTIONS", .num = 1,
      .offset = F(transactions), .min = 0, .max = 1,
      .help = "1: outputs and input offsets commit in one Kafka transaction" },
    { .type = SETTING_INT, .name = "VIGILE_BATCH_MAX", .num = 500, .offset = F(batch_max),
      .min = 1, .max = 100000, .help = "most input messages per commit" },
    { .type = SETTING_INT, .name = "VIGILE_BATCH_MS", .num = 100, .offset = F(batch_ms),
      .min = 1, .max = 60000, .help = "longest a batch stays open, in milliseconds" },
    { .type = SETTING_INT, .name = "VIGILE_TOPIC_PARTITIONS", .num = 6, .offset = F(partitions),
      .min = 1, .max = 1000, .help = "partitions of the topics created at start-up" },
    { .type = SETTING_STR, .name = "VIGILE_GROUP_PREFIX", .def = "vigile",
      .offset = F(group_prefix), .help = "consumer groups are named <prefix>-<stage>" },
    { .type = SETTING_STR, .name = "VIGILE_DATA_DIR", .def = "data", .offset = F(data_dir),
      .help = "directory holding lexicons/ and rules/ of the classifier" },
    { .type = SETTING_STR, .name = "VIGILE_PSEUDONYM_KEY", .def = "",
      .offset = F(pseudonym_key),
      .help = "secret behind authors' pseudonyms (required by classify and route)" },
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

/* Stores one row's value (v: the environment's, NULL when unset) into its slot. */
static int load_field(const struct setting_field *f, const char *v, void *slot, char *err,
                      size_t n) {
    long x = f->num;
    switch (f->type) {
    case SETTING_STR:
        if (!v) v = f->def;
        *(char **)slot = v ? xstrdup(v) : default_instance_id();
        return 0;
    case SETTING_SECRET:
        *(const char **)slot = v;
        return 0;
    case SETTING_LONG:
        if (v && parse_number(f, v, &x, err, n)) return -1;
        *(long *)slot = x;
        return 0;
    case SETTING_INT:
    case SETTING_BOOL:
        if (v && parse_number(f, v, &x, err, n)) return -1;
        *(int *)slot = (int)x;
        return 0;
    }
    return 0;
}

int settings_table_load(const struct setting_field *table, size_t count, void *dst, char *err,
                        size_t n) {
    for (size_t i = 0; i < count; i++) {
        const char *v = getenv(table[i].name);
        if (load_field(&table[i], v && *v ? v : NULL, (char *)dst + table[i].offset, err, n)) {
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
    for (size_t i = 0; i < count; i++) {
        const struct setting_field *f = &table[i];
        char def[32];
        const char *shown = def;
        if (f->type == SETTING_STR) shown = !f->def ? "host name" : *f->def ? f->def : "none";
        else if (f->type == SETTING_SECRET) shown = "none";
        else snprintf(def, sizeof def, "%ld", f->num);
        fprintf(out, "  %-28s %s (default: %s)\n", f->name, f->help, shown);
    }
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
