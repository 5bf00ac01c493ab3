/* vigile-console's logic: the read model (SQLite, fed from the decision, escalation, SLA
 * and operator topics), accounts and sessions, and the JSON API the page calls. Library
 * code without Kafka or sockets: the worker (main.c, console_feed.c, console_http.c) and
 * the tests drive it through these functions. Every string returned is new unless said
 * borrowed; every _close/_free is NULL-safe. */
#ifndef VIGILE_CONSOLE_H
#define VIGILE_CONSOLE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "tenant.h"
#include "xmalloc.h"

typedef struct sqlite3 sqlite3;

/* ---- console_db.c: SQLite helpers. Argument types: s text (NULL: NULL), i int, I int64. */

/* Opens path in WAL mode and runs schema (idempotent CREATE ... IF NOT EXISTS). Returns a
 * new handle, or NULL with "path: reason" in err. */
sqlite3 *console_db_open(const char *path, const char *schema, char *err, size_t errlen);
void console_db_close(sqlite3 *db); /* NULL-safe */
/* The instant of the Rome midnight that starts ms's day there (also rome_day() in SQL). */
int64_t console_rome_midnight(int64_t ms);
/* Runs one statement. Returns the rows changed, or -1 (logged). */
int console_db_exec(sqlite3 *db, const char *sql, const char *types, ...);
/* The first column of the first row into *out: returns 1, 0 when there is none, -1 on error. */
int console_db_int(sqlite3 *db, int64_t *out, const char *sql, const char *types, ...);
/* The first column of the first row as a new string, or NULL. */
char *console_db_text(sqlite3 *db, const char *sql, const char *types, ...);
/* Every row as an object keyed by column name; a column named x_json is parsed and named
 * x. Returns a new array, or NULL (logged). */
json_t *console_db_rows(sqlite3 *db, const char *sql, const char *types, ...);

/* ---- console_file.c */

/* The whole of path ("-": standard input) as a new NUL-terminated string, its length in
 * *len (may be NULL); NULL when it cannot be opened or read. */
char *console_file_read(const char *path, size_t *len);

/* ---- console_store.c: the read model. */

struct console_store;

/* Opens (creating) the read model at path. tenants is borrowed and must outlive the
 * store (ticket deadlines are computed on its calendars). NULL with the reason in err. */
struct console_store *console_store_open(const char *path, const struct tenant_set *tenants,
                                         char *err, size_t errlen);
void console_store_close(struct console_store *st);
/* Borrowed handle, for the queries and the tests. */
sqlite3 *console_store_db(struct console_store *st);
/* Swaps the tenant set (borrowed) used for deadlines of tickets applied from now on. */
void console_store_set_tenants(struct console_store *st, const struct tenant_set *tenants);

enum console_apply { CONSOLE_APPLIED, CONSOLE_REJECTED, CONSOLE_FAILED };

/* Applies one message of topic (value: len bytes, borrowed) and records next offset
 * offset + 1 for (topic, partition), in one transaction. A message at or below what is
 * recorded is skipped (CONSOLE_APPLIED). CONSOLE_REJECTED: bad input, reason in reason,
 * and only the offset was recorded (the caller dead-letters it first); CONSOLE_FAILED:
 * SQLite failed, nothing was recorded. */
enum console_apply console_store_apply(struct console_store *st, const char *topic,
                                       int32_t partition, int64_t offset, const char *value,
                                       size_t len, char *reason, size_t reasonlen);
/* Records that the input at offset was dead-lettered, without applying it. 0 or -1. */
int console_store_skip(struct console_store *st, const char *topic, int32_t partition,
                       int64_t offset);
/* Forgets what the topics' retention (common/topics.c) has dropped by now_ms. Returns
 * the rows removed, or -1 (logged). */
int console_store_prune(struct console_store *st, int64_t now_ms);
/* The next offset to read of (topic, partition), or -1 when nothing was read yet. */
int64_t console_store_next_offset(struct console_store *st, const char *topic, int32_t partition);

/* ---- console_query.c: what the page shows, one tenant at a time (tenant borrowed). */

/* Open tickets and decisions waiting for review, by deadline (soonest first; none last). */
json_t *console_query_queue(sqlite3 *db, const char *tenant, int64_t now_ms);
/* One decision (its latest revision), its tickets, SLA events and operator actions; NULL
 * when the tenant has no such decision. */
json_t *console_query_decision(sqlite3 *db, const char *tenant, const char *decision_id);
/* An author's decisions, newest first, and where the author stands on the ladder. */
json_t *console_query_author(sqlite3 *db, const char *tenant, const char *pseudonym);
/* The 30 days (in Rome) ending on now_ms's day: counts per day, category and action, each
 * day named by the instant of its Rome midnight; SLA figures. */
json_t *console_query_days(sqlite3 *db, const char *tenant, int64_t now_ms);
/* Every operator action on the tenant, newest first (at most limit). */
json_t *console_query_audit(sqlite3 *db, const char *tenant, int limit);
/* 1 when the tenant owns the decision (kind "decision") or ticket ("ticket"), else 0. */
int console_query_owns(sqlite3 *db, const char *tenant, const char *kind, const char *id);

/* ---- console_check.c: a draft of the municipality's own editors against its policy. */

struct console_checker;

/* Loads the classifier's data from data_dir and the tenants of config_dir. Returns a new
 * checker, or NULL with the reason in err. Not thread-safe: one thread checks. */
struct console_checker *console_checker_new(const char *data_dir, const char *config_dir, char *err,
                                            size_t errlen);
void console_checker_free(struct console_checker *c);
/* Classifies text (borrowed, UTF-8) as a post of tenant t and returns a new
 * {tenant, ok, problems: [{category, rule_ids, spans, evidence, policy_ref}],
 * redacted_text, personal_data, other_labels}, or NULL with the reason in err. */
json_t *console_check_draft(struct console_checker *c, const struct tenant *t, const char *text,
                            int64_t now_ms, char *err, size_t errlen);

/* `vigile-config check-draft --tenant T FILE` ("-": stdin): prints the check as JSON.
 * Returns the exit code: 0 no problem, 3 problems found, 1 FILE unreadable, 2 bad
 * configuration or unknown tenant. */
int console_check_file(const char *config_dir, const char *data_dir, const char *tenant,
                       const char *path);

/* ---- console_accounts.c: operators, roles per tenant, sessions. */

enum console_role { ROLE_NONE, ROLE_MODERATOR, ROLE_SUPERVISOR, ROLE_ADMIN };

/* Parses "moderator", "supervisor", "admin"; ROLE_NONE otherwise. */
enum console_role console_role_parse(const char *name);
const char *console_role_name(enum console_role role);

sqlite3 *console_accounts_open(const char *path, char *err, size_t errlen);
/* Creates a user with an Argon2id hash of password (or replaces the password and enables
 * the account again, when create is 0). Returns 0, or -1 with the reason in err. */
int console_user_set_password(sqlite3 *db, const char *name, const char *password, int create,
                              char *err, size_t errlen);
/* Gives name role on tenant ("*" for every tenant: the consortium's admin). 0 or -1. */
int console_user_grant(sqlite3 *db, const char *name, const char *tenant, enum console_role role,
                       char *err, size_t errlen);
/* Disables the account and ends its sessions. 0 or -1 (no such user). */
int console_user_disable(sqlite3 *db, const char *name, char *err, size_t errlen);
/* The role name has on tenant (ROLE_ADMIN through "*"). */
enum console_role console_user_role(sqlite3 *db, const char *name, const char *tenant);
/* The tenants name may see, as [{id, role}]; with an admin role, every tenant of set. */
json_t *console_user_tenants(sqlite3 *db, const char *name, const struct tenant_set *set);

/* How many failed logins a name may have in CONSOLE_LOGIN_WINDOW_MS before it is refused
 * until the window has passed: enough for typing mistakes, too few for guessing. */
#define CONSOLE_LOGIN_MAX_FAILURES 5
#define CONSOLE_LOGIN_WINDOW_MS    (15 * 60 * 1000)
#define CONSOLE_SESSION_MS         (12LL * 3600 * 1000) /* a working day, then log in again */

enum console_login { LOGIN_OK, LOGIN_BAD, LOGIN_LIMITED };
/* Checks name's password; on success opens a session, putting the new session token and
 * its CSRF token (64 hex digits each) into token and csrf. */
enum console_login console_login(sqlite3 *db, const char *name, const char *password,
                                 int64_t now_ms, char token[65], char csrf[65]);
/* Opens a session for name (an enabled account) without a password: for a reverse proxy
 * that authenticated the user already. 0 with the tokens filled, or -1. */
int console_session_open(sqlite3 *db, const char *name, int64_t now_ms, char token[65],
                         char csrf[65]);
/* The user of a live session token as a new string (the CSRF token into csrf), or NULL. */
char *console_session_user(sqlite3 *db, const char *token, int64_t now_ms, char csrf[65]);
void console_logout(sqlite3 *db, const char *token);

/* ---- console_api.c: the JSON API. */

/* Where the API sends operator events: key and value are borrowed; returns 0 once the
 * broker has acknowledged the event, -1 otherwise. */
typedef int (*console_emit_fn)(void *ctx, const char *key, const char *value, size_t len);

struct console_api {
    sqlite3 *read;                    /* borrowed: the read model */
    sqlite3 *accounts;                /* borrowed */
    const struct tenant_set *tenants; /* borrowed */
    console_emit_fn emit;
    void *emit_ctx;
    struct console_checker *checker; /* borrowed; NULL: /api/check answers 503 */
};

struct console_request {
    const char *method;                              /* "GET", "POST" */
    const char *path;                                /* "/api/queue" */
    const char *(*arg)(void *ctx, const char *name); /* query argument, borrowed, or NULL */
    void *arg_ctx;
    const char *body; /* POST body, may be NULL */
    size_t body_len;
    const char *session; /* the session cookie, or NULL */
    const char *csrf;    /* the X-CSRF-Token header, or NULL */
    /* The user a trusted reverse proxy authenticated (VIGILE_CONSOLE_TRUST_USER_HEADER),
     * or NULL: without a session, one is opened for that account. Off by default. */
    const char *proxy_user;
    int64_t now_ms;
};

struct console_response {
    unsigned status;
    char *body;       /* new JSON text */
    char *set_cookie; /* new Set-Cookie value, or NULL */
};

/* Answers one API call. Fills res (free its strings with console_response_free). */
void console_api_handle(const struct console_api *api, const struct console_request *req,
                        struct console_response *res);
void console_response_free(struct console_response *res);

#endif
