/*
 * test_compact.c: the compact code lists of the built-in KB
 * (data/builtin, build/load/load_compact.c) and the built-in KB that
 * holds them.
 */
#define _POSIX_C_SOURCE 200809L

#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#include "build/load/loaders.h"
#include "kb/kb_int.h"
#include "mednec.h"

#define DATA MN_SOURCE_DIR "/data/builtin"

static mn_src src_of(const char *name, const char *text)
{
    mn_src s;
    s.path = name;
    s.name = name;
    s.data = text;
    s.len = strlen(text);
    s.date = 0;
    return s;
}

static int load(mn_kbb *b, const char *name, const char *text, mn_report *rep,
                mn_error *err)
{
    mn_src s = src_of(name, text);
    memset(rep, 0, sizeof(*rep));
    mn_error_clear(err);
    return mn_x__load_compact(b, &s, rep, err);
}

static bool has_reason(const mn_report *r, const char *reason)
{
    for (size_t i = 0; i < r->n_reasons; i++) {
        if (strstr(r->reasons[i].text, reason))
            return true;
    }
    return false;
}

#define ICD_HEAD "# mednec compact ICD-10-CM code list, format 1\n"
#define HCPCS_HEAD "# mednec compact HCPCS Level II code list, format 1\n"
#define MOD_HEAD "# mednec compact HCPCS Level II modifier list, format 1\n"

/* ------------------------------------------------------------------ */
/* The loader                                                           */
/* ------------------------------------------------------------------ */

static void test_icd_list(void)
{
    mn_kbb *b = NULL;
    mn_report rep;
    mn_error err;
    void *bytes = NULL;
    size_t len = 0;
    mn_kb *kb = NULL;

    CHECK_INT(mn_x__kbb_new(&b), MN_OK);
    CHECK_INT(load(b, "mednec_icd10cm_codes.txt",
                   ICD_HEAD "# comment\n"
                            "version 1 2021-10-01 a.csv\n"
                            "version 2 2022-04-01 b.csv\n"
                            "A00 HH\n"
                            "A000 BB\n"
                            "A001\n"         /* the flags of the line before */
                            "U099 -B\n"      /* from the April update */
                            "U099 BB\n"      /* repeated: skipped */
                            "V000 BX\n"      /* bad flag */
                            "a0101 BB\n"     /* lower case: bad code */
                            "A01.02 BB\n"    /* dotted: bad code */
                            "B99 BB extra\n" /* three fields */
                            "\n",
                   &rep, &err),
              MN_OK);
    CHECK_STR(rep.layout, "mednec compact icd-10-cm list");
    CHECK_INT(rep.rows, 4);
    CHECK_INT(rep.skipped, 5);
    CHECK(has_reason(&rep, "code out of order or repeated"));
    CHECK(has_reason(&rep, "bad flags"));
    CHECK(has_reason(&rep, "bad code"));
    CHECK(has_reason(&rep, "more than a code and its flags"));
    CHECK_STR(rep.note, "2 icd-10-cm versions");
    CHECK_INT(mn_x__kbb_serialize(b, "2026-01-01", &bytes, &len, &err), MN_OK);
    mn_x__kbb_free(b);
    CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err), MN_OK);
    if (kb) {
        const kb_icd *e = mn_x__kb_icd(kb, mn_x__key("U099", 4));
        CHECK_INT(kb->meta->n_icd_years, 2);
        CHECK(e && e->present == 2u && e->billable == 2u);
        e = mn_x__kb_icd(kb, mn_x__key("A001", 4));
        CHECK(e && e->present == 3u && e->billable == 3u);
        e = mn_x__kb_icd(kb, mn_x__key("A00", 3));
        CHECK(e && e->present == 3u && e->billable == 0u);
        CHECK_INT(mn_kb_coverage_count(kb), 2);
    }
    mn_kb_free(kb);
    mn_kb_bytes_free(bytes);

    /* structural errors stop the build with the line */
    CHECK_INT(mn_x__kbb_new(&b), MN_OK);
    CHECK_INT(
        load(b, "mednec_icd10cm_codes.txt", ICD_HEAD "A00 H\n", &rep, &err),
        MN_EINVAL);
    CHECK_CONTAINS(err.message, "codes before any version line");
    CHECK_INT(err.line, 2);
    CHECK_STR(err.where, "mednec_icd10cm_codes.txt");
    CHECK_INT(load(b, "mednec_icd10cm_codes.txt",
                   ICD_HEAD "version 2 2021-10-01 a\n", &rep, &err),
              MN_EINVAL);
    CHECK_CONTAINS(err.message, "version N YYYY-MM-DD SOURCE");
    CHECK_INT(load(b, "mednec_icd10cm_codes.txt",
                   ICD_HEAD "version 1 2021-10-01 a\nA00 H\nversion 2 "
                            "2022-10-01 b\n",
                   &rep, &err),
              MN_EINVAL);
    CHECK_INT(err.line, 4);
    /* a version the KB format cannot hold (found by fuzz_compact) */
    CHECK_INT(load(b, "mednec_icd10cm_codes.txt",
                   ICD_HEAD "version 1 2422-04-01 a\n", &rep, &err),
              MN_EINVAL);
    CHECK_CONTAINS(err.message, "fiscal years 1990 to 2099");
    CHECK_INT(load(b, "mednec_x.txt", "# not a list\n", &rep, &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "does not name a mednec compact list");
    mn_x__kbb_free(b);
}

static void test_hcpcs_and_modifier_lists(void)
{
    mn_kbb *b = NULL;
    mn_report rep;
    mn_error err;
    void *bytes = NULL;
    size_t len = 0;
    mn_kb *kb = NULL;

    CHECK_INT(mn_x__kbb_new(&b), MN_OK);
    CHECK_INT(load(b, "mednec_hcpcs_codes.txt",
                   HCPCS_HEAD "year 2019 2 a.txt\n"
                              "year 2024 3 b.csv\n"
                              "A0021\t19850101\t-\tI\t-\n"
                              "G0202\t20010101\t20171231\tC\t-\n"
                              "V5010\t19980101\t-\tS\t1862A7\n"
                              "99213\t19920101\t-\tC\t-\n"   /* CPT */
                              "V5020\t2001-01-01\t-\tC\t-\n" /* date */
                              "V5030\t20010101\t-\tQQ\t-\n"  /* coverage */
                              "V5040\t20010101\t-\n"         /* fields */
                              "V5050\t20010101\t-\tX\t-\n",  /* letter */
                   &rep, &err),
              MN_OK);
    CHECK_INT(rep.rows, 3);
    CHECK_INT(rep.skipped, 5);
    CHECK(has_reason(&rep, "not a hcpcs level ii code"));
    CHECK(has_reason(&rep, "bad date"));
    CHECK(has_reason(&rep, "bad coverage code"));
    CHECK(has_reason(&rep, "not five tab-separated fields"));
    CHECK_INT(load(b, "mednec_hcpcs_modifiers.txt",
                   MOD_HEAD "year 2024\nGA Waiver of liability statement "
                            "issued as required by payer policy, individual "
                            "case\nKX Requirements specified in the medical "
                            "policy have been met\nG Bad\n25\n",
                   &rep, &err),
              MN_OK);
    CHECK_INT(rep.rows, 3);
    CHECK_INT(rep.skipped, 1);
    CHECK_STR(rep.note, "year 2024");
    CHECK_INT(mn_x__kbb_serialize(b, "2026-01-01", &bytes, &len, &err), MN_OK);
    mn_x__kbb_free(b);
    CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err), MN_OK);
    if (kb) {
        const kb_hcpcs *h = mn_x__kb_hcpcs(kb, mn_x__key("V5010", 5));
        CHECK(h && h->coverage == 'S');
        if (h)
            CHECK_STR(kb_s(kb, h->statute), "1862A7");
        h = mn_x__kb_hcpcs(kb, mn_x__key("G0202", 5));
        CHECK(h && h->terminated == mn_x__days_from_civil(2017, 12, 31));
        CHECK(mn_x__kb_hcpcs(kb, mn_x__key("99213", 5)) == NULL);
        CHECK(mn_x__kb_modifier(kb, "kx") != NULL);
        CHECK(mn_x__kb_modifier(kb, "25") != NULL); /* described or not */
        CHECK_INT(mn_kb_covers(kb, MN_SOURCE_HCPCS, "2019-06-01"), 1);
        CHECK_INT(mn_kb_covers(kb, MN_SOURCE_HCPCS, "2021-06-01"), 0);
        CHECK_INT(mn_kb_covers(kb, MN_SOURCE_HCPCS_MODIFIERS, "2024-06-01"), 1);
    }
    mn_kb_free(kb);
    mn_kb_bytes_free(bytes);

    /* the modifier list in the shared CSV layout needs both columns */
    CHECK_INT(mn_x__kbb_new(&b), MN_OK);
    {
        mn_src s = src_of("hcpcs_modifiers.csv", "mod_code,mod_type\nGA,x\n");
        memset(&rep, 0, sizeof(rep));
        CHECK_INT(mn_x__load_modifiers(b, &s, &rep, &err), MN_EINVAL);
        CHECK_CONTAINS(err.message, "missing column mod_description");
        s = src_of("hcpcs_modifiers.csv",
                   "mod_code,mod_description\nGA,Waiver\n,empty\nG,short\n");
        memset(&rep, 0, sizeof(rep));
        CHECK_INT(mn_x__load_modifiers(b, &s, &rep, &err), MN_OK);
        CHECK_INT(rep.rows, 1);
        CHECK_INT(rep.skipped, 2);
        CHECK_CONTAINS(rep.note, "year unknown");
    }
    mn_x__kbb_free(b);
}

/* ------------------------------------------------------------------ */
/* The built-in KB                                                      */
/* ------------------------------------------------------------------ */

static void test_builtin(void)
{
    mn_kb *kb = NULL;
    mn_kb_stats st;
    mn_error err;
    struct stat fst;
    off_t total = 0;
    static const char *const files[] = {"mednec_icd10cm_codes.txt",
                                        "mednec_hcpcs_codes.txt",
                                        "mednec_hcpcs_modifiers.txt"};

    /* at most 2 MB of code lists in the repository */
    for (size_t i = 0; i < 3; i++) {
        char p[512];
        snprintf(p, sizeof(p), "%s/%s", DATA, files[i]);
        CHECK(stat(p, &fst) == 0);
        total += fst.st_size;
    }
    CHECK(total > 0 && total <= 2 * 1024 * 1024);

    CHECK_INT(mn_kb_open_builtin(&kb, &err), MN_OK);
    if (!kb)
        return;
    memset(&st, 0, sizeof(st));
    mn_kb_get_stats(&st, kb);
    CHECK_INT(st.icd_years, 3);
    CHECK(st.icd_codes > 97000);
    CHECK(st.hcpcs_codes > 8000);
    CHECK(st.hcpcs_modifiers > 350);
    /* no CPT code and no description of a code */
    for (size_t i = 0; i < kb->n_hcpcs; i++) {
        char t[12];
        mn_x__key_text(t, kb->hcpcs[i].key);
        if (!mn_x__hcpcs2_shape(t, strlen(t)) || kb->hcpcs[i].desc.len) {
            CHECK(!"a CPT code or a description in the built-in HCPCS list");
            break;
        }
    }
    for (size_t i = 0; i < kb->n_icd; i++) {
        if (kb->icd[i].desc.len) {
            CHECK(!"a description in the built-in ICD-10-CM list");
            break;
        }
    }
    CHECK_INT(mn_kb_covers(kb, MN_SOURCE_ICD10CM, "2024-03-04"), 1);
    CHECK_INT(mn_kb_covers(kb, MN_SOURCE_ICD10CM, "2023-03-04"), 0);
    CHECK_INT(mn_kb_covers(kb, MN_SOURCE_HCPCS, "2024-03-04"), 1);
    CHECK_INT(mn_kb_covers(kb, MN_SOURCE_MCD, "2024-03-04"), -1);
    /* the sources by name, not by where the build found them */
    {
        mn_kb_coverage c;
        c.version = MN_KB_COVERAGE_VERSION;
        CHECK_INT(mn_kb_coverage_at(&c, kb, 0, &err), MN_OK);
        CHECK_STR(c.sources, "mednec_icd10cm_codes.txt (from "
                             "icd10cm-order-Jan-2021.txt.gz)");
    }
    /* E11.A (FY2025) is unknown to FY2024 and judged only where the KB
       covers the date; Z99999 is no code at all */
    {
        const kb_icd *e = mn_x__kb_icd(kb, mn_x__key("E11A", 4));
        CHECK(e == NULL);
        e = mn_x__kb_icd(kb, mn_x__key("E1165", 5));
        CHECK(e && e->present == 7u && e->billable == 7u);
        e = mn_x__kb_icd(kb, mn_x__key("U071", 4));
        CHECK(e && (e->present & 1u)); /* COVID-19 in the Jan 2021 file */
    }
    mn_kb_free(kb);
}

int main(void)
{
    RUN(test_icd_list);
    RUN(test_hcpcs_and_modifier_lists);
    RUN(test_builtin);
    DONE();
}
