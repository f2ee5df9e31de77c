/*
 * check/cross.c: the services of a run's earlier claims, for the edits
 * across claims (mednec/crossclaim.h).
 *
 * Services live in a ring of `max_services` entries, oldest first. Each
 * service is in two chains, in the order they came: its patient's (a
 * table keyed by the hash of the patient id), walked for a replacement or
 * a void, and its patient's on its date (keyed by patient and date),
 * walked to match a claim's services, so a claim reads only the services
 * of its own dates. The oldest service of the ring is always the first of
 * both its chains, so making room is O(1); a replacement or void marks
 * the services of the claim it replaces as gone. Patients, providers and claim
 * ids are kept as 64-bit hashes (XXH3): nothing of the patient is stored.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "core/map.h"
#include "mednec/crossclaim.h"

#define DEF_MAX 500000
#define NONE UINT32_MAX

typedef struct xent {
    uint64_t patient;
    mn_cross_svc s;
    uint32_t next;  /* the patient's next service */
    uint32_t dnext; /* the patient's next service on the same date */
    bool gone;
} xent;

/* A table of chains: open addressing, tombstones rebuilt away. */
typedef struct pslot {
    uint64_t key; /* 0: empty */
    uint32_t head, tail, count;
    bool dead; /* a tombstone */
} pslot;

typedef struct ptable {
    pslot *tab;
    size_t cap;     /* power of two; grows up to max_cap */
    size_t max_cap; /* twice the ring, rounded up */
    size_t used;    /* live and dead slots */
    size_t live;
} ptable;

struct mn_crossclaim {
    xent *ring;
    size_t ring_cap; /* entries allocated: grows to `max` while start is 0 */
    size_t max;
    size_t start; /* the oldest */
    size_t n;
    ptable patients; /* each patient's services (replacements, voids) */
    ptable days;     /* each patient's services of one date (matching) */
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

/* The key of a patient's date. */
static uint64_t day_key(uint64_t patient, int32_t date)
{
    uint64_t h = patient ^ ((uint64_t)(uint32_t)date * 0x9E3779B97F4A7C15ULL);
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 32;
    return h ? h : 1;
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
        /* the tables start small and grow with the patients and dates
           seen: memory follows the data, not the window */
        size_t first = cap < 1024 ? cap : 1024;
        x->max = max;
        x->patients.max_cap = x->days.max_cap = cap;
        x->patients.cap = x->days.cap = first;
        x->ring_cap = max < 4096 ? max : 4096;
        x->ring = mn_x__calloc(x->ring_cap, sizeof(*x->ring));
        x->patients.tab = mn_x__calloc(first, sizeof(pslot));
        x->days.tab = mn_x__calloc(first, sizeof(pslot));
    }
    if (!x || !x->ring || !x->patients.tab || !x->days.tab) {
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
    mn_x__free(x->patients.tab);
    mn_x__free(x->days.tab);
    mn_x__free(x);
}

/* The slot of `key`, or where it would go (NULL: the table is full). */
static pslot *find(ptable *t, uint64_t key, bool insert)
{
    size_t mask = t->cap - 1;
    size_t i = (size_t)key & mask;
    pslot *tomb = NULL;

    for (size_t probe = 0; probe < t->cap; probe++, i = (i + 1) & mask) {
        pslot *p = &t->tab[i];
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

/* Rebuilds a table without tombstones, twice as large when it is half
 * full of live chains. */
static void rebuild(ptable *t)
{
    size_t old_cap = t->cap;
    size_t cap =
        t->live * 2 >= old_cap && old_cap < t->max_cap ? old_cap * 2 : old_cap;
    size_t mask = cap - 1;
    pslot *old = t->tab;
    pslot *fresh = mn_x__calloc(cap, sizeof(*fresh));

    if (!fresh)
        return; /* keeps working with the tombstones */
    t->cap = cap;
    t->used = 0;
    for (size_t k = 0; k < old_cap; k++) {
        size_t i;
        if (!old[k].key || old[k].dead)
            continue;
        i = (size_t)old[k].key & mask;
        while (fresh[i].key)
            i = (i + 1) & mask;
        fresh[i] = old[k];
        t->used++;
    }
    mn_x__free(old);
    t->tab = fresh;
}

/* Unlinks the first service of the chain of `key` (the oldest). */
static void unlink_head(ptable *t, uint64_t key, uint32_t next)
{
    pslot *p = find(t, key, false);

    if (!p)
        return;
    p->head = next;
    if (--p->count == 0) {
        p->dead = true;
        p->head = p->tail = NONE;
        t->live--;
    }
}

/* Drops the oldest service to make room: it is the first of both its
 * chains. */
static void evict(mn_crossclaim *x)
{
    xent *e = &x->ring[x->start];

    unlink_head(&x->patients, e->patient, e->next);
    unlink_head(&x->days, day_key(e->patient, e->s.date), e->dnext);
    x->start = (x->start + 1) % x->max;
    x->n--;
}

/* Appends ring entry `at` to the chain of `key`; `link` is the entry's
 * next field of that chain. Returns MN_ENOMEM when the table is full. */
static int append(mn_crossclaim *x, ptable *t, uint64_t key, uint32_t at,
                  size_t link)
{
    pslot *p;

    if (t->used * 10 >= t->cap * 7)
        rebuild(t);
    p = find(t, key, true);
    if (!p)
        return MN_ENOMEM;
    if (p->key != key || p->dead) {
        if (!p->key)
            t->used++;
        t->live++;
        p->key = key;
        p->dead = false;
        p->head = p->tail = at;
        p->count = 1;
    } else {
        uint32_t *next = (uint32_t *)((char *)&x->ring[p->tail] + link);
        *next = at;
        p->tail = at;
        p->count++;
    }
    return MN_OK;
}

static int remember(mn_crossclaim *x, uint64_t patient, const mn_cross_svc *s)
{
    uint32_t at;
    int rc;

    if (x->n == x->max)
        evict(x);
    if (x->n == x->ring_cap) {
        /* the ring has not wrapped yet (start is 0): entries keep their
           places, so the chains stay valid */
        size_t nc = x->ring_cap * 2 < x->max ? x->ring_cap * 2 : x->max;
        xent *nr = mn_x__realloc(x->ring, nc * sizeof(*nr));
        if (!nr)
            return MN_ENOMEM;
        x->ring = nr;
        x->ring_cap = nc;
    }
    at = (uint32_t)((x->start + x->n) % x->max);
    x->ring[at].patient = patient;
    x->ring[at].s = *s;
    x->ring[at].next = NONE;
    x->ring[at].dnext = NONE;
    x->ring[at].gone = false;
    rc = append(x, &x->patients, patient, at, offsetof(xent, next));
    if (rc == MN_OK)
        rc = append(x, &x->days, day_key(patient, s->date), at,
                    offsetof(xent, dnext));
    if (rc == MN_OK)
        x->n++;
    return rc;
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

/* A date and provider of a claim's lines. */
typedef struct dkey {
    int32_t date;
    uint64_t provider;
} dkey;

/* Adds (date, provider) to the keys unless there. */
static int add_key(dkey **keys, size_t *n, size_t *cap, dkey *fixed,
                   int32_t date, uint64_t provider)
{
    for (size_t k = 0; k < *n; k++) {
        if ((*keys)[k].date == date && (*keys)[k].provider == provider)
            return MN_OK;
    }
    if (*n == *cap) {
        size_t nc = *cap * 2;
        dkey *nk = *keys == fixed ? mn_x__malloc(nc * sizeof(*nk))
                                  : mn_x__realloc(*keys, nc * sizeof(*nk));
        if (!nk)
            return MN_ENOMEM;
        if (*keys == fixed)
            memcpy(nk, fixed, *n * sizeof(*nk));
        *keys = nk;
        *cap = nc;
    }
    (*keys)[*n].date = date;
    (*keys)[(*n)++].provider = provider;
    return MN_OK;
}

/* Ring positions by age, oldest first. */
typedef struct aged {
    size_t age;
    uint32_t at;
} aged;

static int cmp_aged(const void *a, const void *b)
{
    size_t x = ((const aged *)a)->age;
    size_t y = ((const aged *)b)->age;
    return x < y ? -1 : x > y;
}

int mn_crossclaim_take(mn_crossclaim_view **view, mn_crossclaim *x,
                       const mn_claim *claim, mn_error *err)
{
    mn_crossclaim_view *v = NULL;
    uint64_t patient;
    uint64_t claim_hash;
    pslot *p;
    int rc = MN_OK;
    dkey fixed[16];
    dkey *keys = fixed;
    size_t n_keys = 0;
    size_t keys_cap = sizeof(fixed) / sizeof(fixed[0]);
    aged *hits = NULL;
    size_t n_hits = 0, hits_cap = 0;

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
    /* a replacement or a void takes back the claim it names */
    p = find(&x->patients, patient, false);
    if (p && claim_hash &&
        (claim->frequency == '7' || claim->frequency == '8')) {
        for (uint32_t i = p->head; i != NONE; i = x->ring[i].next) {
            if (x->ring[i].s.claim == claim_hash)
                x->ring[i].gone = true;
        }
    }
    /* the claim's (date, provider) pairs, each once */
    for (size_t li = 0; p && li < claim->n_lines && rc == MN_OK; li++) {
        const mn_claim_line *ln = &claim->lines[li];
        int32_t d = ln->date != MN_NODATE ? ln->date : claim->date;
        uint64_t h = mn_x__cross_hash(mn_x__claim_line_provider(claim, li));
        if (h && d != MN_NODATE)
            rc = add_key(&keys, &n_keys, &keys_cap, fixed, d, h);
    }
    /* the services of the patient on each date, of the same provider;
       each date's chain once */
    for (size_t k = 0; k < n_keys && rc == MN_OK; k++) {
        pslot *dp;
        size_t j = 0;
        while (j < k && keys[j].date != keys[k].date)
            j++;
        if (j < k)
            continue;
        dp = find(&x->days, day_key(patient, keys[k].date), false);
        for (uint32_t i = dp ? dp->head : NONE; i != NONE;
             i = x->ring[i].dnext) {
            const xent *e = &x->ring[i];
            bool match = false;
            if (e->gone || e->patient != patient || e->s.date != keys[k].date)
                continue;
            for (size_t m = k; m < n_keys && !match; m++)
                match = keys[m].date == e->s.date &&
                        keys[m].provider == e->s.provider;
            if (!match)
                continue;
            if (n_hits == hits_cap) {
                size_t nc = hits_cap ? hits_cap * 2 : 8;
                aged *nh = mn_x__realloc(hits, nc * sizeof(*nh));
                if (!nh) {
                    rc = MN_ENOMEM;
                    break;
                }
                hits = nh;
                hits_cap = nc;
            }
            hits[n_hits].age = (i + x->max - x->start) % x->max;
            hits[n_hits++].at = i;
        }
    }
    /* in the order they came, as one patient chain would give them */
    if (rc == MN_OK && n_hits) {
        qsort(hits, n_hits, sizeof(*hits), cmp_aged);
        v->v = mn_x__malloc(n_hits * sizeof(*v->v));
        if (!v->v)
            rc = MN_ENOMEM;
        for (size_t h = 0; v->v && h < n_hits; h++)
            v->v[v->n++] = x->ring[hits[h].at].s;
    }
    if (rc || claim->frequency == '8')
        goto done;
    for (size_t li = 0; li < claim->n_lines && rc == MN_OK; li++) {
        mn_cross_svc s;
        mn_x__cross_svc_of(&s, claim, li, claim_hash);
        if (s.provider && s.date != MN_NODATE)
            rc = remember(x, patient, &s);
    }
done:
    if (keys != fixed)
        mn_x__free(keys);
    mn_x__free(hits);
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
