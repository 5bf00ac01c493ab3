/* Shared set-up for the text engine tests: one base, engine and scratch per
 * test process (Criterion runs each test in its own process), loaded from
 * the shipped data directory. */
#ifndef VIGILE_TEST_TEXT_FIXTURE_H
#define VIGILE_TEST_TEXT_FIXTURE_H

#include "text_engine.h"

/* Loads the base and an engine with the given extra rules (borrowed for the
 * call); aborts the test with the engine's message on failure. */
void fixture_setup_rules(const struct text_rule *rules, size_t n);
void fixture_setup(void);
void fixture_teardown(void);

/* Classifies text (no post) with the fixture engine; the result lives in
 * the fixture scratch until the next call. */
const struct text_result *fixture_classify(const char *text);

/* The first label of category cat in r, or NULL. */
const struct text_label *fixture_label(const struct text_result *r, const char *cat);

/* Whether classifying text yields a label of category cat. */
int fixture_has(const char *text, const char *cat);

/* Expects each of texts[0..n) to get (all) or not to get (none) a label of category cat;
 * a failure names the text, and for none the rule that labelled it. */
void fixture_expect_all(const char *const *texts, size_t n, const char *cat);
void fixture_expect_none(const char *const *texts, size_t n, const char *cat);

#define FIXTURE_N(a) (sizeof(a) / sizeof((a)[0]))

#endif
