#include "envelope.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_doc.h"
#include "json_write.h"
#include "limits.h"
#include "strlist.h"
#include "timefmt.h"
#include "xmalloc.h"

/* Every validation error goes through here, so all of them read "$.path: problem". */
static int fail(char *err, size_t n, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t n, const char *path, const char *fmt, ...) {
    int used = snprintf(err, n, "%s: ", path);
    if (used < 0 || (size_t)used >= n) return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + used, n - (size_t)used, fmt, ap);
    va_end(ap);
    return -1;
}

const char *const envelope_platforms[] = { "facebook", "instagram", "x",       "youtube",
                                           "telegram", "whatsapp",  "generic", NULL };
const char *const envelope_kinds[] = { "comment",         "reply",   "post",
                                       "private_message", "mention", NULL };
static const char *const event_types[] = { EVENT_CREATED, EVENT_EDITED, EVENT_DELETED, NULL };

/* Checks that obj[key] is a string of 1..max bytes. Absent is an error only if required.
 * Returns 0, or -1 with err filled. */
static int check_string(const json_t *obj, const char *key, const char *path, int required,
                        size_t max, char *err, size_t n) {
    json_t *v = json_object_get(obj, key);
    if (!v) return required ? fail(err, n, path, "missing") : 0;
    if (!json_is_string(v)) return fail(err, n, path, "expected string, got %s", json_doc_type(v));
    size_t len = json_string_length(v);
    if (len == 0 && required) return fail(err, n, path, "empty");
    if (len > max) return fail(err, n, path, "%zu bytes, over the limit of %zu", len, max);
    return 0;
}

static int check_enum(const json_t *obj, const char *key, const char *path, const char *const *list,
                      int required, char *err, size_t n) {
    if (check_string(obj, key, path, required, 64, err, n)) return -1;
    const char *s = json_string_value(json_object_get(obj, key));
    if (s && strlist_index(s, list) < 0) {
        char all[256];
        strlist_join(all, sizeof all, list);
        return fail(err, n, path, "\"%s\" is not one of %s", s, all);
    }
    return 0;
}

/* Tenant ids become Kafka topic names and Redis key parts: keep them to a safe alphabet. */
static int check_tenant(const json_t *env, char *err, size_t n) {
    if (check_string(env, "tenant", "$.tenant", 1, 64, err, n)) return -1;
    for (const char *p = envelope_str(env, "tenant"); *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
            return fail(err, n, "$.tenant", "only a-z, 0-9, '_' and '-' are allowed");
    return 0;
}

static int check_time(json_t *env, const char *key, enum envelope_mode mode, char *err, size_t n) {
    char path[32];
    snprintf(path, sizeof path, "$.%s", key);
    json_t *v = json_object_get(env, key);
    if (!v && mode == ENVELOPE_REPLAY) {
        char now[RFC3339_LEN];
        json_object_set_new(env, key, json_string(rfc3339_format(time_now_ms(), now)));
        return 0;
    }
    if (check_string(env, key, path, 1, 64, err, n)) return -1;
    int64_t ms;
    if (rfc3339_parse(json_string_value(v), &ms)) return fail(err, n, path, "not RFC 3339");
    return 0;
}

static int check_schema(json_t *env, enum envelope_mode mode, char *err, size_t n) {
    json_t *s = json_object_get(env, "schema");
    if (!s && mode == ENVELOPE_REPLAY) {
        json_object_set_new(env, "schema",
                            json_pack("{s:s, s:i}", "name", ENVELOPE_SCHEMA_NAME, "version",
                                      ENVELOPE_SCHEMA_VERSION));
        return 0;
    }
    if (!s) return fail(err, n, "$.schema", "missing");
    if (!json_is_object(s))
        return fail(err, n, "$.schema", "expected object, got %s", json_doc_type(s));
    const char *name = json_string_value(json_object_get(s, "name"));
    if (!name || strcmp(name, ENVELOPE_SCHEMA_NAME) != 0)
        return fail(err, n, "$.schema.name", "must be \"%s\"", ENVELOPE_SCHEMA_NAME);
    json_t *ver = json_object_get(s, "version");
    if (!json_is_integer(ver) || json_integer_value(ver) != ENVELOPE_SCHEMA_VERSION)
        return fail(err, n, "$.schema.version", "must be %d", ENVELOPE_SCHEMA_VERSION);
    return 0;
}

static int check_author(const json_t *env, char *err, size_t n) {
    json_t *a = json_object_get(env, "author");
    if (!a) return fail(err, n, "$.author", "missing");
    if (!json_is_object(a))
        return fail(err, n, "$.author", "expected object, got %s", json_doc_type(a));
    if (check_string(a, "id", "$.author.id", 1, 256, err, n)) return -1;
    /* The key is "<tenant>|<author_id>": a '|' in the id would make it ambiguous. */
    if (strchr(json_string_value(json_object_get(a, "id")), '|'))
        return fail(err, n, "$.author.id", "must not contain '|'");
    return check_string(a, "name", "$.author.name", 0, 512, err, n);
}

static int check_context(const json_t *env, char *err, size_t n) {
    json_t *c = json_object_get(env, "context");
    if (!c || json_is_null(c)) return 0;
    if (!json_is_object(c))
        return fail(err, n, "$.context", "expected object, got %s", json_doc_type(c));
    if (check_string(c, "post_text", "$.context.post_text", 0, LIMIT_TEXT_BYTES, err, n)) return -1;
    json_t *topics = json_object_get(c, "post_topics");
    if (!topics) return 0;
    if (!json_is_array(topics))
        return fail(err, n, "$.context.post_topics", "expected array, got %s",
                    json_doc_type(topics));
    if (json_array_size(topics) > LIMIT_POST_TOPICS)
        return fail(err, n, "$.context.post_topics", "%zu items, over the limit of %d",
                    json_array_size(topics), LIMIT_POST_TOPICS);
    size_t i;
    json_t *t;
    json_array_foreach(topics, i, t) {
        if (!json_is_string(t))
            return fail(err, n, "$.context.post_topics", "item %zu: expected string, got %s", i,
                        json_doc_type(t));
        if (json_string_length(t) > LIMIT_POST_TOPIC_BYTES)
            return fail(err, n, "$.context.post_topics",
                        "item %zu: %zu bytes, over the limit of %d", i, json_string_length(t),
                        LIMIT_POST_TOPIC_BYTES);
    }
    return 0;
}

static int check_attachments(const json_t *env, char *err, size_t n) {
    json_t *att = json_object_get(env, "attachments");
    if (!att) return 0;
    if (!json_is_array(att))
        return fail(err, n, "$.attachments", "expected array, got %s", json_doc_type(att));
    if (json_array_size(att) > LIMIT_ATTACHMENTS)
        return fail(err, n, "$.attachments", "%zu items, over the limit of %d",
                    json_array_size(att), LIMIT_ATTACHMENTS);
    size_t i;
    json_t *a;
    json_array_foreach(att, i, a) {
        char path[48];
        snprintf(path, sizeof path, "$.attachments[%zu]", i);
        if (!json_is_object(a))
            return fail(err, n, path, "expected object, got %s", json_doc_type(a));
        snprintf(path, sizeof path, "$.attachments[%zu].type", i);
        if (check_string(a, "type", path, 1, 64, err, n)) return -1;
    }
    return 0;
}

/* Keys a stage may have added upstream; anything else is a contract violation that we
 * would rather see in the dead-letter topic than carry along silently. */
static const char *const known_keys[] = {
    "schema",      "event_id",       "event_type",    "tenant",      "channel",
    "platform",    "kind",           "content_id",    "thread_id",   "parent_id",
    "author",      "text",           "created_at",    "received_at", "context",
    "attachments", "classification", "redacted_text", NULL
};

static int check_unknown_keys(const json_t *env, char *err, size_t n) {
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)env, key, v) {
        if (strlist_index(key, known_keys) < 0) {
            char path[96];
            snprintf(path, sizeof path, "$.%.80s", key);
            return fail(err, n, path, "unknown key");
        }
    }
    return 0;
}

/* Depth of v: 1 for a scalar or an empty container, else 1 + its deepest member, counted
 * no further than limit + 1 (what a verdict needs; it also bounds the recursion). */
static int depth(const json_t *v, int limit) {
    if (limit < 0 || !(json_is_object(v) || json_is_array(v))) return 1;
    int deepest = 0;
    if (json_is_array(v)) {
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m) {
            int d = depth(m, limit - 1);
            if (d > deepest) deepest = d;
        }
    } else {
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)v, k, m) {
            int d = depth(m, limit - 1);
            if (d > deepest) deepest = d;
        }
    }
    return 1 + deepest;
}

int envelope_validate(json_t *env, enum envelope_mode mode, char *err, size_t n) {
    if (!json_is_object(env))
        return fail(err, n, "$", "expected object, got %s", json_doc_type(env));
    if (depth(env, LIMIT_ENVELOPE_DEPTH) > LIMIT_ENVELOPE_DEPTH)
        return fail(err, n, "$", "nested deeper than the limit of %d", LIMIT_ENVELOPE_DEPTH);
    if (check_unknown_keys(env, err, n) || check_schema(env, mode, err, n) ||
        check_string(env, "event_id", "$.event_id", 1, 256, err, n) ||
        check_enum(env, "event_type", "$.event_type", event_types, 0, err, n) ||
        check_tenant(env, err, n) || check_string(env, "channel", "$.channel", 0, 128, err, n) ||
        check_enum(env, "platform", "$.platform", envelope_platforms, 1, err, n) ||
        check_enum(env, "kind", "$.kind", envelope_kinds, 1, err, n) ||
        check_string(env, "content_id", "$.content_id", 1, 256, err, n) ||
        check_string(env, "thread_id", "$.thread_id", 0, 256, err, n) ||
        check_string(env, "parent_id", "$.parent_id", 0, 256, err, n) ||
        check_author(env, err, n) ||
        check_string(env, "text", "$.text", 1, LIMIT_TEXT_BYTES, err, n) ||
        check_time(env, "created_at", mode, err, n) ||
        check_time(env, "received_at", mode, err, n) || check_context(env, err, n) ||
        check_attachments(env, err, n))
        return -1;
    return 0;
}

json_t *envelope_parse(const char *buf, size_t len, enum envelope_mode mode, char *err, size_t n) {
    /* Invalid UTF-8 and NUL characters are refused too: both become dead letters here. */
    json_t *env = json_doc_load(buf, len, err, n);
    if (!env) return NULL;
    if (envelope_validate(env, mode, err, n)) {
        json_decref(env);
        return NULL;
    }
    return env;
}

#define DUMP_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(4))

int envelope_check_size(const json_t *env, char *err, size_t n) {
    size_t size = json_dumpb(env, NULL, 0, DUMP_FLAGS); /* measures without writing */
    if (size > LIMIT_ENVELOPE_BYTES)
        return fail(err, n, "$", "%zu bytes serialized, over the envelope limit of %d", size,
                    LIMIT_ENVELOPE_BYTES);
    return 0;
}

const char *envelope_str(const json_t *env, const char *key) {
    return json_string_value(json_object_get(env, key));
}

int envelope_is_deletion(const json_t *env) {
    const char *event_type = envelope_str(env, "event_type");
    return event_type && strcmp(event_type, EVENT_DELETED) == 0;
}

const char *envelope_author_id(const json_t *env) {
    return json_string_value(json_object_get(json_object_get(env, "author"), "id"));
}

/* Made for every output a stage appends: joined by hand rather than formatted. */
char *envelope_key(const json_t *env) {
    const char *tenant = envelope_str(env, "tenant"), *author = envelope_author_id(env);
    if (!tenant) tenant = "";
    if (!author) author = "";
    size_t nt = strlen(tenant), na = strlen(author);
    char *key = xmalloc(nt + na + 2);
    memcpy(key, tenant, nt);
    key[nt] = '|';
    memcpy(key + nt + 1, author, na + 1);
    return key;
}

/* json_write writes what json_dumps(env, DUMP_FLAGS) would, without the tree walk
 * through callbacks that made serializing most of a stage's time. */
char *envelope_dump(const json_t *env, size_t *len) {
    struct json_writer w = { 0 };
    json_write_json(&w, env);
    return json_write_finish(&w, len);
}

void envelope_write_open(struct json_writer *w, const char *orig, size_t orig_len) {
    /* orig parsed as an object, so its last non-blank byte is the closing brace. */
    size_t end = orig_len;
    while (end > 0 && orig[end - 1] != '}') end--;
    json_write_raw(w, orig, end - 1);
}
