/* State shared by the stage's input side (sla_stage.c) and its timer side (sla_fire.c). */
#ifndef VIGILE_SLA_INTERNAL_H
#define VIGILE_SLA_INTERNAL_H

#include "sla.h"
#include "sla_timers.h"

struct sla {
    struct tenant_set *tenants; /* owned */
    struct sla_timers *timers;  /* owned */
    int64_t lease_ms;
    /* Timers claimed and announced in the open batch, forgotten when it commits. While
     * they are here nothing new is claimed: if the batch is abandoned, the worker does
     * not say so, and only the lease running out tells that they are due again. */
    struct sla_claim handed;
    int64_t handed_at;
    /* 1: handed's batch committed but Redis failed to forget them; the ticks forget them
     * first (and claim nothing new), before their leases would announce them again. */
    int committed;
    int64_t retry_at; /* after a Redis failure, no claim before this */
    int backoff_ms;
    int64_t pending_at; /* when pending timers were last counted (metrics) */
};

/* The stage's metrics (sla_metrics.c). Borrowed arguments; t may be NULL. */
void sla_metric_armed(const struct tenant *t, const char *office);
void sla_metric_fired(const struct tenant *t, const struct sla_fired *f);
/* Makes every configured office's ticket and breach series, at zero. */
void sla_metric_tenants(const struct tenant_set *tenants);
/* Refreshes the pending-timers gauge when it is due (every few seconds). */
void sla_metric_pending(struct sla *s, int64_t now);

#endif
