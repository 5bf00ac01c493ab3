/* /healthz tells the truth about a worker's dependencies (common/health.h): ok while
 * Redis and the broker answer, 503 "degraded" naming the one that does not while it is
 * down, even with no message flowing, and ok again once it is back. The test runs a
 * redis-server of its own so that stopping it disturbs no other test. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka_util.h"
#include "proc_util.h"
#include "xmalloc.h"

/* Polls /healthz for up to timeout_s until its reply holds both status_line and
 * needle. Returns the last reply (new). */
static char *health_until(int port, const char *status_line, const char *needle,
                          int timeout_s) {
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
    pid_t redis = proc_start_redis(redis_port);
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

    redis = proc_start_redis(redis_port);
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

/* A broker of the test's own, started through scripts/servers.sh (the way test.sh starts
 * the shared one) by a bash that waits for it: stopping the JVM ends the bash, which is
 * our child, so nothing is left running or unreaped. */
struct broker {
    char dir[64];
    int port, controller_port;
    pid_t shell, jvm;
};

static int broker_answers(int port) {
    char *cmd = xasprintf("kcat -L -b 127.0.0.1:%d -m 2 2>/dev/null | grep -q ' 1 brokers:'",
                          port);
    int ok = system(cmd) == 0;
    free(cmd);
    return ok;
}

/* Starts the broker on b's dir and ports (again, after broker_stop) and waits until it
 * answers. */
static void broker_start(struct broker *b) {
    char *pidfile = xasprintf("%s/jvm.pid", b->dir), *log = xasprintf("%s/shell.log", b->dir);
    unlink(pidfile);
    char *script = xasprintf("source %s/scripts/servers.sh && vigile_kafka_start %s %d %d && "
                             "echo $VIGILE_KAFKA_PID > %s && wait $VIGILE_KAFKA_PID",
                             SOURCE_DIR, b->dir, b->port, b->controller_port, pidfile);
    char *argv[] = { "/bin/bash", "-c", script, NULL };
    b->shell = proc_start(argv, log);
    int up = 0;
    for (int i = 0; i < 180 && !(up = broker_answers(b->port)); i++) usleep(500 * 1000);
    char *pid = proc_slurp(pidfile);
    b->jvm = atoi(pid);
    cr_assert(up && b->jvm > 0, "the test's broker did not start: %s", proc_slurp(log));
    free(pid);
    free(script);
    free(log);
    free(pidfile);
}

static void broker_stop(struct broker *b) {
    kill(b->jvm, SIGTERM); /* Kafka shuts down cleanly on SIGTERM, keeping its data */
    proc_wait(b->shell);
}

Test(healthz, broker_down_is_degraded_until_it_is_back, .timeout = 300) {
    char run_id[64], log[] = "/tmp/vigile-health-XXXXXX";
    snprintf(run_id, sizeof run_id, "healthk%d", (int)getpid());
    close(mkstemp(log));
    proc_test_env(run_id);
    struct broker b = { .port = proc_free_port(), .controller_port = proc_free_port() };
    snprintf(b.dir, sizeof b.dir, "/tmp/vigile-health-kafka-XXXXXX");
    cr_assert_not_null(mkdtemp(b.dir));
    broker_start(&b);
    int http_port = proc_free_port();
    char *brokers = xasprintf("127.0.0.1:%d", b.port), *hp = xasprintf("%d", http_port);
    setenv("VIGILE_KAFKA_BROKERS", brokers, 1);
    setenv("VIGILE_HTTP_PORT", hp, 1);
    pid_t classify = proc_start_worker("classify", log);
    cr_assert(proc_log_contains(log, "\"msg\":\"running", 90), "classify did not start");

    char *r = health_until(http_port, "200 OK", "\"status\":\"ok\"", 10);
    cr_expect(strstr(r, "200 OK"), "%s", r);
    free(r);

    broker_stop(&b);
    r = health_until(http_port, " 503 ", "kafka: all brokers down", 30);
    cr_expect(strstr(r, " 503 ") && strstr(r, "\"status\":\"degraded\"") &&
                  strstr(r, "\"reason\":\"kafka: all brokers down"),
              "broker down, no message in flight: %s", r);
    free(r);

    broker_start(&b);
    r = health_until(http_port, "200 OK", "\"status\":\"ok\"", 60);
    cr_expect(strstr(r, "200 OK") && strstr(r, "\"status\":\"ok\""), "broker back: %s", r);
    free(r);

    cr_expect_eq(proc_stop(classify), 0, "classify exits cleanly");
    broker_stop(&b);
    char *rm = xasprintf("rm -rf %s", b.dir);
    system(rm);
    free(rm);
    unlink(log);
    free(brokers);
    free(hp);
}
