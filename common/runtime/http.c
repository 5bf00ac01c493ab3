#include "http.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "metrics.h"
#include "xmalloc.h"

struct http_server {
    struct MHD_Daemon *daemon;
    const char *component;
};

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *type,
                             char *body) {
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", type);
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result health(struct MHD_Connection *conn) {
    char *body;
    unsigned status = health_report(&body);
    return reply(conn, status, "application/json", body);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **ptr) {
    struct http_server *srv = cls;
    (void)version, (void)upload_data, (void)upload_size, (void)ptr;
    if (strcmp(method, "GET") != 0)
        return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "application/json",
                     xstrdup("{\"error\":\"method not allowed\"}\n"));
    if (strcmp(url, "/healthz") == 0) return health(conn);
    if (strcmp(url, "/metrics") == 0)
        return reply(conn, MHD_HTTP_OK, "text/plain; version=0.0.4",
                     metrics_render(srv->component));
    return reply(conn, MHD_HTTP_NOT_FOUND, "application/json",
                 xstrdup("{\"error\":\"not found\"}\n"));
}

struct http_server *http_server_start(int port, const char *component, char *err, size_t n) {
    struct http_server *srv = xcalloc(1, sizeof *srv);
    srv->component = component;
    srv->daemon =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL,
                         NULL, on_request, srv, MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    if (!srv->daemon) {
        snprintf(err, n, "cannot serve HTTP on port %d", port);
        free(srv);
        return NULL;
    }
    return srv;
}

void http_server_stop(struct http_server *srv) {
    if (!srv) return;
    MHD_stop_daemon(srv->daemon);
    free(srv);
}
