/* bench_mix: the comment mixes the text benches classify, shared so that every
 * figure they print is measured on the same texts. */
#ifndef VIGILE_BENCH_MIX_H
#define VIGILE_BENCH_MIX_H

#include <stddef.h>

#define BENCH_MIX_COMMENTS 1024

struct bench_mix {
    char *text[BENCH_MIX_COMMENTS];
    double avg_len;
};

/* ~200-byte comments joined from sixteen sentences in the proportions a municipal page
 * sees, in a fixed pseudo-random order so that runs compare. */
void bench_mix_sentences(struct bench_mix *mix);

/* ~200-byte comments joined from the labelled corpus's texts (JSON lines with "text" and
 * "expected"), a fixed pseudo-random pick: more varied wording than the sentences, so less
 * kind to the caches and the branch predictor. removal_share of the pieces come from texts
 * with a label that leads to removal (insults, spam, personal data...), the rest from texts
 * with none; a negative share picks every text alike. Exits naming prog when the file
 * cannot be read. */
void bench_mix_corpus(struct bench_mix *mix, const char *corpus_path, double removal_share,
                      const char *prog);

void bench_mix_free(struct bench_mix *mix);

double bench_now(void); /* monotonic seconds */
/* CPU seconds of the calling thread: on a machine shared with other work, time spent
 * descheduled does not count against the code measured. */
double bench_cpu_now(void);

#endif
