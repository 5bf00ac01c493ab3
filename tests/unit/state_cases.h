/* The state-store contract as one sequence of checks, run against both implementations
 * so that replay and the workers cannot drift apart. */
#ifndef VIGILE_TEST_STATE_CASES_H
#define VIGILE_TEST_STATE_CASES_H

#include <criterion/criterion.h>
#include <stdlib.h>

#include "state.h"

#define HOUR_MS (3600LL * 1000)

static inline void state_cases_run(struct state_store *st, const char *tenant) {
    long n = -1;
    const int64_t t0 = 1772816400000LL, win = 24 * HOUR_MS;
    cr_assert_eq(state_strike_add(st, tenant, "p_a", "ev1", t0, win, &n), 0);
    cr_assert_eq(n, 1);
    /* Redelivery of the same event counts once. */
    cr_assert_eq(state_strike_add(st, tenant, "p_a", "ev1", t0, win, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(state_strike_add(st, tenant, "p_a", "ev2", t0 + HOUR_MS, win, &n), 0);
    cr_assert_eq(n, 2);
    /* Another author and another tenant are separate. */
    cr_assert_eq(state_strike_add(st, tenant, "p_b", "ev3", t0 + HOUR_MS, win, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(state_strike_add(st, "other", "p_a", "ev4", t0 + HOUR_MS, win, &n), 0);
    cr_assert_eq(n, 1);
    /* The first strike has expired a window later. */
    cr_assert_eq(state_strike_add(st, tenant, "p_a", "ev5", t0 + win + 1, win, &n), 0);
    cr_assert_eq(n, 2);
    /* A redelivered early event still decides as it did: later strikes do not count. */
    cr_assert_eq(state_strike_add(st, tenant, "p_a", "ev2", t0 + HOUR_MS, win, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(state_strike_remove(st, tenant, "p_a", "ev5"), 0);
    cr_assert_eq(state_strike_add(st, tenant, "p_a", "ev6", t0 + win + 2, win, &n), 0);
    cr_assert_eq(n, 2); /* ev2 and ev6 */

    int64_t until = -1;
    cr_assert_eq(state_ban_get(st, tenant, "p_a", t0, &until), 0);
    cr_assert_eq(until, 0);
    int64_t now = t0 + 1000;
    cr_assert_eq(state_ban_set(st, tenant, "p_a", now + 10 * 24 * HOUR_MS, now), 0);
    cr_assert_eq(state_ban_get(st, tenant, "p_a", now, &until), 0);
    cr_assert_eq(until, now + 10 * 24 * HOUR_MS);
    cr_assert_eq(state_ban_set(st, tenant, "p_a", STATE_BAN_FOREVER, now), 0);
    cr_assert_eq(state_ban_get(st, tenant, "p_a", now, &until), 0);
    cr_assert_eq(until, STATE_BAN_FOREVER);
    cr_assert_eq(state_ban_set(st, tenant, "p_a", 0, now), 0); /* lifted */
    cr_assert_eq(state_ban_get(st, tenant, "p_a", now, &until), 0);
    cr_assert_eq(until, 0);

    uint64_t fps[8];
    size_t k = 99;
    cr_assert_eq(state_recent_add(st, tenant, "p_a", "r1", t0, 0xabcULL, HOUR_MS, fps, 8, &k), 0);
    cr_assert_eq(k, 0);
    cr_assert_eq(state_recent_add(st, tenant, "p_a", "r2", t0 + 10, 0xabdULL, HOUR_MS, fps, 8, &k), 0);
    cr_assert_eq(k, 1);
    cr_assert_eq(fps[0], 0xabcULL);
    cr_assert_eq(state_recent_add(st, tenant, "p_a", "r2", t0 + 10, 0xabdULL, HOUR_MS, fps, 8, &k), 0);
    cr_assert_eq(k, 1); /* redelivered: itself is not an earlier post */
    cr_assert_eq(state_recent_add(st, tenant, "p_a", "r3", t0 + 2 * HOUR_MS, 1, HOUR_MS, fps, 8, &k), 0);
    cr_assert_eq(k, 0); /* outside the window */

    char *rec = (char *)"stale";
    cr_assert_eq(state_record_get(st, tenant, "d1", &rec), 0);
    cr_assert_null(rec);
    cr_assert_eq(state_record_put(st, tenant, "d1", "{\"a\":1}", HOUR_MS), 0);
    cr_assert_eq(state_record_put(st, tenant, "d1", "{\"a\":2}", HOUR_MS), 0);
    cr_assert_eq(state_record_get(st, tenant, "d1", &rec), 0);
    cr_assert_str_eq(rec, "{\"a\":2}");
    free(rec);
}

#endif
