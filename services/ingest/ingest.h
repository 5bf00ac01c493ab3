/* Ingest's stage logic: turn one submitted document into an inbound envelope, or say
 * why not. Knows nothing of Kafka or HTTP, so replay, webhooks and tests share it. */
#ifndef VIGILE_INGEST_H
#define VIGILE_INGEST_H

#include <stddef.h>

#include "stage.h"
#include "tenant.h"

/* Validates an envelope submitted as JSON (a replay line, a generic connector's POST)
 * against the contract and the tenants: unknown tenants and unknown channels are refused,
 * never guessed. Missing timestamps become now, received_at is set to now. On success
 * appends the envelope to out for vigile.inbound and returns STAGE_OK; otherwise
 * STAGE_REJECT with a reason. tenants is borrowed. */
enum stage_status ingest_envelope(const struct tenant_set *tenants, const char *buf, size_t len,
                                  struct stage_outputs *out, char *reason, size_t reason_len);

#endif
