/* bench-quality: precision and recall per category of the rules alone, the
 * statistical scorer alone and the two combined, on any labelled JSON lines
 * ({"text", "expected": [...], "post_text"?}), with one tenant's thresholds.
 *
 *   rules         the labels of the rules-only engine
 *   model>=rev    categories whose score reaches the tenant's review threshold
 *   model>=rem    categories whose score reaches its removal threshold
 *   combined      the labels of the engine vigile-classify runs: the rules'
 *                 plus the model's where the rules found nothing (from the
 *                 lower of the two thresholds)
 *   acts          the combined labels that act without a person, as route
 *                 weighs them: rule labels and model labels at the removal
 *                 threshold, neither of them quoted, and no model label
 *                 where the comment is also criticism.  In a category whose
 *                 rule removes, its precision is the precision of removals;
 *                 the rest of "combined" goes to human review.
 *
 * Then how many comments labelled criticism only would lose their content
 * to a model-only label at the removal threshold (route vetoes those; the
 * figure says how often the veto is needed), and the same for comments
 * labelled with no category at all.  Figures only; no thresholds asserted.
 *
 * usage: bench-quality FILE.jsonl [TENANT] [DATA_DIR] [CONFIG_DIR] */
#include "tenant.h"
#include "tenant_engine.h"
#include "text_engine.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum column { COL_RULES, COL_MODEL_REVIEW, COL_MODEL_REMOVE, COL_COMBINED, COL_ACTS, COL_COUNT };
static const char *const column_names[COL_COUNT] = { "rules", "model>=rev", "model>=rem",
                                                     "combined", "acts" };

struct counts {
    unsigned tp, fp, fn;
};

struct quality {
    struct counts cell[TEXT_CAT_COUNT][COL_COUNT];
    unsigned support[TEXT_CAT_COUNT];
    unsigned rows, criticism_only, criticism_removed, clean, clean_removed;
};

struct setup {
    const struct tenant *tenant;
    struct text_engine *rules, *combined;
    struct text_scratch *sc;
};

static unsigned expected_mask(const json_t *expected, const char *path, size_t line) {
    unsigned mask = 0;
    size_t i;
    json_t *v;
    json_array_foreach(expected, i, v) {
        int c = text_category_from_name(json_string_value(v));
        if (c < 0) {
            fprintf(stderr, "bench-quality: %s:%zu: unknown category %s\n", path, line,
                    json_string_value(v));
            exit(1);
        }
        mask |= 1u << c;
    }
    return mask;
}

/* Categories labelled by engine on the row's text. */
static unsigned labels_of(const struct setup *s, const struct text_engine *engine, const char *text,
                          const char *post, struct text_result *r) {
    if (text_classify(engine, s->sc, text, strlen(text), post, post ? strlen(post) : 0, r) !=
        TEXT_OK)
        return 0;
    unsigned got = 0;
    for (size_t i = 0; i < r->n; i++) got |= 1u << r->labels[i].category_id;
    return got;
}

/* Whether a category's tenant rule removes content. */
static int removes(const struct tenant_category_rule *rule) {
    return rule && (rule->action == TENANT_ACTION_HIDE || rule->action == TENANT_ACTION_DELETE);
}

/* The categories of r's labels that act on their own (see "acts" above). */
static unsigned acting_labels(const struct setup *s, const struct text_result *r) {
    unsigned criticism = 0, acts = 0;
    for (size_t i = 0; i < r->n; i++) criticism |= r->labels[i].category_id == TEXT_CAT_CRITICISM;
    for (size_t i = 0; i < r->n; i++) {
        const struct text_label *l = &r->labels[i];
        const struct tenant_category_rule *rule = tenant_category(s->tenant, l->category);
        if (l->quoted || !rule) continue;
        if (l->origin == TEXT_ORIGIN_MODEL && (l->score < rule->model_remove || criticism))
            continue;
        acts |= 1u << l->category_id;
    }
    return acts;
}

static void count(struct quality *q, int col, unsigned got, unsigned want) {
    for (int c = 0; c < TEXT_CAT_COUNT; c++) {
        unsigned bit = 1u << c;
        struct counts *k = &q->cell[c][col];
        k->tp += (got & bit) && (want & bit);
        k->fp += (got & bit) && !(want & bit);
        k->fn += !(got & bit) && (want & bit);
    }
}

static void evaluate_row(struct quality *q, const struct setup *s, const char *text,
                         const char *post, unsigned want) {
    struct text_result r;
    unsigned rules = labels_of(s, s->rules, text, post, &r);
    unsigned combined = labels_of(s, s->combined, text, post, &r);
    unsigned review = 0, remove = 0, model_removes = 0;
    for (int c = 0; c < TEXT_CAT_COUNT; c++) {
        const struct tenant_category_rule *rule =
            tenant_category(s->tenant, text_category_name((enum text_category)c));
        double score = r.model_scores[c];
        if (!rule || score < 0) continue;
        review |= (unsigned)(score >= rule->model_review) << c;
        remove |= (unsigned)(score >= rule->model_remove) << c;
        if (score >= rule->model_remove && removes(rule) && !(rules & (1u << c))) model_removes = 1;
    }
    count(q, COL_RULES, rules, want);
    count(q, COL_MODEL_REVIEW, review, want);
    count(q, COL_MODEL_REMOVE, remove, want);
    count(q, COL_COMBINED, combined, want);
    count(q, COL_ACTS, acting_labels(s, &r), want);
    for (int c = 0; c < TEXT_CAT_COUNT; c++) q->support[c] += (want >> c) & 1;
    q->rows++;
    if (want == 1u << TEXT_CAT_CRITICISM) {
        q->criticism_only++;
        q->criticism_removed += model_removes;
    }
    if (!want) {
        q->clean++;
        q->clean_removed += model_removes;
    }
}

static void evaluate_file(struct quality *q, const struct setup *s, const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(1);
    }
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    while (getline(&line, &cap, f) > 0) {
        lineno++;
        json_error_t je;
        json_t *row = json_loads(line, 0, &je);
        const char *text = json_string_value(json_object_get(row, "text"));
        if (!text) {
            fprintf(stderr, "bench-quality: %s:%zu: no \"text\"\n", path, lineno);
            exit(1);
        }
        unsigned want = expected_mask(json_object_get(row, "expected"), path, lineno);
        evaluate_row(q, s, text, json_string_value(json_object_get(row, "post_text")), want);
        json_decref(row);
    }
    free(line);
    fclose(f);
}

static void print_cell(const struct counts *k) {
    double p = k->tp + k->fp ? (double)k->tp / (k->tp + k->fp) : 0;
    double r = k->tp + k->fn ? (double)k->tp / (k->tp + k->fn) : 0;
    if (k->tp + k->fp + k->fn == 0)
        printf(" %13s", "-");
    else
        printf("   %.2f / %.2f", p, r);
}

static void print_quality(const struct quality *q, const char *path, const char *tenant) {
    printf("%s: %u comments, thresholds of tenant %s; precision / recall\n", path, q->rows, tenant);
    printf("%-21s %5s", "category", "n");
    for (int col = 0; col < COL_COUNT; col++) printf(" %13s", column_names[col]);
    printf("\n");
    for (int c = 0; c < TEXT_CAT_COUNT; c++) {
        int any = 0;
        for (int col = 0; col < COL_COUNT; col++)
            any |= q->cell[c][col].tp + q->cell[c][col].fp + q->cell[c][col].fn > 0;
        if (!any) continue;
        printf("%-21s %5u", text_category_name((enum text_category)c), q->support[c]);
        for (int col = 0; col < COL_COUNT; col++) print_cell(&q->cell[c][col]);
        printf("\n");
    }
    printf("criticism-only comments a model-only label would remove: %u of %u "
           "(route sends them to review instead)\n",
           q->criticism_removed, q->criticism_only);
    printf("comments with no category a model-only label would remove: %u of %u\n",
           q->clean_removed, q->clean);
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 5 || strcmp(argv[1], "--help") == 0) {
        fprintf(stderr, "usage: bench-quality FILE.jsonl [TENANT] [DATA_DIR] [CONFIG_DIR]\n");
        return 2;
    }
    const char *tenant_name = argc > 2 ? argv[2] : "lecce";
    const char *data = argc > 3 ? argv[3] : VIGILE_TEXT_DATA_DIR;
    const char *config = argc > 4 ? argv[4] : VIGILE_CONFIG_DIR;
    char err[4096];
    struct tenant_set *set = tenant_set_load(config, err, sizeof err);
    struct text_base *base = set ? text_base_new(data, err, sizeof err) : NULL;
    if (!base) {
        fprintf(stderr, "bench-quality: %s\n", err);
        return 1;
    }
    struct setup s = { tenant_set_find(set, tenant_name), NULL, NULL, text_scratch_new() };
    if (!s.tenant) {
        fprintf(stderr, "bench-quality: no tenant %s in %s\n", tenant_name, config);
        return 1;
    }
    s.rules = tenant_engine_new(base, s.tenant, 0, err, sizeof err);
    s.combined = s.rules ? tenant_engine_new(base, s.tenant, 1, err, sizeof err) : NULL;
    if (!s.combined) {
        fprintf(stderr, "bench-quality: %s\n", err);
        return 1;
    }
    static struct quality q;
    evaluate_file(&q, &s, argv[1]);
    print_quality(&q, argv[1], tenant_name);
    text_engine_free(s.rules);
    text_engine_free(s.combined);
    text_scratch_free(s.sc);
    text_base_free(base);
    tenant_set_free(set);
    return 0;
}
