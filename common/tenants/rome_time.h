/* Europe/Rome civil time computed from the EU daylight-saving rule, so that SLA deadlines
 * do not depend on the process's TZ or on the tzdata installed in the container: summer
 * time (UTC+2) runs from the last Sunday of March at 01:00 UTC to the last Sunday of
 * October at 01:00 UTC, standard time (UTC+1) the rest of the year.
 *
 * A "local day" is a civil date in Rome written as days since 1970-01-01 (the numbering
 * of days_from_civil), so calendars can walk dates without struct tm. */
#ifndef VIGILE_ROME_TIME_H
#define VIGILE_ROME_TIME_H

#include <stdint.h>

#define ROME_MS_PER_MINUTE 60000LL
#define ROME_MS_PER_DAY    86400000LL

/* Offset of Rome from UTC at the instant, in minutes: 60 or 120. */
int rome_offset_minutes(int64_t utc_ms);

/* The local day holding the instant, and the minute of that day (0..1439) in *minute
 * when minute is not NULL. */
int64_t rome_day_of(int64_t utc_ms, int *minute);

/* The instant at which Rome's clocks read `minute` (0..1440; 1440 is the next day's
 * midnight) on local day `day`. A wall time read twice (the October night) maps to its
 * first occurrence; one skipped (the March night, 02:00-03:00) to the instant the clocks
 * jump, so an interval spanning the gap just loses the hour it never had. */
int64_t rome_to_utc(int64_t day, int minute);

/* Civil date of a local day. */
void rome_civil_from_day(int64_t day, int *year, int *month, int *mday);

/* Writes the instant as RFC 3339 with Rome's offset, to the second, as operators read it
 * ("2026-03-09T09:00:00+01:00"). buf must hold ROME_TIME_LEN bytes. Returns buf. */
#define ROME_TIME_LEN 26
char *rome_format(int64_t utc_ms, char *buf);

/* Writes the instant as Italians read it in a statement ("15/03/2026 alle 18:00", Rome
 * time). buf must hold ROME_ITALIAN_LEN bytes. Returns buf. */
#define ROME_ITALIAN_LEN 24
char *rome_format_italian(int64_t utc_ms, char *buf);

#endif
