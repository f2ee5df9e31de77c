/*
 * mednec/csvclaim.h: claims as CSV, one row per service line.
 *
 * In: a header row names the columns (docs/interchange.md lists them:
 * claim_id, code, patient_id, birth_date, diagnoses, ...); the rows of
 * one claim share its claim_id and follow one another. Claim-level
 * columns (patient, payer, diagnoses...) may be repeated on every row of
 * the claim or given on its first row only; a later row that gives
 * another value is an error. The reader streams: it holds one claim.
 *
 * Out: mn_csvclaim_write_header / mn_csvclaim_write_result write one row
 * per line of a result (status, edit ids, CARC/RARC, citations...), read
 * through the result API.
 *
 * A reader is used by one thread at a time.
 */
#ifndef MEDNEC_CSVCLAIM_H
#define MEDNEC_CSVCLAIM_H

#include "claim.h"
#include "common.h"
#include "result.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mn_csvclaim mn_csvclaim;

/** One claim read, or why it could not be. */
typedef struct mn_csvclaim_item {
    /** the claim (the callback owns it: mn_claim_free), or NULL */
    mn_claim *claim;
    /** why there is no claim: the message with, in `where`, the file, the
     * row (`record`, 1-based, the header is row 1) and the column */
    const mn_error *error;
    const char *claim_id; /**< "" when the row had none */
    size_t first_row;     /**< the claim's first row */
    size_t rows;          /**< its rows */
} mn_csvclaim_item;

typedef int (*mn_csvclaim_cb)(void *payload, mn_csvclaim_item *item);

typedef struct mn_csvclaim_options {
    unsigned version;
    const char *name; /**< the input's name in errors */
    const mn_claim_options *claim_options;
    char delimiter;         /**< ',' by default; '\t' for TSV */
    size_t max_row;         /**< bytes of one row, default 1 MiB */
    mn_csvclaim_cb on_item; /**< required */
    void *payload;
} mn_csvclaim_options;
#define MN_CSVCLAIM_OPTIONS_VERSION 1
#define MN_CSVCLAIM_OPTIONS_INIT                                               \
    {                                                                          \
        MN_CSVCLAIM_OPTIONS_VERSION, NULL, NULL, ',', 0, NULL, NULL            \
    }

typedef struct mn_csvclaim_stats {
    size_t bytes;
    size_t rows; /**< data rows (the header not counted) */
    size_t claims;
    size_t failed;
    size_t blank;
} mn_csvclaim_stats;

/** Creates a reader; `opts->on_item` is required. Errors: MN_EINVAL,
 * MN_ENOMEM. */
MN_API int mn_csvclaim_new(mn_csvclaim **out, const mn_csvclaim_options *opts,
                           mn_error *err);
/**
 * Reads `len` bytes. A header that names an unknown column, lacks
 * claim_id or code, or repeats a column is an error of the call
 * (MN_EINVAL, with the column in `err`): nothing can be read. A row
 * longer than max_row is MN_ELIMIT, with its row in `err`: the reader
 * stops there (the claims before it were handed out). Returns also
 * MN_ENOMEM, or what the callback returned. A reader that failed is
 * spent: later calls return the same code.
 */
MN_API int mn_csvclaim_feed(mn_csvclaim *r, const char *data, size_t len,
                            mn_error *err);
/** Ends the input: the last row and claim are read and handed out. An
 * input without a header row is MN_EINVAL. Errors otherwise as for
 * feed. */
MN_API int mn_csvclaim_finish(mn_csvclaim *r, mn_error *err);
/** Frees the reader and any claim it holds. NULL is accepted. */
MN_API void mn_csvclaim_free(mn_csvclaim *r);
/** Copies the counts into `*out`. NULL arguments are ignored. */
MN_API void mn_csvclaim_get_stats(mn_csvclaim_stats *out, const mn_csvclaim *r);

/** Appends the header row of mn_csvclaim_write_result. */
MN_API int mn_csvclaim_write_header(mn_buf *out, mn_error *err);
/**
 * Appends one CSV row per line of `res`: claim_id, line, code, date,
 * status, abn, edits, carc, rarc, policies, diagnoses, provider, charge,
 * units, modifiers (lists separated by ';'), and an empty error column.
 * Errors: MN_EINVAL, MN_ELIMIT, MN_ENOMEM.
 */
MN_API int mn_csvclaim_write_result(mn_buf *out, const mn_result *res,
                                    mn_error *err);

/**
 * Appends the row that stands for a claim that could not be read: its id
 * (may be NULL), status "error" and the message in the last column.
 */
MN_API int mn_csvclaim_write_error(mn_buf *out, const char *claim_id,
                                   const char *message, mn_error *err);

#ifdef __cplusplus
}
#endif
#endif
