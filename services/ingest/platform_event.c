#include "platform_event.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "timefmt.h"

/* Epoch values above this are milliseconds: as seconds they would be after the year 5000,
 * as milliseconds it is March 1973, before any platform here existed. */
#define EPOCH_MS_THRESHOLD 100000000000LL

enum ingest_status norm_malformed(char *err, size_t n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
    return INGEST_MALFORMED;
}

json_t *norm_load_list(const char *body, size_t len, const char *key, const char *want,
                       const char *list_key, const json_t **list, char *err, size_t n) {
    json_t *root = json_doc_load_object(body, len, err, n);
    if (!root) return NULL;
    const char *mark = norm_str(root, key);
    *list = json_object_get(root, list_key);
    if (!mark || strcmp(mark, want) != 0) {
        snprintf(err, n, "$.%s: expected \"%s\"", key, want);
    } else if (!json_is_array(*list)) {
        snprintf(err, n, "$.%s: expected an array", list_key);
    } else {
        return root;
    }
    json_decref(root);
    return NULL;
}

const char *norm_str(const json_t *obj, const char *key) {
    const char *s = json_string_value(json_object_get(obj, key));
    return s && *s ? s : NULL;
}

const char *norm_id(const json_t *v, char *buf) {
    if (json_is_integer(v)) {
        snprintf(buf, NORM_ID_LEN, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf;
    }
    const char *s = json_string_value(v);
    return s && *s ? s : NULL;
}

static int epoch_ms(long long v, int64_t *ms) {
    if (v <= 0) return -1;
    *ms = v > EPOCH_MS_THRESHOLD ? v : v * 1000;
    return 0;
}

/* Graph writes offsets without the colon RFC 3339 requires ("+0000"); put it back. */
static int graph_time(const char *s, int64_t *ms) {
    size_t len = strlen(s);
    if (len < 5 || len > 40 || (s[len - 5] != '+' && s[len - 5] != '-')) return -1;
    char fixed[48];
    snprintf(fixed, sizeof fixed, "%.*s:%s", (int)(len - 2), s, s + len - 2);
    return rfc3339_parse(fixed, ms);
}

int norm_time(const json_t *v, int64_t *ms) {
    if (json_is_integer(v)) return epoch_ms((long long)json_integer_value(v), ms);
    if (json_is_real(v)) {
        double d = json_real_value(v);
        return d > 0 && d < 1e15 ? epoch_ms((long long)d, ms) : -1;
    }
    const char *s = json_string_value(v);
    if (!s || !*s) return -1;
    if (strspn(s, "0123456789") == strlen(s))
        return strlen(s) <= 15 ? epoch_ms(strtoll(s, NULL, 10), ms) : -1;
    return rfc3339_parse(s, ms) == 0 ? 0 : graph_time(s, ms);
}

/* The first 8 bytes of SHA-256(text) in hex: names an edit by what it says, so a retried
 * delivery of one edit keeps its id and the next edit gets a new one. */
static void text_digest(const char *text, char hex[17]) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL)) abort();
    for (int i = 0; i < 8; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

static void set_str(json_t *obj, const char *key, const char *value) {
    if (!value) return;
    /* Strings from a jansson-parsed payload are valid UTF-8; a NULL here is a bug. */
    json_t *s = json_string(value);
    if (!s) abort();
    json_object_set_new(obj, key, s);
}

enum ingest_status norm_append(const struct ingest_request *req, const struct norm_event *ev,
                               json_t *out, char *err, size_t n) {
    const char *page = ev->page_id ? ev->page_id : "";
    const struct tenant *t = tenant_set_find_page(req->tenants, ev->platform, page);
    if (!t) {
        snprintf(err, n, "%s account \"%.100s\" belongs to no tenant", ev->platform, page);
        return INGEST_UNKNOWN_PAGE;
    }
    const struct tenant_channel *ch = tenant_channel_by_page(t, ev->platform, page);
    int deleted = strcmp(ev->event_type, EVENT_DELETED) == 0;
    const char *text = deleted ? NORM_DELETED_TEXT : ev->text;
    if (!text)
        return norm_malformed(err, n, "%s %s %.100s: no text", ev->platform, ev->kind,
                              ev->content_id ? ev->content_id : "?");
    char event_id[300], digest[17] = "";
    if (strcmp(ev->event_type, EVENT_EDITED) == 0) text_digest(text, digest);
    snprintf(event_id, sizeof event_id, "%s:%.256s%s%s%s", ev->platform,
             ev->content_id ? ev->content_id : "", digest[0] ? ":edited:" : "", digest,
             deleted ? ":deleted" : "");
    char created[RFC3339_LEN], received[RFC3339_LEN];
    rfc3339_format(ev->at_ms > 0 ? ev->at_ms : req->now_ms, created);
    rfc3339_format(req->now_ms, received);

    json_t *env = json_object();
    json_object_set_new(
        env, "schema",
        json_pack("{s:s, s:i}", "name", ENVELOPE_SCHEMA_NAME, "version", ENVELOPE_SCHEMA_VERSION));
    set_str(env, "event_id", event_id);
    set_str(env, "event_type", ev->event_type);
    set_str(env, "tenant", tenant_id(t));
    set_str(env, "channel", ch->id);
    set_str(env, "platform", ev->platform);
    set_str(env, "kind", ev->kind);
    set_str(env, "content_id", ev->content_id ? ev->content_id : "");
    set_str(env, "thread_id", ev->thread_id);
    set_str(env, "parent_id", ev->parent_id);
    json_t *author = json_object();
    set_str(author, "id", ev->author_id ? ev->author_id : "");
    set_str(author, "name", ev->author_name);
    json_object_set_new(env, "author", author);
    set_str(env, "text", text);
    set_str(env, "created_at", created);
    set_str(env, "received_at", received);
    if (ev->post_text)
        json_object_set_new(env, "context", json_pack("{s:s}", "post_text", ev->post_text));
    char why[256];
    if (envelope_validate(env, ENVELOPE_STRICT, why, sizeof why) ||
        envelope_check_size(env, why, sizeof why)) {
        json_decref(env);
        /* Name the event as well as the field: a batch may carry many. */
        return norm_malformed(err, n, "%s %s \"%.100s\": envelope %s", ev->platform, ev->kind,
                              ev->content_id ? ev->content_id : "", why);
    }
    json_array_append_new(out, env);
    return INGEST_OK;
}
