/*
 * check/cross.c: the services of a run's earlier claims, for the edits
 * across claims (mednec/crossclaim.h).
 *
 * Services live in a ring of `max_services` entries, oldest first; each
 * patient's services are chained in the order they came, from a table
 * keyed by the hash of the patient id. The oldest service of the ring is
 * always the first of its patient's chain, so making room is O(1); a
 * replacement or void marks the services of the claim it replaces as
 * gone. Patients, providers and claim ids are kept as 64-bit hashes
 * (XXH3): nothing of the patient is stored.
 */
#include <string.h>

#include "check/check.h"
#include "core/map.h"
#include "mednec/crossclaim.h"

#define DEF_MAX 500000
#define NONE UINT32_MAX

typedef struct xent {
    uint64_t patient;
    mn_cross_svc s;
    uint32_t next; /* the patient's next service */
    bool gone;
} xent;

/* The patient table: open addressing, tombstones rebuilt away. */
typedef struct pslot {
    uint64_t key; /* 0: empty */
    uint32_t head, tail, count;
    bool dead; /* a tombstone */
} pslot;

struct mn_crossclaim {
    xent *ring;
    size_t max;
    size_t start; /* the oldest */
    size_t n;
    pslot *tab;
    size_t cap;  /* power of two */
    size_t used; /* live and dead slots */
};

struct mn_crossclaim_view {
    mn_cross_svc *v;
    size_t n;
};

static uint64_t hkey(const char *s)
{
    uint64_t h = mn_x__hash(s, strlen(s));
    return h ? h : 1; /* 0 means "none" */
}

uint64_t mn_x__cross_hash(const char *s)
{
    return s && s[0] ? hkey(s) : 0;
}

int mn_crossclaim_new(mn_crossclaim **out, const mn_crossclaim_options *opts,
                      mn_error *err)
{
    mn_crossclaim *x;
    size_t max = opts && opts->max_services ? opts->max_services : DEF_MAX;
    size_t cap = 16;

    if (!out || (opts && opts->version != MN_CROSSCLAIM_OPTIONS_VERSION))
        return mn_x__err(err, MN_EINVAL, "invalid arguments");
    *out = NULL;
    if (max > ((size_t)1 << 30))
        return mn_x__err(err, MN_EINVAL, "max_services too large");
    while (cap < 2 * max)
        cap *= 2;
    x = mn_x__calloc(1, sizeof(*x));
    if (x) {
        x->max = max;
        x->cap = cap;
        x->ring = mn_x__calloc(max, sizeof(*x->ring));
        x->tab = mn_x__calloc(cap, sizeof(*x->tab));
    }
    if (!x || !x->ring || !x->tab) {
        mn_crossclaim_free(x);
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    }
    *out = x;
    return MN_OK;
}

void mn_crossclaim_free(mn_crossclaim *x)
{
    if (!x)
        return;
    mn_x__free(x->ring);
    mn_x__free(x->tab);
    mn_x__free(x);
}

/* The slot of `key`, or where it would go (NULL: the table is full). */
static pslot *find(mn_crossclaim *x, uint64_t key, bool insert)
{
    size_t mask = x->cap - 1;
    size_t i = (size_t)key & mask;
    pslot *tomb = NULL;

    for (size_t probe = 0; probe < x->cap; probe++, i = (i + 1) & mask) {
        pslot *p = &x->tab[i];
        if (!p->key)
            return insert ? (tomb ? tomb : p) : NULL;
        if (p->dead) {
            if (!tomb)
                tomb = p;
            continue;
        }
        if (p->key == key)
            return p;
    }
    return insert ? tomb : NULL;
}

/* Rebuilds the table without tombstones. */
static void rebuild(mn_crossclaim *x)
{
    size_t mask = x->cap - 1;
    pslot *old = x->tab;
    pslot *fresh = mn_x__calloc(x->cap, sizeof(*fresh));

    if (!fresh)
        return; /* keeps working with the tombstones */
    x->used = 0;
    for (size_t k = 0; k < x->cap; k++) {
        size_t i;
        if (!old[k].key || old[k].dead)
            continue;
        i = (size_t)old[k].key & mask;
        while (fresh[i].key)
            i = (i + 1) & mask;
        fresh[i] = old[k];
        x->used++;
    }
    mn_x__free(old);
    x->tab = fresh;
}

/* Drops the oldest service to make room. */
static void evict(mn_crossclaim *x)
{
    xent *e = &x->ring[x->start];
    pslot *p = find(x, e->patient, false);

    if (p) {
        p->head = e->next;
        if (--p->count == 0) {
            p->dead = true;
            p->head = p->tail = NONE;
        }
    }
    x->start = (x->start + 1) % x->max;
    x->n--;
}

static int remember(mn_crossclaim *x, uint64_t patient, const mn_cross_svc *s)
{
    pslot *p;
    size_t at;

    if (x->n == x->max)
        evict(x);
    if (x->used * 10 >= x->cap * 7)
        rebuild(x);
    p = find(x, patient, true);
    if (!p)
        return MN_ENOMEM;
    at = (x->start + x->n) % x->max;
    x->ring[at].patient = patient;
    x->ring[at].s = *s;
    x->ring[at].next = NONE;
    x->ring[at].gone = false;
    if (p->key != patient || p->dead) {
        if (!p->key)
            x->used++;
        p->key = patient;
        p->dead = false;
        p->head = p->tail = (uint32_t)at;
        p->count = 1;
    } else {
        x->ring[p->tail].next = (uint32_t)at;
        p->tail = (uint32_t)at;
        p->count++;
    }
    x->n++;
    return MN_OK;
}

size_t mn_crossclaim_view_count(const mn_crossclaim_view *v)
{
    return v ? v->n : 0;
}

void mn_crossclaim_view_free(mn_crossclaim_view *v)
{
    if (!v)
        return;
    mn_x__free(v->v);
    mn_x__free(v);
}

const mn_cross_svc *mn_x__cross_view(const mn_crossclaim_view *v, size_t *n)
{
    *n = v ? v->n : 0;
    return v ? v->v : NULL;
}

/* The line's service as the index and the engine see it. */
void mn_x__cross_svc_of(mn_cross_svc *out, const mn_claim *c, size_t li,
                        uint64_t claim_hash)
{
    const mn_claim_line *ln = &c->lines[li];
    size_t idl = c->id ? strlen(c->id) : 0;

    memset(out, 0, sizeof(*out));
    out->provider = mn_x__cross_hash(mn_x__claim_line_provider(c, li));
    out->claim = claim_hash;
    out->date = ln->date != MN_NODATE ? ln->date : c->date;
    out->code = ln->code;
    out->units = ln->units;
    out->n_mods = (unsigned char)ln->n_modifiers;
    memcpy(out->mods, ln->modifiers, sizeof(out->mods));
    out->line = mn_claim_line_number(c, li);
    if (idl >= sizeof(out->claim_id))
        idl = sizeof(out->claim_id) - 1;
    memcpy(out->claim_id, c->id ? c->id : "", idl);
    out->claim_id[idl] = '\0';
}

int mn_crossclaim_take(mn_crossclaim_view **view, mn_crossclaim *x,
                       const mn_claim *claim, mn_error *err)
{
    mn_crossclaim_view *v = NULL;
    uint64_t patient;
    uint64_t claim_hash;
    pslot *p;
    size_t cap = 0;
    int rc = MN_OK;

    if (!view || !x || !claim)
        return mn_x__err(err, MN_EINVAL, "invalid arguments");
    *view = NULL;
    v = mn_x__calloc(1, sizeof(*v));
    if (!v)
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    if (!claim->patient_id || !claim->patient_id[0])
        goto done;
    patient = hkey(claim->patient_id);
    claim_hash = mn_x__cross_hash(claim->id);
    p = find(x, patient, false);
    /* a replacement or a void takes back the claim it names */
    if (p && claim_hash &&
        (claim->frequency == '7' || claim->frequency == '8')) {
        for (uint32_t i = p->head; i != NONE; i = x->ring[i].next) {
            if (x->ring[i].s.claim == claim_hash)
                x->ring[i].gone = true;
        }
    }
    for (uint32_t i = p ? p->head : NONE; i != NONE; i = x->ring[i].next) {
        const xent *e = &x->ring[i];
        bool match = false;
        if (e->gone || !e->s.provider)
            continue;
        for (size_t li = 0; li < claim->n_lines && !match; li++) {
            const mn_claim_line *ln = &claim->lines[li];
            int32_t d = ln->date != MN_NODATE ? ln->date : claim->date;
            match = d == e->s.date &&
                    e->s.provider ==
                        mn_x__cross_hash(mn_x__claim_line_provider(claim, li));
        }
        if (!match)
            continue;
        if (v->n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            mn_cross_svc *nv = mn_x__realloc(v->v, nc * sizeof(*nv));
            if (!nv) {
                rc = MN_ENOMEM;
                goto done;
            }
            v->v = nv;
            cap = nc;
        }
        v->v[v->n++] = e->s;
    }
    if (claim->frequency == '8')
        goto done;
    for (size_t li = 0; li < claim->n_lines && rc == MN_OK; li++) {
        mn_cross_svc s;
        mn_x__cross_svc_of(&s, claim, li, claim_hash);
        if (s.provider && s.date != MN_NODATE)
            rc = remember(x, patient, &s);
    }
done:
    if (rc) {
        mn_crossclaim_view_free(v);
        return mn_x__err(err, rc, "out of memory");
    }
    *view = v;
    return MN_OK;
}

mn_cross mn_result_cross(const mn_result *res)
{
    return res ? res->cross : MN_CROSS_OFF;
}

size_t mn_result_cross_services(const mn_result *res)
{
    return res ? res->n_cross : 0;
}

const char *mn_cross_name(mn_cross c)
{
    switch (c) {
    case MN_CROSS_CHECKED:
        return "checked";
    case MN_CROSS_NO_PATIENT:
        return "no_patient_id";
    case MN_CROSS_NO_PROVIDER:
        return "no_provider";
    default:
        return NULL;
    }
}
