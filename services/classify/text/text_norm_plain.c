/* text_norm_plain: the plain path of normalization (see text_norm.h and
 * docs/classification.md).
 *
 * Most comments are ASCII with a few accented letters, and for them the
 * unit array is mostly overhead.  The plain path folds each code point to
 * exactly one byte of a fold buffer (fold, with fold_start and fold_obf),
 * whose class follows from the byte alone, then rewrites l33t and masks
 * and builds the views the same way the general path does.  A symbol that
 * the general path keeps as its own bytes (emoji, '€') is one PLAIN_OTHER
 * byte there, written out as those bytes in the pattern view.  Any other
 * code point that does not fold to exactly one ASCII byte, invalid UTF-8,
 * or letters split by separators (which delete units) send the text to the
 * general path, so the views are always those of text_norm_build_general. */
#include "text_norm_internal.h"
#include "xmalloc.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>
#include <utf8proc.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* The fold-buffer byte of a mask character: both views write it as '*'. */
#define PLAIN_MASK 0x01
/* The fold-buffer byte of a symbol that the general path passes through as
 * units of its own bytes, each of class U_OTHER and with the code point's
 * whole range: the pattern view writes those bytes, the lexicon view a
 * space.  (ASCII control bytes fold to ' ', so neither byte occurs
 * otherwise.) */
#define PLAIN_OTHER 0x02

/* plain.kind bits, for the search of split words */
enum { K_LETTER = 1, K_SINGLE = 2, K_SEPARATOR = 4, K_RIGHT = 8 };

/* Tables of the plain path, made once from the general path's own folding
 * (text_norm_fold_codepoint), so that the two cannot disagree. */
struct plain_tables {
    unsigned char ascii[128];      /* folded ASCII byte: lower case, spaces ' ' */
    unsigned char cls[128];        /* class of a fold-buffer byte */
    unsigned char rewritable[128]; /* leet or mask characters */
    unsigned char kind[128];       /* K_* bits of a fold-buffer byte */
    /* For the code points below U+0800, U+2000..U+2BFF (punctuation,
     * currency, symbols, dingbats), U+FE00..U+FFFF (variation selectors,
     * fullwidth forms) and U+1F000..U+1FFFF (emoji): the one ASCII byte
     * they fold to, bit 7 set for a look-alike letter, or PLAIN_OTHER; 0
     * if they fold to anything else (they go the general way). */
    unsigned char cp2[0x800];
    unsigned char cp3[0xc00];
    unsigned char cp3f[0x200];
    unsigned char cp4[0x1000];
};

static struct plain_tables plain;
static once_flag plain_once = ONCE_FLAG_INIT;

/* Whether the units of a code point are its own UTF-8 bytes, w of them,
 * each of class U_OTHER without flags. */
static int plain_keeps_bytes(const struct text_norm *probe, const uint8_t *bytes, size_t w) {
    if (probe->n_units != w) return 0;
    for (size_t k = 0; k < w; k++) {
        const struct text_norm_unit *u = &probe->units[k];
        if (u->c != bytes[k] || u->cls != U_OTHER || u->flags) return 0;
    }
    return 1;
}

/* What the general path folds cp to, as a plain table entry. */
static unsigned char plain_probe(struct text_norm *probe, int32_t cp) {
    uint8_t bytes[4];
    size_t w = (size_t)utf8proc_encode_char(cp, bytes);
    probe->n_units = 0;
    text_norm_fold_codepoint(probe, cp, 0, w);
    if (plain_keeps_bytes(probe, bytes, w)) return PLAIN_OTHER;
    if (probe->n_units != 1) return 0;
    const struct text_norm_unit *u = &probe->units[0];
    /* A space must be ' ' (the join of split letters compares separators
     * by byte); a non-ASCII byte has no class of its own in the buffer. */
    if (u->c >= 0x80 || u->c == PLAIN_MASK || (u->cls == U_SPACE && u->c != ' ') ||
        (u->flags & ~U_OBF) || u->cls != ascii_class(u->c))
        return 0;
    return (unsigned char)(u->c | ((u->flags & U_OBF) ? 0x80 : 0));
}

static void plain_tables_init(void) {
    struct text_norm probe = { 0 };
    for (int c = 0; c < 128; c++) {
        unsigned char f = (unsigned char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        plain.ascii[c] = ascii_class(f) == U_SPACE ? ' ' : f;
        plain.cls[c] = (unsigned char)ascii_class((unsigned char)c);
        plain.rewritable[c] = leet_letter((unsigned char)c) || c == '*' || c == '#';
    }
    plain.cls[PLAIN_MASK] = U_MASK;
    plain.cls[PLAIN_OTHER] = U_OTHER;
    for (int c = 0; c < 128; c++) {
        int cls = plain.cls[c];
        int sep = c == ' ' || c == '.' || c == '-' || c == '_';
        /* as single_letter_at: a letter or a l33t character, followed by
         * a separator or other punctuation */
        plain.kind[c] =
            (unsigned char)((cls == U_LETTER ? K_LETTER | K_SINGLE : 0) |
                            (leet_letter((unsigned char)c) ? K_SINGLE : 0) |
                            (sep ? K_SEPARATOR | K_RIGHT : 0) | (cls == U_OTHER ? K_RIGHT : 0));
    }
    for (int32_t cp = 0x80; cp < 0x800; cp++) plain.cp2[cp] = plain_probe(&probe, cp);
    for (int32_t cp = 0; cp < (int32_t)sizeof plain.cp3; cp++)
        plain.cp3[cp] = plain_probe(&probe, 0x2000 + cp);
    for (int32_t cp = 0; cp < (int32_t)sizeof plain.cp3f; cp++)
        plain.cp3f[cp] = plain_probe(&probe, 0xfe00 + cp);
    for (int32_t cp = 0; cp < (int32_t)sizeof plain.cp4; cp++)
        plain.cp4[cp] = plain_probe(&probe, 0x1f000 + cp);
    free(probe.units);
}

#ifdef __SSE2__
/* Folds sixteen ASCII bytes s[0..16) into f, obf and start (start[j] =
 * at + j) as plain_fold's scalar loop would; returns the mask of those that
 * are l33t or mask characters (bit j for byte j). */
static int plain_fold16(__m128i v, size_t at, unsigned char *f, unsigned char *obf,
                        uint32_t *start) {
    /* lower case: set the case bit of 'A'-'Z' */
    __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                                  _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
    __m128i low = _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
    /* every byte up to ' ' is a space (ascii_class) and becomes ' ' */
    __m128i space = _mm_cmplt_epi8(v, _mm_set1_epi8(' ' + 1));
    low = _mm_or_si128(_mm_andnot_si128(space, low), _mm_and_si128(space, _mm_set1_epi8(' ')));
    _mm_storeu_si128((__m128i *)f, low);
    _mm_storeu_si128((__m128i *)obf, _mm_setzero_si128());
    __m128i pos = _mm_add_epi32(_mm_set1_epi32((int)at), _mm_setr_epi32(0, 1, 2, 3));
    for (int q = 0; q < 4; q++) {
        _mm_storeu_si128((__m128i *)(start + 4 * q), pos);
        pos = _mm_add_epi32(pos, _mm_set1_epi32(4));
    }
    /* plain.rewritable: '0' '1' '3' '4' '5' '7' '@' '$' '*' '#' */
    __m128i rw = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('0')), _mm_cmpeq_epi8(v, _mm_set1_epi8('1'))),
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('3')), _mm_cmpeq_epi8(v, _mm_set1_epi8('4'))));
    rw = _mm_or_si128(rw, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('5')),
                                       _mm_cmpeq_epi8(v, _mm_set1_epi8('7'))));
    rw = _mm_or_si128(rw, _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('@')),
                                                    _mm_cmpeq_epi8(v, _mm_set1_epi8('$'))),
                                       _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('*')),
                                                    _mm_cmpeq_epi8(v, _mm_set1_epi8('#')))));
    return _mm_movemask_epi8(rw);
}
#endif

/* The table entry of the code point at s (avail bytes left), *w receiving
 * its length; 0 if it is not in the tables or the UTF-8 is invalid (the
 * general path then reports it).  Overlong forms and surrogates fall
 * outside the tables' ranges. */
static unsigned char plain_entry(const unsigned char *s, size_t avail, size_t *w) {
    unsigned c = s[0];
    if (c >= 0xc2 && c <= 0xdf && avail >= 2 && (s[1] & 0xc0) == 0x80) {
        *w = 2;
        return plain.cp2[(c & 0x1f) << 6 | (s[1] & 0x3f)];
    }
    if ((c & 0xf0) == 0xe0 && avail >= 3 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
        uint32_t cp = (c & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
        *w = 3;
        if (cp - 0x2000 < sizeof plain.cp3) return plain.cp3[cp - 0x2000];
        return cp - 0xfe00 < sizeof plain.cp3f ? plain.cp3f[cp - 0xfe00] : 0;
    }
    if (c == 0xf0 && avail >= 4 && s[1] == 0x9f && (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80) {
        *w = 4;
        return plain.cp4[(s[2] & 0x3f) << 6 | (s[3] & 0x3f)];
    }
    return 0;
}

/* Folds text into the fold buffer.  Returns the number of bytes, or -1 if
 * some code point is not plain (or the UTF-8 is invalid); *first_rw
 * receives the index of the first l33t or mask character, SIZE_MAX if
 * there is none. */
static ptrdiff_t plain_fold(struct text_norm *nm, const unsigned char *s, size_t len,
                            size_t *first_rw) {
    if (nm->fold_cap < len + 1) {
        size_t cap = nm->fold_cap;
        xgrow(&nm->fold, &cap, len + 1, 1);
        nm->fold_start = xrealloc(nm->fold_start, cap * sizeof *nm->fold_start);
        nm->fold_obf = xrealloc(nm->fold_obf, cap);
        nm->fold_cap = cap;
    }
    unsigned char *restrict f = nm->fold, *restrict obf = nm->fold_obf;
    uint32_t *restrict start = nm->fold_start;
    size_t k = 0, i = 0;
    size_t first = SIZE_MAX;
    while (i < len) {
        /* ASCII up to stop (the next non-ASCII byte, or the end) */
        size_t stop = len;
#ifdef __SSE2__
        /* Sixteen bytes at a time while they are all ASCII (k <= i, so
         * the buffers have room). */
        if (i + 16 <= len) {
            __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
            int high = _mm_movemask_epi8(v);
            if (!high) {
                int rw = plain_fold16(v, i, f + k, obf + k, start + k);
                if (rw && first == SIZE_MAX) first = k + (size_t)__builtin_ctz((unsigned)rw);
                i += 16;
                k += 16;
                continue;
            }
            stop = i + (size_t)__builtin_ctz((unsigned)high);
        }
#endif
        for (; i < stop && s[i] < 0x80; i++) {
            f[k] = plain.ascii[s[i]];
            obf[k] = 0;
            if (plain.rewritable[s[i]] && first == SIZE_MAX) first = k;
            start[k++] = (uint32_t)i;
        }
        if (i == len) break;
        if (s[i] < 0x80) continue;
        size_t w;
        unsigned char e = plain_entry(s + i, len - i, &w);
        if (!e) return -1;
        f[k] = e & 0x7f;
        obf[k] = e >> 7;
        if (plain.rewritable[e & 0x7f] && first == SIZE_MAX) first = k;
        start[k++] = (uint32_t)i;
        i += w;
    }
    start[k] = (uint32_t)len;
    *first_rw = first;
    return (ptrdiff_t)k;
}

static int plain_token_char(unsigned char c) {
    int cls = plain.cls[c];
    return cls == U_LETTER || cls == U_DIGIT || c == '@' || c == '$' || c == '*' || c == '#';
}

/* rewrite_token on the fold buffer. */
static void plain_rewrite_token(unsigned char *f, unsigned char *obf, size_t a, size_t b) {
    int has_letter = 0;
    for (size_t i = a; i < b; i++)
        if (plain.cls[f[i]] == U_LETTER) has_letter = 1;
    if (!has_letter ||
        (plain.cls[f[a]] == U_DIGIT && !(a + 1 < b && plain.cls[f[a + 1]] != U_DIGIT)))
        return;
    for (size_t i = a; i < b; i++) {
        unsigned char l = leet_letter(f[i]);
        if (l && plain.cls[f[i]] != U_LETTER) {
            f[i] = l;
            obf[i] = 1;
        }
    }
    for (size_t i = a + 1; i < b; i++)
        if ((f[i] == '*' || f[i] == '#') &&
            (plain.cls[f[i - 1]] == U_LETTER || plain.cls[f[i - 1]] == U_MASK)) {
            f[i] = PLAIN_MASK;
            obf[i] = 1;
        }
}

/* rewrite_tokens on the fold buffer, from first, the first rewritable
 * character.  Only a token holding one can change, so the scan looks for
 * those and then takes in the token around each. */
static void plain_rewrite(struct text_norm *nm, size_t n, size_t first) {
    unsigned char *f = nm->fold;
    size_t i = first;
    while (i < n) {
        if (!plain.rewritable[f[i]]) {
            i++;
            continue;
        }
        /* Tokens before this one are behind a non-token byte, so going
         * back only reads bytes of this token, none rewritten yet. */
        size_t a = i, b = i + 1;
        while (a > 0 && plain_token_char(f[a - 1])) a--;
        while (b < n && plain_token_char(f[b])) b++;
        plain_rewrite_token(f, nm->fold_obf, a, b);
        i = b;
    }
}

/* single_letter_at on the fold buffer, whose byte n is a space.  The
 * left neighbour is tested first: it rules out the inside of every word. */
static inline int plain_single_letter(const unsigned char *f, size_t i) {
    return (i == 0 || (plain.kind[f[i - 1]] & K_SEPARATOR)) && (plain.kind[f[i]] & K_SINGLE) &&
           (plain.kind[f[i + 1]] & K_RIGHT);
}

/* Whether join_split_letters would join anything: then the text takes the
 * general path, which deletes the separators.  Same walk as there. */
static int plain_has_split_word(const unsigned char *f, size_t n) {
    size_t i = 0;
    while (i < n) {
        if (!plain_single_letter(f, i)) {
            i++;
            continue;
        }
        size_t j = i, count = 1, letters = (plain.kind[f[i]] & K_LETTER) != 0;
        unsigned char sep = f[i + 1];
        while (j + 2 < n && (plain.kind[f[j + 1]] & K_SEPARATOR) && f[j + 1] == sep &&
               plain_single_letter(f, j + 2)) {
            j += 2;
            count++;
            letters += (plain.kind[f[j]] & K_LETTER) != 0;
        }
        if (count >= 3 && letters >= 2) return 1;
        i = j + 1;
    }
    return 0;
}

/* Whether one-letter tokens stand at i and i + 2 with a separator between:
 * the start of any word split into letters. */
static int plain_single_pair(const unsigned char *f, size_t i, size_t n) {
    return i + 2 < n && plain_single_letter(f, i) && (plain.kind[f[i + 1]] & K_SEPARATOR) &&
           plain_single_letter(f, i + 2);
}

/* build_views on the fold buffer, where unit k spans
 * [fold_start[k], fold_start[k + 1]), byte n is a space and nothing is
 * deleted.  One pass per view: each needs few enough pointers to stay in
 * registers, which one pass writing both views does not.
 *
 * The pattern view's pass also looks, at each separator, for the start of
 * a word split into letters, which is rare (Italian has one-letter words,
 * seldom two in a row); it returns whether it found one, and then
 * plain_has_split_word must decide. */
#ifdef __SSE2__
/* Whether the sixteen fold bytes at f go to the pattern view as they are,
 * the scalar loop's every test failing on them: no mask or symbol, no run of three
 * (f[16] and f[17] are read for the runs that start at the end), no two
 * spaces in a row, and no separator before what may be a one-letter token
 * (the split-word test must see those).  The first byte's space test
 * against the view's end is the caller's. */
static int plain_pattern_block(const unsigned char *f) {
    const __m128i space = _mm_set1_epi8(' ');
    __m128i v0 = _mm_loadu_si128((const __m128i *)f);
    __m128i v1 = _mm_loadu_si128((const __m128i *)(f + 1));
    __m128i v2 = _mm_loadu_si128((const __m128i *)(f + 2));
    __m128i bad = _mm_or_si128(_mm_cmpeq_epi8(v0, _mm_set1_epi8(PLAIN_MASK)),
                               _mm_cmpeq_epi8(v0, _mm_set1_epi8(PLAIN_OTHER)));
    bad = _mm_or_si128(bad, _mm_and_si128(_mm_cmpeq_epi8(v0, v1), _mm_cmpeq_epi8(v1, v2)));
    bad = _mm_or_si128(bad, _mm_and_si128(_mm_cmpeq_epi8(v0, space), _mm_cmpeq_epi8(v1, space)));
    /* a separator, then a letter or l33t character, then no letter or
     * digit (plain.kind's K_SEPARATOR, K_SINGLE and K_RIGHT; fold bytes
     * are below 0x80, so signed compares are exact) */
    __m128i sep = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v0, space), _mm_cmpeq_epi8(v0, _mm_set1_epi8('.'))),
        _mm_or_si128(_mm_cmpeq_epi8(v0, _mm_set1_epi8('-')),
                     _mm_cmpeq_epi8(v0, _mm_set1_epi8('_'))));
    __m128i letter1 = _mm_and_si128(_mm_cmpgt_epi8(v1, _mm_set1_epi8('a' - 1)),
                                    _mm_cmplt_epi8(v1, _mm_set1_epi8('z' + 1)));
    __m128i leet1 = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v1, _mm_set1_epi8('0')),
                                              _mm_cmpeq_epi8(v1, _mm_set1_epi8('1'))),
                                 _mm_or_si128(_mm_cmpeq_epi8(v1, _mm_set1_epi8('3')),
                                              _mm_cmpeq_epi8(v1, _mm_set1_epi8('4'))));
    leet1 = _mm_or_si128(leet1, _mm_or_si128(_mm_cmpeq_epi8(v1, _mm_set1_epi8('@')),
                                             _mm_cmpeq_epi8(v1, _mm_set1_epi8('$'))));
    leet1 = _mm_or_si128(leet1, _mm_or_si128(_mm_cmpeq_epi8(v1, _mm_set1_epi8('5')),
                                             _mm_cmpeq_epi8(v1, _mm_set1_epi8('7'))));
    __m128i word2 =
        _mm_or_si128(_mm_and_si128(_mm_cmpgt_epi8(v2, _mm_set1_epi8('a' - 1)),
                                   _mm_cmplt_epi8(v2, _mm_set1_epi8('z' + 1))),
                     _mm_or_si128(_mm_and_si128(_mm_cmpgt_epi8(v2, _mm_set1_epi8('0' - 1)),
                                                _mm_cmplt_epi8(v2, _mm_set1_epi8('9' + 1))),
                                  _mm_cmpeq_epi8(v2, _mm_set1_epi8(PLAIN_MASK))));
    bad = _mm_or_si128(bad,
                       _mm_andnot_si128(word2, _mm_and_si128(sep, _mm_or_si128(letter1, leet1))));
    return _mm_movemask_epi8(bad) == 0;
}
#endif

static int plain_pattern_view(struct text_norm *nm, size_t n, const char *text) {
    const unsigned char *restrict f = nm->fold;
    const uint32_t *restrict fs = nm->fold_start;
    char *restrict pc = nm->p;
    uint32_t *restrict ps = nm->p_start, *restrict pe = nm->p_end;
    size_t po = 0;
    int split = plain_single_pair(f, 0, n);
#ifdef __SSE2__
    size_t block_at = 0; /* where a block may be tried again */
#endif
    for (size_t i = 0; i < n; i++) {
#ifdef __SSE2__
        /* Sixteen bytes at a time where nothing changes them (the view is
         * never longer than the text its bytes came from, so it has
         * room); after a failed try, sixteen bytes go the scalar way
         * first. */
        if (i >= block_at && i + 17 <= n) {
            if (!(f[i] == ' ' && (po == 0 || pc[po - 1] == ' ')) && plain_pattern_block(f + i)) {
                _mm_storeu_si128((__m128i *)(pc + po), _mm_loadu_si128((const __m128i *)(f + i)));
                for (int q = 0; q < 16; q += 4) {
                    _mm_storeu_si128((__m128i *)(ps + po + q),
                                     _mm_loadu_si128((const __m128i *)(fs + i + q)));
                    _mm_storeu_si128((__m128i *)(pe + po + q),
                                     _mm_loadu_si128((const __m128i *)(fs + i + 1 + q)));
                }
                po += 16;
                i += 15;
                continue;
            }
            block_at = i + 16;
        }
#endif
        unsigned char c = f[i];
        int cls = plain.cls[c];
        size_t last = i;
        if (cls == U_LETTER) {
            /* emphasis of three or more made one letter */
            if (f[i + 1] == c && f[i + 2] == c)
                for (last = i + 2; f[last + 1] == c; last++)
                    ;
        } else {
            /* the cheap test first: is a one-letter token next? */
            if ((plain.kind[c] & K_SEPARATOR) && i + 3 < n && (plain.kind[f[i + 2]] & K_RIGHT) &&
                plain_single_pair(f, i + 1, n))
                split = 1;
            if (cls == U_SPACE && (po == 0 || pc[po - 1] == ' ')) continue;
            if (cls == U_MASK) c = '*';
            if (c == PLAIN_OTHER) {
                /* each byte of the symbol with the symbol's whole range */
                for (uint32_t b = fs[i]; b < fs[i + 1]; b++) {
                    pc[po] = text[b];
                    ps[po] = fs[i];
                    pe[po++] = fs[i + 1];
                }
                continue;
            }
        }
        pc[po] = (char)c;
        ps[po] = fs[i];
        pe[po++] = fs[last + 1];
        i = last;
    }
    nm->p_len = text_norm_view_finish(pc, po);
    return split;
}

#ifdef __SSE2__
/* Lanes of x holding 'a'-'z' or '0'-'9' (fold bytes are below 0x80, so
 * signed compares are exact). */
static __m128i plain_alnum16(__m128i x) {
    return _mm_or_si128(_mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('a' - 1)),
                                      _mm_cmplt_epi8(x, _mm_set1_epi8('z' + 1))),
                        _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)),
                                      _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1))));
}

/* How many of the sixteen fold bytes at f, from the first, go to the
 * lexicon view as they are, one byte each: a letter or digit unlike the
 * next byte (no run to fold; f[16] is read), or a space after a letter or
 * digit (f[-1] is read for the first: the view then ends with it).  Double
 * letters and ", " end such a prefix, not the block. */
static unsigned plain_lexicon_block(const unsigned char *f) {
    __m128i prev = _mm_loadu_si128((const __m128i *)(f - 1));
    __m128i v = _mm_loadu_si128((const __m128i *)f);
    __m128i next = _mm_loadu_si128((const __m128i *)(f + 1));
    __m128i word = _mm_andnot_si128(_mm_cmpeq_epi8(v, next), plain_alnum16(v));
    __m128i space = _mm_and_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), plain_alnum16(prev));
    unsigned ok = (unsigned)_mm_movemask_epi8(_mm_or_si128(word, space));
    return (unsigned)__builtin_ctz(~ok);
}
#endif

/* The lexicon view's pass; obfuscated is a constant at each call (the
 * function is always inlined), so the common case (no obfuscated byte,
 * hence no mask either) gets a loop that neither reads fold_obf nor writes
 * n_flags, and keeps its pointers in registers. */
__attribute__((always_inline)) static inline void plain_lexicon_pass(struct text_norm *nm, size_t n,
                                                                     const int obfuscated) {
    const unsigned char *restrict f = nm->fold, *restrict obf = nm->fold_obf;
    const uint32_t *restrict fs = nm->fold_start;
    char *restrict wc = nm->n;
    uint32_t *restrict ws = nm->n_start, *restrict we = nm->n_end;
    uint8_t *restrict run_out = nm->n_run, *restrict flags_out = nm->n_flags;
    size_t wo = 0;
    int has_mask = 0;
    for (size_t i = 0; i < n; i++) {
#ifdef __SSE2__
        /* Copies as a block what takes one byte each; the stores run up
         * to sixteen bytes past the prefix, within the view's n + 1 bytes
         * since the view never outgrows the fold bytes read. */
        if (!obfuscated && i > 0 && i + 16 <= n) {
            unsigned k = plain_lexicon_block(f + i);
            if (k >= 2) {
                _mm_storeu_si128((__m128i *)(wc + wo), _mm_loadu_si128((const __m128i *)(f + i)));
                _mm_storeu_si128((__m128i *)(run_out + wo), _mm_set1_epi8(1));
                memcpy(ws + wo, fs + i, 16 * sizeof *ws);
                memcpy(we + wo, fs + i + 1, 16 * sizeof *we);
                wo += k;
                i += k - 1;
                continue;
            }
        }
#endif
        unsigned char c = f[i];
        int cls = plain.cls[c];
        size_t last = i;
        int flags = obfuscated && obf[i] ? TEXT_NORM_OBFUSCATED : 0;
        if (cls == U_LETTER) {
            /* a run of one letter is one byte, its length kept */
            for (; f[last + 1] == c; last++)
                if (obfuscated && obf[last + 1]) flags = TEXT_NORM_OBFUSCATED;
        } else if (cls == U_MASK) {
            c = '*';
            flags |= TEXT_NORM_MASK;
            has_mask = 1;
        } else if (cls != U_DIGIT) {
            if (wo == 0 || wc[wo - 1] == ' ') continue;
            c = ' ';
            flags = 0;
        }
        size_t run = last - i + 1;
        run_out[wo] = (uint8_t)(run > 255 ? 255 : run);
        if (obfuscated) flags_out[wo] = (uint8_t)flags;
        wc[wo] = (char)c;
        ws[wo] = fs[i];
        we[wo++] = fs[last + 1];
        i = last;
    }
    nm->n_len = text_norm_view_finish(wc, wo);
    nm->n_has_mask = has_mask;
}

static void plain_lexicon_view(struct text_norm *nm, size_t n) {
    if (memchr(nm->fold_obf, 1, n)) {
        plain_lexicon_pass(nm, n, 1);
    } else {
        plain_lexicon_pass(nm, n, 0);
        memset(nm->n_flags, 0, nm->n_len);
    }
}

int text_norm_plain_build(struct text_norm *nm, const char *text, size_t len) {
    size_t first_rw;
    call_once(&plain_once, plain_tables_init);
    ptrdiff_t n = plain_fold(nm, (const unsigned char *)text, len, &first_rw);
    if (n < 0) return -1;
    if (first_rw != SIZE_MAX) plain_rewrite(nm, (size_t)n, first_rw);
    nm->fold[n] = ' '; /* sentinel: ends letter runs and split words */
    /* the pattern view writes a symbol's bytes, so it may outgrow the fold */
    text_norm_view_reserve(nm, len + 1);
    if (plain_pattern_view(nm, (size_t)n, text) && plain_has_split_word(nm->fold, (size_t)n))
        return -1;
    plain_lexicon_view(nm, (size_t)n);
    return 0;
}
