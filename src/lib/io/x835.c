/*
 * io/x835.c: the 835 reader (mednec/x12.h).
 *
 * An 835 is read in the order of its loops: the header (BPR, TRN), the
 * payer (N1*PR, loop 1000A) and payee (N1*PE, 1000B), then claim payments
 * (CLP, loop 2100) each with its service lines (SVC, loop 2110). A claim
 * payment is handed out when the next one, the footer (PLB) or SE comes.
 * Every CAS triple (group, reason, amount, quantity; up to six per
 * segment) is kept in order, with the number of its CAS segment and its
 * place in it.
 *
 * The checks are those of the segments read: their order (a service line
 * before any claim payment), numbers and dates that do not parse, limits.
 * Segments the reader does not use are left alone.
 */
#include <stdio.h>
#include <string.h>

#include "io/x12scan.h"

#define DEF_MAX_SERVICES 10000
#define MAX_CLAIM_ADJ 256   /* CAS triples at the claim level */
#define MAX_SERVICE_ADJ 256 /* CAS triples of one service line */
#define MAX_REMARKS 64      /* per service line or claim */

typedef struct svc_int {
    char qualifier[4];
    char code[16];
    char modifiers[4][3];
    size_t n_mod;
    int64_t charge, paid, allowed;
    char revenue[8];
    char units_paid[16];
    char units_billed[16];
    char billed_code[48];
    char date_start[11], date_end[11];
    char control[32];
    char policy[32];
    size_t first_adj, n_adj; /* into the claim's service adjustments */
    size_t first_rem, n_rem; /* into the remarks */
    unsigned n_cas;
    size_t segment;
} svc_int;

typedef char remark[8];

struct mn_x835 {
    mn_x835_options o;
    mn_x12env *env;
    /* the payment */
    char payer[64], payee[64], payee_npi[16], pay_date[11], trace[32];
    char prod_date[11]; /* DTM*405 of the header */
    /* the claim payment being read */
    bool open;
    char claim_id[64], status[4], filing[4], payer_claim[48], facility[4],
        frequency[4];
    int64_t charge, paid, patient_resp;
    char pat_last[64], pat_first[64], pat_id[64], rendering[16];
    char stmt_start[11], stmt_end[11], policy[32];
    size_t segment;
    unsigned claim_cas;
    size_t errors;    /* issues in the claim's segments */
    mn_vec claim_adj; /* mn_x835_adjustment */
    mn_vec claim_rem; /* remark */
    mn_vec svcs;      /* svc_int */
    mn_vec svc_adj;   /* mn_x835_adjustment */
    mn_vec svc_rem;   /* remark */
    /* delivery buffers */
    mn_vec pub_svcs; /* mn_x835_service */
    mn_vec rem_ptrs; /* const char * */
    mn_x835_stats stats;
    bool in_set;
    int rc;
};

static const char *const guides[] = {"005010X221", NULL};

static void issue(mn_x835 *r, bool err, mn_x12_kind kind, const mn_x12seg *s,
                  size_t el, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void issue(mn_x835 *r, bool err, mn_x12_kind kind, const mn_x12seg *s,
                  size_t el, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    mn_x__x12_issue(r->env, err ? MN_X12_ERROR : MN_X12_WARNING, kind,
                    MN_EINVAL, s, el, 0, r->open ? "2100" : "",
                    r->open ? r->claim_id : NULL, "%s", msg);
    if (r->open && err)
        r->errors++;
}

static int push(mn_x835 *r, mn_vec *v, const void *x, size_t n)
{
    int rc = mn_x__vec_push(v, x, n);

    if (rc == MN_ENOMEM)
        r->rc = MN_ENOMEM;
    return rc;
}

/* An amount element; absent is MN_X835_NO_AMOUNT, malformed an error. */
static int64_t amount(mn_x835 *r, const mn_x12seg *s, size_t i)
{
    int64_t v;

    if (!mn_x__x12_has(s, i))
        return MN_X835_NO_AMOUNT;
    if (!mn_x__x12_amount(&v, s->el[i], s->len[i])) {
        issue(r, true, MN_X12_VALUE, s, i, "expected an amount");
        return MN_X835_NO_AMOUNT;
    }
    return v;
}

static void date(mn_x835 *r, char out[11], const mn_x12seg *s, size_t i)
{
    if (!mn_x__x12_date(out, i < s->n ? s->el[i] : "",
                        i < s->n ? s->len[i] : 0)) {
        out[0] = '\0';
        issue(r, true, MN_X12_VALUE, s, i, "expected a date (CCYYMMDD)");
    }
}

/* ------------------------------------------------------------------ */
/* Claims                                                              */
/* ------------------------------------------------------------------ */

static void deliver(mn_x835 *r)
{
    mn_x835_claim c;
    size_t ns;
    svc_int *si;
    mn_x835_service *ps;
    const char **rp;
    size_t nrem_ptr;

    if (!r->open || r->rc)
        goto done;
    ns = MN_VEC_COUNT(&r->svcs, svc_int);
    si = (svc_int *)r->svcs.data;
    /* the public views: services, and pointers to every remark (the
       claim's first, then each service's) */
    r->pub_svcs.len = 0;
    r->rem_ptrs.len = 0;
    if (mn_x__vec_reserve(&r->pub_svcs, (ns ? ns : 1) * sizeof(*ps)) ||
        mn_x__vec_reserve(&r->rem_ptrs,
                          (MN_VEC_COUNT(&r->claim_rem, remark) +
                           MN_VEC_COUNT(&r->svc_rem, remark) + 1) *
                              sizeof(char *))) {
        r->rc = MN_ENOMEM;
        goto done;
    }
    rp = (const char **)r->rem_ptrs.data;
    nrem_ptr = 0;
    for (size_t i = 0; i < MN_VEC_COUNT(&r->claim_rem, remark); i++)
        rp[nrem_ptr++] = MN_VEC_AT(&r->claim_rem, remark, i);
    for (size_t i = 0; i < MN_VEC_COUNT(&r->svc_rem, remark); i++)
        rp[nrem_ptr++] = MN_VEC_AT(&r->svc_rem, remark, i);
    ps = (mn_x835_service *)r->pub_svcs.data;
    for (size_t i = 0; i < ns; i++) {
        svc_int *x = &si[i];
        mn_x835_service *p = &ps[i];
        memset(p, 0, sizeof(*p));
        p->qualifier = x->qualifier;
        p->code = x->code;
        p->n_modifiers = x->n_mod;
        for (size_t m = 0; m < 4; m++)
            p->modifiers[m] = m < x->n_mod ? x->modifiers[m] : NULL;
        p->charge = x->charge;
        p->paid = x->paid;
        p->revenue_code = x->revenue;
        p->units_paid = x->units_paid;
        p->units_billed = x->units_billed[0] ? x->units_billed : x->units_paid;
        p->billed_code = x->billed_code;
        p->date_start = x->date_start;
        p->date_end = x->date_end[0] ? x->date_end : x->date_start;
        p->allowed = x->allowed;
        p->control_number = x->control;
        p->policy = x->policy[0] ? x->policy : r->policy;
        p->n_adjustments = x->n_adj;
        p->adjustments =
            x->n_adj ? &MN_VEC_AT(&r->svc_adj, mn_x835_adjustment, x->first_adj)
                     : NULL;
        p->n_remarks = x->n_rem;
        p->remarks =
            x->n_rem ? rp + MN_VEC_COUNT(&r->claim_rem, remark) + x->first_rem
                     : NULL;
        p->segment = x->segment;
    }
    memset(&c, 0, sizeof(c));
    c.claim_id = r->claim_id;
    c.status = r->status;
    c.charge = r->charge;
    c.paid = r->paid;
    c.patient_resp = r->patient_resp;
    c.filing = r->filing;
    c.payer_claim_number = r->payer_claim;
    c.facility = r->facility;
    c.frequency = r->frequency;
    c.patient_last = r->pat_last;
    c.patient_first = r->pat_first;
    c.patient_id = r->pat_id;
    c.rendering_npi = r->rendering;
    c.statement_start = r->stmt_start;
    c.statement_end = r->stmt_end[0] ? r->stmt_end : r->stmt_start;
    c.policy = r->policy;
    c.n_adjustments = MN_VEC_COUNT(&r->claim_adj, mn_x835_adjustment);
    c.adjustments =
        c.n_adjustments ? (const mn_x835_adjustment *)r->claim_adj.data : NULL;
    c.n_remarks = MN_VEC_COUNT(&r->claim_rem, remark);
    c.remarks = c.n_remarks ? rp : NULL;
    c.n_services = ns;
    c.services = ns ? ps : NULL;
    c.payer = r->payer;
    c.payee = r->payee;
    c.payee_npi = r->payee_npi;
    c.payment_date = r->pay_date;
    c.production_date = r->prod_date;
    c.trace_number = r->trace;
    c.interchange = mn_x__x12env_interchange(r->env);
    c.transaction = mn_x__x12env_transaction(r->env);
    c.segment = r->segment;
    c.errors = r->errors;
    r->stats.claims++;
    r->stats.services += ns;
    {
        int rc = r->o.on_claim(r->o.payload, &c);
        if (rc)
            r->rc = rc;
    }
done:
    r->open = false;
}

static void start_claim(mn_x835 *r, const mn_x12seg *s)
{
    deliver(r);
    r->open = true;
    mn_x__x12_copy(r->claim_id, sizeof(r->claim_id), s, 1);
    mn_x__x12_copy(r->status, sizeof(r->status), s, 2);
    mn_x__x12_copy(r->filing, sizeof(r->filing), s, 6);
    mn_x__x12_copy(r->payer_claim, sizeof(r->payer_claim), s, 7);
    mn_x__x12_copy(r->facility, sizeof(r->facility), s, 8);
    mn_x__x12_copy(r->frequency, sizeof(r->frequency), s, 9);
    r->errors = 0;
    r->charge = amount(r, s, 3);
    r->paid = amount(r, s, 4);
    r->patient_resp = amount(r, s, 5);
    r->pat_last[0] = r->pat_first[0] = r->pat_id[0] = '\0';
    r->rendering[0] = '\0';
    r->stmt_start[0] = r->stmt_end[0] = r->policy[0] = '\0';
    r->segment = s->number;
    r->claim_cas = 0;
    r->claim_adj.len = r->claim_rem.len = 0;
    r->svcs.len = r->svc_adj.len = r->svc_rem.len = 0;
    if (!mn_x__x12_has(s, 1))
        issue(r, true, MN_X12_STRUCTURE, s, 1,
              "a required element is missing (the claim id)");
}

static svc_int *cur_svc(mn_x835 *r)
{
    size_t n = MN_VEC_COUNT(&r->svcs, svc_int);
    return n ? &MN_VEC_AT(&r->svcs, svc_int, n - 1) : NULL;
}

static void start_service(mn_x835 *r, const mn_x12seg *s)
{
    char comp = mn_x__x12env_comp(r->env);
    svc_int x;
    const char *v;
    size_t n;

    if (!r->open) {
        issue(r, true, MN_X12_STRUCTURE, s, 0,
              "service line (SVC) before any claim payment (CLP): it is not "
              "read");
        return;
    }
    if (MN_VEC_COUNT(&r->svcs, svc_int) >= r->o.max_services) {
        issue(r, true, MN_X12_STRUCTURE, s, 0,
              "more than %zu service lines in one claim payment: the rest "
              "are not read",
              r->o.max_services);
        return;
    }
    memset(&x, 0, sizeof(x));
    x.segment = s->number;
    mn_x__x12_comp(&v, &n, s, 1, 1, comp);
    snprintf(x.qualifier, sizeof(x.qualifier), "%.*s", (int)n, v);
    mn_x__x12_comp(&v, &n, s, 1, 2, comp);
    snprintf(x.code, sizeof(x.code), "%.*s", (int)n, v);
    for (size_t k = 3; k <= 6; k++) {
        if (mn_x__x12_comp(&v, &n, s, 1, k, comp) && n <= 2)
            snprintf(x.modifiers[x.n_mod++], 3, "%.*s", (int)n, v);
    }
    if (!x.code[0])
        issue(r, true, MN_X12_STRUCTURE, s, 1,
              "a required element is missing (SVC01-2, the code)");
    x.charge = amount(r, s, 2);
    x.paid = amount(r, s, 3);
    mn_x__x12_copy(x.revenue, sizeof(x.revenue), s, 4);
    mn_x__x12_copy(x.units_paid, sizeof(x.units_paid), s, 5);
    mn_x__x12_copy(x.billed_code, sizeof(x.billed_code), s, 6);
    mn_x__x12_copy(x.units_billed, sizeof(x.units_billed), s, 7);
    x.allowed = MN_X835_NO_AMOUNT;
    x.first_adj = MN_VEC_COUNT(&r->svc_adj, mn_x835_adjustment);
    x.first_rem = MN_VEC_COUNT(&r->svc_rem, remark);
    if (s->n > 8)
        issue(r, false, MN_X12_SYNTAX, s, 8,
              "SVC has %zu elements, at most 7: the others are not read",
              s->n - 1);
    push(r, &r->svcs, &x, sizeof(x));
}

/* CAS: a group code, then up to six (reason, amount, quantity). */
static void cas(mn_x835 *r, const mn_x12seg *s, mn_vec *into, unsigned cas_no,
                size_t *count, size_t max)
{
    char group[3];

    mn_x__x12_copy(group, sizeof(group), s, 1);
    if (!mn_x__x12_has(s, 1) || s->len[1] != 2) {
        issue(r, true, MN_X12_STRUCTURE, s, 1,
              "expected an adjustment group code (CO, PR, OA, PI, CR)");
        return;
    }
    for (unsigned t = 0; t < 6; t++) {
        size_t i = 2 + 3 * t;
        mn_x835_adjustment a;
        if (!mn_x__x12_has(s, i)) {
            if (t == 0)
                issue(r, true, MN_X12_STRUCTURE, s, i,
                      "a required element is missing (the reason code)");
            if (mn_x__x12_has(s, i + 1))
                issue(r, true, MN_X12_STRUCTURE, s, i,
                      "an adjustment amount without its reason code");
            continue;
        }
        memset(&a, 0, sizeof(a));
        memcpy(a.group, group, sizeof(a.group));
        mn_x__x12_copy(a.carc, sizeof(a.carc), s, i);
        a.amount = amount(r, s, i + 1);
        mn_x__x12_copy(a.quantity, sizeof(a.quantity), s, i + 2);
        a.cas = cas_no;
        a.triple = t + 1;
        if (*count >= max) {
            issue(r, true, MN_X12_STRUCTURE, s, i,
                  "more than %zu adjustments: the rest are not read", max);
            return;
        }
        if (push(r, into, &a, sizeof(a)) == MN_OK)
            (*count)++;
    }
    if (s->n > 20)
        issue(r, false, MN_X12_SYNTAX, s, 20,
              "CAS has %zu elements, at most 19: the others are not read",
              s->n - 1);
}

static void add_remark(mn_x835 *r, const mn_x12seg *s, size_t i, mn_vec *into,
                       size_t *count)
{
    remark rm;

    if (!mn_x__x12_has(s, i))
        return;
    if (*count >= MAX_REMARKS) {
        issue(r, true, MN_X12_STRUCTURE, s, i,
              "more than %d remark codes: the rest are not read", MAX_REMARKS);
        return;
    }
    mn_x__x12_copy(rm, sizeof(rm), s, i);
    if (push(r, into, rm, sizeof(rm)) == MN_OK)
        (*count)++;
}

static int on_segment(void *self, const mn_x12seg *s)
{
    mn_x835 *r = self;
    svc_int *sv = NULL;
    size_t dummy;

    if (r->rc)
        return r->rc;
    switch (s->id) {
    case MN_X12_ID3('B', 'P', 'R'):
        if (mn_x__x12_has(s, 16))
            date(r, r->pay_date, s, 16);
        break;
    case MN_X12_ID3('T', 'R', 'N'):
        mn_x__x12_copy(r->trace, sizeof(r->trace), s, 2);
        break;
    case MN_X12_ID2('N', '1'):
        if (mn_x__x12_is(s, 1, "PR")) {
            mn_x__x12_copy(r->payer, sizeof(r->payer), s, 2);
        } else if (mn_x__x12_is(s, 1, "PE")) {
            mn_x__x12_copy(r->payee, sizeof(r->payee), s, 2);
            r->payee_npi[0] = '\0';
            if (mn_x__x12_is(s, 3, "XX"))
                mn_x__x12_copy(r->payee_npi, sizeof(r->payee_npi), s, 4);
        }
        break;
    case MN_X12_ID2('L', 'X'):
        deliver(r);
        break;
    case MN_X12_ID3('C', 'L', 'P'):
        start_claim(r, s);
        break;
    case MN_X12_ID3('S', 'V', 'C'):
        start_service(r, s);
        break;
    case MN_X12_ID3('P', 'L', 'B'):
        deliver(r);
        break;
    default:
        if (!r->open) {
            /* the header's production date (the remittance's date) */
            if (s->id == MN_X12_ID3('D', 'T', 'M') && mn_x__x12_is(s, 1, "405"))
                date(r, r->prod_date, s, 2);
            break;
        }
        sv = cur_svc(r);
        switch (s->id) {
        case MN_X12_ID3('N', 'M', '1'):
            if (mn_x__x12_is(s, 1, "QC")) {
                mn_x__x12_copy(r->pat_last, sizeof(r->pat_last), s, 3);
                mn_x__x12_copy(r->pat_first, sizeof(r->pat_first), s, 4);
                mn_x__x12_copy(r->pat_id, sizeof(r->pat_id), s, 9);
            } else if (mn_x__x12_is(s, 1, "82") && mn_x__x12_is(s, 8, "XX")) {
                mn_x__x12_copy(r->rendering, sizeof(r->rendering), s, 9);
            }
            break;
        case MN_X12_ID3('C', 'A', 'S'):
            if (sv) {
                sv->n_cas++;
                cas(r, s, &r->svc_adj, sv->n_cas, &sv->n_adj, MAX_SERVICE_ADJ);
            } else {
                r->claim_cas++;
                dummy = MN_VEC_COUNT(&r->claim_adj, mn_x835_adjustment);
                cas(r, s, &r->claim_adj, r->claim_cas, &dummy, MAX_CLAIM_ADJ);
            }
            break;
        case MN_X12_ID3('D', 'T', 'M'):
            if (sv && (mn_x__x12_is(s, 1, "472") || mn_x__x12_is(s, 1, "150")))
                date(r, sv->date_start, s, 2);
            else if (sv && mn_x__x12_is(s, 1, "151"))
                date(r, sv->date_end, s, 2);
            else if (!sv && mn_x__x12_is(s, 1, "232"))
                date(r, r->stmt_start, s, 2);
            else if (!sv && mn_x__x12_is(s, 1, "233"))
                date(r, r->stmt_end, s, 2);
            if (sv && mn_x__x12_is(s, 1, "472") && !sv->date_end[0])
                memcpy(sv->date_end, sv->date_start, sizeof(sv->date_end));
            break;
        case MN_X12_ID3('R', 'E', 'F'):
            if (mn_x__x12_is(s, 1, "0K")) {
                if (sv)
                    mn_x__x12_copy(sv->policy, sizeof(sv->policy), s, 2);
                else
                    mn_x__x12_copy(r->policy, sizeof(r->policy), s, 2);
            } else if (sv && mn_x__x12_is(s, 1, "6R")) {
                mn_x__x12_copy(sv->control, sizeof(sv->control), s, 2);
            }
            break;
        case MN_X12_ID3('A', 'M', 'T'):
            if (sv && mn_x__x12_is(s, 1, "B6"))
                sv->allowed = amount(r, s, 2);
            break;
        case MN_X12_ID2('L', 'Q'):
            if (!sv) {
                issue(r, false, MN_X12_STRUCTURE, s, 0,
                      "LQ outside a service line");
            } else if (mn_x__x12_is(s, 1, "HE")) {
                add_remark(r, s, 2, &r->svc_rem, &sv->n_rem);
            }
            break;
        case MN_X12_ID3('M', 'O', 'A'):
            dummy = MN_VEC_COUNT(&r->claim_rem, remark);
            for (size_t i = 3; i <= 7; i++)
                add_remark(r, s, i, &r->claim_rem, &dummy);
            break;
        case MN_X12_ID3('M', 'I', 'A'):
            dummy = MN_VEC_COUNT(&r->claim_rem, remark);
            add_remark(r, s, 5, &r->claim_rem, &dummy);
            for (size_t i = 20; i <= 24; i++)
                add_remark(r, s, i, &r->claim_rem, &dummy);
            break;
        default:
            break;
        }
        break;
    }
    return r->rc;
}

/* Remarks of a service are appended in order, so they stay contiguous
 * only while the line is the last one: LQ of an earlier line is not
 * possible in the 835 order, which the reader follows. */

static int on_start(void *self, const mn_x12seg *st, const char *impl)
{
    mn_x835 *r = self;

    (void)st;
    (void)impl;
    r->open = false;
    r->payer[0] = r->payee[0] = r->payee_npi[0] = '\0';
    r->pay_date[0] = r->trace[0] = r->prod_date[0] = '\0';
    r->in_set = true;
    r->stats.transactions++;
    return r->rc;
}

static int on_end(void *self, const mn_x12seg *se, const mn_x12_kept *error)
{
    mn_x835 *r = self;

    (void)se;
    if (error && r->open)
        r->errors++; /* the claim payment may have lost its last lines */
    deliver(r);
    r->in_set = false;
    return r->rc;
}

static int on_lost(void *self, const mn_x12_kept *k)
{
    mn_x835 *r = self;

    (void)k;
    if (r->open)
        r->errors++;
    return r->rc;
}

static int on_envelope(void *self, const mn_x12_kept *k)
{
    mn_x835 *r = self;

    if (k->code == MN_ENOTFOUND || k->code == MN_EVERSION)
        r->stats.refused_sets++;
    return r->rc;
}

int mn_x835_new(mn_x835 **out, const mn_x835_options *opts, mn_error *err)
{
    mn_x835 *r = NULL;
    mn_x12env_options eo;
    mn_x12_handler h;
    int rc = MN_OK;

    if (!out || !opts || !opts->on_claim ||
        opts->version != MN_X835_OPTIONS_VERSION) {
        rc = mn_x__err(err, MN_EINVAL, "missing argument or callback");
        goto done;
    }
    r = mn_x__calloc(1, sizeof(*r));
    if (!r) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    r->o = *opts;
    if (!r->o.max_services)
        r->o.max_services = DEF_MAX_SERVICES;
    memset(&eo, 0, sizeof(eo));
    eo.name = opts->name ? opts->name : "";
    eo.set_id = "835";
    eo.reads = "remittances";
    eo.guides = guides;
    eo.guide_labels = "005010X221A1";
    eo.max_segment = opts->max_segment;
    eo.max_elements = opts->max_elements;
    eo.on_issue = opts->on_issue;
    eo.payload = opts->payload;
    h.set_start = on_start;
    h.segment = on_segment;
    h.set_end = on_end;
    h.segment_lost = on_lost;
    h.envelope_error = on_envelope;
    h.self = r;
    if (mn_x__x12env_new(&r->env, &eo, &h)) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
done:
    if (rc) {
        mn_x835_free(r);
        r = NULL;
    }
    if (out)
        *out = r;
    return rc;
}

int mn_x835_service_denied(const mn_x835_claim *c, const mn_x835_service *s)
{
    static const char *const share[] = {"1", "2", "3", "45", "253"};
    /* unpaid without an adjustment of its own (the claim's CAS holds it):
       denied */
    bool other = s && s->n_adjustments == 0;

    if (!c || !s)
        return 0;
    if (c->status && strcmp(c->status, "4") == 0)
        return 1;
    if ((s->paid != MN_X835_NO_AMOUNT && s->paid != 0) ||
        s->charge == MN_X835_NO_AMOUNT || s->charge <= 0)
        return 0;
    for (size_t i = 0; i < s->n_adjustments && !other; i++) {
        size_t k = 0;
        while (k < 5 && strcmp(s->adjustments[i].carc, share[k]) != 0)
            k++;
        other = k == 5;
    }
    return other;
}

int mn_x835_feed(mn_x835 *r, const char *data, size_t len, mn_error *err)
{
    if (!r || (!data && len))
        return mn_x__err(err, MN_EINVAL, "missing argument");
    return mn_x__x12env_step(r->env, &r->rc, data, len, false, err);
}

int mn_x835_finish(mn_x835 *r, mn_error *err)
{
    if (!r)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    return mn_x__x12env_step(r->env, &r->rc, NULL, 0, true, err);
}

void mn_x835_free(mn_x835 *r)
{
    if (!r)
        return;
    mn_x__x12env_free(r->env);
    mn_x__vec_free(&r->claim_adj);
    mn_x__vec_free(&r->claim_rem);
    mn_x__vec_free(&r->svcs);
    mn_x__vec_free(&r->svc_adj);
    mn_x__vec_free(&r->svc_rem);
    mn_x__vec_free(&r->pub_svcs);
    mn_x__vec_free(&r->rem_ptrs);
    mn_x__free(r);
}

void mn_x835_get_stats(mn_x835_stats *out, const mn_x835 *r)
{
    mn_x12env_stats es;

    if (!out || !r)
        return;
    *out = r->stats;
    mn_x__x12env_stats(&es, r->env);
    out->bytes = es.bytes;
    out->segments = es.segments;
    out->errors = es.errors;
    out->warnings = es.warnings;
}

int mn_x835_read(const char *data, size_t len, const mn_x835_options *opts,
                 mn_x835_stats *stats, mn_error *err)
{
    mn_x835 *r = NULL;
    int rc = mn_x835_new(&r, opts, err);

    if (rc == MN_OK)
        rc = mn_x835_feed(r, data, len, err);
    if (rc == MN_OK)
        rc = mn_x835_finish(r, err);
    if (stats && r)
        mn_x835_get_stats(stats, r);
    mn_x835_free(r);
    return rc;
}
