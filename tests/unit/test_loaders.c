/* test_loaders.c: the ICD-10-CM, HCPCS and MCE loaders on fixtures. */
#include "harness.h"

#include "kb/kb_int.h"
#include "build/writer/kbb.h"
#include "build/load/loaders.h"
#include "build/sources.h"

#define FIX MN_FIXTURES

/* A fixture read into memory, as build.c would hand it to a loader. */
typedef struct fixture {
    mn_src src;
    char *data;
    char name[128];
    char path[512];
} fixture;

static int fixture_load(fixture *f, const char *rel, const char *name)
{
    size_t len = 0;

    snprintf(f->path, sizeof(f->path), "%s/%s", FIX, rel);
    f->data = mn_t_slurp(f->path, &len);
    snprintf(f->name, sizeof(f->name), "%s", name);
    f->src.path = f->path;
    f->src.name = f->name;
    f->src.date = 0; /* no date given at build */
    f->src.data = f->data;
    f->src.len = len;
    if (!f->data)
        fprintf(stderr, "missing fixture %s\n", f->path);
    return f->data != NULL;
}

static mn_src mem_src(const char *path, const char *name, const char *text)
{
    mn_src s;
    s.path = path;
    s.name = name;
    s.date = 0; /* no date given at build */
    s.data = text;
    s.len = strlen(text);
    return s;
}

/* Serialises the builder and opens the result. */
static mn_kb *kb_of(mn_kbb *b)
{
    void *bytes = NULL;
    size_t len = 0;
    mn_kb *kb = NULL;
    mn_error err;

    mn_error_clear(&err);
    CHECK_INT(mn_x__kbb_serialize(b, "2024-01-01", &bytes, &len, &err), MN_OK);
    if (bytes)
        CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err), MN_OK);
    mn_x__free(bytes);
    return kb;
}

static mn_key key(const char *code)
{
    return mn_x__key(code, strlen(code));
}

/* The reason line that starts with `text`, or NULL. */
static const char *reason(const mn_report *r, const char *text, size_t *n)
{
    for (size_t i = 0; i < r->n_reasons; i++) {
        if (strncmp(r->reasons[i].text, text, strlen(text)) == 0) {
            if (n)
                *n = r->reasons[i].count;
            return r->reasons[i].text;
        }
    }
    if (n)
        *n = 0;
    return NULL;
}

static int32_t date(const char *s)
{
    int32_t d = MN_NODATE;
    mn_x__parse_date(&d, s, strlen(s), false);
    return d;
}

/* ------------------------------------------------------------------ */

static void test_names(void)
{
    CHECK_INT(mn_x__icd_fy_from_name("icd10cm_order_2024.txt"), 2024);
    CHECK_INT(mn_x__icd_fy_from_name("icd10cm-order-jan-2021.txt"), 2021);
    CHECK_INT(mn_x__icd_fy_from_name("icd10cm-order-sep-2021.txt"), 2021);
    CHECK_INT(mn_x__icd_fy_from_name("icd10cm-order-oct-2020.txt"), 2021);
    CHECK_INT(mn_x__icd_fy_from_name("icd10cm_order_december_2019.txt"), 2020);
    CHECK_INT(mn_x__icd_fy_from_name("icd10cm-order-april-2024.txt"), 2024);
    CHECK_INT(mn_x__icd_fy_from_name("icd10cm_fy2024_order.csv"), 2024);
    CHECK_INT(mn_x__icd_fy_from_name("icd10cm_fy2022.csv"), 2022);
    CHECK_INT(mn_x__icd_fy_from_name("icd10cm_codes_2025.txt"), 2025);
    CHECK_INT(mn_x__icd_fy_from_name("icd10cm_order.txt"), 0);

    CHECK_INT(mn_x__year_in_name("hcpc2019_contr_anweb.txt"), 2019);
    CHECK_INT(mn_x__year_in_name("hcpcs_lvl2.csv"), 0);
    CHECK_INT(mn_x__year_in_name("hcpcs_level2_descriptions_2024.csv"), 2024);

    CHECK(mn_x__name_match("icd10cm_order_*_####.txt",
                           "icd10cm-order-jan-2021.txt"));
    CHECK(mn_x__name_match("icd10cm_order_####.txt", "icd10cm_order_2024.txt"));
    CHECK(
        !mn_x__name_match("icd10cm_order_####.txt", "icd10cm_order_20245.txt"));
    CHECK(mn_x__name_match("hcpc*anweb*.txt", "hcpc2019_contr_anweb.txt"));
    CHECK(!mn_x__name_match("hcpc*anweb*.txt", "hcpc2019_contr_anweb.xlsx"));
    CHECK(mn_x__name_match("mce_v*_code_edits.csv",
                           "mce_v41_1_fy2024_code_edits.csv"));
}

static void test_report_skip(void)
{
    mn_report r;
    char why[32];
    size_t n = 0;

    memset(&r, 0, sizeof(r));
    mn_x__report_skip(&r, "bad code", 17);
    mn_x__report_skip(&r, "bad code", 40);
    mn_x__report_skip(&r, "bad date", 0);
    CHECK_INT(r.skipped, 3);
    CHECK_INT(r.n_reasons, 2);
    CHECK_STR(r.reasons[0].text, "bad code (first at record 17)");
    CHECK_INT(r.reasons[0].count, 2);
    CHECK_STR(r.reasons[1].text, "bad date");
    /* Distinct reasons past the limit share one "other" bucket. */
    for (int i = 0; i < 30; i++) {
        snprintf(why, sizeof(why), "reason %d", i);
        mn_x__report_skip(&r, why, (size_t)(100 + i));
    }
    CHECK_INT(r.n_reasons, MN_REPORT_MAX_REASONS);
    CHECK(reason(&r, "other reasons (first at record", &n) != NULL);
    CHECK_INT(n, 30 - (MN_REPORT_MAX_REASONS - 3));
    CHECK_INT(r.skipped, 33);
}

static void test_icd_order_txt(void)
{
    fixture f;
    mn_kbb *b = NULL;
    mn_report rep;
    mn_error err;
    mn_kb *kb = NULL;
    size_t n = 0;

    memset(&rep, 0, sizeof(rep));
    mn_error_clear(&err);
    if (!fixture_load(&f, "icd/icd10cm_order_2024.txt",
                      "icd10cm_order_2024.txt")) {
        CHECK(0);
        return;
    }
    CHECK(mn_x__icd_layout(f.src.data, f.src.len) == MN_LAYOUT_ICD_ORDER_TXT);
    CHECK_INT(mn_x__kbb_new(&b), MN_OK);
    CHECK_INT(mn_x__load_icd(b, &f.src, 2024, &rep, &err), MN_OK);
    CHECK_STR(rep.layout, MN_LAYOUT_ICD_ORDER_TXT);
    CHECK_STR(rep.note, "fiscal year 2024, from 2023-10-01");
    CHECK_INT(rep.rows, 36);
    CHECK_INT(rep.skipped, 3);
    /* the fixed-width line cut short before the long description */
    CHECK_STR(reason(&rep, "truncated record", &n),
              "truncated record (first at record 11)");
    CHECK_INT(n, 1);
    CHECK_STR(reason(&rep, "bad code", NULL), "bad code (first at record 21)");
    CHECK(reason(&rep, "bad billable flag", NULL) != NULL);
    CHECK(mn_x__kbb_icd_known(b, key("E11.65")));
    CHECK(mn_x__kbb_icd_known(b, key("A000")));
    CHECK(!mn_x__kbb_icd_known(b, key("R51")));
    kb = kb_of(b);
    if (kb) {
        const kb_icd *e = mn_x__kb_icd(kb, key("E1165"));
        const kb_icd *h = mn_x__kb_icd(kb, key("E116"));
        CHECK(e != NULL);
        CHECK(h != NULL);
        if (e) {
            CHECK_STR(kb_s(kb, e->desc),
                      "Type 2 diabetes mellitus with hyperglycemia");
            CHECK_INT(e->billable & 1, 1);
        }
        if (h)
            CHECK_INT(h->billable & 1, 0);
        CHECK_INT(kb->meta->n_icd_years, 1);
        CHECK_INT(kb->meta->icd_years[0], 2024);
    }
    mn_kb_free(kb);
    mn_x__kbb_free(b);
    free(f.data);
}

static void test_icd_other_layouts(void)
{
    static const struct {
        const char *rel;
        const char *name;
        int fy;
        size_t rows;
        size_t skipped;
        const char *why;
    } cases[] = {
        {"icd/icd10cm_fy2023_order.csv", "icd10cm_fy2023_order.csv", 2023, 24,
         1, "bad code (first at record 26)"},
        {"icd/icd10cm_fy2022.csv", "icd10cm_fy2022.csv", 2022, 20, 2,
         "missing description (first at record 22)"},
        {"icd/icd10cm_codes_2025.txt", "icd10cm_codes_2025.txt", 2025, 15, 0,
         NULL},
        {"icd/icd10cm-order-Jan-2021.txt", "icd10cm-order-jan-2021.txt", 2021,
         6, 0, NULL},
    };
    mn_kbb *b = NULL;
    mn_kb *kb = NULL;

    CHECK_INT(mn_x__kbb_new(&b), MN_OK);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fixture f;
        mn_report rep;
        mn_error err;
        memset(&rep, 0, sizeof(rep));
        mn_error_clear(&err);
        if (!fixture_load(&f, cases[i].rel, cases[i].name)) {
            CHECK(0);
            continue;
        }
        CHECK_INT(mn_x__icd_fy_from_name(cases[i].name), cases[i].fy);
        CHECK_INT(mn_x__load_icd(b, &f.src, cases[i].fy, &rep, &err), MN_OK);
        CHECK_INT(rep.rows, cases[i].rows);
        CHECK_INT(rep.skipped, cases[i].skipped);
        if (cases[i].why)
            CHECK_STR(reason(&rep, cases[i].why, NULL), cases[i].why);
        free(f.data);
    }
    kb = kb_of(b);
    if (kb) {
        CHECK_INT(kb->meta->n_icd_years, 4);
        const kb_icd *e = mn_x__kb_icd(kb, key("A01.00"));
        CHECK(e != NULL);
        if (e)
            CHECK_STR(kb_s(kb, e->desc), "Typhoid fever, unspecified");
    }
    mn_kb_free(kb);
    mn_x__kbb_free(b);
}

static void test_icd_errors(void)
{
    mn_kbb *b = NULL;
    mn_report rep;
    mn_error err;
    mn_src s;

    CHECK_INT(mn_x__kbb_new(&b), MN_OK);

    /* broken quoting: the CSV reader's line and column come through */
    memset(&rep, 0, sizeof(rep));
    mn_error_clear(&err);
    s = mem_src("dir/icd10cm_fy2024_order.csv", "icd10cm_fy2024_order.csv",
                "\"order\",\"code\",\"valid\",\"description\"\n"
                "1,\"A00\",0,\"Cholera\"\n"
                "2,\"A00.0\",1,\"Cholera due \"to Vibrio\"\n");
    CHECK_INT(mn_x__load_icd(b, &s, 2024, &rep, &err), MN_EINVAL);
    CHECK_INT(err.code, MN_EINVAL);
    CHECK_STR(err.where, "dir/icd10cm_fy2024_order.csv");
    CHECK_INT(err.line, 3);
    CHECK_INT(err.column, 27); /* the character after the stray quote */
    CHECK(err.message[0] != '\0');
    CHECK_INT(rep.rows, 1);

    /* a header that matches no layout */
    memset(&rep, 0, sizeof(rep));
    mn_error_clear(&err);
    s = mem_src("x/icd10cm_fy2022.csv", "icd10cm_fy2022.csv",
                "\"code\",\"text\"\n\"A00\",\"Cholera\"\n");
    CHECK_INT(mn_x__load_icd(b, &s, 2022, &rep, &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "header does not match");
    CHECK_STR(err.where, "x/icd10cm_fy2022.csv");
    CHECK_INT(err.line, 1);
    CHECK_INT(err.column, 1);
    CHECK(rep.layout == NULL);

    /* no fiscal year */
    mn_error_clear(&err);
    s = mem_src("icd10cm.txt", "icd10cm.txt", "00001 A00     0 Cholera\n");
    CHECK_INT(mn_x__load_icd(b, &s, 0, &rep, &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "fiscal year");

    /* a fixed-width file cut in the middle of its last record */
    memset(&rep, 0, sizeof(rep));
    mn_error_clear(&err);
    s = mem_src("t/icd10cm_order_2024.txt", "icd10cm_order_2024.txt",
                "00001 A00     0 Cholera                                  "
                "                    Cholera\r\n"
                "00002 A000    1 Cholera due to Vi");
    CHECK_INT(mn_x__load_icd(b, &s, 2024, &rep, &err), MN_OK);
    CHECK_INT(rep.rows, 1);
    CHECK_INT(rep.skipped, 1);
    CHECK_STR(reason(&rep, "truncated record", NULL),
              "truncated record (first at record 2)");
    mn_x__kbb_free(b);
}

static void test_hcpcs_anweb(void)
{
    fixture f;
    mn_kbb *b = NULL;
    mn_report rep;
    mn_error err;
    mn_kb *kb = NULL;
    size_t n = 0;

    memset(&rep, 0, sizeof(rep));
    mn_error_clear(&err);
    if (!fixture_load(&f, "hcpcs/HCPC2019_CONTR_ANWEB.txt",
                      "hcpc2019_contr_anweb.txt")) {
        CHECK(0);
        return;
    }
    CHECK(mn_x__hcpcs_layout(f.src.data, f.src.len) == MN_LAYOUT_HCPCS_ANWEB);
    CHECK_INT(mn_x__kbb_new(&b), MN_OK);
    CHECK_INT(mn_x__load_hcpcs(b, &f.src, 2019, &rep, &err), MN_OK);
    CHECK_STR(rep.layout, MN_LAYOUT_HCPCS_ANWEB);
    CHECK_INT(rep.rows, 20);
    CHECK_INT(rep.skipped, 12);
    CHECK_STR(reason(&rep, "not a code record", &n),
              "not a code record (first at record 1)");
    CHECK_INT(n, 6);
    CHECK(reason(&rep, "modifier record", &n) != NULL);
    CHECK_INT(n, 4);
    CHECK_STR(reason(&rep, "truncated record", &n),
              "truncated record (first at record 14)");
    CHECK(reason(&rep, "continuation without a first line", &n) != NULL);
    CHECK_CONTAINS(rep.note, "data year 2019");
    CHECK_CONTAINS(rep.note, "20 continuation lines joined");
    kb = kb_of(b);
    if (kb) {
        const kb_hcpcs *h = mn_x__kb_hcpcs(kb, key("A0080"));
        CHECK(h != NULL);
        if (h)
            CHECK_STR(kb_s(kb, h->desc),
                      "Non-emergency transportation, per mile - vehicle "
                      "provided by volunteer (individual or "
                      "organization), with no vested interest");
        h = mn_x__kb_hcpcs(kb, key("G9712"));
        CHECK(h != NULL);
        if (h) {
            const char *d = kb_s(kb, h->desc);
            CHECK(strncmp(d,
                          "Documentation of medical reason(s) for "
                          "prescribing or dispensing antibiotic (e.g., "
                          "intestinal",
                          88) == 0);
            CHECK_CONTAINS(d, "other lung disease due to external agents");
            CHECK_CONTAINS(d, "respiratory system, and tuberculosis");
        }
        h = mn_x__kb_hcpcs(kb, key("A4466"));
        CHECK(h != NULL);
        if (h) {
            CHECK_INT(h->added, date("2010-01-01"));
            CHECK_INT(h->terminated, date("2016-12-31"));
        }
        h = mn_x__kb_hcpcs(kb, key("E0100"));
        if (h) {
            CHECK_INT(h->terminated, MN_NODATE);
            CHECK_INT(h->coverage, 'D');
            CHECK_INT(h->statute.len, 0);
        }
        /* coverage code (position 230) and statute (171-180) */
        h = mn_x__kb_hcpcs(kb, key("V5362"));
        CHECK(h != NULL);
        if (h) {
            CHECK_INT(h->coverage, 'S');
            CHECK_STR(kb_s(kb, h->statute), "1862(a)(7)");
        }
        h = mn_x__kb_hcpcs(kb, key("C1713"));
        if (h) {
            CHECK_INT(h->coverage, 'D');
            CHECK_STR(kb_s(kb, h->statute), "1833(T)");
        }
        h = mn_x__kb_hcpcs(kb, key("A0021"));
        if (h)
            CHECK_INT(h->coverage, 'I');
        h = mn_x__kb_hcpcs(kb, key("A4466"));
        if (h)
            CHECK_INT(h->coverage, 'M');
        CHECK(mn_x__kb_hcpcs(kb, key("A0100")) == NULL);
        CHECK(mn_x__kb_hcpcs(kb, key("AD")) == NULL);
    }
    mn_kb_free(kb);
    mn_x__kbb_free(b);
    free(f.data);
}

/* One ANWEB procedure record (320 bytes and CR LF) into rec. */
static void anweb_rec(char *rec, const char *code, const char *desc,
                      const char *statute, char cov, const char *added)
{
    memset(rec, ' ', 320);
    memcpy(rec, code, 5);
    memcpy(rec + 5, "001003", 6);
    memcpy(rec + 11, desc, strlen(desc));
    memcpy(rec + 170, statute, strlen(statute));
    rec[229] = cov;
    memcpy(rec + 268, added, 8);
    memcpy(rec + 320, "\r\n", 3);
}

/* Coverage codes of the ANWEB layout: a known letter with its statute,
 * and a letter the record layout does not define (row kept, counted). */
static void test_hcpcs_coverage_anweb(void)
{
    char text[3 * 330];
    mn_kbb *b = NULL;
    mn_report rep;
    mn_error err;
    mn_kb *kb = NULL;
    mn_src s;
    size_t n = 0;

    anweb_rec(text, "V5010", "Assessment for hearing aid", "1862A7", 'S',
              "19840101");
    anweb_rec(text + 322, "A4466", "Garment, belt, sleeve or other covering",
              "", 'X', "20100101");
    anweb_rec(text + 644, "V2025", "Deluxe frame", "", 'M', "19920101");
    memset(&rep, 0, sizeof(rep));
    mn_error_clear(&err);
    s = mem_src("m/HCPC2019_CONTR_ANWEB.txt", "hcpc2019_contr_anweb.txt", text);
    CHECK_INT(mn_x__kbb_new(&b), MN_OK);
    CHECK_INT(mn_x__load_hcpcs(b, &s, 2019, &rep, &err), MN_OK);
    CHECK_INT(rep.rows, 3);
    CHECK_INT(rep.skipped, 0);
    CHECK_STR(reason(&rep, "unknown coverage code", &n),
              "unknown coverage code 'X' (row kept, coverage unknown) "
              "(first at record 2)");
    CHECK_INT(n, 1);
    kb = kb_of(b);
    if (kb) {
        const kb_hcpcs *h = mn_x__kb_hcpcs(kb, key("V5010"));
        CHECK(h != NULL);
        if (h) {
            CHECK_INT(h->coverage, 'S');
            CHECK_STR(kb_s(kb, h->statute), "1862A7");
        }
        h = mn_x__kb_hcpcs(kb, key("A4466"));
        CHECK(h != NULL);
        if (h) {
            CHECK_INT(h->coverage, 0);
            CHECK_INT(h->added, date("2010-01-01"));
        }
        h = mn_x__kb_hcpcs(kb, key("V2025"));
        if (h) {
            CHECK_INT(h->coverage, 'M');
            CHECK_INT(h->statute.len, 0);
        }
    }
    mn_kb_free(kb);
    mn_x__kbb_free(b);
}

/* Coverage codes of the CSV layout (cov, statute: optional columns), and
 * the newest source deciding. */
static void test_hcpcs_coverage_csv(void)
{
    static const char head[] =
        "\"hcpcs_code\",\"price\",\"multi\",\"cov\",\"betos\",\"tos\","
        "\"action\",\"cim\",\"mcm\",\"statute\",\"lab\",\"xref\","
        "\"asc_grp\",\"proc\",\"anes\",\"date_term\",\"date_added\","
        "\"date_asc\",\"date_action\"\n";
    char csv24[2048];
    static const char old_csv[] =
        "\"hcpcs_code\",\"date_term\",\"date_added\",\"date_action\"\n"
        "\"V5010\",,\"1984-01-01\",\"1995-01-01\"\n"
        "\"A0021\",,\"1985-01-01\",\"1996-09-10\"\n";
    static const char csv25[] = "\"hcpcs_code\",\"cov\",\"date_added\"\n"
                                "\"L3215\",\"M\",\"1984-01-01\"\n";
    static const char csv20[] =
        "\"hcpcs_code\",\"cov\",\"statute\",\"date_added\"\n"
        "\"V2025\",\"S\",\"1862A7\",\"1992-01-01\"\n";
    mn_kbb *b = NULL;
    mn_report rep;
    mn_error err;
    mn_kb *kb = NULL;
    mn_src s;
    size_t n = 0;

    snprintf(
        csv24, sizeof(csv24),
        "%s"
        "\"V5010\",\"00\",\"9\",\"S\",\"O1F\",\"K\",\"N\",,,\"1862A7\",,,,,"
        "\"0\",,\"1984-01-01\",,\"1995-01-01\"\n"
        "\"L3215\",\"00\",\"9\",\"s\",\"D1F\",\"P\",\"N\",,,\" 1862A8 \",,,,,"
        "\"0\",,\"1984-01-01\",,\"2006-01-01\"\n"
        "\"V2025\",\"00\",\"9\",\"M\",\"D1F\",\"Q\",\"N\",,\"3045.4\",,,,,,"
        "\"0\",,\"1992-01-01\",,\"2003-10-01\"\n"
        "\"A0021\",\"00\",\"9\",\"I\",\"O1A\",\"D\",\"N\",,,,,\"A0030\",,,"
        "\"0\",,\"1985-01-01\",,\"1996-09-10\"\n"
        "\"G0008\",\"54\",\"A\",\"Q\",\"O1G\",\"V\",\"N\",,,,,,,,"
        "\"0\",,\"1994-01-01\",,\"1996-01-01\"\n"
        "\"G0009\",\"54\",\"A\",\"CD\",\"O1G\",\"V\",\"N\",,,,,,,,"
        "\"0\",,\"1994-01-01\",,\"1996-01-01\"\n"
        "\"G0010\",\"54\",\"A\",,\"O1G\",\"V\",\"N\",,,,,,,,"
        "\"0\",,\"1994-01-01\",,\"1996-01-01\"\n",
        head);
    memset(&rep, 0, sizeof(rep));
    mn_error_clear(&err);
    CHECK_INT(mn_x__kbb_new(&b), MN_OK);
    /* an older file without the columns still loads */
    s = mem_src("m/hcpcs_lvl2_2019.csv", "hcpcs_lvl2_2019.csv", old_csv);
    CHECK_INT(mn_x__load_hcpcs(b, &s, 0, &rep, &err), MN_OK);
    CHECK_INT(rep.rows, 2);
    CHECK_INT(rep.n_reasons, 0);
    memset(&rep, 0, sizeof(rep));
    s = mem_src("m/hcpcs_lvl2.csv", "hcpcs_lvl2.csv", csv24);
    CHECK_INT(mn_x__load_hcpcs(b, &s, 2024, &rep, &err), MN_OK);
    CHECK_INT(rep.rows, 7);
    CHECK_INT(rep.skipped, 0);
    CHECK_STR(reason(&rep, "unknown coverage code 'Q'", &n),
              "unknown coverage code 'Q' (row kept, coverage unknown) "
              "(first at record 6)");
    CHECK_INT(n, 1);
    CHECK(reason(&rep, "unknown coverage code 'CD'", &n) != NULL);
    CHECK_INT(n, 1);
    CHECK_INT(rep.n_reasons, 2);
    /* a newer file decides; an older one does not */
    memset(&rep, 0, sizeof(rep));
    s = mem_src("m/hcpcs_lvl2_2025.csv", "hcpcs_lvl2_2025.csv", csv25);
    CHECK_INT(mn_x__load_hcpcs(b, &s, 2025, &rep, &err), MN_OK);
    memset(&rep, 0, sizeof(rep));
    s = mem_src("m/hcpcs_lvl2_2020.csv", "hcpcs_lvl2_2020.csv", csv20);
    CHECK_INT(mn_x__load_hcpcs(b, &s, 2020, &rep, &err), MN_OK);
    kb = kb_of(b);
    if (kb) {
        const kb_hcpcs *h = mn_x__kb_hcpcs(kb, key("V5010"));
        CHECK(h != NULL);
        if (h) {
            CHECK_INT(h->coverage, 'S');
            CHECK_STR(kb_s(kb, h->statute), "1862A7");
        }
        h = mn_x__kb_hcpcs(kb, key("L3215"));
        CHECK(h != NULL);
        if (h) {
            CHECK_INT(h->coverage, 'M'); /* 2025 wins; its statute: none */
            CHECK_INT(h->statute.len, 0);
        }
        h = mn_x__kb_hcpcs(kb, key("V2025"));
        if (h) {
            CHECK_INT(h->coverage, 'M'); /* the 2020 file is older */
            CHECK_INT(h->statute.len, 0);
        }
        h = mn_x__kb_hcpcs(kb, key("A0021"));
        if (h)
            CHECK_INT(h->coverage, 'I');
        h = mn_x__kb_hcpcs(kb, key("G0008"));
        CHECK(h != NULL);
        if (h)
            CHECK_INT(h->coverage, 0);
        h = mn_x__kb_hcpcs(kb, key("G0010"));
        CHECK(h != NULL);
        if (h)
            CHECK_INT(h->coverage, 0);
    }
    mn_kb_free(kb);
    mn_x__kbb_free(b);
}

/* A CPT-shaped code is loaded without its text (AMA copyright). */
static void test_hcpcs_cpt_text_not_stored(void)
{
    char rec[400];
    mn_kbb *b = NULL;
    mn_report rep;
    mn_error err;
    mn_kb *kb = NULL;
    mn_src s;

    memset(rec, ' ', 320);
    memcpy(rec, "0001U001003", 11);
    memcpy(rec + 11, "placeholder words", 17);
    memcpy(rec + 268, "20170101", 8);
    memcpy(rec + 320, "\r\n", 3);
    memset(&rep, 0, sizeof(rep));
    mn_error_clear(&err);
    s = mem_src("m/HCPC2019_CONTR_ANWEB.txt", "hcpc2019_contr_anweb.txt", rec);
    CHECK_INT(mn_x__kbb_new(&b), MN_OK);
    CHECK_INT(mn_x__load_hcpcs(b, &s, 2019, &rep, &err), MN_OK);
    CHECK_INT(rep.rows, 1);
    kb = kb_of(b);
    if (kb) {
        const kb_hcpcs *h = mn_x__kb_hcpcs(kb, key("0001U"));
        CHECK(h != NULL);
        if (h) {
            CHECK_STR(kb_s(kb, h->desc), "");
            CHECK_INT(h->added, date("2017-01-01"));
        }
    }
    mn_kb_free(kb);
    mn_x__kbb_free(b);
}

static void test_hcpcs_csv(void)
{
    fixture aw;
    fixture lv;
    fixture ds;
    mn_kbb *b = NULL;
    mn_report rep;
    mn_error err;
    mn_kb *kb = NULL;
    size_t n = 0;

    if (!fixture_load(&aw, "hcpcs/HCPC2019_CONTR_ANWEB.txt",
                      "hcpc2019_contr_anweb.txt") ||
        !fixture_load(&lv, "hcpcs/hcpcs_lvl2.csv", "hcpcs_lvl2.csv") ||
        !fixture_load(&ds, "hcpcs/hcpcs_level2_descriptions_2024.csv",
                      "hcpcs_level2_descriptions_2024.csv")) {
        CHECK(0);
        return;
    }
    CHECK(mn_x__hcpcs_layout(lv.src.data, lv.src.len) == MN_LAYOUT_HCPCS_CSV);
    CHECK(mn_x__hcpcs_layout(ds.src.data, ds.src.len) == MN_LAYOUT_HCPCS_DESC);
    CHECK_INT(mn_x__hcpcs_csv_year(&lv.src), 2024);
    CHECK_INT(mn_x__kbb_new(&b), MN_OK);

    memset(&rep, 0, sizeof(rep));
    mn_error_clear(&err);
    CHECK_INT(mn_x__load_hcpcs(b, &aw.src, 2019, &rep, &err), MN_OK);

    memset(&rep, 0, sizeof(rep));
    CHECK_INT(mn_x__load_hcpcs(b, &lv.src, 0, &rep, &err), MN_OK);
    CHECK_STR(rep.layout, MN_LAYOUT_HCPCS_CSV);
    CHECK_STR(rep.note, "data year 2024");
    CHECK_INT(rep.rows, 24);
    CHECK_INT(rep.skipped, 2);
    CHECK_STR(reason(&rep, "bad date", NULL), "bad date (first at record 26)");
    CHECK_STR(reason(&rep, "bad code", NULL), "bad code (first at record 27)");

    memset(&rep, 0, sizeof(rep));
    CHECK_INT(mn_x__load_hcpcs(b, &ds.src, 2024, &rep, &err), MN_OK);
    CHECK_STR(rep.layout, MN_LAYOUT_HCPCS_DESC);
    CHECK_INT(rep.rows, 22);
    CHECK_INT(rep.skipped, 4);
    CHECK(reason(&rep, "description type not used (NOC)", &n) != NULL);
    CHECK_INT(n, 2);
    CHECK(reason(&rep, "description type not used (Short)", &n) != NULL);
    CHECK_INT(n, 2);

    kb = kb_of(b);
    if (kb) {
        const kb_hcpcs *h = mn_x__kb_hcpcs(kb, key("G0011"));
        CHECK(h != NULL);
        if (h) {
            CHECK_INT(h->added, date("2024-01-02"));
            CHECK_CONTAINS(kb_s(kb, h->desc),
                           "Individual counseling for pre-exposure");
        }
        h = mn_x__kb_hcpcs(kb, key("J7516"));
        if (h)
            CHECK_STR(kb_s(kb, h->desc), "Injection, cyclosporine, 250 mg");
        h = mn_x__kb_hcpcs(kb, key("J7192"));
        if (h)
            CHECK_STR(kb_s(kb, h->desc),
                      "Factor viii (antihemophilic factor, recombinant) "
                      "per i.u., not otherwise specified");
        /* dates from the ANWEB file survive the description-only rows */
        h = mn_x__kb_hcpcs(kb, key("A7011"));
        CHECK(h != NULL);
        if (h) {
            CHECK_INT(h->added, date("2000-01-01"));
            CHECK_INT(h->terminated, date("2015-12-31"));
        }
        CHECK(mn_x__kb_hcpcs(kb, key("Z9999")) == NULL);
    }
    mn_kb_free(kb);
    mn_x__kbb_free(b);
    free(aw.data);
    free(lv.data);
    free(ds.data);
}

static void test_mce(void)
{
    fixture c;
    fixture t;
    mn_kbb *b = NULL;
    mn_report rep;
    mn_error err;
    mn_kb *kb = NULL;
    size_t n = 0;

    if (!fixture_load(&c, "mce/mce_v41_1_fy2024_code_edits.csv",
                      "mce_v41_1_fy2024_code_edits.csv") ||
        !fixture_load(&t, "mce/MCE_Simple_Code_Edits_v37.txt",
                      "mce_simple_code_edits_v37.txt")) {
        CHECK(0);
        return;
    }
    CHECK(mn_x__mce_layout(c.src.data, c.src.len) == MN_LAYOUT_MCE_CSV);
    CHECK(mn_x__mce_layout(t.src.data, t.src.len) == MN_LAYOUT_MCE_TSV);
    CHECK_INT(mn_x__kbb_new(&b), MN_OK);

    memset(&rep, 0, sizeof(rep));
    mn_error_clear(&err);
    CHECK_INT(mn_x__load_mce(b, &c.src, &rep, &err), MN_OK);
    CHECK_STR(rep.note, "fiscal year 2024");
    CHECK_INT(rep.rows, 28);
    CHECK_INT(rep.skipped, 2);
    CHECK_STR(reason(&rep, "edit not used", NULL),
              "edit not used (Other: Questionable Admission) (first at "
              "record 30)");
    CHECK(reason(&rep, "bad code", NULL) != NULL);

    memset(&rep, 0, sizeof(rep));
    CHECK_INT(mn_x__load_mce(b, &t.src, &rep, &err), MN_OK);
    CHECK_STR(rep.note, "fiscal year 2020");
    CHECK_INT(rep.rows, 14);
    CHECK_INT(rep.skipped, 17);
    CHECK(reason(&rep, "procedure code row", &n) != NULL);
    CHECK_INT(n, 11);
    CHECK(reason(&rep, "edit type not used (Principal_Unacceptable)", &n) !=
          NULL);
    CHECK_INT(n, 2);
    CHECK(reason(&rep, "edit type not used (Wrong_Performed)", &n) != NULL);

    kb = kb_of(b);
    if (kb) {
        const kb_mce *m = mn_x__kb_mce(
            kb, key("A34"), mn_x__kb_mce_version(kb, date("2024-03-01")));
        CHECK(m != NULL);
        if (m) {
            CHECK_INT(m->flags, MN_MCE_MATERNITY | MN_MCE_FEMALE);
            CHECK_INT(m->age_min, 9);
            CHECK_INT(m->age_max, 64);
        }
        m = mn_x__kb_mce(kb, key("A48.51"),
                         mn_x__kb_mce_version(kb, date("2024-03-01")));
        if (m) {
            CHECK_INT(m->age_min, 0);
            CHECK_INT(m->age_max, 17);
        }
        m = mn_x__kb_mce(kb, key("A33"),
                         mn_x__kb_mce_version(kb, date("2024-03-01")));
        if (m)
            CHECK_INT(m->age_max, 0);
        m = mn_x__kb_mce(kb, key("D630"),
                         mn_x__kb_mce_version(kb, date("2024-03-01")));
        if (m)
            CHECK_INT(m->flags, MN_MCE_MANIFESTATION);
        m = mn_x__kb_mce(kb, key("A34"),
                         mn_x__kb_mce_version(kb, date("2020-03-01")));
        CHECK(m != NULL);
        if (m) {
            CHECK_INT(m->flags, MN_MCE_MATERNITY);
            CHECK_INT(m->age_min, 12);
            CHECK_INT(m->age_max, 55);
        }
        CHECK_INT(kb->meta->n_mce, 2);
    }
    mn_kb_free(kb);
    mn_x__kbb_free(b);
    free(c.data);
    free(t.data);
}

static void test_mce_errors(void)
{
    mn_kbb *b = NULL;
    mn_report rep;
    mn_error err;
    mn_src s;

    CHECK_INT(mn_x__kbb_new(&b), MN_OK);
    memset(&rep, 0, sizeof(rep));
    mn_error_clear(&err);
    s = mem_src("mce_code_edits.csv", "mce_code_edits.csv",
                "\"icd_code\",\"icd_description\",\"icd_conflict_group\","
                "\"icd_conflict_rule\"\n\"A33\",\"x\",\"Age\",\"Newborn\"\n");
    CHECK_INT(mn_x__load_mce(b, &s, &rep, &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "mce version");
    CHECK_STR(err.where, "mce_code_edits.csv");

    mn_error_clear(&err);
    s = mem_src("m/mce_v41_code_edits.csv", "mce_v41_code_edits.csv",
                "a,b\n1,2\n");
    CHECK_INT(mn_x__load_mce(b, &s, &rep, &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "header does not match");
    CHECK_INT(err.line, 1);
    mn_x__kbb_free(b);
}

int main(void)
{
    RUN(test_names);
    RUN(test_report_skip);
    RUN(test_icd_order_txt);
    RUN(test_icd_other_layouts);
    RUN(test_icd_errors);
    RUN(test_hcpcs_anweb);
    RUN(test_hcpcs_cpt_text_not_stored);
    RUN(test_hcpcs_coverage_anweb);
    RUN(test_hcpcs_coverage_csv);
    RUN(test_hcpcs_csv);
    RUN(test_mce);
    RUN(test_mce_errors);
    DONE();
}
