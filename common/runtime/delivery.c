#include "delivery.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka.h"
#include "log.h"
#include "xmalloc.h"

/* After a timeout's purge, how long the reports of purged messages may take to arrive. */
#define PURGE_GRACE_MS 1000

struct delivery {
    rd_kafka_t *rk;
    pthread_t poller;
    atomic_int running;
};

struct delivery_slot {
    struct delivery_batch *batch;
    int state; /* 0 pending or never sent, 1 acknowledged, -1 failed */
};

struct delivery_batch {
    pthread_mutex_t lock;
    pthread_cond_t done;
    int refs;    /* the request's own, plus one per message whose report is due */
    int pending; /* messages sent whose report has not come */
    size_t n;
    struct delivery_slot slots[];
};

/* Drops a reference and the lock; frees the batch with the last reference. */
static void batch_unref_locked(struct delivery_batch *b) {
    int last = --b->refs == 0;
    pthread_mutex_unlock(&b->lock);
    if (!last) return;
    pthread_mutex_destroy(&b->lock);
    pthread_cond_destroy(&b->done);
    free(b);
}

/* Runs on the polling thread: records the outcome and wakes the waiting request. */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk, (void)opaque;
    struct delivery_slot *slot = m->_private;
    struct delivery_batch *b = slot->batch;
    if (m->err)
        log_warn("delivery to %s: %s", rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
    pthread_mutex_lock(&b->lock);
    slot->state = m->err ? -1 : 1;
    b->pending--;
    pthread_cond_broadcast(&b->done);
    batch_unref_locked(b);
}

/* Delivery reports fire only inside rd_kafka_poll: this thread makes them arrive while
 * requests wait on their condition variables. */
static void *poll_loop(void *arg) {
    struct delivery *d = arg;
    while (atomic_load(&d->running)) rd_kafka_poll(d->rk, 100);
    return NULL;
}

struct delivery *delivery_new(const char *brokers, char *err, size_t n) {
    rd_kafka_t *rk = kafka_producer_new(brokers, NULL, on_delivery, NULL, err, n);
    if (!rk) return NULL;
    struct delivery *d = xcalloc(1, sizeof *d);
    d->rk = rk;
    atomic_store(&d->running, 1);
    if (pthread_create(&d->poller, NULL, poll_loop, d) != 0) abort();
    return d;
}

void delivery_free(struct delivery *d, int flush_ms) {
    if (!d) return;
    atomic_store(&d->running, 0);
    pthread_join(d->poller, NULL);
    if (rd_kafka_flush(d->rk, flush_ms) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        /* Their requests were answered 503 already: drop them, do not deliver late. */
        rd_kafka_purge(d->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_poll(d->rk, 0);
    }
    rd_kafka_destroy(d->rk);
    free(d);
}

struct delivery_batch *delivery_batch_new(size_t n) {
    struct delivery_batch *b = xcalloc(1, sizeof *b + n * sizeof b->slots[0]);
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->done, NULL);
    b->refs = 1;
    b->n = n;
    for (size_t i = 0; i < n; i++) b->slots[i].batch = b;
    return b;
}

void delivery_batch_free(struct delivery_batch *b) {
    if (!b) return;
    pthread_mutex_lock(&b->lock);
    batch_unref_locked(b);
}

int delivery_send(struct delivery *d, struct delivery_batch *b, size_t i, const char *topic,
                  const char *key, char *value, size_t len) {
    /* Counted before producing: the report may arrive before producev returns. */
    pthread_mutex_lock(&b->lock);
    b->refs++;
    b->pending++;
    pthread_mutex_unlock(&b->lock);
    rd_kafka_resp_err_t e =
        rd_kafka_producev(d->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
                          RD_KAFKA_V_VALUE(value, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_FREE),
                          RD_KAFKA_V_OPAQUE(&b->slots[i]), RD_KAFKA_V_END);
    if (!e) return 0;
    log_warn("produce to %s: %s", topic, rd_kafka_err2str(e));
    free(value); /* not taken by librdkafka on failure */
    pthread_mutex_lock(&b->lock);
    b->slots[i].state = -1;
    b->pending--;
    b->refs--; /* the request still holds its own reference */
    pthread_mutex_unlock(&b->lock);
    return -1;
}

static struct timespec deadline_in(int ms) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
    return ts;
}

/* Waits, lock held, until nothing is pending or ms have passed. */
static void wait_pending(struct delivery_batch *b, int ms) {
    struct timespec until = deadline_in(ms);
    while (b->pending > 0)
        if (pthread_cond_timedwait(&b->done, &b->lock, &until) == ETIMEDOUT) break;
}

int delivery_wait(struct delivery *d, struct delivery_batch *b, int timeout_ms) {
    pthread_mutex_lock(&b->lock);
    wait_pending(b, timeout_ms);
    if (b->pending > 0) {
        pthread_mutex_unlock(&b->lock);
        log_warn("broker did not acknowledge within %d ms: purging the local queue", timeout_ms);
        rd_kafka_purge(d->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_NON_BLOCKING);
        pthread_mutex_lock(&b->lock);
        wait_pending(b, PURGE_GRACE_MS);
    }
    int ok = 1;
    for (size_t i = 0; i < b->n; i++) ok &= b->slots[i].state == 1;
    pthread_mutex_unlock(&b->lock);
    return ok ? 0 : -1;
}

int delivery_batch_state(struct delivery_batch *b, size_t i) {
    pthread_mutex_lock(&b->lock);
    int s = b->slots[i].state;
    pthread_mutex_unlock(&b->lock);
    return s;
}
