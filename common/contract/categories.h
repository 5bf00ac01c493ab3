/* The categories Vigile labels, in one list: their ids as tenant files, decisions and
 * dashboards write them (docs/schemas), in the order of the text engine's enum
 * text_category. Header only and dependency-free, so that the text engine, which links
 * nothing of common/, shares it with the tenant loader.
 *
 * VIGILE_CATEGORIES(X) calls X(NAME, "id") once per category. */
#ifndef VIGILE_CATEGORIES_H
#define VIGILE_CATEGORIES_H

#define VIGILE_CATEGORIES(X)                        \
    X(INSULT, "insult")                             \
    X(PROFANITY, "profanity")                       \
    X(THREAT, "threat")                             \
    X(INCITEMENT, "incitement")                     \
    X(HATE_SPEECH, "hate_speech")                   \
    X(PERSONAL_DATA, "personal_data")               \
    X(PRIVATE_MATTER, "private_matter")             \
    X(SPAM, "spam")                                 \
    X(ADVERTISING, "advertising")                   \
    X(POLITICAL_PROPAGANDA, "political_propaganda") \
    X(OFF_TOPIC, "off_topic")                       \
    X(REPEATED, "repeated")                         \
    X(DISRUPTION, "disruption")                     \
    X(COPYRIGHT, "copyright")                       \
    X(CRIME_REPORT, "crime_report")                 \
    X(SERVICE_REPORT, "service_report")             \
    X(APPLICATION, "application")                   \
    X(INFORMATION_REQUEST, "information_request")   \
    X(CRITICISM, "criticism")

/* The id alone, for tables of names: VIGILE_CATEGORIES(VIGILE_CATEGORY_ID). */
#define VIGILE_CATEGORY_ID(name, id) id,
/* One per category, for counting: sizeof (char[]){ VIGILE_CATEGORIES(VIGILE_CATEGORY_ONE) } */
#define VIGILE_CATEGORY_ONE(name, id) 1,
#define VIGILE_CATEGORY_COUNT         (sizeof((char[]){ VIGILE_CATEGORIES(VIGILE_CATEGORY_ONE) }))

#endif
