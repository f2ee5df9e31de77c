/*
 * bench.c: mednec_bench, the benchmark program (see bench/README.md).
 *
 *   mednec_bench [options]                 the full run (bench/run.sh)
 *   mednec_bench --profile-e2e KB JSONL    the end-to-end loop alone, for
 *                                          perf or callgrind
 *   mednec_bench --profile-check KB JSONL  mn_check alone on claims parsed
 *                                          beforehand
 *   mednec_bench --profile-open KB         mn_kb_open + mn_kb_free
 *
 * Everything runs on one thread pinned to one core. Every figure printed
 * is measured in this run; the report goes to stdout and to
 * bench/results/latest.md.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "mednec/kb.h"

#ifndef MN_BENCH_SOURCE_DIR
#define MN_BENCH_SOURCE_DIR "."
#endif
#ifndef MN_BENCH_SHARED_DATA
#define MN_BENCH_SHARED_DATA "../shared/data"
#endif
#ifndef MN_BENCH_GEN_MCD
#define MN_BENCH_GEN_MCD "gen_mcd"
#endif
#ifndef MN_BENCH_BUILD_TYPE
#define MN_BENCH_BUILD_TYPE "unknown"
#endif
#ifndef MN_BENCH_C_FLAGS
#define MN_BENCH_C_FLAGS ""
#endif

/* Targets from the benchmark issue. */
#define TARGET_OPEN_MS 5.0
#define TARGET_CHECK_LPS 5e6
#define TARGET_SQL_RATIO 20.0
#define TARGET_E2E_LPS 5e5

/* ---- options --------------------------------------------------------------
 */

typedef struct opts {
    const char *data;
    const char *icd;
    const char *work;
    const char *gen;
    const char *results;
    const char *sql_save;
    size_t articles;
    size_t covered;
    size_t lines;
    size_t opens;
    uint64_t seed;
    double min_time;
    int sql_runs;
    int skip_shared;
    /* profile mode */
    const char *profile_kb;
    const char *profile_jsonl;
    int profile_check;
    int profile_open;
    size_t repeat;
} opts;

static const char *usage =
    "usage: mednec_bench [--data DIR] [--icd FILE] [--work DIR] [--gen PATH]\n"
    "                    [--articles N] [--covered N] [--lines N]\n"
    "                    [--opens N] [--seed N] [--min-time S]\n"
    "                    [--sql-runs N] [--sql-save DB] [--skip-shared]\n"
    "                    [--results FILE]\n"
    "       mednec_bench --profile-e2e KB JSONL [--lines N] [--repeat N]\n"
    "       mednec_bench --profile-check KB JSONL [--lines N] [--repeat N]\n"
    "       mednec_bench --profile-open KB [--repeat N]\n"
    "\n"
    "Builds knowledge bases from the shared data and from generated\n"
    "real-scale MCD tables, times KB open, checks a generated claim\n"
    "workload pre-parsed and end to end from JSON, and runs the same\n"
    "check as one SQL query in SQLite. Writes a Markdown report.\n";

static int parse_num(const char *s, size_t *out)
{
    char *end = NULL;
    unsigned long long v;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || *end)
        return -1;
    *out = (size_t)v;
    return 0;
}

static int parse_opts(opts *o, int argc, char **argv)
{
    static char icd_default[4096];
    static char results_default[4096];

    memset(o, 0, sizeof(*o));
    o->data = MN_BENCH_SHARED_DATA;
    o->work = "bench-data";
    o->gen = MN_BENCH_GEN_MCD;
    o->articles = 2000;
    o->covered = 400000;
    o->lines = 200000;
    o->opens = 200;
    o->seed = 20240101;
    o->min_time = 2.0;
    o->sql_runs = 3;
    o->repeat = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        size_t n = 0;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            exit(0);
        }
        if (!strcmp(a, "--skip-shared")) {
            o->skip_shared = 1;
            continue;
        }
        if (!v)
            return -1;
        i++;
        if (!strcmp(a, "--data"))
            o->data = v;
        else if (!strcmp(a, "--icd"))
            o->icd = v;
        else if (!strcmp(a, "--work"))
            o->work = v;
        else if (!strcmp(a, "--gen"))
            o->gen = v;
        else if (!strcmp(a, "--results"))
            o->results = v;
        else if (!strcmp(a, "--sql-save"))
            o->sql_save = v;
        else if (!strcmp(a, "--min-time"))
            o->min_time = strtod(v, NULL);
        else if (!strcmp(a, "--profile-open")) {
            o->profile_kb = v;
            o->profile_open = 1;
        } else if (!strcmp(a, "--profile-e2e") ||
                   !strcmp(a, "--profile-check")) {
            if (i + 1 >= argc)
                return -1;
            o->profile_kb = v;
            o->profile_jsonl = argv[++i];
            o->profile_check = !strcmp(a, "--profile-check");
        } else if (parse_num(v, &n))
            return -1;
        else if (!strcmp(a, "--articles"))
            o->articles = n;
        else if (!strcmp(a, "--covered"))
            o->covered = n;
        else if (!strcmp(a, "--lines"))
            o->lines = n;
        else if (!strcmp(a, "--opens"))
            o->opens = n;
        else if (!strcmp(a, "--seed"))
            o->seed = n;
        else if (!strcmp(a, "--sql-runs"))
            o->sql_runs = (int)n;
        else if (!strcmp(a, "--repeat"))
            o->repeat = n;
        else
            return -1;
    }
    if (!o->icd) {
        snprintf(icd_default, sizeof(icd_default),
                 "%s/icd10cm/icd10cm_fy2024_order.csv.gz", o->data);
        o->icd = icd_default;
    }
    if (!o->results) {
        snprintf(results_default, sizeof(results_default),
                 "%s/bench/results/latest.md", MN_BENCH_SOURCE_DIR);
        o->results = results_default;
    }
    if (!o->lines || !o->articles || o->opens < 1)
        return -1;
    return 0;
}

/* ---- results --------------------------------------------------------------
 */

typedef struct kb_res {
    int done;
    int ok;
    char what[256];
    char path[4096];
    double wall_s;
    double cpu_s;
    uint64_t bytes;
    mn_build_summary sum;
    mn_kb_stats stats;
    char err[320];
} kb_res;

typedef struct open_res {
    int done;
    double minflt;  /* minor page faults per open */
    double sys_ms;  /* kernel CPU time per open */
    double user_ms; /* user CPU time per open */
    double first_ms;
    double median_ms;
    double p95_ms;
    double min_ms;
    size_t n;
} open_res;

typedef struct rate_res {
    int done;
    size_t passes;
    double total_s;
    double median_lps;
    double best_lps;
    double mean_lps;
} rate_res;

typedef struct results {
    bm_machine mach;
    char load_end[64];
    double run_s;
    int pinned_cpu;
    kb_res shared;
    kb_res gen;
    kb_res gen_zip;   /* the same export, packed as CMS ships it */
    int gen_zip_same; /* the two KBs are byte for byte the same */
    double gen_s;
    int gen_reused;
    char gen_dir[4096];
    char gen_zip_path[4200];
    char gen_csv[4200]; /* the article dataset's CSV folder */
    open_res open_shared;
    open_res open_gen;
    /* workload */
    double model_s;
    double workload_s;
    size_t claims;
    size_t lines;
    size_t json_bytes;
    size_t cat_claims[BM_CAT_COUNT];
    size_t edit_counts[8];
    size_t status_counts[6];
    size_t verdict_counts[BM_V_COUNT];
    size_t json_mismatch;
    /* throughput */
    rate_res check;
    double check_allocs_per_claim;
    rate_res e2e;
    double stage_s[4];      /* parse, check, render, free */
    double stage_allocs[4]; /* per claim */
    double stage_total_s;
    size_t render_bytes;
    /* with the full NCCI tables */
    kb_res ncci;
    open_res open_ncci;
    rate_res check_ncci;
    rate_res e2e_ncci;
    size_t ncci_lines[3];       /* lines with units.mue_exceeded, ncci.ptp,
                                   ncci.addon_without_primary */
    size_t ncci_status_changed; /* lines whose status NCCI changed */
    /* SQLite */
    int sql_done;
    bm_sql_result sql;
    double sql_lps;
    size_t cmp_lines;
    size_t cmp_agree;
    size_t dual_lines;
    size_t dual_agree;
    size_t cmp_mednec[BM_V_COUNT];
    size_t cmp_sql[BM_V_COUNT];
    char notes[8][256];
    int n_notes;
} results;

static const char *const edit_names[8] = {"policy.dx_supported",
                                          "policy.dx_not_supported",
                                          "policy.secondary_dx_missing",
                                          "policy.dx_noncovered",
                                          "policy.none",
                                          "policy.jurisdiction_required",
                                          "code.invalid",
                                          "dx.invalid"};

static void note(results *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void note(results *r, const char *fmt, ...)
{
    va_list ap;
    if (r->n_notes >= 8)
        return;
    va_start(ap, fmt);
    vsnprintf(r->notes[r->n_notes++], sizeof(r->notes[0]), fmt, ap);
    va_end(ap);
}

/* ---- KB build and open ------------------------------------------------------
 */

static void count_report(void *payload, const mn_build_file_report *rep)
{
    (void)payload;
    (void)rep;
}

static int build_kb(kb_res *r, const char *const *paths, size_t n,
                    const char *out)
{
    mn_build_options bo = MN_BUILD_OPTIONS_INIT;
    mn_build *b = NULL;
    mn_kb *kb = NULL;
    mn_error err;
    uint64_t t0;
    uint64_t c0;
    int rc;

    memset(&err, 0, sizeof(err));
    r->done = 1;
    snprintf(r->path, sizeof(r->path), "%s", out);
    bo.report = count_report;
    bo.built = "2024-10-01"; /* a fixed stamp: same bytes every run */
    t0 = bm_now_ns();
    c0 = bm_cpu_ns();
    rc = mn_build_new(&b, &bo, &err);
    for (size_t i = 0; rc == MN_OK && i < n; i++)
        rc = mn_build_add_path(b, paths[i], &err);
    if (rc == MN_OK)
        rc = mn_build_write(b, out, &err);
    r->wall_s = (double)(bm_now_ns() - t0) / 1e9;
    r->cpu_s = (double)(bm_cpu_ns() - c0) / 1e9;
    if (rc == MN_OK)
        mn_build_get_summary(&r->sum, b);
    mn_build_free(b);
    if (rc != MN_OK) {
        mn_error_format(r->err, sizeof(r->err), &err);
        return -1;
    }
    r->bytes = bm_file_size(out);
    if (mn_kb_open(&kb, out, &err) != MN_OK) {
        mn_error_format(r->err, sizeof(r->err), &err);
        return -1;
    }
    mn_kb_get_stats(&r->stats, kb);
    mn_kb_free(kb);
    r->ok = 1;
    return 0;
}

static double tv_ms(const struct timeval *a, const struct timeval *b)
{
    return (double)(a->tv_sec - b->tv_sec) * 1e3 +
           (double)(a->tv_usec - b->tv_usec) / 1e3;
}

static int time_opens(open_res *r, const char *path, size_t n)
{
    struct rusage ru0;
    struct rusage ru1;
    double *ms = calloc(n, sizeof(double));
    mn_kb *kb = NULL;
    mn_error err;
    uint64_t t0;

    if (!ms)
        return -1;
    bm_evict(path);
    t0 = bm_now_ns();
    if (mn_kb_open(&kb, path, &err) != MN_OK) {
        free(ms);
        return -1;
    }
    r->first_ms = (double)(bm_now_ns() - t0) / 1e6;
    mn_kb_free(kb);
    getrusage(RUSAGE_SELF, &ru0);
    for (size_t i = 0; i < n; i++) {
        kb = NULL;
        t0 = bm_now_ns();
        if (mn_kb_open(&kb, path, &err) != MN_OK) {
            free(ms);
            return -1;
        }
        ms[i] = (double)(bm_now_ns() - t0) / 1e6;
        mn_kb_free(kb);
    }
    getrusage(RUSAGE_SELF, &ru1);
    r->minflt = (double)(ru1.ru_minflt - ru0.ru_minflt) / (double)n;
    r->sys_ms = tv_ms(&ru1.ru_stime, &ru0.ru_stime) / (double)n;
    r->user_ms = tv_ms(&ru1.ru_utime, &ru0.ru_utime) / (double)n;
    r->n = n;
    r->median_ms = bm_percentile(ms, n, 50);
    r->p95_ms = bm_percentile(ms, n, 95);
    r->min_ms = ms[0];
    r->done = 1;
    free(ms);
    return 0;
}

/* ---- the generated MCD folder
 * ------------------------------------------------ */

static int run_gen(const opts *o, const char *dir, const char *zip)
{
    char articles[32];
    char covered[32];
    char seed[32];
    pid_t pid;
    int status = 0;

    snprintf(articles, sizeof(articles), "%zu", o->articles);
    snprintf(covered, sizeof(covered), "%zu", o->covered);
    snprintf(seed, sizeof(seed), "%llu", (unsigned long long)o->seed);
    fflush(stdout);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execl(o->gen, o->gen, "--icd", o->icd, "--articles", articles,
              "--covered", covered, "--seed", seed, "--zip", zip, "-o", dir,
              (char *)NULL);
        fprintf(stderr, "mednec_bench: cannot run %s: %s\n", o->gen,
                strerror(errno));
        _exit(127);
    }
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* ---- line verdicts
 * ------------------------------------------------------------- */

static int verdict_of(const mn_result *res, size_t line, results *r)
{
    size_t n = mn_result_finding_count(res, line);
    bool sup = false;
    bool notsup = false;
    bool noncov = false;
    bool none = false;

    for (size_t f = 0; f < n; f++) {
        const char *e = mn_result_finding_edit(res, line, f);
        if (!e)
            continue;
        for (size_t k = 0; r && k < 8; k++) {
            if (!strcmp(e, edit_names[k]))
                r->edit_counts[k]++;
        }
        if (!strcmp(e, "policy.dx_supported"))
            sup = true;
        else if (!strcmp(e, "policy.dx_not_supported") ||
                 !strcmp(e, "policy.secondary_dx_missing"))
            notsup = true;
        else if (!strcmp(e, "policy.dx_noncovered"))
            noncov = true;
        else if (!strcmp(e, "policy.none"))
            none = true;
    }
    if (noncov)
        return BM_V_NONCOVERED;
    if (notsup)
        return BM_V_NOT_SUPPORTED;
    if (sup)
        return BM_V_COVERED;
    if (none)
        return BM_V_NONE;
    return BM_V_OTHER;
}

/* ---- throughput loops
 * ------------------------------------------------------------ */

static volatile size_t sink;

/* One pass of mn_check over every pre-parsed claim; returns lines. */
static __attribute__((noinline)) size_t check_pass(const bm_workload *w,
                                                   mn_ctx *ctx, const mn_kb *kb)
{
    size_t lines = 0;
    mn_error err;
    for (size_t i = 0; i < w->n_claims; i++) {
        const mn_result *res = NULL;
        if (mn_check(&res, ctx, kb, w->claims[i], &err) != MN_OK)
            return 0;
        lines += mn_result_line_count(res);
    }
    return lines;
}

/* One pass of parse + check + render (JSON) over `n` JSON claims. */
static __attribute__((noinline)) size_t e2e_pass(char *const *json,
                                                 const size_t *len, size_t n,
                                                 mn_ctx *ctx, const mn_kb *kb,
                                                 mn_buf *buf)
{
    size_t lines = 0;
    mn_error err;
    for (size_t i = 0; i < n; i++) {
        mn_claim *c = NULL;
        const mn_result *res = NULL;
        if (mn_claim_parse_json(&c, json[i], len[i], NULL, &err) != MN_OK)
            return 0;
        if (mn_check(&res, ctx, kb, c, &err) != MN_OK) {
            mn_claim_free(c);
            return 0;
        }
        mn_buf_clear(buf);
        if (mn_result_render(buf, res, kb, MN_FORMAT_JSON, &err) != MN_OK) {
            mn_claim_free(c);
            return 0;
        }
        sink += mn_buf_len(buf);
        lines += mn_result_line_count(res);
        mn_claim_free(c);
    }
    return lines;
}

/* The loops profiled by run.sh (callgrind --toggle-collect=NAME). */
__attribute__((noinline)) size_t profile_loop(char *const *json,
                                              const size_t *len, size_t n,
                                              mn_ctx *ctx, const mn_kb *kb,
                                              mn_buf *buf, size_t repeat);
__attribute__((noinline)) size_t profile_loop(char *const *json,
                                              const size_t *len, size_t n,
                                              mn_ctx *ctx, const mn_kb *kb,
                                              mn_buf *buf, size_t repeat)
{
    size_t lines = 0;
    for (size_t r = 0; r < repeat; r++)
        lines += e2e_pass(json, len, n, ctx, kb, buf);
    return lines;
}

__attribute__((noinline)) size_t profile_check_loop(mn_claim *const *claims,
                                                    size_t n, mn_ctx *ctx,
                                                    const mn_kb *kb,
                                                    size_t repeat);
__attribute__((noinline)) size_t profile_check_loop(mn_claim *const *claims,
                                                    size_t n, mn_ctx *ctx,
                                                    const mn_kb *kb,
                                                    size_t repeat)
{
    size_t lines = 0;
    mn_error err;
    for (size_t r = 0; r < repeat; r++) {
        for (size_t i = 0; i < n; i++) {
            const mn_result *res = NULL;
            if (mn_check(&res, ctx, kb, claims[i], &err) != MN_OK)
                return 0;
            lines += mn_result_line_count(res);
        }
    }
    return lines;
}

__attribute__((noinline)) int profile_open_loop(const char *path,
                                                size_t repeat);
__attribute__((noinline)) int profile_open_loop(const char *path, size_t repeat)
{
    for (size_t r = 0; r < repeat; r++) {
        mn_kb *kb = NULL;
        mn_error err;
        if (mn_kb_open(&kb, path, &err) != MN_OK)
            return -1;
        mn_kb_free(kb);
    }
    return 0;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#define MAX_PASSES 64

static void finish_rate(rate_res *r, const double *lps, size_t n,
                        size_t total_lines)
{
    double v[MAX_PASSES];
    memcpy(v, lps, n * sizeof(double));
    qsort(v, n, sizeof(double), cmp_d);
    r->passes = n;
    r->median_lps = v[n / 2];
    r->best_lps = v[n - 1];
    r->mean_lps = r->total_s > 0 ? (double)total_lines / r->total_s : 0;
    r->done = 1;
}

/* One timed pass over the workload: the lines checked, 0 on failure. */
typedef struct pass_args {
    const bm_workload *w;
    mn_ctx *ctx;
    const mn_kb *kb;
    mn_buf *buf; /* NULL: pre-parsed check; else parse + check + render */
} pass_args;

static size_t run_pass(const pass_args *p)
{
    return p->buf ? e2e_pass(p->w->json, p->w->json_len, p->w->n_claims, p->ctx,
                             p->kb, p->buf)
                  : check_pass(p->w, p->ctx, p->kb);
}

/* Passes after a warm-up until `min_time`, at least 3. */
static int measure_rate(rate_res *r, const pass_args *p, double min_time)
{
    double lps[MAX_PASSES];
    size_t n = 0;
    size_t total = 0;

    if (!run_pass(p))
        return -1; /* warm-up */
    r->total_s = 0;
    while (n < MAX_PASSES && (n < 3 || r->total_s < min_time)) {
        uint64_t t0 = bm_now_ns();
        size_t lines = run_pass(p);
        double s = (double)(bm_now_ns() - t0) / 1e9;
        if (!lines)
            return -1;
        lps[n++] = (double)lines / s;
        r->total_s += s;
        total += lines;
    }
    finish_rate(r, lps, n, total);
    return 0;
}

static int measure_check(rate_res *r, const bm_workload *w, mn_ctx *ctx,
                         const mn_kb *kb, double min_time, double *allocs)
{
    pass_args p = {w, ctx, kb, NULL};
    uint64_t a0;

    (void)check_pass(w, ctx, kb); /* warm-up */
    a0 = bm_allocs();
    if (!check_pass(w, ctx, kb))
        return -1;
    *allocs = (double)(bm_allocs() - a0) / (double)w->n_claims;
    return measure_rate(r, &p, min_time);
}

static int measure_e2e_rate(rate_res *r, const bm_workload *w, mn_ctx *ctx,
                            const mn_kb *kb, mn_buf *buf, double min_time)
{
    pass_args p = {w, ctx, kb, buf};
    return measure_rate(r, &p, min_time);
}

static int measure_e2e(results *res, const bm_workload *w, mn_ctx *ctx,
                       const mn_kb *kb, mn_buf *buf, double min_time)
{
    uint64_t st[4] = {0, 0, 0, 0};
    uint64_t al[4] = {0, 0, 0, 0};
    uint64_t s0;
    mn_error err;

    if (measure_e2e_rate(&res->e2e, w, ctx, kb, buf, min_time))
        return -1;

    /* the split: each stage timed on its own, claim by claim */
    res->render_bytes = 0;
    s0 = bm_now_ns();
    for (size_t i = 0; i < w->n_claims; i++) {
        mn_claim *c = NULL;
        const mn_result *out = NULL;
        uint64_t a = bm_allocs();
        uint64_t t = bm_now_ns();
        uint64_t u;
        if (mn_claim_parse_json(&c, w->json[i], w->json_len[i], NULL, &err) !=
            MN_OK)
            return -1;
        u = bm_now_ns();
        st[0] += u - t;
        al[0] += bm_allocs() - a;
        a = bm_allocs();
        if (mn_check(&out, ctx, kb, c, &err) != MN_OK)
            return -1;
        t = bm_now_ns();
        st[1] += t - u;
        al[1] += bm_allocs() - a;
        a = bm_allocs();
        mn_buf_clear(buf);
        if (mn_result_render(buf, out, kb, MN_FORMAT_JSON, &err) != MN_OK)
            return -1;
        u = bm_now_ns();
        st[2] += u - t;
        al[2] += bm_allocs() - a;
        res->render_bytes += mn_buf_len(buf);
        a = bm_allocs();
        mn_claim_free(c);
        t = bm_now_ns();
        st[3] += t - u;
        al[3] += bm_allocs() - a;
    }
    res->stage_total_s = (double)(bm_now_ns() - s0) / 1e9;
    for (int k = 0; k < 4; k++) {
        res->stage_s[k] = (double)st[k] / 1e9;
        res->stage_allocs[k] = (double)al[k] / (double)w->n_claims;
    }
    return 0;
}

static void step(const char *what)
{
    printf("== %s\n", what);
    fflush(stdout);
}

/*
 * The real-scale KB plus the full NCCI tables (PTP practitioner and
 * hospital, MUE, add-on codes): its size and open time, how many workload
 * lines the edits touch, and the check rates on it.
 */
static int measure_ncci(results *r, const opts *o, const bm_workload *w,
                        const char *ncci_dir, const uint8_t *base_status,
                        mn_buf *buf)
{
    const char *paths[3] = {r->gen_dir, o->icd, ncci_dir};
    char path[4096];
    mn_kb *kb = NULL;
    mn_ctx *ctx = NULL;
    mn_error err;
    size_t li = 0;
    int rc = -1;

    step("building the real-scale KB + the full NCCI tables");
    snprintf(r->ncci.what, sizeof(r->ncci.what),
             "the real-scale sources + `%.200s`", ncci_dir);
    snprintf(path, sizeof(path), "%s/gen-ncci.mnkb", o->work);
    if (build_kb(&r->ncci, paths, 3, path)) {
        fprintf(stderr, "mednec_bench: NCCI build failed: %s\n", r->ncci.err);
        return -1;
    }
    printf("   %.2f s, %.1f MB\n", r->ncci.wall_s, (double)r->ncci.bytes / 1e6);
    time_opens(&r->open_ncci, path, o->opens);
    if (mn_kb_open(&kb, path, &err) != MN_OK ||
        mn_ctx_new(&ctx, 0, &err) != MN_OK) {
        fprintf(stderr, "mednec_bench: %s\n", err.message);
        goto done;
    }
    for (size_t i = 0; i < w->n_claims; i++) {
        const mn_result *res = NULL;
        if (mn_check(&res, ctx, kb, w->claims[i], &err) != MN_OK)
            goto done;
        for (size_t l = 0; l < mn_result_line_count(res); l++, li++) {
            static const char *const edits[3] = {
                "units.mue_exceeded", "ncci.ptp", "ncci.addon_without_primary"};
            for (size_t k = 0; k < mn_result_finding_count(res, l); k++) {
                const char *e = mn_result_finding_edit(res, l, k);
                for (int x = 0; x < 3; x++)
                    r->ncci_lines[x] += e && !strcmp(e, edits[x]);
            }
            if (li < w->n_lines &&
                base_status[li] != (uint8_t)mn_result_line_status(res, l))
                r->ncci_status_changed++;
        }
    }
    step("mn_check on pre-parsed claims, full NCCI");
    if (measure_check(&r->check_ncci, w, ctx, kb, o->min_time, &(double){0}))
        goto done;
    printf("   %.0f lines/s\n", r->check_ncci.median_lps);
    step("parse JSON + mn_check + render JSON, full NCCI");
    if (measure_e2e_rate(&r->e2e_ncci, w, ctx, kb, buf, o->min_time))
        goto done;
    printf("   %.0f lines/s\n", r->e2e_ncci.median_lps);
    rc = 0;
done:
    mn_ctx_free(ctx);
    mn_kb_free(kb);
    return rc;
}

/* ---- profile mode
 * ------------------------------------------------------------------ */

static int profile_main(const opts *o)
{
    size_t len = 0;
    char *data = NULL;
    char **json = NULL;
    size_t *jlen = NULL;
    mn_claim **claims = NULL;
    size_t n = 0;
    size_t lines = 0;
    size_t cap = 0;
    mn_kb *kb = NULL;
    mn_ctx *ctx = NULL;
    mn_buf *buf = NULL;
    mn_error err;
    uint64_t t0;
    double s;
    int rc = 1;

    if (o->profile_open) {
        t0 = bm_now_ns();
        rc = profile_open_loop(o->profile_kb, o->repeat);
        s = (double)(bm_now_ns() - t0) / 1e9;
        printf("profile (open): %zu opens in %.3f s under the profiler\n",
               o->repeat, s);
        return rc ? 1 : 0;
    }
    data = bm_read_file(o->profile_jsonl, &len);
    if (!data) {
        fprintf(stderr, "mednec_bench: cannot read %s\n", o->profile_jsonl);
        return 1;
    }
    if (mn_kb_open(&kb, o->profile_kb, &err) != MN_OK ||
        mn_ctx_new(&ctx, 0, &err) != MN_OK || mn_buf_new(&buf, 0) != MN_OK) {
        fprintf(stderr, "mednec_bench: %s\n", err.message);
        goto done;
    }
    for (char *p = data; *p && lines < o->lines;) {
        char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        mn_claim *c = NULL;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 4096;
            char **nj = realloc(json, ncap * sizeof(*json));
            size_t *nl2 = nj ? realloc(jlen, ncap * sizeof(*jlen)) : NULL;
            mn_claim **nc =
                nl2 ? realloc(claims, ncap * sizeof(*claims)) : NULL;
            if (nj)
                json = nj;
            if (nl2)
                jlen = nl2;
            if (!nc)
                goto done;
            claims = nc;
            cap = ncap;
        }
        if (l) {
            if (mn_claim_parse_json(&c, p, l, NULL, &err) != MN_OK) {
                fprintf(stderr, "mednec_bench: %s\n", err.message);
                goto done;
            }
            lines += mn_claim_line_count(c);
            claims[n] = c;
            json[n] = p;
            jlen[n] = l;
            n++;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    bm_pin_one_core();
    t0 = bm_now_ns();
    if (o->profile_check)
        lines = profile_check_loop(claims, n, ctx, kb, o->repeat);
    else
        lines = profile_loop(json, jlen, n, ctx, kb, buf, o->repeat);
    s = (double)(bm_now_ns() - t0) / 1e9;
    printf("profile (%s): %zu claims, %zu lines in %.3f s (%.0f lines/s "
           "under the profiler)\n",
           o->profile_check ? "pre-parsed mn_check" : "end to end", n, lines, s,
           s > 0 ? (double)lines / s : 0);
    rc = lines ? 0 : 1;
done:
    for (size_t i = 0; claims && i < n; i++)
        mn_claim_free(claims[i]);
    free(claims);
    free(json);
    free(jlen);
    free(data);
    mn_buf_free(buf);
    mn_ctx_free(ctx);
    mn_kb_free(kb);
    return rc;
}

/* ---- the report
 * -------------------------------------------------------------------- */

static const char *yes_no(bool met)
{
    return met ? "**met**" : "**missed**";
}

static void human(char *out, size_t size, double v)
{
    if (v >= 1e6)
        snprintf(out, size, "%.2f M", v / 1e6);
    else if (v >= 1e3)
        snprintf(out, size, "%.0f k", v / 1e3);
    else
        snprintf(out, size, "%.0f", v);
}

static void write_report(FILE *f, const results *r, const opts *o)
{
    char a[32];
    char b[32];

    fprintf(f, "# mednec benchmark results\n\n");
    fprintf(f, "| | |\n|---|---|\n");
    fprintf(f, "| date | %s |\n", r->mach.date);
    fprintf(f, "| commit | %s |\n", r->mach.commit);
    fprintf(f, "| CPU | %s |\n", r->mach.cpu);
    fprintf(f, "| cores online (nproc) | %d; benchmark pinned to CPU %d |\n",
            r->mach.nproc, r->pinned_cpu);
    fprintf(f, "| memory | %.1f GiB |\n", r->mach.mem_gib);
    fprintf(f, "| kernel | %s |\n", r->mach.kernel);
    fprintf(f, "| compiler | %s, %s build, flags `%s` |\n", r->mach.compiler,
            MN_BENCH_BUILD_TYPE, MN_BENCH_C_FLAGS);
    fprintf(f, "| SQLite | %s |\n", r->mach.sqlite);
    fprintf(f,
            "| load average (1, 5, 15 min) | %s at the start, %s at "
            "the end (other processes share the machine) |\n",
            r->mach.load, r->load_end);
    fprintf(f, "| benchmark run time | %.1f s (without the profile) |\n",
            r->run_s);
    fprintf(f, "| mednec | %s |\n\n", mn_version());

    if (r->open_gen.done || r->open_shared.done || r->check.done) {
        fprintf(f, "## Targets\n\n");
        fprintf(f, "| target | measured | |\n|---|---|---|\n");
        if (r->open_gen.done)
            fprintf(f,
                    "| KB open < %.0f ms (real-scale KB, median) | %.2f ms "
                    "| %s |\n",
                    TARGET_OPEN_MS, r->open_gen.median_ms,
                    yes_no(r->open_gen.median_ms < TARGET_OPEN_MS));
        if (r->open_shared.done)
            fprintf(f,
                    "| KB open < %.0f ms (shared-data KB, median) | %.2f ms "
                    "| %s |\n",
                    TARGET_OPEN_MS, r->open_shared.median_ms,
                    yes_no(r->open_shared.median_ms < TARGET_OPEN_MS));
        if (r->check.done) {
            human(a, sizeof(a), r->check.median_lps);
            fprintf(f,
                    "| >= 5 M line checks/s/core, pre-parsed | %s lines/s | "
                    "%s |\n",
                    a, yes_no(r->check.median_lps >= TARGET_CHECK_LPS));
        }
        if (r->check.done && r->sql_done && r->sql_lps > 0)
            fprintf(
                f, "| >= %.0fx the SQLite query | %.1fx | %s |\n",
                TARGET_SQL_RATIO, r->check.median_lps / r->sql_lps,
                yes_no(r->check.median_lps / r->sql_lps >= TARGET_SQL_RATIO));
        if (r->e2e.done) {
            human(a, sizeof(a), r->e2e.median_lps);
            fprintf(f,
                    "| >= 500 k lines/s/core end to end from JSON | %s "
                    "lines/s | %s |\n",
                    a, yes_no(r->e2e.median_lps >= TARGET_E2E_LPS));
        }
        fprintf(f, "\n");
    }

    if (r->shared.done || r->gen.done) {
        fprintf(f, "## Knowledge-base builds\n\n");
        fprintf(f, "| KB | sources | build wall | build CPU | KB size | files "
                   "(recognised) | rows loaded | rows skipped | ICD codes | "
                   "policies | policy codes | policy dx |\n"
                   "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (int k = 0; k < 3; k++) {
            static const char *const names[3] = {"shared data", "real-scale",
                                                 "real-scale, nested ZIP"};
            const kb_res *kr = k == 2 ? &r->gen_zip : k ? &r->gen : &r->shared;
            if (!kr->done)
                continue;
            if (!kr->ok) {
                fprintf(f, "| %s | %s | failed: %s |||||||||\n", names[k],
                        kr->what, kr->err);
                continue;
            }
            fprintf(f,
                    "| %s | %s | %.2f s | %.2f s | %.1f MB | %zu (%zu) | %zu | "
                    "%zu | %zu | %zu | %zu | %zu |\n",
                    names[k], kr->what, kr->wall_s, kr->cpu_s,
                    (double)kr->bytes / 1e6, kr->sum.files, kr->sum.recognised,
                    kr->sum.rows, kr->sum.skipped, kr->stats.icd_codes,
                    kr->stats.policies, kr->stats.policy_codes,
                    kr->stats.policy_dx);
        }
        if (r->gen.done)
            fprintf(f,
                    "\nGenerated MCD export `%s` (unpacked) and `%s` "
                    "(packed): %s in %.2f s.\n",
                    r->gen_dir, r->gen_zip_path,
                    r->gen_reused ? "reused (generated by an earlier run)"
                                  : "generated",
                    r->gen_s);
        if (r->gen_zip.ok)
            fprintf(f,
                    "The KB built from the nested ZIP is %s the KB built "
                    "from the unpacked folders.\n",
                    r->gen_zip_same ? "byte for byte the same as"
                                    : "NOT the same as");
    }
    if (r->open_gen.done || r->open_shared.done) {
        fprintf(f, "\n## KB open (mn_kb_open: map + validate, incl. checksum)"
                   "\n\n");
        fprintf(f,
                "| KB | first open after evicting the file from the page "
                "cache | median of %zu | p95 | min | per open: user CPU, "
                "kernel CPU, minor page faults |\n"
                "|---|---|---|---|---|---|\n",
                o->opens);
        for (int k = 0; k < 2; k++) {
            const open_res *op = k ? &r->open_gen : &r->open_shared;
            if (!op->done)
                continue;
            fprintf(f,
                    "| %s | %.2f ms | %.3f ms | %.3f ms | %.3f ms | %.2f ms, "
                    "%.2f ms, %.0f |\n",
                    k ? "real-scale" : "shared data", op->first_ms,
                    op->median_ms, op->p95_ms, op->min_ms, op->user_ms,
                    op->sys_ms, op->minflt);
        }
    }

    if (r->check.done) {
        fprintf(f, "\n## Claim workload\n\n");
        fprintf(f,
                "%zu claims, %zu lines (1-4 lines, 1-4 diagnoses per "
                "claim), %.1f MB of contract JSON, seed %llu; generated "
                "in %.2f s (model read %.2f s). Claims by intent:",
                r->claims, r->lines, (double)r->json_bytes / 1e6,
                (unsigned long long)o->seed, r->workload_s, r->model_s);
        for (int k = 0; k < BM_CAT_COUNT; k++)
            fprintf(f, "%s %s %zu", k ? "," : "", bm_cat_names[k],
                    r->cat_claims[k]);
        fprintf(f, ".\n\nLine outcomes from mednec (line verdict):");
        for (int k = 0; k < BM_V_COUNT; k++)
            fprintf(f, "%s %s %zu", k ? "," : "", bm_verdict_names[k],
                    r->verdict_counts[k]);
        fprintf(f, ". Findings:");
        for (int k = 0; k < 8; k++) {
            if (r->edit_counts[k])
                fprintf(f, " `%s` %zu;", edit_names[k], r->edit_counts[k]);
        }
        fprintf(f,
                " pre-parsed and JSON-parsed claims gave different "
                "line statuses on %zu claims.\n",
                r->json_mismatch);

        fprintf(f, "\n## Check throughput (one core)\n\n");
        fprintf(f, "| measurement | median pass | best pass | mean | "
                   "passes | time |\n|---|---|---|---|---|---|\n");
        human(a, sizeof(a), r->check.median_lps);
        human(b, sizeof(b), r->check.best_lps);
        fprintf(f,
                "| mn_check, pre-parsed claims | %s lines/s | %s "
                "lines/s | %.0f lines/s | %zu | %.2f s |\n",
                a, b, r->check.mean_lps, r->check.passes, r->check.total_s);
        if (r->e2e.done) {
            human(a, sizeof(a), r->e2e.median_lps);
            human(b, sizeof(b), r->e2e.best_lps);
            fprintf(f,
                    "| parse JSON + mn_check + render JSON | %s lines/s "
                    "| %s lines/s | %.0f lines/s | %zu | %.2f s |\n",
                    a, b, r->e2e.mean_lps, r->e2e.passes, r->e2e.total_s);
        }
        fprintf(f,
                "\nPre-parsed mn_check: %.2f allocations per claim "
                "(%.1f ns per line).\n",
                r->check_allocs_per_claim, 1e9 / r->check.median_lps);
    }
    if (r->e2e.done) {
        double t =
            r->stage_s[0] + r->stage_s[1] + r->stage_s[2] + r->stage_s[3];
        static const char *const names[4] = {"mn_claim_parse_json", "mn_check",
                                             "mn_result_render (JSON)",
                                             "mn_claim_free"};
        fprintf(f, "\n### End-to-end split (second pass, each stage timed "
                   "per claim)\n\n");
        fprintf(f, "| stage | time | share | ns per line | allocations "
                   "per claim |\n|---|---|---|---|---|\n");
        for (int k = 0; k < 4; k++)
            fprintf(f, "| %s | %.3f s | %.1f%% | %.0f | %.1f |\n", names[k],
                    r->stage_s[k], t > 0 ? 100.0 * r->stage_s[k] / t : 0,
                    1e9 * r->stage_s[k] / (double)r->lines, r->stage_allocs[k]);
        fprintf(f,
                "| total (timer overhead included: %.3f s wall) | "
                "%.3f s | 100%% | %.0f | |\n",
                r->stage_total_s, t, 1e9 * t / (double)r->lines);
        fprintf(f, "\nRendered JSON: %.1f MB (%.0f bytes per claim).\n",
                (double)r->render_bytes / 1e6,
                (double)r->render_bytes / (double)r->claims);
    }
    if (r->check_ncci.done) {
        fprintf(f, "\n## With the full NCCI tables\n\n");
        fprintf(f,
                "KB: %s: %.1f MB (built in %.2f s); open median %.2f ms "
                "(first %.2f ms). On the workload the edits fire on %zu "
                "lines (`units.mue_exceeded`), %zu (`ncci.ptp`) and %zu "
                "(`ncci.addon_without_primary`); %zu line statuses differ "
                "from the KB without NCCI.\n\n",
                r->ncci.what, (double)r->ncci.bytes / 1e6, r->ncci.wall_s,
                r->open_ncci.median_ms, r->open_ncci.first_ms, r->ncci_lines[0],
                r->ncci_lines[1], r->ncci_lines[2], r->ncci_status_changed);
        fprintf(f, "| measurement | median pass | best pass | mean | "
                   "passes | time |\n|---|---|---|---|---|---|\n");
        for (int k = 0; k < 2; k++) {
            const rate_res *x = k ? &r->e2e_ncci : &r->check_ncci;
            if (!x->done)
                continue;
            human(a, sizeof(a), x->median_lps);
            human(b, sizeof(b), x->best_lps);
            fprintf(f,
                    "| %s, full NCCI | %s lines/s | %s lines/s | %.0f "
                    "lines/s | %zu | %.2f s |\n",
                    k ? "parse JSON + mn_check + render JSON"
                      : "mn_check, pre-parsed claims",
                    a, b, x->mean_lps, x->passes, x->total_s);
        }
    }
    if (r->sql_done) {
        const bm_sql_result *s = &r->sql;
        human(a, sizeof(a), r->sql_lps);
        fprintf(f, "\n## SQLite baseline (same tables, same claim lines)"
                   "\n\n");
        fprintf(f,
                "SQLite %s, in memory. Loading the MCD tables with "
                "indexes and ANALYZE: %.2f s; loading the %zu claim "
                "lines: %.2f s; database %.1f MB. The query (best of "
                "%d runs, load excluded):",
                s->sqlite_version, s->load_s, r->lines, s->claims_load_s,
                (double)s->db_bytes / 1e6, s->runs);
        for (int k = 0; k < s->runs; k++)
            fprintf(f, " %.3f s", s->query_s[k]);
        fprintf(f, " -> **%s lines/s**.\n\n", a);
        fprintf(f,
                "mednec pre-parsed is **%.1fx** the query; end to end "
                "from JSON (parse + check + render) it is **%.1fx**.\n\n",
                r->check.median_lps / r->sql_lps,
                r->e2e.done ? r->e2e.median_lps / r->sql_lps : 0);
        fprintf(f,
                "Agreement: on the %zu lines no dual-diagnosis article "
                "governs, SQL and mednec give the same verdict on %zu "
                "(%.3f%%). The SQL does not model dual diagnosis; on the "
                "%zu lines a dual-diagnosis article governs, they agree "
                "on %zu.\n\n",
                r->cmp_lines, r->cmp_agree,
                r->cmp_lines
                    ? 100.0 * (double)r->cmp_agree / (double)r->cmp_lines
                    : 0,
                r->dual_lines, r->dual_agree);
        fprintf(f, "| verdict (lines without dual diagnosis) | mednec | "
                   "SQLite |\n|---|---|---|\n");
        for (int k = 0; k < BM_V_COUNT; k++)
            fprintf(f, "| %s | %zu | %zu |\n", bm_verdict_names[k],
                    r->cmp_mednec[k], r->cmp_sql[k]);
        fprintf(f,
                "\nThe query:\n\n```sql\n%s;\n```\n\nIts plan:\n\n```\n"
                "%s```\n",
                s->query_text, s->plan);
    }
    if (r->n_notes) {
        fprintf(f, "\n## Notes\n\n");
        for (int k = 0; k < r->n_notes; k++)
            fprintf(f, "- %s\n", r->notes[k]);
    }
}

/* ---- main
 * ----------------------------------------------------------------------------
 */

static int mkdir_p(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    return mkdir(tmp, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

int main(int argc, char **argv)
{
    static results r;
    opts o;
    bm_model model;
    bm_workload w;
    mn_kb *kb = NULL;
    mn_ctx *ctx = NULL;
    mn_buf *buf = NULL;
    mn_error err;
    char path[4096];
    char stamp[4200];
    uint8_t *mverdict = NULL;
    uint8_t *mstatus = NULL;
    bool have_data;
    bool have_icd;
    uint64_t run_t0;
    FILE *f;
    int rc = 1;

    memset(&model, 0, sizeof(model));
    memset(&w, 0, sizeof(w));
    memset(&err, 0, sizeof(err));
    if (parse_opts(&o, argc, argv)) {
        fputs(usage, stderr);
        return 2;
    }
    if (o.profile_kb)
        return profile_main(&o);

    run_t0 = bm_now_ns();
    bm_machine_get(&r.mach, MN_BENCH_SOURCE_DIR);
    r.pinned_cpu = bm_pin_one_core();
    if (mkdir_p(o.work)) {
        fprintf(stderr, "mednec_bench: cannot create %s\n", o.work);
        return 1;
    }
    printf("mednec_bench: %s, %d cores, commit %s; pinned to CPU %d\n",
           r.mach.cpu, r.mach.nproc, r.mach.commit, r.pinned_cpu);
    have_data = bm_exists(o.data);
    have_icd = bm_exists(o.icd);

    /* (a) all of the shared data */
    if (!have_data || o.skip_shared) {
        printf("shared data %s: %s; skipping its KB build\n", o.data,
               o.skip_shared ? "skipped by option" : "not found");
        note(&r, "shared-data KB not built: %s",
             o.skip_shared ? "--skip-shared" : "shared data not found");
    } else {
        const char *paths[1] = {o.data};
        step("building a KB from all of the shared data");
        snprintf(r.shared.what, sizeof(r.shared.what), "all of `%s`", o.data);
        snprintf(path, sizeof(path), "%s/shared.mnkb", o.work);
        if (build_kb(&r.shared, paths, 1, path))
            fprintf(stderr, "mednec_bench: shared-data build failed: %s\n",
                    r.shared.err);
        else
            printf("   %.2f s, %.1f MB\n", r.shared.wall_s,
                   (double)r.shared.bytes / 1e6);
    }

    /* (b) the generated real-scale MCD tables + ICD-10-CM */
    if (!have_icd) {
        printf("ICD-10-CM file %s not found: the generated-MCD part, the "
               "claim workload and the SQLite baseline need it; skipped\n",
               o.icd);
        note(&r, "ICD-10-CM file %s not found: real-scale parts skipped",
             o.icd);
        goto report;
    }
    /* the export layout: the datasets unpacked in gen_dir, and packed in
       gen_zip_path (all_data.zip) */
    snprintf(r.gen_dir, sizeof(r.gen_dir), "%s/mcd-export-a%zu-c%zu-s%llu",
             o.work, o.articles, o.covered, (unsigned long long)o.seed);
    snprintf(r.gen_zip_path, sizeof(r.gen_zip_path), "%s.all_data.zip",
             r.gen_dir);
    snprintf(r.gen_csv, sizeof(r.gen_csv), "%s/all_article/all_article_csv",
             r.gen_dir);
    snprintf(stamp, sizeof(stamp), "%s.done", r.gen_dir);
    {
        uint64_t t0 = bm_now_ns();
        if (bm_exists(stamp)) {
            r.gen_reused = 1;
        } else {
            step("generating the MCD tables (gen_mcd)");
            if (run_gen(&o, r.gen_dir, r.gen_zip_path)) {
                fprintf(stderr, "mednec_bench: gen_mcd failed\n");
                goto done;
            }
            f = fopen(stamp, "w");
            if (f)
                fclose(f);
        }
        r.gen_s = (double)(bm_now_ns() - t0) / 1e9;
    }
    {
        const char *paths[2] = {r.gen_dir, o.icd};
        step("building a KB from the generated MCD tables + ICD-10-CM");
        snprintf(r.gen.what, sizeof(r.gen.what),
                 "generated MCD tables (%zu articles, %zu covered rows) + "
                 "`%s`",
                 o.articles, o.covered, o.icd);
        snprintf(path, sizeof(path), "%s/gen.mnkb", o.work);
        if (build_kb(&r.gen, paths, 2, path)) {
            fprintf(stderr, "mednec_bench: real-scale build failed: %s\n",
                    r.gen.err);
            goto report;
        }
        printf("   %.2f s, %.1f MB\n", r.gen.wall_s, (double)r.gen.bytes / 1e6);
    }
    {
        const char *paths[2] = {r.gen_zip_path, o.icd};
        step("building the same KB from the export packed as CMS ships it "
             "(all_data.zip)");
        snprintf(r.gen_zip.what, sizeof(r.gen_zip.what),
                 "the same tables as `all_data.zip` (ZIPs in ZIPs) + `%s`",
                 o.icd);
        snprintf(path, sizeof(path), "%s/gen-zip.mnkb", o.work);
        if (build_kb(&r.gen_zip, paths, 2, path)) {
            fprintf(stderr, "mednec_bench: nested-ZIP build failed: %s\n",
                    r.gen_zip.err);
        } else {
            r.gen_zip_same = bm_same_file(r.gen.path, path);
            printf("   %.2f s, %.1f MB, %s\n", r.gen_zip.wall_s,
                   (double)r.gen_zip.bytes / 1e6,
                   r.gen_zip_same ? "the same bytes as the unpacked build"
                                  : "NOT the same bytes as the unpacked build");
        }
    }

    /* (c) open times */
    step("timing KB open");
    if (r.shared.ok)
        time_opens(&r.open_shared, r.shared.path, o.opens);
    time_opens(&r.open_gen, r.gen.path, o.opens);
    printf("   real-scale KB: median %.3f ms\n", r.open_gen.median_ms);

    /* (d) the workload */
    step("generating the claim workload");
    {
        uint64_t t0 = bm_now_ns();
        if (bm_model_load(&model, r.gen_csv))
            goto done;
        r.model_s = (double)(bm_now_ns() - t0) / 1e9;
        t0 = bm_now_ns();
        if (bm_workload_make(&w, &model, o.lines, o.seed)) {
            fprintf(stderr, "mednec_bench: workload generation failed\n");
            goto done;
        }
        r.workload_s = (double)(bm_now_ns() - t0) / 1e9;
        r.claims = w.n_claims;
        r.lines = w.n_lines;
        r.json_bytes = w.json_bytes;
        memcpy(r.cat_claims, w.cat_claims, sizeof(r.cat_claims));
    }
    snprintf(path, sizeof(path), "%s/claims.jsonl", o.work);
    f = fopen(path, "wb");
    if (f) {
        for (size_t i = 0; i < w.n_claims; i++) {
            fwrite(w.json[i], 1, w.json_len[i], f);
            fputc('\n', f);
        }
        fclose(f);
    }
    printf("   %zu claims, %zu lines\n", w.n_claims, w.n_lines);

    if (mn_kb_open(&kb, r.gen.path, &err) != MN_OK ||
        mn_ctx_new(&ctx, 0, &err) != MN_OK || mn_buf_new(&buf, 0) != MN_OK) {
        fprintf(stderr, "mednec_bench: %s\n", err.message);
        goto done;
    }

    /* verdicts, and pre-parsed vs JSON agreement */
    mverdict = calloc(w.n_lines, 1);
    mstatus = calloc(w.n_lines, 1);
    if (!mverdict || !mstatus)
        goto done;
    {
        size_t li = 0;
        for (size_t i = 0; i < w.n_claims; i++) {
            const mn_result *res = NULL;
            size_t n;
            if (mn_check(&res, ctx, kb, w.claims[i], &err) != MN_OK) {
                fprintf(stderr, "mednec_bench: check: %s\n", err.message);
                goto done;
            }
            n = mn_result_line_count(res);
            for (size_t l = 0; l < n && li < w.n_lines; l++, li++) {
                mverdict[li] = (uint8_t)verdict_of(res, l, &r);
                mstatus[li] = (uint8_t)mn_result_line_status(res, l);
                r.verdict_counts[mverdict[li]]++;
                if (mstatus[li] < 6)
                    r.status_counts[mstatus[li]]++;
            }
        }
        li = 0;
        for (size_t i = 0; i < w.n_claims; i++) {
            mn_claim *c = NULL;
            const mn_result *res = NULL;
            bool same = true;
            if (mn_claim_parse_json(&c, w.json[i], w.json_len[i], NULL, &err) !=
                MN_OK) {
                fprintf(stderr, "mednec_bench: claim %zu: %s\n", i + 1,
                        err.message);
                goto done;
            }
            if (mn_check(&res, ctx, kb, c, &err) != MN_OK) {
                mn_claim_free(c);
                goto done;
            }
            for (size_t l = 0; l < mn_result_line_count(res); l++, li++) {
                if (li >= w.n_lines ||
                    mstatus[li] != (uint8_t)mn_result_line_status(res, l))
                    same = false;
            }
            if (!same)
                r.json_mismatch++;
            mn_claim_free(c);
        }
    }

    /* (e) pre-parsed throughput */
    step("mn_check on pre-parsed claims");
    if (measure_check(&r.check, &w, ctx, kb, o.min_time,
                      &r.check_allocs_per_claim)) {
        fprintf(stderr, "mednec_bench: check loop failed\n");
        goto done;
    }
    printf("   %.0f lines/s\n", r.check.median_lps);

    /* (f) end to end */
    step("parse JSON + mn_check + render JSON");
    if (measure_e2e(&r, &w, ctx, kb, buf, o.min_time)) {
        fprintf(stderr, "mednec_bench: end-to-end loop failed: %s\n",
                err.message);
        goto report;
    }
    printf("   %.0f lines/s\n", r.e2e.median_lps);

    /* (f2) the same with the full NCCI tables of the shared data */
    if (have_data && !o.skip_shared) {
        char ncci_dir[4096];
        snprintf(ncci_dir, sizeof(ncci_dir), "%s/ncci", o.data);
        if (bm_exists(ncci_dir) &&
            measure_ncci(&r, &o, &w, ncci_dir, mstatus, buf) != 0)
            note(&r, "the full-NCCI measurement failed (see stderr)");
    }

    /* (g) SQLite */
    step("SQLite baseline");
    if (bm_sql_run(&r.sql, r.gen_csv, &model, &w, o.sql_runs, o.sql_save) ==
        0) {
        r.sql_done = 1;
        r.sql_lps = (double)w.n_lines / r.sql.best_s;
        for (size_t i = 0; i < w.n_lines; i++) {
            if (r.sql.dual[i]) {
                r.dual_lines++;
                r.dual_agree += r.sql.verdict[i] == mverdict[i];
                continue;
            }
            r.cmp_lines++;
            r.cmp_agree += r.sql.verdict[i] == mverdict[i];
            r.cmp_mednec[mverdict[i]]++;
            r.cmp_sql[r.sql.verdict[i] < BM_V_COUNT ? r.sql.verdict[i]
                                                    : BM_V_OTHER]++;
        }
        printf("   %.0f lines/s; agreement %zu of %zu lines\n", r.sql_lps,
               r.cmp_agree, r.cmp_lines);
    } else {
        note(&r, "the SQLite baseline failed (see stderr)");
    }

report:
    bm_loadavg(r.load_end, sizeof(r.load_end));
    r.run_s = (double)(bm_now_ns() - run_t0) / 1e9;
    printf("\n");
    write_report(stdout, &r, &o);
    {
        char dir[4096];
        char *slash;
        snprintf(dir, sizeof(dir), "%s", o.results);
        slash = strrchr(dir, '/');
        if (slash) {
            *slash = '\0';
            mkdir_p(dir);
        }
        f = fopen(o.results, "w");
        if (f) {
            write_report(f, &r, &o);
            fclose(f);
            printf("\nreport written to %s\n", o.results);
        } else {
            fprintf(stderr, "mednec_bench: cannot write %s\n", o.results);
        }
    }
    rc = 0;
done:
    free(mverdict);
    free(mstatus);
    bm_sql_free(&r.sql);
    mn_buf_free(buf);
    mn_ctx_free(ctx);
    mn_kb_free(kb);
    bm_workload_free(&w);
    bm_model_free(&model);
    return rc;
}
