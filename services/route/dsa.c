/* The decision's statement of reasons in the shape of the EU Digital Services Act
 * transparency database (Art. 17 and 24(5) DSA), so that a consortium can publish or
 * audit decisions with the fields regulators know. Field mapping: docs/decisions.md. */
#include <string.h>

#include "envelope.h"
#include "route_dsa.h"
#include "route_verdict.h"
#include "timefmt.h"

static const struct {
    const char *category, *dsa;
} dsa_categories[] = {
    { "threat", "STATEMENT_CATEGORY_VIOLENCE" },
    { "incitement", "STATEMENT_CATEGORY_VIOLENCE" },
    { "hate_speech", "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH" },
    { "insult", "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH" },
    { "personal_data", "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS" },
    { "private_matter", "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS" },
    { "copyright", "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS" },
    { "spam", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD" },
};

/* Categories without a closer match (profanity, advertising, propaganda, off-topic,
 * repetition, trolling, a banned author) are outside what the page is for. */
static const char *dsa_category(const struct verdict *v) {
    const char *cat = v->rule ? v->rule->category : NULL;
    for (size_t i = 0; cat && i < sizeof dsa_categories / sizeof *dsa_categories; i++)
        if (strcmp(cat, dsa_categories[i].category) == 0) return dsa_categories[i].dsa;
    return "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE";
}

static json_t *visibility(enum tenant_action a) {
    switch (a) {
    case TENANT_ACTION_DELETE: return json_pack("[s]", "DECISION_VISIBILITY_CONTENT_REMOVED");
    case TENANT_ACTION_HIDE: return json_pack("[s]", "DECISION_VISIBILITY_CONTENT_DISABLED");
    case TENANT_ACTION_HOLD: return json_pack("[s]", "DECISION_VISIBILITY_OTHER");
    default: return json_array();
    }
}

static void set_account(json_t *dsa, const struct verdict *v) {
    char buf[RFC3339_LEN];
    if (!v->ban_until) {
        json_object_set_new(dsa, "decision_account", json_null());
    } else if (v->ban_until == STATE_BAN_FOREVER) {
        json_object_set_new(dsa, "decision_account", json_string("DECISION_ACCOUNT_TERMINATED"));
    } else {
        json_object_set_new(dsa, "decision_account", json_string("DECISION_ACCOUNT_SUSPENDED"));
        json_object_set_new(dsa, "account_restriction_end_date",
                            json_string(rfc3339_format(v->ban_until, buf)));
    }
}

/* A DSA date is the day, "YYYY-MM-DD". */
static json_t *day_of(const char *rfc3339) { return json_stringn(rfc3339, 10); }

json_t *route_dsa(const struct verdict *v, const json_t *env, const char *statement,
                  const char *decided_at) {
    if (!route_removes(v->action) && !v->ban_until) return json_null();
    // clang-format off
    json_t *dsa = json_pack("{s:o, s:s, s:O, s:s, s:s, s:s, s:s, s:[s], s:s, s:o, s:o, s:[s]}",
        "decision_visibility", visibility(v->action),
        "decision_ground", "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "incompatible_content_ground", v->policy_refs,
        "incompatible_content_explanation", statement ? statement : "",
        "category", dsa_category(v),
        "automated_detection", "Yes",
        "automated_decision", v->needs_review ? "AUTOMATED_DECISION_PARTIALLY"
                                              : "AUTOMATED_DECISION_FULLY",
        "content_type", "CONTENT_TYPE_TEXT",
        "source_type", "SOURCE_VOLUNTARY",
        "content_date", day_of(envelope_str(env, "created_at")),
        "application_date", day_of(decided_at),
        "territorial_scope", "IT");
    // clang-format on
    if (v->action == TENANT_ACTION_HOLD)
        json_object_set_new(dsa, "decision_visibility_other",
                            json_string("held for moderation before publication"));
    set_account(dsa, v);
    return dsa;
}
