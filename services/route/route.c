#include "route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "pseudonym.h"
#include "route_metrics.h"
#include "route_operator.h"
#include "route_router.h"
#include "timefmt.h"
#include "topics.h"
#include "xmalloc.h"

struct router *router_new(struct tenant_set *tenants, struct state_store *state,
                          const char *pseudonym_key, char *err, size_t n) {
    if (!pseudonym_key || !*pseudonym_key) {
        snprintf(err, n, "VIGILE_PSEUDONYM_KEY: missing (decisions name authors by pseudonym)");
        tenant_set_free(tenants);
        return NULL;
    }
    struct router *r = xcalloc(1, sizeof *r);
    r->tenants = tenants;
    route_metric_tenants(tenants);
    r->state = state;
    r->pseudonym_key = pseudonym_key;
    return r;
}

int router_reload(struct router *r, struct tenant_set *tenants, char *err, size_t n) {
    (void)err, (void)n;
    tenant_set_free(r->tenants);
    r->tenants = tenants;
    route_metric_tenants(tenants);
    return 0;
}

static void ahead_clear(struct router *r) {
    for (size_t i = 0; i < r->n_ahead; i++) {
        struct lookup_ahead *a = &r->ahead[i];
        free(a->tenant), free(a->author), free(a->event_id), free(a->record);
    }
    r->n_ahead = 0;
}

void router_free(struct router *r) {
    if (!r) return;
    ahead_clear(r);
    free(r->ahead);
    tenant_set_free(r->tenants);
    free(r);
}

int route_lookup(struct router *r, const char *tenant, const char *author, const char *event_id,
                 int64_t ts, int64_t window, struct state_author_view *view, char **record) {
    for (size_t i = 0; i < r->n_ahead; i++) {
        struct lookup_ahead *a = &r->ahead[i];
        if (a->taken || a->ts != ts || a->window != window || strcmp(a->event_id, event_id) ||
            strcmp(a->author, author) || strcmp(a->tenant, tenant))
            continue;
        a->taken = 1;
        *view = a->view;
        *record = a->record;
        a->record = NULL;
        return 0;
    }
    return state_decision_lookup(r->state, tenant, author, event_id, ts, window, view, record);
}

/* The lookup router_decide would ask for env (author is filled), or 0 when it would ask
 * none: not a valid classified envelope of a known tenant, or a deletion (route_withdraw
 * changes strikes). */
static int lookup_req(const struct router *r, const json_t *env, char author[PSEUDONYM_LEN],
                      struct state_lookup_req *q) {
    const struct tenant *t = tenant_set_find(r->tenants, envelope_str(env, "tenant"));
    int64_t ts;
    if (!t || !json_is_array(json_object_get(json_object_get(env, "classification"), "labels")) ||
        !json_is_string(json_object_get(env, "redacted_text")) || envelope_is_deletion(env) ||
        rfc3339_parse(envelope_str(env, "created_at"), &ts))
        return 0;
    pseudonym_make(r->pseudonym_key, strlen(r->pseudonym_key), tenant_id(t),
                   envelope_str(env, "platform"), envelope_author_id(env), author);
    *q = (struct state_lookup_req){ tenant_id(t), author, envelope_str(env, "event_id"), ts,
                                    (int64_t)tenant_ladder(t)->window_days * 24 * 3600 * 1000 };
    return 1;
}

/* Whether key (tenant and author id of env) is the key of no other envelope of envs. */
static int only_one(json_t *const *envs, size_t n, size_t i) {
    for (size_t j = 0; j < n; j++) {
        if (j == i || !envs[j]) continue;
        if (strcmp(envelope_str(envs[j], "tenant"), envelope_str(envs[i], "tenant")) == 0 &&
            strcmp(envelope_author_id(envs[j]), envelope_author_id(envs[i])) == 0)
            return 0;
    }
    return 1;
}

/* Asks the decision lookups of the batch in one round trip. A lookup asked ahead is the
 * one the input would get by itself only if nothing the batch does before it changes
 * its author's state: so only authors with a single input in the batch are asked, and
 * nothing is asked when an operator event (which lifts strikes and bans) is among them.
 * Other inputs of the batch change other authors' keys only. */
void router_prepare(void *ctx, const struct stage_input *in, size_t n) {
    struct router *r = ctx;
    ahead_clear(r);
    for (size_t i = 0; i < n; i++)
        if (strcmp(in[i].topic, TOPIC_OPERATOR) == 0) return;
    json_t **envs = xcalloc(n, sizeof *envs);
    struct state_lookup_req *q = xcalloc(n, sizeof *q);
    char(*authors)[PSEUDONYM_LEN] = xcalloc(n, PSEUDONYM_LEN);
    size_t k = 0;
    char reason[256];
    for (size_t i = 0; i < n; i++)
        envs[i] = envelope_parse(in[i].payload, in[i].len, ENVELOPE_STRICT, reason, sizeof reason);
    for (size_t i = 0; i < n; i++)
        if (envs[i] && only_one(envs, n, i) && lookup_req(r, envs[i], authors[k], &q[k])) k++;
    struct state_author_view *views = xcalloc(k ? k : 1, sizeof *views);
    char **records = xcalloc(k ? k : 1, sizeof *records);
    if (k && state_decision_lookup_many(r->state, q, k, views, records) == 0) {
        xgrow(&r->ahead, &r->cap_ahead, r->n_ahead + k, sizeof *r->ahead);
        for (size_t i = 0; i < k; i++)
            r->ahead[r->n_ahead++] = (struct lookup_ahead){ xstrdup(q[i].tenant),
                                                            xstrdup(q[i].author),
                                                            xstrdup(q[i].event_id),
                                                            q[i].ts_ms,
                                                            q[i].window_ms,
                                                            views[i],
                                                            records[i],
                                                            0 };
    }
    for (size_t i = 0; i < n; i++) json_decref(envs[i]);
    free(envs), free(q), free(authors), free(views), free(records);
}

enum stage_status router_stage(void *ctx, const struct stage_input *in, struct stage_outputs *out,
                               char *reason, size_t n) {
    if (strcmp(in->topic, TOPIC_OPERATOR) == 0)
        return route_operator(ctx, in->payload, in->len, time_now_ms(), out, reason, n);
    json_t *env = envelope_parse(in->payload, in->len, ENVELOPE_STRICT, reason, n);
    if (!env) return STAGE_REJECT;
    enum stage_status st = router_decide(ctx, env, time_now_ms(), out, reason, n);
    json_decref(env);
    return st;
}
