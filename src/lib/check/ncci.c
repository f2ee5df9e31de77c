/*
 * check/ncci.c: medically unlikely edits (units), NCCI procedure-to-
 * procedure pairs and add-on codes without a primary (docs/ncci.md).
 *
 * All three are coding denials: the provider is liable and an ABN cannot
 * shift that liability (medicare-facts.md section 4), so none of them sets
 * s->med_nec_denial. They apply to Medicare claims only (the tables are
 * the Medicare NCCI files). Professional claims use the practitioner
 * tables, institutional claims the outpatient hospital ones, DME supplier
 * claims (claim_type "dme", an extension) the DME supplier MUEs; NCCI
 * publishes PTP tables for practitioners and hospitals only, so a DME
 * claim gets no PTP edit.
 */
#include <stdio.h>
#include <string.h>

#include "check/check.h"
#include "kb/ncci_fmt.h"

#define PRINTF mn_x__lprintf
#define MAX_LISTED 6 /* primary codes named in a message */

static int32_t line_date(const mn_claim *c, const mn_claim_line *ln)
{
    return ln->date != MN_NODATE ? ln->date : c->date;
}

static const char *date_text(mn_lstate *s, int32_t d)
{
    return d == MN_NODATE ? "the date of service" : mn_x__date_text(s, d);
}

/* ------------------------------------------------------------------ */
/* Modifiers                                                            */
/* ------------------------------------------------------------------ */

static bool mod_is(const char m[3], const char *x)
{
    return mn_x__toupper((unsigned char)m[0]) == x[0] &&
           mn_x__toupper((unsigned char)m[1]) == x[1];
}

static bool has_mod(const mn_claim_line *ln, const char *m)
{
    bool hit = false;

    for (unsigned i = 0; i < ln->n_modifiers && !hit; i++)
        hit = mod_is(ln->modifiers[i], m);
    return hit;
}

static bool in_list(const char m[3], const char *const *list, size_t n)
{
    bool hit = false;

    for (size_t i = 0; i < n && !hit; i++)
        hit = mod_is(m, list[i]);
    return hit;
}

/* 59 and its subsets XE, XP, XS, XU. */
static bool distinct_mod(const char m[3])
{
    static const char *const l[] = {"59", "XE", "XP", "XS", "XU"};
    return in_list(m, l, sizeof(l) / sizeof(l[0]));
}

/* The anatomic NCCI-associated modifiers (medicare-facts.md 5.3). */
static bool anatomic_mod(const char m[3])
{
    static const char *const l[] = {
        "E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6",
        "F7", "F8", "F9", "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7",
        "T8", "T9", "LT", "RT", "LC", "LD", "LM", "RC", "RI"};
    return in_list(m, l, sizeof(l) / sizeof(l[0]));
}

/* The numeric value of a five-digit code, or -1. */
static long code_number(const mn_claim_line *ln)
{
    long v = 0;

    for (int i = 0; i < 5; i++) {
        if (!mn_x__isdigit(ln->code_text[i]))
            return -1;
        v = v * 10 + (ln->code_text[i] - '0');
    }
    return ln->code_text[5] ? -1 : v;
}

/* Evaluation and management: 99202-99499, eye visits 92002-92014, and
 * the hospital clinic visit G0463. */
static bool em_code(const mn_claim_line *ln)
{
    long v = code_number(ln);
    return (v >= 99202 && v <= 99499) || (v >= 92002 && v <= 92014) ||
           strcmp(ln->code_text, "G0463") == 0;
}

/* Clinical laboratory: 80047-89398 and proprietary lab codes (####U). */
static bool lab_code(const mn_claim_line *ln)
{
    long v = code_number(ln);
    const char *t = ln->code_text;
    bool pla = strlen(t) == 5 && t[4] == 'U';

    for (int i = 0; i < 4 && pla; i++)
        pla = mn_x__isdigit(t[i]);
    return (v >= 80047 && v <= 89398) || pla;
}

/*
 * True when an NCCI-associated modifier lets the pair (column-2 line c2,
 * column-1 line c1) be paid under a modifier-indicator-1 edit:
 * - 59, XE, XP, XS, XU on the column-2 line, or (professional claims,
 *   dates from 2019-07-01) on the column-1 line;
 * - an anatomic modifier on the column-2 line that the column-1 line does
 *   not carry (different sites);
 * - 24, 25, 57 on a column-2 E/M line; 27 on a column-2 E/M line of an
 *   institutional claim; 91 on a column-2 lab line; 58, 78, 79 on the
 *   column-2 line.
 */
static bool bypassed(const mn_claim_line *c2, const mn_claim_line *c1,
                     bool inst, int32_t date)
{
    static const char *const em_mods[] = {"24", "25", "57"};
    static const char *const global_mods[] = {"58", "78", "79"};
    bool em = em_code(c2);
    bool ok = false;

    for (unsigned i = 0; i < c2->n_modifiers && !ok; i++) {
        const char *m = c2->modifiers[i];
        ok = distinct_mod(m) || in_list(m, global_mods, 3) ||
             (anatomic_mod(m) && !has_mod(c1, m)) ||
             (em && in_list(m, em_mods, 3)) ||
             (em && inst && mod_is(m, "27")) ||
             (mod_is(m, "91") && lab_code(c2));
    }
    if (!inst &&
        (date == MN_NODATE || date >= mn_x__days_from_civil(2019, 7, 1))) {
        for (unsigned i = 0; i < c1->n_modifiers && !ok; i++)
            ok = distinct_mod(c1->modifiers[i]);
    }
    return ok;
}

/* Adds a suggested modifier once, leaving room for the ABN modifier. */
static void suggest(mn_line_result *lr, const char *m)
{
    for (size_t i = 0; i < lr->n_suggested; i++) {
        if (strcmp(lr->suggested[i], m) == 0)
            return;
    }
    if (lr->n_suggested < 3)
        lr->suggested[lr->n_suggested++] = m;
}

/* ------------------------------------------------------------------ */
/* MUE                                                                  */
/* ------------------------------------------------------------------ */

static const char *const MUE_SERVICE[MN_MUE_SERVICES] = {
    "practitioner", "outpatient hospital", "DME supplier"};
static const char *const MAI_TEXT[4] = {"", "claim-line edit",
                                        "date-of-service edit: policy",
                                        "date-of-service edit: clinical"};

static void check_mue(mn_lstate *s, const mn_ncci_view *v)
{
    const mn_claim *c = s->claim;
    const mn_claim_line *ln = s->line;
    int svc = c->dme ? MN_MUE_DME : c->institutional ? MN_MUE_OUT : MN_MUE_PRAC;
    const kb_mue *m = mn_x__ncci_mue(v, ln->code, svc);
    const char *label;
    const char *text;
    uint64_t units = 0;
    size_t lines = 0;
    mn_finding *f;

    if (!m)
        return;
    size_t other = 0; /* lines of other claims counted */

    if (m->mai == 1) {
        units = ln->units;
        lines = 1;
    } else {
        for (size_t j = 0; j < c->n_lines; j++) {
            const mn_claim_line *o = &c->lines[j];
            if (o->code == ln->code && line_date(c, o) == s->date) {
                units += o->units;
                lines++;
            }
        }
        /* a date-of-service edit counts the units of the beneficiary's
           other claims by the same provider on the date */
        for (size_t j = 0; j < s->n_cross && s->line_provider; j++) {
            const mn_cross_svc *x = &s->cross[j];
            if (x->code == ln->code && x->date == s->date &&
                x->provider == s->line_provider) {
                units += x->units;
                other++;
            }
        }
    }
    if (units <= m->units)
        return;
    if (m->mai == 1)
        f = mn_x__finding_add(
            s, MN_E_UNITS_MUE_EXCEEDED,
            PRINTF(s,
                   "%u units of %s on one line exceed its medically "
                   "unlikely edit of %u (MAI 1, a claim-line edit): the "
                   "line is denied.",
                   ln->units, ln->code_text, m->units));
    else if (other)
        f = mn_x__finding_add(
            s, MN_E_UNITS_MUE_EXCEEDED,
            PRINTF(s,
                   "%llu units of %s on %s (%zu line%s of this claim, %zu of "
                   "other claims of the same provider for the patient) "
                   "exceed its medically unlikely edit of %u per date of "
                   "service (MAI %d, %s): this claim's lines of the code on "
                   "that date are denied.",
                   (unsigned long long)units, ln->code_text,
                   date_text(s, s->date), lines, lines == 1 ? "" : "s", other,
                   m->units, m->mai, MAI_TEXT[m->mai]));
    else
        f = mn_x__finding_add(
            s, MN_E_UNITS_MUE_EXCEEDED,
            PRINTF(s,
                   "%llu units of %s on %s (%zu line%s) exceed its medically "
                   "unlikely edit of %u per date of service (MAI %d, %s): "
                   "every line of the code on that date is denied.",
                   (unsigned long long)units, ln->code_text,
                   date_text(s, s->date), lines, lines == 1 ? "" : "s",
                   m->units, m->mai, MAI_TEXT[m->mai]));
    if (!f)
        return;
    label = kb_s(s->kb, v->meta->mue_label[svc]);
    text = mn_x__ncci_text(s->kb, v, m->text);
    f->policy_kind = "mue";
    f->policy_id =
        PRINTF(s, "MUE %s%s%s", MUE_SERVICE[svc], label[0] ? " " : "", label);
    f->policy_title = text[0] ? text : NULL;
    f->source =
        PRINTF(s, "MUE %s %u units, MAI %d (%s)%s%s", ln->code_text, m->units,
               m->mai, MAI_TEXT[m->mai], text[0] ? ", rationale: " : "", text);
    switch (m->mai) {
    case 1:
        f->fix = "Report the units actually furnished on this line; "
                 "medically necessary units above the MUE may go on another "
                 "line with an appropriate modifier (76, 77, 91, 59/XE/XS/"
                 "XP/XU or anatomic) when documented.";
        break;
    case 2:
        f->fix = "Correct the units to those furnished: a policy-based MUE "
                 "(MAI 2) is absolute, and units above it are not paid, "
                 "even on appeal.";
        break;
    default:
        f->fix = "Correct the units if they were reported in error; if more "
                 "units were medically necessary, the excess may be paid on "
                 "appeal (reopening or redetermination) with documentation "
                 "of medical necessity.";
        break;
    }
}

/* ------------------------------------------------------------------ */
/* PTP                                                                  */
/* ------------------------------------------------------------------ */

static const char *const PTP_TABLE[MN_PTP_TABLES] = {"practitioner",
                                                     "hospital"};

/* `other` names the column-1 service when it is on another claim (the
 * claim's id and line), NULL when it is a line of this claim. */
static void ptp_finding(mn_lstate *s, const mn_ncci_view *v, int table,
                        const kb_ptp *p, const mn_claim_line *col1,
                        size_t col1_index, const mn_cross_svc *other)
{
    const mn_claim_line *ln = s->line;
    bool allowed = KB_PTP_MOD(p) == MN_PTP_MOD_YES;
    const char *label = kb_s(s->kb, v->meta->ptp_label[table]);
    const char *text = mn_x__ncci_text(s->kb, v, KB_PTP_TEXT(p));
    uint16_t eff = KB_PTP_EFF(p);
    uint16_t del = KB_PTP_DEL(p);
    mn_finding *f;

    f = mn_x__finding_add(
        s, MN_E_NCCI_PTP,
        other     ? PRINTF(s,
                           "%s is a column-2 code of %s, billed for the patient "
                               "by the same provider on the same date on claim %s "
                               "(line %u), under an NCCI procedure-to-procedure "
                               "edit%s.",
                           ln->code_text, col1->code_text,
                       other->claim_id[0] ? other->claim_id : "(no id)",
                           other->line,
                       allowed ? ", and no NCCI-associated modifier shows a "
                                     "distinct service"
                                   : " that no modifier can bypass")
        : allowed ? PRINTF(s,
                           "%s is a column-2 code of %s (line %zu) on the "
                           "same date under an NCCI procedure-to-procedure "
                           "edit, and no NCCI-associated modifier shows a "
                           "distinct service.",
                           ln->code_text, col1->code_text, col1_index + 1)
                  : PRINTF(s,
                           "%s is a column-2 code of %s (line %zu) on the "
                           "same date under an NCCI procedure-to-procedure "
                           "edit that no modifier can bypass.",
                           ln->code_text, col1->code_text, col1_index + 1));
    if (!f)
        return;
    f->policy_kind = "ncci";
    f->policy_id =
        PRINTF(s, "PTP %s%s%s", PTP_TABLE[table], label[0] ? " " : "", label);
    f->policy_title = text[0] ? text : NULL;
    f->source = PRINTF(
        s, "column 1 %s, column 2 %s, modifier indicator %d (%s)%s%s, %s%s",
        col1->code_text, ln->code_text, allowed ? 1 : 0,
        allowed ? "modifier allowed" : "modifier not allowed",
        eff == MN_D16_NONE_EFF ? "" : ", effective ",
        eff == MN_D16_NONE_EFF ? "" : date_text(s, (int32_t)eff),
        del == MN_D16_NONE_DEL ? "not deleted" : "last in force on ",
        del == MN_D16_NONE_DEL ? "" : date_text(s, (int32_t)del));
    if (allowed) {
        f->fix = em_code(ln)
                     ? PRINTF(s,
                              "Only if a significant, separately "
                              "identifiable E/M service is documented, "
                              "report %s with modifier 25; never add a "
                              "modifier only to bypass the edit. Otherwise "
                              "remove %s: it is included in %s.",
                              ln->code_text, ln->code_text, col1->code_text)
                     : PRINTF(s,
                              "Only if a separate encounter, anatomic site "
                              "or practitioner, or an unusual non-"
                              "overlapping service is documented, report %s "
                              "with 59 or the more specific XE, XS, XP or "
                              "XU; never add a modifier only to bypass the "
                              "edit. Otherwise remove %s: it is included in "
                              "%s.",
                              ln->code_text, ln->code_text, col1->code_text);
        suggest(s->lr, em_code(ln) ? "25" : "59");
    } else {
        f->fix = PRINTF(s,
                        "Do not report %s with %s for the same patient on "
                        "the same date; its payment is included in %s.",
                        ln->code_text, col1->code_text, col1->code_text);
    }
}

/* The column-1 services of other claims of the patient by the line's
 * provider on its date (the edits across claims). */
static void check_ptp_cross(mn_lstate *s, const mn_ncci_view *v, int table,
                            long col2, uint16_t d16, bool inst)
{
    const mn_claim_line *ln = s->line;

    for (size_t j = 0; j < s->n_cross && s->line_provider && !s->nomem; j++) {
        const mn_cross_svc *x = &s->cross[j];
        const kb_ptp *p;
        long col1;
        bool seen = false;
        bool all_bypassed = true;
        mn_claim_line c1;

        if (x->provider != s->line_provider || x->date != s->date || !x->code ||
            x->code == ln->code)
            continue;
        /* one finding per column-1 code, as on one claim */
        for (size_t k = 0; k < j && !seen; k++)
            seen = s->cross[k].code == x->code &&
                   s->cross[k].provider == s->line_provider &&
                   s->cross[k].date == s->date;
        for (size_t k = 0; k < s->claim->n_lines && !seen; k++)
            seen = s->claim->lines[k].code == x->code &&
                   line_date(s->claim, &s->claim->lines[k]) == s->date;
        if (seen)
            continue;
        col1 = mn_x__ncci_code(v, x->code);
        p = col1 < 0 ? NULL : mn_x__ncci_pair(v, table, col2, col1, d16);
        if (!p || KB_PTP_MOD(p) == MN_PTP_MOD_NA)
            continue;
        memset(&c1, 0, sizeof(c1));
        c1.code = x->code;
        {
            char tmp[9];
            mn_x__key_text(tmp, x->code);
            memcpy(c1.code_text, tmp, sizeof(c1.code_text) - 1);
        }
        if (KB_PTP_MOD(p) == MN_PTP_MOD_YES) {
            for (size_t k = j; k < s->n_cross && all_bypassed; k++) {
                const mn_cross_svc *y = &s->cross[k];
                if (y->code != x->code || y->provider != s->line_provider ||
                    y->date != s->date)
                    continue;
                c1.n_modifiers = y->n_mods;
                memcpy(c1.modifiers, y->mods, sizeof(c1.modifiers));
                all_bypassed = bypassed(ln, &c1, inst, s->date);
            }
            if (all_bypassed)
                continue;
        }
        c1.n_modifiers = x->n_mods;
        memcpy(c1.modifiers, x->mods, sizeof(c1.modifiers));
        ptp_finding(s, v, table, p, &c1, 0, x);
    }
}

static void check_ptp(mn_lstate *s, const mn_ncci_view *v)
{
    const mn_claim *c = s->claim;
    const mn_claim_line *ln = s->line;
    bool inst = c->institutional != 0;
    int table = inst ? MN_PTP_HOSP : MN_PTP_PRAC;
    long col2 = mn_x__ncci_code(v, ln->code);
    uint16_t d16 = mn_x__d16(s->date);

    if (col2 < 0 || v->idx[col2] == v->idx[col2 + 1])
        return;
    for (size_t j = 0; j < c->n_lines && !s->nomem; j++) {
        const mn_claim_line *o = &c->lines[j];
        const kb_ptp *p;
        long col1;
        bool seen = false;
        bool all_bypassed = true;

        if (j == s->line_index || !o->code || o->code == ln->code ||
            line_date(c, o) != s->date)
            continue;
        /* the lines of one column-1 code are judged together, once */
        for (size_t k = 0; k < j && !seen; k++)
            seen = k != s->line_index && c->lines[k].code == o->code &&
                   line_date(c, &c->lines[k]) == s->date;
        if (seen)
            continue;
        col1 = mn_x__ncci_code(v, o->code);
        p = col1 < 0 ? NULL : mn_x__ncci_pair(v, table, col2, col1, d16);
        if (!p || KB_PTP_MOD(p) == MN_PTP_MOD_NA)
            continue;
        if (KB_PTP_MOD(p) == MN_PTP_MOD_YES) {
            for (size_t k = j; k < c->n_lines && all_bypassed; k++) {
                const mn_claim_line *x = &c->lines[k];
                if (k != s->line_index && x->code == o->code &&
                    line_date(c, x) == s->date)
                    all_bypassed = bypassed(ln, x, inst, s->date);
            }
            if (all_bypassed)
                continue;
        }
        ptp_finding(s, v, table, p, o, j, NULL);
    }
    check_ptp_cross(s, v, table, col2, d16, inst);
}

/* ------------------------------------------------------------------ */
/* Add-on codes                                                         */
/* ------------------------------------------------------------------ */

/* True when `code` (0: any code other than the line's) is billed on the
 * line's date on another line of the claim or in the patient's prior
 * services. */
static bool billed_on_date(const mn_lstate *s, mn_key code)
{
    const mn_claim *c = s->claim;
    mn_key self = s->line->code;

    for (size_t j = 0; j < c->n_lines; j++) {
        const mn_claim_line *o = &c->lines[j];
        if (j == s->line_index || line_date(c, o) != s->date || !o->code)
            continue;
        if (code ? o->code == code : o->code != self)
            return true;
    }
    for (size_t i = 0; i < s->n_prior; i++) {
        const mn_prior *p = &s->prior[i];
        if (p->date != s->date)
            continue;
        if (code ? p->code == code : (p->code && p->code != self))
            return true;
    }
    return false;
}

static const char *const AOC_TYPE[4] = {
    "", "only the primary codes listed", "primary codes not specified by CMS",
    "primary codes listed, others as the MAC decides"};

static void check_aoc(mn_lstate *s, const mn_ncci_view *v)
{
    const mn_claim_line *ln = s->line;
    size_t n = 0;
    const kb_aoc *rows = mn_x__ncci_aoc(v, ln->code, &n);
    char listed[8 * MAX_LISTED + 8];
    size_t ll = 0;
    size_t n_listed = 0;
    bool any = false;
    uint32_t type = 0;
    const char *label;
    mn_finding *f;
    bool other;

    /* no date: the edits in force now, as for PTP */
    int32_t date = s->date == MN_NODATE ? MN_FOREVER : s->date;

    listed[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const kb_aoc *a = &rows[i];
        if ((a->effective != MN_NODATE && date < a->effective) ||
            (a->deleted != MN_NODATE && date > a->deleted))
            continue;
        if (!type)
            type = a->type;
        if (!a->primary) {
            any = true;
            continue;
        }
        if (billed_on_date(s, a->primary))
            return;
        if (n_listed++ < MAX_LISTED) {
            char code[9];
            mn_x__key_text(code, a->primary);
            ll += (size_t)snprintf(listed + ll, sizeof(listed) - ll, "%s%s",
                                   ll ? ", " : "", code);
        } else if (n_listed == MAX_LISTED + 1) {
            ll += (size_t)snprintf(listed + ll, sizeof(listed) - ll, ", ...");
        }
    }
    if (!type)
        return; /* not an add-on code on this date */
    other = billed_on_date(s, 0);
    if (any && other)
        return;
    label = kb_s(s->kb, v->meta->aoc_label);
    if (type == 3 && other && n_listed) {
        f = mn_x__finding_add_as(
            s, MN_E_NCCI_ADDON_WITHOUT_PRIMARY, MN_SEVERITY_REVIEW,
            MN_STATUS_CONDITIONAL,
            PRINTF(s,
                   "%s is an add-on code and none of the primary codes CMS "
                   "lists for it (%s) is billed on %s; the MAC may accept "
                   "another primary (AOC edit type 3).",
                   ln->code_text, listed, date_text(s, s->date)));
    } else if (n_listed) {
        f = mn_x__finding_add(
            s, MN_E_NCCI_ADDON_WITHOUT_PRIMARY,
            PRINTF(s,
                   "%s is an add-on code and none of its eligible primary "
                   "codes (%s) is billed on %s.",
                   ln->code_text, listed, date_text(s, s->date)));
    } else {
        f = mn_x__finding_add(
            s, MN_E_NCCI_ADDON_WITHOUT_PRIMARY,
            PRINTF(s,
                   "%s is an add-on code and no primary procedure is billed "
                   "with it on %s.",
                   ln->code_text, date_text(s, s->date)));
    }
    if (!f)
        return;
    f->policy_kind = "ncci";
    f->policy_id = PRINTF(s, "AOC%s%s", label[0] ? " " : "", label);
    f->source =
        PRINTF(s, "add-on code %s, AOC edit type %u (%s)%s%s", ln->code_text,
               type, AOC_TYPE[type], n_listed ? ", primaries: " : "", listed);
    if (f->severity == MN_SEVERITY_DENY) {
        f->fix = "Report the primary procedure furnished by the same "
                 "practitioner on the same date, or remove the add-on code.";
    } else {
        f->fix = PRINTF(s,
                        "Check that the MAC accepts the primary billed with "
                        "%s, or report one of the listed primaries.",
                        ln->code_text);
    }
}

/* True when another line of the claim has another code on the line's
 * date (a PTP edit could pair them). */
static bool other_code_on_date(const mn_lstate *s)
{
    const mn_claim *c = s->claim;

    for (size_t j = 0; j < c->n_lines; j++) {
        const mn_claim_line *o = &c->lines[j];
        if (j != s->line_index && o->code && o->code != s->line->code &&
            line_date(c, o) == s->date)
            return true;
    }
    return false;
}

/* Each table is applied only when the KB holds it for the line's date (or
 * does not know its period); a table of the KB that does not cover the
 * date gives kb.outside_range instead (check/data.c). A table the KB lacks
 * altogether is not applied, as before. */
void mn_x__check_ncci(mn_lstate *s)
{
    const mn_ncci_view *v = mn_x__ncci_view(s->kb);
    const mn_claim *c = s->claim;
    int svc;
    int table;
    size_t n_aoc = 0;

    if (!v || !s->line->code || c->payer != MN_PAYER_MEDICARE)
        return;
    svc = c->dme ? MN_MUE_DME : c->institutional ? MN_MUE_OUT : MN_MUE_PRAC;
    if (mn_x__kb_covers(s->kb, MN_SOURCE_NCCI_MUE_PRACTITIONER + svc,
                        s->date) == 0)
        mn_x__data_missing(s, MN_SOURCE_NCCI_MUE_PRACTITIONER + svc, false);
    else
        check_mue(s, v);
    table = c->institutional ? MN_PTP_HOSP : MN_PTP_PRAC;
    if (!s->nomem && !c->dme) {
        if (other_code_on_date(s) &&
            mn_x__kb_covers(s->kb, MN_SOURCE_NCCI_PTP_PRACTITIONER + table,
                            s->date) == 0)
            mn_x__data_missing(s, MN_SOURCE_NCCI_PTP_PRACTITIONER + table,
                               false);
        else
            check_ptp(s, v);
    }
    if (s->nomem)
        return;
    /* the add-on code edits of a code the table lists as an add-on */
    if (mn_x__ncci_aoc(v, s->line->code, &n_aoc) &&
        mn_x__kb_covers(s->kb, MN_SOURCE_NCCI_AOC, s->date) == 0)
        mn_x__data_missing(s, MN_SOURCE_NCCI_AOC, false);
    else
        check_aoc(s, v);
}
