/* The in-memory store; the Redis store passes the same checks in
 * tests/integration/test_state_redis.c, through the shared cases in state_cases.h. */
#include <criterion/criterion.h>

#include "state.h"
#include "state_cases.h"

Test(state_mem, contract) {
    struct state_store st;
    state_mem_init(&st);
    state_cases_run(&st, "t1");
    state_store_free(&st);
}
