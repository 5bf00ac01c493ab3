#include <criterion/criterion.h>
#include <string.h>

#include "pseudonym.h"

Test(pseudonym, stable_per_tenant_and_unlinkable_across_tenants) {
    char a[PSEUDONYM_LEN], b[PSEUDONYM_LEN], c[PSEUDONYM_LEN];
    pseudonym_make("k", 1, "lecce", "facebook", "5512345", a);
    pseudonym_make("k", 1, "lecce", "facebook", "5512345", b);
    pseudonym_make("k", 1, "arese", "facebook", "5512345", c);
    cr_assert_str_eq(a, b);
    cr_assert_str_neq(a, c);
    cr_assert_eq(strlen(a), PSEUDONYM_LEN - 1);
    cr_assert(strncmp(a, "p_", 2) == 0);
    cr_assert_null(strstr(a, "5512345"));
    pseudonym_make("other-key", 9, "lecce", "facebook", "5512345", c);
    cr_assert_str_neq(a, c);
}
