/* text_norm: normalization of a comment into the two views the matchers read,
 * with every normalized byte mapped back to the original bytes it came from.
 *
 * Both views fold case, strip accents, apply Unicode compatibility forms
 * (utf8proc), map Cyrillic/Greek look-alikes to Latin letters, undo l33t
 * (4→a 3→e 0→o 1→i 5→s 7→t @→a $→s) inside tokens that contain letters, join letters
 * split by single spaces, dots, dashes or underscores ("c a z z o",
 * "i.d.i.o.t.a") and drop zero-width characters.
 *
 *   pattern view (p): punctuation kept, whitespace runs made one space, runs
 *     of three or more identical letters made one ("ammazzooo" → "ammazzo").
 *     The pcre2 rules run here.
 *   lexicon view (n): only letters, digits and mask characters ('*' after a
 *     letter, as in "st*onzo"); everything else is one space.  Every run of
 *     identical letters is one byte whose length is kept in n_run, so the
 *     lexicon can accept "cazzzzo" for "cazzo" and still tell "anno" from
 *     "ano".  The Aho-Corasick pass runs here.
 *
 * A struct text_norm is reusable: build it again for the next text and its
 * buffers are recycled.  It is owned by whoever embeds it (the scratch). */
#ifndef VIGILE_TEXT_NORM_H
#define VIGILE_TEXT_NORM_H

#include <stddef.h>
#include <stdint.h>

/* n_flags bits: why a normalized byte differs from what was written */
enum {
    TEXT_NORM_OBFUSCATED = 1, /* l33t, look-alike, split or masked */
    TEXT_NORM_MASK = 2        /* this byte is a mask character */
};

struct text_norm_unit; /* private to text_norm*.c */

struct text_norm {
    /* pattern view */
    char *p;
    uint32_t *p_start, *p_end; /* original byte range of p[i], end exclusive */
    size_t p_len, p_cap;
    /* lexicon view */
    char *n;
    uint32_t *n_start, *n_end;
    uint8_t *n_run; /* length of the letter run n[i] stands for (capped at 255) */
    uint8_t *n_flags;
    size_t n_len, n_cap;
    int n_has_mask; /* some token holds a mask character */
    /* work area: the units of the general path, the fold buffer of the
     * plain path (one byte per code point, see text_norm.c) */
    struct text_norm_unit *units;
    size_t n_units, units_cap;
    unsigned char *fold, *fold_obf;
    uint32_t *fold_start;
    size_t fold_cap;
};

/* Normalizes text[0..len).  Returns 0, or -1 if text is not valid UTF-8 (or
 * longer than 4 GiB): *bad_offset then holds the offending byte offset and the
 * views are empty.  text is borrowed for the call only.  Plain text (ASCII
 * and letters that fold to one ASCII letter, no split words) takes a direct
 * path; the rest takes text_norm_build_general.  Both give the same views. */
int text_norm_build(struct text_norm *nm, const char *text, size_t len, size_t *bad_offset);

/* The general path alone, unit by unit: the reference text_norm_build must
 * agree with (tests compare them).  Same contract as text_norm_build. */
int text_norm_build_general(struct text_norm *nm, const char *text, size_t len, size_t *bad_offset);

/* Releases the buffers (not nm itself).  NULL-safe. */
void text_norm_release(struct text_norm *nm);

/* Normalizes a lexicon term or rule literal to the lexicon view, the same way
 * text is normalized, into out (NUL-terminated, at most outlen-1 bytes) with
 * run lengths in runs (same capacity).  Returns its length, or -1 if the term
 * is invalid UTF-8 or too long. */
int text_norm_term(const char *term, char *out, uint8_t *runs, size_t outlen);

#endif
