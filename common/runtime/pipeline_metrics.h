/* The metrics the worker shell and the Kafka and Redis clients keep about the pipeline,
 * on top of metric_registry.h (names, labels and meaning in docs/metrics.md). Every
 * function is callable from any thread, takes no lock once a series exists, and borrows
 * its strings. Topics and stage names are Vigile's own (topics.h, the stages); error
 * names are librdkafka's fixed vocabulary. */
#ifndef VIGILE_PIPELINE_METRICS_H
#define VIGILE_PIPELINE_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* An input read from topic ("http" for ingest's webhooks). */
void pipeline_metric_consumed(const char *topic);
/* n outputs queued for topic. */
void pipeline_metric_produced(const char *topic, uint64_t n);
/* An input from topic dead-lettered for reason (its class is the label). */
void pipeline_metric_deadlettered(const char *topic, const char *reason);
/* The class of a dead letter's reason: not_json, invalid_utf8, unknown_tenant,
 * too_large, invalid_field or other (a fixed vocabulary, whatever the reason says). */
const char *pipeline_reason_class(const char *reason);
/* One call of a stage's process(), in microseconds. */
void pipeline_metric_stage_time(const char *stage, int64_t us);
/* A Kafka transaction ended: committed (1) or aborted (0). */
void pipeline_metric_transaction(int committed);
/* An error librdkafka reported by callback (its name, rd_kafka_err2name). */
void pipeline_metric_kafka_error(const char *name);
/* librdkafka's statistics JSON (borrowed): consumer lag per partition, connects and
 * disconnects per client type. Malformed statistics are ignored. */
void pipeline_metric_kafka_stats(const char *json, size_t len);
/* A Redis connection made (reconnect = 0 for the first of a connection object) or
 * lost on an error. */
void pipeline_metric_redis_connect(int reconnect);
void pipeline_metric_redis_error(void);
/* The configuration in force changed: generation 1 at start-up, +1 per reload. */
void pipeline_metric_config_loaded(void);

/* Monotonic microseconds, for the stage timings. */
int64_t pipeline_mono_us(void);

#endif
