/* Sending one platform request through libcurl and reading what the answer means for
 * the command: done, try again later (and when), permanently refused, or unknown (the
 * request may have reached the platform). The reading is a pure function of status,
 * headers and body, so unit tests cover every platform's error shapes without a server. */
#ifndef VIGILE_ACT_HTTP_H
#define VIGILE_ACT_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "act_action.h"
#include "act_request.h"

enum act_verdict {
    ACT_DONE,      /* the platform did it */
    ACT_RETRY,     /* 5xx or a network failure before the request left: try again */
    ACT_THROTTLED, /* rate limit: the credential rests wait_ms, then the same call again */
    ACT_PERMANENT, /* refused for good (content gone, no permission): record, never retry */
    ACT_UNCERTAIN, /* no answer after the request was sent: it may have been done */
};

/* The rate-limit headers a platform may send, as received (NULL when absent). */
struct act_rate_headers {
    const char *retry_after;      /* Retry-After: seconds or an HTTP date */
    const char *buc_usage;        /* X-Business-Use-Case-Usage (Meta) */
    const char *app_usage;        /* X-App-Usage (Meta) */
    const char *x_rate_reset;     /* x-rate-limit-reset (X): epoch seconds */
    const char *x_rate_remaining; /* x-rate-limit-remaining (X) */
};

struct act_reply {
    enum act_verdict verdict;
    long status;     /* HTTP status; 0 without an answer */
    int64_t wait_ms; /* how long the credential should rest (throttled, or a quota nearly spent) */
    int64_t call_ms; /* how long the call took */
    char error[512]; /* what the platform or the network said; "" when done */
};

/* Reads an answer. now_ms is the wall clock (for dates in headers). */
void act_http_classify(enum act_platform p, long status, const char *body,
                       const struct act_rate_headers *h, int64_t now_ms, struct act_reply *out);

struct act_http;
/* One libcurl handle; not thread-safe (one per executor thread). timeout_ms bounds a
 * whole call, connection included. */
struct act_http *act_http_new(int timeout_ms);
void act_http_free(struct act_http *h); /* NULL-safe */

/* Sends req and classifies the answer into out. token (borrowed, may be NULL) is redacted
 * from every error text. */
void act_http_send(struct act_http *h, const struct act_request *req, enum act_platform p,
                   const char *token, struct act_reply *out);

/* curl_global_init, once per process, before any thread starts. */
void act_http_global_init(void);

#endif
