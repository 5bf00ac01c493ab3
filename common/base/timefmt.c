#include "timefmt.h"

#include <stdio.h>
#include <time.h>

/* Howard Hinnant's days_from_civil: exact for every proleptic Gregorian date and
 * independent of the process's time zone, unlike mktime. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

unsigned days_in_month(int64_t y, unsigned m) {
    static const unsigned dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + (unsigned)leap : dm[m - 1];
}

/* Reads exactly n digits; returns -1 if any is not a digit. */
static int read_digits(const char **p, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9') return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int expect(const char **p, char a, char b) {
    if (**p != a && **p != b) return -1;
    (*p)++;
    return 0;
}

int rfc3339_parse(const char *s, int64_t *ms) {
    const char *p = s;
    int Y, M, D, h, m, sec, frac_ms = 0;
    if (read_digits(&p, 4, &Y) || expect(&p, '-', '-') || read_digits(&p, 2, &M) ||
        expect(&p, '-', '-') || read_digits(&p, 2, &D) || expect(&p, 'T', 't') ||
        read_digits(&p, 2, &h) || expect(&p, ':', ':') || read_digits(&p, 2, &m) ||
        expect(&p, ':', ':') || read_digits(&p, 2, &sec))
        return -1;
    if (M < 1 || M > 12 || D < 1 || (unsigned)D > days_in_month(Y, (unsigned)M) || h > 23 ||
        m > 59 || sec > 60)
        return -1;
    if (sec == 60) sec = 59; /* a leap second is not representable in epoch time */
    if (*p == '.') {
        p++;
        int digits = 0;
        while (*p >= '0' && *p <= '9') {
            if (digits < 3) frac_ms = frac_ms * 10 + (*p - '0');
            digits++;
            p++;
        }
        if (digits == 0) return -1;
        for (; digits < 3; digits++) frac_ms *= 10;
    }
    int offset_min = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om;
        p++;
        if (read_digits(&p, 2, &oh) || expect(&p, ':', ':') || read_digits(&p, 2, &om) || oh > 23 ||
            om > 59)
            return -1;
        offset_min = sign * (oh * 60 + om);
    } else {
        return -1;
    }
    if (*p != '\0') return -1;
    int64_t days = days_from_civil(Y, (unsigned)M, (unsigned)D);
    int64_t secs = days * 86400 + h * 3600 + m * 60 + sec - (int64_t)offset_min * 60;
    *ms = secs * 1000 + frac_ms;
    return 0;
}

char *rfc3339_format(int64_t ms, char *buf) {
    int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    int millis = (int)(ms - secs * 1000);
    time_t t = (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    /* struct tm fields are plain ints, so the compiler cannot see they fit RFC3339_LEN;
     * the cast ranges tell it. */
    snprintf(buf, RFC3339_LEN, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ",
             (unsigned)(tm.tm_year + 1900) % 10000u, (unsigned char)(tm.tm_mon + 1),
             (unsigned char)tm.tm_mday, (unsigned char)tm.tm_hour, (unsigned char)tm.tm_min,
             (unsigned char)tm.tm_sec, (unsigned)millis % 1000u);
    return buf;
}

int64_t time_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
