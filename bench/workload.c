/*
 * workload.c: the claim workload, generated deterministically against the
 * policies of the generated MCD tables. Every claim is built twice: as an
 * mn_claim through the setters (the pre-parsed case) and as contract JSON
 * (the end-to-end case). Each claim aims at one outcome (covered, not
 * supported, non-covered diagnosis, dual diagnosis with or without its
 * partner, wrong jurisdiction, no policy); its later lines point to other
 * subsets of the diagnoses, so the line outcomes mix further. The outcome
 * mednec actually gives is what the benchmark reports.
 */
#define _GNU_SOURCE

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

const char *const bm_cat_names[BM_CAT_COUNT] = {
    "covered",        "not supported",      "non-covered dx",
    "dual diagnosis", "wrong jurisdiction", "no policy"};

/* Claim mix in percent, in BM_CAT_* order. */
static const unsigned cat_weights[BM_CAT_COUNT] = {45, 20, 8, 7, 10, 10};

/* Procedure codes no generated article uses (gen_mcd draws 80000-89999
 * and G0001-G0500). */
static const char *const free_codes[] = {
    "99213", "99214", "99203", "99204", "36415", "93000", "71046", "97110",
    "99232", "99284", "G0439", "70450", "76700", "77067", "99308", "20610"};
#define N_FREE (sizeof(free_codes) / sizeof(free_codes[0]))

typedef struct jbuf {
    char *p;
    size_t len;
    size_t cap;
    int failed;
} jbuf;

static void jput(jbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void jput(jbuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = 1;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t ncap = (b->cap + (size_t)n + 1) * 2;
        char *np = realloc(b->p, ncap);
        if (!np) {
            b->failed = 1;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
}

static bool in_force(const bm_version *v, int32_t date)
{
    return v->eff <= date && date <= v->end;
}

static int cmp_str(const void *pa, const void *pb)
{
    return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

static bool covers(const bm_version *v, const char *code)
{
    const char *key = code;
    return v->n_cov && bsearch(&key, v->sorted_cov, v->n_cov, sizeof(char *),
                               cmp_str) != NULL;
}

/* A version in force on `date` that suits the category, or NULL. */
static const bm_version *pick_version(bm_rng *r, const bm_model *m,
                                      int32_t date, int cat)
{
    for (int tries = 0; tries < 5000; tries++) {
        const bm_version *v = &m->v[bm_below(r, (uint32_t)m->n_v)];
        if (!in_force(v, date) || !v->states || !v->n_codes || !v->n_cov)
            continue;
        if (cat == BM_CAT_DUAL ? !v->dual : v->dual)
            continue;
        if (cat == BM_CAT_NONCOVERED && !v->n_noncov)
            continue;
        return v;
    }
    return NULL;
}

static bool has_dx(char dx[][9], int n, const char *code)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(dx[i], code) == 0)
            return true;
    }
    return false;
}

/* A real code (from some article's covered list) that `v` does not
 * cover and the claim does not carry yet. */
static const char *filler(bm_rng *r, const bm_model *m, const bm_version *v,
                          char dx[][9], int n)
{
    for (;;) {
        const char *c = m->cov[bm_below(r, (uint32_t)m->n_cov)].code;
        bool bad = has_dx(dx, n, c);
        if (v && !bad) {
            bad = covers(v, c);
            for (size_t k = 0; !bad && k < v->n_noncov; k++)
                bad = strcmp(m->noncov[v->noncov_first + k].code, c) == 0;
        }
        if (!bad)
            return c;
    }
}

/* A covered row of `v` with the given asterisk / group constraints. */
static const bm_dx *covered_row(bm_rng *r, const bm_model *m,
                                const bm_version *v, int want)
{
    /* want: 0 a standalone code, 1 an asterisked code, 2 a partner */
    for (int tries = 0; tries < 100000; tries++) {
        const bm_dx *d =
            &m->cov[v->cov_first + bm_below(r, (uint32_t)v->n_cov)];
        bool ok = want == 1   ? d->asterisk
                  : want == 2 ? (!d->asterisk && d->group == 2)
                              : (!d->asterisk && !(v->dual && d->group == 2));
        if (ok)
            return d;
    }
    return NULL;
}

static uint64_t pick_state(bm_rng *r, uint64_t among)
{
    size_t n = 0;
    size_t k;
    for (size_t i = 0; i < bm_n_states; i++)
        n += (among >> i) & 1;
    if (!n)
        return 0;
    k = bm_below(r, (uint32_t)n);
    for (size_t i = 0; i < bm_n_states; i++) {
        if ((among >> i) & 1) {
            if (k == 0)
                return (uint64_t)1 << i;
            k--;
        }
    }
    return 0;
}

static const char *state_name(uint64_t bit)
{
    for (size_t i = 0; i < bm_n_states; i++) {
        if (bit == (uint64_t)1 << i)
            return bm_states[i];
    }
    return "KY";
}

#define CHECK(call)                                                            \
    do {                                                                       \
        if ((call) < 0) {                                                      \
            fprintf(stderr, "mednec_bench: %s: %s\n", #call, err.message);     \
            goto fail;                                                         \
        }                                                                      \
    } while (0)

int bm_workload_make(bm_workload *w, const bm_model *m, size_t target_lines,
                     uint64_t seed)
{
    /* the third quarter of 2024: inside ICD-10-CM FY2024 and the NCCI
       tables' quarter (2024Q3), so the checks run on data the KB covers
       (the workload was dated over all of FY2024 before the KB recorded
       its coverage; lines outside NCCI's quarter are now indeterminate) */
    const int32_t q_start = bm_parse_date("2024-07-01");
    const uint64_t mainland = ((uint64_t)1 << 51) - 1; /* 50 + DC */
    bm_rng r = {seed};
    size_t cap_claims = target_lines / 2 + 16;
    size_t cap_lines = target_lines + 8;
    uint64_t contracted = 0;
    jbuf jb = {NULL, 0, 0, 0};
    mn_claim *c = NULL;
    mn_error err;

    memset(w, 0, sizeof(*w));
    memset(&err, 0, sizeof(err));
    w->claims = calloc(cap_claims, sizeof(*w->claims));
    w->json = calloc(cap_claims, sizeof(*w->json));
    w->json_len = calloc(cap_claims, sizeof(*w->json_len));
    w->lines = calloc(cap_lines, sizeof(*w->lines));
    if (!w->claims || !w->json || !w->json_len || !w->lines)
        goto fail;
    for (size_t i = 0; i < m->n_v; i++)
        contracted |= m->v[i].states;

    while (w->n_lines < target_lines) {
        unsigned pick = bm_below(&r, 100);
        int cat = 0;
        int32_t date = q_start + (int32_t)bm_below(&r, 92);
        const bm_version *v = NULL;
        char dx[4][9];
        int n_dx = 1 + (int)bm_below(&r, 4);
        int n_lines = 1 + (int)bm_below(&r, 4);
        uint64_t state;
        char date_text[11];
        char id[16];
        int age = 65 + (int)bm_below(&r, 30);
        char sex = bm_below(&r, 2) ? 'F' : 'M';
        const bm_dx *d;

        for (unsigned acc = cat_weights[0]; pick >= acc;)
            acc += cat_weights[++cat];
        if (n_lines > (int)(target_lines - w->n_lines))
            n_lines = (int)(target_lines - w->n_lines);
        if (w->n_claims == cap_claims || w->n_lines + 4 > cap_lines)
            break;
        if (cat != BM_CAT_NO_POLICY) {
            v = pick_version(&r, m, date, cat);
            if (!v)
                continue;
        }
        bm_format_date(date_text, date);

        /* diagnoses */
        memset(dx, 0, sizeof(dx));
        switch (cat) {
        case BM_CAT_COVERED:
        case BM_CAT_WRONG_JURISDICTION:
            d = covered_row(&r, m, v, 0);
            if (!d)
                continue;
            memcpy(dx[0], d->code, sizeof(dx[0]));
            break;
        case BM_CAT_NONCOVERED:
            memcpy(
                dx[0],
                m->noncov[v->noncov_first + bm_below(&r, (uint32_t)v->n_noncov)]
                    .code,
                sizeof(dx[0]));
            if (n_dx > 1) {
                d = covered_row(&r, m, v, 0);
                if (d)
                    memcpy(dx[1], d->code, sizeof(dx[1]));
            }
            break;
        case BM_CAT_DUAL:
            d = covered_row(&r, m, v, 1);
            if (!d)
                continue;
            memcpy(dx[0], d->code, sizeof(dx[0]));
            if (bm_below(&r, 2)) {
                if (n_dx < 2)
                    n_dx = 2;
                d = covered_row(&r, m, v, 2);
                if (d)
                    memcpy(dx[1], d->code, sizeof(dx[1]));
            }
            break;
        default:
            break;
        }
        for (int k = 0; k < n_dx; k++) {
            if (!dx[k][0])
                memcpy(dx[k], filler(&r, m, v, dx, k), sizeof(dx[k]));
        }

        /* jurisdiction */
        if (cat == BM_CAT_NO_POLICY)
            state = pick_state(&r, contracted & mainland);
        else if (cat == BM_CAT_WRONG_JURISDICTION)
            state = pick_state(&r, mainland & ~v->states);
        else
            state = pick_state(&r, v->states);
        if (!state)
            continue;

        /* the claim, through the setters and as JSON */
        snprintf(id, sizeof(id), "c%07zu", w->n_claims + 1);
        jb.len = 0;
        jput(&jb,
             "{\"id\":\"%s\",\"payer\":\"medicare\",\"jurisdiction\":\"%s\","
             "\"claim_type\":\"professional\",\"place_of_service\":\"11\","
             "\"patient\":{\"age\":%d,\"sex\":\"%c\"},\"diagnoses\":[",
             id, state_name(state), age, sex);
        CHECK(mn_claim_new(&c, NULL, &err));
        CHECK(mn_claim_set_id(c, id, strlen(id), &err));
        CHECK(mn_claim_set_payer(c, "medicare", 8, &err));
        CHECK(mn_claim_set_jurisdiction(c, state_name(state), 2, &err));
        CHECK(mn_claim_set_place_of_service(c, "11", 2, &err));
        CHECK(mn_claim_set_age(c, age, &err));
        CHECK(mn_claim_set_sex(c, sex, &err));
        for (int k = 0; k < n_dx; k++) {
            CHECK(mn_claim_add_diagnosis(c, dx[k], strlen(dx[k]), &err));
            jput(&jb, "%s\"%s\"", k ? "," : "", dx[k]);
        }
        jput(&jb, "],\"lines\":[");
        for (int j = 0; j < n_lines; j++) {
            bm_line *ln = &w->lines[w->n_lines++];
            const char *code = cat == BM_CAT_NO_POLICY
                                   ? free_codes[bm_below(&r, N_FREE)]
                                   : v->codes[(size_t)j % (size_t)v->n_codes];
            int first = 0;
            int count = n_dx;
            int li;
            if (j > 0) {
                first = (int)bm_below(&r, (uint32_t)n_dx);
                count = 1 + (int)bm_below(&r, (uint32_t)(n_dx - first));
            }
            memcpy(ln->code, code, sizeof(ln->code));
            memcpy(ln->date, date_text, sizeof(ln->date));
            memcpy(ln->state, state_name(state), 3);
            ln->cat = cat;
            ln->n_dx = count;
            li = mn_claim_add_line(c, code, strlen(code), 1, date_text, 10,
                                   &err);
            CHECK(li);
            jput(&jb,
                 "%s{\"code\":\"%s\",\"modifiers\":[],\"units\":1,"
                 "\"date\":\"%s\",\"dx_pointers\":[",
                 j ? "," : "", code, date_text);
            for (int k = 0; k < count; k++) {
                memcpy(ln->dx[k], dx[first + k], sizeof(ln->dx[k]));
                CHECK(mn_claim_line_add_pointer(
                    c, (size_t)li, (unsigned)(first + k + 1), &err));
                jput(&jb, "%s%d", k ? "," : "", first + k + 1);
            }
            jput(&jb, "]}");
        }
        jput(&jb, "]}");
        if (jb.failed)
            goto fail;
        w->json[w->n_claims] = malloc(jb.len + 1);
        if (!w->json[w->n_claims])
            goto fail;
        memcpy(w->json[w->n_claims], jb.p, jb.len + 1);
        w->json_len[w->n_claims] = jb.len;
        w->json_bytes += jb.len;
        w->claims[w->n_claims] = c;
        c = NULL;
        w->cat_claims[cat]++;
        w->n_claims++;
    }
    free(jb.p);
    return 0;
fail:
    mn_claim_free(c);
    free(jb.p);
    bm_workload_free(w);
    return -1;
}

void bm_workload_free(bm_workload *w)
{
    for (size_t i = 0; i < w->n_claims; i++) {
        mn_claim_free(w->claims[i]);
        free(w->json[i]);
    }
    free(w->claims);
    free(w->json);
    free(w->json_len);
    free(w->lines);
    memset(w, 0, sizeof(*w));
}
