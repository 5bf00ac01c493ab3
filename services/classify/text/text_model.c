/* text_model: loading, validating and applying the n-gram logistic heads
 * (format and formula in text_model.h). */
#include "text_model.h"
#include "text_features.h"
#include "xmalloc.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX2_PATH 1
#endif

#define MAGIC           "VGLMODEL"
#define HEADER_BYTES    32
#define HEAD_NAME_BYTES 32
#define HEAD_BYTES      (HEAD_NAME_BYTES + 8)
#define MAX_STRIDE      32

struct head {
    enum text_category cat;
    float scale, bias;
    char rule_id[HEAD_NAME_BYTES + 8]; /* "model.<category>" */
};

struct accumulator;
/* Adds column part (16 heads) of the rows of a block's n-grams. */
typedef void rows_fn(struct accumulator *a, const struct text_feature_block *b, size_t part);

struct text_model {
    int8_t *weights;          /* TEXT_FEATURE_BUCKETS x stride, 64-byte aligned */
    rows_fn *accumulate_rows; /* the fastest this CPU runs, chosen at load */
    size_t stride;
    size_t n_heads;
    struct head heads[TEXT_CAT_COUNT];
    int head_of[TEXT_CAT_COUNT]; /* head index of a category, or -1 */
};

static uint32_t get_u32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static float get_f32(const unsigned char *p) {
    uint32_t u = get_u32(p);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* zlib's CRC-32 (reflected, polynomial 0xedb88320), what Python's
 * zlib.crc32 computes. */
static uint32_t crc32_of(const unsigned char *p, size_t n) {
    uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; i++) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return crc ^ 0xffffffffu;
}

/* Reads the whole file into a new buffer.  Returns it with *len, or NULL
 * with err. */
static unsigned char *read_file(const char *path, size_t *len, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0, got;
    do {
        xgrow(&buf, &cap, n + 65536, 1);
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        snprintf(err, errlen, "%s: read error", path);
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* Checked after the structure, whose errors say more than a mismatch. */
static int check_crc(const unsigned char *buf, size_t len, const char *path, char *err,
                     size_t errlen) {
    if (crc32_of(buf, len - 4) == get_u32(buf + len - 4)) return 0;
    snprintf(err, errlen, "%s: checksum mismatch (file damaged or edited)", path);
    return -1;
}

/* Checks the fixed header and the size; fills n_heads and stride.  Returns 0 or -1
 * with err. */
static int check_header(const unsigned char *buf, size_t len, const char *path, size_t *n_heads,
                        size_t *stride, char *err, size_t errlen) {
    if (len < HEADER_BYTES || memcmp(buf, MAGIC, 8) != 0) {
        snprintf(err, errlen, "%s: not a Vigile model (magic \"%s\" missing)", path, MAGIC);
        return -1;
    }
    uint32_t format = get_u32(buf + 8), features = get_u32(buf + 12), bits = get_u32(buf + 16);
    if (format != TEXT_MODEL_FORMAT) {
        snprintf(err, errlen, "%s: format %u, this build reads %u", path, format,
                 TEXT_MODEL_FORMAT);
        return -1;
    }
    if (features != TEXT_FEATURE_VERSION || bits != TEXT_FEATURE_BITS) {
        snprintf(err, errlen,
                 "%s: trained on features v%u with 2^%u buckets, this build computes "
                 "v%u with 2^%u: retrain (scripts/train-model.py)",
                 path, features, bits, TEXT_FEATURE_VERSION, TEXT_FEATURE_BITS);
        return -1;
    }
    *n_heads = get_u32(buf + 20);
    *stride = get_u32(buf + 24);
    if (*n_heads < 1 || *n_heads > TEXT_CAT_COUNT || *stride < *n_heads || *stride % 16 != 0 ||
        *stride > MAX_STRIDE) {
        snprintf(err, errlen,
                 "%s: %zu heads with stride %zu (want 1..%d heads, stride a multiple "
                 "of 16 up to %d)",
                 path, *n_heads, *stride, TEXT_CAT_COUNT, MAX_STRIDE);
        return -1;
    }
    size_t want = HEADER_BYTES + *n_heads * HEAD_BYTES + (size_t)TEXT_FEATURE_BUCKETS * *stride + 4;
    if (len != want) {
        snprintf(err, errlen, "%s: %zu bytes, %zu expected for %zu heads", path, len, want,
                 *n_heads);
        return -1;
    }
    return 0;
}

/* Reads head i of the table at p into m.  Returns 0 or -1 with err. */
static int read_head(struct text_model *m, size_t i, const unsigned char *p, const char *path,
                     char *err, size_t errlen) {
    char name[HEAD_NAME_BYTES + 1];
    memcpy(name, p, HEAD_NAME_BYTES);
    name[HEAD_NAME_BYTES] = '\0';
    int cat = text_category_from_name(name);
    if (cat < 0 || m->head_of[cat] >= 0) {
        snprintf(err, errlen, "%s: head %zu: %s category \"%s\"", path, i,
                 cat < 0 ? "unknown" : "repeated", name);
        return -1;
    }
    struct head *h = &m->heads[i];
    h->cat = (enum text_category)cat;
    h->scale = get_f32(p + HEAD_NAME_BYTES);
    h->bias = get_f32(p + HEAD_NAME_BYTES + 4);
    if (!isfinite(h->scale) || h->scale <= 0 || !isfinite(h->bias)) {
        snprintf(err, errlen, "%s: head %s: scale %g and bias %g (scale must be positive)", path,
                 name, h->scale, h->bias);
        return -1;
    }
    snprintf(h->rule_id, sizeof h->rule_id, "model.%s", name);
    m->head_of[cat] = (int)i;
    return 0;
}

static rows_fn *pick_accumulate_rows(void);

struct text_model *text_model_load(const char *path, char *err, size_t errlen) {
    size_t len = 0, n_heads = 0, stride = 0;
    unsigned char *buf = read_file(path, &len, err, errlen);
    if (!buf) return NULL;
    struct text_model *m = NULL;
    if (check_header(buf, len, path, &n_heads, &stride, err, errlen) != 0) goto out;
    m = xcalloc(1, sizeof *m);
    m->accumulate_rows = pick_accumulate_rows();
    m->n_heads = n_heads;
    m->stride = stride;
    for (int c = 0; c < TEXT_CAT_COUNT; c++) m->head_of[c] = -1;
    for (size_t i = 0; i < n_heads; i++)
        if (read_head(m, i, buf + HEADER_BYTES + i * HEAD_BYTES, path, err, errlen) != 0) goto fail;
    if (check_crc(buf, len, path, err, errlen) != 0) goto fail;
    size_t wbytes = (size_t)TEXT_FEATURE_BUCKETS * stride;
    m->weights = aligned_alloc(64, wbytes);
    if (!m->weights) abort(); /* out of memory, as in xmalloc */
    memcpy(m->weights, buf + HEADER_BYTES + n_heads * HEAD_BYTES, wbytes);
    goto out;
fail:
    text_model_free(m);
    m = NULL;
out:
    free(buf);
    return m;
}

void text_model_free(struct text_model *m) {
    if (!m) return;
    free(m->weights);
    free(m);
}

size_t text_model_bytes(const struct text_model *m) {
    return sizeof *m + (size_t)TEXT_FEATURE_BUCKETS * m->stride;
}

const char *text_model_rule_id(const struct text_model *m, enum text_category cat) {
    if ((unsigned)cat >= TEXT_CAT_COUNT || m->head_of[cat] < 0) return NULL;
    return m->heads[m->head_of[cat]].rule_id;
}

struct accumulator {
    const struct text_model *m;
    struct text_model_work *keep; /* or NULL */
    int32_t acc[MAX_STRIDE];
};

/* How far ahead of the n-gram being added its successors' rows are
 * fetched: the rows are random lines of a table larger than L2, and
 * fetching several at once overlaps their misses. */
#define PREFETCH_AHEAD 16

/* Every accumulate_rows below adds the rows of a block's n-grams, 16 heads
 * at a time, in 16-bit lanes: a block has at most TEXT_FEATURE_BLOCK (256)
 * n-grams and a weight is at most 127 in magnitude, so a lane cannot
 * overflow before it is widened.  Integer sums: every variant gives the
 * same scores. */

/* Column part of n-gram j's row. */
static inline const int8_t *row_of(const struct accumulator *a, const struct text_feature_block *b,
                                   size_t j, size_t part) {
    return a->m->weights + 16 * part + (size_t)b->bucket[j] * a->m->stride;
}

/* Before n-gram j is added: the row PREFETCH_AHEAD n-grams on is fetched
 * (at j = 0, every row up to it). */
static inline void prefetch_ahead(const struct accumulator *a, const struct text_feature_block *b,
                                  size_t j, size_t part) {
    for (size_t k = j == 0 ? 0 : j + PREFETCH_AHEAD; k <= j + PREFETCH_AHEAD && k < b->n; k++)
        __builtin_prefetch(row_of(a, b, k, part));
}

/* Adds the 16 lanes to the head sums of column part. */
static inline void add_lanes(struct accumulator *a, const int16_t lanes[16], size_t part) {
    for (size_t h = 0; h < 16; h++) a->acc[16 * part + h] += lanes[h];
}

#ifdef HAVE_AVX2_PATH
/* AVX2 widens a row's sixteen weights to 16-bit lanes in one instruction
 * (vpmovsxbw), where SSE2 needs a compare and two unpacks. */
__attribute__((target("avx2"))) static void
accumulate_rows_avx2(struct accumulator *a, const struct text_feature_block *b, size_t part) {
    __m256i acc = _mm256_setzero_si256();
    for (size_t j = 0; j < b->n; j++) {
        prefetch_ahead(a, b, j, part);
        __m128i v = _mm_load_si128((const __m128i *)row_of(a, b, j, part));
        acc = _mm256_add_epi16(acc, _mm256_cvtepi8_epi16(v));
    }
    int16_t lanes[16];
    _mm256_storeu_si256((__m256i *)lanes, acc);
    add_lanes(a, lanes, part);
}
#endif

#ifdef __SSE2__
static void accumulate_rows(struct accumulator *a, const struct text_feature_block *b,
                            size_t part) {
    __m128i lo = _mm_setzero_si128(), hi = _mm_setzero_si128(), zero = _mm_setzero_si128();
    for (size_t j = 0; j < b->n; j++) {
        prefetch_ahead(a, b, j, part);
        __m128i v = _mm_load_si128((const __m128i *)row_of(a, b, j, part));
        __m128i sign = _mm_cmpgt_epi8(zero, v);
        lo = _mm_add_epi16(lo, _mm_unpacklo_epi8(v, sign));
        hi = _mm_add_epi16(hi, _mm_unpackhi_epi8(v, sign));
    }
    int16_t lanes[16];
    _mm_storeu_si128((__m128i *)lanes, lo);
    _mm_storeu_si128((__m128i *)(lanes + 8), hi);
    add_lanes(a, lanes, part);
}
#else
static void accumulate_rows(struct accumulator *a, const struct text_feature_block *b,
                            size_t part) {
    for (size_t j = 0; j < b->n; j++) {
        const int8_t *row = row_of(a, b, j, part);
        for (size_t h = 0; h < 16; h++) a->acc[16 * part + h] += row[h];
    }
}
#endif

/* The AVX2 path where the CPU has it, chosen once per load rather than
 * tested per block. */
static rows_fn *pick_accumulate_rows(void) {
#ifdef HAVE_AVX2_PATH
    if (__builtin_cpu_supports("avx2")) return accumulate_rows_avx2;
#endif
    return accumulate_rows;
}

static void accumulate_block(void *arg, const struct text_feature_block *b) {
    struct accumulator *a = arg;
    for (size_t part = 0; part < a->m->stride / 16; part++) a->m->accumulate_rows(a, b, part);
    if (!a->keep) return;
    xgrow(&a->keep->bucket, &a->keep->cap, a->keep->n + b->n, sizeof *a->keep->bucket);
    memcpy(a->keep->bucket + a->keep->n, b->bucket, b->n * sizeof *b->bucket);
    a->keep->n += b->n;
}

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

void text_model_work_release(struct text_model_work *work) {
    free(work->bucket);
    *work = (struct text_model_work){ 0 };
}

void text_model_score(const struct text_model *m, const struct text_norm *nm,
                      double scores[TEXT_CAT_COUNT]) {
    text_model_score_work(m, nm, NULL, scores);
}

void text_model_score_work(const struct text_model *m, const struct text_norm *nm,
                           struct text_model_work *work, double scores[TEXT_CAT_COUNT]) {
    struct accumulator a;
    a.m = m;
    a.keep = work;
    if (work) work->n = 0;
    memset(a.acc, 0, sizeof a.acc);
    size_t total = text_features_buckets(nm, accumulate_block, &a);
    double norm = total > 0 ? 1.0 / sqrt((double)total) : 0.0;
    for (int c = 0; c < TEXT_CAT_COUNT; c++) scores[c] = -1;
    for (size_t i = 0; i < m->n_heads; i++) {
        const struct head *h = &m->heads[i];
        scores[h->cat] = sigmoid(h->bias + (double)h->scale * a.acc[i] * norm);
    }
}

/* Evidence is told in words: each n-gram that lies within one word adds
 * its weight to that word, and the words with the largest positive sums are
 * the evidence.  A moderator reads "fallito", not the n-gram "llit"; the
 * n-grams across words and punctuation still count in the score, only not
 * in what is shown.  A character n-gram's place is its bytes of the view
 * (those of the padding spaces left out), so " fa" at the view's start
 * lies within "fa...". */
struct word_evidence {
    const int8_t *w;
    size_t stride;
    size_t heads[TEXT_CAT_COUNT];
    size_t n_heads;
    const uint32_t *kept; /* the scoring pass's buckets, in scan order */
    size_t len;           /* of the pattern view */
    uint32_t *from, *to;  /* each word's range in the view */
    size_t n_words;
    int32_t *sums; /* n_words x n_heads */
};

/* Finds the words of the pattern view (the tokens of text_features) into
 * new arrays from and to, the caller's to free.  Returns the count. */
static size_t find_words(const struct text_norm *nm, uint32_t **from, uint32_t **to) {
    size_t n = 0, cap = nm->p_len / 2 + 1; /* a word and a separator at least */
    *from = xmalloc(cap * sizeof **from);
    *to = xmalloc(cap * sizeof **to);
    for (size_t i = 0; i < nm->p_len;) {
        if (!text_feature_word_byte((unsigned char)nm->p[i])) {
            i++;
            continue;
        }
        (*from)[n] = (uint32_t)i;
        while (i < nm->p_len && text_feature_word_byte((unsigned char)nm->p[i])) i++;
        (*to)[n++] = (uint32_t)i;
    }
    return n;
}

static void add_row(const struct word_evidence *we, int32_t *sum, uint32_t bucket) {
    const int8_t *row = we->w + (size_t)bucket * we->stride;
    for (size_t h = 0; h < we->n_heads; h++) sum[h] += row[we->heads[h]];
}

/* Adds to word wd's sums the n-grams whose place lies within it: the
 * character n-grams starting in it (padded position i is view byte i - 1,
 * position 0 the leading space, clipped to byte 0) that end by its end,
 * and its unigram.  Their buckets are read from the scoring pass's, by
 * their index in its order: the view is not walked again. */
static void sum_word(const struct word_evidence *we, size_t wd) {
    size_t a = we->from[wd], b = we->to[wd], n = we->len + 2;
    int32_t *sum = we->sums + wd * we->n_heads;
    for (size_t i = a ? a + 1 : 0; i <= b && i + 2 <= n; i++) {
        size_t from = i ? i - 1 : 0, at = text_features_char_index(we->len, i);
        size_t kmax = n - i < 5 ? n - i : 5;
        for (size_t k = 2; k <= kmax; k++) {
            size_t to = i + k - 1 < we->len ? i + k - 1 : we->len;
            if (to > b) break; /* it and the longer ones run past the word */
            if (to > from) add_row(we, sum, we->kept[at + k - 2]);
        }
    }
    add_row(we, sum, we->kept[text_features_word_index(we->len, wd)]);
}

/* The TEXT_MODEL_EVIDENCE words with the largest positive sums for head
 * column col, heaviest first, as original-text spans.  Returns how many. */
static size_t top_words(const struct word_evidence *we, size_t col, const struct text_norm *nm,
                        struct text_span *spans) {
    size_t best[TEXT_MODEL_EVIDENCE], n = 0;
    for (size_t wd = 0; wd < we->n_words; wd++) {
        int32_t v = we->sums[wd * we->n_heads + col];
        if (v <= 0 || (n == TEXT_MODEL_EVIDENCE && v <= we->sums[best[n - 1] * we->n_heads + col]))
            continue;
        size_t k = n < TEXT_MODEL_EVIDENCE ? n++ : n - 1;
        while (k > 0 && we->sums[best[k - 1] * we->n_heads + col] < v) {
            best[k] = best[k - 1];
            k--;
        }
        best[k] = wd;
    }
    for (size_t k = 0; k < n; k++)
        spans[k] =
            (struct text_span){ nm->p_start[we->from[best[k]]], nm->p_end[we->to[best[k]] - 1] };
    return n;
}

void text_model_evidence(const struct text_model *m, const struct text_norm *nm,
                         const struct text_model_work *work, unsigned cats,
                         struct text_evidence out[TEXT_CAT_COUNT]) {
    struct word_evidence we = { .w = m->weights, .stride = m->stride, .len = nm->p_len };
    for (int c = 0; c < TEXT_CAT_COUNT; c++) {
        out[c].n = 0;
        if ((cats & (1u << c)) && m->head_of[c] >= 0)
            we.heads[we.n_heads++] = (size_t)m->head_of[c];
    }
    if (we.n_heads == 0 || nm->p_len == 0) return;
    struct text_model_work own = { 0 };
    if (!work) { /* the buckets, as the scoring pass would have kept them */
        double scores[TEXT_CAT_COUNT];
        text_model_score_work(m, nm, &own, scores);
        work = &own;
    }
    we.kept = work->bucket;
    we.n_words = find_words(nm, &we.from, &we.to);
    we.sums = xcalloc(we.n_words + 1, we.n_heads * sizeof *we.sums);
    for (size_t wd = 0; wd < we.n_words; wd++) sum_word(&we, wd);
    for (size_t col = 0; col < we.n_heads; col++) {
        enum text_category cat = m->heads[we.heads[col]].cat;
        out[cat].n = top_words(&we, col, nm, out[cat].spans);
    }
    free(we.sums);
    free(we.from);
    free(we.to);
    text_model_work_release(&own);
}
