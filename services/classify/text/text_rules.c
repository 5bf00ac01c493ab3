/* text_rules: pcre2 rule compilation, anchors and matching (see text_rules.h). */
#include "text_rules.h"
#include "xmalloc.h"
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
    char **anchors;             /* lexicon-view literals, any of which */
    int n_anchors;              /* must occur; 0 = run on every comment */
    char required;              /* a byte the pattern view must hold, or 0 */
};

/* A rule's anchors: lexicon-view literals of which at least one must occur
 * for the rule to match (one literal, or one per alternative of a group). */
#define RULES_MAX_ANCHORS 32
struct anchor_set {
    char lit[RULES_MAX_ANCHORS][RULES_ANCHOR_MAX];
    int n;
    int min_len;                /* shortest anchor: the set's selectivity */
};

static int anchor_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ';
}

/* Offers a literal of the pattern (raw, lower-cased) as a one-anchor set. */
static void offer_literal(struct anchor_set *best, const char *lit, size_t n)
{
    char raw[RULES_ANCHOR_MAX], term[RULES_ANCHOR_MAX];
    uint8_t runs[RULES_ANCHOR_MAX];
    if (n == 0 || n >= sizeof raw)
        return;
    memcpy(raw, lit, n);
    raw[n] = '\0';
    int len = text_norm_term(raw, term, runs, sizeof term);
    if (len < 3 || len <= best->min_len)
        return;
    for (int i = 0; i < len; i++)
        if (!anchor_char_ok(term[i]))
            return;
    memcpy(best->lit[0], term, (size_t)len + 1);
    best->n = 1;
    best->min_len = len;
}

static size_t skip_group(const char *p, size_t i, size_t end);
static void extract_anchors(const char *p, size_t end, struct anchor_set *best, char *req);

/* Offers the alternatives of p[a..b) (a group's body or a whole pattern)
 * as one set: usable only if every alternative has an anchor. */
static void offer_alternatives(struct anchor_set *best, const char *p, size_t a, size_t b)
{
    struct anchor_set all = { .n = 0, .min_len = RULES_ANCHOR_MAX };
    size_t alt = a, i = a;
    while (i <= b) {
        if (i == b || p[i] == '|') {
            struct anchor_set sub = { .n = 0, .min_len = 0 };
            char ignored = 0;
            extract_anchors(p + alt, i - alt, &sub, &ignored);
            if (sub.n == 0 || all.n + sub.n > RULES_MAX_ANCHORS)
                return;
            for (int k = 0; k < sub.n; k++)
                memcpy(all.lit[all.n++], sub.lit[k], RULES_ANCHOR_MAX);
            if (sub.min_len < all.min_len)
                all.min_len = sub.min_len;
            alt = ++i;
            continue;
        }
        if (p[i] == '\\' && i + 1 < b)
            i += 2;
        else if (p[i] == '(' || p[i] == '[')
            i = skip_group(p, i, b);
        else
            i++;
    }
    if (all.n > 0 && all.min_len > best->min_len)
        *best = all;
}

/* Skips a group or class starting at p[i] ('(' or '['); returns the index
 * after its end, honoring escapes and nesting. */
static size_t skip_group(const char *p, size_t i, size_t end)
{
    int depth = 0, in_class = 0;
    for (; i < end; i++) {
        if (p[i] == '\\' && i + 1 < end) {
            i++;
        } else if (in_class) {
            in_class = p[i] != ']';
        } else if (p[i] == '[') {
            in_class = 1;
            if (i + 1 < end && p[i + 1] == '^')
                i++;
            if (i + 1 < end && p[i + 1] == ']')
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
    return end;
}

static int optional_quantifier(const char *p, size_t i, size_t end)
{
    return i < end && (p[i] == '?' || p[i] == '*' || (p[i] == '{' && i + 1 < end && p[i + 1] == '0'));
}

static int has_top_level_bar(const char *p, size_t end)
{
    for (size_t i = 0; i < end;) {
        if (p[i] == '|')
            return 1;
        if (p[i] == '\\')
            i += 2;
        else if (p[i] == '(' || p[i] == '[')
            i = skip_group(p, i, end);
        else
            i++;
    }
    return 0;
}

/* Finds the most selective anchor set of pattern p[0..end): the longest
 * required literal outside groups, or the alternatives of a required group
 * (or of the whole pattern).  *req receives a required punctuation byte
 * ('?', '/', '#', ...) written at top level, which is a cheap test too. */
static void extract_anchors(const char *p, size_t end, struct anchor_set *best, char *req)
{
    char lit[RULES_ANCHOR_MAX];
    size_t n = 0, i = 0;
    if (has_top_level_bar(p, end)) {
        offer_alternatives(best, p, 0, end);
        return;
    }
    while (i < end) {
        char c = p[i];
        if (c == '(' || c == '[') {
            offer_literal(best, lit, n);
            n = 0;
            size_t g = skip_group(p, i, end);
            if (c == '(' && !optional_quantifier(p, g, end)) {
                size_t body = i + 1;
                if (body + 1 < end && p[body] == '?' && p[body + 1] == ':')
                    body += 2;
                if (p[i + 1] != '?' || body == i + 3)
                    offer_alternatives(best, p, body, g - 1);
            }
            i = g;
            continue;
        }
        if (c == '?' || c == '*' || c == '+' || c == '{') {
            if (c != '+' && !(c == '{' && i + 1 < end && p[i + 1] != '0') && n)
                n--;            /* the quantified character is optional */
            offer_literal(best, lit, n);
            n = 0;
            if (c == '{')
                while (i < end && p[i] != '}')
                    i++;
            i++;
            continue;
        }
        if (c == '.' || c == '^' || c == '$' || c == ')') {
            offer_literal(best, lit, n);
            n = 0;
            i++;
            continue;
        }
        if (c == '\\') {
            char e = i + 1 < end ? p[i + 1] : '\0';
            i += 2;
            if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9') || !e) {
                offer_literal(best, lit, n);
                n = 0;
                continue;
            }
            if (!optional_quantifier(p, i, end) && strchr("?/#@%&", e))
                *req = e;
            c = e;
        } else {
            i++;
            if (!optional_quantifier(p, i, end) && strchr("/#@%&", c))
                *req = c;
        }
        if (n + 1 < sizeof lit)
            lit[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    offer_literal(best, lit, n);
}

static void rule_set_anchors(struct text_rule_compiled *r, const char *pattern)
{
    struct anchor_set best = { .n = 0, .min_len = 0 };
    r->required = 0;
    extract_anchors(pattern, strlen(pattern), &best, &r->required);
    r->n_anchors = best.n;
    r->anchors = best.n ? xmalloc((size_t)best.n * sizeof *r->anchors) : NULL;
    for (int k = 0; k < best.n; k++)
        r->anchors[k] = xstrdup(best.lit[k]);
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
            abort();            /* out of memory, as in xmalloc */
        pcre2_set_match_limit(rs->mctx, RULES_MATCH_LIMIT);
        pcre2_set_depth_limit(rs->mctx, RULES_DEPTH_LIMIT);
    }
    xgrow(&rs->rules, &rs->cap, rs->n + 1, sizeof *rs->rules);
    struct text_rule_compiled *r = &rs->rules[rs->n++];
    r->id = xstrdup(id);
    r->cat = (enum text_category)cat;
    r->sev = sev;
    r->score = score;
    r->detail = detail ? xstrdup(detail) : NULL;
    r->code = code;
    rule_set_anchors(r, pattern);
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
        for (int k = 0; k < rs->rules[i].n_anchors; k++)
            (void)text_ac_add(ac, rs->rules[i].anchors[k], strlen(rs->rules[i].anchors[k]),
                              tag | (uint32_t)i);
}

int text_ruleset_always(const struct text_ruleset *rs, size_t idx)
{
    return rs->rules[idx].n_anchors == 0;
}

void text_ruleset_run(const struct text_ruleset *rs, size_t idx, const struct text_norm *nm,
                      pcre2_match_data *md, struct text_sink *sink)
{
    const struct text_rule_compiled *r = &rs->rules[idx];
    size_t start = 0;
    if (r->required && !memchr(nm->p, r->required, nm->p_len))
        return;
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
        for (int k = 0; k < rs->rules[i].n_anchors; k++)
            free(rs->rules[i].anchors[k]);
        free(rs->rules[i].anchors);
        pcre2_code_free(rs->rules[i].code);
    }
    free(rs->rules);
    pcre2_match_context_free(rs->mctx);
    memset(rs, 0, sizeof *rs);
}
