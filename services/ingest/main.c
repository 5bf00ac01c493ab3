/* vigile-ingest: where citizens' events enter Vigile. Without options it serves the
 * platform webhooks (webhook_server.h); with --replay it produces a file of JSON lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "health.h"
#include "http.h"
#include "ingest_config.h"
#include "log.h"
#include "metrics.h"
#include "pipeline_metrics.h"
#include "replay.h"
#include "service.h"
#include "timefmt.h"
#include "webhook_server.h"
#include "worker.h"

/* After SIGTERM, how long queued messages may take to reach the broker. Their requests
 * have been answered already (200 only after acknowledgement), so this is only tidiness. */
#define SHUTDOWN_FLUSH_MS 5000

static const char usage[] =
    "Usage: vigile-ingest [--replay FILE|-]\n\n"
    "Without options, serves the platform webhooks (Meta, Telegram, YouTube poller,\n"
    "generic connectors) on VIGILE_INGEST_PORT and produces their events to vigile.inbound,\n"
    "answering 200 only once the broker has them (docs/ingest.md).\n"
    "With --replay, produces JSON lines (envelopes or platform payloads) from FILE or\n"
    "stdin to vigile.inbound, dead-lettering invalid ones, with progress on stderr.";

/* --help and --version, with ingest's own variables under the synopsis. Returns 1 when
 * one was handled. */
static int std_options(int argc, char **argv) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) abort();
    fputs(usage, f);
    ingest_config_print_help(f);
    if (fclose(f) != 0) abort();
    int handled = service_std_options(argc, argv, "vigile-ingest", text);
    free(text);
    return handled;
}

/* Swaps in a new tenant set after SIGHUP if it loads and every platform it uses has its
 * secret; otherwise the old one stays. *tenants is the set in force, owned. */
static void reload(const struct settings *cfg, struct webhook_server *web,
                   struct tenant_set **tenants) {
    worker_reload_requested = 0;
    struct tenant_set *fresh = service_load_tenants(cfg->config_dir);
    struct ingest_config check;
    char err[512];
    if (fresh && ingest_config_load(&check, fresh, err, sizeof err)) {
        log_error("config: %s", err);
        tenant_set_free(fresh);
        fresh = NULL;
    }
    if (!fresh) {
        metrics_add(METRIC_RELOAD_FAILURES, 1);
        log_error("configuration reload refused; the previous configuration stays in force");
        return;
    }
    webhook_server_swap_tenants(web, fresh); /* no request uses the old set after this */
    tenant_set_free(*tenants);
    *tenants = fresh;
    metrics_add(METRIC_RELOADS, 1);
    pipeline_metric_config_loaded();
    log_info("configuration reloaded");
}

/* Serves until SIGTERM, reloading *tenants (owned) on SIGHUP. Returns the exit code. */
static int serve(const struct settings *cfg, struct tenant_set **tenants) {
    struct ingest_config icfg;
    char err[512];
    if (ingest_config_load(&icfg, *tenants, err, sizeof err)) {
        log_error("config: %s", err);
        return EXIT_BAD_CONFIG;
    }
    /* A claim outlives the longest a request can wait for the broker, with room to spare. */
    long pending_ttl = icfg.ack_timeout_ms / 1000 + 60;
    struct dedup *dedup = dedup_new(cfg->redis_url, icfg.dedup_ttl_s, pending_ttl, err,
                                    sizeof err);
    if (!dedup) {
        log_error("config: %s", err);
        return EXIT_BAD_CONFIG;
    }
    int code = EXIT_RUNTIME;
    struct http_server *ops = NULL;
    struct health_watch *watch = health_redis_watch_start(cfg->redis_url, err, sizeof err);
    struct webhook_server *web = NULL;
    struct delivery *delivery = delivery_new(cfg->kafka_brokers, err, sizeof err);
    if (!delivery) {
        log_error("kafka: %s", err);
        goto out;
    }
    if (cfg->http_port && !(ops = http_server_start(cfg->http_port, "ingest", err, sizeof err))) {
        log_error("%s", err);
        goto out;
    }
    if (!(web = webhook_server_start(&icfg, *tenants, dedup, delivery, err, sizeof err))) {
        log_error("%s", err);
        goto out;
    }
    log_info("serving webhooks on port %d", icfg.port);
    pipeline_metric_config_loaded();
    while (worker_running) {
        health_heartbeat(); /* requests are served by MHD's threads; this one only waits */
        if (worker_reload_requested) reload(cfg, web, tenants);
        nanosleep(&(struct timespec){ 0, 100 * 1000000L }, NULL);
    }
    log_info("stopping: finishing the requests in hand");
    code = EXIT_CLEAN;
out:
    webhook_server_stop(web);
    delivery_free(delivery, SHUTDOWN_FLUSH_MS);
    http_server_stop(ops);
    health_redis_watch_stop(watch);
    dedup_free(dedup);
    return code;
}

int main(int argc, char **argv) {
    if (std_options(argc, argv)) return EXIT_CLEAN;
    int replay = argc == 3 && strcmp(argv[1], "--replay") == 0;
    if (argc != 1 && !replay) {
        fprintf(stderr, "%s\n", usage);
        return EXIT_BAD_CONFIG;
    }
    struct settings cfg;
    if (service_init("ingest", &cfg)) return EXIT_BAD_CONFIG;
    struct tenant_set *tenants = service_load_tenants(cfg.config_dir);
    int code = EXIT_BAD_CONFIG;
    if (tenants) {
        code = replay ? ingest_replay(&cfg, tenants, argv[2]) : serve(&cfg, &tenants);
        tenant_set_free(tenants);
    }
    settings_free(&cfg);
    return code;
}
