/*
 * fuzz_template.c: a user's letter template (the section-file parser and
 * the template language of mn_letter_new) over a fixed result and fixed
 * facts, then the Markdown, text and HTML renderers on what it makes.
 *
 * Invariants: a failure leaves *out NULL with a one-line message; a
 * letter renders in every format but PDF (kept out for speed).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mednec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char claim_json[] =
    "{\"claim_type\":\"dme\",\"patient\":{\"id\":\"p\",\"birth_date\":"
    "\"1950-01-20\",\"sex\":\"M\"},\"diagnoses\":[\"G47.33\"],\"lines\":["
    "{\"code\":\"E0601\",\"date\":\"2025-04-02\"}]}";

static const char facts_json[] =
    "{\"patient\":{\"name\":\"A B\",\"birth_date\":\"1950-01-20\","
    "\"medicare_id\":\"1EG4TE5MK73\"},\"prescriber\":{\"name\":\"C D\","
    "\"credentials\":\"MD\",\"npi\":\"1234567893\",\"phone\":\"555-0100\"},"
    "\"history\":\"h\",\"test_results\":[{\"date\":\"2025-01-01\","
    "\"test\":\"t\",\"result\":\"r\"}],\"prior_treatments\":[{\"treatment\":"
    "\"x\",\"start\":\"2024-01-01\",\"outcome\":\"o\"}],"
    "\"face_to_face_date\":\"2025-02-01\",\"order_date\":\"2025-03-01\","
    "\"evidence\":[\"e\"],\"documents\":[\"d\"]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static mn_kb *kb;
    static mn_ctx *ctx;
    static mn_claim *claim;
    static mn_docdata *dd;
    static mn_facts *facts;
    static const mn_result *res;
    mn_letter_options o = MN_LETTER_OPTIONS_INIT;
    mn_doc *doc = NULL;
    mn_buf *buf = NULL;
    mn_error err;
    int rc;

    if (!res) {
        if (mn_kb_open_builtin(&kb, NULL) || mn_ctx_new(&ctx, 0, NULL) ||
            mn_claim_parse_json(&claim, claim_json, sizeof(claim_json) - 1,
                                NULL, NULL) ||
            mn_check(&res, ctx, kb, claim, NULL) ||
            mn_docdata_open(&dd, NULL, NULL) ||
            mn_facts_parse_json(&facts, facts_json, sizeof(facts_json) - 1,
                                NULL))
            abort();
    }
    o.template_text = (const char *)data;
    o.template_len = size;
    o.template_name = "fuzz";
    o.date = "2025-03-25";
    rc = mn_letter_new(&doc, dd, res, facts, &o, &err);
    if (rc != MN_OK) {
        if (doc || err.code != rc || !err.message[0] ||
            strchr(err.message, '\n'))
            __builtin_trap();
        return 0;
    }
    if (mn_buf_new(&buf, 0) ||
        mn_doc_render(buf, doc, MN_DOC_MARKDOWN, NULL, &err) ||
        mn_doc_render(buf, doc, MN_DOC_TEXT, NULL, &err) ||
        mn_doc_render(buf, doc, MN_DOC_HTML, NULL, &err))
        __builtin_trap();
    mn_buf_free(buf);
    mn_doc_free(doc);
    return 0;
}
