/* The bad-input corpus (tests/badinput/manifest.tsv) at every stage that can meet it,
 * each stage called directly: every case is refused with its exact reason, within a
 * bound that tells a refusal from a hang, and the stage then takes a good input as if
 * nothing had happened. No broker, no Redis: test_badinput_kafka runs the same corpus
 * through the real workers. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "badinput.h"
#include "classify.h"
#include "ingest.h"
#include "route.h"
#include "sla.h"
#include "sla_timers.h"
#include "state.h"
#include "tenant.h"
#include "text_engine.h"
#include "timefmt.h"
#include "topics.h"

#define BADINPUT_DIR TESTS_DIR "/badinput"
/* Far above what any refusal costs (the 10 MB inputs take tens of milliseconds), far
 * below what a hang or a quadratic scan would take. */
#define CASE_BOUND_MS 2000
#define NOW_MS        1763632800000LL /* 2026-11-20T10:00:00Z */

static const char good_envelope[] =
    "{\"schema\":{\"name\":\"vigile.envelope\",\"version\":1},\"event_id\":\"good-1\","
    "\"tenant\":\"lecce\",\"platform\":\"facebook\",\"kind\":\"comment\",\"content_id\":\"c-g\","
    "\"author\":{\"id\":\"a-g\",\"name\":\"Maria Bianchi\"},\"text\":\"A che ora apre "
    "l'anagrafe sabato mattina?\",\"created_at\":\"2026-11-20T10:00:00Z\","
    "\"received_at\":\"2026-11-20T10:00:01Z\"}";

static struct state_store st;
static struct classifier *cls;
static struct router *router;
static struct sla *sla;
static struct tenant_set *tenants; /* the parsers' */
static struct stage_outputs out;
static char *good_classified; /* good_envelope as classify wrote it */

static struct tenant_set *load_tenants(void) {
    char err[4096];
    struct tenant_set *set = tenant_set_load(SOURCE_DIR "/config", err, sizeof err);
    cr_assert_not_null(set, "%s", err);
    return set;
}

static void setup(void) {
    char err[4096];
    state_mem_init(&st);
    cls = classifier_new(SOURCE_DIR "/data", load_tenants(), &st, "unit-key", err, sizeof err);
    cr_assert_not_null(cls, "%s", err);
    router = router_new(load_tenants(), &st, "unit-key", err, sizeof err);
    cr_assert_not_null(router, "%s", err);
    /* Nothing listens there: a refusal must come before any Redis call. */
    struct sla_timers *tm = sla_timers_new("redis://127.0.0.1:1", err, sizeof err);
    cr_assert_not_null(tm, "%s", err);
    sla = sla_new(load_tenants(), tm, SLA_LEASE_MS);
    tenants = load_tenants();
    struct stage_input in = { TOPIC_INBOUND, good_envelope, strlen(good_envelope) };
    cr_assert_eq(classifier_stage(cls, &in, &out, err, sizeof err), STAGE_OK, "%s", err);
    good_classified = out.v[0].value;
    out.v[0].value = NULL;
    stage_outputs_clear(&out);
}

static void teardown(void) {
    free(good_classified);
    stage_outputs_free(&out);
    tenant_set_free(tenants);
    sla_free(sla);
    router_free(router);
    classifier_free(cls);
    state_store_free(&st);
}

TestSuite(badinput, .init = setup, .fini = teardown, .timeout = 240);

static enum stage_status run_worker_stage(const char *stage, const char *bytes, size_t len,
                                          char *reason, size_t n) {
    struct stage_input in = { badinput_topic(stage), bytes, len };
    enum stage_status rc;
    if (strcmp(stage, "classify") == 0)
        rc = classifier_stage(cls, &in, &out, reason, n);
    else if (strncmp(stage, "route", 5) == 0)
        rc = router_stage(router, &in, &out, reason, n);
    else
        rc = sla_process(sla, &in, &out, reason, n);
    stage_outputs_clear(&out);
    return rc;
}

/* After a refusal the stage decides a good input of its main topic: classify and route
 * an envelope (OK); SLA's good ticket reaches for Redis, which is not here, so it asks to
 * retry instead of refusing. */
static void expect_carries_on(const char *stage) {
    static const char good_ticket[] =
        "{\"tenant\":\"lecce\",\"ticket_id\":\"t-good\","
        "\"office\":\"urp\",\"received_at\":\"2026-11-20T10:00:00Z\"}";
    char reason[512] = "";
    enum stage_status rc;
    if (strcmp(stage, "classify") == 0)
        rc = run_worker_stage("classify", good_envelope, strlen(good_envelope), reason,
                              sizeof reason);
    else if (strncmp(stage, "route", 5) == 0)
        rc = run_worker_stage("route", good_classified, strlen(good_classified), reason,
                              sizeof reason);
    else
        rc = run_worker_stage("sla", good_ticket, strlen(good_ticket), reason, sizeof reason);
    enum stage_status want = strncmp(stage, "sla", 3) == 0 ? STAGE_RETRY : STAGE_OK;
    cr_expect_eq(rc, want, "%s: the good input after a bad one: %s", stage, reason);
}

static const struct {
    const char *stage;
    ingest_parse_fn parse;
    const char *page_id; /* what the webhook URL would say (Telegram) */
} parsers[] = {
    { "ingest-envelope", ingest_parse_envelope, NULL },
    { "ingest-meta", ingest_parse_meta, NULL },
    { "ingest-whatsapp", ingest_parse_whatsapp, NULL },
    { "ingest-telegram", ingest_parse_telegram, "comunearese" },
    { "ingest-youtube", ingest_parse_youtube, NULL },
    { "ingest-line", ingest_parse_line, NULL },
};

/* Runs an ingest parser; returns 0 when it refused the input (reason written). */
static int run_parser(const char *stage, const char *bytes, size_t len, char *reason, size_t n) {
    for (size_t i = 0; i < sizeof parsers / sizeof parsers[0]; i++) {
        if (strcmp(parsers[i].stage, stage) != 0) continue;
        struct ingest_request req = { tenants, bytes, len, parsers[i].page_id, NOW_MS };
        json_t *envs = json_array();
        enum ingest_status rc = parsers[i].parse(&req, envs, reason, n);
        json_decref(envs);
        return rc == INGEST_OK ? -1 : 0;
    }
    cr_assert_fail("unknown stage %s", stage);
    return -1;
}

/* The first line of a multi-line error (a config directory reports all its mistakes). */
static void first_line(char *s) { s[strcspn(s, "\n")] = '\0'; }

/* Loads a config or data directory (relative to tests/, as the manifest names it);
 * returns 0 when loading failed (reason written). */
static int run_loader(const struct badinput_case *c, char *reason, size_t n) {
    if (strcmp(c->stage, "config") == 0) {
        struct tenant_set *set = tenant_set_load(c->input, reason, n);
        tenant_set_free(set);
        return set ? -1 : 0;
    }
    struct text_base *base = text_base_new(c->input, reason, n);
    text_base_free(base);
    return base ? -1 : 0;
}

/* Runs one case and checks its reason; returns how long it took. */
static int64_t check_case(const struct badinput_case *c) {
    char reason[4096] = "";
    int64_t t0 = time_mono_ms();
    int refused;
    if (strcmp(c->stage, "config") == 0 || strcmp(c->stage, "data") == 0) {
        refused = run_loader(c, reason, sizeof reason) == 0;
    } else {
        size_t len;
        char *bytes = badinput_bytes(BADINPUT_DIR, c->input, &len);
        cr_assert_not_null(bytes, "%s: cannot read or expand inputs/%s.in", c->input, c->input);
        if (strncmp(c->stage, "ingest-", 7) == 0)
            refused = run_parser(c->stage, bytes, len, reason, sizeof reason) == 0;
        else
            refused = run_worker_stage(c->stage, bytes, len, reason, sizeof reason) == STAGE_REJECT;
        free(bytes);
    }
    int64_t took = time_mono_ms() - t0;
    first_line(reason);
    cr_expect(refused, "%s at %s: not refused", c->input, c->stage);
    cr_expect_str_eq(reason, c->reason, "%s at %s: reason\n  got  %s\n  want %s", c->input,
                     c->stage, reason, c->reason);
    if (badinput_topic(c->stage)) expect_carries_on(c->stage);
    return took;
}

Test(badinput, every_case_is_refused_with_its_reason_and_the_stage_carries_on) {
    char err[512];
    struct badinput_set set = { 0 };
    cr_assert_eq(badinput_load(BADINPUT_DIR "/manifest.tsv", &set, err, sizeof err), 0, "%s", err);
    cr_assert_eq(chdir(TESTS_DIR), 0);
    int64_t slowest = 0;
    const char *slowest_name = "";
    for (size_t i = 0; i < set.n; i++) {
        int64_t took = check_case(&set.v[i]);
        cr_expect_leq(took, CASE_BOUND_MS, "%s at %s took %lld ms", set.v[i].input, set.v[i].stage,
                      (long long)took);
        if (took > slowest) slowest = took, slowest_name = set.v[i].input;
    }
    printf("badinput: %zu cases, slowest %s (%lld ms)\n", set.n, slowest_name, (long long)slowest);
    badinput_free(&set);
}
