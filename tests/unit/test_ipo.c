/* test_ipo.c: the OPPS inpatient-only list (Addendum E) as a setting rule. */
#define _GNU_SOURCE
#include <unistd.h>

#include "harness.h"
#include "mednec.h"

static mn_kb *kb;
static mn_ctx *ctx;
static int n_ipo_files;
static int undated_skipped;

static void on_file(void *payload, const mn_build_file_report *r)
{
    (void)payload;
    if (strstr(r->path, "2025_opps_addendum_e.csv")) {
        n_ipo_files++;
        CHECK(r->layout != NULL);
        CHECK_INT(r->rows, 3);
        CHECK_INT(r->skipped, 5); /* 3 title/blank rows, SI N, note */
    }
    if (strstr(r->path, "undated")) {
        undated_skipped = r->layout == NULL;
        CHECK_CONTAINS(r->note, "no calendar year");
    }
}

/* The edits of line 1 of a one-line claim, as "edit:severity ". */
static void check(const char *json, char *out, size_t size, mn_status *st)
{
    mn_claim *c = NULL;
    const mn_result *res = NULL;
    mn_error err;
    out[0] = '\0';
    mn_error_clear(&err);
    if (mn_claim_parse_json(&c, json, strlen(json), NULL, &err) ||
        mn_check(&res, ctx, kb, c, &err)) {
        fprintf(stderr, "claim: %s\n", err.message);
        mn_claim_free(c);
        return;
    }
    *st = mn_result_line_status(res, 0);
    for (size_t i = 0; i < mn_result_finding_count(res, 0); i++) {
        size_t l = strlen(out);
        snprintf(out + l, size - l, "%s ", mn_result_finding_edit(res, 0, i));
    }
    mn_claim_free(c);
}

static void test_ipo(void)
{
    char e[512];
    mn_status st = MN_STATUS_COVERED;

    CHECK_INT(n_ipo_files, 1);
    CHECK(undated_skipped);
    /* outpatient hospital claim: not payable */
    check("{\"claim_type\":\"institutional\",\"bill_type\":\"131\","
          "\"diagnoses\":[\"I25.10\"],\"lines\":[{\"code\":\"33533\","
          "\"date\":\"2025-05-01\"}]}",
          e, sizeof(e), &st);
    CHECK_CONTAINS(e, "setting.not_allowed");
    CHECK_INT(st, MN_STATUS_NOT_COVERED);
    /* inpatient claim: fine */
    check("{\"claim_type\":\"institutional\",\"bill_type\":\"111\","
          "\"diagnoses\":[\"I25.10\"],\"lines\":[{\"code\":\"33533\","
          "\"date\":\"2025-05-01\"}]}",
          e, sizeof(e), &st);
    CHECK(strstr(e, "setting.not_allowed") == NULL);
    /* professional claim from an outpatient hospital: review */
    check("{\"place_of_service\":\"22\",\"diagnoses\":[\"I25.10\"],"
          "\"lines\":[{\"code\":\"27125\",\"date\":\"2025-05-01\"}]}",
          e, sizeof(e), &st);
    CHECK_CONTAINS(e, "setting.not_allowed");
    CHECK_INT(st, MN_STATUS_CONDITIONAL);
    /* inpatient place of service: fine */
    check("{\"place_of_service\":\"21\",\"diagnoses\":[\"I25.10\"],"
          "\"lines\":[{\"code\":\"27125\",\"date\":\"2025-05-01\"}]}",
          e, sizeof(e), &st);
    CHECK(strstr(e, "setting.not_allowed") == NULL);
    /* the CY2025 list does not apply in 2026; SI N rows are not listed */
    check("{\"claim_type\":\"institutional\",\"bill_type\":\"131\","
          "\"diagnoses\":[\"I25.10\"],\"lines\":[{\"code\":\"33533\","
          "\"date\":\"2026-01-02\"}]}",
          e, sizeof(e), &st);
    CHECK(strstr(e, "setting.not_allowed") == NULL);
    check("{\"claim_type\":\"institutional\",\"bill_type\":\"131\","
          "\"diagnoses\":[\"Z23\"],\"lines\":[{\"code\":\"0001A\","
          "\"date\":\"2025-05-01\"}]}",
          e, sizeof(e), &st);
    CHECK(strstr(e, "setting.not_allowed") == NULL);
}

int main(void)
{
    char path[] = "/tmp/mn_ipo_kb_XXXXXX";
    mn_build *b = NULL;
    mn_build_options o = MN_BUILD_OPTIONS_INIT;
    mn_error err;
    int fd = mkstemp(path);

    close(fd);
    mn_error_clear(&err);
    o.report = on_file;
    o.built = "2026-01-01";
    if (mn_build_new(&b, &o, &err) ||
        mn_build_add_path(b, MN_FIXTURES "/ipo", &err) ||
        mn_build_write(b, path, &err) || mn_kb_open(&kb, path, &err) ||
        mn_ctx_new(&ctx, 0, &err)) {
        fprintf(stderr, "setup: %s\n", err.message);
        mn_build_free(b);
        unlink(path);
        return 1;
    }
    mn_build_free(b);
    RUN(test_ipo);
    mn_ctx_free(ctx);
    mn_kb_free(kb);
    unlink(path);
    DONE();
}
