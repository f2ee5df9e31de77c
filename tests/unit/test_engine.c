/* test_engine.c: the checks, on a small KB built through the builder. */
#include "check/check.h"
#include "harness.h"
#include "kbfix.h"

static mn_kb *kb;
static mn_ctx *ctx;
static mn_claim *claim;

/* Parses and checks; returns the result (borrowed from ctx). */
static const mn_result *run(const char *json)
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
    if (mn_check(&res, ctx, kb, claim, &err)) {
        fprintf(stderr, "check: %s\n", err.message);
        return NULL;
    }
    return res;
}

/* The first finding of line 0 with this edit, or NULL. */
static const mn_finding *find(const mn_result *r, const char *edit)
{
    if (!r || !r->n_lines)
        return NULL;
    for (size_t i = 0; i < r->lines[0].n_findings; i++) {
        if (!strcmp(r->lines[0].findings[i].edit->id, edit))
            return &r->lines[0].findings[i];
    }
    return NULL;
}

static bool supports(const mn_finding *f, const char *code)
{
    mn_key k = mn_x__key(code, strlen(code));
    for (size_t i = 0; f && i < f->n_supporting; i++) {
        if (f->supporting[i] == k)
            return true;
    }
    return false;
}

#define CLAIM(jur, dx, code, date, extra)                                      \
    "{\"id\":\"t\",\"jurisdiction\":\"" jur "\",\"patient\":{\"birth_date\":"  \
    "\"1950-04-02\",\"sex\":\"F\"},\"diagnoses\":[" dx "],\"lines\":[{"        \
    "\"code\":\"" code "\",\"date\":\"" date "\"" extra "}]}"

static void test_article_covered_and_not(void)
{
    const mn_result *r =
        run(CLAIM("KY", "\"E55.9\"", "82306", "2024-05-01", ""));
    const mn_finding *f;
    CHECK(r != NULL);
    CHECK_INT(mn_result_status(r), MN_STATUS_COVERED);
    f = find(r, "policy.dx_supported");
    CHECK(f != NULL);
    if (f) {
        CHECK_STR(f->policy_id, "A99001");
        CHECK_INT(f->policy_version, 3);
        CHECK_INT(f->group, 1);
        CHECK_STR(f->related, "L99001");
    }
    CHECK_STR(mn_abn_name(r->lines[0].abn), "not_needed");

    r = run(CLAIM("J15", "\"I10\"", "82306", "2024-05-01", ""));
    CHECK_INT(mn_result_status(r), MN_STATUS_NOT_COVERED);
    f = find(r, "policy.dx_not_supported");
    CHECK(f != NULL);
    if (f) {
        CHECK_STR(f->carc, "50");
        CHECK_STR(f->rarc, "N115");
        CHECK_STR(f->policy_kind, "article");
        CHECK(f->n_supporting > 0);
        CHECK(supports(f, "E55.9"));
    }
    CHECK_STR(mn_abn_name(r->lines[0].abn), "recommended");
    CHECK_INT(r->lines[0].n_suggested, 1);
    CHECK_STR(r->lines[0].suggested[0], "GA");

    /* same-category codes are suggested first */
    r = run(CLAIM("15102", "\"E55.1\"", "82306", "2024-05-01", ""));
    f = find(r, "policy.dx_not_supported");
    if (f && f->n_supporting >= 2) {
        CHECK((f->supporting[0] >> 40) == (mn_x__key("E55", 3) >> 40));
        CHECK((f->supporting[1] >> 40) == (mn_x__key("E55", 3) >> 40));
    }
}

static void test_jurisdiction(void)
{
    const mn_result *r = run(CLAIM("JE", "\"I10\"", "82306", "2024-05-01", ""));
    CHECK_INT(mn_result_status(r), MN_STATUS_COVERED);
    CHECK(find(r, "policy.none") != NULL);

    r = run("{\"diagnoses\":[\"I10\"],\"lines\":[{\"code\":\"82306\","
            "\"date\":\"2024-05-01\"}]}");
    CHECK_INT(mn_result_status(r), MN_STATUS_INDETERMINATE);
    CHECK(find(r, "policy.jurisdiction_required") != NULL);
}

/* Where a local policy applies: certainly, perhaps, or not at all. */
static void test_places(void)
{
    const mn_result *r;
    const mn_finding *f;

    /* A99001 is placed in Kentucky and Ohio: J15 is all of it */
    r = run(CLAIM("J15", "\"I10\"", "82306", "2024-05-01", ""));
    CHECK_INT(mn_result_status(r), MN_STATUS_NOT_COVERED);
    CHECK(find(r, "policy.dx_not_supported") != NULL);
    r = run(CLAIM("OH", "\"I10\"", "82306", "2024-05-01", ""));
    CHECK(find(r, "policy.dx_not_supported") != NULL);
    /* A99002 in Northern and Southern California: all of California
       (version 1, on a date the KB's code sets cover) */
    r = run(CLAIM("CA", "\"D51.0\"", "83540", "2023-11-01", ""));
    CHECK(find(r, "policy.dx_not_supported") != NULL);
    r = run(CLAIM("CA-SOUTHERN", "\"D51.0\"", "83540", "2023-11-01", ""));
    CHECK(find(r, "policy.dx_not_supported") != NULL);
    r = run(CLAIM("01112", "\"D51.0\"", "83540", "2023-11-01", ""));
    CHECK(find(r, "policy.dx_not_supported") != NULL);
    /* ... but only part of JE: perhaps, so a review, not a denial */
    r = run(CLAIM("JE", "\"D51.0\"", "83540", "2023-11-01", ""));
    CHECK_INT(mn_result_status(r), MN_STATUS_INDETERMINATE);
    CHECK(find(r, "policy.dx_not_supported") == NULL);
    f = find(r, "policy.jurisdiction_uncertain");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(f->severity, MN_SEVERITY_REVIEW);
        CHECK(!f->med_nec);
        CHECK_STR(f->policy_id, "A99002");
        CHECK_STR(f->dx, "D51.0");
        CHECK_CONTAINS(f->message, "policy.dx_not_supported");
        CHECK_CONTAINS(f->message, "only part of the claim's jurisdiction");
        CHECK(f->n_supporting > 0);
        CHECK(f->carc == NULL);
    }
    CHECK_STR(mn_abn_name(r->lines[0].abn), "not_needed");
    /* what a possible policy covers stays covered */
    r = run(CLAIM("JE", "\"D50.9\"", "83540", "2023-11-01", ""));
    CHECK_INT(mn_result_status(r), MN_STATUS_COVERED);
    CHECK(find(r, "policy.dx_supported") != NULL);
    /* A99004's places are unknown: it may apply anywhere */
    r = run(CLAIM("KY", "\"I10\"", "95810", "2024-05-01", ""));
    CHECK_INT(mn_result_status(r), MN_STATUS_INDETERMINATE);
    f = find(r, "policy.jurisdiction_uncertain");
    CHECK(f != NULL);
    if (f) {
        CHECK_STR(f->policy_id, "A99004");
        CHECK_CONTAINS(f->message, "does not know where it applies");
    }
    r = run(CLAIM("KY", "\"G47.33\"", "95810", "2024-05-01", ""));
    CHECK_INT(mn_result_status(r), MN_STATUS_COVERED);
    r = run("{\"diagnoses\":[\"I10\"],\"lines\":[{\"code\":\"95810\","
            "\"date\":\"2024-05-01\"}]}");
    CHECK(find(r, "policy.jurisdiction_uncertain") != NULL);
    CHECK(find(r, "policy.jurisdiction_required") == NULL);
}

static void test_noncovered_and_abn(void)
{
    const mn_result *r =
        run(CLAIM("KY", "\"Z00.00\"", "82306", "2024-05-01", ""));
    const mn_finding *f = find(r, "policy.dx_noncovered");
    CHECK(f != NULL);
    if (f)
        CHECK_STR(f->dx, "Z00.00");
    r = run(CLAIM("KY", "\"I10\"", "82306", "2024-05-01",
                  ",\"modifiers\":[\"GA\"]"));
    CHECK_STR(mn_abn_name(r->lines[0].abn), "on_file");
    CHECK_INT(r->lines[0].n_suggested, 0);
    r = run("{\"payer\":\"acme\",\"jurisdiction\":\"KY\",\"diagnoses\":"
            "[\"I10\"],\"lines\":[{\"code\":\"82306\",\"date\":"
            "\"2024-05-01\"}]}");
    CHECK_STR(mn_abn_name(r->lines[0].abn), "not_needed");
}

static void test_versions(void)
{
    const mn_result *r =
        run(CLAIM("CA", "\"D51.0\"", "83540", "2023-06-01", ""));
    const mn_finding *f = find(r, "policy.dx_not_supported");
    CHECK(f != NULL);
    if (f)
        CHECK_INT(f->policy_version, 1);
    r = run(CLAIM("CA", "\"D51.0\"", "83540", "2024-06-01", ""));
    f = find(r, "policy.dx_supported");
    CHECK(f != NULL);
    if (f)
        CHECK_INT(f->policy_version, 2);
}

static void test_dual_diagnosis(void)
{
    const mn_result *r =
        run(CLAIM("JE", "\"G47.33\"", "64582", "2024-06-01", ""));
    const mn_finding *f = find(r, "policy.secondary_dx_missing");
    CHECK_INT(mn_result_status(r), MN_STATUS_NOT_COVERED);
    CHECK(f != NULL);
    if (f) {
        CHECK_STR(f->dx, "G47.33");
        CHECK_CONTAINS(f->message, "group 2");
    }
    r = run(CLAIM("JE", "\"G47.33\",\"Z68.30\"", "64582", "2024-06-01", ""));
    CHECK_INT(mn_result_status(r), MN_STATUS_COVERED);
    r = run(CLAIM("JE", "\"Z68.30\"", "64582", "2024-06-01", ""));
    CHECK(find(r, "policy.secondary_dx_missing") != NULL);
    r = run(CLAIM("JE", "\"G47.33\",\"Z68.41\"", "64582", "2024-06-01", ""));
    CHECK(find(r, "policy.secondary_dx_missing") != NULL);
    /* pointers restrict the diagnoses */
    r = run(CLAIM("JE", "\"G47.33\",\"Z68.30\"", "64582", "2024-06-01",
                  ",\"dx_pointers\":[1]"));
    CHECK(find(r, "policy.secondary_dx_missing") != NULL);
}

static void test_lab_ncd(void)
{
    const mn_result *r =
        run(CLAIM("JE", "\"E11.65\"", "83036", "2024-06-01", ""));
    const mn_finding *f;
    CHECK_INT(mn_result_status(r), MN_STATUS_COVERED);
    r = run(CLAIM("JE", "\"I10\"", "83036", "2024-06-01", ""));
    f = find(r, "policy.dx_not_supported");
    CHECK(f != NULL);
    if (f) {
        CHECK_STR(f->rarc, "N386");
        CHECK_STR(f->policy_kind, "ncd");
        CHECK_STR(f->policy_id, "190.21");
    }
    r = run(CLAIM("JE", "\"R99\"", "83036", "2024-06-01", ""));
    f = find(r, "policy.dx_noncovered");
    CHECK(f != NULL);
    if (f)
        CHECK(f->source != NULL);
    /* 190.15 is inverted by the built-in rule pack */
    r = run(CLAIM("JE", "\"Z00.00\"", "85025", "2024-06-01", ""));
    CHECK(find(r, "policy.dx_not_supported") != NULL);
    r = run(CLAIM("JE", "\"Z00.00\",\"D50.9\"", "85025", "2024-06-01", ""));
    CHECK_INT(mn_result_status(r), MN_STATUS_COVERED);
}

static void test_dx_validity(void)
{
    const mn_result *r = run(CLAIM("JE", "\"E11\"", "83036", "2024-06-01", ""));
    const mn_finding *f = find(r, "dx.not_billable");
    CHECK_INT(mn_result_status(r), MN_STATUS_INVALID);
    CHECK(f != NULL);
    CHECK(supports(f, "E11.65"));
    CHECK(supports(f, "E11.9"));
    r = run(CLAIM("JE", "\"Q99.9\"", "83036", "2024-06-01", ""));
    CHECK(find(r, "dx.invalid") != NULL);
    /* E55.0 exists from FY2024 only: invalid on 2022-09-30 (FY2022),
       valid on 2023-10-01 */
    r = run(CLAIM("KY", "\"E55.0\"", "82306", "2022-09-30", ""));
    CHECK(find(r, "dx.invalid") != NULL);
    r = run(CLAIM("KY", "\"E55.0\"", "82306", "2023-10-01", ""));
    CHECK_INT(mn_result_status(r), MN_STATUS_COVERED);
    /* a date no loaded version covers is never judged by a neighbouring
       one: FY2023 (between the FY2022 and FY2024 files) and after FY2024
       are indeterminate, not dx.invalid and not covered */
    r = run(CLAIM("KY", "\"E55.0\"", "82306", "2023-09-30", ""));
    CHECK(find(r, "dx.invalid") == NULL);
    CHECK(find(r, "kb.outside_range") != NULL);
    CHECK_INT(mn_result_status(r), MN_STATUS_INDETERMINATE);
    r = run(CLAIM("KY", "\"E55.0\"", "82306", "2026-11-27", ""));
    CHECK(find(r, "dx.invalid") == NULL);
    f = find(r, "kb.outside_range");
    CHECK(f != NULL);
    if (f) {
        CHECK_STR(f->policy_kind, "kb");
        CHECK_STR(f->policy_id, "icd10cm");
        CHECK_CONTAINS(f->message, "2021-10-01 to 2022-09-30, 2023-10-01 to "
                                   "2024-09-30, not 2026-11-27");
    }
    CHECK_INT(mn_result_status(r), MN_STATUS_INDETERMINATE);
}

static void test_mce(void)
{
    const mn_result *r =
        run(CLAIM("JE", "\"N40.1\"", "99213", "2024-06-01", ""));
    CHECK(find(r, "dx.sex_conflict") != NULL);
    r = run(CLAIM("JE", "\"O24.419\"", "99213", "2024-06-01", ""));
    CHECK(find(r, "dx.age_conflict") != NULL);
    CHECK(find(r, "dx.sex_conflict") == NULL);
    r = run(CLAIM("JE", "\"G89.3\",\"I10\"", "99213", "2024-06-01", ""));
    CHECK(find(r, "dx.manifestation_primary") != NULL);
    r = run(CLAIM("JE", "\"I10\",\"G89.3\"", "99213", "2024-06-01", ""));
    CHECK(find(r, "dx.manifestation_primary") == NULL);
}

static void test_hcpcs_validity(void)
{
    const mn_result *r = run(CLAIM("JE", "\"I10\"", "G0001", "2024-06-01", ""));
    CHECK(find(r, "code.invalid") != NULL);
    r = run(CLAIM("JE", "\"I10\"", "G0001", "2012-12-31", ""));
    CHECK(find(r, "code.invalid") == NULL);
    r = run(CLAIM("JE", "\"I10\"", "G9999", "2024-06-01", ""));
    CHECK(find(r, "code.invalid") != NULL);
    r = run(CLAIM("JE", "\"I10\"", "G0328", "2024-06-01", ""));
    CHECK(find(r, "code.invalid") == NULL);
}

/* The SSA section text of the HCPCS statute field. */
static void test_statute_text(void)
{
    static const char *const cases[][2] = {
        {"1862A7", "SSA 1862(a)(7)"},
        {"1862a7", "SSA 1862(a)(7)"},
        {"1862(a)(7)", "SSA 1862(a)(7)"},
        {" 1862A8 ", "SSA 1862(a)(8)"},
        {"1861S2B", "SSA 1861(s)(2)(B)"},
        {"1861(s)2T", "SSA 1861(s)(2)(T)"},
        {"1834a3A", "SSA 1834(a)(3)(A)"},
        {"1834(A)(3)", "SSA 1834(a)(3)"},
        {"1833T", "SSA 1833(t)"},
        {"1833(t)(2)", "SSA 1833(t)(2)"},
        {"1861(ddd)", "SSA 1861(ddd)"},
        {"1861SSA", "SSA 1861"},
        {"1862 SSA", "SSA 1862"},
        {"SSA 1862(a)(7)", "SSA 1862(a)(7)"},
        {"1834", "SSA 1834"},
    };
    static const char *const as_given[] = {
        "1862(1)(a)", "1862.1", "1862a(i)13", "621MMA", "430 BIPA",
        "4557",       "NA",     "1033(t)",    "1862(a", "1862(a)(07)",
        "1862ab",     "",       "SSA 1862.1",
    };
    char out[72];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CHECK(mn_x__hcpcs_statute(out, sizeof(out), cases[i][0],
                                  strlen(cases[i][0])));
        CHECK_STR(out, cases[i][1]);
    }
    for (size_t i = 0; i < sizeof(as_given) / sizeof(as_given[0]); i++) {
        CHECK(!mn_x__hcpcs_statute(out, sizeof(out), as_given[i],
                                   strlen(as_given[i])));
        CHECK_STR(out, as_given[i]);
    }
    CHECK_STR(mn_x__hcpcs_coverage_meaning('S'),
              "non-covered by Medicare statute");
    CHECK(mn_x__hcpcs_coverage_meaning(0) == NULL);
    CHECK(mn_x__hcpcs_coverage_meaning('X') == NULL);
}

/* The HCPCS coverage codes on a KB of their own (with the built-in rules:
 * exclusion.hearing_aids covers V5010 too). */
static void test_coverage(void)
{
    mn_kb *saved = kb;
    mn_kb *ckb = NULL;
    mn_kbb *b = NULL;
    void *bytes = NULL;
    size_t len = 0;
    mn_error err;
    const mn_result *r;
    const mn_finding *f;
    size_t n = 0;

    mn_error_clear(&err);
    CHECK_INT(mn_x__kbb_new(&b), MN_OK);
    fx_icd(b, 2024, "I10", 1, "Essential (primary) hypertension");
    mn_x__kbb_hcpcs(b, 2024, fx_key("V5010"), fx_date("1984-01-01"), MN_NODATE,
                    NULL, 0);
    mn_x__kbb_hcpcs_coverage(b, 2024, fx_key("V5010"), 'S', "1862A7", 6);
    mn_x__kbb_hcpcs(b, 2024, fx_key("L3215"), fx_date("1984-01-01"), MN_NODATE,
                    NULL, 0);
    mn_x__kbb_hcpcs_coverage(b, 2024, fx_key("L3215"), 'S', "1862(1)(a)", 10);
    mn_x__kbb_hcpcs(b, 2024, fx_key("L3216"), fx_date("1984-01-01"), MN_NODATE,
                    NULL, 0);
    mn_x__kbb_hcpcs_coverage(b, 2024, fx_key("L3216"), 'S', NULL, 0);
    mn_x__kbb_hcpcs(b, 2024, fx_key("V2025"), fx_date("1992-01-01"),
                    fx_date("2030-12-31"), NULL, 0);
    mn_x__kbb_hcpcs_coverage(b, 2024, fx_key("V2025"), 'M', NULL, 0);
    mn_x__kbb_hcpcs(b, 2024, fx_key("A0021"), fx_date("1985-01-01"), MN_NODATE,
                    NULL, 0);
    mn_x__kbb_hcpcs_coverage(b, 2024, fx_key("A0021"), 'I', NULL, 0);
    mn_x__kbb_hcpcs(b, 2024, fx_key("G0008"), fx_date("1994-01-01"), MN_NODATE,
                    NULL, 0);
    mn_x__kbb_hcpcs_coverage(b, 2024, fx_key("G0008"), 'C', NULL, 0);
    CHECK_INT(mn_x__kbb_hcpcs_coverage(b, 2024, fx_key("G0008"), 'X', NULL, 0),
              MN_EINVAL);
    CHECK_INT(mn_x__rules_add_builtin(b, &err), MN_OK);
    CHECK_INT(mn_x__kbb_serialize(b, "2026-11-01", &bytes, &len, &err), MN_OK);
    CHECK_INT(mn_kb_open_buffer(&ckb, bytes, len, 1, &err), MN_OK);
    mn_x__kbb_free(b);
    mn_x__free(bytes);
    if (!ckb)
        return;
    kb = ckb;

    /* S: one statutory.excluded, although the hearing-aid rule applies */
    r = run(CLAIM("JE", "\"I10\"", "V5010", "2024-06-01", ""));
    CHECK_INT(mn_result_status(r), MN_STATUS_EXCLUDED);
    for (size_t i = 0; r && i < r->lines[0].n_findings; i++)
        n += !strcmp(r->lines[0].findings[i].edit->id, "statutory.excluded");
    CHECK_INT(n, 1);
    f = find(r, "statutory.excluded");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(f->severity, MN_SEVERITY_DENY);
        CHECK_STR(f->carc, "96");
        CHECK_STR(f->rarc, "N130");
        CHECK_STR(f->policy_kind, "code_set");
        CHECK_STR(f->policy_id, "HCPCS");
        CHECK_STR(f->policy_title,
                  "HCPCS coverage code S (non-covered by Medicare statute)");
        CHECK_CONTAINS(f->source, "statute SSA 1862(a)(7)");
        CHECK_CONTAINS(f->message, "V5010");
        CHECK_CONTAINS(f->message, "(SSA 1862(a)(7))");
        CHECK_CONTAINS(f->fix, "GY");
        CHECK_CONTAINS(f->fix, "GX");
    }
    if (r) {
        CHECK_STR(mn_abn_name(r->lines[0].abn), "not_needed");
        CHECK_INT(r->lines[0].n_suggested, 1);
        CHECK_STR(r->lines[0].suggested[0], "GY");
    }
    /* a statute of no clear shape is printed as given; none at all */
    r = run(CLAIM("JE", "\"I10\"", "L3215", "2024-06-01", ""));
    f = find(r, "statutory.excluded");
    CHECK(f != NULL);
    if (f) {
        CHECK_CONTAINS(f->source, "statute 1862(1)(a) (as given)");
        CHECK_CONTAINS(f->message, "(statute 1862(1)(a))");
    }
    r = run(CLAIM("JE", "\"I10\"", "L3216", "2024-06-01", ""));
    f = find(r, "statutory.excluded");
    CHECK(f != NULL);
    if (f) {
        CHECK_STR(f->source, "CMS HCPCS Level II file: coverage code S "
                             "(non-covered by Medicare statute)");
        CHECK(strstr(f->message, "SSA") == NULL);
    }

    /* M: not covered, not a medical-necessity denial: no ABN */
    r = run(CLAIM("JE", "\"I10\"", "V2025", "2024-06-01", ""));
    CHECK_INT(mn_result_status(r), MN_STATUS_NOT_COVERED);
    f = find(r, "coverage.noncovered");
    CHECK(f != NULL);
    if (f) {
        CHECK_STR(f->message,
                  "Medicare does not cover V2025 (HCPCS coverage code M).");
        CHECK_STR(f->carc, "96");
        CHECK_STR(f->rarc, "N130");
        CHECK(f->fix != NULL);
    }
    if (r) {
        CHECK_STR(mn_abn_name(r->lines[0].abn), "not_needed");
        CHECK_INT(r->lines[0].n_suggested, 0);
    }
    CHECK(find(r, "abn.recommended") == NULL);
    /* after its termination the code is invalid, and nothing more */
    r = run(CLAIM("JE", "\"I10\"", "V2025", "2031-01-02", ""));
    CHECK(find(r, "code.invalid") != NULL);
    CHECK(find(r, "coverage.noncovered") == NULL);

    /* I: invalid, no CARC */
    r = run(CLAIM("JE", "\"I10\"", "A0021", "2024-06-01", ""));
    CHECK_INT(mn_result_status(r), MN_STATUS_INVALID);
    f = find(r, "code.not_payable");
    CHECK(f != NULL);
    if (f) {
        CHECK_STR(f->message, "A0021 is not payable by Medicare (HCPCS "
                              "coverage code I): Medicare recognises "
                              "another code for this service.");
        CHECK_STR(f->fix, "Bill the code Medicare recognises for the "
                          "service.");
        CHECK(f->carc == NULL);
        CHECK_STR(f->policy_id, "HCPCS");
    }

    /* C: nothing; other payers: nothing */
    r = run(CLAIM("JE", "\"I10\"", "G0008", "2024-06-01", ""));
    CHECK_INT(mn_result_status(r), MN_STATUS_COVERED);
    r = run("{\"payer\":\"acme\",\"diagnoses\":[\"I10\"],\"lines\":["
            "{\"code\":\"V2025\",\"date\":\"2024-06-01\"},"
            "{\"code\":\"A0021\",\"date\":\"2024-06-01\"},"
            "{\"code\":\"L3215\",\"date\":\"2024-06-01\"}]}");
    CHECK_INT(mn_result_status(r), MN_STATUS_COVERED);

    kb = saved;
    mn_kb_free(ckb);
}

static void test_render(void)
{
    const mn_result *r = run(CLAIM("KY", "\"I10\"", "82306", "2024-05-01", ""));
    mn_buf *buf = NULL;
    mn_error err;
    mn_error_clear(&err);
    mn_buf_new(&buf, 0);
    CHECK_INT(mn_result_render(buf, r, kb, MN_FORMAT_JSON, &err), MN_OK);
    CHECK_CONTAINS(mn_buf_data(buf), "\"edit\":\"policy.dx_not_supported\"");
    CHECK_CONTAINS(mn_buf_data(buf), "\"status\":\"not_covered\"");
    CHECK_CONTAINS(mn_buf_data(buf), "\"abn\":\"recommended\"");
    mn_buf_clear(buf);
    CHECK_INT(mn_result_render(buf, r, kb, MN_FORMAT_TEXT, &err), MN_OK);
    CHECK_CONTAINS(mn_buf_data(buf), "A99001");
    mn_buf_free(buf);
}

/* The KB of the suggestion test: male-only, female-only and header codes
 * on one covered list. */
static mn_kb *suggestion_kb(void)
{
    static const char *const codes[][3] = {
        {"N40", "0", "Benign prostatic hyperplasia"},
        {"N40.0", "1",
         "Benign prostatic hyperplasia without lower urinary "
         "tract symptoms"},
        {"N40.1", "1",
         "Benign prostatic hyperplasia with lower urinary "
         "tract symptoms"},
        {"N95", "0", "Menopausal and other perimenopausal disorders"},
        {"N95.1", "1", "Menopausal and female climacteric states"},
        {"N95.2", "1", "Postmenopausal atrophic vaginitis"},
        {"E55.9", "1", "Vitamin D deficiency, unspecified"},
        {"I10", "1", "Essential (primary) hypertension"},
    };
    mn_kbb *b = NULL;
    void *bytes = NULL;
    size_t len = 0;
    mn_kb *out = NULL;
    mn_error err;
    /* a national policy: the claims below give no jurisdiction */
    mn_kbb_policy p = {MN_PK_NCD, "190.99",  1,    "Suggestions (test)",
                       MN_NODATE, MN_NODATE, NULL, 0};

    mn_error_clear(&err);
    if (mn_x__kbb_new(&b))
        return NULL;
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        fx_icd(b, 2024, codes[i][0], codes[i][1][0] == '1', codes[i][2]);
        if (strcmp(codes[i][0], "I10") != 0)
            mn_x__kbb_policy_dx(b, MN_PK_NCD, "190.99", 1, MN_DL_COVERED, 1,
                                false, fx_key(codes[i][0]));
    }
    mn_x__kbb_mce(b, 2024, fx_key("N40.0"), MN_MCE_MALE, 0, 124);
    mn_x__kbb_mce(b, 2024, fx_key("N40.1"), MN_MCE_MALE, 0, 124);
    mn_x__kbb_mce(b, 2024, fx_key("N95.1"), MN_MCE_FEMALE, 0, 124);
    mn_x__kbb_mce(b, 2024, fx_key("N95.2"), MN_MCE_FEMALE, 0, 124);
    mn_x__kbb_mce(b, 2024, fx_key("N95.2"), MN_MCE_ADULT, 15, 124);
    mn_x__kbb_policy(b, &p);
    mn_x__kbb_policy_code(b, MN_PK_NCD, "190.99", 1, fx_key("81001"), 1);
    if (mn_x__kbb_serialize(b, "2024-06-01", &bytes, &len, &err) == MN_OK)
        mn_kb_open_buffer(&out, bytes, len, 1, &err);
    mn_x__free(bytes);
    mn_x__kbb_free(b);
    return out;
}

/* The supporting diagnoses of the line's first finding of `edit`, as
 * "A B C". */
static void supporting_of(char *out, size_t size, const char *patient,
                          const char *dx, const char *edit, mn_kb *k)
{
    char json[512];
    mn_claim *c = NULL;
    const mn_result *r = NULL;
    mn_error err;

    out[0] = '\0';
    snprintf(json, sizeof(json),
             "{\"patient\":%s,\"diagnoses\":[\"%s\"],\"lines\":[{"
             "\"code\":\"81001\",\"date\":\"2024-03-01\"}]}",
             patient, dx);
    CHECK_INT(mn_claim_parse_json(&c, json, strlen(json), NULL, &err), MN_OK);
    if (c && mn_check(&r, ctx, k, c, &err) == MN_OK) {
        for (size_t i = 0; i < mn_result_finding_count(r, 0); i++) {
            mn_finding_info fi;
            size_t n = 0;
            fi.version = MN_FINDING_INFO_VERSION;
            mn_result_finding(&fi, r, 0, i, &err);
            if (strcmp(fi.edit->id, edit) != 0)
                continue;
            for (size_t j = 0; j < fi.n_supporting; j++)
                n += (size_t)snprintf(out + n, size - n, "%s%s", j ? " " : "",
                                      fi.supporting[j]);
            break;
        }
    }
    mn_claim_free(c);
}

/* Suggestions are billable on the date and fit the patient's age and sex
 * (MCE): no header codes, no male codes for a woman. */
static void test_suggestions_fit_patient(void)
{
    mn_kb *k = suggestion_kb();
    char got[256];

    CHECK(k != NULL);
    if (!k)
        return;
    supporting_of(got, sizeof(got), "{\"age\":60,\"sex\":\"F\"}", "I10",
                  "policy.dx_not_supported", k);
    CHECK_STR(got, "E55.9 N95.1 N95.2");
    supporting_of(got, sizeof(got), "{\"age\":60,\"sex\":\"M\"}", "I10",
                  "policy.dx_not_supported", k);
    CHECK_STR(got, "E55.9 N40.0 N40.1");
    /* N95.2 is for ages 15 and up */
    supporting_of(got, sizeof(got), "{\"age\":12,\"sex\":\"F\"}", "I10",
                  "policy.dx_not_supported", k);
    CHECK_STR(got, "E55.9 N95.1");
    /* sex unknown: nothing is ruled out by sex */
    supporting_of(got, sizeof(got), "{\"age\":60}", "I10",
                  "policy.dx_not_supported", k);
    CHECK_CONTAINS(got, "N40.0");
    CHECK_CONTAINS(got, "N95.1");
    CHECK(strstr(got, "N40 ") == NULL && strstr(got, "N95 ") == NULL);
    /* a header code: its billable codes that fit the patient */
    supporting_of(got, sizeof(got), "{\"age\":60,\"sex\":\"F\"}", "N40",
                  "dx.not_billable", k);
    CHECK_STR(got, "");
    supporting_of(got, sizeof(got), "{\"age\":60,\"sex\":\"M\"}", "N40",
                  "dx.not_billable", k);
    CHECK_STR(got, "N40.0 N40.1");
    mn_ctx_reset(ctx);
    mn_kb_free(k);
}

int main(void)
{
    void *bytes = NULL;
    size_t len = 0;
    mn_error err;
    mn_error_clear(&err);
    if (fx_build(&bytes, &len, 1) ||
        mn_kb_open_buffer(&kb, bytes, len, 1, &err) ||
        mn_ctx_new(&ctx, 0, &err)) {
        fprintf(stderr, "setup failed: %s\n", err.message);
        return 1;
    }
    RUN(test_article_covered_and_not);
    RUN(test_jurisdiction);
    RUN(test_places);
    RUN(test_noncovered_and_abn);
    RUN(test_versions);
    RUN(test_dual_diagnosis);
    RUN(test_lab_ncd);
    RUN(test_dx_validity);
    RUN(test_mce);
    RUN(test_hcpcs_validity);
    RUN(test_statute_text);
    RUN(test_coverage);
    RUN(test_render);
    RUN(test_suggestions_fit_patient);
    mn_claim_free(claim);
    mn_ctx_free(ctx);
    mn_kb_free(kb);
    mn_x__free(bytes);
    DONE();
}
