/* bench_envelopes: inbound envelopes of the five real tenants around the bench mix's
 * comments (1,000 authors, a post answered, one comment a minute), a fresh stream on
 * every pass; and the rates the stage benches print. Shared by
 * bench-classify-stage and bench-route-stage. */
#ifndef VIGILE_BENCH_ENVELOPES_H
#define VIGILE_BENCH_ENVELOPES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "bench_mix.h"
#include "tenant.h"

/* The envelopes of one pass; event ids and timestamps are rewritten on every pass so that
 * the state sees a stream, not the same events again. Event ids start with a prefix of
 * this process and of this set, so that a Redis kept from another run or set does not
 * answer for them. */
struct envelopes {
    json_t *env[BENCH_MIX_COMMENTS]; /* owned: envelopes_free */
    int64_t pass;
    char prefix[48];
};

/* Makes one envelope per comment of mix (borrowed) on tenants (borrowed). */
void envelopes_make(struct envelopes *e, const struct bench_mix *mix,
                    const struct tenant_set *tenants);
/* Serializes the next pass's envelopes into bufs (caller frees each). */
void envelopes_next(struct envelopes *e, char **bufs, size_t *lens);
void envelopes_free(struct envelopes *e);

struct stage_rate {
    double wall, cpu; /* envelopes per second of each */
};

#endif
