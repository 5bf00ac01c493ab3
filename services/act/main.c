/* vigile-act: vigile.actions → the platforms' APIs → vigile.action-results. */
#include <stdio.h>

#include "act.h"
#include "act_http.h"
#include "act_metrics.h"
#include "service.h"
#include "topics.h"

static const char *const inputs[] = { TOPIC_ACTIONS, NULL };

static enum stage_status process(void *ctx, const struct stage_input *in, struct stage_outputs *out,
                                 char *reason, size_t n) {
    return act_process(ctx, in, out, reason, n);
}

static enum stage_status tick(void *ctx, int64_t now_ms, struct stage_outputs *out, char *reason,
                              size_t n) {
    return act_tick(ctx, now_ms, out, reason, n);
}

static void tick_committed(void *ctx) { act_tick_committed(ctx); }

static int open_stage(struct stage *stage, const struct settings *cfg, struct tenant_set *tenants,
                      struct state_store *state, char *err, size_t n) {
    /* The queues keep their own Redis connections, one per thread; uses_state is set
     * only so that /healthz watches Redis, without which nothing is accepted. */
    (void)state;
    struct act_config acfg;
    if (act_config_load(&acfg, cfg->config_dir, err, n)) {
        tenant_set_free(tenants);
        return -1;
    }
    act_http_global_init();
    act_metrics_register();
    struct act *s = act_new(tenants, &acfg, cfg->redis_url, 1, err, n);
    if (!s) return -1;
    *stage = (struct stage){ .name = "act",
                             .input_topics = inputs,
                             .process = process,
                             .tick = tick,
                             .tick_committed = tick_committed,
                             .ctx = s };
    return 0;
}

static int reload_stage(struct stage *stage, struct tenant_set *tenants, char *err, size_t n) {
    (void)err, (void)n;
    act_reload(stage->ctx, tenants);
    return 0;
}

static void close_stage(struct stage *stage) { act_free(stage->ctx); }

static char summary[2048];

int main(int argc, char **argv) {
    snprintf(summary, sizeof summary,
             "Reads commands from vigile.actions and carries them out on the platforms' APIs\n"
             "(Facebook, Instagram, YouTube, Telegram, X, WhatsApp; docs/act.md), exactly once\n"
             "per action_id, publishing each outcome on vigile.action-results. Tenants in shadow\n"
             "mode (the default) get the request logged, not sent.\n\n%s",
             act_config_help);
    const struct service_def def = {
        .name = "act",
        .summary = summary,
        .uses_state = 1,
        .stage_open = open_stage,
        .stage_reload = reload_stage,
        .stage_close = close_stage,
    };
    return service_main(argc, argv, &def);
}
