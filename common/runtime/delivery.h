/* The hand-off to Kafka for requests that must not be answered before it is done: a
 * webhook gets 200 only once the broker has acknowledged every message of its request
 * (DESIGN.md, "Delivery"). Each request produces a batch and waits for the delivery
 * reports of that batch alone, for a bounded time; a thread of this module serves the
 * reports. */
#ifndef VIGILE_DELIVERY_H
#define VIGILE_DELIVERY_H

#include <stddef.h>

struct delivery;
struct delivery_batch;

/* An idempotent acks=all producer on brokers, with its report-serving thread. Returns
 * NULL with the reason in err. */
struct delivery *delivery_new(const char *brokers, char *err, size_t errlen);
/* Waits up to flush_ms for what is still queued, then destroys the producer. Call it
 * after the last request has been answered. NULL-safe. */
void delivery_free(struct delivery *d, int flush_ms);

/* A batch of n messages. Free with delivery_batch_free, which is safe even while
 * reports of its messages are still due (the last one frees it). */
struct delivery_batch *delivery_batch_new(size_t n);
void delivery_batch_free(struct delivery_batch *b); /* NULL-safe */

/* Produces message i (< n) of the batch. Copies topic and key; steals value (freed by
 * librdkafka, or here on failure). A full local queue is a failure, not a wait: the
 * request is answered 503 instead of blocking. Returns 0, or -1 (message i failed). */
int delivery_send(struct delivery *d, struct delivery_batch *b, size_t i, const char *topic,
                  const char *key, char *value, size_t len);

/* Waits until every message of b is acknowledged or failed, at most timeout_ms; then
 * purges what is still queued locally (in every batch: the broker is not taking
 * messages), so that a message answered 503 is not delivered later as a duplicate of the
 * platform's retry. Returns 0 when all n messages were acknowledged, else -1. */
int delivery_wait(struct delivery *d, struct delivery_batch *b, int timeout_ms);

/* Outcome of message i once delivery_wait returned: 1 acknowledged, -1 failed, 0 still
 * in flight (uncertain: it may yet be written). */
int delivery_batch_state(struct delivery_batch *b, size_t i);

#endif
