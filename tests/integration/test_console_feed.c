/* The console's feed (services/console/console_feed.c) on the real broker: decisions read
 * read_committed into the read model with their offsets, bad input dead-lettered before its
 * offset is recorded, a restart that resumes without doubling anything, and a second
 * replica that rebuilds the same rows from the topics. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "console_worker.h"
#include "kafka.h"
#include "kafka_util.h"
#include "proc_util.h"
#include "timefmt.h"
#include "topics.h"
#include "worker.h"

static struct tenant_set *tenants;
static char dir[64], run_id[40];

static void setup(void) {
    char err[4096];
    snprintf(run_id, sizeof run_id, "feed-%d-%lld", (int)getpid(), (long long)time_now_ms());
    tenants = tenant_set_load(SOURCE_DIR "/config", err, sizeof err);
    cr_assert(tenants, "%s", err);
    snprintf(dir, sizeof dir, "/tmp/test-console-feed-XXXXXX");
    cr_assert(mkdtemp(dir));
    const char *topics[] = { TOPIC_DECISIONS, TOPIC_ESCALATIONS, TOPIC_SLA,
                             TOPIC_OPERATOR,  TOPIC_DEADLETTER,  NULL };
    test_create_topics(topics);
}

static void teardown(void) {
    tenant_set_free(tenants);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(console_feed, .init = setup, .fini = teardown, .timeout = 180);

static struct console_store *open_store(const char *name) {
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct console_store *st = console_store_open(path, tenants, err, sizeof err);
    cr_assert(st, "%s", err);
    return st;
}

static void produce_decision(int i) {
    char id[96], key[128];
    snprintf(id, sizeof id, "%s-%d", run_id, i);
    snprintf(key, sizeof key, "lecce|%s-feed", run_id);
    json_t *d =
        json_pack("{s:s, s:s, s:i, s:s, s:s, s:b, s:s, s:s, s:{s:s, s:i}, s:[]}", "tenant", "lecce",
                  "decision_id", id, "revision", 1, "status", "automated", "action", "hide",
                  "needs_review", 0, "author", "p_feed", "decided_at", "2026-11-20T10:00:00Z",
                  "enforcement", "step", "none", "strikes", 0, "categories");
    char *text = json_dumps(d, JSON_COMPACT);
    test_produce(TOPIC_DECISIONS, key, text, strlen(text));
    free(text);
    json_decref(d);
}

struct feed_run {
    struct console_store *st;
    rd_kafka_t *producer;
    int code;
};

static void *feed_thread(void *arg) {
    struct feed_run *r = arg;
    char group[96];
    snprintf(group, sizeof group, "test-console-%s", run_id);
    r->code = console_feed_run(r->st, test_brokers(), group, r->producer, NULL);
    return NULL;
}

static int64_t ours(struct console_store *st) {
    int64_t n = 0;
    char like[64];
    snprintf(like, sizeof like, "%s-%%", run_id);
    console_db_int(console_store_db(st), &n,
                   "SELECT count(*) FROM decisions WHERE decision_id LIKE ?", "s", like);
    return n;
}

/* Runs the feed on st until `want` of this run's decisions are in it (or 60 s). */
static void feed_until(struct console_store *st, int64_t want) {
    char err[256];
    struct feed_run r = { st, kafka_producer_new(test_brokers(), NULL, NULL, NULL, err, sizeof err),
                          -1 };
    cr_assert(r.producer, "%s", err);
    pthread_t th;
    worker_running = 1;
    cr_assert_eq(pthread_create(&th, NULL, feed_thread, &r), 0);
    int64_t deadline = time_mono_ms() + 60000;
    while (ours(st) < want && time_mono_ms() < deadline) usleep(100 * 1000);
    usleep(1500 * 1000); /* anything doubled would arrive now */
    worker_running = 0;
    pthread_join(th, NULL);
    rd_kafka_destroy(r.producer);
    cr_expect_eq(r.code, 0);
    cr_expect_eq(ours(st), want);
}

struct wanted {
    char needle[128];
};

static int is_ours(const struct test_message *m, void *arg) {
    const struct wanted *w = arg;
    char *payload = test_deadletter_payload(m);
    int hit = strstr(payload, w->needle) != NULL && strstr(m->value, "\"console\"") != NULL;
    free(payload);
    return hit;
}

Test(console_feed, reads_dead_letters_resumes_and_rebuilds) {
    produce_decision(1);
    char bad[160];
    snprintf(bad, sizeof bad, "{\"tenant\":\"lecce\",\"decision_id\":\"%s-bad\"}", run_id);
    /* One key for all of them: one partition, read in order, so the feed has met the bad
     * one by the time it has stored the decision after it. */
    char key[128];
    snprintf(key, sizeof key, "lecce|%s-feed", run_id);
    test_produce(TOPIC_DECISIONS, key, bad, strlen(bad));
    produce_decision(2);

    struct console_store *st = open_store("read.db");
    feed_until(st, 2);
    struct wanted w;
    snprintf(w.needle, sizeof w.needle, "%s-bad", run_id);
    struct test_message *msgs;
    size_t n = test_consume(TOPIC_DEADLETTER, is_ours, &w, 1, 20000, 500, &msgs);
    cr_expect_eq(n, 1, "the bad decision is dead-lettered once, not %zu times", n);
    for (size_t i = 0; i < n; i++)
        cr_expect(strstr(msgs[i].value, "$.status: missing"), "%s", msgs[i].value);
    test_messages_free(msgs, n);

    /* a restart resumes from the recorded offsets: the next decision is added, none twice */
    console_store_close(st);
    produce_decision(3);
    st = open_store("read.db");
    feed_until(st, 3);
    console_store_close(st);
    n = test_consume(TOPIC_DEADLETTER, is_ours, &w, 1, 20000, 2000, &msgs);
    cr_expect_eq(n, 1, "the restart did not dead-letter the bad input again (%zu)", n);
    test_messages_free(msgs, n);

    /* a second replica with its own file rebuilds the same from the topics */
    struct console_store *replica = open_store("replica.db");
    feed_until(replica, 3);
    console_store_close(replica);
}

/* Decisions of this run in the read model at path, read through a connection of ours. */
static int64_t ours_at(const char *path) {
    char err[256];
    sqlite3 *db = console_db_open(path, "", err, sizeof err);
    int64_t n = 0;
    char like[64];
    snprintf(like, sizeof like, "%s-%%", run_id);
    if (db)
        console_db_int(db, &n, "SELECT count(*) FROM decisions WHERE decision_id LIKE ?", "s",
                       like);
    console_db_close(db);
    return n;
}

static int64_t wait_ours(const char *path, int64_t want, int timeout_s) {
    int64_t n = 0, deadline = time_mono_ms() + timeout_s * 1000LL;
    while ((n = ours_at(path)) < want && time_mono_ms() < deadline) usleep(50 * 1000);
    return n;
}

Test(console_feed, a_killed_console_loses_nothing) {
    enum { N = 300 };
    char *keys[N], *values[N];
    for (int i = 0; i < N; i++) {
        char *id = xasprintf("%s-k%d", run_id, i);
        // clang-format off
        json_t *d = json_pack("{s:s, s:s, s:i, s:s, s:s, s:b, s:s, s:s, s:{s:s, s:i}, s:[]}",
                              "tenant", "lecce", "decision_id", id, "revision", 1, "status",
                              "automated", "action", "none", "needs_review", 0, "author",
                              "p_kill", "decided_at", "2026-11-20T10:00:00Z", "enforcement",
                              "step", "none", "strikes", 0, "categories");
        // clang-format on
        keys[i] = xasprintf("lecce|%s", id);
        values[i] = json_dumps(d, JSON_COMPACT);
        json_decref(d);
        free(id);
    }
    test_produce_batch(TOPIC_DECISIONS, keys, values, N);
    for (int i = 0; i < N; i++) free(keys[i]), free(values[i]);

    char path[128], port[16], log[128];
    proc_test_env(run_id);
    setenv("VIGILE_CONSOLE_DIR", dir, 1);
    snprintf(port, sizeof port, "%d", proc_free_port());
    setenv("VIGILE_CONSOLE_PORT", port, 1);
    snprintf(path, sizeof path, "%s/read.db", dir);
    snprintf(log, sizeof log, "%s/console.log", dir);
    pid_t pid = proc_start_worker("console", log);
    int64_t before = wait_ours(path, 1, 60);
    kill(pid, SIGKILL); /* mid-stream, wherever its transaction is */
    cr_expect_eq(proc_wait(pid), 128 + SIGKILL);
    cr_assert_gt(before, 0, "it had started: %s", proc_slurp(log));
    cr_expect_lt(before, N, "killed before it had read them all");
    cr_log_info("killed with %lld of %d decisions in the read model", (long long)before, N);
    pid = proc_start_worker("console", log);
    cr_expect_eq(wait_ours(path, N, 60), N, "every decision after the restart");
    usleep(1500 * 1000);
    cr_expect_eq(ours_at(path), N);
    cr_expect_eq(proc_stop(pid), 0);
}
