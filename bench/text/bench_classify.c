/* bench-classify: throughput of the text engine on one core.
 *
 * Prints comments per second for a realistic mix of ~200-byte comments
 * with the engines of the tenants in config/tenants (each with its own
 * rules) used in turn, with one engine, and with 100 engines (one per
 * synthetic tenant, each with its own extra rules: candidate and list
 * names) used in turn, then the time to classify one 1 MB comment.
 * Then the three mixes with the real tenants' engines without and with the
 * statistical scorer (at the tenants' thresholds), with the ratio, and the
 * model's memory.  Figures only; no thresholds.  SECONDS 0 runs each mix
 * once (for callgrind).
 *
 * usage: bench-classify [DATA_DIR] [SECONDS] [CONFIG_DIR] */
#include "bench_mix.h"
#include "bench_tenants.h"
#include "text_engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_TENANTS          100
#define BENCH_RULES_PER_TENANT 4
#define BENCH_BIG              (1024 * 1024)
/* The sentence mix's share: 4 of its 16 sentences carry a removal label. */
#define BENCH_REMOVAL_SHARE 0.25

/* Comments per second of clock (bench_now or bench_cpu_now). */
static double run_mix_on(double (*clock)(void), struct text_engine **engines, int n_engines,
                         struct text_scratch *sc, const struct bench_mix *mix, double seconds) {
    size_t done = 0;
    double start = clock(), t;
    do {
        for (int i = 0; i < BENCH_MIX_COMMENTS; i++) {
            struct text_result r;
            const char *text = mix->text[i];
            if (text_classify(engines[(done + i) % n_engines], sc, text, strlen(text), NULL, 0,
                              &r) != TEXT_OK)
                abort();
        }
        done += BENCH_MIX_COMMENTS;
        t = clock() - start;
    } while (t < seconds);
    return done / t;
}

static double run_mix(struct text_engine **engines, int n_engines, struct text_scratch *sc,
                      const struct bench_mix *mix, double seconds) {
    return run_mix_on(bench_now, engines, n_engines, sc, mix, seconds);
}

/* Tenant k's extra rules: its candidates and list, as a tenant config
 * would add them. */
static struct text_engine *make_tenant(const struct text_base *base, int k) {
    char ids[BENCH_RULES_PER_TENANT][64], pats[BENCH_RULES_PER_TENANT][128], err[512];
    struct text_rule rules[BENCH_RULES_PER_TENANT];
    for (int j = 0; j < BENCH_RULES_PER_TENANT; j++) {
        snprintf(ids[j], sizeof ids[j], "tenant%03d.candidato%d", k, j);
        snprintf(
            pats[j], sizeof pats[j],
            "\\b(?:vota|votate|sostieni) (?:per )?(?:candidato%03dx%d|lista civica %03d-%d)\\b", k,
            j, k, j);
        rules[j] =
            (struct text_rule){ ids[j], "political_propaganda", pats[j], TEXT_SEV_MEDIUM, NULL };
    }
    struct text_engine_options opt = { base, rules, BENCH_RULES_PER_TENANT, NULL };
    struct text_engine *e = text_engine_new(&opt, err, sizeof err);
    if (!e) {
        fprintf(stderr, "bench-classify: %s\n", err);
        exit(1);
    }
    return e;
}

/* The real tenants' engines without and with the model, on one mix, in the
 * same run, per second of CPU time: the two figures are compared, and a
 * shared machine deschedules either at random. */
static void compare_model(struct text_engine **rules_only, struct text_engine **with_model, int n,
                          struct text_scratch *sc, const struct bench_mix *mix, const char *name,
                          double seconds) {
    double off = run_mix_on(bench_cpu_now, rules_only, n, sc, mix, seconds);
    double on = run_mix_on(bench_cpu_now, with_model, n, sc, mix, seconds);
    printf("  %-14s rules only %.0f, rules + model %.0f, ratio %.2f\n", name, off, on, on / off);
}

/* About 1 MB of the mix's comments, one after another. */
static char *make_big(const struct bench_mix *mix, size_t *len) {
    size_t o = 0;
    char *big = malloc(BENCH_BIG + 1);
    for (size_t i = 0;; i++) {
        const char *s = mix->text[i % BENCH_MIX_COMMENTS];
        size_t l = strlen(s);
        if (o + l + 1 > BENCH_BIG) break;
        memcpy(big + o, s, l);
        big[o + l] = ' ';
        o += l + 1;
    }
    big[o] = '\0';
    *len = o;
    return big;
}

int main(int argc, char **argv) {
    const char *data = argc > 1 ? argv[1] : VIGILE_TEXT_DATA_DIR;
    double seconds = argc > 2 ? atof(argv[2]) : 2.0;
    const char *config_dir = argc > 3 ? argv[3] : VIGILE_CONFIG_DIR;
    char err[512];
    double t0 = bench_now();
    struct text_base *base = text_base_new(data, err, sizeof err);
    if (!base) {
        fprintf(stderr, "bench-classify: %s\n", err);
        return 1;
    }
    printf("base load (lexicons + rules, JIT): %.1f ms\n", (bench_now() - t0) * 1e3);
    struct text_engine *engines[BENCH_TENANTS];
    t0 = bench_now();
    for (int k = 0; k < BENCH_TENANTS; k++) engines[k] = make_tenant(base, k);
    printf("%d tenant engines (%d extra rules each): %.1f ms\n", BENCH_TENANTS,
           BENCH_RULES_PER_TENANT, (bench_now() - t0) * 1e3);
    struct text_engine *real[BENCH_TENANTS];
    int n_real = bench_tenant_engines(base, config_dir, real, BENCH_TENANTS, 0, "bench-classify");
    struct text_engine *real_model[BENCH_TENANTS];
    bench_tenant_engines(base, config_dir, real_model, BENCH_TENANTS, 1, "bench-classify");
    struct text_scratch *sc = text_scratch_new();
    struct bench_mix mix, corpus, stress;
    bench_mix_sentences(&mix);
    bench_mix_corpus(&corpus, VIGILE_TEXT_CORPUS, BENCH_REMOVAL_SHARE, "bench-classify");
    bench_mix_corpus(&stress, VIGILE_TEXT_CORPUS, -1, "bench-classify");
    printf("sentence mix (avg %.0f bytes), comments/s per core:\n", mix.avg_len);
    printf("  %d tenants:   %.0f\n", n_real, run_mix(real, n_real, sc, &mix, seconds));
    printf("  1 engine:    %.0f\n", run_mix(engines, 1, sc, &mix, seconds));
    printf("  100 engines: %.0f\n", run_mix(engines, BENCH_TENANTS, sc, &mix, seconds));
    printf("corpus mix, %.0f%% of pieces with a removal label (avg %.0f bytes), comments/s per "
           "core:\n",
           BENCH_REMOVAL_SHARE * 100, corpus.avg_len);
    printf("  %d tenants:   %.0f\n", n_real, run_mix(real, n_real, sc, &corpus, seconds));
    printf("  100 engines: %.0f\n", run_mix(engines, BENCH_TENANTS, sc, &corpus, seconds));
    printf("corpus stress mix, every corpus text alike (avg %.0f bytes), comments/s per core:\n",
           stress.avg_len);
    printf("  %d tenants:   %.0f\n", n_real, run_mix(real, n_real, sc, &stress, seconds));
    printf("statistical scorer (%.1f MiB, shared), %d tenants at their thresholds, "
           "comments per CPU second:\n",
           text_base_model_bytes(base) / 1048576.0, n_real);
    compare_model(real, real_model, n_real, sc, &mix, "sentence mix", seconds);
    compare_model(real, real_model, n_real, sc, &corpus, "corpus mix", seconds);
    compare_model(real, real_model, n_real, sc, &stress, "corpus stress", seconds);
    size_t big_len;
    char *big = make_big(&mix, &big_len);
    struct text_result r;
    t0 = bench_now();
    int rc = text_classify(engines[0], sc, big, big_len, NULL, 0, &r);
    printf("1 MB comment (%zu bytes): %.1f ms, rc %d, %zu labels%s\n", big_len,
           (bench_now() - t0) * 1e3, rc, r.n, (r.flags & TEXT_RESULT_LIMITED) ? " (limited)" : "");
    free(big);
    bench_mix_free(&mix);
    bench_mix_free(&corpus);
    bench_mix_free(&stress);
    text_scratch_free(sc);
    for (int k = 0; k < n_real; k++) {
        text_engine_free(real[k]);
        text_engine_free(real_model[k]);
    }
    for (int k = 0; k < BENCH_TENANTS; k++) text_engine_free(engines[k]);
    text_base_free(base);
    return 0;
}
