#include "redis_conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pipeline_metrics.h"
#include "xmalloc.h"

int redis_conn_init(struct redis_conn *c, const char *url, char *err, size_t n) {
    memset(c, 0, sizeof *c);
    char host[256];
    int used = 0;
    c->port = 6379;
    c->timeout_ms = 2000;
    if (sscanf(url, "redis://%255[^:/]%n", host, &used) != 1 ||
        (url[used] == ':' && sscanf(url + used, ":%d%n", &c->port, &used) != 1) || c->port <= 0 ||
        c->port > 65535) {
        snprintf(err, n, "VIGILE_REDIS_URL: \"%s\" is not redis://host[:port][/db]", url);
        return -1;
    }
    const char *db = strchr(url + 8, '/');
    c->db = db ? atoi(db + 1) : 0;
    c->host = xstrdup(host);
    return 0;
}

void redis_conn_close(struct redis_conn *c) {
    if (c->rc) redisFree(c->rc);
    free(c->host);
    memset(c, 0, sizeof *c);
}

void redis_conn_drop(struct redis_conn *c, const char *what, const char *why) {
    log_warn("redis %s: %s", what, why);
    pipeline_metric_redis_error();
    redisFree(c->rc);
    c->rc = NULL;
}

redisContext *redis_conn_get(struct redis_conn *c) {
    if (c->rc) return c->rc;
    struct timeval tv = { c->timeout_ms / 1000, (c->timeout_ms % 1000) * 1000 };
    redisContext *rc = redisConnectWithTimeout(c->host, c->port, tv);
    if (!rc || rc->err) {
        log_warn("redis %s:%d: %s", c->host, c->port, rc ? rc->errstr : "cannot allocate");
        redisFree(rc);
        return NULL;
    }
    redisSetTimeout(rc, tv);
    c->rc = rc;
    if (c->db) {
        redisAppendCommand(rc, "SELECT %d", c->db);
        redisReply *rep[1];
        if (redis_conn_replies(c, rep, 1, "select")) {
            if (c->rc) redis_conn_drop(c, "select", "refused");
            return NULL;
        }
        redis_replies_free(rep, 1);
    }
    pipeline_metric_redis_connect(c->generation > 0);
    c->generation++;
    return c->rc;
}

int redis_conn_replies(struct redis_conn *c, redisReply **rep, size_t n, const char *what) {
    int rc = 0;
    memset(rep, 0, n * sizeof *rep);
    for (size_t i = 0; i < n && c->rc; i++) {
        void *r = NULL;
        if (redisGetReply(c->rc, &r) != REDIS_OK) {
            redis_conn_drop(c, what, c->rc->errstr[0] ? c->rc->errstr : "no reply");
            rc = -1;
            break;
        }
        rep[i] = r;
        if (rep[i]->type != REDIS_REPLY_ERROR) continue;
        rc = -1;
        if (strncmp(rep[i]->str, "NOSCRIPT", 8) == 0)
            redis_conn_drop(c, what, rep[i]->str);
        else
            log_error("redis %s refused: %s", what, rep[i]->str);
    }
    if (rc) redis_replies_free(rep, n);
    return rc;
}

void redis_replies_free(redisReply **rep, size_t n) {
    for (size_t i = 0; i < n; i++) {
        freeReplyObject(rep[i]);
        rep[i] = NULL;
    }
}
