/* text_result: label collection, de-duplication and redaction. */
#include "text_result.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void text_result_sink_reset(struct text_sink *sink) {
    sink->n = 0;
    memset(sink->per_category, 0, sizeof sink->per_category);
    sink->flags = 0;
}

/* Appends a label unless its category is full (see
 * TEXT_RESULT_MAX_PER_CATEGORY). */
static void add_label(struct text_sink *sink, const struct text_label *label) {
    enum text_category cat = label->category_id;
    if (cat != TEXT_CAT_PERSONAL_DATA &&
        sink->per_category[cat]++ >= TEXT_RESULT_MAX_PER_CATEGORY) {
        sink->flags |= TEXT_RESULT_LIMITED;
        return;
    }
    xgrow(&sink->labels, &sink->cap, sink->n + 1, sizeof *sink->labels);
    sink->labels[sink->n++] = *label;
}

void text_result_add(struct text_sink *sink, enum text_category cat, const char *rule_id,
                     double score, enum text_severity sev, const char *detail, size_t start,
                     size_t end) {
    add_label(sink, &(struct text_label){ cat,
                                          text_category_name(cat),
                                          TEXT_ORIGIN_RULE,
                                          rule_id,
                                          score,
                                          sev,
                                          detail,
                                          { start, end },
                                          0 });
}

void text_result_add_model(struct text_sink *sink, enum text_category cat, const char *rule_id,
                           double score, size_t start, size_t end) {
    add_label(sink, &(struct text_label){ cat,
                                          text_category_name(cat),
                                          TEXT_ORIGIN_MODEL,
                                          rule_id,
                                          score,
                                          TEXT_SEV_LOW,
                                          NULL,
                                          { start, end },
                                          0 });
}

static int label_cmp(const void *a, const void *b) {
    const struct text_label *x = a, *y = b;
    if (x->span.start != y->span.start) return x->span.start < y->span.start ? -1 : 1;
    if (x->category_id != y->category_id) return x->category_id < y->category_id ? -1 : 1;
    if (x->span.end != y->span.end) return x->span.end > y->span.end ? -1 : 1; /* longest first */
    return strcmp(x->rule_id, y->rule_id);
}

/* Whether a label lying inside container adds nothing.  Within a category
 * the container is evidence enough ("puttana" inside "figlio di
 * puttana").  Across categories only lexicon terms yield to a longer term:
 * the phrase says what the words mean ("porca puttana" is profanity, not an
 * insult; "pezzo di merda" is an insult, not just profanity). */
static int label_redundant(const struct text_label *l, const struct text_label *container) {
    if (container->span.start > l->span.start || container->span.end < l->span.end) return 0;
    if (container->category_id == l->category_id) return 1;
    return strncmp(l->rule_id, "lex.", 4) == 0 && strncmp(container->rule_id, "lex.", 4) == 0 &&
           container->span.end - container->span.start > l->span.end - l->span.start;
}

/* After sorting, drops redundant labels (see label_redundant).  Only the 64
 * previous labels are examined: containers start at or before the label,
 * and a bounded look-back keeps a 1 MB comment linear. */
static void drop_contained(struct text_sink *sink) {
    size_t o = 0;
    for (size_t i = 0; i < sink->n; i++) {
        const struct text_label *l = &sink->labels[i];
        int inside = 0;
        for (size_t j = o, steps = 0; j-- > 0 && steps < 64; steps++) {
            if (label_redundant(l, &sink->labels[j])) {
                inside = 1;
                break;
            }
        }
        if (!inside) sink->labels[o++] = *l;
    }
    sink->n = o;
}

static size_t redact(struct text_sink *sink, const char *text, size_t len) {
    size_t o = 0, pos = 0;
    for (size_t i = 0; i < sink->n; i++) {
        const struct text_label *l = &sink->labels[i];
        if (l->category_id != TEXT_CAT_PERSONAL_DATA || l->span.start < pos) continue;
        char tag[64];
        int t = snprintf(tag, sizeof tag, "[%s]", l->detail ? l->detail : "dato_personale");
        if (t < 0 || (size_t)t >= sizeof tag) t = (int)strlen(tag);
        size_t keep = l->span.start - pos;
        xgrow(&sink->redacted, &sink->redacted_cap, o + keep + (size_t)t + 1, 1);
        memcpy(sink->redacted + o, text + pos, keep);
        memcpy(sink->redacted + o + keep, tag, (size_t)t);
        o += keep + (size_t)t;
        pos = l->span.end;
    }
    xgrow(&sink->redacted, &sink->redacted_cap, o + (len - pos) + 1, 1);
    if (len > pos) memcpy(sink->redacted + o, text + pos, len - pos);
    o += len - pos;
    sink->redacted[o] = '\0';
    return o;
}

void text_result_finish(struct text_sink *sink, const char *text, size_t len,
                        struct text_result *out) {
    if (sink->n > 1) qsort(sink->labels, sink->n, sizeof *sink->labels, label_cmp);
    drop_contained(sink);
    out->redacted_len = redact(sink, text, len);
    out->redacted = sink->redacted;
    out->labels = sink->labels;
    out->n = sink->n;
    out->flags = sink->flags;
}

void text_result_sink_release(struct text_sink *sink) {
    if (!sink) return;
    free(sink->labels);
    free(sink->redacted);
    memset(sink, 0, sizeof *sink);
}
