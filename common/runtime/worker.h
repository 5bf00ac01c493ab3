/* The worker shell: consume → stage → produce → commit, the same loop for every worker.
 *
 * Delivery (DESIGN.md, "Delivery"): inputs are read in batches. In transactional mode (the
 * default) a batch's outputs and its input offsets commit in one Kafka transaction, so a
 * read_committed consumer sees every decision exactly once. Otherwise the producer is
 * idempotent with acks=all and the offsets are committed only after every output of the
 * batch is acknowledged (at-least-once). Either way a batch that fails is rewound and
 * processed again; a stage that reports a transient failure is retried with backoff and
 * the loop never moves past it. */
#ifndef VIGILE_WORKER_H
#define VIGILE_WORKER_H

#include "settings.h"
#include "signals.h"
#include "stage.h"

struct worker_hooks {
    /* Called between batches after SIGHUP: swap in a new configuration, or keep the old
     * one and return -1 (the hook logs why). May be NULL. */
    int (*reload)(void *ctx);
    void *ctx;
};

/* Runs the loop until SIGTERM/SIGINT. Returns the process exit code: 0 after a clean
 * shutdown (batch finished, outputs flushed, offsets committed), 1 on a fatal Kafka error. */
int worker_run(const struct settings *cfg, struct stage *stage, const struct worker_hooks *hooks);

#endif
