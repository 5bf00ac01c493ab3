/* text_model: the statistical scorer beside the rules.  One logistic
 * regression head per category over the hashed n-grams of text_features,
 * all heads sharing 2^TEXT_FEATURE_BITS buckets of int8 weights.
 *
 * For a comment with feature counts c[b] (b a bucket) and N features in all,
 * head h scores
 *
 *     sigmoid(bias[h] + scale[h] * sum_b c[b] * w[b][h] / sqrt(N))
 *
 * (bias[h] alone when N is 0).  scripts/train-model.py writes the file and
 * computes the same expression; tests/text/test_model.c compares the two.
 *
 * File (little-endian), data/models/<name>.bin:
 *
 *     char     magic[8]          "VGLMODEL"
 *     uint32   format            TEXT_MODEL_FORMAT
 *     uint32   feature_version   TEXT_FEATURE_VERSION
 *     uint32   bucket_bits       TEXT_FEATURE_BITS
 *     uint32   n_heads           1..TEXT_CAT_COUNT
 *     uint32   stride            bytes per bucket: n_heads rounded up to 16
 *     uint32   reserved          0
 *     n_heads x { char category[32] (NUL-padded id); float32 scale; float32 bias }
 *     int8     weights[2^bucket_bits][stride]   (heads in file order, zero padding)
 *     uint32   crc32             CRC-32 (zlib's) of every byte before it
 *
 * Weights are stored bucket by bucket so that one n-gram reads every head's
 * weight from one cache line.  A loaded model is immutable and may be shared
 * by any number of threads. */
#ifndef VIGILE_TEXT_MODEL_H
#define VIGILE_TEXT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "text_label.h"
#include "text_norm.h"

#define TEXT_MODEL_FORMAT 1

struct text_model;

/* Reads and validates the model file at path (borrowed).  Returns a new
 * model owned by the caller, or NULL with err naming the file and what is
 * wrong with it (cannot open, size, magic, format or feature version,
 * unknown or repeated category, bad scale, checksum). */
struct text_model *text_model_load(const char *path, char *err, size_t errlen);

/* NULL-safe. */
void text_model_free(struct text_model *model);

/* Bytes of memory the model holds (weights and head table). */
size_t text_model_bytes(const struct text_model *model);

/* "model.<category>" in the model's storage when it has a head for cat,
 * else NULL. */
const char *text_model_rule_id(const struct text_model *model, enum text_category cat);

/* Scores the normalized comment nm (borrowed) with every head: scores[cat]
 * gets 0..1 for the categories the model has a head for and -1 for the
 * others. */
void text_model_score(const struct text_model *model, const struct text_norm *nm,
                      double scores[TEXT_CAT_COUNT]);

/* What scoring one comment leaves for its evidence: the bucket of each of
 * its n-grams in scan order, so that the evidence need not hash the comment
 * a second time.  Zero-initialized by the caller, who owns it and reuses it
 * from comment to comment (four bytes per n-gram, some twenty per byte of
 * text); freed with text_model_work_release. */
struct text_model_work {
    uint32_t *bucket;
    size_t n, cap;
};

void text_model_work_release(struct text_model_work *work);

/* text_model_score that also fills work (borrowed; its previous content is
 * dropped) for text_model_evidence on the same nm. */
void text_model_score_work(const struct text_model *model, const struct text_norm *nm,
                           struct text_model_work *work, double scores[TEXT_CAT_COUNT]);

/* Evidence spans of one category: enough for a moderator to see why. */
#define TEXT_MODEL_EVIDENCE 3

struct text_evidence {
    struct text_span spans[TEXT_MODEL_EVIDENCE]; /* heaviest first, disjoint */
    size_t n;
};

/* The evidence for the scores of the categories whose bits are set in cats
 * (1u << category), in one pass over the comment: for each, the words whose
 * n-grams (those lying within the word) weighed most towards it, as spans
 * of the ORIGINAL text (nm's offsets), heaviest first.  out[cat].n is 0 for
 * the other categories, those without a head, and those no word weighed
 * for.  nm is borrowed; so is work, which text_model_score_work filled for
 * this nm, or NULL to hash the comment again. */
void text_model_evidence(const struct text_model *model, const struct text_norm *nm,
                         const struct text_model_work *work, unsigned cats,
                         struct text_evidence out[TEXT_CAT_COUNT]);

#endif
