/*
 * kb_int.h: the opened knowledge base as the engine reads it (internal).
 */
#ifndef MN_KB_INT_H
#define MN_KB_INT_H

#include "kb/kbfmt.h"
#include "mednec/kb.h"
#include "core/util.h"

struct mn_kb {
    const unsigned char *base;
    size_t size;
    void *owned;  /* malloc'd copy, or NULL */
    void *mapped; /* mmap'd region, or NULL */
    char version[17];
    char source[256];
    const kb_meta *meta;
    const char *str;
    size_t str_len;
    const kb_icd *icd;
    const uint64_t *icdkey; /* parallel to icd */
    size_t n_icdkey;
    const uint32_t *icdhash; /* index + 1 by kb_hash(key) */
    size_t n_icdhash;        /* a power of two */
    size_t n_icd;
    const kb_hcpcs *hcpcs;
    size_t n_hcpcs;
    const kb_mce *mce;
    size_t n_mce;
    const kb_policy *pol;
    size_t n_pol;
    const kb_pcode *pcode;
    size_t n_pcode;
    const uint64_t *dxkey;
    const uint32_t *dxmeta;
    size_t n_dx;
    const kb_group *grp;
    size_t n_grp;
    const kb_rule *rule;
    size_t n_rule;
    const kb_cover *cover;
    size_t n_cover;
    const kb_modifier *mod;
    size_t n_mod;
    /* the coverage records of each kind: [cov_first, cov_first + cov_n) */
    uint32_t cov_first[MN_SOURCE_KIND_END_];
    uint32_t cov_n[MN_SOURCE_KIND_END_];
    char built[32];
    int32_t icd_from[MN_KB_MAX_YEARS]; /* first day of each ICD year */
    int32_t mce_from[MN_KB_MAX_MCE];   /* first day of each MCE version */
    int32_t mce_to[MN_KB_MAX_MCE];     /* last day: the end of its FY */
    long all_lab; /* policy index of the all-lab-NCD list, -1 */
    /* sections of extension modules, by id - KB_SEC_EXT_FIRST */
    struct {
        const void *data;
        size_t len;
        uint32_t elem;
    } ext_sec[KB_MAX_SECTIONS - KB_SEC_EXT_FIRST];
    /* views the extension modules build at open (owned; freed by their
       close functions) */
    void *ext_view[3];
};

/* An extension section (NULL when absent); *len and *elem may be NULL. */
const void *mn_x__kb_ext_section(const mn_kb *kb, uint32_t id, size_t *len,
                                 uint32_t *elem);
/* True when `s` is a valid reference into the string pool. */
bool mn_x__kb_str_ok(const mn_kb *kb, kb_str s);

/* Extension modules: validate their sections and build their view at open
 * (kb/ncci_view.c, kb/srules_view.c); release it at free. */
int mn_x__ncci_open(mn_kb *kb, mn_error *err);
void mn_x__ncci_close(mn_kb *kb);
int mn_x__srules_open(mn_kb *kb, mn_error *err);
void mn_x__srules_close(mn_kb *kb);
/* The MCD places, contractor places and attachments (kb/mcd_view.c). */
int mn_x__mcd_open(mn_kb *kb, mn_error *err);
void mn_x__mcd_close(mn_kb *kb);

/* Borrowed text of a string reference (not NUL-terminated in general, but
 * the writer always stores a NUL after each string, and open checks it). */
static inline const char *kb_s(const mn_kb *kb, kb_str s)
{
    return s.len ? kb->str + s.off : "";
}

const kb_icd *mn_x__kb_icd(const mn_kb *kb, mn_key key);
/* Index of the first ICD entry whose key is >= key (n_icd if none). */
size_t mn_x__kb_icd_lower(const mn_kb *kb, mn_key key);
/* Description of an ICD-10-CM code, or NULL. */
const char *mn_x__kb_icd_desc(const mn_kb *kb, mn_key key);
const kb_hcpcs *mn_x__kb_hcpcs(const mn_kb *kb, mn_key key);
/* The `statutory` rule of policy `p` in force on `date` (MN_NODATE: any
 * date), or NULL. */
const kb_rule *mn_x__kb_statutory_rule(const mn_kb *kb, const kb_policy *p,
                                       int32_t date);
/* First PCODE entry for `code` and the count. */
const kb_pcode *mn_x__kb_pcodes(const mn_kb *kb, mn_key code, size_t *n);
/* Index of the ICD version to use for a date (-1 when no ICD table):
 * the version in force, else the nearest one (see mn_x__kb_icd_version
 * for the strict answer). */
int mn_x__kb_icd_year(const mn_kb *kb, int32_t date);
/* Index of the ICD-10-CM version in force on `date`; MN_KB_NONE when the
 * KB has no ICD-10-CM code set, MN_KB_OUTSIDE when no version covers the
 * date. */
#define MN_KB_NONE (-1)
#define MN_KB_OUTSIDE (-2)
int mn_x__kb_icd_version(const mn_kb *kb, int32_t date);
/* Index of the MCE version in force on `date` (its fiscal year), or
 * MN_KB_NONE / MN_KB_OUTSIDE. */
int mn_x__kb_mce_strict(const mn_kb *kb, int32_t date);
/* Whether the KB covers `date` for source `kind` (mn_source_kind): 1 a
 * record holds it (undated records hold every date), 0 no record does,
 * -1 no record of that kind. A few compares: the records of each kind are
 * found at open. */
int mn_x__kb_covers(const mn_kb *kb, int kind, int32_t date);
/* Finds the coverage records of each kind (at open). */
void mn_x__kb_cover_index(mn_kb *kb);
/* The periods of `kind`'s coverage records, adjacent or overlapping ones
 * joined (MN_NODATE: an open end): at most `cap`, their count returned;
 * *undated is set when a record of the kind has no known period. */
size_t mn_x__kb_periods(const mn_kb *kb, int kind, int32_t *from, int32_t *to,
                        size_t cap, bool *undated);
/* "2023-10-01 to 2024-09-30", "from 2024-01-01", "until ...", "any date". */
void mn_x__kb_range_text(char *out, size_t cap, int32_t from, int32_t to);
/* The joined periods of `kind` as text ("2021-01-01 to 2022-09-30,
 * 2023-10-01 to 2024-09-30", "nothing"); returns its length. */
size_t mn_x__kb_periods_text(const mn_kb *kb, int kind, char *out, size_t cap);
/* What the rule pack `name` covers on `date`, over every coverage record
 * of that name (a pack given to mednec build may extend a built-in one of
 * the same name): MN_PACK_NONE (no record), MN_PACK_OUTSIDE (no period
 * holds the date), MN_PACK_SPAN (the span of its rules holds it),
 * MN_PACK_DECLARED (a period its `covers` statement declares holds it).
 * `periods` (NULL: not wanted) gets the periods as text. */
enum { MN_PACK_NONE = -1, MN_PACK_OUTSIDE, MN_PACK_SPAN, MN_PACK_DECLARED };
int mn_x__kb_pack_state(const mn_kb *kb, const char *name, size_t len,
                        int32_t date, char *periods, size_t cap);
/* The HCPCS modifier `code` (two characters, any case), or NULL. */
const kb_modifier *mn_x__kb_modifier(const mn_kb *kb, const char *code);
/* Index of the MCE version that applies on `date` (-1: no MCE data). */
int mn_x__kb_mce_version(const mn_kb *kb, int32_t date);
/* MCE entry for `key` in MCE version `ver`, or NULL. */
const kb_mce *mn_x__kb_mce(const mn_kb *kb, mn_key key, int ver);
/* The group record of a policy, or NULL. */
const kb_group *mn_x__kb_group(const mn_kb *kb, const kb_policy *p, int list,
                               int group);

#endif
