/* libFuzzer target for one payload parser of vigile-ingest, chosen at build time with
 * -DFUZZ_PARSER=ingest_parse_meta (tests/fuzz/CMakeLists.txt builds one per parser). The
 * parsers face the Internet, so every byte sequence must come back as OK, MALFORMED or
 * UNKNOWN_PAGE, with only strictly valid envelopes, under ASan and UBSan. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "envelope.h"
#include "fuzz_tenants.h"
#include "ingest.h"
#include "tenant.h"

#ifndef FUZZ_PARSER
#error "define FUZZ_PARSER as the ingest_parse_* function to fuzz"
#endif

static struct tenant_set *tenants;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    tenants = fuzz_tenants();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* The page id Telegram's URL would carry; the other parsers ignore it. */
    struct ingest_request req = { tenants, (const char *)data, size, "comunearese",
                                  1772900000000LL };
    json_t *out = json_array();
    char err[512];
    enum ingest_status st = FUZZ_PARSER(&req, out, err, sizeof err);
    if (st == INGEST_OK) {
        size_t i;
        json_t *env;
        json_array_foreach(out, i, env) {
            char why[256];
            if (envelope_validate(env, ENVELOPE_STRICT, why, sizeof why)) {
                fprintf(stderr, "fuzz: invalid envelope emitted: %s\n", why);
                abort();
            }
        }
    } else if (st != INGEST_MALFORMED && st != INGEST_UNKNOWN_PAGE) {
        abort();
    }
    json_decref(out);
    return 0;
}
