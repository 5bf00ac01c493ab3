/* bench-classify: throughput of the text engine on one core.
 *
 * Prints comments per second for a realistic mix of ~200-byte comments
 * with the engines of the tenants in config/tenants (each with its own
 * rules) used in turn, with one engine, and with 100 engines (one per
 * synthetic tenant, each with its own extra rules: candidate and list
 * names) used in turn, then the time to classify one 1 MB comment.
 * Figures only; no thresholds.  SECONDS 0 runs each mix once (for
 * callgrind).
 *
 * usage: bench-classify [DATA_DIR] [SECONDS] [CONFIG_DIR] */
#include "bench_tenants.h"
#include "text_engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_COMMENTS 1024
#define BENCH_TENANTS 100
#define BENCH_RULES_PER_TENANT 4
#define BENCH_BIG (1024 * 1024)

/* Sentences in the proportions a municipal page sees: mostly ordinary
 * comments, questions and complaints, some abuse, spam and personal data. */
static const char *const sentences[] = {
    "Buongiorno, vorrei sapere a che ora apre l'ufficio anagrafe il sabato mattina.",
    "Complimenti per la bellissima iniziativa in piazza, speriamo si ripeta anche l'anno prossimo.",
    "In via Garibaldi c'è una buca enorme da settimane, qualcuno intervenga prima che si faccia male qualcuno.",
    "Amministrazione incapace, vergognatevi: la città è sporca e abbandonata.",
    "Il lampione davanti al civico 12 è spento da dieci giorni.",
    "Grazie a tutti i volontari della protezione civile per il lavoro di questi giorni.",
    "Quando riapre la piscina comunale? Non si trova nessuna informazione sul sito.",
    "Sindaco ladro e buffone, a casa!",
    "Guadagna 500 euro al giorno con il trading, scrivimi in privato.",
    "Chiamatemi al 347 123 4567 per la pratica del passo carrabile.",
    "La raccolta dell'umido non è passata nemmeno oggi, il cassonetto è strapieno.",
    "Bella la festa della Madonna del Carmine, ci vediamo in processione.",
    "Che schifo, tasse alle stelle e servizi zero.",
    "Mi hanno rubato la bici davanti alla stazione, ci sono telecamere?",
    "Ma che c4zz0 state facendo con questi lavori infiniti?",
    "Ottima idea le panchine nuove nel parco, finalmente un posto dove sedersi.",
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Builds BENCH_COMMENTS comments of about 200 bytes from the sentences,
 * in a fixed pseudo-random order so runs are comparable. */
static char **make_mix(void)
{
    size_t n = sizeof sentences / sizeof sentences[0];
    unsigned seed = 12345;
    char **mix = malloc(BENCH_COMMENTS * sizeof *mix);
    for (int i = 0; i < BENCH_COMMENTS; i++) {
        char buf[512] = "";
        while (strlen(buf) < 180) {
            seed = seed * 1103515245u + 12345u;
            const char *s = sentences[(seed >> 16) % n];
            if (strlen(buf) + strlen(s) + 2 >= sizeof buf)
                break;
            if (*buf)
                strcat(buf, " ");
            strcat(buf, s);
        }
        mix[i] = strdup(buf);
    }
    return mix;
}

static double run_mix(struct text_engine **engines, int n_engines, struct text_scratch *sc,
                      char **mix, double seconds, double *avg_len)
{
    size_t done = 0, bytes = 0;
    double start = now(), t;
    do {
        for (int i = 0; i < BENCH_COMMENTS; i++) {
            struct text_result r;
            size_t len = strlen(mix[i]);
            if (text_classify(engines[(done + i) % n_engines], sc, mix[i], len, NULL, 0, &r) != TEXT_OK)
                abort();
            bytes += len;
        }
        done += BENCH_COMMENTS;
        t = now() - start;
    } while (t < seconds);
    *avg_len = (double)bytes / done;
    return done / t;
}

/* Tenant k's extra rules: its candidates and list, as a tenant config
 * would add them. */
static struct text_engine *make_tenant(const struct text_base *base, int k)
{
    char ids[BENCH_RULES_PER_TENANT][64], pats[BENCH_RULES_PER_TENANT][128], err[512];
    struct text_rule rules[BENCH_RULES_PER_TENANT];
    for (int j = 0; j < BENCH_RULES_PER_TENANT; j++) {
        snprintf(ids[j], sizeof ids[j], "tenant%03d.candidato%d", k, j);
        snprintf(pats[j], sizeof pats[j], "\\b(?:vota|votate|sostieni) (?:per )?(?:candidato%03dx%d|lista civica %03d-%d)\\b", k, j, k, j);
        rules[j] = (struct text_rule){ ids[j], "political_propaganda", pats[j], TEXT_SEV_MEDIUM, NULL };
    }
    struct text_engine_options opt = { base, rules, BENCH_RULES_PER_TENANT };
    struct text_engine *e = text_engine_new(&opt, err, sizeof err);
    if (!e) {
        fprintf(stderr, "bench-classify: %s\n", err);
        exit(1);
    }
    return e;
}

static char *make_big(size_t *len)
{
    size_t n = sizeof sentences / sizeof sentences[0], o = 0;
    char *big = malloc(BENCH_BIG + 1);
    for (size_t i = 0; o + 200 < BENCH_BIG; i++) {
        size_t l = strlen(sentences[i % n]);
        memcpy(big + o, sentences[i % n], l);
        big[o + l] = ' ';
        o += l + 1;
    }
    big[o] = '\0';
    *len = o;
    return big;
}

int main(int argc, char **argv)
{
    const char *data = argc > 1 ? argv[1] : VIGILE_TEXT_DATA_DIR;
    double seconds = argc > 2 ? atof(argv[2]) : 2.0;
    const char *config_dir = argc > 3 ? argv[3] : VIGILE_CONFIG_DIR;
    char err[512];
    double t0 = now();
    struct text_base *base = text_base_new(data, err, sizeof err);
    if (!base) {
        fprintf(stderr, "bench-classify: %s\n", err);
        return 1;
    }
    printf("base load (lexicons + rules, JIT): %.1f ms\n", (now() - t0) * 1e3);
    struct text_engine *engines[BENCH_TENANTS];
    t0 = now();
    for (int k = 0; k < BENCH_TENANTS; k++)
        engines[k] = make_tenant(base, k);
    printf("%d tenant engines (%d extra rules each): %.1f ms\n", BENCH_TENANTS,
           BENCH_RULES_PER_TENANT, (now() - t0) * 1e3);
    struct text_engine *real[BENCH_TENANTS];
    int n_real = bench_tenant_engines(base, config_dir, real, BENCH_TENANTS, "bench-classify");
    struct text_scratch *sc = text_scratch_new();
    char **mix = make_mix();
    double avg;
    double tenants = run_mix(real, n_real, sc, mix, seconds, &avg);
    printf("%d tenants:   %.0f comments/s per core (avg %.0f bytes)\n", n_real, tenants, avg);
    double one = run_mix(engines, 1, sc, mix, seconds, &avg);
    printf("1 engine:    %.0f comments/s per core (avg %.0f bytes)\n", one, avg);
    double hundred = run_mix(engines, BENCH_TENANTS, sc, mix, seconds, &avg);
    printf("100 engines: %.0f comments/s per core (avg %.0f bytes)\n", hundred, avg);
    size_t big_len;
    char *big = make_big(&big_len);
    struct text_result r;
    t0 = now();
    int rc = text_classify(engines[0], sc, big, big_len, NULL, 0, &r);
    printf("1 MB comment (%zu bytes): %.1f ms, rc %d, %zu labels%s\n", big_len, (now() - t0) * 1e3,
           rc, r.n, (r.flags & TEXT_RESULT_LIMITED) ? " (limited)" : "");
    free(big);
    for (int i = 0; i < BENCH_COMMENTS; i++)
        free(mix[i]);
    free(mix);
    text_scratch_free(sc);
    for (int k = 0; k < n_real; k++)
        text_engine_free(real[k]);
    for (int k = 0; k < BENCH_TENANTS; k++)
        text_engine_free(engines[k]);
    text_base_free(base);
    return 0;
}
