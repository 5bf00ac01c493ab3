/* pcre2 rules: baseline patterns, a tenant's extra rules, error reports. */
#include "text_fixture.h"

#include <criterion/criterion.h>
#include <string.h>

TestSuite(rules, .init = fixture_setup, .fini = fixture_teardown);

Test(rules, threats_and_incitement) {
    cr_expect(fixture_has("Se ti becco ti ammazzo", "threat"));
    cr_expect(fixture_has("Tiii ammazzooo", "threat"));
    cr_expect(fixture_has("sappiamo dove abiti", "threat"));
    cr_expect(fixture_has("Diamo fuoco al municipio", "incitement"));
    cr_expect_not(fixture_has("le tasse ti ammazzano", "threat"));
    cr_expect_not(fixture_has("ti aspettiamo alla festa", "threat"));
}

Test(rules, spam_ads_politics_copyright) {
    cr_expect(fixture_has("guadagna 500 euro al giorno, info bit.ly/xyz", "spam"));
    cr_expect(fixture_has("scrivimi in privato", "spam"));
    cr_expect(fixture_has("sconto del 20% per i lettori", "advertising"));
    cr_expect(fixture_has("votate la lista civica", "political_propaganda"));
    cr_expect_not(fixture_has("il consiglio ha votato la mozione del PD", "political_propaganda"));
    cr_expect(fixture_has("scarica gratis il film", "copyright"));
    cr_expect(fixture_has("PRIMO!!!", "disruption"));
}

Test(rules, intents_and_criticism) {
    cr_expect(fixture_has("Buca enorme in via Roma", "service_report"));
    cr_expect(fixture_has("Mi hanno rubato la bici", "crime_report"));
    cr_expect(fixture_has("Allego la domanda", "application"));
    cr_expect(fixture_has("Quando apre l'anagrafe?", "information_request"));
    const struct text_result *r = fixture_classify("amministrazione incapace, vergognatevi");
    cr_expect_not_null(fixture_label(r, "criticism"));
    cr_expect_null(fixture_label(r, "insult"));
    cr_expect(fixture_has("sindaco ladro e buffone", "insult"));
}

Test(rules, match_span_in_original) {
    const char *t = "Ehi TÌ AMMAZZO!";
    const struct text_label *l = fixture_label(fixture_classify(t), "threat");
    cr_assert_not_null(l);
    cr_expect_eq(l->span.start, 4);
    cr_expect_eq(l->span.end, strlen(t) - 1);
}

Test(tenant_rules, extra_rules_reported_with_their_id) {
    static const struct text_rule extra[] = {
        { "tenant.lecce.candidato_rossi", "political_propaganda", "\\brossi sindaco\\b",
          TEXT_SEV_MEDIUM, NULL },
    };
    fixture_setup_rules(extra, 1);
    const struct text_label *l =
        fixture_label(fixture_classify("Rossi sindaco!"), "political_propaganda");
    cr_assert_not_null(l);
    cr_expect_str_eq(l->rule_id, "tenant.lecce.candidato_rossi");
    fixture_teardown();
}

Test(rules, bad_rule_reports_id_and_offset) {
    char err[512];
    struct text_base *base = text_base_new(VIGILE_TEXT_DATA_DIR, err, sizeof err);
    cr_assert_not_null(base, "%s", err);
    struct text_rule bad = { "tenant.x.broken", "spam", "abc(def", TEXT_SEV_LOW, NULL };
    struct text_engine_options opt = { base, &bad, 1, NULL };
    cr_expect_null(text_engine_new(&opt, err, sizeof err));
    cr_expect_not_null(strstr(err, "tenant.x.broken"), "%s", err);
    cr_expect_not_null(strstr(err, "offset 7"), "%s", err);
    struct text_rule unknown = { "tenant.x.cat", "nonsense", "abc", TEXT_SEV_LOW, NULL };
    opt.extra_rules = &unknown;
    cr_expect_null(text_engine_new(&opt, err, sizeof err));
    cr_expect_not_null(strstr(err, "unknown category"), "%s", err);
    text_base_free(base);
}

Test(rules, bad_data_dir_reported) {
    char err[512];
    cr_expect_null(text_base_new("/nonexistent", err, sizeof err));
    cr_expect_not_null(strstr(err, "/nonexistent/lexicons"), "%s", err);
}

/* Matches are tried only near an anchor: a match far from the start of a
 * long comment, and one whose anchor lies far inside it, are still found. */
Test(rules, match_found_wherever_the_anchor_is) {
    char text[2048] = "";
    for (int i = 0; i < 40; i++) strcat(text, "Bella giornata in piazza. ");
    strcat(text, "La biblioteca è aperta anche il sabato mattina?");
    cr_expect(fixture_has(text, "information_request"));
    cr_expect(fixture_has("Questi immigrati vanno cacciati tutti, sono feccia", "hate_speech"));
    cr_expect(fixture_has("Il lampione davanti al civico 12 è spento", "service_report"));
    cr_expect_not(fixture_has("Bellissimi i nuovi lampioni in piazza", "service_report"));
}

/* A pattern opening with a "^" alternative is tried at offset 0 whole and
 * past it without "^" (text_rules.c); both kinds of match keep their spans,
 * and "^" never matches past the start. */
Test(tenant_rules, start_alternative_matches_at_start_and_past_it) {
    static const struct text_rule extra[] = {
        { "tenant.x.domanda", "spam", "(?:^|, )(?:posso |devo )[^?]{0,40}\\?", TEXT_SEV_LOW, NULL },
    };
    fixture_setup_rules(extra, 1);
    const struct text_label *l = fixture_label(fixture_classify("Posso pagare online?"), "spam");
    cr_assert_not_null(l);
    cr_expect_eq(l->span.start, 0);
    cr_expect_eq(l->span.end, strlen("Posso pagare online?"));
    l = fixture_label(fixture_classify("Buongiorno, devo pagare?"), "spam");
    cr_assert_not_null(l);
    cr_expect_eq(l->span.start, strlen("Buongiorno"));
    cr_expect_not(fixture_has("Buongiorno posso pagare?", "spam"));
    cr_expect_not(fixture_has("Oh posso pagare?", "spam"));
    fixture_teardown();
}

/* The rarest anchor ("sindac") lies an unbounded distance into a match, so
 * a bounded one ("ladr", "buffon") tells where matches may start: a match
 * far into a long comment is found, and none without a bounded anchor. */
Test(tenant_rules, unbounded_anchor_with_bounded_window) {
    static const struct text_rule extra[] = {
        { "tenant.x.ladri", "spam", "\\b(?:ladr|buffon)\\w* (?:del )?(?:sindac|assessor)\\w*",
          TEXT_SEV_LOW, NULL },
    };
    char text[2048] = "Il sindaco ha parlato. ";
    for (int i = 0; i < 40; i++) strcat(text, "Bella giornata in piazza. ");
    strcat(text, "Siete ladri del sindaco!");
    fixture_setup_rules(extra, 1);
    const struct text_label *l = fixture_label(fixture_classify(text), "spam");
    cr_assert_not_null(l);
    cr_expect_eq(l->span.start, strlen(text) - strlen("ladri del sindaco!"));
    cr_expect_eq(l->span.end, strlen(text) - 1);
    cr_expect(fixture_has("buffoni assessori", "spam"));
    cr_expect_not(fixture_has("Il sindaco ladro", "spam"));
    cr_expect_not(fixture_has("Il sindaco e l'assessore", "spam"));
    fixture_teardown();
}

/* A rule made a candidate by one anchor set ("servizio", "gestione") is
 * run only when a second set of the pattern ("pessim", "pietos") occurs
 * too; when both do, wherever they are, it matches as before. */
Test(tenant_rules, second_anchor_set_required) {
    static const struct text_rule extra[] = {
        { "tenant.x.pessimo", "spam", "\\b(?:pessim|pietos)[oa] (?:gestione|servizio)\\b",
          TEXT_SEV_LOW, NULL },
    };
    char text[2048] = "Il servizio era pessimo. ";
    for (int i = 0; i < 40; i++) strcat(text, "Bella giornata in piazza. ");
    strcat(text, "Davvero una pietosa gestione.");
    fixture_setup_rules(extra, 1);
    const struct text_label *l = fixture_label(fixture_classify(text), "spam");
    cr_assert_not_null(l);
    cr_expect_eq(l->span.start, strlen(text) - strlen("pietosa gestione."));
    cr_expect(fixture_has("Che pessimo servizio", "spam"));
    cr_expect_not(fixture_has("Ottimo servizio, buona gestione", "spam"));
    cr_expect_not(fixture_has("Pessima la gestione", "spam"));
    fixture_teardown();
}

/* Spam as it reaches a municipal page: income promises, giveaways, chain messages, pills,
 * bought followers, dating bait; and the civic texts that share their words. */
Test(rules, spam_shapes) {
    static const char *const spam[] = {
        "Reddito extra da casa, scrivimi",
        "ho guadagnato 3000 euro in una settimana con questo metodo",
        "GIVEAWAY! in palio un iPhone 15, metti like e condividi",
        "condividi con 10 amici o avrai sfortuna",
        "perdi 10 kg in 2 settimane senza dieta",
        "compra follower reali",
        "ragazze single nella tua zona",
        "cerco collaboratori per lavoro online, guadagni da subito",
    };
    fixture_expect_all(spam, FIXTURE_N(spam), "spam");
    static const char *const civic[] = {
        "la palestra comunale offre corsi per perdere peso",
        "condividete l'avviso con i vostri vicini",
        "il reddito di cittadinanza e stato sospeso",
        "in palio una targa per il miglior presepe",
    };
    fixture_expect_none(civic, FIXTURE_N(civic), "spam");
}
