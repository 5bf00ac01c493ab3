/* Tenant loading and validation. Each tenant is config/baseline.json with
 * config/tenants/<id>.json applied over it as a JSON Merge Patch (RFC 7386: objects merge
 * key by key, null deletes, anything else replaces), so categories, offices, channels,
 * templates and rules, which are objects keyed by id, merge per id.
 *
 * Every file is first walked on its own, so that a wrong type or unknown key is reported
 * against the file that has it; then the merged document of each tenant is walked again
 * with every required key and cross-reference checked, reported against the tenant file
 * (a tenant that inherits an incomplete baseline entry is the one that must complete it).
 * All problems are collected, one "file: json.path: problem" line each, so an operator
 * fixes a file in one pass.
 *
 * This file is the schema, section by section (which keys, of what type, required or
 * not, what they become in struct tenant), and the walk over the files; the readers and
 * validators it uses are tenant_check.c's. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tenant_check.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "json_doc.h"
#include "strlist.h"
#include "xmalloc.h"

/* Routing keys that are not categories: who reviews held content, who reports to the
 * police, who answers private messages. */
static const char *const intents[] = { "review", "police", "private_message", NULL };
static const char *const placeholders[] = { "comune",   "policy",  "sezione",  "categoria",
                                            "scadenza", "ufficio", "contatto", NULL };
static const char *const weekdays[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL };

/* ---- sections ---------------------------------------------------------------------- */

static void walk_policy(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "title", "source", "url", "version", NULL };
    json_t *policy = ld_member(ld, doc, "$", "policy", K_OBJ, 1);
    if (!policy) return;
    ld_check_keys(ld, policy, "$.policy", keys);
    t->policy_title = ld_str(ld, policy, "$.policy", "title", 1);
    ld_str(ld, policy, "$.policy", "source", 1);
    ld_str(ld, policy, "$.policy", "url", 0);
    ld_str(ld, policy, "$.policy", "version", 0);
}

static void walk_week(struct loader *ld, json_t *obj, const char *path, struct cal_week *week) {
    const char *key;
    json_t *v;
    char p[PATH_LEN], pi[PATH_LEN + 24], problem[PROBLEM_LEN];
    ld_check_keys(ld, obj, path, weekdays);
    json_object_foreach(obj, key, v) {
        int day = cal_weekday_parse(key);
        if (day < 0 || json_is_null(v) || !ld_expect(ld, v, ld_subpath(p, path, key), K_ARR))
            continue;
        size_t i;
        json_t *s;
        json_array_foreach(v, i, s) {
            struct cal_interval iv;
            snprintf(pi, sizeof pi, "%s[%zu]", p, i);
            if (!ld_expect(ld, s, pi, K_STR)) continue;
            if (cal_interval_parse(json_string_value(s), &iv, problem, sizeof problem) < 0 ||
                cal_day_add(&week->day[day], iv, problem, sizeof problem) < 0)
                ld_error(ld, pi, "%s", problem);
        }
    }
    if (ld->full && cal_week_minutes(week) == 0) ld_error(ld, path, "never open");
}

static void walk_calendars(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "moderation", "office", NULL };
    json_t *cals = ld_member(ld, doc, "$", "calendars", K_OBJ, 1);
    if (!cals) return;
    ld_check_keys(ld, cals, "$.calendars", keys);
    json_t *w = ld_member(ld, cals, "$.calendars", "moderation", K_OBJ, 1);
    if (w) walk_week(ld, w, "$.calendars.moderation", &t->cal.moderation);
    w = ld_member(ld, cals, "$.calendars", "office", K_OBJ, 1);
    if (w) walk_week(ld, w, "$.calendars.office", &t->cal.office);
}

/* Reads {date, name} into d; recurring_only for the patron day. Returns 0 or -1. */
static int walk_date(struct loader *ld, json_t *obj, const char *path, int recurring_only,
                     struct cal_date *d) {
    static const char *const keys[] = { "date", "name", "source", NULL };
    char p[PATH_LEN], problem[PROBLEM_LEN];
    ld_check_keys(ld, obj, path, keys);
    const char *date = ld_str(ld, obj, path, "date", 1);
    d->name = ld_str(ld, obj, path, "name", 1);
    ld_str(ld, obj, path, "source", 0);
    if (!date) return -1;
    if (cal_date_parse(date, d, problem, sizeof problem) < 0) {
        ld_error(ld, ld_subpath(p, path, "date"), "%s", problem);
        return -1;
    }
    if (recurring_only && d->year) {
        ld_error(ld, ld_subpath(p, path, "date"), "a patron day recurs: write MM-DD");
        return -1;
    }
    return 0;
}

static void walk_closure(struct loader *ld, struct tenant *t, json_t *v, const char *p) {
    if (walk_date(ld, v, p, 0, &t->closures[t->cal.holidays.nclosures]) == 0)
        t->cal.holidays.nclosures++;
}

static void walk_holidays(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "national", "patron", "closures", NULL };
    struct cal_holidays *h = &t->cal.holidays;
    json_t *hol = ld_member(ld, doc, "$", "holidays", K_OBJ, 1);
    if (!hol) return;
    ld_check_keys(ld, hol, "$.holidays", keys);
    h->national = ld_bool(ld, hol, "$.holidays", "national", 1, 0);
    json_t *patron = ld_member(ld, hol, "$.holidays", "patron", K_OBJ, 0);
    if (patron) h->has_patron = walk_date(ld, patron, "$.holidays.patron", 1, &h->patron) == 0;
    json_t *closures = ld_member(ld, hol, "$.holidays", "closures", K_ARR, 0);
    if (!closures) return;
    t->closures = xcalloc(json_array_size(closures), sizeof *t->closures);
    h->closures = t->closures;
    ld_each_item(ld, t, closures, "$.holidays.closures", walk_closure);
}

static void walk_office(struct loader *ld, struct tenant *t, const char *id, json_t *v,
                        const char *p) {
    struct tenant_office *o = &t->offices[t->noffices++];
    char pe[PATH_LEN];
    o->id = id;
    o->name = ld_str(ld, v, p, "name", 1);
    o->email = ld_str(ld, v, p, "email", 0);
    o->phone = ld_str(ld, v, p, "phone", 0);
    o->url = ld_str(ld, v, p, "url", 0);
    o->supervisor = ld_str(ld, v, p, "supervisor", 0);
    o->external = ld_bool(ld, v, p, "external", 0, 0);
    if (o->email && !strchr(o->email, '@'))
        ld_error(ld, ld_subpath(pe, p, "email"), "\"%s\" is not an e-mail address", o->email);
}

static void walk_offices(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "name",       "email",    "phone", "url",
                                        "supervisor", "external", NULL };
    json_t *offices = ld_member(ld, doc, "$", "offices", K_OBJ, 1);
    if (!offices) return;
    t->offices = xcalloc(json_object_size(offices), sizeof *t->offices);
    ld_each_entry(ld, t, offices, "$.offices", keys, walk_office);
}

/* A routing object: category ids or intents to office ids (checked in check_refs). */
static json_t *walk_routing(struct loader *ld, json_t *routing, const char *path) {
    const char *key;
    json_t *v;
    char p[PATH_LEN];
    json_object_foreach(routing, key, v) {
        ld_subpath(p, path, key);
        if (strlist_index(key, tenant_category_table) < 0 && strlist_index(key, intents) < 0)
            ld_error(ld, p,
                     "unknown category or intent (intents: review, police, "
                     "private_message)");
        else if (!json_is_null(v))
            ld_expect(ld, v, p, K_STR);
    }
    return routing;
}

static void walk_channel(struct loader *ld, struct tenant *t, const char *id, json_t *v,
                         const char *p) {
    struct tenant_channel *c = &t->channels[t->nchannels];
    char pr[PATH_LEN];
    c->id = id;
    int platform = ld_enum(ld, v, p, "platform", 1, envelope_platforms);
    c->platform = platform >= 0 ? envelope_platforms[platform] : NULL;
    c->page_id = ld_str(ld, v, p, "page_id", 1);
    c->name = ld_str(ld, v, p, "name", 1);
    c->office = ld_str(ld, v, p, "office", 1);
    c->url = ld_str(ld, v, p, "url", 0);
    ld_str(ld, v, p, "note", 0);
    json_t *routing = ld_member(ld, v, p, "routing", K_OBJ, 0);
    if (routing)
        t->channel_routing[t->nchannels] = walk_routing(ld, routing, ld_subpath(pr, p, "routing"));
    t->nchannels++;
}

static void walk_channels(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "platform", "page_id", "name",    "office",
                                        "url",      "note",    "routing", NULL };
    json_t *channels = ld_member(ld, doc, "$", "channels", K_OBJ, 1);
    if (!channels) return;
    if (ld->full && json_object_size(channels) == 0) ld_error(ld, "$.channels", "no channels");
    t->channels = xcalloc(json_object_size(channels), sizeof *t->channels);
    t->channel_routing = xcalloc(json_object_size(channels), sizeof *t->channel_routing);
    ld_each_entry(ld, t, channels, "$.channels", keys, walk_channel);
}

static void walk_premod(struct loader *ld, struct tenant *t, const char *kind, json_t *v,
                        const char *p) {
    if (strlist_index(kind, envelope_kinds) < 0) ld_error(ld, p, "unknown content kind");
    struct premod pm = { kind, ld_str(ld, v, p, "template", 1), ld_ref(ld, t, v, p, 1, NULL) };
    /* hold: false lets a tenant switch off a baseline hold. */
    if (ld_bool(ld, v, p, "hold", 1, 0)) t->premods[t->npremods++] = pm;
}

static void walk_premoderation(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "hold", "template", "policy_ref", NULL };
    json_t *premod = ld_member(ld, doc, "$", "premoderation", K_OBJ, 0);
    if (!premod) return;
    t->premods = xcalloc(json_object_size(premod), sizeof *t->premods);
    ld_each_entry(ld, t, premod, "$.premoderation", keys, walk_premod);
}

/* Actions whose outcome the author sees, so they need a statement or a reply. */
static int action_needs_template(enum tenant_action a) {
    return a == TENANT_ACTION_REPLY || a == TENANT_ACTION_HIDE || a == TENANT_ACTION_DELETE ||
           a == TENANT_ACTION_HOLD;
}

/* One model threshold, 0..1; TENANT_MODEL_NEVER when absent or null. */
static double get_threshold(struct loader *ld, json_t *obj, const char *path, const char *key) {
    char p[PATH_LEN];
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) return TENANT_MODEL_NEVER;
    ld_subpath(p, path, key);
    if (!json_is_number(v)) {
        ld_error(ld, p, "expected a score between 0 and 1, got %s", json_doc_type_phrase(v));
        return TENANT_MODEL_NEVER;
    }
    double x = json_number_value(v);
    if (x < 0 || x > 1) {
        ld_error(ld, p, "%g is not a score between 0 and 1", x);
        return TENANT_MODEL_NEVER;
    }
    return x;
}

/* "model": {"review": 0.6, "remove": 0.9}: the scores from which a label the statistical
 * scorer alone found sends the content to review, and applies the category's action.
 * Either may be absent or null (never). */
static void walk_model(struct loader *ld, json_t *v, const char *p,
                       struct tenant_category_rule *r) {
    static const char *const keys[] = { "review", "remove", NULL };
    char pm[PATH_LEN], pk[PATH_LEN];
    r->model_review = r->model_remove = TENANT_MODEL_NEVER;
    json_t *m = ld_member(ld, v, p, "model", K_OBJ, 0);
    if (!m) return;
    ld_subpath(pm, p, "model");
    ld_check_keys(ld, m, pm, keys);
    r->model_review = get_threshold(ld, m, pm, "review");
    r->model_remove = get_threshold(ld, m, pm, "remove");
    if (r->model_remove < r->model_review)
        ld_error(ld, ld_subpath(pk, pm, "remove"),
                 "%g is below review (%g): a score that removes "
                 "must also be one that asks for review",
                 r->model_remove, r->model_review);
}

static void walk_category(struct loader *ld, struct tenant *t, const char *id, json_t *v,
                          const char *p) {
    char pk[PATH_LEN];
    int i = strlist_index(id, tenant_category_table);
    if (i < 0) {
        ld_error(ld, p, "unknown category id");
        return;
    }
    struct tenant_category_rule *r = &t->categories[i];
    r->category = tenant_category_table[i];
    r->label = ld_str(ld, v, p, "label", 1);
    int action = ld_enum(ld, v, p, "action", 1, tenant_action_table);
    r->action = action >= 0 ? (enum tenant_action)action : TENANT_ACTION_NONE;
    r->strike = ld_bool(ld, v, p, "strike", 1, 0);
    r->severity = ld_int(ld, v, p, "severity", 1, 0, 3, 0);
    r->template_id = ld_str(ld, v, p, "template", 0);
    r->ticket = ld_bool(ld, v, p, "ticket", 0, r->action == TENANT_ACTION_ESCALATE);
    r->ban_at_once = ld_bool(ld, v, p, "ban_at_once", 0, 0);
    r->report_police = ld_bool(ld, v, p, "report_police", 0, 0);
    walk_model(ld, v, p, r);
    r->policy_ref = ld_ref(ld, t, v, p, 1, &r->section);
    if (!ld->full || action < 0) return;
    if (action_needs_template(r->action) && !r->template_id)
        ld_error(ld, ld_subpath(pk, p, "template"), "missing: action %s needs a template",
                 tenant_action_table[action]);
    if (r->action == TENANT_ACTION_NONE && r->template_id)
        ld_error(ld, ld_subpath(pk, p, "template"), "action none sends nothing: remove it");
}

static void walk_categories(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "label",    "action",     "strike",      "severity",
                                        "template", "ticket",     "ban_at_once", "report_police",
                                        "model",    "policy_ref", NULL };
    json_t *cats = ld_member(ld, doc, "$", "categories", K_OBJ, 1);
    if (!cats) return;
    ld_each_entry(ld, t, cats, "$.categories", keys, walk_category);
    char p[PATH_LEN];
    for (size_t i = 0; ld->full && i < NCATEGORIES; i++)
        if (!t->categories[i].category)
            ld_error(ld, ld_subpath(p, "$.categories", tenant_category_table[i]), "missing");
}

static void walk_step(struct loader *ld, struct tenant *t, json_t *v, const char *p) {
    const struct tenant_strike_step *prev =
        t->ladder.nsteps ? &t->steps[t->ladder.nsteps - 1] : NULL;
    struct tenant_strike_step *s = &t->steps[t->ladder.nsteps++];
    static const char *const keys[] = { "at", "step", "hours", "review", "template", NULL };
    char pk[PATH_LEN];
    ld_check_keys(ld, v, p, keys);
    s->at = ld_int(ld, v, p, "at", 1, 1, 1000, 0);
    int step = ld_enum(ld, v, p, "step", 1, tenant_step_table);
    s->step = step > 0 ? (enum tenant_step)step : TENANT_STEP_NONE;
    if (step == TENANT_STEP_NONE) ld_error(ld, ld_subpath(pk, p, "step"), "none is not a step");
    s->review = ld_bool(ld, v, p, "review", 0, 0);
    s->template_id = ld_str(ld, v, p, "template", 1);
    if (s->step == TENANT_STEP_TEMP_BAN)
        s->hours = ld_int(ld, v, p, "hours", 1, 1, 24 * 365, 0);
    else if (json_object_get(v, "hours"))
        ld_error(ld, ld_subpath(pk, p, "hours"), "only a temp_ban has hours");
    if (!prev) return;
    if (s->at && prev->at && s->at <= prev->at)
        ld_error(ld, ld_subpath(pk, p, "at"), "%d is not after the previous step's %d", s->at,
                 prev->at);
    if (s->step && s->step <= prev->step)
        ld_error(ld, ld_subpath(pk, p, "step"), "%s cannot follow %s", tenant_step_table[s->step],
                 tenant_step_table[prev->step]);
}

static void walk_strikes(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "window_days", "steps", "report_platform_from",
                                        "policy_ref", NULL };
    json_t *strikes = ld_member(ld, doc, "$", "strikes", K_OBJ, 1);
    if (!strikes) return;
    ld_check_keys(ld, strikes, "$.strikes", keys);
    t->ladder.window_days = ld_int(ld, strikes, "$.strikes", "window_days", 1, 1, 3650, 0);
    int from = ld_enum(ld, strikes, "$.strikes", "report_platform_from", 0, tenant_step_table);
    t->ladder.report_platform_from = from > 0 ? (enum tenant_step)from : TENANT_STEP_NONE;
    t->ladder.policy_ref = ld_ref(ld, t, strikes, "$.strikes", 1, NULL);
    json_t *steps = ld_member(ld, strikes, "$.strikes", "steps", K_ARR, 1);
    if (!steps) return;
    t->steps = xcalloc(json_array_size(steps), sizeof *t->steps);
    t->ladder.steps = t->steps;
    ld_each_item(ld, t, steps, "$.strikes.steps", walk_step);
}

static void walk_sla(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "response_working_hours",
                                        "courtesy_template",
                                        "removal_working_minutes",
                                        "removal_min_severity",
                                        "due_soon_minutes",
                                        "policy_ref",
                                        NULL };
    struct tenant_sla *s = &t->sla;
    json_t *sla = ld_member(ld, doc, "$", "sla", K_OBJ, 1);
    if (!sla) return;
    ld_check_keys(ld, sla, "$.sla", keys);
    s->response_working_hours = ld_int(ld, sla, "$.sla", "response_working_hours", 0, 1, 2000, 0);
    s->courtesy_template = ld_str(ld, sla, "$.sla", "courtesy_template", 0);
    s->removal_working_minutes =
        ld_int(ld, sla, "$.sla", "removal_working_minutes", 1, 1, 100000, 0);
    s->removal_min_severity = ld_int(ld, sla, "$.sla", "removal_min_severity", 1, 1, 3, 3);
    s->due_soon_minutes = ld_int(ld, sla, "$.sla", "due_soon_minutes", 1, 0, 100000, 0);
    s->policy_ref = ld_ref(ld, t, sla, "$.sla", 1, NULL);
    if (ld->full && s->courtesy_template && !s->response_working_hours)
        ld_error(ld, "$.sla.courtesy_template",
                 "a courtesy reply needs response_working_hours to know when it is due");
}

/* "act": {"mode": "shadow" | "live"}; shadow when absent: a municipality watches what
 * vigile-act would do before it does it. */
static void walk_act(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "mode", NULL };
    static const char *const modes[] = { "shadow", "live", NULL };
    json_t *act = ld_member(ld, doc, "$", "act", K_OBJ, 0);
    if (!act) return;
    ld_check_keys(ld, act, "$.act", keys);
    t->act_live = ld_enum(ld, act, "$.act", "mode", 0, modes) == 1;
}

/* Checks the {placeholders} of a template text. Returns 1 when it cites {sezione}. */
static int check_placeholders(struct loader *ld, const char *text, const char *path) {
    int cites = 0;
    for (const char *s = strchr(text, '{'); s; s = strchr(s + 1, '{')) {
        const char *e = strchr(s, '}');
        if (!e) {
            ld_error(ld, path, "unclosed { at byte %td", s - text);
            break;
        }
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)(e - s - 1), s + 1);
        if (strlist_index(name, placeholders) < 0) {
            char all[PROBLEM_LEN / 2];
            strlist_join(all, sizeof all, placeholders);
            ld_error(ld, path, "unknown placeholder {%s} (known: %s)", name, all);
        }
        cites |= strcmp(name, "sezione") == 0;
    }
    return cites;
}

static void walk_template(struct loader *ld, struct tenant *t, const char *id, json_t *v,
                          const char *p) {
    struct template *tp = &t->templates[t->ntemplates++];
    char pt[PATH_LEN];
    tp->id = id;
    tp->text = ld_str(ld, v, p, "text", 1);
    int cites = tp->text && check_placeholders(ld, tp->text, ld_subpath(pt, p, "text"));
    /* A text citing {sezione} takes its clause from the rule applied; any other text must
     * say which clause it implements. */
    tp->policy_ref = ld_ref(ld, t, v, p, !cites, NULL);
}

static void walk_templates(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "text", "policy_ref", NULL };
    json_t *templates = ld_member(ld, doc, "$", "templates", K_OBJ, 1);
    if (!templates) return;
    t->templates = xcalloc(json_object_size(templates), sizeof *t->templates);
    ld_each_entry(ld, t, templates, "$.templates", keys, walk_template);
}

static void walk_rule(struct loader *ld, struct tenant *t, const char *id, json_t *v,
                      const char *p) {
    struct tenant_rule *r = &t->rules[t->nrules++];
    char pp[PATH_LEN];
    r->id = id;
    int cat = ld_enum(ld, v, p, "category", 1, tenant_category_table);
    r->category = cat >= 0 ? tenant_category_table[cat] : NULL;
    r->severity = ld_int(ld, v, p, "severity", 1, 1, 3, 1);
    r->policy_ref = ld_ref(ld, t, v, p, 1, NULL);
    r->pattern = ld_str(ld, v, p, "pattern", 1);
    if (!r->pattern) return;
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)r->pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &code, &offset, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        ld_error(ld, ld_subpath(pp, p, "pattern"), "does not compile at offset %zu: %s",
                 (size_t)offset, (const char *)msg);
        return;
    }
    /* JIT is an optimisation: where it is unavailable the interpreter matches the same. */
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    r->code = re;
}

static void walk_rules(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "category", "pattern", "severity", "policy_ref", NULL };
    json_t *rules = ld_member(ld, doc, "$", "rules", K_OBJ, 0);
    if (!rules) return;
    t->rules = xcalloc(json_object_size(rules), sizeof *t->rules);
    ld_each_entry(ld, t, rules, "$.rules", keys, walk_rule);
}

/* What the municipality's own editors may not publish (#17, the console's draft check):
 * "editors": {"categories": {"<category id>": "<clause of the policy>"}}. */
static void walk_editors(struct loader *ld, json_t *doc) {
    static const char *const keys[] = { "categories", NULL };
    json_t *ed = ld_member(ld, doc, "$", "editors", K_OBJ, 0);
    if (!ed) return;
    ld_check_keys(ld, ed, "$.editors", keys);
    json_t *cats = ld_member(ld, ed, "$.editors", "categories", K_OBJ, 1);
    const char *id;
    json_t *ref;
    char p[PATH_LEN];
    if (cats) json_object_foreach(cats, id, ref) {
            snprintf(p, sizeof p, "$.editors.categories.%s", id);
            if (strlist_index(id, tenant_category_table) < 0)
                ld_error(ld, p, "unknown category id");
            else if (ld_expect(ld, ref, p, K_STR) && json_string_length(ref) == 0)
                ld_error(ld, p, "must not be empty");
        }
}

/* ---- one tenant -------------------------------------------------------------------- */

static void tenant_free(struct tenant *t) {
    if (!t) return;
    for (size_t i = 0; i < t->nrules; i++) pcre2_code_free((pcre2_code *)t->rules[i].code);
    for (size_t i = 0; i < t->nowned; i++) free(t->owned[i]);
    free(t->owned);
    free(t->rules);
    free(t->closures);
    free(t->offices);
    free(t->channels);
    free(t->channel_routing);
    free(t->premods);
    free(t->templates);
    free(t->steps);
    json_decref(t->doc);
    free(t);
}

static void walk_top(struct loader *ld, struct tenant *t, json_t *doc, const char *stem) {
    static const char *const keys[] = { "$schema",    "notes",    "id",        "display_name",
                                        "policy",     "timezone", "calendars", "holidays",
                                        "offices",    "channels", "routing",   "premoderation",
                                        "categories", "strikes",  "sla",       "templates",
                                        "rules",      "editors",  "act",       NULL };
    ld_check_keys(ld, doc, "$", keys);
    json_t *notes = ld_member(ld, doc, "$", "notes", K_ARR, 0);
    size_t i;
    json_t *note;
    char p[PATH_LEN];
    if (notes) json_array_foreach(notes, i, note) {
            snprintf(p, sizeof p, "$.notes[%zu]", i);
            ld_expect(ld, note, p, K_STR);
        }
    ld_str(ld, doc, "$", "$schema", 0);
    t->id = ld_str(ld, doc, "$", "id", 1);
    if (ld->full && t->id && strcmp(t->id, stem) != 0)
        ld_error(ld, "$.id", "\"%s\" differs from the file name %s.json", t->id, stem);
    t->display_name = ld_str(ld, doc, "$", "display_name", 1);
    t->cal.timezone = ld_str(ld, doc, "$", "timezone", 1);
    /* DESIGN.md: every timer runs on Europe/Rome; other zones would need tz data the SLA
     * calendar does not carry. */
    if (t->cal.timezone && strcmp(t->cal.timezone, "Europe/Rome") != 0)
        ld_error(ld, "$.timezone", "only Europe/Rome is supported");
    json_t *routing = ld_member(ld, doc, "$", "routing", K_OBJ, 1);
    if (routing) t->routing = walk_routing(ld, routing, "$.routing");
}

/* Walks doc (stolen) into a new tenant. Returns it, or NULL when this walk reported any
 * problem. */
static struct tenant *tenant_build(struct loader *ld, json_t *doc, const char *stem) {
    struct tenant *t = xcalloc(1, sizeof *t);
    int before = ld->eb->count;
    t->doc = doc;
    walk_top(ld, t, doc, stem);
    walk_policy(ld, t, doc);
    walk_calendars(ld, t, doc);
    walk_holidays(ld, t, doc);
    walk_offices(ld, t, doc);
    walk_channels(ld, t, doc);
    walk_premoderation(ld, t, doc);
    walk_categories(ld, t, doc);
    walk_strikes(ld, t, doc);
    walk_sla(ld, t, doc);
    walk_act(ld, t, doc);
    walk_templates(ld, t, doc);
    walk_rules(ld, t, doc);
    walk_editors(ld, doc);
    if (ld->full) ld_check_refs(ld, t);
    if (ld->eb->count == before) return t;
    tenant_free(t);
    return NULL;
}

/* ---- files and the set ------------------------------------------------------------- */

/* RFC 7386 JSON Merge Patch of patch (borrowed) into target (modified). */
static void merge_patch(json_t *target, json_t *patch) {
    const char *key;
    json_t *v;
    json_object_foreach(patch, key, v) {
        if (json_is_null(v)) {
            json_object_del(target, key);
        } else if (json_is_object(v)) {
            json_t *sub = json_object_get(target, key);
            if (!json_is_object(sub)) {
                sub = json_object();
                json_object_set_new(target, key, sub);
            }
            merge_patch(sub, v);
        } else {
            json_object_set(target, key, v);
        }
    }
}

/* Reads a JSON object from path. Returns a new reference, or NULL with the problem
 * reported. */
static json_t *load_object(struct loader *ld, const char *path) {
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        if (je.line > 0)
            ld_error(ld, "$", "JSON syntax error at line %d, column %d: %s", je.line, je.column,
                     je.text);
        else
            ld_error(ld, "$", "cannot read: %s", je.text);
        return NULL;
    }
    if (!json_is_object(doc)) {
        ld_error(ld, "$", "expected an object, got %s", json_doc_type_phrase(doc));
        json_decref(doc);
        return NULL;
    }
    return doc;
}

static int is_json_file(const struct dirent *d) {
    size_t n = strlen(d->d_name);
    return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

/* Walks a file on its own (types, unknown keys, schedules, regexes). Returns 0 when
 * clean. */
static int check_file(struct errbuf *eb, const char *path, json_t *doc) {
    struct loader ld = { eb, path, 0 };
    struct tenant *scratch = tenant_build(&ld, json_incref(doc), "");
    int ok = scratch != NULL;
    tenant_free(scratch);
    return ok ? 0 : -1;
}

/* Reports a channel whose platform page another tenant already claims: ingest finds the
 * tenant of a webhook by its page, so a page must belong to one tenant only. */
static void check_pages(struct errbuf *eb, const struct tenant_set *set, const struct tenant *t,
                        const char *path) {
    struct loader ld = { eb, path, 1 };
    char p[PATH_LEN], pc[PATH_LEN];
    for (size_t i = 0; i < t->nchannels; i++) {
        const struct tenant_channel *c = &t->channels[i];
        const struct tenant *owner = tenant_set_find_page(set, c->platform, c->page_id);
        if (owner)
            ld_error(&ld, ld_subpath(p, ld_subpath(pc, "$.channels", c->id), "page_id"),
                     "%s page \"%s\" already belongs to tenant %s", c->platform, c->page_id,
                     owner->id);
    }
}

static struct tenant *load_tenant(struct errbuf *eb, const char *config_dir, json_t *baseline,
                                  const struct tenant_set *set, const char *name) {
    char *path = xasprintf("%s/tenants/%s", config_dir, name);
    char *stem = xstrndup(name, strlen(name) - 5);
    struct loader ld = { eb, path, 1 };
    struct tenant *t = NULL;
    json_t *raw = load_object(&ld, path);
    if (raw && check_file(eb, path, raw) == 0 && baseline) {
        json_t *merged = json_object();
        merge_patch(merged, baseline);
        merge_patch(merged, raw);
        t = tenant_build(&ld, merged, stem);
        if (t) check_pages(eb, set, t, path);
    }
    json_decref(raw);
    free(stem);
    free(path);
    return t;
}

struct tenant_set *tenant_set_load(const char *config_dir, char *err, size_t errlen) {
    struct errbuf eb = { err, errlen, 0, 0 };
    if (err && errlen) err[0] = '\0';
    struct tenant_set *set = xcalloc(1, sizeof *set);
    char *bpath = xasprintf("%s/baseline.json", config_dir);
    struct loader ld = { &eb, bpath, 0 };
    json_t *baseline = load_object(&ld, bpath);
    if (baseline && check_file(&eb, bpath, baseline) < 0) {
        /* Its problems are reported; merging it would repeat them once per tenant. */
        json_decref(baseline);
        baseline = NULL;
    }
    char *tdir = xasprintf("%s/tenants", config_dir);
    struct dirent **names = NULL;
    int n = scandir(tdir, &names, is_json_file, alphasort);
    ld.file = tdir;
    if (n < 0) ld_error(&ld, "$", "cannot read the directory: %s", strerror(errno));
    if (n == 0) ld_error(&ld, "$", "no tenant files (*.json)");
    for (int i = 0; i < n; i++) {
        struct tenant *t = load_tenant(&eb, config_dir, baseline, set, names[i]->d_name);
        if (t) {
            set->tenants = xrealloc(set->tenants, (set->n + 1) * sizeof *set->tenants);
            set->tenants[set->n++] = t;
        }
        free(names[i]);
    }
    free(names);
    free(tdir);
    free(bpath);
    json_decref(baseline);
    if (eb.count == 0) return set;
    tenant_set_free(set);
    return NULL;
}

void tenant_set_free(struct tenant_set *set) {
    if (!set) return;
    for (size_t i = 0; i < set->n; i++) tenant_free(set->tenants[i]);
    free(set->tenants);
    free(set);
}
