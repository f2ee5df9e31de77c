/*
 * fuzz_claim.c: the claim JSON parser (mn_claim_parse_json).
 *
 * The first byte picks the options: bit 0 accepts unknown fields, bit 1
 * sets small limits. The rest is the document. Invariants: a parsed claim
 * has between 1 and max_lines lines; a failure leaves *out NULL and a
 * one-line message with the same code.
 */
#include <stdint.h>
#include <string.h>

#include <mednec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mn_claim_options o = MN_CLAIM_OPTIONS_INIT;
    mn_claim *c = NULL;
    mn_error err;
    size_t max_lines = 1000;
    int rc;

    if (size < 1)
        goto done;
    o.allow_unknown = data[0] & 1;
    if (data[0] & 2) {
        o.max_input = 512;
        o.max_lines = 3;
        o.max_diagnoses = 2;
        o.max_history = 2;
        o.max_string = 8;
        max_lines = 3;
    }
    rc = mn_claim_parse_json(&c, (const char *)data + 1, size - 1, &o, &err);
    if (rc == MN_OK) {
        size_t n = mn_claim_line_count(c);
        if (!c || n < 1 || n > max_lines)
            __builtin_trap();
    } else {
        if (c || err.code != rc || !err.message[0] ||
            strchr(err.message, '\n') || strchr(err.where, '\n'))
            __builtin_trap();
        if (rc != MN_EINVAL && rc != MN_ELIMIT && rc != MN_ENOMEM)
            __builtin_trap();
    }
done:
    mn_claim_free(c);
    return 0;
}
