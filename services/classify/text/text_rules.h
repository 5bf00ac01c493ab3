/* text_rules: pcre2 rules (baseline ones from data/rules/\*.tsv, a tenant's
 * extra ones from its config), compiled once with JIT and run on the
 * pattern view under match and depth limits.
 *
 * Rules are not run on every comment: each rule's longest required literal
 * ("anchor", e.g. "ammazz" in "\bti ammazz\w*") is added to the shared
 * Aho-Corasick pass, and only rules whose anchor occurred are run.  Nor are
 * they run over the whole comment: an anchor knows how far after the start
 * of a match it can begin ("ammazz": 2 to 3 bytes), so a match is only
 * tried at the offsets its anchor occurrences allow.  When the most
 * selective anchors lie an unbounded distance into a match (after a \w*),
 * they only make the rule a candidate, and a bounded set of the same
 * pattern, if any, gives those offsets.  A rule with no usable
 * anchor (top-level alternation, no literal of 3 letters) runs on every
 * comment from every offset; keep those few.
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

/* What an anchor's occurrence does: make its rule a candidate, tell the
 * offsets where its matches may start, or both (see above); or only show
 * that a second literal the rule needs is there (TEXT_ANCHOR_REQUIRED:
 * a rule with such anchors is not run when none of them occurs). */
enum text_anchor_role {
    TEXT_ANCHOR_BOTH,
    TEXT_ANCHOR_CANDIDATE,
    TEXT_ANCHOR_WINDOW,
    TEXT_ANCHOR_REQUIRED
};

/* An anchor as registered in the automaton (value: tag | its index). */
struct text_rule_anchor {
    char *lit; /* lexicon-view literal */
    size_t len;
    uint32_t rule;       /* index of its rule */
    uint32_t dmin, dmax; /* pattern-view bytes from a match's start to
                                   the anchor; dmax may be huge (unbounded) */
    enum text_anchor_role role;
};

struct text_ruleset {
    struct text_rule_compiled *rules;
    size_t n, cap;
    struct text_rule_anchor *anchors;
    size_t n_anchors, anchors_cap;
};

/* Compiles one rule into rs (zeroed before first use).  Strings are
 * borrowed and copied.  Returns 0, or -1 with err naming the rule id and
 * the problem (pcre2's message and offset for a bad pattern). */
int text_ruleset_add(struct text_ruleset *rs, const char *id, const char *category,
                     enum text_severity sev, double score, const char *detail, const char *pattern,
                     char *err, size_t errlen);

/* Loads every *.tsv in dir: id, category, severity, score, detail, pattern and, optionally,
 * a vocabulary gate (text_ruleset_gate).  Returns 0, or -1 with "path:line: problem". */
int text_ruleset_load_dir(struct text_ruleset *rs, const char *dir, char *err, size_t errlen);

/* Adds every anchor to ac with value tag | anchor index (rs->anchors[]).
 * Anchor-less rules are not added; the caller runs them anyway. */
void text_ruleset_register(const struct text_ruleset *rs, struct text_ac *ac, uint32_t tag);

/* Whether rule idx has no anchor and so runs on every comment. */
int text_ruleset_always(const struct text_ruleset *rs, size_t idx);

/* Whether rule idx has TEXT_ANCHOR_REQUIRED anchors, one of which must
 * occur besides its other anchors. */
int text_ruleset_needs_second(const struct text_ruleset *rs, size_t idx);

/* The vocabulary (enum text_vocab) one of whose words must have occurred for rule idx to
 * run, or -1. */
int text_ruleset_gate(const struct text_ruleset *rs, size_t idx);

/* A match context with the match and depth limits every call runs under;
 * new, owned by the caller (one per thread: text_ruleset_run sets its
 * offset limit). */
pcre2_match_context *text_ruleset_match_context_new(void);

/* Runs rule idx on nm's pattern view, trying matches that start at offsets
 * from..last_start (SIZE_MAX: to the end), and adds a label per match (at
 * most a few per rule) to sink; a limit hit sets TEXT_RESULT_LIMITED.  md
 * and mctx are the caller's (per-thread) match data and context. */
void text_ruleset_run(const struct text_ruleset *rs, size_t idx, const struct text_norm *nm,
                      size_t from, size_t last_start, pcre2_match_data *md,
                      pcre2_match_context *mctx, struct text_sink *sink);

/* NULL-safe; releases the rules, not rs. */
void text_ruleset_release(struct text_ruleset *rs);

#endif
