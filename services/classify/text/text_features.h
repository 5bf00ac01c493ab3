/* text_features: the hashed n-gram features of a normalized comment, as the
 * statistical scorer (text_model) reads them and as the trainer receives them
 * from vigile-features.  One definition for both, so training and serving
 * cannot drift.
 *
 * Features are read from the pattern view (text_norm.p): it has the same
 * de-obfuscation as the lexicon view (l33t, look-alikes, split letters,
 * accents, case) but keeps what the lexicon view throws away and a scorer
 * needs: punctuation ('?' is most of what tells a question), digits next to
 * letters, and doubled letters ("anno" is not "ano"; only runs of three or
 * more are folded).
 *
 *   character n-grams  every 2..5 consecutive bytes of " " p " " (the view
 *                      with one space before and after, so word edges count);
 *   word n-grams       every token (a run of letters, digits or non-ASCII
 *                      bytes) and every pair of consecutive tokens.
 *
 * Each n-gram gets a 64-bit key (a character n-gram's bytes and length, a
 * word's FNV-1a hash, a pair's combination of its words' hashes) mixed into one of
 * 2^TEXT_FEATURE_BITS buckets (text_features.c).  A comment's feature vector is the count of
 * each bucket divided by the square root of the total number of n-grams
 * (see text_model.h), which the trainer must reproduce exactly. */
#ifndef VIGILE_TEXT_FEATURES_H
#define VIGILE_TEXT_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#include "text_norm.h"

#define TEXT_FEATURE_BITS    16
#define TEXT_FEATURE_BUCKETS (1u << TEXT_FEATURE_BITS)
/* Bumped whenever the definition above changes; a model file names the
 * version it was trained with and is refused by any other. */
#define TEXT_FEATURE_VERSION 1

#define TEXT_FEATURE_BLOCK 256

/* Whether a pattern-view byte belongs to a word (a token): a letter, a digit
 * or a byte of a non-ASCII character.  The scorer's evidence is told in the
 * same words.  A table, not three comparisons: the word scan asks it of
 * every byte. */
extern const unsigned char text_feature_word_table[256];

static inline int text_feature_word_byte(unsigned char c) { return text_feature_word_table[c]; }

/* A batch of consecutive features of one comment, with where each n-gram
 * lies in the pattern view: [start, start + len). */
struct text_feature_block {
    uint32_t bucket[TEXT_FEATURE_BLOCK];
    uint32_t start[TEXT_FEATURE_BLOCK];
    uint32_t len[TEXT_FEATURE_BLOCK];
    size_t n;
};

/* Receives each full block, and the last partial one, in text order.  The
 * block is borrowed for the call. */
typedef void text_feature_fn(void *arg, const struct text_feature_block *block);

/* Computes the features of nm's pattern view (borrowed) and hands them to fn
 * in blocks.  Returns the number of features (the total n-gram count). */
size_t text_features_scan(const struct text_norm *nm, text_feature_fn *fn, void *arg);

/* The same features without their places (block start and len are left
 * undefined): the scoring pass, which needs none, stores none. */
size_t text_features_buckets(const struct text_norm *nm, text_feature_fn *fn, void *arg);

/* Where an n-gram sits in the order text_features_buckets hands them out
 * (counted from 0 across blocks), for a pass that kept the buckets and
 * needs some n-grams' places without walking the view again.  For a view
 * of len bytes: the character n-grams of padded position i (0 .. len,
 * i.e. view byte i - 1; see text_features.c), lengths 2, 3, ... at that
 * index and after it; and word unigram w (w-th token, from 0). */
size_t text_features_char_index(size_t len, size_t i);
size_t text_features_word_index(size_t len, size_t w);

#endif
