/* text_engine: the pure text engine of vigile-classify.
 *
 * Given a comment (and optionally the text of the post it answers) it
 * returns the policy categories the comment falls in, each with the rule
 * that fired, a score, a severity and an evidence span in the original
 * bytes; the comment with personal data redacted; and a fingerprint for
 * near-duplicate detection.  No Kafka, no Redis, no tenant files: the stage
 * glue attaches policy clauses, decides `repeated` from fingerprints and
 * builds the JSON.
 *
 * Beside the rules runs a statistical scorer (text_model.h): one score 0..1
 * per category it has a head for, in text_result.model_scores.  Where the
 * engine's options ask for it, a category the rules did not find but whose
 * score reaches the tenant's threshold gets a model label (origin
 * TEXT_ORIGIN_MODEL, rule_id "model.<category>", the n-grams that weighed
 * most as evidence).  Whether such a label removes the comment or only sends
 * it to review is the router's decision, from the same tenant thresholds.
 *
 * Objects and threads:
 *   text_base     lexicons, baseline rules and the model loaded from a data
 *                 directory; built once per process (and again on reload),
 *                 immutable, shared by all engines.
 *   text_engine   a base plus one tenant's extra rules; immutable once built,
 *                 so one engine may serve any number of threads.
 *   text_scratch  per-thread working memory and result storage; one thread
 *                 at a time, any engine.
 *
 * Text must be UTF-8.  Invalid UTF-8 is rejected with TEXT_ERR_UTF8 and the
 * byte offset (the worker dead-letters it); it never crashes the engine. */
#ifndef VIGILE_TEXT_ENGINE_H
#define VIGILE_TEXT_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "text_label.h"

/* An extra pcre2 rule (a tenant's party or candidate names, local words).
 * The pattern runs, caseless, on the normalized pattern view: lower case,
 * no accents, single spaces (see docs/classification.md).  All strings are
 * borrowed for the duration of text_engine_new, which copies them. */
struct text_rule {
    const char *id;       /* reported as rule_id as given */
    const char *category; /* one of the category ids */
    const char *pattern;
    enum text_severity severity;
    const char *detail; /* may be NULL */
};

struct text_base;
struct text_engine;
struct text_scratch;

/* The model file every base loads, under the data directory. */
#define TEXT_MODEL_PATH "models/comments-it.bin"

/* Loads lexicons (data_dir/lexicons/\*.tsv), baseline rules
 * (data_dir/rules/\*.tsv) and the model (data_dir/TEXT_MODEL_PATH) and
 * compiles them.  data_dir is borrowed.  Returns a new base owned by the
 * caller, or NULL with a message in err naming the file and line, for a bad
 * pattern pcre2's message and offset, for a bad model what is wrong with it. */
struct text_base *text_base_new(const char *data_dir, char *err, size_t errlen);

/* NULL-safe.  Every engine built on the base must be freed first. */
void text_base_free(struct text_base *base);

/* Bytes the base's model holds (its weights are shared by every engine). */
size_t text_base_model_bytes(const struct text_base *base);

struct text_engine_options {
    const struct text_base *base;        /* borrowed; must outlive the engine */
    const struct text_rule *extra_rules; /* borrowed for the call; may be NULL */
    size_t n_extra_rules;
    /* Per category, the score from which the model labels a comment the rules
     * did not (copied; a value above 1 never labels).  NULL: the scorer does
     * not run at all, and text_result.model_scores are all -1. */
    const double *model_thresholds; /* TEXT_CAT_COUNT entries, or NULL */
};

/* Builds an engine: the base plus extra rules compiled once.  Returns a new
 * engine owned by the caller, or NULL with err naming the rule id and
 * pcre2's message and offset (or what else is wrong with the rule). */
struct text_engine *text_engine_new(const struct text_engine_options *opt, char *err,
                                    size_t errlen);

/* NULL-safe. */
void text_engine_free(struct text_engine *engine);

/* Per-thread working memory; owned by the caller.  NULL-safe free. */
struct text_scratch *text_scratch_new(void);
void text_scratch_free(struct text_scratch *scratch);

enum text_status {
    TEXT_OK = 0,
    TEXT_ERR_UTF8 = -1 /* text is not valid UTF-8 */
};

/* Classifies text[0..len); post_text (may be NULL) is the post it answers,
 * used for off_topic (an invalid post is ignored, not an error).  Both are
 * borrowed for the call.  Empty text yields no labels.  Returns TEXT_OK and
 * fills *out, or TEXT_ERR_UTF8 with out->bad_offset set and no labels. */
int text_classify(const struct text_engine *engine, struct text_scratch *scratch, const char *text,
                  size_t len, const char *post_text, size_t post_len, struct text_result *out);

/* A 64-bit simhash of the normalized word shingles of text: the same text,
 * or one with a few words changed, obfuscated or re-cased, gives equal or
 * close fingerprints.  Works on any bytes. */
uint64_t text_fingerprint(const char *text, size_t len);

/* Number of differing bits, 0..64.  In our measurements a one-word edit of
 * a short comment moves 9-14 bits and unrelated comments differ by 30 or
 * more, so 16 is a reasonable near-duplicate threshold (see
 * docs/classification.md). */
int text_fingerprint_distance(uint64_t a, uint64_t b);

#endif
