/*
 * mednec/csv.h: a strict, bounded CSV (RFC 4180) and TSV record reader.
 *
 * Reads records from a buffer the caller owns (it must outlive the reader).
 * Quoted fields may hold delimiters, doubled quotes and line breaks. A
 * leading UTF-8 byte-order mark is skipped. CR LF and LF both end records.
 * Every error carries the line and column where it was found. Not
 * thread-safe; one reader per thread. Locale-independent.
 */
#ifndef MEDNEC_CSV_H
#define MEDNEC_CSV_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mn_csv mn_csv;

typedef struct mn_csv_options {
    unsigned version;
    char delimiter;    /* ',' by default; '\t' for TSV */
    char quote;        /* '"' by default; set no_quote for none */
    int no_quote;      /* quotes are ordinary characters (plain TSV) */
    size_t max_fields; /* per record, default 512 */
    size_t max_field;  /* bytes per field, default 1 MiB */
} mn_csv_options;
#define MN_CSV_OPTIONS_VERSION 1
#define MN_CSV_OPTIONS_INIT                                                    \
    {                                                                          \
        MN_CSV_OPTIONS_VERSION, ',', '"', 0, 0, 0                              \
    }

/** Creates a reader over `data`. `opts` may be NULL. */
MN_API int mn_csv_new(mn_csv **out, const char *data, size_t len,
                      const mn_csv_options *opts, mn_error *err);
MN_API void mn_csv_free(mn_csv *csv);

/**
 * Reads the next record. Returns 1 when a record was read, 0 at the end of
 * the input, or MN_EINVAL (broken quoting) / MN_ELIMIT (too many fields,
 * field too long) with the line and column in `err`. After an error the
 * reader stays at the end of the input.
 */
MN_API int mn_csv_next(mn_csv *csv, mn_error *err);

/** Fields of the current record. */
MN_API size_t mn_csv_count(const mn_csv *csv);
/** Field `i` (unquoted, NUL-terminated), borrowed until the next call.
 * Returns "" with *len 0 past the last field. `len` may be NULL. */
MN_API const char *mn_csv_field(const mn_csv *csv, size_t i, size_t *len);
/** 1-based line where the current record starts. */
MN_API size_t mn_csv_line(const mn_csv *csv);
/** 1-based number of the current record (the header is record 1). */
MN_API size_t mn_csv_record(const mn_csv *csv);

#ifdef __cplusplus
}
#endif
#endif
