/* text_norm_internal: what the two normalization paths share, the general
 * one (text_norm.c) and the plain one (text_norm_plain.c).  Not for other
 * modules: their interface is text_norm.h. */
#ifndef VIGILE_TEXT_NORM_INTERNAL_H
#define VIGILE_TEXT_NORM_INTERNAL_H

#include "text_norm.h"

#include <stddef.h>
#include <stdint.h>

/* Unit classes: what a folded byte is, for tokenizing. */
enum unit_class { U_LETTER, U_DIGIT, U_SPACE, U_MASK, U_OTHER };

/* unit flags */
enum { U_OBF = 1, U_DELETED = 2 };

/* One byte of the folded text with the original range it came from.  Folding
 * comes first, then tokens are rewritten in place, then both views are made
 * from the surviving units. */
struct text_norm_unit {
    uint32_t start, end;
    unsigned char c;
    unsigned char cls;
    unsigned char flags;
};

/* The class of an ASCII byte, after case folding. */
static inline int ascii_class(unsigned char c) {
    if (c >= 'a' && c <= 'z') return U_LETTER;
    if (c >= '0' && c <= '9') return U_DIGIT;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c < 0x20)
        return U_SPACE;
    return U_OTHER;
}

/* The letter a l33t character stands for, or 0. */
static inline unsigned char leet_letter(unsigned char c) {
    switch (c) {
    case '4':
    case '@': return 'a';
    case '3': return 'e';
    case '0': return 'o';
    case '1': return 'i';
    case '5':
    case '$': return 's';
    case '7': return 't';
    default: return 0;
    }
}

/* Ends a view of o bytes: drops its trailing space and writes the NUL.
 * Returns the view's length. */
static inline size_t text_norm_view_finish(char *c, size_t o) {
    while (o > 0 && c[o - 1] == ' ') o--;
    c[o] = '\0';
    return o;
}

/* Folds one non-ASCII code point at text[start..end) into units (the
 * general path's folding; the plain path builds its tables from it). */
void text_norm_fold_codepoint(struct text_norm *nm, int32_t cp, size_t start, size_t end);

/* Makes room for need bytes in every view array. */
void text_norm_view_reserve(struct text_norm *nm, size_t need);

/* The plain path: normalizes text[0..len) if it is plain (see
 * text_norm_plain.c) and returns 0; otherwise returns -1, the views to be
 * built by text_norm_build_general. */
int text_norm_plain_build(struct text_norm *nm, const char *text, size_t len);

#endif
