#include <criterion/criterion.h>
#include <string.h>

#include "op_event.h"

Test(op_event, builds_decision_and_ticket_events) {
    char err[256];
    struct op_request req = { "overturn", "lecce", "fb:1", NULL, "m.rossi", "ricorso accolto" };
    json_t *ev = op_event_build(&req, 1772816400000LL, err, sizeof err);
    cr_assert_not_null(ev, "%s", err);
    cr_expect_str_eq(json_string_value(json_object_get(ev, "type")), "overturn");
    cr_expect_str_eq(json_string_value(json_object_get(ev, "decision_id")), "fb:1");
    cr_expect_str_eq(json_string_value(json_object_get(ev, "at")), "2026-03-06T17:00:00.000Z");
    cr_expect_eq(strlen(json_string_value(json_object_get(ev, "event_id"))), 32);
    char *key = op_event_key(&req);
    cr_expect_str_eq(key, "lecce|fb:1");
    free(key);
    json_decref(ev);

    struct op_request ack = { "ack", "tradate", NULL, "fb:2:urp", "s.bianchi", NULL };
    ev = op_event_build(&ack, 0, err, sizeof err);
    cr_assert_not_null(ev, "%s", err);
    cr_expect_str_eq(json_string_value(json_object_get(ev, "ticket_id")), "fb:2:urp");
    cr_expect_null(json_object_get(ev, "note"));
    json_decref(ev);
}

Test(op_event, refuses_incomplete_requests) {
    char err[256];
    struct op_request no_decision = { "confirm", "lecce", NULL, NULL, "m.rossi", NULL };
    cr_expect_null(op_event_build(&no_decision, 0, err, sizeof err));
    cr_expect_str_eq(err, "--decision is required for confirm");
    struct op_request no_ticket = { "resolve", "lecce", "d", NULL, "m.rossi", NULL };
    cr_expect_null(op_event_build(&no_ticket, 0, err, sizeof err));
    cr_expect_str_eq(err, "--ticket is required for resolve");
    struct op_request bad = { "delete", "lecce", "d", NULL, "m.rossi", NULL };
    cr_expect_null(op_event_build(&bad, 0, err, sizeof err));
    cr_expect(strstr(err, "unknown event type \"delete\""));
}
