/* vigile-features: the hashed n-gram features of comments, computed by the
 * engine's own code (text_norm, text_features), for scripts/train-model.py.
 *
 * Reads JSON lines with a "text" member from a file or stdin and prints one
 * line per input line:
 *
 *     N b1:c1 b2:c2 ...
 *
 * N the total number of n-grams, then each bucket that occurs with its
 * count, buckets ascending.  A line that is not JSON with a string "text",
 * or whose text is not valid UTF-8, stops the program with exit status 1
 * and the line number: the trainer must not train on a shifted file.
 *
 * usage: vigile-features [FILE|-] */
#include "text_features.h"
#include "text_norm.h"
#include "xmalloc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct counter {
    uint32_t *count; /* TEXT_FEATURE_BUCKETS */
    uint32_t *seen;  /* buckets with a count, in first-seen order */
    size_t n_seen;
};

static void count_block(void *arg, const struct text_feature_block *b) {
    struct counter *c = arg;
    for (size_t j = 0; j < b->n; j++)
        if (c->count[b->bucket[j]]++ == 0) c->seen[c->n_seen++] = b->bucket[j];
}

static int bucket_cmp(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Prints the line for one text and clears the counts it set. */
static void print_features(struct counter *c, struct text_norm *nm, FILE *out) {
    c->n_seen = 0;
    size_t total = text_features_scan(nm, count_block, c);
    qsort(c->seen, c->n_seen, sizeof *c->seen, bucket_cmp);
    fprintf(out, "%zu", total);
    for (size_t i = 0; i < c->n_seen; i++) {
        fprintf(out, " %u:%u", c->seen[i], c->count[c->seen[i]]);
        c->count[c->seen[i]] = 0;
    }
    fputc('\n', out);
}

int main(int argc, char **argv) {
    if (argc > 2 || (argc == 2 && strcmp(argv[1], "--help") == 0)) {
        fprintf(stderr, "usage: vigile-features [FILE|-]\n"
                        "Prints \"N bucket:count ...\" per JSON line (text_features.h).\n");
        return argc == 2 ? 0 : 2;
    }
    FILE *in = argc == 2 && strcmp(argv[1], "-") != 0 ? fopen(argv[1], "r") : stdin;
    if (!in) {
        perror(argv[1]);
        return 1;
    }
    struct counter c = { xcalloc(TEXT_FEATURE_BUCKETS, sizeof *c.count), NULL, 0 };
    size_t seen_cap = 0;
    struct text_norm nm = { 0 };
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    int rc = 0;
    while ((len = getline(&line, &cap, in)) > 0) {
        lineno++;
        json_error_t je;
        json_t *row = json_loadb(line, (size_t)len, 0, &je);
        json_t *text = json_object_get(row, "text");
        size_t bad = 0;
        if (!json_is_string(text) ||
            text_norm_build(&nm, json_string_value(text), json_string_length(text), &bad) != 0) {
            fprintf(stderr, "vigile-features: line %zu: %s\n", lineno,
                    !row                   ? je.text
                    : json_is_string(text) ? "text is not valid UTF-8"
                                           : "no string \"text\"");
            json_decref(row);
            rc = 1;
            break;
        }
        /* At most 4 character n-grams per byte of the padded view and 2 word n-grams per word. */
        xgrow(&c.seen, &seen_cap, 6 * nm.p_len + 16, sizeof *c.seen);
        print_features(&c, &nm, stdout);
        json_decref(row);
    }
    free(line);
    text_norm_release(&nm);
    free(c.count);
    free(c.seen);
    if (in != stdin) fclose(in);
    return rc;
}
