/* What every worker promises operators, checked on vigile-route as it really runs:
 * --help and --version, exit code 2 naming the file and path of a bad config, /healthz
 * and /metrics over HTTP, SIGHUP reloading a good config and refusing a bad one while
 * the old one stays in force, and exit 0 after SIGTERM. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka_util.h"
#include "proc_util.h"
#include "xmalloc.h"

#define ROUTE BUILD_DIR "/services/vigile-route"

static void env_for_route(const char *config_dir, int port) {
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    setenv("VIGILE_CONFIG_DIR", config_dir, 1);
    setenv("VIGILE_HTTP_PORT", p, 1);
    setenv("VIGILE_PSEUDONYM_KEY", "test-key", 1);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "test-svc%d", (int)getpid());
    setenv("VIGILE_GROUP_PREFIX", prefix, 1);
    setenv("VIGILE_INSTANCE_ID", prefix, 1);
}

Test(service, help_and_version_exit_zero) {
    char *help[] = { ROUTE, "--help", NULL }, *version[] = { ROUTE, "--version", NULL };
    char log[] = "/tmp/vigile-svc-help-XXXXXX";
    close(mkstemp(log));
    cr_expect_eq(proc_wait(proc_start(help, log)), 0);
    char *out = proc_slurp(log);
    cr_expect(strstr(out, "VIGILE_KAFKA_BROKERS") && strstr(out, "Exit codes"), "%s", out);
    free(out);
    cr_expect_eq(proc_wait(proc_start(version, log)), 0);
    out = proc_slurp(log);
    cr_expect(strncmp(out, "vigile-route ", 13) == 0, "%s", out);
    free(out);
    unlink(log);
}

Test(service, bad_config_exits_2_naming_file_and_path) {
    char log[] = "/tmp/vigile-svc-bad-XXXXXX";
    close(mkstemp(log));
    env_for_route(TESTS_DIR "/fixtures/config-bad/wrong-type", 0);
    char *argv[] = { ROUTE, NULL };
    cr_expect_eq(proc_wait(proc_start(argv, log)), 2);
    char *out = proc_slurp(log);
    char *expected = proc_slurp(TESTS_DIR "/fixtures/config-bad/wrong-type/expected.txt");
    /* Every problem the checker finds is logged, naming the file and the JSON path. */
    int lines = 0;
    for (char *line = strtok(expected, "\n"); line; line = strtok(NULL, "\n"), lines++) {
        const char *from_tenants = strstr(line, "tenants/");
        cr_expect(from_tenants && strstr(out, from_tenants), "missing \"%s\" in %s", line, out);
    }
    cr_expect(lines >= 1);
    free(expected);
    free(out);

    env_for_route(SOURCE_DIR "/config", 0);
    unsetenv("VIGILE_PSEUDONYM_KEY");
    cr_expect_eq(proc_wait(proc_start(argv, log)), 2);
    out = proc_slurp(log);
    cr_expect(strstr(out, "VIGILE_PSEUDONYM_KEY: missing"), "%s", out);
    free(out);
    unlink(log);
}

Test(service, health_metrics_reload_and_clean_exit, .timeout = 120) {
    test_brokers();
    char dir[] = "/tmp/vigile-svc-config-XXXXXX", log[] = "/tmp/vigile-svc-log-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    close(mkstemp(log));
    char *cmd = xasprintf("cp -r %s/config/. %s/", SOURCE_DIR, dir);
    cr_assert_eq(system(cmd), 0);
    free(cmd);
    int port = proc_free_port();
    env_for_route(dir, port);
    char *argv[] = { ROUTE, NULL };
    pid_t pid = proc_start(argv, log);
    cr_assert(proc_log_contains(log, "\"msg\":\"running", 60), "route did not start");

    char *health = proc_http_get(port, "/healthz");
    cr_expect(strstr(health, "200 OK") && strstr(health, "\"status\":\"ok\""), "%s", health);
    char *metrics = proc_http_get(port, "/metrics");
    cr_expect(strstr(metrics, "vigile_messages_in_total{component=\"route\"}"), "%s", metrics);
    free(health);
    free(metrics);

    /* A broken tenant file is refused; the old config stays and the worker goes on. */
    char *tenant = xasprintf("%s/tenants/lecce.json", dir);
    FILE *f = fopen(tenant, "w");
    fputs("{ \"id\": \"lecce\", ", f);
    fclose(f);
    kill(pid, SIGHUP);
    cr_expect(proc_log_contains(log, "configuration reload refused", 30), "bad reload not refused");
    cr_expect(proc_log_contains(log, "lecce.json", 1), "the refused file is named");
    health = proc_http_get(port, "/healthz");
    cr_expect(strstr(health, "200 OK"), "still healthy after a refused reload: %s", health);
    free(health);

    /* Restored, the next SIGHUP is accepted. */
    cmd = xasprintf("cp %s/config/tenants/lecce.json %s", SOURCE_DIR, tenant);
    cr_assert_eq(system(cmd), 0);
    free(cmd);
    kill(pid, SIGHUP);
    cr_expect(proc_log_contains(log, "configuration reloaded", 30), "good reload not accepted");

    kill(pid, SIGTERM);
    cr_expect_eq(proc_wait(pid), 0, "exit code after SIGTERM");
    cr_expect(proc_log_contains(log, "stopped cleanly", 1));
    free(tenant);
    cmd = xasprintf("rm -rf %s %s", dir, log);
    system(cmd);
    free(cmd);
}
