/* vigile-act's own Prometheus series: results by tenant, platform and outcome
 * (vigile_act_results_total), and platform calls by platform and verdict
 * (vigile_act_calls_total), served on /metrics beside the shell's counters. */
#ifndef VIGILE_ACT_METRICS_H
#define VIGILE_ACT_METRICS_H

#include "act_action.h"
#include "act_http.h"
#include "act_result.h"

/* Registers the series with /metrics. Call once, before the threads start. */
void act_metrics_register(void);
/* Counts a settled command; tenant is copied. Thread-safe. */
void act_metrics_result(const char *tenant, enum act_platform p, enum act_outcome outcome);
/* Counts a platform call by its verdict. Thread-safe. */
void act_metrics_call(enum act_platform p, enum act_verdict verdict);

#endif
