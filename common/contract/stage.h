/* The contract between a stage's logic and the shell that runs it. A stage sees bytes in
 * and produces outputs (topic, key, value); it knows nothing of Kafka, which is what lets
 * vigile-replay run classify and route in one process and tests call them directly. */
#ifndef VIGILE_STAGE_H
#define VIGILE_STAGE_H

#include <stddef.h>
#include <stdint.h>

enum stage_status {
    STAGE_OK,     /* outputs are ready to produce */
    STAGE_REJECT, /* bad input: the shell dead-letters the original bytes with the reason */
    STAGE_RETRY,  /* transient failure (Redis down): try the same input again later */
};

struct stage_output {
    char *topic; /* owned */
    char *key;   /* owned, "<tenant>|<author_id>" */
    char *value; /* owned, JSON */
    size_t len;
};

struct stage_outputs {
    struct stage_output *v;
    size_t n, cap;
};

struct stage_input {
    const char *topic;   /* the topic it was read from (route reads two) */
    const char *payload; /* borrowed; not NUL-terminated */
    size_t len;
};

struct stage {
    const char *name;                /* "classify": log component, group and dead-letter stage */
    const char *const *input_topics; /* NULL-terminated */
    /* Processes one input, appending to out. On STAGE_REJECT or STAGE_RETRY it writes a
     * one-line reason; whatever it appended is discarded by the caller. */
    enum stage_status (*process)(void *ctx, const struct stage_input *in, struct stage_outputs *out,
                                 char *reason, size_t reason_len);
    void *ctx;
    /* Optional (NULL): called with inputs the shell is about to process, in their order,
     * before the first of them, so that the stage may ask its state store about all of
     * them in one round trip. Only a shortcut: process must decide each input exactly as
     * it would have without it, whether prepare ran, failed or was not given that input. */
    void (*prepare)(void *ctx, const struct stage_input *in, size_t n);
    /* Optional (NULL): called about every 100 ms between inputs, for outputs that are due
     * by time rather than by an input (SLA timers). Appends outputs, which commit with the
     * current batch; STAGE_RETRY means try later. */
    enum stage_status (*tick)(void *ctx, int64_t now_ms, struct stage_outputs *out, char *reason,
                              size_t reason_len);
    /* Optional (NULL): called once the batch holding the tick's outputs has committed, so
     * the stage may forget what it handed off. Not called when the batch was abandoned:
     * the stage must then hand the same work off again later. */
    void (*tick_committed)(void *ctx);
};

/* Appends an output. Steals key and value (allocated with xmalloc); copies topic. */
void stage_outputs_add(struct stage_outputs *out, const char *topic, char *key, char *value,
                       size_t len);
/* Frees the outputs' contents and empties the list, keeping its storage. */
void stage_outputs_clear(struct stage_outputs *out);
/* Frees everything, including the storage. */
void stage_outputs_free(struct stage_outputs *out);

#endif
