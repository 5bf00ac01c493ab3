#include "classify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify_labels.h"
#include "envelope.h"
#include "json_doc.h"
#include "json_write.h"
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
    struct parsed_ahead parsed;     /* the last prepared batch's envelopes */
    struct label_finding *findings; /* the current input's, reused */
    size_t cap_findings;
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
    free(c->findings);
    engines_free(&c->te);
    text_scratch_free(c->scratch);
    text_base_free(c->base);
    free(c->data_dir);
    free(c);
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

/* The findings of res (the engine's, borrowed) and, when repeated, the store's, in
 * c->findings. Returns their number. */
static size_t gather_findings(struct classifier *c, const struct text_result *res, int repeated,
                              size_t text_len) {
    xgrow(&c->findings, &c->cap_findings, res->n + 1, sizeof *c->findings);
    for (size_t i = 0; i < res->n; i++) {
        const struct text_label *l = &res->labels[i];
        c->findings[i] =
            (struct label_finding){ l->category_id,    l->origin,
                                    l->rule_id,        l->detail,
                                    l->score,          (int)l->severity,
                                    l->span.start,     l->span.end,
                                    l->quoted ? 1 : 0, res->model_scores[l->category_id] };
    }
    if (!repeated) return res->n;
    c->findings[res->n] = (struct label_finding){ TEXT_CAT_REPEATED,
                                                  TEXT_ORIGIN_RULE,
                                                  "state.repeated",
                                                  NULL,
                                                  0.9,
                                                  TEXT_SEV_LOW,
                                                  0,
                                                  text_len,
                                                  -1,
                                                  -1 };
    return res->n + 1;
}

/* Runs the tenant's engine and the repetition check on env's text, writing the labels
 * to w and setting *redacted (new reference). Returns STAGE_OK, or STAGE_REJECT /
 * STAGE_RETRY with a reason and nothing to free. */
static enum stage_status find_labels(struct classifier *c, long ti, const json_t *env,
                                     struct json_writer *w, json_t **redacted, char *reason,
                                     size_t n) {
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
    /* res points into the scratch, which only text_classify changes: the state call
     * leaves it as it is. */
    int rep = is_repeated(c, env, res.fingerprint, json_string_length(text));
    if (rep < 0) {
        snprintf(reason, n, "state store unavailable (recent posts)");
        return STAGE_RETRY;
    }
    /* Gathered first: gathering may move c->findings, which the call below reads. */
    size_t n_findings = gather_findings(c, &res, rep, json_string_length(text));
    classify_labels_write(w, c->findings, n_findings, t);
    *redacted = json_stringn(res.redacted, res.redacted_len);
    return STAGE_OK;
}

/* Writes env's "classification" object to w and sets *redacted (new reference) to the
 * text to add as "redacted_text". Returns as find_labels does; on failure what w holds
 * is to be discarded. */
static enum stage_status classify(struct classifier *c, const json_t *env, struct json_writer *w,
                                  json_t **redacted, char *reason, size_t n) {
    long ti = engine_index(c, envelope_str(env, "tenant"));
    if (ti < 0) {
        snprintf(reason, n, "$.tenant: unknown tenant \"%s\"", envelope_str(env, "tenant"));
        return STAGE_REJECT;
    }
    char now[RFC3339_LEN];
    json_write_object_open(w);
    json_write_member_str(w, "classified_at", rfc3339_format(time_now_ms(), now));
    json_write_member_str(w, "engine", "vigile-classify " VIGILE_VERSION);
    json_write_key(w, "labels");
    if (envelope_is_deletion(env)) {
        /* A deletion carries no text of the author's to judge; it is recorded as it is. */
        json_write_array_open(w);
        json_write_array_close(w);
        *redacted = json_incref(json_object_get(env, "text"));
    } else {
        enum stage_status st = find_labels(c, ti, env, w, redacted, reason, n);
        if (st != STAGE_OK) return st;
    }
    json_write_object_close(w);
    return STAGE_OK;
}

/* The classification is written once, as classifier_stage writes it, and read back
 * here: the envelope holds what a stage downstream reads from vigile.classified. */
enum stage_status classifier_run(struct classifier *c, json_t *env, char *reason, size_t n) {
    struct json_writer w = { 0 };
    json_t *redacted = NULL;
    enum stage_status st = classify(c, env, &w, &redacted, reason, n);
    if (st != STAGE_OK) {
        json_write_discard(&w);
        return st;
    }
    size_t len;
    char *written = json_write_finish(&w, &len);
    char err[256];
    json_t *cls = json_doc_load(written, len, err, sizeof err);
    if (!cls) abort(); /* json_write wrote it */
    free(written);
    json_object_set_new(env, "classification", cls);
    json_object_set_new(env, "redacted_text", redacted);
    return STAGE_OK;
}

/* The input's bytes with the classification and the redacted text appended. */
static enum stage_status classify_appended(struct classifier *c, const struct stage_input *in,
                                           const json_t *env, struct stage_outputs *out,
                                           char *reason, size_t n) {
    struct json_writer w = { 0 };
    json_t *redacted = NULL;
    envelope_write_open(&w, in->payload, in->len);
    json_write_key(&w, "classification");
    enum stage_status st = classify(c, env, &w, &redacted, reason, n);
    if (st != STAGE_OK) {
        json_write_discard(&w);
        return st;
    }
    json_write_key(&w, "redacted_text");
    json_write_json(&w, redacted);
    json_write_object_close(&w);
    json_decref(redacted);
    size_t len;
    char *value = json_write_finish(&w, &len);
    stage_outputs_add(out, TOPIC_CLASSIFIED, envelope_key(env), value, len);
    return STAGE_OK;
}

enum stage_status classifier_stage(void *ctx, const struct stage_input *in,
                                   struct stage_outputs *out, char *reason, size_t n) {
    struct classifier *c = ctx;
    json_t *env = parsed_ahead_take(&c->parsed, in->payload, in->len);
    if (!env) env = envelope_parse(in->payload, in->len, ENVELOPE_STRICT, reason, n);
    if (!env) return STAGE_REJECT;
    /* An envelope classified before (replayed from vigile.classified) has the members
     * already and is serialized whole; any other is the input's bytes plus them. */
    enum stage_status st;
    if (!json_object_get(env, "classification") && !json_object_get(env, "redacted_text")) {
        st = classify_appended(c, in, env, out, reason, n);
    } else {
        st = classifier_run(c, env, reason, n);
        size_t len;
        char *value = st == STAGE_OK ? envelope_dump(env, &len) : NULL;
        if (value) stage_outputs_add(out, TOPIC_CLASSIFIED, envelope_key(env), value, len);
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
