/* Who may talk to ingest: Meta's X-Hub-Signature-256, shared tokens, and the rule that
 * a platform configured in a tenant cannot run without its secret. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_config.h"
#include "signature.h"
#include "tenant.h"

/* RFC 2104 HMAC-SHA256 of the classic pangram with key "key". */
static const char fox[] = "The quick brown fox jumps over the lazy dog";
static const char fox_sig[] =
    "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";

Test(ingest_signature, meta_known_vector) {
    cr_expect(signature_meta_ok("key", fox, strlen(fox), fox_sig));
    char upper[sizeof fox_sig];
    strcpy(upper, fox_sig);
    for (char *p = upper + 7; *p; p++)
        if (*p >= 'a' && *p <= 'f') *p = (char)(*p - 'a' + 'A');
    cr_expect(signature_meta_ok("key", fox, strlen(fox), upper), "hex is case-insensitive");
    char buf[SIGNATURE_HEADER_LEN];
    cr_expect_str_eq(signature_meta_header("key", fox, strlen(fox), buf), fox_sig);
}

Test(ingest_signature, meta_forgeries_are_refused) {
    char bad[sizeof fox_sig];
    strcpy(bad, fox_sig);
    bad[sizeof bad - 2] = bad[sizeof bad - 2] == '8' ? '9' : '8';
    cr_expect_not(signature_meta_ok("key", fox, strlen(fox), bad), "one nibble off");
    cr_expect_not(signature_meta_ok("other", fox, strlen(fox), fox_sig), "wrong secret");
    cr_expect_not(signature_meta_ok("key", fox, strlen(fox) - 1, fox_sig), "body changed");
    cr_expect_not(signature_meta_ok("key", fox, strlen(fox), fox_sig + 7), "no sha256= prefix");
    cr_expect_not(signature_meta_ok("key", fox, strlen(fox), "sha1=abc"), "sha1");
    cr_expect_not(signature_meta_ok("key", fox, strlen(fox), "sha256=zz"), "short");
    cr_expect_not(signature_meta_ok("key", fox, strlen(fox), NULL), "no header");
    cr_expect_not(signature_meta_ok(NULL, fox, strlen(fox), fox_sig), "no secret configured");
    cr_expect_not(signature_meta_ok("", fox, strlen(fox), fox_sig), "empty secret");
    char nonhex[sizeof fox_sig];
    strcpy(nonhex, fox_sig);
    nonhex[10] = 'g';
    cr_expect_not(signature_meta_ok("key", fox, strlen(fox), nonhex), "not hex");
}

Test(ingest_signature, tokens) {
    cr_expect(signature_token_ok("s3cret-token", "s3cret-token"));
    cr_expect_not(signature_token_ok("s3cret-token", "s3cret-tokeN"));
    cr_expect_not(signature_token_ok("s3cret-token", "s3cret"));
    cr_expect_not(signature_token_ok("s3cret-token", ""));
    cr_expect_not(signature_token_ok("s3cret-token", NULL));
    cr_expect_not(signature_token_ok(NULL, "x"));
    cr_expect_not(signature_token_ok("", ""), "an unset secret matches nothing");
}

static struct tenant_set *load_tenants(void) {
    char e[4096];
    struct tenant_set *set = tenant_set_load(SOURCE_DIR "/config", e, sizeof e);
    cr_assert_not_null(set, "%s", e);
    return set;
}

static void set_all_secrets(void) {
    setenv("VIGILE_META_APP_SECRET", "a", 1);
    setenv("VIGILE_META_VERIFY_TOKEN", "b", 1);
    setenv("VIGILE_TELEGRAM_SECRET", "c", 1);
    setenv("VIGILE_GENERIC_TOKEN", "d", 1);
}

Test(ingest_config, secrets_of_configured_platforms_are_required) {
    struct tenant_set *set = load_tenants();
    struct ingest_config c;
    char err[256];
    set_all_secrets();
    cr_expect_eq(ingest_config_load(&c, set, err, sizeof err), 0, "%s", err);
    cr_expect_str_eq(c.telegram_secret, "c");
    cr_expect_eq(c.port, 8081);
    unsetenv("VIGILE_TELEGRAM_SECRET");
    cr_expect_eq(ingest_config_load(&c, set, err, sizeof err), -1);
    cr_expect(strstr(err, "VIGILE_TELEGRAM_SECRET: required by arese") != NULL, "%s", err);
    cr_expect_eq(ingest_config_load(&c, NULL, err, sizeof err), 0, "replay needs no secrets");
    tenant_set_free(set);
}

Test(ingest_config, numbers_are_checked) {
    struct ingest_config c;
    char err[256];
    setenv("VIGILE_INGEST_MAX_BODY", "12x", 1);
    cr_expect_eq(ingest_config_load(&c, NULL, err, sizeof err), -1);
    cr_expect(strstr(err, "VIGILE_INGEST_MAX_BODY") != NULL, "%s", err);
    setenv("VIGILE_INGEST_MAX_BODY", "2048", 1);
    cr_expect_eq(ingest_config_load(&c, NULL, err, sizeof err), 0, "%s", err);
    cr_expect_eq(c.max_body, 2048);
}
