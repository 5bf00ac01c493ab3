#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "deadletter.h"

Test(deadletter, keeps_original_bytes_and_reason) {
    struct deadletter_source src = { "classify", "vigile.inbound", 3, 42 };
    const char payload[] = "{\"text\":\"\xff\"}";
    size_t len;
    char *rec = deadletter_record(&src, "JSON 1:10: unable to decode byte 0xff", payload,
                                  sizeof payload - 1, &len);
    json_t *j = json_loadb(rec, len, 0, NULL);
    cr_assert_not_null(j);
    cr_assert_str_eq(json_string_value(json_object_get(j, "stage")), "classify");
    cr_assert_eq(json_integer_value(json_object_get(j, "offset")), 42);
    cr_assert_null(json_object_get(j, "payload_text")); /* not UTF-8: base64 only */
    cr_assert_str_eq(json_string_value(json_object_get(j, "payload_base64")), "eyJ0ZXh0Ijoi/yJ9");
    json_decref(j);
    free(rec);

    rec = deadletter_record(&src, "empty", "ciao", 4, &len);
    j = json_loadb(rec, len, 0, NULL);
    cr_assert_str_eq(json_string_value(json_object_get(j, "payload_text")), "ciao");
    json_decref(j);
    free(rec);
}
