#include "classify_labels.h"

#include <string.h>

static const char *severity_name(int sev) {
    return sev >= 3 ? "high" : sev == 2 ? "medium" : "low";
}

/* The string a list of a label is made of: the finding's detail, or its rule id. */
static const char *listed(const struct label_finding *f, int details) {
    return details ? f->detail : f->rule_id;
}

/* The category's details (details: 1) or rule ids (0), each once, in the order they
 * first appear. */
static void write_unique(struct json_writer *w, const struct label_finding *f, size_t n,
                         enum text_category cat, int details) {
    json_write_array_open(w);
    for (size_t i = 0; i < n; i++) {
        const char *s = listed(&f[i], details);
        if (f[i].category != cat || !s) continue;
        size_t j = 0;
        while (j < i && !(f[j].category == cat && listed(&f[j], details) &&
                          strcmp(listed(&f[j], details), s) == 0))
            j++;
        if (j == i) json_write_string(w, s);
    }
    json_write_array_close(w);
}

/* What the category's findings add up to. */
struct label_sum {
    double score;
    int severity, quoted, unquoted;
};

static struct label_sum sum_of(const struct label_finding *f, size_t n, enum text_category cat) {
    struct label_sum s = { 0.0, 1, 0, 0 };
    for (size_t i = 0; i < n; i++) {
        if (f[i].category != cat) continue;
        if (f[i].score > s.score) s.score = f[i].score;
        if (f[i].severity > s.severity) s.severity = f[i].severity;
        s.quoted |= f[i].quoted == 1;
        s.unquoted |= f[i].quoted == 0;
    }
    return s;
}

/* The label of first's category; first is the category's first finding. Keys in sorted
 * order, as every output has them. */
static void write_label(struct json_writer *w, const struct label_finding *f, size_t n,
                        const struct label_finding *first, const struct tenant *t) {
    enum text_category cat = first->category;
    const char *name = text_category_name(cat);
    const struct tenant_category_rule *rule = tenant_category(t, name);
    struct label_sum sum = sum_of(f, n, cat);
    json_write_object_open(w);
    json_write_member_str(w, "category", name);
    json_write_key(w, "details");
    write_unique(w, f, n, cat, 1);
    if (first->model_score >= 0) {
        json_write_key(w, "model_score");
        json_write_real(w, first->model_score);
    }
    json_write_member_str(w, "origin", first->origin == TEXT_ORIGIN_MODEL ? "model" : "rules");
    json_write_member_str(w, "policy_ref",
                          rule && rule->policy_ref ? rule->policy_ref : "(nessuna clausola)");
    if (sum.quoted && !sum.unquoted) {
        json_write_key(w, "quoted");
        json_write_bool(w, 1);
    }
    json_write_member_str(w, "rule_id", first->rule_id);
    json_write_key(w, "rule_ids");
    write_unique(w, f, n, cat, 0);
    json_write_key(w, "score");
    json_write_real(w, sum.score);
    json_write_member_str(w, "severity", severity_name(sum.severity));
    json_write_key(w, "spans");
    json_write_array_open(w);
    for (size_t i = 0; i < n; i++) {
        if (f[i].category != cat) continue;
        json_write_object_open(w);
        json_write_key(w, "end");
        json_write_int(w, (int64_t)f[i].end);
        json_write_key(w, "start");
        json_write_int(w, (int64_t)f[i].start);
        json_write_object_close(w);
    }
    json_write_array_close(w);
    json_write_object_close(w);
}

void classify_labels_write(struct json_writer *w, const struct label_finding *f, size_t n,
                           const struct tenant *t) {
    const struct label_finding *first[TEXT_CAT_COUNT] = { 0 };
    for (size_t i = 0; i < n; i++)
        if (!first[f[i].category]) first[f[i].category] = &f[i];
    json_write_array_open(w);
    for (int c = 0; c < TEXT_CAT_COUNT; c++)
        if (first[c]) write_label(w, f, n, first[c], t);
    json_write_array_close(w);
}
