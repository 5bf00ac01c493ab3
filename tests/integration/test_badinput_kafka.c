/* The bad-input corpus (tests/badinput/manifest.tsv) through the real workers on the
 * broker and Redis: every case a worker reads from a topic is produced to that topic,
 * followed on the same key (so the same partition, after it) by a good envelope. Each
 * case must come out once on vigile.deadletter from its stage with its exact reason, each
 * good envelope must be decided, SLA must arm the tickets of the good ones, and every
 * worker must exit 0 on SIGTERM at the end: none crashed, none stalled. */
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "badinput.h"
#include "kafka_util.h"
#include "limits.h"
#include "proc_util.h"
#include "topics.h"
#include "xmalloc.h"

static char run_id[64];
static char key_prefix[96]; /* "lecce|<run_id>-": every key of this run */

struct sent {
    const char *input, *topic; /* borrowed from the manifest */
    char *key;
};

static int ours(const struct test_message *m, void *arg) {
    (void)arg;
    return m->key && strncmp(m->key, key_prefix, strlen(key_prefix)) == 0;
}

static int ours_by_value(const struct test_message *m, void *arg) {
    (void)arg;
    return strstr(m->value, run_id) != NULL;
}

static char *good_envelope(size_t i) {
    return xasprintf(
        "{\"schema\":{\"name\":\"vigile.envelope\",\"version\":1},\"event_id\":\"%s-good-%zu\","
        "\"tenant\":\"lecce\",\"platform\":\"facebook\",\"kind\":\"comment\",\"content_id\":"
        "\"c-%s-%zu\",\"author\":{\"id\":\"%s-%zu\",\"name\":\"Maria Bianchi\"},\"text\":\"A che "
        "ora apre l'anagrafe sabato mattina?\",\"created_at\":\"2026-11-20T10:00:00Z\","
        "\"received_at\":\"2026-11-20T10:00:01Z\"}",
        run_id, i, run_id, i, run_id, i);
}

/* The (topic, input) pairs to produce, each once: an operator event that route and SLA
 * both refuse is one message. Inputs over what a topic takes cannot be on a topic at all
 * (ingest refuses them, as the unit test checks): skipped here. */
static size_t plan(const struct badinput_set *set, struct sent *sent) {
    size_t n = 0;
    for (size_t i = 0; i < set->n; i++) {
        const char *topic = badinput_topic(set->v[i].stage);
        if (!topic) continue;
        size_t len;
        char *bytes = badinput_bytes(TESTS_DIR "/badinput", set->v[i].input, &len);
        cr_assert_not_null(bytes, "inputs/%s.in", set->v[i].input);
        free(bytes);
        if (len > LIMIT_MESSAGE_BYTES / 2) continue;
        int seen = 0;
        for (size_t j = 0; j < n; j++)
            seen |=
                strcmp(sent[j].input, set->v[i].input) == 0 && strcmp(sent[j].topic, topic) == 0;
        if (seen) continue;
        sent[n] = (struct sent){ set->v[i].input, topic, xasprintf("%s%zu", key_prefix, n) };
        n++;
    }
    return n;
}

/* Produces each bad input and then, on its key, a good envelope. */
static void produce_all(const struct sent *sent, size_t n) {
    for (size_t i = 0; i < n; i++) {
        size_t len;
        char *bytes = badinput_bytes(TESTS_DIR "/badinput", sent[i].input, &len);
        test_produce(sent[i].topic, sent[i].key, bytes, len);
        free(bytes);
        char *good = good_envelope(i);
        test_produce(TOPIC_INBOUND, sent[i].key, good, strlen(good));
        free(good);
    }
}

/* How many dead letters of stage with reason came with key. */
static int count_deadletters(const struct test_message *dl, size_t n_dl, const char *key,
                             const char *stage, const char *reason) {
    int found = 0;
    for (size_t i = 0; i < n_dl; i++) {
        if (strcmp(dl[i].key, key) != 0) continue;
        json_t *rec = json_loads(dl[i].value, 0, NULL);
        const char *s = json_string_value(json_object_get(rec, "stage"));
        const char *r = json_string_value(json_object_get(rec, "reason"));
        found += s && r && strcmp(s, stage) == 0 && strcmp(r, reason) == 0;
        json_decref(rec);
    }
    return found;
}

/* The key a case was produced with, or NULL when it was not produced. */
static const char *key_of(const struct sent *sent, size_t n, const struct badinput_case *c) {
    const char *topic = badinput_topic(c->stage);
    for (size_t i = 0; topic && i < n; i++)
        if (strcmp(sent[i].input, c->input) == 0 && strcmp(sent[i].topic, topic) == 0)
            return sent[i].key;
    return NULL;
}

/* Counts the tickets of escalations that SLA armed in Redis. */
static size_t tickets_armed(const struct test_message *esc, size_t n_esc) {
    char host[128];
    int port;
    const char *url = getenv("VIGILE_REDIS_URL");
    cr_assert(url && sscanf(url, "redis://%127[^:]:%d", host, &port) == 2, "VIGILE_REDIS_URL");
    redisContext *rc = redisConnect(host, port);
    cr_assert(rc && !rc->err, "redis");
    size_t armed = 0;
    for (size_t i = 0; i < n_esc; i++) {
        json_t *e = json_loads(esc[i].value, 0, NULL);
        const char *ticket = json_string_value(json_object_get(e, "ticket_id"));
        redisReply *r = ticket ? redisCommand(rc, "EXISTS vigile:{lecce}:ticket:%s", ticket) : NULL;
        armed += r && r->type == REDIS_REPLY_INTEGER && r->integer == 1;
        freeReplyObject(r);
        json_decref(e);
    }
    redisFree(rc);
    return armed;
}

static void start_at_end(const char *stage, const char *const *topics) {
    char group[128];
    snprintf(group, sizeof group, "test-%s-%s", run_id, stage);
    test_group_start_at_end(group, topics);
}

Test(badinput_kafka, every_case_dead_lettered_with_its_reason_and_the_next_input_decided,
     .timeout = 280) {
    snprintf(run_id, sizeof run_id, "bad%d", (int)getpid());
    snprintf(key_prefix, sizeof key_prefix, "lecce|%s-", run_id);
    proc_test_env(run_id);
    setenv("VIGILE_TOPIC_PARTITIONS", "3", 1);
    test_brokers();
    start_at_end("classify", (const char *const[]){ TOPIC_INBOUND, NULL });
    start_at_end("route", (const char *const[]){ TOPIC_CLASSIFIED, TOPIC_OPERATOR, NULL });
    start_at_end("sla", (const char *const[]){ TOPIC_ESCALATIONS, TOPIC_OPERATOR, NULL });

    char err[512];
    struct badinput_set set = { 0 };
    cr_assert_eq(badinput_load(TESTS_DIR "/badinput/manifest.tsv", &set, err, sizeof err), 0, "%s",
                 err);
    struct sent *sent = xcalloc(set.n, sizeof *sent);
    size_t n_sent = plan(&set, sent);
    size_t want_dl = 0;
    for (size_t i = 0; i < set.n; i++) want_dl += key_of(sent, n_sent, &set.v[i]) != NULL;

    pid_t classify = proc_start_worker("classify", BUILD_DIR "/badinput-classify.log");
    pid_t route = proc_start_worker("route", BUILD_DIR "/badinput-route.log");
    pid_t sla = proc_start_worker("sla", BUILD_DIR "/badinput-sla.log");
    produce_all(sent, n_sent);

    struct test_message *dl, *dec, *esc;
    size_t n_dl = test_consume(TOPIC_DEADLETTER, ours, NULL, want_dl, 150000, 3000, &dl);
    size_t n_dec = test_consume(TOPIC_DECISIONS, ours_by_value, NULL, n_sent, 60000, 1000, &dec);
    size_t n_esc = test_consume(TOPIC_ESCALATIONS, ours_by_value, NULL, n_sent, 30000, 0, &esc);
    /* SLA arms a ticket once it has read it, a moment after route wrote it. */
    size_t armed = 0;
    for (int waited = 0; (armed = tickets_armed(esc, n_esc)) < n_esc && waited < 30000;
         waited += 200)
        usleep(200000);

    size_t right = 0;
    for (size_t i = 0; i < set.n; i++) {
        const char *key = key_of(sent, n_sent, &set.v[i]);
        if (!key) continue;
        int got = count_deadletters(dl, n_dl, key, badinput_worker_stage(set.v[i].stage),
                                    set.v[i].reason);
        cr_expect_eq(got, 1, "%s at %s: %d dead letters with its reason (want 1): %s",
                     set.v[i].input, set.v[i].stage, got, set.v[i].reason);
        right += got == 1;
    }
    cr_log_info("badinput_kafka: %zu inputs produced, %zu cases; dead letters %zu (expected "
                "%zu, right %zu); good envelopes decided %zu of %zu; tickets armed %zu of %zu",
                n_sent, want_dl, n_dl, want_dl, right, n_dec, n_sent, armed, n_esc);
    cr_expect_eq(n_dl, want_dl, "dead letters of this run: no more than one per case");
    cr_expect_eq(n_dec, n_sent, "every good envelope after a bad one is decided, once");
    cr_expect_eq(n_esc, n_sent, "every good question is a ticket");
    cr_expect_eq(armed, n_esc, "SLA armed every good ticket after the bad ones");
    cr_expect_eq(proc_stop(classify), 0, "classify exit code");
    cr_expect_eq(proc_stop(route), 0, "route exit code");
    cr_expect_eq(proc_stop(sla), 0, "sla exit code");

    test_messages_free(dl, n_dl);
    test_messages_free(dec, n_dec);
    test_messages_free(esc, n_esc);
    for (size_t i = 0; i < n_sent; i++) free(sent[i].key);
    free(sent);
    badinput_free(&set);
}
