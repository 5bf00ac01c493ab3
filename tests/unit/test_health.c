/* /healthz's decision (health.c) without a broker: the Kafka state follows librdkafka's
 * error and statistics callbacks, and the answer names what is down. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"

/* The answer's status and the body's "status" and "reason" (reason "" when absent). */
static unsigned report(char *status, char *reason) {
    char *body;
    unsigned code = health_report(&body);
    json_t *j = json_loads(body, 0, NULL);
    cr_assert_not_null(j, "body is JSON: %s", body);
    strcpy(status, json_string_value(json_object_get(j, "status")));
    const char *r = json_string_value(json_object_get(j, "reason"));
    strcpy(reason, r ? r : "");
    json_decref(j);
    free(body);
    return code;
}

static const char stats_down[] =
    "{\"brokers\":{\":0/internal\":{\"source\":\"internal\",\"state\":\"UP\"},"
    "\"127.0.0.1:9092/1\":{\"source\":\"learned\",\"state\":\"CONNECT\"}}}";
static const char stats_up[] =
    "{\"brokers\":{\":0/internal\":{\"source\":\"internal\",\"state\":\"UP\"},"
    "\"127.0.0.1:9092/1\":{\"source\":\"learned\",\"state\":\"UP\"}}}";

Test(health, kafka_down_until_a_broker_is_up_again, .init = health_reset) {
    char status[32], reason[1024];
    cr_assert_eq(report(status, reason), 200);
    cr_assert_str_eq(status, "ok");

    health_kafka_error(RD_KAFKA_RESP_ERR__TRANSPORT, "one connection failed");
    cr_assert_eq(report(status, reason), 200, "one broker connection is not an outage");

    health_kafka_error(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, "1/1 brokers are down");
    cr_assert_eq(report(status, reason), 503);
    cr_assert_str_eq(status, "degraded");
    cr_assert(strstr(reason, "kafka: all brokers down"), "%s", reason);

    health_kafka_stats(stats_down, strlen(stats_down));
    cr_assert_eq(report(status, reason), 503, "librdkafka's internal broker does not count");
    health_kafka_stats(stats_up, strlen(stats_up));
    cr_assert_eq(report(status, reason), 200);
    cr_assert_str_eq(status, "ok");
    cr_assert_str_eq(reason, "");
}

Test(health, names_every_dependency_down, .init = health_reset) {
    char status[32], reason[1024];
    health_set_down(HEALTH_REDIS, "redis: 127.0.0.1:1: Connection refused");
    health_kafka_error(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, "1/1 brokers are down");
    cr_assert_eq(report(status, reason), 503);
    cr_assert(strstr(reason, "kafka: all brokers down") && strstr(reason, "Connection refused"),
              "%s", reason);
    cr_assert(health_degraded());
    health_set_up(HEALTH_REDIS);
    health_kafka_stats(stats_up, strlen(stats_up));
    cr_assert_eq(report(status, reason), 200);
    cr_assert_not(health_degraded());
}

Test(health, garbage_statistics_change_nothing, .init = health_reset) {
    char status[32], reason[1024];
    health_kafka_error(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, "1/1 brokers are down");
    health_kafka_stats("{", 1);
    cr_assert_eq(report(status, reason), 503);
}
