/* libFuzzer target for the text engine: the normalizer and fingerprint on any bytes,
 * and the whole classifier of every shipped tenant (baseline and tenant rules, the
 * model) on any text, with or without a post. Invalid UTF-8 must be refused with its
 * offset, valid text must yield labels whose spans lie inside it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_tenants.h"
#include "tenant.h"
#include "tenant_engine.h"
#include "text_engine.h"
#include "text_norm.h"

static struct tenant_set *set;
static struct text_base *base;
static struct text_engine *engines[16];
static size_t n_engines;
static struct text_scratch *scratch;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    char err[4096];
    set = fuzz_tenants();
    base = text_base_new(SOURCE_DIR "/data", err, sizeof err);
    for (size_t i = 0; base && i < tenant_set_count(set) && i < 16; i++, n_engines++)
        if (!(engines[i] = tenant_engine_new(base, tenant_set_at(set, i), 1, err, sizeof err)))
            break;
    if (!base || n_engines == 0) {
        fprintf(stderr, "fuzz: %s\n", err);
        abort();
    }
    scratch = text_scratch_new();
    return 0; /* the set, base and engines live as long as the process */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    struct text_norm nm = { 0 };
    size_t bad = 0;
    int norm_rc = text_norm_build(&nm, text, size, &bad);
    text_norm_release(&nm);
    (void)text_fingerprint(text, size);
    /* The first byte picks the tenant and whether the second half is the post. */
    size_t pick = size ? data[0] : 0, half = size / 2;
    const char *post = pick & 1 ? text + half : NULL;
    size_t len = pick & 1 ? half : size;
    struct text_result r;
    int rc = text_classify(engines[pick % n_engines], scratch, text, len, post,
                           post ? size - half : 0, &r);
    if (rc == TEXT_OK) {
        for (size_t i = 0; i < r.n; i++)
            if (r.labels[i].span.start > r.labels[i].span.end || r.labels[i].span.end > len)
                abort();
    } else if (rc != TEXT_ERR_UTF8 || r.bad_offset > len) {
        abort();
    }
    if (!(pick & 1) && (norm_rc == 0) != (rc == TEXT_OK)) abort(); /* same verdict on UTF-8 */
    return 0;
}
