/*
 * check/dx.c: the line's diagnoses: valid and billable in the ICD-10-CM
 * code set in force on the date, and the MCE age, sex and manifestation
 * edits of the MCE version of the date. When the KB has no ICD-10-CM
 * version (or MCE version) for the date, the line says so (check/data.c)
 * and nothing is judged by the missing one.
 */
#include <string.h>

#include "check/check.h"
#include "kb/kb_int.h"

#define PRINTF mn_x__lprintf

/* Mask of the characters a key has (E11 -> the first three bytes). */
static mn_key prefix_mask(mn_key key)
{
    mn_key m = 0;
    for (int i = 7; i >= 0 && ((key >> (8 * i)) & 0xff); i--)
        m |= (mn_key)0xff << (8 * i);
    return m;
}

static void billable_children(mn_lstate *s, mn_finding *f, mn_key key)
{
    const mn_kb *kb = s->kb;
    size_t i = mn_x__kb_icd_lower(kb, key);
    mn_key mask = prefix_mask(key);

    for (; i < kb->n_icd && f->n_supporting < MN_MAX_SUPPORTING; i++) {
        mn_key k = kb->icdkey[i];
        if ((k & mask) != key)
            break;
        if (mn_x__dx_suggestible(s, k))
            f->supporting[f->n_supporting++] = k;
    }
}

/* The claim's first-listed diagnosis is a manifestation code (MCE). */
static void manifestation_first(mn_lstate *s, const mn_cdx *d, const kb_mce *m)
{
    mn_finding *f = mn_x__finding_add(
        s, MN_E_DX_MANIFESTATION_PRIMARY,
        PRINTF(s,
               "%s is a manifestation code and cannot be the first-listed "
               "diagnosis.",
               d->text));

    if (f) {
        f->dx = d->text;
        f->policy_kind = "mce";
        f->policy_id = PRINTF(s, "MCE FY%d manifestation edit",
                              s->kb->meta->mce_fy[m->ver]);
        f->fix = "List the underlying condition first, then the "
                 "manifestation.";
    }
}

/* ICD-10-CM replaced ICD-9-CM for dates of service from 2015-10-01. */
static void icd9_dx(mn_lstate *s, const mn_cdx *d)
{
    int32_t icd10 = mn_x__days_from_civil(2015, 10, 1);
    bool after = s->date == MN_NODATE || s->date >= icd10;
    mn_finding *f;

    if (after)
        f = mn_x__finding_add(
            s, MN_E_DX_ICD9,
            PRINTF(s,
                   "%s is an ICD-9-CM code; services from 2015-10-01 on "
                   "must be coded in ICD-10-CM.",
                   d->text));
    else
        f = mn_x__finding_add_as(
            s, MN_E_DX_ICD9, MN_SEVERITY_REVIEW, MN_STATUS_INDETERMINATE,
            PRINTF(s,
                   "%s is an ICD-9-CM code, right for a service before "
                   "2015-10-01; mednec judges ICD-10-CM diagnoses only and "
                   "does not translate it.",
                   d->text));
    if (!f)
        return;
    f->dx = d->text;
    f->policy_kind = "code_set";
    f->policy_id = "ICD-9-CM";
    if (after) {
        f->fix = "Code the diagnosis in ICD-10-CM (837 qualifiers ABK and "
                 "ABF).";
    } else {
        f->carc = NULL;
        f->rarc = NULL;
        f->fix = "Judge the line by the ICD-9-CM rules in force on its date.";
    }
}

void mn_x__check_dx(mn_lstate *s)
{
    const mn_kb *kb = s->kb;
    int yi = s->icd_year;
    int age = -1;
    bool age_known = false;
    mn_finding *f;

    if (s->n_dx == 0) {
        /* every claim line needs a diagnosis (CMS-1500 item 21, 837 HI) */
        f = mn_x__finding_add(
            s, MN_E_DX_MISSING,
            "The claim has no diagnosis; every line needs at least one "
            "ICD-10-CM code that explains why the service was furnished.");
        if (f) {
            f->policy_kind = "code_set";
            f->policy_id = "ICD-10-CM";
            f->fix = "Report the documented diagnoses and point the line to "
                     "the ones it was furnished for.";
        }
    }
    {
        /* the code sets the diagnoses are judged by: a date no ICD-10-CM
           version (or MCE version) of the KB covers gets no denial from
           them, only a finding that says so */
        bool coded = false;
        for (size_t i = 0; i < s->n_dx && !coded; i++)
            coded = !s->dx[i]->not_icd;
        if (coded && yi < 0)
            mn_x__data_missing(s, MN_SOURCE_ICD10CM, yi == MN_KB_NONE);
        if (coded && s->mce_ver == MN_KB_OUTSIDE)
            mn_x__data_missing(s, MN_SOURCE_MCE, false);
    }
    for (size_t i = 0; i < s->n_dx; i++) {
        const mn_cdx *d = s->dx[i];
        if (d->icd9) {
            icd9_dx(s, d);
            continue;
        }
        if (d->not_icd) {
            f = mn_x__finding_add(
                s, MN_E_DX_INVALID,
                PRINTF(s,
                       "%s is not an ICD-10-CM code (a letter, two "
                       "characters, then up to four more).",
                       d->text));
            if (f) {
                f->dx = d->text;
                f->policy_kind = "code_set";
                f->policy_id = "ICD-10-CM";
                f->fix = "Code the diagnosis from the ICD-10-CM code set in "
                         "effect on the date of service.";
            }
            continue;
        }
        if (yi >= 0) {
            const kb_icd *e = mn_x__kb_icd(kb, d->key);
            if (!e || !(e->present & (1u << yi))) {
                f = mn_x__finding_add(
                    s, MN_E_DX_INVALID,
                    PRINTF(s,
                           "%s is not an ICD-10-CM code in the FY%d "
                           "code set that applies on %s.",
                           d->text, kb->meta->icd_years[yi],
                           mn_x__date_text(s, s->date)));
                if (f) {
                    f->dx = d->text;
                    f->policy_kind = "code_set";
                    f->policy_id = "ICD-10-CM";
                    f->fix = "Code the diagnosis from the ICD-10-CM code "
                             "set in effect on the date of service.";
                }
                continue;
            }
            if (!(e->billable & (1u << yi))) {
                f = mn_x__finding_add(
                    s, MN_E_DX_NOT_BILLABLE,
                    PRINTF(s,
                           "%s is a category or header code; it needs "
                           "more characters to be billable.",
                           d->text));
                if (f) {
                    f->dx = d->text;
                    f->policy_kind = "code_set";
                    f->policy_id = "ICD-10-CM";
                    f->fix = "Report the most specific code (see the "
                             "billable codes listed).";
                    billable_children(s, f, d->key);
                }
            }
        }
        const kb_mce *m = mn_x__kb_mce(kb, d->key, s->mce_ver);
        if (!m)
            continue;
        if (!age_known) {
            age = mn_x__claim_age_on(s->claim, s->date);
            age_known = true;
        }
        if ((m->flags & (MN_MCE_NEWBORN | MN_MCE_PEDIATRIC | MN_MCE_MATERNITY |
                         MN_MCE_ADULT)) &&
            age >= 0 && (age < m->age_min || age > m->age_max)) {
            f = mn_x__finding_add(
                s, MN_E_DX_AGE_CONFLICT,
                PRINTF(s, "%s is for ages %d to %d; the patient is %d.",
                       d->text, m->age_min, m->age_max, age));
            if (f) {
                f->dx = d->text;
                f->policy_kind = "mce";
                f->policy_id =
                    PRINTF(s, "MCE FY%d age edit", kb->meta->mce_fy[m->ver]);
                f->fix = "Check the diagnosis and the patient's birth date.";
            }
        }
        if (((m->flags & MN_MCE_FEMALE) && s->claim->sex == 'M') ||
            ((m->flags & MN_MCE_MALE) && s->claim->sex == 'F')) {
            f = mn_x__finding_add(
                s, MN_E_DX_SEX_CONFLICT,
                PRINTF(s, "%s is for %s patients only.", d->text,
                       (m->flags & MN_MCE_FEMALE) ? "female" : "male"));
            if (f) {
                f->dx = d->text;
                f->policy_kind = "mce";
                f->policy_id =
                    PRINTF(s, "MCE FY%d sex edit", kb->meta->mce_fy[m->ver]);
                f->fix = "Check the diagnosis and the patient's sex.";
            }
        }
        if ((m->flags & MN_MCE_MANIFESTATION) && s->claim->n_dx &&
            d == &s->cdx[0])
            manifestation_first(s, d, m);
    }
    /* the first-listed diagnosis is the claim's: a line that does not
       point to it is still on a claim that lists a manifestation first */
    if (s->claim->n_dx) {
        const mn_cdx *d0 = &s->cdx[0];
        bool pointed = false;
        for (size_t i = 0; i < s->n_dx && !pointed; i++)
            pointed = s->dx[i] == d0;
        if (!pointed) {
            const kb_mce *m = mn_x__kb_mce(kb, d0->key, s->mce_ver);
            if (m && (m->flags & MN_MCE_MANIFESTATION))
                manifestation_first(s, d0, m);
        }
    }
}
