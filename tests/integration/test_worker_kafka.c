/* The worker shell against the real broker: every input yields its outputs exactly once
 * for a read_committed reader, bad input lands in the dead-letter topic with its bytes,
 * transient failures are retried without skipping, and offsets are committed. Runs in
 * transactional and in at-least-once mode. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka_util.h"
#include "settings.h"
#include "stage.h"
#include "topics.h"
#include "worker.h"
#include "xmalloc.h"

#define N_INPUTS 40

struct echo_stage {
    char out_topic[128];
    int retries_left; /* the input "retry-me" fails this many times first */
};

/* Echoes each input to out_topic; "BAD..." is rejected; "retry-me" fails transiently. */
static enum stage_status echo(void *ctx, const struct stage_input *in, struct stage_outputs *out,
                              char *reason, size_t n) {
    struct echo_stage *es = ctx;
    if (in->len >= 3 && memcmp(in->payload, "BAD", 3) == 0) {
        snprintf(reason, n, "test rejects %.*s", (int)in->len, in->payload);
        return STAGE_REJECT;
    }
    if (in->len == 8 && memcmp(in->payload, "retry-me", 8) == 0 && es->retries_left > 0) {
        es->retries_left--;
        snprintf(reason, n, "test dependency down");
        return STAGE_RETRY;
    }
    char *v = xasprintf("echo:%.*s", (int)in->len, in->payload);
    stage_outputs_add(out, es->out_topic, xstrdup("k"), v, strlen(v));
    return STAGE_OK;
}

struct run {
    struct settings cfg;
    struct stage stage;
    int rc;
};

static void *run_worker(void *arg) {
    struct run *r = arg;
    r->rc = worker_run(&r->cfg, &r->stage, NULL);
    return NULL;
}

struct dl_match {
    const char *stage;
};
static int is_our_deadletter(const struct test_message *m, void *arg) {
    const struct dl_match *dm = arg;
    char needle[160];
    snprintf(needle, sizeof needle, "\"stage\":\"%s\"", dm->stage);
    return strstr(m->value, needle) != NULL;
}

static void run_shell(int transactional) {
    char in_topic[128], stage_name[64];
    struct echo_stage es = { .retries_left = 3 };
    int id = (int)getpid();
    snprintf(in_topic, sizeof in_topic, "test.in.%d.%d", id, transactional);
    snprintf(es.out_topic, sizeof es.out_topic, "test.out.%d.%d", id, transactional);
    snprintf(stage_name, sizeof stage_name, "echo%d-%d", id, transactional);
    const char *topics[] = { in_topic, es.out_topic, TOPIC_DEADLETTER, NULL };
    test_create_topics(topics);

    for (int i = 0; i < N_INPUTS; i++) {
        char v[32], k[16];
        snprintf(k, sizeof k, "a%d", i % 7);
        if (i == 5)
            snprintf(v, sizeof v, "retry-me");
        else
            snprintf(v, sizeof v, "%s%d", i % 10 == 9 ? "BAD" : "in", i);
        test_produce(in_topic, k, v, strlen(v));
    }

    static struct run r;
    memset(&r, 0, sizeof r);
    char err[256];
    setenv("VIGILE_KAFKA_TRANSACTIONS", transactional ? "1" : "0", 1);
    setenv("VIGILE_BATCH_MAX", "7", 1);
    setenv("VIGILE_INSTANCE_ID", stage_name, 1);
    cr_assert_eq(settings_load(&r.cfg, err, sizeof err), 0, "%s", err);
    const char *inputs[] = { in_topic, NULL };
    r.stage =
        (struct stage){ .name = stage_name, .input_topics = inputs, .process = echo, .ctx = &es };
    worker_running = 1;
    pthread_t th;
    pthread_create(&th, NULL, run_worker, &r);

    struct test_message *out, *dl;
    size_t n_out = test_consume(es.out_topic, NULL, NULL, N_INPUTS - 4, 60000, 3000, &out);
    struct dl_match dm = { stage_name };
    size_t n_dl = test_consume(TOPIC_DEADLETTER, is_our_deadletter, &dm, 4, 30000, 1000, &dl);
    worker_running = 0;
    pthread_join(th, NULL);

    cr_expect_eq(r.rc, 0, "worker exit code %d", r.rc);
    cr_expect_eq(n_out, N_INPUTS - 4, "outputs: %zu", n_out);
    cr_expect_eq(n_dl, 4, "dead letters: %zu", n_dl);
    int saw_retry = 0;
    for (size_t i = 0; i < n_out; i++) saw_retry |= strcmp(out[i].value, "echo:retry-me") == 0;
    cr_expect(saw_retry, "the input that failed transiently was processed");
    cr_expect(n_dl > 0 && strstr(dl[0].value, "\"payload_base64\":\"QkFE") /* "BAD" */ &&
                  strstr(dl[0].value, "\"reason\":\"test rejects BAD"),
              "%s", n_dl ? dl[0].value : "");
    test_messages_free(out, n_out);
    test_messages_free(dl, n_dl);

    /* A second run of the same group finds everything committed: no new outputs. */
    worker_running = 1;
    pthread_create(&th, NULL, run_worker, &r);
    sleep(6);
    worker_running = 0;
    pthread_join(th, NULL);
    n_out = test_consume(es.out_topic, NULL, NULL, N_INPUTS, 5000, 0, &out);
    cr_expect_eq(n_out, N_INPUTS - 4, "after restart: %zu outputs", n_out);
    test_messages_free(out, n_out);
    settings_free(&r.cfg);
}

Test(worker_kafka, transactional_exactly_once, .timeout = 180) { run_shell(1); }

Test(worker_kafka, at_least_once_mode, .timeout = 180) { run_shell(0); }

/* A stage whose outputs are due by time: five ticks produce one output each, and each
 * batch that carried them reports back once committed. */
struct tick_stage {
    char out_topic[128];
    int emitted, handed_off;
};

static enum stage_status no_input(void *ctx, const struct stage_input *in,
                                  struct stage_outputs *out, char *reason, size_t n) {
    (void)ctx, (void)in, (void)out;
    snprintf(reason, n, "no input expected");
    return STAGE_REJECT;
}

static enum stage_status emit_due(void *ctx, int64_t now_ms, struct stage_outputs *out,
                                  char *reason, size_t n) {
    struct tick_stage *ts = ctx;
    (void)now_ms, (void)reason, (void)n;
    if (ts->emitted < 5) {
        char *v = xasprintf("tick-%d", ts->emitted++);
        stage_outputs_add(out, ts->out_topic, xstrdup("k"), v, strlen(v));
    }
    return STAGE_OK;
}

static void handed_off(void *ctx) { ((struct tick_stage *)ctx)->handed_off++; }

Test(worker_kafka, tick_outputs_commit_with_batches, .timeout = 120) {
    struct tick_stage ts = { 0 };
    char in_topic[128], stage_name[64];
    snprintf(in_topic, sizeof in_topic, "test.tickin.%d", (int)getpid());
    snprintf(ts.out_topic, sizeof ts.out_topic, "test.tickout.%d", (int)getpid());
    snprintf(stage_name, sizeof stage_name, "tick%d", (int)getpid());
    const char *topics[] = { in_topic, ts.out_topic, NULL };
    test_create_topics(topics);

    static struct run r;
    memset(&r, 0, sizeof r);
    char err[256];
    setenv("VIGILE_KAFKA_TRANSACTIONS", "1", 1);
    setenv("VIGILE_INSTANCE_ID", stage_name, 1);
    cr_assert_eq(settings_load(&r.cfg, err, sizeof err), 0, "%s", err);
    const char *inputs[] = { in_topic, NULL };
    r.stage = (struct stage){ .name = stage_name,
                              .input_topics = inputs,
                              .process = no_input,
                              .ctx = &ts,
                              .tick = emit_due,
                              .tick_committed = handed_off };
    worker_running = 1;
    pthread_t th;
    pthread_create(&th, NULL, run_worker, &r);
    struct test_message *out;
    size_t n = test_consume(ts.out_topic, NULL, NULL, 5, 30000, 2000, &out);
    worker_running = 0;
    pthread_join(th, NULL);
    cr_expect_eq(r.rc, 0);
    cr_expect_eq(n, 5, "tick outputs: %zu", n);
    cr_expect(ts.handed_off >= 1, "tick_committed was called");
    test_messages_free(out, n);
    settings_free(&r.cfg);
}
