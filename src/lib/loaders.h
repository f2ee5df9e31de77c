/*
 * loaders.h: source files in their official layouts -> the KB builder.
 *
 * build.c finds the files (folders, ZIP members, .gz), recognises each by
 * name and header, and calls one loader per file (or per MCD download set).
 * A loader never drops a row silently: each row is loaded or counted as
 * skipped with a reason in its report.
 */
#ifndef MN_LOADERS_H
#define MN_LOADERS_H

#include "kbb.h"
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
 * with `path` (csvtab.c). */
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
} mn_src;

#define MN_REPORT_MAX_REASONS 16

/* What one file contributed. */
typedef struct mn_report {
    const char *layout; /* static string naming the layout */
    char note[256];
    size_t rows;
    size_t skipped;
    size_t n_reasons;
    struct {
        char text[160];
        size_t count;
    } reasons[MN_REPORT_MAX_REASONS];
} mn_report;

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
/* HCPCS Level II: the ANWEB fixed-width file, or the CSV record layout. */
int mn_x__load_hcpcs(mn_kbb *b, const mn_src *src, int data_year,
                     mn_report *rep, mn_error *err);
/* MCE age/sex/manifestation edits: the v41 CSV or the simple-edits TSV. */
int mn_x__load_mce(mn_kbb *b, const mn_src *src, mn_report *rep, mn_error *err);
/* NCCI MUE, PTP or add-on code table (CMS or shared CSV layout, told by
 * the header). A header of no NCCI layout leaves rep->layout NULL with the
 * reason in rep->note and returns MN_OK (load_ncci.c). */
int mn_x__load_ncci(mn_kbb *b, const mn_src *src, mn_report *rep,
                    mn_error *err);
/* Lab NCD code lists (ncd_codes.csv) and, if given, ncd_meta.csv. */
int mn_x__load_lab_ncd(mn_kbb *b, const mn_src *codes, const mn_src *meta,
                       mn_report *rep, mn_report *meta_rep, mn_error *err);
/* True when `name` is one of the MCD download tables. */
bool mn_x__mcd_table_name(const char *name);
/* One MCD download set (the tables of one folder or ZIP), `n` files with
 * one report each, in the same order. */
int mn_x__load_mcd_set(mn_kbb *b, const mn_src *files, size_t n,
                       mn_report *reports, mn_error *err);

/* True for the name of an OPPS Addendum E file (load_ipo.c). */
bool mn_x__ipo_name(const char *name);
/* The inpatient-only list of one calendar year, as a service rule. */
int mn_x__load_ipo(mn_kbb *b, const mn_src *src, mn_report *rep, mn_error *err);

#endif
