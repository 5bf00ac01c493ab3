#include "act_action.h"

#include <stdio.h>
#include <string.h>

#include "strlist.h"
#include "timefmt.h"

static const char *const type_names[] = { "hide", "unhide", "delete", "hold",   "reply",
                                          "warn", "ban",    "unban",  "report", NULL };
static const char *const platform_names[] = { "facebook", "instagram", "youtube", "telegram",
                                              "x",        "whatsapp",  NULL };

const char *act_type_name(enum act_type type) { return type_names[type]; }
const char *act_platform_name(enum act_platform platform) { return platform_names[platform]; }

/* The string member key, or NULL; -1 with err when present but not a non-empty string,
 * or when absent and required. */
static int get_str(json_t *doc, const char *key, int required, const char **out, char *err,
                   size_t n) {
    json_t *v = json_object_get(doc, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (!required) return 0;
        snprintf(err, n, "$.%s: missing", key);
        return -1;
    }
    if (!json_is_string(v) || json_string_length(v) == 0) {
        snprintf(err, n, "$.%s: not a non-empty string", key);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

static int parse_fields(struct act_action *a, char *err, size_t n) {
    const char *type, *platform;
    if (get_str(a->doc, "action_id", 1, &a->action_id, err, n) ||
        get_str(a->doc, "type", 1, &type, err, n) ||
        get_str(a->doc, "decision_id", 1, &a->decision_id, err, n) ||
        get_str(a->doc, "tenant", 1, &a->tenant, err, n) ||
        get_str(a->doc, "platform", 1, &platform, err, n) ||
        get_str(a->doc, "content_id", 1, &a->content_id, err, n) ||
        get_str(a->doc, "author_id", 1, &a->author_id, err, n) ||
        get_str(a->doc, "issued_at", 1, &a->issued_at, err, n) ||
        get_str(a->doc, "page_id", 0, &a->page_id, err, n) ||
        get_str(a->doc, "thread_id", 0, &a->thread_id, err, n) ||
        get_str(a->doc, "text", 0, &a->text, err, n) ||
        get_str(a->doc, "kind", 0, &a->kind, err, n))
        return -1;
    int t = strlist_index(type, type_names), p = strlist_index(platform, platform_names);
    if (t < 0) {
        snprintf(err, n, "$.type: unknown action type \"%s\"", type);
        return -1;
    }
    if (p < 0) {
        snprintf(err, n, "$.platform: unknown platform \"%s\"", platform);
        return -1;
    }
    a->type = (enum act_type)t;
    a->platform = (enum act_platform)p;
    if (rfc3339_parse(a->issued_at, &a->issued_ms)) {
        snprintf(err, n, "$.issued_at: not RFC 3339");
        return -1;
    }
    return 0;
}

/* Checks what only some types carry: a text to send, the end of a ban. */
static int check_type_fields(struct act_action *a, char *err, size_t n) {
    if ((a->type == ACT_REPLY || a->type == ACT_WARN) && !a->text) {
        snprintf(err, n, "$.text: missing (a %s sends a text)", act_type_name(a->type));
        return -1;
    }
    const char *expires = NULL;
    if (get_str(a->doc, "expires_at", 0, &expires, err, n)) return -1;
    if (expires && rfc3339_parse(expires, &a->expires_ms)) {
        snprintf(err, n, "$.expires_at: not RFC 3339");
        return -1;
    }
    return 0;
}

int act_action_parse(const char *buf, size_t len, struct act_action *a, char *err, size_t n) {
    json_error_t je;
    memset(a, 0, sizeof *a);
    a->doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (!a->doc) {
        snprintf(err, n, "JSON %d:%d: %s", je.line, je.column, je.text);
        return -1;
    }
    if (!json_is_object(a->doc)) {
        snprintf(err, n, "$: not an object");
    } else if (parse_fields(a, err, n) == 0 && check_type_fields(a, err, n) == 0) {
        return 0;
    }
    act_action_free(a);
    return -1;
}

void act_action_free(struct act_action *a) {
    if (!a) return;
    json_decref(a->doc);
    memset(a, 0, sizeof *a);
}

void act_action_order_key(const struct act_action *a, char *buf, size_t n) {
    snprintf(buf, n, "%s:%s", act_platform_name(a->platform), a->content_id);
}
