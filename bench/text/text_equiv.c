/* text-equiv: dumps everything the text engine says about a fixed set of
 * texts, so that an optimization can be checked to change no output.
 *
 * The texts are the labelled corpus, the sample stream, the bench's
 * sentences, their concatenations, and some thousands of variants made from
 * them with a fixed seed: shouted, l33t, masked, split into letters,
 * emphasized, accented, with look-alike letters, typographic quotes,
 * invisible characters, emoji and, now and then, invalid UTF-8.  Each is
 * classified by the plain engine or one of the shipped tenants' engines,
 * without and with the statistical scorer, in turn.  For every text the dump
 * holds the status, labels (category, rule, score, severity, detail, span),
 * flags, redacted text, fingerprint and the model's scores; with
 * --views, also both normalized views with their maps to the original bytes.
 * Each --jsonl FILE (JSON lines with "text", as the training files) adds its
 * texts as they are, after the generated set, each classified by every
 * engine: the training data's wording reaches rules and model heads the
 * corpus may not.
 *
 * Capture a dump before a change and one after, then compare them with cmp:
 * they must be identical byte for byte.
 *
 * usage: text-equiv OUT [--views] [--jsonl FILE]... [DATA_DIR] [CONFIG_DIR] */
#include "bench_tenants.h"
#include "text_engine.h"
#include "text_norm.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EQUIV_VARIANTS_PER_TEXT 24
#define EQUIV_RANDOM_TEXTS      8000
#define EQUIV_MAX_TEXT          4096
#define EQUIV_MAX_ENGINES       16
#define EQUIV_MAX_JSONL         64

/* The bench's sentences, so that the measured mix is covered too. */
static const char *const bench_sentences[] = {
    "Buongiorno, vorrei sapere a che ora apre l'ufficio anagrafe il sabato mattina.",
    "In via Garibaldi c'è una buca enorme da settimane, qualcuno intervenga prima che si faccia "
    "male qualcuno.",
    "Amministrazione incapace, vergognatevi: la città è sporca e abbandonata.",
    "Il lampione davanti al civico 12 è spento da dieci giorni.",
    "Quando riapre la piscina comunale? Non si trova nessuna informazione sul sito.",
    "Sindaco ladro e buffone, a casa!",
    "Guadagna 500 euro al giorno con il trading, scrivimi in privato.",
    "Chiamatemi al 347 123 4567 per la pratica del passo carrabile.",
    "Bella la festa della Madonna del Carmine, ci vediamo in processione.",
    "Mi hanno rubato la bici davanti alla stazione, ci sono telecamere?",
    "Ma che c4zz0 state facendo con questi lavori infiniti?",
};

/* Pieces that random texts are made of: words, obfuscations, numbers,
 * personal data shapes and characters every normalization step handles. */
static const char *const pieces[] = {
    "cazzo",
    "c4zz0",
    "st*onzo",
    "c a z z o",
    "i.d.i.o.t.a",
    "c-4-z-z-0",
    "cazzzzo",
    "anno",
    "ano",
    "porco dio",
    "Dio ci aiuti",
    "Madonna del Carmine",
    "sei una troia",
    "il sindaco di Troia",
    "ti ammazzo",
    "sappiamo dove abiti",
    "vota",
    "candidato",
    "2024",
    "100euro",
    "10b",
    "1diota",
    "@",
    "$",
    "#",
    "*",
    "e a",
    "l'a",
    "a e i o u",
    "347 123 4567",
    "+39 06 1234 5678",
    "RSSMRA85T10A562S",
    "IT60X0542811101000000123456",
    "mario.rossi@example.com",
    "AB 123 CD",
    "carta d'identità CA00000AA",
    "via Roma 12",
    "Giuseppe Esposito",
    "è sieropositivo",
    "abita",
    "perché",
    "città",
    "così",
    "più",
    "È",
    "À",
    "ß",
    "æ",
    "Ø",
    "ñ",
    "ü",
    "ç",
    "\xc2\xa0",
    "\xe2\x80\x99",
    "\xe2\x80\x9c",
    "\xe2\x80\x94",
    "\xe2\x80\x8b",
    "\xef\xbb\xbf",
    "\xf0\x9f\x98\x80",
    "\xd1\x81",
    "\xd0\xb0",
    "\xce\xbf",
    "\xef\xbc\xa1",
    "\xef\xac\x81",
    "?",
    "!",
    ".",
    ",",
    "-",
    "_",
    "/",
    "\n",
    "\t",
    "  ",
    "http://bit.ly/x",
    "www.esempio.it",
    "scarica gratis il film",
    "perche?",
    "ooo",
    "abita in via Roma 0",
    "signor Mario Rossi, corso Italia 00",
    "0",
    "9",
    "/",
    ":",
    "Piazza Duomo 9",
    "è in cura",
    "ha il cancro",
    "l'ufficio",
    "c'è",
    "e a e",
};

static unsigned long equiv_seed = 20261123;

static unsigned equiv_rand(unsigned n) {
    equiv_seed = equiv_seed * 6364136223846793005ul + 1442695040888963407ul;
    return (unsigned)((equiv_seed >> 33) % n);
}

struct equiv_text {
    char *text, *post; /* post may be NULL */
};

struct equiv_set {
    struct equiv_text *t;
    size_t n, cap;
};

/* Adds a copy of text[0..len) (and of post) to the set. */
static void set_add(struct equiv_set *set, const char *text, size_t len, const char *post) {
    if (set->n == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 1024;
        set->t = realloc(set->t, set->cap * sizeof *set->t);
    }
    char *copy = malloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    set->t[set->n].text = copy;
    set->t[set->n].post = post ? strdup(post) : NULL;
    set->n++;
}

static void load_jsonl(struct equiv_set *set, const char *path) {
    FILE *f = fopen(path, "r");
    char line[1 << 16];
    if (!f) {
        fprintf(stderr, "text-equiv: cannot open %s\n", path);
        exit(1);
    }
    while (fgets(line, sizeof line, f)) {
        json_t *row = json_loads(line, 0, NULL);
        if (!row) continue;
        const char *text = json_string_value(json_object_get(row, "text"));
        const char *post = json_string_value(json_object_get(row, "post_text"));
        if (!post)
            post = json_string_value(json_object_get(json_object_get(row, "context"), "post_text"));
        if (text) set_add(set, text, strlen(text), post);
        json_decref(row);
    }
    fclose(f);
}

/* Appends s to out (capacity EQUIV_MAX_TEXT) if it fits. */
static void put(char *out, size_t *o, const char *s, size_t n) {
    if (*o + n < EQUIV_MAX_TEXT) {
        memcpy(out + *o, s, n);
        *o += n;
    }
}

/* One variant of src: each ASCII letter may be rewritten by the chosen
 * mutation; other bytes are copied. */
static size_t mutate(const char *src, char *out) {
    static const char *const accents[] = { "à", "è", "é", "ì", "ò", "ù", "À", "É", "Ò", "ÿ" };
    static const char *const glyphs[] = { "\xd0\xb0", "\xd0\xb5", "\xd0\xbe", "\xd1\x81",
                                          "\xce\xbf" };
    static const char *const seps[] = { " ", ".", "-", "_" };
    unsigned kind = equiv_rand(10), rate = 2 + equiv_rand(8);
    const char *sep = seps[equiv_rand(4)];
    size_t o = 0;
    for (const char *p = src; *p; p++) {
        char c = *p, buf[8];
        int lower = c >= 'a' && c <= 'z';
        if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z')) {
            put(out, &o, p, 1);
            continue;
        }
        if (equiv_rand(rate) != 0) {
            put(out, &o, p, 1);
            continue;
        }
        switch (kind) {
        case 0: /* shouted */
            buf[0] = lower ? (char)(c - 'a' + 'A') : c;
            put(out, &o, buf, 1);
            break;
        case 1: { /* l33t */
            const char *l = strchr("aeiosAEIOS", c);
            static const char leet[] = "4310$@3105";
            buf[0] = l ? leet[l - "aeiosAEIOS"] : c;
            put(out, &o, buf, 1);
            break;
        }
        case 2: /* masked */ put(out, &o, equiv_rand(2) ? "*" : "#", 1); break;
        case 3: /* split into letters */
            put(out, &o, p, 1);
            put(out, &o, sep, 1);
            break;
        case 4: /* emphasis */
            for (unsigned k = 0; k < 2 + equiv_rand(4); k++) put(out, &o, p, 1);
            break;
        case 5: { /* accents */
            const char *a = accents[equiv_rand(sizeof accents / sizeof accents[0])];
            put(out, &o, a, strlen(a));
            break;
        }
        case 6: { /* look-alikes */
            const char *g = glyphs[equiv_rand(sizeof glyphs / sizeof glyphs[0])];
            put(out, &o, g, strlen(g));
            break;
        }
        case 7: { /* pieces inserted */
            const char *s = pieces[equiv_rand(sizeof pieces / sizeof pieces[0])];
            put(out, &o, p, 1);
            put(out, &o, s, strlen(s));
            break;
        }
        case 8: /* invalid UTF-8, rarely */
            put(out, &o, p, 1);
            if (equiv_rand(20) == 0) put(out, &o, "\xc3(", 2);
            break;
        default: /* typographic punctuation and invisible characters */
            put(out, &o, p, 1);
            put(out, &o, equiv_rand(2) ? "\xe2\x80\x99" : "\xe2\x80\x8b", 3);
            break;
        }
    }
    out[o] = '\0';
    return o;
}

/* A random text made of pieces, separators and letters. */
static size_t random_text(char *out) {
    static const char *const glue[] = { " ", "", ".", "-", "  ", ", ", "a", "e", "1", "0" };
    size_t o = 0, n = 1 + equiv_rand(12);
    for (size_t i = 0; i < n; i++) {
        const char *s = pieces[equiv_rand(sizeof pieces / sizeof pieces[0])];
        const char *g = glue[equiv_rand(sizeof glue / sizeof glue[0])];
        put(out, &o, s, strlen(s));
        put(out, &o, g, strlen(g));
    }
    out[o] = '\0';
    return o;
}

static void build_set(struct equiv_set *set, const char *corpus, const char *stream) {
    char buf[EQUIV_MAX_TEXT];
    load_jsonl(set, corpus);
    load_jsonl(set, stream);
    for (size_t i = 0; i < sizeof bench_sentences / sizeof bench_sentences[0]; i++)
        set_add(set, bench_sentences[i], strlen(bench_sentences[i]), NULL);
    size_t n_src = set->n;
    for (size_t i = 0; i < n_src; i++) {
        /* concatenated with the next one */
        const struct equiv_text *a = &set->t[i], *b = &set->t[(i + 1) % n_src];
        snprintf(buf, sizeof buf, "%s %s", a->text, b->text);
        set_add(set, buf, strlen(buf), NULL);
        for (int v = 0; v < EQUIV_VARIANTS_PER_TEXT; v++) {
            size_t len = mutate(set->t[i].text, buf);
            const char *post =
                equiv_rand(4) == 0 ? set->t[equiv_rand((unsigned)n_src)].text : set->t[i].post;
            set_add(set, buf, len, post);
        }
    }
    /* long texts: hundreds of words, more votes than the fingerprint
     * counts in one batch */
    for (size_t i = 0; i < 200; i++) {
        size_t o = 0;
        for (size_t k = 0; k < 4 + i % 20; k++) {
            const char *t = set->t[(i * 7 + k) % n_src].text;
            put(buf, &o, t, strlen(t));
            put(buf, &o, " ", 1);
        }
        buf[o] = '\0';
        set_add(set, buf, o, NULL);
    }
    for (int i = 0; i < EQUIV_RANDOM_TEXTS; i++) {
        size_t len = random_text(buf);
        set_add(set, buf, len, NULL);
        len = mutate(set->t[set->n - 1].text, buf);
        set_add(set, buf, len, NULL);
    }
}

/* Writes s[0..n) with every byte outside printable ASCII as \xNN. */
static void dump_bytes(FILE *out, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            fputc(c, out);
        else
            fprintf(out, "\\x%02x", c);
    }
}

static void dump_views(FILE *out, const char *text, size_t len) {
    static struct text_norm nm;
    size_t bad = 0;
    int rc = text_norm_build(&nm, text, len, &bad);
    fprintf(out, "norm rc=%d bad=%zu mask=%d\np ", rc, rc ? bad : 0, nm.n_has_mask);
    dump_bytes(out, nm.p, nm.p_len);
    for (size_t i = 0; i < nm.p_len; i++) fprintf(out, " %u-%u", nm.p_start[i], nm.p_end[i]);
    fprintf(out, "\nn ");
    dump_bytes(out, nm.n, nm.n_len);
    for (size_t i = 0; i < nm.n_len; i++)
        fprintf(out, " %u-%u/%u/%u", nm.n_start[i], nm.n_end[i], nm.n_run[i], nm.n_flags[i]);
    fputc('\n', out);
}

static void dump_one(FILE *out, size_t idx, const struct text_engine *engine,
                     struct text_scratch *sc, const struct equiv_text *t, int views) {
    struct text_result r;
    size_t len = strlen(t->text);
    int rc = text_classify(engine, sc, t->text, len, t->post, t->post ? strlen(t->post) : 0, &r);
    fprintf(out, "#%zu ", idx);
    dump_bytes(out, t->text, len);
    fprintf(out, "\nrc=%d bad=%zu flags=%u fp=%016llx fp_text=%016llx n=%zu\n", rc, r.bad_offset,
            r.flags, (unsigned long long)r.fingerprint,
            (unsigned long long)text_fingerprint(t->text, len), r.n);
    for (size_t i = 0; i < r.n; i++) {
        const struct text_label *l = &r.labels[i];
        fprintf(out, "L %s %s %.17g %d %s %zu %zu\n", l->category, l->rule_id, l->score,
                (int)l->severity, l->detail ? l->detail : "-", l->span.start, l->span.end);
    }
    if (rc == TEXT_OK) {
        fprintf(out, "R ");
        dump_bytes(out, r.redacted, r.redacted_len);
        fprintf(out, "\nM");
        for (int c = 0; c < TEXT_CAT_COUNT; c++) fprintf(out, " %.17g", r.model_scores[c]);
        fputc('\n', out);
    }
    if (views) dump_views(out, t->text, len);
}

/* The plain engine, then one engine per shipped tenant with its rules, then
 * the same with the model at the tenant's thresholds (scores and evidence
 * spans are outputs an optimization must keep too). */
static int make_engines(const struct text_base *base, const char *config_dir,
                        struct text_engine **engines) {
    char err[512];
    struct text_engine_options plain = { base, NULL, 0, NULL };
    engines[0] = text_engine_new(&plain, err, sizeof err);
    int n = 1;
    for (int with_model = 0; with_model <= 1; with_model++)
        n += bench_tenant_engines(base, config_dir, engines + n, EQUIV_MAX_ENGINES - n, with_model,
                                  "text-equiv");
    return n;
}

/* Options before the positional DATA_DIR and CONFIG_DIR; returns the index
 * of the first positional argument. */
static int parse_options(int argc, char **argv, int *views, const char **jsonl, int *n_jsonl) {
    int arg = 2;
    *views = 0;
    *n_jsonl = 0;
    for (; arg < argc; arg++) {
        if (strcmp(argv[arg], "--views") == 0)
            *views = 1;
        else if (strcmp(argv[arg], "--jsonl") == 0 && arg + 1 < argc && *n_jsonl < EQUIV_MAX_JSONL)
            jsonl[(*n_jsonl)++] = argv[++arg];
        else
            break;
    }
    return arg;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: text-equiv OUT [--views] [--jsonl FILE]... [DATA_DIR] "
                        "[CONFIG_DIR]\n");
        return 2;
    }
    const char *jsonl[EQUIV_MAX_JSONL];
    int views, n_jsonl;
    int arg = parse_options(argc, argv, &views, jsonl, &n_jsonl);
    const char *data = argc > arg ? argv[arg] : VIGILE_TEXT_DATA_DIR;
    const char *config_dir = argc > arg + 1 ? argv[arg + 1] : VIGILE_CONFIG_DIR;
    char err[512];
    struct text_base *base = text_base_new(data, err, sizeof err);
    if (!base) {
        fprintf(stderr, "text-equiv: %s\n", err);
        return 1;
    }
    struct text_engine *engines[EQUIV_MAX_ENGINES];
    int n_engines = make_engines(base, config_dir, engines);
    struct equiv_set set = { 0 };
    build_set(&set, VIGILE_TEXT_CORPUS, VIGILE_TEXT_STREAM);
    size_t n_generated = set.n;
    for (int k = 0; k < n_jsonl; k++) load_jsonl(&set, jsonl[k]);
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        fprintf(stderr, "text-equiv: cannot write %s\n", argv[1]);
        return 1;
    }
    struct text_scratch *sc = text_scratch_new();
    for (size_t i = 0; i < n_generated; i++)
        dump_one(out, i, engines[i % n_engines], sc, &set.t[i], views);
    for (size_t i = n_generated; i < set.n; i++)
        for (int k = 0; k < n_engines; k++) dump_one(out, i, engines[k], sc, &set.t[i], views);
    fclose(out);
    printf("text-equiv: %zu texts (%zu from --jsonl, by every engine), %d engines, written to "
           "%s\n",
           set.n, set.n - n_generated, n_engines, argv[1]);
    text_scratch_free(sc);
    for (size_t i = 0; i < set.n; i++) {
        free(set.t[i].text);
        free(set.t[i].post);
    }
    free(set.t);
    for (int k = 0; k < n_engines; k++) text_engine_free(engines[k]);
    text_base_free(base);
    return 0;
}
