/* tenant_engine: a tenant's configuration as text engine options (see tenant_engine.h). */
#include "tenant_engine.h"

#include <stdio.h>
#include <stdlib.h>

#include "xmalloc.h"

void tenant_engine_thresholds(const struct tenant *t, double thresholds[TEXT_CAT_COUNT]) {
    for (int c = 0; c < TEXT_CAT_COUNT; c++) {
        const struct tenant_category_rule *rule =
            tenant_category(t, text_category_name((enum text_category)c));
        thresholds[c] = !rule                                     ? TENANT_MODEL_NEVER
                        : rule->model_review < rule->model_remove ? rule->model_review
                                                                  : rule->model_remove;
    }
}

struct text_engine *tenant_engine_new(const struct text_base *base, const struct tenant *t,
                                      int with_model, char *err, size_t errlen) {
    size_t nr = tenant_rule_count(t);
    struct text_rule *rules = xcalloc(nr ? nr : 1, sizeof *rules);
    for (size_t r = 0; r < nr; r++) {
        const struct tenant_rule *tr = tenant_rule_at(t, r);
        rules[r] = (struct text_rule){ tr->id, tr->category, tr->pattern,
                                       (enum text_severity)tr->severity, NULL };
    }
    double thresholds[TEXT_CAT_COUNT];
    tenant_engine_thresholds(t, thresholds);
    struct text_engine_options opt = { base, rules, nr, with_model ? thresholds : NULL };
    struct text_engine *engine = text_engine_new(&opt, err, errlen);
    free(rules);
    return engine;
}

struct text_engine **tenant_engines_new(const struct text_base *base, const struct tenant_set *set,
                                        int with_model, char *err, size_t n) {
    size_t count = tenant_set_count(set);
    struct text_engine **engines = xcalloc(count ? count : 1, sizeof *engines);
    for (size_t i = 0; i < count; i++) {
        const struct tenant *t = tenant_set_at(set, i);
        char why[512];
        engines[i] = tenant_engine_new(base, t, with_model, why, sizeof why);
        if (!engines[i]) {
            snprintf(err, n, "tenant %s: %s", tenant_id(t), why);
            tenant_engines_free(engines, i);
            return NULL;
        }
    }
    return engines;
}

void tenant_engines_free(struct text_engine **engines, size_t n) {
    if (!engines) return;
    for (size_t i = 0; i < n; i++) text_engine_free(engines[i]);
    free(engines);
}
