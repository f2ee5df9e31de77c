/*
 * srules.c: service rules (frequency, age, sex, setting, exclusions) in
 * the knowledge base (sections SR_SEC_*, srules_int.h). This file holds
 * the builder state and writer, and the open-time validation and view;
 * the language is in rules.c and the line checks in check_rules.c.
 */
#include <stdlib.h>
#include <string.h>

#include "kb_int.h"
#include "kbb.h"
#include "map.h"
#include "srules_int.h"

/*
 * Builder state
 */

enum { T_ID, T_PACK, T_SOURCE, T_EXCLUDE, T_DOC, T_MORE, T_COUNT };

typedef struct sr_entry {
    kb_srule rec;
    char *text[T_COUNT];
    mn_key *codes; /* sorted, unique */
    size_t n_codes;
    mn_key *family; /* sorted, unique */
    size_t n_family;
    kb_srdx *dx; /* when-dx, then unless-dx */
    unsigned unit;
} sr_entry;

typedef struct sr_state {
    mn_vec entries; /* sr_entry */
    mn_map ids;     /* hash of a rule id -> entry index */
    unsigned unit;
} sr_state;

static void entry_free(sr_entry *e)
{
    for (int i = 0; i < T_COUNT; i++)
        mn_x__free(e->text[i]);
    mn_x__free(e->codes);
    mn_x__free(e->family);
    mn_x__free(e->dx);
}

static void state_free(void *p)
{
    sr_state *st = p;
    if (!st)
        return;
    for (size_t i = 0; i < MN_VEC_COUNT(&st->entries, sr_entry); i++)
        entry_free(&MN_VEC_AT(&st->entries, sr_entry, i));
    mn_x__vec_free(&st->entries);
    mn_x__map_free(&st->ids);
    mn_x__free(st);
}

static sr_state *get_state(mn_kbb *b)
{
    sr_state *st = mn_x__kbb_ext(b, MN_EXT_SRULES);
    if (!st) {
        st = mn_x__calloc(1, sizeof(*st));
        if (st)
            mn_x__kbb_ext_set(b, MN_EXT_SRULES, st, state_free);
    }
    return st;
}

int mn_x__srules_begin(mn_kbb *b, unsigned *unit)
{
    sr_state *st = get_state(b);
    if (!st)
        return MN_ENOMEM;
    *unit = ++st->unit;
    return MN_OK;
}

static int cmp_key(const void *x, const void *y)
{
    mn_key a = *(const mn_key *)x;
    mn_key b = *(const mn_key *)y;
    return (a > b) - (a < b);
}

/* A sorted, duplicate-free copy of `n` keys (*out NULL when n is 0). */
static int copy_keys(mn_key **out, size_t *n_out, const mn_key *keys, size_t n)
{
    size_t bytes;
    size_t m = 0;

    *out = NULL;
    *n_out = 0;
    if (!n)
        return MN_OK;
    if (!mn_x__mul(&bytes, n, sizeof(mn_key)))
        return MN_ENOMEM;
    *out = mn_x__malloc(bytes);
    if (!*out)
        return MN_ENOMEM;
    memcpy(*out, keys, bytes);
    qsort(*out, n, sizeof(mn_key), cmp_key);
    for (size_t i = 0; i < n; i++) {
        if (!m || (*out)[m - 1] != (*out)[i])
            (*out)[m++] = (*out)[i];
    }
    *n_out = m;
    return MN_OK;
}

static int copy_text(char **out, const char *s)
{
    *out = NULL;
    if (!s || !s[0])
        return MN_OK;
    *out = mn_x__strndup(s, strlen(s));
    return *out ? MN_OK : MN_ENOMEM;
}

int mn_x__srules_add(mn_kbb *b, const mn_srule_def *def, unsigned unit,
                     bool *dup)
{
    sr_state *st = get_state(b);
    sr_entry e;
    size_t ndx = def->n_when_dx + def->n_unless_dx;
    uint64_t h = 0;
    uint32_t ix = 0;
    int rc = MN_OK;

    *dup = false;
    memset(&e, 0, sizeof(e));
    if (!st) {
        rc = MN_ENOMEM;
        goto done;
    }
    if (!def->id || !def->id[0]) {
        rc = MN_EINVAL;
        goto done;
    }
    h = mn_x__hash(def->id, strlen(def->id));
    if (mn_x__map_get(&st->ids, h, &ix)) {
        /* the same hash: the same id, or (all but never) a collision */
        for (size_t i = 0; i < MN_VEC_COUNT(&st->entries, sr_entry); i++) {
            const sr_entry *o = &MN_VEC_AT(&st->entries, sr_entry, i);
            if (strcmp(o->text[T_ID], def->id) == 0) {
                *dup = true;
                rc = o->unit == unit ? MN_EINVAL : MN_OK;
                goto done;
            }
        }
    }
    e.rec = def->rec;
    e.unit = unit;
    if ((rc = copy_text(&e.text[T_ID], def->id)) ||
        (rc = copy_text(&e.text[T_PACK], def->pack)) ||
        (rc = copy_text(&e.text[T_SOURCE], def->source)) ||
        (rc = copy_text(&e.text[T_EXCLUDE], def->exclude)) ||
        (rc = copy_text(&e.text[T_DOC], def->doc)) ||
        (rc = copy_text(&e.text[T_MORE], def->more_often)))
        goto done;
    if (!(def->rec.flags & SR_F_ANY_CODE) &&
        (rc = copy_keys(&e.codes, &e.n_codes, def->codes, def->n_codes)))
        goto done;
    if ((rc = copy_keys(&e.family, &e.n_family, def->family, def->n_family)))
        goto done;
    if (ndx) {
        e.dx = mn_x__malloc(ndx * sizeof(kb_srdx));
        if (!e.dx) {
            rc = MN_ENOMEM;
            goto done;
        }
        if (def->n_when_dx)
            memcpy(e.dx, def->when_dx, def->n_when_dx * sizeof(kb_srdx));
        if (def->n_unless_dx)
            memcpy(e.dx + def->n_when_dx, def->unless_dx,
                   def->n_unless_dx * sizeof(kb_srdx));
    }
    e.rec.n_when_dx = (uint32_t)def->n_when_dx;
    e.rec.n_unless_dx = (uint32_t)def->n_unless_dx;
    if (MN_VEC_COUNT(&st->entries, sr_entry) >= UINT32_MAX) {
        rc = MN_ELIMIT;
        goto done;
    }
    ix = (uint32_t)MN_VEC_COUNT(&st->entries, sr_entry);
    if ((rc = mn_x__map_put(&st->ids, h, ix)))
        goto done;
    rc = mn_x__vec_push(&st->entries, &e, sizeof(e));
done:
    if (rc != MN_OK || *dup)
        entry_free(&e);
    return rc;
}

/*
 * Writer
 */

static int cmp_index(const void *x, const void *y)
{
    const kb_srindex *a = x;
    const kb_srindex *b = y;
    if (a->code != b->code)
        return a->code < b->code ? -1 : 1;
    return (a->rule > b->rule) - (a->rule < b->rule);
}

static int put_str(mn_kb_sink *sink, kb_str *out, const char *s)
{
    return mn_x__kb_sink_str(sink, &out->off, &out->len, s, s ? strlen(s) : 0);
}

int mn_x__srules_write(mn_kbb *b, void *state, mn_kb_sink *sink, mn_error *err)
{
    sr_state *st = state;
    mn_vec rules = {0}, index = {0}, dx = {0}, fam = {0};
    size_t n;
    int rc = MN_OK;

    (void)b;
    if (!st || !MN_VEC_COUNT(&st->entries, sr_entry))
        return MN_OK;
    n = MN_VEC_COUNT(&st->entries, sr_entry);
    if (n > UINT32_MAX / 2) {
        rc = mn_x__err(err, MN_ELIMIT, "too many service rules");
        goto done;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        const sr_entry *e = &MN_VEC_AT(&st->entries, sr_entry, i);
        kb_srule r = e->rec;
        size_t ndx = (size_t)e->rec.n_when_dx + e->rec.n_unless_dx;

        if ((rc = put_str(sink, &r.id, e->text[T_ID])) ||
            (rc = put_str(sink, &r.pack, e->text[T_PACK])) ||
            (rc = put_str(sink, &r.source, e->text[T_SOURCE])) ||
            (rc = put_str(sink, &r.exclude, e->text[T_EXCLUDE])) ||
            (rc = put_str(sink, &r.doc, e->text[T_DOC])) ||
            (rc = put_str(sink, &r.more_often, e->text[T_MORE])))
            break;
        r.dx_first = (uint32_t)MN_VEC_COUNT(&dx, kb_srdx);
        r.fam_first = (uint32_t)(fam.len / sizeof(uint64_t));
        r.n_fam = (uint32_t)e->n_family;
        if ((rc = mn_x__vec_push(&dx, e->dx, ndx * sizeof(kb_srdx))) ||
            (rc = mn_x__vec_push(&fam, e->family,
                                 e->n_family * sizeof(uint64_t))) ||
            (rc = mn_x__vec_push(&rules, &r, sizeof(r))))
            break;
        if (e->rec.flags & SR_F_ANY_CODE) {
            kb_srindex x = {0, (uint32_t)i, 0};
            rc = mn_x__vec_push(&index, &x, sizeof(x));
        }
        for (size_t c = 0; c < e->n_codes && !rc; c++) {
            kb_srindex x = {e->codes[c], (uint32_t)i, 0};
            rc = mn_x__vec_push(&index, &x, sizeof(x));
        }
    }
    if (rc)
        goto done;
    if (MN_VEC_COUNT(&dx, kb_srdx) > UINT32_MAX ||
        fam.len / sizeof(uint64_t) > UINT32_MAX) {
        rc = MN_ELIMIT;
        goto done;
    }
    if (index.len > sizeof(kb_srindex))
        qsort(index.data, MN_VEC_COUNT(&index, kb_srindex), sizeof(kb_srindex),
              cmp_index);
    if ((rc = mn_x__kb_sink_add(sink, SR_SEC_RULE, sizeof(kb_srule), rules.data,
                                rules.len)) ||
        (rc = mn_x__kb_sink_add(sink, SR_SEC_INDEX, sizeof(kb_srindex),
                                index.data, index.len)) ||
        (rc = mn_x__kb_sink_add(sink, SR_SEC_DX, sizeof(kb_srdx), dx.data,
                                dx.len)) ||
        (rc = mn_x__kb_sink_add(sink, SR_SEC_FAMILY, sizeof(uint64_t), fam.data,
                                fam.len)))
        goto done;
done:
    if (rc && err && !err->message[0])
        mn_x__err(err, rc, "cannot write the service rules: %s",
                  mn_strerror(rc));
    mn_x__vec_free(&rules);
    mn_x__vec_free(&index);
    mn_x__vec_free(&dx);
    mn_x__vec_free(&fam);
    return rc;
}

/*
 * Open: validation and view
 */

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
