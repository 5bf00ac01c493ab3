/* vigile-replay as an operator runs it, offline: every line of output, dead letters
 * included, is {"topic","value"} with --all; without it, decisions and dead letters. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc_util.h"
#include "xmalloc.h"

/* Runs vigile-replay [--all] on the generic fixture's envelope and a broken line; returns
 * its output (new). */
static char *replay(int all) {
    char in[] = "/tmp/vigile-replay-in-XXXXXX", out[] = "/tmp/vigile-replay-out-XXXXXX";
    close(mkstemp(in));
    close(mkstemp(out));
    char *fx = proc_slurp(TESTS_DIR "/fixtures/webhooks/generic-envelope.json");
    FILE *f = fopen(in, "w");
    fprintf(f, "%s\n{\"broken\":\n", fx);
    fclose(f);
    free(fx);
    proc_test_env("replay-cli");
    char *argv_all[] = { BUILD_DIR "/services/vigile-replay", "--all", in, NULL };
    char *argv_one[] = { BUILD_DIR "/services/vigile-replay", in, NULL };
    cr_assert_eq(proc_wait(proc_start(all ? argv_all : argv_one, out)), 0);
    char *s = proc_slurp(out);
    unlink(in);
    unlink(out);
    return s;
}

Test(replay_cli, all_wraps_dead_letters_like_every_output) {
    char *s = replay(1);
    int lines = 0, deadletters = 0;
    for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] != '{' || strstr(line, "\"level\":")) continue; /* a log line */
        json_t *j = json_loads(line, 0, NULL);
        cr_assert_not_null(j, "not JSON: %.200s", line);
        cr_expect(json_is_string(json_object_get(j, "topic")) && json_object_get(j, "value"),
                  "not wrapped: %.200s", line);
        const char *topic = json_string_value(json_object_get(j, "topic"));
        deadletters += topic && strcmp(topic, "vigile.deadletter") == 0;
        lines++;
        json_decref(j);
    }
    cr_expect_geq(lines, 2, "a decision and a dead letter at least");
    cr_expect_eq(deadletters, 1, "the broken line, wrapped");
    free(s);
}

Test(replay_cli, plain_prints_decisions_and_dead_letters) {
    char *s = replay(0);
    cr_expect(strstr(s, "\"decision_id\""), "a decision: %.300s", s);
    cr_expect(strstr(s, "\"name\":\"vigile.deadletter\""), "the dead letter: %.300s", s);
    cr_expect_null(strstr(s, "{\"topic\":"), "nothing wrapped without --all");
    free(s);
}
