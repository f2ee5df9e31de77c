/*
 * check/engine.c: checks each claim line against the knowledge base: code
 * validity on the date, MCE diagnosis edits, and the coverage policies
 * (NCDs, lab NCD lists, LCD billing-and-coding articles) that govern it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "mednec/history.h"
#include "kb/kb_int.h"

int mn_ctx_new(mn_ctx **out, size_t max_bytes, mn_error *err)
{
    mn_ctx *c;
    *out = NULL;
    c = mn_x__calloc(1, sizeof(*c));
    if (!c || mn_x__arena_new(&c->arena, max_bytes)) {
        mn_x__free(c);
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    }
    *out = c;
    return MN_OK;
}

void mn_ctx_free(mn_ctx *ctx)
{
    if (!ctx)
        return;
    mn_x__arena_free(ctx->arena);
    mn_x__free(ctx);
}

void mn_ctx_reset(mn_ctx *ctx)
{
    if (ctx) {
        mn_x__arena_reset(ctx->arena);
        memset(&ctx->res, 0, sizeof(ctx->res));
    }
}

bool mn_x__line_has(const mn_line_result *lr, size_t upto, const char *edit)
{
    for (size_t i = 0; i < upto && i < lr->n_findings; i++) {
        if (lr->findings[i].edit && strcmp(lr->findings[i].edit, edit) == 0)
            return true;
    }
    return false;
}

mn_finding *mn_x__add_finding(mn_lstate *s, const char *edit, mn_severity sev,
                              mn_status status, const char *message)
{
    mn_line_result *lr = s->lr;
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
    f->edit = edit;
    f->severity = sev;
    f->message = message;
    f->policy_version = -1;
    if (status < lr->status)
        lr->status = status;
    return f;
}

const char *mn_x__lprintf(mn_lstate *s, const char *fmt, ...)
{
    va_list ap;
    char small[512];
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return "";
    if ((size_t)n >= sizeof(small))
        n = (int)sizeof(small) - 1; /* messages are short; cut at 511 */
    p = mn_x__arena_strndup(s->ctx->arena, small, (size_t)n);
    if (!p) {
        s->nomem = true;
        return "";
    }
    return p;
}

#define PRINTF mn_x__lprintf

static const char *date_text(mn_lstate *s, int32_t d)
{
    char buf[11];
    mn_x__format_date(buf, d);
    return mn_x__arena_strndup(s->ctx->arena, buf, strlen(buf));
}

/* Mask of the characters a key has (E11 -> the first three bytes). */
static mn_key prefix_mask(mn_key key)
{
    mn_key m = 0;
    for (int i = 7; i >= 0 && ((key >> (8 * i)) & 0xff); i--)
        m |= (mn_key)0xff << (8 * i);
    return m;
}

/*
 * Code validity
 */

static void check_code(mn_lstate *s)
{
    const mn_kb *kb = s->kb;
    const mn_claim_line *ln = s->line;
    const kb_hcpcs *h;
    mn_finding *f;

    if (!kb->n_hcpcs || !mn_x__hcpcs2_shape(ln->code_text, 5))
        return; /* CPT is accepted by format (no descriptors shipped) */
    h = mn_x__kb_hcpcs(kb, ln->code);
    if (!h) {
        f = mn_x__add_finding(
            s, "code.invalid", MN_SEV_DENY, MN_STATUS_INVALID,
            PRINTF(s,
                   "%s is not a HCPCS Level II code in the knowledge "
                   "base.",
                   ln->code_text));
        if (f) {
            f->carc = "181";
            f->rarc = "M51";
            f->policy_kind = "code_set";
            f->policy_id = "HCPCS";
            f->fix = "Check the code against the current HCPCS file.";
        }
        return;
    }
    if (h->added != MN_NODATE && s->date < h->added) {
        f = mn_x__add_finding(
            s, "code.invalid", MN_SEV_DENY, MN_STATUS_INVALID,
            PRINTF(s, "%s was added on %s, after the date of service.",
                   ln->code_text, date_text(s, h->added)));
    } else if (h->terminated != MN_NODATE && s->date > h->terminated) {
        f = mn_x__add_finding(
            s, "code.invalid", MN_SEV_DENY, MN_STATUS_INVALID,
            PRINTF(s,
                   "%s was terminated on %s, before the date of "
                   "service.",
                   ln->code_text, date_text(s, h->terminated)));
    } else {
        mn_x__check_coverage(s, h); /* valid on the date: its coverage */
        return;
    }
    if (f) {
        f->carc = "181";
        f->rarc = "M51";
        f->policy_kind = "code_set";
        f->policy_id = "HCPCS";
        f->fix = "Use the code valid on the date of service.";
    }
}

/*
 * Diagnoses: validity on the date, MCE edits
 */

static void billable_children(mn_lstate *s, mn_finding *f, mn_key key)
{
    const mn_kb *kb = s->kb;
    size_t i = mn_x__kb_icd_lower(kb, key);
    mn_key mask = prefix_mask(key);
    int yi = s->icd_year;

    for (; i < kb->n_icd && f->n_supporting < MN_MAX_SUPPORTING; i++) {
        mn_key k = kb->icdkey[i];
        if ((k & mask) != key)
            break;
        if (yi >= 0 && (kb->icd[i].billable & (1u << yi)))
            f->supporting[f->n_supporting++] = k;
    }
}

/* The claim's first-listed diagnosis is a manifestation code (MCE). */
static void manifestation_first(mn_lstate *s, const mn_claim_dx *d,
                                const kb_mce *m)
{
    mn_finding *f = mn_x__add_finding(
        s, "dx.manifestation_primary", MN_SEV_DENY, MN_STATUS_INVALID,
        PRINTF(s,
               "%s is a manifestation code and cannot be the first-listed "
               "diagnosis.",
               d->text));

    if (f) {
        f->dx = d->text;
        f->carc = "16";
        f->rarc = "M76";
        f->policy_kind = "mce";
        f->policy_id = PRINTF(s, "MCE FY%d manifestation edit",
                              s->kb->meta->mce_fy[m->ver]);
        f->fix = "List the underlying condition first, then the "
                 "manifestation.";
    }
}

static void check_dx(mn_lstate *s)
{
    const mn_kb *kb = s->kb;
    int yi = s->icd_year;
    int age = -1;
    bool age_known = false;
    mn_finding *f;

    for (size_t i = 0; i < s->n_dx; i++) {
        const mn_claim_dx *d = s->dx[i];
        if (yi >= 0) {
            const kb_icd *e = mn_x__kb_icd(kb, d->key);
            if (!e || !(e->present & (1u << yi))) {
                f = mn_x__add_finding(
                    s, "dx.invalid", MN_SEV_DENY, MN_STATUS_INVALID,
                    PRINTF(s,
                           "%s is not an ICD-10-CM code in the FY%d "
                           "code set that applies on %s.",
                           d->text, kb->meta->icd_years[yi],
                           date_text(s, s->date)));
                if (f) {
                    f->dx = d->text;
                    f->carc = "146";
                    f->rarc = "M76";
                    f->policy_kind = "code_set";
                    f->policy_id = "ICD-10-CM";
                    f->fix = "Code the diagnosis from the ICD-10-CM code "
                             "set in effect on the date of service.";
                }
                continue;
            }
            if (!(e->billable & (1u << yi))) {
                f = mn_x__add_finding(
                    s, "dx.not_billable", MN_SEV_DENY, MN_STATUS_INVALID,
                    PRINTF(s,
                           "%s is a category or header code; it needs "
                           "more characters to be billable.",
                           d->text));
                if (f) {
                    f->dx = d->text;
                    f->carc = "16";
                    f->rarc = "M76";
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
            f = mn_x__add_finding(
                s, "dx.age_conflict", MN_SEV_DENY, MN_STATUS_NOT_COVERED,
                PRINTF(s, "%s is for ages %d to %d; the patient is %d.",
                       d->text, m->age_min, m->age_max, age));
            if (f) {
                f->dx = d->text;
                f->carc = "9";
                f->policy_kind = "mce";
                f->policy_id =
                    PRINTF(s, "MCE FY%d age edit", kb->meta->mce_fy[m->ver]);
                f->fix = "Check the diagnosis and the patient's birth date.";
            }
        }
        if (((m->flags & MN_MCE_FEMALE) && s->claim->sex == 'M') ||
            ((m->flags & MN_MCE_MALE) && s->claim->sex == 'F')) {
            f = mn_x__add_finding(
                s, "dx.sex_conflict", MN_SEV_DENY, MN_STATUS_NOT_COVERED,
                PRINTF(s, "%s is for %s patients only.", d->text,
                       (m->flags & MN_MCE_FEMALE) ? "female" : "male"));
            if (f) {
                f->dx = d->text;
                f->carc = "10";
                f->policy_kind = "mce";
                f->policy_id =
                    PRINTF(s, "MCE FY%d sex edit", kb->meta->mce_fy[m->ver]);
                f->fix = "Check the diagnosis and the patient's sex.";
            }
        }
        if ((m->flags & MN_MCE_MANIFESTATION) && s->claim->n_dx &&
            d == &s->claim->dx[0])
            manifestation_first(s, d, m);
    }
    /* the first-listed diagnosis is the claim's: a line that does not
       point to it is still on a claim that lists a manifestation first */
    if (s->claim->n_dx) {
        const mn_claim_dx *d0 = &s->claim->dx[0];
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

/*
 * Coverage policies
 */

static const char *kind_name(uint32_t kind)
{
    switch (kind) {
    case MN_PK_NCD:
        return "ncd";
    case MN_PK_LCD:
        return "lcd";
    default:
        return "article";
    }
}

/* [first, first+n) of a policy's list. */
static void list_range(const kb_policy *p, int list, size_t *first, size_t *n)
{
    *first = p->dx_first;
    *n = 0;
    switch (list) {
    case MN_DL_COVERED:
        *n = p->n_covered;
        break;
    case MN_DL_NONCOVERED:
        *first += p->n_covered;
        *n = p->n_noncovered;
        break;
    default:
        *first += (size_t)p->n_covered + p->n_noncovered;
        *n = p->n_notsup;
        break;
    }
}

static size_t lower_bound(const uint64_t *keys, size_t n, mn_key key)
{
    size_t lo = 0;

    /* branch-free halving */
    while (n > 1) {
        size_t half = n / 2;
        lo = keys[lo + half - 1] < key ? lo + half : lo;
        n -= half;
    }
    return lo + (n == 1 && keys[lo] < key);
}

/* Index of the first entry for `key` on a list, or SIZE_MAX. */
static size_t find_dx(const mn_kb *kb, const kb_policy *p, int list, mn_key key)
{
    size_t first;
    size_t n;
    size_t i;
    list_range(p, list, &first, &n);
    if (!n)
        return SIZE_MAX;
    i = lower_bound(kb->dxkey + first, n, key);
    return i < n && kb->dxkey[first + i] == key ? first + i : SIZE_MAX;
}

static void cite(mn_finding *f, const mn_kb *kb, const kb_policy *p, int group)
{
    f->policy_kind = kind_name(p->kind);
    f->policy_id = kb_s(kb, p->id);
    f->policy_version = p->version;
    f->group = group;
    f->policy_title = p->title.len ? kb_s(kb, p->title) : NULL;
    f->related = p->related.len ? kb_s(kb, p->related) : NULL;
    f->carc = "50";
    f->rarc = p->kind == MN_PK_NCD ? "N386" : "N115";
}

/* Number of leading characters two keys share. */
static int shared_chars(mn_key a, mn_key b)
{
    mn_key x = a ^ b;
    return x ? __builtin_clzll(x) / 8 : 8;
}

/* Covered codes closest to the claim's diagnoses (same category first). */
static void suggest(mn_lstate *s, mn_finding *f, const kb_policy *p)
{
    const mn_kb *kb = s->kb;
    size_t first;
    size_t n;
    mn_key best[MN_MAX_SUPPORTING];
    int score[MN_MAX_SUPPORTING];
    size_t nb = 0;

    list_range(p, MN_DL_COVERED, &first, &n);
    if (!n)
        return;
    for (size_t d = 0; d < s->n_dx && d < 4; d++) {
        mn_key dk = s->dx[d]->key;
        const uint64_t *keys = kb->dxkey + first;
        size_t pos = lower_bound(keys, n, dk);
        size_t a = pos > 8 ? pos - 8 : 0;
        size_t b = pos + 8 < n ? pos + 8 : n;
        for (size_t i = a; i < b; i++) {
            int sc = shared_chars(keys[i], dk);
            size_t j;
            if (sc == 0 || (i > a && keys[i] == keys[i - 1]))
                continue;
            /* keep the best ten, longest shared prefix first; ties keep
               key order (nearest codes come from the same window) */
            if (nb == MN_MAX_SUPPORTING && sc <= score[nb - 1])
                continue;
            if (d > 0) {
                /* another diagnosis's window may hold the same code */
                for (j = 0; j < nb && best[j] != keys[i]; j++)
                    ;
                if (j < nb)
                    continue;
            }
            j = nb < MN_MAX_SUPPORTING ? nb++ : nb - 1;
            while (j > 0 && score[j - 1] < sc) {
                best[j] = best[j - 1];
                score[j] = score[j - 1];
                j--;
            }
            best[j] = keys[i];
            score[j] = sc;
        }
    }
    /* nothing near: the start of the list */
    for (size_t i = 0; nb < 5 && i < n; i++) {
        mn_key k = kb->dxkey[first + i];
        size_t j;
        for (j = 0; j < nb && best[j] != k; j++)
            ;
        if (j == nb)
            best[nb++] = k;
    }
    for (size_t i = 0; i < nb; i++)
        f->supporting[i] = best[i];
    f->n_supporting = nb;
}

/* How one covered entry qualifies as the other half of a pair. */
typedef bool (*pair_test)(const mn_kb *kb, const kb_policy *p, size_t k,
                          uint32_t mask, int g);

/* Group g is in `mask` (0: any group other than `g0`). */
static bool in_mask(const mn_kb *kb, const kb_policy *p, size_t k,
                    uint32_t mask, int g0)
{
    int g = (int)KB_DX_GROUP(kb->dxmeta[k]);
    (void)p;
    return mask ? (g >= 1 && g <= 32 && (mask & (1u << (g - 1)))) : g != g0;
}

/* The entry is an asterisk code whose group takes group `g` as partner. */
static bool asterisk_for(const mn_kb *kb, const kb_policy *p, size_t k,
                         uint32_t mask, int g)
{
    int og = (int)KB_DX_GROUP(kb->dxmeta[k]);
    const kb_group *gr = mn_x__kb_group(kb, p, MN_DL_COVERED, og);
    (void)mask;
    if (!KB_DX_AST(kb->dxmeta[k]) || !gr)
        return false;
    return !gr->partners ||
           (g >= 1 && g <= 32 && (gr->partners & (1u << (g - 1))));
}

/* The first of the line's diagnoses other than `skip` with a covered entry
 * that passes `test`; its group goes to *group. */
static const mn_claim_dx *find_pair(mn_lstate *s, const kb_policy *p,
                                    size_t skip, pair_test test, uint32_t mask,
                                    int g, int *group)
{
    const mn_kb *kb = s->kb;
    size_t end = (size_t)p->dx_first + p->n_covered;
    for (size_t j = 0; j < s->n_dx; j++) {
        size_t k;
        if (j == skip)
            continue;
        k = find_dx(kb, p, MN_DL_COVERED, s->dx[j]->key);
        for (; k != SIZE_MAX && k < end && kb->dxkey[k] == s->dx[j]->key; k++) {
            if (test(kb, p, k, mask, g)) {
                *group = (int)KB_DX_GROUP(kb->dxmeta[k]);
                return s->dx[j];
            }
        }
    }
    return NULL;
}

static void eval_policy(mn_lstate *s, const kb_policy *p)
{
    const mn_kb *kb = s->kb;
    const kb_policy *all = NULL;
    mn_finding *f;
    bool denied = false;

    if ((p->flags & MN_PF_LAB) && kb->all_lab >= 0)
        all = &kb->pol[kb->all_lab];

    /* explicit non-covered lists (and the one for every lab NCD) */
    for (size_t i = 0; i < s->n_dx; i++) {
        const kb_policy *src = NULL;
        size_t k = find_dx(kb, p, MN_DL_NONCOVERED, s->dx[i]->key);
        if (k != SIZE_MAX)
            src = p;
        else if (all && (k = find_dx(kb, all, MN_DL_NONCOVERED,
                                     s->dx[i]->key)) != SIZE_MAX)
            src = all;
        if (!src)
            continue;
        f = mn_x__add_finding(
            s, "policy.dx_noncovered", MN_SEV_DENY, MN_STATUS_NOT_COVERED,
            src == all ? "The diagnosis is on the list of diagnoses that "
                         "are never covered for any lab NCD test."
                       : "The diagnosis is on the policy's list of "
                         "non-covered diagnoses.");
        if (f) {
            cite(f, kb, p, (int)KB_DX_GROUP(kb->dxmeta[k]));
            if (src == all)
                f->source = "Non-covered ICD-10-CM codes for all lab NCDs";
            f->dx = s->dx[i]->text;
            f->fix = "Check whether another documented diagnosis supports "
                     "the service; otherwise give the patient an ABN.";
            suggest(s, f, p);
        }
        denied = true;
    }
    if (denied) {
        s->med_nec_denial = true;
        return;
    }

    if (p->flags & MN_PF_INVERTED) {
        /* covered unless every diagnosis is on the does-not-support list */
        size_t notsup = 0;
        for (size_t i = 0; i < s->n_dx; i++) {
            if (find_dx(kb, p, MN_DL_NOT_SUPPORTED, s->dx[i]->key) != SIZE_MAX)
                notsup++;
        }
        if (s->n_dx && notsup == s->n_dx) {
            f = mn_x__add_finding(
                s, "policy.dx_not_supported", MN_SEV_DENY,
                MN_STATUS_NOT_COVERED,
                "Every diagnosis on the line is on this NCD's list of "
                "diagnoses that do not support the test.");
            if (f) {
                cite(f, kb, p, 0);
                f->dx = s->dx[0]->text;
                f->fix = "Report the documented condition that led to the "
                         "order; otherwise give the patient an ABN.";
            }
            s->med_nec_denial = true;
        } else {
            f = mn_x__add_finding(
                s, "policy.dx_supported", MN_SEV_INFO, MN_STATUS_COVERED,
                "This NCD lists the diagnoses that do not support the "
                "test; a diagnosis on the line is not among them.");
            if (f) {
                cite(f, kb, p, 0);
                f->carc = f->rarc = NULL;
            }
        }
        return;
    }

    if (!p->n_covered && p->n_notsup && s->n_dx) {
        /* only a "does not support" list is loaded */
        size_t notsup = 0;
        for (size_t i = 0; i < s->n_dx; i++) {
            if (find_dx(kb, p, MN_DL_NOT_SUPPORTED, s->dx[i]->key) != SIZE_MAX)
                notsup++;
        }
        if (notsup == s->n_dx) {
            f = mn_x__add_finding(
                s, "policy.dx_not_supported", MN_SEV_DENY,
                MN_STATUS_NOT_COVERED,
                "Every diagnosis on the line is on the policy's list of "
                "diagnoses that do not support the service.");
            if (f) {
                cite(f, kb, p, 0);
                f->dx = s->dx[0]->text;
                f->fix = "Report the documented condition that led to the "
                         "order; otherwise give the patient an ABN.";
            }
            s->med_nec_denial = true;
            return;
        }
    }

    if (!p->n_covered) {
        f = mn_x__add_finding(
            s, "policy.no_dx_list", MN_SEV_INFO, MN_STATUS_COVERED,
            (p->flags & MN_PF_LAB)
                ? "This NCD governs the code, but its covered-diagnosis "
                  "list is not in the knowledge base; the diagnoses "
                  "were not checked against it."
                : "This policy governs the code and lists no "
                  "diagnosis requirement in the knowledge base.");
        if (f) {
            cite(f, kb, p, 0);
            f->carc = f->rarc = NULL;
            if (p->note.len)
                f->source = kb_s(kb, p->note);
        }
        return;
    }

    /* covered groups, with dual-diagnosis groups */
    const mn_claim_dx *need_dx = NULL;
    int need_group = 0;
    uint32_t need_mask = 0;
    for (size_t i = 0; i < s->n_dx; i++) {
        size_t k = find_dx(kb, p, MN_DL_COVERED, s->dx[i]->key);
        for (; k != SIZE_MAX && k < (size_t)p->dx_first + p->n_covered &&
               kb->dxkey[k] == s->dx[i]->key;
             k++) {
            int g = (int)KB_DX_GROUP(kb->dxmeta[k]);
            const kb_group *gr = mn_x__kb_group(kb, p, MN_DL_COVERED, g);
            uint32_t flags = gr ? gr->flags : 0;
            const mn_claim_dx *other = NULL;
            int og = 0;

            if (KB_DX_AST(kb->dxmeta[k])) {
                other =
                    find_pair(s, p, i, in_mask, gr ? gr->partners : 0, g, &og);
                if (!other) {
                    if (!need_dx) {
                        need_dx = s->dx[i];
                        need_group = g;
                        need_mask = gr ? gr->partners : 0;
                    }
                    continue;
                }
            } else if (flags & KB_GF_SECONDARY_ONLY) {
                other = find_pair(s, p, i, asterisk_for, 0, g, &og);
                if (!other) {
                    if (!need_dx) {
                        need_dx = s->dx[i];
                        need_group = g;
                        need_mask = 0;
                    }
                    continue;
                }
            }
            f = mn_x__add_finding(
                s, "policy.dx_supported", MN_SEV_INFO, MN_STATUS_COVERED,
                other ? PRINTF(s,
                               "%s (group %d) with %s (group %d) is "
                               "on the policy's covered list.",
                               s->dx[i]->text, g, other->text, og)
                      : "A diagnosis on the line is on the policy's "
                        "covered list.");
            if (f) {
                cite(f, kb, p, g);
                f->carc = f->rarc = NULL;
                f->dx = s->dx[i]->text;
            }
            return;
        }
    }
    if (need_dx) {
        char groups[96];
        size_t gl = 0;
        groups[0] = '\0';
        for (int g = 1; g <= 32 && gl + 12 < sizeof(groups); g++) {
            if (need_mask & (1u << (g - 1)))
                gl += (size_t)snprintf(groups + gl, sizeof(groups) - gl, "%s%d",
                                       gl ? " or " : "", g);
        }
        f = mn_x__add_finding(
            s, "policy.secondary_dx_missing", MN_SEV_DENY,
            MN_STATUS_NOT_COVERED,
            gl ? PRINTF(s,
                        "%s (group %d) is covered only together with "
                        "a diagnosis from group %s, and the line has "
                        "none.",
                        need_dx->text, need_group, groups)
               : PRINTF(s,
                        "%s (group %d) is covered only together with "
                        "a second diagnosis from the policy's "
                        "related group, and the line has none.",
                        need_dx->text, need_group));
        if (f) {
            cite(f, kb, p, need_group);
            f->dx = need_dx->text;
            f->fix = "Add the documented secondary diagnosis the policy "
                     "requires and point the line to it.";
        }
        s->med_nec_denial = true;
        return;
    }
    f = mn_x__add_finding(
        s, "policy.dx_not_supported", MN_SEV_DENY, MN_STATUS_NOT_COVERED,
        s->n_dx ? "None of the line's diagnoses is on the policy's "
                  "covered list."
                : "The line has no diagnosis; the policy requires one "
                  "from its covered list.");
    if (f) {
        cite(f, kb, p, 0);
        f->dx = s->n_dx ? s->dx[0]->text : NULL;
        f->fix = "Report a documented diagnosis from the covered list "
                 "(see supporting_diagnoses); otherwise give the patient an "
                 "ABN.";
        suggest(s, f, p);
    }
    s->med_nec_denial = true;
}

/*
 * Some local policies define a statutory exclusion: routine foot care
 * (SSA 1862(a)(13)) and cosmetic surgery (1862(a)(10)) are excluded
 * unless the policy's conditions are met. The diagnosis denials such a
 * policy gave (findings from `first` on) become statutory.excluded: the
 * line is excluded, GY applies, no ABN is needed.
 */
static void statutory_policy(mn_lstate *s, const kb_policy *p, size_t first,
                             bool med_before)
{
    const kb_rule *r = mn_x__kb_statutory_rule(s->kb, p, s->date);
    mn_line_result *lr = s->lr;
    bool changed = false;

    if (!r)
        return;
    if (mn_x__line_has(lr, first, "statutory.excluded")) {
        /* excluded already (HCPCS coverage code S): one exclusion per
           line; the policy's findings stay as they are */
        s->med_nec_denial = med_before;
        return;
    }
    for (size_t i = first; i < lr->n_findings; i++) {
        mn_finding *f = &lr->findings[i];
        if (f->severity != MN_SEV_DENY ||
            (strcmp(f->edit, "policy.dx_not_supported") != 0 &&
             strcmp(f->edit, "policy.dx_noncovered") != 0 &&
             strcmp(f->edit, "policy.secondary_dx_missing") != 0))
            continue;
        f->message = PRINTF(s,
                            "%s Without a diagnosis the policy covers, the "
                            "service is %s, excluded by statute.",
                            f->message, kb_s(s->kb, r->reason));
        f->edit = "statutory.excluded";
        f->carc = "96";
        f->rarc = "N130";
        f->source = kb_s(s->kb, r->source);
        f->fix = "If the record shows a condition the policy covers, report "
                 "it; otherwise Medicare never pays: bill with modifier GY "
                 "and the patient may be billed (no ABN is required).";
        changed = true;
    }
    if (changed) {
        if (lr->status > MN_STATUS_EXCLUDED)
            lr->status = MN_STATUS_EXCLUDED;
        s->med_nec_denial = med_before;
    }
}

static void check_policies(mn_lstate *s, uint64_t states, bool jur_given)
{
    const mn_kb *kb = s->kb;
    size_t n;
    const kb_pcode *pc = mn_x__kb_pcodes(kb, s->line->code, &n);
    size_t evaluated = 0;
    const kb_policy *local_unjudged = NULL;
    uint32_t last = UINT32_MAX;
    const kb_pcode *chosen = NULL;

    for (size_t i = 0; i < n; i++) {
        const kb_pcode *c = &pc[i];
        if (c->policy == last)
            continue;
        last = c->policy;
        /* versions of one policy are adjacent, newest first */
        if (chosen && chosen->kind == c->kind && chosen->id_off == c->id_off)
            continue;
        if (!((c->effective == MN_NODATE || c->effective <= s->date) &&
              (c->ending == MN_NODATE || s->date <= c->ending)))
            continue;
        chosen = c;
        if (c->kind != MN_PK_NCD && c->states) {
            if (!states) {
                local_unjudged = &kb->pol[c->policy];
                continue;
            }
            if (!(c->states & states))
                continue;
        }
        {
            size_t first = s->lr->n_findings;
            bool med_before = s->med_nec_denial;
            eval_policy(s, &kb->pol[c->policy]);
            statutory_policy(s, &kb->pol[c->policy], first, med_before);
        }
        evaluated++;
        if (s->nomem)
            return;
    }
    if (local_unjudged) {
        mn_finding *f = mn_x__add_finding(
            s, "policy.jurisdiction_required", MN_SEV_REVIEW,
            MN_STATUS_INDETERMINATE,
            jur_given ? "The claim's jurisdiction is not recognised, and a "
                        "local policy governs this code in some "
                        "jurisdictions."
                      : "A local policy governs this code in some "
                        "jurisdictions; give the claim's jurisdiction (MAC, "
                        "state or contractor number) to apply it.");
        if (f) {
            cite(f, kb, local_unjudged, 0);
            f->carc = f->rarc = NULL;
            f->fix = "Add \"jurisdiction\" to the claim.";
        }
    } else if (!evaluated) {
        mn_finding *f =
            mn_x__add_finding(s, "policy.none", MN_SEV_INFO, MN_STATUS_COVERED,
                              "No NCD or local policy in the knowledge base "
                              "governs this code on this date; it is judged "
                              "on its own.");
        (void)f;
    }
}

/*
 * Prior services: the claim's own history plus the history store
 */

typedef struct prior_acc {
    mn_ctx *ctx;
    mn_prior *v;
    size_t n;
    size_t cap;
    const char *skip_key; /* services of the claim being checked */
    size_t skip_len;
    bool amounts; /* the source's services carry amounts (version 2) */
    bool nomem;
} prior_acc;

static int prior_push(prior_acc *a, const mn_prior *p)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        mn_prior *nv = mn_x__arena_alloc(a->ctx->arena, cap * sizeof(*nv));
        if (!nv) {
            a->nomem = true;
            return MN_ENOMEM;
        }
        if (a->n)
            memcpy(nv, a->v, a->n * sizeof(*nv));
        a->v = nv;
        a->cap = cap;
    }
    a->v[a->n++] = *p;
    return MN_OK;
}

static int prior_from_store(void *payload, const mn_history_service *svc)
{
    prior_acc *a = payload;
    mn_prior p;
    const char *m = svc->modifiers;
    size_t ml = svc->modifiers ? svc->modifiers_len : 0;

    if (a->skip_key && svc->claim_key && svc->claim_key_len == a->skip_len &&
        memcmp(svc->claim_key, a->skip_key, a->skip_len) == 0)
        return MN_OK;
    memset(&p, 0, sizeof(p));
    p.code = mn_x__key(svc->code, svc->code_len);
    p.date = svc->date;
    p.units = svc->units;
    p.status = svc->status;
    p.from_store = 1;
    p.charge = a->amounts ? svc->charge : MN_NO_AMOUNT;
    p.allowed = a->amounts ? svc->allowed : MN_NO_AMOUNT;
    for (size_t i = 0; i + 1 < ml + 1 && p.n_modifiers < MN_MAX_MODIFIERS;) {
        size_t j = i;
        while (j < ml && m[j] != ',')
            j++;
        if (j - i == 2) {
            p.modifiers[p.n_modifiers][0] = m[i];
            p.modifiers[p.n_modifiers][1] = m[i + 1];
            p.n_modifiers++;
        }
        i = j + 1;
        if (j >= ml)
            break;
    }
    if (a->amounts && svc->diagnoses) {
        const char *d = svc->diagnoses;
        size_t dl = svc->diagnoses_len;
        for (size_t i = 0; i < dl;) {
            size_t j = i;
            while (j < dl && d[j] != ',')
                j++;
            if (p.n_dx == MN_PRIOR_DX) {
                p.n_dx = 0; /* too many to keep: not known */
                break;
            }
            if (mn_x__icd_shape(d + i, j - i))
                p.dx[p.n_dx++] = mn_x__key(d + i, j - i);
            i = j + 1;
        }
    }
    if (!p.code)
        return MN_OK;
    return prior_push(a, &p);
}

/* By date, code, then store services before the claim's own entries. */
static int cmp_prior(const void *x, const void *y)
{
    const mn_prior *a = x;
    const mn_prior *b = y;
    if (a->date != b->date)
        return a->date < b->date ? -1 : 1;
    if (a->code != b->code)
        return a->code < b->code ? -1 : 1;
    return (int)b->from_store - (int)a->from_store;
}

/*
 * A claim often repeats in `history` services the store already holds
 * (the sender copies what it knows). Counted twice, they would deny a
 * service a frequency limit still allows; so each of the claim's entries
 * is paired with a store service of the same code and date, and a paired
 * entry is dropped (the store's copy has the status, amounts and
 * diagnoses). Entries beyond the store's services of that code and date
 * stay. `v` is sorted by cmp_prior.
 */
static size_t drop_repeats(mn_prior *v, size_t n)
{
    size_t out = 0;

    for (size_t i = 0; i < n;) {
        size_t j = i;
        size_t stored = 0;
        while (j < n && v[j].date == v[i].date && v[j].code == v[i].code) {
            stored += v[j].from_store;
            j++;
        }
        for (size_t k = i; k < j; k++) {
            if (!v[k].from_store && stored) {
                stored--;
                continue;
            }
            v[out++] = v[k];
        }
        i = j;
    }
    return out;
}

static int collect_prior(prior_acc *a, const mn_claim *claim,
                         const mn_check_options *opts, mn_error *err)
{
    int rc = MN_OK;

    for (size_t i = 0; i < claim->n_hist; i++) {
        mn_prior p;
        memset(&p, 0, sizeof(p));
        p.code = claim->hist[i].code;
        p.date = claim->hist[i].date;
        p.units = claim->hist[i].units;
        p.status = -1;
        p.n_modifiers = claim->hist[i].n_modifiers;
        memcpy(p.modifiers, claim->hist[i].modifiers, sizeof(p.modifiers));
        p.charge = claim->hist[i].charge;
        p.allowed = claim->hist[i].allowed;
        if (claim->hist[i].n_dx <= MN_PRIOR_DX) {
            p.n_dx = claim->hist[i].n_dx;
            memcpy(p.dx, claim->hist[i].dx, p.n_dx * sizeof(p.dx[0]));
        }
        if ((rc = prior_push(a, &p)))
            return mn_x__err(err, rc, "out of memory");
    }
    if (opts && opts->history && opts->history->lookup && claim->patient_id &&
        claim->patient_id[0]) {
        a->skip_key = claim->id;
        a->skip_len = claim->id ? strlen(claim->id) : 0;
        a->amounts = opts->history->version >= 2;
        rc = opts->history->lookup(opts->history->self, claim->patient_id,
                                   strlen(claim->patient_id), MN_HISTORY_FIRST,
                                   MN_HISTORY_LAST, prior_from_store, a, err);
        if (rc)
            return a->nomem ? mn_x__err(err, MN_ENOMEM, "out of memory") : rc;
    }
    if (a->n > 1) {
        qsort(a->v, a->n, sizeof(*a->v), cmp_prior);
        if (claim->n_hist && a->n > claim->n_hist)
            a->n = drop_repeats(a->v, a->n);
    }
    return MN_OK;
}

int mn_check(const mn_result **out, mn_ctx *ctx, const mn_kb *kb,
             const mn_claim *claim, mn_error *err)
{
    return mn_check_with(out, ctx, kb, claim, NULL, err);
}

int mn_check_with(const mn_result **out, mn_ctx *ctx, const mn_kb *kb,
                  const mn_claim *claim, const mn_check_options *opts,
                  mn_error *err)
{
    mn_result *res;
    uint64_t states = 0;
    bool jur_given;
    prior_acc prior;
    int rc;

    if (!out || !ctx || !kb || !claim)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    *out = NULL;
    mn_ctx_reset(ctx);
    res = &ctx->res;
    res->claim = claim;
    res->id = claim->id;
    res->status = MN_STATUS_COVERED;
    res->n_lines = claim->n_lines;
    res->lines =
        mn_x__arena_alloc(ctx->arena, (claim->n_lines ? claim->n_lines : 1) *
                                          sizeof(mn_line_result));
    if (!res->lines)
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    memset(res->lines, 0, claim->n_lines * sizeof(mn_line_result));
    jur_given = claim->jurisdiction && claim->jurisdiction[0];
    states = claim->jur_states;
    memset(&prior, 0, sizeof(prior));
    prior.ctx = ctx;
    if ((rc = collect_prior(&prior, claim, opts, err)))
        return rc;

    for (size_t li = 0; li < claim->n_lines; li++) {
        mn_lstate s;
        const mn_claim_line *ln = &claim->lines[li];
        mn_line_result *lr = &res->lines[li];

        s.ctx = ctx;
        s.kb = kb;
        s.claim = claim;
        s.line = ln;
        s.lr = lr;
        s.nomem = false;
        s.med_nec_denial = false;
        s.prior = prior.v;
        s.n_prior = prior.n;
        s.date = ln->date != MN_NODATE ? ln->date : claim->date;
        s.line_index = li;
        if (ctx->year_kb != kb || s.date != ctx->year_date) {
            /* the code-set years follow the date; most lines share one */
            ctx->icd_year = mn_x__kb_icd_year(kb, s.date);
            ctx->mce_ver = mn_x__kb_mce_version(kb, s.date);
            ctx->year_date = s.date;
            ctx->year_kb = kb;
        }
        s.icd_year = ctx->icd_year;
        s.mce_ver = ctx->mce_ver;
        s.n_dx = 0;
        if (ln->n_pointers) {
            for (unsigned p = 0; p < ln->n_pointers; p++) {
                unsigned ix = ln->pointers[p];
                if (ix >= 1 && ix <= claim->n_dx)
                    s.dx[s.n_dx++] = &claim->dx[ix - 1];
            }
        } else {
            for (size_t d = 0;
                 d < claim->n_dx && s.n_dx < sizeof(s.dx) / sizeof(s.dx[0]);
                 d++)
                s.dx[s.n_dx++] = &claim->dx[d];
        }
        lr->line = li + 1;
        memcpy(lr->code, ln->code_text, sizeof(lr->code));
        lr->status = MN_STATUS_COVERED;

        check_code(&s);
        check_dx(&s);
        check_policies(&s, states, jur_given);
        mn_x__check_rules(&s);
        mn_x__check_ncci(&s);
        mn_x__check_site(&s); /* last: decides the ABN and modifiers */
        if (s.nomem)
            return mn_x__err(err, MN_ENOMEM, "out of memory");
        if (lr->status < res->status)
            res->status = lr->status;
    }
    *out = res;
    return MN_OK;
}

mn_status mn_result_status(const mn_result *res)
{
    return res ? res->status : MN_STATUS_INVALID;
}

size_t mn_result_line_count(const mn_result *res)
{
    return res ? res->n_lines : 0;
}

mn_status mn_result_line_status(const mn_result *res, size_t line)
{
    return res && line < res->n_lines ? res->lines[line].status
                                      : MN_STATUS_INVALID;
}

size_t mn_result_finding_count(const mn_result *res, size_t line)
{
    return res && line < res->n_lines ? res->lines[line].n_findings : 0;
}

const char *mn_result_finding_edit(const mn_result *res, size_t line,
                                   size_t finding)
{
    if (!res || line >= res->n_lines || finding >= res->lines[line].n_findings)
        return NULL;
    return res->lines[line].findings[finding].edit;
}
