#include "worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deadletter.h"
#include "health.h"
#include "kafka.h"
#include "limits.h"
#include "log.h"
#include "metrics.h"
#include "pipeline_metrics.h"
#include "timefmt.h"
#include "topics.h"
#include "xmalloc.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
/* After SIGTERM, how long to wait for a broker to take the last outputs before giving up
 * (without committing, so the inputs are read again by whoever comes next). */
#define SHUTDOWN_FLUSH_MS 10000

struct worker {
    const struct settings *cfg;
    struct stage *stage;
    rd_kafka_t *consumer, *producer;
    int transactional;
    int in_txn;
    /* The open batch: where it started on each partition (to rewind) and the offsets to
     * commit when it ends (last processed + 1). */
    rd_kafka_topic_partition_list_t *first, *next;
    size_t batch_n;
    size_t batch_ticks; /* outputs produced by the stage's tick in this batch */
    int64_t batch_deadline;
    unsigned undelivered; /* delivery reports with an error since the batch began */
    unsigned rebalances;  /* assignments and revocations so far (read_ahead) */
    int fatal;
    struct stage_outputs out;
};

static void sleep_ms(int ms) {
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    struct worker *w = opaque;
    (void)rk;
    if (m->err) {
        w->undelivered++;
        /* What an aborted transaction had queued is purged: expected, and redone. */
        int purged =
            m->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE || m->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT;
        log_msg(purged ? LOG_DEBUG : LOG_ERROR, "delivery to %s failed: %s",
                rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
    }
}

static void batch_reset(struct worker *w) {
    if (w->first) rd_kafka_topic_partition_list_destroy(w->first);
    if (w->next) rd_kafka_topic_partition_list_destroy(w->next);
    w->first = rd_kafka_topic_partition_list_new(8);
    w->next = rd_kafka_topic_partition_list_new(8);
    w->batch_n = 0;
    w->batch_ticks = 0;
    w->undelivered = 0;
}

static void batch_note(struct worker *w, const rd_kafka_message_t *m) {
    const char *topic = rd_kafka_topic_name(m->rkt);
    if (!rd_kafka_topic_partition_list_find(w->first, topic, m->partition))
        rd_kafka_topic_partition_list_add(w->first, topic, m->partition)->offset = m->offset;
    rd_kafka_topic_partition_t *p =
        rd_kafka_topic_partition_list_find(w->next, topic, m->partition);
    if (!p) p = rd_kafka_topic_partition_list_add(w->next, topic, m->partition);
    p->offset = m->offset + 1;
    w->batch_n++;
}

/* Sends the consumer back to the start of the failed batch, so every input in it is
 * processed again: nothing is committed past a message whose outputs were not taken. */
static void batch_rewind(struct worker *w) {
    rd_kafka_error_t *e = rd_kafka_seek_partitions(w->consumer, w->first, 10000);
    if (e) {
        log_error("rewind: %s", rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
    }
    metrics_add(METRIC_ABORTS, 1);
    batch_reset(w);
}

static int txn_begin(struct worker *w) {
    if (!w->transactional || w->in_txn) return 0;
    rd_kafka_error_t *e = rd_kafka_begin_transaction(w->producer);
    if (e) {
        log_error("begin transaction: %s", rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
        w->fatal = 1;
        return -1;
    }
    w->in_txn = 1;
    return 0;
}

/* librdkafka 2.0 can send the abort before the broker has registered the partitions of
 * the transaction's first outputs, and the broker then refuses it with a fatal
 * INVALID_TXN_STATE (librdkafka issue 4849). An acknowledged output proves its partition
 * registered, so what is queued is delivered first (it is aborted with the rest); a
 * broker that cannot take it in ABORT_FLUSH_MS gets the abort anyway. */
#define ABORT_FLUSH_MS 10000

static void txn_abort(struct worker *w) {
    if (rd_kafka_outq_len(w->producer) > 0) rd_kafka_flush(w->producer, ABORT_FLUSH_MS);
    rd_kafka_error_t *e = rd_kafka_abort_transaction(w->producer, -1);
    pipeline_metric_transaction(0);
    if (e) {
        log_error("abort transaction: %s", rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
        w->fatal = 1;
    }
    w->in_txn = 0;
}

/* Commits the batch's outputs and offsets in one transaction, retrying what librdkafka
 * calls retriable. Returns 0, or -1 when the transaction was aborted. */
static int commit_transactional(struct worker *w) {
    for (int backoff = BACKOFF_MIN_MS;;
         backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2) {
        rd_kafka_error_t *e = NULL;
        if (w->next->cnt > 0) { /* a batch of tick outputs alone has no offsets */
            rd_kafka_consumer_group_metadata_t *cgmd =
                rd_kafka_consumer_group_metadata(w->consumer);
            e = rd_kafka_send_offsets_to_transaction(w->producer, w->next, cgmd, -1);
            rd_kafka_consumer_group_metadata_destroy(cgmd);
        }
        if (!e) e = rd_kafka_commit_transaction(w->producer, -1);
        if (!e) {
            w->in_txn = 0;
            pipeline_metric_transaction(1);
            return 0;
        }
        log_warn("commit transaction: %s", rd_kafka_error_string(e));
        int retriable = rd_kafka_error_is_retriable(e);
        int abortable = rd_kafka_error_txn_requires_abort(e);
        rd_kafka_error_destroy(e);
        if (abortable) {
            txn_abort(w);
            return -1;
        }
        if (!retriable) {
            w->fatal = 1;
            return -1;
        }
        health_heartbeat(); /* waiting for the broker is not being stuck */
        sleep_ms(backoff);
    }
}

/* Waits until the broker has acknowledged every output, then commits the offsets.
 * Returns 0, or -1 when the batch must be processed again. */
static int commit_acknowledged(struct worker *w) {
    int64_t give_up = -1;
    while (rd_kafka_outq_len(w->producer) > 0) {
        rd_kafka_flush(w->producer, 1000);
        health_heartbeat(); /* waiting for the broker is not being stuck */
        if (!worker_running && give_up < 0) give_up = time_mono_ms() + SHUTDOWN_FLUSH_MS;
        if (give_up >= 0 && time_mono_ms() > give_up) {
            log_error("outputs not acknowledged at shutdown; offsets left uncommitted");
            return -1;
        }
    }
    if (w->undelivered) return -1;
    if (w->next->cnt == 0) return 0;
    rd_kafka_resp_err_t e = rd_kafka_commit(w->consumer, w->next, 0);
    if (e) {
        log_warn("commit offsets: %s", rd_kafka_err2str(e));
        return -1;
    }
    return 0;
}

/* Ends the open batch. On failure the batch is rewound when rewind is set (the partitions
 * are still ours); during a revocation they are not, and the next owner starts from the
 * last committed offsets anyway. Returns 0, or -1 when the batch was not committed. */
static int batch_commit(struct worker *w, int rewind) {
    if (w->batch_n == 0 && w->batch_ticks == 0) return 0;
    int rc = w->transactional ? commit_transactional(w) : commit_acknowledged(w);
    if (rc == 0) {
        metrics_add(METRIC_BATCHES, 1);
        if (w->batch_ticks && w->stage->tick_committed) w->stage->tick_committed(w->stage->ctx);
        batch_reset(w);
        return 0;
    }
    log_warn("batch of %zu inputs not committed; it will be processed again", w->batch_n);
    if (rewind)
        batch_rewind(w);
    else
        batch_reset(w);
    return -1;
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque) {
    struct worker *w = opaque;
    w->rebalances++;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        log_info("assigned %d partitions", parts->cnt);
        rd_kafka_assign(rk, parts);
        return;
    }
    /* Finish what was read from these partitions while they are still ours. */
    batch_commit(w, 0);
    log_info("revoked %d partitions", parts->cnt);
    rd_kafka_assign(rk, NULL);
}

/* Runs the stage on one input until it succeeds or rejects it, backing off while it
 * reports a transient failure. Returns the status, or STAGE_RETRY if asked to stop
 * before the input could be finished, or at the first transient failure when
 * wait_for_it is 0. */
static enum stage_status run_stage(struct worker *w, const struct stage_input *in, int wait_for_it,
                                   char *reason, size_t n) {
    for (int backoff = BACKOFF_MIN_MS;;
         backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2) {
        stage_outputs_clear(&w->out);
        int64_t t0 = pipeline_mono_us();
        enum stage_status st = w->stage->process(w->stage->ctx, in, &w->out, reason, n);
        int64_t us = pipeline_mono_us() - t0;
        pipeline_metric_stage_time(w->stage->name, us);
        if (st != STAGE_RETRY) {
            health_set_up(HEALTH_STAGE);
            return st;
        }
        metrics_add(METRIC_RETRIES, 1);
        health_set_down(HEALTH_STAGE, "%s: %s", w->stage->name, reason);
        if (!wait_for_it) {
            log_warn("%s; abandoning the batch in hand, to retry it", reason);
            return STAGE_RETRY;
        }
        log_warn("%s; retrying in %d ms", reason, backoff);
        for (int slept = 0; slept < backoff && worker_running; slept += 100) {
            health_heartbeat();
            sleep_ms(100);
        }
        if (!worker_running) return STAGE_RETRY;
    }
}

static void add_deadletter(struct worker *w, const rd_kafka_message_t *m, const char *reason) {
    struct deadletter_source src = { w->stage->name, rd_kafka_topic_name(m->rkt), m->partition,
                                     m->offset };
    stage_outputs_clear(&w->out);
    deadletter_add(&w->out, &src, m->key ? xstrndup(m->key, m->key_len) : NULL, reason, m->payload,
                   m->len);
    metrics_add(METRIC_DEADLETTERS, 1);
    pipeline_metric_deadlettered(src.topic, reason);
    log_warn("dead letter from %s[%d]@%lld: %s", src.topic, src.partition, (long long)src.offset,
             reason);
}

/* librdkafka counts a message's framing against message.max.bytes too. */
#define MESSAGE_FRAMING_BYTES 512

/* An output no topic can take would fail to produce on every attempt and the batch would
 * be rewound for ever: say which one it is, so that the input is dead-lettered instead.
 * Returns 1 (reason written) when an output is too large, else 0. */
static int output_too_large(const struct stage_outputs *out, char *reason, size_t n) {
    for (size_t i = 0; i < out->n; i++) {
        const struct stage_output *o = &out->v[i];
        if (o->len + strlen(o->key) + MESSAGE_FRAMING_BYTES <= LIMIT_MESSAGE_BYTES) continue;
        snprintf(reason, n, "output to %s is %zu bytes, over the message limit of %d", o->topic,
                 o->len, LIMIT_MESSAGE_BYTES);
        return 1;
    }
    return 0;
}

/* Produces the stage's outputs in w->out. Returns 0, or -1 when one could not be queued. */
static int produce_outputs(struct worker *w) {
    for (size_t i = 0; i < w->out.n; i++) {
        struct stage_output *o = &w->out.v[i];
        int rc = kafka_produce(w->producer, o->topic, o->key, o->value, o->len);
        o->value = NULL; /* taken by librdkafka, or freed on failure */
        if (rc) return -1;
        metrics_add(METRIC_OUTPUTS, 1);
        pipeline_metric_produced(o->topic, 1);
    }
    return 0;
}

/* Processes one input into the open batch. Returns 0; HANDLE_STOPPED when it could not
 * be finished because the worker is stopping (nothing of it was produced); or
 * HANDLE_FAILED when some of its outputs could not be produced, so the whole batch must
 * be abandoned and read again. */
enum { HANDLE_STOPPED = -1, HANDLE_FAILED = -2 };
static int handle(struct worker *w, const rd_kafka_message_t *m) {
    struct stage_input in = { rd_kafka_topic_name(m->rkt), m->payload, m->len };
    char reason[512] = "";
    if (w->batch_n == 0 && w->batch_ticks == 0)
        w->batch_deadline = time_mono_ms() + w->cfg->batch_ms;
    if (txn_begin(w)) return HANDLE_STOPPED;
    metrics_add(METRIC_MESSAGES_IN, 1);
    pipeline_metric_consumed(in.topic);
    /* A transaction is not kept open while a dependency is down: readers of the
     * partitions it wrote to wait behind it, and the broker would abort it after
     * transaction.timeout.ms, which the producer does not survive. The batch is
     * abandoned instead; its inputs decide the same again from their records. */
    int wait_here = !w->transactional || (w->batch_n == 0 && w->batch_ticks == 0);
    enum stage_status st = run_stage(w, &in, wait_here, reason, sizeof reason);
    if (st == STAGE_RETRY && !wait_here && worker_running) {
        batch_note(w, m); /* so that the rewind covers this input's partition too */
        return HANDLE_FAILED;
    }
    if (st == STAGE_RETRY) return HANDLE_STOPPED;
    if (st == STAGE_OK && output_too_large(&w->out, reason, sizeof reason)) st = STAGE_REJECT;
    if (st == STAGE_REJECT) add_deadletter(w, m, reason);
    batch_note(w, m); /* before producing, so that a rewind covers this input too */
    return produce_outputs(w) ? HANDLE_FAILED : 0;
}

/* Abandons the open batch: its transaction is aborted and its inputs are read again. */
static void batch_abandon(struct worker *w) {
    if (w->in_txn) txn_abort(w);
    batch_rewind(w);
}

/* Lets the stage produce what is due by time. Its outputs join the open batch. */
static void tick(struct worker *w) {
    char reason[512];
    stage_outputs_clear(&w->out);
    if (w->stage->tick(w->stage->ctx, time_now_ms(), &w->out, reason, sizeof reason) != STAGE_OK) {
        log_warn("tick: %s", reason);
        stage_outputs_clear(&w->out);
        return;
    }
    if (w->out.n == 0) return;
    if (w->batch_n == 0 && w->batch_ticks == 0)
        w->batch_deadline = time_mono_ms() + w->cfg->batch_ms;
    if (txn_begin(w)) return;
    w->batch_ticks += w->out.n;
    if (produce_outputs(w)) batch_abandon(w);
}

void worker_reload(const struct worker_hooks *hooks) {
    worker_reload_requested = 0;
    if (!hooks || !hooks->reload) return;
    if (hooks->reload(hooks->ctx) == 0) {
        metrics_add(METRIC_RELOADS, 1);
        pipeline_metric_config_loaded();
        log_info("configuration reloaded");
    } else {
        metrics_add(METRIC_RELOAD_FAILURES, 1);
        log_error("configuration reload refused; the previous configuration stays in force");
    }
}

/* Inputs read ahead of processing them, for stage.prepare: at most this many, and never
 * more than the open batch still takes. */
#define READ_AHEAD_MAX 64

/* Reads up to max messages: the first waiting up to timeout_ms, the rest only if already
 * fetched. A rebalance (served inside a poll) ends the reading: what was read before it
 * is dropped, since the new assignment starts from the committed offsets and those
 * inputs come again, to this worker or to the partitions' new owner; what the poll that
 * served it returned belongs to the new assignment and is kept. Returns how many
 * messages are in m (owned by the caller). */
static size_t read_ahead(struct worker *w, int timeout_ms, rd_kafka_message_t **m, size_t max) {
    size_t n = 0;
    do {
        unsigned rebalances = w->rebalances;
        rd_kafka_message_t *next = rd_kafka_consumer_poll(w->consumer, n ? 0 : timeout_ms);
        if (w->rebalances != rebalances) {
            while (n > 0) rd_kafka_message_destroy(m[--n]);
            if (next) m[n++] = next;
            return n;
        }
        if (!next) return n;
        m[n++] = next;
    } while (n < max);
    return n;
}

/* Hands the stage the inputs about to be processed (stage.prepare). */
static void prepare(struct worker *w, rd_kafka_message_t **m, size_t n) {
    struct stage_input in[READ_AHEAD_MAX];
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!m[i]->err)
            in[k++] =
                (struct stage_input){ rd_kafka_topic_name(m[i]->rkt), m[i]->payload, m[i]->len };
    if (k > 1) w->stage->prepare(w->stage->ctx, in, k);
}

/* Processes one message into the open batch. Returns 0, or -1 when the batch ended in a
 * way that sends the consumer back (abandoned, stopped, or a commit that failed): the
 * messages read after this one must then be dropped, as they will be read again. */
static int take(struct worker *w, const rd_kafka_message_t *m) {
    if (m->err) { /* a fatal one is seen by worker_run, which makes a new consumer */
        log_warn("consume: %s", rd_kafka_message_errstr(m));
        return 0;
    }
    int rc = handle(w, m);
    /* Stopping: commit what came before this input; it is read again next time. */
    if (rc == HANDLE_STOPPED)
        batch_commit(w, 0);
    else if (rc == HANDLE_FAILED)
        batch_abandon(w);
    if (rc) return -1;
    if (w->batch_n >= (size_t)w->cfg->batch_max) return batch_commit(w, 1);
    return 0;
}

/* How long a poll waits for input. With no batch open, up to 100 ms (then the loop's
 * other duties). With one open, up to its deadline; or, with VIGILE_BATCH_CLOSE_IDLE, not
 * at all: a batch then commits as soon as the consumer has nothing more buffered, so an
 * input at low load waits for no timer, while at high load inputs keep arriving during
 * each commit and batches grow by themselves up to VIGILE_BATCH_MAX. */
static int poll_timeout(const struct worker *w, int open) {
    if (!open) return 100;
    if (w->cfg->batch_close_idle) return 0;
    int64_t now = time_mono_ms();
    return (int)(w->batch_deadline > now ? w->batch_deadline - now : 0);
}

/* Makes the batch's rewind cover the messages read ahead: when taking one of them fails,
 * the consumer goes back to where the batch started and the messages read after it are
 * dropped, so their partitions must go back too, also those the batch has no input of
 * yet (they would be skipped until the next restart otherwise). */
static void batch_cover(struct worker *w, rd_kafka_message_t **m, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (m[i]->err) continue;
        const char *topic = rd_kafka_topic_name(m[i]->rkt);
        if (!rd_kafka_topic_partition_list_find(w->first, topic, m[i]->partition))
            rd_kafka_topic_partition_list_add(w->first, topic, m[i]->partition)->offset =
                m[i]->offset;
    }
}

static void poll_once(struct worker *w) {
    int open = w->batch_n || w->batch_ticks;
    int timeout = poll_timeout(w, open);
    rd_kafka_message_t *m[READ_AHEAD_MAX];
    size_t room = (size_t)w->cfg->batch_max - w->batch_n, max = 1;
    if (w->stage->prepare) max = room < READ_AHEAD_MAX ? room : READ_AHEAD_MAX;
    size_t n = read_ahead(w, timeout, m, max ? max : 1);
    if (w->stage->prepare && n > 1) prepare(w, m, n);
    batch_cover(w, m, n);
    int dropped = 0;
    for (size_t i = 0; i < n; i++) {
        if (!dropped && take(w, m[i])) dropped = 1;
        rd_kafka_message_destroy(m[i]);
    }
    if (!(w->batch_n || w->batch_ticks)) return;
    int idle = open && n == 0 && w->cfg->batch_close_idle;
    if (idle || time_mono_ms() >= w->batch_deadline) batch_commit(w, 1);
}

/* The transactional id names this replica of this stage; so does its group membership. */
static void replica_id(const struct worker *w, char *buf, size_t n) {
    snprintf(buf, n, "%s-%s-%s", w->cfg->group_prefix, w->stage->name, w->cfg->instance_id);
}

static int consumer_open(struct worker *w, char *err, size_t n) {
    char group[256], id[512];
    snprintf(group, sizeof group, "%s-%s", w->cfg->group_prefix, w->stage->name);
    replica_id(w, id, sizeof id);
    w->consumer = kafka_consumer_new(w->cfg->kafka_brokers, group, id, on_rebalance, w, err, n);
    if (!w->consumer) return -1;
    rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new(2);
    for (const char *const *t = w->stage->input_topics; *t; t++)
        rd_kafka_topic_partition_list_add(subs, *t, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(w->consumer, subs);
    rd_kafka_topic_partition_list_destroy(subs);
    if (e) {
        snprintf(err, n, "subscribe: %s", rd_kafka_err2str(e));
        return -1;
    }
    return 0;
}

static int worker_open(struct worker *w, char *err, size_t n) {
    char id[512];
    replica_id(w, id, sizeof id);
    w->producer = kafka_producer_new(w->cfg->kafka_brokers, w->transactional ? id : NULL,
                                     on_delivery, w, err, n);
    if (!w->producer) return -1;
    while (w->transactional && worker_running) {
        rd_kafka_error_t *e = rd_kafka_init_transactions(w->producer, 30000);
        if (!e) break;
        int retriable = rd_kafka_error_is_retriable(e);
        snprintf(err, n, "init transactions: %s", rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
        if (!retriable) return -1;
        log_warn("%s; retrying", err);
        health_heartbeat(); /* waiting for the broker is not being stuck */
        sleep_ms(1000);
    }
    return consumer_open(w, err, n);
}

/* A static member whose session timed out while the broker was away is fenced by its
 * own rejoin (librdkafka issue 3437): the consumer reports a fatal error and would read
 * nothing ever again. Only the consumer is lost, so only it is made anew, under the
 * same membership: the batch in hand is abandoned (its offsets cannot be committed by a
 * consumer that is gone) and read again from the committed offsets. Returns 0, or -1
 * when the new consumer could not be made (fatal). */
static int consumer_rejoin(struct worker *w, const char *why) {
    log_warn("consumer lost (%s); joining the group again", why);
    if (w->in_txn) txn_abort(w);
    batch_reset(w);
    rd_kafka_consumer_close(w->consumer);
    rd_kafka_destroy(w->consumer);
    w->consumer = NULL;
    char err[512];
    if (consumer_open(w, err, sizeof err) == 0) return 0;
    log_error("%s", err);
    return -1;
}

static void worker_close(struct worker *w) {
    if (w->consumer) {
        batch_commit(w, 0);
        if (w->in_txn) txn_abort(w); /* a transaction with nothing to keep */
        rd_kafka_consumer_close(w->consumer);
        rd_kafka_destroy(w->consumer);
    }
    if (w->producer) {
        if (rd_kafka_flush(w->producer, SHUTDOWN_FLUSH_MS))
            log_error("%d outputs not delivered at shutdown", rd_kafka_outq_len(w->producer));
        rd_kafka_destroy(w->producer);
    }
    if (w->first) rd_kafka_topic_partition_list_destroy(w->first);
    if (w->next) rd_kafka_topic_partition_list_destroy(w->next);
    stage_outputs_free(&w->out);
}

int worker_run(const struct settings *cfg, struct stage *stage, const struct worker_hooks *hooks) {
    struct worker w = { .cfg = cfg, .stage = stage, .transactional = cfg->transactions };
    char err[512];
    batch_reset(&w);
    health_heartbeat(); /* /healthz is served already; opening may wait for the broker */
    if (worker_open(&w, err, sizeof err)) {
        log_error("%s", err);
        w.fatal = 1;
    }
    log_info("running: reading %s, %s", stage->input_topics[0],
             w.transactional ? "transactional (exactly-once for read_committed consumers)"
                             : "at-least-once");
    while (worker_running && !w.fatal) {
        health_heartbeat();
        if (worker_reload_requested) worker_reload(hooks);
        rd_kafka_poll(w.producer, 0);
        if (stage->tick) tick(&w);
        poll_once(&w);
        if (rd_kafka_fatal_error(w.producer, err, sizeof err)) {
            log_error("producer fatal error: %s", err);
            w.fatal = 1;
        } else if (rd_kafka_fatal_error(w.consumer, err, sizeof err)) {
            if (consumer_rejoin(&w, err)) w.fatal = 1;
        }
    }
    worker_close(&w);
    log_info("stopped %s", w.fatal ? "after a fatal error" : "cleanly");
    return w.fatal ? 1 : 0;
}

int worker_wait(const struct worker_hooks *hooks) {
    while (worker_running) {
        health_heartbeat(); /* the work is on other threads; this one only waits */
        if (worker_reload_requested) worker_reload(hooks);
        nanosleep(&(struct timespec){ 0, 100 * 1000000L }, NULL);
    }
    return 0;
}
