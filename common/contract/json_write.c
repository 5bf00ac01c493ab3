#include "json_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* Room for n more bytes and the terminating NUL. */
static void reserve(struct json_writer *w, size_t n) {
    if (w->len + n + 1 > w->cap) xgrow(&w->s, &w->cap, w->len + n + 1, 1);
}

static void put(struct json_writer *w, const char *bytes, size_t n) {
    reserve(w, n);
    memcpy(w->s + w->len, bytes, n);
    w->len += n;
}

static void put_char(struct json_writer *w, char c) {
    reserve(w, 1);
    w->s[w->len++] = c;
}

/* A member or item follows another unless it opens its container or is a key's value:
 * the last byte written says which, so no state beyond the buffer is needed. */
static void separate(struct json_writer *w) {
    if (w->len == 0) return;
    char last = w->s[w->len - 1];
    if (last != '{' && last != '[' && last != ':') put_char(w, ',');
}

void json_write_object_open(struct json_writer *w) {
    separate(w);
    put_char(w, '{');
}

void json_write_object_close(struct json_writer *w) { put_char(w, '}'); }

void json_write_array_open(struct json_writer *w) {
    separate(w);
    put_char(w, '[');
}

void json_write_array_close(struct json_writer *w) { put_char(w, ']'); }

/* Bytes a JSON string may not hold as they are; 0 for every other byte, including those
 * of multi-byte UTF-8 sequences, which are written unescaped as jansson writes them. */
static const char escape_of[256] = {
    ['"'] = '"',  ['\\'] = '\\', ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r',
    ['\t'] = 't', [0x00] = 'u',  [0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u',
    [0x05] = 'u', [0x06] = 'u',  [0x07] = 'u', [0x0b] = 'u', [0x0e] = 'u', [0x0f] = 'u',
    [0x10] = 'u', [0x11] = 'u',  [0x12] = 'u', [0x13] = 'u', [0x14] = 'u', [0x15] = 'u',
    [0x16] = 'u', [0x17] = 'u',  [0x18] = 'u', [0x19] = 'u', [0x1a] = 'u', [0x1b] = 'u',
    [0x1c] = 'u', [0x1d] = 'u',  [0x1e] = 'u', [0x1f] = 'u',
};

static void put_escaped(struct json_writer *w, const char *s, size_t len) {
    static const char hex[] = "0123456789ABCDEF";
    reserve(w, len + 2);
    w->s[w->len++] = '"';
    size_t run = 0; /* start of the bytes not yet copied */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char e = escape_of[c];
        if (!e) continue;
        put(w, s + run, i - run);
        if (e == 'u') {
            char seq[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            put(w, seq, sizeof seq);
        } else {
            char seq[2] = { '\\', e };
            put(w, seq, sizeof seq);
        }
        run = i + 1;
    }
    put(w, s + run, len - run);
    put_char(w, '"');
}

void json_write_key(struct json_writer *w, const char *key) {
    separate(w);
    put_escaped(w, key, strlen(key));
    put_char(w, ':');
}

void json_write_stringn(struct json_writer *w, const char *s, size_t len) {
    separate(w);
    put_escaped(w, s, len);
}

void json_write_string(struct json_writer *w, const char *s) {
    json_write_stringn(w, s, strlen(s));
}

void json_write_int(struct json_writer *w, int64_t v) {
    char digits[24];
    size_t n = 0;
    /* Negated as unsigned, so that INT64_MIN does not overflow. */
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        digits[sizeof digits - ++n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) digits[sizeof digits - ++n] = '-';
    separate(w);
    put(w, digits + sizeof digits - n, n);
}

/* As jansson writes a real at precision 4 (its jsonp_dtostr): "%.4g", ".0" added when
 * that reads as an integer, and the exponent without '+' or leading zeros. Reals are a
 * few per document (scores), so printf's correctness is worth its cost here. */
void json_write_real(struct json_writer *w, double v) {
    char buf[48];
    int n = snprintf(buf, sizeof buf - 2, "%.4g", v);
    if (n < 0) abort();
    size_t len = (size_t)n;
    if (buf[strspn(buf, "0123456789-")] == '\0') {
        memcpy(buf + len, ".0", 3);
        len += 2;
    }
    char *e = strchr(buf, 'e');
    if (e) {
        char *start = e + 1, *end = start + 1;
        if (*start == '-') start++;
        while (*end == '0') end++;
        if (end != start) {
            memmove(start, end, len - (size_t)(end - buf) + 1);
            len -= (size_t)(end - start);
        }
    }
    separate(w);
    put(w, buf, len);
}

void json_write_bool(struct json_writer *w, int v) {
    separate(w);
    if (v)
        put(w, "true", 4);
    else
        put(w, "false", 5);
}

void json_write_null(struct json_writer *w) {
    separate(w);
    put(w, "null", 4);
}

void json_write_raw(struct json_writer *w, const char *json, size_t len) {
    separate(w);
    put(w, json, len);
}

void json_write_member_str(struct json_writer *w, const char *key, const char *value) {
    if (!value) return;
    json_write_key(w, key);
    json_write_string(w, value);
}

struct member {
    const char *key;
    const json_t *value;
};

/* Insertion sort: objects are small, and those parsed from our own outputs come sorted
 * already, which makes it one comparison per member. */
static void sort_members(struct member *m, size_t n) {
    for (size_t i = 1; i < n; i++) {
        struct member cur = m[i];
        size_t j = i;
        for (; j > 0 && strcmp(m[j - 1].key, cur.key) > 0; j--) m[j] = m[j - 1];
        m[j] = cur;
    }
}

#define MEMBERS_ON_STACK 32

static void write_object(struct json_writer *w, const json_t *obj) {
    size_t n = json_object_size(obj);
    struct member stack[MEMBERS_ON_STACK];
    struct member *m = n <= MEMBERS_ON_STACK ? stack : xmalloc(n * sizeof *m);
    size_t k = 0;
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value) m[k++] = (struct member){ key, value };
    sort_members(m, k);
    json_write_object_open(w);
    for (size_t i = 0; i < k; i++) {
        json_write_key(w, m[i].key);
        json_write_json(w, m[i].value);
    }
    json_write_object_close(w);
    if (m != stack) free(m);
}

void json_write_json(struct json_writer *w, const json_t *v) {
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_OBJECT: write_object(w, v); break;
    case JSON_ARRAY: {
        json_write_array_open(w);
        for (size_t i = 0; i < json_array_size(v); i++) json_write_json(w, json_array_get(v, i));
        json_write_array_close(w);
        break;
    }
    case JSON_STRING: json_write_stringn(w, json_string_value(v), json_string_length(v)); break;
    case JSON_INTEGER: json_write_int(w, (int64_t)json_integer_value(v)); break;
    case JSON_REAL: json_write_real(w, json_real_value(v)); break;
    case JSON_TRUE: json_write_bool(w, 1); break;
    case JSON_FALSE: json_write_bool(w, 0); break;
    case JSON_NULL: json_write_null(w); break;
    }
}

char *json_write_finish(struct json_writer *w, size_t *len) {
    reserve(w, 0);
    w->s[w->len] = '\0';
    char *s = w->s;
    if (len) *len = w->len;
    *w = (struct json_writer){ 0 };
    return s;
}

void json_write_discard(struct json_writer *w) {
    free(w->s);
    *w = (struct json_writer){ 0 };
}
