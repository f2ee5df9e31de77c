/*
 * build/load/load_labncd.c: national clinical laboratory NCD code lists (190.x)
 * in the shared lab-ncd layout, into the KB builder.
 *
 * ncd_codes.csv: ncd_id, code_kind (hcpcs|icd10), code,
 * list (covered|denied|not_supported), range_end, frequency_note.
 * ncd_meta.csv: ncd_id, title, hcpcs_status, icd10_covered_status, ...
 * Columns are found by header name. Each NCD becomes policy (MN_PK_NCD,
 * "190.21", version 0) flagged MN_PF_LAB; "ALL" (the list applying to
 * every lab NCD) is also flagged MN_PF_ALL_LAB. NCD 190.15 is loaded like
 * any other: its inversion is expressed in the rule language.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "build/load/loaders.h"
#include "mednec/csv.h"

#define NO_COL MN_NO_COL
#define VEC_MAX ((size_t)64 << 20)
#define NCD_ID_MAX 16
#define MAX_COLS 6

typedef mn_colspec colspec;

typedef struct lab {
    mn_kbb *b;
    const mn_src *src;
    mn_report *rep;
    mn_csv *csv;
    size_t idx[MAX_COLS];
    char ncd[NCD_ID_MAX]; /* NCD of the current row */
    unsigned flags;       /* its MN_PF_* */
    mn_vec ncds;          /* char[NCD_ID_MAX]: NCDs declared so far */
    mn_vec notes;         /* char *: "ncd\nnote" already stored */
    mn_vec scratch;
    size_t unknown_icd;
    size_t ranges;
    size_t range_codes;
    size_t n_notes;
    size_t n_ncds;
} lab;

/* ---- helpers ----------------------------------------------------------- */

static void note_add(mn_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note_add(mn_report *r, const char *fmt, ...)
{
    size_t used = strlen(r->note);
    va_list ap;

    if (used && used + 2 < sizeof(r->note)) {
        memcpy(r->note + used, "; ", 3);
        used += 2;
    }
    if (used + 1 >= sizeof(r->note))
        return;
    va_start(ap, fmt);
    vsnprintf(r->note + used, sizeof(r->note) - used, fmt, ap);
    va_end(ap);
}

static void skip(lab *l, const char *reason)
{
    mn_x__report_skip(l->rep, reason, mn_csv_record(l->csv));
}

static const char *fld(const lab *l, int c, size_t *len)
{
    size_t i = l->idx[c];
    size_t n = 0;
    const char *s;

    if (i == NO_COL) {
        *len = 0;
        return "";
    }
    s = mn_csv_field(l->csv, i, &n);
    *len = mn_x__trim(&s, n);
    return s;
}

#define word_is mn_x__word_is
#define blank_record mn_x__csv_blank

static int located(const lab *l, int rc, mn_error *err)
{
    if (err)
        mn_x__err_at(err, l->src->path, err->line, err->column);
    return rc;
}

/* Reads the header and binds `cols`; *empty for a file with no record. */
static int bind_columns(lab *l, const colspec *cols, size_t ncols, bool *empty,
                        mn_error *err)
{
    assert(ncols <= MAX_COLS);
    return mn_x__csv_bind(l->csv, l->src->path, cols, ncols, l->idx, empty,
                          err);
}

typedef int (*row_fn)(lab *l);

static int each_row(lab *l, const colspec *cols, size_t ncols, row_fn row,
                    mn_error *err)
{
    bool empty = false;
    int rc;

    rc = mn_csv_new(&l->csv, l->src->data, l->src->len, NULL, err);
    if (rc)
        goto done;
    rc = bind_columns(l, cols, ncols, &empty, err);
    if (rc)
        goto done;
    if (empty) {
        note_add(l->rep, "empty file");
        goto done;
    }
    for (;;) {
        rc = mn_csv_next(l->csv, err);
        if (rc == 0)
            break;
        if (rc < 0) {
            rc = located(l, rc, err);
            goto done;
        }
        if (blank_record(l->csv)) {
            skip(l, "blank line");
            continue;
        }
        rc = row(l);
        if (rc) {
            mn_x__err(err, rc, "%s", mn_strerror(rc));
            mn_x__err_at(err, l->src->path, mn_csv_line(l->csv), 1);
            if (err)
                err->record = mn_csv_record(l->csv);
            goto done;
        }
    }
    rc = MN_OK;
done:
    mn_csv_free(l->csv);
    l->csv = NULL;
    return rc;
}

/* "190.21", "190.20A" or "ALL" -> l->ncd and l->flags. */
static bool parse_ncd(lab *l, const char *s, size_t len)
{
    size_t i = 0;
    size_t n;

    if (word_is(s, len, "all")) {
        memcpy(l->ncd, "ALL", 4);
        l->flags = MN_PF_LAB | MN_PF_ALL_LAB;
        return true;
    }
    if (len == 0 || len >= NCD_ID_MAX)
        return false;
    for (n = 0; i < len && mn_x__isdigit(s[i]); i++)
        n++;
    if (n == 0 || i == len || s[i] != '.')
        return false;
    i++;
    for (n = 0; i < len && mn_x__isdigit(s[i]); i++)
        n++;
    if (n == 0)
        return false;
    if (i < len && mn_x__isalpha(s[i]))
        i++;
    if (i != len)
        return false;
    for (i = 0; i < len; i++)
        l->ncd[i] = (char)mn_x__toupper((unsigned char)s[i]);
    l->ncd[len] = '\0';
    l->flags = MN_PF_LAB;
    return true;
}

/* Declares the current NCD to the builder once. */
static int declare_ncd(lab *l)
{
    size_t n = l->ncds.len / NCD_ID_MAX;
    mn_kbb_policy p;
    int rc;

    for (size_t i = 0; i < n; i++) {
        if (strcmp((const char *)l->ncds.data + i * NCD_ID_MAX, l->ncd) == 0)
            return MN_OK;
    }
    memset(&p, 0, sizeof(p));
    p.kind = MN_PK_NCD;
    p.id = l->ncd;
    p.version = 0;
    p.effective = MN_NODATE;
    p.ending = MN_NODATE;
    p.flags = l->flags;
    rc = mn_x__kbb_policy(l->b, &p);
    if (rc == MN_OK)
        rc = mn_x__vec_push(&l->ncds, l->ncd, NCD_ID_MAX);
    if (rc == MN_OK)
        l->n_ncds++;
    return rc;
}

/* Stores a frequency note once per distinct (NCD, note). */
static int add_note(lab *l, const char *note, size_t len)
{
    size_t id_len = strlen(l->ncd);
    size_t n = MN_VEC_COUNT(&l->notes, char *);
    char *key = NULL;
    int rc = MN_OK;

    if (len == 0)
        goto done;
    for (size_t i = 0; i < n; i++) {
        const char *k = MN_VEC_AT(&l->notes, char *, i);
        if (strncmp(k, l->ncd, id_len) == 0 && k[id_len] == '\n' &&
            strlen(k + id_len + 1) == len &&
            memcmp(k + id_len + 1, note, len) == 0)
            goto done;
    }
    key = mn_x__malloc(id_len + len + 2);
    if (!key) {
        rc = MN_ENOMEM;
        goto done;
    }
    memcpy(key, l->ncd, id_len);
    key[id_len] = '\n';
    memcpy(key + id_len + 1, note, len);
    key[id_len + 1 + len] = '\0';
    rc = mn_x__vec_push(&l->notes, &key, sizeof(key));
    if (rc)
        goto done;
    key = NULL;
    rc = mn_x__kbb_policy_note(l->b, MN_PK_NCD, l->ncd, 0, note, len);
    if (rc == MN_OK)
        l->n_notes++;
done:
    mn_x__free(key);
    return rc;
}

/* ---- ncd_codes.csv ----------------------------------------------------- */

enum { C_NCD, C_KIND, C_CODE, C_LIST, C_RANGE_END, C_NOTE };
static const colspec code_cols[] = {
    {"ncd_id", NULL, true},     {"code_kind", NULL, true},
    {"code", NULL, true},       {"list", NULL, true},
    {"range_end", NULL, false}, {"frequency_note", NULL, false},
};

typedef struct emit {
    lab *l;
    int list;
} emit;

static int emit_dx(void *payload, mn_key code)
{
    emit *e = payload;
    return mn_x__kbb_policy_dx(e->l->b, MN_PK_NCD, e->l->ncd, 0, e->list, 0,
                               false, code);
}

static const char *icd_code(lab *l, int list, const char *code, size_t code_len,
                            const char *end, size_t end_len, int *rc)
{
    const char *dash = memchr(code, '-', code_len);
    emit e;
    mn_key key;
    size_t count = 0;

    *rc = MN_OK;
    e.l = l;
    e.list = list;
    if (dash && !end_len) {
        end = dash + 1;
        end_len = mn_x__trim(&end, code_len - (size_t)(dash - code) - 1);
        code_len = mn_x__trim(&code, (size_t)(dash - code));
    }
    if (end_len) {
        if (!mn_x__icd_shape(code, code_len) || !mn_x__icd_shape(end, end_len))
            return "range whose ends are not codes";
        const char *why = NULL;
        *rc = mn_x__kbb_icd_range(l->b, mn_x__key(code, code_len),
                                  mn_x__key(end, end_len), emit_dx, &e, &count,
                                  &why);
        if (*rc)
            return NULL;
        if (count == 0)
            return why;
        l->ranges++;
        l->range_codes += count;
        return NULL;
    }
    if (!mn_x__icd_shape(code, code_len))
        return "not an ICD-10-CM code";
    key = mn_x__key(code, code_len);
    if (!mn_x__kbb_icd_known(l->b, key))
        l->unknown_icd++;
    *rc = emit_dx(&e, key);
    return NULL;
}

static int code_row(lab *l)
{
    const char *s;
    const char *code;
    const char *end;
    const char *why = NULL;
    size_t len;
    size_t code_len;
    size_t end_len;
    int list = 0;
    int rc = MN_OK;

    s = fld(l, C_NCD, &len);
    if (!parse_ncd(l, s, len)) {
        skip(l, "bad NCD id");
        return MN_OK;
    }
    code = fld(l, C_CODE, &code_len);
    end = fld(l, C_RANGE_END, &end_len);
    if (!code_len) {
        skip(l, "missing code");
        return MN_OK;
    }
    s = fld(l, C_LIST, &len);
    if (word_is(s, len, "covered"))
        list = MN_DL_COVERED;
    else if (word_is(s, len, "denied"))
        list = MN_DL_NONCOVERED;
    else if (word_is(s, len, "not_supported"))
        list = MN_DL_NOT_SUPPORTED;
    if (!list) {
        skip(l, "unknown list");
        return MN_OK;
    }
    s = fld(l, C_KIND, &len);
    if (word_is(s, len, "hcpcs")) {
        if (list != MN_DL_COVERED)
            why = "procedure code not on the covered list";
        else if (end_len || memchr(code, '-', code_len))
            why = "procedure code ranges are not supported";
        else if (!mn_x__cpt_shape(code, code_len) &&
                 !mn_x__hcpcs2_shape(code, code_len))
            why = "not a CPT or HCPCS code";
        if (!why) {
            rc = declare_ncd(l);
            if (rc == MN_OK)
                rc = mn_x__kbb_policy_code(l->b, MN_PK_NCD, l->ncd, 0,
                                           mn_x__key(code, code_len), 0);
        }
    } else if (word_is(s, len, "icd10")) {
        rc = declare_ncd(l);
        if (rc == MN_OK)
            why = icd_code(l, list, code, code_len, end, end_len, &rc);
    } else {
        why = "unknown code kind";
    }
    if (rc)
        return rc;
    if (why) {
        skip(l, why);
        return MN_OK;
    }
    s = fld(l, C_NOTE, &len);
    rc = add_note(l, s, len);
    if (rc)
        return rc;
    l->rep->rows++;
    return MN_OK;
}

/* ---- ncd_meta.csv ------------------------------------------------------ */

enum { M_NCD, M_TITLE, M_HCPCS, M_ICD };
static const colspec meta_cols[] = {
    {"ncd_id", NULL, true},
    {"title", NULL, true},
    {"hcpcs_status", NULL, false},
    {"icd10_covered_status", NULL, false},
};

static int push_str(mn_vec *v, const char *s, size_t len)
{
    return mn_x__vec_push(v, s, len);
}

static int meta_row(lab *l)
{
    static const char lead[] = "source list completeness: HCPCS ";
    static const char mid[] = "; ICD-10-CM covered ";
    mn_kbb_policy p;
    const char *s;
    const char *hcpcs;
    const char *icd;
    size_t len;
    size_t hcpcs_len;
    size_t icd_len;
    int rc;

    s = fld(l, M_NCD, &len);
    if (!parse_ncd(l, s, len)) {
        skip(l, "bad NCD id");
        return MN_OK;
    }
    s = fld(l, M_TITLE, &len);
    l->scratch.len = 0;
    rc = push_str(&l->scratch, s, len);
    if (rc == MN_OK)
        rc = push_str(&l->scratch, "", 1);
    if (rc)
        return rc;
    memset(&p, 0, sizeof(p));
    p.kind = MN_PK_NCD;
    p.id = l->ncd;
    p.version = 0;
    p.title = len ? (const char *)l->scratch.data : NULL;
    p.effective = MN_NODATE;
    p.ending = MN_NODATE;
    p.flags = l->flags;
    rc = mn_x__kbb_policy(l->b, &p);
    if (rc)
        return rc;
    hcpcs = fld(l, M_HCPCS, &hcpcs_len);
    icd = fld(l, M_ICD, &icd_len);
    if (hcpcs_len || icd_len) {
        l->scratch.len = 0;
        rc = push_str(&l->scratch, lead, sizeof(lead) - 1);
        if (rc == MN_OK)
            rc = hcpcs_len ? push_str(&l->scratch, hcpcs, hcpcs_len)
                           : push_str(&l->scratch, "n/a", 3);
        if (rc == MN_OK)
            rc = push_str(&l->scratch, mid, sizeof(mid) - 1);
        if (rc == MN_OK)
            rc = icd_len ? push_str(&l->scratch, icd, icd_len)
                         : push_str(&l->scratch, "n/a", 3);
        if (rc == MN_OK)
            rc = mn_x__kbb_policy_note(l->b, MN_PK_NCD, l->ncd, 0,
                                       (const char *)l->scratch.data,
                                       l->scratch.len);
        if (rc)
            return rc;
    }
    l->rep->rows++;
    return MN_OK;
}

/* ---- entry point ------------------------------------------------------- */

int mn_x__load_lab_ncd(mn_kbb *b, const mn_src *codes, const mn_src *meta,
                       mn_report *rep, mn_report *meta_rep, mn_error *err)
{
    mn_report local;
    lab l;
    int rc = MN_OK;

    memset(&l, 0, sizeof(l));
    l.b = b;
    l.notes.max = VEC_MAX;
    l.ncds.max = VEC_MAX;
    l.scratch.max = VEC_MAX;
    assert(b && codes && rep);
    if (!b || !codes || !rep) {
        rc = mn_x__err(err, MN_EINVAL, "invalid argument");
        goto done;
    }
    if (!meta_rep)
        meta_rep = &local;
    memset(rep, 0, sizeof(*rep));
    rep->layout = "labncd:codes";
    l.src = codes;
    l.rep = rep;
    rc = each_row(&l, code_cols, sizeof(code_cols) / sizeof(code_cols[0]),
                  code_row, err);
    if (rc)
        goto done;
    note_add(rep, "%zu NCDs", l.n_ncds);
    if (l.ranges)
        note_add(rep, "%zu ranges expanded to %zu codes", l.ranges,
                 l.range_codes);
    if (l.unknown_icd)
        note_add(rep, "%zu codes not in loaded ICD-10-CM years", l.unknown_icd);
    if (l.n_notes)
        note_add(rep, "%zu distinct frequency notes", l.n_notes);
    if (meta) {
        memset(meta_rep, 0, sizeof(*meta_rep));
        meta_rep->layout = "labncd:meta";
        l.src = meta;
        l.rep = meta_rep;
        rc = each_row(&l, meta_cols, sizeof(meta_cols) / sizeof(meta_cols[0]),
                      meta_row, err);
    }
done:
    for (size_t i = 0; i < MN_VEC_COUNT(&l.notes, char *); i++)
        mn_x__free(MN_VEC_AT(&l.notes, char *, i));
    mn_x__vec_free(&l.notes);
    mn_x__vec_free(&l.ncds);
    mn_x__vec_free(&l.scratch);
    return rc;
}
