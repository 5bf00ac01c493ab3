/* Deadlines of a ticket on its tenant's calendars (docs/sla.md, "Deadlines"). Pure
 * arithmetic over the tenant configuration: no Redis, no clock. */
#ifndef VIGILE_SLA_DUE_H
#define VIGILE_SLA_DUE_H

#include <stdint.h>

#include "tenant.h"

enum sla_kind { SLA_TAKE_CHARGE, SLA_RESPONSE, SLA_COURTESY, SLA_REMOVAL, SLA_KINDS };

/* What a timer announces when it fires. */
enum sla_event { SLA_EV_DUE_SOON, SLA_EV_BREACHED, SLA_EV_COURTESY, SLA_EVENTS };

#define SLA_NONE (-1) /* a deadline or firing instant that does not apply */

/* "take_charge", "response", "courtesy", "removal". */
const char *sla_kind_name(enum sla_kind kind);
/* The kind with that name, or -1. */
int sla_kind_parse(const char *name);
/* "due_soon", "breached", "courtesy_reply_due". */
const char *sla_event_name(enum sla_event ev);
/* The event with that name, or -1. */
int sla_event_parse(const char *name);

struct sla_deadlines {
    int64_t received_at;
    int64_t taken_at;       /* first moderation instant at or after arrival */
    int64_t due[SLA_KINDS]; /* each kind's deadline, or SLA_NONE */
    /* When each kind's events fire, or SLA_NONE: every kind has at most a warning and a
     * final event (breached, or courtesy_reply_due for the courtesy reply). */
    int64_t fire[SLA_KINDS][SLA_EVENTS];
};

/* Computes the deadlines of a ticket received at received_ms on tenant t. removal says
 * whether the content must come down (the ticket's removal flag and a severity at or above
 * the tenant's removal_min_severity); the removal deadline applies only then. Returns 0,
 * or -1 when a calendar never opens within BIZCAL_HORIZON_DAYS. */
int sla_deadlines_compute(const struct tenant *t, int64_t received_ms, int removal,
                          struct sla_deadlines *d);

/* Whether the tenant has deadlines of this kind at all (for `vigile-sla due`). */
int sla_kind_applies(const struct tenant *t, enum sla_kind kind);

#endif
