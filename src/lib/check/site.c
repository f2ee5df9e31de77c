/*
 * check/site.c: body site (laterality), modifier conflicts, and the ABN
 * decision and suggested modifiers. Runs last on each line, so it sees
 * every other module's findings. Semantics and sources: docs/site.md.
 */
#include <stdarg.h>
#include <string.h>

#include "check/check.h"
#include "kb/kb_int.h"
#include "check/laterality.h"

#define PRINTF mn_x__lprintf

static bool has_mod(const mn_claim_line *ln, const char *m)
{
    for (unsigned i = 0; i < ln->n_modifiers; i++) {
        if (ln->modifiers[i][0] == m[0] && ln->modifiers[i][1] == m[1])
            return true;
    }
    return false;
}

/* Adds a suggested modifier once; earlier modules' suggestions (NCCI
 * bypass modifiers) are kept, and the list holds four. */
static void suggest_mod(mn_line_result *lr, const char *m)
{
    size_t cap = sizeof(lr->suggested) / sizeof(lr->suggested[0]);

    for (size_t i = 0; i < lr->n_suggested && i < cap; i++) {
        if (lr->suggested[i] && strcmp(lr->suggested[i], m) == 0)
            return;
    }
    if (lr->n_suggested < cap)
        lr->suggested[lr->n_suggested++] = m;
}

/*
 * Laterality
 */

/* What a side modifier names, for messages. */
static const char *mod_meaning(const char *m)
{
    static const char *const lid[] = {"left upper eyelid", "left lower eyelid",
                                      "right upper eyelid",
                                      "right lower eyelid"};
    static char const hand[2][5][32] = {
        {"left thumb", "left hand, second digit", "left hand, third digit",
         "left hand, fourth digit", "left hand, fifth digit"},
        {"right thumb", "right hand, second digit", "right hand, third digit",
         "right hand, fourth digit", "right hand, fifth digit"}};
    static char const foot[2][5][32] = {
        {"left great toe", "left foot, second toe", "left foot, third toe",
         "left foot, fourth toe", "left foot, fifth toe"},
        {"right great toe", "right foot, second toe", "right foot, third toe",
         "right foot, fourth toe", "right foot, fifth toe"}};
    int k;

    if (m[0] == 'R' && m[1] == 'T')
        return "right side";
    if (m[0] == 'L' && m[1] == 'T')
        return "left side";
    if (m[0] == '5' && m[1] == '0')
        return "bilateral procedure";
    if (m[0] == 'E' && m[1] >= '1' && m[1] <= '4')
        return lid[m[1] - '1'];
    /* FA/TA: 0; F1-F4: 1-4 (left); F5-F9: 0-4 (right) */
    k = m[1] == 'A' ? 0 : m[1] - '0';
    if (m[0] == 'F')
        return k <= 4 ? hand[0][k] : hand[1][k - 5];
    return k <= 4 ? foot[0][k] : foot[1][k - 5];
}

static void laterality_cite(mn_finding *f)
{
    f->policy_kind = "rule";
    f->policy_id = "laterality";
    f->policy_title = "Diagnosis-to-modifier laterality (payer edits; no "
                      "national Medicare edit confirmed)";
    f->source = "ICD-10-CM guideline I.B.13; diagnosis-to-modifier "
                "laterality edits of EmblemHealth (2019), Excellus (2022) "
                "and Anthem (2024)";
}

static void check_laterality(mn_lstate *s)
{
    const mn_claim_line *ln = s->line;
    const char *mod[8] = {NULL}; /* first modifier naming each side bit */
    const mn_cdx *dx[3] = {NULL, NULL, NULL}; /* right, left */
    const char *desc[3] = {NULL, NULL, NULL};
    unsigned want = 0;
    unsigned have = 0;
    mn_finding *f;

    for (unsigned i = 0; i < ln->n_modifiers; i++) {
        unsigned side = mn_x__side_of_modifier(ln->modifiers[i]);
        if (side && !mod[side])
            mod[side] = ln->modifiers[i];
        want |= side;
    }
    if (!want || s->icd_near < 0 || !s->kb->n_icd)
        return; /* no side on the line, or no ICD table to read sides */
    for (size_t i = 0; i < s->n_dx; i++) {
        const char *d = mn_x__kb_icd_desc(s->kb, s->dx[i]->key);
        unsigned side = d ? mn_x__side_of_desc(d, strlen(d)) : 0;
        if (side & MN_SIDE_BILATERAL)
            return; /* a bilateral condition fits any side (I.B.13) */
        for (unsigned b = 1; b <= 2; b++) {
            if ((side & b) && !dx[b]) {
                dx[b] = s->dx[i];
                desc[b] = d;
            }
        }
        have |= side;
    }
    if (!have)
        return; /* unspecified side, or not a lateral condition */

    if ((want & MN_SIDE_BILATERAL) || (want & (MN_SIDE_RIGHT | MN_SIDE_LEFT)) ==
                                          (MN_SIDE_RIGHT | MN_SIDE_LEFT)) {
        unsigned one = have & (MN_SIDE_RIGHT | MN_SIDE_LEFT);
        if (one == (MN_SIDE_RIGHT | MN_SIDE_LEFT))
            return;
        f = mn_x__finding_add(
            s, MN_E_LATERALITY_MISMATCH,
            mod[MN_SIDE_BILATERAL]
                ? PRINTF(s,
                         "Modifier 50 reports a bilateral procedure, but "
                         "the line's diagnoses name only %s: %s (%s).",
                         mn_x__side_name(one), dx[one]->text, desc[one])
                : PRINTF(s,
                         "Modifiers %.2s and %.2s report both sides, but "
                         "the line's diagnoses name only %s: %s (%s).",
                         mod[MN_SIDE_RIGHT], mod[MN_SIDE_LEFT],
                         mn_x__side_name(one), dx[one]->text, desc[one]));
        if (f) {
            laterality_cite(f);
            f->dx = dx[one]->text;
            f->fix = "If both sides were treated, point the line to a "
                     "diagnosis for each side or to the bilateral code; if "
                     "one side was, report that side's modifier instead.";
        }
        return;
    }
    if (have & want)
        return; /* a pointed diagnosis names the line's side */
    {
        unsigned other = have & (MN_SIDE_RIGHT | MN_SIDE_LEFT);
        const char *m = mod[want];
        f = mn_x__finding_add(
            s, MN_E_LATERALITY_MISMATCH,
            PRINTF(s,
                   "Modifier %.2s (%s) does not match the line's "
                   "diagnosis %s (%s), which names %s.",
                   m, mod_meaning(m), dx[other]->text, desc[other],
                   mn_x__side_name(other)));
        if (f) {
            laterality_cite(f);
            f->dx = dx[other]->text;
            f->fix = "Check the side in the medical record and correct the "
                     "modifier or the diagnosis; a condition of both sides "
                     "takes its bilateral code.";
        }
    }
}

/*
 * Modifier conflicts
 */

typedef struct conflict {
    char a[3];
    char b[3];
    const char *why;
    const char *fix;
    const char *rarc;
    const char *source;
} conflict;

static const conflict conflicts[] = {
    {"GA", "GZ",
     "GA reports a signed ABN and GZ reports that none was given; a line "
     "with both has an invalid modifier and cannot be processed.",
     "Keep GA if the patient signed an ABN for this service, otherwise GZ.",
     "MA130",
     "CMS claims processing instructions for GA, GY and GZ: GA with GZ on "
     "one item is an invalid modifier, unprocessable"},
    {"GA", "GY",
     "GA reports an ABN for a service expected to be denied as not "
     "reasonable and necessary; GY reports a statutorily excluded service. "
     "Only one can apply.",
     "Use GY for a service Medicare never covers, GA for a "
     "medical-necessity denial with a signed ABN.",
     NULL, "CGS Medicare, ABN modifiers: GA is not combined with GX, GY or GZ"},
    {"GA", "GX",
     "GA reports a required ABN; GX reports a voluntary notice for a "
     "service Medicare never covers. Only one can apply.",
     "Use GA for a medical-necessity denial with a signed ABN, GX for a "
     "voluntary notice on an excluded service.",
     NULL, "CGS Medicare, ABN modifiers: GA is not combined with GX, GY or GZ"},
    {"GA", "KX",
     "KX attests that the policy's requirements are met; GA reports that "
     "the service is expected to be denied. Both cannot hold.",
     "Append KX only when the medical record documents that the "
     "requirements are met; otherwise report the signed ABN with GA.",
     NULL, "mednec contract, modifier.conflict"},
    {"GY", "GZ",
     "GY reports a statutorily excluded service; GZ a service expected to "
     "be denied as not reasonable and necessary. Only one can apply.",
     "Use GY for a service Medicare never covers, GZ for a "
     "medical-necessity denial without an ABN.",
     NULL, "mednec contract, modifier.conflict"},
};

static void check_conflicts(mn_lstate *s)
{
    for (size_t i = 0; i < sizeof(conflicts) / sizeof(conflicts[0]); i++) {
        const conflict *c = &conflicts[i];
        mn_finding *f;
        if (!has_mod(s->line, c->a) || !has_mod(s->line, c->b))
            continue;
        f = mn_x__finding_add(
            s, MN_E_MODIFIER_CONFLICT,
            PRINTF(s, "Modifiers %s and %s conflict: %s", c->a, c->b, c->why));
        if (f) {
            f->rarc = c->rarc;
            f->policy_kind = "rule";
            f->policy_id = "modifiers";
            f->source = c->source;
            f->fix = c->fix;
        }
    }
}

/*
 * ABN and liability modifiers (Medicare)
 */

/* "test" for laboratory codes (CPT 80047-89398), "service" otherwise. */
static const char *service_word(const mn_claim_line *ln)
{
    const char *c = ln->code_text;
    bool lab = c[0] == '8' && strlen(c) == 5;

    for (size_t i = 1; lab && i < 5; i++)
        lab = mn_x__isdigit((unsigned char)c[i]);
    return lab ? "test" : "service";
}

/* The strings up to NULL, joined in the context arena (no formatting:
 * this runs on every recommended ABN). "" when out of memory. */
static const char *cat(mn_lstate *s, ...)
{
    va_list ap;
    size_t n = 0;
    char *out;
    char *p;
    const char *x;

    va_start(ap, s);
    while ((x = va_arg(ap, const char *)) != NULL)
        n += strlen(x);
    va_end(ap);
    out = mn_x__arena_alloc(s->ctx->arena, n + 1);
    if (!out) {
        s->nomem = true;
        return "";
    }
    p = out;
    va_start(ap, s);
    while ((x = va_arg(ap, const char *)) != NULL) {
        size_t l = strlen(x);
        memcpy(p, x, l);
        p += l;
    }
    va_end(ap);
    *p = '\0';
    return out;
}

/* "the local policy ", "L33996": the policy a finding cites, in words. */
static bool policy_phrase(const mn_finding *f, const char **kind,
                          const char **id)
{
    if (!f->policy_kind || !f->policy_id)
        return false;
    if (strcmp(f->policy_kind, "ncd") == 0) {
        *kind = "the national coverage determination ";
        *id = f->policy_id;
    } else if (strcmp(f->policy_kind, "lcd") == 0) {
        *kind = "the local policy ";
        *id = f->policy_id;
    } else if (strcmp(f->policy_kind, "article") == 0) {
        *kind = f->related ? "the local policy " : "the local billing article ";
        *id = f->related ? f->related : f->policy_id;
    } else {
        return false;
    }
    return true;
}

/* The most recent prior service of the line's code before its date. */
static int32_t last_prior(const mn_lstate *s)
{
    int32_t last = MN_NODATE;

    for (size_t i = 0; i < s->n_prior; i++) {
        if (s->prior[i].code == s->line->code && s->prior[i].date <= s->date)
            last = s->prior[i].date;
    }
    return last;
}

/* The reason for blank E of the ABN, in plain language: the patient text
 * of the first medical-necessity denial on the line (the edit table), with
 * what the finding adds (the policy, the date of the last service). */
static const char *abn_reason(mn_lstate *s)
{
    const char *what = service_word(s->line);
    const mn_finding *f = NULL;
    const char *text;
    const char *mark;
    const char *pk = NULL;
    const char *pid = NULL;
    bool pol;
    char pre[160];
    size_t pre_len;

    for (size_t i = 0; i < s->lr->n_findings && !f; i++) {
        if (s->lr->findings[i].med_nec && s->lr->findings[i].edit->patient_text)
            f = &s->lr->findings[i];
    }
    if (!f)
        return cat(s, "Medicare may not pay for this ", what,
                   " because it may not be considered medically reasonable "
                   "and necessary for you.",
                   NULL);
    if (mn_x__edit_id(f->edit) == MN_E_FREQUENCY_EXCEEDED) {
        int32_t last = last_prior(s);
        char d[11];
        if (last != MN_NODATE) {
            mn_x__format_date(d, last);
            return cat(s, "Medicare pays for this ", what,
                       " only a limited number of times in a period; you "
                       "had it on ",
                       d, ".", NULL);
        }
    }
    if (mn_x__edit_id(f->edit) == MN_E_SEX_MISMATCH && f->sex)
        return cat(s, "Medicare pays for this ", what,
                   f->sex == 'F' ? " only for women." : " only for men.", NULL);
    /* the table's text is "before %s after." */
    text = f->edit->patient_text;
    mark = strstr(text, "%s");
    pre_len = mark ? (size_t)(mark - text) : 0;
    if (!mark || pre_len >= sizeof(pre))
        return text;
    memcpy(pre, text, pre_len);
    pre[pre_len] = '\0';
    text = mark + 2; /* " for your condition." */
    pol = policy_phrase(f, &pk, &pid);
    if (pol) {
        size_t n = strlen(text);
        char post[160];
        const char *open = "";
        const char *close = "";
        if (n == 0 || n >= sizeof(post) || text[n - 1] != '.')
            return cat(s, pre, what, text, NULL);
        memcpy(post, text, n - 1);
        post[n - 1] = '\0';
        switch (mn_x__edit_id(f->edit)) {
        case MN_E_POLICY_DX_NOT_SUPPORTED:
            open = " (diagnosis not covered by ";
            close = ").";
            break;
        case MN_E_POLICY_DX_NONCOVERED:
            open = " (";
            close = " lists the diagnosis as not covered).";
            break;
        case MN_E_POLICY_SECONDARY_DX_MISSING:
            open = " (";
            close = ").";
            break;
        default:
            return cat(s, pre, what, text, NULL);
        }
        return cat(s, pre, what, post, open, pk, pid, close, NULL);
    }
    return cat(s, pre, what, text, NULL);
}

static void note(mn_lstate *s, mn_edit_id edit, const char *message,
                 const char *fix)
{
    mn_finding *f = mn_x__finding_add(s, edit, message);
    if (f)
        f->fix = fix;
}

/* "GY, KX": the modifiers on the line that GA would conflict with. */
static void ga_clashes(char out[12], const mn_claim_line *ln)
{
    size_t n = 0;

    out[0] = '\0';
    for (size_t i = 0; i < sizeof(conflicts) / sizeof(conflicts[0]); i++) {
        const conflict *c = &conflicts[i];
        if (strcmp(c->a, "GA") || !has_mod(ln, c->b) || n + 5 > 12)
            continue;
        if (n) {
            out[n++] = ',';
            out[n++] = ' ';
        }
        out[n++] = c->b[0];
        out[n++] = c->b[1];
        out[n] = '\0';
    }
}

/* A medical-necessity denial is on the line: an ABN can shift liability. */
static bool med_nec_denial(const mn_line_result *lr)
{
    for (size_t i = 0; i < lr->n_findings; i++) {
        if (lr->findings[i].med_nec)
            return true;
    }
    return false;
}

static void decide_abn(mn_lstate *s)
{
    mn_line_result *lr = s->lr;
    const mn_claim_line *ln = s->line;
    bool ga = has_mod(ln, "GA");

    lr->abn = MN_ABN_NOT_NEEDED;
    if (s->claim->payer != MN_PAYER_MEDICARE)
        return;
    if (ga) {
        lr->abn = MN_ABN_ON_FILE;
    } else if (lr->status == MN_STATUS_NOT_COVERED && med_nec_denial(lr) &&
               !has_mod(ln, "GZ")) {
        char clash[12];
        ga_clashes(clash, ln);
        lr->abn = MN_ABN_RECOMMENDED;
        lr->abn_reason = abn_reason(s);
        suggest_mod(lr, "GA");
        note(s, MN_E_ABN_RECOMMENDED,
             "The line is expected to be denied as not reasonable and "
             "necessary; an ABN lets the patient choose and be billed.",
             clash[0] ? cat(s,
                            "Give the patient an ABN (CMS-R-131) before the "
                            "service and append GA; if no ABN is signed, "
                            "append GZ instead (the provider is then "
                            "liable). GA is not combined with ",
                            clash, "; remove ", clash, ".", NULL)
                      : "Give the patient an ABN (CMS-R-131) before the "
                        "service and append GA; if no ABN is signed, append "
                        "GZ instead (the provider is then liable).");
    }

    if (lr->status == MN_STATUS_EXCLUDED && !has_mod(ln, "GY")) {
        suggest_mod(lr, "GY");
        note(s, MN_E_MODIFIER_SUGGESTED,
             "The service is statutorily excluded; Medicare asks for GY, "
             "and no ABN is required.",
             ga || has_mod(ln, "GZ")
                 ? "Append GY in place of GA or GZ; if a voluntary notice "
                   "was given, GX reports it."
                 : "Append GY; if a voluntary notice was given, GX "
                   "reports it.");
    }
    if (has_mod(ln, "GX") && lr->status != MN_STATUS_EXCLUDED)
        note(s, MN_E_MODIFIER_SUGGESTED,
             "GX reports a voluntary notice for a service Medicare never "
             "covers; this line is not statutorily excluded.",
             "For a service expected to be denied as not reasonable and "
             "necessary, report a signed ABN with GA instead.");
    if (mn_x__line_find(lr, MN_E_THERAPY_KX_REQUIRED) && !has_mod(ln, "KX") &&
        !ga) {
        suggest_mod(lr, "KX");
        note(s, MN_E_MODIFIER_SUGGESTED,
             "KX is suggested only if the medical record documents that "
             "the policy's requirements are met.",
             "Append KX when the requirements are documented; otherwise "
             "give an ABN and append GA.");
    }
}

void mn_x__check_site(mn_lstate *s)
{
    check_laterality(s);
    check_conflicts(s);
    decide_abn(s);
}
