/* The topics of DESIGN.md in one table: name, retention and who writes them. Workers
 * create what is missing at start-up, so a fresh broker needs no separate set-up step. */
#ifndef VIGILE_TOPICS_H
#define VIGILE_TOPICS_H

#include <stddef.h>
#include <stdio.h>

#define TOPIC_INBOUND        "vigile.inbound"
#define TOPIC_CLASSIFIED     "vigile.classified"
#define TOPIC_DECISIONS      "vigile.decisions"
#define TOPIC_ACTIONS        "vigile.actions"
#define TOPIC_ACTION_RESULTS "vigile.action-results"
#define TOPIC_ESCALATIONS    "vigile.escalations"
#define TOPIC_OPERATOR       "vigile.operator"
#define TOPIC_SLA            "vigile.sla"
#define TOPIC_DEADLETTER     "vigile.deadletter"

struct topic_spec {
    const char *name;
    long long retention_ms; /* -1: forever */
};

/* The fixed topics, NULL-name terminated. */
extern const struct topic_spec topic_specs[];
/* Retention of a tenant's own decisions topic, vigile.decisions.<tenant>. */
#define TOPIC_TENANT_DECISIONS_RETENTION_MS (400LL * 24 * 3600 * 1000)

/* Writes "vigile.decisions.<tenant>" into buf (size n). Returns buf. Inline, so that
 * stages name the topic without linking the runtime. */
static inline char *topic_tenant_decisions(const char *tenant, char *buf, size_t n) {
    snprintf(buf, n, "%s.%s", TOPIC_DECISIONS, tenant);
    return buf;
}

/* Defined in runtime/topics.c (vigile_runtime: the Kafka admin API). Creates the topics
 * named in specs[0..n) with `partitions` partitions, the broker's
 * default replication factor and max.message.bytes of LIMIT_TOPIC_MESSAGE_BYTES
 * (limits.h); existing topics are left as they are. Returns 0, or -1 with
 * the broker's reason in err. */
int topics_create(const char *brokers, const struct topic_spec *specs, size_t n, int partitions,
                  char *err, size_t errlen);

/* Creates every fixed topic and the decisions topic of each tenant id given, with
 * `partitions` partitions and the broker's default replication factor; existing topics
 * are left as they are. Returns 0, or -1 with the broker's reason in err. */
int topics_ensure(const char *brokers, const char *const *tenants, size_t n_tenants, int partitions,
                  char *err, size_t errlen);

#endif
