/* bench-route-stage: what one core of vigile-route does per second, with the in-memory
 * state store and with Redis as the worker has it, printed side by side.
 *
 * The envelopes of bench-classify-stage (five real tenants, 1,000 authors, a fresh stream
 * on every pass) are classified first, untimed, with memory state; then the classified
 * envelopes go through the route stage function the worker runs (parse, look up the
 * author's strikes, ban and the event's record, decide, commit strike, ban and record,
 * emit the decision and commands), one by one or prepared 64 at a time as the worker
 * shell hands them over. Figures only; no thresholds.
 *
 * usage: bench-route-stage [SECONDS]   (env VIGILE_REDIS_URL for the Redis figures) */
#include "bench_envelopes.h"
#include "bench_mix.h"
#include "classify.h"
#include "route.h"
#include "stage.h"
#include "state.h"
#include "tenant.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_KEY "bench-pseudonym-key"

/* The classified envelopes of the next pass (values stolen from the classifier's
 * outputs; the caller frees each). */
static void classified_next(struct classifier *c, struct envelopes *e, char **vals, size_t *lens) {
    static char *bufs[BENCH_MIX_COMMENTS];
    static size_t blens[BENCH_MIX_COMMENTS];
    struct stage_outputs out = { 0 };
    envelopes_next(e, bufs, blens);
    for (int i = 0; i < BENCH_MIX_COMMENTS; i++) {
        char reason[256];
        struct stage_input in = { "vigile.inbound", bufs[i], blens[i] };
        if (classifier_stage(c, &in, &out, reason, sizeof reason) != STAGE_OK) {
            fprintf(stderr, "bench-route-stage: classify: %s\n", reason);
            exit(1);
        }
        vals[i] = out.v[0].value;
        lens[i] = out.v[0].len;
        out.v[0].value = NULL;
        stage_outputs_clear(&out);
        free(bufs[i]);
    }
    stage_outputs_free(&out);
}

/* Envelopes per second through router_stage on st, prepared `ahead` at a time as the
 * worker does (1: not prepared); classifying the inputs is not timed. */
static struct stage_rate run_route(struct state_store *st, const struct bench_mix *mix,
                                   size_t ahead, double seconds) {
    char err[512];
    struct state_store mem;
    state_mem_init(&mem);
    struct classifier *c =
        classifier_new(VIGILE_TEXT_DATA_DIR, bench_tenants_load("bench-route-stage"), &mem,
                       BENCH_KEY, err, sizeof err);
    struct router *r =
        router_new(bench_tenants_load("bench-route-stage"), st, BENCH_KEY, err, sizeof err);
    if (!c || !r) {
        fprintf(stderr, "bench-route-stage: %s\n", err);
        exit(1);
    }
    struct tenant_set *tenants = bench_tenants_load("bench-route-stage");
    struct envelopes e;
    envelopes_make(&e, mix, tenants);
    static char *vals[BENCH_MIX_COMMENTS];
    static size_t lens[BENCH_MIX_COMMENTS];
    const struct stage stage = {
        .name = "route", .process = router_stage, .prepare = router_prepare, .ctx = r
    };
    struct stage_outputs out = { 0 };
    double busy = 0, cpu = 0;
    size_t done = 0;
    do {
        classified_next(c, &e, vals, lens);
        double start = bench_now(), cpu_start = bench_cpu_now();
        bench_stage_pass(&stage, "vigile.classified", vals, lens, BENCH_MIX_COMMENTS, ahead, &out);
        busy += bench_now() - start;
        cpu += bench_cpu_now() - cpu_start;
        done += BENCH_MIX_COMMENTS;
        for (int i = 0; i < BENCH_MIX_COMMENTS; i++) free(vals[i]);
    } while (busy < seconds);
    stage_outputs_free(&out);
    envelopes_free(&e);
    tenant_set_free(tenants);
    router_free(r);
    classifier_free(c);
    state_store_free(&mem);
    return (struct stage_rate){ done / busy, done / cpu };
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    const char *redis_url = getenv("VIGILE_REDIS_URL");
    struct state_store redis;
    char err[512];
    if (redis_url && state_redis_init(&redis, redis_url, err, sizeof err)) {
        fprintf(stderr, "bench-route-stage: %s\n", err);
        return 1;
    }
    struct bench_mix mix;
    bench_mix_sentences(&mix);
    printf("route stage, envelopes/s per core (per CPU second), %s:\n",
           redis_url ? "memory and Redis state" : "memory state (set VIGILE_REDIS_URL for Redis)");
    for (size_t ahead = 1; ahead <= BENCH_AHEAD; ahead += BENCH_AHEAD - 1) {
        /* A fresh memory store each time: it slows down as it fills, Redis does not. */
        struct state_store mem;
        state_mem_init(&mem);
        struct stage_rate m = run_route(&mem, &mix, ahead, seconds);
        state_store_free(&mem);
        printf("  %-22s memory %7.0f (%7.0f)",
               ahead > 1 ? "prepared 64 at a time:" : "one by one:", m.wall, m.cpu);
        if (redis_url) {
            struct stage_rate rd = run_route(&redis, &mix, ahead, seconds);
            printf("   Redis %7.0f (%7.0f)   Redis / memory %.2f", rd.wall, rd.cpu,
                   rd.wall / m.wall);
        }
        printf("\n");
    }
    if (redis_url) state_store_free(&redis);
    bench_mix_free(&mix);
    return 0;
}
