/* text_label: what a classification yields, apart from the engine that makes
 * it: the category ids, a label with its evidence, and the result of one
 * comment.  The engine's modules (rules, model, result sink) include this
 * header instead of text_engine.h, so that none of them depends on the file
 * that ties them together. */
#ifndef VIGILE_TEXT_LABEL_H
#define VIGILE_TEXT_LABEL_H

#include <stddef.h>
#include <stdint.h>

#include "categories.h"

/* Fixed category ids.  text_category_name() gives the string used on the
 * wire; TEXT_CAT_REPEATED is never emitted by the engine (the glue decides
 * it from text_result.fingerprint). */
#define TEXT_CAT_ENUM(name, id) TEXT_CAT_##name,
enum text_category {
    VIGILE_CATEGORIES(TEXT_CAT_ENUM) /* categories.h: TEXT_CAT_INSULT, ... */
    TEXT_CAT_COUNT
};
#undef TEXT_CAT_ENUM

/* Returns the id ("insult", ...) in static storage, or NULL if out of range. */
const char *text_category_name(enum text_category cat);

/* Returns the category whose id is name, or -1. */
int text_category_from_name(const char *name);

enum text_severity { TEXT_SEV_LOW = 1, TEXT_SEV_MEDIUM = 2, TEXT_SEV_HIGH = 3 };

/* Where a label comes from: a rule (lexicon term, pattern, personal-data
 * scanner: each cites what matched) or the statistical scorer alone (the
 * rules found nothing of the category; a score and the weightiest n-grams). */
enum text_origin { TEXT_ORIGIN_RULE = 0, TEXT_ORIGIN_MODEL = 1 };

/* Byte offsets into the ORIGINAL text, end exclusive. */
struct text_span {
    size_t start, end;
};

struct text_label {
    enum text_category category_id;
    const char *category; /* text_category_name(category_id); static */
    enum text_origin origin;
    const char *rule_id; /* "lex.profanity.cazzo", "re.threat.ti_ammazzo",
                                   "pii.codice_fiscale", "model.insult", ...; owned
                                   by the base or the engine, valid while they live */
    double score;        /* 0..1, how sure the rule is; for a model label
                                   the model's score */
    enum text_severity severity;
    const char *detail;    /* pii type ("codice_fiscale", "telefono", ...),
                                   hate target ("etnia", "religione", ...),
                                   "bestemmia", or NULL; same owner as rule_id */
    struct text_span span; /* a model label has one label per evidence span */
    int quoted;            /* 1: abuse whose evidence lies inside a quotation
                                   (text_quote.h): it never acts on its own */
};

/* result.flags */
enum {
    TEXT_RESULT_LIMITED = 1 /* a pcre2 limit was hit or labels were capped:
                                   the result may miss evidence */
};

/* Everything points into the scratch: valid until the next text_classify
 * with the same scratch or text_scratch_free.  Copy what you keep. */
struct text_result {
    struct text_label *labels; /* sorted by span start, then category */
    size_t n;
    char *redacted; /* NUL-terminated original text with every
                                   personal_data span replaced by "[type]" */
    size_t redacted_len;
    uint64_t fingerprint;                /* text_fingerprint() of the text */
    unsigned flags;                      /* TEXT_RESULT_* */
    size_t bad_offset;                   /* with TEXT_ERR_UTF8: first invalid byte */
    double model_scores[TEXT_CAT_COUNT]; /* 0..1, or -1 where the model has no
                                            head or did not run */
};

#endif
