#include <criterion/criterion.h>
#include <string.h>

#include "envelope.h"
#include "limits.h"

#define OK_FIXTURE TESTS_DIR "/fixtures/envelope-ok.json"

static char *read_fixture(size_t *len) {
    FILE *f = fopen(OK_FIXTURE, "rb");
    cr_assert_not_null(f);
    static char buf[8192];
    *len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return buf;
}

/* Loads the valid fixture, applies one edit with json_object_set_new/del through
 * `mutate`, and returns the validation error ("" if valid). */
static const char *error_after(void (*mutate)(json_t *), enum envelope_mode mode) {
    static char err[256];
    size_t len;
    char *buf = read_fixture(&len);
    json_t *env = json_loadb(buf, len, 0, NULL);
    cr_assert_not_null(env);
    mutate(env);
    err[0] = '\0';
    envelope_validate(env, mode, err, sizeof err);
    json_decref(env);
    return err;
}

static void no_change(json_t *e) { (void)e; }
static void drop_author_id(json_t *e) { json_object_del(json_object_get(e, "author"), "id"); }
static void bad_created(json_t *e) { json_object_set_new(e, "created_at", json_string("ieri")); }
static void int_text(json_t *e) { json_object_set_new(e, "text", json_integer(3)); }
static void empty_text(json_t *e) { json_object_set_new(e, "text", json_string("")); }
static void bad_kind(json_t *e) { json_object_set_new(e, "kind", json_string("story")); }
static void unknown_key(json_t *e) { json_object_set_new(e, "colour", json_string("red")); }
static void bad_tenant(json_t *e) { json_object_set_new(e, "tenant", json_string("Lecce!")); }
static void pipe_author(json_t *e) {
    json_object_set_new(json_object_get(e, "author"), "id", json_string("a|b"));
}
static void huge_text(json_t *e) {
    char *t = malloc(LIMIT_TEXT_BYTES + 2);
    memset(t, 'a', LIMIT_TEXT_BYTES + 1);
    t[LIMIT_TEXT_BYTES + 1] = '\0';
    json_object_set_new(e, "text", json_string(t));
    free(t);
}
static void no_channel_no_times(json_t *e) {
    json_object_del(e, "channel");
    json_object_del(e, "created_at");
    json_object_del(e, "received_at");
    json_object_del(e, "schema");
}
static void bad_topics(json_t *e) {
    json_object_set_new(json_object_get(e, "context"), "post_topics", json_pack("[s,i]", "a", 1));
}
/* A million post topics (5 MB of JSON): the array's length is refused, not carried. */
static void million_topics(json_t *e) {
    json_t *topics = json_array();
    for (int i = 0; i < 1000000; i++) json_array_append_new(topics, json_string("t"));
    json_object_set_new(json_object_get(e, "context"), "post_topics", topics);
}
static void long_topic(json_t *e) {
    char t[LIMIT_POST_TOPIC_BYTES + 2];
    memset(t, 'x', sizeof t - 1);
    t[sizeof t - 1] = '\0';
    json_object_set_new(json_object_get(e, "context"), "post_topics", json_pack("[s]", t));
}
static void many_attachments(json_t *e) {
    json_t *att = json_array();
    for (int i = 0; i <= LIMIT_ATTACHMENTS; i++)
        json_array_append_new(att, json_pack("{s:s}", "type", "image"));
    json_object_set_new(e, "attachments", att);
}
/* An attachment nested one level deeper than the limit allows. */
static void deep_attachment(json_t *e) {
    /* The envelope is depth 1, attachments 2, the item 3 and one more per wrap. */
    json_t *inner = json_object();
    for (int d = 3; d <= LIMIT_ENVELOPE_DEPTH; d++) inner = json_pack("{s:o}", "x", inner);
    json_object_set_new(inner, "type", json_string("link"));
    json_object_set_new(e, "attachments", json_pack("[o]", inner));
}

Test(envelope, arrays_and_depth_are_bounded) {
    cr_assert_str_eq(error_after(million_topics, ENVELOPE_STRICT),
                     "$.context.post_topics: 1000000 items, over the limit of 64");
    cr_assert_str_eq(error_after(long_topic, ENVELOPE_STRICT),
                     "$.context.post_topics: item 0: 129 bytes, over the limit of 128");
    cr_assert_str_eq(error_after(many_attachments, ENVELOPE_STRICT),
                     "$.attachments: 33 items, over the limit of 32");
    cr_assert_str_eq(error_after(deep_attachment, ENVELOPE_STRICT),
                     "$: nested deeper than the limit of 16");
}

Test(envelope, size_is_checked_serialized) {
    size_t len;
    char *buf = read_fixture(&len);
    json_t *env = json_loadb(buf, len, 0, NULL);
    char err[256] = "";
    cr_assert_eq(envelope_check_size(env, err, sizeof err), 0, "%s", err);
    /* 32 attachments of 160 KB each: valid field by field, 5 MB in all. */
    char *url = malloc(160001);
    memset(url, 'u', 160000);
    url[160000] = '\0';
    json_t *att = json_array();
    for (int i = 0; i < LIMIT_ATTACHMENTS; i++)
        json_array_append_new(att, json_pack("{s:s, s:s}", "type", "image", "url", url));
    json_object_set_new(env, "attachments", att);
    cr_assert_eq(envelope_validate(env, ENVELOPE_STRICT, err, sizeof err), 0, "%s", err);
    cr_assert_eq(envelope_check_size(env, err, sizeof err), -1);
    cr_assert(strstr(err, "bytes serialized, over the envelope limit of 262144"), "%s", err);
    free(url);
    json_decref(env);
}

Test(envelope, valid_fixture_passes) {
    cr_assert_str_eq(error_after(no_change, ENVELOPE_STRICT), "");
}

Test(envelope, errors_name_the_path) {
    cr_assert_str_eq(error_after(drop_author_id, ENVELOPE_STRICT), "$.author.id: missing");
    cr_assert_str_eq(error_after(bad_created, ENVELOPE_STRICT), "$.created_at: not RFC 3339");
    cr_assert_str_eq(error_after(int_text, ENVELOPE_STRICT),
                     "$.text: expected string, got integer");
    cr_assert_str_eq(error_after(empty_text, ENVELOPE_STRICT), "$.text: empty");
    cr_assert_str_eq(error_after(unknown_key, ENVELOPE_STRICT), "$.colour: unknown key");
    cr_assert_str_eq(error_after(pipe_author, ENVELOPE_STRICT),
                     "$.author.id: must not contain '|'");
    cr_assert_str_eq(error_after(bad_tenant, ENVELOPE_STRICT),
                     "$.tenant: only a-z, 0-9, '_' and '-' are allowed");
    cr_assert_str_eq(error_after(bad_topics, ENVELOPE_STRICT),
                     "$.context.post_topics: item 1: expected string, got integer");
    cr_assert(strstr(error_after(bad_kind, ENVELOPE_STRICT), "$.kind: \"story\" is not one of"));
    cr_assert_str_eq(error_after(huge_text, ENVELOPE_STRICT),
                     "$.text: 65537 bytes, over the limit of 65536");
}

Test(envelope, replay_mode_fills_defaults_strict_does_not) {
    cr_assert_str_eq(error_after(no_channel_no_times, ENVELOPE_STRICT), "$.schema: missing");
    cr_assert_str_eq(error_after(no_channel_no_times, ENVELOPE_REPLAY), "");
}

Test(envelope, parse_rejects_bad_json_and_bad_utf8) {
    char err[256];
    cr_assert_null(envelope_parse("{\"a\":", 5, ENVELOPE_STRICT, err, sizeof err));
    cr_assert(strncmp(err, "JSON 1:", 7) == 0, "got %s", err);
    const char bad[] = "{\"text\":\"\xff\xfe\"}";
    cr_assert_null(envelope_parse(bad, sizeof bad - 1, ENVELOPE_STRICT, err, sizeof err));
    cr_assert(strstr(err, "UTF-8") || strstr(err, "decode"), "got %s", err);
    cr_assert_null(envelope_parse("[1,2]", 5, ENVELOPE_STRICT, err, sizeof err));
    cr_assert_str_eq(err, "$: expected object, got array");
}

Test(envelope, key_is_tenant_and_author) {
    size_t len;
    char *buf = read_fixture(&len);
    char err[256];
    json_t *env = envelope_parse(buf, len, ENVELOPE_STRICT, err, sizeof err);
    cr_assert_not_null(env, "%s", err);
    char *key = envelope_key(env);
    cr_assert_str_eq(key, "lecce|5512345");
    free(key);
    json_decref(env);
}

/* The input's bytes with members appended must mean what the whole dump means, also
 * when the input ends in blanks or holds escapes that the whole dump rewrites. */
Test(envelope, appended_members_equal_whole_dump) {
    size_t len;
    char *fixture = read_fixture(&len);
    char input[8192];
    cr_assert_lt(len + 8, sizeof input);
    memcpy(input, fixture, len);
    memcpy(input + len, " \n\t ", 4);
    len += 4;
    char err[256];
    json_t *env = envelope_parse(input, len, ENVELOPE_STRICT, err, sizeof err);
    cr_assert_not_null(env, "%s", err);
    json_object_set_new(
        env, "classification",
        json_pack("{s:[{s:s, s:f}]}", "labels", "category", "insult", "score", 0.9));
    json_object_set_new(env, "redacted_text",
                        json_string("Chiamami al [telefono] \"subito\" \xc3\xa8"));
    struct json_writer w = { 0 };
    envelope_write_open(&w, input, len);
    static const char *const added[] = { "classification", "redacted_text" };
    for (size_t i = 0; i < 2; i++) {
        json_write_key(&w, added[i]);
        json_write_json(&w, json_object_get(env, added[i]));
    }
    json_write_object_close(&w);
    size_t whole_len, appended_len;
    char *whole = envelope_dump(env, &whole_len);
    char *appended = json_write_finish(&w, &appended_len);
    cr_assert_eq(strlen(appended), appended_len);
    cr_assert(strncmp(appended, input, 40) == 0, "the input's bytes come first");
    json_t *a = json_loadb(appended, appended_len, JSON_REJECT_DUPLICATES, NULL);
    json_t *wh = json_loadb(whole, whole_len, 0, NULL);
    cr_assert_not_null(a, "appended dump is not JSON: %s", appended);
    cr_assert(json_equal(a, wh), "appended %s\nwhole %s", appended, whole);
    json_decref(a);
    json_decref(wh);
    free(whole);
    free(appended);
    json_decref(env);
}
