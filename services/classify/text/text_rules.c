/* text_rules: pcre2 rule compilation, anchors and matching (see text_rules.h). */
#include "text_rules.h"
#include "text_alloc.h"
#include "text_tsv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Limits per pcre2_match call.  Generous for honest patterns on a 1 MB
 * comment, small enough that catastrophic backtracking ends in
 * milliseconds. */
#define RULES_MATCH_LIMIT 2000000
#define RULES_DEPTH_LIMIT 2000
/* Evidence, not an inventory: the first few matches of a rule suffice. */
#define RULES_MAX_MATCHES 4
#define RULES_ANCHOR_MAX 64

struct text_rule_compiled {
    char *id;
    enum text_category cat;
    enum text_severity sev;
    double score;
    char *detail;
    pcre2_code *code;
    char *anchor;               /* lexicon-view literal, or NULL */
    size_t anchor_len;
};

/* Appends the literal [a, b) of a pattern, as a candidate anchor, when it
 * is longer than the best so far. */
static void anchor_offer(const char *lit, size_t n, char *best, size_t *best_len)
{
    if (n > *best_len && n < RULES_ANCHOR_MAX) {
        memcpy(best, lit, n);
        best[n] = '\0';
        *best_len = n;
    }
}

/* Skips a group or class starting at p[i] ('(' or '['); returns the index
 * after its end, honoring escapes and nesting. */
static size_t skip_group(const char *p, size_t i)
{
    int depth = 0, in_class = 0;
    for (; p[i]; i++) {
        if (p[i] == '\\' && p[i + 1]) {
            i++;
        } else if (in_class) {
            in_class = p[i] != ']';
        } else if (p[i] == '[') {
            in_class = 1;
            if (p[i + 1] == '^')
                i++;
            if (p[i + 1] == ']')
                i++;
        } else if (p[i] == '(') {
            depth++;
        } else if (p[i] == ')') {
            if (--depth == 0)
                return i + 1;
        }
        if (depth == 0 && !in_class)
            return i + 1;
    }
    return i;
}

/* Finds the longest literal the pattern requires at its top level.  Writes
 * it to best and returns its length; 0 if the pattern has a top-level '|'
 * (no single literal is required). */
static size_t extract_literal(const char *p, char *best)
{
    char lit[RULES_ANCHOR_MAX];
    size_t n = 0, best_len = 0, i = 0;
    best[0] = '\0';
    while (p[i]) {
        char c = p[i];
        if (c == '|')
            return 0;
        if (c == '(' || c == '[') {
            anchor_offer(lit, n, best, &best_len);
            n = 0;
            i = skip_group(p, i);
            continue;
        }
        if (c == '?' || c == '*' || (c == '{' && p[i + 1] == '0')) {
            if (n)
                n--;            /* the quantified character is optional */
            anchor_offer(lit, n, best, &best_len);
            n = 0;
            i++;
            if (c == '{')
                while (p[i] && p[i - 1] != '}')
                    i++;        /* skip the counts */
            continue;
        }
        if (c == '{') {
            anchor_offer(lit, n, best, &best_len);
            n = 0;
            while (p[i] && p[i] != '}')
                i++;
            i += p[i] != '\0';
            continue;
        }
        if (c == '+' || c == '.' || c == '^' || c == '$' || c == ')') {
            anchor_offer(lit, n, best, &best_len);
            n = 0;
            i++;
            continue;
        }
        if (c == '\\') {
            char e = p[i + 1];
            if (e == '\0')
                break;
            i += 2;
            if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) {
                anchor_offer(lit, n, best, &best_len);
                n = 0;
                continue;
            }
            c = e;
        } else {
            i++;
        }
        if (n + 1 < sizeof lit)
            lit[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    anchor_offer(lit, n, best, &best_len);
    return best_len;
}

/* The anchor is the required literal in lexicon-view form, as long as it
 * keeps at least three characters there. */
static void rule_set_anchor(struct text_rule_compiled *r, const char *pattern)
{
    char lit[RULES_ANCHOR_MAX], term[RULES_ANCHOR_MAX];
    uint8_t runs[RULES_ANCHOR_MAX];
    r->anchor = NULL;
    r->anchor_len = 0;
    if (extract_literal(pattern, lit) == 0)
        return;
    int len = text_norm_term(lit, term, runs, sizeof term);
    if (len < 3)
        return;
    for (int i = 0; i < len; i++)
        if (!((term[i] >= 'a' && term[i] <= 'z') || (term[i] >= '0' && term[i] <= '9') || term[i] == ' '))
            return;
    r->anchor = text_xstrndup(term, (size_t)len);
    r->anchor_len = (size_t)len;
}

int text_ruleset_add(struct text_ruleset *rs, const char *id, const char *category,
                     enum text_severity sev, double score, const char *detail,
                     const char *pattern, char *err, size_t errlen)
{
    int cat = text_category_from_name(category ? category : "");
    if (!id || !*id) {
        snprintf(err, errlen, "rule without an id");
        return -1;
    }
    if (cat < 0 || cat == TEXT_CAT_REPEATED) {
        snprintf(err, errlen, "rule %s: unknown category \"%s\"", id, category ? category : "(null)");
        return -1;
    }
    if (sev < TEXT_SEV_LOW || sev > TEXT_SEV_HIGH) {
        snprintf(err, errlen, "rule %s: severity must be low, medium or high", id);
        return -1;
    }
    if (!(score > 0 && score <= 1)) {
        snprintf(err, errlen, "rule %s: score must be in (0, 1]", id);
        return -1;
    }
    if (!pattern || !*pattern) {
        snprintf(err, errlen, "rule %s: empty pattern", id);
        return -1;
    }
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                     PCRE2_UTF | PCRE2_CASELESS, &ec, &eo, NULL);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(ec, msg, sizeof msg);
        snprintf(err, errlen, "rule %s: pattern error at offset %zu: %s", id, (size_t)eo, (char *)msg);
        return -1;
    }
    /* Without JIT (e.g. a platform without support) the interpreter runs
     * under the same limits, only slower. */
    (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    if (!rs->mctx) {
        rs->mctx = pcre2_match_context_create(NULL);
        if (!rs->mctx)
            abort();            /* out of memory, as in text_alloc */
        pcre2_set_match_limit(rs->mctx, RULES_MATCH_LIMIT);
        pcre2_set_depth_limit(rs->mctx, RULES_DEPTH_LIMIT);
    }
    text_xgrow(&rs->rules, &rs->cap, rs->n + 1, sizeof *rs->rules);
    struct text_rule_compiled *r = &rs->rules[rs->n++];
    r->id = text_xstrdup(id);
    r->cat = (enum text_category)cat;
    r->sev = sev;
    r->score = score;
    r->detail = detail ? text_xstrdup(detail) : NULL;
    r->code = code;
    rule_set_anchor(r, pattern);
    return 0;
}

static int rules_line_fn(void *ctx, char **f, int n, char *err, size_t errlen)
{
    if (n < 6) {
        snprintf(err, errlen, "expected 6 tab-separated fields (id, category, severity, score, "
                 "detail, pattern), got %d", n);
        return -1;
    }
    int sev = text_tsv_severity(f[2]);
    char *end;
    double score = strtod(f[3], &end);
    if (!sev || *end) {
        snprintf(err, errlen, "rule %s: bad severity \"%s\" or score \"%s\"", f[0], f[2], f[3]);
        return -1;
    }
    return text_ruleset_add(ctx, f[0], f[1], (enum text_severity)sev, score,
                            strcmp(f[4], "-") ? f[4] : NULL, f[5], err, errlen);
}

int text_ruleset_load_dir(struct text_ruleset *rs, const char *dir, char *err, size_t errlen)
{
    return text_tsv_load_dir(dir, rules_line_fn, rs, err, errlen);
}

void text_ruleset_register(const struct text_ruleset *rs, struct text_ac *ac, uint32_t tag)
{
    for (size_t i = 0; i < rs->n; i++)
        if (rs->rules[i].anchor)
            (void)text_ac_add(ac, rs->rules[i].anchor, rs->rules[i].anchor_len, tag | (uint32_t)i);
}

int text_ruleset_always(const struct text_ruleset *rs, size_t idx)
{
    return rs->rules[idx].anchor == NULL;
}

void text_ruleset_run(const struct text_ruleset *rs, size_t idx, const struct text_norm *nm,
                      pcre2_match_data *md, struct text_sink *sink)
{
    const struct text_rule_compiled *r = &rs->rules[idx];
    size_t start = 0;
    for (int found = 0; found < RULES_MAX_MATCHES && start <= nm->p_len;) {
        int rc = pcre2_match(r->code, (PCRE2_SPTR)nm->p, nm->p_len, start,
                             PCRE2_NO_UTF_CHECK, md, rs->mctx);
        if (rc == PCRE2_ERROR_NOMATCH)
            return;
        if (rc < 0) {
            sink->flags |= TEXT_RESULT_LIMITED;
            return;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t s = ov[0], e = ov[1];
        if (e > s) {
            text_result_add(sink, r->cat, r->id, r->score, r->sev, r->detail,
                            nm->p_start[s], nm->p_end[e - 1]);
            found++;
            start = e;
        } else {
            start = e + 1;      /* an empty match must not loop */
            while (start < nm->p_len && ((unsigned char)nm->p[start] & 0xC0) == 0x80)
                start++;
        }
    }
}

void text_ruleset_release(struct text_ruleset *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->n; i++) {
        free(rs->rules[i].id);
        free(rs->rules[i].detail);
        free(rs->rules[i].anchor);
        pcre2_code_free(rs->rules[i].code);
    }
    free(rs->rules);
    pcre2_match_context_free(rs->mctx);
    memset(rs, 0, sizeof *rs);
}
