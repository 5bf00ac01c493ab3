/* vigile-classify's stage: an inbound envelope in, the classified envelope out. It runs
 * the text engine built for the envelope's tenant (the baseline rules plus the tenant's
 * own), gives each category the clause of the tenant's policy it applies, decides
 * `repeated` from the author's recent posts in the state store, and adds the text with
 * personal data redacted. */
#ifndef VIGILE_CLASSIFY_H
#define VIGILE_CLASSIFY_H

#include <jansson.h>
#include <stddef.h>

#include "stage.h"
#include "state.h"
#include "tenant.h"

struct classifier;

/* Loads the text engine's data from data_dir and builds one engine per tenant. Steals
 * tenants (also on failure); state and pseudonym_key are borrowed and must outlive the
 * classifier. Returns NULL with the reason in err. */
struct classifier *classifier_new(const char *data_dir, struct tenant_set *tenants,
                                  struct state_store *state, const char *pseudonym_key, char *err,
                                  size_t errlen);
/* Swaps in a new tenant set (stolen, also on failure) and the text engine's data read
 * again from data_dir (lexicons, rules, model). On failure the classifier keeps what it
 * had. Returns 0, or -1 with err. */
int classifier_reload(struct classifier *c, struct tenant_set *tenants, char *err, size_t errlen);
void classifier_free(struct classifier *c); /* NULL-safe */

/* Classifies env in place: adds "classification" and "redacted_text". env must be a
 * valid envelope. Returns STAGE_OK; STAGE_REJECT with a reason (unknown tenant); or
 * STAGE_RETRY when the state store is unavailable. */
enum stage_status classifier_run(struct classifier *c, json_t *env, char *reason, size_t n);

/* The stage function for the worker shell: parses, classifies, outputs to
 * vigile.classified. ctx is the classifier. */
enum stage_status classifier_stage(void *ctx, const struct stage_input *in,
                                   struct stage_outputs *out, char *reason, size_t n);

/* stage.prepare for the worker shell (ctx: the classifier): the recent-posts check of
 * all of inputs (borrowed) in one round trip; classifier_stage then uses those answers
 * for the inputs it is given next, and asks by itself for any other. */
void classifier_prepare(void *ctx, const struct stage_input *in, size_t n);

#endif
