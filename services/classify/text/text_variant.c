/* text_variant: misspelled and split lexicon words (see text_variant.h).
 *
 * Typos are found as in SymSpell: the table holds each eligible term and
 * every form of it with one letter deleted; a token is looked up as it is
 * and with each of its letters deleted.  Two strings one edit apart (a
 * substitution, insertion, deletion or adjacent swap) always share one of
 * those forms, so a handful of lookups per token finds every candidate,
 * which is then checked with an exact one-edit test.  Keys are polynomial
 * hashes modulo 2^64, so a token's deletions come from its prefix hashes in
 * one pass with no copying. */
#include "text_variant.h"
#include "xmalloc.h"

#include <stdlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <string.h>

#define HASH_BASE 0x100000001b3ull

/* What a slot's key stands for. */
enum {
    KEY_EXACT = 1,    /* a term as it is (entry valid) */
    KEY_DELETION = 2, /* a term with one letter deleted (entry valid) */
    KEY_SPLIT = 4,    /* a term a split may join to (entry valid) */
    KEY_COMMON = 8,   /* an ordinary word */
    KEY_JOINABLE = 16 /* a word that may run into a term */
};

/* The shortest term looked for as a typo, and as a split word. */
#define TYPO_MIN  6
#define SPLIT_MIN 5

struct text_variant_slot {
    uint64_t key; /* 0: empty */
    uint32_t entry;
    uint32_t kind;
};

static uint64_t hash_step(uint64_t h, unsigned char c) {
    return h * HASH_BASE + (uint64_t)(c - 'a' + 1);
}

/* The table key of polynomial hash h: mixed, so that short words do not
 * collide when the low bit is spent, and never 0 (the empty slot). */
static uint64_t key_of(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h | 1;
}

static uint64_t hash_word(const char *s, size_t n) {
    uint64_t h = 0;
    for (size_t i = 0; i < n; i++) h = hash_step(h, (unsigned char)s[i]);
    return key_of(h);
}

/* HASH_BASE to the power n: only for split candidates, which are rare. */
static uint64_t hash_pow(size_t n) {
    uint64_t p = 1;
    while (n--) p *= HASH_BASE;
    return p;
}

static void pending_push(struct text_variants *v, uint64_t key, uint32_t entry, uint32_t kind) {
    xgrow(&v->pending, &v->cap_pending, v->n_pending + 1, sizeof *v->pending);
    v->pending[v->n_pending++] = (struct text_variant_slot){ key, entry, kind };
}

static int letters_only(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'a' || s[i] > 'z') return 0;
    return n > 0;
}

/* The filter's bit for a tag (what the letters are), a code of up to five
 * letters (5 bits each, 26 for none) and a length: one multiplicative
 * hash, the scan computing it for every token. */
enum {
    FILTER_TYPO_HEAD,  /* first three letters */
    FILTER_TYPO_TAIL,  /* first two, last three */
    FILTER_TYPO_TAIL4, /* first, last four */
    FILTER_SPLIT_HEAD, /* first three */
    FILTER_SPLIT_TAIL  /* first, last three */
};

static uint32_t letters_code(unsigned a, unsigned b, unsigned c, unsigned d, unsigned e) {
    return (uint32_t)a << 20 | b << 15 | c << 10 | d << 5 | e;
}

static unsigned filter_bit(unsigned tag, uint32_t code, size_t n) {
    uint64_t x = code | (uint64_t)tag << 25 | (uint64_t)n << 28;
    return (unsigned)((x * 0x9e3779b97f4a7c15ull) >> (64 - 16));
}

static void filter_set(struct text_variants *v, unsigned bit) {
    v->filter[bit >> 3] |= (uint8_t)(1u << (bit & 7));
}

static int filter_has(const struct text_variants *v, unsigned bit) {
    return v->filter[bit >> 3] >> (bit & 7) & 1;
}

/* Records what typo_possible and split_possible test of a term: its first
 * and last letters with the lengths its typos may have (one less to one
 * more, two less for a run that a changed letter may break or merge) or,
 * for a split, its own.  All of it on the term with letter runs made one,
 * as the lexicon view has them, so that the scan reads tokens there
 * without spelling them. */
static void filter_add(struct text_variants *v, const char *word, size_t n) {
    char w[TEXT_VARIANT_MAX_WORD];
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || w[m - 1] != word[i]) w[m++] = word[i];
    if (m < 4) return;
    unsigned c0 = (unsigned)(w[0] - 'a'), c1 = (unsigned)(w[1] - 'a'), c2 = (unsigned)(w[2] - 'a');
    unsigned l0 = (unsigned)(w[m - 4] - 'a'), l1 = (unsigned)(w[m - 3] - 'a');
    unsigned l2 = (unsigned)(w[m - 2] - 'a'), l3 = (unsigned)(w[m - 1] - 'a');
    v->split_first[c0] |= 1u << c1;
    v->split_last[c0] |= 1u << l3;
    filter_set(v, filter_bit(FILTER_SPLIT_HEAD, letters_code(c0, c1, c2, 26, 26), m));
    filter_set(v, filter_bit(FILTER_SPLIT_TAIL, letters_code(c0, l1, l2, l3, 26), m));
    if (n < TYPO_MIN) return;
    v->typo_pair[c0] |= 1u << c1 | 1u << c2;
    for (size_t k = m - 2; k <= m + 1; k++) {
        filter_set(v, filter_bit(FILTER_TYPO_HEAD, letters_code(c0, c1, c2, 26, 26), k));
        filter_set(v, filter_bit(FILTER_TYPO_TAIL, letters_code(c0, c1, l1, l2, l3), k));
        filter_set(v, filter_bit(FILTER_TYPO_TAIL4, letters_code(c0, l0, l1, l2, l3), k));
    }
}

/* The index in short_common of a word of two or three letters (a view
 * token: runs made one), or -1. */
static inline long short_index(const unsigned char *w, size_t m) {
    unsigned a = (unsigned)(w[0] - 'a'), b = (unsigned)(w[1] - 'a');
    unsigned c = m == 3 ? (unsigned)(w[2] - 'a') : 26u;
    if ((m != 2 && m != 3) || a > 25 || b > 25 || c > 26) return -1;
    return (long)((a * 26 + b) * 27 + c);
}

/* Whether a view token of two or three letters is a common word: tested
 * without hashing, for the many short words a split must not join. */
static int short_common(const struct text_variants *v, const unsigned char *w, size_t m) {
    long k = short_index(w, m);
    return k >= 0 && (v->short_common[k >> 3] >> (k & 7) & 1);
}

void text_variant_add(struct text_variants *v, const char *word, uint32_t entry, int roles) {
    size_t n = strlen(word);
    if (n >= TEXT_VARIANT_MAX_WORD || !letters_only(word, n)) return;
    uint64_t h = hash_word(word, n);
    if (roles & (TEXT_VARIANT_COMMON | TEXT_VARIANT_JOINABLE)) {
        pending_push(v, h, 0, KEY_COMMON | (roles & TEXT_VARIANT_JOINABLE ? KEY_JOINABLE : 0));
        long k = short_index((const unsigned char *)word, n);
        if (k >= 0 && (n < 2 || word[0] != word[1]) && (n < 3 || word[1] != word[2]))
            v->short_common[k >> 3] |= (uint8_t)(1u << (k & 7));
    }
    if (!(roles & (TEXT_VARIANT_TERM | TEXT_VARIANT_PHRASE))) return;
    int split = (roles & TEXT_VARIANT_TERM) && n >= SPLIT_MIN;
    pending_push(v, h, entry, KEY_EXACT | (split ? KEY_SPLIT : 0));
    if ((roles & TEXT_VARIANT_TERM) && n >= SPLIT_MIN) filter_add(v, word, n);
    if (!(roles & TEXT_VARIANT_TERM) || n < TYPO_MIN) return;
    for (size_t i = 0; i < n; i++) {
        char del[TEXT_VARIANT_MAX_WORD];
        memcpy(del, word, i);
        memcpy(del + i, word + i + 1, n - i - 1);
        pending_push(v, hash_word(del, n - 1), entry, KEY_DELETION);
    }
}

void text_variant_build(struct text_variants *v, char **terms) {
    size_t cap = 64;
    while (cap < 2 * v->n_pending) cap *= 2;
    v->slots = xcalloc(cap, sizeof *v->slots);
    v->mask = cap - 1;
    for (size_t i = 0; i < v->n_pending; i++) {
        size_t at = (size_t)(v->pending[i].key >> 7) & v->mask;
        while (v->slots[at].key) at = (at + 1) & v->mask;
        v->slots[at] = v->pending[i];
    }
    free(v->pending);
    v->pending = NULL;
    v->n_pending = v->cap_pending = 0;
    v->terms = terms;
}

/* The kinds or'ed over every slot of key. */
static uint32_t key_kinds(const struct text_variants *v, uint64_t key) {
    uint32_t kinds = 0;
    for (size_t at = (size_t)(key >> 7) & v->mask; v->slots[at].key; at = (at + 1) & v->mask)
        if (v->slots[at].key == key) kinds |= v->slots[at].kind;
    return kinds;
}

/* Whether a and b are exactly one edit apart: one substitution, one
 * insertion or deletion, or two adjacent letters swapped. */
static int one_edit(const char *a, size_t na, const char *b, size_t nb) {
    if (na < nb) return one_edit(b, nb, a, na);
    if (na - nb > 1) return 0;
    size_t i = 0;
    while (i < nb && a[i] == b[i]) i++;
    if (i == nb) return na == nb + 1;
    if (na == nb + 1) return memcmp(a + i + 1, b + i, nb - i) == 0;
    if (memcmp(a + i + 1, b + i + 1, na - i - 1) == 0) return 1; /* substitution */
    return i + 1 < na && a[i] == b[i + 1] && a[i + 1] == b[i] &&
           memcmp(a + i + 2, b + i + 2, na - i - 2) == 0;
}

/* The entry of a term one edit from word among the slots of key with a kind
 * in kinds, the first letter kept; -1 if none. */
static int64_t typo_entry(const struct text_variants *v, uint64_t key, uint32_t kinds,
                          const char *word, size_t n) {
    for (size_t at = (size_t)(key >> 7) & v->mask; v->slots[at].key; at = (at + 1) & v->mask) {
        const struct text_variant_slot *s = &v->slots[at];
        if (s->key != key || !(s->kind & kinds)) continue;
        const char *t = v->terms[s->entry];
        size_t tn = strlen(t);
        if (tn >= TYPO_MIN && t[0] == word[0] && one_edit(word, n, t, tn)) return s->entry;
    }
    return -1;
}

/* A token of the lexicon view spelled out (see text_variant.h). */
struct spelled {
    char c[TEXT_VARIANT_MAX_WORD];
    uint64_t prefix[TEXT_VARIANT_MAX_WORD + 1]; /* polynomial hash of c[0..i) */
    size_t n;
    uint32_t kinds; /* of the token as it is */
};

/* Spells lexicon-view bytes [a, b); 0 if they are not all letters or too long. */
static int spell(const struct text_norm *nm, size_t a, size_t b, struct spelled *w) {
    size_t o = 0;
    w->prefix[0] = 0;
    for (size_t i = a; i < b; i++) {
        unsigned char c = (unsigned char)nm->n[i];
        int r = nm->n_run[i] == 2 ? 2 : 1;
        if (c < 'a' || c > 'z' || o + (size_t)r >= TEXT_VARIANT_MAX_WORD) return 0;
        while (r--) {
            w->c[o] = (char)c;
            w->prefix[o + 1] = hash_step(w->prefix[o], c);
            o++;
        }
    }
    w->c[o] = '\0';
    w->n = o;
    return 1;
}

/* A typo of an eligible term: the token one letter short of it (deletion
 * keys), one letter longer (its deletions against exact keys) or one
 * letter changed or swapped (deletion against deletion keys). */
static int64_t find_typo(const struct text_variants *v, const struct spelled *w) {
    if (w->n < TYPO_MIN - 1 || (w->kinds & (KEY_EXACT | KEY_COMMON))) return -1;
    int64_t e = typo_entry(v, key_of(w->prefix[w->n]), KEY_DELETION, w->c, w->n);
    uint64_t tail_pow = 1; /* HASH_BASE^(n - i - 1) */
    for (size_t i = w->n; e < 0 && i-- > 0; tail_pow *= HASH_BASE) {
        /* hash of c without c[i]: the prefix before it, shifted over what
         * follows, plus what follows */
        uint64_t after = w->prefix[w->n] - w->prefix[i + 1] * tail_pow;
        uint64_t key = key_of(w->prefix[i] * tail_pow + after);
        e = typo_entry(v, key, KEY_EXACT | KEY_DELETION, w->c, w->n);
    }
    return e;
}

/* The entry prev and w join to as a split word, or -1. */
static int64_t find_split(const struct text_variants *v, const struct spelled *prev,
                          const struct spelled *w) {
    size_t n = prev->n + w->n;
    if (prev->n < 2 || w->n < 2 || (prev->n < 3 && w->n < 3) || n < SPLIT_MIN ||
        n >= TEXT_VARIANT_MAX_WORD || ((prev->kinds | w->kinds) & (KEY_EXACT | KEY_COMMON)))
        return -1;
    uint64_t key = key_of(prev->prefix[prev->n] * hash_pow(w->n) + w->prefix[w->n]);
    for (size_t at = (size_t)(key >> 7) & v->mask; v->slots[at].key; at = (at + 1) & v->mask) {
        const struct text_variant_slot *s = &v->slots[at];
        if (s->key != key || !(s->kind & KEY_SPLIT)) continue;
        const char *t = v->terms[s->entry];
        if (strlen(t) == n && memcmp(t, prev->c, prev->n) == 0 &&
            memcmp(t + prev->n, w->c, w->n) == 0)
            return s->entry;
    }
    return -1;
}

/* What the scan reads of a token before spelling it: its range and, in
 * the lexicon view (letter runs made one), its length, its first three
 * letters and its last four (0..25; 26 where the token is shorter). */
struct head {
    size_t a, b, m;
    unsigned c[3], last[4];
};

static void token_head(const struct text_norm *nm, size_t a, size_t b, struct head *h) {
    const unsigned char *t = (const unsigned char *)nm->n;
    size_t m = b - a;
    h->a = a;
    h->b = b;
    h->m = m;
    h->c[0] = t[a] - 'a';
    h->c[1] = m > 1 ? (unsigned)(t[a + 1] - 'a') : 26u;
    h->c[2] = m > 2 ? (unsigned)(t[a + 2] - 'a') : 26u;
    h->last[0] = m > 3 ? (unsigned)(t[b - 4] - 'a') : 26u;
    h->last[1] = m > 2 ? (unsigned)(t[b - 3] - 'a') : 26u;
    h->last[2] = m > 1 ? (unsigned)(t[b - 2] - 'a') : 26u;
    h->last[3] = t[b - 1] - 'a';
}

/* Whether a term starting with the same letter, of about the same length,
 * shares with h what one edit leaves alone: its first three letters (an
 * edit after the third), its first two and last three (an edit at the
 * third), or its last four (an edit at the second; terms have six letters
 * or more).  Typos of short terms with a double letter may slip through
 * (the filter reads runs made one), and so may a swap of the second and
 * third letters of a six-letter term: a bound on the cost of every
 * comment, the price of a rare miss. */
static int typo_possible(const struct text_variants *v, const struct head *h) {
    const unsigned *c = h->c, *l = h->last;
    if (h->m < 4) return 0;
    return filter_has(v,
                      filter_bit(FILTER_TYPO_HEAD, letters_code(c[0], c[1], c[2], 26, 26), h->m)) ||
           filter_has(
               v, filter_bit(FILTER_TYPO_TAIL, letters_code(c[0], c[1], l[1], l[2], l[3]), h->m)) ||
           filter_has(
               v, filter_bit(FILTER_TYPO_TAIL4, letters_code(c[0], l[0], l[1], l[2], l[3]), h->m));
}

/* Whether p and h may be the halves of a split term: a term of the joined
 * length has the joined word's first three letters and last three. */
static int split_possible(const struct text_variants *v, const struct head *p,
                          const struct head *h) {
    size_t m = p->m + h->m;
    if (m < 4 || m >= TEXT_VARIANT_MAX_WORD / 2) return 0;
    unsigned c2 = p->m >= 3 ? p->c[2] : h->c[0];
    unsigned l1 = h->m >= 3 ? h->last[1] : p->last[3];
    return filter_has(
               v, filter_bit(FILTER_SPLIT_HEAD, letters_code(p->c[0], p->c[1], c2, 26, 26), m)) &&
           filter_has(v, filter_bit(FILTER_SPLIT_TAIL,
                                    letters_code(p->c[0], l1, h->last[2], h->last[3], 26), m));
}

/* Spells h's token into w with the kinds of the word as it is. */
static int spell_kinds(const struct text_variants *v, const struct text_norm *nm,
                       const struct head *h, struct spelled *w) {
    if (!spell(nm, h->a, h->b, w)) return 0;
    w->kinds = key_kinds(v, key_of(w->prefix[w->n]));
    return 1;
}

/* Whether the second or third view byte of a token at w is the second or
 * third letter of a typo term with its first letter: one edit changes at
 * most one of them, and a shift leaves the other in place (run-collapsed
 * letters, as the filter reads them).  The first test a long token gets. */
static int typo_pair_ok(const struct text_variants *v, const unsigned char *w) {
    unsigned a = (unsigned)(w[0] - 'a'), b = (unsigned)(w[1] - 'a'), c = (unsigned)(w[2] - 'a');
    if (a > 25) return 0;
    uint32_t pairs = v->typo_pair[a];
    return (b < 26 && (pairs >> b & 1)) || (c < 26 && (pairs >> c & 1));
}

/* Whether view bytes [a, b) hold a double letter: a token of four view
 * bytes spells five letters, the shortest a typo has, only then. */
static int has_double(const struct text_norm *nm, size_t a, size_t b) {
    for (size_t i = a; i < b; i++)
        if (nm->n_run[i] == 2) return 1;
    return 0;
}

/* The offset of the first space at or after i in t[0..len), or len: sixteen
 * bytes at a time where SSE2 is there, as this visits every byte of the
 * view. */
static size_t next_space(const unsigned char *t, size_t i, size_t len) {
#ifdef __SSE2__
    const __m128i space = _mm_set1_epi8(' ');
    for (; i + 16 <= len; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(t + i));
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, space));
        if (mask) return i + (size_t)__builtin_ctz(mask);
    }
#endif
    while (i < len && t[i] != ' ') i++;
    return i;
}

/* Whether a split term starts with view bytes c0 c1: the one test most
 * tokens get, as most are not the first half of anything. */
static int split_first(const struct text_variants *v, unsigned char c0, unsigned char c1) {
    unsigned a = (unsigned)(c0 - 'a'), b = (unsigned)(c1 - 'a');
    return a < 26 && b < 26 && (v->split_first[a] >> b & 1);
}

void text_variant_scan(const struct text_variants *v, const struct text_norm *nm,
                       text_variant_fn fn, void *ctx) {
    const unsigned char *t = (const unsigned char *)nm->n;
    struct head h, prev;
    struct spelled w, p;
    size_t i = 0, len = nm->n_len, pa = 0, pb = 0;
    int prev_starts = 0; /* the token before may be a split's first half */
    if (!v->slots) return;
    while (i < len) {
        /* Digits and masks are not tested here but by spell, for the few
         * tokens the filters let through: they are rare. */
        size_t a = i;
        i = next_space(t, i, len);
        size_t b = i++; /* i: past the space after the token */
        size_t m = b - a;
        if (m < 2) {
            prev_starts = 0; /* "e", "a": neither half nor typo */
            continue;
        }
        /* the cheap tests first: most tokens stop at them */
        int starts = m < TEXT_VARIANT_MAX_WORD / 2 && split_first(v, t[a], t[a + 1]) &&
                     !(m <= 3 && short_common(v, t + a, m));
        int headed = 0, spelled = 0; /* spelled 1: w holds h; -1: h is not a word */
        if (prev_starts && m < TEXT_VARIANT_MAX_WORD / 2 && (unsigned)(t[b - 1] - 'a') < 26 &&
            (v->split_last[t[pa] - 'a'] >> (t[b - 1] - 'a') & 1) &&
            !(m <= 3 && short_common(v, t + a, m))) {
            token_head(nm, pa, pb, &prev);
            token_head(nm, a, b, &h);
            headed = 1;
            if (split_possible(v, &prev, &h)) {
                spelled = spell_kinds(v, nm, &h, &w) ? 1 : -1;
                int64_t e =
                    spelled > 0 && spell_kinds(v, nm, &prev, &p) ? find_split(v, &p, &w) : -1;
                if (e >= 0) {
                    fn(ctx, (uint32_t)e, pa, b);
                    prev_starts = 0; /* both halves are spent */
                    continue;
                }
            }
        }
        if ((m >= 5 || (m == 4 && has_double(nm, a, b))) && m < TEXT_VARIANT_MAX_WORD / 2 &&
            spelled >= 0 && typo_pair_ok(v, t + a)) {
            if (!headed) token_head(nm, a, b, &h);
            if (typo_possible(v, &h)) {
                if (spelled == 0) spelled = spell_kinds(v, nm, &h, &w) ? 1 : -1;
                int64_t e = spelled > 0 ? find_typo(v, &w) : -1;
                if (e >= 0) fn(ctx, (uint32_t)e, a, b);
            }
        }
        prev_starts = starts;
        pa = a;
        pb = b;
    }
}

int text_variant_joinable(const struct text_variants *v, const struct text_norm *nm, size_t a,
                          size_t b) {
    struct spelled w;
    if (!v->slots || b <= a || !spell(nm, a, b, &w)) return 0;
    /* can[j]: c[0..j) is a sequence of joinable words */
    unsigned char can[TEXT_VARIANT_MAX_WORD + 1] = { 1 };
    for (size_t j = 1; j <= w.n; j++)
        for (size_t k = 0; k < j && !can[j]; k++)
            if (can[k] && (key_kinds(v, hash_word(w.c + k, j - k)) & KEY_JOINABLE)) can[j] = 1;
    return can[w.n];
}

int text_variant_common(const struct text_variants *v, const struct text_norm *nm, size_t a,
                        size_t b) {
    struct spelled w;
    if (!v->slots || b <= a || !spell(nm, a, b, &w)) return 0;
    return (key_kinds(v, hash_word(w.c, w.n)) & KEY_COMMON) != 0;
}

void text_variant_release(struct text_variants *v) {
    if (!v) return;
    free(v->slots);
    free(v->pending);
    memset(v, 0, sizeof *v);
}
