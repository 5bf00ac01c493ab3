/* vigile-classify: vigile.inbound → vigile.classified, or with --input, envelopes from a
 * file to stdout with no Kafka and no Redis. */
#include <stdio.h>
#include <string.h>

#include "classify.h"
#include "classify_offline.h"
#include "service.h"
#include "topics.h"

static const char *const inputs[] = { TOPIC_INBOUND, NULL };

static int open_stage(struct stage *stage, const struct settings *cfg, struct tenant_set *tenants,
                      struct state_store *state, char *err, size_t n) {
    if (!*cfg->pseudonym_key) {
        tenant_set_free(tenants);
        snprintf(err, n, "VIGILE_PSEUDONYM_KEY: missing (recent posts are kept by pseudonym)");
        return -1;
    }
    struct classifier *c =
        classifier_new(cfg->data_dir, tenants, state, cfg->pseudonym_key, err, n);
    if (!c) return -1;
    *stage = (struct stage){ .name = "classify",
                             .input_topics = inputs,
                             .process = classifier_stage,
                             .prepare = classifier_prepare,
                             .ctx = c };
    return 0;
}

static int reload_stage(struct stage *stage, struct tenant_set *tenants, char *err, size_t n) {
    return classifier_reload(stage->ctx, tenants, err, n);
}

static void close_stage(struct stage *stage) { classifier_free(stage->ctx); }

static const struct service_def classify_def = {
    .name = "classify",
    .summary = "Reads envelopes from vigile.inbound and writes them, classified against each\n"
               "tenant's policy, to vigile.classified.\n\n"
               "  --input FILE|-   classify JSON lines offline (no Kafka, no Redis) to stdout",
    .uses_state = 1,
    .stage_open = open_stage,
    .stage_reload = reload_stage,
    .stage_close = close_stage,
};

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--input") == 0) return classify_offline(argv[2]);
    return service_main(argc, argv, &classify_def);
}
