/* What vigile-ingest runs without options: the webhook server with its dedup and its
 * broker hand-off, opened, reloaded and closed as the stage of a service that serves
 * itself (service.h, serves_itself). */
#ifndef VIGILE_INGEST_WEBHOOK_SERVICE_H
#define VIGILE_INGEST_WEBHOOK_SERVICE_H

#include <stddef.h>

#include "service.h"

/* The service_def hooks. open steals tenants; state is unused (dedup keeps its own Redis
 * connection). open returns -1 for a bad configuration (a missing secret), -2 when the
 * broker client or the port cannot be had. */
int webhook_service_open(struct stage *stage, const struct settings *cfg,
                         struct tenant_set *tenants, struct state_store *state, char *err,
                         size_t errlen);
/* Swaps in tenants (stolen, also on failure) if every platform they use has its secret. */
int webhook_service_reload(struct stage *stage, struct tenant_set *tenants, char *err,
                           size_t errlen);
void webhook_service_close(struct stage *stage);

#endif
