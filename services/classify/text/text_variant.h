/* text_variant: lexicon words spelled to get past a filter, found in the
 * lexicon view after the Aho-Corasick pass has matched the exact terms.
 *
 *   typo      one substitution, deletion, insertion or swap of two adjacent
 *             letters in a term of six letters or more, the first letter
 *             kept ("coglinoe", "stornzo", "imbecile");
 *   split     a term of five letters or more written as two tokens, neither
 *             of them a common word ("cog lione", "stron zo");
 *   run-in    a term at the end of a longer token whose beginning is made of
 *             words that may run into it ("seiuncoglione"); decided by the
 *             lexicon on its own hits, with text_variant_joinable.
 *
 * What keeps them off ordinary Italian is a list of common words (lexicon
 * category "common"): a token that is one is never a typo, and never half of
 * a split word; "terrore" is not "terrone", "idioma" not "idiota".  Words of
 * category "joinable" (articles, "sei", "siete", "che", "brutto", prefixes
 * such as "stra") are common too, and the only ones a run-in may start with.
 *
 * Tokens are compared spelled out, a letter run of two kept as two and one of
 * three or more (emphasis) made one, so "efficiente" is not one edit from
 * "deficiente" as its run-collapsed form would be.  The index is built once
 * with the lexicon and read by any number of threads. */
#ifndef VIGILE_TEXT_VARIANT_H
#define VIGILE_TEXT_VARIANT_H

#include "text_norm.h"

#include <stddef.h>
#include <stdint.h>

/* How a word takes part, as given to text_variant_add. */
enum text_variant_role {
    TEXT_VARIANT_TERM = 1,    /* a lexicon term that may be misspelled or split */
    TEXT_VARIANT_PHRASE = 2,  /* a term only known exactly (a joined phrase) */
    TEXT_VARIANT_COMMON = 4,  /* an ordinary word */
    TEXT_VARIANT_JOINABLE = 8 /* an ordinary word that may run into a term */
};

/* The longest spelled token looked at. */
#define TEXT_VARIANT_MAX_WORD 32

struct text_variant_slot;

struct text_variants {
    struct text_variant_slot *slots; /* open addressing, NULL until built */
    size_t mask;
    struct text_variant_slot *pending; /* added, not yet in the table */
    size_t n_pending, cap_pending;
    char **terms; /* spelled term of each entry (borrowed) */
    /* Filters that settle most tokens before their letters are hashed: a
     * hashed bit set of the terms' first and last letters with their
     * lengths (see filter_add in text_variant.c), and the direct-indexed
     * sets below. */
    uint8_t filter[1u << 13];
    uint32_t split_first[26]; /* bit c1 of [c0]: a split term starts c0 c1 */
    uint32_t split_last[26];  /* bit c of [c0]: a split term ends in c */
    uint32_t typo_pair[26];   /* bit c of [c0]: c is a typo term's second or third */
    uint8_t short_common[(26 * 26 * 27 + 7) / 8]; /* common words of 2-3 letters */
};

/* Adds a word: for a term, entry is its lexicon index and word (spelled
 * out, borrowed until text_variant_build) is kept by pointer; roles may be
 * or'ed.  Words that are not letters a-z, or too long, are ignored. */
void text_variant_add(struct text_variants *v, const char *word, uint32_t entry, int roles);

/* Builds the lookup table from what was added.  terms[i] is the spelled form
 * of entry i (borrowed, must outlive v). */
void text_variant_build(struct text_variants *v, char **terms);

/* Called for each variant found: entry, and the lexicon-view range [a, b). */
typedef void (*text_variant_fn)(void *ctx, uint32_t entry, size_t a, size_t b);

/* Finds typos and split words in nm's lexicon view. */
void text_variant_scan(const struct text_variants *v, const struct text_norm *nm,
                       text_variant_fn fn, void *ctx);

/* Whether lexicon-view bytes [a, b) of nm (inside one token) spell a
 * sequence of one or more joinable words. */
int text_variant_joinable(const struct text_variants *v, const struct text_norm *nm, size_t a,
                          size_t b);

/* Whether lexicon-view bytes [a, b) of nm (one token) are an ordinary word of the
 * common list. */
int text_variant_common(const struct text_variants *v, const struct text_norm *nm, size_t a,
                        size_t b);

/* Releases the table (not v).  NULL-safe. */
void text_variant_release(struct text_variants *v);

#endif
