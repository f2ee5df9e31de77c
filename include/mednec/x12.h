/*
 * mednec/x12.h: X12 5010 in: claims (837P 005010X222A1, 837I
 * 005010X223A2) and remittances (835 005010X221A1).
 *
 * Both readers stream: feed them chunks of any size (a segment may span
 * chunks) and they call back once per claim, holding at most one claim
 * and one segment in memory, so memory stays flat on files of any size.
 * Separators are taken from each ISA (any characters; line breaks after
 * segments are allowed); several ISA/GS/ST envelopes may follow one
 * another. A transaction set without an envelope (the input starts at ST)
 * is read with the standard separators * : ^ ~.
 *
 * Problems in the input are not errors of the calls: each one is an
 * mn_x12_issue, located by file, interchange, group, transaction, segment
 * number and element, and the reader goes on with the next claim,
 * transaction or interchange. Errors keep what they concern from being
 * read (a claim, the claims under a provider or subscriber, a whole
 * transaction); warnings are reported and change nothing. Issue messages
 * never quote patient data: they name segments, elements, qualifiers and
 * envelope control numbers only.
 *
 * A reader is used by one thread at a time; distinct readers are
 * independent. See docs/interchange.md for what is read from where and
 * which checks are made.
 */
#ifndef MEDNEC_X12_H
#define MEDNEC_X12_H

#include "claim.h"
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Issues                                                              */
/* ------------------------------------------------------------------ */

/** How bad an issue is. */
typedef enum mn_x12_severity {
    /** what it concerns is not read: a claim, the claims of a loop, a
     * transaction set or an interchange */
    MN_X12_ERROR = 0,
    /** reported only: the data mednec reads is not affected */
    MN_X12_WARNING
} mn_x12_severity;

/** What kind of problem an issue is. */
typedef enum mn_x12_kind {
    /** separators, the ISA, segment identifiers, segment length */
    MN_X12_SYNTAX = 0,
    /** ISA/GS/ST/SE/GE/IEA: missing trailers, counts, control numbers;
     * transaction sets that are refused (other sets, 4010, other guides) */
    MN_X12_ENVELOPE,
    /** the guide's loop structure: a segment that fits no position, a
     * required segment, loop or element that is missing, a segment out of
     * order or repeated too often */
    MN_X12_STRUCTURE,
    /** a value mednec reads is not usable: a code of the wrong shape, a
     * date, an amount, a diagnosis pointer out of range */
    MN_X12_VALUE
} mn_x12_kind;

/**
 * One problem found in the input. Every string is NUL-terminated and
 * empty when unknown; numbers are 0 when unknown. Borrowed: valid during
 * the callback that hands it out (copy what you keep).
 */
typedef struct mn_x12_issue {
    mn_x12_severity severity;
    mn_x12_kind kind;
    /** MN_EINVAL (syntax, structure, values), MN_ELIMIT (a limit of the
     * options), MN_EVERSION (an X12 version or guide mednec does not
     * read, such as 4010), MN_ENOTFOUND (a transaction set that is not
     * what the reader reads: a 999, 277 or 270 given to the 837 reader) */
    int code;
    const char *message;     /**< one lower-case line */
    const char *file;        /**< the options' name */
    const char *interchange; /**< ISA13 control number */
    const char *group;       /**< GS06 control number */
    const char *transaction; /**< ST02 control number */
    /** 1-based number of the segment in the input (ISA is 1) */
    size_t segment;
    /** 1-based position in its transaction set (ST is 1) */
    size_t set_segment;
    const char *segment_id; /**< "CLM" */
    const char *loop;       /**< "2300" */
    size_t element;         /**< 1-based element position (CLM05: 5) */
    size_t component;       /**< 1-based component (CLM05-3: 3) */
    size_t line;            /**< 1-based line of the input */
    size_t offset;          /**< byte offset of the segment */
    /** CLM01 (835: CLP01) of the claim it concerns; it identifies a
     * patient's account: keep it out of logs */
    const char *claim_id;
} mn_x12_issue;

/**
 * Writes `issue` as one line into `out` (`size` bytes, always
 * NUL-terminated when size > 0) and returns `out`:
 * "claims.837: interchange 000000905, transaction 987654, segment 31
 * (CLM, loop 2300), element CLM05-1: required element missing". The claim
 * id is left out (it may go to a log). Thread-safe.
 */
MN_API const char *mn_x12_issue_format(char *out, size_t size,
                                       const mn_x12_issue *issue);

/** Called for every issue, in input order, as it is found. */
typedef void (*mn_x12_issue_cb)(void *payload, const mn_x12_issue *issue);

/* ------------------------------------------------------------------ */
/* 837 claims                                                          */
/* ------------------------------------------------------------------ */

typedef struct mn_x837 mn_x837;

/**
 * One claim of an 837, or the error that kept it (or a whole transaction
 * or interchange) from being read. Handed to the callback in input order.
 */
typedef struct mn_x837_item {
    /** the claim, or NULL when it was not read; the callback owns it and
     * frees it with mn_claim_free (or keeps it) */
    mn_claim *claim;
    /** why there is no claim: the first error in the claim or in a loop
     * above it, or an error of the transaction set or interchange when
     * claim_id is empty; NULL when `claim` is set */
    const mn_x12_issue *error;
    /** the errors that concern it (the first is `error`) */
    size_t errors;
    /** CLM01 as a one-line text (at most 63 bytes, control characters
     * as '?'; the claim's own id is CLM01 unchanged), "" for an envelope
     * error */
    const char *claim_id;
    const char *implementation; /**< "005010X222A1" or "005010X223A2" */
    /** 'P' professional, 'I' institutional; 0 for an envelope error */
    char kind;
    /** the claim frequency code (CLM05-3), 0 when none */
    char frequency;
    const char *interchange; /**< ISA13 */
    const char *transaction; /**< ST02 */
    size_t segment;          /**< the CLM segment's number in the input */
    /** service lines left out: 837I lines with a revenue code and no
     * HCPCS code, lines coded in another code set than HCPCS/CPT (each
     * of the latter also gives a warning) */
    size_t lines_skipped;
} mn_x837_item;

/**
 * Called once per item. Return MN_OK to go on; any other value stops the
 * reader, and mn_x837_feed / mn_x837_finish return it unchanged.
 */
typedef int (*mn_x837_cb)(void *payload, mn_x837_item *item);

typedef struct mn_x837_options {
    unsigned version;
    /** the input's name in issues (a file name); NULL: "" */
    const char *name;
    /** limits of each claim (NULL: the defaults) */
    const mn_claim_options *claim_options;
    size_t max_segment;  /**< bytes of one segment, default 65536 */
    size_t max_elements; /**< elements of one segment, default 128 */
    /** segments of one transaction set, default 50,000,000 */
    size_t max_set_segments;
    mn_x837_cb on_item;       /**< required */
    mn_x12_issue_cb on_issue; /**< may be NULL */
    void *payload;
} mn_x837_options;
#define MN_X837_OPTIONS_VERSION 1
#define MN_X837_OPTIONS_INIT                                                   \
    {                                                                          \
        MN_X837_OPTIONS_VERSION, NULL, NULL, 0, 0, 0, NULL, NULL, NULL         \
    }

/** What a reader has seen so far. Counts only. */
typedef struct mn_x837_stats {
    size_t bytes;
    size_t segments;
    size_t interchanges;
    size_t transactions;  /**< 837 transaction sets read */
    size_t refused_sets;  /**< other transaction sets, 4010, unknown guides */
    size_t claims;        /**< claims handed out */
    size_t claims_failed; /**< claims not read because of an error */
    size_t lines;         /**< service lines of the claims handed out */
    size_t lines_skipped;
    size_t errors;
    size_t warnings;
} mn_x837_stats;

/**
 * Creates a reader. `opts->on_item` is required. On success `*out`
 * belongs to the caller (mn_x837_free). Errors: MN_EINVAL (NULL argument,
 * no on_item, unknown options version), MN_ENOMEM.
 */
MN_API int mn_x837_new(mn_x837 **out, const mn_x837_options *opts,
                       mn_error *err);
/**
 * Reads `len` bytes. Items whose claim is complete are handed out before
 * it returns. Returns MN_OK, MN_ENOMEM, or what a callback returned; a
 * reader that failed is spent. Input problems are issues, not errors.
 */
MN_API int mn_x837_feed(mn_x837 *r, const char *data, size_t len,
                        mn_error *err);
/** Ends the input: the last claim is handed out and the envelopes still
 * open are reported. Errors as for feed. */
MN_API int mn_x837_finish(mn_x837 *r, mn_error *err);
/** Frees the reader and any claim it holds. NULL is accepted. */
MN_API void mn_x837_free(mn_x837 *r);
/** Copies the counts into `*out`. NULL arguments are ignored. */
MN_API void mn_x837_get_stats(mn_x837_stats *out, const mn_x837 *r);
/** One shot: new, feed, finish, free. `stats` may be NULL. */
MN_API int mn_x837_read(const char *data, size_t len,
                        const mn_x837_options *opts, mn_x837_stats *stats,
                        mn_error *err);

/* ------------------------------------------------------------------ */
/* 835 remittances                                                     */
/* ------------------------------------------------------------------ */

typedef struct mn_x835 mn_x835;

/** Money is in cents; MN_X835_NO_AMOUNT when the element is absent. */
#define MN_X835_NO_AMOUNT INT64_MIN

/** One claim adjustment (a CAS triple): group code, CARC, amount,
 * quantity. */
typedef struct mn_x835_adjustment {
    char group[3];     /**< CO, PR, OA, PI, CR */
    char carc[6];      /**< claim adjustment reason code */
    int64_t amount;    /**< cents */
    char quantity[16]; /**< as given ("" when absent) */
    /** 1-based number of the CAS segment among the line's (or the
     * claim's) CAS segments, and of the triple within it (1 to 6) */
    unsigned cas;
    unsigned triple;
} mn_x835_adjustment;

/** One service line (SVC loop 2110). */
typedef struct mn_x835_service {
    const char *qualifier; /**< SVC01-1: "HC", "NU" (revenue code)... */
    const char *code;      /**< SVC01-2 */
    size_t n_modifiers;
    const char *modifiers[4]; /**< SVC01-3..6 */
    int64_t charge;           /**< SVC02 */
    int64_t paid;             /**< SVC03 */
    const char *revenue_code; /**< SVC04 */
    const char *units_paid;   /**< SVC05 as given, "" when absent */
    /** SVC07 as given; SVC05 when absent (billed as paid) */
    const char *units_billed;
    /** SVC06: the code as billed when the payer paid another (HC:code),
     * "" when none */
    const char *billed_code;
    const char *date_start;     /**< DTM 472 or 150, YYYY-MM-DD, "" */
    const char *date_end;       /**< DTM 472 or 151 */
    int64_t allowed;            /**< AMT*B6 */
    const char *control_number; /**< REF*6R line item control number */
    const char *policy;         /**< REF*0K policy (an LCD id, say) */
    size_t n_adjustments;
    const mn_x835_adjustment *adjustments; /**< every CAS triple, in order */
    size_t n_remarks;
    const char *const *remarks; /**< RARC of LQ*HE, in order */
    size_t segment;             /**< the SVC segment's number */
} mn_x835_service;

/** One claim payment (CLP loop 2100) with its services. */
typedef struct mn_x835_claim {
    const char *claim_id; /**< CLP01, the provider's claim id (837 CLM01) */
    const char *status;   /**< CLP02: 1 processed as primary, 4 denied... */
    int64_t charge;       /**< CLP03 */
    int64_t paid;         /**< CLP04 */
    int64_t patient_resp; /**< CLP05 */
    const char *filing;   /**< CLP06 claim filing indicator: MB, MC... */
    const char *payer_claim_number; /**< CLP07 */
    const char *facility;           /**< CLP08 */
    const char *frequency;          /**< CLP09 */
    /** NM1*QC: the patient (protected health information) */
    const char *patient_last;
    const char *patient_first;
    const char *patient_id;
    const char *rendering_npi;   /**< NM1*82 NM109 when XX */
    const char *statement_start; /**< DTM 232, YYYY-MM-DD */
    const char *statement_end;   /**< DTM 233 */
    const char *policy;          /**< REF*0K at the claim */
    size_t n_adjustments;        /**< CAS at the claim */
    const mn_x835_adjustment *adjustments;
    size_t n_remarks; /**< MOA03-07 and MIA remark codes */
    const char *const *remarks;
    size_t n_services;
    const mn_x835_service *services;
    /* the payment it came with */
    const char *payer;        /**< N1*PR name */
    const char *payee;        /**< N1*PE name */
    const char *payee_npi;    /**< N1*PE N104 when XX */
    const char *payment_date; /**< BPR16, YYYY-MM-DD */
    const char *trace_number; /**< TRN02 (check or EFT number) */
    const char *interchange;  /**< ISA13, "" without an envelope */
    const char *transaction;  /**< ST02 */
    size_t segment;           /**< the CLP segment's number */
    /** errors found in its segments (each was reported as an issue):
     * what is handed out may lack what they concern */
    size_t errors;
    /** DTM*405 of the header: the production date of the remittance,
     * YYYY-MM-DD ("" when absent) */
    const char *production_date;
} mn_x835_claim;

/**
 * Called once per claim payment, after its last service. Everything it
 * points to is borrowed for the call. Return MN_OK to go on; any other
 * value stops the reader and is returned by feed/finish.
 */
typedef int (*mn_x835_cb)(void *payload, const mn_x835_claim *claim);

typedef struct mn_x835_options {
    unsigned version;
    const char *name;    /**< the input's name in issues */
    size_t max_segment;  /**< default 65536 bytes */
    size_t max_elements; /**< default 128 */
    /** services of one claim payment, default 10,000 */
    size_t max_services;
    mn_x835_cb on_claim;      /**< required */
    mn_x12_issue_cb on_issue; /**< may be NULL */
    void *payload;
} mn_x835_options;
#define MN_X835_OPTIONS_VERSION 1
#define MN_X835_OPTIONS_INIT                                                   \
    {                                                                          \
        MN_X835_OPTIONS_VERSION, NULL, 0, 0, 0, NULL, NULL, NULL               \
    }

typedef struct mn_x835_stats {
    size_t bytes;
    size_t segments;
    size_t transactions;
    size_t refused_sets;
    size_t claims;
    size_t services;
    size_t errors;
    size_t warnings;
} mn_x835_stats;

/**
 * Whether service `s` of claim payment `c` is denied: the claim is denied
 * whole (CLP02 4), or the line was charged, is unpaid, and has no
 * adjustment of its own or one other than cost sharing or a fee-schedule
 * reduction (CARC 1, 2, 3, 45, 253). What `mednec denials` lists and `mednec
 * appeal --remit` appeals. NULL arguments: 0.
 */
MN_API int mn_x835_service_denied(const mn_x835_claim *c,
                                  const mn_x835_service *s);

/** Creates a reader; as mn_x837_new (`on_claim` is required). */
MN_API int mn_x835_new(mn_x835 **out, const mn_x835_options *opts,
                       mn_error *err);
/** Reads `len` bytes; as mn_x837_feed. */
MN_API int mn_x835_feed(mn_x835 *r, const char *data, size_t len,
                        mn_error *err);
/** Ends the input; hands out the last claim payment. */
MN_API int mn_x835_finish(mn_x835 *r, mn_error *err);
/** Frees the reader. NULL is accepted. */
MN_API void mn_x835_free(mn_x835 *r);
/** Copies the counts into `*out`. NULL arguments are ignored. */
MN_API void mn_x835_get_stats(mn_x835_stats *out, const mn_x835 *r);
/** One shot: new, feed, finish, free. */
MN_API int mn_x835_read(const char *data, size_t len,
                        const mn_x835_options *opts, mn_x835_stats *stats,
                        mn_error *err);

#ifdef __cplusplus
}
#endif
#endif
