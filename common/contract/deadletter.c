#include "deadletter.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "timefmt.h"
#include "topics.h"
#include "xmalloc.h"

static char *base64(const void *data, size_t len) {
    char *out = xmalloc(4 * ((len + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    return out;
}

/* Lower-case hex SHA-256 of data into hex (65 bytes). */
static void sha256_hex(const void *data, size_t len, char hex[65]) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL)) abort();
    for (unsigned int i = 0; i < n; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* The reason as a JSON string of at most LIMIT_DEADLETTER_REASON_BYTES bytes, cut on a
 * character boundary. A reason may quote the bad input: if that quote is not UTF-8 the
 * record is still kept, saying so. New reference. */
static json_t *reason_string(const char *reason) {
    size_t len = strlen(reason);
    if (len > LIMIT_DEADLETTER_REASON_BYTES) {
        len = LIMIT_DEADLETTER_REASON_BYTES;
        while (len > 0 && ((unsigned char)reason[len] & 0xC0) == 0x80) len--;
    }
    json_t *why = json_stringn(reason, len);
    return why ? why : json_string("(reason not UTF-8)");
}

char *deadletter_record(const struct deadletter_source *src, const char *reason,
                        const void *payload, size_t len, size_t *out_len) {
    char now[RFC3339_LEN], sha[65];
    size_t carried = len < LIMIT_DEADLETTER_PAYLOAD_BYTES ? len : LIMIT_DEADLETTER_PAYLOAD_BYTES;
    char *b64 = base64(payload, carried);
    sha256_hex(payload, len, sha);
    // clang-format off
    json_t *rec = json_pack(
        "{s:{s:s,s:i}, s:s, s:o, s:s, s:I, s:I, s:s, s:I, s:b, s:I, s:s, s:s}", "schema",
        "name", "vigile.deadletter", "version", DEADLETTER_SCHEMA_VERSION, "stage", src->stage,
        "reason", reason_string(reason), "topic", src->topic,
        "partition", (json_int_t)src->partition, "offset", (json_int_t)src->offset,
        "payload_base64", b64, "payload_bytes", (json_int_t)carried, "truncated", carried < len,
        "original_size", (json_int_t)len, "original_sha256", sha,
        "failed_at", rfc3339_format(time_now_ms(), now));
    // clang-format on
    free(b64);
    if (!rec) abort(); /* every string in it is ours and valid */
    char *s = json_dumps(rec, JSON_COMPACT);
    json_decref(rec);
    if (!s) abort();
    *out_len = strlen(s);
    return s;
}

void deadletter_add(struct stage_outputs *out, const struct deadletter_source *src, char *key,
                    const char *reason, const void *payload, size_t len) {
    size_t rec_len;
    char *rec = deadletter_record(src, reason, payload, len, &rec_len);
    stage_outputs_add(out, TOPIC_DEADLETTER, key ? key : xstrdup("unknown"), rec, rec_len);
}
