/* Whole files into memory, for the page's assets and the drafts given on the command line. */
#include "console.h"

#include <stdio.h>
#include <string.h>

char *console_file_read(const char *path, size_t *len) {
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    do {
        xgrow(&buf, &cap, n + 4097, 1);
        got = fread(buf + n, 1, cap - n - 1, f); /* room for the NUL kept */
        n += got;
    } while (got > 0);
    int failed = ferror(f);
    if (f != stdin) fclose(f);
    if (failed) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}
