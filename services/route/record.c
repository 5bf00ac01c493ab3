/* The record route keeps of each decision, under its decision id (the event id): what an
 * operator's later overturn or confirmation needs, the raw ids included, which decisions
 * do not carry; and what the author's state was when it was decided, with the time, so
 * that a retry of the same event decides exactly as the first attempt did (state.h).
 * And, under "content:<platform>:<content_id>", the decisions that opened tickets on a
 * content, which its author's deletion resolves (withdraw.c). */
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "json_write.h"
#include "route_record.h"
#include "route_router.h"
#include "route_verdict.h"
#include "xmalloc.h"

/* JSON cannot hold "forever" as a number; -1 stands for it in records. */
json_int_t route_until_to_json(int64_t until) {
    return until == STATE_BAN_FOREVER ? -1 : (json_int_t)until;
}

int64_t route_until_from_json(const json_t *v) {
    json_int_t u = json_integer_value(v);
    return u == -1 ? STATE_BAN_FOREVER : (int64_t)u;
}

/* Written member by member in sorted order, the decision spliced in as it was published:
 * serializing it again was a sixth of route's time. */
char *route_record_dump(const json_t *env, const struct verdict *v, const char *decision,
                        size_t decision_len, const struct state_author_view *view,
                        int64_t decided_ms) {
    struct json_writer w = { 0 };
    json_write_object_open(&w);
    json_write_member_str(&w, "author_id", envelope_author_id(env));
    json_write_key(&w, "ban_applied");
    json_write_int(&w, route_until_to_json(v->ban_until));
    json_write_key(&w, "ban_proposed");
    json_write_int(&w, route_until_to_json(v->ban_proposed));
    json_write_key(&w, "decided_from");
    json_write_object_open(&w);
    json_write_key(&w, "banned_until");
    json_write_int(&w, route_until_to_json(view->banned_until));
    json_write_key(&w, "decided_ms");
    json_write_int(&w, decided_ms);
    json_write_key(&w, "received_at");
    const char *received = envelope_str(env, "received_at");
    if (received)
        json_write_string(&w, received);
    else
        json_write_null(&w);
    json_write_key(&w, "strikes_before");
    json_write_int(&w, view->strikes_before);
    json_write_object_close(&w);
    json_write_key(&w, "decision");
    json_write_raw(&w, decision, decision_len);
    json_write_object_close(&w);
    return json_write_finish(&w, NULL);
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

int route_record_same_delivery(const char *record, const json_t *env) {
    json_t *rec = json_loads(record, 0, NULL);
    const json_t *then = json_object_get(json_object_get(rec, "decided_from"), "received_at");
    const char *now = envelope_str(env, "received_at");
    int same = !json_is_string(then) || !now || strcmp(json_string_value(then), now) == 0;
    json_decref(rec);
    return same;
}

static char *content_record_id(const json_t *env) {
    return xasprintf("content:%s:%s", envelope_str(env, "platform"),
                     envelope_str(env, "content_id"));
}

/* The decision ids a content record holds (stored: its text, or NULL), as a new array:
 * empty when there is none. */
static json_t *decision_ids(const char *stored) {
    json_t *ids = stored ? json_loads(stored, 0, NULL) : NULL;
    if (!json_is_array(ids)) {
        json_decref(ids);
        ids = json_array();
    }
    return ids;
}

json_t *route_content_decisions(struct router *r, const struct tenant *t, const json_t *env) {
    char *id = content_record_id(env), *stored = NULL;
    int rc = state_record_get(r->state, tenant_id(t), id, &stored);
    free(id);
    if (rc) return NULL;
    json_t *ids = decision_ids(stored);
    free(stored);
    return ids;
}

/* The content record stored (borrowed, or NULL) with env's decision id added, as a new
 * string; NULL when it holds the id already (a redelivered input). */
static char *with_decision(const char *stored, const json_t *env) {
    json_t *ids = decision_ids(stored);
    const char *decision_id = envelope_str(env, "event_id"); /* a decision's id is its event's */
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) {
        if (strcmp(json_string_value(v), decision_id) == 0) {
            json_decref(ids);
            return NULL;
        }
    }
    json_array_append_new(ids, json_string(decision_id));
    char *value = envelope_dump(ids, NULL);
    json_decref(ids);
    return value;
}

int route_remember_tickets(struct router *r, const struct tenant *t, const json_t *env,
                           int escalated) {
    if (!escalated) return 0;
    char *id = content_record_id(env), *stored = NULL;
    int rc = state_record_get(r->state, tenant_id(t), id, &stored);
    char *value = rc ? NULL : with_decision(stored, env);
    if (value) rc = state_record_put(r->state, tenant_id(t), id, value, ROUTE_RECORD_TTL_MS);
    free(id), free(stored), free(value);
    return rc;
}

/* Two round trips for all: the records read, then those that change written. */
int route_remember_tickets_many(struct router *r, const struct tenant *const *ts,
                                const json_t *const *envs, size_t n) {
    struct state_record_req *q = xcalloc(n ? n : 1, sizeof *q);
    char **ids = xcalloc(n ? n : 1, sizeof *ids), **stored = xcalloc(n ? n : 1, sizeof *stored);
    char **values = xcalloc(n ? n : 1, sizeof *values);
    for (size_t i = 0; i < n; i++) {
        ids[i] = content_record_id(envs[i]);
        q[i] = (struct state_record_req){ tenant_id(ts[i]), ids[i], NULL, ROUTE_RECORD_TTL_MS };
    }
    int rc = state_record_get_many(r->state, q, n, stored);
    size_t k = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        values[i] = with_decision(stored[i], envs[i]);
        free(stored[i]);
        if (values[i])
            q[k++] =
                (struct state_record_req){ q[i].tenant, q[i].id, values[i], ROUTE_RECORD_TTL_MS };
    }
    if (rc == 0) rc = state_record_put_many(r->state, q, k);
    for (size_t i = 0; i < n; i++) free(ids[i]), free(values[i]);
    free(q), free(ids), free(stored), free(values);
    return rc;
}
