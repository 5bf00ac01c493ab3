/* Meta Graph webhooks for Facebook Pages and Instagram accounts: a POST carries
 * {"object": "page"|"instagram", "entry": [...]}, each entry one page or account (its id)
 * with "changes" (Page feed, Instagram comments) and/or "messaging" (Messenger, Instagram
 * Direct). WhatsApp shares the envelope of the request but not its shape: whatsapp.c. */
#include <string.h>

#include "ingest.h"
#include "platform_event.h"

struct meta_entry {
    const char *platform; /* "facebook" or "instagram" */
    const char *page_id;  /* entry.id */
    int64_t time_ms;      /* entry.time: when the platform sent the change */
    size_t index;         /* in entry[], for error messages */
};

static const char *feed_event_type(const char *verb) {
    if (!verb) return NULL;
    if (strcmp(verb, "add") == 0) return EVENT_CREATED;
    if (strcmp(verb, "edited") == 0) return EVENT_EDITED; /* Meta's verb, our event type */
    if (strcmp(verb, "remove") == 0) return EVENT_DELETED;
    return NULL; /* hide/unhide are moderation acts (maybe ours), not citizens' events */
}

static int is_post_item(const char *item) {
    static const char *const items[] = { "post", "status", "photo", "video", "share", NULL };
    for (const char *const *p = items; *p; p++)
        if (strcmp(item, *p) == 0) return 1;
    return 0;
}

/* A Page feed change: a comment or a visitor's post, added, edited or removed. */
static enum ingest_status feed_change(const struct ingest_request *req, const struct meta_entry *e,
                                      const json_t *value, json_t *out, char *err, size_t n) {
    const char *item = norm_str(value, "item");
    const char *type = feed_event_type(norm_str(value, "verb"));
    if (!item || !type) return INGEST_OK; /* reactions, likes, hides: nothing to read */
    int comment = strcmp(item, "comment") == 0;
    if (!comment && !is_post_item(item)) return INGEST_OK;
    const json_t *from = json_object_get(value, "from");
    char from_buf[NORM_ID_LEN];
    struct norm_event ev = {
        .platform = "facebook",
        .page_id = e->page_id,
        .event_type = type,
        .content_id = norm_str(value, comment ? "comment_id" : "post_id"),
        .thread_id = norm_str(value, "post_id"),
        .author_id = norm_id(json_object_get(from, "id"), from_buf),
        .author_name = norm_str(from, "name"),
        .text = norm_str(value, "message"),
        .post_text = norm_str(json_object_get(value, "post"), "message"),
    };
    if (ev.author_id && strcmp(ev.author_id, e->page_id) == 0) return INGEST_OK; /* the page */
    if (!ev.content_id)
        return norm_malformed(err, n, "$.entry[%zu]: feed %s without %s", e->index, item,
                              comment ? "comment_id" : "post_id");
    /* A photo without words has nothing to moderate; its removal still matters. */
    if (!ev.text && strcmp(type, EVENT_DELETED) != 0) return INGEST_OK;
    const char *parent = norm_str(value, "parent_id");
    if (comment) {
        int top = !parent || (ev.thread_id && strcmp(parent, ev.thread_id) == 0);
        ev.kind = top ? "comment" : "reply";
        ev.parent_id = parent;
    } else {
        ev.kind = "post";
    }
    if (norm_time(json_object_get(value, "created_time"), &ev.at_ms)) ev.at_ms = e->time_ms;
    if (strcmp(type, EVENT_CREATED) != 0) ev.at_ms = e->time_ms; /* when it was edited/removed */
    return norm_append(req, &ev, out, err, n);
}

/* An Instagram comment (field "comments", or "live_comments" during a live video). */
static enum ingest_status ig_comment(const struct ingest_request *req, const struct meta_entry *e,
                                     const json_t *value, json_t *out, char *err, size_t n) {
    const json_t *from = json_object_get(value, "from");
    char from_buf[NORM_ID_LEN];
    const char *parent = norm_str(value, "parent_id");
    struct norm_event ev = {
        .platform = "instagram",
        .page_id = e->page_id,
        .event_type = EVENT_CREATED,
        .kind = parent ? "reply" : "comment",
        .content_id = norm_str(value, "id"),
        .thread_id = norm_str(json_object_get(value, "media"), "id"),
        .parent_id = parent,
        .author_id = norm_id(json_object_get(from, "id"), from_buf),
        .author_name = norm_str(from, "username"),
        .text = norm_str(value, "text"),
        .at_ms = e->time_ms,
    };
    if (ev.author_id && strcmp(ev.author_id, e->page_id) == 0) return INGEST_OK; /* the account */
    if (!ev.content_id) return norm_malformed(err, n, "$.entry[%zu]: comment without id", e->index);
    return norm_append(req, &ev, out, err, n);
}

static enum ingest_status change(const struct ingest_request *req, const struct meta_entry *e,
                                 const json_t *ch, json_t *out, char *err, size_t n) {
    const char *field = norm_str(ch, "field");
    const json_t *value = json_object_get(ch, "value");
    if (!field || !json_is_object(value))
        return norm_malformed(err, n, "$.entry[%zu].changes: expected {field, value}", e->index);
    if (strcmp(e->platform, "facebook") == 0 && strcmp(field, "feed") == 0)
        return feed_change(req, e, value, out, err, n);
    if (strcmp(e->platform, "instagram") == 0 &&
        (strcmp(field, "comments") == 0 || strcmp(field, "live_comments") == 0))
        return ig_comment(req, e, value, out, err, n);
    return INGEST_OK; /* fields we do not subscribe to (mentions carry no text) */
}

/* A Messenger or Instagram Direct event: a message, its edit or (Instagram) its removal.
 * Echoes are the page's own replies; reads, deliveries and reactions carry no text. */
static enum ingest_status messaging(const struct ingest_request *req, const struct meta_entry *e,
                                    const json_t *m, json_t *out, char *err, size_t n) {
    const json_t *msg = json_object_get(m, "message");
    const json_t *edit = json_object_get(m, "message_edit");
    if (!msg && !edit) return INGEST_OK;
    if (json_is_true(json_object_get(msg, "is_echo"))) return INGEST_OK;
    char sender_buf[NORM_ID_LEN];
    const json_t *body = msg ? msg : edit;
    struct norm_event ev = {
        .platform = e->platform,
        .page_id = e->page_id,
        .event_type = edit                                               ? EVENT_EDITED
                      : json_is_true(json_object_get(msg, "is_deleted")) ? EVENT_DELETED
                                                                         : EVENT_CREATED,
        .kind = "private_message",
        .content_id = norm_str(body, "mid"),
        .author_id = norm_id(json_object_get(json_object_get(m, "sender"), "id"), sender_buf),
        .text = norm_str(body, "text"),
    };
    ev.thread_id = ev.author_id; /* a conversation is the page and one person */
    if (!ev.content_id) return norm_malformed(err, n, "$.entry[%zu].messaging: no mid", e->index);
    if (!ev.text && strcmp(ev.event_type, EVENT_DELETED) != 0) return INGEST_OK; /* a sticker */
    if (norm_time(json_object_get(m, "timestamp"), &ev.at_ms)) ev.at_ms = e->time_ms;
    return norm_append(req, &ev, out, err, n);
}

/* Runs fn on each object of entry[index][key] (absent is fine). */
static enum ingest_status each(const struct ingest_request *req, const struct meta_entry *e,
                               const json_t *entry, const char *key,
                               enum ingest_status (*fn)(const struct ingest_request *,
                                                        const struct meta_entry *, const json_t *,
                                                        json_t *, char *, size_t),
                               json_t *out, char *err, size_t n) {
    const json_t *list = json_object_get(entry, key);
    if (!list) return INGEST_OK;
    if (!json_is_array(list))
        return norm_malformed(err, n, "$.entry[%zu].%s: expected an array", e->index, key);
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item) {
        if (!json_is_object(item))
            return norm_malformed(err, n, "$.entry[%zu].%s[%zu]: expected an object", e->index, key,
                                  i);
        enum ingest_status st = fn(req, e, item, out, err, n);
        if (st != INGEST_OK) return st;
    }
    return INGEST_OK;
}

enum ingest_status ingest_parse_meta(const struct ingest_request *req, json_t *out, char *err,
                                     size_t n) {
    json_t *root = json_doc_load_object(req->body, req->len, err, n);
    if (!root) return INGEST_MALFORMED;
    const char *object = norm_str(root, "object");
    const char *platform = !object                            ? NULL
                           : strcmp(object, "page") == 0      ? "facebook"
                           : strcmp(object, "instagram") == 0 ? "instagram"
                                                              : NULL;
    enum ingest_status st = INGEST_OK;
    const json_t *entries = json_object_get(root, "entry");
    if (object && strcmp(object, "whatsapp_business_account") == 0) {
        st = ingest_parse_whatsapp(req, out, err, n);
    } else if (!platform) {
        st = norm_malformed(err, n,
                            "$.object: expected \"page\", \"instagram\" or "
                            "\"whatsapp_business_account\"");
    } else if (!json_is_array(entries)) {
        st = norm_malformed(err, n, "$.entry: expected an array");
    } else {
        size_t i;
        const json_t *entry;
        json_array_foreach(entries, i, entry) {
            char id_buf[NORM_ID_LEN];
            struct meta_entry e = { platform, norm_id(json_object_get(entry, "id"), id_buf), 0, i };
            if (!e.page_id) {
                st = norm_malformed(err, n, "$.entry[%zu].id: missing", i);
                break;
            }
            norm_time(json_object_get(entry, "time"), &e.time_ms); /* 0 (now) when absent */
            st = each(req, &e, entry, "changes", change, out, err, n);
            if (st == INGEST_OK) st = each(req, &e, entry, "messaging", messaging, out, err, n);
            if (st != INGEST_OK) break;
        }
    }
    json_decref(root);
    return st;
}
