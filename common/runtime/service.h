/* What every worker's main() does, once: options, settings, logging, configuration,
 * topics, the HTTP endpoint, the loop, reload on SIGHUP and the exit code. A worker
 * supplies its stage through a service_def; its main.c is then a few lines. */
#ifndef VIGILE_SERVICE_H
#define VIGILE_SERVICE_H

#include <stddef.h>

#include "settings.h"
#include "stage.h"
#include "state.h"
#include "tenant.h"

/* Exit codes, documented in the README. */
enum { EXIT_CLEAN = 0, EXIT_RUNTIME = 1, EXIT_BAD_CONFIG = 2 };

struct service_def {
    const char *name;     /* "classify": program vigile-<name>, log component, group */
    const char *summary;  /* one line for --help */
    int uses_state;       /* 1: give the stage the Redis state store of VIGILE_REDIS_URL */
    /* Builds the stage. Steals tenants; state is borrowed (NULL unless uses_state) and
     * outlives the stage. Returns 0, or -1 with a reason in err (bad configuration: the
     * process exits 2). */
    int (*stage_open)(struct stage *stage, const struct settings *cfg, struct tenant_set *tenants,
                      struct state_store *state, char *err, size_t errlen);
    /* Swaps in a new configuration between two messages. Steals tenants, also on failure.
     * Returns 0, or -1 with a reason in err (the old configuration stays). */
    int (*stage_reload)(struct stage *stage, struct tenant_set *tenants, char *err,
                        size_t errlen);
    void (*stage_close)(struct stage *stage);
};

/* Runs the worker; returns the process exit code. */
int service_main(int argc, char **argv, const struct service_def *def);

/* What every worker does first: settings from the environment, the log level, signal
 * handlers. component is borrowed (a literal). Returns 0 with cfg
 * filled (free it with settings_free), or -1 after logging what is wrong. */
int service_init(const char *component, struct settings *cfg);

/* Loads the tenant set from dir, logging each problem; NULL when invalid. */
struct tenant_set *service_load_tenants(const char *dir);

/* Handles --help and --version for any Vigile program. Returns 1 when one was handled
 * (the caller exits 0), else 0. usage is printed under the synopsis. */
int service_std_options(int argc, char **argv, const char *program, const char *usage);

#endif
