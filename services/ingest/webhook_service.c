#include "webhook_service.h"

#include <stdlib.h>

#include "dedup.h"
#include "delivery.h"
#include "ingest_config.h"
#include "log.h"
#include "webhook_server.h"
#include "xmalloc.h"

/* After SIGTERM, how long queued messages may take to reach the broker. Their requests
 * have been answered already (200 only after acknowledgement), so this is only tidiness. */
#define SHUTDOWN_FLUSH_MS 5000

struct webhook_service {
    struct ingest_config cfg;
    struct tenant_set *tenants; /* in force; the server borrows it */
    struct dedup *dedup;
    struct delivery *delivery;
    struct webhook_server *web;
};

static void service_free(struct webhook_service *ws) {
    webhook_server_stop(ws->web);
    if (ws->delivery) delivery_free(ws->delivery, SHUTDOWN_FLUSH_MS);
    dedup_free(ws->dedup);
    tenant_set_free(ws->tenants);
    free(ws);
}

/* Opens what ws serves with; returns 0, -1 (configuration) or -2 (unavailable). */
static int service_start(struct webhook_service *ws, const struct settings *cfg, char *err,
                         size_t n) {
    if (ingest_config_load(&ws->cfg, ws->tenants, err, n)) return -1;
    /* A claim outlives the longest a request can wait for the broker, with room to spare. */
    long pending_ttl = ws->cfg.ack_timeout_ms / 1000 + 60;
    ws->dedup = dedup_new(cfg->redis_url, ws->cfg.dedup_ttl_s, pending_ttl, err, n);
    if (!ws->dedup) return -1;
    if (!(ws->delivery = delivery_new(cfg->kafka_brokers, err, n))) return -2;
    ws->web = webhook_server_start(&ws->cfg, ws->tenants, ws->dedup, ws->delivery, err, n);
    if (!ws->web) return -2;
    log_info("serving webhooks on port %d", ws->cfg.port);
    return 0;
}

int webhook_service_open(struct stage *stage, const struct settings *cfg,
                         struct tenant_set *tenants, struct state_store *state, char *err,
                         size_t n) {
    (void)state;
    struct webhook_service *ws = xcalloc(1, sizeof *ws);
    ws->tenants = tenants;
    int rc = service_start(ws, cfg, err, n);
    if (rc) {
        service_free(ws);
        return rc;
    }
    *stage = (struct stage){ .name = "ingest", .ctx = ws };
    return 0;
}

int webhook_service_reload(struct stage *stage, struct tenant_set *tenants, char *err, size_t n) {
    struct webhook_service *ws = stage->ctx;
    struct ingest_config check;
    if (ingest_config_load(&check, tenants, err, n)) {
        tenant_set_free(tenants);
        return -1;
    }
    webhook_server_swap_tenants(ws->web, tenants); /* no request uses the old set after this */
    tenant_set_free(ws->tenants);
    ws->tenants = tenants;
    return 0;
}

void webhook_service_close(struct stage *stage) {
    log_info("stopping: finishing the requests in hand");
    service_free(stage->ctx);
}
