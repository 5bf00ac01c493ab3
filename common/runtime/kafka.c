#include "kafka.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "limits.h"
#include "log.h"
#include "pipeline_metrics.h"

/* librdkafka's own log lines go through ours, so operators read one format. */
static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    (void)rk;
    enum log_level l = level <= 3   ? LOG_ERROR
                       : level <= 4 ? LOG_WARN
                       : level <= 6 ? LOG_INFO
                                    : LOG_DEBUG;
    log_msg(l, "rdkafka %s: %s", fac, buf);
}

/* Ordinary errors (broker down) are retried by the client itself; only fatal ones matter,
 * and the loop discovers those through the calls that fail. /healthz hears of outages. */
static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
    (void)rk, (void)opaque;
    health_kafka_error(err, reason);
    pipeline_metric_kafka_error(rd_kafka_err2name(err));
    if (err == RD_KAFKA_RESP_ERR__FATAL)
        log_error("kafka fatal: %s", reason);
    else
        log_warn("kafka: %s: %s", rd_kafka_err2name(err), reason);
}

/* Statistics tell /healthz when a broker is up again (health.h), and give the metrics
 * consumer lag and connection counts. */
static int on_stats(rd_kafka_t *rk, char *json, size_t len, void *opaque) {
    (void)rk, (void)opaque;
    health_kafka_stats(json, len);
    pipeline_metric_kafka_stats(json, len);
    return 0; /* librdkafka frees json */
}

static int set_all(rd_kafka_conf_t *conf, const char *const *kv, char *err, size_t n) {
    for (; kv[0]; kv += 2)
        if (rd_kafka_conf_set(conf, kv[0], kv[1], err, n) != RD_KAFKA_CONF_OK) return -1;
    return 0;
}

static rd_kafka_conf_t *base_conf(const char *brokers, void *opaque, char *err, size_t n) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const char *kv[] = { "bootstrap.servers",
                         brokers,
                         "client.id",
                         "vigile",
                         "reconnect.backoff.max.ms",
                         "5000",
                         "statistics.interval.ms",
                         "1000",
                         NULL };
    if (set_all(conf, kv, err, n)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_log_cb(conf, on_log);
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_stats_cb(conf, on_stats);
    rd_kafka_conf_set_opaque(conf, opaque);
    return conf;
}

rd_kafka_t *kafka_producer_new(const char *brokers, const char *transactional_id,
                               void (*dr_cb)(rd_kafka_t *, const rd_kafka_message_t *, void *),
                               void *opaque, char *err, size_t n) {
    rd_kafka_conf_t *conf = base_conf(brokers, opaque, err, n);
    if (!conf) return NULL;
    /* Without a transaction a message may wait forever (0) for a broker to come back.
     * Within one it cannot outlive the transaction, so librdkafka's default applies.
     * A transaction whose coordinator is still writing the previous one's markers is
     * refused (CONCURRENT_TRANSACTIONS) and retried after retry.backoff.ms: librdkafka's
     * 100 ms halved the pass-through worker's throughput in bench-pipeline. */
    const char *kv[] = { "enable.idempotence",
                         "true",
                         "acks",
                         "all",
                         "compression.codec",
                         "lz4",
                         "linger.ms",
                         "5",
                         "retry.backoff.ms",
                         "10",
                         "message.max.bytes",
                         LIMIT_STR(LIMIT_MESSAGE_BYTES),
                         NULL };
    if (set_all(conf, kv, err, n) ||
        (transactional_id &&
         rd_kafka_conf_set(conf, "transactional.id", transactional_id, err, n)) ||
        (!transactional_id && rd_kafka_conf_set(conf, "message.timeout.ms", "0", err, n))) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    if (dr_cb) rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, n);
    if (!rk) rd_kafka_conf_destroy(conf); /* rd_kafka_new owns conf only on success */
    return rk;
}

rd_kafka_t *kafka_consumer_new(const char *brokers, const char *group, const char *instance_id,
                               void (*rebalance_cb)(rd_kafka_t *, rd_kafka_resp_err_t,
                                                    rd_kafka_topic_partition_list_t *, void *),
                               void *opaque, char *err, size_t n) {
    rd_kafka_conf_t *conf = base_conf(brokers, opaque, err, n);
    if (!conf) return NULL;
    /* A read_committed fetch that finds nothing committed yet waits at the broker up to
     * fetch.wait.max.ms, and a commit does not cut that wait short: librdkafka's 500 ms
     * put 1.5 s between a comment and its decision at 100 msg/s in bench-pipeline (three
     * hops), 10 ms brings it under 0.5 s for a few more empty fetches per second. */
    const char *kv[] = { "group.id",
                         group,
                         "enable.auto.commit",
                         "false",
                         "enable.auto.offset.store",
                         "false",
                         "auto.offset.reset",
                         "earliest",
                         "isolation.level",
                         "read_committed",
                         "fetch.wait.max.ms",
                         "10",
                         "enable.partition.eof",
                         "false",
                         "session.timeout.ms",
                         KAFKA_SESSION_TIMEOUT_MS,
                         "heartbeat.interval.ms",
                         KAFKA_HEARTBEAT_INTERVAL_MS,
                         NULL };
    if (set_all(conf, kv, err, n) ||
        (instance_id && rd_kafka_conf_set(conf, "group.instance.id", instance_id, err, n))) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    if (rebalance_cb) rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, n);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_poll_set_consumer(rk);
    return rk;
}

int kafka_produce(rd_kafka_t *rk, const char *topic, const char *key, char *value, size_t len) {
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
            RD_KAFKA_V_VALUE(value, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_FREE), RD_KAFKA_V_END);
        if (!e) return 0;
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            log_error("produce to %s: %s", topic, rd_kafka_err2str(e));
            free(value); /* not taken by librdkafka on failure */
            return -1;
        }
        rd_kafka_poll(rk, 100); /* serve delivery reports until there is room */
    }
}
