/* vigile-console's I/O: the HTTP server of the page and the API (libmicrohttpd), and the
 * feed that reads the topics into the read model. console.h is the logic they drive. */
#ifndef VIGILE_CONSOLE_WORKER_H
#define VIGILE_CONSOLE_WORKER_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

#include "console.h"
#include "worker.h"

struct console_http;

/* Serves web_dir's page (index.html, console.css, console.js, read once here) and the API
 * on port (0.0.0.0; 0 picks a free port, see console_http_port). api is borrowed and must
 * outlive the server; its handles are used from the server's one thread only.
 * proxy_header (borrowed, may be NULL) names the header in which a trusted reverse proxy
 * passes the user it authenticated. Returns NULL with the reason in err. */
struct console_http *console_http_start(int port, const char *web_dir,
                                        const struct console_api *api, const char *proxy_header,
                                        char *err, size_t errlen);
int console_http_port(const struct console_http *srv);
void console_http_stop(struct console_http *srv); /* NULL-safe */

/* Reads vigile.decisions, .escalations, .sla and .operator (every partition, read_committed)
 * from the offsets recorded in st, until worker_running is cleared; after SIGHUP it calls
 * hooks->reload between two inputs (hooks may be NULL). Bad input is sent to
 * vigile.deadletter through producer (borrowed) before its offset is recorded. Returns
 * the exit code: 0 on a clean stop, 1 when SQLite or Kafka failed for good. */
int console_feed_run(struct console_store *st, const char *brokers, const char *group,
                     rd_kafka_t *producer, const struct worker_hooks *hooks);

/* An emit function (console_emit_fn) producing to vigile.operator through ctx, an
 * rd_kafka_t producer, and waiting up to 10 s for the acknowledgement. */
int console_emit_kafka(void *ctx, const char *key, const char *value, size_t len);

#endif
