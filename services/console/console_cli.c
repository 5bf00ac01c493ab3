/* `vigile-console user add|passwd|disable|grant`: the consortium's way to manage
 * operators. Passwords are read from the first line of standard input, never from the
 * command line, where other users of the machine could read them in the process list. */
#include "console_cli.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "service.h"

static const char usage[] =
    "Usage: vigile-console user add NAME --role ROLE [--tenant T]...   (password on stdin)\n"
    "       vigile-console user passwd NAME                             (password on stdin)\n"
    "       vigile-console user grant NAME --role ROLE --tenant T\n"
    "       vigile-console user disable NAME\n\n"
    "ROLE is moderator or supervisor (per tenant), or admin (every tenant, no --tenant).\n"
    "The accounts live in $VIGILE_CONSOLE_DIR/accounts.db (default console-data).";

char *console_dir_path(const char *file) {
    const char *dir = getenv("VIGILE_CONSOLE_DIR");
    return xasprintf("%s/%s", dir && *dir ? dir : "console-data", file);
}

static char *read_password(void) {
    char line[1024];
    if (!fgets(line, sizeof line, stdin)) return NULL;
    line[strcspn(line, "\r\n")] = '\0';
    return xstrdup(line);
}

struct user_args {
    const char *verb, *name;
    enum console_role role;
    const char *tenants[32];
    int ntenants;
};

static int parse(int argc, char **argv, struct user_args *a) {
    static const struct option opts[] = { { "role", required_argument, NULL, 'r' },
                                          { "tenant", required_argument, NULL, 't' },
                                          { NULL, 0, NULL, 0 } };
    if (argc < 4) return -1;
    a->verb = argv[2];
    a->name = argv[3];
    optind = 4;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'r')
            a->role = console_role_parse(optarg);
        else if (c == 't' && a->ntenants < 32)
            a->tenants[a->ntenants++] = optarg;
        else
            return -1;
    }
    return optind == argc ? 0 : -1;
}

/* The roles of add and grant: admin on "*", any other role on each tenant named. */
static int grant_all(sqlite3 *db, const struct user_args *a, char *err, size_t n) {
    if (a->role == ROLE_ADMIN) return console_user_grant(db, a->name, "*", ROLE_ADMIN, err, n);
    if (a->role == ROLE_NONE || a->ntenants == 0) {
        snprintf(err, n, "--role moderator|supervisor needs at least one --tenant");
        return -1;
    }
    for (int i = 0; i < a->ntenants; i++)
        if (console_user_grant(db, a->name, a->tenants[i], a->role, err, n)) return -1;
    return 0;
}

static int run(sqlite3 *db, const struct user_args *a, char *err, size_t n) {
    int add = strcmp(a->verb, "add") == 0;
    if (add || strcmp(a->verb, "passwd") == 0) {
        char *pw = read_password();
        int rc = pw ? console_user_set_password(db, a->name, pw, add, err, n) : -1;
        if (!pw) snprintf(err, n, "no password on standard input");
        if (pw) sodium_memzero(pw, strlen(pw)); /* it leaves the process with the hash only */
        free(pw);
        return rc || !add ? rc : grant_all(db, a, err, n);
    }
    if (strcmp(a->verb, "grant") == 0) return grant_all(db, a, err, n);
    if (strcmp(a->verb, "disable") == 0) return console_user_disable(db, a->name, err, n);
    snprintf(err, n, "unknown command \"%s\"", a->verb);
    return -1;
}

int console_user_main(int argc, char **argv) {
    struct user_args a = { 0 };
    if (parse(argc, argv, &a)) {
        fprintf(stderr, "%s\n", usage);
        return EXIT_BAD_CONFIG;
    }
    char err[512], *path = console_dir_path("accounts.db");
    sqlite3 *db = console_accounts_open(path, err, sizeof err);
    int code = EXIT_CLEAN;
    if (!db || run(db, &a, err, sizeof err)) {
        fprintf(stderr, "vigile-console: %s\n", err);
        code = EXIT_BAD_CONFIG;
    } else {
        printf("vigile-console: user %s: %s done\n", a.name, a.verb);
    }
    console_db_close(db);
    free(path);
    return code;
}
