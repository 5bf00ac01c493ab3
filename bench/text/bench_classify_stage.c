/* bench-classify-stage: what one core of vigile-classify does per second, and where the
 * time goes beyond the text engine.
 *
 * The same ~200-byte comments as bench-classify, wrapped in inbound envelopes of the five
 * real tenants (1,000 authors, a post answered, timestamps a minute apart), go through the
 * classify stage function the worker runs (parse and validate the envelope, classify,
 * pseudonymous recent-posts check, dump the classified envelope) with the in-memory state
 * store, and, if VIGILE_REDIS_URL is set, with Redis as the worker has it. The text engine
 * alone on the same texts is measured in the same run, so the ratio is the figure to read.
 * Figures only; no thresholds.
 *
 * usage: bench-classify-stage [SECONDS] */
#include "bench_envelopes.h"
#include "bench_mix.h"
#include "bench_tenants.h"
#include "classify.h"
#include "envelope.h"
#include "state.h"
#include "tenant.h"
#include "text_engine.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_MAX_TENANTS 16
#define BENCH_KEY         "bench-pseudonym-key"

/* Envelopes per second through classifier_stage, prepared `ahead` at a time as the
 * worker does (1: not prepared); serializing the inputs is not timed. */
static struct stage_rate run_stage(struct classifier *c, struct envelopes *e, size_t ahead,
                                   double seconds) {
    static char *bufs[BENCH_MIX_COMMENTS];
    static size_t lens[BENCH_MIX_COMMENTS];
    const struct stage stage = {
        .name = "classify", .process = classifier_stage, .prepare = classifier_prepare, .ctx = c
    };
    struct stage_outputs out = { 0 };
    double busy = 0, cpu = 0;
    size_t done = 0;
    do {
        envelopes_next(e, bufs, lens);
        double start = bench_now(), cpu_start = bench_cpu_now();
        bench_stage_pass(&stage, "vigile.inbound", bufs, lens, BENCH_MIX_COMMENTS, ahead, &out);
        busy += bench_now() - start;
        cpu += bench_cpu_now() - cpu_start;
        done += BENCH_MIX_COMMENTS;
        for (int i = 0; i < BENCH_MIX_COMMENTS; i++) free(bufs[i]);
    } while (busy < seconds);
    stage_outputs_free(&out);
    return (struct stage_rate){ done / busy, done / cpu };
}

/* Comments per second of the text engines alone, tenants in the envelopes' order. */
static double run_engines(struct text_engine **engines, int n, const struct bench_mix *mix,
                          double seconds) {
    struct text_scratch *sc = text_scratch_new();
    size_t done = 0;
    double start = bench_now(), t;
    const char *post = "Da lunedì cambiano gli orari degli uffici comunali";
    do {
        for (int i = 0; i < BENCH_MIX_COMMENTS; i++) {
            struct text_result r;
            text_classify(engines[i % n], sc, mix->text[i], strlen(mix->text[i]), post,
                          strlen(post), &r);
        }
        done += BENCH_MIX_COMMENTS;
        t = bench_now() - start;
    } while (t < seconds);
    text_scratch_free(sc);
    return done / t;
}

/* Prints one store's figure next to the engine's, prepared `ahead` at a time (1: not
 * at all). Steals nothing; st is borrowed. */
static void bench_store(const char *name, struct state_store *st, size_t ahead,
                        const struct bench_mix *mix, double engine_rate, double seconds) {
    char err[512];
    struct classifier *c =
        classifier_new(VIGILE_TEXT_DATA_DIR, bench_tenants_load("bench-classify-stage"), st,
                       BENCH_KEY, err, sizeof err);
    if (!c) {
        fprintf(stderr, "bench-classify-stage: %s\n", err);
        exit(1);
    }
    struct tenant_set *tenants = bench_tenants_load("bench-classify-stage");
    struct envelopes e;
    envelopes_make(&e, mix, tenants);
    struct stage_rate rate = run_stage(c, &e, ahead, seconds);
    printf("  stage, %-14s %-22s %8.0f envelopes/s per core (%.2f of the engine alone), "
           "%.0f per CPU second\n",
           name, ahead > 1 ? "prepared 64 at a time:" : "one by one:", rate.wall,
           rate.wall / engine_rate, rate.cpu);
    envelopes_free(&e);
    tenant_set_free(tenants);
    classifier_free(c);
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    char err[512];
    struct text_base *base = text_base_new(VIGILE_TEXT_DATA_DIR, err, sizeof err);
    if (!base) {
        fprintf(stderr, "bench-classify-stage: %s\n", err);
        return 1;
    }
    struct text_engine *engines[BENCH_MAX_TENANTS];
    int n = bench_tenant_engines(base, VIGILE_CONFIG_DIR, engines, BENCH_MAX_TENANTS, 1,
                                 "bench-classify-stage");
    struct bench_mix mix;
    bench_mix_sentences(&mix);
    double engine_rate = run_engines(engines, n, &mix, seconds);
    printf("sentence mix (avg %.0f bytes), %d tenants:\n", mix.avg_len, n);
    printf("  text engine alone:     %8.0f comments/s per core\n", engine_rate);

    /* A fresh memory store each time: it slows down as it fills, Redis does not. */
    for (size_t ahead = 1; ahead <= BENCH_AHEAD; ahead += BENCH_AHEAD - 1) {
        struct state_store mem;
        state_mem_init(&mem);
        bench_store("memory state,", &mem, ahead, &mix, engine_rate, seconds);
        state_store_free(&mem);
    }

    const char *redis_url = getenv("VIGILE_REDIS_URL");
    if (redis_url) {
        struct state_store redis;
        if (state_redis_init(&redis, redis_url, err, sizeof err)) {
            fprintf(stderr, "bench-classify-stage: %s\n", err);
            return 1;
        }
        bench_store("Redis state,", &redis, 1, &mix, engine_rate, seconds);
        bench_store("Redis state,", &redis, BENCH_AHEAD, &mix, engine_rate, seconds);
        state_store_free(&redis);
    } else {
        printf("  stage, Redis state:  skipped (set VIGILE_REDIS_URL)\n");
    }
    bench_mix_free(&mix);
    for (int k = 0; k < n; k++) text_engine_free(engines[k]);
    text_base_free(base);
    return 0;
}
