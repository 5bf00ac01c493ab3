/* text_ac: Aho-Corasick automaton. */
#include "text_ac.h"

#include <criterion/criterion.h>
#include <string.h>

struct hits {
    uint32_t v[16];
    size_t end[16];
    int n;
};

static void on_hit(void *ctx, uint32_t value, size_t end) {
    struct hits *h = ctx;
    if (h->n < 16) {
        h->v[h->n] = value;
        h->end[h->n++] = end;
    }
}

Test(ac, finds_overlapping_patterns) {
    struct text_ac *ac = text_ac_new();
    cr_assert_eq(text_ac_add(ac, "he", 2, 1), 0);
    cr_assert_eq(text_ac_add(ac, "she", 3, 2), 0);
    cr_assert_eq(text_ac_add(ac, "hers", 4, 3), 0);
    cr_assert_eq(text_ac_add(ac, "x-y", 3, 4), -1); /* outside the alphabet */
    text_ac_build(ac);
    struct hits h = { 0 };
    text_ac_scan(ac, "ushers", 6, on_hit, &h);
    cr_assert_eq(h.n, 3);
    cr_assert_eq(h.v[0], 2);
    cr_assert_eq(h.end[0], 4);
    cr_assert_eq(h.v[1], 1);
    cr_assert_eq(h.v[2], 3);
    cr_assert_eq(h.end[2], 6);
    cr_assert_eq(text_ac_size(ac), 3);
    text_ac_free(ac);
}

Test(ac, other_bytes_reset) {
    struct text_ac *ac = text_ac_new();
    text_ac_add(ac, "ab", 2, 7);
    text_ac_build(ac);
    struct hits h = { 0 };
    text_ac_scan(ac, "a*b ab", 6, on_hit, &h);
    cr_assert_eq(h.n, 1);
    cr_assert_eq(h.end[0], 6);
    text_ac_free(ac);
}
