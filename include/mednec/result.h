/*
 * mednec/result.h: a check's result as values, and the table of edits.
 *
 * mn_check (engine.h) returns a result that lives in its context until the
 * next mn_check or mn_ctx_reset on that context. The result holds copies
 * of everything it needs from the claim (the claim may be freed at once);
 * it borrows the knowledge base's strings (titles, descriptions), so the
 * KB must stay open while the result is read or rendered.
 *
 * Every pointer returned here is borrowed from the result (or, for the
 * edit table, static) and is NUL-terminated. All functions are
 * thread-safe for distinct results, and for one result that no thread is
 * changing.
 */
#ifndef MEDNEC_RESULT_H
#define MEDNEC_RESULT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mn_result mn_result;
struct mn_kb;

/** Line and claim status, worst first (contract section 3). */
typedef enum mn_status {
    MN_STATUS_INVALID = 0,
    MN_STATUS_EXCLUDED,
    MN_STATUS_NOT_COVERED,
    MN_STATUS_CONDITIONAL,
    MN_STATUS_INDETERMINATE,
    MN_STATUS_COVERED
} mn_status;

/** Contract name of a status ("not_covered"); the worst for a bad value. */
MN_API const char *mn_status_name(mn_status status);

/** Severity of a finding (contract section 3). */
typedef enum mn_severity {
    MN_SEVERITY_DENY = 0,
    MN_SEVERITY_REVIEW,
    MN_SEVERITY_INFO
} mn_severity;

/** Contract name of a severity ("deny"). */
MN_API const char *mn_severity_name(mn_severity severity);

/**
 * What an edit means for who pays. Decides the ABN: only a
 * medical-necessity denial shifts liability to a patient who signed one.
 */
typedef enum mn_edit_class {
    /** not reasonable and necessary (diagnosis, frequency, age, sex,
     * setting): the patient may be liable with a signed ABN (GA) */
    MN_EDIT_MEDICAL_NECESSITY = 0,
    /** a coding or billing error (invalid codes, MCE, NCCI, MUE): the
     * provider is liable, an ABN cannot shift it */
    MN_EDIT_CODING,
    /** not a Medicare benefit or not payable (HCPCS coverage M): no ABN
     * is required */
    MN_EDIT_COVERAGE,
    /** excluded by statute (GY; a voluntary notice only) */
    MN_EDIT_STATUTORY,
    /** covered only with something outside the claim (documentation,
     * prior authorisation, KX) */
    MN_EDIT_CONDITIONAL,
    /** the claim or the knowledge base lacks what the check needs */
    MN_EDIT_DATA,
    /** explains a decision; never lowers the status */
    MN_EDIT_INFORMATION
} mn_edit_class;

/** Name of an edit class ("medical_necessity", "coding", ...). */
MN_API const char *mn_edit_class_name(mn_edit_class cls);

/**
 * One edit of the edit table: every edit id the engine can give, once.
 * The table is static and read-only. Fields are only ever added at the
 * end.
 */
typedef struct mn_edit_info {
    const char *id;       /**< "policy.dx_not_supported" */
    mn_severity severity; /**< its usual severity (a finding may differ) */
    mn_status status;     /**< the line status it usually gives */
    mn_edit_class edit_class;
    const char *carc;  /**< usual CARC, NULL when none */
    const char *rarc;  /**< usual RARC, NULL when none */
    const char *title; /**< a short label: "Diagnosis not covered" */
    /** why Medicare may not pay, in words a patient reads (ABN blank E),
     * with "%s" where the service's name goes; NULL when the edit is not
     * one a patient is told about */
    const char *patient_text;
    int contract; /**< 1: a contract edit id; 0: a mednec extension */
} mn_edit_info;

/** Number of edits in the table. */
MN_API size_t mn_edit_count(void);
/** Edit `i` of the table (0 .. mn_edit_count() - 1), NULL past the end. */
MN_API const mn_edit_info *mn_edit_at(size_t i);
/** The edit with this id, NULL when there is none. */
MN_API const mn_edit_info *mn_edit_find(const char *id);

/** What a finding cites. `kind` is NULL when it cites nothing. */
typedef struct mn_citation {
    const char *kind;    /**< "ncd", "lcd", "article", "mce", "code_set",
                              "rule", "ncci", "mue", "kb" */
    const char *id;      /**< "A56767", "190.21", "HCPCS" ... */
    int version;         /**< -1 when not applicable */
    int group;           /**< diagnosis group, 0 when none */
    const char *title;   /**< NULL when unknown */
    const char *related; /**< the LCD of an article, or NULL */
    const char *source;  /**< a rule's source, the list a finding came
                              from, or NULL */
    /** the document's page on the CMS site (MCD articles and LCDs; NCDs
     * when the KB has the MCD export's NCD table), or NULL; points into
     * the mn_finding_info or the KB */
    const char *url;
} mn_citation;

/** ABN advice for a line (contract section 3). */
typedef enum mn_abn {
    MN_ABN_NOT_NEEDED = 0,
    MN_ABN_RECOMMENDED,
    MN_ABN_ON_FILE
} mn_abn;

/** Contract name of ABN advice ("recommended"). */
MN_API const char *mn_abn_name(mn_abn abn);

/* Version 2 added provider, charge, units and revenue_code; a caller
 * that sets version 1 gets the fields of version 1 only. */
#define MN_LINE_INFO_VERSION 2
/** Most diagnoses a line lists (a claim's limit; the default is 99). */
#define MN_LINE_DX_MAX 128

/** One line of a result; filled by mn_result_line. */
typedef struct mn_line_info {
    unsigned version; /**< set by the caller: MN_LINE_INFO_VERSION */
    size_t line;      /**< 1-based line number */
    const char *code; /**< the procedure code as checked */
    const char *date; /**< date of service, YYYY-MM-DD, or NULL */
    size_t n_modifiers;
    const char *const *modifiers; /**< the line's modifiers */
    size_t n_diagnoses;
    const char *const *diagnoses; /**< the pointed diagnoses, dotted */
    mn_status status;
    mn_abn abn;
    /** the reason for blank E of the ABN, when abn is recommended */
    const char *abn_reason;
    size_t n_suggested;
    const char *const *suggested_modifiers;
    size_t n_findings;
    /** the first day a frequency limit allows the service again, when a
     * frequency finding gives one (YYYY-MM-DD), or NULL */
    const char *payable_again;
    /* storage of the strings above: they live as long as this struct and
       the result */
    char code_buf[9];
    char date_buf[11];
    char payable_buf[11];
    char mod_buf[8][3];
    const char *mod_ptr[8];
    const char *dx_ptr[MN_LINE_DX_MAX];
    /* version 2 */
    /** the line's provider (its own, else the claim's), or NULL */
    const char *provider;
    /** the billed charge in cents, MN_NO_AMOUNT when not given */
    int64_t charge;
    unsigned units;
    /** the institutional revenue code, or NULL */
    const char *revenue_code;
    char revenue_buf[5];
} mn_line_info;

#define MN_FINDING_INFO_VERSION 1
/** Most supporting diagnoses a finding lists. */
#define MN_SUPPORTING_MAX 10

/** One finding of a line; filled by mn_result_finding. */
typedef struct mn_finding_info {
    unsigned version;         /**< set by the caller */
    const mn_edit_info *edit; /**< its entry in the edit table */
    mn_severity severity;     /**< may differ from edit->severity */
    /** this finding is a medical-necessity denial (it may make an ABN
     * recommended); may differ from the edit's class */
    int medical_necessity;
    const char *message; /**< plain language, one or two sentences */
    mn_citation citation;
    const char *carc;      /**< predicted CARC, or NULL */
    const char *rarc;      /**< predicted RARC, or NULL */
    const char *diagnosis; /**< the diagnosis concerned (dotted), or NULL */
    const char *fix;       /**< what would fix it, or NULL */
    size_t n_supporting;
    /** covered diagnoses that would support the line, dotted, ranked
     * (they point into sup_buf below) */
    const char *const *supporting;
    /** their descriptions, parallel; an entry is NULL when the KB has
     * none */
    const char *const *supporting_desc;
    /** frequency findings: the first day the service is payable again
     * (YYYY-MM-DD), or NULL (also for "never") */
    const char *payable_again;
    /* storage of citation.url and of the supporting diagnoses: the
       pointers above point here, so they live as long as this struct */
    char url_buf[160];
    char sup_buf[MN_SUPPORTING_MAX][12];
    const char *sup_ptr[MN_SUPPORTING_MAX];
    const char *desc_ptr[MN_SUPPORTING_MAX];
} mn_finding_info;

/** The claim id the result answers, or NULL. */
MN_API const char *mn_result_id(const mn_result *res);
/** The knowledge base the result was made with (borrowed). */
MN_API const struct mn_kb *mn_result_kb(const mn_result *res);
MN_API mn_status mn_result_status(const mn_result *res);
MN_API size_t mn_result_line_count(const mn_result *res);
MN_API mn_status mn_result_line_status(const mn_result *res, size_t line);
/** Number of findings on line `line` (0-based). */
MN_API size_t mn_result_finding_count(const mn_result *res, size_t line);
/** Edit id of a finding, NULL when out of range. */
MN_API const char *mn_result_finding_edit(const mn_result *res, size_t line,
                                          size_t finding);

/**
 * Fills `out` with line `line` (0-based) of `res`. `out->version` must be
 * set by the caller; fields of later versions are left alone. MN_EINVAL
 * for a NULL argument, an unknown version or a line out of range.
 */
MN_API int mn_result_line(mn_line_info *out, const mn_result *res, size_t line,
                          mn_error *err);

/**
 * Fills `out` with finding `finding` of line `line` (both 0-based).
 * MN_EINVAL as for mn_result_line.
 */
MN_API int mn_result_finding(mn_finding_info *out, const mn_result *res,
                             size_t line, size_t finding, mn_error *err);

/**
 * What a summary of a finding needs (the brief and CSV outputs, reports),
 * without the strings mn_result_finding writes (supporting diagnoses with
 * their descriptions, the citation's URL): cheap enough for every line of
 * a batch. Pointers are borrowed from the result or static.
 */
typedef struct mn_finding_summary {
    const mn_edit_info *edit;
    mn_severity severity;
    int medical_necessity;
    const char *carc;          /**< or NULL */
    const char *rarc;          /**< or NULL */
    const char *citation_kind; /**< or NULL */
    const char *citation_id;   /**< or NULL */
    const char *diagnosis;     /**< the diagnosis concerned, or NULL */
} mn_finding_summary;

/**
 * Fills `out` with finding `finding` of line `line` (both 0-based).
 * MN_EINVAL for a NULL argument or an index out of range. Thread-safe as
 * the rest of the result API.
 */
MN_API int mn_result_finding_summary(mn_finding_summary *out,
                                     const mn_result *res, size_t line,
                                     size_t finding);

#ifdef __cplusplus
}
#endif
#endif
