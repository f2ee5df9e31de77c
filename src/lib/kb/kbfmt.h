/*
 * kb/kbfmt.h: the knowledge-base file format (internal; docs/kb.md).
 *
 * Little-endian, 8-byte aligned. A 64-byte header, a section table, then
 * the sections. Everything refers to other content by offset and length,
 * never by pointer. The checksum (XXH3-64) covers every byte after the
 * header. The content version is XXH3-64 of the same bytes, printed in hex.
 */
#ifndef MN_KB_KBFMT_H
#define MN_KB_KBFMT_H

#include <stdint.h>

#define MN_KB_MAGIC "MNKB\r\n\x1a\n"
/* 2: HCPCS coverage code and statute; 3: the reason of a statutory policy
 * rule; 4: the places of local policies with dates, contractor places,
 * policy attachments (kb/mcd_fmt.h); 5: ICD-10-CM versions with their
 * effective dates, the coverage table (what dates each source covers), the
 * HCPCS modifiers */
#define MN_KB_FORMAT 5
#define MN_KB_ENDIAN 0x01020304u
#define MN_KB_MAX_YEARS 32
#define MN_KB_MAX_MCE 16
#define KB_MAX_SECTIONS 64
#define KB_SEC_EXT_FIRST 32 /* sections of extension modules: 32 and up */

/* The hash of a code key used by the hash sections (stable: part of the
 * format). */
static inline uint64_t kb_hash(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Policy kinds. */
enum { MN_PK_NCD = 1, MN_PK_LCD = 2, MN_PK_ARTICLE = 3 };
/* Diagnosis lists of a policy. */
enum {
    MN_DL_COVERED = 1,      /* supports the service */
    MN_DL_NONCOVERED = 2,   /* explicit non-covered / lab "denied" list */
    MN_DL_NOT_SUPPORTED = 3 /* lab "does not support" list */
};
/* MCE edit flags on a diagnosis. */
enum {
    MN_MCE_NEWBORN = 1,
    MN_MCE_PEDIATRIC = 2,
    MN_MCE_MATERNITY = 4,
    MN_MCE_ADULT = 8,
    MN_MCE_FEMALE = 16,
    MN_MCE_MALE = 32,
    MN_MCE_MANIFESTATION = 64
};
/* Policy flags. */
enum {
    MN_PF_LAB = 1,            /* a national lab NCD (190.x) */
    MN_PF_ALL_LAB = 2,        /* the list that applies to every lab NCD */
    MN_PF_INVERTED = 4,       /* covered unless listed (NCD 190.15) */
    MN_PF_STATUTORY = 8,      /* what it does not cover is a statutory exclusion
                                 (a KB_RULE_STATUTORY rule names it) */
    MN_PF_PLACE_UNKNOWN = 16, /* a local policy whose places are not known:
                                 it may apply anywhere (kb/mcd_fmt.h) */
    MN_PF_MANY_LCDS = 32,     /* an article related to several LCDs (the
                                 one cited is the one in force on the date) */
    MN_PF_PLACES_SIMPLE = 64  /* every place a whole state, certain, in force
                                 whenever the policy is: `states` says where
                                 it applies (kb/mcd_fmt.h) */
};

typedef struct kb_header {
    char magic[8];
    uint32_t format;
    uint32_t endian;
    uint64_t file_size;
    uint64_t checksum;
    uint32_t n_sections;
    uint32_t reserved0;
    uint64_t reserved[3];
} kb_header;

typedef struct kb_section {
    uint32_t id;
    uint32_t elem_size; /* size of one record, 1 for byte sections */
    uint64_t offset;
    uint64_t length;
} kb_section;

enum {
    KB_SEC_META = 1,
    KB_SEC_STR,
    KB_SEC_ICD,
    KB_SEC_HCPCS,
    KB_SEC_MCE,
    KB_SEC_POLICY,
    KB_SEC_PCODE,
    KB_SEC_PDXKEY,
    KB_SEC_PDXMETA,
    KB_SEC_PGROUP,
    KB_SEC_RULE,
    KB_SEC_ICDKEY,   /* the ICD keys alone, parallel to KB_SEC_ICD: a dense
                        array for binary search */
    KB_SEC_ICDHASH,  /* u32 open-addressing table: ICD index + 1 (0 empty),
                        probed linearly from kb_hash(key) */
    KB_SEC_COVER,    /* kb_cover: the dates each source covers */
    KB_SEC_MODIFIER, /* kb_modifier: HCPCS Level II modifiers, by code */
    KB_SEC_COUNT_ = KB_SEC_MODIFIER
};

typedef struct kb_str {
    uint32_t off;
    uint32_t len;
} kb_str;

/* ICD-10-CM versions: a code-set file is in force from its effective date
 * (October 1 for a fiscal year's file, April 1 for an April update...) to
 * the end of its fiscal year or the day before the next version, whichever
 * comes first. Versions are ordered by effective date; a day no version
 * covers is outside the knowledge base. */
typedef struct kb_meta {
    uint32_t n_icd_years;               /* ICD-10-CM versions */
    int32_t icd_years[MN_KB_MAX_YEARS]; /* fiscal year of each version
                                           (non-decreasing) */
    uint32_t n_mce;
    int32_t mce_fy[MN_KB_MAX_MCE]; /* ascending fiscal years */
    kb_str built;
    int32_t icd_from[MN_KB_MAX_YEARS]; /* first day in force, ascending */
    int32_t icd_to[MN_KB_MAX_YEARS];   /* last day in force */
    uint32_t reserved[8];
} kb_meta;

typedef struct kb_icd {
    uint64_t key;
    uint32_t present;  /* bit i: code exists in ICD version i */
    uint32_t billable; /* bit i: billable in ICD version i */
    kb_str desc;       /* newest version's long description */
} kb_icd;

/* What one source kind covers: one record per version, year, quarter or
 * rule pack (kind: an mn_source_kind of mednec/kb.h). Records are sorted
 * by kind, then first day (undated records first), then label. */
typedef struct kb_cover {
    uint32_t kind;
    uint32_t flags; /* KB_CF_* */
    int32_t from;   /* first day covered; MN_NODATE: open or unknown */
    int32_t to;     /* last day covered; MN_NODATE: open or unknown */
    uint64_t rows;  /* rows loaded from its sources */
    kb_str label;   /* "FY2024", "2024Q3", a pack's name */
    kb_str sources; /* the files it came from, "; "-separated */
} kb_cover;

enum {
    KB_CF_UNDATED = 1,  /* the period is not known (see docs/kb.md) */
    KB_CF_DECLARED = 2, /* rule pack: the period its `covers` statement
                           vouches for (else its rules' span) */
    KB_CF_ALL_ = 3
};

/* A HCPCS Level II modifier. */
typedef struct kb_modifier {
    char code[2]; /* upper case letters and digits */
    uint8_t pad[6];
    kb_str desc;
} kb_modifier;

typedef struct kb_hcpcs {
    uint64_t key;
    int32_t added;      /* MN_NODATE when unknown */
    int32_t terminated; /* MN_NODATE when none */
    kb_str desc;
    kb_str statute;   /* HCPCS statute number as the file gives it, or "" */
    uint8_t coverage; /* HCPCS coverage code: KB_COV_* letter, 0 unknown */
    uint8_t pad[7];
} kb_hcpcs;

/* HCPCS coverage codes (record layout field 16), stored as the letter. */
#define KB_COV_CARRIER 'C'     /* carrier judgment */
#define KB_COV_SPECIAL 'D'     /* special coverage instructions apply */
#define KB_COV_NOT_PAYABLE 'I' /* not payable by Medicare */
#define KB_COV_NONCOVERED 'M'  /* non-covered by Medicare */
#define KB_COV_STATUTE 'S'     /* non-covered by Medicare statute */
static inline int kb_cov_ok(unsigned c)
{
    return c == 0 || c == KB_COV_CARRIER || c == KB_COV_SPECIAL ||
           c == KB_COV_NOT_PAYABLE || c == KB_COV_NONCOVERED ||
           c == KB_COV_STATUTE;
}

typedef struct kb_mce {
    uint64_t key;
    uint16_t ver;  /* index into mce_fy */
    uint8_t flags; /* MN_MCE_* */
    uint8_t age_min;
    uint8_t age_max;
    uint8_t pad[3];
} kb_mce;

typedef struct kb_policy {
    uint32_t kind; /* MN_PK_* */
    int32_t version;
    kb_str id;
    kb_str title;
    kb_str related;
    kb_str contractors; /* comma-separated contractor numbers */
    kb_str note;
    int32_t effective; /* MN_NODATE: open */
    int32_t ending;    /* MN_NODATE: open */
    uint64_t states;   /* every state of its places (kb/mcd_fmt.h), any
                          date; 0: national, or places unknown */
    uint32_t flags;    /* MN_PF_* */
    uint32_t dx_first; /* into PDXKEY/PDXMETA */
    uint32_t n_covered;
    uint32_t n_noncovered;
    uint32_t n_notsup;
    uint32_t grp_first; /* into PGROUP */
    uint32_t n_groups;
    uint32_t pad;
} kb_policy;

/* Code-to-policy index entry. The policy's kind, id, dates and states are
 * copied in so that selecting the policies for a line reads this array
 * sequentially and touches only the policies that apply. */
typedef struct kb_pcode {
    uint64_t code;
    uint64_t states; /* = policy states */
    uint32_t policy;
    uint32_t group;
    int32_t effective; /* = policy effective */
    int32_t ending;    /* = policy ending */
    uint32_t kind;     /* = policy kind */
    uint32_t id_off;   /* = policy id.off: versions of a policy share it */
} kb_pcode;

/* PDXMETA word: list (8 bits) | asterisk (8 bits) | group (16 bits). */
#define KB_DX_LIST(m) ((m) >> 24)
#define KB_DX_AST(m) (((m) >> 16) & 0xff)
#define KB_DX_GROUP(m) ((m)&0xffff)
#define KB_DX_META(list, ast, group)                                           \
    (((uint32_t)(list) << 24) | ((uint32_t)(ast) << 16) |                      \
     ((uint32_t)(group)&0xffff))

enum {
    KB_GF_HAS_ASTERISK = 1,  /* some code of the group carries '*' */
    KB_GF_SECONDARY_ONLY = 2 /* codes only count with a partner group */
};

typedef struct kb_group {
    uint32_t policy;
    uint16_t list;
    uint16_t group;
    uint32_t flags;    /* KB_GF_* */
    uint32_t partners; /* bit g-1: group g is a partner */
    kb_str paragraph;
} kb_group;

/* Rule kinds (build/writer/rules.c). */
enum {
    KB_RULE_NCD_INVERTED = 1,
    KB_RULE_GROUP_REQUIRES,
    KB_RULE_GROUP_SECONDARY_ONLY,
    KB_RULE_GROUP_STANDALONE,
    KB_RULE_STATUTORY /* the policy defines a statutory exclusion: a line
                         it does not cover is excluded (reason) */
};

typedef struct kb_rule {
    uint32_t kind;
    uint32_t policy_kind;
    kb_str rule_id;
    kb_str policy_id;
    kb_str source;
    kb_str pack;
    int32_t effective;
    int32_t ending;
    uint32_t group;
    uint32_t partners;
    kb_str reason; /* KB_RULE_STATUTORY: what the statute excludes */
} kb_rule;

#endif
