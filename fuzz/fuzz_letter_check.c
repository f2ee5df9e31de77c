/*
 * fuzz_letter_check.c: the completeness check of a letter
 * (mn_letter_check) on text, Markdown and HTML: the text extraction (tag
 * stripping, entities, Markdown marks), the patterns and the face-to-face
 * timing. PDF input is left out: its text comes from poppler.
 *
 * The first byte picks the kind (none, "dme", "general"). Invariants: a
 * failure leaves *out NULL with a one-line message; a result has every
 * found element on a line from 1, and renders as JSON and text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mednec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static mn_docdata *dd;
    static const char *const kinds[] = {NULL, "dme", "general"};
    mn_lcheck_options o = MN_LCHECK_OPTIONS_INIT;
    mn_lcheck *c = NULL;
    mn_buf *buf = NULL;
    mn_error err;
    int rc;

    if (!dd && mn_docdata_open(&dd, NULL, NULL))
        abort();
    if (size < 1 || (size >= 6 && !memcmp(data + 1, "%PDF-", 5)))
        return 0;
    o.kind = kinds[data[0] % 3];
    rc = mn_letter_check(&c, dd, data + 1, size - 1, &o, &err);
    if (rc != MN_OK) {
        if (c || err.code != rc || !err.message[0] || strchr(err.message, '\n'))
            __builtin_trap();
        return 0;
    }
    for (size_t i = 0; i < mn_lcheck_count(c); i++) {
        mn_lcheck_element e;
        e.version = MN_LCHECK_ELEMENT_VERSION;
        if (mn_lcheck_element_at(&e, c, i, NULL) ||
            (e.found && (e.line < 1 || !e.excerpt)) || (!e.found && e.line))
            __builtin_trap();
    }
    if (mn_lcheck_missing(c) > mn_lcheck_count(c) || mn_buf_new(&buf, 0) ||
        mn_lcheck_render(buf, c, MN_FORMAT_JSON, NULL) ||
        mn_lcheck_render(buf, c, MN_FORMAT_TEXT, NULL))
        __builtin_trap();
    mn_buf_free(buf);
    mn_lcheck_free(c);
    return 0;
}
