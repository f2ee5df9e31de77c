/*
 * check/code.c: is the line's procedure code valid on its date? HCPCS
 * Level II codes against the KB's HCPCS file (add and termination dates),
 * then their Medicare coverage code (coverage.c); CPT codes are accepted
 * by format (no CPT descriptors are shipped). A KB without HCPCS, or whose
 * HCPCS years do not hold the date, makes the line indeterminate
 * (check/data.c), unless the file's own dates show the code invalid.
 *
 * The line's modifiers: two digits are CPT modifiers, accepted by format;
 * any other is looked up in the KB's HCPCS Level II modifier list. One not
 * in the list is modifier.invalid when the list's year holds the date, and
 * makes the line indeterminate (a newer list may hold it) when it does
 * not; a KB without the list leaves modifiers unjudged (docs/json.md).
 */
#include <string.h>

#include "check/check.h"
#include "kb/kb_int.h"

#define PRINTF mn_x__lprintf

void mn_x__check_code(mn_lstate *s)
{
    const mn_kb *kb = s->kb;
    const mn_claim_line *ln = s->line;
    const kb_hcpcs *h;
    mn_finding *f;

    if (ln->not_procedure) {
        f = mn_x__finding_add(
            s, MN_E_CODE_INVALID,
            PRINTF(s,
                   "%s is not a CPT or HCPCS Level II procedure code (five "
                   "characters: digits, or a letter and four digits).",
                   ln->code_text));
        if (f) {
            f->policy_kind = "code_set";
            f->policy_id = "HCPCS";
            f->fix = "Report the procedure with its CPT or HCPCS code; the "
                     "other lines of the claim are judged on their own.";
        }
        return;
    }
    if (!mn_x__hcpcs2_shape(ln->code_text, 5))
        return; /* CPT is accepted by format (no descriptors shipped) */
    if (!kb->n_hcpcs) {
        mn_x__data_missing(s, MN_SOURCE_HCPCS, true);
        return;
    }
    h = mn_x__kb_hcpcs(kb, ln->code);
    if (mn_x__kb_covers(kb, MN_SOURCE_HCPCS, s->date) == 0 &&
        !(h && h->added != MN_NODATE && s->date < h->added) &&
        !(h && h->terminated != MN_NODATE && s->date > h->terminated)) {
        /* no HCPCS year of the KB covers the date: the file's own add and
           termination dates still tell a code not yet or no longer valid,
           but not whether another code existed or what its coverage was */
        mn_x__data_missing(s, MN_SOURCE_HCPCS, false);
        return;
    }
    if (!h) {
        f = mn_x__finding_add(
            s, MN_E_CODE_INVALID,
            PRINTF(s,
                   "%s is not a HCPCS Level II code in the knowledge "
                   "base.",
                   ln->code_text));
        if (f) {
            f->policy_kind = "code_set";
            f->policy_id = "HCPCS";
            f->fix = "Check the code against the current HCPCS file.";
        }
        return;
    }
    if (h->added != MN_NODATE && s->date < h->added) {
        f = mn_x__finding_add(
            s, MN_E_CODE_INVALID,
            PRINTF(s, "%s was added on %s, after the date of service.",
                   ln->code_text, mn_x__date_text(s, h->added)));
    } else if (h->terminated != MN_NODATE && s->date > h->terminated) {
        f = mn_x__finding_add(
            s, MN_E_CODE_INVALID,
            PRINTF(s,
                   "%s was terminated on %s, before the date of "
                   "service.",
                   ln->code_text, mn_x__date_text(s, h->terminated)));
    } else {
        mn_x__check_coverage(s, h); /* valid on the date: its coverage */
        return;
    }
    if (f) {
        f->policy_kind = "code_set";
        f->policy_id = "HCPCS";
        f->fix = "Use the code valid on the date of service.";
    }
}

void mn_x__check_modifiers(mn_lstate *s)
{
    const mn_kb *kb = s->kb;
    const mn_claim_line *ln = s->line;
    bool outside = false;
    int covers;

    if (!ln->n_modifiers || !kb->n_mod)
        return;
    covers = mn_x__kb_covers(kb, MN_SOURCE_HCPCS_MODIFIERS, s->date);
    for (unsigned i = 0; i < ln->n_modifiers; i++) {
        const char *m = ln->modifiers[i];
        mn_finding *f;

        if (mn_x__isdigit((unsigned char)m[0]) &&
            mn_x__isdigit((unsigned char)m[1]))
            continue; /* CPT: accepted by format (AMA's list) */
        if (mn_x__kb_modifier(kb, m))
            continue;
        if (covers == 0) {
            outside = true;
            continue;
        }
        f = mn_x__finding_add(
            s, MN_E_MODIFIER_INVALID,
            PRINTF(s,
                   "Modifier %s is not a HCPCS Level II modifier in the "
                   "knowledge base, nor a two-digit CPT modifier.",
                   m));
        if (f) {
            f->policy_kind = "code_set";
            f->policy_id = "HCPCS modifiers";
            f->fix = "Correct or remove the modifier (the HCPCS Level II "
                     "modifiers are listed in the CMS HCPCS file).";
        }
    }
    if (outside)
        mn_x__data_missing(s, MN_SOURCE_HCPCS_MODIFIERS, false);
}
