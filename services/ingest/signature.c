#include "signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHA256_LEN 32

static void hmac_sha256(const char *secret, const void *body, size_t len,
                        unsigned char md[SHA256_LEN]) {
    unsigned int mdlen = 0;
    if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), body, len, md, &mdlen) ||
        mdlen != SHA256_LEN)
        abort(); /* only out of memory makes HMAC fail */
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int signature_meta_ok(const char *secret, const void *body, size_t len, const char *header) {
    if (!secret || !*secret || !header || strncmp(header, "sha256=", 7) != 0) return 0;
    const char *hex = header + 7;
    if (strlen(hex) != 2 * SHA256_LEN) return 0;
    unsigned char given[SHA256_LEN], want[SHA256_LEN];
    for (int i = 0; i < SHA256_LEN; i++) {
        int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return 0;
        given[i] = (unsigned char)(hi << 4 | lo);
    }
    hmac_sha256(secret, body, len, want);
    return CRYPTO_memcmp(given, want, SHA256_LEN) == 0;
}

int signature_token_ok(const char *expected, const char *given) {
    if (!expected || !given || !*expected) return 0;
    /* Comparing digests hides the length of the secret as well as its bytes. */
    unsigned char a[EVP_MAX_MD_SIZE], b[EVP_MAX_MD_SIZE];
    unsigned int alen = 0, blen = 0;
    if (!EVP_Digest(expected, strlen(expected), a, &alen, EVP_sha256(), NULL) ||
        !EVP_Digest(given, strlen(given), b, &blen, EVP_sha256(), NULL))
        abort();
    return CRYPTO_memcmp(a, b, SHA256_LEN) == 0;
}

char *signature_meta_header(const char *secret, const void *body, size_t len, char *buf) {
    unsigned char md[SHA256_LEN];
    hmac_sha256(secret, body, len, md);
    memcpy(buf, "sha256=", 7);
    for (int i = 0; i < SHA256_LEN; i++) snprintf(buf + 7 + 2 * i, 3, "%02x", md[i]);
    return buf;
}
