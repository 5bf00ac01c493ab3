/* Writing JSON straight into a growing buffer, for the documents the stages emit on
 * every input (decisions, commands, tickets, classified envelopes). jansson builds a tree
 * and serializes it through a callback per token; most of a stage's time went there.
 *
 * The text written is what json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS |
 * JSON_REAL_PRECISION(4)) writes for the same value, byte for byte, provided the caller
 * writes each object's keys in strcmp order (json_write_json sorts them itself): the
 * stages' outputs stay the same bytes whether a value went through a tree or not.
 * Strings are UTF-8 and are written as they are, except '"', '\\' and the control
 * characters below U+0020, which are escaped as jansson escapes them. */
#ifndef VIGILE_JSON_WRITE_H
#define VIGILE_JSON_WRITE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* A document being written. Zero-initialize it ({ 0 }); commas between members and
 * items are put in by the writer. */
struct json_writer {
    char *s; /* owned until json_write_finish */
    size_t len, cap;
};

void json_write_object_open(struct json_writer *w);
void json_write_object_close(struct json_writer *w);
void json_write_array_open(struct json_writer *w);
void json_write_array_close(struct json_writer *w);

/* The key of the next member of the open object. */
void json_write_key(struct json_writer *w, const char *key);

/* Values: an item of the open array, or the value of the key just written. */
void json_write_string(struct json_writer *w, const char *s);
void json_write_stringn(struct json_writer *w, const char *s, size_t len);
void json_write_int(struct json_writer *w, int64_t v);
void json_write_real(struct json_writer *w, double v);
void json_write_bool(struct json_writer *w, int v);
void json_write_null(struct json_writer *w);
/* v (borrowed), objects with their keys sorted; NULL writes null. */
void json_write_json(struct json_writer *w, const json_t *v);
/* len bytes of JSON already serialized (one value), copied as they are. */
void json_write_raw(struct json_writer *w, const char *json, size_t len);

/* key and a string value, written only when value is not NULL (an optional member). */
void json_write_member_str(struct json_writer *w, const char *key, const char *value);

/* The document written: a new NUL-terminated string (the caller frees it), its length in
 * *len when len is not NULL. w is empty again afterwards. */
char *json_write_finish(struct json_writer *w, size_t *len);
/* Frees what w holds (a document abandoned); w is empty again. */
void json_write_discard(struct json_writer *w);

#endif
