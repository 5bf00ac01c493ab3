/* Allocation that cannot fail: out of memory aborts the process, as Redis's zmalloc does.
 * A worker that cannot allocate cannot make progress; the supervisor restarts it and the
 * uncommitted input is redelivered, so nothing is lost. */
#ifndef VIGILE_XMALLOC_H
#define VIGILE_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grows *p (an array of *cap elements of elem bytes; *p may be NULL with *cap 0) so that it
 * holds at least need elements. Doubling keeps appends amortised O(1). p is a pointer to
 * the array pointer, passed as void * so that any element type fits. */
void xgrow(void *p, size_t *cap, size_t need, size_t elem);
/* Returns a new string formatted like printf; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
