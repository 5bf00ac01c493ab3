/* The Redis side of vigile-act: commands accepted from Kafka wait here, one queue per
 * content (in the order they were issued), until an executor thread carries them out;
 * each command's state says whether it may have been sent, so that no command is sent
 * twice across crashes; outcomes wait in an outbox until a committed batch has published
 * them; a token bucket per tenant and platform spaces the calls of each credential.
 *
 * Keys (all hash-tagged by tenant, so one tenant lives on one Redis Cluster slot):
 *   vigile:{t}:act:<action_id>      hash: action, key, order, state, attempts, failures, result
 *   vigile:{t}:act-order:<order>    list of the command keys of one content, oldest first
 *   vigile:{t}:act-due              zset: order keys, scored by when their head may run
 *   vigile:{t}:act-outbox           zset: command keys with an unpublished result
 *   vigile:{t}:act-bucket:<platform> hash: tokens, at, rest_until
 * Not thread-safe: one act_queue per thread. */
#ifndef VIGILE_ACT_QUEUE_H
#define VIGILE_ACT_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "act_action.h"

struct act_queue;

/* One command picked for execution. Strings are owned; free with act_job_free. */
struct act_job {
    char *order;    /* "<platform>:<content_id>" */
    char *hash_key; /* vigile:{t}:act:<action_id> */
    char *raw;      /* the command as read from vigile.actions */
    char *key;      /* its message key, for the result */
    char *state;    /* "queued", or "sending" when a call was under way and never recorded */
    int attempts;   /* calls made so far */
    int failures;   /* transient failures so far */
};
void act_job_free(struct act_job *job); /* NULL-safe; zeroes it */

/* Connects lazily to url. Returns a new queue, or NULL with the reason in err. */
struct act_queue *act_queue_new(const char *url, char *err, size_t n);
void act_queue_free(struct act_queue *q); /* NULL-safe */

/* All return -1 when Redis cannot be reached or refused (logged once, with context). */

/* Accepts a command (raw, len: its bytes; key: its message key). Returns 1 when new,
 * 0 when it was accepted before (a redelivery: nothing changes). */
int act_queue_accept(struct act_queue *q, const struct act_action *a, const char *key,
                     const char *raw, size_t len, int64_t now_ms);
/* Picks tenant's next due content and leases it for lease_ms. Returns 1 with job
 * filled, 0 when nothing is due. */
int act_queue_next(struct act_queue *q, const char *tenant, int64_t now_ms, int64_t lease_ms,
                   struct act_job *job);
/* Marks the job's command as being sent (before the call). Returns the attempt number. */
int act_queue_claim(struct act_queue *q, const struct act_job *job, int64_t now_ms);
/* Puts the job's command back, due at when_ms; count_failure adds to its failures. */
int act_queue_postpone(struct act_queue *q, const char *tenant, const struct act_job *job,
                       int64_t when_ms, int count_failure);
/* Records the final result (JSON, borrowed), moves the content's queue on and puts the
 * result in the outbox. */
int act_queue_finish(struct act_queue *q, const char *tenant, const struct act_job *job,
                     const char *result, int64_t now_ms);

/* Takes a token from tenant's bucket for platform. Returns 0 (taken), or how many ms
 * until one is available (the bucket is empty or resting), or -1. */
int64_t act_queue_bucket_take(struct act_queue *q, const char *tenant, enum act_platform p,
                              double rate, int burst, int64_t now_ms);
/* Makes the bucket rest until until_ms (a platform asked to wait). */
int act_queue_bucket_rest(struct act_queue *q, const char *tenant, enum act_platform p,
                          int64_t until_ms);

/* Results waiting in the outbox. */
struct act_outbox_item {
    char *hash_key, *key, *result; /* owned */
};
struct act_outbox {
    struct act_outbox_item *v;
    size_t n, cap;
};
/* Leases up to max of tenant's unpublished results for lease_ms, appending to box. */
int act_queue_outbox_claim(struct act_queue *q, const char *tenant, int64_t now_ms,
                           int64_t lease_ms, size_t max, struct act_outbox *box);
/* Removes the results in box from their tenants' outboxes (they were published). */
int act_queue_outbox_forget(struct act_queue *q, const struct act_outbox *box);
void act_outbox_clear(struct act_outbox *box); /* frees the items, keeps the storage */
void act_outbox_free(struct act_outbox *box);

#endif
