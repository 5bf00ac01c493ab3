/* One command read from vigile.actions (docs/schemas/action.schema.json), parsed and
 * checked once, so that every later step (request builders, queue, results) works on
 * named fields rather than on JSON. */
#ifndef VIGILE_ACT_ACTION_H
#define VIGILE_ACT_ACTION_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum act_type {
    ACT_HIDE,
    ACT_UNHIDE,
    ACT_DELETE,
    ACT_HOLD,
    ACT_REPLY,
    ACT_WARN,
    ACT_BAN,
    ACT_UNBAN,
    ACT_REPORT,
    ACT_NTYPES
};

enum act_platform {
    PLATFORM_FACEBOOK,
    PLATFORM_INSTAGRAM,
    PLATFORM_YOUTUBE,
    PLATFORM_TELEGRAM,
    PLATFORM_X,
    PLATFORM_WHATSAPP,
    PLATFORM_N
};

struct act_action {
    json_t *doc; /* the parsed message: owns every string below */
    const char *action_id, *decision_id, *tenant, *content_id, *author_id, *issued_at;
    const char *page_id, *thread_id, *text, *kind; /* NULL when absent */
    enum act_type type;
    enum act_platform platform;
    int64_t issued_ms;
    int64_t expires_ms; /* ban: its end; 0 for a ban without end and for other types */
};

/* Names as written on the topic: "hide", "facebook". */
const char *act_type_name(enum act_type type);
const char *act_platform_name(enum act_platform platform);

/* Parses one message (not NUL-terminated). Returns 0 with a filled (new; free with
 * act_action_free), or -1 with "$.field: problem" in err and nothing to free. */
int act_action_parse(const char *buf, size_t len, struct act_action *a, char *err, size_t n);
void act_action_free(struct act_action *a); /* NULL-safe, and safe on a zeroed struct */

/* The queue a command waits in: commands on one content are carried out in the order
 * they were issued (a hide before a later unhide). Writes "<platform>:<content_id>". */
void act_action_order_key(const struct act_action *a, char *buf, size_t n);

#endif
