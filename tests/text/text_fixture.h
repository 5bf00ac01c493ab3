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

#endif
