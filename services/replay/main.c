/* vigile-replay: classify → route in one process with in-memory state, from JSON lines to
 * decisions on stdout. No Kafka, no Redis: how an operator dry-runs a policy change on
 * last month's comments. */
#include <stdio.h>
#include <string.h>

#include "classify.h"
#include "offline.h"
#include "program.h"
#include "route.h"
#include "timefmt.h"
#include "topics.h"

struct pipeline {
    struct classifier *classifier;
    struct router *router;
};

static enum stage_status replay_one(void *arg, json_t *env, struct stage_outputs *out, char *reason,
                                    size_t n) {
    struct pipeline *p = arg;
    enum stage_status st = classifier_run(p->classifier, env, reason, n);
    if (st != STAGE_OK) return st;
    return router_decide(p->router, env, time_now_ms(), out, reason, n);
}

/* Decisions, and the dead letters of lines that could not be decided. */
static int decisions_only(const struct stage_output *o) {
    return strcmp(o->topic, TOPIC_DECISIONS) == 0 || strcmp(o->topic, TOPIC_DEADLETTER) == 0;
}

static int print_all(const struct stage_output *o) {
    printf("{\"topic\":\"%s\",\"value\":%.*s}\n", o->topic, (int)o->len, o->value);
    return 0; /* printed here, wrapped with its topic */
}

static const char usage[] =
    "Usage: vigile-replay [--all] [FILE|-]\n\n"
    "Runs classify and route in-process on JSON lines of envelopes (default: stdin) and\n"
    "prints the decisions as JSON lines; with --all, every output wrapped with its topic.\n"
    "Bad lines print as dead-letter records. Needs no Kafka and no Redis.";

int main(int argc, char **argv) {
    if (service_std_options(argc, argv, "vigile-replay", usage)) return EXIT_CLEAN;
    int all = argc > 1 && strcmp(argv[1], "--all") == 0;
    const char *path = argc > 1 + all ? argv[1 + all] : "-";
    if (argc > 2 + all) {
        fprintf(stderr, "%s\n", usage);
        return EXIT_BAD_CONFIG;
    }
    struct offline o;
    int code = offline_open(&o, "replay");
    if (code) return code;
    char err[512];
    struct tenant_set *for_router = service_load_tenants(o.cfg.config_dir);
    struct pipeline p = { 0 };
    p.classifier = classifier_new(o.cfg.data_dir, o.tenants, &o.state, o.key, err, sizeof err);
    o.tenants = NULL; /* stolen */
    if (!p.classifier || !for_router) {
        if (!p.classifier) fprintf(stderr, "vigile-replay: %s\n", err);
        tenant_set_free(for_router);
        offline_close(&o);
        return EXIT_BAD_CONFIG;
    }
    p.router = router_new(for_router, &o.state, o.key, err, sizeof err);
    code = offline_run(&o, path, replay_one, &p, all ? print_all : decisions_only);
    router_free(p.router);
    classifier_free(p.classifier);
    offline_close(&o);
    return code;
}
