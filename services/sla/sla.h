/* vigile-sla's stage: tickets from vigile.escalations arm timers on their tenant's
 * calendars, operator events from vigile.operator stop them, and the tick hook turns due
 * timers into due_soon, breached and courtesy_reply_due events on vigile.sla. Library
 * code: the worker shell (main.c) and the tests drive it through these functions. */
#ifndef VIGILE_SLA_H
#define VIGILE_SLA_H

#include <stddef.h>
#include <stdint.h>

#include "stage.h"
#include "tenant.h"

struct sla_timers;
struct sla;

/* How long a claimed timer stays with the worker that claimed it before it is due again
 * (a worker that dies before committing loses it to the next claim, never for good). */
#define SLA_LEASE_MS 60000

/* Creates the stage. Steals tenants and timers. lease_ms: SLA_LEASE_MS outside tests. */
struct sla *sla_new(struct tenant_set *tenants, struct sla_timers *timers, int64_t lease_ms);
void sla_free(struct sla *s); /* NULL-safe */
/* Swaps in a new tenant set between two inputs. Steals tenants. */
void sla_reload(struct sla *s, struct tenant_set *tenants);

/* The stage functions, ctx the struct sla, as every stage takes its context (stage.h).
 * stage.process: arms a ticket (vigile.escalations) or stops timers (vigile.operator).
 * Produces nothing; STAGE_REJECT for bad input, STAGE_RETRY while Redis is down. */
enum stage_status sla_process(void *ctx, const struct stage_input *in, struct stage_outputs *out,
                              char *reason, size_t n);
/* stage.tick: claims the timers due at now_ms and appends their events. */
enum stage_status sla_tick(void *ctx, int64_t now_ms, struct stage_outputs *out, char *reason,
                           size_t n);
/* stage.tick_committed: forgets the timers whose events were committed. */
void sla_tick_committed(void *ctx);

/* `vigile-sla due ...` (argv[1] is "due"): prints a tenant's deadlines for an arrival.
 * Returns the exit code. */
int sla_due_main(int argc, char **argv);

#endif
