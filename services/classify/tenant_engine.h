/* tenant_engine: the text engine of one tenant, built from its configuration: the base
 * plus the tenant's own rules and, when asked, its model thresholds. Shared by
 * vigile-classify and the bench tools, so that both build engines the same way. */
#ifndef VIGILE_TENANT_ENGINE_H
#define VIGILE_TENANT_ENGINE_H

#include <stddef.h>

#include "tenant.h"
#include "text_engine.h"

/* Per category, the score from which the tenant wants a label the model alone found:
 * the lower of its review and removal thresholds (above 1, never, where it sets
 * neither, or has no rule for the category). */
void tenant_engine_thresholds(const struct tenant *t, double thresholds[TEXT_CAT_COUNT]);

/* Builds t's engine on base (borrowed; must outlive the engine); t is borrowed for the
 * call. with_model 0 builds a rules-only engine (the scorer does not run). Returns a new
 * engine owned by the caller, or NULL with err from text_engine_new. */
struct text_engine *tenant_engine_new(const struct text_base *base, const struct tenant *t,
                                      int with_model, char *err, size_t errlen);

/* Every tenant's engine of set (borrowed), in tenant_set_at() order, on base (borrowed;
 * must outlive them), as vigile-classify builds them. Returns a new array of
 * tenant_set_count(set) new engines (free with tenant_engines_free), or NULL with
 * "tenant <id>: why" in err. */
struct text_engine **tenant_engines_new(const struct text_base *base, const struct tenant_set *set,
                                        int with_model, char *err, size_t errlen);
/* Frees the n engines and the array. NULL-safe. */
void tenant_engines_free(struct text_engine **engines, size_t n);

#endif
