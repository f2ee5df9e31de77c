/*
 * harness.h: the in-tree test macros. Each failed check prints the file,
 * the line and both values, and the test exits 1 at the end.
 */
#ifndef MN_HARNESS_H
#define MN_HARNESS_H

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int mn_t_failures;
static int mn_t_checks;

#define CHECK(cond)                                                            \
    do {                                                                       \
        mn_t_checks++;                                                         \
        if (!(cond)) {                                                         \
            mn_t_failures++;                                                   \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
        }                                                                      \
    } while (0)

#define CHECK_INT(a, b)                                                        \
    do {                                                                       \
        long long mn_a = (long long)(a);                                       \
        long long mn_b = (long long)(b);                                       \
        mn_t_checks++;                                                         \
        if (mn_a != mn_b) {                                                    \
            mn_t_failures++;                                                   \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n",          \
                    __FILE__, __LINE__, #a, #b, mn_a, mn_b);                   \
        }                                                                      \
    } while (0)

#define CHECK_STR(a, b)                                                        \
    do {                                                                       \
        const char *mn_a = (a);                                                \
        const char *mn_b = (b);                                                \
        mn_t_checks++;                                                         \
        if (!mn_a || !mn_b || strcmp(mn_a, mn_b) != 0) {                       \
            mn_t_failures++;                                                   \
            fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n",      \
                    __FILE__, __LINE__, #a, #b, mn_a ? mn_a : "(null)",        \
                    mn_b ? mn_b : "(null)");                                   \
        }                                                                      \
    } while (0)

#define CHECK_CONTAINS(hay, needle)                                            \
    do {                                                                       \
        const char *mn_h = (hay);                                              \
        const char *mn_n = (needle);                                           \
        mn_t_checks++;                                                         \
        if (!mn_h || !strstr(mn_h, mn_n)) {                                    \
            mn_t_failures++;                                                   \
            fprintf(stderr, "%s:%d: \"%s\" not found in: %.400s\n", __FILE__,  \
                    __LINE__, mn_n, mn_h ? mn_h : "(null)");                   \
        }                                                                      \
    } while (0)

/* Runs a test function and reports its name. */
#define RUN(fn)                                                                \
    do {                                                                       \
        int mn_before = mn_t_failures;                                         \
        fn();                                                                  \
        fprintf(stderr, "%s %s\n",                                             \
                mn_t_failures == mn_before ? "ok  " : "FAIL", #fn);            \
    } while (0)

#define DONE()                                                                 \
    do {                                                                       \
        fprintf(stderr, "%d checks, %d failed\n", mn_t_checks, mn_t_failures); \
        return mn_t_failures ? 1 : 0;                                          \
    } while (0)

/* Exit code ctest treats as "skipped". */
#define MN_SKIP 77

/* Reads a whole file; caller frees. NULL when missing. */
static inline char *mn_t_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0) {
        p = malloc((size_t)n + 1);
        if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
            free(p);
            p = NULL;
        }
        if (p) {
            p[n] = '\0';
            if (len)
                *len = (size_t)n;
        }
    }
    fclose(f);
    return p;
}

/* 1 when the file at `path` holds exactly `text`. */
static inline int mn_t_file_is(const char *path, const char *text)
{
    char *got = mn_t_slurp(path, NULL);
    int same = got && strcmp(got, text) == 0;
    free(got);
    return same;
}

/* How many entries of the folder `dir` have a name starting with
 * `prefix` (temporary files left behind, side files made). */
static inline int mn_t_count_prefix(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    for (e = d ? readdir(d) : NULL; e; e = readdir(d))
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    if (d)
        closedir(d);
    return n;
}

#endif
