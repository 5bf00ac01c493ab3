/* The console's read model (services/console/console_store.c, console_query.c): inputs of
 * the four topics applied with their offsets, redelivery, revisions, the queue's order on
 * the office calendar, tenant isolation, bad input. No broker: the store takes bytes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "timefmt.h"
#include "topics.h"

static struct tenant_set *tenants;
static struct console_store *st;
static char dir[64], path[128];
static int64_t next_off[5];

static void setup(void) {
    char err[4096];
    tenants = tenant_set_load(SOURCE_DIR "/config", err, sizeof err);
    cr_assert(tenants, "%s", err);
    snprintf(dir, sizeof dir, "/tmp/test-console-XXXXXX");
    cr_assert(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/read.db", dir);
    st = console_store_open(path, tenants, err, sizeof err);
    cr_assert(st, "%s", err);
    memset(next_off, 0, sizeof next_off);
}

static void teardown(void) {
    console_store_close(st);
    tenant_set_free(tenants);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}

static int topic_index(const char *topic) {
    const char *all[] = { TOPIC_DECISIONS, TOPIC_ESCALATIONS, TOPIC_SLA, TOPIC_OPERATOR,
                          TOPIC_ACTION_RESULTS };
    for (int i = 0; i < 5; i++)
        if (strcmp(all[i], topic) == 0) return i;
    return 0;
}

/* Applies doc (stolen) at the next offset of partition 0 of topic. */
static enum console_apply feed(const char *topic, json_t *doc) {
    char *text = json_dumps(doc, JSON_COMPACT), reason[256] = "";
    json_decref(doc);
    enum console_apply rc = console_store_apply(st, topic, 0, next_off[topic_index(topic)]++, text,
                                                strlen(text), reason, sizeof reason);
    free(text);
    return rc;
}

static json_t *decision(const char *tenant, const char *id, int rev, int review, const char *author,
                        const char *category, const char *at) {
    return json_pack("{s:s, s:s, s:i, s:s, s:s, s:b, s:s, s:s, s:{s:s, s:i, s:b},"
                     " s:[{s:s, s:[{s:i, s:i}]}], s:s}",
                     "tenant", tenant, "decision_id", id, "revision", rev, "status",
                     rev > 1 ? "overturned" : "automated", "action", "hide", "needs_review", review,
                     "author", author, "decided_at", at, "enforcement", "step", "warn", "strikes",
                     rev, "pending_review", 0, "categories", "category", category, "spans", "start",
                     0, "end", 4, "redacted_text", "ciao a tutti");
}

static json_t *escalation(const char *tenant, const char *ticket, const char *decision,
                          const char *received) {
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:b, s:s}", "tenant", tenant, "ticket_id",
                     ticket, "decision_id", decision, "office", "urp", "received_at", received,
                     "priority", "normal", "severity", 1, "removal", 0, "redacted_text",
                     "quando apre?");
}

static json_t *operator_ev(const char *tenant, const char *type, const char *key, const char *id,
                           const char *event_id, const char *at) {
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "tenant", tenant, "type", type, "operator",
                     "mario", "at", at, key, id, "event_id", event_id);
}

static json_t *items(const char *tenant) {
    json_t *q = console_query_queue(console_store_db(st), tenant, 0);
    cr_assert(q);
    json_t *it = json_incref(json_object_get(q, "items"));
    json_decref(q);
    return it;
}

static int64_t count(const char *sql) {
    int64_t n = -1;
    cr_assert_eq(console_db_int(console_store_db(st), &n, sql, ""), 1);
    return n;
}

TestSuite(console_store, .init = setup, .fini = teardown);

Test(console_store, tickets_queue_by_office_calendar_deadline) {
    /* Lecce: a question on Friday at 18:00 is taken in charge on Monday at 9:00
     * (DESIGN.md); one on Monday at 8:00 has a deadline later that morning and so
     * comes second, although it arrived after the first. A ticket received later that
     * Monday at 11:00 comes last. */
    feed(TOPIC_ESCALATIONS, escalation("lecce", "t-mon11", "d3", "2026-11-23T11:00:00+01:00"));
    feed(TOPIC_ESCALATIONS, escalation("lecce", "t-fri", "d1", "2026-11-20T18:00:00+01:00"));
    feed(TOPIC_ESCALATIONS, escalation("lecce", "t-mon8", "d2", "2026-11-23T08:00:00+01:00"));
    json_t *q = items("lecce");
    cr_assert_eq(json_array_size(q), 3);
    const char *order[] = { "t-fri", "t-mon8", "t-mon11" };
    for (size_t i = 0; i < 3; i++)
        cr_expect_str_eq(json_string_value(json_object_get(json_array_get(q, i), "ticket_id")),
                         order[i]);
    int64_t due;
    cr_assert_eq(rfc3339_parse("2026-11-23T09:00:00+01:00", &due), 0);
    cr_expect_eq(json_integer_value(json_object_get(json_array_get(q, 0), "due_ms")), due);
    json_decref(q);
}

Test(console_store, redelivery_and_duplicates_change_nothing) {
    json_t *esc = escalation("lecce", "t1", "d1", "2026-11-20T10:00:00+01:00");
    char *text = json_dumps(esc, 0);
    json_decref(esc);
    char reason[128];
    /* the same offset twice (a restart before Kafka's position moved on) */
    for (int i = 0; i < 2; i++)
        cr_assert_eq(console_store_apply(st, TOPIC_ESCALATIONS, 2, 7, text, strlen(text), reason,
                                         sizeof reason),
                     CONSOLE_APPLIED);
    cr_expect_eq(console_store_next_offset(st, TOPIC_ESCALATIONS, 2), 8);
    cr_expect_eq(console_store_next_offset(st, TOPIC_ESCALATIONS, 1), -1);
    /* the same message again at a later offset (a producer's retry) */
    cr_assert_eq(
        console_store_apply(st, TOPIC_ESCALATIONS, 2, 9, text, strlen(text), reason, sizeof reason),
        CONSOLE_APPLIED);
    free(text);
    for (int i = 0; i < 2; i++)
        feed(TOPIC_OPERATOR,
             operator_ev("lecce", "ack", "ticket_id", "t1", "ev1", "2026-11-20T11:00:00+01:00"));
    cr_expect_eq(count("SELECT count(*) FROM tickets"), 1);
    cr_expect_eq(count("SELECT count(*) FROM audit"), 1);
}

Test(console_store, offsets_survive_reopening) {
    feed(TOPIC_DECISIONS, decision("lecce", "d1", 1, 0, "p_a", "insult", "2026-11-20T10:00:00Z"));
    feed(TOPIC_DECISIONS, decision("lecce", "d2", 1, 0, "p_a", "insult", "2026-11-20T10:00:00Z"));
    console_store_close(st);
    char err[256];
    st = console_store_open(path, tenants, err, sizeof err);
    cr_assert(st, "%s", err);
    cr_expect_eq(console_store_next_offset(st, TOPIC_DECISIONS, 0), 2);
    cr_expect_eq(count("SELECT count(*) FROM decisions"), 2);
}

Test(console_store, higher_revision_wins_in_any_order) {
    feed(TOPIC_DECISIONS, decision("lecce", "d1", 2, 0, "p_a", "spam", "2026-11-21T10:00:00Z"));
    feed(TOPIC_DECISIONS, decision("lecce", "d1", 1, 1, "p_a", "insult", "2026-11-20T10:00:00Z"));
    json_t *d = console_query_decision(console_store_db(st), "lecce", "d1");
    cr_assert(d);
    json_t *doc = json_object_get(d, "decision");
    cr_expect_eq(json_integer_value(json_object_get(doc, "revision")), 2);
    cr_expect_str_eq(json_string_value(json_object_get(doc, "status")), "overturned");
    json_decref(d);
    cr_expect_eq(count("SELECT count(*) FROM decision_categories WHERE category='insult'"), 0);
}

static json_t *action_result(const char *action_id, const char *outcome, const char *at) {
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:n, s:s, s:s}", "tenant", "lecce",
                     "action_id", action_id, "decision_id", "d1", "type", "hide", "platform",
                     "facebook", "mode", "live", "outcome", outcome, "attempts", 2, "status",
                     "reason", "la piattaforma non risponde", "finished_at", at);
}

Test(console_store, platform_results_show_on_their_decision_first_one_kept) {
    feed(TOPIC_DECISIONS, decision("lecce", "d1", 1, 0, "p_a", "insult", "2026-11-20T10:00:00Z"));
    cr_assert_eq(feed(TOPIC_ACTION_RESULTS,
                      action_result("a1", "handed_to_operator", "2026-11-20T10:00:05Z")),
                 CONSOLE_APPLIED);
    /* act crashed after publishing and published again: readers keep the first */
    feed(TOPIC_ACTION_RESULTS, action_result("a1", "done", "2026-11-20T10:01:00Z"));
    json_t *d = console_query_decision(console_store_db(st), "lecce", "d1");
    cr_assert(d);
    json_t *rows = json_object_get(d, "platform");
    cr_assert_eq(json_array_size(rows), 1);
    json_t *r = json_array_get(rows, 0);
    cr_expect_str_eq(json_string_value(json_object_get(r, "outcome")), "handed_to_operator");
    cr_expect_eq(json_integer_value(json_object_get(r, "attempts")), 2);
    cr_expect(json_is_null(json_object_get(r, "status")), "no answer, no status");
    json_decref(d);
    char reason[256] = "";
    const char *bad = "{\"tenant\":\"lecce\",\"action_id\":\"a2\",\"decision_id\":\"d1\"}";
    cr_expect_eq(console_store_apply(st, TOPIC_ACTION_RESULTS, 0, 99, bad, strlen(bad), reason,
                                     sizeof reason),
                 CONSOLE_REJECTED);
    cr_expect(strstr(reason, "$.type"), "%s", reason);
}

Test(console_store, review_leaves_the_queue_on_a_verdict) {
    feed(TOPIC_DECISIONS, decision("lecce", "d1", 1, 1, "p_a", "insult", "2026-11-20T10:00:00Z"));
    json_t *q = items("lecce");
    cr_assert_eq(json_array_size(q), 1);
    cr_expect_str_eq(json_string_value(json_object_get(json_array_get(q, 0), "kind")), "review");
    json_decref(q);
    feed(TOPIC_OPERATOR,
         operator_ev("lecce", "confirm", "decision_id", "d1", "ev1", "2026-11-20T11:00:00Z"));
    q = items("lecce");
    cr_expect_eq(json_array_size(q), 0);
    json_decref(q);
}

Test(console_store, a_decision_wide_event_covers_a_late_ticket) {
    feed(TOPIC_OPERATOR,
         operator_ev("lecce", "resolve", "decision_id", "d1", "ev1", "2026-11-20T11:00:00Z"));
    feed(TOPIC_ESCALATIONS, escalation("lecce", "t1", "d1", "2026-11-20T10:00:00+01:00"));
    json_t *q = items("lecce");
    cr_expect_eq(json_array_size(q), 0, "the resolved ticket stays out of the queue");
    json_decref(q);
    cr_expect_eq(count("SELECT count(*) FROM tickets WHERE resolved_ms IS NOT NULL AND "
                       "taken_ms IS NOT NULL"),
                 1);
}

Test(console_store, sla_events_set_the_deadline_and_count_breaches) {
    feed(TOPIC_ESCALATIONS, escalation("lecce", "t1", "d1", "2026-11-20T10:00:00+01:00"));
    feed(TOPIC_SLA, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "tenant", "lecce", "event_id",
                              "t1:take_charge:breached", "ticket_id", "t1", "timer", "take_charge",
                              "type", "breached", "due", "2026-11-20T12:00:00+01:00", "fired_at",
                              "2026-11-20T12:00:01+01:00"));
    json_t *q = items("lecce");
    int64_t due;
    rfc3339_parse("2026-11-20T12:00:00+01:00", &due);
    json_t *it = json_array_get(q, 0);
    cr_expect_eq(json_integer_value(json_object_get(it, "due_ms")), due);
    cr_expect_eq(json_integer_value(json_object_get(it, "breaches")), 1);
    json_decref(q);
}

Test(console_store, tenants_see_only_their_own) {
    feed(TOPIC_DECISIONS, decision("arese", "d-ar", 1, 1, "p_a", "insult", "2026-11-20T10:00:00Z"));
    feed(TOPIC_ESCALATIONS, escalation("arese", "t-ar", "d-ar2", "2026-11-20T10:00:00+01:00"));
    json_t *q = items("lecce");
    cr_expect_eq(json_array_size(q), 0);
    json_decref(q);
    sqlite3 *db = console_store_db(st);
    cr_expect_null(console_query_decision(db, "lecce", "d-ar"));
    cr_expect_not(console_query_owns(db, "lecce", "ticket", "t-ar"));
    cr_expect(console_query_owns(db, "arese", "ticket", "t-ar"));
    json_t *a = console_query_author(db, "lecce", "p_a");
    cr_expect_eq(json_array_size(json_object_get(a, "decisions")), 0);
    json_decref(a);
}

Test(console_store, author_standing_skips_overturned_decisions) {
    feed(TOPIC_DECISIONS, decision("lecce", "d1", 1, 0, "p_a", "insult", "2026-11-20T10:00:00Z"));
    feed(TOPIC_DECISIONS, decision("lecce", "d2", 2, 0, "p_a", "insult", "2026-11-21T10:00:00Z"));
    json_t *a = console_query_author(console_store_db(st), "lecce", "p_a");
    cr_assert(a);
    cr_expect_eq(json_array_size(json_object_get(a, "decisions")), 2);
    /* d2 is newer but overturned: the standing is d1's one strike */
    cr_expect_eq(json_integer_value(json_object_get(json_object_get(a, "standing"), "strikes")), 1);
    json_decref(a);
}

Test(console_store, day_view_counts_each_category_and_action) {
    feed(TOPIC_DECISIONS, decision("lecce", "d1", 1, 0, "p_a", "insult", "2026-11-20T10:00:00Z"));
    feed(TOPIC_DECISIONS, decision("lecce", "d2", 1, 0, "p_b", "insult", "2026-11-20T11:00:00Z"));
    feed(TOPIC_DECISIONS, decision("lecce", "d3", 1, 0, "p_b", "spam", "2026-11-21T11:00:00Z"));
    feed(TOPIC_DECISIONS, decision("lecce", "d0", 1, 0, "p_b", "spam", "2026-09-01T11:00:00Z"));
    int64_t now;
    rfc3339_parse("2026-11-25T12:00:00Z", &now);
    json_t *days = console_query_days(console_store_db(st), "lecce", now);
    cr_assert(days);
    json_t *cats = json_object_get(days, "categories");
    cr_assert_eq(json_array_size(cats), 2, "two days in the window, d0 is older");
    cr_expect_str_eq(json_string_value(json_object_get(json_array_get(cats, 0), "category")),
                     "insult");
    cr_expect_eq(json_integer_value(json_object_get(json_array_get(cats, 0), "n")), 2);
    json_t *acts = json_object_get(days, "actions");
    cr_expect_eq(json_integer_value(json_object_get(json_array_get(acts, 0), "n")), 2);
    json_decref(days);
}

Test(console_store, bad_input_is_rejected_with_its_path) {
    char reason[256] = "";
    const char *bad[] = { "{not json", "[1]", "{\"tenant\":\"lecce\",\"ticket_id\":\"t\"}",
                          "{\"tenant\":\"lecce\",\"type\":\"nuke\",\"operator\":\"x\","
                          "\"at\":\"2026-11-20T10:00:00Z\",\"ticket_id\":\"t\"}" };
    const char *topics[] = { TOPIC_DECISIONS, TOPIC_SLA, TOPIC_ESCALATIONS, TOPIC_OPERATOR };
    const char *expect[] = { "JSON 1:", "expected an object", "$.decision_id", "$.type" };
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(
            console_store_apply(st, topics[i], 0, 0, bad[i], strlen(bad[i]), reason, sizeof reason),
            CONSOLE_REJECTED, "%s", bad[i]);
        cr_expect(strstr(reason, expect[i]), "%s: %s", bad[i], reason);
        cr_expect_eq(console_store_next_offset(st, topics[i], 0), -1,
                     "not recorded before the dead letter");
        cr_assert_eq(console_store_skip(st, topics[i], 0, 0), 0);
        cr_expect_eq(console_store_next_offset(st, topics[i], 0), 1);
    }
}

Test(console_store, rows_go_with_the_topics_retention) {
    feed(TOPIC_DECISIONS, decision("lecce", "old", 1, 0, "p_a", "insult", "2025-01-01T10:00:00Z"));
    feed(TOPIC_DECISIONS, decision("lecce", "new", 1, 0, "p_a", "insult", "2026-11-20T10:00:00Z"));
    feed(TOPIC_ESCALATIONS, escalation("lecce", "t-old", "old", "2026-07-01T10:00:00Z"));
    feed(TOPIC_ESCALATIONS, escalation("lecce", "t-new", "new", "2026-11-20T10:00:00Z"));
    int64_t now;
    rfc3339_parse("2026-11-25T12:00:00Z", &now);
    /* decisions are kept 400 days, escalations 90 */
    cr_expect_eq(console_store_prune(st, now), 2);
    cr_expect_eq(count("SELECT count(*) FROM decisions WHERE decision_id='new'"), 1);
    cr_expect_eq(count("SELECT count(*) FROM decisions"), 1);
    cr_expect_eq(count("SELECT count(*) FROM tickets"), 1);
    cr_expect_eq(count("SELECT count(*) FROM decision_categories"), 1);
}

Test(console_store, days_are_romes) {
    /* 23:30 UTC on 20 November is 00:30 on the 21st in Rome */
    feed(TOPIC_DECISIONS, decision("lecce", "late", 1, 0, "p_a", "insult", "2026-11-20T23:30:00Z"));
    int64_t now, midnight;
    rfc3339_parse("2026-11-25T12:00:00Z", &now);
    rfc3339_parse("2026-11-21T00:00:00+01:00", &midnight);
    json_t *days = console_query_days(console_store_db(st), "lecce", now);
    cr_assert(days);
    json_t *row = json_array_get(json_object_get(days, "actions"), 0);
    cr_expect_eq(json_integer_value(json_object_get(row, "day_ms")), midnight);
    int64_t from;
    rfc3339_parse("2026-10-27T00:00:00+01:00", &from);
    cr_expect_eq(json_integer_value(json_object_get(days, "from_ms")), from,
                 "29 days before the 25th");
    json_decref(days);
}

Test(console_store, events_read_before_their_ticket_or_decision_still_count) {
    /* a replica reads the topics side by side: the ack and the SLA event of a ticket, and
     * the verdict on a decision, may come before them */
    feed(TOPIC_OPERATOR,
         operator_ev("lecce", "ack", "ticket_id", "t1", "ev1", "2026-11-20T11:00:00Z"));
    feed(TOPIC_OPERATOR,
         operator_ev("lecce", "confirm", "decision_id", "d9", "ev2", "2026-11-20T11:00:00Z"));
    feed(TOPIC_SLA, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "tenant", "lecce", "event_id",
                              "t1:response:due_soon", "ticket_id", "t1", "timer", "response",
                              "type", "due_soon", "due", "2026-11-23T12:00:00+01:00", "fired_at",
                              "2026-11-23T11:00:00+01:00"));
    feed(TOPIC_ESCALATIONS, escalation("lecce", "t1", "d1", "2026-11-20T10:00:00+01:00"));
    feed(TOPIC_DECISIONS, decision("lecce", "d9", 1, 1, "p_a", "insult", "2026-11-20T10:00:00Z"));
    int64_t due;
    rfc3339_parse("2026-11-23T12:00:00+01:00", &due);
    json_t *q = items("lecce");
    cr_assert_eq(json_array_size(q), 1, "the confirmed decision is out of the queue");
    json_t *it = json_array_get(q, 0);
    cr_expect(json_integer_value(json_object_get(it, "taken_ms")) > 0, "taken in charge");
    cr_expect_str_eq(json_string_value(json_object_get(it, "due_timer")), "response");
    cr_expect_eq(json_integer_value(json_object_get(it, "due_ms")), due, "vigile-sla's deadline");
    json_decref(q);
}
