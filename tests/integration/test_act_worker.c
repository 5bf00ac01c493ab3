/* vigile-act end to end: the real broker and Redis, the worker as operators run it, and a
 * fake of the six platform APIs (fake_platforms.py) that records every request. Each
 * command's request at the fake is compared with what the request builder makes for it,
 * which test_act pins to the table in docs/act.md. */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "act_action.h"
#include "act_request.h"
#include "kafka_util.h"
#include "proc_util.h"
#include "timefmt.h"
#include "topics.h"
#include "xmalloc.h"

static char run_id[24], config_dir[128], fake_log[256], worker_log[256];
static char t_live[64], t_busy[64], t_shadow[64], t_nocred[64];
static int fake_port;
static pid_t fake_pid, act_pid;

static const char *const platforms[] = { "facebook", "instagram", "youtube",
                                         "telegram", "x",         "whatsapp" };
static const char *const types[] = { "hide", "unhide", "delete", "hold",  "reply",
                                     "warn", "ban",    "unban",  "report" };

static void write_tenant(const char *id, const char *mode) {
    json_error_t je;
    json_t *t = json_load_file(SOURCE_DIR "/config/tenants/lecce.json", 0, &je);
    cr_assert_not_null(t, "%s", je.text);
    json_object_set_new(t, "id", json_string(id));
    /* A page belongs to one tenant: each copy gets pages of its own. */
    const char *name;
    json_t *ch;
    json_object_foreach(json_object_get(t, "channels"), name, ch) {
        char *page = xasprintf("%s-%s", id, json_string_value(json_object_get(ch, "page_id")));
        json_object_set_new(ch, "page_id", json_string(page));
        free(page);
    }
    if (mode) json_object_set_new(t, "act", json_pack("{s:s}", "mode", mode));
    char path[512];
    snprintf(path, sizeof path, "%s/tenants/%s.json", config_dir, id);
    cr_assert_eq(json_dump_file(t, path, JSON_INDENT(2)), 0);
    json_decref(t);
}

static void token_env(const char *tenant, const char *platform) {
    char name[128], value[128];
    snprintf(name, sizeof name, "VIGILE_ACT_TOKEN_%s_%s", tenant, platform);
    for (char *p = name; *p; p++)
        *p = *p == '-' ? '_' : (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    snprintf(value, sizeof value, "tok-%s-%s", tenant, platform);
    setenv(name, value, 1);
}

/* The test's own tenants (ids carry the run, so Redis keys of earlier runs never
 * matter): two live, one in shadow mode, one live without credentials. */
static void make_config(void) {
    char cmd[768];
    snprintf(config_dir, sizeof config_dir, "/tmp/vigile-act-test-%s", run_id);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/tenants' && cp '%s/config/baseline.json' '%s/'",
             config_dir, SOURCE_DIR, config_dir);
    cr_assert_eq(system(cmd), 0);
    snprintf(t_live, sizeof t_live, "%s-live", run_id);
    snprintf(t_busy, sizeof t_busy, "%s-busy", run_id);
    snprintf(t_shadow, sizeof t_shadow, "%s-shadow", run_id);
    snprintf(t_nocred, sizeof t_nocred, "%s-nocred", run_id);
    write_tenant(t_live, "live");
    write_tenant(t_busy, "live");
    write_tenant(t_shadow, NULL);
    write_tenant(t_nocred, "live");
    for (size_t p = 0; p < 6; p++) {
        token_env(t_live, platforms[p]);
        token_env(t_busy, platforms[p]);
        token_env(t_shadow, platforms[p]);
    }
}

static void start_fake(void) {
    fake_port = proc_free_port();
    snprintf(fake_log, sizeof fake_log, "%s/fake.jsonl", config_dir);
    char port[16];
    snprintf(port, sizeof port, "%d", fake_port);
    char *argv[] = { "/usr/bin/python3", TESTS_DIR "/integration/fake_platforms.py", port, fake_log,
                     NULL };
    fake_pid = proc_start(argv, NULL);
    for (int i = 0; i < 100; i++) {
        char *r = proc_http_get(fake_port, "/facebook/ping");
        int up = r[0] != '\0';
        free(r);
        if (up) break;
        usleep(50000);
    }
    for (size_t p = 0; p < 6; p++) {
        char name[64], url[128];
        snprintf(name, sizeof name, "VIGILE_ACT_%s_URL", platforms[p]);
        for (char *c = name; *c; c++) *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
        snprintf(url, sizeof url, "http://127.0.0.1:%d/%s", fake_port, platforms[p]);
        setenv(name, url, 1);
    }
    unlink(fake_log); /* the ping is not part of any test */
}

static void start_act(void) {
    static int n;
    snprintf(worker_log, sizeof worker_log, "%s/act-%d.log", config_dir, n++);
    act_pid = proc_start_worker("act", worker_log);
    cr_assert(proc_log_contains(worker_log, "assigned", 60), "vigile-act did not join its group");
}

/* Topics the test has just created may have no leader for a moment: the watermarks
 * test_group_start_at_end reads would be refused. */
static void wait_leaders(const char *const *topics) {
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", test_brokers(), err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    cr_assert_not_null(rk, "%s", err);
    for (int tries = 0; tries < 100; tries++) {
        int ready = 1;
        for (const char *const *t = topics; *t && ready; t++) {
            rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, *t, NULL);
            const struct rd_kafka_metadata *md;
            if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) != 0)
                ready = 0;
            else {
                for (int p = 0; p < md->topics[0].partition_cnt; p++)
                    if (md->topics[0].partitions[p].leader < 0 || md->topics[0].partitions[p].err)
                        ready = 0;
                ready = ready && md->topics[0].partition_cnt > 0;
                rd_kafka_metadata_destroy(md);
            }
            rd_kafka_topic_destroy(rkt);
        }
        if (ready) break;
        usleep(200000);
    }
    rd_kafka_destroy(rk);
}

static void setup(void) {
    snprintf(run_id, sizeof run_id, "a%d%lld", (int)getpid(), (long long)time_now_ms() % 100000);
    proc_test_env(run_id);
    make_config();
    setenv("VIGILE_CONFIG_DIR", config_dir, 1);
    setenv("VIGILE_ACT_RETRY_BASE_MS", "100", 1);
    setenv("VIGILE_ACT_RATE", "1000", 1);
    setenv("VIGILE_ACT_BURST", "1000", 1);
    setenv("VIGILE_ACT_TIMEOUT_MS", "2000", 1);
    start_fake();
    const char *topics[] = { TOPIC_ACTIONS, TOPIC_ACTION_RESULTS, NULL };
    test_create_topics(topics);
    wait_leaders(topics);
    char group[128];
    snprintf(group, sizeof group, "test-%s-act", run_id);
    test_group_start_at_end(group, topics);
}

static void teardown(void) {
    /* SIGTERM: the executor finishes its calls in hand and the worker exits 0 (under the
     * sanitizers, also with no leak). */
    if (act_pid > 0)
        cr_expect_eq(proc_stop(act_pid), 0, "vigile-act exit code; log %s", worker_log);
    if (fake_pid > 0) kill(fake_pid, SIGTERM), proc_wait(fake_pid);
    char cmd[512];
    if (getenv("VIGILE_TEST_KEEP")) return; /* for a look at the logs */
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", config_dir);
    if (system(cmd)) cr_log_warn("could not remove %s", config_dir);
}

TestSuite(act_worker, .init = setup, .fini = teardown, .timeout = 240);

/* Replaces the fake's rules (a JSON list, see fake_platforms.py). */
static void fake_rules(const char *json) {
    CURL *c = curl_easy_init();
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/_rules", fake_port);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
    cr_assert_eq(curl_easy_perform(c), CURLE_OK);
    curl_easy_cleanup(c);
}

/* A command as route writes it. Returns it as a new string. */
static char *command(const char *tenant, const char *platform, const char *type,
                     const char *content, const char *kind) {
    char now[RFC3339_LEN];
    rfc3339_format(time_now_ms(), now);
    return xasprintf("{\"schema\":{\"name\":\"vigile.action\",\"version\":1},"
                     "\"action_id\":\"%s:%s:%s\",\"type\":\"%s\",\"decision_id\":\"%s:%s\","
                     "\"tenant\":\"%s\",\"platform\":\"%s\",\"content_id\":\"%s\","
                     "\"author_id\":\"4242\",\"page_id\":\"page-%s\",\"kind\":\"%s\","
                     "\"text\":\"Gentile utente, il commento è stato nascosto.\","
                     "\"expires_at\":null,\"issued_at\":\"%s\"}",
                     content, platform, type, type, content, platform, tenant, platform, content,
                     tenant, kind, now);
}

static void produce(char **values, size_t n) {
    char **keys = xcalloc(n, sizeof *keys);
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_loads(values[i], 0, NULL);
        keys[i] = xasprintf("%s|4242", json_string_value(json_object_get(v, "tenant")));
        json_decref(v);
    }
    test_produce_batch(TOPIC_ACTIONS, keys, values, n);
    for (size_t i = 0; i < n; i++) free(keys[i]);
    free(keys);
}

static int ours(const struct test_message *m, void *arg) {
    (void)arg;
    return strstr(m->value, run_id) != NULL;
}

/* The results of this run, by action_id (a new object of parsed results). Fails on a
 * duplicate, unless repeats is given: a crash of vigile-act between a batch's commit and
 * the removal of its results from the outbox publishes them again (docs/act.md), so after
 * kills a result may come twice, but only as the same record; *repeats counts them. */
/* Distinct action_ids among msgs[0..n). */
static size_t distinct_ids(const struct test_message *msgs, size_t n) {
    json_t *seen = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_loads(msgs[i].value, 0, NULL);
        const char *id = json_string_value(json_object_get(r, "action_id"));
        if (id) json_object_set_new(seen, id, json_true());
        json_decref(r);
    }
    size_t k = json_object_size(seen);
    json_decref(seen);
    return k;
}

static json_t *results_repeated(size_t want, int timeout_ms, size_t *repeats) {
    struct test_message *msgs;
    size_t ask = want, n;
    /* Repeats count among the messages read: ask again for as many more as there were. */
    for (;;) {
        n = test_consume(TOPIC_ACTION_RESULTS, ours, NULL, ask, timeout_ms, 1500, &msgs);
        size_t k = distinct_ids(msgs, n);
        if (!repeats || k >= want || n < ask) break;
        test_messages_free(msgs, n);
        ask = want + (n - k);
    }
    json_t *by_id = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_loads(msgs[i].value, 0, NULL);
        const char *id = json_string_value(json_object_get(r, "action_id"));
        json_t *first = json_object_get(by_id, id);
        if (first && repeats) {
            cr_expect(json_equal(first, r), "result of %s published again, different", id);
            (*repeats)++;
            json_decref(r);
            continue;
        }
        cr_expect_null(first, "result of %s published twice", id);
        cr_expect(strstr(msgs[i].value, "4242") == NULL, "raw author id in %s", msgs[i].value);
        cr_expect(strstr(msgs[i].value, "tok-") == NULL, "token in %s", msgs[i].value);
        json_object_set_new(by_id, id, r);
    }
    test_save_messages("act-results", msgs, n);
    test_messages_free(msgs, n);
    cr_assert_eq(json_object_size(by_id), want, "%zu results of %zu", json_object_size(by_id),
                 want);
    return by_id;
}

static json_t *results(size_t want, int timeout_ms) {
    return results_repeated(want, timeout_ms, NULL);
}

/* The requests the fake received, as a new array. */
static json_t *fake_requests(void) {
    json_t *all = json_array();
    char *text = proc_slurp(fake_log);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
        json_array_append_new(all, json_loads(line, 0, NULL));
    free(text);
    return all;
}

/* How many requests at the fake are exactly req (method, path with query, body,
 * Authorization: the tenant's own token) on platform; *last gets the last of them. */
static size_t requests_like(const json_t *all, const char *platform, const struct act_request *req,
                            json_t **last) {
    size_t n = 0, i;
    json_t *r;
    json_array_foreach(all, i, r) {
        if (strcmp(json_string_value(json_object_get(r, "platform")), platform) != 0 ||
            strcmp(json_string_value(json_object_get(r, "method")), req->method) != 0 ||
            strcmp(json_string_value(json_object_get(r, "path")), req->url) != 0 ||
            strcmp(json_string_value(json_object_get(r, "body")), req->body ? req->body : "") ||
            strcmp(json_string_value(json_object_get(r, "authorization")),
                   req->authorization ? req->authorization : ""))
            continue;
        n++;
        *last = r;
    }
    return n;
}

static const char *outcome(const json_t *results, const char *action_id) {
    return json_string_value(json_object_get(json_object_get(results, action_id), "outcome"));
}

/* The headers of a request that reached the fake: the tenant's own token, as the
 * platform wants it. */
static void check_headers(const json_t *got, const char *platform, const char *token,
                          const struct act_request *req) {
    char bearer[160];
    snprintf(bearer, sizeof bearer, "Bearer %s", token);
    const char *auth = json_string_value(json_object_get(got, "authorization"));
    if (strcmp(platform, "telegram") == 0)
        cr_expect_str_eq(auth, "", "the token is in the URL");
    else
        cr_expect_str_eq(auth, bearer, "%s %s", req->method, req->url);
    cr_expect_str_eq(json_string_value(json_object_get(got, "content_type")),
                     req->content_type ? req->content_type : "", "%s", req->url);
}

static int is_bad(const struct test_message *m, void *arg) {
    char *payload = test_deadletter_payload(m);
    int match = strcmp(payload, arg) == 0;
    free(payload);
    return match;
}

static void check_deadletter(const char *bad) {
    struct test_message *msgs;
    size_t n = test_consume(TOPIC_DEADLETTER, is_bad, (void *)bad, 1, 30000, 500, &msgs);
    cr_expect_eq(n, 1, "the bad command was dead-lettered once");
    if (n) {
        cr_expect(strstr(msgs[0].value, "\"stage\":\"act\"") != NULL, "%s", msgs[0].value);
        cr_expect(strstr(msgs[0].value, "$.action_id: missing") != NULL, "%s", msgs[0].value);
    }
    test_messages_free(msgs, n);
}

/* /metrics counts the live tenant's Facebook commands: eight types done, report handed. */
static void check_metrics(int port) {
    char *m = proc_http_get(port, "/metrics"), line[256];
    snprintf(line, sizeof line,
             "vigile_act_results_total{component=\"act\",tenant=\"%s\","
             "platform=\"facebook\",outcome=\"done\"} 8\n",
             t_live);
    cr_expect(strstr(m, line) != NULL, "no %s in %s", line, m);
    snprintf(line, sizeof line,
             "vigile_act_results_total{component=\"act\",tenant=\"%s\","
             "platform=\"facebook\",outcome=\"handed_to_operator\"} 1\n",
             t_live);
    cr_expect(strstr(m, line) != NULL, "no %s", line);
    free(m);
}

/* Every type on every platform for a live tenant, the same for a tenant in shadow mode
 * and for a live tenant without credentials. */
Test(act_worker, every_type_on_every_platform_live_shadow_and_without_credentials) {
    const char *tenants[] = { t_live, t_shadow, t_nocred };
    char *cmds[3 * 6 * 9];
    size_t n = 0;
    for (size_t t = 0; t < 3; t++)
        for (size_t p = 0; p < 6; p++)
            for (size_t k = 0; k < 9; k++) {
                char content[160];
                /* Telegram's ids are "<chat>:<message>": a chat per tenant. */
                if (strcmp(platforms[p], "telegram") == 0)
                    snprintf(content, sizeof content, "-100%zu:%zu", t + 1, k + 1);
                else
                    snprintf(content, sizeof content, "%s-%s-%s", tenants[t], platforms[p],
                             types[k]);
                cmds[n++] =
                    command(tenants[t], platforms[p], types[k], content,
                            strcmp(platforms[p], "whatsapp") == 0 ? "private_message" : "comment");
            }
    int http_port = proc_free_port();
    char port[16];
    snprintf(port, sizeof port, "%d", http_port);
    setenv("VIGILE_HTTP_PORT", port, 1);
    start_act();
    produce(cmds, n);
    /* And a command that is not one: it goes to the dead letters with the reason. */
    char *bad =
        xasprintf("{\"type\":\"hide\",\"tenant\":\"%s\",\"platform\":\"facebook\"}", t_live);
    char *bad_key = xasprintf("%s|4242", t_live);
    test_produce(TOPIC_ACTIONS, bad_key, bad, strlen(bad));
    json_t *res = results(n, 60000);
    json_t *reqs = fake_requests();
    check_deadletter(bad);
    check_metrics(http_port);
    free(bad);
    free(bad_key);
    size_t done = 0, skipped = 0, handed = 0;
    for (size_t i = 0; i < n; i++) {
        struct act_action a;
        char err[256], token[128];
        cr_assert_eq(act_action_parse(cmds[i], strlen(cmds[i]), &a, err, sizeof err), 0);
        const char *platform = act_platform_name(a.platform), *out = outcome(res, a.action_id);
        snprintf(token, sizeof token, "tok-%s-%s", a.tenant, platform);
        struct act_request req;
        int possible = act_request_build(&a, "", token, &req, err, sizeof err) == 0;
        json_t *last = NULL;
        size_t seen = possible ? requests_like(reqs, platform, &req, &last) : 0;
        cr_assert_not_null(out, "no result for %s", a.action_id);
        if (strcmp(a.tenant, t_shadow) == 0) {
            cr_expect_str_eq(out, possible ? "skipped" : "handed_to_operator", "%s", a.action_id);
            cr_expect_eq(seen, 0, "shadow mode sent %s", a.action_id);
            skipped += possible;
        } else if (strcmp(a.tenant, t_nocred) == 0 || !possible) {
            cr_expect_str_eq(out, "handed_to_operator", "%s", a.action_id);
            handed++;
        } else {
            cr_expect_str_eq(out, "done", "%s", a.action_id);
            cr_expect_eq(seen, 1, "%s reached the platform %zu times", a.action_id, seen);
            if (last) check_headers(last, platform, token, &req);
            done++;
        }
        act_request_free(&req);
        act_action_free(&a);
        free(cmds[i]);
    }
    cr_log_info("act: %zu done, %zu skipped, %zu handed to an operator; %zu requests at the fake",
                done, skipped, handed, json_array_size(reqs));
    cr_expect_eq(json_array_size(reqs), done, "no request beyond the live tenant's");
    char *logged = proc_slurp(worker_log);
    cr_expect(strstr(logged, "tok-") == NULL, "a token reached the log");
    cr_expect(strstr(logged, "4242") == NULL, "a raw author id reached the log");
    cr_expect(strstr(logged, "shadow: ") != NULL, "shadow requests are logged");
    free(logged);
    json_decref(reqs);
    json_decref(res);
}

static json_int_t attempts(const json_t *results, const char *action_id) {
    return json_integer_value(json_object_get(json_object_get(results, action_id), "attempts"));
}

/* How the worker reads failures: a permanent refusal once, a 5xx again after a backoff,
 * a dropped connection again only where the call is idempotent. */
Test(act_worker, permanent_errors_once_transient_ones_again_uncertain_ones_to_a_person) {
    char rules[2048];
    snprintf(
        rules, sizeof rules,
        "[{\"match\": \"%s-gone\", \"responses\": [{\"status\": 400, \"body\": "
        "\"{\\\"error\\\":{\\\"message\\\":\\\"Object does not exist\\\",\\\"code\\\":100}}\"}]},"
        " {\"match\": \"%s-flaky\", \"responses\": [{\"status\": 503}, {\"status\": 502},"
        " {\"status\": 200, \"body\": \"{\\\"success\\\":true}\"}]},"
        " {\"match\": \"%s-drop\", \"responses\": [{\"drop\": true},"
        " {\"status\": 200, \"body\": \"{\\\"success\\\":true}\"}]},"
        " {\"match\": \"%s-lost\", \"responses\": [{\"drop\": true}]}]",
        t_live, t_live, t_live, t_live);
    fake_rules(rules);
    char *cmds[5];
    char gone[96], flaky[96], drop[96], lost[96];
    snprintf(lost, sizeof lost, "%s-lost", t_live);
    snprintf(gone, sizeof gone, "%s-gone", t_live);
    snprintf(flaky, sizeof flaky, "%s-flaky", t_live);
    snprintf(drop, sizeof drop, "%s-drop", t_live);
    cmds[0] = command(t_live, "facebook", "delete", gone, "comment");
    cmds[1] = command(t_live, "facebook", "hide", flaky, "comment");
    cmds[2] = command(t_live, "facebook", "hide", drop, "comment");
    cmds[3] = command(t_live, "facebook", "reply", drop, "comment");
    cmds[4] = command(t_live, "facebook", "reply", lost, "comment");
    start_act();
    produce(cmds, 5);
    json_t *res = results(5, 60000);
    json_t *reqs = fake_requests();
    char id[160];
    snprintf(id, sizeof id, "%s:facebook:delete", gone);
    cr_expect_str_eq(outcome(res, id), "failed_permanent");
    cr_expect_eq(attempts(res, id), 1);
    snprintf(id, sizeof id, "%s:facebook:hide", flaky);
    cr_expect_str_eq(outcome(res, id), "done");
    cr_expect_eq(attempts(res, id), 3, "two 5xx, then done");
    snprintf(id, sizeof id, "%s:facebook:hide", drop);
    cr_expect_str_eq(outcome(res, id), "done", "a hide is sent again after no answer");
    /* Sent again by vigile-act (2 attempts), or by libcurl itself when the dropped
     * connection was a reused one (1 attempt, 2 requests): either is right for a hide. */
    cr_expect(attempts(res, id) == 1 || attempts(res, id) == 2);
    snprintf(id, sizeof id, "%s:facebook:reply", drop);
    /* The hide came first on this content (one queue per content, in order), so the reply
     * met the rule's second answer: done. */
    cr_expect_str_eq(outcome(res, id), "done");
    snprintf(id, sizeof id, "%s:facebook:reply", lost);
    cr_expect_str_eq(outcome(res, id), "handed_to_operator",
                     "a reply that may have been posted is not posted again");
    size_t i, per[4] = { 0 };
    json_t *r;
    json_array_foreach(reqs, i, r) {
        const char *path = json_string_value(json_object_get(r, "path"));
        per[0] += strstr(path, gone) != NULL;
        per[1] += strstr(path, flaky) != NULL;
        per[2] += strstr(path, drop) != NULL;
        per[3] += strstr(path, lost) != NULL;
    }
    cr_expect_eq(per[3], 1, "the uncertain reply was sent once");
    cr_expect_eq(per[0], 1, "the permanent error was not retried (%zu requests)", per[0]);
    cr_expect_eq(per[1], 3);
    cr_expect_eq(per[2], 3, "hide twice, reply once");
    json_decref(reqs);
    json_decref(res);
    for (size_t k = 0; k < 5; k++) free(cmds[k]);
}

/* Ten hides for the busy tenant, whose Facebook answers as rules say, and ten for the
 * live one, whose Facebook answers at once. Returns the calls the busy tenant's hides took
 * and, in *busy_min and *calm_max, the first busy and the last calm latency. */
static size_t busy_and_calm(const char *rules, json_int_t *busy_min, json_int_t *calm_max) {
    fake_rules(rules);
    start_act(); /* first: latencies count from the commands' issue, not the start-up */
    enum { N = 10 };
    char *cmds[2 * N];
    for (int i = 0; i < N; i++) {
        char c[96];
        snprintf(c, sizeof c, "%s-storm-%d", t_busy, i);
        cmds[i] = command(t_busy, "facebook", "hide", c, "comment");
        snprintf(c, sizeof c, "%s-calm-%d", t_live, i);
        cmds[N + i] = command(t_live, "facebook", "hide", c, "comment");
    }
    produce(cmds, 2 * N);
    json_t *res = results(2 * N, 60000);
    *busy_min = -1, *calm_max = 0;
    const char *id;
    json_t *r;
    json_object_foreach(res, id, r) {
        json_int_t latency = json_integer_value(json_object_get(r, "latency_ms"));
        cr_expect_str_eq(json_string_value(json_object_get(r, "outcome")), "done", "%s", id);
        if (!strstr(id, "-storm-"))
            *calm_max = latency > *calm_max ? latency : *calm_max;
        else if (*busy_min < 0 || latency < *busy_min)
            *busy_min = latency;
    }
    json_t *reqs = fake_requests();
    size_t busy_calls = 0, i;
    json_array_foreach(reqs, i, r) busy_calls +=
        strstr(json_string_value(json_object_get(r, "path")), "-storm-") != NULL;
    cr_log_info("act: busy tenant first done after %lld ms, calm tenant all done within %lld ms; "
                "%zu calls for %d busy commands",
                (long long)*busy_min, (long long)*calm_max, busy_calls, N);
    json_decref(reqs);
    json_decref(res);
    for (int k = 0; k < 2 * N; k++) free(cmds[k]);
    return busy_calls;
}

/* A tenant whose platform answers 429 waits as the platform asks; the other tenant's
 * commands go through meanwhile. */
Test(act_worker, a_429_storm_on_one_tenant_delays_only_that_tenant) {
    char rules[512];
    json_int_t busy_min, calm_max;
    snprintf(rules, sizeof rules,
             "[{\"match\": \"Bearer tok-%s-facebook\", \"responses\": [{\"status\": 429, "
             "\"headers\": {\"Retry-After\": \"3\"}, \"body\": \"{\\\"error\\\":{\\\"message\\\":"
             "\\\"slow down\\\",\\\"code\\\":4}}\"}, {\"status\": 200, \"body\": "
             "\"{\\\"success\\\":true}\"}]}]",
             t_busy);
    size_t busy_calls = busy_and_calm(rules, &busy_min, &calm_max);
    cr_expect_geq(busy_min, 2900, "the busy tenant waited the Retry-After");
    /* Relative, not a fixed bound: under the sanitizers the worker's own pace varies, but
     * a calm tenant queued behind the busy one would finish after its first success. */
    cr_expect_lt(calm_max, busy_min, "the calm tenant did not wait behind it");
    cr_expect_eq(busy_calls, 10 + 1, "one 429, then no call until the credential rested");
}

/* A platform that answers each call after 1.5 s holds up its own tenant only: the other
 * tenant's results are committed meanwhile, so no Kafka transaction waits for it. */
Test(act_worker, a_slow_platform_delays_only_its_tenant) {
    char rules[512];
    json_int_t busy_min, calm_max;
    snprintf(rules, sizeof rules,
             "[{\"match\": \"Bearer tok-%s-facebook\", \"responses\": [{\"status\": 200, "
             "\"delay_ms\": 1500, \"body\": \"{\\\"success\\\":true}\"}]}]",
             t_busy);
    size_t busy_calls = busy_and_calm(rules, &busy_min, &calm_max);
    cr_expect_geq(busy_min, 1500, "each busy call took its 1.5 s");
    cr_expect_lt(calm_max, busy_min, "the calm tenant was done before the first slow answer");
    cr_expect_eq(busy_calls, 10, "slow is not failed: one call each");
}

/* kill -9 of vigile-act while calls are in flight, three times: every command ends with
 * one result; no reply reaches the platform twice; commands on one content reach it in
 * the order they were issued. */
Test(act_worker, kill_9_mid_stream_leaves_every_command_done_once_and_in_order) {
    fake_rules("[{\"match\": \"\", \"responses\": [{\"status\": 200, \"delay_ms\": 60, "
               "\"body\": \"{\\\"success\\\":true}\"}]}]");
    enum { CONTENTS = 20, PER = 4 };
    static const char *const seq[PER] = { "hide", "unhide", "reply", "delete" };
    const char *tenants[2] = { t_live, t_busy };
    char *cmds[2 * CONTENTS * PER];
    size_t n = 0;
    for (int t = 0; t < 2; t++)
        for (int c = 0; c < CONTENTS; c++) {
            char content[96];
            snprintf(content, sizeof content, "%s-k-%d", tenants[t], c);
            for (int k = 0; k < PER; k++)
                cmds[n++] = command(tenants[t], "facebook", seq[k], content, "comment");
        }
    start_act();
    produce(cmds, n);
    for (int kill_no = 0; kill_no < 3; kill_no++) {
        usleep(1200000);
        kill(act_pid, SIGKILL);
        proc_wait(act_pid);
        start_act();
    }
    size_t repeats = 0;
    json_t *res = results_repeated(n, 120000, &repeats);
    json_t *reqs = fake_requests();
    size_t dup_idempotent = 0, handed = 0;
    for (int t = 0; t < 2; t++)
        for (int c = 0; c < CONTENTS; c++) {
            char content[96], seen[64] = "";
            snprintf(content, sizeof content, "%s-k-%d/", tenants[t], c);
            size_t i, replies = 0;
            json_t *r;
            /* The sequence of calls on this content, one letter each, duplicates kept. */
            json_array_foreach(reqs, i, r) {
                const char *path = json_string_value(json_object_get(r, "path"));
                const char *body = json_string_value(json_object_get(r, "body"));
                char with_slash[128];
                snprintf(with_slash, sizeof with_slash, "%s", path);
                strcat(with_slash, "/");
                if (!strstr(with_slash, content) || strlen(seen) >= sizeof seen - 1) continue;
                char letter =
                    strstr(path, "/comments")                                                ? 'R'
                    : strcmp(json_string_value(json_object_get(r, "method")), "DELETE") == 0 ? 'D'
                    : strstr(body, "true")                                                   ? 'H'
                                                                                             : 'U';
                replies += letter == 'R';
                seen[strlen(seen)] = letter;
            }
            cr_expect_leq(replies, 1, "%s: a reply reached the platform %zu times", content,
                          replies);
            /* Collapse repeats (an idempotent call sent again after a kill). */
            char order[8] = "";
            for (char *p = seen; *p; p++) {
                if (p > seen && *p == p[-1]) {
                    dup_idempotent++;
                    continue;
                }
                order[strlen(order)] = *p;
            }
            char rid[160];
            snprintf(rid, sizeof rid, "%s-k-%d:facebook:reply", tenants[t], c);
            const char *ro = outcome(res, rid);
            if (ro && strcmp(ro, "handed_to_operator") == 0) {
                handed++;
                cr_expect(strcmp(order, "HUD") == 0 || strcmp(order, "HURD") == 0,
                          "%s: calls in order, got %s", content, seen);
            } else {
                cr_expect_str_eq(order, "HURD", "%s: calls in the order issued (got %s)", content,
                                 seen);
            }
        }
    cr_log_info("act: %zu commands, 3 kills; %zu idempotent calls sent again, %zu uncertain "
                "replies handed to an operator, %zu results published again",
                n, dup_idempotent, handed, repeats);
    json_decref(reqs);
    json_decref(res);
    for (size_t k = 0; k < n; k++) free(cmds[k]);
}

/* Two replicas share the work: each content is leased by one executor at a time, so no
 * call is made twice; one replica stopped mid-stream hands its partitions over in a
 * rebalance, and every command is still done once. */
Test(act_worker, two_replicas_and_a_rebalance_do_each_command_once) {
    fake_rules("[{\"match\": \"\", \"responses\": [{\"status\": 200, \"delay_ms\": 30, "
               "\"body\": \"{\\\"success\\\":true}\"}]}]");
    enum { CONTENTS = 30 };
    const char *tenants[2] = { t_live, t_busy };
    char *cmds[2 * CONTENTS * 2];
    size_t n = 0;
    for (int t = 0; t < 2; t++)
        for (int c = 0; c < CONTENTS; c++) {
            char content[96];
            snprintf(content, sizeof content, "%s-r-%d", tenants[t], c);
            cmds[n++] = command(tenants[t], "facebook", "hide", content, "comment");
            cmds[n++] = command(tenants[t], "facebook", "reply", content, "comment");
        }
    start_act();
    pid_t first = act_pid;
    char other[64];
    snprintf(other, sizeof other, "%s-b", run_id);
    setenv("VIGILE_INSTANCE_ID", other, 1);
    start_act();
    setenv("VIGILE_INSTANCE_ID", run_id, 1);
    produce(cmds, n / 2);
    usleep(800000);
    cr_expect_eq(proc_stop(act_pid), 0, "the second replica stops cleanly");
    act_pid = first;
    produce(cmds + n / 2, n - n / 2);
    json_t *res = results(n, 90000);
    json_t *reqs = fake_requests();
    const char *id;
    json_t *r;
    json_object_foreach(res, id, r)
        cr_expect_str_eq(json_string_value(json_object_get(r, "outcome")), "done", "%s", id);
    cr_expect_eq(json_array_size(reqs), n, "%zu calls for %zu commands", json_array_size(reqs), n);
    json_decref(reqs);
    json_decref(res);
    for (size_t k = 0; k < n; k++) free(cmds[k]);
}
