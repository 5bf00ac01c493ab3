#include "route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
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
        struct decided_ahead *a = &r->ahead[i];
        free(a->tenant), free(a->event_id);
        stage_outputs_free(&a->out);
    }
    r->n_ahead = 0;
    parsed_ahead_clear(&r->parsed);
}

void router_free(struct router *r) {
    if (!r) return;
    ahead_clear(r);
    free(r->ahead);
    parsed_ahead_free(&r->parsed);
    tenant_set_free(r->tenants);
    free(r);
}

/* Whether router_decide would decide env from the author's state (route_decide_ahead
 * may): a valid classified envelope of a known tenant with its own time, not a deletion
 * (route_withdraw changes strikes). */
static int decides_from_state(const struct router *r, const json_t *env) {
    int64_t ts;
    return tenant_set_find(r->tenants, envelope_str(env, "tenant")) &&
           json_is_array(json_object_get(json_object_get(env, "classification"), "labels")) &&
           json_is_string(json_object_get(env, "redacted_text")) && !envelope_is_deletion(env) &&
           !rfc3339_parse(envelope_str(env, "created_at"), &ts);
}

/* Whether keys[i] (tenant and author id, or tenant and content) is the key of no other
 * envelope of the batch (NULL: not an envelope). The keys are made once: comparing
 * envelopes' members pair by pair cost more than deciding ahead saved. */
static int only_one(char *const *keys, size_t n, size_t i) {
    for (size_t j = 0; j < n; j++)
        if (j != i && keys[j] && strcmp(keys[j], keys[i]) == 0) return 0;
    return 1;
}

/* Decides the batch ahead: one lookup and one commit round trip for all its inputs
 * instead of two per input, and two more for the decisions per content (tickets) instead
 * of two per decision that opened tickets. A decision made ahead is the one the input
 * would get by itself only if nothing the batch does before it changes its author's state
 * or its content's decisions: so only inputs alone in the batch with their author and
 * with their content are decided ahead, and nothing is when an operator event (which lifts
 * strikes and bans) is among them. Other inputs of the batch change other authors' and
 * other contents' keys only. */
void router_prepare(void *ctx, const struct stage_input *in, size_t n) {
    struct router *r = ctx;
    ahead_clear(r);
    for (size_t i = 0; i < n; i++)
        if (strcmp(in[i].topic, TOPIC_OPERATOR) == 0) return;
    json_t **envs = xcalloc(n, sizeof *envs), **ahead = xcalloc(n, sizeof *ahead);
    char **keys = xcalloc(n, sizeof *keys), **contents = xcalloc(n, sizeof *contents);
    size_t k = 0;
    char reason[256];
    for (size_t i = 0; i < n; i++) {
        envs[i] = envelope_parse(in[i].payload, in[i].len, ENVELOPE_STRICT, reason, sizeof reason);
        if (!envs[i]) continue;
        keys[i] = envelope_key(envs[i]);
        contents[i] =
            xasprintf("%s|%s|%s", envelope_str(envs[i], "tenant"),
                      envelope_str(envs[i], "platform"), envelope_str(envs[i], "content_id"));
    }
    for (size_t i = 0; i < n; i++)
        if (envs[i] && only_one(keys, n, i) && only_one(contents, n, i) &&
            decides_from_state(r, envs[i]))
            ahead[k++] = envs[i];
    route_decide_ahead(r, ahead, k, time_now_ms());
    for (size_t i = 0; i < n; i++) {
        if (envs[i]) parsed_ahead_keep(&r->parsed, in[i].payload, in[i].len, envs[i]);
        free(keys[i]), free(contents[i]);
    }
    free(envs), free(ahead), free(keys), free(contents);
}

enum stage_status router_stage(void *ctx, const struct stage_input *in, struct stage_outputs *out,
                               char *reason, size_t n) {
    if (strcmp(in->topic, TOPIC_OPERATOR) == 0)
        return route_operator(ctx, in->payload, in->len, time_now_ms(), out, reason, n);
    struct router *r = ctx;
    json_t *env = parsed_ahead_take(&r->parsed, in->payload, in->len);
    if (!env) env = envelope_parse(in->payload, in->len, ENVELOPE_STRICT, reason, n);
    if (!env) return STAGE_REJECT;
    enum stage_status st = router_decide(r, env, time_now_ms(), out, reason, n);
    json_decref(env);
    return st;
}
