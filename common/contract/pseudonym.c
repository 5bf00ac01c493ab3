#include "pseudonym.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_PREFIX "vigile-pseudonym|"

/* OpenSSL 3's one-shot HMAC() looks the MAC and the digest up by name on every call,
 * which cost more than the two MACs themselves (~24,000 instructions each). The HMAC
 * context with its digest set is made once; each MAC starts from a copy of it. */
static EVP_MAC_CTX *hmac_template;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void hmac_template_init(void) {
    EVP_MAC *mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
    char digest[] = OSSL_DIGEST_NAME_SHA2_256;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    hmac_template = mac ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac); /* the context holds its own reference */
    if (!hmac_template || !EVP_MAC_CTX_set_params(hmac_template, params)) {
        fprintf(stderr, "pseudonym: OpenSSL has no HMAC-SHA256\n");
        abort();
    }
}

/* out = HMAC-SHA256(key, a || sep || b); sep may be 0 for none. */
static void hmac_sha256(const void *key, size_t key_len, const char *a, char sep, const char *b,
                        unsigned char out[32]) {
    pthread_once(&hmac_once, hmac_template_init);
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(hmac_template);
    size_t len = 0;
    if (!ctx || !EVP_MAC_init(ctx, key, key_len, NULL) ||
        !EVP_MAC_update(ctx, (const unsigned char *)a, strlen(a)) ||
        (sep && !EVP_MAC_update(ctx, (const unsigned char *)&sep, 1)) ||
        !EVP_MAC_update(ctx, (const unsigned char *)b, strlen(b)) ||
        !EVP_MAC_final(ctx, out, &len, 32) || len != 32) {
        fprintf(stderr, "pseudonym: HMAC-SHA256 failed\n");
        abort();
    }
    EVP_MAC_CTX_free(ctx);
}

void pseudonym_make(const char *master, size_t master_len, const char *tenant, const char *platform,
                    const char *author_id, char out[PSEUDONYM_LEN]) {
    static const char hex[] = "0123456789abcdef";
    unsigned char tenant_key[32], mac[32];
    hmac_sha256(master, master_len, LABEL_PREFIX, 0, tenant, tenant_key);
    /* The platform is part of the input: ids are unique per platform, not across them. */
    hmac_sha256(tenant_key, sizeof tenant_key, platform, '|', author_id, mac);
    out[0] = 'p';
    out[1] = '_';
    for (int i = 0; i < 16; i++) {
        out[2 + 2 * i] = hex[mac[i] >> 4];
        out[3 + 2 * i] = hex[mac[i] & 15];
    }
    out[PSEUDONYM_LEN - 1] = '\0';
}
