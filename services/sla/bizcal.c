#include "bizcal.h"

#include "rome_time.h"

struct bizcal bizcal_moderation(const struct calendar *cal) {
    return (struct bizcal){ &cal->moderation, &cal->holidays };
}

struct bizcal bizcal_office(const struct calendar *cal) {
    return (struct bizcal){ &cal->office, &cal->holidays };
}

/* Walks the open spans [start, end) in time order, one local day after the other, from
 * the local day of an instant. The three operations below are folds over this walk. */
struct span_walk {
    const struct bizcal *bc;
    int64_t day;                 /* local day being walked */
    const struct cal_day *today; /* its schedule, NULL on a holiday */
    int next;                    /* next interval of today */
    int days_left;
};

static const struct cal_day *schedule_of(const struct bizcal *bc, int64_t day) {
    int y, m, d;
    rome_civil_from_day(day, &y, &m, &d);
    if (cal_holiday(bc->holidays, y, m, d)) return NULL;
    /* 1970-01-01 (day 0) was a Thursday; CAL_MON is 0. */
    int64_t wd = (day + CAL_THU) % 7;
    return &bc->week->day[wd < 0 ? wd + 7 : wd];
}

static void walk_start(struct span_walk *w, const struct bizcal *bc, int64_t t) {
    w->bc = bc;
    w->day = rome_day_of(t, NULL);
    w->today = schedule_of(bc, w->day);
    w->next = 0;
    w->days_left = BIZCAL_HORIZON_DAYS;
}

/* The next open span. Returns 0, or -1 past the horizon. */
static int walk_next(struct span_walk *w, int64_t *start, int64_t *end) {
    while (w->days_left > 0) {
        if (w->today && w->next < w->today->n) {
            const struct cal_interval *iv = &w->today->iv[w->next++];
            *start = rome_to_utc(w->day, iv->start);
            *end = rome_to_utc(w->day, iv->end);
            if (*end > *start) return 0; /* empty only inside the skipped March hour */
            continue;
        }
        w->day++;
        w->days_left--;
        w->today = schedule_of(w->bc, w->day);
        w->next = 0;
    }
    return -1;
}

int64_t bizcal_next_open(const struct bizcal *bc, int64_t t) {
    struct span_walk w;
    int64_t s, e;
    walk_start(&w, bc, t);
    while (walk_next(&w, &s, &e) == 0)
        if (e > t) return s > t ? s : t;
    return BIZCAL_NEVER;
}

int64_t bizcal_add_minutes(const struct bizcal *bc, int64_t t, int64_t minutes) {
    if (minutes <= 0) return t;
    int64_t left = minutes * ROME_MS_PER_MINUTE;
    struct span_walk w;
    int64_t s, e;
    walk_start(&w, bc, t);
    while (walk_next(&w, &s, &e) == 0) {
        if (e <= t) continue;
        int64_t from = s > t ? s : t;
        if (left <= e - from) return from + left;
        left -= e - from;
    }
    return BIZCAL_NEVER;
}

int64_t bizcal_working_ms(const struct bizcal *bc, int64_t from, int64_t to) {
    int64_t total = 0, s, e;
    struct span_walk w;
    walk_start(&w, bc, from);
    while (from < to && walk_next(&w, &s, &e) == 0 && s < to) {
        int64_t a = s > from ? s : from, b = e < to ? e : to;
        if (b > a) total += b - a;
    }
    return total;
}
