/*
 * test_result.c: the result API (mednec/result.h) and the edit table: a
 * result read as values agrees with its JSON, owns what it needs of the
 * claim, and errors are set whole.
 */
#include <jansson.h>
#include <stdbool.h>

#include "harness.h"
#include "mednec.h"

/* The contract's edit ids (contract.md section 4). */
static const char *const contract_edits[] = {
    "dx.invalid",
    "dx.not_billable",
    "dx.age_conflict",
    "dx.sex_conflict",
    "dx.manifestation_primary",
    "code.invalid",
    "policy.dx_not_supported",
    "policy.dx_noncovered",
    "policy.secondary_dx_missing",
    "policy.none",
    "frequency.exceeded",
    "age.out_of_range",
    "sex.mismatch",
    "units.mue_exceeded",
    "ncci.ptp",
    "ncci.addon_without_primary",
    "laterality.mismatch",
    "setting.not_allowed",
    "statutory.excluded",
    "modifier.conflict",
    "documentation.required",
    "prior_auth.required",
    "therapy.kx_required",
};

static void test_edit_table(void)
{
    size_t n = mn_edit_count();
    size_t contract = 0;

    CHECK(n >= sizeof(contract_edits) / sizeof(contract_edits[0]));
    CHECK(mn_edit_at(n) == NULL);
    CHECK(mn_edit_find("no.such_edit") == NULL);
    CHECK(mn_edit_find(NULL) == NULL);
    for (size_t i = 0; i < n; i++) {
        const mn_edit_info *e = mn_edit_at(i);
        CHECK(e != NULL);
        if (!e)
            continue;
        /* every id once */
        CHECK(mn_edit_find(e->id) == e);
        CHECK(e->title && e->title[0]);
        contract += e->contract != 0;
        /* a denial that is not a medical-necessity one names no reason
           for the patient's ABN */
        if (e->edit_class == MN_EDIT_MEDICAL_NECESSITY)
            CHECK(e->patient_text && strstr(e->patient_text, "%s"));
        if (e->edit_class == MN_EDIT_CODING)
            CHECK(e->patient_text == NULL);
        /* an edit that never denies predicts no denial codes */
        if (e->severity == MN_SEVERITY_INFO)
            CHECK(e->carc == NULL && e->rarc == NULL);
        CHECK_STR(mn_severity_name(e->severity),
                  e->severity == MN_SEVERITY_DENY     ? "deny"
                  : e->severity == MN_SEVERITY_REVIEW ? "review"
                                                      : "info");
    }
    for (size_t i = 0; i < sizeof(contract_edits) / sizeof(contract_edits[0]);
         i++) {
        const mn_edit_info *e = mn_edit_find(contract_edits[i]);
        CHECK(e != NULL);
        if (e)
            CHECK_INT(e->contract, 1);
    }
    CHECK_INT(contract, sizeof(contract_edits) / sizeof(contract_edits[0]));
    /* liability: NCCI and MUE are coding denials (no ABN), a diagnosis the
       policy does not cover is one of medical necessity */
    CHECK_INT(mn_edit_find("units.mue_exceeded")->edit_class, MN_EDIT_CODING);
    CHECK_INT(mn_edit_find("ncci.ptp")->edit_class, MN_EDIT_CODING);
    CHECK_INT(mn_edit_find("policy.dx_not_supported")->edit_class,
              MN_EDIT_MEDICAL_NECESSITY);
    CHECK_INT(mn_edit_find("statutory.excluded")->edit_class,
              MN_EDIT_STATUTORY);
    CHECK_STR(mn_edit_find("dx.invalid")->carc, "146");
    CHECK_STR(mn_edit_class_name(MN_EDIT_CODING), "coding");
    CHECK_STR(mn_abn_name(MN_ABN_ON_FILE), "on_file");
    CHECK_STR(mn_status_name(MN_STATUS_NOT_COVERED), "not_covered");
}

/* The KB of the data-driven cases (tests/cases/kb). */
static mn_kb *cases_kb(void)
{
    mn_build_options o = MN_BUILD_OPTIONS_INIT;
    mn_build *b = NULL;
    mn_kb *kb = NULL;
    void *bytes = NULL;
    size_t len = 0;
    mn_error err;

    o.built = "2025-01-01";
    mn_error_clear(&err);
    if (mn_build_new(&b, &o, &err) == MN_OK &&
        mn_build_add_path(b, MN_CASES "/kb", &err) == MN_OK &&
        mn_build_to_memory(&bytes, &len, b, &err) == MN_OK)
        mn_kb_open_buffer(&kb, bytes, len, 1, &err);
    if (!kb)
        fprintf(stderr, "  cases KB: %s\n", err.message);
    mn_kb_bytes_free(bytes);
    mn_build_free(b);
    return kb;
}

static const char not_supported[] =
    "{\"id\":\"c-7\",\"jurisdiction\":\"KY\","
    "\"patient\":{\"id\":\"p-1\",\"birth_date\":\"1950-04-02\",\"sex\":\"F\"},"
    "\"diagnoses\":[\"I10\"],"
    "\"lines\":[{\"code\":\"82306\",\"date\":\"2024-06-03\"}]}";

static json_t *render(const mn_result *res)
{
    mn_buf *b = NULL;
    json_t *j = NULL;

    if (mn_buf_new(&b, 0) == MN_OK &&
        mn_result_render(b, res, NULL, MN_FORMAT_JSON, NULL) == MN_OK)
        j = json_loadb(mn_buf_data(b), mn_buf_len(b), 0, NULL);
    mn_buf_free(b);
    return j;
}

/* The values agree with the JSON, field by field, on every finding. */
static void agree(const mn_result *res, const json_t *j)
{
    json_t *lines = json_object_get(j, "lines");

    CHECK_STR(mn_result_id(res), json_string_value(json_object_get(j, "id")));
    CHECK_INT(mn_result_line_count(res), json_array_size(lines));
    for (size_t l = 0; l < mn_result_line_count(res); l++) {
        mn_line_info li;
        json_t *jl = json_array_get(lines, l);
        json_t *fs = json_object_get(jl, "findings");
        li.version = MN_LINE_INFO_VERSION;
        CHECK_INT(mn_result_line(&li, res, l, NULL), MN_OK);
        CHECK_INT(li.line, json_integer_value(json_object_get(jl, "line")));
        CHECK_STR(li.code, json_string_value(json_object_get(jl, "code")));
        CHECK_STR(mn_status_name(li.status),
                  json_string_value(json_object_get(jl, "status")));
        CHECK_STR(mn_abn_name(li.abn),
                  json_string_value(json_object_get(jl, "abn")));
        CHECK_INT(li.n_findings, json_array_size(fs));
        for (size_t k = 0; k < li.n_findings; k++) {
            mn_finding_info fi;
            json_t *jf = json_array_get(fs, k);
            json_t *pol = json_object_get(jf, "policy");
            json_t *sup = json_object_get(jf, "supporting_diagnoses");
            fi.version = MN_FINDING_INFO_VERSION;
            CHECK_INT(mn_result_finding(&fi, res, l, k, NULL), MN_OK);
            CHECK_STR(fi.edit->id,
                      json_string_value(json_object_get(jf, "edit")));
            CHECK_STR(fi.message,
                      json_string_value(json_object_get(jf, "message")));
            CHECK_STR(mn_severity_name(fi.severity),
                      json_string_value(json_object_get(jf, "severity")));
            CHECK((fi.carc == NULL) ==
                  json_is_null(json_object_get(jf, "carc")));
            if (fi.carc)
                CHECK_STR(fi.carc,
                          json_string_value(json_object_get(jf, "carc")));
            CHECK((fi.citation.kind == NULL) == (pol == NULL));
            if (pol) {
                CHECK_STR(fi.citation.kind,
                          json_string_value(json_object_get(pol, "kind")));
                if (fi.citation.url)
                    CHECK_STR(fi.citation.url,
                              json_string_value(json_object_get(pol, "url")));
            }
            CHECK_INT(fi.n_supporting, json_array_size(sup));
            for (size_t s = 0; s < fi.n_supporting; s++)
                CHECK_STR(fi.supporting[s],
                          json_string_value(json_array_get(sup, s)));
        }
    }
}

static void test_values(void)
{
    mn_kb *kb = cases_kb();
    mn_ctx *ctx = NULL;
    mn_claim *c = NULL;
    const mn_result *res = NULL;
    mn_error err;
    json_t *before = NULL;
    json_t *after = NULL;
    mn_line_info li;
    mn_finding_info fi;
    bool denial = false;

    if (!kb)
        return;
    CHECK_INT(mn_ctx_new(&ctx, 0, &err), MN_OK);
    CHECK_INT(mn_claim_parse_json(&c, not_supported, sizeof(not_supported) - 1,
                                  NULL, &err),
              MN_OK);
    CHECK_INT(mn_check(&res, ctx, kb, c, &err), MN_OK);
    if (!res)
        goto done;
    before = render(res);
    CHECK(before != NULL);
    /* the result owns what it needs of the claim */
    mn_claim_free(c);
    c = NULL;
    after = render(res);
    CHECK(after != NULL);
    CHECK(json_equal(before, after));
    if (after)
        agree(res, after);
    CHECK(mn_result_kb(res) == kb);

    li.version = MN_LINE_INFO_VERSION;
    CHECK_INT(mn_result_line(&li, res, 0, &err), MN_OK);
    CHECK_STR(li.date, "2024-06-03");
    CHECK_INT(li.n_diagnoses, 1);
    CHECK_STR(li.n_diagnoses ? li.diagnoses[0] : NULL, "I10");
    CHECK_INT(li.status, MN_STATUS_NOT_COVERED);
    CHECK_INT(li.abn, MN_ABN_RECOMMENDED);
    CHECK_CONTAINS(li.abn_reason, "for your condition");
    CHECK_INT(li.n_suggested, 1);
    CHECK_STR(li.suggested_modifiers[0], "GA");
    for (size_t k = 0; k < li.n_findings; k++) {
        fi.version = MN_FINDING_INFO_VERSION;
        CHECK_INT(mn_result_finding(&fi, res, 0, k, &err), MN_OK);
        if (strcmp(fi.edit->id, "policy.dx_not_supported") != 0)
            continue;
        denial = true;
        CHECK_INT(fi.medical_necessity, 1);
        CHECK_STR(fi.citation.kind, "article");
        CHECK_STR(fi.citation.id, "A99101");
        CHECK_INT(fi.citation.version, 2);
        CHECK_STR(fi.citation.url, "https://www.cms.gov/medicare-coverage-"
                                   "database/view/article.aspx?"
                                   "articleid=99101&ver=2");
        CHECK_STR(fi.carc, "50");
        CHECK_STR(fi.rarc, "N115");
        CHECK_STR(fi.diagnosis, "I10");
        CHECK(fi.n_supporting > 0);
        CHECK(fi.fix != NULL);
    }
    CHECK(denial);

    /* misuse: an unknown version, a line or finding out of range */
    li.version = 99;
    CHECK_INT(mn_result_line(&li, res, 0, &err), MN_EINVAL);
    li.version = MN_LINE_INFO_VERSION;
    CHECK_INT(mn_result_line(&li, res, 5, &err), MN_EINVAL);
    fi.version = MN_FINDING_INFO_VERSION;
    CHECK_INT(mn_result_finding(&fi, res, 0, 999, &err), MN_EINVAL);
    CHECK_INT(mn_result_finding(NULL, res, 0, 0, &err), MN_EINVAL);
    CHECK(mn_result_finding_edit(res, 0, 999) == NULL);
done:
    json_decref(before);
    json_decref(after);
    mn_claim_free(c);
    mn_ctx_free(ctx);
    mn_kb_free(kb);
}

/* Whether a line has a finding of edit `id`. */
static int has_edit(const mn_result *res, size_t line, const char *id)
{
    for (size_t k = 0; k < mn_result_finding_count(res, line); k++)
        if (strcmp(mn_result_finding_edit(res, line, k), id) == 0)
            return 1;
    return 0;
}

/* Line info version 2: the sender's line number, provider, charge,
 * units, revenue code; version 1 callers get version 1; an ICD-9-CM
 * diagnosis gives dx.icd9, invalid from 2015-10-01 on, indeterminate
 * before. */
static void test_line_info_v2(void)
{
    static const char json[] =
        "{\"id\":\"X1\",\"provider\":\"1234567893\",\"diagnoses\":["
        "{\"code\":\"4019\",\"system\":\"icd-9-cm\"},\"I10\"],\"lines\":["
        "{\"code\":\"99213\",\"date\":\"2024-03-01\",\"number\":4,"
        "\"charge\":125.5,\"units\":2,\"dx_pointers\":[2],"
        "\"provider\":\"1111111112\"},{\"code\":\"99213\",\"date\":"
        "\"2014-03-01\",\"dx_pointers\":[1],\"revenue_code\":\"0510\"},"
        "{\"code\":\"99213\",\"date\":\"2024-03-01\",\"dx_pointers\":[1]}]}";
    mn_kb *kb = NULL;
    mn_ctx *ctx = NULL;
    mn_claim *c = NULL;
    const mn_result *res = NULL;
    mn_error err;
    mn_line_info li;

    CHECK_INT(mn_kb_open_builtin(&kb, &err), MN_OK);
    CHECK_INT(mn_ctx_new(&ctx, 0, &err), MN_OK);
    CHECK_INT(mn_claim_parse_json(&c, json, sizeof(json) - 1, NULL, &err),
              MN_OK);
    if (!kb || !ctx || !c)
        goto done;
    CHECK_INT(mn_check(&res, ctx, kb, c, &err), MN_OK);
    mn_claim_free(c);
    c = NULL;
    if (!res)
        goto done;
    memset(&li, 0, sizeof(li));
    li.version = MN_LINE_INFO_VERSION;
    CHECK_INT(mn_result_line(&li, res, 0, &err), MN_OK);
    CHECK_INT(li.line, 4);
    CHECK_STR(li.provider, "1111111112");
    CHECK_INT(li.charge, 12550);
    CHECK_INT(li.units, 2);
    CHECK(li.revenue_code == NULL);
    CHECK_INT(li.status, MN_STATUS_COVERED);
    CHECK_INT(mn_result_line(&li, res, 1, &err), MN_OK);
    CHECK_INT(li.line, 2);
    CHECK_STR(li.provider, "1234567893");
    CHECK_INT(li.charge, MN_NO_AMOUNT);
    CHECK_STR(li.revenue_code, "0510");
    CHECK_STR(li.n_diagnoses ? li.diagnoses[0] : NULL, "401.9");
    CHECK_INT(li.status, MN_STATUS_INDETERMINATE);
    /* 2014 is outside the built-in KB too (kb.outside_range comes first) */
    CHECK(has_edit(res, 1, "dx.icd9"));
    CHECK_INT(mn_result_line_status(res, 2), MN_STATUS_INVALID);
    CHECK_STR(mn_result_finding_edit(res, 2, 0), "dx.icd9");
    /* version 1 leaves the version 2 fields alone */
    memset(&li, 0, sizeof(li));
    li.version = 1;
    li.charge = 77;
    CHECK_INT(mn_result_line(&li, res, 0, &err), MN_OK);
    CHECK_INT(li.line, 4);
    CHECK_INT(li.charge, 77);
    CHECK(li.provider == NULL);
done:
    mn_claim_free(c);
    mn_ctx_free(ctx);
    mn_kb_free(kb);
}

/* A frequency denial gives the date the service is payable again. */
static void test_payable_again(void)
{
    static const char awv[] =
        "{\"patient\":{\"age\":70,\"sex\":\"F\"},\"diagnoses\":[\"Z00.00\"],"
        "\"lines\":[{\"code\":\"G0439\",\"date\":\"2024-03-02\"}],"
        "\"history\":[{\"code\":\"G0439\",\"date\":\"2023-06-15\"}]}";
    mn_kb *kb = NULL;
    mn_ctx *ctx = NULL;
    mn_claim *c = NULL;
    const mn_result *res = NULL;
    mn_error err;
    mn_line_info li;
    bool found = false;

    CHECK_INT(mn_kb_open_builtin(&kb, &err), MN_OK);
    CHECK_INT(mn_ctx_new(&ctx, 0, &err), MN_OK);
    CHECK_INT(mn_claim_parse_json(&c, awv, sizeof(awv) - 1, NULL, &err), MN_OK);
    if (kb && ctx && c)
        CHECK_INT(mn_check(&res, ctx, kb, c, &err), MN_OK);
    if (res) {
        li.version = MN_LINE_INFO_VERSION;
        CHECK_INT(mn_result_line(&li, res, 0, &err), MN_OK);
        /* 11 full months after June 2023: payable from 2024-06-01 */
        CHECK_STR(li.payable_again, "2024-06-01");
        for (size_t k = 0; k < li.n_findings; k++) {
            mn_finding_info fi;
            fi.version = MN_FINDING_INFO_VERSION;
            CHECK_INT(mn_result_finding(&fi, res, 0, k, &err), MN_OK);
            if (strcmp(fi.edit->id, "frequency.exceeded") == 0) {
                CHECK_STR(fi.payable_again, "2024-06-01");
                CHECK_STR(fi.citation.kind, "rule");
                CHECK(fi.citation.url == NULL);
                found = true;
            }
        }
    }
    CHECK(found);
    mn_claim_free(c);
    mn_ctx_free(ctx);
    mn_kb_free(kb);
}

/* An error is set whole: a later error keeps no field of an earlier one. */
static void test_error_set_whole(void)
{
    static const char bad[] =
        "{\"lines\":[{\"code\":\"83036\",\"date\":\"2024-02-30\"}]}";
    mn_claim *c = NULL;
    mn_ctx *ctx = NULL;
    const mn_result *res = NULL;
    mn_error err;

    mn_error_clear(&err);
    CHECK_INT(mn_claim_parse_json(&c, bad, sizeof(bad) - 1, NULL, &err),
              MN_EINVAL);
    CHECK_STR(err.where, "lines[0].date");
    CHECK_INT(mn_check_with(&res, NULL, NULL, NULL, NULL, &err), MN_EINVAL);
    CHECK_STR(err.message, "missing argument");
    CHECK_STR(err.where, "");
    CHECK_INT(err.line, 0);
    CHECK_INT(mn_claim_parse_json(&c, "{\"lines\":[}", 11, NULL, &err),
              MN_EINVAL);
    CHECK(err.line == 1 && err.column > 0);
    CHECK_INT(mn_ctx_new(&ctx, 0, &err), MN_OK);
    CHECK_INT(mn_result_line(NULL, NULL, 0, &err), MN_EINVAL);
    CHECK_INT(err.line, 0);
    CHECK_INT(err.column, 0);
    mn_ctx_free(ctx);
}

int main(void)
{
    RUN(test_edit_table);
    RUN(test_values);
    RUN(test_payable_again);
    RUN(test_line_info_v2);
    RUN(test_error_set_whole);
    DONE();
}
