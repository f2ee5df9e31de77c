/*
 * mednec/fhir.h: FHIR R4 Claim in, ClaimResponse out (JSON).
 *
 * In: a Claim resource, a Bundle whose entries hold Claims (and the
 * Patient, Practitioner, Organization, Location and Coverage resources
 * they refer to), or NDJSON: one Claim or Bundle per line. The reader
 * streams NDJSON line by line; a document that is not NDJSON (a
 * pretty-printed Bundle) is read whole, up to `max_document` bytes. How
 * each element maps to the claim is in docs/interchange.md.
 *
 * Out: mn_fhir_claim_response writes one ClaimResponse for a result,
 * read through the result API: each line an item with its adjudication
 * (the line status, and each finding's CARC and RARC as reasons with the
 * X12 code systems), the findings as process notes.
 *
 * A reader is used by one thread at a time. mn_fhir_claim_response is
 * thread-safe for distinct buffers.
 */
#ifndef MEDNEC_FHIR_H
#define MEDNEC_FHIR_H

#include "claim.h"
#include "common.h"
#include "result.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Code systems (http://hl7.org/fhir/R4/terminologies-systems.html and the
 * X12 systems HL7 Terminology lists). */
#define MN_FHIR_ICD10CM "http://hl7.org/fhir/sid/icd-10-cm"
#define MN_FHIR_ICD9CM "http://hl7.org/fhir/sid/icd-9-cm"
#define MN_FHIR_CPT "http://www.ama-assn.org/go/cpt"
#define MN_FHIR_HCPCS "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
#define MN_FHIR_NPI "http://hl7.org/fhir/sid/us-npi"
#define MN_FHIR_CARC "https://x12.org/codes/claim-adjustment-reason-codes"
#define MN_FHIR_RARC "https://x12.org/codes/remittance-advice-remark-codes"
#define MN_FHIR_POS                                                            \
    "https://www.cms.gov/Medicare/Coding/place-of-service-codes/"              \
    "Place_of_Service_Code_Set"

typedef struct mn_fhir mn_fhir;

/** One Claim read, or why it could not be. */
typedef struct mn_fhir_item {
    /** the claim (the callback owns it: mn_claim_free), or NULL */
    mn_claim *claim;
    /** why there is no claim (message, and in `where` the FHIR path such
     * as "Claim.item[1].productOrService"); code MN_OK with a claim */
    const mn_error *error;
    const char *claim_id; /**< Claim.id, "" when none */
    /** Claim.patient.reference as given ("Patient/p77"), "" when none: a
     * ClaimResponse refers to the same patient */
    const char *patient_reference;
    size_t line;  /**< 1-based NDJSON line, or 1 for a single document */
    size_t entry; /**< 1-based Bundle entry, 0 outside a Bundle */
} mn_fhir_item;

/** Called once per Claim (or per unreadable line or Bundle). Return
 * MN_OK to go on; any other value stops the reader and is returned. */
typedef int (*mn_fhir_cb)(void *payload, mn_fhir_item *item);

typedef struct mn_fhir_options {
    unsigned version;
    const char *name; /**< the input's name in errors */
    const mn_claim_options *claim_options;
    /** bytes of one NDJSON line, default 4 MiB */
    size_t max_line;
    /** bytes of a document that is not NDJSON, default 256 MiB */
    size_t max_document;
    mn_fhir_cb on_item; /**< required */
    void *payload;
} mn_fhir_options;
#define MN_FHIR_OPTIONS_VERSION 1
#define MN_FHIR_OPTIONS_INIT                                                   \
    {                                                                          \
        MN_FHIR_OPTIONS_VERSION, NULL, NULL, 0, 0, NULL, NULL                  \
    }

typedef struct mn_fhir_stats {
    size_t bytes;
    size_t lines;  /**< NDJSON lines (blank ones included) */
    size_t claims; /**< claims read */
    size_t failed; /**< claims, lines or Bundles not read */
    size_t blank;
} mn_fhir_stats;

/** Creates a reader; `opts->on_item` is required. Errors: MN_EINVAL,
 * MN_ENOMEM. */
MN_API int mn_fhir_new(mn_fhir **out, const mn_fhir_options *opts,
                       mn_error *err);
/** Reads `len` bytes. Returns MN_OK, MN_ENOMEM, MN_ELIMIT (a document
 * over max_document), or what the callback returned. Input that is not a
 * readable Claim is an item with an error, not an error of the call. */
MN_API int mn_fhir_feed(mn_fhir *r, const char *data, size_t len,
                        mn_error *err);
/** Ends the input: the last line or the whole document is read and its
 * Claims handed out. Errors as for feed. */
MN_API int mn_fhir_finish(mn_fhir *r, mn_error *err);
/** Frees the reader. NULL is accepted. */
MN_API void mn_fhir_free(mn_fhir *r);
/** Copies the counts into `*out`. NULL arguments are ignored. */
MN_API void mn_fhir_get_stats(mn_fhir_stats *out, const mn_fhir *r);

/**
 * Reads one JSON document (a Claim or a Bundle) and calls `opts->on_item`
 * for each Claim in it. Errors as for feed. Thread-safe.
 */
MN_API int mn_fhir_read(const char *json, size_t len,
                        const mn_fhir_options *opts, mn_error *err);

/** Options of mn_fhir_claim_response. */
typedef struct mn_fhir_response_options {
    unsigned version;
    /** ClaimResponse.patient.reference ("Patient/p77"); NULL or "": a
     * display text stands in (a claim from an 837 has no FHIR patient) */
    const char *patient_reference;
    /** ClaimResponse.created (a dateTime); NULL: the current time */
    const char *created;
    /** "institutional" or "professional" (ClaimResponse.type); NULL:
     * professional */
    const char *claim_type;
    /** the insurer's name (ClaimResponse.insurer.display); NULL:
     * "Medicare" */
    const char *insurer;
} mn_fhir_response_options;
#define MN_FHIR_RESPONSE_OPTIONS_VERSION 1
#define MN_FHIR_RESPONSE_OPTIONS_INIT                                          \
    {                                                                          \
        MN_FHIR_RESPONSE_OPTIONS_VERSION, NULL, NULL, NULL, NULL               \
    }

/**
 * Appends `res` as one FHIR R4 ClaimResponse (JSON, one line) to `out`.
 * `opts` may be NULL. Errors: MN_EINVAL (NULL argument), MN_ELIMIT,
 * MN_ENOMEM (the buffer).
 */
MN_API int mn_fhir_claim_response(mn_buf *out, const mn_result *res,
                                  const mn_fhir_response_options *opts,
                                  mn_error *err);

#ifdef __cplusplus
}
#endif
#endif
