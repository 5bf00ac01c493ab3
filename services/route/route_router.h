/* The router the route stage's files share; not an API. Each file's own functions are
 * in its header (route_emit.h, route_record.h, ...), so that the files include what they
 * use and no header ties them in a circle. */
#ifndef VIGILE_ROUTE_ROUTER_H
#define VIGILE_ROUTE_ROUTER_H

#include "stage.h"
#include "state.h"
#include "tenant.h"

/* How long route keeps its records in the state store (decisions for overturns, the
 * decisions per content for deletions): appeals under the DSA may come within six months;
 * keep a margin. */
#define ROUTE_RECORD_TTL_MS (200LL * 24 * 3600 * 1000)

struct router {
    struct tenant_set *tenants;
    struct state_store *state;   /* borrowed */
    const char *pseudonym_key;   /* borrowed */
};

#endif
