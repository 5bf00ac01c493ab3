#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_pipeline.h"
#include "timefmt.h"
#include "xmalloc.h"

static void die(const char *what, const char *why) {
    fprintf(stderr, "bench-pipeline: %s: %s\n", what, why);
    exit(1);
}

/* Reads as Vigile's own consumers do (kafka.c): read_committed, and a short broker-side
 * fetch wait, or every latency figure would carry up to 500 ms of waiting for nothing. */
static rd_kafka_t *consumer(const char *brokers, const char *group) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers, err, sizeof err) ||
        rd_kafka_conf_set(conf, "group.id", group, err, sizeof err) ||
        rd_kafka_conf_set(conf, "isolation.level", "read_committed", err, sizeof err) ||
        rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err) ||
        rd_kafka_conf_set(conf, "fetch.wait.max.ms", "10", err, sizeof err))
        die("consumer config", err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) die("consumer", err);
    return rk;
}

/* Every partition of topics at its high watermark, as a new list. */
static rd_kafka_topic_partition_list_t *ends(rd_kafka_t *rk, const char *const *topics) {
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(16);
    for (const char *const *t = topics; *t; t++) {
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, *t, NULL);
        const struct rd_kafka_metadata *md;
        rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
        if (e) die(*t, rd_kafka_err2str(e));
        for (int p = 0; md->topic_cnt == 1 && p < md->topics[0].partition_cnt; p++) {
            int64_t lo, hi;
            /* A topic created a moment ago may have no leader yet: give it 10 s. */
            for (int tries = 0; tries < 100; tries++) {
                e = rd_kafka_query_watermark_offsets(rk, *t, p, &lo, &hi, 10000);
                if (e != RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION &&
                    e != RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE &&
                    e != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
                    break;
                usleep(100000);
            }
            if (e) die(*t, rd_kafka_err2str(e));
            rd_kafka_topic_partition_list_add(list, *t, p)->offset = hi;
        }
        rd_kafka_metadata_destroy(md);
        rd_kafka_topic_destroy(rkt);
    }
    return list;
}

int bench_topic_partitions(const char *brokers, const char *topic) {
    rd_kafka_t *rk = consumer(brokers, "bench-metadata");
    const char *const topics[] = { topic, NULL };
    rd_kafka_topic_partition_list_t *list = ends(rk, topics);
    int n = list->cnt;
    rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_destroy(rk);
    return n;
}

void bench_group_at_end(const char *brokers, const char *group, const char *const *topics) {
    rd_kafka_t *rk = consumer(brokers, group);
    rd_kafka_topic_partition_list_t *list = ends(rk, topics);
    rd_kafka_resp_err_t e = list->cnt ? rd_kafka_commit(rk, list, 0) : 0;
    if (e) die(group, rd_kafka_err2str(e));
    rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_destroy(rk);
}

/* The index of this phase's event a message names, or -1. */
static long event_index(const struct bench_reader *rd, const rd_kafka_message_t *m) {
    size_t plen = strlen(rd->prefix);
    const char *v = m->payload;
    for (size_t i = 0; i + plen < m->len; i++) {
        if (v[i] != '"' || memcmp(v + i, rd->prefix, plen) != 0) continue;
        long idx = strtol(v + i + plen, NULL, 10);
        return idx >= 0 && idx < rd->n ? idx : -1;
    }
    return -1;
}

static void *read_loop(void *arg) {
    struct bench_reader *rd = arg;
    while (rd->running) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rd->rk, 50);
        if (!m) continue;
        pthread_mutex_lock(&rd->lock);
        long idx = m->err || !rd->seen_ms ? -1 : event_index(rd, m);
        if (idx >= 0 && rd->seen_ms[idx])
            rd->duplicates++;
        else if (idx >= 0)
            rd->seen_ms[idx] = time_mono_ms(), rd->seen++;
        pthread_mutex_unlock(&rd->lock);
        rd_kafka_message_destroy(m);
    }
    return NULL;
}

void bench_reader_start(struct bench_reader *rd, const char *brokers, const char *topic) {
    char group[64];
    snprintf(group, sizeof group, "bench-reader-%d", (int)getpid());
    *rd = (struct bench_reader){ .rk = consumer(brokers, group), .running = 1 };
    pthread_mutex_init(&rd->lock, NULL);
    const char *const topics[] = { topic, NULL };
    rd_kafka_topic_partition_list_t *list = ends(rd->rk, topics);
    rd_kafka_resp_err_t e = rd_kafka_assign(rd->rk, list);
    if (e) die(topic, rd_kafka_err2str(e));
    rd_kafka_topic_partition_list_destroy(list);
    pthread_create(&rd->thread, NULL, read_loop, rd);
}

void bench_reader_expect(struct bench_reader *rd, const char *run_id, int phase, long n) {
    pthread_mutex_lock(&rd->lock);
    free(rd->seen_ms);
    rd->seen_ms = xcalloc((size_t)n, sizeof *rd->seen_ms);
    snprintf(rd->prefix, sizeof rd->prefix, "\"event_id\":\"bp-%s-%d-", run_id, phase);
    rd->n = n;
    rd->seen = rd->duplicates = 0;
    pthread_mutex_unlock(&rd->lock);
}

/* How many of the phase's events were seen. */
static long seen(struct bench_reader *rd) {
    pthread_mutex_lock(&rd->lock);
    long n = rd->seen;
    pthread_mutex_unlock(&rd->lock);
    return n;
}

long bench_reader_wait(struct bench_reader *rd, int timeout_ms) {
    int64_t until = time_mono_ms() + timeout_ms;
    while (seen(rd) < rd->n && time_mono_ms() < until) usleep(5000);
    return seen(rd);
}

long bench_reader_latencies(struct bench_reader *rd, const int64_t *sent_ms, int64_t *lat,
                            int64_t *last_ms) {
    pthread_mutex_lock(&rd->lock);
    long got = 0;
    *last_ms = 0;
    for (long i = 0; i < rd->n; i++) {
        if (!rd->seen_ms[i]) continue;
        lat[got++] = rd->seen_ms[i] - sent_ms[i];
        if (rd->seen_ms[i] > *last_ms) *last_ms = rd->seen_ms[i];
    }
    pthread_mutex_unlock(&rd->lock);
    return got;
}

void bench_reader_stop(struct bench_reader *rd) {
    rd->running = 0;
    pthread_join(rd->thread, NULL);
    rd_kafka_consumer_close(rd->rk);
    rd_kafka_destroy(rd->rk);
    pthread_mutex_destroy(&rd->lock);
    free(rd->seen_ms);
}
