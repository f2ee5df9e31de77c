/*
 * check/check.h: results as the engine builds them (internal). Everything
 * here lives in the context's arena.
 */
#ifndef MN_ENGINE_INT_H
#define MN_ENGINE_INT_H

#include "claim/claim_int.h"
#include "mednec/engine.h"

typedef enum { MN_SEV_DENY = 0, MN_SEV_REVIEW, MN_SEV_INFO } mn_severity;

#define MN_MAX_SUPPORTING 10

typedef struct mn_finding {
    const char *edit; /* contract edit id, static */
    mn_severity severity;
    const char *message; /* plain language, one sentence or two */
    /* citation; kind NULL when the finding has none */
    const char *policy_kind; /* "ncd", "lcd", "article", "mce", "rule",
                                "code_set" */
    const char *policy_id;   /* "A56767", "190.21", "MCE v41" ... */
    int policy_version;      /* -1 when not applicable */
    int group;               /* diagnosis group, 0 when none */
    const char *policy_title;
    const char *related; /* LCD of an article, or NULL */
    const char *source;  /* rule source / citation text, or NULL */
    const char *carc;    /* NULL when none */
    const char *rarc;
    const char *dx;  /* the diagnosis concerned (dotted) or NULL */
    const char *fix; /* what would fix it, or NULL */
    /* covered diagnoses that would support the line (keys; the renderer
     * writes them dotted, with descriptions from the KB) */
    mn_key supporting[MN_MAX_SUPPORTING];
    size_t n_supporting;
} mn_finding;

typedef struct mn_line_result {
    size_t line; /* 1-based */
    char code[8];
    mn_status status;
    const char *abn; /* "not_needed", "recommended", "on_file" */
    /* plain-language reason for blank E of the ABN when `abn` is
       "recommended", else NULL (check/site.c) */
    const char *abn_reason;
    const char *suggested[4];
    size_t n_suggested;
    mn_finding *findings;
    size_t n_findings;
    size_t cap_findings;
} mn_line_result;

struct mn_result {
    const char *id; /* claim id or NULL */
    mn_status status;
    mn_line_result *lines;
    size_t n_lines;
    const mn_claim *claim;
};

struct mn_ctx {
    mn_arena *arena;
    mn_result res;
    /* the code-set years of the last date seen (claims share dates) */
    const mn_kb *year_kb;
    int32_t year_date;
    int icd_year;
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

/*
 * The state of the line being checked, shared by the check modules
 * (check/engine.c and check_*.c). Everything it points to lives at least as
 * long as the check.
 */
typedef struct mn_lstate {
    mn_ctx *ctx;
    const mn_kb *kb;
    const mn_claim *claim;
    const mn_claim_line *line;
    size_t line_index; /* 0-based index into claim->lines */
    mn_line_result *lr;
    int32_t date; /* date of service of the line */
    int icd_year; /* index into the KB's ICD years, -1 none */
    int mce_ver;  /* index into the KB's MCE versions, -1 */
    const mn_claim_dx *dx[MN_MAX_POINTERS + 99]; /* pointed diagnoses */
    size_t n_dx;
    bool nomem;
    bool med_nec_denial; /* a medical-necessity (ABN-eligible) denial */
    /* the patient's prior services, sorted by date (claim history plus the
       history store), not including this claim's lines */
    const mn_prior *prior;
    size_t n_prior;
} mn_lstate;

/* Check modules run on every line after the policy check, in this order:
 * service rules (check/service.c), NCCI/MUE (check/ncci.c), body site,
 * modifiers and ABN (check/site.c, which also decides `abn`). */
void mn_x__check_rules(mn_lstate *s);
void mn_x__check_ncci(mn_lstate *s);
void mn_x__check_site(mn_lstate *s);

/* The HCPCS coverage code of a Level II code found valid on the line's
 * date (check/engine.c calls it from the code check, before the policies):
 * S adds statutory.excluded (once per line), M coverage.noncovered, I
 * code.not_payable; Medicare claims only (check/coverage.c). */
struct kb_hcpcs;
void mn_x__check_coverage(mn_lstate *s, const struct kb_hcpcs *h);
/* "non-covered by Medicare statute" for a KB_COV_* letter, NULL for 0 or
 * an unknown one. */
const char *mn_x__hcpcs_coverage_meaning(unsigned coverage);
/* Writes a HCPCS statute number as SSA section text ("1862A7" ->
 * "SSA 1862(a)(7)") and returns true when its shape is clear; otherwise
 * writes it as given (trimmed, at most 64 bytes) and returns false. */
bool mn_x__hcpcs_statute(char *out, size_t size, const char *s, size_t len);

/* Appends a finding to the line and lowers the line status to `status`
 * if worse. Returns NULL (and sets s->nomem) when out of memory. */
mn_finding *mn_x__add_finding(mn_lstate *s, const char *edit, mn_severity sev,
                              mn_status status, const char *message);
/* True when one of the line's first `upto` findings is `edit`. */
bool mn_x__line_has(const mn_line_result *lr, size_t upto, const char *edit);
/* A formatted string in the context arena ("" when out of memory). */
const char *mn_x__lprintf(mn_lstate *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Renders a result as contract JSON (out/render.c). */
int mn_x__render_json(mn_buf *buf, const mn_result *res, const mn_kb *kb);
/* Renders a human summary (out/render.c). */
int mn_x__render_text(mn_buf *buf, const mn_result *res, const mn_kb *kb);
/* Appends `s` as a JSON string literal (with quotes) to `buf`. */
int mn_x__json_string(mn_buf *buf, const char *s, size_t len);

#endif
