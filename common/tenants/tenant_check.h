/* The readers and validators of the tenant loader: errors collected as "file: json.path:
 * problem" lines, typed access to members that reports what is wrong, entries keyed by
 * id, and the cross-references of a merged tenant. tenant_schema.c walks the sections of
 * a tenant file with them; tenant_load.c runs the walk over the files. Not an API. */
#ifndef VIGILE_TENANT_CHECK_H
#define VIGILE_TENANT_CHECK_H

#include <jansson.h>
#include <stddef.h>

#include "tenant_internal.h"

#define PATH_LEN    256
#define PROBLEM_LEN 512

struct errbuf {
    char *buf;
    size_t len;
    size_t used;
    int count;
};

/* One walk over one document (a file on its own, or a merged tenant). */
struct loader {
    struct errbuf *eb;
    const char *file;
    int full; /* 1: a merged tenant; required keys and cross-references are checked */
};

/* Reports problem (printf-style) at path of the loader's file. */
void ld_error(struct loader *ld, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* What a member must be. */
enum kind { K_STR, K_INT, K_BOOL, K_OBJ, K_ARR };

/* Called for each valid entry of an object keyed by id; p is the entry's path. */
typedef void entry_fn(struct loader *ld, struct tenant *t, const char *id, json_t *v,
                      const char *p);

/* Called for each object in a list; p is its path ("$.strikes.steps[2]"). */
typedef void item_fn(struct loader *ld, struct tenant *t, json_t *v, const char *p);

/* Writes path.key into buf (PATH_LEN bytes); a path too long to name ends in "...". */
const char *ld_subpath(char *buf, const char *path, const char *key);

/* Checks v against a kind; reports at path. Returns v or NULL. */
json_t *ld_expect(struct loader *ld, json_t *v, const char *path, enum kind k);

/* Borrowed member obj[key] of kind k, or NULL when absent (reported as missing when
 * required in a full walk), null (a deletion, fine in a file on its own) or mistyped. */
json_t *ld_member(struct loader *ld, json_t *obj, const char *path, const char *key, enum kind k,
                  int required);

const char *ld_str(struct loader *ld, json_t *obj, const char *path, const char *key, int required);

int ld_int(struct loader *ld, json_t *obj, const char *path, const char *key, int required, int min,
           int max, int dflt);

int ld_bool(struct loader *ld, json_t *obj, const char *path, const char *key, int required,
            int dflt);

/* Index of the string member in names, -1 when absent or not one of them (reported). */
int ld_enum(struct loader *ld, json_t *obj, const char *path, const char *key, int required,
            const char *const *names);

/* Reports every key of obj that is not in allowed (NULL-terminated). */
void ld_check_keys(struct loader *ld, json_t *obj, const char *path, const char *const *allowed);

/* Validates one entry of an object keyed by id: the id, the entry being an object with
 * only allowed keys. Fills p with the entry's path. Returns the entry or NULL. */
json_t *ld_entry(struct loader *ld, const char *path, const char *id, json_t *v,
                 const char *const *allowed, char *p);

/* Walks the entries of map (the object at path) through fn, skipping invalid ones. */
void ld_each_entry(struct loader *ld, struct tenant *t, json_t *map, const char *path,
                   const char *const *allowed, entry_fn *fn);

/* Walks the objects of list (at path) through fn, reporting items that are not objects. */
void ld_each_item(struct loader *ld, struct tenant *t, json_t *list, const char *path, item_fn *fn);

/* Keeps s (xmalloc'd, stolen) until t is freed. Returns it. */
const char *ld_own(struct tenant *t, char *s);

/* Reads policy_ref, which must read "Sezione: «citazione»". Returns it (borrowed) and
 * its section in *section (owned by t) when section is not NULL; NULL when absent or
 * malformed. */
const char *ld_ref(struct loader *ld, struct tenant *t, json_t *obj, const char *path, int required,
                   const char **section);

/* Checks what a merged tenant's entries refer to: templates, offices, routes. */
void ld_check_refs(struct loader *ld, struct tenant *t);

#endif
