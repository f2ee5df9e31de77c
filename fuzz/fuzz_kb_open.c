/*
 * fuzz_kb_open.c: knowledge base validation (mn_kb_open_buffer).
 *
 * The whole input is a KB image. Invariants: a failure leaves *out NULL
 * with a message; a success yields stats, a version, a build stamp and
 * coverage records that can be read, an info rendering, and a diff with
 * itself that finds nothing.
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
        /* what a valid KB says about itself never fails but for memory */
        for (size_t i = 0; i < mn_kb_coverage_count(kb); i++) {
            mn_kb_coverage c;
            c.version = MN_KB_COVERAGE_VERSION;
            if (mn_kb_coverage_at(&c, kb, i, &err) != MN_OK)
                __builtin_trap();
            sink += strlen(c.label) + strlen(c.sources);
        }
        {
            mn_buf *buf = NULL;
            mn_kb_diff_summary d;
            if (mn_buf_new(&buf, 0) == MN_OK) {
                rc = mn_kb_info_render(buf, kb, NULL, MN_FORMAT_JSON, &err);
                if (rc == MN_OK)
                    rc = mn_kb_info_render(buf, kb, NULL, MN_FORMAT_TEXT, &err);
                if (rc == MN_OK)
                    rc =
                        mn_kb_diff(&d, buf, kb, kb, NULL, MN_FORMAT_JSON, &err);
                if (rc != MN_OK && rc != MN_ENOMEM && rc != MN_ELIMIT)
                    __builtin_trap();
                if (rc == MN_OK && (d.icd_added || d.ptp_added ||
                                    d.policies_revised || d.mue_changed))
                    __builtin_trap(); /* a KB equals itself */
                mn_buf_free(buf);
            }
        }
        mn_kb_free(kb);
    }
    (void)sink;
    return 0;
}
