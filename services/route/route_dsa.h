/* The DSA statement of reasons of a decision (dsa.c). Internal to the route stage. */
#ifndef VIGILE_ROUTE_DSA_H
#define VIGILE_ROUTE_DSA_H

#include <jansson.h>

#include "route_verdict.h"

/* The DSA statement-of-reasons fields of a restrictive decision, or JSON null when
 * nothing was restricted. Returns a new reference. */
json_t *route_dsa(const struct verdict *v, const json_t *env, const char *statement,
                  const char *decided_at);

#endif
