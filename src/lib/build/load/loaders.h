/*
 * build/load/loaders.h: source files in their official layouts -> the KB
 * builder.
 *
 * build/build.c finds the files (folders, ZIP members, .gz), recognises each by
 * name and header, and calls one loader per file (or per MCD download set).
 * A loader never drops a row silently: each row is loaded or counted as
 * skipped with a reason in its report.
 */
#ifndef MN_BUILD_LOADERS_H
#define MN_BUILD_LOADERS_H

#include "build/writer/kbb.h"
#include "mednec/csv.h"

/* A column a CSV loader binds by header name (case-insensitive, trimmed). */
typedef struct mn_colspec {
    const char *name;  /* lower case */
    const char *alias; /* another header name, or NULL */
    bool required;     /* a missing required column is an error */
} mn_colspec;
#define MN_NO_COL SIZE_MAX

/* Reads the header record of `csv` and binds each of `cols` to its field
 * index in idx[] (MN_NO_COL when absent). *empty is set for a file without
 * any record. Errors: "missing column X" at path:1:1, or the CSV error
 * with `path` (build/load/csvtab.c). */
int mn_x__csv_bind(mn_csv *csv, const char *path, const mn_colspec *cols,
                   size_t ncols, size_t *idx, bool *empty, mn_error *err);
/* True when every field of the current record is blank. */
bool mn_x__csv_blank(const mn_csv *csv);
/* `s` (trimmed) equals the lower-case `word`, ignoring ASCII case. */
bool mn_x__word_is(const char *s, size_t len, const char *word);

/* One source file, fully read (and decompressed) into memory. */
typedef struct mn_src {
    const char *path; /* for messages: "dir/file.csv", "a.zip!b.csv" */
    const char *name; /* base name, lower case, ".gz" removed */
    const char *data;
    size_t len;
    int32_t date; /* the file's date given at build (mn_build_set_source_
                     date), days since 1970-01-01; 0 when none (no
                     source is that old) */
} mn_src;

#define MN_REPORT_MAX_REASONS 16

/* What one file contributed. */
typedef struct mn_report {
    const char *layout; /* static string naming the layout */
    char note[768];
    size_t rows;
    size_t skipped;
    size_t n_reasons;
    struct {
        char text[160];
        size_t count;
    } reasons[MN_REPORT_MAX_REASONS];
    /* the period the file covers, recorded in the KB's coverage table by
       build/build.c (cover_kind 0: nothing to record) */
    int cover_kind;       /* mn_source_kind */
    unsigned cover_flags; /* KB_CF_* */
    int32_t cover_from;   /* MN_NODATE: open or unknown */
    int32_t cover_to;
    char cover_label[32];
} mn_report;

/* Sets the period a file covers (see mn_report). */
void mn_x__report_cover(mn_report *r, int kind, unsigned flags, int32_t from,
                        int32_t to, const char *label);

/* Counts one skipped row under `reason` (a short static phrase; the
 * first example's record number may be appended by the caller). */
void mn_x__report_skip(mn_report *r, const char *reason, size_t record);
/* Counts a row that was loaded without one of its fields (an unknown
 * code value, say) under `reason`: the row stays in `rows`, the reason
 * is listed, and `skipped` (rows not loaded) is unchanged. */
void mn_x__report_field(mn_report *r, const char *reason, size_t record);

/* ICD-10-CM: the CDC fixed-width order file, or the CSV layouts of the
 * shared data (order CSV with dotted codes; the code/description CSV).
 * `fy` is the fiscal year taken from the file name or the override. */
int mn_x__load_icd(mn_kbb *b, const mn_src *src, int fy, mn_report *rep,
                   mn_error *err);
/* The same for the version in force from `effective` (an April update...:
 * kbb.h mn_x__kbb_icd_at). */
int mn_x__load_icd_at(mn_kbb *b, const mn_src *src, int32_t effective,
                      mn_report *rep, mn_error *err);
/* HCPCS Level II: the ANWEB fixed-width file, or the CSV record layout. */
int mn_x__load_hcpcs(mn_kbb *b, const mn_src *src, int data_year,
                     mn_report *rep, mn_error *err);
/* MCE age/sex/manifestation edits: the v41 CSV or the simple-edits TSV. */
int mn_x__load_mce(mn_kbb *b, const mn_src *src, mn_report *rep, mn_error *err);
/* NCCI MUE, PTP or add-on code table (CMS or shared CSV layout, told by
 * the header). A header of no NCCI layout leaves rep->layout NULL with the
 * reason in rep->note and returns MN_OK (build/load/load_ncci.c). */
int mn_x__load_ncci(mn_kbb *b, const mn_src *src, mn_report *rep,
                    mn_error *err);
/* Lab NCD code lists (ncd_codes.csv) and, if given, ncd_meta.csv. */
int mn_x__load_lab_ncd(mn_kbb *b, const mn_src *codes, const mn_src *meta,
                       mn_report *rep, mn_report *meta_rep, mn_error *err);
/* True when `name` is a table of the MCD export (or the MCD documents
 * index, documents_latest_*.csv). */
bool mn_x__mcd_table_name(const char *name);
/* True when the MCD loader reads the table `name`; the export's other
 * tables are only listed, with the reason they are not used. */
bool mn_x__mcd_table_read(const char *name);
/* The MCD set of a build: every MCD table given (build/load/load_mcd.c),
 * `n` files with one report each, in the same order. */
int mn_x__load_mcd_set(mn_kbb *b, const mn_src *files, size_t n,
                       mn_report *reports, mn_error *err);

/* The compact code lists of the built-in KB (data/builtin/mednec_*.txt;
 * build/load/load_compact.c): ICD-10-CM versions, HCPCS Level II codes or
 * modifiers, told by the first line. */
int mn_x__load_compact(mn_kbb *b, const mn_src *src, mn_report *rep,
                       mn_error *err);
/* The layout a compact list's first line names, or NULL. */
const char *mn_x__compact_layout(const char *data, size_t len);
/* HCPCS Level II modifiers, CSV with mod_code and mod_description (the
 * shared data's codes/hcpcs_modifiers.csv). */
int mn_x__load_modifiers(mn_kbb *b, const mn_src *src, mn_report *rep,
                         mn_error *err);

/* True for the name of an OPPS Addendum E file (build/load/load_ipo.c). */
bool mn_x__ipo_name(const char *name);
/* The inpatient-only list of one calendar year, as a service rule. */
int mn_x__load_ipo(mn_kbb *b, const mn_src *src, mn_report *rep, mn_error *err);

/*
 * Name helpers (names.c). All take lower-case, .gz-less base names.
 */

/* Fiscal year from an ICD-10-CM file name: "icd10cm_order_2024.txt" and
 * "icd10cm_fy2024.csv" give 2024, "icd10cm-order-jan-2021.txt" 2021,
 * "icd10cm-order-oct-2020.txt" 2021. 0 when the name has no year. */
int mn_x__icd_fy_from_name(const char *name);
/* Effective date from an ICD-10-CM file name: a month with a year
 * ("icd10cm-order-jan-2021.txt": 2021-01-01; "april_1_2023": 2023-04-01),
 * a date ("2023-04-01", "20230401"), else October 1 before the fiscal
 * year of mn_x__icd_fy_from_name. MN_NODATE when the name has no year. */
int32_t mn_x__icd_effective_from_name(const char *name);

/* The first 4-digit year (1990-2099) in `name`, or 0. */
int mn_x__year_in_name(const char *name);

/* Glob match of a lower-case name: '*' any run, '#' one digit, '?' one
 * character; '-' and '_' in the name both match '_' in the pattern. */
bool mn_x__name_match(const char *pattern, const char *name);

/*
 * Loader helpers (names.c).
 */

/* Index of the header field `name` (ASCII case-insensitive, trimmed) in
 * the current record of `csv`, or -1. */
int mn_x__csv_col(const mn_csv *csv, const char *name);

/* The next line of `data` from *pos (LF or CR LF ended; CR removed).
 * Returns false at the end. */
bool mn_x__next_line(const char *data, size_t len, size_t *pos,
                     const char **line, size_t *line_len);

/* Puts `src->path` in `err->where` (keeping the position) and returns
 * `rc`. */
int mn_x__src_fail(mn_error *err, const mn_src *src, int rc);

/* Reads the first record of a CSV (or TSV when `delim` is a tab, with no
 * quoting). On success the header is the current record of `*out`. */
int mn_x__csv_open(mn_csv **out, const char *data, size_t len, char delim,
                   mn_error *err);

/*
 * Header sniffers: the layout a file's first line(s) match, as the static
 * name the loader puts in its report, or NULL.
 */
const char *mn_x__icd_layout(const char *data, size_t len);
const char *mn_x__hcpcs_layout(const char *data, size_t len);
const char *mn_x__mce_layout(const char *data, size_t len);

/* Newest year among the date_added / date_action fields of a HCPCS
 * Level II CSV (its data year), 0 when there is none, -1 when out of
 * memory. */
int mn_x__hcpcs_csv_year(const mn_src *src);

/* Layout names returned by the sniffers (compared by address). */
extern const char mn_x__layout_icd_order_txt[];
#define MN_LAYOUT_ICD_ORDER_TXT mn_x__layout_icd_order_txt
extern const char mn_x__layout_icd_codes_txt[];
#define MN_LAYOUT_ICD_CODES_TXT mn_x__layout_icd_codes_txt
extern const char mn_x__layout_icd_order_csv[];
#define MN_LAYOUT_ICD_ORDER_CSV mn_x__layout_icd_order_csv
extern const char mn_x__layout_icd_code_csv[];
#define MN_LAYOUT_ICD_CODE_CSV mn_x__layout_icd_code_csv
extern const char mn_x__layout_hcpcs_anweb[];
#define MN_LAYOUT_HCPCS_ANWEB mn_x__layout_hcpcs_anweb
extern const char mn_x__layout_hcpcs_csv[];
#define MN_LAYOUT_HCPCS_CSV mn_x__layout_hcpcs_csv
extern const char mn_x__layout_hcpcs_desc[];
#define MN_LAYOUT_HCPCS_DESC mn_x__layout_hcpcs_desc
extern const char mn_x__layout_mce_csv[];
#define MN_LAYOUT_MCE_CSV mn_x__layout_mce_csv
extern const char mn_x__layout_mce_tsv[];
#define MN_LAYOUT_MCE_TSV mn_x__layout_mce_tsv
/* A sniffer ran out of memory: not a verdict on the file. */
extern const char mn_x__layout_nomem[];
#define MN_LAYOUT_NOMEM mn_x__layout_nomem

#endif
