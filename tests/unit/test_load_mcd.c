/*
 * test_load_mcd.c: the MCD download-set loader (load_mcd.c) and the lab
 * NCD list loader (load_labncd.c) over the fixtures in tests/fixtures/mcd
 * and tests/fixtures/labncd. What was loaded is checked in the reports
 * and in the serialised KB.
 */
#include "harness.h"
#include "kb/kb_int.h"
#include "build/writer/kbb.h"
#include "build/load/loaders.h"

#define MAX_FILES 16

/* A download set read from one fixture folder. */
typedef struct set {
    size_t n;
    mn_src src[MAX_FILES];
    char *data[MAX_FILES];
    char path[MAX_FILES][512];
    mn_report rep[MAX_FILES];
} set;

static int read_set(set *s, const char *dir, const char *const *names)
{
    memset(s, 0, sizeof(*s));
    for (size_t i = 0; names[i]; i++) {
        size_t len = 0;
        snprintf(s->path[i], sizeof(s->path[i]), "%s/%s", dir, names[i]);
        s->data[i] = mn_t_slurp(s->path[i], &len);
        if (!s->data[i]) {
            fprintf(stderr, "cannot read %s\n", s->path[i]);
            return -1;
        }
        s->src[i].path = s->path[i];
        s->src[i].name = names[i];
        s->src[i].date = 0; /* no date given at build */
        s->src[i].data = s->data[i];
        s->src[i].len = len;
        s->n++;
    }
    return 0;
}

static void free_set(set *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->data[i]);
}

static const mn_report *rep_of(const set *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->src[i].name, name) == 0)
            return &s->rep[i];
    }
    fprintf(stderr, "no report for %s\n", name);
    return NULL;
}

/* Count of rows skipped under a reason containing `text`. */
static size_t reason(const mn_report *r, const char *text)
{
    size_t n = 0;
    if (!r)
        return 0;
    for (size_t i = 0; i < r->n_reasons; i++) {
        if (strstr(r->reasons[i].text, text))
            n += r->reasons[i].count;
    }
    return n;
}

static void icd(mn_kbb *b, const char *code)
{
    CHECK_INT(mn_x__kbb_icd(b, 2024, mn_x__key(code, strlen(code)), true,
                            "fixture", 7),
              MN_OK);
}

/* The ICD-10-CM codes the fixtures' ranges and lists refer to. */
static void add_icd(mn_kbb *b)
{
    static const char *const codes[] = {
        "C50.01", "C50.011", "C50.012", "C50.019", "C50.021", "C79.81",
        "Z85.3",  "G47.33",  "Z68.1",   "Z68.20",  "Z68.21",  "Z68.22",
        "Z68.25", "E55.9",   "Z00.00",  "Z13.21",  "E03.9",   NULL};
    for (size_t i = 0; codes[i]; i++)
        icd(b, codes[i]);
}

/* ---- reading the serialised KB -------------------------------------- */

static mn_kb *to_kb(mn_kbb *b)
{
    void *bytes = NULL;
    size_t len = 0;
    mn_kb *kb = NULL;
    mn_error err;

    mn_error_clear(&err);
    CHECK_INT(mn_x__kbb_serialize(b, "2025-01-01", &bytes, &len, &err), MN_OK);
    if (bytes)
        CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err), MN_OK);
    if (err.code)
        fprintf(stderr, "kb: %s\n", err.message);
    mn_x__free(bytes);
    return kb;
}

static const kb_policy *pol(const mn_kb *kb, int kind, const char *id,
                            int version)
{
    for (size_t i = 0; kb && i < kb->n_pol; i++) {
        const kb_policy *p = &kb->pol[i];
        if ((int)p->kind == kind && p->version == version &&
            strcmp(kb_s(kb, p->id), id) == 0)
            return p;
    }
    return NULL;
}

/* The dx meta word of `code` on `list` of `p`, or 0 when absent. */
static uint32_t dx(const mn_kb *kb, const kb_policy *p, int list,
                   const char *code)
{
    mn_key k = mn_x__key(code, strlen(code));
    size_t n;
    if (!p)
        return 0;
    n = p->n_covered + p->n_noncovered + p->n_notsup;
    for (size_t i = p->dx_first; i < p->dx_first + n; i++) {
        if (kb->dxkey[i] == k && (int)KB_DX_LIST(kb->dxmeta[i]) == list)
            return kb->dxmeta[i];
    }
    return 0;
}

/* The group of `code` under policy `p`, or -1 when the code is absent. */
static long pcode(const mn_kb *kb, const kb_policy *p, const char *code)
{
    size_t n = 0;
    const kb_pcode *c;
    if (!p)
        return -1;
    c = mn_x__kb_pcodes(kb, mn_x__key(code, strlen(code)), &n);
    for (size_t i = 0; c && i < n; i++) {
        if (&kb->pol[c[i].policy] == p)
            return (long)c[i].group;
    }
    return -1;
}

static int32_t day(int y, int m, int d)
{
    return mn_x__days_from_civil(y, m, d);
}

/* ---- MCD ---------------------------------------------------------------- */

/* Deliberately not in dependency order. */
static const char *const current_names[] = {
    "article_x_icd10_covered.csv",
    "article_x_icd10_covered_group.csv",
    "article_x_icd10_noncovered.csv",
    "article_x_icd10_noncovered_group.csv",
    "article_x_hcpc_code.csv",
    "article_x_hcpc_code_group.csv",
    "article_x_contractor.csv",
    "lcd_x_contractor.csv",
    "article_related_documents.csv",
    "state_lookup.csv",
    "article.csv",
    "lcd.csv",
    "contractor.csv",
    NULL};

static const char *const retired_names[] = {"article_x_icd10_covered.csv",
                                            "article_x_icd10_covered_group.csv",
                                            "article_x_contractor.csv",
                                            "article.csv",
                                            "contractor.csv",
                                            NULL};

static void test_table_names(void)
{
    CHECK(mn_x__mcd_table_name("article.csv"));
    CHECK(mn_x__mcd_table_name("article_x_icd10_covered.csv"));
    CHECK(mn_x__mcd_table_name("article_x_icd10_noncovered_group.csv"));
    CHECK(mn_x__mcd_table_name("article_related_documents.csv"));
    CHECK(mn_x__mcd_table_name("article_x_revenue_code.csv"));
    CHECK(mn_x__mcd_table_name("lcd.csv"));
    CHECK(mn_x__mcd_table_name("lcd_x_hcpc_code.csv"));
    CHECK(mn_x__mcd_table_name("lcd_related_documents.csv"));
    CHECK(mn_x__mcd_table_name("contractor.csv"));
    CHECK(mn_x__mcd_table_name("contractor_jurisdiction.csv"));
    CHECK(mn_x__mcd_table_name("state_lookup.csv"));
    CHECK(mn_x__mcd_table_name("state_x_region.csv"));
    CHECK(mn_x__mcd_table_name("dmerc_region_lookup.csv"));
    CHECK(!mn_x__mcd_table_name("ncd_codes.csv"));
    CHECK(!mn_x__mcd_table_name("ncd_meta.csv"));
    CHECK(!mn_x__mcd_table_name("article.txt"));
    CHECK(!mn_x__mcd_table_name("hcpcs_lvl2.csv"));
    CHECK(!mn_x__mcd_table_name("icd10cm_fy2024_order.csv"));
    CHECK(!mn_x__mcd_table_name(".csv"));
    CHECK(!mn_x__mcd_table_name(NULL));
}

static void check_current_reports(const set *s)
{
    const mn_report *r;

    r = rep_of(s, "contractor.csv");
    CHECK_INT(r->rows, 3);
    CHECK_INT(r->skipped, 0);
    CHECK_STR(r->layout, "mcd:contractor");

    r = rep_of(s, "article.csv");
    CHECK_INT(r->rows, 3);
    CHECK_INT(r->skipped, 1);
    CHECK_INT(reason(r, "bad date"), 1);

    r = rep_of(s, "lcd.csv");
    CHECK_INT(r->rows, 2);
    CHECK_INT(r->skipped, 0);

    r = rep_of(s, "article_related_documents.csv");
    CHECK_INT(r->rows, 2);
    CHECK_INT(reason(r, "related document is an article"), 1);

    r = rep_of(s, "article_x_contractor.csv");
    CHECK_INT(r->rows, 4);
    CHECK_INT(r->skipped, 1);
    CHECK_INT(reason(r, "unknown contractor"), 1);

    r = rep_of(s, "lcd_x_contractor.csv");
    CHECK_INT(r->rows, 2);
    CHECK_STR(r->layout, "mcd:lcd_x_contractor");

    r = rep_of(s, "article_x_hcpc_code.csv");
    CHECK_INT(r->rows, 7);
    CHECK_INT(r->skipped, 1);
    CHECK_INT(reason(r, "not a CPT or HCPCS code"), 1);
    CHECK_CONTAINS(r->note, "1 ranges expanded to 4 codes");

    r = rep_of(s, "article_x_hcpc_code_group.csv");
    CHECK_INT(r->rows, 2);
    CHECK_CONTAINS(r->note, "not stored");

    r = rep_of(s, "article_x_icd10_covered.csv");
    CHECK_STR(r->layout, "mcd:article_x_icd10_covered");
    CHECK_INT(r->rows, 9);
    CHECK_INT(r->skipped, 3);
    CHECK_INT(reason(r, "not an ICD-10-CM code"), 1);
    CHECK_INT(reason(r, "range start is not a loaded ICD-10-CM code"), 1);
    CHECK_INT(reason(r, "range whose ends are not codes"), 1);
    CHECK_CONTAINS(r->note, "2 ranges expanded to 6 codes");
    CHECK_CONTAINS(r->note, "1 codes with asterisk");
    CHECK_CONTAINS(r->note, "2 codes not in loaded ICD-10-CM years");
    CHECK_CONTAINS(r->note, "1 rows for article versions not in article.csv");

    r = rep_of(s, "article_x_icd10_covered_group.csv");
    CHECK_INT(r->rows, 3);
    r = rep_of(s, "article_x_icd10_noncovered.csv");
    CHECK_INT(r->rows, 2);
    r = rep_of(s, "article_x_icd10_noncovered_group.csv");
    CHECK_INT(r->rows, 1);

    /* without contractor_jurisdiction.csv the places are derived from the
       contractor numbers, and the report says so */
    r = rep_of(s, "state_lookup.csv");
    CHECK_INT(r->rows, 2);
    CHECK_INT(r->skipped, 0);
    CHECK_STR(r->layout, "mcd:state_lookup");
    r = rep_of(s, "article.csv");
    CHECK_CONTAINS(r->note, "derived from contractor numbers (fallback: "
                            "contractor_jurisdiction.csv and state_lookup.csv "
                            "not given)");
}

static void check_current_kb(const mn_kb *kb)
{
    const kb_policy *p;
    const kb_group *g;
    uint32_t m;

    /* A99901 v3: range, single codes, unknown-but-shaped code, links */
    p = pol(kb, MN_PK_ARTICLE, "A99901", 3);
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(kb_s(kb, p->title),
                  "Billing and Coding: Fictional Tumor Marker Monitoring");
        CHECK_INT(p->effective, day(2024, 10, 1));
        CHECK_INT(p->ending, MN_NODATE);
        CHECK_STR(kb_s(kb, p->related), "L99801");
        CHECK_CONTAINS(kb_s(kb, p->contractors), "15102");
        CHECK_CONTAINS(kb_s(kb, p->contractors), "01112");
        CHECK_INT(p->n_covered, 6);
        m = dx(kb, p, MN_DL_COVERED, "C50.012");
        CHECK(m != 0);
        CHECK_INT(KB_DX_GROUP(m), 1);
        CHECK(dx(kb, p, MN_DL_COVERED, "C50.011") != 0);
        CHECK(dx(kb, p, MN_DL_COVERED, "C50.019") != 0);
        CHECK(dx(kb, p, MN_DL_COVERED, "C50.01") == 0);
        CHECK(dx(kb, p, MN_DL_COVERED, "C50.021") == 0);
        CHECK(dx(kb, p, MN_DL_COVERED, "Z85.9") != 0);
        CHECK_INT(pcode(kb, p, "86300"), 1);
        CHECK_INT(pcode(kb, p, "80047"), 2);
        CHECK_INT(pcode(kb, p, "80049"), 2);
        CHECK_INT(pcode(kb, p, "80050"), 2);
        CHECK_INT(pcode(kb, p, "80051"), -1);
        g = mn_x__kb_group(kb, p, MN_DL_COVERED, 1);
        CHECK(g != NULL);
        if (g)
            CHECK_CONTAINS(kb_s(kb, g->paragraph), "Any one of");
    }

    /* A99902 v1: dual diagnosis, MM/DD/YYYY date */
    p = pol(kb, MN_PK_ARTICLE, "A99902", 1);
    CHECK(p != NULL);
    if (p) {
        CHECK_INT(p->effective, day(2025, 1, 1));
        CHECK_STR(kb_s(kb, p->related), "L99802");
        CHECK_STR(kb_s(kb, p->contractors), "01112");
        m = dx(kb, p, MN_DL_COVERED, "G47.33");
        CHECK_INT(KB_DX_AST(m), 1);
        CHECK_INT(KB_DX_GROUP(m), 1);
        m = dx(kb, p, MN_DL_COVERED, "Z68.1");
        CHECK(m != 0);
        CHECK_INT(KB_DX_AST(m), 0);
        CHECK_INT(KB_DX_GROUP(m), 2);
        CHECK_INT(KB_DX_GROUP(dx(kb, p, MN_DL_COVERED, "Z68.21")), 2);
        CHECK(dx(kb, p, MN_DL_COVERED, "Z68.23") == 0);
        CHECK(dx(kb, p, MN_DL_COVERED, "Z68.25") == 0);
        CHECK_INT(pcode(kb, p, "0466T"), 1);
        g = mn_x__kb_group(kb, p, MN_DL_COVERED, 1);
        CHECK(g != NULL);
        if (g) {
            CHECK(g->flags & KB_GF_HAS_ASTERISK);
            CHECK_INT(g->partners, 2);
        }
        g = mn_x__kb_group(kb, p, MN_DL_COVERED, 2);
        CHECK(g != NULL);
        if (g)
            CHECK_CONTAINS(kb_s(kb, g->paragraph), "body mass index");
    }

    /* A99903 v2: timestamp date, non-covered list, contractor links */
    p = pol(kb, MN_PK_ARTICLE, "A99903", 2);
    CHECK(p != NULL);
    if (p) {
        CHECK_INT(p->effective, day(2023, 7, 1));
        CHECK_STR(kb_s(kb, p->contractors), "04412");
        CHECK_INT(p->n_covered, 1);
        CHECK_INT(p->n_noncovered, 2);
        CHECK(dx(kb, p, MN_DL_NONCOVERED, "Z13.21") != 0);
        CHECK(mn_x__kb_group(kb, p, MN_DL_NONCOVERED, 1) != NULL);
        CHECK_INT(pcode(kb, p, "G0103"), 1);
    }

    /* a link row to an article version not in article.csv still loads */
    p = pol(kb, MN_PK_ARTICLE, "A99904", 1);
    CHECK(p != NULL);
    if (p)
        CHECK(dx(kb, p, MN_DL_COVERED, "E55.0") != 0);
    /* the bad-date article row was skipped */
    CHECK(pol(kb, MN_PK_ARTICLE, "A99905", 1) == NULL);

    p = pol(kb, MN_PK_LCD, "L99801", 5);
    CHECK(p != NULL);
    if (p) {
        CHECK_INT(p->effective, day(2024, 10, 1));
        CHECK_STR(kb_s(kb, p->title), "Fictional Tumor Marker Monitoring");
        CHECK_STR(kb_s(kb, p->contractors), "15102");
    }
    p = pol(kb, MN_PK_LCD, "L99802", 1);
    if (p)
        CHECK_INT(p->effective, day(2025, 1, 1));
}

static void test_mcd_sets(void)
{
    mn_kbb *b = NULL;
    mn_kb *kb = NULL;
    set cur;
    set old;
    mn_error err;
    const kb_policy *p;

    if (read_set(&cur, MN_FIXTURES "/mcd/current", current_names) ||
        read_set(&old, MN_FIXTURES "/mcd/retired", retired_names)) {
        CHECK(!"fixtures readable");
        return;
    }
    CHECK_INT(mn_x__kbb_new(&b), MN_OK);
    add_icd(b);
    mn_error_clear(&err);
    CHECK_INT(mn_x__load_mcd_set(b, cur.src, cur.n, cur.rep, &err), MN_OK);
    check_current_reports(&cur);
    CHECK_INT(mn_x__load_mcd_set(b, old.src, old.n, old.rep, &err), MN_OK);
    CHECK_INT(rep_of(&old, "article.csv")->rows, 1);
    CHECK_INT(rep_of(&old, "article_x_icd10_covered.csv")->rows, 2);
    CHECK_INT(rep_of(&old, "article_x_contractor.csv")->rows, 1);

    kb = to_kb(b);
    CHECK(kb != NULL);
    if (kb) {
        check_current_kb(kb);
        /* the older version is a separate policy with its own dates */
        p = pol(kb, MN_PK_ARTICLE, "A99901", 2);
        CHECK(p != NULL);
        if (p) {
            CHECK_INT(p->effective, day(2023, 10, 1));
            CHECK_INT(p->ending, day(2024, 9, 30));
            CHECK_INT(p->n_covered, 2);
            CHECK(dx(kb, p, MN_DL_COVERED, "C50.012") == 0);
            CHECK_STR(kb_s(kb, p->contractors), "15102");
        }
        p = pol(kb, MN_PK_ARTICLE, "A99901", 3);
        if (p)
            CHECK_INT(p->n_covered, 6);
    }
    mn_kb_free(kb);
    mn_x__kbb_free(b);
    free_set(&cur);
    free_set(&old);
}

/* One in-memory table through the set loader. */
static int load_one(mn_kbb *b, const char *name, const char *text,
                    mn_report *rep, mn_error *err)
{
    mn_src src;
    src.path = name;
    src.name = name;
    src.date = 0; /* no date given at build */
    src.data = text;
    src.len = strlen(text);
    mn_error_clear(err);
    return mn_x__load_mcd_set(b, &src, 1, rep, err);
}

static void test_errors(void)
{
    mn_kbb *b = NULL;
    mn_report rep;
    mn_error err;
    int rc;

    CHECK_INT(mn_x__kbb_new(&b), MN_OK);

    /* a required column missing, in a reordered header */
    rc = load_one(b, "article_x_icd10_covered.csv",
                  "article_version,article_id,icd10_covered_group\n"
                  "1,99901,1\n",
                  &rep, &err);
    CHECK_INT(rc, MN_EINVAL);
    CHECK_STR(err.message, "missing column icd10_code_id");
    CHECK_STR(err.where, "article_x_icd10_covered.csv");
    CHECK_INT(err.line, 1);

    rc = load_one(b, "contractor.csv", "contractor_id,contractor_version\n",
                  &rep, &err);
    CHECK_INT(rc, MN_EINVAL);
    CHECK_STR(err.message, "missing column contractor_number");

    /* an unterminated quote: reported where it opened */
    rc = load_one(b, "article.csv",
                  "article_id,article_version,title\n"
                  "99901,1,ok\n"
                  "99902,1,\"never closed\n"
                  "99903,1,x\n",
                  &rep, &err);
    CHECK_INT(rc, MN_EINVAL);
    CHECK_STR(err.where, "article.csv");
    CHECK_INT(err.line, 3);
    CHECK_INT(err.column, 9);
    CHECK_CONTAINS(err.message, "quote");

    /* a stray quote inside an unquoted field */
    rc = load_one(b, "lcd.csv",
                  "lcd_id,lcd_version,title\n"
                  "99801,1,a \"b\" c\n",
                  &rep, &err);
    CHECK_INT(rc, MN_EINVAL);
    CHECK_STR(err.where, "lcd.csv");
    CHECK_INT(err.line, 2);

    /* blank lines and odd values are skipped with reasons, not errors */
    rc = load_one(b, "article_x_icd10_covered.csv",
                  "article_id,article_version,icd10_code_id,"
                  "icd10_covered_group\n"
                  "99901,1,E55.9,1\n"
                  "\n"
                  "x,1,E55.9,1\n"
                  "99901,v,E55.9,1\n"
                  "99901,1,E55.9,g\n"
                  "99901,1,E55.9,70000\n"
                  "99901,1,,1\n"
                  "A99901,2,e55.9,\n",
                  &rep, &err);
    CHECK_INT(rc, MN_OK);
    CHECK_INT(rep.rows, 2);
    CHECK_INT(rep.skipped, 6);
    CHECK_INT(reason(&rep, "blank line"), 1);
    CHECK_INT(reason(&rep, "bad article id"), 1);
    CHECK_INT(reason(&rep, "bad version"), 1);
    CHECK_INT(reason(&rep, "bad group"), 2);
    CHECK_INT(reason(&rep, "missing code"), 1);

    /* an empty file and a header-only file are not errors */
    rc = load_one(b, "article.csv", "", &rep, &err);
    CHECK_INT(rc, MN_OK);
    CHECK_INT(rep.rows, 0);
    rc = load_one(b, "article_x_icd10_noncovered.csv",
                  "article_id,article_version,icd10_code_id,"
                  "icd10_noncovered_group,range\n",
                  &rep, &err);
    CHECK_INT(rc, MN_OK);
    CHECK_INT(rep.rows, 0);
    CHECK_INT(rep.skipped, 0);

    /* procedure ranges */
    rc = load_one(b, "article_x_hcpc_code.csv",
                  "article_id,article_version,hcpc_code_id,hcpc_code_group,"
                  "range\n"
                  "99901,1,J0120,1,J0130\n"
                  "99901,1,0001U - 0003U,1,\n"
                  "99901,1,80076,1,80047\n"
                  "99901,1,80047,1,J0130\n"
                  "99901,1,10000,1,99999\n"
                  "99901,1,80047,1,N\n",
                  &rep, &err);
    CHECK_INT(rc, MN_OK);
    CHECK_INT(rep.rows, 3);
    CHECK_INT(reason(&rep, "range end before start"), 1);
    CHECK_INT(reason(&rep, "differ in more than digits"), 1);
    CHECK_INT(reason(&rep, "range too large"), 1);
    CHECK_CONTAINS(rep.note, "2 ranges expanded to 14 codes");

    /* a contractor link without contractor.csv in the set */
    rc = load_one(b, "article_x_contractor.csv",
                  "article_id,article_version,contractor_id\n"
                  "99901,1,370\n",
                  &rep, &err);
    CHECK_INT(rc, MN_OK);
    CHECK_INT(rep.rows, 0);
    CHECK_INT(reason(&rep, "unknown contractor"), 1);
    CHECK_CONTAINS(rep.note, "no contractor.csv");

    /* LCD code tables load against the LCD */
    rc = load_one(b, "lcd_x_hcpc_code.csv",
                  "lcd_id,lcd_version,hcpc_code_id,hcpc_code_group\n"
                  "L99801,5,86300,1\n",
                  &rep, &err);
    CHECK_INT(rc, MN_OK);
    CHECK_INT(rep.rows, 1);
    CHECK_CONTAINS(rep.note, "1 rows for LCD versions not in lcd.csv");

    mn_x__kbb_free(b);
}

/* ---- ICD-10-CM ranges in tabular order -------------------------------- */

static int collect(void *payload, mn_key code)
{
    mn_key *keys = payload;
    size_t i = 0;
    while (keys[i])
        i++;
    if (i < 31)
        keys[i] = code;
    return MN_OK;
}

static bool has(const mn_key *keys, const char *code)
{
    mn_key k = mn_x__key(code, strlen(code));
    for (size_t i = 0; keys[i]; i++) {
        if (keys[i] == k)
            return true;
    }
    return false;
}

static void test_icd_ranges(void)
{
    /* the order of the CDC order file: C4A between C43 and C44, and G40.A
       between G40.3 and G40.4 */
    static const char *const fy24[] = {
        "C43",    "C43.0",   "C43.9", "C4A",     "C4A.0",   "C4A.9", "C44",
        "C44.00", "C44.01",  "C45.0", "G40.3",   "G40.309", "G40.A", "G40.A01",
        "G40.4",  "G40.409", "G40.9", "G40.919", NULL};
    mn_key keys[32];
    mn_kbb *b = NULL;
    const char *why = NULL;
    size_t n = 0;

    CHECK_INT(mn_x__kbb_new(&b), MN_OK);
    for (size_t i = 0; fy24[i]; i++)
        icd(b, fy24[i]);
    /* C43.0 .. C44.00: C4A is inside (text order would leave it out) */
    memset(keys, 0, sizeof(keys));
    CHECK_INT(mn_x__kbb_icd_range(b, mn_x__key("C430", 4),
                                  mn_x__key("C4400", 5), collect, keys, &n,
                                  &why),
              MN_OK);
    CHECK_INT(n, 7);
    CHECK(has(keys, "C4A.0") && has(keys, "C4A") && has(keys, "C44.00"));
    CHECK(!has(keys, "C44.01") && !has(keys, "C43"));
    /* C4A.0 .. C44: a start after the end in text order, and an end that
       covers the codes it prefixes */
    memset(keys, 0, sizeof(keys));
    CHECK_INT(mn_x__kbb_icd_range(b, mn_x__key("C4A0", 4), mn_x__key("C44", 3),
                                  collect, keys, &n, &why),
              MN_OK);
    CHECK_INT(n, 5);
    CHECK(has(keys, "C44.01") && !has(keys, "C45.0"));
    /* G40.A01 .. G40.919 */
    memset(keys, 0, sizeof(keys));
    CHECK_INT(mn_x__kbb_icd_range(b, mn_x__key("G40A01", 6),
                                  mn_x__key("G40919", 6), collect, keys, &n,
                                  &why),
              MN_OK);
    CHECK_INT(n, 5);
    CHECK(has(keys, "G40.409") && !has(keys, "G40.309"));
    /* a category start: its first code */
    memset(keys, 0, sizeof(keys));
    CHECK_INT(mn_x__kbb_icd_range(b, mn_x__key("G403", 4),
                                  mn_x__key("G40A01", 6), collect, keys, &n,
                                  &why),
              MN_OK);
    CHECK_INT(n, 4);
    /* what cannot be expanded, and why */
    CHECK_INT(mn_x__kbb_icd_range(b, mn_x__key("C4400", 5),
                                  mn_x__key("C430", 4), collect, keys, &n,
                                  &why),
              MN_OK);
    CHECK_INT(n, 0);
    CHECK_STR(why, "range end before its start in ICD-10-CM tabular order");
    CHECK_INT(mn_x__kbb_icd_range(b, mn_x__key("M0500", 5),
                                  mn_x__key("M0509", 5), collect, keys, &n,
                                  &why),
              MN_OK);
    CHECK_STR(why, "range start is not a loaded ICD-10-CM code");
    CHECK_INT(mn_x__kbb_icd_range(b, mn_x__key("C430", 4), mn_x__key("C46", 3),
                                  collect, keys, &n, &why),
              MN_OK);
    CHECK_STR(why, "range end is not a loaded ICD-10-CM code");
    /* a code added later goes to the end of its year's order */
    icd(b, "C43.1");
    memset(keys, 0, sizeof(keys));
    CHECK_INT(mn_x__kbb_icd_range(b, mn_x__key("C430", 4), mn_x__key("C439", 4),
                                  collect, keys, &n, &why),
              MN_OK);
    CHECK_INT(n, 2);
    mn_x__kbb_free(b);
}

/* ---- lab NCDs ------------------------------------------------------------ */

static void test_lab_ncd(void)
{
    mn_kbb *b = NULL;
    mn_kb *kb = NULL;
    mn_src codes;
    mn_src meta;
    mn_report rep;
    mn_report mrep;
    mn_error err;
    char *cdata;
    char *mdata;
    size_t clen = 0;
    size_t mlen = 0;
    const kb_policy *p;

    cdata = mn_t_slurp(MN_FIXTURES "/labncd/ncd_codes.csv", &clen);
    mdata = mn_t_slurp(MN_FIXTURES "/labncd/ncd_meta.csv", &mlen);
    CHECK(cdata && mdata);
    if (!cdata || !mdata)
        goto done;
    codes.path = MN_FIXTURES "/labncd/ncd_codes.csv";
    codes.name = "ncd_codes.csv";
    codes.date = 0; /* no date given at build */
    codes.data = cdata;
    codes.len = clen;
    meta.path = MN_FIXTURES "/labncd/ncd_meta.csv";
    meta.name = "ncd_meta.csv";
    meta.date = 0; /* no date given at build */
    meta.data = mdata;
    meta.len = mlen;

    CHECK_INT(mn_x__kbb_new(&b), MN_OK);
    icd(b, "C50.011");
    icd(b, "C50.012");
    icd(b, "C50.019");
    icd(b, "C79.81");
    icd(b, "E03.9");
    icd(b, "Z00.00");
    mn_error_clear(&err);
    CHECK_INT(mn_x__load_lab_ncd(b, &codes, &meta, &rep, &mrep, &err), MN_OK);
    CHECK_STR(rep.layout, "labncd:codes");
    CHECK_INT(rep.rows, 12);
    CHECK_INT(rep.skipped, 6);
    CHECK_INT(reason(&rep, "not an ICD-10-CM code"), 1);
    CHECK_INT(reason(&rep, "range start is not a loaded ICD-10-CM code"), 1);
    CHECK_INT(reason(&rep, "unknown list"), 1);
    CHECK_INT(reason(&rep, "not a CPT or HCPCS code"), 1);
    CHECK_INT(reason(&rep, "bad NCD id"), 1);
    CHECK_INT(reason(&rep, "unknown code kind"), 1);
    CHECK_CONTAINS(rep.note, "4 NCDs");
    CHECK_CONTAINS(rep.note, "1 ranges expanded to 3 codes");
    CHECK_CONTAINS(rep.note, "4 codes not in loaded ICD-10-CM years");
    CHECK_CONTAINS(rep.note, "4 distinct frequency notes");
    CHECK_STR(mrep.layout, "labncd:meta");
    CHECK_INT(mrep.rows, 4);
    CHECK_INT(reason(&mrep, "bad NCD id"), 1);

    kb = to_kb(b);
    CHECK(kb != NULL);
    if (!kb)
        goto done;
    p = pol(kb, MN_PK_NCD, "190.22", 0);
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(kb_s(kb, p->title), "Thyroid Testing");
        CHECK_INT(p->flags & (MN_PF_LAB | MN_PF_ALL_LAB), MN_PF_LAB);
        CHECK(pcode(kb, p, "84443") >= 0);
        CHECK(dx(kb, p, MN_DL_COVERED, "E05.90") != 0);
        CHECK(dx(kb, p, MN_DL_NOT_SUPPORTED, "Z13.29") != 0);
        CHECK_INT(p->n_notsup, 1);
        CHECK_CONTAINS(kb_s(kb, p->note), "up to two tests a year");
        CHECK_CONTAINS(kb_s(kb, p->note), "source list completeness");
    }
    p = pol(kb, MN_PK_NCD, "190.29", 0);
    CHECK(p != NULL);
    if (p) {
        CHECK_INT(p->n_covered, 4);
        CHECK(dx(kb, p, MN_DL_COVERED, "C50.012") != 0);
    }
    p = pol(kb, MN_PK_NCD, "190.15", 0);
    CHECK(p != NULL);
    if (p)
        CHECK_INT(p->flags & MN_PF_INVERTED, 0);
    p = pol(kb, MN_PK_NCD, "ALL", 0);
    CHECK(p != NULL);
    if (p) {
        CHECK_INT(p->flags & (MN_PF_LAB | MN_PF_ALL_LAB),
                  MN_PF_LAB | MN_PF_ALL_LAB);
        CHECK_INT(p->n_noncovered, 2);
        CHECK(dx(kb, p, MN_DL_NONCOVERED, "Z00.01") != 0);
    }
done:
    mn_kb_free(kb);
    mn_x__kbb_free(b);
    free(cdata);
    free(mdata);
}

static void test_lab_ncd_errors(void)
{
    mn_kbb *b = NULL;
    mn_src codes;
    mn_report rep;
    mn_error err;
    static const char text[] = "ncd_id,code,list\n190.22,E03.9,covered\n";

    CHECK_INT(mn_x__kbb_new(&b), MN_OK);
    codes.path = "lab/ncd_codes.csv";
    codes.name = "ncd_codes.csv";
    codes.date = 0; /* no date given at build */
    codes.data = text;
    codes.len = sizeof(text) - 1;
    mn_error_clear(&err);
    CHECK_INT(mn_x__load_lab_ncd(b, &codes, NULL, &rep, NULL, &err), MN_EINVAL);
    CHECK_STR(err.message, "missing column code_kind");
    CHECK_STR(err.where, "lab/ncd_codes.csv");
    CHECK_INT(err.line, 1);
    mn_x__kbb_free(b);
}

int main(void)
{
    RUN(test_table_names);
    RUN(test_mcd_sets);
    RUN(test_errors);
    RUN(test_icd_ranges);
    RUN(test_lab_ncd);
    RUN(test_lab_ncd_errors);
    DONE();
}
