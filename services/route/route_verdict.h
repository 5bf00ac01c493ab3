/* What route decided about one envelope, as decide.c builds it and emit.c, dsa.c and
 * record.c write it out. Internal to the route stage. */
#ifndef VIGILE_ROUTE_VERDICT_H
#define VIGILE_ROUTE_VERDICT_H

#include <jansson.h>
#include <stdint.h>

#include "state.h"
#include "tenant.h"

/* What the policy says about one envelope, with the clauses behind it. */
struct verdict {
    enum tenant_action action;
    const struct tenant_category_rule *rule; /* the rule behind the action, if one is */
    const char *clause;      /* the clause when no category rule decided (hold, ban) */
    const char *template_id; /* statement of reasons or reply */
    int severity;            /* highest among the labels' rules */
    double min_score;        /* lowest score among labels whose rule removes */
    double model_score;      /* > 0: the action's rule came from a label only the
                                    statistical scorer found, with this score */
    int strike, ban_at_once, report_police, needs_review;
    long strikes; /* in the window, this one included */
    enum tenant_step step;
    const struct tenant_strike_step *step_rule; /* NULL for a ban at once */
    int64_t ban_until;                          /* ban applied now: end, STATE_BAN_FOREVER, or 0 */
    int64_t ban_in_force_until;                 /* the author was already banned until then, or 0 */
    int64_t ban_proposed;                       /* ban end a moderator must confirm, or 0 */
    /* The removal a moderator's confirmation applies: asked for by labels that may not
     * act alone (a model's below the removal threshold or beside criticism, quoted
     * abuse), harsher than the action taken; TENANT_ACTION_NONE when there is none. */
    enum tenant_action proposed;
    const struct tenant_category_rule *proposed_rule;
    json_t *policy_refs; /* array of clauses applied; owned by the caller */
};

/* Whether an action restricts the content's visibility (the DSA's "visibility" decisions). */
static inline int route_removes(enum tenant_action a) {
    return a == TENANT_ACTION_DELETE || a == TENANT_ACTION_HIDE || a == TENANT_ACTION_HOLD;
}

#endif
