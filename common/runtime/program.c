#include "program.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "signals.h"

int service_std_options(int argc, char **argv, const char *program, const char *usage) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--version") == 0) {
            printf("%s %s\n", program, VIGILE_VERSION);
            return 1;
        }
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("%s\n", usage);
            settings_print_help(stdout);
            printf("\nExit codes: 0 clean shutdown, 1 runtime failure, 2 bad configuration.\n");
            return 1;
        }
    }
    return 0;
}

int service_init(const char *component, struct settings *cfg) {
    char err[512];
    enum log_level level = LOG_INFO;
    log_init(component, level);
    if (settings_load(cfg, err, sizeof err)) {
        log_error("config: %s", err);
        return -1;
    }
    if (log_level_parse(cfg->log_level, &level)) {
        log_error("config: VIGILE_LOG_LEVEL: \"%s\" is not debug, info, warn or error",
                  cfg->log_level);
        settings_free(cfg);
        return -1;
    }
    log_init(component, level);
    worker_install_signals();
    return 0;
}

struct tenant_set *service_load_tenants(const char *dir) {
    char err[8192];
    struct tenant_set *set = tenant_set_load(dir, err, sizeof err);
    if (!set) {
        /* One log line per problem: the loader separates them with newlines. */
        for (char *line = strtok(err, "\n"); line; line = strtok(NULL, "\n"))
            log_error("config: %s", line);
    }
    return set;
}
