/*
 * kb/srules_view.c: validates the service-rule sections of a knowledge
 * base at open and builds their view (kb/srules_fmt.h).
 */
#include <stdlib.h>
#include <string.h>

#include "kb/kb_int.h"
#include "kb/srules_fmt.h"

/* The index order: code, then rule (srules_write.c sorts by it). */
static int cmp_index(const void *x, const void *y)
{
    const kb_srindex *a = x;
    const kb_srindex *b = y;
    if (a->code != b->code)
        return a->code < b->code ? -1 : 1;
    return (a->rule > b->rule) - (a->rule < b->rule);
}

static int bad(mn_error *err, const char *what)
{
    return mn_x__err(err, MN_EBADKB,
                     "corrupt knowledge base: service rules: %s", what);
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

static bool freq_unit_ok(unsigned u)
{
    return u < MN_FREQ_UNIT_COUNT_;
}

static bool spacing_unit_ok(unsigned u)
{
    return u == MN_FREQ_NONE || u == MN_FREQ_DAYS || u == MN_FREQ_MONTHS ||
           u == MN_FREQ_FULL_MONTHS;
}

static bool age_ok(uint16_t lo, uint16_t hi)
{
    return lo == SR_AGE_NONE || hi == SR_AGE_NONE || lo <= hi;
}

static bool mods_ok(const char (*m)[2], unsigned n)
{
    if (n > SR_MAX_MODS)
        return false;
    for (unsigned i = 0; i < n; i++) {
        for (int j = 0; j < 2; j++) {
            char c = m[i][j];
            if (!mn_x__isdigit(c) && !(c >= 'A' && c <= 'Z'))
                return false;
        }
    }
    return true;
}

static const char *check_rule(const mn_kb *kb, const mn_srules_view *v,
                              const kb_srule *r)
{
    if (!r->id.len || !r->source.len || !mn_x__kb_str_ok(kb, r->id) ||
        !mn_x__kb_str_ok(kb, r->pack) || !mn_x__kb_str_ok(kb, r->source) ||
        !mn_x__kb_str_ok(kb, r->exclude) || !mn_x__kb_str_ok(kb, r->doc) ||
        !mn_x__kb_str_ok(kb, r->more_often))
        return "string reference";
    if (r->effective == MN_NODATE ||
        (r->ending != MN_NODATE && r->ending < r->effective))
        return "effective dates";
    if (r->flags & ~(uint32_t)SR_F_ALL_)
        return "flags";
    if (r->sex != 0 && r->sex != 'F' && r->sex != 'M')
        return "sex";
    if (r->req_kind >= SR_REQ_COUNT_ || (r->req_kind && !r->doc.len))
        return "requirement";
    if (!freq_unit_ok(r->freq_unit) || !spacing_unit_ok(r->spacing_unit) ||
        (r->freq_n != 0) != (r->freq_unit != MN_FREQ_NONE) ||
        r->freq_n > MN_FREQ_MAX_N || r->freq_period > MN_FREQ_MAX_DAYS ||
        r->spacing > MN_FREQ_MAX_DAYS)
        return "frequency";
    if (!age_ok(r->age_lo, r->age_hi) ||
        !age_ok(r->when_age_lo, r->when_age_hi))
        return "age range";
    if (!mods_ok(r->when_mod, r->n_when_mod) ||
        !mods_ok(r->unless_mod, r->n_unless_mod))
        return "modifiers";
    if ((uint64_t)r->dx_first + r->n_when_dx + r->n_unless_dx > v->n_dx)
        return "diagnosis range";
    if ((uint64_t)r->fam_first + r->n_fam > v->n_fam)
        return "family range";
    for (uint32_t i = 1; i < r->n_fam; i++) {
        if (v->fam[r->fam_first + i] <= v->fam[r->fam_first + i - 1])
            return "family order";
    }
    if (memchr(r->carc, 0, sizeof(r->carc)) == NULL ||
        memchr(r->rarc, 0, sizeof(r->rarc)) == NULL)
        return "CARC or RARC";
    if (r->kx_cents > SR_MAX_THRESHOLD || r->review_cents > SR_MAX_THRESHOLD)
        return "threshold";
    return NULL;
}

int mn_x__srules_open(mn_kb *kb, mn_error *err)
{
    mn_srules_view v;
    mn_srules_view *out = NULL;
    const void *p;
    const char *why = NULL;
    int rc = MN_OK;

    memset(&v, 0, sizeof(v));
    kb->ext_view[MN_SRULES_VIEW] = NULL;
    if (!section(kb, SR_SEC_RULE, sizeof(kb_srule), &p, &v.n_rule)) {
        rc = bad(err, "rule section size");
        goto done;
    }
    v.rule = p;
    if (!section(kb, SR_SEC_INDEX, sizeof(kb_srindex), &p, &v.n_idx)) {
        rc = bad(err, "index section size");
        goto done;
    }
    v.idx = p;
    if (!section(kb, SR_SEC_DX, sizeof(kb_srdx), &p, &v.n_dx)) {
        rc = bad(err, "diagnosis section size");
        goto done;
    }
    v.dx = p;
    if (!section(kb, SR_SEC_FAMILY, sizeof(uint64_t), &p, &v.n_fam)) {
        rc = bad(err, "family section size");
        goto done;
    }
    v.fam = p;
    if (!v.n_rule) {
        if (v.n_idx || v.n_dx || v.n_fam)
            rc = bad(err, "sections without rules");
        goto done; /* no service rules: no view, the check is a no-op */
    }
    for (size_t i = 0; i < v.n_rule && !why; i++)
        why = check_rule(kb, &v, &v.rule[i]);
    for (size_t i = 0; i < v.n_idx && !why; i++) {
        const kb_srindex *x = &v.idx[i];
        if (x->rule >= v.n_rule || x->pad)
            why = "index entry";
        else if (i && cmp_index(&v.idx[i - 1], x) >= 0)
            why = "index order";
        else if (!x->code && !(v.rule[x->rule].flags & SR_F_ANY_CODE))
            why = "index entry";
        else if (!x->code)
            v.n_any++;
    }
    v.any_need_mod = true;
    for (size_t i = 0; i < v.n_any && !why; i++)
        v.any_need_mod &= v.rule[v.idx[i].rule].n_when_mod != 0;
    if (why) {
        rc = bad(err, why);
        goto done;
    }
    out = mn_x__malloc(sizeof(*out));
    if (!out) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    *out = v;
    kb->ext_view[MN_SRULES_VIEW] = out;
done:
    return rc;
}

void mn_x__srules_close(mn_kb *kb)
{
    if (!kb)
        return;
    mn_x__free(kb->ext_view[MN_SRULES_VIEW]);
    kb->ext_view[MN_SRULES_VIEW] = NULL;
}
