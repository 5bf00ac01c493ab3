/* The state-store contract as one sequence of checks, run against both implementations
 * so that replay and the workers cannot drift apart. */
#ifndef VIGILE_TEST_STATE_CASES_H
#define VIGILE_TEST_STATE_CASES_H

#include <criterion/criterion.h>
#include <stdlib.h>

#include "state.h"

#define HOUR_MS (3600LL * 1000)

/* Commits a decision of event_id with a strike at ts (and a ban when ban_until is set);
 * returns what state_decision_commit found already there (NULL, or a copy to free). */
static inline char *state_cases_commit(struct state_store *st, const char *tenant,
                                       const char *author, const char *event_id, int64_t ts,
                                       int64_t win, int64_t ban_until, const char *record) {
    struct state_decision d = { event_id, ts, win, 1, ban_until, record, HOUR_MS };
    char *existing = (char *)"stale";
    cr_assert_eq(state_decision_commit(st, tenant, author, &d, &existing), 0);
    return existing;
}

/* Strikes before ts of author, as route reads them for a new event. */
static inline long state_cases_strikes(struct state_store *st, const char *tenant,
                                       const char *author, const char *event_id, int64_t ts,
                                       int64_t win, int64_t *banned_until) {
    struct state_author_view view = { -1, -1 };
    char *record = (char *)"stale";
    cr_assert_eq(state_decision_lookup(st, tenant, author, event_id, ts, win, &view, &record), 0);
    cr_assert_null(record, "no record expected for %s", event_id);
    if (banned_until) *banned_until = view.banned_until;
    return view.strikes_before;
}

static inline void state_cases_run(struct state_store *st, const char *tenant) {
    const int64_t t0 = 1772816400000LL, win = 24 * HOUR_MS;
    int64_t banned = -1;
    cr_assert_eq(state_cases_strikes(st, tenant, "p_a", "ev1", t0, win, &banned), 0);
    cr_assert_eq(banned, 0);
    cr_assert_null(state_cases_commit(st, tenant, "p_a", "ev1", t0, win, 0, "{\"ev\":1}"));
    /* A second commit of the same event writes nothing and hands back the first record. */
    char *first = state_cases_commit(st, tenant, "p_a", "ev1", t0, win, 0, "{\"ev\":\"again\"}");
    cr_assert_str_eq(first, "{\"ev\":1}");
    free(first);
    /* A retry finds the record, whatever was written since. */
    struct state_author_view view;
    char *record = NULL;
    cr_assert_eq(state_decision_lookup(st, tenant, "p_a", "ev1", t0, win, &view, &record), 0);
    cr_assert_str_eq(record, "{\"ev\":1}");
    free(record);

    cr_assert_eq(state_cases_strikes(st, tenant, "p_a", "ev2", t0 + HOUR_MS, win, NULL), 1);
    cr_assert_null(state_cases_commit(st, tenant, "p_a", "ev2", t0 + HOUR_MS, win, 0, "{}"));
    /* Another author and another tenant are separate. */
    cr_assert_eq(state_cases_strikes(st, tenant, "p_b", "ev3", t0 + HOUR_MS, win, NULL), 0);
    cr_assert_eq(state_cases_strikes(st, "other", "p_a", "ev4", t0 + HOUR_MS, win, NULL), 0);
    /* A strike of the same instant counts once it is committed, the event's own never. */
    cr_assert_eq(state_cases_strikes(st, tenant, "p_a", "ev2b", t0 + HOUR_MS, win, NULL), 2);
    /* The first strike has expired a window later. */
    cr_assert_eq(state_cases_strikes(st, tenant, "p_a", "ev5", t0 + win + 1, win, NULL), 1);
    cr_assert_null(state_cases_commit(st, tenant, "p_a", "ev5", t0 + win + 1, win, 0, "{}"));
    cr_assert_eq(state_strike_remove(st, tenant, "p_a", "ev5"), 0);
    cr_assert_eq(state_cases_strikes(st, tenant, "p_a", "ev6", t0 + win + 2, win, NULL), 1);

    /* A ban committed with a decision is in force from its event on, until it ends. */
    int64_t until = t0 + 10 * 24 * HOUR_MS;
    cr_assert_null(state_cases_commit(st, tenant, "p_c", "ev7", t0, win, until, "{}"));
    cr_assert_eq(state_cases_strikes(st, tenant, "p_c", "ev8", t0 + HOUR_MS, win, &banned), 1);
    cr_assert_eq(banned, until);
    cr_assert_eq(state_cases_strikes(st, tenant, "p_c", "ev9", until + 1, win, &banned), 0);
    cr_assert_eq(banned, 0);
    cr_assert_null(state_cases_commit(st, tenant, "p_d", "ev10", t0, win, STATE_BAN_FOREVER, "{}"));
    state_cases_strikes(st, tenant, "p_d", "ev11", t0 + 400 * 24 * HOUR_MS, win, &banned);
    cr_assert_eq(banned, STATE_BAN_FOREVER);
    int64_t now = t0 + 1000;
    cr_assert_eq(state_ban_set(st, tenant, "p_d", 0, now), 0); /* lifted */
    state_cases_strikes(st, tenant, "p_d", "ev11", now, win, &banned);
    cr_assert_eq(banned, 0);
    cr_assert_eq(state_ban_set(st, tenant, "p_d", now + HOUR_MS, now), 0);
    state_cases_strikes(st, tenant, "p_d", "ev11", now, win, &banned);
    cr_assert_eq(banned, now + HOUR_MS);

    /* A confirmation amends a committed decision: a strike it did not count and a ban it
     * only proposed, with a new record; amending twice counts the strike once. */
    cr_assert_null(state_cases_commit(st, tenant, "p_e", "ev12", t0, win, 0, "{\"v\":1}"));
    cr_assert_eq(state_strike_remove(st, tenant, "p_e", "ev12"), 0); /* as if not counted */
    struct state_decision amend = { "ev12", t0, win, 1, t0 + 48 * HOUR_MS, "{\"v\":2}", HOUR_MS };
    cr_assert_eq(state_decision_amend(st, tenant, "p_e", &amend), 0);
    cr_assert_eq(state_decision_amend(st, tenant, "p_e", &amend), 0);
    cr_assert_eq(state_cases_strikes(st, tenant, "p_e", "ev13", t0 + HOUR_MS, win, &banned), 1);
    cr_assert_eq(banned, t0 + 48 * HOUR_MS);
    cr_assert_eq(state_decision_lookup(st, tenant, "p_e", "ev12", t0, win, &view, &record), 0);
    cr_assert_str_eq(record, "{\"v\":2}");
    free(record);

    /* A batch committed at once commits as one call after another: ev15 counts ev14's
     * strike of the same batch, and ev1 (committed before) hands back its first record. */
    struct state_commit_req commits[] = {
        { tenant, "p_f", { "ev14", t0, win, 1, 0, "{\"b\":14}", HOUR_MS } },
        { tenant, "p_f", { "ev15", t0 + 1, win, 1, t0 + HOUR_MS, "{\"b\":15}", HOUR_MS } },
        { tenant, "p_a", { "ev1", t0, win, 1, 0, "{\"ev\":\"batch\"}", HOUR_MS } },
    };
    char *existing[3] = { "stale", "stale", "stale" };
    cr_assert_eq(state_decision_commit_many(st, commits, 3, existing), 0);
    cr_assert_null(existing[0]);
    cr_assert_null(existing[1]);
    cr_assert_str_eq(existing[2], "{\"ev\":1}");
    free(existing[2]);
    cr_assert_eq(state_cases_strikes(st, tenant, "p_f", "ev16", t0 + 2, win, &banned), 2);
    cr_assert_eq(banned, t0 + HOUR_MS);

    uint64_t fps[8];
    size_t k = 99;
    cr_assert_eq(state_recent_add(st, tenant, "p_a", "r1", t0, 0xabcULL, HOUR_MS, fps, 8, &k), 0);
    cr_assert_eq(k, 0);
    cr_assert_eq(state_recent_add(st, tenant, "p_a", "r2", t0 + 10, 0xabdULL, HOUR_MS, fps, 8, &k),
                 0);
    cr_assert_eq(k, 1);
    cr_assert_eq(fps[0], 0xabcULL);
    /* Posts of the same instant after it do not change a redelivered post's answer. */
    cr_assert_eq(state_recent_add(st, tenant, "p_a", "r2b", t0 + 10, 0xabeULL, HOUR_MS, fps, 8, &k),
                 0);
    cr_assert_eq(k, 2);
    cr_assert_eq(state_recent_add(st, tenant, "p_a", "r2", t0 + 10, 0xabdULL, HOUR_MS, fps, 8, &k),
                 0);
    cr_assert_eq(k, 1); /* redelivered: itself is not an earlier post, nor r2b */
    cr_assert_eq(fps[0], 0xabcULL);
    cr_assert_eq(
        state_recent_add(st, tenant, "p_a", "r3", t0 + 2 * HOUR_MS, 1, HOUR_MS, fps, 8, &k), 0);
    cr_assert_eq(k, 0); /* outside the window */

    /* A batch asked at once answers as one call after another: r5 sees r4 of the same
     * batch, and r2 (asked again) its first answer. */
    struct state_recent_req batch[] = {
        { tenant, "p_b", "r4", t0, 0x111ULL, HOUR_MS },
        { tenant, "p_b", "r5", t0 + 1, 0x112ULL, HOUR_MS },
        { tenant, "p_a", "r2", t0 + 10, 0xabdULL, HOUR_MS },
    };
    uint64_t many[3 * 8];
    size_t got[3] = { 99, 99, 99 };
    cr_assert_eq(state_recent_add_many(st, batch, 3, many, 8, got), 0);
    cr_assert_eq(got[0], 0);
    cr_assert_eq(got[1], 1);
    cr_assert_eq(many[8], 0x111ULL);
    cr_assert_eq(got[2], 1);
    cr_assert_eq(many[16], 0xabcULL);

    char *rec = (char *)"stale";
    cr_assert_eq(state_record_get(st, tenant, "d1", &rec), 0);
    cr_assert_null(rec);
    cr_assert_eq(state_record_put(st, tenant, "d1", "{\"a\":1}", HOUR_MS), 0);
    cr_assert_eq(state_record_put(st, tenant, "d1", "{\"a\":2}", HOUR_MS), 0);
    cr_assert_eq(state_record_get(st, tenant, "d1", &rec), 0);
    cr_assert_str_eq(rec, "{\"a\":2}");
    free(rec);

    /* Records in a batch: written in order (the last of one id wins), read as one by one. */
    struct state_record_req puts[] = {
        { tenant, "d2", "[\"x\"]", HOUR_MS },
        { tenant, "d3", "[]", HOUR_MS },
        { tenant, "d2", "[\"x\",\"y\"]", HOUR_MS },
    };
    cr_assert_eq(state_record_put_many(st, puts, 3), 0);
    struct state_record_req gets[] = { { tenant, "d2", NULL, 0 },
                                       { tenant, "d1", NULL, 0 },
                                       { tenant, "none", NULL, 0 },
                                       { tenant, "d3", NULL, 0 } };
    char *values[4] = { (char *)"stale", (char *)"stale", (char *)"stale", (char *)"stale" };
    cr_assert_eq(state_record_get_many(st, gets, 4, values), 0);
    cr_assert_str_eq(values[0], "[\"x\",\"y\"]");
    cr_assert_str_eq(values[1], "{\"a\":2}");
    cr_assert_null(values[2]);
    cr_assert_str_eq(values[3], "[]");
    for (int i = 0; i < 4; i++) free(values[i]);
}

#endif
