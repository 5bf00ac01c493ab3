#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"

static _Atomic uint64_t counters[METRIC_COUNT];
static _Atomic int64_t heartbeat_ms;
static _Atomic(const char *) degraded_reason;

static const struct {
    const char *name, *help;
} metric_info[METRIC_COUNT] = {
    [METRIC_MESSAGES_IN] = { "vigile_messages_in_total", "Input messages consumed" },
    [METRIC_OUTPUTS] = { "vigile_outputs_total", "Messages produced" },
    [METRIC_DEADLETTERS] = { "vigile_deadletters_total", "Inputs sent to the dead-letter topic" },
    [METRIC_RETRIES] = { "vigile_retries_total", "Stage retries after a transient failure" },
    [METRIC_BATCHES] = { "vigile_batches_committed_total", "Batches committed" },
    [METRIC_ABORTS] = { "vigile_batches_aborted_total", "Batches aborted and rewound" },
    [METRIC_RELOADS] = { "vigile_config_reloads_total", "Configuration reloads accepted" },
    [METRIC_RELOAD_FAILURES] = { "vigile_config_reload_failures_total",
                                 "Configuration reloads refused" },
    [METRIC_PROCESS_US] = { "vigile_process_microseconds_total", "Time spent in stage logic" },
};

void metrics_add(enum metric_id id, uint64_t v) {
    atomic_fetch_add_explicit(&counters[id], v, memory_order_relaxed);
}

uint64_t metrics_get(enum metric_id id) {
    return atomic_load_explicit(&counters[id], memory_order_relaxed);
}

void metrics_heartbeat(void) {
    atomic_store(&heartbeat_ms, time_mono_ms());
}

int64_t metrics_last_heartbeat_ms(void) {
    return atomic_load(&heartbeat_ms);
}

void metrics_set_degraded(const char *reason) {
    atomic_store(&degraded_reason, reason);
}

const char *metrics_degraded(void) {
    return atomic_load(&degraded_reason);
}

char *metrics_render(const char *component) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) abort();
    for (int i = 0; i < METRIC_COUNT; i++)
        fprintf(f, "# HELP %s %s\n# TYPE %s counter\n%s{component=\"%s\"} %llu\n",
                metric_info[i].name, metric_info[i].help, metric_info[i].name,
                metric_info[i].name, component, (unsigned long long)metrics_get(i));
    fprintf(f, "# HELP vigile_degraded 1 while a dependency is down\n"
               "# TYPE vigile_degraded gauge\nvigile_degraded{component=\"%s\"} %d\n",
            component, metrics_degraded() != NULL);
    if (fclose(f) != 0) abort();
    return buf;
}
