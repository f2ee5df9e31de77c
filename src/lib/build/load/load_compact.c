/*
 * build/load/load_compact.c: the compact code lists of the built-in
 * knowledge base (data/builtin/mednec_*.txt, written by
 * tools/gen_builtin_codes.py; layouts in docs/kb.md, "Compact code
 * lists"), and the HCPCS Level II modifier list in the CSV layout of the
 * shared data (mod_code, mod_description).
 *
 * Every line is a record or a comment; a record that does not parse is
 * counted as skipped with its reason, never dropped silently. Structural
 * errors (codes before the versions they refer to, more versions than a
 * KB holds) stop the build with the line.
 */
#include <stdio.h>
#include <string.h>

#include "build/load/loaders.h"

#define MAX_LINE 4096

const char mn_x__layout_compact_icd[] = "mednec compact icd-10-cm list";
const char mn_x__layout_compact_hcpcs[] = "mednec compact hcpcs list";
const char mn_x__layout_compact_mod[] = "mednec compact modifier list";
const char mn_x__layout_modifier_csv[] = "hcpcs modifiers csv";

static const struct {
    const char *head;
    const char *layout;
} heads[] = {
    {"# mednec compact ICD-10-CM code list, format 1",
     mn_x__layout_compact_icd},
    {"# mednec compact HCPCS Level II code list, format 1",
     mn_x__layout_compact_hcpcs},
    {"# mednec compact HCPCS Level II modifier list, format 1",
     mn_x__layout_compact_mod},
};

const char *mn_x__compact_layout(const char *data, size_t len)
{
    const char *line = NULL;
    size_t line_len = 0;
    size_t pos = 0;

    if (!data || !mn_x__next_line(data, len, &pos, &line, &line_len))
        return NULL;
    for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
        size_t n = strlen(heads[i].head);
        if (line_len == n && memcmp(line, heads[i].head, n) == 0)
            return heads[i].layout;
    }
    return NULL;
}

/* A line split into at most `max` fields at `sep` (a space splits at runs
 * of spaces; a tab at each tab). Returns the count. */
static size_t split(const char *s, size_t len, char sep, const char **f,
                    size_t *fl, size_t max)
{
    size_t n = 0;
    size_t i = 0;

    while (i < len && n < max) {
        size_t j;
        if (sep == ' ') {
            while (i < len && s[i] == ' ')
                i++;
            if (i == len)
                break;
        }
        j = i;
        while (j < len && s[j] != sep)
            j++;
        if (n == max - 1)
            j = len; /* the last field takes the rest */
        f[n] = s + i;
        fl[n] = j - i;
        n++;
        i = j < len ? j + 1 : j;
    }
    return n;
}

static bool word_eq(const char *s, size_t len, const char *w)
{
    return len == strlen(w) && memcmp(s, w, len) == 0;
}

/* YYYYMMDD or "-" (MN_NODATE). */
static bool compact_date(int32_t *out, const char *s, size_t len)
{
    *out = MN_NODATE;
    if (len == 1 && s[0] == '-')
        return true;
    return len == 8 && mn_x__parse_date(out, s, len, true);
}

static int fail(mn_error *err, int rc, size_t line, const char *what)
{
    mn_x__err(err, rc, "%s", rc == MN_ENOMEM ? "out of memory" : what);
    if (err) {
        err->line = line;
        err->column = 1;
    }
    return rc;
}

/* "SOURCE" of a version or year line as a coverage source: "FILE (from
 * SOURCE)". */
static int add_cover(mn_kbb *b, const mn_src *src, int kind, int32_t from,
                     int32_t to, const char *label, const char *from_src,
                     size_t from_len, uint64_t rows)
{
    mn_kbb_cover c;
    char source[512];

    memset(&c, 0, sizeof(c));
    if (from_len)
        snprintf(source, sizeof(source), "%s (from %.*s)",
                 mn_x__path_name(src->path),
                 (int)(from_len > 200 ? 200 : from_len), from_src);
    else
        snprintf(source, sizeof(source), "%s", mn_x__path_name(src->path));
    c.kind = kind;
    c.from = from;
    c.to = to;
    c.label = label;
    c.source = source;
    c.rows = rows;
    return mn_x__kbb_cover(b, &c);
}

/* ---------------------------------------------------------------- ICD */

typedef struct icd_version {
    int32_t eff;
    const char *src;
    size_t src_len;
    uint64_t codes;
} icd_version;

static int load_icd(mn_kbb *b, const mn_src *src, mn_report *rep, mn_error *err)
{
    icd_version v[MN_KB_MAX_YEARS];
    size_t nv = 0;
    char flags[MN_KB_MAX_YEARS];
    bool have_flags = false;
    mn_key last = 0;
    const char *line = NULL;
    size_t line_len = 0;
    size_t pos = 0;
    size_t lineno = 0;
    int rc = MN_OK;

    memset(v, 0, sizeof(v));
    while (mn_x__next_line(src->data, src->len, &pos, &line, &line_len)) {
        const char *f[4];
        size_t fl[4];
        size_t n;
        mn_key key;
        lineno++;
        if (line_len == 0 || line[0] == '#')
            continue;
        if (line_len > MAX_LINE) {
            mn_x__report_skip(rep, "line too long", lineno);
            continue;
        }
        n = split(line, line_len, ' ', f, fl, 4);
        if (n && word_eq(f[0], fl[0], "version")) {
            int32_t d;
            unsigned long num;
            if (have_flags)
                return fail(err, MN_EINVAL, lineno,
                            "version line after the codes");
            if (n < 3 || !mn_x__parse_uint(&num, f[1], fl[1]) ||
                num != nv + 1 || !mn_x__parse_date(&d, f[2], fl[2], false) ||
                (nv && d <= v[nv - 1].eff) || mn_x__fiscal_year(d) < 1990 ||
                mn_x__fiscal_year(d) > 2099)
                return fail(err, MN_EINVAL, lineno,
                            "expected 'version N YYYY-MM-DD SOURCE' with N "
                            "counting from 1 and dates ascending, in fiscal "
                            "years 1990 to 2099");
            if (nv == MN_KB_MAX_YEARS)
                return fail(err, MN_ELIMIT, lineno,
                            "more icd-10-cm versions than a knowledge base "
                            "holds");
            if ((rc = mn_x__kbb_icd_version(b, d)))
                return fail(err, rc, lineno,
                            "more icd-10-cm versions than a knowledge base "
                            "holds");
            v[nv].eff = d;
            v[nv].src = n > 3 ? f[3] : "";
            v[nv].src_len = n > 3 ? fl[3] : 0;
            nv++;
            continue;
        }
        if (!nv)
            return fail(err, MN_EINVAL, lineno,
                        "codes before any version line");
        if (n > 2) {
            mn_x__report_skip(rep, "more than a code and its flags", lineno);
            continue;
        }
        if (!mn_x__icd_shape(f[0], fl[0]) || memchr(f[0], '.', fl[0]) ||
            !(key = mn_x__key(f[0], fl[0]))) {
            mn_x__report_skip(rep, "bad code", lineno);
            continue;
        }
        if (key <= last) {
            mn_x__report_skip(rep, "code out of order or repeated", lineno);
            continue;
        }
        if (n == 2) {
            bool ok = fl[1] == nv;
            for (size_t i = 0; ok && i < fl[1]; i++)
                ok = f[1][i] == 'B' || f[1][i] == 'H' || f[1][i] == '-';
            if (!ok) {
                mn_x__report_skip(rep, "bad flags (one of B H - per version)",
                                  lineno);
                continue;
            }
            memcpy(flags, f[1], nv);
            have_flags = true;
        } else if (!have_flags) {
            mn_x__report_skip(rep, "first code without flags", lineno);
            continue;
        }
        last = key;
        for (size_t i = 0; i < nv; i++) {
            if (flags[i] == '-')
                continue;
            if ((rc = mn_x__kbb_icd_at(b, v[i].eff, key, flags[i] == 'B', NULL,
                                       0)))
                return fail(err, rc, lineno, "cannot store icd-10-cm code");
            v[i].codes++;
        }
        rep->rows++;
    }
    for (size_t i = 0; i < nv; i++) {
        if ((rc = add_cover(b, src, MN_SOURCE_ICD10CM, v[i].eff, MN_NODATE,
                            NULL, v[i].src, v[i].src_len, v[i].codes)))
            return fail(err, rc, 0, "out of memory");
    }
    snprintf(rep->note, sizeof(rep->note), "%zu icd-10-cm versions", nv);
    return MN_OK;
}

/* -------------------------------------------------------------- HCPCS */

static int load_hcpcs(mn_kbb *b, const mn_src *src, mn_report *rep,
                      mn_error *err)
{
    int years[64];
    unsigned long ycount[64];
    const char *ysrc[64];
    size_t ysrc_len[64];
    size_t ny = 0;
    int newest = 0;
    mn_key last = 0;
    const char *line = NULL;
    size_t line_len = 0;
    size_t pos = 0;
    size_t lineno = 0;
    int rc = MN_OK;

    while (mn_x__next_line(src->data, src->len, &pos, &line, &line_len)) {
        const char *f[6];
        size_t fl[6];
        size_t n;
        mn_key key;
        int32_t added;
        int32_t term;
        lineno++;
        if (line_len == 0 || line[0] == '#')
            continue;
        if (line_len > MAX_LINE) {
            mn_x__report_skip(rep, "line too long", lineno);
            continue;
        }
        if (line_len > 5 && memcmp(line, "year ", 5) == 0) {
            unsigned long y;
            n = split(line, line_len, ' ', f, fl, 4);
            if (last)
                return fail(err, MN_EINVAL, lineno,
                            "year line after the codes");
            if (n < 3 || !mn_x__parse_uint(&y, f[1], fl[1]) || y < 1990 ||
                y > 2099 || !mn_x__parse_uint(&ycount[ny], f[2], fl[2]) ||
                ny == sizeof(years) / sizeof(years[0]))
                return fail(err, MN_EINVAL, lineno,
                            "expected 'year YYYY N SOURCE'");
            years[ny] = (int)y;
            ysrc[ny] = n > 3 ? f[3] : "";
            ysrc_len[ny] = n > 3 ? fl[3] : 0;
            ny++;
            if ((int)y > newest)
                newest = (int)y;
            continue;
        }
        if (!ny)
            return fail(err, MN_EINVAL, lineno, "codes before any year line");
        n = split(line, line_len, '\t', f, fl, 6);
        if (n != 5) {
            mn_x__report_skip(rep, "not five tab-separated fields", lineno);
            continue;
        }
        if (!mn_x__hcpcs2_shape(f[0], fl[0]) || !(key = mn_x__key(f[0], 5))) {
            mn_x__report_skip(rep, "not a hcpcs level ii code", lineno);
            continue;
        }
        if (key <= last) {
            mn_x__report_skip(rep, "code out of order or repeated", lineno);
            continue;
        }
        if (!compact_date(&added, f[1], fl[1]) ||
            !compact_date(&term, f[2], fl[2])) {
            mn_x__report_skip(rep, "bad date", lineno);
            continue;
        }
        if (fl[3] != 1 ||
            !(f[3][0] == '-' || f[3][0] == '?' ||
              (f[3][0] != 0 && kb_cov_ok((unsigned char)f[3][0])))) {
            mn_x__report_skip(rep, "bad coverage code", lineno);
            continue;
        }
        last = key;
        if ((rc = mn_x__kbb_hcpcs(b, newest, key, added, term, NULL, 0)))
            return fail(err, rc, lineno, "cannot store hcpcs code");
        if (f[3][0] != '-') {
            bool none = fl[4] == 1 && f[4][0] == '-';
            rc = mn_x__kbb_hcpcs_coverage(
                b, newest, key, f[3][0] == '?' ? 0u : (unsigned char)f[3][0],
                none ? NULL : f[4], none ? 0 : fl[4]);
            if (rc)
                return fail(err, rc, lineno, "cannot store hcpcs code");
        }
        if (added != MN_NODATE)
            mn_x__kbb_saw_date(b, added);
        rep->rows++;
    }
    for (size_t i = 0; i < ny; i++) {
        char label[16];
        snprintf(label, sizeof(label), "%d", years[i]);
        if ((rc = add_cover(b, src, MN_SOURCE_HCPCS,
                            mn_x__days_from_civil(years[i], 1, 1),
                            mn_x__days_from_civil(years[i], 12, 31), label,
                            ysrc[i], ysrc_len[i], ycount[i])))
            return fail(err, rc, 0, "out of memory");
    }
    snprintf(rep->note, sizeof(rep->note), "%zu data years, newest %d", ny,
             newest);
    return MN_OK;
}

/* ---------------------------------------------------------- modifiers */

static bool mod_code(const char *s, size_t len)
{
    if (len != 2)
        return false;
    for (size_t i = 0; i < 2; i++) {
        int c = mn_x__toupper((unsigned char)s[i]);
        if (!mn_x__isdigit(c) && !(c >= 'A' && c <= 'Z'))
            return false;
    }
    return true;
}

/* Records the year of a modifier list (0: undated). */
static int mod_cover(mn_kbb *b, const mn_src *src, int year, uint64_t rows)
{
    mn_kbb_cover c;
    char label[16];

    memset(&c, 0, sizeof(c));
    c.kind = MN_SOURCE_HCPCS_MODIFIERS;
    c.source = mn_x__path_name(src->path);
    c.rows = rows;
    if (year) {
        snprintf(label, sizeof(label), "%d", year);
        c.label = label;
        c.from = mn_x__days_from_civil(year, 1, 1);
        c.to = mn_x__days_from_civil(year, 12, 31);
    } else {
        c.label = "year unknown";
        c.flags = KB_CF_UNDATED;
        c.from = c.to = MN_NODATE;
    }
    return mn_x__kbb_cover(b, &c);
}

static int load_mods(mn_kbb *b, const mn_src *src, mn_report *rep,
                     mn_error *err)
{
    int year = 0;
    const char *line = NULL;
    size_t line_len = 0;
    size_t pos = 0;
    size_t lineno = 0;
    int rc = MN_OK;

    while (mn_x__next_line(src->data, src->len, &pos, &line, &line_len)) {
        const char *f[2];
        size_t fl[2];
        size_t n;
        lineno++;
        if (line_len == 0 || line[0] == '#')
            continue;
        if (line_len > MAX_LINE) {
            mn_x__report_skip(rep, "line too long", lineno);
            continue;
        }
        n = split(line, line_len, ' ', f, fl, 2);
        if (n == 2 && word_eq(f[0], fl[0], "year") && !rep->rows) {
            unsigned long y;
            if (!mn_x__parse_uint(&y, f[1], fl[1]) || y < 1990 || y > 2099)
                return fail(err, MN_EINVAL, lineno, "expected 'year YYYY'");
            year = (int)y;
            continue;
        }
        if (!n || !mod_code(f[0], fl[0])) {
            mn_x__report_skip(rep, "bad modifier", lineno);
            continue;
        }
        if ((rc = mn_x__kbb_modifier(b, f[0], n > 1 ? f[1] : NULL,
                                     n > 1 ? mn_x__trim(&f[1], fl[1]) : 0)))
            return fail(err, rc, lineno, "cannot store modifier");
        rep->rows++;
    }
    if (src->date) {
        int m;
        int d;
        mn_x__civil_from_days(src->date, &year, &m, &d);
    }
    if ((rc = mod_cover(b, src, year, rep->rows)))
        return fail(err, rc, 0, "out of memory");
    if (year)
        snprintf(rep->note, sizeof(rep->note), "year %d", year);
    return MN_OK;
}

int mn_x__load_compact(mn_kbb *b, const mn_src *src, mn_report *rep,
                       mn_error *err)
{
    const char *layout;
    int rc;

    if (!b || !src || !rep || (!src->data && src->len))
        return mn_x__err(err, MN_EINVAL, "invalid arguments");
    layout = mn_x__compact_layout(src->data, src->len);
    if (!layout) {
        rc = fail(err, MN_EINVAL, 1,
                  "first line does not name a mednec compact list");
        return mn_x__src_fail(err, src, rc);
    }
    rep->layout = layout;
    if (layout == mn_x__layout_compact_icd)
        rc = load_icd(b, src, rep, err);
    else if (layout == mn_x__layout_compact_hcpcs)
        rc = load_hcpcs(b, src, rep, err);
    else
        rc = load_mods(b, src, rep, err);
    return rc ? mn_x__src_fail(err, src, rc) : MN_OK;
}

/* ------------------------------------------------ modifier csv layout */

int mn_x__load_modifiers(mn_kbb *b, const mn_src *src, mn_report *rep,
                         mn_error *err)
{
    static const mn_colspec cols[] = {
        {"mod_code", NULL, true},
        {"mod_description", NULL, true},
    };
    size_t idx[2];
    bool empty = false;
    mn_csv *csv = NULL;
    mn_csv_options o = MN_CSV_OPTIONS_INIT;
    int year;
    int rc;

    if (!b || !src || !rep || (!src->data && src->len))
        return mn_x__err(err, MN_EINVAL, "invalid arguments");
    if ((rc = mn_csv_new(&csv, src->data, src->len, &o, err)))
        goto done;
    if ((rc = mn_x__csv_bind(csv, src->path, cols, 2, idx, &empty, err)))
        goto done;
    rep->layout = mn_x__layout_modifier_csv;
    while ((rc = mn_csv_next(csv, err)) > 0) {
        size_t cl = 0;
        size_t dl = 0;
        const char *c;
        const char *d;
        if (mn_x__csv_blank(csv))
            continue;
        c = idx[0] < mn_csv_count(csv) ? mn_csv_field(csv, idx[0], &cl) : "";
        d = idx[1] < mn_csv_count(csv) ? mn_csv_field(csv, idx[1], &dl) : "";
        cl = mn_x__trim(&c, cl);
        dl = mn_x__trim(&d, dl);
        if (!mod_code(c, cl)) {
            mn_x__report_skip(rep, cl ? "bad modifier" : "missing modifier",
                              mn_csv_record(csv));
            continue;
        }
        if ((rc = mn_x__kbb_modifier(b, c, d, dl))) {
            rc = fail(err, rc, mn_csv_line(csv), "cannot store modifier");
            goto done;
        }
        rep->rows++;
    }
    if (rc < 0)
        goto done;
    year = src->name ? mn_x__year_in_name(src->name) : 0;
    if (src->date) {
        int m;
        int d;
        mn_x__civil_from_days(src->date, &year, &m, &d);
    }
    if ((rc = mod_cover(b, src, year, rep->rows))) {
        rc = mn_x__err(err, rc, "out of memory");
        goto done;
    }
    snprintf(rep->note, sizeof(rep->note), "%s",
             year ? ""
                  : "year unknown (name the file with its year or give "
                    "a source date)");
    if (year)
        snprintf(rep->note, sizeof(rep->note), "year %d", year);
    rc = MN_OK;
done:
    mn_csv_free(csv);
    return rc ? mn_x__src_fail(err, src, rc) : MN_OK;
}
