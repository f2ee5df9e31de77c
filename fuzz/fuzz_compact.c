/*
 * fuzz_compact.c: the compact code lists of the built-in KB
 * (build/load/load_compact.c) through the public build API. The input is
 * written to a file named like a compact list and built without the
 * built-in packs. Invariants: a failure leaves no bytes and sets the
 * error; a success gives a KB that opens, whose coverage records can be
 * read.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mednec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mn_build_options o = MN_BUILD_OPTIONS_INIT;
    mn_build *b = NULL;
    mn_kb *kb = NULL;
    mn_error err;
    void *bytes = NULL;
    size_t len = 0;
    FILE *f;
    char dir[64];
    char path[96];
    int rc;

    /* a scratch folder per input, gone before the next one (libFuzzer
       may end the process without running exit handlers) */
    snprintf(dir, sizeof(dir), "/tmp/mn_fuzz_compact_XXXXXX");
    if (!mkdtemp(dir))
        return 0;
    snprintf(path, sizeof(path), "%s/mednec_fuzz.txt", dir);
    f = fopen(path, "wb");
    if (!f) {
        rmdir(dir);
        return 0;
    }
    if (size && fwrite(data, 1, size, f) != size) {
        fclose(f);
        goto done;
    }
    fclose(f);
    mn_error_clear(&err);
    o.no_builtin = 1;
    o.allow_empty = 1;
    o.built = "2026-01-01";
    if (mn_build_new(&b, &o, &err) != MN_OK)
        goto done;
    if (mn_build_add_path(b, path, &err) != MN_OK)
        goto done;
    rc = mn_build_to_memory(&bytes, &len, b, &err);
    if (rc != MN_OK) {
        if (bytes || err.code != rc || !err.message[0])
            __builtin_trap();
        goto done;
    }
    /* what the builder wrote must validate and describe itself */
    if (mn_kb_open_buffer(&kb, bytes, len, 1, &err) != MN_OK)
        __builtin_trap();
    for (size_t i = 0; i < mn_kb_coverage_count(kb); i++) {
        mn_kb_coverage c;
        c.version = MN_KB_COVERAGE_VERSION;
        if (mn_kb_coverage_at(&c, kb, i, &err) != MN_OK || !c.label)
            __builtin_trap();
    }
done:
    unlink(path);
    rmdir(dir);
    mn_kb_free(kb);
    mn_kb_bytes_free(bytes);
    mn_build_free(b);
    return 0;
}
