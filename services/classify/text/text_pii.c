/* text_pii: validated personal data scanners (see text_pii.h). */
#include "text_pii.h"
#include "text_block.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

#define PII_SCORE_VALIDATED 0.95 /* a check digit or checksum passed */
#define PII_SCORE_SHAPE     0.85 /* shape and context only */

/* ASCII tests without <ctype.h>'s per-call locale lookup: this file runs
 * on every byte of every comment, and only ASCII letters and digits make
 * up the shapes it looks for. */
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_alpha(unsigned char c) { return (unsigned char)((c | 0x20) - 'a') < 26; }
/* ASCII letters and digits (see text_pii.h). */
const unsigned char text_pii_alnum[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
    ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
    ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1,
    ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1,
    ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
    ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,
    ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};
static int is_alnum(unsigned char c) { return text_pii_alnum[c]; }
static int is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static int ascii_lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? c | 0x20 : c; }

/* ---- validators ---- */

/* Omocodia replaces digits with these letters when two people would share
 * a code; position i of "LMNPQRSTUV" stands for digit i. */
static int cf_digit_value(unsigned char c) {
    static const char omocodes[] = "LMNPQRSTUV";
    if (is_digit(c)) return c - '0';
    const char *p = strchr(omocodes, toupper(c));
    return p && *p ? (int)(p - omocodes) : -1;
}

/* The letters and digits of a codice fiscale where they belong, its month letter and
 * its day (women's plus 40): the shape, before any check character. */
static int cf_shape_ok(const char *s, size_t n) {
    static const int digit_pos[] = { 6, 7, 9, 10, 12, 13, 14 };
    if (n != 16) return 0;
    for (int i = 0; i < 16; i++) {
        unsigned char c = (unsigned char)s[i];
        int want_digit = 0;
        for (size_t k = 0; k < sizeof digit_pos / sizeof digit_pos[0]; k++)
            want_digit |= digit_pos[k] == i;
        if (want_digit ? cf_digit_value(c) < 0 : !is_alpha(c)) return 0;
    }
    if (!strchr("ABCDEHLMPRST", toupper((unsigned char)s[8]))) return 0;
    int day = cf_digit_value((unsigned char)s[9]) * 10 + cf_digit_value((unsigned char)s[10]);
    return (day >= 1 && day <= 31) || (day >= 41 && day <= 71);
}

int text_pii_cf_valid(const char *s, size_t n) {
    static const int odd[36] = { /* values of 0-9 then A-Z at odd positions */
                                 1,  0, 5, 7,  9,  13, 15, 17, 19, 21, 1,  0,
                                 5,  7, 9, 13, 15, 17, 19, 21, 2,  4,  18, 20,
                                 11, 3, 6, 8,  12, 14, 16, 10, 22, 25, 24, 23
    };
    if (!cf_shape_ok(s, n)) return 0;
    int sum = 0;
    for (int i = 0; i < 15; i++) {
        unsigned char c = (unsigned char)toupper((unsigned char)s[i]);
        int v = is_digit(c) ? c - '0' : c - 'A';
        int idx = is_digit(c) ? c - '0' : 10 + c - 'A';
        sum += i % 2 == 0 ? odd[idx] : v;
    }
    return toupper((unsigned char)s[15]) == 'A' + sum % 26;
}

int text_pii_piva_valid(const char *s, size_t n) {
    if (n != 11) return 0;
    int sum = 0;
    for (int i = 0; i < 11; i++) {
        if (!is_digit((unsigned char)s[i])) return 0;
        int d = s[i] - '0';
        if (i % 2 == 1) {
            d *= 2;
            if (d > 9) d -= 9;
        }
        sum += d;
    }
    /* The office code (digits 8-10) is 001-100, 120, 121, 888 or 999. */
    int office = (s[7] - '0') * 100 + (s[8] - '0') * 10 + (s[9] - '0');
    if (!((office >= 1 && office <= 100) || office == 120 || office == 121 || office == 888 ||
          office == 999))
        return 0;
    return sum % 10 == 0;
}

static int iban_country_length(const char *cc) {
    static const struct {
        char cc[3];
        int len;
    } t[] = {
        { "IT", 27 }, { "SM", 27 }, { "VA", 22 }, { "DE", 22 }, { "FR", 27 }, { "ES", 24 },
        { "GB", 22 }, { "CH", 21 }, { "AT", 20 }, { "BE", 16 }, { "NL", 18 }, { "PT", 25 },
        { "MC", 27 }, { "LU", 20 }, { "IE", 22 }, { "RO", 24 }, { "AL", 28 }, { "MT", 31 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (toupper((unsigned char)cc[0]) == t[i].cc[0] &&
            toupper((unsigned char)cc[1]) == t[i].cc[1])
            return t[i].len;
    return 0;
}

int text_pii_iban_valid(const char *s, size_t n) {
    if (n < 15 || n > 34 || (size_t)iban_country_length(s) != n) return 0;
    if (!is_digit((unsigned char)s[2]) || !is_digit((unsigned char)s[3])) return 0;
    unsigned rem = 0;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)toupper((unsigned char)s[(k + 4) % n]);
        if (is_digit(c))
            rem = (rem * 10 + (unsigned)(c - '0')) % 97;
        else if (c >= 'A' && c <= 'Z')
            rem = (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
        else
            return 0;
    }
    return rem == 1;
}

/* ---- context ---- */

int text_pii_window_has(const char *text, size_t lo, size_t hi, const char *const *words) {
    /* One pass over the window, each byte tested against the words' first
     * letters; the words starting with it are then compared.  (The answer
     * does not depend on the order the words and positions are tried in.) */
    uint8_t firsts[32] = { 0 };
    for (const char *const *w = words; *w; w++) {
        unsigned char f = (unsigned char)ascii_lower((unsigned char)**w);
        firsts[f >> 3] |= (uint8_t)(1u << (f & 7));
    }
    for (size_t i = lo; i < hi; i++) {
        unsigned char c = (unsigned char)ascii_lower((unsigned char)text[i]);
        if (!(firsts[c >> 3] & (1u << (c & 7)))) continue;
        for (const char *const *w = words; *w; w++) {
            size_t wl;
            if (ascii_lower((unsigned char)**w) == c && i + (wl = strlen(*w)) <= hi &&
                strncasecmp(text + i, *w, wl) == 0)
                return 1;
        }
    }
    return 0;
}

static size_t before(size_t i, size_t n) { return i > n ? i - n : 0; }

/* ---- scanners: each returns the end of its finding, or 0; *score holds the table's
 * score for a finding and is lowered by a scanner that found only the shape ---- */

/* A codice fiscale with its check character, or one whose check character is wrong
 * (mistyped, or made up to show the shape) named as one just before it: still someone's
 * personal data, from its shape alone. */
static size_t scan_cf(const char *t, size_t len, size_t i, double *score) {
    static const char *const ctx[] = {
        "codice fiscale", "cod. fisc", "cod fisc", "c.f.", "cf", NULL
    };
    size_t j = i;
    while (j < len && is_alnum((unsigned char)t[j])) j++;
    if (j - i != 16) return 0;
    if (text_pii_cf_valid(t + i, 16)) return j;
    if (!cf_shape_ok(t + i, 16) || !text_pii_window_has(t, before(i, 40), i, ctx)) return 0;
    *score = PII_SCORE_SHAPE;
    return j;
}

/* Collects an IBAN's alphanumerics from i into buf (35 bytes), allowing single spaces
 * between groups as IBANs are usually printed; returns where the kept part ends, or 0
 * when it has not its country's length. */
static size_t iban_collect(const char *t, size_t len, size_t i, char *buf, size_t *n_out) {
    size_t n = 0, j = i, end = 0;
    if (i + 4 > len || !is_digit((unsigned char)t[i + 2]) || !is_digit((unsigned char)t[i + 3]))
        return 0;
    int want = iban_country_length(t + i);
    if (!want) return 0;
    while (j < len && n < (size_t)want) {
        unsigned char c = (unsigned char)t[j];
        if (is_alnum(c)) {
            buf[n++] = (char)c;
            end = ++j;
        } else if (c == ' ' && j + 1 < len && is_alnum((unsigned char)t[j + 1]) && n > 0) {
            j++;
        } else {
            break;
        }
    }
    if (n != (size_t)want || (end < len && is_alnum((unsigned char)t[end]))) return 0;
    *n_out = n;
    return end;
}

/* An IBAN with its check digits, or one of the right length whose check digits fail,
 * named as one just before it (from its shape alone). */
static size_t scan_iban(const char *t, size_t len, size_t i, double *score) {
    static const char *const ctx[] = { "iban", "conto", "bonifico", "c/c", "coordinate", NULL };
    char buf[35];
    size_t n, end = iban_collect(t, len, i, buf, &n);
    if (!end || text_pii_iban_valid(buf, n)) return end;
    if (!text_pii_window_has(t, before(i, 60), i, ctx)) return 0;
    *score = PII_SCORE_SHAPE;
    return end;
}

static int plate_letter(unsigned char c) {
    c = (unsigned char)toupper(c);
    return c >= 'A' && c <= 'Z' && !strchr("IOQU", c);
}

static size_t scan_plate(const char *t, size_t len, size_t i, double *score) {
    (void)score; /* a finding of this shape has the table's score */
    size_t j = i;
    if (j + 7 > len || !plate_letter((unsigned char)t[j]) || !plate_letter((unsigned char)t[j + 1]))
        return 0;
    j += 2;
    if (j < len && t[j] == ' ') j++;
    for (int k = 0; k < 3; k++, j++)
        if (j >= len || !is_digit((unsigned char)t[j])) return 0;
    if (j < len && t[j] == ' ') j++;
    if (j + 2 > len || !plate_letter((unsigned char)t[j]) || !plate_letter((unsigned char)t[j + 1]))
        return 0;
    j += 2;
    /* Plates are written in capitals; a lower-case "ab123cd" is more
     * likely a code of some other kind. */
    if (!is_upper((unsigned char)t[i]) || (j < len && is_alnum((unsigned char)t[j]))) return 0;
    return j;
}

static size_t scan_identity_card(const char *t, size_t len, size_t i, double *score) {
    (void)score; /* a finding of this shape has the table's score */
    static const char *const ctx[] = { "carta d'identit",
                                       "carta di identit",
                                       "carta d\xe2\x80\x99identit",
                                       "cie",
                                       "c.i.",
                                       "documento",
                                       "carta identit",
                                       NULL };
    size_t j = i + 2, digits = 0;
    if (i + 9 > len || !is_upper((unsigned char)t[i]) || !is_upper((unsigned char)t[i + 1]))
        return 0;
    while (j < len && is_digit((unsigned char)t[j]) && digits < 8) {
        j++;
        digits++;
    }
    if (digits == 5 && j + 2 <= len && is_upper((unsigned char)t[j]) &&
        is_upper((unsigned char)t[j + 1]))
        j += 2;           /* CIE: AA 00000 AA */
    else if (digits != 7) /* paper card: AA 0000000 */
        return 0;
    if (j < len && is_alnum((unsigned char)t[j])) return 0;
    return text_pii_window_has(t, before(i, 60), i, ctx) ? j : 0;
}

static size_t scan_piva(const char *t, size_t len, size_t i, double *score) {
    (void)score; /* a finding of this shape has the table's score */
    static const char *const ctx[] = { "iva", "partita", "vat", NULL };
    size_t j = i;
    while (j < len && is_digit((unsigned char)t[j])) j++;
    if (j - i != 11 || (j < len && is_alnum((unsigned char)t[j]))) return 0;
    return text_pii_piva_valid(t + i, 11) && text_pii_window_has(t, before(i, 40), i, ctx) ? j : 0;
}

struct phone {
    char digits[24];
    size_t n;
    int groups[12];
    int n_groups;
    char sep; /* the separator used, or 0 */
};

/* Reads digit groups separated by single spaces, dots or dashes. */
static size_t phone_read(const char *t, size_t len, size_t j, struct phone *ph) {
    size_t end = j;
    while (j < len && ph->n_groups < 12) {
        int g = 0;
        while (j < len && is_digit((unsigned char)t[j]) && ph->n < sizeof ph->digits - 1) {
            ph->digits[ph->n++] = t[j++];
            g++;
        }
        if (!g) break;
        ph->groups[ph->n_groups++] = g;
        end = j;
        if (j + 1 < len && (t[j] == ' ' || t[j] == '.' || t[j] == '-') &&
            is_digit((unsigned char)t[j + 1])) {
            if (ph->sep && ph->sep != t[j]) break;
            ph->sep = t[j++];
        } else {
            break;
        }
    }
    return end;
}

/* Amounts and dates share the shape of phone numbers: "350.000.000",
 * "01.02.2024", "1.500 euro". */
static int phone_looks_like_number(const struct phone *ph, const char *t, size_t len, size_t end) {
    static const char *const units[] = { "euro", "\xe2\x82\xac", "mila",     "milion",  "km",
                                         "%",    "metri",        "abitanti", "persone", NULL };
    if (ph->sep == '.' && ph->n_groups > 1) {
        int thousands = 1;
        for (int g = 1; g < ph->n_groups; g++) thousands &= ph->groups[g] == 3;
        if (thousands) return 1;
    }
    if (ph->sep && ph->sep != ' ' && ph->n_groups == 3 && ph->groups[0] <= 2 && ph->groups[1] <= 2)
        return 1;
    return text_pii_window_has(t, end, end + 10 < len ? end + 10 : len, units);
}

/* A number introduced as an office's, a public service's or a business's is not personal:
 * it is published to be called. */
static int phone_institutional(const char *t, size_t i) {
    static const char *const ctx[] = {
        "urp",        "ufficio",      "uffici",        "biblioteca",     "comune",
        "centralino", "sportello",    "polizia",       "carabinieri",    "chiamaci",
        "chiamateci", "prenotazioni", "segreteria",    "numero verde",   "protezione civile",
        "farmacia",   "ambulatorio",  "ospedale",      "guardia medica", "pronto soccorso",
        "scuola",     "parrocchia",   "pro loco",      "associazione",   "negozio",
        "ristorante", "pizzeria",     "ditta",         "impresa",        "agenzia",
        "albergo",    "hotel",        "studio medico", "studio legale",  NULL
    };
    return text_pii_window_has(t, before(i, 40), i, ctx);
}

static size_t scan_phone(const char *t, size_t len, size_t i, double *score) {
    (void)score; /* a finding of this shape has the table's score */
    struct phone ph = { 0 };
    size_t j = i;
    int intl = 0;
    if (t[j] == '+' && j + 3 < len && t[j + 1] == '3' && t[j + 2] == '9') {
        j += 3;
        intl = 1;
    } else if (j + 4 < len && strncmp(t + j, "0039", 4) == 0) {
        j += 4;
        intl = 1;
    }
    if (intl && j < len && (t[j] == ' ' || t[j] == '.' || t[j] == '-')) j++;
    if (j >= len || !is_digit((unsigned char)t[j])) return 0;
    size_t end = phone_read(t, len, j, &ph);
    if (end < len && is_alnum((unsigned char)t[end])) return 0;
    const char *d = ph.digits;
    int mobile = d[0] == '3' && d[1] >= '1' && d[1] <= '9' && ph.n >= 9 && ph.n <= 10;
    int landline = d[0] == '0' && ph.n >= (intl ? 6u : 8u) && ph.n <= 11;
    if (!mobile && !landline) return 0;
    return phone_looks_like_number(&ph, t, len, end) || phone_institutional(t, i) ? 0 : end;
}

static int email_local(unsigned char c) {
    return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

/* Finds the address around the '@' at a; institutional mailboxes (the
 * municipality's own offices) are not personal data. */
static int scan_email(const char *t, size_t len, size_t a, size_t *s, size_t *e) {
    static const char *const institutional[] = { "comune.",    ".gov.it", "regione.",
                                                 "provincia.", "pec.",    NULL };
    size_t i = a, j = a + 1, last_dot = 0;
    while (i > 0 && email_local((unsigned char)t[i - 1])) i--;
    while (j < len && (is_alnum((unsigned char)t[j]) || t[j] == '-' ||
                       (t[j] == '.' && j + 1 < len && is_alnum((unsigned char)t[j + 1])))) {
        if (t[j] == '.') last_dot = j;
        j++;
    }
    if (i == a || !last_dot || j - last_dot < 3) return 0;
    for (size_t k = last_dot + 1; k < j; k++)
        if (!is_alpha((unsigned char)t[k])) return 0;
    if (text_pii_window_has(t, a + 1, j, institutional)) return 0;
    *s = i;
    *e = j;
    return 1;
}

/* The word-start scanners, in the order they are tried: the validated
 * shapes first, so a codice fiscale is never read as a plate. */
struct pii_scanner {
    size_t (*scan)(const char *t, size_t len, size_t i, double *score);
    int at_letter; /* tried at a letter (else at a digit or '+') */
    const char *rule, *type;
    double score;
};

static const struct pii_scanner scanners[] = {
    { scan_cf, 1, "pii.codice_fiscale", "codice_fiscale", PII_SCORE_VALIDATED },
    { scan_iban, 1, "pii.iban", "iban", PII_SCORE_VALIDATED },
    { scan_identity_card, 1, "pii.documento", "documento", PII_SCORE_SHAPE },
    { scan_plate, 1, "pii.targa", "targa", PII_SCORE_SHAPE },
    { scan_piva, 0, "pii.partita_iva", "partita_iva", PII_SCORE_VALIDATED },
    { scan_phone, 0, "pii.telefono", "telefono", PII_SCORE_SHAPE },
};

static void pii_add(struct text_sink *sink, const char *rule, const char *type, double score,
                    size_t s, size_t e) {
    text_result_add(sink, TEXT_CAT_PERSONAL_DATA, rule, score, TEXT_SEV_MEDIUM, type, s, e);
}

/* Tries each scanner at word start i, where letter says whether t[i] is a
 * letter; returns the end of a finding or 0.  Kept out of line, so that the
 * scan loop keeps its few values in registers (inlined, the scanners' made
 * the compiler spill them). */
__attribute__((noinline)) static size_t scan_at(const char *t, size_t len, size_t i, int letter,
                                                struct text_sink *sink) {
    for (size_t k = 0; k < sizeof scanners / sizeof scanners[0]; k++) {
        const struct pii_scanner *sc = &scanners[k];
        size_t e;
        double score = sc->score;
        if (sc->at_letter != letter || !(e = sc->scan(t, len, i, &score))) continue;
        pii_add(sink, sc->rule, sc->type, score, i, e);
        return e;
    }
    return 0;
}

/* Classes of a block that the candidates are made from. */
struct pii_block {
    uint64_t alnum, digit, plus, at;
};

static void pii_block_at(struct pii_block *m, const char *t, size_t len, size_t at) {
    struct text_block b;
    text_block_at(&b, t, len, at);
    m->digit = text_block_mask(&b, 0, '0', '9');
    m->alnum = m->digit | text_block_mask(&b, 0x20, 'a', 'z');
    m->plus = text_block_mask(&b, 0, '+', '+');
    m->at = text_block_mask(&b, 0, '@', '@');
}

/* The positions of block m that the scan loop below must visit (next is
 * the block after it, prev_alnum whether the byte before it is a letter or
 * digit): every '@', and every word start (a letter, digit or '+' after
 * anything else) but those of words that cannot be any of the
 * letter-started shapes.  A codice fiscale is 16 alphanumerics, and IBANs,
 * identity cards and plates have a digit third or fourth ("IT60",
 * "CA12345AB", "AB 123 CD"); ordinary words fail both tests, which spares
 * the scanners on almost every word. */
static uint64_t pii_candidates(const struct pii_block *m, const struct pii_block *next,
                               uint64_t prev_alnum) {
    uint64_t start = (m->alnum | m->plus) & ~(m->alnum << 1 | prev_alnum);
    uint64_t digit_on = m->digit >> 2 | next->digit << 62 | m->digit >> 3 | next->digit << 61;
    /* bit j of run: bytes j..j+15 are all alphanumerics */
    unsigned __int128 a = (unsigned __int128)next->alnum << 64 | m->alnum, run = a & a >> 1;
    run &= run >> 2;
    run &= run >> 4;
    run &= run >> 8;
    uint64_t word16 = (uint64_t)(run & ~(a >> 16));
    uint64_t letter = m->alnum & ~m->digit;
    return (start & (~letter | digit_on | word16)) | m->at;
}

void text_pii_scan(const char *text, size_t len, struct text_sink *sink) {
    /* The same positions, in the same order, as a walk of every byte that
     * skips the rest of each word: a finding still skips to its end, and
     * an e-mail address's word starts are still not tried. */
    size_t email_end = 0, resume = 0;
    struct pii_block m, next;
    uint64_t prev_alnum = 0;
    pii_block_at(&m, text, len, 0);
    for (size_t base = 0; base < len; base += TEXT_BLOCK) {
        pii_block_at(&next, text, len, base + TEXT_BLOCK);
        uint64_t cand = pii_candidates(&m, &next, prev_alnum);
        prev_alnum = m.alnum >> 63;
        m = next;
        for (; cand; cand &= cand - 1) {
            size_t i = base + (size_t)__builtin_ctzll(cand), s, e;
            if (i < resume || i < email_end) continue;
            if (text[i] != '@') {
                size_t found = scan_at(text, len, i, is_alpha((unsigned char)text[i]), sink);
                if (found) resume = found;
            } else if (scan_email(text, len, i, &s, &e)) {
                pii_add(sink, "pii.email", "email", PII_SCORE_SHAPE, s, e);
                email_end = e;
            }
        }
    }
}
