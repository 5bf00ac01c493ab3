#include "op_event.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "timefmt.h"
#include "xmalloc.h"

static int is_decision_type(const char *type) {
    return strcmp(type, "overturn") == 0 || strcmp(type, "confirm") == 0;
}

static int is_ticket_type(const char *type) {
    return strcmp(type, "ack") == 0 || strcmp(type, "reply") == 0 || strcmp(type, "resolve") == 0;
}

/* A random event id: operator events have no platform id to reuse. */
static void random_id(char out[33]) {
    unsigned char raw[16];
    RAND_bytes(raw, sizeof raw);
    for (int i = 0; i < 16; i++) snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

json_t *op_event_build(const struct op_request *req, int64_t now_ms, char *err, size_t n) {
    if (!is_decision_type(req->type) && !is_ticket_type(req->type)) {
        snprintf(err, n, "unknown event type \"%s\" (overturn, confirm, ack, reply, resolve)",
                 req->type);
        return NULL;
    }
    if (!req->tenant || !req->op_name) {
        snprintf(err, n, "--tenant and --operator are required");
        return NULL;
    }
    if (is_decision_type(req->type) && !req->decision) {
        snprintf(err, n, "--decision is required for %s", req->type);
        return NULL;
    }
    if (is_ticket_type(req->type) && !req->ticket) {
        snprintf(err, n, "--ticket is required for %s", req->type);
        return NULL;
    }
    char id[33], at[RFC3339_LEN];
    random_id(id);
    json_t *ev =
        json_pack("{s:{s:s,s:i}, s:s, s:s, s:s, s:s, s:s}", "schema", "name", "vigile.operator",
                  "version", 1, "event_id", id, "type", req->type, "tenant", req->tenant,
                  "operator", req->op_name, "at", rfc3339_format(now_ms, at));
    if (!ev) {
        snprintf(err, n, "arguments must be UTF-8");
        return NULL;
    }
    if (req->decision) json_object_set_new(ev, "decision_id", json_string(req->decision));
    if (req->ticket) json_object_set_new(ev, "ticket_id", json_string(req->ticket));
    if (req->note) json_object_set_new(ev, "note", json_string(req->note));
    return ev;
}

char *op_event_key(const struct op_request *req) {
    return xasprintf("%s|%s", req->tenant, req->decision ? req->decision : req->ticket);
}
