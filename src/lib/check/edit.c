/*
 * check/edit.c: the edit table. One row per edit id, in the order of
 * mn_edit_id (check/edit.h). CARC/RARC are the usual codes (a finding may
 * give others: an NCD's RARC is N386, an LCD's N115); sources in
 * ../shared/docs/medicare-facts.md section 7 and docs/json.md.
 *
 * The class decides liability and the ABN (contract section 3): only a
 * medical-necessity denial may make an ABN recommended; coding denials
 * (invalid codes, MCE, NCCI, MUE) leave the provider liable.
 */
#include <string.h>

#include "check/edit.h"

#define MN MN_EDIT_MEDICAL_NECESSITY
#define CODING MN_EDIT_CODING
#define COVERAGE MN_EDIT_COVERAGE
#define STATUTE MN_EDIT_STATUTORY
#define COND MN_EDIT_CONDITIONAL
#define DATA MN_EDIT_DATA
#define INFO MN_EDIT_INFORMATION
#define DENY MN_SEVERITY_DENY
#define REVIEW MN_SEVERITY_REVIEW
#define NOTE MN_SEVERITY_INFO

/* patient words for a denial the policy gives for the patient's condition */
#define FOR_CONDITION "Medicare does not pay for this %s for your condition."

static const mn_edit_info table[MN_E_COUNT_] = {
    [MN_E_DX_INVALID] = {"dx.invalid", DENY, MN_STATUS_INVALID, CODING, "146",
                         "M76", "Diagnosis code not valid on the date", NULL,
                         1},
    [MN_E_DX_NOT_BILLABLE] = {"dx.not_billable", DENY, MN_STATUS_INVALID,
                              CODING, "16", "M76",
                              "Diagnosis code not specific enough to bill",
                              NULL, 1},
    [MN_E_DX_AGE_CONFLICT] = {"dx.age_conflict", DENY, MN_STATUS_NOT_COVERED,
                              CODING, "9", NULL,
                              "Diagnosis inconsistent with the patient's age",
                              NULL, 1},
    [MN_E_DX_SEX_CONFLICT] = {"dx.sex_conflict", DENY, MN_STATUS_NOT_COVERED,
                              CODING, "10", NULL,
                              "Diagnosis inconsistent with the patient's sex",
                              NULL, 1},
    [MN_E_DX_MANIFESTATION_PRIMARY] = {"dx.manifestation_primary", DENY,
                                       MN_STATUS_INVALID, CODING, "16", "M76",
                                       "Manifestation code listed first", NULL,
                                       1},
    [MN_E_CODE_INVALID] = {"code.invalid", DENY, MN_STATUS_INVALID, CODING,
                           "181", "M51", "Procedure code not valid on the date",
                           NULL, 1},
    [MN_E_POLICY_DX_NOT_SUPPORTED] = {"policy.dx_not_supported", DENY,
                                      MN_STATUS_NOT_COVERED, MN, "50", NULL,
                                      "Diagnosis does not support the service",
                                      FOR_CONDITION, 1},
    [MN_E_POLICY_DX_NONCOVERED] = {"policy.dx_noncovered", DENY,
                                   MN_STATUS_NOT_COVERED, MN, "50", NULL,
                                   "Diagnosis on the policy's non-covered list",
                                   FOR_CONDITION, 1},
    [MN_E_POLICY_SECONDARY_DX_MISSING] =
        {"policy.secondary_dx_missing", DENY, MN_STATUS_NOT_COVERED, MN, "50",
         NULL, "Second diagnosis the policy requires is missing",
         "Medicare pays for this %s for your condition only when a related "
         "second condition is also documented.",
         1},
    [MN_E_POLICY_NONE] = {"policy.none", NOTE, MN_STATUS_COVERED, INFO, NULL,
                          NULL, "No policy governs the code", NULL, 1},
    [MN_E_FREQUENCY_EXCEEDED] = {"frequency.exceeded", DENY,
                                 MN_STATUS_NOT_COVERED, MN, "151", NULL,
                                 "More often than the policy allows",
                                 "Medicare pays for this %s only a limited "
                                 "number of times in a period, and that "
                                 "limit has been reached.",
                                 1},
    [MN_E_AGE_OUT_OF_RANGE] = {"age.out_of_range", DENY, MN_STATUS_NOT_COVERED,
                               MN, "6", NULL,
                               "Service outside its covered ages",
                               "Medicare pays for this %s only for patients "
                               "in certain age groups.",
                               1},
    [MN_E_SEX_MISMATCH] = {"sex.mismatch", DENY, MN_STATUS_NOT_COVERED, MN, "7",
                           NULL, "Service not covered for the patient's sex",
                           "Medicare pays for this %s only for patients of "
                           "one sex.",
                           1},
    [MN_E_UNITS_MUE_EXCEEDED] = {"units.mue_exceeded", DENY,
                                 MN_STATUS_NOT_COVERED, CODING, "151", "N362",
                                 "Units above the medically unlikely edit",
                                 NULL, 1},
    [MN_E_NCCI_PTP] = {"ncci.ptp", DENY, MN_STATUS_NOT_COVERED, CODING, "236",
                       NULL, "Bundled with another service on the date", NULL,
                       1},
    [MN_E_NCCI_ADDON_WITHOUT_PRIMARY] = {"ncci.addon_without_primary", DENY,
                                         MN_STATUS_NOT_COVERED, CODING, "107",
                                         "N122",
                                         "Add-on code without its primary "
                                         "procedure",
                                         NULL, 1},
    [MN_E_LATERALITY_MISMATCH] = {"laterality.mismatch", REVIEW,
                                  MN_STATUS_CONDITIONAL, CODING, "4", NULL,
                                  "Side of the procedure and of the "
                                  "diagnosis disagree",
                                  NULL, 1},
    [MN_E_SETTING_NOT_ALLOWED] = {"setting.not_allowed", DENY,
                                  MN_STATUS_NOT_COVERED, MN, "58", NULL,
                                  "Setting not allowed for the service",
                                  "Medicare does not pay for this %s in this "
                                  "setting.",
                                  1},
    [MN_E_STATUTORY_EXCLUDED] = {"statutory.excluded", DENY, MN_STATUS_EXCLUDED,
                                 STATUTE, "96", "N130",
                                 "Excluded from Medicare by statute",
                                 "Medicare never pays for this %s: the law "
                                 "excludes it from coverage.",
                                 1},
    [MN_E_MODIFIER_CONFLICT] = {"modifier.conflict", DENY, MN_STATUS_INVALID,
                                CODING, "4", NULL,
                                "Modifiers that cannot go together", NULL, 1},
    [MN_E_DOCUMENTATION_REQUIRED] = {"documentation.required", REVIEW,
                                     MN_STATUS_CONDITIONAL, COND, NULL, NULL,
                                     "Covered only with documentation", NULL,
                                     1},
    [MN_E_PRIOR_AUTH_REQUIRED] = {"prior_auth.required", REVIEW,
                                  MN_STATUS_CONDITIONAL, COND, NULL, NULL,
                                  "Covered only with prior authorization", NULL,
                                  1},
    [MN_E_THERAPY_KX_REQUIRED] = {"therapy.kx_required", REVIEW,
                                  MN_STATUS_CONDITIONAL, COND, NULL, NULL,
                                  "Therapy above the KX threshold", NULL, 1},
    [MN_E_DX_MISSING] = {"dx.missing", DENY, MN_STATUS_INVALID, CODING, "16",
                         "M76", "No diagnosis on the claim", NULL, 0},
    [MN_E_MODIFIER_INVALID] = {"modifier.invalid", DENY, MN_STATUS_INVALID,
                               CODING, "182", NULL,
                               "Modifier not a valid modifier", NULL, 0},
    [MN_E_CODE_NOT_PAYABLE] = {"code.not_payable", DENY, MN_STATUS_INVALID,
                               CODING, NULL, NULL,
                               "Code not payable by Medicare", NULL, 0},
    [MN_E_COVERAGE_NONCOVERED] = {"coverage.noncovered", DENY,
                                  MN_STATUS_NOT_COVERED, COVERAGE, "96", "N130",
                                  "Not covered by Medicare",
                                  "Medicare does not cover this %s.", 0},
    [MN_E_POLICY_DX_SUPPORTED] = {"policy.dx_supported", NOTE,
                                  MN_STATUS_COVERED, INFO, NULL, NULL,
                                  "Diagnosis on the policy's covered list",
                                  NULL, 0},
    [MN_E_POLICY_NO_DX_LIST] = {"policy.no_dx_list", NOTE, MN_STATUS_COVERED,
                                INFO, NULL, NULL,
                                "Policy without a diagnosis list in the "
                                "knowledge base",
                                NULL, 0},
    [MN_E_POLICY_JURISDICTION_REQUIRED] = {"policy.jurisdiction_required",
                                           REVIEW, MN_STATUS_INDETERMINATE,
                                           DATA, NULL, NULL,
                                           "Jurisdiction needed for a local "
                                           "policy",
                                           NULL, 0},
    [MN_E_POLICY_JURISDICTION_UNCERTAIN] =
        {"policy.jurisdiction_uncertain", REVIEW, MN_STATUS_INDETERMINATE, DATA,
         NULL, NULL,
         "Local policy that may not apply in the claim's jurisdiction", NULL,
         0},
    [MN_E_AGE_UNKNOWN] = {"age.unknown", REVIEW, MN_STATUS_INDETERMINATE, DATA,
                          NULL, NULL, "Patient's age needed", NULL, 0},
    [MN_E_SEX_UNKNOWN] = {"sex.unknown", REVIEW, MN_STATUS_INDETERMINATE, DATA,
                          NULL, NULL, "Patient's sex needed", NULL, 0},
    [MN_E_THERAPY_REVIEW_THRESHOLD] = {"therapy.review_threshold", NOTE,
                                       MN_STATUS_COVERED, INFO, NULL, NULL,
                                       "Therapy above the review threshold",
                                       NULL, 0},
    [MN_E_KB_NO_CODE_SET] = {"kb.no_code_set", REVIEW, MN_STATUS_INDETERMINATE,
                             DATA, NULL, NULL,
                             "Knowledge base has no code set for the check",
                             NULL, 0},
    [MN_E_KB_OUTSIDE_RANGE] = {"kb.outside_range", REVIEW,
                               MN_STATUS_INDETERMINATE, DATA, NULL, NULL,
                               "Date outside what the knowledge base covers",
                               NULL, 0},
    [MN_E_KB_RULE_NOT_IN_FORCE] = {"kb.rule_not_in_force", NOTE,
                                   MN_STATUS_COVERED, INFO, NULL, NULL,
                                   "Rule not in force on the date", NULL, 0},
    [MN_E_ABN_RECOMMENDED] = {"abn.recommended", NOTE, MN_STATUS_COVERED, INFO,
                              NULL, NULL, "ABN recommended", NULL, 0},
    [MN_E_MODIFIER_SUGGESTED] = {"modifier.suggested", NOTE, MN_STATUS_COVERED,
                                 INFO, NULL, NULL, "Modifier suggested", NULL,
                                 0},
    /* an 837 diagnosis with an ICD-9-CM qualifier (BK, BF): invalid from
       the ICD-10 transition on; before it, beyond what mednec judges */
    [MN_E_DX_ICD9] = {"dx.icd9", DENY, MN_STATUS_INVALID, CODING, "146", "M76",
                      "Diagnosis coded in ICD-9-CM", NULL, 0},
};

const mn_edit_info *mn_x__edit(mn_edit_id id)
{
    unsigned i = (unsigned)id;
    return i < MN_E_COUNT_ ? &table[i] : NULL;
}

mn_edit_id mn_x__edit_id(const mn_edit_info *e)
{
    return (mn_edit_id)(e - table);
}

size_t mn_edit_count(void)
{
    return MN_E_COUNT_;
}

const mn_edit_info *mn_edit_at(size_t i)
{
    return i < MN_E_COUNT_ ? &table[i] : NULL;
}

const mn_edit_info *mn_edit_find(const char *id)
{
    if (!id)
        return NULL;
    for (size_t i = 0; i < MN_E_COUNT_; i++) {
        if (strcmp(table[i].id, id) == 0)
            return &table[i];
    }
    return NULL;
}

const char *mn_edit_class_name(mn_edit_class cls)
{
    static const char *const names[] = {
        "medical_necessity", "coding", "coverage",   "statutory",
        "conditional",       "data",   "information"};
    unsigned i = (unsigned)cls;
    return i < sizeof(names) / sizeof(names[0]) ? names[i] : "information";
}

const char *mn_severity_name(mn_severity severity)
{
    static const char *const names[] = {"deny", "review", "info"};
    unsigned i = (unsigned)severity;
    return i < sizeof(names) / sizeof(names[0]) ? names[i] : names[0];
}

const char *mn_status_name(mn_status status)
{
    static const char *const names[] = {"invalid",       "excluded",
                                        "not_covered",   "conditional",
                                        "indeterminate", "covered"};
    unsigned i = (unsigned)status;
    /* out of range is caller misuse: report the worst status */
    return i < sizeof(names) / sizeof(names[0]) ? names[i] : names[0];
}

const char *mn_abn_name(mn_abn abn)
{
    static const char *const names[] = {"not_needed", "recommended", "on_file"};
    unsigned i = (unsigned)abn;
    return i < sizeof(names) / sizeof(names[0]) ? names[i] : names[0];
}
