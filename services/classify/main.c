/* vigile-classify: vigile.inbound → vigile.classified, or with --input, envelopes from a
 * file to stdout with no Kafka and no Redis. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "classify_offline.h"
#include "service.h"
#include "topics.h"
#include "xmalloc.h"

static const char *const inputs[] = { TOPIC_INBOUND, NULL };

struct classify_service {
    struct state_store state;
    struct classifier *classifier;
};

static enum stage_status process(void *ctx, const struct stage_input *in,
                                 struct stage_outputs *out, char *reason, size_t n) {
    struct classify_service *cs = ctx;
    return classifier_stage(cs->classifier, in, out, reason, n);
}

static int open_stage(struct stage *stage, const struct settings *cfg, struct tenant_set *tenants,
                      char *err, size_t n) {
    if (!*cfg->pseudonym_key) {
        tenant_set_free(tenants);
        snprintf(err, n, "VIGILE_PSEUDONYM_KEY: missing (recent posts are kept by pseudonym)");
        return -1;
    }
    struct classify_service *cs = xcalloc(1, sizeof *cs);
    if (state_redis_init(&cs->state, cfg->redis_url, err, n)) {
        tenant_set_free(tenants);
        free(cs);
        return -1;
    }
    cs->classifier = classifier_new(cfg->data_dir, tenants, &cs->state, cfg->pseudonym_key, err, n);
    if (!cs->classifier) {
        state_store_free(&cs->state);
        free(cs);
        return -1;
    }
    *stage = (struct stage){ .name = "classify", .input_topics = inputs, .process = process, .ctx = cs };
    return 0;
}

static int reload_stage(struct stage *stage, struct tenant_set *tenants, char *err, size_t n) {
    struct classify_service *cs = stage->ctx;
    return classifier_reload(cs->classifier, tenants, err, n);
}

static void close_stage(struct stage *stage) {
    struct classify_service *cs = stage->ctx;
    classifier_free(cs->classifier);
    state_store_free(&cs->state);
    free(cs);
}

static const struct service_def classify_def = {
    "classify",
    "Reads envelopes from vigile.inbound and writes them, classified against each\n"
    "tenant's policy, to vigile.classified.\n\n"
    "  --input FILE|-   classify JSON lines offline (no Kafka, no Redis) to stdout",
    open_stage, reload_stage, close_stage,
};

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--input") == 0) return classify_offline(argv[2]);
    return service_main(argc, argv, &classify_def);
}
