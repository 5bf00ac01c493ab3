/* text_context: what needs the whole comment, or the post it answers.
 *
 * off_topic is decided conservatively: only when the post is known, the
 * comment has at least TEXT_CONTEXT_MIN_WORDS content words, shares no word
 * stem with the post, uses no civic vocabulary, and no rule found anything
 * else in it (a complaint, a question or a report is on topic for a
 * municipality's page whatever the post was about; the statistical
 * scorer's guesses do not count). */
#ifndef VIGILE_TEXT_CONTEXT_H
#define VIGILE_TEXT_CONTEXT_H

#include <stdint.h>

#include "text_lexicon.h"
#include "text_norm.h"
#include "text_result.h"

#define TEXT_CONTEXT_MIN_WORDS 4

/* Stop words, normalized once; immutable after text_context_init. */
struct text_context {
    uint64_t *stop; /* open-addressing set of token hashes, 0 = empty */
    size_t stop_mask;
};

/* Per-thread working set of the post's word stems; lives in the scratch. */
struct text_context_work {
    uint64_t *stems;
    size_t cap;
};

void text_context_init(struct text_context *ctx);
void text_context_release(struct text_context *ctx);
void text_context_work_release(struct text_context_work *w);

/* Adds an off_topic label to sink if the comment (nm) is off the post's
 * topic (post, already normalized; NULL if unknown).  Borrowed arguments. */
void text_context_off_topic(const struct text_context *ctx, struct text_context_work *w,
                            const struct text_norm *nm, const struct text_norm *post,
                            const struct text_vocab_hits *vocab, struct text_sink *sink);

/* 64-bit FNV-1a then a finalizer, for token and shingle hashes; inline
 * because the fingerprint hashes every token and word pair of a comment.
 * The steps are public so that a caller walking the bytes anyway can hash
 * as it goes: text_context_hash_finish(text_context_hash_add(
 * TEXT_CONTEXT_HASH_BASIS ^ seed, c1), ...) equals text_context_hash. */
#define TEXT_CONTEXT_HASH_BASIS 0xcbf29ce484222325ULL

static inline uint64_t text_context_hash_add(uint64_t h, unsigned char c) {
    return (h ^ c) * 0x100000001b3ULL;
}

static inline uint64_t text_context_hash_finish(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h ? h : 1; /* 0 marks an empty slot */
}

static inline uint64_t text_context_hash(const char *s, size_t n, uint64_t seed) {
    uint64_t h = TEXT_CONTEXT_HASH_BASIS ^ seed;
    for (size_t i = 0; i < n; i++) h = text_context_hash_add(h, (unsigned char)s[i]);
    return text_context_hash_finish(h);
}

#endif
