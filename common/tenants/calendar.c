#include "calendar.h"

#include "timefmt.h"

#include <stdio.h>
#include <string.h>

static const char *const weekday_keys[CAL_DAYS] = {
    "mon", "tue", "wed", "thu", "fri", "sat", "sun"
};

int cal_weekday_parse(const char *s) {
    for (int i = 0; i < CAL_DAYS; i++)
        if (strcmp(s, weekday_keys[i]) == 0) return i;
    return -1;
}

/* Reads exactly "HH:MM" at s; returns minutes since midnight or -1. Hours may be 24 only
 * with 00 minutes; the caller decides whether 24:00 is allowed where it stands. */
static int parse_hhmm(const char *s, char *err, size_t errlen) {
    for (int i = 0; i < 5; i++) {
        if (i == 2 ? s[i] != ':' : (s[i] < '0' || s[i] > '9')) {
            snprintf(err, errlen, "expected HH:MM-HH:MM");
            return -1;
        }
    }
    int h = (s[0] - '0') * 10 + (s[1] - '0');
    int m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59) {
        snprintf(err, errlen, "minutes %02d > 59 in %.5s", m, s);
        return -1;
    }
    if (h > 24 || (h == 24 && m != 0)) {
        snprintf(err, errlen, "hour %.5s is past 24:00", s);
        return -1;
    }
    return h * 60 + m;
}

int cal_interval_parse(const char *s, struct cal_interval *iv, char *err, size_t errlen) {
    if (strlen(s) != 11 || s[5] != '-') {
        snprintf(err, errlen, "expected HH:MM-HH:MM, got \"%s\"", s);
        return -1;
    }
    int start = parse_hhmm(s, err, errlen);
    if (start < 0) return -1;
    int end = parse_hhmm(s + 6, err, errlen);
    if (end < 0) return -1;
    if (start == CAL_MINUTES_PER_DAY) {
        snprintf(err, errlen, "start 24:00 is not a time of day");
        return -1;
    }
    if (end <= start) {
        snprintf(err, errlen, "end %.5s is not after start %.5s", s + 6, s);
        return -1;
    }
    iv->start = start;
    iv->end = end;
    return 0;
}

int cal_day_add(struct cal_day *day, struct cal_interval iv, char *err, size_t errlen) {
    int at = 0;
    while (at < day->n && day->iv[at].start < iv.start) at++;
    /* Touching intervals (9:00-12:00, 12:00-13:00) are allowed: end is exclusive. */
    const struct cal_interval *prev = at > 0 ? &day->iv[at - 1] : NULL;
    const struct cal_interval *next = at < day->n ? &day->iv[at] : NULL;
    const struct cal_interval *clash = prev && prev->end > iv.start   ? prev
                                       : next && next->start < iv.end ? next
                                                                      : NULL;
    if (clash) {
        snprintf(err, errlen, "%02d:%02d-%02d:%02d overlaps %02d:%02d-%02d:%02d", iv.start / 60,
                 iv.start % 60, iv.end / 60, iv.end % 60, clash->start / 60, clash->start % 60,
                 clash->end / 60, clash->end % 60);
        return -1;
    }
    if (day->n == CAL_MAX_INTERVALS) {
        snprintf(err, errlen, "more than %d intervals in a day", CAL_MAX_INTERVALS);
        return -1;
    }
    memmove(&day->iv[at + 1], &day->iv[at], (size_t)(day->n - at) * sizeof day->iv[0]);
    day->iv[at] = iv;
    day->n++;
    return 0;
}

static int all_digits(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

int cal_date_parse(const char *s, struct cal_date *d, char *err, size_t errlen) {
    size_t len = strlen(s);
    const char *md = s;
    int year = 0;
    if (len == 10 && all_digits(s, 4) && s[4] == '-') {
        year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        md = s + 5;
    } else if (len != 5) {
        snprintf(err, errlen, "expected MM-DD or YYYY-MM-DD, got \"%s\"", s);
        return -1;
    }
    if (!all_digits(md, 2) || md[2] != '-' || !all_digits(md + 3, 2)) {
        snprintf(err, errlen, "expected MM-DD or YYYY-MM-DD, got \"%s\"", s);
        return -1;
    }
    int month = (md[0] - '0') * 10 + (md[1] - '0');
    int day = (md[3] - '0') * 10 + (md[4] - '0');
    /* A recurring date is checked against a leap year, so 02-29 stays expressible. */
    if (month < 1 || month > 12 || day < 1 ||
        (unsigned)day > days_in_month(year ? year : 2000, (unsigned)month)) {
        snprintf(err, errlen, "no such date \"%s\"", s);
        return -1;
    }
    d->year = year;
    d->month = month;
    d->day = day;
    return 0;
}

enum cal_weekday cal_weekday_of(int year, int month, int day) {
    int64_t days = days_from_civil(year, (unsigned)month, (unsigned)day);
    /* 1970-01-01 was a Thursday. */
    int64_t wd = (days + CAL_THU) % 7;
    return (enum cal_weekday)(wd < 0 ? wd + 7 : wd);
}

void cal_easter(int year, int *month, int *day) {
    int a = year % 19, b = year / 100, c = year % 100;
    int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
    int h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4, k = c % 4;
    int l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    *month = (h + l - 7 * m + 114) / 31;
    *day = (h + l - 7 * m + 114) % 31 + 1;
}

struct fixed_holiday {
    int month, day, from_year;
    const char *name;
};

/* Law 260/1949 as amended; 2 June again since 2001; 4 October again from 2026. */
static const struct fixed_holiday fixed_holidays[] = {
    { 1, 1, 0, "Capodanno" },
    { 1, 6, 0, "Epifania" },
    { 4, 25, 0, "Festa della Liberazione" },
    { 5, 1, 0, "Festa del Lavoro" },
    { 6, 2, 0, "Festa della Repubblica" },
    { 8, 15, 0, "Ferragosto" },
    { 10, 4, 2026, "San Francesco d'Assisi" },
    { 11, 1, 0, "Ognissanti" },
    { 12, 8, 0, "Immacolata Concezione" },
    { 12, 25, 0, "Natale" },
    { 12, 26, 0, "Santo Stefano" },
};

const char *cal_national_holiday(int year, int month, int day) {
    for (size_t i = 0; i < sizeof fixed_holidays / sizeof fixed_holidays[0]; i++) {
        const struct fixed_holiday *f = &fixed_holidays[i];
        if (f->month == month && f->day == day && year >= f->from_year) return f->name;
    }
    int em, ed;
    cal_easter(year, &em, &ed);
    int64_t easter = days_from_civil(year, (unsigned)em, (unsigned)ed);
    int64_t today = days_from_civil(year, (unsigned)month, (unsigned)day);
    if (today == easter) return "Pasqua";
    if (today == easter + 1) return "Lunedì dell'Angelo";
    return NULL;
}

static int date_matches(const struct cal_date *d, int year, int month, int day) {
    return d->month == month && d->day == day && (d->year == 0 || d->year == year);
}

const char *cal_holiday(const struct cal_holidays *h, int year, int month, int day) {
    if (h->national) {
        const char *name = cal_national_holiday(year, month, day);
        if (name) return name;
    }
    if (h->has_patron && date_matches(&h->patron, year, month, day)) return h->patron.name;
    for (size_t i = 0; i < h->nclosures; i++)
        if (date_matches(&h->closures[i], year, month, day)) return h->closures[i].name;
    return NULL;
}

int cal_week_minutes(const struct cal_week *w) {
    int total = 0;
    for (int d = 0; d < CAL_DAYS; d++)
        for (int i = 0; i < w->day[d].n; i++) total += w->day[d].iv[i].end - w->day[d].iv[i].start;
    return total;
}
