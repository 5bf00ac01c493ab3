/* The SQLite plumbing the read model and the accounts share: opening in WAL mode,
 * statements bound from a type string, rows as JSON. */
#include "console.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "rome_time.h"

/* rome_day(ms): the instant of midnight in Rome that starts ms's day there, so that the
 * day view counts by the municipality's days, not UTC's. */
static void sql_rome_day(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_result_int64(ctx, console_rome_midnight(sqlite3_value_int64(argv[0])));
}

int64_t console_rome_midnight(int64_t ms) { return rome_to_utc(rome_day_of(ms, NULL), 0); }

sqlite3 *console_db_open(const char *path, const char *schema, char *err, size_t n) {
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK) {
        snprintf(err, n, "%s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    /* WAL lets the HTTP thread read while the feed writes; NORMAL is durable across a
     * process crash, which is what the offsets-in-the-transaction promise needs. The
     * busy timeout covers the moments two connections want the write lock. */
    char *msg = NULL;
    sqlite3_busy_timeout(db, 5000);
    sqlite3_create_function(db, "rome_day", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                            sql_rome_day, NULL, NULL);
    if (sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     "PRAGMA foreign_keys=ON;",
                     NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, n, "%s: %s", path, msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

void console_db_close(sqlite3 *db) { sqlite3_close(db); }

/* Binds the arguments described by types: s text (NULL binds NULL), i int, I int64. */
static int bind_all(sqlite3_stmt *st, const char *types, va_list ap) {
    for (int i = 0; types[i]; i++) {
        int rc;
        if (types[i] == 's') {
            const char *s = va_arg(ap, const char *);
            rc = s ? sqlite3_bind_text(st, i + 1, s, -1, SQLITE_TRANSIENT)
                   : sqlite3_bind_null(st, i + 1);
        } else if (types[i] == 'i') {
            rc = sqlite3_bind_int(st, i + 1, va_arg(ap, int));
        } else {
            rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
        }
        if (rc != SQLITE_OK) return -1;
    }
    return 0;
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql, const char *types, va_list ap) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK || bind_all(st, types, ap)) {
        log_error("sqlite: %s: %s", sqlite3_errmsg(db), sql);
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

int console_db_exec(sqlite3 *db, const char *sql, const char *types, ...) {
    va_list ap;
    va_start(ap, types);
    sqlite3_stmt *st = prepare(db, sql, types, ap);
    va_end(ap);
    if (!st) return -1;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) log_error("sqlite: %s: %s", sqlite3_errmsg(db), sql);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? sqlite3_changes(db) : -1;
}

int console_db_int(sqlite3 *db, int64_t *out, const char *sql, const char *types, ...) {
    va_list ap;
    va_start(ap, types);
    sqlite3_stmt *st = prepare(db, sql, types, ap);
    va_end(ap);
    if (!st) return -1;
    int rc = sqlite3_step(st),
        found = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
    if (found) *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? found : -1;
}

char *console_db_text(sqlite3 *db, const char *sql, const char *types, ...) {
    va_list ap;
    va_start(ap, types);
    sqlite3_stmt *st = prepare(db, sql, types, ap);
    va_end(ap);
    if (!st) return NULL;
    char *out = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        out = xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

/* One column as JSON: a column named *_json holds a serialized document of ours. */
static json_t *column_json(sqlite3_stmt *st, int i) {
    const char *name = sqlite3_column_name(st, i);
    size_t len = strlen(name);
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(st, i));
    case SQLITE_FLOAT: return json_real(sqlite3_column_double(st, i));
    case SQLITE_NULL: return json_null();
    default: break;
    }
    const char *text = (const char *)sqlite3_column_text(st, i);
    if (len > 5 && strcmp(name + len - 5, "_json") == 0) {
        json_t *doc = json_loads(text, 0, NULL);
        return doc ? doc : json_null();
    }
    return json_string(text);
}

json_t *console_db_rows(sqlite3 *db, const char *sql, const char *types, ...) {
    va_list ap;
    va_start(ap, types);
    sqlite3_stmt *st = prepare(db, sql, types, ap);
    va_end(ap);
    if (!st) return NULL;
    json_t *rows = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *row = json_object();
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const char *name = sqlite3_column_name(st, i);
            size_t len = strlen(name);
            char key[64];
            /* the _json suffix is storage detail; the API names the field plainly */
            snprintf(key, sizeof key, "%.*s",
                     (int)(len > 5 && strcmp(name + len - 5, "_json") == 0 ? len - 5 : len), name);
            json_object_set_new(row, key, column_json(st, i));
        }
        json_array_append_new(rows, row);
    }
    if (rc != SQLITE_DONE) {
        log_error("sqlite: %s: %s", sqlite3_errmsg(db), sql);
        json_decref(rows);
        rows = NULL;
    }
    sqlite3_finalize(st);
    return rows;
}
