/* text_engine: life cycle, edge inputs, the 1 MB comment, fingerprints. */
#include "text_fixture.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

TestSuite(engine, .init = fixture_setup, .fini = fixture_teardown);

Test(engine, category_names_round_trip)
{
    for (int c = 0; c < TEXT_CAT_COUNT; c++)
        cr_expect_eq(text_category_from_name(text_category_name(c)), c);
    cr_expect_null(text_category_name(TEXT_CAT_COUNT));
    cr_expect_eq(text_category_from_name("nope"), -1);
}

Test(engine, empty_and_blank_text)
{
    cr_expect_eq(fixture_classify("")->n, 0);
    cr_expect_eq(fixture_classify("   \n\t ")->n, 0);
    cr_expect_str_eq(fixture_classify("")->redacted, "");
}

Test(engine, invalid_utf8_is_an_error_not_a_crash)
{
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

Test(engine, one_megabyte_comment)
{
    size_t len = 1 << 20;
    char *big = malloc(len + 1);
    static const char chunk[] = "Buongiorno, ti ammazzo, cazzo, chiamami al 347 123 4567. aaaa(((( ";
    for (size_t i = 0; i < len; i++)
        big[i] = chunk[i % (sizeof chunk - 1)];
    big[len] = '\0';
    const struct text_result *r = fixture_classify(big);
    cr_expect_not_null(fixture_label(r, "threat"));
    cr_expect_not_null(fixture_label(r, "personal_data"));
    cr_expect(r->flags & TEXT_RESULT_LIMITED);   /* labels capped */
    cr_expect_null(strstr(r->redacted, "347 123 4567"));
    free(big);
}

Test(engine, pathological_inputs)
{
    size_t len = 1 << 20;
    char *s = malloc(len + 1);
    memset(s, 'a', len);
    s[len] = '\0';
    fixture_classify(s);
    for (size_t i = 0; i < len; i++)
        s[i] = i % 2 ? ' ' : 'c';   /* one huge split-letter run */
    fixture_classify(s);
    memset(s, '?', len);
    fixture_classify(s);
    free(s);
}

Test(engine, off_topic_needs_the_post)
{
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

Test(engine, fingerprints)
{
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
