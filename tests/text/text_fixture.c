/* Shared set-up for the text engine tests (see text_fixture.h). */
#include "text_fixture.h"

#include <criterion/criterion.h>
#include <string.h>

static struct text_base *base;
static struct text_engine *engine;
static struct text_scratch *scratch;
static struct text_result result;

void fixture_setup_rules(const struct text_rule *rules, size_t n) {
    char err[512];
    base = text_base_new(VIGILE_TEXT_DATA_DIR, err, sizeof err);
    cr_assert_not_null(base, "base: %s", err);
    struct text_engine_options opt = { .base = base, .extra_rules = rules, .n_extra_rules = n };
    engine = text_engine_new(&opt, err, sizeof err);
    cr_assert_not_null(engine, "engine: %s", err);
    scratch = text_scratch_new();
}

void fixture_setup(void) { fixture_setup_rules(NULL, 0); }

void fixture_teardown(void) {
    text_scratch_free(scratch);
    text_engine_free(engine);
    text_base_free(base);
}

const struct text_result *fixture_classify(const char *text) {
    int rc = text_classify(engine, scratch, text, strlen(text), NULL, 0, &result);
    cr_assert_eq(rc, TEXT_OK, "classify failed on \"%s\"", text);
    return &result;
}

const struct text_label *fixture_label(const struct text_result *r, const char *cat) {
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->labels[i].category, cat) == 0) return &r->labels[i];
    return NULL;
}

int fixture_has(const char *text, const char *cat) {
    return fixture_label(fixture_classify(text), cat) != NULL;
}

void fixture_expect_all(const char *const *texts, size_t n, const char *cat) {
    for (size_t i = 0; i < n; i++)
        cr_expect(fixture_has(texts[i], cat), "\"%s\": no %s", texts[i], cat);
}

void fixture_expect_none(const char *const *texts, size_t n, const char *cat) {
    for (size_t i = 0; i < n; i++) {
        const struct text_label *l = fixture_label(fixture_classify(texts[i]), cat);
        cr_expect_null(l, "\"%s\" got %s", texts[i], l ? l->rule_id : "");
    }
}
