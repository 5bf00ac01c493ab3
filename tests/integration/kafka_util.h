/* Small helpers for tests that talk to the real broker started by scripts/test.sh. */
#ifndef VIGILE_TEST_KAFKA_UTIL_H
#define VIGILE_TEST_KAFKA_UTIL_H

#include <jansson.h>
#include <stddef.h>

/* The broker list from VIGILE_KAFKA_BROKERS; fails the test when unset. */
const char *test_brokers(void);
/* Creates the topics (NULL-terminated names) with 3 partitions; fails the test on error. */
void test_create_topics(const char *const *names);
/* Produces value with key to topic and waits for the acknowledgement. */
void test_produce(const char *topic, const char *key, const char *value, size_t len);

/* Produces n messages (keys[i], values[i]) to topic with one producer and waits for all
 * acknowledgements. */
void test_produce_batch(const char *topic, char *const *keys, char *const *values, size_t n);

/* Commits, for consumer group `group`, the current end of every partition of the topics
 * (NULL-terminated): a worker of that group then starts where the topics end now instead
 * of working through what earlier tests left on the shared broker. */
void test_group_start_at_end(const char *group, const char *const *topics);

struct test_message {
    char *key;
    char *value;
    size_t len;
};

/* Reads topic from the beginning (read_committed) until `want` messages accepted by
 * match (NULL: all) have arrived or timeout_ms has passed, then reads on for settle_ms
 * more to catch duplicates. Returns the number accepted; *out gets a new array. */
size_t test_consume(const char *topic, int (*match)(const struct test_message *, void *), void *arg,
                    size_t want, int timeout_ms, int settle_ms, struct test_message **out);
void test_messages_free(struct test_message *msgs, size_t n);

/* The payload a dead letter carries (payload_base64 decoded), as a new NUL-terminated
 * string; "" when m is not a dead letter. */
char *test_deadletter_payload(const struct test_message *m);

/* Writes the values to BUILD_DIR/messages-<name>.jsonl, one per line, for the schema
 * check (tests/validate_schemas.py validates what the workers really wrote). */
void test_save_messages(const char *name, const struct test_message *msgs, size_t n);

#endif
