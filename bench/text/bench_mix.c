/* bench_mix: the comment mixes of the text benches (see bench_mix.h). */
#include "bench_mix.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MIX_TARGET_LEN 180
#define MIX_MAX_LEN    512

/* Sentences in the proportions a municipal page sees: mostly ordinary
 * comments, questions and complaints, some abuse, spam and personal data. */
static const char *const sentences[] = {
    "Buongiorno, vorrei sapere a che ora apre l'ufficio anagrafe il sabato mattina.",
    "Complimenti per la bellissima iniziativa in piazza, speriamo si ripeta anche l'anno prossimo.",
    "In via Garibaldi c'è una buca enorme da settimane, qualcuno intervenga prima che si faccia "
    "male qualcuno.",
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

/* Texts to join, and the share of pieces drawn from the second pool (0: first only). */
struct pools {
    char **first, **second;
    size_t n_first, n_second;
    double second_share;
};

static unsigned next_rand(unsigned *seed) {
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 16;
}

/* Joins pieces picked by a fixed linear congruential sequence until each comment reaches
 * MIX_TARGET_LEN bytes. */
static void join_pieces(struct bench_mix *mix, const struct pools *p) {
    unsigned seed = 12345;
    size_t bytes = 0;
    for (int i = 0; i < BENCH_MIX_COMMENTS; i++) {
        char buf[MIX_MAX_LEN] = "";
        size_t len = 0;
        while (len < MIX_TARGET_LEN) {
            int second = next_rand(&seed) % 1000 < p->second_share * 1000;
            unsigned k = next_rand(&seed);
            const char *s = second ? p->second[k % p->n_second] : p->first[k % p->n_first];
            size_t l = strlen(s);
            if (len + l + 2 >= sizeof buf) break;
            if (len) buf[len++] = ' ';
            memcpy(buf + len, s, l + 1);
            len += l;
        }
        mix->text[i] = strdup(buf);
        bytes += len;
    }
    mix->avg_len = (double)bytes / BENCH_MIX_COMMENTS;
}

void bench_mix_sentences(struct bench_mix *mix) {
    struct pools p = { (char **)sentences, NULL, sizeof sentences / sizeof sentences[0], 0, 0 };
    join_pieces(mix, &p);
}

/* Labels that do not lead to removal: what most of a municipal page's comments carry. */
static int allowed_only(json_t *expected) {
    static const char *const allowed[] = { "criticism", "information_request", "service_report",
                                           "application", "crime_report" };
    size_t i;
    json_t *v;
    json_array_foreach(expected, i, v) {
        size_t k = 0;
        while (k < sizeof allowed / sizeof allowed[0] && strcmp(json_string_value(v), allowed[k]))
            k++;
        if (k == sizeof allowed / sizeof allowed[0]) return 0;
    }
    return 1;
}

static void push(char ***v, size_t *n, const char *s) {
    *v = realloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = strdup(s);
}

static void free_texts(char **v, size_t n) {
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

void bench_mix_corpus(struct bench_mix *mix, const char *corpus_path, double removal_share,
                      const char *prog) {
    FILE *f = fopen(corpus_path, "r");
    if (!f) {
        fprintf(stderr, "%s: cannot open %s\n", prog, corpus_path);
        exit(1);
    }
    struct pools p = { NULL, NULL, 0, 0, removal_share };
    char *line = NULL;
    size_t line_cap = 0;
    while (getline(&line, &line_cap, f) > 0) {
        json_t *row = json_loads(line, 0, NULL);
        const char *t = json_string_value(json_object_get(row, "text"));
        if (t && strlen(t) < MIX_MAX_LEN / 2) {
            if (removal_share < 0 || allowed_only(json_object_get(row, "expected")))
                push(&p.first, &p.n_first, t);
            else
                push(&p.second, &p.n_second, t);
        }
        json_decref(row);
    }
    free(line);
    fclose(f);
    if (!p.n_first || (removal_share > 0 && !p.n_second)) {
        fprintf(stderr, "%s: %s: too few texts\n", prog, corpus_path);
        exit(1);
    }
    if (removal_share < 0) p.second_share = 0;
    join_pieces(mix, &p);
    free_texts(p.first, p.n_first);
    free_texts(p.second, p.n_second);
}

void bench_mix_free(struct bench_mix *mix) {
    for (int i = 0; i < BENCH_MIX_COMMENTS; i++) free(mix->text[i]);
}

double bench_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

double bench_cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}
