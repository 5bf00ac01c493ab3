/* Operators' accounts (services/console/console_accounts.c): Argon2id hashes, roles per
 * tenant, sessions, disabling, and the login rate limit. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console.h"

static sqlite3 *db;
static char dir[64];
static const int64_t now = 1796000000000;

static void setup(void) {
    char path[128], err[256];
    snprintf(dir, sizeof dir, "/tmp/test-accounts-XXXXXX");
    cr_assert(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/accounts.db", dir);
    db = console_accounts_open(path, err, sizeof err);
    cr_assert(db, "%s", err);
    cr_assert_eq(console_user_set_password(db, "mario", "password-di-mario", 1, err, sizeof err), 0,
                 "%s", err);
    cr_assert_eq(console_user_grant(db, "mario", "lecce", ROLE_MODERATOR, err, sizeof err), 0);
}

static void teardown(void) {
    console_db_close(db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(console_accounts, .init = setup, .fini = teardown);

Test(console_accounts, passwords_are_argon2id_hashes) {
    char *hash = console_db_text(db, "SELECT hash FROM users WHERE name='mario'", "");
    cr_assert(hash);
    cr_expect(strncmp(hash, "$argon2id$", 10) == 0, "%s", hash);
    cr_expect_null(strstr(hash, "password-di-mario"));
    free(hash);
    char err[128];
    cr_expect_eq(console_user_set_password(db, "mario", "un-altra-password", 1, err, sizeof err),
                 -1, "a second add of the same name");
    cr_expect_eq(console_user_set_password(db, "luca", "corta", 1, err, sizeof err), -1);
}

Test(console_accounts, login_opens_a_session_with_its_csrf_token) {
    char token[65], csrf[65], seen[65];
    cr_assert_eq(console_login(db, "mario", "password-di-mario", now, token, csrf), LOGIN_OK);
    cr_expect_eq(strlen(token), 64);
    cr_expect_str_neq(token, csrf);
    char *user = console_session_user(db, token, now + 1000, seen);
    cr_assert(user);
    cr_expect_str_eq(user, "mario");
    cr_expect_str_eq(seen, csrf);
    free(user);
    cr_expect_null(console_session_user(db, token, now + CONSOLE_SESSION_MS + 1, seen), "expired");
    cr_expect_null(console_session_user(db, csrf, now, seen), "the CSRF token is no session");
    console_logout(db, token);
    cr_expect_null(console_session_user(db, token, now + 1000, seen));
}

Test(console_accounts, wrong_passwords_are_limited) {
    char token[65], csrf[65];
    for (int i = 0; i < CONSOLE_LOGIN_MAX_FAILURES; i++)
        cr_assert_eq(console_login(db, "mario", "sbagliata", now + i, token, csrf), LOGIN_BAD);
    cr_expect_eq(console_login(db, "mario", "password-di-mario", now + 10, token, csrf),
                 LOGIN_LIMITED, "even the right password waits for the window");
    cr_expect_eq(console_login(db, "mario", "password-di-mario", now + CONSOLE_LOGIN_WINDOW_MS + 10,
                               token, csrf),
                 LOGIN_OK);
    cr_expect_eq(console_login(db, "nessuno", "password-di-mario", now, token, csrf), LOGIN_BAD);
}

Test(console_accounts, disabling_ends_sessions_and_logins) {
    char token[65], csrf[65], err[128];
    cr_assert_eq(console_login(db, "mario", "password-di-mario", now, token, csrf), LOGIN_OK);
    cr_assert_eq(console_user_disable(db, "mario", err, sizeof err), 0);
    cr_expect_null(console_session_user(db, token, now, csrf));
    cr_expect_eq(console_login(db, "mario", "password-di-mario", now, token, csrf), LOGIN_BAD);
    cr_assert_eq(console_user_set_password(db, "mario", "nuova-password-1", 0, err, sizeof err), 0);
    cr_expect_eq(console_login(db, "mario", "nuova-password-1", now, token, csrf), LOGIN_OK);
}

Test(console_accounts, roles_are_per_tenant_and_admin_is_everywhere) {
    char err[128];
    cr_expect_eq(console_user_role(db, "mario", "lecce"), ROLE_MODERATOR);
    cr_expect_eq(console_user_role(db, "mario", "arese"), ROLE_NONE);
    cr_assert_eq(console_user_set_password(db, "consorzio", "password-admin-1", 1, err, sizeof err),
                 0);
    cr_assert_eq(console_user_grant(db, "consorzio", "*", ROLE_ADMIN, err, sizeof err), 0);
    cr_expect_eq(console_user_role(db, "consorzio", "arese"), ROLE_ADMIN);
    cr_expect_eq(console_user_grant(db, "nessuno", "lecce", ROLE_MODERATOR, err, sizeof err), -1);
    cr_expect_eq(console_role_parse("supervisor"), ROLE_SUPERVISOR);
    cr_expect_eq(console_role_parse("root"), ROLE_NONE);
}
