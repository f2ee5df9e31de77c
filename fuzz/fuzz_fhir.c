/*
 * fuzz_fhir.c: the FHIR R4 Claim reader (mn_fhir_*): NDJSON streamed, or
 * one document (a Claim or a Bundle).
 *
 * The first byte picks: bits 0-3 a chunk size as in fuzz_x837.c, bit 4
 * small limits (lines of 256 bytes, documents of 1 KiB), bit 5 the one-shot
 * mn_fhir_read instead of feed/finish. Invariants: an item has a claim or
 * an error with a message, never both; strings are non-NULL; the counts
 * add up; the reader returns only MN_OK, MN_ELIMIT or MN_ENOMEM.
 */
#include <stdint.h>
#include <string.h>

#include <mednec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct seen {
    size_t claims, failed;
} seen;

static volatile size_t sink;

static int on_item(void *payload, mn_fhir_item *it)
{
    seen *s = payload;

    if (!it->claim_id || !it->patient_reference || !it->error)
        __builtin_trap();
    if (it->claim) {
        size_t n = mn_claim_line_count(it->claim);
        if (it->error->code != MN_OK)
            __builtin_trap();
        s->claims++;
        for (size_t i = 0; i < n; i++)
            sink += mn_claim_line_number(it->claim, i);
        mn_claim_free(it->claim);
        it->claim = NULL;
    } else {
        if (it->error->code == MN_OK || !it->error->message[0])
            __builtin_trap();
        s->failed++;
    }
    sink += strlen(it->claim_id) + strlen(it->patient_reference);
    return MN_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t chunks[16] = {1,   2,   3,    5,     7, 11, 13, 64,
                                      100, 257, 4096, 65536, 0, 0,  0,  0};
    mn_fhir_options o = MN_FHIR_OPTIONS_INIT;
    mn_fhir_stats st;
    mn_fhir *r = NULL;
    mn_error err;
    seen s;
    size_t chunk;
    int rc = MN_OK;

    if (size < 1)
        return 0;
    memset(&s, 0, sizeof(s));
    chunk = chunks[data[0] & 15];
    if (!chunk)
        chunk = size;
    if (data[0] & 16) {
        o.max_line = 256;
        o.max_document = 1024;
    }
    o.name = "fuzz.json";
    o.on_item = on_item;
    o.payload = &s;
    if (data[0] & 32) {
        rc = mn_fhir_read((const char *)data + 1, size - 1, &o, &err);
        if (rc != MN_OK && rc != MN_ELIMIT && rc != MN_ENOMEM)
            __builtin_trap();
        return 0;
    }
    if (mn_fhir_new(&r, &o, &err) != MN_OK)
        return 0;
    data++;
    size--;
    for (size_t off = 0; off < size && rc == MN_OK; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        rc = mn_fhir_feed(r, (const char *)data + off, n, &err);
    }
    if (rc == MN_OK)
        rc = mn_fhir_finish(r, &err);
    if (rc != MN_OK && rc != MN_ELIMIT && rc != MN_ENOMEM)
        __builtin_trap();
    mn_fhir_get_stats(&st, r);
    if (rc == MN_OK &&
        (st.claims != s.claims || st.failed != s.failed || st.bytes != size))
        __builtin_trap();
    mn_fhir_free(r);
    return 0;
}
