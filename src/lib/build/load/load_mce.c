/* build/load/load_mce.c: Medicare Code Editor age, sex and manifestation edits.
 */
#include <stdio.h>
#include <string.h>

#include "build/load/loaders.h"

/* MCE version V belongs to fiscal year V - 17 (v37: FY2020). */
#define MCE_FY_OFFSET 17

typedef struct edit_kind {
    const char *name; /* simple-edits MCE_Edit_Type */
    const char *word; /* keyword in the CSV rule text */
    unsigned flag;
    int age_min; /* defaults when the text gives no ages */
    int age_max;
} edit_kind;

static const edit_kind KINDS[] = {
    {"newborn_only", "newborn", MN_MCE_NEWBORN, 0, 0},
    {"pediatric_only", "pediatric", MN_MCE_PEDIATRIC, 0, 17},
    {"maternity_only", "maternity", MN_MCE_MATERNITY, 12, 55},
    {"adult_only", "adult", MN_MCE_ADULT, 15, 124},
    {"female_only", "female", MN_MCE_FEMALE, 0, 124},
    {"male_only", "male", MN_MCE_MALE, 0, 124},
    {"principal_manifestation", "manifestation", MN_MCE_MANIFESTATION, 0, 124},
};
#define N_KINDS (sizeof(KINDS) / sizeof(KINDS[0]))

const char *mn_x__mce_layout(const char *data, size_t len)
{
    const char *layout = NULL;
    mn_csv *csv = NULL;
    int rc = mn_x__csv_open(&csv, data, len, ',', NULL);

    if (rc == MN_ENOMEM) {
        layout = MN_LAYOUT_NOMEM;
        goto done;
    }
    if (rc == MN_OK && mn_x__csv_col(csv, "icd_code") >= 0 &&
        mn_x__csv_col(csv, "icd_conflict_group") >= 0 &&
        mn_x__csv_col(csv, "icd_conflict_rule") >= 0) {
        layout = MN_LAYOUT_MCE_CSV;
        goto done;
    }
    mn_csv_free(csv);
    csv = NULL;
    rc = mn_x__csv_open(&csv, data, len, '\t', NULL);
    if (rc == MN_ENOMEM) {
        layout = MN_LAYOUT_NOMEM;
        goto done;
    }
    if (rc == MN_OK && mn_x__csv_col(csv, "mce_version") >= 0 &&
        mn_x__csv_col(csv, "icd_version") >= 0 &&
        mn_x__csv_col(csv, "mce_edit_type") >= 0 &&
        mn_x__csv_col(csv, "icd_code_type") >= 0 &&
        mn_x__csv_col(csv, "icd_code") >= 0)
        layout = MN_LAYOUT_MCE_TSV;
done:
    mn_csv_free(csv);
    return layout;
}

/* MCE version from a name such as "mce_v41_1_fy2024_code_edits.csv". */
static int version_in_name(const char *name)
{
    int v = 0;
    for (size_t i = 0; name && name[i] && !v; i++) {
        if (name[i] == 'v' &&
            (i == 0 || name[i - 1] == '_' || name[i - 1] == '-') &&
            mn_x__isdigit(name[i + 1]) && mn_x__isdigit(name[i + 2]) &&
            !mn_x__isdigit(name[i + 3]))
            v = (name[i + 1] - '0') * 10 + (name[i + 2] - '0');
    }
    return v;
}

/* Reads up to two numbers from "Maternity (Ages 9-64)" or
 * "Perinatal/Newborn (Age 0 Only)". Returns how many were found. */
static int ages_in_text(const char *s, size_t len, int *lo, int *hi)
{
    int found = 0;
    size_t i = 0;

    while (i < len && found < 2) {
        int v = 0;
        size_t j = i;
        if (!mn_x__isdigit(s[i])) {
            i++;
            continue;
        }
        while (j < len && mn_x__isdigit(s[j]) && v < 1000) {
            v = v * 10 + (s[j] - '0');
            j++;
        }
        if (found == 0)
            *lo = v;
        else
            *hi = v;
        found++;
        i = j;
    }
    if (found == 1)
        *hi = *lo;
    return found;
}

static int add_edit(mn_kbb *b, int fy, const char *code, size_t code_len,
                    const edit_kind *k, int lo, int hi, mn_report *rep,
                    size_t rec, mn_error *err, size_t line)
{
    int rc = MN_OK;

    code_len = mn_x__trim(&code, code_len);
    if (!mn_x__icd_shape(code, code_len)) {
        mn_x__report_skip(rep, code_len ? "bad code" : "missing code", rec);
        goto done;
    }
    rc = mn_x__kbb_mce(b, fy, mn_x__key(code, code_len), k->flag, lo, hi);
    if (rc) {
        mn_x__err(err, rc, "%s",
                  rc == MN_ENOMEM ? "out of memory" : "cannot store mce edit");
        if (err) {
            err->line = line;
            err->column = 0;
        }
        goto done;
    }
    rep->rows++;
done:
    return rc;
}

static int load_csv(mn_kbb *b, const mn_src *src, mn_report *rep, mn_error *err)
{
    mn_csv *csv = NULL;
    int fy = 0;
    int c_code;
    int c_group;
    int c_rule;
    int rc;

    fy = version_in_name(src->name);
    if (fy)
        fy += 2000 - MCE_FY_OFFSET;
    else if (src->name && strstr(src->name, "fy"))
        fy = mn_x__year_in_name(strstr(src->name, "fy"));
    if (!fy) {
        rc = mn_x__err(err, MN_EINVAL,
                       "no mce version in the file name (e.g. mce_v41_...)");
        goto done;
    }
    snprintf(rep->note, sizeof(rep->note), "fiscal year %d", fy);
    if (fy >= 1990 && fy <= 2099)
        mn_x__report_cover(rep, MN_SOURCE_MCE, 0, mn_x__fy_start(fy), MN_NODATE,
                           NULL);
    rc = mn_x__csv_open(&csv, src->data, src->len, ',', err);
    if (rc)
        goto done;
    c_code = mn_x__csv_col(csv, "icd_code");
    c_group = mn_x__csv_col(csv, "icd_conflict_group");
    c_rule = mn_x__csv_col(csv, "icd_conflict_rule");
    for (;;) {
        const char *group;
        const char *rule;
        size_t gl = 0;
        size_t rl = 0;
        size_t code_len = 0;
        const char *code;
        const edit_kind *k = NULL;
        size_t n;
        size_t rec;
        int lo;
        int hi;

        rc = mn_csv_next(csv, err);
        if (rc <= 0)
            break;
        n = mn_csv_count(csv);
        rec = mn_csv_record(csv);
        if (n == 1 && mn_csv_field(csv, 0, NULL)[0] == '\0')
            continue; /* blank line */
        if ((size_t)c_code >= n || (size_t)c_group >= n ||
            (size_t)c_rule >= n) {
            mn_x__report_skip(rep, "missing fields", rec);
            continue;
        }
        code = mn_csv_field(csv, (size_t)c_code, &code_len);
        group = mn_csv_field(csv, (size_t)c_group, &gl);
        rule = mn_csv_field(csv, (size_t)c_rule, &rl);
        gl = mn_x__trim(&group, gl);
        rl = mn_x__trim(&rule, rl);
        /* "female" contains "male": test the longer word first (the
         * table order does). Manifestation is in group Other. */
        for (size_t i = 0; i < N_KINDS && !k; i++) {
            if (mn_x__contains_ci(rule, rl, KINDS[i].word))
                k = &KINDS[i];
        }
        if (k && k->flag == MN_MCE_MANIFESTATION &&
            !mn_x__contains_ci(rule, rl, "not allowed as principal"))
            k = NULL;
        if (!k) {
            char why[96];
            snprintf(why, sizeof(why), "edit not used (%.*s: %.*s)",
                     (int)(gl < 20 ? gl : 20), group, (int)(rl < 40 ? rl : 40),
                     rule);
            mn_x__report_skip(rep, why, rec);
            continue;
        }
        lo = k->age_min;
        hi = k->age_max;
        if (k->flag & (MN_MCE_NEWBORN | MN_MCE_PEDIATRIC | MN_MCE_MATERNITY |
                       MN_MCE_ADULT))
            ages_in_text(rule, rl, &lo, &hi);
        if (lo > hi) {
            mn_x__report_skip(rep, "bad age range", rec);
            continue;
        }
        rc = add_edit(b, fy, code, code_len, k, lo, hi, rep, rec, err,
                      mn_csv_line(csv));
        if (rc)
            goto done;
    }
done:
    mn_csv_free(csv);
    return rc < 0 ? rc : MN_OK;
}

static int load_tsv(mn_kbb *b, const mn_src *src, mn_report *rep, mn_error *err)
{
    mn_csv *csv = NULL;
    int c_ver;
    int c_icd;
    int c_type;
    int c_ctype;
    int c_code;
    int fy_lo = 0;
    int fy_hi = 0;
    int rc;

    rc = mn_x__csv_open(&csv, src->data, src->len, '\t', err);
    if (rc)
        goto done;
    c_ver = mn_x__csv_col(csv, "mce_version");
    c_icd = mn_x__csv_col(csv, "icd_version");
    c_type = mn_x__csv_col(csv, "mce_edit_type");
    c_ctype = mn_x__csv_col(csv, "icd_code_type");
    c_code = mn_x__csv_col(csv, "icd_code");
    for (;;) {
        const char *f;
        size_t fl = 0;
        size_t n;
        size_t rec;
        unsigned long ver = 0;
        const edit_kind *k = NULL;
        const char *code;
        size_t code_len = 0;
        int fy;

        rc = mn_csv_next(csv, err);
        if (rc <= 0)
            break;
        n = mn_csv_count(csv);
        rec = mn_csv_record(csv);
        if (n == 1 && mn_csv_field(csv, 0, NULL)[0] == '\0')
            continue; /* blank line */
        if ((size_t)c_ver >= n || (size_t)c_icd >= n || (size_t)c_type >= n ||
            (size_t)c_ctype >= n || (size_t)c_code >= n) {
            mn_x__report_skip(rep, "missing fields", rec);
            continue;
        }
        f = mn_csv_field(csv, (size_t)c_icd, &fl);
        fl = mn_x__trim(&f, fl);
        if (!(fl == 2 && f[0] == '1' && f[1] == '0')) {
            mn_x__report_skip(rep, "not an icd-10 row", rec);
            continue;
        }
        f = mn_csv_field(csv, (size_t)c_ver, &fl);
        fl = mn_x__trim(&f, fl);
        if (!mn_x__parse_uint(&ver, f, fl) || ver < 30 || ver > 99) {
            mn_x__report_skip(rep, "bad mce version", rec);
            continue;
        }
        fy = (int)ver + 2000 - MCE_FY_OFFSET;
        f = mn_csv_field(csv, (size_t)c_ctype, &fl);
        fl = mn_x__trim(&f, fl);
        if (!(fl == 1 && (f[0] == 'D' || f[0] == 'd'))) {
            mn_x__report_skip(rep, "procedure code row (not used)", rec);
            continue;
        }
        f = mn_csv_field(csv, (size_t)c_type, &fl);
        fl = mn_x__trim(&f, fl);
        for (size_t i = 0; i < N_KINDS && !k; i++) {
            if (fl == strlen(KINDS[i].name) &&
                mn_x__contains_ci(f, fl, KINDS[i].name))
                k = &KINDS[i];
        }
        if (!k) {
            char why[96];
            snprintf(why, sizeof(why), "edit type not used (%.*s)",
                     (int)(fl < 40 ? fl : 40), f);
            mn_x__report_skip(rep, why, rec);
            continue;
        }
        code = mn_csv_field(csv, (size_t)c_code, &code_len);
        rc = add_edit(b, fy, code, code_len, k, k->age_min, k->age_max, rep,
                      rec, err, mn_csv_line(csv));
        if (rc)
            goto done;
        if (!fy_lo || fy < fy_lo)
            fy_lo = fy;
        if (fy > fy_hi)
            fy_hi = fy;
    }
    if (rc == 0 && fy_lo >= 1990 && fy_lo <= 2099)
        mn_x__report_cover(rep, MN_SOURCE_MCE, 0, mn_x__fy_start(fy_lo),
                           MN_NODATE, NULL);
    if (rc == 0 && fy_lo == fy_hi)
        snprintf(rep->note, sizeof(rep->note), "fiscal year %d", fy_lo);
    else if (rc == 0)
        snprintf(rep->note, sizeof(rep->note), "fiscal years %d-%d", fy_lo,
                 fy_hi);
done:
    mn_csv_free(csv);
    return rc < 0 ? rc : MN_OK;
}

int mn_x__load_mce(mn_kbb *b, const mn_src *src, mn_report *rep, mn_error *err)
{
    const char *layout;
    int rc = MN_OK;

    if (!b || !src || !rep || (!src->data && src->len)) {
        rc = mn_x__err(err, MN_EINVAL, "invalid arguments");
        goto done;
    }
    layout = mn_x__mce_layout(src->data, src->len);
    if (layout == MN_LAYOUT_NOMEM) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    if (!layout) {
        rc = mn_x__err(err, MN_EINVAL, "header does not match any mce layout");
        if (err) {
            err->line = 1;
            err->column = 1;
        }
        goto done;
    }
    rep->layout = layout;
    if (layout == MN_LAYOUT_MCE_CSV)
        rc = load_csv(b, src, rep, err);
    else
        rc = load_tsv(b, src, rep, err);
done:
    return rc ? mn_x__src_fail(err, src, rc) : MN_OK;
}
