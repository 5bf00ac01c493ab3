#include "act_request.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* Percent-encodes s for a URL path segment or a form value (RFC 3986 unreserved kept). */
static char *escape(const char *s) {
    static const char hex[] = "0123456789ABCDEF";
    char *out = xmalloc(strlen(s) * 3 + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return out;
}

/* "<base><prefix>/<escaped id><suffix>": ids from platforms go into paths escaped. */
static char *url_id(const char *base, const char *prefix, const char *id, const char *suffix) {
    char *e = escape(id);
    char *url = xasprintf("%s%s/%s%s", base, prefix, e, suffix);
    free(e);
    return url;
}

static void set_form(struct act_request *r, const char *key, const char *value) {
    char *e = escape(value);
    r->body = xasprintf("%s=%s", key, e);
    r->content_type = "application/x-www-form-urlencoded";
    free(e);
}

/* Steals body. */
static void set_json(struct act_request *r, json_t *body) {
    r->body = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    r->content_type = "application/json";
    json_decref(body);
}

static void start(struct act_request *r, const char *method, char *url, const char *token,
                  int idempotent) {
    r->method = method;
    r->url = url;
    r->authorization = token ? xasprintf("Bearer %s", token) : NULL;
    r->idempotent = idempotent;
}

static int is_private(const struct act_action *a) {
    return a->kind && strcmp(a->kind, "private_message") == 0;
}

static int cannot(char *why, size_t n, const char *reason) {
    snprintf(why, n, "%s", reason);
    return -1;
}

/* The calls made on the page's behalf (messages, blocks) name the page; a command from a
 * channel the tenant has not configured carries none. */
static int need_page(const struct act_action *a, char *why, size_t n) {
    if (a->page_id) return 0;
    return cannot(why, n,
                  "il comando non indica la pagina (page_id): il canale non è "
                  "configurato");
}

#define TEMP_BAN_REASON                                                    \
    "ban temporaneo: la piattaforma non prevede una scadenza del blocco, " \
    "che un operatore deve togliere alla data indicata"
#define REPORT_REASON                                               \
    "la piattaforma non offre un'API per segnalare un account: la " \
    "segnalazione va fatta da un operatore dall'interfaccia della piattaforma"

/* A Messenger / Instagram Direct message from the page: to the author of a private
 * conversation, or as a private reply to a comment (recipient comment_id). */
static void meta_message(struct act_request *r, const struct act_action *a, const char *base,
                         const char *token) {
    start(r, "POST", url_id(base, "", a->page_id, "/messages"), token, 0);
    json_t *to = is_private(a) ? json_pack("{s:s}", "id", a->author_id)
                               : json_pack("{s:s}", "comment_id", a->content_id);
    set_json(r, json_pack("{s:o, s:s, s:{s:s}}", "recipient", to, "messaging_type", "RESPONSE",
                          "message", "text", a->text));
}

/* What the Graph API does alike for a Facebook and an Instagram comment: hide or unhide it
 * (the form field hidden_field), delete it, answer it under reply_edge. Returns 1 when a's
 * type is one of these and the request is built, else 0 (replies to private messages
 * included: they go through the Send API). */
static int graph_comment(struct act_request *r, const struct act_action *a, const char *base,
                         const char *token, const char *hidden_field, const char *reply_edge) {
    switch (a->type) {
    case ACT_HIDE:
    case ACT_HOLD:
    case ACT_UNHIDE:
        start(r, "POST", url_id(base, "", a->content_id, ""), token, 1);
        set_form(r, hidden_field, a->type == ACT_UNHIDE ? "false" : "true");
        return 1;
    case ACT_DELETE: start(r, "DELETE", url_id(base, "", a->content_id, ""), token, 1); return 1;
    case ACT_REPLY:
        if (is_private(a)) return 0;
        start(r, "POST", url_id(base, "", a->content_id, reply_edge), token, 0);
        set_form(r, "message", a->text);
        return 1;
    default: return 0;
    }
}

static int facebook(struct act_request *r, const struct act_action *a, const char *base,
                    const char *token, char *why, size_t n) {
    if (graph_comment(r, a, base, token, "is_hidden", "/comments")) return 0;
    switch (a->type) {
    case ACT_REPLY:
    case ACT_WARN: break;
    case ACT_BAN:
        if (a->expires_ms) return cannot(why, n, TEMP_BAN_REASON);
        if (need_page(a, why, n)) return -1;
        start(r, "POST", url_id(base, "", a->page_id, "/blocked"), token, 1);
        set_form(r, "user", a->author_id);
        return 0;
    case ACT_UNBAN: {
        if (need_page(a, why, n)) return -1;
        char *e = escape(a->author_id);
        char *q = xasprintf("/blocked?user=%s", e);
        start(r, "DELETE", url_id(base, "", a->page_id, q), token, 1);
        free(q), free(e);
        return 0;
    }
    default: return cannot(why, n, REPORT_REASON);
    }
    if (need_page(a, why, n)) return -1;
    meta_message(r, a, base, token); /* warnings, and replies in Messenger */
    return 0;
}

static int instagram(struct act_request *r, const struct act_action *a, const char *base,
                     const char *token, char *why, size_t n) {
    if (graph_comment(r, a, base, token, "hide", "/replies")) return 0;
    switch (a->type) {
    case ACT_REPLY:
    case ACT_WARN: break;
    case ACT_BAN:
    case ACT_UNBAN:
        return cannot(why, n,
                      "l'API di Instagram non permette di bloccare o sbloccare un "
                      "account: un operatore deve farlo dall'app");
    default: return cannot(why, n, REPORT_REASON);
    }
    if (need_page(a, why, n)) return -1;
    meta_message(r, a, base, token);
    return 0;
}

/* comments.setModerationStatus: the one moderation call of the Data API. */
static void youtube_status(struct act_request *r, const struct act_action *a, const char *base,
                           const char *token, const char *status, int ban) {
    char *e = escape(a->content_id);
    char *url = xasprintf("%s/comments/setModerationStatus?id=%s&moderationStatus=%s%s", base, e,
                          status, ban ? "&banAuthor=true" : "");
    free(e);
    start(r, "POST", url, token, 1);
}

static int youtube(struct act_request *r, const struct act_action *a, const char *base,
                   const char *token, char *why, size_t n) {
    switch (a->type) {
    case ACT_HIDE:
    case ACT_HOLD: youtube_status(r, a, base, token, "heldForReview", 0); return 0;
    case ACT_UNHIDE: youtube_status(r, a, base, token, "published", 0); return 0;
    case ACT_DELETE: youtube_status(r, a, base, token, "rejected", 0); return 0;
    case ACT_BAN:
        if (a->expires_ms) return cannot(why, n, TEMP_BAN_REASON);
        youtube_status(r, a, base, token, "rejected", 1);
        return 0;
    case ACT_REPLY:
        start(r, "POST", xasprintf("%s/comments?part=snippet", base), token, 0);
        set_json(r,
                 json_pack("{s:{s:s, s:s}}", "snippet", "parentId",
                           a->thread_id ? a->thread_id : a->content_id, "textOriginal", a->text));
        return 0;
    case ACT_WARN:
        return cannot(why, n,
                      "YouTube non ha messaggi privati e un avviso pubblico esporrebbe "
                      "l'autore: l'avviso va dato da un operatore");
    case ACT_UNBAN:
        return cannot(why, n,
                      "l'API di YouTube non permette di togliere un ban: un operatore "
                      "deve farlo da YouTube Studio (utenti nascosti)");
    default: return cannot(why, n, REPORT_REASON);
    }
}

/* content_id is "<chat_id>:<message_id>" (services/ingest/telegram.c). */
static int telegram_ids(const struct act_action *a, json_int_t *chat, json_int_t *msg) {
    const char *colon = strrchr(a->content_id, ':');
    char *end;
    if (!colon) return -1;
    *chat = strtoll(a->content_id, &end, 10);
    if (end != colon) return -1;
    *msg = strtoll(colon + 1, &end, 10);
    return *end ? -1 : 0;
}

static void telegram_call(struct act_request *r, const char *base, const char *token,
                          const char *method, int idempotent, json_t *body) {
    start(r, "POST", xasprintf("%s/bot%s/%s", base, token ? token : "", method), NULL, idempotent);
    set_json(r, body);
}

static int telegram(struct act_request *r, const struct act_action *a, const char *base,
                    const char *token, char *why, size_t n) {
    json_int_t chat, msg, user = strtoll(a->author_id, NULL, 10);
    if (telegram_ids(a, &chat, &msg))
        return cannot(why, n, "content_id non nel formato <chat>:<messaggio> di Telegram");
    switch (a->type) {
    case ACT_DELETE:
        telegram_call(r, base, token, "deleteMessage", 1,
                      json_pack("{s:I, s:I}", "chat_id", chat, "message_id", msg));
        return 0;
    case ACT_REPLY:
    case ACT_WARN:
        telegram_call(r, base, token, "sendMessage", 0,
                      json_pack("{s:I, s:s, s:{s:I}}", "chat_id", chat, "text", a->text,
                                "reply_parameters", "message_id", msg));
        return 0;
    case ACT_BAN: {
        json_t *b = json_pack("{s:I, s:I}", "chat_id", chat, "user_id", user);
        if (a->expires_ms) json_object_set_new(b, "until_date", json_integer(a->expires_ms / 1000));
        telegram_call(r, base, token, "banChatMember", 1, b);
        return 0;
    }
    case ACT_UNBAN:
        telegram_call(
            r, base, token, "unbanChatMember", 1,
            json_pack("{s:I, s:I, s:b}", "chat_id", chat, "user_id", user, "only_if_banned", 1));
        return 0;
    case ACT_REPORT: return cannot(why, n, REPORT_REASON);
    default:
        return cannot(why, n,
                      "Telegram non permette di nascondere un messaggio (solo di "
                      "cancellarlo, in modo irreversibile): decide un operatore");
    }
}

static int x_api(struct act_request *r, const struct act_action *a, const char *base,
                 const char *token, char *why, size_t n) {
    switch (a->type) {
    case ACT_HIDE:
    case ACT_HOLD:
    case ACT_UNHIDE:
        start(r, "PUT", url_id(base, "/tweets", a->content_id, "/hidden"), token, 1);
        set_json(r, json_pack("{s:b}", "hidden", a->type != ACT_UNHIDE));
        return 0;
    case ACT_REPLY:
        start(r, "POST", xasprintf("%s/tweets", base), token, 0);
        set_json(r, json_pack("{s:s, s:{s:s}}", "text", a->text, "reply", "in_reply_to_tweet_id",
                              a->content_id));
        return 0;
    case ACT_WARN:
        start(r, "POST", url_id(base, "/dm_conversations/with", a->author_id, "/messages"), token,
              0);
        set_json(r, json_pack("{s:s}", "text", a->text));
        return 0;
    case ACT_BAN:
        if (a->expires_ms) return cannot(why, n, TEMP_BAN_REASON);
        if (need_page(a, why, n)) return -1;
        start(r, "POST", url_id(base, "/users", a->page_id, "/blocking"), token, 1);
        set_json(r, json_pack("{s:s}", "target_user_id", a->author_id));
        return 0;
    case ACT_UNBAN: {
        if (need_page(a, why, n)) return -1;
        char *e = escape(a->author_id), *suffix = xasprintf("/blocking/%s", e);
        start(r, "DELETE", url_id(base, "/users", a->page_id, suffix), token, 1);
        free(suffix), free(e);
        return 0;
    }
    case ACT_DELETE:
        return cannot(why, n,
                      "X non permette di cancellare i post di altri: il post va "
                      "nascosto o segnalato da un operatore");
    default: return cannot(why, n, REPORT_REASON);
    }
}

static int whatsapp(struct act_request *r, const struct act_action *a, const char *base,
                    const char *token, char *why, size_t n) {
    switch (a->type) {
    case ACT_REPLY:
    case ACT_WARN:
        if (need_page(a, why, n)) return -1; /* the phone number id */
        start(r, "POST", url_id(base, "", a->page_id, "/messages"), token, 0);
        set_json(r, json_pack("{s:s, s:s, s:s, s:s, s:{s:s}, s:{s:s}}", "messaging_product",
                              "whatsapp", "recipient_type", "individual", "to", a->author_id,
                              "type", "text", "text", "body", a->text, "context", "message_id",
                              a->content_id));
        return 0;
    case ACT_BAN:
    case ACT_UNBAN:
        if (a->expires_ms) return cannot(why, n, TEMP_BAN_REASON);
        if (need_page(a, why, n)) return -1;
        start(r, a->type == ACT_BAN ? "POST" : "DELETE",
              url_id(base, "", a->page_id, "/block_users"), token, 1);
        set_json(r, json_pack("{s:s, s:[{s:s}]}", "messaging_product", "whatsapp", "block_users",
                              "user", a->author_id));
        return 0;
    case ACT_REPORT: return cannot(why, n, REPORT_REASON);
    default:
        return cannot(why, n,
                      "WhatsApp è una conversazione privata: non c'è nulla da "
                      "nascondere o cancellare per gli altri; decide un operatore");
    }
}

typedef int (*builder)(struct act_request *, const struct act_action *, const char *, const char *,
                       char *, size_t);
static const builder builders[PLATFORM_N] = { facebook, instagram, youtube,
                                              telegram, x_api,     whatsapp };

int act_request_build(const struct act_action *a, const char *base_url, const char *token,
                      struct act_request *req, char *why, size_t n) {
    memset(req, 0, sizeof *req);
    if (builders[a->platform](req, a, base_url, token, why, n) == 0) return 0;
    act_request_free(req);
    return -1;
}

void act_request_free(struct act_request *req) {
    if (!req) return;
    free(req->url);
    free(req->body);
    free(req->authorization);
    memset(req, 0, sizeof *req);
}

char *act_redact_request_text(const char *s, const char *token, const char *author_id) {
    char *t = act_redact(s, token), *out = act_redact(t, author_id);
    free(t);
    return out;
}

char *act_redact(const char *s, const char *secret) {
    if (!secret || !*secret) return xstrdup(s);
    size_t sl = strlen(secret), count = 0;
    for (const char *p = strstr(s, secret); p; p = strstr(p + sl, secret)) count++;
    char *out = xmalloc(strlen(s) + count * sizeof "[redacted]" + 1), *o = out;
    const char *p = s, *hit;
    while ((hit = strstr(p, secret))) {
        memcpy(o, p, (size_t)(hit - p));
        o = stpcpy(o + (hit - p), "[redacted]");
        p = hit + sl;
    }
    strcpy(o, p);
    return out;
}
