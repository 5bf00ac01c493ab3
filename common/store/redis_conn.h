/* One Redis connection as Vigile's workers use it: parsed from VIGILE_REDIS_URL, opened
 * lazily, dropped after any I/O failure (a hiredis context in error is unusable) and
 * opened again on the next call. Callers pipeline commands on conn->rc and read the
 * replies with redis_conn_replies. Not thread-safe: one per thread. */
#ifndef VIGILE_REDIS_CONN_H
#define VIGILE_REDIS_CONN_H

#include <hiredis/hiredis.h>
#include <stddef.h>

struct redis_conn {
    char *host;
    int port;
    int db;
    /* Connect and command timeout; init sets 2000. A caller that answers a client while
     * it waits (ingest's dedup) may lower it before the first call. */
    int timeout_ms;
    redisContext *rc;    /* NULL until connected, and again after a failure */
    unsigned generation; /* counts connections made: a new one has no loaded scripts */
};

/* Parses url ("redis://host[:port][/db]") into c. Returns 0, or -1 with a message
 * naming VIGILE_REDIS_URL in err. Connects nothing. */
int redis_conn_init(struct redis_conn *c, const char *url, char *err, size_t errlen);
/* Closes the connection and frees what init allocated. */
void redis_conn_close(struct redis_conn *c);

/* Returns a live context, connecting (and selecting the db) when needed, or NULL (logged)
 * when Redis cannot be reached. Borrowed: valid until the next failure. */
redisContext *redis_conn_get(struct redis_conn *c);

/* Drops the context, logging what failed and why. */
void redis_conn_drop(struct redis_conn *c, const char *what, const char *why);

/* Reads the replies of n pipelined commands into rep. Returns 0; or -1 when the
 * connection failed (dropped) or Redis refused a command (logged; a NOSCRIPT refusal
 * also drops, so that scripts are loaded again), with every reply freed. */
int redis_conn_replies(struct redis_conn *c, redisReply **rep, size_t n, const char *what);

/* Frees n replies read by redis_conn_replies. */
void redis_replies_free(redisReply **rep, size_t n);

#endif
