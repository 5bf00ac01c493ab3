/* The record route keeps of each decision, under its decision id (the event id): what an
 * operator's later overturn or confirmation needs, the raw ids included, which decisions
 * do not carry; and what the author's state was when it was decided, with the time, so
 * that a retry of the same event decides exactly as the first attempt did (state.h). */
#include <stdlib.h>

#include "envelope.h"
#include "route_internal.h"

/* JSON cannot hold "forever" as a number; -1 stands for it in records. */
json_int_t route_until_to_json(int64_t until) {
    return until == STATE_BAN_FOREVER ? -1 : (json_int_t)until;
}

int64_t route_until_from_json(const json_t *v) {
    json_int_t u = json_integer_value(v);
    return u == -1 ? STATE_BAN_FOREVER : (int64_t)u;
}

char *route_record_dump(const json_t *env, const struct verdict *v, const json_t *decision,
                        const struct state_author_view *view, int64_t decided_ms) {
    json_t *rec = json_pack("{s:O, s:s, s:I, s:I, s:{s:I, s:I, s:I}}", "decision", decision,
                            "author_id", envelope_author_id(env),
                            "ban_applied", route_until_to_json(v->ban_until),
                            "ban_proposed", route_until_to_json(v->ban_proposed),
                            "decided_from", "banned_until",
                            route_until_to_json(view->banned_until), "strikes_before",
                            (json_int_t)view->strikes_before, "decided_ms",
                            (json_int_t)decided_ms);
    if (!rec) abort(); /* every value is ours */
    char *s = envelope_dump(rec, NULL);
    json_decref(rec);
    return s;
}

int route_record_read(const char *record, struct state_author_view *view, int64_t *decided_ms) {
    json_t *rec = json_loads(record, 0, NULL);
    const json_t *from = json_object_get(rec, "decided_from");
    const json_t *ms = json_object_get(from, "decided_ms");
    int ok = json_is_integer(ms);
    if (ok) {
        view->banned_until = route_until_from_json(json_object_get(from, "banned_until"));
        view->strikes_before = (long)json_integer_value(json_object_get(from, "strikes_before"));
        *decided_ms = (int64_t)json_integer_value(ms);
    }
    json_decref(rec);
    return ok ? 0 : -1;
}
