/* Operator events: what a person decided about an automated decision. An overturn (an
 * appeal accepted) removes the strike, lifts a ban it caused, unhides the content and
 * publishes a corrected decision; a confirmation applies what was waiting for review. The
 * record route keeps of each decision is what makes this possible without raw ids on the
 * decision topics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "json_doc.h"
#include "route_emit.h"
#include "route_operator.h"
#include "route_record.h"
#include "route_router.h"
#include "timefmt.h"
#include "xmalloc.h"

/* The envelope fields route_command and the message key need, rebuilt from a record. */
static json_t *envelope_of(const json_t *rec) {
    const json_t *d = json_object_get(rec, "decision");
    json_t *env = json_pack("{s:O, s:O, s:O, s:O, s:{s:O}}", "event_id",
                            json_object_get(d, "decision_id"), "tenant", json_object_get(d, "tenant"),
                            "platform", json_object_get(d, "platform"), "content_id",
                            json_object_get(d, "content_id"), "author", "id",
                            json_object_get(rec, "author_id"));
    if (!env) abort(); /* records are ours and complete */
    const char *optional[] = { "channel", "thread_id" };
    for (size_t i = 0; i < 2; i++) {
        json_t *val = json_object_get(d, optional[i]);
        if (val) json_object_set(env, optional[i], val);
    }
    return env;
}

/* The decision as corrected by a person: a new revision of the same decision_id. */
static json_t *revise(const struct tenant *t, const json_t *rec, const json_t *op,
                      const char *status, const char *template_id, int64_t now_ms) {
    json_t *d = json_deep_copy(json_object_get(rec, "decision"));
    char now[RFC3339_LEN];
    json_object_set_new(d, "status", json_string(status));
    json_object_set_new(d, "revision",
                        json_integer(json_integer_value(json_object_get(d, "revision")) + 1));
    json_object_set_new(d, "decided_at", json_string(rfc3339_format(now_ms, now)));
    json_object_set_new(d, "needs_review", json_false());
    json_object_set(d, "reviewed_by", json_object_get(op, "operator"));
    const char *ref = json_string_value(json_array_get(json_object_get(d, "policy_refs"), 0));
    const struct tenant_render_vars vars = { NULL, ref, NULL, NULL };
    char *text = tenant_render(t, template_id, &vars);
    json_object_set_new(d, "statement_of_reasons", text ? json_string(text) : json_null());
    free(text);
    json_object_set_new(json_object_get(d, "enforcement"), "pending_review", json_false());
    return d;
}

static int overturn(struct router *r, const struct tenant *t, json_t *rec, const json_t *op,
                    int64_t now_ms, struct stage_outputs *out) {
    json_t *env = envelope_of(rec);
    json_t *d = json_object_get(rec, "decision");
    const char *author = json_string_value(json_object_get(d, "author"));
    const char *action = json_string_value(json_object_get(d, "action"));
    int64_t banned = route_until_from_json(json_object_get(rec, "ban_applied"));
    int rc = state_strike_remove(r->state, tenant_id(t), author, envelope_str(env, "event_id"));
    if (!rc && banned) rc = state_ban_set(r->state, tenant_id(t), author, 0, now_ms);
    if (rc) {
        json_decref(env);
        return -1;
    }
    if (strcmp(action, "hide") == 0 || strcmp(action, "hold") == 0)
        route_command(t, env, "unhide", NULL, now_ms, out);
    if (banned) route_command(t, env, "unban", NULL, now_ms, out);
    json_t *fixed = revise(t, rec, op, "overturned", "ricorso_accolto", now_ms);
    json_t *enf = json_object_get(fixed, "enforcement");
    json_int_t strikes = json_integer_value(json_object_get(enf, "strikes"));
    json_object_set_new(enf, "strikes", json_integer(strikes > 0 ? strikes - 1 : 0));
    json_object_set_new(enf, "step", json_string("none"));
    json_object_del(enf, "ban_until");
    json_object_set_new(fixed, "action", json_string("none"));
    json_object_set_new(fixed, "dsa", json_null());
    route_publish_decision(tenant_id(t), env, fixed, out);
    json_decref(fixed);
    json_decref(env);
    return 0;
}

static int confirm(struct router *r, const struct tenant *t, json_t *rec, const json_t *op,
                   int64_t now_ms, struct stage_outputs *out) {
    json_t *env = envelope_of(rec);
    const char *author = json_string_value(json_object_get(json_object_get(rec, "decision"), "author"));
    int64_t proposed = route_until_from_json(json_object_get(rec, "ban_proposed"));
    if (proposed && state_ban_set(r->state, tenant_id(t), author, proposed, now_ms)) {
        json_decref(env);
        return -1;
    }
    json_t *fixed = revise(t, rec, op, "confirmed", "decisione_confermata", now_ms);
    if (proposed) {
        char buf[RFC3339_LEN];
        json_t *until = proposed == STATE_BAN_FOREVER ? json_null()
                                                      : json_string(rfc3339_format(proposed, buf));
        json_object_set(json_object_get(fixed, "enforcement"), "ban_until", until);
        route_command(t, env, "ban", NULL, now_ms, out);
        json_decref(until);
    }
    route_publish_decision(tenant_id(t), env, fixed, out);
    json_decref(fixed);
    json_decref(env);
    return 0;
}

/* Checks the fields route needs from an operator event; fills reason when one is off. */
static int check_event(const json_t *op, char *reason, size_t n) {
    const char *fields[] = { "type", "tenant", "operator" };
    if (!json_is_object(op)) return snprintf(reason, n, "$: expected object"), -1;
    for (size_t i = 0; i < 3; i++)
        if (!json_is_string(json_object_get(op, fields[i])))
            return snprintf(reason, n, "$.%s: missing or not a string", fields[i]), -1;
    return 0;
}

enum stage_status route_operator(struct router *r, const char *buf, size_t len, int64_t now_ms,
                                 struct stage_outputs *out, char *reason, size_t n) {
    json_t *op = json_doc_load(buf, len, reason, n);
    if (!op) return STAGE_REJECT;
    enum stage_status st = STAGE_REJECT;
    json_t *rec = NULL;
    char *stored = NULL;
    if (check_event(op, reason, n)) goto out;
    const char *type = json_string_value(json_object_get(op, "type"));
    int is_overturn = strcmp(type, "overturn") == 0, is_confirm = strcmp(type, "confirm") == 0;
    if (!is_overturn && !is_confirm) {
        st = STAGE_OK; /* ack, reply, resolve: the SLA worker's */
        goto out;
    }
    const struct tenant *t = tenant_set_find(r->tenants, json_string_value(json_object_get(op, "tenant")));
    const char *decision_id = json_string_value(json_object_get(op, "decision_id"));
    if (!t || !decision_id) {
        snprintf(reason, n, !t ? "$.tenant: unknown tenant" : "$.decision_id: missing");
        goto out;
    }
    if (state_record_get(r->state, tenant_id(t), decision_id, &stored)) {
        snprintf(reason, n, "state store unavailable (decision record)");
        st = STAGE_RETRY;
        goto out;
    }
    if (!stored || !(rec = json_loads(stored, 0, NULL))) {
        snprintf(reason, n, "$.decision_id: no decision \"%s\" on record (unknown or expired)",
                 decision_id);
        goto out;
    }
    int rc = is_overturn ? overturn(r, t, rec, op, now_ms, out) : confirm(r, t, rec, op, now_ms, out);
    if (rc) snprintf(reason, n, "state store unavailable (strikes and bans)");
    st = rc ? STAGE_RETRY : STAGE_OK;
out:
    free(stored);
    json_decref(rec);
    json_decref(op);
    return st;
}
