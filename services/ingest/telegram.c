/* Telegram Bot API: one Update per POST ({"update_id", "message" | "edited_message" |
 * ...}). A municipality's bot sits in the discussion group of its channel and receives
 * citizens' comments there and their private messages; the Update does not name the bot,
 * so the webhook URL does (/webhooks/telegram/<page_id>, set with setWebhook). */
#include <stdio.h>
#include <string.h>

#include "ingest.h"
#include "platform_event.h"

/* "<chat id>:<message id>": message ids are unique only within a chat. */
static const char *chat_message_id(const char *chat, const json_t *message_id, char *buf,
                                   size_t n) {
    char id[NORM_ID_LEN];
    const char *m = norm_id(message_id, id);
    if (!m) return NULL;
    snprintf(buf, n, "%s:%s", chat, m);
    return buf;
}

/* "First Last", or the @username, or NULL. */
static const char *person_name(const json_t *from, char *buf, size_t n) {
    const char *first = norm_str(from, "first_name"), *last = norm_str(from, "last_name");
    if (!first) return norm_str(from, "username");
    snprintf(buf, n, "%s%s%s", first, last ? " " : "", last ? last : "");
    return buf;
}

static const char *text_of(const json_t *msg) {
    const char *t = norm_str(msg, "text");
    return t ? t : norm_str(msg, "caption");
}

enum ingest_status ingest_parse_telegram(const struct ingest_request *req, json_t *out, char *err,
                                         size_t n) {
    json_t *root = json_doc_load_object(req->body, req->len, err, n);
    if (!root) return INGEST_MALFORMED;
    enum ingest_status st = INGEST_OK;
    const json_t *msg = json_object_get(root, "message");
    const json_t *edited = json_object_get(root, "edited_message");
    if (!json_is_integer(json_object_get(root, "update_id"))) {
        st = norm_malformed(err, n, "$.update_id: expected an integer");
        goto out;
    }
    /* Channel posts are the municipality's own; callbacks, polls and joins carry no text. */
    if (!msg) msg = edited;
    if (!json_is_object(msg)) goto out;
    const json_t *chat = json_object_get(msg, "chat"), *from = json_object_get(msg, "from");
    const json_t *reply_to = json_object_get(msg, "reply_to_message");
    const json_t *sender_chat = json_object_get(msg, "sender_chat");
    const char *text = text_of(msg);
    /* The channel's post forwarded into its group, and bots (ours included), are not
     * citizens; a user posting as their own channel is, under that channel's id. */
    if (!text || json_is_true(json_object_get(msg, "is_automatic_forward")) ||
        json_is_true(json_object_get(from, "is_bot")))
        goto out;
    char chat_buf[NORM_ID_LEN], author_buf[NORM_ID_LEN], content[80], thread[80], parent[80];
    char name[256];
    const char *chat_id = norm_id(json_object_get(chat, "id"), chat_buf);
    const json_t *who = json_is_object(sender_chat) ? sender_chat : from;
    struct norm_event ev = {
        .platform = "telegram",
        .page_id = req->page_id,
        .event_type = edited && msg == edited ? EVENT_EDITED : EVENT_CREATED,
        .author_id = norm_id(json_object_get(who, "id"), author_buf),
        .author_name =
            who == from ? person_name(from, name, sizeof name) : norm_str(sender_chat, "title"),
        .text = text,
        .post_text = text_of(reply_to),
    };
    if (!chat_id || !ev.author_id) {
        st = norm_malformed(err, n, "$.message: chat.id and from.id are required");
        goto out;
    }
    ev.content_id =
        chat_message_id(chat_id, json_object_get(msg, "message_id"), content, sizeof content);
    ev.parent_id =
        chat_message_id(chat_id, json_object_get(reply_to, "message_id"), parent, sizeof parent);
    /* In a discussion group a comment thread is the forwarded channel post. */
    ev.thread_id =
        chat_message_id(chat_id, json_object_get(msg, "message_thread_id"), thread, sizeof thread);
    if (!ev.thread_id) ev.thread_id = ev.parent_id ? ev.parent_id : ev.content_id;
    const char *chat_type = norm_str(chat, "type");
    if (chat_type && strcmp(chat_type, "private") == 0)
        ev.kind = "private_message";
    else if (!reply_to)
        ev.kind = "post";
    else if (json_is_true(json_object_get(reply_to, "is_automatic_forward")))
        ev.kind = "comment";
    else
        ev.kind = "reply";
    const json_t *when = json_object_get(msg, ev.event_type[0] == 'e' ? "edit_date" : "date");
    if (norm_time(when, &ev.at_ms)) {
        st = norm_malformed(err, n, "$.message.date: not epoch seconds");
        goto out;
    }
    st = norm_append(req, &ev, out, err, n);
out:
    json_decref(root);
    return st;
}
