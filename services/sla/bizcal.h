/* The business calendar: working-time arithmetic over one weekly schedule of a tenant
 * (moderation or office hours) and its holidays, in Europe/Rome time with daylight saving
 * (rome_time.h), independent of the process's time zone. calendar.h holds the data; this
 * module answers the three questions SLA deadlines need.
 *
 * Instants are milliseconds since the epoch (UTC). Open spans are the schedule's
 * intervals on every local day that is not a holiday; the search gives up after
 * BIZCAL_HORIZON_DAYS, so a schedule closed for ever yields BIZCAL_NEVER rather than a
 * loop without end. */
#ifndef VIGILE_BIZCAL_H
#define VIGILE_BIZCAL_H

#include <stdint.h>

#include "calendar.h"

#define BIZCAL_NEVER        INT64_MAX
#define BIZCAL_HORIZON_DAYS (5 * 366)

/* A schedule and the holidays that close it. Both borrowed from the tenant set. */
struct bizcal {
    const struct cal_week *week;
    const struct cal_holidays *holidays;
};

/* The moderation and office calendars of a tenant's calendar data. */
struct bizcal bizcal_moderation(const struct calendar *cal);
struct bizcal bizcal_office(const struct calendar *cal);

/* The first open instant at or after t (t itself when open), or BIZCAL_NEVER. */
int64_t bizcal_next_open(const struct bizcal *bc, int64_t t);

/* The instant at which `minutes` working minutes have passed since t, or BIZCAL_NEVER.
 * A deadline that uses up an interval exactly is its closing instant (16:59 plus one
 * minute on a 9:00-17:00 day is 17:00 that day, not 9:00 the next). minutes <= 0: t. */
int64_t bizcal_add_minutes(const struct bizcal *bc, int64_t t, int64_t minutes);

/* Working milliseconds in [from, to); 0 when to <= from. */
int64_t bizcal_working_ms(const struct bizcal *bc, int64_t from, int64_t to);

#endif
