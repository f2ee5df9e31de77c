/*
 * test_realdata.c: builds a KB from all of ../shared/data and checks the
 * answers the real files give (skipped when the folder is absent).
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <unistd.h>

#include "check/check.h"
#include "harness.h"
#include "kb/kb_int.h"

static mn_kb *kb;
static mn_ctx *ctx;

/* Checks a one-line claim; returns the line's findings as "edit edit ". */
static mn_status check(const char *code, const char *dx, const char *date,
                       const char *jur, int age, char sex, char *edits,
                       size_t size, const mn_finding **first_deny)
{
    mn_claim *c = NULL;
    mn_error err;
    const mn_result *res = NULL;
    mn_status st = MN_STATUS_INVALID;
    int line;

    mn_error_clear(&err);
    edits[0] = '\0';
    if (first_deny)
        *first_deny = NULL;
    if (mn_claim_new(&c, NULL, &err))
        return st;
    for (const char *p = dx; *p;) {
        size_t n = strcspn(p, ",");
        mn_claim_add_diagnosis(c, p, n, &err);
        p += n + (p[n] == ',');
    }
    if (jur)
        mn_claim_set_jurisdiction(c, jur, strlen(jur), &err);
    if (age >= 0)
        mn_claim_set_age(c, age, &err);
    if (sex)
        mn_claim_set_sex(c, sex, &err);
    line =
        mn_claim_add_line(c, code, strlen(code), 1, date, strlen(date), &err);
    if (line >= 0 && mn_check(&res, ctx, kb, c, &err) == MN_OK) {
        const mn_line_result *lr = &res->lines[0];
        st = lr->status;
        for (size_t i = 0; i < lr->n_findings; i++) {
            size_t l = strlen(edits);
            snprintf(edits + l, size - l, "%s ", lr->findings[i].edit->id);
            if (first_deny && !*first_deny &&
                lr->findings[i].severity == MN_SEVERITY_DENY)
                *first_deny = &lr->findings[i];
        }
    } else {
        fprintf(stderr, "check failed: %s\n", err.message);
    }
    mn_claim_free(c);
    return st;
}

static void test_code_sets(void)
{
    char e[512];
    /* A41.54 is new in FY2024: invalid in FY2022 */
    check("87040", "A41.54", "2022-09-30", "JE", 70, 'F', e, sizeof(e), NULL);
    CHECK_CONTAINS(e, "dx.invalid");
    /* FY2023 (2022-10-01 to 2023-09-30) has no file in the shared data: it
       is outside the KB, never judged by a neighbouring year */
    check("87040", "A41.54", "2023-09-30", "JE", 70, 'F', e, sizeof(e), NULL);
    CHECK(strstr(e, "dx.invalid") == NULL);
    CHECK_CONTAINS(e, "kb.outside_range");
    check("87040", "A41.54", "2023-10-01", "JE", 70, 'F', e, sizeof(e), NULL);
    CHECK(strstr(e, "dx.invalid") == NULL);
    /* O35.0XX0 was in FY2021 and is gone by FY2024 */
    check("76805", "O35.0XX0", "2021-03-01", "JE", 30, 'F', e, sizeof(e), NULL);
    CHECK(strstr(e, "dx.invalid") == NULL);
    check("76805", "O35.0XX0", "2024-03-01", "JE", 30, 'F', e, sizeof(e), NULL);
    CHECK_CONTAINS(e, "dx.invalid");
    /* after the newest version (FY2024): E11.A, added in FY2025, is not
       called invalid on 2025-03-01; the line is indeterminate */
    CHECK_INT(check("99213", "E11.A", "2025-03-01", "JE", 70, 'F', e, sizeof(e),
                    NULL),
              MN_STATUS_INDETERMINATE);
    CHECK(strstr(e, "dx.invalid") == NULL);
    CHECK_CONTAINS(e, "kb.outside_range");
    check("87040", "A41.54", "2026-11-27", "JE", 70, 'F', e, sizeof(e), NULL);
    CHECK(strstr(e, "dx.invalid") == NULL);
    check("99213", "E11", "2024-03-01", "JE", 70, 'F', e, sizeof(e), NULL);
    CHECK_CONTAINS(e, "dx.not_billable");
    check("99213", "U07.1", "2021-03-01", "JE", 70, 'F', e, sizeof(e), NULL);
    CHECK(strstr(e, "dx.invalid") == NULL);
    /* HCPCS: G0103 (PSA screening) is in both HCPCS files */
    check("G0103", "Z12.5", "2024-03-01", "JE", 70, 'M', e, sizeof(e), NULL);
    CHECK(strstr(e, "code.invalid") == NULL);
    check("L9999", "Z12.5", "2024-03-01", "JE", 70, 'M', e, sizeof(e), NULL);
    CHECK_CONTAINS(e, "code.invalid");
}

static void test_mce(void)
{
    char e[512];
    check("99213", "N40.1", "2024-03-01", "JE", 70, 'F', e, sizeof(e), NULL);
    CHECK_CONTAINS(e, "dx.sex_conflict");
    check("99213", "N40.1", "2024-03-01", "JE", 70, 'M', e, sizeof(e), NULL);
    CHECK(strstr(e, "dx.sex_conflict") == NULL);
    check("99213", "O24.419", "2024-03-01", "JE", 70, 'F', e, sizeof(e), NULL);
    CHECK_CONTAINS(e, "dx.age_conflict");
    check("99213", "D63.1,N18.4", "2024-03-01", "JE", 70, 'F', e, sizeof(e),
          NULL);
    CHECK_CONTAINS(e, "dx.manifestation_primary");
}

static void test_lab_ncds(void)
{
    char e[512];
    const mn_finding *f;
    /* NCD 190.29: C50.011-C50.929 is a range in the source */
    CHECK_INT(check("86300", "C50.912", "2024-03-01", "JE", 60, 'F', e,
                    sizeof(e), NULL),
              MN_STATUS_COVERED);
    CHECK_CONTAINS(e, "policy.dx_supported");
    CHECK_INT(
        check("86300", "I10", "2024-03-01", "JE", 60, 'F', e, sizeof(e), &f),
        MN_STATUS_NOT_COVERED);
    CHECK_CONTAINS(e, "policy.dx_not_supported");
    if (f) {
        CHECK_STR(f->policy_id, "190.29");
        CHECK_STR(f->rarc, "N386");
        CHECK(f->n_supporting > 0);
    }
    /* the list for all lab NCDs */
    CHECK_INT(
        check("84443", "Z00.00", "2024-03-01", "JE", 60, 'F', e, sizeof(e), &f),
        MN_STATUS_NOT_COVERED);
    CHECK_CONTAINS(e, "policy.dx_noncovered");
    /* 190.24 digoxin: A18.84 is on its (partial) covered list */
    CHECK_INT(check("80162", "A18.84", "2024-03-01", "JE", 80, 'F', e,
                    sizeof(e), NULL),
              MN_STATUS_COVERED);
}

static void test_articles(void)
{
    char e[512];
    /* hypoglossal nerve stimulation: G47.33 (asterisk) needs a BMI code
       from group 2 (secondary/ A57949). A57949 has no contractor rows; the
       documents index names Noridian, which holds JE and JF: in JE the
       article perhaps applies, so what it would deny is a review naming
       it, never a denial */
    CHECK_INT(check("64582", "G47.33", "2024-03-01", "JE", 60, 'M', e,
                    sizeof(e), NULL),
              MN_STATUS_INDETERMINATE);
    CHECK_CONTAINS(e, "policy.jurisdiction_uncertain");
    CHECK(strstr(e, "policy.secondary_dx_missing") == NULL);
    CHECK_INT(check("64582", "G47.33,Z68.30", "2024-03-01", "JE", 60, 'M', e,
                    sizeof(e), NULL),
              MN_STATUS_COVERED);
    CHECK_CONTAINS(e, "policy.dx_supported");
    CHECK_INT(check("64582", "G47.33,Z68.35", "2024-03-01", "WA", 60, 'M', e,
                    sizeof(e), NULL),
              MN_STATUS_INDETERMINATE);
    CHECK_INT(check("64582", "Z68.30", "2024-03-01", "JF", 60, 'M', e,
                    sizeof(e), NULL),
              MN_STATUS_INDETERMINATE);
    /* Noridian does not serve Kentucky: the article does not apply there */
    CHECK_INT(check("64582", "G47.33", "2024-03-01", "KY", 60, 'M', e,
                    sizeof(e), NULL),
              MN_STATUS_COVERED);
    CHECK_CONTAINS(e, "policy.none");
}

/* The number of findings with `edit` in "edit edit " text. */
static int count_edit(const char *edits, const char *edit)
{
    int n = 0;
    size_t len = strlen(edit);
    const char *p = strstr(edits, edit);

    while (p) {
        if ((p == edits || p[-1] == ' ') && p[len] == ' ')
            n++;
        p = strstr(p + len, edit);
    }
    return n;
}

/* HCPCS coverage codes of the July 2024 CSV (and the 2019 ANWEB file). */
static void test_hcpcs_coverage(void)
{
    char e[1024];
    const mn_finding *f;
    char path[] = "/tmp/mn_real_hcpcs_XXXXXX";
    mn_build *b = NULL;
    mn_build_options o = MN_BUILD_OPTIONS_INIT;
    mn_kb *hk = NULL;
    mn_error err;
    size_t n_cov[256] = {0};
    int fd;

    /* L3215 orthopedic shoe: S, statute 1862A8 */
    CHECK_INT(
        check("L3215", "M21.41", "2024-03-01", "JE", 70, 'F', e, sizeof(e), &f),
        MN_STATUS_EXCLUDED);
    CHECK_INT(count_edit(e, "statutory.excluded"), 1);
    if (f) {
        CHECK_STR(f->edit->id, "statutory.excluded");
        CHECK_STR(f->policy_id, "HCPCS");
        CHECK_CONTAINS(f->source, "SSA 1862(a)(8)");
        CHECK_STR(f->carc, "96");
    }
    /* V5010 hearing aid assessment: S in the file and the built-in rule
       exclusion.hearing_aids: one finding */
    CHECK_INT(
        check("V5010", "H90.3", "2024-03-01", "JE", 70, 'F', e, sizeof(e), &f),
        MN_STATUS_EXCLUDED);
    CHECK_INT(count_edit(e, "statutory.excluded"), 1);
    if (f)
        CHECK_CONTAINS(f->source, "SSA 1862(a)(7)");
    /* V2025 deluxe frame: M */
    check("V2025", "H52.4", "2024-03-01", "JE", 70, 'F', e, sizeof(e), &f);
    CHECK_CONTAINS(e, "coverage.noncovered");
    CHECK(strstr(e, "statutory.excluded") == NULL);
    CHECK(strstr(e, "abn.recommended") == NULL);
    /* A0021 (Medicaid only): I */
    CHECK_INT(
        check("A0021", "I10", "2024-03-01", "JE", 70, 'F', e, sizeof(e), &f),
        MN_STATUS_INVALID);
    CHECK_CONTAINS(e, "code.not_payable");
    /* G0103 PSA screening: D, no coverage finding */
    check("G0103", "Z12.5", "2024-03-01", "JE", 70, 'M', e, sizeof(e), NULL);
    CHECK(strstr(e, "coverage.") == NULL && strstr(e, "not_payable") == NULL);

    /* the CSV alone: the coverage codes as counted in the file */
    mn_error_clear(&err);
    fd = mkstemp(path);
    close(fd);
    o.no_builtin = 1;
    if (mn_build_new(&b, &o, &err) ||
        mn_build_add_path(b, MN_SHARED_DATA "/hcpcs/hcpcs_lvl2.csv", &err) ||
        mn_build_write(b, path, &err) || mn_kb_open(&hk, path, &err)) {
        fprintf(stderr, "hcpcs_lvl2.csv: %s\n", err.message);
        CHECK(0);
    }
    mn_build_free(b);
    unlink(path);
    if (!hk)
        return;
    CHECK_INT(hk->n_hcpcs, 8033);
    for (size_t i = 0; i < hk->n_hcpcs; i++)
        n_cov[hk->hcpcs[i].coverage]++;
    CHECK_INT(n_cov['S'], 144);
    CHECK_INT(n_cov['M'], 97);
    CHECK_INT(n_cov['I'], 811);
    CHECK_INT(n_cov['C'], 4857);
    CHECK_INT(n_cov['D'], 2124);
    CHECK_INT(n_cov[0], 0);
    {
        const kb_hcpcs *h = mn_x__kb_hcpcs(hk, mn_x__key("L3215", 5));
        CHECK(h != NULL);
        if (h) {
            CHECK_INT(h->coverage, 'S');
            CHECK_STR(kb_s(hk, h->statute), "1862A8");
        }
        h = mn_x__kb_hcpcs(hk, mn_x__key("V2025", 5));
        if (h)
            CHECK_INT(h->coverage, 'M');
    }
    mn_kb_free(hk);
}

int main(void)
{
    char path[] = "/tmp/mn_real_kb_XXXXXX";
    struct stat st;
    mn_build *b = NULL;
    mn_build_options o = MN_BUILD_OPTIONS_INIT;
    mn_error err;
    int fd;

    if (stat(MN_SHARED_DATA, &st) != 0) {
        fprintf(stderr, "skipped: %s is absent\n", MN_SHARED_DATA);
        return MN_SKIP;
    }
    mn_error_clear(&err);
    fd = mkstemp(path);
    close(fd);
    if (mn_build_new(&b, &o, &err) ||
        mn_build_add_path(b, MN_SHARED_DATA, &err) ||
        mn_build_write(b, path, &err) || mn_kb_open(&kb, path, &err) ||
        mn_ctx_new(&ctx, 0, &err)) {
        char line[700];
        fprintf(stderr, "setup: %s\n", mn_error_format(line, 700, &err));
        mn_build_free(b);
        unlink(path);
        return 1;
    }
    mn_build_free(b);
    RUN(test_code_sets);
    RUN(test_mce);
    RUN(test_lab_ncds);
    RUN(test_articles);
    RUN(test_hcpcs_coverage);
    mn_ctx_free(ctx);
    mn_kb_free(kb);
    unlink(path);
    DONE();
}
