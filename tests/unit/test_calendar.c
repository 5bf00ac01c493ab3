/* Calendar data: schedule parsing and validation, Easter, Italian national holidays,
 * patron days and closures. */
#include <criterion/criterion.h>
#include <string.h>

#include "calendar.h"

Test(calendar, easter_sundays) {
    static const struct {
        int y, m, d;
    } cases[] = {
        { 2019, 4, 21 }, { 2024, 3, 31 }, { 2025, 4, 20 }, { 2026, 4, 5 },
        { 2027, 3, 28 }, { 2038, 4, 25 }, { 2285, 3, 22 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int m, d;
        cal_easter(cases[i].y, &m, &d);
        cr_expect(m == cases[i].m && d == cases[i].d, "Easter %d: got %d-%d", cases[i].y, m, d);
    }
}

Test(calendar, easter_monday_is_a_national_holiday) {
    cr_expect_str_eq(cal_national_holiday(2026, 4, 6), "Lunedì dell'Angelo");
    cr_expect_str_eq(cal_national_holiday(2025, 4, 21), "Lunedì dell'Angelo");
    cr_expect_str_eq(cal_national_holiday(2024, 4, 1), "Lunedì dell'Angelo");
    cr_expect_null(cal_national_holiday(2026, 4, 7));
}

Test(calendar, fixed_national_holidays) {
    static const int days[][2] = { { 1, 1 },  { 1, 6 },  { 4, 25 }, { 5, 1 },   { 6, 2 },
                                   { 8, 15 }, { 11, 1 }, { 12, 8 }, { 12, 25 }, { 12, 26 } };
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++)
        cr_expect_not_null(cal_national_holiday(2027, days[i][0], days[i][1]), "%02d-%02d",
                           days[i][0], days[i][1]);
    cr_expect_null(cal_national_holiday(2027, 3, 19), "San Giuseppe is not a holiday");
    cr_expect_null(cal_national_holiday(2027, 11, 2));
}

Test(calendar, four_october_from_2026) {
    cr_expect_null(cal_national_holiday(2025, 10, 4));
    cr_expect_str_eq(cal_national_holiday(2026, 10, 4), "San Francesco d'Assisi");
    cr_expect_not_null(cal_national_holiday(2030, 10, 4));
}

Test(calendar, weekday_of) {
    cr_expect_eq(cal_weekday_of(1970, 1, 1), CAL_THU);
    cr_expect_eq(cal_weekday_of(2026, 1, 1), CAL_THU);
    cr_expect_eq(cal_weekday_of(2026, 3, 27), CAL_FRI);
    cr_expect_eq(cal_weekday_of(2026, 4, 6), CAL_MON);
    cr_expect_eq(cal_weekday_of(1969, 12, 28), CAL_SUN);
}

Test(calendar, interval_parse) {
    struct cal_interval iv;
    char err[128];
    cr_assert_eq(cal_interval_parse("09:00-17:30", &iv, err, sizeof err), 0);
    cr_expect_eq(iv.start, 540);
    cr_expect_eq(iv.end, 1050);
    cr_assert_eq(cal_interval_parse("00:00-24:00", &iv, err, sizeof err), 0);
    cr_expect_eq(iv.end, CAL_MINUTES_PER_DAY);
}

Test(calendar, interval_parse_errors) {
    static const struct {
        const char *in, *err;
    } cases[] = {
        { "17:00-09:00", "end 09:00 is not after start 17:00" },
        { "09:00-09:00", "end 09:00 is not after start 09:00" },
        { "09:00-12:60", "minutes 60 > 59 in 12:60" },
        { "25:00-26:00", "hour 25:00 is past 24:00" },
        { "24:00-24:00", "start 24:00 is not a time of day" },
        { "9:00-12:00", "expected HH:MM-HH:MM, got \"9:00-12:00\"" },
        { "09.00-12.00", "expected HH:MM-HH:MM" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cal_interval iv;
        char err[128] = "";
        cr_expect_eq(cal_interval_parse(cases[i].in, &iv, err, sizeof err), -1, "%s", cases[i].in);
        cr_expect_str_eq(err, cases[i].err, "%s", cases[i].in);
    }
}

static struct cal_interval iv(int sh, int sm, int eh, int em) {
    return (struct cal_interval){ sh * 60 + sm, eh * 60 + em };
}

Test(calendar, day_keeps_intervals_sorted_and_apart) {
    struct cal_day day = { .n = 0 };
    char err[128];
    cr_assert_eq(cal_day_add(&day, iv(14, 0, 17, 30), err, sizeof err), 0);
    cr_assert_eq(cal_day_add(&day, iv(9, 0, 12, 0), err, sizeof err), 0);
    cr_assert_eq(cal_day_add(&day, iv(12, 0, 13, 0), err, sizeof err), 0, "touching is fine");
    cr_expect_eq(day.n, 3);
    cr_expect_eq(day.iv[0].start, 540);
    cr_expect_eq(day.iv[1].start, 720);
    cr_expect_eq(day.iv[2].start, 840);
    cr_expect_eq(cal_day_add(&day, iv(12, 30, 14, 30), err, sizeof err), -1);
    cr_expect_str_eq(err, "12:30-14:30 overlaps 12:00-13:00");
    cr_expect_eq(cal_day_add(&day, iv(8, 0, 18, 0), err, sizeof err), -1);
    cr_expect_eq(day.n, 3);
}

Test(calendar, date_parse) {
    struct cal_date d;
    char err[128];
    cr_assert_eq(cal_date_parse("08-26", &d, err, sizeof err), 0);
    cr_expect(d.year == 0 && d.month == 8 && d.day == 26);
    cr_assert_eq(cal_date_parse("2026-12-24", &d, err, sizeof err), 0);
    cr_expect(d.year == 2026 && d.month == 12 && d.day == 24);
    cr_expect_eq(cal_date_parse("02-29", &d, err, sizeof err), 0, "recurring leap day");
    cr_expect_eq(cal_date_parse("2024-02-29", &d, err, sizeof err), 0);
    cr_expect_eq(cal_date_parse("2026-02-29", &d, err, sizeof err), -1);
    cr_expect_str_eq(err, "no such date \"2026-02-29\"");
    cr_expect_eq(cal_date_parse("02-30", &d, err, sizeof err), -1);
    cr_expect_eq(cal_date_parse("13-01", &d, err, sizeof err), -1);
    cr_expect_eq(cal_date_parse("26/08", &d, err, sizeof err), -1);
}

Test(calendar, tenant_holidays) {
    static const struct cal_date closures[] = { { 2026, 12, 24, "Vigilia (chiusura)" },
                                                { 0, 8, 14, "Chiusura estiva" } };
    struct cal_holidays h = { .national = 1,
                              .has_patron = 1,
                              .patron = { 0, 8, 26, "Sant'Oronzo" },
                              .closures = closures,
                              .nclosures = 2 };
    cr_expect_str_eq(cal_holiday(&h, 2026, 8, 26), "Sant'Oronzo");
    cr_expect_str_eq(cal_holiday(&h, 2026, 12, 24), "Vigilia (chiusura)");
    cr_expect_null(cal_holiday(&h, 2027, 12, 24), "a dated closure is once");
    cr_expect_str_eq(cal_holiday(&h, 2031, 8, 14), "Chiusura estiva");
    cr_expect_str_eq(cal_holiday(&h, 2026, 4, 6), "Lunedì dell'Angelo");
    cr_expect_null(cal_holiday(&h, 2026, 8, 27));
    h.national = 0;
    cr_expect_null(cal_holiday(&h, 2026, 4, 6));
}

Test(calendar, week_minutes) {
    struct cal_week w;
    memset(&w, 0, sizeof w);
    cr_expect_eq(cal_week_minutes(&w), 0);
    char err[128];
    for (int d = CAL_MON; d <= CAL_FRI; d++)
        cal_day_add(&w.day[d], iv(9, 0, 17, 30), err, sizeof err);
    cr_expect_eq(cal_week_minutes(&w), 5 * 510);
    cr_expect_eq(cal_weekday_parse("sat"), CAL_SAT);
    cr_expect_eq(cal_weekday_parse("lun"), -1);
}
