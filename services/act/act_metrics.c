#include "act_metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "xmalloc.h"

#define NOUTCOMES 4
#define NVERDICTS 5

static const char *const verdict_names[NVERDICTS] = { "done", "retry", "throttled", "permanent",
                                                      "uncertain" };

/* One row per tenant seen: tenants come and go with reloads, so the table grows. */
struct row {
    char *tenant;
    _Atomic unsigned long long n[PLATFORM_N][NOUTCOMES];
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct row *rows;
static size_t nrows, caprows;
static _Atomic unsigned long long calls[PLATFORM_N][NVERDICTS];

static void render(FILE *f, const char *component) {
    fprintf(f, "# HELP vigile_act_results_total Commands settled, by tenant, platform and "
               "outcome\n# TYPE vigile_act_results_total counter\n");
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < nrows; i++)
        for (int p = 0; p < PLATFORM_N; p++)
            for (int o = 0; o < NOUTCOMES; o++)
                if (rows[i].n[p][o])
                    fprintf(f,
                            "vigile_act_results_total{component=\"%s\",tenant=\"%s\","
                            "platform=\"%s\",outcome=\"%s\"} %llu\n",
                            component, rows[i].tenant, act_platform_name(p), act_outcome_name(o),
                            (unsigned long long)rows[i].n[p][o]);
    pthread_mutex_unlock(&mu);
    fprintf(f, "# HELP vigile_act_calls_total Platform calls, by platform and what the answer "
               "meant\n# TYPE vigile_act_calls_total counter\n");
    for (int p = 0; p < PLATFORM_N; p++)
        for (int v = 0; v < NVERDICTS; v++)
            fprintf(f,
                    "vigile_act_calls_total{component=\"%s\",platform=\"%s\",verdict=\"%s\"} "
                    "%llu\n",
                    component, act_platform_name(p), verdict_names[v],
                    (unsigned long long)atomic_load(&calls[p][v]));
}

void act_metrics_register(void) { metrics_set_extra(render); }

void act_metrics_result(const char *tenant, enum act_platform p, enum act_outcome outcome) {
    pthread_mutex_lock(&mu);
    size_t i = 0;
    while (i < nrows && strcmp(rows[i].tenant, tenant) != 0) i++;
    if (i == nrows) {
        xgrow(&rows, &caprows, nrows + 1, sizeof *rows);
        memset(&rows[i], 0, sizeof rows[i]);
        rows[i].tenant = xstrdup(tenant);
        nrows++;
    }
    rows[i].n[p][outcome]++;
    pthread_mutex_unlock(&mu);
}

void act_metrics_call(enum act_platform p, enum act_verdict verdict) {
    atomic_fetch_add(&calls[p][verdict], 1);
}
