/*
 * build/load/mcd_int.h: the state the MCD export loader shares between
 * its table reader (load_mcd.c) and its placement of policies
 * (mcd_place.c). Internal to build/load.
 */
#ifndef MN_BUILD_LOAD_MCD_INT_H
#define MN_BUILD_LOAD_MCD_INT_H

#include "build/load/loaders.h"
#include "mednec/csv.h"

#define MCD_MAX_COLS 12
#define MCD_ID_MAX 24
#define MCD_MAX_MACS 8

/* The two kinds of document a table can refer to. */
typedef struct mcd_doc_kind {
    int kind;    /* MN_PK_* */
    char prefix; /* display id prefix */
    const char *id_col;
    const char *ver_col;
    const char *bad_id; /* skip reasons */
    const char *undeclared;
} mcd_doc_kind;

extern const mcd_doc_kind mn_x__mcd_article;
extern const mcd_doc_kind mn_x__mcd_lcd;

typedef struct mcd_docver {
    unsigned long id;
    unsigned long version;
} mcd_docver;

/* A declared document version (article.csv, lcd.csv) and its end date. */
typedef struct mcd_docend {
    mcd_docver d;
    int32_t end;   /* MN_NODATE: open */
    int32_t flags; /* MCD_DOC_* */
} mcd_docend;
enum { MCD_DOC_TITLED = 1 };

/* A document version met only in other tables than article.csv/lcd.csv. */
typedef struct mcd_seen {
    mcd_docver d;
    int kind;
    int pad;
} mcd_seen;

/* contractor.csv: one contractor version. */
typedef struct mcd_contractor {
    unsigned long id;
    unsigned long type;
    unsigned long version;
    unsigned long region; /* dmerc_rgn (DME region id), 0 when none */
    size_t record;        /* CSV record of the row */
    bool fresh;           /* from the table being read */
    char *number;
} mcd_contractor;

/* contractor_jurisdiction.csv: a state or part a contractor version
 * serves, from `active` to `term`. */
typedef struct mcd_cjur {
    unsigned long id;
    unsigned long type;
    unsigned long version;
    unsigned long state_id;
    int32_t active;
    int32_t term;
} mcd_cjur;

/* A lookup pair: state_lookup (state_id -> state << 8 | part code),
 * state_x_region (state_id -> region), contractor_type_lookup (type id ->
 * KB_CT_* class). */
typedef struct mcd_pair {
    unsigned long key;
    unsigned long value;
} mcd_pair;

/* article_x_contractor / lcd_x_contractor: a document version and one of
 * its contractors. */
typedef struct mcd_link {
    int kind;
    unsigned long id;
    unsigned long version;
    unsigned long cid;
    unsigned long ctype;
    unsigned long cver;
} mcd_link;

/* article_related_documents / lcd_related_documents: an article version
 * and an LCD (version -1 when not given). */
typedef struct mcd_rel {
    unsigned long art;
    unsigned long art_ver;
    unsigned long lcd;
    long lcd_ver;
    unsigned flags; /* KB_PA_F_* */
} mcd_rel;

/* A document of the documents index. */
typedef struct mcd_index {
    int kind;
    unsigned long id;
    unsigned long version;
    size_t record;
    unsigned classes; /* bit c: a contractor type of class KB_CT_c */
    bool unknown;     /* a company or type this build cannot place */
    const char *macs[MCD_MAX_MACS];
    size_t n_macs;
    char *title;
    char *url;
} mcd_index;

/* ncd_trkg.csv: the newest version of each NCD manual section. */
typedef struct mcd_ncd {
    char *section;
    unsigned long ncd_id;
    unsigned long version;
    char *title;
} mcd_ncd;

/* *_future_retire.csv: the day a document retires. */
typedef struct mcd_retire {
    int kind;
    unsigned long id;
    int32_t date;
} mcd_retire;

/* Loader state for one MCD set (every table of one build). */
typedef struct mcd {
    mn_kbb *b;
    const mn_src *src; /* the file being read */
    mn_report *rep;    /* its report */
    mn_csv *csv;
    size_t idx[MCD_MAX_COLS]; /* field index of each colspec, or NO_COL */
    const mcd_doc_kind *dk;   /* document kind of the current table */
    int list;                 /* MN_DL_* of the current ICD table */
    mn_vec contractors;       /* mcd_contractor, sorted */
    mn_vec articles;          /* mcd_docend declared in article.csv, sorted */
    mn_vec lcds;              /* mcd_docend declared in lcd.csv, sorted */
    mn_vec undeclared;        /* mcd_seen: met only in other tables */
    mn_vec scratch;           /* NUL-terminated copies */
    mn_vec ctypes;            /* mcd_pair, sorted */
    mn_vec states;            /* mcd_pair, sorted */
    mn_vec regions;           /* mcd_pair state_x_region, sorted */
    mn_vec cjur;              /* mcd_cjur, sorted */
    mn_vec links;             /* mcd_link, sorted */
    mn_vec rels;              /* mcd_rel, sorted */
    mn_vec index;             /* mcd_index, sorted */
    mn_vec ncds;              /* mcd_ncd */
    mn_vec retire;            /* mcd_retire */
    mn_vec url_types;         /* mcd_pair: url type id -> scratch offset */
    bool have_cjur;           /* contractor_jurisdiction.csv was given */
    bool have_states;         /* state_lookup.csv was given */
    bool have_regions;        /* state_x_region.csv was given */
    bool have_ctypes;         /* contractor_type_lookup.csv was given */
    bool have_index;          /* a documents index was given */
    mn_report *rep_article;   /* reports that carry the placement notes */
    mn_report *rep_lcd;
    mn_report *rep_cjur;
    mn_report *rep_index;
    mn_report *rep_ncd;
    /* counters for the note of the current file */
    size_t n_undeclared;
    size_t unknown_icd;
    size_t asterisks;
    size_t ranges;
    size_t range_codes;
    size_t merged; /* rows another copy of the table already gave */
} mcd;

typedef int (*mcd_row_fn)(mcd *m);

/* load_mcd.c helpers the placement uses. */
void mn_x__mcd_note(mn_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void mn_x__mcd_skip(mcd *m, const char *reason);
const char *mn_x__mcd_fld(const mcd *m, int c, size_t *len);
bool mn_x__mcd_num(const char *s, size_t len, unsigned long dflt,
                   unsigned long *out);
bool mn_x__mcd_date(const char *s, size_t len, int32_t *out);
int mn_x__mcd_each_row(mcd *m, const mn_colspec *cols, size_t ncols,
                       mcd_row_fn row, mn_error *err);
const char *mn_x__mcd_doc_key(const mcd *m, mcd_docver *out);
void mn_x__mcd_doc_id(char out[MCD_ID_MAX], const mcd_doc_kind *dk,
                      unsigned long id);
int mn_x__mcd_cmp_docver(const void *a, const void *b);

/* mcd_place.c: the tables that place policies, and the placement. */
int mn_x__mcd_contractor_types(mcd *m, mn_error *err);
int mn_x__mcd_state_lookup(mcd *m, mn_error *err);
int mn_x__mcd_state_regions(mcd *m, mn_error *err);
int mn_x__mcd_jurisdictions(mcd *m, mn_error *err);
int mn_x__mcd_doc_contractors(mcd *m, mn_error *err);
int mn_x__mcd_related(mcd *m, bool lcd_table, mn_error *err);
int mn_x__mcd_documents_index(mcd *m, mn_error *err);
/* The contractor of a key (0 type or version matches any), or NULL. */
const mcd_contractor *mn_x__mcd_contractor(const mcd *m, unsigned long id,
                                           unsigned long type,
                                           unsigned long version);
/* Places every policy version of the set, adds contractor places and the
 * related-document attachments, and writes the notes. */
int mn_x__mcd_place(mcd *m, mn_error *err);
/* Frees what the placement tables hold. */
void mn_x__mcd_place_free(mcd *m);

#endif
