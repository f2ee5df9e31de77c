/*
 * mednec/crossclaim.h: the edits that look across claims.
 *
 * A medically unlikely edit of MAI 2 or 3 counts the units of a code on a
 * date of service for one beneficiary and one provider, whatever claim
 * they came on; an NCCI procedure-to-procedure pair is one whether its
 * two codes were billed on one claim or two. mn_check sees one claim: a
 * run of many claims keeps a mn_crossclaim, which remembers the services
 * of the claims it was given (a bounded window: memory stays flat) and
 * hands each new claim a view of the earlier services of its patient by
 * its providers on its dates. Passed to mn_check_with, the view (and,
 * with `cross_claims` set, the history store's services of the same
 * patient, provider and date) joins the claim's own lines in those edits.
 *
 * The provider of a service is its line's provider, else its claim's
 * (mn_claim_set_provider: the rendering NPI, else the billing NPI).
 * Claims without a patient id or without a provider are judged alone, and
 * their result says so (mn_result_cross).
 *
 * A mn_crossclaim is used by one thread, in input order: that order alone
 * decides what each claim sees, so the answers are the same whatever the
 * number of threads that check the claims. Views are immutable and may be
 * read by any thread.
 */
#ifndef MEDNEC_CROSSCLAIM_H
#define MEDNEC_CROSSCLAIM_H

#include "claim.h"
#include "common.h"
#include "result.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mn_crossclaim mn_crossclaim;
typedef struct mn_crossclaim_view mn_crossclaim_view;

typedef struct mn_crossclaim_options {
    unsigned version;
    /** services remembered (the window), default 500,000; the oldest go
     * first (about 90 bytes each) */
    size_t max_services;
} mn_crossclaim_options;
#define MN_CROSSCLAIM_OPTIONS_VERSION 1
#define MN_CROSSCLAIM_OPTIONS_INIT                                             \
    {                                                                          \
        MN_CROSSCLAIM_OPTIONS_VERSION, 0                                       \
    }

/** Creates an index. `opts` may be NULL. Errors: MN_EINVAL, MN_ENOMEM. */
MN_API int mn_crossclaim_new(mn_crossclaim **out,
                             const mn_crossclaim_options *opts, mn_error *err);
/** Frees the index. NULL is accepted. */
MN_API void mn_crossclaim_free(mn_crossclaim *x);

/**
 * Takes the next claim of the run. A claim with frequency code 7
 * (replacement) or 8 (void) first removes the remembered services of the
 * earlier claim with its id and patient. Then `*view` receives the
 * remembered services of the claim's patient whose provider and date are
 * those of one of its lines, and the claim's own services are remembered
 * (not a void's). A claim without a patient id gets an empty view and is
 * not remembered. `*view` belongs to the caller (mn_crossclaim_view_free).
 * Not thread-safe: one thread, in input order. Errors: MN_EINVAL,
 * MN_ENOMEM.
 */
MN_API int mn_crossclaim_take(mn_crossclaim_view **view, mn_crossclaim *x,
                              const mn_claim *claim, mn_error *err);
/** Services in a view. */
MN_API size_t mn_crossclaim_view_count(const mn_crossclaim_view *v);
MN_API void mn_crossclaim_view_free(mn_crossclaim_view *v);

/** What a result says about the edits across claims. */
typedef enum mn_cross {
    /** not asked for (mn_check_options.cross_claims not set) */
    MN_CROSS_OFF = 0,
    /** the claim's lines were judged with the other claims' services of
     * the same patient, provider and date */
    MN_CROSS_CHECKED,
    /** judged alone: the claim has no patient id */
    MN_CROSS_NO_PATIENT,
    /** judged alone: no line of the claim has a provider */
    MN_CROSS_NO_PROVIDER
} mn_cross;

/** The cross-claim status of a result. */
MN_API mn_cross mn_result_cross(const mn_result *res);
/** Services of other claims (the run's and the history store's) the
 * result's lines were judged with. */
MN_API size_t mn_result_cross_services(const mn_result *res);
/** "checked", "no_patient_id", "no_provider", or NULL for MN_CROSS_OFF. */
MN_API const char *mn_cross_name(mn_cross c);

#ifdef __cplusplus
}
#endif
#endif
