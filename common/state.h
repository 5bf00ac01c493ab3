/* Per-author state the stages keep: recent posts (classify, for `repeated`), strikes and
 * bans (route). Two implementations share this interface: Redis for the workers, memory
 * for vigile-replay and tests. Every write is idempotent per event id, so a redelivered
 * message changes nothing (DESIGN.md, "Delivery"), and every read that decides something
 * looks only at events up to the one in hand, so a redelivery decides the same again.
 *
 * `author` is the tenant's pseudonym of the author, never the raw platform id: state at
 * rest holds no more personal data than the decisions do. Functions return 0, or -1 when
 * the store is unavailable (the caller retries the whole input later). */
#ifndef VIGILE_STATE_H
#define VIGILE_STATE_H

#include <stddef.h>
#include <stdint.h>

#define STATE_BAN_FOREVER INT64_MAX

struct state_ops {
    int (*strike_add)(void *impl, const char *tenant, const char *author, const char *event_id,
                      int64_t ts_ms, int64_t window_ms, long *count);
    int (*strike_remove)(void *impl, const char *tenant, const char *author,
                         const char *event_id);
    int (*ban_set)(void *impl, const char *tenant, const char *author, int64_t until_ms,
                   int64_t now_ms);
    int (*ban_get)(void *impl, const char *tenant, const char *author, int64_t now_ms,
                   int64_t *until_ms);
    int (*recent_add)(void *impl, const char *tenant, const char *author, const char *event_id,
                      int64_t ts_ms, uint64_t fingerprint, int64_t window_ms, uint64_t *earlier,
                      size_t max, size_t *n_earlier);
    int (*record_put)(void *impl, const char *tenant, const char *id, const char *value,
                      int64_t ttl_ms);
    int (*record_get)(void *impl, const char *tenant, const char *id, char **value);
    void (*free)(void *impl);
};

struct state_store {
    const struct state_ops *ops;
    void *impl;
};

/* Records a strike for event_id at ts_ms (a no-op if already there) and sets *count to
 * the author's strikes in (ts_ms - window_ms, ts_ms], this one included. */
static inline int state_strike_add(struct state_store *st, const char *tenant,
                                   const char *author, const char *event_id, int64_t ts_ms,
                                   int64_t window_ms, long *count) {
    return st->ops->strike_add(st->impl, tenant, author, event_id, ts_ms, window_ms, count);
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

/* Sets *until_ms to the end of the author's ban in force at now_ms, or 0 if none. */
static inline int state_ban_get(struct state_store *st, const char *tenant, const char *author,
                                int64_t now_ms, int64_t *until_ms) {
    return st->ops->ban_get(st->impl, tenant, author, now_ms, until_ms);
}

/* Remembers the fingerprint of event_id at ts_ms and returns in earlier[0..*n_earlier)
 * the fingerprints of the author's other posts in [ts_ms - window_ms, ts_ms]. */
static inline int state_recent_add(struct state_store *st, const char *tenant,
                                   const char *author, const char *event_id, int64_t ts_ms,
                                   uint64_t fingerprint, int64_t window_ms, uint64_t *earlier,
                                   size_t max, size_t *n_earlier) {
    return st->ops->recent_add(st->impl, tenant, author, event_id, ts_ms, fingerprint,
                               window_ms, earlier, max, n_earlier);
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
