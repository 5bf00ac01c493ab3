/* Per-author state the stages keep: recent posts (classify, for `repeated`), strikes and
 * bans (route). Two implementations share this interface: Redis for the workers, memory
 * for vigile-replay and tests.
 *
 * A stage's input may be processed more than once: a batch whose transaction aborted, a
 * worker killed mid-batch, a rebalance. What an attempt wrote to the store survives it,
 * so a read of plain state on the retry would see the attempt's own effects, and those
 * of later inputs of the same aborted batch (docs/delivery.md). Hence every answer that
 * decides something is kept per event id, written in the same atomic step as the effects
 * it caused, and a retry gets the first answer back instead of asking again: it decides
 * exactly as the first attempt did, and an aborted attempt can change no other input's
 * outcome.
 *
 * `author` is the tenant's pseudonym of the author, never the raw platform id: state at
 * rest holds no more personal data than the decisions do. Functions return 0, or -1 when
 * the store is unavailable (the caller retries the whole input later). */
#ifndef VIGILE_STATE_H
#define VIGILE_STATE_H

#include <stddef.h>
#include <stdint.h>

#define STATE_BAN_FOREVER INT64_MAX

/* How long the answers kept per event id last: longer than an input can be redelivered
 * (the work topics keep 7 days, common/topics.c). */
#define STATE_ANSWER_TTL_MS (8LL * 24 * 3600 * 1000)

/* What route reads of an author's state to decide one event. */
struct state_author_view {
    int64_t banned_until; /* end of the ban in force at the event's time, or 0 */
    long strikes_before;  /* the author's strikes of other events in (ts - window, ts] */
};

/* What route writes for one event: its strike, the ban it imposes, and the record of its
 * decision, which is also the answer a retry gets back. Strings are borrowed. */
struct state_decision {
    const char *event_id;
    int64_t ts_ms;      /* the event's time: the strike's score, the ban's start */
    int64_t window_ms;  /* the strike window, to forget strikes far outside it */
    int strike;         /* 1: count a strike for the event */
    int64_t ban_until;  /* ban from ts_ms: its end, STATE_BAN_FOREVER, or 0 for none */
    const char *record; /* JSON document kept under event_id (state_record_get) */
    int64_t record_ttl_ms;
};

/* One decision lookup of a batch (state_decision_lookup_many). Strings are borrowed. */
struct state_lookup_req {
    const char *tenant, *author, *event_id;
    int64_t ts_ms, window_ms;
};

/* One recent-posts question of a batch (state_recent_add_many). Strings are borrowed. */
struct state_recent_req {
    const char *tenant, *author, *event_id;
    int64_t ts_ms;
    uint64_t fingerprint;
    int64_t window_ms;
};

/* One decision of a batch to commit (state_decision_commit_many). Strings are borrowed. */
struct state_commit_req {
    const char *tenant, *author;
    struct state_decision d;
};

/* One record of a batch (state_record_get_many, state_record_put_many). Strings are
 * borrowed; value and ttl_ms are for a put only. */
struct state_record_req {
    const char *tenant, *id, *value;
    int64_t ttl_ms;
};

struct state_ops {
    int (*decision_lookup)(void *impl, const char *tenant, const char *author, const char *event_id,
                           int64_t ts_ms, int64_t window_ms, struct state_author_view *view,
                           char **record);
    int (*decision_lookup_many)(void *impl, const struct state_lookup_req *req, size_t n,
                                struct state_author_view *views, char **records);
    int (*decision_commit)(void *impl, const char *tenant, const char *author,
                           const struct state_decision *d, char **existing);
    int (*decision_commit_many)(void *impl, const struct state_commit_req *req, size_t n,
                                char **existing);
    int (*decision_amend)(void *impl, const char *tenant, const char *author,
                          const struct state_decision *d);
    int (*strike_remove)(void *impl, const char *tenant, const char *author, const char *event_id);
    int (*ban_set)(void *impl, const char *tenant, const char *author, int64_t until_ms,
                   int64_t now_ms);
    int (*recent_add)(void *impl, const char *tenant, const char *author, const char *event_id,
                      int64_t ts_ms, uint64_t fingerprint, int64_t window_ms, uint64_t *earlier,
                      size_t max, size_t *n_earlier);
    int (*recent_add_many)(void *impl, const struct state_recent_req *req, size_t n,
                           uint64_t *earlier, size_t max, size_t *n_earlier);
    int (*record_put)(void *impl, const char *tenant, const char *id, const char *value,
                      int64_t ttl_ms);
    int (*record_get)(void *impl, const char *tenant, const char *id, char **value);
    int (*record_put_many)(void *impl, const struct state_record_req *req, size_t n);
    int (*record_get_many)(void *impl, const struct state_record_req *req, size_t n, char **values);
    void (*free)(void *impl);
};

struct state_store {
    const struct state_ops *ops;
    void *impl;
};

/* Looks for the record of event_id's decision. When there is one, *record is set to a
 * copy (the caller frees it): the event was decided before, and must be decided again
 * from what that record says. Otherwise *record is NULL and *view holds the author's
 * state at ts_ms. */
static inline int state_decision_lookup(struct state_store *st, const char *tenant,
                                        const char *author, const char *event_id, int64_t ts_ms,
                                        int64_t window_ms, struct state_author_view *view,
                                        char **record) {
    return st->ops->decision_lookup(st->impl, tenant, author, event_id, ts_ms, window_ms, view,
                                    record);
}

/* state_decision_lookup of each of req[0..n) as one round trip where the store allows
 * it: views[i] and records[i] (a copy to free, or NULL) as the call would give them at
 * the moment of the batch. On -1 (store unavailable) nothing is to be freed. */
static inline int state_decision_lookup_many(struct state_store *st,
                                             const struct state_lookup_req *req, size_t n,
                                             struct state_author_view *views, char **records) {
    return st->ops->decision_lookup_many(st->impl, req, n, views, records);
}

/* Applies d's strike and ban and keeps its record, all in one atomic step, unless a
 * record of the event is already there (another attempt got there first, e.g. a replica
 * that lost the partition a moment ago): then nothing is written and *existing is set
 * to a copy of that record, for the caller to decide from instead. */
static inline int state_decision_commit(struct state_store *st, const char *tenant,
                                        const char *author, const struct state_decision *d,
                                        char **existing) {
    return st->ops->decision_commit(st->impl, tenant, author, d, existing);
}

/* state_decision_commit of each of req[0..n), in their order, as one round trip where the
 * store allows it; each is its own atomic step, as if committed alone. existing[i] is
 * set as state_decision_commit sets it. On -1 (store unavailable) nothing is to be freed,
 * and any of the commits may or may not have been applied: an input decided again then
 * finds the record of one that was. */
static inline int state_decision_commit_many(struct state_store *st,
                                             const struct state_commit_req *req, size_t n,
                                             char **existing) {
    return st->ops->decision_commit_many(st->impl, req, n, existing);
}

/* Applies d's strike and ban and replaces its record, all in one atomic step, whatever
 * record is there: what a person's confirmation adds to a decision already committed.
 * A strike is counted once per event id, so amending twice counts it once. */
static inline int state_decision_amend(struct state_store *st, const char *tenant,
                                       const char *author, const struct state_decision *d) {
    return st->ops->decision_amend(st->impl, tenant, author, d);
}

/* Removes the strike of event_id (an overturned decision); absent is fine. */
static inline int state_strike_remove(struct state_store *st, const char *tenant,
                                      const char *author, const char *event_id) {
    return st->ops->strike_remove(st->impl, tenant, author, event_id);
}

/* Bans the author until until_ms (STATE_BAN_FOREVER: no end); until_ms <= now lifts it. */
static inline int state_ban_set(struct state_store *st, const char *tenant, const char *author,
                                int64_t until_ms, int64_t now_ms) {
    return st->ops->ban_set(st->impl, tenant, author, until_ms, now_ms);
}

/* Remembers the fingerprint of event_id at ts_ms and returns in earlier[0..*n_earlier)
 * the fingerprints of the author's other posts in [ts_ms - window_ms, ts_ms] that were
 * remembered before it. The answer is kept with the fingerprint: asking again for the
 * same event id returns the first answer, whatever was remembered since. */
static inline int state_recent_add(struct state_store *st, const char *tenant, const char *author,
                                   const char *event_id, int64_t ts_ms, uint64_t fingerprint,
                                   int64_t window_ms, uint64_t *earlier, size_t max,
                                   size_t *n_earlier) {
    return st->ops->recent_add(st->impl, tenant, author, event_id, ts_ms, fingerprint, window_ms,
                               earlier, max, n_earlier);
}

/* state_recent_add of each of req[0..n), in order, as one round trip where the store
 * allows it: the same effects and answers as n calls. Answer i is earlier[i * max ..]
 * with n_earlier[i] fingerprints. On -1 (store unavailable) any prefix of them may have
 * taken effect, as with calls that stop at the first failure; every answer is kept per
 * event id, so asking again is harmless. */
static inline int state_recent_add_many(struct state_store *st, const struct state_recent_req *req,
                                        size_t n, uint64_t *earlier, size_t max,
                                        size_t *n_earlier) {
    return st->ops->recent_add_many(st->impl, req, n, earlier, max, n_earlier);
}

/* Keeps value (a JSON document) under id for ttl_ms, replacing what was there: what a
 * later operator event about the same decision needs to undo it. */
static inline int state_record_put(struct state_store *st, const char *tenant, const char *id,
                                   const char *value, int64_t ttl_ms) {
    return st->ops->record_put(st->impl, tenant, id, value, ttl_ms);
}

/* Sets *value to a new copy of the record under id (the caller frees it), or NULL when
 * there is none. */
static inline int state_record_get(struct state_store *st, const char *tenant, const char *id,
                                   char **value) {
    return st->ops->record_get(st->impl, tenant, id, value);
}

/* state_record_put of each of req[0..n), in order, as one round trip where the store
 * allows it. On -1 (store unavailable) any of them may or may not have been written. */
static inline int state_record_put_many(struct state_store *st, const struct state_record_req *req,
                                        size_t n) {
    return st->ops->record_put_many(st->impl, req, n);
}

/* state_record_get of each of req[0..n) as one round trip where the store allows it:
 * values[i] as the call would set it. On -1 (store unavailable) nothing is to be freed. */
static inline int state_record_get_many(struct state_store *st, const struct state_record_req *req,
                                        size_t n, char **values) {
    return st->ops->record_get_many(st->impl, req, n, values);
}

static inline void state_store_free(struct state_store *st) {
    if (st && st->ops) st->ops->free(st->impl);
    if (st) st->ops = NULL, st->impl = NULL;
}

/* An in-memory store (vigile-replay, tests). Never fails. */
void state_mem_init(struct state_store *st);

/* A Redis store on url ("redis://host:port[/db]"). Connects lazily and reconnects after a
 * failure, so a Redis outage makes calls return -1 until it is back. Returns 0, or -1
 * with the reason in err when the URL is malformed. */
int state_redis_init(struct state_store *st, const char *url, char *err, size_t errlen);

#endif
