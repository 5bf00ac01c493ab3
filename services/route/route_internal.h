/* Shared between the files of the route stage; not an API. */
#ifndef VIGILE_ROUTE_INTERNAL_H
#define VIGILE_ROUTE_INTERNAL_H

#include <jansson.h>
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
    struct state_store *state;   /* borrowed */
    const char *pseudonym_key;   /* borrowed */
    struct lookup_ahead *ahead;  /* the last prepared batch's lookups */
    size_t n_ahead, cap_ahead;
};

/* state_decision_lookup, answered from what router_prepare asked ahead when it asked
 * this very question and the answer is not used yet. */
int route_lookup(struct router *r, const char *tenant, const char *author,
                 const char *event_id, int64_t ts, int64_t window,
                 struct state_author_view *view, char **record);

/* What the policy says about one envelope, with the clauses behind it. */
struct verdict {
    enum tenant_action action;
    const struct tenant_category_rule *rule; /* the rule behind the action, if one is */
    const char *clause;          /* the clause when no category rule decided (hold, ban) */
    const char *template_id;     /* statement of reasons or reply */
    int severity;                /* highest among the labels' rules */
    double min_score;            /* lowest score among labels whose rule removes */
    double model_score;          /* > 0: the action's rule came from a label only the
                                    statistical scorer found, with this score */
    int strike, ban_at_once, report_police, needs_review;
    long strikes;                /* in the window, this one included */
    enum tenant_step step;
    const struct tenant_strike_step *step_rule; /* NULL for a ban at once */
    int64_t ban_until;           /* ban applied now: end, STATE_BAN_FOREVER, or 0 */
    int64_t ban_in_force_until;  /* the author was already banned until then, or 0 */
    int64_t ban_proposed;        /* ban end a moderator must confirm, or 0 */
    json_t *policy_refs;         /* array of clauses applied; owned by the caller */
};

/* Whether an action restricts the content's visibility (the DSA's "visibility" decisions). */
static inline int route_removes(enum tenant_action a) {
    return a == TENANT_ACTION_DELETE || a == TENANT_ACTION_HIDE || a == TENANT_ACTION_HOLD;
}

/* The DSA statement-of-reasons fields of a restrictive decision, or JSON null when
 * nothing was restricted. Returns a new reference. */
json_t *route_dsa(const struct verdict *v, const json_t *env, const char *statement,
                  const char *decided_at);

/* Appends the decision, platform commands and tickets that follow from v. Returns the
 * decision (new reference). */
json_t *route_emit(const struct tenant *t, const json_t *env, const char *author,
                   const struct verdict *v, int64_t now_ms, struct stage_outputs *out);

/* Appends decision (borrowed) to vigile.decisions and vigile.decisions.<tenant>, keyed
 * by env's key. */
void route_publish_decision(const char *tenant, const json_t *env, const json_t *decision,
                            struct stage_outputs *out);

/* Appends a platform command of type about env's content; text may be NULL. */
void route_command(const struct tenant *t, const json_t *env, const char *type,
                   const char *text, int64_t now_ms, struct stage_outputs *out);

/* The record of a decision (record.c): the decision, the author's raw id, the ban it
 * applied or proposed, and the state it was decided from (view, decided_ms). Returns a
 * new string. */
char *route_record_dump(const json_t *env, const struct verdict *v, const json_t *decision,
                        const struct state_author_view *view, int64_t decided_ms);

/* Reads back the state a record's decision was made from. Returns 0, or -1 when record
 * is not a decision record. */
int route_record_read(const char *record, struct state_author_view *view, int64_t *decided_ms);

/* Ban ends in records: STATE_BAN_FOREVER is -1 there. */
json_int_t route_until_to_json(int64_t until);
int64_t route_until_from_json(const json_t *v);

/* Remembers decision's id for its content when it opened tickets, for a later deletion.
 * Returns 0, or -1 when the state store is unavailable. */
int route_remember_tickets(struct router *r, const struct tenant *t, const json_t *env,
                           const json_t *decision);

/* A deletion by the author (env's event_type "deleted"): appends a "resolve" operator event
 * for every decision that opened tickets on the same content. Returns STAGE_OK, or
 * STAGE_RETRY with a reason when the state store is unavailable. */
enum stage_status route_withdraw(struct router *r, const struct tenant *t, const json_t *env,
                                 int64_t now_ms, struct stage_outputs *out, char *reason,
                                 size_t n);

/* Handles an operator event from vigile.operator (overturn, confirm; ack, reply and
 * resolve are the SLA's and need nothing here). */
enum stage_status route_operator(struct router *r, const char *buf, size_t len, int64_t now_ms,
                                 struct stage_outputs *out, char *reason, size_t n);

#endif
