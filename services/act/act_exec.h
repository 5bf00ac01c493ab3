/* The executor: threads that take commands from the Redis queues (act_queue.h), call the
 * platforms and record the outcomes, outside the worker shell's Kafka transaction (see
 * docs/act.md, "Why the calls are not made in the transaction"). Each thread serves one
 * tenant at a time and no two threads of a replica serve the same tenant, so a tenant
 * whose platform is slow or throttled holds at most one thread. */
#ifndef VIGILE_ACT_EXEC_H
#define VIGILE_ACT_EXEC_H

#include <stddef.h>

#include "act_config.h"

struct act_exec;

/* Starts cfg->threads threads on Redis at url. cfg is borrowed and must outlive the
 * executor; tenant ids are copied. Returns it, or NULL with the reason in err. */
struct act_exec *act_exec_start(const struct act_config *cfg, const char *url,
                                const char *const *tenants, size_t n, char *err, size_t errlen);
/* Replaces the tenants served (copied); for a reload. */
void act_exec_set_tenants(struct act_exec *e, const char *const *tenants, size_t n);
/* Stops the threads after their call in hand and frees everything. NULL-safe. */
void act_exec_stop(struct act_exec *e);

/* The transient-failure backoff before attempt failures + 1: base · 2^failures, at most
 * an hour, with full jitter in its upper half (so that commands failed together do not
 * come back together). rnd in [0, 1). */
long long act_backoff_ms(int base_ms, int failures, double rnd);

#endif
