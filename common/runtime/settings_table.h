/* The table format of VIGILE_* settings, for the common table (settings.h) and a
 * service's own (ingest_config.c): one row per variable, one parser for all. */
#ifndef VIGILE_SETTINGS_TABLE_H
#define VIGILE_SETTINGS_TABLE_H

#include <stddef.h>
#include <stdio.h>

/* One setting of a table: where it goes in the struct the table fills. Tables are
 * const arrays of these, each row naming its variable, default and help once. */
enum setting_type {
    SETTING_STR,    /* char *, a new string; def NULL: the host name */
    SETTING_SECRET, /* const char *, borrowed from the environment; NULL when unset */
    SETTING_INT,    /* int in min..max */
    SETTING_LONG,   /* long in min..max */
    SETTING_BOOL,   /* int 0 or 1 (also true/false, yes/no) */
};

struct setting_field {
    enum setting_type type;
    const char *name; /* "VIGILE_HTTP_PORT" */
    const char *def;  /* numbers too, as text ("8080"); NULL: none (see the types) */
    size_t offset;    /* of the member in the struct filled */
    long min, max;    /* numbers only */
    const char *help;
};

/* Fills dst from the environment by the n rows of table, defaults for what is unset or
 * empty. Returns 0, or -1 with "VIGILE_HTTP_PORT: \"x\" is not an integer in 0..65535" in
 * err and nothing allocated. Free the strings with settings_table_free. */
int settings_table_load(const struct setting_field *table, size_t n, void *dst, char *err,
                        size_t errlen);
void settings_table_free(const struct setting_field *table, size_t n, void *dst);
/* Prints one line per variable: name, help and default, for --help. */
void settings_table_print(FILE *out, const struct setting_field *table, size_t n);

#endif
