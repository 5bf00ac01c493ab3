/* SLA timers in Redis (docs/sla.md, "Redis layout"). Per tenant, all keys hash-tagged
 * {tenant} so one tenant lives on one Redis Cluster slot:
 *   vigile:{t}:timers              sorted set, member "<ticket_id>:<kind>:<event>" (also
 *                                  the event id on vigile.sla), score = when it fires (ms)
 *   vigile:{t}:ticket:<ticket_id>  hash: what the events need, deadlines, stop marks
 *   vigile:{t}:decision:<id>       hash: the decision's tickets, stops by decision id
 * Arming is one Lua script, idempotent per ticket; claiming is another, which moves due
 * members forward by a lease so that two workers never fire the same timer; the caller
 * removes what it handed off once that is committed. Every function returns 0, or -1 when
 * Redis is unavailable or refused (logged here), and the caller retries later. */
#ifndef VIGILE_SLA_TIMERS_H
#define VIGILE_SLA_TIMERS_H

#include <stddef.h>
#include <stdint.h>

#include "sla_due.h"

struct sla_timers;

/* Connects lazily to url ("redis://host[:port][/db]"). Returns a new handle, or NULL
 * with the reason in err when the URL is malformed. */
struct sla_timers *sla_timers_new(const char *url, char *err, size_t errlen);
void sla_timers_free(struct sla_timers *tm); /* NULL-safe */

/* A ticket to arm. Strings are borrowed; decision_id, channel, author and priority may be
 * NULL. */
struct sla_ticket {
    const char *tenant;
    const char *ticket_id;
    const char *decision_id;
    const char *office;
    const char *channel;
    const char *author;
    const char *priority;
    int severity;
    struct sla_deadlines dl;
};

/* Arms the timers of n tickets in one pipeline. A ticket already armed is left as it is
 * (a redelivered escalation changes nothing); timers of kinds already stopped (an ack
 * that overtook its ticket) are not armed. Warnings whose deadline is already past at
 * now_ms are skipped: the breach says more. */
int sla_timers_arm(struct sla_timers *tm, const struct sla_ticket *tickets, size_t n,
                   int64_t now_ms);

/* Bit of a kind in a stop mask. */
#define SLA_KIND_BIT(k) (1u << (k))

/* Stops the kinds in mask on a ticket, or on every ticket of a decision when ticket_id is
 * NULL (then also on its tickets still to come). Idempotent; at_ms is recorded. */
int sla_timers_stop(struct sla_timers *tm, const char *tenant, const char *ticket_id,
                    const char *decision_id, unsigned mask, int64_t at_ms);

/* A claimed timer with what its event needs. Strings are owned (freed by
 * sla_claim_clear); the ticket fields are NULL when the ticket hash is gone. */
struct sla_fired {
    char *tenant;
    char *member; /* "<ticket_id>:<kind>:<event>", the event id */
    char *ticket_id;
    enum sla_kind kind;
    enum sla_event event;
    int64_t fire_at; /* the score it was due at */
    char *office, *decision_id, *channel, *author, *priority;
    int severity;
    int64_t due, taken_at, received_at;
    int stopped; /* 1: stopped after the claim's read began; do not announce */
};

struct sla_claim {
    struct sla_fired *v;
    size_t n, cap;
};

/* Claims up to max timers of tenant due at now_ms, moving their scores to now_ms +
 * lease_ms, and appends them to out with their tickets' fields. A claimed timer that is
 * not forgotten before the lease ends fires again. */
int sla_timers_claim(struct sla_timers *tm, const char *tenant, int64_t now_ms, int64_t lease_ms,
                     size_t max, struct sla_claim *out);

/* Removes the claimed timers of c from their sets: their events were committed. */
int sla_timers_forget(struct sla_timers *tm, const struct sla_claim *c);

void sla_claim_clear(struct sla_claim *c); /* frees the entries, keeps the storage */
void sla_claim_free(struct sla_claim *c);  /* frees everything */

/* The number of pending timers of a tenant into *n (tests, bench). */
int sla_timers_pending(struct sla_timers *tm, const char *tenant, long long *n);

#endif
