/* text_result: collects labels while a comment is classified, then sorts
 * them, drops duplicates and builds the redacted text.  A sink lives in the
 * scratch and is reused; text_result_sink_reset empties it. */
#ifndef VIGILE_TEXT_RESULT_H
#define VIGILE_TEXT_RESULT_H

#include "text_label.h"

/* Labels other than personal data stop at this many per category and
 * comment: evidence, not an inventory, and a bound on a 1 MB comment's
 * output that cannot let one category crowd out another.  Personal data is
 * never capped because redaction needs every span. */
#define TEXT_RESULT_MAX_PER_CATEGORY 16

struct text_sink {
    struct text_label *labels;
    size_t n, cap;
    unsigned per_category[TEXT_CAT_COUNT];
    unsigned flags; /* TEXT_RESULT_* */
    char *redacted;
    size_t redacted_cap;
};

void text_result_sink_reset(struct text_sink *sink);

/* Adds a label.  rule_id and detail are borrowed and must outlive the
 * result (they belong to the base or engine, or are static). */
void text_result_add(struct text_sink *sink, enum text_category cat, const char *rule_id,
                     double score, enum text_severity sev, const char *detail, size_t start,
                     size_t end);

/* Adds a label of the statistical scorer (origin TEXT_ORIGIN_MODEL, severity
 * low); same ownership as text_result_add. */
void text_result_add_model(struct text_sink *sink, enum text_category cat, const char *rule_id,
                           double score, size_t start, size_t end);

/* Sorts, removes labels duplicated or contained in another of the same
 * category, builds the redacted copy of text and fills *out with pointers
 * into the sink. */
void text_result_finish(struct text_sink *sink, const char *text, size_t len,
                        struct text_result *out);

/* NULL-safe; releases the buffers, not the sink. */
void text_result_sink_release(struct text_sink *sink);

#endif
