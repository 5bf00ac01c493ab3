/* text_features: hashed character and word n-grams of the pattern view (see
 * text_features.h for the definition the trainer relies on). */
#include "text_features.h"

#define FNV_PRIME 0x100000001b3ull
/* One seed per kind of n-gram, so "ab" as characters and "ab" as a word
 * land in unrelated buckets. */
#define SEED_CHAR 0xcbf29ce484222325ull
#define SEED_WORD 0x84222325cbf29ce4ull
#define SEED_PAIR 0x9ce484222325cbf2ull

#define CHAR_MIN 2
#define CHAR_MAX 5

static inline uint64_t fnv_byte(uint64_t h, unsigned char c)
{
    return (h ^ c) * FNV_PRIME;
}

static uint64_t fnv_bytes(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = fnv_byte(h, (unsigned char)s[i]);
    return h;
}

/* FNV's low bits mix poorly; a multiplicative step takes the top bits. */
static inline uint32_t bucket_of(uint64_t h)
{
    return (uint32_t)((h * 0x9e3779b97f4a7c15ull) >> (64 - TEXT_FEATURE_BITS));
}

struct emitter {
    struct text_feature_block block;
    text_feature_fn *fn;
    void *arg;
    size_t total;
};

static inline void emit(struct emitter *e, uint64_t h, size_t start, size_t len)
{
    struct text_feature_block *b = &e->block;
    b->bucket[b->n] = bucket_of(h);
    b->start[b->n] = (uint32_t)start;
    b->len[b->n] = (uint32_t)len;
    if (++b->n == TEXT_FEATURE_BLOCK) {
        e->fn(e->arg, b);
        e->total += b->n;
        b->n = 0;
    }
}

/* Byte i of " " p " ". */
static inline unsigned char padded_at(const char *p, size_t len, size_t i)
{
    return i == 0 || i > len ? ' ' : (unsigned char)p[i - 1];
}

/* Character n-grams.  An n-gram of the padded view at [i, i + k) covers
 * pattern-view bytes [i - 1, i - 1 + k) clipped to the view. */
static void scan_chars(struct emitter *e, const char *p, size_t len)
{
    size_t padded = len + 2;
    for (size_t i = 0; i + CHAR_MIN <= padded; i++) {
        uint64_t h = fnv_byte(SEED_CHAR, padded_at(p, len, i));
        for (size_t k = 2; k <= CHAR_MAX && i + k <= padded; k++) {
            h = fnv_byte(h, padded_at(p, len, i + k - 1));
            size_t from = i > 0 ? i - 1 : 0;
            size_t to = i + k - 1 < len ? i + k - 1 : len;
            emit(e, h, from, to > from ? to - from : 0);
        }
    }
}

static inline int is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* Word unigrams and bigrams, in text order. */
static void scan_words(struct emitter *e, const char *p, size_t len)
{
    size_t prev_start = 0, prev_len = 0;
    int have_prev = 0;
    size_t i = 0;
    while (i < len) {
        if (!is_word_byte((unsigned char)p[i])) {
            i++;
            continue;
        }
        size_t start = i;
        while (i < len && is_word_byte((unsigned char)p[i]))
            i++;
        size_t wlen = i - start;
        emit(e, fnv_bytes(SEED_WORD, p + start, wlen), start, wlen);
        if (have_prev) {
            uint64_t h = fnv_bytes(SEED_PAIR, p + prev_start, prev_len);
            h = fnv_bytes(fnv_byte(h, ' '), p + start, wlen);
            emit(e, h, prev_start, i - prev_start);
        }
        prev_start = start;
        prev_len = wlen;
        have_prev = 1;
    }
}

size_t text_features_scan(const struct text_norm *nm, text_feature_fn *fn, void *arg)
{
    struct emitter e;
    e.block.n = 0;
    e.fn = fn;
    e.arg = arg;
    e.total = 0;
    if (nm->p_len == 0)
        return 0;
    scan_chars(&e, nm->p, nm->p_len);
    scan_words(&e, nm->p, nm->p_len);
    if (e.block.n > 0) {
        fn(arg, &e.block);
        e.total += e.block.n;
    }
    return e.total;
}
