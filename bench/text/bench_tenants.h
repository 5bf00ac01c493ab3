/* bench_tenants: the engines of the real tenants (config/tenants), each
 * with its own rules, built as vigile-classify builds them; shared by the
 * bench and text-equiv. */
#ifndef VIGILE_BENCH_TENANTS_H
#define VIGILE_BENCH_TENANTS_H

#include "text_engine.h"

/* Builds at most max engines on base (borrowed; must outlive them) into
 * engines[], new and owned by the caller, from the tenants in config_dir.
 * with_model 0 builds rules-only engines, 1 engines with the tenants' model
 * thresholds (as vigile-classify runs them).  Returns how many; exits with a
 * message naming prog on any error (these are tools, not services). */
int bench_tenant_engines(const struct text_base *base, const char *config_dir,
                         struct text_engine **engines, int max, int with_model, const char *prog);

#endif
