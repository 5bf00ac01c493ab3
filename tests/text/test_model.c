/* The statistical scorer: the loader refuses bad files with a message naming
 * them, the C scores equal the trainer's (scripts/train-model.py writes the
 * fixture with the int8 weights it ships), and model labels carry evidence
 * inside the text. */
#include "text_fixture.h"
#include "text_model.h"
#include "text_quote.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MODEL_FILE VIGILE_TEXT_DATA_DIR "/" TEXT_MODEL_PATH
/* The trainer computes the same expression in float64 from the same int8
 * weights: only the order of additions differs. */
#define SCORE_TOLERANCE 1e-4

static unsigned char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    cr_assert(f, "%s: cannot open", path);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(*len);
    cr_assert_eq(fread(buf, 1, *len, f), *len);
    fclose(f);
    return buf;
}

/* Writes len bytes of buf to a new temporary file; returns its path (static). */
static const char *temp_model(const unsigned char *buf, size_t len) {
    static char path[] = "/tmp/vigile-model-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, buf, len), (ssize_t)len);
    close(fd);
    return path;
}

/* Loads a damaged copy of the shipped model and checks the message. */
static void expect_refused(unsigned char *buf, size_t len, const char *why) {
    char err[512];
    const char *path = temp_model(buf, len);
    struct text_model *m = text_model_load(path, err, sizeof err);
    unlink(path);
    cr_assert_null(m, "a damaged model (%s) was accepted", why);
    cr_expect(strstr(err, path) != NULL, "message does not name the file: %s", err);
    cr_expect(strstr(err, why) != NULL, "message \"%s\" does not say \"%s\"", err, why);
}

Test(model, loads_shipped_file) {
    char err[512];
    struct text_model *m = text_model_load(MODEL_FILE, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    cr_expect_leq(text_model_bytes(m), 16u << 20, "the model must stay within 16 MiB");
    cr_expect_str_eq(text_model_rule_id(m, TEXT_CAT_INSULT), "model.insult");
    cr_expect_null(text_model_rule_id(m, TEXT_CAT_PERSONAL_DATA));
    text_model_free(m);
}

Test(model, refuses_missing_file) {
    char err[512];
    cr_assert_null(text_model_load("/nonexistent/model.bin", err, sizeof err));
    cr_expect(strstr(err, "/nonexistent/model.bin: cannot open") != NULL, "%s", err);
}

Test(model, refuses_bad_magic) {
    size_t len;
    unsigned char *buf = slurp(MODEL_FILE, &len);
    memcpy(buf, "GIFMODEL", 8);
    expect_refused(buf, len, "magic");
    free(buf);
}

Test(model, refuses_other_feature_version) {
    size_t len;
    unsigned char *buf = slurp(MODEL_FILE, &len);
    buf[12] = 99;
    expect_refused(buf, len, "retrain");
    free(buf);
}

Test(model, refuses_truncated_file) {
    size_t len;
    unsigned char *buf = slurp(MODEL_FILE, &len);
    expect_refused(buf, len - 1000, "expected");
    free(buf);
}

Test(model, refuses_damaged_weights) {
    size_t len;
    unsigned char *buf = slurp(MODEL_FILE, &len);
    buf[len / 2] ^= 0x40;
    expect_refused(buf, len, "checksum");
    free(buf);
}

Test(model, refuses_unknown_category) {
    size_t len;
    unsigned char *buf = slurp(MODEL_FILE, &len);
    memcpy(buf + 32, "gossip\0", 7);
    expect_refused(buf, len, "unknown category \"gossip\"");
    free(buf);
}

Test(model, scores_equal_trainer) {
    char err[512];
    struct text_model *m = text_model_load(MODEL_FILE, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    FILE *f = fopen(VIGILE_MODEL_FIXTURE, "r");
    cr_assert(f, "%s: cannot open", VIGILE_MODEL_FIXTURE);
    struct text_norm nm = { 0 };
    char *line = NULL;
    size_t cap = 0, rows = 0, bad;
    while (getline(&line, &cap, f) > 0) {
        json_t *row = json_loads(line, 0, NULL);
        const char *text = json_string_value(json_object_get(row, "text"));
        cr_assert_eq(text_norm_build(&nm, text, strlen(text), &bad), 0);
        double scores[TEXT_CAT_COUNT];
        text_model_score(m, &nm, scores);
        const char *cat;
        json_t *want;
        json_object_foreach(json_object_get(row, "scores"), cat, want) {
            int c = text_category_from_name(cat);
            cr_assert(c >= 0, "fixture: unknown category %s", cat);
            cr_expect(fabs(scores[c] - json_number_value(want)) < SCORE_TOLERANCE,
                      "%s on \"%s\": C %.6f, trainer %.6f", cat, text, scores[c],
                      json_number_value(want));
        }
        json_decref(row);
        rows++;
    }
    cr_expect_gt(rows, 10u, "fixture too small");
    free(line);
    fclose(f);
    text_norm_release(&nm);
    text_model_free(m);
}

/* An engine that labels everything the model scores at 0.3 or more. */
static const struct text_result *classify_with_model(const char *text, struct text_base **base,
                                                     struct text_engine **engine,
                                                     struct text_scratch **sc) {
    char err[512];
    double thresholds[TEXT_CAT_COUNT];
    for (int c = 0; c < TEXT_CAT_COUNT; c++) thresholds[c] = 0.3;
    *base = text_base_new(VIGILE_TEXT_DATA_DIR, err, sizeof err);
    cr_assert_not_null(*base, "%s", err);
    struct text_engine_options opt = { .base = *base, .model_thresholds = thresholds };
    *engine = text_engine_new(&opt, err, sizeof err);
    cr_assert_not_null(*engine, "%s", err);
    *sc = text_scratch_new();
    static struct text_result r;
    cr_assert_eq(text_classify(*engine, *sc, text, strlen(text), NULL, 0, &r), TEXT_OK);
    return &r;
}

Test(model, labels_carry_evidence_inside_text) {
    /* no lexicon term, no rule: what the model alone can see */
    const char *text = "Ma quanto sei ridicolo e patetico, vergognati, sei una nullità totale!!";
    struct text_base *base;
    struct text_engine *engine;
    struct text_scratch *sc;
    const struct text_result *r = classify_with_model(text, &base, &engine, &sc);
    size_t model_labels = 0;
    for (size_t i = 0; i < r->n; i++) {
        const struct text_label *l = &r->labels[i];
        if (l->origin != TEXT_ORIGIN_MODEL) continue;
        model_labels++;
        cr_expect(strncmp(l->rule_id, "model.", 6) == 0 && strcmp(l->rule_id + 6, l->category) == 0,
                  "rule_id %s", l->rule_id);
        cr_expect(l->score >= 0.3 && l->score <= 1.0);
        cr_expect_eq(l->score, r->model_scores[l->category_id]);
        cr_expect(l->span.start < l->span.end && l->span.end <= strlen(text),
                  "span [%zu, %zu) outside the text", l->span.start, l->span.end);
    }
    cr_expect_gt(model_labels, 0u, "insult score %.3f", r->model_scores[TEXT_CAT_INSULT]);
    text_scratch_free(sc);
    text_engine_free(engine);
    text_base_free(base);
}

Test(model, evidence_in_a_quotation_is_marked) {
    /* counter-speech: the hateful words are quoted to condemn them */
    const char *text = "Chi scrive \"stranieri schifosi tornatevene a casa vostra, rubate "
                       "e basta\" dovrebbe vergognarsi";
    struct text_base *base;
    struct text_engine *engine;
    struct text_scratch *sc;
    const struct text_result *r = classify_with_model(text, &base, &engine, &sc);
    const char *quote_end = strchr(text + 12, '"');
    size_t marked = 0;
    for (size_t i = 0; i < r->n; i++) {
        const struct text_label *l = &r->labels[i];
        int inside = l->span.start > 11 && l->span.end <= (size_t)(quote_end - text);
        if (l->origin != TEXT_ORIGIN_MODEL || !inside) continue;
        cr_expect(l->quoted, "%s label on quoted \"%.*s\" not marked", l->category,
                  (int)(l->span.end - l->span.start), text + l->span.start);
        marked++;
    }
    cr_expect_gt(marked, 0u, "the model found nothing inside the quotation");
    text_scratch_free(sc);
    text_engine_free(engine);
    text_base_free(base);
}

Test(model, rules_only_engine_does_not_score) {
    fixture_setup();
    const struct text_result *r = fixture_classify("sei un cretino");
    for (int c = 0; c < TEXT_CAT_COUNT; c++) cr_expect_eq(r->model_scores[c], -1);
    for (size_t i = 0; i < r->n; i++) cr_expect_eq(r->labels[i].origin, TEXT_ORIGIN_RULE);
    fixture_teardown();
}

Test(model, long_comment_is_scored_with_evidence_inside_it) {
    /* past the scanner's stack buffer: the padded view goes to the heap */
    size_t len = 0, cap = 1 << 20;
    char *text = malloc(cap + 1);
    const char *piece = "vergognati, sei un povero fallito e patetico! ";
    while (len + strlen(piece) <= cap) {
        memcpy(text + len, piece, strlen(piece));
        len += strlen(piece);
    }
    text[len] = '\0';
    struct text_base *base;
    struct text_engine *engine;
    struct text_scratch *sc;
    const struct text_result *r = classify_with_model(text, &base, &engine, &sc);
    for (size_t i = 0; i < r->n; i++)
        cr_expect(r->labels[i].span.start < r->labels[i].span.end && r->labels[i].span.end <= len);
    cr_expect_geq(r->model_scores[TEXT_CAT_INSULT], 0);
    text_scratch_free(sc);
    text_engine_free(engine);
    text_base_free(base);
    free(text);
}
