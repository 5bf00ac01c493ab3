#include "act_queue.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "redis_conn.h"
#include "xmalloc.h"

/* A command's record outlives any redelivery of it (topics keep 7 days) with room. */
#define RECORD_TTL_S "2592000"

struct act_queue {
    struct redis_conn conn;
};

/* The scripts: each step that reads and writes the queue is one atomic script, so that
 * two replicas never take the same content and a crash leaves each command in exactly
 * one recorded state. */
static const char accept_lua[] =
    "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n"
    "redis.call('HSET', KEYS[1], 'action', ARGV[1], 'key', ARGV[2], 'order', ARGV[3],\n"
    "           'state', 'queued', 'attempts', 0, 'failures', 0)\n"
    "redis.call('EXPIRE', KEYS[1], ARGV[5])\n"
    "if redis.call('RPUSH', KEYS[2], KEYS[1]) == 1 then\n"
    "  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3]) end\n"
    "redis.call('EXPIRE', KEYS[2], ARGV[5])\n"
    "return 1\n";

/* KEYS[1] due; ARGV now, lease, order-list prefix. Heads whose record expired are
 * dropped; an empty content leaves the due set. */
static const char next_lua[] =
    "local m = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)\n"
    "if #m == 0 then return false end\n"
    "local list = ARGV[3] .. m[1]\n"
    "while true do\n"
    "  local head = redis.call('LINDEX', list, 0)\n"
    "  if not head then redis.call('ZREM', KEYS[1], m[1]) return false end\n"
    "  local h = redis.call('HMGET', head, 'action', 'key', 'state', 'attempts', 'failures')\n"
    "  if h[1] and h[3] ~= 'final' then\n"
    "    redis.call('ZADD', KEYS[1], ARGV[1] + ARGV[2], m[1])\n"
    "    return {m[1], head, h[1], h[2], h[3], h[4], h[5]}\n"
    "  end\n"
    "  redis.call('LPOP', list)\n"
    "end\n";

static const char claim_lua[] =
    "redis.call('HSET', KEYS[1], 'state', 'sending', 'sent_at', ARGV[1])\n"
    "return redis.call('HINCRBY', KEYS[1], 'attempts', 1)\n";

/* KEYS act, due; ARGV order, when, count_failure. */
static const char postpone_lua[] =
    "redis.call('HSET', KEYS[1], 'state', 'queued')\n"
    "if ARGV[3] == '1' then redis.call('HINCRBY', KEYS[1], 'failures', 1) end\n"
    "redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])\n"
    "return 1\n";

/* KEYS act, order list, due, outbox; ARGV result, now, order. */
static const char finish_lua[] =
    "redis.call('HSET', KEYS[1], 'state', 'final', 'result', ARGV[1])\n"
    "if redis.call('LINDEX', KEYS[2], 0) == KEYS[1] then redis.call('LPOP', KEYS[2]) end\n"
    "if redis.call('LLEN', KEYS[2]) > 0 then redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])\n"
    "else redis.call('ZREM', KEYS[3], ARGV[3]) end\n"
    "redis.call('ZADD', KEYS[4], 0, KEYS[1])\n"
    "return 1\n";

/* KEYS bucket; ARGV now, rate per ms, burst. Returns 0 (token taken) or ms to wait. */
static const char bucket_lua[] =
    "local b = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'rest_until')\n"
    "local now, rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])\n"
    "local rest = tonumber(b[3]) or 0\n"
    "if rest > now then return rest - now end\n"
    "local tokens = tonumber(b[1]) or burst\n"
    "local at = tonumber(b[2]) or now\n"
    "tokens = math.min(burst, tokens + (now - at) * rate)\n"
    "local wait = 0\n"
    "if tokens < 1 then wait = math.ceil((1 - tokens) / rate) else tokens = tokens - 1 end\n"
    "redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)\n"
    "redis.call('PEXPIRE', KEYS[1], 86400000)\n"
    "return wait\n";

static const char rest_lua[] =
    "local r = tonumber(redis.call('HGET', KEYS[1], 'rest_until')) or 0\n"
    "if tonumber(ARGV[1]) > r then redis.call('HSET', KEYS[1], 'rest_until', ARGV[1]) end\n"
    "redis.call('PEXPIRE', KEYS[1], 86400000 + tonumber(ARGV[1]))\n"
    "return 1\n";

/* KEYS outbox; ARGV now, lease, max. Returns key, message key, result triples. */
static const char outbox_lua[] =
    "local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])\n"
    "local out = {}\n"
    "for _, k in ipairs(ids) do\n"
    "  local h = redis.call('HMGET', k, 'key', 'result')\n"
    "  if h[1] and h[2] then\n"
    "    redis.call('ZADD', KEYS[1], ARGV[1] + ARGV[2], k)\n"
    "    out[#out + 1] = k; out[#out + 1] = h[1]; out[#out + 1] = h[2]\n"
    "  else redis.call('ZREM', KEYS[1], k) end\n"
    "end\n"
    "return out\n";

struct act_queue *act_queue_new(const char *url, char *err, size_t n) {
    struct act_queue *q = xcalloc(1, sizeof *q);
    if (redis_conn_init(&q->conn, url, err, n) == 0) return q;
    free(q);
    return NULL;
}

void act_queue_free(struct act_queue *q) {
    if (!q) return;
    redis_conn_close(&q->conn);
    free(q);
}

/* EVAL of script on nkeys keys: argv holds the keys, then the arguments. Returns the
 * reply (new), or NULL (logged) on failure. */
static redisReply *eval(struct act_queue *q, const char *what, const char *script, int nkeys,
                        const char *const *argv, int argc) {
    redisContext *rc = redis_conn_get(&q->conn);
    if (!rc) return NULL;
    const char *av[16];
    size_t al[16];
    char nk[8];
    snprintf(nk, sizeof nk, "%d", nkeys);
    av[0] = "EVAL", av[1] = script, av[2] = nk;
    for (int i = 0; i < argc; i++) av[3 + i] = argv[i];
    for (int i = 0; i < argc + 3; i++) al[i] = strlen(av[i]);
    redisReply *r = redisCommandArgv(rc, argc + 3, av, al);
    if (!r) {
        redis_conn_drop(&q->conn, what, rc->errstr);
        return NULL;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        log_error("redis: %s: %s", what, r->str);
        freeReplyObject(r);
        return NULL;
    }
    return r;
}

static long long eval_int(struct act_queue *q, const char *what, const char *script, int nkeys,
                          const char *const *argv, int argc) {
    redisReply *r = eval(q, what, script, nkeys, argv, argc);
    if (!r) return -1;
    long long v = r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
    freeReplyObject(r);
    return v;
}

int act_queue_accept(struct act_queue *q, const struct act_action *a, const char *key,
                     const char *raw, size_t len, int64_t now_ms) {
    char order[1024], now[24];
    act_action_order_key(a, order, sizeof order);
    snprintf(now, sizeof now, "%lld", (long long)now_ms);
    char *hk = xasprintf("vigile:{%s}:act:%s", a->tenant, a->action_id);
    char *ok = xasprintf("vigile:{%s}:act-order:%s", a->tenant, order);
    char *due = xasprintf("vigile:{%s}:act-due", a->tenant);
    char *copy = xstrndup(raw, len);
    const char *argv[] = { hk, ok, due, copy, key, order, now, RECORD_TTL_S };
    long long rc = eval_int(q, "accept", accept_lua, 3, argv, 8);
    free(hk), free(ok), free(due), free(copy);
    return (int)rc;
}

static char *str_at(const redisReply *r, size_t i) {
    const redisReply *e = r->element[i];
    return e->type == REDIS_REPLY_STRING ? xstrndup(e->str, e->len) : xstrdup("");
}

int act_queue_next(struct act_queue *q, const char *tenant, int64_t now_ms, int64_t lease_ms,
                   struct act_job *job) {
    char now[24], lease[24];
    snprintf(now, sizeof now, "%lld", (long long)now_ms);
    snprintf(lease, sizeof lease, "%lld", (long long)lease_ms);
    char *due = xasprintf("vigile:{%s}:act-due", tenant);
    char *prefix = xasprintf("vigile:{%s}:act-order:", tenant);
    const char *argv[] = { due, now, lease, prefix };
    redisReply *r = eval(q, "next", next_lua, 1, argv, 4);
    free(due), free(prefix);
    if (!r) return -1;
    int found = r->type == REDIS_REPLY_ARRAY && r->elements == 7;
    if (found) {
        *job = (struct act_job){
            str_at(r, 0), str_at(r, 1), str_at(r, 2), str_at(r, 3), str_at(r, 4), 0, 0
        };
        char *s = str_at(r, 5);
        job->attempts = atoi(s);
        free(s);
        s = str_at(r, 6);
        job->failures = atoi(s);
        free(s);
    }
    freeReplyObject(r);
    return found;
}

int act_queue_claim(struct act_queue *q, const struct act_job *job, int64_t now_ms) {
    char now[24];
    snprintf(now, sizeof now, "%lld", (long long)now_ms);
    const char *argv[] = { job->hash_key, now };
    return (int)eval_int(q, "claim", claim_lua, 1, argv, 2);
}

int act_queue_postpone(struct act_queue *q, const char *tenant, const struct act_job *job,
                       int64_t when_ms, int count_failure) {
    char when[24];
    snprintf(when, sizeof when, "%lld", (long long)when_ms);
    char *due = xasprintf("vigile:{%s}:act-due", tenant);
    const char *argv[] = { job->hash_key, due, job->order, when, count_failure ? "1" : "0" };
    long long rc = eval_int(q, "postpone", postpone_lua, 2, argv, 5);
    free(due);
    return rc < 0 ? -1 : 0;
}

int act_queue_finish(struct act_queue *q, const char *tenant, const struct act_job *job,
                     const char *result, int64_t now_ms) {
    char now[24];
    snprintf(now, sizeof now, "%lld", (long long)now_ms);
    char *ok = xasprintf("vigile:{%s}:act-order:%s", tenant, job->order);
    char *due = xasprintf("vigile:{%s}:act-due", tenant);
    char *box = xasprintf("vigile:{%s}:act-outbox", tenant);
    const char *argv[] = { job->hash_key, ok, due, box, result, now, job->order };
    long long rc = eval_int(q, "finish", finish_lua, 4, argv, 7);
    free(ok), free(due), free(box);
    return rc < 0 ? -1 : 0;
}

int64_t act_queue_bucket_take(struct act_queue *q, const char *tenant, enum act_platform p,
                              double rate, int burst, int64_t now_ms) {
    char now[24], per_ms[32], b[16];
    snprintf(now, sizeof now, "%lld", (long long)now_ms);
    snprintf(per_ms, sizeof per_ms, "%.9f", rate / 1000.0);
    snprintf(b, sizeof b, "%d", burst);
    char *k = xasprintf("vigile:{%s}:act-bucket:%s", tenant, act_platform_name(p));
    const char *argv[] = { k, now, per_ms, b };
    long long rc = eval_int(q, "bucket", bucket_lua, 1, argv, 4);
    free(k);
    return rc;
}

int act_queue_bucket_rest(struct act_queue *q, const char *tenant, enum act_platform p,
                          int64_t until_ms) {
    char until[24];
    snprintf(until, sizeof until, "%lld", (long long)until_ms);
    char *k = xasprintf("vigile:{%s}:act-bucket:%s", tenant, act_platform_name(p));
    const char *argv[] = { k, until };
    long long rc = eval_int(q, "bucket rest", rest_lua, 1, argv, 2);
    free(k);
    return rc < 0 ? -1 : 0;
}

int act_queue_outbox_claim(struct act_queue *q, const char *tenant, int64_t now_ms,
                           int64_t lease_ms, size_t max, struct act_outbox *box) {
    char now[24], lease[24], mx[24];
    snprintf(now, sizeof now, "%lld", (long long)now_ms);
    snprintf(lease, sizeof lease, "%lld", (long long)lease_ms);
    snprintf(mx, sizeof mx, "%zu", max);
    char *k = xasprintf("vigile:{%s}:act-outbox", tenant);
    const char *argv[] = { k, now, lease, mx };
    redisReply *r = eval(q, "outbox", outbox_lua, 1, argv, 4);
    free(k);
    if (!r) return -1;
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i + 3 <= r->elements; i += 3) {
        xgrow(&box->v, &box->cap, box->n + 1, sizeof *box->v);
        box->v[box->n++] =
            (struct act_outbox_item){ str_at(r, i), str_at(r, i + 1), str_at(r, i + 2) };
    }
    freeReplyObject(r);
    return 0;
}

/* "vigile:{t}:act:..." → the outbox of t, new. */
static char *outbox_of(const char *hash_key) {
    const char *open = strchr(hash_key, '{'), *close = open ? strchr(open, '}') : NULL;
    if (!close) return NULL;
    return xasprintf("vigile:%.*s:act-outbox", (int)(close - open + 1), open);
}

int act_queue_outbox_forget(struct act_queue *q, const struct act_outbox *box) {
    redisContext *rc = redis_conn_get(&q->conn);
    if (!rc) return -1;
    size_t sent = 0;
    for (size_t i = 0; i < box->n; i++) {
        char *k = outbox_of(box->v[i].hash_key);
        if (!k) continue;
        redisAppendCommand(rc, "ZREM %s %s", k, box->v[i].hash_key);
        free(k);
        sent++;
    }
    redisReply **rep = xcalloc(sent + 1, sizeof *rep);
    int failed = redis_conn_replies(&q->conn, rep, sent, "outbox forget");
    if (!failed) redis_replies_free(rep, sent);
    free(rep);
    return failed ? -1 : 0;
}

void act_outbox_clear(struct act_outbox *box) {
    for (size_t i = 0; i < box->n; i++) {
        free(box->v[i].hash_key);
        free(box->v[i].key);
        free(box->v[i].result);
    }
    box->n = 0;
}

void act_outbox_free(struct act_outbox *box) {
    act_outbox_clear(box);
    free(box->v);
    box->v = NULL;
    box->cap = 0;
}

void act_job_free(struct act_job *job) {
    if (!job) return;
    free(job->order);
    free(job->hash_key);
    free(job->raw);
    free(job->key);
    free(job->state);
    memset(job, 0, sizeof *job);
}
