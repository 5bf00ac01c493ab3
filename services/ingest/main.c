/* vigile-ingest: where citizens' events enter Vigile. Without options it serves the
 * platform webhooks (webhook_service.h); with --replay it produces a file of JSON lines. */
#include <string.h>

#include "file_source.h"
#include "ingest_config.h"
#include "service.h"
#include "webhook_service.h"

static const struct service_def ingest_def = {
    .name = "ingest",
    .summary =
        "Serves the platform webhooks (Meta, Telegram, YouTube poller, generic connectors) on\n"
        "VIGILE_INGEST_PORT and produces their events to vigile.inbound, answering 200 only\n"
        "once the broker has them (docs/ingest.md).\n\n"
        "  --replay FILE|-   produce JSON lines (envelopes or platform payloads) from FILE or\n"
        "                    stdin to vigile.inbound, dead-lettering invalid ones, with\n"
        "                    progress on stderr",
    .uses_state = 1, /* for /healthz: dedup needs Redis */
    .serves_itself = 1,
    .print_help = ingest_config_print_help,
    .stage_open = webhook_service_open,
    .stage_reload = webhook_service_reload,
    .stage_close = webhook_service_close,
};

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--replay") == 0) return ingest_replay_main(argv[2]);
    return service_main(argc, argv, &ingest_def);
}
