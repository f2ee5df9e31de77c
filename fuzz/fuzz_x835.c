/*
 * fuzz_x835.c: the X12 835 reader (mn_x835_*), streaming.
 *
 * The first byte picks the feeding as in fuzz_x837.c (bits 0-3 a chunk
 * size, bit 4 small limits: segment 64 bytes, 8 elements, 3 services a
 * claim payment; bit 5 stop after the first claim payment). Every field
 * of every claim payment, service and adjustment handed out is read.
 * Invariants: strings are non-NULL and NUL-terminated, counts are within
 * the limits, amounts are MN_X835_NO_AMOUNT or sane, group codes and
 * CARCs fit their arrays, the counts add up, a callback's code comes back
 * unchanged.
 */
#include <stdint.h>
#include <string.h>

#include <mednec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct seen {
    size_t claims, services, errors, warnings, max_services;
    int stop;
} seen;

static volatile size_t sink;

static void str(const char *s)
{
    if (!s)
        __builtin_trap();
    sink += strlen(s);
}

static void adjustments(const mn_x835_adjustment *a, size_t n)
{
    if (n && !a)
        __builtin_trap();
    for (size_t i = 0; i < n; i++) {
        if (strlen(a[i].group) > 2 || strlen(a[i].carc) > 5 ||
            strlen(a[i].quantity) > 15 || a[i].triple < 1 || a[i].triple > 6)
            __builtin_trap();
        sink += (size_t)(a[i].amount & 0xff);
    }
}

static void remarks(const char *const *r, size_t n)
{
    if (n && !r)
        __builtin_trap();
    for (size_t i = 0; i < n; i++)
        str(r[i]);
}

static int on_claim(void *payload, const mn_x835_claim *c)
{
    seen *s = payload;

    s->claims++;
    s->services += c->n_services;
    if (c->n_services > s->max_services)
        __builtin_trap();
    str(c->claim_id);
    str(c->status);
    str(c->filing);
    str(c->payer_claim_number);
    str(c->facility);
    str(c->frequency);
    str(c->patient_last);
    str(c->patient_first);
    str(c->patient_id);
    str(c->rendering_npi);
    str(c->statement_start);
    str(c->statement_end);
    str(c->policy);
    str(c->payer);
    str(c->payee);
    str(c->payee_npi);
    str(c->payment_date);
    str(c->trace_number);
    str(c->interchange);
    str(c->transaction);
    adjustments(c->adjustments, c->n_adjustments);
    remarks(c->remarks, c->n_remarks);
    for (size_t i = 0; i < c->n_services; i++) {
        const mn_x835_service *v = &c->services[i];
        if (v->n_modifiers > 4)
            __builtin_trap();
        str(v->qualifier);
        str(v->code);
        for (size_t k = 0; k < v->n_modifiers; k++)
            str(v->modifiers[k]);
        str(v->revenue_code);
        str(v->units_paid);
        str(v->units_billed);
        str(v->billed_code);
        str(v->date_start);
        str(v->date_end);
        str(v->control_number);
        str(v->policy);
        adjustments(v->adjustments, v->n_adjustments);
        remarks(v->remarks, v->n_remarks);
        sink += (size_t)(v->charge & 0xff) + (size_t)(v->paid & 0xff) +
                (size_t)(v->allowed & 0xff);
    }
    return s->stop ? 4242 : MN_OK;
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
    if (strlen(line) >= sizeof(line) || !is->message || !is->claim_id)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t chunks[16] = {1,   2,   3,    5,     7, 11, 13, 64,
                                      100, 257, 4096, 65536, 0, 0,  0,  0};
    mn_x835_options o = MN_X835_OPTIONS_INIT;
    mn_x835_stats st;
    mn_x835 *r = NULL;
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
    s.max_services = 10000;
    if (data[0] & 16) {
        o.max_segment = 64;
        o.max_elements = 8;
        o.max_services = 3;
        s.max_services = 3;
    }
    s.stop = (data[0] >> 5) & 1;
    o.name = "fuzz.835";
    o.on_claim = on_claim;
    o.on_issue = on_issue;
    o.payload = &s;
    if (mn_x835_new(&r, &o, &err) != MN_OK)
        return 0;
    data++;
    size--;
    for (size_t off = 0; off < size && rc == MN_OK; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        rc = mn_x835_feed(r, (const char *)data + off, n, &err);
    }
    if (rc == MN_OK)
        rc = mn_x835_finish(r, &err);
    if (rc != MN_OK && rc != 4242 && rc != MN_ENOMEM)
        __builtin_trap();
    if (rc == 4242 && (!s.stop || s.claims != 1))
        __builtin_trap();
    mn_x835_get_stats(&st, r);
    if (rc == MN_OK && (st.claims != s.claims || st.services != s.services ||
                        st.errors != s.errors || st.warnings != s.warnings ||
                        st.bytes != size))
        __builtin_trap();
    mn_x835_free(r);
    return 0;
}
