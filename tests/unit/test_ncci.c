/*
 * test_ncci.c: NCCI PTP, MUE and add-on code edits. Two KBs: one built
 * from the fixture files in the CMS layouts (tests/fixtures/ncci) through
 * mn_build, one through the builder from in-memory tables in the CSV
 * layouts of the shared data.
 */
#include <stddef.h>
#include <xxhash.h>

#include "check/check.h"
#include "harness.h"
#include "build/writer/ncci_build.h"
#include "build/sources.h"

#define FIX MN_FIXTURES "/ncci"

static mn_kb *kb;
static mn_ctx *ctx;
static mn_claim *claim;

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

static const mn_result *run_on(mn_kb *k, const char *json)
{
    const mn_result *res = NULL;
    mn_error err;

    mn_error_clear(&err);
    mn_claim_free(claim);
    claim = NULL;
    if (mn_claim_parse_json(&claim, json, strlen(json), NULL, &err)) {
        char line[600];
        fprintf(stderr, "parse: %s\n", mn_error_format(line, 600, &err));
        return NULL;
    }
    if (mn_check(&res, ctx, k, claim, &err)) {
        fprintf(stderr, "check: %s\n", err.message);
        return NULL;
    }
    return res;
}

static const mn_result *run(const char *json)
{
    return run_on(kb, json);
}

/* The first finding of `line` (0-based) with this edit, or NULL. */
static const mn_finding *find(const mn_result *r, size_t line, const char *edit)
{
    if (!r || line >= r->n_lines)
        return NULL;
    for (size_t i = 0; i < r->lines[line].n_findings; i++) {
        if (!strcmp(r->lines[line].findings[i].edit->id, edit))
            return &r->lines[line].findings[i];
    }
    return NULL;
}

static size_t count(const mn_result *r, size_t line, const char *edit)
{
    size_t n = 0;
    if (!r || line >= r->n_lines)
        return 0;
    for (size_t i = 0; i < r->lines[line].n_findings; i++)
        n += !strcmp(r->lines[line].findings[i].edit->id, edit);
    return n;
}

static bool suggested(const mn_result *r, size_t line, const char *mod)
{
    for (size_t i = 0; r && line < r->n_lines && i < r->lines[line].n_suggested;
         i++) {
        if (!strcmp(r->lines[line].suggested[i], mod))
            return true;
    }
    return false;
}

#define LN(code, date, extra)                                                  \
    "{\"code\":\"" code "\",\"date\":\"" date "\"" extra "}"
#define MODS(m) ",\"modifiers\":[" m "]"
#define UNITS(n) ",\"units\":" #n
#define CLAIM(type, lines)                                                     \
    "{\"id\":\"t\",\"claim_type\":\"" type "\",\"patient\":{\"birth_date\":"   \
    "\"1950-04-02\",\"sex\":\"F\"},\"diagnoses\":[\"I10\"],\"lines\":[" lines  \
    "]}"
#define PRO(lines) CLAIM("professional", lines)
#define INST(lines) CLAIM("institutional", lines)

/* ------------------------------------------------------------------ */
/* Build from the fixture files                                         */
/* ------------------------------------------------------------------ */

typedef struct seen {
    char path[256];
    char layout[64];
    char note[256];
    size_t rows;
    size_t skipped;
    char reasons[8][200];
    size_t n_reasons;
} seen;

static seen reps[32];
static size_t n_reps;

static void on_report(void *payload, const mn_build_file_report *r)
{
    seen *s;
    (void)payload;
    if (n_reps == 32)
        return;
    s = &reps[n_reps++];
    memset(s, 0, sizeof(*s));
    snprintf(s->path, sizeof(s->path), "%s", r->path);
    snprintf(s->layout, sizeof(s->layout), "%s", r->layout ? r->layout : "");
    snprintf(s->note, sizeof(s->note), "%s", r->note ? r->note : "");
    s->rows = r->rows;
    s->skipped = r->skipped;
    for (size_t i = 0; i < r->n_reasons && i < 8; i++)
        snprintf(s->reasons[i], sizeof(s->reasons[i]), "%s", r->reasons[i]);
    s->n_reasons = r->n_reasons < 8 ? r->n_reasons : 8;
}

static const seen *rep_of(const char *tail)
{
    size_t n = strlen(tail);
    for (size_t i = 0; i < n_reps; i++) {
        size_t l = strlen(reps[i].path);
        if (l >= n && strcmp(reps[i].path + l - n, tail) == 0)
            return &reps[i];
    }
    return NULL;
}

static bool has_reason(const seen *s, const char *text)
{
    for (size_t i = 0; s && i < s->n_reasons; i++) {
        if (strstr(s->reasons[i], text))
            return true;
    }
    return false;
}

static void *fx_bytes;
static size_t fx_len;

static int build_fixtures(void)
{
    mn_build_options o = MN_BUILD_OPTIONS_INIT;
    mn_build *b = NULL;
    mn_error err;
    int rc;

    o.report = on_report;
    o.built = "2026-01-01";
    mn_error_clear(&err);
    rc = mn_build_new(&b, &o, &err);
    if (!rc)
        rc = mn_build_add_path(b, FIX, &err);
    /* the diagnoses of the claims (a KB without ICD-10-CM leaves every
       line with a diagnosis indeterminate) */
    if (!rc)
        rc = mn_build_add_path(b, MN_FIXTURES "/icd/icd10cm_order_2024.txt",
                               &err);
    if (!rc)
        rc = mn_build_to_memory(&fx_bytes, &fx_len, b, &err);
    if (rc)
        fprintf(stderr, "build: %s\n", err.message);
    if (!rc)
        rc = mn_kb_open_buffer(&kb, fx_bytes, fx_len, 0, &err);
    if (rc)
        fprintf(stderr, "open: %s\n", err.message);
    mn_build_free(b);
    return rc;
}

static void test_fixture_reports(void)
{
    const seen *s;
    const mn_ncci_view *v = mn_x__ncci_view(kb);

    CHECK_INT(n_reps, 7 + 1); /* the NCCI files and the ICD-10-CM one */
    s = rep_of("/MCR_MUE_PractitionerServices_Eff_07-01-2024.csv");
    CHECK(s != NULL);
    if (s) {
        CHECK_STR(s->layout, "ncci mue (cms layout)");
        CHECK_INT(s->rows, 4);
        CHECK_INT(s->skipped, 4);
        CHECK(has_reason(s, "no published mue value"));
        CHECK(has_reason(s, "bad mue adjudication indicator"));
        CHECK(has_reason(s, "2 rows: not an mue row"));
        CHECK_CONTAINS(s->note, "practitioner");
        CHECK_CONTAINS(s->note, "2024-07-01");
    }
    s = rep_of("/MCR_MUE_OutpatientHospitalServices_Eff_07-01-2024.csv");
    CHECK(s && s->rows == 3 && s->skipped == 0);
    s = rep_of("/MCR_MUE_DMESupplierServices_Eff_07-01-2024.csv");
    CHECK(s && s->rows == 2 && s->skipped == 0);
    s = rep_of("/ccipra-v303r0-f1.txt");
    CHECK(s != NULL);
    if (s) {
        CHECK_STR(s->layout, "ncci ptp (cms layout)");
        CHECK_INT(s->rows, 9);
        CHECK_INT(s->skipped, 6);
        CHECK(has_reason(s, "not an edit row"));
        CHECK(has_reason(s, "2 rows: modifier indicator 9"));
        CHECK(has_reason(s, "1 rows: bad code"));
        CHECK(has_reason(s, "bad modifier indicator"));
        CHECK(has_reason(s, "bad effective date"));
        CHECK_CONTAINS(s->note, "practitioner");
    }
    s = rep_of("/ccipra-v303r0-f2.txt");
    CHECK(s && s->rows == 2 && s->skipped == 1);
    /* a header wrapped over four lines: three continuation lines */
    s = rep_of("/ccioph-v303r0-f1.txt");
    CHECK(s && s->rows == 3 && s->skipped == 3);
    if (s) {
        CHECK_STR(s->layout, "ncci ptp (cms layout)");
        CHECK_CONTAINS(s->note, "hospital");
        CHECK(has_reason(s, "3 rows: not an edit row"));
    }
    s = rep_of("/AOC_V2024Q3-MCR.csv");
    CHECK(s != NULL);
    if (s) {
        CHECK_STR(s->layout, "ncci aoc (cms layout)");
        CHECK_INT(s->rows, 7);
        CHECK_INT(s->skipped, 2);
        CHECK(has_reason(s, "bad aoc edit type"));
    }
    CHECK(v != NULL);
    if (v) {
        CHECK_INT(v->meta->n_ptp[MN_PTP_PRAC], 11);
        CHECK_INT(v->n_text, 7 + 3); /* ptp rationales, then mue ones */
        CHECK_INT(v->meta->n_ptp[MN_PTP_HOSP], 3);
        /* 20610/99213 and 43239/43235 are one record for both tables,
           00100/99202 (indicator 0 and 1) two */
        CHECK_INT(v->n_ptp, 12);
        CHECK_STR(kb_s(kb, v->meta->ptp_label[1]), "v303r0");
        CHECK_INT(v->n_mue, 9);
        CHECK_INT(v->n_aoc, 7);
        CHECK_STR(kb_s(kb, v->meta->ptp_label[0]), "v303r0");
        CHECK_STR(kb_s(kb, v->meta->aoc_label), "2024Q3");
        CHECK_STR(kb_s(kb, v->meta->mue_label[MN_MUE_DME]), "2024-07-01");
    }
}

/* ------------------------------------------------------------------ */
/* PTP                                                                  */
/* ------------------------------------------------------------------ */

static void test_ptp_indicator1(void)
{
    const mn_result *r;
    const mn_finding *f;

    /* 20610 + 99213 (E/M, column 2), indicator 1, no modifier */
    r = run(
        PRO(LN("20610", "2024-08-01", "") "," LN("99213", "2024-08-01", "")));
    CHECK(r != NULL);
    CHECK(find(r, 0, "ncci.ptp") == NULL); /* column 1 is paid */
    f = find(r, 1, "ncci.ptp");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(f->severity, MN_SEVERITY_DENY);
        CHECK_STR(f->carc, "236");
        CHECK_STR(f->policy_kind, "ncci");
        CHECK_STR(f->policy_id, "PTP practitioner v303r0");
        CHECK_STR(f->policy_title,
                  "CPT Manual or CMS manual coding instruction");
        CHECK_CONTAINS(f->source, "column 1 20610");
        CHECK_CONTAINS(f->source, "modifier indicator 1");
        CHECK_CONTAINS(f->message, "20610 (line 1)");
        CHECK_CONTAINS(f->fix, "never add a modifier only to bypass");
        CHECK_CONTAINS(f->fix, "25");
    }
    CHECK_INT(r->lines[1].status, MN_STATUS_NOT_COVERED);
    CHECK_INT(r->lines[0].status, MN_STATUS_COVERED);
    CHECK_STR(mn_abn_name(r->lines[1].abn), "not_needed"); /* coding denial */
    CHECK(suggested(r, 1, "25"));
    CHECK(!suggested(r, 1, "GA"));

    /* 25 on the E/M (column 2) bypasses */
    r = run(PRO(LN("20610", "2024-08-01", "") "," LN("99213", "2024-08-01",
                                                     MODS("\"25\""))));
    CHECK(find(r, 1, "ncci.ptp") == NULL);
    CHECK_INT(r->lines[1].status, MN_STATUS_COVERED);

    /* different dates: no edit */
    r = run(
        PRO(LN("20610", "2024-08-01", "") "," LN("99213", "2024-08-02", "")));
    CHECK(find(r, 1, "ncci.ptp") == NULL);

    /* a non-E/M column 2 (81003 of 81001): 59 suggested, 25 ignored */
    r = run(PRO(LN("81001", "2024-08-01", "") "," LN("81003", "2024-08-01",
                                                     MODS("\"25\""))));
    f = find(r, 1, "ncci.ptp");
    CHECK(f != NULL);
    CHECK(suggested(r, 1, "59"));
    if (f)
        CHECK_CONTAINS(f->fix, "XU");
    /* 59, XU, XS on column 2; XE on column 1 (professional) */
    r = run(PRO(LN("81001", "2024-08-01", "") "," LN("81003", "2024-08-01",
                                                     MODS("\"59\""))));
    CHECK(find(r, 1, "ncci.ptp") == NULL);
    r = run(PRO(LN("81001", "2024-08-01", "") "," LN("81003", "2024-08-01",
                                                     MODS("\"XU\""))));
    CHECK(find(r, 1, "ncci.ptp") == NULL);
    r = run(PRO(LN("81001", "2024-08-01",
                   MODS("\"XE\"")) "," LN("81003", "2024-08-01", "")));
    CHECK(find(r, 1, "ncci.ptp") == NULL);
    /* 91 on a lab column 2 */
    r = run(PRO(LN("81001", "2024-08-01", "") "," LN("81003", "2024-08-01",
                                                     MODS("\"91\""))));
    CHECK(find(r, 1, "ncci.ptp") == NULL);
    /* a modifier that is not NCCI-associated */
    r = run(PRO(LN("81001", "2024-08-01", "") "," LN("81003", "2024-08-01",
                                                     MODS("\"QW\""))));
    CHECK(find(r, 1, "ncci.ptp") != NULL);
}

static void test_ptp_anatomic(void)
{
    const mn_result *r;

    /* 27447 + 20610 (column 2), indicator 1: different sides bypass */
    r = run(PRO(LN("27447", "2024-08-01", MODS("\"RT\"")) "," LN(
        "20610", "2024-08-01", MODS("\"LT\""))));
    CHECK(find(r, 1, "ncci.ptp") == NULL);
    /* the same side does not */
    r = run(PRO(LN("27447", "2024-08-01", MODS("\"RT\"")) "," LN(
        "20610", "2024-08-01", MODS("\"RT\""))));
    CHECK(find(r, 1, "ncci.ptp") != NULL);
    /* 20610 is column 1 of 99213 too: both edits on their own lines */
    r = run(PRO(LN("27447", "2024-08-01", "") "," LN(
        "20610", "2024-08-01", "") "," LN("99213", "2024-08-01", "")));
    CHECK_INT(count(r, 1, "ncci.ptp"), 1);
    CHECK_INT(count(r, 2, "ncci.ptp"), 1);
    CHECK_INT(count(r, 0, "ncci.ptp"), 0);
}

static void test_ptp_indicator0(void)
{
    const mn_result *r;
    const mn_finding *f;

    r = run(PRO(LN("43239", "2024-08-01", "") "," LN("43235", "2024-08-01",
                                                     MODS("\"59\""))));
    f = find(r, 1, "ncci.ptp");
    CHECK(f != NULL);
    if (f) {
        CHECK_CONTAINS(f->message, "no modifier can bypass");
        CHECK_CONTAINS(f->source, "modifier indicator 0");
        CHECK_CONTAINS(f->fix, "Do not report 43235 with 43239");
    }
    CHECK(!suggested(r, 1, "59"));
    CHECK_STR(mn_abn_name(r->lines[1].abn), "not_needed");
    /* XS on column 1 does not help either */
    r = run(PRO(LN("43239", "2024-08-01", MODS("\"XS\"")) "," LN(
        "43235", "2024-08-01", MODS("\"XS\""))));
    CHECK(find(r, 1, "ncci.ptp") != NULL);
    /* line order does not matter */
    r = run(
        PRO(LN("43235", "2024-08-01", "") "," LN("43239", "2024-08-01", "")));
    CHECK(find(r, 0, "ncci.ptp") != NULL);
    CHECK(find(r, 1, "ncci.ptp") == NULL);
    /* two column-1 lines of one code: one finding */
    r = run(PRO(LN("43239", "2024-08-01", "") "," LN(
        "43239", "2024-08-01", "") "," LN("43235", "2024-08-01", "")));
    CHECK_INT(count(r, 2, "ncci.ptp"), 1);
}

static void test_ptp_dates(void)
{
    const mn_result *r;
    const mn_finding *f;

    /* 36556/36000 deleted after 2021-12-31 */
    r = run(
        PRO(LN("36556", "2021-12-31", "") "," LN("36000", "2021-12-31", "")));
    f = find(r, 1, "ncci.ptp");
    CHECK(f != NULL);
    if (f)
        CHECK_CONTAINS(f->source, "last in force on 2021-12-31");
    r = run(
        PRO(LN("36556", "2022-01-01", "") "," LN("36000", "2022-01-01", "")));
    CHECK(find(r, 1, "ncci.ptp") == NULL);

    /* 80053/82040: indicator 0 to 2023-06-30, then indicator 1 */
    r = run(PRO(LN("80053", "2023-01-01", "") "," LN("82040", "2023-01-01",
                                                     MODS("\"59\""))));
    f = find(r, 1, "ncci.ptp");
    CHECK(f != NULL);
    if (f)
        CHECK_STR(f->policy_title, "HCPCS/CPT procedure code definition");
    r = run(PRO(LN("80053", "2024-01-01", "") "," LN("82040", "2024-01-01",
                                                     MODS("\"59\""))));
    CHECK(find(r, 1, "ncci.ptp") == NULL);
    r = run(
        PRO(LN("80053", "2024-01-01", "") "," LN("82040", "2024-01-01", "")));
    f = find(r, 1, "ncci.ptp");
    CHECK(f != NULL);
    if (f)
        CHECK_CONTAINS(f->source, "modifier indicator 1");

    /* indicator 9: not an edit */
    r = run(
        PRO(LN("93000", "2000-06-01", "") "," LN("93010", "2000-06-01", "")));
    CHECK(find(r, 1, "ncci.ptp") == NULL);

    /* 13121/13120: an indicator-9 row in force for one day (1996-01-01)
       next to the active indicator-0 edit: the 9 row is no edit */
    r = run(PRO(LN("13121", "1996-01-01", "") "," LN("13120", "1996-01-01",
                                                     MODS("\"59\""))));
    f = find(r, 1, "ncci.ptp");
    CHECK(f != NULL);
    if (f)
        CHECK_CONTAINS(f->source, "modifier indicator 0");

    /* effective 2025-01-01 */
    r = run(
        PRO(LN("64483", "2024-12-31", "") "," LN("64493", "2024-12-31", "")));
    CHECK(find(r, 1, "ncci.ptp") == NULL);
    r = run(
        PRO(LN("64483", "2025-01-01", "") "," LN("64493", "2025-01-01", "")));
    f = find(r, 1, "ncci.ptp");
    CHECK(f != NULL);
    if (f)
        CHECK_CONTAINS(f->source, "effective 2025-01-01");
}

static void test_ptp_tables(void)
{
    const mn_result *r;
    const mn_finding *f;

    /* 00100/99202: indicator 0 for practitioners, 1 for hospitals */
    r = run(PRO(LN("00100", "2024-08-01", "") "," LN("99202", "2024-08-01",
                                                     MODS("\"25\""))));
    CHECK(find(r, 1, "ncci.ptp") != NULL);
    r = run(INST(LN("00100", "2024-08-01", "") "," LN("99202", "2024-08-01",
                                                      MODS("\"25\""))));
    CHECK(find(r, 1, "ncci.ptp") == NULL);
    r = run(
        INST(LN("00100", "2024-08-01", "") "," LN("99202", "2024-08-01", "")));
    f = find(r, 1, "ncci.ptp");
    CHECK(f != NULL);
    if (f) {
        CHECK_STR(f->policy_id, "PTP hospital v303r0");
        /* the rationale column found by position (wrapped header) */
        CHECK_STR(f->policy_title,
                  "Standard preparation/monitoring services for anesthesia");
    }
    /* hospital claims: 59 on the column-1 line does not bypass */
    r = run(INST(LN("20610", "2024-08-01",
                    MODS("\"59\"")) "," LN("99213", "2024-08-01", "")));
    CHECK(find(r, 1, "ncci.ptp") != NULL);
    /* 99214/99213 is only in the practitioner table */
    r = run(
        INST(LN("99214", "2024-08-01", "") "," LN("99213", "2024-08-01", "")));
    CHECK(find(r, 1, "ncci.ptp") == NULL);
    r = run(
        PRO(LN("99214", "2024-08-01", "") "," LN("99213", "2024-08-01", "")));
    CHECK(find(r, 1, "ncci.ptp") != NULL);
    /* other payers: the Medicare NCCI tables do not apply */
    r = run("{\"payer\":\"other\",\"lines\":[" LN(
        "43239", "2024-08-01", "") "," LN("43235", "2024-08-01", "") "]}");
    CHECK(find(r, 1, "ncci.ptp") == NULL);
}

/* ------------------------------------------------------------------ */
/* MUE                                                                  */
/* ------------------------------------------------------------------ */

static void test_mue(void)
{
    const mn_result *r;
    const mn_finding *f;

    /* MAI 1 (A0425, 250): per line */
    r = run(PRO(LN("A0425", "2024-08-01", UNITS(251))));
    f = find(r, 0, "units.mue_exceeded");
    CHECK(f != NULL);
    if (f) {
        CHECK_STR(f->carc, "151");
        CHECK_STR(f->rarc, "N362");
        CHECK_STR(f->policy_kind, "mue");
        CHECK_STR(f->policy_id, "MUE practitioner 2024-07-01");
        CHECK_CONTAINS(f->source, "250 units, MAI 1");
        CHECK_CONTAINS(f->message, "251 units");
    }
    CHECK_INT(r->lines[0].status, MN_STATUS_NOT_COVERED);
    CHECK_STR(mn_abn_name(r->lines[0].abn), "not_needed");
    r = run(PRO(LN("A0425", "2024-08-01", UNITS(250))));
    CHECK(find(r, 0, "units.mue_exceeded") == NULL);
    r = run(PRO(LN("A0425", "2024-08-01",
                   UNITS(200)) "," LN("A0425", "2024-08-01", UNITS(200))));
    CHECK(find(r, 0, "units.mue_exceeded") == NULL);
    CHECK(find(r, 1, "units.mue_exceeded") == NULL);

    /* MAI 3 (97110, 6): summed per date, every line flagged */
    r = run(PRO(LN("97110", "2024-08-01", UNITS(4)) "," LN(
        "97110", "2024-08-01", UNITS(4)) "," LN("97110", "2024-08-02",
                                                UNITS(4))));
    f = find(r, 0, "units.mue_exceeded");
    CHECK(f != NULL);
    if (f) {
        CHECK_CONTAINS(f->message, "8 units of 97110 on 2024-08-01 (2 lines)");
        CHECK_CONTAINS(f->fix, "paid on appeal");
        CHECK_CONTAINS(f->source, "MAI 3");
    }
    CHECK(find(r, 1, "units.mue_exceeded") != NULL);
    CHECK(find(r, 2, "units.mue_exceeded") == NULL);
    CHECK_STR(mn_abn_name(r->lines[0].abn), "not_needed");
    r = run(PRO(LN("97110", "2024-08-01",
                   UNITS(3)) "," LN("97110", "2024-08-01", UNITS(3))));
    CHECK(find(r, 0, "units.mue_exceeded") == NULL);
    /* the outpatient hospital MUE is 8 */
    r = run(INST(LN("97110", "2024-08-01",
                    UNITS(4)) "," LN("97110", "2024-08-01", UNITS(4))));
    CHECK(find(r, 0, "units.mue_exceeded") == NULL);
    r = run(INST(LN("97110", "2024-08-01", UNITS(9))));
    f = find(r, 0, "units.mue_exceeded");
    CHECK(f != NULL);
    if (f)
        CHECK_STR(f->policy_id, "MUE outpatient hospital 2024-07-01");

    /* MAI 2 (0001U, 1): absolute */
    r = run(PRO(LN("0001U", "2024-08-01", UNITS(2))));
    f = find(r, 0, "units.mue_exceeded");
    CHECK(f != NULL);
    if (f) {
        CHECK_CONTAINS(f->fix, "even on appeal");
        CHECK_CONTAINS(f->source, "MAI 2");
    }
    /* DME MUEs apply to DME supplier claims only (claim_type "dme") */
    r = run(PRO(LN("E0100", "2024-08-01", UNITS(5))));
    CHECK(find(r, 0, "units.mue_exceeded") == NULL);
    r = run(CLAIM("dme", LN("E0100", "2024-08-01", UNITS(1))));
    CHECK(find(r, 0, "units.mue_exceeded") == NULL);
    r = run(CLAIM("dme", LN("E0100", "2024-08-01", UNITS(2))));
    f = find(r, 0, "units.mue_exceeded");
    CHECK(f != NULL);
    if (f) {
        CHECK_STR(f->policy_id, "MUE DME supplier 2024-07-01");
        CHECK_CONTAINS(f->source, "MAI 2");
    }
    /* MAI 3 on a DME claim sums the date's lines (A4253: 2) */
    r = run(CLAIM("dme", LN("A4253", "2024-08-01",
                            UNITS(1)) "," LN("A4253", "2024-08-01", UNITS(2))));
    CHECK(find(r, 0, "units.mue_exceeded") != NULL);
    CHECK(find(r, 1, "units.mue_exceeded") != NULL);
    /* a practitioner MUE does not apply to a DME claim */
    r = run(CLAIM("dme", LN("A0425", "2024-08-01", UNITS(251))));
    CHECK(find(r, 0, "units.mue_exceeded") == NULL);
    /* NCCI has no PTP table for DME suppliers */
    r = run(CLAIM("dme", LN("20610", "2024-08-01",
                            "") "," LN("99213", "2024-08-01", "")));
    CHECK(find(r, 1, "ncci.ptp") == NULL);
}

/* ------------------------------------------------------------------ */
/* Add-on codes                                                         */
/* ------------------------------------------------------------------ */

static void test_addon(void)
{
    const mn_result *r;
    const mn_finding *f;

    /* type 1: 99292 needs 99291 */
    r = run(PRO(LN("99292", "2024-08-01", "")));
    f = find(r, 0, "ncci.addon_without_primary");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(f->severity, MN_SEVERITY_DENY);
        CHECK_STR(f->carc, "107");
        CHECK_STR(f->rarc, "N122");
        CHECK_STR(f->policy_id, "AOC 2024Q3");
        CHECK_CONTAINS(f->message, "99291");
        CHECK_CONTAINS(f->source, "edit type 1");
    }
    CHECK_STR(mn_abn_name(r->lines[0].abn), "not_needed");
    r = run(
        PRO(LN("99291", "2024-08-01", "") "," LN("99292", "2024-08-01", "")));
    CHECK(find(r, 1, "ncci.addon_without_primary") == NULL);
    r = run(
        PRO(LN("99291", "2024-07-31", "") "," LN("99292", "2024-08-01", "")));
    CHECK(find(r, 1, "ncci.addon_without_primary") != NULL);
    /* the primary in the patient's history on the same date counts */
    r = run(
        "{\"lines\":[" LN("99292", "2024-08-01",
                          "") "],\"history\":["
                              "{\"code\":\"99291\",\"date\":\"2024-08-01\"}]}");
    CHECK(find(r, 0, "ncci.addon_without_primary") == NULL);
    /* two listed primaries (22551, 22554) */
    r = run(
        PRO(LN("22554", "2024-08-01", "") "," LN("22552", "2024-08-01", "")));
    CHECK(find(r, 1, "ncci.addon_without_primary") == NULL);
    r = run(
        PRO(LN("20610", "2024-08-01", "") "," LN("22552", "2024-08-01", "")));
    f = find(r, 1, "ncci.addon_without_primary");
    CHECK(f != NULL);
    if (f)
        CHECK_CONTAINS(f->message, "22551, 22554");

    /* type 2 (CCCCC): any other code on the date */
    r = run(PRO(LN("0054T", "2024-08-01", "")));
    f = find(r, 0, "ncci.addon_without_primary");
    CHECK(f != NULL);
    if (f)
        CHECK_CONTAINS(f->message, "no primary procedure");
    r = run(
        PRO(LN("20610", "2024-08-01", "") "," LN("0054T", "2024-08-01", "")));
    CHECK(find(r, 1, "ncci.addon_without_primary") == NULL);

    /* type 3: listed primary, another code (review), nothing (deny) */
    r = run(
        PRO(LN("99152", "2024-08-01", "") "," LN("99153", "2024-08-01", "")));
    CHECK(find(r, 1, "ncci.addon_without_primary") == NULL);
    r = run(
        PRO(LN("20610", "2024-08-01", "") "," LN("99153", "2024-08-01", "")));
    f = find(r, 1, "ncci.addon_without_primary");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(f->severity, MN_SEVERITY_REVIEW);
        CHECK(f->carc == NULL);
    }
    CHECK_INT(r->lines[1].status, MN_STATUS_CONDITIONAL);
    r = run(PRO(LN("99153", "2024-08-01", "")));
    f = find(r, 0, "ncci.addon_without_primary");
    CHECK(f && f->severity == MN_SEVERITY_DENY);

    /* an edit deleted after 2020-12-31 */
    r = run(PRO(LN("99354", "2020-12-31", "")));
    CHECK(find(r, 0, "ncci.addon_without_primary") != NULL);
    r = run(PRO(LN("99354", "2021-01-01", "")));
    CHECK(find(r, 0, "ncci.addon_without_primary") == NULL);
    /* not an add-on code */
    r = run(PRO(LN("99291", "2024-08-01", "")));
    CHECK(find(r, 0, "ncci.addon_without_primary") == NULL);
}

/* ------------------------------------------------------------------ */
/* Through the builder: the shared CSV layouts from memory              */
/* ------------------------------------------------------------------ */

static const char PTP_Q3[] =
    "\"column1\",\"column2\",\"deletion_date\",\"modifier_indicator\","
    "\"rationale\"\r\n"
    "\"11111\",\"22222\",\"9999-12-31\",1,\"Text, with a comma and "
    "\"\"quotes\"\"\"\r\n"
    "\"11111\",\"22222\",\"2019-12-31\",0,\"Old\"\r\n"
    "\"11111\",\"33333\",\"9999-12-31\",1,\"Newer source wins\"\r\n"
    "\"11111\",\"33333\",\"9999-12-31\",1,\"Newer source wins\"\r\n"
    "\"44444\",\"22222\",\"9999-12-31\",0,\"x\"\r\n"
    "\"4444\",\"22222\",\"9999-12-31\",0,\"x\"\r\n"
    "\"44444\",\"22222\",\"9999-99-31\",0,\"x\"\r\n";
static const char PTP_Q2[] =
    "\"column1\",\"column2\",\"deletion_date\",\"modifier_indicator\","
    "\"rationale\"\n"
    "\"11111\",\"33333\",\"9999-12-31\",0,\"Older source\"\n";
static const char PTP_OUT[] =
    "\"column1\",\"column2\",\"deletion_date\",\"modifier_indicator\","
    "\"rationale\"\n"
    "\"55555\",\"22222\",\"9999-12-31\",1,\"Hospital only\"\n";
static const char MUE_PRAC[] =
    "\"hcpcs_code\",\"mue_units\",\"mue_mai\",\"mue_rationale\","
    "\"mue_service\"\n"
    "\"22222\",2,3,\"Clinical: Data\",\"Practitioner\"\n"
    "\"22222\",5,3,\"Clinical: Data\",\"Outpatient Hospital\"\n"
    "\"33333\",1,7,\"x\",\"Practitioner\"\n"
    "\"33333\",1,1,\"x\",\"Nowhere\"\n";
static const char AOC[] = "\"primary_code\",\"add_on_code\",\"aoc_edit_type\"\n"
                          "\"CCCCC\",\"0054T\",2\n"
                          "\"99291\",\"99292\",1\n"
                          "\"99291\",\"99292\",1\n";

static int load_mem(mn_kbb *b, const char *name, const char *text,
                    mn_report *rep)
{
    mn_src s;
    mn_error err;
    int rc;

    s.path = name;
    s.name = name;
    s.date = 0; /* no date given at build */
    s.data = text;
    s.len = strlen(text);
    memset(rep, 0, sizeof(*rep));
    mn_error_clear(&err);
    rc = mn_x__load_ncci(b, &s, rep, &err);
    if (rc)
        fprintf(stderr, "load %s: %s\n", name, err.message);
    return rc;
}

/* Builds the in-memory KB; returns its bytes (caller frees). */
static void *build_mem(size_t *len, mn_report reps_out[6])
{
    mn_kbb *b = NULL;
    void *bytes = NULL;
    mn_error err;

    *len = 0;
    mn_error_clear(&err);
    if (mn_x__kbb_new(&b))
        return NULL;
    /* the newer table first: sources rank by the period in the name */
    load_mem(b, "ncci_ptp_prac_2024q3_all.csv", PTP_Q3, &reps_out[0]);
    load_mem(b, "ncci_ptp_prac_2024q2_all.csv", PTP_Q2, &reps_out[1]);
    load_mem(b, "ncci_ptp_out_2024q3_all.csv", PTP_OUT, &reps_out[2]);
    load_mem(b, "ncci_mue_prac.csv", MUE_PRAC, &reps_out[3]);
    load_mem(b, "ncci_aoc.csv", AOC, &reps_out[4]);
    load_mem(b, "ncci_mue_bad.csv", "a,b,c\n1,2,3\n", &reps_out[5]);
    if (mn_x__kbb_serialize(b, "2026-01-01", &bytes, len, &err))
        fprintf(stderr, "serialize: %s\n", err.message);
    mn_x__kbb_free(b);
    return bytes;
}

static void test_builder(void)
{
    mn_report rp[6];
    mn_report rp2[6];
    size_t len = 0;
    size_t len2 = 0;
    void *bytes = build_mem(&len, rp);
    void *bytes2 = build_mem(&len2, rp2);
    mn_kb *k = NULL;
    mn_error err;
    const mn_ncci_view *v;
    const kb_ptp *p;
    const kb_mue *m;
    const kb_aoc *a;
    size_t n = 0;
    long c11;
    long c22;
    long c33;

    CHECK(bytes != NULL);
    /* deterministic */
    CHECK(bytes2 && len == len2 && memcmp(bytes, bytes2, len) == 0);
    CHECK_STR(rp[0].layout, "ncci ptp csv");
    CHECK_INT(rp[0].rows, 5);
    CHECK_INT(rp[0].skipped, 2);
    CHECK_STR(rp[3].layout, "ncci mue csv");
    CHECK_INT(rp[3].rows, 2);
    CHECK_INT(rp[3].skipped, 2);
    CHECK_STR(rp[4].layout, "ncci aoc csv");
    CHECK(rp[5].layout == NULL);
    CHECK_CONTAINS(rp[5].note, "does not match any ncci layout");

    mn_error_clear(&err);
    CHECK_INT(mn_kb_open_buffer(&k, bytes, len, 1, &err), MN_OK);
    v = mn_x__ncci_view(k);
    CHECK(v != NULL);
    if (!v)
        goto done;
    /* 11111/33333 twice in q3 and once in q2, 99291/99292 twice */
    CHECK_INT(v->meta->merged, 3);
    CHECK_INT(v->n_codes, 5);
    c11 = mn_x__ncci_code(v, mn_x__key("11111", 5));
    c22 = mn_x__ncci_code(v, mn_x__key("22222", 5));
    c33 = mn_x__ncci_code(v, mn_x__key("33333", 5));
    CHECK(c11 >= 0 && c22 >= 0 && c33 >= 0);
    CHECK_INT(mn_x__ncci_code(v, mn_x__key("99999", 5)), -1);
    /* the active record on 2024-08-01, the old one in 2019 */
    p = mn_x__ncci_pair(v, MN_PTP_PRAC, c22, c11,
                        mn_x__d16(mn_x__days_from_civil(2024, 8, 1)));
    CHECK(p && KB_PTP_MOD(p) == MN_PTP_MOD_YES);
    if (p)
        CHECK_STR(mn_x__ncci_text(k, v, KB_PTP_TEXT(p)),
                  "Text, with a comma and \"quotes\"");
    p = mn_x__ncci_pair(v, MN_PTP_PRAC, c22, c11,
                        mn_x__d16(mn_x__days_from_civil(2019, 3, 1)));
    CHECK(p && KB_PTP_MOD(p) == MN_PTP_MOD_NO);
    CHECK(mn_x__ncci_pair(v, MN_PTP_HOSP, c22, c11,
                          mn_x__d16(mn_x__days_from_civil(2024, 8, 1))) ==
          NULL);
    /* the q3 row wins over the q2 row loaded after it */
    p = mn_x__ncci_pair(v, MN_PTP_PRAC, c33, c11, mn_x__d16(MN_NODATE));
    CHECK(p && KB_PTP_MOD(p) == MN_PTP_MOD_YES);
    /* MUE service per row */
    m = mn_x__ncci_mue(v, mn_x__key("22222", 5), MN_MUE_OUT);
    CHECK(m && m->units == 5 && m->mai == 3);
    m = mn_x__ncci_mue(v, mn_x__key("22222", 5), MN_MUE_PRAC);
    CHECK(m && m->units == 2);
    if (m)
        CHECK_STR(mn_x__ncci_text(k, v, m->text), "Clinical: Data");
    CHECK(mn_x__ncci_mue(v, mn_x__key("33333", 5), MN_MUE_PRAC) == NULL);
    /* AOC */
    a = mn_x__ncci_aoc(v, mn_x__key("0054T", 5), &n);
    CHECK(a && n == 1 && a->primary == 0 && a->type == 2);
    a = mn_x__ncci_aoc(v, mn_x__key("99292", 5), &n);
    CHECK(a && n == 1 && a->primary == mn_x__key("99291", 5));
    /* the engine on this KB: 22222 under 11111, bypassed by XS */
    {
        const mn_result *r = run_on(k, PRO(LN("11111", "2024-08-01", "") "," LN(
                                           "22222", "2024-08-01", UNITS(2))));
        CHECK(find(r, 1, "ncci.ptp") != NULL);
        CHECK(find(r, 1, "units.mue_exceeded") == NULL);
        r = run_on(k, PRO(LN("11111", "2024-08-01", "") "," LN(
                          "22222", "2024-08-01", MODS("\"XS\""))));
        CHECK(find(r, 1, "ncci.ptp") == NULL);
    }
done:
    mn_kb_free(k);
    mn_x__free(bytes);
    mn_x__free(bytes2);
}

/* ------------------------------------------------------------------ */
/* Validation at open                                                   */
/* ------------------------------------------------------------------ */

/* The bytes of section `id` in a KB image, or NULL. */
static unsigned char *sec_of(unsigned char *img, uint32_t id, size_t *len)
{
    kb_header h;
    memcpy(&h, img, sizeof(h));
    for (uint32_t i = 0; i < h.n_sections; i++) {
        kb_section s;
        memcpy(&s, img + sizeof(h) + i * sizeof(s), sizeof(s));
        if (s.id == id) {
            *len = (size_t)s.length;
            return img + s.offset;
        }
    }
    return NULL;
}

static void reseal(unsigned char *img, size_t len)
{
    kb_header h;
    memcpy(&h, img, sizeof(h));
    h.checksum = XXH3_64bits(img + sizeof(h), len - sizeof(h));
    memcpy(img, &h, sizeof(h));
}

static int open_corrupted(int what)
{
    unsigned char *img = malloc(fx_len);
    mn_kb *k = NULL;
    mn_error err;
    size_t len = 0;
    unsigned char *s;
    int rc;

    memcpy(img, fx_bytes, fx_len);
    switch (what) {
    case 0: /* a column-1 index out of range */
        s = sec_of(img, KB_SEC_NCCI_PTP, &len);
        if (s && len >= sizeof(kb_ptp)) {
            kb_ptp p;
            memcpy(&p, s, sizeof(p));
            p.x = KB_PTP_X(0x3fffffu, KB_PTP_DEL(&p), KB_PTP_EFF(&p),
                           KB_PTP_TABLES(&p), KB_PTP_MOD(&p), KB_PTP_TEXT(&p));
            memcpy(s, &p, sizeof(p));
        }
        break;
    case 1: /* dictionary out of order */
        s = sec_of(img, KB_SEC_NCCI_CODES, &len);
        if (s && len >= 16) {
            unsigned char t[8];
            memcpy(t, s, 8);
            memcpy(s, s + 8, 8);
            memcpy(s + 8, t, 8);
        }
        break;
    case 2: /* index past the records */
        s = sec_of(img, KB_SEC_NCCI_PTPIDX, &len);
        if (s && len >= 8) {
            uint32_t x = 0xfffffff0u;
            memcpy(s + 4, &x, 4);
        }
        break;
    case 3: /* a PTP record of no table */
        s = sec_of(img, KB_SEC_NCCI_PTP, &len);
        if (s && len >= sizeof(kb_ptp)) {
            kb_ptp p;
            memcpy(&p, s, sizeof(p));
            p.x = KB_PTP_X(KB_PTP_COL1(&p), KB_PTP_DEL(&p), KB_PTP_EFF(&p), 0,
                           KB_PTP_MOD(&p), KB_PTP_TEXT(&p));
            memcpy(s, &p, sizeof(p));
        }
        break;
    default: /* a MUE with indicator 4 */
        s = sec_of(img, KB_SEC_NCCI_MUE, &len);
        if (s && len >= sizeof(kb_mue))
            s[offsetof(kb_mue, mai)] = 4;
        break;
    }
    reseal(img, fx_len);
    mn_error_clear(&err);
    rc = mn_kb_open_buffer(&k, img, fx_len, 1, &err);
    if (rc)
        CHECK_CONTAINS(err.message, "ncci");
    mn_kb_free(k);
    free(img);
    return rc;
}

static void test_corrupt(void)
{
    for (int i = 0; i < 5; i++)
        CHECK_INT(open_corrupted(i), MN_EBADKB);
}

int main(void)
{
    mn_error err;

    mn_error_clear(&err);
    if (build_fixtures() || mn_ctx_new(&ctx, 1u << 20, &err)) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    RUN(test_fixture_reports);
    RUN(test_ptp_indicator1);
    RUN(test_ptp_anatomic);
    RUN(test_ptp_indicator0);
    RUN(test_ptp_dates);
    RUN(test_ptp_tables);
    RUN(test_mue);
    RUN(test_addon);
    RUN(test_builder);
    RUN(test_corrupt);
    mn_claim_free(claim);
    mn_ctx_free(ctx);
    mn_kb_free(kb);
    mn_kb_bytes_free(fx_bytes);
    DONE();
}
