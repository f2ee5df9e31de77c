/*
 * build/writer/mcd_write.c: the builder side of the MCD sections
 * (kb/mcd_fmt.h): places of local policies, contractor places, policy
 * attachments. The loaders add them by policy reference (mn_x__kbb_policy_
 * ref); the serialiser asks for each policy's states and then calls the
 * writer, which maps references to the final policy indexes, sorts,
 * deduplicates and adds the sections.
 */
#include <stdlib.h>
#include <string.h>

#include "build/writer/kbb.h"
#include "claim/jurisdiction.h"
#include "kb/mcd_fmt.h"

_Static_assert(KB_STATES == MN_STATES, "state tables agree");
_Static_assert(KB_PARTS == MN_PARTS, "part tables agree");
_Static_assert(KB_PARTS + 1 < KB_PART_OTHER, "part codes fit");

typedef struct place_e {
    uint32_t ref;
    uint8_t state;
    uint8_t part;
    uint16_t flags;
    int32_t active;
    int32_t term;
} place_e;

typedef struct cplace_e {
    char *number;
    uint8_t state;
    uint8_t part;
    uint16_t flags;
    int32_t active;
    int32_t term;
    uint32_t type;
} cplace_e;

typedef struct attach_e {
    uint32_t ref;
    uint16_t kind;
    uint16_t group;
    int32_t num;
    uint32_t flags;
    char *a;
    char *b;
} attach_e;

typedef struct mcd_b {
    mn_vec places;  /* place_e; sorted by ref once prepared */
    mn_vec cplaces; /* cplace_e */
    mn_vec attach;  /* attach_e */
    bool prepared;
} mcd_b;

static void state_free(void *state)
{
    mcd_b *s = state;

    if (!s)
        return;
    mn_x__vec_free(&s->places);
    for (size_t i = 0; i < MN_VEC_COUNT(&s->cplaces, cplace_e); i++)
        mn_x__free(MN_VEC_AT(&s->cplaces, cplace_e, i).number);
    mn_x__vec_free(&s->cplaces);
    for (size_t i = 0; i < MN_VEC_COUNT(&s->attach, attach_e); i++) {
        mn_x__free(MN_VEC_AT(&s->attach, attach_e, i).a);
        mn_x__free(MN_VEC_AT(&s->attach, attach_e, i).b);
    }
    mn_x__vec_free(&s->attach);
    mn_x__free(s);
}

static int get_state(mn_kbb *b, mcd_b **out)
{
    mcd_b *s = mn_x__kbb_ext(b, MN_EXT_MCD);

    if (!s) {
        s = mn_x__calloc(1, sizeof(*s));
        if (!s)
            return MN_ENOMEM;
        mn_x__kbb_ext_set(b, MN_EXT_MCD, s, state_free);
    }
    *out = s;
    return MN_OK;
}

/* The stored part code of a part argument (-1 whole, k, other). */
static uint8_t part_code(int part)
{
    if (part < 0 && part != -1)
        return KB_PART_OTHER;
    if (part == -1)
        return KB_PART_WHOLE;
    return part < MN_PARTS ? (uint8_t)(part + 1) : KB_PART_OTHER;
}

int mn_x__kbb_place(mn_kbb *b, uint32_t ref, int state, int part,
                    unsigned flags, int32_t active, int32_t term)
{
    mcd_b *s = NULL;
    place_e e;
    int rc;

    if (state < 0 || state >= MN_STATES || !flags ||
        (flags & ~(unsigned)KB_PL_ALL_))
        return MN_EINVAL;
    if ((rc = get_state(b, &s)))
        return rc;
    memset(&e, 0, sizeof(e));
    e.ref = ref;
    e.state = (uint8_t)state;
    e.part = part_code(part);
    e.flags = (uint16_t)flags;
    e.active = active;
    e.term = term;
    s->prepared = false;
    return mn_x__vec_push(&s->places, &e, sizeof(e));
}

int mn_x__kbb_contractor_place(mn_kbb *b, const char *number, size_t len,
                               unsigned type, int state, int part,
                               unsigned flags, int32_t active, int32_t term)
{
    mcd_b *s = NULL;
    cplace_e e;
    int rc;

    if (!number || !len || state < 0 || state >= MN_STATES ||
        type > KB_CT_HHH || !flags ||
        (flags & ~(unsigned)(KB_PL_EXPORT | KB_PL_DME)))
        return MN_EINVAL;
    if ((rc = get_state(b, &s)))
        return rc;
    memset(&e, 0, sizeof(e));
    e.number = mn_x__strndup(number, len);
    if (!e.number)
        return MN_ENOMEM;
    e.state = (uint8_t)state;
    e.part = part_code(part);
    e.flags = (uint16_t)flags;
    e.active = active;
    e.term = term;
    e.type = type;
    if ((rc = mn_x__vec_push(&s->cplaces, &e, sizeof(e))))
        mn_x__free(e.number);
    return rc;
}

int mn_x__kbb_attach(mn_kbb *b, uint32_t ref, unsigned kind, int group,
                     int32_t num, unsigned flags, const char *a, size_t alen,
                     const char *bt, size_t blen)
{
    mcd_b *s = NULL;
    attach_e e;
    int rc;

    if (kind < KB_PA_PAGE || kind >= KB_PA_COUNT_ || !a || !alen || group < 0 ||
        group > 0xffff)
        return MN_EINVAL;
    if ((rc = get_state(b, &s)))
        return rc;
    memset(&e, 0, sizeof(e));
    e.ref = ref;
    e.kind = (uint16_t)kind;
    e.group = (uint16_t)group;
    e.num = num;
    e.flags = flags;
    e.a = mn_x__strndup(a, alen);
    e.b = bt && blen ? mn_x__strndup(bt, blen) : NULL;
    if (!e.a || (bt && blen && !e.b)) {
        rc = MN_ENOMEM;
    } else {
        rc = mn_x__vec_push(&s->attach, &e, sizeof(e));
        if (rc == MN_OK)
            return MN_OK;
    }
    mn_x__free(e.a);
    mn_x__free(e.b);
    return rc;
}

static int cmp_place_ref(const void *x, const void *y)
{
    const place_e *a = x;
    const place_e *b = y;
#define CMP(p, q)                                                              \
    if ((p) != (q))                                                            \
    return (p) < (q) ? -1 : 1
    CMP(a->ref, b->ref);
    CMP(a->state, b->state);
    CMP(a->part, b->part);
    CMP(a->active, b->active);
    CMP(a->term, b->term);
    CMP(a->flags, b->flags);
    return 0;
}

/* Sorts the places by reference (once; again after more were added). */
static void prepare(mcd_b *s)
{
    size_t n = MN_VEC_COUNT(&s->places, place_e);
    size_t w = 0;

    if (s->prepared)
        return;
    if (n > 1)
        qsort(s->places.data, n, sizeof(place_e), cmp_place_ref);
    for (size_t i = 0; i < n; i++) {
        place_e *e = &MN_VEC_AT(&s->places, place_e, i);
        if (w && cmp_place_ref(e, &MN_VEC_AT(&s->places, place_e, w - 1)) == 0)
            continue;
        MN_VEC_AT(&s->places, place_e, w++) = *e;
    }
    s->places.len = w * sizeof(place_e);
    s->prepared = true;
}

/* First place of `ref` and the count. */
static const place_e *places_of(mcd_b *s, uint32_t ref, size_t *n)
{
    const place_e *p = (const place_e *)s->places.data;
    size_t cnt = MN_VEC_COUNT(&s->places, place_e);
    size_t lo = 0;
    size_t hi = cnt;
    size_t end;

    prepare(s);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p[mid].ref < ref)
            lo = mid + 1;
        else
            hi = mid;
    }
    end = lo;
    while (end < cnt && p[end].ref == ref)
        end++;
    *n = end - lo;
    return *n ? &p[lo] : NULL;
}

uint64_t mn_x__kbb_place_states(mn_kbb *b, uint32_t ref, bool *any)
{
    mcd_b *s = mn_x__kbb_ext(b, MN_EXT_MCD);
    const place_e *p;
    uint64_t m = 0;
    size_t n = 0;

    *any = false;
    if (!s)
        return 0;
    p = places_of(s, ref, &n);
    for (size_t i = 0; i < n; i++)
        m |= (uint64_t)1 << p[i].state;
    *any = n > 0;
    return m;
}

bool mn_x__kbb_places_simple(mn_kbb *b, uint32_t ref, int32_t effective,
                             int32_t ending)
{
    mcd_b *s = mn_x__kbb_ext(b, MN_EXT_MCD);
    const place_e *p;
    size_t n = 0;

    if (!s)
        return false;
    p = places_of(s, ref, &n);
    for (size_t i = 0; i < n; i++) {
        if (p[i].part != KB_PART_WHOLE || (p[i].flags & KB_PL_MAYBE))
            return false;
        if (p[i].active != MN_NODATE &&
            (effective == MN_NODATE || p[i].active > effective))
            return false;
        if (p[i].term != MN_NODATE &&
            (ending == MN_NODATE || p[i].term < ending))
            return false;
    }
    return n > 0;
}

size_t mn_x__kbb_place_count(mn_kbb *b, uint32_t ref, unsigned flags)
{
    mcd_b *s = mn_x__kbb_ext(b, MN_EXT_MCD);
    const place_e *p;
    size_t n = 0;
    size_t c = 0;

    if (!s)
        return 0;
    p = places_of(s, ref, &n);
    for (size_t i = 0; i < n; i++)
        c += !flags || (p[i].flags & flags);
    return c;
}

/* ---- writer ---------------------------------------------------------- */

static int cmp_kplace(const void *x, const void *y)
{
    const kb_place *a = x;
    const kb_place *b = y;
    CMP(a->policy, b->policy);
    CMP(a->state, b->state);
    CMP(a->part, b->part);
    CMP(a->active, b->active);
    CMP(a->term, b->term);
    CMP(a->flags, b->flags);
    return 0;
}

static int cmp_cplace(const void *x, const void *y)
{
    const cplace_e *a = x;
    const cplace_e *b = y;
    int c = strcmp(a->number, b->number);
    if (c)
        return c;
    CMP(a->state, b->state);
    CMP(a->part, b->part);
    CMP(a->active, b->active);
    CMP(a->term, b->term);
    CMP(a->flags, b->flags);
    CMP(a->type, b->type);
    return 0;
}

static int cmp_str0(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

/* Attachments by final policy index (kept in `ref` once mapped). */
static int cmp_attach(const void *x, const void *y)
{
    const attach_e *a = x;
    const attach_e *b = y;
    int c;
    CMP(a->ref, b->ref);
    CMP(a->kind, b->kind);
    CMP(a->group, b->group);
    CMP(a->num, b->num);
    if ((c = cmp_str0(a->a, b->a)))
        return c;
    if ((c = cmp_str0(a->b, b->b)))
        return c;
    CMP(a->flags, b->flags);
    return 0;
}
#undef CMP

static int write_places(mn_kbb *b, mcd_b *s, mn_kb_sink *sink)
{
    size_t n = MN_VEC_COUNT(&s->places, place_e);
    mn_vec out = {0};
    size_t w = 0;
    int rc = MN_OK;

    for (size_t i = 0; i < n && !rc; i++) {
        const place_e *e = &MN_VEC_AT(&s->places, place_e, i);
        kb_place k;
        memset(&k, 0, sizeof(k));
        k.policy = mn_x__kbb_policy_final(b, e->ref);
        if (k.policy == UINT32_MAX) {
            rc = MN_EINVAL;
            break;
        }
        k.state = e->state;
        k.part = e->part;
        k.flags = e->flags;
        k.active = e->active;
        k.term = e->term;
        rc = mn_x__vec_push(&out, &k, sizeof(k));
    }
    n = MN_VEC_COUNT(&out, kb_place);
    if (!rc && n > 1)
        qsort(out.data, n, sizeof(kb_place), cmp_kplace);
    for (size_t i = 0; !rc && i < n; i++) {
        kb_place *e = &MN_VEC_AT(&out, kb_place, i);
        if (w && cmp_kplace(e, &MN_VEC_AT(&out, kb_place, w - 1)) == 0)
            continue;
        MN_VEC_AT(&out, kb_place, w++) = *e;
    }
    if (!rc && w)
        rc = mn_x__kb_sink_add(sink, KB_SEC_PLACE, sizeof(kb_place), out.data,
                               w * sizeof(kb_place));
    mn_x__vec_free(&out);
    return rc;
}

static int write_cplaces(mcd_b *s, mn_kb_sink *sink)
{
    size_t n = MN_VEC_COUNT(&s->cplaces, cplace_e);
    mn_vec out = {0};
    int rc = MN_OK;

    if (n > 1)
        qsort(s->cplaces.data, n, sizeof(cplace_e), cmp_cplace);
    for (size_t i = 0; i < n && !rc; i++) {
        const cplace_e *e = &MN_VEC_AT(&s->cplaces, cplace_e, i);
        kb_cplace k;
        if (i && cmp_cplace(e, &MN_VEC_AT(&s->cplaces, cplace_e, i - 1)) == 0)
            continue;
        memset(&k, 0, sizeof(k));
        rc = mn_x__kb_sink_str(sink, &k.number.off, &k.number.len, e->number,
                               strlen(e->number));
        k.state = e->state;
        k.part = e->part;
        k.flags = e->flags;
        k.active = e->active;
        k.term = e->term;
        k.type = e->type;
        if (!rc)
            rc = mn_x__vec_push(&out, &k, sizeof(k));
    }
    if (!rc && out.len)
        rc = mn_x__kb_sink_add(sink, KB_SEC_CPLACE, sizeof(kb_cplace), out.data,
                               out.len);
    mn_x__vec_free(&out);
    return rc;
}

static int write_attach(mn_kbb *b, mcd_b *s, mn_kb_sink *sink)
{
    size_t n = MN_VEC_COUNT(&s->attach, attach_e);
    mn_vec tmp = {0};
    mn_vec out = {0};
    int rc = MN_OK;

    /* shallow copies keyed by the final index: the section is ordered by
       it, and the builder keeps its references for a later serialisation */
    for (size_t i = 0; i < n && !rc; i++) {
        attach_e e = MN_VEC_AT(&s->attach, attach_e, i);
        e.ref = mn_x__kbb_policy_final(b, e.ref);
        rc = e.ref == UINT32_MAX ? MN_EINVAL
                                 : mn_x__vec_push(&tmp, &e, sizeof(e));
    }
    if (!rc && n > 1)
        qsort(tmp.data, n, sizeof(attach_e), cmp_attach);
    for (size_t i = 0; i < n && !rc; i++) {
        const attach_e *e = &MN_VEC_AT(&tmp, attach_e, i);
        kb_pattach k;
        if (i && cmp_attach(e, &MN_VEC_AT(&tmp, attach_e, i - 1)) == 0)
            continue;
        memset(&k, 0, sizeof(k));
        k.policy = e->ref;
        k.kind = e->kind;
        k.group = e->group;
        k.num = e->num;
        k.flags = e->flags;
        rc = mn_x__kb_sink_str(sink, &k.a.off, &k.a.len, e->a, strlen(e->a));
        if (!rc && e->b)
            rc =
                mn_x__kb_sink_str(sink, &k.b.off, &k.b.len, e->b, strlen(e->b));
        if (!rc)
            rc = mn_x__vec_push(&out, &k, sizeof(k));
    }
    if (!rc && out.len)
        rc = mn_x__kb_sink_add(sink, KB_SEC_PATTACH, sizeof(kb_pattach),
                               out.data, out.len);
    mn_x__vec_free(&tmp);
    mn_x__vec_free(&out);
    return rc;
}

int mn_x__mcd_write(mn_kbb *b, void *state, mn_kb_sink *sink, mn_error *err)
{
    mcd_b *s = state;
    int rc = MN_OK;

    if (!s)
        return MN_OK;
    prepare(s);
    rc = write_places(b, s, sink);
    if (!rc)
        rc = write_cplaces(s, sink);
    if (!rc)
        rc = write_attach(b, s, sink);
    if (rc)
        mn_x__err(err, rc, "cannot write the MCD places: %s", mn_strerror(rc));
    return rc;
}
