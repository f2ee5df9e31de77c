/*
 * fuzz_facts.c: the facts file parser (mn_facts_parse_json), and what the
 * document builders read from it: an ABN is filled from the facts on a
 * fixed result (the built-in KB) and rendered as HTML and text.
 *
 * Invariants: a failure leaves *out NULL and a one-line message with the
 * same code; an ABN made from parsed facts renders.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mednec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char claim_json[] =
    "{\"patient\":{\"id\":\"p\",\"birth_date\":\"1952-08-14\",\"sex\":\"F\"},"
    "\"diagnoses\":[\"Z00.00\"],\"lines\":[{\"code\":\"G0439\",\"date\":"
    "\"2025-03-02\"}],\"history\":[{\"code\":\"G0439\",\"date\":"
    "\"2024-06-10\"}]}";

/* The fixed result, made once (the objects live for the process). */
static const mn_result *result(mn_docdata **dd)
{
    static mn_kb *kb;
    static mn_ctx *ctx;
    static mn_claim *claim;
    static mn_docdata *data;
    static const mn_result *res;

    if (!res) {
        if (mn_kb_open_builtin(&kb, NULL) || mn_ctx_new(&ctx, 0, NULL) ||
            mn_claim_parse_json(&claim, claim_json, sizeof(claim_json) - 1,
                                NULL, NULL) ||
            mn_check(&res, ctx, kb, claim, NULL) ||
            mn_docdata_open(&data, NULL, NULL))
            abort();
    }
    *dd = data;
    return res;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mn_facts *f = NULL;
    mn_doc *doc = NULL;
    mn_buf *buf = NULL;
    mn_docdata *dd;
    const mn_result *res = result(&dd);
    mn_abn_options o = MN_ABN_OPTIONS_INIT;
    mn_error err;
    int rc;

    rc = mn_facts_parse_json(&f, (const char *)data, size, &err);
    if (rc != MN_OK) {
        if (f || err.code != rc || !err.message[0] ||
            strchr(err.message, '\n') || strchr(err.where, '\n'))
            __builtin_trap();
        goto done;
    }
    /* a cost for the line, so that the facts decide the rest */
    {
        mn_doc_item it = {"G0439", NULL, 1000};
        o.items = &it;
        o.n_items = 1;
        rc = mn_abn_new(&doc, dd, res, NULL, f, &o, &err);
    }
    if (rc == MN_OK) {
        if (mn_buf_new(&buf, 0) ||
            mn_doc_render(buf, doc, MN_DOC_HTML, NULL, &err) ||
            mn_doc_render(buf, doc, MN_DOC_TEXT, NULL, &err))
            __builtin_trap();
    } else if (doc || strchr(err.message, '\n')) {
        __builtin_trap();
    }
done:
    mn_buf_free(buf);
    mn_doc_free(doc);
    mn_facts_free(f);
    return 0;
}
