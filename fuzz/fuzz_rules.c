/*
 * fuzz_rules.c: the rule-pack language (mn_build_add_rules, compiled by
 * mn_build_to_memory without the built-in packs). A pack that compiles
 * must give a KB that opens.
 */
#include <stdint.h>
#include <string.h>

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

    mn_error_clear(&err);
    o.no_builtin = 1;
    o.built = "2026-01-01";
    if (mn_build_new(&b, &o, &err) != MN_OK)
        goto done;
    if (mn_build_add_rules(b, "fuzz.mnr", (const char *)data, size, &err) !=
        MN_OK)
        goto done;
    if (mn_build_to_memory(&bytes, &len, b, &err) != MN_OK)
        goto done;
    /* what the builder wrote must validate */
    if (mn_kb_open_buffer(&kb, bytes, len, 1, &err) != MN_OK)
        __builtin_trap();
done:
    mn_kb_free(kb);
    mn_kb_bytes_free(bytes);
    mn_build_free(b);
    return 0;
}
