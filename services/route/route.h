/* vigile-route's stage: what the tenant's policy says must happen to a classified
 * envelope, and why. Outputs: a decision for dashboards (vigile.decisions and the
 * tenant's own vigile.decisions.<tenant>, author pseudonymous, text redacted), platform
 * commands with the raw ids connectors need (vigile.actions), and tickets for people
 * (vigile.escalations). Strikes and bans live in the state store. */
#ifndef VIGILE_ROUTE_H
#define VIGILE_ROUTE_H

#include <jansson.h>
#include <stddef.h>

#include "stage.h"
#include "state.h"
#include "tenant.h"

struct router;

/* Steals tenants (also on failure); state and pseudonym_key are borrowed and must
 * outlive the router. Returns NULL with the reason in err. */
struct router *router_new(struct tenant_set *tenants, struct state_store *state,
                          const char *pseudonym_key, char *err, size_t errlen);
/* Swaps in a new tenant set (stolen). Returns 0. */
int router_reload(struct router *r, struct tenant_set *tenants, char *err, size_t errlen);
void router_free(struct router *r); /* NULL-safe */

/* Decides on a classified envelope (borrowed), appending its outputs. now_ms is the
 * decision time. Returns STAGE_OK, STAGE_REJECT with a reason, or STAGE_RETRY when the
 * state store is unavailable. */
enum stage_status router_decide(struct router *r, const json_t *env, int64_t now_ms,
                                struct stage_outputs *out, char *reason, size_t n);

/* The stage function for the worker shell (ctx: the router): classified envelopes from
 * vigile.classified, operator events from vigile.operator. */
enum stage_status router_stage(void *ctx, const struct stage_input *in, struct stage_outputs *out,
                               char *reason, size_t n);

/* stage.prepare for the worker shell (ctx: the router): decides the inputs (borrowed)
 * with one lookup and one commit round trip for all, where that cannot change a decision
 * (router_prepare in route.c says when); router_stage then publishes each decision once. */
void router_prepare(void *ctx, const struct stage_input *in, size_t n);

#endif
