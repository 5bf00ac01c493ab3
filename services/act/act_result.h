/* The record of what became of one command, published on vigile.action-results
 * (docs/schemas/action-result.schema.json). */
#ifndef VIGILE_ACT_RESULT_H
#define VIGILE_ACT_RESULT_H

#include <stdint.h>

#include "act_action.h"
#include "act_request.h"

enum act_outcome {
    OUTCOME_DONE,               /* the platform did it */
    OUTCOME_SKIPPED,            /* shadow mode: logged, not sent */
    OUTCOME_FAILED_PERMANENT,   /* the platform refused it for good; not retried */
    OUTCOME_HANDED_TO_OPERATOR, /* a person must do it: reason says why */
};

struct act_result_info {
    enum act_outcome outcome;
    int live;                      /* the tenant's mode */
    int attempts;                  /* calls made */
    long status;                   /* the last HTTP status, 0 for none */
    const char *error;             /* what the platform or network said, or NULL */
    const char *reason;            /* Italian, for the operator, or NULL */
    const struct act_request *req; /* the request (sent, or that would be), or NULL */
    const char *token;             /* redacted from the request's URL */
    int64_t call_ms;               /* duration of the last call, 0 for none */
    int64_t now_ms;                /* when the outcome was settled */
};

/* The result message for a as a new JSON string (caller frees). Borrows everything. */
char *act_result_json(const struct act_action *a, const struct act_result_info *info);
const char *act_outcome_name(enum act_outcome outcome);

#endif
