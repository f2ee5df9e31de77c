/*
 * x12_bench.c: how fast the 837 reader turns X12 into claims (issue 9):
 * the file is read into memory first (so the disk is not measured), then
 * fed to mn_x837 in 1 MiB chunks, on one pinned core, and every claim is
 * freed as it comes. Passes repeat for at least --min-time seconds; the
 * median pass is reported in MB/s (10^6 bytes) with claims and lines per
 * second.
 *
 *   mednec_x12_bench [--min-time S] FILE.837
 *
 * Make the file with tools/gen_claims (bench/interchange/run.sh).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mednec.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU time of the process: on a shared machine, what one core spent. */
static double cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int on_item(void *payload, mn_x837_item *it)
{
    size_t *failed = payload;
    if (it->claim)
        mn_claim_free(it->claim);
    else
        (*failed)++;
    return MN_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    double min_time = 3.0;
    double times[1000];
    double cpus[1000];
    size_t passes = 0;
    FILE *f;
    char *data;
    long size;
    mn_x837_stats st;
    size_t failed = 0;
    double start;
    cpu_set_t set;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--min-time") == 0 && i + 1 < argc)
            min_time = strtod(argv[++i], NULL);
        else
            path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: mednec_x12_bench [--min-time S] FILE.837\n");
        return 2;
    }
    CPU_ZERO(&set);
    CPU_SET((int)sysconf(_SC_NPROCESSORS_ONLN) - 1, &set);
    if (sched_setaffinity(0, sizeof(set), &set))
        perror("sched_setaffinity");
    f = fopen(path, "rb");
    if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) <= 0 ||
        fseek(f, 0, SEEK_SET)) {
        perror(path);
        return 1;
    }
    data = malloc((size_t)size);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
        perror(path);
        return 1;
    }
    fclose(f);
    start = now();
    while (passes < 1000 && (passes < 3 || now() - start < min_time)) {
        mn_x837 *r = NULL;
        mn_x837_options o = MN_X837_OPTIONS_INIT;
        mn_error err;
        double t0, c0;
        o.on_item = on_item;
        o.payload = &failed;
        o.name = "bench";
        failed = 0;
        t0 = now();
        c0 = cpu();
        if (mn_x837_new(&r, &o, &err)) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
        for (long off = 0; off < size; off += 1 << 20) {
            size_t n =
                (size_t)(size - off < (1 << 20) ? size - off : (1 << 20));
            if (mn_x837_feed(r, data + off, n, &err)) {
                fprintf(stderr, "%s\n", err.message);
                return 1;
            }
        }
        if (mn_x837_finish(r, &err)) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
        cpus[passes] = cpu() - c0;
        times[passes++] = now() - t0;
        mn_x837_get_stats(&st, r);
        mn_x837_free(r);
    }
    qsort(times, passes, sizeof(times[0]), cmp_double);
    qsort(cpus, passes, sizeof(cpus[0]), cmp_double);
    {
        double med = times[passes / 2];
        double cmed = cpus[passes / 2];
        printf("x837 read: %ld bytes, %zu segments, %zu claims (%zu not "
               "read), %zu lines, %zu errors, %zu warnings\n",
               size, st.segments, st.claims, failed, st.lines, st.errors,
               st.warnings);
        printf("x837 read: %zu passes, median %.3f s, best %.3f s: %.1f MB/s "
               "(best %.1f), %.0f claims/s, %.0f lines/s\n",
               passes, med, times[0], (double)size / med / 1e6,
               (double)size / times[0] / 1e6, (double)st.claims / med,
               (double)st.lines / med);
        printf("x837 read: CPU time median %.3f s: %.1f MB/s per CPU second, "
               "%.0f lines per CPU second\n",
               cmed, (double)size / cmed / 1e6, (double)st.lines / cmed);
    }
    free(data);
    return 0;
}
