/* text_lexicon: lexicon loading and verified matching (see text_lexicon.h). */
#include "text_lexicon.h"
#include "text_tsv.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEX_TERM_MAX 128

/* Scores of the obfuscated forms text_variant finds: a typo or split word
 * is less certain than a term run into joinable words. */
#define LEX_SCORE_VARIANT 0.75
#define LEX_SCORE_RUN_IN  0.8

/* kind < TEXT_CAT_COUNT is a category; TEXT_CAT_COUNT + v is vocabulary v. */
struct text_lex_entry {
    char *term; /* lexicon view form */
    uint8_t *runs;
    size_t len;
    char *plain; /* term with runs written out, for masks */
    int kind;
    enum text_severity sev;
    char *detail; /* NULL if none */
    char *rule_id;
    int place_name;  /* the same term is listed as a place */
    int proper_name; /* ... as a place or a surname */
    int joined;      /* a phrase written as one word ("pezzidimerda") */
};

static const char *const vocab_names[TEXT_VOCAB_COUNT] = { "civic", "health", "place", "person" };

int text_vocab_from_name(const char *name) {
    for (int v = 0; v < TEXT_VOCAB_COUNT; v++)
        if (strcmp(name, vocab_names[v]) == 0) return v;
    return -1;
}

/* Kinds of word lists that are not entries, never matched: those of
 * text_variant, and those that tell a proper noun. */
enum { LEX_COMMON = -2, LEX_JOINABLE = -3, LEX_SURNAME = -4, LEX_NAME_CUE = -5, LEX_FIRST = -6 };

static int lex_kind(const char *name) {
    static const struct {
        const char *name;
        int kind;
    } lists[] = { { "common", LEX_COMMON },
                  { "joinable", LEX_JOINABLE },
                  { "name", LEX_SURNAME },
                  { "name_cue", LEX_NAME_CUE },
                  { "first_name", LEX_FIRST } };
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
        if (strcmp(name, lists[i].name) == 0) return lists[i].kind;
    int c = text_category_from_name(name);
    if (c >= 0 && c != TEXT_CAT_REPEATED) return c;
    int v = text_vocab_from_name(name);
    return v >= 0 ? TEXT_CAT_COUNT + v : -1;
}

struct lex_line {
    struct text_lexicon *lx;
    int kind;
    enum text_severity sev;
    const char *detail;
    const char *kind_name;
};

/* Whether entries of this kind may be misspelled, split or run together
 * (text_variant): the abusive ones. */
static int lex_variant_kind(int kind) {
    return kind == TEXT_CAT_PROFANITY || kind == TEXT_CAT_INSULT || kind == TEXT_CAT_HATE_SPEECH;
}

/* Adds one normalized form; rule_id is the entry's id, or NULL to make one
 * from the form. */
static int lex_add_form_as(struct lex_line *ln, const char *form, const char *rule_id, char *err,
                           size_t errlen) {
    char term[LEX_TERM_MAX];
    uint8_t runs[LEX_TERM_MAX];
    int len = text_norm_term(form, term, runs, sizeof term);
    if (len <= 0) {
        snprintf(err, errlen, "term \"%s\" is empty, too long or not UTF-8", form);
        return -1;
    }
    struct text_lexicon *lx = ln->lx;
    xgrow(&lx->entries, &lx->cap, lx->n + 1, sizeof *lx->entries);
    struct text_lex_entry *e = &lx->entries[lx->n++];
    e->term = xstrndup(term, (size_t)len);
    e->runs = xmalloc((size_t)len);
    memcpy(e->runs, runs, (size_t)len);
    e->len = (size_t)len;
    size_t plain_len = 0;
    for (int i = 0; i < len; i++) plain_len += runs[i];
    e->plain = xmalloc(plain_len + 1);
    for (int i = 0, o = 0; i < len; i++)
        for (int r = 0; r < runs[i]; r++) e->plain[o++] = term[i];
    e->plain[plain_len] = '\0';
    e->kind = ln->kind;
    e->sev = ln->sev;
    e->detail = ln->detail ? xstrdup(ln->detail) : NULL;
    e->joined = rule_id != NULL;
    e->place_name = 0;
    e->proper_name = 0;
    if (rule_id) {
        e->rule_id = xstrdup(rule_id);
        return 0;
    }
    size_t idlen = strlen(ln->kind_name) + plain_len + 8;
    e->rule_id = xmalloc(idlen);
    snprintf(e->rule_id, idlen, "lex.%s.%s", ln->kind_name, e->plain);
    for (char *p = e->rule_id; *p; p++)
        if (*p == ' ') *p = '_';
    return 0;
}

static void lex_entry_free(struct text_lex_entry *e) {
    free(e->term);
    free(e->runs);
    free(e->plain);
    free(e->detail);
    free(e->rule_id);
}

/* Whether an entry before entry k has the same spelled form. */
static int lex_plain_listed(const struct text_lexicon *lx, size_t k) {
    for (size_t i = 0; i < k; i++)
        if (strcmp(lx->entries[i].plain, lx->entries[k].plain) == 0) return 1;
    return 0;
}

/* The list of proper-noun words a kind names, or NULL. */
static struct text_lex_words *lex_name_list(struct text_lexicon *lx, int kind) {
    switch (kind) {
    case LEX_SURNAME: return &lx->surnames;
    case LEX_NAME_CUE: return &lx->name_cues;
    case LEX_FIRST: return &lx->first_names;
    default: return NULL;
    }
}

static int lex_words_has(const struct text_lex_words *w, const char *term, size_t len) {
    for (size_t i = 0; i < w->n; i++)
        if (strlen(w->term[i]) == len && memcmp(w->term[i], term, len) == 0) return 1;
    return 0;
}

/* Adds a word of a list that is never matched: to the variant index (common
 * and joinable) or to its proper-noun list. */
static int lex_add_word(struct lex_line *ln, const char *form, char *err, size_t errlen) {
    char term[LEX_TERM_MAX], spelled[LEX_TERM_MAX];
    uint8_t runs[LEX_TERM_MAX];
    int len = text_norm_term(form, term, runs, sizeof term);
    size_t o = 0;
    if (len <= 0) {
        snprintf(err, errlen, "word \"%s\" is empty, too long or not UTF-8", form);
        return -1;
    }
    struct text_lex_words *names = lex_name_list(ln->lx, ln->kind);
    if (names) {
        xgrow(&names->term, &names->cap, names->n + 1, sizeof *names->term);
        names->term[names->n++] = xstrndup(term, (size_t)len);
        return 0;
    }
    for (int i = 0; i < len; i++)
        for (int r = 0; r < runs[i] && o + 1 < sizeof spelled; r++) spelled[o++] = term[i];
    spelled[o] = '\0';
    text_variant_add(&ln->lx->variants, spelled, 0,
                     ln->kind == LEX_JOINABLE ? TEXT_VARIANT_JOINABLE : TEXT_VARIANT_COMMON);
    return 0;
}

/* Adds a form and, for an abusive phrase, the same phrase written as one
 * word with the phrase's rule id ("pezzi di merda" as "pezzidimerda"). */
static int lex_add_form(struct lex_line *ln, const char *form, char *err, size_t errlen) {
    if (ln->kind < 0) return lex_add_word(ln, form, err, errlen);
    if (lex_add_form_as(ln, form, NULL, err, errlen) != 0) return -1;
    if (!strchr(form, ' ') || !lex_variant_kind(ln->kind)) return 0;
    char joined[LEX_TERM_MAX * 2];
    size_t o = 0;
    for (const char *p = form; *p && o + 1 < sizeof joined; p++)
        if (*p != ' ') joined[o++] = *p;
    joined[o] = '\0';
    struct text_lexicon *lx = ln->lx;
    char *id = xstrdup(lx->entries[lx->n - 1].rule_id);
    int rc = lex_add_form_as(ln, joined, id, err, errlen);
    free(id);
    if (rc == 0 && lex_plain_listed(lx, lx->n - 1))
        lex_entry_free(&lx->entries[--lx->n]); /* also listed as one word */
    return rc;
}

/* Expands the first {a,b,c} group of term and recurses on each result, so
 * "stronz{o,a}{,one}" gives four forms. */
static int lex_expand(struct lex_line *ln, const char *term, char *err, size_t errlen) {
    const char *open = strchr(term, '{');
    if (!open) return lex_add_form(ln, term, err, errlen);
    const char *close = strchr(open, '}');
    if (!close) {
        snprintf(err, errlen, "unbalanced '{' in \"%s\"", term);
        return -1;
    }
    const char *alt = open + 1;
    for (;;) {
        const char *end = alt;
        while (end < close && *end != ',') end++;
        char form[LEX_TERM_MAX * 2];
        int n = snprintf(form, sizeof form, "%.*s%.*s%s", (int)(open - term), term,
                         (int)(end - alt), alt, close + 1);
        if (n < 0 || (size_t)n >= sizeof form) {
            snprintf(err, errlen, "term \"%s\" too long", term);
            return -1;
        }
        if (lex_expand(ln, form, err, errlen) != 0) return -1;
        if (end == close) return 0;
        alt = end + 1;
    }
}

static int lex_line_fn(void *ctx, char **f, int n, char *err, size_t errlen) {
    if (n < 4) {
        snprintf(err, errlen,
                 "expected 4 tab-separated fields (term, category, severity, detail), got %d", n);
        return -1;
    }
    struct lex_line ln = { .lx = ctx,
                           .kind = lex_kind(f[1]),
                           .sev = text_tsv_severity(f[2]),
                           .detail = strcmp(f[3], "-") ? f[3] : NULL,
                           .kind_name = f[1] };
    if (ln.kind == -1) {
        snprintf(err, errlen, "unknown category \"%s\"", f[1]);
        return -1;
    }
    if (!ln.sev) {
        snprintf(err, errlen, "severity \"%s\" is not low, medium or high", f[2]);
        return -1;
    }
    return lex_expand(&ln, f[0], err, errlen);
}

/* Marks the entries whose term is also listed as a place or a surname. */
static void lex_mark_places(struct text_lexicon *lx) {
    for (size_t i = 0; i < lx->n; i++) {
        if (lx->entries[i].kind != TEXT_CAT_COUNT + TEXT_VOCAB_PLACE) continue;
        for (size_t k = 0; k < lx->n; k++)
            if (strcmp(lx->entries[k].plain, lx->entries[i].plain) == 0)
                lx->entries[k].place_name = lx->entries[k].proper_name = 1;
    }
    for (size_t k = 0; k < lx->n; k++)
        if (lex_words_has(&lx->surnames, lx->entries[k].term, lx->entries[k].len))
            lx->entries[k].proper_name = 1;
}

/* Adds the abusive single-word entries to the variant index and builds it. */
static void lex_build_variants(struct text_lexicon *lx) {
    lx->variant_terms = xmalloc((lx->n + 1) * sizeof *lx->variant_terms);
    for (size_t i = 0; i < lx->n; i++) {
        struct text_lex_entry *e = &lx->entries[i];
        lx->variant_terms[i] = e->plain;
        if (lex_variant_kind(e->kind) && !strchr(e->plain, ' '))
            text_variant_add(&lx->variants, e->plain, (uint32_t)i,
                             e->joined ? TEXT_VARIANT_PHRASE : TEXT_VARIANT_TERM);
    }
    text_variant_build(&lx->variants, lx->variant_terms);
}

int text_lexicon_load_dir(struct text_lexicon *lx, const char *dir, char *err, size_t errlen) {
    if (text_tsv_load_dir(dir, lex_line_fn, lx, err, errlen) != 0) return -1;
    lex_mark_places(lx);
    lex_build_variants(lx);
    return 0;
}

int text_lexicon_register(const struct text_lexicon *lx, struct text_ac *ac, uint32_t tag,
                          char *err, size_t errlen) {
    for (size_t i = 0; i < lx->n; i++) {
        const struct text_lex_entry *e = &lx->entries[i];
        if (text_ac_add(ac, e->term, e->len, tag | (uint32_t)i) != 0) {
            snprintf(err, errlen,
                     "lexicon entry %s: normalized form \"%s\" has characters "
                     "outside a-z, 0-9 and space",
                     e->rule_id, e->term);
            return -1;
        }
    }
    return 0;
}

static int lex_boundary(const struct text_norm *nm, size_t start, size_t end) {
    return (start == 0 || nm->n[start - 1] == ' ') && (end == nm->n_len || nm->n[end] == ' ');
}

/* Doubled letters are part of the word ("anno" is not "ano"), so runs must
 * agree; three or more identical letters are emphasis and match any run. */
static int lex_runs_agree(const struct text_lex_entry *e, const struct text_norm *nm,
                          size_t start) {
    for (size_t i = 0; i < e->len; i++) {
        uint8_t r = nm->n_run[start + i];
        if (r != e->runs[i] && r < 3) return 0;
    }
    return 1;
}

static void lex_emit(const struct text_lex_entry *e, const struct text_norm *nm, size_t start,
                     size_t end, double score, struct text_sink *sink,
                     struct text_vocab_hits *vocab) {
    size_t ostart = nm->n_start[start], oend = nm->n_end[end - 1];
    if (e->kind >= TEXT_CAT_COUNT) {
        int v = e->kind - TEXT_CAT_COUNT;
        if (vocab->count[v] < TEXT_VOCAB_MAX_POS) {
            vocab->span[v][vocab->count[v]].start = ostart;
            vocab->span[v][vocab->count[v]].end = oend;
        }
        vocab->count[v]++;
        return;
    }
    text_result_add(sink, (enum text_category)e->kind, e->rule_id, score, e->sev, e->detail, ostart,
                    oend);
}

/* Whether the word before lexicon-view offset start is a preposition of
 * place ("di", "a", "da", "in", "per", "con", "verso", "tra", "fra"): then a
 * place name is meant, not the word it shares letters with. */
static int lex_after_place_preposition(const struct text_norm *nm, size_t start) {
    static const char *const preps[] = { "di",  "a",     "da",  "in",  "per",
                                         "con", "verso", "tra", "fra", NULL };
    if (start < 2) return 0;
    size_t b = start - 1, a = b; /* nm->n[b] is the separating space */
    while (a > 0 && nm->n[a - 1] != ' ') a--;
    for (const char *const *p = preps; *p; p++)
        if (strlen(*p) == b - a && memcmp(nm->n + a, *p, b - a) == 0) return 1;
    return 0;
}

/* Whether the lexicon view after offset end says what a place is ("Troia e un paese
 * bellissimo", accents being gone from the view): a place name used as a subject. */
static int lex_before_place_noun(const struct text_norm *nm, size_t end) {
    static const char *const nouns[] = { " e un paese", " e una citta",    " e un comune",
                                         " e un borgo", " e una frazione", " e un paesino",
                                         NULL };
    for (const char *const *p = nouns; *p; p++) {
        size_t n = strlen(*p);
        if (end + n <= nm->n_len && memcmp(nm->n + end, *p, n) == 0 &&
            (end + n == nm->n_len || nm->n[end + n] == ' '))
            return 1;
    }
    return 0;
}

static int lex_upper(char c) { return c >= 'A' && c <= 'Z'; }

/* Whether the lexicon view before offset b (exclusive) ends with word, as whole words. */
static int lex_ends_with(const struct text_norm *nm, size_t b, const char *word) {
    size_t n = strlen(word);
    return n <= b && memcmp(nm->n + b - n, word, n) == 0 && (b == n || nm->n[b - n - 1] == ' ');
}

/* Whether the lexicon view before offset b ends with one of the words. */
static int lex_ends_with_word(const struct text_lex_words *w, const struct text_norm *nm,
                              size_t b) {
    for (size_t i = 0; i < w->n; i++)
        if (lex_ends_with(nm, b, w->term[i])) return 1;
    return 0;
}

/* Whether the view before b ends with "via" meaning away, not a street ("vattene via
 * Bastardo"). The view writes a doubled letter once: "vatene". */
static int lex_sent_away(const struct text_norm *nm, size_t b) {
    static const char *const away[] = { "vatene via",     "vai via",   "va via",  "andate via",
                                        "andatevene via", "fuori via", "via via", NULL };
    for (const char *const *p = away; *p; p++)
        if (lex_ends_with(nm, b, *p)) return 1;
    return 0;
}

/* Whether the term at lexicon-view [start, end) is written as a proper
 * noun, capitalized and not shouted, right after a name cue ("via",
 * "dottor", "avv.") or a capitalized first name ("Ada Negri"), or, for a
 * place, joined by a hyphen to another capitalized place ("la corsa
 * Perugia-Bastardo"). */
static int lex_proper_noun(const struct text_lexicon *lx, const struct text_lex_entry *e,
                           const struct text_norm *nm, const char *text, size_t start, size_t end) {
    if (start < 2 || end - start < 2 || nm->n[start - 1] != ' ' ||
        !lex_upper(text[nm->n_start[start]]) || lex_upper(text[nm->n_start[start + 1]]))
        return 0;
    size_t b = start - 1, a = b;
    while (a > 0 && nm->n[a - 1] != ' ') a--;
    if (lex_ends_with_word(&lx->name_cues, nm, b)) return !lex_sent_away(nm, b);
    if (!lex_upper(text[nm->n_start[a]])) return 0;
    return lex_words_has(&lx->first_names, nm->n + a, b - a) ||
           (e->place_name && text[nm->n_start[start] - 1] == '-');
}

/* A term at the end of a longer token whose beginning is joinable words
 * ("seiuncoglione", "siete deipezzidimerda"): the term alone is the
 * evidence.  Never inside ordinary words: "cazzuola" and "scazzottata" go
 * on after the term, "Scansano" holds none, the beginning must be
 * joinable words only, and the token must not be an ordinary word itself
 * ("loculo" is not "lo culo"). */
static void lex_run_in(const struct text_lexicon *lx, const struct text_lex_entry *e,
                       const struct text_norm *nm, size_t start, size_t end,
                       struct text_sink *sink) {
    if (!lex_variant_kind(e->kind) || e->len < 4 || strchr(e->plain, ' ') || start == 0 ||
        nm->n[start - 1] == ' ' || !(end == nm->n_len || nm->n[end] == ' '))
        return;
    size_t a = start;
    while (a > 0 && nm->n[a - 1] != ' ') a--;
    if (text_variant_joinable(&lx->variants, nm, a, start) &&
        !text_variant_common(&lx->variants, nm, a, end))
        text_result_add(sink, (enum text_category)e->kind, e->rule_id, LEX_SCORE_RUN_IN, e->sev,
                        e->detail, nm->n_start[start], nm->n_end[end - 1]);
}

void text_lexicon_hit(const struct text_lexicon *lx, uint32_t idx, const struct text_norm *nm,
                      const char *text, size_t end, struct text_sink *sink,
                      struct text_vocab_hits *vocab) {
    const struct text_lex_entry *e = &lx->entries[idx];
    size_t start = end - e->len;
    if (!lex_runs_agree(e, nm, start)) return;
    if (!lex_boundary(nm, start, end)) {
        lex_run_in(lx, e, nm, start, end, sink);
        return;
    }
    if (e->place_name && e->kind < TEXT_CAT_COUNT &&
        (lex_after_place_preposition(nm, start) || lex_before_place_noun(nm, end)))
        return;
    if (e->proper_name && e->kind < TEXT_CAT_COUNT && lex_proper_noun(lx, e, nm, text, start, end))
        return;
    int obf = 0;
    for (size_t i = start; i < end; i++) obf |= nm->n_flags[i] & TEXT_NORM_OBFUSCATED;
    lex_emit(e, nm, start, end, obf || e->joined ? 0.85 : 0.95, sink, vocab);
}

/* Writes token [a, b) of the lexicon view with runs spelled out (emphasis
 * capped at two, the longest run a term has).  Returns its length, or 0 if
 * it is not a plausible masked word: it must start with a letter and keep
 * at least two letters visible. */
static size_t lex_masked_plain(const struct text_norm *nm, size_t a, size_t b, char *out,
                               size_t cap) {
    size_t o = 0, letters = 0;
    if (nm->n[a] == '*') return 0;
    for (size_t i = a; i < b; i++) {
        int r = nm->n[i] == '*' ? 1 : (nm->n_run[i] > 2 ? 2 : nm->n_run[i]);
        for (int k = 0; k < r; k++) {
            if (o + 1 >= cap) return 0;
            out[o++] = nm->n[i];
        }
        if (nm->n[i] != '*') letters++;
    }
    out[o] = '\0';
    return letters >= 2 && o >= 4 ? o : 0;
}

static int lex_mask_eligible(const struct text_lex_entry *e) {
    return e->kind == TEXT_CAT_PROFANITY || e->kind == TEXT_CAT_INSULT ||
           e->kind == TEXT_CAT_HATE_SPEECH;
}

/* Whether tok, with '*' masks, can stand for plain[0..pn).  Exact: a star
 * is one letter.  Loose: a run of k stars is k - 1 to k + 2 letters, as
 * people mask without counting ("c*****i" for "coglioni").  Stars never
 * stand for a space. */
static int lex_mask_match(const char *plain, size_t pn, const char *tok, int loose) {
    if (!*tok) return pn == 0;
    if (*tok != '*')
        return pn && *plain == *tok && lex_mask_match(plain + 1, pn - 1, tok + 1, loose);
    size_t k = strspn(tok, "*");
    size_t lo = loose && k > 1 ? k - 1 : k, hi = loose ? k + 2 : k;
    for (size_t m = 0; m < lo; m++)
        if (m >= pn || plain[m] == ' ') return 0;
    for (size_t m = lo; m <= hi && m <= pn; m++) {
        if (lex_mask_match(plain + m, pn - m, tok + k, loose)) return 1;
        if (m < pn && plain[m] == ' ') break;
    }
    return 0;
}

/* The first eligible entry that cand can stand for: exact masks before loose
 * ones, so that a counted mask picks the word it counted.  NULL if none. */
static const struct text_lex_entry *lex_mask_find(const struct text_lexicon *lx, const char *cand,
                                                  int multiword) {
    for (int loose = 0; loose < 2; loose++)
        for (size_t k = 0; k < lx->n; k++) {
            const struct text_lex_entry *e = &lx->entries[k];
            /* cand starts with a letter (lex_masked_plain): a cheap first test */
            if (e->plain[0] == cand[0] && lex_mask_eligible(e) &&
                (strchr(e->plain, ' ') != NULL) == multiword &&
                lex_mask_match(e->plain, strlen(e->plain), cand, loose))
                return e;
        }
    return NULL;
}

/* Start of the token that ends just before lexicon-view offset a (a space
 * between), or a itself at the start of the view. */
static size_t lex_token_before(const struct text_norm *nm, size_t a) {
    if (a < 2) return a;
    size_t b = a - 1;
    while (b > 0 && nm->n[b - 1] != ' ') b--;
    return b;
}

/* Emits the term a masked token [a, i) stands for: a phrase with the one or
 * two words before it ("porca p*ttana", "rotto i c*****i") if one fits,
 * otherwise a single word.  Runs are spelled out as in the terms. */
static void lex_masked_token(const struct text_lexicon *lx, const struct text_norm *nm, size_t a,
                             size_t i, struct text_sink *sink) {
    char cand[LEX_TERM_MAX];
    const struct text_lex_entry *e = NULL;
    size_t from = a;
    for (int words = 1; words <= 2 && !e; words++) {
        size_t b = lex_token_before(nm, from);
        if (b == from || memchr(nm->n + b, '*', a - b))
            break; /* an earlier masked word is judged on its own */
        from = b;
        if (lex_masked_plain(nm, from, i, cand, sizeof cand)) e = lex_mask_find(lx, cand, 1);
    }
    if (!e) {
        from = a;
        if (lex_masked_plain(nm, a, i, cand, sizeof cand)) e = lex_mask_find(lx, cand, 0);
    }
    if (e)
        text_result_add(sink, (enum text_category)e->kind, e->rule_id, 0.8, e->sev, e->detail,
                        nm->n_start[from], nm->n_end[i - 1]);
}

void text_lexicon_scan_masked(const struct text_lexicon *lx, const struct text_norm *nm,
                              struct text_sink *sink) {
    size_t i = 0;
    while (i < nm->n_len) {
        while (i < nm->n_len && nm->n[i] == ' ') i++;
        size_t a = i;
        int masked = 0;
        while (i < nm->n_len && nm->n[i] != ' ') masked |= nm->n[i++] == '*';
        if (masked) lex_masked_token(lx, nm, a, i, sink);
    }
}

struct lex_variant_ctx {
    const struct text_lexicon *lx;
    const struct text_norm *nm;
    const char *text;
    size_t len;
    struct text_sink *sink;
};

/* Whether the original word at byte at looks like a name: a capital, then a
 * small letter ("Cornuda", the town, is one edit from "cornuta"). */
static int lex_name_like(const char *text, size_t len, size_t at) {
    return at + 1 < len && text[at] >= 'A' && text[at] <= 'Z' && text[at + 1] >= 'a' &&
           text[at + 1] <= 'z';
}

static void lex_variant_found(void *arg, uint32_t entry, size_t a, size_t b) {
    struct lex_variant_ctx *c = arg;
    const struct text_lex_entry *e = &c->lx->entries[entry];
    if (lex_name_like(c->text, c->len, c->nm->n_start[a])) return;
    text_result_add(c->sink, (enum text_category)e->kind, e->rule_id, LEX_SCORE_VARIANT, e->sev,
                    e->detail, c->nm->n_start[a], c->nm->n_end[b - 1]);
}

void text_lexicon_scan_variants(const struct text_lexicon *lx, const struct text_norm *nm,
                                const char *text, size_t len, struct text_sink *sink) {
    struct lex_variant_ctx c = { lx, nm, text, len, sink };
    text_variant_scan(&lx->variants, nm, lex_variant_found, &c);
}

static void lex_words_release(struct text_lex_words *w) {
    for (size_t i = 0; i < w->n; i++) free(w->term[i]);
    free(w->term);
}

void text_lexicon_release(struct text_lexicon *lx) {
    if (!lx) return;
    lex_words_release(&lx->surnames);
    lex_words_release(&lx->name_cues);
    lex_words_release(&lx->first_names);
    for (size_t i = 0; i < lx->n; i++) lex_entry_free(&lx->entries[i]);
    free(lx->entries);
    free(lx->variant_terms);
    text_variant_release(&lx->variants);
    memset(lx, 0, sizeof *lx);
}
