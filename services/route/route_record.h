/* The records route keeps in the state store (record.c). Internal to the route stage. */
#ifndef VIGILE_ROUTE_RECORD_H
#define VIGILE_ROUTE_RECORD_H

#include <jansson.h>
#include <stdint.h>

#include "route_router.h"
#include "route_verdict.h"
#include "state.h"

/* The record of a decision: the decision (decision_len bytes of JSON, borrowed, as
 * published), the author's raw id, the ban it applied or proposed, and the state it was
 * decided from (view, decided_ms). Returns a new string. */
char *route_record_dump(const json_t *env, const struct verdict *v, const char *decision,
                        size_t decision_len, const struct state_author_view *view,
                        int64_t decided_ms);

/* Reads back the state a record's decision was made from. Returns 0, or -1 when record
 * is not a decision record. */
int route_record_read(const char *record, struct state_author_view *view, int64_t *decided_ms);

/* Whether env is the delivery of its event that record was decided from: the same
 * received_at, the instant ingest took the platform's request. 0 means the platform sent
 * the event again and ingest could not tell (its claim had expired after a crash): that
 * event is decided already and its outputs committed, since the first delivery precedes
 * this one in the partition. A record or input without received_at counts as the same
 * delivery. */
int route_record_same_delivery(const char *record, const json_t *env);

/* Ban ends in records: STATE_BAN_FOREVER is -1 there. */
json_int_t route_until_to_json(int64_t until);
int64_t route_until_from_json(const json_t *v);

/* The decision ids remembered for env's content (new reference; an empty array when
 * none), or NULL when the state store is unavailable. */
json_t *route_content_decisions(struct router *r, const struct tenant *t, const json_t *env);

/* Remembers the id of env's decision for its content when the decision opened tickets
 * (escalated), for a later deletion. Returns 0, or -1 when the state store is
 * unavailable. */
int route_remember_tickets(struct router *r, const struct tenant *t, const json_t *env,
                           int escalated);

/* route_remember_tickets of envs[0..n) (borrowed, decisions that opened tickets, on
 * tenants ts[0..n), no two of one content) in two round trips for all. Returns 0, or -1
 * when the state store is unavailable: any of them may then have been remembered, and
 * remembering one again is harmless. */
int route_remember_tickets_many(struct router *r, const struct tenant *const *ts,
                                const json_t *const *envs, size_t n);

#endif
