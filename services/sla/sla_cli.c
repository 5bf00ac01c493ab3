/* `vigile-sla due`: a tenant's deadlines for a message arriving at a given instant, for
 * operators checking a configuration and for tests. */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "program.h"
#include "rome_time.h"
#include "settings.h"
#include "sla.h"
#include "sla_due.h"
#include "timefmt.h"

static const char due_usage[] =
    "Usage: vigile-sla due --tenant T --from RFC3339 [--kind "
    "take_charge|response|removal|courtesy]\n"
    "\n"
    "Prints the deadlines of a message reaching tenant T at the given instant, one per line\n"
    "as kind<TAB>instant (RFC 3339 with the Europe/Rome offset). Without --kind, every kind\n"
    "the tenant has; removal assumes content that must come down. The tenants are read\n"
    "from VIGILE_CONFIG_DIR.";

struct due_args {
    const char *tenant, *from, *kind;
};

/* Reads the options. Returns 0, or -1 after printing the problem. */
static int parse_args(int argc, char **argv, struct due_args *a) {
    for (int i = 2; i < argc; i++) {
        const char **slot = strcmp(argv[i], "--tenant") == 0 ? &a->tenant
                            : strcmp(argv[i], "--from") == 0 ? &a->from
                            : strcmp(argv[i], "--kind") == 0 ? &a->kind
                                                             : NULL;
        if (!slot || i + 1 == argc) {
            fprintf(stderr, "vigile-sla due: %s %s (see --help)\n", argv[i],
                    slot ? "needs a value" : "is not an option");
            return -1;
        }
        *slot = argv[++i];
    }
    if (a->tenant && a->from) return 0;
    fprintf(stderr, "vigile-sla due: --tenant and --from are required (see --help)\n");
    return -1;
}

/* Prints the deadlines. Returns the exit code. */
static int print_due(const struct tenant *t, const struct due_args *a) {
    int64_t from;
    if (rfc3339_parse(a->from, &from)) {
        fprintf(stderr, "vigile-sla due: --from \"%s\" is not RFC 3339\n", a->from);
        return EXIT_BAD_CONFIG;
    }
    int only = a->kind ? sla_kind_parse(a->kind) : -1;
    if (a->kind && (only < 0 || !sla_kind_applies(t, only))) {
        fprintf(stderr, "vigile-sla due: tenant %s has no deadline of kind \"%s\"\n", tenant_id(t),
                a->kind);
        return EXIT_BAD_CONFIG;
    }
    struct sla_deadlines d;
    if (sla_deadlines_compute(t, from, 1, &d)) {
        fprintf(stderr, "vigile-sla due: tenant %s: a calendar never opens\n", tenant_id(t));
        return EXIT_BAD_CONFIG;
    }
    char buf[ROME_TIME_LEN];
    for (int k = 0; k < SLA_KINDS; k++)
        if ((only < 0 || only == k) && d.due[k] != SLA_NONE)
            printf("%s\t%s\n", sla_kind_name(k), rome_format(d.due[k], buf));
    return EXIT_CLEAN;
}

int sla_due_main(int argc, char **argv) {
    if (service_std_options(argc, argv, "vigile-sla due", due_usage)) return EXIT_CLEAN;
    struct due_args a = { 0 };
    if (parse_args(argc, argv, &a)) return EXIT_BAD_CONFIG;
    struct settings cfg;
    char err[512];
    log_init("sla", LOG_WARN);
    if (settings_load(&cfg, err, sizeof err)) {
        log_error("config: %s", err);
        return EXIT_BAD_CONFIG;
    }
    struct tenant_set *set = service_load_tenants(cfg.config_dir);
    settings_free(&cfg);
    if (!set) return EXIT_BAD_CONFIG;
    const struct tenant *t = tenant_set_find(set, a.tenant);
    int code = EXIT_BAD_CONFIG;
    if (t)
        code = print_due(t, &a);
    else
        fprintf(stderr, "vigile-sla due: unknown tenant \"%s\"\n", a.tenant);
    tenant_set_free(set);
    return code;
}
