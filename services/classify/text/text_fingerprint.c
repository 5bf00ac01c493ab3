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
    0x03ff000000000000ULL, /* '0'-'9' */
    0x07fffffe07fffffeULL, /* 'A'-'Z', 'a'-'z' */
    ~0ULL, ~0ULL           /* 0x80-0xff */
};

static int fp_token_byte(unsigned char c) { return (int)((fp_token_bits[c >> 6] >> (c & 63)) & 1); }

/* Votes are counted bit-sliced: level L of the count of every bit of the
 * hash is one 64-bit word, bit b of level L being bit L of the number of
 * votes with bit b set.  Votes are stored sixteen at a time and added by a
 * Harley-Seal tree of carry-save adders (fifteen adders of five operations
 * for sixteen votes) into the four low levels; the tree's carry out, the
 * votes' sixteens, ripples into the levels above.  The majority is then
 * one bit-sliced comparison of the count with total / 2 for all 64 bits
 * at once, from the top level down. */
#define FP_BATCH  16
#define FP_LEVELS 32 /* counts below 2^32 */
struct fp_votes {
    uint64_t batch[FP_BATCH];
    unsigned n, total;
    uint64_t level[FP_LEVELS]; /* level[0] = ones, [1] = twos... */
};

/* Carry-save adder: the sum bit of a + b + c in *lo, the carry in *hi. */
static inline void fp_csa(uint64_t *hi, uint64_t *lo, uint64_t a, uint64_t b, uint64_t c) {
    uint64_t u = a ^ b;
    *hi = (a & b) | (u & c);
    *lo = u ^ c;
}

/* Adds the sixteen stored votes (a full batch; a partial one is padded
 * with votes of no bit by the caller) to the levels. */
static void fp_count(struct fp_votes *fv) {
    const uint64_t *v = fv->batch;
    uint64_t ones = fv->level[0], twos = fv->level[1], fours = fv->level[2], eights = fv->level[3];
    uint64_t twos_a, twos_b, fours_a, fours_b, eights_a, eights_b, sixteens;
    fp_csa(&twos_a, &ones, ones, v[0], v[1]);
    fp_csa(&twos_b, &ones, ones, v[2], v[3]);
    fp_csa(&fours_a, &twos, twos, twos_a, twos_b);
    fp_csa(&twos_a, &ones, ones, v[4], v[5]);
    fp_csa(&twos_b, &ones, ones, v[6], v[7]);
    fp_csa(&fours_b, &twos, twos, twos_a, twos_b);
    fp_csa(&eights_a, &fours, fours, fours_a, fours_b);
    fp_csa(&twos_a, &ones, ones, v[8], v[9]);
    fp_csa(&twos_b, &ones, ones, v[10], v[11]);
    fp_csa(&fours_a, &twos, twos, twos_a, twos_b);
    fp_csa(&twos_a, &ones, ones, v[12], v[13]);
    fp_csa(&twos_b, &ones, ones, v[14], v[15]);
    fp_csa(&fours_b, &twos, twos, twos_a, twos_b);
    fp_csa(&eights_b, &fours, fours, fours_a, fours_b);
    fp_csa(&sixteens, &eights, eights, eights_a, eights_b);
    fv->level[0] = ones;
    fv->level[1] = twos;
    fv->level[2] = fours;
    fv->level[3] = eights;
    for (unsigned l = 4; sixteens; l++) { /* ripple carry */
        uint64_t carry = fv->level[l] & sixteens;
        fv->level[l] ^= sixteens;
        sixteens = carry;
    }
    fv->n = 0;
}

/* Stores a vote; *n, the votes in the batch, is the caller's local, so
 * that the token loop keeps it in a register (fv->n and fv->total are set
 * before fp_majority). */
static inline void fp_vote(struct fp_votes *fv, unsigned *n, uint64_t h) {
    fv->batch[(*n)++] = h;
    if (*n == FP_BATCH) {
        fp_count(fv);
        *n = 0;
    }
}

/* The bits set in more than half the votes: count > total / 2, compared
 * bit-sliced from the highest level either side can have a bit in. */
static uint64_t fp_majority(struct fp_votes *fv) {
    unsigned half = fv->total / 2; /* 2 * count > total  <=>  count > half */
    uint64_t gt = 0, eq = ~0ULL;
    if (fv->n) {
        memset(fv->batch + fv->n, 0, (FP_BATCH - fv->n) * sizeof *fv->batch);
        fp_count(fv);
    }
    /* a count never exceeds total, which has fewer than 32 bits */
    for (int l = 31 - __builtin_clz(fv->total | 1); l >= 0; l--) {
        uint64_t x = fv->level[l];
        if (half >> l & 1) {
            eq &= x;
        } else {
            gt |= eq & x;
            eq &= ~x;
        }
    }
    return gt;
}

/* The shingle of two tokens: the hash of the second's hash bytes, seeded
 * with the first's (text_context_hash over &h).  On a little-endian
 * machine those bytes, low byte first, are taken by shifting h, unrolled
 * by hand (a loop GCC leaves rolled costs more); inlined, as it runs once
 * a token. */
static inline uint64_t fp_pair_hash(uint64_t h, uint64_t prev) {
    uint64_t x = TEXT_CONTEXT_HASH_BASIS ^ prev;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    x = text_context_hash_add(x, (unsigned char)h);
    x = text_context_hash_add(x, (unsigned char)(h >>= 8));
    x = text_context_hash_add(x, (unsigned char)(h >>= 8));
    x = text_context_hash_add(x, (unsigned char)(h >>= 8));
    x = text_context_hash_add(x, (unsigned char)(h >>= 8));
    x = text_context_hash_add(x, (unsigned char)(h >>= 8));
    x = text_context_hash_add(x, (unsigned char)(h >>= 8));
    x = text_context_hash_add(x, (unsigned char)(h >>= 8));
#else
    unsigned char b[8];
    _Static_assert(sizeof h == sizeof b, "a token hash is 8 bytes");
    memcpy(b, &h, sizeof b);
    for (int i = 0; i < 8; i++) x = text_context_hash_add(x, b[i]);
#endif
    return text_context_hash_finish(x);
}

/* The simhash of the tokens of s[0..n), token_byte telling token bytes
 * from separators.  Always inlined, so that each caller gets a copy
 * specialized to its test. */
__attribute__((always_inline)) static inline uint64_t fp_tokens(const char *s, size_t n,
                                                                int (*token_byte)(unsigned char)) {
    struct fp_votes fv; /* the batch needs no clearing */
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    size_t tokens = 0;
    uint64_t prev = 0;
    unsigned n_batch = 0;
    memset(fv.level, 0, sizeof fv.level);
    while (p < end) {
        if (!token_byte(*p)) {
            p++;
            continue;
        }
        /* each token is hashed as it is walked */
        uint64_t h = TEXT_CONTEXT_HASH_BASIS;
        do h = text_context_hash_add(h, *p++);
        while (p < end && token_byte(*p));
        h = text_context_hash_finish(h);
        fp_vote(&fv, &n_batch, h);
        if (tokens++) fp_vote(&fv, &n_batch, fp_pair_hash(h, prev));
        prev = h;
    }
    if (!tokens) return 0;
    fv.n = n_batch;
    fv.total = (unsigned)(2 * tokens - 1); /* one a token, one a pair */
    return fp_majority(&fv);
}

uint64_t text_fingerprint_tokens(const char *s, size_t n) { return fp_tokens(s, n, fp_token_byte); }

/* A lexicon view holds only 'a'-'z', '0'-'9', bytes of non-ASCII letters,
 * mask characters and spaces, and of these fp_token_byte takes exactly the
 * bytes above '*'. */
static int fp_view_byte(unsigned char c) { return c > '*'; }

uint64_t text_fingerprint_view(const struct text_norm *nm) {
    return fp_tokens(nm->n, nm->n_len, fp_view_byte);
}

uint64_t text_fingerprint(const char *text, size_t len) {
    struct text_norm nm = { 0 };
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

int text_fingerprint_distance(uint64_t a, uint64_t b) { return __builtin_popcountll(a ^ b); }
