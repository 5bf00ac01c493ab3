/* bench-pipeline: the whole pipeline against the local broker and Redis, and the broker's
 * own ceiling beside it. Starts vigile-classify, vigile-route and vigile-sla as operators
 * run them, feeds `vigile-ingest --replay -` with inbound envelopes at fixed rates and at
 * full speed, and reads vigile.decisions as a dashboard does (read_committed). Prints, per
 * rate, the sustained throughput and the latency from the line handed to ingest to its
 * decision read (p50, p99, max); then runs a pass-through worker (this program with
 * --passthrough: the same worker shell, batching and transactions, a stage that copies
 * each input to another topic) at full speed on the same broker and prints the ratio.
 * Figures only, never an assertion.
 *
 * usage: bench-pipeline [SECONDS_PER_RATE]   (default 10; full speed sends 20,000)
 * env:   VIGILE_KAFKA_BROKERS, VIGILE_REDIS_URL, and the workers' VIGILE_BATCH_MAX,
 *        VIGILE_BATCH_MS, VIGILE_KAFKA_TRANSACTIONS, passed on as they are. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_pipeline.h"
#include "kafka.h"
#include "settings.h"
#include "timefmt.h"
#include "topics.h"
#include "worker.h"
#include "xmalloc.h"

extern char **environ;

#define FULL_SPEED_N     20000
#define WARMUP_N         20
#define DRAIN_TIMEOUT_MS 120000
#define BENCH_PARTITIONS 6 /* the workers' default, VIGILE_TOPIC_PARTITIONS */

static const char *const texts[] = {
    "Sindaco ladro e buffone, ti sei mangiato anche i soldi delle aiuole",
    "A che ora apre l'anagrafe sabato mattina? Devo rinnovare la carta",
    "Amministrazione incapace, tre anni per una rotonda e ancora niente",
    "Buca enorme in via Leopardi davanti al civico 8, mandate qualcuno",
    "Guadagna 500 euro al giorno da casa con il trading! Scrivimi in privato",
    "Bellissima iniziativa, complimenti a tutti gli organizzatori della sagra",
    "Ma stai zitto coglione, non capisci niente di niente",
    "Grazie mille per la risposta veloce, gentilissimi davvero",
};
static const char *const tenants[] = { "lecce", "alessandria", "arese", "tradate", "cassino" };
#define N_TEXTS   (sizeof texts / sizeof texts[0])
#define N_TENANTS (sizeof tenants / sizeof tenants[0])

static char run_id[32];

/* Starts path with argv, stdout and stderr to log, stdin from in_fd (-1: inherited). */
static pid_t spawn(char *const argv[], const char *log, int in_fd) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    if (in_fd >= 0) posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc) {
        fprintf(stderr, "bench-pipeline: cannot start %s: %s\n", argv[0], strerror(rc));
        exit(1);
    }
    return pid;
}

static pid_t spawn_worker(const char *name) {
    char path[512], log[256];
    snprintf(path, sizeof path, "%s/services/vigile-%s", BUILD_DIR, name);
    snprintf(log, sizeof log, "/tmp/bench-pipeline-%s-%s.log", run_id, name);
    char *argv[] = { path, NULL };
    return spawn(argv, log, -1);
}

static int stop(pid_t pid) {
    kill(pid, SIGTERM);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* One envelope line for ingest's replay; the event id says its phase and index. */
static char *envelope_line(int phase, long i) {
    return xasprintf("{\"event_id\":\"bp-%s-%d-%ld\",\"tenant\":\"%s\",\"platform\":\"facebook\","
                     "\"kind\":\"comment\",\"content_id\":\"c-%s-%d-%ld\",\"author\":{\"id\":"
                     "\"u%ld\",\"name\":\"Maria Rossi\"},\"text\":\"%s\"}\n",
                     run_id, phase, i, tenants[i % N_TENANTS], run_id, phase, i, i % 997,
                     texts[i % N_TEXTS]);
}

/* Feeds n lines of phase to ingest at rate per second (0: as fast as the pipe takes
 * them), noting when each was handed over. */
static void feed(FILE *to_ingest, int phase, long n, double rate, int64_t *sent_ms) {
    int64_t t0 = time_mono_ms();
    for (long i = 0; i < n; i++) {
        if (rate > 0) {
            int64_t due = t0 + (int64_t)(i * 1000.0 / rate);
            int64_t now = time_mono_ms();
            if (due > now) usleep((useconds_t)(due - now) * 1000);
        }
        char *line = envelope_line(phase, i);
        sent_ms[i] = time_mono_ms();
        fputs(line, to_ingest);
        if (rate > 0) fflush(to_ingest);
        free(line);
    }
    fflush(to_ingest);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Prints one phase's line: throughput from the first event handed over to the last one
 * read, and the latencies. Returns the throughput. */
static double report(const char *what, struct bench_reader *rd, long n, const int64_t *sent_ms) {
    int64_t *lat = xcalloc((size_t)n, sizeof *lat), last;
    long got = bench_reader_latencies(rd, sent_ms, lat, &last);
    qsort(lat, (size_t)got, sizeof *lat, cmp_i64);
    double secs = got ? (double)(last - sent_ms[0]) / 1000.0 : 0, rate = secs > 0 ? got / secs : 0;
    printf("%-22s %6ld sent %6ld out %7.0f/s   latency ms p50 %5lld  p99 %5lld  max %5lld\n", what,
           n, got, rate, got ? (long long)lat[got / 2] : -1LL,
           got ? (long long)lat[(size_t)((double)(got - 1) * 0.99)] : -1LL,
           got ? (long long)lat[got - 1] : -1LL);
    if (rd->duplicates) printf("%22s %ld duplicates read\n", "", rd->duplicates);
    fflush(stdout);
    free(lat);
    return rate;
}

/* One phase through ingest: n events at rate (0: full speed), then waits for them. */
static double phase_run(struct bench_reader *rd, FILE *to_ingest, int phase, long n, double rate,
                        const char *what) {
    int64_t *sent = xcalloc((size_t)n, sizeof *sent);
    bench_reader_expect(rd, run_id, phase, n);
    feed(to_ingest, phase, n, rate, sent);
    bench_reader_wait(rd, DRAIN_TIMEOUT_MS);
    double r = report(what, rd, n, sent);
    free(sent);
    return r;
}

/* The pass-through stage: each input to the output topic, keyed by a hash of its bytes
 * so that it spreads over the partitions as keyed envelopes do. */
static enum stage_status pass_on(void *ctx, const struct stage_input *in, struct stage_outputs *out,
                                 char *reason, size_t n) {
    (void)reason, (void)n;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < in->len; i++) h = (h ^ (unsigned char)in->payload[i]) * 16777619u;
    stage_outputs_add(out, ctx, xasprintf("%08x", h), xstrndup(in->payload, in->len), in->len);
    return STAGE_OK;
}

/* `bench-pipeline --passthrough IN OUT`: the worker shell with pass_on, until SIGTERM. */
static int passthrough_main(const char *in_topic, const char *out_topic) {
    struct settings cfg;
    char err[512];
    if (settings_load(&cfg, err, sizeof err)) {
        fprintf(stderr, "bench-pipeline: %s\n", err);
        return 2;
    }
    const char *inputs[] = { in_topic, NULL };
    struct stage st = {
        .name = "passthrough", .input_topics = inputs, .process = pass_on, .ctx = (void *)out_topic
    };
    worker_install_signals();
    int rc = worker_run(&cfg, &st, NULL);
    settings_free(&cfg);
    return rc;
}

/* Produces n envelope lines of phase to topic as fast as the producer takes them. */
static void produce_lines(rd_kafka_t *rk, const char *topic, int phase, long n, int64_t *sent) {
    for (long i = 0; i < n; i++) {
        char *line = envelope_line(phase, i), key[16];
        snprintf(key, sizeof key, "u%ld", i % 997);
        sent[i] = time_mono_ms();
        kafka_produce(rk, topic, key, line, strlen(line) - 1); /* steals line */
        rd_kafka_poll(rk, 0);
    }
    rd_kafka_flush(rk, 60000);
}

/* The pass-through on the same broker: warm-up, then FULL_SPEED_N at full speed. */
static double passthrough_run(const char *brokers, const char *self, int partitions) {
    char in_topic[96], out_topic[96], err[512], log[256];
    snprintf(in_topic, sizeof in_topic, "bench.pt.in.%s", run_id);
    snprintf(out_topic, sizeof out_topic, "bench.pt.out.%s", run_id);
    struct topic_spec specs[] = { { in_topic, 3600000 }, { out_topic, 3600000 } };
    if (topics_create(brokers, specs, 2, partitions, err, sizeof err)) {
        fprintf(stderr, "bench-pipeline: %s\n", err);
        exit(1);
    }
    struct bench_reader rd;
    bench_reader_start(&rd, brokers, out_topic);
    snprintf(log, sizeof log, "/tmp/bench-pipeline-%s-passthrough.log", run_id);
    char *argv[] = { (char *)self, "--passthrough", in_topic, out_topic, NULL };
    pid_t pt = spawn(argv, log, -1);
    rd_kafka_t *rk = kafka_producer_new(brokers, NULL, NULL, NULL, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "bench-pipeline: %s\n", err);
        exit(1);
    }
    int64_t *sent = xcalloc(FULL_SPEED_N, sizeof *sent);
    bench_reader_expect(&rd, run_id, 90, WARMUP_N);
    produce_lines(rk, in_topic, 90, WARMUP_N, sent);
    bench_reader_wait(&rd, DRAIN_TIMEOUT_MS);
    bench_reader_expect(&rd, run_id, 91, FULL_SPEED_N);
    produce_lines(rk, in_topic, 91, FULL_SPEED_N, sent);
    bench_reader_wait(&rd, DRAIN_TIMEOUT_MS);
    double rate = report("pass-through, full", &rd, FULL_SPEED_N, sent);
    rd_kafka_destroy(rk);
    if (stop(pt)) fprintf(stderr, "bench-pipeline: the pass-through worker did not exit 0\n");
    bench_reader_stop(&rd);
    free(sent);
    return rate;
}

/* The workers' environment: groups and transactional ids of this run's own, the shipped
 * config and data. Batching and transactions are left as the caller set them. */
static void worker_env(void) {
    char v[64];
    snprintf(v, sizeof v, "bench-%s", run_id);
    setenv("VIGILE_GROUP_PREFIX", v, 1);
    setenv("VIGILE_INSTANCE_ID", v, 1);
    setenv("VIGILE_CONFIG_DIR", SOURCE_DIR "/config", 1);
    setenv("VIGILE_DATA_DIR", SOURCE_DIR "/data", 1);
    setenv("VIGILE_PSEUDONYM_KEY", "bench-pipeline-key", 1);
    setenv("VIGILE_HTTP_PORT", "0", 1);
    setenv("VIGILE_LOG_LEVEL", "warn", 0);
}

static void groups_at_end(const char *brokers) {
    char group[96];
    static const char *const classify_in[] = { TOPIC_INBOUND, NULL };
    static const char *const route_in[] = { TOPIC_CLASSIFIED, TOPIC_OPERATOR, NULL };
    static const char *const sla_in[] = { TOPIC_ESCALATIONS, TOPIC_OPERATOR, NULL };
    snprintf(group, sizeof group, "bench-%s-classify", run_id);
    bench_group_at_end(brokers, group, classify_in);
    snprintf(group, sizeof group, "bench-%s-route", run_id);
    bench_group_at_end(brokers, group, route_in);
    snprintf(group, sizeof group, "bench-%s-sla", run_id);
    bench_group_at_end(brokers, group, sla_in);
}

/* Starts `vigile-ingest --replay -` reading from the returned stream. */
static FILE *ingest_start(pid_t *pid) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC)) {
        perror("bench-pipeline: pipe");
        exit(1);
    }
    char path[512], log[256];
    snprintf(path, sizeof path, "%s/services/vigile-ingest", BUILD_DIR);
    snprintf(log, sizeof log, "/tmp/bench-pipeline-%s-ingest.log", run_id);
    char *argv[] = { path, "--replay", "-", NULL };
    *pid = spawn(argv, log, fds[0]);
    close(fds[0]);
    return fdopen(fds[1], "w");
}

static const char *env_or(const char *name, const char *dflt) {
    const char *v = getenv(name);
    return v ? v : dflt;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "--passthrough") == 0)
        return passthrough_main(argv[2], argv[3]);
    double secs = argc > 1 ? atof(argv[1]) : 10;
    const char *brokers = getenv("VIGILE_KAFKA_BROKERS");
    if (!brokers || !getenv("VIGILE_REDIS_URL") || secs <= 0) {
        fprintf(stderr, "usage: bench-pipeline [SECONDS_PER_RATE]\n"
                        "needs VIGILE_KAFKA_BROKERS and VIGILE_REDIS_URL (scripts/servers.sh)\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    snprintf(run_id, sizeof run_id, "%d", (int)getpid());
    worker_env();
    /* The reader and the groups start at the topics' ends, so the topics must exist
     * first: on a fresh broker the workers would create them only after the reader had
     * found no partition to read. */
    char err[512];
    if (topics_ensure(brokers, NULL, 0, BENCH_PARTITIONS, err, sizeof err)) {
        fprintf(stderr, "bench-pipeline: topics: %s\n", err);
        return 1;
    }
    groups_at_end(brokers);
    printf("bench-pipeline: ingest (replay) -> classify -> route -> sla, %ld cores, batch max %s, "
           "batch ms %s, transactions %s; logs /tmp/bench-pipeline-%s-*.log\n",
           sysconf(_SC_NPROCESSORS_ONLN), env_or("VIGILE_BATCH_MAX", "500"),
           env_or("VIGILE_BATCH_MS", "100"), env_or("VIGILE_KAFKA_TRANSACTIONS", "1"), run_id);
    struct bench_reader rd;
    bench_reader_start(&rd, brokers, TOPIC_DECISIONS);
    pid_t classify = spawn_worker("classify"), route = spawn_worker("route"),
          sla = spawn_worker("sla"), ingest;
    FILE *to_ingest = ingest_start(&ingest);
    phase_run(&rd, to_ingest, 0, WARMUP_N, 0, "warm-up (start-up)");
    static const double rates[] = { 100, 1000, 5000 };
    for (int i = 0; i < 3; i++) {
        char what[64];
        snprintf(what, sizeof what, "pipeline, %.0f msg/s", rates[i]);
        phase_run(&rd, to_ingest, i + 1, (long)(rates[i] * secs), rates[i], what);
    }
    double full = phase_run(&rd, to_ingest, 4, FULL_SPEED_N, 0, "pipeline, full speed");
    fclose(to_ingest);
    int rc_ingest = stop(ingest), rc_c = stop(classify), rc_r = stop(route), rc_s = stop(sla);
    printf("exit codes: ingest %d, classify %d, route %d, sla %d\n", rc_ingest, rc_c, rc_r, rc_s);
    bench_reader_stop(&rd);
    double pt = passthrough_run(brokers, argv[0], bench_topic_partitions(brokers, TOPIC_INBOUND));
    printf("pipeline / pass-through at full speed: %.0f / %.0f = %.2f\n", full, pt,
           pt > 0 ? full / pt : 0);
    return 0;
}
