/*
 * test_oom.c: the out-of-memory sweep (style.md section 11). Built against
 * a copy of the library compiled with MN_OOM_TESTING, it fails the Nth
 * allocation for N = 0, 1, 2, ... until the call succeeds: every failing
 * run must return MN_ENOMEM (or another error, never a crash) and leak
 * nothing (ASan's leak checker runs in CI).
 */
#include "harness.h"
#include "mednec.h"

void mn_x__oom_fail_after(long n);

static const char claim_json[] =
    "{\"id\":\"c-1\",\"jurisdiction\":\"JE\",\"patient\":{\"id\":\"p\","
    "\"birth_date\":\"1950-04-02\",\"sex\":\"F\"},\"diagnoses\":[\"E11.65\","
    "\"I10\"],\"lines\":[{\"code\":\"G0439\",\"date\":\"2026-03-02\"},"
    "{\"code\":\"83036\",\"modifiers\":[\"GA\",\"RT\"],\"units\":2,"
    "\"date\":\"2026-03-02\",\"dx_pointers\":[2]}],\"history\":[{\"code\":"
    "\"G0439\",\"date\":\"2025-06-10\"}]}";

/* One full pass: builtin KB, parse, check, render both formats. */
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
    rc = mn_result_render(buf, res, kb, MN_FORMAT_TEXT, &err);
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

int main(void)
{
    RUN(test_sweep);
    DONE();
}
