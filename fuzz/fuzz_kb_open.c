/*
 * fuzz_kb_open.c: knowledge base validation (mn_kb_open_buffer).
 *
 * The whole input is a KB image. Invariants: a failure leaves *out NULL
 * with a message; a success yields stats, a version and a build stamp
 * that can be read.
 */
#include <stdint.h>
#include <string.h>

#include <mednec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mn_kb *kb = (mn_kb *)&kb;
    mn_kb_stats st;
    mn_error err;
    volatile size_t sink = 0;
    int rc;

    rc = mn_kb_open_buffer(&kb, data, size, 1, &err);
    if (rc != MN_OK && (kb != NULL || err.code != rc))
        __builtin_trap();
    if (rc == MN_OK) {
        memset(&st, 0, sizeof(st));
        st.version = MN_KB_STATS_VERSION;
        mn_kb_get_stats(&st, kb);
        sink += st.bytes + st.icd_codes + st.policies + st.rules;
        sink += strlen(mn_kb_version(kb)) + strlen(mn_kb_built(kb));
        mn_kb_free(kb);
    }
    (void)sink;
    return 0;
}
