/* The route stage on its own, with in-memory state: the tenants' ladders, redelivery,
 * expiry, overturns, what each tenant's policy says differently, and what may never
 * appear on a decisions topic. Classified envelopes are built here, so these tests do not
 * depend on the classifier's accuracy. */
#include <criterion/criterion.h>
#include <string.h>

#include "pseudonym.h"
#include "route.h"
#include "route_internal.h"
#include "state.h"
#include "tenant.h"
#include "timefmt.h"
#include "topics.h"
#include "xmalloc.h"

#define DAY_MS     (24LL * 3600 * 1000)
#define T0         1772816400000LL /* 2026-03-06T17:00:00Z */
#define RAW_AUTHOR "raw-author-5512345"

static struct state_store st;
static struct router *router;
static struct stage_outputs out;

static void setup(void) {
    char err[4096];
    state_mem_init(&st);
    struct tenant_set *set = tenant_set_load(SOURCE_DIR "/config", err, sizeof err);
    cr_assert_not_null(set, "%s", err);
    router = router_new(set, &st, "unit-test-key", err, sizeof err);
    cr_assert_not_null(router, "%s", err);
}

static void teardown(void) {
    router_free(router);
    state_store_free(&st);
    stage_outputs_free(&out);
}

/* A classified envelope with one label of category, written at T0 + day days. */
static json_t *classified(const char *tenant, const char *event_id, const char *kind,
                          const char *category, double day) {
    char when[RFC3339_LEN];
    rfc3339_format(T0 + (int64_t)(day * DAY_MS), when);
    json_t *labels = json_array();
    if (category)
        json_array_append_new(labels, json_pack("{s:s, s:f, s:s, s:s, s:s, s:[], s:[]}", "category",
                                                category, "score", 0.95, "severity", "medium",
                                                "rule_id", "test.rule", "policy_ref",
                                                "Test: «clausola»", "spans", "rule_ids"));
    // clang-format off
    return json_pack("{s:{s:s,s:i}, s:s, s:s, s:s, s:s, s:s, s:{s:s}, s:s, s:s, s:s, s:s, s:{s:o}}",
                     "schema", "name", "vigile.envelope", "version", 1, "event_id", event_id,
                     "tenant", tenant, "platform", "facebook", "kind", kind, "content_id", event_id,
                     "author", "id", RAW_AUTHOR, "text", "testo originale con RSSMRA85T10A562S",
                     "redacted_text", "testo originale con [codice_fiscale]", "created_at", when,
                     "received_at", when, "classification", "labels", labels);
    // clang-format on
}

/* Runs one envelope through route; returns the decision (new reference). */
static json_t *decide(json_t *env) {
    char reason[512];
    stage_outputs_clear(&out);
    enum stage_status s = router_decide(router, env, T0, &out, reason, sizeof reason);
    cr_assert_eq(s, STAGE_OK, "%s", reason);
    json_decref(env);
    for (size_t i = 0; i < out.n; i++)
        if (strcmp(out.v[i].topic, TOPIC_DECISIONS) == 0)
            return json_loads(out.v[i].value, 0, NULL);
    cr_assert_fail("no decision");
    return NULL;
}

static const char *str(const json_t *d, const char *path1, const char *path2) {
    const json_t *v = json_object_get(d, path1);
    return json_string_value(path2 ? json_object_get(v, path2) : v);
}

static long strikes(const json_t *d) {
    return (long)json_integer_value(json_object_get(json_object_get(d, "enforcement"), "strikes"));
}

/* Number of outputs on topic whose value contains needle (NULL: any). */
static int count(const char *topic, const char *needle) {
    int n = 0;
    for (size_t i = 0; i < out.n; i++)
        if (strcmp(out.v[i].topic, topic) == 0 && (!needle || strstr(out.v[i].value, needle))) n++;
    return n;
}

TestSuite(route, .init = setup, .fini = teardown);

Test(route, cassino_ladder_warn_then_temporary_ban_then_ban) {
    json_t *d = decide(classified("cassino", "e1", "comment", "insult", 1));
    cr_expect_str_eq(str(d, "enforcement", "step"), "warn");
    cr_expect_eq(count(TOPIC_ACTIONS, "\"type\":\"warn\""), 1);
    json_decref(d);

    d = decide(classified("cassino", "e2", "comment", "insult", 2));
    cr_expect_str_eq(str(d, "enforcement", "step"), "temp_ban");
    cr_expect_eq(strikes(d), 2);
    cr_expect_str_eq(str(d, "enforcement", "ban_until"), "2026-03-15T17:00:00.000Z"); /* +168 h */
    cr_expect(strstr(str(d, "statement_of_reasons", NULL), "15/03/2026 alle 18:00"),
              "the ban's end in Rome time: %s", str(d, "statement_of_reasons", NULL));
    cr_expect_eq(count(TOPIC_ACTIONS, "\"type\":\"ban\""), 1);
    cr_expect_str_eq(str(d, "dsa", "decision_account"), "DECISION_ACCOUNT_SUSPENDED");
    json_decref(d);

    /* During the temporary ban anything the author writes is hidden, without a strike. */
    d = decide(classified("cassino", "e3", "comment", NULL, 3));
    cr_expect_str_eq(str(d, "action", NULL), "hide");
    cr_expect_eq(strikes(d), 0);
    json_decref(d);

    d = decide(classified("cassino", "e4", "comment", "insult", 12));
    cr_expect_str_eq(str(d, "enforcement", "step"), "ban");
    cr_expect(json_is_null(json_object_get(json_object_get(d, "enforcement"), "ban_until")));
    cr_expect_eq(count(TOPIC_ACTIONS, "\"type\":\"report\""), 1, "reported to the platform");
    json_decref(d);
}

Test(route, redelivered_message_adds_no_strike) {
    json_decref(decide(classified("cassino", "r1", "comment", "insult", 1)));
    json_t *d = decide(classified("cassino", "r1", "comment", "insult", 1));
    cr_expect_eq(strikes(d), 1);
    cr_expect_str_eq(str(d, "enforcement", "step"), "warn");
    json_decref(d);
}

/* All outputs of one input, joined, for comparing two attempts byte for byte. */
static char *outputs_of(json_t *env, int64_t now_ms) {
    char reason[512];
    stage_outputs_clear(&out);
    cr_assert_eq(router_decide(router, env, now_ms, &out, reason, sizeof reason), STAGE_OK, "%s",
                 reason);
    json_decref(env);
    char *all = xstrdup("");
    for (size_t i = 0; i < out.n; i++) {
        char *next = xasprintf("%s%s %s\n", all, out.v[i].topic, out.v[i].value);
        free(all);
        all = next;
    }
    return all;
}

/* What an aborted batch leaves in the store (a ban, strikes of later events of the same
 * instant) must not change how its inputs are decided when the batch is processed again:
 * the retry publishes, byte for byte, what the first attempt did (issue #19). */
Test(route, a_retried_batch_decides_as_its_first_attempt) {
    const char *ids[] = { "b1", "b2", "b3", "b4" };
    char *first[4];
    for (int i = 0; i < 4; i++) /* b2 bans; b3 and b4 share b2's instant */
        first[i] =
            outputs_of(classified("cassino", ids[i], "comment", "insult", i ? 2 : 1), T0 + i);
    cr_assert(strstr(first[1], "\"type\":\"ban\""), "the second strike bans: %s", first[1]);
    for (int i = 0; i < 4; i++) { /* the whole batch again, later */
        char *again =
            outputs_of(classified("cassino", ids[i], "comment", "insult", i ? 2 : 1), T0 + 60000);
        cr_expect_str_eq(again, first[i], "attempt 2 of %s differs", ids[i]);
        free(again);
        free(first[i]);
    }
}

/* A platform's retry that ingest let through (its claim expired after a crash) is a second
 * delivery of the event, with ingest's later received_at: decided once, so nothing is
 * published for it, while a redelivery of the same message publishes the same again. */
Test(route, a_second_delivery_of_a_decided_event_publishes_nothing) {
    char *first = outputs_of(classified("cassino", "d1", "comment", "insult", 1), T0);
    cr_assert(strstr(first, TOPIC_DECISIONS), "%s", first);
    char *same = outputs_of(classified("cassino", "d1", "comment", "insult", 1), T0 + 5);
    cr_expect_str_eq(same, first, "the same message read again publishes what it did");
    json_t *again = classified("cassino", "d1", "comment", "insult", 1);
    json_object_set_new(again, "received_at", json_string("2026-03-02T10:01:05.000Z"));
    char *second = outputs_of(again, T0 + 65000);
    cr_expect_str_eq(second, "", "a second delivery publishes nothing");
    json_t *d = decide(classified("cassino", "d2", "comment", "insult", 1));
    cr_expect_eq(strikes(d), 2, "and counted no strike: the next one is the second");
    json_decref(d);
    free(first), free(same), free(second);
}

/* Two replicas deciding the same event at once (one has just lost the partition): the
 * second to commit finds the first's record and publishes the first's decision. */
Test(route, a_concurrent_attempt_publishes_the_first_decision) {
    char *first = outputs_of(classified("cassino", "c1", "comment", "insult", 1), T0);
    char author[PSEUDONYM_LEN];
    pseudonym_make("unit-test-key", strlen("unit-test-key"), "cassino", "facebook", RAW_AUTHOR,
                   author);
    /* The other replica looked before the first commit: it saw no strike and no record. */
    struct state_author_view view;
    char *record = NULL, *existing = NULL;
    cr_assert_eq(state_decision_lookup(&st, "cassino", author, "c1", T0, DAY_MS, &view, &record),
                 0);
    cr_assert_not_null(record);
    struct state_decision d = { "c1", T0, DAY_MS, 1, 0, "{\"other\":1}", DAY_MS };
    cr_assert_eq(state_decision_commit(&st, "cassino", author, &d, &existing), 0);
    cr_expect_str_eq(existing, record, "the first record stays");
    char *again = outputs_of(classified("cassino", "c1", "comment", "insult", 1), T0 + 5);
    cr_expect_str_eq(again, first);
    free(again), free(first), free(record), free(existing);
}

Test(route, strikes_expire_after_the_window) {
    json_decref(decide(classified("cassino", "w1", "comment", "insult", 0)));
    json_t *d = decide(classified("cassino", "w2", "comment", "insult", 91)); /* window: 90 days */
    cr_expect_eq(strikes(d), 1);
    cr_expect_str_eq(str(d, "enforcement", "step"), "warn");
    json_decref(d);
}

static enum stage_status tenant_operator_event(const char *tenant, const char *type,
                                               const char *decision_id) {
    char reason[512];
    char *ev = xasprintf("{\"type\":\"%s\",\"tenant\":\"%s\",\"decision_id\":\"%s\","
                         "\"operator\":\"m.rossi\",\"at\":\"2026-03-09T09:00:00Z\"}",
                         type, tenant, decision_id);
    stage_outputs_clear(&out);
    enum stage_status s =
        route_operator(router, ev, strlen(ev), T0 + 5 * DAY_MS, &out, reason, sizeof reason);
    free(ev);
    return s;
}

static enum stage_status operator_event(const char *type, const char *decision_id) {
    return tenant_operator_event("cassino", type, decision_id);
}

/* The value of the only output on topic (borrowed until the next stage call). */
static const char *only(const char *topic) {
    const char *v = NULL;
    for (size_t i = 0; i < out.n; i++)
        if (strcmp(out.v[i].topic, topic) == 0) {
            cr_assert_null(v, "one output on %s expected", topic);
            v = out.v[i].value;
        }
    cr_assert_not_null(v, "no output on %s", topic);
    return v;
}

Test(route, overturn_removes_the_strike_and_unbans) {
    json_decref(decide(classified("cassino", "o1", "comment", "insult", 1)));
    json_decref(decide(classified("cassino", "o2", "comment", "insult", 2))); /* temp ban */
    cr_assert_eq(operator_event("overturn", "o2"), STAGE_OK);
    cr_expect_eq(count(TOPIC_ACTIONS, "\"type\":\"unban\""), 1);
    cr_expect_eq(count(TOPIC_ACTIONS, "\"type\":\"unhide\""), 1);
    cr_expect_eq(count(TOPIC_DECISIONS, "\"status\":\"overturned\""), 1);
    cr_expect_eq(count(TOPIC_DECISIONS, "Il ricorso è stato accolto"), 1);
    /* The next insult is the second strike again, not the third, and the author is free. */
    json_t *d = decide(classified("cassino", "o3", "comment", "insult", 3));
    cr_expect_eq(strikes(d), 2);
    cr_expect_str_eq(str(d, "enforcement", "step"), "temp_ban");
    json_decref(d);
    cr_expect_eq(operator_event("overturn", "nonexistent"), STAGE_REJECT);
}

Test(route, tenant_topics_and_pseudonyms_keep_data_in_place) {
    json_decref(decide(classified("lecce", "p1", "comment", "insult", 1)));
    cr_expect_eq(count("vigile.decisions.lecce", NULL), 1);
    cr_expect_eq(count("vigile.decisions.arese", NULL), 0);
    for (size_t i = 0; i < out.n; i++) {
        if (strncmp(out.v[i].topic, TOPIC_DECISIONS, strlen(TOPIC_DECISIONS)) != 0) continue;
        cr_expect_null(strstr(out.v[i].value, RAW_AUTHOR), "raw id on %s", out.v[i].topic);
        cr_expect_null(strstr(out.v[i].value, "RSSMRA85T10A562S"), "unredacted on %s",
                       out.v[i].topic);
    }
    cr_expect_eq(count(TOPIC_ACTIONS, RAW_AUTHOR), count(TOPIC_ACTIONS, NULL),
                 "connectors get the raw id in every command");
    cr_expect(count(TOPIC_ACTIONS, NULL) >= 1);
}

Test(route, lecce_warns_first_and_bans_on_repetition) {
    json_t *d = decide(classified("lecce", "l1", "comment", "insult", 1));
    cr_expect_str_eq(str(d, "enforcement", "step"), "warn");
    cr_expect_str_eq(str(d, "action", NULL), "hide");
    cr_expect(strstr(str(d, "statement_of_reasons", NULL),
                     "Il commento è stato nascosto perché contiene insulti o offese, come previsto "
                     "dalla Social media policy del Comune di Lecce, sezione Moderazione."),
              "%s", str(d, "statement_of_reasons", NULL));
    json_decref(d);
    d = decide(classified("lecce", "l2", "comment", "insult", 2));
    cr_expect_str_eq(str(d, "enforcement", "step"), "ban");
    json_decref(d);
}

Test(route, tradate_deletes_nothing_but_grave_violations) {
    json_t *d = decide(classified("tradate", "t1", "comment", "profanity", 1));
    cr_expect_str_neq(str(d, "action", NULL), "delete");
    cr_expect_str_neq(str(d, "action", NULL), "hide");
    cr_expect_eq(strikes(d), 0);
    json_decref(d);
    d = decide(classified("tradate", "t2", "comment", "insult", 1));
    cr_expect_str_neq(str(d, "action", NULL), "delete");
    json_decref(d);
}

Test(route, alessandria_holds_private_messages) {
    json_t *d = decide(classified("alessandria", "a1", "private_message", NULL, 1));
    cr_expect_str_eq(str(d, "action", NULL), "hold");
    cr_expect_eq(json_is_true(json_object_get(d, "needs_review")), 1);
    json_decref(d);
    d = decide(classified("alessandria", "a2", "comment", NULL, 1));
    cr_expect_str_eq(str(d, "action", NULL), "none");
    json_decref(d);
}

Test(route, personal_data_in_a_private_message_is_not_removed) {
    json_t *d = decide(classified("arese", "pm1", "private_message", "personal_data", 1));
    cr_expect_str_eq(str(d, "action", NULL), "none");
    cr_expect_eq(strikes(d), 0);
    cr_expect_str_eq(str(d, "redacted_text", NULL), "testo originale con [codice_fiscale]");
    json_decref(d);
    d = decide(classified("arese", "pc1", "comment", "personal_data", 1));
    cr_expect_str_neq(str(d, "action", NULL), "none", "in a public comment it is");
    json_decref(d);
}

Test(route, arese_redirects_service_reports_to_its_reporting_service) {
    json_t *d = decide(classified("arese", "s1", "comment", "service_report", 1));
    cr_expect_str_eq(str(d, "action", NULL), "reply");
    cr_expect_eq(count(TOPIC_ACTIONS, "\"type\":\"reply\""), 1);
    cr_expect_eq(strikes(d), 0, "a report is never a strike");
    json_decref(d);
}

Test(route, criticism_is_never_removed_nor_a_strike) {
    const char *tenants[] = { "lecce", "arese", "alessandria", "tradate", "cassino" };
    for (size_t i = 0; i < 5; i++) {
        json_t *d = decide(classified(tenants[i], "c1", "comment", "criticism", 1));
        cr_expect_str_eq(str(d, "action", NULL), "none", "%s", tenants[i]);
        cr_expect_eq(strikes(d), 0, "%s", tenants[i]);
        json_decref(d);
    }
}

/* A classified envelope whose only label of category the model alone found, with score;
 * with_criticism adds a rule's criticism label. */
static json_t *classified_by_model(const char *tenant, const char *event_id, const char *category,
                                   double score, int with_criticism) {
    json_t *env = classified(tenant, event_id, "comment", category, 1);
    json_t *labels = json_object_get(json_object_get(env, "classification"), "labels");
    json_t *label = json_array_get(labels, 0);
    char rule_id[64];
    snprintf(rule_id, sizeof rule_id, "model.%s", category);
    json_object_set_new(label, "origin", json_string("model"));
    json_object_set_new(label, "rule_id", json_string(rule_id));
    json_object_set_new(label, "score", json_real(score));
    json_object_set_new(label, "model_score", json_real(score));
    // clang-format off
    if (with_criticism)
        json_array_append_new(labels, json_pack("{s:s, s:f, s:s, s:s, s:s, s:s, s:[], s:[]}",
                                                "category", "criticism", "score", 0.9,
                                                "severity", "low", "rule_id", "re.criticism.x",
                                                "origin", "rules", "policy_ref",
                                                "Test: «clausola»", "spans", "rule_ids"));
    // clang-format on
    return env;
}

static double model_remove(const char *tenant, const char *category) {
    char err[4096];
    struct tenant_set *set = tenant_set_load(SOURCE_DIR "/config", err, sizeof err);
    cr_assert_not_null(set, "%s", err);
    double x = tenant_category(tenant_set_find(set, tenant), category)->model_remove;
    tenant_set_free(set);
    return x;
}

Test(route, model_only_label_removes_from_the_removal_threshold) {
    double remove = model_remove("lecce", "insult");
    cr_assert_leq(remove, 1.0, "the baseline removes model-only insults from some score");
    json_t *d = decide(classified_by_model("lecce", "m1", "insult", remove, 0));
    cr_expect_str_eq(str(d, "action", NULL), "hide");
    cr_expect_eq(strikes(d), 1);
    json_t *cat = json_array_get(json_object_get(d, "categories"), 0);
    cr_expect_str_eq(json_string_value(json_object_get(cat, "origin")), "model");
    cr_expect_str_eq(json_string_value(json_object_get(cat, "rule_id")), "model.insult");
    cr_expect(strstr(str(d, "statement_of_reasons", NULL), "classificazione statistica") != NULL,
              "the author is told a model decided: %s", str(d, "statement_of_reasons", NULL));
    json_decref(d);
}

Test(route, model_only_label_below_removal_asks_for_review) {
    double remove = model_remove("lecce", "insult");
    json_t *d = decide(classified_by_model("lecce", "m2", "insult", remove - 0.05, 0));
    cr_expect_str_eq(str(d, "action", NULL), "none", "content untouched");
    cr_expect_eq(json_is_true(json_object_get(d, "needs_review")), 1);
    cr_expect_eq(strikes(d), 0, "no strike until a moderator confirms");
    json_decref(d);
}

Test(route, confirming_a_proposed_removal_applies_it_once) {
    double remove = model_remove("lecce", "insult");
    json_t *d = decide(classified_by_model("lecce", "c1", "insult", remove - 0.05, 0));
    cr_assert_str_eq(str(d, "proposed", "action"), "hide", "the removal waits for a person");
    cr_expect_str_eq(str(d, "proposed", "category"), "insult");
    json_decref(d);

    cr_assert_eq(tenant_operator_event("lecce", "confirm", "c1"), STAGE_OK);
    cr_expect_eq(count(TOPIC_ACTIONS, "\"type\":\"hide\""), 1);
    d = json_loads(only(TOPIC_DECISIONS), 0, NULL);
    cr_expect_str_eq(str(d, "status", NULL), "confirmed");
    cr_expect_str_eq(str(d, "action", NULL), "hide");
    cr_expect_eq(strikes(d), 1, "a confirmed insult counts on the ladder");
    cr_expect_null(json_object_get(d, "proposed"));
    cr_expect_str_eq(str(d, "dsa", "category"), "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH");
    cr_expect_str_eq(str(d, "dsa", "automated_decision"), "AUTOMATED_DECISION_PARTIALLY");
    cr_expect(strstr(str(d, "statement_of_reasons", NULL), "Un moderatore ha confermato") != NULL,
              "%s", str(d, "statement_of_reasons", NULL));
    char *first = xstrdup(only(TOPIC_DECISIONS));
    json_decref(d);

    /* The same confirmation again (a retry, a double click) publishes the same revision. */
    cr_assert_eq(tenant_operator_event("lecce", "confirm", "c1"), STAGE_OK);
    cr_expect_str_eq(only(TOPIC_DECISIONS), first);
    cr_expect_eq(count(TOPIC_ACTIONS, "\"type\":\"hide\""), 1);
    free(first);

    /* The strike is counted once: the author's next insult is the second. */
    d = decide(classified("lecce", "c2", "comment", "insult", 2));
    cr_expect_eq(strikes(d), 2);
    json_decref(d);

    /* An appeal against the confirmed decision undoes what the confirmation applied. */
    cr_assert_eq(tenant_operator_event("lecce", "overturn", "c1"), STAGE_OK);
    cr_expect_eq(count(TOPIC_ACTIONS, "\"type\":\"unhide\""), 1);
    d = json_loads(only(TOPIC_DECISIONS), 0, NULL);
    cr_expect_str_eq(str(d, "status", NULL), "overturned");
    cr_expect_eq(json_integer_value(json_object_get(d, "revision")), 3);
    cr_expect_eq(strikes(d), 0);
    json_decref(d);
}

Test(route, model_never_removes_criticism) {
    json_t *d = decide(classified_by_model("lecce", "m3", "insult", 1.0, 1));
    cr_expect_str_eq(str(d, "action", NULL), "none");
    cr_expect_eq(json_is_true(json_object_get(d, "needs_review")), 1);
    cr_expect_eq(strikes(d), 0);
    json_decref(d);
}

Test(route, model_never_removes_what_it_found_in_a_quotation) {
    json_t *env = classified_by_model("lecce", "m6", "hate_speech", 1.0, 0);
    json_t *label =
        json_array_get(json_object_get(json_object_get(env, "classification"), "labels"), 0);
    json_object_set_new(label, "quoted", json_true());
    json_t *d = decide(env);
    cr_expect_str_eq(str(d, "action", NULL), "none", "counter-speech quotes what it condemns");
    cr_expect_eq(json_is_true(json_object_get(d, "needs_review")), 1);
    json_decref(d);
}

/* The same for a rule's finding: quoted abuse goes to a person, with no strike. */
Test(route, quoted_abuse_found_by_a_rule_removes_nothing) {
    json_t *env = classified("lecce", "q1", "comment", "hate_speech", 1);
    json_t *label =
        json_array_get(json_object_get(json_object_get(env, "classification"), "labels"), 0);
    json_object_set_new(label, "quoted", json_true());
    json_t *d = decide(env);
    cr_expect_str_eq(str(d, "action", NULL), "none");
    cr_expect_eq(json_is_true(json_object_get(d, "needs_review")), 1);
    cr_expect_eq(strikes(d), 0);
    json_decref(d);
}

Test(route, tradate_reviews_what_only_the_model_found) {
    json_t *d = decide(classified_by_model("tradate", "m4", "hate_speech", 1.0, 0));
    cr_expect_str_eq(str(d, "action", NULL), "none");
    cr_expect_eq(json_is_true(json_object_get(d, "needs_review")), 1);
    json_decref(d);
}

Test(route, model_only_threat_never_bans_at_once) {
    json_t *d = decide(classified_by_model("lecce", "m5", "threat", 1.0, 0));
    cr_expect_str_eq(str(d, "action", NULL), "delete");
    cr_expect_str_neq(str(d, "enforcement", "step"), "ban");
    json_decref(d);
}

Test(route, threats_go_to_the_legal_office) {
    json_t *d = decide(classified("lecce", "th1", "comment", "threat", 1));
    cr_expect_str_eq(str(d, "action", NULL), "delete");
    cr_expect_eq(count(TOPIC_ESCALATIONS, "\"office\":\"avvocatura\""), 1,
                 "one ticket for the legal office");
    cr_expect_eq(count(TOPIC_ESCALATIONS, "\"priority\":\"urgent\""),
                 count(TOPIC_ESCALATIONS, NULL));
    cr_expect(json_array_size(json_object_get(d, "escalated_to")) >= 1);
    cr_expect_str_eq(str(d, "dsa", "category"), "STATEMENT_CATEGORY_VIOLENCE");
    json_decref(d);
}

/* A deletion of the content by its author, as ingest produces it. */
static json_t *deletion(const char *tenant, const char *content_id) {
    json_t *env = classified(tenant, content_id, "comment", NULL, 2);
    char *id = xasprintf("facebook:%s:deleted", content_id);
    json_object_set_new(env, "event_id", json_string(id));
    json_object_set_new(env, "event_type", json_string("deleted"));
    json_object_set_new(env, "text", json_string("[contenuto rimosso]"));
    free(id);
    return env;
}

static enum stage_status route_one(json_t *env) {
    char reason[512];
    stage_outputs_clear(&out);
    enum stage_status s = router_decide(router, env, T0 + 2 * DAY_MS, &out, reason, sizeof reason);
    json_decref(env);
    return s;
}

Test(route, deleting_content_resolves_the_tickets_it_opened) {
    json_decref(decide(classified("lecce", "th2", "comment", "threat", 1)));
    cr_assert_geq(count(TOPIC_ESCALATIONS, NULL), 1);
    cr_assert_eq(route_one(deletion("lecce", "th2")), STAGE_OK);
    cr_expect_eq(out.n, 1, "only the operator event: a deletion is not judged");
    cr_assert_eq(count(TOPIC_OPERATOR, "\"type\":\"resolve\""), 1);
    json_t *ev = json_loads(out.v[0].value, 0, NULL);
    cr_expect_str_eq(str(ev, "decision_id", NULL), "th2");
    cr_expect_str_eq(str(ev, "event_id", NULL), "facebook:th2:deleted:th2");
    cr_expect_str_eq(out.v[0].key, "lecce|th2");
    json_decref(ev);
    /* redelivered, the deletion says the same again (no second decision is remembered) */
    cr_assert_eq(route_one(deletion("lecce", "th2")), STAGE_OK);
    cr_expect_eq(count(TOPIC_OPERATOR, "facebook:th2:deleted:th2"), 1);
}

Test(route, deleting_content_without_tickets_emits_nothing) {
    json_decref(decide(classified("lecce", "c9", "comment", "criticism", 1)));
    cr_assert_eq(route_one(deletion("lecce", "c9")), STAGE_OK);
    cr_expect_eq(out.n, 0);
    /* Alessandria holds private messages for review; their deletion is not held again */
    json_t *message = deletion("alessandria", "never-seen");
    json_object_set_new(message, "kind", json_string("message"));
    cr_assert_eq(route_one(message), STAGE_OK);
    cr_expect_eq(out.n, 0);
}

/* value with every instant of today (the decision time router_stage takes from the clock)
 * replaced by "NOW", as a new string: outputs of two runs a moment apart compare equal. */
static char *without_now(const char *value) {
    char today[RFC3339_LEN];
    rfc3339_format(time_now_ms(), today);
    today[10] = '\0';
    char *s = xstrdup(value), *p = s;
    while ((p = strstr(p, today))) {
        char *end = strchr(p, '"');
        memmove(p + 3, end, strlen(end) + 1);
        memcpy(p, "NOW", 3);
        p += 3;
    }
    return s;
}

/* Runs in through r and returns its outputs as "topic key value" lines, instants of
 * today replaced (a new string). */
static char *stage_lines(struct router *r, const struct stage_input *in) {
    struct stage_outputs o = { 0 };
    char reason[512], *all = xstrdup("");
    cr_assert_eq(router_stage(r, in, &o, reason, sizeof reason), STAGE_OK, "%s", reason);
    for (size_t j = 0; j < o.n; j++) {
        char *v = without_now(o.v[j].value);
        char *next = xasprintf("%s%s %s %s\n", all, o.v[j].topic, o.v[j].key, v);
        free(v), free(all);
        all = next;
    }
    stage_outputs_free(&o);
    return all;
}

Test(route, prepared_batches_decide_as_inputs_one_by_one) {
    static const char *const cats[] = { "insult", NULL, "threat", "insult", "information_request" };
    enum { N = 240 };
    struct stage_input in[N];
    char *bufs[N];
    for (size_t i = 0; i < N; i++) {
        char id[32], author[32];
        snprintf(id, sizeof id, "ev%zu", i);
        /* Authors come back within a batch and across batches; strikes pile up. */
        snprintf(author, sizeof author, "author-%zu", (i * 7) % 11);
        /* Deletions of contents decided in the same batch and in the one before: the
         * tickets a batch remembers per content must be there for them. */
        char target[32];
        snprintf(target, sizeof target, "ev%zu", i % 12 == 11 ? i - 14 : i - 2);
        json_t *env = i % 6 == 5 ? deletion("lecce", target)
                                 : classified("lecce", id, "comment", cats[i % 5], (double)i / 24);
        json_object_set_new(json_object_get(env, "author"), "id", json_string(author));
        bufs[i] = json_dumps(env, JSON_COMPACT);
        json_decref(env);
        in[i] = (struct stage_input){ TOPIC_CLASSIFIED, bufs[i], strlen(bufs[i]) };
    }
    char err[4096];
    struct state_store st2;
    state_mem_init(&st2);
    struct router *prepared = router_new(tenant_set_load(SOURCE_DIR "/config", err, sizeof err),
                                         &st2, "unit-test-key", err, sizeof err);
    cr_assert_not_null(prepared, "%s", err);
    int climbed = 0;
    for (size_t i = 0; i < N; i++) {
        if (i % 16 == 0) router_prepare(prepared, in + i, N - i < 16 ? N - i : 16);
        char *a = stage_lines(router, &in[i]), *b = stage_lines(prepared, &in[i]);
        cr_assert_str_eq(a, b, "input %zu", i);
        climbed |= strstr(a, "\"step\":\"ban\"") != NULL;
        free(a), free(b);
    }
    cr_expect(climbed, "the ladder reaches a ban");
    int resolved = 0;
    for (size_t i = 0; i < N; i++) {
        char id[48], *a = NULL, *b = NULL;
        snprintf(id, sizeof id, "content:facebook:ev%zu", i);
        cr_assert_eq(state_record_get(&st, "lecce", id, &a), 0);
        cr_assert_eq(state_record_get(&st2, "lecce", id, &b), 0);
        cr_assert((!a && !b) || (a && b && strcmp(a, b) == 0), "%s: %s against %s", id, a, b);
        resolved += a != NULL;
        free(a), free(b);
    }
    cr_expect_gt(resolved, 0, "decisions opened tickets on their contents");
    router_free(prepared);
    state_store_free(&st2);
    for (size_t i = 0; i < N; i++) free(bufs[i]);
}
