#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "metric_registry.h"

static _Atomic uint64_t counters[METRIC_COUNT];
static void (*_Atomic extra_render)(FILE *f, const char *component);

void metrics_set_extra(void (*render)(FILE *f, const char *component)) {
    atomic_store(&extra_render, render);
}

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
};

void metrics_add(enum metric_id id, uint64_t v) {
    atomic_fetch_add_explicit(&counters[id], v, memory_order_relaxed);
}

uint64_t metrics_get(enum metric_id id) {
    return atomic_load_explicit(&counters[id], memory_order_relaxed);
}

char *metrics_render(const char *component) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) abort();
    for (int i = 0; i < METRIC_COUNT; i++)
        fprintf(f, "# HELP %s %s\n# TYPE %s counter\n%s{component=\"%s\"} %llu\n",
                metric_info[i].name, metric_info[i].help, metric_info[i].name, metric_info[i].name,
                component, (unsigned long long)metrics_get(i));
    fprintf(f,
            "# HELP vigile_degraded 1 while a dependency is down\n"
            "# TYPE vigile_degraded gauge\nvigile_degraded{component=\"%s\"} %d\n",
            component, health_degraded());
    fprintf(f,
            "# HELP vigile_build_info The running build\n# TYPE vigile_build_info gauge\n"
            "vigile_build_info{component=\"%s\",version=\"%s\"} 1\n",
            component, VIGILE_VERSION);
    metric_registry_render(f, component);
    void (*extra)(FILE *, const char *) = atomic_load(&extra_render);
    if (extra) extra(f, component);
    if (fclose(f) != 0) abort();
    return buf;
}
