/*
 * kb/srules_fmt.h: service rules in the knowledge base: their sections and
 * the view the check reads. The builder side is build/writer/srules_build.h.
 *
 * A service rule limits one or more procedure codes: age and sex limits,
 * a statutory exclusion, a frequency, places of service, a documentation
 * requirement; it may apply only with certain diagnoses, modifiers or
 * ages. docs/rules.md describes the language; core/freq.h the frequencies.
 *
 * KB sections (ids KB_SEC_EXT_FIRST + 10 ...; all little-endian, records
 * 8-byte aligned, strings in the KB string pool):
 *   SR_SEC_RULE   kb_srule[]    the rules, in pack order
 *   SR_SEC_INDEX  kb_srindex[]  (code, rule) sorted by code then rule;
 *                               code 0 = rules of every code (first)
 *   SR_SEC_DX     kb_srdx[]     diagnosis patterns, by rule range
 *   SR_SEC_FAMILY uint64_t[]    family codes, by rule range, each range
 *                               sorted ascending without duplicates
 */
#ifndef MN_KB_SRULES_FMT_H
#define MN_KB_SRULES_FMT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/freq.h"
#include "kb/kbfmt.h"

enum {
    SR_SEC_RULE = KB_SEC_EXT_FIRST + 10,
    SR_SEC_INDEX = KB_SEC_EXT_FIRST + 11,
    SR_SEC_DX = KB_SEC_EXT_FIRST + 12,
    SR_SEC_FAMILY = KB_SEC_EXT_FIRST + 13
};

#define SR_MAX_MODS 8
#define SR_AGE_NONE 0xffffu         /* an open end of an age range */
#define SR_MAX_THRESHOLD 100000000u /* cents: $1,000,000 */

/* Rule flags. */
enum {
    SR_F_AGE = 1u << 0,            /* age limit (age_lo..age_hi) */
    SR_F_AFTER_BIRTHDAY = 1u << 1, /* the lower age starts the day after
                                      that birthday */
    SR_F_WHEN_AGE = 1u << 2,       /* applies only at ages when_lo..hi */
    SR_F_FAMILY_EACH = 1u << 3,    /* each code counted on its own */
    SR_F_ANY_CODE = 1u << 4,       /* applies to every code */
    SR_F_POS_ALLOW = 1u << 5,      /* pos_allow is set */
    SR_F_POS_DENY = 1u << 6,       /* pos_deny is set */
    SR_F_IPO = 1u << 7,            /* inpatient-only procedures (OPPS
                                      Addendum E): not payable outpatient */
    SR_F_ALL_ = (1u << 8) - 1
};

/* What a `requires` statement asks for. */
enum { SR_REQ_DOCUMENTATION = 0, SR_REQ_PRIOR_AUTH, SR_REQ_KX, SR_REQ_COUNT_ };

/* One service rule. Text fields are empty when absent. */
typedef struct kb_srule {
    kb_str id;
    kb_str pack;
    kb_str source;
    kb_str exclude;    /* statutory exclusion reason */
    kb_str doc;        /* what `requires` asks for */
    kb_str more_often; /* frequency may be exceeded with this documented */
    int32_t effective;
    int32_t ending; /* MN_NODATE: open */
    uint32_t flags; /* SR_F_* */
    uint8_t sex;    /* 0, 'F' or 'M' */
    uint8_t freq_unit;
    uint8_t spacing_unit;
    uint8_t n_when_mod;
    uint8_t n_unless_mod;
    uint8_t req_kind; /* SR_REQ_*, with `doc` */
    uint8_t pad0[2];
    uint16_t age_lo; /* SR_AGE_NONE: open */
    uint16_t age_hi;
    uint16_t when_age_lo;
    uint16_t when_age_hi;
    uint32_t freq_n; /* 0: no frequency limit */
    uint32_t freq_period;
    uint32_t spacing;
    uint32_t dx_first; /* into SR_SEC_DX: when-dx, then unless-dx */
    uint32_t n_when_dx;
    uint32_t n_unless_dx;
    uint32_t fam_first; /* into SR_SEC_FAMILY */
    uint32_t n_fam;     /* 0: the codes of the rule (or each code) */
    char when_mod[SR_MAX_MODS][2];
    char unless_mod[SR_MAX_MODS][2];
    char carc[4]; /* exclusion CARC override, NUL-padded */
    char rarc[8]; /* exclusion RARC override */
    uint32_t pad1;
    uint64_t pos_allow[2]; /* bit p: place of service p (1-99) */
    uint64_t pos_deny[2];
    /* dollar thresholds per calendar year, in cents (0: none), over the
       amounts of the services the rule matches: above kx_cents a line
       needs modifier KX; above review_cents it may be reviewed */
    uint32_t kx_cents;
    uint32_t review_cents;
} kb_srule;

typedef struct kb_srindex {
    uint64_t code; /* 0: every code */
    uint32_t rule;
    uint32_t pad;
} kb_srindex;

/* A diagnosis pattern: matches dx when (dx & mask) == key. */
typedef struct kb_srdx {
    uint64_t key;
    uint64_t mask; /* all ones: the exact code; else a prefix */
} kb_srdx;

/* The view built at open (kb->ext_view[1]; NULL when the KB has no
 * service rules). */
typedef struct mn_srules_view {
    const kb_srule *rule;
    size_t n_rule;
    const kb_srindex *idx;
    size_t n_idx;
    size_t n_any;      /* leading index entries with code 0 */
    bool any_need_mod; /* each of them has a when-modifier: a line without
                          modifiers needs none of them */
    const kb_srdx *dx;
    size_t n_dx;
    const uint64_t *fam;
    size_t n_fam;
} mn_srules_view;

#define MN_SRULES_VIEW 1 /* index into kb->ext_view */

#endif
