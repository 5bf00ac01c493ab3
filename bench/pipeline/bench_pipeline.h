/* bench-pipeline's pieces: a reader that watches a topic for this run's events, and the
 * group and topic set-up both the pipeline and the pass-through need. */
#ifndef VIGILE_BENCH_PIPELINE_H
#define VIGILE_BENCH_PIPELINE_H

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdint.h>

/* Reads a topic from where it ends when started (read_committed), and notes when the
 * first message naming each event "<prefix><i>" (i < n) arrived. */
struct bench_reader {
    rd_kafka_t *rk;
    pthread_t thread;
    volatile int running;
    pthread_mutex_t lock; /* the fields below, shared with the reading thread */
    char prefix[96];      /* `"event_id":"bp-<run>-<phase>-` */
    long n;
    int64_t *seen_ms; /* owned, n entries, 0 until seen */
    long seen;        /* how many distinct indexes so far */
    long duplicates;  /* messages naming an index seen before */
};

/* Starts reading topic; exits the program when the broker cannot be read. */
void bench_reader_start(struct bench_reader *rd, const char *brokers, const char *topic);
/* Watches for events of phase (ids "bp-<run>-<phase>-<i>", i < n) from now on, forgetting
 * the previous phase's. */
void bench_reader_expect(struct bench_reader *rd, const char *run_id, int phase, long n);
/* Waits until all n were seen or timeout_ms passed. Returns how many were seen. */
long bench_reader_wait(struct bench_reader *rd, int timeout_ms);
/* Fills lat (n entries of room) with seen - sent of every event seen, in index order,
 * and *last_ms with when the last one was seen. Returns how many were seen. */
long bench_reader_latencies(struct bench_reader *rd, const int64_t *sent_ms, int64_t *lat,
                            int64_t *last_ms);
void bench_reader_stop(struct bench_reader *rd);

/* Commits, for group, the current end of every partition of topics (NULL-terminated),
 * so that workers of a new group start there and not at what earlier runs left. */
void bench_group_at_end(const char *brokers, const char *group, const char *const *topics);

/* How many partitions topic has (0 when it does not exist). */
int bench_topic_partitions(const char *brokers, const char *topic);

#endif
