/* Operators' accounts: Argon2id password hashes (libsodium's crypto_pwhash_str, with its
 * interactive limits), roles per tenant, sessions and failed logins. Kept in their own
 * SQLite file beside the read model, because a replica rebuilds the read model from the
 * topics but accounts exist nowhere else. Session tokens are stored only as their hash,
 * so a copy of the file opens no session. */
#include "console.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS users(name TEXT PRIMARY KEY, hash TEXT NOT NULL,"
    "  disabled INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS roles(name TEXT, tenant TEXT, role TEXT,"
    "  PRIMARY KEY(name, tenant));"
    "CREATE TABLE IF NOT EXISTS sessions(token_hash TEXT PRIMARY KEY, name TEXT, csrf TEXT,"
    "  expires_ms INTEGER);"
    "CREATE TABLE IF NOT EXISTS login_failures(name TEXT, at_ms INTEGER);";

static const char *const role_names[] = { "none", "moderator", "supervisor", "admin" };

enum console_role console_role_parse(const char *name) {
    for (int r = ROLE_MODERATOR; r <= ROLE_ADMIN; r++)
        if (name && strcmp(name, role_names[r]) == 0) return (enum console_role)r;
    return ROLE_NONE;
}

const char *console_role_name(enum console_role role) { return role_names[role]; }

sqlite3 *console_accounts_open(const char *path, char *err, size_t n) {
    if (sodium_init() < 0) {
        snprintf(err, n, "libsodium cannot initialise");
        return NULL;
    }
    return console_db_open(path, schema, err, n);
}

int console_user_set_password(sqlite3 *db, const char *name, const char *password, int create,
                              char *err, size_t n) {
    if (!*name || strlen(password) < 10) {
        snprintf(err, n, "a name and a password of at least 10 characters are required");
        return -1;
    }
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        snprintf(err, n, "out of memory hashing the password");
        return -1;
    }
    int rc = create ? console_db_exec(db, "INSERT OR IGNORE INTO users(name, hash) VALUES(?,?)",
                                      "ss", name, hash)
                    : console_db_exec(db, "UPDATE users SET hash=?, disabled=0 WHERE name=?", "ss",
                                      hash, name);
    if (rc <= 0) {
        snprintf(err, n,
                 rc < 0   ? "the accounts file cannot be written"
                 : create ? "user \"%s\" exists"
                          : "no user \"%s\"",
                 name);
        return -1;
    }
    return 0;
}

int console_user_grant(sqlite3 *db, const char *name, const char *tenant, enum console_role role,
                       char *err, size_t n) {
    int64_t exists = 0;
    if (console_db_int(db, &exists, "SELECT count(*) FROM users WHERE name=?", "s", name) != 1 ||
        !exists) {
        snprintf(err, n, "no user \"%s\"", name);
        return -1;
    }
    if (console_db_exec(db,
                        "INSERT INTO roles VALUES(?,?,?) ON CONFLICT(name,tenant) DO UPDATE"
                        " SET role=excluded.role",
                        "sss", name, tenant, console_role_name(role)) < 0) {
        snprintf(err, n, "the accounts file cannot be written");
        return -1;
    }
    return 0;
}

int console_user_disable(sqlite3 *db, const char *name, char *err, size_t n) {
    if (console_db_exec(db, "UPDATE users SET disabled=1 WHERE name=?", "s", name) <= 0) {
        snprintf(err, n, "no user \"%s\"", name);
        return -1;
    }
    console_db_exec(db, "DELETE FROM sessions WHERE name=?", "s", name);
    return 0;
}

enum console_role console_user_role(sqlite3 *db, const char *name, const char *tenant) {
    char *role = console_db_text(db,
                                 "SELECT role FROM roles WHERE name=?1 AND tenant IN (?2,'*')"
                                 " ORDER BY tenant='*' LIMIT 1",
                                 "ss", name, tenant);
    enum console_role r = console_role_parse(role);
    free(role);
    return r;
}

json_t *console_user_tenants(sqlite3 *db, const char *name, const struct tenant_set *set) {
    json_t *out = json_array();
    for (size_t i = 0; i < tenant_set_count(set); i++) {
        const struct tenant *t = tenant_set_at(set, i);
        enum console_role r = console_user_role(db, name, tenant_id(t));
        if (r == ROLE_NONE) continue;
        json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "id", tenant_id(t), "name",
                                             tenant_display_name(t), "role", console_role_name(r)));
    }
    return out;
}

static void random_hex(char out[65]) {
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, 65, raw, sizeof raw);
}

static void token_hash(const char *token, char out[65]) {
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof h);
}

/* Checks the password against the stored hash; an unknown or disabled name is checked
 * against a dummy hash anyway, so that timing does not tell which names exist. */
static int password_ok(sqlite3 *db, const char *name, const char *password) {
    static char dummy[crypto_pwhash_STRBYTES];
    char *hash =
        console_db_text(db, "SELECT hash FROM users WHERE name=? AND disabled=0", "s", name);
    if (!hash && !dummy[0] &&
        crypto_pwhash_str(dummy, "unused", 6, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return 0; /* out of memory: nobody logs in */
    int ok = crypto_pwhash_str_verify(hash ? hash : dummy, password, strlen(password)) == 0;
    free(hash);
    return ok && hash != NULL;
}

enum console_login console_login(sqlite3 *db, const char *name, const char *password,
                                 int64_t now_ms, char token[65], char csrf[65]) {
    int64_t failures = 0;
    console_db_exec(db, "DELETE FROM login_failures WHERE at_ms<?", "I",
                    now_ms - CONSOLE_LOGIN_WINDOW_MS);
    console_db_int(db, &failures, "SELECT count(*) FROM login_failures WHERE name=?", "s", name);
    if (failures >= CONSOLE_LOGIN_MAX_FAILURES) return LOGIN_LIMITED;
    if (!password_ok(db, name, password)) {
        console_db_exec(db, "INSERT INTO login_failures VALUES(?,?)", "sI", name, now_ms);
        return LOGIN_BAD;
    }
    if (console_session_open(db, name, now_ms, token, csrf)) return LOGIN_BAD;
    console_db_exec(db, "DELETE FROM login_failures WHERE name=?", "s", name);
    return LOGIN_OK;
}

int console_session_open(sqlite3 *db, const char *name, int64_t now_ms, char token[65],
                         char csrf[65]) {
    int64_t enabled = 0;
    if (console_db_int(db, &enabled, "SELECT count(*) FROM users WHERE name=? AND disabled=0", "s",
                       name) != 1 ||
        !enabled)
        return -1;
    char hash[65];
    random_hex(token);
    random_hex(csrf);
    token_hash(token, hash);
    console_db_exec(db, "DELETE FROM sessions WHERE expires_ms<?", "I", now_ms);
    return console_db_exec(db, "INSERT INTO sessions VALUES(?,?,?,?)", "sssI", hash, name, csrf,
                           now_ms + CONSOLE_SESSION_MS) == 1
               ? 0
               : -1;
}

char *console_session_user(sqlite3 *db, const char *token, int64_t now_ms, char csrf[65]) {
    char hash[65];
    token_hash(token, hash);
    json_t *rows = console_db_rows(db,
                                   "SELECT s.name, s.csrf FROM sessions s JOIN users u ON"
                                   " u.name=s.name WHERE s.token_hash=? AND s.expires_ms>?"
                                   " AND u.disabled=0",
                                   "sI", hash, now_ms);
    json_t *row = json_array_get(rows, 0);
    char *name = row ? xstrdup(json_string_value(json_object_get(row, "name"))) : NULL;
    if (row) snprintf(csrf, 65, "%s", json_string_value(json_object_get(row, "csrf")));
    json_decref(rows);
    return name;
}

void console_logout(sqlite3 *db, const char *token) {
    char hash[65];
    token_hash(token, hash);
    console_db_exec(db, "DELETE FROM sessions WHERE token_hash=?", "s", hash);
}
