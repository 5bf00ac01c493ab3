/* Labelled Prometheus metrics that any stage can register and bump without knowing HTTP
 * (docs/metrics.md). A family (name, help, type, label names) is registered once and
 * lives as long as the process; its series, one per combination of label values, are
 * made on first use. metrics_render() (metrics.c) writes them all for /metrics.
 *
 * The hot path takes no lock: a series that exists is found by a lock-free probe of the
 * family's table and bumped with relaxed atomics. Only the first use of a combination
 * takes the family's mutex. Each family holds at most METRIC_MAX_SERIES series, so that a
 * label fed by mistake from input cannot grow memory or the scrape without bound; what
 * does not fit is counted in vigile_metric_series_dropped_total and otherwise ignored.
 * Label values must come from configuration or from fixed vocabularies, never from
 * input (tenant ids from config/tenants, not from an envelope before it was checked). */
#ifndef VIGILE_METRIC_REGISTRY_H
#define VIGILE_METRIC_REGISTRY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define METRIC_MAX_LABELS 5
#define METRIC_MAX_SERIES 1024

struct metric;
struct metric_series;

/* Registers a family, or returns the one already registered under name (then help,
 * labels and buckets must be the same). name, help and buckets are borrowed for the life
 * of the process (literals, static arrays); labels, NULL-terminated and at most
 * METRIC_MAX_LABELS, are copied (a compound literal will do). buckets (histograms) are
 * ascending upper bounds, +Inf implied. */
struct metric *metric_counter(const char *name, const char *help, const char *const *labels);
struct metric *metric_gauge(const char *name, const char *help, const char *const *labels);
struct metric *metric_histogram(const char *name, const char *help, const char *const *labels,
                                const double *buckets, size_t nbuckets);

/* The series of these label values (as many as the family has labels; copied), made on
 * first use. Returns a pointer valid for the life of the process; never NULL (a full
 * family gives a sink that is not rendered). */
struct metric_series *metric_with(struct metric *m, const char *const *values);

/* Counters: adds v. Gauges: sets v (metric_set); counters mirrored from a total kept
 * elsewhere (librdkafka's statistics) may be set too. Histograms: records v. */
void metric_add(struct metric_series *s, uint64_t v);
void metric_set(struct metric_series *s, double v);
void metric_observe(struct metric_series *s, double v);

/* Shorthands for one call site: the series of values, then the operation. */
static inline void metric_inc_with(struct metric *m, const char *const *values) {
    metric_add(metric_with(m, values), 1);
}

/* Writes every family in the text exposition format, each series labelled first with
 * component="<component>". Called by the HTTP thread while others write. */
void metric_registry_render(FILE *f, const char *component);

/* Default buckets for durations in seconds: 100 µs to 5 min. */
extern const double metric_seconds_buckets[];
extern const size_t metric_seconds_nbuckets;

#endif
