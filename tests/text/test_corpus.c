/* Precision and recall per category over the labelled corpus
 * (tests/corpus/comments.jsonl), printed as a table, with honest minimums:
 * removal categories must be precise, and criticism must never be taken
 * for an insult or profanity. */
#include "text_fixture.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* Categories whose labels lead to removal: their precision is what keeps
 * a municipality out of the newspapers. */
static const enum text_category removal[] = {
    TEXT_CAT_INSULT,     TEXT_CAT_PROFANITY,   TEXT_CAT_THREAT,
    TEXT_CAT_INCITEMENT, TEXT_CAT_HATE_SPEECH, TEXT_CAT_PERSONAL_DATA,
    TEXT_CAT_SPAM,       TEXT_CAT_ADVERTISING, TEXT_CAT_POLITICAL_PROPAGANDA,
    TEXT_CAT_COPYRIGHT,
};
#define MIN_REMOVAL_PRECISION 0.90
#define MIN_OTHER_PRECISION   0.75
#define MIN_RECALL            0.40 /* off_topic is deliberately conservative (0.42) */
/* Removal precision on text the rules were not written from: a floor under the
 * figures measured (0.67-1.00, docs/classification.md), against regressions. */
#define HELDOUT_MIN_PRECISION 0.65

struct counts {
    unsigned tp, fp, fn;
};

struct eval {
    struct counts cat[TEXT_CAT_COUNT];
    unsigned comments, criticism_only, criticism_hit_as_abuse;
    unsigned none_total, none_clean;
};

static struct text_base *base;
static struct text_engine *engine;
static struct text_scratch *scratch;

static unsigned expected_mask(json_t *expected) {
    unsigned mask = 0;
    size_t i;
    json_t *v;
    json_array_foreach(expected, i, v) {
        int c = text_category_from_name(json_string_value(v));
        cr_assert(c >= 0, "corpus: unknown category %s", json_string_value(v));
        mask |= 1u << c;
    }
    return mask;
}

static void eval_one(struct eval *ev, json_t *row, int verbose) {
    const char *text = json_string_value(json_object_get(row, "text"));
    const char *post = json_string_value(json_object_get(row, "post_text"));
    unsigned want = expected_mask(json_object_get(row, "expected"));
    struct text_result r;
    cr_assert_eq(
        text_classify(engine, scratch, text, strlen(text), post, post ? strlen(post) : 0, &r),
        TEXT_OK);
    unsigned got = 0;
    for (size_t i = 0; i < r.n; i++) got |= 1u << r.labels[i].category_id;
    for (int c = 0; c < TEXT_CAT_COUNT; c++) {
        unsigned bit = 1u << c;
        if ((got & bit) && (want & bit))
            ev->cat[c].tp++;
        else if (got & bit)
            ev->cat[c].fp++;
        else if (want & bit)
            ev->cat[c].fn++;
    }
    if (want == (1u << TEXT_CAT_CRITICISM)) {
        ev->criticism_only++;
        if (got & ((1u << TEXT_CAT_INSULT) | (1u << TEXT_CAT_PROFANITY)))
            ev->criticism_hit_as_abuse++;
    }
    if (!want) {
        ev->none_total++;
        ev->none_clean += got == 0;
    }
    if (verbose && got != want) {
        fprintf(stderr, "MISMATCH %-60.60s want", text);
        for (int c = 0; c < TEXT_CAT_COUNT; c++)
            if (want & (1u << c)) fprintf(stderr, " %s", text_category_name(c));
        fprintf(stderr, " | got");
        for (int c = 0; c < TEXT_CAT_COUNT; c++)
            if (got & (1u << c)) fprintf(stderr, " %s", text_category_name(c));
        fprintf(stderr, "\n");
    }
    ev->comments++;
}

static double ratio(unsigned a, unsigned b) { return b ? (double)a / b : 1.0; }

static void print_table(const struct eval *ev) {
    printf("\ncorpus: %u comments\n", ev->comments);
    printf("| category | support | TP | FP | FN | precision | recall |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|\n");
    for (int c = 0; c < TEXT_CAT_COUNT; c++) {
        const struct counts *k = &ev->cat[c];
        if (c == TEXT_CAT_REPEATED) continue;
        printf("| %s | %u | %u | %u | %u | %.2f | %.2f |\n", text_category_name(c), k->tp + k->fn,
               k->tp, k->fp, k->fn, ratio(k->tp, k->tp + k->fp), ratio(k->tp, k->tp + k->fn));
    }
    printf("| none (no label expected) | %u | clean: %u | | | | %.2f |\n", ev->none_total,
           ev->none_clean, ratio(ev->none_clean, ev->none_total));
    printf("criticism-only comments labelled insult or profanity: %u of %u\n",
           ev->criticism_hit_as_abuse, ev->criticism_only);
}

/* Classifies every row of path with the base engine into ev; with half
 * set, only the rows whose index has that parity (0 even, 1 odd; -1 all). */
static void evaluate(const char *path, int half, struct eval *ev) {
    char err[512];
    base = text_base_new(VIGILE_TEXT_DATA_DIR, err, sizeof err);
    cr_assert_not_null(base, "%s", err);
    struct text_engine_options opt = { .base = base };
    engine = text_engine_new(&opt, err, sizeof err);
    scratch = text_scratch_new();
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    int verbose = getenv("VIGILE_CORPUS_VERBOSE") != NULL;
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0;
    while (getline(&line, &cap, f) > 0) {
        json_error_t je;
        json_t *row = json_loads(line, 0, &je);
        cr_assert_not_null(row, "%s:%d: %s", path, lineno + 1, je.text);
        if (half < 0 || lineno % 2 == half) eval_one(ev, row, verbose);
        lineno++;
        json_decref(row);
    }
    free(line);
    fclose(f);
    text_scratch_free(scratch);
    text_engine_free(engine);
    text_base_free(base);
}

static void expect_precision(const struct eval *ev, const enum text_category *cats, size_t n,
                             double min) {
    for (size_t i = 0; i < n; i++) {
        const struct counts *k = &ev->cat[cats[i]];
        cr_expect_geq(ratio(k->tp, k->tp + k->fp), min, "precision of %s",
                      text_category_name(cats[i]));
    }
}

Test(corpus, precision_recall) {
    struct eval ev = { 0 };
    evaluate(VIGILE_TEXT_CORPUS, -1, &ev);
    print_table(&ev);
    fflush(stdout);

    cr_expect_geq(ev.comments, 300u);
    cr_expect_eq(ev.criticism_hit_as_abuse, 0u, "criticism labelled as insult or profanity");
    expect_precision(&ev, removal, sizeof removal / sizeof removal[0], MIN_REMOVAL_PRECISION);
    for (int c = 0; c < TEXT_CAT_COUNT; c++) {
        const struct counts *k = &ev.cat[c];
        if (c == TEXT_CAT_REPEATED) continue;
        cr_expect_geq(ratio(k->tp, k->tp + k->fp), MIN_OTHER_PRECISION, "precision of %s",
                      text_category_name(c));
        cr_expect_geq(ratio(k->tp, k->tp + k->fn), MIN_RECALL, "recall of %s",
                      text_category_name(c));
    }
}

/* The held-out corpus (tests/corpus/heldout-3.jsonl) was written by another annotator
 * who saw the policies and the category definitions, never the rules. Its even rows
 * are the tuning half (rules were changed after reading their misses); its odd rows
 * were never looked at, and are the honest figure (docs/classification.md). */
static void heldout_half(int half, const char *title) {
    struct eval ev = { 0 };
    evaluate(VIGILE_TEXT_HELDOUT, half, &ev);
    printf("\nheld-out corpus, %s:", title);
    print_table(&ev);
    fflush(stdout);
    expect_precision(&ev, removal, sizeof removal / sizeof removal[0], HELDOUT_MIN_PRECISION);
}

Test(corpus, heldout_tuning_half) { heldout_half(0, "tuning half (even rows)"); }

Test(corpus, heldout_untouched_half) { heldout_half(1, "untouched half (odd rows)"); }
