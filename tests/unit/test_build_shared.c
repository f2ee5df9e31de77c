/* test_build_shared.c: a KB built from all of the shared reference data. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#include "harness.h"

#include "kb/kb_int.h"
#include "mednec/kb.h"
#include "build/sources.h"

#define DATA MN_SHARED_DATA
#define MAX_REPORTS 1024

typedef struct seen {
    char path[512];
    char layout[64];
    char note[256];
    int has_layout;
    size_t rows;
    size_t skipped;
    int times;
} seen;

static seen reports[MAX_REPORTS];
static size_t n_reports;

static void on_report(void *payload, const mn_build_file_report *r)
{
    seen *s;

    (void)payload;
    for (size_t i = 0; i < n_reports; i++) {
        if (strcmp(reports[i].path, r->path) == 0) {
            reports[i].times++;
            return;
        }
    }
    if (n_reports == MAX_REPORTS)
        return;
    s = &reports[n_reports++];
    memset(s, 0, sizeof(*s));
    snprintf(s->path, sizeof(s->path), "%s", r->path);
    snprintf(s->layout, sizeof(s->layout), "%s", r->layout ? r->layout : "");
    snprintf(s->note, sizeof(s->note), "%s", r->note ? r->note : "");
    s->has_layout = r->layout != NULL;
    s->rows = r->rows;
    s->skipped = r->skipped;
    s->times = 1;
    fprintf(stderr, "  %-70s %-34s rows %zu skipped %zu%s%s\n", r->path,
            r->layout ? r->layout : "-", r->rows, r->skipped,
            r->note ? "; " : "", r->note ? r->note : "");
    for (size_t i = 0; i < r->n_reasons; i++)
        fprintf(stderr, "      %s\n", r->reasons[i]);
}

static const seen *find(const char *tail)
{
    size_t n = strlen(tail);
    for (size_t i = 0; i < n_reports; i++) {
        size_t l = strlen(reports[i].path);
        if (l >= n && strcmp(reports[i].path + l - n, tail) == 0)
            return &reports[i];
    }
    return NULL;
}

/* True when some report path starts with `prefix`. */
static int has_prefix(const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < n_reports; i++) {
        if (strncmp(reports[i].path, prefix, n) == 0)
            return 1;
    }
    return 0;
}

/* Checks that every file under `dir` was reported (ZIPs through their
 * members) exactly once. Returns the number of files. */
static size_t walk_check(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;
    char p[1024];
    char zp[1100];

    if (!d)
        return 0;
    for (e = readdir(d); e; e = readdir(d)) {
        struct stat st;
        size_t l;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        if (stat(p, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            n += walk_check(p);
            continue;
        }
        n++;
        l = strlen(p);
        if (l > 4 && strcmp(p + l - 4, ".zip") == 0) {
            snprintf(zp, sizeof(zp), "%s!", p);
            if (!has_prefix(zp))
                fprintf(stderr, "zip not reported: %s\n", p);
            CHECK(has_prefix(zp));
            continue;
        }
        {
            const seen *s = NULL;
            for (size_t i = 0; i < n_reports && !s; i++) {
                if (strcmp(reports[i].path, p) == 0)
                    s = &reports[i];
            }
            if (!s)
                fprintf(stderr, "not reported: %s\n", p);
            CHECK(s != NULL);
            if (s) {
                CHECK_INT(s->times, 1);
                CHECK(s->has_layout || s->note[0]);
            }
        }
    }
    closedir(d);
    return n;
}

/* |a - b| <= tolerance */
static int near(size_t a, size_t b, size_t tolerance)
{
    return (a > b ? a - b : b - a) <= tolerance;
}

static void test_shared(void)
{
    mn_build_options o = MN_BUILD_OPTIONS_INIT;
    mn_build *b = NULL;
    mn_build_summary sum;
    mn_error err;
    void *bytes = NULL;
    size_t len = 0;
    struct timespec t0;
    struct timespec t1;
    double secs;
    const seen *s;
    mn_kb *kb = NULL;

    o.report = on_report;
    o.built = "2025-08-01";
    mn_error_clear(&err);
    CHECK_INT(mn_build_new(&b, &o, &err), MN_OK);
    CHECK_INT(mn_build_add_path(b, DATA, &err), MN_OK);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_INT(mn_build_to_memory(&bytes, &len, b, &err), MN_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (double)(t1.tv_sec - t0.tv_sec) +
           (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (err.code) {
        char line[600];
        fprintf(stderr, "build failed: %s\n",
                mn_error_format(line, sizeof(line), &err));
    }
    mn_build_get_summary(&sum, b);
    fprintf(stderr,
            "built in %.2f s: %zu files (%zu recognised), %zu rows, "
            "%zu skipped, %zu bytes\n",
            secs, sum.files, sum.recognised, sum.rows, sum.skipped,
            sum.kb_bytes);
    /* the release build takes about 5 s; sanitized code runs several
       times slower, and CI runs two slow tests side by side */
#if defined(__SANITIZE_ADDRESS__)
    CHECK(secs < 120.0);
#else
    CHECK(secs < 30.0);
#endif

    /* no file silently dropped */
    CHECK(walk_check(DATA) > 0);
    CHECK_INT(sum.files, n_reports);
    CHECK_INT(sum.recognised + sum.unrecognised, sum.files);

    s = find("/icd10cm/icd10cm_fy2024_order.csv.gz");
    CHECK(s && s->has_layout);
    if (s) {
        CHECK_STR(s->note, "fiscal year 2024, from 2023-10-01");
        CHECK(near(s->rows, 97296, 10));
    }
    s = find("/icd10cm/icd10cm_fy2022.csv.gz");
    CHECK(s && s->has_layout);
    if (s) {
        CHECK_STR(s->note, "fiscal year 2022, from 2021-10-01");
        CHECK(near(s->rows, 95524, 10));
    }
    s = find("/icd10cm/icd10cm-order-Jan-2021.txt.gz");
    CHECK(s && s->has_layout);
    if (s) {
        CHECK_STR(s->layout, MN_LAYOUT_ICD_ORDER_TXT);
        CHECK_STR(s->note, "fiscal year 2021, from 2021-01-01");
        CHECK(near(s->rows, 95358, 10));
    }
    s = find("/icd10cm/icd10cm_tabular_2021.xml.gz");
    CHECK(s && !s->has_layout);

    s = find("/2019-Alpha-Numeric-HCPCS-File.zip!HCPC2019_CONTR_ANWEB.txt");
    CHECK(s && s->has_layout);
    if (s)
        CHECK(near(s->rows, 6440, 5));
    s = find("/hcpcs/hcpcs_lvl2.csv");
    CHECK(s && s->has_layout);
    if (s)
        CHECK(near(s->rows, 8033, 5));
    s = find("/hcpcs/hcpcs_level2_descriptions_2024.csv");
    CHECK(s && s->has_layout);
    if (s)
        CHECK(near(s->rows, 7918, 5));
    s = find("/hcpcs/hcpcs_noc.csv");
    CHECK(s && !s->has_layout && s->note[0]);

    s = find("/mce/mce_v41_1_fy2024_code_edits.csv");
    CHECK(s && s->has_layout);
    if (s) {
        CHECK_STR(s->note, "fiscal year 2024");
        CHECK(near(s->rows, 7946, 5));
    }
    s = find("/mce/MCE_Simple_Code_Edits_v37.txt");
    CHECK(s && s->has_layout);
    if (s) {
        CHECK_STR(s->note, "fiscal year 2020");
        /* the diagnosis age, sex and manifestation lists of v37 */
        CHECK(near(s->rows, 7357, 5));
        CHECK_INT(s->rows + s->skipped, 14153);
    }
    s = find("/mce/POAexemptCodes2020.txt");
    CHECK(s && !s->has_layout);
    if (s)
        CHECK_STR(s->note, "poa-exempt list: not used");
    s = find("/ncci/ncci_ptp_prac_2024q3_all.csv.gz");
    CHECK(s && s->has_layout);
    if (s) {
        /* rows with modifier indicator 9 are no edit: counted, skipped */
        CHECK(near(s->rows, 2447164, 100));
        CHECK(near(s->skipped, 98853, 100));
    }

    if (bytes) {
        mn_kb_stats st;
        CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 0, &err), MN_OK);
        if (kb) {
            memset(&st, 0, sizeof(st));
            st.version = MN_KB_STATS_VERSION;
            mn_kb_get_stats(&st, kb);
            CHECK_INT(st.icd_years, 3);
            CHECK_INT(st.icd_first_fy, 2021);
            CHECK_INT(st.icd_last_fy, 2024);
            CHECK(st.hcpcs_codes > 8000);
            CHECK(st.mce_edits > 7000);
            fprintf(stderr,
                    "kb: %zu icd codes, %zu hcpcs, %zu mce, %zu policies, "
                    "%zu rules\n",
                    st.icd_codes, st.hcpcs_codes, st.mce_edits, st.policies,
                    st.rules);
        }
        mn_kb_free(kb);
    }
    mn_kb_bytes_free(bytes);
    mn_build_free(b);
}

int main(void)
{
    struct stat st;

    if (stat(DATA "/README.md", &st) != 0) {
        fprintf(stderr, "skipped: shared data not found at %s\n", DATA);
        return MN_SKIP;
    }
    RUN(test_shared);
    DONE();
}
