/* What every Vigile program does first, workers and offline tools alike: options,
 * settings, logging, signals, the tenants. None of it needs a broker. */
#ifndef VIGILE_PROGRAM_H
#define VIGILE_PROGRAM_H

#include "settings.h"
#include "tenant.h"

/* Exit codes, documented in the README. */
enum { EXIT_CLEAN = 0, EXIT_RUNTIME = 1, EXIT_BAD_CONFIG = 2 };

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
