/* What route counts for the dashboards (docs/metrics.md): decisions by tenant, category,
 * action and enforcement step; strikes, warnings and bans; the time from ingest to the
 * decision. Tenants come from the configuration (router_decide refuses unknown ones
 * before anything is counted) and the rest from fixed vocabularies, so the label sets
 * are bounded. */
#include <pthread.h>

#include "envelope.h"
#include "metric_registry.h"
#include "route_metrics.h"
#include "timefmt.h"

static struct metric *decisions, *strikes, *warnings, *bans, *latency;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void register_all(void) {
    decisions =
        metric_counter("vigile_decisions_total",
                       "Decisions made, by tenant, the category behind the action, "
                       "action and enforcement step",
                       (const char *const[]){ "tenant", "category", "action", "step", NULL });
    strikes = metric_counter("vigile_strikes_total", "Strikes counted, by tenant",
                             (const char *const[]){ "tenant", NULL });
    warnings = metric_counter("vigile_warnings_total", "Warnings given on the strike ladder",
                              (const char *const[]){ "tenant", NULL });
    bans = metric_counter("vigile_bans_total",
                          "Bans applied (temporary, permanent) or proposed to a moderator",
                          (const char *const[]){ "tenant", "kind", NULL });
    latency = metric_histogram(
        "vigile_decision_latency_seconds", "From an event's received_at at ingest to its decision",
        (const char *const[]){ "tenant", NULL }, metric_seconds_buckets, metric_seconds_nbuckets);
}

void route_metric_tenants(const struct tenant_set *tenants) {
    pthread_once(&once, register_all);
    /* Zero series from the start: a tenant's panels and increase() need no first event. */
    for (size_t i = 0; i < tenant_set_count(tenants); i++) {
        const char *const tenant[] = { tenant_id(tenant_set_at(tenants, i)) };
        metric_with(strikes, tenant);
        metric_with(warnings, tenant);
    }
}

static const char *ban_kind(const struct verdict *v) {
    if (v->ban_until == STATE_BAN_FOREVER) return "permanent";
    if (v->ban_until) return "temporary";
    return v->ban_proposed ? "proposed" : NULL;
}

void route_metric_decision(const char *tenant, const struct verdict *v, const json_t *env,
                           int64_t now_ms) {
    pthread_once(&once, register_all);
    const char *category = v->rule ? v->rule->category : "none";
    metric_inc_with(decisions,
                    (const char *const[]){ tenant, category, tenant_action_name(v->action),
                                           tenant_step_name(v->step) });
    if (v->strike && v->strikes > 0) metric_inc_with(strikes, (const char *const[]){ tenant });
    if (v->step == TENANT_STEP_WARN) metric_inc_with(warnings, (const char *const[]){ tenant });
    const char *kind = ban_kind(v);
    if (kind) metric_inc_with(bans, (const char *const[]){ tenant, kind });
    int64_t received;
    if (rfc3339_parse(envelope_str(env, "received_at"), &received) == 0 && received <= now_ms)
        metric_observe(metric_with(latency, (const char *const[]){ tenant }),
                       (double)(now_ms - received) / 1000.0);
}
