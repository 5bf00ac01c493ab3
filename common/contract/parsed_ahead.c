#include "parsed_ahead.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

void parsed_ahead_keep(struct parsed_ahead *pa, const char *payload, size_t len, json_t *env) {
    xgrow(&pa->v, &pa->cap, pa->n + 1, sizeof *pa->v);
    char *copy = xmalloc(len ? len : 1);
    memcpy(copy, payload, len);
    pa->v[pa->n++] = (struct parsed_entry){ copy, len, env };
}

json_t *parsed_ahead_take(struct parsed_ahead *pa, const char *payload, size_t len) {
    /* Inputs come in the order they were kept: the search starts after the last taken,
     * so a batch costs one comparison per input, not one per pair. */
    for (size_t k = 0; k < pa->n; k++) {
        size_t i = (pa->next + k) % pa->n;
        struct parsed_entry *p = &pa->v[i];
        if (!p->env || p->len != len || memcmp(p->payload, payload, len) != 0) continue;
        json_t *env = p->env;
        p->env = NULL;
        pa->next = i + 1;
        return env;
    }
    return NULL;
}

void parsed_ahead_clear(struct parsed_ahead *pa) {
    for (size_t i = 0; i < pa->n; i++) free(pa->v[i].payload), json_decref(pa->v[i].env);
    pa->n = 0;
    pa->next = 0;
}

void parsed_ahead_free(struct parsed_ahead *pa) {
    parsed_ahead_clear(pa);
    free(pa->v);
    pa->v = NULL;
    pa->cap = 0;
}
