#include "kafka_util.h"

#include <criterion/criterion.h>
#include <librdkafka/rdkafka.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "timefmt.h"
#include "topics.h"
#include "xmalloc.h"

const char *test_brokers(void) {
    const char *b = getenv("VIGILE_KAFKA_BROKERS");
    cr_assert_not_null(b, "VIGILE_KAFKA_BROKERS is not set: run through scripts/test.sh");
    return b;
}

void test_create_topics(const char *const *names) {
    struct topic_spec specs[16];
    size_t n = 0;
    for (; names[n]; n++) specs[n] = (struct topic_spec){ names[n], 3600 * 1000LL };
    char err[512];
    cr_assert_eq(topics_create(test_brokers(), specs, n, 3, err, sizeof err), 0, "%s", err);
}

void test_produce(const char *topic, const char *key, const char *value, size_t len) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", test_brokers(), err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    cr_assert_not_null(rk, "%s", err);
    rd_kafka_resp_err_t e =
        rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
                          RD_KAFKA_V_VALUE((void *)value, len),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    cr_assert_eq(e, 0, "%s", rd_kafka_err2str(e));
    cr_assert_eq(rd_kafka_flush(rk, 30000), 0, "not acknowledged");
    rd_kafka_destroy(rk);
}

void test_produce_batch(const char *topic, char *const *keys, char *const *values, size_t n) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", test_brokers(), err, sizeof err);
    rd_kafka_conf_set(conf, "linger.ms", "5", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    cr_assert_not_null(rk, "%s", err);
    for (size_t i = 0; i < n; i++) {
        rd_kafka_resp_err_t e =
            rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(keys[i], strlen(keys[i])),
                              RD_KAFKA_V_VALUE(values[i], strlen(values[i])),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        cr_assert_eq(e, 0, "%s", rd_kafka_err2str(e));
    }
    cr_assert_eq(rd_kafka_flush(rk, 30000), 0, "not acknowledged");
    rd_kafka_destroy(rk);
}

void test_group_start_at_end(const char *group, const char *const *topics) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", test_brokers(), err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", group, err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    cr_assert_not_null(rk, "%s", err);
    rd_kafka_topic_partition_list_t *ends = rd_kafka_topic_partition_list_new(16);
    for (const char *const *t = topics; *t; t++) {
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, *t, NULL);
        const struct rd_kafka_metadata *md;
        rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
        cr_assert_eq(e, 0, "metadata of %s: %s", *t, rd_kafka_err2str(e));
        for (int p = 0; md->topic_cnt == 1 && p < md->topics[0].partition_cnt; p++) {
            int64_t lo, hi;
            e = rd_kafka_query_watermark_offsets(rk, *t, p, &lo, &hi, 10000);
            cr_assert_eq(e, 0, "end of %s[%d]: %s", *t, p, rd_kafka_err2str(e));
            rd_kafka_topic_partition_list_add(ends, *t, p)->offset = hi;
        }
        rd_kafka_metadata_destroy(md);
        rd_kafka_topic_destroy(rkt);
    }
    if (ends->cnt > 0) {
        rd_kafka_resp_err_t e = rd_kafka_commit(rk, ends, 0);
        cr_assert_eq(e, 0, "commit for %s: %s", group, rd_kafka_err2str(e));
    }
    rd_kafka_topic_partition_list_destroy(ends);
    rd_kafka_destroy(rk);
}

size_t test_consume(const char *topic, int (*match)(const struct test_message *, void *), void *arg,
                    size_t want, int timeout_ms, int settle_ms, struct test_message **out) {
    char err[512], group[128];
    snprintf(group, sizeof group, "test-reader-%d-%lld", (int)getpid(), (long long)time_mono_ms());
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", test_brokers(), err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", group, err, sizeof err);
    rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err);
    rd_kafka_conf_set(conf, "isolation.level", "read_committed", err, sizeof err);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    cr_assert_not_null(rk, "%s", err);
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *t = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(t, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk, t);
    rd_kafka_topic_partition_list_destroy(t);

    size_t n = 0, cap = 16;
    struct test_message *msgs = xcalloc(cap, sizeof *msgs);
    int64_t deadline = time_mono_ms() + timeout_ms;
    int settling = 0;
    while (time_mono_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m) continue;
        if (!m->err) {
            struct test_message tm = { m->key ? xstrndup(m->key, m->key_len) : xstrdup(""),
                                       xstrndup(m->payload, m->len), m->len };
            if (!match || match(&tm, arg)) {
                if (n == cap) msgs = xrealloc(msgs, (cap *= 2) * sizeof *msgs);
                msgs[n++] = tm;
            } else {
                free(tm.key);
                free(tm.value);
            }
        }
        rd_kafka_message_destroy(m);
        if (n >= want && !settling) {
            settling = 1;
            deadline = time_mono_ms() + settle_ms;
        }
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    *out = msgs;
    return n;
}

void test_messages_free(struct test_message *msgs, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(msgs[i].key);
        free(msgs[i].value);
    }
    free(msgs);
}

void test_save_messages(const char *name, const struct test_message *msgs, size_t n) {
    char path[512];
    snprintf(path, sizeof path, "%s/messages-%s.jsonl", BUILD_DIR, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    for (size_t i = 0; i < n; i++) fprintf(f, "%s\n", msgs[i].value);
    fclose(f);
}

char *test_deadletter_payload(const struct test_message *m) {
    json_t *rec = json_loadb(m->value, m->len, 0, NULL);
    const char *b64 = json_string_value(json_object_get(rec, "payload_base64"));
    size_t n = b64 ? strlen(b64) : 0;
    char *out = xcalloc(1, n + 1);
    if (n && EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)b64, (int)n) < 0)
        out[0] = '\0';
    json_decref(rec);
    return out;
}
