/* Reading JSON the one way Vigile reads it: positions in errors ("JSON 1:17: ...") and
 * duplicate keys refused, since two readers of `{"tenant":"a","tenant":"b"}` may each see
 * a different message. Every stage, parser and loader of bytes goes through here. */
#ifndef VIGILE_JSON_DOC_H
#define VIGILE_JSON_DOC_H

#include <jansson.h>
#include <stddef.h>

/* Parses len bytes of buf (borrowed, not NUL-terminated). Returns a new reference, or
 * NULL with "JSON line:col: what" in err. Invalid UTF-8 and NUL characters are errors. */
json_t *json_doc_load(const char *buf, size_t len, char *err, size_t errlen);

/* The same, and the document must be an object, else NULL with "$: expected an object,
 * got a list" in err. */
json_t *json_doc_load_object(const char *buf, size_t len, char *err, size_t errlen);

/* The name of v's type: "integer" (json_doc_type) as the envelope's errors say it, or
 * "an integer" (json_doc_type_phrase) as the tenant files' errors say it to an editor.
 * Both return literals. */
const char *json_doc_type(const json_t *v);
const char *json_doc_type_phrase(const json_t *v);

#endif
