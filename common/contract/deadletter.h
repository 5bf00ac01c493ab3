/* Dead letters: what a stage could not take, with the stage, the reason and the original
 * bytes, so that nothing is lost silently and an operator can see why and replay it after
 * a fix. Schema: docs/schemas/deadletter.schema.json.
 *
 * A dead letter always fits its topic, whatever it carries (limits.h): the payload
 * travels once, base64-encoded (exact bytes, invalid UTF-8 and NUL included, and a size
 * known in advance), cut to its first LIMIT_DEADLETTER_PAYLOAD_BYTES bytes; the size and
 * SHA-256 of the whole original say what was cut and let it be matched to its source. */
#ifndef VIGILE_DEADLETTER_H
#define VIGILE_DEADLETTER_H

#include <stddef.h>
#include <stdint.h>

#include "stage.h"

#define DEADLETTER_SCHEMA_VERSION 2

struct deadletter_source {
    const char *stage; /* "classify" */
    const char *topic; /* input topic, or "http" / "replay" at ingest */
    int32_t partition; /* -1 when not from Kafka */
    int64_t offset;    /* -1 when not from Kafka */
};

/* Builds the dead-letter record for payload (len bytes of anything, borrowed) rejected
 * for reason (cut to LIMIT_DEADLETTER_REASON_BYTES). Returns a new JSON string of at most
 * LIMIT_MESSAGE_BYTES minus room for the key; *out_len gets its length. */
char *deadletter_record(const struct deadletter_source *src, const char *reason,
                        const void *payload, size_t len, size_t *out_len);

/* Appends to out the dead letter of payload for vigile.deadletter, the one way every
 * shell, server and tool sends one. Steals key (xmalloc'd; NULL: "unknown", when the
 * input had none); everything else is borrowed. */
void deadletter_add(struct stage_outputs *out, const struct deadletter_source *src, char *key,
                    const char *reason, const void *payload, size_t len);

#endif
