/* text_tsv: reads the engine's data files (tab-separated, '#' comments,
 * blank lines ignored), so that lexicons and rules share one parser and one
 * error format: "path:line: problem". */
#ifndef VIGILE_TEXT_TSV_H
#define VIGILE_TEXT_TSV_H

#include <stddef.h>

#define TEXT_TSV_MAX_FIELDS 8

/* Called per data line with its fields (NUL-terminated, borrowed for the
 * call).  Returns 0 to go on, or -1 after writing the problem (without
 * location) into err. */
typedef int (*text_tsv_line_fn)(void *ctx, char **fields, int n_fields, char *err, size_t errlen);

/* Reads every "*.tsv" in dir, in name order.  Returns 0, or -1 with err set
 * to "path:line: problem" (or why the directory or a file cannot be read). */
int text_tsv_load_dir(const char *dir, text_tsv_line_fn fn, void *ctx, char *err, size_t errlen);

/* Parses "low", "medium", "high".  Returns 1..3, or 0 if unknown. */
int text_tsv_severity(const char *s);

#endif
