/* A platform posting to vigile-ingest's generic webhook, for the fault tests (#15): a few
 * threads post one envelope per request, at a steady rate, and retry, as the platforms do,
 * every request that got no answer (ingest killed mid-request, or not up yet) or a 503,
 * a second later, going on with the others meanwhile. What the retries may double is
 * ingest's dedup to settle. */
#ifndef VIGILE_TEST_WEBHOOK_SENDER_H
#define VIGILE_TEST_WEBHOOK_SENDER_H

#include <stddef.h>

struct webhook_sender;

struct sender_stats {
    size_t accepted;   /* answers 200 with "accepted":1 */
    size_t duplicates; /* answers 200 with "duplicates":1: delivered before */
    size_t no_answer;  /* requests that got no answer (connection refused, reset, cut) */
    size_t busy;       /* 503s (the claim of an event killed mid-delivery, among others) */
};

/* Starts posting values[0..n) (borrowed until webhook_sender_finish) to
 * 127.0.0.1:port/webhooks/generic with the bearer token, from threads threads, about rate
 * envelopes per second in all. One author's envelopes (author_of[i] equal) go through one
 * thread, which keeps them in order but for retries. */
struct webhook_sender *webhook_sender_start(int port, const char *token, char *const *values,
                                            const unsigned *author_of, size_t n, int threads,
                                            int rate);
/* Whether every envelope has been answered 200. */
int webhook_sender_done(struct webhook_sender *s);
/* Waits for the threads (after webhook_sender_done, or they run on), fills *st and frees s. */
void webhook_sender_finish(struct webhook_sender *s, struct sender_stats *st);

#endif
