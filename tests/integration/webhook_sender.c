#include "webhook_sender.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc_util.h"
#include "timefmt.h"
#include "xmalloc.h"

#define RETRY_MS        1000 /* a failed request is sent again after this */
#define FAILED_PAUSE_MS 200  /* and its lane waits this long before the next one */

/* One thread's work: a queue of envelope indices, retries appended at the end with the
 * instant before which they must not be sent (FIFO, so the head is always the earliest). */
struct lane {
    struct webhook_sender *s;
    size_t *idx;
    int64_t *not_before;
    size_t head, tail, cap;
    struct sender_stats st;
    pthread_t thread;
};

struct webhook_sender {
    int port, pause_ms, threads;
    const char *token;
    char *const *values;
    struct lane *lanes;
    volatile int stop;
    pthread_mutex_t lock;
    size_t answered, n;
};

static void lane_push(struct lane *l, size_t i, int64_t not_before) {
    if (l->tail == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->idx = xrealloc(l->idx, l->cap * sizeof *l->idx);
        l->not_before = xrealloc(l->not_before, l->cap * sizeof *l->not_before);
    }
    l->idx[l->tail] = i, l->not_before[l->tail++] = not_before;
}

/* Posts one envelope; returns the HTTP status, or -1 when no answer came. *dup tells a
 * 200 for an event delivered before. */
static int post(const struct webhook_sender *s, const char *value, int *dup) {
    char *head = xasprintf("POST /webhooks/generic HTTP/1.0\r\nHost: localhost\r\n"
                           "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                           "Content-Length: %zu\r\n\r\n",
                           s->token, strlen(value));
    int fd = proc_connect(s->port), status = -1;
    if (fd >= 0) {
        char reply[1024];
        size_t got = 0;
        ssize_t r;
        if (write(fd, head, strlen(head)) == (ssize_t)strlen(head) &&
            write(fd, value, strlen(value)) == (ssize_t)strlen(value)) {
            while (got + 1 < sizeof reply &&
                   (r = read(fd, reply + got, sizeof reply - 1 - got)) > 0)
                got += (size_t)r;
        }
        reply[got] = '\0';
        if (sscanf(reply, "HTTP/1.%*d %d", &status) != 1) status = -1;
        *dup = strstr(reply, "\"duplicates\":1") != NULL;
        close(fd);
    }
    free(head);
    return status;
}

static void *lane_run(void *arg) {
    struct lane *l = arg;
    struct webhook_sender *s = l->s;
    while (l->head < l->tail && !s->stop) {
        size_t i = l->idx[l->head];
        int64_t wait = l->not_before[l->head++] - time_mono_ms();
        if (wait > 0) usleep((useconds_t)wait * 1000);
        int dup = 0, status = post(s, s->values[i], &dup);
        if (status == 200) {
            dup ? l->st.duplicates++ : l->st.accepted++;
            pthread_mutex_lock(&s->lock);
            s->answered++;
            pthread_mutex_unlock(&s->lock);
            usleep((useconds_t)s->pause_ms * 1000);
            continue;
        }
        status < 0 ? l->st.no_answer++ : l->st.busy++;
        if (status >= 0 && status != 503)
            fprintf(stderr, "webhook_sender: %d for envelope %zu\n", status, i);
        lane_push(l, i, time_mono_ms() + RETRY_MS);
        usleep(FAILED_PAUSE_MS * 1000); /* ingest is down or busy: not the next one at once */
    }
    return NULL;
}

struct webhook_sender *webhook_sender_start(int port, const char *token, char *const *values,
                                            const unsigned *author_of, size_t n, int threads,
                                            int rate) {
    struct webhook_sender *s = xcalloc(1, sizeof *s);
    *s = (struct webhook_sender){ .port = port,
                                  .pause_ms = 1000 * threads / rate,
                                  .threads = threads,
                                  .token = token,
                                  .values = values,
                                  .lanes = xcalloc((size_t)threads, sizeof *s->lanes),
                                  .n = n };
    pthread_mutex_init(&s->lock, NULL);
    for (size_t i = 0; i < n; i++) lane_push(&s->lanes[author_of[i] % (unsigned)threads], i, 0);
    for (int t = 0; t < threads; t++) {
        s->lanes[t].s = s;
        if (pthread_create(&s->lanes[t].thread, NULL, lane_run, &s->lanes[t])) abort();
    }
    return s;
}

int webhook_sender_done(struct webhook_sender *s) {
    pthread_mutex_lock(&s->lock);
    int done = s->answered == s->n;
    pthread_mutex_unlock(&s->lock);
    return done;
}

void webhook_sender_finish(struct webhook_sender *s, struct sender_stats *st) {
    s->stop = !webhook_sender_done(s);
    *st = (struct sender_stats){ 0 };
    for (int t = 0; t < s->threads; t++) {
        struct lane *l = &s->lanes[t];
        pthread_join(l->thread, NULL);
        st->accepted += l->st.accepted, st->duplicates += l->st.duplicates;
        st->no_answer += l->st.no_answer, st->busy += l->st.busy;
        free(l->idx), free(l->not_before);
    }
    pthread_mutex_destroy(&s->lock);
    free(s->lanes);
    free(s);
}
