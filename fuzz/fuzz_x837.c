/*
 * fuzz_x837.c: the X12 837 reader (mn_x837_*), streaming.
 *
 * The first byte picks how the rest is fed: bits 0-3 a chunk size (1, 2,
 * 3, 5, 7, 11, 64, 4096 bytes... or all at once), bit 4 small limits
 * (segment 64 bytes, 8 elements, 40 segments a set), bit 5 stop after
 * the first claim (the callback's code comes back). Every claim handed
 * out is read through the claim API and freed. Invariants: an item has a
 * claim or an error, never both; every issue formats into a NUL-terminated
 * line; the counts add up (claims handed out, errors and warnings seen);
 * a callback's code stops the reader and comes back unchanged.
 */
#include <stdint.h>
#include <string.h>

#include <mednec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct seen {
    size_t claims, items, errors, warnings, lines;
    int stop;
} seen;

static int on_item(void *payload, mn_x837_item *it)
{
    seen *s = payload;
    volatile size_t sum = 0;

    s->items++;
    if ((it->claim == NULL) == (it->error == NULL))
        __builtin_trap();
    if (!it->claim_id || !it->interchange || !it->transaction)
        __builtin_trap();
    if (it->claim) {
        size_t n = mn_claim_line_count(it->claim);
        s->claims++;
        s->lines += n;
        for (size_t i = 0; i < n; i++) {
            const char *prov = mn_claim_line_provider(it->claim, i);
            sum += mn_claim_line_number(it->claim, i);
            sum += prov ? strlen(prov) : 0;
        }
        /* the item's id is the claim's, made one line and short */
        if (mn_claim_get_id(it->claim)) {
            const char *id = mn_claim_get_id(it->claim);
            size_t k = 0;
            for (; id[k] && it->claim_id[k]; k++) {
                if (id[k] != it->claim_id[k] &&
                    !(((unsigned char)id[k] < 0x20 || id[k] == 0x7f) &&
                      it->claim_id[k] == '?'))
                    __builtin_trap();
            }
            /* (the claim's id ends at a NUL that CLM01 may hold) */
            if (strlen(it->claim_id) > 63 || (id[k] && k < 63))
                __builtin_trap();
        }
        mn_claim_free(it->claim);
        it->claim = NULL;
    } else if (!it->error->message || !it->error->message[0]) {
        __builtin_trap();
    }
    (void)sum;
    return s->stop && s->claims ? 12345 : MN_OK;
}

static void on_issue(void *payload, const mn_x12_issue *is)
{
    seen *s = payload;
    char line[160];

    if (is->severity == MN_X12_ERROR)
        s->errors++;
    else
        s->warnings++;
    mn_x12_issue_format(line, sizeof(line), is);
    if (strlen(line) >= sizeof(line) || !is->message || !is->file ||
        !is->segment_id || !is->loop)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t chunks[16] = {1,   2,   3,    5,     7, 11, 13, 64,
                                      100, 257, 4096, 65536, 0, 0,  0,  0};
    mn_x837_options o = MN_X837_OPTIONS_INIT;
    mn_x837_stats st;
    mn_x837 *r = NULL;
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
        o.max_segment = 64;
        o.max_elements = 8;
        o.max_set_segments = 40;
    }
    s.stop = (data[0] >> 5) & 1;
    o.name = "fuzz.837";
    o.on_item = on_item;
    o.on_issue = on_issue;
    o.payload = &s;
    if (mn_x837_new(&r, &o, &err) != MN_OK)
        return 0;
    data++;
    size--;
    for (size_t off = 0; off < size && rc == MN_OK; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        rc = mn_x837_feed(r, (const char *)data + off, n, &err);
    }
    if (rc == MN_OK)
        rc = mn_x837_finish(r, &err);
    if (rc != MN_OK && rc != 12345 && rc != MN_ENOMEM)
        __builtin_trap();
    if (rc == 12345 && (!s.stop || !s.claims))
        __builtin_trap();
    mn_x837_get_stats(&st, r);
    if (rc == MN_OK && (st.claims != s.claims || st.lines != s.lines ||
                        st.errors != s.errors || st.warnings != s.warnings ||
                        st.bytes != size))
        __builtin_trap();
    mn_x837_free(r);
    return 0;
}
