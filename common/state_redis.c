/* The Redis state store. Keys are hash-tagged by tenant, vigile:{tenant}:<kind>:<author>,
 * so one tenant's keys live on one Redis Cluster slot and tenants spread across slots.
 * Sorted sets are scored by event time with the event id as member: adding the same event
 * twice is a no-op (ZADD NX), which is what makes redelivery harmless. */
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "state.h"
#include "xmalloc.h"

struct redis_store {
    char *host;
    int port;
    int db;
    redisContext *rc; /* NULL until connected, and again after a failure */
};

static int parse_url(struct redis_store *r, const char *url, char *err, size_t n) {
    const char *p = url;
    if (strncmp(p, "redis://", 8) != 0) {
        snprintf(err, n, "VIGILE_REDIS_URL: \"%s\" does not start with redis://", url);
        return -1;
    }
    p += 8;
    const char *colon = strchr(p, ':'), *slash = strchr(p, '/');
    const char *host_end = colon ? colon : slash ? slash : p + strlen(p);
    r->host = xstrndup(p, (size_t)(host_end - p));
    r->port = colon ? atoi(colon + 1) : 6379;
    r->db = slash ? atoi(slash + 1) : 0;
    if (!*r->host || r->port <= 0 || r->port > 65535) {
        snprintf(err, n, "VIGILE_REDIS_URL: \"%s\" has no usable host and port", url);
        return -1;
    }
    return 0;
}

/* Returns a live context, connecting if needed, or NULL (logged) when Redis is down. */
static redisContext *redis_ctx(struct redis_store *r) {
    if (r->rc) return r->rc;
    struct timeval tv = { 2, 0 };
    redisContext *rc = redisConnectWithTimeout(r->host, r->port, tv);
    if (!rc || rc->err) {
        log_warn("redis %s:%d: %s", r->host, r->port, rc ? rc->errstr : "cannot allocate");
        redisFree(rc);
        return NULL;
    }
    redisSetTimeout(rc, tv);
    if (r->db) {
        redisReply *rep = redisCommand(rc, "SELECT %d", r->db);
        int ok = rep && rep->type != REDIS_REPLY_ERROR;
        freeReplyObject(rep);
        if (!ok) {
            log_warn("redis: SELECT %d failed", r->db);
            redisFree(rc);
            return NULL;
        }
    }
    r->rc = rc;
    return rc;
}

/* Drops a context after an I/O failure: hiredis contexts are unusable once in error. */
static void redis_drop(struct redis_store *r, const char *what) {
    log_warn("redis %s: %s", what, r->rc->errstr[0] ? r->rc->errstr : "no reply");
    redisFree(r->rc);
    r->rc = NULL;
}

/* Reads the replies of n pipelined commands into replies[]. Returns 0, or -1 (context
 * dropped, replies freed) on an I/O failure or a command Redis refused. */
static int read_replies(struct redis_store *r, redisReply **replies, int n, const char *what) {
    int rc = 0;
    for (int i = 0; i < n; i++) replies[i] = NULL;
    for (int i = 0; i < n; i++) {
        void *rep = NULL;
        if (redisGetReply(r->rc, &rep) != REDIS_OK) {
            redis_drop(r, what);
            rc = -1;
            break;
        }
        replies[i] = rep;
        if (replies[i]->type == REDIS_REPLY_ERROR) {
            log_error("redis %s refused: %s", what, replies[i]->str);
            rc = -1;
        }
    }
    if (rc) {
        for (int i = 0; i < n; i++) freeReplyObject(replies[i]);
    }
    return rc;
}

static void free_replies(redisReply **replies, int n) {
    for (int i = 0; i < n; i++) freeReplyObject(replies[i]);
}

static char *key(const char *tenant, const char *kind, const char *author) {
    return xasprintf("vigile:{%s}:%s:%s", tenant, kind, author);
}

static int redis_strike_add(void *impl, const char *tenant, const char *author,
                            const char *event_id, int64_t ts, int64_t window, long *count) {
    struct redis_store *r = impl;
    if (!redis_ctx(r)) return -1;
    char *k = key(tenant, "strikes", author);
    redisAppendCommand(r->rc, "ZADD %s NX %lld %s", k, (long long)ts, event_id);
    redisAppendCommand(r->rc, "ZREMRANGEBYSCORE %s -inf (%lld", k, (long long)(ts - 2 * window));
    redisAppendCommand(r->rc, "ZCOUNT %s (%lld %lld", k, (long long)(ts - window), (long long)ts);
    redisAppendCommand(r->rc, "PEXPIRE %s %lld", k, (long long)(2 * window));
    free(k);
    redisReply *rep[4];
    if (read_replies(r, rep, 4, "strike")) return -1;
    *count = (long)rep[2]->integer;
    free_replies(rep, 4);
    return 0;
}

static int redis_strike_remove(void *impl, const char *tenant, const char *author,
                               const char *event_id) {
    struct redis_store *r = impl;
    if (!redis_ctx(r)) return -1;
    char *k = key(tenant, "strikes", author);
    redisAppendCommand(r->rc, "ZREM %s %s", k, event_id);
    free(k);
    redisReply *rep[1];
    if (read_replies(r, rep, 1, "strike removal")) return -1;
    free_replies(rep, 1);
    return 0;
}

static int redis_ban_set(void *impl, const char *tenant, const char *author, int64_t until,
                         int64_t now) {
    struct redis_store *r = impl;
    if (!redis_ctx(r)) return -1;
    char *k = key(tenant, "ban", author);
    if (until <= now) redisAppendCommand(r->rc, "DEL %s", k);
    else if (until == STATE_BAN_FOREVER) redisAppendCommand(r->rc, "SET %s forever", k);
    else /* expire relative to the caller's clock, which is the event's, not Redis's */
        redisAppendCommand(r->rc, "SET %s %lld PX %lld", k, (long long)until,
                           (long long)(until - now));
    free(k);
    redisReply *rep[1];
    if (read_replies(r, rep, 1, "ban")) return -1;
    free_replies(rep, 1);
    return 0;
}

static int redis_ban_get(void *impl, const char *tenant, const char *author, int64_t now,
                         int64_t *until) {
    struct redis_store *r = impl;
    if (!redis_ctx(r)) return -1;
    char *k = key(tenant, "ban", author);
    redisAppendCommand(r->rc, "GET %s", k);
    free(k);
    redisReply *rep[1];
    if (read_replies(r, rep, 1, "ban lookup")) return -1;
    *until = 0;
    if (rep[0]->type == REDIS_REPLY_STRING) {
        int64_t u = strcmp(rep[0]->str, "forever") == 0 ? STATE_BAN_FOREVER
                                                         : strtoll(rep[0]->str, NULL, 10);
        if (u > now) *until = u;
    }
    free_replies(rep, 1);
    return 0;
}

/* Members of the recent-posts set are "<16 hex digits of fingerprint>:<event id>". */
static int redis_recent_add(void *impl, const char *tenant, const char *author,
                            const char *event_id, int64_t ts, uint64_t fp, int64_t window,
                            uint64_t *earlier, size_t max, size_t *n) {
    struct redis_store *r = impl;
    if (!redis_ctx(r)) return -1;
    char *k = key(tenant, "recent", author);
    char *member = xasprintf("%016" PRIx64 ":%s", fp, event_id);
    redisAppendCommand(r->rc, "ZADD %s NX %lld %s", k, (long long)ts, member);
    redisAppendCommand(r->rc, "ZREMRANGEBYSCORE %s -inf (%lld", k, (long long)(ts - 2 * window));
    redisAppendCommand(r->rc, "ZRANGEBYSCORE %s %lld %lld LIMIT 0 %llu", k,
                       (long long)(ts - window), (long long)ts,
                       (unsigned long long)max + 1);
    redisAppendCommand(r->rc, "PEXPIRE %s %lld", k, (long long)(2 * window));
    free(k);
    redisReply *rep[4];
    int rc = read_replies(r, rep, 4, "recent posts");
    if (rc == 0) {
        *n = 0;
        for (size_t i = 0; i < rep[2]->elements && *n < max; i++) {
            const char *m = rep[2]->element[i]->str;
            if (strcmp(m, member) == 0 || strlen(m) < 17) continue;
            earlier[(*n)++] = strtoull(m, NULL, 16);
        }
        free_replies(rep, 4);
    }
    free(member);
    return rc;
}

static int redis_record_put(void *impl, const char *tenant, const char *id, const char *value,
                            int64_t ttl_ms) {
    struct redis_store *r = impl;
    if (!redis_ctx(r)) return -1;
    char *k = key(tenant, "record", id);
    redisAppendCommand(r->rc, "SET %s %s PX %lld", k, value, (long long)ttl_ms);
    free(k);
    redisReply *rep[1];
    if (read_replies(r, rep, 1, "record")) return -1;
    free_replies(rep, 1);
    return 0;
}

static int redis_record_get(void *impl, const char *tenant, const char *id, char **value) {
    struct redis_store *r = impl;
    if (!redis_ctx(r)) return -1;
    char *k = key(tenant, "record", id);
    redisAppendCommand(r->rc, "GET %s", k);
    free(k);
    redisReply *rep[1];
    if (read_replies(r, rep, 1, "record lookup")) return -1;
    *value = rep[0]->type == REDIS_REPLY_STRING ? xstrndup(rep[0]->str, rep[0]->len) : NULL;
    free_replies(rep, 1);
    return 0;
}

static void redis_free(void *impl) {
    struct redis_store *r = impl;
    if (r->rc) redisFree(r->rc);
    free(r->host);
    free(r);
}

static const struct state_ops redis_ops = {
    redis_strike_add, redis_strike_remove, redis_ban_set,    redis_ban_get,
    redis_recent_add, redis_record_put,    redis_record_get, redis_free,
};

int state_redis_init(struct state_store *st, const char *url, char *err, size_t n) {
    struct redis_store *r = xcalloc(1, sizeof *r);
    if (parse_url(r, url, err, n)) {
        redis_free(r);
        return -1;
    }
    st->ops = &redis_ops;
    st->impl = r;
    return 0;
}
