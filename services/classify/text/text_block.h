/* text_block: 64 bytes of a text as bit masks, for the pre-passes of the
 * scanners on the original bytes (text_pii, text_person).
 *
 * Those scanners look at a few word starts of a comment (digits, '@',
 * street words); testing every word in turn costs a mispredicted branch
 * or two per word on varied text, where word lengths follow no pattern.
 * A mask per byte class, sixteen bytes at a time with SSE2, lets them
 * find the starts worth testing with bit operations and visit only those,
 * in order. */
#ifndef VIGILE_TEXT_BLOCK_H
#define VIGILE_TEXT_BLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define TEXT_BLOCK 64

/* Bytes [at, at + 64) of a text: the text itself, or a copy padded with
 * zeros past its end (a zero byte is in none of the classes asked for). */
struct text_block {
    const unsigned char *p;
    unsigned char pad[TEXT_BLOCK];
};

static inline void text_block_at(struct text_block *b, const char *t, size_t len, size_t at) {
    if (at + TEXT_BLOCK <= len) {
        b->p = (const unsigned char *)t + at;
        return;
    }
    memset(b->pad, 0, sizeof b->pad);
    if (at < len) memcpy(b->pad, t + at, len - at);
    b->p = b->pad;
}

/* Bit j set when lo <= (byte j | fold) <= hi, for lo and hi below 0x80 or
 * lo == hi (an equality test, for any byte); fold 0x20 makes a letter test
 * ignore case. */
static inline uint64_t text_block_mask(const struct text_block *b, unsigned char fold,
                                       unsigned char lo, unsigned char hi) {
    uint64_t m = 0;
#ifdef __SSE2__
    /* Bytes from 0x80 are negative in the signed compares, so outside. */
    for (int q = 0; q < TEXT_BLOCK / 16; q++) {
        __m128i v = _mm_or_si128(_mm_loadu_si128((const __m128i *)(b->p + 16 * q)),
                                 _mm_set1_epi8((char)fold));
        /* lo and hi are constants where this is inlined: one test left */
        __m128i in = lo == hi ? _mm_cmpeq_epi8(v, _mm_set1_epi8((char)lo))
                              : _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)(lo - 1))),
                                              _mm_cmplt_epi8(v, _mm_set1_epi8((char)(hi + 1))));
        m |= (uint64_t)(unsigned)_mm_movemask_epi8(in) << (16 * q);
    }
#else
    for (int j = 0; j < TEXT_BLOCK; j++)
        m |= (uint64_t)((unsigned char)((b->p[j] | fold) - lo) <= hi - lo) << j;
#endif
    return m;
}

/* The ASCII letters and digits (text_pii_alnum) of a block. */
static inline uint64_t text_block_alnum(const struct text_block *b) {
    return text_block_mask(b, 0x20, 'a', 'z') | text_block_mask(b, 0, '0', '9');
}

#endif
