/* The classify stage around the text engine: the tenant's clause on every label,
 * repetition from the state store, redaction, deletions, unknown tenants. */
#include <criterion/criterion.h>
#include <string.h>

#include "classify.h"
#include "envelope.h"
#include "state.h"
#include "tenant.h"

static struct state_store st;
static struct classifier *cls;

static void setup(void) {
    char err[4096];
    state_mem_init(&st);
    struct tenant_set *set = tenant_set_load(SOURCE_DIR "/config", err, sizeof err);
    cr_assert_not_null(set, "%s", err);
    cls = classifier_new(SOURCE_DIR "/data", set, &st, "unit-test-key", err, sizeof err);
    cr_assert_not_null(cls, "%s", err);
}

static void teardown(void) {
    classifier_free(cls);
    state_store_free(&st);
}

TestSuite(classify, .init = setup, .fini = teardown);

/* Classifies text as author on tenant at minute; returns the envelope (new). */
static json_t *run(const char *tenant, const char *event_id, const char *author,
                   const char *text, int minute, enum stage_status expect) {
    char when[32], reason[512] = "";
    snprintf(when, sizeof when, "2026-03-06T10:%02d:00Z", minute);
    json_t *env = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s}, s:s, s:s}", "event_id", event_id,
                            "tenant", tenant, "platform", "facebook", "kind", "comment",
                            "content_id", event_id, "author", "id", author, "text", text,
                            "created_at", when);
    cr_assert_eq(classifier_run(cls, env, reason, sizeof reason), expect, "%s", reason);
    return env;
}

static const json_t *label(const json_t *env, const char *category) {
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(json_object_get(env, "classification"), "labels"), i, l) {
        if (strcmp(json_string_value(json_object_get(l, "category")), category) == 0) return l;
    }
    return NULL;
}

Test(classify, criticism_is_not_an_insult_and_labels_cite_the_tenant) {
    json_t *env = run("lecce", "c1", "a", "Amministrazione incapace, vergognatevi!", 0, STAGE_OK);
    cr_expect_not_null(label(env, "criticism"));
    cr_expect_null(label(env, "insult"));
    json_decref(env);
    env = run("lecce", "c2", "a", "Sindaco ladro e buffone", 1, STAGE_OK);
    const json_t *insult = label(env, "insult");
    cr_assert_not_null(insult);
    cr_expect(strstr(json_string_value(json_object_get(insult, "policy_ref")), "Moderazione"),
              "Lecce's clause is attached");
    json_decref(env);
}

Test(classify, personal_data_is_redacted_with_its_type) {
    json_t *env = run("arese", "p1", "b", "Il mio codice fiscale è RSSMRA85T10A562S", 0, STAGE_OK);
    cr_expect_str_eq(envelope_str(env, "redacted_text"), "Il mio codice fiscale è [codice_fiscale]");
    cr_expect_not_null(label(env, "personal_data"));
    json_decref(env);
}

Test(classify, the_same_text_again_is_repeated_for_that_author_only) {
    const char *text = "Il sindaco deve dimettersi subito, vergogna per tutta la città";
    json_decref(run("lecce", "r1", "c", text, 0, STAGE_OK));
    json_t *env = run("lecce", "r2", "c", text, 5, STAGE_OK);
    cr_expect_not_null(label(env, "repeated"));
    json_decref(env);
    env = run("lecce", "r3", "other", text, 6, STAGE_OK);
    cr_expect_null(label(env, "repeated"), "another author's post is not a repetition");
    json_decref(env);
    env = run("arese", "r4", "c", text, 7, STAGE_OK);
    cr_expect_null(label(env, "repeated"), "nor the same author on another tenant");
    json_decref(env);
}

Test(classify, deletions_are_recorded_without_labels) {
    char reason[512];
    json_t *env = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s}, s:s, s:s}", "event_id", "d1",
                            "event_type", "deleted", "tenant", "lecce", "platform", "facebook",
                            "kind", "comment", "content_id", "d1", "author", "id", "a", "text",
                            "[contenuto rimosso]", "created_at", "2026-03-06T10:00:00Z");
    cr_assert_eq(classifier_run(cls, env, reason, sizeof reason), STAGE_OK, "%s", reason);
    cr_expect_eq(json_array_size(json_object_get(json_object_get(env, "classification"), "labels")), 0);
    json_decref(env);
}

Test(classify, unknown_tenant_is_rejected) {
    json_decref(run("atlantide", "u1", "a", "ciao", 0, STAGE_REJECT));
}

Test(classify, labels_say_whether_a_rule_or_the_model_found_them) {
    json_t *env = run("lecce", "o1", "a", "Sindaco ladro e buffone", 0, STAGE_OK);
    const json_t *insult = label(env, "insult");
    cr_assert_not_null(insult);
    cr_expect_str_eq(json_string_value(json_object_get(insult, "origin")), "rules");
    cr_expect(json_is_number(json_object_get(insult, "model_score")), "the model scored it too");
    json_decref(env);
    /* wording the rules do not know; the model has seen its like */
    const char *text = "sei solo un povero fallito, vergognati e sparisci da questa pagina";
    env = run("lecce", "o2", "a", text, 1, STAGE_OK);
    size_t i, model_labels = 0;
    json_t *l;
    json_array_foreach(json_object_get(json_object_get(env, "classification"), "labels"), i, l) {
        if (strcmp(json_string_value(json_object_get(l, "origin")), "model") != 0) continue;
        model_labels++;
        char want[64];
        snprintf(want, sizeof want, "model.%s", json_string_value(json_object_get(l, "category")));
        cr_expect_str_eq(json_string_value(json_object_get(l, "rule_id")), want);
        size_t k;
        json_t *span;
        json_array_foreach(json_object_get(l, "spans"), k, span) {
            json_int_t s = json_integer_value(json_object_get(span, "start"));
            json_int_t e = json_integer_value(json_object_get(span, "end"));
            cr_expect(0 <= s && s < e && e <= (json_int_t)strlen(text), "span [%lld, %lld)",
                      (long long)s, (long long)e);
        }
    }
    cr_expect_gt(model_labels, 0, "no model label on: %s", text);
    json_decref(env);
}
