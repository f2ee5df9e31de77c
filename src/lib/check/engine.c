/*
 * check/engine.c: the engine's entry points: contexts, and mn_check, which
 * copies what the result needs of the claim into the context's arena and
 * runs every check module on every line, in the order of check/check.h.
 */
#include <string.h>

#include "check/check.h"
#include "kb/kb_int.h"

int mn_ctx_new(mn_ctx **out, size_t max_bytes, mn_error *err)
{
    mn_ctx *c;

    if (!out)
        return mn_x__err(err, MN_EINVAL, "missing argument");
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

int mn_check(const mn_result **out, mn_ctx *ctx, const mn_kb *kb,
             const mn_claim *claim, mn_error *err)
{
    return mn_check_with(out, ctx, kb, claim, NULL, err);
}

/* The claim's diagnoses as the checks and the result see them: keys and
 * dotted text in the arena (the result never points into the claim). */
static mn_cdx *copy_dx(mn_ctx *ctx, const mn_claim *claim)
{
    mn_cdx *v = mn_x__arena_alloc(ctx->arena,
                                  (claim->n_dx ? claim->n_dx : 1) * sizeof(*v));
    char *text = mn_x__arena_alloc(ctx->arena, (claim->n_dx ? claim->n_dx : 1) *
                                                   sizeof(claim->dx[0].text));

    if (!v || !text)
        return NULL;
    for (size_t i = 0; i < claim->n_dx; i++) {
        char *t = text + i * sizeof(claim->dx[0].text);
        memcpy(t, claim->dx[i].text, sizeof(claim->dx[0].text));
        t[sizeof(claim->dx[0].text) - 1] = '\0';
        v[i].key = claim->dx[i].key;
        v[i].text = t;
        v[i].not_icd = claim->dx[i].not_icd;
        v[i].icd9 = claim->dx[i].icd9 != 0;
    }
    return v;
}

/* The claim's providers as arena copies: [0] the claim's own, [i] its
 * i-th line provider; NULL entries where there is none. */
static const char **copy_providers(mn_ctx *ctx, const mn_claim *claim)
{
    size_t n = claim->n_providers + 1;
    const char **v = mn_x__arena_alloc(ctx->arena, n * sizeof(*v));

    for (size_t i = 0; v && i < n; i++) {
        const char *p = i ? claim->providers[i - 1] : claim->provider;
        v[i] = p ? mn_x__arena_strndup(ctx->arena, p, strlen(p)) : NULL;
        if (p && !v[i])
            v = NULL;
    }
    return v;
}

/* Sets up the state of line `li` and the line result's copies of it. */
static void start_line(mn_lstate *s, mn_ctx *ctx, const mn_claim *claim,
                       size_t li, const char **providers)
{
    const mn_claim_line *ln = &claim->lines[li];
    mn_line_result *lr = s->lr;

    s->line = ln;
    s->line_index = li;
    s->nomem = false;
    s->date = ln->date != MN_NODATE ? ln->date : claim->date;
    if (ctx->year_kb != s->kb || s->date != ctx->year_date) {
        /* the code-set years follow the date; most lines share one */
        ctx->icd_year = mn_x__kb_icd_version(s->kb, s->date);
        ctx->icd_near = mn_x__kb_icd_year(s->kb, s->date);
        ctx->mce_ver = mn_x__kb_mce_strict(s->kb, s->date);
        ctx->year_date = s->date;
        ctx->year_kb = s->kb;
    }
    s->icd_year = ctx->icd_year;
    s->icd_near = ctx->icd_near;
    s->mce_ver = ctx->mce_ver;
    s->n_dx = 0;
    if (ln->n_pointers) {
        for (unsigned p = 0; p < ln->n_pointers; p++) {
            unsigned ix = ln->pointers[p];
            if (ix >= 1 && ix <= claim->n_dx)
                s->dx[s->n_dx++] = &s->cdx[ix - 1];
        }
    } else {
        for (size_t d = 0;
             d < claim->n_dx && s->n_dx < sizeof(s->dx) / sizeof(s->dx[0]); d++)
            s->dx[s->n_dx++] = &s->cdx[d];
    }

    lr->line = ln->number ? ln->number : li + 1;
    lr->provider = ln->provider && ln->provider <= claim->n_providers
                       ? providers[ln->provider]
                       : providers[0];
    lr->charge = ln->charge;
    lr->units = ln->units;
    memcpy(lr->revenue, ln->revenue, sizeof(lr->revenue));
    memcpy(lr->code, ln->code_text, sizeof(lr->code));
    lr->date = s->date;
    lr->status = MN_STATUS_COVERED;
    lr->abn = MN_ABN_NOT_NEEDED;
    lr->payable_again = MN_NODATE;
    lr->n_mods =
        (unsigned char)(ln->n_modifiers < MN_MAX_MODIFIERS ? ln->n_modifiers
                                                           : MN_MAX_MODIFIERS);
    memcpy(lr->mods, ln->modifiers, sizeof(lr->mods));
    lr->n_ptr =
        (unsigned char)(ln->n_pointers < MN_MAX_POINTERS ? ln->n_pointers
                                                         : MN_MAX_POINTERS);
    memcpy(lr->ptr, ln->pointers, sizeof(lr->ptr));
}

int mn_check_with(const mn_result **out, mn_ctx *ctx, const mn_kb *kb,
                  const mn_claim *claim, const mn_check_options *opts,
                  mn_error *err)
{
    mn_result *res;
    mn_prior_set prior;
    mn_lstate s;
    const char **providers;
    int rc;

    if (!out || !ctx || !kb || !claim)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    *out = NULL;
    if ((rc = mn_x__claim_check_dates(claim, err)))
        return rc;
    mn_ctx_reset(ctx);
    res = &ctx->res;
    res->kb = kb;
    res->status = MN_STATUS_COVERED;
    res->n_lines = claim->n_lines;
    res->lines =
        mn_x__arena_alloc(ctx->arena, (claim->n_lines ? claim->n_lines : 1) *
                                          sizeof(*res->lines));
    memset(&s, 0, sizeof(s));
    s.cdx = copy_dx(ctx, claim);
    if (!res->lines || !s.cdx)
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    res->dx = s.cdx;
    res->n_dx = claim->n_dx;
    memset(res->lines, 0, claim->n_lines * sizeof(*res->lines));
    if (claim->id) {
        res->id = mn_x__arena_strndup(ctx->arena, claim->id, strlen(claim->id));
        if (!res->id)
            return mn_x__err(err, MN_ENOMEM, "out of memory");
    }
    providers = copy_providers(ctx, claim);
    if (!providers)
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    if ((rc = mn_x__prior_collect(&prior, ctx, claim, opts, err)))
        return rc;

    s.ctx = ctx;
    s.kb = kb;
    s.claim = claim;
    s.prior = prior.v;
    s.n_prior = prior.n;
    if (opts && opts->version >= 2 && opts->cross_claims) {
        bool any_provider = false;
        for (size_t li = 0; li < claim->n_lines && !any_provider; li++)
            any_provider = mn_x__claim_line_provider(claim, li) != NULL;
        if (!claim->patient_id || !claim->patient_id[0]) {
            res->cross = MN_CROSS_NO_PATIENT;
        } else if (!any_provider) {
            res->cross = MN_CROSS_NO_PROVIDER;
        } else {
            res->cross = MN_CROSS_CHECKED;
            s.cross = prior.cross;
            s.n_cross = prior.n_cross;
            res->n_cross = prior.n_cross;
        }
    }
    for (size_t li = 0; li < claim->n_lines; li++) {
        mn_line_result *lr = &res->lines[li];

        s.lr = lr;
        start_line(&s, ctx, claim, li, providers);
        s.line_provider =
            s.n_cross ? mn_x__cross_hash(mn_x__claim_line_provider(claim, li))
                      : 0;
        mn_x__check_code(&s);
        mn_x__check_modifiers(&s);
        mn_x__check_dx(&s);
        if (!s.line->not_procedure) {
            /* a line without a procedure code has nothing to judge */
            mn_x__check_policies(&s);
            mn_x__check_rules(&s);
            mn_x__check_ncci(&s);
        }
        mn_x__check_site(&s); /* last: decides the ABN and modifiers */
        mn_x__line_finish(&s);
        if (s.nomem)
            return mn_x__err(err, MN_ENOMEM, "out of memory");
        if (lr->status < res->status)
            res->status = lr->status;
    }
    *out = res;
    return MN_OK;
}
