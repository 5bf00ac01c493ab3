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

/* The same as text_fingerprint_tokens(nm->n, nm->n_len), faster: it relies
 * on the few bytes a lexicon view can hold.  nm is borrowed. */
struct text_norm;
uint64_t text_fingerprint_view(const struct text_norm *nm);

#endif
