#include "offline.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "deadletter.h"
#include "envelope.h"
#include "log.h"
#include "program.h"
#include "timefmt.h"
#include "topics.h"
#include "xmalloc.h"

int offline_open(struct offline *o, const char *program) {
    char err[512];
    memset(o, 0, sizeof *o);
    o->program = program;
    log_init(program, LOG_WARN);
    if (settings_load(&o->cfg, err, sizeof err)) {
        log_error("config: %s", err);
        return EXIT_BAD_CONFIG;
    }
    o->tenants = service_load_tenants(o->cfg.config_dir);
    if (!o->tenants) {
        settings_free(&o->cfg);
        return EXIT_BAD_CONFIG;
    }
    if (*o->cfg.pseudonym_key) {
        snprintf(o->key, sizeof o->key, "%s", o->cfg.pseudonym_key);
    } else {
        /* A dry run needs no stable pseudonyms: a random key keeps them unlinkable. */
        unsigned char raw[32];
        RAND_bytes(raw, sizeof raw);
        for (int i = 0; i < 32; i++) snprintf(o->key + 2 * i, 3, "%02x", raw[i]);
        log_warn("VIGILE_PSEUDONYM_KEY unset: pseudonyms are valid for this run only");
    }
    state_mem_init(&o->state);
    return 0;
}

void offline_close(struct offline *o) {
    tenant_set_free(o->tenants);
    state_store_free(&o->state);
    settings_free(&o->cfg);
}

/* Replaces out's contents with the dead letter of a bad line, so that it is printed the
 * way every other output is. */
static void deadletter_output(struct offline *o, struct stage_outputs *out, unsigned long lineno,
                              const char *line, size_t len, const char *reason) {
    struct deadletter_source src = { o->program, "replay", -1, (int64_t)lineno };
    stage_outputs_clear(out);
    deadletter_add(out, &src, NULL, reason, line, len);
}

int offline_run(struct offline *o, const char *path,
                enum stage_status (*fn)(void *arg, json_t *env, struct stage_outputs *out,
                                        char *reason, size_t n),
                void *arg, int (*print)(const struct stage_output *o)) {
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!in) {
        log_error("cannot open %s", path);
        return EXIT_BAD_CONFIG;
    }
    struct stage_outputs out = { 0 };
    char *line = NULL, reason[512];
    size_t cap = 0;
    ssize_t len;
    unsigned long lineno = 0;
    while ((len = getline(&line, &cap, in)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
        if (len == 0) continue;
        stage_outputs_clear(&out);
        json_t *env = envelope_parse(line, (size_t)len, ENVELOPE_REPLAY, reason, sizeof reason);
        /* The memory store never fails, so fn answers OK or REJECT here. */
        if (!env || fn(arg, env, &out, reason, sizeof reason) != STAGE_OK)
            deadletter_output(o, &out, lineno, line, (size_t)len, reason);
        for (size_t i = 0; i < out.n; i++)
            if (!print || print(&out.v[i])) printf("%.*s\n", (int)out.v[i].len, out.v[i].value);
        json_decref(env);
    }
    fflush(stdout);
    free(line);
    stage_outputs_free(&out);
    if (in != stdin) fclose(in);
    return EXIT_CLEAN;
}
