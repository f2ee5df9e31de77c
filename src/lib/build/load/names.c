/*
 * build/load/names.c: what the loaders and the build share to recognise
 * a source: layout names, file-name patterns and years, and the CSV and
 * line helpers of the loaders.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/load/loaders.h"

/* ------------------------------------------------------------------ */
/* Layout names                                                         */
/* ------------------------------------------------------------------ */

const char mn_x__layout_icd_order_txt[] = "icd10cm order file (fixed width)";
const char mn_x__layout_nomem[] = "(out of memory while reading the header)";
const char mn_x__layout_icd_codes_txt[] = "icd10cm code file (text)";
const char mn_x__layout_icd_order_csv[] = "icd10cm order csv";
const char mn_x__layout_icd_code_csv[] = "icd10cm code csv";
const char mn_x__layout_hcpcs_anweb[] = "hcpcs anweb (fixed width)";
const char mn_x__layout_hcpcs_csv[] = "hcpcs level ii csv";
const char mn_x__layout_hcpcs_desc[] = "hcpcs level ii descriptions csv";
const char mn_x__layout_mce_csv[] = "mce code edits csv";
const char mn_x__layout_mce_tsv[] = "mce simple code edits (tab separated)";

/* ------------------------------------------------------------------ */
/* Names                                                                */
/* ------------------------------------------------------------------ */

static char norm_sep(char c)
{
    return c == '-' ? '_' : c;
}

bool mn_x__name_match(const char *p, const char *s)
{
    const char *star_p = NULL;
    const char *star_s = NULL;
    bool ok = false;

    while (*s) {
        if (*p == '*') {
            star_p = ++p;
            star_s = s;
        } else if (*p && ((*p == '#' && mn_x__isdigit(*s)) || *p == '?' ||
                          norm_sep(*p) == norm_sep(*s))) {
            p++;
            s++;
        } else if (star_p) {
            p = star_p;
            s = ++star_s;
        } else {
            goto done;
        }
    }
    while (*p == '*')
        p++;
    ok = *p == '\0';
done:
    return ok;
}

/* The year (1990-2099) when s[0..3] are digits and s[4] is not one (the
 * caller checks s[-1]), else 0. */
static int year_at(const char *s)
{
    int y = 0;
    int i;

    for (i = 0; i < 4 && mn_x__isdigit(s[i]); i++)
        y = y * 10 + (s[i] - '0');
    if (i < 4 || mn_x__isdigit(s[4]) || y < 1990 || y > 2099)
        y = 0;
    return y;
}

int mn_x__year_in_name(const char *name)
{
    int y = 0;

    for (size_t i = 0; name[i]; i++) {
        if (i > 0 && mn_x__isdigit(name[i - 1]))
            continue;
        y = year_at(name + i);
        if (y)
            break;
    }
    return y;
}

static int month_of(const char *tok, size_t len)
{
    static const char *const months[] = {
        "january", "february", "march",     "april",   "may",      "june",
        "july",    "august",   "september", "october", "november", "december"};
    int m = 0;

    if (len < 3)
        goto done;
    for (int i = 0; i < 12; i++) {
        size_t n = strlen(months[i]);
        if (len <= n && strncmp(tok, months[i], len) == 0) {
            m = i + 1;
            goto done;
        }
    }
done:
    return m;
}

/* The date y-m-d when it is a real calendar date (1990-2099). */
static bool ymd(int32_t *out, int y, int m, int d)
{
    int yy;
    int mm;
    int dd;

    if (y < 1990 || y > 2099 || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    *out = mn_x__days_from_civil(y, m, d);
    mn_x__civil_from_days(*out, &yy, &mm, &dd);
    return yy == y && mm == m && dd == d;
}

/* A run of 1..8 digits as a number, or -1. */
static long digits_tok(const char *s, size_t n)
{
    long v = 0;

    if (n == 0 || n > 8)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!mn_x__isdigit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int32_t mn_x__icd_effective_from_name(const char *name)
{
    int fy = 0;
    int year = 0;
    int month = 0;
    int day = 0;
    int32_t eff = MN_NODATE;
    size_t i = 0;

    while (name[i]) {
        size_t j = i;
        long v;
        while (name[j] && name[j] != '_' && name[j] != '-' && name[j] != '.' &&
               name[j] != ' ')
            j++;
        v = digits_tok(name + i, j - i);
        if (j - i == 6 && name[i] == 'f' && name[i + 1] == 'y' &&
            year_at(name + i + 2)) {
            fy = year_at(name + i + 2);
        } else if (j - i == 8 && v > 0) {
            /* 20230401 */
            int32_t t = MN_NODATE;
            if (ymd(&t, (int)(v / 10000), (int)(v / 100 % 100),
                    (int)(v % 100))) {
                year = (int)(v / 10000);
                month = (int)(v / 100 % 100);
                day = (int)(v % 100);
            }
        } else if (j - i == 4 && v >= 1990 && v <= 2099 && !year) {
            year = (int)v;
            /* 2023-04-01: a year followed by a month and a day */
            if (name[j] == '-' && mn_x__isdigit(name[j + 1]) &&
                mn_x__isdigit(name[j + 2]) && name[j + 3] == '-' &&
                mn_x__isdigit(name[j + 4]) && mn_x__isdigit(name[j + 5]) &&
                !mn_x__isdigit(name[j + 6])) {
                month = (name[j + 1] - '0') * 10 + (name[j + 2] - '0');
                day = (name[j + 4] - '0') * 10 + (name[j + 5] - '0');
                j += 6;
            }
        } else if ((j - i == 1 || j - i == 2) && v >= 1 && v <= 31 && month &&
                   !day) {
            day = (int)v; /* april_1_2023 */
        } else if (month_of(name + i, j - i)) {
            month = month_of(name + i, j - i);
        }
        i = name[j] ? j + 1 : j;
    }
    if (fy && month && !year)
        year = month >= 10 ? fy - 1 : fy; /* fy2022_april: 2022-04 */
    if (year && month) {
        if (!ymd(&eff, year, month, day ? day : 1))
            eff = MN_NODATE;
    } else if (fy) {
        eff = mn_x__days_from_civil(fy - 1, 10, 1);
    } else if (year) {
        eff = mn_x__days_from_civil(year - 1, 10, 1);
    }
    return eff;
}

int mn_x__icd_fy_from_name(const char *name)
{
    int32_t eff = mn_x__icd_effective_from_name(name);
    return eff == MN_NODATE ? 0 : mn_x__fiscal_year(eff);
}

/* ------------------------------------------------------------------ */
/* Loader helpers                                                       */
/* ------------------------------------------------------------------ */

int mn_x__csv_col(const mn_csv *csv, const char *name)
{
    size_t n = mn_csv_count(csv);
    size_t want = strlen(name);
    int col = -1;

    for (size_t i = 0; i < n && i < 4096; i++) {
        size_t len = 0;
        const char *f = mn_csv_field(csv, i, &len);
        len = mn_x__trim(&f, len);
        if (len == want && mn_x__contains_ci(f, len, name)) {
            col = (int)i;
            break;
        }
    }
    return col;
}

bool mn_x__next_line(const char *data, size_t len, size_t *pos,
                     const char **line, size_t *line_len)
{
    size_t p = *pos;
    size_t e;
    bool ok = false;

    if (p >= len)
        goto done;
    e = p;
    while (e < len && data[e] != '\n')
        e++;
    *line = data + p;
    *line_len = e - p;
    if (*line_len && data[e - 1] == '\r')
        (*line_len)--;
    *pos = e < len ? e + 1 : e;
    ok = true;
done:
    return ok;
}

int mn_x__src_fail(mn_error *err, const mn_src *src, int rc)
{
    if (err && src && src->path)
        mn_x__err_at(err, src->path, err->line, err->column);
    return rc;
}

int mn_x__csv_open(mn_csv **out, const char *data, size_t len, char delim,
                   mn_error *err)
{
    mn_csv_options o = MN_CSV_OPTIONS_INIT;
    mn_csv *csv = NULL;
    int rc;

    *out = NULL;
    o.delimiter = delim;
    o.no_quote = delim == '\t';
    rc = mn_csv_new(&csv, data, len, &o, err);
    if (rc)
        goto done;
    rc = mn_csv_next(csv, err);
    if (rc == 0)
        rc = mn_x__err(err, MN_EINVAL, "empty file: no header line");
    if (rc < 0)
        goto done;
    rc = MN_OK;
    *out = csv;
    csv = NULL;
done:
    mn_csv_free(csv);
    return rc;
}
