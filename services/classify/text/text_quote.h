/* text_quote: abuse that the author quotes to report it.
 *
 * "Un utente mi ha scritto 'terrone tornatene a casa tua', come si segnala?"
 * holds a slur, but its author is the one it was aimed at: removing the
 * comment would silence the victim.  Insult, profanity, hate and threat
 * labels whose evidence lies wholly inside a quotation introduced by a
 * first-person reporting phrase ("mi ha scritto", "mi hanno urlato", "mi ha
 * dato del") are dropped; the rest of the comment is judged as usual.  So
 * is abuse right after such a phrase without quotation marks ("mi ha detto:
 * ti ammazzo").
 *
 * Counter-speech quotes hate to condemn it: "chi dice che i rom sono animali
 * e un ignorante", "non e vero che gli immigrati sono criminali", "frasi come
 * '...' sono razzismo".  Hate and threat labels in a sentence with such a
 * frame before them, and abuse in a quotation condemned right after it or
 * introduced by a frame, are dropped, unless the sentence endorses the claim
 * after it ("chi dice che ... ha ragione").  Insults of the author's own in
 * such a sentence stay. */
#ifndef VIGILE_TEXT_QUOTE_H
#define VIGILE_TEXT_QUOTE_H

#include <stddef.h>

#include "text_result.h"

/* Removes from sink the abuse labels inside reported or condemned
 * quotations of text, and the hate in counter-speech (len bytes, the
 * original comment; borrowed). */
void text_quote_drop_reported(struct text_sink *sink, const char *text, size_t len);

/* Marks as quoted the abuse labels of sink, rule or model, whose evidence lies inside
 * any quotation of text (len bytes; borrowed) that the checks above did not excuse.
 * Counter-speech quotes what it condemns in more ways than any list of phrases knows
 * ("chi scrive «...» dovrebbe vergognarsi", "leggere '...' fa male"): the words are
 * there, the intent may not be, so the router never lets quoted abuse act on its own,
 * and a person decides. */
void text_quote_mark_quoted(struct text_sink *sink, const char *text, size_t len);

#endif
