#include "act_exec.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "act_http.h"
#include "act_metrics.h"
#include "act_queue.h"
#include "act_result.h"
#include "log.h"
#include "timefmt.h"
#include "xmalloc.h"

#define BACKOFF_CAP_MS 3600000LL
#define IDLE_MS        50

struct act_exec {
    const struct act_config *cfg;
    char *url;
    pthread_t *threads;
    int nthreads;
    atomic_int running;
    pthread_mutex_t mu; /* guards the tenant list and busy flags */
    char **tenants;
    int *busy;
    size_t ntenants;
    size_t next; /* where the next thread starts its round */
};

/* One thread's own connections. */
struct act_worker {
    struct act_exec *e;
    struct act_queue *q;
    struct act_http *http;
    unsigned seed;
};

long long act_backoff_ms(int base_ms, int failures, double rnd) {
    long long d = base_ms;
    for (int i = 0; i < failures && d < BACKOFF_CAP_MS; i++) d *= 2;
    if (d > BACKOFF_CAP_MS) d = BACKOFF_CAP_MS;
    return d / 2 + (long long)((double)(d / 2) * rnd);
}

static void sleep_ms(int ms) {
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Settles a command: the result goes to Redis (and from there to the outbox). */
static void settle(struct act_worker *w, const struct act_action *a, const struct act_job *job,
                   struct act_result_info *info) {
    info->live = 1;
    info->now_ms = time_now_ms();
    char *json = act_result_json(a, info);
    if (act_queue_finish(w->q, a->tenant, job, json, info->now_ms) == 0) {
        act_metrics_result(a->tenant, a->platform, info->outcome);
        log_info("%s %s on %s: %s%s%s", act_type_name(a->type), a->action_id,
                 act_platform_name(a->platform), act_outcome_name(info->outcome),
                 info->error ? ": " : "", info->error ? info->error : "");
    }
    /* Else the command stays "sending" and its lease runs out: the next pick treats it
     * as an uncertain outcome, which is what it is. */
    free(json);
}

static void hand_over(struct act_worker *w, const struct act_action *a, const struct act_job *job,
                      const char *reason, const struct act_reply *rep) {
    struct act_result_info info = { .outcome = OUTCOME_HANDED_TO_OPERATOR,
                                    .reason = reason,
                                    .attempts = job->attempts };
    if (rep) info.status = rep->status, info.error = rep->error, info.call_ms = rep->call_ms;
    settle(w, a, job, &info);
}

/* X answers 403 to a block the app's plan does not include: a person blocks instead. */
static int plan_lacks_block(const struct act_action *a, const struct act_reply *rep) {
    return a->platform == PLATFORM_X && (a->type == ACT_BAN || a->type == ACT_UNBAN) &&
           rep->status == 403;
}

/* A transient failure: back off and try again, or give up to a person after too many. */
static void retry_later(struct act_worker *w, const struct act_action *a, const struct act_job *job,
                        const struct act_reply *rep) {
    const struct act_config *cfg = w->e->cfg;
    if (job->failures + 1 >= cfg->max_failures) {
        hand_over(w, a, job, "piattaforma non disponibile dopo ripetuti tentativi", rep);
        return;
    }
    double rnd = (double)rand_r(&w->seed) / ((double)RAND_MAX + 1);
    act_queue_postpone(w->q, a->tenant, job,
                       time_now_ms() + act_backoff_ms(cfg->retry_base_ms, job->failures, rnd), 1);
}

static void refused(struct act_worker *w, const struct act_action *a, const struct act_job *job,
                    struct act_result_info *info, const struct act_reply *rep) {
    if (plan_lacks_block(a, rep)) {
        hand_over(w, a, job,
                  "il piano dell'API X del comune non permette di bloccare: un "
                  "operatore deve farlo dall'app",
                  rep);
        return;
    }
    info->outcome = OUTCOME_FAILED_PERMANENT;
    info->reason = "la piattaforma ha rifiutato il comando: non sarà ritentato";
    settle(w, a, job, info);
}

/* What the reply means for the command: settle it, or put it back for later. */
static void after_call(struct act_worker *w, const struct act_action *a, struct act_job *job,
                       const struct act_request *req, const char *token,
                       const struct act_reply *rep) {
    int64_t now = time_now_ms();
    struct act_result_info info = { .attempts = job->attempts,
                                    .status = rep->status,
                                    .error = rep->error,
                                    .req = req,
                                    .token = token,
                                    .call_ms = rep->call_ms };
    if (rep->wait_ms) act_queue_bucket_rest(w->q, a->tenant, a->platform, now + rep->wait_ms);
    switch (rep->verdict) {
    case ACT_DONE:
        info.outcome = OUTCOME_DONE;
        settle(w, a, job, &info);
        break;
    case ACT_THROTTLED: act_queue_postpone(w->q, a->tenant, job, now + rep->wait_ms, 0); break;
    case ACT_PERMANENT: refused(w, a, job, &info, rep); break;
    case ACT_RETRY: retry_later(w, a, job, rep); break;
    case ACT_UNCERTAIN:
        /* Sent, maybe done: again only where doing it twice is doing it once. */
        if (req->idempotent)
            retry_later(w, a, job, rep);
        else
            hand_over(w, a, job,
                      "esito incerto: la richiesta è partita ma la piattaforma non "
                      "ha risposto; ripeterla potrebbe duplicare il messaggio, un "
                      "operatore verifichi",
                      rep);
        break;
    }
}

/* Sends the job's request once its credential has a token to spend. */
static void call(struct act_worker *w, const struct act_action *a, struct act_job *job,
                 const struct act_request *req, const char *token) {
    const struct act_config *cfg = w->e->cfg;
    int64_t wait =
        act_queue_bucket_take(w->q, a->tenant, a->platform, cfg->rate, cfg->burst, time_now_ms());
    if (wait < 0) return; /* Redis: the lease runs out and the content is picked again */
    if (wait > 0) {
        act_queue_postpone(w->q, a->tenant, job, time_now_ms() + wait, 0);
        return;
    }
    int attempt = act_queue_claim(w->q, job, time_now_ms());
    if (attempt < 0) return;
    job->attempts = attempt;
    struct act_reply rep;
    act_http_send(w->http, req, a->platform, token, &rep);
    act_metrics_call(a->platform, rep.verdict);
    after_call(w, a, job, req, token, &rep);
}

/* Carries out (or settles) the command at the head of one content's queue. */
static void run_job(struct act_worker *w, const char *tenant, struct act_job *job) {
    struct act_action a;
    struct act_request req = { 0 };
    char err[512];
    if (act_action_parse(job->raw, strlen(job->raw), &a, err, sizeof err)) {
        /* It was read with the same parser when accepted: only a hand edit of Redis or a
         * downgrade gets here. It waits, and says so, rather than vanish. */
        log_error("queued command %s unreadable (%s); next look in an hour", job->hash_key, err);
        act_queue_postpone(w->q, tenant, job, time_now_ms() + 3600000, 1);
        return;
    }
    const char *token = act_config_token(w->e->cfg, a.tenant, a.platform);
    if (!token) {
        hand_over(w, &a, job, "credenziale mancante per questa piattaforma", NULL);
    } else if (act_request_build(&a, w->e->cfg->base_url[a.platform], token, &req, err,
                                 sizeof err)) {
        hand_over(w, &a, job, err, NULL);
    } else if (strcmp(job->state, "sending") == 0 && !req.idempotent) {
        /* A call was under way when its worker died: it may have reached the platform. */
        hand_over(w, &a, job,
                  "esito incerto: il worker si è fermato durante la chiamata; "
                  "ripeterla potrebbe duplicare il messaggio, un operatore verifichi",
                  NULL);
    } else {
        call(w, &a, job, &req, token);
    }
    act_request_free(&req);
    act_action_free(&a);
}

/* The lease on a content outlasts any call, so no other thread picks it meanwhile. */
static int64_t lease_ms(const struct act_config *cfg) { return 2LL * cfg->timeout_ms + 30000; }

/* Takes one free tenant (marked busy) starting the round at e->next. Returns its index
 * and a copy of its id in *id (caller frees), or -1 when all are busy. */
static long take_tenant(struct act_exec *e, size_t round, char **id) {
    long got = -1;
    pthread_mutex_lock(&e->mu);
    if (round < e->ntenants) {
        size_t i = (e->next + round) % e->ntenants;
        if (!e->busy[i]) {
            e->busy[i] = 1;
            *id = xstrdup(e->tenants[i]);
            got = (long)i;
        }
    }
    pthread_mutex_unlock(&e->mu);
    return got;
}

static void release_tenant(struct act_exec *e, long i) {
    pthread_mutex_lock(&e->mu);
    if ((size_t)i < e->ntenants) e->busy[i] = 0;
    e->next++;
    pthread_mutex_unlock(&e->mu);
}

/* One pass over the tenants. Returns how many commands were handled. */
static int pass(struct act_worker *w, size_t ntenants) {
    int handled = 0;
    for (size_t round = 0; round < ntenants && atomic_load(&w->e->running); round++) {
        char *tenant = NULL;
        long i = take_tenant(w->e, round, &tenant);
        if (i < 0) continue;
        struct act_job job = { 0 };
        int rc = act_queue_next(w->q, tenant, time_now_ms(), lease_ms(w->e->cfg), &job);
        if (rc > 0) run_job(w, tenant, &job), handled++;
        act_job_free(&job);
        release_tenant(w->e, i);
        free(tenant);
        if (rc < 0) return -1;
    }
    return handled;
}

static void *thread_main(void *arg) {
    struct act_worker *w = arg;
    while (atomic_load(&w->e->running)) {
        pthread_mutex_lock(&w->e->mu);
        size_t n = w->e->ntenants;
        pthread_mutex_unlock(&w->e->mu);
        int handled = pass(w, n);
        if (handled <= 0) sleep_ms(handled < 0 ? 1000 : IDLE_MS); /* Redis down: slower */
    }
    act_http_free(w->http);
    act_queue_free(w->q);
    free(w);
    return NULL;
}

static void set_tenants_locked(struct act_exec *e, const char *const *tenants, size_t n) {
    for (size_t i = 0; i < e->ntenants; i++) free(e->tenants[i]);
    free(e->tenants);
    free(e->busy);
    e->tenants = xcalloc(n + 1, sizeof *e->tenants);
    e->busy = xcalloc(n + 1, sizeof *e->busy);
    for (size_t i = 0; i < n; i++) e->tenants[i] = xstrdup(tenants[i]);
    e->ntenants = n;
}

void act_exec_set_tenants(struct act_exec *e, const char *const *tenants, size_t n) {
    /* Busy flags are per index: a thread in the middle of a call keeps its index until it
     * releases it, which then only clears a flag of the new list (harmless). */
    pthread_mutex_lock(&e->mu);
    set_tenants_locked(e, tenants, n);
    pthread_mutex_unlock(&e->mu);
}

struct act_exec *act_exec_start(const struct act_config *cfg, const char *url,
                                const char *const *tenants, size_t n, char *err, size_t errlen) {
    struct act_exec *e = xcalloc(1, sizeof *e);
    e->cfg = cfg;
    e->url = xstrdup(url);
    atomic_init(&e->running, 1);
    pthread_mutex_init(&e->mu, NULL);
    set_tenants_locked(e, tenants, n);
    e->threads = xcalloc((size_t)cfg->threads, sizeof *e->threads);
    for (int i = 0; i < cfg->threads; i++) {
        struct act_worker *w = xcalloc(1, sizeof *w);
        w->e = e;
        w->seed = (unsigned)time_now_ms() ^ (unsigned)i * 2654435761u;
        w->q = act_queue_new(url, err, errlen);
        w->http = act_http_new(cfg->timeout_ms);
        if (!w->q || pthread_create(&e->threads[i], NULL, thread_main, w)) {
            act_http_free(w->http);
            act_queue_free(w->q);
            free(w);
            act_exec_stop(e);
            return NULL;
        }
        e->nthreads++;
    }
    return e;
}

void act_exec_stop(struct act_exec *e) {
    if (!e) return;
    atomic_store(&e->running, 0);
    for (int i = 0; i < e->nthreads; i++) pthread_join(e->threads[i], NULL);
    set_tenants_locked(e, NULL, 0);
    free(e->tenants);
    free(e->busy);
    free(e->threads);
    free(e->url);
    pthread_mutex_destroy(&e->mu);
    free(e);
}
