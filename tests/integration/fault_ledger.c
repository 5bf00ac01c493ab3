#include "fault_ledger.h"

#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sla_due.h"
#include "tenant.h"
#include "timefmt.h"
#include "topics.h"
#include "xmalloc.h"

static const char *const tenant_ids[] = { "lecce", "alessandria", "arese", "tradate", "cassino" };
static char config_dir[256];

const char *fault_config_make(const char *run_id) {
    char path[512];
    snprintf(config_dir, sizeof config_dir, "/tmp/vigile-fault-config-%s", run_id);
    snprintf(path, sizeof path, "%s/tenants", config_dir);
    cr_assert(mkdir(config_dir, 0700) == 0 && mkdir(path, 0700) == 0, "cannot make %s", path);
    snprintf(path, sizeof path, "cp '%s/config/baseline.json' '%s/'", SOURCE_DIR, config_dir);
    cr_assert_eq(system(path), 0);
    json_t *day = json_pack("[s]", "00:00-24:00");
    json_t *always = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "mon", day, "tue", day, "wed",
                               day, "thu", day, "fri", day, "sat", day, "sun", day);
    for (size_t i = 0; i < sizeof tenant_ids / sizeof tenant_ids[0]; i++) {
        json_error_t je;
        snprintf(path, sizeof path, "%s/config/tenants/%s.json", SOURCE_DIR, tenant_ids[i]);
        json_t *t = json_load_file(path, 0, &je);
        cr_assert_not_null(t, "%s: %s", path, je.text);
        json_object_set_new(t, "calendars",
                            json_pack("{s:O, s:O}", "moderation", always, "office", always));
        json_object_set_new(t, "holidays", json_pack("{s:b}", "national", 0));
        snprintf(path, sizeof path, "%s/tenants/%s.json", config_dir, tenant_ids[i]);
        cr_assert_eq(json_dump_file(t, path, JSON_INDENT(2)), 0, "cannot write %s", path);
        json_decref(t);
    }
    json_decref(always);
    json_decref(day);
    return config_dir;
}

void fault_config_remove(void) {
    char *rm = xasprintf("rm -rf '%s'", config_dir);
    if (system(rm) != 0) cr_log_warn("could not remove %s", config_dir);
    free(rm);
}

/* A connection to the Redis of VIGILE_REDIS_URL; fails the test when there is none. */
static redisContext *redis_open(void) {
    int port = 0;
    char host[128] = "";
    const char *url = getenv("VIGILE_REDIS_URL");
    cr_assert(url && sscanf(url, "redis://%127[^:]:%d", host, &port) == 2, "VIGILE_REDIS_URL");
    redisContext *rc = redisConnect(host, port);
    cr_assert(rc && !rc->err, "redis at %s", url);
    return rc;
}

long long fault_redis_keys(void) {
    redisContext *rc = redis_open();
    redisReply *r = redisCommand(rc, "DBSIZE");
    cr_assert(r && r->type == REDIS_REPLY_INTEGER, "redis DBSIZE");
    long long n = r->integer;
    freeReplyObject(r);
    redisFree(rc);
    return n;
}

static const char *str_at(json_t *v, const char *key) {
    return json_string_value(json_object_get(v, key));
}

/* Whether member is in the sorted set key. */
static int zset_has(redisContext *rc, const char *key, const char *member) {
    redisReply *r = redisCommand(rc, "ZSCORE %s %s", key, member);
    cr_assert_not_null(r, "redis: %s", rc->errstr);
    int has = r->type == REDIS_REPLY_STRING;
    freeReplyObject(r);
    return has;
}

/* The ids of the decisions of one author that counted a strike, in stream order. */
struct ladder {
    const char *tenant, *author; /* borrowed from the decisions, like the ids */
    const char **ids;
    size_t n_ids;
};

static struct ladder *ladder_of(struct ladder **all, size_t *n, const char *tenant,
                                const char *author) {
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*all)[i].tenant, tenant) == 0 && strcmp((*all)[i].author, author) == 0)
            return &(*all)[i];
    *all = xrealloc(*all, (*n + 1) * sizeof **all);
    (*all)[*n] = (struct ladder){ tenant, author, NULL, 0 };
    return &(*all)[(*n)++];
}

/* Compares one author's strike set in Redis with its ladder; adds to t. */
static void ladder_check(redisContext *rc, const struct ladder *l, struct strike_tally *t) {
    char *key = xasprintf("vigile:{%s}:strikes:%s", l->tenant, l->author);
    size_t missing = 0;
    for (size_t i = 0; i < l->n_ids; i++) missing += !zset_has(rc, key, l->ids[i]);
    redisReply *r = redisCommand(rc, "ZCARD %s", key);
    cr_assert(r && r->type == REDIS_REPLY_INTEGER, "redis ZCARD %s", key);
    size_t card = (size_t)r->integer;
    freeReplyObject(r);
    size_t extra = card + missing - l->n_ids;
    t->expected += l->n_ids, t->in_redis += card, t->missing += missing, t->extra += extra;
    if (missing || extra) {
        if (++t->authors_off <= 3)
            cr_log_warn("strikes of %s|%s: %zu expected, %zu in Redis, %zu missing", l->tenant,
                        l->author, l->n_ids, card, missing);
    }
    free(key);
}

struct strike_tally fault_strikes_check(json_t *const *decisions, size_t n) {
    struct ladder *all = NULL;
    size_t n_all = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *enf = json_object_get(decisions[i], "enforcement");
        if (json_integer_value(json_object_get(enf, "strikes")) <= 0) continue;
        struct ladder *l =
            ladder_of(&all, &n_all, str_at(decisions[i], "tenant"), str_at(decisions[i], "author"));
        l->ids = xrealloc(l->ids, (l->n_ids + 1) * sizeof *l->ids);
        l->ids[l->n_ids++] = str_at(decisions[i], "event_id");
    }
    struct strike_tally t = { .authors = n_all };
    redisContext *rc = redis_open();
    for (size_t i = 0; i < n_all; i++) {
        ladder_check(rc, &all[i], &t);
        free(all[i].ids);
    }
    redisFree(rc);
    free(all);
    return t;
}

/* One timer a ticket arms: its member (the event id of its firing) and when it fires. */
struct timer {
    char *member, *tenant;
    int64_t fire_at;
    size_t seen; /* times on vigile.sla */
};

struct timers {
    struct timer *v;
    size_t n;
};

/* Appends the timers the SLA worker arms for ticket (as sla_stage and sla_timers_arm do):
 * every event of every kind that applies, but a warning whose breach was past at arming. */
static void timers_of_ticket(struct timers *out, json_t *ticket, const struct tenant_set *set,
                             int64_t since_ms) {
    const struct tenant *t = tenant_set_find(set, str_at(ticket, "tenant"));
    int64_t received;
    cr_assert(t && rfc3339_parse(str_at(ticket, "received_at"), &received) == 0, "ticket %s",
              str_at(ticket, "ticket_id"));
    json_t *sev = json_object_get(ticket, "severity");
    int severity = sev ? (int)json_integer_value(sev) : 1;
    int removal = json_is_true(json_object_get(ticket, "removal")) &&
                  severity >= tenant_sla(t)->removal_min_severity;
    struct sla_deadlines dl;
    cr_assert_eq(sla_deadlines_compute(t, received, removal, &dl), 0);
    for (int k = 0; k < SLA_KINDS; k++)
        for (int e = 0; e < SLA_EVENTS; e++) {
            int64_t at = dl.fire[k][e], breach = dl.fire[k][SLA_EV_BREACHED];
            if (at == SLA_NONE) continue;
            if (e == SLA_EV_DUE_SOON && breach != SLA_NONE && breach <= since_ms) continue;
            out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
            out->v[out->n++] = (struct timer){ xasprintf("%s:%s:%s", str_at(ticket, "ticket_id"),
                                                         sla_kind_name(k), sla_event_name(e)),
                                               xstrdup(str_at(ticket, "tenant")), at, 0 };
        }
}

static struct timer *timer_find(struct timers *ts, const char *member) {
    for (size_t i = 0; i < ts->n; i++)
        if (strcmp(ts->v[i].member, member) == 0) return &ts->v[i];
    return NULL;
}

/* Whether an SLA event is of a supervisor's ticket: one a breach opened,
 * "<ticket_id>:breach:<timer>", whose event ids hold ":breach:". */
static int supervisors(const json_t *v) {
    const char *id = json_string_value(json_object_get(v, "event_id"));
    return id && strstr(id, ":breach:");
}

/* test_consume's filter: the caller's, then of supervisors' tickets or not. */
struct sla_filter {
    int (*match)(const struct test_message *, void *);
    void *arg;
    int supervisors;
};

static int sla_match(const struct test_message *m, void *arg) {
    const struct sla_filter *f = arg;
    if (!f->match(m, f->arg)) return 0;
    json_t *v = json_loadb(m->value, m->len, 0, NULL);
    int ok = v && supervisors(v) == f->supervisors;
    json_decref(v);
    return ok;
}

/* Counts the run's SLA events of the tickets' timers (want of them due by now), and
 * those of supervisors' tickets, which must fire at least one each (their take-in-charge
 * warning fires when the breach opens them) and none twice. */
static void events_count(struct timers *ts, size_t want, struct sla_filter *f, int timeout_ms,
                         struct timer_tally *t) {
    struct test_message *m;
    f->supervisors = 0;
    size_t n = test_consume(TOPIC_SLA, sla_match, f, want, timeout_ms, 3000, &m);
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_loadb(m[i].value, m[i].len, 0, NULL);
        cr_assert_not_null(v);
        struct timer *tm = timer_find(ts, json_string_value(json_object_get(v, "event_id")));
        t->supervisor_tickets += json_object_get(v, "supervisor_ticket_id") != NULL;
        if (!tm) {
            if (++t->unexpected <= 3) cr_log_warn("SLA event not expected: %s", m[i].value);
        } else if (++tm->seen == 2) {
            t->twice++;
        }
        json_decref(v);
    }
    test_messages_free(m, n);
    f->supervisors = 1;
    n = test_consume(TOPIC_SLA, sla_match, f, t->supervisor_tickets, timeout_ms, 3000, &m);
    t->supervisor_events = n;
    char **ids = xcalloc(n + 1, sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_loadb(m[i].value, m[i].len, 0, NULL);
        ids[i] = xstrdup(json_string_value(json_object_get(v, "event_id")));
        json_decref(v);
        for (size_t j = 0; j < i; j++) t->twice += strcmp(ids[i], ids[j]) == 0;
    }
    for (size_t i = 0; i < n; i++) free(ids[i]);
    free(ids);
    test_messages_free(m, n);
}

struct timer_tally fault_timers_check(json_t *const *tickets, size_t n, const char *config,
                                      int64_t since_ms,
                                      int (*match)(const struct test_message *, void *), void *arg,
                                      int timeout_ms) {
    char err[512];
    struct tenant_set *set = tenant_set_load(config, err, sizeof err);
    cr_assert_not_null(set, "%s", err);
    struct timers ts = { 0 };
    struct timer_tally t = { 0 };
    for (size_t i = 0; i < n; i++) {
        if (strstr(str_at(tickets[i], "ticket_id"), ":breach:")) continue;
        t.tickets++;
        timers_of_ticket(&ts, tickets[i], set, since_ms);
    }
    tenant_set_free(set);
    t.expected = ts.n;
    size_t due = 0;
    int64_t now = time_now_ms();
    for (size_t i = 0; i < ts.n; i++) due += ts.v[i].fire_at <= now;
    struct sla_filter f = { match, arg, 0 };
    events_count(&ts, due, &f, timeout_ms, &t);

    redisContext *rc = redis_open();
    for (size_t i = 0; i < ts.n; i++) {
        char *key = xasprintf("vigile:{%s}:timers", ts.v[i].tenant);
        int armed = zset_has(rc, key, ts.v[i].member);
        if (ts.v[i].seen && armed)
            t.fired_and_armed++;
        else if (ts.v[i].seen == 1)
            t.fired++;
        else if (armed)
            t.pending++;
        else if (!ts.v[i].seen && ++t.lost <= 3)
            cr_log_warn("SLA timer lost: %s", ts.v[i].member);
        free(key);
        free(ts.v[i].member), free(ts.v[i].tenant);
    }
    redisFree(rc);
    free(ts.v);
    return t;
}
