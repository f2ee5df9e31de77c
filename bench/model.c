/*
 * model.c: reads an MCD article download folder (as gen_mcd writes it)
 * back into memory, through the public CSV reader, so that the claim
 * workload can aim at real policies and the SQL baseline can load the same
 * rows. Only what those two need is kept.
 */
#define _GNU_SOURCE

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "mednec/csv.h"

/* States and territories a claim jurisdiction may name. */
const char *const bm_states[] = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI",
    "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN",
    "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
    "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY", "AS", "GU", "MP", "PR", "VI"};
const size_t bm_n_states = sizeof(bm_states) / sizeof(bm_states[0]);

/* Part B contractor number prefixes (JJS of JJSLT) and their states, from
 * the CMS physician fee schedule locality file; a database user would load
 * the same mapping as a table. */
static const struct {
    const char *prefix;
    const char *states;
} prefixes[] = {
    {"011", "CA"}, {"018", "CA"},       {"012", "HI GU AS MP"},
    {"013", "NV"}, {"021", "AK"},       {"022", "ID"},
    {"023", "OR"}, {"024", "WA"},       {"031", "AZ"},
    {"032", "MT"}, {"033", "ND"},       {"034", "SD"},
    {"035", "UT"}, {"036", "WY"},       {"041", "CO"},
    {"042", "NM"}, {"043", "OK"},       {"044", "TX"},
    {"051", "IA"}, {"052", "KS"},       {"053", "MO"},
    {"054", "NE"}, {"061", "IL"},       {"062", "MN"},
    {"063", "WI"}, {"071", "AR"},       {"072", "LA"},
    {"073", "MS"}, {"081", "IN"},       {"082", "MI"},
    {"091", "FL"}, {"092", "PR VI"},    {"101", "AL"},
    {"102", "GA"}, {"103", "TN"},       {"112", "SC"},
    {"113", "VA"}, {"114", "WV"},       {"115", "NC"},
    {"121", "DE"}, {"122", "DC MD VA"}, {"123", "MD"},
    {"124", "NJ"}, {"125", "PA"},       {"131", "CT"},
    {"132", "NY"}, {"141", "ME"},       {"142", "MA"},
    {"143", "NH"}, {"144", "RI"},       {"145", "VT"},
    {"151", "KY"}, {"152", "OH"},
};

static uint64_t state_bit(const char *s)
{
    for (size_t i = 0; i < bm_n_states; i++) {
        if (s[0] == bm_states[i][0] && s[1] == bm_states[i][1])
            return (uint64_t)1 << i;
    }
    return 0;
}

uint64_t bm_contractor_states(const char *number)
{
    uint64_t m = 0;
    if (strlen(number) != 5)
        return 0;
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        if (memcmp(number, prefixes[i].prefix, 3) == 0) {
            for (const char *p = prefixes[i].states; p[0] && p[1];
                 p += p[2] ? 3 : 2)
                m |= state_bit(p);
            return m;
        }
    }
    return 0;
}

/* ---- dates ----------------------------------------------------------------
 */

int32_t bm_parse_date(const char *s)
{
    int y;
    int mo;
    int d;
    int yy;
    int era;
    int yoe;
    int doy;
    if (!s || strlen(s) < 10 || sscanf(s, "%4d-%2d-%2d", &y, &mo, &d) != 3)
        return INT32_MIN;
    yy = y - (mo <= 2);
    era = (yy >= 0 ? yy : yy - 399) / 400;
    yoe = yy - era * 400;
    doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return (int32_t)(era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy -
                     719468);
}

void bm_format_date(char out[11], int32_t days)
{
    int z = days + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int y = yoe + era * 400;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int d = doy - (153 * mp + 2) / 5 + 1;
    int m = mp < 10 ? mp + 3 : mp - 9;
    unsigned u;
    y += m <= 2;
    u = (unsigned)(y < 0 ? 0 : y % 10000);
    out[0] = (char)('0' + u / 1000);
    out[1] = (char)('0' + u / 100 % 10);
    out[2] = (char)('0' + u / 10 % 10);
    out[3] = (char)('0' + u % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

/* ---- CSV ------------------------------------------------------------------
 */

#define MAX_BIND 12

int bm_each_row(const char *dir, const char *name, const char *const *cols,
                size_t ncols, bm_row_fn row, void *payload)
{
    char *path = bm_join(dir, name);
    char *data = NULL;
    size_t len = 0;
    mn_csv *csv = NULL;
    mn_error err;
    size_t idx[MAX_BIND];
    const char *f[MAX_BIND];
    int rc = -1;
    int r;

    if (!path || ncols > MAX_BIND)
        goto done;
    data = bm_read_file(path, &len);
    if (!data) {
        fprintf(stderr, "mednec_bench: cannot read %s\n", path);
        goto done;
    }
    if (mn_csv_new(&csv, data, len, NULL, &err) != MN_OK)
        goto fail;
    r = mn_csv_next(csv, &err);
    if (r < 0)
        goto fail;
    if (r == 0) {
        rc = 0;
        goto done;
    }
    for (size_t c = 0; c < ncols; c++) {
        idx[c] = SIZE_MAX;
        for (size_t i = 0; i < mn_csv_count(csv); i++) {
            if (strcmp(mn_csv_field(csv, i, NULL), cols[c]) == 0)
                idx[c] = i;
        }
    }
    for (;;) {
        r = mn_csv_next(csv, &err);
        if (r == 0)
            break;
        if (r < 0)
            goto fail;
        for (size_t c = 0; c < ncols; c++)
            f[c] = idx[c] == SIZE_MAX ? NULL : mn_csv_field(csv, idx[c], NULL);
        if (row(payload, f))
            goto done;
    }
    rc = 0;
    goto done;
fail:
    fprintf(stderr, "mednec_bench: %s: line %zu: %s\n", path, err.line,
            err.message);
done:
    mn_csv_free(csv);
    free(data);
    free(path);
    return rc;
}

/* ---- the model
 * --------------------------------------------------------------- */

typedef struct contractor {
    long id;
    char number[8];
} contractor;

typedef struct tmp_dx {
    size_t v;
    size_t seq;
    bm_dx dx;
} tmp_dx;

typedef struct loader {
    bm_model *m;
    contractor *c;
    size_t n_c;
    size_t cap_c;
    size_t cap_v;
    tmp_dx *t;
    size_t n_t;
    size_t cap_t;
} loader;

static int grow(void **p, size_t *cap, size_t n, size_t elem)
{
    void *np;
    size_t ncap;
    if (n < *cap)
        return 0;
    ncap = *cap ? *cap * 2 : 1024;
    np = realloc(*p, ncap * elem);
    if (!np)
        return -1;
    *p = np;
    *cap = ncap;
    return 0;
}

static int contractor_row(void *payload, const char *const *f)
{
    loader *l = payload;
    contractor *c;
    if (!f[0] || !f[1])
        return 0;
    if (grow((void **)&l->c, &l->cap_c, l->n_c, sizeof(*l->c)))
        return -1;
    c = &l->c[l->n_c++];
    c->id = strtol(f[0], NULL, 10);
    snprintf(c->number, sizeof(c->number), "%s", f[1]);
    return 0;
}

static int article_row(void *payload, const char *const *f)
{
    loader *l = payload;
    bm_model *m = l->m;
    bm_version *v;
    const char *eff = f[2] && f[2][0] ? f[2] : f[4];
    if (!f[0] || !f[1])
        return 0;
    if (grow((void **)&m->v, &l->cap_v, m->n_v, sizeof(*m->v)))
        return -1;
    v = &m->v[m->n_v++];
    memset(v, 0, sizeof(*v));
    v->article_id = strtol(f[0], NULL, 10);
    v->version = strtol(f[1], NULL, 10);
    v->eff = bm_parse_date(eff);
    v->end = f[3] && f[3][0] ? bm_parse_date(f[3]) : INT32_MAX;
    if (v->eff == INT32_MIN)
        v->eff = INT32_MIN + 1;
    snprintf(v->eff_text, sizeof(v->eff_text), "%s", eff ? eff : "");
    if (v->end != INT32_MAX)
        snprintf(v->end_text, sizeof(v->end_text), "%s", f[3]);
    return 0;
}

static int cmp_version(const void *pa, const void *pb)
{
    const bm_version *a = pa;
    const bm_version *b = pb;
    if (a->article_id != b->article_id)
        return a->article_id < b->article_id ? -1 : 1;
    return a->version < b->version ? -1 : a->version > b->version;
}

static bm_version *find_version(const bm_model *m, const char *id,
                                const char *ver)
{
    bm_version key;
    if (!id || !ver)
        return NULL;
    key.article_id = strtol(id, NULL, 10);
    key.version = strtol(ver, NULL, 10);
    return bsearch(&key, m->v, m->n_v, sizeof(*m->v), cmp_version);
}

static int link_row(void *payload, const char *const *f)
{
    loader *l = payload;
    bm_version *v = find_version(l->m, f[0], f[1]);
    long id;
    if (!v || !f[2])
        return 0;
    id = strtol(f[2], NULL, 10);
    for (size_t i = 0; i < l->n_c; i++) {
        if (l->c[i].id == id)
            v->states |= bm_contractor_states(l->c[i].number);
    }
    l->m->n_contractor_links++;
    return 0;
}

static int hcpc_row(void *payload, const char *const *f)
{
    loader *l = payload;
    bm_version *v = find_version(l->m, f[0], f[1]);
    if (!v || !f[2] || strlen(f[2]) != 5)
        return 0;
    if (v->n_codes < 8)
        memcpy(v->codes[v->n_codes++], f[2], 6);
    l->m->n_hcpc_rows++;
    return 0;
}

static int dx_row(void *payload, const char *const *f)
{
    loader *l = payload;
    bm_version *v = find_version(l->m, f[0], f[1]);
    tmp_dx *t;
    if (!v || !f[2] || strlen(f[2]) >= sizeof(t->dx.code))
        return 0;
    if (grow((void **)&l->t, &l->cap_t, l->n_t, sizeof(*l->t)))
        return -1;
    t = &l->t[l->n_t];
    t->v = (size_t)(v - l->m->v);
    t->seq = l->n_t;
    l->n_t++;
    snprintf(t->dx.code, sizeof(t->dx.code), "%s", f[2]);
    t->dx.group = (uint8_t)(f[3] ? strtol(f[3], NULL, 10) : 0);
    t->dx.asterisk = f[4] && f[4][0] && strcmp(f[4], "N") != 0 ? 1 : 0;
    return 0;
}

static int cmp_tmp(const void *pa, const void *pb)
{
    const tmp_dx *a = pa;
    const tmp_dx *b = pb;
    if (a->v != b->v)
        return a->v < b->v ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Moves the collected rows into `out`, setting each version's range. */
static int take_rows(loader *l, bm_dx **out, size_t *n_out, bool covered)
{
    bm_model *m = l->m;
    if (l->n_t)
        qsort(l->t, l->n_t, sizeof(*l->t), cmp_tmp);
    *out = malloc((l->n_t ? l->n_t : 1) * sizeof(**out));
    if (!*out)
        return -1;
    for (size_t i = 0; i < l->n_t; i++) {
        bm_version *v = &m->v[l->t[i].v];
        (*out)[i] = l->t[i].dx;
        if (covered) {
            if (!v->n_cov)
                v->cov_first = i;
            v->n_cov++;
            if (l->t[i].dx.asterisk)
                v->dual = true;
        } else {
            if (!v->n_noncov)
                v->noncov_first = i;
            v->n_noncov++;
        }
    }
    *n_out = l->n_t;
    l->n_t = 0;
    return 0;
}

static int cmp_str(const void *pa, const void *pb)
{
    return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

int bm_model_load(bm_model *m, const char *dir)
{
    static const char *const c_cols[] = {"contractor_id", "contractor_number"};
    static const char *const a_cols[] = {"article_id", "article_version",
                                         "article_eff_date", "article_end_date",
                                         "orig_eff_date"};
    static const char *const l_cols[] = {"article_id", "article_version",
                                         "contractor_id"};
    static const char *const h_cols[] = {"article_id", "article_version",
                                         "hcpc_code_id"};
    static const char *const cov_cols[] = {"article_id", "article_version",
                                           "icd10_code_id",
                                           "icd10_covered_group", "asterisk"};
    static const char *const non_cols[] = {
        "article_id", "article_version", "icd10_code_id",
        "icd10_noncovered_group", "asterisk"};
    loader l;
    int rc = -1;
    size_t n_codes = 0;

    memset(m, 0, sizeof(*m));
    memset(&l, 0, sizeof(l));
    l.m = m;
    if (bm_each_row(dir, "contractor.csv", c_cols, 2, contractor_row, &l) ||
        bm_each_row(dir, "article.csv", a_cols, 5, article_row, &l))
        goto done;
    m->n_contractors = l.n_c;
    if (m->n_v)
        qsort(m->v, m->n_v, sizeof(*m->v), cmp_version);
    if (bm_each_row(dir, "article_x_contractor.csv", l_cols, 3, link_row, &l) ||
        bm_each_row(dir, "article_x_hcpc_code.csv", h_cols, 3, hcpc_row, &l))
        goto done;
    if (bm_each_row(dir, "article_x_icd10_covered.csv", cov_cols, 5, dx_row,
                    &l) ||
        take_rows(&l, &m->cov, &m->n_cov, true))
        goto done;
    if (bm_each_row(dir, "article_x_icd10_noncovered.csv", non_cols, 5, dx_row,
                    &l) ||
        take_rows(&l, &m->noncov, &m->n_noncov, false))
        goto done;
    for (size_t i = 0; i < m->n_v; i++) {
        bm_version *v = &m->v[i];
        v->sorted_cov = malloc((v->n_cov ? v->n_cov : 1) * sizeof(char *));
        if (!v->sorted_cov)
            goto done;
        for (size_t k = 0; k < v->n_cov; k++)
            v->sorted_cov[k] = m->cov[v->cov_first + k].code;
        qsort(v->sorted_cov, v->n_cov, sizeof(char *), cmp_str);
        n_codes += (size_t)v->n_codes;
    }
    m->procedure_codes = malloc((n_codes ? n_codes : 1) * sizeof(char *));
    if (!m->procedure_codes)
        goto done;
    for (size_t i = 0; i < m->n_v; i++) {
        for (int k = 0; k < m->v[i].n_codes; k++)
            m->procedure_codes[m->n_procedure_codes++] = m->v[i].codes[k];
    }
    qsort(m->procedure_codes, m->n_procedure_codes, sizeof(char *), cmp_str);
    n_codes = 0;
    for (size_t i = 0; i < m->n_procedure_codes; i++) {
        if (!n_codes ||
            strcmp(m->procedure_codes[n_codes - 1], m->procedure_codes[i]))
            m->procedure_codes[n_codes++] = m->procedure_codes[i];
    }
    m->n_procedure_codes = n_codes;
    rc = 0;
done:
    free(l.c);
    free(l.t);
    if (rc)
        bm_model_free(m);
    return rc;
}

void bm_model_free(bm_model *m)
{
    for (size_t i = 0; i < m->n_v; i++)
        free(m->v[i].sorted_cov);
    free(m->v);
    free(m->cov);
    free(m->noncov);
    free(m->procedure_codes);
    memset(m, 0, sizeof(*m));
}
