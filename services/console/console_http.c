/* The console's HTTP server. The page is three static files; everything else is the
 * JSON API of console_api.c. Every answer carries a Content-Security-Policy that allows
 * only the console's own script and style (no inline code, no other origin), so that even
 * a comment's text that escaped textContent could not run. */
#include "console_worker.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "timefmt.h"

/* Larger than any form the page sends (a reply is at most a few KiB). */
#define CONSOLE_MAX_BODY (64 * 1024)

static const char csp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

struct asset {
    const char *url, *file, *type;
    char *body; /* owned */
    size_t len;
};

struct console_http {
    struct MHD_Daemon *daemon;
    const struct console_api *api;
    const char *proxy_header; /* borrowed; NULL: no proxy is trusted */
    struct asset assets[3];
};

struct upload {
    char *buf;
    size_t len, cap;
    int too_big;
};

static void secure_headers(struct MHD_Response *r, const char *type) {
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Content-Security-Policy", csp);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Cache-Control", "no-store");
}

static enum MHD_Result send_asset(struct MHD_Connection *conn, const struct asset *a) {
    struct MHD_Response *r =
        MHD_create_response_from_buffer(a->len, a->body, MHD_RESPMEM_PERSISTENT);
    secure_headers(r, a->type);
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* Steals res's strings. */
static enum MHD_Result send_api(struct MHD_Connection *conn, struct console_response *res) {
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(res->body), res->body, MHD_RESPMEM_MUST_FREE);
    res->body = NULL;
    secure_headers(r, "application/json; charset=utf-8");
    if (res->set_cookie) MHD_add_response_header(r, "Set-Cookie", res->set_cookie);
    enum MHD_Result ret = MHD_queue_response(conn, res->status, r);
    MHD_destroy_response(r);
    console_response_free(res);
    return ret;
}

static const char *query_arg(void *ctx, const char *name) {
    return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result api_call(struct console_http *srv, struct MHD_Connection *conn,
                                const char *url, const char *method, const struct upload *up) {
    struct console_response res;
    if (up && up->too_big) {
        res = (struct console_response){ 413, xstrdup("{\"error\":\"richiesta troppo grande\"}"),
                                         NULL };
        return send_api(conn, &res);
    }
    struct console_request req = {
        .method = method,
        .path = url,
        .arg = query_arg,
        .arg_ctx = conn,
        .body = up ? up->buf : NULL,
        .body_len = up ? up->len : 0,
        .session = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "vigile_session"),
        .csrf = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-CSRF-Token"),
        .proxy_user = srv->proxy_header
                          ? MHD_lookup_connection_value(conn, MHD_HEADER_KIND, srv->proxy_header)
                          : NULL,
        .now_ms = time_now_ms(),
    };
    console_api_handle(srv->api, &req, &res);
    return send_api(conn, &res);
}

/* Collects a POST body across calls; returns 1 while more is to come. */
static int collect(void **ptr, const char *data, size_t *size) {
    struct upload *up = *ptr;
    if (!up) {
        *ptr = xcalloc(1, sizeof(struct upload));
        return 1;
    }
    if (*size == 0) return 0;
    if (up->len + *size > CONSOLE_MAX_BODY)
        up->too_big = 1;
    else {
        xgrow(&up->buf, &up->cap, up->len + *size + 1, 1);
        memcpy(up->buf + up->len, data, *size);
        up->len += *size;
        up->buf[up->len] = '\0';
    }
    *size = 0;
    return 1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **ptr) {
    struct console_http *srv = cls;
    (void)version;
    if (strcmp(method, "POST") == 0 && collect(ptr, data, size)) return MHD_YES;
    if (strncmp(url, "/api/", 5) == 0) return api_call(srv, conn, url, method, *ptr);
    if (strcmp(method, "GET") == 0)
        for (size_t i = 0; i < 3; i++)
            if (strcmp(url, srv->assets[i].url) == 0 || (i == 0 && strcmp(url, "/") == 0))
                return send_asset(conn, &srv->assets[i]);
    struct console_response res = { 404, xstrdup("{\"error\":\"pagina inesistente\"}"), NULL };
    return send_api(conn, &res);
}

static void on_done(void *cls, struct MHD_Connection *conn, void **ptr,
                    enum MHD_RequestTerminationCode code) {
    struct upload *up = *ptr;
    (void)cls, (void)conn, (void)code;
    if (up) free(up->buf);
    free(up);
    *ptr = NULL;
}

static int load_assets(struct console_http *srv, const char *dir, char *err, size_t n) {
    static const struct asset list[3] = {
        { "/index.html", "index.html", "text/html; charset=utf-8", NULL, 0 },
        { "/console.css", "console.css", "text/css; charset=utf-8", NULL, 0 },
        { "/console.js", "console.js", "text/javascript; charset=utf-8", NULL, 0 },
    };
    for (size_t i = 0; i < 3; i++) {
        srv->assets[i] = list[i];
        char *path = xasprintf("%s/%s", dir, list[i].file);
        srv->assets[i].body = console_file_read(path, &srv->assets[i].len);
        if (!srv->assets[i].body) snprintf(err, n, "%s: cannot be read", path);
        free(path);
        if (!srv->assets[i].body) return -1;
    }
    return 0;
}

struct console_http *console_http_start(int port, const char *web_dir,
                                        const struct console_api *api, const char *proxy_header,
                                        char *err, size_t n) {
    struct console_http *srv = xcalloc(1, sizeof *srv);
    srv->api = api;
    srv->proxy_header = proxy_header;
    if (load_assets(srv, web_dir, err, n)) {
        console_http_stop(srv);
        return NULL;
    }
    /* One internal thread: the API's SQLite handles are used by it alone. */
    srv->daemon =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL,
                         NULL, on_request, srv, MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
                         MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    if (!srv->daemon) {
        snprintf(err, n, "cannot serve the console on port %d", port);
        console_http_stop(srv);
        return NULL;
    }
    return srv;
}

int console_http_port(const struct console_http *srv) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : -1;
}

void console_http_stop(struct console_http *srv) {
    if (!srv) return;
    if (srv->daemon) MHD_stop_daemon(srv->daemon);
    for (size_t i = 0; i < 3; i++) free(srv->assets[i].body);
    free(srv);
}
