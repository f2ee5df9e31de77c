/*
 * sources.h: finding source files for a KB build (internal).
 *
 * sources.c walks folders (sorted by name), ZIP archives (members, and
 * ZIPs inside ZIPs up to MN_SRC_ZIP_DEPTH levels) and .gz files, and lists
 * every file it meets. Only the files a `want` callback asks for are read
 * (and decompressed) into memory; the others are listed by name so that
 * the build can still report them. Also declared here: the header sniffers
 * and name helpers the loaders share with build.c, and the functions of
 * rules.c and kbb.c that build.c calls.
 */
#ifndef MN_SOURCES_H
#define MN_SOURCES_H

#include "loaders.h"
#include "mednec/csv.h"

/* How deep ZIPs may nest (a ZIP in a folder is level 1). */
#define MN_SRC_ZIP_DEPTH 3
/* How deep folders may nest (guards against symbolic link loops). */
#define MN_SRC_DIR_DEPTH 32
/* Default cap on the (decompressed) size of one file: 1 GiB. */
#define MN_SRC_MAX_FILE ((size_t)1 << 30)

/* One file met while walking the queued paths. */
typedef struct mn_srcfile {
    char *path;      /* "dir/file.csv", "a.zip!b.zip!c.csv" */
    char *name;      /* base name, lower case, ".gz" removed */
    char *container; /* folder or "archive[!member dir]" holding it */
    char *data;      /* contents (NUL-terminated) or NULL if not read */
    size_t len;
    const char *note; /* static: why it was not read, or NULL */
} mn_srcfile;

/* The files met so far, in walk order. */
typedef struct mn_srclist {
    mn_srcfile *items;
    size_t n;
    size_t cap;
} mn_srclist;

/* Returns true when a file of this (lower-case, .gz-less) name should be
 * read into memory. */
typedef bool (*mn_src_want)(void *payload, const char *name);

/*
 * Adds the file or folder `path` (and everything under it) to `list`.
 * Files are read when `want` says so, each capped at `max_file` bytes
 * after decompression (0: MN_SRC_MAX_FILE). Errors: MN_ENOTFOUND (no such
 * path), MN_EIO (unreadable file, corrupt ZIP or gzip data), MN_ELIMIT
 * (a file over the cap, folders nested too deep), MN_ENOMEM; `err->where`
 * names the file. Files added before an error stay in `list`.
 */
int mn_x__sources_add(mn_srclist *list, const char *path, size_t max_file,
                      mn_src_want want, void *payload, mn_error *err);

/* Releases the data of one file early (it stays listed). */
void mn_x__sources_drop(mn_srcfile *f);

/* Frees every file and the list itself (NULL-safe, leaves it empty). */
void mn_x__sources_free(mn_srclist *list);

/*
 * Name helpers (sources.c). All take lower-case, .gz-less base names.
 */

/* Fiscal year from an ICD-10-CM file name: "icd10cm_order_2024.txt" and
 * "icd10cm_fy2024.csv" give 2024, "icd10cm-order-jan-2021.txt" 2021,
 * "icd10cm-order-oct-2020.txt" 2021. 0 when the name has no year. */
int mn_x__icd_fy_from_name(const char *name);

/* The first 4-digit year (1990-2099) in `name`, or 0. */
int mn_x__year_in_name(const char *name);

/* Glob match of a lower-case name: '*' any run, '#' one digit, '?' one
 * character; '-' and '_' in the name both match '_' in the pattern. */
bool mn_x__name_match(const char *pattern, const char *name);

/*
 * Loader helpers (sources.c).
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
