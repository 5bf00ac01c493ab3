/* libFuzzer target for the input side of one worker stage, chosen at build time with
 * -DFUZZ_STAGE_<NAME> (tests/fuzz/CMakeLists.txt builds one per stage): any bytes a topic
 * may hold must come back as OK, REJECT with a reason, or (SLA, whose Redis is absent
 * here) RETRY, under ASan and UBSan. Classify runs every tenant's whole engine with the
 * in-memory store; route decides with it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "classify.h"
#include "fuzz_tenants.h"
#include "log.h"
#include "route.h"
#include "sla.h"
#include "sla_timers.h"
#include "state.h"
#include "tenant.h"
#include "topics.h"

static struct state_store st;
static struct stage stage;

static enum stage_status sla_stage(void *ctx, const struct stage_input *in,
                                   struct stage_outputs *out, char *reason, size_t n) {
    return sla_process(ctx, in, out, reason, n);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    char err[4096];
    log_init("fuzz", LOG_ERROR);
    state_mem_init(&st);
#if defined(FUZZ_STAGE_CLASSIFY)
    stage = (struct stage){ .input_topics = (const char *const[]){ TOPIC_INBOUND, NULL },
                            .process = classifier_stage,
                            .ctx = classifier_new(SOURCE_DIR "/data", fuzz_tenants(), &st,
                                                  "fuzz-key", err, sizeof err) };
#elif defined(FUZZ_STAGE_ROUTE) || defined(FUZZ_STAGE_ROUTE_OPERATOR)
    stage = (struct stage){ .process = router_stage,
                            .ctx = router_new(fuzz_tenants(), &st, "fuzz-key", err, sizeof err) };
#elif defined(FUZZ_STAGE_SLA) || defined(FUZZ_STAGE_SLA_OPERATOR)
    /* Nothing listens there: a valid ticket is a RETRY, everything else must be refused
     * before Redis is asked. */
    stage = (struct stage){ .process = sla_stage,
                            .ctx = sla_new(fuzz_tenants(),
                                           sla_timers_new("redis://127.0.0.1:1", err, sizeof err),
                                           SLA_LEASE_MS) };
#else
#error "define FUZZ_STAGE_CLASSIFY, _ROUTE, _ROUTE_OPERATOR, _SLA or _SLA_OPERATOR"
#endif
    if (!stage.ctx) {
        fprintf(stderr, "fuzz: %s\n", err);
        abort();
    }
    return 0;
}

#if defined(FUZZ_STAGE_CLASSIFY)
#define FUZZ_TOPIC TOPIC_INBOUND
#elif defined(FUZZ_STAGE_ROUTE)
#define FUZZ_TOPIC TOPIC_CLASSIFIED
#elif defined(FUZZ_STAGE_SLA)
#define FUZZ_TOPIC TOPIC_ESCALATIONS
#else
#define FUZZ_TOPIC TOPIC_OPERATOR
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct stage_input in = { FUZZ_TOPIC, (const char *)data, size };
    struct stage_outputs out = { 0 };
    char reason[512] = "";
    enum stage_status rc = stage.process(stage.ctx, &in, &out, reason, sizeof reason);
    if (rc == STAGE_REJECT && !reason[0]) {
        fprintf(stderr, "fuzz: refused without a reason\n");
        abort();
    }
    stage_outputs_free(&out);
    return 0;
}
