/* Abuse quoted by the one it was aimed at is not the author's abuse. */
#include "text_fixture.h"

#include <criterion/criterion.h>

TestSuite(quote, .init = fixture_setup, .fini = fixture_teardown);

Test(quote, reported_slur_is_not_the_authors) {
    const struct text_result *r = fixture_classify(
        "Un utente qui sotto mi ha scritto 'terrone tornatene a casa tua'. Come si segnala?");
    cr_expect_null(fixture_label(r, "hate_speech"));
    cr_expect_not_null(fixture_label(r, "information_request"), "the rest is judged as usual");
    cr_expect_not(fixture_has("Un automobilista mi ha urlato «handicappato di merda» al semaforo",
                              "profanity"));
    cr_expect_not(fixture_has("Mi hanno dato del \"coglione\" in ufficio", "insult"));
}

Test(quote, quotes_without_a_first_person_report_still_count) {
    cr_expect(fixture_has("Come dice mio cugino, 'sindaco ladro'", "insult"));
    cr_expect(fixture_has("Sei un 'grande' coglione", "insult"));
    cr_expect(fixture_has("Mi ha scritto che sei un coglione", "insult"), "no quotation");
    /* abuse outside the quotation is the author's */
    cr_expect(fixture_has("Mi ha scritto 'ciao', coglione", "insult"));
}

Test(quote, counter_speech_is_not_hate) {
    static const char *const texts[] = {
        "chi dice che i rom sono animali e un ignorante",
        "non e vero che gli immigrati sono criminali",
        "scrivere 'gli zingari sono feccia' e razzismo",
        "frasi come \"i gay sono malati\" non si possono leggere",
        "basta con l'odio: dire che le donne sono inferiori e vergognoso",
        "Chi scrive che i musulmani sono bestie andrebbe denunciato",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        cr_expect_not(fixture_has(texts[i], "hate_speech"), "\"%s\"", texts[i]);
}

Test(quote, endorsed_or_plain_hate_still_counts) {
    cr_expect(fixture_has("chi dice che i rom sono animali ha ragione", "hate_speech"));
    cr_expect(fixture_has("i rom sono animali. Chi dice il contrario mente", "hate_speech"),
              "the frame is in another sentence");
    cr_expect(fixture_has("non sono razzista ma i rom sono ladri", "hate_speech"));
    cr_expect(fixture_has("Mi ha scritto che sei un coglione", "insult"), "no report right before");
}
