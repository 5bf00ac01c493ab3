/* The timer side of the stage: claim what is due, announce it on vigile.sla, forget it
 * once the batch holding the announcements has committed. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rome_time.h"
#include "sla_internal.h"
#include "topics.h"
#include "xmalloc.h"

/* Claimed per tenant per tick: bounds the batch a tick adds to (and the Lua script's run
 * time) while a backlog drains at about ten claims a second. */
#define CLAIM_MAX      1000
#define BACKOFF_MAX_MS 5000

static void set_str(json_t *o, const char *key, const char *v) {
    if (v) json_object_set_new(o, key, json_string(v));
}

static void set_time(json_t *o, const char *key, int64_t ms) {
    char buf[ROME_TIME_LEN];
    if (ms != SLA_NONE) json_object_set_new(o, key, json_string(rome_format(ms, buf)));
}

/* The office a breach goes up to, or NULL. */
static const char *supervisor_of(const struct tenant *t, const char *office) {
    const struct tenant_office *o = t && office ? tenant_office(t, office) : NULL;
    return o ? o->supervisor : NULL;
}

/* A breached ticket goes up to its office's supervisor as a ticket of its own, with its
 * own timers from the instant of the breach: "<ticket_id>:breach:<timer>", so a breach
 * announced again (an abandoned batch) arms nothing new. Supervisor tickets do not go up
 * again: a chain of offices that supervise each other would never end. */
#define BREACH_MARK ":breach:"

/* The supervisor ticket's id for f as a new string, or NULL when f opens none. */
static char *supervisor_ticket_id(const struct tenant *t, const struct sla_fired *f) {
    if (f->event != SLA_EV_BREACHED || f->stopped || !f->office || !supervisor_of(t, f->office) ||
        strstr(f->ticket_id, BREACH_MARK))
        return NULL;
    return xasprintf("%s" BREACH_MARK "%s", f->ticket_id, sla_kind_name(f->kind));
}

/* Arms the supervisor tickets of the breaches in s->handed. Returns 0, or -1 (Redis). */
static int arm_supervisors(struct sla *s, int64_t now) {
    struct sla_ticket *tk = xcalloc(s->handed.n + 1, sizeof *tk);
    char **ids = xcalloc(s->handed.n + 1, sizeof *ids);
    size_t n = 0;
    for (size_t i = 0; i < s->handed.n; i++) {
        const struct sla_fired *f = &s->handed.v[i];
        const struct tenant *t = tenant_set_find(s->tenants, f->tenant);
        char *id = t ? supervisor_ticket_id(t, f) : NULL;
        if (!id) continue;
        tk[n] = (struct sla_ticket){ .tenant = f->tenant,
                                     .ticket_id = id,
                                     .decision_id = f->decision_id,
                                     .office = supervisor_of(t, f->office),
                                     .channel = f->channel,
                                     .author = f->author,
                                     .priority = "high",
                                     .severity = f->severity };
        ids[n] = id;
        if (sla_deadlines_compute(t, now, 0, &tk[n].dl) == 0)
            n++;
        else
            free(id);
    }
    int rc = n ? sla_timers_arm(s->timers, tk, n, now) : 0;
    for (size_t i = 0; i < n; i++) free(ids[i]);
    free(ids);
    free(tk);
    return rc;
}

/* The courtesy reply itself, rendered, so that a connector can post it as it is. */
static void set_courtesy(json_t *ev, const struct tenant *t, const char *office) {
    const char *template_id = tenant_sla(t)->courtesy_template;
    const struct tenant_render_vars vars = { NULL, tenant_sla(t)->policy_ref, NULL, office };
    char *text = tenant_render(t, template_id, &vars);
    set_str(ev, "template", template_id);
    set_str(ev, "text", text);
    free(text);
}

/* The event announcing f, as a new object. */
static json_t *event_new(const struct tenant *t, const struct sla_fired *f, int64_t now) {
    json_t *ev = json_pack("{s:{s:s, s:i}, s:s, s:s, s:s, s:s, s:s, s:s}", "schema", "name",
                           "vigile.sla", "version", 1, "event_id", f->member, "type",
                           sla_event_name(f->event), "tenant", f->tenant, "ticket_id", f->ticket_id,
                           "office", f->office, "timer", sla_kind_name(f->kind));
    if (!ev) abort(); /* every value is a non-NULL string */
    set_time(ev, "due", f->due);
    set_time(ev, "fired_at", now);
    set_time(ev, "received_at", f->received_at);
    set_time(ev, "taken_at", f->taken_at);
    set_str(ev, "decision_id", f->decision_id);
    set_str(ev, "channel", f->channel);
    set_str(ev, "priority", f->priority);
    if (f->severity > 0) json_object_set_new(ev, "severity", json_integer(f->severity));
    if (f->event == SLA_EV_BREACHED) set_str(ev, "escalated_to", supervisor_of(t, f->office));
    char *sup = t ? supervisor_ticket_id(t, f) : NULL;
    set_str(ev, "supervisor_ticket_id", sup);
    free(sup);
    if (f->event == SLA_EV_COURTESY && t) set_courtesy(ev, t, f->office);
    return ev;
}

/* Appends f's event to out, unless it was stopped or its ticket is gone. Returns 1 when
 * it appended. */
static int announce(struct sla *s, const struct sla_fired *f, int64_t now,
                    struct stage_outputs *out) {
    if (f->stopped) return 0;
    if (!f->office) {
        log_warn("sla: timer %s of tenant %s has no ticket any more; dropped", f->member,
                 f->tenant);
        return 0;
    }
    const struct tenant *t = tenant_set_find(s->tenants, f->tenant);
    json_t *ev = event_new(t, f, now);
    sla_metric_fired(t, f);
    char *value = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    if (!value) abort();
    /* Keyed like the ticket's own messages, so one author's events stay in order. */
    char *key = xasprintf("%s|%s", f->tenant, f->author ? f->author : f->ticket_id);
    stage_outputs_add(out, TOPIC_SLA, key, value, strlen(value));
    return 1;
}

/* Claims every tenant's due timers into s->handed. Returns 0, or -1 when Redis failed
 * (what was claimed before the failure stays in s->handed). */
static int claim_all(struct sla *s, int64_t now) {
    for (size_t i = 0; i < tenant_set_count(s->tenants); i++) {
        const char *tenant = tenant_id(tenant_set_at(s->tenants, i));
        if (sla_timers_claim(s->timers, tenant, now, s->lease_ms, CLAIM_MAX, &s->handed)) return -1;
    }
    return 0;
}

static void back_off(struct sla *s, int64_t now) {
    s->backoff_ms = s->backoff_ms ? s->backoff_ms * 2 : 100;
    if (s->backoff_ms > BACKOFF_MAX_MS) s->backoff_ms = BACKOFF_MAX_MS;
    s->retry_at = now + s->backoff_ms;
}

enum stage_status sla_tick(void *ctx, int64_t now, struct stage_outputs *out, char *reason,
                           size_t n) {
    struct sla *s = ctx;
    if (now < s->retry_at) return STAGE_OK;
    sla_metric_pending(s, now);
    if (s->committed) {
        if (sla_timers_forget(s->timers, &s->handed)) {
            back_off(s, now);
            return STAGE_OK;
        }
        sla_claim_clear(&s->handed);
        s->committed = 0;
    }
    if (s->handed.n) {
        if (now - s->handed_at < s->lease_ms) return STAGE_OK; /* its batch is still open */
        /* The batch was abandoned: the leases have run out, so these are due again. */
        sla_claim_clear(&s->handed);
    }
    int failed = claim_all(s, now);
    s->handed_at = now;
    if (arm_supervisors(s, now)) {
        /* Nothing is announced before the supervisors' tickets exist: what is claimed
         * stays claimed (there is some, or nothing was armed) and fires again when its
         * lease runs out. */
        back_off(s, now);
        return STAGE_OK;
    }
    if (failed)
        back_off(s, now);
    else
        s->backoff_ms = 0;
    size_t announced = 0;
    for (size_t i = 0; i < s->handed.n; i++)
        announced += (size_t)announce(s, &s->handed.v[i], now, out);
    /* Nothing to commit means no tick_committed: forget the silent ones now. */
    if (announced == 0 && s->handed.n && sla_timers_forget(s->timers, &s->handed) == 0)
        sla_claim_clear(&s->handed);
    if (failed && s->handed.n == 0) {
        snprintf(reason, n, "sla: cannot claim due timers: redis unavailable");
        return STAGE_RETRY;
    }
    return STAGE_OK;
}

void sla_tick_committed(void *ctx) {
    struct sla *s = ctx;
    /* If Redis fails here, the next ticks forget them once it is back (the fault test
     * found Redis outages announcing timers twice when they were dropped here). Only if it
     * stays away past the lease, or the worker dies first, are they announced again, with
     * the same event ids: consumers dedupe on event_id. */
    if (sla_timers_forget(s->timers, &s->handed) == 0)
        sla_claim_clear(&s->handed);
    else
        s->committed = 1;
}
