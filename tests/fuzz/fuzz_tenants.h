/* The shipped tenants, as every fuzz target that needs them loads them once. */
#ifndef VIGILE_FUZZ_TENANTS_H
#define VIGILE_FUZZ_TENANTS_H

#include <stdio.h>
#include <stdlib.h>

#include "tenant.h"

/* Returns the tenant set of config/ (new; kept for the life of the process), or aborts. */
static inline struct tenant_set *fuzz_tenants(void) {
    char err[4096];
    struct tenant_set *set = tenant_set_load(SOURCE_DIR "/config", err, sizeof err);
    if (!set) {
        fprintf(stderr, "fuzz: %s\n", err);
        abort();
    }
    return set;
}

#endif
