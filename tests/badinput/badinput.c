#include "badinput.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topics.h"
#include "xmalloc.h"

/* Splits line in place at tabs into at most n fields; returns how many. */
static size_t split_tabs(char *line, char **f, size_t n) {
    size_t k = 0;
    for (char *p = line; k < n; k++) {
        f[k] = p;
        char *tab = strchr(p, '\t');
        if (!tab) return k + 1;
        *tab = '\0';
        p = tab + 1;
    }
    return k;
}

int badinput_load(const char *path, struct badinput_set *set, char *err, size_t n) {
    FILE *fp = fopen(path, "r");
    if (!fp) return snprintf(err, n, "%s: cannot open", path), -1;
    char line[4096];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, fp)) {
        lineno++;
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0') continue;
        char *f[3];
        if (split_tabs(line, f, 3) != 3 || !*f[0] || !*f[1] || !*f[2]) {
            snprintf(err, n, "%s:%d: expected input<TAB>stage<TAB>reason", path, lineno);
            rc = -1;
            break;
        }
        xgrow(&set->v, &set->cap, set->n + 1, sizeof *set->v);
        set->v[set->n++] = (struct badinput_case){ xstrdup(f[0]), xstrdup(f[1]), xstrdup(f[2]) };
    }
    fclose(fp);
    return rc;
}

void badinput_free(struct badinput_set *set) {
    if (!set) return;
    for (size_t i = 0; i < set->n; i++) {
        free(set->v[i].input);
        free(set->v[i].stage);
        free(set->v[i].reason);
    }
    free(set->v);
    *set = (struct badinput_set){ 0 };
}

static char *read_file(const char *path, size_t *len) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    char *buf = NULL;
    size_t cap = 0, got;
    *len = 0;
    do {
        xgrow(&buf, &cap, *len + 65536 + 1, 1);
        got = fread(buf + *len, 1, cap - *len - 1, fp);
        *len += got;
    } while (got > 0);
    fclose(fp);
    buf[*len] = '\0';
    return buf;
}

/* Appends what the macro at src ("@@N*TEXT@@", src_len bytes left) stands for to out and
 * returns the bytes it spans, or 0 when src starts no well-formed macro. */
static size_t expand_macro(const char *src, size_t src_len, char **out, size_t *len, size_t *cap) {
    /* memmem, not strstr: an input may hold NUL bytes before the macro ends. */
    const char *end = src_len > 4 ? memmem(src + 2, src_len - 2, "@@", 2) : NULL;
    char *star;
    unsigned long count = strtoul(src + 2, &star, 10);
    if (!end || star >= end || *star != '*' || count == 0) return 0;
    size_t text_len = (size_t)(end - star - 1);
    xgrow(out, cap, *len + count * text_len + 1, 1);
    for (unsigned long i = 0; i < count; i++, *len += text_len)
        memcpy(*out + *len, star + 1, text_len);
    return (size_t)(end + 2 - src);
}

char *badinput_bytes(const char *dir, const char *name, size_t *len) {
    char path[1024];
    snprintf(path, sizeof path, "%s/inputs/%s.in", dir, name);
    size_t raw_len;
    char *raw = read_file(path, &raw_len);
    if (!raw) return NULL;
    char *out = NULL;
    size_t cap = 0, i = 0;
    *len = 0;
    while (i < raw_len) {
        if (raw[i] == '@' && i + 1 < raw_len && raw[i + 1] == '@') {
            size_t used = expand_macro(raw + i, raw_len - i, &out, len, &cap);
            if (!used) break; /* malformed: refused below */
            i += used;
            continue;
        }
        xgrow(&out, &cap, *len + 2, 1);
        out[(*len)++] = raw[i++];
    }
    int malformed = i < raw_len;
    free(raw);
    if (malformed) {
        free(out);
        return NULL;
    }
    xgrow(&out, &cap, *len + 1, 1);
    out[*len] = '\0';
    return out;
}

static const struct {
    const char *stage, *topic, *worker;
} stages[] = {
    { "classify", TOPIC_INBOUND, "classify" },     { "route", TOPIC_CLASSIFIED, "route" },
    { "route-operator", TOPIC_OPERATOR, "route" }, { "sla", TOPIC_ESCALATIONS, "sla" },
    { "sla-operator", TOPIC_OPERATOR, "sla" },
};

const char *badinput_topic(const char *stage) {
    for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++)
        if (strcmp(stages[i].stage, stage) == 0) return stages[i].topic;
    return NULL;
}

const char *badinput_worker_stage(const char *stage) {
    for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++)
        if (strcmp(stages[i].stage, stage) == 0) return stages[i].worker;
    return stage;
}
