#include "sla_timers.h"

#include <assert.h>
#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "redis_conn.h"
#include "xmalloc.h"

/* Tickets and stop marks outlive their last timer by this long, for operators'
 * questions and for acks that arrive late; then Redis forgets them by itself. */
#define KEEP_MS  (30LL * 24 * 3600 * 1000)
#define ARGS_MAX 96

/* KEYS: timers, ticket hash, decision hash. ARGV: expire-at, ticket id, number of hash
 * fields, the field/value pairs, then member/kind/score triples. The "armed" field makes
 * a second arming a no-op; stop marks written before the ticket came are honoured. */
static const char arm_lua[] =
    "if redis.call('HEXISTS', KEYS[2], 'armed') == 1 then return 0 end\n"
    "local i = 4\n"
    "for _ = 1, tonumber(ARGV[3]) do\n"
    "  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]); i = i + 2\n"
    "end\n"
    "redis.call('HSET', KEYS[2], 'armed', '1')\n"
    "redis.call('HSET', KEYS[3], 'ticket:' .. ARGV[2], '1')\n"
    "while i <= #ARGV do\n"
    "  local stop = 'stopped:' .. ARGV[i + 1]\n"
    "  if redis.call('HEXISTS', KEYS[2], stop) == 0 and\n"
    "     redis.call('HEXISTS', KEYS[3], stop) == 0 then\n"
    "    redis.call('ZADD', KEYS[1], 'NX', ARGV[i + 2], ARGV[i])\n"
    "  end\n"
    "  i = i + 3\n"
    "end\n"
    "for _, k in ipairs({KEYS[2], KEYS[3]}) do\n"
    "  redis.call('PEXPIREAT', k, ARGV[1], 'NX'); redis.call('PEXPIREAT', k, ARGV[1], 'GT')\n"
    "end\n"
    "return 1\n";

/* KEYS: timers. ARGV: now, lease end, max. Reading the due members and moving them past
 * the lease in one script is what keeps two workers from claiming the same timer. */
static const char claim_lua[] =
    "local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES',\n"
    "                       'LIMIT', 0, ARGV[3])\n"
    "for i = 1, #due, 2 do redis.call('ZADD', KEYS[1], 'XX', ARGV[2], due[i]) end\n"
    "return due\n";

struct sla_timers {
    struct redis_conn conn;
    unsigned scripts_generation; /* the connection the scripts were loaded on */
    char arm_sha[64], claim_sha[64];
};

/* A command under construction; every argument is owned. */
struct args {
    int n;
    char *v[ARGS_MAX];
    size_t len[ARGS_MAX];
};

static void arg_add(struct args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void arg_add(struct args *a, const char *fmt, ...) {
    assert(a->n < ARGS_MAX); /* the largest command, an arming, has about 50 */
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&a->v[a->n], fmt, ap) < 0) abort();
    va_end(ap);
    a->len[a->n] = strlen(a->v[a->n]);
    a->n++;
}

/* Queues the command on the pipeline and frees its arguments. */
static void args_send(redisContext *rc, struct args *a) {
    redisAppendCommandArgv(rc, a->n, (const char **)a->v, a->len);
    for (int i = 0; i < a->n; i++) free(a->v[i]);
    a->n = 0;
}

struct sla_timers *sla_timers_new(const char *url, char *err, size_t errlen) {
    struct sla_timers *tm = xcalloc(1, sizeof *tm);
    if (redis_conn_init(&tm->conn, url, err, errlen)) {
        free(tm);
        return NULL;
    }
    return tm;
}

void sla_timers_free(struct sla_timers *tm) {
    if (!tm) return;
    redis_conn_close(&tm->conn);
    free(tm);
}

/* Makes sure there is a live context with the scripts loaded: a new connection may be to
 * a Redis that never saw them, or flushed them. Returns 0 or -1 (logged). */
static int timers_connect(struct sla_timers *tm) {
    if (!redis_conn_get(&tm->conn)) return -1;
    if (tm->scripts_generation == tm->conn.generation) return 0;
    redisAppendCommand(tm->conn.rc, "SCRIPT LOAD %s", arm_lua);
    redisAppendCommand(tm->conn.rc, "SCRIPT LOAD %s", claim_lua);
    redisReply *rep[2];
    if (redis_conn_replies(&tm->conn, rep, 2, "script load")) {
        if (tm->conn.rc) redis_conn_drop(&tm->conn, "script load", "refused");
        return -1;
    }
    snprintf(tm->arm_sha, sizeof tm->arm_sha, "%s", rep[0]->str);
    snprintf(tm->claim_sha, sizeof tm->claim_sha, "%s", rep[1]->str);
    redis_replies_free(rep, 2);
    tm->scripts_generation = tm->conn.generation;
    return 0;
}

/* When the ticket may be forgotten: KEEP_MS after its last timer, or after now for a
 * ticket that arrives when its deadlines are long past (a replay). */
static int64_t keep_until(const struct sla_deadlines *dl, int64_t now) {
    int64_t last = dl->taken_at > now ? dl->taken_at : now;
    for (int k = 0; k < SLA_KINDS; k++)
        for (int e = 0; e < SLA_EVENTS; e++)
            if (dl->fire[k][e] > last) last = dl->fire[k][e];
    return last + KEEP_MS;
}

static void add_field(struct args *a, const char *name, const char *value, int *nfields) {
    if (!value) return;
    arg_add(a, "%s", name);
    arg_add(a, "%s", value);
    (*nfields)++;
}

/* The EVALSHA that arms one ticket. */
static void queue_arm(struct sla_timers *tm, const struct sla_ticket *tk, int64_t now) {
    struct args a = { 0 };
    char num[32];
    arg_add(&a, "EVALSHA");
    arg_add(&a, "%s", tm->arm_sha);
    arg_add(&a, "3");
    arg_add(&a, "vigile:{%s}:timers", tk->tenant);
    arg_add(&a, "vigile:{%s}:ticket:%s", tk->tenant, tk->ticket_id);
    arg_add(&a, "vigile:{%s}:decision:%s", tk->tenant,
            tk->decision_id ? tk->decision_id : tk->ticket_id);
    arg_add(&a, "%lld", (long long)keep_until(&tk->dl, now));
    arg_add(&a, "%s", tk->ticket_id);
    int count_at = a.n, nfields = 0;
    arg_add(&a, "0"); /* the field count, filled in below */
    add_field(&a, "office", tk->office, &nfields);
    add_field(&a, "decision_id", tk->decision_id, &nfields);
    add_field(&a, "channel", tk->channel, &nfields);
    add_field(&a, "author", tk->author, &nfields);
    add_field(&a, "priority", tk->priority, &nfields);
    snprintf(num, sizeof num, "%d", tk->severity);
    add_field(&a, "severity", num, &nfields);
    snprintf(num, sizeof num, "%lld", (long long)tk->dl.received_at);
    add_field(&a, "received_at", num, &nfields);
    snprintf(num, sizeof num, "%lld", (long long)tk->dl.taken_at);
    add_field(&a, "taken_at", num, &nfields);
    for (int k = 0; k < SLA_KINDS; k++) {
        if (tk->dl.due[k] == SLA_NONE) continue;
        char field[32];
        snprintf(field, sizeof field, "due:%s", sla_kind_name(k));
        snprintf(num, sizeof num, "%lld", (long long)tk->dl.due[k]);
        add_field(&a, field, num, &nfields);
    }
    free(a.v[count_at]);
    a.v[count_at] = xasprintf("%d", nfields);
    a.len[count_at] = strlen(a.v[count_at]);
    for (int k = 0; k < SLA_KINDS; k++) {
        for (int e = 0; e < SLA_EVENTS; e++) {
            int64_t at = tk->dl.fire[k][e], breach = tk->dl.fire[k][SLA_EV_BREACHED];
            if (at == SLA_NONE) continue;
            if (e == SLA_EV_DUE_SOON && breach != SLA_NONE && breach <= now) continue;
            arg_add(&a, "%s:%s:%s", tk->ticket_id, sla_kind_name(k), sla_event_name(e));
            arg_add(&a, "%s", sla_kind_name(k));
            arg_add(&a, "%lld", (long long)at);
        }
    }
    args_send(tm->conn.rc, &a);
}

int sla_timers_arm(struct sla_timers *tm, const struct sla_ticket *tickets, size_t n,
                   int64_t now_ms) {
    if (timers_connect(tm)) return -1;
    for (size_t i = 0; i < n; i++) queue_arm(tm, &tickets[i], now_ms);
    redisReply **rep = xcalloc(n ? n : 1, sizeof *rep);
    int rc = redis_conn_replies(&tm->conn, rep, n, "arm");
    if (rc == 0) redis_replies_free(rep, n);
    free(rep);
    return rc;
}

/* Queues the stop marks of mask on a hash and its expiry when it has none yet. Returns
 * the number of commands queued. */
static size_t queue_marks(struct sla_timers *tm, const char *hash, unsigned mask, int64_t at) {
    size_t n = 0;
    for (int k = 0; k < SLA_KINDS; k++) {
        if (!(mask & SLA_KIND_BIT(k))) continue;
        redisAppendCommand(tm->conn.rc, "HSETNX %s stopped:%s %lld", hash, sla_kind_name(k),
                           (long long)at);
        n++;
    }
    redisAppendCommand(tm->conn.rc, "PEXPIRE %s %lld NX", hash, (long long)KEEP_MS);
    return n + 1;
}

/* Queues the marks, then the removal of the timers, of one ticket: marks first, so an
 * arming that runs in between sees them. Returns the number of commands queued. */
static size_t queue_stop_ticket(struct sla_timers *tm, const char *tenant, const char *ticket,
                                unsigned mask, int64_t at) {
    char *hash = xasprintf("vigile:{%s}:ticket:%s", tenant, ticket);
    size_t n = queue_marks(tm, hash, mask, at);
    free(hash);
    for (int k = 0; k < SLA_KINDS; k++) {
        if (!(mask & SLA_KIND_BIT(k))) continue;
        for (int e = 0; e < SLA_EVENTS; e++, n++)
            redisAppendCommand(tm->conn.rc, "ZREM vigile:{%s}:timers %s:%s:%s", tenant, ticket,
                               sla_kind_name(k), sla_event_name(e));
    }
    return n;
}

/* Runs the n commands queued and discards their replies. */
static int run_queued(struct sla_timers *tm, size_t n, const char *what) {
    redisReply **rep = xcalloc(n ? n : 1, sizeof *rep);
    int rc = redis_conn_replies(&tm->conn, rep, n, what);
    if (rc == 0) redis_replies_free(rep, n);
    free(rep);
    return rc;
}

/* Marks the decision, then stops every ticket it has so far. */
static int stop_decision(struct sla_timers *tm, const char *tenant, const char *decision,
                         unsigned mask, int64_t at) {
    char *hash = xasprintf("vigile:{%s}:decision:%s", tenant, decision);
    size_t n = queue_marks(tm, hash, mask, at);
    redisAppendCommand(tm->conn.rc, "HKEYS %s", hash);
    free(hash);
    redisReply **rep = xcalloc(n + 1, sizeof *rep);
    if (redis_conn_replies(&tm->conn, rep, n + 1, "stop")) {
        free(rep);
        return -1;
    }
    size_t queued = 0;
    const redisReply *keys = rep[n];
    for (size_t i = 0; i < keys->elements; i++) {
        const char *f = keys->element[i]->str;
        if (strncmp(f, "ticket:", 7) == 0) queued += queue_stop_ticket(tm, tenant, f + 7, mask, at);
    }
    redis_replies_free(rep, n + 1);
    free(rep);
    return run_queued(tm, queued, "stop");
}

int sla_timers_stop(struct sla_timers *tm, const char *tenant, const char *ticket_id,
                    const char *decision_id, unsigned mask, int64_t at_ms) {
    if (timers_connect(tm)) return -1;
    if (!ticket_id) return stop_decision(tm, tenant, decision_id, mask, at_ms);
    return run_queued(tm, queue_stop_ticket(tm, tenant, ticket_id, mask, at_ms), "stop");
}

static char *dup_str(const redisReply *r) {
    return r->type == REDIS_REPLY_STRING ? xstrndup(r->str, r->len) : NULL;
}

static int64_t reply_ll(const redisReply *r) {
    return r->type == REDIS_REPLY_STRING ? strtoll(r->str, NULL, 10) : SLA_NONE;
}

/* Splits "<ticket_id>:<kind>:<event>" (ticket ids contain ':' themselves, kind and event
 * never do). Returns 0, or -1 for a member that is not ours. */
static int parse_member(struct sla_fired *f) {
    char *ev = strrchr(f->member, ':');
    if (!ev || ev == f->member) return -1;
    char *kind = ev - 1;
    while (kind > f->member && *kind != ':') kind--;
    if (kind == f->member) return -1;
    f->ticket_id = xstrndup(f->member, (size_t)(kind - f->member));
    char *kind_s = xstrndup(kind + 1, (size_t)(ev - kind - 1));
    int k = sla_kind_parse(kind_s), e = sla_event_parse(ev + 1);
    free(kind_s);
    if (k < 0 || e < 0) return -1;
    f->kind = (enum sla_kind)k;
    f->event = (enum sla_event)e;
    return 0;
}

static void fired_free(struct sla_fired *f) {
    free(f->tenant);
    free(f->member);
    free(f->ticket_id);
    free(f->office);
    free(f->decision_id);
    free(f->channel);
    free(f->author);
    free(f->priority);
}

static struct sla_fired *claim_push(struct sla_claim *c) {
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->v = xrealloc(c->v, c->cap * sizeof *c->v);
    }
    struct sla_fired *f = &c->v[c->n++];
    memset(f, 0, sizeof *f);
    return f;
}

/* Fills f's ticket fields from an HMGET reply (see queue_hmget for the order). */
static void fill_ticket(struct sla_fired *f, const redisReply *r) {
    redisReply *const *v = r->element;
    f->office = dup_str(v[0]);
    f->decision_id = dup_str(v[1]);
    f->channel = dup_str(v[2]);
    f->author = dup_str(v[3]);
    f->priority = dup_str(v[4]);
    f->severity = (int)reply_ll(v[5]);
    f->taken_at = reply_ll(v[6]);
    f->received_at = reply_ll(v[7]);
    f->due = reply_ll(v[8]);
    f->stopped = v[9]->type == REDIS_REPLY_STRING;
}

static void queue_hmget(struct sla_timers *tm, const struct sla_fired *f) {
    const char *kind = sla_kind_name(f->kind);
    redisAppendCommand(tm->conn.rc,
                       "HMGET vigile:{%s}:ticket:%s office decision_id channel author priority "
                       "severity taken_at received_at due:%s stopped:%s",
                       f->tenant, f->ticket_id, kind, kind);
}

/* Reads the tickets of the entries of c from index first on. */
static int read_tickets(struct sla_timers *tm, struct sla_claim *c, size_t first) {
    size_t n = c->n - first;
    for (size_t i = first; i < c->n; i++) queue_hmget(tm, &c->v[i]);
    redisReply **rep = xcalloc(n ? n : 1, sizeof *rep);
    int rc = redis_conn_replies(&tm->conn, rep, n, "ticket read");
    if (rc == 0) {
        for (size_t i = 0; i < n; i++) fill_ticket(&c->v[first + i], rep[i]);
        redis_replies_free(rep, n);
    }
    free(rep);
    return rc;
}

int sla_timers_claim(struct sla_timers *tm, const char *tenant, int64_t now_ms, int64_t lease_ms,
                     size_t max, struct sla_claim *out) {
    if (timers_connect(tm)) return -1;
    redisAppendCommand(tm->conn.rc, "EVALSHA %s 1 vigile:{%s}:timers %lld %lld %llu", tm->claim_sha,
                       tenant, (long long)now_ms, (long long)(now_ms + lease_ms),
                       (unsigned long long)max);
    redisReply *rep;
    if (redis_conn_replies(&tm->conn, &rep, 1, "claim")) return -1;
    size_t first = out->n;
    for (size_t i = 0; i + 1 < rep->elements; i += 2) {
        struct sla_fired *f = claim_push(out);
        f->tenant = xstrdup(tenant);
        f->member = dup_str(rep->element[i]);
        f->fire_at = (int64_t)strtod(rep->element[i + 1]->str, NULL);
        if (!f->member || parse_member(f)) {
            /* Not a member this module writes: leave it to its lease and say so. */
            log_error("sla: foreign timer \"%s\" in vigile:{%s}:timers",
                      f->member ? f->member : "?", tenant);
            fired_free(&out->v[--out->n]);
        }
    }
    freeReplyObject(rep);
    if (out->n == first) return 0;
    if (read_tickets(tm, out, first) == 0) return 0;
    while (out->n > first) fired_free(&out->v[--out->n]);
    return -1;
}

int sla_timers_forget(struct sla_timers *tm, const struct sla_claim *c) {
    if (c->n == 0) return 0;
    if (timers_connect(tm)) return -1;
    for (size_t i = 0; i < c->n; i++)
        redisAppendCommand(tm->conn.rc, "ZREM vigile:{%s}:timers %s", c->v[i].tenant,
                           c->v[i].member);
    return run_queued(tm, c->n, "forget");
}

void sla_claim_clear(struct sla_claim *c) {
    for (size_t i = 0; i < c->n; i++) fired_free(&c->v[i]);
    c->n = 0;
}

void sla_claim_free(struct sla_claim *c) {
    sla_claim_clear(c);
    free(c->v);
    c->v = NULL;
    c->cap = 0;
}

int sla_timers_pending(struct sla_timers *tm, const char *tenant, long long *n) {
    if (timers_connect(tm)) return -1;
    redisAppendCommand(tm->conn.rc, "ZCARD vigile:{%s}:timers", tenant);
    redisReply *rep;
    if (redis_conn_replies(&tm->conn, &rep, 1, "count")) return -1;
    *n = rep->integer;
    freeReplyObject(rep);
    return 0;
}
