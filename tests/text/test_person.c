/* text_person: addresses and health data are personal next to a person. */
#include "text_fixture.h"
#include "text_person.h"

#include <criterion/criterion.h>
#include <string.h>

TestSuite(person, .init = fixture_setup, .fini = fixture_teardown);

static const char *detail_of(const char *text) {
    const struct text_label *l = fixture_label(fixture_classify(text), "personal_data");
    return l ? l->detail : NULL;
}

Test(person, address_next_to_a_person) {
    cr_expect_str_eq(detail_of("Mario Rossi abita in via Garibaldi 12"), "indirizzo");
    cr_expect_str_eq(detail_of("Il signor Bianchi, corso Italia 5, lascia l'auto in doppia fila"),
                     "indirizzo");
    cr_expect_null(detail_of("In via Roma 12 c'è una buca"));
    cr_expect_null(detail_of("Lo sportello è in piazza Garibaldi 3"));
}

Test(person, health_of_a_named_person) {
    cr_expect_str_eq(detail_of("Giuseppe Esposito è sieropositivo"), "salute");
    cr_expect_str_eq(detail_of("la signora Ferri ha il cancro"), "salute");
    cr_expect_null(detail_of("il tumore si previene con lo screening"));
}

Test(person, named) {
    const char *t = "Buongiorno Comune, oggi Anna Neri e il dott. Bassi";
    cr_expect_not(text_person_named(t, 0, 18));
    cr_expect(text_person_named(t, 18, 35));
    cr_expect(text_person_named(t, 35, strlen(t)));
}
