#include "health.h"

#include <hiredis/hiredis.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "redis_conn.h"
#include "timefmt.h"
#include "xmalloc.h"

/* The loop beats at least every poll interval; a minute of silence means it is stuck. */
#define HEALTH_STALL_MS 60000
#define REASON_MAX      256
/* How often the Redis watch PINGs, and how long one PING may take. */
#define WATCH_EVERY_MS   1000
#define WATCH_TIMEOUT_MS 1000

static _Atomic int64_t heartbeat_ms;
static _Atomic int n_down;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char reasons[HEALTH_DEP_COUNT][REASON_MAX]; /* "" while the dependency is up */

void health_heartbeat(void) { atomic_store(&heartbeat_ms, time_mono_ms()); }

void health_set_down(enum health_dep dep, const char *fmt, ...) {
    char why[REASON_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&lock);
    int was_up = reasons[dep][0] == '\0';
    snprintf(reasons[dep], sizeof reasons[dep], "%s", why[0] ? why : "unavailable");
    if (was_up) atomic_fetch_add(&n_down, 1);
    pthread_mutex_unlock(&lock);
    if (was_up) log_warn("health: degraded: %s", why);
}

void health_set_up(enum health_dep dep) {
    pthread_mutex_lock(&lock);
    int was_down = reasons[dep][0] != '\0';
    reasons[dep][0] = '\0';
    if (was_down) atomic_fetch_sub(&n_down, 1);
    pthread_mutex_unlock(&lock);
    if (was_down)
        log_info("health: %s available again", dep == HEALTH_KAFKA   ? "kafka"
                                               : dep == HEALTH_REDIS ? "redis"
                                                                     : "stage");
}

static int is_down(enum health_dep dep) {
    pthread_mutex_lock(&lock);
    int down = reasons[dep][0] != '\0';
    pthread_mutex_unlock(&lock);
    return down;
}

int health_degraded(void) { return atomic_load(&n_down) > 0; }

void health_reset(void) {
    pthread_mutex_lock(&lock);
    memset(reasons, 0, sizeof reasons);
    atomic_store(&n_down, 0);
    pthread_mutex_unlock(&lock);
    health_heartbeat();
}

/* Only "every broker is down" means the broker is unreachable: a single connection's
 * failure (__TRANSPORT) is retried on another broker, or on the same one, by librdkafka. */
void health_kafka_error(int err, const char *reason) {
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        health_set_down(HEALTH_KAFKA, "kafka: all brokers down (%s)", reason);
}

/* Any real broker (not librdkafka's internal one) in state UP means Kafka answers again.
 * A statistics report never marks Kafka down: a producer with nothing to send may have
 * no connection at all, and that is not an outage. */
void health_kafka_stats(const char *json, size_t len) {
    if (!is_down(HEALTH_KAFKA)) return; /* nothing to recover from: skip the parse */
    json_t *st = json_loadb(json, len, 0, NULL);
    json_t *brokers = json_object_get(st, "brokers");
    const char *name;
    json_t *b;
    int up = 0;
    json_object_foreach(brokers, name, b) {
        const char *source = json_string_value(json_object_get(b, "source"));
        const char *state = json_string_value(json_object_get(b, "state"));
        if (source && strcmp(source, "internal") != 0 && state && strcmp(state, "UP") == 0) up = 1;
    }
    json_decref(st);
    if (up) health_set_up(HEALTH_KAFKA);
}

/* Joins the reasons of what is down with "; " into buf. */
static void reasons_join(char *buf, size_t n) {
    size_t used = 0;
    buf[0] = '\0';
    pthread_mutex_lock(&lock);
    for (int d = 0; d < HEALTH_DEP_COUNT; d++) {
        if (!reasons[d][0] || used >= n) continue;
        used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? "; " : "", reasons[d]);
    }
    pthread_mutex_unlock(&lock);
}

unsigned health_report(char **body) {
    int64_t age = time_mono_ms() - atomic_load(&heartbeat_ms);
    char why[HEALTH_DEP_COUNT * REASON_MAX];
    reasons_join(why, sizeof why);
    int stalled = age > HEALTH_STALL_MS;
    json_t *doc = json_pack("{s:s, s:I}", "status",
                            stalled  ? "stalled"
                            : why[0] ? "degraded"
                                     : "ok",
                            "loop_age_ms", (json_int_t)age);
    /* A reason may quote a server's error text: keep the answer even if it is not UTF-8. */
    if (why[0]) {
        json_t *reason = json_string(why);
        json_object_set_new(doc, "reason", reason ? reason : json_string("(not UTF-8)"));
    }
    char *s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(doc);
    if (!s) abort();
    *body = xasprintf("%s\n", s);
    free(s);
    /* Degraded answers 503 too: a probe or balancer must see that this worker cannot do
     * its work now. The body's status tells waiting (degraded) from stuck (stalled). */
    return stalled || why[0] ? 503 : 200;
}

struct health_watch {
    struct redis_conn conn; /* only its parsed address: the watch has its own context */
    redisContext *rc;
    pthread_t thread;
    atomic_int running;
};

/* One PING; reports the outcome. Drops the context after any failure. */
static void watch_ping(struct health_watch *w) {
    struct timeval tv = { WATCH_TIMEOUT_MS / 1000, (WATCH_TIMEOUT_MS % 1000) * 1000 };
    if (!w->rc) {
        w->rc = redisConnectWithTimeout(w->conn.host, w->conn.port, tv);
        if (!w->rc || w->rc->err) {
            health_set_down(HEALTH_REDIS, "redis: %s:%d: %s", w->conn.host, w->conn.port,
                            w->rc ? w->rc->errstr : "cannot allocate");
            redisFree(w->rc);
            w->rc = NULL;
            return;
        }
        redisSetTimeout(w->rc, tv);
    }
    redisReply *r = redisCommand(w->rc, "PING");
    if (!r) {
        health_set_down(HEALTH_REDIS, "redis: %s:%d: %s", w->conn.host, w->conn.port,
                        w->rc->errstr[0] ? w->rc->errstr : "no reply");
        redisFree(w->rc);
        w->rc = NULL;
        return;
    }
    if (r->type == REDIS_REPLY_ERROR)
        health_set_down(HEALTH_REDIS, "redis: PING: %s", r->str);
    else
        health_set_up(HEALTH_REDIS);
    freeReplyObject(r);
}

static void *watch_loop(void *arg) {
    struct health_watch *w = arg;
    while (atomic_load(&w->running)) {
        watch_ping(w);
        for (int slept = 0; slept < WATCH_EVERY_MS && atomic_load(&w->running); slept += 100)
            nanosleep(&(struct timespec){ 0, 100 * 1000000L }, NULL);
    }
    return NULL;
}

struct health_watch *health_redis_watch_start(const char *url, char *err, size_t n) {
    struct health_watch *w = xcalloc(1, sizeof *w);
    if (redis_conn_init(&w->conn, url, err, n)) {
        free(w);
        return NULL;
    }
    atomic_store(&w->running, 1);
    if (pthread_create(&w->thread, NULL, watch_loop, w) != 0) abort();
    return w;
}

void health_redis_watch_stop(struct health_watch *w) {
    if (!w) return;
    atomic_store(&w->running, 0);
    pthread_join(w->thread, NULL);
    redisFree(w->rc);
    redis_conn_close(&w->conn);
    free(w);
}
