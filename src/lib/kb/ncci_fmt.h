/*
 * kb/ncci_fmt.h: NCCI procedure-to-procedure (PTP) edits, medically
 * unlikely edits (MUE) and add-on code (AOC) edits in the knowledge base:
 * their sections, the view built at open and its lookups (docs/ncci.md).
 *
 * The builder side (build/writer/ncci_build.h, ncci_write.c and
 * build/load/load_ncci.c) writes these sections; kb/ncci_view.c validates
 * them at open into a view (kb->ext_view[0]); check/ncci.c applies the
 * edits to claim lines.
 */
#ifndef MN_KB_NCCI_FMT_H
#define MN_KB_NCCI_FMT_H

#include "kb/kb_int.h"

/* KB sections (KB_SEC_EXT_FIRST + 0..9 belong to this module). */
enum {
    KB_SEC_NCCI_META = KB_SEC_EXT_FIRST + 0, /* one kb_ncci_meta */
    KB_SEC_NCCI_CODES,  /* u64 keys of the PTP codes, ascending, unique */
    KB_SEC_NCCI_PTPIDX, /* u32 [n_codes + 1]: first PTP record of each
                           column-2 code */
    KB_SEC_NCCI_PTP,    /* kb_ptp, by column 2, column 1, deletion,
                           effective, tables */
    KB_SEC_NCCI_MUE,    /* kb_mue by code, service */
    KB_SEC_NCCI_AOC,    /* kb_aoc by add-on, primary, effective, deletion */
    KB_SEC_NCCI_TEXT    /* kb_str: rationale texts */
};

/* PTP tables and MUE services. */
enum { MN_PTP_PRAC = 0, MN_PTP_HOSP = 1, MN_PTP_TABLES = 2 };
enum { MN_MUE_PRAC = 0, MN_MUE_OUT = 1, MN_MUE_DME = 2, MN_MUE_SERVICES = 3 };

/* Dates in PTP records: days since 1970-01-01 in 16 bits (to 2149). */
#define MN_D16_NONE_EFF 0      /* effective: not given (always) */
#define MN_D16_NONE_DEL 0xffff /* deletion: none (still active) */
#define MN_D16_MAX 0xfffe

/* Modifier indicator codes in kb_ptp (the files' 0, 1 and 9). */
enum { MN_PTP_MOD_NO = 0, MN_PTP_MOD_YES = 1, MN_PTP_MOD_NA = 2 };

#define MN_PTP_NO_TEXT 63  /* rationale field: none */
#define MN_MUE_NO_TEXT 255 /* rationale byte: none */
#define MN_NCCI_MAX_CODES (1u << 22)

typedef struct kb_ncci_meta {
    uint32_t n_codes;
    uint32_t n_records;            /* PTP records */
    uint32_t n_ptp[MN_PTP_TABLES]; /* edits per table (a record may carry
                                      the same edit for both tables) */
    uint32_t n_text;
    uint32_t merged;                 /* duplicate rows merged by the build */
    kb_str ptp_label[MN_PTP_TABLES]; /* "2024Q3", "v303r0" or empty */
    kb_str mue_label[MN_MUE_SERVICES];
    kb_str aoc_label;
    uint32_t reserved[8];
} kb_ncci_meta;

/* One PTP edit, packed in 64 bits so that a slice sorted as integers is
 * sorted by (column 1, deletion, effective, tables):
 *   63-42 column-1 code index     41-26 deletion date (16-bit date)
 *   25-10 effective date          9-8   tables (bit 0 practitioner, bit 1
 *                                       hospital: an edit the two tables
 *                                       share is stored once)
 *   7-6   modifier indicator      5-0   rationale (index into the texts,
 *         (MN_PTP_MOD_*)                MN_PTP_NO_TEXT for none)
 * The column-2 code is given by the record's place (KB_SEC_NCCI_PTPIDX). */
typedef struct kb_ptp {
    uint64_t x;
} kb_ptp;

#define KB_PTP_COL1(p) ((uint32_t)((p)->x >> 42))
#define KB_PTP_DEL(p) ((uint16_t)((p)->x >> 26))
#define KB_PTP_EFF(p) ((uint16_t)((p)->x >> 10))
#define KB_PTP_TABLES(p) ((uint32_t)((p)->x >> 8) & 3u)
#define KB_PTP_MOD(p) ((uint32_t)((p)->x >> 6) & 3u)
#define KB_PTP_TEXT(p) ((uint32_t)(p)->x & 63u)
#define KB_PTP_X(col1, del, eff, tables, mod, text)                            \
    (((uint64_t)(col1) << 42) | ((uint64_t)(del) << 26) |                      \
     ((uint64_t)(eff) << 10) | ((uint64_t)(tables) << 8) |                     \
     ((uint64_t)(mod) << 6) | (uint64_t)(text))

typedef struct kb_mue {
    uint64_t code;
    uint32_t units;
    uint8_t service; /* MN_MUE_* */
    uint8_t mai;     /* 1, 2 or 3 */
    uint8_t text;    /* rationale, MN_MUE_NO_TEXT for none */
    uint8_t pad;
} kb_mue;

typedef struct kb_aoc {
    uint64_t addon;
    uint64_t primary;  /* 0: any primary ("CCCCC") */
    int32_t effective; /* MN_NODATE: not given */
    int32_t deleted;   /* MN_NODATE: not deleted */
    uint32_t type;     /* AOC edit type 1, 2 or 3 */
    uint32_t pad;
} kb_aoc;

/* The view built at open (kb->ext_view[0]); NULL when the KB has no NCCI
 * data. Everything points into the KB. */
typedef struct mn_ncci_view {
    const kb_ncci_meta *meta;
    const uint64_t *codes;
    size_t n_codes;
    const uint32_t *idx; /* n_codes + 1 */
    const kb_ptp *ptp;
    size_t n_ptp;
    const kb_mue *mue;
    size_t n_mue;
    const kb_aoc *aoc;
    size_t n_aoc;
    const kb_str *text;
    size_t n_text;
} mn_ncci_view;

/* The view of an opened KB, or NULL. */
static inline const mn_ncci_view *mn_x__ncci_view(const mn_kb *kb)
{
    return kb ? (const mn_ncci_view *)kb->ext_view[0] : NULL;
}

/* Index of `code` in the PTP code dictionary, or -1. */
long mn_x__ncci_code(const mn_ncci_view *v, mn_key code);
/* The PTP edit of the pair (column 1 `col1`, column 2 `col2`, both code
 * indexes) in `table` that applies on `d16` (a 16-bit date), or NULL. Of
 * the records of a pair, the one with the earliest deletion date not
 * before the date (and effective by then) applies. */
const kb_ptp *mn_x__ncci_pair(const mn_ncci_view *v, int table, long col2,
                              long col1, uint16_t d16);
/* The MUE of `code` for a service (MN_MUE_*), or NULL. */
const kb_mue *mn_x__ncci_mue(const mn_ncci_view *v, mn_key code, int service);
/* The AOC rows of add-on code `addon` (sorted by primary); *n their
 * count. */
const kb_aoc *mn_x__ncci_aoc(const mn_ncci_view *v, mn_key addon, size_t *n);
/* A rationale text ("" when none). */
const char *mn_x__ncci_text(const mn_kb *kb, const mn_ncci_view *v, uint32_t i);

/* A date (days since 1970) as a 16-bit date, clamped to 1..MN_D16_MAX;
 * MN_NODATE (unknown) maps to MN_D16_MAX, the latest date. */
static inline uint16_t mn_x__d16(int32_t d)
{
    if (d == MN_NODATE || d > MN_D16_MAX)
        return MN_D16_MAX;
    return d < 1 ? 1 : (uint16_t)d;
}

#endif
