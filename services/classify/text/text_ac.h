/* text_ac: an Aho-Corasick automaton over the lexicon view's alphabet
 * (a-z, 0-9, space), compiled to a full DFA so that one pass over a comment
 * finds every lexicon term and every rule anchor at once.
 *
 * Life cycle: text_ac_new, text_ac_add for each pattern, text_ac_build once,
 * then text_ac_scan from any number of threads (a built automaton is
 * immutable).  text_ac_free releases it. */
#ifndef VIGILE_TEXT_AC_H
#define VIGILE_TEXT_AC_H

#include <stddef.h>
#include <stdint.h>

struct text_ac;

/* Returns a new empty automaton, owned by the caller. */
struct text_ac *text_ac_new(void);

/* Adds pattern s[0..len) reported with value.  Returns 0, or -1 if the
 * pattern is empty or has a byte outside the alphabet.  Not after build. */
int text_ac_add(struct text_ac *ac, const char *s, size_t len, uint32_t value);

/* Computes failure links and the DFA.  Call once, after the last add. */
void text_ac_build(struct text_ac *ac);

/* Called for every occurrence: value as added, end = offset one past the
 * pattern's last byte in the scanned string. */
typedef void (*text_ac_hit_fn)(void *ctx, uint32_t value, size_t end);

/* Scans s[0..len); s is borrowed.  Bytes outside the alphabet reset the
 * automaton to its root. */
void text_ac_scan(const struct text_ac *ac, const char *s, size_t len, text_ac_hit_fn hit,
                  void *ctx);

/* Number of patterns added. */
size_t text_ac_size(const struct text_ac *ac);

/* NULL-safe. */
void text_ac_free(struct text_ac *ac);

#endif
