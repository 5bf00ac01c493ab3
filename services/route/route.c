#include "route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "route_metrics.h"
#include "route_operator.h"
#include "route_router.h"
#include "timefmt.h"
#include "topics.h"
#include "xmalloc.h"

struct router *router_new(struct tenant_set *tenants, struct state_store *state,
                          const char *pseudonym_key, char *err, size_t n) {
    if (!pseudonym_key || !*pseudonym_key) {
        snprintf(err, n, "VIGILE_PSEUDONYM_KEY: missing (decisions name authors by pseudonym)");
        tenant_set_free(tenants);
        return NULL;
    }
    struct router *r = xcalloc(1, sizeof *r);
    r->tenants = tenants;
    route_metric_tenants(tenants);
    r->state = state;
    r->pseudonym_key = pseudonym_key;
    return r;
}

int router_reload(struct router *r, struct tenant_set *tenants, char *err, size_t n) {
    (void)err, (void)n;
    tenant_set_free(r->tenants);
    r->tenants = tenants;
    route_metric_tenants(tenants);
    return 0;
}

void router_free(struct router *r) {
    if (!r) return;
    tenant_set_free(r->tenants);
    free(r);
}

enum stage_status router_stage(void *ctx, const struct stage_input *in,
                               struct stage_outputs *out, char *reason, size_t n) {
    if (strcmp(in->topic, TOPIC_OPERATOR) == 0)
        return route_operator(ctx, in->payload, in->len, time_now_ms(), out, reason, n);
    json_t *env = envelope_parse(in->payload, in->len, ENVELOPE_STRICT, reason, n);
    if (!env) return STAGE_REJECT;
    enum stage_status st = router_decide(ctx, env, time_now_ms(), out, reason, n);
    json_decref(env);
    return st;
}
