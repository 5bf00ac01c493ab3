/* The business calendar and Europe/Rome time: weekends, national holidays, Easter Monday,
 * the five towns' patron days, both daylight-saving nights, closing times. Instants are
 * written in RFC 3339 with the offset Rome has at that moment. */
#include <criterion/criterion.h>
#include <string.h>

#include "bizcal.h"
#include "rome_time.h"
#include "tenant.h"
#include "timefmt.h"

static int64_t at(const char *s) {
    int64_t ms;
    cr_assert_eq(rfc3339_parse(s, &ms), 0, "bad instant in test: %s", s);
    return ms;
}

/* A week open on the days flagged in mask (bit 0 Monday) with one interval. */
static struct cal_week week_of(const char *interval, unsigned mask) {
    struct cal_week w;
    memset(&w, 0, sizeof w);
    char err[128];
    struct cal_interval iv;
    cr_assert_eq(cal_interval_parse(interval, &iv, err, sizeof err), 0, "%s", err);
    for (int d = 0; d < CAL_DAYS; d++)
        if (mask & (1u << d)) cr_assert_eq(cal_day_add(&w.day[d], iv, err, sizeof err), 0);
    return w;
}

#define WEEKDAYS  0x1fu
#define EVERY_DAY 0x7fu

static const struct cal_holidays national = { .national = 1 };
static const struct cal_holidays none = { 0 };

static void expect_instant(int64_t got, const char *want, const char *what) {
    char buf[ROME_TIME_LEN];
    cr_expect_eq(got, at(want), "%s: got %s, want %s", what,
                 got == BIZCAL_NEVER ? "never" : rome_format(got, buf), want);
}

Test(rome_time, offsets_around_both_changes) {
    static const struct {
        const char *utc;
        int offset;
    } cases[] = {
        { "2026-03-29T00:59:59Z", 60 },  { "2026-03-29T01:00:00Z", 120 },
        { "2026-10-25T00:59:59Z", 120 }, { "2026-10-25T01:00:00Z", 60 },
        { "2027-03-28T01:00:00Z", 120 }, { "2027-10-31T00:30:00Z", 120 },
        { "2026-01-15T12:00:00Z", 60 },  { "2026-07-15T12:00:00Z", 120 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_expect_eq(rome_offset_minutes(at(cases[i].utc)), cases[i].offset, "%s", cases[i].utc);
}

Test(rome_time, wall_times_skipped_and_repeated) {
    int64_t spring = days_from_civil(2026, 3, 29), autumn = days_from_civil(2026, 10, 25);
    cr_expect_eq(rome_to_utc(spring, 150), at("2026-03-29T01:00:00Z"), "02:30 never happened");
    cr_expect_eq(rome_to_utc(spring, 180), at("2026-03-29T01:00:00Z"), "03:00 CEST");
    cr_expect_eq(rome_to_utc(autumn, 150), at("2026-10-25T00:30:00Z"), "first 02:30");
    cr_expect_eq(rome_to_utc(autumn, 1440), at("2026-10-25T23:00:00Z"), "midnight CET");
    char buf[ROME_TIME_LEN];
    cr_expect_str_eq(rome_format(at("2026-10-25T01:30:00Z"), buf), "2026-10-25T02:30:00+01:00");
    cr_expect_str_eq(rome_format(at("2026-03-09T08:00:00Z"), buf), "2026-03-09T09:00:00+01:00");
}

/* Lecce: moderation Monday to Friday, 9:00-17:30. */
Test(bizcal, next_open_over_weekends_and_closing) {
    struct cal_week w = week_of("09:00-17:30", WEEKDAYS);
    struct bizcal bc = { &w, &national };
    static const struct {
        const char *from, *want;
    } cases[] = {
        { "2026-03-06T18:00:00+01:00", "2026-03-09T09:00:00+01:00" }, /* Friday evening */
        { "2026-03-07T11:00:00+01:00", "2026-03-09T09:00:00+01:00" }, /* Saturday */
        { "2026-03-08T23:59:00+01:00", "2026-03-09T09:00:00+01:00" }, /* Sunday night */
        { "2026-03-09T03:00:00+01:00", "2026-03-09T09:00:00+01:00" }, /* Monday night */
        { "2026-03-10T10:00:00+01:00", "2026-03-10T10:00:00+01:00" }, /* open: itself */
        { "2026-03-10T17:29:00+01:00", "2026-03-10T17:29:00+01:00" },
        { "2026-03-10T17:30:00+01:00", "2026-03-11T09:00:00+01:00" }, /* 17:30 is closed */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_instant(bizcal_next_open(&bc, at(cases[i].from)), cases[i].want, cases[i].from);
}

Test(bizcal, every_national_holiday_is_closed) {
    struct cal_week w = week_of("09:00-17:00", EVERY_DAY);
    struct bizcal bc = { &w, &national };
    static const struct {
        const char *from, *want;
    } cases[] = {
        { "2026-01-01T10:00:00+01:00", "2026-01-02T09:00:00+01:00" },
        { "2026-01-06T10:00:00+01:00", "2026-01-07T09:00:00+01:00" },
        { "2026-04-05T10:00:00+02:00", "2026-04-07T09:00:00+02:00" }, /* Easter + Monday */
        { "2026-04-25T10:00:00+02:00", "2026-04-26T09:00:00+02:00" },
        { "2026-05-01T10:00:00+02:00", "2026-05-02T09:00:00+02:00" },
        { "2026-06-02T10:00:00+02:00", "2026-06-03T09:00:00+02:00" },
        { "2026-08-15T10:00:00+02:00", "2026-08-16T09:00:00+02:00" },
        { "2026-10-04T10:00:00+02:00", "2026-10-05T09:00:00+02:00" }, /* from 2026 */
        { "2025-10-04T10:00:00+02:00", "2025-10-04T10:00:00+02:00" }, /* not yet in 2025 */
        { "2026-11-01T10:00:00+01:00", "2026-11-02T09:00:00+01:00" },
        { "2026-12-08T10:00:00+01:00", "2026-12-09T09:00:00+01:00" },
        { "2026-12-25T10:00:00+01:00", "2026-12-27T09:00:00+01:00" }, /* and Santo Stefano */
        { "2026-12-26T10:00:00+01:00", "2026-12-27T09:00:00+01:00" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_instant(bizcal_next_open(&bc, at(cases[i].from)), cases[i].want, cases[i].from);
}

Test(bizcal, easter_monday_over_the_years) {
    struct cal_week w = week_of("09:00-17:30", WEEKDAYS);
    struct bizcal bc = { &w, &national };
    /* Friday evening before Easter: Monday is Lunedì dell'Angelo, so Tuesday. */
    static const struct {
        const char *from, *want;
    } cases[] = {
        { "2024-03-29T18:00:00+01:00", "2024-04-02T09:00:00+02:00" }, /* Monday Apr 1 */
        { "2025-04-18T18:00:00+02:00", "2025-04-22T09:00:00+02:00" }, /* Monday Apr 21 */
        { "2026-04-03T18:00:00+02:00", "2026-04-07T09:00:00+02:00" }, /* Monday Apr 6 */
        { "2027-03-26T18:00:00+01:00", "2027-03-30T09:00:00+02:00" }, /* Monday Mar 29 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_instant(bizcal_next_open(&bc, at(cases[i].from)), cases[i].want, cases[i].from);
}

Test(bizcal, patron_days_of_the_five_towns) {
    char err[4096];
    struct tenant_set *set = tenant_set_load(SOURCE_DIR "/config", err, sizeof err);
    cr_assert_not_null(set, "%s", err);
    /* A working day that is the patron's: taken in charge the next working day. */
    static const struct {
        const char *tenant, *from, *want;
    } cases[] = {
        { "lecce", "2026-08-26T10:00:00+02:00", "2026-08-27T09:00:00+02:00" },
        { "alessandria", "2026-11-10T10:00:00+01:00", "2026-11-11T09:00:00+01:00" },
        { "arese", "2026-06-29T10:00:00+02:00", "2026-06-30T09:00:00+02:00" },
        { "cassino", "2025-03-21T10:00:00+01:00", "2025-03-24T09:00:00+01:00" },
        { "tradate", "2025-12-26T15:00:00+01:00", "2025-12-29T14:00:00+01:00" },
        /* the day before is an ordinary working day */
        { "lecce", "2026-08-25T10:00:00+02:00", "2026-08-25T10:00:00+02:00" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct tenant *t = tenant_set_find(set, cases[i].tenant);
        cr_assert_not_null(t, "%s", cases[i].tenant);
        struct bizcal bc = bizcal_moderation(tenant_calendar(t));
        expect_instant(bizcal_next_open(&bc, at(cases[i].from)), cases[i].want, cases[i].tenant);
    }
    tenant_set_free(set);
}

Test(bizcal, add_minutes_at_closing_time) {
    struct cal_week w = week_of("09:00-17:00", WEEKDAYS);
    struct bizcal bc = { &w, &national };
    static const struct {
        const char *from;
        int minutes;
        const char *want;
    } cases[] = {
        { "2026-03-09T16:59:00+01:00", 1, "2026-03-09T17:00:00+01:00" }, /* one minute left */
        { "2026-03-09T16:59:00+01:00", 2, "2026-03-10T09:01:00+01:00" },
        { "2026-03-06T16:59:00+01:00", 2, "2026-03-09T09:01:00+01:00" }, /* over a weekend */
        { "2026-03-07T12:00:00+01:00", 60, "2026-03-09T10:00:00+01:00" },
        { "2026-03-09T10:00:00+01:00", 0, "2026-03-09T10:00:00+01:00" },
        { "2026-03-09T09:00:00+01:00", 8 * 60, "2026-03-09T17:00:00+01:00" },
        { "2026-03-09T09:00:00+01:00", 24 * 60, "2026-03-11T17:00:00+01:00" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_instant(bizcal_add_minutes(&bc, at(cases[i].from), cases[i].minutes), cases[i].want,
                       cases[i].from);
}

/* Tradate: 24 working hours at three a day, from Monday 14:00, end on the 8th day. */
Test(bizcal, tradate_24_working_hours) {
    struct cal_week w = week_of("14:00-17:00", WEEKDAYS);
    struct bizcal bc = { &w, &national };
    expect_instant(bizcal_add_minutes(&bc, at("2026-03-09T14:00:00+01:00"), 24 * 60),
                   "2026-03-18T17:00:00+01:00", "24 h");
    cr_expect_eq(
        bizcal_working_ms(&bc, at("2026-03-09T14:00:00+01:00"), at("2026-03-18T17:00:00+01:00")),
        24LL * 3600 * 1000);
}

Test(bizcal, daylight_saving_nights) {
    struct cal_week all = week_of("00:00-24:00", EVERY_DAY);
    struct bizcal bc = { &all, &none };
    /* The March night has 23 hours, the October night 25. */
    cr_expect_eq(
        bizcal_working_ms(&bc, at("2026-03-28T12:00:00+01:00"), at("2026-03-30T12:00:00+02:00")),
        47LL * 3600 * 1000);
    cr_expect_eq(
        bizcal_working_ms(&bc, at("2026-10-24T12:00:00+02:00"), at("2026-10-26T12:00:00+01:00")),
        49LL * 3600 * 1000);
    expect_instant(bizcal_add_minutes(&bc, at("2026-03-28T23:00:00+01:00"), 180),
                   "2026-03-29T03:00:00+02:00", "spring");
    expect_instant(bizcal_add_minutes(&bc, at("2026-10-24T23:00:00+02:00"), 240),
                   "2026-10-25T02:00:00+01:00", "autumn");
    /* Office hours across the change: Friday 17:00 CET plus an hour is Monday 09:30 CEST. */
    struct cal_week office = week_of("09:00-17:30", WEEKDAYS);
    struct bizcal obc = { &office, &national };
    expect_instant(bizcal_add_minutes(&obc, at("2026-03-27T17:00:00+01:00"), 60),
                   "2026-03-30T09:30:00+02:00", "office in spring");
    expect_instant(bizcal_add_minutes(&obc, at("2026-10-23T17:00:00+02:00"), 60),
                   "2026-10-26T09:30:00+01:00", "office in autumn");
}

Test(bizcal, working_time_between) {
    struct cal_week w = week_of("09:00-17:30", WEEKDAYS);
    struct bizcal bc = { &w, &national };
    cr_expect_eq(
        bizcal_working_ms(&bc, at("2026-03-06T16:00:00+01:00"), at("2026-03-09T10:00:00+01:00")),
        150LL * 60000);
    cr_expect_eq(
        bizcal_working_ms(&bc, at("2026-03-07T10:00:00+01:00"), at("2026-03-08T10:00:00+01:00")),
        0);
    cr_expect_eq(
        bizcal_working_ms(&bc, at("2026-03-10T10:00:00+01:00"), at("2026-03-09T10:00:00+01:00")), 0,
        "to before from");
    /* Easter Monday 2026 counts nothing. */
    cr_expect_eq(
        bizcal_working_ms(&bc, at("2026-04-03T17:00:00+02:00"), at("2026-04-07T09:30:00+02:00")),
        60LL * 60000);
}

Test(bizcal, closed_for_ever_is_never) {
    struct cal_week w;
    memset(&w, 0, sizeof w);
    struct bizcal bc = { &w, &national };
    cr_expect_eq(bizcal_next_open(&bc, at("2026-03-09T10:00:00+01:00")), BIZCAL_NEVER);
    cr_expect_eq(bizcal_add_minutes(&bc, at("2026-03-09T10:00:00+01:00"), 1), BIZCAL_NEVER);
}
