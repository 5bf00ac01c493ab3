/* What every worker's main() does, once: options, settings, logging, configuration,
 * topics, the HTTP endpoint, the loop, reload on SIGHUP and the exit code. A worker
 * supplies its stage through a service_def; its main.c is then a few lines. */
#ifndef VIGILE_SERVICE_H
#define VIGILE_SERVICE_H

#include <stddef.h>
#include <stdio.h>

#include "program.h"
#include "settings.h"
#include "stage.h"
#include "state.h"
#include "tenant.h"

struct service_def {
    const char *name;    /* "classify": program vigile-<name>, log component, group */
    const char *summary; /* one line for --help */
    int uses_state;      /* 1: give the stage the Redis state store of VIGILE_REDIS_URL */
    /* 1 for a service whose input is not a topic (ingest's webhooks): what stage_open
     * starts serves on threads of its own, which the runtime only keeps alive (health,
     * reload on SIGHUP, SIGTERM) instead of running the worker loop; no topic is made. */
    int serves_itself;
    /* Optional (NULL): prints the service's own variables under the summary in --help. */
    void (*print_help)(FILE *out);
    /* Builds the stage. Steals tenants; state is borrowed (NULL unless uses_state) and
     * outlives the stage. Returns 0, or -1 with a reason in err (bad configuration: the
     * process exits 2), or -2 when something it needs is unavailable (exits 1). */
    int (*stage_open)(struct stage *stage, const struct settings *cfg, struct tenant_set *tenants,
                      struct state_store *state, char *err, size_t errlen);
    /* Swaps in a new configuration between two messages. Steals tenants, also on failure.
     * Returns 0, or -1 with a reason in err (the old configuration stays). */
    int (*stage_reload)(struct stage *stage, struct tenant_set *tenants, char *err, size_t errlen);
    void (*stage_close)(struct stage *stage);
};

/* Runs the worker; returns the process exit code. */
int service_main(int argc, char **argv, const struct service_def *def);

#endif
