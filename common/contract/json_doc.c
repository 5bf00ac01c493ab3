#include "json_doc.h"

#include <stdio.h>

json_t *json_doc_load(const char *buf, size_t len, char *err, size_t n) {
    json_error_t je;
    json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (!doc) snprintf(err, n, "JSON %d:%d: %s", je.line, je.column, je.text);
    return doc;
}

json_t *json_doc_load_object(const char *buf, size_t len, char *err, size_t n) {
    json_t *doc = json_doc_load(buf, len, err, n);
    if (doc && !json_is_object(doc)) {
        snprintf(err, n, "$: expected an object, got %s", json_doc_type_phrase(doc));
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* One row per jansson type: the terse name and the phrase with its article. */
static const char *const type_names[][2] = {
    [JSON_OBJECT] = { "object", "an object" },
    [JSON_ARRAY] = { "array", "a list" },
    [JSON_STRING] = { "string", "a string" },
    [JSON_INTEGER] = { "integer", "an integer" },
    [JSON_REAL] = { "number", "a number with decimals" },
    [JSON_TRUE] = { "boolean", "a boolean" },
    [JSON_FALSE] = { "boolean", "a boolean" },
    [JSON_NULL] = { "null", "null" },
};

const char *json_doc_type(const json_t *v) { return type_names[json_typeof(v)][0]; }

const char *json_doc_type_phrase(const json_t *v) { return type_names[json_typeof(v)][1]; }
