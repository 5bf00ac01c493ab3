/* vigile-console: the moderators' console. Serves the page and its API, and keeps the
 * read model up to date from the topics; `vigile-console user ...` manages accounts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console_cli.h"
#include "console_worker.h"
#include "http.h"
#include "kafka.h"
#include "log.h"
#include "service.h"
#include "topics.h"
#include "worker.h"

static const char usage[] =
    "Usage: vigile-console [--help] [--version]\n"
    "       vigile-console user add|passwd|grant|disable ...   (see vigile-console user)\n\n"
    "Serves the moderators' console on $VIGILE_CONSOLE_PORT (default 8090) and keeps its\n"
    "read model ($VIGILE_CONSOLE_DIR/read.db, default console-data) up to date from\n"
    "vigile.decisions, vigile.escalations, vigile.sla and vigile.operator.\n"
    "VIGILE_CONSOLE_WEB_DIR: the page's files (default: the source tree's).\n"
    "VIGILE_CONSOLE_TRUST_USER_HEADER: a header in which a reverse proxy names the user it\n"
    "authenticated (off by default; only behind a proxy that sets it on every request).";

struct console_proc {
    const struct settings *cfg;
    const char *web_dir;      /* borrowed from the environment or a literal */
    const char *proxy_header; /* VIGILE_CONSOLE_TRUST_USER_HEADER, or NULL (off) */
    int http_lost;            /* a reload could not serve the page again */
    struct tenant_set *tenants;
    struct console_store *store;
    sqlite3 *accounts, *api_read;
    rd_kafka_t *ops, *dead;       /* producers: operator events, dead letters */
    struct http_server *ops_http; /* /healthz, /metrics */
    struct console_http *http;
    struct console_checker *checker; /* drafts: the classifier with its data */
    struct console_api api;
};

static int env_int(const char *name, int def) {
    const char *v = getenv(name);
    return v && *v ? atoi(v) : def;
}

static int open_stores(struct console_proc *p, char *err, size_t n) {
    char *read = console_dir_path("read.db"), *acc = console_dir_path("accounts.db");
    p->store = console_store_open(read, p->tenants, err, n);
    /* the HTTP thread reads through its own connection; WAL keeps it off the writer's way */
    if (p->store) p->api_read = console_db_open(read, "", err, n);
    if (p->api_read) p->accounts = console_accounts_open(acc, err, n);
    free(read);
    free(acc);
    return p->accounts ? 0 : -1;
}

static int start(struct console_proc *p, const struct settings *cfg, char *err, size_t n) {
    if (open_stores(p, err, n)) return EXIT_BAD_CONFIG;
    size_t nt = tenant_set_count(p->tenants);
    const char **ids = xcalloc(nt, sizeof *ids);
    for (size_t i = 0; i < nt; i++) ids[i] = tenant_id(tenant_set_at(p->tenants, i));
    int rc;
    while ((rc = topics_ensure(cfg->kafka_brokers, ids, nt, cfg->partitions, err, n)) &&
           worker_running) {
        log_warn("%s; retrying in 2 s", err);
        sleep(2);
    }
    free(ids);
    if (rc) return EXIT_RUNTIME;
    p->ops = kafka_producer_new(cfg->kafka_brokers, NULL, NULL, NULL, err, n);
    p->dead = p->ops ? kafka_producer_new(cfg->kafka_brokers, NULL, NULL, NULL, err, n) : NULL;
    if (!p->dead) return EXIT_RUNTIME;
    if (!(p->checker = console_checker_new(cfg->data_dir, cfg->config_dir, err, n)))
        return EXIT_BAD_CONFIG;
    p->api = (struct console_api){ p->api_read,        p->accounts, p->tenants,
                                   console_emit_kafka, p->ops,      p->checker };
    if (cfg->http_port && !(p->ops_http = http_server_start(cfg->http_port, "console", err, n)))
        return EXIT_BAD_CONFIG;
    const char *web = getenv("VIGILE_CONSOLE_WEB_DIR");
    p->web_dir = web && *web ? web : CONSOLE_WEB_DIR;
    p->proxy_header = getenv("VIGILE_CONSOLE_TRUST_USER_HEADER");
    if (p->proxy_header && !*p->proxy_header) p->proxy_header = NULL;
    if (p->proxy_header) log_warn("console: trusting the user named in %s", p->proxy_header);
    p->http = console_http_start(env_int("VIGILE_CONSOLE_PORT", 8090), p->web_dir, &p->api,
                                 p->proxy_header, err, n);
    if (!p->http) return EXIT_BAD_CONFIG;
    log_info("console: serving on port %d", console_http_port(p->http));
    return EXIT_CLEAN;
}

/* SIGHUP: the configuration (and the page's files) read again. The new tenants and
 * checker are built first, so a bad configuration changes nothing; the HTTP server then
 * stops between requests, the swap happens, and it serves again on the same port. */
static int reload(void *arg) {
    struct console_proc *p = arg;
    char err[512] = "";
    struct tenant_set *set = service_load_tenants(p->cfg->config_dir);
    struct console_checker *checker =
        set ? console_checker_new(p->cfg->data_dir, p->cfg->config_dir, err, sizeof err) : NULL;
    if (!checker) {
        if (err[0]) log_error("reload: %s", err);
        log_error("reload refused: the old configuration stays");
        tenant_set_free(set);
        return -1;
    }
    int port = console_http_port(p->http);
    console_http_stop(p->http);
    console_checker_free(p->checker);
    tenant_set_free(p->tenants);
    p->tenants = set;
    p->api.tenants = set;
    p->checker = p->api.checker = checker;
    console_store_set_tenants(p->store, set);
    if (!(p->http =
              console_http_start(port, p->web_dir, &p->api, p->proxy_header, err, sizeof err))) {
        log_error("reload: %s; stopping", err);
        p->http_lost = 1;
        worker_running = 0;
        return -1;
    }
    log_info("console: configuration reloaded");
    return 0;
}

static void stop(struct console_proc *p) {
    console_http_stop(p->http);
    http_server_stop(p->ops_http);
    rd_kafka_t *producers[] = { p->ops, p->dead };
    for (size_t i = 0; i < 2; i++) {
        if (!producers[i]) continue;
        if (rd_kafka_flush(producers[i], 10000)) log_warn("console: events left unsent at exit");
        rd_kafka_destroy(producers[i]);
    }
    console_checker_free(p->checker);
    console_db_close(p->accounts);
    console_db_close(p->api_read);
    console_store_close(p->store);
    tenant_set_free(p->tenants);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "user") == 0) return console_user_main(argc, argv);
    if (service_std_options(argc, argv, "vigile-console", usage)) return EXIT_CLEAN;
    struct settings cfg;
    if (service_init("console", &cfg)) return EXIT_BAD_CONFIG;
    struct console_proc p = { .cfg = &cfg };
    char err[512];
    int code = EXIT_BAD_CONFIG;
    if ((p.tenants = service_load_tenants(cfg.config_dir)) &&
        (code = start(&p, &cfg, err, sizeof err)) == EXIT_CLEAN) {
        char *group = xasprintf("%s-console-%s", cfg.group_prefix, cfg.instance_id);
        struct worker_hooks hooks = { reload, &p };
        code = console_feed_run(p.store, cfg.kafka_brokers, group, p.dead, &hooks);
        if (p.http_lost) code = EXIT_RUNTIME;
        free(group);
    } else if (p.tenants) {
        log_error("console: %s", err);
    }
    stop(&p);
    settings_free(&cfg);
    log_info("console: stopped (exit %d)", code);
    return code;
}
