/* The in-memory state store: the same semantics as state_redis.c, kept in a hash table
 * of per-key entries, for vigile-replay and tests. Single-threaded. */
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "xmalloc.h"

struct mem_item {
    char *member; /* event id */
    int64_t ts;
    uint64_t fp;
};

struct mem_entry {
    char *key;
    char *record; /* record_put's value; TTLs do not matter within one replay */
    struct mem_item *items;
    size_t n, cap;
    int64_t ban_until;
    int answered; /* a recent-answer entry: its items' fingerprints are the answer */
    struct mem_entry *next;
};

#define MEM_BUCKETS 4096

struct mem_store {
    struct mem_entry *buckets[MEM_BUCKETS];
};

static uint64_t hash(const char *s) {
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Borrowed entry for (kind, tenant, author), created empty when absent. */
static struct mem_entry *entry(struct mem_store *m, const char *kind, const char *tenant,
                               const char *author) {
    char *key = xasprintf("%s|%s|%s", kind, tenant, author);
    struct mem_entry **slot = &m->buckets[hash(key) % MEM_BUCKETS];
    for (struct mem_entry *e = *slot; e; e = e->next) {
        if (strcmp(e->key, key) == 0) {
            free(key);
            return e;
        }
    }
    struct mem_entry *e = xcalloc(1, sizeof *e);
    e->key = key;
    e->next = *slot;
    *slot = e;
    return e;
}

static struct mem_item *find_item(struct mem_entry *e, const char *member) {
    for (size_t i = 0; i < e->n; i++)
        if (strcmp(e->items[i].member, member) == 0) return &e->items[i];
    return NULL;
}

/* Appends it to e's items (the member, if any, now owned by e). */
static void push_item(struct mem_entry *e, struct mem_item it) {
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 4;
        e->items = xrealloc(e->items, e->cap * sizeof *e->items);
    }
    e->items[e->n++] = it;
}

/* Adds member unless present (Redis ZADD NX) and forgets items far out of any window. */
static void add_item(struct mem_entry *e, const char *member, int64_t ts, uint64_t fp,
                     int64_t window_ms) {
    size_t keep = 0;
    for (size_t i = 0; i < e->n; i++) {
        if (e->items[i].ts < ts - 2 * window_ms)
            free(e->items[i].member);
        else
            e->items[keep++] = e->items[i];
    }
    e->n = keep;
    if (!find_item(e, member)) push_item(e, (struct mem_item){ xstrdup(member), ts, fp });
}

static long strikes_in(const struct mem_entry *e, const char *except, int64_t ts, int64_t window) {
    long count = 0;
    for (size_t i = 0; i < e->n; i++)
        if (e->items[i].ts > ts - window && e->items[i].ts <= ts &&
            strcmp(e->items[i].member, except) != 0)
            count++;
    return count;
}

static int mem_decision_lookup(void *impl, const char *tenant, const char *author,
                               const char *event_id, int64_t ts, int64_t window,
                               struct state_author_view *view, char **record) {
    const char *rec = entry(impl, "record", tenant, event_id)->record;
    *record = rec ? xstrdup(rec) : NULL;
    int64_t u = entry(impl, "ban", tenant, author)->ban_until;
    view->banned_until = u > ts ? u : 0;
    view->strikes_before = strikes_in(entry(impl, "strikes", tenant, author), event_id, ts, window);
    return 0;
}

static int mem_decision_amend(void *impl, const char *tenant, const char *author,
                              const struct state_decision *d) {
    struct mem_entry *rec = entry(impl, "record", tenant, d->event_id);
    if (d->strike)
        add_item(entry(impl, "strikes", tenant, author), d->event_id, d->ts_ms, 0, d->window_ms);
    if (d->ban_until > d->ts_ms) entry(impl, "ban", tenant, author)->ban_until = d->ban_until;
    free(rec->record);
    rec->record = xstrdup(d->record);
    return 0;
}

static int mem_decision_lookup_many(void *impl, const struct state_lookup_req *req, size_t n,
                                    struct state_author_view *views, char **records) {
    for (size_t i = 0; i < n; i++)
        mem_decision_lookup(impl, req[i].tenant, req[i].author, req[i].event_id, req[i].ts_ms,
                            req[i].window_ms, &views[i], &records[i]);
    return 0;
}

static int mem_decision_commit(void *impl, const char *tenant, const char *author,
                               const struct state_decision *d, char **existing) {
    struct mem_entry *rec = entry(impl, "record", tenant, d->event_id);
    *existing = rec->record ? xstrdup(rec->record) : NULL;
    if (rec->record) return 0;
    return mem_decision_amend(impl, tenant, author, d);
}

static int mem_decision_commit_many(void *impl, const struct state_commit_req *req, size_t n,
                                    char **existing) {
    for (size_t i = 0; i < n; i++)
        mem_decision_commit(impl, req[i].tenant, req[i].author, &req[i].d, &existing[i]);
    return 0;
}

static int mem_strike_remove(void *impl, const char *tenant, const char *author,
                             const char *event_id) {
    struct mem_entry *e = entry(impl, "strikes", tenant, author);
    struct mem_item *it = find_item(e, event_id);
    if (it) {
        free(it->member);
        *it = e->items[--e->n];
    }
    return 0;
}

static int mem_ban_set(void *impl, const char *tenant, const char *author, int64_t until,
                       int64_t now) {
    entry(impl, "ban", tenant, author)->ban_until = until > now ? until : 0;
    return 0;
}

/* The first answer for an event id is kept in an entry of its own, as its items. */
static int mem_recent_add(void *impl, const char *tenant, const char *author, const char *event_id,
                          int64_t ts, uint64_t fp, int64_t window, uint64_t *earlier, size_t max,
                          size_t *n) {
    struct mem_entry *answer = entry(impl, "recent-answer", tenant, event_id);
    if (!answer->answered) {
        struct mem_entry *e = entry(impl, "recent", tenant, author);
        for (size_t i = 0; i < e->n && answer->n < max; i++) {
            const struct mem_item *it = &e->items[i];
            if (it->ts >= ts - window && it->ts <= ts && strcmp(it->member, event_id) != 0)
                push_item(answer, (struct mem_item){ NULL, it->ts, it->fp });
        }
        add_item(e, event_id, ts, fp, window);
        answer->answered = 1;
    }
    for (*n = 0; *n < answer->n && *n < max; (*n)++) earlier[*n] = answer->items[*n].fp;
    return 0;
}

static int mem_record_put(void *impl, const char *tenant, const char *id, const char *value,
                          int64_t ttl_ms) {
    (void)ttl_ms;
    struct mem_entry *e = entry(impl, "record", tenant, id);
    free(e->record);
    e->record = xstrdup(value);
    return 0;
}

static int mem_record_get(void *impl, const char *tenant, const char *id, char **value) {
    struct mem_entry *e = entry(impl, "record", tenant, id);
    *value = e->record ? xstrdup(e->record) : NULL;
    return 0;
}

static int mem_record_put_many(void *impl, const struct state_record_req *req, size_t n) {
    for (size_t i = 0; i < n; i++)
        mem_record_put(impl, req[i].tenant, req[i].id, req[i].value, req[i].ttl_ms);
    return 0;
}

static int mem_record_get_many(void *impl, const struct state_record_req *req, size_t n,
                               char **values) {
    for (size_t i = 0; i < n; i++) mem_record_get(impl, req[i].tenant, req[i].id, &values[i]);
    return 0;
}

static void mem_free(void *impl) {
    struct mem_store *m = impl;
    for (size_t b = 0; b < MEM_BUCKETS; b++) {
        for (struct mem_entry *e = m->buckets[b], *next; e; e = next) {
            next = e->next;
            for (size_t i = 0; i < e->n; i++) free(e->items[i].member);
            free(e->items);
            free(e->record);
            free(e->key);
            free(e);
        }
    }
    free(m);
}

static int mem_recent_add_many(void *impl, const struct state_recent_req *req, size_t n,
                               uint64_t *earlier, size_t max, size_t *n_earlier) {
    for (size_t i = 0; i < n; i++)
        mem_recent_add(impl, req[i].tenant, req[i].author, req[i].event_id, req[i].ts_ms,
                       req[i].fingerprint, req[i].window_ms, earlier + i * max, max, &n_earlier[i]);
    return 0;
}

static const struct state_ops mem_ops = {
    .decision_lookup = mem_decision_lookup,
    .decision_lookup_many = mem_decision_lookup_many,
    .decision_commit = mem_decision_commit,
    .decision_commit_many = mem_decision_commit_many,
    .decision_amend = mem_decision_amend,
    .strike_remove = mem_strike_remove,
    .ban_set = mem_ban_set,
    .recent_add = mem_recent_add,
    .recent_add_many = mem_recent_add_many,
    .record_put = mem_record_put,
    .record_get = mem_record_get,
    .record_put_many = mem_record_put_many,
    .record_get_many = mem_record_get_many,
    .free = mem_free,
};

void state_mem_init(struct state_store *st) {
    st->ops = &mem_ops;
    st->impl = xcalloc(1, sizeof(struct mem_store));
}
