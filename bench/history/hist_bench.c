/*
 * hist_bench.c: history-aware line checks (issue "claim edits"): a SQLite
 * history store with N prior services (default 1,000,000: 100,000 patients
 * with 10 services each), then claims of those patients with preventive
 * services whose frequency rules read the store, checked on one core.
 *
 *   mednec_hist_bench [--services N] [--lines N] [--db FILE]
 *                     [--claims-out FILE]
 *
 * --claims-out writes the claims as JSON Lines, for timing `mednec batch
 * --history` on the same work (bench/run.sh).
 *
 * Deterministic (fixed seed). Prints one line per measurement.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mednec.h>

static uint64_t seed = 20240101;

static uint64_t next(void)
{
    uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Preventive codes with frequency rules in the built-in packs, and a
 * diagnosis each supports. */
static const char *const codes[][2] = {
    {"G0439", "Z00.00"}, {"77067", "Z12.31"}, {"G0103", "Z12.5"},
    {"82270", "Z12.11"}, {"G0444", "Z13.31"}, {"G0442", "Z13.39"},
    {"77080", "Z78.0"},  {"99213", "I10"},
};
#define N_CODES (sizeof(codes) / sizeof(codes[0]))

static void date_text(char out[11], int y, int m, int d)
{
    snprintf(out, 11, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
}

int main(int argc, char **argv)
{
    size_t services = 1000000, lines = 200000;
    const char *db = "build-bench/history-bench.db";
    const char *claims_out = NULL;
    FILE *cj = NULL;
    size_t patients;
    mn_error err;
    mn_history *h = NULL;
    mn_kb *kb = NULL;
    mn_ctx *ctx = NULL;
    mn_claim **claims = NULL;
    size_t n_claims = 0, n_lines = 0;
    cpu_set_t set;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--services"))
            services = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--lines"))
            lines = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--db"))
            db = argv[i + 1];
        else if (!strcmp(argv[i], "--claims-out"))
            claims_out = argv[i + 1];
    }
    patients = services / 10 ? services / 10 : 1;
    CPU_ZERO(&set);
    CPU_SET((int)(sysconf(_SC_NPROCESSORS_ONLN) - 1), &set);
    sched_setaffinity(0, sizeof(set), &set);
    mn_error_clear(&err);
    unlink(db);
    if (mn_history_open(&h, db, NULL, &err) || mn_kb_open_builtin(&kb, &err) ||
        mn_ctx_new(&ctx, 0, &err)) {
        fprintf(stderr, "setup: %s\n", err.message);
        return 1;
    }

    /* the store: 10 services per patient over 2018-2023, one claim each */
    {
        size_t cap = services * 160 + 1024, len = 0;
        char *jsonl = malloc(cap);
        double t0, t1;
        mn_history_import_stats st;
        mn_history_import_options io = MN_HISTORY_IMPORT_OPTIONS_INIT;
        for (size_t p = 0; p < patients; p++) {
            for (int k = 0; k < 10; k++) {
                char d[11];
                size_t c = next() % N_CODES;
                date_text(d, 2018 + (int)(next() % 6), 1 + (int)(next() % 12),
                          1 + (int)(next() % 28));
                len += (size_t)snprintf(
                    jsonl + len, cap - len,
                    "{\"id\":\"h%zu-%d\",\"patient\":{\"id\":\"p%zu\"},"
                    "\"diagnoses\":[\"%s\"],\"lines\":[{\"code\":\"%s\","
                    "\"date\":\"%s\"}]}\n",
                    p, k, p, codes[c][1], codes[c][0], d);
            }
        }
        t0 = now();
        if (mn_history_import(h, jsonl, len, &io, &st, &err)) {
            fprintf(stderr, "import: %s\n", err.message);
            return 1;
        }
        t1 = now();
        printf("history store: %zu services of %zu patients imported in "
               "%.2f s\n",
               services, patients, t1 - t0);
        free(jsonl);
    }

    /* claims: 1-4 lines of preventive services from January to September
       2024, dates the built-in KB's code sets cover (they were dated 2026
       before the KB recorded its coverage, and every line became
       indeterminate) */
    claims = calloc(lines, sizeof(*claims));
    if (claims_out && !(cj = fopen(claims_out, "wb"))) {
        fprintf(stderr, "cannot write %s\n", claims_out);
        return 1;
    }
    while (n_lines < lines) {
        mn_claim *c = NULL;
        char pid[32], d[11];
        size_t nl = 1 + next() % 4;
        char sex;
        char dx[4][16];
        size_t line_code[4];
        size_t used = 0;
        snprintf(pid, sizeof(pid), "p%zu", (size_t)(next() % patients));
        sex = (next() & 1) ? 'F' : 'M';
        mn_claim_new(&c, NULL, &err);
        mn_claim_set_patient_id(c, pid, strlen(pid), &err);
        mn_claim_set_age(c, 70, &err);
        mn_claim_set_sex(c, sex, &err);
        mn_claim_set_jurisdiction(c, "JE", 2, &err);
        date_text(d, 2024, 1 + (int)(next() % 9), 1 + (int)(next() % 28));
        for (size_t i = 0; i < nl && n_lines < lines; i++) {
            size_t k = next() % N_CODES;
            mn_claim_add_diagnosis(c, codes[k][1], strlen(codes[k][1]), &err);
            mn_claim_add_line(c, codes[k][0], 5, 1, d, 10, &err);
            snprintf(dx[used], sizeof(dx[used]), "%s", codes[k][1]);
            line_code[used++] = k;
            n_lines++;
        }
        if (cj) {
            fprintf(cj,
                    "{\"id\":\"q%zu\",\"jurisdiction\":\"JE\",\"patient\":"
                    "{\"id\":\"%s\",\"age\":70,\"sex\":\"%c\"},"
                    "\"diagnoses\":[",
                    n_claims, pid, sex);
            for (size_t i = 0; i < used; i++)
                fprintf(cj, "%s\"%s\"", i ? "," : "", dx[i]);
            fputs("],\"lines\":[", cj);
            for (size_t i = 0; i < used; i++)
                fprintf(cj, "%s{\"code\":\"%s\",\"date\":\"%s\"}", i ? "," : "",
                        codes[line_code[i]][0], d);
            fputs("]}\n", cj);
        }
        claims[n_claims++] = c;
    }
    if (cj && fclose(cj) != 0) {
        fprintf(stderr, "cannot write %s\n", claims_out);
        return 1;
    }

    /* history-aware checks: one store lookup per claim */
    {
        mn_history_source src;
        mn_check_options co = MN_CHECK_OPTIONS_INIT;
        size_t denied = 0;
        double t0, t1;
        mn_history_source_of(&src, h);
        co.history = &src;
        for (int pass = 0; pass < 2; pass++) {
            denied = 0;
            t0 = now();
            for (size_t i = 0; i < n_claims; i++) {
                const mn_result *res = NULL;
                if (mn_check_with(&res, ctx, kb, claims[i], &co, &err)) {
                    fprintf(stderr, "check: %s\n", err.message);
                    return 1;
                }
                for (size_t l = 0; l < mn_result_line_count(res); l++) {
                    for (size_t f = 0; f < mn_result_finding_count(res, l);
                         f++) {
                        if (!strcmp(mn_result_finding_edit(res, l, f),
                                    "frequency.exceeded"))
                            denied++;
                    }
                }
            }
            t1 = now();
            printf("pass %d: %zu claims, %zu lines with the SQLite history "
                   "in %.3f s: %.0f lines/s (%zu frequency denials)\n",
                   pass + 1, n_claims, n_lines, t1 - t0,
                   (double)n_lines / (t1 - t0), denied);
        }
        {
            mn_history_memory *mem = NULL;
            mn_history_source msrc;
            size_t mdenied = 0;
            t0 = now();
            if (mn_history_memory_load(&mem, db, &err)) {
                fprintf(stderr, "memory: %s\n", err.message);
                return 1;
            }
            t1 = now();
            printf("history in memory: %zu services loaded in %.2f s\n",
                   mn_history_memory_count(mem), t1 - t0);
            mn_history_memory_source(&msrc, mem);
            co.history = &msrc;
            for (int pass = 0; pass < 2; pass++) {
                mdenied = 0;
                t0 = now();
                for (size_t i = 0; i < n_claims; i++) {
                    const mn_result *res = NULL;
                    mn_check_with(&res, ctx, kb, claims[i], &co, &err);
                    for (size_t l = 0; l < mn_result_line_count(res); l++) {
                        for (size_t f = 0; f < mn_result_finding_count(res, l);
                             f++) {
                            if (!strcmp(mn_result_finding_edit(res, l, f),
                                        "frequency.exceeded"))
                                mdenied++;
                        }
                    }
                }
                t1 = now();
                printf("pass %d: %zu lines with the history in memory: "
                       "%.0f lines/s (%zu frequency denials%s)\n",
                       pass + 1, n_lines, (double)n_lines / (t1 - t0), mdenied,
                       mdenied == denied ? ", same as SQLite"
                                         : ", DIFFERS from SQLite");
            }
            mn_history_memory_free(mem);
        }
        t0 = now();
        for (size_t i = 0; i < n_claims; i++) {
            const mn_result *res = NULL;
            mn_check(&res, ctx, kb, claims[i], &err);
        }
        t1 = now();
        printf("same claims without history: %.0f lines/s\n",
               (double)n_lines / (t1 - t0));
    }
    for (size_t i = 0; i < n_claims; i++)
        mn_claim_free(claims[i]);
    free(claims);
    mn_ctx_free(ctx);
    mn_kb_free(kb);
    mn_history_free(h);
    return 0;
}
