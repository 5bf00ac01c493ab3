/* text_alloc: allocation that aborts instead of failing (see text_alloc.h). */
#include "text_alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void text_oom(size_t n)
{
    fprintf(stderr, "vigile text engine: out of memory allocating %zu bytes\n", n);
    abort();
}

void *text_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        text_oom(n);
    return p;
}

void *text_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        text_oom(count * size);
    return p;
}

void *text_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        text_oom(n);
    return q;
}

char *text_xstrndup(const char *s, size_t n)
{
    char *d = text_xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *text_xstrdup(const char *s)
{
    return text_xstrndup(s, strlen(s));
}

void text_xgrow(void *p, size_t *cap, size_t need, size_t elem)
{
    void **pp = p;
    if (need <= *cap)
        return;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need)
        ncap *= 2;
    *pp = text_xrealloc(*pp, ncap * elem);
    *cap = ncap;
}
