/*
 * kb/mcd_view.c: validates the MCD sections of a knowledge base at open
 * (places, contractor places, policy attachments: kb/mcd_fmt.h) and
 * answers the lookups the check and `lookup` make in them.
 */
#include <string.h>

#include "kb/mcd_fmt.h"

static int bad(mn_error *err, const char *what)
{
    return mn_x__err(err, MN_EBADKB, "corrupt knowledge base: %s", what);
}

/* The records of a section (NULL with *n 0 when absent); false when the
 * record size or length is wrong. */
static bool section(const mn_kb *kb, uint32_t id, size_t elem, const void **p,
                    size_t *n)
{
    size_t len = 0;
    uint32_t es = 0;

    *p = mn_x__kb_ext_section(kb, id, &len, &es);
    *n = 0;
    if (!*p)
        return true;
    if (es != elem || len % elem)
        return false;
    *n = len / elem;
    if (!*n)
        *p = NULL;
    return true;
}

static bool part_ok(unsigned part)
{
    return part <= KB_PARTS || part == KB_PART_OTHER;
}

/* Byte order of two pooled strings (shorter first on a common prefix). */
static int cmp_str(const mn_kb *kb, kb_str a, const char *b, size_t blen)
{
    size_t n = a.len < blen ? a.len : blen;
    int c = n ? memcmp(kb_s(kb, a), b, n) : 0;

    if (c)
        return c;
    return (a.len > blen) - (a.len < blen);
}

static int cmp_place(const kb_place *a, const kb_place *b)
{
#define CMP(x, y)                                                              \
    if ((x) != (y))                                                            \
    return (x) < (y) ? -1 : 1
    CMP(a->policy, b->policy);
    CMP(a->state, b->state);
    CMP(a->part, b->part);
    CMP(a->active, b->active);
    CMP(a->term, b->term);
    CMP(a->flags, b->flags);
    return 0;
}

static const char *check_places(const mn_kb *kb, const mn_mcd_view *v)
{
    for (size_t i = 0; i < v->n_place; i++) {
        const kb_place *p = &v->place[i];
        if (p->policy >= kb->n_pol ||
            (kb->pol[p->policy].kind != MN_PK_LCD &&
             kb->pol[p->policy].kind != MN_PK_ARTICLE))
            return "place of no local policy";
        if (p->state >= KB_STATES || !part_ok(p->part) ||
            (p->flags & ~(unsigned)KB_PL_ALL_) || !p->flags)
            return "place";
        if (i && cmp_place(&v->place[i - 1], p) >= 0)
            return "place order";
    }
    return NULL;
}

static const char *check_cplaces(const mn_kb *kb, const mn_mcd_view *v)
{
    for (size_t i = 0; i < v->n_cplace; i++) {
        const kb_cplace *c = &v->cplace[i];
        if (!mn_x__kb_str_ok(kb, c->number) || !c->number.len ||
            c->state >= KB_STATES || !part_ok(c->part) || c->type > KB_CT_HHH ||
            (c->flags & ~(unsigned)(KB_PL_EXPORT | KB_PL_DME)) || !c->flags)
            return "contractor place";
        if (i) {
            const kb_cplace *p = &v->cplace[i - 1];
            int o = cmp_str(kb, p->number, kb_s(kb, c->number), c->number.len);
            if (o > 0 ||
                (o == 0 && (p->state > c->state ||
                            (p->state == c->state &&
                             (p->part > c->part ||
                              (p->part == c->part && p->active > c->active))))))
                return "contractor place order";
        }
    }
    return NULL;
}

static const char *check_attach(const mn_kb *kb, const mn_mcd_view *v)
{
    for (size_t i = 0; i < v->n_attach; i++) {
        const kb_pattach *a = &v->attach[i];
        if (a->policy >= kb->n_pol || a->kind < KB_PA_PAGE ||
            a->kind >= KB_PA_COUNT_ || !mn_x__kb_str_ok(kb, a->a) ||
            !a->a.len || !mn_x__kb_str_ok(kb, a->b))
            return "policy attachment";
        if (i && (v->attach[i - 1].policy > a->policy ||
                  (v->attach[i - 1].policy == a->policy &&
                   v->attach[i - 1].kind > a->kind)))
            return "policy attachment order";
    }
    return NULL;
}

int mn_x__mcd_open(mn_kb *kb, mn_error *err)
{
    mn_mcd_view v;
    mn_mcd_view *out = NULL;
    const void *p;
    const char *why = NULL;

    memset(&v, 0, sizeof(v));
    kb->ext_view[MN_MCD_VIEW] = NULL;
    if (!section(kb, KB_SEC_PLACE, sizeof(kb_place), &p, &v.n_place))
        return bad(err, "place section size");
    v.place = p;
    if (!section(kb, KB_SEC_CPLACE, sizeof(kb_cplace), &p, &v.n_cplace))
        return bad(err, "contractor place section size");
    v.cplace = p;
    if (!section(kb, KB_SEC_PATTACH, sizeof(kb_pattach), &p, &v.n_attach))
        return bad(err, "policy attachment section size");
    v.attach = p;
    if (!v.n_place && !v.n_cplace && !v.n_attach)
        return MN_OK;
    why = check_places(kb, &v);
    if (!why)
        why = check_cplaces(kb, &v);
    if (!why)
        why = check_attach(kb, &v);
    if (why)
        return bad(err, why);
    /* where each policy's places start: one pass over the sorted places */
    v.place_first = mn_x__malloc((kb->n_pol + 1) * sizeof(uint32_t));
    out = mn_x__malloc(sizeof(*out));
    if (!v.place_first || !out) {
        mn_x__free(v.place_first);
        mn_x__free(out);
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    }
    for (size_t i = 0, k = 0; i <= kb->n_pol; i++) {
        v.place_first[i] = (uint32_t)k;
        while (k < v.n_place && v.place[k].policy == i)
            k++;
    }
    *out = v;
    kb->ext_view[MN_MCD_VIEW] = out;
    return MN_OK;
}

void mn_x__mcd_close(mn_kb *kb)
{
    mn_mcd_view *v;

    if (!kb)
        return;
    v = kb->ext_view[MN_MCD_VIEW];
    if (v)
        mn_x__free(v->place_first);
    mn_x__free(v);
    kb->ext_view[MN_MCD_VIEW] = NULL;
}

static const mn_mcd_view *view(const mn_kb *kb)
{
    return kb ? (const mn_mcd_view *)kb->ext_view[MN_MCD_VIEW] : NULL;
}

const kb_place *mn_x__kb_places(const mn_kb *kb, uint32_t policy, size_t *n)
{
    const mn_mcd_view *v = view(kb);

    *n = 0;
    if (!v || !v->n_place || policy >= kb->n_pol)
        return NULL;
    *n = v->place_first[policy + 1] - v->place_first[policy];
    return *n ? &v->place[v->place_first[policy]] : NULL;
}

const kb_cplace *mn_x__kb_cplaces(const mn_kb *kb, const char *number,
                                  size_t len, size_t *n)
{
    const mn_mcd_view *v = view(kb);
    size_t lo = 0;
    size_t hi;
    size_t end;

    *n = 0;
    if (!v || !v->n_cplace || !number || !len)
        return NULL;
    hi = v->n_cplace;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_str(kb, v->cplace[mid].number, number, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    end = lo;
    while (end < v->n_cplace &&
           cmp_str(kb, v->cplace[end].number, number, len) == 0)
        end++;
    *n = end - lo;
    return *n ? &v->cplace[lo] : NULL;
}

const kb_pattach *mn_x__kb_attach(const mn_kb *kb, uint32_t policy,
                                  unsigned kind, size_t *n)
{
    const mn_mcd_view *v = view(kb);
    size_t lo = 0;
    size_t hi;
    size_t end;

    *n = 0;
    if (!v || !v->n_attach)
        return NULL;
    hi = v->n_attach;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const kb_pattach *a = &v->attach[mid];
        if (a->policy < policy || (a->policy == policy && a->kind < kind))
            lo = mid + 1;
        else
            hi = mid;
    }
    end = lo;
    while (end < v->n_attach && v->attach[end].policy == policy &&
           v->attach[end].kind == kind)
        end++;
    *n = end - lo;
    return *n ? &v->attach[lo] : NULL;
}
