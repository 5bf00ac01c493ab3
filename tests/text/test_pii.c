/* text_pii: validators with valid and invalid check digits, and the scans. */
#include "text_fixture.h"
#include "text_pii.h"

#include <criterion/criterion.h>
#include <string.h>

Test(pii, codice_fiscale) {
    cr_expect(text_pii_cf_valid("RSSMRA85T10A562S", 16));
    cr_expect(text_pii_cf_valid("rssmra85t10a562s", 16));
    cr_expect(text_pii_cf_valid("RSSMRA85T10A5NRC", 16));     /* omocodia */
    cr_expect_not(text_pii_cf_valid("RSSMRA85T10A562X", 16)); /* check character */
    cr_expect_not(text_pii_cf_valid("RSSMRA85Z10A562S", 16)); /* month letter */
    cr_expect_not(text_pii_cf_valid("RSSMRA85T10A562", 15));
}

Test(pii, partita_iva) {
    cr_expect(text_pii_piva_valid("01234560587", 11));
    cr_expect_not(text_pii_piva_valid("01234560588", 11));
    cr_expect_not(text_pii_piva_valid("01234567897", 11)); /* office code 789 */
}

Test(pii, iban) {
    cr_expect(text_pii_iban_valid("IT60X0542811101000000123456", 27));
    cr_expect_not(text_pii_iban_valid("IT61X0542811101000000123456", 27));
    cr_expect_not(text_pii_iban_valid("IT60X054281110100000012345", 26));
}

TestSuite(pii_scan, .init = fixture_setup, .fini = fixture_teardown);

static const char *detail_of(const char *text) {
    const struct text_label *l = fixture_label(fixture_classify(text), "personal_data");
    return l ? l->detail : NULL;
}

Test(pii_scan, types) {
    cr_expect_str_eq(detail_of("cf RSSMRA85T10A562S grazie"), "codice_fiscale");
    cr_expect_str_eq(detail_of("IBAN IT60 X054 2811 1010 0000 0123 456"), "iban");
    cr_expect_str_eq(detail_of("P.IVA 01234560587"), "partita_iva");
    cr_expect_str_eq(detail_of("chiamami al 347 123 4567"), "telefono");
    cr_expect_str_eq(detail_of("+39 320.987.6543"), "telefono");
    cr_expect_str_eq(detail_of("0039 06 12345678"), "telefono");
    cr_expect_str_eq(detail_of("scrivi a mario.rossi@gmail.com"), "email");
    cr_expect_str_eq(detail_of("carta d'identità CA12345AB"), "documento");
    cr_expect_str_eq(detail_of("targata FG 123 AB"), "targa");
}

/* A wrong check character or check digits is a mistyped or made-up code: still personal
 * data when the comment names it, and only then (not_personal has the bare code). */
Test(pii_scan, named_codes_without_their_checksum) {
    cr_expect_str_eq(detail_of("cf RSSMRA85T10A562X"), "codice_fiscale");
    cr_expect_str_eq(detail_of("il mio codice fiscale è MRNGPP65T10H501W"), "codice_fiscale");
    cr_expect_str_eq(detail_of("IBAN IT02L1234512345123456789012 intestato a me"), "iban");
    cr_expect_null(detail_of("ordine IT02L1234512345123456789012 spedito"));
    const struct text_label *l =
        fixture_label(fixture_classify("cf RSSMRA85T10A562X"), "personal_data");
    cr_assert_not_null(l);
    cr_expect_lt(l->score, 0.9); /* the shape alone: a little less sure */
}

Test(pii_scan, not_personal) {
    static const char *const clean[] = {
        "costa 350.000.000 euro",
        "il 12.06.2024 alle 18",
        "CAP 20044",
        "numero verde 800 123 456",
        "scrivete a urp@comune.lecce.it",
        "chiamate l'URP allo 02 9352 7111",
        "RSSMRA85T10A562X",
        "P.IVA 12345670581",
        "pratica 2023/004512",
        "ho chiamato il 112",
        "farmacia comunale di via Roma: 0331 123456",
        "guardia medica: 0832 661234",
        "prenotate alla pizzeria Da Mario, 0571 223344",
    };
    for (size_t i = 0; i < sizeof clean / sizeof clean[0]; i++)
        cr_expect_null(detail_of(clean[i]), "\"%s\"", clean[i]);
}

Test(pii_scan, redaction) {
    const struct text_result *r = fixture_classify("cf RSSMRA85T10A562S, tel 3471234567.");
    cr_expect_str_eq(r->redacted, "cf [codice_fiscale], tel [telefono].");
    cr_expect_eq(r->redacted_len, strlen(r->redacted));
}
