/* Calendar data of a tenant: weekly schedules with minutes (moderation hours, office
 * hours) and holidays (Italian national ones computed, the patron day, extra closures).
 * This module holds the data and validates it; it knows nothing of JSON (tenant.c reads
 * the files) and does no working-time arithmetic (that is the SLA's business calendar).
 * Dates are civil dates in the tenant's time zone, Europe/Rome. */
#ifndef VIGILE_CALENDAR_H
#define VIGILE_CALENDAR_H

#include <stddef.h>

#define CAL_MINUTES_PER_DAY 1440
/* Intervals per weekday. Municipal schedules have one or two (morning, afternoon); eight
 * leaves room without making the struct a heap object. */
#define CAL_MAX_INTERVALS 8

enum cal_weekday { CAL_MON, CAL_TUE, CAL_WED, CAL_THU, CAL_FRI, CAL_SAT, CAL_SUN, CAL_DAYS };

/* Minutes since local midnight, start inclusive, end exclusive: 09:00-17:30 is 540..1050.
 * 0 <= start < end <= 1440 (24:00 closes the day). */
struct cal_interval {
    int start;
    int end;
};

struct cal_day {
    struct cal_interval iv[CAL_MAX_INTERVALS]; /* sorted by start, never overlapping */
    int n;
};

struct cal_week {
    struct cal_day day[CAL_DAYS];
};

/* A holiday: every year on month/day when year is 0, else once. The name is borrowed from
 * whoever built the calendar (the tenant set). */
struct cal_date {
    int year;
    int month;
    int day;
    const char *name;
};

struct cal_holidays {
    int national; /* 1: Italian national holidays apply */
    int has_patron;
    struct cal_date patron;          /* recurring (year 0) */
    const struct cal_date *closures; /* borrowed array of nclosures */
    size_t nclosures;
};

/* Everything a tenant's SLA timers need to know about its time. Plain data: it owns
 * nothing; the tenant set that filled it owns the strings and the closures array. */
struct calendar {
    const char *timezone;       /* "Europe/Rome" */
    struct cal_week moderation; /* when moderators look at the channels */
    struct cal_week office;     /* when offices work: response times count here */
    struct cal_holidays holidays;
};

/* Parses a weekday key, "mon".."sun". Returns the day, or -1. */
int cal_weekday_parse(const char *s);
/* Parses "HH:MM-HH:MM" (hours 0-24, minutes 0-59, end after start, 24:00 only as end).
 * Returns 0, or -1 with the problem in err ("end 08:00 is not after start 09:00"). */
int cal_interval_parse(const char *s, struct cal_interval *iv, char *err, size_t errlen);
/* Adds iv to day keeping it sorted. Returns 0, or -1 with err filled when it overlaps an
 * interval already there or the day is full. */
int cal_day_add(struct cal_day *day, struct cal_interval iv, char *err, size_t errlen);
/* Parses "MM-DD" (recurring, year 0) or "YYYY-MM-DD" into d, leaving d->name alone.
 * Returns 0, or -1 with err filled (including impossible dates such as 02-30; 02-29 is
 * accepted as recurring and simply absent in common years). */
int cal_date_parse(const char *s, struct cal_date *d, char *err, size_t errlen);

/* Day of the week of a civil date. */
enum cal_weekday cal_weekday_of(int year, int month, int day);
/* Easter Sunday of a Gregorian year (anonymous Gregorian algorithm). */
void cal_easter(int year, int *month, int *day);
/* Name of the Italian national holiday on that date ("Lunedì dell'Angelo"), or NULL.
 * Includes 4 October (San Francesco d'Assisi), a national holiday again from 2026. */
const char *cal_national_holiday(int year, int month, int day);
/* Name of the tenant's holiday on that date (national, patron, closure), or NULL. */
const char *cal_holiday(const struct cal_holidays *h, int year, int month, int day);
/* Total open minutes in a week: 0 means the schedule never opens, which a tenant must not
 * have (its timers would never fire). */
int cal_week_minutes(const struct cal_week *w);

#endif
