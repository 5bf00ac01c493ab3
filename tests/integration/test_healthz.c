/* /healthz tells the truth about a worker's dependencies (common/health.h): ok while
 * Redis and the broker answer, 503 "degraded" naming the one that does not while it is
 * down, even with no message flowing, and ok again once it is back. The test runs a
 * redis-server of its own so that stopping it disturbs no other test. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka_util.h"
#include "proc_util.h"
#include "xmalloc.h"

/* Polls /healthz for up to timeout_s until its reply holds both status_line and
 * needle. Returns the last reply (new). */
static char *health_until(int port, const char *status_line, const char *needle, int timeout_s) {
    char *reply = xstrdup("");
    for (int i = 0; i < timeout_s * 5; i++) {
        free(reply);
        reply = proc_http_get(port, "/healthz");
        if (strstr(reply, status_line) && strstr(reply, needle)) break;
        usleep(200 * 1000);
    }
    return reply;
}

Test(healthz, redis_down_is_degraded_until_it_is_back, .timeout = 120) {
    char run_id[64], log[] = "/tmp/vigile-health-XXXXXX";
    snprintf(run_id, sizeof run_id, "health%d", (int)getpid());
    close(mkstemp(log));
    proc_test_env(run_id);
    test_brokers();
    int redis_port = proc_free_port(), http_port = proc_free_port();
    char *url = xasprintf("redis://127.0.0.1:%d", redis_port);
    char *hp = xasprintf("%d", http_port);
    setenv("VIGILE_REDIS_URL", url, 1);
    setenv("VIGILE_HTTP_PORT", hp, 1);
    pid_t redis = proc_start_redis(redis_port, NULL, NULL);
    pid_t classify = proc_start_worker("classify", log);
    cr_assert(proc_log_contains(log, "\"msg\":\"running", 60), "classify did not start");

    char *r = health_until(http_port, "200 OK", "\"status\":\"ok\"", 10);
    cr_expect(strstr(r, "200 OK") && strstr(r, "\"status\":\"ok\""), "%s", r);
    free(r);

    cr_assert_eq(proc_stop(redis), 0);
    /* The watch's PING names Redis whether or not a message is in hand (the stage may
     * be retrying one of the backlog too, and say so after it). */
    char *why = xasprintf("\"reason\":\"redis: 127.0.0.1:%d: ", redis_port);
    r = health_until(http_port, " 503 ", why, 10);
    cr_expect(strstr(r, " 503 ") && strstr(r, "\"status\":\"degraded\"") && strstr(r, why),
              "Redis down: %s", r);
    free(why);
    free(r);

    redis = proc_start_redis(redis_port, NULL, NULL);
    r = health_until(http_port, "200 OK", "\"status\":\"ok\"", 10);
    cr_expect(strstr(r, "200 OK") && strstr(r, "\"status\":\"ok\"") && !strstr(r, "reason"),
              "Redis back: %s", r);
    free(r);

    cr_expect_eq(proc_stop(classify), 0, "classify exits cleanly");
    proc_stop(redis);
    unlink(log);
    free(url);
    free(hp);
}

Test(healthz, broker_down_is_degraded_until_it_is_back, .timeout = 300) {
    char run_id[64], log[] = "/tmp/vigile-health-XXXXXX";
    snprintf(run_id, sizeof run_id, "healthk%d", (int)getpid());
    close(mkstemp(log));
    proc_test_env(run_id);
    struct proc_broker b;
    proc_broker_init(&b);
    proc_broker_start(&b);
    int http_port = proc_free_port();
    char *brokers = xasprintf("127.0.0.1:%d", b.port), *hp = xasprintf("%d", http_port);
    setenv("VIGILE_KAFKA_BROKERS", brokers, 1);
    setenv("VIGILE_HTTP_PORT", hp, 1);
    pid_t classify = proc_start_worker("classify", log);
    cr_assert(proc_log_contains(log, "\"msg\":\"running", 90), "classify did not start");

    char *r = health_until(http_port, "200 OK", "\"status\":\"ok\"", 10);
    cr_expect(strstr(r, "200 OK"), "%s", r);
    free(r);

    proc_broker_stop(&b);
    r = health_until(http_port, " 503 ", "kafka: all brokers down", 30);
    cr_expect(strstr(r, " 503 ") && strstr(r, "\"status\":\"degraded\"") &&
                  strstr(r, "\"reason\":\"kafka: all brokers down"),
              "broker down, no message in flight: %s", r);
    free(r);

    proc_broker_start(&b);
    r = health_until(http_port, "200 OK", "\"status\":\"ok\"", 60);
    cr_expect(strstr(r, "200 OK") && strstr(r, "\"status\":\"ok\""), "broker back: %s", r);
    free(r);

    cr_expect_eq(proc_stop(classify), 0, "classify exits cleanly");
    proc_broker_stop(&b);
    proc_broker_remove(&b);
    unlink(log);
    free(brokers);
    free(hp);
}
