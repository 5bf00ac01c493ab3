/* The Redis state store. Keys are hash-tagged by tenant, vigile:{tenant}:<kind>:<author>,
 * so one tenant's keys live on one Redis Cluster slot and tenants spread across slots.
 * Sorted sets are scored by event time with the event id as member: adding the same event
 * twice is a no-op (ZADD NX), which is what makes redelivery harmless. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis_conn.h"
#include "state.h"
#include "xmalloc.h"

static char *key(const char *tenant, const char *kind, const char *author) {
    return xasprintf("vigile:{%s}:%s:%s", tenant, kind, author);
}

/* Queues the four reads deciding an event needs. */
static void lookup_append(struct redis_conn *c, const struct state_lookup_req *q) {
    char *rk = key(q->tenant, "record", q->event_id), *bk = key(q->tenant, "ban", q->author),
         *sk = key(q->tenant, "strikes", q->author);
    redisAppendCommand(c->rc, "GET %s", rk);
    redisAppendCommand(c->rc, "GET %s", bk);
    redisAppendCommand(c->rc, "ZCOUNT %s (%lld %lld", sk, (long long)(q->ts_ms - q->window_ms),
                       (long long)q->ts_ms);
    redisAppendCommand(c->rc, "ZSCORE %s %s", sk, q->event_id);
    free(rk), free(bk), free(sk);
}

/* The view and record from lookup_append's four replies. */
static void lookup_parse(redisReply **rep, int64_t ts, struct state_author_view *view,
                         char **record) {
    *record = rep[0]->type == REDIS_REPLY_STRING ? xstrndup(rep[0]->str, rep[0]->len) : NULL;
    view->banned_until = 0;
    if (rep[1]->type == REDIS_REPLY_STRING) {
        int64_t u = strcmp(rep[1]->str, "forever") == 0 ? STATE_BAN_FOREVER
                                                        : strtoll(rep[1]->str, NULL, 10);
        if (u > ts) view->banned_until = u;
    }
    view->strikes_before = (long)rep[2]->integer - (rep[3]->type == REDIS_REPLY_STRING);
}

/* Reads what deciding events needs in one round trip. Not atomic, and it need not be:
 * redis_decision_commit checks again for the record before it writes anything. A strike
 * of this very event without a record cannot come from this version (they are written
 * together), but is not counted twice if one is there. */
static int redis_decision_lookup_many(void *impl, const struct state_lookup_req *req, size_t n,
                                      struct state_author_view *views, char **records) {
    struct redis_conn *c = impl;
    if (n == 0) return 0;
    if (!redis_conn_get(c)) return -1;
    for (size_t i = 0; i < n; i++) lookup_append(c, &req[i]);
    redisReply **rep = xcalloc(4 * n, sizeof *rep);
    int rc = redis_conn_replies(c, rep, 4 * n, "decision lookup");
    for (size_t i = 0; rc == 0 && i < n; i++)
        lookup_parse(rep + 4 * i, req[i].ts_ms, &views[i], &records[i]);
    if (rc == 0) redis_replies_free(rep, 4 * n);
    free(rep);
    return rc;
}

static int redis_decision_lookup(void *impl, const char *tenant, const char *author,
                                 const char *event_id, int64_t ts, int64_t window,
                                 struct state_author_view *view, char **record) {
    struct state_lookup_req q = { tenant, author, event_id, ts, window };
    return redis_decision_lookup_many(impl, &q, 1, view, record);
}

/* KEYS: record, strikes, ban. ARGV: record, record ttl, strike (0/1), event id, ts,
 * strikes to forget below, strikes ttl, ban ("" none, "forever", or its end), ban ttl. */
#define DECISION_EFFECTS_LUA                                                             \
    "if ARGV[3] == '1' then\n"                                                           \
    "  redis.call('ZADD', KEYS[2], 'NX', ARGV[5], ARGV[4])\n"                            \
    "  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[6])\n"                \
    "  redis.call('PEXPIRE', KEYS[2], ARGV[7])\n"                                        \
    "end\n"                                                                              \
    "if ARGV[8] == 'forever' then redis.call('SET', KEYS[3], 'forever')\n"               \
    "elseif ARGV[8] ~= '' then redis.call('SET', KEYS[3], ARGV[8], 'PX', ARGV[9]) end\n" \
    "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"

static const char decision_commit_lua[] =
    "local prior = redis.call('GET', KEYS[1])\n"
    "if prior then return prior end\n" DECISION_EFFECTS_LUA "return false\n";

static const char decision_amend_lua[] = DECISION_EFFECTS_LUA "return false\n";

/* Queues one of the scripts above for d. One script, so that the strike, the ban and the
 * record land together or not at all. EVAL rather than EVALSHA: Redis caches the
 * compiled script either way, and a plain EVAL needs no reloading after a restart or a
 * SCRIPT FLUSH. */
static void decision_append(struct redis_conn *c, const char *script, const char *tenant,
                            const char *author, const struct state_decision *d) {
    char *rk = key(tenant, "record", d->event_id), *sk = key(tenant, "strikes", author),
         *bk = key(tenant, "ban", author);
    char ban[24] = "";
    if (d->ban_until == STATE_BAN_FOREVER)
        snprintf(ban, sizeof ban, "forever");
    else if (d->ban_until > d->ts_ms)
        snprintf(ban, sizeof ban, "%lld", (long long)d->ban_until);
    /* Ban ends expire relative to the event's clock, which is the one they are read in. */
    redisAppendCommand(c->rc, "EVAL %s 3 %s %s %s %s %lld %d %s %lld %lld %lld %s %lld", script, rk,
                       sk, bk, d->record, (long long)d->record_ttl_ms, d->strike ? 1 : 0,
                       d->event_id, (long long)d->ts_ms, (long long)(d->ts_ms - 2 * d->window_ms),
                       (long long)(2 * d->window_ms), ban, (long long)(d->ban_until - d->ts_ms));
    free(rk), free(sk), free(bk);
}

/* The record decision_commit_lua answered with (a copy), or NULL when it wrote. */
static char *existing_record(const redisReply *rep) {
    return rep->type == REDIS_REPLY_STRING ? xstrndup(rep->str, rep->len) : NULL;
}

/* The commits of a batch pipelined: one round trip, each script atomic by itself, run
 * in the order given, so each sees the effects of those before it as it would alone. */
static int redis_decision_commit_many(void *impl, const struct state_commit_req *req, size_t n,
                                      char **existing) {
    struct redis_conn *c = impl;
    if (n == 0) return 0;
    if (!redis_conn_get(c)) return -1;
    for (size_t i = 0; i < n; i++)
        decision_append(c, decision_commit_lua, req[i].tenant, req[i].author, &req[i].d);
    redisReply **rep = xcalloc(n, sizeof *rep);
    int rc = redis_conn_replies(c, rep, n, "decision commit");
    for (size_t i = 0; rc == 0 && i < n; i++) existing[i] = existing_record(rep[i]);
    if (rc == 0) redis_replies_free(rep, n);
    free(rep);
    return rc;
}

static int redis_decision_commit(void *impl, const char *tenant, const char *author,
                                 const struct state_decision *d, char **existing) {
    struct state_commit_req q = { tenant, author, *d };
    return redis_decision_commit_many(impl, &q, 1, existing);
}

static int redis_decision_amend(void *impl, const char *tenant, const char *author,
                                const struct state_decision *d) {
    struct redis_conn *c = impl;
    if (!redis_conn_get(c)) return -1;
    decision_append(c, decision_amend_lua, tenant, author, d);
    redisReply *rep[1];
    if (redis_conn_replies(c, rep, 1, "decision amend")) return -1;
    redis_replies_free(rep, 1);
    return 0;
}

static int redis_strike_remove(void *impl, const char *tenant, const char *author,
                               const char *event_id) {
    struct redis_conn *c = impl;
    if (!redis_conn_get(c)) return -1;
    char *k = key(tenant, "strikes", author);
    redisAppendCommand(c->rc, "ZREM %s %s", k, event_id);
    free(k);
    redisReply *rep[1];
    if (redis_conn_replies(c, rep, 1, "strike removal")) return -1;
    redis_replies_free(rep, 1);
    return 0;
}

static int redis_ban_set(void *impl, const char *tenant, const char *author, int64_t until,
                         int64_t now) {
    struct redis_conn *c = impl;
    if (!redis_conn_get(c)) return -1;
    char *k = key(tenant, "ban", author);
    if (until <= now)
        redisAppendCommand(c->rc, "DEL %s", k);
    else if (until == STATE_BAN_FOREVER)
        redisAppendCommand(c->rc, "SET %s forever", k);
    else /* expire relative to the caller's clock, which is the event's, not Redis's */
        redisAppendCommand(c->rc, "SET %s %lld PX %lld", k, (long long)until,
                           (long long)(until - now));
    free(k);
    redisReply *rep[1];
    if (redis_conn_replies(c, rep, 1, "ban")) return -1;
    redis_replies_free(rep, 1);
    return 0;
}

/* Members of the recent-posts set are "<16 hex digits of fingerprint>:<event id>". The
 * answer, the earlier fingerprints as hex joined by commas, is kept under the event id
 * (vigile:{tenant}:recent-answer:<event id>) by the same script that adds the member.
 * KEYS: set, answer. ARGV: member, ts, window start, forget below, ttl, max, answer ttl. */
static const char recent_add_lua[] =
    "local prior = redis.call('GET', KEYS[2])\n"
    "if prior then return prior end\n"
    "local seen = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[3], ARGV[2], 'LIMIT', 0,\n"
    "                        tonumber(ARGV[6]) + 1)\n"
    "local earlier = {}\n"
    "for _, m in ipairs(seen) do\n"
    "  if m ~= ARGV[1] and #earlier < tonumber(ARGV[6]) then\n"
    "    earlier[#earlier + 1] = string.sub(m, 1, 16)\n"
    "  end\n"
    "end\n"
    "redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])\n"
    "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[4])\n"
    "redis.call('PEXPIRE', KEYS[1], ARGV[5])\n"
    "local answer = table.concat(earlier, ',')\n"
    "redis.call('SET', KEYS[2], answer, 'PX', ARGV[7])\n"
    "return answer\n";

static void parse_fingerprints(const char *s, uint64_t *earlier, size_t max, size_t *n) {
    *n = 0;
    while (*s && *n < max) {
        char *end;
        uint64_t fp = strtoull(s, &end, 16);
        if (end == s) break; /* not ours: stop rather than loop */
        earlier[(*n)++] = fp;
        s = *end == ',' ? end + 1 : end;
    }
}

/* Queues the recent-posts script of one event on the pipeline. */
static void recent_add_append(struct redis_conn *c, const struct state_recent_req *r, size_t max) {
    char *k = key(r->tenant, "recent", r->author),
         *ak = key(r->tenant, "recent-answer", r->event_id);
    char *member = xasprintf("%016" PRIx64 ":%s", r->fingerprint, r->event_id);
    redisAppendCommand(c->rc, "EVAL %s 2 %s %s %s %lld %lld %lld %lld %llu %lld", recent_add_lua, k,
                       ak, member, (long long)r->ts_ms, (long long)(r->ts_ms - r->window_ms),
                       (long long)(r->ts_ms - 2 * r->window_ms), (long long)(2 * r->window_ms),
                       (unsigned long long)max, (long long)STATE_ANSWER_TTL_MS);
    free(k), free(ak), free(member);
}

/* The scripts run one after the other in Redis, in the order sent, so each sees what
 * the ones before it added: the answers are those of n separate calls. */
static int redis_recent_add_many(void *impl, const struct state_recent_req *req, size_t n,
                                 uint64_t *earlier, size_t max, size_t *n_earlier) {
    struct redis_conn *c = impl;
    if (n == 0) return 0;
    if (!redis_conn_get(c)) return -1;
    for (size_t i = 0; i < n; i++) recent_add_append(c, &req[i], max);
    redisReply **rep = xcalloc(n, sizeof *rep);
    int rc = redis_conn_replies(c, rep, n, "recent posts");
    for (size_t i = 0; rc == 0 && i < n; i++)
        parse_fingerprints(rep[i]->type == REDIS_REPLY_STRING ? rep[i]->str : "", earlier + i * max,
                           max, &n_earlier[i]);
    if (rc == 0) redis_replies_free(rep, n);
    free(rep);
    return rc;
}

static int redis_recent_add(void *impl, const char *tenant, const char *author,
                            const char *event_id, int64_t ts, uint64_t fp, int64_t window,
                            uint64_t *earlier, size_t max, size_t *n) {
    struct state_recent_req r = { tenant, author, event_id, ts, fp, window };
    return redis_recent_add_many(impl, &r, 1, earlier, max, n);
}

static int redis_record_put_many(void *impl, const struct state_record_req *req, size_t n) {
    struct redis_conn *c = impl;
    if (n == 0) return 0;
    if (!redis_conn_get(c)) return -1;
    for (size_t i = 0; i < n; i++) {
        char *k = key(req[i].tenant, "record", req[i].id);
        redisAppendCommand(c->rc, "SET %s %s PX %lld", k, req[i].value, (long long)req[i].ttl_ms);
        free(k);
    }
    redisReply **rep = xcalloc(n, sizeof *rep);
    int rc = redis_conn_replies(c, rep, n, "record");
    if (rc == 0) redis_replies_free(rep, n);
    free(rep);
    return rc;
}

static int redis_record_put(void *impl, const char *tenant, const char *id, const char *value,
                            int64_t ttl_ms) {
    struct state_record_req r = { tenant, id, value, ttl_ms };
    return redis_record_put_many(impl, &r, 1);
}

static int redis_record_get_many(void *impl, const struct state_record_req *req, size_t n,
                                 char **values) {
    struct redis_conn *c = impl;
    if (n == 0) return 0;
    if (!redis_conn_get(c)) return -1;
    for (size_t i = 0; i < n; i++) {
        char *k = key(req[i].tenant, "record", req[i].id);
        redisAppendCommand(c->rc, "GET %s", k);
        free(k);
    }
    redisReply **rep = xcalloc(n, sizeof *rep);
    int rc = redis_conn_replies(c, rep, n, "record lookup");
    for (size_t i = 0; rc == 0 && i < n; i++)
        values[i] = rep[i]->type == REDIS_REPLY_STRING ? xstrndup(rep[i]->str, rep[i]->len) : NULL;
    if (rc == 0) redis_replies_free(rep, n);
    free(rep);
    return rc;
}

static int redis_record_get(void *impl, const char *tenant, const char *id, char **value) {
    struct state_record_req r = { tenant, id, NULL, 0 };
    return redis_record_get_many(impl, &r, 1, value);
}

static void redis_free(void *impl) {
    redis_conn_close(impl);
    free(impl);
}

static const struct state_ops redis_ops = {
    .decision_lookup = redis_decision_lookup,
    .decision_lookup_many = redis_decision_lookup_many,
    .decision_commit = redis_decision_commit,
    .decision_commit_many = redis_decision_commit_many,
    .decision_amend = redis_decision_amend,
    .strike_remove = redis_strike_remove,
    .ban_set = redis_ban_set,
    .recent_add = redis_recent_add,
    .recent_add_many = redis_recent_add_many,
    .record_put = redis_record_put,
    .record_get = redis_record_get,
    .record_put_many = redis_record_put_many,
    .record_get_many = redis_record_get_many,
    .free = redis_free,
};

int state_redis_init(struct state_store *st, const char *url, char *err, size_t n) {
    struct redis_conn *c = xmalloc(sizeof *c);
    if (redis_conn_init(c, url, err, n)) {
        free(c);
        return -1;
    }
    st->ops = &redis_ops;
    st->impl = c;
    return 0;
}
