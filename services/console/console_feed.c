/* The feed: every partition of the console's topics, read from the offsets the read
 * model recorded, without a consumer group's commits. Each replica keeps its own offsets
 * in its own SQLite file, so a second one rebuilds everything from the topics and a
 * restarted one resumes exactly where its last transaction ended. */
#include "console_worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deadletter.h"
#include "health.h"
#include "kafka.h"
#include "log.h"
#include "timefmt.h"
#include "topics.h"
#include "worker.h"

static const char *const feed_topics[] = { TOPIC_DECISIONS, TOPIC_ESCALATIONS,    TOPIC_SLA,
                                           TOPIC_OPERATOR,  TOPIC_ACTION_RESULTS, NULL };

/* Every partition of feed_topics, each at its recorded offset (the beginning when none).
 * Returns a new list, or NULL when the broker did not describe a topic. */
static rd_kafka_topic_partition_list_t *assignment(rd_kafka_t *rk, struct console_store *st) {
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 1, NULL, &md, 10000);
    if (e) {
        log_error("console: topic metadata: %s", rd_kafka_err2str(e));
        return NULL;
    }
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(24);
    for (int i = 0; i < md->topic_cnt; i++) {
        const struct rd_kafka_metadata_topic *t = &md->topics[i];
        int wanted = 0;
        for (size_t k = 0; feed_topics[k]; k++) wanted |= strcmp(t->topic, feed_topics[k]) == 0;
        if (!wanted || t->err) continue;
        for (int p = 0; p < t->partition_cnt; p++) {
            int64_t next = console_store_next_offset(st, t->topic, t->partitions[p].id);
            rd_kafka_topic_partition_list_add(parts, t->topic, t->partitions[p].id)->offset =
                next >= 0 ? next : RD_KAFKA_OFFSET_BEGINNING;
        }
    }
    rd_kafka_metadata_destroy(md);
    return parts;
}

/* Sends the input to vigile.deadletter and records its offset. 0, or -1 (logged). */
static int deadletter(struct console_store *st, rd_kafka_t *producer, const rd_kafka_message_t *m,
                      const char *reason) {
    const char *topic = rd_kafka_topic_name(m->rkt);
    struct deadletter_source src = { "console", topic, m->partition, m->offset };
    size_t len;
    char *rec = deadletter_record(&src, reason, m->payload, m->len, &len);
    char key[64];
    snprintf(key, sizeof key, "console|%s:%d:%lld", topic, (int)m->partition, (long long)m->offset);
    log_warn("console: %s [%d] @%lld dead-lettered: %s", topic, (int)m->partition,
             (long long)m->offset, reason);
    if (kafka_produce(producer, TOPIC_DEADLETTER, key, rec, len) ||
        rd_kafka_flush(producer, 10000)) {
        log_error("console: the dead letter was not acknowledged");
        return -1;
    }
    return console_store_skip(st, topic, m->partition, m->offset);
}

/* 0 when the message is applied or dead-lettered, -1 when the feed must stop. */
static int handle(struct console_store *st, rd_kafka_t *producer, const rd_kafka_message_t *m) {
    char reason[256];
    const char *topic = rd_kafka_topic_name(m->rkt);
    switch (console_store_apply(st, topic, m->partition, m->offset, m->payload ? m->payload : "",
                                m->len, reason, sizeof reason)) {
    case CONSOLE_APPLIED: return 0;
    case CONSOLE_REJECTED: return deadletter(st, producer, m, reason);
    case CONSOLE_FAILED: break;
    }
    log_error("console: %s [%d] @%lld could not be written to the read model", topic,
              (int)m->partition, (long long)m->offset);
    return -1;
}

/* Often enough that nothing stays a day past its topic's retention. */
#define CONSOLE_PRUNE_EVERY_MS (3600 * 1000)

static int feed_loop(rd_kafka_t *rk, struct console_store *st, rd_kafka_t *producer,
                     const struct worker_hooks *hooks) {
    int64_t pruned_at = 0;
    while (worker_running) {
        health_heartbeat();
        if (worker_reload_requested) {
            worker_reload_requested = 0;
            if (hooks && hooks->reload) hooks->reload(hooks->ctx);
        }
        if (time_mono_ms() - pruned_at > CONSOLE_PRUNE_EVERY_MS || pruned_at == 0) {
            pruned_at = time_mono_ms();
            int n = console_store_prune(st, time_now_ms());
            if (n > 0) log_info("console: %d rows past the topics' retention forgotten", n);
        }
        rd_kafka_poll(producer, 0);
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m) continue;
        int rc = 0;
        if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            log_warn("console: %s", rd_kafka_message_errstr(m));
        else if (!m->err)
            rc = handle(st, producer, m);
        rd_kafka_message_destroy(m);
        if (rc) return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}

int console_feed_run(struct console_store *st, const char *brokers, const char *group,
                     rd_kafka_t *producer, const struct worker_hooks *hooks) {
    char err[512];
    rd_kafka_t *rk = kafka_consumer_new(brokers, group, NULL, NULL, NULL, err, sizeof err);
    if (!rk) {
        log_error("console: consumer: %s", err);
        return EXIT_FAILURE;
    }
    rd_kafka_topic_partition_list_t *parts = NULL;
    while (worker_running && !(parts = assignment(rk, st))) sleep(2);
    int code = EXIT_SUCCESS;
    if (parts) {
        rd_kafka_resp_err_t e = rd_kafka_assign(rk, parts);
        log_info("console: reading %d partitions from the read model's offsets", parts->cnt);
        rd_kafka_topic_partition_list_destroy(parts);
        code = e ? EXIT_FAILURE : feed_loop(rk, st, producer, hooks);
        if (e) log_error("console: assign: %s", rd_kafka_err2str(e));
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return code;
}

int console_emit_kafka(void *ctx, const char *key, const char *value, size_t len) {
    rd_kafka_t *rk = ctx;
    char *copy = xstrndup(value, len); /* librdkafka frees what it is given */
    if (kafka_produce(rk, TOPIC_OPERATOR, key, copy, len)) return -1;
    /* Only the event in hand waits: the flush returns once the queue is empty. */
    if (rd_kafka_flush(rk, 10000)) {
        log_error("console: an operator event was not acknowledged within 10 s");
        return -1;
    }
    return 0;
}
