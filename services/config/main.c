/* vigile-config: checks a config directory with the same loader every worker runs at
 * start-up, so an operator learns about a bad edit before a worker refuses to start.
 *
 *   vigile-config check [DIR]      exit 0 when valid, 2 with "file: json.path: problem"
 *                                  lines on stderr otherwise
 *   vigile-config show TENANT [DIR]  print the tenant as Vigile applies it (baseline and
 *                                  tenant file merged), as JSON on stdout
 *   vigile-config check-draft --tenant T FILE  an editor's draft against T's policy
 *                                  (services/console/console_check.c); exit 3 on problems
 *
 * DIR defaults to $VIGILE_CONFIG_DIR, else "config". Exit 1 on a usage error. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "tenant.h"

/* Room for a few hundred problem lines: enough to fix a file in one pass. */
#define ERR_LEN 65536

static void usage(FILE *out) {
    fputs("usage: vigile-config check [DIR]\n"
          "       vigile-config show TENANT [DIR]\n"
          "       vigile-config check-draft --tenant TENANT FILE   (FILE - : stdin)\n"
          "         an editor's draft against the tenant's policy, as JSON; exit 3 when it\n"
          "         has problems (config from $VIGILE_CONFIG_DIR, data from $VIGILE_DATA_DIR)\n"
          "DIR defaults to $VIGILE_CONFIG_DIR, else ./config. Format: docs/policy.md.\n"
          "exit: 0 valid, 1 usage, 2 invalid config (file: json.path: problem on stderr)\n",
          out);
}

/* Loads dir; on failure prints the problems and returns NULL. */
static struct tenant_set *load_or_print(const char *dir) {
    static char err[ERR_LEN];
    struct tenant_set *set = tenant_set_load(dir, err, sizeof err);
    if (!set) fprintf(stderr, "%s\n", err);
    return set;
}

static int cmd_check(const char *dir) {
    struct tenant_set *set = load_or_print(dir);
    if (!set) return 2;
    printf("%s: %zu tenants valid:", dir, tenant_set_count(set));
    for (size_t i = 0; i < tenant_set_count(set); i++)
        printf(" %s", tenant_id(tenant_set_at(set, i)));
    putchar('\n');
    tenant_set_free(set);
    return 0;
}

static int cmd_show(const char *id, const char *dir) {
    struct tenant_set *set = load_or_print(dir);
    if (!set) return 2;
    int rc = 0;
    const struct tenant *t = tenant_set_find(set, id);
    if (t) {
        json_dumpf(tenant_document(t), stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
    } else {
        fprintf(stderr, "%s: no tenant \"%s\"\n", dir, id);
        rc = 1;
    }
    tenant_set_free(set);
    return rc;
}

int main(int argc, char **argv) {
    const char *env_dir = getenv("VIGILE_CONFIG_DIR");
    const char *dflt = env_dir && *env_dir ? env_dir : "config";
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && argc <= 3 && strcmp(argv[1], "check") == 0)
        return cmd_check(argc == 3 ? argv[2] : dflt);
    if (argc >= 3 && argc <= 4 && strcmp(argv[1], "show") == 0)
        return cmd_show(argv[2], argc == 4 ? argv[3] : dflt);
    if (argc == 5 && strcmp(argv[1], "check-draft") == 0 && strcmp(argv[2], "--tenant") == 0) {
        const char *data = getenv("VIGILE_DATA_DIR");
        return console_check_file(dflt, data && *data ? data : "data", argv[3], argv[4]);
    }
    usage(stderr);
    return 1;
}
