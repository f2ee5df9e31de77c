/*
 * check/service.c: service rules from the rule packs: the service's own age
 * and sex limits, statutory exclusions, frequency against the patient's
 * prior services, place of service, documentation, prior authorization
 * and KX requirements. Modifier suggestions (GA, GY, KX) are left to
 * check/site.c, which runs last.
 *
 * The rules of a line are found by binary search in the code index, so a
 * line whose code has no rule costs one search. Rules apply to Medicare
 * claims only (every built-in pack is Medicare's).
 */
#include <string.h>

#include "check/check.h"
#include "core/freq.h"
#include "kb/kb_int.h"
#include "kb/srules_fmt.h"

#define PRINTF mn_x__lprintf
#define LOCAL_ITEMS 64

/* What the rules of one line share. */
typedef struct rstate {
    const mn_srules_view *v;
    int age; /* -2: not computed yet; -1: unknown */
    bool age_reported;
    bool sex_reported;
} rstate;

static bool has_mod(const mn_claim_line *ln, const char m[2])
{
    for (unsigned i = 0; i < ln->n_modifiers; i++) {
        if (mn_x__toupper((unsigned char)ln->modifiers[i][0]) == m[0] &&
            mn_x__toupper((unsigned char)ln->modifiers[i][1]) == m[1])
            return true;
    }
    return false;
}

static bool any_mod(const mn_claim_line *ln, const char (*mods)[2], unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (has_mod(ln, mods[i]))
            return true;
    }
    return false;
}

static bool dx_match(const mn_lstate *s, const kb_srdx *pat, size_t n)
{
    for (size_t i = 0; i < s->n_dx; i++) {
        mn_key k = s->dx[i]->key;
        for (size_t j = 0; j < n; j++) {
            if ((k & pat[j].mask) == pat[j].key)
                return true;
        }
    }
    return false;
}

/* First index entry in [from, n) whose code is >= code. */
static size_t lower_code(const kb_srindex *idx, size_t from, size_t n,
                         mn_key code)
{
    size_t lo = from;
    size_t hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (idx[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* True when `code` is one of rule `ri`'s own codes. */
static bool rule_has_code(const mn_srules_view *v, uint32_t ri, mn_key code)
{
    size_t i = lower_code(v->idx, v->n_any, v->n_idx, code);
    for (; i < v->n_idx && v->idx[i].code == code; i++) {
        if (v->idx[i].rule == ri)
            return true;
    }
    return false;
}

/* True when `code` counts with the line's code under rule `ri`. */
static bool in_family(const mn_srules_view *v, uint32_t ri, mn_key line_code,
                      mn_key code)
{
    const kb_srule *r = &v->rule[ri];
    const uint64_t *f;
    size_t lo = 0;
    size_t hi;

    if (r->flags & SR_F_FAMILY_EACH)
        return code == line_code;
    if (!r->n_fam)
        return code == line_code || rule_has_code(v, ri, code);
    f = v->fam + r->fam_first;
    hi = r->n_fam;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f[mid] < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->n_fam && f[lo] == code;
}

static mn_finding *add(mn_lstate *s, const kb_srule *r, mn_edit_id edit,
                       mn_severity sev, mn_status status, const char *msg)
{
    mn_finding *f = mn_x__finding_add_as(s, edit, sev, status, msg);
    if (f) {
        f->policy_kind = "rule";
        f->policy_id = kb_s(s->kb, r->id);
        f->source = kb_s(s->kb, r->source);
    }
    return f;
}

static int age_of(mn_lstate *s, rstate *x)
{
    if (x->age == -2)
        x->age = mn_x__claim_age_on(s->claim, s->date);
    return x->age;
}

static void age_unknown(mn_lstate *s, rstate *x, const kb_srule *r)
{
    mn_finding *f;
    if (x->age_reported)
        return;
    x->age_reported = true;
    f = add(s, r, MN_E_AGE_UNKNOWN, MN_SEVERITY_REVIEW, MN_STATUS_INDETERMINATE,
            PRINTF(s,
                   "A rule limits %s by the patient's age, and the claim "
                   "gives neither a birth date nor an age.",
                   s->line->code_text));
    if (f)
        f->fix = "Add patient.birth_date (or patient.age) to the claim.";
}

/* "35 and over", "up to 34", "50 to 77" */
static const char *range_text(mn_lstate *s, uint16_t lo, uint16_t hi)
{
    if (lo == SR_AGE_NONE)
        return PRINTF(s, "up to %u", (unsigned)hi);
    if (hi == SR_AGE_NONE)
        return PRINTF(s, "%u and over", (unsigned)lo);
    return PRINTF(s, "%u to %u", (unsigned)lo, (unsigned)hi);
}

static void check_age(mn_lstate *s, rstate *x, const kb_srule *r)
{
    int age = age_of(s, x);
    bool low = false;
    mn_finding *f;

    if (age < 0) {
        age_unknown(s, x, r);
        return;
    }
    if (r->age_lo != SR_AGE_NONE) {
        low = age < (int)r->age_lo;
        /* "starts the day after the Nth birthday": the day before the
           service the patient was already N */
        if (!low && (r->flags & SR_F_AFTER_BIRTHDAY) &&
            s->claim->birth_date != MN_NODATE)
            low = mn_x__claim_age_on(s->claim, s->date - 1) < (int)r->age_lo;
    }
    if (!low && (r->age_hi == SR_AGE_NONE || age <= (int)r->age_hi))
        return;
    f = add(s, r, MN_E_AGE_OUT_OF_RANGE, MN_SEVERITY_DENY,
            MN_STATUS_NOT_COVERED,
            (r->flags & SR_F_AFTER_BIRTHDAY) && low && age == (int)r->age_lo
                ? PRINTF(s,
                         "%s is covered from the day after the patient "
                         "turns %u; the service is on that birthday.",
                         s->line->code_text, (unsigned)r->age_lo)
                : PRINTF(s, "%s is covered for ages %s; the patient is %d.",
                         s->line->code_text,
                         range_text(s, r->age_lo, r->age_hi), age));
    if (f) {
        f->fix = "Check the patient's birth date; outside the covered ages "
                 "the patient may be billed only after an ABN.";
    }
}

static void check_sex(mn_lstate *s, rstate *x, const kb_srule *r)
{
    char sex = s->claim->sex;
    mn_finding *f;

    if (sex != 'F' && sex != 'M') {
        if (x->sex_reported)
            return;
        x->sex_reported = true;
        f = add(s, r, MN_E_SEX_UNKNOWN, MN_SEVERITY_REVIEW,
                MN_STATUS_INDETERMINATE,
                PRINTF(s,
                       "A rule limits %s to %s patients, and the claim "
                       "does not give the patient's sex.",
                       s->line->code_text, r->sex == 'F' ? "female" : "male"));
        if (f)
            f->fix = "Add patient.sex to the claim.";
        return;
    }
    if (sex == (char)r->sex)
        return;
    f = add(s, r, MN_E_SEX_MISMATCH, MN_SEVERITY_DENY, MN_STATUS_NOT_COVERED,
            PRINTF(s, "%s is covered for %s patients only.", s->line->code_text,
                   r->sex == 'F' ? "female" : "male"));
    if (f) {
        f->fix = "Check the patient's sex and the code.";
        f->sex = (char)r->sex;
    }
}

static void check_exclude(mn_lstate *s, const kb_srule *r)
{
    mn_finding *f;

    /* one exclusion per line: the HCPCS coverage code S (check/engine.c, which
       runs first) or an earlier rule may have excluded it already */
    if (mn_x__line_has(s->lr, s->lr->n_findings, MN_E_STATUTORY_EXCLUDED))
        return;
    f = add(s, r, MN_E_STATUTORY_EXCLUDED, MN_SEVERITY_DENY, MN_STATUS_EXCLUDED,
            PRINTF(s, "%s is excluded from Medicare coverage by statute: %s.",
                   s->line->code_text, kb_s(s->kb, r->exclude)));
    if (f) {
        f->carc = r->carc[0] ? r->carc : "96";
        f->rarc = r->rarc[0] ? r->rarc : (r->carc[0] ? NULL : "N130");
        f->fix = "Medicare never pays for it: no ABN is required; bill with "
                 "modifier GY (or GX when a voluntary notice was given), and "
                 "the patient may be billed.";
    }
}

static void check_pos(mn_lstate *s, const kb_srule *r)
{
    const char *pos = s->line->pos[0] ? s->line->pos : s->claim->pos;
    int v;
    bool allowed;
    mn_finding *f;

    if (!mn_x__isdigit(pos[0]) || !mn_x__isdigit(pos[1]) || pos[2])
        return; /* no place of service given: nothing to judge */
    v = (pos[0] - '0') * 10 + (pos[1] - '0');
    allowed =
        !(r->flags & SR_F_POS_ALLOW) || (r->pos_allow[v / 64] >> (v % 64) & 1);
    if ((r->flags & SR_F_POS_DENY) && (r->pos_deny[v / 64] >> (v % 64) & 1))
        allowed = false;
    if (allowed)
        return;
    f = add(s, r, MN_E_SETTING_NOT_ALLOWED, MN_SEVERITY_DENY,
            MN_STATUS_NOT_COVERED,
            PRINTF(s, "%s is not covered in place of service %s.",
                   s->line->code_text, pos));
    if (f) {
        f->fix = "Check the place of service; furnish the service in a "
                 "setting the rule allows.";
    }
}

/* A claim where the inpatient-only list matters: institutional, or a
 * professional claim from place of service 19, 22 or 24. */
static bool ipo_setting(const mn_lstate *s)
{
    const char *pos = s->line->pos[0] ? s->line->pos : s->claim->pos;

    return s->claim->institutional || (pos[0] == '1' && pos[1] == '9') ||
           (pos[0] == '2' && pos[1] == '2') || (pos[0] == '2' && pos[1] == '4');
}

/* Inpatient-only procedures (medicare-facts 10.1): an outpatient hospital
 * claim (type of bill 13x or 85x) is not payable; on a professional claim
 * from an outpatient hospital or ASC place of service the facility will
 * not be paid, which the coder should see. */
static void check_ipo(mn_lstate *s, const kb_srule *r)
{
    const mn_claim *c = s->claim;
    const char *pos = s->line->pos[0] ? s->line->pos : c->pos;
    mn_finding *f = NULL;

    if (c->institutional) {
        const char *bt =
            c->bill_type[0] == '0' ? c->bill_type + 1 : c->bill_type;
        if (!bt[0]) {
            f = add(s, r, MN_E_SETTING_NOT_ALLOWED, MN_SEVERITY_REVIEW,
                    MN_STATUS_CONDITIONAL,
                    PRINTF(s,
                           "%s is on the inpatient-only list; the claim "
                           "has no type of bill to tell an inpatient "
                           "claim from an outpatient one.",
                           s->line->code_text));
        } else if ((bt[0] == '1' && bt[1] == '3') ||
                   (bt[0] == '8' && bt[1] == '5')) {
            f = add(s, r, MN_E_SETTING_NOT_ALLOWED, MN_SEVERITY_DENY,
                    MN_STATUS_NOT_COVERED,
                    PRINTF(s,
                           "%s is on the inpatient-only list: Medicare "
                           "pays it only for a hospital inpatient, not "
                           "on an outpatient claim (type of bill %s).",
                           s->line->code_text, c->bill_type));
            if (f)
                f->med_nec = false; /* a payment rule of the OPPS, not
                                       medical necessity: no ABN */
        }
    } else if ((pos[0] == '1' && pos[1] == '9') ||
               (pos[0] == '2' && pos[1] == '2') ||
               (pos[0] == '2' && pos[1] == '4')) {
        f = add(s, r, MN_E_SETTING_NOT_ALLOWED, MN_SEVERITY_REVIEW,
                MN_STATUS_CONDITIONAL,
                PRINTF(s,
                       "%s is on the inpatient-only list and was "
                       "furnished in place of service %s: the facility "
                       "is not paid unless the patient was an inpatient.",
                       s->line->code_text, pos));
    }
    if (f)
        f->fix = "Admit the patient as an inpatient for this procedure, or "
                 "check whether it was removed from the list for the date "
                 "of service.";
}

/* requires documentation | prior-auth | kx "text" */
static void check_requires(mn_lstate *s, const kb_srule *r)
{
    mn_edit_id edit = MN_E_DOCUMENTATION_REQUIRED;
    const char *what = "documentation";
    const char *fix = "Keep the documentation in the record; send it when "
                      "asked.";
    mn_finding *f;

    if (r->req_kind == SR_REQ_PRIOR_AUTH) {
        edit = MN_E_PRIOR_AUTH_REQUIRED;
        what = "prior authorization";
        fix = "Obtain the prior authorization before the service.";
    } else if (r->req_kind == SR_REQ_KX) {
        if (has_mod(s->line, "KX"))
            return; /* the provider attests the requirements are met */
        edit = MN_E_THERAPY_KX_REQUIRED;
        what = "modifier KX, attesting";
        fix = "Append KX when the record documents that the requirements "
              "are met; otherwise give the patient an ABN.";
    }
    f = add(s, r, edit, MN_SEVERITY_REVIEW, MN_STATUS_CONDITIONAL,
            PRINTF(s, "%s is covered only with %s: %s.", s->line->code_text,
                   what, kb_s(s->kb, r->doc)));
    if (f)
        f->fix = fix;
}

/*
 * Frequency
 */

static const char *limit_text(mn_lstate *s, const kb_srule *r)
{
    const char *times =
        r->freq_n == 1 ? "once" : PRINTF(s, "%u times", r->freq_n);
    const char *per = "";
    const char *spacing = "";

    switch (r->freq_unit) {
    case MN_FREQ_LIFETIME:
        per = "per lifetime";
        break;
    case MN_FREQ_DAYS:
        per = PRINTF(s, "per %u days", r->freq_period);
        break;
    case MN_FREQ_MONTHS:
        per = PRINTF(s, "per %u months", r->freq_period);
        break;
    case MN_FREQ_FULL_MONTHS:
        per = PRINTF(s,
                     "per %u full months after the month of the last "
                     "service",
                     r->freq_period);
        break;
    default:
        per = "per calendar year";
        break;
    }
    if (r->spacing_unit != MN_FREQ_NONE)
        spacing = PRINTF(s, ", at least %u %s apart", r->spacing,
                         r->spacing_unit == MN_FREQ_DAYS     ? "days"
                         : r->spacing_unit == MN_FREQ_MONTHS ? "months"
                                                             : "full months");
    return PRINTF(s, "%s %s%s", times, per, spacing);
}

/* " (counted together: G0438, G0439)" or "" */
static const char *family_text(mn_lstate *s, const mn_srules_view *v,
                               const kb_srule *r)
{
    char buf[96];
    size_t n = 0;
    uint32_t shown = 0;

    if ((r->flags & SR_F_FAMILY_EACH) || r->n_fam < 2)
        return "";
    buf[0] = '\0';
    for (; shown < r->n_fam && n + 12 < sizeof(buf); shown++) {
        char code[9];
        size_t cl = mn_x__key_text(code, v->fam[r->fam_first + shown]);
        if (shown) {
            memcpy(buf + n, ", ", 2);
            n += 2;
        }
        memcpy(buf + n, code, cl);
        n += cl;
        buf[n] = '\0';
    }
    if (shown < r->n_fam)
        return PRINTF(s, " (counted together: %s and %u more)", buf,
                      (unsigned)(r->n_fam - shown));
    return PRINTF(s, " (counted together: %s)", buf);
}

static bool mods_have(const char (*mods)[3], unsigned n, const char *m)
{
    for (unsigned i = 0; i < n; i++) {
        if (mn_x__toupper((unsigned char)mods[i][0]) == m[0] &&
            mn_x__toupper((unsigned char)mods[i][1]) == m[1])
            return true;
    }
    return false;
}

/* The professional (26) and technical (TC) components of one service are
 * billed apart, often by two providers: a prior service of the same code
 * on the same date carrying the other component is the same service. */
static bool other_half(const mn_lstate *s, mn_key code, int32_t date,
                       const char (*mods)[3], unsigned n)
{
    const mn_claim_line *ln = s->line;
    if (code != ln->code || date != s->date)
        return false;
    if (mods_have(ln->modifiers, ln->n_modifiers, "26"))
        return mods_have(mods, n, "TC");
    if (mods_have(ln->modifiers, ln->n_modifiers, "TC"))
        return mods_have(mods, n, "26");
    return false;
}

static bool keys_match(const mn_key *dx, size_t n, const kb_srdx *pat,
                       size_t np)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < np; j++) {
            if ((dx[i] & pat[j].mask) == pat[j].key)
                return true;
        }
    }
    return false;
}

/* True when diagnoses `dx` meet rule `r`'s when-dx / unless-dx. */
static bool dx_meet(const mn_srules_view *v, const kb_srule *r,
                    const mn_key *dx, size_t n)
{
    const kb_srdx *pat = v->dx + r->dx_first;

    if (r->n_when_dx && !keys_match(dx, n, pat, r->n_when_dx))
        return false;
    return !(r->n_unless_dx &&
             keys_match(dx, n, pat + r->n_when_dx, r->n_unless_dx));
}

/*
 * A prior service whose diagnoses are known counts against rule `ri`
 * only when it was the benefit the rule limits: a service of the rule's
 * own codes must meet the rule's diagnosis conditions, and a service of
 * another code of the family must meet those of its own rules that count
 * with the line's code. So a diagnostic 82270 (K92.1) counts neither
 * against the guaiac screening limit (when-dx Z12.11) nor against the
 * immunoassay G0328 that shares it. Services whose diagnoses are not
 * known count.
 */
static bool dx_fits(const mn_srules_view *v, uint32_t ri, mn_key line_code,
                    mn_key code, const mn_key *dx, size_t n)
{
    const kb_srule *r = &v->rule[ri];
    size_t i;

    if (!n)
        return true;
    if ((r->flags & SR_F_ANY_CODE) || rule_has_code(v, ri, code))
        return dx_meet(v, r, dx, n);
    i = lower_code(v->idx, v->n_any, v->n_idx, code);
    for (; i < v->n_idx && v->idx[i].code == code; i++) {
        const kb_srule *o = &v->rule[v->idx[i].rule];
        if ((o->n_when_dx || o->n_unless_dx) && o->freq_n &&
            in_family(v, v->idx[i].rule, code, line_code) &&
            !dx_meet(v, o, dx, n))
            return false;
    }
    return true;
}

/* The diagnoses line `o` points to (all of the claim's when none). */
static size_t line_dx(const mn_claim *c, const mn_claim_line *o,
                      mn_key out[MN_MAX_POINTERS])
{
    size_t n = 0;

    if (o->n_pointers) {
        for (unsigned k = 0; k < o->n_pointers; k++) {
            if (o->pointers[k] >= 1 && o->pointers[k] <= c->n_dx)
                out[n++] = c->dx[o->pointers[k] - 1].key;
        }
    } else {
        for (size_t k = 0; k < c->n_dx && n < MN_MAX_POINTERS; k++)
            out[n++] = c->dx[k].key;
    }
    return n;
}

static int32_t line_date(const mn_claim *c, const mn_claim_line *ln)
{
    return ln->date != MN_NODATE ? ln->date : c->date;
}

static void check_freq(mn_lstate *s, const mn_srules_view *v, uint32_t ri)
{
    const kb_srule *r = &v->rule[ri];
    const mn_claim *c = s->claim;
    mn_key code = s->line->code;
    mn_freq_item local[LOCAL_ITEMS];
    mn_freq_item *items = local;
    size_t cap = LOCAL_ITEMS;
    size_t n = 0;
    mn_freq f;
    mn_freq_verdict vd;
    const char *msg;
    bool review = r->more_often.len != 0;
    mn_finding *fd;

    if (s->n_prior + c->n_lines > cap) {
        size_t bytes = 0;
        if (mn_x__add(&cap, s->n_prior, c->n_lines) &&
            mn_x__mul(&bytes, cap, sizeof(*items)))
            items = mn_x__arena_alloc(s->ctx->arena, bytes);
        else
            items = NULL;
        if (!items) {
            s->nomem = true;
            return;
        }
    }
    /* prior services of the family, except recorded denials: a service
       Medicare did not pay (invalid, excluded, not covered) used none of
       the benefit */
    for (size_t i = 0; i < s->n_prior; i++) {
        const mn_prior *p = &s->prior[i];
        if (p->date > s->date)
            break; /* sorted by date */
        if (p->status >= 0 && p->status <= (int)MN_STATUS_NOT_COVERED)
            continue;
        if (!in_family(v, ri, code, p->code) ||
            other_half(s, p->code, p->date, p->modifiers, p->n_modifiers) ||
            !dx_fits(v, ri, code, p->code, p->dx, p->n_dx))
            continue;
        items[n].date = p->date;
        items[n].units = p->units ? p->units : 1;
        n++;
    }
    /* the claim's other lines: earlier lines as judged (denied ones do
       not count), later lines when dated before this one */
    for (size_t j = 0; j < c->n_lines; j++) {
        const mn_claim_line *o = &c->lines[j];
        int32_t d = line_date(c, o);
        if (j == s->line_index || d == MN_NODATE || d > s->date ||
            (j > s->line_index && d == s->date))
            continue;
        if (j < s->line_index &&
            s->ctx->res.lines[j].status <= MN_STATUS_NOT_COVERED)
            continue;
        if (!in_family(v, ri, code, o->code) ||
            other_half(s, o->code, d, o->modifiers, o->n_modifiers))
            continue;
        if (o->code != code || r->n_when_dx || r->n_unless_dx) {
            mn_key dx[MN_MAX_POINTERS];
            if (!dx_fits(v, ri, code, o->code, dx, line_dx(c, o, dx)))
                continue;
        }
        items[n].date = d;
        items[n].units = o->units ? o->units : 1;
        n++;
    }
    f.unit = r->freq_unit;
    f.n = r->freq_n;
    f.period = r->freq_period;
    f.spacing_unit = r->spacing_unit;
    f.spacing = r->spacing;
    mn_x__freq_eval(&vd, &f, items, n, s->date,
                    s->line->units ? s->line->units : 1);
    if (vd.allowed)
        return;
    if (vd.units_exceed) {
        msg = PRINTF(s, "%s is limited to %s%s; the line has %u units.",
                     s->line->code_text, limit_text(s, r), family_text(s, v, r),
                     s->line->units);
    } else if (vd.next == MN_FOREVER) {
        msg = PRINTF(s,
                     "%s is limited to %s%s; the service on %s counts, so "
                     "it is not payable again.",
                     s->line->code_text, limit_text(s, r), family_text(s, v, r),
                     mn_x__date_text(s, vd.blocking));
    } else if (vd.by_spacing || vd.counted <= 1) {
        msg = PRINTF(s,
                     "%s is limited to %s%s; the service on %s counts, so "
                     "it is payable again from %s.",
                     s->line->code_text, limit_text(s, r), family_text(s, v, r),
                     mn_x__date_text(s, vd.blocking),
                     mn_x__date_text(s, vd.next));
    } else {
        msg = PRINTF(s,
                     "%s is limited to %s%s; %u prior services count, the "
                     "first to lapse on %s, so it is payable again from %s.",
                     s->line->code_text, limit_text(s, r), family_text(s, v, r),
                     vd.counted, mn_x__date_text(s, vd.blocking),
                     mn_x__date_text(s, vd.next));
    }
    if (review) {
        msg = PRINTF(s, "%s More often is covered when documented: %s.", msg,
                     kb_s(s->kb, r->more_often));
        fd = add(s, r, MN_E_FREQUENCY_EXCEEDED, MN_SEVERITY_REVIEW,
                 MN_STATUS_CONDITIONAL, msg);
        if (fd) {
            fd->fix = "Document the reason for the extra service; without "
                      "it, give the patient an ABN.";
            fd->payable_again = vd.units_exceed ? MN_NODATE : vd.next;
        }
        return;
    }
    fd = add(s, r, MN_E_FREQUENCY_EXCEEDED, MN_SEVERITY_DENY,
             MN_STATUS_NOT_COVERED, msg);
    if (fd) {
        fd->fix = "Check the patient's prior services; if the service is "
                  "still wanted, give the patient an ABN (modifier GA).";
        fd->payable_again = vd.units_exceed ? MN_NODATE : vd.next;
    }
}

/*
 * Dollar thresholds (therapy KX threshold, targeted medical review)
 */

/* "$2,330.00" */
static const char *money_text(mn_lstate *s, int64_t cents)
{
    char digits[24];
    char out[40];
    int64_t dollars = cents / 100;
    size_t n = 0;
    size_t k = 0;

    do {
        digits[n++] = (char)('0' + dollars % 10);
        dollars /= 10;
    } while (dollars && n < sizeof(digits));
    out[k++] = '$';
    while (n) {
        out[k++] = digits[--n];
        if (n && n % 3 == 0)
            out[k++] = ',';
    }
    out[k] = '\0';
    return PRINTF(s, "%s.%02d", out, (int)(cents % 100));
}

static bool mods_any(const char (*mods)[3], unsigned n, const char (*want)[2],
                     unsigned n_want)
{
    for (unsigned i = 0; i < n_want; i++) {
        const char m[3] = {want[i][0], want[i][1], '\0'};
        if (mods_have(mods, n, m))
            return true;
    }
    return false;
}

/* True when a service counts toward rule `ri`'s threshold: one of its
 * codes (or any code) with its modifier conditions. */
static bool thr_counts(const mn_srules_view *v, uint32_t ri, mn_key code,
                       const char (*mods)[3], unsigned n)
{
    const kb_srule *r = &v->rule[ri];

    if (!(r->flags & SR_F_ANY_CODE) && !rule_has_code(v, ri, code))
        return false;
    if (r->n_when_mod && !mods_any(mods, n, r->when_mod, r->n_when_mod))
        return false;
    return !(r->n_unless_mod &&
             mods_any(mods, n, r->unless_mod, r->n_unless_mod));
}

/* What the amounts of one year add up to. */
typedef struct accrual {
    int64_t total;      /* cents, this line included */
    size_t unknown;     /* services counted without an amount */
    size_t from_charge; /* amounts taken from billed charges */
} accrual;

static void accrue(accrual *a, int64_t charge, int64_t allowed)
{
    if (allowed != MN_NO_AMOUNT) {
        a->total += allowed;
    } else if (charge != MN_NO_AMOUNT) {
        a->total += charge;
        a->from_charge++;
    } else {
        a->unknown++;
    }
}

/* " (3 prior services without an amount are not counted; 2 amounts are
 * billed charges, which overstate the allowed amounts)" or "" */
static const char *accrual_note(mn_lstate *s, const accrual *a)
{
    const char *u = "";
    const char *c = "";

    if (a->unknown)
        u = PRINTF(s, "%zu service%s without an amount %s not counted",
                   a->unknown, a->unknown == 1 ? "" : "s",
                   a->unknown == 1 ? "is" : "are");
    if (a->from_charge)
        c = PRINTF(s,
                   "%zu amount%s %s billed charge%s, which overstate%s the "
                   "allowed amount%s",
                   a->from_charge, a->from_charge == 1 ? "" : "s",
                   a->from_charge == 1 ? "is a" : "are",
                   a->from_charge == 1 ? "" : "s",
                   a->from_charge == 1 ? "s" : "",
                   a->from_charge == 1 ? "" : "s");
    if (!a->unknown && !a->from_charge)
        return "";
    return PRINTF(s, " (%s%s%s)", u, a->unknown && a->from_charge ? "; " : "",
                  c);
}

/* " with modifier GP or GN" */
static const char *mods_text(mn_lstate *s, const kb_srule *r)
{
    const char *t = "";

    for (unsigned i = 0; i < r->n_when_mod; i++)
        t = PRINTF(s, "%s%s%.2s", t,
                   i == 0                   ? " with modifier "
                   : i + 1 == r->n_when_mod ? " or "
                                            : ", ",
                   r->when_mod[i]);
    return t;
}

/*
 * kx-threshold / review-threshold: the amounts of the year's services
 * the rule matches (prior services that were not denied, the claim's
 * earlier lines that were not denied, this line) against the thresholds.
 * A line without an amount is not judged.
 */
static void check_threshold(mn_lstate *s, const mn_srules_view *v, uint32_t ri)
{
    const kb_srule *r = &v->rule[ri];
    const mn_claim *c = s->claim;
    const mn_claim_line *ln = s->line;
    accrual a = {0, 0, 0};
    int y;
    int m;
    int d;
    int32_t jan1;
    const char *what;
    mn_finding *f;

    if (ln->charge == MN_NO_AMOUNT && ln->allowed == MN_NO_AMOUNT)
        return;
    mn_x__civil_from_days(s->date, &y, &m, &d);
    jan1 = mn_x__days_from_civil(y, 1, 1);
    for (size_t i = 0; i < s->n_prior; i++) {
        const mn_prior *p = &s->prior[i];
        if (p->date > s->date)
            break; /* sorted by date */
        if (p->date < jan1 ||
            (p->status >= 0 && p->status <= (int)MN_STATUS_NOT_COVERED) ||
            !thr_counts(v, ri, p->code, p->modifiers, p->n_modifiers))
            continue;
        accrue(&a, p->charge, p->allowed);
    }
    for (size_t j = 0; j < s->line_index; j++) {
        const mn_claim_line *o = &c->lines[j];
        int32_t od = line_date(c, o);
        if (od == MN_NODATE || od < jan1 || od > s->date ||
            s->ctx->res.lines[j].status <= MN_STATUS_NOT_COVERED ||
            !thr_counts(v, ri, o->code, o->modifiers, o->n_modifiers))
            continue;
        accrue(&a, o->charge, o->allowed);
    }
    accrue(&a, ln->charge, ln->allowed);
    what = PRINTF(s, "Services%s in %d come to %s%s with this line%s",
                  mods_text(s, r), y, a.unknown ? "at least " : "",
                  money_text(s, a.total), accrual_note(s, &a));
    if (r->kx_cents && a.total > (int64_t)r->kx_cents && !has_mod(ln, "KX")) {
        f = add(s, r, MN_E_THERAPY_KX_REQUIRED, MN_SEVERITY_REVIEW,
                MN_STATUS_CONDITIONAL,
                PRINTF(s,
                       "%s, above the KX threshold of %s: Medicare pays "
                       "for services above it only with modifier KX.",
                       what, money_text(s, r->kx_cents)));
        if (f)
            f->fix = "Append KX when the record documents that the services "
                     "are medically necessary; otherwise give the patient an "
                     "ABN.";
    }
    if (r->review_cents && a.total > (int64_t)r->review_cents) {
        f = add(s, r, MN_E_THERAPY_REVIEW_THRESHOLD, MN_SEVERITY_INFO,
                MN_STATUS_COVERED,
                PRINTF(s,
                       "%s, above the targeted medical review threshold of "
                       "%s: the claim may be selected for medical review.",
                       what, money_text(s, r->review_cents)));
        if (f)
            f->fix = "Keep the documentation of medical necessity ready.";
    }
}

/*
 * One rule, then every rule of the line
 */

static void apply(mn_lstate *s, rstate *x, uint32_t ri)
{
    const mn_srules_view *v = x->v;
    const kb_srule *r = &v->rule[ri];

    if (s->date < r->effective ||
        (r->ending != MN_NODATE && s->date > r->ending))
        return;
    if (r->n_when_mod && !any_mod(s->line, r->when_mod, r->n_when_mod))
        return;
    if (r->n_unless_mod && any_mod(s->line, r->unless_mod, r->n_unless_mod))
        return;
    if (r->n_when_dx && !dx_match(s, v->dx + r->dx_first, r->n_when_dx))
        return;
    if (r->n_unless_dx &&
        dx_match(s, v->dx + r->dx_first + r->n_when_dx, r->n_unless_dx))
        return;
    if (r->flags & SR_F_WHEN_AGE) {
        int age = age_of(s, x);
        if (age < 0) {
            age_unknown(s, x, r);
            return;
        }
        if ((r->when_age_lo != SR_AGE_NONE && age < (int)r->when_age_lo) ||
            (r->when_age_hi != SR_AGE_NONE && age > (int)r->when_age_hi))
            return;
    }
    if (r->exclude.len)
        check_exclude(s, r);
    if (r->flags & SR_F_AGE)
        check_age(s, x, r);
    if (r->sex)
        check_sex(s, x, r);
    if (r->flags & (SR_F_POS_ALLOW | SR_F_POS_DENY))
        check_pos(s, r);
    if (r->flags & SR_F_IPO)
        check_ipo(s, r);
    if (r->freq_n)
        check_freq(s, v, ri);
    if (r->doc.len)
        check_requires(s, r);
    if (r->kx_cents || r->review_cents)
        check_threshold(s, v, ri);
}

/*
 * The dates each rule pack covers (docs/rules.md, "Dates a pack covers")
 */

#define MAX_PACKS 16

/* The packs whose rules name the line. */
typedef struct packs {
    struct {
        kb_str name;
        bool in_force; /* one of its rules for the line is in force */
        bool skip;     /* the pack does not cover the date: not applied */
        uint32_t rule; /* a rule for the message: the next to start */
    } p[MAX_PACKS];
    size_t n;
} packs;

/* True when rule `r` would apply to the line on some date: its modifier
 * and diagnosis conditions hold (its codes are the index's). */
static bool names_line(const mn_lstate *s, const mn_srules_view *v,
                       const kb_srule *r)
{
    if ((r->flags & SR_F_IPO) && !ipo_setting(s))
        return false; /* the inpatient-only list matters only there */
    if (r->n_when_mod && !any_mod(s->line, r->when_mod, r->n_when_mod))
        return false;
    if (r->n_unless_mod && any_mod(s->line, r->unless_mod, r->n_unless_mod))
        return false;
    if (r->n_when_dx && !dx_match(s, v->dx + r->dx_first, r->n_when_dx))
        return false;
    if (r->n_unless_dx &&
        dx_match(s, v->dx + r->dx_first + r->n_when_dx, r->n_unless_dx))
        return false;
    return true;
}

static void note_pack(const mn_lstate *s, packs *k, const mn_srules_view *v,
                      uint32_t ri)
{
    const kb_srule *r = &v->rule[ri];
    bool in_force = s->date >= r->effective &&
                    (r->ending == MN_NODATE || s->date <= r->ending);
    size_t i;

    if (!names_line(s, v, r))
        return;
    for (i = 0; i < k->n; i++) {
        if (k->p[i].name.off == r->pack.off && k->p[i].name.len == r->pack.len)
            break;
    }
    if (i == k->n) {
        if (k->n == MAX_PACKS)
            return; /* more packs than a line meets: not gated */
        k->p[i].name = r->pack;
        k->p[i].in_force = false;
        k->p[i].skip = false;
        k->p[i].rule = ri;
        k->n++;
    } else if (r->effective > s->date) {
        /* name the rule that starts first after the date */
        const kb_srule *o = &v->rule[k->p[i].rule];
        if (o->effective <= s->date || r->effective < o->effective)
            k->p[i].rule = ri;
    }
    k->p[i].in_force = k->p[i].in_force || in_force;
}

/* Decides, for each pack naming the line, whether it covers the date: a
 * date outside its period (declared by `covers`, else the span of its
 * rules) or, in an undeclared span, with none of its rules for the code in
 * force, is not judged by the pack (kb.outside_range); in a declared
 * period with none in force, the pack vouches that none applied
 * (kb.rule_not_in_force, information). */
static void gate_packs(mn_lstate *s, packs *k, const mn_srules_view *v)
{
    for (size_t i = 0; i < k->n && !s->nomem; i++) {
        const char *name = kb_s(s->kb, k->p[i].name);
        const kb_srule *r = &v->rule[k->p[i].rule];
        char periods[160];
        int st = mn_x__kb_pack_state(s->kb, name, k->p[i].name.len, s->date,
                                     NULL, 0);
        if (st == MN_PACK_NONE || (k->p[i].in_force && st != MN_PACK_OUTSIDE))
            continue; /* no period recorded, or the pack judges the line */
        /* a finding follows: the periods as text for it */
        mn_x__kb_pack_state(s->kb, name, k->p[i].name.len, s->date, periods,
                            sizeof(periods));
        if (st == MN_PACK_OUTSIDE) {
            k->p[i].skip = true;
            mn_x__pack_outside(s, name, periods, kb_s(s->kb, r->id),
                               r->effective, false);
        } else if (!k->p[i].in_force) {
            if (st == MN_PACK_DECLARED)
                mn_x__rule_not_in_force(s, name, periods, kb_s(s->kb, r->id),
                                        r->effective);
            else
                mn_x__pack_outside(s, name, periods, kb_s(s->kb, r->id),
                                   r->effective, true);
        }
    }
}

static bool skipped(const packs *k, const kb_srule *r)
{
    for (size_t i = 0; i < k->n; i++) {
        if (k->p[i].name.off == r->pack.off && k->p[i].name.len == r->pack.len)
            return k->p[i].skip;
    }
    return false;
}

void mn_x__check_rules(mn_lstate *s)
{
    const mn_srules_view *v = s->kb->ext_view[MN_SRULES_VIEW];
    rstate x;
    packs k;
    size_t i;
    size_t first;
    size_t n_any;

    if (!v || s->claim->payer != MN_PAYER_MEDICARE || s->date == MN_NODATE)
        return;
    x.v = v;
    x.age = -2;
    x.age_reported = false;
    x.sex_reported = false;
    k.n = 0;
    /* every-code rules (therapy: when-modifier GP GO GN) are skipped
       at once for the many lines without modifiers */
    n_any = s->line->n_modifiers || !v->any_need_mod ? v->n_any : 0;
    first = lower_code(v->idx, v->n_any, v->n_idx, s->line->code);
    for (i = 0; i < n_any; i++)
        note_pack(s, &k, v, v->idx[i].rule);
    for (i = first; i < v->n_idx && v->idx[i].code == s->line->code; i++)
        note_pack(s, &k, v, v->idx[i].rule);
    gate_packs(s, &k, v);
    for (i = 0; i < n_any && !s->nomem; i++) {
        if (!skipped(&k, &v->rule[v->idx[i].rule]))
            apply(s, &x, v->idx[i].rule);
    }
    for (i = first;
         i < v->n_idx && v->idx[i].code == s->line->code && !s->nomem; i++) {
        if (!skipped(&k, &v->rule[v->idx[i].rule]))
            apply(s, &x, v->idx[i].rule);
    }
}
