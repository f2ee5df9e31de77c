/*
 * mednec/kb.h: the compiled knowledge base and how it is built.
 *
 * A knowledge base (KB) is one immutable file: a header (magic, format
 * version, endianness, section table, checksum) and sections that refer to
 * their own contents by offset. mn_kb_open maps it read-only and validates
 * all of it before returning; the handle may then be shared by any number
 * of threads without locks.
 */
#ifndef MEDNEC_KB_H
#define MEDNEC_KB_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mn_kb mn_kb;

/**
 * Maps and validates the KB file at `path`. On success `*out` belongs to the
 * caller (mn_kb_free). Errors: MN_EIO (cannot read), MN_EBADKB (corrupt,
 * truncated, checksum), MN_EVERSION (another format version), MN_ENOMEM.
 */
MN_API int mn_kb_open(mn_kb **out, const char *path, mn_error *err);

/**
 * As mn_kb_open, but reads the file into memory instead of mapping it: the
 * file may then be overwritten in place (`cp new.mnkb kb.mnkb`) while the
 * handle is in use, which would fault a mapping's reads (SIGBUS). For
 * long-running processes (mednec serve); costs the file's size in memory
 * and the time to read it.
 */
MN_API int mn_kb_open_read(mn_kb **out, const char *path, mn_error *err);

/**
 * Validates a KB held in memory. The bytes are copied when `copy` is
 * non-zero, else borrowed and must outlive the handle.
 */
MN_API int mn_kb_open_buffer(mn_kb **out, const void *data, size_t len,
                             int copy, mn_error *err);

/** The KB compiled into the library: the built-in rule packs only. */
MN_API int mn_kb_open_builtin(mn_kb **out, mn_error *err);

/** Unmaps and frees. NULL is accepted. */
MN_API void mn_kb_free(mn_kb *kb);
/** The knowledge-base file format this library reads and writes. */
MN_API unsigned mn_kb_format(void);

/** Content version (hex digest of the payload). Borrowed. Thread-safe. */
MN_API const char *mn_kb_version(const mn_kb *kb);
/** Build stamp (YYYY-MM-DD; see docs/kb.md). Borrowed. Thread-safe. */
MN_API const char *mn_kb_built(const mn_kb *kb);
/** Where the KB came from (path, "builtin" or "memory"). Borrowed. */
MN_API const char *mn_kb_source(const mn_kb *kb);

/** Counts of what a KB holds, for `mednec kb info` and tests. */
typedef struct mn_kb_stats {
    unsigned version;
    size_t bytes;
    size_t icd_codes;
    size_t icd_years; /**< ICD-10-CM versions (an April update is one) */
    int icd_first_fy;
    int icd_last_fy;
    size_t hcpcs_codes;
    size_t mce_edits;
    size_t policies;
    size_t policy_codes;
    size_t policy_dx;
    size_t rules; /**< policy rules and service rules */
    /* version 2 */
    size_t hcpcs_modifiers;
    size_t ncci_ptp; /**< PTP edit records (both tables) */
    size_t ncci_mue; /**< MUE rows (all services) */
    size_t ncci_aoc; /**< add-on code rows */
    size_t coverage; /**< records of mn_kb_coverage_at */
} mn_kb_stats;
#define MN_KB_STATS_VERSION 2

/**
 * Fills `out` (every field, version MN_KB_STATS_VERSION) with the counts
 * of `kb`; all zero for a NULL `kb`. Thread-safe.
 */
MN_API void mn_kb_get_stats(mn_kb_stats *out, const mn_kb *kb);

/**
 * The HCPCS Level II long description of `code` (a letter and four
 * digits, upper or lower case), or NULL when the KB has none, the code is
 * not of that shape, or an argument is NULL. CPT (Level I) codes always
 * give NULL: their descriptors are AMA copyright and never stored.
 * Borrowed from the KB (lives as long as it). Thread-safe.
 */
MN_API const char *mn_kb_hcpcs_description(const mn_kb *kb, const char *code);

/**
 * The ICD-10-CM long description of `code` (dotted or not), from the
 * newest year the KB holds, or NULL when the KB has none or an argument
 * is NULL. Borrowed from the KB. Thread-safe.
 */
MN_API const char *mn_kb_icd_description(const mn_kb *kb, const char *code);

/*
 * Data coverage: which dates each kind of source covers (docs/kb.md,
 * "Dates covered"). A check whose line falls outside what the KB covers
 * for something it needs gives `indeterminate` (edit kb.outside_range or
 * kb.no_code_set), never a denial.
 */

/** Kinds of source a KB is compiled from. Values are stable. */
typedef enum mn_source_kind {
    MN_SOURCE_ICD10CM = 1,           /**< ICD-10-CM code set, per version */
    MN_SOURCE_HCPCS = 2,             /**< HCPCS Level II codes, per data year */
    MN_SOURCE_HCPCS_MODIFIERS,       /**< HCPCS Level II modifier list */
    MN_SOURCE_MCE,                   /**< Medicare Code Editor, per version */
    MN_SOURCE_MCD,                   /**< MCD LCDs and billing articles */
    MN_SOURCE_LAB_NCD,               /**< lab NCD code lists */
    MN_SOURCE_NCCI_PTP_PRACTITIONER, /**< NCCI PTP, per quarter */
    MN_SOURCE_NCCI_PTP_HOSPITAL,
    MN_SOURCE_NCCI_MUE_PRACTITIONER, /**< NCCI MUE, per quarter */
    MN_SOURCE_NCCI_MUE_HOSPITAL,
    MN_SOURCE_NCCI_MUE_DME,
    MN_SOURCE_NCCI_AOC, /**< NCCI add-on code edits, per quarter */
    MN_SOURCE_IPO,      /**< OPPS inpatient-only list, per year */
    MN_SOURCE_RULES,    /**< a rule pack (label: the pack's name) */
    MN_SOURCE_KIND_END_ /**< one past the last kind */
} mn_source_kind;

/** Stable short name of a kind ("icd10cm", "ncci_mue_practitioner");
 * "unknown" for a value out of range. Static. */
MN_API const char *mn_source_kind_name(mn_source_kind kind);
/** A title for people ("ICD-10-CM", "NCCI MUE, practitioner services").
 * Static. */
MN_API const char *mn_source_kind_title(mn_source_kind kind);

#define MN_KB_COVERAGE_VERSION 1

/** One coverage record; filled by mn_kb_coverage_at. */
typedef struct mn_kb_coverage {
    unsigned version; /**< set by the caller: MN_KB_COVERAGE_VERSION */
    mn_source_kind kind;
    const char *label; /**< "FY2024", "2024", "2024Q3", pack name; never
                            NULL */
    /** first and last day covered (YYYY-MM-DD), NULL when open or
     * unknown; point into from_buf / to_buf */
    const char *from;
    const char *to;
    int dated;           /**< 0: the source's period is not known */
    int declared;        /**< rule packs: the period its `covers` statement
                              vouches for (0: the span of its rules) */
    size_t rows;         /**< rows loaded from its sources */
    const char *sources; /**< file names, "; "-separated ("" if none) */
    char from_buf[11];
    char to_buf[11];
} mn_kb_coverage;

/** Number of coverage records of `kb` (0 for NULL). Thread-safe. */
MN_API size_t mn_kb_coverage_count(const mn_kb *kb);

/**
 * Fills `out` with coverage record `i` (0 .. mn_kb_coverage_count - 1),
 * sorted by kind, then first day. Strings are borrowed from the KB (or
 * from `out`). `out->version` must be set. MN_EINVAL for a NULL argument,
 * an unknown version or `i` out of range. Thread-safe.
 */
MN_API int mn_kb_coverage_at(mn_kb_coverage *out, const mn_kb *kb, size_t i,
                             mn_error *err);

/**
 * Whether `kb` holds data of `kind` for `date` (YYYY-MM-DD): 1 some
 * record's period holds the date (an undated record holds every date), 0
 * the KB has data of that kind but none for the date, -1 the KB has no
 * data of that kind, MN_EINVAL (negative, below -1) for a bad date or
 * argument. For MN_SOURCE_RULES any pack counts. Thread-safe.
 */
MN_API int mn_kb_covers(const mn_kb *kb, mn_source_kind kind, const char *date);

/*
 * ICD-10-CM search, for type-ahead.
 */

/** One ICD-10-CM code found by mn_kb_icd_search. */
typedef struct mn_icd_hit {
    char code[10];           /**< dotted ("E11.65"), NUL-terminated */
    const char *description; /**< borrowed from the KB; "" when none */
    int billable;            /**< billable in the fiscal year searched */
} mn_icd_hit;

/** Options of mn_kb_icd_search. */
typedef struct mn_icd_search_options {
    unsigned version;
    /** YYYY-MM-DD: search the code set of that date's fiscal year; NULL:
     * the newest fiscal year in the KB */
    const char *date;
    /** non-zero: only codes billable in that year */
    int billable_only;
} mn_icd_search_options;
#define MN_ICD_SEARCH_OPTIONS_VERSION 1
#define MN_ICD_SEARCH_OPTIONS_INIT                                             \
    {                                                                          \
        MN_ICD_SEARCH_OPTIONS_VERSION, NULL, 0                                 \
    }

/**
 * Finds ICD-10-CM codes by code prefix and/or words. `query` (`len` bytes,
 * at most 256, no NUL needed) holds a code prefix ("E11", "e11.6",
 * "E116") and/or up to 8 words ("vitamin d def"); every word must occur
 * in the code's description, case-insensitively (ASCII). A code-shaped
 * token under which the KB has no code ("B12" in "vitamin b12") counts as
 * a word. With a prefix, hits come in code order; with words only, codes
 * whose description has each word at the start of one of its words come
 * first, then billable codes, then shorter descriptions, then code
 * order.
 *
 * Writes at most `max` (1 to 1000) hits to `out` and their count to
 * `*n`; `out[i].description` is borrowed from `kb`. A KB without
 * ICD-10-CM codes gives no hits. `opts` may be NULL.
 *
 * Errors: MN_EINVAL (NULL argument, max out of range, an empty query, a
 * bad date, an unknown options version), MN_ELIMIT (query too long, too
 * many words). No allocation. Thread-safe: the KB is only read.
 */
MN_API int mn_kb_icd_search(mn_icd_hit *out, size_t max, size_t *n,
                            const mn_kb *kb, const char *query, size_t len,
                            const mn_icd_search_options *opts, mn_error *err);

/*
 * Building.
 */

typedef struct mn_build mn_build;

/** What one source file contributed; passed to the report callback. */
typedef struct mn_build_file_report {
    const char *path;   /* file name, "zip!member" inside archives */
    const char *layout; /* recognised layout, or NULL when skipped */
    const char *note;   /* why it was not recognised, or extra detail */
    size_t rows;        /* rows loaded */
    size_t skipped;     /* rows not loaded (counted, never silent) */
    size_t n_reasons;
    const char *const *reasons; /* "N rows: reason" lines */
} mn_build_file_report;

typedef void (*mn_build_report_cb)(void *payload,
                                   const mn_build_file_report *report);

typedef struct mn_build_options {
    unsigned version;
    int no_builtin;      /* leave out the built-in rule packs */
    int icd_fy_override; /* non-zero: fiscal year for every ICD file */
    const char *built;   /* build stamp YYYY-MM-DD, NULL: see docs */
    mn_build_report_cb report;
    void *payload;
    /* version 2 */
    int allow_empty; /* write a KB even when no file was recognised and
                        no rule pack was added (built-in packs only) */
} mn_build_options;
#define MN_BUILD_OPTIONS_VERSION 2
#define MN_BUILD_OPTIONS_INIT                                                  \
    {                                                                          \
        MN_BUILD_OPTIONS_VERSION, 0, 0, NULL, NULL, NULL, 0                    \
    }

/** Starts a build. `opts` may be NULL; versions 1 and 2 are accepted
 * (version 1 has no allow_empty). Not thread-safe. */
MN_API int mn_build_new(mn_build **out, const mn_build_options *opts,
                        mn_error *err);
MN_API void mn_build_free(mn_build *b);

/**
 * Adds a file or a folder (searched recursively). Files are recognised by
 * name and header; ZIP archives and .gz files are read directly. Sources
 * are only queued here; they are read by mn_build_finish.
 */
MN_API int mn_build_add_path(mn_build *b, const char *path, mn_error *err);

/**
 * Gives the date of the files whose base name matches `pattern` (a glob,
 * case-insensitive: `*` any run, `?` one character, `#` one digit), for
 * sources whose name carries no date (docs/kb.md, "Dates covered"):
 * an ICD-10-CM file's effective date, a HCPCS file's year, an NCCI
 * file's quarter (the quarter holding the date), an MCD download's date.
 * `date` is YYYY-MM-DD. The first matching call wins. MN_EINVAL for a bad
 * date or an empty pattern, MN_ELIMIT past 64 patterns.
 */
MN_API int mn_build_set_source_date(mn_build *b, const char *pattern,
                                    const char *date, mn_error *err);

/** Adds a rule pack given as text (`name` is used in messages). */
MN_API int mn_build_add_rules(mn_build *b, const char *name, const char *text,
                              size_t len, mn_error *err);

/**
 * Reads every queued source, reports each file, and writes the KB to
 * `out_path` through mn_outfile (mednec/outfile.h): a temporary file
 * beside it, renamed into place, so the old KB stays whole until the new
 * one is complete. The output is checked before the build: a directory or
 * a device, FIFO or socket is refused (MN_EINVAL). Errors: those of
 * mn_outfile_open/write/commit (MN_EIO with the path and the system's
 * reason, MN_ENOTFOUND for a missing folder) and of the build;
 * MN_ENOTFOUND also when no file was recognised and no rule pack was
 * added, unless the options allow an empty KB: nothing is written then.
 */
MN_API int mn_build_write(mn_build *b, const char *out_path, mn_error *err);

/**
 * Same as mn_build_write but returns the KB bytes in `*out` (caller frees
 * with mn_kb_bytes_free).
 */
MN_API int mn_build_to_memory(void **out, size_t *out_len, mn_build *b,
                              mn_error *err);
MN_API void mn_kb_bytes_free(void *bytes);

/** Summary counts after a build: files seen, recognised, rows, skipped. */
typedef struct mn_build_summary {
    size_t files;
    size_t recognised;
    size_t unrecognised;
    size_t rows;
    size_t skipped;
    size_t kb_bytes;
} mn_build_summary;
MN_API void mn_build_get_summary(mn_build_summary *out, const mn_build *b);

#ifdef __cplusplus
}
#endif
#endif
