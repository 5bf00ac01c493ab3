/* What a fault run leaves behind besides decisions and commands (issue #15): each author's
 * strikes in Redis against the ladder vigile-replay climbed, and the SLA timers of every
 * committed ticket (fired once on vigile.sla, or still armed in Redis; never lost, never
 * twice). Used by test_fault_diff. */
#ifndef VIGILE_TEST_FAULT_LEDGER_H
#define VIGILE_TEST_FAULT_LEDGER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "kafka_util.h"

/* A config directory made for run_id: the shipped baseline and five tenants, each open
 * around the clock on both calendars with no holidays, so that a ticket is taken in
 * charge when it arrives and its take-in-charge warning fires at once, whatever the wall
 * clock says. Returns its path (static); fault_config_remove deletes it. */
const char *fault_config_make(const char *run_id);
void fault_config_remove(void);

/* How many keys the Redis of VIGILE_REDIS_URL holds (DBSIZE). */
long long fault_redis_keys(void);

struct strike_tally {
    size_t authors;     /* authors with at least one strike expected */
    size_t expected;    /* strikes vigile-replay counted */
    size_t in_redis;    /* members of the authors' strike sets in Redis at the end */
    size_t missing;     /* expected, not in Redis */
    size_t extra;       /* in Redis, not expected (a strike counted twice is one of these) */
    size_t authors_off; /* authors whose strikes in Redis differ from the expected ones */
};

/* Compares, per author, the event ids whose replayed decision counted a strike
 * (enforcement.strikes > 0; decisions borrowed, n of them) with the members of
 * vigile:{tenant}:strikes:<pseudonym> in the Redis of VIGILE_REDIS_URL. */
struct strike_tally fault_strikes_check(json_t *const *decisions, size_t n);

struct timer_tally {
    size_t tickets;         /* committed tickets of the run (not supervisors') */
    size_t expected;        /* timers they arm */
    size_t fired;           /* fired exactly once, and no longer armed */
    size_t pending;         /* not fired yet, armed in Redis */
    size_t lost;            /* neither fired nor armed */
    size_t twice;           /* event id seen twice on vigile.sla */
    size_t fired_and_armed; /* fired, yet still armed: would fire again */
    size_t unexpected;      /* fired, yet no ticket of the run arms it */
    size_t supervisor_tickets, supervisor_events; /* opened by breaches, and their events */
};

/* Reads the run's committed SLA events (match, arg as test_consume) until every timer of
 * the tickets (n, borrowed) due by now has fired or timeout_ms has passed, then checks
 * each timer against vigile.sla and Redis. since_ms: when the run started (a warning whose
 * breach was already past when its ticket was armed is not armed). config_dir: the
 * tenants the tickets were timed with. */
struct timer_tally fault_timers_check(json_t *const *tickets, size_t n, const char *config_dir,
                                      int64_t since_ms,
                                      int (*match)(const struct test_message *, void *), void *arg,
                                      int timeout_ms);

#endif
