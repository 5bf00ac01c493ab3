#include <criterion/criterion.h>

#include "timefmt.h"

Test(timefmt, parses_offsets_and_fractions) {
    int64_t a, b, c;
    cr_assert_eq(rfc3339_parse("2026-03-06T18:00:00+01:00", &a), 0);
    cr_assert_eq(rfc3339_parse("2026-03-06T17:00:00Z", &b), 0);
    cr_assert_eq(a, b);
    cr_assert_eq(rfc3339_parse("2026-03-06t17:00:00.25z", &c), 0);
    cr_assert_eq(c, b + 250);
    cr_assert_eq(b, 1772816400000LL);
}

Test(timefmt, rejects_what_is_not_rfc3339) {
    int64_t t;
    const char *bad[] = {
        "2026-02-30T10:00:00Z",  "2026-13-01T10:00:00Z",     "2026-03-06 17:00:00Z",
        "2026-03-06T17:00:00",   "2026-03-06T24:00:00Z",     "1772816400",
        "2026-03-06T17:00:00.Z", "2026-03-06T17:00:00+0100", ""
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_expect_eq(rfc3339_parse(bad[i], &t), -1, "accepted %s", bad[i]);
    cr_assert_eq(rfc3339_parse("2024-02-29T00:00:00Z", &t), 0); /* leap year */
}

Test(timefmt, formats_utc_with_millis_and_round_trips) {
    char buf[RFC3339_LEN];
    cr_assert_str_eq(rfc3339_format(1772816400250LL, buf), "2026-03-06T17:00:00.250Z");
    int64_t t;
    cr_assert_eq(rfc3339_parse(buf, &t), 0);
    cr_assert_eq(t, 1772816400250LL);
}
