/* vigile-act's stage: commands read from vigile.actions are checked and, per tenant
 * mode, logged and published as skipped (shadow), handed to an operator at once (what
 * the platform cannot do, a missing credential) or accepted into the Redis queues that
 * the executor threads work through (live). The tick hook publishes the executor's
 * outcomes on vigile.action-results. Library code: main.c and the tests drive it. */
#ifndef VIGILE_ACT_H
#define VIGILE_ACT_H

#include <stddef.h>
#include <stdint.h>

#include "act_config.h"
#include "stage.h"
#include "tenant.h"

/* How long a published result stays leased to the batch that carries it before it is
 * published again (a batch abandoned after a failure never calls tick_committed). */
#define ACT_OUTBOX_LEASE_MS 30000

struct act;

/* Creates the stage. Steals tenants and cfg (its contents; cfg is zeroed); redis_url is
 * copied. with_executor 0 makes a stage that only accepts (tests of intake). Returns
 * NULL with the reason in err (tenants and cfg freed). */
struct act *act_new(struct tenant_set *tenants, struct act_config *cfg, const char *redis_url,
                    int with_executor, char *err, size_t n);
void act_free(struct act *s); /* NULL-safe; stops the executor after its calls in hand */
/* Swaps in a new tenant set between two inputs. Steals tenants. */
void act_reload(struct act *s, struct tenant_set *tenants);

/* stage.process: one command. STAGE_REJECT for bad input, STAGE_RETRY while Redis is
 * down (live tenants only). */
enum stage_status act_process(struct act *s, const struct stage_input *in,
                              struct stage_outputs *out, char *reason, size_t n);
/* stage.tick: publishes the outcomes waiting in the outbox. */
enum stage_status act_tick(struct act *s, int64_t now_ms, struct stage_outputs *out, char *reason,
                           size_t n);
/* stage.tick_committed: forgets the outcomes whose batch committed. */
void act_tick_committed(struct act *s);

#endif
