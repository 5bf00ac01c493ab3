/* What route counts for the dashboards (route_metrics.c, docs/metrics.md). Internal to
 * the route stage. */
#ifndef VIGILE_ROUTE_METRICS_H
#define VIGILE_ROUTE_METRICS_H

#include <jansson.h>
#include <stdint.h>

#include "route_verdict.h"
#include "tenant.h"

/* Counts a decision first made now; env is borrowed. */
void route_metric_decision(const char *tenant, const struct verdict *v, const json_t *env,
                           int64_t now_ms);

/* Makes every configured tenant's strike and warning series, at zero. */
void route_metric_tenants(const struct tenant_set *tenants);

#endif
