/* Process counters for Prometheus. Counters are C11 atomics so the HTTP thread can read
 * them while the worker loop writes, without a lock on the hot path. */
#ifndef VIGILE_METRICS_H
#define VIGILE_METRICS_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

enum metric_id {
    METRIC_MESSAGES_IN,     /* inputs consumed */
    METRIC_OUTPUTS,         /* messages produced */
    METRIC_DEADLETTERS,     /* inputs dead-lettered */
    METRIC_RETRIES,         /* stage retries after a transient failure */
    METRIC_BATCHES,         /* batches committed */
    METRIC_ABORTS,          /* batches aborted and rewound */
    METRIC_RELOADS,         /* configuration reloads accepted */
    METRIC_RELOAD_FAILURES, /* configuration reloads refused */
    METRIC_COUNT
};

/* Adds v to a counter; callable from any thread. */
void metrics_add(enum metric_id id, uint64_t v);
uint64_t metrics_get(enum metric_id id);

/* A stage's own series (labelled counters the table above cannot hold): render writes
 * them, HELP and TYPE lines included, to f. It runs on the HTTP thread, so it must be
 * thread-safe. One per process; NULL removes it. */
void metrics_set_extra(void (*render)(FILE *f, const char *component));

/* Writes the Prometheus text exposition for this process into a new string. */
char *metrics_render(const char *component);

#endif
