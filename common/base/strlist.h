/* NULL-terminated lists of strings, the shape of every enum Vigile reads from JSON
 * (platforms, kinds, actions, category ids). */
#ifndef VIGILE_STRLIST_H
#define VIGILE_STRLIST_H

#include <stddef.h>

/* The index of s in list, or -1. */
int strlist_index(const char *s, const char *const *list);

/* Writes the list as "a, b, c" into buf (len bytes), cut short if it does not fit. */
void strlist_join(char *buf, size_t len, const char *const *list);

#endif
