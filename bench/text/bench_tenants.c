/* bench_tenants: the real tenants' engines for the bench tools (see
 * bench_tenants.h). */
#include "bench_tenants.h"
#include "tenant.h"
#include "tenant_engine.h"

#include <stdio.h>
#include <stdlib.h>

int bench_tenant_engines(const struct text_base *base, const char *config_dir,
                         struct text_engine **engines, int max, int with_model, const char *prog) {
    char err[512];
    struct tenant_set *set = tenant_set_load(config_dir, err, sizeof err);
    if (!set) {
        fprintf(stderr, "%s: %s\n", prog, err);
        exit(1);
    }
    struct text_engine **all = tenant_engines_new(base, set, with_model, err, sizeof err);
    if (!all) {
        fprintf(stderr, "%s: %s\n", prog, err);
        exit(1);
    }
    size_t count = tenant_set_count(set);
    int n = count < (size_t)max ? (int)count : max;
    for (int i = 0; i < n; i++) engines[i] = all[i];
    for (size_t i = (size_t)n; i < count; i++) text_engine_free(all[i]);
    free(all);            /* the engines themselves are the caller's */
    tenant_set_free(set); /* engines copied what they need */
    return n;
}
