/* Tenants: the five shipped municipalities load and differ where their policies differ;
 * every bad configuration under tests/fixtures/config-bad produces its exact error lines. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <criterion/criterion.h>
#include <dirent.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tenant.h"

#ifndef SOURCE_DIR
#define SOURCE_DIR "."
#endif
#define ERR_LEN 16384

static struct tenant_set *set;

static void load_shipped(void) {
    static char err[ERR_LEN];
    set = tenant_set_load(SOURCE_DIR "/config", err, sizeof err);
    cr_assert_not_null(set, "config/ does not load:\n%s", err);
}

static void unload(void) { tenant_set_free(set); }

static const struct tenant *tenant(const char *id) {
    const struct tenant *t = tenant_set_find(set, id);
    cr_assert_not_null(t, "no tenant %s", id);
    return t;
}

static const struct tenant_category_rule *rule(const char *id, const char *category) {
    const struct tenant_category_rule *r = tenant_category(tenant(id), category);
    cr_assert_not_null(r, "%s has no rule for %s", id, category);
    return r;
}

TestSuite(tenant, .init = load_shipped, .fini = unload);

Test(tenant, ships_the_five_seeds) {
    static const char *const ids[] = { "alessandria", "arese", "cassino", "lecce", "tradate" };
    cr_assert_eq(tenant_set_count(set), 5);
    for (size_t i = 0; i < 5; i++) cr_expect_str_eq(tenant_id(tenant_set_at(set, i)), ids[i]);
    cr_expect_str_eq(tenant_display_name(tenant("lecce")), "Comune di Lecce");
}

Test(tenant, every_rule_is_traceable) {
    size_t n;
    const char *const *cats = tenant_category_ids(&n);
    cr_assert_eq(n, 19);
    for (size_t i = 0; i < tenant_set_count(set); i++) {
        const struct tenant *t = tenant_set_at(set, i);
        for (size_t c = 0; c < n; c++) {
            const struct tenant_category_rule *r = tenant_category(t, cats[c]);
            cr_assert_not_null(r, "%s: %s", tenant_id(t), cats[c]);
            cr_expect(r->policy_ref && strstr(r->policy_ref, "«"), "%s: %s", tenant_id(t), cats[c]);
            cr_expect(r->section && *r->section, "%s: %s", tenant_id(t), cats[c]);
            cr_expect(!r->template_id || tenant_template(t, r->template_id));
        }
        cr_expect_not_null(tenant_ladder(t)->policy_ref, "%s", tenant_id(t));
        cr_expect_not_null(tenant_sla(t)->policy_ref, "%s", tenant_id(t));
    }
}

Test(tenant, criticism_is_never_removed) {
    for (size_t i = 0; i < tenant_set_count(set); i++) {
        const struct tenant_category_rule *r = tenant_category(tenant_set_at(set, i), "criticism");
        cr_expect_eq(r->action, TENANT_ACTION_NONE);
        cr_expect_not(r->strike);
    }
}

Test(tenant, lecce_warns_before_banning) {
    const struct tenant *t = tenant("lecce");
    cr_assert_not_null(tenant_ladder_step(t, 1));
    cr_expect_eq(tenant_ladder_step(t, 1)->step, TENANT_STEP_WARN);
    cr_expect_eq(tenant_ladder_step(t, 2)->step, TENANT_STEP_BAN);
    cr_expect_eq(tenant_ladder_step(t, 7)->step, TENANT_STEP_BAN);
    cr_expect_null(tenant_ladder_step(t, 0));
    cr_expect(strstr(tenant_ladder(t)->policy_ref, "saranno prima avvisati"));
}

Test(tenant, alessandria_and_arese_ban_repeat_offenders) {
    static const char *const ids[] = { "alessandria", "arese" };
    for (size_t i = 0; i < 2; i++) {
        const struct tenant *t = tenant(ids[i]);
        cr_expect_null(tenant_ladder_step(t, 1), "%s: one violation is not repetition", ids[i]);
        const struct tenant_strike_step *s = tenant_ladder_step(t, 2);
        cr_assert_not_null(s);
        cr_expect_eq(s->step, TENANT_STEP_BAN);
        cr_expect(s->review, "%s: the policy reserves the ban to the staff", ids[i]);
        cr_expect_eq(tenant_ladder(t)->report_platform_from, TENANT_STEP_BAN);
    }
}

Test(tenant, threats_go_straight_to_the_legal_office) {
    static const char *const ids[] = { "lecce", "alessandria", "arese" };
    static const char *const legal[] = { "avvocatura", "avvocatura", "segreteria_legale" };
    for (size_t i = 0; i < 3; i++) {
        const struct tenant_category_rule *r = rule(ids[i], "threat");
        cr_expect(r->ban_at_once && r->report_police && r->ticket, "%s", ids[i]);
        cr_expect_str_eq(r->office, legal[i]);
        cr_expect_str_eq(tenant_route(tenant(ids[i]), NULL, "police"), legal[i]);
        cr_expect_eq(r->severity, 3);
    }
}

Test(tenant, tradate_never_deletes_profanity) {
    const struct tenant *t = tenant("tradate");
    cr_expect_eq(rule("tradate", "profanity")->action, TENANT_ACTION_NONE);
    size_t n;
    const char *const *cats = tenant_category_ids(&n);
    for (size_t c = 0; c < n; c++) {
        const struct tenant_category_rule *r = tenant_category(t, cats[c]);
        if (r->action == TENANT_ACTION_DELETE)
            cr_expect_eq(r->severity, 3, "Tradate deletes only grave violations, not %s", cats[c]);
    }
    cr_expect_eq(rule("lecce", "profanity")->action, TENANT_ACTION_HIDE);
    cr_expect_eq(tenant_ladder(t)->nsteps, 0, "the internal policy provides no bans");
}

Test(tenant, model_thresholds_come_from_the_baseline) {
    const struct tenant_category_rule *r = rule("lecce", "insult");
    cr_expect(r->model_review > 0 && r->model_review <= r->model_remove && r->model_remove <= 1,
              "insult: review %g, remove %g", r->model_review, r->model_remove);
    r = rule("lecce", "personal_data");
    cr_expect_eq(r->model_review, TENANT_MODEL_NEVER, "personal data is the scanners' alone");
    cr_expect_eq(r->model_remove, TENANT_MODEL_NEVER);
    cr_expect_eq(rule("lecce", "criticism")->model_remove, TENANT_MODEL_NEVER);
}

Test(tenant, tradate_model_only_reviews) {
    /* "delete nothing but grave violations": what only the model saw is not grave enough
     * to act on unseen; it still asks a person. */
    size_t n;
    const char *const *cats = tenant_category_ids(&n);
    for (size_t c = 0; c < n; c++) {
        const struct tenant_category_rule *r = rule("tradate", cats[c]);
        cr_expect_eq(r->model_remove, TENANT_MODEL_NEVER, "tradate %s", cats[c]);
        cr_expect_eq(r->model_review, rule("lecce", cats[c])->model_review, "tradate %s", cats[c]);
    }
}

Test(tenant, tradate_answers_in_24_working_hours_with_a_courtesy_reply) {
    const struct tenant *t = tenant("tradate");
    const struct tenant_sla *sla = tenant_sla(t);
    cr_expect_eq(sla->response_working_hours, 24);
    cr_assert_not_null(sla->courtesy_template);
    struct tenant_render_vars v = { 0 };
    char *text = tenant_render(t, sla->courtesy_template, &v);
    cr_expect(strstr(text, "Gentile utente") && strstr(text, "Biblioteca Frera"), "%s", text);
    cr_expect_null(strchr(text, '{'), "no placeholder left: %s", text);
    free(text);
    const struct cal_day *mon = &tenant_calendar(t)->moderation.day[CAL_MON];
    cr_expect(mon->n == 1 && mon->iv[0].start == 14 * 60 && mon->iv[0].end == 17 * 60);
    cr_expect_eq(tenant_calendar(t)->moderation.day[CAL_SAT].n, 0);
}

Test(tenant, alessandria_holds_private_messages_and_third_party_posts) {
    const char *tpl = NULL;
    cr_expect_not_null(tenant_premoderation(tenant("alessandria"), "private_message", &tpl));
    cr_expect_str_eq(tpl, "motivazione_trattenuto");
    cr_expect_not_null(tenant_premoderation(tenant("alessandria"), "post", NULL));
    cr_expect_null(tenant_premoderation(tenant("alessandria"), "comment", NULL));
    static const char *const after[] = { "lecce", "arese", "tradate", "cassino" };
    for (size_t i = 0; i < 4; i++)
        cr_expect_null(tenant_premoderation(tenant(after[i]), "private_message", NULL), "%s",
                       after[i]);
}

Test(tenant, arese_redirects_service_reports_to_its_reporting_service) {
    const struct tenant *t = tenant("arese");
    const struct tenant_category_rule *r = rule("arese", "service_report");
    cr_expect_eq(r->action, TENANT_ACTION_REPLY);
    cr_expect(strstr(tenant_template(t, r->template_id), "https://servizi.arese.comune.cloud/"));
    r = rule("arese", "application");
    cr_expect_eq(r->action, TENANT_ACTION_REPLY);
    cr_expect(strstr(tenant_template(t, r->template_id),
                     "https://comune.arese.mi.it/#hai-bisogno-di-aiuto"));
    r = rule("arese", "crime_report");
    cr_expect_eq(r->action, TENANT_ACTION_REPLY);
    cr_expect(strstr(tenant_template(t, r->template_id), "denunciare un reato"));
    cr_expect_eq(rule("lecce", "service_report")->action, TENANT_ACTION_ESCALATE);
}

Test(tenant, arese_library_pages_are_run_by_csbno) {
    const struct tenant *t = tenant("arese");
    const struct tenant_channel *c = tenant_channel_by_page(t, "facebook", "100064829642734");
    cr_assert_not_null(c);
    cr_expect_str_eq(c->id, "facebook-biblioteca");
    const struct tenant_office *o = tenant_office(t, c->office);
    cr_assert_not_null(o);
    cr_expect(o->external);
    cr_expect(strstr(o->name, "CSBNO"));
    cr_expect_str_eq(tenant_route(t, "facebook-biblioteca", "information_request"), "csbno");
    cr_expect_str_eq(tenant_route(t, "facebook-comune", "information_request"), "urp");
    cr_expect_str_eq(tenant_route(t, "facebook-biblioteca", "insult"), "csbno",
                     "unrouted categories go to the channel's reviewers");
    cr_expect_eq(tenant_channel_count(t), 7);
}

Test(tenant, lecce_sub_channels) {
    static const char *const names[] = { "Polizia Locale Lecce",
                                         "Visit Lecce",
                                         "MUST – Museo storico della Città di Lecce",
                                         "Progetto Samoa – Mobilità a Lecce",
                                         "Laboratorio comunale per l'accessibilità",
                                         "Lecce città che Legge" };
    const struct tenant *t = tenant("lecce");
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
        int found = 0;
        for (size_t i = 0; i < tenant_channel_count(t); i++)
            found |= strcmp(tenant_channel_at(t, i)->name, names[n]) == 0;
        cr_expect(found, "no channel %s", names[n]);
    }
    cr_expect_str_eq(tenant_route(t, "facebook-polizia-locale", "information_request"),
                     "polizia_locale");
    cr_expect_str_eq(tenant_office(t, "ufficio_stampa")->email, "ufficiostampa@comune.lecce.it");
    cr_expect_eq(tenant_set_find_page(set, "facebook", "comune.lecce"), t);
    cr_expect_null(tenant_set_find_page(set, "facebook", "nessuna"));
}

Test(tenant, alessandria_mayor_profiles_are_not_channels) {
    const struct tenant *t = tenant("alessandria");
    for (size_t i = 0; i < tenant_channel_count(t); i++)
        cr_expect_str_eq(tenant_channel_at(t, i)->office, "comunicazione");
    cr_expect_eq(tenant_channel_count(t), 4);
}

Test(tenant, lecce_statement_of_reasons) {
    const struct tenant *t = tenant("lecce");
    const struct tenant_category_rule *r = rule("lecce", "insult");
    cr_expect_eq(r->action, TENANT_ACTION_HIDE);
    struct tenant_render_vars v = { .rule = r };
    char *text = tenant_render(t, r->template_id, &v);
    cr_expect_str_eq(text, "Il commento è stato nascosto perché contiene insulti o offese, come "
                           "previsto dalla Social media policy del Comune di Lecce, sezione "
                           "Moderazione.");
    free(text);
    const struct tenant_strike_step *s = tenant_ladder_step(t, 1);
    v.policy_ref = tenant_ladder(t)->policy_ref;
    text = tenant_render(t, s->template_id, &v);
    cr_expect(strstr(text, "contiene insulti o offese"), "%s", text);
    cr_expect(strstr(text, "(sezione Moderazione)"), "%s", text);
    free(text);
    cr_expect_null(tenant_render(t, "nessuno", NULL));
}

Test(tenant, render_office_placeholders) {
    const struct tenant *t = tenant("lecce");
    struct tenant_render_vars v = { .office = "ufficio_stampa" };
    cr_expect_null(tenant_template_ref(t, "motivazione_nascosto"), "cites the rule's section");
    cr_expect_not_null(tenant_template_ref(t, "rinvio_ufficio_stampa"));
    char *text = tenant_render(t, "rinvio_reato", &v);
    cr_expect(strstr(text, "I canali social del Comune di Lecce"), "%s", text);
    free(text);
}

Test(tenant, null_in_a_tenant_deletes_the_baseline_value) {
    const struct tenant_category_rule *r = rule("lecce", "off_topic");
    cr_expect_eq(r->action, TENANT_ACTION_NONE);
    cr_expect_null(r->template_id);
    cr_expect_str_eq(rule("alessandria", "off_topic")->template_id, "motivazione_nascosto");
}

Test(tenant, patron_days) {
    static const struct {
        const char *id;
        int m, d;
    } cases[] = {
        { "tradate", 12, 26 }, { "alessandria", 11, 10 }, { "lecce", 8, 26 },
        { "arese", 6, 29 },    { "cassino", 3, 21 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct calendar *cal = tenant_calendar(tenant(cases[i].id));
        cr_expect_str_eq(cal->timezone, "Europe/Rome");
        cr_expect(cal->holidays.has_patron && cal->holidays.patron.month == cases[i].m &&
                      cal->holidays.patron.day == cases[i].d,
                  "%s", cases[i].id);
        cr_expect_not_null(cal_holiday(&cal->holidays, 2027, cases[i].m, cases[i].d));
        cr_expect_not_null(cal_holiday(&cal->holidays, 2026, 4, 6), "Easter Monday");
    }
    cr_expect_null(cal_holiday(&tenant_calendar(tenant("lecce"))->holidays, 2027, 11, 10));
}

Test(tenant, tenant_rules_are_compiled) {
    const struct tenant *t = tenant("lecce");
    cr_assert_eq(tenant_rule_count(t), 1);
    const struct tenant_rule *r = tenant_rule_at(t, 0);
    cr_expect_str_eq(r->category, "political_propaganda");
    pcre2_match_data *md = pcre2_match_data_create(4, NULL);
    static const char yes[] = "Domenica VOTATE la lista del sindaco!";
    static const char no[] = "Chi ha votato questo progetto?";
    cr_expect_gt(
        pcre2_match((const pcre2_code *)r->code, (PCRE2_SPTR)yes, strlen(yes), 0, 0, md, NULL), 0);
    cr_expect_lt(
        pcre2_match((const pcre2_code *)r->code, (PCRE2_SPTR)no, strlen(no), 0, 0, md, NULL), 0);
    pcre2_match_data_free(md);
}

/* ---- bad configurations ---------------------------------------------------------- */

static char *read_file(const char *path) {
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    static char buf[ERR_LEN];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    while (n && buf[n - 1] == '\n') n--;
    buf[n] = '\0';
    return buf;
}

Test(tenant_bad, every_fixture_fails_with_its_exact_lines) {
    cr_assert_eq(chdir(SOURCE_DIR "/tests/fixtures/config-bad"), 0);
    char err[ERR_LEN];
    struct tenant_set *ok = tenant_set_load("_valid", err, sizeof err);
    cr_assert_not_null(ok, "_valid does not load:\n%s", err);
    tenant_set_free(ok);
    struct dirent **names;
    int n = scandir(".", &names, NULL, alphasort);
    int cases = 0;
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        char expected_path[512];
        snprintf(expected_path, sizeof expected_path, "%s/expected.txt", name);
        if (name[0] != '.' && name[0] != '_' && access(expected_path, R_OK) == 0) {
            struct tenant_set *bad = tenant_set_load(name, err, sizeof err);
            cr_expect_null(bad, "%s loaded", name);
            tenant_set_free(bad);
            cr_expect_str_eq(err, read_file(expected_path), "case %s", name);
            cases++;
        }
        free(names[i]);
    }
    free(names);
    cr_expect_geq(cases, 14);
}

Test(tenant_bad, missing_directory) {
    char err[512];
    cr_expect_null(tenant_set_load("/nonexistent", err, sizeof err));
    cr_expect_str_eq(err, "/nonexistent/baseline.json: $: cannot read: unable to open "
                          "/nonexistent/baseline.json: No such file or directory\n"
                          "/nonexistent/tenants: $: cannot read the directory: No such file or "
                          "directory");
}

Test(tenant_bad, small_error_buffer_truncates_safely) {
    char err[40];
    cr_expect_null(
        tenant_set_load(SOURCE_DIR "/tests/fixtures/config-bad/schedule", err, sizeof err));
    cr_expect_eq(strlen(err), sizeof err - 1);
}
