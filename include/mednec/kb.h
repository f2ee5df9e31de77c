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
    size_t icd_years;
    int icd_first_fy;
    int icd_last_fy;
    size_t hcpcs_codes;
    size_t mce_edits;
    size_t policies;
    size_t policy_codes;
    size_t policy_dx;
    size_t rules;
} mn_kb_stats;
#define MN_KB_STATS_VERSION 1

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
} mn_build_options;
#define MN_BUILD_OPTIONS_VERSION 1
#define MN_BUILD_OPTIONS_INIT                                                  \
    {                                                                          \
        MN_BUILD_OPTIONS_VERSION, 0, 0, NULL, NULL, NULL                       \
    }

/** Starts a build. `opts` may be NULL. Not thread-safe. */
MN_API int mn_build_new(mn_build **out, const mn_build_options *opts,
                        mn_error *err);
MN_API void mn_build_free(mn_build *b);

/**
 * Adds a file or a folder (searched recursively). Files are recognised by
 * name and header; ZIP archives and .gz files are read directly. Sources
 * are only queued here; they are read by mn_build_finish.
 */
MN_API int mn_build_add_path(mn_build *b, const char *path, mn_error *err);

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
 * reason, MN_ENOTFOUND for a missing folder) and of the build.
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
