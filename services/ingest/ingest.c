/* The generic envelope, replay's line dispatch and the hand-off to vigile.inbound; the
 * platform parsers are meta.c, whatsapp.c, telegram.c and youtube.c. */
#include "ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "platform_event.h"
#include "timefmt.h"
#include "topics.h"

enum ingest_status ingest_parse_envelope(const struct ingest_request *req, json_t *out, char *err,
                                         size_t n) {
    json_t *env = envelope_parse(req->body, req->len, ENVELOPE_REPLAY, err, n);
    if (!env) return INGEST_MALFORMED;
    enum ingest_status st = INGEST_MALFORMED;
    const struct tenant *t = tenant_set_find(req->tenants, envelope_str(env, "tenant"));
    const char *channel = envelope_str(env, "channel");
    if (!t) {
        snprintf(err, n, "$.tenant: unknown tenant \"%s\"", envelope_str(env, "tenant"));
        st = INGEST_UNKNOWN_PAGE;
    } else if (channel && !tenant_channel(t, channel)) {
        snprintf(err, n, "$.channel: tenant %s has no channel \"%s\"", tenant_id(t), channel);
        st = INGEST_UNKNOWN_PAGE;
    } else {
        char now[RFC3339_LEN];
        json_object_set_new(env, "received_at", json_string(rfc3339_format(req->now_ms, now)));
        /* Valid, yet maybe more than vigile.inbound may carry: then refused, with the size. */
        if (envelope_check_size(env, err, n) == 0) {
            json_array_append(out, env);
            st = INGEST_OK;
        }
    }
    json_decref(env);
    return st;
}

/* Which parser reads a bare payload, by the marks each platform puts on its own. */
static ingest_parse_fn detect(const json_t *doc) {
    const char *object = norm_str(doc, "object");
    if (object) return ingest_parse_meta; /* page, instagram, whatsapp_business_account */
    const char *kind = norm_str(doc, "kind");
    if (kind && strncmp(kind, "youtube#", 8) == 0) return ingest_parse_youtube;
    return ingest_parse_envelope;
}

static const struct {
    const char *platform;
    ingest_parse_fn parse;
} wrapped[] = {
    { "facebook", ingest_parse_meta },     { "instagram", ingest_parse_meta },
    { "whatsapp", ingest_parse_whatsapp }, { "telegram", ingest_parse_telegram },
    { "youtube", ingest_parse_youtube },
};

/* {"platform", "page_id", "payload"}: the payload re-serialized and parsed as if it had
 * been POSTed to that platform's endpoint for that account. */
static enum ingest_status parse_wrapped(const struct ingest_request *req, const json_t *doc,
                                        json_t *out, char *err, size_t n) {
    const char *platform = norm_str(doc, "platform");
    for (size_t i = 0; platform && i < sizeof wrapped / sizeof *wrapped; i++) {
        if (strcmp(platform, wrapped[i].platform) != 0) continue;
        char *body = json_dumps(json_object_get(doc, "payload"), JSON_COMPACT);
        if (!body) return norm_malformed(err, n, "$.payload: expected an object");
        struct ingest_request inner = { req->tenants, body, strlen(body), norm_str(doc, "page_id"),
                                        req->now_ms };
        enum ingest_status st = wrapped[i].parse(&inner, out, err, n);
        free(body);
        return st;
    }
    return norm_malformed(err, n,
                          "$.platform: expected facebook, instagram, whatsapp, "
                          "telegram or youtube");
}

enum ingest_status ingest_parse_line(const struct ingest_request *req, json_t *out, char *err,
                                     size_t n) {
    json_t *doc = json_doc_load_object(req->body, req->len, err, n);
    if (!doc) return INGEST_MALFORMED;
    enum ingest_status st = json_object_get(doc, "payload") && json_object_get(doc, "page_id")
                                ? parse_wrapped(req, doc, out, err, n)
                                : detect(doc)(req, out, err, n);
    json_decref(doc);
    return st;
}

void ingest_outputs_add(struct stage_outputs *out, const json_t *envs) {
    size_t i;
    const json_t *env;
    json_array_foreach(envs, i, env) {
        size_t len;
        char *value = envelope_dump(env, &len);
        stage_outputs_add(out, TOPIC_INBOUND, envelope_key(env), value, len);
    }
}

unsigned ingest_status_http(enum ingest_status st) {
    switch (st) {
    case INGEST_OK: return 200;
    case INGEST_UNKNOWN_PAGE: return 403;
    default: return 400;
    }
}
