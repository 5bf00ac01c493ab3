/* What every payload parser shares: reading ids and timestamps the way platforms write
 * them, and turning one platform event into an envelope bound to its tenant and channel.
 * Internal to ingest; the parsers' public face is ingest.h. */
#ifndef VIGILE_INGEST_PLATFORM_EVENT_H
#define VIGILE_INGEST_PLATFORM_EVENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "envelope.h"
#include "ingest.h"
#include "json_doc.h"

/* Text carried by a "deleted" event: platforms do not resend what was removed, and the
 * envelope requires a text. Classify reads event_type first (docs/ingest.md). */
#define NORM_DELETED_TEXT "[contenuto rimosso]"

/* Room for an id written from a JSON integer (Telegram's) or borrowed from a string. */
#define NORM_ID_LEN 32

/* One platform event, as a parser read it. Every pointer is borrowed from the payload
 * (or the parser's stack) and only needs to live through norm_append. */
struct norm_event {
    const char *platform;   /* envelope platform: "facebook" */
    const char *page_id;    /* the page or account the event arrived for */
    const char *event_type; /* "created", "edited" or "deleted" */
    const char *kind;       /* envelope kind */
    const char *content_id; /* platform id of the comment, post or message */
    const char *thread_id;  /* post, media, video or conversation; may be NULL */
    const char *parent_id;  /* what it answers; may be NULL */
    const char *author_id;
    const char *author_name; /* may be NULL */
    const char *text;        /* may be NULL only for "deleted" */
    const char *post_text;   /* the parent post's text when the payload carries it, or NULL */
    int64_t at_ms;           /* when it happened (an edit: when edited); 0 when unknown */
};

/* Builds the envelope of ev, bound to the tenant and channel owning ev->page_id, and
 * appends it to out (a JSON array). The event_id is "<platform>:<content_id>", with
 * ":edited:<16 hex of SHA-256(text)>" or ":deleted" after it, so a retried delivery
 * has the same id and a second edit a new one. Returns INGEST_OK, INGEST_UNKNOWN_PAGE, or
 * INGEST_MALFORMED when the envelope would be invalid ("$.author.id: empty"). */
enum ingest_status norm_append(const struct ingest_request *req, const struct norm_event *ev,
                               json_t *out, char *err, size_t errlen);

/* Reads a platform timestamp: epoch seconds or milliseconds (a number or a string of
 * digits), RFC 3339, or Graph's "2026-03-06T17:00:00+0000". Returns 0 and the instant in
 * *ms, or -1. */
int norm_time(const json_t *v, int64_t *ms);

/* An id that is a non-empty JSON string (borrowed) or an integer (written into buf, of
 * NORM_ID_LEN bytes). NULL when absent or of another type. */
const char *norm_id(const json_t *v, char *buf);

/* Borrowed string member, or NULL when absent, not a string or empty. */
const char *norm_str(const json_t *obj, const char *key);

/* Loads body as a JSON object whose member key is the string want (the platform's mark
 * on its payload, "kind": "youtube#commentThreadListResponse") and whose member list_key
 * is an array, borrowed into *list. Returns a new reference, or NULL with the reason in
 * err. */
json_t *norm_load_list(const char *body, size_t len, const char *key, const char *want,
                       const char *list_key, const json_t **list, char *err, size_t errlen);

/* Fills err with a formatted reason and returns INGEST_MALFORMED, so that a parser can
 * `return norm_malformed(...)` at the point it finds the problem. */
enum ingest_status norm_malformed(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
