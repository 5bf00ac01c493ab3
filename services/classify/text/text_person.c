/* text_person: addresses and health data next to a person (see text_person.h). */
#include "text_person.h"
#include "text_block.h"
#include "text_pii.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#define PERSON_WINDOW 100

/* Capitalized words that start names of places, bodies, businesses, feasts
 * and greetings rather than of people ("Pizzeria Vesuvio, via Roma 22" is a
 * shop's address, not a person's). */
static const char *const not_names[] = {
    "Via",          "Viale",       "Piazza",       "Piazzale",    "Corso",      "Largo",
    "Vicolo",       "Strada",      "Contrada",     "Comune",      "Sindaco",    "Sindaca",
    "Assessore",    "Polizia",     "Locale",       "Municipale",  "San",        "Santa",
    "Santo",        "Madonna",     "Dio",          "Gesù",        "Buon",       "Buona",
    "Buongiorno",   "Buonasera",   "Salve",        "Gentile",     "Gentili",    "Caro",
    "Cara",         "Egregio",     "Grazie",       "Natale",      "Pasqua",     "Città",
    "Ufficio",      "Servizi",     "Sociali",      "Ospedale",    "Croce",      "Rossa",
    "Vigili",       "Fuoco",       "Carabinieri",  "Stato",       "Italia",     "Regione",
    "Provincia",    "Biblioteca",  "Consiglio",    "Giunta",      "Asl",        "Inps",
    "Agenzia",      "Entrate",     "Protezione",   "Civile",      "Pronto",     "Soccorso",
    "Lecce",        "Arese",       "Tradate",      "Alessandria", "Cassino",    "Milano",
    "Roma",         "Torino",      "Napoli",       "Festa",       "Repubblica", "Scuola",
    "Liceo",        "Istituto",    "Parco",        "Centro",      "Il",         "La",
    "Lo",           "Le",          "Gli",          "Un",          "Una",        "Ma",
    "Ciao",         "Ieri",        "Oggi",         "Domani",      "Lunedì",     "Martedì",
    "Pizzeria",     "Ristorante",  "Trattoria",    "Osteria",     "Bar",        "Pasticceria",
    "Gelateria",    "Panificio",   "Forno",        "Macelleria",  "Farmacia",   "Negozio",
    "Ditta",        "Impresa",     "Studio",       "Hotel",       "Albergo",    "Agriturismo",
    "Officina",     "Autofficina", "Palestra",     "Salone",      "Edicola",    "Tabaccheria",
    "Supermercato", "Ferramenta",  "Associazione", "Parrocchia",  "Chiesa",     "Stazione",
    "Mercato",      "Teatro",      "Museo",        "Cinema",      "Stadio",     NULL
};

/* Inline ASCII test: <ctype.h> costs a call per byte on this path, which
 * visits every byte of a comment with a digit. */
static int ascii_alnum(unsigned char c) { return text_pii_alnum[c]; }

static int word_is(const char *w, size_t n, const char *const *list) {
    for (const char *const *p = list; *p; p++)
        if (strlen(*p) == n && strncmp(*p, w, n) == 0) return 1;
    return 0;
}

/* Length of the capitalized word at i (an upper-case ASCII letter then at
 * least two lower-case letters, accented ones included), or 0. */
static size_t cap_word(const char *t, size_t hi, size_t i) {
    if (i >= hi || !isupper((unsigned char)t[i])) return 0;
    size_t j = i + 1;
    while (j < hi && (islower((unsigned char)t[j]) || (unsigned char)t[j] >= 0x80 || t[j] == '\''))
        j++;
    if (j - i < 3 || (j < hi && isalnum((unsigned char)t[j]))) return 0;
    return j - i;
}

int text_person_named(const char *t, size_t lo, size_t hi) {
    static const char *const titles[] = { "signor ", "signora ", "sig. ",       "sig.ra ",
                                          "dott. ",  "dottor ",  "dottoressa ", NULL };
    for (size_t i = lo; i < hi; i++) {
        if (i > lo && isalnum((unsigned char)t[i - 1])) continue;
        int first = t[i] | 0x20; /* every title starts with s or d */
        for (const char *const *tt = titles; (first == 's' || first == 'd') && *tt; tt++) {
            size_t tl = strlen(*tt);
            if (i + tl < hi && strncasecmp(t + i, *tt, tl) == 0 && cap_word(t, hi, i + tl))
                return 1;
        }
        size_t a = cap_word(t, hi, i);
        if (!a || word_is(t + i, a, not_names)) continue;
        size_t j = i + a;
        if (j < hi && t[j] == ' ') {
            size_t b = cap_word(t, hi, j + 1);
            if (b && !word_is(t + j + 1, b, not_names)) return 1;
        }
    }
    return 0;
}

/* Sentence around [s, e): up to PERSON_WINDOW bytes each side, stopping at
 * '.', '!', '?' or a newline that ends a sentence. */
static void sentence_bounds(const char *t, size_t len, size_t s, size_t e, size_t *lo, size_t *hi) {
    size_t a = s, b = e;
    while (a > 0 && s - a < PERSON_WINDOW && !strchr("!?\n", t[a - 1]) &&
           !(t[a - 1] == '.' && a < len && t[a] == ' '))
        a--;
    while (b < len && b - e < PERSON_WINDOW && !strchr("!?\n", t[b]) &&
           !(t[b] == '.' && (b + 1 == len || t[b + 1] == ' ')))
        b++;
    *lo = a;
    *hi = b;
}

static const char *const street_words[] = { "via ",   "viale ",  "piazza ", "piazzale ", "corso ",
                                            "largo ", "vicolo ", "strada ", "contrada ", NULL };

/* Matches "via Xxx [Yyy...] [,] 12[a]" at i; returns its end or 0. */
static size_t address_at(const char *t, size_t len, size_t i) {
    size_t j = 0;
    for (const char *const *w = street_words; *w; w++) {
        /* the first two letters before any call: most words that start
         * like a street word ("che", "per") differ at once */
        if ((t[i] | 0x20) != (*w)[0] || i + 1 >= len || (t[i + 1] | 0x20) != (*w)[1]) continue;
        size_t wl = strlen(*w);
        if (i + wl <= len && strncasecmp(t + i, *w, wl) == 0) {
            j = i + wl;
            break;
        }
    }
    if (!j) return 0;
    int words = 0;
    while (words < 4 && j < len &&
           (isupper((unsigned char)t[j]) || (words && isalpha((unsigned char)t[j])))) {
        while (j < len && (isalpha((unsigned char)t[j]) || (unsigned char)t[j] >= 0x80 ||
                           t[j] == '\'' || t[j] == '.'))
            j++;
        words++;
        if (j < len && t[j] == ',') j++;
        if (j < len && t[j] == ' ') j++;
        if (j < len && isdigit((unsigned char)t[j])) break;
    }
    if (!words || j >= len || !isdigit((unsigned char)t[j])) return 0;
    size_t d = j;
    while (j < len && isdigit((unsigned char)t[j]) && j - d < 4) j++;
    if (j < len && isalpha((unsigned char)t[j]) &&
        (j + 1 == len || !isalnum((unsigned char)t[j + 1])))
        j++;
    return j < len && isalnum((unsigned char)t[j]) ? 0 : j;
}

/* Whether t[0..len) holds an ASCII digit; eight bytes at a time, with the
 * "has a byte between" test of Bit Twiddling Hacks (exact for these
 * bounds: no byte is missed, none is taken by mistake). */
static int has_digit(const char *t, size_t len) {
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x, low7;
        memcpy(&x, t + i, sizeof x);
        low7 = x & (ones * 127);
        if (((ones * (127 + '9' + 1) - low7) & ~x & (low7 + ones * (127 - ('0' - 1)))) & high)
            return 1;
    }
    for (; i < len; i++)
        if ((unsigned char)(t[i] - '0') <= 9) return 1;
    return 0;
}

/* The word starts of block b that may start a street word (prev_alnum:
 * whether the byte before the block is a letter or digit): a letter after
 * anything but a letter or digit, whose first two letters, either case,
 * are those of a street word ("vi", "pi", "co", "la", "st"); address_at
 * decides.  At the block's last byte the second letter is not looked at.
 * The walk visits these alone: on varied text, testing every word start
 * mispredicted a branch or two a word. */
static uint64_t address_candidates(const struct text_block *b, uint64_t prev_alnum) {
    static const char pairs[][2] = { "vi", "pi", "co", "la", "st" };
    uint64_t alnum = text_block_alnum(b), may = 0;
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        uint64_t second =
            text_block_mask(b, 0x20, (unsigned char)pairs[k][1], (unsigned char)pairs[k][1]);
        may |= text_block_mask(b, 0x20, (unsigned char)pairs[k][0], (unsigned char)pairs[k][0]) &
               (second >> 1 | 1ULL << 63);
    }
    return may & ~(alnum << 1 | prev_alnum);
}

static void scan_addresses(const char *t, size_t len, struct text_sink *sink) {
    static const char *const residence[] = { "abita",     "abito",       "vive ",      "vivono",
                                             "risiede",   "residente",   "domiciliat", "casa sua",
                                             "a casa di", "sta di casa", NULL };
    /* An address here has a house number: no digit, no address. */
    if (!has_digit(t, len)) return;
    size_t resume = 0; /* the end of the last address, plus one */
    uint64_t prev_alnum = 0;
    for (size_t base = 0; base < len; base += TEXT_BLOCK) {
        struct text_block b;
        text_block_at(&b, t, len, base);
        uint64_t cand = address_candidates(&b, prev_alnum);
        prev_alnum = (uint64_t)ascii_alnum(b.p[TEXT_BLOCK - 1]);
        for (; cand; cand &= cand - 1) {
            size_t i = base + (size_t)__builtin_ctzll(cand), e;
            if (i < resume || !(e = address_at(t, len, i))) continue;
            size_t lo, hi;
            sentence_bounds(t, len, i, e, &lo, &hi);
            if (text_pii_window_has(t, lo, hi, residence) || text_person_named(t, lo, i) ||
                text_person_named(t, e, hi))
                text_result_add(sink, TEXT_CAT_PERSONAL_DATA, "pii.indirizzo", 0.85,
                                TEXT_SEV_MEDIUM, "indirizzo", i, e);
            resume = e + 1;
        }
    }
}

static void scan_health(const char *t, size_t len, const struct text_vocab_hits *vocab,
                        struct text_sink *sink) {
    unsigned n = vocab->count[TEXT_VOCAB_HEALTH];
    for (unsigned k = 0; k < n && k < TEXT_VOCAB_MAX_POS; k++) {
        struct text_span sp = vocab->span[TEXT_VOCAB_HEALTH][k];
        size_t lo, hi;
        sentence_bounds(t, len, sp.start, sp.end, &lo, &hi);
        if (text_person_named(t, lo, hi))
            text_result_add(sink, TEXT_CAT_PERSONAL_DATA, "pii.salute", 0.8, TEXT_SEV_HIGH,
                            "salute", sp.start, sp.end);
    }
}

void text_person_scan(const char *text, size_t len, const struct text_vocab_hits *vocab,
                      struct text_sink *sink) {
    scan_addresses(text, len, sink);
    scan_health(text, len, vocab, sink);
}
