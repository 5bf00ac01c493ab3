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
static json_t *run(const char *tenant, const char *event_id, const char *author, const char *text,
                   int minute, enum stage_status expect) {
    char when[32], reason[512] = "";
    snprintf(when, sizeof when, "2026-03-06T10:%02d:00Z", minute);
    // clang-format off
    json_t *env = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s}, s:s, s:s}", "event_id", event_id,
                            "tenant", tenant, "platform", "facebook", "kind", "comment",
                            "content_id", event_id, "author", "id", author, "text", text,
                            "created_at", when);
    // clang-format on
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
    cr_expect_str_eq(envelope_str(env, "redacted_text"),
                     "Il mio codice fiscale è [codice_fiscale]");
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
    cr_expect_eq(json_array_size(json_object_get(json_object_get(env, "classification"), "labels")),
                 0);
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

/* The corpus as envelopes, each text twice (so that many are repeated posts), two
 * authors on two tenants: what classifier_prepare must not change. Returns the count;
 * bufs are new. */
static size_t corpus_envelopes(char **bufs, size_t max) {
    FILE *fp = fopen(SOURCE_DIR "/tests/corpus/comments.jsonl", "r");
    cr_assert_not_null(fp);
    char line[8192];
    size_t n = 0;
    while (n + 2 <= max && fgets(line, sizeof line, fp)) {
        json_t *row = json_loads(line, 0, NULL);
        for (int copy = 0; copy < 2; copy++, n++) {
            char id[32];
            snprintf(id, sizeof id, "e%zu", n);
            // clang-format off
            json_t *env = json_pack(
                "{s:{s:s, s:i}, s:s, s:s, s:s, s:s, s:s, s:{s:s}, s:O, s:s, s:s}", "schema",
                "name", ENVELOPE_SCHEMA_NAME, "version", ENVELOPE_SCHEMA_VERSION, "event_id", id,
                "tenant", (n / 2) % 2 ? "lecce" : "arese", "platform", "facebook", "kind",
                "comment", "content_id", id, "author", "id", (n / 2) % 3 ? "a1" : "a2", "text",
                json_object_get(row, "text"), "created_at", "2026-03-06T10:00:00Z",
                "received_at", "2026-03-06T10:00:00Z");
            // clang-format on
            bufs[n] = json_dumps(env, JSON_COMPACT);
            json_decref(env);
        }
        json_decref(row);
    }
    fclose(fp);
    return n;
}

/* What classify wrote, less the time it wrote it. */
static char *without_time(const char *value) {
    json_t *env = json_loads(value, 0, NULL);
    json_object_del(json_object_get(env, "classification"), "classified_at");
    char *s = json_dumps(env, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(env);
    return s;
}

Test(classify, prepared_batches_decide_as_inputs_one_by_one) {
    static char *bufs[1000];
    size_t n = corpus_envelopes(bufs, 1000);
    char err[4096];
    struct state_store st2;
    state_mem_init(&st2);
    struct classifier *prepared =
        classifier_new(SOURCE_DIR "/data", tenant_set_load(SOURCE_DIR "/config", err, sizeof err),
                       &st2, "unit-test-key", err, sizeof err);
    cr_assert_not_null(prepared, "%s", err);
    struct stage_outputs a = { 0 }, b = { 0 };
    size_t repeated = 0;
    for (size_t i = 0; i < n; i += 16) {
        struct stage_input in[16];
        size_t k = n - i < 16 ? n - i : 16;
        for (size_t j = 0; j < k; j++)
            in[j] = (struct stage_input){ "vigile.inbound", bufs[i + j], strlen(bufs[i + j]) };
        classifier_prepare(prepared, in, k);
        for (size_t j = 0; j < k; j++) {
            char reason[512];
            cr_assert_eq(classifier_stage(cls, &in[j], &a, reason, sizeof reason), STAGE_OK, "%s",
                         reason);
            cr_assert_eq(classifier_stage(prepared, &in[j], &b, reason, sizeof reason), STAGE_OK,
                         "%s", reason);
            char *x = without_time(a.v[0].value), *y = without_time(b.v[0].value);
            cr_expect_str_eq(x, y, "input %zu", i + j);
            repeated += strstr(x, "state.repeated") != NULL;
            free(x), free(y);
            stage_outputs_clear(&a), stage_outputs_clear(&b);
        }
    }
    cr_expect_gt(repeated, n / 10, "repeated posts found: %zu of %zu", repeated, n);
    stage_outputs_free(&a), stage_outputs_free(&b);
    classifier_free(prepared);
    state_store_free(&st2);
    for (size_t i = 0; i < n; i++) free(bufs[i]);
}
