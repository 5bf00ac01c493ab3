/* The console's JSON API in-process (services/console/console_api.c), with operator events
 * written to vigile.operator on the real broker: sessions and their cookie, CSRF, the
 * login limit, and every call tried with another tenant's name and ids. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "console_worker.h"
#include "kafka.h"
#include "kafka_util.h"
#include "timefmt.h"
#include "topics.h"

static struct tenant_set *tenants;
static struct console_store *st;
static sqlite3 *accounts;
static rd_kafka_t *producer;
static struct console_api api;
static char dir[64], run_id[40];
static int64_t offset;

static void seed(const char *topic, json_t *doc) {
    char *text = json_dumps(doc, JSON_COMPACT), reason[256];
    json_decref(doc);
    cr_assert_eq(
        console_store_apply(st, topic, 0, offset++, text, strlen(text), reason, sizeof reason),
        CONSOLE_APPLIED, "%s", reason);
    free(text);
}

static void seed_tenant(const char *tenant) {
    char id[96], ticket[112];
    snprintf(id, sizeof id, "%s-%s", run_id, tenant);
    snprintf(ticket, sizeof ticket, "%s:urp", id);
    // clang-format off
    seed(TOPIC_DECISIONS, json_pack("{s:s, s:s, s:i, s:s, s:s, s:b, s:s, s:s, s:{s:s, s:i},"
                                    " s:[{s:s, s:[]}], s:s}", "tenant", tenant, "decision_id", id,
                                    "revision", 1, "status", "automated", "action", "hide",
                                    "needs_review", 1, "author", "p_same", "decided_at",
                                    "2026-11-20T10:00:00Z", "enforcement", "step", "warn",
                                    "strikes", 1, "categories", "category", "insult", "spans",
                                    "redacted_text", "<script>alert(1)</script>"));
    // clang-format on
    seed(TOPIC_ESCALATIONS,
         json_pack("{s:s, s:s, s:s, s:s, s:s}", "tenant", tenant, "ticket_id", ticket,
                   "decision_id", id, "office", "urp", "received_at", "2026-11-20T10:00:00Z"));
}

static void setup(void) {
    char err[4096], path[128];
    snprintf(run_id, sizeof run_id, "api-%d-%lld", (int)getpid(), (long long)time_now_ms());
    tenants = tenant_set_load(SOURCE_DIR "/config", err, sizeof err);
    cr_assert(tenants, "%s", err);
    snprintf(dir, sizeof dir, "/tmp/test-console-api-XXXXXX");
    cr_assert(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/read.db", dir);
    st = console_store_open(path, tenants, err, sizeof err);
    snprintf(path, sizeof path, "%s/accounts.db", dir);
    accounts = console_accounts_open(path, err, sizeof err);
    cr_assert(st && accounts, "%s", err);
    cr_assert_eq(console_user_set_password(accounts, "mario", "password-di-mario", 1, err, 256), 0);
    cr_assert_eq(console_user_grant(accounts, "mario", "lecce", ROLE_MODERATOR, err, 256), 0);
    cr_assert_eq(console_user_set_password(accounts, "anna", "password-di-anna", 1, err, 256), 0);
    cr_assert_eq(console_user_grant(accounts, "anna", "arese", ROLE_SUPERVISOR, err, 256), 0);
    seed_tenant("lecce");
    seed_tenant("arese");
    const char *topics[] = { TOPIC_OPERATOR, NULL };
    test_create_topics(topics);
    producer = kafka_producer_new(test_brokers(), NULL, NULL, NULL, err, sizeof err);
    cr_assert(producer, "%s", err);
    api = (struct console_api){ console_store_db(st), accounts, tenants,
                                console_emit_kafka,   producer, NULL };
}

static void teardown(void) {
    rd_kafka_destroy(producer);
    console_db_close(accounts);
    console_store_close(st);
    tenant_set_free(tenants);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(console_api, .init = setup, .fini = teardown, .timeout = 120);

/* Query arguments of a GET as "name=value" strings, NULL-terminated. */
static const char *arg_of(void *ctx, const char *name) {
    for (const char *const *a = ctx; *a; a++) {
        size_t n = strlen(name);
        if (strncmp(*a, name, n) == 0 && (*a)[n] == '=') return *a + n + 1;
    }
    return NULL;
}

static const char *proxy_user; /* what a trusted proxy's header says, for call() */

struct session {
    char token[65], csrf[65];
};

/* One call; body (stolen, may be NULL) makes it a POST. Returns the parsed answer. */
static json_t *call(const struct session *s, const char *path, const char *const *args,
                    json_t *body, const char *csrf, unsigned *status,
                    struct console_response *keep) {
    static const char *none[] = { NULL };
    char *text = body ? json_dumps(body, 0) : NULL;
    json_decref(body);
    struct console_request req = { body ? "POST" : "GET",
                                   path,
                                   arg_of,
                                   (void *)(args ? args : none),
                                   text,
                                   text ? strlen(text) : 0,
                                   s ? s->token : NULL,
                                   csrf,
                                   proxy_user,
                                   time_now_ms() };
    struct console_response res;
    console_api_handle(&api, &req, &res);
    free(text);
    *status = res.status;
    json_t *doc = json_loads(res.body, 0, NULL);
    cr_assert(doc, "not JSON: %s", res.body);
    if (keep)
        *keep = res;
    else
        console_response_free(&res);
    return doc;
}

static struct session login(const char *user, const char *password) {
    struct session s = { 0 };
    unsigned status;
    struct console_response res;
    json_t *doc =
        call(NULL, "/api/login", NULL, json_pack("{s:s, s:s}", "user", user, "password", password),
             NULL, &status, &res);
    cr_assert_eq(status, 200, "%s", res.body);
    cr_assert(res.set_cookie);
    cr_expect(strstr(res.set_cookie, "HttpOnly") && strstr(res.set_cookie, "Secure") &&
                  strstr(res.set_cookie, "SameSite=Strict"),
              "%s", res.set_cookie);
    cr_assert_eq(sscanf(res.set_cookie, "vigile_session=%64[0-9a-f]", s.token), 1);
    snprintf(s.csrf, sizeof s.csrf, "%s", json_string_value(json_object_get(doc, "csrf")));
    console_response_free(&res);
    json_decref(doc);
    return s;
}

static unsigned status_of(const struct session *s, const char *path, const char *const *args,
                          json_t *body, const char *csrf) {
    unsigned status;
    json_decref(call(s, path, args, body, csrf, &status, NULL));
    return status;
}

static json_t *action_body(const char *tenant, const char *type, const char *key, const char *id) {
    return json_pack("{s:s, s:s, s:s}", "tenant", tenant, "type", type, key, id);
}

Test(console_api, a_session_is_needed_and_names_its_tenants) {
    cr_expect_eq(
        status_of(NULL, "/api/queue", (const char *[]){ "tenant=lecce", NULL }, NULL, NULL), 401);
    cr_expect_eq(status_of(NULL, "/api/login", NULL,
                           json_pack("{s:s, s:s}", "user", "mario", "password", "sbagliata"), NULL),
                 401);
    struct session s = login("mario", "password-di-mario");
    unsigned status;
    json_t *doc = call(&s, "/api/session", NULL, NULL, NULL, &status, NULL);
    cr_expect_eq(status, 200);
    json_t *ts = json_object_get(doc, "tenants");
    cr_assert_eq(json_array_size(ts), 1);
    cr_expect_str_eq(json_string_value(json_object_get(json_array_get(ts, 0), "id")), "lecce");
    json_decref(doc);
    doc =
        call(&s, "/api/queue", (const char *[]){ "tenant=lecce", NULL }, NULL, NULL, &status, NULL);
    cr_expect_eq(status, 200);
    cr_expect_eq(json_array_size(json_object_get(doc, "items")), 1, "lecce's ticket only");
    json_decref(doc);
}

Test(console_api, a_post_without_the_csrf_token_is_refused) {
    struct session s = login("mario", "password-di-mario");
    char ticket[128];
    snprintf(ticket, sizeof ticket, "%s-lecce:urp", run_id);
    cr_expect_eq(
        status_of(&s, "/api/action", NULL, action_body("lecce", "ack", "ticket_id", ticket), NULL),
        403);
    char forged[65];
    memset(forged, 'a', 64);
    forged[64] = '\0';
    cr_expect_eq(status_of(&s, "/api/action", NULL,
                           action_body("lecce", "ack", "ticket_id", ticket), forged),
                 403);
    cr_expect_eq(status_of(&s, "/api/logout", NULL, json_object(), NULL), 403);
}

Test(console_api, every_call_is_refused_with_another_tenants_name_or_ids) {
    struct session s = login("mario", "password-di-mario");
    char dec[112], ticket[128];
    snprintf(dec, sizeof dec, "id=%s-arese", run_id);
    snprintf(ticket, sizeof ticket, "%s-arese:urp", run_id);
    const char *paths[] = { "/api/queue", "/api/decision",  "/api/author",
                            "/api/days",  "/api/templates", "/api/audit" };
    for (size_t i = 0; i < 6; i++) {
        const char *other[] = { "tenant=arese", dec, NULL }, *own[] = { "tenant=lecce", dec, NULL };
        cr_expect_eq(status_of(&s, paths[i], other, NULL, NULL), 403, "%s", paths[i]);
        if (i == 1) cr_expect_eq(status_of(&s, paths[i], own, NULL, NULL), 404, "arese's id");
    }
    const char *types[] = { "ack", "reply", "resolve", "confirm", "overturn" };
    for (size_t i = 0; i < 5; i++) {
        const char *key = i < 3 ? "ticket_id" : "decision_id", *id = i < 3 ? ticket : dec + 3;
        json_t *b = action_body("arese", types[i], key, id);
        cr_expect_eq(status_of(&s, "/api/action", NULL, b, s.csrf), 403, "%s", types[i]);
        b = action_body("lecce", types[i], key, id);
        json_object_set_new(b, "note", json_string("testo"));
        cr_expect_eq(status_of(&s, "/api/action", NULL, b, s.csrf), 404, "%s on arese's id",
                     types[i]);
    }
}

struct wanted {
    const char *event_id;
};

static int has_event(const struct test_message *m, void *arg) {
    const struct wanted *w = arg;
    return strstr(m->value, w->event_id) != NULL;
}

Test(console_api, an_action_is_written_to_vigile_operator_as_vigile_op_writes_it) {
    struct session s = login("mario", "password-di-mario");
    char ticket[128], key[160];
    snprintf(ticket, sizeof ticket, "%s-lecce:urp", run_id);
    json_t *b = action_body("lecce", "reply", "ticket_id", ticket);
    json_object_set_new(b, "note", json_string("Buongiorno, la biblioteca riapre lunedì."));
    unsigned status;
    json_t *doc = call(&s, "/api/action", NULL, b, s.csrf, &status, NULL);
    cr_assert_eq(status, 202);
    const json_t *ev = json_object_get(doc, "event");
    struct wanted w = { json_string_value(json_object_get(ev, "event_id")) };
    cr_assert(w.event_id);
    struct test_message *msgs;
    size_t n = test_consume(TOPIC_OPERATOR, has_event, &w, 1, 20000, 500, &msgs);
    cr_assert_eq(n, 1, "the event is on vigile.operator once");
    snprintf(key, sizeof key, "lecce|%s", ticket);
    cr_expect_str_eq(msgs[0].key, key);
    json_t *got = json_loads(msgs[0].value, 0, NULL);
    cr_assert(got);
    cr_expect_str_eq(json_string_value(json_object_get(got, "type")), "reply");
    cr_expect_str_eq(json_string_value(json_object_get(got, "operator")), "mario");
    cr_expect_str_eq(json_string_value(json_object_get(got, "ticket_id")), ticket);
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(got, "schema"), "name")),
                     "vigile.operator");
    cr_expect(json_equal(got, (json_t *)ev), "what was acknowledged is what the page was told");
    test_save_messages("console-operator", msgs, n);
    json_decref(got);
    json_decref(doc);
    test_messages_free(msgs, n);
}

Test(console_api, the_audit_log_needs_a_supervisor) {
    struct session mario = login("mario", "password-di-mario"),
                   anna = login("anna", "password-di-anna");
    cr_expect_eq(
        status_of(&mario, "/api/audit", (const char *[]){ "tenant=lecce", NULL }, NULL, NULL), 403);
    cr_expect_eq(
        status_of(&anna, "/api/audit", (const char *[]){ "tenant=arese", NULL }, NULL, NULL), 200);
}

Test(console_api, logins_are_limited_after_repeated_failures) {
    json_t *bad = json_pack("{s:s, s:s}", "user", "mario", "password", "sbagliata");
    for (int i = 0; i < CONSOLE_LOGIN_MAX_FAILURES; i++)
        cr_expect_eq(status_of(NULL, "/api/login", NULL, json_incref(bad), NULL), 401);
    json_decref(bad);
    cr_expect_eq(
        status_of(NULL, "/api/login", NULL,
                  json_pack("{s:s, s:s}", "user", "mario", "password", "password-di-mario"), NULL),
        429);
}

Test(console_api, a_draft_is_checked_against_the_editors_clauses) {
    char err[512];
    api.checker = console_checker_new(SOURCE_DIR "/data", SOURCE_DIR "/config", err, sizeof err);
    cr_assert(api.checker, "%s", err);
    struct session s = login("mario", "password-di-mario");
    json_t *b = json_pack("{s:s, s:s}", "tenant", "arese", "text", "Bozza");
    cr_expect_eq(status_of(&s, "/api/check", NULL, b, s.csrf), 403, "not mario's tenant");
    b = json_pack("{s:s, s:s}", "tenant", "lecce", "text", "Bozza");
    cr_expect_eq(status_of(&s, "/api/check", NULL, b, NULL), 403, "no CSRF token");
    b = json_pack("{s:s, s:s}", "tenant", "lecce", "text",
                  "Guadagna 5000 euro al mese da casa con le crypto, scrivimi in privato! "
                  "bit.ly/soldifacili");
    unsigned status;
    json_t *doc = call(&s, "/api/check", NULL, b, s.csrf, &status, NULL);
    cr_expect_eq(status, 200);
    cr_expect(json_is_false(json_object_get(doc, "ok")), "advertising is not Lecce's content");
    json_t *p = json_array_get(json_object_get(doc, "problems"), 0);
    cr_expect(
        strstr(json_string_value(json_object_get(p, "policy_ref")), "I contenuti pubblicati"));
    json_decref(doc);
    console_checker_free(api.checker);
}

Test(console_api, a_trusted_proxys_user_gets_a_session_only_for_a_known_account) {
    unsigned status;
    struct console_response res;
    proxy_user = "mario";
    json_t *doc = call(NULL, "/api/session", NULL, NULL, NULL, &status, &res);
    cr_expect_eq(status, 200);
    cr_expect(res.set_cookie && strstr(res.set_cookie, "HttpOnly"), "a session cookie is set");
    cr_expect_str_eq(json_string_value(json_object_get(doc, "user")), "mario");
    console_response_free(&res);
    json_decref(doc);
    cr_expect_eq(
        status_of(NULL, "/api/action", NULL, action_body("lecce", "ack", "ticket_id", "x"), NULL),
        403, "a POST still needs the CSRF token");
    proxy_user = "nessuno";
    cr_expect_eq(status_of(NULL, "/api/session", NULL, NULL, NULL), 401, "no such account");
    proxy_user = NULL;
    cr_expect_eq(status_of(NULL, "/api/session", NULL, NULL, NULL), 401, "off: no header trusted");
}
