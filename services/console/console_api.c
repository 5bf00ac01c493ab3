/* The JSON API the page calls. Each call goes through the same three gates, in order:
 * a live session (except login), the CSRF token on every POST, and a role on the tenant
 * it names; the queries then filter by that tenant, and an action is accepted only on a
 * decision or ticket the tenant owns. Error texts are Italian: the page shows them. */
#include "console.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "op_event.h"

struct call {
    const struct console_api *api;
    const struct console_request *req;
    struct console_response *res;
    json_t *body; /* parsed POST body, or NULL */
    char *user;   /* the session's operator */
    char csrf[65];
};

/* Steals doc. */
static void respond(struct call *c, unsigned status, json_t *doc) {
    c->res->status = status;
    c->res->body = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
}

static void fail(struct call *c, unsigned status, const char *message) {
    respond(c, status, json_pack("{s:s}", "error", message));
}

/* A parameter: from the query string of a GET, from the JSON body of a POST. */
static const char *param(const struct call *c, const char *name) {
    if (c->body) return json_string_value(json_object_get(c->body, name));
    return c->req->arg ? c->req->arg(c->req->arg_ctx, name) : NULL;
}

/* The tenant the call names, if the operator has at least `need` on it; otherwise the
 * answer is written and NULL returned. */
static const char *tenant_or_fail(struct call *c, enum console_role need) {
    const char *tenant = param(c, "tenant");
    if (!tenant || !tenant_set_find(c->api->tenants, tenant)) {
        fail(c, 400, "comune mancante o sconosciuto");
        return NULL;
    }
    enum console_role role = console_user_role(c->api->accounts, c->user, tenant);
    if (role < need || role == ROLE_NONE) {
        fail(c, 403, "non hai un ruolo su questo comune per questa operazione");
        return NULL;
    }
    return tenant;
}

static void session_doc(struct call *c) {
    respond(c, 200,
            json_pack("{s:s, s:s, s:o}", "user", c->user, "csrf", c->csrf, "tenants",
                      console_user_tenants(c->api->accounts, c->user, c->api->tenants)));
}

/* The session cookie: never readable by scripts, never sent by another site. */
static void session_cookie(struct call *c, const char *token) {
    c->res->set_cookie = xasprintf("vigile_session=%s; Path=/; HttpOnly; Secure; "
                                   "SameSite=Strict; Max-Age=%lld",
                                   token, (long long)(CONSOLE_SESSION_MS / 1000));
}

static void login(struct call *c) {
    const char *name = param(c, "user"), *password = param(c, "password");
    if (!name || !password) return fail(c, 400, "nome utente e password richiesti");
    char token[65];
    switch (console_login(c->api->accounts, name, password, c->req->now_ms, token, c->csrf)) {
    case LOGIN_LIMITED: return fail(c, 429, "troppi tentativi: riprova tra 15 minuti");
    case LOGIN_BAD: return fail(c, 401, "nome utente o password errati");
    case LOGIN_OK: break;
    }
    session_cookie(c, token);
    c->user = xstrdup(name);
    session_doc(c);
}

static void logout(struct call *c) {
    console_logout(c->api->accounts, c->req->session);
    c->res->set_cookie = xstrdup("vigile_session=; Path=/; HttpOnly; Secure; SameSite=Strict; "
                                 "Max-Age=0");
    respond(c, 200, json_pack("{s:b}", "ok", 1));
}

/* Found or 404: a NULL doc means the tenant has no such thing (or the query failed). */
static void answer(struct call *c, json_t *doc) {
    if (doc)
        respond(c, 200, doc);
    else
        fail(c, 404, "non trovato per questo comune");
}

static void templates(struct call *c, const char *tenant) {
    const struct tenant *t = tenant_set_find(c->api->tenants, tenant);
    const json_t *all = json_object_get(tenant_document(t), "templates");
    struct tenant_render_vars vars = { .office = param(c, "office") };
    json_t *out = json_array();
    const char *id;
    const json_t *tpl;
    json_object_foreach((json_t *)all, id, tpl) {
        /* Templates citing a category or a section are statements of reasons, written
         * by route; the rest are answers a person may send to a citizen. */
        const char *raw = json_string_value(json_object_get(tpl, "text"));
        if (!raw || strstr(raw, "{categoria}") || strstr(raw, "{sezione}")) continue;
        char *text = tenant_render(t, id, &vars);
        if (!text) continue;
        json_array_append_new(out, json_pack("{s:s, s:s}", "id", id, "text", text));
        free(text);
    }
    respond(c, 200, json_pack("{s:o}", "templates", out));
}

/* Sends the operator event as vigile-op would; route and sla do the rest. */
static void action(struct call *c, const char *tenant) {
    struct op_request op = { .type = param(c, "type"),
                             .tenant = tenant,
                             .decision = param(c, "decision_id"),
                             .ticket = param(c, "ticket_id"),
                             .op_name = c->user,
                             .note = param(c, "note") };
    if (!op.type) return fail(c, 400, "tipo di azione mancante");
    if ((op.decision && !console_query_owns(c->api->read, tenant, "decision", op.decision)) ||
        (op.ticket && !console_query_owns(c->api->read, tenant, "ticket", op.ticket)))
        return fail(c, 404, "decisione o ticket non trovati per questo comune");
    if (strcmp(op.type, "reply") == 0 && (!op.note || !*op.note))
        return fail(c, 400, "il testo della risposta è vuoto");
    char err[256];
    json_t *ev = op_event_build(&op, c->req->now_ms, err, sizeof err);
    if (!ev) return fail(c, 400, err);
    char *key = op_event_key(&op), *value = json_dumps(ev, JSON_COMPACT);
    int rc = c->api->emit(c->api->emit_ctx, key, value, strlen(value));
    free(key);
    free(value);
    if (rc) {
        json_decref(ev);
        return fail(c, 503, "il broker non ha confermato l'azione: riprova");
    }
    respond(c, 202, json_pack("{s:o}", "event", ev));
}

static void check(struct call *c, const char *tenant) {
    const char *text = param(c, "text");
    if (!text || !*text) return fail(c, 400, "il testo della bozza è vuoto");
    if (!c->api->checker) return fail(c, 503, "la verifica delle bozze non è disponibile");
    char err[256];
    json_t *doc = console_check_draft(c->api->checker, tenant_set_find(c->api->tenants, tenant),
                                      text, c->req->now_ms, err, sizeof err);
    if (doc)
        respond(c, 200, doc);
    else
        fail(c, 400, err);
}

static void tenant_call(struct call *c, const char *path) {
    int audit = strcmp(path, "/api/audit") == 0;
    const char *tenant = tenant_or_fail(c, audit ? ROLE_SUPERVISOR : ROLE_MODERATOR);
    if (!tenant) return;
    sqlite3 *db = c->api->read;
    const char *id = param(c, "id");
    if (strcmp(path, "/api/queue") == 0)
        answer(c, console_query_queue(db, tenant, c->req->now_ms));
    else if (strcmp(path, "/api/decision") == 0)
        answer(c, id ? console_query_decision(db, tenant, id) : NULL);
    else if (strcmp(path, "/api/author") == 0)
        answer(c, id ? console_query_author(db, tenant, id) : NULL);
    else if (strcmp(path, "/api/days") == 0)
        answer(c, console_query_days(db, tenant, c->req->now_ms));
    else if (audit)
        answer(c, json_pack("{s:o*}", "actions", console_query_audit(db, tenant, 500)));
    else if (strcmp(path, "/api/templates") == 0)
        templates(c, tenant);
    else if (strcmp(path, "/api/action") == 0 && c->body)
        action(c, tenant);
    else if (strcmp(path, "/api/check") == 0 && c->body)
        check(c, tenant);
    else
        fail(c, 404, "operazione sconosciuta");
}

/* The session behind the cookie, and for a POST its CSRF token; else the answer is
 * written and -1 returned. */
/* A trusted proxy's user gets a session, hence a cookie and a CSRF token, like anyone
 * who logged in: the page then works the same, CSRF checks included. */
static void proxy_session(struct call *c) {
    char token[65];
    const char *name = c->req->proxy_user;
    if (!name || console_session_open(c->api->accounts, name, c->req->now_ms, token, c->csrf))
        return;
    c->user = xstrdup(name);
    session_cookie(c, token);
}

static int session_or_fail(struct call *c) {
    if (c->req->session)
        c->user = console_session_user(c->api->accounts, c->req->session, c->req->now_ms, c->csrf);
    if (c->user && c->req->proxy_user && strcmp(c->user, c->req->proxy_user) != 0) {
        free(c->user); /* the proxy now vouches for someone else */
        c->user = NULL;
    }
    if (!c->user) proxy_session(c);
    if (!c->user) {
        fail(c, 401, "sessione scaduta: accedi di nuovo");
        return -1;
    }
    if (c->body && (!c->req->csrf || strlen(c->req->csrf) != 64 ||
                    sodium_memcmp(c->req->csrf, c->csrf, 64) != 0)) {
        fail(c, 403, "token CSRF mancante o errato");
        return -1;
    }
    return 0;
}

static int parse_body(struct call *c) {
    if (strcmp(c->req->method, "POST") != 0) return 0;
    c->body = json_loadb(c->req->body ? c->req->body : "", c->req->body_len, 0, NULL);
    if (json_is_object(c->body)) return 0;
    fail(c, 400, "il corpo della richiesta non è un oggetto JSON");
    return -1;
}

void console_api_handle(const struct console_api *api, const struct console_request *req,
                        struct console_response *res) {
    struct call c = { .api = api, .req = req, .res = res };
    memset(res, 0, sizeof *res);
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "POST") != 0)
        fail(&c, 405, "metodo non ammesso");
    else if (parse_body(&c) == 0) {
        if (strcmp(req->path, "/api/login") == 0 && c.body)
            login(&c);
        else if (session_or_fail(&c) == 0) {
            if (strcmp(req->path, "/api/session") == 0)
                session_doc(&c);
            else if (strcmp(req->path, "/api/logout") == 0 && c.body)
                logout(&c);
            else
                tenant_call(&c, req->path);
        }
    }
    json_decref(c.body);
    free(c.user);
}

void console_response_free(struct console_response *res) {
    free(res->body);
    free(res->set_cookie);
    res->body = res->set_cookie = NULL;
}
