/*
 * check/laterality.c: sides named by ICD-10-CM descriptions and by modifiers.
 *
 * The laterality character of an ICD-10-CM code sits in a position that
 * varies by chapter and category, so the code itself is not read; the
 * long description, which always spells the side out, is.
 */
#include <string.h>

#include "check/laterality.h"
#include "core/util.h"

/* A word: a run of ASCII letters. */
typedef struct word {
    const char *p;
    size_t n;
} word;

/* The next word at or after *pos; false at the end. */
static bool next_word(const char *s, size_t len, size_t *pos, word *w)
{
    size_t i = *pos;

    while (i < len && !mn_x__isalpha((unsigned char)s[i]))
        i++;
    if (i >= len)
        return false;
    w->p = s + i;
    while (i < len && mn_x__isalpha((unsigned char)s[i]))
        i++;
    w->n = (size_t)(s + i - w->p);
    *pos = i;
    return true;
}

static bool word_is(const word *w, const char *lit)
{
    size_t n = strlen(lit);

    if (w->n != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (mn_x__tolower((unsigned char)w->p[i]) != lit[i])
            return false;
    }
    return true;
}

/* Words that, within two words after "right" or "left", show an unpaired
 * structure named by its side rather than a side of the body (checked
 * against every FY2024 description: docs/site.md). */
static bool unpaired(const word *w)
{
    static const char *const names[] = {
        "heart",  "ventricle",  "ventricular", "atrium",     "atrial",
        "bundle", "fascicular", "coronary",    "circumflex", "descending",
        "aortic", "vena",       "colon",       "colitis"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (word_is(w, names[i]))
            return true;
    }
    return false;
}

unsigned mn_x__side_of_desc(const char *desc, size_t len)
{
    unsigned side = 0;
    size_t pos = 0;
    word prev = {NULL, 0};
    word w;

    if (!desc)
        return 0;
    while (next_word(desc, len, &pos, &w)) {
        unsigned bit = 0;
        if (word_is(&w, "bilateral")) {
            bit = MN_SIDE_BILATERAL;
        } else if (word_is(&w, "right")) {
            bit = MN_SIDE_RIGHT;
        } else if (word_is(&w, "left") &&
                   !(prev.p && word_is(&prev, "accidentally"))) {
            bit = MN_SIDE_LEFT;
        }
        if (bit & (MN_SIDE_RIGHT | MN_SIDE_LEFT)) {
            size_t look = pos;
            word a;
            for (int k = 0; k < 2 && next_word(desc, len, &look, &a); k++) {
                if (unpaired(&a))
                    bit = 0;
            }
        }
        side |= bit;
        prev = w;
    }
    return side;
}

unsigned mn_x__side_of_modifier(const char *m)
{
    char a = m[0];
    char b = m[1];

    if (a == 'R' && b == 'T')
        return MN_SIDE_RIGHT;
    if (a == 'L' && b == 'T')
        return MN_SIDE_LEFT;
    if (a == '5' && b == '0')
        return MN_SIDE_BILATERAL;
    if (a == 'E')
        return b == '1' || b == '2'   ? MN_SIDE_LEFT
               : b == '3' || b == '4' ? MN_SIDE_RIGHT
                                      : 0;
    if (a == 'F' || a == 'T') {
        /* FA/TA thumb and great toe, 1-4 left, 5-9 right */
        if (b == 'A' || (b >= '1' && b <= '4'))
            return MN_SIDE_LEFT;
        if (b >= '5' && b <= '9')
            return MN_SIDE_RIGHT;
    }
    return 0;
}

const char *mn_x__side_name(unsigned side)
{
    if (side & MN_SIDE_BILATERAL)
        return "both sides";
    switch (side & (MN_SIDE_RIGHT | MN_SIDE_LEFT)) {
    case MN_SIDE_RIGHT:
        return "the right side";
    case MN_SIDE_LEFT:
        return "the left side";
    case MN_SIDE_RIGHT | MN_SIDE_LEFT:
        return "both sides";
    default:
        return "no side";
    }
}
