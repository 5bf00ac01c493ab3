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
 * fixes a file in one pass. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tenant_internal.h"

#include "envelope.h"
#include "strlist.h"

#include "xmalloc.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_LEN 256
#define PROBLEM_LEN 512

/* Routing keys that are not categories: who reviews held content, who reports to the
 * police, who answers private messages. */
static const char *const intents[] = { "review", "police", "private_message", NULL };
static const char *const placeholders[] = { "comune", "policy", "sezione", "categoria",
                                            "scadenza", "ufficio", "contatto", NULL };
static const char *const weekdays[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL };

/* ---- error collection ------------------------------------------------------------- */

struct errbuf {
    char *buf;
    size_t len;
    size_t used;
    int count;
};

struct loader {
    struct errbuf *eb;
    const char *file;
    int full; /* 1: a merged tenant; required keys and cross-references are checked */
};

static void ld_error(struct loader *ld, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void ld_error(struct loader *ld, const char *path, const char *fmt, ...) {
    struct errbuf *eb = ld->eb;
    char problem[PROBLEM_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(problem, sizeof problem, fmt, ap);
    va_end(ap);
    eb->count++;
    if (!eb->buf || eb->used + 1 >= eb->len) return;
    int n = snprintf(eb->buf + eb->used, eb->len - eb->used, "%s%s: %s: %s",
                     eb->used ? "\n" : "", ld->file, path, problem);
    /* On truncation the buffer is full; later lines are counted, not written. */
    if (n > 0) eb->used += (size_t)n < eb->len - eb->used ? (size_t)n : eb->len - eb->used - 1;
}

/* ---- typed access to JSON members ------------------------------------------------ */

enum kind { K_STR, K_INT, K_BOOL, K_OBJ, K_ARR };
static const char *const kind_names[] = { "a string", "an integer", "true or false",
                                          "an object", "a list" };

static const char *type_name(const json_t *v) {
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "a list";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number with decimals";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

static int kind_ok(const json_t *v, enum kind k) {
    switch (k) {
    case K_STR: return json_is_string(v);
    case K_INT: return json_is_integer(v);
    case K_BOOL: return json_is_boolean(v);
    case K_OBJ: return json_is_object(v);
    default: return json_is_array(v);
    }
}

/* Writes path.key into buf (PATH_LEN bytes); a path too long to name ends in "...". */
static const char *subpath(char *buf, const char *path, const char *key) {
    if (snprintf(buf, PATH_LEN, "%s.%s", path, key) >= PATH_LEN)
        memcpy(buf + PATH_LEN - 4, "...", 4);
    return buf;
}

/* Checks v against a kind; reports at path. Returns v or NULL. */
static json_t *expect(struct loader *ld, json_t *v, const char *path, enum kind k) {
    if (kind_ok(v, k)) return v;
    ld_error(ld, path, "expected %s, got %s", kind_names[k], type_name(v));
    return NULL;
}

/* Borrowed member obj[key] of kind k, or NULL when absent (reported as missing when
 * required in a full walk), null (a deletion, fine in a file on its own) or mistyped. */
static json_t *member(struct loader *ld, json_t *obj, const char *path, const char *key,
                      enum kind k, int required) {
    char p[PATH_LEN];
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required && ld->full) ld_error(ld, subpath(p, path, key), "missing");
        return NULL;
    }
    return expect(ld, v, subpath(p, path, key), k);
}

static const char *get_str(struct loader *ld, json_t *obj, const char *path, const char *key,
                           int required) {
    char p[PATH_LEN];
    json_t *v = member(ld, obj, path, key, K_STR, required);
    if (!v) return NULL;
    if (json_string_length(v) == 0) {
        ld_error(ld, subpath(p, path, key), "must not be empty");
        return NULL;
    }
    return json_string_value(v);
}

static int get_int(struct loader *ld, json_t *obj, const char *path, const char *key,
                   int required, int min, int max, int dflt) {
    char p[PATH_LEN];
    json_t *v = member(ld, obj, path, key, K_INT, required);
    if (!v) return dflt;
    json_int_t i = json_integer_value(v);
    if (i < min || i > max) {
        ld_error(ld, subpath(p, path, key), "%lld is not between %d and %d", (long long)i, min,
                 max);
        return dflt;
    }
    return (int)i;
}

static int get_bool(struct loader *ld, json_t *obj, const char *path, const char *key,
                    int required, int dflt) {
    json_t *v = member(ld, obj, path, key, K_BOOL, required);
    return v ? json_is_true(v) : dflt;
}

/* Index of the string member in names, -1 when absent or not one of them (reported). */
static int get_enum(struct loader *ld, json_t *obj, const char *path, const char *key,
                    int required, const char *const *names) {
    const char *s = get_str(ld, obj, path, key, required);
    if (!s) return -1;
    int i = strlist_index(s, names);
    if (i < 0) {
        char p[PATH_LEN], all[PROBLEM_LEN / 2];
        strlist_join(all, sizeof all, names);
        ld_error(ld, subpath(p, path, key), "\"%s\" is not one of %s", s, all);
    }
    return i;
}

static void check_keys(struct loader *ld, json_t *obj, const char *path,
                       const char *const *allowed) {
    const char *key;
    json_t *v;
    char p[PATH_LEN];
    json_object_foreach(obj, key, v) {
        if (strlist_index(key, allowed) < 0) ld_error(ld, subpath(p, path, key), "unknown key");
    }
}

/* Ids are written into Redis keys, topics and dashboards: keep them plain. */
static int valid_id(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

/* Validates one entry of an object keyed by id: the id, the entry being an object with
 * only allowed keys. Fills p with the entry's path. Returns the entry or NULL. */
static json_t *entry(struct loader *ld, const char *path, const char *id, json_t *v,
                     const char *const *allowed, char *p) {
    subpath(p, path, id);
    if (!valid_id(id)) {
        ld_error(ld, p, "not a valid id (use a-z, 0-9, _ and -)");
        return NULL;
    }
    if (json_is_null(v) || !expect(ld, v, p, K_OBJ)) return NULL;
    check_keys(ld, v, p, allowed);
    return v;
}

/* Called for each valid entry of an object keyed by id; p is the entry's path. */
typedef void entry_fn(struct loader *ld, struct tenant *t, const char *id, json_t *v,
                      const char *p);

/* Walks the entries of map (the object at path) through fn, skipping invalid ones. */
static void each_entry(struct loader *ld, struct tenant *t, json_t *map, const char *path,
                       const char *const *allowed, entry_fn *fn) {
    const char *id;
    json_t *v;
    char p[PATH_LEN];
    json_object_foreach(map, id, v) {
        if (entry(ld, path, id, v, allowed, p)) fn(ld, t, id, v, p);
    }
}

/* Called for each object in a list; p is its path ("$.strikes.steps[2]"). */
typedef void item_fn(struct loader *ld, struct tenant *t, json_t *v, const char *p);

/* Walks the objects of list (at path) through fn, reporting items that are not objects. */
static void each_item(struct loader *ld, struct tenant *t, json_t *list, const char *path,
                      item_fn *fn) {
    size_t i;
    json_t *v;
    char p[PATH_LEN + 24];
    json_array_foreach(list, i, v) {
        snprintf(p, sizeof p, "%s[%zu]", path, i);
        if (expect(ld, v, p, K_OBJ)) fn(ld, t, v, p);
    }
}

/* ---- sections ---------------------------------------------------------------------- */

static const char *own(struct tenant *t, char *s) {
    t->owned = xrealloc(t->owned, (t->nowned + 1) * sizeof *t->owned);
    t->owned[t->nowned++] = s;
    return s;
}

/* Reads policy_ref, which must read "Sezione: «citazione»". Returns it (borrowed) and
 * its section in *section (owned by t) when section is not NULL; NULL when absent or
 * malformed. */
static const char *get_ref(struct loader *ld, struct tenant *t, json_t *obj, const char *path,
                           int required, const char **section) {
    const char *ref = get_str(ld, obj, path, "policy_ref", required);
    if (!ref) return NULL;
    const char *colon = strstr(ref, ": «");
    if (!colon || colon == ref || !strstr(colon, "»")) {
        char p[PATH_LEN];
        ld_error(ld, subpath(p, path, "policy_ref"),
                 "must read \"Sezione: «citazione»\" (section of the policy, short quote)");
        return NULL;
    }
    if (section) *section = own(t, xstrndup(ref, (size_t)(colon - ref)));
    return ref;
}

static void walk_policy(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "title", "source", "url", "version", NULL };
    json_t *policy = member(ld, doc, "$", "policy", K_OBJ, 1);
    if (!policy) return;
    check_keys(ld, policy, "$.policy", keys);
    t->policy_title = get_str(ld, policy, "$.policy", "title", 1);
    get_str(ld, policy, "$.policy", "source", 1);
    get_str(ld, policy, "$.policy", "url", 0);
    get_str(ld, policy, "$.policy", "version", 0);
}

static void walk_week(struct loader *ld, json_t *obj, const char *path, struct cal_week *week) {
    const char *key;
    json_t *v;
    char p[PATH_LEN], pi[PATH_LEN + 24], problem[PROBLEM_LEN];
    check_keys(ld, obj, path, weekdays);
    json_object_foreach(obj, key, v) {
        int day = cal_weekday_parse(key);
        if (day < 0 || json_is_null(v) || !expect(ld, v, subpath(p, path, key), K_ARR)) continue;
        size_t i;
        json_t *s;
        json_array_foreach(v, i, s) {
            struct cal_interval iv;
            snprintf(pi, sizeof pi, "%s[%zu]", p, i);
            if (!expect(ld, s, pi, K_STR)) continue;
            if (cal_interval_parse(json_string_value(s), &iv, problem, sizeof problem) < 0 ||
                cal_day_add(&week->day[day], iv, problem, sizeof problem) < 0)
                ld_error(ld, pi, "%s", problem);
        }
    }
    if (ld->full && cal_week_minutes(week) == 0) ld_error(ld, path, "never open");
}

static void walk_calendars(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "moderation", "office", NULL };
    json_t *cals = member(ld, doc, "$", "calendars", K_OBJ, 1);
    if (!cals) return;
    check_keys(ld, cals, "$.calendars", keys);
    json_t *w = member(ld, cals, "$.calendars", "moderation", K_OBJ, 1);
    if (w) walk_week(ld, w, "$.calendars.moderation", &t->cal.moderation);
    w = member(ld, cals, "$.calendars", "office", K_OBJ, 1);
    if (w) walk_week(ld, w, "$.calendars.office", &t->cal.office);
}

/* Reads {date, name} into d; recurring_only for the patron day. Returns 0 or -1. */
static int walk_date(struct loader *ld, json_t *obj, const char *path, int recurring_only,
                     struct cal_date *d) {
    static const char *const keys[] = { "date", "name", "source", NULL };
    char p[PATH_LEN], problem[PROBLEM_LEN];
    check_keys(ld, obj, path, keys);
    const char *date = get_str(ld, obj, path, "date", 1);
    d->name = get_str(ld, obj, path, "name", 1);
    get_str(ld, obj, path, "source", 0);
    if (!date) return -1;
    if (cal_date_parse(date, d, problem, sizeof problem) < 0) {
        ld_error(ld, subpath(p, path, "date"), "%s", problem);
        return -1;
    }
    if (recurring_only && d->year) {
        ld_error(ld, subpath(p, path, "date"), "a patron day recurs: write MM-DD");
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
    json_t *hol = member(ld, doc, "$", "holidays", K_OBJ, 1);
    if (!hol) return;
    check_keys(ld, hol, "$.holidays", keys);
    h->national = get_bool(ld, hol, "$.holidays", "national", 1, 0);
    json_t *patron = member(ld, hol, "$.holidays", "patron", K_OBJ, 0);
    if (patron) h->has_patron = walk_date(ld, patron, "$.holidays.patron", 1, &h->patron) == 0;
    json_t *closures = member(ld, hol, "$.holidays", "closures", K_ARR, 0);
    if (!closures) return;
    t->closures = xcalloc(json_array_size(closures), sizeof *t->closures);
    h->closures = t->closures;
    each_item(ld, t, closures, "$.holidays.closures", walk_closure);
}

static void walk_office(struct loader *ld, struct tenant *t, const char *id, json_t *v,
                        const char *p) {
    struct tenant_office *o = &t->offices[t->noffices++];
    char pe[PATH_LEN];
    o->id = id;
    o->name = get_str(ld, v, p, "name", 1);
    o->email = get_str(ld, v, p, "email", 0);
    o->phone = get_str(ld, v, p, "phone", 0);
    o->url = get_str(ld, v, p, "url", 0);
    o->supervisor = get_str(ld, v, p, "supervisor", 0);
    o->external = get_bool(ld, v, p, "external", 0, 0);
    if (o->email && !strchr(o->email, '@'))
        ld_error(ld, subpath(pe, p, "email"), "\"%s\" is not an e-mail address", o->email);
}

static void walk_offices(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "name", "email", "phone", "url", "supervisor",
                                        "external", NULL };
    json_t *offices = member(ld, doc, "$", "offices", K_OBJ, 1);
    if (!offices) return;
    t->offices = xcalloc(json_object_size(offices), sizeof *t->offices);
    each_entry(ld, t, offices, "$.offices", keys, walk_office);
}

/* A routing object: category ids or intents to office ids (checked in check_refs). */
static json_t *walk_routing(struct loader *ld, json_t *routing, const char *path) {
    const char *key;
    json_t *v;
    char p[PATH_LEN];
    json_object_foreach(routing, key, v) {
        subpath(p, path, key);
        if (strlist_index(key, tenant_category_table) < 0 && strlist_index(key, intents) < 0)
            ld_error(ld, p, "unknown category or intent (intents: review, police, "
                            "private_message)");
        else if (!json_is_null(v))
            expect(ld, v, p, K_STR);
    }
    return routing;
}

static void walk_channel(struct loader *ld, struct tenant *t, const char *id, json_t *v,
                         const char *p) {
    struct tenant_channel *c = &t->channels[t->nchannels];
    char pr[PATH_LEN];
    c->id = id;
    int platform = get_enum(ld, v, p, "platform", 1, envelope_platforms);
    c->platform = platform >= 0 ? envelope_platforms[platform] : NULL;
    c->page_id = get_str(ld, v, p, "page_id", 1);
    c->name = get_str(ld, v, p, "name", 1);
    c->office = get_str(ld, v, p, "office", 1);
    c->url = get_str(ld, v, p, "url", 0);
    get_str(ld, v, p, "note", 0);
    json_t *routing = member(ld, v, p, "routing", K_OBJ, 0);
    if (routing)
        t->channel_routing[t->nchannels] = walk_routing(ld, routing, subpath(pr, p, "routing"));
    t->nchannels++;
}

static void walk_channels(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "platform", "page_id", "name", "office", "url", "note",
                                        "routing", NULL };
    json_t *channels = member(ld, doc, "$", "channels", K_OBJ, 1);
    if (!channels) return;
    if (ld->full && json_object_size(channels) == 0) ld_error(ld, "$.channels", "no channels");
    t->channels = xcalloc(json_object_size(channels), sizeof *t->channels);
    t->channel_routing = xcalloc(json_object_size(channels), sizeof *t->channel_routing);
    each_entry(ld, t, channels, "$.channels", keys, walk_channel);
}

static void walk_premod(struct loader *ld, struct tenant *t, const char *kind, json_t *v,
                        const char *p) {
    if (strlist_index(kind, envelope_kinds) < 0) ld_error(ld, p, "unknown content kind");
    struct premod pm = { kind, get_str(ld, v, p, "template", 1), get_ref(ld, t, v, p, 1, NULL) };
    /* hold: false lets a tenant switch off a baseline hold. */
    if (get_bool(ld, v, p, "hold", 1, 0)) t->premods[t->npremods++] = pm;
}

static void walk_premoderation(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "hold", "template", "policy_ref", NULL };
    json_t *premod = member(ld, doc, "$", "premoderation", K_OBJ, 0);
    if (!premod) return;
    t->premods = xcalloc(json_object_size(premod), sizeof *t->premods);
    each_entry(ld, t, premod, "$.premoderation", keys, walk_premod);
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
    subpath(p, path, key);
    if (!json_is_number(v)) {
        ld_error(ld, p, "expected a score between 0 and 1, got %s", type_name(v));
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
    json_t *m = member(ld, v, p, "model", K_OBJ, 0);
    if (!m) return;
    subpath(pm, p, "model");
    check_keys(ld, m, pm, keys);
    r->model_review = get_threshold(ld, m, pm, "review");
    r->model_remove = get_threshold(ld, m, pm, "remove");
    if (r->model_remove < r->model_review)
        ld_error(ld, subpath(pk, pm, "remove"), "%g is below review (%g): a score that removes "
                 "must also be one that asks for review", r->model_remove, r->model_review);
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
    r->label = get_str(ld, v, p, "label", 1);
    int action = get_enum(ld, v, p, "action", 1, tenant_action_table);
    r->action = action >= 0 ? (enum tenant_action)action : TENANT_ACTION_NONE;
    r->strike = get_bool(ld, v, p, "strike", 1, 0);
    r->severity = get_int(ld, v, p, "severity", 1, 0, 3, 0);
    r->template_id = get_str(ld, v, p, "template", 0);
    r->ticket = get_bool(ld, v, p, "ticket", 0, r->action == TENANT_ACTION_ESCALATE);
    r->ban_at_once = get_bool(ld, v, p, "ban_at_once", 0, 0);
    r->report_police = get_bool(ld, v, p, "report_police", 0, 0);
    walk_model(ld, v, p, r);
    r->policy_ref = get_ref(ld, t, v, p, 1, &r->section);
    if (!ld->full || action < 0) return;
    if (action_needs_template(r->action) && !r->template_id)
        ld_error(ld, subpath(pk, p, "template"), "missing: action %s needs a template",
                 tenant_action_table[action]);
    if (r->action == TENANT_ACTION_NONE && r->template_id)
        ld_error(ld, subpath(pk, p, "template"), "action none sends nothing: remove it");
}

static void walk_categories(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "label", "action", "strike", "severity", "template",
                                        "ticket", "ban_at_once", "report_police",
                                        "model", "policy_ref", NULL };
    json_t *cats = member(ld, doc, "$", "categories", K_OBJ, 1);
    if (!cats) return;
    each_entry(ld, t, cats, "$.categories", keys, walk_category);
    char p[PATH_LEN];
    for (size_t i = 0; ld->full && i < NCATEGORIES; i++)
        if (!t->categories[i].category)
            ld_error(ld, subpath(p, "$.categories", tenant_category_table[i]), "missing");
}

static void walk_step(struct loader *ld, struct tenant *t, json_t *v, const char *p) {
    const struct tenant_strike_step *prev = t->ladder.nsteps ? &t->steps[t->ladder.nsteps - 1]
                                                             : NULL;
    struct tenant_strike_step *s = &t->steps[t->ladder.nsteps++];
    static const char *const keys[] = { "at", "step", "hours", "review", "template", NULL };
    char pk[PATH_LEN];
    check_keys(ld, v, p, keys);
    s->at = get_int(ld, v, p, "at", 1, 1, 1000, 0);
    int step = get_enum(ld, v, p, "step", 1, tenant_step_table);
    s->step = step > 0 ? (enum tenant_step)step : TENANT_STEP_NONE;
    if (step == TENANT_STEP_NONE) ld_error(ld, subpath(pk, p, "step"), "none is not a step");
    s->review = get_bool(ld, v, p, "review", 0, 0);
    s->template_id = get_str(ld, v, p, "template", 1);
    if (s->step == TENANT_STEP_TEMP_BAN)
        s->hours = get_int(ld, v, p, "hours", 1, 1, 24 * 365, 0);
    else if (json_object_get(v, "hours"))
        ld_error(ld, subpath(pk, p, "hours"), "only a temp_ban has hours");
    if (!prev) return;
    if (s->at && prev->at && s->at <= prev->at)
        ld_error(ld, subpath(pk, p, "at"), "%d is not after the previous step's %d", s->at,
                 prev->at);
    if (s->step && s->step <= prev->step)
        ld_error(ld, subpath(pk, p, "step"), "%s cannot follow %s", tenant_step_table[s->step],
                 tenant_step_table[prev->step]);
}

static void walk_strikes(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "window_days", "steps", "report_platform_from",
                                        "policy_ref", NULL };
    json_t *strikes = member(ld, doc, "$", "strikes", K_OBJ, 1);
    if (!strikes) return;
    check_keys(ld, strikes, "$.strikes", keys);
    t->ladder.window_days = get_int(ld, strikes, "$.strikes", "window_days", 1, 1, 3650, 0);
    int from = get_enum(ld, strikes, "$.strikes", "report_platform_from", 0, tenant_step_table);
    t->ladder.report_platform_from = from > 0 ? (enum tenant_step)from : TENANT_STEP_NONE;
    t->ladder.policy_ref = get_ref(ld, t, strikes, "$.strikes", 1, NULL);
    json_t *steps = member(ld, strikes, "$.strikes", "steps", K_ARR, 1);
    if (!steps) return;
    t->steps = xcalloc(json_array_size(steps), sizeof *t->steps);
    t->ladder.steps = t->steps;
    each_item(ld, t, steps, "$.strikes.steps", walk_step);
}

static void walk_sla(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "response_working_hours", "courtesy_template",
                                        "removal_working_minutes", "removal_min_severity",
                                        "due_soon_minutes", "policy_ref", NULL };
    struct tenant_sla *s = &t->sla;
    json_t *sla = member(ld, doc, "$", "sla", K_OBJ, 1);
    if (!sla) return;
    check_keys(ld, sla, "$.sla", keys);
    s->response_working_hours = get_int(ld, sla, "$.sla", "response_working_hours", 0, 1,
                                        2000, 0);
    s->courtesy_template = get_str(ld, sla, "$.sla", "courtesy_template", 0);
    s->removal_working_minutes = get_int(ld, sla, "$.sla", "removal_working_minutes", 1, 1,
                                         100000, 0);
    s->removal_min_severity = get_int(ld, sla, "$.sla", "removal_min_severity", 1, 1, 3, 3);
    s->due_soon_minutes = get_int(ld, sla, "$.sla", "due_soon_minutes", 1, 0, 100000, 0);
    s->policy_ref = get_ref(ld, t, sla, "$.sla", 1, NULL);
    if (ld->full && s->courtesy_template && !s->response_working_hours)
        ld_error(ld, "$.sla.courtesy_template",
                 "a courtesy reply needs response_working_hours to know when it is due");
}

/* "act": {"mode": "shadow" | "live"}; shadow when absent: a municipality watches what
 * vigile-act would do before it does it. */
static void walk_act(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "mode", NULL };
    static const char *const modes[] = { "shadow", "live", NULL };
    json_t *act = member(ld, doc, "$", "act", K_OBJ, 0);
    if (!act) return;
    check_keys(ld, act, "$.act", keys);
    t->act_live = get_enum(ld, act, "$.act", "mode", 0, modes) == 1;
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
    tp->text = get_str(ld, v, p, "text", 1);
    int cites = tp->text && check_placeholders(ld, tp->text, subpath(pt, p, "text"));
    /* A text citing {sezione} takes its clause from the rule applied; any other text must
     * say which clause it implements. */
    tp->policy_ref = get_ref(ld, t, v, p, !cites, NULL);
}

static void walk_templates(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "text", "policy_ref", NULL };
    json_t *templates = member(ld, doc, "$", "templates", K_OBJ, 1);
    if (!templates) return;
    t->templates = xcalloc(json_object_size(templates), sizeof *t->templates);
    each_entry(ld, t, templates, "$.templates", keys, walk_template);
}

static void walk_rule(struct loader *ld, struct tenant *t, const char *id, json_t *v,
                      const char *p) {
    struct tenant_rule *r = &t->rules[t->nrules++];
    char pp[PATH_LEN];
    r->id = id;
    int cat = get_enum(ld, v, p, "category", 1, tenant_category_table);
    r->category = cat >= 0 ? tenant_category_table[cat] : NULL;
    r->severity = get_int(ld, v, p, "severity", 1, 1, 3, 1);
    r->policy_ref = get_ref(ld, t, v, p, 1, NULL);
    r->pattern = get_str(ld, v, p, "pattern", 1);
    if (!r->pattern) return;
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)r->pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &code, &offset, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        ld_error(ld, subpath(pp, p, "pattern"), "does not compile at offset %zu: %s",
                 (size_t)offset, (const char *)msg);
        return;
    }
    /* JIT is an optimisation: where it is unavailable the interpreter matches the same. */
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    r->code = re;
}

static void walk_rules(struct loader *ld, struct tenant *t, json_t *doc) {
    static const char *const keys[] = { "category", "pattern", "severity", "policy_ref", NULL };
    json_t *rules = member(ld, doc, "$", "rules", K_OBJ, 0);
    if (!rules) return;
    t->rules = xcalloc(json_object_size(rules), sizeof *t->rules);
    each_entry(ld, t, rules, "$.rules", keys, walk_rule);
}

/* ---- cross-references (merged tenants only) --------------------------------------- */

static int has_template(const struct tenant *t, const char *id) {
    return tenant_template(t, id) != NULL;
}

static void check_template(struct loader *ld, const struct tenant *t, const char *id,
                           const char *path) {
    if (id && !has_template(t, id)) ld_error(ld, path, "unknown template \"%s\"", id);
}

static void check_office(struct loader *ld, const struct tenant *t, const char *id,
                         const char *path) {
    if (id && !tenant_office(t, id)) ld_error(ld, path, "unknown office \"%s\"", id);
}

static void check_routing_offices(struct loader *ld, const struct tenant *t,
                                  json_t *routing, const char *path) {
    const char *key;
    json_t *v;
    char p[PATH_LEN];
    json_object_foreach(routing, key, v) {
        if (json_is_string(v)) check_office(ld, t, json_string_value(v), subpath(p, path, key));
    }
}

static void check_category_refs(struct loader *ld, struct tenant *t,
                                struct tenant_category_rule *r) {
    char p[PATH_LEN], pk[PATH_LEN];
    subpath(p, "$.categories", r->category);
    check_template(ld, t, r->template_id, subpath(pk, p, "template"));
    r->office = tenant_route(t, NULL, r->category);
    if (r->ticket && !r->office)
        ld_error(ld, subpath(pk, p, "ticket"),
                 "a ticket needs an office in $.routing.%s or $.routing.review", r->category);
    if (r->report_police && !tenant_route(t, NULL, "police"))
        ld_error(ld, subpath(pk, p, "report_police"), "needs an office in $.routing.police");
}

static void check_refs(struct loader *ld, struct tenant *t) {
    char p[PATH_LEN], pk[PATH_LEN];
    for (size_t i = 0; i < t->noffices; i++) {
        const struct tenant_office *o = &t->offices[i];
        subpath(pk, subpath(p, "$.offices", o->id), "supervisor");
        check_office(ld, t, o->supervisor, pk);
        if (o->supervisor && strcmp(o->supervisor, o->id) == 0)
            ld_error(ld, pk, "an office cannot supervise itself");
    }
    for (size_t i = 0; i < t->nchannels; i++) {
        subpath(p, "$.channels", t->channels[i].id);
        check_office(ld, t, t->channels[i].office, subpath(pk, p, "office"));
        if (t->channel_routing[i])
            check_routing_offices(ld, t, t->channel_routing[i], subpath(pk, p, "routing"));
    }
    if (t->routing) check_routing_offices(ld, t, t->routing, "$.routing");
    for (size_t i = 0; i < NCATEGORIES; i++)
        if (t->categories[i].category) check_category_refs(ld, t, &t->categories[i]);
    for (size_t i = 0; i < t->ladder.nsteps; i++) {
        snprintf(p, sizeof p, "$.strikes.steps[%zu].template", i);
        check_template(ld, t, t->steps[i].template_id, p);
    }
    for (size_t i = 0; i < t->npremods; i++)
        check_template(ld, t, t->premods[i].template_id,
                       subpath(pk, subpath(p, "$.premoderation", t->premods[i].kind), "template"));
    check_template(ld, t, t->sla.courtesy_template, "$.sla.courtesy_template");
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
    static const char *const keys[] = { "$schema", "notes", "id", "display_name", "policy",
                                        "timezone", "calendars", "holidays", "offices",
                                        "channels", "routing", "premoderation", "categories",
                                        "strikes", "sla", "templates", "rules", "act", NULL };
    check_keys(ld, doc, "$", keys);
    json_t *notes = member(ld, doc, "$", "notes", K_ARR, 0);
    size_t i;
    json_t *note;
    char p[PATH_LEN];
    if (notes) json_array_foreach(notes, i, note) {
        snprintf(p, sizeof p, "$.notes[%zu]", i);
        expect(ld, note, p, K_STR);
    }
    get_str(ld, doc, "$", "$schema", 0);
    t->id = get_str(ld, doc, "$", "id", 1);
    if (ld->full && t->id && strcmp(t->id, stem) != 0)
        ld_error(ld, "$.id", "\"%s\" differs from the file name %s.json", t->id, stem);
    t->display_name = get_str(ld, doc, "$", "display_name", 1);
    t->cal.timezone = get_str(ld, doc, "$", "timezone", 1);
    /* DESIGN.md: every timer runs on Europe/Rome; other zones would need tz data the SLA
     * calendar does not carry. */
    if (t->cal.timezone && strcmp(t->cal.timezone, "Europe/Rome") != 0)
        ld_error(ld, "$.timezone", "only Europe/Rome is supported");
    json_t *routing = member(ld, doc, "$", "routing", K_OBJ, 1);
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
    if (ld->full) check_refs(ld, t);
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
        ld_error(ld, "$", "expected an object, got %s", type_name(doc));
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
            ld_error(&ld, subpath(p, subpath(pc, "$.channels", c->id), "page_id"),
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
