/* What a worker's /healthz says, decided here and nowhere else.
 *
 * Three things make a worker unhealthy: its loop has not made a pass for a minute
 * (stalled), the broker is unreachable, or Redis is. Each dependency has one source of
 * truth that watches it whether or not messages are flowing, because an idle worker
 * must not report "ok" through an outage it has not tripped over yet:
 *   - Kafka: librdkafka's error callback says when every broker is down, and its
 *     statistics (every second) say when one is up again (kafka.c feeds both here);
 *   - Redis: a thread PINGs it every second (health_redis_watch_start);
 *   - the stage: the worker shell reports a stage asking to retry, with its reason.
 * The HTTP thread reads the result with health_report; everything is thread-safe.
 * Kafka's "up" comes from any client of the process, so a client that merely lost an idle
 * connection (a broker closes those after connections.max.idle.ms) reads degraded for at
 * most the second until another client's statistics show the broker up. */
#ifndef VIGILE_HEALTH_H
#define VIGILE_HEALTH_H

#include <stddef.h>

enum health_dep {
    HEALTH_KAFKA,
    HEALTH_REDIS,
    HEALTH_STAGE, /* the stage's own transient failure (a Redis refusal, say) */
    HEALTH_DEP_COUNT
};

/* The loop made a pass. Call at least every few seconds, also while waiting. */
void health_heartbeat(void);

/* Marks dep unavailable with a one-line reason (copied; "redis: Connection refused").
 * The first report of an outage is logged; repeats are not. */
void health_set_down(enum health_dep dep, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Marks dep available again (logged when it was down). */
void health_set_up(enum health_dep dep);

/* Kafka's sources, for kafka.c's callbacks: an error code from error_cb, and the
 * statistics JSON from stats_cb (borrowed). */
void health_kafka_error(int err, const char *reason);
void health_kafka_stats(const char *json, size_t len);

/* 1 while some dependency is down; for the vigile_degraded gauge. */
int health_degraded(void);

/* The /healthz answer: returns the HTTP status (200 ok; 503 degraded or stalled) and
 * puts in *body a new JSON string {"status","reason"?,"loop_age_ms"}. */
unsigned health_report(char **body);

/* Forgets every reported state; for tests. */
void health_reset(void);

struct health_watch;
/* Starts the thread that PINGs the Redis of url ("redis://host[:port][/db]") every
 * second and reports HEALTH_REDIS. Returns a new watch, or NULL with the reason in err
 * when the URL is malformed. */
struct health_watch *health_redis_watch_start(const char *url, char *err, size_t errlen);
void health_redis_watch_stop(struct health_watch *w); /* NULL-safe */

#endif
