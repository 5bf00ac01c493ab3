#include "dedup.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"

#define DEDUP_DONE "done"
#define DEDUP_PENDING "pending"

struct dedup {
    pthread_mutex_t lock; /* a hiredis context is not thread-safe */
    char host[256];
    int port, db;
    long ttl_s, pending_ttl_s;
    redisContext *rc;     /* NULL until connected, and again after a failure */
};

struct dedup *dedup_new(const char *url, long ttl_s, long pending_ttl_s, char *err, size_t n) {
    struct dedup *d = xcalloc(1, sizeof *d);
    d->port = 6379;
    /* redis://host, redis://host:port, redis://host:port/db */
    if (sscanf(url, "redis://%255[^:/]:%d/%d", d->host, &d->port, &d->db) < 1 ||
        d->port <= 0 || d->port > 65535) {
        snprintf(err, n, "VIGILE_REDIS_URL: \"%s\" is not redis://host[:port[/db]]", url);
        free(d);
        return NULL;
    }
    d->ttl_s = ttl_s;
    d->pending_ttl_s = pending_ttl_s;
    pthread_mutex_init(&d->lock, NULL);
    return d;
}

void dedup_free(struct dedup *d) {
    if (!d) return;
    redisFree(d->rc);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

/* Runs one command, connecting first if needed. Returns the reply (the caller frees
 * it), or NULL with the context dropped and the cause logged. Lock held. */
static redisReply *command(struct dedup *d, const char *fmt, ...) {
    struct timeval tv = { 1, 0 };
    if (!d->rc) {
        d->rc = redisConnectWithTimeout(d->host, d->port, tv);
        if (d->rc && !d->rc->err) redisSetTimeout(d->rc, tv);
        if (d->rc && !d->rc->err && d->db)
            freeReplyObject(redisCommand(d->rc, "SELECT %d", d->db));
    }
    redisReply *r = NULL;
    if (d->rc && !d->rc->err) {
        va_list ap;
        va_start(ap, fmt);
        r = redisvCommand(d->rc, fmt, ap);
        va_end(ap);
    }
    if (!r || r->type == REDIS_REPLY_ERROR) {
        log_warn("redis %s:%d: %s", d->host, d->port,
                 r ? r->str : d->rc && d->rc->errstr[0] ? d->rc->errstr : "unavailable");
        freeReplyObject(r);
        redisFree(d->rc);
        d->rc = NULL;
        return NULL;
    }
    return r;
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
    redisReply *r = delivered ? command(d, "SET vigile:{%s}:seen:%s " DEDUP_DONE " EX %ld",
                                        tenant, event_id, d->ttl_s)
                              : command(d, "DEL vigile:{%s}:seen:%s", tenant, event_id);
    int rc = r ? 0 : -1;
    freeReplyObject(r);
    pthread_mutex_unlock(&d->lock);
    return rc;
}
