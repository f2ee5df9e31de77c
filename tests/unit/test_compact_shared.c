/*
 * test_compact_shared.c: the compact code lists of data/builtin are what
 * tools/gen_builtin_codes.py writes from the official files in
 * ../shared/data, byte for byte (the generator is reproducible and the
 * committed lists are up to date). Skips (77) without python3 or without
 * the shared data.
 */
#define _POSIX_C_SOURCE 200809L

#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static char tmp[] = "/tmp/mn_gen_XXXXXX";

static void same(const char *name)
{
    char a[600];
    char b[600];
    size_t la = 0;
    size_t lb = 0;
    char *x;
    char *y;

    snprintf(a, sizeof(a), "%s/data/builtin/%s", MN_SOURCE_DIR, name);
    snprintf(b, sizeof(b), "%s/%s", tmp, name);
    x = mn_t_slurp(a, &la);
    y = mn_t_slurp(b, &lb);
    CHECK(x && y);
    if (x && y) {
        CHECK_INT(la, lb);
        CHECK(la == lb && memcmp(x, y, la) == 0);
        if (la != lb || memcmp(x, y, la) != 0)
            fprintf(stderr,
                    "%s differs from what the generator writes: run "
                    "python3 tools/gen_builtin_codes.py\n",
                    name);
    }
    free(x);
    free(y);
}

int main(void)
{
    char cmd[1200];
    struct stat st;

    if (system("command -v python3 >/dev/null 2>&1") != 0) {
        fprintf(stderr, "python3 not found: skipped\n");
        return MN_SKIP;
    }
    if (stat(MN_SHARED_DATA "/icd10cm", &st) != 0 ||
        stat(MN_SHARED_DATA "/hcpcs", &st) != 0) {
        fprintf(stderr, "%s not found: skipped\n", MN_SHARED_DATA);
        return MN_SKIP;
    }
    if (!mkdtemp(tmp))
        return 1;
    snprintf(cmd, sizeof(cmd), "python3 %s/tools/gen_builtin_codes.py %s %s",
             MN_SOURCE_DIR, MN_SHARED_DATA, tmp);
    CHECK_INT(system(cmd), 0);
    same("mednec_icd10cm_codes.txt");
    same("mednec_hcpcs_codes.txt");
    same("mednec_hcpcs_modifiers.txt");
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmp);
    DONE();
}
