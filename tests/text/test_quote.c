/* Abuse quoted by the one it was aimed at is not the author's abuse. */
#include "text_fixture.h"

#include <criterion/criterion.h>

TestSuite(quote, .init = fixture_setup, .fini = fixture_teardown);

Test(quote, reported_slur_is_not_the_authors)
{
    const struct text_result *r = fixture_classify(
        "Un utente qui sotto mi ha scritto 'terrone tornatene a casa tua'. Come si segnala?");
    cr_expect_null(fixture_label(r, "hate_speech"));
    cr_expect_not_null(fixture_label(r, "information_request"), "the rest is judged as usual");
    cr_expect_not(fixture_has("Un automobilista mi ha urlato «handicappato di merda» al semaforo",
                              "profanity"));
    cr_expect_not(fixture_has("Mi hanno dato del \"coglione\" in ufficio", "insult"));
}

Test(quote, quotes_without_a_first_person_report_still_count)
{
    cr_expect(fixture_has("Come dice mio cugino, 'sindaco ladro'", "insult"));
    cr_expect(fixture_has("Sei un 'grande' coglione", "insult"));
    cr_expect(fixture_has("Mi ha scritto che sei un coglione", "insult"), "no quotation");
    /* abuse outside the quotation is the author's */
    cr_expect(fixture_has("Mi ha scritto 'ciao', coglione", "insult"));
}
