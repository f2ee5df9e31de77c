/* build/load/load_icd.c: ICD-10-CM code files (CDC order file, code file,
 * CSVs). */
#include <stdio.h>
#include <string.h>

#include "build/load/loaders.h"

/* CDC order file columns (0-based): order 0-4, code 6-12, billable flag
 * 14, short description 16-75, long description from 77. */
#define ORD_CODE 6
#define ORD_CODE_LEN 7
#define ORD_FLAG 14
#define ORD_LONG 77

/* The fixed frame of an order record: digits and separating spaces. */
static bool order_line_frame(const char *s, size_t len)
{
    bool ok = false;

    if (len < ORD_FLAG + 2)
        goto done;
    for (size_t i = 0; i < 5; i++) {
        if (!mn_x__isdigit(s[i]))
            goto done;
    }
    ok = s[5] == ' ' && s[ORD_CODE + ORD_CODE_LEN] == ' ' &&
         s[ORD_FLAG + 1] == ' ';
done:
    return ok;
}

static bool order_line_shape(const char *s, size_t len)
{
    const char *code = s + ORD_CODE;
    size_t code_len = ORD_CODE_LEN;
    bool ok = false;

    if (!order_line_frame(s, len))
        goto done;
    code_len = mn_x__trim(&code, code_len);
    ok = code == s + ORD_CODE && mn_x__icd_shape(code, code_len);
done:
    return ok;
}

/* "A000    Cholera due to ...": code, spaces, description. */
static bool codes_line_shape(const char *s, size_t len)
{
    size_t n = 0;
    while (n < len && s[n] != ' ' && s[n] != '\t')
        n++;
    return n >= 3 && n < len && mn_x__icd_shape(s, n);
}

const char *mn_x__icd_layout(const char *data, size_t len)
{
    const char *layout = NULL;
    const char *line = NULL;
    size_t line_len = 0;
    size_t pos = 0;
    mn_csv *csv = NULL;

    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    if (!mn_x__next_line(data, len, &pos, &line, &line_len))
        goto done;
    if (order_line_shape(line, line_len)) {
        layout = MN_LAYOUT_ICD_ORDER_TXT;
        goto done;
    }
    if (codes_line_shape(line, line_len)) {
        layout = MN_LAYOUT_ICD_CODES_TXT;
        goto done;
    }
    switch (mn_x__csv_open(&csv, data, len, ',', NULL)) {
    case MN_OK:
        break;
    case MN_ENOMEM:
        layout = MN_LAYOUT_NOMEM;
        goto done;
    default:
        goto done;
    }
    if (mn_x__csv_col(csv, "order") == 0 && mn_x__csv_col(csv, "code") >= 0 &&
        mn_x__csv_col(csv, "valid") >= 0 &&
        mn_x__csv_col(csv, "description") >= 0)
        layout = MN_LAYOUT_ICD_ORDER_CSV;
    else if (mn_x__csv_col(csv, "icd10cm_code") >= 0 &&
             mn_x__csv_col(csv, "valid_billing_code") >= 0 &&
             (mn_x__csv_col(csv, "icd10cm_long_description") >= 0 ||
              mn_x__csv_col(csv, "icd10cm_short_description") >= 0))
        layout = MN_LAYOUT_ICD_CODE_CSV;
done:
    mn_csv_free(csv);
    return layout;
}

static int kbb_fail(mn_error *err, int rc, size_t line)
{
    mn_x__err(err, rc, "%s",
              rc == MN_ENOMEM ? "out of memory"
                              : "cannot store icd-10-cm code");
    if (err) {
        err->line = line;
        err->column = 0;
    }
    return rc;
}

/* Validates and stores one code. `why` gets the skip reason. */
static int add_code(mn_kbb *b, int32_t fy, const char *code, size_t code_len,
                    const char *flag, size_t flag_len, const char *desc,
                    size_t desc_len, const char **why)
{
    mn_key key;
    bool billable;
    int rc = MN_OK;

    *why = NULL;
    code_len = mn_x__trim(&code, code_len);
    desc_len = mn_x__trim(&desc, desc_len);
    flag_len = mn_x__trim(&flag, flag_len);
    if (!mn_x__icd_shape(code, code_len)) {
        *why = code_len ? "bad code" : "missing code";
        goto done;
    }
    key = mn_x__key(code, code_len);
    if (!key) {
        *why = "bad code";
        goto done;
    }
    if (flag_len != 1 || (flag[0] != '0' && flag[0] != '1')) {
        *why = "bad billable flag";
        goto done;
    }
    billable = flag[0] == '1';
    if (desc_len == 0) {
        *why = "missing description";
        goto done;
    }
    rc = mn_x__kbb_icd_at(b, fy, key, billable, desc, desc_len);
done:
    return rc;
}

static int load_text(mn_kbb *b, const mn_src *src, int32_t fy, bool order,
                     mn_report *rep, mn_error *err)
{
    const char *line = NULL;
    size_t line_len = 0;
    size_t pos = 0;
    size_t lineno = 0;
    int rc = MN_OK;

    if (src->len >= 3 && memcmp(src->data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (mn_x__next_line(src->data, src->len, &pos, &line, &line_len)) {
        const char *why = NULL;
        const char *t = line;
        lineno++;
        if (mn_x__trim(&t, line_len) == 0)
            continue; /* blank line: not a record */
        if (order) {
            if (!order_line_frame(line, line_len))
                why = line_len < ORD_FLAG + 2 ? "truncated record"
                                              : "not an order record";
            else if (line_len <= ORD_LONG)
                why = "truncated record";
            else
                rc = add_code(b, fy, line + ORD_CODE, ORD_CODE_LEN,
                              line + ORD_FLAG, 1, line + ORD_LONG,
                              line_len - ORD_LONG, &why);
        } else {
            size_t n = 0;
            while (n < line_len && line[n] != ' ' && line[n] != '\t')
                n++;
            rc = add_code(b, fy, line, n, "1", 1, line + n, line_len - n, &why);
        }
        if (rc) {
            rc = kbb_fail(err, rc, lineno);
            goto done;
        }
        if (why)
            mn_x__report_skip(rep, why, lineno);
        else
            rep->rows++;
    }
done:
    return rc;
}

static int load_csv(mn_kbb *b, const mn_src *src, int32_t fy, bool order_csv,
                    mn_report *rep, mn_error *err)
{
    mn_csv *csv = NULL;
    int c_code;
    int c_flag;
    int c_long;
    int c_short = -1;
    int rc;

    rc = mn_x__csv_open(&csv, src->data, src->len, ',', err);
    if (rc)
        goto done;
    if (order_csv) {
        c_code = mn_x__csv_col(csv, "code");
        c_flag = mn_x__csv_col(csv, "valid");
        c_long = mn_x__csv_col(csv, "description");
    } else {
        c_code = mn_x__csv_col(csv, "icd10cm_code");
        c_flag = mn_x__csv_col(csv, "valid_billing_code");
        c_long = mn_x__csv_col(csv, "icd10cm_long_description");
        c_short = mn_x__csv_col(csv, "icd10cm_short_description");
        if (c_long < 0)
            c_long = c_short;
    }
    for (;;) {
        const char *code;
        const char *flag;
        const char *desc;
        size_t code_len = 0;
        size_t flag_len = 0;
        size_t desc_len = 0;
        const char *why = NULL;
        size_t n;

        rc = mn_csv_next(csv, err);
        if (rc <= 0)
            break;
        n = mn_csv_count(csv);
        if (n == 1 && mn_csv_field(csv, 0, NULL)[0] == '\0')
            continue; /* blank line */
        if ((size_t)c_code >= n || (size_t)c_flag >= n || (size_t)c_long >= n) {
            mn_x__report_skip(rep, "missing fields", mn_csv_record(csv));
            continue;
        }
        code = mn_csv_field(csv, (size_t)c_code, &code_len);
        flag = mn_csv_field(csv, (size_t)c_flag, &flag_len);
        desc = mn_csv_field(csv, (size_t)c_long, &desc_len);
        if (c_short >= 0 && (size_t)c_short < n) {
            const char *t = desc;
            if (mn_x__trim(&t, desc_len) == 0)
                desc = mn_csv_field(csv, (size_t)c_short, &desc_len);
        }
        rc = add_code(b, fy, code, code_len, flag, flag_len, desc, desc_len,
                      &why);
        if (rc) {
            rc = kbb_fail(err, rc, mn_csv_line(csv));
            goto done;
        }
        if (why)
            mn_x__report_skip(rep, why, mn_csv_record(csv));
        else
            rep->rows++;
    }
done:
    mn_csv_free(csv);
    return rc < 0 ? rc : MN_OK;
}

int mn_x__load_icd(mn_kbb *b, const mn_src *src, int fy, mn_report *rep,
                   mn_error *err)
{
    return mn_x__load_icd_at(
        b, src, fy >= 1990 && fy <= 2099 ? mn_x__fy_start(fy) : MN_NODATE, rep,
        err);
}

int mn_x__load_icd_at(mn_kbb *b, const mn_src *src, int32_t effective,
                      mn_report *rep, mn_error *err)
{
    const char *layout;
    int32_t fy = effective;
    int rc = MN_OK;

    if (!b || !src || !rep || (!src->data && src->len)) {
        rc = mn_x__err(err, MN_EINVAL, "invalid arguments");
        goto done;
    }
    if (effective == MN_NODATE || mn_x__fiscal_year(effective) < 1990 ||
        mn_x__fiscal_year(effective) > 2099) {
        rc = mn_x__err(err, MN_EINVAL,
                       "no effective date for this icd-10-cm file (name it "
                       "with its fiscal year or date, or give one at "
                       "build)");
        goto done;
    }
    if ((rc = mn_x__kbb_icd_version(b, effective))) {
        rc = mn_x__err(err, rc, "more than %d icd-10-cm versions",
                       MN_KB_MAX_YEARS);
        goto done;
    }
    layout = mn_x__icd_layout(src->data, src->len);
    if (layout == MN_LAYOUT_NOMEM) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    if (!layout) {
        rc = mn_x__err(err, MN_EINVAL,
                       "header does not match any icd-10-cm layout");
        if (err) {
            err->line = 1;
            err->column = 1;
        }
        goto done;
    }
    rep->layout = layout;
    {
        char d[11];
        mn_x__format_date(d, effective);
        snprintf(rep->note, sizeof(rep->note), "fiscal year %d, from %s",
                 mn_x__fiscal_year(effective), d);
    }
    mn_x__report_cover(rep, MN_SOURCE_ICD10CM, 0, effective, MN_NODATE, NULL);
    if (layout == MN_LAYOUT_ICD_ORDER_TXT)
        rc = load_text(b, src, fy, true, rep, err);
    else if (layout == MN_LAYOUT_ICD_CODES_TXT)
        rc = load_text(b, src, fy, false, rep, err);
    else
        rc = load_csv(b, src, fy, layout == MN_LAYOUT_ICD_ORDER_CSV, rep, err);
done:
    return rc ? mn_x__src_fail(err, src, rc) : MN_OK;
}
