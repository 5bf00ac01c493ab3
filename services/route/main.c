/* vigile-route: vigile.classified → decisions, platform commands and tickets. */
#include <stdio.h>
#include <stdlib.h>

#include "route.h"
#include "service.h"
#include "topics.h"
#include "xmalloc.h"

static const char *const inputs[] = { TOPIC_CLASSIFIED, TOPIC_OPERATOR, NULL };

struct route_service {
    struct state_store state;
    struct router *router;
};

static enum stage_status process(void *ctx, const struct stage_input *in,
                                 struct stage_outputs *out, char *reason, size_t n) {
    struct route_service *rs = ctx;
    return router_stage(rs->router, in, out, reason, n);
}

static int open_stage(struct stage *stage, const struct settings *cfg, struct tenant_set *tenants,
                      char *err, size_t n) {
    struct route_service *rs = xcalloc(1, sizeof *rs);
    if (state_redis_init(&rs->state, cfg->redis_url, err, n)) {
        tenant_set_free(tenants);
        free(rs);
        return -1;
    }
    rs->router = router_new(tenants, &rs->state, cfg->pseudonym_key, err, n);
    if (!rs->router) {
        state_store_free(&rs->state);
        free(rs);
        return -1;
    }
    *stage = (struct stage){ .name = "route", .input_topics = inputs, .process = process, .ctx = rs };
    return 0;
}

static int reload_stage(struct stage *stage, struct tenant_set *tenants, char *err, size_t n) {
    struct route_service *rs = stage->ctx;
    return router_reload(rs->router, tenants, err, n);
}

static void close_stage(struct stage *stage) {
    struct route_service *rs = stage->ctx;
    router_free(rs->router);
    state_store_free(&rs->state);
    free(rs);
}

static const struct service_def route_def = {
    "route",
    "Reads classified envelopes from vigile.classified and applies each tenant's policy,\n"
    "and operators' overturns and confirmations from vigile.operator:\n"
    "decisions to vigile.decisions and vigile.decisions.<tenant>, platform commands to\n"
    "vigile.actions, tickets to vigile.escalations; strikes and bans in Redis.",
    open_stage, reload_stage, close_stage,
};

int main(int argc, char **argv) {
    return service_main(argc, argv, &route_def);
}
