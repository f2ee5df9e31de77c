/*
 * build/writer/srules_write.c: the builder state of the service rules and
 * their writer (sections SR_SEC_*, kb/srules_fmt.h). The language is
 * compiled in build/writer/rules.c; kb/srules_view.c validates the sections at
 * open and check/service.c applies the rules to lines.
 */
#include <stdlib.h>
#include <string.h>

#include "build/writer/srules_build.h"
#include "core/map.h"

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
