/*
 * check/prior.c: the patient's prior services for the frequency and
 * threshold checks: the claim's own `history` plus the history store,
 * gathered once per claim into the context's arena.
 */
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "core/map.h"
#include "mednec/history.h"

typedef struct prior_acc {
    mn_ctx *ctx;
    mn_prior *v;
    size_t n;
    size_t cap;
    const char *skip_key; /* services of the claim being checked */
    size_t skip_len;
    bool amounts; /* the source's services carry amounts (version 2) */
    bool nomem;
    /* the edits across claims: the store's services with a provider on
       one of the claim's dates, not of a claim the run's view has */
    bool cross;
    const mn_claim *claim;
    const mn_cross_svc *view;
    size_t n_view;
    mn_cross_svc *xs;
    size_t n_xs;
    size_t cap_xs;
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

/* A stored service of another claim, by a provider, on one of the
 * claim's dates: for the edits across claims. */
static int cross_from_store(prior_acc *a, const mn_history_service *svc,
                            const mn_prior *p)
{
    const mn_claim *c = a->claim;
    mn_cross_svc x;
    bool on_date = false;
    size_t kl = svc->claim_key_len;

    for (size_t i = 0; i < c->n_lines && !on_date; i++) {
        const mn_claim_line *ln = &c->lines[i];
        on_date = (ln->date != MN_NODATE ? ln->date : c->date) == svc->date;
    }
    if (!on_date)
        return MN_OK;
    memset(&x, 0, sizeof(x));
    x.provider = mn_x__hash(svc->provider, svc->provider_len);
    x.provider = x.provider ? x.provider : 1;
    x.claim = svc->claim_key_len ? mn_x__hash(svc->claim_key, kl) : 0;
    x.claim = x.claim ? x.claim : (kl ? 1 : 0);
    /* the run's view has its own copy of a claim of this run */
    for (size_t i = 0; i < a->n_view; i++) {
        if (a->view[i].claim && a->view[i].claim == x.claim)
            return MN_OK;
    }
    x.date = svc->date;
    x.code = p->code;
    x.units = svc->units;
    x.line = svc->line;
    x.n_mods = (unsigned char)p->n_modifiers;
    memcpy(x.mods, p->modifiers, sizeof(x.mods));
    if (kl >= sizeof(x.claim_id))
        kl = sizeof(x.claim_id) - 1;
    memcpy(x.claim_id, svc->claim_key, kl);
    x.claim_id[kl] = '\0';
    if (a->n_xs == a->cap_xs) {
        size_t cap = a->cap_xs ? a->cap_xs * 2 : 8;
        mn_cross_svc *nv = mn_x__arena_alloc(a->ctx->arena, cap * sizeof(*nv));
        if (!nv) {
            a->nomem = true;
            return MN_ENOMEM;
        }
        if (a->n_xs)
            memcpy(nv, a->xs, a->n_xs * sizeof(*nv));
        a->xs = nv;
        a->cap_xs = cap;
    }
    a->xs[a->n_xs++] = x;
    return MN_OK;
}

static int prior_from_store(void *payload, const mn_history_service *svc)
{
    prior_acc *a = payload;
    mn_prior p;
    const char *m = svc->modifiers;
    size_t ml = svc->modifiers ? svc->modifiers_len : 0;
    int rc;

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
    if (a->cross && svc->provider && svc->provider_len &&
        (rc = cross_from_store(a, svc, &p)))
        return rc;
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

static int collect(prior_acc *a, const mn_claim *claim,
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
        a->cross = a->cross && opts->history->version >= 3;
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

int mn_x__prior_collect(mn_prior_set *out, mn_ctx *ctx, const mn_claim *claim,
                        const mn_check_options *opts, mn_error *err)
{
    prior_acc a;
    int rc;

    memset(&a, 0, sizeof(a));
    memset(out, 0, sizeof(*out));
    a.ctx = ctx;
    a.claim = claim;
    if (opts && opts->version >= 2 && opts->cross_claims) {
        a.cross = true;
        a.view = mn_x__cross_view(opts->cross, &a.n_view);
    }
    rc = collect(&a, claim, opts, err);
    if (rc)
        return rc;
    out->v = a.v;
    out->n = a.n;
    if (a.cross && (a.n_view || a.n_xs)) {
        /* the run's services, then the store's */
        size_t n = a.n_view + a.n_xs;
        out->cross = mn_x__arena_alloc(ctx->arena, n * sizeof(*out->cross));
        if (!out->cross)
            return mn_x__err(err, MN_ENOMEM, "out of memory");
        if (a.n_view)
            memcpy(out->cross, a.view, a.n_view * sizeof(*out->cross));
        if (a.n_xs)
            memcpy(out->cross + a.n_view, a.xs, a.n_xs * sizeof(*out->cross));
        out->n_cross = n;
    }
    return MN_OK;
}
