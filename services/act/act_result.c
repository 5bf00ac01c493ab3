#include "act_result.h"

#include <jansson.h>
#include <stdlib.h>

#include "timefmt.h"

static const char *const outcome_names[] = { "done", "skipped", "failed_permanent",
                                             "handed_to_operator" };

const char *act_outcome_name(enum act_outcome outcome) { return outcome_names[outcome]; }

static json_t *str_or_null(const char *s) { return s && *s ? json_string(s) : json_null(); }

/* {method, url, body}: what was (or would be) sent, with the token and the author's raw
 * id redacted; never the Authorization header. */
static json_t *request_json(const struct act_request *req, const char *token,
                            const char *author_id) {
    if (!req || !req->url) return json_null();
    char *url = act_redact_request_text(req->url, token, author_id);
    char *body = req->body ? act_redact_request_text(req->body, token, author_id) : NULL;
    json_t *j =
        json_pack("{s:s, s:s, s:o}", "method", req->method, "url", url, "body", str_or_null(body));
    free(url);
    free(body);
    return j;
}

char *act_result_json(const struct act_action *a, const struct act_result_info *info) {
    char now[RFC3339_LEN];
    json_t *r = json_pack(
        "{s:{s:s, s:i}, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:o, s:o, s:I, "
        "s:I, s:s}",
        "schema", "name", "vigile.action-result", "version", 1, "action_id", a->action_id,
        "decision_id", a->decision_id, "tenant", a->tenant, "platform",
        act_platform_name(a->platform), "type", act_type_name(a->type), "content_id", a->content_id,
        "mode", info->live ? "live" : "shadow", "outcome", act_outcome_name(info->outcome),
        "attempts", info->attempts, "status",
        info->status ? json_integer(info->status) : json_null(), "error", str_or_null(info->error),
        "reason", str_or_null(info->reason), "request",
        request_json(info->req, info->token, a->author_id), "latency_ms",
        (json_int_t)(info->now_ms > a->issued_ms ? info->now_ms - a->issued_ms : 0), "call_ms",
        (json_int_t)info->call_ms, "finished_at", rfc3339_format(info->now_ms, now));
    char *s = json_dumps(r, JSON_COMPACT);
    json_decref(r);
    return s;
}
