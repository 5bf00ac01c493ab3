/* vigile-route: vigile.classified and vigile.operator → decisions, platform commands and
 * tickets. */
#include "route.h"
#include "service.h"
#include "topics.h"

static const char *const inputs[] = { TOPIC_CLASSIFIED, TOPIC_OPERATOR, NULL };

static int open_stage(struct stage *stage, const struct settings *cfg, struct tenant_set *tenants,
                      struct state_store *state, char *err, size_t n) {
    struct router *r = router_new(tenants, state, cfg->pseudonym_key, err, n);
    if (!r) return -1;
    *stage = (struct stage){ .name = "route",
                             .input_topics = inputs,
                             .process = router_stage,
                             .prepare = router_prepare,
                             .ctx = r };
    return 0;
}

static int reload_stage(struct stage *stage, struct tenant_set *tenants, char *err, size_t n) {
    return router_reload(stage->ctx, tenants, err, n);
}

static void close_stage(struct stage *stage) { router_free(stage->ctx); }

static const struct service_def route_def = {
    .name = "route",
    .summary = "Reads classified envelopes from vigile.classified and applies each tenant's\n"
               "policy, and operators' overturns and confirmations from vigile.operator:\n"
               "decisions to vigile.decisions and vigile.decisions.<tenant>, platform commands\n"
               "to vigile.actions, tickets to vigile.escalations; strikes and bans in Redis.",
    .uses_state = 1,
    .stage_open = open_stage,
    .stage_reload = reload_stage,
    .stage_close = close_stage,
};

int main(int argc, char **argv) { return service_main(argc, argv, &route_def); }
