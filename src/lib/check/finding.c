/*
 * check/finding.c: the finding constructors every check module uses, and
 * the end of a line: what the result API hands out is made here.
 */
#include <stdio.h>
#include <string.h>

#include "check/check.h"
#include "kb/kb_int.h"

mn_finding *mn_x__finding_add_as(mn_lstate *s, mn_edit_id id, mn_severity sev,
                                 mn_status status, const char *message)
{
    mn_line_result *lr = s->lr;
    const mn_edit_info *e = mn_x__edit(id);
    mn_finding *f;

    if (lr->n_findings == lr->cap_findings) {
        size_t cap = lr->cap_findings ? lr->cap_findings * 2 : 4;
        mn_finding *n = mn_x__arena_alloc(s->ctx->arena, cap * sizeof(*n));
        if (!n) {
            s->nomem = true;
            return NULL;
        }
        if (lr->n_findings)
            memcpy(n, lr->findings, lr->n_findings * sizeof(*n));
        lr->findings = n;
        lr->cap_findings = cap;
    }
    f = &lr->findings[lr->n_findings++];
    memset(f, 0, sizeof(*f));
    f->edit = e;
    f->severity = sev;
    f->med_nec =
        sev == MN_SEVERITY_DENY && e->edit_class == MN_EDIT_MEDICAL_NECESSITY;
    f->message = message;
    if (sev == MN_SEVERITY_DENY || e->severity != MN_SEVERITY_DENY) {
        /* a denial's codes; a denial edit given as a review predicts none */
        f->carc = e->carc;
        f->rarc = e->rarc;
    }
    f->policy_version = -1;
    f->payable_again = MN_NODATE;
    if (status < lr->status)
        lr->status = status;
    return f;
}

mn_finding *mn_x__finding_add(mn_lstate *s, mn_edit_id id, const char *message)
{
    const mn_edit_info *e = mn_x__edit(id);
    return mn_x__finding_add_as(s, id, e->severity, e->status, message);
}

void mn_x__finding_reclass(mn_lstate *s, mn_finding *f, mn_edit_id id)
{
    const mn_edit_info *e = mn_x__edit(id);

    f->edit = e;
    f->med_nec = f->severity == MN_SEVERITY_DENY &&
                 e->edit_class == MN_EDIT_MEDICAL_NECESSITY;
    f->carc = e->carc;
    f->rarc = e->rarc;
    if (e->status < s->lr->status)
        s->lr->status = e->status;
}

bool mn_x__line_has(const mn_line_result *lr, size_t upto, mn_edit_id id)
{
    const mn_edit_info *e = mn_x__edit(id);

    for (size_t i = 0; i < upto && i < lr->n_findings; i++) {
        if (lr->findings[i].edit == e)
            return true;
    }
    return false;
}

const mn_finding *mn_x__line_find(const mn_line_result *lr, mn_edit_id id)
{
    const mn_edit_info *e = mn_x__edit(id);

    for (size_t i = 0; i < lr->n_findings; i++) {
        if (lr->findings[i].edit == e)
            return &lr->findings[i];
    }
    return NULL;
}

const char *mn_x__lprintf(mn_lstate *s, const char *fmt, ...)
{
    va_list ap;
    const char *p;

    va_start(ap, fmt);
    p = mn_x__arena_vprintf(s->ctx->arena, fmt, ap);
    va_end(ap);
    if (!p) {
        s->nomem = true;
        return "";
    }
    return p;
}

bool mn_x__dx_suggestible(const mn_lstate *s, mn_key key)
{
    const kb_mce *m;
    int age;

    if (s->icd_near >= 0) {
        /* billable in the version of the date (or the nearest one when no
           version covers it: a suggestion, not a judgment) */
        const kb_icd *e = mn_x__kb_icd(s->kb, key);
        if (!e || !(e->billable & (1u << s->icd_near)))
            return false;
    }
    m = mn_x__kb_mce(s->kb, key, s->mce_ver);
    if (!m)
        return true;
    if (((m->flags & MN_MCE_FEMALE) && s->claim->sex == 'M') ||
        ((m->flags & MN_MCE_MALE) && s->claim->sex == 'F'))
        return false;
    if (m->flags &
        (MN_MCE_NEWBORN | MN_MCE_PEDIATRIC | MN_MCE_MATERNITY | MN_MCE_ADULT)) {
        age = mn_x__claim_age_on(s->claim, s->date);
        if (age >= 0 && (age < m->age_min || age > m->age_max))
            return false;
    }
    return true;
}

const char *mn_x__date_text(mn_lstate *s, int32_t date)
{
    char buf[11];
    char *p;

    mn_x__format_date(buf, date);
    p = mn_x__arena_strndup(s->ctx->arena, buf, strlen(buf));
    if (!p) {
        s->nomem = true;
        return "";
    }
    return p;
}

void mn_x__line_finish(mn_lstate *s)
{
    mn_line_result *lr = s->lr;

    for (size_t i = 0; i < lr->n_findings; i++) {
        mn_finding *f = &lr->findings[i];
        if (f->payable_again == MN_NODATE || f->payable_again == MN_FOREVER)
            continue;
        f->payable_text = mn_x__date_text(s, f->payable_again);
        if (lr->payable_again == MN_NODATE ||
            f->payable_again > lr->payable_again)
            lr->payable_again = f->payable_again;
    }
}
