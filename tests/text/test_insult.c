/* The insult frames of data/rules/insult.tsv (written by scripts/insult-rules.py): a word
 * for a person where a frame aims it at someone, and the same words where nothing does.
 * The frames run only when the comment holds a word of the "person" vocabulary (their
 * gate), so every positive here also proves the gate lets its comment through. */
#include "text_fixture.h"

#include <criterion/criterion.h>

TestSuite(insult, .init = fixture_setup, .fini = fixture_teardown);

#define N(a) FIXTURE_N(a)

Test(insult, aimed_at_you) {
    static const char *const texts[] = {
        "sei proprio un buffone",    "Tu Giulia non capisci niente, sei un'oca",
        "siete i soliti fannulloni", "Marco ma ti sei riletto? Sei veramente limitato",
        "sei una persona squallida", "si nu strunz e basta",
    };
    fixture_expect_all(texts, N(texts), "insult");
}

Test(insult, aimed_at_a_person) {
    static const char *const texts[] = {
        "l'assessore e un pagliaccio",
        "lei è una persona squallida e meschina",
        "SINDACO INCAPACE E BUGIARDO",
        "buca in via Roma da mesi, e quei somari dell'ufficio tecnico non muovono un dito",
        "guardate il ciccione del consigliere",
        "la ditta delle pulizie è una manica di ladri e fannulloni",
    };
    fixture_expect_all(texts, N(texts), "insult");
}

Test(insult, alone_or_addressed) {
    static const char *const texts[] = {
        "ignoranti",
        "vecchio rincoglionito!",
        "maiale",
        "va là, bauscia che non sei altro",
        "parassita, vivi alle spalle nostre",
        "ma statte zitto, strunz",
        "Non fate niente da anni. Fannulloni!",
        "🤡",
    };
    fixture_expect_all(texts, N(texts), "insult");
}

Test(insult, sarcasm_and_similes) {
    static const char *const texts[] = {
        "complimenti genio",    "ignorante come una capra, torna a scuola",
        "hai il cervello fuso", "l'assessore ha l'intelligenza di un criceto",
        "sindaco da operetta",  "🤡🤡 il nostro sindaco 🤡🤡",
    };
    fixture_expect_all(texts, N(texts), "insult");
}

Test(insult, not_aimed) {
    static const char *const texts[] = {
        "sei ladri hanno svaligiato la farmacia",
        "alla fiera c'erano sei capre e un asino",
        "quelle vendute ieri erano le ultime",
        "la decisione della giunta è ridicola",
        "l'assessore è stato bravissimo",
        "Siete degli incapaci, non sapete organizzare la raccolta dei rifiuti",
        "Giunta di dilettanti allo sbaraglio, lo dico da elettore deluso",
        "Questa amministrazione ha la sensibilità di un muro",
        "cane",
        "🤡🤡🤡🤡🤡🤡🤡🤡",
    };
    fixture_expect_none(texts, N(texts), "insult");
}
