/* text_rules: pcre2 rule compilation, anchors and matching (see text_rules.h). */
#include "text_rules.h"
#include "text_lexicon.h"
#include "text_tsv.h"
#include "xmalloc.h"

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
#define RULES_ANCHOR_MAX  64
/* A width no pattern reaches: "any number of bytes" (\w*, .+, {3,}). */
#define RULES_UNBOUNDED (1u << 30)
/* The widest character of the pattern view: '.', \w or a class may match
 * a multi-byte character. */
#define RULES_CHAR_MAX 4
/* USE_OFFSET_LIMIT: a match is only tried where the anchor allows. */
#define RULES_COMPILE_OPTIONS (PCRE2_UTF | PCRE2_CASELESS | PCRE2_USE_OFFSET_LIMIT)

struct text_rule_compiled {
    char *id;
    enum text_category cat;
    enum text_severity sev;
    double score;
    char *detail;
    pcre2_code *code;
    int gate;               /* a vocabulary one of whose words the comment must hold, or -1 */
    int jit;                /* JIT-compiled: matched with pcre2_jit_match */
    pcre2_code *past_start; /* the pattern without its "^" alternative,
                                   for starts past offset 0, or NULL */
    int past_start_jit;
    int anchored_first; /* anchored, and first holds every byte a
                                   match can start with */
    uint8_t first[32];  /* pcre2's start bitmap, bit b for byte b */
    int n_anchors;      /* 0 = run on every comment */
    int n_second;       /* TEXT_ANCHOR_REQUIRED anchors */
    char required;      /* a byte the pattern view must hold, or 0 */
};

/* A rule's anchors: lexicon-view literals of which at least one must occur
 * for the rule to match (one literal, or one per alternative of a group),
 * each with how far (in pattern-view bytes) after the start of a match it
 * can begin. */
#define RULES_MAX_ANCHORS 32
struct anchor_set {
    char lit[RULES_MAX_ANCHORS][RULES_ANCHOR_MAX];
    uint32_t dmin[RULES_MAX_ANCHORS], dmax[RULES_MAX_ANCHORS];
    int n;
    int min_len;      /* shortest anchor: the set's selectivity */
    int bounded_only; /* take no anchor unbounded in its distance */
    size_t origin;    /* 1 + pattern offset of the top-level
                                   literal or group the set comes from */
    size_t skip;      /* an origin not to take, or 0 */
};

static int anchor_set_bounded(const struct anchor_set *set) {
    for (int k = 0; k < set->n; k++)
        if (set->dmax[k] >= RULES_UNBOUNDED) return 0;
    return 1;
}

static uint32_t width_add(uint32_t a, uint32_t b) {
    return a + b >= RULES_UNBOUNDED ? RULES_UNBOUNDED : a + b;
}

static uint32_t width_mul(uint32_t a, uint32_t k) {
    return a && k >= RULES_UNBOUNDED / a ? RULES_UNBOUNDED : a * k;
}

static int anchor_char_ok(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ';
}

/* Offers a literal of the pattern (raw, lower-cased) as a one-anchor set;
 * it begins [dmin, dmax] bytes after the start of a match.  Normalizing may
 * drop leading punctuation of the raw literal, so the anchor may begin up
 * to n bytes later than the literal. */
static void offer_literal(struct anchor_set *best, const char *lit, size_t n, uint32_t dmin,
                          uint32_t dmax, size_t origin) {
    char raw[RULES_ANCHOR_MAX], term[RULES_ANCHOR_MAX];
    uint8_t runs[RULES_ANCHOR_MAX];
    if (n == 0 || n >= sizeof raw) return;
    memcpy(raw, lit, n);
    raw[n] = '\0';
    int len = text_norm_term(raw, term, runs, sizeof term);
    if (len < 3 || len <= best->min_len || (best->skip && origin == best->skip) ||
        (best->bounded_only && width_add(dmax, (uint32_t)n) >= RULES_UNBOUNDED))
        return;
    for (int i = 0; i < len; i++)
        if (!anchor_char_ok(term[i])) return;
    memcpy(best->lit[0], term, (size_t)len + 1);
    best->dmin[0] = dmin;
    best->dmax[0] = width_add(dmax, (uint32_t)n);
    best->n = 1;
    best->min_len = len;
    best->origin = origin;
}

static size_t skip_group(const char *p, size_t i, size_t end);
static void extract_anchors(const char *p, size_t end, struct anchor_set *best, char *req);
static void pattern_width(const char *p, size_t a, size_t b, uint32_t *wmin, uint32_t *wmax);

/* Offers the alternatives of p[a..b) (a group's body or a whole pattern),
 * which begin [dmin, dmax] bytes into a match, as one set: usable only if
 * every alternative has an anchor. */
static void offer_alternatives(struct anchor_set *best, const char *p, size_t a, size_t b,
                               uint32_t dmin, uint32_t dmax, size_t origin) {
    struct anchor_set all = { .n = 0,
                              .min_len = RULES_ANCHOR_MAX,
                              .bounded_only = best->bounded_only };
    size_t alt = a, i = a;
    while (i <= b) {
        if (i == b || p[i] == '|') {
            struct anchor_set sub = { .n = 0, .min_len = 0, .bounded_only = best->bounded_only };
            char ignored = 0;
            extract_anchors(p + alt, i - alt, &sub, &ignored);
            if (sub.n == 0 || all.n + sub.n > RULES_MAX_ANCHORS) return;
            for (int k = 0; k < sub.n; k++, all.n++) {
                memcpy(all.lit[all.n], sub.lit[k], RULES_ANCHOR_MAX);
                all.dmin[all.n] = width_add(dmin, sub.dmin[k]);
                all.dmax[all.n] = width_add(dmax, sub.dmax[k]);
            }
            if (sub.min_len < all.min_len) all.min_len = sub.min_len;
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
    if (all.n > 0 && all.min_len > best->min_len &&
        !(best->bounded_only && !anchor_set_bounded(&all)) &&
        !(best->skip && origin == best->skip)) {
        all.skip = best->skip;
        all.origin = origin;
        *best = all;
    }
}

/* Skips a group or class starting at p[i] ('(' or '['); returns the index
 * after its end, honoring escapes and nesting. */
static size_t skip_group(const char *p, size_t i, size_t end) {
    int depth = 0, in_class = 0;
    for (; i < end; i++) {
        if (p[i] == '\\' && i + 1 < end) {
            i++;
        } else if (in_class) {
            in_class = p[i] != ']';
        } else if (p[i] == '[') {
            in_class = 1;
            if (i + 1 < end && p[i + 1] == '^') i++;
            if (i + 1 < end && p[i + 1] == ']') i++;
        } else if (p[i] == '(') {
            depth++;
        } else if (p[i] == ')') {
            if (--depth == 0) return i + 1;
        }
        if (depth == 0 && !in_class) return i + 1;
    }
    return end;
}

static int optional_quantifier(const char *p, size_t i, size_t end) {
    return i < end &&
           (p[i] == '?' || p[i] == '*' || (p[i] == '{' && i + 1 < end && p[i + 1] == '0'));
}

/* The index after the element at p[i]: an escape, a group or class, or
 * one byte. */
static size_t skip_element(const char *p, size_t i, size_t end) {
    if (p[i] == '\\') return i + 2;
    if (p[i] == '(' || p[i] == '[') return skip_group(p, i, end);
    return i + 1;
}

static int has_top_level_bar(const char *p, size_t end) {
    for (size_t i = 0; i < end;) {
        if (p[i] == '|') return 1;
        i = skip_element(p, i, end);
    }
    return 0;
}

/* Width of one element at p[i] (a character, escape, class or group) and
 * the index after it, quantifier not included. */
static size_t element_width(const char *p, size_t i, size_t end, uint32_t *wmin, uint32_t *wmax) {
    unsigned char c = (unsigned char)p[i];
    *wmin = *wmax = 1;
    if (c == '(') {
        size_t g = skip_group(p, i, end), body = i + 1;
        if (body + 1 < g && p[body] == '?') {
            if (p[body + 1] == '=' || p[body + 1] == '!' || p[body + 1] == '<') {
                *wmin = *wmax = 0; /* lookaround: no width */
                return g;
            }
            if (p[body + 1] != ':') { /* options, names...: unknown */
                *wmin = 0;
                *wmax = RULES_UNBOUNDED;
                return g;
            }
            body += 2;
        }
        pattern_width(p, body, g - 1, wmin, wmax);
        return g;
    }
    if (c == '[' || c == '.') {
        *wmax = RULES_CHAR_MAX;
        return c == '[' ? skip_group(p, i, end) : i + 1;
    }
    if (c == '^' || c == '$') {
        *wmin = *wmax = 0;
        return i + 1;
    }
    if (c == '\\' && i + 1 < end) {
        char e = p[i + 1];
        if (strchr("bBAzZGK", e)) {
            *wmin = *wmax = 0;
        } else if (e >= '1' && e <= '9') { /* back reference */
            *wmin = 0;
            *wmax = RULES_UNBOUNDED;
        } else if (strchr("dDwWsShHvVNRXpPxC", e)) {
            *wmax = RULES_CHAR_MAX;
            if ((e == 'p' || e == 'P' || e == 'x') && i + 2 < end && p[i + 2] == '{')
                while (i < end && p[i] != '}') i++;
        }
        return i + 2 > end ? end : i + 2;
    }
    if (c >= 0xC0) { /* one multi-byte character */
        size_t j = i + 1;
        while (j < end && ((unsigned char)p[j] & 0xC0) == 0x80) j++;
        *wmin = *wmax = (uint32_t)(j - i);
        return j;
    }
    return i + 1;
}

/* Applies the quantifier at p[i], if any, to a width; returns the index
 * after it (and after a lazy or possessive mark). */
static size_t apply_quantifier(const char *p, size_t i, size_t end, uint32_t *wmin,
                               uint32_t *wmax) {
    if (i >= end) return i;
    if (p[i] == '?') {
        *wmin = 0;
    } else if (p[i] == '*') {
        *wmin = 0;
        *wmax = *wmax ? RULES_UNBOUNDED : 0;
    } else if (p[i] == '+') {
        *wmax = *wmax ? RULES_UNBOUNDED : 0;
    } else if (p[i] == '{' && i + 1 < end && p[i + 1] >= '0' && p[i + 1] <= '9') {
        char *q;
        unsigned long lo = strtoul(p + i + 1, &q, 10), hi = lo;
        if (*q == ',') hi = q[1] == '}' ? RULES_UNBOUNDED : strtoul(q + 1, &q, 10);
        while (i < end && p[i] != '}') i++;
        *wmin = width_mul(*wmin, lo > RULES_UNBOUNDED ? RULES_UNBOUNDED : (uint32_t)lo);
        *wmax = width_mul(*wmax, hi > RULES_UNBOUNDED ? RULES_UNBOUNDED : (uint32_t)hi);
    } else {
        return i;
    }
    i++;
    return i < end && (p[i] == '?' || p[i] == '+') ? i + 1 : i;
}

/* The shortest and longest match of p[a..b) in bytes, alternatives
 * included; RULES_UNBOUNDED when there is no bound. */
static void pattern_width(const char *p, size_t a, size_t b, uint32_t *wmin, uint32_t *wmax) {
    uint32_t mn = 0, mx = 0, best_min = RULES_UNBOUNDED, best_max = 0;
    size_t i = a;
    while (i <= b) {
        if (i == b || p[i] == '|') {
            best_min = mn < best_min ? mn : best_min;
            best_max = mx > best_max ? mx : best_max;
            mn = mx = 0;
            i++;
            continue;
        }
        uint32_t emin, emax;
        i = element_width(p, i, b, &emin, &emax);
        i = apply_quantifier(p, i, b, &emin, &emax);
        mn = width_add(mn, emin);
        mx = width_add(mx, emax);
    }
    *wmin = best_min;
    *wmax = best_max;
}

/* Offers the literal lit[0..*n) gathered from p[lit_at...] and empties it. */
static void offer_run(struct anchor_set *best, const char *p, size_t lit_at, const char *lit,
                      size_t *n) {
    uint32_t dmin, dmax;
    if (*n) {
        pattern_width(p, 0, lit_at, &dmin, &dmax);
        offer_literal(best, lit, *n, dmin, dmax, lit_at + 1);
    }
    *n = 0;
}

/* Finds the most selective anchor set of pattern p[0..end): the longest
 * required literal outside groups, or the alternatives of a required group
 * (or of the whole pattern).  *req receives a required punctuation byte
 * ('?', '/', '#', ...) written at top level, which is a cheap test too. */
static void extract_anchors(const char *p, size_t end, struct anchor_set *best, char *req) {
    char lit[RULES_ANCHOR_MAX];
    size_t n = 0, i = 0, lit_at = 0;
    uint32_t dmin, dmax;
    if (has_top_level_bar(p, end)) {
        offer_alternatives(best, p, 0, end, 0, 0, 1);
        return;
    }
    while (i < end) {
        char c = p[i];
        if (c == '(' || c == '[') {
            offer_run(best, p, lit_at, lit, &n);
            size_t g = skip_group(p, i, end);
            if (c == '(' && !optional_quantifier(p, g, end)) {
                size_t body = i + 1;
                if (body + 1 < end && p[body] == '?' && p[body + 1] == ':') body += 2;
                if (p[i + 1] != '?' || body == i + 3) {
                    pattern_width(p, 0, i, &dmin, &dmax);
                    offer_alternatives(best, p, body, g - 1, dmin, dmax, i + 1);
                }
            }
            i = g;
            continue;
        }
        if (c == '?' || c == '*' || c == '+' || c == '{') {
            if (c != '+' && !(c == '{' && i + 1 < end && p[i + 1] != '0') && n)
                n--; /* the quantified character is optional */
            offer_run(best, p, lit_at, lit, &n);
            if (c == '{')
                while (i < end && p[i] != '}') i++;
            i++;
            continue;
        }
        if (c == '.' || c == '^' || c == '$' || c == ')') {
            offer_run(best, p, lit_at, lit, &n);
            i++;
            continue;
        }
        size_t at = i;
        if (c == '\\') {
            char e = i + 1 < end ? p[i + 1] : '\0';
            i += 2;
            if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9') || !e) {
                offer_run(best, p, lit_at, lit, &n);
                continue;
            }
            if (!optional_quantifier(p, i, end) && strchr("?/#@%&", e)) *req = e;
            c = e;
        } else {
            i++;
            if (!optional_quantifier(p, i, end) && strchr("/#@%&", c)) *req = c;
        }
        if (n == 0) lit_at = at;
        if (n + 1 < sizeof lit) lit[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    offer_run(best, p, lit_at, lit, &n);
}

/* A pattern opening with "(?:^|[.!?] |, )" gets from pcre2 a start
 * bitmap holding the first letters of what follows "^", so it is tried at
 * most letters of a comment although "^" can only match at offset 0.
 * Returns the pattern without that alternative (to free), of which the
 * bitmap holds only the other alternatives' first bytes, or NULL when the
 * pattern does not open so.  Past offset 0 "^" fails at once, so both
 * patterns find the same matches there.  Not with inline options, of
 * which (?m) would let "^" match after a newline. */
static char *pattern_past_start(const char *p) {
    size_t end = strlen(p);
    if (strncmp(p, "(?:", 3) != 0) return NULL;
    for (const char *q = strstr(p, "(?"); q; q = strstr(q + 2, "(?"))
        if (!strchr(":=!<", q[2])) return NULL;
    size_t g = skip_group(p, 0, end), alt = 3, i = 3;
    while (i < g) {
        if (i == g - 1 || p[i] == '|') {
            if (i - alt == 1 && p[alt] == '^' && (alt > 3 || i < g - 1)) {
                char *out = xmalloc(end);
                size_t cut = alt > 3 ? alt - 1 : alt; /* "|^" or "^|" */
                memcpy(out, p, cut);
                memcpy(out + cut, p + cut + 2, end - cut - 1);
                return out;
            }
            alt = ++i;
            continue;
        }
        i = skip_element(p, i, g);
    }
    return NULL;
}

/* An anchored rule ("^primo!*$") without an anchor literal runs on every
 * comment, yet can only match at the start offset: when pcre2 knows the
 * bytes a match starts with, the byte there settles most runs without a
 * call.  Only for patterns that cannot match the empty string, of which
 * the bitmap is exact. */
static void rule_set_first(struct text_rule_compiled *r, const pcre2_code *code) {
    uint32_t options = 0, min_length = 0;
    const uint8_t *bitmap = NULL;
    r->anchored_first = 0;
    if (pcre2_pattern_info(code, PCRE2_INFO_ALLOPTIONS, &options) != 0 ||
        pcre2_pattern_info(code, PCRE2_INFO_FIRSTBITMAP, &bitmap) != 0 ||
        pcre2_pattern_info(code, PCRE2_INFO_MINLENGTH, &min_length) != 0)
        return;
    if ((options & PCRE2_ANCHORED) && bitmap && min_length > 0) {
        memcpy(r->first, bitmap, sizeof r->first);
        r->anchored_first = 1;
    }
}

/* Compiles the rule's pattern without its "^" alternative, if it has one
 * and is not anchored (see pattern_past_start). */
static void rule_set_past_start(struct text_rule_compiled *r, const char *pattern) {
    char *past = pattern_past_start(pattern);
    int ec;
    PCRE2_SIZE eo;
    r->past_start = past ? pcre2_compile((PCRE2_SPTR)past, PCRE2_ZERO_TERMINATED,
                                         RULES_COMPILE_OPTIONS, &ec, &eo, NULL)
                         : NULL;
    r->past_start_jit = r->past_start && pcre2_jit_compile(r->past_start, PCRE2_JIT_COMPLETE) == 0;
    free(past);
}

/* Appends set's anchors for rule idx, in role role, to rs's table. */
static void anchors_append(struct text_ruleset *rs, size_t idx, const struct anchor_set *set,
                           enum text_anchor_role role) {
    xgrow(&rs->anchors, &rs->anchors_cap, rs->n_anchors + (size_t)set->n, sizeof *rs->anchors);
    for (int k = 0; k < set->n; k++) {
        struct text_rule_anchor *a = &rs->anchors[rs->n_anchors++];
        a->lit = xstrdup(set->lit[k]);
        a->len = strlen(a->lit);
        a->rule = (uint32_t)idx;
        a->dmin = set->dmin[k];
        a->dmax = set->dmax[k];
        a->role = role;
    }
}

/* Adds the anchors of rule idx (pattern given) to rs's anchor table.  When
 * the most selective set lies an unbounded distance into a match
 * ("\w* (?:sindac|...)"), its occurrences make the rule a candidate (so
 * rules still run in the order their anchors occur, which decides the
 * labels kept) but the rule would be tried from the start of the comment;
 * a bounded set, if the pattern has one, then gives the offsets instead. */
static void rule_set_anchors(struct text_ruleset *rs, size_t idx, const char *pattern) {
    struct anchor_set best = { .n = 0, .min_len = 0 };
    struct anchor_set window = { .n = 0, .min_len = 0, .bounded_only = 1 };
    struct text_rule_compiled *r = &rs->rules[idx];
    char ignored = 0;
    r->required = 0;
    extract_anchors(pattern, strlen(pattern), &best, &r->required);
    r->n_anchors = best.n;
    if (best.n > 0 && !anchor_set_bounded(&best))
        extract_anchors(pattern, strlen(pattern), &window, &ignored);
    anchors_append(rs, idx, &best, window.n ? TEXT_ANCHOR_CANDIDATE : TEXT_ANCHOR_BOTH);
    anchors_append(rs, idx, &window, TEXT_ANCHOR_WINDOW);
    /* A second set, from another literal or group of the pattern: a rule
     * made a candidate by one set is still not run unless this one occurs
     * too ("pessim[oa] (?:gestione|servizio|...)" on "servizio"). */
    struct anchor_set second = { .n = 0, .min_len = 0, .skip = best.origin };
    r->n_second = 0;
    if (best.n > 0) {
        extract_anchors(pattern, strlen(pattern), &second, &ignored);
        r->n_second = second.n;
        anchors_append(rs, idx, &second, TEXT_ANCHOR_REQUIRED);
    }
}

int text_ruleset_add(struct text_ruleset *rs, const char *id, const char *category,
                     enum text_severity sev, double score, const char *detail, const char *pattern,
                     char *err, size_t errlen) {
    int cat = text_category_from_name(category ? category : "");
    if (!id || !*id) {
        snprintf(err, errlen, "rule without an id");
        return -1;
    }
    if (cat < 0 || cat == TEXT_CAT_REPEATED) {
        snprintf(err, errlen, "rule %s: unknown category \"%s\"", id,
                 category ? category : "(null)");
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
                                     RULES_COMPILE_OPTIONS, &ec, &eo, NULL);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(ec, msg, sizeof msg);
        snprintf(err, errlen, "rule %s: pattern error at offset %zu: %s", id, (size_t)eo,
                 (char *)msg);
        return -1;
    }
    /* Without JIT (e.g. a platform without support) the interpreter runs
     * under the same limits, only slower. */
    int jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
    xgrow(&rs->rules, &rs->cap, rs->n + 1, sizeof *rs->rules);
    struct text_rule_compiled *r = &rs->rules[rs->n++];
    r->jit = jit;
    rule_set_first(r, code);
    rule_set_past_start(r, pattern);
    r->id = xstrdup(id);
    r->cat = (enum text_category)cat;
    r->sev = sev;
    r->score = score;
    r->detail = detail ? xstrdup(detail) : NULL;
    r->code = code;
    r->gate = -1;
    rule_set_anchors(rs, rs->n - 1, pattern);
    return 0;
}

/* The optional seventh field names a vocabulary (data/lexicons, e.g. "person") of which
 * a word must occur for the rule to run: the gate of a rule whose anchors cannot say it,
 * as the 32 literals of an anchor set cannot hold a list of 400 words. */
static int rule_set_gate(struct text_ruleset *rs, const char *name, char *err, size_t errlen) {
    struct text_rule_compiled *r = &rs->rules[rs->n - 1];
    r->gate = text_vocab_from_name(name);
    if (r->gate >= 0) return 0;
    snprintf(err, errlen, "rule %s: unknown vocabulary \"%s\" in the seventh field", r->id, name);
    return -1;
}

static int rules_line_fn(void *ctx, char **f, int n, char *err, size_t errlen) {
    if (n < 6) {
        snprintf(err, errlen,
                 "expected 6 tab-separated fields (id, category, severity, score, "
                 "detail, pattern), got %d",
                 n);
        return -1;
    }
    int sev = text_tsv_severity(f[2]);
    char *end;
    double score = strtod(f[3], &end);
    if (!sev || *end) {
        snprintf(err, errlen, "rule %s: bad severity \"%s\" or score \"%s\"", f[0], f[2], f[3]);
        return -1;
    }
    if (text_ruleset_add(ctx, f[0], f[1], (enum text_severity)sev, score,
                         strcmp(f[4], "-") ? f[4] : NULL, f[5], err, errlen) != 0)
        return -1;
    return n > 6 ? rule_set_gate(ctx, f[6], err, errlen) : 0;
}

int text_ruleset_load_dir(struct text_ruleset *rs, const char *dir, char *err, size_t errlen) {
    return text_tsv_load_dir(dir, rules_line_fn, rs, err, errlen);
}

void text_ruleset_register(const struct text_ruleset *rs, struct text_ac *ac, uint32_t tag) {
    for (size_t i = 0; i < rs->n_anchors; i++)
        (void)text_ac_add(ac, rs->anchors[i].lit, rs->anchors[i].len, tag | (uint32_t)i);
}

int text_ruleset_always(const struct text_ruleset *rs, size_t idx) {
    return rs->rules[idx].n_anchors == 0;
}

int text_ruleset_needs_second(const struct text_ruleset *rs, size_t idx) {
    return rs->rules[idx].n_second > 0;
}

int text_ruleset_gate(const struct text_ruleset *rs, size_t idx) { return rs->rules[idx].gate; }

pcre2_match_context *text_ruleset_match_context_new(void) {
    pcre2_match_context *mctx = pcre2_match_context_create(NULL);
    if (!mctx) abort(); /* out of memory, as in xmalloc */
    pcre2_set_match_limit(mctx, RULES_MATCH_LIMIT);
    pcre2_set_depth_limit(mctx, RULES_DEPTH_LIMIT);
    return mctx;
}

/* pcre2_match would only check its arguments and call pcre2_jit_match;
 * called directly, a rule run costs a hundred instructions less, and a
 * comment runs about a dozen. */
static int rule_match(const pcre2_code *code, int jit, const struct text_norm *nm, size_t start,
                      pcre2_match_data *md, pcre2_match_context *mctx) {
    return jit ? pcre2_jit_match(code, (PCRE2_SPTR)nm->p, nm->p_len, start, PCRE2_NO_UTF_CHECK, md,
                                 mctx)
               : pcre2_match(code, (PCRE2_SPTR)nm->p, nm->p_len, start, PCRE2_NO_UTF_CHECK, md,
                             mctx);
}

/* The offset after the character at nm->p[at]. */
static size_t next_char(const struct text_norm *nm, size_t at) {
    at++;
    while (at < nm->p_len && ((unsigned char)nm->p[at] & 0xC0) == 0x80) at++;
    return at;
}

void text_ruleset_run(const struct text_ruleset *rs, size_t idx, const struct text_norm *nm,
                      size_t from, size_t last_start, pcre2_match_data *md,
                      pcre2_match_context *mctx, struct text_sink *sink) {
    const struct text_rule_compiled *r = &rs->rules[idx];
    size_t start = from;
    PCRE2_SIZE limit = last_start >= nm->p_len ? PCRE2_UNSET : last_start;
    if (r->required && !memchr(nm->p, r->required, nm->p_len)) return;
    pcre2_set_offset_limit(mctx, limit);
    for (int found = 0; found < RULES_MAX_MATCHES && start <= nm->p_len && start <= last_start;) {
        /* what pcre2 would find without the call: no match here */
        if (r->anchored_first &&
            (start == nm->p_len || !(r->first[(unsigned char)nm->p[start] >> 3] &
                                     (1u << ((unsigned char)nm->p[start] & 7)))))
            return;
        int rc;
        if (r->past_start && start > 0) {
            rc = rule_match(r->past_start, r->past_start_jit, nm, start, md, mctx);
        } else if (r->past_start) {
            /* offset 0 alone with the whole pattern, then the rest
             * without "^", as one call from 0 would have found */
            pcre2_set_offset_limit(mctx, 0);
            rc = rule_match(r->code, r->jit, nm, 0, md, mctx);
            pcre2_set_offset_limit(mctx, limit);
            if (rc == PCRE2_ERROR_NOMATCH) {
                start = next_char(nm, 0);
                continue;
            }
        } else {
            rc = rule_match(r->code, r->jit, nm, start, md, mctx);
        }
        if (rc == PCRE2_ERROR_NOMATCH) return;
        if (rc < 0) {
            sink->flags |= TEXT_RESULT_LIMITED;
            return;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t s = ov[0], e = ov[1];
        if (e > s) {
            text_result_add(sink, r->cat, r->id, r->score, r->sev, r->detail, nm->p_start[s],
                            nm->p_end[e - 1]);
            found++;
            start = e;
        } else {
            start = next_char(nm, e); /* an empty match must not loop */
        }
    }
}

void text_ruleset_release(struct text_ruleset *rs) {
    if (!rs) return;
    for (size_t i = 0; i < rs->n; i++) {
        free(rs->rules[i].id);
        free(rs->rules[i].detail);
        pcre2_code_free(rs->rules[i].code);
        pcre2_code_free(rs->rules[i].past_start);
    }
    for (size_t i = 0; i < rs->n_anchors; i++) free(rs->anchors[i].lit);
    free(rs->rules);
    free(rs->anchors);
    memset(rs, 0, sizeof *rs);
}
