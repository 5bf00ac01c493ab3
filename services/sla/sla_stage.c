/* The input side of the stage: tickets arm timers, operator events stop them. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_doc.h"
#include "sla_internal.h"
#include "timefmt.h"
#include "topics.h"
#include "xmalloc.h"

struct sla *sla_new(struct tenant_set *tenants, struct sla_timers *timers, int64_t lease_ms) {
    struct sla *s = xcalloc(1, sizeof *s);
    s->tenants = tenants;
    sla_metric_tenants(tenants);
    s->timers = timers;
    s->lease_ms = lease_ms;
    return s;
}

void sla_free(struct sla *s) {
    if (!s) return;
    tenant_set_free(s->tenants);
    sla_timers_free(s->timers);
    sla_claim_free(&s->handed);
    free(s);
}

void sla_reload(struct sla *s, struct tenant_set *tenants) {
    tenant_set_free(s->tenants);
    s->tenants = tenants;
    sla_metric_tenants(tenants);
}

static const char *opt_str(const json_t *msg, const char *key) {
    return json_string_value(json_object_get(msg, key));
}

/* Ids and instants become parts of Redis keys and of event ids on vigile.sla: no longer
 * than an envelope's ids (envelope.c). */
#define SLA_FIELD_MAX 256

/* The string at key, or NULL with the reason written. */
static const char *need_str(const json_t *msg, const char *key, char *reason, size_t n) {
    const char *v = opt_str(msg, key);
    if (!v || !*v) {
        snprintf(reason, n, "$.%s: missing or not a string", key);
        return NULL;
    }
    size_t len = json_string_length(json_object_get(msg, key));
    if (len > SLA_FIELD_MAX) {
        snprintf(reason, n, "$.%s: %zu bytes, over the limit of %d", key, len, SLA_FIELD_MAX);
        return NULL;
    }
    return v;
}

/* The tenant the message names, or NULL with the reason written. */
static const struct tenant *need_tenant(struct sla *s, const json_t *msg, char *reason, size_t n) {
    const char *id = need_str(msg, "tenant", reason, n);
    if (!id) return NULL;
    const struct tenant *t = tenant_set_find(s->tenants, id);
    if (!t) snprintf(reason, n, "$.tenant: unknown tenant \"%s\"", id);
    return t;
}

/* An instant at key, or -1 with the reason written. */
static int need_time(const json_t *msg, const char *key, int64_t *ms, char *reason, size_t n) {
    const char *v = need_str(msg, key, reason, n);
    if (!v) return -1;
    if (rfc3339_parse(v, ms) == 0) return 0;
    snprintf(reason, n, "$.%s: \"%s\" is not RFC 3339", key, v);
    return -1;
}

static enum stage_status on_ticket(struct sla *s, const json_t *msg, char *reason, size_t n) {
    const struct tenant *t = need_tenant(s, msg, reason, n);
    struct sla_ticket tk = { 0 };
    int64_t received;
    if (!t || !(tk.ticket_id = need_str(msg, "ticket_id", reason, n)) ||
        !(tk.office = need_str(msg, "office", reason, n)) ||
        need_time(msg, "received_at", &received, reason, n))
        return STAGE_REJECT;
    const json_t *sev = json_object_get(msg, "severity");
    if (sev && !json_is_integer(sev)) {
        snprintf(reason, n, "$.severity: expected an integer");
        return STAGE_REJECT;
    }
    tk.severity = sev ? (int)json_integer_value(sev) : 1;
    int removal = json_is_true(json_object_get(msg, "removal")) &&
                  tk.severity >= tenant_sla(t)->removal_min_severity;
    if (sla_deadlines_compute(t, received, removal, &tk.dl)) {
        snprintf(reason, n, "tenant %s: a calendar never opens in the next %d days", tenant_id(t),
                 5 * 366);
        return STAGE_REJECT;
    }
    tk.tenant = tenant_id(t);
    tk.decision_id = opt_str(msg, "decision_id");
    tk.channel = opt_str(msg, "channel");
    tk.author = opt_str(msg, "author");
    tk.priority = opt_str(msg, "priority");
    if (sla_timers_arm(s->timers, &tk, 1, time_now_ms()) == 0) {
        sla_metric_armed(t, tk.office);
        return STAGE_OK;
    }
    snprintf(reason, n, "sla: cannot arm ticket %s: redis unavailable", tk.ticket_id);
    return STAGE_RETRY;
}

/* The kinds an operator event stops, 0 for events that are not the SLA's business, or
 * -1 for an unknown type. */
static int stop_mask(const char *type) {
    if (strcmp(type, "ack") == 0) return SLA_KIND_BIT(SLA_TAKE_CHARGE);
    if (strcmp(type, "reply") == 0)
        return SLA_KIND_BIT(SLA_TAKE_CHARGE) | SLA_KIND_BIT(SLA_RESPONSE) |
               SLA_KIND_BIT(SLA_COURTESY);
    if (strcmp(type, "resolve") == 0) return (1 << SLA_KINDS) - 1;
    if (strcmp(type, "overturn") == 0 || strcmp(type, "confirm") == 0) return 0; /* route's */
    return -1;
}

static enum stage_status on_operator(struct sla *s, const json_t *msg, char *reason, size_t n) {
    const char *type = need_str(msg, "type", reason, n);
    if (!type) return STAGE_REJECT;
    int mask = stop_mask(type);
    if (mask < 0) {
        snprintf(reason, n, "$.type: \"%s\" is not ack, reply, resolve, overturn or confirm", type);
        return STAGE_REJECT;
    }
    if (mask == 0) return STAGE_OK;
    const struct tenant *t = need_tenant(s, msg, reason, n);
    if (!t) return STAGE_REJECT;
    const char *ticket = opt_str(msg, "ticket_id"), *decision = opt_str(msg, "decision_id");
    if (!ticket && !decision) {
        snprintf(reason, n, "$: neither ticket_id nor decision_id");
        return STAGE_REJECT;
    }
    int64_t at = time_now_ms();
    if (json_object_get(msg, "at") && need_time(msg, "at", &at, reason, n)) return STAGE_REJECT;
    if (sla_timers_stop(s->timers, tenant_id(t), ticket, decision, (unsigned)mask, at) == 0)
        return STAGE_OK;
    snprintf(reason, n, "sla: cannot stop timers of %s: redis unavailable",
             ticket ? ticket : decision);
    return STAGE_RETRY;
}

enum stage_status sla_process(void *ctx, const struct stage_input *in, struct stage_outputs *out,
                              char *reason, size_t n) {
    struct sla *s = ctx;
    (void)out; /* inputs only change timers; events come from the tick */
    json_t *msg = json_doc_load_object(in->payload, in->len, reason, n);
    if (!msg) return STAGE_REJECT;
    enum stage_status st = strcmp(in->topic, TOPIC_OPERATOR) == 0 ? on_operator(s, msg, reason, n)
                                                                  : on_ticket(s, msg, reason, n);
    json_decref(msg);
    return st;
}
