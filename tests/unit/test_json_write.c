/* json_write: what it writes parses back to the value written, and is the very text
 * jansson writes for it with the stages' flags (compact, sorted keys, precision 4). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_write.h"

#define JANSSON_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(4) | JSON_ENCODE_ANY)

/* Writes v, and checks the text against jansson's and against v parsed back (reals are
 * written to 4 digits, so they come back close, not equal). */
static void check_same_as_jansson(const json_t *v) {
    struct json_writer w = { 0 };
    json_write_json(&w, v);
    size_t len;
    char *ours = json_write_finish(&w, &len);
    char *theirs = json_dumps(v, JANSSON_FLAGS);
    cr_assert_not_null(theirs);
    cr_assert_eq(strlen(ours), len, "length is the text's");
    cr_assert_str_eq(ours, theirs);
    json_error_t je;
    json_t *back = json_loadb(ours, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    cr_assert_not_null(back, "%s: %s", ours, je.text);
    if (json_is_real(v))
        cr_assert_float_eq(json_number_value(back), json_real_value(v),
                           5e-4 * fabs(json_real_value(v)), "%s is not the real", ours);
    else
        cr_assert(json_equal(back, (json_t *)v), "%s does not parse back to the value", ours);
    json_decref(back);
    free(theirs);
    free(ours);
}

Test(json_write, strings_with_escapes_controls_and_non_ascii) {
    static const char *const texts[] = {
        "",
        "plain",
        "quote \" backslash \\ slash /",
        "\b\f\n\r\t",
        "caff\xc3\xa8 \xc2\xab"
        "citazione\xc2\xbb",
        "emoji \xf0\x9f\x98\x80 and U+2028 \xe2\x80\xa8 and DEL \x7f",
        "\"\\",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        json_t *s = json_string(texts[i]);
        cr_assert_not_null(s, "text %zu is UTF-8", i);
        check_same_as_jansson(s);
        json_decref(s);
    }
    /* Every control character, and NUL inside a string. */
    char all[32];
    for (int c = 0; c < 32; c++) all[c] = (char)c;
    json_t *ctl = json_stringn(all, sizeof all);
    check_same_as_jansson(ctl);
    json_decref(ctl);
}

Test(json_write, numbers_and_literals) {
    static const double reals[] = { 0.0,  1.0,   0.8,         0.9138, 0.99654, -2.5,  1e-7,
                                    1e21, -3e-5, 123456789.0, 0.75,   100.0,   12345, 0.1 + 0.2 };
    for (size_t i = 0; i < sizeof reals / sizeof *reals; i++) {
        json_t *r = json_real(reals[i]);
        check_same_as_jansson(r);
        json_decref(r);
    }
    static const json_int_t ints[] = { 0, 1, -1, 42, 1796320344700LL, INT64_MAX, INT64_MIN };
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        json_t *n = json_integer(ints[i]);
        check_same_as_jansson(n);
        json_decref(n);
    }
    check_same_as_jansson(json_true());
    check_same_as_jansson(json_false());
    check_same_as_jansson(json_null());
}

Test(json_write, nested_objects_have_sorted_keys) {
    json_t *v = json_pack("{s:[], s:{}, s:{s:i, s:[s, f, n, b], s:{s:s}}, s:s, s:s}", "zeta",
                          "alpha", "mid", "b", 2, "a", "x\ny", 0.5, 1, "nested", "k", "v", "Alpha",
                          "upper first", "al\"pha", "escaped key");
    cr_assert_not_null(v);
    check_same_as_jansson(v);
    json_decref(v);
    /* More members than the writer sorts on its stack, in reverse order. */
    json_t *big = json_object();
    for (int i = 99; i >= 0; i--) {
        char key[8];
        snprintf(key, sizeof key, "k%02d", i);
        json_object_set_new(big, key, json_integer(i));
    }
    check_same_as_jansson(big);
    json_decref(big);
}

/* A document written member by member, as the stages write theirs. */
Test(json_write, members_items_and_raw) {
    struct json_writer w = { 0 };
    json_write_object_open(&w);
    json_write_key(&w, "a");
    json_write_array_open(&w);
    json_write_int(&w, 1);
    json_write_string(&w, "t\xc3\xa8");
    json_write_raw(&w, "{\"r\":[1,2]}", 11);
    json_write_array_open(&w);
    json_write_array_close(&w);
    json_write_array_close(&w);
    json_write_member_str(&w, "absent", NULL);
    json_write_member_str(&w, "b", "say \"hi\"");
    json_write_key(&w, "c");
    json_write_object_open(&w);
    json_write_object_close(&w);
    json_write_key(&w, "d");
    json_write_bool(&w, 0);
    json_write_object_close(&w);
    size_t len;
    char *s = json_write_finish(&w, &len);
    cr_assert_str_eq(s, "{\"a\":[1,\"t\xc3\xa8\",{\"r\":[1,2]},[]],\"b\":\"say \\\"hi\\\"\","
                        "\"c\":{},\"d\":false}");
    cr_assert_null(w.s, "finish hands the buffer over");
    free(s);
    json_write_string(&w, "abandoned");
    json_write_discard(&w);
    cr_assert_null(w.s);
}
