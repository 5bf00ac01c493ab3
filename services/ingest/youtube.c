/* YouTube has no comment webhooks: a poller calls the Data API's commentThreads.list
 * (part=snippet,replies, allThreadsRelatedToChannelId or videoId) and POSTs the response
 * as it came. Each poll resends what was seen before; the event ids make that harmless. */
#include <stdio.h>
#include <string.h>

#include "ingest.h"
#include "platform_event.h"

/* One youtube#comment: a thread's top-level comment or one of its replies. */
static enum ingest_status comment(const struct ingest_request *req, const char *channel,
                                  const char *thread_id, const json_t *c, const char *where,
                                  json_t *out, char *err, size_t n) {
    const json_t *sn = json_object_get(c, "snippet");
    const char *parent = norm_str(sn, "parentId");
    struct norm_event ev = {
        .platform = "youtube",
        .page_id = channel,
        .event_type = EVENT_CREATED,
        .kind = parent ? "reply" : "comment",
        .content_id = norm_str(c, "id"),
        .thread_id = thread_id,
        .parent_id = parent,
        .author_id = norm_str(json_object_get(sn, "authorChannelId"), "value"),
        .author_name = norm_str(sn, "authorDisplayName"),
        /* textOriginal is what was typed; textDisplay may be HTML and is all a
         * non-owner gets. */
        .text = norm_str(sn, "textOriginal"),
    };
    if (!ev.text) ev.text = norm_str(sn, "textDisplay");
    if (!ev.content_id || !json_is_object(sn))
        return norm_malformed(err, n, "%s: id and snippet are required", where);
    if (ev.author_id && strcmp(ev.author_id, channel) == 0) return INGEST_OK; /* the owner */
    int64_t published, updated;
    if (norm_time(json_object_get(sn, "publishedAt"), &published))
        return norm_malformed(err, n, "%s.snippet.publishedAt: not a timestamp", where);
    ev.at_ms = published;
    if (!norm_time(json_object_get(sn, "updatedAt"), &updated) && updated > published) {
        ev.event_type = EVENT_EDITED;
        ev.at_ms = updated;
    }
    return norm_append(req, &ev, out, err, n);
}

static enum ingest_status thread(const struct ingest_request *req, const json_t *t, size_t index,
                                 json_t *out, char *err, size_t n) {
    const json_t *sn = json_object_get(t, "snippet");
    const char *channel = norm_str(sn, "channelId"), *id = norm_str(t, "id");
    char where[96];
    snprintf(where, sizeof where, "$.items[%zu]", index);
    if (!channel || !id)
        return norm_malformed(err, n, "%s: id and snippet.channelId are required", where);
    snprintf(where, sizeof where, "$.items[%zu].snippet.topLevelComment", index);
    enum ingest_status st =
        comment(req, channel, id, json_object_get(sn, "topLevelComment"), where, out, err, n);
    size_t i;
    const json_t *reply;
    json_array_foreach(json_object_get(json_object_get(t, "replies"), "comments"), i, reply) {
        if (st != INGEST_OK) break;
        snprintf(where, sizeof where, "$.items[%zu].replies.comments[%zu]", index, i);
        st = comment(req, channel, id, reply, where, out, err, n);
    }
    return st;
}

enum ingest_status ingest_parse_youtube(const struct ingest_request *req, json_t *out, char *err,
                                        size_t n) {
    const json_t *items;
    json_t *root = norm_load_list(req->body, req->len, "kind", "youtube#commentThreadListResponse",
                                  "items", &items, err, n);
    if (!root) return INGEST_MALFORMED;
    enum ingest_status st = INGEST_OK;
    size_t i;
    const json_t *t;
    json_array_foreach(items, i, t) {
        if (st != INGEST_OK) break;
        st = thread(req, t, i, out, err, n);
    }
    json_decref(root);
    return st;
}
