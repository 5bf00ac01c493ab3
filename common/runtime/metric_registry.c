#include "metric_registry.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"

#define MAX_FAMILIES 96
/* Twice the series a family may hold, so that probes stay short when it is full. */
#define SLOTS (2 * METRIC_MAX_SERIES)

enum metric_type { TYPE_COUNTER, TYPE_GAUGE, TYPE_HISTOGRAM };

struct metric_series {
    const struct metric *family;
    char *values[METRIC_MAX_LABELS]; /* owned copies */
    _Atomic uint64_t value;          /* counter total, or a gauge's double bits */
    _Atomic uint64_t sum_bits;       /* histogram sum, double bits */
    _Atomic uint64_t buckets[];      /* histogram: per bucket, last one +Inf */
};

struct metric {
    const char *name, *help;
    enum metric_type type;
    char *labels[METRIC_MAX_LABELS]; /* owned copies */
    size_t nlabels;
    const double *bounds;
    size_t nbounds;
    _Atomic(struct metric_series *) *slots; /* published once, never replaced */
    size_t nseries;                         /* guarded by lock */
    struct metric_series *sink;             /* what a full family hands out */
    pthread_mutex_t lock;
};

static struct metric families[MAX_FAMILIES];
static _Atomic size_t nfamilies;
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic uint64_t series_dropped;

const double metric_seconds_buckets[] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                          0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5,
                                          5,      10,      30,     60,    120,    300 };
const size_t metric_seconds_nbuckets = sizeof metric_seconds_buckets / sizeof(double);

static struct metric_series *series_new(const struct metric *m, const char *const *values) {
    size_t nb = m->type == TYPE_HISTOGRAM ? m->nbounds + 1 : 0;
    struct metric_series *s = xcalloc(1, sizeof *s + nb * sizeof s->buckets[0]);
    s->family = m;
    for (size_t i = 0; values && i < m->nlabels; i++) s->values[i] = xstrdup(values[i]);
    return s;
}

static struct metric *family_register(const char *name, const char *help, enum metric_type type,
                                      const char *const *labels, const double *bounds,
                                      size_t nbounds) {
    pthread_mutex_lock(&registry_lock);
    size_t n = atomic_load(&nfamilies);
    for (size_t i = 0; i < n; i++)
        if (strcmp(families[i].name, name) == 0) {
            pthread_mutex_unlock(&registry_lock);
            return &families[i];
        }
    /* A fixed number of families is a property of the code, not of the input. */
    if (n == MAX_FAMILIES) abort();
    struct metric *m = &families[n];
    *m = (struct metric){
        .name = name, .help = help, .type = type, .bounds = bounds, .nbounds = nbounds
    };
    for (; labels && labels[m->nlabels]; m->nlabels++) {
        if (m->nlabels == METRIC_MAX_LABELS) abort(); /* a property of the code */
        m->labels[m->nlabels] = xstrdup(labels[m->nlabels]);
    }
    m->slots = xcalloc(SLOTS, sizeof *m->slots);
    m->sink = series_new(m, NULL);
    pthread_mutex_init(&m->lock, NULL);
    atomic_store(&nfamilies, n + 1); /* publishes the family to the renderer */
    pthread_mutex_unlock(&registry_lock);
    return m;
}

struct metric *metric_counter(const char *name, const char *help, const char *const *labels) {
    return family_register(name, help, TYPE_COUNTER, labels, NULL, 0);
}

struct metric *metric_gauge(const char *name, const char *help, const char *const *labels) {
    return family_register(name, help, TYPE_GAUGE, labels, NULL, 0);
}

struct metric *metric_histogram(const char *name, const char *help, const char *const *labels,
                                const double *buckets, size_t nbuckets) {
    return family_register(name, help, TYPE_HISTOGRAM, labels, buckets, nbuckets);
}

static uint64_t hash_values(const struct metric *m, const char *const *values) {
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < m->nlabels; i++) {
        for (const unsigned char *p = (const unsigned char *)values[i]; *p; p++)
            h = (h ^ *p) * 1099511628211ULL;
        h = (h ^ 0xff) * 1099511628211ULL; /* "a","bc" differs from "ab","c" */
    }
    return h;
}

static int same_values(const struct metric *m, const struct metric_series *s,
                       const char *const *values) {
    for (size_t i = 0; i < m->nlabels; i++)
        if (strcmp(s->values[i], values[i]) != 0) return 0;
    return 1;
}

/* The slot holding values, or the first empty one on their probe path. */
static size_t probe(struct metric *m, const char *const *values, struct metric_series **found) {
    size_t i = (size_t)hash_values(m, values) % SLOTS;
    for (;; i = (i + 1) % SLOTS) {
        struct metric_series *s = atomic_load_explicit(&m->slots[i], memory_order_acquire);
        if (!s || same_values(m, s, values)) {
            *found = s;
            return i;
        }
    }
}

static struct metric_series *series_insert(struct metric *m, const char *const *values) {
    pthread_mutex_lock(&m->lock);
    struct metric_series *s;
    size_t slot = probe(m, values, &s); /* again: another thread may have made it */
    if (!s && m->nseries < METRIC_MAX_SERIES) {
        s = series_new(m, values);
        atomic_store_explicit(&m->slots[slot], s, memory_order_release);
        m->nseries++;
    } else if (!s) {
        if (atomic_fetch_add(&series_dropped, 1) == 0)
            log_warn("metric %s: more than %d label combinations; the rest are not exported",
                     m->name, METRIC_MAX_SERIES);
        s = m->sink;
    }
    pthread_mutex_unlock(&m->lock);
    return s;
}

struct metric_series *metric_with(struct metric *m, const char *const *values) {
    struct metric_series *s;
    probe(m, values, &s);
    return s ? s : series_insert(m, values);
}

void metric_add(struct metric_series *s, uint64_t v) {
    atomic_fetch_add_explicit(&s->value, v, memory_order_relaxed);
}

static uint64_t double_bits(double v) {
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

static double bits_double(uint64_t b) {
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

/* A gauge keeps the double's bits; a counter mirrored from a total kept elsewhere keeps
 * the integer, so that both render from the one field. */
void metric_set(struct metric_series *s, double v) {
    uint64_t stored = s->family->type == TYPE_GAUGE ? double_bits(v) : (uint64_t)(v < 0 ? 0 : v);
    atomic_store_explicit(&s->value, stored, memory_order_relaxed);
}

void metric_observe(struct metric_series *s, double v) {
    const struct metric *m = s->family;
    size_t b = 0;
    while (b < m->nbounds && v > m->bounds[b]) b++;
    atomic_fetch_add_explicit(&s->buckets[b], 1, memory_order_relaxed);
    /* One writer per series in practice (the worker loop), so this loop runs once. */
    uint64_t old = atomic_load_explicit(&s->sum_bits, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(&s->sum_bits, &old,
                                                  double_bits(bits_double(old) + v),
                                                  memory_order_relaxed, memory_order_relaxed)) {}
}

static void put_escaped(FILE *f, const char *v) {
    for (; *v; v++) {
        if (*v == '\\' || *v == '"') fputc('\\', f);
        if (*v == '\n')
            fputs("\\n", f);
        else
            fputc(*v, f);
    }
}

/* Writes {component="c",l1="v1",...[,le="x"]}; le may be NULL. */
static void put_labels(FILE *f, const char *component, const struct metric_series *s,
                       const char *le) {
    fprintf(f, "{component=\"%s\"", component);
    for (size_t i = 0; i < s->family->nlabels; i++) {
        fprintf(f, ",%s=\"", s->family->labels[i]);
        put_escaped(f, s->values[i]);
        fputc('"', f);
    }
    if (le) fprintf(f, ",le=\"%s\"", le);
    fputc('}', f);
}

static void render_histogram(FILE *f, const char *component, const struct metric_series *s) {
    const struct metric *m = s->family;
    uint64_t cumulative = 0;
    char le[32];
    for (size_t b = 0; b <= m->nbounds; b++) {
        cumulative += atomic_load_explicit(&s->buckets[b], memory_order_relaxed);
        if (b < m->nbounds)
            snprintf(le, sizeof le, "%g", m->bounds[b]);
        else
            snprintf(le, sizeof le, "+Inf");
        fprintf(f, "%s_bucket", m->name);
        put_labels(f, component, s, le);
        fprintf(f, " %llu\n", (unsigned long long)cumulative);
    }
    fprintf(f, "%s_sum", m->name);
    put_labels(f, component, s, NULL);
    fprintf(f, " %.9g\n%s_count", bits_double(atomic_load(&s->sum_bits)), m->name);
    put_labels(f, component, s, NULL);
    /* The count is the +Inf bucket, read once, as the format requires them equal. */
    fprintf(f, " %llu\n", (unsigned long long)cumulative);
}

static void render_series(FILE *f, const char *component, const struct metric_series *s) {
    const struct metric *m = s->family;
    if (m->type == TYPE_HISTOGRAM) {
        render_histogram(f, component, s);
        return;
    }
    uint64_t v = atomic_load_explicit(&s->value, memory_order_relaxed);
    fputs(m->name, f);
    put_labels(f, component, s, NULL);
    if (m->type == TYPE_GAUGE)
        fprintf(f, " %.17g\n", bits_double(v));
    else
        fprintf(f, " %llu\n", (unsigned long long)v);
}

void metric_registry_render(FILE *f, const char *component) {
    static const char *const type_name[] = { "counter", "gauge", "histogram" };
    size_t n = atomic_load(&nfamilies);
    for (size_t i = 0; i < n; i++) {
        struct metric *m = &families[i];
        fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help, m->name, type_name[m->type]);
        for (size_t j = 0; j < SLOTS; j++) {
            struct metric_series *s = atomic_load_explicit(&m->slots[j], memory_order_acquire);
            if (s) render_series(f, component, s);
        }
    }
    fprintf(f,
            "# HELP vigile_metric_series_dropped_total Label combinations over a family's "
            "limit, not exported\n# TYPE vigile_metric_series_dropped_total counter\n"
            "vigile_metric_series_dropped_total{component=\"%s\"} %llu\n",
            component, (unsigned long long)atomic_load(&series_dropped));
}
