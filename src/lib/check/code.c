/*
 * check/code.c: is the line's procedure code valid on its date? HCPCS
 * Level II codes against the KB's HCPCS file (add and termination dates),
 * then their Medicare coverage code (coverage.c); CPT codes are accepted
 * by format (no CPT descriptors are shipped). A KB without HCPCS, or whose
 * HCPCS years do not hold the date, makes the line indeterminate
 * (check/data.c), unless the file's own dates show the code invalid.
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
