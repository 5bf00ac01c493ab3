/* The topics of DESIGN.md in one table: name, retention and who writes them. Workers
 * create what is missing at start-up, so a fresh broker needs no separate set-up step. */
#ifndef VIGILE_TOPICS_H
#define VIGILE_TOPICS_H

#include <stddef.h>

#define TOPIC_INBOUND     "vigile.inbound"
#define TOPIC_CLASSIFIED  "vigile.classified"
#define TOPIC_DECISIONS   "vigile.decisions"
#define TOPIC_ACTIONS     "vigile.actions"
#define TOPIC_ESCALATIONS "vigile.escalations"
#define TOPIC_OPERATOR    "vigile.operator"
#define TOPIC_SLA         "vigile.sla"
#define TOPIC_DEADLETTER  "vigile.deadletter"

struct topic_spec {
    const char *name;
    long long retention_ms; /* -1: forever */
};

/* The fixed topics, NULL-name terminated. */
extern const struct topic_spec topic_specs[];
/* Retention of a tenant's own decisions topic, vigile.decisions.<tenant>. */
#define TOPIC_TENANT_DECISIONS_RETENTION_MS (400LL * 24 * 3600 * 1000)

/* Writes "vigile.decisions.<tenant>" into buf (size n). Returns buf. */
char *topic_tenant_decisions(const char *tenant, char *buf, size_t n);

#endif
