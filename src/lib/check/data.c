/*
 * check/data.c: what a check does when the knowledge base lacks the data
 * it needs for the line's date (docs/kb.md, "Dates covered"). The line
 * gets `indeterminate` with a finding that names the missing source and
 * what the KB does cover, and the check that needed it gives no denial:
 *
 *   kb.no_code_set    the KB has no code set of that kind at all (no
 *                     ICD-10-CM for a line with diagnoses, no HCPCS for a
 *                     Level II code)
 *   kb.outside_range  the KB has the source, but none of its versions,
 *                     years, quarters or rule packs covers the date
 *   kb.rule_not_in_force  (information) a rule pack that vouches for the
 *                     date has rules for the line's code, none in force
 *                     then: nothing of them applies, and the result says so
 */
#include <stdio.h>
#include <string.h>

#include "check/check.h"
#include "kb/kb_int.h"

#define PRINTF mn_x__lprintf

#define ICD_NOT_JUDGED "the validity of the line's diagnoses is not judged"
#define HCPCS_NOT_JUDGED                                                       \
    "the procedure code's validity and Medicare coverage code are not judged"

/* Why the data matters, by kind: what is not judged without it. */
static const char *not_judged(int kind)
{
    switch (kind) {
    case MN_SOURCE_ICD10CM:
        return ICD_NOT_JUDGED;
    case MN_SOURCE_HCPCS:
        return HCPCS_NOT_JUDGED;
    case MN_SOURCE_HCPCS_MODIFIERS:
        return "a modifier not in its list is not judged";
    case MN_SOURCE_MCE:
        return "the Medicare Code Editor's age, sex and manifestation edits "
               "are not applied";
    case MN_SOURCE_MCD:
        return "local coverage policies (LCDs and billing articles) are not "
               "applied";
    case MN_SOURCE_NCCI_PTP_PRACTITIONER:
    case MN_SOURCE_NCCI_PTP_HOSPITAL:
        return "NCCI procedure-to-procedure edits are not applied";
    case MN_SOURCE_NCCI_MUE_PRACTITIONER:
    case MN_SOURCE_NCCI_MUE_HOSPITAL:
    case MN_SOURCE_NCCI_MUE_DME:
        return "the units are not judged against the MUE";
    case MN_SOURCE_NCCI_AOC:
        return "the add-on code edit is not applied";
    default:
        return "the check that needs it is not made";
    }
}

/* The texts of a missing code set of the two kinds a line can lack (every
 * line of a KB without them says so: fixed texts, no formatting); NULL for
 * the others. The titles are those of mn_source_kind_title (a test checks
 * the two forms agree). */
static const char *none_text(int kind, bool fix)
{
#define NONE_MSG(title, what)                                                  \
    "The knowledge base has no " title " code set: " what "."
#define NONE_FIX(title)                                                        \
    "Check the claim with a knowledge base built with the " title " files "    \
    "(mednec build; docs/kb.md)."
    switch (kind) {
    case MN_SOURCE_ICD10CM:
        return fix ? NONE_FIX("ICD-10-CM")
                   : NONE_MSG("ICD-10-CM", ICD_NOT_JUDGED);
    case MN_SOURCE_HCPCS:
        return fix ? NONE_FIX("HCPCS Level II")
                   : NONE_MSG("HCPCS Level II", HCPCS_NOT_JUDGED);
    default:
        return NULL;
    }
#undef NONE_MSG
#undef NONE_FIX
}

mn_finding *mn_x__data_missing(mn_lstate *s, int kind, bool none)
{
    const char *title = mn_source_kind_title((mn_source_kind)kind);
    const char *msg = none ? none_text(kind, false) : NULL;
    const char *fix = none ? none_text(kind, true) : NULL;
    char periods[256];
    mn_finding *f;

    if (none) {
        f = mn_x__finding_add(
            s, MN_E_KB_NO_CODE_SET,
            msg ? msg
                : PRINTF(s, "The knowledge base has no %s code set: %s.", title,
                         not_judged(kind)));
        if (f)
            f->fix = fix ? fix
                         : PRINTF(s,
                                  "Check the claim with a knowledge base "
                                  "built with the %s files (mednec build; "
                                  "docs/kb.md).",
                                  title);
    } else {
        mn_x__kb_periods_text(s->kb, kind, periods, sizeof(periods));
        f = mn_x__finding_add(
            s, MN_E_KB_OUTSIDE_RANGE,
            PRINTF(s, "The knowledge base's %s data covers %s, not %s: %s.",
                   title, periods, mn_x__date_text(s, s->date),
                   not_judged(kind)));
        if (f) {
            f->source = PRINTF(s, "knowledge base %s: %s %s", s->kb->version,
                               title, periods);
            f->fix = PRINTF(s,
                            "Check the claim with a knowledge base built "
                            "with the %s files in force on %s (mednec build; "
                            "mednec kb info shows what a knowledge base "
                            "covers).",
                            title, mn_x__date_text(s, s->date));
        }
    }
    if (f) {
        f->policy_kind = "kb";
        f->policy_id = mn_source_kind_name((mn_source_kind)kind);
        f->policy_title = title;
    }
    return f;
}

mn_finding *mn_x__pack_outside(mn_lstate *s, const char *pack,
                               const char *periods, const char *rule_id,
                               int32_t rule_from, bool gap)
{
    mn_finding *f = mn_x__finding_add(
        s, MN_E_KB_OUTSIDE_RANGE,
        gap ? PRINTF(s,
                     "The rule pack %s covers %s but has no rule for %s in "
                     "force on %s (rule %s starts %s): its limits for the "
                     "code are not judged.",
                     pack, periods, s->line->code_text,
                     mn_x__date_text(s, s->date), rule_id,
                     mn_x__date_text(s, rule_from))
            : PRINTF(s,
                     "The rule pack %s covers %s, not %s: its rules for %s "
                     "(such as %s) are not applied.",
                     pack, periods, mn_x__date_text(s, s->date),
                     s->line->code_text, rule_id));
    if (f) {
        f->policy_kind = "rule";
        f->policy_id = rule_id;
        f->policy_title = PRINTF(s, "rule pack %s", pack);
        f->source = PRINTF(s, "rule pack %s: %s", pack, periods);
        f->fix = "Check the line by hand against the rules in force on the "
                 "date, or add a rule pack that covers it (mednec build "
                 "--rules; docs/rules.md).";
    }
    return f;
}

mn_finding *mn_x__rule_not_in_force(mn_lstate *s, const char *pack,
                                    const char *periods, const char *rule_id,
                                    int32_t rule_from)
{
    mn_finding *f = mn_x__finding_add(
        s, MN_E_KB_RULE_NOT_IN_FORCE,
        PRINTF(s,
               "Rule %s of pack %s applies from %s; the pack vouches for %s, "
               "so none of its limits applied to %s on %s.",
               rule_id, pack, mn_x__date_text(s, rule_from), periods,
               s->line->code_text, mn_x__date_text(s, s->date)));
    if (f) {
        f->policy_kind = "rule";
        f->policy_id = rule_id;
        f->source = PRINTF(s, "rule pack %s: %s", pack, periods);
    }
    return f;
}
