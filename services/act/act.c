#include "act.h"

#include <stdlib.h>
#include <string.h>

#include "act_exec.h"
#include "act_metrics.h"
#include "act_queue.h"
#include "act_request.h"
#include "act_result.h"
#include "log.h"
#include "timefmt.h"
#include "topics.h"
#include "xmalloc.h"

/* Results published per tenant per tick: a tick must stay short, the rest waits. */
#define OUTBOX_MAX 200

struct act {
    struct tenant_set *tenants;
    struct act_config cfg;
    struct act_queue *q;      /* the worker thread's own connection */
    struct act_exec *exec;    /* NULL without executor */
    struct act_outbox handed; /* results in the open batch */
    int64_t handed_at;
};

static const char **tenant_ids(const struct tenant_set *set, size_t *n) {
    *n = tenant_set_count(set);
    const char **ids = xcalloc(*n + 1, sizeof *ids);
    for (size_t i = 0; i < *n; i++) ids[i] = tenant_id(tenant_set_at(set, i));
    return ids;
}

struct act *act_new(struct tenant_set *tenants, struct act_config *cfg, const char *redis_url,
                    int with_executor, char *err, size_t n) {
    struct act *s = xcalloc(1, sizeof *s);
    s->tenants = tenants;
    s->cfg = *cfg;
    memset(cfg, 0, sizeof *cfg);
    s->q = act_queue_new(redis_url, err, n);
    if (s->q && with_executor) {
        size_t count;
        const char **ids = tenant_ids(tenants, &count);
        s->exec = act_exec_start(&s->cfg, redis_url, ids, count, err, n);
        free(ids);
    }
    if (s->q && (s->exec || !with_executor)) return s;
    act_free(s);
    return NULL;
}

void act_free(struct act *s) {
    if (!s) return;
    act_exec_stop(s->exec);
    act_queue_free(s->q);
    act_outbox_free(&s->handed);
    act_config_free(&s->cfg);
    tenant_set_free(s->tenants);
    free(s);
}

void act_reload(struct act *s, struct tenant_set *tenants) {
    tenant_set_free(s->tenants);
    s->tenants = tenants;
    if (!s->exec) return;
    size_t count;
    const char **ids = tenant_ids(tenants, &count);
    act_exec_set_tenants(s->exec, ids, count);
    free(ids);
}

/* Publishes a result settled at intake (shadow, or no platform call possible). */
static void publish_now(const struct act_action *a, const char *key,
                        const struct act_result_info *info, struct stage_outputs *out) {
    char *json = act_result_json(a, info);
    stage_outputs_add(out, TOPIC_ACTION_RESULTS, xstrdup(key), json, strlen(json));
    act_metrics_result(a->tenant, a->platform, info->outcome);
}

/* Shadow mode: the request that live mode would send, in the log and in the result. */
static void shadow(const struct act_action *a, const char *key, const struct act_request *req,
                   const char *token, struct stage_outputs *out) {
    char *url = act_redact_request_text(req->url, token, a->author_id);
    char *body = req->body ? act_redact_request_text(req->body, token, a->author_id) : NULL;
    log_info("shadow: %s %s on %s of %s would send %s %s%s%s", act_type_name(a->type), a->action_id,
             act_platform_name(a->platform), a->tenant, req->method, url, body ? " " : "",
             body ? body : "");
    free(url);
    free(body);
    struct act_result_info info = {
        .outcome = OUTCOME_SKIPPED, .req = req, .token = token, .now_ms = time_now_ms()
    };
    publish_now(a, key, &info, out);
}

static void hand_over_now(const struct act_action *a, const char *key, int live, const char *reason,
                          struct stage_outputs *out) {
    log_info("%s %s on %s of %s: handed to an operator: %s", act_type_name(a->type), a->action_id,
             act_platform_name(a->platform), a->tenant, reason);
    struct act_result_info info = { .outcome = OUTCOME_HANDED_TO_OPERATOR,
                                    .live = live,
                                    .reason = reason,
                                    .now_ms = time_now_ms() };
    publish_now(a, key, &info, out);
}

/* Decides what becomes of a valid command of tenant t. */
static enum stage_status intake(struct act *s, const struct tenant *t, const struct act_action *a,
                                const struct stage_input *in, const char *key,
                                struct stage_outputs *out, char *reason, size_t n) {
    int live = tenant_act_live(t);
    const char *token = act_config_token(&s->cfg, a->tenant, a->platform);
    struct act_request req;
    char why[512];
    if (act_request_build(a, s->cfg.base_url[a->platform], token, &req, why, sizeof why)) {
        hand_over_now(a, key, live, why, out);
        return STAGE_OK;
    }
    enum stage_status st = STAGE_OK;
    if (!live) {
        shadow(a, key, &req, token, out);
    } else if (!token) {
        hand_over_now(a, key, live,
                      "credenziale mancante per questa piattaforma: il comando "
                      "va eseguito da un operatore",
                      out);
    } else if (act_queue_accept(s->q, a, key, in->payload, in->len, time_now_ms()) < 0) {
        snprintf(reason, n, "act: cannot queue %s: redis unavailable", a->action_id);
        st = STAGE_RETRY;
    }
    act_request_free(&req);
    return st;
}

enum stage_status act_process(struct act *s, const struct stage_input *in,
                              struct stage_outputs *out, char *reason, size_t n) {
    struct act_action a;
    if (act_action_parse(in->payload, in->len, &a, reason, n)) return STAGE_REJECT;
    const struct tenant *t = tenant_set_find(s->tenants, a.tenant);
    enum stage_status st = STAGE_REJECT;
    if (!t) {
        snprintf(reason, n, "$.tenant: unknown tenant \"%s\"", a.tenant);
    } else {
        char *key = xasprintf("%s|%s", a.tenant, a.author_id);
        st = intake(s, t, &a, in, key, out, reason, n);
        free(key);
    }
    act_action_free(&a);
    return st;
}

enum stage_status act_tick(struct act *s, int64_t now, struct stage_outputs *out, char *reason,
                           size_t n) {
    if (s->handed.n) {
        if (now - s->handed_at < ACT_OUTBOX_LEASE_MS) return STAGE_OK; /* batch still open */
        act_outbox_clear(&s->handed); /* abandoned: the leases ran out, they are due again */
    }
    int failed = 0;
    for (size_t i = 0; i < tenant_set_count(s->tenants) && !failed; i++)
        failed = act_queue_outbox_claim(s->q, tenant_id(tenant_set_at(s->tenants, i)), now,
                                        ACT_OUTBOX_LEASE_MS, OUTBOX_MAX, &s->handed) < 0;
    s->handed_at = now;
    for (size_t i = 0; i < s->handed.n; i++) {
        const struct act_outbox_item *it = &s->handed.v[i];
        stage_outputs_add(out, TOPIC_ACTION_RESULTS, xstrdup(it->key), xstrdup(it->result),
                          strlen(it->result));
    }
    if (failed && s->handed.n == 0) {
        snprintf(reason, n, "act: cannot read the outbox: redis unavailable");
        return STAGE_RETRY;
    }
    return STAGE_OK;
}

void act_tick_committed(struct act *s) {
    /* If Redis fails here the leases run out and the results are published again, with
     * the same action_id: readers keep the first per action_id. */
    act_queue_outbox_forget(s->q, &s->handed);
    act_outbox_clear(&s->handed);
}
