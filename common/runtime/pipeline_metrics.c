#include "pipeline_metrics.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "metric_registry.h"

static struct metric *consumed, *produced, *deadlettered, *stage_seconds, *transactions,
    *kafka_errors, *kafka_lag, *kafka_connects, *kafka_disconnects, *redis_connects, *redis_errors,
    *config_generation, *config_loaded_at;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Registered together on first use, so that a scrape shows every family (with no series
 * yet) as soon as anything is counted, and the hot path pays one pthread_once check. */
static void register_all(void) {
    consumed = metric_counter("vigile_messages_consumed_total", "Input messages read, by topic",
                              (const char *const[]){ "topic", NULL });
    produced = metric_counter("vigile_messages_produced_total", "Output messages queued, by topic",
                              (const char *const[]){ "topic", NULL });
    deadlettered = metric_counter("vigile_messages_dead_lettered_total",
                                  "Inputs sent to the dead-letter topic, by input topic and "
                                  "reason class",
                                  (const char *const[]){ "topic", "reason", NULL });
    stage_seconds = metric_histogram(
        "vigile_stage_duration_seconds", "Time a stage spends on one input",
        (const char *const[]){ "stage", NULL }, metric_seconds_buckets, metric_seconds_nbuckets);
    transactions = metric_counter("vigile_kafka_transactions_total",
                                  "Kafka transactions ended, by outcome (committed, aborted)",
                                  (const char *const[]){ "outcome", NULL });
    kafka_errors =
        metric_counter("vigile_kafka_errors_total", "Errors librdkafka reported, by error name",
                       (const char *const[]){ "error", NULL });
    kafka_lag = metric_gauge("vigile_kafka_consumer_lag_messages",
                             "Messages of an assigned partition not yet read by this worker",
                             (const char *const[]){ "topic", "partition", NULL });
    kafka_connects = metric_counter("vigile_kafka_connects_total",
                                    "Broker connections made, by client (producer, consumer)",
                                    (const char *const[]){ "client", NULL });
    kafka_disconnects =
        metric_counter("vigile_kafka_disconnects_total", "Broker connections lost, by client",
                       (const char *const[]){ "client", NULL });
    redis_connects = metric_counter("vigile_redis_connects_total",
                                    "Redis connections made, first ones and reconnects",
                                    (const char *const[]){ "kind", NULL });
    redis_errors =
        metric_counter("vigile_redis_errors_total", "Redis connections dropped on an error", NULL);
    config_generation = metric_gauge("vigile_config_generation",
                                     "Configuration in force: 1 at start-up, +1 per reload", NULL);
    config_loaded_at = metric_gauge("vigile_config_loaded_timestamp_seconds",
                                    "When the configuration in force was loaded", NULL);
}

static void ready(void) { pthread_once(&once, register_all); }

void pipeline_metric_consumed(const char *topic) {
    ready();
    metric_inc_with(consumed, (const char *const[]){ topic });
}

void pipeline_metric_produced(const char *topic, uint64_t n) {
    ready();
    metric_add(metric_with(produced, (const char *const[]){ topic }), n);
}

const char *pipeline_reason_class(const char *reason) {
    if (strncmp(reason, "JSON ", 5) == 0 || strncmp(reason, "not JSON", 8) == 0) return "not_json";
    if (strstr(reason, "invalid UTF-8")) return "invalid_utf8";
    if (strstr(reason, "unknown tenant")) return "unknown_tenant";
    if (strstr(reason, "over the message limit") || strstr(reason, "too large")) return "too_large";
    if (reason[0] == '$') return "invalid_field";
    return "other";
}

void pipeline_metric_deadlettered(const char *topic, const char *reason) {
    ready();
    metric_inc_with(deadlettered, (const char *const[]){ topic, pipeline_reason_class(reason) });
}

void pipeline_metric_stage_time(const char *stage, int64_t us) {
    ready();
    metric_observe(metric_with(stage_seconds, (const char *const[]){ stage }), (double)us / 1e6);
}

void pipeline_metric_transaction(int committed) {
    ready();
    metric_inc_with(transactions, (const char *const[]){ committed ? "committed" : "aborted" });
}

void pipeline_metric_kafka_error(const char *name) {
    ready();
    metric_inc_with(kafka_errors, (const char *const[]){ name });
}

/* What this worker has still to read of a partition: from the next offset it will be
 * handed (app_offset) to the last stable offset, which is as far as a read_committed
 * consumer can read. librdkafka's own consumer_lag counts from the committed offset,
 * which transactional commits (sent through the producer) do not update. */
static void partition_lag(const char *topic, const char *partition, json_t *p) {
    json_int_t next = json_integer_value(json_object_get(p, "app_offset"));
    json_int_t end = json_integer_value(json_object_get(p, "ls_offset"));
    if (next < 0) next = json_integer_value(json_object_get(p, "committed_offset"));
    if (next < 0 || end < 0) return; /* not assigned, or not known yet */
    metric_set(metric_with(kafka_lag, (const char *const[]){ topic, partition }),
               (double)(end > next ? end - next : 0));
}

static void stats_lag(json_t *topics) {
    const char *topic, *partition;
    json_t *t, *p;
    json_object_foreach(topics, topic, t) {
        json_object_foreach(json_object_get(t, "partitions"), partition, p) {
            if (strcmp(partition, "-1") != 0) partition_lag(topic, partition, p);
        }
    }
}

static void stats_connects(const char *client, json_t *brokers) {
    json_int_t connects = 0, disconnects = 0;
    const char *name;
    json_t *b;
    json_object_foreach(brokers, name, b) {
        connects += json_integer_value(json_object_get(b, "connects"));
        disconnects += json_integer_value(json_object_get(b, "disconnects"));
    }
    metric_set(metric_with(kafka_connects, (const char *const[]){ client }), (double)connects);
    metric_set(metric_with(kafka_disconnects, (const char *const[]){ client }),
               (double)disconnects);
}

void pipeline_metric_kafka_stats(const char *json, size_t len) {
    ready();
    json_t *root = json_loadb(json, len, 0, NULL);
    const char *type = json_string_value(json_object_get(root, "type"));
    if (type && (strcmp(type, "producer") == 0 || strcmp(type, "consumer") == 0)) {
        stats_connects(type, json_object_get(root, "brokers"));
        if (strcmp(type, "consumer") == 0) stats_lag(json_object_get(root, "topics"));
    }
    json_decref(root);
}

void pipeline_metric_redis_connect(int reconnect) {
    ready();
    metric_inc_with(redis_connects, (const char *const[]){ reconnect ? "reconnect" : "first" });
}

void pipeline_metric_redis_error(void) {
    ready();
    metric_add(metric_with(redis_errors, NULL), 1);
}

void pipeline_metric_config_loaded(void) {
    ready();
    struct metric_series *g = metric_with(config_generation, NULL);
    static _Atomic int generation;
    metric_set(g, (double)++generation);
    metric_set(metric_with(config_loaded_at, NULL), (double)time(NULL));
}

int64_t pipeline_mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
