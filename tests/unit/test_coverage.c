/*
 * test_coverage.c: what a knowledge base covers and what the check does
 * where it stops: ICD-10-CM versions by effective date (April updates),
 * the coverage table of every kind of source, rule-pack periods
 * (`covers`), the kb.* findings, the build's refusal of an empty KB and
 * its source dates, KB validation of the new sections.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "harness.h"

#include "build/load/loaders.h"
#include "kb/kb_int.h"
#include "mednec.h"

static char tmp[] = "/tmp/mn_cov_XXXXXX";

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

static int32_t day(const char *s)
{
    int32_t d = MN_NODATE;
    mn_x__parse_date(&d, s, strlen(s), false);
    return d;
}

static void put(const char *dir, const char *name, const char *text)
{
    char p[512];
    FILE *f;
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    f = fopen(p, "wb");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* A fresh folder under the test's temporary folder. */
static const char *folder(const char *name)
{
    static char p[8][512];
    static int next;
    char *out = p[next++ % 8];
    snprintf(out, 512, "%s/%s", tmp, name);
    mkdir(out, 0755);
    return out;
}

/* One record of the CDC order file (fixed width). */
static void order_line(char *out, size_t cap, int n, const char *code,
                       int billable, const char *desc)
{
    snprintf(out, cap, "%05d %-7s %d %-60.60s %s\n", n, code, billable, desc,
             desc);
}

/* An order file of `codes` ("A000:1,A00:0,..." with a flag each). */
static void order_file(const char *dir, const char *name, const char *codes)
{
    char text[8192] = "";
    char line[256];
    char code[16];
    int n = 0;
    const char *p = codes;

    while (p && *p) {
        const char *c = strchr(p, ':');
        const char *e = strchr(p, ',');
        size_t l = (size_t)(c - p);
        snprintf(code, sizeof(code), "%.*s", (int)l, p);
        order_line(line, sizeof(line), ++n, code, c[1] == '1',
                   "Test diagnosis");
        strncat(text, line, sizeof(text) - strlen(text) - 1);
        p = e ? e + 1 : NULL;
    }
    put(dir, name, text);
}

static mn_kb *build(const char *const *paths, const char *const *packs,
                    const char *const *dates, int no_builtin, mn_error *err)
{
    mn_build_options o = MN_BUILD_OPTIONS_INIT;
    mn_build *b = NULL;
    mn_kb *kb = NULL;
    void *bytes = NULL;
    size_t len = 0;
    int rc;

    o.no_builtin = no_builtin;
    o.built = "2026-01-01";
    o.allow_empty = 1;
    mn_error_clear(err);
    rc = mn_build_new(&b, &o, err);
    for (size_t i = 0; !rc && paths && paths[i]; i++)
        rc = mn_build_add_path(b, paths[i], err);
    for (size_t i = 0; !rc && packs && packs[i]; i++)
        rc = mn_build_add_rules(b, "t.mnr", packs[i], strlen(packs[i]), err);
    for (size_t i = 0; !rc && dates && dates[i]; i += 2)
        rc = mn_build_set_source_date(b, dates[i], dates[i + 1], err);
    if (!rc)
        rc = mn_build_to_memory(&bytes, &len, b, err);
    if (!rc)
        rc = mn_kb_open_buffer(&kb, bytes, len, 1, err);
    if (rc)
        fprintf(stderr, "build: %s: %s\n", err->where, err->message);
    mn_kb_bytes_free(bytes);
    mn_build_free(b);
    return kb;
}

static mn_ctx *ctx;
static mn_claim *claim;

/* One line: code, diagnoses (JSON array members), date; extra members of
 * the line (",\"units\":2") and of the claim (history). */
static const mn_result *check(const mn_kb *kb, const char *code, const char *dx,
                              const char *date, const char *line_extra,
                              const char *claim_extra)
{
    char json[2048];
    const mn_result *r = NULL;
    mn_error err;

    snprintf(json, sizeof(json),
             "{\"patient\":{\"birth_date\":\"1950-04-02\",\"sex\":\"F\"},"
             "\"diagnoses\":[%s],\"lines\":[{\"code\":\"%s\",\"date\":\"%s\""
             "%s}]%s}",
             dx, code, date, line_extra ? line_extra : "",
             claim_extra ? claim_extra : "");
    mn_error_clear(&err);
    mn_claim_free(claim);
    claim = NULL;
    if (mn_claim_parse_json(&claim, json, strlen(json), NULL, &err) ||
        mn_check(&r, ctx, kb, claim, &err)) {
        fprintf(stderr, "check: %s\n%s\n", err.message, json);
        return NULL;
    }
    return r;
}

static size_t count(const mn_result *r, const char *edit)
{
    size_t n = 0;
    for (size_t i = 0; r && i < mn_result_finding_count(r, 0); i++)
        n += !strcmp(mn_result_finding_edit(r, 0, i), edit);
    return n;
}

/* The message of the first finding of `edit` whose citation id is `id`
 * (any id when NULL), or "". */
static const char *msg(const mn_result *r, const char *edit, const char *id)
{
    static mn_finding_info fi;
    mn_error err;
    for (size_t i = 0; r && i < mn_result_finding_count(r, 0); i++) {
        fi.version = MN_FINDING_INFO_VERSION;
        if (mn_result_finding(&fi, r, 0, i, &err) == MN_OK &&
            !strcmp(fi.edit->id, edit) &&
            (!id || (fi.citation.id && !strcmp(fi.citation.id, id))))
            return fi.message;
    }
    return "";
}

static mn_status status(const mn_result *r)
{
    return r ? mn_result_line_status(r, 0) : MN_STATUS_INVALID;
}

/* ------------------------------------------------------------------ */
/* Names                                                                */
/* ------------------------------------------------------------------ */

static void test_effective_names(void)
{
    static const struct {
        const char *name;
        const char *date;
    } cases[] = {
        {"icd10cm_order_2024.txt", "2023-10-01"},
        {"icd10cm_fy2024_order.csv", "2023-10-01"},
        {"icd10cm-order-jan-2021.txt", "2021-01-01"},
        {"icd10cm-order-oct-2020.txt", "2020-10-01"},
        {"icd10cm_order_april_1_2023.txt", "2023-04-01"},
        {"icd10cm_order_2022-04-01.txt", "2022-04-01"},
        {"icd10cm_codes_20220401.txt", "2022-04-01"},
        {"icd10cm_fy2022_april.csv", "2022-04-01"},
        {"icd10cm_codes_2025.txt", "2024-10-01"},
        {"icd10cm_codes.txt", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int32_t got = mn_x__icd_effective_from_name(cases[i].name);
        char t[11] = "none";
        if (got != MN_NODATE)
            mn_x__format_date(t, got);
        CHECK_STR(t, cases[i].date ? cases[i].date : "none");
        /* the fiscal year the name gives is the effective date's */
        if (cases[i].date)
            CHECK_INT(mn_x__icd_fy_from_name(cases[i].name),
                      mn_x__fiscal_year(got));
    }
}

/* ------------------------------------------------------------------ */
/* ICD-10-CM versions                                                   */
/* ------------------------------------------------------------------ */

static void test_icd_versions(void)
{
    const char *dir = folder("icd");
    const char *paths[] = {dir, NULL};
    mn_kb_coverage c;
    mn_error err;
    mn_kb *kb;
    const mn_result *r;

    /* made-up code sets: U09.9 arrives with the April 2022 update, A00.1
       is gone from FY2024 */
    order_file(dir, "icd10cm_order_2022.txt", "A00:0,A000:1,A001:1,Z1159:1");
    order_file(dir, "icd10cm_order_2022-04-01.txt",
               "A00:0,A000:1,A001:1,U099:1,Z1159:1");
    order_file(dir, "icd10cm_order_2024.txt", "A00:0,A000:1,U099:1,Z1159:1");
    kb = build(paths, NULL, NULL, 1, &err);
    CHECK(kb != NULL);
    if (!kb)
        return;
    CHECK_INT(kb->meta->n_icd_years, 3);
    CHECK_INT(kb->meta->icd_from[1], day("2022-04-01"));
    CHECK_INT(kb->meta->icd_to[0], day("2022-03-31"));
    CHECK_INT(kb->meta->icd_to[1], day("2022-09-30"));
    CHECK_INT(kb->meta->icd_to[2], day("2024-09-30"));
    CHECK_INT(kb->meta->icd_years[1], 2022);
    CHECK_INT(mn_x__kb_icd_version(kb, day("2022-03-31")), 0);
    CHECK_INT(mn_x__kb_icd_version(kb, day("2022-04-01")), 1);
    CHECK_INT(mn_x__kb_icd_version(kb, day("2022-10-01")), MN_KB_OUTSIDE);
    CHECK_INT(mn_x__kb_icd_version(kb, day("2021-09-30")), MN_KB_OUTSIDE);

    /* the coverage records: one per version */
    CHECK_INT(mn_kb_coverage_count(kb), 3);
    c.version = MN_KB_COVERAGE_VERSION;
    CHECK_INT(mn_kb_coverage_at(&c, kb, 1, &err), MN_OK);
    CHECK_INT(c.kind, MN_SOURCE_ICD10CM);
    CHECK_STR(c.label, "FY2022 update 2022-04-01");
    CHECK_STR(c.from, "2022-04-01");
    CHECK_STR(c.to, "2022-09-30");
    CHECK_INT(c.rows, 5);
    CHECK(c.dated);
    CHECK_CONTAINS(c.sources, "icd10cm_order_2022-04-01.txt");
    CHECK_INT(mn_kb_coverage_at(&c, kb, 3, &err), MN_EINVAL);
    c.version = 99;
    CHECK_INT(mn_kb_coverage_at(&c, kb, 0, &err), MN_EINVAL);
    CHECK_INT(mn_kb_covers(kb, MN_SOURCE_ICD10CM, "2022-03-31"), 1);
    CHECK_INT(mn_kb_covers(kb, MN_SOURCE_ICD10CM, "2023-01-15"), 0);
    CHECK_INT(mn_kb_covers(kb, MN_SOURCE_HCPCS, "2023-01-15"), -1);
    CHECK_INT(mn_kb_covers(kb, MN_SOURCE_ICD10CM, "2023-02-30"), MN_EINVAL);

    /* codes valid per version, not per fiscal year */
    r = check(kb, "99213", "\"U09.9\"", "2022-03-31", NULL, NULL);
    CHECK_INT(count(r, "dx.invalid"), 1);
    r = check(kb, "99213", "\"U09.9\"", "2022-04-01", NULL, NULL);
    CHECK_INT(status(r), MN_STATUS_COVERED);
    r = check(kb, "99213", "\"A00.1\"", "2024-06-01", NULL, NULL);
    CHECK_INT(count(r, "dx.invalid"), 1);
    /* FY2023 has no version: indeterminate, never judged by FY2022 or
       FY2024 (A00.1 would be valid by one and invalid by the other) */
    r = check(kb, "99213", "\"A00.1\"", "2023-03-01", NULL, NULL);
    CHECK_INT(status(r), MN_STATUS_INDETERMINATE);
    CHECK_INT(count(r, "dx.invalid"), 0);
    CHECK_INT(count(r, "kb.outside_range"), 1);
    CHECK_CONTAINS(msg(r, "kb.outside_range", "icd10cm"),
                   "covers 2021-10-01 to 2022-09-30, 2023-10-01 to "
                   "2024-09-30, not 2023-03-01");
    /* after the newest version: a code added later is not called invalid */
    r = check(kb, "99213", "\"E11.A\"", "2025-03-01", NULL, NULL);
    CHECK_INT(status(r), MN_STATUS_INDETERMINATE);
    CHECK_INT(count(r, "dx.invalid"), 0);
    /* before the oldest */
    r = check(kb, "99213", "\"A00.0\"", "2021-06-01", NULL, NULL);
    CHECK_INT(status(r), MN_STATUS_INDETERMINATE);
    /* a diagnosis of no ICD-10-CM shape is invalid on any date */
    r = check(kb, "99213", "\"9999\"", "2025-03-01", NULL, NULL);
    CHECK_INT(count(r, "dx.invalid"), 1);
    CHECK_INT(count(r, "kb.outside_range"), 0);
    mn_kb_free(kb);

    /* a file without a date in its name: given at build */
    dir = folder("icd_nodate");
    paths[0] = dir;
    order_file(dir, "icd10cm_codes_update.txt", "A00:0,A000:1");
    kb = build(paths, NULL, NULL, 1, &err);
    CHECK(kb == NULL);
    CHECK_CONTAINS(err.message, "no effective date");
    {
        const char *dates[] = {"ICD10CM_CODES_*", "2023-04-01", NULL};
        kb = build(paths, NULL, dates, 1, &err);
    }
    CHECK(kb != NULL);
    if (kb) {
        CHECK_INT(kb->meta->n_icd_years, 1);
        CHECK_INT(kb->meta->icd_from[0], day("2023-04-01"));
        CHECK_INT(kb->meta->icd_to[0], day("2023-09-30"));
    }
    mn_kb_free(kb);
}

/* ------------------------------------------------------------------ */
/* Code sets the KB lacks, HCPCS years                                  */
/* ------------------------------------------------------------------ */

static void test_no_code_set(void)
{
    mn_error err;
    mn_kb *kb = build(NULL, NULL, NULL, 1, &err);
    const mn_result *r;

    CHECK(kb != NULL);
    if (!kb)
        return;
    /* no ICD-10-CM: the diagnoses are not judged, and the line says so */
    r = check(kb, "99213", "\"Z99.999\"", "2024-06-01", NULL, NULL);
    CHECK_INT(status(r), MN_STATUS_INDETERMINATE);
    CHECK_INT(count(r, "kb.no_code_set"), 1);
    CHECK_CONTAINS(msg(r, "kb.no_code_set", "icd10cm"),
                   "no ICD-10-CM code set");
    /* no HCPCS for a Level II code; CPT is judged by its shape */
    r = check(kb, "G0439", "\"Z99.999\"", "2024-06-01", NULL, NULL);
    CHECK_INT(count(r, "kb.no_code_set"), 2);
    CHECK_CONTAINS(msg(r, "kb.no_code_set", "hcpcs"), "HCPCS Level II");
    /* these two texts are fixed strings in check/data.c: the titles there
     * must be the kinds' titles */
    CHECK_STR(msg(r, "kb.no_code_set", "hcpcs"),
              "The knowledge base has no HCPCS Level II code set: the "
              "procedure code's validity and Medicare coverage code are not "
              "judged.");
    CHECK_STR(msg(r, "kb.no_code_set", "icd10cm"),
              "The knowledge base has no ICD-10-CM code set: the validity of "
              "the line's diagnoses is not judged.");
    CHECK_STR(mn_source_kind_title(MN_SOURCE_ICD10CM), "ICD-10-CM");
    CHECK_STR(mn_source_kind_title(MN_SOURCE_HCPCS), "HCPCS Level II");
    mn_kb_free(kb);
}

static void test_hcpcs_years(void)
{
    const char *dir = folder("hcpcs");
    const char *paths[] = {dir, NULL};
    mn_error err;
    mn_kb *kb;
    const mn_result *r;

    order_file(dir, "icd10cm_order_2024.txt", "Z0000:1");
    order_file(dir, "icd10cm_order_2025.txt", "Z0000:1");
    put(dir, "hcpcs_lvl2_2024.csv",
        "hcpcs_code,date_term,date_added,date_action,cov\n"
        "G0439,,2011-01-01,2011-01-01,C\n"
        "G0999,2020-12-31,2015-01-01,2020-12-31,C\n"
        "G1111,,2024-07-01,2024-07-01,C\n");
    kb = build(paths, NULL, NULL, 1, &err);
    CHECK(kb != NULL);
    if (!kb)
        return;
    CHECK_INT(mn_kb_covers(kb, MN_SOURCE_HCPCS, "2024-12-31"), 1);
    CHECK_INT(mn_kb_covers(kb, MN_SOURCE_HCPCS, "2025-01-01"), 0);
    r = check(kb, "G0439", "\"Z00.00\"", "2024-05-01", NULL, NULL);
    CHECK_INT(status(r), MN_STATUS_COVERED);
    /* 2025: the HCPCS year is missing */
    r = check(kb, "G0439", "\"Z00.00\"", "2025-01-02", NULL, NULL);
    CHECK_INT(status(r), MN_STATUS_INDETERMINATE);
    CHECK_CONTAINS(msg(r, "kb.outside_range", "hcpcs"),
                   "covers 2024-01-01 to 2024-12-31, not 2025-01-02");
    /* a code the KB does not know on a date it does not cover: not
       called invalid */
    r = check(kb, "G9999", "\"Z00.00\"", "2025-01-02", NULL, NULL);
    CHECK_INT(count(r, "code.invalid"), 0);
    CHECK_INT(count(r, "kb.outside_range"), 1);
    r = check(kb, "G9999", "\"Z00.00\"", "2024-05-01", NULL, NULL);
    CHECK_INT(count(r, "code.invalid"), 1);
    /* the file's own dates still decide outside its year */
    r = check(kb, "G0999", "\"Z00.00\"", "2025-01-02", NULL, NULL);
    CHECK_INT(count(r, "code.invalid"), 1);
    CHECK_INT(count(r, "kb.outside_range"), 0);
    r = check(kb, "G1111", "\"Z00.00\"", "2023-06-01", NULL, NULL);
    CHECK_INT(count(r, "code.invalid"), 1);
    mn_kb_free(kb);
}

/* ------------------------------------------------------------------ */
/* NCCI quarters                                                        */
/* ------------------------------------------------------------------ */

static void test_ncci_quarters(void)
{
    const char *dir = folder("ncci");
    const char *paths[] = {dir, NULL};
    const char *dates[] = {"ccipra*", "2024-04-01", NULL};
    mn_kb_coverage c;
    mn_error err;
    mn_kb *kb;
    const mn_result *r;
    bool mue = false;
    bool ptp = false;
    bool aoc = false;

    order_file(dir, "icd10cm_order_2024.txt", "I10:1");
    put(dir, "MCR_MUE_PractitionerServices_Eff_04-01-2024.csv",
        "\"HCPCS/CPT Code\",\"Practitioner Services MUE Values\","
        "\"MUE Adjudication Indicator\",\"MUE Rationale\"\n"
        "\"96372\",\"1\",\"1 Line Edit\",\"Clinical: Data\"\n");
    /* the CMS PTP layout carries effective and deletion dates per row */
    put(dir, "ccipra-v302r0-f1.txt",
        "Column 1\tColumn 2\t* = In existence prior to 1996\tEffective "
        "Date\tDeletion Date (* = none)\tModifier\tPTP Edit Rationale\n"
        "20610\t99213\t\t20100101\t*\t0\tTest\n");
    put(dir, "ncci_aoc.csv",
        "\"primary_code\",\"add_on_code\",\"aoc_edit_type\"\n"
        "\"99291\",\"99292\",1\n");
    kb = build(paths, NULL, dates, 1, &err);
    CHECK(kb != NULL);
    if (!kb)
        return;
    c.version = MN_KB_COVERAGE_VERSION;
    for (size_t i = 0; i < mn_kb_coverage_count(kb); i++) {
        CHECK_INT(mn_kb_coverage_at(&c, kb, i, &err), MN_OK);
        if (c.kind == MN_SOURCE_NCCI_MUE_PRACTITIONER) {
            mue = true;
            CHECK_STR(c.label, "2024Q2");
            CHECK_STR(c.from, "2024-04-01");
            CHECK_STR(c.to, "2024-06-30");
        } else if (c.kind == MN_SOURCE_NCCI_PTP_PRACTITIONER) {
            ptp = true;
            CHECK(c.from == NULL); /* its rows carry their dates */
            CHECK_STR(c.to, "2024-06-30");
        } else if (c.kind == MN_SOURCE_NCCI_AOC) {
            aoc = true;
            CHECK(!c.dated);
        }
    }
    CHECK(mue && ptp && aoc);
    r = check(kb, "96372", "\"I10\"", "2024-05-01", ",\"units\":2", NULL);
    CHECK_INT(count(r, "units.mue_exceeded"), 1);
    /* after the quarter: no denial, the missing table named */
    r = check(kb, "96372", "\"I10\"", "2024-08-01", ",\"units\":2", NULL);
    CHECK_INT(count(r, "units.mue_exceeded"), 0);
    CHECK_CONTAINS(msg(r, "kb.outside_range", "ncci_mue_practitioner"),
                   "NCCI MUE (practitioner services) data covers 2024-04-01 to "
                   "2024-06-30, not 2024-08-01");
    CHECK_INT(status(r), MN_STATUS_INDETERMINATE);
    mn_kb_free(kb);
}

/* ------------------------------------------------------------------ */
/* Rule packs                                                           */
/* ------------------------------------------------------------------ */

static const char pack_a[] = "pack pack-a\n"
                             "rule a.2022\n"
                             "  effective 2022-01-01 to 2022-12-31\n"
                             "  source \"test\"\n"
                             "  codes 12345\n"
                             "  frequency 1 per lifetime\n"
                             "end\n"
                             "rule a.2024\n"
                             "  effective 2024-01-01\n"
                             "  source \"test\"\n"
                             "  codes 12345\n"
                             "  frequency 1 per lifetime\n"
                             "end\n";

static const char pack_b[] = "pack pack-b\n"
                             "covers 2020-01-01 to 2025-12-31\n"
                             "rule b.once\n"
                             "  effective 2024-01-01\n"
                             "  source \"test\"\n"
                             "  codes 12346\n"
                             "  frequency 1 per lifetime\n"
                             "end\n";

/* A pack of the same name extends the period of pack-b. */
static const char pack_b2026[] = "pack pack-b\n"
                                 "covers 2026-01-01 to 2026-12-31\n"
                                 "rule b.once.2026\n"
                                 "  effective 2026-01-01 to 2026-12-31\n"
                                 "  source \"test\"\n"
                                 "  codes 12346\n"
                                 "  frequency 1 per lifetime\n"
                                 "end\n";

#define HIST(code, date)                                                       \
    ",\"history\":[{\"code\":\"" code "\",\"date\":\"" date "\"}]"

static void test_rule_packs(void)
{
    const char *dir = folder("packs");
    const char *paths[] = {dir, NULL};
    const char *packs[] = {pack_a, pack_b, NULL};
    const char *packs2[] = {pack_b2026, pack_a, pack_b, NULL};
    mn_kb_coverage c;
    mn_error err;
    mn_kb *kb;
    const mn_result *r;
    size_t seen = 0;

    order_file(dir, "icd10cm_order_2021.txt", "I10:1");
    order_file(dir, "icd10cm_order_2022.txt", "I10:1");
    order_file(dir, "icd10cm_order_2023.txt", "I10:1");
    order_file(dir, "icd10cm_order_2024.txt", "I10:1");
    order_file(dir, "icd10cm_order_2025.txt", "I10:1");
    order_file(dir, "icd10cm_order_2026.txt", "I10:1");
    order_file(dir, "icd10cm_order_2027.txt", "I10:1");
    kb = build(paths, packs, NULL, 1, &err);
    CHECK(kb != NULL);
    if (!kb)
        return;
    c.version = MN_KB_COVERAGE_VERSION;
    for (size_t i = 0; i < mn_kb_coverage_count(kb); i++) {
        mn_kb_coverage_at(&c, kb, i, &err);
        if (c.kind != MN_SOURCE_RULES)
            continue;
        seen++;
        if (!strcmp(c.label, "pack-a")) {
            CHECK(!c.declared);
            CHECK_STR(c.from, "2022-01-01");
            CHECK(c.to == NULL);
            CHECK_INT(c.rows, 2);
        } else {
            CHECK_STR(c.label, "pack-b");
            CHECK(c.declared);
            CHECK_STR(c.from, "2020-01-01");
            CHECK_STR(c.to, "2025-12-31");
        }
    }
    CHECK_INT(seen, 2);

    /* pack-a covers the span of its rules: before it, and in the gap of
       2023, the line is not judged by it (and says so) */
    r = check(kb, "12345", "\"I10\"", "2021-06-01", NULL,
              HIST("12345", "2020-01-01"));
    CHECK_INT(status(r), MN_STATUS_INDETERMINATE);
    CHECK_INT(count(r, "frequency.exceeded"), 0);
    CHECK_CONTAINS(msg(r, "kb.outside_range", "a.2022"),
                   "pack-a covers from 2022-01-01 (the span of its rules), "
                   "not 2021-06-01");
    r = check(kb, "12345", "\"I10\"", "2023-06-01", NULL,
              HIST("12345", "2020-01-01"));
    CHECK_INT(status(r), MN_STATUS_INDETERMINATE);
    CHECK_CONTAINS(msg(r, "kb.outside_range", "a.2024"),
                   "rule a.2024 starts 2024-01-01");
    r = check(kb, "12345", "\"I10\"", "2024-06-01", NULL,
              HIST("12345", "2020-01-01"));
    CHECK_INT(count(r, "frequency.exceeded"), 1);
    CHECK_INT(count(r, "kb.outside_range"), 0);

    /* pack-b vouches for 2020-2025: before its rule the line is covered,
       and the result says why */
    r = check(kb, "12346", "\"I10\"", "2023-06-01", NULL,
              HIST("12346", "2020-01-01"));
    CHECK_INT(status(r), MN_STATUS_COVERED);
    CHECK_CONTAINS(msg(r, "kb.rule_not_in_force", "b.once"),
                   "the pack vouches for 2020-01-01 to 2025-12-31");
    /* after its period its open-ended rule is not applied: no denial */
    r = check(kb, "12346", "\"I10\"", "2026-02-01", NULL,
              HIST("12346", "2020-01-01"));
    CHECK_INT(status(r), MN_STATUS_INDETERMINATE);
    CHECK_INT(count(r, "frequency.exceeded"), 0);
    CHECK_CONTAINS(msg(r, "kb.outside_range", "b.once"),
                   "covers 2020-01-01 to 2025-12-31, not 2026-02-01");
    /* a code no pack names is not touched */
    r = check(kb, "12399", "\"I10\"", "2026-02-01", NULL, NULL);
    CHECK_INT(count(r, "kb.outside_range"), 0);
    mn_kb_free(kb);

    /* a pack of the same name given first extends the period: both
       rules apply in 2026 */
    kb = build(paths, packs2, NULL, 1, &err);
    CHECK(kb != NULL);
    r = kb ? check(kb, "12346", "\"I10\"", "2026-02-01", NULL,
                   HIST("12346", "2020-01-01"))
           : NULL;
    CHECK_INT(count(r, "frequency.exceeded"), 2);
    CHECK_INT(count(r, "kb.outside_range"), 0);
    mn_kb_free(kb);
}

static int compile(const char *text, mn_error *err)
{
    mn_build_options o = MN_BUILD_OPTIONS_INIT;
    mn_build *b = NULL;
    void *bytes = NULL;
    size_t len = 0;
    int rc;

    o.no_builtin = 1;
    mn_error_clear(err);
    rc = mn_build_new(&b, &o, err);
    if (!rc)
        rc = mn_build_add_rules(b, "t.mnr", text, strlen(text), err);
    if (!rc)
        rc = mn_build_to_memory(&bytes, &len, b, err);
    mn_kb_bytes_free(bytes);
    mn_build_free(b);
    return rc;
}

static void test_covers_language(void)
{
    mn_error err;
    CHECK_INT(compile("covers 2020-01-01\n", &err), MN_OK);
    CHECK_INT(compile("covers 2020-01-01 to 2020-12-31\n", &err), MN_OK);
    CHECK_INT(compile("covers 2020-01-01\ncovers 2021-01-01\n", &err),
              MN_EINVAL);
    CHECK_CONTAINS(err.message, "one 'covers' per pack");
    CHECK_INT(err.line, 2);
    CHECK_INT(compile("covers 2020-02-30\n", &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "not a valid date");
    CHECK_INT(compile("covers 2021-01-01 to 2020-01-01\n", &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "not a valid end date");
    CHECK_INT(compile("covers 2021-01-01 until 2022-01-01\n", &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "expected 'covers YYYY-MM-DD");
    /* inside a rule it is no statement */
    CHECK_INT(compile("rule r\n effective 2024-01-01\n source \"s\"\n"
                      " covers 2020-01-01\n codes 12345\n age 1..2\nend\n",
                      &err),
              MN_EINVAL);
    CHECK_INT(err.line, 4);
}

/* ------------------------------------------------------------------ */
/* The build                                                            */
/* ------------------------------------------------------------------ */

static void test_build_refusal(void)
{
    const char *empty = folder("empty");
    const char *junk = folder("junk");
    char out[600];
    struct stat st;
    mn_build_options o = MN_BUILD_OPTIONS_INIT;
    mn_build_options v1 = MN_BUILD_OPTIONS_INIT;
    mn_build *b = NULL;
    mn_error err;

    put(junk, "notes.txt", "nothing to load\n");
    snprintf(out, sizeof(out), "%s/refused.mnkb", tmp);
    o.no_builtin = 0;
    /* nothing recognised: refused, nothing written */
    mn_error_clear(&err);
    CHECK_INT(mn_build_new(&b, &o, &err), MN_OK);
    CHECK_INT(mn_build_add_path(b, empty, &err), MN_OK);
    CHECK_INT(mn_build_add_path(b, junk, &err), MN_OK);
    CHECK_INT(mn_build_write(b, out, &err), MN_ENOTFOUND);
    CHECK_CONTAINS(err.message, "no recognised source: 1 files seen");
    CHECK(stat(out, &st) != 0);
    mn_build_free(b);
    /* version 1 options (no allow_empty) refuse as well */
    v1.version = 1;
    CHECK_INT(mn_build_new(&b, &v1, &err), MN_OK);
    CHECK_INT(mn_build_add_path(b, empty, &err), MN_OK);
    CHECK_INT(mn_build_write(b, out, &err), MN_ENOTFOUND);
    mn_build_free(b);
    /* allowed: the built-in packs alone */
    o.allow_empty = 1;
    CHECK_INT(mn_build_new(&b, &o, &err), MN_OK);
    CHECK_INT(mn_build_add_path(b, empty, &err), MN_OK);
    CHECK_INT(mn_build_write(b, out, &err), MN_OK);
    CHECK(stat(out, &st) == 0);
    mn_build_free(b);
    unlink(out);
    /* a rule pack is a source */
    o.allow_empty = 0;
    CHECK_INT(mn_build_new(&b, &o, &err), MN_OK);
    CHECK_INT(mn_build_add_rules(b, "t.mnr", pack_b, strlen(pack_b), &err),
              MN_OK);
    CHECK_INT(mn_build_write(b, out, &err), MN_OK);
    mn_build_free(b);
    unlink(out);
    /* source dates */
    CHECK_INT(mn_build_new(&b, &o, &err), MN_OK);
    CHECK_INT(mn_build_set_source_date(b, "x*", "2024-13-01", &err), MN_EINVAL);
    CHECK_INT(mn_build_set_source_date(b, "x*", "1969-12-31", &err), MN_EINVAL);
    CHECK_INT(mn_build_set_source_date(b, "", "2024-01-01", &err), MN_EINVAL);
    for (int i = 0; i < 64; i++)
        CHECK_INT(mn_build_set_source_date(b, "x*", "2024-01-01", &err), MN_OK);
    CHECK_INT(mn_build_set_source_date(b, "x*", "2024-01-01", &err), MN_ELIMIT);
    mn_build_free(b);
}

/* ------------------------------------------------------------------ */
/* Validation at open                                                   */
/* ------------------------------------------------------------------ */

static int open_modified(const void *bytes, size_t len, uint32_t id,
                         void (*edit)(void *sec, size_t sec_len), mn_error *err)
{
    unsigned char *copy = malloc(len);
    kb_header *h = (kb_header *)copy;
    kb_section *secs = (kb_section *)(copy + sizeof(*h));
    mn_kb *k = NULL;
    int rc;

    memcpy(copy, bytes, len);
    for (uint32_t i = 0; i < h->n_sections; i++) {
        if (secs[i].id == id)
            edit(copy + secs[i].offset, secs[i].length);
    }
    h->checksum = XXH3_64bits(copy + sizeof(*h), len - sizeof(*h));
    mn_error_clear(err);
    rc = mn_kb_open_buffer(&k, copy, len, 1, err);
    mn_kb_free(k);
    free(copy);
    return rc;
}

static void bad_kind(void *sec, size_t len)
{
    if (len >= sizeof(kb_cover))
        ((kb_cover *)sec)[0].kind = 99;
}

static void bad_period(void *sec, size_t len)
{
    if (len >= sizeof(kb_cover)) {
        kb_cover *c = sec;
        c->to = c->from - 1;
    }
}

static void bad_modifier(void *sec, size_t len)
{
    if (len >= sizeof(kb_modifier))
        ((kb_modifier *)sec)[0].code[0] = 'a';
}

static void overlapping_versions(void *sec, size_t len)
{
    kb_meta *m = sec;
    if (len >= sizeof(*m) && m->n_icd_years >= 2)
        m->icd_to[0] = m->icd_from[1];
}

static void version_outside_fy(void *sec, size_t len)
{
    kb_meta *m = sec;
    if (len >= sizeof(*m) && m->n_icd_years >= 1)
        m->icd_to[0] = m->icd_from[0] + 400;
}

static void test_validation(void)
{
    const char *dir = folder("valid");
    mn_build_options o = MN_BUILD_OPTIONS_INIT;
    mn_build *b = NULL;
    void *bytes = NULL;
    size_t len = 0;
    mn_error err;

    order_file(dir, "icd10cm_order_2023.txt", "I10:1");
    order_file(dir, "icd10cm_order_2024.txt", "I10:1");
    put(dir, "hcpcs_modifiers_2024.csv",
        "mod_code,mod_type,mod_description\nGA,HCPCS,Waiver on file\n"
        "25,CPT,not a level ii modifier but of the right shape\n"
        "G,HCPCS,too short\n");
    o.no_builtin = 1;
    o.report = NULL;
    mn_error_clear(&err);
    CHECK_INT(mn_build_new(&b, &o, &err), MN_OK);
    CHECK_INT(mn_build_add_path(b, dir, &err), MN_OK);
    CHECK_INT(mn_build_to_memory(&bytes, &len, b, &err), MN_OK);
    mn_build_free(b);
    if (!bytes)
        return;
    {
        mn_kb *kb = NULL;
        CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err), MN_OK);
        if (kb) {
            const kb_modifier *m = mn_x__kb_modifier(kb, "ga");
            CHECK(m != NULL);
            if (m)
                CHECK_STR(kb_s(kb, m->desc), "Waiver on file");
            CHECK(mn_x__kb_modifier(kb, "25") != NULL);
            CHECK(mn_x__kb_modifier(kb, "XX") == NULL);
            CHECK_INT(kb->n_mod, 2);
            CHECK_INT(mn_kb_covers(kb, MN_SOURCE_HCPCS_MODIFIERS, "2024-06-01"),
                      1);
            CHECK_INT(mn_kb_covers(kb, MN_SOURCE_HCPCS_MODIFIERS, "2025-06-01"),
                      0);
        }
        mn_kb_free(kb);
    }
    CHECK_INT(open_modified(bytes, len, KB_SEC_COVER, bad_kind, &err),
              MN_EBADKB);
    CHECK_CONTAINS(err.message, "coverage table");
    CHECK_INT(open_modified(bytes, len, KB_SEC_COVER, bad_period, &err),
              MN_EBADKB);
    CHECK_INT(open_modified(bytes, len, KB_SEC_MODIFIER, bad_modifier, &err),
              MN_EBADKB);
    CHECK_CONTAINS(err.message, "modifier table");
    CHECK_INT(
        open_modified(bytes, len, KB_SEC_META, overlapping_versions, &err),
        MN_EBADKB);
    CHECK_CONTAINS(err.message, "ICD-10-CM versions");
    CHECK_INT(open_modified(bytes, len, KB_SEC_META, version_outside_fy, &err),
              MN_EBADKB);
    mn_kb_bytes_free(bytes);
}

int main(void)
{
    mn_error err;
    char cmd[600];

    if (!mkdtemp(tmp))
        return 1;
    mn_error_clear(&err);
    if (mn_ctx_new(&ctx, 0, &err))
        return 1;
    RUN(test_effective_names);
    RUN(test_icd_versions);
    RUN(test_no_code_set);
    RUN(test_hcpcs_years);
    RUN(test_ncci_quarters);
    RUN(test_rule_packs);
    RUN(test_covers_language);
    RUN(test_build_refusal);
    RUN(test_validation);
    mn_claim_free(claim);
    mn_ctx_free(ctx);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmp);
    DONE();
}
