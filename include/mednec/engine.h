/*
 * mednec/engine.h: checking claims against a knowledge base.
 *
 * The KB is immutable and shared. A context (mn_ctx) holds one thread's
 * scratch memory: one per thread, never shared. A result lives in its
 * context until the next mn_check or mn_ctx_reset on that context.
 */
#ifndef MEDNEC_ENGINE_H
#define MEDNEC_ENGINE_H

#include "claim.h"
#include "common.h"
#include "kb.h"
#include "result.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mn_ctx mn_ctx;

struct mn_history_source; /* mednec/history.h */

/** Creates a context whose scratch memory may grow to `max_bytes`
 * (0: 256 MiB). */
MN_API int mn_ctx_new(mn_ctx **out, size_t max_bytes, mn_error *err);
MN_API void mn_ctx_free(mn_ctx *ctx);
/** Releases every result made in this context, keeping its memory. */
MN_API void mn_ctx_reset(mn_ctx *ctx);

/**
 * Checks every line of `claim`. `*out` is borrowed from `ctx` and read
 * through mednec/result.h; it holds copies of what it needs from the
 * claim (the claim may be freed) and borrows the KB's strings (keep the KB
 * open while the result is used). A failed edit is a finding in the
 * result, not an error; errors mean the check could not run (MN_EINVAL
 * for a NULL argument, MN_ENOMEM, MN_ELIMIT: the context's memory cap).
 * Thread-safe for distinct contexts.
 */
MN_API int mn_check(const mn_result **out, mn_ctx *ctx, const mn_kb *kb,
                    const mn_claim *claim, mn_error *err);

/** Options of mn_check_with. */
struct mn_crossclaim_view; /* mednec/crossclaim.h */

typedef struct mn_check_options {
    unsigned version;
    /* prior services of the claim's patient (besides the claim's own
     * `history`); NULL: none. Called once per claim with patient.id. */
    const struct mn_history_source *history;
    /* Version 2: the edits across claims (mednec/crossclaim.h). With
     * `cross_claims` set, MUE (MAI 2 and 3) and PTP edits count the
     * services of other claims of the claim's patient by the same
     * provider on the same date: those of `cross` (earlier claims of a
     * run; may be NULL) and those of `history` (a source of version 3 or
     * more gives providers). */
    int cross_claims;
    const struct mn_crossclaim_view *cross;
} mn_check_options;
#define MN_CHECK_OPTIONS_VERSION 2
#define MN_CHECK_OPTIONS_INIT                                                  \
    {                                                                          \
        MN_CHECK_OPTIONS_VERSION, NULL, 0, NULL                                \
    }

/**
 * mn_check with options: a history source for frequency rules. Errors of
 * the history source are passed up unchanged. Thread-safe for distinct
 * contexts when the history source is.
 */
MN_API int mn_check_with(const mn_result **out, mn_ctx *ctx, const mn_kb *kb,
                         const mn_claim *claim, const mn_check_options *opts,
                         mn_error *err);

/** Output formats. MN_FORMAT_BRIEF (an extension, one line of JSON per
 * claim): each line's status, date, provider, charge, units, pointed
 * diagnoses, and the edit ids, CARC, RARC and citation ids of its denial
 * and review findings (docs/interchange.md). */
typedef enum mn_format {
    MN_FORMAT_JSON = 0,
    MN_FORMAT_TEXT,
    MN_FORMAT_BRIEF
} mn_format;

/**
 * Appends the result (contract JSON, or a human summary) to `buf`. `kb`
 * may be NULL (the result's own KB is used); another KB than the result's
 * is MN_EINVAL. MN_ELIMIT when the buffer's maximum would be passed.
 */
MN_API int mn_result_render(mn_buf *buf, const mn_result *res, const mn_kb *kb,
                            mn_format format, mn_error *err);

/*
 * Lookup: the policies that govern a code and the diagnoses that support
 * it, for `mednec lookup`.
 */
typedef struct mn_lookup_options {
    unsigned version;
    const char *jurisdiction; /* NULL: every jurisdiction */
    const char *date;         /* YYYY-MM-DD, NULL: every version */
    size_t max_dx;            /* diagnoses listed per policy, 0: all */
} mn_lookup_options;
#define MN_LOOKUP_OPTIONS_VERSION 1
#define MN_LOOKUP_OPTIONS_INIT                                                 \
    {                                                                          \
        MN_LOOKUP_OPTIONS_VERSION, NULL, NULL, 0                               \
    }

/** Appends the lookup of `code` to `buf`. MN_EINVAL for a bad option. */
MN_API int mn_lookup(mn_buf *buf, const mn_kb *kb, const char *code,
                     const mn_lookup_options *opts, mn_format format,
                     mn_error *err);

#ifdef __cplusplus
}
#endif
#endif
