#include "file_source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadletter.h"
#include "ingest.h"
#include "kafka.h"
#include "log.h"
#include "timefmt.h"
#include "topics.h"
#include "xmalloc.h"

#define PROGRESS_EVERY 10000

/* What the summary reports. Parsing decides what a line becomes (accepted envelopes,
 * rejected lines); only the broker's acknowledgements decide what was delivered: envelopes
 * to vigile.inbound, dead letters to vigile.deadletter, and what never got there. */
struct replay_counts {
    unsigned long lines, accepted, rejected;
    unsigned long delivered, deadlettered, undelivered;
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    struct replay_counts *c = opaque;
    (void)rk;
    const char *topic = rd_kafka_topic_name(m->rkt);
    if (m->err) {
        c->undelivered++;
        log_error("delivery to %s failed: %s", topic, rd_kafka_err2str(m->err));
    } else if (strcmp(topic, TOPIC_DEADLETTER) == 0) {
        c->deadlettered++;
    } else {
        c->delivered++;
    }
}

/* Turns one line into outputs, its envelopes or a dead letter saying why not, and queues
 * them. An output that cannot even be queued counts as undelivered (logged) and the
 * replay goes on: one bad line must not leave the rest of the file unread. */
static void produce_line(rd_kafka_t *rk, const struct tenant_set *tenants, const char *line,
                         size_t len, struct replay_counts *c, struct stage_outputs *out) {
    char reason[512];
    stage_outputs_clear(out);
    json_t *envs = json_array();
    struct ingest_request req = { tenants, line, len, NULL, time_now_ms() };
    if (ingest_parse_line(&req, envs, reason, sizeof reason) == INGEST_OK) {
        ingest_outputs_add(out, envs);
        c->accepted += json_array_size(envs);
    } else {
        struct deadletter_source src = { "ingest", "replay", -1, (int64_t)c->lines };
        deadletter_add(out, &src, NULL, reason, line, len);
        c->rejected++;
        log_warn("line %lu: %s", c->lines, reason);
    }
    json_decref(envs);
    for (size_t i = 0; i < out->n; i++) {
        struct stage_output *o = &out->v[i];
        if (kafka_produce(rk, o->topic, o->key, o->value, o->len)) {
            c->undelivered++;
            log_error("line %lu: not delivered", c->lines);
        }
        o->value = NULL; /* taken by librdkafka, or freed on failure */
    }
    rd_kafka_poll(rk, 0);
}

int ingest_replay(const struct settings *cfg, const struct tenant_set *tenants, const char *path) {
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!in) {
        log_error("replay: cannot open %s", path);
        return 2;
    }
    struct replay_counts c = { 0 };
    char err[512];
    rd_kafka_t *rk = kafka_producer_new(cfg->kafka_brokers, NULL, on_delivery, &c, err, sizeof err);
    if (!rk) {
        log_error("replay: %s", err);
        if (in != stdin) fclose(in);
        return 1;
    }
    struct stage_outputs out = { 0 };
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int64_t t0 = time_mono_ms();
    while ((len = getline(&line, &cap, in)) >= 0) {
        c.lines++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
        if (len == 0) continue; /* blank lines separate nothing and carry nothing */
        produce_line(rk, tenants, line, (size_t)len, &c, &out);
        if (c.lines % PROGRESS_EVERY == 0)
            fprintf(stderr, "replay: %lu lines, %lu envelopes, %lu rejected, %.0f lines/s\n",
                    c.lines, c.accepted, c.rejected,
                    c.lines * 1000.0 / (double)(time_mono_ms() - t0 + 1));
    }
    free(line);
    stage_outputs_free(&out);
    if (in != stdin) fclose(in);
    /* The broker may be slow to come up: wait for every acknowledgement. */
    while (rd_kafka_outq_len(rk) > 0) rd_kafka_flush(rk, 1000);
    rd_kafka_destroy(rk);
    log_info("replay of %s: %lu lines, %lu of %lu envelopes delivered, %lu of %lu rejected lines "
             "dead-lettered, %lu messages undelivered",
             path, c.lines, c.delivered, c.accepted, c.deadlettered, c.rejected, c.undelivered);
    return c.undelivered ? 1 : 0;
}
