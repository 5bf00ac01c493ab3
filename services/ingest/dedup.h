/* One platform event id, one inbound message: platforms retry webhooks and the YouTube
 * poller resends what it saw before. Each event id is claimed in Redis before it is
 * produced (SET NX, key vigile:{tenant}:seen:<event_id>) and marked done once the broker
 * has it; a claim whose delivery failed is released so the platform's retry gets through.
 * When Redis cannot answer, the caller answers 503: neither a duplicate nor a loss. */
#ifndef VIGILE_INGEST_DEDUP_H
#define VIGILE_INGEST_DEDUP_H

#include <stddef.h>

enum dedup_claim {
    DEDUP_NEW,  /* claimed by us: produce it, then dedup_settle */
    DEDUP_SEEN, /* already delivered: skip it */
    DEDUP_BUSY, /* another request holds the claim right now: answer 503, retry later */
    DEDUP_DOWN, /* Redis unavailable (logged) */
};

struct dedup;

/* A store on url ("redis://host[:port][/db]", as redis_conn.h reads it); connects lazily
 * and again after failures.
 * Delivered ids are kept ttl_s seconds; a claim pending_ttl_s seconds, so a process that
 * dies mid-request cannot block an id for longer. Returns NULL with the reason in err
 * when the URL is malformed. Thread-safe: requests share it. */
struct dedup *dedup_new(const char *url, long ttl_s, long pending_ttl_s, char *err, size_t errlen);
void dedup_free(struct dedup *d); /* NULL-safe */

enum dedup_claim dedup_claim(struct dedup *d, const char *tenant, const char *event_id);
/* Marks a claimed id delivered (kept ttl_s) or releases it. Returns 0, or -1 when Redis
 * is down: the claim then stays until pending_ttl_s passes. */
int dedup_settle(struct dedup *d, const char *tenant, const char *event_id, int delivered);

#endif
