/* The bad-input corpus (tests/badinput/README.md): a manifest of named inputs, each with
 * the stage that meets it and the exact reason that stage must give. Shared by the unit
 * test (every stage called directly) and the integration test (the real workers on the
 * broker), so that both check the same list. */
#ifndef VIGILE_TEST_BADINPUT_H
#define VIGILE_TEST_BADINPUT_H

#include <stddef.h>

struct badinput_case {
    char *input;  /* owned: inputs/<input>.in, or a directory under tests/ (config, data) */
    char *stage;  /* owned: classify, route, route-operator, sla, sla-operator, ingest-*,
                   * config, data */
    char *reason; /* owned: the exact dead-letter reason or first config error line */
};

struct badinput_set {
    struct badinput_case *v;
    size_t n, cap;
};

/* Reads the manifest at path into set (empty on entry). Returns 0, or -1 with err
 * naming the line that is malformed. */
int badinput_load(const char *path, struct badinput_set *set, char *err, size_t errlen);
void badinput_free(struct badinput_set *set); /* NULL-safe; empties set */

/* The bytes of inputs/<name>.in under dir, with every "@@N*TEXT@@" replaced by TEXT
 * repeated N times (how a 10 MB string is written in a file of a few bytes). Returns a
 * new buffer (NUL-terminated beyond *len, which counts only the input's bytes), or NULL
 * when the file cannot be read or a macro is malformed. */
char *badinput_bytes(const char *dir, const char *name, size_t *len);

/* The Kafka topic a stage reads the case from, or NULL for stages met outside a worker
 * (ingest parsers, config, data). */
const char *badinput_topic(const char *stage);
/* The worker's stage name as its dead letters carry it ("route" for route-operator). */
const char *badinput_worker_stage(const char *stage);

#endif
