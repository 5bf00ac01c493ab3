#include "act_http.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "timefmt.h"
#include "xmalloc.h"

/* What a throttled answer that names no delay waits: a minute is the shortest window any
 * of these platforms counts in. */
#define DEFAULT_THROTTLE_MS 60000
/* Meta's usage headers are percentages of the quota; past this the credential rests
 * before the platform starts refusing. */
#define USAGE_REST_PERCENT 95
#define BODY_MAX           (64 * 1024)

static int64_t retry_after_ms(const char *v, int64_t now_ms) {
    if (!v) return 0;
    char *end;
    long s = strtol(v, &end, 10);
    if (end != v && (*end == '\0' || *end == '\r' || *end == ' ')) return s > 0 ? s * 1000LL : 0;
    time_t t = curl_getdate(v, NULL);
    return t > 0 && t * 1000LL > now_ms ? t * 1000LL - now_ms : 0;
}

/* X-Business-Use-Case-Usage: {"<id>": [{"call_count": 96, "estimated_time_to_regain_access":
 * 5, ...}]} (minutes); X-App-Usage: {"call_count": 96, ...}. Returns how long to rest. */
static int64_t meta_usage_ms(const char *buc, const char *app) {
    int64_t wait = 0;
    json_t *b = buc ? json_loads(buc, 0, NULL) : NULL, *a = app ? json_loads(app, 0, NULL) : NULL;
    const char *id;
    json_t *list, *u, *v;
    size_t i;
    json_object_foreach(b, id, list) json_array_foreach(list, i, u) {
        json_int_t regain =
            json_integer_value(json_object_get(u, "estimated_time_to_regain_access"));
        if (regain * 60000 > wait) wait = regain * 60000;
        const char *k;
        json_object_foreach(u, k, v) if (json_is_integer(v) && strstr(k, "regain") == NULL &&
                                         json_integer_value(v) >= USAGE_REST_PERCENT &&
                                         wait < DEFAULT_THROTTLE_MS) wait = DEFAULT_THROTTLE_MS;
    }
    const char *k;
    json_object_foreach(a, k, v) if (json_is_integer(v) &&
                                     json_integer_value(v) >= USAGE_REST_PERCENT &&
                                     wait < DEFAULT_THROTTLE_MS) wait = DEFAULT_THROTTLE_MS;
    json_decref(b);
    json_decref(a);
    return wait;
}

/* Meta's throttling error codes (Graph API "Rate limiting"): app, user, page, custom
 * and business use case limits. They come as 400 or 403, not 429. */
static int meta_throttle_code(json_int_t code) {
    return code == 4 || code == 17 || code == 32 || code == 613 || (code >= 80001 && code <= 80014);
}

/* The platform's own words for the error, into out. */
static void error_text(const json_t *doc, const char *body, long status, char *out, size_t n) {
    const json_t *e = json_object_get(doc, "error");
    const char *msg = json_string_value(json_object_get(e, "message"));
    if (!msg) msg = json_string_value(json_object_get(doc, "description")); /* Telegram */
    if (!msg) msg = json_string_value(json_object_get(doc, "detail"));      /* X */
    if (!msg) msg = json_string_value(json_object_get(doc, "title"));
    if (msg)
        snprintf(out, n, "HTTP %ld: %s", status, msg);
    else
        snprintf(out, n, "HTTP %ld: %.200s", status, body ? body : "");
}

/* YouTube's quota and rate errors are 403s that name their reason. */
static int youtube_throttle(const json_t *doc) {
    const json_t *errs = json_object_get(json_object_get(doc, "error"), "errors"), *e;
    size_t i;
    json_array_foreach(errs, i, e) {
        const char *r = json_string_value(json_object_get(e, "reason"));
        if (r && (strcmp(r, "quotaExceeded") == 0 || strcmp(r, "rateLimitExceeded") == 0 ||
                  strcmp(r, "userRateLimitExceeded") == 0))
            return 1;
    }
    return 0;
}

/* Whether a refusal is a rate limit, and how long it asks to wait (0: not one). */
static int64_t throttle_ms(enum act_platform p, long status, const json_t *doc,
                           const struct act_rate_headers *h, int64_t now_ms) {
    int64_t wait = retry_after_ms(h->retry_after, now_ms);
    json_int_t tg =
        json_integer_value(json_object_get(json_object_get(doc, "parameters"), "retry_after"));
    if (tg * 1000 > wait) wait = tg * 1000;
    if (p == PLATFORM_X && h->x_rate_reset && status == 429) {
        int64_t reset = strtoll(h->x_rate_reset, NULL, 10) * 1000 - now_ms;
        if (reset > wait) wait = reset;
    }
    int meta = p == PLATFORM_FACEBOOK || p == PLATFORM_INSTAGRAM || p == PLATFORM_WHATSAPP;
    int64_t usage = meta ? meta_usage_ms(h->buc_usage, h->app_usage) : 0;
    int is_throttle = status == 429 ||
                      (meta && meta_throttle_code(json_integer_value(
                                   json_object_get(json_object_get(doc, "error"), "code")))) ||
                      (p == PLATFORM_YOUTUBE && status == 403 && youtube_throttle(doc));
    if (!is_throttle) return 0;
    if (usage > wait) wait = usage;
    return wait > 0 ? wait : DEFAULT_THROTTLE_MS;
}

void act_http_classify(enum act_platform p, long status, const char *body,
                       const struct act_rate_headers *h, int64_t now_ms, struct act_reply *out) {
    json_t *doc = body ? json_loads(body, 0, NULL) : NULL;
    int meta = p == PLATFORM_FACEBOOK || p == PLATFORM_INSTAGRAM || p == PLATFORM_WHATSAPP;
    out->status = status;
    out->error[0] = '\0';
    out->wait_ms = 0;
    int64_t wait = throttle_ms(p, status, doc, h, now_ms);
    if (status >= 200 && status < 300) {
        out->verdict = ACT_DONE;
        /* A success that reports the quota nearly spent still rests the credential. */
        out->wait_ms = meta ? meta_usage_ms(h->buc_usage, h->app_usage) : 0;
        /* X: the window's last call; the credential rests until the window resets. */
        if (p == PLATFORM_X && h->x_rate_remaining && h->x_rate_reset &&
            atoi(h->x_rate_remaining) == 0) {
            int64_t reset = strtoll(h->x_rate_reset, NULL, 10) * 1000 - now_ms;
            out->wait_ms = reset > 0 ? reset : 0;
        }
    } else {
        error_text(doc, body, status, out->error, sizeof out->error);
        out->verdict = wait ? ACT_THROTTLED : status >= 500 ? ACT_RETRY : ACT_PERMANENT;
        out->wait_ms = wait;
    }
    json_decref(doc);
}

struct act_http {
    CURL *curl;
    int timeout_ms;
    char *body;
    size_t len;
    char hdr[5][512]; /* in the order of struct act_rate_headers */
};

static const char *const header_names[5] = { "retry-after", "x-business-use-case-usage",
                                             "x-app-usage", "x-rate-limit-reset",
                                             "x-rate-limit-remaining" };

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg) {
    struct act_http *h = arg;
    size_t n = size * nmemb, take = h->len + n > BODY_MAX ? BODY_MAX - h->len : n;
    memcpy(h->body + h->len, data, take);
    h->len += take;
    h->body[h->len] = '\0';
    return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg) {
    struct act_http *h = arg;
    size_t n = size * nmemb;
    for (int i = 0; i < 5; i++) {
        size_t kl = strlen(header_names[i]);
        if (n <= kl + 1 || strncasecmp(data, header_names[i], kl) != 0 || data[kl] != ':') continue;
        const char *v = data + kl + 1;
        while (*v == ' ') v++;
        size_t vl = (size_t)(data + n - v);
        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n')) vl--;
        snprintf(h->hdr[i], sizeof h->hdr[i], "%.*s", (int)vl, v);
    }
    return n;
}

void act_http_global_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

struct act_http *act_http_new(int timeout_ms) {
    struct act_http *h = xcalloc(1, sizeof *h);
    h->curl = curl_easy_init();
    h->timeout_ms = timeout_ms;
    h->body = xmalloc(BODY_MAX + 1);
    return h;
}

void act_http_free(struct act_http *h) {
    if (!h) return;
    curl_easy_cleanup(h->curl);
    free(h->body);
    free(h);
}

static void prepare(struct act_http *h, const struct act_request *req, struct curl_slist **hl) {
    CURL *c = h->curl;
    curl_easy_reset(c);
    h->len = 0;
    h->body[0] = '\0';
    memset(h->hdr, 0, sizeof h->hdr);
    curl_easy_setopt(c, CURLOPT_URL, req->url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)h->timeout_ms);
    long connect_ms = h->timeout_ms < 5000 ? h->timeout_ms : 5000;
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (req->body) curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
    /* libcurl sends a request again by itself when a reused connection dies before the
     * answer: harmless for a hide, a second public reply for a reply. A call that must
     * not be repeated gets a connection of its own. */
    if (!req->idempotent) {
        curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
    }
    char line[4096];
    if (req->authorization) {
        snprintf(line, sizeof line, "Authorization: %s", req->authorization);
        *hl = curl_slist_append(*hl, line);
    }
    if (req->content_type) {
        snprintf(line, sizeof line, "Content-Type: %s", req->content_type);
        *hl = curl_slist_append(*hl, line);
    }
    *hl = curl_slist_append(*hl, "Expect:"); /* no 100-continue round trip */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, *hl);
}

/* A network failure: certainly not sent when nothing of the request went out. */
static void network_failure(struct act_http *h, CURLcode rc, const char *token,
                            struct act_reply *out) {
    long sent = 0;
    curl_easy_getinfo(h->curl, CURLINFO_REQUEST_SIZE, &sent);
    out->status = 0;
    out->verdict = sent > 0 ? ACT_UNCERTAIN : ACT_RETRY;
    char *msg = act_redact(curl_easy_strerror(rc), token);
    snprintf(out->error, sizeof out->error, "%s: %s",
             sent > 0 ? "no answer after sending" : "not sent", msg);
    free(msg);
}

void act_http_send(struct act_http *h, const struct act_request *req, enum act_platform p,
                   const char *token, struct act_reply *out) {
    struct curl_slist *hl = NULL;
    memset(out, 0, sizeof *out);
    prepare(h, req, &hl);
    int64_t t0 = time_mono_ms();
    CURLcode rc = curl_easy_perform(h->curl);
    out->call_ms = time_mono_ms() - t0;
    curl_slist_free_all(hl);
    if (rc != CURLE_OK) {
        network_failure(h, rc, token, out);
        return;
    }
    long status = 0;
    curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
    struct act_rate_headers rh;
    const char **f[5] = { &rh.retry_after, &rh.buc_usage, &rh.app_usage, &rh.x_rate_reset,
                          &rh.x_rate_remaining };
    for (int i = 0; i < 5; i++) *f[i] = h->hdr[i][0] ? h->hdr[i] : NULL;
    act_http_classify(p, status, h->body, &rh, time_now_ms(), out);
    char *clean = act_redact(out->error, token);
    snprintf(out->error, sizeof out->error, "%s", clean);
    free(clean);
}
