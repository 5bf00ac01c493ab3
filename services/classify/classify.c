#include "classify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "parsed_ahead.h"
#include "pseudonym.h"
#include "tenant_engine.h"
#include "text_engine.h"
#include "timefmt.h"
#include "topics.h"
#include "xmalloc.h"

/* Near-duplicate posts: within REPEAT_WINDOW of each other, fingerprints at most
 * REPEAT_DISTANCE bits apart, and long enough that a "grazie!" said twice is not a
 * repetition. On the corpus a one-word edit moves a fingerprint 9-14 bits and unrelated
 * comments are 30-37 apart (docs/classification.md). */
#define REPEAT_WINDOW_MS (24LL * 3600 * 1000)
#define REPEAT_DISTANCE  16
#define REPEAT_MIN_BYTES 24
#define REPEAT_LOOKBACK  64

struct tenant_engines {
    struct tenant_set *tenants;
    struct text_engine **engines; /* parallel to tenant_set_at() */
};

/* A recent-posts answer asked ahead for an input of the batch (classifier_prepare). */
struct recent_ahead {
    char *tenant, *event_id; /* owned */
    size_t n;
    uint64_t earlier[REPEAT_LOOKBACK];
};

struct classifier {
    char *data_dir; /* owned copy: a reload reads the data again */
    struct text_base *base;
    struct tenant_engines te;
    struct text_scratch *scratch;
    struct state_store *state;
    const char *pseudonym_key;
    struct recent_ahead *ahead; /* the last prepared batch's answers */
    size_t n_ahead, cap_ahead;
    struct parsed_ahead parsed; /* the last prepared batch's envelopes */
};

static void engines_free(struct tenant_engines *te) {
    if (te->tenants) tenant_engines_free(te->engines, tenant_set_count(te->tenants));
    tenant_set_free(te->tenants);
    te->engines = NULL;
    te->tenants = NULL;
}

/* Builds each tenant's engine (the model on). Steals tenants. */
static int engines_build(struct tenant_engines *te, const struct text_base *base,
                         struct tenant_set *tenants, char *err, size_t n) {
    te->tenants = tenants;
    te->engines = tenant_engines_new(base, tenants, 1, err, n);
    if (!te->engines) {
        engines_free(te);
        return -1;
    }
    return 0;
}

struct classifier *classifier_new(const char *data_dir, struct tenant_set *tenants,
                                  struct state_store *state, const char *pseudonym_key, char *err,
                                  size_t n) {
    struct classifier *c = xcalloc(1, sizeof *c);
    c->state = state;
    c->pseudonym_key = pseudonym_key;
    c->data_dir = xstrdup(data_dir);
    c->scratch = text_scratch_new();
    if (classifier_reload(c, tenants, err, n)) {
        classifier_free(c);
        return NULL;
    }
    return c;
}

/* A reload reads the data directory again (lexicons, rules, the model: a retrained
 * model is picked up by SIGHUP like a changed tenant file) and swaps base and engines
 * together, so that no engine outlives the base it was built on. */
int classifier_reload(struct classifier *c, struct tenant_set *tenants, char *err, size_t n) {
    struct tenant_engines fresh = { 0 };
    struct text_base *base = text_base_new(c->data_dir, err, n);
    if (!base) {
        tenant_set_free(tenants);
        return -1;
    }
    if (engines_build(&fresh, base, tenants, err, n)) {
        text_base_free(base);
        return -1;
    }
    engines_free(&c->te);
    text_base_free(c->base);
    c->base = base;
    c->te = fresh;
    return 0;
}

static void ahead_clear(struct classifier *c) {
    for (size_t i = 0; i < c->n_ahead; i++) free(c->ahead[i].tenant), free(c->ahead[i].event_id);
    c->n_ahead = 0;
    parsed_ahead_clear(&c->parsed);
}

void classifier_free(struct classifier *c) {
    if (!c) return;
    ahead_clear(c);
    free(c->ahead);
    parsed_ahead_free(&c->parsed);
    engines_free(&c->te);
    text_scratch_free(c->scratch);
    text_base_free(c->base);
    free(c->data_dir);
    free(c);
}

static const char *severity_name(int sev) {
    return sev >= 3 ? "high" : sev == 2 ? "medium" : "low";
}

static void append_unique(json_t *array, const char *s) {
    size_t i;
    json_t *v;
    json_array_foreach(array, i, v) {
        if (strcmp(json_string_value(v), s) == 0) return;
    }
    json_array_append_new(array, json_string(s));
}

/* The JSON label of a category, created on first use; labels[] is indexed by category.
 * Its origin is its first finding's: the engine labels a category from the model only
 * when no rule found it, so a category's findings share one origin. model_score < 0:
 * the model has no score for the category. */
static json_t *category_label(json_t **labels, enum text_category cat, const char *rule_id,
                              enum text_origin origin, double model_score, const struct tenant *t) {
    if (labels[cat]) return labels[cat];
    const char *name = text_category_name(cat);
    const struct tenant_category_rule *rule = tenant_category(t, name);
    // clang-format off
    labels[cat] = json_pack("{s:s, s:f, s:s, s:s, s:s, s:[], s:s, s:[], s:[]}", "category", name,
                            "score", 0.0, "severity", "low", "rule_id", rule_id, "origin",
                            origin == TEXT_ORIGIN_MODEL ? "model" : "rules", "rule_ids",
                            "policy_ref", rule && rule->policy_ref ? rule->policy_ref
                                                                   : "(nessuna clausola)",
                            "spans", "details");
    // clang-format on
    if (model_score >= 0) json_object_set_new(labels[cat], "model_score", json_real(model_score));
    return labels[cat];
}

/* Merges one engine finding into its category's label: highest score and severity,
 * every rule, span and detail. */
static void merge_finding(json_t *label, const char *rule_id, double score, int severity,
                          const char *detail, size_t start, size_t end) {
    if (score > json_real_value(json_object_get(label, "score")))
        json_object_set_new(label, "score", json_real(score));
    const char *cur = json_string_value(json_object_get(label, "severity"));
    int cur_sev = strcmp(cur, "high") == 0 ? 3 : strcmp(cur, "medium") == 0 ? 2 : 1;
    if (severity > cur_sev)
        json_object_set_new(label, "severity", json_string(severity_name(severity)));
    append_unique(json_object_get(label, "rule_ids"), rule_id);
    if (detail) append_unique(json_object_get(label, "details"), detail);
    json_array_append_new(
        json_object_get(label, "spans"),
        json_pack("{s:I, s:I}", "start", (json_int_t)start, "end", (json_int_t)end));
}

/* The recent-posts question of env (author is filled, and owned by the caller); fp is
 * the fingerprint of its text. */
static struct state_recent_req recent_req(const struct classifier *c, const json_t *env,
                                          uint64_t fp, char author[PSEUDONYM_LEN]) {
    const char *tenant = envelope_str(env, "tenant");
    pseudonym_make(c->pseudonym_key, strlen(c->pseudonym_key), tenant,
                   envelope_str(env, "platform"), envelope_author_id(env), author);
    int64_t ts;
    if (rfc3339_parse(envelope_str(env, "created_at"), &ts)) ts = time_now_ms();
    return (struct state_recent_req){ tenant, author, envelope_str(env, "event_id"),
                                      ts,     fp,     REPEAT_WINDOW_MS };
}

/* The answer asked ahead for the event, or NULL. Redis keeps every answer per event id,
 * so one asked ahead is the one a call now would get. */
static const struct recent_ahead *ahead_find(const struct classifier *c, const char *tenant,
                                             const char *event_id) {
    for (size_t i = 0; i < c->n_ahead; i++)
        if (strcmp(c->ahead[i].event_id, event_id) == 0 && strcmp(c->ahead[i].tenant, tenant) == 0)
            return &c->ahead[i];
    return NULL;
}

/* Asks the state store whether the author posted this, or nearly this, recently.
 * Returns 1 (repeated), 0, or -1 when the store is unavailable. */
static int is_repeated(struct classifier *c, const json_t *env, uint64_t fp, size_t text_len) {
    if (text_len < REPEAT_MIN_BYTES) return 0;
    const struct recent_ahead *a =
        ahead_find(c, envelope_str(env, "tenant"), envelope_str(env, "event_id"));
    uint64_t earlier[REPEAT_LOOKBACK];
    size_t n = a ? a->n : 0;
    if (a) {
        memcpy(earlier, a->earlier, n * sizeof *earlier);
    } else {
        char author[PSEUDONYM_LEN];
        struct state_recent_req q = recent_req(c, env, fp, author);
        if (state_recent_add(c->state, q.tenant, q.author, q.event_id, q.ts_ms, fp, q.window_ms,
                             earlier, REPEAT_LOOKBACK, &n))
            return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (text_fingerprint_distance(fp, earlier[i]) <= REPEAT_DISTANCE) return 1;
    return 0;
}

/* The index of the tenant's engine, or -1 when the tenant is unknown. */
static long engine_index(const struct classifier *c, const char *tenant_name) {
    size_t count = tenant_set_count(c->te.tenants);
    for (size_t i = 0; i < count; i++)
        if (strcmp(tenant_id(tenant_set_at(c->te.tenants, i)), tenant_name) == 0) return (long)i;
    return -1;
}

/* Runs the tenant's engine and the repetition check on env's text, filling by_cat (one
 * label per category) and *redacted (new reference). Returns STAGE_OK, or STAGE_REJECT /
 * STAGE_RETRY with a reason and nothing to free. */
static enum stage_status find_labels(struct classifier *c, long ti, const json_t *env,
                                     json_t **by_cat, json_t **redacted, char *reason, size_t n) {
    const struct tenant *t = tenant_set_at(c->te.tenants, (size_t)ti);
    json_t *text = json_object_get(env, "text");
    json_t *post = json_object_get(json_object_get(env, "context"), "post_text");
    struct text_result res;
    if (text_classify(c->te.engines[ti], c->scratch, json_string_value(text),
                      json_string_length(text), json_string_value(post),
                      post ? json_string_length(post) : 0, &res) != TEXT_OK) {
        snprintf(reason, n, "$.text: invalid UTF-8 at byte %zu", res.bad_offset);
        return STAGE_REJECT;
    }
    int unquoted[TEXT_CAT_COUNT] = { 0 };
    for (size_t i = 0; i < res.n; i++) {
        const struct text_label *l = &res.labels[i];
        merge_finding(category_label(by_cat, l->category_id, l->rule_id, l->origin,
                                     res.model_scores[l->category_id], t),
                      l->rule_id, l->score, (int)l->severity, l->detail, l->span.start,
                      l->span.end);
        unquoted[l->category_id] |= !l->quoted;
    }
    /* Quoted only when all of its evidence is: one quoted word does not excuse the rest. */
    for (int i = 0; i < TEXT_CAT_COUNT; i++)
        if (by_cat[i] && !unquoted[i]) json_object_set_new(by_cat[i], "quoted", json_true());
    /* Copied before the state call: res points into the scratch. */
    *redacted = json_stringn(res.redacted, res.redacted_len);
    int rep = is_repeated(c, env, res.fingerprint, json_string_length(text));
    if (rep < 0) {
        for (int i = 0; i < TEXT_CAT_COUNT; i++) json_decref(by_cat[i]);
        json_decref(*redacted);
        snprintf(reason, n, "state store unavailable (recent posts)");
        return STAGE_RETRY;
    }
    if (rep)
        merge_finding(
            category_label(by_cat, TEXT_CAT_REPEATED, "state.repeated", TEXT_ORIGIN_RULE, -1, t),
            "state.repeated", 0.9, TEXT_SEV_LOW, NULL, 0, json_string_length(text));
    return STAGE_OK;
}

enum stage_status classifier_run(struct classifier *c, json_t *env, char *reason, size_t n) {
    long ti = engine_index(c, envelope_str(env, "tenant"));
    if (ti < 0) {
        snprintf(reason, n, "$.tenant: unknown tenant \"%s\"", envelope_str(env, "tenant"));
        return STAGE_REJECT;
    }
    json_t *by_cat[TEXT_CAT_COUNT] = { 0 };
    json_t *redacted = NULL;
    if (envelope_is_deletion(env)) {
        /* A deletion carries no text of the author's to judge; it is recorded as it is. */
        redacted = json_incref(json_object_get(env, "text"));
    } else {
        enum stage_status st = find_labels(c, ti, env, by_cat, &redacted, reason, n);
        if (st != STAGE_OK) return st;
    }
    json_t *labels = json_array();
    for (int i = 0; i < TEXT_CAT_COUNT; i++)
        if (by_cat[i]) json_array_append_new(labels, by_cat[i]);
    char now[RFC3339_LEN];
    json_object_set_new(env, "classification",
                        json_pack("{s:o, s:s, s:s}", "labels", labels, "engine",
                                  "vigile-classify " VIGILE_VERSION, "classified_at",
                                  rfc3339_format(time_now_ms(), now)));
    json_object_set_new(env, "redacted_text", redacted ? redacted : json_string(""));
    return STAGE_OK;
}

/* The members classifier_run adds. */
static const char *const added_keys[] = { "classification", "redacted_text", NULL };

enum stage_status classifier_stage(void *ctx, const struct stage_input *in,
                                   struct stage_outputs *out, char *reason, size_t n) {
    struct classifier *c = ctx;
    json_t *env = parsed_ahead_take(&c->parsed, in->payload, in->len);
    if (!env) env = envelope_parse(in->payload, in->len, ENVELOPE_STRICT, reason, n);
    if (!env) return STAGE_REJECT;
    /* An envelope classified before (replayed from vigile.classified) has the members
     * already and is serialized whole; any other is the input's bytes plus them. */
    int fresh = !json_object_get(env, added_keys[0]) && !json_object_get(env, added_keys[1]);
    enum stage_status st = classifier_run(c, env, reason, n);
    if (st == STAGE_OK) {
        size_t len;
        char *value = fresh ? envelope_dump_appended(in->payload, in->len, env, added_keys, &len)
                            : envelope_dump(env, &len);
        stage_outputs_add(out, TOPIC_CLASSIFIED, envelope_key(env), value, len);
    }
    json_decref(env);
    return st;
}

/* Whether classifying env would ask about recent posts (see classifier_run), the
 * tenant's engine being known. */
static int asks_recent(const struct classifier *c, const json_t *env) {
    return engine_index(c, envelope_str(env, "tenant")) >= 0 && !envelope_is_deletion(env) &&
           json_string_length(json_object_get(env, "text")) >= REPEAT_MIN_BYTES;
}

/* Keeps the answers to q[0..k) for classifier_stage. */
static void ahead_keep(struct classifier *c, const struct state_recent_req *q, size_t k,
                       const uint64_t *earlier, const size_t *got) {
    xgrow(&c->ahead, &c->cap_ahead, c->n_ahead + k, sizeof *c->ahead);
    for (size_t i = 0; i < k; i++) {
        struct recent_ahead *a = &c->ahead[c->n_ahead++];
        a->tenant = xstrdup(q[i].tenant);
        a->event_id = xstrdup(q[i].event_id);
        a->n = got[i];
        memcpy(a->earlier, earlier + i * REPEAT_LOOKBACK, got[i] * sizeof *earlier);
    }
}

/* Parses inputs and asks their recent-posts questions in one round trip, keeping both
 * for classifier_stage. The text's fingerprint is computed as the engine computes it
 * (text_fingerprint of the same text), and the questions go in the inputs' order, so
 * every answer is the one the input would have got by itself. */
void classifier_prepare(void *ctx, const struct stage_input *in, size_t n) {
    struct classifier *c = ctx;
    ahead_clear(c);
    struct state_recent_req *q = xcalloc(n, sizeof *q);
    char(*authors)[PSEUDONYM_LEN] = xcalloc(n, PSEUDONYM_LEN);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char reason[256];
        json_t *env =
            envelope_parse(in[i].payload, in[i].len, ENVELOPE_STRICT, reason, sizeof reason);
        if (!env) continue; /* classifier_stage parses it again, to say why */
        parsed_ahead_keep(&c->parsed, in[i].payload, in[i].len, env);
        if (!asks_recent(c, env)) continue;
        json_t *text = json_object_get(env, "text");
        q[k] =
            recent_req(c, env, text_fingerprint(json_string_value(text), json_string_length(text)),
                       authors[k]);
        k++;
    }
    size_t *got = xcalloc(k ? k : 1, sizeof *got);
    uint64_t *earlier = xcalloc(k ? k * REPEAT_LOOKBACK : 1, sizeof *earlier);
    /* On failure no answer is kept: each input asks again by itself, and retries. */
    if (k && state_recent_add_many(c->state, q, k, earlier, REPEAT_LOOKBACK, got) == 0)
        ahead_keep(c, q, k, earlier, got);
    free(q), free(authors), free(got), free(earlier);
}
