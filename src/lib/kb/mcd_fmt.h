/*
 * kb/mcd_fmt.h: what the KB keeps of the MCD export beyond a policy's
 * codes (internal; docs/kb.md "File format").
 *
 * - Places: where each local policy (LCD, article) applies, as states or
 *   parts of states with the dates the export's contractor_jurisdiction
 *   gives (or, as a fallback, derived from contractor numbers or the
 *   documents index), and how sure the placement is.
 * - Contractor places: where each contractor number serves, and when, so
 *   a claim that names its contractor number is placed as the export says.
 * - Attachments: per policy, the links and lists a citation or `lookup`
 *   shows: related LCDs and articles, the article's modifiers and URLs,
 *   the document's page.
 *
 * Written by build/writer/mcd_write.c, validated at open and read by
 * kb/mcd_view.c. Sections KB_SEC_EXT_FIRST + 14 .. 16.
 */
#ifndef MN_KB_MCD_FMT_H
#define MN_KB_MCD_FMT_H

#include "kb/kb_int.h"

enum {
    KB_SEC_PLACE = KB_SEC_EXT_FIRST + 14,  /* kb_place, by policy */
    KB_SEC_CPLACE = KB_SEC_EXT_FIRST + 15, /* kb_cplace, by number */
    KB_SEC_PATTACH = KB_SEC_EXT_FIRST + 16 /* kb_pattach, by policy, kind */
};

/* States and territories (claim/jurisdiction.h MN_STATES) and known parts
 * of states (MN_PARTS); the writer checks they agree. */
#define KB_STATES 56
#define KB_PARTS 6
/* kb_place.part / kb_cplace.part: the whole state, a known part k as
 * k + 1, or a part this build does not know. */
#define KB_PART_WHOLE 0
#define KB_PART_OTHER 255

/* Where a place came from, and how sure it is. */
enum {
    KB_PL_EXPORT = 1,   /* contractor_jurisdiction + state_lookup */
    KB_PL_DME = 2,      /* a DME MAC's DME region (state_x_region) */
    KB_PL_LCD = 4,      /* an article's place taken from its related LCD */
    KB_PL_INDEX = 8,    /* the documents index: the company's jurisdiction */
    KB_PL_DERIVED = 16, /* derived from a contractor number (fallback) */
    KB_PL_MAYBE = 32,   /* one of several possible places: never certain */
    KB_PL_ALL_ = 63
};

typedef struct kb_place {
    uint32_t policy; /* index into the policy table */
    uint8_t state;   /* 0 .. KB_STATES - 1 */
    uint8_t part;    /* KB_PART_WHOLE, k + 1, or KB_PART_OTHER */
    uint16_t flags;  /* KB_PL_* */
    int32_t active;  /* first day, MN_NODATE: since always */
    int32_t term;    /* last day, MN_NODATE: still in force */
} kb_place;

/* Contractor types of the export's contractor_type_lookup, as classes. */
enum {
    KB_CT_OTHER = 0, /* unknown or another type */
    KB_CT_AB = 1,    /* A/B MAC, MAC - Part A, MAC - Part B */
    KB_CT_DME = 2,   /* DME MAC */
    KB_CT_HHH = 3    /* home health and hospice MAC */
};

typedef struct kb_cplace {
    kb_str number; /* contractor number, "01182" */
    uint8_t state;
    uint8_t part;
    uint16_t flags; /* KB_PL_EXPORT or KB_PL_DME */
    int32_t active;
    int32_t term;
    uint32_t type; /* KB_CT_* */
} kb_cplace;

/* Attachment kinds (kb_pattach.kind), in their sort order. */
enum {
    KB_PA_PAGE = 1,       /* a: the document's page (URL) */
    KB_PA_LCD,            /* a: related LCD ("L33996"); num: its version or
                             -1; flags: KB_PA_F_* (which table said so) */
    KB_PA_ARTICLE,        /* a: related article ("A57949"), the same */
    KB_PA_MODIFIER,       /* a: modifier ("KX"); b: its description; group */
    KB_PA_MODIFIER_GROUP, /* group; a: the group's paragraph */
    KB_PA_URL,            /* a: URL; b: its name; num: sort order */
    KB_PA_COUNT_
};
enum {
    KB_PA_F_ARTICLE_TABLE = 1, /* article_related_documents */
    KB_PA_F_LCD_TABLE = 2      /* lcd_related_documents */
};

typedef struct kb_pattach {
    uint32_t policy;
    uint16_t kind;  /* KB_PA_* */
    uint16_t group; /* modifier group, 0 when none */
    int32_t num;    /* version of a related document, sort order; -1 */
    uint32_t flags;
    kb_str a;
    kb_str b;
} kb_pattach;

/* The view built at open (kb->ext_view[MN_MCD_VIEW]); NULL when the KB has
 * none of these sections. */
typedef struct mn_mcd_view {
    const kb_place *place;
    size_t n_place;
    uint32_t *place_first; /* per policy, its first place; n_pol + 1 */
    const kb_cplace *cplace;
    size_t n_cplace;
    const kb_pattach *attach;
    size_t n_attach;
} mn_mcd_view;
#define MN_MCD_VIEW 2 /* index into kb->ext_view */

/* The places of policy `policy` (contiguous; sorted by state, part and
 * date); NULL with *n 0 when it has none. */
const kb_place *mn_x__kb_places(const mn_kb *kb, uint32_t policy, size_t *n);
/* The places of contractor number `number`; NULL with *n 0 when the KB
 * does not know it. */
const kb_cplace *mn_x__kb_cplaces(const mn_kb *kb, const char *number,
                                  size_t len, size_t *n);
/* The attachments of `kind` of policy `policy`; NULL with *n 0. */
const kb_pattach *mn_x__kb_attach(const mn_kb *kb, uint32_t policy,
                                  unsigned kind, size_t *n);
/* True when a place (record dates) is in force on `date`. */
static inline bool kb_place_on(int32_t active, int32_t term, int32_t date)
{
    return (active == MN_NODATE || active <= date) &&
           (term == MN_NODATE || date <= term);
}

#endif
