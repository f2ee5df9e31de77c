/*
 * report/report.c: gathering the figures of an audit report
 * (mednec/report.h) from results, through the result API or from their
 * JSON.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mednec/claim.h"
#include "mednec/crossclaim.h"
#include "mednec/kb.h"
#include "report/report_int.h"

#define DEF_MAX_KEYS 100000
#define DEF_TOP 25
#define DEF_MIN_LINES 20

int mn_report_new(mn_report **out, const mn_report_options *opts, mn_error *err)
{
    mn_report *r;

    if (!out || (opts && opts->version != MN_REPORT_OPTIONS_VERSION))
        return mn_x__err(err, MN_EINVAL, "invalid arguments");
    *out = NULL;
    r = mn_x__calloc(1, sizeof(*r));
    if (!r)
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    if (opts)
        r->o = *opts;
    if (!r->o.max_keys)
        r->o.max_keys = DEF_MAX_KEYS;
    if (!r->o.top)
        r->o.top = DEF_TOP;
    if (!r->o.min_provider_lines)
        r->o.min_provider_lines = DEF_MIN_LINES;
    r->title = mn_x__strndup(
        opts && opts->title ? opts->title : "mednec audit report",
        strlen(opts && opts->title ? opts->title : "mednec audit report"));
    r->source = opts && opts->source
                    ? mn_x__strndup(opts->source, strlen(opts->source))
                    : NULL;
    r->o.title = r->title;
    r->o.source = r->source;
    for (int i = 0; i < T_COUNT; i++)
        r->t[i].max = r->o.max_keys;
    if (!r->title || (opts && opts->source && !r->source)) {
        mn_report_free(r);
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    }
    *out = r;
    return MN_OK;
}

void mn_report_free(mn_report *r)
{
    if (!r)
        return;
    for (int i = 0; i < T_COUNT; i++) {
        mn_rtab *t = &r->t[i];
        for (size_t k = 0; k < t->n; k++)
            mn_x__free(t->keys[k]);
        mn_x__free(t->keys);
        mn_x__free(t->rows);
        mn_x__map_free(&t->index);
    }
    mn_x__free(r->title);
    mn_x__free(r->source);
    mn_x__free(r);
}

/* The row of `key` in `t` (made when new), or the table's `other`. */
static mn_agg *row_of(mn_rtab *t, const char *key, size_t len, int *rc)
{
    uint64_t h = mn_x__hash(key, len);
    uint32_t ix;

    /* collisions of a 64-bit hash are ignored: the keys are codes */
    if (mn_x__map_get(&t->index, h, &ix))
        return &t->rows[ix];
    if (t->n >= t->max) {
        t->other_keys++;
        return &t->other;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        char **nk = mn_x__realloc(t->keys, cap * sizeof(*nk));
        mn_agg *nr;
        if (!nk) {
            *rc = MN_ENOMEM;
            return NULL;
        }
        t->keys = nk;
        nr = mn_x__realloc(t->rows, cap * sizeof(*nr));
        if (!nr) {
            *rc = MN_ENOMEM;
            return NULL;
        }
        t->rows = nr;
        t->cap = cap;
    }
    t->keys[t->n] = mn_x__strndup(key, len);
    if (!t->keys[t->n] || mn_x__map_put(&t->index, h, (uint32_t)t->n)) {
        mn_x__free(t->keys[t->n]);
        *rc = MN_ENOMEM;
        return NULL;
    }
    memset(&t->rows[t->n], 0, sizeof(t->rows[0]));
    return &t->rows[t->n++];
}

static bool denied_status(int s)
{
    return s == MN_STATUS_INVALID || s == MN_STATUS_EXCLUDED ||
           s == MN_STATUS_NOT_COVERED;
}

static bool review_status(int s)
{
    return s == MN_STATUS_CONDITIONAL || s == MN_STATUS_INDETERMINATE;
}

/* Counts line `ln` into `a`. */
static void count(mn_agg *a, const mn_rline *ln, bool freq, bool mue, bool ptp)
{
    bool d = denied_status(ln->status);

    a->lines++;
    a->denied += d;
    a->review += review_status(ln->status);
    if (ln->charge >= 0) {
        a->charges += ln->charge;
        if (d)
            a->at_risk += ln->charge;
    }
    a->frequency += freq;
    a->mue += mue;
    a->ptp += ptp;
}

int mn_x__report_line(mn_report *r, const mn_rline *ln)
{
    bool freq = false, mue = false, ptp = false;
    bool unsupported = false;
    int rc = MN_OK;
    mn_agg *a;
    char key[96];

    for (size_t i = 0; i < ln->n_edits; i++) {
        freq |= strcmp(ln->edits[i], "frequency.exceeded") == 0;
        mue |= strcmp(ln->edits[i], "units.mue_exceeded") == 0;
        ptp |= strcmp(ln->edits[i], "ncci.ptp") == 0;
        unsupported |= strcmp(ln->edits[i], "policy.dx_not_supported") == 0 ||
                       strcmp(ln->edits[i], "policy.dx_noncovered") == 0;
    }
    if (ln->status >= 0 && ln->status < 6)
        r->lines_by_status[ln->status]++;
    count(&r->total, ln, freq, mue, ptp);
    r->lines_charged += ln->charge >= 0;
    for (size_t i = 0; i < ln->n_edits && rc == MN_OK; i++)
        if ((a = row_of(&r->t[T_EDIT], ln->edits[i], strlen(ln->edits[i]),
                        &rc)))
            count(a, ln, freq, mue, ptp);
    for (size_t i = 0; i < ln->n_policies && rc == MN_OK; i++)
        if ((a = row_of(&r->t[T_POLICY], ln->policies[i],
                        strlen(ln->policies[i]), &rc)))
            count(a, ln, freq, mue, ptp);
    for (size_t i = 0; i < ln->n_carcs && rc == MN_OK; i++)
        if ((a = row_of(&r->t[T_CARC], ln->carcs[i], strlen(ln->carcs[i]),
                        &rc)))
            count(a, ln, freq, mue, ptp);
    if (rc == MN_OK && ln->code &&
        (a = row_of(&r->t[T_CODE], ln->code, strlen(ln->code), &rc)))
        count(a, ln, freq, mue, ptp);
    for (size_t i = 0; unsupported && i < ln->n_dx && rc == MN_OK; i++) {
        int n = snprintf(key, sizeof(key), "%s|%s", ln->code ? ln->code : "",
                         ln->diagnoses[i]);
        if ((a = row_of(&r->t[T_PAIR], key,
                        (size_t)(n < (int)sizeof(key) ? n : 0), &rc)))
            count(a, ln, freq, mue, ptp);
    }
    if (rc == MN_OK && ln->date && strlen(ln->date) >= 7 &&
        (a = row_of(&r->t[T_MONTH], ln->date, 7, &rc)))
        count(a, ln, freq, mue, ptp);
    if (rc == MN_OK) {
        const char *p = ln->provider ? ln->provider : "(none)";
        if ((a = row_of(&r->t[T_PROVIDER], p, strlen(p), &rc)))
            count(a, ln, freq, mue, ptp);
    }
    return rc;
}

static void add_once(const char **list, size_t *n, const char *s)
{
    if (!s || !s[0] || *n >= 16)
        return;
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(list[i], s) == 0)
            return;
    }
    list[(*n)++] = s;
}

int mn_report_add_result(mn_report *r, const mn_result *res, mn_error *err)
{
    size_t n;
    int rc = MN_OK;
    mn_cross cross;

    if (!r || !res)
        return mn_x__err(err, MN_EINVAL, "invalid arguments");
    r->claims++;
    r->claims_by_status[mn_result_status(res)]++;
    cross = mn_result_cross(res);
    r->cross_checked += cross == MN_CROSS_CHECKED;
    r->cross_alone +=
        cross == MN_CROSS_NO_PATIENT || cross == MN_CROSS_NO_PROVIDER;
    n = mn_result_line_count(res);
    for (size_t l = 0; l < n && rc == MN_OK; l++) {
        mn_line_info li;
        mn_rline ln;
        memset(&ln, 0, sizeof(ln));
        li.version = MN_LINE_INFO_VERSION;
        if ((rc = mn_result_line(&li, res, l, err)))
            return rc;
        ln.code = li.code;
        ln.date = li.date;
        ln.provider = li.provider;
        ln.charge = li.charge == MN_NO_AMOUNT ? -1 : li.charge;
        ln.status = (int)li.status;
        for (size_t d = 0; d < li.n_diagnoses && d < 16; d++)
            ln.diagnoses[ln.n_dx++] = li.diagnoses[d];
        for (size_t f = 0; f < li.n_findings; f++) {
            mn_finding_summary fs;
            if (mn_result_finding_summary(&fs, res, l, f) != MN_OK ||
                fs.severity == MN_SEVERITY_INFO)
                continue;
            add_once(ln.edits, &ln.n_edits, fs.edit->id);
            if (!(fs.citation_kind && strcmp(fs.citation_kind, "kb") == 0))
                add_once(ln.policies, &ln.n_policies, fs.citation_id);
            add_once(ln.carcs, &ln.n_carcs, fs.carc);
        }
        rc = mn_x__report_line(r, &ln);
    }
    if (rc == MN_ENOMEM)
        mn_x__err(err, rc, "out of memory");
    return rc;
}

/* Whether a brief result's citation id names a kind of KB source (the
 * citation of kb.outside_range and kb.no_code_set): data the KB lacks, not
 * a policy, so it stays out of the report's policies. */
static bool kb_source_id(const char *id)
{
    for (int k = 1; id && k < (int)MN_SOURCE_KIND_END_; k++)
        if (strcmp(id, mn_source_kind_name((mn_source_kind)k)) == 0)
            return true;
    return false;
}

static int status_of(const char *s)
{
    for (int i = 0; s && i < 6; i++) {
        if (strcmp(s, mn_status_name((mn_status)i)) == 0)
            return i;
    }
    return -1;
}

/* Money as JSON gives it (40.5, 40.50, 40): cents. */
static int64_t cents(const json_t *v)
{
    if (json_is_integer(v))
        return (int64_t)json_integer_value(v) * 100;
    if (json_is_real(v))
        return (int64_t)llround(json_real_value(v) * 100.0);
    return -1;
}

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

int mn_report_add_json(mn_report *r, const char *json, size_t len,
                       mn_error *err)
{
    json_error_t je;
    json_t *root;
    json_t *lines;
    json_t *ln;
    size_t i;
    int rc = MN_OK;
    int st;

    if (!r || (!json && len))
        return mn_x__err(err, MN_EINVAL, "invalid arguments");
    root = json_loadb(json, len, 0, &je);
    if (!root) {
        r->unreadable++;
        /* jansson's text quotes the input: say where only */
        rc = mn_x__err(err, MN_EINVAL, "not json (column %d)", je.column);
        if (err)
            err->column = je.column > 0 ? (size_t)je.column : 0;
        return rc;
    }
    if (json_object_get(root, "error")) {
        r->errors++;
        json_decref(root);
        return MN_OK;
    }
    lines = json_object_get(root, "lines");
    st = status_of(jstr(root, "status"));
    if (!json_is_array(lines) || st < 0) {
        r->unreadable++;
        json_decref(root);
        return mn_x__err(err, MN_EINVAL, "not a result: no lines or no status");
    }
    r->claims++;
    r->claims_by_status[st]++;
    {
        const char *cs = jstr(json_object_get(root, "cross_claim"), "status");
        r->cross_checked += cs && strcmp(cs, "checked") == 0;
        r->cross_alone += cs && strcmp(cs, "checked") != 0;
    }
    json_array_foreach(lines, i, ln)
    {
        mn_rline x;
        json_t *edits = json_object_get(ln, "edits");
        json_t *v;
        size_t k;
        char code[16];

        memset(&x, 0, sizeof(x));
        x.code = jstr(ln, "code");
        x.date = jstr(ln, "date");
        x.provider = jstr(ln, "provider");
        x.charge = cents(json_object_get(ln, "charge"));
        x.status = status_of(jstr(ln, "status"));
        if (!x.code || x.status < 0) {
            rc = mn_x__err(err, MN_EINVAL,
                           "lines[%zu]: not a result line (code, status)", i);
            break;
        }
        snprintf(code, sizeof(code), "%s", x.code);
        x.code = code;
        json_array_foreach(json_object_get(ln, "diagnoses"), k, v)
        {
            if (json_is_string(v) && x.n_dx < 16)
                x.diagnoses[x.n_dx++] = json_string_value(v);
        }
        if (edits) {
            /* brief: the denial and review findings' edits already */
            json_array_foreach(edits, k, v)
                add_once(x.edits, &x.n_edits, json_string_value(v));
            json_array_foreach(json_object_get(ln, "citations"), k, v)
            {
                if (!kb_source_id(json_string_value(v)))
                    add_once(x.policies, &x.n_policies, json_string_value(v));
            }
            json_array_foreach(json_object_get(ln, "carc"), k, v)
                add_once(x.carcs, &x.n_carcs, json_string_value(v));
        } else {
            json_array_foreach(json_object_get(ln, "findings"), k, v)
            {
                const char *sev = jstr(v, "severity");
                if (!sev || strcmp(sev, "info") == 0)
                    continue;
                add_once(x.edits, &x.n_edits, jstr(v, "edit"));
                if (!jstr(json_object_get(v, "policy"), "kind") ||
                    strcmp(jstr(json_object_get(v, "policy"), "kind"), "kb"))
                    add_once(x.policies, &x.n_policies,
                             jstr(json_object_get(v, "policy"), "id"));
                add_once(x.carcs, &x.n_carcs, jstr(v, "carc"));
            }
        }
        if ((rc = mn_x__report_line(r, &x))) {
            mn_x__err(err, rc, "out of memory");
            break;
        }
    }
    json_decref(root);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Sorting and outliers                                                */
/* ------------------------------------------------------------------ */

typedef struct sort_ctx {
    const mn_rtab *t;
    int by;
} sort_ctx;

/* qsort has no context argument: the indexes carry it. */
typedef struct sidx {
    size_t row;
    uint64_t v;
    const char *key;
} sidx;

static int cmp_sidx(const void *a, const void *b)
{
    const sidx *x = a;
    const sidx *y = b;

    if (x->v != y->v)
        return x->v > y->v ? -1 : 1;
    return strcmp(x->key, y->key);
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(((const sidx *)a)->key, ((const sidx *)b)->key);
}

size_t *mn_x__report_sorted(const mn_rtab *t, int by)
{
    sidx *s = mn_x__calloc(t->n ? t->n : 1, sizeof(*s));
    size_t *out = mn_x__calloc(t->n ? t->n : 1, sizeof(*out));

    if (!s || !out) {
        mn_x__free(s);
        mn_x__free(out);
        return NULL;
    }
    for (size_t i = 0; i < t->n; i++) {
        s[i].row = i;
        s[i].key = t->keys[i];
        s[i].v = by == 0 ? t->rows[i].denied : t->rows[i].lines;
    }
    qsort(s, t->n, sizeof(*s), by == 2 ? cmp_key : cmp_sidx);
    for (size_t i = 0; i < t->n; i++)
        out[i] = s[i].row;
    mn_x__free(s);
    return out;
}

static void mean_sd(const double *v, size_t n, double *mean, double *sd)
{
    double m = 0;
    double q = 0;

    for (size_t i = 0; i < n; i++)
        m += v[i];
    m = n ? m / (double)n : 0;
    for (size_t i = 0; i < n; i++)
        q += (v[i] - m) * (v[i] - m);
    *mean = m;
    *sd = n > 1 ? sqrt(q / (double)(n - 1)) : 0;
}

int mn_x__report_outliers(const mn_report *r, mn_rout **out, size_t *n_eligible,
                          double *mean, double *sd)
{
    const mn_rtab *t = &r->t[T_PROVIDER];
    mn_rout *o = mn_x__calloc(t->n ? t->n : 1, sizeof(*o));
    double *v[3];
    size_t n = 0;
    double m[3], s[3];

    *out = NULL;
    v[0] = mn_x__calloc(t->n ? t->n : 1, sizeof(double));
    v[1] = mn_x__calloc(t->n ? t->n : 1, sizeof(double));
    v[2] = mn_x__calloc(t->n ? t->n : 1, sizeof(double));
    if (!o || !v[0] || !v[1] || !v[2]) {
        mn_x__free(o);
        for (int k = 0; k < 3; k++)
            mn_x__free(v[k]);
        return MN_ENOMEM;
    }
    for (size_t i = 0; i < t->n; i++) {
        const mn_agg *a = &t->rows[i];
        o[i].row = i;
        o[i].rate = a->lines ? (double)a->denied / (double)a->lines : 0;
        if (a->lines < r->o.min_provider_lines ||
            strcmp(t->keys[i], "(none)") == 0)
            continue;
        v[0][n] = o[i].rate;
        v[1][n] = (double)a->frequency / (double)a->lines;
        v[2][n] = (double)a->mue / (double)a->lines;
        n++;
    }
    for (int k = 0; k < 3; k++)
        mean_sd(v[k], n, &m[k], &s[k]);
    for (size_t i = 0; i < t->n; i++) {
        const mn_agg *a = &t->rows[i];
        double f, u;
        if (a->lines < r->o.min_provider_lines || n < 3 ||
            strcmp(t->keys[i], "(none)") == 0)
            continue;
        f = (double)a->frequency / (double)a->lines;
        u = (double)a->mue / (double)a->lines;
        o[i].z_rate = s[0] > 0 ? (o[i].rate - m[0]) / s[0] : 0;
        o[i].z_freq = s[1] > 0 ? (f - m[1]) / s[1] : 0;
        o[i].z_mue = s[2] > 0 ? (u - m[2]) / s[2] : 0;
        o[i].outlier = o[i].z_rate >= 2 || o[i].z_freq >= 2 || o[i].z_mue >= 2;
    }
    for (int k = 0; k < 3; k++)
        mn_x__free(v[k]);
    *out = o;
    *n_eligible = n;
    *mean = m[0];
    *sd = s[0];
    return MN_OK;
}
