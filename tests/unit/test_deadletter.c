#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadletter.h"
#include "limits.h"

static json_t *record(const char *reason, const void *payload, size_t len, size_t *rec_len) {
    struct deadletter_source src = { "classify", "vigile.inbound", 3, 42 };
    char *rec = deadletter_record(&src, reason, payload, len, rec_len);
    json_t *j = json_loadb(rec, *rec_len, 0, NULL);
    cr_assert_not_null(j, "the record is JSON");
    free(rec);
    return j;
}

static const char *str(const json_t *j, const char *key) {
    return json_string_value(json_object_get(j, key));
}

static json_int_t num(const json_t *j, const char *key) {
    return json_integer_value(json_object_get(j, key));
}

static void sha256_hex(const void *data, size_t len, char hex[65]) {
    unsigned char md[32];
    EVP_Digest(data, len, md, NULL, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

Test(deadletter, keeps_original_bytes_and_reason) {
    const char payload[] = "{\"text\":\"\xff\"}";
    size_t len;
    json_t *j = record("JSON 1:10: unable to decode byte 0xff", payload, sizeof payload - 1, &len);
    cr_assert_str_eq(str(j, "stage"), "classify");
    cr_assert_eq(num(j, "offset"), 42);
    cr_assert_eq(num(json_object_get(j, "schema"), "version"), DEADLETTER_SCHEMA_VERSION);
    cr_assert_null(json_object_get(j, "payload_text"), "the body travels once, as base64");
    cr_assert_str_eq(str(j, "payload_base64"), "eyJ0ZXh0Ijoi/yJ9");
    cr_assert_eq(num(j, "payload_bytes"), (json_int_t)sizeof payload - 1);
    cr_assert_eq(num(j, "original_size"), (json_int_t)sizeof payload - 1);
    cr_assert(json_is_false(json_object_get(j, "truncated")));
    char hex[65];
    sha256_hex(payload, sizeof payload - 1, hex);
    cr_assert_str_eq(str(j, "original_sha256"), hex);
    json_decref(j);
}

Test(deadletter, an_oversize_payload_is_cut_to_fit_with_size_and_sha256_of_the_whole) {
    size_t big = 5 * 1000 * 1000, len;
    char *payload = malloc(big);
    for (size_t i = 0; i < big; i++) payload[i] = (char)('a' + i % 26);
    json_t *j = record("$: 5000000 bytes serialized, over the envelope limit", payload, big, &len);
    cr_assert_leq(len, LIMIT_MESSAGE_BYTES - 4096, "record of %zu bytes fits a message", len);
    cr_assert_eq(num(j, "payload_bytes"), LIMIT_DEADLETTER_PAYLOAD_BYTES);
    cr_assert_eq(num(j, "original_size"), (json_int_t)big);
    cr_assert(json_is_true(json_object_get(j, "truncated")));
    char hex[65];
    sha256_hex(payload, big, hex);
    cr_assert_str_eq(str(j, "original_sha256"), hex, "the digest is of the whole original");
    /* What is carried is the original's beginning, byte for byte. */
    const char *b64 = str(j, "payload_base64");
    unsigned char *raw = malloc(strlen(b64));
    int n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)strlen(b64));
    cr_assert_geq(n, LIMIT_DEADLETTER_PAYLOAD_BYTES);
    cr_assert_eq(memcmp(raw, payload, LIMIT_DEADLETTER_PAYLOAD_BYTES), 0);
    free(raw);
    free(payload);
    json_decref(j);
}

Test(deadletter, a_long_reason_is_cut_on_a_character_boundary) {
    size_t n = 3 * LIMIT_DEADLETTER_REASON_BYTES, len;
    char *reason = malloc(n + 1);
    /* One ASCII byte, then è after è (2 bytes each): byte 1024 is the second of a pair. */
    reason[0] = 'y';
    for (size_t i = 1; i + 1 < n; i += 2) memcpy(reason + i, "\xc3\xa8", 2);
    reason[n - 1] = 'z';
    reason[n] = '\0';
    json_t *j = record(reason, "x", 1, &len);
    const char *r = str(j, "reason");
    cr_assert_leq(strlen(r), LIMIT_DEADLETTER_REASON_BYTES);
    cr_assert_gt(strlen(r), LIMIT_DEADLETTER_REASON_BYTES - 2, "cut as late as possible");
    free(reason);
    json_decref(j);

    j = record("quote: \xff", "x", 1, &len);
    cr_assert_str_eq(str(j, "reason"), "(reason not UTF-8)");
    json_decref(j);
}
