#include "tenant_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_doc.h"
#include "strlist.h"
#include "xmalloc.h"

/* ---- error collection ------------------------------------------------------------- */

void ld_error(struct loader *ld, const char *path, const char *fmt, ...) {
    struct errbuf *eb = ld->eb;
    char problem[PROBLEM_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(problem, sizeof problem, fmt, ap);
    va_end(ap);
    eb->count++;
    if (!eb->buf || eb->used + 1 >= eb->len) return;
    int n = snprintf(eb->buf + eb->used, eb->len - eb->used, "%s%s: %s: %s", eb->used ? "\n" : "",
                     ld->file, path, problem);
    /* On truncation the buffer is full; later lines are counted, not written. */
    if (n > 0) eb->used += (size_t)n < eb->len - eb->used ? (size_t)n : eb->len - eb->used - 1;
}

/* ---- typed access to JSON members ------------------------------------------------ */

static const char *const kind_names[] = { "a string", "an integer", "true or false", "an object",
                                          "a list" };

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
const char *ld_subpath(char *buf, const char *path, const char *key) {
    if (snprintf(buf, PATH_LEN, "%s.%s", path, key) >= PATH_LEN)
        memcpy(buf + PATH_LEN - 4, "...", 4);
    return buf;
}

/* Checks v against a kind; reports at path. Returns v or NULL. */
json_t *ld_expect(struct loader *ld, json_t *v, const char *path, enum kind k) {
    if (kind_ok(v, k)) return v;
    ld_error(ld, path, "expected %s, got %s", kind_names[k], json_doc_type_phrase(v));
    return NULL;
}

/* Borrowed member obj[key] of kind k, or NULL when absent (reported as missing when
 * required in a full walk), null (a deletion, fine in a file on its own) or mistyped. */
json_t *ld_member(struct loader *ld, json_t *obj, const char *path, const char *key, enum kind k,
                  int required) {
    char p[PATH_LEN];
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required && ld->full) ld_error(ld, ld_subpath(p, path, key), "missing");
        return NULL;
    }
    return ld_expect(ld, v, ld_subpath(p, path, key), k);
}

const char *ld_str(struct loader *ld, json_t *obj, const char *path, const char *key,
                   int required) {
    char p[PATH_LEN];
    json_t *v = ld_member(ld, obj, path, key, K_STR, required);
    if (!v) return NULL;
    if (json_string_length(v) == 0) {
        ld_error(ld, ld_subpath(p, path, key), "must not be empty");
        return NULL;
    }
    return json_string_value(v);
}

int ld_int(struct loader *ld, json_t *obj, const char *path, const char *key, int required, int min,
           int max, int dflt) {
    char p[PATH_LEN];
    json_t *v = ld_member(ld, obj, path, key, K_INT, required);
    if (!v) return dflt;
    json_int_t i = json_integer_value(v);
    if (i < min || i > max) {
        ld_error(ld, ld_subpath(p, path, key), "%lld is not between %d and %d", (long long)i, min,
                 max);
        return dflt;
    }
    return (int)i;
}

int ld_bool(struct loader *ld, json_t *obj, const char *path, const char *key, int required,
            int dflt) {
    json_t *v = ld_member(ld, obj, path, key, K_BOOL, required);
    return v ? json_is_true(v) : dflt;
}

/* Index of the string member in names, -1 when absent or not one of them (reported). */
int ld_enum(struct loader *ld, json_t *obj, const char *path, const char *key, int required,
            const char *const *names) {
    const char *s = ld_str(ld, obj, path, key, required);
    if (!s) return -1;
    int i = strlist_index(s, names);
    if (i < 0) {
        char p[PATH_LEN], all[PROBLEM_LEN / 2];
        strlist_join(all, sizeof all, names);
        ld_error(ld, ld_subpath(p, path, key), "\"%s\" is not one of %s", s, all);
    }
    return i;
}

void ld_check_keys(struct loader *ld, json_t *obj, const char *path, const char *const *allowed) {
    const char *key;
    json_t *v;
    char p[PATH_LEN];
    json_object_foreach(obj, key, v) {
        if (strlist_index(key, allowed) < 0) ld_error(ld, ld_subpath(p, path, key), "unknown key");
    }
}

/* Ids are written into Redis keys, topics and dashboards: keep them plain. */
static int ld_valid_id(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

/* Validates one entry of an object keyed by id: the id, the entry being an object with
 * only allowed keys. Fills p with the entry's path. Returns the entry or NULL. */
json_t *ld_entry(struct loader *ld, const char *path, const char *id, json_t *v,
                 const char *const *allowed, char *p) {
    ld_subpath(p, path, id);
    if (!ld_valid_id(id)) {
        ld_error(ld, p, "not a valid id (use a-z, 0-9, _ and -)");
        return NULL;
    }
    if (json_is_null(v) || !ld_expect(ld, v, p, K_OBJ)) return NULL;
    ld_check_keys(ld, v, p, allowed);
    return v;
}

/* Walks the entries of map (the object at path) through fn, skipping invalid ones. */
void ld_each_entry(struct loader *ld, struct tenant *t, json_t *map, const char *path,
                   const char *const *allowed, entry_fn *fn) {
    const char *id;
    json_t *v;
    char p[PATH_LEN];
    json_object_foreach(map, id, v) {
        if (ld_entry(ld, path, id, v, allowed, p)) fn(ld, t, id, v, p);
    }
}

/* Walks the objects of list (at path) through fn, reporting items that are not objects. */
void ld_each_item(struct loader *ld, struct tenant *t, json_t *list, const char *path,
                  item_fn *fn) {
    size_t i;
    json_t *v;
    char p[PATH_LEN + 24];
    json_array_foreach(list, i, v) {
        snprintf(p, sizeof p, "%s[%zu]", path, i);
        if (ld_expect(ld, v, p, K_OBJ)) fn(ld, t, v, p);
    }
}

const char *ld_own(struct tenant *t, char *s) {
    t->owned = xrealloc(t->owned, (t->nowned + 1) * sizeof *t->owned);
    t->owned[t->nowned++] = s;
    return s;
}

/* Reads policy_ref, which must read "Sezione: «citazione»". Returns it (borrowed) and
 * its section in *section (owned by t) when section is not NULL; NULL when absent or
 * malformed. */
const char *ld_ref(struct loader *ld, struct tenant *t, json_t *obj, const char *path, int required,
                   const char **section) {
    const char *ref = ld_str(ld, obj, path, "policy_ref", required);
    if (!ref) return NULL;
    const char *colon = strstr(ref, ": «");
    if (!colon || colon == ref || !strstr(colon, "»")) {
        char p[PATH_LEN];
        ld_error(ld, ld_subpath(p, path, "policy_ref"),
                 "must read \"Sezione: «citazione»\" (section of the policy, short quote)");
        return NULL;
    }
    if (section) *section = ld_own(t, xstrndup(ref, (size_t)(colon - ref)));
    return ref;
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

static void check_routing_offices(struct loader *ld, const struct tenant *t, json_t *routing,
                                  const char *path) {
    const char *key;
    json_t *v;
    char p[PATH_LEN];
    json_object_foreach(routing, key, v) {
        if (json_is_string(v)) check_office(ld, t, json_string_value(v), ld_subpath(p, path, key));
    }
}

static void check_category_refs(struct loader *ld, struct tenant *t,
                                struct tenant_category_rule *r) {
    char p[PATH_LEN], pk[PATH_LEN];
    ld_subpath(p, "$.categories", r->category);
    check_template(ld, t, r->template_id, ld_subpath(pk, p, "template"));
    r->office = tenant_route(t, NULL, r->category);
    if (r->ticket && !r->office)
        ld_error(ld, ld_subpath(pk, p, "ticket"),
                 "a ticket needs an office in $.routing.%s or $.routing.review", r->category);
    if (r->report_police && !tenant_route(t, NULL, "police"))
        ld_error(ld, ld_subpath(pk, p, "report_police"), "needs an office in $.routing.police");
}

void ld_check_refs(struct loader *ld, struct tenant *t) {
    char p[PATH_LEN], pk[PATH_LEN];
    for (size_t i = 0; i < t->noffices; i++) {
        const struct tenant_office *o = &t->offices[i];
        ld_subpath(pk, ld_subpath(p, "$.offices", o->id), "supervisor");
        check_office(ld, t, o->supervisor, pk);
        if (o->supervisor && strcmp(o->supervisor, o->id) == 0)
            ld_error(ld, pk, "an office cannot supervise itself");
    }
    for (size_t i = 0; i < t->nchannels; i++) {
        ld_subpath(p, "$.channels", t->channels[i].id);
        check_office(ld, t, t->channels[i].office, ld_subpath(pk, p, "office"));
        if (t->channel_routing[i])
            check_routing_offices(ld, t, t->channel_routing[i], ld_subpath(pk, p, "routing"));
    }
    if (t->routing) check_routing_offices(ld, t, t->routing, "$.routing");
    for (size_t i = 0; i < NCATEGORIES; i++)
        if (t->categories[i].category) check_category_refs(ld, t, &t->categories[i]);
    for (size_t i = 0; i < t->ladder.nsteps; i++) {
        snprintf(p, sizeof p, "$.strikes.steps[%zu].template", i);
        check_template(ld, t, t->steps[i].template_id, p);
    }
    for (size_t i = 0; i < t->npremods; i++)
        check_template(
            ld, t, t->premods[i].template_id,
            ld_subpath(pk, ld_subpath(p, "$.premoderation", t->premods[i].kind), "template"));
    check_template(ld, t, t->sla.courtesy_template, "$.sla.courtesy_template");
}
