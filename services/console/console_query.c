/* The read model's answers to the page, one tenant at a time. Every query names the
 * tenant in its WHERE clause: that, and the role check in console_api.c, is what keeps
 * one municipality's staff out of another's comments. */
#include "console.h"

#include <string.h>

#define DAY_MS (24LL * 3600 * 1000)

/* The due instant of a ticket is the next deadline still to meet. */
json_t *console_query_queue(sqlite3 *db, const char *tenant, int64_t now_ms) {
    static const char sql[] =
        "SELECT * FROM ("
        " SELECT 'ticket' AS kind, t.ticket_id, t.decision_id, t.office, t.priority, t.severity,"
        "  t.received_ms, t.taken_ms, t.replied_ms,"
        "  CASE WHEN t.taken_ms IS NULL THEN t.take_due WHEN t.replied_ms IS NULL"
        "   THEN t.response_due END AS due_ms,"
        "  CASE WHEN t.taken_ms IS NULL THEN 'take_charge' WHEN t.replied_ms IS NULL"
        "   THEN 'response' END AS due_timer,"
        "  (SELECT count(*) FROM sla_events e WHERE e.tenant=t.tenant AND"
        "   e.ticket_id=t.ticket_id AND e.type='breached') AS breaches,"
        "  t.doc_json AS ticket_json, d.doc_json AS decision_json, d.verdict"
        " FROM tickets t LEFT JOIN decisions d ON d.tenant=t.tenant AND"
        "  d.decision_id=t.decision_id"
        " WHERE t.tenant=?1 AND t.resolved_ms IS NULL"
        " UNION ALL"
        " SELECT 'review', NULL, d.decision_id, NULL, NULL, NULL, d.first_ms, NULL, NULL, NULL,"
        "  NULL, 0, NULL, d.doc_json, d.verdict"
        " FROM decisions d WHERE d.tenant=?1 AND d.needs_review=1 AND d.status='automated'"
        "  AND d.verdict IS NULL AND NOT EXISTS (SELECT 1 FROM tickets t WHERE"
        "  t.tenant=d.tenant AND t.decision_id=d.decision_id AND t.resolved_ms IS NULL)"
        ") ORDER BY due_ms IS NULL, due_ms, received_ms";
    json_t *items = console_db_rows(db, sql, "s", tenant);
    if (!items) return NULL;
    return json_pack("{s:s, s:I, s:o}", "tenant", tenant, "now_ms", (json_int_t)now_ms, "items",
                     items);
}

int console_query_owns(sqlite3 *db, const char *tenant, const char *kind, const char *id) {
    int64_t n = 0;
    const char *sql = strcmp(kind, "ticket") == 0
                          ? "SELECT count(*) FROM tickets WHERE tenant=? AND ticket_id=?"
                          : "SELECT count(*) FROM decisions WHERE tenant=? AND decision_id=?";
    return console_db_int(db, &n, sql, "ss", tenant, id) == 1 && n > 0;
}

json_t *console_query_decision(sqlite3 *db, const char *tenant, const char *id) {
    json_t *d = console_db_rows(db,
                                "SELECT doc_json AS decision_json, verdict, verdict_by"
                                " FROM decisions WHERE tenant=? AND decision_id=?",
                                "ss", tenant, id);
    if (!d || json_array_size(d) == 0) {
        json_decref(d);
        return NULL;
    }
    json_t *out = json_incref(json_array_get(d, 0));
    json_decref(d);
    json_object_set_new(
        out, "tickets",
        console_db_rows(db,
                        "SELECT ticket_id, office, priority, received_ms, take_due,"
                        " response_due, taken_ms, replied_ms, resolved_ms FROM tickets"
                        " WHERE tenant=? AND decision_id=? ORDER BY ticket_id",
                        "ss", tenant, id));
    json_object_set_new(
        out, "sla",
        console_db_rows(db,
                        "SELECT e.ticket_id, e.timer, e.type, e.due_ms, e.fired_ms"
                        " FROM sla_events e JOIN tickets t ON t.tenant=e.tenant AND"
                        " t.ticket_id=e.ticket_id WHERE e.tenant=? AND t.decision_id=?"
                        " ORDER BY e.fired_ms",
                        "ss", tenant, id));
    json_object_set_new(
        out, "actions",
        console_db_rows(db,
                        "SELECT type, operator, at_ms, ticket_id, note FROM audit"
                        " WHERE tenant=?1 AND (decision_id=?2 OR ticket_id IN (SELECT"
                        " ticket_id FROM tickets WHERE tenant=?1 AND decision_id=?2))"
                        " ORDER BY at_ms",
                        "ss", tenant, id));
    json_object_set_new(out, "platform",
                        console_db_rows(db,
                                        "SELECT type, platform, mode, outcome, attempts, status,"
                                        " reason, finished_ms FROM action_results"
                                        " WHERE tenant=? AND decision_id=? ORDER BY finished_ms",
                                        "ss", tenant, id));
    return out;
}

json_t *console_query_author(sqlite3 *db, const char *tenant, const char *pseudonym) {
    json_t *rows = console_db_rows(
        db,
        "SELECT decision_id, first_ms, action, status, step, strikes, ban_until, verdict,"
        " json_extract(doc_json,'$.redacted_text') AS redacted_text,"
        " (SELECT group_concat(category, ',') FROM decision_categories c WHERE"
        "  c.tenant=d.tenant AND c.decision_id=d.decision_id) AS categories"
        " FROM decisions d WHERE tenant=? AND author=? ORDER BY first_ms DESC",
        "ss", tenant, pseudonym);
    if (!rows) return NULL;
    /* Where the author stands: the newest decision that was not overturned carries the
     * ladder's current count and step (route computes them in the tenant's window). */
    json_t *standing = json_null();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        const char *status = json_string_value(json_object_get(r, "status"));
        if (status && strcmp(status, "overturned") == 0) continue;
        standing =
            json_pack("{s:O, s:O, s:O}", "strikes", json_object_get(r, "strikes"), "step",
                      json_object_get(r, "step"), "ban_until", json_object_get(r, "ban_until"));
        break;
    }
    return json_pack("{s:s, s:o, s:o}", "author", pseudonym, "standing", standing, "decisions",
                     rows);
}

json_t *console_query_days(sqlite3 *db, const char *tenant, int64_t now_ms) {
    /* 29 days before today's Rome midnight, plus the hours a daylight-saving change
     * between them added or took: rome_day() of that instant is the first day. */
    int64_t from = console_rome_midnight(console_rome_midnight(now_ms) - 29 * DAY_MS + DAY_MS / 2);
    json_t *cats =
        console_db_rows(db,
                        "SELECT rome_day(d.first_ms) AS day_ms, c.category, count(*) AS n"
                        " FROM decisions d JOIN decision_categories c ON c.tenant=d.tenant AND"
                        " c.decision_id=d.decision_id WHERE d.tenant=? AND d.first_ms>=?"
                        " GROUP BY day_ms, c.category ORDER BY day_ms",
                        "sI", tenant, from);
    json_t *acts =
        console_db_rows(db,
                        "SELECT rome_day(first_ms) AS day_ms, action, count(*) AS n FROM decisions"
                        " WHERE tenant=? AND first_ms>=? GROUP BY day_ms, action ORDER BY day_ms",
                        "sI", tenant, from);
    json_t *sla = console_db_rows(
        db,
        "SELECT count(*) AS tickets,"
        " sum(taken_ms IS NOT NULL AND take_due IS NOT NULL AND taken_ms<=take_due) AS "
        "taken_on_time,"
        " sum(replied_ms IS NOT NULL AND response_due IS NOT NULL AND replied_ms<=response_due)"
        "  AS answered_on_time,"
        " (SELECT count(*) FROM sla_events e WHERE e.tenant=?1 AND e.type='breached' AND"
        "  e.fired_ms>=?2) AS breaches"
        " FROM tickets WHERE tenant=?1 AND received_ms>=?2",
        "sI", tenant, from);
    if (!cats || !acts || !sla) {
        json_decref(cats), json_decref(acts), json_decref(sla);
        return NULL;
    }
    json_t *figures = json_incref(json_array_get(sla, 0));
    json_decref(sla);
    return json_pack("{s:s, s:I, s:I, s:o, s:o, s:o}", "tenant", tenant, "from_ms",
                     (json_int_t)from, "days", (json_int_t)30, "categories", cats, "actions", acts,
                     "sla", figures);
}

json_t *console_query_audit(sqlite3 *db, const char *tenant, int limit) {
    return console_db_rows(db,
                           "SELECT event_id, type, operator, at_ms, decision_id, ticket_id,"
                           " note FROM audit WHERE tenant=? ORDER BY at_ms DESC LIMIT ?",
                           "si", tenant, limit);
}
