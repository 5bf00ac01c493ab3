/* Reading a loaded tenant: accessors and the rendering of its Italian templates. Loading
 * and validation are tenant_load.c's. */
#include "tenant_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strlist.h"
#include "xmalloc.h"

const char *const tenant_category_table[NCATEGORIES + 1] = {
    VIGILE_CATEGORIES(VIGILE_CATEGORY_ID) NULL,
};

const char *const tenant_action_table[] = { "none", "reply",    "hide", "delete",
                                            "hold", "escalate", NULL };
const char *const tenant_step_table[] = { "none", "warn", "temp_ban", "ban", NULL };

/* ---- accessors ------------------------------------------------------------------- */

size_t tenant_set_count(const struct tenant_set *set) { return set->n; }

const struct tenant *tenant_set_at(const struct tenant_set *set, size_t i) {
    return i < set->n ? set->tenants[i] : NULL;
}

const struct tenant *tenant_set_find(const struct tenant_set *set, const char *id) {
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->tenants[i]->id, id) == 0) return set->tenants[i];
    return NULL;
}

const struct tenant *tenant_set_find_page(const struct tenant_set *set, const char *platform,
                                          const char *page_id) {
    for (size_t i = 0; i < set->n; i++)
        if (tenant_channel_by_page(set->tenants[i], platform, page_id)) return set->tenants[i];
    return NULL;
}

const json_t *tenant_document(const struct tenant *t) { return t->doc; }
const char *tenant_id(const struct tenant *t) { return t->id; }
const char *tenant_display_name(const struct tenant *t) { return t->display_name; }

const char *const *tenant_category_ids(size_t *count) {
    *count = NCATEGORIES;
    return tenant_category_table;
}

const char *tenant_action_name(enum tenant_action action) { return tenant_action_table[action]; }
const char *tenant_step_name(enum tenant_step step) { return tenant_step_table[step]; }

enum tenant_action tenant_action_from_name(const char *name) {
    int i = name ? strlist_index(name, tenant_action_table) : -1;
    return i >= 0 ? (enum tenant_action)i : TENANT_ACTION_NONE;
}

const struct tenant_category_rule *tenant_category(const struct tenant *t, const char *category) {
    int i = strlist_index(category, tenant_category_table);
    return i >= 0 && t->categories[i].category ? &t->categories[i] : NULL;
}

const struct tenant_channel *tenant_channel(const struct tenant *t, const char *channel_id) {
    for (size_t i = 0; i < t->nchannels; i++)
        if (strcmp(t->channels[i].id, channel_id) == 0) return &t->channels[i];
    return NULL;
}

const struct tenant_channel *tenant_channel_by_page(const struct tenant *t, const char *platform,
                                                    const char *page_id) {
    for (size_t i = 0; i < t->nchannels; i++) {
        const struct tenant_channel *c = &t->channels[i];
        if (c->platform && c->page_id && strcmp(c->platform, platform) == 0 &&
            strcmp(c->page_id, page_id) == 0)
            return c;
    }
    return NULL;
}

size_t tenant_channel_count(const struct tenant *t) { return t->nchannels; }

const struct tenant_channel *tenant_channel_at(const struct tenant *t, size_t i) {
    return i < t->nchannels ? &t->channels[i] : NULL;
}

const struct tenant_office *tenant_office(const struct tenant *t, const char *office_id) {
    for (size_t i = 0; i < t->noffices; i++)
        if (strcmp(t->offices[i].id, office_id) == 0) return &t->offices[i];
    return NULL;
}

/* The office for key on one routing level: the channel's when channel_id names one that
 * has routing, else the tenant's. */
static const char *route_lookup(const struct tenant *t, const char *channel_id, const char *key) {
    for (size_t i = 0; channel_id && i < t->nchannels; i++) {
        if (strcmp(t->channels[i].id, channel_id) != 0 || !t->channel_routing[i]) continue;
        const char *office = json_string_value(json_object_get(t->channel_routing[i], key));
        if (office) return office;
    }
    return t->routing ? json_string_value(json_object_get(t->routing, key)) : NULL;
}

const char *tenant_route(const struct tenant *t, const char *channel_id, const char *key) {
    const char *office = route_lookup(t, channel_id, key);
    /* A category nobody owns is a moderation matter: its reviewers decide. */
    if (!office && strlist_index(key, tenant_category_table) >= 0)
        office = route_lookup(t, channel_id, "review");
    return office;
}

const char *tenant_premoderation(const struct tenant *t, const char *kind,
                                 const char **template_id) {
    for (size_t i = 0; i < t->npremods; i++) {
        if (strcmp(t->premods[i].kind, kind) != 0) continue;
        if (template_id) *template_id = t->premods[i].template_id;
        return t->premods[i].policy_ref;
    }
    return NULL;
}

const struct tenant_ladder *tenant_ladder(const struct tenant *t) { return &t->ladder; }

const struct tenant_strike_step *tenant_ladder_step(const struct tenant *t, int strikes) {
    const struct tenant_strike_step *found = NULL;
    for (size_t i = 0; i < t->ladder.nsteps && t->steps[i].at <= strikes; i++) found = &t->steps[i];
    return found;
}

const struct tenant_sla *tenant_sla(const struct tenant *t) { return &t->sla; }
const struct calendar *tenant_calendar(const struct tenant *t) { return &t->cal; }
int tenant_act_live(const struct tenant *t) { return t->act_live; }
size_t tenant_rule_count(const struct tenant *t) { return t->nrules; }

const struct tenant_rule *tenant_rule_at(const struct tenant *t, size_t i) {
    return i < t->nrules ? &t->rules[i] : NULL;
}

static const struct template *find_template(const struct tenant *t, const char *id) {
    for (size_t i = 0; id && i < t->ntemplates; i++)
        if (strcmp(t->templates[i].id, id) == 0) return &t->templates[i];
    return NULL;
}

const char *tenant_template(const struct tenant *t, const char *template_id) {
    const struct template *tp = find_template(t, template_id);
    return tp ? tp->text : NULL;
}

const char *tenant_template_ref(const struct tenant *t, const char *template_id) {
    const struct template *tp = find_template(t, template_id);
    return tp ? tp->policy_ref : NULL;
}

const char *tenant_editors_ref(const struct tenant *t, const char *category) {
    const json_t *cats = json_object_get(json_object_get(t->doc, "editors"), "categories");
    return json_string_value(json_object_get(cats, category));
}

/* ---- rendering ------------------------------------------------------------------- */

/* The value of one placeholder; NULL renders as nothing. */
static const char *placeholder_value(const struct tenant *t, const struct tenant_render_vars *v,
                                     const char *name, size_t len, char **section) {
    const struct tenant_office *office = v->office ? tenant_office(t, v->office) : NULL;
    if (len == 6 && memcmp(name, "comune", 6) == 0) return t->display_name;
    if (len == 6 && memcmp(name, "policy", 6) == 0) return t->policy_title;
    if (len == 9 && memcmp(name, "categoria", 9) == 0) return v->rule ? v->rule->label : NULL;
    if (len == 8 && memcmp(name, "scadenza", 8) == 0) return v->deadline;
    if (len == 7 && memcmp(name, "ufficio", 7) == 0) return office ? office->name : NULL;
    if (len == 8 && memcmp(name, "contatto", 8) == 0)
        return !office         ? NULL
               : office->email ? office->email
               : office->phone ? office->phone
                               : office->url;
    if (len == 7 && memcmp(name, "sezione", 7) == 0) {
        if (!v->policy_ref) return v->rule ? v->rule->section : NULL;
        const char *colon = strstr(v->policy_ref, ": «");
        *section = xstrndup(v->policy_ref,
                            colon ? (size_t)(colon - v->policy_ref) : strlen(v->policy_ref));
        return *section;
    }
    return NULL;
}

char *tenant_render(const struct tenant *t, const char *template_id,
                    const struct tenant_render_vars *vars) {
    static const struct tenant_render_vars none;
    const char *text = tenant_template(t, template_id);
    if (!text) return NULL;
    if (!vars) vars = &none;
    size_t cap = strlen(text) + 256, len = 0;
    char *out = xmalloc(cap);
    for (const char *s = text; *s;) {
        const char *e = *s == '{' ? strchr(s, '}') : NULL;
        char *section = NULL;
        const char *val =
            e ? placeholder_value(t, vars, s + 1, (size_t)(e - s - 1), &section) : NULL;
        size_t n = e ? (val ? strlen(val) : 0) : 1;
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            out = xrealloc(out, cap);
        }
        if (n) memcpy(out + len, e ? val : s, n);
        len += n;
        s = e ? e + 1 : s + 1;
        free(section);
    }
    out[len] = '\0';
    return out;
}
