/* `vigile-ingest --replay FILE|-`: JSON lines into vigile.inbound, through the broker. */
#ifndef VIGILE_INGEST_FILE_SOURCE_H
#define VIGILE_INGEST_FILE_SOURCE_H

#include "settings.h"
#include "tenant.h"

/* Produces every line of path ("-": stdin) to vigile.inbound: an envelope, or a platform
 * payload (ingest_parse_line) normalized to its envelopes. Lines that are neither are
 * dead-lettered; a progress line goes to stderr every 10,000 lines. Replay does not
 * deduplicate: an operator who replays a file means it.
 * A line whose messages cannot be delivered is counted and logged, and the replay goes
 * on to the end of the file. Returns the exit code: 0 when every message was
 * acknowledged by the broker, 1 when any was not (2: path cannot be opened). */
int ingest_replay(const struct settings *cfg, const struct tenant_set *tenants, const char *path);

/* `vigile-ingest --replay path` as a program: settings and tenants as every worker reads
 * them, then ingest_replay. Returns the exit code (2 also for a bad configuration). */
int ingest_replay_main(const char *path);

#endif
