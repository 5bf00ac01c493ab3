/* text_engine: base and engine life cycle and the classification pass that
 * runs every module in order (see text_engine.h).
 *
 * Order of a classification: normalize; one Aho-Corasick pass over the
 * lexicon view that both matches lexicon terms and marks the rules whose
 * anchor occurs; misspelled and split terms; masked words; the marked
 * rules (base, then the tenant's); personal data on the original text; the
 * model's scores, and its labels where the rules found nothing of a
 * category; reported quotations dropped (rule and model labels alike);
 * off_topic last, because it needs to know whether anything else was
 * found. */
#include "text_engine.h"
#include "text_ac.h"
#include "text_context.h"
#include "text_fingerprint.h"
#include "text_lexicon.h"
#include "text_model.h"
#include "text_norm.h"
#include "text_person.h"
#include "text_pii.h"
#include "text_quote.h"
#include "text_result.h"
#include "text_rules.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Automaton values: the top bit tells a rule anchor from a lexicon entry. */
#define TAG_RULE  0x80000000u
#define TAG_INDEX 0x7fffffffu

/* A rule set with the automaton of its anchors and the list of rules that
 * have none.  The base's automaton also carries the lexicon. */
struct rule_pass {
    struct text_ruleset rules;
    struct text_ac *ac;
    uint32_t *always;
    size_t n_always;
};

struct text_base {
    struct text_lexicon lexicon;
    struct rule_pass pass;
    struct text_context context;
    struct text_model *model;
};

struct text_engine {
    const struct text_base *base;
    struct rule_pass extra; /* ac is NULL when the tenant has no rules */
    int run_model;
    double model_thresholds[TEXT_CAT_COUNT];
};

struct text_scratch {
    struct text_norm norm, post;
    struct text_sink sink;
    struct text_vocab_hits vocab;
    struct text_context_work context;
    pcre2_match_data *md;
    pcre2_match_context *mctx; /* limits, and the offset limit of each run */
    uint8_t *marked;           /* per rule of the pass being scanned */
    size_t *from, *last;       /* per rule: where its matches may start */
    uint32_t *cand;
    size_t n_cand, cand_cap;
    struct text_model_work model; /* the scoring pass's buckets, for evidence */
};

static void rule_pass_finish(struct rule_pass *rp) {
    text_ruleset_register(&rp->rules, rp->ac, TAG_RULE);
    text_ac_build(rp->ac);
    rp->always = xmalloc((rp->rules.n + 1) * sizeof *rp->always);
    rp->n_always = 0;
    for (size_t i = 0; i < rp->rules.n; i++)
        if (text_ruleset_always(&rp->rules, i)) rp->always[rp->n_always++] = (uint32_t)i;
}

static void rule_pass_release(struct rule_pass *rp) {
    text_ruleset_release(&rp->rules);
    text_ac_free(rp->ac);
    free(rp->always);
}

struct text_base *text_base_new(const char *data_dir, char *err, size_t errlen) {
    struct text_base *base = xcalloc(1, sizeof *base);
    char dir[4096];
    base->pass.ac = text_ac_new();
    text_context_init(&base->context);
    snprintf(dir, sizeof dir, "%s/lexicons", data_dir);
    if (text_lexicon_load_dir(&base->lexicon, dir, err, errlen) != 0) goto fail;
    if (text_lexicon_register(&base->lexicon, base->pass.ac, 0, err, errlen) != 0) goto fail;
    snprintf(dir, sizeof dir, "%s/rules", data_dir);
    if (text_ruleset_load_dir(&base->pass.rules, dir, err, errlen) != 0) goto fail;
    rule_pass_finish(&base->pass);
    snprintf(dir, sizeof dir, "%s/%s", data_dir, TEXT_MODEL_PATH);
    base->model = text_model_load(dir, err, errlen);
    if (!base->model) goto fail;
    return base;
fail:
    text_base_free(base);
    return NULL;
}

void text_base_free(struct text_base *base) {
    if (!base) return;
    text_lexicon_release(&base->lexicon);
    rule_pass_release(&base->pass);
    text_context_release(&base->context);
    text_model_free(base->model);
    free(base);
}

size_t text_base_model_bytes(const struct text_base *base) { return text_model_bytes(base->model); }

struct text_engine *text_engine_new(const struct text_engine_options *opt, char *err,
                                    size_t errlen) {
    if (!opt || !opt->base) {
        snprintf(err, errlen, "text engine: no base");
        return NULL;
    }
    struct text_engine *engine = xcalloc(1, sizeof *engine);
    engine->base = opt->base;
    engine->run_model = opt->model_thresholds != NULL;
    if (engine->run_model)
        memcpy(engine->model_thresholds, opt->model_thresholds, sizeof engine->model_thresholds);
    if (opt->n_extra_rules == 0) return engine;
    engine->extra.ac = text_ac_new();
    for (size_t i = 0; i < opt->n_extra_rules; i++) {
        const struct text_rule *r = &opt->extra_rules[i];
        if (text_ruleset_add(&engine->extra.rules, r->id, r->category, r->severity, 0.9, r->detail,
                             r->pattern, err, errlen) != 0) {
            text_engine_free(engine);
            return NULL;
        }
    }
    rule_pass_finish(&engine->extra);
    return engine;
}

void text_engine_free(struct text_engine *engine) {
    if (!engine) return;
    rule_pass_release(&engine->extra);
    free(engine);
}

struct text_scratch *text_scratch_new(void) {
    struct text_scratch *sc = xcalloc(1, sizeof *sc);
    /* Enough pairs for any rule's captures; only the whole match is read. */
    sc->md = pcre2_match_data_create(16, NULL);
    if (!sc->md) abort(); /* out of memory, as in xmalloc */
    sc->mctx = text_ruleset_match_context_new();
    return sc;
}

void text_scratch_free(struct text_scratch *sc) {
    if (!sc) return;
    text_norm_release(&sc->norm);
    text_norm_release(&sc->post);
    text_result_sink_release(&sc->sink);
    text_context_work_release(&sc->context);
    pcre2_match_data_free(sc->md);
    pcre2_match_context_free(sc->mctx);
    free(sc->marked);
    free(sc->from);
    free(sc->last);
    free(sc->cand);
    text_model_work_release(&sc->model);
    free(sc);
}

/* State of one automaton scan. */
struct scan {
    const struct text_lexicon *lexicon; /* NULL for a tenant pass */
    const struct text_ruleset *rules;
    struct text_scratch *sc;
    const char *text; /* the original comment, for its capitals */
};

/* The pattern-view offset of the byte that came from the same original
 * byte as lexicon-view byte i (the first such, as both views keep
 * original offsets in order).  A binary search without branches on the
 * data (the halving is a conditional move): on varied text the branches
 * of a plain one, taken at random, cost more than the search itself. */
static size_t pattern_offset(const struct text_norm *nm, size_t i) {
    const uint32_t *p = nm->p_start;
    uint32_t orig = nm->n_start[i];
    size_t lo = 0, n = nm->p_len;
    if (n == 0) return 0;
    /* the first p[k] >= orig lies in [lo, lo + n] */
    while (n > 1) {
        size_t half = n / 2;
        lo = p[lo + half] < orig ? lo + half : lo;
        n -= half;
    }
    return lo + (p[lo] < orig);
}

/* marked[] bits of a rule in the pass being scanned */
enum { MARK_CANDIDATE = 1, MARK_WINDOW = 2, MARK_SECOND = 4 };

/* A rule's anchor ending at lexicon-view offset end: the rule becomes a
 * candidate, and its window of match starts grows to take in this
 * occurrence, as the anchor's role says. */
static void on_rule_anchor(struct scan *s, const struct text_rule_anchor *a, size_t end) {
    struct text_scratch *sc = s->sc;
    uint32_t r = a->rule;
    if (a->role == TEXT_ANCHOR_REQUIRED) {
        sc->marked[r] |= MARK_SECOND;
        return;
    }
    if (a->role != TEXT_ANCHOR_WINDOW && !(sc->marked[r] & MARK_CANDIDATE)) {
        sc->marked[r] |= MARK_CANDIDATE;
        sc->cand[sc->n_cand++] = r;
    }
    if (a->role == TEXT_ANCHOR_CANDIDATE) return;
    size_t at = pattern_offset(&sc->norm, end - a->len);
    size_t from = at > a->dmax ? at - a->dmax : 0;
    /* A few bytes of slack: characters that fold to several bytes share
     * one original offset, so at may fall short of the anchor. */
    size_t last = (at > a->dmin ? at - a->dmin : 0) + 4;
    if (!(sc->marked[r] & MARK_WINDOW)) {
        sc->marked[r] |= MARK_WINDOW;
        sc->from[r] = from;
        sc->last[r] = last;
        return;
    }
    if (from < sc->from[r]) sc->from[r] = from;
    if (last > sc->last[r]) sc->last[r] = last;
}

static void on_hit(void *arg, uint32_t value, size_t end) {
    struct scan *s = arg;
    uint32_t idx = value & TAG_INDEX;
    if (!(value & TAG_RULE))
        text_lexicon_hit(s->lexicon, idx, &s->sc->norm, s->text, end, &s->sc->sink, &s->sc->vocab);
    else
        on_rule_anchor(s, &s->rules->anchors[idx], end);
}

/* Scans the lexicon view of text (borrowed) with rp's automaton and runs
 * the rules whose anchor occurred plus those that always run. */
static void run_pass(const struct rule_pass *rp, const struct text_lexicon *lexicon,
                     struct text_scratch *sc, const char *text) {
    size_t n = rp->rules.n;
    if (sc->cand_cap < n) {
        sc->marked = xrealloc(sc->marked, n);
        sc->from = xrealloc(sc->from, n * sizeof *sc->from);
        sc->last = xrealloc(sc->last, n * sizeof *sc->last);
        sc->cand = xrealloc(sc->cand, n * sizeof *sc->cand);
        sc->cand_cap = n;
    }
    memset(sc->marked, 0, n);
    sc->n_cand = 0;
    struct scan s = { lexicon, &rp->rules, sc, text };
    text_ac_scan(rp->ac, sc->norm.n, sc->norm.n_len, on_hit, &s);
    for (size_t i = 0; i < rp->n_always; i++) {
        uint32_t r = rp->always[i];
        sc->cand[sc->n_cand++] = r;
        sc->marked[r] = MARK_CANDIDATE | MARK_WINDOW;
        sc->from[r] = 0;
        sc->last[r] = SIZE_MAX;
    }
    for (size_t i = 0; i < sc->n_cand; i++) {
        uint32_t r = sc->cand[i];
        if (!(sc->marked[r] & MARK_WINDOW)) continue; /* no offset where a match may start */
        if (!(sc->marked[r] & MARK_SECOND) && text_ruleset_needs_second(&rp->rules, r))
            continue; /* a literal the rule needs is missing */
        int gate = text_ruleset_gate(&rp->rules, r);
        if (gate >= 0 && !sc->vocab.count[gate]) continue; /* none of its vocabulary's words */
        text_ruleset_run(&rp->rules, r, &sc->norm, sc->from[r], sc->last[r], sc->md, sc->mctx,
                         &sc->sink);
    }
}

/* Scores the comment and labels, with the words that weighed most as
 * evidence, each category whose score reaches the engine's threshold and of
 * which the rules found nothing.  A model label counts as a finding for
 * off_topic, which runs after it. */
static void run_model(const struct text_engine *engine, struct text_scratch *sc, size_t len,
                      double scores[TEXT_CAT_COUNT]) {
    const struct text_model *model = engine->base->model;
    text_model_score_work(model, &sc->norm, &sc->model, scores);
    unsigned found = 0, labelled = 0;
    for (size_t i = 0; i < sc->sink.n; i++) found |= 1u << sc->sink.labels[i].category_id;
    for (int c = 0; c < TEXT_CAT_COUNT; c++)
        if (scores[c] >= 0 && scores[c] >= engine->model_thresholds[c] && !(found & (1u << c)))
            labelled |= 1u << c;
    if (!labelled) return;
    struct text_evidence ev[TEXT_CAT_COUNT];
    text_model_evidence(model, &sc->norm, &sc->model, labelled, ev);
    for (int c = 0; c < TEXT_CAT_COUNT; c++) {
        if (!(labelled & (1u << c))) continue;
        const char *rule_id = text_model_rule_id(model, (enum text_category)c);
        if (ev[c].n == 0) /* the bias alone: the whole comment is the evidence */
            text_result_add_model(&sc->sink, (enum text_category)c, rule_id, scores[c], 0, len);
        for (size_t k = 0; k < ev[c].n; k++)
            text_result_add_model(&sc->sink, (enum text_category)c, rule_id, scores[c],
                                  ev[c].spans[k].start, ev[c].spans[k].end);
    }
}

int text_classify(const struct text_engine *engine, struct text_scratch *sc, const char *text,
                  size_t len, const char *post_text, size_t post_len, struct text_result *out) {
    const struct text_base *base = engine->base;
    size_t bad = 0;
    double scores[TEXT_CAT_COUNT];
    for (int c = 0; c < TEXT_CAT_COUNT; c++) scores[c] = -1;
    memset(out, 0, sizeof *out);
    memcpy(out->model_scores, scores, sizeof scores);
    text_result_sink_reset(&sc->sink);
    memset(&sc->vocab, 0, sizeof sc->vocab);
    if (text_norm_build(&sc->norm, text, len, &bad) != 0) {
        out->bad_offset = bad;
        return TEXT_ERR_UTF8;
    }
    /* The post is context only: if it is not valid UTF-8 it is ignored
     * rather than failing the comment. */
    int have_post =
        post_text && post_len > 0 && text_norm_build(&sc->post, post_text, post_len, &bad) == 0;
    if (sc->norm.n_len > 0 || sc->norm.p_len > 0) {
        run_pass(&base->pass, &base->lexicon, sc, text);
        text_lexicon_scan_variants(&base->lexicon, &sc->norm, text, len, &sc->sink);
        if (sc->norm.n_has_mask) text_lexicon_scan_masked(&base->lexicon, &sc->norm, &sc->sink);
        if (engine->extra.ac) run_pass(&engine->extra, NULL, sc, text);
        text_pii_scan(text, len, &sc->sink);
        text_person_scan(text, len, &sc->vocab, &sc->sink);
        if (engine->run_model) run_model(engine, sc, len, scores);
        text_quote_drop_reported(&sc->sink, text, len);
        text_quote_mark_quoted(&sc->sink, text, len);
        if (sc->norm.n_len > 0)
            text_context_off_topic(&base->context, &sc->context, &sc->norm,
                                   have_post ? &sc->post : NULL, &sc->vocab, &sc->sink);
    }
    text_result_finish(&sc->sink, text, len, out);
    memcpy(out->model_scores, scores, sizeof scores);
    out->fingerprint = text_fingerprint_view(&sc->norm);
    return TEXT_OK;
}
