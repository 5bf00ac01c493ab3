/* End to end through the real broker and Redis: the worker binaries run as they would in
 * production; envelopes produced to vigile.inbound come out as decisions, malformed ones
 * as dead letters. The messages read are saved under the build directory for the schema
 * check (tests/validate_schemas.py), so that it validates what the workers really wrote. */
#include <criterion/criterion.h>
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

/* Other tests' workers (an SLA worker with its own tenants) may dead-letter our
 * tickets too: count classify's only. A dead letter carries its input as base64. */
static int ours_from_classify(const struct test_message *m, void *arg) {
    (void)arg;
    if (!strstr(m->value, "\"stage\":\"classify\"")) return 0;
    char *payload = test_deadletter_payload(m);
    int mine = strstr(payload, run_id) != NULL;
    free(payload);
    return mine;
}

static void produce_envelope(const char *id, const char *tenant, const char *kind,
                             const char *text) {
    char *v = xasprintf(
        "{\"schema\":{\"name\":\"vigile.envelope\",\"version\":1},\"event_id\":\"%s-%s\","
        "\"tenant\":\"%s\",\"platform\":\"facebook\",\"kind\":\"%s\",\"content_id\":\"c-%s\","
        "\"author\":{\"id\":\"author-%s\",\"name\":\"Maria Bianchi\"},\"text\":\"%s\","
        "\"created_at\":\"2026-11-20T10:00:00Z\",\"received_at\":\"2026-11-20T10:00:01Z\"}",
        run_id, id, tenant, kind, id, run_id, text);
    char *key = xasprintf("%s|author-%s", tenant, run_id);
    test_produce(TOPIC_INBOUND, key, v, strlen(v));
    free(key);
    free(v);
}

Test(pipeline, inbound_to_decisions_and_deadletters, .timeout = 240) {
    snprintf(run_id, sizeof run_id, "run%d", (int)getpid());
    proc_test_env(run_id);
    setenv("VIGILE_TOPIC_PARTITIONS", "3", 1);
    test_brokers();

    pid_t classify = proc_start_worker("classify", NULL);
    pid_t route = proc_start_worker("route", NULL);

    produce_envelope("insult", "lecce", "comment", "Sindaco ladro e buffone");
    produce_envelope("pii", "arese", "comment", "Il mio codice fiscale è RSSMRA85T10A562S");
    produce_envelope("question", "tradate", "comment", "A che ora apre la biblioteca sabato?");
    produce_envelope("pm", "alessandria", "private_message", "Buongiorno, vorrei un'informazione");
    /* Malformed: not JSON, a wrong type, an unknown tenant. */
    char bad1[128], bad3[512];
    snprintf(bad1, sizeof bad1, "{\"event_id\": \"%s-broken\", ", run_id);
    test_produce(TOPIC_INBOUND, "x|y", bad1, strlen(bad1));
    char *bad2 =
        xasprintf("{\"schema\":{\"name\":\"vigile.envelope\",\"version\":1},\"event_id\":\"%s-"
                  "type\",\"tenant\":\"lecce\",\"platform\":\"facebook\",\"kind\":\"comment\","
                  "\"content_id\":\"c\",\"author\":{\"id\":\"a\"},\"text\":42,\"created_at\":"
                  "\"2026-11-20T10:00:00Z\",\"received_at\":\"2026-11-20T10:00:00Z\"}",
                  run_id);
    test_produce(TOPIC_INBOUND, "lecce|a", bad2, strlen(bad2));
    free(bad2);
    snprintf(bad3, sizeof bad3,
             "{\"schema\":{\"name\":\"vigile.envelope\",\"version\":1},\"event_id\":\"%s-tenant\","
             "\"tenant\":\"atlantide\",\"platform\":\"facebook\",\"kind\":\"comment\",\"content_"
             "id\":\"c\",\"author\":{\"id\":\"a\"},\"text\":\"ciao\",\"created_at\":\"2026-11-"
             "20T10:00:00Z\",\"received_at\":\"2026-11-20T10:00:00Z\"}",
             run_id);
    test_produce(TOPIC_INBOUND, "atlantide|a", bad3, strlen(bad3));

    struct test_message *dec, *dl, *cls, *lecce;
    size_t n_dec = test_consume(TOPIC_DECISIONS, ours, NULL, 4, 120000, 2000, &dec);
    size_t n_dl = test_consume(TOPIC_DEADLETTER, ours_from_classify, NULL, 3, 30000, 1000, &dl);
    size_t n_cls = test_consume(TOPIC_CLASSIFIED, ours, NULL, 4, 30000, 0, &cls);
    size_t n_lecce = test_consume(TOPIC_DECISIONS ".lecce", ours, NULL, 1, 30000, 1000, &lecce);
    struct test_message *act, *esc;
    size_t n_act = test_consume(TOPIC_ACTIONS, ours, NULL, 1, 30000, 1000, &act);
    size_t n_esc = test_consume(TOPIC_ESCALATIONS, ours, NULL, 1, 30000, 1000, &esc);

    cr_expect_eq(proc_stop(classify), 0, "classify exit code");
    cr_expect_eq(proc_stop(route), 0, "route exit code");

    cr_expect_eq(n_dec, 4, "decisions: %zu", n_dec);
    cr_expect_eq(n_dl, 3, "dead letters: %zu", n_dl);
    cr_expect_eq(n_cls, 4, "classified: %zu", n_cls);
    cr_expect_eq(n_lecce, 1, "lecce's own topic: %zu (only its decision)", n_lecce);
    int saw_hide = 0, saw_type = 0, saw_tenant = 0;
    for (size_t i = 0; i < n_dec; i++) {
        saw_hide |= strstr(dec[i].value, "\"action\":\"hide\"") && strstr(dec[i].value, "insult");
        cr_expect_null(strstr(dec[i].value, "author-"), "raw author id on decisions: %s",
                       dec[i].value);
        cr_expect_null(strstr(dec[i].value, "RSSMRA85T10A562S"), "codice fiscale in clear: %s",
                       dec[i].value);
    }
    for (size_t i = 0; i < n_dl; i++) {
        saw_type |= strstr(dl[i].value, "$.text: expected string, got integer") != NULL;
        saw_tenant |= strstr(dl[i].value, "unknown tenant") != NULL;
    }
    cr_expect(saw_hide, "the insult was hidden");
    cr_expect(saw_type, "the wrong type was dead-lettered with its path");
    cr_expect(saw_tenant, "the unknown tenant was dead-lettered");
    test_save_messages("decisions", dec, n_dec);
    test_save_messages("deadletter", dl, n_dl);
    test_save_messages("classified", cls, n_cls);
    cr_expect(n_act >= 1, "the insult's hide command");
    cr_expect(n_esc >= 1, "the question's ticket");
    test_save_messages("actions", act, n_act);
    test_save_messages("escalations", esc, n_esc);
    test_messages_free(act, n_act);
    test_messages_free(esc, n_esc);
    test_messages_free(dec, n_dec);
    test_messages_free(dl, n_dl);
    test_messages_free(cls, n_cls);
    test_messages_free(lecce, n_lecce);
}
