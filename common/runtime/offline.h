/* What the offline programs (vigile-replay, vigile-classify --input) share: settings and
 * tenants from the usual places, an in-memory state store, and a loop over JSON lines in
 * which each bad line becomes a dead-letter record on stdout, in order with the rest. */
#ifndef VIGILE_OFFLINE_H
#define VIGILE_OFFLINE_H

#include <jansson.h>
#include <stdio.h>

#include "settings.h"
#include "stage.h"
#include "state.h"
#include "tenant.h"

struct offline {
    const char *program; /* "replay": dead-letter stage name */
    struct settings cfg;
    struct tenant_set *tenants; /* owned until a stage steals it (then set to NULL) */
    struct state_store state;   /* in memory */
    char key[65];               /* pseudonym key: VIGILE_PSEUDONYM_KEY or random */
};

/* Loads settings and tenants, logging problems. Returns 0, or an exit code (2). */
int offline_open(struct offline *o, const char *program);
void offline_close(struct offline *o);

/* Reads JSON lines from path ("-": stdin). Each valid envelope (replay mode: missing
 * timestamps are now) goes to fn, which appends outputs; bad lines, and envelopes fn
 * rejects, become dead letters, outputs to TOPIC_DEADLETTER like any other. print decides
 * which outputs reach stdout and how: it returns 1 to have the bare value printed, 0 when
 * it printed the output itself or wants it left out (NULL: every value, bare). Returns the
 * exit code: 0, or 2 when path cannot be opened. */
int offline_run(struct offline *o, const char *path,
                enum stage_status (*fn)(void *arg, json_t *env, struct stage_outputs *out,
                                        char *reason, size_t n),
                void *arg, int (*print)(const struct stage_output *o));

#endif
