/* RFC 3339 timestamps, the only time format on Vigile's topics. Instants are carried as
 * milliseconds since the Unix epoch (int64), which is what Redis scores and Kafka use. */
#ifndef VIGILE_TIMEFMT_H
#define VIGILE_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* Parses "2026-03-01T18:00:00Z", "2026-03-01T18:00:00.250+01:00" (T or t, Z or z,
 * fraction of any length, seconds up to 60 read as 59). Returns 0 and the instant in
 * *ms, or -1 when s is not RFC 3339 (including impossible dates such as 02-30). */
int rfc3339_parse(const char *s, int64_t *ms);

/* Writes the instant as UTC with milliseconds ("2026-03-01T17:00:00.000Z") into buf,
 * which must hold RFC3339_LEN bytes. Returns buf. */
#define RFC3339_LEN 32
char *rfc3339_format(int64_t ms, char *buf);

/* Current time in milliseconds since the epoch (CLOCK_REALTIME). */
int64_t time_now_ms(void);
/* Monotonic milliseconds, for timeouts and rates. */
int64_t time_mono_ms(void);

/* Days since 1970-01-01 of a proleptic Gregorian date; month 1..12. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
/* Number of days in month m of year y. */
unsigned days_in_month(int64_t y, unsigned m);

#endif
