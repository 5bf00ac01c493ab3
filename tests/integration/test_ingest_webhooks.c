/* vigile-ingest as it runs in production: the binary serves HTTP on a free port, the
 * fixtures of tests/fixtures/webhooks are POSTed to it the way each platform would, and
 * what reaches vigile.inbound and vigile.deadletter is read back from the real broker.
 * Redis database 7 holds the test's idempotency keys and is flushed before each test. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kafka_util.h"
#include "limits.h"
#include "proc_util.h"
#include "signature.h"
#include "timefmt.h"
#include "topics.h"
#include "xmalloc.h"

#define META_SECRET   "test-app-secret"
#define VERIFY_TOKEN  "test-verify-token"
#define TG_SECRET     "test-telegram-secret"
#define GENERIC_TOKEN "test-generic-token"
#define REDIS_TEST_DB 7

static pid_t ingest_pid;
static int ingest_port;
static char t0[RFC3339_LEN]; /* messages received before this belong to earlier runs */

/* Starts vigile-ingest on a free port with the environment of this process plus
 * VIGILE_INGEST_PORT, and waits until it accepts connections. */
static pid_t start_ingest(int *port) {
    *port = proc_free_port();
    char p[16];
    snprintf(p, sizeof p, "%d", *port);
    setenv("VIGILE_INGEST_PORT", p, 1);
    char *argv[] = { BUILD_DIR "/services/vigile-ingest", NULL };
    pid_t pid = proc_start(argv, NULL);
    for (int i = 0; i < 100; i++) {
        int s = proc_connect(*port);
        if (s >= 0) {
            close(s);
            return pid;
        }
        usleep(100 * 1000);
    }
    cr_assert_fail("vigile-ingest did not start serving on port %d", *port);
    return -1;
}

static void flush_redis(void) {
    const char *url = getenv("VIGILE_REDIS_URL");
    cr_assert_not_null(url, "VIGILE_REDIS_URL is not set: run through scripts/test.sh");
    char host[256];
    int port = 6379;
    cr_assert(sscanf(url, "redis://%255[^:/]:%d", host, &port) >= 1, "%s", url);
    redisContext *rc = redisConnect(host, port);
    cr_assert(rc && !rc->err, "redis %s", url);
    freeReplyObject(redisCommand(rc, "SELECT %d", REDIS_TEST_DB));
    freeReplyObject(redisCommand(rc, "FLUSHDB"));
    redisFree(rc);
    char *dburl = xasprintf("redis://%s:%d/%d", host, port, REDIS_TEST_DB);
    setenv("VIGILE_REDIS_URL", dburl, 1);
    free(dburl);
}

static void setup(void) {
    test_brokers();
    flush_redis();
    setenv("VIGILE_CONFIG_DIR", SOURCE_DIR "/config", 1);
    setenv("VIGILE_HTTP_PORT", "0", 1);
    setenv("VIGILE_META_APP_SECRET", META_SECRET, 1);
    setenv("VIGILE_META_VERIFY_TOKEN", VERIFY_TOKEN, 1);
    setenv("VIGILE_TELEGRAM_SECRET", TG_SECRET, 1);
    setenv("VIGILE_GENERIC_TOKEN", GENERIC_TOKEN, 1);
    setenv("VIGILE_INGEST_MAX_BODY", "65536", 1);
    setenv("VIGILE_INGEST_ACK_TIMEOUT_MS", "10000", 1);
    test_create_topics((const char *const[]){ TOPIC_INBOUND, TOPIC_DEADLETTER, NULL });
    rfc3339_format(time_now_ms() - 1, t0);
    ingest_pid = start_ingest(&ingest_port);
}

static void teardown(void) { cr_expect_eq(proc_stop(ingest_pid), 0, "vigile-ingest exit code"); }

struct http_reply {
    int status;
    char head[4096];
    char *body; /* new */
};

/* One request (Connection: close) through the tests' HTTP client, its reply split. */
static struct http_reply http(int port, const char *method, const char *path, const char *headers,
                              const char *body, size_t len) {
    char *req = xasprintf("%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                          "Content-Length: %zu\r\n%s\r\n",
                          method, path, len, headers);
    char *buf = proc_http_request(port, req, body, len);
    free(req);
    cr_assert_not_null(buf, "connect to port %d", port);
    struct http_reply rep = { 0 };
    sscanf(buf, "HTTP/1.%*d %d", &rep.status);
    char *split = strstr(buf, "\r\n\r\n");
    cr_assert_not_null(split, "no HTTP reply: %s", buf);
    snprintf(rep.head, sizeof rep.head, "%.*s", (int)(split - buf), buf);
    rep.body = xstrdup(split + 4);
    free(buf);
    return rep;
}

static char *fixture(const char *name, size_t *len) {
    char path[512];
    snprintf(path, sizeof path, "%s/fixtures/webhooks/%s", TESTS_DIR, name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    char *buf = xmalloc(65536);
    *len = fread(buf, 1, 65535, f);
    buf[*len] = '\0';
    fclose(f);
    while (*len && buf[*len - 1] == '\n') buf[--*len] = '\0'; /* the exact bytes signed */
    return buf;
}

/* POSTs a fixture to the endpoint its platform uses, authenticated as that platform. */
static struct http_reply post_to(int port, const char *name, const char *path, const char *secret) {
    size_t len;
    char *body = fixture(name, &len);
    char headers[512];
    if (strcmp(path, "/webhooks/meta") == 0) {
        char sig[SIGNATURE_HEADER_LEN];
        snprintf(headers, sizeof headers,
                 "Content-Type: application/json\r\nX-Hub-Signature-256: %s\r\n",
                 signature_meta_header(secret, body, len, sig));
    } else if (strncmp(path, "/webhooks/telegram/", 19) == 0) {
        snprintf(headers, sizeof headers,
                 "Content-Type: application/json\r\nX-Telegram-Bot-Api-Secret-Token: %s\r\n",
                 secret);
    } else {
        snprintf(headers, sizeof headers,
                 "Content-Type: application/json; charset=utf-8\r\nAuthorization: Bearer %s\r\n",
                 secret);
    }
    struct http_reply rep = http(port, "POST", path, headers, body, len);
    free(body);
    return rep;
}

static struct http_reply post(const char *name, const char *path) {
    const char *secret = strcmp(path, "/webhooks/meta") == 0             ? META_SECRET
                         : strncmp(path, "/webhooks/telegram/", 19) == 0 ? TG_SECRET
                                                                         : GENERIC_TOKEN;
    return post_to(ingest_port, name, path, secret);
}

/* Messages of this run: received (or failed) after the test began. */
static int this_run(const struct test_message *m, void *arg) {
    const char *field = arg;
    const char *at = strstr(m->value, field);
    return at && strncmp(at + strlen(field), t0, RFC3339_LEN - 1) >= 0;
}

/* The keys (<tenant>|<author>) of every event in the fixtures: a message of this run
 * with another key was produced by someone else sharing the broker. */
static const char *const fixture_keys[] = {
    "arese|7021455698123456",
    "arese|6543210987654321",
    "arese|5566778899001122",
    "arese|24897325119876543",
    "arese|17841400123456789",
    "arese|17841400987654321",
    "arese|1254459154682919",
    "arese|393471234567",
    "arese|731245678",
    "lecce|UC4x8yNq2mTz6rP0aB1cD2eF",
    "lecce|UCq1W2e3R4t5Y6u7I8o9P0aS",
    "lecce|1456789012345678901",
    NULL,
};

static int ours(const struct test_message *m, void *arg) {
    (void)arg;
    if (!this_run(m, "\"received_at\":\"")) return 0;
    for (const char *const *k = fixture_keys; *k; k++)
        if (strcmp(m->key, *k) == 0) return 1;
    return 0;
}

/* Reads this run's inbound messages of the fixtures until want arrived (or timeout_ms),
 * then settle_ms more to catch what should not be there. */
static size_t read_inbound(size_t want, int timeout_ms, int settle_ms, struct test_message **msgs) {
    return test_consume(TOPIC_INBOUND, ours, NULL, want, timeout_ms, settle_ms, msgs);
}

static size_t count_event(const struct test_message *msgs, size_t n, const char *event_id) {
    char *needle = xasprintf("\"event_id\":\"%s\"", event_id);
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += strstr(msgs[i].value, needle) != NULL;
    free(needle);
    return c;
}

TestSuite(ingest_webhooks, .init = setup, .fini = teardown, .timeout = 180);

Test(ingest_webhooks, every_platform_fixture_reaches_inbound) {
    static const struct {
        const char *fixture, *path;
        int envelopes;
    } cases[] = {
        { "facebook-feed-comment.json", "/webhooks/meta", 1 },
        { "facebook-feed-reply-edited.json", "/webhooks/meta", 1 },
        { "facebook-feed-remove.json", "/webhooks/meta", 1 },
        { "facebook-feed-visitor-post.json", "/webhooks/meta", 1 },
        { "messenger-message.json", "/webhooks/meta", 1 },
        { "instagram-comment.json", "/webhooks/meta", 2 },
        { "instagram-message.json", "/webhooks/meta", 2 },
        { "whatsapp-message.json", "/webhooks/meta", 2 },
        { "whatsapp-status.json", "/webhooks/meta", 0 },
        { "telegram-comment.json", "/webhooks/telegram/comunearese", 1 },
        { "telegram-private.json", "/webhooks/telegram/comunearese", 1 },
        { "telegram-edited.json", "/webhooks/telegram/comunearese", 1 },
        { "youtube-comment-threads.json", "/webhooks/youtube", 2 },
        { "generic-envelope.json", "/webhooks/generic", 1 },
    };
    size_t want = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct http_reply r = post(cases[i].fixture, cases[i].path);
        cr_expect_eq(r.status, 200, "%s: %d %s", cases[i].fixture, r.status, r.body);
        char expect[64];
        snprintf(expect, sizeof expect, "\"accepted\":%d", cases[i].envelopes);
        cr_expect(strstr(r.body, expect) != NULL, "%s: %s", cases[i].fixture, r.body);
        want += (size_t)cases[i].envelopes;
        free(r.body);
    }
    struct test_message *msgs;
    size_t n = read_inbound(want, 60000, 2000, &msgs);
    cr_expect_eq(n, want, "inbound: %zu of %zu", n, want);
    cr_expect_eq(count_event(msgs, n, "telegram:-1001987654321:5821"), 1);
    cr_expect_eq(count_event(msgs, n, "x:1897654321098765432"), 1);
    int keyed = 0;
    for (size_t i = 0; i < n; i++) keyed += strcmp(msgs[i].key, "arese|7021455698123456") == 0;
    cr_expect_eq(keyed, 1, "keyed <tenant>|<author_id>");
    test_save_messages("inbound", msgs, n); /* for the schema check */
    test_messages_free(msgs, n);
}

Test(ingest_webhooks, a_replayed_event_is_produced_once) {
    struct http_reply a = post("facebook-feed-comment.json", "/webhooks/meta");
    struct http_reply b = post("facebook-feed-comment.json", "/webhooks/meta");
    cr_expect_eq(a.status, 200, "%s", a.body);
    cr_expect_eq(b.status, 200, "%s", b.body);
    cr_expect(strstr(b.body, "\"accepted\":0,\"duplicates\":1") != NULL, "%s", b.body);
    free(a.body);
    free(b.body);
    struct test_message *msgs;
    size_t n = read_inbound(1, 30000, 3000, &msgs);
    cr_expect_eq(count_event(msgs, n, "facebook:1122334455667788_987654321098765"), 1,
                 "one inbound message for one event id");
    test_messages_free(msgs, n);
}

Test(ingest_webhooks, forged_requests_are_refused_and_not_dead_lettered) {
    struct http_reply r =
        post_to(ingest_port, "facebook-feed-comment.json", "/webhooks/meta", "not-the-app-secret");
    cr_expect_eq(r.status, 401, "%d %s", r.status, r.body);
    cr_expect(strstr(r.body, "\"error\"") != NULL, "%s", r.body);
    free(r.body);
    r = post_to(ingest_port, "telegram-private.json", "/webhooks/telegram/comunearese", "nope");
    cr_expect_eq(r.status, 401);
    free(r.body);
    r = post_to(ingest_port, "generic-envelope.json", "/webhooks/generic", "nope");
    cr_expect_eq(r.status, 401);
    free(r.body);
    r = http(ingest_port, "POST", "/webhooks/youtube", "Content-Type: application/json\r\n", "{}",
             2);
    cr_expect_eq(r.status, 401, "no Authorization header");
    free(r.body);
    struct test_message *msgs;
    size_t n = read_inbound(1, 3000, 0, &msgs);
    cr_expect_eq(n, 0, "a forged request produced %zu messages", n);
    test_messages_free(msgs, n);
}

Test(ingest_webhooks, bad_bodies_get_4xx_and_authenticated_ones_a_dead_letter) {
    char sig[SIGNATURE_HEADER_LEN], headers[256];
    const char *broken = "{\"object\":\"page\",\"entry\":[";
    snprintf(headers, sizeof headers,
             "Content-Type: application/json\r\nX-Hub-Signature-256: %s\r\n",
             signature_meta_header(META_SECRET, broken, strlen(broken), sig));
    struct http_reply r =
        http(ingest_port, "POST", "/webhooks/meta", headers, broken, strlen(broken));
    cr_expect_eq(r.status, 400, "%d %s", r.status, r.body);
    cr_expect(strstr(r.body, "JSON") != NULL, "%s", r.body);
    free(r.body);

    r = post("meta-unknown-page.json", "/webhooks/meta");
    cr_expect_eq(r.status, 403, "unknown page: %d %s", r.status, r.body);
    free(r.body);

    r = post_to(ingest_port, "telegram-private.json", "/webhooks/telegram/not_our_bot", TG_SECRET);
    cr_expect_eq(r.status, 403, "unknown bot: %d %s", r.status, r.body);
    free(r.body);

    r = http(ingest_port, "POST", "/webhooks/generic",
             "Content-Type: text/plain\r\nAuthorization: Bearer " GENERIC_TOKEN "\r\n", "x", 1);
    cr_expect_eq(r.status, 415, "%d", r.status);
    free(r.body);

    size_t big = 70000;
    char *huge = xmalloc(big);
    memset(huge, ' ', big);
    r = http(ingest_port, "POST", "/webhooks/generic",
             "Content-Type: application/json\r\nAuthorization: Bearer " GENERIC_TOKEN "\r\n", huge,
             big);
    cr_expect_eq(r.status, 413, "%d", r.status);
    free(r.body);
    free(huge);

    r = http(ingest_port, "GET", "/webhooks/nowhere", "", "", 0);
    cr_expect_eq(r.status, 404);
    free(r.body);

    struct test_message *dl;
    size_t n = test_consume(TOPIC_DEADLETTER, this_run, "\"failed_at\":\"", 3, 30000, 1000, &dl);
    int saw_json = 0, saw_page = 0, saw_bot = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strstr(dl[i].value, "\"stage\":\"ingest\"")) continue;
        saw_json |= strstr(dl[i].value, "meta webhook: JSON") != NULL;
        saw_page |= strstr(dl[i].value, "999999999999999") != NULL;
        saw_bot |= strstr(dl[i].value, "not_our_bot") != NULL;
    }
    cr_expect(saw_json && saw_page && saw_bot, "dead letters: json %d page %d bot %d (%zu)",
              saw_json, saw_page, saw_bot, n);
    test_messages_free(dl, n);
}

Test(ingest_webhooks, meta_subscription_handshake) {
    struct http_reply r = http(ingest_port, "GET",
                               "/webhooks/meta?hub.mode=subscribe&hub.verify_token=" VERIFY_TOKEN
                               "&hub.challenge=1158201444",
                               "", "", 0);
    cr_expect_eq(r.status, 200);
    cr_expect_str_eq(r.body, "1158201444");
    free(r.body);
    r = http(ingest_port, "GET",
             "/webhooks/meta?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1", "", "", 0);
    cr_expect_eq(r.status, 403);
    free(r.body);
}

/* Starts a second ingest whose dependency `var` points at a port nobody listens on
 * (format: "127.0.0.1:%d" or "redis://127.0.0.1:%d"), POSTs a fixture to it and expects
 * 503 with Retry-After and a clean shutdown. */
static void expect_503_when_down(const char *var, const char *format, const char *fixture_name,
                                 const char *path, const char *secret) {
    char dead[64];
    snprintf(dead, sizeof dead, format, proc_free_port());
    setenv(var, dead, 1);
    setenv("VIGILE_INGEST_ACK_TIMEOUT_MS", "1000", 1);
    int port;
    pid_t pid = start_ingest(&port);
    struct http_reply r = post_to(port, fixture_name, path, secret);
    cr_expect_eq(r.status, 503, "%s down: %d %s", var, r.status, r.body);
    cr_expect(strstr(r.head, "Retry-After: 30") != NULL, "%s", r.head);
    free(r.body);
    cr_expect_eq(proc_stop(pid), 0, "the second ingest shuts down cleanly");
}

Test(ingest_webhooks, kafka_unavailable_gives_503_with_retry_after) {
    expect_503_when_down("VIGILE_KAFKA_BROKERS", "127.0.0.1:%d", "facebook-feed-comment.json",
                         "/webhooks/meta", META_SECRET);
    /* Its claim was released: the platform's retry, to a healthy ingest, gets through. */
    struct http_reply r = post("facebook-feed-comment.json", "/webhooks/meta");
    cr_expect_eq(r.status, 200, "%d %s", r.status, r.body);
    cr_expect(strstr(r.body, "\"accepted\":1") != NULL, "%s", r.body);
    free(r.body);
}

/* Runs vigile-ingest --replay path, its output to log (NULL: inherited); returns its exit
 * code. */
static int replay_file(char *path, const char *log) {
    char *argv[] = { BUILD_DIR "/services/vigile-ingest", "--replay", path, NULL };
    return proc_wait(proc_start(argv, log));
}

Test(ingest_webhooks, replay_takes_platform_payloads_and_dead_letters_the_rest) {
    char path[512];
    snprintf(path, sizeof path, "%s/ingest-replay-%d.jsonl", BUILD_DIR, (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    size_t len;
    char *meta = fixture("instagram-comment.json", &len);
    char *tg = fixture("telegram-private.json", &len);
    fprintf(f,
            "%s\n{\"platform\":\"telegram\",\"page_id\":\"comunearese\",\"payload\":%s}\n"
            "{\"object\":\"page\",\"entry\":\n",
            meta, tg);
    fclose(f);
    free(meta);
    free(tg);
    int code = replay_file(path, NULL);
    cr_expect_eq(code, 0, "replay exit code %d", code);
    unlink(path);
    struct test_message *msgs;
    size_t n = read_inbound(3, 30000, 1000, &msgs);
    cr_expect_eq(n, 3, "two Instagram comments and one Telegram message: %zu", n);
    cr_expect_eq(count_event(msgs, n, "telegram:731245678:77"), 1);
    test_messages_free(msgs, n);
    struct test_message *dl;
    n = test_consume(TOPIC_DEADLETTER, this_run, "\"failed_at\":\"", 1, 30000, 0, &dl);
    int saw = 0;
    for (size_t i = 0; i < n; i++)
        saw |= strstr(dl[i].value, "\"topic\":\"replay\"") && strstr(dl[i].value, "\"offset\":3");
    cr_expect(saw, "the broken third line is dead-lettered with its line number");
    test_messages_free(dl, n);
}

Test(ingest_webhooks, redis_unavailable_gives_503_rather_than_a_duplicate) {
    expect_503_when_down("VIGILE_REDIS_URL", "redis://127.0.0.1:%d", "telegram-private.json",
                         "/webhooks/telegram/comunearese", TG_SECRET);
    struct test_message *msgs;
    size_t n = read_inbound(1, 3000, 0, &msgs);
    cr_expect_eq(n, 0, "nothing produced without the idempotency check");
    test_messages_free(msgs, n);
}

/* A channel added to a tenant file is served after SIGHUP, without a restart; a broken
 * file is refused and the pages already known go on being served. */
Test(ingest_webhooks, sighup_reloads_the_channels) {
    char dir[] = "/tmp/vigile-ingest-config-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *cmd = xasprintf("cp -r %s/config/. %s/", SOURCE_DIR, dir);
    cr_assert_eq(system(cmd), 0);
    free(cmd);
    setenv("VIGILE_CONFIG_DIR", dir, 1);
    int port;
    pid_t pid = start_ingest(&port);
    const char *path = "/webhooks/telegram/nuovobot";
    struct http_reply r = post_to(port, "telegram-comment.json", path, TG_SECRET);
    cr_expect_eq(r.status, 403, "an unknown bot is refused: %d %s", r.status, r.body);
    free(r.body);

    char *file = xasprintf("%s/tenants/arese.json", dir);
    json_t *arese = json_load_file(file, 0, NULL);
    cr_assert_not_null(arese);
    json_object_set_new(json_object_get(arese, "channels"), "telegram-nuovo",
                        json_pack("{s:s, s:s, s:s, s:s}", "platform", "telegram", "page_id",
                                  "nuovobot", "name", "Nuovo bot", "office", "comunicazione"));
    cr_assert_eq(json_dump_file(arese, file, JSON_INDENT(2)), 0);
    json_decref(arese);
    kill(pid, SIGHUP);
    int status = 0;
    for (int i = 0; i < 50 && status != 200; i++) {
        usleep(100 * 1000);
        r = post_to(port, "telegram-comment.json", path, TG_SECRET);
        status = r.status;
        free(r.body);
    }
    cr_expect_eq(status, 200, "the new bot is served after SIGHUP");

    FILE *f = fopen(file, "w");
    fputs("{ broken", f);
    fclose(f);
    kill(pid, SIGHUP);
    usleep(500 * 1000);
    r = post_to(port, "telegram-comment.json", path, TG_SECRET);
    cr_expect(r.status == 200, "a refused reload keeps the config in force: %d", r.status);
    free(r.body);
    cr_expect_eq(proc_stop(pid), 0);
    free(file);
    cmd = xasprintf("rm -rf %s", dir);
    system(cmd);
    free(cmd);
    setenv("VIGILE_CONFIG_DIR", SOURCE_DIR "/config", 1);
}

/* The dead letter of this run whose reason holds needle, as a new JSON object (NULL when
 * none came within 30 s). Fails the test if it would not fit a message. */
static int this_run_with(const struct test_message *m, void *needle) {
    return this_run(m, "\"failed_at\":\"") && strstr(m->value, needle);
}

static json_t *deadletter_with(const char *needle) {
    struct test_message *dl;
    size_t n = test_consume(TOPIC_DEADLETTER, this_run_with, (void *)needle, 1, 30000, 0, &dl);
    json_t *found = NULL;
    if (n > 0) {
        cr_expect_leq(dl[0].len, LIMIT_MESSAGE_BYTES, "a dead letter of %zu bytes", dl[0].len);
        found = json_loadb(dl[0].value, dl[0].len, 0, NULL);
    }
    test_messages_free(dl, n);
    return found;
}

/* 100,000 nested objects, 600 KB: more than a dead letter carries whole, and jansson
 * refuses it (too deep) before anything can be normalized. */
Test(ingest_webhooks, a_600_kb_nested_body_gets_400_and_a_dead_letter_that_fits) {
    setenv("VIGILE_INGEST_MAX_BODY", "1048576", 1); /* the default */
    int port;
    pid_t pid = start_ingest(&port);
    size_t depth = 100000, len = 0;
    char *body = xmalloc(6 * depth + 2);
    for (size_t i = 0; i < depth; i++) len += (size_t)sprintf(body + len, "{\"a\":");
    body[len++] = '1';
    for (size_t i = 0; i < depth; i++) body[len++] = '}';
    struct http_reply r = http(
        port, "POST", "/webhooks/generic",
        "Content-Type: application/json\r\nAuthorization: Bearer " GENERIC_TOKEN "\r\n", body, len);
    cr_expect_eq(r.status, 400, "%d %s", r.status, r.body);
    free(r.body);
    cr_expect_eq(proc_stop(pid), 0);

    char *size = xasprintf("\"original_size\":%zu", len);
    json_t *dl = deadletter_with(size);
    free(size);
    cr_assert_not_null(dl, "the refused body was dead-lettered");
    cr_expect(strstr(json_string_value(json_object_get(dl, "reason")), "generic webhook: JSON"));
    cr_expect(json_is_true(json_object_get(dl, "truncated")));
    cr_expect_eq(json_integer_value(json_object_get(dl, "payload_bytes")),
                 LIMIT_DEADLETTER_PAYLOAD_BYTES);
    cr_expect_eq(strlen(json_string_value(json_object_get(dl, "original_sha256"))), 64);
    json_decref(dl);
    free(body);
}

/* Writes the generic fixture's envelope with event id x:ovs-<pid>-<n> and, when not NULL,
 * the member `extra` (JSON text, e.g. "\"attachments\":[...]"). */
static void write_envelope(FILE *f, int n, const char *extra) {
    size_t len;
    char *fx = fixture("generic-envelope.json", &len);
    json_t *env = json_loadb(fx, len, 0, NULL);
    char *id = xasprintf("x:ovs-%d-%d", (int)getpid(), n);
    json_object_set_new(env, "event_id", json_string(id));
    char *s = json_dumps(env, JSON_COMPACT);
    s[strlen(s) - 1] = '\0'; /* drop the closing brace to append extra */
    fprintf(f, "%s%s%s}\n", s, extra ? "," : "", extra ? extra : "");
    free(s);
    free(id);
    json_decref(env);
    free(fx);
}

/* ~5 MB each: 32 attachments of 160 KB (valid field by field, too big as a whole), and a
 * million post topics (an array over its limit). */
static char *huge_attachments(void) {
    size_t each = 160000, len = 0;
    char *s = xmalloc(32 * (each + 64) + 32);
    len += (size_t)sprintf(s, "\"attachments\":[");
    for (int i = 0; i < 32; i++) {
        len += (size_t)sprintf(s + len, "%s{\"type\":\"image\",\"url\":\"", i ? "," : "");
        memset(s + len, 'u', each);
        len += each;
        len += (size_t)sprintf(s + len, "\"}");
    }
    sprintf(s + len, "]");
    return s;
}

static char *million_topics(void) {
    char *s = xmalloc(5 * 1000000 + 64);
    size_t len = (size_t)sprintf(s, "\"context\":{\"post_topics\":[");
    for (int i = 0; i < 1000000; i++) len += (size_t)sprintf(s + len, "%s\"t\"", i ? "," : "");
    sprintf(s + len, "]}");
    return s;
}

Test(ingest_webhooks, replay_dead_letters_oversize_envelopes_and_goes_on, .timeout = 240) {
    char path[512], log[512];
    snprintf(path, sizeof path, "%s/ingest-oversize-%d.jsonl", BUILD_DIR, (int)getpid());
    snprintf(log, sizeof log, "%s/ingest-oversize-%d.log", BUILD_DIR, (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    char *att = huge_attachments(), *topics = million_topics();
    write_envelope(f, 1, NULL);
    write_envelope(f, 2, att);
    write_envelope(f, 3, NULL);
    write_envelope(f, 4, topics);
    write_envelope(f, 5, NULL);
    fclose(f);
    free(att);
    free(topics);
    int code = replay_file(path, log);
    cr_expect_eq(code, 0, "replay exit code %d", code);
    cr_expect(proc_log_contains(log,
                                "5 lines, 3 of 3 envelopes delivered, 2 of 2 rejected "
                                "lines dead-lettered, 0 messages undelivered",
                                1),
              "the summary counts what the broker took");
    unlink(path);
    unlink(log);

    struct test_message *msgs;
    size_t n = read_inbound(3, 30000, 1000, &msgs);
    for (int i = 1; i <= 5; i++) {
        char *id = xasprintf("x:ovs-%d-%d", (int)getpid(), i);
        cr_expect_eq(count_event(msgs, n, id), i % 2, "%s reached inbound %d times", id, i % 2);
        free(id);
    }
    test_messages_free(msgs, n);

    json_t *dl = deadletter_with("bytes serialized, over the envelope limit of 262144");
    cr_assert_not_null(dl, "the 5 MB envelope was dead-lettered, saying why");
    cr_expect_eq(json_integer_value(json_object_get(dl, "offset")), 2, "its line number");
    cr_expect_gt(json_integer_value(json_object_get(dl, "original_size")), 5000000);
    cr_expect(json_is_true(json_object_get(dl, "truncated")));
    json_decref(dl);
    dl = deadletter_with("$.context.post_topics: 1000000 items, over the limit of 64");
    cr_assert_not_null(dl, "the million post topics were refused");
    cr_expect_eq(json_integer_value(json_object_get(dl, "offset")), 4);
    json_decref(dl);
}

/* On a broker of the test's own that has vigile.deadletter but no vigile.inbound (and
 * creates no topic by itself), the envelope of line 1 cannot be delivered: the replay
 * still dead-letters line 2, says so, and exits 1. */
Test(ingest_webhooks, replay_counts_what_the_broker_did_not_take_and_exits_1, .timeout = 240) {
    struct proc_broker b;
    proc_broker_init(&b);
    proc_broker_start(&b);
    char *brokers = xasprintf("127.0.0.1:%d", b.port);
    setenv("VIGILE_KAFKA_BROKERS", brokers, 1);
    test_create_topics((const char *const[]){ TOPIC_DEADLETTER, NULL });
    char path[512], log[512];
    snprintf(path, sizeof path, "%s/ingest-undelivered-%d.jsonl", BUILD_DIR, (int)getpid());
    snprintf(log, sizeof log, "%s/ingest-undelivered-%d.log", BUILD_DIR, (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    write_envelope(f, 1, NULL);
    fputs("{\"object\":\"page\",\"entry\":\n", f);
    fclose(f);
    int code = replay_file(path, log);
    cr_expect_eq(code, 1, "replay exit code %d", code);
    cr_expect(proc_log_contains(log,
                                "2 lines, 0 of 1 envelopes delivered, 1 of 1 rejected "
                                "lines dead-lettered, 1 messages undelivered",
                                1),
              "the summary says what did not get there: %s", proc_slurp(log));
    unlink(path);
    unlink(log);
    proc_broker_stop(&b);
    proc_broker_remove(&b);
    free(brokers);
}
