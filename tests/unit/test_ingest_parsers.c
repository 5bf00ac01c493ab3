/* The payload parsers of vigile-ingest on the platform fixtures of
 * tests/fixtures/webhooks/: which envelopes come out, with which fields, and which
 * payloads are refused and why. No broker, no Redis, no HTTP. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "ingest.h"
#include "tenant.h"
#include "timefmt.h"

#define NOW_MS 1772900000000LL /* 2026-03-07T16:13:20Z */

static struct tenant_set *tenants;
static json_t *envs;
static char err[512];

static void setup(void) {
    char e[4096];
    tenants = tenant_set_load(SOURCE_DIR "/config", e, sizeof e);
    cr_assert_not_null(tenants, "%s", e);
    envs = json_array();
    err[0] = '\0';
}

static void teardown(void) {
    json_decref(envs);
    tenant_set_free(tenants);
}

static char *slurp(const char *name, size_t *len) {
    char path[512];
    snprintf(path, sizeof path, "%s/fixtures/webhooks/%s", TESTS_DIR, name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    static char buf[65536];
    *len = fread(buf, 1, sizeof buf - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static enum ingest_status run_on(ingest_parse_fn parse, const char *body, size_t len,
                                 const char *page) {
    struct ingest_request req = { tenants, body, len, page, NOW_MS };
    return parse(&req, envs, err, sizeof err);
}

static enum ingest_status run(ingest_parse_fn parse, const char *fixture, const char *page) {
    size_t len;
    const char *body = slurp(fixture, &len);
    return run_on(parse, body, len, page);
}

static const char *field(size_t i, const char *key) {
    return json_string_value(json_object_get(json_array_get(envs, i), key));
}

static const char *author(size_t i, const char *key) {
    return json_string_value(
        json_object_get(json_object_get(json_array_get(envs, i), "author"), key));
}

static const char *post_text(size_t i) {
    return json_string_value(
        json_object_get(json_object_get(json_array_get(envs, i), "context"), "post_text"));
}

/* Every envelope a parser emits is valid for the pipeline, strictly. */
static void expect_all_strict(void) {
    for (size_t i = 0; i < json_array_size(envs); i++) {
        char why[256];
        cr_expect_eq(envelope_validate(json_array_get(envs, i), ENVELOPE_STRICT, why, sizeof why),
                     0, "envelope %zu: %s", i, why);
    }
}

TestSuite(ingest_parsers, .init = setup, .fini = teardown);

Test(ingest_parsers, facebook_feed_comment) {
    cr_assert_eq(run(ingest_parse_meta, "facebook-feed-comment.json", NULL), INGEST_OK, "%s", err);
    cr_assert_eq(json_array_size(envs), 1);
    expect_all_strict();
    cr_expect_str_eq(field(0, "event_id"), "facebook:1122334455667788_987654321098765");
    cr_expect_str_eq(field(0, "event_type"), "created");
    cr_expect_str_eq(field(0, "tenant"), "arese");
    cr_expect_str_eq(field(0, "channel"), "facebook-comune");
    cr_expect_str_eq(field(0, "kind"), "comment");
    cr_expect_str_eq(field(0, "thread_id"), "100063816017619_1122334455667788");
    cr_expect_str_eq(author(0, "id"), "7021455698123456");
    cr_expect_str_eq(author(0, "name"), "Giulia Colombo");
    cr_expect_str_eq(field(0, "created_at"), "2026-03-06T16:59:58.000Z");
    cr_expect_str_eq(field(0, "received_at"), "2026-03-07T16:13:20.000Z");
}

Test(ingest_parsers, facebook_edit_is_a_new_event_of_the_same_content) {
    cr_assert_eq(run(ingest_parse_meta, "facebook-feed-reply-edited.json", NULL), INGEST_OK, "%s",
                 err);
    cr_assert_eq(json_array_size(envs), 1);
    expect_all_strict();
    cr_expect_str_eq(field(0, "event_type"), "edited");
    cr_expect_str_eq(field(0, "kind"), "reply");
    cr_expect_str_eq(field(0, "content_id"), "1122334455667788_987654321099999");
    cr_expect_str_eq(field(0, "parent_id"), "1122334455667788_987654321098765");
    static const char prefix[] = "facebook:1122334455667788_987654321099999:edited:";
    cr_expect(strncmp(field(0, "event_id"), prefix, sizeof prefix - 1) == 0 &&
                  strlen(field(0, "event_id")) == sizeof prefix - 1 + 16,
              "%s", field(0, "event_id"));
    cr_expect_str_eq(field(0, "created_at"), "2026-03-06T18:00:00.000Z", "the edit's time");
}

Test(ingest_parsers, facebook_removal_is_recorded) {
    cr_assert_eq(run(ingest_parse_meta, "facebook-feed-remove.json", NULL), INGEST_OK, "%s", err);
    cr_assert_eq(json_array_size(envs), 1);
    expect_all_strict();
    cr_expect_str_eq(field(0, "event_type"), "deleted");
    cr_expect_str_eq(field(0, "event_id"), "facebook:1122334455667788_987654321099999:deleted");
}

Test(ingest_parsers, facebook_visitor_post_without_the_page_and_reactions) {
    cr_assert_eq(run(ingest_parse_meta, "facebook-feed-visitor-post.json", NULL), INGEST_OK, "%s",
                 err);
    cr_assert_eq(json_array_size(envs), 1, "the page's reply and the like are skipped");
    cr_expect_str_eq(field(0, "kind"), "post");
    cr_expect_str_eq(field(0, "channel"), "facebook-biblioteca");
    cr_expect_str_eq(field(0, "content_id"), "100064829642734_2233445566778899");
}

Test(ingest_parsers, messenger_message_without_echo_and_reads) {
    cr_assert_eq(run(ingest_parse_meta, "messenger-message.json", NULL), INGEST_OK, "%s", err);
    cr_assert_eq(json_array_size(envs), 1);
    expect_all_strict();
    cr_expect_str_eq(field(0, "kind"), "private_message");
    cr_expect_str_eq(field(0, "platform"), "facebook");
    cr_expect_str_eq(author(0, "id"), "24897325119876543");
    cr_expect_str_eq(field(0, "thread_id"), "24897325119876543");
    cr_expect_str_eq(field(0, "created_at"), "2026-03-06T20:59:59.876Z", "epoch milliseconds");
}

Test(ingest_parsers, instagram_comment_and_reply) {
    cr_assert_eq(run(ingest_parse_meta, "instagram-comment.json", NULL), INGEST_OK, "%s", err);
    cr_assert_eq(json_array_size(envs), 2);
    expect_all_strict();
    cr_expect_str_eq(field(0, "platform"), "instagram");
    cr_expect_str_eq(field(0, "channel"), "instagram-comune");
    cr_expect_str_eq(field(0, "kind"), "comment");
    cr_expect_str_eq(field(0, "thread_id"), "18012345678901234");
    cr_expect_str_eq(author(0, "name"), "luca.rossi_arese");
    cr_expect_str_eq(field(1, "kind"), "reply");
    cr_expect_str_eq(field(1, "parent_id"), "17865432109876543");
}

Test(ingest_parsers, instagram_message_and_its_deletion) {
    cr_assert_eq(run(ingest_parse_meta, "instagram-message.json", NULL), INGEST_OK, "%s", err);
    cr_assert_eq(json_array_size(envs), 2);
    expect_all_strict();
    cr_expect_str_eq(field(0, "event_type"), "created");
    cr_expect_str_eq(field(1, "event_type"), "deleted");
    cr_expect_str_eq(field(0, "content_id"), field(1, "content_id"));
}

Test(ingest_parsers, whatsapp_text_and_caption_not_reaction) {
    cr_assert_eq(run(ingest_parse_meta, "whatsapp-message.json", NULL), INGEST_OK, "%s", err);
    cr_assert_eq(json_array_size(envs), 2);
    expect_all_strict();
    cr_expect_str_eq(field(0, "platform"), "whatsapp");
    cr_expect_str_eq(field(0, "channel"), "whatsapp-comune");
    cr_expect_str_eq(field(0, "kind"), "private_message");
    cr_expect_str_eq(author(0, "id"), "393471234567");
    cr_expect_str_eq(author(0, "name"), "Anna Galli");
    cr_expect_str_eq(field(0, "created_at"), "2026-03-07T00:00:00.000Z", "epoch seconds string");
    cr_expect_str_eq(field(1, "text"), "Ecco la foto");
}

Test(ingest_parsers, whatsapp_statuses_only) {
    cr_assert_eq(run(ingest_parse_whatsapp, "whatsapp-status.json", NULL), INGEST_OK, "%s", err);
    cr_expect_eq(json_array_size(envs), 0);
}

Test(ingest_parsers, telegram_comment_on_channel_post) {
    cr_assert_eq(run(ingest_parse_telegram, "telegram-comment.json", "comunearese"), INGEST_OK,
                 "%s", err);
    cr_assert_eq(json_array_size(envs), 1);
    expect_all_strict();
    cr_expect_str_eq(field(0, "channel"), "telegram-comune");
    cr_expect_str_eq(field(0, "kind"), "comment");
    cr_expect_str_eq(field(0, "event_id"), "telegram:-1001987654321:5821");
    cr_expect_str_eq(field(0, "thread_id"), "-1001987654321:5810");
    cr_expect_str_eq(author(0, "id"), "731245678");
    cr_expect_str_eq(author(0, "name"), "Chiara Fumagalli");
    cr_expect_str_eq(post_text(0),
                     "Da lunedì 9 marzo chiusura temporanea di via dei Gelsi per lavori alla "
                     "rete idrica.");
}

Test(ingest_parsers, telegram_private_and_edited) {
    cr_assert_eq(run(ingest_parse_telegram, "telegram-private.json", "comunearese"), INGEST_OK,
                 "%s", err);
    cr_assert_eq(run(ingest_parse_telegram, "telegram-edited.json", "comunearese"), INGEST_OK, "%s",
                 err);
    cr_assert_eq(json_array_size(envs), 2);
    expect_all_strict();
    cr_expect_str_eq(field(0, "kind"), "private_message");
    cr_expect_str_eq(field(1, "event_type"), "edited");
    cr_expect_str_eq(field(1, "created_at"), "2026-03-07T01:05:00.000Z", "edit_date");
}

Test(ingest_parsers, telegram_bot_unknown_is_refused) {
    cr_expect_eq(run(ingest_parse_telegram, "telegram-private.json", "someone_else_bot"),
                 INGEST_UNKNOWN_PAGE);
    cr_expect(strstr(err, "someone_else_bot") != NULL, "%s", err);
    cr_expect_eq(run(ingest_parse_telegram, "telegram-private.json", NULL), INGEST_UNKNOWN_PAGE);
}

Test(ingest_parsers, youtube_threads_skip_the_owner_and_mark_edits) {
    cr_assert_eq(run(ingest_parse_youtube, "youtube-comment-threads.json", NULL), INGEST_OK, "%s",
                 err);
    cr_assert_eq(json_array_size(envs), 2, "the channel's own reply is skipped");
    expect_all_strict();
    cr_expect_str_eq(field(0, "tenant"), "lecce");
    cr_expect_str_eq(field(0, "kind"), "comment");
    cr_expect_str_eq(field(0, "text"), "Complimenti per la diretta del consiglio comunale, "
                                       "finalmente si sente bene l'audio");
    cr_expect_str_eq(field(1, "kind"), "reply");
    cr_expect_str_eq(field(1, "event_type"), "edited");
    cr_expect_str_eq(field(1, "thread_id"), "UgzGv0R2pQk7Xh4lB5d4AaABAg");
    cr_expect_str_eq(author(1, "id"), "UCq1W2e3R4t5Y6u7I8o9P0aS");
}

Test(ingest_parsers, generic_envelope) {
    cr_assert_eq(run(ingest_parse_envelope, "generic-envelope.json", NULL), INGEST_OK, "%s", err);
    cr_assert_eq(json_array_size(envs), 1);
    expect_all_strict();
    cr_expect_str_eq(field(0, "received_at"), "2026-03-07T16:13:20.000Z");
    const char *other = "{\"event_id\":\"e\",\"tenant\":\"atlantide\",\"platform\":\"x\","
                        "\"kind\":\"comment\",\"content_id\":\"c\",\"author\":{\"id\":\"a\"},"
                        "\"text\":\"ciao\"}";
    cr_expect_eq(run_on(ingest_parse_envelope, other, strlen(other), NULL), INGEST_UNKNOWN_PAGE);
}

Test(ingest_parsers, unknown_page_is_never_guessed) {
    cr_expect_eq(run(ingest_parse_meta, "meta-unknown-page.json", NULL), INGEST_UNKNOWN_PAGE);
    cr_expect(strstr(err, "999999999999999") != NULL, "%s", err);
    cr_expect_eq(ingest_status_http(INGEST_UNKNOWN_PAGE), 403);
}

Test(ingest_parsers, malformed_payloads_say_why) {
    static const struct {
        ingest_parse_fn parse;
        const char *body, *why;
    } cases[] = {
        { ingest_parse_meta, "{\"object\":\"page\",", "JSON" },
        { ingest_parse_meta, "[1,2]", "expected an object" },
        { ingest_parse_meta, "{\"object\":\"user\",\"entry\":[]}", "$.object" },
        { ingest_parse_meta, "{\"object\":\"page\",\"entry\":{}}", "$.entry" },
        { ingest_parse_meta, "{\"object\":\"page\",\"entry\":[{\"time\":1}]}", "$.entry[0].id" },
        { ingest_parse_meta,
          "{\"object\":\"page\",\"entry\":[{\"id\":\"100063816017619\",\"changes\":[{\"field\":"
          "\"feed\",\"value\":{\"item\":\"comment\",\"verb\":\"add\",\"message\":\"x\"}}]}]}",
          "without comment_id" },
        { ingest_parse_meta,
          "{\"object\":\"page\",\"entry\":[{\"id\":\"100063816017619\",\"changes\":[{\"field\":"
          "\"feed\",\"value\":{\"item\":\"comment\",\"verb\":\"add\",\"message\":\"x\","
          "\"comment_id\":\"1_2\",\"post_id\":\"1\"}}]}]}",
          "$.author.id" },
        { ingest_parse_telegram, "{\"message\":{}}", "$.update_id" },
        { ingest_parse_youtube, "{\"kind\":\"youtube#videoListResponse\"}", "$.kind" },
        { ingest_parse_whatsapp,
          "{\"object\":\"whatsapp_business_account\",\"entry\":[{"
          "\"changes\":[{\"field\":\"messages\",\"value\":{\"messages\":"
          "[]}}]}]}",
          "phone_number_id" },
        { ingest_parse_envelope, "{\"tenant\":\"lecce\"}", "$.event_id" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        err[0] = '\0';
        cr_expect_eq(run_on(cases[i].parse, cases[i].body, strlen(cases[i].body), "comunearese"),
                     INGEST_MALFORMED, "case %zu", i);
        cr_expect(strstr(err, cases[i].why) != NULL, "case %zu: \"%s\" lacks \"%s\"", i, err,
                  cases[i].why);
    }
}

Test(ingest_parsers, replay_lines_detect_the_platform) {
    size_t len;
    const char *meta = slurp("facebook-feed-comment.json", &len);
    cr_assert_eq(run_on(ingest_parse_line, meta, len, NULL), INGEST_OK, "%s", err);
    const char *yt = slurp("youtube-comment-threads.json", &len);
    cr_assert_eq(run_on(ingest_parse_line, yt, len, NULL), INGEST_OK, "%s", err);
    const char *tg = slurp("telegram-private.json", &len);
    char *wrapped = malloc(len + 128);
    int n = snprintf(wrapped, len + 128,
                     "{\"platform\":\"telegram\",\"page_id\":\"comunearese\",\"payload\":%s}", tg);
    cr_assert_eq(run_on(ingest_parse_line, wrapped, (size_t)n, NULL), INGEST_OK, "%s", err);
    free(wrapped);
    const char *env = slurp("generic-envelope.json", &len);
    cr_assert_eq(run_on(ingest_parse_line, env, len, NULL), INGEST_OK, "%s", err);
    cr_expect_eq(json_array_size(envs), 1 + 2 + 1 + 1);
    expect_all_strict();
}

Test(ingest_parsers, outputs_are_keyed_by_tenant_and_author) {
    cr_assert_eq(run(ingest_parse_meta, "facebook-feed-comment.json", NULL), INGEST_OK, "%s", err);
    struct stage_outputs out = { 0 };
    ingest_outputs_add(&out, envs);
    cr_assert_eq(out.n, 1);
    cr_expect_str_eq(out.v[0].topic, "vigile.inbound");
    cr_expect_str_eq(out.v[0].key, "arese|7021455698123456");
    stage_outputs_free(&out);
}
