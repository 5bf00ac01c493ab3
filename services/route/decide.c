/* The decision on one classified envelope. The order of questions follows the policies:
 * is the author banned; what do the categories trigger on this tenant; is this kind of
 * content held before publication; does it count on the strike ladder and what step does
 * that reach; who must look at it. Each answer records the clause it applied. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "log.h"
#include "pseudonym.h"
#include "route.h"
#include "route_emit.h"
#include "route_metrics.h"
#include "route_record.h"
#include "route_router.h"
#include "route_verdict.h"
#include "route_withdraw.h"
#include "timefmt.h"
#include "topics.h"
#include "xmalloc.h"

/* Below this score an automated removal is flagged for a person to confirm. */
#define REVIEW_SCORE 0.75

static int action_rank(enum tenant_action a) {
    switch (a) {
    case TENANT_ACTION_DELETE: return 5;
    case TENANT_ACTION_HIDE: return 4;
    case TENANT_ACTION_HOLD: return 3;
    case TENANT_ACTION_ESCALATE: return 2;
    case TENANT_ACTION_REPLY: return 1;
    default: return 0;
    }
}

static void add_ref(json_t *refs, const char *ref) {
    if (!ref) return;
    size_t i;
    json_t *v;
    json_array_foreach(refs, i, v) {
        if (strcmp(json_string_value(v), ref) == 0) return;
    }
    json_array_append_new(refs, json_string(ref));
}

/* A private message is never published, so what harms only by publication (someone's
 * personal data, their private life) restricts nothing there: the policies speak of data
 * "postati in commenti o post pubblici" (Alessandria, Privacy). It is still redacted. */
static int harms_only_in_public(const char *category, const char *kind) {
    return strcmp(kind, "private_message") == 0 &&
           (strcmp(category, "personal_data") == 0 || strcmp(category, "private_matter") == 0);
}

/* Whether some label of the comment is criticism of the administration, found by a rule
 * or by the model. */
static int has_criticism(const json_t *labels) {
    size_t i;
    json_t *label;
    json_array_foreach(labels, i, label) {
        const char *cat = json_string_value(json_object_get(label, "category"));
        if (cat && strcmp(cat, "criticism") == 0) return 1;
    }
    return 0;
}

/* Whether all of a label's evidence lies inside quotations ("quoted", see
 * text_quote.h): counter-speech quotes what it condemns. */
static int quotes_its_evidence(const json_t *label) {
    return json_is_true(json_object_get(label, "quoted"));
}

/* A label only the statistical scorer found (origin "model") applies the category's
 * action only from the tenant's removal threshold, and never on a comment that is also
 * criticism (however harsh, it is not removed for its wording, and a model reads wording)
 * nor when some of its evidence is quoted (counter-speech). Otherwise a person decides:
 * the content stays as it is, with no strike. */
static int model_label_acts(const json_t *label, const struct tenant_category_rule *rule,
                            int criticism) {
    double score = json_number_value(json_object_get(label, "score"));
    return score >= rule->model_remove && !(criticism && route_removes(rule->action)) &&
           !quotes_its_evidence(label);
}

static int is_model_label(const json_t *label) {
    const char *origin = json_string_value(json_object_get(label, "origin"));
    return origin && strcmp(origin, "model") == 0;
}

/* Keeps rule as the removal to propose to a moderator if it is the harshest so far. */
static void propose(struct verdict *v, const struct tenant_category_rule *rule) {
    if (!route_removes(rule->action)) return;
    if (action_rank(rule->action) > action_rank(v->proposed) ||
        (rule->action == v->proposed && rule->severity > v->proposed_rule->severity)) {
        v->proposed = rule->action;
        v->proposed_rule = rule;
    }
}

/* Folds the tenant's rule for each label into the verdict: the harshest action wins,
 * ties go to the more severe rule. */
static void weigh_labels(struct verdict *v, const struct tenant *t, const json_t *labels,
                         const char *kind) {
    size_t i;
    json_t *label;
    int criticism = has_criticism(labels);
    json_array_foreach(labels, i, label) {
        const char *cat = json_string_value(json_object_get(label, "category"));
        const struct tenant_category_rule *rule = cat ? tenant_category(t, cat) : NULL;
        if (!rule || harms_only_in_public(cat, kind)) continue;
        /* Quoted abuse, like a model's word alone, removes nothing by itself. */
        if ((is_model_label(label) && !model_label_acts(label, rule, criticism)) ||
            (quotes_its_evidence(label) && route_removes(rule->action))) {
            if (rule->action != TENANT_ACTION_NONE) v->needs_review = 1;
            propose(v, rule);
            continue;
        }
        double score = json_number_value(json_object_get(label, "score"));
        if (action_rank(rule->action) > action_rank(v->action) ||
            (v->rule && rule->action == v->action && rule->severity > v->rule->severity)) {
            v->action = rule->action;
            v->rule = rule;
            v->template_id = rule->template_id;
            v->model_score = is_model_label(label) ? score : 0;
        }
        if (route_removes(rule->action) && score < v->min_score) v->min_score = score;
        if (rule->severity > v->severity) v->severity = rule->severity;
        v->strike |= rule->strike;
        /* a ban at once is never on the model's word alone */
        v->ban_at_once |= rule->ban_at_once && !is_model_label(label);
        v->report_police |= rule->report_police;
        if (rule->action != TENANT_ACTION_NONE) add_ref(v->policy_refs, rule->policy_ref);
    }
}

/* Content of a kind the tenant moderates before publication is held, unless something
 * harsher already applies. */
static void apply_premoderation(struct verdict *v, const struct tenant *t, const char *kind) {
    const char *template_id = NULL;
    const char *clause = tenant_premoderation(t, kind, &template_id);
    if (!clause || action_rank(TENANT_ACTION_HOLD) <= action_rank(v->action)) return;
    v->action = TENANT_ACTION_HOLD;
    v->rule = NULL;
    v->clause = clause;
    v->template_id = template_id;
    v->needs_review = 1;
    add_ref(v->policy_refs, clause);
}

/* Counts a strike when a category the tenant marks as one fired, and climbs the ladder
 * from the strikes the author had before. */
static void apply_ladder(struct verdict *v, const struct tenant *t,
                         const struct state_author_view *view, int64_t ts) {
    if (!v->strike) return;
    const struct tenant_ladder *ladder = tenant_ladder(t);
    v->strikes = view->strikes_before + 1;
    v->step_rule = tenant_ladder_step(t, (int)v->strikes);
    v->step = v->step_rule ? v->step_rule->step : TENANT_STEP_NONE;
    if (v->ban_at_once && v->severity >= 3 && v->step < TENANT_STEP_BAN) {
        /* Threats and incitement may ban on the first occurrence; a person confirms. */
        v->step = TENANT_STEP_BAN;
        v->step_rule = NULL;
        v->needs_review = 1;
    }
    if (v->step == TENANT_STEP_NONE) return;
    add_ref(v->policy_refs, ladder->policy_ref);
    int64_t until = 0;
    if (v->step == TENANT_STEP_TEMP_BAN)
        until = ts + (int64_t)v->step_rule->hours * 3600 * 1000;
    else if (v->step == TENANT_STEP_BAN)
        until = STATE_BAN_FOREVER;
    if (v->step_rule && v->step_rule->review) {
        v->needs_review = 1; /* proposed, applied when a moderator confirms */
        v->ban_proposed = until;
        return;
    }
    v->ban_until = until;
}

/* An author banned when the content was written has it hidden, whatever it says. */
static void apply_ban_in_force(struct verdict *v, const struct tenant *t, int64_t until) {
    if (action_rank(TENANT_ACTION_HIDE) <= action_rank(v->action)) return;
    v->action = TENANT_ACTION_HIDE;
    v->rule = NULL;
    v->clause = tenant_ladder(t)->policy_ref;
    v->template_id = NULL;
    v->ban_in_force_until = until;
    add_ref(v->policy_refs, v->clause);
}

/* The verdict on env given the author's state as it was (view). The same inputs always
 * give the same verdict, which is what lets a retry decide again from a record. v's
 * policy_refs is a new array the caller frees. */
static void judge(struct verdict *v, const struct tenant *t, const json_t *env,
                  const struct state_author_view *view, int64_t ts) {
    *v = (struct verdict){ .action = TENANT_ACTION_NONE,
                           .proposed = TENANT_ACTION_NONE,
                           .min_score = 1.0,
                           .policy_refs = json_array() };
    const json_t *labels = json_object_get(json_object_get(env, "classification"), "labels");
    weigh_labels(v, t, labels, envelope_str(env, "kind"));
    apply_premoderation(v, t, envelope_str(env, "kind"));
    if (view->banned_until)
        apply_ban_in_force(v, t, view->banned_until);
    else
        apply_ladder(v, t, view, ts);
    if (route_removes(v->action) && v->rule && v->min_score < REVIEW_SCORE) v->needs_review = 1;
    if (action_rank(v->proposed) <= action_rank(v->action)) {
        v->proposed = TENANT_ACTION_NONE; /* what is done already restricts as much */
        v->proposed_rule = NULL;
    }
}

/* What deciding one event needs, and what it wrote. */
struct decision_run {
    const struct tenant *t;
    const json_t *env;
    char author[PSEUDONYM_LEN];
    int64_t ts, window;
    struct state_author_view view; /* the author's state the decision is made from */
    int64_t decided_ms;
    int escalated;                 /* the decision emitted opened tickets */
    char *record;                  /* its record, the decision in it (new string) */
    struct state_decision effects; /* its strike, ban and record, to commit */
    struct verdict verdict;        /* for the metrics; its policy_refs already freed */
};

/* Decides from run->view at run->decided_ms, appending the outputs. */
static void decide_from_view(struct decision_run *run, struct stage_outputs *out) {
    struct verdict v;
    judge(&v, run->t, run->env, &run->view, run->ts);
    size_t len;
    char *decision =
        route_emit(run->t, run->env, run->author, &v, run->decided_ms, out, &len, &run->escalated);
    run->record = route_record_dump(run->env, &v, decision, len, &run->view, run->decided_ms);
    free(decision);
    run->effects = (struct state_decision){ .event_id = envelope_str(run->env, "event_id"),
                                            .ts_ms = run->ts,
                                            .window_ms = run->window,
                                            .strike = v.strikes > 0,
                                            .ban_until = v.ban_until,
                                            .record = run->record,
                                            .record_ttl_ms = ROUTE_RECORD_TTL_MS };
    json_decref(v.policy_refs);
    run->verdict = v;
    run->verdict.policy_refs = NULL;
}

static void decision_run_clear(struct decision_run *run) {
    free(run->record);
    run->escalated = 0;
    run->record = NULL;
}

#define DECIDED_BEFORE  1 /* decide_first: an attempt decided this delivery before */
#define DELIVERED_AGAIN 2 /* decide_first, decide_once: a second delivery of a decided event */

/* Decides from the lookup's answer: the view read, or the record prior (stolen) of an
 * attempt that decided the event before. Returns 0 when run->effects are to be
 * committed; DECIDED_BEFORE when an attempt on this delivery decided it (decided again as
 * it did, nothing to write: what it published was not committed); DELIVERED_AGAIN, with
 * no outputs, when the record is of another delivery of the event (a platform's retry
 * that ingest let through), whose outputs precede this one in the partition and so are
 * committed already. */
static int decide_first(struct decision_run *run, char *prior, int64_t now_ms,
                        struct stage_outputs *out) {
    run->decided_ms = now_ms;
    int known = prior && route_record_read(prior, &run->view, &run->decided_ms) == 0;
    int again = known && !route_record_same_delivery(prior, run->env);
    free(prior);
    if (again) return DELIVERED_AGAIN;
    decide_from_view(run, out);
    return known ? DECIDED_BEFORE : 0;
}

/* Settles a decision once its commit answered: existing (stolen) is the record another
 * attempt committed first, or NULL when this one's effects were written. */
static void decide_committed(struct decision_run *run, char *existing, int64_t now_ms,
                             struct stage_outputs *out) {
    int lost = existing && route_record_read(existing, &run->view, &run->decided_ms) == 0;
    free(existing);
    /* Counted once, by the attempt whose effects are in force: a redelivery that decides
     * again as a first attempt did is not a new decision. */
    if (!lost) {
        route_metric_decision(tenant_id(run->t), &run->verdict, run->env, now_ms);
        return;
    }
    /* Another attempt got there first (a replica that has just lost the partition): its
     * effects are the ones in force, so its decision is the one to publish. */
    stage_outputs_clear(out);
    decision_run_clear(run);
    decide_from_view(run, out);
}

/* Decides the event and writes its effects, or, when an attempt decided it before,
 * decides again as that attempt did and writes nothing. Returns 0; DELIVERED_AGAIN, with
 * no outputs, for a second delivery of a decided event (decide_first); or -1 when the
 * state store is unavailable (the outputs are then discarded by the caller). */
static int decide_once(struct router *r, struct decision_run *run, int64_t now_ms,
                       struct stage_outputs *out) {
    const char *tid = tenant_id(run->t), *event_id = envelope_str(run->env, "event_id");
    char *prior = NULL;
    if (state_decision_lookup(r->state, tid, run->author, event_id, run->ts, run->window,
                              &run->view, &prior))
        return -1;
    int first = decide_first(run, prior, now_ms, out);
    if (first) return first == DELIVERED_AGAIN ? DELIVERED_AGAIN : 0;
    if (state_decision_commit(r->state, tid, run->author, &run->effects, &prior)) return -1;
    decide_committed(run, prior, now_ms, out);
    return 0;
}

/* The run of env on tenant t: its author's pseudonym, time and strike window. */
static void run_init(struct decision_run *run, const struct router *r, const struct tenant *t,
                     const json_t *env, int64_t now_ms) {
    *run = (struct decision_run){
        .t = t, .env = env, .window = (int64_t)tenant_ladder(t)->window_days * 24 * 3600 * 1000
    };
    pseudonym_make(r->pseudonym_key, strlen(r->pseudonym_key), tenant_id(t),
                   envelope_str(env, "platform"), envelope_author_id(env), run->author);
    if (rfc3339_parse(envelope_str(env, "created_at"), &run->ts)) run->ts = now_ms;
}

/* Keeps run's outputs (moved out of out) and whether it opened tickets for router_stage. */
static void ahead_keep(struct router *r, struct decision_run *run, struct stage_outputs *out) {
    xgrow(&r->ahead, &r->cap_ahead, r->n_ahead + 1, sizeof *r->ahead);
    r->ahead[r->n_ahead++] = (struct decided_ahead){ xstrdup(tenant_id(run->t)),
                                                     xstrdup(envelope_str(run->env, "event_id")),
                                                     *out, run->escalated, 0 };
    *out = (struct stage_outputs){ 0 };
}

/* Commits the effects of the runs decided first (known[i] == 0) in one round trip and
 * settles them. Returns 0, or -1 when the store is unavailable. */
static int commit_ahead(struct router *r, struct decision_run *runs, const int *known,
                        struct stage_outputs *outs, size_t n, int64_t now_ms) {
    struct state_commit_req *q = xcalloc(n, sizeof *q);
    char **existing = xcalloc(n, sizeof *existing);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!known[i])
            q[k++] =
                (struct state_commit_req){ tenant_id(runs[i].t), runs[i].author, runs[i].effects };
    int rc = state_decision_commit_many(r->state, q, k, existing);
    for (size_t i = 0, j = 0; rc == 0 && i < n; i++)
        if (!known[i]) decide_committed(&runs[i], existing[j++], now_ms, &outs[i]);
    free(q), free(existing);
    return rc;
}

/* Remembers the contents of the decisions kept from r->ahead[first] on that opened
 * tickets, in two round trips for all (envs[0..n) holds their envelopes), and marks them
 * done; when the store fails, router_stage remembers each by itself. */
static void remember_ahead(struct router *r, json_t *const *envs, size_t n, size_t first) {
    const struct tenant **ts = xcalloc(n, sizeof *ts);
    const json_t **which = xcalloc(n, sizeof *which);
    size_t *kept = xcalloc(n, sizeof *kept), k = 0;
    for (size_t a = first; a < r->n_ahead; a++) {
        if (!r->ahead[a].escalated) continue;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(envelope_str(envs[i], "event_id"), r->ahead[a].event_id) ||
                strcmp(envelope_str(envs[i], "tenant"), r->ahead[a].tenant))
                continue;
            ts[k] = tenant_set_find(r->tenants, r->ahead[a].tenant);
            which[k] = envs[i];
            kept[k++] = a;
            break;
        }
    }
    if (k && route_remember_tickets_many(r, ts, which, k) == 0)
        for (size_t j = 0; j < k; j++) r->ahead[kept[j]].escalated = 0;
    free(ts), free(which), free(kept);
}

void route_decide_ahead(struct router *r, json_t *const *envs, size_t n, int64_t now_ms) {
    if (n == 0) return;
    struct decision_run *runs = xcalloc(n, sizeof *runs);
    struct state_lookup_req *q = xcalloc(n, sizeof *q);
    struct state_author_view *views = xcalloc(n, sizeof *views);
    char **records = xcalloc(n, sizeof *records);
    struct stage_outputs *outs = xcalloc(n, sizeof *outs);
    int *known = xcalloc(n, sizeof *known);
    for (size_t i = 0; i < n; i++) {
        run_init(&runs[i], r, tenant_set_find(r->tenants, envelope_str(envs[i], "tenant")), envs[i],
                 now_ms);
        q[i] = (struct state_lookup_req){ tenant_id(runs[i].t), runs[i].author,
                                          envelope_str(envs[i], "event_id"), runs[i].ts,
                                          runs[i].window };
    }
    int rc = state_decision_lookup_many(r->state, q, n, views, records);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        runs[i].view = views[i];
        known[i] = decide_first(&runs[i], records[i], now_ms, &outs[i]);
    }
    if (rc == 0) rc = commit_ahead(r, runs, known, outs, n, now_ms);
    size_t first_kept = r->n_ahead;
    for (size_t i = 0; i < n; i++) {
        /* A second delivery is not kept: decided alone, it publishes nothing. */
        if (rc == 0 && known[i] != DELIVERED_AGAIN) ahead_keep(r, &runs[i], &outs[i]);
        stage_outputs_free(&outs[i]);
        decision_run_clear(&runs[i]);
    }
    remember_ahead(r, envs, n, first_kept);
    free(runs), free(q), free(views), free(records), free(outs), free(known);
}

/* Appends the outputs decided ahead for the event and sets *escalated, or returns 0
 * when none were. */
static int ahead_take(struct router *r, const char *tenant, const char *event_id,
                      struct stage_outputs *out, int *escalated) {
    for (size_t i = 0; i < r->n_ahead; i++) {
        struct decided_ahead *a = &r->ahead[i];
        if (a->taken || strcmp(a->event_id, event_id) || strcmp(a->tenant, tenant)) continue;
        a->taken = 1;
        for (size_t j = 0; j < a->out.n; j++) {
            struct stage_output *o = &a->out.v[j];
            stage_outputs_add(out, o->topic, o->key, o->value, o->len);
            o->key = o->value = NULL; /* stolen by out */
        }
        stage_outputs_clear(&a->out);
        *escalated = a->escalated;
        return 1;
    }
    return 0;
}

enum stage_status router_decide(struct router *r, const json_t *env, int64_t now_ms,
                                struct stage_outputs *out, char *reason, size_t n) {
    const char *tenant_name = envelope_str(env, "tenant");
    const struct tenant *t = tenant_set_find(r->tenants, tenant_name);
    if (!t) {
        snprintf(reason, n, "$.tenant: unknown tenant \"%s\"", tenant_name);
        return STAGE_REJECT;
    }
    const json_t *labels = json_object_get(json_object_get(env, "classification"), "labels");
    if (!json_is_array(labels)) {
        snprintf(reason, n, "$.classification.labels: missing (not a classified envelope)");
        return STAGE_REJECT;
    }
    if (!json_is_string(json_object_get(env, "redacted_text"))) {
        snprintf(reason, n, "$.redacted_text: missing (not a classified envelope)");
        return STAGE_REJECT;
    }
    if (envelope_is_deletion(env)) return route_withdraw(r, t, env, now_ms, out, reason, n);

    /* Decided ahead, the input needs no run of its own (its pseudonym is an HMAC). */
    struct decision_run run = { 0 };
    int rc = 0;
    if (!ahead_take(r, tenant_name, envelope_str(env, "event_id"), out, &run.escalated)) {
        run_init(&run, r, t, env, now_ms);
        rc = decide_once(r, &run, now_ms, out);
    }
    if (rc == DELIVERED_AGAIN) {
        log_info("event %s delivered again: decided before, nothing published",
                 envelope_str(env, "event_id"));
        decision_run_clear(&run);
        return STAGE_OK;
    }
    if (!rc) rc = route_remember_tickets(r, t, env, run.escalated);
    decision_run_clear(&run);
    if (rc) {
        snprintf(reason, n, "state store unavailable (strikes, bans and records)");
        return STAGE_RETRY;
    }
    return STAGE_OK;
}
