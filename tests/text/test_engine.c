/* text_engine: life cycle, edge inputs, the 1 MB comment, fingerprints. */
#include "text_fixture.h"

#include "text_context.h"
#include "text_fingerprint.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TestSuite(engine, .init = fixture_setup, .fini = fixture_teardown);

Test(engine, category_names_round_trip) {
    for (int c = 0; c < TEXT_CAT_COUNT; c++)
        cr_expect_eq(text_category_from_name(text_category_name(c)), c);
    cr_expect_null(text_category_name(TEXT_CAT_COUNT));
    cr_expect_eq(text_category_from_name("nope"), -1);
}

Test(engine, empty_and_blank_text) {
    cr_expect_eq(fixture_classify("")->n, 0);
    cr_expect_eq(fixture_classify("   \n\t ")->n, 0);
    cr_expect_str_eq(fixture_classify("")->redacted, "");
}

Test(engine, invalid_utf8_is_an_error_not_a_crash) {
    char err[512];
    struct text_base *base = text_base_new(VIGILE_TEXT_DATA_DIR, err, sizeof err);
    struct text_engine_options opt = { .base = base };
    struct text_engine *e = text_engine_new(&opt, err, sizeof err);
    struct text_scratch *sc = text_scratch_new();
    struct text_result r;
    static const char bad[] = "sindaco \xff\xfe ladro \xc3";
    cr_expect_eq(text_classify(e, sc, bad, sizeof bad - 1, NULL, 0, &r), TEXT_ERR_UTF8);
    cr_expect_eq(r.bad_offset, 8);
    cr_expect_eq(r.n, 0);
    /* An invalid post is only context: ignored. */
    cr_expect_eq(text_classify(e, sc, "ok", 2, "\xff", 1, &r), TEXT_OK);
    /* The same scratch keeps working afterwards. */
    cr_expect_eq(text_classify(e, sc, "ti ammazzo", 10, NULL, 0, &r), TEXT_OK);
    cr_expect_eq(r.n, 1);
    text_scratch_free(sc);
    text_engine_free(e);
    text_base_free(base);
    text_engine_free(NULL);
    text_base_free(NULL);
    text_scratch_free(NULL);
}

Test(engine, one_megabyte_comment) {
    size_t len = 1 << 20;
    char *big = malloc(len + 1);
    static const char chunk[] =
        "Buongiorno, ti ammazzo, cazzo, chiamami al 347 123 4567. aaaa(((( ";
    for (size_t i = 0; i < len; i++) big[i] = chunk[i % (sizeof chunk - 1)];
    big[len] = '\0';
    const struct text_result *r = fixture_classify(big);
    cr_expect_not_null(fixture_label(r, "threat"));
    cr_expect_not_null(fixture_label(r, "personal_data"));
    cr_expect(r->flags & TEXT_RESULT_LIMITED); /* labels capped */
    cr_expect_null(strstr(r->redacted, "347 123 4567"));
    free(big);
}

Test(engine, pathological_inputs) {
    size_t len = 1 << 20;
    char *s = malloc(len + 1);
    memset(s, 'a', len);
    s[len] = '\0';
    fixture_classify(s);
    for (size_t i = 0; i < len; i++) s[i] = i % 2 ? ' ' : 'c'; /* one huge split-letter run */
    fixture_classify(s);
    memset(s, '?', len);
    fixture_classify(s);
    free(s);
}

Test(engine, off_topic_needs_the_post) {
    const char *post = "Nuovo orario estivo della Biblioteca comunale: sabato chiuso.";
    const char *c = "Oggi ho preparato una torta di mele buonissima, ricetta della nonna";
    struct text_result r;
    char err[512];
    struct text_base *base = text_base_new(VIGILE_TEXT_DATA_DIR, err, sizeof err);
    struct text_engine_options opt = { .base = base };
    struct text_engine *e = text_engine_new(&opt, err, sizeof err);
    struct text_scratch *sc = text_scratch_new();
    text_classify(e, sc, c, strlen(c), post, strlen(post), &r);
    cr_expect_eq(r.n, 1);
    cr_expect_str_eq(r.labels[0].category, "off_topic");
    text_classify(e, sc, c, strlen(c), NULL, 0, &r);
    cr_expect_eq(r.n, 0);
    text_scratch_free(sc);
    text_engine_free(e);
    text_base_free(base);
}

Test(engine, fingerprints) {
    uint64_t a = text_fingerprint("Il sindaco deve dimettersi subito, vergogna!", 44);
    uint64_t b = text_fingerprint("IL SINDACO DEVE DIMETTERSI SUBITOOO!!! vergogna", 47);
    uint64_t c = text_fingerprint("Il sindaco deve dimettersi subito, che vergogna!", 48);
    uint64_t d = text_fingerprint("Quando apre la biblioteca comunale il sabato?", 45);
    cr_expect_eq(text_fingerprint_distance(a, b), 0);
    cr_expect_leq(text_fingerprint_distance(a, c), 16);
    cr_expect_geq(text_fingerprint_distance(a, d), 24);
    cr_expect_eq(text_fingerprint("", 0), 0);
    cr_expect_eq(fixture_classify("Il sindaco deve dimettersi subito, vergogna!")->fingerprint, a);
}

/* The simhash as first written, votes counted one by one: the reference
 * for the batched, bit-sliced count and the unrolled pair hash. */
static uint64_t reference_fingerprint(const char *s, size_t n) {
    long count[64] = { 0 }, total = 0;
    uint64_t prev = 0;
    size_t i = 0, tokens = 0;
    while (i < n) {
        if (!isalnum((unsigned char)s[i]) && (unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        size_t a = i;
        while (i < n && (isalnum((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)) i++;
        uint64_t h = text_context_hash(s + a, i - a, 0), votes[2] = { h, 0 };
        int nv = 1;
        if (tokens++) votes[nv++] = text_context_hash((const char *)&h, sizeof h, prev);
        for (int v = 0; v < nv; v++, total++)
            for (int b = 0; b < 64; b++) count[b] += (long)(votes[v] >> b & 1);
        prev = h;
    }
    uint64_t fp = 0;
    for (int b = 0; b < 64; b++)
        if (2 * count[b] > total) fp |= 1ULL << b;
    return fp;
}

Test(engine, fingerprint_matches_reference) {
    static const char *words[] = { "il",  "sindaco", "x",          "vergogna", "7",        "buche",
                                   "via", "roma",    "cassonetti", "pieni",    "\xc3\xa8", "a1b2" };
    static const char *seps[] = { " ", ", ", "!! ", "\n", "?" };
    char buf[4096];
    unsigned seed = 12345;
    for (int t = 0; t < 400; t++) {
        size_t n = 0;
        int nwords = t % 150;
        for (int w = 0; w < nwords; w++) {
            seed = seed * 1103515245u + 12345u;
            const char *word = words[(seed >> 16) % (sizeof words / sizeof *words)];
            const char *sep = seps[(seed >> 8) % (sizeof seps / sizeof *seps)];
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", word, sep);
        }
        cr_assert_eq(text_fingerprint_tokens(buf, n), reference_fingerprint(buf, n),
                     "text %d: %.*s", t, (int)n, buf);
    }
}
