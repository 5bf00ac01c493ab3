/* text_fingerprint (internal side): the simhash over an already normalized
 * lexicon view, so that text_classify does not normalize twice.  The public
 * text_fingerprint() and text_fingerprint_distance() are in text_engine.h. */
#ifndef VIGILE_TEXT_FINGERPRINT_H
#define VIGILE_TEXT_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

/* Simhash of the tokens of s[0..n) (bytes that are not ASCII letters or
 * digits, and not UTF-8 continuation, separate tokens).  0 if no token. */
uint64_t text_fingerprint_tokens(const char *s, size_t n);

#endif
