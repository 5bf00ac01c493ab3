/* Envelopes a stage's prepare parsed, kept for its process to take instead of parsing
 * the same input again. Matched by the input's bytes, which are copied: a payload pointer
 * may come back for another message once the batch's messages are freed. */
#ifndef VIGILE_PARSED_AHEAD_H
#define VIGILE_PARSED_AHEAD_H

#include <jansson.h>
#include <stddef.h>

struct parsed_entry {
    char *payload; /* owned copy */
    size_t len;
    json_t *env; /* owned until taken */
};

struct parsed_ahead {
    struct parsed_entry *v;
    size_t n, cap;
    size_t next; /* where the next take starts looking */
};

/* Keeps env (stolen), parsed from payload[0..len) (borrowed, copied). */
void parsed_ahead_keep(struct parsed_ahead *pa, const char *payload, size_t len, json_t *env);
/* The envelope kept for these very bytes (new reference, taken: a second call for the
 * same bytes finds nothing), or NULL. */
json_t *parsed_ahead_take(struct parsed_ahead *pa, const char *payload, size_t len);
/* Forgets every envelope kept, keeping the storage. */
void parsed_ahead_clear(struct parsed_ahead *pa);
/* Frees everything, including the storage. */
void parsed_ahead_free(struct parsed_ahead *pa);

#endif
