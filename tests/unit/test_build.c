/* test_build.c: mn_build_* on the fixtures: folders, ZIPs, .gz, reports. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zip.h>
#include <zlib.h>

#include "harness.h"

#include "kb/kb_int.h"
#include "mednec/kb.h"
#include "build/sources.h"

#define FIX MN_FIXTURES
#define MAX_REPORTS 256

/* Copies of the reports one build produced. */
typedef struct seen {
    char path[512];
    char layout[64];
    char note[256];
    int has_layout;
    int has_note;
    size_t rows;
    size_t skipped;
    char reasons[1024];
    int times;
} seen;

static seen reports[MAX_REPORTS];
static size_t n_reports;

static void on_report(void *payload, const mn_build_file_report *r)
{
    seen *s;
    size_t i;

    (void)payload;
    for (i = 0; i < n_reports; i++) {
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
    s->has_layout = r->layout != NULL;
    s->has_note = r->note != NULL && r->note[0] != '\0';
    snprintf(s->layout, sizeof(s->layout), "%s", r->layout ? r->layout : "");
    snprintf(s->note, sizeof(s->note), "%s", r->note ? r->note : "");
    s->rows = r->rows;
    s->skipped = r->skipped;
    for (i = 0; i < r->n_reasons; i++) {
        size_t used = strlen(s->reasons);
        snprintf(s->reasons + used, sizeof(s->reasons) - used, "%s|",
                 r->reasons[i]);
    }
    s->times = 1;
}

/* The report whose path ends with `tail`, or NULL. */
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

static mn_build *new_build(int no_builtin)
{
    mn_build_options o = MN_BUILD_OPTIONS_INIT;
    mn_build *b = NULL;
    mn_error err;

    o.no_builtin = no_builtin;
    o.built = "2024-07-01";
    o.report = on_report;
    n_reports = 0;
    mn_error_clear(&err);
    CHECK_INT(mn_build_new(&b, &o, &err), MN_OK);
    return b;
}

/* Makes a fresh temporary folder; `out` gets its path. */
static int temp_dir(char *out, size_t size)
{
    const char *base = getenv("TMPDIR");
    snprintf(out, size, "%s/mn_build_XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(out) != NULL;
}

/* Removes a temporary folder and the files in it (one level deep). */
static void rm_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[1024];

    if (!d)
        return;
    for (e = readdir(d); e; e = readdir(d)) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* Number of entries in a folder, and a check that each file in it was
 * reported exactly once. */
static size_t check_all_reported(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;
    char tail[600];

    CHECK(d != NULL);
    if (!d)
        return 0;
    for (e = readdir(d); e; e = readdir(d)) {
        const seen *s;
        if (e->d_name[0] == '.')
            continue;
        snprintf(tail, sizeof(tail), "/%s", e->d_name);
        s = find(tail);
        if (!s)
            fprintf(stderr, "not reported: %s/%s\n", dir, e->d_name);
        CHECK(s != NULL);
        if (s) {
            CHECK_INT(s->times, 1);
            /* every unrecognised file says why */
            CHECK(s->has_layout || s->has_note);
        }
        n++;
    }
    closedir(d);
    return n;
}

static int write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(data, 1, len, f) == len;
    if (f)
        ok = fclose(f) == 0 && ok;
    return ok;
}

/* Adds a file from disk (or a buffer) to a ZIP being written. */
static int zip_put(zip_t *za, const char *name, const char *disk_path,
                   const char *text)
{
    zip_source_t *zs;
    if (disk_path)
        zs = zip_source_file(za, disk_path, 0, -1);
    else
        zs = zip_source_buffer(za, text, strlen(text), 0);
    if (!zs)
        return 0;
    if (zip_file_add(za, name, zs, ZIP_FL_OVERWRITE) < 0) {
        zip_source_free(zs);
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------ */

static void test_folders(void)
{
    mn_build *b = new_build(1);
    mn_build_summary sum;
    mn_error err;
    void *bytes = NULL;
    size_t len = 0;
    size_t files = 0;
    const seen *s;

    mn_error_clear(&err);
    CHECK_INT(mn_build_add_path(b, FIX "/icd", &err), MN_OK);
    CHECK_INT(mn_build_add_path(b, FIX "/hcpcs/", &err), MN_OK);
    CHECK_INT(mn_build_add_path(b, FIX "/mce", &err), MN_OK);
    CHECK_INT(mn_build_to_memory(&bytes, &len, b, &err), MN_OK);
    if (err.code)
        fprintf(stderr, "%s: %s\n", err.where, err.message);
    CHECK(bytes != NULL && len > 0);

    files += check_all_reported(FIX "/icd");
    files += check_all_reported(FIX "/hcpcs");
    files += check_all_reported(FIX "/mce");
    CHECK_INT(n_reports, files);
    mn_build_get_summary(&sum, b);
    CHECK_INT(sum.files, files);
    CHECK_INT(sum.unrecognised, 3);
    CHECK_INT(sum.recognised, files - 3);
    CHECK_INT(sum.kb_bytes, len);

    s = find("/icd10cm_tabular_2024.xml");
    CHECK(s && !s->has_layout);
    if (s)
        CHECK_STR(s->note, "icd-10-cm tabular xml: not used by this version");
    s = find("/POAexemptCodes2020.txt");
    CHECK(s && !s->has_layout);
    if (s)
        CHECK_STR(s->note, "poa-exempt list: not used");
    s = find("/HCPC2019_README.txt");
    CHECK(s && !s->has_layout && s->has_note);

    s = find("/icd10cm-order-Jan-2021.txt");
    CHECK(s && s->has_layout);
    if (s) {
        CHECK_STR(s->note, "fiscal year 2021, from 2021-01-01");
        CHECK_INT(s->rows, 6);
    }
    s = find("/icd10cm_order_2024.txt");
    if (s) {
        CHECK_STR(s->layout, MN_LAYOUT_ICD_ORDER_TXT);
        CHECK_INT(s->rows, 36);
        CHECK_INT(s->skipped, 3);
        CHECK_CONTAINS(s->reasons,
                       "1 rows: truncated record (first at record 11)|");
    }
    s = find("/icd10cm_fy2022.csv");
    if (s)
        CHECK_STR(s->note, "fiscal year 2022, from 2021-10-01");
    s = find("/HCPC2019_CONTR_ANWEB.txt");
    if (s) {
        CHECK_STR(s->layout, MN_LAYOUT_HCPCS_ANWEB);
        CHECK_INT(s->rows, 20);
        CHECK_CONTAINS(s->reasons, "4 rows: modifier record");
    }
    s = find("/hcpcs_level2_descriptions_2024.csv");
    if (s)
        CHECK_INT(s->rows, 22);
    s = find("/MCE_Simple_Code_Edits_v37.txt");
    if (s) {
        CHECK_STR(s->note, "fiscal year 2020");
        CHECK_INT(s->rows, 14);
    }

    if (bytes) {
        mn_kb *kb = NULL;
        mn_kb_stats st;
        CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 0, &err), MN_OK);
        if (kb) {
            memset(&st, 0, sizeof(st));
            st.version = MN_KB_STATS_VERSION;
            mn_kb_get_stats(&st, kb);
            CHECK_INT(st.icd_years, 5);
            CHECK_INT(st.icd_first_fy, 2021);
            CHECK_INT(st.icd_last_fy, 2025);
            CHECK(st.hcpcs_codes >= 25);
            CHECK(st.mce_edits > 0);
            CHECK_STR(mn_kb_built(kb), "2024-07-01");
        }
        mn_kb_free(kb);
    }
    mn_kb_bytes_free(bytes);
    mn_build_free(b);
}

static void test_zip(void)
{
    char dir[512];
    char zpath[600];
    char inner[600];
    char deep[600];
    char deeper[600];
    char too_deep[600];
    char gzp[600];
    char *text;
    size_t tlen = 0;
    gzFile gz;
    void *again = NULL;
    size_t again_len = 0;
    mn_build *b = NULL;
    mn_error err;
    void *bytes = NULL;
    size_t len = 0;
    zip_t *za;
    int zerr = 0;
    const seen *s;

    if (!temp_dir(dir, sizeof(dir))) {
        CHECK(0);
        return;
    }
    /* too_deep.zip (level 5) inside deepest.zip (4) inside deep.zip (3)
     * inside inner.zip (2) inside hcpcs_2019.zip (1): four levels are read
     * (a ZIP of the MCD export: mine.zip -> all_data.zip -> all_lcd.zip ->
     * all_lcd_csv.zip), the fifth is listed */
    snprintf(too_deep, sizeof(too_deep), "%s/too_deep.zip", dir);
    za = zip_open(too_deep, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    CHECK(za && zip_put(za, "icd10cm_codes_2025.txt",
                        FIX "/icd/icd10cm_codes_2025.txt", NULL));
    CHECK(za && zip_close(za) == 0);
    snprintf(deeper, sizeof(deeper), "%s/deepest.zip", dir);
    za = zip_open(deeper, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    CHECK(za && zip_put(za, "too_deep.zip", too_deep, NULL));
    CHECK(za && zip_close(za) == 0);
    snprintf(deep, sizeof(deep), "%s/deep.zip", dir);
    za = zip_open(deep, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    CHECK(za && zip_put(za, "deepest.zip", deeper, NULL));
    CHECK(za && zip_close(za) == 0);
    snprintf(inner, sizeof(inner), "%s/inner.zip", dir);
    za = zip_open(inner, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    CHECK(za && zip_put(za, "mce/mce_v41_1_fy2024_code_edits.csv",
                        FIX "/mce/mce_v41_1_fy2024_code_edits.csv", NULL));
    CHECK(za && zip_put(za, "deep.zip", deep, NULL));
    CHECK(za && zip_close(za) == 0);
    /* a gzip file inside the archive */
    snprintf(gzp, sizeof(gzp), "%s/codes.gz", dir);
    text = mn_t_slurp(FIX "/icd/icd10cm_codes_2025.txt", &tlen);
    gz = gzopen(gzp, "wb");
    CHECK(gz && text && gzwrite(gz, text, (unsigned)tlen) == (int)tlen);
    if (gz)
        gzclose(gz);
    free(text);
    snprintf(zpath, sizeof(zpath), "%s/hcpcs_2019.zip", dir);
    za = zip_open(zpath, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    CHECK(za && zip_put(za, "icd/icd10cm_codes_2025.txt.gz", gzp, NULL));
    CHECK(za && zip_put(za, "HCPC2019_CONTR_ANWEB.txt",
                        FIX "/hcpcs/HCPC2019_CONTR_ANWEB.txt", NULL));
    CHECK(za && zip_put(za, "HCPC2019_CONTR_ANWEB.xlsx", NULL, "PK not"));
    CHECK(za && zip_put(za, "proc_notes_2019.txt", NULL, "notes\n"));
    CHECK(za && zip_put(za, "inner.zip", inner, NULL));
    CHECK(za && zip_close(za) == 0);
    unlink(too_deep);
    unlink(deeper);
    unlink(deep);
    unlink(inner);
    unlink(gzp);

    b = new_build(1);
    mn_error_clear(&err);
    CHECK_INT(mn_build_add_path(b, zpath, &err), MN_OK);
    CHECK_INT(mn_build_to_memory(&bytes, &len, b, &err), MN_OK);
    if (err.code)
        fprintf(stderr, "%s: %s\n", err.where, err.message);
    CHECK_INT(n_reports, 6);

    s = find("/hcpcs_2019.zip!icd/icd10cm_codes_2025.txt.gz");
    CHECK(s != NULL);
    if (s) {
        CHECK_STR(s->layout, MN_LAYOUT_ICD_CODES_TXT);
        CHECK_STR(s->note, "fiscal year 2025, from 2024-10-01");
        CHECK_INT(s->rows, 15);
    }
    s = find("/hcpcs_2019.zip!HCPC2019_CONTR_ANWEB.txt");
    CHECK(s != NULL);
    if (s) {
        CHECK_STR(s->layout, MN_LAYOUT_HCPCS_ANWEB);
        CHECK_INT(s->rows, 20);
        CHECK_CONTAINS(s->note, "data year 2019");
    }
    s = find("/hcpcs_2019.zip!HCPC2019_CONTR_ANWEB.xlsx");
    CHECK(s && !s->has_layout);
    if (s)
        CHECK_CONTAINS(s->note, "spreadsheet");
    s = find("/hcpcs_2019.zip!proc_notes_2019.txt");
    CHECK(s && !s->has_layout && s->has_note);
    s = find("/hcpcs_2019.zip!inner.zip!mce/mce_v41_1_fy2024_code_edits.csv");
    CHECK(s != NULL);
    if (s) {
        CHECK_STR(s->layout, MN_LAYOUT_MCE_CSV);
        CHECK_INT(s->rows, 28);
    }
    s = find("/hcpcs_2019.zip!inner.zip!deep.zip!deepest.zip!too_deep.zip");
    CHECK(s && !s->has_layout);
    if (s)
        CHECK_CONTAINS(s->note, "nested more than 4 levels");
    /* the same sources give the same bytes */
    CHECK_INT(mn_build_to_memory(&again, &again_len, b, &err), MN_OK);
    CHECK(bytes && again && again_len == len && memcmp(bytes, again, len) == 0);
    mn_kb_bytes_free(again);
    mn_kb_bytes_free(bytes);
    mn_build_free(b);
    rm_dir(dir);
}

static void test_gz(void)
{
    char dir[512];
    char gzpath[600];
    char *text;
    size_t tlen = 0;
    gzFile gz;
    mn_build *b = NULL;
    mn_error err;
    void *bytes = NULL;
    size_t len = 0;
    mn_srclist list;
    const seen *s;

    if (!temp_dir(dir, sizeof(dir))) {
        CHECK(0);
        return;
    }
    text = mn_t_slurp(FIX "/icd/icd10cm_order_2024.txt", &tlen);
    CHECK(text != NULL);
    snprintf(gzpath, sizeof(gzpath), "%s/icd10cm_order_2024.txt.gz", dir);
    gz = gzopen(gzpath, "wb");
    CHECK(gz != NULL);
    if (gz && text) {
        CHECK_INT(gzwrite(gz, text, (unsigned)tlen), (long long)tlen);
        CHECK_INT(gzclose(gz), Z_OK);
    }

    b = new_build(1);
    mn_error_clear(&err);
    CHECK_INT(mn_build_add_path(b, dir, &err), MN_OK);
    CHECK_INT(mn_build_to_memory(&bytes, &len, b, &err), MN_OK);
    CHECK_INT(n_reports, 1);
    s = find("/icd10cm_order_2024.txt.gz");
    CHECK(s != NULL);
    if (s) {
        CHECK_STR(s->layout, MN_LAYOUT_ICD_ORDER_TXT);
        CHECK_STR(s->note, "fiscal year 2024, from 2023-10-01");
        CHECK_INT(s->rows, 36);
    }
    mn_kb_bytes_free(bytes);
    mn_build_free(b);

    /* files nobody asked for are listed but not read */
    memset(&list, 0, sizeof(list));
    mn_error_clear(&err);
    CHECK_INT(mn_x__sources_add(&list, gzpath, 1000, NULL, NULL, &err), MN_OK);
    CHECK_INT(list.n, 1);
    CHECK(list.n == 1 && list.items[0].data == NULL);
    if (list.n == 1)
        CHECK_STR(list.items[0].name, "icd10cm_order_2024.txt");
    mn_x__sources_free(&list);
    free(text);
    rm_dir(dir);
}

static bool want_all(void *payload, const char *name)
{
    (void)payload;
    (void)name;
    return true;
}

static void test_size_cap(void)
{
    mn_srclist list;
    mn_error err;
    char dir[512];
    char path[600];
    int rc;

    memset(&list, 0, sizeof(list));
    mn_error_clear(&err);
    rc = mn_x__sources_add(&list, FIX "/icd/icd10cm_order_2024.txt", 1000,
                           want_all, NULL, &err);
    CHECK_INT(rc, MN_ELIMIT);
    CHECK_CONTAINS(err.message, "larger than 1000 bytes");
    CHECK_CONTAINS(err.where, "icd10cm_order_2024.txt");
    mn_x__sources_free(&list);

    if (!temp_dir(dir, sizeof(dir))) {
        CHECK(0);
        return;
    }
    snprintf(path, sizeof(path), "%s/big.csv.gz", dir);
    {
        gzFile gz = gzopen(path, "wb");
        static char zeros[4096];
        memset(zeros, 'x', sizeof(zeros));
        for (int i = 0; gz && i < 4; i++)
            gzwrite(gz, zeros, sizeof(zeros));
        if (gz)
            gzclose(gz);
    }
    mn_error_clear(&err);
    rc = mn_x__sources_add(&list, path, 10000, want_all, NULL, &err);
    CHECK_INT(rc, MN_ELIMIT);
    CHECK_STR(err.where, path);
    mn_x__sources_free(&list);
    mn_error_clear(&err);
    rc = mn_x__sources_add(&list, path, 0, want_all, NULL, &err);
    CHECK_INT(rc, MN_OK);
    CHECK(list.n == 1 && list.items[0].len == 16384);
    if (list.n == 1)
        CHECK_STR(list.items[0].name, "big.csv");
    mn_x__sources_free(&list);
    rm_dir(dir);
}

static void test_write(void)
{
    char dir[512];
    char out[600];
    mn_build *b = NULL;
    mn_error err;
    mn_kb *kb = NULL;
    DIR *d;
    struct dirent *e;
    int entries = 0;

    if (!temp_dir(dir, sizeof(dir))) {
        CHECK(0);
        return;
    }
    snprintf(out, sizeof(out), "%s/kb.mnkb", dir);
    b = new_build(0);
    mn_error_clear(&err);
    CHECK_INT(mn_build_add_path(b, FIX "/mce", &err), MN_OK);
    CHECK_INT(mn_build_write(b, out, &err), MN_OK);
    if (err.code)
        fprintf(stderr, "%s: %s\n", err.where, err.message);
    /* a second run over the same build replaces the file */
    CHECK_INT(mn_build_write(b, out, &err), MN_OK);
    CHECK_INT(mn_kb_open(&kb, out, &err), MN_OK);
    if (kb) {
        mn_kb_stats st;
        memset(&st, 0, sizeof(st));
        st.version = MN_KB_STATS_VERSION;
        mn_kb_get_stats(&st, kb);
        CHECK(st.mce_edits > 0);
        CHECK(st.rules > 0); /* the built-in packs */
    }
    mn_kb_free(kb);
    /* no temporary file is left behind */
    d = opendir(dir);
    for (e = d ? readdir(d) : NULL; e; e = readdir(d)) {
        if (e->d_name[0] != '.')
            entries++;
    }
    if (d)
        closedir(d);
    CHECK_INT(entries, 1);

    /* a folder that cannot be written: error, nothing left behind */
    snprintf(out, sizeof(out), "%s/no/such/dir/kb.mnkb", dir);
    mn_error_clear(&err);
    CHECK_INT(mn_build_write(b, out, &err), MN_EIO);
    CHECK_STR(err.where, out);
    mn_build_free(b);
    rm_dir(dir);
}

static void test_errors(void)
{
    char dir[512];
    char path[600];
    mn_build *b = NULL;
    mn_error err;
    void *bytes = NULL;
    size_t len = 0;
    static const char broken[] =
        "\"order_number\",\"icd10cm_code\",\"valid_billing_code\","
        "\"icd10cm_short_description\",\"icd10cm_long_description\"\n"
        "1,\"A00\",0,\"Cholera\",\"Cholera\"\n"
        "2,\"A000\",1,\"Cholera due\",\"Cholera \"due\" to\"\n";

    /* a path that does not exist */
    b = new_build(1);
    mn_error_clear(&err);
    CHECK_INT(mn_build_add_path(b, FIX "/no-such-folder", &err), MN_OK);
    CHECK_INT(mn_build_to_memory(&bytes, &len, b, &err), MN_ENOTFOUND);
    CHECK(bytes == NULL);
    CHECK_CONTAINS(err.where, "no-such-folder");
    mn_build_free(b);

    if (!temp_dir(dir, sizeof(dir))) {
        CHECK(0);
        return;
    }
    /* a CSV with broken quoting aborts the build with its position */
    snprintf(path, sizeof(path), "%s/icd10cm_fy2022.csv", dir);
    CHECK(write_file(path, broken, strlen(broken)));
    b = new_build(1);
    mn_error_clear(&err);
    CHECK_INT(mn_build_add_path(b, dir, &err), MN_OK);
    CHECK_INT(mn_build_to_memory(&bytes, &len, b, &err), MN_EINVAL);
    CHECK(bytes == NULL);
    CHECK_STR(err.where, path);
    CHECK_INT(err.line, 3);
    CHECK(err.column > 0);
    mn_build_free(b);
    unlink(path);

    /* a wrong header is reported and not loaded; with nothing else
       recognised the build writes nothing (MN_ENOTFOUND) */
    snprintf(path, sizeof(path), "%s/icd10cm_fy2022.csv", dir);
    CHECK(write_file(path, "a,b\n1,2\n", 8));
    b = new_build(1);
    mn_error_clear(&err);
    CHECK_INT(mn_build_add_path(b, dir, &err), MN_OK);
    CHECK_INT(mn_build_to_memory(&bytes, &len, b, &err), MN_ENOTFOUND);
    CHECK(bytes == NULL);
    CHECK_CONTAINS(err.message, "no recognised source");
    CHECK_INT(n_reports, 1);
    if (n_reports == 1) {
        CHECK(!reports[0].has_layout);
        CHECK_CONTAINS(reports[0].note, "header does not match");
    }
    mn_build_free(b);
    unlink(path);

    /* a file named .zip that is not one */
    snprintf(path, sizeof(path), "%s/broken.zip", dir);
    CHECK(write_file(path, "not a zip archive", 17));
    b = new_build(1);
    mn_error_clear(&err);
    CHECK_INT(mn_build_add_path(b, path, &err), MN_OK);
    CHECK_INT(mn_build_to_memory(&bytes, &len, b, &err), MN_EIO);
    CHECK_STR(err.where, path);
    CHECK_CONTAINS(err.message, "zip");
    mn_build_free(b);
    unlink(path);

    /* a folder and a file this user may not read: the reason (it said
     * "cannot open folder", "cannot open file"); as root, as nobody */
    {
        char sub[600];
        pid_t pid;
        int status = 0;
        snprintf(sub, sizeof(sub), "%s/closed", dir);
        snprintf(path, sizeof(path), "%s/icd10cm_order_2024.txt", dir);
        CHECK_INT(mkdir(sub, 0), 0);
        CHECK(write_file(path, "x", 1));
        chmod(path, 0);
        chmod(dir, 0755);
        pid = fork();
        if (pid == 0) {
            int bad = 0;
            if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
                _exit(77);
            for (int i = 0; i < 2; i++) {
                mn_build *nb = new_build(1);
                mn_error_clear(&err);
                mn_build_add_path(nb, i ? path : sub, &err);
                bad |= mn_build_to_memory(&bytes, &len, nb, &err) != MN_EIO;
                bad |= strcmp(err.where, i ? path : sub) != 0;
                bad |= strcmp(err.message, i ? "cannot open: Permission denied"
                                             : "cannot open folder: "
                                               "Permission denied") != 0;
                if (bad)
                    fprintf(stderr, "  %s: %s\n", err.where, err.message);
                mn_build_free(nb);
            }
            _exit(bad);
        }
        CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
        if (WEXITSTATUS(status) == 77)
            fprintf(stderr, "note: cannot become nobody: unreadable sources "
                            "not tested\n");
        else
            CHECK_INT(WEXITSTATUS(status), 0);
        chmod(dir, 0700);
        rmdir(sub);
        unlink(path);
    }

    /* misuse */
    mn_error_clear(&err);
    CHECK_INT(mn_build_add_path(NULL, "x", &err), MN_EINVAL);
    CHECK_INT(mn_build_add_rules(NULL, "x", "", 0, &err), MN_EINVAL);
    {
        mn_build_options o = MN_BUILD_OPTIONS_INIT;
        o.built = "July 2024";
        CHECK_INT(mn_build_new(&b, &o, &err), MN_EINVAL);
        CHECK(b == NULL);
    }
    mn_build_free(NULL);
    rm_dir(dir);
}

static void test_fy_override(void)
{
    mn_build_options o = MN_BUILD_OPTIONS_INIT;
    mn_build *b = NULL;
    mn_error err;
    void *bytes = NULL;
    size_t len = 0;
    const seen *s;

    o.no_builtin = 1;
    o.icd_fy_override = 2030;
    o.report = on_report;
    n_reports = 0;
    mn_error_clear(&err);
    CHECK_INT(mn_build_new(&b, &o, &err), MN_OK);
    CHECK_INT(mn_build_add_path(b, FIX "/icd/icd10cm-order-Jan-2021.txt", &err),
              MN_OK);
    CHECK_INT(mn_build_to_memory(&bytes, &len, b, &err), MN_OK);
    s = find("/icd10cm-order-Jan-2021.txt");
    CHECK(s != NULL);
    if (s)
        CHECK_STR(s->note, "fiscal year 2030, from 2029-10-01");
    mn_kb_bytes_free(bytes);
    mn_build_free(b);
}

static void test_rules_queued(void)
{
    mn_build *b = new_build(1);
    mn_error err;
    void *bytes = NULL;
    size_t len = 0;

    mn_error_clear(&err);
    /* a pack that does not compile fails the build, naming the pack */
    CHECK_INT(
        mn_build_add_rules(b, "broken.mnr", "this is not a rule", 18, &err),
        MN_OK);
    CHECK(mn_build_to_memory(&bytes, &len, b, &err) < 0);
    CHECK(bytes == NULL);
    CHECK_CONTAINS(err.where, "broken.mnr");
    mn_build_free(b);
}

int main(void)
{
    RUN(test_folders);
    RUN(test_zip);
    RUN(test_gz);
    RUN(test_size_cap);
    RUN(test_write);
    RUN(test_errors);
    RUN(test_fy_override);
    RUN(test_rules_queued);
    DONE();
}
