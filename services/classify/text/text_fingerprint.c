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
 * raw fallback of text_fingerprint); inline, as it runs on every byte. */
static int fp_token_byte(unsigned char c)
{
    return c >= 0x80 || (unsigned char)((c | 0x20) - 'a') < 26 || (unsigned char)(c - '0') < 10;
}

/* Votes are counted in bit-sliced counters: plane k holds bit k of the
 * count of every one of the 64 hash bits, so a vote is a binary increment
 * of 64 counters at once (two planes touched on average).  Eight planes
 * count to 255; before they overflow they are added to the wide counters,
 * which only a comment of hundreds of words needs. */
#define FP_PLANES 8
struct fp_votes {
    uint64_t plane[FP_PLANES];
    uint32_t ones[64];
    unsigned pending, total;
    int flushed;                /* ones[] holds part of the counts */
};

static void fp_flush(struct fp_votes *fv)
{
    for (int b = 0; b < 64; b++) {
        unsigned c = 0;
        for (int k = 0; k < FP_PLANES; k++)
            c |= (unsigned)((fv->plane[k] >> b) & 1) << k;
        fv->ones[b] += c;
    }
    memset(fv->plane, 0, sizeof fv->plane);
    fv->pending = 0;
    fv->flushed = 1;
}

static void fp_vote(struct fp_votes *fv, uint64_t h)
{
    uint64_t carry = h;
    for (int k = 0; k < FP_PLANES && carry; k++) {
        uint64_t next = fv->plane[k] & carry;
        fv->plane[k] ^= carry;
        carry = next;
    }
    fv->total++;
    if (++fv->pending == 255)
        fp_flush(fv);
}

/* The bits whose count exceeds half the votes.  Without a flush the planes
 * are compared with the threshold directly, all 64 bits at once, from the
 * most significant plane down. */
static uint64_t fp_majority(struct fp_votes *fv)
{
    unsigned half = fv->total / 2;     /* 2 * count > total  <=>  count > half */
    if (!fv->flushed) {
        uint64_t gt = 0, eq = ~0ULL;
        for (int k = FP_PLANES - 1; k >= 0; k--) {
            uint64_t t = (half >> k) & 1 ? ~0ULL : 0;
            gt |= eq & fv->plane[k] & ~t;
            eq &= ~(fv->plane[k] ^ t);
        }
        return gt;
    }
    fp_flush(fv);
    uint64_t fp = 0;
    for (int b = 0; b < 64; b++)
        if (fv->ones[b] > half)
            fp |= 1ULL << b;
    return fp;
}

uint64_t text_fingerprint_tokens(const char *s, size_t n)
{
    struct fp_votes fv = {0};
    size_t i = 0, tokens = 0;
    uint64_t prev = 0;
    while (i < n) {
        while (i < n && !fp_token_byte((unsigned char)s[i]))
            i++;
        size_t a = i;
        while (i < n && fp_token_byte((unsigned char)s[i]))
            i++;
        if (i == a)
            break;
        uint64_t h = text_context_hash(s + a, i - a, 0);
        fp_vote(&fv, h);
        if (tokens++)
            fp_vote(&fv, text_context_hash((const char *)&h, sizeof h, prev));
        prev = h;
    }
    return tokens ? fp_majority(&fv) : 0;
}

uint64_t text_fingerprint(const char *text, size_t len)
{
    struct text_norm nm = {0};
    size_t bad;
    uint64_t fp;
    /* Invalid UTF-8 still gets a fingerprint, from its raw tokens, so a
     * caller deduplicating junk needs no special case. */
    if (text_norm_build(&nm, text, len, &bad) == 0)
        fp = text_fingerprint_tokens(nm.n, nm.n_len);
    else
        fp = text_fingerprint_tokens(text, len);
    text_norm_release(&nm);
    return fp;
}

int text_fingerprint_distance(uint64_t a, uint64_t b)
{
    return __builtin_popcountll(a ^ b);
}
