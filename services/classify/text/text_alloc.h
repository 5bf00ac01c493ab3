/* text_alloc: aborting allocators for the text engine.
 *
 * Out of memory is not a recoverable condition for a classify worker (STYLE
 * lesson 8), so every allocation in the engine goes through these and never
 * returns NULL.  Memory they return is owned by the caller and released with
 * free(). */
#ifndef VIGILE_TEXT_ALLOC_H
#define VIGILE_TEXT_ALLOC_H

#include <stddef.h>

void *text_xmalloc(size_t n);
void *text_xcalloc(size_t count, size_t size);
void *text_xrealloc(void *p, size_t n);
char *text_xstrdup(const char *s);
char *text_xstrndup(const char *s, size_t n);

/* Grows *p (an array of *cap elements of elem bytes) so that it holds at
 * least need elements; *p may be NULL with *cap 0.  Doubling keeps appends
 * amortised O(1). */
void text_xgrow(void *p, size_t *cap, size_t need, size_t elem);

#endif
