#include "stage.h"

#include <stdlib.h>

#include "xmalloc.h"

void stage_outputs_add(struct stage_outputs *out, const char *topic, char *key, char *value,
                       size_t len) {
    if (out->n == out->cap) {
        out->cap = out->cap ? out->cap * 2 : 8;
        out->v = xrealloc(out->v, out->cap * sizeof *out->v);
    }
    out->v[out->n++] = (struct stage_output){ xstrdup(topic), key, value, len };
}

void stage_outputs_clear(struct stage_outputs *out) {
    for (size_t i = 0; i < out->n; i++) {
        free(out->v[i].topic);
        free(out->v[i].key);
        free(out->v[i].value);
    }
    out->n = 0;
}

void stage_outputs_free(struct stage_outputs *out) {
    stage_outputs_clear(out);
    free(out->v);
    out->v = NULL;
    out->cap = 0;
}
