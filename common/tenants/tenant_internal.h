/* What tenant_load.c builds and tenant.c reads: the inside of a tenant. Not an API. */
#ifndef VIGILE_TENANT_INTERNAL_H
#define VIGILE_TENANT_INTERNAL_H

#include <jansson.h>
#include <stddef.h>

#include "categories.h"
#include "tenant.h"

/* The fixed category ids, the action and step names as written in config files, each a
 * NULL-terminated list in the order of its enum (categories: categories.h). */
#define NCATEGORIES VIGILE_CATEGORY_COUNT
extern const char *const tenant_category_table[NCATEGORIES + 1];
extern const char *const tenant_action_table[];
extern const char *const tenant_step_table[];

struct premod {
    const char *kind;
    const char *template_id;
    const char *policy_ref;
};

struct template {
    const char *id;
    const char *text;
    const char *policy_ref; /* NULL when the text cites {sezione} */
};

struct tenant {
    json_t *doc; /* the merged document: owns every string the structs below point to */
    const char *id;
    const char *display_name;
    const char *policy_title;
    struct calendar cal;
    struct cal_date *closures;
    struct tenant_office *offices;
    size_t noffices;
    struct tenant_channel *channels;
    json_t **channel_routing; /* parallel to channels; borrowed objects or NULL */
    size_t nchannels;
    json_t *routing;                                     /* borrowed */
    struct tenant_category_rule categories[NCATEGORIES]; /* category NULL: not configured */
    struct premod *premods;
    size_t npremods;
    struct template *templates;
    size_t ntemplates;
    struct tenant_strike_step *steps;
    struct tenant_ladder ladder;
    struct tenant_sla sla;
    struct tenant_rule *rules;
    size_t nrules;
    int act_live; /* #16: 1 when vigile-act carries commands out ("act": {"mode": "live"}) */
    char **owned; /* derived strings (policy sections) */
    size_t nowned;
};

struct tenant_set {
    struct tenant **tenants;
    size_t n;
};

#endif
