#include "pseudonym.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

void pseudonym_make(const char *master, size_t master_len, const char *tenant,
                    const char *platform, const char *author_id, char out[PSEUDONYM_LEN]) {
    unsigned char tenant_key[32], mac[32];
    unsigned int len = 0;
    char *label = xasprintf("vigile-pseudonym|%s", tenant);
    HMAC(EVP_sha256(), master, (int)master_len, (const unsigned char *)label, strlen(label),
         tenant_key, &len);
    free(label);
    /* The platform is part of the input: ids are unique per platform, not across them. */
    char *subject = xasprintf("%s|%s", platform, author_id);
    HMAC(EVP_sha256(), tenant_key, sizeof tenant_key, (const unsigned char *)subject,
         strlen(subject), mac, &len);
    free(subject);
    out[0] = 'p';
    out[1] = '_';
    for (int i = 0; i < 16; i++) snprintf(out + 2 + 2 * i, 3, "%02x", mac[i]);
}
