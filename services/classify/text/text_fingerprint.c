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

/* Votes are counted per bit in byte lanes: spread[x] puts bit k of byte x
 * into byte k, so one 64-bit add counts eight bits at once.  Lanes are
 * flushed into the wide counters before a byte can overflow. */
struct fp_votes {
    uint64_t lanes[8];          /* lanes[j], byte k: votes for bit 8j+k */
    uint32_t ones[64];
    unsigned pending, total;
};

static uint64_t fp_spread(unsigned x)
{
    uint64_t r = 0;
    for (int k = 0; k < 8; k++)
        r |= (uint64_t)((x >> k) & 1) << (8 * k);
    return r;
}

static void fp_flush(struct fp_votes *fv)
{
    for (int j = 0; j < 8; j++) {
        for (int k = 0; k < 8; k++)
            fv->ones[8 * j + k] += (unsigned)(fv->lanes[j] >> (8 * k)) & 0xff;
        fv->lanes[j] = 0;
    }
    fv->pending = 0;
}

static void fp_vote(struct fp_votes *fv, const uint64_t *spread, uint64_t h)
{
    for (int j = 0; j < 8; j++)
        fv->lanes[j] += spread[(h >> (8 * j)) & 0xff];
    fv->total++;
    if (++fv->pending == 255)
        fp_flush(fv);
}

uint64_t text_fingerprint_tokens(const char *s, size_t n)
{
    static uint64_t spread[256];
    static int ready;
    if (!ready) {               /* idempotent, so a race only repeats work */
        for (unsigned x = 0; x < 256; x++)
            spread[x] = fp_spread(x);
        ready = 1;
    }
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
        fp_vote(&fv, spread, h);
        if (tokens++)
            fp_vote(&fv, spread, text_context_hash((const char *)&h, sizeof h, prev));
        prev = h;
    }
    if (!tokens)
        return 0;
    fp_flush(&fv);
    uint64_t fp = 0;
    for (int b = 0; b < 64; b++)
        if (2 * fv.ones[b] > fv.total)
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
