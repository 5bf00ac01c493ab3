/* Lexicon matching through the engine: obfuscations found, ordinary words
 * and religious words in ordinary use left alone. */
#include "text_fixture.h"

#include <criterion/criterion.h>
#include <string.h>

TestSuite(lexicon, .init = fixture_setup, .fini = fixture_teardown);

Test(lexicon, no_hits_inside_ordinary_words) {
    static const char *const clean[] = {
        "la cazzuola del muratore", "Scansare le auto",
        "le analisi del sangue",    "una gita a Fregene",
        "il vino Negroamaro",       "il finocchio gratinato",
        "Buon anno a tutti",        "penne al pomodoro",
        "Porca miseria che caldo",  "accidenti, cavolo, mannaggia",
        "il cazzotto del pugile",   "un cane bastardino",
    };
    for (size_t i = 0; i < sizeof clean / sizeof clean[0]; i++) {
        const struct text_result *r = fixture_classify(clean[i]);
        cr_expect_eq(r->n, 0, "\"%s\" got %s (%s)", clean[i], r->n ? r->labels[0].category : "",
                     r->n ? r->labels[0].rule_id : "");
    }
}

Test(lexicon, religious_words_in_ordinary_use) {
    static const char *const clean[] = {
        "festa della Madonna del Carmine",
        "San Giuseppe",
        "Dio ci aiuti",
        "Grazie a Dio",
        "Madonna che bella serata",
        "Evviva la Madonna!",
        "il prete ha benedetto la scuola",
    };
    for (size_t i = 0; i < sizeof clean / sizeof clean[0]; i++)
        cr_expect_not(fixture_has(clean[i], "profanity"), "\"%s\"", clean[i]);
}

Test(lexicon, blasphemy_needs_the_combination) {
    const struct text_result *r = fixture_classify("porco dio");
    const struct text_label *l = fixture_label(r, "profanity");
    cr_assert_not_null(l);
    cr_expect_str_eq(l->detail, "bestemmia");
    cr_expect(fixture_has("Dio cane, sempre così", "profanity"));
    cr_expect(fixture_has("porca madonna", "profanity"));
}

Test(lexicon, obfuscations) {
    static const char *const bad[] = {
        "cazzzzzo",
        "c a z z o",
        "c-a-z-z-o",
        "c4zz0",
        "\xef\xbd\x83\xef\xbd\x81\xef\xbd\x9a\xef\xbd\x9a\xef\xbd\x8f",
        "m3rda",
        "\xd1\x81"
        "azzo",
        "p0rc0 d10",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect(fixture_has(bad[i], "profanity"), "\"%s\"", bad[i]);
    cr_expect(fixture_has("st*onzo", "insult"));
    cr_expect(fixture_has("i.d.i.o.t.a", "insult"));
    cr_expect(fixture_has("C.O.G.L.I.O.N.E", "insult"));
}

Test(lexicon, span_covers_obfuscated_word) {
    const char *t = "Che c 0 g l i 0 n e ha scritto";
    const struct text_result *r = fixture_classify(t);
    const struct text_label *l = fixture_label(r, "insult");
    cr_assert_not_null(l);
    cr_expect_eq(l->span.start, 4);
    cr_expect_eq(l->span.end, 19);
    cr_expect_lt(l->score, 0.9); /* obfuscated: a little less sure */
}

Test(lexicon, slur_has_target) {
    const struct text_label *l =
        fixture_label(fixture_classify("ricchioni schifosi"), "hate_speech");
    cr_assert_not_null(l);
    cr_expect_str_eq(l->detail, "orientamento_sessuale");
}

Test(lexicon, longer_phrase_wins) {
    const struct text_result *r = fixture_classify("porca puttana");
    cr_expect_not_null(fixture_label(r, "profanity"));
    cr_expect_null(fixture_label(r, "insult"));
}

Test(lexicon, place_name_after_a_preposition_is_the_place) {
    cr_expect_not(fixture_has("Il sindaco di Troia è venuto alla sagra", "insult"));
    cr_expect_not(fixture_has("Gemellaggio con Troia", "insult"));
    cr_expect(fixture_has("Sei una troia", "insult"));
}

Test(lexicon, place_name_as_the_subject_of_a_place_noun) {
    cr_expect_not(fixture_has("Troia è un paese bellissimo, ci torneremo", "insult"));
    cr_expect_not(fixture_has("Panchina divelta ai giardini di Bastardo", "insult"));
    cr_expect(fixture_has("Troia è quella lì, altro che paese", "insult"));
    cr_expect(fixture_has("Sei un bastardo", "insult"));
}

/* A masked word is read with the words before it when they make a phrase,
 * and a run of stars need not count the letters it hides. */
Test(lexicon, masked_words_in_phrases) {
    const struct text_result *r = fixture_classify("porca p*ttana che caldo");
    cr_expect_not_null(fixture_label(r, "profanity"));
    cr_expect_null(fixture_label(r, "insult"));
    r = fixture_classify("Mi avete rotto i c*****i con sti lavori");
    const struct text_label *l = fixture_label(r, "profanity");
    cr_assert_not_null(l);
    cr_expect_str_eq(l->rule_id, "lex.profanity.rotto_i_coglioni");
    cr_expect_eq(l->span.start, 9u, "the span starts at the phrase");
    cr_expect_null(fixture_label(r, "insult"));
    cr_expect(fixture_has("sei una p*ttana", "insult"));
    cr_expect(fixture_has("che c***o fate", "profanity"));
}

/* Insults with no swear word in them, and the ordinary words one letter away from them
 * that the spelling-variant matcher must leave alone. */
Test(lexicon, insults_without_swear_words) {
    static const char *const insults[] = {
        "che ebete",
        "sindaco sei proprio un babbeo",
        "siete dei fannulloni",
        "sei una merda",
        "assessore di merda",
        "brutto pezzente",
        "fottiti",
        "torna a zappare",
        "siete degli analfabeti",
        "mentecatti tutti",
        "sei un viscido",
        "razza di deficienti",
    };
    fixture_expect_all(insults, FIXTURE_N(insults), "insult");
    static const char *const clean[] = {
        "arriva babbo natale in piazza", "i babbi e le mamme a scuola",     "i calzari dei romani",
        "il cane di mia nonna",          "sono dei parassiti delle piante", "il comune di merda",
    };
    fixture_expect_none(clean, FIXTURE_N(clean), "insult");
}

struct lexicon_case {
    const char *text, *category;
};

/* Checks that each text gets (want) or does not get (!want) its category. */
static void expect_cases(const struct lexicon_case *c, size_t n, int want) {
    for (size_t i = 0; i < n; i++)
        cr_expect_eq(fixture_has(c[i].text, c[i].category), want, "\"%s\": %s %s", c[i].text,
                     want ? "no" : "unexpected", c[i].category);
}

/* A place or a surname that is also a term, written as a proper noun:
 * capitalized after a street, school or title word or after a first name,
 * or a place joined to another by a hyphen. */
Test(lexicon, surname_or_place_as_a_proper_noun_is_the_name) {
    static const struct lexicon_case names[] = {
        { "La fermata in via Troia non ha la pensilina", "insult" },
        { "La sig.ra Troia ha vinto il concorso", "insult" },
        { "Giovanni Bastardo è il nuovo assessore", "insult" },
        { "La corsa Perugia-Bastardo è sospesa", "insult" },
        { "Il signor Cazzone ha chiesto il permesso", "insult" },
        { "Mario Cazzone ha vinto il premio", "insult" },
        { "Il consigliere Cazzone non risponde", "insult" },
        { "Via Ada Negri chiusa per lavori", "hate_speech" },
        { "La scuola Ada Negri riapre lunedì", "hate_speech" },
        { "Le poesie di Ada Negri lette in biblioteca", "hate_speech" },
        { "Ho chiamato il dottor Negro per la visita", "hate_speech" },
        { "L'avv. Negro ha presentato ricorso", "hate_speech" },
        { "Il dott. Negro riceve il martedì", "hate_speech" },
    };
    expect_cases(names, sizeof names / sizeof names[0], 0);
}

/* The same words as abuse: lower case, capitalized after anything but a
 * name cue or a first name, or shouted. */
Test(lexicon, surname_or_place_as_abuse_still_counts) {
    static const struct lexicon_case abuse[] = {
        { "Sei una troia", "insult" },
        { "quella troia della vicina", "insult" },
        { "Troia, vergognati", "insult" },
        { "Sei una Troia", "insult" },
        { "Sei un Bastardo", "insult" },
        { "Sei un mezzo-Bastardo", "insult" },
        { "vattene via Bastardo", "insult" },
        { "sei un cazzone", "insult" },
        { "Il signor CAZZONE non paga le tasse", "insult" },
        { "quel negro ha rubato la bici", "hate_speech" },
        { "il dottor negro non sa fare niente", "hate_speech" },
        { "negri di merda", "hate_speech" },
    };
    expect_cases(abuse, sizeof abuse / sizeof abuse[0], 1);
}
