/*
 * build/load/load_ipo.c: the OPPS inpatient-only list (Addendum E, "HCPCS codes
 * that are paid only as inpatient procedures"), as CSV or tab-separated text.
 * Title rows may come first; the header is the first row with a cell
 * naming the HCPCS code. Each file is one calendar year (from its name)
 * and becomes one service rule with the SR_F_IPO flag.
 */
#include <stdio.h>
#include <string.h>

#include "build/load/loaders.h"
#include "mednec/csv.h"
#include "build/writer/srules_build.h"

#define MAX_TITLE_ROWS 20

/* The calendar year in a file name ("2025_..._addendum_e..."), or 0. */
static int year_of(const char *name)
{
    for (size_t i = 0; name[i]; i++) {
        if (name[i] == '2' && name[i + 1] == '0' &&
            mn_x__isdigit(name[i + 2]) && mn_x__isdigit(name[i + 3]) &&
            !mn_x__isdigit(name[i + 4]) &&
            (i == 0 || !mn_x__isdigit(name[i - 1])))
            return 2000 + (name[i + 2] - '0') * 10 + (name[i + 3] - '0');
    }
    return 0;
}

bool mn_x__ipo_name(const char *name)
{
    size_t n = strlen(name);
    bool ext = n > 4 &&
               (!strcmp(name + n - 4, ".csv") || !strcmp(name + n - 4, ".txt"));
    return ext && (strstr(name, "addendum_e") || strstr(name, "addendum e") ||
                   strstr(name, "addendum-e") || strstr(name, "addendume"));
}

int mn_x__load_ipo(mn_kbb *b, const mn_src *src, mn_report *rep, mn_error *err)
{
    mn_csv_options o = MN_CSV_OPTIONS_INIT;
    mn_csv *csv = NULL;
    mn_vec codes = {0};
    long col_code = -1;
    long col_si = -1;
    int year = year_of(src->name);
    unsigned unit = 0;
    char id[32];
    char source[512];
    bool dup = false;
    int rc;

    rep->layout = "opps addendum e (inpatient-only list)";
    if (!year) {
        rep->layout = NULL;
        snprintf(rep->note, sizeof(rep->note),
                 "addendum e: no calendar year in the file name");
        return MN_OK;
    }
    if (src->len &&
        memchr(src->data, '\t', src->len < 4096 ? src->len : 4096)) {
        o.delimiter = '\t';
        o.no_quote = 1;
    }
    if ((rc = mn_csv_new(&csv, src->data, src->len, &o, err)))
        goto done;
    while ((rc = mn_csv_next(csv, err)) == 1) {
        size_t n = mn_csv_count(csv);
        if (col_code < 0) {
            for (size_t i = 0; i < n; i++) {
                size_t l;
                const char *f = mn_csv_field(csv, i, &l);
                /* a header cell ("HCPCS Code"), not a title naming HCPCS */
                if (l <= 20 && mn_x__contains_ci(f, l, "hcpcs") && col_code < 0)
                    col_code = (long)i;
                else if (l == 2 && mn_x__toupper((unsigned char)f[0]) == 'S' &&
                         mn_x__toupper((unsigned char)f[1]) == 'I')
                    col_si = (long)i;
            }
            if (col_code < 0) {
                if (mn_csv_record(csv) > MAX_TITLE_ROWS) {
                    rc = mn_x__err(err, MN_EINVAL,
                                   "no HCPCS code column in the first %d "
                                   "rows",
                                   MAX_TITLE_ROWS);
                    mn_x__err_at(err, src->path, mn_csv_line(csv), 1);
                    goto done;
                }
                mn_x__report_skip(rep, "title row", mn_csv_record(csv));
            }
            continue;
        }
        {
            size_t l;
            const char *code = mn_csv_field(csv, (size_t)col_code, &l);
            mn_key k;
            l = mn_x__trim(&code, l);
            if (l == 0) {
                mn_x__report_skip(rep, "blank or note row", mn_csv_record(csv));
                continue;
            }
            if (!(mn_x__cpt_shape(code, l) || mn_x__hcpcs2_shape(code, l))) {
                mn_x__report_skip(rep, "not a procedure code",
                                  mn_csv_record(csv));
                continue;
            }
            if (col_si >= 0) {
                size_t sl;
                const char *si = mn_csv_field(csv, (size_t)col_si, &sl);
                sl = mn_x__trim(&si, sl);
                if (!(sl == 1 && mn_x__toupper((unsigned char)si[0]) == 'C')) {
                    mn_x__report_skip(rep, "status indicator other than C",
                                      mn_csv_record(csv));
                    continue;
                }
            }
            k = mn_x__key(code, l);
            if ((rc = mn_x__vec_push(&codes, &k, sizeof(k))))
                goto done;
            rep->rows++;
        }
    }
    if (rc < 0) {
        mn_x__err_at(err, src->path, err ? err->line : 0,
                     err ? err->column : 0);
        goto done;
    }
    if (col_code < 0 || !codes.len) {
        rep->layout = NULL;
        snprintf(rep->note, sizeof(rep->note),
                 "addendum e: no HCPCS codes found");
        rc = MN_OK;
        goto done;
    }
    {
        mn_srule_def d;
        memset(&d, 0, sizeof(d));
        snprintf(id, sizeof(id), "ipo.cy%d", year);
        snprintf(source, sizeof(source),
                 "CMS OPPS Addendum E, CY%d: HCPCS codes paid only as "
                 "inpatient procedures (%s); medicare-facts 10.1",
                 year, src->name);
        d.rec.flags = SR_F_IPO;
        d.rec.effective = mn_x__days_from_civil(year, 1, 1);
        d.rec.ending = mn_x__days_from_civil(year, 12, 31);
        d.rec.age_lo = d.rec.age_hi = SR_AGE_NONE;
        d.rec.when_age_lo = d.rec.when_age_hi = SR_AGE_NONE;
        d.id = id;
        d.pack = "opps-addendum-e";
        d.source = source;
        d.codes = (const mn_key *)codes.data;
        d.n_codes = MN_VEC_COUNT(&codes, mn_key);
        if ((rc = mn_x__srules_begin(b, &unit)) ||
            (rc = mn_x__srules_add(b, &d, unit, &dup)))
            goto done;
        snprintf(rep->note, sizeof(rep->note), "calendar year %d: rule %s%s",
                 year, id, dup ? " (already defined: skipped)" : "");
        {
            char label[16];
            snprintf(label, sizeof(label), "CY%d", year);
            mn_x__report_cover(rep, MN_SOURCE_IPO, 0, d.rec.effective,
                               d.rec.ending, label);
        }
    }
    rc = MN_OK;
done:
    mn_csv_free(csv);
    mn_x__vec_free(&codes);
    return rc;
}
