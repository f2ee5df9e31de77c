/*
 * check/policy.c: the coverage policies that govern the line's code: NCDs
 * (lab NCD lists included), LCDs and their billing-and-coding articles,
 * chosen by date and jurisdiction; their covered, non-covered and
 * dual-diagnosis lists judged against the pointed diagnoses; supporting
 * diagnoses for a denial; statutory policies.
 */
#include <stdio.h>
#include <string.h>

#include "check/check.h"
#include "kb/kb_int.h"
#include "kb/mcd_fmt.h"

#define PRINTF mn_x__lprintf

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

/* Index of the newest version of policy (kind, id) in force on `date`,
 * or -1 (policies are sorted by kind, id, then version newest first). */
static long in_force(const mn_kb *kb, uint32_t kind, const char *id, size_t len,
                     int32_t date)
{
    size_t lo = 0;
    size_t hi = kb->n_pol;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const kb_policy *p = &kb->pol[mid];
        size_t n = p->id.len < len ? p->id.len : len;
        int c = p->kind != kind ? (p->kind < kind ? -1 : 1)
                                : memcmp(kb_s(kb, p->id), id, n);
        if (!c && p->kind == kind)
            c = (p->id.len > len) - (p->id.len < len);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < kb->n_pol; i++) {
        const kb_policy *p = &kb->pol[i];
        if (p->kind != kind || p->id.len != len ||
            memcmp(kb_s(kb, p->id), id, len) != 0)
            break;
        if ((p->effective == MN_NODATE || p->effective <= date) &&
            (p->ending == MN_NODATE || date <= p->ending))
            return (long)i;
    }
    return -1;
}

/* The related LCD of an article on `date`: the first of its LCDs in force
 * then (an LCD retired before the date is not cited), else the one the
 * KB names. */
static const char *related_on(const mn_kb *kb, const kb_policy *p, int32_t date)
{
    size_t n = 0;
    const kb_pattach *a;

    /* an article related to one LCD cites it */
    if (p->kind != MN_PK_ARTICLE || !(p->flags & MN_PF_MANY_LCDS))
        return p->related.len ? kb_s(kb, p->related) : NULL;
    a = mn_x__kb_attach(kb, (uint32_t)(p - kb->pol), KB_PA_LCD, &n);
    if (n < 2)
        return kb_s(kb, p->related); /* the one it names */

    for (size_t i = 0; i < n && date != MN_NODATE; i++) {
        if (in_force(kb, MN_PK_LCD, kb_s(kb, a[i].a), a[i].a.len, date) >= 0)
            return kb_s(kb, a[i].a);
    }
    return p->related.len ? kb_s(kb, p->related) : NULL;
}

/* Cites policy `p`; a medical-necessity denial gets the RARC of its kind
 * (N386 for an NCD, N115 for a local policy). */
static void cite(mn_lstate *s, mn_finding *f, const kb_policy *p, int group)
{
    const mn_kb *kb = s->kb;
    size_t n = 0;
    /* the page of an NCD comes from the KB; articles' and LCDs' pages are
       built from their id and version (result.c) */
    const kb_pattach *page =
        p->kind == MN_PK_NCD
            ? mn_x__kb_attach(kb, (uint32_t)(p - kb->pol), KB_PA_PAGE, &n)
            : NULL;

    f->policy_kind = kind_name(p->kind);
    f->policy_id = kb_s(kb, p->id);
    f->policy_version = p->version;
    f->group = group;
    f->policy_title = p->title.len ? kb_s(kb, p->title) : NULL;
    f->related = related_on(kb, p, s->date);
    f->page = n ? kb_s(kb, page->a) : NULL;
    if (f->edit->edit_class == MN_EDIT_MEDICAL_NECESSITY)
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
            /* last, as the dearest test: billable, age and sex */
            if (!mn_x__dx_suggestible(s, keys[i]))
                continue;
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
        if (!mn_x__dx_suggestible(s, k))
            continue;
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
static const mn_cdx *find_pair(mn_lstate *s, const kb_policy *p, size_t skip,
                               pair_test test, uint32_t mask, int g, int *group)
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

/* Where a pointed diagnosis is on a non-covered list: the policy's own or
 * the list of every lab NCD; src NULL when it is on neither. */
typedef struct noncov {
    const kb_policy *src;
    size_t k;
} noncov;

static size_t find_noncovered(mn_lstate *s, const kb_policy *p,
                              const kb_policy *all, noncov *out)
{
    size_t n = 0;

    for (size_t i = 0; i < s->n_dx; i++) {
        out[i].src = NULL;
        out[i].k = find_dx(s->kb, p, MN_DL_NONCOVERED, s->dx[i]->key);
        if (out[i].k != SIZE_MAX)
            out[i].src = p;
        else if (all && (out[i].k = find_dx(s->kb, all, MN_DL_NONCOVERED,
                                            s->dx[i]->key)) != SIZE_MAX)
            out[i].src = all;
        n += out[i].src != NULL;
    }
    return n;
}

/* One policy.dx_noncovered per pointed diagnosis on a non-covered list;
 * called only when no pointed diagnosis is covered. */
static void deny_noncovered(mn_lstate *s, const kb_policy *p,
                            const kb_policy *all, const noncov *nc)
{
    for (size_t i = 0; i < s->n_dx; i++) {
        mn_finding *f;
        if (!nc[i].src)
            continue;
        f = mn_x__finding_add(
            s, MN_E_POLICY_DX_NONCOVERED,
            nc[i].src == all ? "The diagnosis is on the list of diagnoses "
                               "that are never covered for any lab NCD "
                               "test, and no diagnosis on the line is "
                               "covered."
                             : "The diagnosis is on the policy's list of "
                               "non-covered diagnoses, and no diagnosis on "
                               "the line is covered.");
        if (!f)
            return;
        cite(s, f, p, (int)KB_DX_GROUP(s->kb->dxmeta[nc[i].k]));
        if (nc[i].src == all)
            f->source = "Non-covered ICD-10-CM codes for all lab NCDs";
        f->dx = s->dx[i]->text;
        f->fix = "Check whether another documented diagnosis supports "
                 "the service; otherwise give the patient an ABN.";
        suggest(s, f, p);
    }
}

/*
 * Judges the line's pointed diagnoses against one policy. A covered
 * pointed diagnosis wins (contract.md, policy.dx_noncovered;
 * medicare-facts.md 2.1): the line is denied only when every pointed
 * diagnosis is non-covered or unsupported.
 */
static void eval_policy(mn_lstate *s, const kb_policy *p)
{
    const mn_kb *kb = s->kb;
    const kb_policy *all = NULL;
    mn_finding *f;
    noncov nc[sizeof(s->dx) / sizeof(s->dx[0])];
    size_t n_noncov;

    if ((p->flags & MN_PF_LAB) && kb->all_lab >= 0)
        all = &kb->pol[kb->all_lab];
    n_noncov = find_noncovered(s, p, all, nc);

    if ((p->flags & MN_PF_INVERTED) || (!p->n_covered && p->n_notsup)) {
        /* covered unless every diagnosis is on the does-not-support list
           (or a non-covered one) */
        size_t unsupported = 0;
        for (size_t i = 0; i < s->n_dx; i++) {
            if (nc[i].src ||
                find_dx(kb, p, MN_DL_NOT_SUPPORTED, s->dx[i]->key) != SIZE_MAX)
                unsupported++;
        }
        if (s->n_dx && unsupported == s->n_dx) {
            if (n_noncov) {
                deny_noncovered(s, p, all, nc);
                return;
            }
            f = mn_x__finding_add(
                s, MN_E_POLICY_DX_NOT_SUPPORTED,
                (p->flags & MN_PF_INVERTED)
                    ? "Every diagnosis on the line is on this NCD's list of "
                      "diagnoses that do not support the test."
                    : "Every diagnosis on the line is on the policy's list "
                      "of diagnoses that do not support the service.");
            if (f) {
                cite(s, f, p, 0);
                f->dx = s->dx[0]->text;
                f->fix = "Report the documented condition that led to the "
                         "order; otherwise give the patient an ABN.";
            }
            return;
        }
        if (p->flags & MN_PF_INVERTED) {
            f = mn_x__finding_add(
                s, MN_E_POLICY_DX_SUPPORTED,
                "This NCD lists the diagnoses that do not support the "
                "test; a diagnosis on the line is not among them.");
            if (f)
                cite(s, f, p, 0);
            return;
        }
    }

    if (!p->n_covered) {
        /* no covered list: a diagnosis the policy does not list as
           non-covered is no reason to deny */
        if (s->n_dx && n_noncov == s->n_dx) {
            deny_noncovered(s, p, all, nc);
            return;
        }
        f = mn_x__finding_add(
            s, MN_E_POLICY_NO_DX_LIST,
            (p->flags & MN_PF_LAB)
                ? "This NCD governs the code, but its covered-diagnosis "
                  "list is not in the knowledge base; the diagnoses "
                  "were not checked against it."
                : "This policy governs the code and lists no "
                  "diagnosis requirement in the knowledge base.");
        if (f) {
            cite(s, f, p, 0);
            if (p->note.len)
                f->source = kb_s(kb, p->note);
        }
        return;
    }

    /* covered groups, with dual-diagnosis groups */
    const mn_cdx *need_dx = NULL;
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
            const mn_cdx *other = NULL;
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
            f = mn_x__finding_add(
                s, MN_E_POLICY_DX_SUPPORTED,
                other ? PRINTF(s,
                               "%s (group %d) with %s (group %d) is "
                               "on the policy's covered list.",
                               s->dx[i]->text, g, other->text, og)
                      : "A diagnosis on the line is on the policy's "
                        "covered list.");
            if (f) {
                cite(s, f, p, g);
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
        f = mn_x__finding_add(
            s, MN_E_POLICY_SECONDARY_DX_MISSING,
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
            cite(s, f, p, need_group);
            f->dx = need_dx->text;
            f->fix = "Add the documented secondary diagnosis the policy "
                     "requires and point the line to it.";
        }
        return;
    }
    if (n_noncov) {
        deny_noncovered(s, p, all, nc);
        return;
    }
    f = mn_x__finding_add(
        s, MN_E_POLICY_DX_NOT_SUPPORTED,
        s->n_dx ? "None of the line's diagnoses is on the policy's "
                  "covered list."
                : "The line has no diagnosis; the policy requires one "
                  "from its covered list.");
    if (f) {
        cite(s, f, p, 0);
        f->dx = s->n_dx ? s->dx[0]->text : NULL;
        f->fix = "Report a documented diagnosis from the covered list "
                 "(see supporting_diagnoses); otherwise give the patient an "
                 "ABN.";
        suggest(s, f, p);
    }
}

/*
 * Some local policies define a statutory exclusion: routine foot care
 * (SSA 1862(a)(13)) and cosmetic surgery (1862(a)(10)) are excluded
 * unless the policy's conditions are met. The diagnosis denials such a
 * policy gave (findings from `first` on) become statutory.excluded: the
 * line is excluded, GY applies, no ABN is needed.
 */
static bool dx_denial(const mn_finding *f)
{
    mn_edit_id id = mn_x__edit_id(f->edit);
    return f->severity == MN_SEVERITY_DENY &&
           (id == MN_E_POLICY_DX_NOT_SUPPORTED ||
            id == MN_E_POLICY_DX_NONCOVERED ||
            id == MN_E_POLICY_SECONDARY_DX_MISSING);
}

static void statutory_policy(mn_lstate *s, const kb_policy *p, size_t first)
{
    const kb_rule *r = mn_x__kb_statutory_rule(s->kb, p, s->date);
    mn_line_result *lr = s->lr;

    if (!r)
        return;
    if (mn_x__line_has(lr, first, MN_E_STATUTORY_EXCLUDED)) {
        /* excluded already (HCPCS coverage code S): one exclusion per
           line; the policy's findings stay, but they are no
           medical-necessity denial any more */
        for (size_t i = first; i < lr->n_findings; i++)
            lr->findings[i].med_nec = false;
        return;
    }
    for (size_t i = first; i < lr->n_findings; i++) {
        mn_finding *f = &lr->findings[i];
        if (!dx_denial(f))
            continue;
        f->message = PRINTF(s,
                            "%s Without a diagnosis the policy covers, the "
                            "service is %s, excluded by statute.",
                            f->message, kb_s(s->kb, r->reason));
        mn_x__finding_reclass(s, f, MN_E_STATUTORY_EXCLUDED);
        f->source = kb_s(s->kb, r->source);
        f->fix = "If the record shows a condition the policy covers, report "
                 "it; otherwise Medicare never pays: bill with modifier GY "
                 "and the patient may be billed (no ABN is required).";
    }
}

/* The findings a policy that only perhaps applies gave (from `first` on):
 * its coverage stays; a denial or review becomes one review that names
 * the policy and says why its place is uncertain, never a denial. */
static void uncertain_policy(mn_lstate *s, const kb_policy *p, size_t first,
                             mn_status before, mn_place_why why)
{
    mn_line_result *lr = s->lr;
    const mn_finding *worst = NULL;
    mn_finding keep;
    mn_finding *f;
    const char *where;

    for (size_t i = first; i < lr->n_findings; i++) {
        if (lr->findings[i].severity != MN_SEVERITY_INFO) {
            worst = &lr->findings[i];
            break;
        }
    }
    if (!worst)
        return;
    keep = *worst;
    lr->n_findings = first;
    lr->status = before;
    where = why == MN_PLACE_UNKNOWN
                ? "the knowledge base does not know where it applies (the "
                  "export gives no contractor jurisdiction for it and the "
                  "documents index does not place it)"
            : why == MN_PLACE_SEVERAL
                ? "its contractor company holds several jurisdictions and "
                  "the knowledge base does not know which of them the "
                  "policy is for"
                : "it applies in only part of the claim's jurisdiction";
    f = mn_x__finding_add(
        s, MN_E_POLICY_JURISDICTION_UNCERTAIN,
        PRINTF(s,
               "This local policy would not cover the line (%s: %s), but it "
               "may not apply in the claim's jurisdiction: %s.",
               keep.edit->id, keep.message ? keep.message : "", where));
    if (!f)
        return;
    cite(s, f, p, keep.group);
    f->dx = keep.dx;
    memcpy(f->supporting, keep.supporting, sizeof(f->supporting));
    f->n_supporting = keep.n_supporting;
    f->fix = why == MN_PLACE_PART
                 ? "Give the claim's part of the state (CA-NORTHERN...) or "
                   "the contractor number, or check with the MAC whether "
                   "the policy applies."
                 : "Check with the MAC whether the policy applies in the "
                   "claim's jurisdiction; if it does, it does not cover "
                   "the line as billed.";
}

void mn_x__check_policies(mn_lstate *s)
{
    const mn_kb *kb = s->kb;
    bool jur_given = s->claim->jurisdiction && s->claim->jurisdiction[0];
    size_t n;
    const kb_pcode *pc = mn_x__kb_pcodes(kb, s->line->code, &n);
    size_t evaluated = 0;
    const kb_policy *local_unjudged = NULL;
    uint32_t last = UINT32_MAX;
    const kb_pcode *chosen = NULL;
    mn_area area;
    int have_area = 0; /* 0: not worked out yet, 1: known, -1: none */
    uint64_t area_states = 0;
    /* the KB's LCDs and articles start after the date: local policies of
       the date may be missing (a policy stays in force until revised, so
       a later date is judged by the versions the KB has) */
    bool mcd_outside = mn_x__kb_covers(kb, MN_SOURCE_MCD, s->date) == 0;

    /* on a date no ICD-10-CM version of the KB covers, a diagnosis no
       loaded version knows (a code added since) cannot be on the lists of
       the KB's policies either: they do not judge the line (check/dx.c
       names what is missing) */
    if (s->icd_year == MN_KB_OUTSIDE) {
        for (size_t i = 0; i < s->n_dx; i++) {
            if (!s->dx[i]->not_icd && !mn_x__kb_icd(kb, s->dx[i]->key))
                return;
        }
    }
    if (mcd_outside)
        mn_x__data_missing(s, MN_SOURCE_MCD, false);
    for (size_t i = 0; i < n; i++) {
        const kb_pcode *c = &pc[i];
        const kb_policy *p;
        mn_place_why why = MN_PLACE_UNKNOWN;
        mn_area_match m = MN_AREA_DEFINITE;
        if (c->policy == last)
            continue;
        last = c->policy;
        if (mcd_outside && c->kind != MN_PK_NCD)
            continue;
        /* versions of one policy are adjacent, newest first */
        if (chosen && chosen->kind == c->kind && chosen->id_off == c->id_off)
            continue;
        if (!((c->effective == MN_NODATE || c->effective <= s->date) &&
              (c->ending == MN_NODATE || s->date <= c->ending)))
            continue;
        chosen = c;
        if (c->kind != MN_PK_NCD && !c->states) {
            /* no places: unknown (it may apply anywhere, whatever the
               claim's jurisdiction), or none on any date */
            if (!(kb->pol[c->policy].flags & MN_PF_PLACE_UNKNOWN))
                continue;
            m = MN_AREA_POSSIBLE;
        } else if (c->kind != MN_PK_NCD) {
            if (!have_area) {
                have_area =
                    mn_x__place_claim_area(kb, s->claim->jurisdiction,
                                           &s->claim->jur_area, s->date, &area)
                        ? 1
                        : -1;
                area_states = mn_x__area_states(&area);
            }
            if (have_area < 0) {
                local_unjudged = &kb->pol[c->policy];
                continue;
            }
            /* most local policies are elsewhere: their states say so */
            if (!(c->states & area_states))
                continue;
            if ((kb->pol[c->policy].flags & MN_PF_PLACES_SIMPLE) &&
                !area.parts && !area.partial) {
                /* whole states in force whenever the policy is */
                m = area.whole & ~c->states ? MN_AREA_POSSIBLE
                                            : MN_AREA_DEFINITE;
                why = MN_PLACE_PART;
            } else {
                m = mn_x__place_match(kb, c->policy, &area, s->date, &why);
            }
            if (m == MN_AREA_NONE)
                continue;
        }
        p = &kb->pol[c->policy];
        {
            size_t first = s->lr->n_findings;
            mn_status before = s->lr->status;
            eval_policy(s, p);
            statutory_policy(s, p, first);
            if (m == MN_AREA_POSSIBLE && !s->nomem)
                uncertain_policy(s, p, first, before, why);
        }
        evaluated++;
        if (s->nomem)
            return;
    }
    if (local_unjudged) {
        mn_finding *f = mn_x__finding_add(
            s, MN_E_POLICY_JURISDICTION_REQUIRED,
            jur_given ? "The claim's jurisdiction is not recognised, and a "
                        "local policy governs this code in some "
                        "jurisdictions."
                      : "A local policy governs this code in some "
                        "jurisdictions; give the claim's jurisdiction (MAC, "
                        "state, part of a state or contractor number) to "
                        "apply it.");
        if (f) {
            cite(s, f, local_unjudged, 0);
            f->fix = "Add \"jurisdiction\" to the claim.";
        }
    } else if (!evaluated && !mcd_outside) {
        mn_finding *f =
            mn_x__finding_add(s, MN_E_POLICY_NONE,
                              "No NCD or local policy in the knowledge base "
                              "governs this code on this date; it is judged "
                              "on its own.");
        (void)f;
    }
}
