/* text_rules: pcre2 rules (baseline ones from data/rules/\*.tsv, a tenant's
 * extra ones from its config), compiled once with JIT and run on the
 * pattern view under match and depth limits.
 *
 * Rules are not run on every comment: each rule's longest required literal
 * ("anchor", e.g. "ammazz" in "\bti ammazz\w*") is added to the shared
 * Aho-Corasick pass, and only rules whose anchor occurred are run.  A rule
 * with no usable anchor (top-level alternation, no literal of 3 letters)
 * runs on every comment; keep those few.
 *
 * Rule file format, tab-separated, '#' comments:
 *     id  category  severity  score  detail  pattern
 * detail is "-" for none; score is the confidence reported (0..1). */
#ifndef VIGILE_TEXT_RULES_H
#define VIGILE_TEXT_RULES_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "text_ac.h"
#include "text_norm.h"
#include "text_result.h"

struct text_rule_compiled;

struct text_ruleset {
    struct text_rule_compiled *rules;
    size_t n, cap;
    pcre2_match_context *mctx;  /* limits; read-only while matching */
};

/* Compiles one rule into rs (zeroed before first use).  Strings are
 * borrowed and copied.  Returns 0, or -1 with err naming the rule id and
 * the problem (pcre2's message and offset for a bad pattern). */
int text_ruleset_add(struct text_ruleset *rs, const char *id, const char *category,
                     enum text_severity sev, double score, const char *detail,
                     const char *pattern, char *err, size_t errlen);

/* Loads every *.tsv in dir.  Returns 0, or -1 with "path:line: problem". */
int text_ruleset_load_dir(struct text_ruleset *rs, const char *dir, char *err, size_t errlen);

/* Adds each rule's anchor to ac with value tag | index.  Anchor-less rules
 * are not added; text_ruleset_run runs them anyway. */
void text_ruleset_register(const struct text_ruleset *rs, struct text_ac *ac, uint32_t tag);

/* Whether rule idx has no anchor and so runs on every comment. */
int text_ruleset_always(const struct text_ruleset *rs, size_t idx);

/* Runs rule idx on nm's pattern view and adds a label per match (at most a
 * few per rule) to sink; a limit hit sets TEXT_RESULT_LIMITED.  md is the
 * caller's (per-thread) match data. */
void text_ruleset_run(const struct text_ruleset *rs, size_t idx, const struct text_norm *nm,
                      pcre2_match_data *md, struct text_sink *sink);

/* NULL-safe; releases the rules, not rs. */
void text_ruleset_release(struct text_ruleset *rs);

#endif
