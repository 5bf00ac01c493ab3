/* The public HTTP endpoints of vigile-ingest (libmicrohttpd, a thread per connection):
 *
 *   GET  /webhooks/meta               Meta's subscription handshake
 *   POST /webhooks/meta               Page feed, Messenger, Instagram, WhatsApp (signed)
 *   POST /webhooks/telegram/<page_id> a bot's Updates (secret-token header)
 *   POST /webhooks/youtube            a poller's commentThreads.list response (bearer)
 *   POST /webhooks/generic            one envelope from another connector (bearer)
 *
 * A request is authenticated, parsed (ingest.h), deduplicated (dedup.h) and produced
 * (delivery.h) before it is answered; docs/ingest.md lists every status code. The
 * operational /healthz and /metrics stay on the common port (http.h), off the Internet. */
#ifndef VIGILE_INGEST_WEBHOOK_SERVER_H
#define VIGILE_INGEST_WEBHOOK_SERVER_H

#include <stddef.h>

#include "dedup.h"
#include "delivery.h"
#include "ingest_config.h"
#include "tenant.h"

struct webhook_server;

/* Serves on 0.0.0.0:cfg->port. Everything passed is borrowed and must outlive the
 * server. Returns NULL with the reason in err when the port cannot be bound. */
struct webhook_server *webhook_server_start(const struct ingest_config *cfg,
                                            const struct tenant_set *tenants, struct dedup *dedup,
                                            struct delivery *delivery, char *err, size_t errlen);
/* Makes tenants (borrowed) the set later requests map pages with, waiting until no
 * request still uses the one it replaces, which the caller may then free. */
void webhook_server_swap_tenants(struct webhook_server *srv, const struct tenant_set *tenants);
/* Stops accepting, finishes the requests in hand and frees the server. NULL-safe. */
void webhook_server_stop(struct webhook_server *srv);

#endif
