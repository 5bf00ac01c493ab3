/* bench-worker: what exactly-once costs. Pushes the same N inputs through the worker
 * shell with a trivial stage, once with Kafka transactions and once at-least-once, at
 * several batch sizes, against the broker in VIGILE_KAFKA_BROKERS, and prints inputs per
 * second and the ratio between the two modes. Figures, not assertions.
 *
 * Usage: bench-worker [N]   (default 20000) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka.h"
#include "settings.h"
#include "stage.h"
#include "timefmt.h"
#include "topics.h"
#include "worker.h"
#include "xmalloc.h"

struct bench_stage {
    char out_topic[128];
    long seen, target;
    int64_t done_ms;
};

static enum stage_status forward(void *ctx, const struct stage_input *in, struct stage_outputs *out,
                                 char *reason, size_t n) {
    struct bench_stage *bs = ctx;
    (void)reason, (void)n;
    stage_outputs_add(out, bs->out_topic, xstrdup("k"), xstrndup(in->payload, in->len), in->len);
    if (++bs->seen == bs->target) bs->done_ms = time_mono_ms();
    return STAGE_OK;
}

struct run {
    struct settings cfg;
    struct stage stage;
};

static void *run_worker(void *arg) {
    struct run *r = arg;
    worker_run(&r->cfg, &r->stage, NULL);
    return NULL;
}

static void fill(const char *brokers, const char *topic, long n) {
    char err[512];
    rd_kafka_t *rk = kafka_producer_new(brokers, NULL, NULL, NULL, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    const char payload[200] = "{\"text\":\"un commento di duecento byte circa\"}";
    for (long i = 0; i < n; i++) {
        char key[16];
        snprintf(key, sizeof key, "a%ld", i % 97);
        kafka_produce(rk, topic, key, xstrndup(payload, sizeof payload), sizeof payload);
    }
    rd_kafka_flush(rk, 60000);
    rd_kafka_destroy(rk);
}

/* Runs one mode over a fresh input topic; returns inputs per second. */
static double measure(const char *brokers, int transactional, int batch, long n) {
    static int round;
    char in_topic[128], name[64], v[16];
    struct bench_stage bs = { .target = n };
    snprintf(in_topic, sizeof in_topic, "bench.in.%d.%d", (int)getpid(), round);
    snprintf(bs.out_topic, sizeof bs.out_topic, "bench.out.%d.%d", (int)getpid(), round);
    snprintf(name, sizeof name, "bench%d-%d", (int)getpid(), round++);
    struct topic_spec specs[] = { { in_topic, 3600000 }, { bs.out_topic, 3600000 } };
    char err[512];
    if (topics_create(brokers, specs, 2, 3, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    fill(brokers, in_topic, n);
    setenv("VIGILE_KAFKA_TRANSACTIONS", transactional ? "1" : "0", 1);
    snprintf(v, sizeof v, "%d", batch);
    setenv("VIGILE_BATCH_MAX", v, 1);
    setenv("VIGILE_INSTANCE_ID", name, 1);
    setenv("VIGILE_LOG_LEVEL", "warn", 1);
    struct run r = { 0 };
    settings_load(&r.cfg, err, sizeof err);
    const char *inputs[] = { in_topic, NULL };
    r.stage =
        (struct stage){ .name = name, .input_topics = inputs, .process = forward, .ctx = &bs };
    worker_running = 1;
    pthread_t th;
    int64_t t0 = time_mono_ms();
    pthread_create(&th, NULL, run_worker, &r);
    while (bs.done_ms == 0) usleep(10000);
    worker_running = 0;
    pthread_join(th, NULL);
    settings_free(&r.cfg);
    return n * 1000.0 / (double)(bs.done_ms - t0);
}

int main(int argc, char **argv) {
    const char *brokers = getenv("VIGILE_KAFKA_BROKERS");
    if (!brokers) {
        fprintf(stderr, "bench-worker: set VIGILE_KAFKA_BROKERS\n");
        return 2;
    }
    long n = argc > 1 ? atol(argv[1]) : 20000;
    printf("inputs per run: %ld (200-byte payloads, one output each)\n", n);
    printf("%-8s %16s %16s %8s\n", "batch", "transactional/s", "at-least-once/s", "ratio");
    const int batches[] = { 1, 50, 500 };
    for (size_t i = 0; i < sizeof batches / sizeof *batches; i++) {
        long runs = batches[i] == 1 ? n / 10 : n; /* one transaction per input is slow */
        double tx = measure(brokers, 1, batches[i], runs);
        double alo = measure(brokers, 0, batches[i], runs);
        printf("%-8d %16.0f %16.0f %8.2f\n", batches[i], tx, alo, tx / alo);
    }
    return 0;
}
