/* Creating the topics of topics.h on a broker (the Kafka admin API): workers do it at
 * start-up, so a fresh broker needs no separate set-up step. */
#ifndef VIGILE_TOPICS_ADMIN_H
#define VIGILE_TOPICS_ADMIN_H

#include <stddef.h>

#include "topics.h"

/* Creates the topics named in specs[0..n) with `partitions` partitions, the broker's
 * default replication factor and max.message.bytes of LIMIT_TOPIC_MESSAGE_BYTES
 * (limits.h); existing topics are left as they are. Returns 0, or -1 with
 * the broker's reason in err. */
int topics_create(const char *brokers, const struct topic_spec *specs, size_t n, int partitions,
                  char *err, size_t errlen);

/* Creates every fixed topic and the decisions topic of each tenant id given, with
 * `partitions` partitions and the broker's default replication factor; existing topics
 * are left as they are. Returns 0, or -1 with the broker's reason in err. */
int topics_ensure(const char *brokers, const char *const *tenants, size_t n_tenants,
                  int partitions, char *err, size_t errlen);

#endif
