/* text_features: hashed character and word n-grams of the pattern view (see
 * text_features.h for the definition the trainer relies on). */
#include "text_features.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

#define FNV_PRIME 0x100000001b3ull
/* Seeds of the word hashes, so that a word and a pair of words land in
 * unrelated buckets. */
#define SEED_WORD 0xcbf29ce484222325ull
#define SEED_PAIR 0x9ce484222325cbf2ull

#define CHAR_MIN        2
#define CHAR_MAX        5
#define PADDED_ON_STACK 4096

/* Eight bytes read from memory as a little-endian number. */
static inline uint64_t le64(uint64_t v) {
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return __builtin_bswap64(v);
#else
    return v;
#endif
}

/* 1 for 'a'..'z', '0'..'9' and 0x80..0xff; 32 bytes a row. */
const unsigned char text_feature_word_table[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static inline uint64_t fnv_byte(uint64_t h, unsigned char c) { return (h ^ c) * FNV_PRIME; }

/* A 64-bit key to a bucket: Fibonacci hashing (the top bits of the key
 * times 2^64 / phi), one multiplication that every key bit reaches. */
static inline uint32_t bucket_of(uint64_t key) {
    return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> (64 - TEXT_FEATURE_BITS));
}

struct emitter {
    struct text_feature_block block;
    text_feature_fn *fn;
    void *arg;
    size_t total;
};

/* Hands the block over unless it has room for `room` more n-grams.  Blocks
 * are batches, not all full: checking once per position, not per n-gram,
 * is what counts. */
static inline void reserve(struct emitter *e, size_t room) {
    if (e->block.n + room <= TEXT_FEATURE_BLOCK) return;
    e->fn(e->arg, &e->block);
    e->total += e->block.n;
    e->block.n = 0;
}

/* What a scan fills in a block besides the buckets: the places too. */
enum { WITH_POS = 1 };

/* Adds one n-gram; the caller has reserved room for it.  Inlined where
 * `with` is a constant, so the scoring pass stores no positions. */
static inline __attribute__((always_inline)) void emit(struct emitter *e, int with, uint64_t key,
                                                       size_t start, size_t len) {
    struct text_feature_block *b = &e->block;
    b->bucket[b->n] = bucket_of(key);
    if (with & WITH_POS) {
        b->start[b->n] = (uint32_t)start;
        b->len[b->n] = (uint32_t)len;
    }
    b->n++;
}

#define MASK(k)             ((1ull << (8 * (k))) - 1)
#define CHAR_KEY(window, k) (((window)&MASK(k)) | (uint64_t)(k) << 56)

/* Character n-grams.  The key of an n-gram is its bytes themselves, first
 * byte lowest, with its length in the top byte: at most five bytes need no
 * hashing of their own, only the bucket mix, which is what keeps a
 * thousand n-grams per comment cheap.  padded is " " p " " followed by
 * eight zero bytes, so that eight bytes can be read at any position.  An
 * n-gram of the padded view at [i, i + k) covers pattern-view bytes
 * [i - 1, i - 1 + k) clipped to the view. */
static inline __attribute__((always_inline)) void
scan_chars(struct emitter *e, int with, const unsigned char *padded, size_t len) {
    size_t n = len + 2;
    for (size_t i = 0; i + CHAR_MIN <= n; i++) {
        uint64_t window;
        memcpy(&window, padded + i, sizeof window);
        window = le64(window);
        reserve(e, CHAR_MAX - CHAR_MIN + 1);
        if (i > 0 && i + CHAR_MAX <= n - 1) {
            /* inside the view: every length fits, nothing is clipped */
            emit(e, with, CHAR_KEY(window, 2), i - 1, 2);
            emit(e, with, CHAR_KEY(window, 3), i - 1, 3);
            emit(e, with, CHAR_KEY(window, 4), i - 1, 4);
            emit(e, with, CHAR_KEY(window, 5), i - 1, 5);
            continue;
        }
        size_t from = i > 0 ? i - 1 : 0;
        size_t kmax = n - i < CHAR_MAX ? n - i : CHAR_MAX;
        for (size_t k = CHAR_MIN; k <= kmax; k++) {
            size_t to = i + k - 1 < len ? i + k - 1 : len;
            emit(e, with, CHAR_KEY(window, k), from, to - from);
        }
    }
}

/* Word unigrams and bigrams, in text order.  A pair's key combines its
 * words' hashes (the first rotated, so that "a b" is not "b a"): each word
 * is hashed once. */
static inline __attribute__((always_inline)) void scan_words(struct emitter *e, int with,
                                                             const char *p, size_t len) {
    size_t prev_start = 0;
    uint64_t prev_hash = 0;
    int have_prev = 0;
    size_t i = 0;
    while (i < len) {
        if (!text_feature_word_byte((unsigned char)p[i])) {
            i++;
            continue;
        }
        size_t start = i;
        uint64_t h = SEED_WORD;
        while (i < len && text_feature_word_byte((unsigned char)p[i]))
            h = fnv_byte(h, (unsigned char)p[i++]);
        reserve(e, 2);
        emit(e, with, h, start, i - start);
        if (have_prev)
            emit(e, with, SEED_PAIR ^ (prev_hash << 17 | prev_hash >> 47) ^ h, prev_start,
                 i - prev_start);
        prev_start = start;
        prev_hash = h;
        have_prev = 1;
    }
}

/* Both kinds of n-grams, as text_features_scan and text_features_buckets
 * describe; `with` is a constant in each caller. */
static inline __attribute__((always_inline)) size_t scan(const struct text_norm *nm, int with,
                                                         text_feature_fn *fn, void *arg) {
    struct emitter e;
    e.block.n = 0;
    e.fn = fn;
    e.arg = arg;
    e.total = 0;
    if (nm->p_len == 0) return 0;
    /* the padded copy: on the stack for a comment, on the heap for a long text */
    unsigned char stack[PADDED_ON_STACK], *padded = stack;
    size_t need = nm->p_len + 2 + 8;
    if (need > sizeof stack) padded = xmalloc(need);
    padded[0] = ' ';
    memcpy(padded + 1, nm->p, nm->p_len);
    padded[nm->p_len + 1] = ' ';
    memset(padded + nm->p_len + 2, 0, 8);
    scan_chars(&e, with, padded, nm->p_len);
    if (padded != stack) free(padded);
    scan_words(&e, with, nm->p, nm->p_len);
    if (e.block.n > 0) {
        fn(arg, &e.block);
        e.total += e.block.n;
    }
    return e.total;
}

size_t text_features_scan(const struct text_norm *nm, text_feature_fn *fn, void *arg) {
    return scan(nm, WITH_POS, fn, arg);
}

size_t text_features_buckets(const struct text_norm *nm, text_feature_fn *fn, void *arg) {
    return scan(nm, 0, fn, arg);
}

/* scan_chars emits at padded position i (of len + 2) the lengths 2 up to
 * min(5, len + 2 - i): four everywhere but at the last three positions. */
size_t text_features_char_index(size_t len, size_t i) {
    size_t n = len + 2, full = n > CHAR_MAX - 1 ? n - (CHAR_MAX - 1) : 0;
    if (i <= full) return (CHAR_MAX - CHAR_MIN + 1) * i;
    size_t at = (CHAR_MAX - CHAR_MIN + 1) * full;
    for (size_t q = full; q < i && q + CHAR_MIN <= n; q++) at += n - q - (CHAR_MIN - 1);
    return at;
}

/* scan_words emits each token's unigram, then (from the second token on)
 * the pair it ends, after every character n-gram. */
size_t text_features_word_index(size_t len, size_t w) {
    return text_features_char_index(len, len + 1) + (w ? 2 * w - 1 : 0);
}
