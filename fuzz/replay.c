/*
 * replay.c: runs a libFuzzer target over committed inputs without
 * libFuzzer, so every corpus replays under ctest with any compiler.
 *
 *     replay_<target> DIR_OR_FILE...
 *
 * Each argument is a file, or a folder whose regular files (not recursed,
 * names starting with '.' skipped) run in name order. Prints how many
 * inputs ran. Exit status: 0, or 1 when an argument cannot be read.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Runs one file; the buffer is exactly its size so that ASan sees any
 * read past the end. Returns 0, or 1 when it cannot be read. */
static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    long n = -1;
    int rc = 1;

    if (!f)
        goto done;
    if (fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0)
        goto done;
    data = malloc(n > 0 ? (size_t)n : 1);
    if (!data)
        goto done;
    if (n > 0 && fread(data, 1, (size_t)n, f) != (size_t)n)
        goto done;
    LLVMFuzzerTestOneInput(data, (size_t)n);
    rc = 0;
done:
    if (rc)
        fprintf(stderr, "replay: cannot read %s\n", path);
    free(data);
    if (f)
        fclose(f);
    return rc;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file in `dir`; adds to *ran. */
static int run_dir(const char *dir, size_t *ran)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0;
    size_t cap = 0;
    int rc = 0;

    if (!d) {
        fprintf(stderr, "replay: cannot open %s\n", dir);
        rc = 1;
    }
    e = d ? readdir(d) : NULL;
    for (; e; e = readdir(d)) {
        size_t len;
        char *path;
        struct stat st;

        if (e->d_name[0] == '.')
            continue;
        len = strlen(dir) + strlen(e->d_name) + 2;
        path = malloc(len);
        if (!path) {
            rc = 1;
            break;
        }
        snprintf(path, len, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(path);
            continue;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            char **p = realloc(names, ncap * sizeof(*names));
            if (!p) {
                free(path);
                rc = 1;
                break;
            }
            names = p;
            cap = ncap;
        }
        names[n++] = path;
    }
    if (d)
        closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), by_name);
    for (size_t i = 0; i < n; i++) {
        if (run_file(names[i]) == 0)
            (*ran)++;
        else
            rc = 1;
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    size_t ran = 0;
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            rc |= run_dir(argv[i], &ran);
        } else if (run_file(argv[i]) == 0) {
            ran++;
        } else {
            rc = 1;
        }
    }
    printf("replay: %zu inputs ran\n", ran);
    return rc;
}
