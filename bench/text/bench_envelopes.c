#include "bench_envelopes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envelope.h"

#define BENCH_AUTHORS 1000

void envelopes_make(struct envelopes *e, const struct bench_mix *mix,
                    const struct tenant_set *tenants) {
    static int sets;
    size_t nt = tenant_set_count(tenants);
    for (int i = 0; i < BENCH_MIX_COMMENTS; i++) {
        char author[16];
        snprintf(author, sizeof author, "u%d", (i * 7919) % BENCH_AUTHORS);
        // clang-format off
        e->env[i] = json_pack("{s:{s:s, s:i}, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:s, s:{s:s}}",
                              "schema", "name", ENVELOPE_SCHEMA_NAME, "version", ENVELOPE_SCHEMA_VERSION,
                              "event_id", "", "tenant", tenant_id(tenant_set_at(tenants, i % nt)),
                              "platform", "facebook", "kind", "comment", "content_id", "c",
                              "author", "id", author, "name", "Maria Rossi",
                              "text", mix->text[i], "created_at", "", "received_at", "",
                              "context", "post_text",
                              "Da lunedì cambiano gli orari degli uffici comunali");
        // clang-format on
    }
    e->pass = 0;
    snprintf(e->prefix, sizeof e->prefix, "bench-%d-%d", (int)getpid(), sets++);
}

void envelopes_next(struct envelopes *e, char **bufs, size_t *lens) {
    for (int i = 0; i < BENCH_MIX_COMMENTS; i++) {
        int64_t seq = e->pass * BENCH_MIX_COMMENTS + i;
        char id[80], ts[40];
        snprintf(id, sizeof id, "%s-%lld", e->prefix, (long long)seq);
        /* One comment a minute from 2026-11-02 09:00 UTC on. */
        long long min = seq, day = 2 + min / 1440;
        snprintf(ts, sizeof ts, "2026-%02lld-%02lldT%02lld:%02lld:00Z", 11 + (day - 1) / 28,
                 (day - 1) % 28 + 1, (min / 60) % 24, min % 60);
        json_object_set_new(e->env[i], "event_id", json_string(id));
        json_object_set_new(e->env[i], "content_id", json_string(id));
        json_object_set_new(e->env[i], "created_at", json_string(ts));
        json_object_set_new(e->env[i], "received_at", json_string(ts));
        bufs[i] = json_dumps(e->env[i], JSON_COMPACT);
        lens[i] = strlen(bufs[i]);
    }
    e->pass++;
}

void envelopes_free(struct envelopes *e) {
    for (int i = 0; i < BENCH_MIX_COMMENTS; i++) json_decref(e->env[i]);
}

struct tenant_set *bench_tenants_load(const char *prog) {
    char err[512];
    struct tenant_set *set = tenant_set_load(VIGILE_CONFIG_DIR, err, sizeof err);
    if (!set) {
        fprintf(stderr, "%s: %s\n", prog, err);
        exit(1);
    }
    return set;
}

void bench_stage_pass(const struct stage *s, const char *topic, char *const *bufs,
                      const size_t *lens, size_t n, size_t ahead, struct stage_outputs *out) {
    for (size_t i = 0; i < n; i++) {
        char reason[256];
        if (s->prepare && ahead > 1 && i % ahead == 0) {
            struct stage_input batch[BENCH_AHEAD];
            size_t k = 0;
            for (; k < ahead && k < BENCH_AHEAD && i + k < n; k++)
                batch[k] = (struct stage_input){ topic, bufs[i + k], lens[i + k] };
            s->prepare(s->ctx, batch, k);
        }
        struct stage_input in = { topic, bufs[i], lens[i] };
        if (s->process(s->ctx, &in, out, reason, sizeof reason) != STAGE_OK) {
            fprintf(stderr, "bench: %s: %s\n", s->name, reason);
            exit(1);
        }
        stage_outputs_clear(out);
    }
}
