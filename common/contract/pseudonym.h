/* Per-tenant pseudonyms of authors (DESIGN.md: personal data never leaves the pipeline in
 * clear on decision topics). A pseudonym is HMAC-SHA256 keyed with the tenant's key, which
 * is itself HMAC-SHA256(master key, tenant id): the same author gets unrelated pseudonyms
 * on two tenants, and one master secret (VIGILE_PSEUDONYM_KEY) serves the consortium. */
#ifndef VIGILE_PSEUDONYM_H
#define VIGILE_PSEUDONYM_H

#include <stddef.h>

/* "p_" + 32 hex digits + NUL */
#define PSEUDONYM_LEN 35

/* Writes the pseudonym of (platform, author_id) on tenant into out. master is borrowed. */
void pseudonym_make(const char *master, size_t master_len, const char *tenant, const char *platform,
                    const char *author_id, char out[PSEUDONYM_LEN]);

#endif
