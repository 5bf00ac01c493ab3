/* text_quote: abuse quoted by the one it was aimed at (see text_quote.h). */
#include "text_quote.h"
#include "text_block.h"

#include <assert.h>
#include <ctype.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

/* How far before the opening quote the reporting phrase may end: ", sul
 * gruppo," and the like fit; a phrase two sentences back does not. */
#define QUOTE_PHRASE_GAP 24
/* The longest quotation looked at. */
#define QUOTE_MAX_LEN 240

/* First-person reports of what someone said to the author.  Lower case; the
 * text is compared without regard to ASCII case. */
static const char *const reporting[] = {
    "mi ha scritto",
    "mi hanno scritto",
    "mi ha detto",
    "mi hanno detto",
    "mi ha urlato",
    "mi hanno urlato",
    "mi ha gridato",
    "mi hanno gridato",
    "mi ha chiamato",
    "mi hanno chiamato",
    "mi ha chiamata",
    "mi hanno chiamata",
    "mi ha dato del",
    "mi hanno dato del",
    "mi ha dato della",
    "mi hanno dato della",
    "ci ha chiamato",
    "ci hanno chiamato",
    "ci ha urlato",
    "ci hanno urlato",
    "ci ha scritto",
    "ci hanno scritto",
    "mi sono sentito dire",
    "mi sono sentita dire",
    "mi ha insultato dicendo",
    "mi hanno insultato dicendo",
};

/* Frames that quote hateful words to condemn or deny them ("chi dice che i
 * rom sono animali e un ignorante", "non e vero che ...", "frasi come ...").
 * Lower case, with and without accents, as written in the original text. */
static const char *const countering[] = {
    "chi dice che",
    "chi scrive che",
    "chi pensa che",
    "chi crede che",
    "chi sostiene che",
    "chi afferma che",
    "chi dice ",
    "chi scrive ",
    "chi urla ",
    "chi chiama ",
    "chi definisce ",
    "chi paragona ",
    "chi tratta ",
    "chi li chiama ",
    "chi le chiama ",
    "chi ci chiama ",
    "chi augura ",
    "chi minaccia ",
    "dire che",
    "scrivere che",
    "sostenere che",
    "pensare che",
    "non \xc3\xa8 vero che",
    "non e vero che",
    "non \xc3\xa8 vero",
    "non e vero",
    "\xc3\xa8 falso che",
    "e falso che",
    "smettetela di dire",
    "smettila di dire",
    "basta dire che",
    "basta con ",
    "vergogna a chi",
    "vergogna per chi",
    "vergognatevi voi che",
    "non si pu\xc3\xb2 dire",
    "non si puo dire",
    "razzista dire",
    "vergognoso dire",
    "vergognoso scrivere",
    "inaccettabile dire",
    "sentir dire che",
    "sentire che",
    "leggere che",
    "frasi come",
    "commenti come",
    "parole come",
    "scritte come",
    "insulti come",
};

/* Words after the quoted claim that make it the author's again ("chi dice
 * che ... ha ragione"). */
static const char *const endorsing[] = {
    "ha ragione",    "hanno ragione",  "dice il vero",    "dice la verit",
    "ha detto bene", "dicono il vero", "dicono la verit",
};

/* Condemnation right after a quotation ("'...' \xc3\xa8 razzismo"). */
static const char *const condemning[] = {
    "\xc3\xa8 razzismo", "e razzismo",
    "\xc3\xa8 odio",     "\xc3\xa8 vergognoso",
    "e vergognoso",      "\xc3\xa8 inaccettabile",
    "e inaccettabile",   "\xc3\xa8 una vergogna",
    "e una vergogna",    "\xc3\xa8 un reato",
    "e un reato",        "non si pu\xc3\xb2",
    "non si puo",        "non si deve",
    "sono parole d",     "va denunciat",
    "vanno denunciat",   "vergogna",
    "fa schifo",         "fanno schifo",
    "che schifo",        "\xc3\xa8 intollerabile",
    "e intollerabile",
};

#define ARRAY_LEN(a) (sizeof a / sizeof a[0])

/* How far back a counter-speech frame may start in the label's sentence. */
#define COUNTER_MAX_GAP 160

static int is_abuse(enum text_category c) {
    return c == TEXT_CAT_INSULT || c == TEXT_CAT_PROFANITY || c == TEXT_CAT_HATE_SPEECH ||
           c == TEXT_CAT_THREAT;
}

/* The closing byte sequence for an opening quote at t[i], or NULL. */
static const char *closing_quote(const char *t, size_t len, size_t i, size_t *open_len) {
    static const struct {
        const char *open, *close;
    } pairs[] = {
        { "'", "'" },
        { "\"", "\"" },
        { "\xc2\xab", "\xc2\xbb" }, /* « » */
        { "\xe2\x80\x9c", "\xe2\x80\x9d" },
        { "\xe2\x80\x98", "\xe2\x80\x99" },
    };
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        size_t n = strlen(pairs[k].open);
        if (i + n <= len && memcmp(t + i, pairs[k].open, n) == 0) {
            *open_len = n;
            return pairs[k].close;
        }
    }
    return NULL;
}

/* A list of phrases indexed by first byte, so that a word start is
 * compared only with the phrases that begin with its letter: the quote
 * checks run over every word of a sentence with a hate label. */
struct phrase_set {
    const char *const *phrases;
    size_t n;
    unsigned char order[64]; /* phrase indexes sorted by first byte */
    unsigned char from[257]; /* order[from[c] .. from[c + 1]) start with c */
    unsigned char len[64];   /* strlen of each phrase */
};

static struct phrase_set reporting_set = { reporting, ARRAY_LEN(reporting), { 0 }, { 0 }, { 0 } };
static struct phrase_set countering_set = {
    countering, ARRAY_LEN(countering), { 0 }, { 0 }, { 0 }
};
static struct phrase_set endorsing_set = { endorsing, ARRAY_LEN(endorsing), { 0 }, { 0 }, { 0 } };
static struct phrase_set condemning_set = {
    condemning, ARRAY_LEN(condemning), { 0 }, { 0 }, { 0 }
};
static pthread_once_t phrase_sets_once = PTHREAD_ONCE_INIT;

static void phrase_set_index(struct phrase_set *ps) {
    size_t k = 0;
    assert(ps->n <= sizeof ps->order);
    for (size_t i = 0; i < ps->n; i++) ps->len[i] = (unsigned char)strlen(ps->phrases[i]);
    for (unsigned c = 0; c < 256; c++) {
        ps->from[c] = (unsigned char)k;
        for (size_t i = 0; i < ps->n; i++)
            if ((unsigned char)ps->phrases[i][0] == c) ps->order[k++] = (unsigned char)i;
    }
    ps->from[256] = (unsigned char)k;
}

static void phrase_sets_index(void) {
    phrase_set_index(&reporting_set);
    phrase_set_index(&countering_set);
    phrase_set_index(&endorsing_set);
    phrase_set_index(&condemning_set);
}

/* Whether a phrase of ps starts at a word start in t[lo, end) and ends by
 * end.  Phrases are lower case; the text is compared without regard to
 * ASCII case. */
static int phrase_in(const char *t, size_t lo, size_t end, const struct phrase_set *ps) {
    for (size_t at = lo; at < end; at++) {
        if (at > 0 && t[at - 1] != ' ' && t[at - 1] != '"' && t[at - 1] != '\'')
            continue; /* phrases start words */
        int c = tolower((unsigned char)t[at]);
        for (unsigned k = ps->from[c]; k < ps->from[c + 1]; k++) {
            const char *ph = ps->phrases[ps->order[k]];
            size_t pn = ps->len[ps->order[k]];
            if (at + pn <= end && strncasecmp(t + at, ph, pn) == 0) return 1;
        }
    }
    return 0;
}

/* Whether a reporting phrase ends at or before end, searched back
 * QUOTE_PHRASE_GAP bytes. */
static int reported_before(const char *t, size_t end) {
    size_t lo = end > QUOTE_PHRASE_GAP ? end - QUOTE_PHRASE_GAP : 0;
    return phrase_in(t, lo, end, &reporting_set);
}

/* Whether a reporting phrase ends right before at, only spaces, colons
 * and commas between ("mi ha detto: ti ammazzo"). */
static int reported_right_before(const char *t, size_t at) {
    size_t end = at;
    while (end > 0 && at - end < 3 && (t[end - 1] == ' ' || t[end - 1] == ':' || t[end - 1] == ','))
        end--;
    for (size_t k = 0; k < reporting_set.n; k++) {
        size_t n = reporting_set.len[k];
        if (end >= n && tolower((unsigned char)t[end - 1]) == reporting[k][n - 1] &&
            strncasecmp(t + end - n, reporting[k], n) == 0 && (end == n || t[end - n - 1] == ' '))
            return 1;
    }
    return 0;
}

static int sentence_end_byte(char c) { return c == '.' || c == '!' || c == '?' || c == '\n'; }

/* Whether the label at [a, b) lies in counter-speech: its sentence has a
 * countering frame before it and no endorsement after it. */
static int countered(const char *t, size_t len, size_t a, size_t b) {
    size_t lo = a, hi = b;
    while (lo > 0 && a - lo < COUNTER_MAX_GAP && !sentence_end_byte(t[lo - 1])) lo--;
    while (hi < len && !sentence_end_byte(t[hi])) hi++;
    return phrase_in(t, lo, a, &countering_set) && !phrase_in(t, b, hi, &endorsing_set);
}

/* Whether a quotation closing at end is condemned right after ("'...' e
 * razzismo") or introduced by a countering frame ("frasi come '...'"). */
static int quote_condemned(const char *t, size_t len, size_t open, size_t end) {
    size_t lo = open > QUOTE_PHRASE_GAP ? open - QUOTE_PHRASE_GAP : 0;
    size_t hi = end + 40 < len ? end + 40 : len;
    return phrase_in(t, end, hi, &condemning_set) || phrase_in(t, lo, open, &countering_set);
}

/* Drops the abuse labels within [a, b). */
static void drop_within(struct text_sink *sink, size_t a, size_t b) {
    size_t o = 0;
    for (size_t i = 0; i < sink->n; i++) {
        const struct text_label *l = &sink->labels[i];
        if (!(is_abuse(l->category_id) && l->span.start >= a && l->span.end <= b))
            sink->labels[o++] = *l;
    }
    sink->n = o;
}

/* The offset of the first byte at or after at that may begin an opening
 * quote (' " and the lead bytes of the typographic ones), or len: the
 * quotation search visits every comment with a label it may excuse or
 * mark, and most of its bytes begin none. */
static size_t next_opening_byte(const char *t, size_t len, size_t at) {
    for (; at < len; at += TEXT_BLOCK) {
        struct text_block b;
        text_block_at(&b, t, len, at);
        uint64_t m = text_block_mask(&b, 0, '\'', '\'') | text_block_mask(&b, 0, '"', '"') |
                     text_block_mask(&b, 0, 0xc2, 0xc2) | text_block_mask(&b, 0, 0xe2, 0xe2);
        if (m) return at + (size_t)__builtin_ctzll(m); /* the zero padding matches nothing */
    }
    return len;
}

/* The offset of the first close[0..cn) in t[from, limit), or limit. */
static size_t find_closing(const char *t, size_t from, size_t limit, const char *close, size_t cn) {
    for (size_t e = from; e + cn <= limit; e++) {
        const char *c = memchr(t + e, close[0], limit - cn + 1 - e);
        if (!c) break;
        e = (size_t)(c - t);
        if (memcmp(t + e, close, cn) == 0) return e;
    }
    return limit;
}

/* Finds the next quotation opening at or after *at: its text is [*from, *end).
 * Returns 1 with *at just past it, or 0 when there is none. */
static int next_quotation(const char *text, size_t len, size_t *at, size_t *from, size_t *end) {
    for (; (*at = next_opening_byte(text, len, *at)) < len; (*at)++) {
        size_t open_len;
        const char *close = closing_quote(text, len, *at, &open_len);
        /* An apostrophe inside a word ("l'ufficio") opens nothing. */
        if (!close || (*at > 0 && text[*at - 1] != ' ' && text[*at - 1] != ':')) continue;
        size_t f = *at + open_len, limit = f + QUOTE_MAX_LEN < len ? f + QUOTE_MAX_LEN : len;
        size_t cn = strlen(close), e = find_closing(text, f, limit, close, cn);
        if (e + cn > limit) continue;
        *from = f;
        *end = e;
        *at = e + cn;
        return 1;
    }
    return 0;
}

/* Drops the abuse labels inside quotations that are reported or condemned. */
static void drop_quoted(struct text_sink *sink, const char *text, size_t len) {
    size_t at = 0, from, end;
    while (next_quotation(text, len, &at, &from, &end))
        if (reported_before(text, from) || quote_condemned(text, len, from, at))
            drop_within(sink, from, end);
}

/* Drops hate and threat labels in counter-speech, and abuse reported
 * without quotation marks right after a reporting phrase. */
static void drop_countered(struct text_sink *sink, const char *text, size_t len) {
    size_t o = 0;
    for (size_t i = 0; i < sink->n; i++) {
        const struct text_label *l = &sink->labels[i];
        int hateful = l->category_id == TEXT_CAT_HATE_SPEECH || l->category_id == TEXT_CAT_THREAT;
        if ((hateful && countered(text, len, l->span.start, l->span.end)) ||
            (is_abuse(l->category_id) && reported_right_before(text, l->span.start)))
            continue;
        sink->labels[o++] = *l;
    }
    sink->n = o;
}

void text_quote_drop_reported(struct text_sink *sink, const char *text, size_t len) {
    size_t i = 0;
    while (i < sink->n && !is_abuse(sink->labels[i].category_id)) i++;
    if (i == sink->n) return; /* the common case: nothing to excuse */
    pthread_once(&phrase_sets_once, phrase_sets_index);
    drop_quoted(sink, text, len);
    drop_countered(sink, text, len);
}

/* Whether a label may be marked quoted: incitement too ("chi scrive 'a
 * morte X' va denunciato" calls for nothing), and any of the model's. */
static int markable(const struct text_label *l) {
    return is_abuse(l->category_id) || l->category_id == TEXT_CAT_INCITEMENT ||
           l->origin == TEXT_ORIGIN_MODEL;
}

void text_quote_mark_quoted(struct text_sink *sink, const char *text, size_t len) {
    size_t i = 0;
    while (i < sink->n && !markable(&sink->labels[i])) i++;
    if (i == sink->n) return; /* no label to mark: the quotations do not matter */
    size_t at = 0, from, end;
    while (next_quotation(text, len, &at, &from, &end)) {
        for (i = 0; i < sink->n; i++) {
            struct text_label *l = &sink->labels[i];
            if (markable(l) && l->span.start >= from && l->span.end <= end) l->quoted = 1;
        }
    }
}
