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
#include "tenant_check.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_doc.h"
#include "xmalloc.h"

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
