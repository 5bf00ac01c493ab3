/* WhatsApp Cloud API webhooks: {"object": "whatsapp_business_account", "entry": [{"id":
 * WABA id, "changes": [{"field": "messages", "value": {"metadata": {"phone_number_id"},
 * "contacts": [...], "messages": [...], "statuses": [...]}}]}]}. A WABA may hold numbers of
 * several municipalities, so the channel is the phone number id, not the entry id. */
#include <stdio.h>
#include <string.h>

#include "ingest.h"
#include "platform_event.h"

/* The profile name WhatsApp sent for wa_id in contacts[], or NULL. */
static const char *contact_name(const json_t *value, const char *wa_id) {
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(value, "contacts"), i, c) {
        const char *id = norm_str(c, "wa_id");
        if (id && strcmp(id, wa_id) == 0) return norm_str(json_object_get(c, "profile"), "name");
    }
    return NULL;
}

/* The words of a message: a text's body or a medium's caption; NULL for a location, a
 * sticker, a reaction (nothing to moderate as text). */
static const char *message_text(const json_t *msg) {
    const char *type = norm_str(msg, "type");
    if (!type) return NULL;
    const json_t *part = json_object_get(msg, type);
    if (strcmp(type, "text") == 0) return norm_str(part, "body");
    static const char *const captioned[] = { "image", "video", "document", NULL };
    for (const char *const *p = captioned; *p; p++)
        if (strcmp(type, *p) == 0) return norm_str(part, "caption");
    return NULL;
}

static enum ingest_status messages(const struct ingest_request *req, const json_t *value,
                                   const char *where, json_t *out, char *err, size_t n) {
    const char *phone_id = norm_str(json_object_get(value, "metadata"), "phone_number_id");
    const json_t *list = json_object_get(value, "messages");
    if (!list) return INGEST_OK; /* statuses only: our own messages' delivery */
    if (!phone_id) return norm_malformed(err, n, "%s.metadata.phone_number_id: missing", where);
    if (!json_is_array(list))
        return norm_malformed(err, n, "%s.messages: expected an array", where);
    size_t i;
    const json_t *msg;
    json_array_foreach(list, i, msg) {
        struct norm_event ev = {
            .platform = "whatsapp",
            .page_id = phone_id,
            .event_type = EVENT_CREATED,
            .kind = "private_message",
            .content_id = norm_str(msg, "id"),
            .author_id = norm_str(msg, "from"),
            .text = message_text(msg),
            .parent_id = norm_str(json_object_get(msg, "context"), "id"),
        };
        if (!ev.content_id || !ev.author_id)
            return norm_malformed(err, n, "%s.messages[%zu]: id and from are required", where, i);
        if (!ev.text) continue;
        ev.thread_id = ev.author_id; /* one conversation per citizen's number */
        ev.author_name = contact_name(value, ev.author_id);
        if (norm_time(json_object_get(msg, "timestamp"), &ev.at_ms))
            return norm_malformed(err, n, "%s.messages[%zu].timestamp: not epoch seconds", where,
                                  i);
        enum ingest_status st = norm_append(req, &ev, out, err, n);
        if (st != INGEST_OK) return st;
    }
    return INGEST_OK;
}

enum ingest_status ingest_parse_whatsapp(const struct ingest_request *req, json_t *out, char *err,
                                         size_t n) {
    const json_t *entries;
    json_t *root = norm_load_list(req->body, req->len, "object", "whatsapp_business_account",
                                  "entry", &entries, err, n);
    if (!root) return INGEST_MALFORMED;
    enum ingest_status st = INGEST_OK;
    size_t i, j;
    const json_t *entry, *ch;
    json_array_foreach(entries, i, entry) {
        json_array_foreach(json_object_get(entry, "changes"), j, ch) {
            if (st != INGEST_OK) break;
            const char *field = norm_str(ch, "field");
            if (!field || strcmp(field, "messages") != 0) continue;
            char where[96];
            snprintf(where, sizeof where, "$.entry[%zu].changes[%zu].value", i, j);
            st = messages(req, json_object_get(ch, "value"), where, out, err, n);
        }
    }
    json_decref(root);
    return st;
}
