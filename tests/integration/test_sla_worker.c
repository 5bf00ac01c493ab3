/* vigile-sla end to end through the real broker and Redis, run as in production: a
 * tenant open around the clock with one-minute windows, a ticket that breaches, one
 * acknowledged in time, and one pending across a restart of the worker, which must fire
 * once. What the worker wrote is saved for the schema check (validate_schemas.py). */
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kafka_util.h"
#include "proc_util.h"
#include "rome_time.h"
#include "timefmt.h"
#include "topics.h"
#include "xmalloc.h"

#define TENANT "slatest"
static char run_id[64];

/* A config directory with the shipped baseline and one tenant, Tradate's policy open
 * around the clock with one-minute warning windows. Returns its path (static). */
static const char *make_config(void) {
    static char dir[256];
    char path[512], err[256];
    snprintf(dir, sizeof dir, "/tmp/vigile-sla-test-%s", run_id);
    snprintf(path, sizeof path, "%s/tenants", dir);
    mkdir(dir, 0700);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "cp '%s/config/baseline.json' '%s/'", SOURCE_DIR, dir);
    cr_assert_eq(system(path), 0);
    json_error_t je;
    json_t *t = json_load_file(SOURCE_DIR "/config/tenants/tradate.json", 0, &je);
    cr_assert_not_null(t, "%s", je.text);
    json_t *always =
        json_pack("{s:[s], s:[s], s:[s], s:[s], s:[s], s:[s], s:[s]}", "mon", "00:00-24:00", "tue",
                  "00:00-24:00", "wed", "00:00-24:00", "thu", "00:00-24:00", "fri", "00:00-24:00",
                  "sat", "00:00-24:00", "sun", "00:00-24:00");
    json_object_set_new(t, "id", json_string(TENANT));
    json_object_set_new(t, "calendars",
                        json_pack("{s:O, s:O}", "moderation", always, "office", always));
    json_decref(always);
    json_object_set_new(t, "holidays", json_pack("{s:b}", "national", 0));
    json_t *sla = json_object_get(t, "sla");
    json_object_set_new(sla, "due_soon_minutes", json_integer(1));
    json_object_set_new(sla, "response_working_hours", json_integer(1));
    snprintf(path, sizeof path, "%s/tenants/%s.json", dir, TENANT);
    cr_assert_eq(json_dump_file(t, path, JSON_INDENT(2)), 0, "%s", err);
    json_decref(t);
    return dir;
}

static void produce_ticket(const char *name, int64_t received_ms) {
    char received[RFC3339_LEN];
    rfc3339_format(received_ms, received);
    char *v = xasprintf(
        "{\"schema\":{\"name\":\"vigile.escalation\",\"version\":1},"
        "\"ticket_id\":\"%s-%s:biblioteca\",\"tenant\":\"" TENANT "\",\"office\":\"biblioteca\","
        "\"reasons\":[\"information_request\"],\"priority\":\"low\",\"severity\":1,"
        "\"decision_id\":\"%s-%s\",\"platform\":\"facebook\",\"kind\":\"comment\","
        "\"content_id\":\"c-%s\",\"author\":\"p-%s\",\"created_at\":\"%s\",\"received_at\":\"%s\","
        "\"redacted_text\":\"A che ora apre la "
        "biblioteca?\",\"opened_at\":\"%s\",\"removal\":false,"
        "\"channel\":\"facebook-biblioteca\"}",
        run_id, name, run_id, name, name, run_id, received, received, received);
    char *key = xasprintf(TENANT "|p-%s", run_id);
    test_produce(TOPIC_ESCALATIONS, key, v, strlen(v));
    free(key);
    free(v);
}

static void produce_ack(const char *name) {
    char now[RFC3339_LEN];
    char *v =
        xasprintf("{\"type\":\"ack\",\"tenant\":\"" TENANT "\",\"ticket_id\":\"%s-%s:biblioteca\","
                  "\"operator\":\"sara\",\"at\":\"%s\"}",
                  run_id, name, rfc3339_format(time_now_ms(), now));
    test_produce(TOPIC_OPERATOR, TENANT "|op", v, strlen(v));
    free(v);
}

/* Accepts this run's events; with arg, only those whose event id ends so. */
static int ours(const struct test_message *m, void *arg) {
    if (!strstr(m->value, run_id)) return 0;
    if (!arg) return 1;
    char *want = xasprintf("%s\"", (const char *)arg);
    int ok = strstr(m->value, want) != NULL;
    free(want);
    return ok;
}

static int pending_in_redis(const char *member) {
    int port = 0;
    char host[128] = "";
    const char *url = getenv("VIGILE_REDIS_URL");
    cr_assert(url && sscanf(url, "redis://%127[^:]:%d", host, &port) == 2, "VIGILE_REDIS_URL");
    redisContext *rc = redisConnect(host, port);
    cr_assert(rc && !rc->err);
    redisReply *r = redisCommand(rc, "ZSCORE vigile:{" TENANT "}:timers %s-%s", run_id, member);
    int found = r && r->type != REDIS_REPLY_NIL;
    freeReplyObject(r);
    redisFree(rc);
    return found;
}

static size_t count_with(const struct test_message *msgs, size_t n, const char *needle) {
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += strstr(msgs[i].value, needle) != NULL;
    return c;
}

Test(sla_worker, breach_ack_and_restart, .timeout = 280) {
    snprintf(run_id, sizeof run_id, "sla%d", (int)getpid());
    proc_test_env(run_id);
    setenv("VIGILE_CONFIG_DIR", make_config(), 1);
    setenv("VIGILE_TOPIC_PARTITIONS", "3", 1);
    static const char *const topics[] = { TOPIC_ESCALATIONS, TOPIC_OPERATOR, TOPIC_SLA, NULL };
    test_create_topics(topics);

    pid_t sla = proc_start_worker("sla", NULL);
    int64_t now = time_now_ms();
    produce_ticket("late", now - 10 * 60000); /* its take-charge window closed 9 min ago */
    produce_ticket("acked", now - 45000);     /* closes in 15 s; acknowledged at once */
    produce_ack("acked");
    produce_ticket("pending", now - 10000);    /* closes in 50 s: across the restart */
    produce_ticket("slow", now - 3 * 3600000); /* its 1-hour answer is 2 hours late */

    struct test_message *m;
    size_t n = test_consume(TOPIC_SLA, ours, ":take_charge:breached", 1, 90000, 0, &m);
    cr_expect_eq(n, 1, "the late ticket breached");
    cr_expect(n && strstr(m[0].value, "late"), "%s", n ? m[0].value : "");
    cr_expect(n && strstr(m[0].value, "\"escalated_to\":\"cultura\""),
              "the breach names the office's supervisor: %s", n ? m[0].value : "");
    test_messages_free(m, n);

    n = test_consume(TOPIC_SLA, ours, "slow:biblioteca:courtesy:courtesy_reply_due", 1, 60000, 0,
                     &m);
    cr_expect_eq(n, 1, "a courtesy reply is due for the slow answer");
    cr_expect(n && strstr(m[0].value, "\"text\":\"Gentile utente"),
              "with its Italian text rendered: %s", n ? m[0].value : "");
    test_messages_free(m, n);

    cr_expect_eq(proc_stop(sla), 0, "clean shutdown");
    cr_expect(pending_in_redis("pending:biblioteca:take_charge:breached"),
              "the pending breach waits in Redis while no worker runs");
    sleep(2);
    sla = proc_start_worker("sla", NULL);
    n = test_consume(TOPIC_SLA, ours, "pending:biblioteca:take_charge:breached", 1, 120000, 0, &m);
    cr_expect_eq(n, 1, "the pending ticket breached after the restart");
    test_messages_free(m, n);
    sleep(20); /* past the acked ticket's window, with a worker running */
    cr_expect_eq(proc_stop(sla), 0, "clean shutdown");

    n = test_consume(TOPIC_SLA, ours, NULL, 1000, 10000, 3000, &m);
    cr_expect_eq(count_with(m, n, "acked:biblioteca:take_charge:breached"), 0,
                 "the acknowledged ticket did not breach");
    cr_expect_eq(count_with(m, n, "late:biblioteca:take_charge:due_soon"), 0,
                 "no warning for a deadline already past when the ticket came");
    static const char *const once[] = { "late:biblioteca:take_charge:breached",
                                        "pending:biblioteca:take_charge:due_soon",
                                        "pending:biblioteca:take_charge:breached" };
    for (size_t i = 0; i < sizeof once / sizeof once[0]; i++)
        cr_expect_eq(count_with(m, n, once[i]), 1, "%s fired %zu times", once[i],
                     count_with(m, n, once[i]));
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            cr_expect_str_neq(m[i].value, m[j].value, "duplicate event");
    test_save_messages("sla", m, n);
    test_messages_free(m, n);
    char *rm = xasprintf("rm -rf '%s'", getenv("VIGILE_CONFIG_DIR"));
    cr_expect_eq(system(rm), 0);
    free(rm);
}
