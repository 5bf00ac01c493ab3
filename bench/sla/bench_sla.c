/* bench-sla: arms N pending SLA timers in Redis (default 1,000,000) through the same
 * module the worker uses, then measures what a worker would see: how late due timers are
 * claimed while the set holds them all, how fast a backlog drains, and Redis memory per
 * timer (INFO memory before and after). Prints figures; asserts nothing about time.
 *
 * Usage: bench-sla [timers]    (VIGILE_REDIS_URL, default redis://127.0.0.1:6379)
 * It writes under a tenant of its own, vigile:{benchsla<pid>}:..., and deletes it after. */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sla_timers.h"
#include "timefmt.h"
#include "xmalloc.h"

#define PER_TICKET 4     /* take_charge warn+breach, response warn+breach */
#define ARM_BATCH  1000  /* tickets per pipeline */
#define DUE_TIMERS 20000 /* timers made due during the lag run */
#define LEASE_MS   60000

static char tenant[64];

static long long used_memory(redisContext *rc) {
    redisReply *r = redisCommand(rc, "INFO memory");
    const char *p = r && r->type == REDIS_REPLY_STRING ? r->str : NULL;
    const char *at = p ? strstr(p, "used_memory:") : NULL;
    long long v = at ? atoll(at + 12) : -1;
    freeReplyObject(r);
    return v;
}

/* A ticket whose four timers fire at base, base+1, base+2, base+3 ms. */
static void fill_ticket(struct sla_ticket *tk, char *id, size_t idlen, long i, int64_t base) {
    snprintf(id, idlen, "bench-%08ld:urp", i);
    memset(tk, 0, sizeof *tk);
    *tk = (struct sla_ticket){ .tenant = tenant,
                               .ticket_id = id,
                               .office = "urp",
                               .decision_id = id,
                               .author = "p-bench",
                               .severity = 1 };
    for (int k = 0; k < SLA_KINDS; k++) {
        tk->dl.due[k] = SLA_NONE;
        for (int e = 0; e < SLA_EVENTS; e++) tk->dl.fire[k][e] = SLA_NONE;
    }
    tk->dl.received_at = tk->dl.taken_at = base;
    tk->dl.due[SLA_TAKE_CHARGE] = tk->dl.due[SLA_RESPONSE] = base + 3;
    tk->dl.fire[SLA_TAKE_CHARGE][SLA_EV_DUE_SOON] = base;
    tk->dl.fire[SLA_TAKE_CHARGE][SLA_EV_BREACHED] = base + 1;
    tk->dl.fire[SLA_RESPONSE][SLA_EV_DUE_SOON] = base + 2;
    tk->dl.fire[SLA_RESPONSE][SLA_EV_BREACHED] = base + 3;
}

/* Arms tickets [from, to) with firing times from base(i). */
static void arm(struct sla_timers *tm, long from, long to, int64_t (*base)(long, void *),
                void *arg) {
    struct sla_ticket *tk = xcalloc(ARM_BATCH, sizeof *tk);
    char(*ids)[48] = xcalloc(ARM_BATCH, sizeof *ids);
    for (long i = from; i < to; i += ARM_BATCH) {
        long n = to - i < ARM_BATCH ? to - i : ARM_BATCH;
        for (long j = 0; j < n; j++)
            fill_ticket(&tk[j], ids[j], sizeof ids[j], i + j, base(i + j, arg));
        if (sla_timers_arm(tm, tk, (size_t)n, time_now_ms())) {
            fprintf(stderr, "bench-sla: arming failed (is Redis up?)\n");
            exit(1);
        }
    }
    free(tk);
    free(ids);
}

static int64_t far_future(long i, void *arg) {
    (void)i;
    return *(int64_t *)arg;
}

/* Due timers spread over the next 5 s, after the pending ones. */
static int64_t soon(long i, void *arg) {
    return *(int64_t *)arg + (i % (DUE_TIMERS / PER_TICKET)) * 5000 / (DUE_TIMERS / PER_TICKET);
}

static int cmp_ll(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

/* Claims every 100 ms like the worker's tick until `want` timers came, recording how late
 * each was. Returns the number claimed. */
static size_t claim_loop(struct sla_timers *tm, size_t want, long long *lag) {
    struct sla_claim c = { 0 };
    size_t got = 0;
    int64_t give_up = time_mono_ms() + 60000;
    while (got < want && time_mono_ms() < give_up) {
        int64_t now = time_now_ms();
        if (sla_timers_claim(tm, tenant, now, LEASE_MS, 1000, &c)) exit(1);
        for (size_t i = 0; i < c.n && got < want; i++) lag[got++] = now - c.v[i].fire_at;
        sla_timers_forget(tm, &c);
        sla_claim_clear(&c);
        if (got < want) usleep(100000);
    }
    sla_claim_free(&c);
    return got;
}

static void delete_tenant(redisContext *rc) {
    /* Tickets first, by SCAN, then the set. */
    char pattern[128];
    snprintf(pattern, sizeof pattern, "vigile:{%s}:*", tenant);
    unsigned long long cursor = 0;
    do {
        redisReply *r = redisCommand(rc, "SCAN %llu MATCH %s COUNT 10000", cursor, pattern);
        if (!r || r->type != REDIS_REPLY_ARRAY) break;
        cursor = strtoull(r->element[0]->str, NULL, 10);
        for (size_t i = 0; i < r->element[1]->elements; i++)
            redisAppendCommand(rc, "UNLINK %s", r->element[1]->element[i]->str);
        for (size_t i = 0; i < r->element[1]->elements; i++) {
            void *x;
            if (redisGetReply(rc, &x) == REDIS_OK) freeReplyObject(x);
        }
        freeReplyObject(r);
    } while (cursor != 0);
}

int main(int argc, char **argv) {
    long timers = argc > 1 ? atol(argv[1]) : 1000000;
    long tickets = timers / PER_TICKET;
    const char *url = getenv("VIGILE_REDIS_URL");
    if (!url) url = "redis://127.0.0.1:6379";
    char host[256] = "127.0.0.1", err[256];
    int port = 6379;
    sscanf(url, "redis://%255[^:/]:%d", host, &port);
    redisContext *rc = redisConnect(host, port);
    struct sla_timers *tm = sla_timers_new(url, err, sizeof err);
    if (!rc || rc->err || !tm) {
        fprintf(stderr, "bench-sla: %s\n", tm ? rc->errstr : err);
        return 1;
    }
    snprintf(tenant, sizeof tenant, "benchsla%d", (int)getpid());

    long long mem0 = used_memory(rc);
    int64_t t0 = time_mono_ms(), later = time_now_ms() + 30LL * 24 * 3600 * 1000;
    arm(tm, 0, tickets, far_future, &later);
    int64_t arm_ms = time_mono_ms() - t0;
    long long mem1 = used_memory(rc), pending = 0;
    sla_timers_pending(tm, tenant, &pending);
    printf("armed %lld timers (%ld tickets) in %.1f s: %.0f tickets/s\n", pending, tickets,
           arm_ms / 1000.0, tickets * 1000.0 / (arm_ms ? arm_ms : 1));
    printf("redis memory: %.1f MiB for %lld timers, %.0f bytes per timer (ticket hash "
           "included; %.0f bytes per ticket)\n",
           (mem1 - mem0) / 1048576.0, pending, (double)(mem1 - mem0) / (double)pending,
           (double)(mem1 - mem0) / (double)tickets);

    /* Firing lag with the set full: timers due over the next 5 s, claimed every 100 ms. */
    int64_t start = time_now_ms() + 1000;
    arm(tm, tickets, tickets + DUE_TIMERS / PER_TICKET, soon, &start);
    long long *lag = xcalloc(DUE_TIMERS, sizeof *lag);
    size_t got = claim_loop(tm, DUE_TIMERS, lag);
    qsort(lag, got, sizeof *lag, cmp_ll);
    if (got)
        printf("firing lag over %zu timers due in 5 s, %lld pending: p50 %lld ms, p99 %lld ms, "
               "max %lld ms\n",
               got, pending, lag[got / 2], lag[got * 99 / 100], lag[got - 1]);

    /* A backlog: 100,000 timers all due at once (a worker back after an outage). */
    int64_t past = time_now_ms() - 1000;
    long backlog = 100000 / PER_TICKET;
    arm(tm, tickets + DUE_TIMERS, tickets + DUE_TIMERS + backlog, far_future, &past);
    struct sla_claim c = { 0 };
    int64_t d0 = time_mono_ms();
    size_t drained = 0;
    for (;;) {
        if (sla_timers_claim(tm, tenant, time_now_ms(), LEASE_MS, 1000, &c)) return 1;
        if (c.n == 0) break;
        drained += c.n;
        sla_timers_forget(tm, &c);
        sla_claim_clear(&c);
    }
    int64_t drain_ms = time_mono_ms() - d0;
    printf("backlog: %zu due timers claimed, read and removed in %.2f s: %.0f timers/s "
           "(1000 per claim)\n",
           drained, drain_ms / 1000.0, drained * 1000.0 / (drain_ms ? drain_ms : 1));
    sla_claim_free(&c);
    free(lag);
    delete_tenant(rc);
    redisFree(rc);
    sla_timers_free(tm);
    return 0;
}
