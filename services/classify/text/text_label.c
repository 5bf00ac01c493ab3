/* text_label: the category ids as they are written on the wire. */
#include "text_label.h"

#include <string.h>

static const char *const category_names[TEXT_CAT_COUNT] = { VIGILE_CATEGORIES(VIGILE_CATEGORY_ID) };

const char *text_category_name(enum text_category cat) {
    return (unsigned)cat < TEXT_CAT_COUNT ? category_names[cat] : NULL;
}

int text_category_from_name(const char *name) {
    for (int i = 0; i < TEXT_CAT_COUNT; i++)
        if (strcmp(name, category_names[i]) == 0) return i;
    return -1;
}
