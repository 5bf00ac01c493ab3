/* Ingest's stage logic: turn the bytes a platform or a connector sent into inbound
 * envelopes, or say why not. Every parser here is a pure function (bytes and the tenant
 * set in, envelopes or an error out): it knows nothing of HTTP, Kafka or Redis, so the
 * webhook server, replay, the unit tests and the fuzz targets all call the same code.
 * The mapping from each platform's payload to the envelope is documented in docs/ingest.md. */
#ifndef VIGILE_INGEST_H
#define VIGILE_INGEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "stage.h"
#include "tenant.h"

enum ingest_status {
    INGEST_OK,           /* zero or more envelopes appended */
    INGEST_MALFORMED,    /* not what the platform sends, or a field the envelope refuses */
    INGEST_UNKNOWN_PAGE, /* a page or account no tenant claims: refused, never guessed */
};

struct ingest_request {
    const struct tenant_set *tenants; /* borrowed */
    const char *body;                 /* borrowed raw bytes, not NUL-terminated */
    size_t len;
    /* The account the request was addressed to when the payload cannot say it (a
     * Telegram bot's URL /webhooks/telegram/<page_id>), else NULL. Borrowed. */
    const char *page_id;
    int64_t now_ms; /* received_at of every envelope produced */
};

/* A payload parser. On INGEST_OK it has appended to out (a JSON array) one new envelope
 * per event worth moderating, each valid in ENVELOPE_STRICT mode and keyed by a
 * platform-unique event_id; events that carry nothing to moderate (the page's own posts,
 * reactions, read receipts, deliveries) are skipped. On any other status out may hold
 * part of the request's envelopes, which the caller discards, and err says why in one
 * line. Nothing of req is kept. */
typedef enum ingest_status (*ingest_parse_fn)(const struct ingest_request *req, json_t *out,
                                              char *err, size_t errlen);

/* One envelope as the generic connector endpoint and replay take it (docs/schemas/
 * envelope.schema.json); schema and created_at may be absent, received_at is set to now. */
enum ingest_status ingest_parse_envelope(const struct ingest_request *req, json_t *out, char *err,
                                         size_t errlen);
/* Meta Graph webhooks: object "page" (Page feed, Messenger), "instagram" (comments,
 * messaging) and "whatsapp_business_account" (Cloud API messages). */
enum ingest_status ingest_parse_meta(const struct ingest_request *req, json_t *out, char *err,
                                     size_t errlen);
/* WhatsApp Cloud API only (object "whatsapp_business_account"). */
enum ingest_status ingest_parse_whatsapp(const struct ingest_request *req, json_t *out, char *err,
                                         size_t errlen);
/* One Telegram Bot API Update; req->page_id names the bot's channel. */
enum ingest_status ingest_parse_telegram(const struct ingest_request *req, json_t *out, char *err,
                                         size_t errlen);
/* A YouTube Data API v3 commentThreads.list response, as a poller fetched it. */
enum ingest_status ingest_parse_youtube(const struct ingest_request *req, json_t *out, char *err,
                                        size_t errlen);
/* One replay line: an envelope, a bare Meta, WhatsApp or YouTube payload (each names its
 * own account), or {"platform": P, "page_id": ID, "payload": {...}} for any platform
 * (Telegram needs it: an Update does not say which bot received it). */
enum ingest_status ingest_parse_line(const struct ingest_request *req, json_t *out, char *err,
                                     size_t errlen);

/* Appends each envelope of envs (borrowed array) to out for vigile.inbound, keyed
 * "<tenant>|<author_id>". */
void ingest_outputs_add(struct stage_outputs *out, const json_t *envs);

/* HTTP status of a parse outcome: 200, 400 or 403. */
unsigned ingest_status_http(enum ingest_status st);

#endif
