#include "topics.h"

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
    { TOPIC_ESCALATIONS, 90 * DAY_MS },
    { TOPIC_OPERATOR, 400 * DAY_MS },
    { TOPIC_SLA, 90 * DAY_MS },
    { TOPIC_DEADLETTER, 30 * DAY_MS },
    { NULL, 0 },
};

char *topic_tenant_decisions(const char *tenant, char *buf, size_t n) {
    snprintf(buf, n, "%s.%s", TOPIC_DECISIONS, tenant);
    return buf;
}
