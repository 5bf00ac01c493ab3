/* bench_tenants: the real tenants' engines for the bench tools (see
 * bench_tenants.h). */
#include "bench_tenants.h"
#include "tenant.h"

#include <stdio.h>
#include <stdlib.h>

int bench_tenant_engines(const struct text_base *base, const char *config_dir,
                         struct text_engine **engines, int max, const char *prog)
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
        size_t nr = tenant_rule_count(t);
        struct text_rule *rules = calloc(nr ? nr : 1, sizeof *rules);
        for (size_t r = 0; r < nr; r++) {
            const struct tenant_rule *tr = tenant_rule_at(t, r);
            rules[r] = (struct text_rule){ tr->id, tr->category, tr->pattern,
                                           (enum text_severity)tr->severity, NULL };
        }
        struct text_engine_options opt = { base, rules, nr, NULL };
        engines[n] = text_engine_new(&opt, err, sizeof err);
        free(rules);
        if (!engines[n]) {
            fprintf(stderr, "%s: tenant %s: %s\n", prog, tenant_id(t), err);
            exit(1);
        }
        n++;
    }
    tenant_set_free(set);       /* engines copied what they need */
    return n;
}
