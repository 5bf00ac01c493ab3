/* ReDoS bounded (#15): a 1 MB comment built to make rules backtrack, against every
 * shipped tenant's engine (baseline rules, the tenant's own, the model), finishes under
 * a second of CPU. A safety limit, not a benchmark: the bound is over twice what the
 * hardest shape here costs on this machine (~0.4 s: the rules' own words with no
 * sentence end) and twenty times an ordinary 1 MB comment, so only a pattern gone
 * quadratic or exponential can break it. Sanitizer builds run several times slower and
 * get ten seconds. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tenant.h"
#include "tenant_engine.h"
#include "text_engine.h"
#include "xmalloc.h"

#if defined(__SANITIZE_ADDRESS__)
#define BOUND_MS 10000
#else
#define BOUND_MS 1000
#endif
#define TEXT_BYTES (1 << 20)

/* CPU time of this thread: what the engine costs, whatever else the shared machine is
 * running at the time. */
static int64_t cpu_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct words {
    char *s; /* the rules' literal words, space-separated */
    size_t len, cap;
};

/* Appends the letter runs of pattern (3 letters or more; an escaped letter starts no
 * word) to w: every literal a rule can anchor on or go on matching with. */
static void add_words(struct words *w, const char *pattern) {
    for (const char *p = pattern; *p;) {
        if (*p == '\\' && p[1]) {
            p += 2;
            continue;
        }
        const char *start = p;
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) p++;
        if (p - start >= 3) {
            xgrow(&w->s, &w->cap, w->len + (size_t)(p - start) + 2, 1);
            memcpy(w->s + w->len, start, (size_t)(p - start));
            w->len += (size_t)(p - start);
            w->s[w->len++] = ' ';
        }
        if (p == start) p++;
    }
}

/* The words of every baseline rule (data/rules/\*.tsv: the pattern is the 6th field)
 * and of every tenant rule. */
static void collect_words(struct words *w, const struct tenant_set *set) {
    DIR *d = opendir(SOURCE_DIR "/data/rules");
    cr_assert_not_null(d);
    for (struct dirent *de; (de = readdir(d));) {
        if (!strstr(de->d_name, ".tsv")) continue;
        char path[1024], line[8192];
        snprintf(path, sizeof path, "%s/data/rules/%s", SOURCE_DIR, de->d_name);
        FILE *fp = fopen(path, "r");
        cr_assert_not_null(fp, "%s", path);
        while (fgets(line, sizeof line, fp)) {
            char *tab = line;
            for (int i = 0; i < 5 && tab; i++) tab = strchr(tab + 1, '\t');
            if (line[0] != '#' && tab) add_words(w, tab + 1);
        }
        fclose(fp);
    }
    closedir(d);
    for (size_t i = 0; i < tenant_set_count(set); i++) {
        const struct tenant *t = tenant_set_at(set, i);
        for (size_t r = 0; r < tenant_rule_count(t); r++)
            add_words(w, tenant_rule_at(t, r)->pattern);
    }
    cr_assert_gt(w->len, 1000, "too few rule words (%zu bytes)", w->len);
}

/* unit repeated, whole, to at least TEXT_BYTES (so that a multi-byte character is never
 * cut). Returns a new string. */
static char *repeat(const char *unit, size_t unit_len, size_t *len) {
    size_t n = (TEXT_BYTES + unit_len - 1) / unit_len;
    char *s = xmalloc(n * unit_len + 1);
    for (size_t i = 0; i < n; i++) memcpy(s + i * unit_len, unit, unit_len);
    *len = n * unit_len;
    s[*len] = '\0';
    return s;
}

/* Shapes that make backtracking rules work hardest: every rule word with no sentence end
 * (bounded windows stay open), digits and separators (phone, IBAN, fiscal code
 * patterns), address-like runs (e-mail, URL), unclosed quotes, one letter, accents. */
static const char *const shapes[] = {
    "1 2 3 4 5 6 7 8 9 0 ",
    "3471234567",
    "a.a.a.a.a@a.a.a-",
    "http://a.a.a.a/a?a=",
    "\xc2\xab \" \xe2\x80\x9c a ",
    "a",
    "s1nd4c0 l4dr0 ",
    "\xc3\xa8\xc3\xa0 ",
    "RSSMRA85T10A562",
    "!?",
};

Test(redos, one_megabyte_adversarial_comments_on_every_tenant_under_a_second, .timeout = 300) {
    char err[4096];
    struct tenant_set *set = tenant_set_load(SOURCE_DIR "/config", err, sizeof err);
    cr_assert_not_null(set, "%s", err);
    struct text_base *base = text_base_new(SOURCE_DIR "/data", err, sizeof err);
    cr_assert_not_null(base, "%s", err);
    struct words w = { 0 };
    collect_words(&w, set);
    size_t n_texts = sizeof shapes / sizeof shapes[0] + 1;
    char **texts = xcalloc(n_texts, sizeof *texts);
    size_t *lens = xcalloc(n_texts, sizeof *lens);
    texts[0] = repeat(w.s, w.len, &lens[0]);
    for (size_t i = 1; i < n_texts; i++)
        texts[i] = repeat(shapes[i - 1], strlen(shapes[i - 1]), &lens[i]);
    struct text_scratch *sc = text_scratch_new();
    int64_t slowest = 0;
    size_t slowest_text = 0;
    for (size_t t = 0; t < tenant_set_count(set); t++) {
        const struct tenant *tn = tenant_set_at(set, t);
        struct text_engine *e = tenant_engine_new(base, tn, 1, err, sizeof err);
        cr_assert_not_null(e, "%s", err);
        for (size_t i = 0; i < n_texts; i++) {
            struct text_result r;
            int64_t t0 = cpu_ms();
            int rc = text_classify(e, sc, texts[i], lens[i], NULL, 0, &r);
            int64_t took = cpu_ms() - t0;
            cr_expect_eq(rc, TEXT_OK, "%s, text %zu", tenant_id(tn), i);
            cr_expect_leq(took, BOUND_MS, "%s, text %zu (%.20s...): %lld ms", tenant_id(tn), i,
                          texts[i], (long long)took);
            if (took > slowest) slowest = took, slowest_text = i;
        }
        text_engine_free(e);
    }
    printf("redos: %zu tenants x %zu texts of 1 MiB, slowest %lld ms of CPU (text %zu, "
           "bound %d)\n",
           tenant_set_count(set), n_texts, (long long)slowest, slowest_text, BOUND_MS);
    text_scratch_free(sc);
    for (size_t i = 0; i < n_texts; i++) free(texts[i]);
    free(texts), free(lens), free(w.s);
    text_base_free(base);
    tenant_set_free(set);
}
