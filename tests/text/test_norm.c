/* text_norm: normalization and mapping of spans back to the original bytes. */
#include "text_norm.h"

#include <criterion/criterion.h>
#include <string.h>

static struct text_norm nm;

static void norm(const char *s)
{
    size_t bad;
    cr_assert_eq(text_norm_build(&nm, s, strlen(s), &bad), 0, "\"%s\" rejected at %zu", s, bad);
}

static void fini(void) { text_norm_release(&nm); }

TestSuite(norm, .fini = fini);

Test(norm, folds_case_accents_and_compat)
{
    norm("PERCHÉ Città ｃａｚｚｏ");
    cr_assert_str_eq(nm.p, "perche citta cazzo");
}

Test(norm, leet_only_inside_words)
{
    norm("c4zz0 m3rd4 2024 100euro $tronzo");
    cr_assert_str_eq(nm.p, "cazzo merda 2024 100euro stronzo");
}

Test(norm, emphasis_runs)
{
    norm("cazzzzzo ammazzooo anno");
    cr_assert_str_eq(nm.p, "cazo ammazzo anno");  /* pattern view: 3+ becomes one */
    cr_assert_str_eq(nm.n, "cazo amazo ano");      /* lexicon view: runs kept apart */
    cr_assert_eq(nm.n_run[2], 5);                  /* the z run */
    cr_assert_eq(nm.n_run[12], 2);                 /* "anno": nn */
}

Test(norm, split_letters_joined)
{
    norm("c a z z o, i.d.i.o.t.a, c-4-z-z-0 ma e a no");
    cr_assert_str_eq(nm.p, "cazzo, idiota, cazzo ma e a no");
}

Test(norm, masks_and_hashtags)
{
    norm("st*onzo #hashtag");
    cr_assert_str_eq(nm.n, "st*onzo hashtag");
    cr_assert(nm.n_has_mask);
}

Test(norm, homoglyphs)
{
    norm("\xd1\x81\xd0\xb0zzo");   /* Cyrillic с and а */
    cr_assert_str_eq(nm.n, "cazo");
    cr_assert(nm.n_flags[0] & TEXT_NORM_OBFUSCATED);
}

Test(norm, spans_map_to_original_bytes)
{
    const char *s = "Là   c 4 z z o!";
    norm(s);
    const char *hit = strstr(nm.p, "cazzo");
    cr_assert_not_null(hit);
    size_t i = (size_t)(hit - nm.p);
    cr_assert_eq(nm.p_start[i], 6);                /* the 'c' */
    cr_assert_eq(nm.p_end[i + 4], 15);             /* one past the 'o' */
    cr_assert_eq(nm.p_start[0], 0);
    cr_assert_eq(nm.p_end[1], 3);                  /* 'à' is two bytes */
}

Test(norm, zero_width_dropped)
{
    norm("caz\xe2\x80\x8bzo");
    cr_assert_str_eq(nm.p, "cazzo");
}

Test(norm, invalid_utf8_rejected_with_offset)
{
    size_t bad = 0;
    cr_assert_eq(text_norm_build(&nm, "ok \xc3\x28 no", 8, &bad), -1);
    cr_assert_eq(bad, 3);
    cr_assert_eq(nm.p_len, 0);
}
