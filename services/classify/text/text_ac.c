/* text_ac: Aho-Corasick automaton compiled to a dense DFA (see text_ac.h). */
#include "text_ac.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* 0 is "not in the alphabet"; letters 1-26, digits 27-36, space 37. */
#define AC_CLASSES 38
/* After build, a transition holds the target's row offset (state ×
 * AC_CLASSES), so the scan needs no multiply, and this bit when the target
 * has outputs of its own or on its dictionary chain, so the scan tests one
 * bit instead of two tables per byte. */
#define AC_OUT 0x80000000u
/* The scan follows AC_LANES stretches of a text at once, each for at most
 * AC_STEPS bytes a round (see text_ac_scan), when each stretch then has at
 * least AC_MIN_GAIN bytes of its own. */
#define AC_LANES    4
#define AC_STEPS    256
#define AC_MIN_GAIN 16

struct ac_out {
    uint32_t value;
    uint32_t next; /* next output of the same state, or 0 */
};

struct text_ac {
    uint32_t *delta; /* states × AC_CLASSES: trie edges before build,
                                   then row offsets | AC_OUT (see above) */
    uint32_t *fail;
    uint32_t *out_head; /* 1-based index into outs, 0 = none */
    uint32_t *dict;     /* nearest state on the fail chain with outputs */
    size_t n_states, states_cap;
    struct ac_out *outs; /* outs[0] unused */
    size_t n_outs, outs_cap;
    size_t n_patterns;
    size_t max_len; /* of the patterns: no state lies deeper */
    unsigned char cls[256];
    int built;
};

static uint32_t ac_state_new(struct text_ac *ac) {
    if (ac->n_states == ac->states_cap) {
        size_t cap = ac->states_cap ? ac->states_cap * 2 : 256;
        ac->delta = xrealloc(ac->delta, cap * AC_CLASSES * sizeof *ac->delta);
        ac->fail = xrealloc(ac->fail, cap * sizeof *ac->fail);
        ac->out_head = xrealloc(ac->out_head, cap * sizeof *ac->out_head);
        ac->dict = xrealloc(ac->dict, cap * sizeof *ac->dict);
        ac->states_cap = cap;
    }
    uint32_t s = (uint32_t)ac->n_states++;
    memset(&ac->delta[(size_t)s * AC_CLASSES], 0, AC_CLASSES * sizeof *ac->delta);
    ac->fail[s] = ac->out_head[s] = ac->dict[s] = 0;
    return s;
}

struct text_ac *text_ac_new(void) {
    struct text_ac *ac = xcalloc(1, sizeof *ac);
    for (int c = 'a'; c <= 'z'; c++) ac->cls[c] = (unsigned char)(1 + c - 'a');
    for (int c = '0'; c <= '9'; c++) ac->cls[c] = (unsigned char)(27 + c - '0');
    ac->cls[' '] = 37;
    ac->n_outs = 1;
    ac_state_new(ac); /* root */
    return ac;
}

int text_ac_add(struct text_ac *ac, const char *s, size_t len, uint32_t value) {
    if (ac->built || len == 0) return -1;
    for (size_t i = 0; i < len; i++)
        if (!ac->cls[(unsigned char)s[i]]) return -1;
    uint32_t st = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned c = ac->cls[(unsigned char)s[i]];
        uint32_t nx = ac->delta[(size_t)st * AC_CLASSES + c];
        if (!nx) {
            nx = ac_state_new(ac);
            ac->delta[(size_t)st * AC_CLASSES + c] = nx;
        }
        st = nx;
    }
    xgrow(&ac->outs, &ac->outs_cap, ac->n_outs + 1, sizeof *ac->outs);
    ac->outs[ac->n_outs].value = value;
    ac->outs[ac->n_outs].next = ac->out_head[st];
    ac->out_head[st] = (uint32_t)ac->n_outs++;
    ac->n_patterns++;
    if (len > ac->max_len) ac->max_len = len;
    return 0;
}

/* A table the scan reads this large or larger is put on huge pages. */
#define AC_HUGE_PAGE (2u << 20)

/* Moves the built DFA to memory of its own on transparent huge pages when
 * it is large (the base's, with the lexicon and every rule anchor, is
 * ~2 MB): the scan's loads land anywhere in it, and on 4 KB pages many of
 * them also missed the TLB (2% of the engine's time with the model on).
 * The allocation is rounded up to whole huge pages, which it then owns. */
static void ac_table_to_huge_pages(struct text_ac *ac) {
#ifdef MADV_HUGEPAGE
    size_t bytes = ac->n_states * AC_CLASSES * sizeof *ac->delta;
    if (bytes < AC_HUGE_PAGE / 2) return;
    size_t whole = (bytes + AC_HUGE_PAGE - 1) / AC_HUGE_PAGE * AC_HUGE_PAGE;
    uint32_t *delta = aligned_alloc(AC_HUGE_PAGE, whole);
    if (!delta) abort();                        /* out of memory, as in xmalloc */
    (void)madvise(delta, whole, MADV_HUGEPAGE); /* advice: without it, 4 KB pages */
    memcpy(delta, ac->delta, bytes);
    free(ac->delta);
    ac->delta = delta;
#else
    (void)ac;
#endif
}

/* Breadth-first: a state's failure target is always shallower, so it is
 * complete when the state is reached, and missing edges can be copied from
 * it to make the DFA. */
void text_ac_build(struct text_ac *ac) {
    uint32_t *queue = xmalloc(ac->n_states * sizeof *queue);
    size_t qh = 0, qt = 0;
    for (unsigned c = 1; c < AC_CLASSES; c++) {
        uint32_t nx = ac->delta[c];
        if (nx) {
            ac->fail[nx] = 0;
            queue[qt++] = nx;
        }
    }
    while (qh < qt) {
        uint32_t s = queue[qh++];
        uint32_t f = ac->fail[s];
        ac->dict[s] = ac->out_head[f] ? f : ac->dict[f];
        for (unsigned c = 1; c < AC_CLASSES; c++) {
            uint32_t *e = &ac->delta[(size_t)s * AC_CLASSES + c];
            uint32_t fe = ac->delta[(size_t)f * AC_CLASSES + c];
            if (*e) {
                ac->fail[*e] = fe;
                queue[qt++] = *e;
            } else {
                *e = fe;
            }
        }
    }
    free(queue);
    /* Class 0 keeps 0 in every row: a byte outside the alphabet goes back
     * to the root without a test in the scan. */
    if (ac->n_states * AC_CLASSES >= AC_OUT) abort(); /* 56M states: far beyond any lexicon */
    for (size_t k = 0; k < ac->n_states * AC_CLASSES; k++) {
        uint32_t t = ac->delta[k];
        uint32_t out = ac->out_head[t] || ac->dict[t] ? AC_OUT : 0;
        ac->delta[k] = t * AC_CLASSES | out;
    }
    ac_table_to_huge_pages(ac);
    ac->built = 1;
}

/* Reports every output of the state at row, the scan having reached end.
 * Kept out of line: inlined, its registers made the compiler spill the
 * scan loop's to the stack. */
__attribute__((noinline)) static void ac_emit(const struct text_ac *ac, uint32_t row, size_t end,
                                              text_ac_hit_fn hit, void *ctx) {
    uint32_t st = row / AC_CLASSES;
    for (uint32_t t = ac->out_head[st] ? st : ac->dict[st]; t; t = ac->dict[t])
        for (uint32_t o = ac->out_head[t]; o; o = ac->outs[o].next)
            hit(ctx, ac->outs[o].value, end);
}

/* One byte at a time from row over s[from, to); returns the last row. */
static uint32_t scan_serial(const struct text_ac *ac, const unsigned char *s, size_t from,
                            size_t to, uint32_t row, text_ac_hit_fn hit, void *ctx) {
    /* Local copies: hit() could write any memory for all the compiler
     * knows, which would make it reload both pointers on every byte. */
    const uint32_t *delta = ac->delta;
    const unsigned char *cls = ac->cls;
    for (size_t i = from; i < to; i++) {
        uint32_t e = delta[row + cls[s[i]]];
        row = e & ~AC_OUT;
        if (e & AC_OUT) ac_emit(ac, row, i + 1, hit, ctx);
    }
    return row;
}

/* The lanes of a round, their rows and, per lane, the rows with outputs
 * and at which step (high half) they were reached. */
struct lanes {
    const unsigned char *p[AC_LANES];
    uint32_t r[AC_LANES];
    size_t n[AC_LANES];
    uint64_t out[AC_LANES][AC_STEPS];
};

/* Steps [from, to) of every lane, keeping the rows with outputs of the
 * first `keeping` lanes (a constant where inlined, so the warming lanes
 * test nothing).  The lanes are unrolled, so that each row stays in a
 * register; a row is stored always and counted only when it has outputs,
 * which takes no branch. */
static inline __attribute__((always_inline)) void lanes_step(struct lanes *l, const uint32_t *delta,
                                                             const unsigned char *cls, size_t from,
                                                             size_t to, size_t keeping) {
    for (size_t j = from; j < to; j++) {
#pragma GCC unroll 4
        for (size_t k = 0; k < AC_LANES; k++) {
            uint32_t e = delta[l->r[k] + cls[l->p[k][j]]];
            l->r[k] = e & ~AC_OUT;
            if (k >= keeping) continue;
            l->out[k][l->n[k]] = (uint64_t)j << 32 | l->r[k];
            l->n[k] += e >> 31;
        }
    }
}

/* One round of the lanes: lane k follows steps bytes from at + k * (steps
 * - warm), lane 0 from row, the others from the root, reporting only after
 * their first warm bytes (which lane k - 1 reported).  The rows with
 * outputs are kept per lane and reported lane after lane, so in text
 * order.  Returns the row at the round's last byte. */
static uint32_t scan_round(const struct text_ac *ac, const unsigned char *s, size_t at,
                           size_t steps, size_t warm, uint32_t row, text_ac_hit_fn hit, void *ctx) {
    struct lanes l;
    for (size_t k = 0; k < AC_LANES; k++) {
        l.p[k] = s + at + k * (steps - warm);
        l.r[k] = 0;
        l.n[k] = 0;
    }
    l.r[0] = row;
    lanes_step(&l, ac->delta, ac->cls, 0, warm, 1); /* the others warm up */
    lanes_step(&l, ac->delta, ac->cls, warm, steps, AC_LANES);
    for (size_t k = 0; k < AC_LANES; k++)
        for (size_t m = 0; m < l.n[k]; m++)
            ac_emit(ac, (uint32_t)l.out[k][m], (size_t)(l.p[k] - s) + (l.out[k][m] >> 32) + 1, hit,
                    ctx);
    return l.r[AC_LANES - 1];
}

/* A scan is a chain of dependent loads, one per byte, from a table larger
 * than the first-level cache: its time is their latency.  Lanes that
 * follow separate stretches of the text overlap those loads.  A lane
 * started from the root reaches the state a scan from the start would be
 * in after max_len bytes (a state is the longest suffix read so far that
 * begins a pattern, and none is longer), so it starts max_len bytes before
 * its stretch, and the lanes report exactly the hits of one scan, in the
 * same order. */
void text_ac_scan(const struct text_ac *ac, const char *s, size_t len, text_ac_hit_fn hit,
                  void *ctx) {
    const unsigned char *u = (const unsigned char *)s;
    size_t warm = ac->max_len, at = 0;
    uint32_t row = 0;
    for (;;) {
        /* a round covers AC_LANES * steps - (AC_LANES - 1) * warm bytes */
        size_t steps = (len - at + (AC_LANES - 1) * warm) / AC_LANES;
        if (steps > AC_STEPS) steps = AC_STEPS;
        if (steps < warm + AC_MIN_GAIN) break;
        row = scan_round(ac, u, at, steps, warm, row, hit, ctx);
        at += AC_LANES * steps - (AC_LANES - 1) * warm;
    }
    scan_serial(ac, u, at, len, row, hit, ctx);
}

size_t text_ac_size(const struct text_ac *ac) { return ac->n_patterns; }

void text_ac_free(struct text_ac *ac) {
    if (!ac) return;
    free(ac->delta);
    free(ac->fail);
    free(ac->out_head);
    free(ac->dict);
    free(ac->outs);
    free(ac);
}
