/*
 * io/x837.c: the 837P/837I reader (mednec/x12.h).
 *
 * Each segment of an accepted transaction set is placed in the loop
 * structure of its guide (grammar.c): in the innermost open loop, else in
 * a child loop it starts, else in an enclosing loop (ending the inner
 * ones). A segment that fits nowhere, a required segment or loop that is
 * missing, a segment out of order or repeated too often, or a required
 * element left empty is an issue, kept in the loop where it was found.
 * Issues in what mednec reads are errors: a claim is handed out as read
 * only when neither its claim loop nor a loop above it has one. Loops
 * that are not claims or hierarchical levels hand their errors to their
 * parent when they end (an error in 2010AA concerns every claim of its
 * billing provider).
 *
 * The claim is built through the claim setters while its segments arrive;
 * a value a setter refuses is an error of the claim, located at the
 * segment and element it came from.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <xxhash.h>

#include "claim/claim_int.h"
#include "io/grammar.h"
#include "io/x12scan.h"

#define MAX_DEPTH 12
#define NAME 64

typedef struct frame {
    short loop;          /* loop of the grammar */
    unsigned char group; /* order slot reached */
    bool kids_started;
    short last_kid; /* index (within the loop's children) started last */
    size_t iteration;
    unsigned short segs[MN_G_LOOP_SEGS];
    unsigned short kids[MN_G_LOOP_KIDS];
    /* the first error found in it (or handed to it), and how many */
    bool has_err;
    size_t n_err;
    mn_x12_kept err;
} frame;

/* What the loops above the claim said. */
typedef struct party {
    char npi[16];
    char state[4];
} party;

typedef struct person {
    char id[NAME];
    char last[NAME];
    char first[NAME];
    char dob[11];
    char sex;
    char state[4];
} person;

struct mn_x837 {
    mn_x837_options o;
    mn_x12env *env;
    mn_grammar gp; /* 837P */
    mn_grammar gi; /* 837I */
    const mn_grammar *g;
    char variant; /* 'P' or 'I' for the open set */
    char impl[24];
    frame stack[MAX_DEPTH];
    int depth; /* frames in use, 0: no set open */
    /* what the claim takes from the loops above it */
    party billing;
    char sbr09[4];
    char payer[NAME];
    person subscriber;
    person patient;
    bool dependent;
    /* the claim being read */
    mn_claim *claim;
    char clm01[NAME];
    size_t clm_segment;
    char frequency;
    char stmt_date[11];
    party rendering; /* 2310B (P) / 2310D (I) */
    party facility;  /* 2310C (P) / 2310E (I) */
    bool dme_cert;   /* a CR3 (DME certification) on a line */
    long line;       /* index of the open service line, -1 none */
    unsigned lx;     /* LX01 of the open service line, 0 none */
    bool line_skipped;
    bool line_dated;
    size_t lines_skipped;
    unsigned first_hi; /* diagnoses of the first HI (the pointers') */
    bool in_claim;
    unsigned char role_p[MN_G_MAX_LOOPS]; /* role of each loop (enum) */
    unsigned char role_i[MN_G_MAX_LOOPS];
    const unsigned char *role;
    mn_x837_stats stats;
    int rc; /* a callback's return or MN_ENOMEM: the reader stops */
};

static const char *const guides[] = {"005010X222", "005010X223", NULL};

/* What a loop means to the claim. */
enum {
    R_NONE = 0,
    R_BILLING_HL,    /* 2000A */
    R_BILLING,       /* 2010AA */
    R_SUB_HL,        /* 2000B */
    R_SUBSCRIBER,    /* 2010BA */
    R_PAYER,         /* 2010BB */
    R_PAT_HL,        /* 2000C */
    R_PATIENT,       /* 2010CA */
    R_CLAIM,         /* 2300 */
    R_RENDERING,     /* 2310B (837P), 2310D (837I) */
    R_FACILITY,      /* 2310C (837P), 2310E (837I) */
    R_LINE,          /* 2400 */
    R_LINE_RENDERING /* 2420A (837P), 2420C (837I) */
};

static void roles(unsigned char *out, const mn_grammar *g, char variant)
{
    static const struct {
        const char *name;
        char variant; /* 0: both */
        unsigned char role;
    } map[] = {
        {"2000A", 0, R_BILLING_HL},
        {"2010AA", 0, R_BILLING},
        {"2000B", 0, R_SUB_HL},
        {"2010BA", 0, R_SUBSCRIBER},
        {"2010BB", 0, R_PAYER},
        {"2000C", 0, R_PAT_HL},
        {"2010CA", 0, R_PATIENT},
        {"2300", 0, R_CLAIM},
        {"2310B", 'P', R_RENDERING},
        {"2310D", 'I', R_RENDERING},
        {"2310C", 'P', R_FACILITY},
        {"2310E", 'I', R_FACILITY},
        {"2400", 0, R_LINE},
        {"2420A", 'P', R_LINE_RENDERING},
        {"2420C", 'I', R_LINE_RENDERING},
    };

    memset(out, 0, MN_G_MAX_LOOPS);
    for (short i = 0; i < g->n_loops; i++) {
        for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++) {
            if ((!map[k].variant || map[k].variant == variant) &&
                strcmp(g->loops[i].name, map[k].name) == 0)
                out[i] = map[k].role;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Issues                                                              */
/* ------------------------------------------------------------------ */

static frame *top(mn_x837 *r)
{
    return r->depth ? &r->stack[r->depth - 1] : NULL;
}

static const char *loop_name(const mn_x837 *r, const frame *f)
{
    return f ? r->g->loops[f->loop].name : "";
}

/* Keeps an error in frame `f` (the first one, and the count). */
static void keep(frame *f, const mn_x12_kept *k)
{
    if (!f || !k || k->severity != MN_X12_ERROR)
        return;
    if (!f->has_err) {
        f->err = *k;
        f->has_err = true;
    }
    f->n_err++;
}

/* Reports an issue about `seg` in the innermost open loop and keeps it
 * in frame `f`; an error when `is_error`, else a warning. */
static void issue_k(mn_x837 *r, frame *f, bool is_error, mn_x12_kind kind,
                    const mn_x12seg *seg, size_t element, size_t component,
                    const char *fmt, ...) __attribute__((format(printf, 8, 9)));

/* A structural issue. */
#define issue(r, f, e, ...) issue_k(r, f, e, MN_X12_STRUCTURE, __VA_ARGS__)
/* A value issue. */
#define value_issue(r, f, e, ...) issue_k(r, f, e, MN_X12_VALUE, __VA_ARGS__)

static void issue_k(mn_x837 *r, frame *f, bool is_error, mn_x12_kind kind,
                    const mn_x12seg *seg, size_t element, size_t component,
                    const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    const mn_x12_kept *k;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    k = mn_x__x12_issue(r->env, is_error ? MN_X12_ERROR : MN_X12_WARNING, kind,
                        MN_EINVAL, seg, element, component,
                        loop_name(r, top(r)), r->in_claim ? r->clm01 : NULL,
                        "%s", msg);
    if (is_error)
        keep(f, k);
}

/* A claim setter refused a value: an error of the claim. */
static void claim_error(mn_x837 *r, const mn_x12seg *seg, size_t element,
                        size_t component, const mn_error *err)
{
    frame *f = NULL;

    for (int i = r->depth - 1; i >= 0 && !f; i--) {
        if (r->g->loops[r->stack[i].loop].claim)
            f = &r->stack[i];
    }
    if (err->code == MN_ENOMEM) {
        r->rc = MN_ENOMEM;
        return;
    }
    value_issue(r, f ? f : top(r), true, seg, element, component, "%s",
                err->message);
}

/* ------------------------------------------------------------------ */
/* Items                                                               */
/* ------------------------------------------------------------------ */

static void emit(mn_x837 *r, mn_x837_item *it)
{
    int rc;

    if (r->rc)
        return;
    rc = r->o.on_item(r->o.payload, it);
    if (rc)
        r->rc = rc;
}

static int envelope_error(void *self, const mn_x12_kept *k)
{
    mn_x837 *r = self;
    mn_x837_item it;
    mn_x12_issue view;

    memset(&it, 0, sizeof(it));
    mn_x__x12_view(&view, k, r->env);
    it.error = &view;
    it.errors = 1;
    it.claim_id = "";
    it.implementation = "";
    it.interchange = view.interchange;
    it.transaction = view.transaction;
    it.segment = view.segment;
    if (k->code == MN_ENOTFOUND || k->code == MN_EVERSION)
        r->stats.refused_sets++;
    emit(r, &it);
    return r->rc;
}

/* ------------------------------------------------------------------ */
/* Building the claim                                                  */
/* ------------------------------------------------------------------ */

static bool el_is(const mn_x12seg *s, size_t i, const char *lit)
{
    return mn_x__x12_is(s, i, lit);
}

static void el_copy(char *out, size_t size, const mn_x12seg *s, size_t i)
{
    mn_x__x12_copy(out, size, s, i);
}

/* The date (or a range's first date) of DTP02/DTP03 into YYYY-MM-DD. */
static bool dtp_date(char out[11], const mn_x12seg *s)
{
    if (s->n < 4)
        return false;
    if (el_is(s, 2, "D8"))
        return mn_x__x12_date(out, s->el[3], s->len[3]);
    if (el_is(s, 2, "RD8") && s->len[3] == 17 && s->el[3][8] == '-')
        return mn_x__x12_date(out, s->el[3], 8);
    return false;
}

static void claim_free(mn_x837 *r)
{
    mn_claim_free(r->claim);
    r->claim = NULL;
    r->in_claim = false;
}

static void start_claim(mn_x837 *r, const mn_x12seg *s)
{
    char comp = mn_x__x12env_comp(r->env);
    const char *v;
    size_t n;
    mn_error err;

    claim_free(r);
    r->in_claim = true;
    el_copy(r->clm01, sizeof(r->clm01), s, 1);
    r->clm_segment = s->number;
    r->frequency = 0;
    r->stmt_date[0] = '\0';
    memset(&r->rendering, 0, sizeof(r->rendering));
    memset(&r->facility, 0, sizeof(r->facility));
    r->dme_cert = false;
    r->line = -1;
    r->line_skipped = false;
    r->lines_skipped = 0;
    r->first_hi = 0;
    if (mn_claim_new(&r->claim, r->o.claim_options, &err)) {
        r->rc = MN_ENOMEM;
        return;
    }
    if (mn_x__x12_has(s, 1) &&
        mn_claim_set_id(r->claim, s->el[1], s->len[1], &err))
        claim_error(r, s, 1, 0, &err);
    if (r->variant == 'I' &&
        mn_claim_set_claim_type(r->claim, "institutional", 13, &err))
        claim_error(r, s, 5, 0, &err);
    if (mn_x__x12_comp(&v, &n, s, 5, 1, comp)) {
        if (r->variant == 'P') {
            if (mn_claim_set_place_of_service(r->claim, v, n, &err))
                claim_error(r, s, 5, 1, &err);
        } else {
            const char *f;
            size_t fn;
            char bill[4];
            if (n == 2 && mn_x__x12_comp(&f, &fn, s, 5, 3, comp) && fn == 1) {
                memcpy(bill, v, 2);
                bill[2] = f[0];
                if (mn_claim_set_bill_type(r->claim, bill, 3, &err))
                    claim_error(r, s, 5, 1, &err);
            }
        }
    }
    if (mn_x__x12_comp(&v, &n, s, 5, 3, comp)) {
        if (mn_claim_set_frequency(r->claim, v, n, &err))
            claim_error(r, s, 5, 3, &err);
        else
            r->frequency = r->claim->frequency;
    }
}

/* HI: the diagnoses, in order; other code lists (procedures, condition,
 * occurrence and value codes) are not diagnoses. */
static void add_hi(mn_x837 *r, const mn_x12seg *s)
{
    static const char *const icd10[] = {"ABK", "ABF", "ABJ", "APR", "ABN"};
    static const char *const icd9[] = {"BK", "BF", "BJ", "PR", "BN"};
    char comp = mn_x__x12env_comp(r->env);
    bool first = r->claim && r->claim->n_dx == 0;
    mn_error err;

    for (size_t i = 1; i < s->n && r->claim; i++) {
        const char *q;
        const char *code;
        size_t qn;
        size_t cn;
        int kind = 0;
        if (s->len[i] == 0)
            continue;
        mn_x__x12_comp(&q, &qn, s, i, 1, comp);
        for (size_t k = 0; k < 5 && !kind; k++) {
            if (qn == strlen(icd10[k]) && memcmp(q, icd10[k], qn) == 0)
                kind = 10;
            else if (qn == strlen(icd9[k]) && memcmp(q, icd9[k], qn) == 0)
                kind = 9;
        }
        if (!kind)
            continue; /* not a diagnosis list */
        if (!mn_x__x12_comp(&code, &cn, s, i, 2, comp)) {
            value_issue(r, top(r), true, s, i, 2,
                        "the diagnosis code is missing (qualifier %.*s)",
                        (int)qn, q);
            continue;
        }
        if ((kind == 10
                 ? mn_claim_add_diagnosis(r->claim, code, cn, &err)
                 : mn_claim_add_diagnosis_icd9(r->claim, code, cn, &err)))
            claim_error(r, s, i, 2, &err);
    }
    if (first && r->claim)
        r->first_hi = (unsigned)r->claim->n_dx;
}

static void add_line_sv1(mn_x837 *r, const mn_x12seg *s)
{
    char comp = mn_x__x12env_comp(r->env);
    const char *v;
    size_t n;
    mn_error err;
    unsigned units = 1;
    int idx;

    r->line_skipped = false;
    r->line_dated = false;
    if (!r->claim)
        return;
    mn_x__x12_comp(&v, &n, s, 1, 1, comp);
    if (!(n == 2 && memcmp(v, "HC", 2) == 0)) {
        value_issue(
            r, top(r), false, s, 1, 1,
            "service line coded with qualifier %.*s, not HC (HCPCS/CPT): "
            "the line is not checked",
            (int)(n < 3 ? n : 3), v);
        r->line_skipped = true;
        r->lines_skipped++;
        return;
    }
    if (mn_x__x12_has(s, 4)) {
        /* SV103 MJ: anesthesia minutes, not units of service */
        if (el_is(s, 3, "MJ")) {
            units = 1;
        } else {
            int64_t q;
            if (!mn_x__x12_amount(&q, s->el[4], s->len[4]) || q <= 0) {
                value_issue(r, top(r), true, s, 4, 0,
                            "expected a quantity of service above 0");
                return;
            }
            /* fractional units count as the next whole unit */
            units = (unsigned)((q + 99) / 100);
            if (q > 999900)
                units = 10000; /* the setter names the limit */
        }
    }
    mn_x__x12_comp(&v, &n, s, 1, 2, comp);
    idx = mn_claim_add_line(r->claim, v, n, units, NULL, 0, &err);
    if (idx < 0) {
        claim_error(
            r, s, err.code == MN_EINVAL && strstr(err.where, ".units") ? 4 : 1,
            strstr(err.where, ".units") ? 0 : 2, &err);
        return;
    }
    r->line = idx;
    for (size_t k = 3; k <= 6; k++) {
        if (mn_x__x12_comp(&v, &n, s, 1, k, comp) &&
            mn_claim_line_add_modifier(r->claim, (size_t)idx, v, n, &err))
            claim_error(r, s, 1, k, &err);
    }
    if (mn_x__x12_has(s, 2)) {
        int64_t cents;
        if (!mn_x__x12_amount(&cents, s->el[2], s->len[2]))
            value_issue(r, top(r), true, s, 2, 0, "expected an amount");
        else if (mn_claim_line_set_amounts(r->claim, (size_t)idx, cents,
                                           MN_NO_AMOUNT, &err))
            claim_error(r, s, 2, 0, &err);
    }
    if (mn_x__x12_has(s, 5) &&
        mn_claim_line_set_place_of_service(r->claim, (size_t)idx, s->el[5],
                                           s->len[5], &err))
        claim_error(r, s, 5, 0, &err);
    for (size_t k = 1; k <= 4; k++) {
        unsigned long p = 0;
        if (!mn_x__x12_comp(&v, &n, s, 7, k, comp))
            continue;
        if (!mn_x__parse_uint(&p, v, n) || p < 1 || p > r->first_hi) {
            value_issue(r, top(r), true, s, 7, k,
                        "the diagnosis pointer is not one of the claim's %u "
                        "diagnoses",
                        r->first_hi);
            continue;
        }
        if (mn_claim_line_add_pointer(r->claim, (size_t)idx, (unsigned)p, &err))
            claim_error(r, s, 7, k, &err);
    }
}

static void add_line_sv2(mn_x837 *r, const mn_x12seg *s)
{
    char comp = mn_x__x12env_comp(r->env);
    const char *v;
    size_t n;
    mn_error err;
    unsigned units = 1;
    int idx;

    r->line_skipped = false;
    r->line_dated = false;
    if (!r->claim)
        return;
    if (!mn_x__x12_has(s, 2)) {
        /* a revenue code alone (room and board, say): no HCPCS to judge */
        r->line_skipped = true;
        r->lines_skipped++;
        return;
    }
    mn_x__x12_comp(&v, &n, s, 2, 1, comp);
    if (!(n == 2 && memcmp(v, "HC", 2) == 0)) {
        value_issue(
            r, top(r), false, s, 2, 1,
            "service line coded with qualifier %.*s, not HC (HCPCS/CPT): "
            "the line is not checked",
            (int)(n < 3 ? n : 3), v);
        r->line_skipped = true;
        r->lines_skipped++;
        return;
    }
    if (mn_x__x12_has(s, 5)) {
        int64_t q;
        if (!mn_x__x12_amount(&q, s->el[5], s->len[5]) || q <= 0) {
            issue(r, top(r), true, s, 5, 0,
                  "expected a quantity of service above 0");
            return;
        }
        units = (unsigned)((q + 99) / 100);
        if (q > 999900)
            units = 10000;
    }
    mn_x__x12_comp(&v, &n, s, 2, 2, comp);
    idx = mn_claim_add_line(r->claim, v, n, units, NULL, 0, &err);
    if (idx < 0) {
        claim_error(r, s, strstr(err.where, ".units") ? 5 : 2,
                    strstr(err.where, ".units") ? 0 : 2, &err);
        return;
    }
    r->line = idx;
    for (size_t k = 3; k <= 6; k++) {
        if (mn_x__x12_comp(&v, &n, s, 2, k, comp) &&
            mn_claim_line_add_modifier(r->claim, (size_t)idx, v, n, &err))
            claim_error(r, s, 2, k, &err);
    }
    if (mn_x__x12_has(s, 1) &&
        mn_claim_line_set_revenue_code(r->claim, (size_t)idx, s->el[1],
                                       s->len[1], &err))
        claim_error(r, s, 1, 0, &err);
    if (mn_x__x12_has(s, 3)) {
        int64_t cents;
        if (!mn_x__x12_amount(&cents, s->el[3], s->len[3]))
            issue(r, top(r), true, s, 3, 0, "expected an amount");
        else if (mn_claim_line_set_amounts(r->claim, (size_t)idx, cents,
                                           MN_NO_AMOUNT, &err))
            claim_error(r, s, 3, 0, &err);
    }
}

static void set_line_number(mn_x837 *r, const mn_x12seg *s)
{
    mn_error err;

    if (r->line >= 0 && r->lx &&
        mn_claim_line_set_number(r->claim, (size_t)r->line, r->lx, &err))
        claim_error(r, s, 0, 0, &err);
}

static void line_date(mn_x837 *r, const mn_x12seg *s)
{
    char date[11];
    mn_error err;

    if (r->line < 0 || !r->claim)
        return;
    if (!dtp_date(date, s)) {
        value_issue(r, top(r), true, s, 3, 0,
                    "expected a date of service (D8 CCYYMMDD or RD8 "
                    "CCYYMMDD-CCYYMMDD)");
        return;
    }
    if (mn_claim_line_set_date(r->claim, (size_t)r->line, date, 10, &err))
        claim_error(r, s, 3, 0, &err);
    else
        r->line_dated = true;
}

/* NM1 of a provider: its NPI when NM108 is XX. */
static void provider_npi(party *p, const mn_x12seg *s)
{
    if (el_is(s, 8, "XX"))
        el_copy(p->npi, sizeof(p->npi), s, 9);
}

static void person_nm1(person *p, const mn_x12seg *s)
{
    el_copy(p->last, sizeof(p->last), s, 3);
    el_copy(p->first, sizeof(p->first), s, 4);
    el_copy(p->id, sizeof(p->id), s, 9);
}

static void person_dmg(mn_x837 *r, frame *f, person *p, const mn_x12seg *s)
{
    if (!el_is(s, 1, "D8") || !mn_x__x12_date(p->dob, s->el[2], s->len[2])) {
        /* the checks that need an age say so (age.unknown) */
        p->dob[0] = '\0';
        value_issue(r, f, false, s, 2, 0,
                    "not a birth date from 1850 on (D8 CCYYMMDD): the "
                    "patient's age is left unknown");
    }
    p->sex = s->n > 3 && s->len[3] == 1 ? s->el[3][0] : 'U';
    if (p->sex != 'M' && p->sex != 'F' && p->sex != 'U') {
        value_issue(r, f, false, s, 3, 0, "expected a sex of F, M or U");
        p->sex = 'U';
    }
}

/* What mednec reads from a segment placed in frame `f`. */
static void dispatch(mn_x837 *r, frame *f, const mn_x12seg *s)
{
    mn_error err;

    switch (r->role[f->loop]) {
    case R_BILLING_HL:
        if (s->id == MN_X12_ID2('H', 'L'))
            memset(&r->billing, 0, sizeof(r->billing));
        break;
    case R_BILLING:
        if (s->id == MN_X12_ID3('N', 'M', '1'))
            provider_npi(&r->billing, s);
        else if (s->id == MN_X12_ID2('N', '4'))
            el_copy(r->billing.state, sizeof(r->billing.state), s, 2);
        break;
    case R_SUB_HL:
        if (s->id == MN_X12_ID2('H', 'L')) {
            memset(&r->subscriber, 0, sizeof(r->subscriber));
            memset(&r->patient, 0, sizeof(r->patient));
            r->sbr09[0] = '\0';
            r->payer[0] = '\0';
            r->dependent = false;
        } else if (s->id == MN_X12_ID3('S', 'B', 'R')) {
            el_copy(r->sbr09, sizeof(r->sbr09), s, 9);
        }
        break;
    case R_SUBSCRIBER:
        if (s->id == MN_X12_ID3('N', 'M', '1'))
            person_nm1(&r->subscriber, s);
        else if (s->id == MN_X12_ID2('N', '4'))
            el_copy(r->subscriber.state, sizeof(r->subscriber.state), s, 2);
        else if (s->id == MN_X12_ID3('D', 'M', 'G'))
            person_dmg(r, f, &r->subscriber, s);
        break;
    case R_PAYER:
        if (s->id == MN_X12_ID3('N', 'M', '1'))
            el_copy(r->payer, sizeof(r->payer), s, 3);
        break;
    case R_PAT_HL:
        if (s->id == MN_X12_ID2('H', 'L')) {
            memset(&r->patient, 0, sizeof(r->patient));
            r->dependent = true;
        }
        break;
    case R_PATIENT:
        if (s->id == MN_X12_ID3('N', 'M', '1'))
            person_nm1(&r->patient, s);
        else if (s->id == MN_X12_ID2('N', '4'))
            el_copy(r->patient.state, sizeof(r->patient.state), s, 2);
        else if (s->id == MN_X12_ID3('D', 'M', 'G'))
            person_dmg(r, f, &r->patient, s);
        break;
    case R_CLAIM:
        if (s->id == MN_X12_ID3('C', 'L', 'M')) {
            start_claim(r, s);
        } else if (s->id == MN_X12_ID2('H', 'I')) {
            add_hi(r, s);
        } else if (s->id == MN_X12_ID3('D', 'T', 'P') && el_is(s, 1, "434")) {
            if (!dtp_date(r->stmt_date, s)) {
                r->stmt_date[0] = '\0';
                value_issue(r, f, true, s, 3, 0,
                            "expected the statement dates (D8 or RD8)");
            }
        } else if (s->id == MN_X12_ID3('R', 'E', 'F') && el_is(s, 1, "G1") &&
                   r->claim && mn_x__x12_has(s, 2) &&
                   mn_claim_set_prior_authorization(r->claim, s->el[2],
                                                    s->len[2], &err)) {
            claim_error(r, s, 2, 0, &err);
        }
        break;
    case R_RENDERING:
        if (s->id == MN_X12_ID3('N', 'M', '1'))
            provider_npi(&r->rendering, s);
        break;
    case R_FACILITY:
        if (s->id == MN_X12_ID2('N', '4'))
            el_copy(r->facility.state, sizeof(r->facility.state), s, 2);
        break;
    case R_LINE:
        if (s->id == MN_X12_ID2('L', 'X')) {
            unsigned long v = 0;
            r->line = -1;
            r->line_skipped = false;
            r->lx = 0;
            if (mn_x__x12_has(s, 1) &&
                (!mn_x__parse_uint(&v, s->el[1], s->len[1]) || v < 1 ||
                 v > 999999))
                value_issue(r, f, true, s, 1, 0,
                            "expected a line number from 1 to 999999");
            else
                r->lx = (unsigned)v;
        } else if (s->id == MN_X12_ID3('S', 'V', '1') && r->variant == 'P') {
            add_line_sv1(r, s);
            set_line_number(r, s);
        } else if (s->id == MN_X12_ID3('S', 'V', '2') && r->variant == 'I') {
            add_line_sv2(r, s);
            set_line_number(r, s);
        } else if (s->id == MN_X12_ID3('D', 'T', 'P') && el_is(s, 1, "472")) {
            line_date(r, s);
        } else if (s->id == MN_X12_ID3('C', 'R', '3')) {
            r->dme_cert = true;
        }
        break;
    case R_LINE_RENDERING:
        if (s->id == MN_X12_ID3('N', 'M', '1') && r->line >= 0 && r->claim &&
            el_is(s, 8, "XX") && mn_x__x12_has(s, 9) &&
            mn_claim_line_set_provider(r->claim, (size_t)r->line, s->el[9],
                                       s->len[9], &err))
            claim_error(r, s, 9, 0, &err);
        break;
    default:
        break;
    }
}

/* ------------------------------------------------------------------ */
/* Finishing a claim                                                   */
/* ------------------------------------------------------------------ */

/* A DMEPOS code: durable equipment (E, K), orthotics and prosthetics
 * (L), enteral and parenteral nutrition (B4, B9). */
static bool dmepos_code(const char *c)
{
    return c[0] == 'E' || c[0] == 'K' || c[0] == 'L' ||
           (c[0] == 'B' && (c[1] == '4' || c[1] == '9'));
}

static void set_payer(mn_x837 *r, const mn_x12seg *at)
{
    mn_error err;
    const char *p = NULL;
    size_t n = 0;
    char upper[NAME];

    if (strcmp(r->sbr09, "MA") == 0 || strcmp(r->sbr09, "MB") == 0)
        p = "medicare";
    else if (strcmp(r->sbr09, "MC") == 0)
        p = "medicaid";
    if (!p) {
        for (n = 0; r->payer[n] && n + 1 < sizeof(upper); n++)
            upper[n] = (char)mn_x__toupper((unsigned char)r->payer[n]);
        upper[n] = '\0';
        if (strstr(upper, "MEDICARE"))
            p = "medicare";
        else if (strstr(upper, "MEDICAID"))
            p = "medicaid";
        else if (r->payer[0])
            p = r->payer;
        else
            p = "other";
    }
    if (mn_claim_set_payer(r->claim, p, strlen(p), &err))
        claim_error(r, at, 0, 0, &err);
}

/* The key of the patient's history: the subscriber's member id; for a
 * dependent, the member id and a hash of the dependent's name and birth
 * date (dependents share the subscriber's id). */
static void set_patient(mn_x837 *r, const mn_x12seg *at)
{
    const person *p = r->dependent ? &r->patient : &r->subscriber;
    mn_error err;
    char id[NAME + 24];
    size_t n = strlen(r->subscriber.id);

    memcpy(id, r->subscriber.id, n);
    if (n && r->dependent) {
        char buf[3 * NAME + 16];
        int k =
            snprintf(buf, sizeof(buf), "%s|%s|%s", p->last, p->first, p->dob);
        XXH64_hash_t h = XXH3_64bits(buf, (size_t)(k > 0 ? k : 0));
        n += (size_t)snprintf(id + n, sizeof(id) - n, "~%016llx",
                              (unsigned long long)h);
    }
    if (n && mn_claim_set_patient_id(r->claim, id, n, &err))
        claim_error(r, at, 0, 0, &err);
    if (p->dob[0] && mn_claim_set_birth_date(r->claim, p->dob, 10, &err))
        claim_error(r, at, 0, 0, &err);
    if (p->sex && mn_claim_set_sex(r->claim, p->sex, &err))
        claim_error(r, at, 0, 0, &err);
}

static void set_jurisdiction(mn_x837 *r, frame *f, const mn_x12seg *at)
{
    const person *p = r->dependent ? &r->patient : &r->subscriber;
    const char *state = r->claim->dme          ? p->state
                        : r->facility.state[0] ? r->facility.state
                                               : r->billing.state;
    mn_error err;

    if (!state[0])
        return;
    if (mn_claim_set_jurisdiction(r->claim, state, strlen(state), &err))
        value_issue(r, f, false, at, 0, 0,
                    "the state %s (N402) is not a US state: the claim's "
                    "jurisdiction is left unknown",
                    state);
}

static void finish_claim(mn_x837 *r, frame *cf, const mn_x12seg *at)
{
    mn_x837_item it;
    mn_x12_issue view;
    const mn_x12_kept *first = NULL;
    size_t errors = 0;
    mn_claim *c = r->claim;
    mn_error err;

    if (c && c->n_lines == 0 && !cf->has_err)
        value_issue(r, cf, true, at, 0, 0,
                    "no service line with a HCPCS/CPT code to check");
    if (c && !cf->has_err) {
        bool dme = r->variant == 'P' && c->n_lines > 0;
        for (size_t i = 0; i < c->n_lines && dme; i++)
            dme = dmepos_code(c->lines[i].code_text);
        if ((dme || (r->variant == 'P' && r->dme_cert)) &&
            mn_claim_set_claim_type(c, "dme", 3, &err))
            claim_error(r, at, 0, 0, &err);
        for (size_t i = 0; i < c->n_lines; i++) {
            if (c->lines[i].date != MN_NODATE)
                continue;
            if (r->stmt_date[0]) {
                mn_claim_line_set_date(c, i, r->stmt_date, 10, &err);
            } else {
                value_issue(r, cf, true, at, 0, 0,
                            "line %u has no date of service (DTP*472)",
                            mn_claim_line_number(c, i));
                break;
            }
        }
        set_payer(r, at);
        set_patient(r, at);
        set_jurisdiction(r, cf, at);
        {
            const char *prov =
                r->rendering.npi[0] ? r->rendering.npi : r->billing.npi;
            if (prov[0] && mn_claim_set_provider(c, prov, strlen(prov), &err))
                claim_error(r, at, 0, 0, &err);
        }
    }
    for (int i = 0; i < r->depth; i++) {
        const frame *f = &r->stack[i];
        if (!f->has_err)
            continue;
        errors += f->n_err;
        if (!first || f->err.segment < first->segment)
            first = &f->err;
    }
    memset(&it, 0, sizeof(it));
    it.claim_id = r->clm01;
    it.implementation = r->impl;
    it.kind = r->variant;
    it.frequency = r->frequency;
    it.interchange = mn_x__x12env_interchange(r->env);
    it.transaction = mn_x__x12env_transaction(r->env);
    it.segment = r->clm_segment;
    it.lines_skipped = r->lines_skipped;
    if (first || !c) {
        if (first) {
            mn_x__x12_view(&view, first, r->env);
            it.error = &view;
        }
        it.errors = errors;
        r->stats.claims_failed++;
        claim_free(r);
    } else {
        it.claim = c;
        r->claim = NULL;
        r->in_claim = false;
        r->stats.claims++;
        r->stats.lines += c->n_lines;
    }
    r->stats.lines_skipped += r->lines_skipped;
    emit(r, &it);
    claim_free(r);
}

/* ------------------------------------------------------------------ */
/* Placing segments in the loop structure                              */
/* ------------------------------------------------------------------ */

static bool matches(const mn_x12seg *s, const mn_gseg *d, char comp)
{
    const char *v;
    size_t n;
    uint32_t q;

    if (s->id != d->id)
        return false;
    if (!d->n_quals)
        return true;
    mn_x__x12_comp(&v, &n, s, d->qual_el, 1, comp);
    if (n == 0 || n > 4)
        return false;
    q = mn_x__gqual(v, n);
    for (unsigned i = 0; i < d->n_quals; i++) {
        if (d->quals[i] == q)
            return true;
    }
    return false;
}

static void seg_id_text(char out[8], uint32_t id)
{
    size_t n = 0;
    for (int sh = 16; sh >= 0; sh -= 8) {
        char c = (char)((id >> sh) & 0xff);
        if (c)
            out[n++] = c;
    }
    out[n] = '\0';
}

/* The required elements of a segment placed at `d`. */
static void check_elements(mn_x837 *r, frame *f, const mn_gseg *d,
                           const mn_x12seg *s, bool loop_read)
{
    char comp = mn_x__x12env_comp(r->env);

    for (int pass = 0; pass < 2; pass++) {
        const unsigned short *req = pass ? d->req_other : d->req_read;
        unsigned n = pass ? d->n_req_other : d->n_req_read;
        for (unsigned i = 0; i < n; i++) {
            unsigned el = req[i] / 16;
            unsigned cp = req[i] % 16;
            const char *v;
            size_t len;
            bool ok = cp ? mn_x__x12_comp(&v, &len, s, el, cp, comp)
                         : mn_x__x12_has(s, el);
            if (!ok)
                issue(r, f, pass == 0 && loop_read, s, el, cp,
                      "a required element is missing");
        }
    }
}

/* The required segments of a loop that are missing; once per loop. */
static void check_required_segments(mn_x837 *r, frame *f, const mn_x12seg *at)
{
    const mn_gloop *l = &r->g->loops[f->loop];
    char id[8];

    for (uint64_t m = l->req_segs; m; m &= m - 1) {
        short i = (short)__builtin_ctzll(m);
        const mn_gseg *d = &r->g->segs[l->first_seg + i];
        if (f->segs[i])
            continue;
        /* another position of the same id may have taken it */
        seg_id_text(id, d->id);
        issue(r, f, l->read && d->read, at, 0, 0,
              "%s is required in loop %s but not found", id, l->name);
    }
}

static void check_required_kids(mn_x837 *r, frame *f, short upto,
                                const mn_x12seg *at)
{
    const mn_gloop *l = &r->g->loops[f->loop];

    for (uint32_t m = l->req_kids; m; m &= m - 1) {
        short k = (short)__builtin_ctz(m);
        const mn_gkid *kid;
        const mn_gloop *kl;
        if (k >= upto)
            break;
        kid = &r->g->kids[l->first_kid + k];
        kl = &r->g->loops[kid->loop];
        if (f->kids[k])
            continue;
        f->kids[k] = 0xffff; /* reported once */
        issue(r, f, kl->read, at, 0, 0,
              "loop %s is required but not found in loop %s iteration #%zu",
              kl->name, l->name, f->iteration);
    }
}

static void close_frame(mn_x837 *r, const mn_x12seg *at)
{
    frame *f = top(r);
    const mn_gloop *l = &r->g->loops[f->loop];

    if (!f->kids_started)
        check_required_segments(r, f, at);
    check_required_kids(r, f, l->n_kids, at);
    if (l->claim)
        finish_claim(r, f, at);
    r->depth--;
    if (!l->scope && f->has_err && r->depth > 0) {
        frame *p = top(r);
        size_t n = f->n_err;
        keep(p, &f->err);
        p->n_err += n - 1;
    }
}

static void push(mn_x837 *r, short loop, size_t iteration)
{
    frame *f = &r->stack[r->depth++];

    /* err is read only once has_err is set: leave its bytes alone */
    memset(f, 0, offsetof(frame, err));
    f->loop = loop;
    f->last_kid = -1;
    f->iteration = iteration;
    f->segs[0] = 1; /* the trigger */
}

static void place(mn_x837 *r, const mn_x12seg *s)
{
    char comp = mn_x__x12env_comp(r->env);
    char id[8];
    frame *f;
    unsigned bit;

    if (!s->id) {
        char bad[8];
        mn_x__x12_copy(bad, sizeof(bad), s, 0);
        f = top(r);
        if (bad[0])
            issue_k(r, f, r->g->loops[f->loop].read, MN_X12_SYNTAX, s, 0, 0,
                    "'%s' is not a segment identifier", bad);
        else
            issue_k(r, f, r->g->loops[f->loop].read, MN_X12_SYNTAX, s, 0, 0,
                    "segment without an identifier");
        return;
    }
    bit = mn_x__gbit(s->id);
    for (int d = r->depth - 1; d >= 0; d--) {
        const mn_gloop *l = &r->g->loops[r->stack[d].loop];
        const uint32_t *ids = r->g->seg_ids + l->first_seg;
        for (short i = 1; i < l->n_segs && mn_x__ghas(l->seg_bits, bit); i++) {
            const mn_gseg *def = &r->g->segs[l->first_seg + i];
            if (ids[i] != s->id || !matches(s, def, comp))
                continue;
            while (r->depth - 1 > d)
                close_frame(r, s);
            f = top(r);
            seg_id_text(id, def->id);
            if (f->kids_started || def->group < f->group)
                issue(r, f, l->read && def->read, s, 0, 0,
                      "segment %s in loop %s is not in the correct position",
                      id, l->name);
            else
                f->group = def->group;
            if (f->segs[i] < 0xffff)
                f->segs[i]++;
            if (def->max && f->segs[i] > def->max)
                issue(r, f, l->read && def->read, s, 0, 0,
                      "segment %s appears too many times in loop %s (at most "
                      "%u)",
                      id, l->name, def->max);
            check_elements(r, f, def, s, l->read && def->read);
            if (l->read)
                dispatch(r, f, s);
            return;
        }
        for (short k = 0; k < l->n_kids && mn_x__ghas(l->kid_bits, bit); k++) {
            const mn_gkid *kid;
            const mn_gloop *kl;
            const mn_gseg *trig;
            if (r->g->kid_ids[l->first_kid + k] != s->id)
                continue;
            kid = &r->g->kids[l->first_kid + k];
            kl = &r->g->loops[kid->loop];
            trig = &r->g->segs[kl->first_seg];
            if (!matches(s, trig, comp))
                continue;
            while (r->depth - 1 > d)
                close_frame(r, s);
            f = top(r);
            if (!f->kids_started) {
                check_required_segments(r, f, s);
                f->kids_started = true;
            }
            check_required_kids(r, f, k, s);
            if (f->kids[k] < 0xfffe)
                f->kids[k]++;
            if (kid->max && f->kids[k] > kid->max && f->kids[k] != 0xffff)
                issue(r, f, kl->read, s, 0, 0,
                      "loop %s appears too many times in loop %s (at most "
                      "%u)",
                      kl->name, l->name, kid->max);
            else if (k < f->last_kid)
                issue(r, f, kl->read, s, 0, 0,
                      "loop %s in loop %s is not in the correct position",
                      kl->name, l->name);
            if (k > f->last_kid)
                f->last_kid = k;
            if (r->depth >= MAX_DEPTH) {
                issue(r, f, true, s, 0, 0, "loops nested too deep");
                return;
            }
            push(r, kid->loop, f->kids[k]);
            f = top(r);
            check_elements(r, f, trig, s, kl->read && trig->read);
            if (kl->read)
                dispatch(r, f, s);
            return;
        }
    }
    f = top(r);
    seg_id_text(id, s->id);
    {
        /* a known segment with a qualifier the loop has no position for
           (DTP*304 on an 837I line): nothing mednec reads */
        const mn_gloop *l = &r->g->loops[f->loop];
        bool known = false;
        for (short i = 1; i < l->n_segs && !known; i++)
            known = r->g->segs[l->first_seg + i].id == s->id;
        if (known) {
            char q[8];
            mn_x__x12_copy(q, sizeof(q), s, 1);
            issue(r, f, false, s, 1, 0,
                  "loop %s has no position for %s with qualifier %s", l->name,
                  id, q);
            return;
        }
    }
    issue(r, f, r->g->loops[f->loop].read, s, 0, 0,
          "segment %s is not expected in loop %s (no position of the guide "
          "takes it here)",
          id, loop_name(r, f));
}

/* ------------------------------------------------------------------ */
/* The envelope's callbacks                                            */
/* ------------------------------------------------------------------ */

static int set_start(void *self, const mn_x12seg *st, const char *impl)
{
    mn_x837 *r = self;
    bool inst = strstr(impl, "X223") != NULL;

    r->variant = inst ? 'I' : 'P';
    r->g = inst ? &r->gi : &r->gp;
    r->role = inst ? r->role_i : r->role_p;
    snprintf(r->impl, sizeof(r->impl), "%s", impl[0] ? impl : "005010");
    r->depth = 0;
    memset(&r->billing, 0, sizeof(r->billing));
    memset(&r->subscriber, 0, sizeof(r->subscriber));
    memset(&r->patient, 0, sizeof(r->patient));
    r->sbr09[0] = '\0';
    r->payer[0] = '\0';
    r->dependent = false;
    claim_free(r);
    push(r, r->g->root, 1);
    check_elements(r, top(r), &r->g->segs[r->g->loops[r->g->root].first_seg],
                   st, false);
    r->stats.transactions++;
    return r->rc;
}

static int set_segment(void *self, const mn_x12seg *s)
{
    mn_x837 *r = self;

    if (r->depth)
        place(r, s);
    return r->rc;
}

static int segment_lost(void *self, const mn_x12_kept *error)
{
    mn_x837 *r = self;

    keep(top(r), error);
    return r->rc;
}

static int set_end(void *self, const mn_x12seg *se, const mn_x12_kept *error)
{
    mn_x837 *r = self;

    if (error && r->in_claim) {
        /* the claim may have lost its last lines */
        for (int i = r->depth - 1; i >= 0; i--) {
            if (r->g->loops[r->stack[i].loop].claim) {
                keep(&r->stack[i], error);
                break;
            }
        }
    }
    while (r->depth > 0 && r->rc == MN_OK)
        close_frame(r, se);
    r->depth = 0;
    claim_free(r);
    return r->rc;
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */
/* ------------------------------------------------------------------ */

int mn_x837_new(mn_x837 **out, const mn_x837_options *opts, mn_error *err)
{
    mn_x837 *r = NULL;
    mn_x12env_options eo;
    mn_x12_handler h;
    int rc = MN_OK;

    if (!out || !opts || !opts->on_item ||
        opts->version != MN_X837_OPTIONS_VERSION) {
        rc = mn_x__err(err, MN_EINVAL, "missing argument or callback");
        goto done;
    }
    r = mn_x__calloc(1, sizeof(*r));
    if (!r) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    r->o = *opts;
    if (!mn_x__grammar_837(&r->gp, 'P') || !mn_x__grammar_837(&r->gi, 'I')) {
        rc = mn_x__err(err, MN_ERROR, "the 837 loop structure is malformed");
        goto done;
    }
    roles(r->role_p, &r->gp, 'P');
    roles(r->role_i, &r->gi, 'I');
    r->g = &r->gp;
    r->role = r->role_p;
    r->line = -1;
    memset(&eo, 0, sizeof(eo));
    eo.name = opts->name ? opts->name : "";
    eo.set_id = "837";
    eo.reads = "claims";
    eo.guides = guides;
    eo.guide_labels = "005010X222A1 professional, 005010X223A2 institutional";
    eo.max_segment = opts->max_segment;
    eo.max_elements = opts->max_elements;
    eo.max_set_segments = opts->max_set_segments;
    eo.on_issue = opts->on_issue;
    eo.payload = opts->payload;
    h.set_start = set_start;
    h.segment = set_segment;
    h.set_end = set_end;
    h.segment_lost = segment_lost;
    h.envelope_error = envelope_error;
    h.self = r;
    if (mn_x__x12env_new(&r->env, &eo, &h)) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
done:
    if (rc) {
        mn_x837_free(r);
        r = NULL;
    }
    if (out)
        *out = r;
    return rc;
}

int mn_x837_feed(mn_x837 *r, const char *data, size_t len, mn_error *err)
{
    if (!r || (!data && len))
        return mn_x__err(err, MN_EINVAL, "missing argument");
    return mn_x__x12env_step(r->env, &r->rc, data, len, false, err);
}

int mn_x837_finish(mn_x837 *r, mn_error *err)
{
    if (!r)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    return mn_x__x12env_step(r->env, &r->rc, NULL, 0, true, err);
}

void mn_x837_free(mn_x837 *r)
{
    if (!r)
        return;
    mn_x__x12env_free(r->env);
    mn_claim_free(r->claim);
    mn_x__free(r);
}

void mn_x837_get_stats(mn_x837_stats *out, const mn_x837 *r)
{
    mn_x12env_stats es;

    if (!out || !r)
        return;
    *out = r->stats;
    mn_x__x12env_stats(&es, r->env);
    out->bytes = es.bytes;
    out->segments = es.segments;
    out->interchanges = es.interchanges;
    out->errors = es.errors;
    out->warnings = es.warnings;
}

int mn_x837_read(const char *data, size_t len, const mn_x837_options *opts,
                 mn_x837_stats *stats, mn_error *err)
{
    mn_x837 *r = NULL;
    int rc = mn_x837_new(&r, opts, err);

    if (rc == MN_OK)
        rc = mn_x837_feed(r, data, len, err);
    if (rc == MN_OK)
        rc = mn_x837_finish(r, err);
    if (stats && r)
        mn_x837_get_stats(stats, r);
    mn_x837_free(r);
    return rc;
}
