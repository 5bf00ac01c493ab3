/* What the SLA worker counts for the dashboards (docs/metrics.md): tickets armed and
 * timer events fired by tenant and office, and timers pending by tenant. Offices are
 * labelled only when the tenant's configuration names them ("unknown" otherwise), so the
 * label set stays bounded whatever a ticket carries. */
#include <jansson.h>
#include <pthread.h>

#include "metric_registry.h"
#include "sla_internal.h"
#include "tenant.h"

/* Pending timers are counted in Redis (ZCARD per tenant) this often, not per tick. */
#define PENDING_EVERY_MS 15000

static struct metric *armed, *fired, *pending;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void register_all(void) {
    armed = metric_counter("vigile_sla_tickets_armed_total",
                           "Tickets whose SLA timers were armed, by tenant and office",
                           (const char *const[]){ "tenant", "office", NULL });
    fired = metric_counter("vigile_sla_events_total",
                           "SLA events announced (due_soon, breached, courtesy_reply_due), "
                           "by tenant, office and timer",
                           (const char *const[]){ "tenant", "office", "timer", "event", NULL });
    pending = metric_gauge("vigile_sla_timers_pending",
                           "SLA timers armed and not yet fired or stopped, by tenant",
                           (const char *const[]){ "tenant", NULL });
}

static const char *office_label(const struct tenant *t, const char *office) {
    return t && office && tenant_office(t, office) ? office : "unknown";
}

void sla_metric_armed(const struct tenant *t, const char *office) {
    pthread_once(&once, register_all);
    metric_inc_with(armed, (const char *const[]){ tenant_id(t), office_label(t, office) });
}

void sla_metric_fired(const struct tenant *t, const struct sla_fired *f) {
    pthread_once(&once, register_all);
    /* f->tenant is the configured id claim_all asked Redis for, not input. */
    metric_inc_with(fired,
                    (const char *const[]){ f->tenant, office_label(t, f->office),
                                           sla_kind_name(f->kind), sla_event_name(f->event) });
}

void sla_metric_tenants(const struct tenant_set *tenants) {
    pthread_once(&once, register_all);
    /* Zero series for every configured office, so that a municipality's SLA panels read
     * 0 rather than nothing before its first ticket or breach. The office ids are read
     * from the tenant's document: counting, not deciding. */
    for (size_t i = 0; i < tenant_set_count(tenants); i++) {
        const struct tenant *t = tenant_set_at(tenants, i);
        const char *office;
        json_t *o;
        json_object_foreach(json_object_get(tenant_document(t), "offices"), office, o) {
            metric_with(armed, (const char *const[]){ tenant_id(t), office });
            metric_with(fired,
                        (const char *const[]){ tenant_id(t), office, sla_kind_name(SLA_RESPONSE),
                                               sla_event_name(SLA_EV_BREACHED) });
        }
    }
}

void sla_metric_pending(struct sla *s, int64_t now) {
    if (now - s->pending_at < PENDING_EVERY_MS) return;
    pthread_once(&once, register_all);
    s->pending_at = now;
    for (size_t i = 0; i < tenant_set_count(s->tenants); i++) {
        const char *tenant = tenant_id(tenant_set_at(s->tenants, i));
        long long n;
        if (sla_timers_pending(s->timers, tenant, &n) == 0)
            metric_set(metric_with(pending, (const char *const[]){ tenant }), (double)n);
    }
}
