/* Operator events from vigile.operator (operator.c). Internal to the route stage. */
#ifndef VIGILE_ROUTE_OPERATOR_H
#define VIGILE_ROUTE_OPERATOR_H

#include <stddef.h>
#include <stdint.h>

#include "route_router.h"
#include "stage.h"

/* Handles an operator event from vigile.operator (overturn, confirm; ack, reply and
 * resolve are the SLA's and need nothing here). */
enum stage_status route_operator(struct router *r, const char *buf, size_t len, int64_t now_ms,
                                 struct stage_outputs *out, char *reason, size_t n);

#endif
