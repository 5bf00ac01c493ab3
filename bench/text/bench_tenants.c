/* bench_tenants: the real tenants' engines for the bench tools (see
 * bench_tenants.h). */
#include "bench_tenants.h"
#include "tenant.h"
#include "tenant_engine.h"

#include <stdio.h>
#include <stdlib.h>

int bench_tenant_engines(const struct text_base *base, const char *config_dir,
                         struct text_engine **engines, int max, int with_model,
                         const char *prog)
{
    char err[512];
    struct tenant_set *set = tenant_set_load(config_dir, err, sizeof err);
    if (!set) {
        fprintf(stderr, "%s: %s\n", prog, err);
        exit(1);
    }
    int n = 0;
    for (size_t i = 0; i < tenant_set_count(set) && n < max; i++) {
        const struct tenant *t = tenant_set_at(set, i);
        engines[n] = tenant_engine_new(base, t, with_model, err, sizeof err);
        if (!engines[n]) {
            fprintf(stderr, "%s: tenant %s: %s\n", prog, tenant_id(t), err);
            exit(1);
        }
        n++;
    }
    tenant_set_free(set);       /* engines copied what they need */
    return n;
}
