/* The router the route stage's files share; not an API. Each file's own functions are
 * in its header (route_emit.h, route_record.h, ...), so that the files include what they
 * use and no header ties them in a circle. */
#ifndef VIGILE_ROUTE_ROUTER_H
#define VIGILE_ROUTE_ROUTER_H

#include <stdint.h>

#include "stage.h"
#include "state.h"
#include "tenant.h"

/* How long route keeps its records in the state store (decisions for overturns, the
 * decisions per content for deletions): appeals under the DSA may come within six months;
 * keep a margin. */
#define ROUTE_RECORD_TTL_MS (200LL * 24 * 3600 * 1000)

/* A decision lookup asked ahead for an input of the batch (router_prepare). */
struct lookup_ahead {
    char *tenant, *author, *event_id; /* owned */
    int64_t ts, window;
    struct state_author_view view;
    char *record; /* owned, or NULL */
    int taken;    /* used once: a retry of the input asks the store again */
};

struct router {
    struct tenant_set *tenants;
    struct state_store *state;  /* borrowed */
    const char *pseudonym_key;  /* borrowed */
    struct lookup_ahead *ahead; /* the last prepared batch's lookups */
    size_t n_ahead, cap_ahead;
};

/* state_decision_lookup, answered from what router_prepare asked ahead when it asked
 * this very question and the answer is not used yet. */
int route_lookup(struct router *r, const char *tenant, const char *author, const char *event_id,
                 int64_t ts, int64_t window, struct state_author_view *view, char **record);

#endif
