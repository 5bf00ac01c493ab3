/* Redis goes away under a running vigile-route: the envelope in hand is neither dropped
 * nor committed past; when Redis is back, its decision comes out, once. The test runs a
 * redis-server of its own so that killing it disturbs no other test. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka_util.h"
#include "proc_util.h"
#include "topics.h"
#include "xmalloc.h"

static char run_id[64];

static int ours(const struct test_message *m, void *arg) {
    char *want = xasprintf("\"decision_id\":\"%s-%s\"", run_id, (const char *)arg);
    int ok = strstr(m->value, want) != NULL;
    free(want);
    return ok;
}

static void produce_classified(const char *event) {
    char *v = xasprintf(
        "{\"schema\":{\"name\":\"vigile.envelope\",\"version\":1},\"event_id\":\"%s-%s\","
        "\"tenant\":\"cassino\",\"platform\":\"facebook\",\"kind\":\"comment\",\"content_id\":"
        "\"c\","
        "\"author\":{\"id\":\"a-%s\"},\"text\":\"x\",\"redacted_text\":\"x\","
        "\"created_at\":\"2026-02-01T10:00:00Z\",\"received_at\":\"2026-02-01T10:00:00Z\","
        "\"classification\":{\"labels\":[{\"category\":\"insult\",\"score\":0.9,\"severity\":"
        "\"medium\",\"rule_id\":\"t\",\"policy_ref\":\"T: «x»\",\"spans\":[]}],\"engine\":\"t\","
        "\"classified_at\":\"2026-02-01T10:00:00Z\"}}",
        run_id, event, run_id);
    char *key = xasprintf("cassino|a-%s", run_id);
    test_produce(TOPIC_CLASSIFIED, key, v, strlen(v));
    free(key);
    free(v);
}

Test(outage, redis_down_holds_the_envelope_until_it_is_back, .timeout = 180) {
    snprintf(run_id, sizeof run_id, "out%d", (int)getpid());
    proc_test_env(run_id);
    int port = proc_free_port();
    char *url = xasprintf("redis://127.0.0.1:%d", port);
    setenv("VIGILE_REDIS_URL", url, 1);
    free(url);
    test_brokers();
    pid_t redis = proc_start_redis(port, NULL, NULL);
    pid_t route = proc_start_worker("route", NULL);

    produce_classified("before");
    struct test_message *m;
    size_t n = test_consume(TOPIC_DECISIONS, ours, "before", 1, 90000, 0, &m);
    cr_assert_eq(n, 1, "a decision while Redis is up");
    test_messages_free(m, n);

    cr_assert_eq(proc_stop(redis), 0);
    produce_classified("during");
    n = test_consume(TOPIC_DECISIONS, ours, "during", 1, 6000, 0, &m);
    cr_expect_eq(n, 0, "no decision without its strike in Redis");
    test_messages_free(m, n);

    redis = proc_start_redis(port, NULL, NULL);
    n = test_consume(TOPIC_DECISIONS, ours, "during", 1, 60000, 3000, &m);
    cr_expect_eq(n, 1, "the held envelope is decided once Redis is back, once");
    cr_expect(n && strstr(m[0].value, "\"step\":\"warn\""), "its strike was counted");
    test_messages_free(m, n);

    cr_expect_eq(proc_stop(route), 0, "route exits cleanly");
    proc_stop(redis);
}
