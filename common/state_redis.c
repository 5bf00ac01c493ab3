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

static int redis_strike_add(void *impl, const char *tenant, const char *author,
                            const char *event_id, int64_t ts, int64_t window, long *count) {
    struct redis_conn *c = impl;
    if (!redis_conn_get(c)) return -1;
    char *k = key(tenant, "strikes", author);
    redisAppendCommand(c->rc, "ZADD %s NX %lld %s", k, (long long)ts, event_id);
    redisAppendCommand(c->rc, "ZREMRANGEBYSCORE %s -inf (%lld", k, (long long)(ts - 2 * window));
    redisAppendCommand(c->rc, "ZCOUNT %s (%lld %lld", k, (long long)(ts - window), (long long)ts);
    redisAppendCommand(c->rc, "PEXPIRE %s %lld", k, (long long)(2 * window));
    free(k);
    redisReply *rep[4];
    if (redis_conn_replies(c, rep, 4, "strike")) return -1;
    *count = (long)rep[2]->integer;
    redis_replies_free(rep, 4);
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
    if (until <= now) redisAppendCommand(c->rc, "DEL %s", k);
    else if (until == STATE_BAN_FOREVER) redisAppendCommand(c->rc, "SET %s forever", k);
    else /* expire relative to the caller's clock, which is the event's, not Redis's */
        redisAppendCommand(c->rc, "SET %s %lld PX %lld", k, (long long)until,
                           (long long)(until - now));
    free(k);
    redisReply *rep[1];
    if (redis_conn_replies(c, rep, 1, "ban")) return -1;
    redis_replies_free(rep, 1);
    return 0;
}

static int redis_ban_get(void *impl, const char *tenant, const char *author, int64_t now,
                         int64_t *until) {
    struct redis_conn *c = impl;
    if (!redis_conn_get(c)) return -1;
    char *k = key(tenant, "ban", author);
    redisAppendCommand(c->rc, "GET %s", k);
    free(k);
    redisReply *rep[1];
    if (redis_conn_replies(c, rep, 1, "ban lookup")) return -1;
    *until = 0;
    if (rep[0]->type == REDIS_REPLY_STRING) {
        int64_t u = strcmp(rep[0]->str, "forever") == 0 ? STATE_BAN_FOREVER
                                                         : strtoll(rep[0]->str, NULL, 10);
        if (u > now) *until = u;
    }
    redis_replies_free(rep, 1);
    return 0;
}

/* Members of the recent-posts set are "<16 hex digits of fingerprint>:<event id>". */
static int redis_recent_add(void *impl, const char *tenant, const char *author,
                            const char *event_id, int64_t ts, uint64_t fp, int64_t window,
                            uint64_t *earlier, size_t max, size_t *n) {
    struct redis_conn *c = impl;
    if (!redis_conn_get(c)) return -1;
    char *k = key(tenant, "recent", author);
    char *member = xasprintf("%016" PRIx64 ":%s", fp, event_id);
    redisAppendCommand(c->rc, "ZADD %s NX %lld %s", k, (long long)ts, member);
    redisAppendCommand(c->rc, "ZREMRANGEBYSCORE %s -inf (%lld", k, (long long)(ts - 2 * window));
    redisAppendCommand(c->rc, "ZRANGEBYSCORE %s %lld %lld LIMIT 0 %llu", k,
                       (long long)(ts - window), (long long)ts,
                       (unsigned long long)max + 1);
    redisAppendCommand(c->rc, "PEXPIRE %s %lld", k, (long long)(2 * window));
    free(k);
    redisReply *rep[4];
    int rc = redis_conn_replies(c, rep, 4, "recent posts");
    if (rc == 0) {
        *n = 0;
        for (size_t i = 0; i < rep[2]->elements && *n < max; i++) {
            const char *m = rep[2]->element[i]->str;
            if (strcmp(m, member) == 0 || strlen(m) < 17) continue;
            earlier[(*n)++] = strtoull(m, NULL, 16);
        }
        redis_replies_free(rep, 4);
    }
    free(member);
    return rc;
}

static int redis_record_put(void *impl, const char *tenant, const char *id, const char *value,
                            int64_t ttl_ms) {
    struct redis_conn *c = impl;
    if (!redis_conn_get(c)) return -1;
    char *k = key(tenant, "record", id);
    redisAppendCommand(c->rc, "SET %s %s PX %lld", k, value, (long long)ttl_ms);
    free(k);
    redisReply *rep[1];
    if (redis_conn_replies(c, rep, 1, "record")) return -1;
    redis_replies_free(rep, 1);
    return 0;
}

static int redis_record_get(void *impl, const char *tenant, const char *id, char **value) {
    struct redis_conn *c = impl;
    if (!redis_conn_get(c)) return -1;
    char *k = key(tenant, "record", id);
    redisAppendCommand(c->rc, "GET %s", k);
    free(k);
    redisReply *rep[1];
    if (redis_conn_replies(c, rep, 1, "record lookup")) return -1;
    *value = rep[0]->type == REDIS_REPLY_STRING ? xstrndup(rep[0]->str, rep[0]->len) : NULL;
    redis_replies_free(rep, 1);
    return 0;
}

static void redis_free(void *impl) {
    redis_conn_close(impl);
    free(impl);
}

static const struct state_ops redis_ops = {
    redis_strike_add, redis_strike_remove, redis_ban_set,    redis_ban_get,
    redis_recent_add, redis_record_put,    redis_record_get, redis_free,
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
