#include "webhook_server.h"

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deadletter.h"
#include "envelope.h"
#include "ingest.h"
#include "log.h"
#include "metrics.h"
#include "pipeline_metrics.h"
#include "signature.h"
#include "timefmt.h"
#include "topics.h"
#include "xmalloc.h"

#define TELEGRAM_PREFIX "/webhooks/telegram/"
/* Longest page id a URL may carry; the config's are far shorter. */
#define PAGE_ID_MAX 128

/* The tenant set requests map pages with. Requests read it under the lock; a reload
 * swaps it. Apart from the server so that request handlers can take the lock while
 * treating the server itself as read-only. */
struct tenants_in_force {
    pthread_rwlock_t lock;
    const struct tenant_set *set;
};

struct webhook_server {
    struct MHD_Daemon *daemon;
    const struct ingest_config *cfg;
    struct tenants_in_force *tenants; /* owned */
    struct dedup *dedup;
    struct delivery *delivery;
};

/* 1 when the request is who it claims to be. */
typedef int (*auth_fn)(const struct webhook_server *srv, struct MHD_Connection *conn,
                       const char *body, size_t len);

struct route {
    const char *name; /* for logs and dead letters: "meta" */
    const char *path; /* exact, or a prefix followed by the page id */
    int prefix;
    auth_fn auth;
    ingest_parse_fn parse;
};

/* One POST in progress: its route and body, kept across MHD's calls. */
struct request {
    const struct route *route;
    char page_id[PAGE_ID_MAX + 1];
    char *body;
    size_t len, cap;
    int too_large;
};

/* An answer: status, body, and whether to say when to retry. */
struct answer {
    unsigned status;
    char *body; /* new */
    int retry;
};

static int meta_auth(const struct webhook_server *srv, struct MHD_Connection *conn,
                     const char *body, size_t len) {
    const char *sig = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Hub-Signature-256");
    return signature_meta_ok(srv->cfg->meta_app_secret, body, len, sig);
}

static int telegram_auth(const struct webhook_server *srv, struct MHD_Connection *conn,
                         const char *body, size_t len) {
    (void)body, (void)len;
    return signature_token_ok(
        srv->cfg->telegram_secret,
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Telegram-Bot-Api-Secret-Token"));
}

static int bearer_auth(const struct webhook_server *srv, struct MHD_Connection *conn,
                       const char *body, size_t len) {
    (void)body, (void)len;
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) return 0;
    return signature_token_ok(srv->cfg->generic_token, h + 7);
}

static const struct route routes[] = {
    { "meta", "/webhooks/meta", 0, meta_auth, ingest_parse_meta },
    { "telegram", TELEGRAM_PREFIX, 1, telegram_auth, ingest_parse_telegram },
    { "youtube", "/webhooks/youtube", 0, bearer_auth, ingest_parse_youtube },
    { "generic", "/webhooks/generic", 0, bearer_auth, ingest_parse_envelope },
};

static const struct route *find_route(const char *url) {
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        const struct route *r = &routes[i];
        if (r->prefix ? strncmp(url, r->path, strlen(r->path)) == 0 : strcmp(url, r->path) == 0)
            return r;
    }
    return NULL;
}

/* {"error": reason, "status": status}: docs/schemas/webhook-error.schema.json. */
static struct answer error_answer(unsigned status, const char *reason, int retry) {
    json_t *why = json_string(reason);
    if (!why) why = json_string("(reason not UTF-8)");
    json_t *doc = json_pack("{s:o, s:i}", "error", why, "status", (int)status);
    char *body = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!body) abort();
    return (struct answer){ status, body, retry };
}

static enum MHD_Result send_answer(const struct webhook_server *srv, struct MHD_Connection *conn,
                                   struct answer a, const char *type) {
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(a.body), a.body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", type);
    if (a.retry) {
        char s[16];
        snprintf(s, sizeof s, "%d", srv->cfg->retry_after_s);
        MHD_add_response_header(r, "Retry-After", s);
    }
    enum MHD_Result ret = MHD_queue_response(conn, a.status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Meta's GET: echo hub.challenge when hub.verify_token is ours, else 403. */
static struct answer meta_handshake(const struct webhook_server *srv, struct MHD_Connection *conn) {
    const char *mode = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "hub.mode");
    const char *token =
        MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "hub.verify_token");
    const char *challenge =
        MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "hub.challenge");
    if (!mode || strcmp(mode, "subscribe") != 0 || !challenge ||
        !signature_token_ok(srv->cfg->meta_verify_token, token)) {
        log_warn("meta: subscription handshake refused");
        return error_answer(MHD_HTTP_FORBIDDEN, "verify token mismatch", 0);
    }
    log_info("meta: subscription handshake accepted");
    return (struct answer){ MHD_HTTP_OK, xstrdup(challenge), 0 };
}

/* Sends the outputs and waits for the broker. Steals the values in out. states, when
 * not NULL, gets each output's delivery state. Returns 0 when all were acknowledged. */
static int deliver(const struct webhook_server *srv, struct stage_outputs *out, int *states) {
    struct delivery_batch *b = delivery_batch_new(out->n);
    int failed = 0;
    for (size_t i = 0; i < out->n; i++) {
        struct stage_output *o = &out->v[i];
        failed |= delivery_send(srv->delivery, b, i, o->topic, o->key, o->value, o->len);
        o->value = NULL; /* taken, or freed on failure */
    }
    int rc = delivery_wait(srv->delivery, b, srv->cfg->ack_timeout_ms) || failed ? -1 : 0;
    for (size_t i = 0; states && i < out->n; i++) states[i] = delivery_batch_state(b, i);
    delivery_batch_free(b);
    return rc;
}

/* A body that passed authentication but is refused: it goes to vigile.deadletter with
 * the reason before the platform hears of the refusal, so nothing is silently dropped. */
static struct answer refuse(const struct webhook_server *srv, const struct request *req,
                            unsigned status, const char *reason) {
    log_warn("%s: %u: %s", req->route->name, status, reason);
    struct deadletter_source src = { "ingest", "http", -1, -1 };
    char *why = xasprintf("%s webhook: %s", req->route->name, reason);
    struct stage_outputs out = { 0 };
    deadletter_add(&out, &src, NULL, why, req->body, req->len);
    free(why);
    int rc = deliver(srv, &out, NULL);
    stage_outputs_free(&out);
    if (rc) return error_answer(MHD_HTTP_SERVICE_UNAVAILABLE, "broker unavailable", 1);
    metrics_add(METRIC_DEADLETTERS, 1);
    pipeline_metric_deadlettered("http", reason);
    pipeline_metric_produced(TOPIC_DEADLETTER, 1);
    return error_answer(status, reason, 0);
}

/* Settles the claims of fresh[0..n) by their delivery states: acknowledged ones are
 * marked done, failed ones released for the platform's retry, and uncertain ones (still
 * in flight) keep their claim until it expires. */
static void settle(const struct webhook_server *srv, json_t *const *fresh, size_t n,
                   const int *states) {
    for (size_t i = 0; i < n; i++) {
        if (states[i] == 0) continue;
        dedup_settle(srv->dedup, envelope_str(fresh[i], "tenant"),
                     envelope_str(fresh[i], "event_id"), states[i] == 1);
    }
}

/* Is event_id already among envs[0..n)? A platform may batch one event twice. */
static int earlier_in_request(const json_t *envs, size_t n, const char *event_id) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(envelope_str(json_array_get(envs, i), "event_id"), event_id) == 0) return 1;
    return 0;
}

/* Claims, produces and settles the envelopes of one request. */
static struct answer accept_envelopes(const struct webhook_server *srv, const json_t *envs) {
    size_t n = json_array_size(envs), n_fresh = 0, dups = 0;
    json_t **fresh = xcalloc(n + 1, sizeof *fresh);
    int *states = xcalloc(n + 1, sizeof *states);
    struct answer a = { 0 };
    for (size_t i = 0; i < n && !a.body; i++) {
        json_t *env = json_array_get(envs, i);
        const char *id = envelope_str(env, "event_id");
        if (earlier_in_request(envs, i, id)) {
            dups++;
            continue;
        }
        switch (dedup_claim(srv->dedup, envelope_str(env, "tenant"), id)) {
        case DEDUP_NEW: fresh[n_fresh++] = env; break;
        case DEDUP_SEEN: dups++; break;
        case DEDUP_BUSY:
            a = error_answer(MHD_HTTP_SERVICE_UNAVAILABLE, "event being delivered", 1);
            break;
        case DEDUP_DOWN:
            a = error_answer(MHD_HTTP_SERVICE_UNAVAILABLE, "deduplication store unavailable", 1);
            break;
        }
    }
    if (a.body) { /* release what we claimed: the retry must find it free */
        for (size_t i = 0; i < n_fresh; i++) states[i] = -1;
    } else {
        struct stage_outputs out = { 0 };
        for (size_t i = 0; i < n_fresh; i++) {
            size_t len;
            char *value = envelope_dump(fresh[i], &len);
            stage_outputs_add(&out, TOPIC_INBOUND, envelope_key(fresh[i]), value, len);
        }
        int rc = deliver(srv, &out, states);
        stage_outputs_free(&out);
        if (rc) {
            a = error_answer(MHD_HTTP_SERVICE_UNAVAILABLE, "broker unavailable", 1);
        } else {
            metrics_add(METRIC_OUTPUTS, n_fresh);
            pipeline_metric_produced(TOPIC_INBOUND, n_fresh);
            a = (struct answer){
                MHD_HTTP_OK, xasprintf("{\"accepted\":%zu,\"duplicates\":%zu}\n", n_fresh, dups), 0
            };
        }
    }
    settle(srv, fresh, n_fresh, states);
    free(states);
    free(fresh);
    return a;
}

static struct answer handle(const struct webhook_server *srv, struct MHD_Connection *conn,
                            const struct request *req) {
    metrics_add(METRIC_MESSAGES_IN, 1);
    pipeline_metric_consumed("http");
    if (req->too_large)
        return error_answer(MHD_HTTP_CONTENT_TOO_LARGE, "body over the size limit", 0);
    if (!req->route->auth(srv, conn, req->body, req->len)) {
        log_warn("%s: authentication failed", req->route->name);
        return error_answer(MHD_HTTP_UNAUTHORIZED, "bad signature or token", 0);
    }
    char reason[512];
    json_t *envs = json_array();
    pthread_rwlock_rdlock(&srv->tenants->lock);
    struct ingest_request ir = { srv->tenants->set, req->body, req->len,
                                 req->page_id[0] ? req->page_id : NULL, time_now_ms() };
    enum ingest_status st = req->route->parse(&ir, envs, reason, sizeof reason);
    pthread_rwlock_unlock(&srv->tenants->lock);
    struct answer a = st == INGEST_OK ? accept_envelopes(srv, envs)
                                      : refuse(srv, req, ingest_status_http(st), reason);
    json_decref(envs);
    return a;
}

static int is_json(const char *type) {
    static const char json[] = "application/json";
    if (!type || strncasecmp(type, json, sizeof json - 1) != 0) return 0;
    char next = type[sizeof json - 1];
    return next == '\0' || next == ';' || next == ' ';
}

/* The first call for a request: route it and decide what the headers can decide. */
static enum MHD_Result begin(struct webhook_server *srv, struct MHD_Connection *conn,
                             const char *url, const char *method, void **ptr) {
    const struct route *route = find_route(url);
    const char *page = route && route->prefix ? url + strlen(route->path) : "";
    struct answer a = { 0 };
    if (!route || strlen(page) > PAGE_ID_MAX || strchr(page, '/') || (route->prefix && !*page)) {
        a = error_answer(MHD_HTTP_NOT_FOUND, "no such endpoint", 0);
    } else if (strcmp(method, "GET") == 0 && strcmp(route->name, "meta") == 0) {
        a = meta_handshake(srv, conn);
        return send_answer(srv, conn, a,
                           a.status == MHD_HTTP_OK ? "text/plain" : "application/json");
    } else if (strcmp(method, "POST") != 0) {
        a = error_answer(MHD_HTTP_METHOD_NOT_ALLOWED, "use POST", 0);
    } else if (!is_json(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type"))) {
        a = error_answer(MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json",
                         0);
    } else {
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoll(cl, NULL, 10) > srv->cfg->max_body)
            a = error_answer(MHD_HTTP_CONTENT_TOO_LARGE, "body over the size limit", 0);
    }
    if (a.body) return send_answer(srv, conn, a, "application/json");
    struct request *req = xcalloc(1, sizeof *req);
    req->route = route;
    req->cap = 1;
    req->body = xmalloc(req->cap); /* parsers and HMAC get a buffer even for no body */
    snprintf(req->page_id, sizeof req->page_id, "%s", page);
    *ptr = req;
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **ptr) {
    struct webhook_server *srv = cls;
    struct request *req = *ptr;
    (void)version;
    if (!req) return begin(srv, conn, url, method, ptr);
    if (*upload_size > 0) {
        /* Past the limit the rest is read and dropped: MHD needs it consumed. */
        if (req->too_large || req->len + *upload_size > (size_t)srv->cfg->max_body) {
            req->too_large = 1;
        } else {
            if (req->len + *upload_size > req->cap) {
                req->cap = (req->len + *upload_size) * 2;
                req->body = xrealloc(req->body, req->cap);
            }
            memcpy(req->body + req->len, upload_data, *upload_size);
            req->len += *upload_size;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    return send_answer(srv, conn, handle(srv, conn, req), "application/json");
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **ptr,
                         enum MHD_RequestTerminationCode toe) {
    (void)cls, (void)conn, (void)toe;
    struct request *req = *ptr;
    if (!req) return;
    free(req->body);
    free(req);
    *ptr = NULL;
}

struct webhook_server *webhook_server_start(const struct ingest_config *cfg,
                                            const struct tenant_set *tenants, struct dedup *dedup,
                                            struct delivery *delivery, char *err, size_t n) {
    struct webhook_server *srv = xcalloc(1, sizeof *srv);
    *srv = (struct webhook_server){ .cfg = cfg,
                                    .tenants = xcalloc(1, sizeof *srv->tenants),
                                    .dedup = dedup,
                                    .delivery = delivery };
    pthread_rwlock_init(&srv->tenants->lock, NULL);
    srv->tenants->set = tenants;
    /* A thread per connection: a request may wait seconds for the broker and must not
     * hold up the others meanwhile. */
    srv->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG,
        (uint16_t)cfg->port, NULL, NULL, on_request, srv, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        srv, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 256u, MHD_OPTION_END);
    if (!srv->daemon) {
        snprintf(err, n, "cannot serve webhooks on port %d", cfg->port);
        webhook_server_stop(srv);
        return NULL;
    }
    return srv;
}

void webhook_server_swap_tenants(struct webhook_server *srv, const struct tenant_set *tenants) {
    pthread_rwlock_wrlock(&srv->tenants->lock);
    srv->tenants->set = tenants;
    pthread_rwlock_unlock(&srv->tenants->lock);
}

void webhook_server_stop(struct webhook_server *srv) {
    if (!srv) return;
    if (srv->daemon) MHD_stop_daemon(srv->daemon);
    pthread_rwlock_destroy(&srv->tenants->lock);
    free(srv->tenants);
    free(srv);
}
