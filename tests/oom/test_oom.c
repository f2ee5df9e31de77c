/*
 * test_oom.c: the out-of-memory sweep (style.md section 11). Built against
 * a copy of the library compiled with MN_OOM_TESTING, it fails the Nth
 * allocation for N = 0, 1, 2, ... until the call succeeds: every failing
 * run must return MN_ENOMEM (or another error, never a crash) and leak
 * nothing (ASan's leak checker runs in CI).
 */
#define _GNU_SOURCE /* mkdtemp */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "mednec.h"

void mn_x__oom_fail_after(long n);
long mn_x__oom_calls(void);

static const char claim_json[] =
    "{\"id\":\"c-1\",\"jurisdiction\":\"JE\",\"patient\":{\"id\":\"p\","
    "\"birth_date\":\"1950-04-02\",\"sex\":\"F\"},\"diagnoses\":[\"E11.65\","
    "\"I10\"],\"lines\":[{\"code\":\"G0439\",\"date\":\"2026-03-02\"},"
    "{\"code\":\"83036\",\"modifiers\":[\"GA\",\"RT\"],\"units\":2,"
    "\"date\":\"2026-03-02\",\"dx_pointers\":[2]}],\"history\":[{\"code\":"
    "\"G0439\",\"date\":\"2025-06-10\"}]}";

/* One full pass: builtin KB, parse, check, render both formats, the KB's
 * info and its diff with itself. */
static int pass(void)
{
    mn_kb *kb = NULL;
    mn_claim *c = NULL;
    mn_ctx *ctx = NULL;
    mn_buf *buf = NULL;
    const mn_result *res = NULL;
    mn_error err;
    int rc;

    mn_error_clear(&err);
    if ((rc = mn_kb_open_builtin(&kb, &err)))
        goto done;
    if ((rc = mn_claim_parse_json(&c, claim_json, sizeof(claim_json) - 1, NULL,
                                  &err)))
        goto done;
    if ((rc = mn_ctx_new(&ctx, 0, &err)))
        goto done;
    if ((rc = mn_buf_new(&buf, 0)))
        goto done;
    if ((rc = mn_check(&res, ctx, kb, c, &err)))
        goto done;
    if ((rc = mn_result_render(buf, res, kb, MN_FORMAT_JSON, &err)))
        goto done;
    if ((rc = mn_result_render(buf, res, kb, MN_FORMAT_TEXT, &err)))
        goto done;
    /* what the KB covers, and a comparison with itself */
    if ((rc = mn_kb_info_render(buf, kb, NULL, MN_FORMAT_JSON, &err)) ||
        (rc = mn_kb_info_render(buf, kb, NULL, MN_FORMAT_TEXT, &err)))
        goto done;
    rc = mn_kb_diff(NULL, buf, kb, kb, NULL, MN_FORMAT_JSON, &err);
done:
    mn_buf_free(buf);
    mn_ctx_free(ctx);
    mn_claim_free(c);
    mn_kb_free(kb);
    return rc;
}

static void test_sweep(void)
{
    long n;
    int rc = MN_ENOMEM;

    for (n = 0; n < 100000 && rc != MN_OK; n++) {
        mn_x__oom_fail_after(n);
        rc = pass();
        mn_x__oom_fail_after(-1);
        if (rc != MN_OK && rc != MN_ENOMEM && rc != MN_ELIMIT) {
            fprintf(stderr, "allocation %ld: unexpected error %d\n", n, rc);
            mn_t_failures++;
        }
    }
    fprintf(stderr,
            "succeeded after failing each of the first %ld "
            "allocations in turn\n",
            n - 1);
    CHECK_INT(rc, MN_OK);
    CHECK(n > 10);
}

/* The case KB's rule pack, read once (outside the sweep). */
static char *rules_text;
static size_t rules_len;

static void read_rules(void)
{
    FILE *f = fopen(MN_CASES "/kb/cases.mnr", "rb");
    long n;

    if (!f)
        return;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (rules_text = malloc((size_t)n))) {
        rules_len = fread(rules_text, 1, (size_t)n, f);
    }
    fclose(f);
}

/* A KB built from the case sources in every official layout (ICD, HCPCS,
 * MCD, lab NCD, MCE, NCCI, Addendum E, a rule pack), opened from memory,
 * and a claim checked on it. */
static int build_pass(mn_error *e, uint64_t *sum)
{
    static const char claim[] =
        "{\"id\":\"c\",\"jurisdiction\":\"KY\",\"patient\":{\"age\":70,"
        "\"sex\":\"F\"},\"diagnoses\":[\"L60.3\",\"E55.9\"],\"lines\":["
        "{\"code\":\"G0127\",\"date\":\"2024-06-03\",\"dx_pointers\":[1]},"
        "{\"code\":\"82306\",\"date\":\"2024-06-03\",\"units\":9},"
        "{\"code\":\"29881\",\"date\":\"2024-06-03\"},{\"code\":"
        "\"20610\",\"date\":\"2024-06-03\"}]}";
    mn_build_options o = MN_BUILD_OPTIONS_INIT;
    mn_build *b = NULL;
    mn_kb *kb = NULL;
    mn_claim *c = NULL;
    mn_ctx *ctx = NULL;
    const mn_result *res = NULL;
    void *bytes = NULL;
    size_t len = 0;
    mn_error err;
    int rc;

    o.no_builtin = 1;
    o.built = "2024-07-01";
    mn_error_clear(&err);
    if ((rc = mn_build_new(&b, &o, &err)))
        goto done;
    if ((rc = mn_build_add_path(b, MN_CASES "/kb", &err)))
        goto done;
    if ((rc = mn_build_add_rules(b, "cases.mnr", rules_text, rules_len, &err)))
        goto done;
    if ((rc = mn_build_to_memory(&bytes, &len, b, &err)))
        goto done;
    *sum = len;
    for (size_t i = 0; i < len; i++)
        *sum = *sum * 1099511628211ULL ^ ((const unsigned char *)bytes)[i];
    if ((rc = mn_kb_open_buffer(&kb, bytes, len, 0, &err)))
        goto done;
    if ((rc = mn_claim_parse_json(&c, claim, sizeof(claim) - 1, NULL, &err)))
        goto done;
    if ((rc = mn_ctx_new(&ctx, 0, &err)))
        goto done;
    rc = mn_check(&res, ctx, kb, c, &err);
done:
    *e = err;
    mn_ctx_free(ctx);
    mn_claim_free(c);
    mn_kb_free(kb);
    mn_kb_bytes_free(bytes);
    mn_build_free(b);
    return rc;
}

/*
 * The build sweep: every one of the first 1,500 allocations, then every
 * 7th (a full sweep of the ~N allocations would take minutes under ASan).
 */
static void test_build_sweep(void)
{
    long total;
    long tried = 0;
    mn_error err;
    uint64_t want = 0;
    uint64_t got = 0;
    int rc;

    read_rules();
    CHECK(rules_text != NULL);
    mn_x__oom_fail_after(-1);
    rc = build_pass(&err, &want);
    total = mn_x__oom_calls();
    CHECK_INT(rc, MN_OK);
    for (long n = 0; n < total; n += n < 1500 ? 1 : 7) {
        mn_x__oom_fail_after(n);
        rc = build_pass(&err, &got);
        mn_x__oom_fail_after(-1);
        tried++;
        /* a build that succeeds despite the failure must not have lost
           anything: the KB bytes are deterministic */
        if (rc == MN_OK && got != want) {
            fprintf(stderr,
                    "build, allocation %ld: succeeded with a "
                    "different KB (a source was dropped)\n",
                    n);
            mn_t_failures++;
        }
        if (rc != MN_OK && rc != MN_ENOMEM && rc != MN_ELIMIT) {
            fprintf(stderr, "build, allocation %ld: unexpected error %d: %s\n",
                    n, rc, err.message);
            mn_t_failures++;
        }
    }
    fprintf(stderr,
            "build + open + check: %ld allocations, %ld of them failed in "
            "turn\n",
            total, tried);
    CHECK(total > 100);
    free(rules_text);
}

/*
 * Documents: the data opened, an ABN, a letter and an appeal made from a
 * checked claim and facts, rendered as HTML, Markdown and text, and a
 * letter checked. (The PDF is left out: cairo and Pango allocate with
 * malloc, outside the countdown.) Facts are parsed outside the sweep:
 * jansson allocates with malloc too.
 */
static mn_facts *doc_facts;

static int doc_pass(void)
{
    static const char claim[] =
        "{\"id\":\"c-1\",\"patient\":{\"id\":\"p\",\"birth_date\":"
        "\"1952-08-14\",\"sex\":\"F\"},\"diagnoses\":[\"Z00.00\"],"
        "\"lines\":[{\"code\":\"G0439\",\"date\":\"2025-03-02\","
        "\"charge\":175.5}],\"history\":[{\"code\":\"G0439\",\"date\":"
        "\"2024-06-10\"}]}";
    const char *carc[] = {"151"};
    mn_kb *kb = NULL;
    mn_claim *c = NULL;
    mn_ctx *ctx = NULL;
    mn_docdata *dd = NULL;
    mn_doc *abn = NULL, *letter = NULL, *appeal = NULL;
    mn_lcheck *lc = NULL;
    mn_buf *buf = NULL;
    const mn_result *res = NULL;
    mn_abn_options ao = MN_ABN_OPTIONS_INIT;
    mn_letter_options lo = MN_LETTER_OPTIONS_INIT;
    mn_appeal_options po = MN_APPEAL_OPTIONS_INIT;
    mn_denial den;
    mn_error err;
    int rc;

    memset(&den, 0, sizeof(den));
    den.version = MN_DENIAL_VERSION;
    den.amount = MN_NO_AMOUNT;
    den.carc = carc;
    den.n_carc = 1;
    den.notice_date = "2025-04-10";
    po.force = 1;
    po.date = "2025-05-01";
    lo.date = "2025-03-01";
    lo.kind = "lab";
    mn_error_clear(&err);
    if ((rc = mn_kb_open_builtin(&kb, &err)) ||
        (rc = mn_docdata_open(&dd, NULL, &err)) ||
        (rc = mn_claim_parse_json(&c, claim, sizeof(claim) - 1, NULL, &err)) ||
        (rc = mn_ctx_new(&ctx, 0, &err)) ||
        (rc = mn_check(&res, ctx, kb, c, &err)) ||
        (rc = mn_abn_new(&abn, dd, res, c, doc_facts, &ao, &err)) ||
        (rc = mn_letter_new(&letter, dd, res, doc_facts, &lo, &err)) ||
        (rc = mn_appeal_new(&appeal, dd, res, c, doc_facts, &den, &po, &err)) ||
        (rc = mn_buf_new(&buf, 0)) ||
        (rc = mn_doc_render(buf, abn, MN_DOC_HTML, NULL, &err)) ||
        (rc = mn_doc_render(buf, letter, MN_DOC_MARKDOWN, NULL, &err)) ||
        (rc = mn_doc_render(buf, appeal, MN_DOC_TEXT, NULL, &err)))
        goto done;
    rc =
        mn_letter_check(&lc, dd, mn_buf_data(buf), mn_buf_len(buf), NULL, &err);
    if (rc == MN_OK && mn_lcheck_count(lc) == 0)
        rc = MN_ERROR;
done:
    if (rc != MN_OK && rc != MN_ENOMEM && rc != MN_ELIMIT)
        fprintf(stderr, "documents: %d: %s\n", rc, err.message);
    mn_lcheck_free(lc);
    mn_buf_free(buf);
    mn_doc_free(appeal);
    mn_doc_free(letter);
    mn_doc_free(abn);
    mn_docdata_free(dd);
    mn_ctx_free(ctx);
    mn_claim_free(c);
    mn_kb_free(kb);
    return rc;
}

/* Every one of the first 3,000 allocations, then every 5th. */
static void test_doc_sweep(void)
{
    static const char facts[] =
        "{\"notifier\":{\"name\":\"N\",\"address\":\"A\\nB\",\"phone\":"
        "\"P\"},\"provider\":{\"name\":\"N\"},\"patient\":{\"name\":"
        "\"Zo\xc3\xab\",\"birth_date\":\"1952-08-14\",\"medicare_id\":"
        "\"1EG4TE5MK73\"},\"prescriber\":{\"name\":\"D\",\"credentials\":"
        "\"MD\",\"npi\":\"1234567893\",\"phone\":\"555-0100\","
        "\"relationship\":\"physician\"},\"payer\":{\"name\":\"M\"},"
        "\"service\":{\"quantity\":\"1\",\"frequency\":\"once\","
        "\"duration\":\"once\"},\"condition_since\":\"2015\","
        "\"history\":\"h\",\"test_results\":[{\"date\":\"2025-01-10\","
        "\"test\":\"t\",\"result\":\"r\"}],\"prior_treatments\":[{"
        "\"treatment\":\"x\",\"start\":\"2015-06-01\",\"outcome\":\"o\"}],"
        "\"functional_limits\":\"f\",\"rationale\":\"r\",\"consequences\":"
        "\"c\",\"expected_outcome\":\"e\",\"documents\":[\"d\"]}";
    long total;
    long tried = 0;
    int rc;

    CHECK_INT(mn_facts_parse_json(&doc_facts, facts, sizeof(facts) - 1, NULL),
              MN_OK);
    mn_x__oom_fail_after(-1);
    rc = doc_pass();
    total = mn_x__oom_calls();
    CHECK_INT(rc, MN_OK);
    for (long n = 0; n < total; n += n < 3000 ? 1 : 5) {
        mn_x__oom_fail_after(n);
        rc = doc_pass();
        mn_x__oom_fail_after(-1);
        tried++;
        if (rc != MN_OK && rc != MN_ENOMEM && rc != MN_ELIMIT) {
            fprintf(stderr, "documents, allocation %ld: unexpected error %d\n",
                    n, rc);
            mn_t_failures++;
        }
    }
    fprintf(stderr, "documents: %ld allocations, %ld of them failed in turn\n",
            total, tried);
    CHECK(total > 100);
    mn_facts_free(doc_facts);
}

/* An output file: each failing allocation is MN_ENOMEM and leaves neither
 * a temporary file nor a half output. */
static void test_outfile_sweep(void)
{
    char dir[] = "/tmp/mn_oom_XXXXXX";
    char path[100];
    char cmd[100];
    int rc = MN_ENOMEM;
    long n;

    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    snprintf(path, sizeof(path), "%s/out", dir);
    for (n = 0; n < 100 && rc != MN_OK; n++) {
        mn_outfile *f = NULL;
        mn_error err;
        DIR *d;
        struct dirent *e;
        int entries = 0;
        mn_x__oom_fail_after(n);
        rc = mn_outfile_open(&f, path, NULL, &err);
        if (rc == MN_OK)
            rc = mn_outfile_write(f, "x", 1, &err);
        if (rc == MN_OK)
            rc = mn_outfile_commit(f, &err);
        mn_outfile_free(f);
        mn_x__oom_fail_after(-1);
        d = opendir(dir);
        for (e = d ? readdir(d) : NULL; e; e = readdir(d))
            entries += e->d_name[0] != '.';
        if (d)
            closedir(d);
        CHECK(rc == MN_OK || rc == MN_ENOMEM);
        CHECK_INT(entries, rc == MN_OK ? 1 : 0);
    }
    CHECK_INT(rc, MN_OK);
    CHECK(n > 1);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK_INT(system(cmd), 0);
}

int main(void)
{
    RUN(test_sweep);
    RUN(test_build_sweep);
    RUN(test_outfile_sweep);
    RUN(test_doc_sweep);
    DONE();
}
