/*
 * build/load/load_mcd.c: one CMS Medicare Coverage Database (MCD) download set,
 * the CSV tables of the article and LCD downloads, into the KB builder.
 *
 * Columns are found by header name (case-insensitive), so CMS may reorder
 * or add columns between releases; a missing required column is an error
 * located at line 1 of the file. The tables are processed in dependency
 * order whatever order the caller passes them in: contractors first (the
 * link tables refer to them), then the documents, then links and codes.
 *
 * Ranges. An ICD-10-CM range is either a code with its end in the `range`
 * column ("C50.011" + "C50.929") or a code column holding "A - B"; it is
 * expanded in the ICD-10-CM tabular order of the codes already in the
 * builder (the ICD tables must be loaded first), the end covering every
 * code it prefixes.
 * A procedure range is expanded numerically when both ends are 5 characters
 * long and differ only in their digit positions (80047-80076, J0120-J0130,
 * 0001U-0010U): every code in between is emitted, whether or not it exists,
 * and ranges of more than HCPCS_RANGE_MAX codes are refused.
 */
#include <assert.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/load/loaders.h"
#include "mednec/csv.h"

#define NO_COL MN_NO_COL
#define VEC_MAX ((size_t)256 << 20)
#define HCPCS_RANGE_MAX 10000UL
#define ID_MAX 24
#define CONTRACTOR_NUMBER_MAX 32
#define GROUP_MAX 0xffff /* the builder stores group numbers in 16 bits */

/* Tables in processing order; T_COUNT and above are not loaded. */
enum {
    T_CONTRACTOR,
    T_ARTICLE,
    T_LCD,
    T_ART_RELATED,
    T_ART_CONTRACTOR,
    T_LCD_CONTRACTOR,
    T_ART_HCPC,
    T_LCD_HCPC,
    T_ART_HCPC_GROUP,
    T_LCD_HCPC_GROUP,
    T_ART_COVERED,
    T_ART_COVERED_GROUP,
    T_ART_NONCOVERED,
    T_ART_NONCOVERED_GROUP,
    T_COUNT,
    T_UNUSED = T_COUNT,
    T_UNKNOWN
};

static const struct {
    const char *name;
    int table;
    const char *layout;
} tables[] = {
    {"contractor.csv", T_CONTRACTOR, "mcd:contractor"},
    {"article.csv", T_ARTICLE, "mcd:article"},
    {"lcd.csv", T_LCD, "mcd:lcd"},
    {"article_related_documents.csv", T_ART_RELATED,
     "mcd:article_related_documents"},
    {"article_x_contractor.csv", T_ART_CONTRACTOR, "mcd:article_x_contractor"},
    {"lcd_x_contractor.csv", T_LCD_CONTRACTOR, "mcd:lcd_x_contractor"},
    {"article_x_hcpc_code.csv", T_ART_HCPC, "mcd:article_x_hcpc_code"},
    {"lcd_x_hcpc_code.csv", T_LCD_HCPC, "mcd:lcd_x_hcpc_code"},
    {"article_x_hcpc_code_group.csv", T_ART_HCPC_GROUP,
     "mcd:article_x_hcpc_code_group"},
    {"lcd_x_hcpc_code_group.csv", T_LCD_HCPC_GROUP,
     "mcd:lcd_x_hcpc_code_group"},
    {"article_x_icd10_covered.csv", T_ART_COVERED,
     "mcd:article_x_icd10_covered"},
    {"article_x_icd10_covered_group.csv", T_ART_COVERED_GROUP,
     "mcd:article_x_icd10_covered_group"},
    {"article_x_icd10_noncovered.csv", T_ART_NONCOVERED,
     "mcd:article_x_icd10_noncovered"},
    {"article_x_icd10_noncovered_group.csv", T_ART_NONCOVERED_GROUP,
     "mcd:article_x_icd10_noncovered_group"},
};

/* Lookup and other tables of the download that mednec does not use. */
static const char *const other_tables[] = {"state_x_region.csv",
                                           "contractor_jurisdiction.csv",
                                           "contractor_oversight.csv"};

/* The two kinds of document a link table can refer to. */
typedef struct doc_kind {
    int kind;    /* MN_PK_* */
    char prefix; /* display id prefix */
    const char *id_col;
    const char *ver_col;
    const char *bad_id; /* skip reasons */
    const char *undeclared;
} doc_kind;

static const doc_kind doc_article = {
    MN_PK_ARTICLE,    'A',
    "article_id",     "article_version",
    "bad article id", "rows for article versions not in article.csv"};
static const doc_kind doc_lcd = {
    MN_PK_LCD,     'L',          "lcd_id",
    "lcd_version", "bad LCD id", "rows for LCD versions not in lcd.csv"};

typedef struct docver {
    unsigned long id;
    unsigned long version;
} docver;

typedef struct contractor {
    unsigned long id;
    unsigned long type;
    unsigned long version;
    size_t record;
    char *number;
} contractor;

typedef mn_colspec colspec;

#define MAX_COLS 10

/* Loader state for one download set. */
typedef struct mcd {
    mn_kbb *b;
    const mn_src *src; /* the file being read */
    mn_report *rep;    /* its report */
    mn_csv *csv;
    size_t idx[MAX_COLS]; /* field index of each colspec, or NO_COL */
    const doc_kind *dk;   /* document kind of the current table */
    int list;             /* MN_DL_* of the current ICD table */
    mn_vec contractors;   /* contractor, sorted */
    mn_vec articles;      /* docver declared in article.csv, sorted */
    mn_vec lcds;          /* docver declared in lcd.csv, sorted */
    mn_vec related;       /* docver given a related LCD */
    mn_vec scratch;       /* NUL-terminated copies */
    /* counters for the note of the current file */
    size_t undeclared;
    size_t unknown_icd;
    size_t asterisks;
    size_t ranges;
    size_t range_codes;
} mcd;

/* ---- small helpers ------------------------------------------------- */

static bool name_is(const char *a, const char *b)
{
    return mn_x__strcasecmp(a, b) == 0;
}

static bool ends_with_csv(const char *s, size_t n)
{
    return n > 4 && mn_x__strcasecmp(s + n - 4, ".csv") == 0;
}

static bool starts_with(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < n; i++) {
        if (mn_x__tolower((unsigned char)s[i]) != prefix[i])
            return false;
    }
    return true;
}

static int table_of(const char *name)
{
    if (!name)
        return T_UNKNOWN;
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        if (name_is(name, tables[i].name))
            return tables[i].table;
    }
    return mn_x__mcd_table_name(name) ? T_UNUSED : T_UNKNOWN;
}

static const char *layout_of(int table)
{
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        if (tables[i].table == table)
            return tables[i].layout;
    }
    return table == T_UNUSED ? "mcd:unused" : "mcd:unknown";
}

bool mn_x__mcd_table_name(const char *name)
{
    size_t n;

    if (!name)
        return false;
    n = strlen(name);
    if (!ends_with_csv(name, n))
        return false;
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        if (name_is(name, tables[i].name))
            return true;
    }
    for (size_t i = 0; i < sizeof(other_tables) / sizeof(other_tables[0]);
         i++) {
        if (name_is(name, other_tables[i]))
            return true;
    }
    /* The article and LCD downloads: article_*, lcd_*, contractor_*
     * tables and the *_lookup tables that ship with them. */
    if (starts_with(name, "article_") || starts_with(name, "lcd_") ||
        starts_with(name, "contractor_"))
        return true;
    return n > 11 && mn_x__strcasecmp(name + n - 11, "_lookup.csv") == 0;
}

/* Appends "; text" to the report note (truncating at its size). */
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

static void skip(mcd *m, const char *reason)
{
    mn_x__report_skip(m->rep, reason, mn_csv_record(m->csv));
}

/* Field of column `c` of the current colspec, trimmed; "" when absent. */
static const char *fld(const mcd *m, int c, size_t *len)
{
    size_t i = m->idx[c];
    size_t n = 0;
    const char *s;

    if (i == NO_COL) {
        *len = 0;
        return "";
    }
    s = mn_csv_field(m->csv, i, &n);
    *len = mn_x__trim(&s, n);
    return s;
}

/* A NUL-terminated copy in the scratch buffer; NULL for "" (the builder
 * then keeps what an earlier call set). */
static int cstr(mcd *m, const char *s, size_t len, const char **out)
{
    int rc;

    *out = NULL;
    m->scratch.len = 0;
    if (len == 0)
        return MN_OK;
    rc = mn_x__vec_push(&m->scratch, s, len);
    if (rc == MN_OK)
        rc = mn_x__vec_push(&m->scratch, "", 1);
    if (rc == MN_OK)
        *out = (const char *)m->scratch.data;
    return rc;
}

/* Empty -> `dflt`; otherwise a decimal number up to INT_MAX. */
static bool num_field(const char *s, size_t len, unsigned long dflt,
                      unsigned long *out)
{
    if (len == 0) {
        *out = dflt;
        return true;
    }
    return mn_x__parse_uint(out, s, len) && *out <= INT_MAX;
}

/* Empty -> 0; otherwise a group number the builder can store. */
static bool group_field(const char *s, size_t len, unsigned long *out)
{
    return num_field(s, len, 0, out) && *out <= GROUP_MAX;
}

/* Empty -> MN_NODATE. CMS writes ISO dates, MM/DD/YYYY and timestamps
 * ("2015-10-01 00:00:00", "10/01/2015 12:00:00 AM"): the time is cut. */
static bool date_field(const char *s, size_t len, int32_t *out)
{
    size_t n = 0;

    *out = MN_NODATE;
    if (len == 0)
        return true;
    while (n < len && s[n] != ' ' && s[n] != 'T')
        n++;
    return mn_x__parse_date(out, s, n, true);
}

/* A `range` or `asterisk` column value meaning "no". */
static bool is_no(const char *s, size_t len)
{
    static const char *const no[] = {"n", "no", "0", "false"};
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        size_t n = strlen(no[i]);
        size_t j = 0;
        while (j < n && j < len &&
               mn_x__tolower((unsigned char)s[j]) == no[i][j])
            j++;
        if (j == n && n == len)
            return true;
    }
    return false;
}

#define blank_record mn_x__csv_blank

static int cmp_docver(const void *pa, const void *pb)
{
    const docver *a = pa;
    const docver *b = pb;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    if (a->version != b->version)
        return a->version < b->version ? -1 : 1;
    return 0;
}

static void sort_docs(mn_vec *v)
{
    if (v->len)
        qsort(v->data, MN_VEC_COUNT(v, docver), sizeof(docver), cmp_docver);
}

static bool declared(const mn_vec *v, const docver *d)
{
    if (!v->len)
        return false;
    return bsearch(d, v->data, MN_VEC_COUNT(v, docver), sizeof(docver),
                   cmp_docver) != NULL;
}

static void doc_id(char out[ID_MAX], const doc_kind *dk, unsigned long id)
{
    snprintf(out, ID_MAX, "%c%lu", dk->prefix, id);
}

/* Reads the document id and version (columns 0 and 1 of every table that
 * refers to a document). Returns a skip reason, or NULL when valid. An
 * id may carry its display prefix ("A56767"); an empty version is 0. */
static const char *doc_key(const mcd *m, docver *out)
{
    size_t len;
    const char *s = fld(m, 0, &len);

    if (len && mn_x__toupper((unsigned char)s[0]) == m->dk->prefix) {
        s++;
        len--;
    }
    if (!len || !mn_x__parse_uint(&out->id, s, len) || out->id > INT_MAX)
        return m->dk->bad_id;
    s = fld(m, 1, &len);
    if (!num_field(s, len, 0, &out->version))
        return "bad version";
    return NULL;
}

/* Counts a row whose document version was not declared in this set. */
static void check_declared(mcd *m, const docver *d)
{
    const mn_vec *v = m->dk->kind == MN_PK_ARTICLE ? &m->articles : &m->lcds;
    if (!declared(v, d))
        m->undeclared++;
}

/* ---- reading a table ----------------------------------------------- */

static int located(const mcd *m, int rc, mn_error *err)
{
    if (err)
        mn_x__err_at(err, m->src->path, err->line, err->column);
    return rc;
}

/* Reads the header and binds `cols`. *empty is set for a file without
 * any record. */
static int bind_columns(mcd *m, const colspec *cols, size_t ncols, bool *empty,
                        mn_error *err)
{
    assert(ncols <= MAX_COLS);
    return mn_x__csv_bind(m->csv, m->src->path, cols, ncols, m->idx, empty,
                          err);
}

typedef int (*row_fn)(mcd *m);

/* Reads every record of the current file through `row`, which loads the
 * record (rows++) or skips it with a reason, and returns MN_OK or an
 * error from the builder. */
static int each_row(mcd *m, const colspec *cols, size_t ncols, row_fn row,
                    mn_error *err)
{
    bool empty = false;
    int rc;

    rc = mn_csv_new(&m->csv, m->src->data, m->src->len, NULL, err);
    if (rc)
        goto done;
    rc = bind_columns(m, cols, ncols, &empty, err);
    if (rc)
        goto done;
    if (empty) {
        note_add(m->rep, "empty file");
        goto done;
    }
    for (;;) {
        rc = mn_csv_next(m->csv, err);
        if (rc == 0)
            break;
        if (rc < 0) {
            rc = located(m, rc, err);
            goto done;
        }
        if (blank_record(m->csv)) {
            skip(m, "blank line");
            continue;
        }
        rc = row(m);
        if (rc) {
            mn_x__err(err, rc, "%s", mn_strerror(rc));
            mn_x__err_at(err, m->src->path, mn_csv_line(m->csv), 1);
            if (err)
                err->record = mn_csv_record(m->csv);
            goto done;
        }
    }
    rc = MN_OK;
done:
    mn_csv_free(m->csv);
    m->csv = NULL;
    return rc;
}

/* ---- contractor.csv ------------------------------------------------ */

static const colspec contractor_cols[] = {
    {"contractor_id", NULL, true},
    {"contractor_type_id", "contract_type_id", false},
    {"contractor_version", NULL, false},
    {"contractor_number", "contract_number", true},
};

static int cmp_contractor(const void *pa, const void *pb)
{
    const contractor *a = pa;
    const contractor *b = pb;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    if (a->version != b->version)
        return a->version < b->version ? -1 : 1;
    if (a->record != b->record)
        return a->record < b->record ? -1 : 1;
    return 0;
}

static bool same_contractor(const contractor *a, const contractor *b)
{
    return a->id == b->id && a->type == b->type && a->version == b->version;
}

static int contractor_row(mcd *m)
{
    contractor c;
    size_t len;
    const char *s;
    int rc;

    memset(&c, 0, sizeof(c));
    c.record = mn_csv_record(m->csv);
    s = fld(m, 0, &len);
    if (!len || !mn_x__parse_uint(&c.id, s, len)) {
        skip(m, "bad contractor id");
        return MN_OK;
    }
    s = fld(m, 1, &len);
    if (!num_field(s, len, 0, &c.type)) {
        skip(m, "bad contractor type");
        return MN_OK;
    }
    s = fld(m, 2, &len);
    if (!num_field(s, len, 0, &c.version)) {
        skip(m, "bad contractor version");
        return MN_OK;
    }
    s = fld(m, 3, &len);
    if (!len) {
        skip(m, "missing contractor number");
        return MN_OK;
    }
    if (len > CONTRACTOR_NUMBER_MAX) {
        skip(m, "bad contractor number");
        return MN_OK;
    }
    c.number = mn_x__strndup(s, len);
    if (!c.number)
        return MN_ENOMEM;
    rc = mn_x__vec_push(&m->contractors, &c, sizeof(c));
    if (rc) {
        mn_x__free(c.number);
        return rc;
    }
    m->rep->rows++;
    return MN_OK;
}

/* Sorts the contractors and drops repeated keys (the first row wins). */
static void finish_contractors(mcd *m)
{
    contractor *c = (contractor *)m->contractors.data;
    size_t n = MN_VEC_COUNT(&m->contractors, contractor);
    size_t out = 0;

    if (!n)
        return;
    qsort(c, n, sizeof(*c), cmp_contractor);
    for (size_t i = 0; i < n; i++) {
        if (out && same_contractor(&c[out - 1], &c[i])) {
            mn_x__report_skip(m->rep, "duplicate contractor", c[i].record);
            if (m->rep->rows)
                m->rep->rows--;
            mn_x__free(c[i].number);
            continue;
        }
        c[out++] = c[i];
    }
    m->contractors.len = out * sizeof(*c);
}

/* The contractor number of (id, type, version). A 0 type or version on
 * either side (absent in the row) matches any value. */
static const char *contractor_number(const mcd *m, const contractor *key)
{
    const contractor *c = (const contractor *)m->contractors.data;
    size_t n = MN_VEC_COUNT(&m->contractors, contractor);
    size_t lo = 0;
    size_t hi = n;

    /* first entry with this id */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c[mid].id < key->id)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < n && c[i].id == key->id; i++) {
        if (c[i].type == key->type && c[i].version == key->version)
            return c[i].number;
    }
    for (size_t i = lo; i < n && c[i].id == key->id; i++) {
        bool type_ok = !c[i].type || !key->type || c[i].type == key->type;
        bool ver_ok =
            !c[i].version || !key->version || c[i].version == key->version;
        if (type_ok && ver_ok)
            return c[i].number;
    }
    return NULL;
}

/* ---- article.csv, lcd.csv ------------------------------------------ */

enum { A_ID, A_VER, A_TITLE, A_EFF, A_END, A_ORIG };
static const colspec article_cols[] = {
    {"article_id", NULL, true},
    {"article_version", NULL, true},
    {"title", NULL, false},
    {"article_eff_date", NULL, false},
    {"article_end_date", NULL, false},
    {"orig_eff_date", NULL, false},
};

enum { L_ID, L_VER, L_TITLE, L_ORIG, L_REV_EFF, L_REV_END, L_DET_END };
static const colspec lcd_cols[] = {
    {"lcd_id", NULL, true},
    {"lcd_version", NULL, true},
    {"title", NULL, false},
    {"orig_det_eff_date", NULL, false},
    {"rev_eff_date", NULL, false},
    {"rev_end_date", NULL, false},
    {"ent_det_end_date", NULL, false},
};

/* Dates of a document row: the first non-empty effective column and the
 * first non-empty ending column. */
static bool doc_dates(const mcd *m, const int *eff, size_t n_eff,
                      const int *end, size_t n_end, mn_kbb_policy *p)
{
    size_t len;
    const char *s;

    for (size_t i = 0; i < n_eff && p->effective == MN_NODATE; i++) {
        s = fld(m, eff[i], &len);
        if (!date_field(s, len, &p->effective))
            return false;
    }
    for (size_t i = 0; i < n_end && p->ending == MN_NODATE; i++) {
        s = fld(m, end[i], &len);
        if (!date_field(s, len, &p->ending))
            return false;
    }
    return true;
}

static int doc_row(mcd *m)
{
    static const int a_eff[] = {A_EFF, A_ORIG};
    static const int a_end[] = {A_END};
    static const int l_eff[] = {L_REV_EFF, L_ORIG};
    static const int l_end[] = {L_REV_END, L_DET_END};
    bool article = m->dk->kind == MN_PK_ARTICLE;
    mn_kbb_policy p;
    char id[ID_MAX];
    docver d;
    const char *why;
    const char *s;
    size_t len;
    bool ok;
    int rc;

    why = doc_key(m, &d);
    if (why) {
        skip(m, why);
        return MN_OK;
    }
    memset(&p, 0, sizeof(p));
    p.effective = MN_NODATE;
    p.ending = MN_NODATE;
    if (article)
        ok = doc_dates(m, a_eff, 2, a_end, 1, &p);
    else
        ok = doc_dates(m, l_eff, 2, l_end, 2, &p);
    if (!ok) {
        skip(m, "bad date");
        return MN_OK;
    }
    doc_id(id, m->dk, d.id);
    p.kind = m->dk->kind;
    p.id = id;
    p.version = (int)d.version;
    s = fld(m, article ? A_TITLE : L_TITLE, &len);
    rc = cstr(m, s, len, &p.title);
    if (rc == MN_OK)
        rc = mn_x__kbb_policy(m->b, &p);
    if (rc == MN_OK)
        rc = mn_x__vec_push(article ? &m->articles : &m->lcds, &d, sizeof(d));
    if (rc)
        return rc;
    m->rep->rows++;
    return MN_OK;
}

/* ---- article_related_documents.csv -------------------------------- */

static const colspec related_cols[] = {
    {"article_id", NULL, true},
    {"article_version", NULL, true},
    {"r_lcd_id", NULL, true},
};

static int related_row(mcd *m)
{
    mn_kbb_policy p;
    char id[ID_MAX];
    char lcd[ID_MAX];
    unsigned long lcd_id;
    docver d;
    const char *why;
    const char *s;
    size_t len;
    int rc;

    why = doc_key(m, &d);
    if (why) {
        skip(m, why);
        return MN_OK;
    }
    s = fld(m, 2, &len);
    if (len && mn_x__toupper((unsigned char)s[0]) == 'L') {
        s++;
        len--;
    }
    if (!len) {
        skip(m, "related document is not an LCD");
        return MN_OK;
    }
    if (!mn_x__parse_uint(&lcd_id, s, len) || lcd_id > INT_MAX) {
        skip(m, "bad LCD id");
        return MN_OK;
    }
    doc_id(id, m->dk, d.id);
    doc_id(lcd, &doc_lcd, lcd_id);
    memset(&p, 0, sizeof(p));
    p.kind = MN_PK_ARTICLE;
    p.id = id;
    p.version = (int)d.version;
    p.effective = MN_NODATE;
    p.ending = MN_NODATE;
    p.related = lcd;
    rc = mn_x__kbb_policy(m->b, &p);
    if (rc == MN_OK)
        rc = mn_x__vec_push(&m->related, &d, sizeof(d));
    if (rc)
        return rc;
    check_declared(m, &d);
    m->rep->rows++;
    return MN_OK;
}

/* Notes article versions given several related LCDs (the builder keeps
 * the last one). */
static void finish_related(mcd *m)
{
    docver *d = (docver *)m->related.data;
    size_t n = MN_VEC_COUNT(&m->related, docver);
    size_t dups = 0;

    sort_docs(&m->related);
    for (size_t i = 1; i < n; i++) {
        if (cmp_docver(&d[i - 1], &d[i]) == 0 &&
            (i < 2 || cmp_docver(&d[i - 2], &d[i]) != 0))
            dups++;
    }
    if (dups)
        note_add(m->rep,
                 "%zu article versions with several related LCDs "
                 "(last kept)",
                 dups);
    m->related.len = 0;
}

/* ---- article_x_contractor.csv, lcd_x_contractor.csv ---------------- */

static const colspec art_contractor_cols[] = {
    {"article_id", NULL, true},
    {"article_version", NULL, true},
    {"contractor_id", NULL, true},
    {"contractor_type_id", "contract_type_id", false},
    {"contractor_version", NULL, false},
};
static const colspec lcd_contractor_cols[] = {
    {"lcd_id", NULL, true},
    {"lcd_version", NULL, true},
    {"contractor_id", NULL, true},
    {"contractor_type_id", "contract_type_id", false},
    {"contractor_version", NULL, false},
};
_Static_assert(sizeof(art_contractor_cols) == sizeof(lcd_contractor_cols),
               "contractor link tables bind the same columns");

static int doc_contractor_row(mcd *m)
{
    contractor key;
    char id[ID_MAX];
    const char *number;
    const char *why;
    const char *s;
    size_t len;
    docver d;
    int rc;

    why = doc_key(m, &d);
    if (why) {
        skip(m, why);
        return MN_OK;
    }
    memset(&key, 0, sizeof(key));
    s = fld(m, 2, &len);
    if (!len || !mn_x__parse_uint(&key.id, s, len)) {
        skip(m, "bad contractor id");
        return MN_OK;
    }
    s = fld(m, 3, &len);
    if (!num_field(s, len, 0, &key.type)) {
        skip(m, "bad contractor type");
        return MN_OK;
    }
    s = fld(m, 4, &len);
    if (!num_field(s, len, 0, &key.version)) {
        skip(m, "bad contractor version");
        return MN_OK;
    }
    number = contractor_number(m, &key);
    if (!number) {
        skip(m, "unknown contractor");
        return MN_OK;
    }
    doc_id(id, m->dk, d.id);
    rc = mn_x__kbb_policy_contractor(m->b, m->dk->kind, id, (int)d.version,
                                     number);
    if (rc)
        return rc;
    check_declared(m, &d);
    m->rep->rows++;
    return MN_OK;
}

/* ---- ranges ---------------------------------------------------------- */

/* Splits "A - B" / "A-B" (code column) or takes the end from the range
 * column. Returns false when the row holds no range. */
static bool split_range(const char *code, size_t code_len, const char *rng,
                        size_t rng_len, const char **lo, size_t *lo_len,
                        const char **hi, size_t *hi_len)
{
    const char *dash = memchr(code, '-', code_len);

    if (dash) {
        *lo = code;
        *lo_len = mn_x__trim(lo, (size_t)(dash - code));
        *hi = dash + 1;
        *hi_len = mn_x__trim(hi, code_len - (size_t)(dash - code) - 1);
        return true;
    }
    if (rng_len && !is_no(rng, rng_len)) {
        *lo = code;
        *lo_len = code_len;
        *hi = rng;
        *hi_len = rng_len;
        return true;
    }
    return false;
}

typedef struct emit {
    mcd *m;
    const char *id;
    int version;
    int group;
    bool asterisk;
} emit;

static int emit_dx(void *payload, mn_key code)
{
    emit *e = payload;
    return mn_x__kbb_policy_dx(e->m->b, e->m->dk->kind, e->id, e->version,
                               e->m->list, e->group, e->asterisk, code);
}

/* Expands a procedure code range (see the file comment). Returns a skip
 * reason or NULL; *rc gets the builder's result. */
static const char *hcpcs_range(mcd *m, const emit *e, const char *lo,
                               size_t lo_len, const char *hi, size_t hi_len,
                               int *rc)
{
    char code[6];
    unsigned long a = 0;
    unsigned long z = 0;
    size_t digits = 0;

    *rc = MN_OK;
    if (lo_len != 5 || hi_len != 5 ||
        !(mn_x__cpt_shape(lo, 5) || mn_x__hcpcs2_shape(lo, 5)) ||
        !(mn_x__cpt_shape(hi, 5) || mn_x__hcpcs2_shape(hi, 5)))
        return "range whose ends are not codes";
    for (size_t i = 0; i < 5; i++) {
        bool dl = mn_x__isdigit(lo[i]);
        bool dh = mn_x__isdigit(hi[i]);
        code[i] = (char)mn_x__toupper((unsigned char)lo[i]);
        if (dl && dh) {
            a = a * 10 + (unsigned long)(lo[i] - '0');
            z = z * 10 + (unsigned long)(hi[i] - '0');
            digits++;
        } else if (dl || dh ||
                   mn_x__toupper((unsigned char)lo[i]) !=
                       mn_x__toupper((unsigned char)hi[i])) {
            return "range whose ends differ in more than digits";
        }
    }
    code[5] = '\0';
    if (!digits || z < a)
        return "range end before start";
    if (z - a + 1 > HCPCS_RANGE_MAX)
        return "range too large";
    for (unsigned long v = a; v <= z; v++) {
        unsigned long rest = v;
        for (size_t i = 5; i-- > 0;) {
            if (!mn_x__isdigit(lo[i]))
                continue;
            code[i] = (char)('0' + rest % 10);
            rest /= 10;
        }
        *rc = mn_x__kbb_policy_code(m->b, m->dk->kind, e->id, e->version,
                                    mn_x__key(code, 5), e->group);
        if (*rc)
            return NULL;
    }
    m->ranges++;
    m->range_codes += z - a + 1;
    return NULL;
}

/* Expands an ICD-10-CM range against the loaded ICD-10-CM codes. */
static const char *icd_range(mcd *m, emit *e, const char *lo, size_t lo_len,
                             const char *hi, size_t hi_len, int *rc)
{
    mn_key klo;
    mn_key khi;
    size_t count = 0;
    const char *why = NULL;

    *rc = MN_OK;
    if (!mn_x__icd_shape(lo, lo_len) || !mn_x__icd_shape(hi, hi_len))
        return "range whose ends are not codes";
    klo = mn_x__key(lo, lo_len);
    khi = mn_x__key(hi, hi_len);
    if (!klo || !khi)
        return "range whose ends are not codes";
    *rc = mn_x__kbb_icd_range(m->b, klo, khi, emit_dx, e, &count, &why);
    if (*rc)
        return NULL;
    if (count == 0)
        return why ? why : "range did not match any loaded ICD-10-CM code";
    m->ranges++;
    m->range_codes += count;
    return NULL;
}

/* ---- article_x_hcpc_code.csv, lcd_x_hcpc_code.csv ------------------ */

enum { H_ID, H_VER, H_CODE, H_GROUP, H_RANGE };
static const colspec art_hcpc_cols[] = {
    {"article_id", NULL, true},   {"article_version", NULL, true},
    {"hcpc_code_id", NULL, true}, {"hcpc_code_group", NULL, false},
    {"range", NULL, false},
};
static const colspec lcd_hcpc_cols[] = {
    {"lcd_id", NULL, true},       {"lcd_version", NULL, true},
    {"hcpc_code_id", NULL, true}, {"hcpc_code_group", NULL, false},
    {"range", NULL, false},
};

static int hcpc_row(mcd *m)
{
    char id[ID_MAX];
    const char *code;
    const char *rng;
    const char *lo;
    const char *hi;
    const char *why;
    size_t code_len;
    size_t rng_len;
    size_t lo_len;
    size_t hi_len;
    unsigned long group;
    docver d;
    emit e;
    int rc = MN_OK;

    why = doc_key(m, &d);
    if (why) {
        skip(m, why);
        return MN_OK;
    }
    code = fld(m, H_CODE, &code_len);
    rng = fld(m, H_RANGE, &rng_len);
    lo = fld(m, H_GROUP, &lo_len);
    if (!group_field(lo, lo_len, &group)) {
        skip(m, "bad group");
        return MN_OK;
    }
    if (!code_len) {
        skip(m, "missing code");
        return MN_OK;
    }
    doc_id(id, m->dk, d.id);
    memset(&e, 0, sizeof(e));
    e.m = m;
    e.id = id;
    e.version = (int)d.version;
    e.group = (int)group;
    if (split_range(code, code_len, rng, rng_len, &lo, &lo_len, &hi, &hi_len)) {
        why = hcpcs_range(m, &e, lo, lo_len, hi, hi_len, &rc);
    } else if (mn_x__cpt_shape(code, code_len) ||
               mn_x__hcpcs2_shape(code, code_len)) {
        why = NULL;
        rc = mn_x__kbb_policy_code(m->b, m->dk->kind, id, e.version,
                                   mn_x__key(code, code_len), e.group);
    } else {
        why = "not a CPT or HCPCS code";
    }
    if (rc)
        return rc;
    if (why) {
        skip(m, why);
        return MN_OK;
    }
    check_declared(m, &d);
    m->rep->rows++;
    return MN_OK;
}

/* ---- *_x_hcpc_code_group.csv: counted, not stored ------------------ */

static const colspec art_hcpc_group_cols[] = {
    {"article_id", NULL, true},
    {"article_version", NULL, true},
};
static const colspec lcd_hcpc_group_cols[] = {
    {"lcd_id", NULL, true},
    {"lcd_version", NULL, true},
};

static int count_row(mcd *m)
{
    docver d;
    const char *why = doc_key(m, &d);

    if (why) {
        skip(m, why);
        return MN_OK;
    }
    check_declared(m, &d);
    m->rep->rows++;
    return MN_OK;
}

/* ---- article_x_icd10_(non)covered.csv ------------------------------ */

enum { I_ID, I_VER, I_CODE, I_GROUP, I_RANGE, I_AST };
static const colspec covered_cols[] = {
    {"article_id", NULL, true},    {"article_version", NULL, true},
    {"icd10_code_id", NULL, true}, {"icd10_covered_group", NULL, false},
    {"range", NULL, false},        {"asterisk", NULL, false},
};
static const colspec noncovered_cols[] = {
    {"article_id", NULL, true},    {"article_version", NULL, true},
    {"icd10_code_id", NULL, true}, {"icd10_noncovered_group", NULL, false},
    {"range", NULL, false},        {"asterisk", NULL, false},
};

static int icd_row(mcd *m)
{
    char id[ID_MAX];
    const char *code;
    const char *rng;
    const char *lo;
    const char *hi;
    const char *why;
    size_t code_len;
    size_t rng_len;
    size_t lo_len;
    size_t hi_len;
    unsigned long group;
    docver d;
    emit e;
    mn_key key;
    int rc = MN_OK;

    why = doc_key(m, &d);
    if (why) {
        skip(m, why);
        return MN_OK;
    }
    lo = fld(m, I_GROUP, &lo_len);
    if (!group_field(lo, lo_len, &group)) {
        skip(m, "bad group");
        return MN_OK;
    }
    code = fld(m, I_CODE, &code_len);
    if (!code_len) {
        skip(m, "missing code");
        return MN_OK;
    }
    doc_id(id, m->dk, d.id);
    memset(&e, 0, sizeof(e));
    e.m = m;
    e.id = id;
    e.version = (int)d.version;
    e.group = (int)group;
    lo = fld(m, I_AST, &lo_len);
    e.asterisk = lo_len && !is_no(lo, lo_len);
    rng = fld(m, I_RANGE, &rng_len);
    if (split_range(code, code_len, rng, rng_len, &lo, &lo_len, &hi, &hi_len)) {
        why = icd_range(m, &e, lo, lo_len, hi, hi_len, &rc);
    } else if (mn_x__icd_shape(code, code_len)) {
        why = NULL;
        key = mn_x__key(code, code_len);
        if (!mn_x__kbb_icd_known(m->b, key))
            m->unknown_icd++;
        rc = emit_dx(&e, key);
    } else {
        why = "not an ICD-10-CM code";
    }
    if (rc)
        return rc;
    if (why) {
        skip(m, why);
        return MN_OK;
    }
    if (e.asterisk)
        m->asterisks++;
    check_declared(m, &d);
    m->rep->rows++;
    return MN_OK;
}

/* ---- article_x_icd10_(non)covered_group.csv ------------------------ */

enum { G_ID, G_VER, G_GROUP, G_PARA, G_AST };
static const colspec covered_group_cols[] = {
    {"article_id", NULL, true},          {"article_version", NULL, true},
    {"icd10_covered_group", NULL, true}, {"paragraph", NULL, true},
    {"icd10_covered_ast", NULL, false},
};
static const colspec noncovered_group_cols[] = {
    {"article_id", NULL, true},
    {"article_version", NULL, true},
    {"icd10_noncovered_group", NULL, true},
    {"paragraph", NULL, true},
    {"icd10_noncovered_ast", NULL, false},
};

static int group_row(mcd *m)
{
    char id[ID_MAX];
    const char *para;
    const char *ast;
    const char *why;
    size_t para_len;
    size_t ast_len;
    unsigned long group;
    docver d;
    int rc;

    why = doc_key(m, &d);
    if (why) {
        skip(m, why);
        return MN_OK;
    }
    para = fld(m, G_GROUP, &para_len);
    if (!para_len) {
        skip(m, "missing group");
        return MN_OK;
    }
    if (!group_field(para, para_len, &group)) {
        skip(m, "bad group");
        return MN_OK;
    }
    para = fld(m, G_PARA, &para_len);
    ast = fld(m, G_AST, &ast_len);
    doc_id(id, m->dk, d.id);
    rc = mn_x__kbb_policy_group(m->b, m->dk->kind, id, (int)d.version, m->list,
                                (int)group, para, para_len, ast, ast_len);
    if (rc)
        return rc;
    check_declared(m, &d);
    m->rep->rows++;
    return MN_OK;
}

/* ---- the set ----------------------------------------------------------- */

#define COLS(a) a, sizeof(a) / sizeof(a[0])

static int load_table(mcd *m, int table, mn_error *err)
{
    int rc = MN_OK;

    m->undeclared = 0;
    m->unknown_icd = 0;
    m->asterisks = 0;
    m->ranges = 0;
    m->range_codes = 0;
    m->dk = &doc_article;
    m->list = MN_DL_COVERED;
    switch (table) {
    case T_CONTRACTOR:
        rc = each_row(m, COLS(contractor_cols), contractor_row, err);
        if (rc == MN_OK)
            finish_contractors(m);
        break;
    case T_ARTICLE:
        rc = each_row(m, COLS(article_cols), doc_row, err);
        sort_docs(&m->articles);
        break;
    case T_LCD:
        m->dk = &doc_lcd;
        rc = each_row(m, COLS(lcd_cols), doc_row, err);
        sort_docs(&m->lcds);
        break;
    case T_ART_RELATED:
        rc = each_row(m, COLS(related_cols), related_row, err);
        if (rc == MN_OK)
            finish_related(m);
        break;
    case T_ART_CONTRACTOR:
    case T_LCD_CONTRACTOR:
        if (table == T_LCD_CONTRACTOR)
            m->dk = &doc_lcd;
        rc = each_row(m,
                      table == T_LCD_CONTRACTOR ? lcd_contractor_cols
                                                : art_contractor_cols,
                      sizeof(art_contractor_cols) /
                          sizeof(art_contractor_cols[0]),
                      doc_contractor_row, err);
        if (!m->contractors.len)
            note_add(m->rep, "no contractor.csv rows in this set");
        break;
    case T_ART_HCPC:
        rc = each_row(m, COLS(art_hcpc_cols), hcpc_row, err);
        break;
    case T_LCD_HCPC:
        m->dk = &doc_lcd;
        rc = each_row(m, COLS(lcd_hcpc_cols), hcpc_row, err);
        break;
    case T_ART_HCPC_GROUP:
        rc = each_row(m, COLS(art_hcpc_group_cols), count_row, err);
        note_add(m->rep, "procedure group paragraphs are not stored");
        break;
    case T_LCD_HCPC_GROUP:
        m->dk = &doc_lcd;
        rc = each_row(m, COLS(lcd_hcpc_group_cols), count_row, err);
        note_add(m->rep, "procedure group paragraphs are not stored");
        break;
    case T_ART_COVERED:
        rc = each_row(m, COLS(covered_cols), icd_row, err);
        break;
    case T_ART_COVERED_GROUP:
        rc = each_row(m, COLS(covered_group_cols), group_row, err);
        break;
    case T_ART_NONCOVERED:
        m->list = MN_DL_NONCOVERED;
        rc = each_row(m, COLS(noncovered_cols), icd_row, err);
        break;
    case T_ART_NONCOVERED_GROUP:
        m->list = MN_DL_NONCOVERED;
        rc = each_row(m, COLS(noncovered_group_cols), group_row, err);
        break;
    default:
        break;
    }
    if (m->ranges)
        note_add(m->rep, "%zu ranges expanded to %zu codes", m->ranges,
                 m->range_codes);
    if (m->asterisks)
        note_add(m->rep, "%zu codes with asterisk", m->asterisks);
    if (m->unknown_icd)
        note_add(m->rep, "%zu codes not in loaded ICD-10-CM years",
                 m->unknown_icd);
    if (m->undeclared)
        note_add(m->rep, "%zu %s", m->undeclared, m->dk->undeclared);
    return rc;
}

int mn_x__load_mcd_set(mn_kbb *b, const mn_src *files, size_t n,
                       mn_report *reports, mn_error *err)
{
    mcd m;
    int rc = MN_OK;

    memset(&m, 0, sizeof(m));
    m.b = b;
    m.contractors.max = VEC_MAX;
    m.articles.max = VEC_MAX;
    m.lcds.max = VEC_MAX;
    m.related.max = VEC_MAX;
    m.scratch.max = VEC_MAX;
    assert(b && (files || !n) && (reports || !n));
    if (!b || (n && (!files || !reports))) {
        rc = mn_x__err(err, MN_EINVAL, "invalid argument");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        memset(&reports[i], 0, sizeof(reports[i]));
        reports[i].layout = layout_of(table_of(files[i].name));
    }
    for (int t = 0; t < T_COUNT; t++) {
        for (size_t i = 0; i < n; i++) {
            if (table_of(files[i].name) != t)
                continue;
            m.src = &files[i];
            m.rep = &reports[i];
            rc = load_table(&m, t, err);
            if (rc)
                goto done;
        }
    }
    for (size_t i = 0; i < n; i++) {
        int t = table_of(files[i].name);
        if (t == T_UNUSED)
            note_add(&reports[i], "table not used: %s", files[i].name);
        else if (t == T_UNKNOWN)
            note_add(&reports[i], "not an MCD download table");
    }
done:
    for (size_t i = 0; i < MN_VEC_COUNT(&m.contractors, contractor); i++)
        mn_x__free(MN_VEC_AT(&m.contractors, contractor, i).number);
    mn_x__vec_free(&m.contractors);
    mn_x__vec_free(&m.articles);
    mn_x__vec_free(&m.lcds);
    mn_x__vec_free(&m.related);
    mn_x__vec_free(&m.scratch);
    return rc;
}
