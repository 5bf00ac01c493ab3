/* text_pii: personal data with validation, found in the ORIGINAL text
 * (its structure, digits and capitals, is what identifies it):
 *   codice_fiscale  16 characters, check character, omocodia accepted
 *   partita_iva     11 digits with check digit, next to "IVA"/"partita"
 *   iban            mod 97, country lengths (IT and SM: 27), spaces allowed
 *   telefono        Italian mobile and landline, +39/0039, spaces, dots, dashes
 *   email           address@domain.tld, except institutional domains
 *   documento       CIE and paper identity card numbers next to context words
 *   targa           Italian licence plates (AA 123 BB)
 * Addresses and health data about a person are in text_person.h. */
#ifndef VIGILE_TEXT_PII_H
#define VIGILE_TEXT_PII_H

#include <stddef.h>

#include "text_result.h"

/* Validators on compact strings (no spaces), any letter case.  Return 1 if
 * valid, 0 if not.  Borrowed arguments. */
int text_pii_cf_valid(const char *s, size_t n);
int text_pii_piva_valid(const char *s, size_t n);
int text_pii_iban_valid(const char *s, size_t n);

/* Adds a personal_data label per finding in text[0..len) to sink. */
void text_pii_scan(const char *text, size_t len, struct text_sink *sink);

/* 1 for the ASCII letters and digits, 0 for every other byte: a table,
 * because the scanners here and in text_person walk every word with it. */
extern const unsigned char text_pii_alnum[256];

/* Case-insensitive: whether one of words (NULL-terminated list) occurs in
 * text[lo..hi).  Shared with text_person for context words. */
int text_pii_window_has(const char *text, size_t lo, size_t hi, const char *const *words);

#endif
