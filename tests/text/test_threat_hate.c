/* The threat and hate rules of data/rules/threat.tsv and hate.tsv in their
 * general Italian forms: direct, conditional, wished and third-person
 * threats; dehumanisation and derogation of protected groups as statement,
 * opinion and question.  Idioms and ordinary statements about the same
 * groups are the hard negatives. */
#include "text_fixture.h"

#include <criterion/criterion.h>

TestSuite(threat_hate, .init = fixture_setup, .fini = fixture_teardown);

#define N(a) FIXTURE_N(a)

Test(threat_hate, direct_threats) {
    static const char *const texts[] = {
        "Assessore, io ti faccio fuori",
        "se continui vi faccio a pezzi",
        "ti pesto appena esci",
        "gli spaccherei la faccia",
        "ti romperei le gambe",
        "vi brucio",
        "ti taglio la gola",
        "sei un uomo morto",
        "voglio ammazzare tutti gli immigrati",
        "bisognerebbe sterminare i rom",
    };
    fixture_expect_all(texts, N(texts), "threat");
}

Test(threat_hate, conditional_threats) {
    static const char *const texts[] = {
        "se ti becco al mercato sei morto",
        "quando vi troviamo sotto casa vi spacco le ossa",
        "se passo di li vi massacro",
        "appena ti vedo ti faccio del male",
    };
    fixture_expect_all(texts, N(texts), "threat");
}

Test(threat_hate, wished_and_third_person) {
    static const char *const texts[] = {
        "dovresti morire",
        "quel consigliere deve morire",
        "meriti di essere picchiato",
        "qualcuno dovrebbe sparargli",
        "spero che tu muoia presto",
        "spero che lo investano",
        "che ti venga un cancro",
        "si merita una pallottola",
        "Crepa!",
    };
    fixture_expect_all(texts, N(texts), "threat");
}

Test(threat_hate, idioms_are_not_threats) {
    static const char *const texts[] = {
        "la sagra era bella da morire",
        "ammazza che bello il nuovo parco",
        "mi fa morire dal ridere questo video",
        "bisognerebbe uccidere la burocrazia",
        "devi morire dal ridere con quel comico",
        "ti ammazzo di baci nonna",
        "se ti vedo ti faccio un saluto",
        "se passo di li vi faccio sapere",
        "ti prenda un colpo di sole",
        "il centro storico non deve morire",
        "le foglie le bruciamo nel campo",
        "spero che non ti venga un accidente",
        "c'e una crepa nel muro della scuola",
        "le sterpaglie devono essere bruciate",
    };
    fixture_expect_none(texts, N(texts), "threat");
}

Test(threat_hate, reported_threats_are_not_the_authors) {
    static const char *const texts[] = {
        "il vicino mi ha detto 'ti ammazzo'",
        "mi ha detto: ti ammazzo",
        "ho ricevuto minacce",
        "mi hanno scritto ti spacco la faccia, cosa faccio?",
    };
    fixture_expect_none(texts, N(texts), "threat");
}

/* A call to come armed is incitement; a report of people who are armed, or a call to come
 * without weapons, is not. */
Test(threat_hate, calls_to_arms_not_reports_of_them) {
    static const char *const calls[] = {
        "ragazzi portate le mazze stasera",
        "stasera tutti sotto casa del sindaco con le mazze",
        "andiamo al campo con le taniche di benzina",
    };
    fixture_expect_all(calls, N(calls), "incitement");
    static const char *const reports[] = {
        "ci sono dei ragazzi con le mazze davanti alla scuola, chiamate i vigili",
        "protestiamo pure, ma con i cartelli, non con i sassi",
        "un uomo con i bastoni da trekking in piazza",
    };
    fixture_expect_none(reports, N(reports), "incitement");
}

Test(threat_hate, dehumanising_comparisons) {
    static const char *const texts[] = {
        "gli ebrei sono un cancro",          "i musulmani sono un virus per l'Europa",
        "quella feccia di immigrati",        "quelle bestie dei musulmani",
        "gli stranieri vivono come animali", "le donne sono delle bestie",
        "i disabili non sono esseri umani",  "questi zingari sono topi",
    };
    fixture_expect_all(texts, N(texts), "hate_speech");
}

Test(threat_hate, derogation_as_opinion_and_question) {
    static const char *const texts[] = {
        "secondo me i rom sono tutti ladri",
        "penso che gli immigrati siano criminali",
        "non sono razzista ma gli immigrati mi fanno schifo",
        "perche gli zingari devono sempre rubare?",
        "perche i gay sono cosi schifosi?",
        "odio i musulmani",
        "i meridionali sono fannulloni per natura",
        "gli omosessuali non dovrebbero avere figli",
    };
    fixture_expect_all(texts, N(texts), "hate_speech");
}

Test(threat_hate, groups_named_without_hate) {
    static const char *const texts[] = {
        "gli immigrati sono una risorsa",
        "i rom sono cittadini come noi",
        "le donne sono forti",
        "perche gli immigrati devono fare la fila in questura?",
        "i sacchi neri sono rifiuti indifferenziati",
        "gli immigrati sono tutti uguali davanti alla legge",
        "odio la burocrazia",
        "i disabili sono in difficolta per le barriere",
        "il cane del vicino e un animale",
        "i topi in cantina della scuola",
    };
    fixture_expect_none(texts, N(texts), "hate_speech");
}
