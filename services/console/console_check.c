/* Checking a draft before an editor publishes it. The policies bind the municipality's
 * own editors too (Cassino: nothing political, commercial, xenophobic, denigratory or
 * sexist; Alessandria: no personal data; Tradate: nothing political): the draft goes
 * through the same classifier as citizens' comments, and each label of a category the
 * tenant's "editors" section forbids is a problem, shown with its evidence and that
 * section's clause. The personal data the classifier would redact is always shown. */
#include "console.h"

#include <stdio.h>
#include <string.h>

#include "classify.h"
#include "state.h"
#include "timefmt.h"

struct console_checker {
    struct classifier *cls;
    struct state_store state; /* in memory, emptied before each draft */
};

struct console_checker *console_checker_new(const char *data_dir, const char *config_dir, char *err,
                                            size_t n) {
    struct tenant_set *set = tenant_set_load(config_dir, err, n);
    if (!set) return NULL;
    struct console_checker *c = xcalloc(1, sizeof *c);
    state_mem_init(&c->state);
    /* Drafts have no author: the pseudonym key only has to exist. */
    c->cls = classifier_new(data_dir, set, &c->state, "draft-check", err, n); /* steals set */
    if (!c->cls) {
        console_checker_free(c);
        return NULL;
    }
    return c;
}

void console_checker_free(struct console_checker *c) {
    if (!c) return;
    classifier_free(c->cls);
    state_store_free(&c->state);
    free(c);
}

/* The draft as the envelope of a post on the tenant's page. */
static json_t *draft_envelope(const char *tenant, const char *text, int64_t now_ms) {
    char at[RFC3339_LEN];
    rfc3339_format(now_ms, at);
    // clang-format off
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s}, s:s, s:s, s:s}", "event_id", "draft",
                     "tenant", tenant, "platform", "facebook", "kind", "post", "content_id",
                     "draft", "author", "id", "editor", "text", text, "created_at", at,
                     "received_at", at);
    // clang-format on
}

/* The bytes each span covers, so that a tool without the text can show the evidence. */
static json_t *evidence(const char *text, const json_t *spans) {
    json_t *out = json_array();
    size_t i, len = strlen(text);
    const json_t *sp;
    json_array_foreach(spans, i, sp) {
        json_int_t a = json_integer_value(json_object_get(sp, "start")),
                   b = json_integer_value(json_object_get(sp, "end"));
        if (a >= 0 && a < b && (size_t)b <= len)
            json_array_append_new(out, json_stringn(text + a, (size_t)(b - a)));
    }
    return out;
}

/* Splits the classifier's labels into the editors' problems and the rest. */
static json_t *verdict(const struct tenant *t, const char *text, const json_t *env) {
    json_t *problems = json_array(), *other = json_array(), *pii = json_array();
    const json_t *labels = json_object_get(json_object_get(env, "classification"), "labels");
    size_t i;
    const json_t *l;
    json_array_foreach(labels, i, l) {
        const char *cat = json_string_value(json_object_get(l, "category"));
        const char *ref = cat ? tenant_editors_ref(t, cat) : NULL;
        if (cat && strcmp(cat, "personal_data") == 0)
            json_array_extend(pii, json_object_get(l, "details"));
        if (!ref) {
            json_array_append_new(other, json_string(cat));
            continue;
        }
        json_array_append_new(problems, json_pack("{s:s, s:O, s:O, s:o, s:s}", "category", cat,
                                                  "rule_ids", json_object_get(l, "rule_ids"),
                                                  "spans", json_object_get(l, "spans"), "evidence",
                                                  evidence(text, json_object_get(l, "spans")),
                                                  "policy_ref", ref));
    }
    return json_pack("{s:s, s:b, s:o, s:O, s:o, s:o}", "tenant", tenant_id(t), "ok",
                     json_array_size(problems) == 0, "problems", problems, "redacted_text",
                     json_object_get(env, "redacted_text"), "personal_data", pii, "other_labels",
                     other);
}

json_t *console_check_draft(struct console_checker *c, const struct tenant *t, const char *text,
                            int64_t now_ms, char *err, size_t n) {
    /* every draft is judged alone: no "repeated" from an earlier one */
    state_store_free(&c->state);
    state_mem_init(&c->state);
    json_t *env = draft_envelope(tenant_id(t), text, now_ms);
    if (!env) {
        snprintf(err, n, "the draft is not UTF-8 text");
        return NULL;
    }
    json_t *out = NULL;
    if (classifier_run(c->cls, env, err, n) == STAGE_OK) out = verdict(t, text, env);
    json_decref(env);
    return out;
}

int console_check_file(const char *config_dir, const char *data_dir, const char *tenant,
                       const char *path) {
    char err[4096];
    struct tenant_set *set = tenant_set_load(config_dir, err, sizeof err);
    const struct tenant *t = set ? tenant_set_find(set, tenant) : NULL;
    struct console_checker *c =
        t ? console_checker_new(data_dir, config_dir, err, sizeof err) : NULL;
    char *text = c ? console_file_read(path, NULL) : NULL;
    json_t *doc = text ? console_check_draft(c, t, text, time_now_ms(), err, sizeof err) : NULL;
    int code = 2;
    if (doc) {
        json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
        code = json_is_true(json_object_get(doc, "ok")) ? 0 : 3;
    } else if (set && !t) {
        fprintf(stderr, "%s: no tenant \"%s\"\n", config_dir, tenant);
    } else if (c && !text) {
        fprintf(stderr, "%s: cannot be read\n", path);
        code = 1;
    } else {
        fprintf(stderr, "%s\n", err);
    }
    json_decref(doc);
    free(text);
    console_checker_free(c);
    tenant_set_free(set);
    return code;
}
