#include "sla_due.h"

#include <string.h>

#include "bizcal.h"

static const char *const kind_names[SLA_KINDS] = { "take_charge", "response", "courtesy",
                                                   "removal" };
static const char *const event_names[SLA_EVENTS] = { "due_soon", "breached", "courtesy_reply_due" };

const char *sla_kind_name(enum sla_kind kind) { return kind_names[kind]; }
const char *sla_event_name(enum sla_event ev) { return event_names[ev]; }

static int lookup(const char *const *names, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0) return i;
    return -1;
}

int sla_kind_parse(const char *name) { return lookup(kind_names, SLA_KINDS, name); }
int sla_event_parse(const char *name) { return lookup(event_names, SLA_EVENTS, name); }

int sla_kind_applies(const struct tenant *t, enum sla_kind kind) {
    const struct tenant_sla *sla = tenant_sla(t);
    switch (kind) {
    case SLA_TAKE_CHARGE: return 1;
    case SLA_RESPONSE: return sla->response_working_hours > 0;
    case SLA_COURTESY: return sla->response_working_hours > 0 && sla->courtesy_template != NULL;
    case SLA_REMOVAL: return sla->removal_working_minutes > 0;
    default: return 0;
    }
}

/* A deadline `minutes` working minutes after start, with its due_soon warning
 * due_soon_minutes working minutes earlier (never before start: a target shorter than
 * the warning window warns as soon as the clock starts). */
static void set_target(struct sla_deadlines *d, enum sla_kind kind, const struct bizcal *bc,
                       int64_t start, int64_t minutes, int64_t due_soon) {
    d->due[kind] = bizcal_add_minutes(bc, start, minutes);
    d->fire[kind][SLA_EV_BREACHED] = d->due[kind];
    int64_t warn = bizcal_add_minutes(bc, start, minutes > due_soon ? minutes - due_soon : 0);
    d->fire[kind][SLA_EV_DUE_SOON] = warn < d->due[kind] ? warn : SLA_NONE;
}

int sla_deadlines_compute(const struct tenant *t, int64_t received_ms, int removal,
                          struct sla_deadlines *d) {
    const struct tenant_sla *sla = tenant_sla(t);
    const struct bizcal mod = bizcal_moderation(tenant_calendar(t));
    const struct bizcal office = bizcal_office(tenant_calendar(t));
    for (int k = 0; k < SLA_KINDS; k++) {
        d->due[k] = SLA_NONE;
        for (int e = 0; e < SLA_EVENTS; e++) d->fire[k][e] = SLA_NONE;
    }
    d->received_at = received_ms;
    d->taken_at = bizcal_next_open(&mod, received_ms);
    if (d->taken_at == BIZCAL_NEVER) return -1;
    /* Taking charge is due at the first moderation instant; the ack may come within
     * due_soon_minutes of moderation time after it ("prontamente"), so the warning fires
     * when the ticket is due and the breach once that window has passed. */
    d->due[SLA_TAKE_CHARGE] = d->taken_at;
    d->fire[SLA_TAKE_CHARGE][SLA_EV_DUE_SOON] = d->taken_at;
    d->fire[SLA_TAKE_CHARGE][SLA_EV_BREACHED] = bizcal_add_minutes(
        &mod, d->taken_at, sla->due_soon_minutes > 0 ? sla->due_soon_minutes : 1);
    if (sla_kind_applies(t, SLA_RESPONSE))
        set_target(d, SLA_RESPONSE, &office, d->taken_at, sla->response_working_hours * 60LL,
                   sla->due_soon_minutes);
    /* The courtesy reply is due when the response target is missed (Tradate). */
    if (sla_kind_applies(t, SLA_COURTESY)) {
        d->due[SLA_COURTESY] = d->due[SLA_RESPONSE];
        d->fire[SLA_COURTESY][SLA_EV_COURTESY] = d->due[SLA_RESPONSE];
    }
    if (removal && sla_kind_applies(t, SLA_REMOVAL))
        set_target(d, SLA_REMOVAL, &mod, d->taken_at, sla->removal_working_minutes,
                   sla->due_soon_minutes);
    for (int k = 0; k < SLA_KINDS; k++)
        for (int e = 0; e < SLA_EVENTS; e++)
            if (d->due[k] == BIZCAL_NEVER || d->fire[k][e] == BIZCAL_NEVER) return -1;
    return 0;
}
