#include "service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "health.h"
#include "http.h"
#include "log.h"
#include "pipeline_metrics.h"
#include "timefmt.h"
#include "topics.h"
#include "worker.h"
#include "xmalloc.h"

int service_std_options(int argc, char **argv, const char *program, const char *usage) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--version") == 0) {
            printf("%s %s\n", program, VIGILE_VERSION);
            return 1;
        }
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("%s\n", usage);
            settings_print_help(stdout);
            printf("\nExit codes: 0 clean shutdown, 1 runtime failure, 2 bad configuration.\n");
            return 1;
        }
    }
    return 0;
}

int service_init(const char *component, struct settings *cfg) {
    char err[512];
    enum log_level level = LOG_INFO;
    log_init(component, level);
    if (settings_load(cfg, err, sizeof err)) {
        log_error("config: %s", err);
        return -1;
    }
    if (log_level_parse(cfg->log_level, &level)) {
        log_error("config: VIGILE_LOG_LEVEL: \"%s\" is not debug, info, warn or error",
                  cfg->log_level);
        settings_free(cfg);
        return -1;
    }
    log_init(component, level);
    worker_install_signals();
    return 0;
}

struct tenant_set *service_load_tenants(const char *dir) {
    char err[8192];
    struct tenant_set *set = tenant_set_load(dir, err, sizeof err);
    if (!set) {
        /* One log line per problem: the loader separates them with newlines. */
        for (char *line = strtok(err, "\n"); line; line = strtok(NULL, "\n"))
            log_error("config: %s", line);
    }
    return set;
}

/* Creates the topics, waiting for the broker if it is not up yet: in a fresh compose
 * stack the workers may start before Kafka answers. */
static int ensure_topics(const struct settings *cfg, const struct tenant_set *set) {
    size_t n = tenant_set_count(set);
    const char **ids = xcalloc(n + 1, sizeof *ids);
    for (size_t i = 0; i < n; i++) ids[i] = tenant_id(tenant_set_at(set, i));
    char err[512];
    int rc;
    while ((rc = topics_ensure(cfg->kafka_brokers, ids, n, cfg->partitions, err, sizeof err)) &&
           worker_running) {
        log_warn("%s; retrying in 2 s", err);
        sleep(2);
    }
    free(ids);
    return rc;
}

struct reload_ctx {
    const struct service_def *def;
    struct stage *stage;
    const struct settings *cfg;
};

static int reload(void *arg) {
    struct reload_ctx *rc = arg;
    struct tenant_set *set = service_load_tenants(rc->cfg->config_dir);
    if (!set) return -1;
    char err[512];
    if (rc->def->stage_reload(rc->stage, set, err, sizeof err)) {
        log_error("reload: %s", err);
        return -1;
    }
    return 0;
}

int service_main(int argc, char **argv, const struct service_def *def) {
    char program[64], usage[512], err[512];
    snprintf(program, sizeof program, "vigile-%s", def->name);
    snprintf(usage, sizeof usage, "Usage: %s [--help] [--version]\n\n%s", program, def->summary);
    if (service_std_options(argc, argv, program, usage)) return EXIT_CLEAN;
    if (argc > 1) {
        fprintf(stderr, "%s: unknown option %s (see --help)\n", program, argv[1]);
        return EXIT_BAD_CONFIG;
    }
    struct settings cfg;
    if (service_init(def->name, &cfg)) return EXIT_BAD_CONFIG;

    int code = EXIT_BAD_CONFIG;
    struct http_server *http = NULL;
    struct health_watch *watch = NULL;
    struct stage stage = { 0 };
    struct state_store state = { 0 };
    struct tenant_set *set = service_load_tenants(cfg.config_dir);
    if (!set) goto out;
    if (def->uses_state && state_redis_init(&state, cfg.redis_url, err, sizeof err)) {
        log_error("config: %s", err);
        tenant_set_free(set);
        goto out;
    }
    if (ensure_topics(&cfg, set)) {
        tenant_set_free(set);
        code = worker_running ? EXIT_RUNTIME : EXIT_CLEAN;
        goto out;
    }
    if (def->stage_open(&stage, &cfg, set, def->uses_state ? &state : NULL, err, sizeof err)) {
        log_error("config: %s", err); /* set was stolen */
        goto out;
    }
    pipeline_metric_config_loaded();
    if (cfg.http_port && !(http = http_server_start(cfg.http_port, def->name, err, sizeof err))) {
        log_error("%s", err);
        def->stage_close(&stage);
        goto out;
    }
    /* Redis is watched only where a stage needs it; the URL was checked above. */
    if (def->uses_state) watch = health_redis_watch_start(cfg.redis_url, err, sizeof err);
    struct reload_ctx rctx = { def, &stage, &cfg };
    struct worker_hooks hooks = { reload, &rctx };
    code = worker_run(&cfg, &stage, &hooks);
    def->stage_close(&stage);
out:
    health_redis_watch_stop(watch);
    http_server_stop(http);
    state_store_free(&state);
    settings_free(&cfg);
    return code;
}
