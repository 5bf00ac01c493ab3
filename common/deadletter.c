#include "deadletter.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"
#include "xmalloc.h"

static char *base64(const void *data, size_t len) {
    char *out = xmalloc(4 * ((len + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    return out;
}

char *deadletter_record(const struct deadletter_source *src, const char *reason,
                        const void *payload, size_t len, size_t *out_len) {
    char now[RFC3339_LEN];
    char *b64 = base64(payload, len);
    /* A reason may quote the bad input; keep the record even if that quote is not UTF-8. */
    json_t *why = json_string(reason);
    if (!why) why = json_string("(reason not UTF-8)");
    json_t *rec = json_pack("{s:{s:s,s:i}, s:s, s:o, s:s, s:I, s:I, s:s, s:I, s:s}",
                            "schema", "name", "vigile.deadletter", "version", 1,
                            "stage", src->stage, "reason", why, "topic", src->topic,
                            "partition", (json_int_t)src->partition,
                            "offset", (json_int_t)src->offset,
                            "payload_base64", b64, "payload_bytes", (json_int_t)len,
                            "failed_at", rfc3339_format(time_now_ms(), now));
    free(b64);
    if (!rec) abort(); /* every string in it is ours and valid */
    /* json_stringn refuses invalid UTF-8 and NUL, exactly the payloads to show as base64 only. */
    json_t *text = json_stringn(payload, len);
    if (text) json_object_set_new(rec, "payload_text", text);
    char *s = json_dumps(rec, JSON_COMPACT);
    json_decref(rec);
    if (!s) abort();
    *out_len = strlen(s);
    return s;
}
