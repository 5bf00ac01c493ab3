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
#include "route_dsa.h"
#include "route_emit.h"
#include "route_operator.h"
#include "route_record.h"
#include "route_router.h"
#include "timefmt.h"
#include "xmalloc.h"

/* The envelope fields route_command, route_dsa and the message key need, rebuilt from a
 * record. */
static json_t *envelope_of(const json_t *rec) {
    const json_t *d = json_object_get(rec, "decision");
    json_t *env = json_pack(
        "{s:O, s:O, s:O, s:O, s:O, s:{s:O}}", "event_id", json_object_get(d, "decision_id"),
        "tenant", json_object_get(d, "tenant"), "platform", json_object_get(d, "platform"),
        "content_id", json_object_get(d, "content_id"), "created_at",
        json_object_get(d, "content_date"), "author", "id", json_object_get(rec, "author_id"));
    if (!env) abort(); /* records are ours and complete */
    const char *optional[] = { "channel", "thread_id" };
    for (size_t i = 0; i < 2; i++) {
        json_t *val = json_object_get(d, optional[i]);
        if (val) json_object_set(env, optional[i], val);
    }
    return env;
}

/* The decision in force: as a person confirmed it, or as route took it. Borrowed. */
static json_t *decision_in_force(const json_t *rec) {
    json_t *confirmed = json_object_get(json_object_get(rec, "confirmed"), "decision");
    return confirmed ? confirmed : json_object_get(rec, "decision");
}

/* d (the caller's copy) as corrected by a person: its next revision. */
static void revise(const struct tenant *t, json_t *d, const char *operator_id, const char *status,
                   const char *template_id, int64_t now_ms) {
    char now[RFC3339_LEN];
    json_object_set_new(d, "status", json_string(status));
    json_object_set_new(d, "revision",
                        json_integer(json_integer_value(json_object_get(d, "revision")) + 1));
    json_object_set_new(d, "decided_at", json_string(rfc3339_format(now_ms, now)));
    json_object_set_new(d, "needs_review", json_false());
    json_object_set_new(d, "reviewed_by", json_string(operator_id));
    json_object_del(d, "proposed");
    if (template_id) {
        const char *ref = json_string_value(json_array_get(json_object_get(d, "policy_refs"), 0));
        const struct tenant_render_vars vars = { NULL, ref, NULL, NULL };
        char *text = tenant_render(t, template_id, &vars);
        json_object_set_new(d, "statement_of_reasons", text ? json_string(text) : json_null());
        free(text);
    }
    json_object_set_new(json_object_get(d, "enforcement"), "pending_review", json_false());
}

static int overturn(struct router *r, const struct tenant *t, json_t *rec, const json_t *op,
                    int64_t now_ms, struct stage_outputs *out) {
    json_t *env = envelope_of(rec);
    const json_t *confirmed = json_object_get(rec, "confirmed");
    json_t *d = json_deep_copy(decision_in_force(rec));
    const char *author = json_string_value(json_object_get(d, "author"));
    const char *action = json_string_value(json_object_get(d, "action"));
    int64_t banned = route_until_from_json(json_object_get(rec, "ban_applied"));
    if (!banned) banned = route_until_from_json(json_object_get(confirmed, "ban_until"));
    int rc = state_strike_remove(r->state, tenant_id(t), author, envelope_str(env, "event_id"));
    if (!rc && banned) rc = state_ban_set(r->state, tenant_id(t), author, 0, now_ms);
    if (rc) {
        json_decref(d);
        json_decref(env);
        return -1;
    }
    if (strcmp(action, "hide") == 0 || strcmp(action, "hold") == 0)
        route_command(t, env, "unhide", NULL, now_ms, out);
    if (banned) route_command(t, env, "unban", NULL, now_ms, out);
    revise(t, d, json_string_value(json_object_get(op, "operator")), "overturned",
           "ricorso_accolto", now_ms);
    json_t *enf = json_object_get(d, "enforcement");
    json_int_t strikes = json_integer_value(json_object_get(enf, "strikes"));
    json_object_set_new(enf, "strikes", json_integer(strikes > 0 ? strikes - 1 : 0));
    json_object_set_new(enf, "step", json_string("none"));
    json_object_del(enf, "ban_until");
    json_object_set_new(d, "action", json_string("none"));
    json_object_set_new(d, "dsa", json_null());
    route_publish_decision(tenant_id(t), env, d, out);
    json_decref(d);
    json_decref(env);
    return 0;
}

/* The proposed removal, as the confirmed decision d (revised already) applies it: its
 * action, the category's statement of reasons and clause, and a strike when the category
 * counts one (the ladder climbs from it at the author's next strike). Fills v for the DSA
 * fields. */
static void apply_proposal(const struct tenant *t, json_t *d,
                           const struct tenant_category_rule *rule, const json_t *from,
                           struct verdict *v) {
    v->action = rule->action;
    v->rule = rule;
    json_object_set_new(d, "action", json_string(tenant_action_name(rule->action)));
    if (rule->policy_ref) json_array_append_new(v->policy_refs, json_string(rule->policy_ref));
    const struct tenant_render_vars vars = { rule, NULL, NULL, NULL };
    char *why = rule->template_id ? tenant_render(t, rule->template_id, &vars) : NULL;
    char *who = tenant_render(t, "decisione_confermata", &vars);
    char *text = why && who ? xasprintf("%s %s", why, who) : NULL;
    json_object_set_new(d, "statement_of_reasons", text ? json_string(text) : json_null());
    free(text);
    free(why);
    free(who);
    if (rule->strike) {
        json_int_t before = json_integer_value(json_object_get(from, "strikes_before"));
        json_object_set_new(json_object_get(d, "enforcement"), "strikes", json_integer(before + 1));
    }
}

/* Works out what confirming the record's decision applies, at now_ms, and keeps it in the
 * record under "confirmed" ({decision, action, ban_until, strike}) together with its
 * strike and ban, in one atomic step: from then on a retry, or the same confirmation
 * delivered twice, publishes what the record says and decides nothing again. */
static int confirm_once(struct router *r, const struct tenant *t, json_t *rec, const json_t *op,
                        int64_t now_ms) {
    json_t *env = envelope_of(rec);
    json_t *d = json_deep_copy(json_object_get(rec, "decision"));
    const json_t *proposed = json_object_get(d, "proposed");
    const struct tenant_category_rule *rule =
        proposed ? tenant_category(t, json_string_value(json_object_get(proposed, "category")))
                 : NULL;
    if (rule && !route_removes(rule->action)) rule = NULL; /* the tenant changed its rule */
    int64_t ban = route_until_from_json(json_object_get(rec, "ban_proposed"));
    char at[RFC3339_LEN];
    revise(t, d, json_string_value(json_object_get(op, "operator")), "confirmed",
           rule ? NULL : "decisione_confermata", now_ms);
    struct verdict v = { .action = tenant_action_from_name(
                             json_string_value(json_object_get(d, "action"))),
                         .needs_review = 1,
                         .ban_until = ban,
                         .policy_refs = json_incref(json_object_get(d, "policy_refs")) };
    if (rule) apply_proposal(t, d, rule, json_object_get(rec, "decided_from"), &v);
    if (ban) {
        json_object_set_new(json_object_get(d, "enforcement"), "ban_until",
                            ban == STATE_BAN_FOREVER ? json_null()
                                                     : json_string(rfc3339_format(ban, at)));
    }
    json_t *dsa = route_dsa(&v, env, json_string_value(json_object_get(d, "statement_of_reasons")),
                            rfc3339_format(now_ms, at));
    const json_t *was = json_object_get(d, "dsa");
    if (json_is_object(dsa) && json_is_object(was) && !rule) /* keep the category it had */
        json_object_set(dsa, "category", json_object_get(was, "category"));
    json_object_set_new(d, "dsa", dsa);
    json_decref(v.policy_refs);
    json_object_set_new(rec, "confirmed",
                        json_pack("{s:o, s:s?, s:I, s:b, s:I}", "decision", d, "action",
                                  rule ? tenant_action_name(rule->action) : NULL, "ban_until",
                                  route_until_to_json(ban), "strike", rule && rule->strike, "at_ms",
                                  (json_int_t)now_ms));
    int64_t ts = now_ms;
    rfc3339_parse(envelope_str(env, "created_at"), &ts);
    char *record = envelope_dump(rec, NULL);
    const struct state_decision effects = { .event_id = envelope_str(env, "event_id"),
                                            .ts_ms = ts,
                                            .window_ms = (int64_t)tenant_ladder(t)->window_days *
                                                         24 * 3600 * 1000,
                                            .strike = rule && rule->strike,
                                            .ban_until = ban,
                                            .record = record,
                                            .record_ttl_ms = ROUTE_RECORD_TTL_MS };
    int rc = state_decision_amend(r->state, tenant_id(t),
                                  json_string_value(json_object_get(d, "author")), &effects);
    free(record);
    json_decref(env);
    return rc;
}

/* Publishes the confirmation kept in rec: the revised decision and the commands it
 * applies, stamped with the time it was first confirmed. */
static void publish_confirmation(const struct tenant *t, const json_t *rec,
                                 struct stage_outputs *out) {
    json_t *env = envelope_of(rec);
    const json_t *c = json_object_get(rec, "confirmed");
    int64_t at_ms = (int64_t)json_integer_value(json_object_get(c, "at_ms"));
    const char *action = json_string_value(json_object_get(c, "action"));
    if (action) route_command(t, env, action, NULL, at_ms, out);
    if (route_until_from_json(json_object_get(c, "ban_until")))
        route_command(t, env, "ban", NULL, at_ms, out);
    route_publish_decision(tenant_id(t), env, json_object_get(c, "decision"), out);
    json_decref(env);
}

static int confirm(struct router *r, const struct tenant *t, json_t *rec, const json_t *op,
                   int64_t now_ms, struct stage_outputs *out) {
    if (!json_object_get(rec, "confirmed") && confirm_once(r, t, rec, op, now_ms)) return -1;
    publish_confirmation(t, rec, out);
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
    const struct tenant *t =
        tenant_set_find(r->tenants, json_string_value(json_object_get(op, "tenant")));
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
    int rc =
        is_overturn ? overturn(r, t, rec, op, now_ms, out) : confirm(r, t, rec, op, now_ms, out);
    if (rc) snprintf(reason, n, "state store unavailable (strikes and bans)");
    st = rc ? STAGE_RETRY : STAGE_OK;
out:
    free(stored);
    json_decref(rec);
    json_decref(op);
    return st;
}
