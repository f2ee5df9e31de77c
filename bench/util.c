/*
 * util.c: timing, CPU pinning, machine description and allocation counts
 * for mednec_bench. Linux (glibc) only, like the benchmark itself.
 */
#define _GNU_SOURCE

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench.h"

/* ---- allocation counting ------------------------------------------------
 * The process's malloc family is wrapped to count calls (the library's
 * allocator, jansson's and SQLite's all end here). glibc exports the real
 * implementations as __libc_*. Not under the sanitizers, which interpose
 * malloc themselves: then no count is kept (bm_allocs_counted() is false).
 */

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define BM_NO_ALLOC_COUNT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||     \
    __has_feature(memory_sanitizer)
#define BM_NO_ALLOC_COUNT 1
#endif
#endif

#ifndef BM_NO_ALLOC_COUNT
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);

static uint64_t n_allocs;

void *malloc(size_t size)
{
    n_allocs++;
    return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
    n_allocs++;
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
    n_allocs++;
    return __libc_realloc(p, size);
}

void free(void *p)
{
    __libc_free(p);
}

uint64_t bm_allocs(void)
{
    return n_allocs;
}

bool bm_allocs_counted(void)
{
    return true;
}
#else
uint64_t bm_allocs(void)
{
    return 0;
}

bool bm_allocs_counted(void)
{
    return false;
}
#endif

/* ---- time --------------------------------------------------------------- */

uint64_t bm_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t bm_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int bm_pin_one_core(void)
{
    cpu_set_t set;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    int cpu = n > 0 ? (int)n - 1 : 0;

    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0)
        return -1;
    return cpu;
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa;
    double b = *(const double *)pb;
    return a < b ? -1 : a > b;
}

double bm_percentile(double *v, size_t n, double p)
{
    size_t i;
    if (!n)
        return 0;
    qsort(v, n, sizeof(*v), cmp_double);
    i = (size_t)((p / 100.0) * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

/* ---- files -------------------------------------------------------------- */

void bm_evict(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return;
    (void)fdatasync(fd);
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
}

uint64_t bm_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

bool bm_same_file(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb");
    FILE *fb = fopen(b, "rb");
    char ba[65536];
    char bb[65536];
    bool same = fa && fb;

    while (same) {
        size_t na = fread(ba, 1, sizeof(ba), fa);
        size_t nb = fread(bb, 1, sizeof(bb), fb);
        if (na != nb || memcmp(ba, bb, na) != 0)
            same = false;
        if (na == 0)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

bool bm_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

char *bm_join(const char *a, const char *b)
{
    size_t la = strlen(a);
    size_t lb = strlen(b);
    char *p = malloc(la + lb + 2);
    if (!p)
        return NULL;
    memcpy(p, a, la);
    p[la] = '/';
    memcpy(p + la + 1, b, lb + 1);
    return p;
}

char *bm_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0)
        goto done;
    buf = malloc((size_t)n + 1);
    if (!buf)
        goto done;
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
        goto done;
    }
    buf[n] = '\0';
    *len = (size_t)n;
done:
    fclose(f);
    return buf;
}

/* ---- machine --------------------------------------------------------------
 */

static void first_line(char *out, size_t size, const char *cmd)
{
    FILE *p = popen(cmd, "r");
    out[0] = '\0';
    if (!p)
        return;
    if (fgets(out, (int)size, p))
        out[strcspn(out, "\r\n")] = '\0';
    if (pclose(p) != 0)
        out[0] = '\0';
}

void bm_loadavg(char *out, size_t size)
{
    FILE *f = fopen("/proc/loadavg", "r");
    double a = 0;
    double b = 0;
    double c = 0;
    out[0] = '\0';
    if (!f)
        return;
    if (fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3)
        snprintf(out, size, "%.2f %.2f %.2f", a, b, c);
    fclose(f);
}

void bm_machine_get(bm_machine *m, const char *source_dir)
{
    FILE *f;
    char line[512];
    struct utsname u;
    time_t t = time(NULL);
    struct tm tm;
    char cmd[1024];
    char dirty[8];

    memset(m, 0, sizeof(*m));
    snprintf(m->cpu, sizeof(m->cpu), "unknown");
    f = fopen("/proc/cpuinfo", "r");
    if (f) {
        while (fgets(line, sizeof(line), f)) {
            if (strncmp(line, "model name", 10) == 0) {
                const char *c = strchr(line, ':');
                if (c) {
                    c++;
                    while (*c == ' ' || *c == '\t')
                        c++;
                    snprintf(m->cpu, sizeof(m->cpu), "%s", c);
                    m->cpu[strcspn(m->cpu, "\r\n")] = '\0';
                }
                break;
            }
        }
        fclose(f);
    }
    m->nproc = (int)sysconf(_SC_NPROCESSORS_ONLN);
    f = fopen("/proc/meminfo", "r");
    if (f) {
        while (fgets(line, sizeof(line), f)) {
            unsigned long long kb;
            if (sscanf(line, "MemTotal: %llu kB", &kb) == 1) {
                m->mem_gib = (double)kb / (1024.0 * 1024.0);
                break;
            }
        }
        fclose(f);
    }
    if (uname(&u) == 0)
        snprintf(m->kernel, sizeof(m->kernel), "%s %s %s", u.sysname, u.release,
                 u.machine);
#ifdef __VERSION__
    snprintf(m->compiler, sizeof(m->compiler), "%s", __VERSION__);
#endif
    snprintf(m->sqlite, sizeof(m->sqlite), "%s", sqlite3_libversion());
    bm_loadavg(m->load, sizeof(m->load));
    gmtime_r(&t, &tm);
    strftime(m->date, sizeof(m->date), "%Y-%m-%d %H:%M UTC", &tm);

    snprintf(cmd, sizeof(cmd), "git -C '%s' rev-parse --short HEAD 2>/dev/null",
             source_dir);
    first_line(m->commit, sizeof(m->commit), cmd);
    if (!m->commit[0]) {
        snprintf(m->commit, sizeof(m->commit), "uncommitted working tree");
        return;
    }
    snprintf(cmd, sizeof(cmd),
             "git -C '%s' status --porcelain "
             "2>/dev/null | head -1 | cut -c1-2",
             source_dir);
    first_line(dirty, sizeof(dirty), cmd);
    if (dirty[0])
        strncat(m->commit, " plus uncommitted changes",
                sizeof(m->commit) - strlen(m->commit) - 1);
}

/* ---- random numbers --------------------------------------------------------
 */

uint64_t bm_rnext(bm_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint32_t bm_below(bm_rng *r, uint32_t n)
{
    return (uint32_t)(((bm_rnext(r) >> 32) * (uint64_t)n) >> 32);
}
