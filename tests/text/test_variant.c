/* Spelling variants of lexicon terms (text_variant.c through the engine):
 * typos, split words, words run together, l33t; and the ordinary words
 * each of them must leave alone. */
#include "text_fixture.h"

#include <criterion/criterion.h>
#include <string.h>

TestSuite(variant, .init = fixture_setup, .fini = fixture_teardown);

/* Expects every text to get a label of cat whose rule is rule_id. */
static void expect_rule(const char *const *texts, size_t n, const char *cat, const char *rule_id) {
    for (size_t i = 0; i < n; i++) {
        const struct text_label *l = fixture_label(fixture_classify(texts[i]), cat);
        cr_expect_not_null(l, "\"%s\": no %s", texts[i], cat);
        if (l) cr_expect_str_eq(l->rule_id, rule_id, "\"%s\"", texts[i]);
    }
}

static void expect_clean(const char *const *texts, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const struct text_result *r = fixture_classify(texts[i]);
        cr_expect_eq(r->n, 0, "\"%s\" got %s (%s)", texts[i], r->n ? r->labels[0].category : "",
                     r->n ? r->labels[0].rule_id : "");
    }
}

#define N(a) (sizeof a / sizeof a[0])

Test(variant, one_edit_in_long_terms) {
    static const char *const texts[] = {
        "ma quanto sei coglinoe", /* two letters swapped */
        "sei proprio un cogione", /* one deleted */
        "che cogllione che sei",  /* one added */
        "ciao cogliome",          /* one changed */
        "sei un cog1ione",        /* 1 for l */
    };
    expect_rule(texts, N(texts), "insult", "lex.insult.coglione");
    static const char *const more[] = { "imbecile", "sei un bastrado", "deficente" };
    static const char *const ids[] = { "lex.insult.imbecille", "lex.insult.bastardo",
                                       "lex.insult.deficiente" };
    for (size_t i = 0; i < N(more); i++) expect_rule(&more[i], 1, "insult", ids[i]);
    const struct text_label *l = fixture_label(fixture_classify("sei un coglinoe"), "insult");
    cr_assert_not_null(l);
    cr_expect_lt(l->score, 0.8, "a typo is less certain than the word");
}

Test(variant, ordinary_words_one_edit_away_are_left_alone) {
    static const char *const texts[] = {
        "il terrore dei bambini",
        "un idioma antico",
        "si strozza con il torrone",
        "la sfilata di carnevale",
        "i calzoni corti",
        "una bella canzone",
        "gli zoccoli olandesi",
        "una cozzata tra auto",
        "basta, bastare non serve",
        "le troiane di Euripide",
        "l'efficiente ufficio anagrafe",
        "la deficienza di fondi",
        "il culto della santa",
        "il bimbo nella culla, lo cullo",
        "cremino al cioccolato",
        "la casata dei Visconti",
    };
    expect_clean(texts, N(texts));
}

Test(variant, names_are_not_typos) {
    /* Cornuda (TV) is one edit from "cornuta": a capitalized word is a name. */
    static const char *const texts[] = { "Cornuda ha fatto la stessa cosa", "a Cornuda" };
    expect_clean(texts, N(texts));
}

Test(variant, short_terms_are_not_fuzzy) {
    /* five letters or fewer: "merda" is not read into "mensa" or "nerda" */
    static const char *const texts[] = { "la mensa scolastica", "il feroce inverno", "non negare",
                                         "la troika" };
    expect_clean(texts, N(texts));
}

Test(variant, split_in_two) {
    static const char *const texts[] = { "sei un cog lione", "che cogl ione" };
    expect_rule(texts, N(texts), "insult", "lex.insult.coglione");
    static const char *const stronzo[] = { "sei uno stron zo" };
    expect_rule(stronzo, 1, "insult", "lex.insult.stronzo");
}

Test(variant, split_needs_two_uncommon_halves) {
    /* "da", "ne", "la" are words: "mer da" and "coglio ne" stay two words */
    static const char *const texts[] = { "mer da",       "ne parlo con la gente",
                                         "per mano",     "sotto casa",
                                         "il bas tardo", "alle sette in punto" };
    expect_clean(texts, N(texts));
}

Test(variant, run_together) {
    static const char *const texts[] = { "seiuncoglione", "ma seiuncoglione?", "bruttocoglione" };
    expect_rule(texts, N(texts), "insult", "lex.insult.coglione");
    static const char *const phrase[] = { "siete dei pezzidimerda", "sietedeipezzidimerda" };
    expect_rule(phrase, N(phrase), "insult", "lex.insult.pezzi_di_merda");
}

Test(variant, run_together_never_inside_ordinary_words) {
    static const char *const texts[] = {
        "una scazzottata al bar",
        "Scansano e le sue colline",
        "un ammazzacaffè dopo pranzo",
        "la cazzuola del muratore",
        "la supercazzola di Amici miei",
        "il sindaco di Bastardo",
        "vivo a Bastardo",
        "un decretino legge",
        "la concessione del loculo di mia madre",
    };
    expect_clean(texts, N(texts));
}

Test(variant, leet_five_and_seven) {
    static const char *const texts[] = { "5tronzo", "ma che s7ronzo hai scritto" };
    expect_rule(texts, N(texts), "insult", "lex.insult.stronzo");
    static const char *const clean[] = { "alle 7 in piazza", "5 euro", "il 75% dei cittadini" };
    expect_clean(clean, N(clean));
    cr_expect(fixture_has("vota m5s", "political_propaganda"), "m5s is still the party");
}
