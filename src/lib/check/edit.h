/*
 * check/edit.h: the edit table (edit.c). Every edit id the engine gives,
 * once: its usual severity and status, CARC/RARC, its class (which decides
 * the ABN), a short title and the words a patient reads. The checks name
 * edits by these constants and never by string; the renderers and the
 * ABN decision read the table.
 */
#ifndef MN_CHECK_EDIT_H
#define MN_CHECK_EDIT_H

#include "mednec/result.h"

typedef enum mn_edit_id {
    /* contract edits (contract.md section 4) */
    MN_E_DX_INVALID = 0,
    MN_E_DX_NOT_BILLABLE,
    MN_E_DX_AGE_CONFLICT,
    MN_E_DX_SEX_CONFLICT,
    MN_E_DX_MANIFESTATION_PRIMARY,
    MN_E_CODE_INVALID,
    MN_E_POLICY_DX_NOT_SUPPORTED,
    MN_E_POLICY_DX_NONCOVERED,
    MN_E_POLICY_SECONDARY_DX_MISSING,
    MN_E_POLICY_NONE,
    MN_E_FREQUENCY_EXCEEDED,
    MN_E_AGE_OUT_OF_RANGE,
    MN_E_SEX_MISMATCH,
    MN_E_UNITS_MUE_EXCEEDED,
    MN_E_NCCI_PTP,
    MN_E_NCCI_ADDON_WITHOUT_PRIMARY,
    MN_E_LATERALITY_MISMATCH,
    MN_E_SETTING_NOT_ALLOWED,
    MN_E_STATUTORY_EXCLUDED,
    MN_E_MODIFIER_CONFLICT,
    MN_E_DOCUMENTATION_REQUIRED,
    MN_E_PRIOR_AUTH_REQUIRED,
    MN_E_THERAPY_KX_REQUIRED,
    /* mednec extensions */
    MN_E_DX_MISSING,
    MN_E_MODIFIER_INVALID,
    MN_E_CODE_NOT_PAYABLE,
    MN_E_COVERAGE_NONCOVERED,
    MN_E_POLICY_DX_SUPPORTED,
    MN_E_POLICY_NO_DX_LIST,
    MN_E_POLICY_JURISDICTION_REQUIRED,
    MN_E_POLICY_JURISDICTION_UNCERTAIN,
    MN_E_AGE_UNKNOWN,
    MN_E_SEX_UNKNOWN,
    MN_E_THERAPY_REVIEW_THRESHOLD,
    MN_E_KB_NO_CODE_SET,
    MN_E_KB_OUTSIDE_RANGE,
    MN_E_KB_RULE_NOT_IN_FORCE,
    MN_E_ABN_RECOMMENDED,
    MN_E_MODIFIER_SUGGESTED,
    MN_E_DX_ICD9,
    MN_E_COUNT_
} mn_edit_id;

/* The table entry of an edit (never NULL for a valid id). */
const mn_edit_info *mn_x__edit(mn_edit_id id);
/* The id of a table entry (its index). */
mn_edit_id mn_x__edit_id(const mn_edit_info *e);

#endif
