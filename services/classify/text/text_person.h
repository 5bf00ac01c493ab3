/* text_person: personal data that is only personal next to a person.
 *
 *   indirizzo  a street address with a house number ("via Roma 12") in the
 *              same sentence as a residence word ("abita", "vive",
 *              "residente") or a person's name ("Mario Rossi", "la signora
 *              Bianchi").  "In via Roma 12 c'è una buca" is not personal.
 *   salute     a health word (from the health vocabulary) in the same
 *              sentence as a person's name: "Mario Rossi ha il tumore".
 *              One's own health without a name is left to private_matter.
 *
 * Works on the original text because capitals are what mark a name. */
#ifndef VIGILE_TEXT_PERSON_H
#define VIGILE_TEXT_PERSON_H

#include "text_lexicon.h"
#include "text_result.h"

/* Adds personal_data labels to sink.  vocab holds the health words found
 * by the lexicon pass.  Borrowed arguments. */
void text_person_scan(const char *text, size_t len, const struct text_vocab_hits *vocab,
                      struct text_sink *sink);

/* Whether text[lo..hi) names a person: "signor/signora/sig. X" or two
 * consecutive capitalized words that are not places, titles or greetings. */
int text_person_named(const char *text, size_t lo, size_t hi);

#endif
