/* text_lexicon: word lists (profanity, blasphemy, insults, slurs, and the
 * vocabularies other modules consult) loaded from data/lexicons/\*.tsv and
 * matched through the shared Aho-Corasick pass.
 *
 * File format, one entry per line, tab-separated, '#' starts a comment:
 *     term  category  severity  detail
 * term is written as people write it; it is normalized like comments, and
 * "stronz{o,a,i,e}" expands to four entries.  category is a category id or
 * a vocabulary name (civic, health, place) or a word list of text_variant
 * (common, joinable: never matched, see text_variant.h); severity is low, medium or high; detail
 * is a hate target, "bestemmia", or "-".  Three more word lists are never
 * matched themselves but tell a proper noun: name (surnames that are also
 * terms: "Cazzone", "Negro"), name_cue (the words before a proper noun:
 * "via", "scuola", "dottor", "avv.", "signora") and first_name ("Ada").
 *
 * A term matches whole words only (never inside "cazzuola" or "analisi"),
 * letter runs must agree except for emphasis of three or more ("cazzzzo"
 * matches "cazzo", "anno" does not match "ano"), and a masked word
 * ("st*onzo") matches a single-word term of the same length.  A term that
 * is also a place name ("troia", the town of Troia) does not count right
 * after a preposition of place ("il sindaco di Troia", "con Troia").  A
 * term that is also a place or a surname does not count either where it is
 * a proper noun: capitalized (not shouted) right after a name cue or a
 * capitalized first name ("via Troia", "scuola Ada Negri", "avv. Negro",
 * "Mario Cazzone"); "sei un Bastardo" and "quel negro" still count.
 * An abusive phrase also matches written as one word ("pezzidimerda"), and
 * an abusive term at the end of a token made of joinable words before it
 * ("seiuncoglione"). */
#ifndef VIGILE_TEXT_LEXICON_H
#define VIGILE_TEXT_LEXICON_H

#include "text_ac.h"
#include "text_norm.h"
#include "text_result.h"
#include "text_variant.h"

/* Vocabularies: lexicon kinds that are not categories but evidence for
 * other modules. */
enum text_vocab {
    TEXT_VOCAB_CIVIC,
    TEXT_VOCAB_HEALTH,
    TEXT_VOCAB_PLACE,
    TEXT_VOCAB_PERSON, /* words for a person that insult: the gate of the insult frames */
    TEXT_VOCAB_COUNT
};

/* The vocabulary named name ("civic", "health", "place", "person"), or -1. */
int text_vocab_from_name(const char *name);

/* Where vocabulary words occurred in one comment (original byte spans; the
 * first few of each kind). */
#define TEXT_VOCAB_MAX_POS 8
struct text_vocab_hits {
    unsigned count[TEXT_VOCAB_COUNT];
    struct text_span span[TEXT_VOCAB_COUNT][TEXT_VOCAB_MAX_POS];
};

struct text_lex_entry;

/* Normalized words of one list (lexicon-view form, runs collapsed). */
struct text_lex_words {
    char **term;
    size_t n, cap;
};

struct text_lexicon {
    struct text_lex_entry *entries;
    size_t n, cap;
    struct text_lex_words surnames, name_cues, first_names;
    struct text_variants variants; /* misspelled, split and run-in terms */
    char **variant_terms;          /* spelled form of each entry, for variants */
};

/* Loads every *.tsv in dir (sorted by name) into lx, which must be zeroed.
 * dir is borrowed.  Returns 0, or -1 with err naming file, line and problem. */
int text_lexicon_load_dir(struct text_lexicon *lx, const char *dir, char *err, size_t errlen);

/* Adds every entry to ac with value tag | index.  Returns 0, or -1 with err
 * naming the entry if its normalized form leaves the automaton alphabet. */
int text_lexicon_register(const struct text_lexicon *lx, struct text_ac *ac, uint32_t tag,
                          char *err, size_t errlen);

/* Handles an automaton hit of entry idx ending at lexicon-view offset end:
 * checks word boundaries and letter runs, then adds a label to sink or
 * records a vocabulary hit.  text is the original nm was built from (its
 * capitals tell proper nouns).  Borrowed arguments, no ownership change. */
void text_lexicon_hit(const struct text_lexicon *lx, uint32_t idx, const struct text_norm *nm,
                      const char *text, size_t end, struct text_sink *sink,
                      struct text_vocab_hits *vocab);

/* Matches the masked tokens of nm against single-word terms. */
void text_lexicon_scan_masked(const struct text_lexicon *lx, const struct text_norm *nm,
                              struct text_sink *sink);

/* Finds misspelled and split abusive terms in nm (text_variant.h); each is
 * labelled like its term, with its rule id and a lower score.  A word that
 * looks like a name in text[0..len) (the original, borrowed) is left
 * alone. */
void text_lexicon_scan_variants(const struct text_lexicon *lx, const struct text_norm *nm,
                                const char *text, size_t len, struct text_sink *sink);

/* Releases the entries (not lx).  NULL-safe. */
void text_lexicon_release(struct text_lexicon *lx);

#endif
