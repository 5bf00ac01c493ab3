/* Content its author deleted (withdraw.c). Internal to the route stage. */
#ifndef VIGILE_ROUTE_WITHDRAW_H
#define VIGILE_ROUTE_WITHDRAW_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "route_router.h"
#include "stage.h"

/* A deletion by the author (env's event_type "deleted"): appends a "resolve" operator event
 * for every decision that opened tickets on the same content. Returns STAGE_OK, or
 * STAGE_RETRY with a reason when the state store is unavailable. */
enum stage_status route_withdraw(struct router *r, const struct tenant *t, const json_t *env,
                                 int64_t now_ms, struct stage_outputs *out, char *reason, size_t n);

#endif
