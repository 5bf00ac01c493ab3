#include "ingest.h"

#include <stdio.h>

#include "envelope.h"
#include "timefmt.h"
#include "topics.h"

enum stage_status ingest_envelope(const struct tenant_set *tenants, const char *buf, size_t len,
                                  struct stage_outputs *out, char *reason, size_t n) {
    json_t *env = envelope_parse(buf, len, ENVELOPE_REPLAY, reason, n);
    if (!env) return STAGE_REJECT;
    enum stage_status st = STAGE_REJECT;
    const struct tenant *t = tenant_set_find(tenants, envelope_str(env, "tenant"));
    const char *channel = envelope_str(env, "channel");
    if (!t) {
        snprintf(reason, n, "$.tenant: unknown tenant \"%s\"", envelope_str(env, "tenant"));
    } else if (channel && !tenant_channel(t, channel)) {
        snprintf(reason, n, "$.channel: tenant %s has no channel \"%s\"", tenant_id(t), channel);
    } else {
        char now[RFC3339_LEN];
        json_object_set_new(env, "received_at", json_string(rfc3339_format(time_now_ms(), now)));
        size_t vlen;
        char *value = envelope_dump(env, &vlen);
        stage_outputs_add(out, TOPIC_INBOUND, envelope_key(env), value, vlen);
        st = STAGE_OK;
    }
    json_decref(env);
    return st;
}
