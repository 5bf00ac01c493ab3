/* Process settings from VIGILE_* environment variables, described by one table (name,
 * type, default, help) that also prints the --help text, as Fluent Bit's config_map does. */
#ifndef VIGILE_SETTINGS_H
#define VIGILE_SETTINGS_H

#include <stddef.h>
#include <stdio.h>

struct settings {
    char *kafka_brokers;    /* VIGILE_KAFKA_BROKERS */
    char *redis_url;        /* VIGILE_REDIS_URL */
    char *config_dir;       /* VIGILE_CONFIG_DIR */
    int http_port;          /* VIGILE_HTTP_PORT; 0 disables the HTTP endpoint */
    char *log_level;        /* VIGILE_LOG_LEVEL */
    char *instance_id;      /* VIGILE_INSTANCE_ID; default: the host name */
    int transactions;       /* VIGILE_KAFKA_TRANSACTIONS: 1 exactly-once, 0 at-least-once */
    int batch_max;          /* VIGILE_BATCH_MAX: messages per commit */
    int batch_ms;           /* VIGILE_BATCH_MS: longest a batch stays open */
    int partitions;         /* VIGILE_TOPIC_PARTITIONS: for topics created at start-up */
    char *group_prefix;     /* VIGILE_GROUP_PREFIX: consumer group is <prefix>-<stage> */
    char *data_dir;         /* VIGILE_DATA_DIR: lexicons and baseline rules */
    char *pseudonym_key;    /* VIGILE_PSEUDONYM_KEY: master secret of author pseudonyms */
};

/* One setting of a table: where it goes in the struct the table fills. Tables are
 * const arrays of these, each row naming its variable, default and help once. */
enum setting_type {
    SETTING_STR,    /* char *, a new string; def NULL: the host name */
    SETTING_SECRET, /* const char *, borrowed from the environment; NULL when unset */
    SETTING_INT,    /* int in min..max, default num */
    SETTING_LONG,   /* long in min..max, default num */
    SETTING_BOOL,   /* int 0 or 1 (also true/false, yes/no), default num */
};

struct setting_field {
    enum setting_type type;
    const char *name;   /* "VIGILE_HTTP_PORT" */
    const char *def;    /* strings */
    long num;           /* numbers */
    size_t offset;      /* of the member in the struct filled */
    long min, max;      /* numbers */
    const char *help;
};

/* Fills dst from the environment by the n rows of table, defaults for what is unset or
 * empty. Returns 0, or -1 with "VIGILE_HTTP_PORT: \"x\" is not an integer in 0..65535" in
 * err and nothing allocated. Free the strings with settings_table_free. */
int settings_table_load(const struct setting_field *table, size_t n, void *dst, char *err,
                        size_t errlen);
void settings_table_free(const struct setting_field *table, size_t n, void *dst);
/* Prints one line per variable: name, help and default, for --help. */
void settings_table_print(FILE *out, const struct setting_field *table, size_t n);

/* The common table, read into struct settings. Fills s from the environment, defaults for what is unset. Returns 0, or -1 with
 * "VIGILE_HTTP_PORT: not an integer in 0..65535" in err. Strings in s are new; free them
 * with settings_free. */
int settings_load(struct settings *s, char *err, size_t errlen);
void settings_free(struct settings *s);
/* Prints the variables, their defaults and help, for --help. */
void settings_print_help(FILE *out);

#endif
