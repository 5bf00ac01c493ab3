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
#include "stage.h"
#include "tenant.h"

/* Inputs the worker shell hands a stage's prepare at once (its READ_AHEAD_MAX). */
#define BENCH_AHEAD 64

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

/* The shipped tenants (a new set owned by the caller); exits naming prog on a bad config. */
struct tenant_set *bench_tenants_load(const char *prog);

/* Runs the n inputs bufs/lens (borrowed) of topic through s, prepared `ahead` at a time
 * (at most BENCH_AHEAD; 1: not prepared) as the worker shell does; out is cleared after
 * each input. Exits naming the stage when an input is not STAGE_OK. */
void bench_stage_pass(const struct stage *s, const char *topic, char *const *bufs,
                      const size_t *lens, size_t n, size_t ahead, struct stage_outputs *out);

#endif
