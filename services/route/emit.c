/* Turns a verdict into messages: the decision every dashboard reads, the commands
 * platform connectors carry out, and the tickets people answer. Only vigile.actions
 * carries raw platform ids; decisions and tickets name the author by pseudonym and
 * show the text with personal data redacted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "json_write.h"
#include "rome_time.h"
#include "route_dsa.h"
#include "route_emit.h"
#include "route_verdict.h"
#include "timefmt.h"
#include "topics.h"
#include "xmalloc.h"

void route_publish_decision_bytes(const char *tenant, const json_t *env, const char *value,
                                  size_t len, struct stage_outputs *out) {
    char topic[256];
    /* The same bytes on both topics: serialized once (a decision is route's largest
     * output). */
    stage_outputs_add(out, TOPIC_DECISIONS, envelope_key(env), xstrndup(value, len), len);
    stage_outputs_add(out, topic_tenant_decisions(tenant, topic, sizeof topic), envelope_key(env),
                      xstrndup(value, len), len);
}

void route_publish_decision(const char *tenant, const json_t *env, const json_t *decision,
                            struct stage_outputs *out) {
    size_t len;
    char *value = envelope_dump(decision, &len);
    route_publish_decision_bytes(tenant, env, value, len, out);
    free(value);
}

/* The statement of reasons: why the content was restricted and, when the ladder moved,
 * what that means for the account. NULL when nothing was restricted. */
static char *statement(const struct tenant *t, const struct verdict *v) {
    char until[ROME_ITALIAN_LEN];
    const struct tenant_render_vars content_vars = { v->rule, v->clause, NULL, NULL };
    char *about_content = NULL, *about_account = NULL;
    if (v->template_id && v->action != TENANT_ACTION_REPLY)
        about_content = tenant_render(t, v->template_id, &content_vars);
    else if (v->ban_in_force_until) {
        const struct tenant_render_vars vars = { NULL, v->clause,
                                                 v->ban_in_force_until == STATE_BAN_FOREVER
                                                     ? NULL
                                                     : rome_format_italian(v->ban_in_force_until,
                                                                           until),
                                                 NULL };
        about_content = tenant_render(
            t, v->ban_in_force_until == STATE_BAN_FOREVER ? "blocco" : "sospensione", &vars);
    }
    if (v->step_rule && v->step_rule->template_id && !v->step_rule->review) {
        const struct tenant_render_vars vars = { v->rule, tenant_ladder(t)->policy_ref,
                                                 v->ban_until && v->ban_until != STATE_BAN_FOREVER
                                                     ? rome_format_italian(v->ban_until, until)
                                                     : NULL,
                                                 NULL };
        about_account = tenant_render(t, v->step_rule->template_id, &vars);
    }
    if (about_content && v->model_score > 0) {
        /* The author is told that no rule but a statistical model decided, and how sure
         * it was (Art. 17(3)(c) DSA: information on the automated means used). */
        char score[16];
        snprintf(score, sizeof score, "%.2f", v->model_score);
        char *comma = strchr(score, '.');
        if (comma) *comma = ',';
        char *with_model = xasprintf("%s La valutazione è stata fatta da un sistema automatico di "
                                     "classificazione statistica (punteggio %s su 1) ed è "
                                     "possibile chiederne il riesame.",
                                     about_content, score);
        free(about_content);
        about_content = with_model;
    }
    if (!about_account) return about_content;
    if (!about_content) return about_account;
    char *both = xasprintf("%s %s", about_content, about_account);
    free(about_content);
    free(about_account);
    return both;
}

static void write_enforcement(struct json_writer *w, const struct verdict *v) {
    char buf[RFC3339_LEN];
    json_write_object_open(w);
    if (v->ban_until == STATE_BAN_FOREVER) {
        json_write_key(w, "ban_until");
        json_write_null(w);
    } else if (v->ban_until) {
        json_write_member_str(w, "ban_until", rfc3339_format(v->ban_until, buf));
    }
    json_write_key(w, "pending_review");
    json_write_bool(w, v->step_rule ? v->step_rule->review : 0);
    json_write_member_str(w, "step", tenant_step_name(v->step));
    json_write_key(w, "strikes");
    json_write_int(w, v->strikes);
    json_write_object_close(w);
}

static void write_schema(struct json_writer *w, const char *name) {
    json_write_key(w, "schema");
    json_write_object_open(w);
    json_write_member_str(w, "name", name);
    json_write_key(w, "version");
    json_write_int(w, 1);
    json_write_object_close(w);
}

/* The decision's members from "dsa" on need the statement of reasons, written first. */
static void write_decision_tail(struct json_writer *w, const struct tenant *t, const json_t *env,
                                const struct verdict *v, const json_t *offices, const char *now) {
    char *why = statement(t, v);
    json_t *dsa = route_dsa(v, env, why, now);
    json_write_key(w, "dsa");
    json_write_json(w, dsa);
    json_decref(dsa);
    json_write_key(w, "enforcement");
    write_enforcement(w, v);
    json_write_key(w, "escalated_to");
    json_write_json(w, offices);
    json_write_member_str(w, "event_id", envelope_str(env, "event_id"));
    json_write_member_str(w, "event_type", envelope_str(env, "event_type"));
    json_write_member_str(w, "kind", envelope_str(env, "kind"));
    json_write_key(w, "needs_review");
    json_write_bool(w, v->needs_review);
    json_write_member_str(w, "platform", envelope_str(env, "platform"));
    json_write_key(w, "policy_refs");
    json_write_json(w, v->policy_refs);
    if (v->proposed != TENANT_ACTION_NONE) {
        json_write_key(w, "proposed");
        json_write_object_open(w);
        json_write_member_str(w, "action", tenant_action_name(v->proposed));
        json_write_member_str(w, "category", v->proposed_rule->category);
        json_write_object_close(w);
    }
    json_write_key(w, "redacted_text");
    json_write_json(w, json_object_get(env, "redacted_text"));
    json_write_key(w, "revision");
    json_write_int(w, 1);
    write_schema(w, "vigile.decision");
    json_write_key(w, "statement_of_reasons");
    if (why)
        json_write_string(w, why);
    else
        json_write_null(w);
    free(why);
}

/* Writes the decision (docs/schemas: vigile.decision) straight to its bytes, keys in
 * sorted order as every output has them, appends it to both decision topics and returns
 * it (new string, *len bytes). */
static char *emit_decision(const struct tenant *t, const json_t *env, const char *author,
                           const struct verdict *v, const json_t *offices, int64_t now_ms,
                           struct stage_outputs *out, size_t *len) {
    char now[RFC3339_LEN];
    rfc3339_format(now_ms, now);
    const json_t *cls = json_object_get(env, "classification");
    struct json_writer w = { 0 };
    json_write_object_open(&w);
    json_write_member_str(&w, "action", tenant_action_name(v->action));
    json_write_member_str(&w, "author", author);
    json_write_key(&w, "automated");
    json_write_bool(&w, 1);
    json_write_key(&w, "categories");
    json_write_json(&w, json_object_get(cls, "labels"));
    json_write_member_str(&w, "channel", envelope_str(env, "channel"));
    json_write_member_str(&w, "content_date", envelope_str(env, "created_at"));
    json_write_member_str(&w, "content_id", envelope_str(env, "content_id"));
    json_write_member_str(&w, "decided_at", now);
    json_write_member_str(&w, "decision_id", envelope_str(env, "event_id"));
    write_decision_tail(&w, t, env, v, offices, now);
    json_write_member_str(&w, "status", "automated");
    json_write_member_str(&w, "tenant", tenant_id(t));
    json_write_member_str(&w, "thread_id", envelope_str(env, "thread_id"));
    json_write_object_close(&w);
    char *d = json_write_finish(&w, len);
    route_publish_decision_bytes(tenant_id(t), env, d, *len, out);
    return d;
}

/* Closes the object w holds and appends it to topic, keyed by env's key. */
static void add_written(struct stage_outputs *out, const char *topic, const json_t *env,
                        struct json_writer *w) {
    json_write_object_close(w);
    size_t len;
    char *value = json_write_finish(w, &len);
    stage_outputs_add(out, topic, envelope_key(env), value, len);
}

/* Appends a platform command. Connectors need the raw ids, and only they read this
 * topic. text may be NULL; ban_until is the end of the ban a "ban" command imposes
 * (STATE_BAN_FOREVER: none), 0 for any other command. */
static void add_command(const struct tenant *t, const json_t *env, const char *type,
                        const char *text, int64_t ban_until, int64_t now_ms,
                        struct stage_outputs *out) {
    char now[RFC3339_LEN], until[RFC3339_LEN];
    const char *channel_id = envelope_str(env, "channel");
    const struct tenant_channel *ch = channel_id ? tenant_channel(t, channel_id) : NULL;
    char *action_id = xasprintf("%s:%s", envelope_str(env, "event_id"), type);
    struct json_writer w = { 0 };
    json_write_object_open(&w);
    json_write_member_str(&w, "action_id", action_id);
    json_write_member_str(&w, "author_id", envelope_author_id(env));
    json_write_member_str(&w, "channel", channel_id);
    json_write_member_str(&w, "content_id", envelope_str(env, "content_id"));
    json_write_member_str(&w, "decision_id", envelope_str(env, "event_id"));
    if (ban_until == STATE_BAN_FOREVER) {
        json_write_key(&w, "expires_at");
        json_write_null(&w);
    } else if (ban_until) {
        json_write_member_str(&w, "expires_at", rfc3339_format(ban_until, until));
    }
    json_write_member_str(&w, "issued_at", rfc3339_format(now_ms, now));
    /* a connector replies to a private message differently */
    json_write_member_str(&w, "kind", envelope_str(env, "kind"));
    json_write_member_str(&w, "page_id", ch ? ch->page_id : NULL);
    json_write_member_str(&w, "platform", envelope_str(env, "platform"));
    write_schema(&w, "vigile.action");
    json_write_member_str(&w, "tenant", tenant_id(t));
    json_write_member_str(&w, "text", text);
    json_write_member_str(&w, "thread_id", envelope_str(env, "thread_id"));
    json_write_member_str(&w, "type", type);
    free(action_id);
    add_written(out, TOPIC_ACTIONS, env, &w);
}

void route_command(const struct tenant *t, const json_t *env, const char *type, const char *text,
                   int64_t now_ms, struct stage_outputs *out) {
    add_command(t, env, type, text, 0, now_ms, out);
}

static void emit_commands(const struct tenant *t, const json_t *env, const struct verdict *v,
                          int64_t now_ms, struct stage_outputs *out) {
    if (route_removes(v->action))
        route_command(t, env, tenant_action_name(v->action), NULL, now_ms, out);
    if (v->action == TENANT_ACTION_REPLY && v->template_id) {
        const struct tenant_render_vars vars = { v->rule, NULL, NULL,
                                                 v->rule ? v->rule->office : NULL };
        char *text = tenant_render(t, v->template_id, &vars);
        if (text) route_command(t, env, "reply", text, now_ms, out);
        free(text);
    }
    if (v->step == TENANT_STEP_NONE || (v->step_rule && v->step_rule->review)) return;
    if (v->step == TENANT_STEP_WARN) {
        char *text = v->step_rule && v->step_rule->template_id
                         ? tenant_render(t, v->step_rule->template_id,
                                         &(struct tenant_render_vars){
                                             v->rule, tenant_ladder(t)->policy_ref, NULL, NULL })
                         : NULL;
        route_command(t, env, "warn", text, now_ms, out);
        free(text);
    }
    if (v->ban_until) add_command(t, env, "ban", NULL, v->ban_until, now_ms, out);
    enum tenant_step from = tenant_ladder(t)->report_platform_from;
    if (from != TENANT_STEP_NONE && v->step >= from)
        route_command(t, env, "report", NULL, now_ms, out);
}

/* Adds reason to the ticket for office (one ticket per office per content). */
static void want_ticket(json_t *tickets, const char *office, const char *reason) {
    if (!office) return;
    json_t *reasons = json_object_get(tickets, office);
    if (!reasons) json_object_set_new(tickets, office, reasons = json_array());
    json_array_append_new(reasons, json_string(reason));
}

/* Who must look at this content: offices for the categories that open tickets, the
 * police route for crimes and threats, the channel's moderators for reviews. */
static json_t *tickets_for(const struct tenant *t, const json_t *env, const struct verdict *v) {
    const char *channel = envelope_str(env, "channel");
    const json_t *labels = json_object_get(json_object_get(env, "classification"), "labels");
    json_t *tickets = json_object();
    size_t i;
    json_t *label;
    json_array_foreach(labels, i, label) {
        const char *cat = json_string_value(json_object_get(label, "category"));
        const struct tenant_category_rule *rule = tenant_category(t, cat);
        if (!rule || (rule->action != TENANT_ACTION_ESCALATE && !rule->ticket)) continue;
        want_ticket(tickets, rule->office ? rule->office : tenant_route(t, channel, cat), cat);
    }
    if (v->report_police) want_ticket(tickets, tenant_route(t, channel, "police"), "police");
    if (v->needs_review) want_ticket(tickets, tenant_route(t, channel, "review"), "review");
    return tickets;
}

static const char *priority(const struct verdict *v) {
    if (v->report_police) return "urgent";
    return v->severity >= 3 ? "high" : v->severity == 2 ? "normal" : "low";
}

static void emit_ticket(const struct tenant *t, const json_t *env, const char *author,
                        const struct verdict *v, const char *office, const json_t *reasons,
                        const char *now, struct stage_outputs *out) {
    char *ticket_id = xasprintf("%s:%s", envelope_str(env, "event_id"), office);
    struct json_writer w = { 0 };
    json_write_object_open(&w);
    json_write_member_str(&w, "author", author);
    json_write_member_str(&w, "channel", envelope_str(env, "channel"));
    json_write_member_str(&w, "content_id", envelope_str(env, "content_id"));
    json_write_member_str(&w, "created_at", envelope_str(env, "created_at"));
    json_write_member_str(&w, "decision_id", envelope_str(env, "event_id"));
    json_write_member_str(&w, "kind", envelope_str(env, "kind"));
    json_write_member_str(&w, "office", office);
    json_write_member_str(&w, "opened_at", now);
    json_write_member_str(&w, "platform", envelope_str(env, "platform"));
    json_write_member_str(&w, "priority", priority(v));
    json_write_key(&w, "reasons");
    json_write_json(&w, reasons);
    json_write_member_str(&w, "received_at", envelope_str(env, "received_at"));
    json_write_key(&w, "redacted_text");
    json_write_json(&w, json_object_get(env, "redacted_text"));
    json_write_key(&w, "removal");
    json_write_bool(&w, route_removes(v->action) || v->report_police);
    write_schema(&w, "vigile.escalation");
    json_write_key(&w, "severity");
    json_write_int(&w, v->severity ? v->severity : 1);
    json_write_member_str(&w, "tenant", tenant_id(t));
    json_write_member_str(&w, "ticket_id", ticket_id);
    free(ticket_id);
    add_written(out, TOPIC_ESCALATIONS, env, &w);
}

static void emit_tickets(const struct tenant *t, const json_t *env, const char *author,
                         const struct verdict *v, json_t *tickets, int64_t now_ms,
                         struct stage_outputs *out) {
    const char *office;
    json_t *reasons;
    char now[RFC3339_LEN];
    rfc3339_format(now_ms, now);
    json_object_foreach(tickets, office, reasons)
        emit_ticket(t, env, author, v, office, reasons, now, out);
}

char *route_emit(const struct tenant *t, const json_t *env, const char *author,
                 const struct verdict *v, int64_t now_ms, struct stage_outputs *out, size_t *len,
                 int *escalated) {
    json_t *tickets = tickets_for(t, env, v);
    json_t *offices = json_array();
    const char *office;
    json_t *reasons;
    json_object_foreach(tickets, office, reasons)
        json_array_append_new(offices, json_string(office));
    *escalated = json_array_size(offices) > 0;
    char *decision = emit_decision(t, env, author, v, offices, now_ms, out, len);
    emit_commands(t, env, v, now_ms, out);
    emit_tickets(t, env, author, v, tickets, now_ms, out);
    json_decref(offices);
    json_decref(tickets);
    return decision;
}
