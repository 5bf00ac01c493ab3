/* Process settings from VIGILE_* environment variables, described by one table (name,
 * type, default, help) that also prints the --help text, as Fluent Bit's config_map does. */
#ifndef VIGILE_SETTINGS_H
#define VIGILE_SETTINGS_H

#include <stdio.h>

#include "settings_table.h"

struct settings {
    char *kafka_brokers;  /* VIGILE_KAFKA_BROKERS */
    char *redis_url;      /* VIGILE_REDIS_URL */
    char *config_dir;     /* VIGILE_CONFIG_DIR */
    int http_port;        /* VIGILE_HTTP_PORT; 0 disables the HTTP endpoint */
    char *log_level;      /* VIGILE_LOG_LEVEL */
    char *instance_id;    /* VIGILE_INSTANCE_ID; default: the host name */
    int transactions;     /* VIGILE_KAFKA_TRANSACTIONS: 1 exactly-once, 0 at-least-once */
    int batch_max;        /* VIGILE_BATCH_MAX: messages per commit */
    int batch_ms;         /* VIGILE_BATCH_MS: longest a batch stays open */
    int batch_close_idle; /* VIGILE_BATCH_CLOSE_IDLE: commit when no more input is waiting */
    int partitions;       /* VIGILE_TOPIC_PARTITIONS: for topics created at start-up */
    char *group_prefix;   /* VIGILE_GROUP_PREFIX: consumer group is <prefix>-<stage> */
    char *data_dir;       /* VIGILE_DATA_DIR: lexicons and baseline rules */
    char *pseudonym_key;  /* VIGILE_PSEUDONYM_KEY: master secret of author pseudonyms */
};

/* Fills s from the environment, defaults for what is unset. Returns 0, or -1 with
 * "VIGILE_HTTP_PORT: not an integer in 0..65535" in err. Strings in s are new; free them
 * with settings_free. */
int settings_load(struct settings *s, char *err, size_t errlen);
void settings_free(struct settings *s);
/* Prints the variables, their defaults and help, for --help. */
void settings_print_help(FILE *out);

#endif
