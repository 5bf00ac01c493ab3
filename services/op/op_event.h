/* Operator events (vigile.operator): what a dashboard button sends when a person acts on
 * a decision or a ticket. Schema: docs/schemas/operator.schema.json. */
#ifndef VIGILE_OP_EVENT_H
#define VIGILE_OP_EVENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct op_request {
    const char *type; /* overturn, confirm (a decision); ack, reply, resolve (a ticket) */
    const char *tenant;
    const char *decision; /* decision_id, for overturn and confirm */
    const char *ticket;   /* ticket_id, for ack, reply and resolve */
    const char *op_name;  /* who acted */
    const char *note;     /* may be NULL */
};

/* Builds the event for req at now_ms. Returns a new reference, or NULL with the problem
 * in err ("--decision is required for overturn"). */
json_t *op_event_build(const struct op_request *req, int64_t now_ms, char *err, size_t errlen);

/* The message key: "<tenant>|<decision or ticket id>". Returns a new string. */
char *op_event_key(const struct op_request *req);

#endif
