/* The operational HTTP endpoint every worker serves: /healthz and Prometheus /metrics.
 * libmicrohttpd runs it on its own thread; it only reads metrics.c and health.c. */
#ifndef VIGILE_HTTP_H
#define VIGILE_HTTP_H

#include <stddef.h>

struct http_server;

/* Starts serving on 0.0.0.0:port. component is borrowed (a literal). Returns NULL with
 * the reason in err when the port cannot be bound. */
struct http_server *http_server_start(int port, const char *component, char *err, size_t errlen);
void http_server_stop(struct http_server *srv); /* NULL-safe */

#endif
