/* text_norm: comment normalization with span mapping (see text_norm.h): the
 * general path, unit by unit, and the entry points; the plain path is in
 * text_norm_plain.c. */
#include "text_norm.h"
#include "text_norm_internal.h"
#include "xmalloc.h"

#include <string.h>
#include <utf8proc.h>

/* The most units one code point can fold to: 16 code points (the
 * decomposition buffer of text_norm_fold_codepoint) of at most 4 bytes. */
#define NORM_UNITS_PER_CP 64

static void units_reserve(struct text_norm *nm, size_t more) {
    if (nm->n_units + more > nm->units_cap)
        xgrow(&nm->units, &nm->units_cap, nm->n_units + more, sizeof *nm->units);
}

/* Appends a unit; the caller has reserved room (units_reserve). */
static void unit_push(struct text_norm *nm, unsigned char c, int cls, int flags, size_t start,
                      size_t end) {
    struct text_norm_unit *u = &nm->units[nm->n_units++];
    u->c = c;
    u->cls = (unsigned char)cls;
    u->flags = (unsigned char)flags;
    u->start = (uint32_t)start;
    u->end = (uint32_t)end;
}

/* Cyrillic and Greek letters that look like Latin ones, as used to dodge
 * filters ("сazzo" with a Cyrillic с).  Lower and upper case are both listed
 * because the lookup happens before case folding. */
static int norm_homoglyph(int32_t cp) {
    static const struct {
        int32_t cp;
        char to;
    } map[] = {
        { 0x0430, 'a' }, { 0x0410, 'a' }, { 0x0435, 'e' }, { 0x0415, 'e' }, { 0x043E, 'o' },
        { 0x041E, 'o' }, { 0x0440, 'p' }, { 0x0420, 'p' }, { 0x0441, 'c' }, { 0x0421, 'c' },
        { 0x0443, 'y' }, { 0x0423, 'y' }, { 0x0445, 'x' }, { 0x0425, 'x' }, { 0x0456, 'i' },
        { 0x0406, 'i' }, { 0x0458, 'j' }, { 0x0408, 'j' }, { 0x0455, 's' }, { 0x0405, 's' },
        { 0x043A, 'k' }, { 0x041A, 'k' }, { 0x043C, 'm' }, { 0x041C, 'm' }, { 0x043D, 'h' },
        { 0x041D, 'h' }, { 0x0442, 't' }, { 0x0422, 't' }, { 0x0432, 'b' }, { 0x0412, 'b' },
        { 0x04CF, 'l' }, { 0x0501, 'd' }, { 0x03B1, 'a' }, { 0x0391, 'a' }, { 0x03B5, 'e' },
        { 0x0395, 'e' }, { 0x03BF, 'o' }, { 0x039F, 'o' }, { 0x03B9, 'i' }, { 0x0399, 'i' },
        { 0x03BA, 'k' }, { 0x039A, 'k' }, { 0x03BD, 'v' }, { 0x039D, 'n' }, { 0x03C1, 'p' },
        { 0x03A1, 'p' }, { 0x03C4, 't' }, { 0x03A4, 't' }, { 0x03C5, 'u' }, { 0x03A5, 'y' },
        { 0x03C7, 'x' }, { 0x03A7, 'x' }, { 0x0392, 'b' }, { 0x0396, 'z' }, { 0x0397, 'h' },
        { 0x039C, 'm' },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].cp == cp) return map[i].to;
    return 0;
}

/* Typographic quotes and dashes as their ASCII forms, so that rules can
 * write "d'italia" once (phones type U+2019 as often as '). */
static int norm_punct(int32_t cp) {
    switch (cp) {
    case 0x2018:
    case 0x2019:
    case 0x201B:
    case 0x2032:
    case 0x02BC:
    case 0x00B4: return '\'';
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x00AB:
    case 0x00BB: return '"';
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014: return '-';
    default: return 0;
    }
}

/* Folds one non-ASCII code point at text[start..end) into units. */
void text_norm_fold_codepoint(struct text_norm *nm, int32_t cp, size_t start, size_t end) {
    units_reserve(nm, NORM_UNITS_PER_CP);
    int q = norm_punct(cp);
    if (q) {
        unit_push(nm, (unsigned char)q, U_OTHER, 0, start, end);
        return;
    }
    int h = norm_homoglyph(cp);
    if (h) {
        unit_push(nm, (unsigned char)h, U_LETTER, U_OBF, start, end);
        return;
    }
    utf8proc_int32_t out[16];
    int last = 0;
    utf8proc_ssize_t n =
        utf8proc_decompose_char(cp, out, 16,
                                UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_DECOMPOSE |
                                    UTF8PROC_STRIPMARK | UTF8PROC_IGNORE,
                                &last);
    if (n < 0 || n > 16) n = 0; /* unassigned or oversized: treat as a separator below */
    if (n == 0 && utf8proc_category(cp) != UTF8PROC_CATEGORY_CF) {
        unit_push(nm, ' ', U_SPACE, 0, start, end);
        return;
    }
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        int32_t o = out[i];
        if (o < 0x80) {
            unsigned char c = (unsigned char)o;
            if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
            unit_push(nm, c, ascii_class(c), 0, start, end);
            continue;
        }
        if ((h = norm_homoglyph(o)) != 0) {
            unit_push(nm, (unsigned char)h, U_LETTER, U_OBF, start, end);
            continue;
        }
        utf8proc_category_t cat = utf8proc_category(o);
        int cls = U_OTHER;
        if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO)
            cls = U_LETTER;
        else if (cat >= UTF8PROC_CATEGORY_ZS && cat <= UTF8PROC_CATEGORY_ZP)
            cls = U_SPACE;
        if (cls == U_SPACE) {
            unit_push(nm, ' ', U_SPACE, 0, start, end);
            continue;
        }
        utf8proc_uint8_t buf[4];
        utf8proc_ssize_t k = utf8proc_encode_char(o, buf);
        for (utf8proc_ssize_t j = 0; j < k; j++) unit_push(nm, buf[j], cls, 0, start, end);
    }
}

static int fold_text(struct text_norm *nm, const char *text, size_t len, size_t *bad) {
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        /* One unit per ASCII byte, for all that may follow (a code point
         * before may have folded to more units than it had bytes);
         * fold_codepoint reserves for its own. */
        units_reserve(nm, len - i + 1);
        /* ASCII run: written through a local pointer (see struct view_out) */
        struct text_norm_unit *restrict u = nm->units + nm->n_units;
        size_t a = i;
        for (; i < len && s[i] < 0x80; i++, u++) {
            unsigned char c = s[i];
            if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
            int cls = ascii_class(c);
            u->c = cls == U_SPACE ? ' ' : c;
            u->cls = (unsigned char)cls;
            u->flags = 0;
            u->start = (uint32_t)i;
            u->end = (uint32_t)(i + 1);
        }
        nm->n_units += i - a;
        if (i == len) break;
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (k <= 0) {
            *bad = i;
            return -1;
        }
        text_norm_fold_codepoint(nm, cp, i, i + (size_t)k);
        i += (size_t)k;
    }
    return 0;
}

static int token_char(const struct text_norm_unit *u) {
    return u->cls == U_LETTER || u->cls == U_DIGIT ||
           (u->cls == U_OTHER && (u->c == '@' || u->c == '$' || u->c == '*' || u->c == '#'));
}

/* Whether a token [a, b) reads as an obfuscated word: it has a letter and
 * starts with a letter or with one digit ("c4zz0", "1diota"), not with a
 * number ("2024", "100euro", "10b"). */
static int leet_token(const struct text_norm_unit *u, size_t a, size_t b) {
    int has_letter = 0;
    for (size_t i = a; i < b; i++)
        if (u[i].cls == U_LETTER && u[i].c < 0x80) has_letter = 1;
    if (!has_letter) return 0;
    return u[a].cls != U_DIGIT || (a + 1 < b && u[a + 1].cls != U_DIGIT);
}

/* Rewrites a token [a, b) of units: l33t characters become letters in an
 * obfuscated word (see leet_token), and '*' or '#' after a letter becomes a
 * mask ("st*onzo", not "#hashtag"). */
static void rewrite_token(struct text_norm *nm, size_t a, size_t b) {
    struct text_norm_unit *u = nm->units;
    if (!leet_token(u, a, b)) return;
    for (size_t i = a; i < b; i++) {
        unsigned char l = leet_letter(u[i].c);
        if (l && u[i].cls != U_LETTER) {
            u[i].c = l;
            u[i].cls = U_LETTER;
            u[i].flags |= U_OBF;
        }
    }
    for (size_t i = a + 1; i < b; i++)
        if ((u[i].c == '*' || u[i].c == '#') &&
            (u[i - 1].cls == U_LETTER || u[i - 1].cls == U_MASK)) {
            u[i].cls = U_MASK;
            u[i].flags |= U_OBF;
        }
}

/* Whether any unit is a character rewrite_token can change; most comments
 * have none, and then the token pass is skipped. */
static int has_rewritable(const struct text_norm *nm) {
    for (size_t i = 0; i < nm->n_units; i++) {
        unsigned char c = nm->units[i].c;
        if (leet_letter(c) || c == '*' || c == '#') return 1;
    }
    return 0;
}

static void rewrite_tokens(struct text_norm *nm) {
    size_t i = 0, n = nm->n_units;
    if (!has_rewritable(nm)) return;
    while (i < n) {
        if (!token_char(&nm->units[i])) {
            i++;
            continue;
        }
        size_t a = i;
        while (i < n && token_char(&nm->units[i])) i++;
        rewrite_token(nm, a, i);
    }
}

static int split_separator(const struct text_norm_unit *u) {
    return u->cls == U_SPACE || (u->cls == U_OTHER && (u->c == '.' || u->c == '-' || u->c == '_'));
}

/* A one-character token that can be part of a split word: a letter, or a
 * l33t digit or symbol ("c 4 z z 0"). */
static int single_letter_at(const struct text_norm_unit *u, size_t i, size_t n) {
    if (i >= n || !(u[i].cls == U_LETTER ? u[i].c < 0x80 : leet_letter(u[i].c) != 0)) return 0;
    int left_ok = i == 0 || split_separator(&u[i - 1]);
    int right_ok = i + 1 == n || split_separator(&u[i + 1]) || u[i + 1].cls == U_OTHER;
    return left_ok && right_ok;
}

/* Joins three or more single letters separated by the same separator
 * ("c a z z o", "i.d.i.o.t.a", "c-4-z-z-0") by deleting the separators and
 * decoding l33t.  Two letters are left alone: "e a" and "l'a" are ordinary
 * Italian; a change of separator ends the word. */
static void join_split_letters(struct text_norm *nm) {
    struct text_norm_unit *u = nm->units;
    size_t n = nm->n_units, i = 0;
    while (i < n) {
        /* A letter followed by a letter is not a one-letter token: the
         * cheap test that settles nearly every unit. */
        if ((i + 1 < n && u[i].cls == U_LETTER && u[i + 1].cls == U_LETTER) ||
            !single_letter_at(u, i, n)) {
            i++;
            continue;
        }
        size_t j = i, count = 1, letters = u[i].cls == U_LETTER;
        unsigned char sep = i + 1 < n ? u[i + 1].c : 0;
        while (j + 2 < n && split_separator(&u[j + 1]) && u[j + 1].c == sep &&
               single_letter_at(u, j + 2, n)) {
            j += 2;
            count++;
            letters += u[j].cls == U_LETTER;
        }
        if (count >= 3 && letters >= 2) {
            for (size_t k = i; k <= j; k++) {
                if ((k - i) % 2) {
                    u[k].flags |= U_DELETED;
                    continue;
                }
                u[k].flags |= U_OBF;
                if (u[k].cls != U_LETTER) {
                    u[k].c = leet_letter(u[k].c);
                    u[k].cls = U_LETTER;
                }
            }
        }
        i = j + 1;
    }
}

/* Makes room for need bytes in every view array. */
void text_norm_view_reserve(struct text_norm *nm, size_t need) {
    if (need <= nm->p_cap) return;
    size_t cap = nm->p_cap;
    xgrow(&nm->p, &cap, need, 1);
    nm->p_start = xrealloc(nm->p_start, cap * sizeof *nm->p_start);
    nm->p_end = xrealloc(nm->p_end, cap * sizeof *nm->p_end);
    nm->n = xrealloc(nm->n, cap);
    nm->n_start = xrealloc(nm->n_start, cap * sizeof *nm->n_start);
    nm->n_end = xrealloc(nm->n_end, cap * sizeof *nm->n_end);
    nm->n_run = xrealloc(nm->n_run, cap);
    nm->n_flags = xrealloc(nm->n_flags, cap);
    nm->p_cap = nm->n_cap = cap;
}

/* Length of the run of identical ASCII letters starting at live unit i;
 * *last receives the index of its last unit. */
static size_t letter_run(const struct text_norm_unit *u, size_t i, size_t n, size_t *last) {
    size_t run = 1, j = i;
    *last = i;
    if (u[i].cls != U_LETTER || u[i].c >= 0x80) return 1;
    for (j = i + 1; j < n; j++) {
        if (u[j].flags & U_DELETED) continue;
        if (u[j].c != u[i].c || u[j].cls != U_LETTER) break;
        run++;
        *last = j;
    }
    return run;
}

/* One view being written.  The pointers are copied out of the struct
 * text_norm so that the compiler, which must assume a char store may
 * change any memory, need not reload them after every byte. */
struct view_out {
    char *restrict c;
    uint32_t *restrict start, *restrict end;
    size_t o;
};

static void view_put(struct view_out *v, char c, uint32_t start, uint32_t end) {
    v->c[v->o] = c;
    v->start[v->o] = start;
    v->end[v->o++] = end;
}

/* Builds both views in one pass over the live units; each letter run is
 * measured once and serves both. */
static void build_views(struct text_norm *nm) {
    const struct text_norm_unit *u = nm->units;
    size_t n = nm->n_units;
    struct view_out p = { nm->p, nm->p_start, nm->p_end, 0 };
    struct view_out w = { nm->n, nm->n_start, nm->n_end, 0 };
    uint8_t *restrict run_out = nm->n_run, *restrict flags_out = nm->n_flags;
    int has_mask = 0;
    for (size_t i = 0; i < n; i++) {
        if (u[i].flags & U_DELETED) continue;
        int cls = u[i].cls;
        size_t last;
        size_t run = letter_run(u, i, n, &last);
        /* pattern view: one space per run of spaces, emphasis of three or
         * more letters made one, everything else as it is */
        if (cls == U_SPACE) {
            if (p.o > 0 && p.c[p.o - 1] != ' ') view_put(&p, ' ', u[i].start, u[i].end);
        } else if (run >= 3) {
            view_put(&p, (char)u[i].c, u[i].start, u[last].end);
        } else {
            for (size_t k = i; k <= last; k++)
                if (!(u[k].flags & U_DELETED))
                    view_put(&p, cls == U_MASK ? '*' : (char)u[k].c, u[k].start, u[k].end);
        }
        /* lexicon view: letters, digits and masks, a run as one byte */
        if (cls != U_LETTER && cls != U_DIGIT && cls != U_MASK) {
            if (w.o > 0 && w.c[w.o - 1] != ' ') {
                run_out[w.o] = 1;
                flags_out[w.o] = 0;
                view_put(&w, ' ', u[i].start, u[i].end);
            }
            continue;
        }
        int flags = 0;
        for (size_t k = i; k <= last; k++)
            if (u[k].flags & U_OBF) flags |= TEXT_NORM_OBFUSCATED;
        if (cls == U_MASK) {
            flags |= TEXT_NORM_MASK;
            has_mask = 1;
        }
        run_out[w.o] = (uint8_t)(run > 255 ? 255 : run);
        flags_out[w.o] = (uint8_t)flags;
        view_put(&w, cls == U_MASK ? '*' : (char)u[i].c, u[i].start, u[last].end);
        i = last;
    }
    nm->p_len = text_norm_view_finish(p.c, p.o);
    nm->n_len = text_norm_view_finish(w.c, w.o);
    nm->n_has_mask = has_mask;
}

int text_norm_build_general(struct text_norm *nm, const char *text, size_t len,
                            size_t *bad_offset) {
    nm->n_units = 0;
    nm->p_len = nm->n_len = 0;
    nm->n_has_mask = 0;
    text_norm_view_reserve(nm, 1);
    nm->p[0] = nm->n[0] = '\0';
    if (len > UINT32_MAX) {
        *bad_offset = UINT32_MAX;
        return -1;
    }
    if (fold_text(nm, text, len, bad_offset) != 0) {
        nm->n_units = 0;
        return -1;
    }
    rewrite_tokens(nm);
    join_split_letters(nm);
    text_norm_view_reserve(nm, nm->n_units + 1);
    build_views(nm);
    return 0;
}

int text_norm_build(struct text_norm *nm, const char *text, size_t len, size_t *bad_offset) {
    if (len <= UINT32_MAX && text_norm_plain_build(nm, text, len) == 0) return 0;
    return text_norm_build_general(nm, text, len, bad_offset);
}

void text_norm_release(struct text_norm *nm) {
    if (!nm) return;
    free(nm->p);
    free(nm->p_start);
    free(nm->p_end);
    free(nm->n);
    free(nm->n_start);
    free(nm->n_end);
    free(nm->n_run);
    free(nm->n_flags);
    free(nm->units);
    free(nm->fold);
    free(nm->fold_start);
    free(nm->fold_obf);
    memset(nm, 0, sizeof *nm);
}

int text_norm_term(const char *term, char *out, uint8_t *runs, size_t outlen) {
    struct text_norm nm = { 0 };
    size_t bad;
    int rc = -1;
    if (text_norm_build(&nm, term, strlen(term), &bad) == 0 && nm.n_len < outlen) {
        memcpy(out, nm.n, nm.n_len + 1);
        memcpy(runs, nm.n_run, nm.n_len);
        rc = (int)nm.n_len;
    }
    text_norm_release(&nm);
    return rc;
}
