/* Who may talk to ingest: Meta's X-Hub-Signature-256 over the raw body, and the shared
 * tokens of Telegram and of our own connectors. Every comparison is constant time, so a
 * forger learns nothing from how long a refusal takes. */
#ifndef VIGILE_INGEST_SIGNATURE_H
#define VIGILE_INGEST_SIGNATURE_H

#include <stddef.h>

/* 1 when header is "sha256=" + the lowercase or uppercase hex HMAC-SHA256 of body[0..len)
 * keyed with secret, else 0 (also for a NULL secret or a NULL or malformed header). All
 * borrowed. */
int signature_meta_ok(const char *secret, const void *body, size_t len, const char *header);

/* 1 when given equals expected, in time independent of where they differ and of their
 * lengths; 0 otherwise or when either is NULL or expected is empty. */
int signature_token_ok(const char *expected, const char *given);

/* Writes "sha256=<hex>" for body into buf (of SIGNATURE_HEADER_LEN bytes): what Meta
 * would send; the tests sign their fixtures with it. Returns buf. */
#define SIGNATURE_HEADER_LEN 72
char *signature_meta_header(const char *secret, const void *body, size_t len, char *buf);

#endif
