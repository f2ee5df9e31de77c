/*
 * check/result.c: the result API (mednec/result.h): a result's lines and
 * findings as values. Everything handed out is borrowed from the result
 * (the context's arena) or from the KB.
 */
#include <string.h>

#include "check/check.h"
#include "kb/kb_int.h"

const char *mn_result_id(const mn_result *res)
{
    return res ? res->id : NULL;
}

const mn_kb *mn_result_kb(const mn_result *res)
{
    return res ? res->kb : NULL;
}

mn_status mn_result_status(const mn_result *res)
{
    return res ? res->status : MN_STATUS_INVALID;
}

size_t mn_result_line_count(const mn_result *res)
{
    return res ? res->n_lines : 0;
}

mn_status mn_result_line_status(const mn_result *res, size_t line)
{
    return res && line < res->n_lines ? res->lines[line].status
                                      : MN_STATUS_INVALID;
}

size_t mn_result_finding_count(const mn_result *res, size_t line)
{
    return res && line < res->n_lines ? res->lines[line].n_findings : 0;
}

const char *mn_result_finding_edit(const mn_result *res, size_t line,
                                   size_t finding)
{
    if (!res || line >= res->n_lines || finding >= res->lines[line].n_findings)
        return NULL;
    return res->lines[line].findings[finding].edit->id;
}

size_t mn_x__citation_url(char *out, size_t size, const char *kind,
                          const char *id, int version)
{
    static const char base[] =
        "https://www.cms.gov/medicare-coverage-database/view/";
    const char *page = NULL;
    const char *param = NULL;
    size_t n = 0;
    size_t idl;
    char ver[16];
    size_t vl = 0;

    if (size)
        out[0] = '\0';
    if (!kind || !id)
        return 0;
    if (strcmp(kind, "article") == 0 && id[0] == 'A') {
        page = "article.aspx?articleid=";
        param = "&ver=";
    } else if (strcmp(kind, "lcd") == 0 && id[0] == 'L') {
        page = "lcd.aspx?lcdid=";
        param = "&ver=";
    } else {
        return 0;
    }
    idl = strlen(id + 1);
    if (idl == 0 || idl > 8)
        return 0;
    for (size_t i = 1; id[i]; i++) {
        if (!mn_x__isdigit((unsigned char)id[i]))
            return 0;
    }
    if (version > 0) {
        char rev[16];
        unsigned v = (unsigned)version;
        size_t k = 0;
        while (v && k < sizeof(rev)) {
            rev[k++] = (char)('0' + v % 10);
            v /= 10;
        }
        while (k)
            ver[vl++] = rev[--k];
    }
    n = sizeof(base) - 1 + strlen(page) + idl + (vl ? strlen(param) + vl : 0);
    if (n + 1 > size)
        return 0;
    memcpy(out, base, sizeof(base) - 1);
    n = sizeof(base) - 1;
    memcpy(out + n, page, strlen(page));
    n += strlen(page);
    memcpy(out + n, id + 1, idl);
    n += idl;
    if (vl) {
        memcpy(out + n, param, strlen(param));
        n += strlen(param);
        memcpy(out + n, ver, vl);
        n += vl;
    }
    out[n] = '\0';
    return n;
}

int mn_result_line(mn_line_info *out, const mn_result *res, size_t line,
                   mn_error *err)
{
    const mn_line_result *lr;

    if (!out || !res)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    if (out->version < 1 || out->version > MN_LINE_INFO_VERSION)
        return mn_x__err(err, MN_EINVAL, "unknown mn_line_info version %u",
                         out->version);
    if (line >= res->n_lines)
        return mn_x__err(err, MN_EINVAL, "no line %zu (the result has %zu)",
                         line, res->n_lines);
    lr = &res->lines[line];
    out->line = lr->line;
    memcpy(out->code_buf, lr->code, sizeof(lr->code));
    out->code_buf[sizeof(lr->code)] = '\0';
    out->code = out->code_buf;
    mn_x__format_date(out->date_buf, lr->date);
    out->date = out->date_buf[0] ? out->date_buf : NULL;
    out->n_modifiers = lr->n_mods;
    for (size_t m = 0; m < lr->n_mods; m++) {
        memcpy(out->mod_buf[m], lr->mods[m], 2);
        out->mod_buf[m][2] = '\0';
        out->mod_ptr[m] = out->mod_buf[m];
    }
    out->modifiers = out->mod_ptr;
    out->n_diagnoses = 0;
    if (lr->n_ptr) {
        for (size_t p = 0; p < lr->n_ptr; p++) {
            unsigned ix = lr->ptr[p];
            if (ix >= 1 && ix <= res->n_dx)
                out->dx_ptr[out->n_diagnoses++] = res->dx[ix - 1].text;
        }
    } else {
        for (size_t d = 0; d < res->n_dx && d < MN_LINE_DX_MAX; d++)
            out->dx_ptr[out->n_diagnoses++] = res->dx[d].text;
    }
    out->diagnoses = out->dx_ptr;
    out->status = lr->status;
    out->abn = lr->abn;
    out->abn_reason = lr->abn_reason;
    out->n_suggested = lr->n_suggested;
    out->suggested_modifiers = lr->suggested;
    out->n_findings = lr->n_findings;
    mn_x__format_date(out->payable_buf, lr->payable_again);
    out->payable_again = out->payable_buf[0] ? out->payable_buf : NULL;
    if (out->version >= 2) {
        out->provider = lr->provider;
        out->charge = lr->charge;
        out->units = lr->units;
        memcpy(out->revenue_buf, lr->revenue, sizeof(out->revenue_buf));
        out->revenue_buf[4] = '\0';
        out->revenue_code = out->revenue_buf[0] ? out->revenue_buf : NULL;
    }
    return MN_OK;
}

int mn_result_finding(mn_finding_info *out, const mn_result *res, size_t line,
                      size_t finding, mn_error *err)
{
    const mn_finding *f;

    if (!out || !res)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    if (out->version != MN_FINDING_INFO_VERSION)
        return mn_x__err(err, MN_EINVAL, "unknown mn_finding_info version %u",
                         out->version);
    if (line >= res->n_lines || finding >= res->lines[line].n_findings)
        return mn_x__err(err, MN_EINVAL, "no finding %zu on line %zu", finding,
                         line);
    f = &res->lines[line].findings[finding];
    out->edit = f->edit;
    out->severity = f->severity;
    out->medical_necessity = f->med_nec;
    out->message = f->message ? f->message : "";
    out->citation.kind = f->policy_kind;
    out->citation.id = f->policy_id;
    out->citation.version = f->policy_version;
    out->citation.group = f->group;
    out->citation.title = f->policy_title;
    out->citation.related = f->related;
    out->citation.source = f->source;
    out->citation.url =
        f->page ? f->page
        : mn_x__citation_url(out->url_buf, sizeof(out->url_buf), f->policy_kind,
                             f->policy_id, f->policy_version)
            ? out->url_buf
            : NULL;
    out->carc = f->carc;
    out->rarc = f->rarc;
    out->diagnosis = f->dx;
    out->fix = f->fix;
    out->n_supporting = f->n_supporting < MN_SUPPORTING_MAX ? f->n_supporting
                                                            : MN_SUPPORTING_MAX;
    for (size_t i = 0; i < out->n_supporting; i++) {
        mn_x__icd_dotted(out->sup_buf[i], f->supporting[i]);
        out->sup_ptr[i] = out->sup_buf[i];
        out->desc_ptr[i] = mn_x__kb_icd_desc(res->kb, f->supporting[i]);
    }
    out->supporting = out->sup_ptr;
    out->supporting_desc = out->desc_ptr;
    out->payable_again = f->payable_text;
    return MN_OK;
}

int mn_result_finding_summary(mn_finding_summary *out, const mn_result *res,
                              size_t line, size_t finding)
{
    const mn_finding *f;

    if (!out || !res || line >= res->n_lines ||
        finding >= res->lines[line].n_findings)
        return MN_EINVAL;
    f = &res->lines[line].findings[finding];
    out->edit = f->edit;
    out->severity = f->severity;
    out->medical_necessity = f->med_nec;
    out->carc = f->carc;
    out->rarc = f->rarc;
    out->citation_kind = f->policy_kind;
    out->citation_id = f->policy_id;
    out->diagnosis = f->dx;
    return MN_OK;
}
