#include "rome_time.h"

#include <stdio.h>

#include "timefmt.h"

#define MS_PER_HOUR 3600000LL

/* Floor division: instants before 1970 must land on the day before, not after. */
static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* 01:00 UTC on the last Sunday of the month (March or October) of year. */
static int64_t last_sunday_0100(int64_t year, unsigned month) {
    int64_t last = days_from_civil(year, month, 31);
    /* 1970-01-01 was a Thursday: (day + 4) mod 7 is 0 on Sundays. */
    int64_t back = (last + 4) % 7;
    if (back < 0) back += 7;
    return (last - back) * ROME_MS_PER_DAY + MS_PER_HOUR;
}

void rome_civil_from_day(int64_t day, int *year, int *month, int *mday) {
    /* Howard Hinnant's civil_from_days, the inverse of days_from_civil. */
    int64_t z = day + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)(yoe + era * 400 + (m <= 2));
    *month = (int)m;
    *mday = (int)d;
}

int rome_offset_minutes(int64_t utc_ms) {
    int y, m, d;
    rome_civil_from_day(floor_div(utc_ms, ROME_MS_PER_DAY), &y, &m, &d);
    int summer = utc_ms >= last_sunday_0100(y, 3) && utc_ms < last_sunday_0100(y, 10);
    return summer ? 120 : 60;
}

int64_t rome_day_of(int64_t utc_ms, int *minute) {
    int64_t local = utc_ms + rome_offset_minutes(utc_ms) * ROME_MS_PER_MINUTE;
    int64_t day = floor_div(local, ROME_MS_PER_DAY);
    if (minute) *minute = (int)((local - day * ROME_MS_PER_DAY) / ROME_MS_PER_MINUTE);
    return day;
}

int64_t rome_to_utc(int64_t day, int minute) {
    int64_t wall = day * ROME_MS_PER_DAY + minute * ROME_MS_PER_MINUTE;
    int64_t summer = wall - 2 * MS_PER_HOUR, winter = wall - MS_PER_HOUR;
    /* The summer reading is the earlier one, so it wins when both are valid. */
    if (rome_offset_minutes(summer) == 120) return summer;
    if (rome_offset_minutes(winter) == 60) return winter;
    /* Neither: the wall time was skipped. The jump happens at 01:00 UTC of that day. */
    return day * ROME_MS_PER_DAY + MS_PER_HOUR;
}

char *rome_format(int64_t utc_ms, char *buf) {
    int minute, y, m, d;
    int off = rome_offset_minutes(utc_ms);
    int64_t day = rome_day_of(utc_ms, &minute);
    rome_civil_from_day(day, &y, &m, &d);
    int64_t ms_in_minute = utc_ms - floor_div(utc_ms, ROME_MS_PER_MINUTE) * ROME_MS_PER_MINUTE;
    /* Unsigned and bounded, so the compiler sees the text always fits (years 0-9999). */
    snprintf(buf, ROME_TIME_LEN, "%04u-%02u-%02uT%02u:%02u:%02u+%02u:00", (unsigned)y % 10000u,
             (unsigned)m % 100u, (unsigned)d % 100u, (unsigned)minute / 60u % 100u,
             (unsigned)minute % 60u, (unsigned)(ms_in_minute / 1000) % 100u,
             (unsigned)off / 60u % 10u);
    return buf;
}

char *rome_format_italian(int64_t utc_ms, char *buf) {
    int minute, y, m, d;
    rome_civil_from_day(rome_day_of(utc_ms, &minute), &y, &m, &d);
    snprintf(buf, ROME_ITALIAN_LEN, "%02u/%02u/%04u alle %02u:%02u", (unsigned)d % 100u,
             (unsigned)m % 100u, (unsigned)y % 10000u, (unsigned)minute / 60u % 100u,
             (unsigned)minute % 60u);
    return buf;
}
