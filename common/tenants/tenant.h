/* Tenants: one municipality's policy as Vigile applies it (config/tenants/<id>.json over
 * config/baseline.json). A tenant set is immutable once loaded, so a worker can swap in a
 * new one on SIGHUP between two messages without locks. Format: docs/policy.md. */
#ifndef VIGILE_TENANT_H
#define VIGILE_TENANT_H

#include <stddef.h>
#include <stdint.h>

#include "calendar.h"

enum tenant_action {
    TENANT_ACTION_NONE,  /* label only (criticism, questions answered by people) */
    TENANT_ACTION_REPLY, /* an institutional reply from a template */
    TENANT_ACTION_HIDE,
    TENANT_ACTION_DELETE,
    TENANT_ACTION_HOLD,     /* keep unpublished until a moderator decides */
    TENANT_ACTION_ESCALATE, /* a ticket for an office; content stays as it is */
};

/* What one category triggers on one tenant. All strings are owned by the tenant set. */
struct tenant_category_rule {
    const char *category; /* fixed category id, "insult" */
    enum tenant_action action;
    int strike;              /* 1 if it counts on the strike ladder */
    int severity;            /* 0 not a violation (criticism), 1 low, 2 medium, 3 high */
    const char *office;      /* office id to escalate to (tenant_route, no channel), or NULL */
    const char *template_id; /* statement-of-reasons or reply template, or NULL */
    const char *policy_ref;  /* "Moderazione: «...»", the clause this rule implements */
    /* Added by #3 (the lead's fields above are unchanged): */
    const char *label;   /* Italian phrase for {categoria}: "insulti o offese" */
    const char *section; /* the section named by policy_ref, "Moderazione", for {sezione} */
    int ticket;          /* 1: also open a ticket for the routed office */
    int ban_at_once;     /* 1: may ban on the first occurrence (threats, incitement) */
    int report_police;   /* 1: a ticket to routing "police" (the legal office) */
    /* Added by #13: what the statistical scorer alone may do (docs/policy.md). A label
     * only the model found sends the content to review from model_review and applies
     * the action from model_remove; TENANT_MODEL_NEVER when the tenant says neither. */
    double model_review;
    double model_remove;
};

/* A model threshold no score reaches (scores are 0..1). */
#define TENANT_MODEL_NEVER 2.0

struct tenant_channel {
    const char *id;       /* "facebook-comune" */
    const char *platform; /* envelope platform enum */
    const char *page_id;  /* platform page/account id */
    const char *name;     /* display name */
    const char *office;   /* managing office id */
    const char *url;      /* public address, or NULL */
};

struct tenant_office {
    const char *id;    /* "urp" */
    const char *name;  /* "Ufficio Relazioni con il Pubblico" */
    const char *email; /* each contact may be NULL */
    const char *phone;
    const char *url;
    const char *supervisor; /* office id an SLA breach escalates to, or NULL */
    int external;           /* 1: run outside the municipality (Arese's CSBNO) */
};

enum tenant_step { TENANT_STEP_NONE, TENANT_STEP_WARN, TENANT_STEP_TEMP_BAN, TENANT_STEP_BAN };

/* One rung of the strike ladder: from the at-th strike in the window, this step. */
struct tenant_strike_step {
    int at;
    enum tenant_step step;
    int hours;  /* ban length for TENANT_STEP_TEMP_BAN, else 0 */
    int review; /* 1: a moderator confirms before it is applied */
    const char *template_id;
};

struct tenant_ladder {
    const struct tenant_strike_step *steps; /* ascending at; may be empty (Tradate) */
    size_t nsteps;
    int window_days;                       /* strikes older than this expire */
    enum tenant_step report_platform_from; /* NONE: never report the account */
    const char *policy_ref;
};

/* SLA targets; the business-calendar arithmetic that applies them is vigile-sla's. A
 * message is taken in charge at the first moderation instant at or after its arrival. */
struct tenant_sla {
    int response_working_hours;    /* on the office calendar; 0: no response target */
    const char *courtesy_template; /* reply due when the target is missed, or NULL */
    int removal_working_minutes;   /* on the moderation calendar, after taking charge */
    int removal_min_severity;      /* categories at or above it have the removal deadline */
    int due_soon_minutes;          /* warn this long before a deadline */
    const char *policy_ref;
};

/* A tenant's own classifier rule, compiled at load (UTF, caseless, JIT when available). */
struct pcre2_real_code_8;
struct tenant_rule {
    const char *id;
    const char *category;
    const char *pattern;
    int severity;
    const char *policy_ref;
    const struct pcre2_real_code_8 *code; /* a pcre2_code *, owned by the tenant set */
};

/* Values for a template's placeholders; any may be NULL and renders as "". */
struct tenant_render_vars {
    const struct tenant_category_rule *rule; /* {categoria}; {sezione} unless policy_ref */
    const char *policy_ref;                  /* a ladder or pre-moderation clause for {sezione} */
    const char *deadline;                    /* {scadenza}, already formatted for people */
    const char *office;                      /* office id for {ufficio} and {contatto} */
};

struct tenant; /* opaque outside tenant.c; accessors below */
struct tenant_set;

/* Loads config_dir/baseline.json and every config_dir/tenants/<id>.json, validating all.
 * Returns a new set, or NULL with "file: json.path: problem" lines in err. */
struct tenant_set *tenant_set_load(const char *config_dir, char *err, size_t errlen);
void tenant_set_free(struct tenant_set *set); /* NULL-safe */

size_t tenant_set_count(const struct tenant_set *set);
const struct tenant *tenant_set_at(const struct tenant_set *set, size_t i);
/* Borrowed tenant with this id, or NULL. */
const struct tenant *tenant_set_find(const struct tenant_set *set, const char *id);

const char *tenant_id(const struct tenant *t);
const char *tenant_display_name(const struct tenant *t); /* "Comune di Lecce" */
/* Borrowed rule for a category id, or NULL when the tenant has none. */
const struct tenant_category_rule *tenant_category(const struct tenant *t, const char *category);
/* Borrowed channel by id, or by platform and page id; NULL when unknown. */
const struct tenant_channel *tenant_channel(const struct tenant *t, const char *channel_id);
const struct tenant_channel *tenant_channel_by_page(const struct tenant *t, const char *platform,
                                                    const char *page_id);
/* Borrowed Italian template text by id, or NULL (also for a NULL id). */
const char *tenant_template(const struct tenant *t, const char *template_id);

/* Added by #3. Everything returned is borrowed from the set and lives as long as it. */

/* Names as written in config and decisions: "hide", "temp_ban". */
const char *tenant_action_name(enum tenant_action action);
const char *tenant_step_name(enum tenant_step step);
/* The action named name (as in decisions); TENANT_ACTION_NONE for an unknown name. */
enum tenant_action tenant_action_from_name(const char *name);

/* The fixed category ids of the classification issue, in a stable order; n in *count. */
const char *const *tenant_category_ids(size_t *count);
/* The tenant owning a channel, by platform and page id (what ingest sees), or NULL. */
const struct tenant *tenant_set_find_page(const struct tenant_set *set, const char *platform,
                                          const char *page_id);

size_t tenant_channel_count(const struct tenant *t);
const struct tenant_channel *tenant_channel_at(const struct tenant *t, size_t i);
const struct tenant_office *tenant_office(const struct tenant *t, const char *office_id);
/* Office id for a category or intent ("review", "police", "private_message") on a channel:
 * the channel's own routing first, then the tenant's; a category routed nowhere goes to
 * "review" (the moderators). NULL when nobody is configured. channel_id may be NULL. */
const char *tenant_route(const struct tenant *t, const char *channel_id, const char *key);
/* The clause when content of this envelope kind ("private_message", "post") is held
 * before publication, or NULL when it is moderated after publication. The hold
 * template id goes to *template_id when that is not NULL. */
const char *tenant_premoderation(const struct tenant *t, const char *kind,
                                 const char **template_id);
const struct tenant_ladder *tenant_ladder(const struct tenant *t);
/* The ladder step for the strikes-th strike in the window, or NULL below the first. */
const struct tenant_strike_step *tenant_ladder_step(const struct tenant *t, int strikes);
const struct tenant_sla *tenant_sla(const struct tenant *t);
const struct calendar *tenant_calendar(const struct tenant *t);
size_t tenant_rule_count(const struct tenant *t);
const struct tenant_rule *tenant_rule_at(const struct tenant *t, size_t i);
/* The template's own policy_ref, or NULL when its text cites the rule's via {sezione}. */
const char *tenant_template_ref(const struct tenant *t, const char *template_id);
/* The clause that forbids the tenant's own editors to publish content of category, or
 * NULL when its policy says nothing of it (the "editors" section, docs/policy.md). */
const char *tenant_editors_ref(const struct tenant *t, const char *category);
/* The merged document (baseline with the tenant file applied) the tenant was read from,
 * borrowed: for "vigile-config show" and for debugging, not for policy decisions. */
struct json_t;
const struct json_t *tenant_document(const struct tenant *t);
/* #16: 1 when vigile-act calls the platforms for this tenant ("act": {"mode": "live"}),
 * 0 in shadow mode (the default: requests are logged, not sent). */
int tenant_act_live(const struct tenant *t);
/* Renders a template with {comune}, {policy}, {sezione}, {categoria}, {scadenza},
 * {ufficio}, {contatto} filled from t and vars. Returns a new string the caller frees,
 * or NULL when the template does not exist. */
char *tenant_render(const struct tenant *t, const char *template_id,
                    const struct tenant_render_vars *vars);

#endif
