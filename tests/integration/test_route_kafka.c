/* vigile-route through the real broker and Redis: the ladder across a stream, a
 * redelivered message, a strike that expires, an overturn sent with vigile-op, tenant
 * topics that hold only their tenant, and a scan of every decision for raw ids and
 * unredacted personal data. Classified envelopes are produced directly, so the ladder
 * does not depend on the classifier. */
#include <criterion/criterion.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka_util.h"
#include "proc_util.h"
#include "topics.h"
#include "xmalloc.h"

static char run_id[64];

static int ours(const struct test_message *m, void *arg) {
    (void)arg;
    return strstr(m->value, run_id) != NULL;
}

/* A classified envelope by author (suffixed with the run id) on tenant. */
static void produce_classified(const char *tenant, const char *event, const char *author,
                               const char *created_at, const char *category) {
    char *label = category
                      ? xasprintf("{\"category\":\"%s\",\"score\":0.95,\"severity\":\"medium\","
                                  "\"rule_id\":\"test\",\"policy_ref\":\"Test: «x»\",\"spans\":[]}",
                                  category)
                      : xstrdup("");
    char *v = xasprintf(
        "{\"schema\":{\"name\":\"vigile.envelope\",\"version\":1},\"event_id\":\"%s-%s\","
        "\"tenant\":\"%s\",\"platform\":\"facebook\",\"kind\":\"comment\",\"content_id\":\"c-%s\","
        "\"author\":{\"id\":\"%s-%s\"},\"text\":\"scrivo RSSMRA85T10A562S\","
        "\"redacted_text\":\"scrivo "
        "[codice_fiscale]\",\"created_at\":\"%s\",\"received_at\":\"%s\","
        "\"classification\":{\"labels\":[%s],\"engine\":\"test\",\"classified_at\":\"%s\"}}",
        run_id, event, tenant, event, author, run_id, created_at, created_at, label, created_at);
    char *key = xasprintf("%s|%s-%s", tenant, author, run_id);
    test_produce(TOPIC_CLASSIFIED, key, v, strlen(v));
    free(key);
    free(v);
    free(label);
}

/* The decision for event among msgs with the given status, or NULL. */
static json_t *decision_for(struct test_message *msgs, size_t n, const char *event,
                            const char *status) {
    char id[128];
    snprintf(id, sizeof id, "%s-%s", run_id, event);
    for (size_t i = n; i-- > 0;) {
        json_t *d = json_loads(msgs[i].value, 0, NULL);
        if (d && strcmp(json_string_value(json_object_get(d, "decision_id")), id) == 0 &&
            strcmp(json_string_value(json_object_get(d, "status")), status) == 0)
            return d;
        json_decref(d);
    }
    return NULL;
}

static const char *step_of(const json_t *d) {
    return json_string_value(json_object_get(json_object_get(d, "enforcement"), "step"));
}

static long strikes_of(const json_t *d) {
    return (long)json_integer_value(json_object_get(json_object_get(d, "enforcement"), "strikes"));
}

static void expect_step(struct test_message *msgs, size_t n, const char *event, const char *step,
                        long strikes) {
    json_t *d = decision_for(msgs, n, event, "automated");
    cr_assert_not_null(d, "no decision for %s", event);
    cr_expect_str_eq(step_of(d), step, "%s", event);
    cr_expect_eq(strikes_of(d), strikes, "%s: strikes %ld", event, strikes_of(d));
    json_decref(d);
}

static void setup_env(void) {
    snprintf(run_id, sizeof run_id, "rk%d", (int)getpid());
    proc_test_env(run_id);
    test_brokers();
}

/* Every message on every decisions topic: pseudonymous authors, no codice fiscale, and
 * on vigile.decisions.<t> only tenant t. */
static void scan_decision_topics(void) {
    regex_t cf;
    cr_assert_eq(regcomp(&cf, "[A-Z]{6}[0-9]{2}[A-Z][0-9]{2}[A-Z][0-9]{3}[A-Z]", REG_EXTENDED), 0);
    const char *tenants[] = { "", "lecce", "arese", "cassino", "alessandria", "tradate" };
    for (size_t t = 0; t < sizeof tenants / sizeof *tenants; t++) {
        char topic[128];
        snprintf(topic, sizeof topic, "%s%s%s", TOPIC_DECISIONS, *tenants[t] ? "." : "",
                 tenants[t]);
        struct test_message *msgs;
        size_t n = test_consume(topic, NULL, NULL, (size_t)-1, 3000, 0, &msgs);
        for (size_t i = 0; i < n; i++) {
            json_t *d = json_loads(msgs[i].value, 0, NULL);
            cr_assert_not_null(d, "not JSON on %s", topic);
            const char *author = json_string_value(json_object_get(d, "author"));
            cr_expect(author && strncmp(author, "p_", 2) == 0, "author not a pseudonym on %s",
                      topic);
            cr_expect_neq(regexec(&cf, msgs[i].value, 0, NULL, 0), 0, "codice fiscale on %s",
                          topic);
            if (*tenants[t])
                cr_expect_str_eq(json_string_value(json_object_get(d, "tenant")), tenants[t],
                                 "foreign decision on %s", topic);
            json_decref(d);
        }
        test_messages_free(msgs, n);
    }
    regfree(&cf);
}

Test(route_kafka, ladder_redelivery_expiry_overturn_and_isolation, .timeout = 240) {
    setup_env();
    pid_t route = proc_start_worker("route", NULL);

    /* Cassino's ladder (the consortium's): warn, 7-day ban, ban, over a 90-day window. */
    produce_classified("cassino", "e1", "a", "2026-01-10T10:00:00Z", "insult");
    produce_classified("cassino", "e1", "a", "2026-01-10T10:00:00Z", "insult"); /* redelivered */
    produce_classified("cassino", "e2", "a", "2026-01-11T10:00:00Z", "insult");
    produce_classified("cassino", "e3", "a", "2026-01-25T10:00:00Z", "insult");
    /* A strike that expired: 91 days apart. */
    produce_classified("cassino", "x1", "b", "2026-01-01T10:00:00Z", "insult");
    produce_classified("cassino", "x2", "b", "2026-04-02T10:00:00Z", "insult");
    produce_classified("lecce", "l1", "c", "2026-01-10T10:00:00Z", "insult");
    produce_classified("arese", "r1", "d", "2026-01-10T10:00:00Z", "criticism");

    struct test_message *dec;
    size_t n = test_consume(TOPIC_DECISIONS, ours, NULL, 8, 120000, 2000, &dec);
    cr_assert_geq(n, 8, "decisions: %zu", n);
    expect_step(dec, n, "e1", "warn", 1);
    expect_step(dec, n, "e2", "temp_ban", 2);
    expect_step(dec, n, "e3", "ban", 3);
    expect_step(dec, n, "x1", "warn", 1);
    expect_step(dec, n, "x2", "warn", 1);
    int e1_seen = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *d = json_loads(dec[i].value, 0, NULL);
        if (strstr(json_string_value(json_object_get(d, "decision_id")), "-e1")) {
            e1_seen++;
            cr_expect_eq(strikes_of(d), 1, "the redelivered e1 counted once");
        }
        json_decref(d);
    }
    cr_expect_eq(e1_seen, 2, "both deliveries of e1 were decided");
    test_messages_free(dec, n);

    /* The appeal against e2 is accepted. */
    char decision[128];
    snprintf(decision, sizeof decision, "%s-e2", run_id);
    char *op[] = { BUILD_DIR "/services/vigile-op",
                   "overturn",
                   "--tenant",
                   "cassino",
                   "--decision",
                   decision,
                   "--operator",
                   "m.rossi",
                   NULL };
    cr_assert_eq(proc_wait(proc_start(op, NULL)), 0, "vigile-op");
    struct test_message *ops;
    size_t n_ops = test_consume(TOPIC_OPERATOR, ours, NULL, 1, 30000, 0, &ops);
    cr_expect_eq(n_ops, 1, "the operator event");
    test_save_messages("operator", ops, n_ops);
    test_messages_free(ops, n_ops);
    n = test_consume(TOPIC_DECISIONS, ours, NULL, 9, 60000, 1000, &dec);
    json_t *fixed = decision_for(dec, n, "e2", "overturned");
    cr_assert_not_null(fixed, "no corrected decision for e2");
    cr_expect_str_eq(json_string_value(json_object_get(fixed, "action")), "none");
    cr_expect_eq(json_integer_value(json_object_get(fixed, "revision")), 2);
    json_decref(fixed);
    test_messages_free(dec, n);

    struct test_message *act;
    size_t n_act = test_consume(TOPIC_ACTIONS, ours, NULL, 1, 30000, 1000, &act);
    int unban = 0, ban = 0;
    for (size_t i = 0; i < n_act; i++) {
        unban += strstr(act[i].value, "\"type\":\"unban\"") && strstr(act[i].value, "-e2");
        ban += strstr(act[i].value, "\"type\":\"ban\"") != NULL;
    }
    cr_expect_eq(unban, 1, "one unban for the overturned temporary ban");
    cr_expect_eq(ban, 2, "bans: the temporary one and the final one");
    test_messages_free(act, n_act);

    cr_expect_eq(proc_stop(route), 0);
    scan_decision_topics();
}
