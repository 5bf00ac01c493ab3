/* text_fingerprint: simhash of normalized word shingles.
 *
 * Each word and each pair of adjacent words votes +1/-1 on every bit of a
 * 64-bit hash; the fingerprint keeps the sign of each bit.  Changing k of N
 * words moves about 2k of 2N votes, so near-identical comments differ in a
 * few bits while unrelated ones differ in about 32.  Normalization first
 * makes case, accents, l33t and emphasis irrelevant. */
#include "text_fingerprint.h"
#include "text_context.h"
#include "text_engine.h"
#include "text_norm.h"

#include <stdlib.h>
#include <string.h>

/* ASCII letters and digits, and any byte of a multi-byte character (the
 * raw fallback of text_fingerprint), as a bitmap: one test per byte. */
static const uint64_t fp_token_bits[4] = {
    0x03ff000000000000ULL,      /* '0'-'9' */
    0x07fffffe07fffffeULL,      /* 'A'-'Z', 'a'-'z' */
    ~0ULL, ~0ULL                /* 0x80-0xff */
};

static int fp_token_byte(unsigned char c)
{
    return (int)((fp_token_bits[c >> 6] >> (c & 63)) & 1);
}

/* Votes are stored, then counted a batch at a time.  Up to fifteen votes
 * are summed in nibble-wide counters (bit 4j + k of the hash in nibble j
 * of word k: four shift-mask-adds a vote), which are then added to
 * byte-wide counters (bit 8j + k in byte j of word k); a batch holds at
 * most 255 votes, so the byte counters cannot overflow before they are
 * added to the wide ones. */
#define FP_BATCH 255
#define FP_GROUP 15
struct fp_votes {
    uint64_t batch[FP_BATCH];
    unsigned n, total;
    uint32_t ones[64];
};

static void fp_count(struct fp_votes *fv)
{
    const uint64_t nib = 0x1111111111111111ULL, low = 0x0f0f0f0f0f0f0f0fULL;
    uint64_t c[8] = {0};
    for (unsigned g = 0; g < fv->n; g += FP_GROUP) {
        unsigned end = g + FP_GROUP < fv->n ? g + FP_GROUP : fv->n;
        uint64_t q0 = 0, q1 = 0, q2 = 0, q3 = 0;
        for (unsigned v = g; v < end; v++) {
            uint64_t h = fv->batch[v];
            q0 += h & nib;
            q1 += (h >> 1) & nib;
            q2 += (h >> 2) & nib;
            q3 += (h >> 3) & nib;
        }
        /* even nibbles hold bits 8j + k, odd ones bits 8j + 4 + k */
        c[0] += q0 & low;
        c[1] += q1 & low;
        c[2] += q2 & low;
        c[3] += q3 & low;
        c[4] += (q0 >> 4) & low;
        c[5] += (q1 >> 4) & low;
        c[6] += (q2 >> 4) & low;
        c[7] += (q3 >> 4) & low;
    }
    for (int k = 0; k < 8; k++)
        for (int j = 0; j < 8; j++)
            fv->ones[8 * j + k] += (uint32_t)((c[k] >> (8 * j)) & 0xff);
    fv->n = 0;
}

static void fp_vote(struct fp_votes *fv, uint64_t h)
{
    fv->batch[fv->n++] = h;
    fv->total++;
    if (fv->n == FP_BATCH)
        fp_count(fv);
}

/* The bits set in more than half the votes. */
static uint64_t fp_majority(struct fp_votes *fv)
{
    unsigned half = fv->total / 2;     /* 2 * count > total  <=>  count > half */
    uint64_t fp = 0;
    fp_count(fv);
    for (int b = 0; b < 64; b++)
        if (fv->ones[b] > half)
            fp |= 1ULL << b;
    return fp;
}

/* The shingle of two tokens: the hash of the second's hash bytes, seeded
 * with the first's (text_context_hash over &h), unrolled by hand. */
static uint64_t fp_pair_hash(uint64_t h, uint64_t prev)
{
    unsigned char b[8];
    uint64_t x = TEXT_CONTEXT_HASH_BASIS ^ prev;
    _Static_assert(sizeof h == sizeof b, "a token hash is 8 bytes");
    memcpy(b, &h, sizeof b);
    x = text_context_hash_add(x, b[0]);
    x = text_context_hash_add(x, b[1]);
    x = text_context_hash_add(x, b[2]);
    x = text_context_hash_add(x, b[3]);
    x = text_context_hash_add(x, b[4]);
    x = text_context_hash_add(x, b[5]);
    x = text_context_hash_add(x, b[6]);
    x = text_context_hash_add(x, b[7]);
    return text_context_hash_finish(x);
}

/* The simhash of the tokens of s[0..n), token_byte telling token bytes
 * from separators.  Always inlined, so that each caller gets a copy
 * specialized to its test. */
__attribute__((always_inline))
static inline uint64_t fp_tokens(const char *s, size_t n, int (*token_byte)(unsigned char))
{
    struct fp_votes fv;         /* the batch needs no clearing */
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    size_t tokens = 0;
    uint64_t prev = 0;
    fv.n = fv.total = 0;
    memset(fv.ones, 0, sizeof fv.ones);
    while (p < end) {
        if (!token_byte(*p)) {
            p++;
            continue;
        }
        /* each token is hashed as it is walked */
        uint64_t h = TEXT_CONTEXT_HASH_BASIS;
        do
            h = text_context_hash_add(h, *p++);
        while (p < end && token_byte(*p));
        h = text_context_hash_finish(h);
        fp_vote(&fv, h);
        if (tokens++)
            fp_vote(&fv, fp_pair_hash(h, prev));
        prev = h;
    }
    return tokens ? fp_majority(&fv) : 0;
}

uint64_t text_fingerprint_tokens(const char *s, size_t n)
{
    return fp_tokens(s, n, fp_token_byte);
}

/* A lexicon view holds only 'a'-'z', '0'-'9', bytes of non-ASCII letters,
 * mask characters and spaces, and of these fp_token_byte takes exactly the
 * bytes above '*'. */
static int fp_view_byte(unsigned char c)
{
    return c > '*';
}

uint64_t text_fingerprint_view(const struct text_norm *nm)
{
    return fp_tokens(nm->n, nm->n_len, fp_view_byte);
}

uint64_t text_fingerprint(const char *text, size_t len)
{
    struct text_norm nm = {0};
    size_t bad;
    uint64_t fp;
    /* Invalid UTF-8 still gets a fingerprint, from its raw tokens, so a
     * caller deduplicating junk needs no special case. */
    if (text_norm_build(&nm, text, len, &bad) == 0)
        fp = text_fingerprint_view(&nm);
    else
        fp = text_fingerprint_tokens(text, len);
    text_norm_release(&nm);
    return fp;
}

int text_fingerprint_distance(uint64_t a, uint64_t b)
{
    return __builtin_popcountll(a ^ b);
}
