#include "dedup.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "redis_conn.h"
#include "xmalloc.h"

#define DEDUP_DONE    "done"
#define DEDUP_PENDING "pending"

/* A webhook's answer waits on Redis: fail fast rather than hold the platform's request. */
#define DEDUP_REDIS_TIMEOUT_MS 1000

struct dedup {
    pthread_mutex_t lock; /* a hiredis context is not thread-safe */
    struct redis_conn conn;
    long ttl_s, pending_ttl_s;
};

struct dedup *dedup_new(const char *url, long ttl_s, long pending_ttl_s, char *err, size_t n) {
    struct dedup *d = xcalloc(1, sizeof *d);
    if (redis_conn_init(&d->conn, url, err, n)) {
        free(d);
        return NULL;
    }
    d->conn.timeout_ms = DEDUP_REDIS_TIMEOUT_MS;
    d->ttl_s = ttl_s;
    d->pending_ttl_s = pending_ttl_s;
    pthread_mutex_init(&d->lock, NULL);
    return d;
}

void dedup_free(struct dedup *d) {
    if (!d) return;
    redis_conn_close(&d->conn);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

/* Runs one command, connecting first if needed. Returns the reply (the caller frees
 * it), or NULL with the cause logged (redis_conn drops a failed connection). Lock held. */
static redisReply *command(struct dedup *d, const char *fmt, ...) {
    redisContext *rc = redis_conn_get(&d->conn);
    if (!rc) return NULL;
    va_list ap;
    va_start(ap, fmt);
    int queued = redisvAppendCommand(rc, fmt, ap);
    va_end(ap);
    if (queued != REDIS_OK) {
        redis_conn_drop(&d->conn, "dedup", "cannot queue the command");
        return NULL;
    }
    redisReply *rep[1];
    return redis_conn_replies(&d->conn, rep, 1, "dedup") ? NULL : rep[0];
}

enum dedup_claim dedup_claim(struct dedup *d, const char *tenant, const char *event_id) {
    pthread_mutex_lock(&d->lock);
    enum dedup_claim c = DEDUP_DOWN;
    redisReply *r = command(d, "SET vigile:{%s}:seen:%s " DEDUP_PENDING " NX EX %ld", tenant,
                            event_id, d->pending_ttl_s);
    if (r && r->type == REDIS_REPLY_STATUS) {
        c = DEDUP_NEW;
    } else if (r) { /* nil: someone has it; done or still pending? */
        freeReplyObject(r);
        r = command(d, "GET vigile:{%s}:seen:%s", tenant, event_id);
        /* Gone between the two commands means released: busy now, free for the retry. */
        if (r)
            c = r->type == REDIS_REPLY_STRING && strcmp(r->str, DEDUP_DONE) == 0 ? DEDUP_SEEN
                                                                                 : DEDUP_BUSY;
    }
    freeReplyObject(r);
    pthread_mutex_unlock(&d->lock);
    return c;
}

int dedup_settle(struct dedup *d, const char *tenant, const char *event_id, int delivered) {
    pthread_mutex_lock(&d->lock);
    redisReply *r = delivered ? command(d, "SET vigile:{%s}:seen:%s " DEDUP_DONE " EX %ld", tenant,
                                        event_id, d->ttl_s)
                              : command(d, "DEL vigile:{%s}:seen:%s", tenant, event_id);
    int rc = r ? 0 : -1;
    freeReplyObject(r);
    pthread_mutex_unlock(&d->lock);
    return rc;
}
