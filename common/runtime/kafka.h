/* librdkafka clients configured the way DESIGN.md's delivery rules need, in one place. */
#ifndef VIGILE_KAFKA_H
#define VIGILE_KAFKA_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

/* A producer with enable.idempotence (hence acks=all), lz4, and no delivery timeout
 * unless transactional: while the broker is down messages wait, they are not dropped.
 * transactional_id may be NULL. dr_cb may be NULL; opaque goes to it. Returns a new
 * handle, or NULL with librdkafka's reason in err. */
rd_kafka_t *kafka_producer_new(const char *brokers, const char *transactional_id,
                               void (*dr_cb)(rd_kafka_t *, const rd_kafka_message_t *, void *),
                               void *opaque, char *err, size_t errlen);

/* How long the group waits for a silent member before it hands its partitions to the
 * others, and how often members speak. A killed worker that comes back under the same
 * VIGILE_INSTANCE_ID is not waited for at all (static membership); one that never comes
 * back costs this much, plus the rebalance, of the 15 s the operators are promised. The
 * broker's group.min.session.timeout.ms (6 s by default) is the floor. */
#define KAFKA_SESSION_TIMEOUT_MS    "9000"
#define KAFKA_HEARTBEAT_INTERVAL_MS "1500"

/* A consumer in group `group` that never commits or stores offsets by itself and reads
 * only committed transactional data. With instance_id (not NULL) it is a static member
 * of the group: restarted under the same id it gets its partitions back at once, without
 * a rebalance, and a member that is gone for good loses them after the session timeout
 * (KAFKA_SESSION_TIMEOUT_MS). rebalance_cb may be NULL. Returns a new handle with its
 * main queue redirected to the consumer queue, or NULL with the reason in err. */
rd_kafka_t *kafka_consumer_new(const char *brokers, const char *group, const char *instance_id,
                               void (*rebalance_cb)(rd_kafka_t *, rd_kafka_resp_err_t,
                                                    rd_kafka_topic_partition_list_t *, void *),
                               void *opaque, char *err, size_t errlen);

/* Produces one message, waiting while the local queue is full. Steals value (freed by
 * librdkafka with free() once delivered); copies topic and key. Returns 0 or -1 with the
 * reason logged. */
int kafka_produce(rd_kafka_t *rk, const char *topic, const char *key, char *value, size_t len);

#endif
