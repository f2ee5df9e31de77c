/*
 * mednec/cds.h: CDS Hooks 2.0 requests answered with Da Vinci Coverage
 * Requirements Discovery (CRD) coverage information.
 *
 * mednec pins CRD STU 2.0.1 (hl7.fhir.us.davinci-crd 2.0.1, the version
 * the Inferno CRD test kit checks). A CDS Hooks request for the hooks
 * order-select, order-sign or appointment-book is read into one claim line
 * per order (mn_cds_parse: which FHIR element feeds which claim field is
 * in docs/server.md), the claims are checked, and the answer is written as
 * a CDS Hooks response (mn_cds_respond): per order one `systemActions`
 * update carrying the CRD coverage-information extension, and a card for
 * each order a clinician must act on.
 *
 * A request owns a copy of what it needs; it may be read by several threads
 * once parsed. Checking uses a caller's context (one per thread).
 */
#ifndef MEDNEC_CDS_H
#define MEDNEC_CDS_H

#include "claim.h"
#include "common.h"
#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The CRD version the answers follow ("2.0.1"). Static. */
MN_API const char *mn_cds_crd_version(void);

/** The hook a CDS service answers ("order-sign"), or NULL when there is
 * no such service. Service ids: `mednec-order-select`,
 * `mednec-order-sign`, `mednec-appointment-book`. Thread-safe. */
MN_API const char *mn_cds_service_hook(const char *service_id);

/** Appends the CDS Hooks discovery document (`GET /cds-services`: the
 * services with their prefetch templates). MN_OK, MN_ELIMIT, MN_ENOMEM.
 * Thread-safe. */
MN_API int mn_cds_discovery(mn_buf *out, mn_error *err);

typedef struct mn_cds_request mn_cds_request;

/** Options of mn_cds_parse. */
typedef struct mn_cds_options {
    unsigned version;
    size_t max_input;  /**< bytes of JSON, 0: 4 MiB */
    size_t max_orders; /**< orders in one request, 0: 64 */
    /** YYYY-MM-DD: the date of the coverage assertions and of orders that
     * give no date; NULL: today in UTC */
    const char *today;
} mn_cds_options;
#define MN_CDS_OPTIONS_VERSION 1
#define MN_CDS_OPTIONS_INIT                                                    \
    {                                                                          \
        MN_CDS_OPTIONS_VERSION, 0, 0, NULL                                     \
    }

/**
 * Reads a CDS Hooks request for the service `service_id` and maps every
 * order to a claim line. `json` is `len` bytes (no NUL needed).
 *
 * Errors (with the JSON path in `err->where`): MN_EINVAL for text that is
 * not JSON (line and column), a request that is not a CDS Hooks request
 * (no `hook`, `hookInstance` or `context`), a hook other than the
 * service's, a context without its orders, or a malformed resource;
 * MN_ELIMIT past max_input or max_orders; MN_ENOTFOUND for an unknown
 * service; MN_ENOMEM. A prefetch key that is absent or null is no error:
 * the answer uses what is known (see mn_cds_request_missing). On failure
 * `*out` is NULL. Thread-safe.
 */
MN_API int mn_cds_parse(mn_cds_request **out, const char *service_id,
                        const char *json, size_t len,
                        const mn_cds_options *opts, mn_error *err);

/** Frees a request. NULL is accepted. */
MN_API void mn_cds_request_free(mn_cds_request *req);

/** The request's hook ("order-sign"). Borrowed. */
MN_API const char *mn_cds_request_hook(const mn_cds_request *req);

/**
 * Why the service cannot answer without more data (CDS Hooks says 412
 * Precondition Failed then), or NULL when it can. mednec never queries the
 * EHR's FHIR server, so this is the case when the request carries no
 * prefetch at all and no order names an ICD-10-CM reason: there is then
 * nothing to judge medical necessity on. Borrowed.
 */
MN_API const char *mn_cds_request_missing(const mn_cds_request *req);

/** Number of orders read (those of `selections` for order-select). */
MN_API size_t mn_cds_order_count(const mn_cds_request *req);

/** Where an order's date of service came from. */
typedef enum mn_cds_date_from {
    MN_CDS_DATE_ORDER = 0, /**< occurrence[x] / Appointment.start ... */
    MN_CDS_DATE_AUTHORED,  /**< authoredOn / created */
    MN_CDS_DATE_TODAY      /**< none given: the assertion date */
} mn_cds_date_from;

#define MN_CDS_ORDER_INFO_VERSION 1

/** How one order was read; filled by mn_cds_order. Strings are borrowed
 * from the request. */
typedef struct mn_cds_order_info {
    unsigned version;          /**< set by the caller */
    const char *resource_type; /**< "ServiceRequest" */
    const char *id;            /**< the resource id, or NULL */
    /** the CPT or HCPCS code checked, or NULL when the order has none */
    const char *code;
    /** why the order cannot be checked ("no CPT or HCPCS code"), or NULL */
    const char *unmapped;
    const char *date; /**< YYYY-MM-DD */
    mn_cds_date_from date_from;
    unsigned units;
    /** two-letter state of the jurisdiction, or NULL when unknown */
    const char *state;
    /** what gave the state: "Location", "Practitioner", "PractitionerRole",
     * "Organization", "Patient" (DMEPOS: the beneficiary's address) */
    const char *state_from;
    const char *place_of_service; /**< two digits, or NULL */
    const char *claim_type;       /**< "professional" or "dme" */
    const char *payer;            /**< "medicare", "medicaid" or a name */
    /** "Coverage/<id>" of the coverage judged, or NULL when none was sent */
    const char *coverage;
    size_t n_diagnoses;
    /** ICD-10-CM codes pointed by the order's line: its reasons first,
     * then the patient's active conditions */
    const char *const *diagnoses;
} mn_cds_order_info;

/** Fills `out` for order `i`. MN_EINVAL for a bad argument or version. */
MN_API int mn_cds_order(mn_cds_order_info *out, const mn_cds_request *req,
                        size_t i, mn_error *err);

/** Called with each claim's result while mn_cds_respond runs (metrics). */
typedef void (*mn_cds_result_cb)(void *payload, const mn_result *res);

/** Options of mn_cds_respond. */
typedef struct mn_cds_respond_options {
    unsigned version;
    /** prior services for frequency rules, or NULL */
    const struct mn_history_source *history;
    mn_cds_result_cb on_result; /**< or NULL */
    void *payload;
} mn_cds_respond_options;
#define MN_CDS_RESPOND_OPTIONS_VERSION 1
#define MN_CDS_RESPOND_OPTIONS_INIT                                            \
    {                                                                          \
        MN_CDS_RESPOND_OPTIONS_VERSION, NULL, NULL, NULL                       \
    }

/**
 * Checks every order of `req` against `kb` and appends the CDS Hooks
 * response: `{"cards": [...], "systemActions": [...]}`. Every order gets
 * one systemAction: an `update` of the order with the CRD
 * `ext-coverage-information` extension added (covered, not-covered or
 * conditional, with pa-needed, doc-needed, info-needed, reason, a detail
 * per policy link, the date and a coverage-assertion-id). An order that is
 * not covered, covered only on conditions, or not decidable with what was
 * sent also gets a card: a summary under 140 characters, the findings and
 * their citations in markdown, the diagnoses the policy covers as
 * information only (never an action that adds one), a suggestion to
 * record that an ABN will be given when one is advised, override reasons
 * and links to the policies on the CMS site.
 *
 * `ctx` is the caller's (results live in it until the next check);
 * `opts` may be NULL. Errors: those of mn_check (MN_ENOMEM, MN_ELIMIT),
 * MN_ELIMIT when `out` is full. Thread-safe for distinct contexts.
 */
MN_API int mn_cds_respond(mn_buf *out, const mn_cds_request *req, mn_ctx *ctx,
                          const mn_kb *kb, const mn_cds_respond_options *opts,
                          mn_error *err);

/** What a feedback request held. */
typedef struct mn_cds_feedback_counts {
    size_t accepted;
    size_t overridden;
} mn_cds_feedback_counts;

/**
 * Reads a CDS Hooks feedback request (`{"feedback": [{card, outcome,
 * acceptedSuggestions, overrideReason, outcomeTimestamp}]}`) and counts
 * its outcomes; nothing of it is kept. MN_EINVAL (with the JSON path) for
 * a malformed request, MN_ELIMIT past 4 MiB or 1,000 entries.
 * Thread-safe.
 */
MN_API int mn_cds_feedback(mn_cds_feedback_counts *out, const char *json,
                           size_t len, mn_error *err);

#ifdef __cplusplus
}
#endif
#endif
