/* vigile-sla: vigile.escalations + vigile.operator → timers in Redis → vigile.sla; and
 * `vigile-sla due`, the same deadlines printed for one arrival. */
#include <string.h>

#include "service.h"
#include "sla.h"
#include "sla_timers.h"
#include "topics.h"

static const char *const inputs[] = { TOPIC_ESCALATIONS, TOPIC_OPERATOR, NULL };

static int open_stage(struct stage *stage, const struct settings *cfg, struct tenant_set *tenants,
                      struct state_store *state, char *err, size_t n) {
    (void)state; /* the timers keep their own Redis connection */
    struct sla_timers *timers = sla_timers_new(cfg->redis_url, err, n);
    if (!timers) {
        tenant_set_free(tenants);
        return -1;
    }
    *stage = (struct stage){ .name = "sla",
                             .input_topics = inputs,
                             .process = sla_process,
                             .tick = sla_tick,
                             .tick_committed = sla_tick_committed,
                             .ctx = sla_new(tenants, timers, SLA_LEASE_MS) };
    return 0;
}

static int reload_stage(struct stage *stage, struct tenant_set *tenants, char *err, size_t n) {
    (void)err, (void)n;
    sla_reload(stage->ctx, tenants);
    return 0;
}

static void close_stage(struct stage *stage) { sla_free(stage->ctx); }

static const struct service_def sla_def = {
    .name = "sla",
    .summary =
        "Reads tickets from vigile.escalations and operator events from vigile.operator, keeps\n"
        "each ticket's SLA timers in Redis on its tenant's office calendar, and announces\n"
        "due_soon, breached and courtesy_reply_due on vigile.sla.\n"
        "\n"
        "       vigile-sla due --tenant T --from RFC3339 [--kind K]   prints deadlines (see\n"
        "       vigile-sla due --help)",
    .stage_open = open_stage,
    .stage_reload = reload_stage,
    .stage_close = close_stage,
};

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "due") == 0) return sla_due_main(argc, argv);
    return service_main(argc, argv, &sla_def);
}
