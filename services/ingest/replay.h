/* `vigile-ingest --replay FILE|-`: JSON lines into vigile.inbound, through the broker. */
#ifndef VIGILE_INGEST_REPLAY_H
#define VIGILE_INGEST_REPLAY_H

#include "settings.h"
#include "tenant.h"

/* Produces every line of path ("-": stdin) as an inbound envelope, dead-lettering lines
 * that are not valid envelopes, with a progress line on stderr every 10,000 lines.
 * Returns the exit code: 0 when every message was acknowledged by the broker. */
int ingest_replay(const struct settings *cfg, const struct tenant_set *tenants,
                  const char *path);

#endif
