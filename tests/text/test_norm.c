/* text_norm: normalization and mapping of spans back to the original bytes. */
#include "text_norm.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

static struct text_norm nm;

static void norm(const char *s) {
    size_t bad;
    cr_assert_eq(text_norm_build(&nm, s, strlen(s), &bad), 0, "\"%s\" rejected at %zu", s, bad);
}

static void fini(void) { text_norm_release(&nm); }

TestSuite(norm, .fini = fini);

Test(norm, folds_case_accents_and_compat) {
    norm("PERCHÉ Città ｃａｚｚｏ");
    cr_assert_str_eq(nm.p, "perche citta cazzo");
}

Test(norm, leet_only_inside_words) {
    norm("c4zz0 m3rd4 2024 100euro $tronzo");
    cr_assert_str_eq(nm.p, "cazzo merda 2024 100euro stronzo");
}

Test(norm, emphasis_runs) {
    norm("cazzzzzo ammazzooo anno");
    cr_assert_str_eq(nm.p, "cazo ammazzo anno"); /* pattern view: 3+ becomes one */
    cr_assert_str_eq(nm.n, "cazo amazo ano");    /* lexicon view: runs kept apart */
    cr_assert_eq(nm.n_run[2], 5);                /* the z run */
    cr_assert_eq(nm.n_run[12], 2);               /* "anno": nn */
}

Test(norm, split_letters_joined) {
    norm("c a z z o, i.d.i.o.t.a, c-4-z-z-0 ma e a no");
    cr_assert_str_eq(nm.p, "cazzo, idiota, cazzo ma e a no");
}

Test(norm, masks_and_hashtags) {
    norm("st*onzo #hashtag");
    cr_assert_str_eq(nm.n, "st*onzo hashtag");
    cr_assert(nm.n_has_mask);
}

Test(norm, homoglyphs) {
    norm("\xd1\x81\xd0\xb0zzo"); /* Cyrillic с and а */
    cr_assert_str_eq(nm.n, "cazo");
    cr_assert(nm.n_flags[0] & TEXT_NORM_OBFUSCATED);
}

Test(norm, spans_map_to_original_bytes) {
    const char *s = "Là   c 4 z z o!";
    norm(s);
    const char *hit = strstr(nm.p, "cazzo");
    cr_assert_not_null(hit);
    size_t i = (size_t)(hit - nm.p);
    cr_assert_eq(nm.p_start[i], 6);    /* the 'c' */
    cr_assert_eq(nm.p_end[i + 4], 15); /* one past the 'o' */
    cr_assert_eq(nm.p_start[0], 0);
    cr_assert_eq(nm.p_end[1], 3); /* 'à' is two bytes */
}

Test(norm, zero_width_dropped) {
    norm("caz\xe2\x80\x8bzo");
    cr_assert_str_eq(nm.p, "cazzo");
}

Test(norm, invalid_utf8_rejected_with_offset) {
    size_t bad = 0;
    cr_assert_eq(text_norm_build(&nm, "ok \xc3\x28 no", 8, &bad), -1);
    cr_assert_eq(bad, 3);
    cr_assert_eq(nm.p_len, 0);
}

/* Compares the views of text_norm_build (the plain path when the text
 * allows it) with those of the general path, byte for byte, maps included. */
static void assert_paths_agree(const char *s, size_t len) {
    struct text_norm ref = { 0 };
    size_t bad_fast = 0, bad_ref = 0;
    int rc_fast = text_norm_build(&nm, s, len, &bad_fast);
    int rc_ref = text_norm_build_general(&ref, s, len, &bad_ref);
    cr_assert_eq(rc_fast, rc_ref, "status differs on \"%.*s\"", (int)len, s);
    if (rc_ref == 0) {
        cr_assert_eq(nm.p_len, ref.p_len, "pattern view differs on \"%.*s\"", (int)len, s);
        cr_assert_eq(nm.n_len, ref.n_len, "lexicon view differs on \"%.*s\"", (int)len, s);
        cr_assert_eq(nm.n_has_mask, ref.n_has_mask);
        cr_assert(memcmp(nm.p, ref.p, ref.p_len) == 0);
        cr_assert(memcmp(nm.p_start, ref.p_start, ref.p_len * sizeof *ref.p_start) == 0);
        cr_assert(memcmp(nm.p_end, ref.p_end, ref.p_len * sizeof *ref.p_end) == 0);
        cr_assert(memcmp(nm.n, ref.n, ref.n_len) == 0);
        cr_assert(memcmp(nm.n_start, ref.n_start, ref.n_len * sizeof *ref.n_start) == 0);
        cr_assert(memcmp(nm.n_end, ref.n_end, ref.n_len * sizeof *ref.n_end) == 0);
        cr_assert(memcmp(nm.n_run, ref.n_run, ref.n_len) == 0);
        cr_assert(memcmp(nm.n_flags, ref.n_flags, ref.n_len) == 0);
    } else {
        cr_assert_eq(bad_fast, bad_ref);
    }
    text_norm_release(&ref);
}

/* Random strings over an alphabet of everything the two paths treat
 * differently: l33t and mask characters, separators of split letters,
 * runs, accented and look-alike letters, typographic punctuation,
 * invisible and unassigned code points, broken UTF-8; long enough to
 * cross the sixteen-byte blocks of the plain path. */
Test(norm, plain_path_agrees_with_general_path) {
    /* the first PLAIN_PIECES fold to one ASCII byte per code point or are
     * symbols kept as their bytes (emoji, '€', '❤') */
    enum { PLAIN_PIECES = 53 };
    static const char *const alphabet[] = {
        "a",
        "e",
        "i",
        "o",
        "z",
        "c",
        "Z",
        "E",
        " ",
        "  ",
        ".",
        "-",
        "_",
        ",",
        "'",
        "?",
        "!",
        "0",
        "1",
        "3",
        "4",
        "5",
        "7",
        "@",
        "$",
        "*",
        "#",
        "\t",
        "\n",
        "\x01",
        "\x7f",
        "zz",
        "zzz",
        "è",
        "É",
        "à",
        "ì",
        "ò",
        "ù",
        "ÿ",
        "\xc2\xa0",
        "\xd0\xb0",
        "\xd1\x81",
        "\xce\xbf",
        "\xe2\x80\x99",
        "\xe2\x80\x94",
        "Città",
        "\xef\xbc\xa1",
        "\xf0\x9f\x98\x80",
        "\xf0\x9f\x91\x8f",
        "\xe2\x82\xac",
        "\xe2\x9d\xa4\xef\xb8\x8f",
        "\xc2\xa9",
        "\x02",
        "ß",
        "æ",
        "ø",
        "\xc2\xad",
        "\xe2\x80\x8b",
        "\xe2\x80\xa6",
        "\xc3",
        "\x80",
    };
    const size_t n_alpha = sizeof alphabet / sizeof alphabet[0];
    unsigned long seed = 42;
    char buf[512];
    for (int t = 0; t < 20000; t++) {
        size_t len = 0, pieces = 1 + (size_t)(t % 40);
        for (size_t k = 0; k < pieces; k++) {
            seed = seed * 6364136223846793005ul + 1442695040888963407ul;
            /* half the texts are plain, so that the plain path runs */
            const char *p = alphabet[(seed >> 33) % (t % 2 ? PLAIN_PIECES : n_alpha)];
            size_t l = strlen(p);
            if (len + l >= sizeof buf) break;
            memcpy(buf + len, p, l);
            len += l;
        }
        assert_paths_agree(buf, len);
    }
}

/* Every code point of the plain path's tables beyond U+0800 (symbols,
 * fullwidth forms, emoji), alone and next to words, split letters and
 * l33t, also where the sixteen-byte blocks of the plain path reach it. */
Test(norm, plain_path_agrees_on_its_table_ranges) {
    static const int32_t ranges[][2] = { { 0x2000, 0x2c00 },
                                         { 0xfe00, 0x10000 },
                                         { 0x1f000, 0x20000 } };
    static const char *const around[][2] = {
        { "", "" },
        { "ciao ", " bello" },
        { "c a z z o", "" },
        { "c4zz0", "1d10t4" },
        { "buongiorno a tutti voi", "ciao a tutti quanti" },
        { "x", "x" },
        { "e a ", " b c" },
    };
    char buf[128];
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++)
        for (int32_t cp = ranges[r][0]; cp < ranges[r][1]; cp++) {
            utf8proc_uint8_t enc[4];
            utf8proc_ssize_t w = utf8proc_encode_char(cp, enc);
            for (size_t k = 0; k < sizeof around / sizeof around[0]; k++) {
                int len = snprintf(buf, sizeof buf, "%s%.*s%s", around[k][0], (int)w,
                                   (const char *)enc, around[k][1]);
                assert_paths_agree(buf, (size_t)len);
            }
        }
}
