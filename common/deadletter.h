/* Dead letters: what a stage could not take, kept whole so that nothing is lost and an
 * operator can see why and replay it after a fix. Schema: docs/schemas/deadletter.schema.json */
#ifndef VIGILE_DEADLETTER_H
#define VIGILE_DEADLETTER_H

#include <stddef.h>
#include <stdint.h>

struct deadletter_source {
    const char *stage;      /* "classify" */
    const char *topic;      /* input topic, or "http" / "replay" at ingest */
    int32_t partition;      /* -1 when not from Kafka */
    int64_t offset;         /* -1 when not from Kafka */
};

/* Builds the dead-letter record for payload (any bytes) rejected for reason. The payload
 * travels base64-encoded, and also as text when it is valid UTF-8, for humans. Returns a
 * new JSON string; *len gets its length. */
char *deadletter_record(const struct deadletter_source *src, const char *reason,
                        const void *payload, size_t len, size_t *out_len);

#endif
