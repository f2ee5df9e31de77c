/*
 * test_ncci_shared.c: the NCCI tables of ../shared/data/ncci (skipped when
 * absent): rows loaded, known pairs, MUEs and add-on codes from the real
 * files, and the figures docs/ncci.md quotes: build time, KB size, KB open
 * time (median of 20) and the cost of the checks per claim line.
 */
#define _POSIX_C_SOURCE 200809L

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check/check.h"
#include "harness.h"
#include "build/writer/ncci_build.h"

#define NCCI MN_SHARED_DATA "/ncci"

static mn_ctx *ctx;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct seen {
    char path[512];
    char layout[64];
    size_t rows;
    size_t skipped;
} seen;

static seen reps[256];
static size_t n_reps;

static void on_report(void *payload, const mn_build_file_report *r)
{
    (void)payload;
    if (n_reps < 256) {
        seen *s = &reps[n_reps++];
        snprintf(s->path, sizeof(s->path), "%s", r->path);
        snprintf(s->layout, sizeof(s->layout), "%s",
                 r->layout ? r->layout : "");
        s->rows = r->rows;
        s->skipped = r->skipped;
    }
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

/* Builds a KB from `path`; returns the bytes (free with
 * mn_kb_bytes_free). */
static void *build(const char *path, size_t *len, double *wall, double *cpu)
{
    mn_build_options o = MN_BUILD_OPTIONS_INIT;
    mn_build *b = NULL;
    mn_error err;
    void *bytes = NULL;
    double t0;
    double c0;

    o.report = on_report;
    o.built = "2024-07-01";
    mn_error_clear(&err);
    *len = 0;
    if (mn_build_new(&b, &o, &err) || mn_build_add_path(b, path, &err))
        goto done;
    t0 = now();
    c0 = cpu_now();
    if (mn_build_to_memory(&bytes, len, b, &err))
        fprintf(stderr, "build %s: %s\n", path, err.message);
    *wall = now() - t0;
    *cpu = cpu_now() - c0;
done:
    mn_build_free(b);
    return bytes;
}

static const mn_result *check_json(mn_kb *kb, const char *json)
{
    static mn_claim *claim;
    const mn_result *res = NULL;
    mn_error err;

    mn_error_clear(&err);
    mn_claim_free(claim);
    claim = NULL;
    if (!json)
        return NULL;
    if (mn_claim_parse_json(&claim, json, strlen(json), NULL, &err) ||
        mn_check(&res, ctx, kb, claim, &err)) {
        fprintf(stderr, "check: %s\n", err.message);
        return NULL;
    }
    return res;
}

static bool has(const mn_result *r, size_t line, const char *edit)
{
    for (size_t i = 0; r && line < r->n_lines && i < r->lines[line].n_findings;
         i++) {
        if (!strcmp(r->lines[line].findings[i].edit->id, edit))
            return true;
    }
    return false;
}

#define LN(code, date, extra)                                                  \
    "{\"code\":\"" code "\",\"date\":\"" date "\"" extra "}"
#define CLAIM(type, lines)                                                     \
    "{\"claim_type\":\"" type "\",\"diagnoses\":[\"I10\"],\"lines\":[" lines   \
    "]}"

static void known_rows(mn_kb *kb)
{
    const mn_ncci_view *v = mn_x__ncci_view(kb);
    const mn_result *r;
    const kb_mue *m;
    const kb_aoc *a;
    size_t n = 0;
    uint16_t d24 = mn_x__d16(mn_x__days_from_civil(2024, 8, 1));
    long c1;
    long c2;
    const kb_ptp *p;

    CHECK(v != NULL);
    if (!v)
        return;
    /* 2,546,017 + 1,775,818 rows less the indicator-9 ones (98,853 +
       29,884); no repeat among the others */
    CHECK_INT(v->meta->merged, 0);
    CHECK_INT(v->meta->n_ptp[MN_PTP_PRAC], 2447164);
    CHECK_INT(v->meta->n_ptp[MN_PTP_HOSP], 1745934);
    CHECK_INT(v->n_mue, 14677 + 14628 + 2928);
    CHECK_INT(v->n_aoc, 7465);
    CHECK_STR(kb_s(kb, v->meta->ptp_label[MN_PTP_PRAC]), "2024Q3");

    /* "20610","99213","9999-12-31",1 (practitioner) */
    c1 = mn_x__ncci_code(v, mn_x__key("20610", 5));
    c2 = mn_x__ncci_code(v, mn_x__key("99213", 5));
    p = mn_x__ncci_pair(v, MN_PTP_PRAC, c2, c1, d24);
    CHECK(p && KB_PTP_MOD(p) == MN_PTP_MOD_YES &&
          KB_PTP_DEL(p) == MN_D16_NONE_DEL);
    r = check_json(kb,
                   CLAIM("professional", LN("20610", "2024-08-01", "") "," LN(
                                             "99213", "2024-08-01", "")));
    CHECK(has(r, 1, "ncci.ptp"));
    CHECK(r && r->lines[1].abn == MN_ABN_NOT_NEEDED);
    r = check_json(
        kb, CLAIM("professional",
                  LN("20610", "2024-08-01", "") "," LN(
                      "99213", "2024-08-01", ",\"modifiers\":[\"25\"]")));
    CHECK(!has(r, 1, "ncci.ptp"));

    /* "43239","43235","9999-12-31",0 (both tables) */
    r = check_json(
        kb, CLAIM("professional",
                  LN("43239", "2024-08-01", "") "," LN(
                      "43235", "2024-08-01", ",\"modifiers\":[\"59\"]")));
    CHECK(has(r, 1, "ncci.ptp"));
    r = check_json(
        kb, CLAIM("institutional",
                  LN("43239", "2024-08-01", "") "," LN(
                      "43235", "2024-08-01", ",\"modifiers\":[\"59\"]")));
    CHECK(has(r, 1, "ncci.ptp"));

    /* "00100","99202": indicator 0 (practitioner), 1 (hospital) */
    r = check_json(
        kb, CLAIM("professional",
                  LN("00100", "2024-08-01", "") "," LN(
                      "99202", "2024-08-01", ",\"modifiers\":[\"25\"]")));
    CHECK(has(r, 1, "ncci.ptp"));
    r = check_json(
        kb, CLAIM("institutional",
                  LN("00100", "2024-08-01", "") "," LN(
                      "99202", "2024-08-01", ",\"modifiers\":[\"25\"]")));
    CHECK(!has(r, 1, "ncci.ptp"));

    /* "00100","99217","2022-12-31",0 (and 2019-12-31): deleted after
       2022. The shared CSV keeps no effective dates, so the table judges
       its own quarter only (2024Q3): in 2022 the line is not judged by
       it (kb.outside_range, no denial); in its quarter the deleted edit
       does not apply */
    r = check_json(
        kb, CLAIM("professional",
                  LN("00100", "2022-06-01", "") "," LN(
                      "99217", "2022-06-01", ",\"modifiers\":[\"59\"]")));
    CHECK(!has(r, 1, "ncci.ptp"));
    CHECK(has(r, 1, "kb.outside_range"));
    r = check_json(kb,
                   CLAIM("professional", LN("00100", "2024-08-01", "") "," LN(
                                             "99217", "2024-08-01", "")));
    CHECK(!has(r, 1, "ncci.ptp"));

    /* MUEs: A0425 250 MAI 1; 97110 6 (practitioner) / 8 (outpatient)
       MAI 3; 0001U 1 MAI 2 */
    m = mn_x__ncci_mue(v, mn_x__key("A0425", 5), MN_MUE_PRAC);
    CHECK(m && m->units == 250 && m->mai == 1);
    m = mn_x__ncci_mue(v, mn_x__key("97110", 5), MN_MUE_PRAC);
    CHECK(m && m->units == 6 && m->mai == 3);
    if (m)
        CHECK_STR(mn_x__ncci_text(kb, v, m->text), "Clinical: Data");
    m = mn_x__ncci_mue(v, mn_x__key("97110", 5), MN_MUE_OUT);
    CHECK(m && m->units == 8 && m->mai == 3);
    m = mn_x__ncci_mue(v, mn_x__key("0001U", 5), MN_MUE_PRAC);
    CHECK(m && m->units == 1 && m->mai == 2);
    r = check_json(kb, CLAIM("professional",
                             LN("A0425", "2024-08-01", ",\"units\":251") "," LN(
                                 "A0425", "2024-08-01", ",\"units\":200")));
    CHECK(has(r, 0, "units.mue_exceeded"));
    CHECK(!has(r, 1, "units.mue_exceeded"));
    r = check_json(kb, CLAIM("professional",
                             LN("97110", "2024-08-01", ",\"units\":4") "," LN(
                                 "97110", "2024-08-01", ",\"units\":3")));
    CHECK(has(r, 0, "units.mue_exceeded") && has(r, 1, "units.mue_exceeded"));
    r = check_json(kb, CLAIM("institutional",
                             LN("97110", "2024-08-01", ",\"units\":4") "," LN(
                                 "97110", "2024-08-01", ",\"units\":3")));
    CHECK(!has(r, 0, "units.mue_exceeded"));

    /* AOC: "99291","99292",1 and "CCCCC","0054T",2 */
    a = mn_x__ncci_aoc(v, mn_x__key("99292", 5), &n);
    CHECK(a && n >= 1);
    for (size_t i = 0; a && i < n; i++) {
        if (a[i].primary == mn_x__key("99291", 5))
            CHECK_INT(a[i].type, 1);
    }
    a = mn_x__ncci_aoc(v, mn_x__key("0054T", 5), &n);
    CHECK(a && n == 1 && a->primary == 0 && a->type == 2);
    r = check_json(kb, CLAIM("professional", LN("99292", "2024-08-01", "")));
    CHECK(has(r, 0, "ncci.addon_without_primary"));
    r = check_json(kb,
                   CLAIM("professional", LN("99291", "2024-08-01", "") "," LN(
                                             "99292", "2024-08-01", "")));
    CHECK(!has(r, 1, "ncci.addon_without_primary"));
    check_json(kb, NULL);
}

/* KB open time: median of 20 mn_kb_open of the file, and of the NCCI
 * validation alone. */
static void open_times(const void *bytes, size_t len, const char *what)
{
    char path[512];
    FILE *f;
    double t[20];
    double tn[20];
    mn_kb *kb = NULL;
    mn_error err;

    snprintf(path, sizeof(path), "%s/ncci_shared_%d.mnkb", MN_BUILD_DIR,
             (int)getpid());
    f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(fwrite(bytes, 1, len, f) == len);
    fclose(f);
    for (int i = 0; i < 20; i++) {
        double t0 = now();
        mn_error_clear(&err);
        CHECK_INT(mn_kb_open(&kb, path, &err), MN_OK);
        t[i] = now() - t0;
        if (kb) {
            mn_x__ncci_close(kb);
            t0 = now();
            CHECK_INT(mn_x__ncci_open(kb, &err), MN_OK);
            tn[i] = now() - t0;
        }
        mn_kb_free(kb);
        kb = NULL;
    }
    unlink(path);
    qsort(t, 20, sizeof(double), cmp_double);
    qsort(tn, 20, sizeof(double), cmp_double);
    fprintf(stderr,
            "%s: %zu bytes; mn_kb_open median of 20: %.2f ms (min %.2f, "
            "max %.2f); NCCI validation and view alone: median %.2f ms "
            "(min %.2f)\n",
            what, len, (t[9] + t[10]) * 500.0, t[0] * 1000.0, t[19] * 1000.0,
            (tn[9] + tn[10]) * 500.0, tn[0] * 1000.0);
}

/* Lines per second of mn_check on 4-line claims whose lines hit PTP
 * pairs, against the same claims for a payer the NCCI edits skip. */
static void lookup_cost(mn_kb *kb)
{
    static const char *const sets[][4] = {
        {"20610", "99213", "17110", "11721"},
        {"43239", "43235", "99214", "36000"},
        {"27447", "20610", "99213", "36415"},
        {"93000", "93010", "99213", "36415"},
    };
    mn_claim *claims[8];
    const int rounds = 25000;
    double secs[2];
    size_t findings = 0;
    mn_error err;

    for (int k = 0; k < 8; k++) {
        char json[1024];
        const char *const *s = sets[k % 4];
        snprintf(json, sizeof(json),
                 "{\"payer\":\"%s\",\"diagnoses\":[\"I10\"],\"lines\":["
                 "{\"code\":\"%s\",\"date\":\"2024-08-01\"},"
                 "{\"code\":\"%s\",\"date\":\"2024-08-01\"},"
                 "{\"code\":\"%s\",\"date\":\"2024-08-01\"},"
                 "{\"code\":\"%s\",\"date\":\"2024-08-01\"}]}",
                 k < 4 ? "medicare" : "other", s[0], s[1], s[2], s[3]);
        mn_error_clear(&err);
        claims[k] = NULL;
        CHECK_INT(
            mn_claim_parse_json(&claims[k], json, strlen(json), NULL, &err),
            MN_OK);
    }
    for (int pass = 0; pass < 2; pass++) {
        double t0 = now();
        for (int i = 0; i < rounds; i++) {
            const mn_result *res = NULL;
            mn_claim *c = claims[pass * 4 + i % 4];
            if (!c || mn_check(&res, ctx, kb, c, &err) != MN_OK)
                continue;
            for (size_t l = 0; pass == 0 && l < res->n_lines; l++)
                findings += res->lines[l].n_findings;
        }
        secs[pass] = now() - t0;
    }
    fprintf(stderr,
            "mn_check, 4-line claims hitting PTP pairs: %.0f lines/s "
            "(%.2f us/line); the same claims with the NCCI edits skipped: "
            "%.0f lines/s; NCCI cost %.2f us/line; %.1f findings/claim\n",
            4.0 * rounds / secs[0], secs[0] * 1e6 / (4.0 * rounds),
            4.0 * rounds / secs[1], (secs[0] - secs[1]) * 1e6 / (4.0 * rounds),
            (double)findings / rounds);
    CHECK(findings > (size_t)rounds);
    for (int k = 0; k < 8; k++)
        mn_claim_free(claims[k]);
}

static void test_shared(void)
{
    size_t len = 0;
    size_t full_len = 0;
    double wall = 0;
    double cpu = 0;
    void *bytes = build(NCCI, &len, &wall, &cpu);
    void *full = NULL;
    mn_kb *kb = NULL;
    mn_error err;
    const seen *s;

    CHECK(bytes != NULL);
    fprintf(stderr,
            "ncci tables alone: built in %.2f s (cpu %.2f s), KB %zu "
            "bytes\n",
            wall, cpu, len);
    s = rep_of("/ncci_ptp_prac_2024q3_all.csv.gz");
    CHECK(s && s->rows == 2447164 && s->skipped == 98853);
    s = rep_of("/ncci_ptp_out_2024q3_all.csv.gz");
    CHECK(s && s->rows == 1745934 && s->skipped == 29884);
    s = rep_of("/ncci_mue_prac.csv");
    CHECK(s && s->rows == 14677 && s->skipped == 0);
    s = rep_of("/ncci_mue_out.csv");
    CHECK(s && s->rows == 14628 && s->skipped == 0);
    s = rep_of("/ncci_mue_dme.csv");
    CHECK(s && s->rows == 2928 && s->skipped == 0);
    s = rep_of("/ncci_aoc.csv");
    CHECK(s && s->rows == 7465 && s->skipped == 0);
    mn_error_clear(&err);
    if (bytes && mn_kb_open_buffer(&kb, bytes, len, 0, &err) == MN_OK) {
        const mn_ncci_view *v = mn_x__ncci_view(kb);
        if (v)
            fprintf(stderr,
                    "ncci sections: %zu codes (%zu bytes), %zu PTP records "
                    "(%zu bytes), index %zu bytes, %zu MUEs (%zu bytes), "
                    "%zu AOC rows (%zu bytes)\n",
                    v->n_codes, v->n_codes * 8, v->n_ptp,
                    v->n_ptp * sizeof(kb_ptp), 2 * (v->n_codes + 1) * 4,
                    v->n_mue, v->n_mue * sizeof(kb_mue), v->n_aoc,
                    v->n_aoc * sizeof(kb_aoc));
        known_rows(kb);
        lookup_cost(kb);
    } else {
        CHECK(!"open the ncci KB");
    }
    mn_kb_free(kb);
    if (bytes)
        open_times(bytes, len, "ncci-only KB");

    /* the full KB of ../shared/data */
    n_reps = 0;
    full = build(MN_SHARED_DATA, &full_len, &wall, &cpu);
    CHECK(full != NULL);
    fprintf(stderr, "full shared KB: built in %.2f s (cpu %.2f s), %zu bytes\n",
            wall, cpu, full_len);
    if (full)
        open_times(full, full_len, "full KB");
    mn_kb_bytes_free(full);
    mn_kb_bytes_free(bytes);
}

int main(void)
{
    struct stat st;
    mn_error err;

    if (stat(NCCI "/ncci_aoc.csv", &st) != 0) {
        fprintf(stderr, "skipped: shared ncci data not found at %s\n", NCCI);
        return MN_SKIP;
    }
    mn_error_clear(&err);
    if (mn_ctx_new(&ctx, 1u << 20, &err))
        return 1;
    RUN(test_shared);
    mn_ctx_free(ctx);
    DONE();
}
