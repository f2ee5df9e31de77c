/*
 * test_mcd_export.c: `mednec build` on the MCD export as CMS ships it. The
 * fixture tests/fixtures/mcd/export holds the export's datasets unpacked
 * (all_article/all_article_csv/, all_lcd/all_lcd_csv/, ncd/ncd_csv/); the
 * test packs them as CMS does (all_data.zip -> all_article.zip ->
 * all_article_csv.zip -> *.csv) and builds from the nested ZIP, from the
 * unpacked folders, and checks that both give the same KB, that the
 * report accounts for every table, and where every policy was placed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "harness.h"
#include "claim/jurisdiction.h"
#include "kb/kb_int.h"
#include "kb/mcd_fmt.h"
#include "mednec.h"

#define EXPORT MN_FIXTURES "/mcd/export"
#define MAX_REPORTS 128

static char tmp[64];

/* ---- packing the export ------------------------------------------------- */

/* Adds every regular file of `dir` (sorted, no folders) to a new ZIP at
 * `zpath`; with `inner` (a path) adds that one file only. */
static int zip_files(const char *zpath, const char *dir, const char *inner)
{
    int zerr = 0;
    zip_t *z = zip_open(zpath, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    struct dirent **names = NULL;
    int n = 0;
    int rc = 0;

    if (!z)
        return -1;
    if (inner) {
        const char *base = strrchr(inner, '/');
        zip_source_t *s = zip_source_file(z, inner, 0, -1);
        base = base ? base + 1 : inner;
        if (!s || zip_file_add(z, base, s, ZIP_FL_OVERWRITE) < 0) {
            zip_source_free(s);
            rc = -1;
        }
    } else {
        n = scandir(dir, &names, NULL, alphasort);
        for (int i = 0; i < n && !rc; i++) {
            char path[512];
            struct stat st;
            zip_source_t *s;
            snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
            if (stat(path, &st) || !S_ISREG(st.st_mode))
                continue;
            s = zip_source_file(z, path, 0, -1);
            if (!s || zip_file_add(z, names[i]->d_name, s, 0) < 0) {
                zip_source_free(s);
                rc = -1;
            }
        }
        for (int i = 0; i < n; i++)
            free(names[i]);
        free(names);
    }
    if (zip_close(z) != 0) {
        zip_discard(z);
        rc = -1;
    }
    return rc;
}

/* Packs one dataset: <set>_csv.zip inside <set>.zip. */
static int pack_set(const char *set)
{
    char dir[512];
    char csvzip[512];
    char setzip[512];

    snprintf(dir, sizeof(dir), "%s/%s/%s_csv", EXPORT, set, set);
    snprintf(csvzip, sizeof(csvzip), "%s/%s_csv.zip", tmp, set);
    snprintf(setzip, sizeof(setzip), "%s/%s.zip", tmp, set);
    if (zip_files(csvzip, dir, NULL) || zip_files(setzip, NULL, csvzip))
        return -1;
    return unlink(csvzip);
}

/* all_data.zip with the three datasets, in the temporary folder. */
static int pack_export(char *out, size_t size)
{
    static const char *const sets[] = {"all_article", "all_lcd", "ncd"};
    int zerr = 0;
    zip_t *z;

    snprintf(out, size, "%s/export", tmp);
    if (mkdir(out, 0700))
        return -1;
    snprintf(out, size, "%s/export/all_data.zip", tmp);
    for (size_t i = 0; i < 3; i++) {
        if (pack_set(sets[i]))
            return -1;
    }
    z = zip_open(out, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!z)
        return -1;
    for (size_t i = 0; i < 3; i++) {
        char p[512];
        zip_source_t *s;
        snprintf(p, sizeof(p), "%s/%s.zip", tmp, sets[i]);
        s = zip_source_file(z, p, 0, -1);
        if (!s || zip_file_add(z, strrchr(p, '/') + 1, s, 0) < 0) {
            zip_source_free(s);
            zip_discard(z);
            return -1;
        }
    }
    if (zip_close(z) != 0) {
        zip_discard(z);
        return -1;
    }
    for (size_t i = 0; i < 3; i++) {
        char p[512];
        snprintf(p, sizeof(p), "%s/%s.zip", tmp, sets[i]);
        unlink(p);
    }
    return 0;
}

/* ---- building ---------------------------------------------------------- */

typedef struct freport {
    char path[512];
    char layout[64];
    char note[1024];
    size_t rows;
    size_t skipped;
    char reasons[1024];
} freport;

static freport reports[MAX_REPORTS];
static size_t n_reports;

static void on_report(void *payload, const mn_build_file_report *r)
{
    freport *f;

    (void)payload;
    if (n_reports == MAX_REPORTS)
        return;
    f = &reports[n_reports++];
    memset(f, 0, sizeof(*f));
    snprintf(f->path, sizeof(f->path), "%s", r->path);
    snprintf(f->layout, sizeof(f->layout), "%s", r->layout ? r->layout : "");
    snprintf(f->note, sizeof(f->note), "%s", r->note ? r->note : "");
    f->rows = r->rows;
    f->skipped = r->skipped;
    for (size_t i = 0; i < r->n_reasons; i++) {
        size_t l = strlen(f->reasons);
        snprintf(f->reasons + l, sizeof(f->reasons) - l, "%s; ", r->reasons[i]);
    }
}

/* Builds a KB from the ICD and lab NCD fixtures, `mcd` (the export, packed
 * or not) and the documents index. */
static void *build(const char *mcd, size_t *len)
{
    mn_build_options o = MN_BUILD_OPTIONS_INIT;
    mn_build *b = NULL;
    void *bytes = NULL;
    mn_error err;

    n_reports = 0;
    o.built = "2025-01-01";
    o.report = on_report;
    mn_error_clear(&err);
    *len = 0;
    if (mn_build_new(&b, &o, &err) ||
        mn_build_add_path(b, MN_FIXTURES "/mcd/export_icd", &err) ||
        mn_build_add_path(b, MN_FIXTURES "/labncd", &err) ||
        mn_build_add_path(b, mcd, &err) ||
        mn_build_add_path(b, MN_FIXTURES "/mcd/index", &err) ||
        mn_build_to_memory(&bytes, len, b, &err)) {
        fprintf(stderr, "build: %s: %s\n", err.where, err.message);
        bytes = NULL;
    }
    mn_build_free(b);
    return bytes;
}

/* The report of the file whose path ends with `tail`. */
static const freport *rep(const char *tail)
{
    size_t tl = strlen(tail);
    for (size_t i = 0; i < n_reports; i++) {
        size_t pl = strlen(reports[i].path);
        if (pl >= tl && strcmp(reports[i].path + pl - tl, tail) == 0)
            return &reports[i];
    }
    fprintf(stderr, "no report for %s\n", tail);
    return NULL;
}

static const freport empty_report;
#define REP(tail) (rep(tail) ? rep(tail) : &empty_report)

/* ---- reading the KB ------------------------------------------------------ */

static mn_kb *kb;

static uint32_t pol(int kind, const char *id, int version)
{
    for (size_t i = 0; kb && i < kb->n_pol; i++) {
        const kb_policy *p = &kb->pol[i];
        if ((int)p->kind == kind && p->version == version &&
            strcmp(kb_s(kb, p->id), id) == 0)
            return (uint32_t)i;
    }
    fprintf(stderr, "no policy %s v%d\n", id, version);
    return UINT32_MAX;
}

static int st(const char *s)
{
    return mn_x__state_index(s, 2);
}

static int part(const char *s, const char *name)
{
    return mn_x__part_index(st(s), name, strlen(name)) + 1;
}

static int32_t day(const char *s)
{
    int32_t d = MN_NODATE;
    mn_x__parse_date(&d, s, strlen(s), false);
    return d;
}

/* The place of `policy` in `state` (part code), or NULL. */
static const kb_place *place(uint32_t policy, const char *state, int code,
                             size_t which)
{
    size_t n = 0;
    const kb_place *p = mn_x__kb_places(kb, policy, &n);
    for (size_t i = 0; i < n; i++) {
        if (p[i].state == st(state) && p[i].part == code && which-- == 0)
            return &p[i];
    }
    return NULL;
}

static size_t n_places(uint32_t policy)
{
    size_t n = 0;
    mn_x__kb_places(kb, policy, &n);
    return n;
}

/* The group of `code` on the covered list of `policy`, -1 when absent. */
static long covered(uint32_t policy, const char *code, int group)
{
    const kb_policy *p = policy < kb->n_pol ? &kb->pol[policy] : NULL;
    mn_key k = mn_x__key(code, strlen(code));
    if (!p)
        return -1;
    for (size_t i = p->dx_first; i < p->dx_first + p->n_covered; i++) {
        if (kb->dxkey[i] == k &&
            (group < 0 || (int)KB_DX_GROUP(kb->dxmeta[i]) == group))
            return (long)KB_DX_GROUP(kb->dxmeta[i]);
    }
    return -1;
}

static bool governs(uint32_t policy, const char *code)
{
    size_t n = 0;
    const kb_pcode *c = mn_x__kb_pcodes(kb, mn_x__key(code, strlen(code)), &n);
    for (size_t i = 0; i < n; i++) {
        if (c[i].policy == policy)
            return true;
    }
    return false;
}

/* The attachment of `kind` whose text is `a`, or NULL. */
static const kb_pattach *attach(uint32_t policy, unsigned kind, const char *a)
{
    size_t n = 0;
    const kb_pattach *x = mn_x__kb_attach(kb, policy, kind, &n);
    for (size_t i = 0; i < n; i++) {
        if (!a || strcmp(kb_s(kb, x[i].a), a) == 0)
            return &x[i];
    }
    return NULL;
}

/* ---- tests --------------------------------------------------------------- */

static void check_reports(bool packed)
{
    const freport *r;
    size_t tables = 0;
    struct dirent **names = NULL;
    static const char *const dirs[] = {EXPORT "/all_article/all_article_csv",
                                       EXPORT "/all_lcd/all_lcd_csv",
                                       EXPORT "/ncd/ncd_csv"};

    /* every table of the export is in the report, recognised */
    for (size_t d = 0; d < 3; d++) {
        int n = scandir(dirs[d], &names, NULL, alphasort);
        for (int i = 0; i < n; i++) {
            char tail[600];
            if (names[i]->d_name[0] != '.') {
                const char *set = strrchr(dirs[d], '/') + 1;
                tables++;
                snprintf(tail, sizeof(tail), packed ? "%s.zip!%s" : "%s/%s",
                         set, names[i]->d_name);
                r = rep(tail);
                CHECK(r != NULL);
                if (r && !r->layout[0])
                    fprintf(stderr, "not recognised: %s\n", tail);
                CHECK(r && r->layout[0]);
                CHECK(r && (r->rows || r->note[0]));
            }
            free(names[i]);
        }
        free(names);
        names = NULL;
    }
    CHECK_INT(tables, 49);

    /* the same table in two datasets is merged, not read twice */
    r = REP("all_lcd_csv.zip!contractor.csv");
    CHECK_INT(r->rows, 0);
    CHECK_CONTAINS(r->note, "same rows as");
    CHECK_CONTAINS(r->note, "all_article_csv.zip!contractor.csv");
    r = REP("all_lcd_csv.zip!state_lookup.csv");
    CHECK_INT(r->rows, 1);
    CHECK_CONTAINS(r->note, "13 rows already given by another copy");

    /* what was not used, and why */
    r = REP("all_article_csv.zip!article_x_revision_history.csv");
    CHECK_STR(r->layout, "mcd:unused");
    CHECK_CONTAINS(r->note, "revision history text: not used");
    r = REP("all_article_csv.zip!article_x_primary_jurisdiction.csv");
    CHECK_CONTAINS(r->note, "contractor_jurisdiction, which covers every");
    r = REP("all_article_csv.zip!article_x_icd10_pcs_code.csv");
    CHECK_INT(r->rows, 2);
    CHECK_CONTAINS(r->note, "ICD-10-PCS inpatient procedure codes: read, not "
                            "used yet");
    r = REP("ncd_csv.zip!ncd_trkg_bnft_xref.csv");
    CHECK_CONTAINS(r->note, "NCD benefit categories: not used yet");
    r = REP("all_article_csv.zip!article_x_hcpc_modifier.csv");
    CHECK_INT(r->rows, 2);
    CHECK_CONTAINS(r->reasons, "1 rows: not a modifier");
    CHECK_CONTAINS(r->note, "shown by lookup; not applied by check");
    r = REP("all_article_csv.zip!article_x_urls.csv");
    CHECK_INT(r->rows, 1);
    CHECK_CONTAINS(r->reasons, "not a web address");

    /* the jurisdiction tables */
    r = REP("all_article_csv.zip!contractor_jurisdiction.csv");
    CHECK_INT(r->rows, 8);
    CHECK_INT(r->skipped, 4);
    CHECK_CONTAINS(r->reasons, "state id not in state_lookup");
    CHECK_CONTAINS(r->reasons, "unknown contractor");
    CHECK_CONTAINS(r->reasons, "bad date");
    CHECK_CONTAINS(r->reasons, "term_date before active_date");
    CHECK_CONTAINS(r->note, "2 contractors without jurisdiction rows");
    r = REP("all_article_csv.zip!state_lookup.csv");
    CHECK_CONTAINS(r->reasons, "not a state or territory");

    /* where the policies were placed */
    r = REP("all_article_csv.zip!article.csv");
    CHECK_CONTAINS(r->note,
                   "article versions placed: 6 by the jurisdiction "
                   "tables, 1 by DME region, 1 through their LCD, 1 by the "
                   "documents index (one jurisdiction), 1 by the documents "
                   "index as one of several jurisdictions");
    CHECK_CONTAINS(r->note, "2 derived from contractor numbers (contractors "
                            "the tables do not place), 1 unknown");
    CHECK_CONTAINS(r->note, "1 titles taken from the documents index");
    r = REP("all_lcd_csv.zip!lcd.csv");
    CHECK_CONTAINS(r->note, "LCD versions placed: 4 by the jurisdiction "
                            "tables, 1 by DME region");

    /* ranges in three forms, in tabular order */
    r = REP("all_article_csv.zip!article_x_icd10_covered.csv");
    CHECK_INT(r->rows, 17);
    CHECK_INT(r->skipped, 3);
    CHECK_CONTAINS(r->reasons, "range end before its start in ICD-10-CM "
                               "tabular order");
    CHECK_CONTAINS(r->reasons, "range whose ends are not codes");
    CHECK_CONTAINS(r->reasons, "range flag without a span");
    CHECK_CONTAINS(r->note, "4 ranges expanded to");

    /* NCD titles */
    r = REP("ncd_csv.zip!ncd_trkg.csv");
    CHECK_INT(r->rows, 4);
    CHECK_CONTAINS(r->reasons, "bad NCD id");
    CHECK_CONTAINS(r->note, "titles and pages given to the 2 of them");

    /* the documents index */
    r = REP("documents_latest_2025-08.csv");
    CHECK_STR(r->layout, "mcd:documents_index");
    CHECK_INT(r->rows, 5);
    CHECK_CONTAINS(r->reasons, "not an article or LCD id");
    CHECK_CONTAINS(r->reasons, "document type does not match the id");
}

static void check_places(void)
{
    const kb_place *p;
    uint32_t a;

    /* Northern and Southern California: each its own contractor */
    a = pol(MN_PK_ARTICLE, "A99950", 1);
    CHECK_INT(n_places(a), 1);
    p = place(a, "CA", part("CA", "northern"), 0);
    CHECK(p != NULL);
    if (p) {
        CHECK_INT(p->flags, KB_PL_EXPORT);
        CHECK_INT(p->active, day("2013-09-16"));
        CHECK_INT(p->term, MN_NODATE);
    }
    a = pol(MN_PK_ARTICLE, "A99951", 1);
    CHECK_INT(n_places(a), 1);
    CHECK(place(a, "CA", part("CA", "southern"), 0) != NULL);
    /* a contractor over two states */
    a = pol(MN_PK_ARTICLE, "A99952", 2);
    CHECK_INT(n_places(a), 2);
    CHECK(place(a, "KY", KB_PART_WHOLE, 0) != NULL);
    CHECK(place(a, "OH", KB_PART_WHOLE, 0) != NULL);
    CHECK(kb && (kb->pol[a].states >> st("KY") & 1));
    CHECK(kb && !(kb->pol[a].flags & MN_PF_PLACE_UNKNOWN));
    /* whole states in force whenever the policy is: its mask decides */
    CHECK(kb && (kb->pol[a].flags & MN_PF_PLACES_SIMPLE));
    CHECK(!(kb->pol[pol(MN_PK_ARTICLE, "A99950", 1)].flags &
            MN_PF_PLACES_SIMPLE)); /* a part of a state */
    CHECK(!(kb->pol[pol(MN_PK_ARTICLE, "A99956", 1)].flags &
            MN_PF_PLACES_SIMPLE)); /* one of several */
    /* a contractor version whose jurisdiction ended */
    a = pol(MN_PK_ARTICLE, "A99953", 1);
    CHECK(!(kb->pol[a].flags & MN_PF_PLACES_SIMPLE));
    CHECK_INT(n_places(a), 1);
    p = place(a, "NY", part("NY", "upstate"), 0);
    CHECK(p != NULL);
    if (p) {
        CHECK_INT(p->active, day("2010-01-01"));
        CHECK_INT(p->term, day("2024-06-30"));
    }
    /* a jurisdiction that begins later */
    a = pol(MN_PK_ARTICLE, "A99958", 1);
    p = place(a, "MO", part("MO", "northwestern"), 0);
    CHECK(p != NULL);
    if (p)
        CHECK_INT(p->active, day("2024-09-01"));
    /* through its LCD (lcd_related_documents): the LCD's places */
    a = pol(MN_PK_ARTICLE, "A99954", 1);
    CHECK_INT(n_places(a), 2);
    p = place(a, "OH", KB_PART_WHOLE, 0);
    CHECK(p != NULL);
    if (p)
        CHECK_INT(p->flags, KB_PL_EXPORT | KB_PL_LCD);
    /* the documents index: one jurisdiction (First Coast: JN) */
    a = pol(MN_PK_ARTICLE, "A99955", 1);
    CHECK_INT(n_places(a), 3);
    p = place(a, "FL", KB_PART_WHOLE, 0);
    CHECK(p != NULL);
    if (p)
        CHECK_INT(p->flags, KB_PL_INDEX);
    CHECK(place(a, "PR", KB_PART_WHOLE, 0) != NULL);
    CHECK(place(a, "VI", KB_PART_WHOLE, 0) != NULL);
    CHECK_STR(kb_s(kb, kb->pol[a].title),
              "Billing and Coding: Vitamin D (First Coast fixture)");
    /* several (Noridian: JE and JF): each only perhaps */
    a = pol(MN_PK_ARTICLE, "A99956", 1);
    CHECK_INT(n_places(a), 16);
    p = place(a, "CA", KB_PART_WHOLE, 0);
    CHECK(p != NULL);
    if (p)
        CHECK_INT(p->flags, KB_PL_INDEX | KB_PL_MAYBE);
    CHECK(place(a, "WA", KB_PART_WHOLE, 0) != NULL);
    CHECK(place(a, "KY", KB_PART_WHOLE, 0) == NULL);
    /* the index narrowed by the contractor number: Nevada */
    a = pol(MN_PK_ARTICLE, "A99964", 1);
    CHECK_INT(n_places(a), 1);
    p = place(a, "NV", KB_PART_WHOLE, 0);
    CHECK(p != NULL);
    if (p)
        CHECK_INT(p->flags, KB_PL_DERIVED);
    /* the contractor number alone */
    a = pol(MN_PK_ARTICLE, "A99959", 1);
    CHECK_INT(n_places(a), 1);
    CHECK(place(a, "FL", KB_PART_WHOLE, 0) != NULL);
    /* nowhere known: may apply anywhere */
    a = pol(MN_PK_ARTICLE, "A99957", 1);
    CHECK_INT(n_places(a), 0);
    CHECK(kb && (kb->pol[a].flags & MN_PF_PLACE_UNKNOWN));
    CHECK(kb && kb->pol[a].states == 0);
    /* a DME MAC article: its DME region */
    a = pol(MN_PK_ARTICLE, "A99960", 1);
    CHECK_INT(n_places(a), 4);
    p = place(a, "HI", KB_PART_WHOLE, 0);
    CHECK(p != NULL);
    if (p)
        CHECK_INT(p->flags, KB_PL_EXPORT | KB_PL_DME);
    CHECK(place(a, "MO", KB_PART_WHOLE, 0) != NULL);
    CHECK(place(a, "KY", KB_PART_WHOLE, 0) == NULL);
    /* LCDs through lcd_x_contractor */
    a = pol(MN_PK_LCD, "L99960", 1);
    CHECK_INT(n_places(a), 4);
    CHECK(governs(a, "E0601"));
    a = pol(MN_PK_LCD, "L99955", 1);
    CHECK_INT(n_places(a), 2);
}

static void check_contractors(void)
{
    size_t n = 0;
    const kb_cplace *c;

    c = mn_x__kb_cplaces(kb, "01182", 5, &n);
    CHECK_INT(n, 1);
    if (n) {
        CHECK_INT(c->state, st("CA"));
        CHECK_INT(c->part, part("CA", "southern"));
        CHECK_INT(c->type, KB_CT_AB);
        CHECK_INT(c->flags, KB_PL_EXPORT);
    }
    /* one number, two contractor versions: ended, then active */
    c = mn_x__kb_cplaces(kb, "13282", 5, &n);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_INT(c[0].term, day("2024-06-30"));
        CHECK_INT(c[1].active, day("2024-07-01"));
        CHECK_INT(c[1].term, MN_NODATE);
    }
    c = mn_x__kb_cplaces(kb, "19003", 5, &n);
    CHECK_INT(n, 4);
    if (n)
        CHECK_INT(c->type, KB_CT_DME);
    CHECK(mn_x__kb_cplaces(kb, "09102", 5, &n) == NULL);
    CHECK(mn_x__kb_cplaces(kb, "1318", 4, &n) == NULL);
}

static void check_codes_and_links(void)
{
    uint32_t a = pol(MN_PK_ARTICLE, "A99957", 1);
    const kb_pattach *x;
    const kb_policy *p;

    /* C43.0 through C44.01 in tabular order: C4A is in, C45 is not */
    CHECK_INT(covered(a, "C43.0", 1), 1);
    CHECK_INT(covered(a, "C43.9", 1), 1);
    CHECK_INT(covered(a, "C4A.0", 1), 1);
    CHECK_INT(covered(a, "C4A.9", 1), 1);
    CHECK_INT(covered(a, "C44.00", 1), 1);
    CHECK_INT(covered(a, "C44.01", 1), 1);
    CHECK_INT(covered(a, "C45.0", -1), -1);
    /* "C4A.0 - C44.00" in the code column (text order would be empty) */
    CHECK_INT(covered(a, "C4A.0", 2), 2);
    CHECK_INT(covered(a, "C44.0", 2), 2);
    CHECK_INT(covered(a, "C44.01", 2), -1);
    CHECK_INT(covered(a, "C43.9", 2), -1);
    /* the whole span in the range column: G40.309 to G40.409 takes in
       G40.A and G40.B, which the order file lists between G40.3 and G40.4 */
    CHECK_INT(covered(a, "G40.309", 3), 3);
    CHECK_INT(covered(a, "G40.A01", 3), 3);
    CHECK_INT(covered(a, "G40.B01", 3), 3);
    CHECK_INT(covered(a, "G40.409", 3), 3);
    CHECK_INT(covered(a, "G40.909", 3), -1);
    /* G40.A01 - G40.919: reversed in text order, fine in tabular order */
    CHECK_INT(covered(a, "G40.A09", 4), 4);
    CHECK_INT(covered(a, "G40.409", 4), 4);
    CHECK_INT(covered(a, "G40.919", 4), 4);
    CHECK_INT(covered(a, "G40.309", 4), -1);
    /* a procedure span in the range column */
    CHECK(governs(a, "80047"));
    CHECK(governs(a, "80049"));
    CHECK(!governs(a, "80050"));

    /* an article related to a retired LCD and a current one: the current
       one is shown, and both are kept */
    a = pol(MN_PK_ARTICLE, "A99952", 2);
    p = a < kb->n_pol ? &kb->pol[a] : NULL;
    CHECK(p && strcmp(kb_s(kb, p->related), "L99959") == 0);
    CHECK(attach(a, KB_PA_LCD, "L99958") != NULL);
    CHECK(attach(a, KB_PA_LCD, "L99959") != NULL);
    x = attach(a, KB_PA_LCD, "L99958");
    if (x) {
        CHECK_INT(x->num, 2);
        CHECK_INT(x->flags, KB_PA_F_ARTICLE_TABLE);
    }
    /* the retired LCD ends; its article does not */
    a = pol(MN_PK_LCD, "L99958", 2);
    CHECK(a < kb->n_pol && kb->pol[a].ending == day("2024-06-30"));
    a = pol(MN_PK_ARTICLE, "A99952", 2);
    CHECK(a < kb->n_pol && kb->pol[a].ending == MN_NODATE);
    /* an LCD's future retirement ends its newest version only */
    a = pol(MN_PK_LCD, "L99950", 3);
    CHECK(a < kb->n_pol && kb->pol[a].ending == day("2026-12-31"));
    CHECK(attach(a, KB_PA_ARTICLE, "A99950") != NULL);
    a = pol(MN_PK_ARTICLE, "A99950", 1);
    CHECK(a < kb->n_pol && kb->pol[a].ending == MN_NODATE);
    CHECK(a < kb->n_pol && strcmp(kb_s(kb, kb->pol[a].related), "L99950") == 0);
    a = pol(MN_PK_ARTICLE, "A99956", 1);
    CHECK(a < kb->n_pol && kb->pol[a].ending == day("2026-06-30"));
    /* lcd_related_documents alone links A99954 to L99955 */
    a = pol(MN_PK_ARTICLE, "A99954", 1);
    x = attach(a, KB_PA_LCD, "L99955");
    CHECK(x != NULL);
    if (x)
        CHECK_INT(x->flags, KB_PA_F_LCD_TABLE);
    CHECK(a < kb->n_pol && strcmp(kb_s(kb, kb->pol[a].related), "L99955") == 0);

    /* modifiers, their group paragraph and links of a DME article */
    a = pol(MN_PK_ARTICLE, "A99960", 1);
    x = attach(a, KB_PA_MODIFIER, "KX");
    CHECK(x != NULL);
    if (x) {
        CHECK_INT(x->group, 1);
        CHECK_CONTAINS(kb_s(kb, x->b), "Requirements specified");
    }
    CHECK(attach(a, KB_PA_MODIFIER, "GA") != NULL);
    CHECK(attach(a, KB_PA_MODIFIER_GROUP, NULL) != NULL);
    x = attach(a, KB_PA_URL, NULL);
    CHECK(x != NULL);
    if (x) {
        CHECK_STR(kb_s(kb, x->a), "https://www.cms.gov/"
                                  "medicare-coverage-database/search.aspx");
        CHECK_STR(kb_s(kb, x->b), "Other Web Sites");
    }
    a = pol(MN_PK_LCD, "L99950", 3);
    x = attach(a, KB_PA_URL, NULL);
    CHECK(x && strcmp(kb_s(kb, x->b), "Coverage determination process "
                                      "(fixture)") == 0);

    /* NCD titles (the newest version) and pages from ncd_trkg */
    a = pol(MN_PK_NCD, "190.22", 0);
    CHECK(a < kb->n_pol &&
          strcmp(kb_s(kb, kb->pol[a].title), "Thyroid Testing") == 0);
    x = attach(a, KB_PA_PAGE, NULL);
    CHECK(x != NULL);
    if (x)
        CHECK_CONTAINS(kb_s(kb, x->a), "ncd.aspx?ncdid=101&ncdver=2");
    a = pol(MN_PK_NCD, "190.29", 0);
    CHECK(a < kb->n_pol && strcmp(kb_s(kb, kb->pol[a].title),
                                  "Tumor Antigen by Immunoassay - CA 15-3/CA "
                                  "27.29") == 0);
    /* the documents index gives pages of the versions it names */
    a = pol(MN_PK_ARTICLE, "A99955", 1);
    x = attach(a, KB_PA_PAGE, NULL);
    CHECK(x && strstr(kb_s(kb, x->a), "articleid=99955&ver=1") != NULL);
}

/* ---- checking claims against the KB -------------------------------- */

static mn_ctx *ctx;

/* Checks one line; fills `out` with the line's first finding that cites
 * `policy` (citation.id), returns false when none does. *status gets the
 * line status. */
static bool cited(const char *jur, const char *code, const char *dx,
                  const char *date, const char *policy, mn_finding_info *out,
                  mn_status *status)
{
    char json[512];
    mn_claim *c = NULL;
    const mn_result *r = NULL;
    mn_error err;
    bool found = false;

    snprintf(json, sizeof(json),
             "{\"jurisdiction\":\"%s\",\"patient\":{\"age\":70,\"sex\":"
             "\"F\"},\"diagnoses\":[\"%s\"],\"lines\":[{\"code\":\"%s\","
             "\"date\":\"%s\"}]}",
             jur, dx, code, date);
    mn_error_clear(&err);
    *status = MN_STATUS_INVALID;
    if (mn_claim_parse_json(&c, json, strlen(json), NULL, &err) ||
        mn_check(&r, ctx, kb, c, &err)) {
        fprintf(stderr, "check: %s\n", err.message);
        mn_claim_free(c);
        return false;
    }
    *status = mn_result_line_status(r, 0);
    for (size_t i = 0; i < mn_result_finding_count(r, 0) && !found; i++) {
        out->version = MN_FINDING_INFO_VERSION;
        if (mn_result_finding(out, r, 0, i, &err) == MN_OK &&
            out->citation.id && strcmp(out->citation.id, policy) == 0)
            found = true;
    }
    mn_claim_free(c);
    return found;
}

/* Every policy where its jurisdiction rows say, on both sides of the
 * dates, through the result API. */
static void check_claims(void)
{
    mn_finding_info f;
    mn_status st;
    mn_error err;

    mn_error_clear(&err);
    if (mn_ctx_new(&ctx, 0, &err)) {
        CHECK(!"context");
        return;
    }
    /* Northern and Southern California: each its own contractor's
       article */
    CHECK(cited("CA-NORTHERN", "82306", "E55.9", "2024-06-03", "A99950", &f,
                &st));
    CHECK_STR(f.edit->id, "policy.dx_supported");
    CHECK(!cited("CA-NORTHERN", "82306", "E55.9", "2024-06-03", "A99951", &f,
                 &st));
    CHECK(cited("CA-SOUTHERN", "82306", "E55.9", "2024-06-03", "A99951", &f,
                &st));
    CHECK_STR(f.edit->id, "policy.dx_not_supported");
    CHECK_INT(st, MN_STATUS_NOT_COVERED);
    CHECK(!cited("CA-SOUTHERN", "82306", "E55.9", "2024-06-03", "A99950", &f,
                 &st));
    /* the contractor number, placed by the export's tables */
    CHECK(cited("01182", "82306", "E55.0", "2024-06-03", "A99951", &f, &st));
    CHECK_STR(f.edit->id, "policy.dx_supported");
    /* before the jurisdiction's term date and after it */
    CHECK(
        cited("NY-UPSTATE", "84443", "E03.9", "2024-06-30", "A99953", &f, &st));
    CHECK(!cited("NY-UPSTATE", "84443", "E03.9", "2024-07-01", "A99953", &f,
                 &st));
    /* a claim naming the contractor number: the old contractor version
       served until June 30, the new one from July 1 */
    CHECK(cited("13282", "84443", "E03.9", "2024-06-15", "A99953", &f, &st));
    CHECK(!cited("13282", "84443", "E03.9", "2024-07-15", "A99953", &f, &st));
    /* before the jurisdiction's active date and on it */
    CHECK(!cited("MO-NORTHWESTERN", "82306", "E55.0", "2024-08-31", "A99958",
                 &f, &st));
    CHECK(cited("MO-NORTHWESTERN", "82306", "E55.0", "2024-09-01", "A99958", &f,
                &st));
    CHECK_STR(f.edit->id, "policy.dx_not_supported");
    /* a DME MAC article in its DME region only */
    CHECK(cited("NV", "E0601", "I10", "2024-06-03", "A99960", &f, &st));
    CHECK_STR(f.edit->id, "policy.dx_not_supported");
    CHECK(!cited("KY", "E0601", "I10", "2024-06-03", "A99960", &f, &st));
    /* the documents index: one jurisdiction is certain, several perhaps */
    CHECK(cited("FL", "82306", "I10", "2024-06-03", "A99955", &f, &st));
    CHECK_STR(f.edit->id, "policy.dx_not_supported");
    CHECK(cited("WA", "64582", "I10", "2024-06-03", "A99956", &f, &st));
    CHECK_STR(f.edit->id, "policy.jurisdiction_uncertain");
    CHECK_INT(f.severity, MN_SEVERITY_REVIEW);
    CHECK_INT(st, MN_STATUS_INDETERMINATE);
    CHECK(!cited("KY", "64582", "I10", "2024-06-03", "A99956", &f, &st));
    /* an article related to a retired LCD and its successor cites the one
       in force on the date of service */
    CHECK(cited("KY", "83540", "D50.9", "2024-05-01", "A99952", &f, &st));
    CHECK(f.citation.related && strcmp(f.citation.related, "L99958") == 0);
    CHECK(cited("KY", "83540", "D50.9", "2024-08-01", "A99952", &f, &st));
    CHECK(f.citation.related && strcmp(f.citation.related, "L99959") == 0);
    /* NCD titles and pages from ncd_trkg */
    CHECK(cited("KY", "84443", "E03.9", "2024-06-03", "190.22", &f, &st));
    CHECK_STR(f.citation.title, "Thyroid Testing");
    CHECK(f.citation.url && strstr(f.citation.url, "ncdid=101&ncdver=2"));
    mn_ctx_free(ctx);
    ctx = NULL;
}

/* `mednec lookup` shows the places, modifiers and links. */
static void check_lookup(void)
{
    mn_buf *buf = NULL;
    mn_lookup_options o = MN_LOOKUP_OPTIONS_INIT;
    mn_error err;
    const char *text;

    mn_error_clear(&err);
    CHECK_INT(mn_buf_new(&buf, 0), MN_OK);
    if (!buf)
        return;
    CHECK_INT(mn_lookup(buf, kb, "E0601", &o, MN_FORMAT_JSON, &err), MN_OK);
    text = mn_buf_data(buf);
    CHECK_CONTAINS(text, "\"places\":[{\"state\":\"CA\",\"part\":null,"
                         "\"active\":null,\"term\":null,\"certain\":true,"
                         "\"source\":\"DME region\"}");
    CHECK_CONTAINS(text, "{\"modifier\":\"KX\",\"group\":1,");
    CHECK_CONTAINS(text, "\"links\":[{\"url\":\"https://www.cms.gov/"
                         "medicare-coverage-database/search.aspx\"");
    mn_buf_clear(buf);
    o.jurisdiction = "CA-SOUTHERN";
    o.date = "2024-06-03";
    CHECK_INT(mn_lookup(buf, kb, "82306", &o, MN_FORMAT_TEXT, &err), MN_OK);
    text = mn_buf_data(buf);
    CHECK_CONTAINS(text, "article A99951 v1");
    CHECK_CONTAINS(text, "applies in: CA-SOUTHERN from 2013-09-16 (contractor "
                         "jurisdiction)");
    CHECK(strstr(text, "A99950") == NULL);
    mn_buf_free(buf);
}

static void test_export(void)
{
    char zip[256];
    void *zbytes = NULL;
    void *dbytes = NULL;
    size_t zlen = 0;
    size_t dlen = 0;
    mn_error err;

    CHECK_INT(pack_export(zip, sizeof(zip)), 0);
    /* the unpacked datasets first */
    dbytes = build(EXPORT, &dlen);
    CHECK(dbytes != NULL);
    /* then the export exactly as shipped */
    zbytes = build(zip, &zlen);
    CHECK(zbytes != NULL);
    if (!zbytes || !dbytes)
        goto done;
    CHECK_INT(zlen, dlen);
    CHECK(zlen == dlen && memcmp(zbytes, dbytes, zlen) == 0);
    check_reports(true);
    mn_error_clear(&err);
    CHECK_INT(mn_kb_open_buffer(&kb, zbytes, zlen, 1, &err), MN_OK);
    if (!kb) {
        fprintf(stderr, "open: %s\n", err.message);
        goto done;
    }
    check_places();
    check_contractors();
    check_codes_and_links();
    check_claims();
    check_lookup();
done:
    mn_kb_free(kb);
    kb = NULL;
    mn_kb_bytes_free(zbytes);
    mn_kb_bytes_free(dbytes);
}

/* The per-dataset ZIPs and an inner *_csv.zip are sources too. */
static void test_partial_packaging(void)
{
    char path[512];
    void *bytes;
    size_t len = 0;

    CHECK_INT(pack_set("all_article"), 0);
    snprintf(path, sizeof(path), "%s/all_article.zip", tmp);
    bytes = build(path, &len);
    CHECK(bytes != NULL);
    CHECK(REP("all_article.zip!all_article_csv.zip!article.csv")->rows == 13);
    mn_kb_bytes_free(bytes);
    unlink(path);
}

int main(void)
{
    snprintf(tmp, sizeof(tmp), "/tmp/mn_mcd_export_XXXXXX");
    if (!mkdtemp(tmp)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_export);
    RUN(test_partial_packaging);
    {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", tmp);
    }
    DONE();
}
