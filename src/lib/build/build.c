/* build/build.c: the public KB building API (mn_build_*). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mednec/kb.h"
#include "mednec/outfile.h"
#include "build/sources.h"

typedef struct pack {
    char *name;
    char *text;
    size_t len;
} pack;

/* A date given at build for the files whose name matches `pattern`. */
typedef struct srcdate {
    char *pattern; /* lower case */
    int32_t date;
} srcdate;
#define MAX_SOURCE_DATES 64

struct mn_build {
    mn_build_options opts;
    char *built;
    char **paths;
    size_t n_paths;
    size_t cap_paths;
    pack *packs;
    size_t n_packs;
    size_t cap_packs;
    srcdate dates[MAX_SOURCE_DATES];
    size_t n_dates;
    mn_build_summary sum;
};

/* What a file is, from its name. */
enum {
    K_NONE = 0,
    K_ICD,
    K_ANWEB,
    K_HCPCS_CSV,
    K_HCPCS_DESC,
    K_MCE,
    K_IPO,
    K_LAB,
    K_LAB_META,
    K_MCD,
    K_NCCI,
    K_COMPACT,  /* data/builtin/mednec_*.txt */
    K_MODIFIERS /* hcpcs_modifiers*.csv */
};

/* ------------------------------------------------------------------ */
/* Recognition by name                                                  */
/* ------------------------------------------------------------------ */

/* The CDC and CMS names, with the year, a month and year or a date in
 * them ("icd10cm_order_2024.txt", "icd10cm-order-Jan-2021.txt",
 * "icd10cm_order_2023-04-01.txt"); a name without one needs a date given
 * at build (docs/kb.md). */
static const char *const ICD_NAMES[] = {
    "icd10cm_order*.txt",
    "icd10cm_codes*.txt",
    "icd10cm_fy####*.csv",
};

/* NCCI MUE, PTP and add-on code tables (build/load/load_ncci.c). */
static const char *const NCCI_NAMES[] = {
    "ncci_mue_*.csv", "ncci_ptp_*.csv", "ncci_aoc*.csv", "mcr_mue_*.csv",
    "mcr_mue_*.txt",  "ccipra*.txt",    "ccipra*.csv",   "ccioph*.txt",
    "ccioph*.csv",    "aoc_v*.txt",     "aoc_v*.csv",
};

static int kind_of(const char *name)
{
    int kind = K_NONE;

    for (size_t i = 0; i < sizeof(ICD_NAMES) / sizeof(ICD_NAMES[0]); i++) {
        if (mn_x__name_match(ICD_NAMES[i], name)) {
            kind = K_ICD;
            goto done;
        }
    }
    if (mn_x__name_match("mednec_*.txt", name))
        kind = K_COMPACT;
    else if (mn_x__name_match("hcpcs_modifiers*.csv", name))
        kind = K_MODIFIERS;
    else if (mn_x__name_match("hcpc*anweb*.txt", name))
        kind = K_ANWEB;
    else if (mn_x__name_match("hcpcs_lvl2*.csv", name))
        kind = K_HCPCS_CSV;
    else if (mn_x__name_match("hcpcs_level2_descriptions*.csv", name))
        kind = K_HCPCS_DESC;
    else if (mn_x__name_match("mce_v*_code_edits.csv", name) ||
             mn_x__name_match("mce_simple_code_edits_v*.txt", name))
        kind = K_MCE;
    else if (strcmp(name, "ncd_codes.csv") == 0)
        kind = K_LAB;
    else if (strcmp(name, "ncd_meta.csv") == 0)
        kind = K_LAB_META;
    else if (mn_x__mcd_table_name(name))
        kind = K_MCD;
    else if (mn_x__ipo_name(name))
        kind = K_IPO;
    for (size_t i = 0; i < sizeof(NCCI_NAMES) / sizeof(NCCI_NAMES[0]); i++) {
        if (kind == K_NONE && mn_x__name_match(NCCI_NAMES[i], name))
            kind = K_NCCI;
    }
done:
    return kind;
}

/* Why a file with this name is not used. */
static const char *name_note(const char *name)
{
    static const struct {
        const char *pattern;
        const char *note;
    } notes[] = {
        {"icd10cm_tabular_*.xml", "icd-10-cm tabular xml: not used by this "
                                  "version"},
        {"poaexemptcodes*.txt", "poa-exempt list: not used"},
        {"_provenance.csv", "provenance notes: not a data table"},
        {"coverage_api*.json", "coverage api description: not a data "
                               "table"},
        {"readme*", "readme: not a data file"},
        {"*_readme*", "readme: not a data file"},
        {"*recordlayout*", "record layout description: not a data file"},
        {"*record_layout*", "record layout description: not a data file"},
        {"*.xlsx", "spreadsheet: not read (the text layout is read "
                   "instead)"},
        {"*.xls", "spreadsheet: not read (the text layout is read "
                  "instead)"},
        {"*.pdf", "document: not a data file"},
        {"*.docx", "document: not a data file"},
        {"proc_notes*", "hcpcs processing notes: not used"},
        {"*.prn", "hcpcs listing (changes, noc, corrections): not used"},
        {"hcpcs_noc*.csv", "hcpcs noc list: not used by the knowledge base "
                           "yet"},
    };
    const char *note =
        "unrecognised file name: not used by the knowledge base yet";

    for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++) {
        if (mn_x__name_match(notes[i].pattern, name)) {
            note = notes[i].note;
            break;
        }
    }
    return note;
}

static bool want_file(void *payload, const char *name)
{
    int kind = kind_of(name);

    (void)payload;
    /* the MCD export's tables that are not used are listed, not read */
    return kind != K_NONE && (kind != K_MCD || mn_x__mcd_table_read(name));
}

/* ------------------------------------------------------------------ */
/* The build object                                                     */
/* ------------------------------------------------------------------ */

int mn_build_new(mn_build **out, const mn_build_options *opts, mn_error *err)
{
    mn_build *b = NULL;
    mn_build_options def = MN_BUILD_OPTIONS_INIT;
    int rc = MN_OK;

    if (!out) {
        rc = mn_x__err(err, MN_EINVAL, "no output pointer");
        goto done;
    }
    *out = NULL;
    if (opts && opts->version != MN_BUILD_OPTIONS_VERSION &&
        opts->version != 1) {
        rc = mn_x__err(err, MN_EVERSION, "unknown build options version %u",
                       opts->version);
        goto done;
    }
    b = mn_x__calloc(1, sizeof(*b));
    if (!b)
        goto nomem;
    b->opts = def;
    if (opts && opts->version == 1) /* without allow_empty */
        memcpy(&b->opts, opts, offsetof(mn_build_options, allow_empty));
    else if (opts)
        b->opts = *opts;
    b->opts.version = MN_BUILD_OPTIONS_VERSION;
    if (b->opts.built) {
        int32_t d;
        size_t n = strlen(b->opts.built);
        if (!mn_x__parse_date(&d, b->opts.built, n, false)) {
            rc = mn_x__err(err, MN_EINVAL,
                           "build stamp must be a date (YYYY-MM-DD)");
            goto done;
        }
        b->built = mn_x__strndup(b->opts.built, n);
        if (!b->built)
            goto nomem;
    }
    b->opts.built = b->built;
    *out = b;
    b = NULL;
    goto done;
nomem:
    rc = mn_x__err(err, MN_ENOMEM, "out of memory");
done:
    mn_build_free(b);
    return rc;
}

void mn_build_free(mn_build *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n_paths; i++)
        mn_x__free(b->paths[i]);
    mn_x__free(b->paths);
    for (size_t i = 0; i < b->n_packs; i++) {
        mn_x__free(b->packs[i].name);
        mn_x__free(b->packs[i].text);
    }
    mn_x__free(b->packs);
    for (size_t i = 0; i < b->n_dates; i++)
        mn_x__free(b->dates[i].pattern);
    mn_x__free(b->built);
    mn_x__free(b);
}

int mn_build_set_source_date(mn_build *b, const char *pattern, const char *date,
                             mn_error *err)
{
    int32_t d;
    size_t n;
    char *p;

    if (!b || !pattern || !pattern[0] || !date)
        return mn_x__err(err, MN_EINVAL,
                         "a source date needs a file name "
                         "pattern and a date");
    if (!mn_x__parse_date(&d, date, strlen(date), false) ||
        d < mn_x__days_from_civil(1990, 1, 1))
        return mn_x__err(err, MN_EINVAL,
                         "source date must be a date (YYYY-MM-DD) from 1990 "
                         "on");
    if (b->n_dates == MAX_SOURCE_DATES)
        return mn_x__err(err, MN_ELIMIT, "at most %d source dates",
                         MAX_SOURCE_DATES);
    n = strlen(pattern);
    p = mn_x__strndup(pattern, n);
    if (!p)
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        p[i] = (char)mn_x__tolower((unsigned char)p[i]);
    b->dates[b->n_dates].pattern = p;
    b->dates[b->n_dates].date = d;
    b->n_dates++;
    return MN_OK;
}

/* The date given at build for a file of this (lower-case) name, or 0
 * (mn_src.date). */
static int32_t date_for(const mn_build *b, const char *name)
{
    for (size_t i = 0; i < b->n_dates; i++) {
        if (mn_x__name_match(b->dates[i].pattern, name))
            return b->dates[i].date;
    }
    return 0;
}

/* Makes room for one more element in a grow-by-doubling array. */
static int grow(void **items, size_t *cap, size_t n, size_t size)
{
    size_t ncap;
    size_t bytes;
    void *p;
    int rc = MN_OK;

    if (n < *cap)
        goto done;
    ncap = *cap ? *cap * 2 : 8;
    if (!mn_x__mul(&bytes, ncap, size)) {
        rc = MN_ENOMEM;
        goto done;
    }
    p = mn_x__realloc(*items, bytes);
    if (!p) {
        rc = MN_ENOMEM;
        goto done;
    }
    *items = p;
    *cap = ncap;
done:
    return rc;
}

int mn_build_add_path(mn_build *b, const char *path, mn_error *err)
{
    char *copy = NULL;
    int rc = MN_OK;

    if (!b || !path || !*path) {
        rc = mn_x__err(err, MN_EINVAL, "no path given");
        goto done;
    }
    copy = mn_x__strndup(path, strlen(path));
    if (!copy ||
        grow((void **)&b->paths, &b->cap_paths, b->n_paths, sizeof(char *))) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    b->paths[b->n_paths++] = copy;
    copy = NULL;
done:
    mn_x__free(copy);
    return rc;
}

int mn_build_add_rules(mn_build *b, const char *name, const char *text,
                       size_t len, mn_error *err)
{
    pack p = {NULL, NULL, 0};
    int rc = MN_OK;

    if (!b || (!text && len)) {
        rc = mn_x__err(err, MN_EINVAL, "no rule pack given");
        goto done;
    }
    if (!name)
        name = "rules";
    p.name = mn_x__strndup(name, strlen(name));
    p.text = mn_x__strndup(text ? text : "", len);
    p.len = len;
    if (!p.name || !p.text ||
        grow((void **)&b->packs, &b->cap_packs, b->n_packs, sizeof(pack))) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    b->packs[b->n_packs++] = p;
    p.name = p.text = NULL;
done:
    mn_x__free(p.name);
    mn_x__free(p.text);
    return rc;
}

void mn_build_get_summary(mn_build_summary *out, const mn_build *b)
{
    if (!out)
        return;
    if (!b) {
        memset(out, 0, sizeof(*out));
        return;
    }
    *out = b->sum;
}

void mn_kb_bytes_free(void *bytes)
{
    mn_x__free(bytes);
}

/* ------------------------------------------------------------------ */
/* Running a build                                                      */
/* ------------------------------------------------------------------ */

/* State of one run: the files, their kinds and reports. */
typedef struct run {
    mn_build *b;
    mn_kbb *kbb;
    mn_srclist list;
    int *kind;
    mn_report *rep;
    bool *reported;
    mn_error *err;
    int cover_rc; /* a failure to record a coverage record (out of memory) */
} run;

static mn_src src_of(const run *r, const mn_srcfile *f)
{
    mn_src s;
    s.path = f->path;
    s.name = f->name;
    s.data = f->data ? f->data : "";
    s.len = f->data ? f->len : 0;
    s.date = date_for(r->b, f->name);
    return s;
}

/* Calls the report callback for file `i` and adds it to the summary. */
static void report(run *r, size_t i)
{
    mn_report *rep = &r->rep[i];
    mn_build_summary *sum = &r->b->sum;
    char lines[MN_REPORT_MAX_REASONS][200];
    const char *ptrs[MN_REPORT_MAX_REASONS];
    mn_build_file_report fr;

    if (r->reported[i])
        goto done;
    r->reported[i] = true;
    sum->files++;
    if (rep->layout)
        sum->recognised++;
    else
        sum->unrecognised++;
    sum->rows += rep->rows;
    sum->skipped += rep->skipped;
    if (rep->layout && rep->cover_kind && !r->cover_rc) {
        mn_kbb_cover c;
        memset(&c, 0, sizeof(c));
        c.kind = rep->cover_kind;
        c.flags = rep->cover_flags;
        c.from = rep->cover_from;
        c.to = rep->cover_to;
        c.label = rep->cover_label;
        c.source = mn_x__path_name(r->list.items[i].path);
        c.rows = rep->rows;
        r->cover_rc = mn_x__kbb_cover(r->kbb, &c);
    }
    mn_x__sources_drop(&r->list.items[i]);
    if (!r->b->opts.report)
        goto done;
    for (size_t k = 0; k < rep->n_reasons && k < MN_REPORT_MAX_REASONS; k++) {
        snprintf(lines[k], sizeof(lines[k]), "%zu rows: %s",
                 rep->reasons[k].count, rep->reasons[k].text);
        ptrs[k] = lines[k];
    }
    fr.path = r->list.items[i].path;
    fr.layout = rep->layout;
    fr.note = rep->note[0] ? rep->note : NULL;
    fr.rows = rep->rows;
    fr.skipped = rep->skipped;
    fr.n_reasons = rep->n_reasons;
    fr.reasons = rep->n_reasons ? ptrs : NULL;
    r->b->opts.report(r->b->opts.payload, &fr);
done:
    return;
}

static void unrecognised(run *r, size_t i, const char *note)
{
    r->rep[i].layout = NULL;
    snprintf(r->rep[i].note, sizeof(r->rep[i].note), "%s", note);
    report(r, i);
}

/* A loader failed: make sure the error names the file. */
static int loader_failed(run *r, const char *where, int rc)
{
    if (r->err && !r->err->where[0])
        mn_x__err_at(r->err, where, r->err->line, r->err->column);
    if (r->err && r->err->code == MN_OK)
        r->err->code = rc;
    return rc;
}

/* A sniffer ran out of memory reading the header of `where`. */
static int nomem(run *r, const char *where)
{
    mn_x__err(r->err, MN_ENOMEM, "out of memory");
    return loader_failed(r, where, MN_ENOMEM);
}

static int load_icd_files(run *r)
{
    int rc = MN_OK;

    for (size_t i = 0; i < r->list.n; i++) {
        mn_srcfile *f = &r->list.items[i];
        mn_src s;
        int32_t eff;
        const char *got;
        if (r->kind[i] != K_ICD || r->reported[i])
            continue;
        got = mn_x__icd_layout(f->data, f->len);
        if (got == MN_LAYOUT_NOMEM) {
            rc = nomem(r, f->path);
            goto done;
        }
        if (!got) {
            unrecognised(r, i, "header does not match any icd-10-cm layout");
            continue;
        }
        s = src_of(r, f);
        /* the date given for the file, the fiscal year given for every
           file, or the date in its name */
        if (s.date)
            eff = s.date;
        else if (r->b->opts.icd_fy_override)
            eff = mn_x__fy_start(r->b->opts.icd_fy_override);
        else
            eff = mn_x__icd_effective_from_name(f->name);
        rc = mn_x__load_icd_at(r->kbb, &s, eff, &r->rep[i], r->err);
        if (rc) {
            rc = loader_failed(r, f->path, rc);
            goto done;
        }
        report(r, i);
    }
done:
    return rc;
}

/* HCPCS: the ANWEB files, then the record CSVs, then the descriptions
 * (which take the data year of the record CSVs when their name has
 * none). */
static int load_hcpcs_files(run *r)
{
    static const int order[] = {K_ANWEB, K_HCPCS_CSV, K_HCPCS_DESC};
    static const char *const want[] = {
        MN_LAYOUT_HCPCS_ANWEB, MN_LAYOUT_HCPCS_CSV, MN_LAYOUT_HCPCS_DESC};
    int csv_year = 0;
    int rc = MN_OK;

    for (size_t o = 0; o < 3; o++) {
        for (size_t i = 0; i < r->list.n; i++) {
            mn_srcfile *f = &r->list.items[i];
            mn_src s;
            int year;
            char note[128];
            if (r->kind[i] != order[o] || r->reported[i])
                continue;
            const char *got = mn_x__hcpcs_layout(f->data, f->len);
            if (got == MN_LAYOUT_NOMEM) {
                rc = nomem(r, f->path);
                goto done;
            }
            if (got != want[o]) {
                snprintf(note, sizeof(note), "header does not match layout %s",
                         want[o]);
                unrecognised(r, i, note);
                continue;
            }
            s = src_of(r, f);
            year = mn_x__year_in_name(f->name);
            if (s.date) {
                int m;
                int d;
                mn_x__civil_from_days(s.date, &year, &m, &d);
            }
            if (order[o] == K_HCPCS_CSV && !year)
                year = mn_x__hcpcs_csv_year(&s);
            if (year < 0) {
                rc = nomem(r, f->path);
                goto done;
            }
            if (order[o] == K_HCPCS_CSV && year > csv_year)
                csv_year = year;
            if (order[o] == K_HCPCS_DESC && !year)
                year = csv_year;
            rc = mn_x__load_hcpcs(r->kbb, &s, year, &r->rep[i], r->err);
            if (rc) {
                rc = loader_failed(r, f->path, rc);
                goto done;
            }
            if (order[o] != K_HCPCS_DESC) {
                /* a data year covers its calendar year */
                char label[16];
                snprintf(label, sizeof(label), "%d", year);
                if (year >= 1990 && year <= 2099)
                    mn_x__report_cover(&r->rep[i], MN_SOURCE_HCPCS, 0,
                                       mn_x__days_from_civil(year, 1, 1),
                                       mn_x__days_from_civil(year, 12, 31),
                                       label);
                else
                    mn_x__report_cover(&r->rep[i], MN_SOURCE_HCPCS,
                                       KB_CF_UNDATED, MN_NODATE, MN_NODATE,
                                       "year unknown");
            }
            report(r, i);
        }
    }
done:
    return rc;
}

/* The kinds read with one loader call per file: the compact lists
 * (before anything that names codes), the modifier lists, the MCE, NCCI
 * tables and the OPPS Addendum E (inpatient-only list: one service rule
 * per year). A file whose layout is not the kind's is reported as not
 * recognised: by its first line (compact lists, MCE) before it is read,
 * or by the loader leaving the report's layout NULL with a note (NCCI,
 * inpatient-only list). */
static int load_plain_files(run *r, int which)
{
    int rc = MN_OK;

    for (size_t i = 0; i < r->list.n; i++) {
        mn_srcfile *f = &r->list.items[i];
        const char *why = NULL;
        mn_src s;
        if (r->kind[i] != which || r->reported[i])
            continue;
        if (which == K_COMPACT && !mn_x__compact_layout(f->data, f->len)) {
            why = "first line does not name a mednec compact list";
        } else if (which == K_MCE) {
            const char *got = mn_x__mce_layout(f->data, f->len);
            if (got == MN_LAYOUT_NOMEM) {
                rc = nomem(r, f->path);
                goto done;
            }
            if (!got)
                why = "header does not match any mce layout";
        }
        if (why) {
            unrecognised(r, i, why);
            continue;
        }
        s = src_of(r, f);
        switch (which) {
        case K_COMPACT:
            rc = mn_x__load_compact(r->kbb, &s, &r->rep[i], r->err);
            break;
        case K_MODIFIERS:
            rc = mn_x__load_modifiers(r->kbb, &s, &r->rep[i], r->err);
            break;
        case K_MCE:
            rc = mn_x__load_mce(r->kbb, &s, &r->rep[i], r->err);
            break;
        case K_NCCI:
            rc = mn_x__load_ncci(r->kbb, &s, &r->rep[i], r->err);
            break;
        default:
            rc = mn_x__load_ipo(r->kbb, &s, &r->rep[i], r->err);
            break;
        }
        if (rc) {
            rc = loader_failed(r, f->path, rc);
            goto done;
        }
        if (which == K_IPO && !r->rep[i].layout) {
            char note[sizeof(r->rep[i].note)];
            memcpy(note, r->rep[i].note, sizeof(note));
            unrecognised(r, i, note);
        } else {
            report(r, i);
        }
    }
done:
    return rc;
}

/* The base name of a container path ("x/all_article.zip!a_csv.zip" gives
 * "a_csv.zip"), lower case, into buf. */
static void container_base(char *buf, size_t cap, const char *box)
{
    const char *b = box;
    size_t n;

    for (const char *p = box; *p; p++) {
        if (*p == '/' || *p == '!')
            b = p + 1;
    }
    n = strlen(b);
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)mn_x__tolower((unsigned char)b[i]);
    buf[n] = '\0';
}

/* One coverage record for the policies of `kinds` (1 << MN_PK_*) loaded
 * from `n_src` sources: from the earliest effective date; open at the
 * end, since a policy stays in force until it is revised or retired; the
 * label names the download's date (given at build) or the newest date in
 * the tables. */
static int policy_cover(run *r, int kind, unsigned kinds, int32_t given,
                        const char *sources, size_t rows)
{
    mn_kbb_cover c;
    int32_t first;
    int32_t newest;
    size_t count;
    char label[48];
    char d[11];

    mn_x__kbb_policy_span(r->kbb, kinds, &first, &newest, &count);
    memset(&c, 0, sizeof(c));
    c.kind = kind;
    c.from = first;
    c.to = MN_NODATE;
    c.flags = first == MN_NODATE ? KB_CF_UNDATED : 0;
    if (given != MN_NODATE) {
        mn_x__format_date(d, given);
        snprintf(label, sizeof(label), "as of %s", d);
    } else if (newest != MN_NODATE) {
        mn_x__format_date(d, newest);
        snprintf(label, sizeof(label), "newest date %s", d);
    } else {
        snprintf(label, sizeof(label), "dates unknown");
    }
    c.label = label;
    c.source = sources;
    c.rows = rows;
    return mn_x__kbb_cover(r->kbb, &c) ? MN_ENOMEM : MN_OK;
}

/* 1 when the first line of a CSV names the lab NCD id column, 0 when it
 * does not, MN_ENOMEM. */
static int lab_header(const mn_srcfile *f)
{
    mn_csv *csv = NULL;
    int rc = mn_x__csv_open(&csv, f->data ? f->data : "", f->len, ',', NULL);
    int ok = rc == MN_ENOMEM ? MN_ENOMEM
                             : rc == MN_OK && mn_x__csv_col(csv, "ncd_id") >= 0;
    mn_csv_free(csv);
    return ok;
}

static int load_lab_files(run *r)
{
    int rc = MN_OK;

    for (size_t i = 0; i < r->list.n; i++) {
        mn_srcfile *f = &r->list.items[i];
        mn_src codes;
        mn_src meta;
        size_t m = r->list.n;
        int hdr;
        if (r->kind[i] != K_LAB || r->reported[i])
            continue;
        hdr = lab_header(f);
        if (hdr == MN_ENOMEM) {
            rc = nomem(r, f->path);
            goto done;
        }
        if (!hdr) {
            unrecognised(r, i, "header does not match layout lab ncd codes");
            continue;
        }
        for (size_t j = 0; j < r->list.n && m == r->list.n; j++) {
            if (r->kind[j] == K_LAB_META && !r->reported[j] &&
                strcmp(r->list.items[j].container, f->container) == 0)
                m = j;
        }
        hdr = m < r->list.n ? lab_header(&r->list.items[m]) : 1;
        if (hdr == MN_ENOMEM) {
            rc = nomem(r, r->list.items[m].path);
            goto done;
        }
        if (!hdr) {
            unrecognised(r, m, "header does not match layout lab ncd meta");
            m = r->list.n;
        }
        codes = src_of(r, f);
        if (m < r->list.n)
            meta = src_of(r, &r->list.items[m]);
        rc = mn_x__load_lab_ncd(r->kbb, &codes, m < r->list.n ? &meta : NULL,
                                &r->rep[i], m < r->list.n ? &r->rep[m] : NULL,
                                r->err);
        if (rc) {
            rc = loader_failed(r, f->path, rc);
            goto done;
        }
        report(r, i);
        if (m < r->list.n)
            report(r, m);
        if ((rc = policy_cover(r, MN_SOURCE_LAB_NCD, 1u << MN_PK_NCD,
                               codes.date ? codes.date : MN_NODATE,
                               mn_x__path_name(f->path), r->rep[i].rows))) {
            mn_x__err(r->err, rc, "out of memory");
            goto done;
        }
    }
    for (size_t i = 0; i < r->list.n; i++) {
        if (r->kind[i] == K_LAB_META && !r->reported[i])
            unrecognised(r, i, "lab ncd metadata without ncd_codes.csv");
    }
done:
    return rc;
}

/* Adds the name of the folder or archive `box` (without ".zip") to the
 * "; "-separated `list` unless it is there or does not fit: a KB records
 * the names of its sources, not where the build found them, so an export
 * unpacked or as shipped gives the same bytes. */
static void add_box_name(char *list, size_t cap, const char *box)
{
    const char *nm = mn_x__path_name(box);
    size_t nl = strlen(nm);
    size_t used = strlen(list);

    if (nl > 4 && mn_x__strcasecmp(nm + nl - 4, ".zip") == 0)
        nl -= 4;
    if (!nl || used + nl + 3 > cap)
        return;
    for (const char *p = list; *p;) {
        const char *end = strstr(p, "; ");
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == nl && memcmp(p, nm, nl) == 0)
            return;
        p += len + (end ? 2 : 0);
    }
    snprintf(list + used, cap - used, "%s%.*s", used ? "; " : "", (int)nl, nm);
}

/* Every MCD table of the build is one set: the datasets of one export
 * (article, LCD, NCD) use each other's tables, and several downloads
 * (current and retired, or of different dates) merge by version. */
static int load_mcd_files(run *r)
{
    mn_src *set = NULL;
    mn_report *reps = NULL;
    size_t *idx = NULL;
    int32_t given = MN_NODATE;
    bool boxes_dated;
    size_t rows = 0;
    size_t n = 0;
    char boxes[512] = "";
    char base[256];
    int rc = MN_OK;

    set = mn_x__calloc(r->list.n ? r->list.n : 1, sizeof(*set));
    reps = mn_x__calloc(r->list.n ? r->list.n : 1, sizeof(*reps));
    idx = mn_x__calloc(r->list.n ? r->list.n : 1, sizeof(*idx));
    if (!set || !reps || !idx) {
        rc = mn_x__err(r->err, MN_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < r->list.n; i++) {
        if (r->kind[i] != K_MCD || r->reported[i])
            continue;
        idx[n] = i;
        set[n] = src_of(r, &r->list.items[i]);
        n++;
    }
    if (!n)
        goto done;
    rc = mn_x__load_mcd_set(r->kbb, set, n, reps, r->err);
    if (rc) {
        rc = loader_failed(r, r->list.items[idx[0]].container, rc);
        goto done;
    }
    for (size_t k = 0; k < n; k++) {
        const char *box = r->list.items[idx[k]].container;
        bool seen = false;

        for (size_t j = 0; j < k && !seen; j++)
            seen = strcmp(r->list.items[idx[j]].container, box) == 0;
        if (!seen) {
            container_base(base, sizeof(base), box);
            /* Several downloads: the label names the newest. */
            if (date_for(r->b, base) &&
                (given == MN_NODATE || date_for(r->b, base) > given))
                given = date_for(r->b, base);
            add_box_name(boxes, sizeof(boxes), box);
        }
    }
    boxes_dated = given != MN_NODATE;
    /* No --date for a download: the newest date given to its files. */
    for (size_t k = 0; k < n && !boxes_dated; k++) {
        if (set[k].date && (given == MN_NODATE || set[k].date > given))
            given = set[k].date;
    }
    for (size_t k = 0; k < n; k++) {
        rows += reps[k].rows;
        r->rep[idx[k]] = reps[k];
        if (!reps[k].layout && !reps[k].note[0])
            snprintf(r->rep[idx[k]].note, sizeof(reps[k].note),
                     "not used by the mcd loader");
        report(r, idx[k]);
    }
    rc = policy_cover(r, MN_SOURCE_MCD,
                      (1u << MN_PK_LCD) | (1u << MN_PK_ARTICLE), given, boxes,
                      rows);
    if (rc)
        mn_x__err(r->err, rc, "out of memory");
done:
    mn_x__free(set);
    mn_x__free(reps);
    mn_x__free(idx);
    return rc;
}

static int load_rules(run *r)
{
    int rc = MN_OK;

    for (size_t i = 0; i < r->b->n_packs; i++) {
        pack *p = &r->b->packs[i];
        rc = mn_x__rules_compile(r->kbb, p->name, p->text, p->len, r->err);
        if (rc) {
            rc = loader_failed(r, p->name, rc);
            goto done;
        }
    }
    if (!r->b->opts.no_builtin) {
        rc = mn_x__rules_add_builtin(r->kbb, r->err);
        if (rc)
            goto done;
    }
done:
    return rc;
}

/* Reads every source and serialises the KB into `*out`. */
static int build_run(mn_build *b, void **out, size_t *out_len, mn_error *err)
{
    run r;
    int rc = MN_OK;

    memset(&r, 0, sizeof(r));
    r.b = b;
    r.err = err;
    *out = NULL;
    *out_len = 0;
    mn_error_clear(err);
    memset(&b->sum, 0, sizeof(b->sum));
    if (mn_x__kbb_new(&r.kbb)) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < b->n_paths; i++) {
        rc = mn_x__sources_add(&r.list, b->paths[i], 0, want_file, NULL, err);
        if (rc)
            goto done;
    }
    if (r.list.n) {
        r.kind = mn_x__calloc(r.list.n, sizeof(*r.kind));
        r.rep = mn_x__calloc(r.list.n, sizeof(*r.rep));
        r.reported = mn_x__calloc(r.list.n, sizeof(*r.reported));
        if (!r.kind || !r.rep || !r.reported) {
            rc = mn_x__err(err, MN_ENOMEM, "out of memory");
            goto done;
        }
    }
    /* Files not recognised by name are reported first. */
    for (size_t i = 0; i < r.list.n; i++) {
        mn_srcfile *f = &r.list.items[i];
        r.kind[i] = f->note ? K_NONE : kind_of(f->name);
        if (r.kind[i] == K_NONE)
            unrecognised(&r, i, f->note ? f->note : name_note(f->name));
    }
    /* Dependencies first: ICD-10-CM (every year) before anything that
     * names diagnoses, rule packs last. */
    rc = load_icd_files(&r);
    if (!rc)
        rc = load_plain_files(&r, K_COMPACT);
    if (!rc)
        rc = load_hcpcs_files(&r);
    if (!rc)
        rc = load_plain_files(&r, K_MODIFIERS);
    if (!rc)
        rc = load_plain_files(&r, K_MCE);
    if (!rc)
        rc = load_lab_files(&r);
    if (!rc)
        rc = load_mcd_files(&r);
    if (!rc)
        rc = load_plain_files(&r, K_NCCI);
    if (!rc)
        rc = load_plain_files(&r, K_IPO);
    if (!rc)
        rc = load_rules(&r);
    if (!rc && r.cover_rc)
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
    if (rc)
        goto done;
    if (!b->sum.recognised && !b->n_packs && !b->opts.allow_empty) {
        rc = mn_x__err(err, MN_ENOTFOUND,
                       "no recognised source: %zu files seen, none of a "
                       "known layout (see docs/kb.md); nothing written "
                       "(allow an empty build, mednec build --allow-empty, "
                       "for the built-in rule packs alone)",
                       b->sum.files);
        goto done;
    }
    rc = mn_x__kbb_serialize(r.kbb, b->built, out, out_len, err);
    if (rc)
        goto done;
    b->sum.kb_bytes = *out_len;
done:
    mn_x__sources_free(&r.list);
    mn_x__free(r.kind);
    mn_x__free(r.rep);
    mn_x__free(r.reported);
    mn_x__kbb_free(r.kbb);
    if (rc && *out) {
        mn_x__free(*out);
        *out = NULL;
        *out_len = 0;
    }
    return rc;
}

int mn_build_to_memory(void **out, size_t *out_len, mn_build *b, mn_error *err)
{
    int rc = MN_OK;

    if (!out || !out_len || !b) {
        if (out)
            *out = NULL;
        rc = mn_x__err(err, MN_EINVAL, "invalid arguments");
        goto done;
    }
    rc = build_run(b, out, out_len, err);
done:
    return rc;
}

int mn_build_write(mn_build *b, const char *out_path, mn_error *err)
{
    mn_outfile *f = NULL;
    void *bytes = NULL;
    size_t len = 0;
    int rc = MN_OK;

    if (!b || !out_path || !*out_path) {
        rc = mn_x__err(err, MN_EINVAL, "invalid arguments");
        goto done;
    }
    /* the output first: a directory or a device is refused before the
     * build, not after it */
    rc = mn_outfile_open(&f, out_path, NULL, err);
    if (rc == MN_OK)
        rc = build_run(b, &bytes, &len, err);
    if (rc == MN_OK)
        rc = mn_outfile_write(f, bytes, len, err);
    if (rc == MN_OK)
        rc = mn_outfile_commit(f, err);
done:
    mn_outfile_free(f);
    mn_x__free(bytes);
    return rc;
}
