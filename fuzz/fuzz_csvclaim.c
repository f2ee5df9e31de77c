/*
 * fuzz_csvclaim.c: the CSV claim reader (mn_csvclaim_*), streaming.
 *
 * The first byte picks: bits 0-3 a chunk size as in fuzz_x837.c, bit 4 a
 * tab delimiter, bit 5 rows of at most 128 bytes. Invariants: an item has
 * a claim or an error with a message, exactly one; its rows follow the
 * previous item's; the counts add up; feed and finish return MN_OK,
 * MN_EINVAL (a header that cannot be read: then nothing is read),
 * MN_ELIMIT (a row too long) or MN_ENOMEM.
 */
#include <stdint.h>
#include <string.h>

#include <mednec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct seen {
    size_t claims, failed, next_row;
} seen;

static volatile size_t sink;

static int on_item(void *payload, mn_csvclaim_item *it)
{
    seen *s = payload;

    if (!it->claim_id || (it->claim == NULL) == (it->error == NULL) ||
        it->rows == 0 || it->first_row < s->next_row)
        __builtin_trap();
    s->next_row = it->first_row + it->rows;
    if (it->claim) {
        size_t n = mn_claim_line_count(it->claim);
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
    return MN_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t chunks[16] = {1,   2,   3,    5,     7, 11, 13, 64,
                                      100, 257, 4096, 65536, 0, 0,  0,  0};
    mn_csvclaim_options o = MN_CSVCLAIM_OPTIONS_INIT;
    mn_csvclaim_stats st;
    mn_csvclaim *r = NULL;
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
    if (data[0] & 16)
        o.delimiter = '\t';
    if (data[0] & 32)
        o.max_row = 128;
    o.name = "fuzz.csv";
    o.on_item = on_item;
    o.payload = &s;
    if (mn_csvclaim_new(&r, &o, &err) != MN_OK)
        return 0;
    data++;
    size--;
    for (size_t off = 0; off < size && rc == MN_OK; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        rc = mn_csvclaim_feed(r, (const char *)data + off, n, &err);
    }
    if (rc == MN_OK)
        rc = mn_csvclaim_finish(r, &err);
    if (rc != MN_OK && rc != MN_EINVAL && rc != MN_ELIMIT && rc != MN_ENOMEM)
        __builtin_trap();
    mn_csvclaim_get_stats(&st, r);
    if (rc == MN_OK && (st.claims != s.claims || st.failed != s.failed))
        __builtin_trap();
    mn_csvclaim_free(r);
    return 0;
}
