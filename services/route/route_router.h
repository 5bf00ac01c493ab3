/* The router the route stage's files share; not an API. Each file's own functions are
 * in its header (route_emit.h, route_record.h, ...), so that the files include what they
 * use and no header ties them in a circle. */
#ifndef VIGILE_ROUTE_ROUTER_H
#define VIGILE_ROUTE_ROUTER_H

#include <jansson.h>
#include <stdint.h>

#include "parsed_ahead.h"
#include "stage.h"
#include "state.h"
#include "tenant.h"

/* How long route keeps its records in the state store (decisions for overturns, the
 * decisions per content for deletions): appeals under the DSA may come within six months;
 * keep a margin. */
#define ROUTE_RECORD_TTL_MS (200LL * 24 * 3600 * 1000)

/* A decision made ahead for an input of the batch (router_prepare): its effects are
 * committed, its outputs wait for router_stage to publish them. */
struct decided_ahead {
    char *tenant, *event_id;  /* owned */
    struct stage_outputs out; /* owned: what router_stage appends */
    int escalated;            /* the decision opened tickets still to remember for its
                                 content (route_remember_tickets) */
    int taken;                /* used once: a retry of the input decides by itself */
};

struct router {
    struct tenant_set *tenants;
    struct state_store *state;   /* borrowed */
    const char *pseudonym_key;   /* borrowed */
    struct decided_ahead *ahead; /* the last prepared batch's decisions */
    size_t n_ahead, cap_ahead;
    struct parsed_ahead parsed; /* the last prepared batch's envelopes */
};

/* Decides envs[0..n) (borrowed, valid classified envelopes of known tenants, no two
 * of one author or of one content, none a deletion) with one lookup and one commit round
 * trip for all, remembers the contents of those that opened tickets in two more, and
 * keeps each one's outputs in r->ahead for router_stage. When the store fails nothing is
 * kept: each input then decides by itself, from the records of what was committed. */
void route_decide_ahead(struct router *r, json_t *const *envs, size_t n, int64_t now_ms);

#endif
