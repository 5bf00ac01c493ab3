/* The Redis store against a real redis-server: the same contract as the memory store,
 * plus what only Redis can show, hash-tagged keys and recovery after a reconnect. */
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state.h"
#include "state_cases.h"

static const char *redis_url(void) {
    const char *url = getenv("VIGILE_REDIS_URL");
    cr_assert_not_null(url, "VIGILE_REDIS_URL is not set: run through scripts/test.sh");
    return url;
}

Test(state_redis, contract) {
    struct state_store st;
    char err[256], tenant[64];
    cr_assert_eq(state_redis_init(&st, redis_url(), err, sizeof err), 0, "%s", err);
    snprintf(tenant, sizeof tenant, "t%d", (int)getpid());
    state_cases_run(&st, tenant);
    state_store_free(&st);
}

Test(state_redis, keys_are_hash_tagged_by_tenant) {
    struct state_store st;
    char err[256], tenant[64], pattern[96];
    cr_assert_eq(state_redis_init(&st, redis_url(), err, sizeof err), 0, "%s", err);
    snprintf(tenant, sizeof tenant, "k%d", (int)getpid());
    struct state_decision d = { "e1", 1000, 100000, 1, 0, "{}", 100000 };
    char *existing;
    cr_assert_eq(state_decision_commit(&st, tenant, "p_x", &d, &existing), 0);
    state_store_free(&st);

    int port = atoi(strrchr(redis_url(), ':') + 1);
    redisContext *rc = redisConnect("127.0.0.1", port);
    cr_assert(rc && !rc->err);
    snprintf(pattern, sizeof pattern, "vigile:{%s}:*", tenant);
    redisReply *r = redisCommand(rc, "KEYS %s", pattern);
    cr_assert_eq(r->elements, 2); /* the strike and the decision's record */
    for (size_t i = 0; i < r->elements; i++)
        cr_assert(strncmp(r->element[i]->str, pattern, strlen(pattern) - 1) == 0);
    freeReplyObject(r);
    redisFree(rc);
}

Test(state_redis, unavailable_redis_fails_then_recovers) {
    struct state_store st;
    char err[256];
    /* A port nothing listens on: calls fail with -1 instead of crashing or blocking. */
    cr_assert_eq(state_redis_init(&st, "redis://127.0.0.1:1", err, sizeof err), 0);
    struct state_author_view view;
    char *record;
    cr_assert_eq(state_decision_lookup(&st, "t", "p", "e", 1, 10, &view, &record), -1);
    state_store_free(&st);
    cr_assert_eq(state_redis_init(&st, "http://x", err, sizeof err), -1);
    cr_assert(strstr(err, "redis://"));
}
