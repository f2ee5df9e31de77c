/*
 * test_load_mcd_shared.c: the MCD and lab NCD loaders over the real rows
 * in the shared reference data (mcd-articles/, its secondary/ folder and
 * lab-ncd/), with the FY2024 ICD-10-CM table loaded first so that ranges
 * expand. Skips (exit 77) when the shared data folder is absent.
 */
#include <zlib.h>

#include "harness.h"
#include "kb/kb_int.h"
#include "build/writer/kbb.h"
#include "build/load/loaders.h"

#define MCD_DIR MN_SHARED_DATA "/mcd-articles"
#define LAB_DIR MN_SHARED_DATA "/lab-ncd"
#define ICD_GZ MN_SHARED_DATA "/icd10cm/icd10cm_fy2024_order.csv.gz"
#define MAX_FILES 16

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
    static const mn_report none;
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->src[i].name, name) == 0)
            return &s->rep[i];
    }
    fprintf(stderr, "no report for %s\n", name);
    return &none;
}

static void print_reports(const set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const mn_report *r = &s->rep[i];
        fprintf(stderr, "  %-40s rows %zu skipped %zu %s\n", s->src[i].name,
                r->rows, r->skipped, r->note);
        for (size_t j = 0; j < r->n_reasons; j++)
            fprintf(stderr, "    %zu: %s\n", r->reasons[j].count,
                    r->reasons[j].text);
    }
}

/* Reads a gzip file whole; caller frees. */
static char *gunzip(const char *path, size_t *len)
{
    gzFile f = gzopen(path, "rb");
    size_t cap = 1 << 20;
    size_t n = 0;
    char *p;

    if (!f)
        return NULL;
    p = malloc(cap + 1);
    while (p) {
        int got;
        if (n == cap) {
            char *q = realloc(p, cap * 2 + 1);
            if (!q) {
                free(p);
                p = NULL;
                break;
            }
            p = q;
            cap *= 2;
        }
        got = gzread(f, p + n, (unsigned)(cap - n));
        if (got < 0) {
            free(p);
            p = NULL;
        } else if (got == 0) {
            break;
        } else {
            n += (size_t)got;
        }
    }
    gzclose(f);
    if (p) {
        p[n] = '\0';
        *len = n;
    }
    return p;
}

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

/* Covered codes of `p` in `group`. */
static size_t in_group(const mn_kb *kb, const kb_policy *p, int group)
{
    size_t n = 0;
    for (size_t i = p->dx_first; i < p->dx_first + p->n_covered; i++) {
        if ((int)KB_DX_GROUP(kb->dxmeta[i]) == group)
            n++;
    }
    return n;
}

static bool has_code(const mn_kb *kb, const kb_policy *p, const char *code)
{
    size_t n = 0;
    const kb_pcode *c = mn_x__kb_pcodes(kb, mn_x__key(code, strlen(code)), &n);
    for (size_t i = 0; c && i < n; i++) {
        if (&kb->pol[c[i].policy] == p)
            return true;
    }
    return false;
}

static int count_cb(void *payload, mn_key code)
{
    (void)code;
    (*(size_t *)payload)++;
    return 0;
}

static int load_icd(mn_kbb *b)
{
    mn_src src;
    mn_report rep;
    mn_error err;
    size_t len = 0;
    char *data = gunzip(ICD_GZ, &len);
    int rc;

    if (!data) {
        fprintf(stderr, "cannot read %s\n", ICD_GZ);
        return -1;
    }
    src.path = ICD_GZ;
    src.name = "icd10cm_fy2024_order.csv";
    src.date = 0; /* no date given at build */
    src.data = data;
    src.len = len;
    memset(&rep, 0, sizeof(rep));
    mn_error_clear(&err);
    rc = mn_x__load_icd(b, &src, 2024, &rep, &err);
    if (rc)
        fprintf(stderr, "icd: %s\n", err.message);
    CHECK_INT(rc, MN_OK);
    CHECK(rep.rows > 90000);
    free(data);
    return rc;
}

static const char *const main_names[] = {"article.csv",
                                         "article_related_documents.csv",
                                         "article_x_contractor.csv",
                                         "article_x_hcpc_code.csv",
                                         "article_x_hcpc_code_group.csv",
                                         "article_x_icd10_covered.csv",
                                         "article_x_icd10_covered_group.csv",
                                         "article_x_icd10_noncovered.csv",
                                         "article_x_icd10_noncovered_group.csv",
                                         "contractor.csv",
                                         "lcd.csv",
                                         NULL};

static const char *const secondary_names[] = {
    "article.csv",
    "article_x_hcpc_code.csv",
    "article_x_icd10_covered.csv",
    "article_x_icd10_covered_group.csv",
    "article_x_icd10_noncovered.csv",
    NULL};

static void check_mcd_reports(const set *m, const set *s)
{
    const mn_report *r;
    size_t skipped = 0;

    for (size_t i = 0; i < m->n; i++)
        skipped += m->rep[i].skipped;
    for (size_t i = 0; i < s->n; i++)
        skipped += s->rep[i].skipped;
    CHECK_INT(skipped, 0);

    CHECK_INT(rep_of(m, "article.csv")->rows, 13);
    CHECK_INT(rep_of(m, "lcd.csv")->rows, 9);
    CHECK_INT(rep_of(m, "contractor.csv")->rows, 1);
    CHECK_INT(rep_of(m, "article_related_documents.csv")->rows, 6);
    CHECK_INT(rep_of(m, "article_x_contractor.csv")->rows, 1);
    CHECK_INT(rep_of(m, "article_x_hcpc_code.csv")->rows, 11);
    CHECK_INT(rep_of(m, "article_x_hcpc_code_group.csv")->rows, 3);
    r = rep_of(m, "article_x_icd10_covered.csv");
    CHECK_INT(r->rows, 12);
    CHECK(strstr(r->note, "not in loaded") == NULL);
    CHECK(strstr(r->note, "not in article.csv") == NULL);
    CHECK_INT(rep_of(m, "article_x_icd10_covered_group.csv")->rows, 2);
    CHECK_INT(rep_of(m, "article_x_icd10_noncovered.csv")->rows, 0);
    CHECK_INT(rep_of(m, "article_x_icd10_noncovered_group.csv")->rows, 0);

    CHECK_INT(rep_of(s, "article.csv")->rows, 6);
    CHECK_INT(rep_of(s, "article_x_hcpc_code.csv")->rows, 4);
    r = rep_of(s, "article_x_icd10_covered.csv");
    CHECK_INT(r->rows, 17);
    CHECK_CONTAINS(r->note, "1 codes with asterisk");
    CHECK_INT(rep_of(s, "article_x_icd10_covered_group.csv")->rows, 2);
}

static void check_mcd_kb(const mn_kb *kb)
{
    const kb_policy *p;
    const kb_group *g;
    uint32_t m;

    p = pol(kb, MN_PK_ARTICLE, "A56767", 17);
    CHECK(p != NULL);
    if (p) {
        CHECK_INT(p->n_covered, 12);
        CHECK_INT(KB_DX_GROUP(dx(kb, p, MN_DL_COVERED, "F11.988")), 1);
        g = mn_x__kb_group(kb, p, MN_DL_COVERED, 1);
        CHECK(g != NULL);
        if (g)
            CHECK_CONTAINS(kb_s(kb, g->paragraph), "129 codes");
    }

    p = pol(kb, MN_PK_ARTICLE, "A56596", 31);
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(kb_s(kb, p->related), "L37364");
        CHECK_STR(kb_s(kb, p->contractors), "15101");
        CHECK_INT(p->effective, mn_x__days_from_civil(2023, 2, 2));
        CHECK_INT(p->ending, mn_x__days_from_civil(2023, 11, 15));
    }

    p = pol(kb, MN_PK_ARTICLE, "A57092", 18);
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(kb_s(kb, p->related), "L38387");
        CHECK(has_code(kb, p, "0466T"));
        CHECK(has_code(kb, p, "64568"));
    }

    p = pol(kb, MN_PK_LCD, "L33996", 0);
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(kb_s(kb, p->title), "Vitamin D Assay Testing");
        CHECK_INT(p->effective, mn_x__days_from_civil(2023, 8, 3));
    }

    /* the dual-diagnosis pattern of the secondary rows, merged into the
     * A57949 version 0 that the main set declared */
    p = pol(kb, MN_PK_ARTICLE, "A57949", 0);
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(kb_s(kb, p->related), "L38312");
        m = dx(kb, p, MN_DL_COVERED, "G47.33");
        CHECK_INT(KB_DX_AST(m), 1);
        CHECK_INT(KB_DX_GROUP(m), 1);
        CHECK_INT(in_group(kb, p, 1), 1);
        CHECK_INT(in_group(kb, p, 2), 16);
        CHECK_INT(KB_DX_AST(dx(kb, p, MN_DL_COVERED, "Z68.34")), 0);
        CHECK(has_code(kb, p, "64582"));
        g = mn_x__kb_group(kb, p, MN_DL_COVERED, 1);
        CHECK(g != NULL);
        if (g) {
            CHECK(g->flags & KB_GF_HAS_ASTERISK);
            CHECK_INT(g->partners, 2);
        }
        g = mn_x__kb_group(kb, p, MN_DL_COVERED, 2);
        CHECK(g != NULL);
        if (g)
            CHECK(g->flags & KB_GF_SECONDARY_ONLY);
    }
    p = pol(kb, MN_PK_ARTICLE, "A57736", 0);
    CHECK(p != NULL);
    if (p) {
        CHECK(has_code(kb, p, "82306"));
        CHECK_INT(p->effective, mn_x__days_from_civil(2024, 10, 1));
    }
}

static void test_mcd(mn_kbb *b)
{
    set m;
    set s;
    mn_error err;
    mn_kb *kb = NULL;

    if (read_set(&m, MCD_DIR, main_names) ||
        read_set(&s, MCD_DIR "/secondary", secondary_names)) {
        CHECK(!"shared mcd-articles readable");
        return;
    }
    CHECK(!mn_x__mcd_table_name("_provenance.csv"));
    mn_error_clear(&err);
    CHECK_INT(mn_x__load_mcd_set(b, m.src, m.n, m.rep, &err), MN_OK);
    CHECK_INT(mn_x__load_mcd_set(b, s.src, s.n, s.rep, &err), MN_OK);
    if (err.code)
        fprintf(stderr, "mcd: %s: %s\n", err.where, err.message);
    print_reports(&m);
    print_reports(&s);
    check_mcd_reports(&m, &s);
    kb = to_kb(b);
    CHECK(kb != NULL);
    if (kb)
        check_mcd_kb(kb);
    mn_kb_free(kb);
    free_set(&m);
    free_set(&s);
}

static void test_lab(mn_kbb *b)
{
    static const char *const names[] = {"ncd_codes.csv", "ncd_meta.csv", NULL};
    set l;
    mn_report rep;
    mn_report mrep;
    mn_error err;
    mn_kb *kb = NULL;
    const kb_policy *p;
    size_t expect = 0;
    char want[64];

    if (read_set(&l, LAB_DIR, names)) {
        CHECK(!"shared lab-ncd readable");
        return;
    }
    mn_error_clear(&err);
    CHECK_INT(mn_x__load_lab_ncd(b, &l.src[0], &l.src[1], &rep, &mrep, &err),
              MN_OK);
    if (err.code)
        fprintf(stderr, "lab: %s: %s\n", err.where, err.message);
    fprintf(stderr, "  ncd_codes.csv rows %zu skipped %zu %s\n", rep.rows,
            rep.skipped, rep.note);
    CHECK_INT(rep.rows, 156);
    CHECK_INT(rep.skipped, 0);
    CHECK_INT(mrep.rows, 15);
    CHECK_INT(mrep.skipped, 0);
    CHECK_CONTAINS(rep.note, "15 NCDs");

    /* C50.011-C50.929 against FY2024: every code from the start up to and
     * under the end (54 billable codes and their category headers) */
    CHECK_INT(mn_x__kbb_icd_range(b, mn_x__key("C50011", 6),
                                  mn_x__key("C50929", 6), count_cb, &expect,
                                  NULL, NULL),
              MN_OK);
    CHECK(expect >= 54);
    snprintf(want, sizeof(want), "1 ranges expanded to %zu codes", expect);
    CHECK_CONTAINS(rep.note, want);

    kb = to_kb(b);
    CHECK(kb != NULL);
    if (!kb)
        goto done;
    p = pol(kb, MN_PK_NCD, "190.29", 0);
    CHECK(p != NULL);
    if (p) {
        CHECK_INT(p->n_covered, expect + 5);
        CHECK(dx(kb, p, MN_DL_COVERED, "C50.912") != 0);
        CHECK(dx(kb, p, MN_DL_COVERED, "Z85.3") != 0);
        CHECK(has_code(kb, p, "86300"));
        CHECK_STR(kb_s(kb, p->title),
                  "Tumor Antigen by Immunoassay CA 15-3/CA 27.29");
        CHECK_INT(p->flags & MN_PF_LAB, MN_PF_LAB);
    }
    p = pol(kb, MN_PK_NCD, "190.21", 0);
    CHECK(p != NULL);
    if (p) {
        CHECK(has_code(kb, p, "83036"));
        CHECK_CONTAINS(kb_s(kb, p->note), "every 3 months");
        CHECK_CONTAINS(kb_s(kb, p->note), "source list completeness");
    }
    p = pol(kb, MN_PK_NCD, "ALL", 0);
    CHECK(p != NULL);
    if (p) {
        CHECK_INT(p->n_noncovered, 16);
        CHECK_INT(p->flags & MN_PF_ALL_LAB, MN_PF_ALL_LAB);
        CHECK(dx(kb, p, MN_DL_NONCOVERED, "Z00.00") != 0);
    }
    p = pol(kb, MN_PK_NCD, "190.24", 0);
    if (p)
        CHECK_INT(p->n_covered, 31);
done:
    mn_kb_free(kb);
    free_set(&l);
}

int main(void)
{
    mn_kbb *b = NULL;
    FILE *f = fopen(MCD_DIR "/article.csv", "rb");

    if (!f) {
        fprintf(stderr, "skipped: shared data not found at %s\n",
                MN_SHARED_DATA);
        return MN_SKIP;
    }
    fclose(f);
    if (mn_x__kbb_new(&b) != MN_OK || load_icd(b) != MN_OK) {
        mn_x__kbb_free(b);
        CHECK(!"builder with FY2024 ICD-10-CM");
        DONE();
    }
    test_mcd(b);
    test_lab(b);
    mn_x__kbb_free(b);
    DONE();
}
