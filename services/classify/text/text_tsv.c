/* text_tsv: data file reader shared by lexicons and rules (see text_tsv.h). */
#include "text_tsv.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tsv_filter(const struct dirent *d) {
    size_t n = strlen(d->d_name);
    return n > 4 && d->d_name[0] != '.' && strcmp(d->d_name + n - 4, ".tsv") == 0;
}

static int tsv_split(char *line, char **fields) {
    int n = 0;
    char *p = line;
    while (n < TEXT_TSV_MAX_FIELDS) {
        fields[n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab) break;
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

static int tsv_load_file(const char *path, text_tsv_line_fn fn, void *ctx, char *err,
                         size_t errlen) {
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int lineno = 0, rc = 0;
    while ((got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r')) line[--got] = '\0';
        if (got == 0 || line[0] == '#') continue;
        char *fields[TEXT_TSV_MAX_FIELDS];
        int n = tsv_split(line, fields);
        char why[384];
        why[0] = '\0';
        if (fn(ctx, fields, n, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
            rc = -1;
            break;
        }
    }
    free(line);
    fclose(f);
    return rc;
}

int text_tsv_load_dir(const char *dir, text_tsv_line_fn fn, void *ctx, char *err, size_t errlen) {
    struct dirent **names;
    int n = scandir(dir, &names, tsv_filter, alphasort);
    if (n < 0) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        if (rc == 0) rc = tsv_load_file(path, fn, ctx, err, errlen);
        free(names[i]);
    }
    free(names);
    return rc;
}

int text_tsv_severity(const char *s) {
    if (strcmp(s, "low") == 0) return 1;
    if (strcmp(s, "medium") == 0) return 2;
    if (strcmp(s, "high") == 0) return 3;
    return 0;
}
