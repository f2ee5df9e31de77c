/*
 * check/check.h: the check layer's internals: results as the engine builds
 * them, the state of the line being checked, and the check modules.
 *
 * A result and everything it points to lives in the context's arena,
 * except the KB's own strings (titles, descriptions), which it borrows:
 * nothing points into the claim, which may be freed once mn_check returns.
 *
 * Module order on each line (engine.c): code validity (code.c, with the
 * HCPCS coverage code in coverage.c), diagnoses and MCE (dx.c), coverage
 * policies (policy.c), service rules (service.c), NCCI (ncci.c), then body
 * site, modifiers and the ABN (site.c, last: it reads every finding).
 * finding.c owns the finding constructors; edit.c the edit table.
 */
#ifndef MN_CHECK_CHECK_H
#define MN_CHECK_CHECK_H

#include "check/edit.h"
#include "claim/claim_int.h"
#include "mednec/crossclaim.h"
#include "mednec/engine.h"

struct kb_hcpcs;

#define MN_MAX_SUPPORTING MN_SUPPORTING_MAX
#define MN_MAX_SUGGESTED 4

typedef struct mn_finding {
    const mn_edit_info *edit; /* its row of the edit table */
    mn_severity severity;
    bool med_nec;        /* a medical-necessity denial: may recommend an ABN */
    const char *message; /* plain language, one sentence or two */
    /* citation; kind NULL when the finding has none */
    const char *policy_kind; /* "ncd", "lcd", "article", "mce", "rule",
                                "code_set", "ncci", "mue", "kb" */
    const char *policy_id;   /* "A56767", "190.21", "MCE v41" ... */
    int policy_version;      /* -1 when not applicable */
    int group;               /* diagnosis group, 0 when none */
    const char *policy_title;
    const char *related; /* LCD of an article, or NULL */
    const char *page;    /* the cited document's page when the KB has it
                            (NCDs: from the MCD export), else NULL */
    const char *source;  /* rule source / citation text, or NULL */
    const char *carc;    /* NULL when none */
    const char *rarc;
    const char *dx;  /* the diagnosis concerned (dotted) or NULL */
    const char *fix; /* what would fix it, or NULL */
    /* frequency: the first day the service is payable again, MN_NODATE
       when none is known, MN_FOREVER for never */
    int32_t payable_again;
    const char *payable_text; /* the same as text (line_finish), or NULL */
    char sex; /* sex.mismatch: the sex the service is limited to, 'F' or
                 'M' (0 otherwise) */
    /* covered diagnoses that would support the line (keys: the renderers
       and the result API write them dotted, with the KB's descriptions) */
    mn_key supporting[MN_MAX_SUPPORTING];
    size_t n_supporting;
} mn_finding;

typedef struct mn_cdx mn_cdx;

typedef struct mn_line_result {
    size_t line; /* 1-based */
    char code[8];
    int32_t date; /* date of service, MN_NODATE when none */
    mn_status status;
    mn_abn abn;
    /* plain-language reason for blank E of the ABN when `abn` is
       recommended, else NULL (site.c) */
    const char *abn_reason;
    const char *suggested[MN_MAX_SUGGESTED];
    size_t n_suggested;
    /* copies of the line's modifiers and diagnosis pointers (1-based
       into the result's diagnoses; none: every diagnosis) */
    char mods[MN_MAX_MODIFIERS][3];
    unsigned char n_mods;
    unsigned char n_ptr;
    unsigned char ptr[MN_MAX_POINTERS];
    int32_t payable_again; /* the latest payable-again date of its
                              frequency findings, MN_NODATE */
    const char *provider;  /* the line's provider (an arena copy) or NULL */
    int64_t charge;        /* cents, MN_NO_AMOUNT */
    unsigned units;
    char revenue[5]; /* institutional revenue code, "" */
    mn_finding *findings;
    size_t n_findings;
    size_t cap_findings;
} mn_line_result;

/* A service of another claim of the patient, for the edits across
 * claims (cross.c): provider and claim as hashes (cross.c's
 * mn_x__cross_hash), 0 when not known. */
typedef struct mn_cross_svc {
    uint64_t provider;
    uint64_t claim;
    int32_t date;
    mn_key code;
    unsigned units;
    unsigned line; /* its line number on its claim */
    unsigned char n_mods;
    char mods[MN_MAX_MODIFIERS][3];
    char claim_id[24]; /* for messages, cut to 23 bytes */
} mn_cross_svc;

struct mn_result {
    const char *id; /* claim id (an arena copy) or NULL */
    mn_status status;
    mn_cross cross; /* the edits across claims (crossclaim.h) */
    size_t n_cross; /* services of other claims seen */
    mn_line_result *lines;
    size_t n_lines;
    const struct mn_cdx *dx; /* the claim's diagnoses (arena copies) */
    size_t n_dx;
    const mn_kb *kb; /* the KB it was made with (borrowed) */
};

struct mn_ctx {
    mn_arena *arena;
    mn_result res;
    /* the code-set years of the last date seen (claims share dates) */
    const mn_kb *year_kb;
    int32_t year_date;
    int icd_year;
    int icd_near;
    int mce_ver;
};

/* Diagnoses kept per prior service: an 837P line points to at most 4; a
 * service with more is treated as one whose diagnoses are not known. */
#define MN_PRIOR_DX 4

/* A prior service of the patient (claim history or the history store). */
typedef struct mn_prior {
    mn_key code;
    int32_t date;
    unsigned units;
    int status; /* mn_status of a recorded check, -1 unknown */
    unsigned n_modifiers;
    char modifiers[MN_MAX_MODIFIERS][3];
    int64_t charge; /* cents, MN_NO_AMOUNT when not known */
    int64_t allowed;
    unsigned from_store : 1; /* from the history store, not the claim */
    unsigned n_dx; /* 0: diagnoses not known (or more than MN_PRIOR_DX) */
    mn_key dx[MN_PRIOR_DX];
} mn_prior;

/* A diagnosis of the claim as the checks see it: its key and its dotted
 * text, copied into the context's arena once per claim. */
struct mn_cdx {
    mn_key key;
    const char *text;
    bool not_icd; /* not of the shape of an ICD-10-CM code */
    bool icd9;    /* an ICD-9-CM code: key 0, never looked up */
};

/*
 * The state of the line being checked, shared by the check modules.
 * Everything it points to lives at least as long as the check.
 */
typedef struct mn_lstate {
    mn_ctx *ctx;
    const mn_kb *kb;
    const mn_claim *claim;
    const mn_claim_line *line;
    size_t line_index; /* 0-based index into claim->lines */
    mn_line_result *lr;
    int32_t date; /* date of service of the line */
    /* the ICD-10-CM version in force on the date (index into the KB's
       versions), or MN_KB_NONE / MN_KB_OUTSIDE (kb/kb_int.h) */
    int icd_year;
    /* the version in force, else the nearest one (-1: no code set): for
       suggestions and descriptions, never for judging validity */
    int icd_near;
    int mce_ver;       /* the MCE version of the date, or MN_KB_NONE/OUTSIDE */
    const mn_cdx *cdx; /* every diagnosis of the claim (claim->n_dx) */
    const mn_cdx *dx[MN_MAX_POINTERS + 99]; /* the line's pointed ones */
    size_t n_dx;
    bool nomem;
    /* the patient's prior services, sorted by date (claim history plus the
       history store), not including this claim's lines */
    const mn_prior *prior;
    size_t n_prior;
    /* services of other claims of the patient on the claim's dates, by its
       providers (the run's and the store's); empty when the edits across
       claims are off */
    const mn_cross_svc *cross;
    size_t n_cross;
    uint64_t line_provider; /* the line's provider as a hash, 0 none */
} mn_lstate;

/*
 * Findings (finding.c)
 */

/* Appends a finding of edit `id` with the table's severity, status,
 * CARC/RARC and class, and lowers the line status to it. Returns NULL
 * (and sets s->nomem) when out of memory. `message` must live as long as
 * the result (static, or from mn_x__lprintf). */
mn_finding *mn_x__finding_add(mn_lstate *s, mn_edit_id id, const char *message);
/* The same with another severity and status than the table's (a
 * frequency that documentation may lift is a review, conditional). */
mn_finding *mn_x__finding_add_as(mn_lstate *s, mn_edit_id id, mn_severity sev,
                                 mn_status status, const char *message);
/* Gives a finding another edit (a statutory policy turns a diagnosis
 * denial into an exclusion): edit, class and the table's CARC/RARC; the
 * line status is lowered to the new edit's. */
void mn_x__finding_reclass(mn_lstate *s, mn_finding *f, mn_edit_id id);
/* True when one of the line's first `upto` findings is of edit `id`. */
bool mn_x__line_has(const mn_line_result *lr, size_t upto, mn_edit_id id);
/* The line's first finding of edit `id`, or NULL. */
const mn_finding *mn_x__line_find(const mn_line_result *lr, mn_edit_id id);
/* A formatted string in the context arena ("" when out of memory). */
const char *mn_x__lprintf(mn_lstate *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* True when diagnosis `key` may be suggested for the line: billable in the
 * ICD-10-CM code set of its date (when the KB has one) and not in conflict
 * with the patient's age or sex by the MCE edits of that date. */
bool mn_x__dx_suggestible(const mn_lstate *s, mn_key key);
/* A date as YYYY-MM-DD in the context arena. */
const char *mn_x__date_text(mn_lstate *s, int32_t date);
/* Makes what the result API hands out of the line's findings (the
 * payable-again dates); once, after every module. */
void mn_x__line_finish(mn_lstate *s);

/*
 * Missing data (data.c)
 */

/* The KB lacks source `kind` (mn_source_kind) for the line's date: adds
 * kb.no_code_set when `none` (no such code set at all) or kb.outside_range,
 * naming the source and the periods the KB covers. */
mn_finding *mn_x__data_missing(mn_lstate *s, int kind, bool none);
/* Rule pack `pack` (covering `periods`, as text) names the line's code but
 * does not cover the date: outside its periods, or (`gap`) inside the span
 * of its rules with none of its rules for the code in force (`rule_id`
 * starts `rule_from`). */
mn_finding *mn_x__pack_outside(mn_lstate *s, const char *pack,
                               const char *periods, const char *rule_id,
                               int32_t rule_from, bool gap);
/* Information: the pack vouches for the date (a declared `covers`) and
 * none of its rules for the code is in force then. */
mn_finding *mn_x__rule_not_in_force(mn_lstate *s, const char *pack,
                                    const char *periods, const char *rule_id,
                                    int32_t rule_from);

/*
 * Check modules, in the order they run
 */

/* Procedure code validity on the date (code.c); calls the coverage code
 * check for a valid HCPCS Level II code. */
void mn_x__check_code(mn_lstate *s);
/* The line's modifiers against the KB's HCPCS Level II modifier list
 * (code.c). */
void mn_x__check_modifiers(mn_lstate *s);
/* The HCPCS coverage code of a Level II code found valid on the line's
 * date: S adds statutory.excluded (once per line), M coverage.noncovered,
 * I code.not_payable; Medicare claims only (coverage.c). */
void mn_x__check_coverage(mn_lstate *s, const struct kb_hcpcs *h);
/* Diagnosis validity on the date and the MCE edits (dx.c). */
void mn_x__check_dx(mn_lstate *s);
/* The coverage policies that govern the line's code (policy.c). */
void mn_x__check_policies(mn_lstate *s);
/* Service rules (service.c), NCCI/MUE (ncci.c), body site, modifiers and
 * ABN (site.c, last). */
void mn_x__check_rules(mn_lstate *s);
void mn_x__check_ncci(mn_lstate *s);
void mn_x__check_site(mn_lstate *s);

/*
 * Places (place.c): where the claim is judged, and whether a local policy
 * applies there.
 */

/* Why a local policy only perhaps applies. */
typedef enum mn_place_why {
    MN_PLACE_CERTAIN = 0, /* it applies, or not, for certain */
    MN_PLACE_UNKNOWN,     /* the KB does not know where it applies */
    MN_PLACE_SEVERAL,     /* it is one of several jurisdictions' (the
                             documents index names a company with several) */
    MN_PLACE_PART         /* it applies in part of the claim's area only */
} mn_place_why;

/* The area of a claim's jurisdiction on `date` (MN_NODATE: any date): a
 * contractor number the KB knows is where the export says it serves on
 * that date; otherwise `parsed` (the claim's own area). False when the
 * area is empty. */
bool mn_x__place_claim_area(const mn_kb *kb, const char *jurisdiction,
                            const mn_area *parsed, int32_t date, mn_area *out);
/* Whether policy `policy` (index) applies in `claim` on `date` (MN_NODATE:
 * its places of any date); NCDs apply everywhere. *why says why a match is
 * only possible. */
mn_area_match mn_x__place_match(const mn_kb *kb, uint32_t policy,
                                const mn_area *claim, int32_t date,
                                mn_place_why *why);

/* Writes the URL of a cited document's page on the CMS site (articles and
 * LCDs of the Medicare Coverage Database) into `out`; returns its length,
 * 0 (and "") when the citation has no page (result.c). */
size_t mn_x__citation_url(char *out, size_t size, const char *kind,
                          const char *id, int version);

/* "non-covered by Medicare statute" for a KB_COV_* letter, NULL for 0 or
 * an unknown one (coverage.c). */
const char *mn_x__hcpcs_coverage_meaning(unsigned coverage);
/* Writes a HCPCS statute number as SSA section text ("1862A7" ->
 * "SSA 1862(a)(7)") and returns true when its shape is clear; otherwise
 * writes it as given (trimmed, at most 64 bytes) and returns false
 * (coverage.c). */
bool mn_x__hcpcs_statute(char *out, size_t size, const char *s, size_t len);

/*
 * Prior services (prior.c)
 */

typedef struct mn_prior_set {
    mn_prior *v;
    size_t n;
    /* with the edits across claims: the view's services and the store's
       of the patient on the claim's dates with a provider, in the arena */
    mn_cross_svc *cross;
    size_t n_cross;
} mn_prior_set;

/* Gathers the patient's prior services: the claim's `history` and the
 * history source's services, sorted by date and code, a claim entry that
 * repeats a stored service dropped. MN_ENOMEM, or the history source's
 * error passed up unchanged. */
int mn_x__prior_collect(mn_prior_set *out, mn_ctx *ctx, const mn_claim *claim,
                        const mn_check_options *opts, mn_error *err);

/*
 * Across claims (cross.c)
 */

/* A provider or claim id as the index keeps it: a 64-bit hash, 0 for
 * NULL or "". */
uint64_t mn_x__cross_hash(const char *s);
/* Line `li` of `c` as a service of the index. */
void mn_x__cross_svc_of(mn_cross_svc *out, const mn_claim *c, size_t li,
                        uint64_t claim_hash);
/* The services of a view (NULL: none). */
const mn_cross_svc *mn_x__cross_view(const mn_crossclaim_view *v, size_t *n);

#endif
