/* SLA deadlines on the shipped tenants, and `vigile-sla due` printing them. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "rome_time.h"
#include "sla_due.h"
#include "tenant.h"
#include "timefmt.h"

static struct tenant_set *set;

static void load(void) {
    char err[4096];
    set = tenant_set_load(SOURCE_DIR "/config", err, sizeof err);
    cr_assert_not_null(set, "%s", err);
}

static void unload(void) { tenant_set_free(set); }

static int64_t at(const char *s) {
    int64_t ms;
    cr_assert_eq(rfc3339_parse(s, &ms), 0, "bad instant in test: %s", s);
    return ms;
}

static struct sla_deadlines compute(const char *tenant, const char *from, int removal) {
    const struct tenant *t = tenant_set_find(set, tenant);
    cr_assert_not_null(t, "%s", tenant);
    struct sla_deadlines d;
    cr_assert_eq(sla_deadlines_compute(t, at(from), removal, &d), 0);
    return d;
}

static void expect_at(int64_t got, const char *want, const char *what) {
    char buf[ROME_TIME_LEN];
    cr_expect_eq(got, at(want), "%s: got %s, want %s", what,
                 got == SLA_NONE ? "none" : rome_format(got, buf), want);
}

Test(sla_due, lecce_friday_evening_is_taken_on_monday, .init = load, .fini = unload) {
    struct sla_deadlines d = compute("lecce", "2026-03-06T18:00:00+01:00", 1);
    expect_at(d.taken_at, "2026-03-09T09:00:00+01:00", "taken");
    expect_at(d.due[SLA_TAKE_CHARGE], "2026-03-09T09:00:00+01:00", "take_charge");
    /* 24 office hours at 8.5 a day: Monday, Tuesday, and 7 hours of Wednesday. */
    expect_at(d.due[SLA_RESPONSE], "2026-03-11T16:00:00+01:00", "response");
    expect_at(d.due[SLA_REMOVAL], "2026-03-09T10:00:00+01:00", "removal");
    cr_expect_eq(d.due[SLA_COURTESY], SLA_NONE, "Lecce has no courtesy reply");
    /* The warning comes when it is due, the breach after due_soon_minutes (60). */
    expect_at(d.fire[SLA_TAKE_CHARGE][SLA_EV_DUE_SOON], "2026-03-09T09:00:00+01:00", "warn");
    expect_at(d.fire[SLA_TAKE_CHARGE][SLA_EV_BREACHED], "2026-03-09T10:00:00+01:00", "breach");
    expect_at(d.fire[SLA_RESPONSE][SLA_EV_DUE_SOON], "2026-03-11T15:00:00+01:00", "warn");
}

Test(sla_due, lecce_monday_holiday_moves_to_tuesday, .init = load, .fini = unload) {
    struct sla_deadlines d = compute("lecce", "2026-04-03T18:00:00+02:00", 0);
    expect_at(d.taken_at, "2026-04-07T09:00:00+02:00", "after Easter Monday");
    cr_expect_eq(d.due[SLA_REMOVAL], SLA_NONE, "no removal unless the content must go");
}

Test(sla_due, tradate_courtesy_when_the_24_hours_run_out, .init = load, .fini = unload) {
    struct sla_deadlines d = compute("tradate", "2026-03-06T18:00:00+01:00", 0);
    expect_at(d.taken_at, "2026-03-09T14:00:00+01:00", "taken");
    expect_at(d.due[SLA_RESPONSE], "2026-03-18T17:00:00+01:00", "response");
    expect_at(d.fire[SLA_COURTESY][SLA_EV_COURTESY], "2026-03-18T17:00:00+01:00", "courtesy");
    cr_expect_eq(d.fire[SLA_COURTESY][SLA_EV_BREACHED], SLA_NONE);
}

Test(sla_due, message_inside_hours_is_taken_at_once, .init = load, .fini = unload) {
    struct sla_deadlines d = compute("alessandria", "2026-03-10T16:59:00+01:00", 1);
    expect_at(d.taken_at, "2026-03-10T16:59:00+01:00", "taken");
    /* Removal: 60 moderation minutes, one of them left today. */
    expect_at(d.due[SLA_REMOVAL], "2026-03-11T09:59:00+01:00", "removal");
}

Test(sla_due, names_round_trip) {
    for (int k = 0; k < SLA_KINDS; k++) cr_expect_eq(sla_kind_parse(sla_kind_name(k)), k);
    for (int e = 0; e < SLA_EVENTS; e++) cr_expect_eq(sla_event_parse(sla_event_name(e)), e);
    cr_expect_eq(sla_kind_parse("ack"), -1);
}

/* Runs vigile-sla with args; returns its output (new) and exit code in *code. */
static char *run_cli(const char *args, int *code) {
    char cmd[1024], *out = NULL;
    size_t len = 0;
    snprintf(cmd, sizeof cmd,
             "VIGILE_CONFIG_DIR='%s/config' '%s/services/vigile-sla' due %s 2>/dev/null",
             SOURCE_DIR, BUILD_DIR, args);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    FILE *mem = open_memstream(&out, &len);
    char buf[512];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) fwrite(buf, 1, n, mem);
    fclose(mem);
    int status = pclose(p);
    *code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

Test(sla_due_cli, prints_every_kind_of_the_tenant) {
    int code;
    char *out = run_cli("--tenant lecce --from 2026-03-06T18:00:00+01:00", &code);
    cr_expect_eq(code, 0);
    cr_expect_str_eq(out, "take_charge\t2026-03-09T09:00:00+01:00\n"
                          "response\t2026-03-11T16:00:00+01:00\n"
                          "removal\t2026-03-09T10:00:00+01:00\n");
    free(out);
    out = run_cli("--tenant tradate --from 2026-03-06T17:00:00Z --kind courtesy", &code);
    cr_expect_eq(code, 0);
    cr_expect_str_eq(out, "courtesy\t2026-03-18T17:00:00+01:00\n");
    free(out);
}

Test(sla_due_cli, one_kind_after_a_holiday_monday) {
    int code;
    char *out =
        run_cli("--tenant lecce --from 2026-04-03T18:00:00+02:00 --kind take_charge", &code);
    cr_expect_eq(code, 0);
    cr_expect_str_eq(out, "take_charge\t2026-04-07T09:00:00+02:00\n");
    free(out);
}

Test(sla_due_cli, refuses_bad_input_with_exit_2) {
    static const char *const bad[] = {
        "--tenant lecce --from yesterday",
        "--tenant atlantide --from 2026-03-06T18:00:00Z",
        "--tenant lecce --from 2026-03-06T18:00:00Z --kind courtesy",
        "--tenant lecce --from 2026-03-06T18:00:00Z --kind ack",
        "--tenant lecce",
        "--tenant lecce --from 2026-03-06T18:00:00Z --colour red",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int code;
        char *out = run_cli(bad[i], &code);
        cr_expect_eq(code, 2, "%s: exit %d", bad[i], code);
        cr_expect_str_empty(out, "%s printed %s", bad[i], out);
        free(out);
    }
}
