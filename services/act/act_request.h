/* The HTTP request each platform's own API needs for one command, built as data (method,
 * URL, headers, body) so that tests can compare it with docs/act.md without a network,
 * shadow mode can print it, and act_http.c only sends it. What a platform has no API for
 * is not built: the builder says why, and the command goes to an operator. */
#ifndef VIGILE_ACT_REQUEST_H
#define VIGILE_ACT_REQUEST_H

#include <stddef.h>

#include "act_action.h"

struct act_request {
    const char *method;       /* static: "POST", "DELETE", "PUT" */
    char *url;                /* owned; Telegram's carries the token (bot<token>/...) */
    char *body;               /* owned, or NULL for none */
    const char *content_type; /* static, or NULL without a body */
    char *authorization;      /* owned "Bearer <token>", or NULL (Telegram) */
    int idempotent;           /* 1: sending it twice has the effect of sending it once */
};

/* Builds the request for a on its platform. base_url (no trailing slash) and token are
 * borrowed. Returns 0 with req filled (free with act_request_free); or -1 when the
 * platform cannot do it, with the reason in Italian, for the operator, in why. */
int act_request_build(const struct act_action *a, const char *base_url, const char *token,
                      struct act_request *req, char *why, size_t n);
void act_request_free(struct act_request *req); /* NULL-safe; zeroes it */

/* Copies s into a new string with every occurrence of secret replaced by "[redacted]"
 * (secret NULL or empty: a plain copy). For anything that may be logged or published. */
char *act_redact(const char *s, const char *secret);
/* The same for the token and the author's raw platform id (which only vigile.actions may
 * carry): what logs and results show of a request. */
char *act_redact_request_text(const char *s, const char *token, const char *author_id);

#endif
