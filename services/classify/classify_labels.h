/* The labels of a classified envelope, written as JSON straight from the engine's
 * findings: one label per category, in category order, merging every finding of it
 * (highest score and severity, every rule, span and detail). Internal to the classify
 * stage; docs/schemas/envelope.schema.json has the shape. */
#ifndef VIGILE_CLASSIFY_LABELS_H
#define VIGILE_CLASSIFY_LABELS_H

#include <stddef.h>

#include "json_write.h"
#include "tenant.h"
#include "text_label.h"

/* One piece of evidence for a category: an engine finding, or the repeated post the
 * state store found. Strings are borrowed (static, or the engine's). */
struct label_finding {
    enum text_category category;
    enum text_origin origin;
    const char *rule_id, *detail; /* detail may be NULL */
    double score;
    int severity;
    size_t start, end;
    int quoted;         /* 1 inside a quotation, 0 not, -1 neither (the store's finding) */
    double model_score; /* the model's score for the category, or < 0 for none */
};

/* Writes the JSON array of labels of f[0..n) (borrowed) to w. A label's rule id,
 * origin and model score are its first finding's: the engine labels a category from the
 * model only when no rule found it, so a category's findings share one origin. Its
 * policy_ref is the clause tenant t applies to the category. It is "quoted" when all of
 * its evidence is, since one quoted word does not excuse the rest. */
void classify_labels_write(struct json_writer *w, const struct label_finding *f, size_t n,
                           const struct tenant *t);

#endif
