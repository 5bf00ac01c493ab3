/* vigile-op: sends one operator event to vigile.operator, as a dashboard button would.
 * Overturn and confirm reach vigile-route; ack, reply and resolve reach vigile-sla. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "kafka.h"
#include "op_event.h"
#include "service.h"
#include "settings.h"
#include "timefmt.h"
#include "topics.h"

static const char usage[] =
    "Usage: vigile-op TYPE --tenant T --operator NAME (--decision ID | --ticket ID) [--note "
    "TEXT]\n\n"
    "TYPE is overturn or confirm (of a decision: --decision), or ack, reply or resolve\n"
    "(of a ticket: --ticket). Prints the event once the broker has acknowledged it.";

static int parse(int argc, char **argv, struct op_request *req) {
    static const struct option opts[] = {
        { "tenant", required_argument, NULL, 't' },   { "operator", required_argument, NULL, 'o' },
        { "decision", required_argument, NULL, 'd' }, { "ticket", required_argument, NULL, 'k' },
        { "note", required_argument, NULL, 'n' },     { NULL, 0, NULL, 0 },
    };
    if (argc < 2) return -1;
    req->type = argv[1];
    optind = 2;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 't': req->tenant = optarg; break;
        case 'o': req->op_name = optarg; break;
        case 'd': req->decision = optarg; break;
        case 'k': req->ticket = optarg; break;
        case 'n': req->note = optarg; break;
        default: return -1;
        }
    }
    return optind == argc ? 0 : -1;
}

int main(int argc, char **argv) {
    if (service_std_options(argc, argv, "vigile-op", usage)) return EXIT_CLEAN;
    struct op_request req = { 0 };
    char err[512];
    if (parse(argc, argv, &req)) {
        fprintf(stderr, "%s\n", usage);
        return EXIT_BAD_CONFIG;
    }
    json_t *ev = op_event_build(&req, time_now_ms(), err, sizeof err);
    if (!ev) {
        fprintf(stderr, "vigile-op: %s\n", err);
        return EXIT_BAD_CONFIG;
    }
    struct settings cfg;
    if (settings_load(&cfg, err, sizeof err)) {
        fprintf(stderr, "vigile-op: %s\n", err);
        json_decref(ev);
        return EXIT_BAD_CONFIG;
    }
    int code = EXIT_RUNTIME;
    size_t len;
    char *value = envelope_dump(ev, &len), *key = op_event_key(&req);
    rd_kafka_t *rk = kafka_producer_new(cfg.kafka_brokers, NULL, NULL, NULL, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "vigile-op: %s\n", err);
        free(value);
    } else {
        /* value is librdkafka's from here on */
        if (kafka_produce(rk, TOPIC_OPERATOR, key, value, len) == 0 &&
            rd_kafka_flush(rk, 30000) == 0)
            code = EXIT_CLEAN;
        else
            fprintf(stderr, "vigile-op: the broker did not acknowledge the event\n");
        rd_kafka_destroy(rk);
    }
    if (code == EXIT_CLEAN) {
        char *shown = envelope_dump(ev, NULL);
        printf("%s\n", shown);
        free(shown);
    }
    free(key);
    json_decref(ev);
    settings_free(&cfg);
    return code;
}
