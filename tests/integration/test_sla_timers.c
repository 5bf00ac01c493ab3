/* SLA timers in a real Redis: arming is idempotent, a claim is exclusive until its lease
 * runs out, nothing claimed is lost, stops work before and after arming. */
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "proc_util.h"
#include "sla.h"
#include "sla_timers.h"
#include "tenant.h"
#include "timefmt.h"
#include "xmalloc.h"

#define MIN 60000LL

static char tenant[64];
/* "Now" for the tests: Redis expires keys on its own clock, so the tests' instants must
 * be near the real one. */
static int64_t T0;
static struct sla_timers *a, *b; /* two workers */

static void setup(void) {
    const char *url = getenv("VIGILE_REDIS_URL");
    cr_assert_not_null(url, "VIGILE_REDIS_URL is not set");
    char err[256];
    a = sla_timers_new(url, err, sizeof err);
    b = sla_timers_new(url, err, sizeof err);
    cr_assert(a && b, "%s", err);
    T0 = time_now_ms() / 1000 * 1000;
    snprintf(tenant, sizeof tenant, "slatimers%d%ld", (int)getpid(), (long)random());
}

static void teardown(void) {
    sla_timers_free(a);
    sla_timers_free(b);
}

/* A ticket whose take_charge warns at T0 and breaches at T0+1min, response at +10/+11. */
static struct sla_ticket ticket(const char *id, const char *decision) {
    struct sla_ticket tk = { .tenant = tenant,
                             .ticket_id = id,
                             .decision_id = decision,
                             .office = "urp",
                             .author = "p-1",
                             .severity = 2 };
    for (int k = 0; k < SLA_KINDS; k++) {
        tk.dl.due[k] = SLA_NONE;
        for (int e = 0; e < SLA_EVENTS; e++) tk.dl.fire[k][e] = SLA_NONE;
    }
    tk.dl.received_at = tk.dl.taken_at = T0;
    tk.dl.due[SLA_TAKE_CHARGE] = T0;
    tk.dl.fire[SLA_TAKE_CHARGE][SLA_EV_DUE_SOON] = T0;
    tk.dl.fire[SLA_TAKE_CHARGE][SLA_EV_BREACHED] = T0 + MIN;
    tk.dl.due[SLA_RESPONSE] = T0 + 11 * MIN;
    tk.dl.fire[SLA_RESPONSE][SLA_EV_DUE_SOON] = T0 + 10 * MIN;
    tk.dl.fire[SLA_RESPONSE][SLA_EV_BREACHED] = T0 + 11 * MIN;
    return tk;
}

static long long pending(void) {
    long long n = -1;
    cr_assert_eq(sla_timers_pending(a, tenant, &n), 0);
    return n;
}

TestSuite(sla_timers, .init = setup, .fini = teardown);

Test(sla_timers, arming_twice_changes_nothing) {
    struct sla_ticket tk = ticket("d1:urp", "d1");
    cr_assert_eq(sla_timers_arm(a, &tk, 1, T0 - MIN), 0);
    cr_expect_eq(pending(), 4);
    tk.dl.fire[SLA_RESPONSE][SLA_EV_BREACHED] = T0; /* a redelivery computed differently */
    cr_assert_eq(sla_timers_arm(b, &tk, 1, T0 - MIN), 0);
    cr_expect_eq(pending(), 4);
    struct sla_claim c = { 0 };
    cr_assert_eq(sla_timers_claim(a, tenant, T0, MIN, 100, &c), 0);
    cr_expect_eq(c.n, 1, "only the take_charge warning is due at T0");
    sla_claim_free(&c);
}

Test(sla_timers, a_claim_is_exclusive_until_its_lease_ends) {
    struct sla_ticket tk = ticket("d2:urp", "d2");
    cr_assert_eq(sla_timers_arm(a, &tk, 1, T0 - MIN), 0);
    struct sla_claim ca = { 0 }, cb = { 0 };
    cr_assert_eq(sla_timers_claim(a, tenant, T0 + MIN, 30000, 100, &ca), 0);
    cr_assert_eq(ca.n, 2);
    cr_expect_str_eq(ca.v[0].member, "d2:urp:take_charge:due_soon");
    cr_expect_str_eq(ca.v[0].ticket_id, "d2:urp");
    cr_expect_str_eq(ca.v[0].office, "urp");
    cr_expect_str_eq(ca.v[1].decision_id, "d2");
    cr_expect_eq(ca.v[1].event, SLA_EV_BREACHED);
    cr_expect_eq(ca.v[1].due, T0);
    cr_expect_eq(ca.v[1].fire_at, T0 + MIN);
    cr_assert_eq(sla_timers_claim(b, tenant, T0 + MIN, 30000, 100, &cb), 0);
    cr_expect_eq(cb.n, 0, "the other worker gets nothing while the lease runs");
    /* Worker a dies without committing: after the lease b gets the same timers. */
    cr_assert_eq(sla_timers_claim(b, tenant, T0 + MIN + 30001, 30000, 100, &cb), 0);
    cr_expect_eq(cb.n, 2, "nothing lost");
    cr_assert_eq(sla_timers_forget(b, &cb), 0);
    cr_expect_eq(pending(), 2, "the two response timers remain");
    sla_claim_clear(&cb);
    cr_assert_eq(sla_timers_claim(a, tenant, T0 + 5 * MIN, 30000, 100, &cb), 0);
    cr_expect_eq(cb.n, 0, "forgotten timers never fire again");
    sla_claim_free(&ca);
    sla_claim_free(&cb);
}

Test(sla_timers, an_ack_before_its_ticket_is_honoured) {
    cr_assert_eq(sla_timers_stop(a, tenant, "d3:urp", NULL, SLA_KIND_BIT(SLA_TAKE_CHARGE), T0), 0);
    struct sla_ticket tk = ticket("d3:urp", "d3");
    cr_assert_eq(sla_timers_arm(a, &tk, 1, T0 - MIN), 0);
    cr_expect_eq(pending(), 2, "only the response timers are armed");
}

Test(sla_timers, stops_by_ticket_and_by_decision) {
    struct sla_ticket tk[3] = { ticket("d4:urp", "d4"), ticket("d4:legale", "d4"),
                                ticket("d5:urp", "d5") };
    cr_assert_eq(sla_timers_arm(a, tk, 3, T0 - MIN), 0);
    cr_expect_eq(pending(), 12);
    cr_assert_eq(sla_timers_stop(a, tenant, "d5:urp", NULL, SLA_KIND_BIT(SLA_RESPONSE), T0), 0);
    cr_expect_eq(pending(), 10);
    cr_assert_eq(sla_timers_stop(b, tenant, "d5:urp", NULL, SLA_KIND_BIT(SLA_RESPONSE), T0), 0);
    cr_expect_eq(pending(), 10, "a second stop is a no-op");
    cr_assert_eq(sla_timers_stop(a, tenant, NULL, "d4", (1u << SLA_KINDS) - 1, T0), 0);
    cr_expect_eq(pending(), 2, "both tickets of decision d4 stopped");
    /* A third ticket of d4 arriving later is born stopped. */
    struct sla_ticket late = ticket("d4:polizia", "d4");
    cr_assert_eq(sla_timers_arm(a, &late, 1, T0 - MIN), 0);
    cr_expect_eq(pending(), 2);
}

Test(sla_timers, a_stop_after_the_claim_silences_the_event) {
    struct sla_ticket tk = ticket("d6:urp", "d6");
    cr_assert_eq(sla_timers_arm(a, &tk, 1, T0 - MIN), 0);
    cr_assert_eq(sla_timers_stop(a, tenant, "d6:urp", NULL, SLA_KIND_BIT(SLA_TAKE_CHARGE), T0), 0);
    cr_assert_eq(sla_timers_arm(a, &tk, 1, T0 - MIN), 0);
    struct sla_claim c = { 0 };
    cr_assert_eq(sla_timers_claim(a, tenant, T0 + 20 * MIN, MIN, 100, &c), 0);
    cr_expect_eq(c.n, 2, "the response timers");
    for (size_t i = 0; i < c.n; i++) cr_expect_eq(c.v[i].kind, SLA_RESPONSE);
    sla_claim_free(&c);
}

Test(sla_timers, a_bad_url_is_refused) {
    char err[256];
    cr_expect_null(sla_timers_new("http://localhost", err, sizeof err));
    cr_expect(strstr(err, "VIGILE_REDIS_URL") != NULL, "%s", err);
    cr_expect_null(sla_timers_new("redis://host:99999", err, sizeof err));
}

/* The stage's events for a tick at now (the tenants of config/), as parsed objects in a
 * new array. Commits them unless abandon is set (a batch that was abandoned). */
static json_t *tick_events(struct sla *s, int64_t now, int abandon) {
    struct stage_outputs out = { 0 };
    char reason[256];
    cr_assert_eq(sla_tick(s, now, &out, reason, sizeof reason), STAGE_OK, "%s", reason);
    json_t *events = json_array();
    for (size_t i = 0; i < out.n; i++)
        json_array_append_new(events, json_loadb(out.v[i].value, out.v[i].len, 0, NULL));
    stage_outputs_free(&out);
    if (!abandon && json_array_size(events)) sla_tick_committed(s);
    return events;
}

/* Events of events whose ticket_id is id and type is type. */
static size_t count_events(const json_t *events, const char *id, const char *type) {
    size_t n = 0, i;
    json_t *e;
    json_array_foreach(events, i, e) n +=
        strcmp(json_string_value(json_object_get(e, "ticket_id")), id) == 0 &&
        strcmp(json_string_value(json_object_get(e, "type")), type) == 0;
    return n;
}

/* A stage of config/'s tenants on the Redis at url, with one Alessandria ticket in hand,
 * "<tenant>-<name>:urp", received at T0. Returns the stage (sla_free). */
static struct sla *stage_with_ticket(const char *url, const char *name) {
    char err[4096], msg[1024], received[RFC3339_LEN];
    struct tenant_set *set = tenant_set_load(SOURCE_DIR "/config", err, sizeof err);
    cr_assert_not_null(set, "%s", err);
    struct sla *s = sla_new(set, sla_timers_new(url, err, sizeof err), MIN);
    snprintf(msg, sizeof msg,
             "{\"ticket_id\":\"%s-%s:urp\",\"tenant\":\"alessandria\",\"office\":\"urp\","
             "\"decision_id\":\"%s-%s\",\"priority\":\"normal\",\"severity\":1,"
             "\"author\":\"p-1\",\"received_at\":\"%s\",\"removal\":false}",
             tenant, name, tenant, name, rfc3339_format(T0, received));
    struct stage_input in = { "vigile.escalations", msg, strlen(msg) };
    struct stage_outputs out = { 0 };
    cr_assert_eq(sla_process(s, &in, &out, err, sizeof err), STAGE_OK, "%s", err);
    stage_outputs_free(&out);
    return s;
}

/* A breach opens a ticket for the office's supervisor, with timers of its own, once per
 * breach even when the breach is announced twice; the supervisor's ticket goes no higher. */
Test(sla_timers, a_breach_opens_one_ticket_for_the_supervisor) {
    char ticket_id[128];
    struct sla *s = stage_with_ticket(getenv("VIGILE_REDIS_URL"), "d");
    snprintf(ticket_id, sizeof ticket_id, "%s-d:urp", tenant);
    /* A year on, every timer of the ticket is due; the first tick's batch is abandoned,
     * so the breaches are announced twice. */
    int64_t later = T0 + 365 * 24 * 60 * MIN;
    json_t *first = tick_events(s, later, 1);
    json_t *again = tick_events(s, later + 2 * MIN, 0);
    cr_assert_gt(count_events(again, ticket_id, "breached"), 0, "the ticket breached");
    size_t i;
    json_t *e, *sups = json_object(); /* supervisor ticket id -> breaches seen of it */
    json_array_foreach(again, i, e) {
        if (strcmp(json_string_value(json_object_get(e, "type")), "breached") != 0) continue;
        cr_expect_str_eq(json_string_value(json_object_get(e, "escalated_to")), "comunicazione");
        const char *sup = json_string_value(json_object_get(e, "supervisor_ticket_id"));
        cr_assert_not_null(sup, "a breach names its supervisor ticket");
        json_object_set_new(sups, sup, json_integer(0));
    }
    cr_expect_eq(json_object_size(sups), count_events(again, ticket_id, "breached"),
                 "one supervisor ticket per breached timer");
    /* The supervisors' tickets breach in turn, once per timer each (the abandoned first
     * announcement armed nothing twice), and name no ticket above them. */
    json_t *then = tick_events(s, later + 400LL * 24 * 60 * MIN, 0);
    json_t *seen = json_object();
    json_array_foreach(then, i, e) {
        const char *id = json_string_value(json_object_get(e, "ticket_id"));
        if (!json_object_get(sups, id)) continue;
        cr_expect_str_eq(json_string_value(json_object_get(e, "office")), "comunicazione");
        cr_expect_null(json_object_get(e, "supervisor_ticket_id"));
        cr_expect_null(json_object_get(seen, json_string_value(json_object_get(e, "event_id"))),
                       "%s announced twice", json_string_value(json_object_get(e, "event_id")));
        json_object_set_new(seen, json_string_value(json_object_get(e, "event_id")), json_true());
        if (strcmp(json_string_value(json_object_get(e, "type")), "breached") == 0)
            json_object_set_new(sups, id, json_integer(1));
    }
    const char *id;
    json_object_foreach(sups, id, e)
        cr_expect_eq(json_integer_value(e), 1, "%s never breached", id);
    cr_log_info("sla: %zu supervisor tickets, %zu of their events", json_object_size(sups),
                json_object_size(seen));
    json_decref(seen);
    json_decref(sups);
    json_decref(first);
    json_decref(again);
    json_decref(then);
    sla_free(s);
}

/* Redis fails in the instant after a batch of announcements committed, so the timers
 * cannot be forgotten then: the next ticks forget them once Redis is back, and their
 * leases running out announce nothing again (the fault test saw Redis outages announce
 * timers twice before). A Redis of the test's own, on an append-only file, killed and
 * restarted. */
Test(sla_timers, announced_timers_are_forgotten_after_a_redis_outage) {
    char dir[256], url[64];
    snprintf(dir, sizeof dir, "/tmp/vigile-sla-outage-%s", tenant);
    cr_assert_eq(mkdir(dir, 0700), 0, "%s", dir);
    int port = proc_free_port();
    snprintf(url, sizeof url, "redis://127.0.0.1:%d", port);
    pid_t redis = proc_start_redis(port, dir, "always");
    struct sla *s = stage_with_ticket(url, "o");
    int64_t later = T0 + 365 * 24 * 60 * MIN; /* every timer of the ticket is due */
    json_t *first = tick_events(s, later, 1); /* announced, not committed yet */
    cr_assert_gt(json_array_size(first), 0, "the ticket's timers fired");
    kill(redis, SIGKILL);
    proc_wait(redis);
    sla_tick_committed(s); /* the batch committed; Redis cannot forget them */
    redis = proc_start_redis(port, dir, "always");
    json_t *retry = tick_events(s, later + 1000, 0);    /* forgets them, claims the rest */
    json_t *again = tick_events(s, later + 2 * MIN, 0); /* past the leases */
    json_array_extend(retry, again);
    /* The supervisors' tickets the breaches opened have timers of their own: only the
     * first events' ids must not come again. */
    size_t i, j, twice = 0;
    json_t *e, *f;
    json_array_foreach(retry, i, e) {
        json_array_foreach(first, j, f) twice +=
            strcmp(json_string_value(json_object_get(e, "event_id")),
                   json_string_value(json_object_get(f, "event_id"))) == 0;
    }
    cr_expect_eq(twice, 0, "%zu of %zu events announced again after the outage", twice,
                 json_array_size(first));
    json_decref(first), json_decref(retry), json_decref(again);
    sla_free(s);
    proc_stop(redis);
    char *rm = xasprintf("rm -rf '%s'", dir);
    cr_expect_eq(system(rm), 0);
    free(rm);
}
