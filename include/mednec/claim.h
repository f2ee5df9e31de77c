/*
 * mednec/claim.h: a claim (or an order) to check.
 *
 * A claim is parsed from the contract JSON (mn_claim_parse_json) or built
 * with the setters below (the flag form of `mednec check`, benchmarks).
 * A claim owns all its strings. It is not shared between threads while it
 * is being changed; a finished claim may be read by several threads.
 */
#ifndef MEDNEC_CLAIM_H
#define MEDNEC_CLAIM_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mn_claim mn_claim;

/** Limits enforced by the parser and the setters (0 means the default). */
typedef struct mn_claim_options {
    unsigned version;
    size_t max_input;     /* bytes of JSON, default 4 MiB */
    size_t max_lines;     /* default 1000 */
    size_t max_diagnoses; /* default and most 99 */
    size_t max_history;   /* default 10000 */
    size_t max_string;    /* default 256 bytes (ids, names) */
    int allow_unknown;    /* accept unknown fields instead of failing */
} mn_claim_options;
#define MN_CLAIM_OPTIONS_VERSION 1
#define MN_CLAIM_OPTIONS_INIT                                                  \
    {                                                                          \
        MN_CLAIM_OPTIONS_VERSION, 0, 0, 0, 0, 0, 0                             \
    }

/**
 * Parses one claim in the contract JSON. On failure `*out` is NULL and
 * `err` holds a one-line message with the location: line and column for
 * syntax errors, a JSON path in `where` for wrong types, unknown fields,
 * bad codes and impossible dates. Errors: MN_EINVAL, MN_ELIMIT, MN_ENOMEM.
 * Thread-safe (no shared state).
 */
MN_API int mn_claim_parse_json(mn_claim **out, const char *json, size_t len,
                               const mn_claim_options *opts, mn_error *err);

/** An empty claim (payer medicare, professional), for the setters. */
MN_API int mn_claim_new(mn_claim **out, const mn_claim_options *opts,
                        mn_error *err);
MN_API void mn_claim_free(mn_claim *claim);

/* Setters. Strings are copied; lengths are explicit. Dates are
 * YYYY-MM-DD. Each returns MN_EINVAL with a message for a bad value. */
MN_API int mn_claim_set_id(mn_claim *c, const char *id, size_t len,
                           mn_error *err);
/** The patient's id (`patient.id`), the key of the patient's history. It
 * is kept in the claim but never appears in a message or a result. */
MN_API int mn_claim_set_patient_id(mn_claim *c, const char *id, size_t len,
                                   mn_error *err);
MN_API int mn_claim_set_payer(mn_claim *c, const char *payer, size_t len,
                              mn_error *err);
MN_API int mn_claim_set_jurisdiction(mn_claim *c, const char *j, size_t len,
                                     mn_error *err);
MN_API int mn_claim_set_place_of_service(mn_claim *c, const char *pos,
                                         size_t len, mn_error *err);
/** Claim-level date of service, used by lines without their own. */
MN_API int mn_claim_set_date(mn_claim *c, const char *date, size_t len,
                             mn_error *err);
/** "professional", "institutional" or "dme" (a DME supplier claim, an
 * extension of the contract: DME supplier MUEs apply). */
MN_API int mn_claim_set_claim_type(mn_claim *c, const char *type, size_t len,
                                   mn_error *err);
/** Type of bill (3 or 4 digits); institutional claims only. */
MN_API int mn_claim_set_bill_type(mn_claim *c, const char *bill, size_t len,
                                  mn_error *err);
MN_API int mn_claim_set_birth_date(mn_claim *c, const char *date, size_t len,
                                   mn_error *err);
MN_API int mn_claim_set_age(mn_claim *c, int years, mn_error *err);
MN_API int mn_claim_set_sex(mn_claim *c, char sex, mn_error *err);
/** Appends a diagnosis (dotted or not). */
MN_API int mn_claim_add_diagnosis(mn_claim *c, const char *code, size_t len,
                                  mn_error *err);
/** Appends a line; `date` may be NULL (claim date). Returns its index. */
MN_API int mn_claim_add_line(mn_claim *c, const char *code, size_t len,
                             unsigned units, const char *date, size_t date_len,
                             mn_error *err);
MN_API int mn_claim_line_add_modifier(mn_claim *c, size_t line, const char *mod,
                                      size_t len, mn_error *err);
/** Place of service of one line (overrides the claim's). */
MN_API int mn_claim_line_set_place_of_service(mn_claim *c, size_t line,
                                              const char *pos, size_t len,
                                              mn_error *err);
/** 1-based pointer into the diagnoses. */
MN_API int mn_claim_line_add_pointer(mn_claim *c, size_t line, unsigned pointer,
                                     mn_error *err);
/** Money on a line, in cents: `charge` the billed amount, `allowed` the
 * payer's allowed amount; MN_NO_AMOUNT when unknown. At most
 * MN_MAX_AMOUNT. The therapy KX threshold counts allowed amounts and falls
 * back on charges (docs/rules.md). */
#define MN_NO_AMOUNT (-1)
#define MN_MAX_AMOUNT 9999999999LL /* $99,999,999.99 */
MN_API int mn_claim_line_set_amounts(mn_claim *c, size_t line, int64_t charge,
                                     int64_t allowed, mn_error *err);
/** Appends a prior service; returns its index (0-based) or an error. */
MN_API int mn_claim_add_history(mn_claim *c, const char *code, size_t len,
                                const char *date, size_t date_len,
                                unsigned units, mn_error *err);
MN_API int mn_claim_history_add_modifier(mn_claim *c, size_t entry,
                                         const char *mod, size_t len,
                                         mn_error *err);
/** Appends a diagnosis (dotted or not) the prior service was billed
 * with, at most 12: a service with diagnoses counts against a rule that
 * applies only with certain diagnoses only when one of them matches. */
MN_API int mn_claim_history_add_diagnosis(mn_claim *c, size_t entry,
                                          const char *code, size_t len,
                                          mn_error *err);
MN_API int mn_claim_history_set_amounts(mn_claim *c, size_t entry,
                                        int64_t charge, int64_t allowed,
                                        mn_error *err);

MN_API size_t mn_claim_line_count(const mn_claim *c);

/*
 * Extensions for claims as the industry sends them (X12 837, FHIR, CSV;
 * docs/json.md). Strings are copied; each setter returns MN_EINVAL (bad
 * value), MN_ELIMIT (longer than max_string) or MN_ENOMEM with the member
 * named in `err->where`. Not thread-safe on one claim.
 */

/** The provider who furnished the services (`provider`): the rendering
 * provider's NPI, else the billing provider's, or any identifier up to
 * max_string bytes. With the patient id and the date of service it keys
 * the edits that look across claims (MUE, PTP). */
MN_API int mn_claim_set_provider(mn_claim *c, const char *id, size_t len,
                                 mn_error *err);
/** The claim frequency code (`frequency`, 837 CLM05-3): one digit or
 * letter; "1" original, "7" replacement of an earlier claim with the same
 * id, "8" void of it. */
MN_API int mn_claim_set_frequency(mn_claim *c, const char *code, size_t len,
                                  mn_error *err);
/** The prior authorization number (`prior_authorization`, 837 REF*G1). */
MN_API int mn_claim_set_prior_authorization(mn_claim *c, const char *id,
                                            size_t len, mn_error *err);
/** Appends an ICD-9-CM diagnosis (837 qualifiers BK, BF, BJ, PR; FHIR
 * system icd-9-cm): digits, V or E codes, dotted or not. It takes a place
 * in the diagnoses (pointers count it) and the engine reports it instead
 * of guessing an ICD-10-CM code for it. */
MN_API int mn_claim_add_diagnosis_icd9(mn_claim *c, const char *code,
                                       size_t len, mn_error *err);
/** The sender's number of a line (837 LX01, FHIR item.sequence, `number`
 * in JSON): 1 to 999999, unique in the claim; results number the line with
 * it. Lines without one are numbered by position. */
MN_API int mn_claim_line_set_number(mn_claim *c, size_t line, unsigned number,
                                    mn_error *err);
/** The provider of one line (837 2420A rendering provider), overriding
 * the claim's. */
MN_API int mn_claim_line_set_provider(mn_claim *c, size_t line, const char *id,
                                      size_t len, mn_error *err);
/** The date of service of one line (YYYY-MM-DD), for readers that learn
 * it after the line's code (837 DTP*472 follows SV1). */
MN_API int mn_claim_line_set_date(mn_claim *c, size_t line, const char *date,
                                  size_t len, mn_error *err);
/** The revenue code of an institutional line (837I SV201): four digits
 * (three are given a leading zero). */
MN_API int mn_claim_line_set_revenue_code(mn_claim *c, size_t line,
                                          const char *code, size_t len,
                                          mn_error *err);

/* Getters: borrowed strings that live as long as the claim; NULL (or 0)
 * for a NULL claim, a line out of range or a value never set.
 * Thread-safe on a claim no thread is changing. */
MN_API const char *mn_claim_get_id(const mn_claim *c);
/** The frequency code, '\0' when none was given. */
MN_API char mn_claim_get_frequency(const mn_claim *c);
/** The number of line `line` (0-based): its own, else line + 1. */
MN_API unsigned mn_claim_line_number(const mn_claim *c, size_t line);
/** The provider of line `line`: its own, else the claim's. */
MN_API const char *mn_claim_line_provider(const mn_claim *c, size_t line);
/** Non-zero when the claim has a patient id (never returned). */
MN_API int mn_claim_has_patient_id(const mn_claim *c);

#ifdef __cplusplus
}
#endif
#endif
