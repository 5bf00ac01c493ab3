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

#include <ctype.h>
#include <stdlib.h>

static int fp_token_byte(unsigned char c)
{
    return c >= 0x80 || isalnum(c);
}

static void fp_vote(int *v, uint64_t h)
{
    for (int b = 0; b < 64; b++)
        v[b] += (h >> b) & 1 ? 1 : -1;
}

uint64_t text_fingerprint_tokens(const char *s, size_t n)
{
    int v[64] = {0};
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
        fp_vote(v, h);
        if (tokens++)
            fp_vote(v, text_context_hash((const char *)&h, sizeof h, prev));
        prev = h;
    }
    if (!tokens)
        return 0;
    uint64_t fp = 0;
    for (int b = 0; b < 64; b++)
        if (v[b] > 0)
            fp |= 1ULL << b;
    return fp;
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
