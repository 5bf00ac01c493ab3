/* Drafts of the municipality's own editors against the "editors" section of the tenant
 * (services/console/console_check.c): problems with evidence and clause, personal data
 * that would be redacted, and what the editors' section does not forbid. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console.h"

static struct console_checker *checker;
static struct tenant_set *tenants;

static void setup(void) {
    char err[4096];
    tenants = tenant_set_load(SOURCE_DIR "/config", err, sizeof err);
    cr_assert(tenants, "%s", err);
    checker = console_checker_new(SOURCE_DIR "/data", SOURCE_DIR "/config", err, sizeof err);
    cr_assert(checker, "%s", err);
}

static void teardown(void) {
    console_checker_free(checker);
    tenant_set_free(tenants);
}

TestSuite(console_check, .init = setup, .fini = teardown);

static json_t *check(const char *tenant, const char *text) {
    char err[256];
    json_t *doc = console_check_draft(checker, tenant_set_find(tenants, tenant), text,
                                      1796000000000, err, sizeof err);
    cr_assert(doc, "%s", err);
    return doc;
}

static const json_t *problem(const json_t *doc, const char *category) {
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(doc, "problems"), i,
                       p) if (strcmp(json_string_value(json_object_get(p, "category")), category) ==
                              0) return p;
    return NULL;
}

Test(console_check, political_content_is_a_problem_for_cassinos_editors) {
    const char *text = "Domenica votate la lista del sindaco alle elezioni!";
    json_t *doc = check("cassino", text);
    const json_t *p = problem(doc, "political_propaganda");
    cr_assert(p, "%s", json_dumps(doc, 0));
    cr_expect(json_is_false(json_object_get(doc, "ok")));
    cr_expect(strstr(json_string_value(json_object_get(p, "policy_ref")), "editor"),
              "the clause that binds editors is cited");
    const char *ev = json_string_value(json_array_get(json_object_get(p, "evidence"), 0));
    cr_assert(ev);
    cr_expect(strstr(text, ev), "the evidence is a piece of the draft: %s", ev);
    json_decref(doc);
}

Test(console_check, the_same_draft_is_fine_where_the_editors_section_is_silent) {
    json_t *doc = check("arese", "Domenica votate la lista del sindaco alle elezioni!");
    cr_expect(json_is_true(json_object_get(doc, "ok")));
    cr_expect_gt(json_array_size(json_object_get(doc, "other_labels")), 0,
                 "the label is still shown, as not forbidden to editors");
    json_decref(doc);
}

Test(console_check, personal_data_is_redacted_and_alessandria_forbids_it) {
    json_t *doc = check("alessandria", "Per informazioni chiamate Mario Rossi al 333 1234567.");
    cr_expect(problem(doc, "personal_data"), "%s", json_dumps(doc, 0));
    const char *red = json_string_value(json_object_get(doc, "redacted_text"));
    cr_assert(red);
    cr_expect_null(strstr(red, "1234567"), "%s", red);
    cr_expect_gt(json_array_size(json_object_get(doc, "personal_data")), 0);
    json_decref(doc);
}

Test(console_check, a_plain_announcement_passes) {
    json_t *doc = check("tradate", "Sabato mattina la biblioteca resta aperta dalle 9 alle 12.");
    cr_expect(json_is_true(json_object_get(doc, "ok")), "%s", json_dumps(doc, 0));
    json_decref(doc);
}

/* Runs vigile-config check-draft on text; returns the exit status, output in out. */
static int run_cli(const char *tenant, const char *text, char *out, size_t n) {
    char path[] = "/tmp/test-draft-XXXXXX", cmd[512];
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    snprintf(cmd, sizeof cmd,
             "VIGILE_CONFIG_DIR=%s/config VIGILE_DATA_DIR=%s/data "
             "%s/services/vigile-config check-draft --tenant %s %s",
             SOURCE_DIR, SOURCE_DIR, BUILD_DIR, tenant, path);
    FILE *p = popen(cmd, "r");
    cr_assert(p);
    size_t got = fread(out, 1, n - 1, p);
    out[got] = '\0';
    int status = pclose(p);
    unlink(path);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(console_check, vigile_config_check_draft_exits_3_on_a_problem) {
    static char out[65536];
    cr_expect_eq(run_cli("tradate", "Votate la lista del sindaco alle elezioni!", out, sizeof out),
                 3);
    cr_expect(strstr(out, "\"political_propaganda\"") &&
                  strstr(out, "non prevedono contenuti di tipo politico"),
              "%s", out);
    cr_expect_eq(run_cli("tradate", "Sabato la biblioteca apre alle 9.", out, sizeof out), 0, "%s",
                 out);
    cr_expect_eq(run_cli("nessuno", "testo", out, sizeof out), 2);
}

Test(console_check, a_bad_editors_section_names_its_path) {
    char dir[] = "/tmp/test-editors-XXXXXX", cmd[512], err[4096];
    cr_assert(mkdtemp(dir));
    snprintf(cmd, sizeof cmd,
             "cp -r %s/config/. %s && /usr/bin/python3 -c \"import json; "
             "p='%s/tenants/tradate.json'; d=json.load(open(p)); "
             "d['editors']['categories']['gossip']='x'; d['editors']['categories']['spam']=''; "
             "json.dump(d, open(p, 'w'))\"",
             SOURCE_DIR, dir, dir);
    cr_assert_eq(system(cmd), 0);
    struct tenant_set *set = tenant_set_load(dir, err, sizeof err);
    cr_expect_null(set);
    cr_expect(strstr(err, "$.editors.categories.gossip: unknown category id"), "%s", err);
    cr_expect(strstr(err, "$.editors.categories.spam: must not be empty"), "%s", err);
    tenant_set_free(set);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}
