/* text_quote: abuse quoted by the one it was aimed at (see text_quote.h). */
#include "text_quote.h"

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
    "mi ha scritto", "mi hanno scritto", "mi ha detto", "mi hanno detto",
    "mi ha urlato", "mi hanno urlato", "mi ha gridato", "mi hanno gridato",
    "mi ha chiamato", "mi hanno chiamato", "mi ha chiamata", "mi hanno chiamata",
    "mi ha dato del", "mi hanno dato del", "mi ha dato della", "mi hanno dato della",
    "ci ha chiamato", "ci hanno chiamato", "ci ha urlato", "ci hanno urlato",
    "ci ha scritto", "ci hanno scritto", "mi sono sentito dire", "mi sono sentita dire",
    "mi ha insultato dicendo", "mi hanno insultato dicendo",
};

static int is_abuse(enum text_category c)
{
    return c == TEXT_CAT_INSULT || c == TEXT_CAT_PROFANITY || c == TEXT_CAT_HATE_SPEECH ||
           c == TEXT_CAT_THREAT;
}

/* The closing byte sequence for an opening quote at t[i], or NULL. */
static const char *closing_quote(const char *t, size_t len, size_t i, size_t *open_len)
{
    static const struct { const char *open, *close; } pairs[] = {
        { "'", "'" }, { "\"", "\"" }, { "\xc2\xab", "\xc2\xbb" },     /* « » */
        { "\xe2\x80\x9c", "\xe2\x80\x9d" }, { "\xe2\x80\x98", "\xe2\x80\x99" },
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

/* The end of a reporting phrase ending at or before end, searched back
 * QUOTE_PHRASE_GAP bytes; 0 if none. */
static int reported_before(const char *t, size_t end)
{
    size_t lo = end > QUOTE_PHRASE_GAP ? end - QUOTE_PHRASE_GAP : 0;
    for (size_t k = 0; k < sizeof reporting / sizeof reporting[0]; k++) {
        size_t n = strlen(reporting[k]);
        for (size_t at = lo; at + n <= end; at++)
            if ((at == 0 || t[at - 1] == ' ') && strncasecmp(t + at, reporting[k], n) == 0)
                return 1;
    }
    return 0;
}

/* Drops the abuse labels within [a, b). */
static void drop_within(struct text_sink *sink, size_t a, size_t b)
{
    size_t o = 0;
    for (size_t i = 0; i < sink->n; i++) {
        const struct text_label *l = &sink->labels[i];
        if (!(is_abuse(l->category_id) && l->span.start >= a && l->span.end <= b))
            sink->labels[o++] = *l;
    }
    sink->n = o;
}

/* Finds the next quotation opening at or after *at: its text is [*from, *end).
 * Returns 1 with *at just past it, or 0 when there is none. */
static int next_quotation(const char *text, size_t len, size_t *at, size_t *from, size_t *end)
{
    for (; *at < len; (*at)++) {
        /* The first bytes of the opening quotes, tested before anything else: this loop
         * visits every byte of a comment that has an abuse label. */
        unsigned char c = (unsigned char)text[*at];
        if (c != '\'' && c != '"' && c != 0xc2 && c != 0xe2)
            continue;
        size_t open_len;
        const char *close = closing_quote(text, len, *at, &open_len);
        /* An apostrophe inside a word ("l'ufficio") opens nothing. */
        if (!close || (*at > 0 && text[*at - 1] != ' ' && text[*at - 1] != ':'))
            continue;
        size_t f = *at + open_len, limit = f + QUOTE_MAX_LEN < len ? f + QUOTE_MAX_LEN : len;
        size_t cn = strlen(close), e = f;
        while (e + cn <= limit && memcmp(text + e, close, cn) != 0)
            e++;
        if (e + cn > limit)
            continue;
        *from = f;
        *end = e;
        *at = e + cn;
        return 1;
    }
    return 0;
}

void text_quote_drop_reported(struct text_sink *sink, const char *text, size_t len)
{
    size_t i = 0;
    while (i < sink->n && !is_abuse(sink->labels[i].category_id))
        i++;
    if (i == sink->n)
        return;                 /* the common case: nothing to excuse */
    size_t at = 0, from, end;
    while (next_quotation(text, len, &at, &from, &end))
        if (reported_before(text, from))
            drop_within(sink, from, end);
}

void text_quote_mark_model(struct text_sink *sink, const char *text, size_t len)
{
    size_t at = 0, from, end;
    while (next_quotation(text, len, &at, &from, &end)) {
        for (size_t i = 0; i < sink->n; i++) {
            struct text_label *l = &sink->labels[i];
            if (l->origin == TEXT_ORIGIN_MODEL && l->span.start >= from && l->span.end <= end)
                l->detail = TEXT_QUOTE_DETAIL;
        }
    }
}
