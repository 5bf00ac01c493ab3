/* text_context: off_topic from the comment and its post (see text_context.h). */
#include "text_context.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

#define CONTEXT_STEM      5 /* bytes of a token compared: a cheap Italian stem */
#define CONTEXT_MIN_TOKEN 4 /* shorter tokens are mostly function words */

/* Frequent words of four letters or more that say nothing about a topic. */
static const char *const stop_words[] = {
    "anche",    "ancora", "questo",  "questa",    "questi",  "queste", "quello",     "quella",
    "quelli",   "sono",   "come",    "perché",    "perche",  "della",  "delle",      "degli",
    "dello",    "nella",  "nelle",   "negli",     "alla",    "alle",   "agli",       "allo",
    "sulla",    "sulle",  "dalla",   "dalle",     "molto",   "molti",  "tutto",      "tutti",
    "tutte",    "quando", "sempre",  "fare",      "fatto",   "essere", "hanno",      "abbiamo",
    "avete",    "siete",  "loro",    "voglio",    "vorrei",  "grazie", "buongiorno", "buonasera",
    "salve",    "ciao",   "cosa",    "dove",      "proprio", "solo",   "stato",      "stata",
    "dopo",     "prima",  "oggi",    "ieri",      "domani",  "bene",   "male",       "bella",
    "bello",    "più",    "meno",    "altro",     "altri",   "altra",  "qualcuno",   "nessuno",
    "niente",   "nulla",  "ogni",    "ecco",      "mentre",  "senza",  "sopra",      "sotto",
    "però",     "quindi", "allora",  "invece",    "ormai",   "poco",   "tanto",      "tanti",
    "troppo",   "forse",  "adesso",  "sarà",      "sarebbe", "era",    "erano",      "fanno",
    "fate",     "stanno", "vuole",   "volete",    "possono", "potete", "bisogna",    "davvero",
    "comunque", "mio",    "mia",     "miei",      "nostro",  "nostra", "vostro",     "vostra",
    "loro",     "cioè",   "qualche", "veramente", "certo",   "certo",  "ragazzi",    "gente",
    "persone",  "anni",   "anno",    "giorno",    "giorni",  "volta",  "volte",      "cose",
    "modo",     "parte",  "tempo",   "vero",      "vuol",    "dire",   NULL
};

static void set_add(uint64_t *set, size_t mask, uint64_t h) {
    size_t i = h & mask;
    while (set[i] && set[i] != h) i = (i + 1) & mask;
    set[i] = h;
}

static int set_has(const uint64_t *set, size_t mask, uint64_t h) {
    for (size_t i = h & mask; set[i]; i = (i + 1) & mask)
        if (set[i] == h) return 1;
    return 0;
}

void text_context_init(struct text_context *ctx) {
    size_t n = sizeof stop_words / sizeof stop_words[0];
    size_t cap = 1;
    while (cap < 4 * n) cap *= 2;
    ctx->stop = xcalloc(cap, sizeof *ctx->stop);
    ctx->stop_mask = cap - 1;
    for (size_t i = 0; stop_words[i]; i++) {
        char term[64];
        uint8_t runs[64];
        int len = text_norm_term(stop_words[i], term, runs, sizeof term);
        if (len > 0) set_add(ctx->stop, ctx->stop_mask, text_context_hash(term, (size_t)len, 0));
    }
}

void text_context_release(struct text_context *ctx) {
    if (!ctx) return;
    free(ctx->stop);
    ctx->stop = NULL;
}

void text_context_work_release(struct text_context_work *w) {
    if (!w) return;
    free(w->stems);
    w->stems = NULL;
    w->cap = 0;
}

/* Calls fn for each content token of nm's lexicon view: long enough,
 * letters only, not a stop word.  Returns how many there were. */
static size_t for_content_tokens(const struct text_context *ctx, const struct text_norm *nm,
                                 void (*fn)(void *, const char *, size_t), void *arg) {
    size_t i = 0, count = 0;
    while (i < nm->n_len) {
        while (i < nm->n_len && nm->n[i] == ' ') i++;
        size_t a = i;
        int letters_only = 1;
        while (i < nm->n_len && nm->n[i] != ' ') {
            char c = nm->n[i++];
            letters_only &= !(c >= '0' && c <= '9') && c != '*';
        }
        size_t n = i - a;
        if (n < CONTEXT_MIN_TOKEN || !letters_only ||
            set_has(ctx->stop, ctx->stop_mask, text_context_hash(nm->n + a, n, 0)))
            continue;
        count++;
        if (fn) fn(arg, nm->n + a, n < CONTEXT_STEM ? n : CONTEXT_STEM);
    }
    return count;
}

static void stem_insert(void *arg, const char *s, size_t n) {
    struct text_context_work *w = arg;
    set_add(w->stems, w->cap - 1, text_context_hash(s, n, 0));
}

struct overlap {
    const struct text_context_work *w;
    size_t shared;
};

static void stem_lookup(void *arg, const char *s, size_t n) {
    struct overlap *o = arg;
    o->shared += set_has(o->w->stems, o->w->cap - 1, text_context_hash(s, n, 0));
}

/* Whether a rule found something in the comment. The model's labels do not count: most
 * of what it labels in off-topic chatter is a low criticism or question score, and a
 * guess is no evidence that the comment is about the post. */
static int rule_findings(const struct text_sink *sink) {
    for (size_t i = 0; i < sink->n; i++)
        if (sink->labels[i].origin != TEXT_ORIGIN_MODEL) return 1;
    return 0;
}

void text_context_off_topic(const struct text_context *ctx, struct text_context_work *w,
                            const struct text_norm *nm, const struct text_norm *post,
                            const struct text_vocab_hits *vocab, struct text_sink *sink) {
    if (!post || post->n_len == 0 || rule_findings(sink) || vocab->count[TEXT_VOCAB_CIVIC] > 0)
        return;
    size_t words = for_content_tokens(ctx, nm, NULL, NULL);
    if (words < TEXT_CONTEXT_MIN_WORDS) return;
    size_t post_words = for_content_tokens(ctx, post, NULL, NULL);
    if (post_words < 2) return;
    size_t need = 16;
    while (need < 4 * post_words) need *= 2;
    if (w->cap < need) {
        free(w->stems);
        w->stems = xmalloc(need * sizeof *w->stems);
        w->cap = need;
    }
    memset(w->stems, 0, w->cap * sizeof *w->stems);
    for_content_tokens(ctx, post, stem_insert, w);
    struct overlap o = { w, 0 };
    for_content_tokens(ctx, nm, stem_lookup, &o);
    if (o.shared == 0)
        text_result_add(sink, TEXT_CAT_OFF_TOPIC, "ctx.off_topic", 0.6, TEXT_SEV_LOW, NULL,
                        nm->n_start[0], nm->n_end[nm->n_len - 1]);
}
