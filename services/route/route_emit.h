/* What route writes: decisions, platform commands and tickets (emit.c). Internal to the route stage. */
#ifndef VIGILE_ROUTE_EMIT_H
#define VIGILE_ROUTE_EMIT_H

#include <jansson.h>
#include <stdint.h>

#include "route_verdict.h"
#include "stage.h"
#include "tenant.h"

/* Appends the decision, platform commands and tickets that follow from v. Returns the
 * decision as published (a new string of *len bytes); *escalated is 1 when it opened
 * tickets. */
char *route_emit(const struct tenant *t, const json_t *env, const char *author,
                 const struct verdict *v, int64_t now_ms, struct stage_outputs *out, size_t *len,
                 int *escalated);

/* Appends decision (borrowed) to vigile.decisions and vigile.decisions.<tenant>, keyed
 * by env's key. */
void route_publish_decision(const char *tenant, const json_t *env, const json_t *decision,
                            struct stage_outputs *out);
/* The same with the decision serialized already: len bytes of value (borrowed). */
void route_publish_decision_bytes(const char *tenant, const json_t *env, const char *value,
                                  size_t len, struct stage_outputs *out);

/* Appends a platform command of type about env's content; text may be NULL. */
void route_command(const struct tenant *t, const json_t *env, const char *type, const char *text,
                   int64_t now_ms, struct stage_outputs *out);

#endif
