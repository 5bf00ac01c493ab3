/* The read model: what the topics said, kept in SQLite so that the page can ask
 * questions Kafka cannot answer (a tenant's queue by deadline, an author's history).
 *
 * Each input is applied in its own transaction together with the next offset of its
 * partition, and the feed starts from those offsets: a crash before COMMIT leaves neither
 * the effects nor the offset, so the input is read again; after COMMIT both are there, so
 * it is not. Every row is also keyed by the ids the producers give (decision_id with its
 * revision, ticket_id, the SLA and operator event_id), which keeps a second replica that
 * rebuilds from the topics equal to the first. */
#include "console.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "json_doc.h"
#include "sla_due.h"
#include "timefmt.h"
#include "topics.h"

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS offsets(topic TEXT, part INTEGER, next INTEGER,"
    "  PRIMARY KEY(topic, part));"
    "CREATE TABLE IF NOT EXISTS decisions(tenant TEXT, decision_id TEXT, revision INTEGER,"
    "  status TEXT, action TEXT, needs_review INTEGER, author TEXT, first_ms INTEGER,"
    "  decided_ms INTEGER, step TEXT, strikes INTEGER, ban_until TEXT, verdict TEXT,"
    "  verdict_by TEXT, doc_json TEXT, PRIMARY KEY(tenant, decision_id));"
    "CREATE INDEX IF NOT EXISTS decisions_author ON decisions(tenant, author);"
    "CREATE TABLE IF NOT EXISTS decision_categories(tenant TEXT, decision_id TEXT,"
    "  category TEXT, PRIMARY KEY(tenant, decision_id, category));"
    "CREATE TABLE IF NOT EXISTS tickets(tenant TEXT, ticket_id TEXT, decision_id TEXT,"
    "  office TEXT, priority TEXT, severity INTEGER, received_ms INTEGER, take_due INTEGER,"
    "  response_due INTEGER, taken_ms INTEGER, replied_ms INTEGER, resolved_ms INTEGER,"
    "  doc_json TEXT, PRIMARY KEY(tenant, ticket_id));"
    "CREATE INDEX IF NOT EXISTS tickets_decision ON tickets(tenant, decision_id);"
    "CREATE TABLE IF NOT EXISTS sla_events(tenant TEXT, event_id TEXT, ticket_id TEXT,"
    "  timer TEXT, type TEXT, due_ms INTEGER, fired_ms INTEGER,"
    "  PRIMARY KEY(tenant, event_id));"
    "CREATE TABLE IF NOT EXISTS audit(tenant TEXT, event_id TEXT, type TEXT, operator TEXT,"
    "  at_ms INTEGER, decision_id TEXT, ticket_id TEXT, note TEXT,"
    "  PRIMARY KEY(tenant, event_id));"
    "CREATE INDEX IF NOT EXISTS audit_decision ON audit(tenant, decision_id);"
    "CREATE TABLE IF NOT EXISTS action_results(tenant TEXT, action_id TEXT, decision_id TEXT,"
    "  type TEXT, platform TEXT, mode TEXT, outcome TEXT, attempts INTEGER, status INTEGER,"
    "  reason TEXT, finished_ms INTEGER, PRIMARY KEY(tenant, action_id));"
    "CREATE INDEX IF NOT EXISTS action_results_decision ON action_results(tenant, decision_id);";

struct console_store {
    sqlite3 *db;
    const struct tenant_set *tenants; /* borrowed */
};

struct console_store *console_store_open(const char *path, const struct tenant_set *tenants,
                                         char *err, size_t n) {
    sqlite3 *db = console_db_open(path, schema, err, n);
    if (!db) return NULL;
    struct console_store *st = xcalloc(1, sizeof *st);
    st->db = db;
    st->tenants = tenants;
    return st;
}

void console_store_close(struct console_store *st) {
    if (!st) return;
    sqlite3_close(st->db);
    free(st);
}

sqlite3 *console_store_db(struct console_store *st) { return st->db; }

void console_store_set_tenants(struct console_store *st, const struct tenant_set *tenants) {
    st->tenants = tenants;
}

int64_t console_store_next_offset(struct console_store *st, const char *topic, int32_t part) {
    int64_t next = -1;
    if (console_db_int(st->db, &next, "SELECT next FROM offsets WHERE topic=? AND part=?", "si",
                       topic, (int)part) != 1)
        return -1;
    return next;
}

/* ---- reading the inputs: each getter names the JSON path it missed in reason */

struct input {
    const json_t *doc;
    char *reason;
    size_t n;
};

static const char *req_str(struct input *in, const char *key) {
    const char *s = json_string_value(json_object_get(in->doc, key));
    /* the first missing field is the one reported */
    if ((!s || !*s) && !in->reason[0])
        snprintf(in->reason, in->n, "$.%s: missing or not a string", key);
    return s && *s ? s : NULL;
}

static const char *opt_str(const struct input *in, const char *key) {
    return json_string_value(json_object_get(in->doc, key));
}

static int req_time(struct input *in, const char *key, int64_t *ms) {
    const char *s = req_str(in, key);
    if (!s) return -1;
    if (rfc3339_parse(s, ms)) {
        if (!in->reason[0]) snprintf(in->reason, in->n, "$.%s: not RFC 3339", key);
        return -1;
    }
    return 0;
}

/* SQLite takes NULL for an absent instant; these bind as text so that NULL is possible. */
static void ms_text(int64_t ms, char buf[24], const char **out) {
    if (ms == SLA_NONE) {
        *out = NULL;
        return;
    }
    snprintf(buf, 24, "%lld", (long long)ms);
    *out = buf;
}

/* ---- one function per topic: 0 applied, 1 bad input (reason set), -1 SQLite failed */

static int categories_replace(sqlite3 *db, const char *tenant, const char *id, const json_t *cats) {
    if (console_db_exec(db, "DELETE FROM decision_categories WHERE tenant=? AND decision_id=?",
                        "ss", tenant, id) < 0)
        return -1;
    size_t i;
    const json_t *c;
    json_array_foreach(cats, i, c) {
        const char *name = json_string_value(json_object_get(c, "category"));
        if (name && console_db_exec(db,
                                    "INSERT OR IGNORE INTO decision_categories "
                                    "VALUES(?,?,?)",
                                    "sss", tenant, id, name) < 0)
            return -1;
    }
    return 0;
}

/* A verdict (confirm, overturn) read before its decision: the topics are read side by
 * side, so a new decision takes the latest one already in the audit log. */
static int decision_catch_up(sqlite3 *db, const char *tenant, const char *id) {
    static const char sql[] =
        "UPDATE decisions SET (verdict, verdict_by)=(SELECT type, operator FROM audit a"
        " WHERE a.tenant=decisions.tenant AND a.decision_id=decisions.decision_id AND a.type IN"
        " ('confirm','overturn') ORDER BY at_ms DESC LIMIT 1)"
        " WHERE tenant=? AND decision_id=? AND verdict IS NULL AND EXISTS (SELECT 1 FROM audit a"
        " WHERE a.tenant=decisions.tenant AND a.decision_id=decisions.decision_id AND a.type IN"
        " ('confirm','overturn'))";
    return console_db_exec(db, sql, "ss", tenant, id) < 0 ? -1 : 0;
}

static int apply_decision(sqlite3 *db, struct input *in) {
    const char *tenant = req_str(in, "tenant"), *id = req_str(in, "decision_id"),
               *status = req_str(in, "status"), *action = req_str(in, "action"),
               *author = req_str(in, "author");
    const json_t *rev = json_object_get(in->doc, "revision"),
                 *enf = json_object_get(in->doc, "enforcement"),
                 *cats = json_object_get(in->doc, "categories");
    int64_t decided;
    if (!tenant || !id || !status || !action || !author || req_time(in, "decided_at", &decided))
        return 1;
    if (!json_is_integer(rev) || !json_is_object(enf) || !json_is_array(cats)) {
        snprintf(in->reason, in->n, "$.revision, $.enforcement or $.categories: missing");
        return 1;
    }
    char *doc = json_dumps(in->doc, JSON_COMPACT);
    /* The higher revision wins (decision.schema.json, status); first_ms stays the day
     * the decision was first taken, which is the day the day view counts it on. */
    int changed = console_db_exec(
        db,
        "INSERT INTO decisions(tenant,decision_id,revision,status,action,needs_review,author,"
        " first_ms,decided_ms,step,strikes,ban_until,doc_json) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT(tenant,decision_id) DO UPDATE SET revision=excluded.revision,"
        " status=excluded.status, action=excluded.action, needs_review=excluded.needs_review,"
        " decided_ms=excluded.decided_ms, step=excluded.step, strikes=excluded.strikes,"
        " ban_until=excluded.ban_until, doc_json=excluded.doc_json,"
        " first_ms=min(first_ms, excluded.first_ms) WHERE excluded.revision > decisions.revision",
        "ssIssisIIsiss", tenant, id, (int64_t)json_integer_value(rev), status, action,
        json_is_true(json_object_get(in->doc, "needs_review")), author, decided, decided,
        json_string_value(json_object_get(enf, "step")),
        (int)json_integer_value(json_object_get(enf, "strikes")),
        json_string_value(json_object_get(enf, "ban_until")), doc);
    free(doc);
    if (changed < 0) return -1;
    if (!changed) return 0;
    return categories_replace(db, tenant, id, cats) || decision_catch_up(db, tenant, id) ? -1 : 0;
}

/* The ticket's take-charge and response deadlines on its tenant's office calendar, so
 * that the queue is ordered before vigile-sla says anything; SLA events correct them. */
static void ticket_deadlines(const struct console_store *st, const char *tenant, int64_t received,
                             int removal, int64_t *take, int64_t *resp) {
    const struct tenant *t = st->tenants ? tenant_set_find(st->tenants, tenant) : NULL;
    struct sla_deadlines d;
    *take = *resp = SLA_NONE;
    if (!t || sla_deadlines_compute(t, received, removal, &d)) return;
    *take = d.due[SLA_TAKE_CHARGE];
    *resp = d.due[SLA_RESPONSE];
}

/* The topics are read side by side, so a ticket may reach the read model after the
 * operator and SLA events about it (a replica rebuilding reads every topic from the
 * start): a new ticket takes what they said. An operator event naming the decision alone
 * covers its tickets too, also later ones (operator.schema.json). */
#define OPS_OF_TICKET(types)                                                             \
    "(SELECT min(at_ms) FROM audit a WHERE a.tenant=tickets.tenant AND a.type IN " types \
    " AND (a.ticket_id=tickets.ticket_id OR (a.ticket_id IS NULL AND"                    \
    " a.decision_id=tickets.decision_id)))"
#define DUE_OF_TICKET(timer)                                                  \
    "(SELECT max(due_ms) FROM sla_events e WHERE e.tenant=tickets.tenant AND" \
    " e.ticket_id=tickets.ticket_id AND e.timer='" timer "')"

static int ticket_catch_up(sqlite3 *db, const char *tenant, const char *ticket) {
    static const char sql[] =
        "UPDATE tickets SET"
        " taken_ms=coalesce(taken_ms," OPS_OF_TICKET(
            "('ack','reply','resolve')") "),"
                                         " replied_ms=coalesce(replied_ms," OPS_OF_TICKET(
                                             "('reply')") "),"
                                                          " resolved_ms=coalesce(resolved_"
                                                          "ms," OPS_OF_TICKET(
                                                              "('resolve')") "),"
                                                                             " take_due="
                                                                             "coalesce"
                                                                             "(" DUE_OF_TICKET(
                                                                                 "take_charge") ", "
                                                                                                "ta"
                                                                                                "ke"
                                                                                                "_d"
                                                                                                "ue"
                                                                                                "),"
                                                                                                " r"
                                                                                                "es"
                                                                                                "po"
                                                                                                "ns"
                                                                                                "e_"
                                                                                                "du"
                                                                                                "e="
                                                                                                "co"
                                                                                                "al"
                                                                                                "es"
                                                                                                "ce"
                                                                                                "(" DUE_OF_TICKET(
                                                                                                    "response") ", response_due)"
                                                                                                                " WHERE tenant=? AND ticket_id=?";
    return console_db_exec(db, sql, "ss", tenant, ticket) < 0 ? -1 : 0;
}

static int apply_escalation(struct console_store *st, struct input *in) {
    const char *tenant = req_str(in, "tenant"), *id = req_str(in, "ticket_id"),
               *decision = req_str(in, "decision_id"), *office = req_str(in, "office");
    int64_t received;
    if (!tenant || !id || !decision || !office || req_time(in, "received_at", &received)) return 1;
    int64_t take, resp;
    ticket_deadlines(st, tenant, received, json_is_true(json_object_get(in->doc, "removal")), &take,
                     &resp);
    char tb[24], rb[24], *doc = json_dumps(in->doc, JSON_COMPACT);
    const char *take_s, *resp_s;
    ms_text(take, tb, &take_s);
    ms_text(resp, rb, &resp_s);
    int rc = console_db_exec(
        st->db,
        "INSERT OR IGNORE INTO tickets(tenant,ticket_id,decision_id,office,priority,severity,"
        " received_ms,take_due,response_due,doc_json) VALUES(?,?,?,?,?,?,?,CAST(? AS INTEGER),"
        " CAST(? AS INTEGER),?)",
        "sssssiIsss", tenant, id, decision, office, opt_str(in, "priority"),
        (int)json_integer_value(json_object_get(in->doc, "severity")), received, take_s, resp_s,
        doc);
    free(doc);
    if (rc < 0) return -1;
    return rc ? ticket_catch_up(st->db, tenant, id) : 0;
}

static int apply_sla(sqlite3 *db, struct input *in) {
    const char *tenant = req_str(in, "tenant"), *id = req_str(in, "event_id"),
               *ticket = req_str(in, "ticket_id"), *timer = req_str(in, "timer"),
               *type = req_str(in, "type");
    int64_t due, fired;
    if (!tenant || !id || !ticket || !timer || !type || req_time(in, "due", &due) ||
        req_time(in, "fired_at", &fired))
        return 1;
    int rc = console_db_exec(db, "INSERT OR IGNORE INTO sla_events VALUES(?,?,?,?,?,?,?)",
                             "sssssII", tenant, id, ticket, timer, type, due, fired);
    if (rc <= 0) return rc;
    /* vigile-sla's deadline is the one that counts: it knows the tenant's calendar as
     * of when the ticket was armed. */
    if (strcmp(timer, "take_charge") == 0)
        rc = console_db_exec(db, "UPDATE tickets SET take_due=? WHERE tenant=? AND ticket_id=?",
                             "Iss", due, tenant, ticket);
    else if (strcmp(timer, "response") == 0)
        rc = console_db_exec(db,
                             "UPDATE tickets SET response_due=? WHERE tenant=? AND "
                             "ticket_id=?",
                             "Iss", due, tenant, ticket);
    return rc < 0 ? -1 : 0;
}

/* What an operator event does to the tickets it names (all of the decision's without a
 * ticket_id) and to the decision's verdict. */
static int operator_effect(sqlite3 *db, const char *tenant, const char *type, const char *op,
                           int64_t at, const char *decision, const char *ticket) {
    char sql[512];
    const char *set = strcmp(type, "ack") == 0       ? "taken_ms=coalesce(taken_ms,?1)"
                      : strcmp(type, "reply") == 0   ? "taken_ms=coalesce(taken_ms,?1),"
                                                       "replied_ms=coalesce(replied_ms,?1)"
                      : strcmp(type, "resolve") == 0 ? "taken_ms=coalesce(taken_ms,?1),"
                                                       "resolved_ms=coalesce(resolved_ms,?1)"
                                                     : NULL;
    if (!set)
        return console_db_exec(db,
                               "UPDATE decisions SET verdict=?, verdict_by=? WHERE tenant=?"
                               " AND decision_id=?",
                               "ssss", type, op, tenant, decision) < 0
                   ? -1
                   : 0;
    /* ?1 is the instant; the match's placeholders follow it */
    snprintf(sql, sizeof sql, "UPDATE tickets SET %s%s", set,
             " WHERE tenant=?2 AND (ticket_id=?3 OR (?3 IS NULL AND decision_id=?4))");
    return console_db_exec(db, sql, "Isss", at, tenant, ticket, decision) < 0 ? -1 : 0;
}

static int apply_operator(sqlite3 *db, struct input *in) {
    const char *tenant = req_str(in, "tenant"), *type = req_str(in, "type"),
               *op = req_str(in, "operator"), *decision = opt_str(in, "decision_id"),
               *ticket = opt_str(in, "ticket_id"), *id = opt_str(in, "event_id");
    int64_t at;
    if (!tenant || !type || !op || req_time(in, "at", &at)) return 1;
    if (!decision && !ticket) {
        snprintf(in->reason, in->n, "$.ticket_id or $.decision_id: one is required");
        return 1;
    }
    static const char *const types[] = { "ack", "reply", "resolve", "overturn", "confirm" };
    size_t k = 0;
    while (k < 5 && strcmp(types[k], type) != 0) k++;
    if (k == 5 || (k >= 3 && !decision)) {
        snprintf(in->reason, in->n, "$.type: \"%s\" is not an event of this target", type);
        return 1;
    }
    /* Events without an event_id (older producers) are named by what they say. */
    char fallback[256];
    snprintf(fallback, sizeof fallback, "%s:%s:%s:%lld", type, decision ? decision : ticket, op,
             (long long)at);
    int rc = console_db_exec(db, "INSERT OR IGNORE INTO audit VALUES(?,?,?,?,?,?,?,?)", "ssssIsss",
                             tenant, id ? id : fallback, type, op, at, decision, ticket,
                             opt_str(in, "note"));
    if (rc <= 0) return rc;
    return operator_effect(db, tenant, type, op, at, decision, ticket);
}

/* What vigile-act made of a platform command. A result published twice (act crashed between
 * publishing and forgetting it) keeps the first, as the schema asks of readers. */
static int apply_action_result(sqlite3 *db, struct input *in) {
    const char *tenant = req_str(in, "tenant"), *id = req_str(in, "action_id");
    const char *decision = req_str(in, "decision_id"), *type = req_str(in, "type");
    const char *outcome = req_str(in, "outcome");
    int64_t at;
    if (!tenant || !id || !decision || !type || !outcome || req_time(in, "finished_at", &at))
        return 1;
    /* A status is bound as text so that a call with no answer stores NULL. */
    const json_t *status = json_object_get(in->doc, "status");
    char status_buf[24];
    const char *status_text = NULL;
    if (json_is_integer(status)) {
        snprintf(status_buf, sizeof status_buf, "%lld", (long long)json_integer_value(status));
        status_text = status_buf;
    }
    int rc = console_db_exec(
        db, "INSERT OR IGNORE INTO action_results VALUES(?,?,?,?,?,?,?,?,?,?,?)", "sssssssissI",
        tenant, id, decision, type, opt_str(in, "platform"), opt_str(in, "mode"), outcome,
        (int)json_integer_value(json_object_get(in->doc, "attempts")), status_text,
        opt_str(in, "reason"), at);
    return rc < 0 ? -1 : 0;
}

static int apply_doc(struct console_store *st, const char *topic, struct input *in) {
    if (strcmp(topic, TOPIC_DECISIONS) == 0) return apply_decision(st->db, in);
    if (strcmp(topic, TOPIC_ESCALATIONS) == 0) return apply_escalation(st, in);
    if (strcmp(topic, TOPIC_SLA) == 0) return apply_sla(st->db, in);
    if (strcmp(topic, TOPIC_OPERATOR) == 0) return apply_operator(st->db, in);
    if (strcmp(topic, TOPIC_ACTION_RESULTS) == 0) return apply_action_result(st->db, in);
    snprintf(in->reason, in->n, "topic %s is not read by the console", topic);
    return 1;
}

static int offset_record(sqlite3 *db, const char *topic, int32_t part, int64_t offset) {
    return console_db_exec(db,
                           "INSERT INTO offsets VALUES(?,?,?) ON CONFLICT(topic,part)"
                           " DO UPDATE SET next=excluded.next",
                           "siI", topic, (int)part, offset + 1) < 0
               ? -1
               : 0;
}

static int txn(sqlite3 *db, const char *sql) {
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

enum console_apply console_store_apply(struct console_store *st, const char *topic, int32_t part,
                                       int64_t offset, const char *value, size_t len, char *reason,
                                       size_t n) {
    if (offset < console_store_next_offset(st, topic, part)) return CONSOLE_APPLIED;
    json_t *doc = json_doc_load_object(value, len, reason, n);
    if (!doc) return CONSOLE_REJECTED;
    struct input in = { doc, reason, n };
    reason[0] = '\0';
    if (txn(st->db, "BEGIN IMMEDIATE")) {
        json_decref(doc);
        return CONSOLE_FAILED;
    }
    int rc = apply_doc(st, topic, &in);
    json_decref(doc);
    if (rc == 1) {
        txn(st->db, "ROLLBACK");
        return CONSOLE_REJECTED;
    }
    if (rc < 0 || offset_record(st->db, topic, part, offset) || txn(st->db, "COMMIT")) {
        txn(st->db, "ROLLBACK");
        return CONSOLE_FAILED;
    }
    return CONSOLE_APPLIED;
}

int console_store_skip(struct console_store *st, const char *topic, int32_t part, int64_t offset) {
    return offset_record(st->db, topic, part, offset);
}

/* How long a topic keeps what it is given (common/topics.c), -1 when forever. */
static long long retention_of(const char *topic) {
    for (const struct topic_spec *t = topic_specs; t->name; t++)
        if (strcmp(t->name, topic) == 0) return t->retention_ms;
    return -1;
}

int console_store_prune(struct console_store *st, int64_t now_ms) {
    /* Each table forgets what its topic has forgotten, by the instant the producer wrote
     * it, so that the read model holds no more personal data than the topics do and a
     * replica rebuilt from them holds the same. */
    static const struct {
        const char *topic, *sql;
    } tables[] = {
        { TOPIC_DECISIONS, "DELETE FROM decisions WHERE decided_ms<?" },
        { TOPIC_ESCALATIONS, "DELETE FROM tickets WHERE received_ms<?" },
        { TOPIC_SLA, "DELETE FROM sla_events WHERE fired_ms<?" },
        { TOPIC_OPERATOR, "DELETE FROM audit WHERE at_ms<?" },
    };
    int removed = 0;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        long long keep = retention_of(tables[i].topic);
        int n = keep < 0 ? 0 : console_db_exec(st->db, tables[i].sql, "I", now_ms - keep);
        if (n < 0) return -1;
        removed += n;
    }
    if (console_db_exec(st->db,
                        "DELETE FROM decision_categories WHERE NOT EXISTS (SELECT 1"
                        " FROM decisions d WHERE d.tenant=decision_categories.tenant"
                        " AND d.decision_id=decision_categories.decision_id)",
                        "") < 0)
        return -1;
    return removed;
}
