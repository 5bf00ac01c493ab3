/* The envelope: the one JSON document that flows through the pipeline, enriched at each
 * stage (DESIGN.md, "Contracts"). This module parses and validates it with errors that
 * name the JSON path ("$.author.id: missing"), so that a dead letter says exactly what
 * was wrong. The JSON Schema twin of these rules is docs/schemas/envelope.schema.json;
 * the size limits (text, arrays, depth, the whole) are limits.h's. */
#ifndef VIGILE_ENVELOPE_H
#define VIGILE_ENVELOPE_H

#include <jansson.h>
#include <stddef.h>

#include "json_write.h"

#define ENVELOPE_SCHEMA_NAME    "vigile.envelope"
#define ENVELOPE_SCHEMA_VERSION 1

/* The values of $.event_type (docs/ingest.md): what happened to the content. Absent means
 * created. */
#define EVENT_CREATED "created"
#define EVENT_EDITED  "edited"
#define EVENT_DELETED "deleted"

enum envelope_mode {
    ENVELOPE_STRICT, /* what ingest produces: every required field present */
    ENVELOPE_REPLAY, /* an operator's file: schema and timestamps may be absent */
};

/* The values $.platform and $.kind may take, NULL-terminated: tenant channels and
 * pre-moderation rules are checked against the same lists. */
extern const char *const envelope_platforms[];
extern const char *const envelope_kinds[];

/* Parses buf as an envelope and validates it. A missing channel is valid in both modes:
 * the tenant's policy then applies without a channel's specifics. Returns a new reference, or NULL with a
 * one-line reason in err ("$.created_at: not RFC 3339", "JSON 1:17: ..."). In REPLAY mode
 * the missing schema and timestamps are filled in (now), which is why it may modify. */
json_t *envelope_parse(const char *buf, size_t len, enum envelope_mode mode, char *err,
                       size_t errlen);

/* Validates env in place (see envelope_parse). Returns 0, or -1 with err filled. */
int envelope_validate(json_t *env, enum envelope_mode mode, char *err, size_t errlen);

/* Checks that env serializes to at most LIMIT_ENVELOPE_BYTES, what ingest may hand to
 * vigile.inbound (limits.h). Returns 0, or -1 with err filled ("$: 5000123 bytes ..."). */
int envelope_check_size(const json_t *env, char *err, size_t errlen);

/* Borrowed string member of env, or NULL when absent or not a string. */
const char *envelope_str(const json_t *env, const char *key);
/* 1 when env reports that its author deleted the content ($.event_type "deleted"). */
int envelope_is_deletion(const json_t *env);
/* Borrowed author id (the raw platform id: never to be written to a decisions topic). */
const char *envelope_author_id(const json_t *env);

/* The message key of DESIGN.md, "<tenant>|<author_id>". Returns a new string. */
char *envelope_key(const json_t *env);

/* Serializes env compactly with sorted keys. Returns a new string the caller frees. */
char *envelope_dump(const json_t *env, size_t *len);

/* Starts w (empty) with the bytes of orig (orig_len bytes, borrowed, which parsed as an
 * envelope) up to its closing brace, so that the members a stage adds, none of which orig
 * had, follow (json_write_key ...) before json_write_object_close: the input is not
 * serialized again (most of a stage's JSON cost). */
void envelope_write_open(struct json_writer *w, const char *orig, size_t orig_len);

#endif
