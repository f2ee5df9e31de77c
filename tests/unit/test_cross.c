/*
 * test_cross.c: MUE (MAI 2 and 3) and PTP edits across the claims of one
 * patient, provider and date: a run's earlier claims (mn_crossclaim), the
 * history store's, replacements and voids, the window, and claims judged
 * alone. The KB is built from the NCCI fixtures (tests/fixtures/ncci:
 * practitioner MUE 99213 = 2 and 97110 = 6, MAI 3; PTP 99214/99213
 * modifier allowed, 43239/43235 not).
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "mednec.h"
#include "mednec/crossclaim.h"

static mn_kb *kb;
static mn_ctx *ctx;
static void *kb_bytes;

static int build(void)
{
    mn_build_options o = MN_BUILD_OPTIONS_INIT;
    mn_build *b = NULL;
    mn_error err;
    size_t len = 0;
    int rc;

    o.built = "2026-01-01";
    rc = mn_build_new(&b, &o, &err);
    if (!rc)
        rc = mn_build_add_path(b, MN_FIXTURES "/ncci", &err);
    if (!rc)
        rc = mn_build_to_memory(&kb_bytes, &len, b, &err);
    if (!rc)
        rc = mn_kb_open_buffer(&kb, kb_bytes, len, 0, &err);
    mn_build_free(b);
    if (!rc)
        rc = mn_ctx_new(&ctx, 0, &err);
    if (rc)
        fprintf(stderr, "setup: %s\n", err.message);
    return rc;
}

/* A one-line claim. */
static mn_claim *claim(const char *id, const char *patient,
                       const char *provider, const char *code, unsigned units,
                       const char *mod, char freq)
{
    char json[600];
    mn_claim *c = NULL;
    mn_error err;

    snprintf(json, sizeof(json),
             "{%s%s%s%s%s%s%s%s%s\"diagnoses\":[\"I10\"],\"lines\":[{"
             "\"code\":\"%s\",\"units\":%u,\"date\":\"2024-08-02\"%s%s%s}]}",
             id ? "\"id\":\"" : "", id ? id : "", id ? "\"," : "",
             patient ? "\"patient\":{\"id\":\"" : "", patient ? patient : "",
             patient ? "\"}," : "", provider ? "\"provider\":\"" : "",
             provider ? provider : "", provider ? "\"," : "", code, units,
             mod ? ",\"modifiers\":[\"" : "", mod ? mod : "", mod ? "\"]" : "");
    if (mn_claim_parse_json(&c, json, strlen(json), NULL, &err))
        fprintf(stderr, "parse: %s\n", err.message);
    if (freq) {
        char f[2] = {freq, 0};
        mn_claim_set_frequency(c, f, 1, &err);
    }
    return c;
}

/* Takes `c` into the run and checks it; returns its first line's edits
 * ("edit edit ") in `edits`. */
static mn_cross run_one(mn_crossclaim *x, mn_claim *c,
                        const mn_history_source *hist, char *edits, size_t size,
                        size_t *seen)
{
    mn_crossclaim_view *v = NULL;
    mn_check_options o = MN_CHECK_OPTIONS_INIT;
    const mn_result *res = NULL;
    mn_error err;
    mn_cross cross = MN_CROSS_OFF;

    edits[0] = '\0';
    if (x)
        CHECK_INT(mn_crossclaim_take(&v, x, c, &err), MN_OK);
    o.cross_claims = 1;
    o.cross = v;
    o.history = hist;
    CHECK_INT(mn_check_with(&res, ctx, kb, c, &o, &err), MN_OK);
    if (res) {
        for (size_t i = 0; i < mn_result_finding_count(res, 0); i++) {
            size_t n = strlen(edits);
            snprintf(edits + n, size - n, "%s ",
                     mn_result_finding_edit(res, 0, i));
        }
        cross = mn_result_cross(res);
        if (seen)
            *seen = mn_result_cross_services(res);
    }
    mn_crossclaim_view_free(v);
    mn_claim_free(c);
    return cross;
}

static void test_mue_across(void)
{
    mn_crossclaim *x = NULL;
    mn_error err;
    char e[256];
    size_t seen = 0;

    CHECK_INT(mn_crossclaim_new(&x, NULL, &err), MN_OK);
    /* 2 units: within the MUE of 2 */
    CHECK_INT(run_one(x, claim("A", "P1", "N1", "99213", 2, NULL, 0), NULL, e,
                      sizeof(e), &seen),
              MN_CROSS_CHECKED);
    CHECK(!strstr(e, "units.mue_exceeded"));
    CHECK_INT(seen, 0);
    /* another claim, another provider: alone within its MUE */
    run_one(x, claim("B", "P1", "N2", "99213", 1, NULL, 0), NULL, e, sizeof(e),
            &seen);
    CHECK(!strstr(e, "units.mue_exceeded"));
    CHECK_INT(seen, 0);
    /* the same provider: 3 units on the date across two claims */
    run_one(x, claim("C", "P1", "N1", "99213", 1, NULL, 0), NULL, e, sizeof(e),
            &seen);
    CHECK_CONTAINS(e, "units.mue_exceeded");
    CHECK_INT(seen, 1);
    /* another patient: alone */
    run_one(x, claim("D", "P2", "N1", "99213", 1, NULL, 0), NULL, e, sizeof(e),
            NULL);
    CHECK(!strstr(e, "units.mue_exceeded"));
    mn_crossclaim_free(x);
}

static void test_ptp_across(void)
{
    mn_crossclaim *x = NULL;
    mn_error err;
    char e[256];

    CHECK_INT(mn_crossclaim_new(&x, NULL, &err), MN_OK);
    run_one(x, claim("A", "P1", "N1", "99214", 1, NULL, 0), NULL, e, sizeof(e),
            NULL);
    CHECK(!strstr(e, "ncci.ptp"));
    /* the column-2 code on a second claim of the same provider and date */
    run_one(x, claim("B", "P1", "N1", "99213", 1, NULL, 0), NULL, e, sizeof(e),
            NULL);
    CHECK_CONTAINS(e, "ncci.ptp");
    /* with 25 on the E/M: a distinct service, allowed by the edit */
    run_one(x, claim("C", "P1", "N1", "99213", 1, "25", 0), NULL, e, sizeof(e),
            NULL);
    CHECK(!strstr(e, "ncci.ptp"));
    /* a pair no modifier bypasses */
    run_one(x, claim("D", "P1", "N1", "43239", 1, NULL, 0), NULL, e, sizeof(e),
            NULL);
    run_one(x, claim("E", "P1", "N1", "43235", 1, "59", 0), NULL, e, sizeof(e),
            NULL);
    CHECK_CONTAINS(e, "ncci.ptp");
    mn_crossclaim_free(x);
}

/* Frequency 7 replaces the earlier claim of its id, 8 voids it. */
static void test_replace_void(void)
{
    mn_crossclaim *x = NULL;
    mn_error err;
    char e[256];

    CHECK_INT(mn_crossclaim_new(&x, NULL, &err), MN_OK);
    run_one(x, claim("A", "P1", "N1", "99213", 2, NULL, 0), NULL, e, sizeof(e),
            NULL);
    /* A again, replaced with 1 unit */
    run_one(x, claim("A", "P1", "N1", "99213", 1, NULL, '7'), NULL, e,
            sizeof(e), NULL);
    CHECK(!strstr(e, "units.mue_exceeded"));
    /* 1 + 1 = 2: within */
    run_one(x, claim("B", "P1", "N1", "99213", 1, NULL, 0), NULL, e, sizeof(e),
            NULL);
    CHECK(!strstr(e, "units.mue_exceeded"));
    /* B voided: C's 2 units meet A's 1 only */
    run_one(x, claim("B", "P1", "N1", "99213", 1, NULL, '8'), NULL, e,
            sizeof(e), NULL);
    run_one(x, claim("C", "P1", "N1", "99213", 1, NULL, 0), NULL, e, sizeof(e),
            NULL);
    CHECK(!strstr(e, "units.mue_exceeded"));
    run_one(x, claim("D", "P1", "N1", "99213", 1, NULL, 0), NULL, e, sizeof(e),
            NULL);
    CHECK_CONTAINS(e, "units.mue_exceeded");
    mn_crossclaim_free(x);
}

/* The window: the oldest services go first. */
static void test_window(void)
{
    mn_crossclaim_options o = MN_CROSSCLAIM_OPTIONS_INIT;
    mn_crossclaim *x = NULL;
    mn_error err;
    char e[256];

    o.max_services = 2;
    CHECK_INT(mn_crossclaim_new(&x, &o, &err), MN_OK);
    run_one(x, claim("A", "P1", "N1", "99213", 2, NULL, 0), NULL, e, sizeof(e),
            NULL);
    /* two services of another patient push A's out */
    run_one(x, claim("B", "P2", "N1", "99213", 1, NULL, 0), NULL, e, sizeof(e),
            NULL);
    run_one(x, claim("C", "P3", "N1", "99213", 1, NULL, 0), NULL, e, sizeof(e),
            NULL);
    run_one(x, claim("D", "P1", "N1", "99213", 1, NULL, 0), NULL, e, sizeof(e),
            NULL);
    CHECK(!strstr(e, "units.mue_exceeded"));
    /* many patients come and go: the table stays usable */
    for (int i = 0; i < 2000; i++) {
        char pid[16];
        snprintf(pid, sizeof(pid), "Q%d", i);
        run_one(x, claim("E", pid, "N1", "99213", 1, NULL, 0), NULL, e,
                sizeof(e), NULL);
    }
    run_one(x, claim("F", "Q1999", "N1", "99213", 2, NULL, 0), NULL, e,
            sizeof(e), NULL);
    CHECK_CONTAINS(e, "units.mue_exceeded");
    mn_crossclaim_free(x);
}

static void test_alone(void)
{
    mn_crossclaim *x = NULL;
    mn_error err;
    char e[256];

    CHECK_INT(mn_crossclaim_new(&x, NULL, &err), MN_OK);
    CHECK_INT(run_one(x, claim("A", NULL, "N1", "99213", 2, NULL, 0), NULL, e,
                      sizeof(e), NULL),
              MN_CROSS_NO_PATIENT);
    CHECK_INT(run_one(x, claim("B", "P1", NULL, "99213", 2, NULL, 0), NULL, e,
                      sizeof(e), NULL),
              MN_CROSS_NO_PROVIDER);
    CHECK_INT(run_one(x, claim("C", "P1", NULL, "99213", 1, NULL, 0), NULL, e,
                      sizeof(e), NULL),
              MN_CROSS_NO_PROVIDER);
    CHECK(!strstr(e, "units.mue_exceeded"));
    CHECK_STR(mn_cross_name(MN_CROSS_NO_PATIENT), "no_patient_id");
    CHECK(mn_cross_name(MN_CROSS_OFF) == NULL);
    mn_crossclaim_free(x);
}

/* The history store's services of the same patient, provider and date,
 * and no double count of a claim both in the store and in the run. */
static void test_history(void)
{
    char path[] = "/tmp/mn_cross_XXXXXX";
    int fd = mkstemp(path);
    mn_history *h = NULL;
    mn_history_importer *imp = NULL;
    mn_history_source src;
    mn_crossclaim *x = NULL;
    mn_error err;
    char e[256];
    mn_claim *a;

    CHECK(fd >= 0);
    if (fd < 0)
        return;
    close(fd);
    unlink(path);
    CHECK_INT(mn_history_open(&h, path, NULL, &err), MN_OK);
    CHECK_INT(mn_history_importer_new(&imp, h, NULL, &err), MN_OK);
    a = claim("A", "P1", "N1", "97110", 3, NULL, 0);
    CHECK_INT(mn_history_importer_put(imp, a, NULL, &err), MN_OK);
    CHECK_INT(mn_history_importer_finish(imp, &err), MN_OK);
    mn_history_importer_free(imp);
    mn_history_source_of(&src, h);
    /* 3 stored + 4 = 7 > 6 */
    run_one(NULL, claim("B", "P1", "N1", "97110", 4, NULL, 0), &src, e,
            sizeof(e), NULL);
    CHECK_CONTAINS(e, "units.mue_exceeded");
    /* 3 stored + 3 = 6: within */
    run_one(NULL, claim("B", "P1", "N1", "97110", 3, NULL, 0), &src, e,
            sizeof(e), NULL);
    CHECK(!strstr(e, "units.mue_exceeded"));
    /* A in the run too: counted once (3 + 3) */
    CHECK_INT(mn_crossclaim_new(&x, NULL, &err), MN_OK);
    run_one(x, a, &src, e, sizeof(e), NULL);
    run_one(x, claim("B", "P1", "N1", "97110", 3, NULL, 0), &src, e, sizeof(e),
            NULL);
    CHECK(!strstr(e, "units.mue_exceeded"));
    /* another provider in the store does not count */
    run_one(NULL, claim("B", "P1", "N9", "97110", 4, NULL, 0), &src, e,
            sizeof(e), NULL);
    CHECK(!strstr(e, "units.mue_exceeded"));
    mn_crossclaim_free(x);
    mn_history_free(h);
    unlink(path);
}

int main(void)
{
    if (build())
        return 1;
    RUN(test_mue_across);
    RUN(test_ptp_across);
    RUN(test_replace_void);
    RUN(test_window);
    RUN(test_alone);
    RUN(test_history);
    mn_ctx_free(ctx);
    mn_kb_free(kb);
    mn_kb_bytes_free(kb_bytes);
    DONE();
}
