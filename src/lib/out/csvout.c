/*
 * out/csvout.c: a result as CSV rows, one per line (mednec/csvclaim.h),
 * read through the result API. Lists are joined with ';'; fields that
 * need it are quoted (RFC 4180).
 */
#include <string.h>

#include "mednec/claim.h"
#include "mednec/csvclaim.h"
#include "out/writer.h"

#define MAX_LIST 16

static const char header[] =
    "claim_id,line,code,date,status,abn,edits,carc,rarc,policies,"
    "diagnoses,provider,charge,units,modifiers,error\r\n";

int mn_csvclaim_write_header(mn_buf *out, mn_error *err)
{
    if (!out)
        return mn_x__err(err, MN_EINVAL, "no buffer");
    return mn_buf_append(out, header, sizeof(header) - 1);
}

/* A field, quoted when it holds a delimiter, a quote or a line break. */
static void field(mn_out *w, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        mn_x__out_puts(w, s);
        return;
    }
    MN_OUT_LIT(w, "\"");
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            MN_OUT_LIT(w, "\"\"");
        else
            mn_x__out_raw(w, p, 1);
    }
    MN_OUT_LIT(w, "\"");
}

static void add_once(const char **list, size_t *n, const char *s)
{
    if (!s || !s[0] || *n >= MAX_LIST)
        return;
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(list[i], s) == 0)
            return;
    }
    list[(*n)++] = s;
}

/* A ';'-joined list (its items never hold , " or line breaks: codes). */
static void list(mn_out *w, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            MN_OUT_LIT(w, ";");
        field(w, v[i]);
    }
}

int mn_csvclaim_write_result(mn_buf *out, const mn_result *res, mn_error *err)
{
    mn_out w;
    mn_line_info li;
    size_t n;

    if (!out || !res)
        return mn_x__err(err, MN_EINVAL, "no buffer or no result");
    mn_x__out_init(&w, out);
    n = mn_result_line_count(res);
    for (size_t l = 0; l < n && w.rc == MN_OK; l++) {
        const char *edits[MAX_LIST], *carc[MAX_LIST], *rarc[MAX_LIST],
            *cites[MAX_LIST];
        size_t ne = 0, nc = 0, nr = 0, nx = 0;
        li.version = MN_LINE_INFO_VERSION;
        if (mn_result_line(&li, res, l, err))
            return err ? err->code : MN_EINVAL;
        for (size_t f = 0; f < li.n_findings; f++) {
            mn_finding_summary fs;
            if (mn_result_finding_summary(&fs, res, l, f) != MN_OK ||
                fs.severity == MN_SEVERITY_INFO)
                continue;
            add_once(edits, &ne, fs.edit->id);
            add_once(carc, &nc, fs.carc);
            add_once(rarc, &nr, fs.rarc);
            add_once(cites, &nx, fs.citation_id);
        }
        field(&w, mn_result_id(res));
        MN_OUT_LIT(&w, ",");
        mn_x__out_int(&w, (long long)li.line);
        MN_OUT_LIT(&w, ",");
        field(&w, li.code);
        MN_OUT_LIT(&w, ",");
        field(&w, li.date);
        MN_OUT_LIT(&w, ",");
        mn_x__out_puts(&w, mn_status_name(li.status));
        MN_OUT_LIT(&w, ",");
        mn_x__out_puts(&w, mn_abn_name(li.abn));
        MN_OUT_LIT(&w, ",");
        list(&w, edits, ne);
        MN_OUT_LIT(&w, ",");
        list(&w, carc, nc);
        MN_OUT_LIT(&w, ",");
        list(&w, rarc, nr);
        MN_OUT_LIT(&w, ",");
        list(&w, cites, nx);
        MN_OUT_LIT(&w, ",");
        list(&w, li.diagnoses, li.n_diagnoses);
        MN_OUT_LIT(&w, ",");
        field(&w, li.provider);
        MN_OUT_LIT(&w, ",");
        if (li.charge != MN_NO_AMOUNT)
            mn_x__out_amount(&w, li.charge);
        MN_OUT_LIT(&w, ",");
        mn_x__out_int(&w, li.units);
        MN_OUT_LIT(&w, ",");
        list(&w, li.modifiers, li.n_modifiers);
        MN_OUT_LIT(&w, ",\r\n");
    }
    if (w.rc == MN_ELIMIT)
        return mn_x__err(err, w.rc, "result too large for the output buffer");
    if (w.rc)
        return mn_x__err(err, w.rc, "out of memory");
    return MN_OK;
}

int mn_csvclaim_write_error(mn_buf *out, const char *claim_id,
                            const char *message, mn_error *err)
{
    mn_out w;

    if (!out || !message)
        return mn_x__err(err, MN_EINVAL, "no buffer or no message");
    mn_x__out_init(&w, out);
    field(&w, claim_id);
    MN_OUT_LIT(&w, ",,,,error,,,,,,,,,,,");
    field(&w, message);
    MN_OUT_LIT(&w, "\r\n");
    if (w.rc)
        return mn_x__err(err, w.rc,
                         w.rc == MN_ELIMIT ? "too large for the output buffer"
                                           : "out of memory");
    return MN_OK;
}
