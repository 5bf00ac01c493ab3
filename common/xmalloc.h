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
/* Returns a new string formatted like printf; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
