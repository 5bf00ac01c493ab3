#include "strlist.h"

#include <stdio.h>
#include <string.h>

int strlist_index(const char *s, const char *const *list) {
    for (int i = 0; list[i]; i++)
        if (strcmp(s, list[i]) == 0) return i;
    return -1;
}

void strlist_join(char *buf, size_t len, const char *const *list) {
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; list[i] && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", list[i]);
}
