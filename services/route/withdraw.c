/* Content its author deleted: the tickets it opened have nothing left to act on. A
 * deletion (event_type "deleted", docs/ingest.md) is not judged like a comment; it
 * resolves every ticket that earlier decisions on the same content opened, through a
 * "resolve" operator event on vigile.operator, so that vigile-sla stops their timers and
 * dashboards see why. The decisions that opened tickets are remembered per content for
 * this (record.c). */
#include <stdio.h>
#include <stdlib.h>

#include "envelope.h"
#include "route_record.h"
#include "route_router.h"
#include "route_withdraw.h"
#include "timefmt.h"
#include "topics.h"
#include "xmalloc.h"

#define WITHDRAW_NOTE "contenuto cancellato dall'autore"

/* The operator event that resolves every ticket of decision_id. Its id derives from the
 * deletion's, so a redelivered deletion repeats it rather than adding another. */
static void emit_resolve(const struct tenant *t, const json_t *env, const char *decision_id,
                         int64_t now_ms, struct stage_outputs *out) {
    char at[RFC3339_LEN];
    char *event_id = xasprintf("%s:%s", envelope_str(env, "event_id"), decision_id);
    json_t *ev = json_pack("{s:{s:s, s:i}, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "schema", "name",
                           "vigile.operator", "version", 1, "event_id", event_id, "type", "resolve",
                           "tenant", tenant_id(t), "decision_id", decision_id, "operator",
                           "vigile-route", "at", rfc3339_format(now_ms, at), "note", WITHDRAW_NOTE);
    if (!ev) abort(); /* every value is ours or validated */
    size_t len;
    char *value = envelope_dump(ev, &len);
    stage_outputs_add(out, TOPIC_OPERATOR, xasprintf("%s|%s", tenant_id(t), decision_id), value,
                      len);
    json_decref(ev);
    free(event_id);
}

enum stage_status route_withdraw(struct router *r, const struct tenant *t, const json_t *env,
                                 int64_t now_ms, struct stage_outputs *out, char *reason,
                                 size_t n) {
    json_t *ids = route_content_decisions(r, t, env);
    if (!ids) {
        snprintf(reason, n, "state store unavailable (tickets of deleted content)");
        return STAGE_RETRY;
    }
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) emit_resolve(t, env, json_string_value(v), now_ms, out);
    json_decref(ids);
    return STAGE_OK;
}
