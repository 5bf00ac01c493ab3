/* vigile-act without a network: the request each platform gets for each command type
 * (the table docs/act.md documents), what each answer means, redaction, backoff and the
 * parsing of commands. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "act_action.h"
#include "act_config.h"
#include "act_exec.h"
#include "act_http.h"
#include "act_request.h"
#include "tenant.h"

#define TOKEN "tok-SECRET-123"

/* A command as route writes it; page and content ids per platform as ingest makes them. */
static void action_json(char *buf, size_t n, const char *platform, const char *type,
                        const char *kind, const char *expires) {
    const char *content = strcmp(platform, "telegram") == 0 ? "-100200:77" : "c/1 2";
    snprintf(buf, n,
             "{\"schema\":{\"name\":\"vigile.action\",\"version\":1},\"action_id\":\"d1:%s\","
             "\"type\":\"%s\",\"decision_id\":\"d1\",\"tenant\":\"lecce\",\"platform\":\"%s\","
             "\"content_id\":\"%s\",\"author_id\":\"4242\",\"page_id\":\"P9\","
             "\"thread_id\":\"T1\",\"kind\":\"%s\",\"text\":\"Gentile utente, è vietato.\","
             "\"expires_at\":%s,\"issued_at\":\"2026-11-20T10:00:00Z\"}",
             type, type, platform, content, kind, expires);
}

static int build(const char *platform, const char *type, const char *kind, const char *expires,
                 struct act_request *req, char *why, size_t n) {
    char json[2048];
    struct act_action a;
    char err[256];
    action_json(json, sizeof json, platform, type, kind, expires);
    cr_assert_eq(act_action_parse(json, strlen(json), &a, err, sizeof err), 0, "%s", err);
    int rc = act_request_build(&a, "http://fake", TOKEN, req, why, n);
    act_action_free(&a);
    return rc;
}

struct want {
    const char *platform, *type, *kind;
    const char *method, *url, *body; /* method NULL: goes to an operator */
    int idempotent;
};

#define MSG_BODY                                   \
    "{\"message\":{\"text\":\"Gentile utente, è " \
    "vietato.\"},\"messaging_type\":\"RESPONSE\",\"recipient\":"
static const struct want table[] = {
    { "facebook", "hide", "comment", "POST", "http://fake/c%2F1%202", "is_hidden=true", 1 },
    { "facebook", "hold", "comment", "POST", "http://fake/c%2F1%202", "is_hidden=true", 1 },
    { "facebook", "unhide", "comment", "POST", "http://fake/c%2F1%202", "is_hidden=false", 1 },
    { "facebook", "delete", "comment", "DELETE", "http://fake/c%2F1%202", NULL, 1 },
    { "facebook", "reply", "comment", "POST", "http://fake/c%2F1%202/comments",
      "message=Gentile%20utente%2C%20%C3%A8%20vietato.", 0 },
    { "facebook", "reply", "private_message", "POST", "http://fake/P9/messages",
      MSG_BODY "{\"id\":\"4242\"}}", 0 },
    { "facebook", "warn", "comment", "POST", "http://fake/P9/messages",
      MSG_BODY "{\"comment_id\":\"c/1 2\"}}", 0 },
    { "facebook", "ban", "comment", "POST", "http://fake/P9/blocked", "user=4242", 1 },
    { "facebook", "unban", "comment", "DELETE", "http://fake/P9/blocked?user=4242", NULL, 1 },
    { "facebook", "report", "comment", NULL, NULL, NULL, 0 },
    { "instagram", "hide", "comment", "POST", "http://fake/c%2F1%202", "hide=true", 1 },
    { "instagram", "hold", "comment", "POST", "http://fake/c%2F1%202", "hide=true", 1 },
    { "instagram", "unhide", "comment", "POST", "http://fake/c%2F1%202", "hide=false", 1 },
    { "instagram", "delete", "comment", "DELETE", "http://fake/c%2F1%202", NULL, 1 },
    { "instagram", "reply", "comment", "POST", "http://fake/c%2F1%202/replies",
      "message=Gentile%20utente%2C%20%C3%A8%20vietato.", 0 },
    { "instagram", "reply", "private_message", "POST", "http://fake/P9/messages",
      MSG_BODY "{\"id\":\"4242\"}}", 0 },
    { "instagram", "warn", "comment", "POST", "http://fake/P9/messages",
      MSG_BODY "{\"comment_id\":\"c/1 2\"}}", 0 },
    { "instagram", "ban", "comment", NULL, NULL, NULL, 0 },
    { "instagram", "unban", "comment", NULL, NULL, NULL, 0 },
    { "instagram", "report", "comment", NULL, NULL, NULL, 0 },
    { "youtube", "hide", "comment", "POST",
      "http://fake/comments/setModerationStatus?id=c%2F1%202&moderationStatus=heldForReview", NULL,
      1 },
    { "youtube", "hold", "comment", "POST",
      "http://fake/comments/setModerationStatus?id=c%2F1%202&moderationStatus=heldForReview", NULL,
      1 },
    { "youtube", "unhide", "comment", "POST",
      "http://fake/comments/setModerationStatus?id=c%2F1%202&moderationStatus=published", NULL, 1 },
    { "youtube", "delete", "comment", "POST",
      "http://fake/comments/setModerationStatus?id=c%2F1%202&moderationStatus=rejected", NULL, 1 },
    { "youtube", "ban", "comment", "POST",
      "http://fake/comments/"
      "setModerationStatus?id=c%2F1%202&moderationStatus=rejected&banAuthor=true",
      NULL, 1 },
    { "youtube", "reply", "comment", "POST", "http://fake/comments?part=snippet",
      "{\"snippet\":{\"parentId\":\"T1\",\"textOriginal\":\"Gentile utente, è vietato.\"}}", 0 },
    { "youtube", "warn", "comment", NULL, NULL, NULL, 0 },
    { "youtube", "unban", "comment", NULL, NULL, NULL, 0 },
    { "youtube", "report", "comment", NULL, NULL, NULL, 0 },
    { "telegram", "delete", "comment", "POST", "http://fake/bot" TOKEN "/deleteMessage",
      "{\"chat_id\":-100200,\"message_id\":77}", 1 },
    { "telegram", "reply", "comment", "POST", "http://fake/bot" TOKEN "/sendMessage",
      "{\"chat_id\":-100200,\"reply_parameters\":{\"message_id\":77},\"text\":\"Gentile utente, è "
      "vietato.\"}",
      0 },
    { "telegram", "warn", "comment", "POST", "http://fake/bot" TOKEN "/sendMessage",
      "{\"chat_id\":-100200,\"reply_parameters\":{\"message_id\":77},\"text\":\"Gentile utente, è "
      "vietato.\"}",
      0 },
    { "telegram", "ban", "comment", "POST", "http://fake/bot" TOKEN "/banChatMember",
      "{\"chat_id\":-100200,\"user_id\":4242}", 1 },
    { "telegram", "unban", "comment", "POST", "http://fake/bot" TOKEN "/unbanChatMember",
      "{\"chat_id\":-100200,\"only_if_banned\":true,\"user_id\":4242}", 1 },
    { "telegram", "hide", "comment", NULL, NULL, NULL, 0 },
    { "telegram", "hold", "comment", NULL, NULL, NULL, 0 },
    { "telegram", "unhide", "comment", NULL, NULL, NULL, 0 },
    { "telegram", "report", "comment", NULL, NULL, NULL, 0 },
    { "x", "hide", "reply", "PUT", "http://fake/tweets/c%2F1%202/hidden", "{\"hidden\":true}", 1 },
    { "x", "hold", "reply", "PUT", "http://fake/tweets/c%2F1%202/hidden", "{\"hidden\":true}", 1 },
    { "x", "unhide", "reply", "PUT", "http://fake/tweets/c%2F1%202/hidden", "{\"hidden\":false}",
      1 },
    { "x", "reply", "reply", "POST", "http://fake/tweets",
      "{\"reply\":{\"in_reply_to_tweet_id\":\"c/1 2\"},\"text\":\"Gentile utente, è vietato.\"}",
      0 },
    { "x", "warn", "reply", "POST", "http://fake/dm_conversations/with/4242/messages",
      "{\"text\":\"Gentile utente, è vietato.\"}", 0 },
    { "x", "ban", "reply", "POST", "http://fake/users/P9/blocking", "{\"target_user_id\":\"4242\"}",
      1 },
    { "x", "unban", "reply", "DELETE", "http://fake/users/P9/blocking/4242", NULL, 1 },
    { "x", "delete", "reply", NULL, NULL, NULL, 0 },
    { "x", "report", "reply", NULL, NULL, NULL, 0 },
    { "whatsapp", "reply", "private_message", "POST", "http://fake/P9/messages",
      "{\"context\":{\"message_id\":\"c/1 "
      "2\"},\"messaging_product\":\"whatsapp\",\"recipient_type\":"
      "\"individual\",\"text\":{\"body\":\"Gentile utente, è "
      "vietato.\"},\"to\":\"4242\",\"type\":\"text\"}",
      0 },
    { "whatsapp", "warn", "private_message", "POST", "http://fake/P9/messages",
      "{\"context\":{\"message_id\":\"c/1 "
      "2\"},\"messaging_product\":\"whatsapp\",\"recipient_type\":"
      "\"individual\",\"text\":{\"body\":\"Gentile utente, è "
      "vietato.\"},\"to\":\"4242\",\"type\":\"text\"}",
      0 },
    { "whatsapp", "ban", "private_message", "POST", "http://fake/P9/block_users",
      "{\"block_users\":[{\"user\":\"4242\"}],\"messaging_product\":\"whatsapp\"}", 1 },
    { "whatsapp", "unban", "private_message", "DELETE", "http://fake/P9/block_users",
      "{\"block_users\":[{\"user\":\"4242\"}],\"messaging_product\":\"whatsapp\"}", 1 },
    { "whatsapp", "hide", "private_message", NULL, NULL, NULL, 0 },
    { "whatsapp", "unhide", "private_message", NULL, NULL, NULL, 0 },
    { "whatsapp", "delete", "private_message", NULL, NULL, NULL, 0 },
    { "whatsapp", "hold", "private_message", NULL, NULL, NULL, 0 },
    { "whatsapp", "report", "private_message", NULL, NULL, NULL, 0 },
};

Test(act_request, every_type_on_every_platform) {
    size_t n = sizeof table / sizeof table[0];
    for (size_t i = 0; i < n; i++) {
        const struct want *w = &table[i];
        struct act_request req;
        char why[512] = "";
        int rc = build(w->platform, w->type, w->kind, "null", &req, why, sizeof why);
        if (!w->method) {
            cr_expect_eq(rc, -1, "%s %s: expected an operator ticket", w->platform, w->type);
            cr_expect(strlen(why) > 20, "%s %s: a reason is given", w->platform, w->type);
            continue;
        }
        cr_assert_eq(rc, 0, "%s %s: %s", w->platform, w->type, why);
        cr_expect_str_eq(req.method, w->method, "%s %s", w->platform, w->type);
        cr_expect_str_eq(req.url, w->url, "%s %s", w->platform, w->type);
        if (w->body)
            cr_expect_str_eq(req.body ? req.body : "(none)", w->body, "%s %s", w->platform,
                             w->type);
        else
            cr_expect_null(req.body, "%s %s has no body", w->platform, w->type);
        cr_expect_eq(req.idempotent, w->idempotent, "%s %s", w->platform, w->type);
        if (strcmp(w->platform, "telegram") == 0)
            cr_expect_null(req.authorization);
        else
            cr_expect_str_eq(req.authorization, "Bearer " TOKEN);
        act_request_free(&req);
    }
    /* Every one of the nine types appears for every platform in the table. */
    for (int p = 0; p < PLATFORM_N; p++)
        for (int t = 0; t < ACT_NTYPES; t++) {
            int found = 0;
            for (size_t i = 0; i < n; i++)
                found |= strcmp(table[i].platform, act_platform_name(p)) == 0 &&
                         strcmp(table[i].type, act_type_name(t)) == 0;
            cr_expect(found, "%s %s missing from the table", act_platform_name(p),
                      act_type_name(t));
        }
}

Test(act_request, temporary_bans) {
    struct act_request req;
    char why[512];
    cr_assert_eq(
        build("telegram", "ban", "comment", "\"2026-11-21T10:00:00Z\"", &req, why, sizeof why), 0);
    cr_expect_str_eq(req.body, "{\"chat_id\":-100200,\"until_date\":1795255200,\"user_id\":4242}");
    act_request_free(&req);
    /* The others have no end to a block: a person lifts it on the day. */
    const char *others[] = { "facebook", "youtube", "x", "whatsapp" };
    for (size_t i = 0; i < 4; i++) {
        cr_expect_eq(
            build(others[i], "ban", "comment", "\"2026-11-21T10:00:00Z\"", &req, why, sizeof why),
            -1, "%s", others[i]);
        cr_expect(strstr(why, "temporaneo") != NULL, "%s: %s", others[i], why);
    }
}

Test(act_request, redaction) {
    char *r = act_redact("http://x/bot" TOKEN "/send?t=" TOKEN, TOKEN);
    cr_expect_str_eq(r, "http://x/bot[redacted]/send?t=[redacted]");
    free(r);
    r = act_redact("nothing here", NULL);
    cr_expect_str_eq(r, "nothing here");
    free(r);
}

static struct act_reply classify(enum act_platform p, long status, const char *body,
                                 struct act_rate_headers h) {
    struct act_reply r;
    memset(&r, 0, sizeof r);
    act_http_classify(p, status, body, &h, 1000000, &r);
    return r;
}

Test(act_http, answers) {
    struct act_rate_headers none = { 0 };
    struct act_reply r = classify(PLATFORM_FACEBOOK, 200, "{\"success\":true}", none);
    cr_expect_eq(r.verdict, ACT_DONE);
    cr_expect_eq(r.wait_ms, 0);
    r = classify(PLATFORM_FACEBOOK, 503, "oops", none);
    cr_expect_eq(r.verdict, ACT_RETRY);
    r = classify(PLATFORM_FACEBOOK, 400,
                 "{\"error\":{\"message\":\"Unsupported post request.\",\"code\":100}}", none);
    cr_expect_eq(r.verdict, ACT_PERMANENT);
    cr_expect_str_eq(r.error, "HTTP 400: Unsupported post request.");
    r = classify(PLATFORM_YOUTUBE, 404, "{\"error\":{\"code\":404,\"message\":\"gone\"}}", none);
    cr_expect_eq(r.verdict, ACT_PERMANENT);
}

Test(act_http, rate_limits) {
    struct act_rate_headers none = { 0 }, h = { 0 };
    h.retry_after = "7";
    struct act_reply r = classify(PLATFORM_X, 429, "{\"title\":\"Too Many Requests\"}", h);
    cr_expect_eq(r.verdict, ACT_THROTTLED);
    cr_expect_eq(r.wait_ms, 7000);
    r = classify(PLATFORM_TELEGRAM, 429,
                 "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry "
                 "after 3\",\"parameters\":{\"retry_after\":3}}",
                 none);
    cr_expect_eq(r.verdict, ACT_THROTTLED);
    cr_expect_eq(r.wait_ms, 3000);
    r = classify(PLATFORM_FACEBOOK, 400, "{\"error\":{\"message\":\"limit\",\"code\":613}}", none);
    cr_expect_eq(r.verdict, ACT_THROTTLED);
    cr_expect_eq(r.wait_ms, 60000);
    struct act_rate_headers buc = { 0 };
    buc.buc_usage = "{\"P9\":[{\"type\":\"pages\",\"call_count\":100,\"total_cputime\":10,"
                    "\"total_time\":10,\"estimated_time_to_regain_access\":5}]}";
    r = classify(PLATFORM_FACEBOOK, 403, "{\"error\":{\"message\":\"BUC\",\"code\":80001}}", buc);
    cr_expect_eq(r.verdict, ACT_THROTTLED);
    cr_expect_eq(r.wait_ms, 5 * 60000);
    buc.buc_usage = "{\"P9\":[{\"type\":\"pages\",\"call_count\":96,\"total_cputime\":10,"
                    "\"total_time\":10,\"estimated_time_to_regain_access\":0}]}";
    r = classify(PLATFORM_FACEBOOK, 200, "{\"success\":true}", buc);
    cr_expect_eq(r.verdict, ACT_DONE, "done, but the credential rests");
    cr_expect_eq(r.wait_ms, 60000);
    r = classify(PLATFORM_YOUTUBE, 403,
                 "{\"error\":{\"code\":403,\"errors\":[{\"reason\":\"quotaExceeded\"}]}}", none);
    cr_expect_eq(r.verdict, ACT_THROTTLED);
    r = classify(PLATFORM_YOUTUBE, 403,
                 "{\"error\":{\"code\":403,\"errors\":[{\"reason\":\"forbidden\"}]}}", none);
    cr_expect_eq(r.verdict, ACT_PERMANENT);
}

Test(act_exec, backoff_grows_with_jitter_and_a_cap) {
    cr_expect_eq(act_backoff_ms(1000, 0, 0.0), 500);
    cr_expect_eq(act_backoff_ms(1000, 0, 0.999999), 999);
    cr_expect_eq(act_backoff_ms(1000, 3, 0.0), 4000);
    cr_expect_eq(act_backoff_ms(1000, 60, 0.0), 1800000, "capped at an hour");
}

Test(act_action, bad_commands) {
    struct act_action a;
    char err[256];
    const char *bad =
        "{\"action_id\":\"x\",\"type\":\"shout\",\"decision_id\":\"d\",\"tenant\":\"t\","
        "\"platform\":\"facebook\",\"content_id\":\"c\",\"author_id\":\"a\","
        "\"issued_at\":\"2026-11-20T10:00:00Z\"}";
    cr_expect_eq(act_action_parse(bad, strlen(bad), &a, err, sizeof err), -1);
    cr_expect_str_eq(err, "$.type: unknown action type \"shout\"");
    const char *reply =
        "{\"action_id\":\"x\",\"type\":\"reply\",\"decision_id\":\"d\",\"tenant\":\"t\","
        "\"platform\":\"facebook\",\"content_id\":\"c\",\"author_id\":\"a\","
        "\"issued_at\":\"2026-11-20T10:00:00Z\"}";
    cr_expect_eq(act_action_parse(reply, strlen(reply), &a, err, sizeof err), -1);
    cr_expect(strstr(err, "$.text: missing") != NULL, "%s", err);
    cr_expect_eq(act_action_parse("{\"a\":", 5, &a, err, sizeof err), -1);
    cr_expect(strncmp(err, "JSON 1:", 7) == 0, "%s", err);
}

Test(act_config, credentials_from_env_and_file) {
    char path[] = "/tmp/act-secrets-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    const char *doc = "{\"lecce\": {\"youtube\": \"file-token\"}}";
    cr_assert_eq(write(fd, doc, strlen(doc)), (ssize_t)strlen(doc));
    close(fd);
    setenv("VIGILE_ACT_SECRETS_FILE", path, 1);
    setenv("VIGILE_ACT_TOKEN_SAN_DONATO_X", "env-token", 1);
    struct act_config c;
    char err[512];
    cr_assert_eq(act_config_load(&c, SOURCE_DIR "/config", err, sizeof err), 0, "%s", err);
    cr_expect_str_eq(act_config_token(&c, "lecce", PLATFORM_YOUTUBE), "file-token");
    cr_expect_str_eq(act_config_token(&c, "san-donato", PLATFORM_X), "env-token");
    cr_expect_null(act_config_token(&c, "lecce", PLATFORM_FACEBOOK));
    act_config_free(&c);
    /* A secrets file inside the config directory is refused. */
    setenv("VIGILE_ACT_SECRETS_FILE", SOURCE_DIR "/config/baseline.json", 1);
    cr_expect_eq(act_config_load(&c, SOURCE_DIR "/config", err, sizeof err), -1);
    cr_expect(strstr(err, "inside the config directory") != NULL, "%s", err);
    unlink(path);
}

/* A tenant copied from Lecce, with "act" set to the JSON act (NULL: none), in a config
 * directory of its own. Returns the loaded set, or NULL with the problems in err. */
static struct tenant_set *tenant_with_act(const char *act, char *err, size_t n) {
    char dir[] = "/tmp/act-tenant-XXXXXX", cmd[512];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(cmd, sizeof cmd,
             "mkdir %s/tenants && cp %s/config/baseline.json %s/ && "
             "cp %s/config/tenants/lecce.json %s/tenants/",
             dir, SOURCE_DIR, dir, SOURCE_DIR, dir);
    cr_assert_eq(system(cmd), 0);
    if (act) {
        snprintf(cmd, sizeof cmd,
                 "/usr/bin/python3 -c 'import json,sys; p=\"%s/tenants/lecce.json\"; "
                 "d=json.load(open(p)); d[\"act\"]=json.loads(sys.argv[1]); "
                 "json.dump(d,open(p,\"w\"))' '%s'",
                 dir, act);
        cr_assert_eq(system(cmd), 0);
    }
    struct tenant_set *set = tenant_set_load(dir, err, n);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
    return set;
}

Test(act_tenant, mode_is_shadow_unless_the_policy_says_live) {
    char err[4096] = "";
    struct tenant_set *set = tenant_set_load(SOURCE_DIR "/config", err, sizeof err);
    cr_assert_not_null(set, "%s", err);
    for (size_t i = 0; i < tenant_set_count(set); i++)
        cr_expect_eq(tenant_act_live(tenant_set_at(set, i)), 0, "%s is live",
                     tenant_id(tenant_set_at(set, i)));
    tenant_set_free(set);
    set = tenant_with_act("{\"mode\": \"live\"}", err, sizeof err);
    cr_assert_not_null(set, "%s", err);
    cr_expect_eq(tenant_act_live(tenant_set_find(set, "lecce")), 1);
    tenant_set_free(set);
    set = tenant_with_act("{\"mode\": \"loud\"}", err, sizeof err);
    cr_expect_null(set);
    cr_expect(strstr(err, "$.act.mode: \"loud\" is not one of") != NULL, "%s", err);
    tenant_set_free(set);
}

/* A command from a channel the tenant has not configured has no page_id: what acts on
 * the content itself is still done, what acts in the page's name goes to a person. */
Test(act_request, without_a_page) {
    const char *json =
        "{\"action_id\":\"x\",\"type\":\"%s\",\"decision_id\":\"d\",\"tenant\":\"t\","
        "\"platform\":\"facebook\",\"content_id\":\"c1\",\"author_id\":\"a\","
        "\"text\":\"t\",\"issued_at\":\"2026-11-20T10:00:00Z\"}";
    const char *types[] = { "hide", "delete", "reply", "ban", "warn" };
    const int ok[] = { 1, 1, 1, 0, 0 };
    for (size_t i = 0; i < 5; i++) {
        char buf[512], err[256], why[512];
        snprintf(buf, sizeof buf, json, types[i]);
        struct act_action a;
        struct act_request req;
        cr_assert_eq(act_action_parse(buf, strlen(buf), &a, err, sizeof err), 0, "%s", err);
        int rc = act_request_build(&a, "http://fake", TOKEN, &req, why, sizeof why);
        cr_expect_eq(rc == 0, ok[i], "%s: %s", types[i], rc ? why : "built");
        if (!ok[i]) cr_expect(strstr(why, "page_id") != NULL, "%s", why);
        act_request_free(&req);
        act_action_free(&a);
    }
}
