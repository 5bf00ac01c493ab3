/* The labelled metrics registry (metric_registry.c) and the pipeline's reason classes:
 * what /metrics shows for counters, gauges and histograms, label escaping, the bound on
 * label combinations, and counts that stay exact while threads bump and render. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metric_registry.h"
#include "pipeline_metrics.h"

/* What the registry renders now, as a new string. */
static char *rendered(void) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    metric_registry_render(f, "test");
    fclose(f);
    return buf;
}

static void assert_line(const char *text, const char *line) {
    char *want;
    cr_assert(asprintf(&want, "\n%s\n", line) > 0);
    cr_assert_not_null(strstr(text, want), "no line %s in:\n%s", line, text);
    free(want);
}

Test(metric_registry, counter_series_by_label_values) {
    struct metric *m = metric_counter("t_decisions_total", "Decisions",
                                      (const char *const[]){ "tenant", "action", NULL });
    metric_add(metric_with(m, (const char *const[]){ "lecce", "hide" }), 2);
    metric_inc_with(m, (const char *const[]){ "lecce", "hide" });
    metric_inc_with(m, (const char *const[]){ "arese", "none" });
    cr_assert_eq(metric_counter("t_decisions_total", "Decisions",
                                (const char *const[]){ "tenant", "action", NULL }),
                 m, "registering again gives the same family");
    char *text = rendered();
    assert_line(text, "# TYPE t_decisions_total counter");
    assert_line(text, "t_decisions_total{component=\"test\",tenant=\"lecce\",action=\"hide\"} 3");
    assert_line(text, "t_decisions_total{component=\"test\",tenant=\"arese\",action=\"none\"} 1");
    free(text);
}

Test(metric_registry, gauge_set_and_mirrored_counter) {
    struct metric *g = metric_gauge("t_lag", "Lag", (const char *const[]){ "partition", NULL });
    metric_set(metric_with(g, (const char *const[]){ "0" }), 42);
    metric_set(metric_with(g, (const char *const[]){ "0" }), 7.5);
    struct metric *c = metric_counter("t_connects_total", "Connects", NULL);
    metric_set(metric_with(c, NULL), 12);
    char *text = rendered();
    assert_line(text, "t_lag{component=\"test\",partition=\"0\"} 7.5");
    assert_line(text, "t_connects_total{component=\"test\"} 12");
    free(text);
}

Test(metric_registry, histogram_buckets_are_cumulative) {
    static const double bounds[] = { 0.1, 1 };
    struct metric *h =
        metric_histogram("t_seconds", "Seconds", (const char *const[]){ "stage", NULL }, bounds, 2);
    struct metric_series *s = metric_with(h, (const char *const[]){ "route" });
    metric_observe(s, 0.05);
    metric_observe(s, 0.1); /* on the bound: le is inclusive */
    metric_observe(s, 0.5);
    metric_observe(s, 3);
    char *text = rendered();
    assert_line(text, "# TYPE t_seconds histogram");
    assert_line(text, "t_seconds_bucket{component=\"test\",stage=\"route\",le=\"0.1\"} 2");
    assert_line(text, "t_seconds_bucket{component=\"test\",stage=\"route\",le=\"1\"} 3");
    assert_line(text, "t_seconds_bucket{component=\"test\",stage=\"route\",le=\"+Inf\"} 4");
    assert_line(text, "t_seconds_sum{component=\"test\",stage=\"route\"} 3.65");
    assert_line(text, "t_seconds_count{component=\"test\",stage=\"route\"} 4");
    free(text);
}

Test(metric_registry, label_values_are_escaped) {
    struct metric *m =
        metric_counter("t_escaped_total", "Escaped", (const char *const[]){ "v", NULL });
    metric_inc_with(m, (const char *const[]){ "a\"b\\c\nd" });
    char *text = rendered();
    assert_line(text, "t_escaped_total{component=\"test\",v=\"a\\\"b\\\\c\\nd\"} 1");
    free(text);
}

Test(metric_registry, label_combinations_are_bounded) {
    struct metric *m =
        metric_counter("t_bounded_total", "Bounded", (const char *const[]){ "id", NULL });
    char id[32];
    for (int i = 0; i < METRIC_MAX_SERIES + 10; i++) {
        snprintf(id, sizeof id, "id%d", i);
        metric_inc_with(m, (const char *const[]){ id });
    }
    char *text = rendered();
    size_t lines = 0;
    for (const char *p = text; (p = strstr(p, "\nt_bounded_total{")); p++) lines++;
    cr_assert_eq(lines, METRIC_MAX_SERIES);
    assert_line(text, "vigile_metric_series_dropped_total{component=\"test\"} 10");
    free(text);
}

#define THREADS 4
#define BUMPS   100000

static void *bump(void *arg) {
    struct metric *m = arg;
    char name[16];
    for (int i = 0; i < BUMPS; i++) {
        snprintf(name, sizeof name, "t%d", i % 8); /* first uses race to insert */
        metric_inc_with(m, (const char *const[]){ name });
    }
    return NULL;
}

static void *render_loop(void *arg) {
    for (int i = 0; i < 50; i++) free(rendered());
    return arg;
}

Test(metric_registry, exact_under_concurrent_bumps_and_scrapes) {
    struct metric *m =
        metric_counter("t_concurrent_total", "Concurrent", (const char *const[]){ "k", NULL });
    pthread_t th[THREADS + 1];
    for (int i = 0; i < THREADS; i++) pthread_create(&th[i], NULL, bump, m);
    pthread_create(&th[THREADS], NULL, render_loop, NULL);
    for (int i = 0; i <= THREADS; i++) pthread_join(th[i], NULL);
    char *text = rendered(), line[128];
    for (int k = 0; k < 8; k++) {
        snprintf(line, sizeof line, "t_concurrent_total{component=\"test\",k=\"t%d\"} %d", k,
                 THREADS * BUMPS / 8);
        assert_line(text, line);
    }
    free(text);
}

Test(pipeline_metrics, reason_classes) {
    cr_assert_str_eq(pipeline_reason_class("JSON 1:17: unexpected token"), "not_json");
    cr_assert_str_eq(pipeline_reason_class("not JSON: 1:1: '[' expected"), "not_json");
    cr_assert_str_eq(pipeline_reason_class("$.text: invalid UTF-8 at byte 3"), "invalid_utf8");
    cr_assert_str_eq(pipeline_reason_class("$.tenant: unknown tenant \"x\""), "unknown_tenant");
    cr_assert_str_eq(pipeline_reason_class("output to vigile.decisions is 2000000 bytes, over "
                                           "the message limit of 1000000"),
                     "too_large");
    cr_assert_str_eq(pipeline_reason_class("$.author.id: missing"), "invalid_field");
    cr_assert_str_eq(pipeline_reason_class("tenant x: a calendar never opens"), "other");
}

Test(pipeline_metrics, lag_from_statistics) {
    static const char stats[] =
        "{\"type\":\"consumer\",\"brokers\":{\"b/1\":{\"connects\":3,\"disconnects\":1}},"
        "\"topics\":{\"vigile.inbound\":{\"partitions\":{"
        "\"0\":{\"app_offset\":90,\"ls_offset\":100,\"committed_offset\":80},"
        "\"1\":{\"app_offset\":-1001,\"ls_offset\":50,\"committed_offset\":45},"
        "\"2\":{\"app_offset\":-1001,\"ls_offset\":-1,\"committed_offset\":-1001},"
        "\"-1\":{\"app_offset\":-1001,\"ls_offset\":-1}}}}}";
    pipeline_metric_kafka_stats(stats, sizeof stats - 1);
    pipeline_metric_kafka_stats("not json", 8); /* ignored */
    char *text = rendered();
    assert_line(text, "vigile_kafka_consumer_lag_messages{component=\"test\","
                      "topic=\"vigile.inbound\",partition=\"0\"} 10");
    assert_line(text, "vigile_kafka_consumer_lag_messages{component=\"test\","
                      "topic=\"vigile.inbound\",partition=\"1\"} 5");
    cr_assert_null(strstr(text, "partition=\"2\""), "an unknown end is not a lag");
    cr_assert_null(strstr(text, "partition=\"-1\""));
    assert_line(text, "vigile_kafka_connects_total{component=\"test\",client=\"consumer\"} 3");
    assert_line(text, "vigile_kafka_disconnects_total{component=\"test\",client=\"consumer\"} 1");
    free(text);
}
