/* vigile-ingest: where citizens' events enter Vigile. This version replays JSON lines
 * into vigile.inbound; the platform webhooks are the ingest issue's to add. */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "replay.h"
#include "service.h"
#include "timefmt.h"
#include "worker.h"

static const char usage[] =
    "Usage: vigile-ingest --replay FILE|-\n\n"
    "Produces JSON lines of envelopes to vigile.inbound, dead-lettering invalid ones\n"
    "(unknown tenant or channel, bad fields), with progress on stderr.";

int main(int argc, char **argv) {
    if (service_std_options(argc, argv, "vigile-ingest", usage)) return EXIT_CLEAN;
    if (argc != 3 || strcmp(argv[1], "--replay") != 0) {
        fprintf(stderr, "%s\n", usage);
        return EXIT_BAD_CONFIG;
    }
    struct settings cfg;
    char err[512];
    log_init("ingest", LOG_INFO);
    time_zone_init();
    if (settings_load(&cfg, err, sizeof err)) {
        log_error("config: %s", err);
        return EXIT_BAD_CONFIG;
    }
    struct tenant_set *tenants = service_load_tenants(cfg.config_dir);
    int code = EXIT_BAD_CONFIG;
    if (tenants) {
        worker_install_signals();
        code = ingest_replay(&cfg, tenants, argv[2]);
        tenant_set_free(tenants);
    }
    settings_free(&cfg);
    return code;
}
