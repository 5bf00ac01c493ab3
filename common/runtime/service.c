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

/* --help and --version: the synopsis, the summary and the service's own variables.
 * Returns 1 when one was handled. */
static int std_options(int argc, char **argv, const char *program, const struct service_def *def) {
    char *usage = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&usage, &len);
    if (!f) abort();
    fprintf(f, "Usage: %s [--help] [--version]\n\n%s", program, def->summary);
    if (def->print_help) def->print_help(f);
    if (fclose(f) != 0) abort();
    int handled = service_std_options(argc, argv, program, usage);
    free(usage);
    return handled;
}

int service_main(int argc, char **argv, const struct service_def *def) {
    char program[64], err[512];
    snprintf(program, sizeof program, "vigile-%s", def->name);
    if (std_options(argc, argv, program, def)) return EXIT_CLEAN;
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
    if (!def->serves_itself && ensure_topics(&cfg, set)) {
        tenant_set_free(set);
        code = worker_running ? EXIT_RUNTIME : EXIT_CLEAN;
        goto out;
    }
    int opened =
        def->stage_open(&stage, &cfg, set, def->uses_state ? &state : NULL, err, sizeof err);
    if (opened) {
        log_error(opened == -2 ? "%s" : "config: %s", err); /* set was stolen */
        code = opened == -2 ? EXIT_RUNTIME : EXIT_BAD_CONFIG;
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
    code = def->serves_itself ? worker_wait(&hooks) : worker_run(&cfg, &stage, &hooks);
    def->stage_close(&stage);
out:
    health_redis_watch_stop(watch);
    http_server_stop(http);
    state_store_free(&state);
    settings_free(&cfg);
    return code;
}
