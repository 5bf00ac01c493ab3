#include "topics.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "xmalloc.h"

#define DAY_MS (24LL * 3600 * 1000)

/* Retention follows what each topic is for: decisions and operator events are the record a
 * citizen's appeal or a DSA transparency report looks back on, so they stay for 400 days;
 * work queues need only cover an outage and a replay. */
const struct topic_spec topic_specs[] = {
    { TOPIC_INBOUND, 7 * DAY_MS },
    { TOPIC_CLASSIFIED, 7 * DAY_MS },
    { TOPIC_DECISIONS, 400 * DAY_MS },
    { TOPIC_ACTIONS, 7 * DAY_MS },
    { TOPIC_ACTION_RESULTS, 400 * DAY_MS }, /* what was done on the platforms: the record */
    { TOPIC_ESCALATIONS, 90 * DAY_MS },
    { TOPIC_OPERATOR, 400 * DAY_MS },
    { TOPIC_SLA, 90 * DAY_MS },
    { TOPIC_DEADLETTER, 30 * DAY_MS },
    { NULL, 0 },
};

static rd_kafka_NewTopic_t *new_topic(const char *name, long long retention_ms, int partitions,
                                      char *err, size_t n) {
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(name, partitions, -1, err, n);
    if (!nt) return NULL;
    char ret[32];
    snprintf(ret, sizeof ret, "%lld", retention_ms);
    rd_kafka_NewTopic_set_config(nt, "retention.ms", ret);
    /* Explicit rather than the broker's default, which an operator may have lowered:
     * every message a worker produces, dead letters included, must fit (limits.h). */
    rd_kafka_NewTopic_set_config(nt, "max.message.bytes", LIMIT_STR(LIMIT_TOPIC_MESSAGE_BYTES));
    return nt;
}

/* Waits for the CreateTopics result and checks each topic; "already exists" is success. */
static int await_result(rd_kafka_queue_t *q, char *err, size_t n) {
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 30000);
    if (!ev) {
        snprintf(err, n, "create topics: no answer from the broker in 30 s");
        return -1;
    }
    int rc = 0;
    if (rd_kafka_event_error(ev)) {
        snprintf(err, n, "create topics: %s", rd_kafka_event_error_string(ev));
        rc = -1;
    } else {
        size_t cnt;
        const rd_kafka_topic_result_t **res =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &cnt);
        for (size_t i = 0; i < cnt && rc == 0; i++) {
            rd_kafka_resp_err_t e = rd_kafka_topic_result_error(res[i]);
            if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
                snprintf(err, n, "create topic %s: %s", rd_kafka_topic_result_name(res[i]),
                         rd_kafka_topic_result_error_string(res[i]));
                rc = -1;
            }
        }
    }
    rd_kafka_event_destroy(ev);
    return rc;
}

int topics_create(const char *brokers, const struct topic_spec *specs, size_t total, int partitions,
                  char *err, size_t n) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers, err, n) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, n);
    if (!rk) {
        rd_kafka_conf_destroy(conf); /* rd_kafka_new owns conf only on success */
        return -1;
    }
    rd_kafka_NewTopic_t **nts = xcalloc(total, sizeof *nts);
    int rc = 0;
    for (size_t i = 0; i < total && rc == 0; i++) {
        nts[i] = new_topic(specs[i].name, specs[i].retention_ms, partitions, err, n);
        if (!nts[i]) rc = -1;
    }
    if (rc == 0) {
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        rd_kafka_CreateTopics(rk, nts, total, NULL, q);
        rc = await_result(q, err, n);
        rd_kafka_queue_destroy(q);
    }
    for (size_t i = 0; i < total; i++)
        if (nts[i]) rd_kafka_NewTopic_destroy(nts[i]);
    free(nts);
    rd_kafka_destroy(rk);
    return rc;
}

int topics_ensure(const char *brokers, const char *const *tenants, size_t n_tenants, int partitions,
                  char *err, size_t n) {
    size_t n_fixed = 0;
    while (topic_specs[n_fixed].name) n_fixed++;
    struct topic_spec *specs = xcalloc(n_fixed + n_tenants, sizeof *specs);
    char **names = xcalloc(n_tenants + 1, sizeof *names);
    memcpy(specs, topic_specs, n_fixed * sizeof *specs);
    for (size_t i = 0; i < n_tenants; i++) {
        names[i] = xasprintf("%s.%s", TOPIC_DECISIONS, tenants[i]);
        specs[n_fixed + i] = (struct topic_spec){ names[i], TOPIC_TENANT_DECISIONS_RETENTION_MS };
    }
    int rc = topics_create(brokers, specs, n_fixed + n_tenants, partitions, err, n);
    for (size_t i = 0; i < n_tenants; i++) free(names[i]);
    free(names);
    free(specs);
    return rc;
}
