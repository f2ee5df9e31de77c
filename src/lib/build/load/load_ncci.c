/*
 * build/load/load_ncci.c: the NCCI files -> the builder state of the NCCI
 * extension.
 *
 * Reads MUE, PTP and add-on code (AOC) tables, in the CMS layouts (title
 * rows before the header, "MUE Adjudication Indicator" text starting with
 * the digit, PTP "Column 1 | Column 2 | * = In existence prior to 1996 |
 * Effective Date | Deletion Date | Modifier | PTP Edit Rationale") and in
 * the CSV layouts of the shared data (one header row, ISO dates,
 * 9999-12-31 for "not deleted"). The kind of table comes from the header,
 * the PTP table (practitioner or hospital) and the MUE service from the
 * file name or a column. Every row is loaded or counted as skipped.
 */
#include <stdio.h>
#include <string.h>

#include "build/writer/ncci_build.h"
#include "build/load/loaders.h"

static const char LAYOUT_MUE_CSV[] = "ncci mue csv";
static const char LAYOUT_MUE_CMS[] = "ncci mue (cms layout)";
static const char LAYOUT_PTP_CSV[] = "ncci ptp csv";
static const char LAYOUT_PTP_CMS[] = "ncci ptp (cms layout)";
static const char LAYOUT_AOC_CSV[] = "ncci aoc csv";
static const char LAYOUT_AOC_CMS[] = "ncci aoc (cms layout)";

#define HEADER_SCAN 20 /* lines searched for the header */
#define MAX_COLS 64
#define COL_NAME 64

enum { NK_NONE = 0, NK_MUE, NK_PTP, NK_AOC };

static const char *const SERVICE_NAME[MN_MUE_SERVICES] = {
    "practitioner", "outpatient hospital", "dme supplier"};
static const char *const TABLE_NAME[MN_PTP_TABLES] = {"practitioner",
                                                      "hospital"};

/* ------------------------------------------------------------------ */
/* Names and headers                                                    */
/* ------------------------------------------------------------------ */

/* The lower-case letters and digits of s[0..n), NUL-terminated. */
static void norm(char *out, size_t cap, const char *s, size_t n)
{
    size_t o = 0;

    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        int c = mn_x__tolower((unsigned char)s[i]);
        if (mn_x__isdigit(c) || (c >= 'a' && c <= 'z'))
            out[o++] = (char)c;
    }
    out[o] = '\0';
}

/*
 * Records. The PTP tables are millions of rows, so records are split here
 * without copying (RFC 4180 quoting: a quoted field may hold delimiters,
 * line breaks and doubled quotes; tab-separated files have no quoting).
 * Fields are slices of the source; a field with doubled quotes is marked
 * and unescaped only where its text is kept.
 */
typedef struct rec {
    size_t n;
    size_t line; /* 1-based line where the record starts */
    const char *f[MAX_COLS];
    size_t len[MAX_COLS];
    bool esc[MAX_COLS];
} rec;

typedef struct scan {
    const char *p;
    const char *end;
    char delim;
    bool quotes;
    size_t line;
} scan;

/* The first `c` in [p, end), or end. */
static const char *find_char(const char *p, const char *end, char c)
{
    const char *q = p < end ? memchr(p, c, (size_t)(end - p)) : NULL;
    return q ? q : end;
}

/* Reads the next record into `r`: 1, 0 at the end of the input, or
 * MN_EINVAL for a quote that is never closed. Fields past MAX_COLS are
 * dropped. The scanning is done by memchr: it is what the build spends
 * its time on, and it stays fast in sanitizer builds. */
static int scan_next(scan *sc, rec *r, mn_error *err)
{
    const char *p = sc->p;
    const char *end = sc->end;
    const char *nl;
    int rc = 1;

    r->n = 0;
    r->line = sc->line;
    if (p >= end) {
        rc = 0;
        goto done;
    }
    nl = find_char(p, end, '\n');
    for (;;) {
        const char *start = p;
        size_t len;
        bool esc = false;
        if (sc->quotes && p < nl && *p == '"') {
            const char *q = p + 1;
            for (;;) {
                q = find_char(q, end, '"');
                if (q == end) {
                    rc = mn_x__err(err, MN_EINVAL, "quote never closed");
                    if (err) {
                        err->line = r->line;
                        err->column = 0;
                    }
                    sc->p = end;
                    goto done;
                }
                if (q + 1 < end && q[1] == '"') {
                    esc = true;
                    q += 2;
                    continue;
                }
                break;
            }
            start = p + 1;
            len = (size_t)(q - start);
            if (q > nl) { /* line breaks inside the quotes */
                for (const char *x = nl; x < q; x = find_char(x + 1, q, '\n'))
                    sc->line++;
                nl = find_char(q, end, '\n');
            }
            /* anything between the closing quote and the delimiter is
               ignored (the delimiter nearly always follows) */
            p = q + 1;
            if (p < nl && *p != sc->delim)
                p = find_char(p, nl, sc->delim);
        } else {
            p = find_char(p, nl, sc->delim);
            len = (size_t)(p - start);
            if (p == nl && len && start[len - 1] == '\r')
                len--;
        }
        if (r->n < MAX_COLS) {
            r->f[r->n] = start;
            r->len[r->n] = len;
            r->esc[r->n] = esc;
            r->n++;
        }
        if (p < nl) { /* a delimiter */
            p++;
            continue;
        }
        p = nl < end ? nl + 1 : end;
        sc->line++;
        break;
    }
    sc->p = p;
done:
    return rc;
}

/* The kind of table a normalised header line belongs to. */
static int header_kind(const char *line)
{
    int kind = NK_NONE;

    if (strstr(line, "column1") && strstr(line, "column2"))
        kind = NK_PTP;
    else if (strstr(line, "addoncode") && strstr(line, "primarycode"))
        kind = NK_AOC;
    else if (strstr(line, "hcpcs") &&
             (strstr(line, "adjudicationindicator") || strstr(line, "muemai")))
        kind = NK_MUE;
    return kind;
}

/* The delimiter of a file: a tab when one of the first lines has two
 * tabs, a vertical bar when one has three bars and no comma, else a
 * comma. */
static char detect_delim(const char *data, size_t len)
{
    size_t pos = 0;
    const char *line;
    size_t ll;
    char delim = ',';

    for (size_t n = 0; n < HEADER_SCAN && delim == ','; n++) {
        size_t tabs = 0;
        size_t bars = 0;
        size_t commas = 0;
        if (!mn_x__next_line(data, len, &pos, &line, &ll))
            break;
        for (size_t i = 0; i < ll; i++) {
            tabs += line[i] == '\t';
            bars += line[i] == '|';
            commas += line[i] == ',';
        }
        if (tabs >= 2)
            delim = '\t';
        else if (bars >= 3 && !commas)
            delim = '|';
    }
    return delim;
}

/* Finds the header among the first HEADER_SCAN records (title and notice
 * rows come first in the CMS files; a header cell may span lines, as
 * "HCPCS/<line break>CPT Code" does). Leaves `sc` after the header and
 * the header in `r`; returns its kind and, in *first, whether it was the
 * first record. */
static int find_header(scan *sc, rec *r, bool *first)
{
    char buf[1024];
    int kind = NK_NONE;

    for (size_t n = 0; n < HEADER_SCAN && kind == NK_NONE; n++) {
        size_t o = 0;
        if (scan_next(sc, r, NULL) <= 0)
            break;
        for (size_t i = 0; i < r->n && o + 1 < sizeof(buf); i++) {
            norm(buf + o, sizeof(buf) - o, r->f[i], r->len[i]);
            o += strlen(buf + o);
        }
        kind = header_kind(buf);
        *first = n == 0;
    }
    return kind;
}

/* The normalised header names of the header record. */
typedef struct hdr {
    size_t n;
    char name[MAX_COLS][COL_NAME];
} hdr;

static void hdr_read(hdr *h, const rec *r)
{
    h->n = r->n;
    for (size_t i = 0; i < h->n; i++)
        norm(h->name[i], COL_NAME, r->f[i], r->len[i]);
}

/* The first column whose name equals `word` (exact) or contains it, and
 * does not contain `unless` (NULL: no exclusion); -1 when none. */
static int hdr_col(const hdr *h, const char *word, bool exact,
                   const char *unless)
{
    int col = -1;

    for (size_t i = 0; i < h->n && col < 0; i++) {
        const char *nm = h->name[i];
        bool hit = exact ? strcmp(nm, word) == 0 : strstr(nm, word) != NULL;
        if (hit && !(unless && strstr(nm, unless)))
            col = (int)i;
    }
    return col;
}

/* True when name contains one of the words. */
static bool name_has(const char *name, const char *const *words, size_t n)
{
    bool hit = false;

    for (size_t i = 0; i < n && !hit; i++)
        hit = strstr(name, words[i]) != NULL;
    return hit;
}

/* PTP table from a file name, or -1. */
static int table_of_name(const char *name)
{
    static const char *const prac[] = {"ccipra", "_prac", "-prac",
                                       "practitioner"};
    static const char *const hosp[] = {"ccioph", "_out", "-out", "outpatient",
                                       "hosp"};
    int t = -1;

    if (name_has(name, prac, sizeof(prac) / sizeof(prac[0])))
        t = MN_PTP_PRAC;
    else if (name_has(name, hosp, sizeof(hosp) / sizeof(hosp[0])))
        t = MN_PTP_HOSP;
    return t;
}

/* MUE service from a (normalised) column name or file name, or -1. */
static int service_of(const char *s)
{
    int svc = -1;

    if (strstr(s, "prac"))
        svc = MN_MUE_PRAC;
    else if (strstr(s, "outpatient") || strstr(s, "_out") ||
             strstr(s, "-out") || strstr(s, "hosp"))
        svc = MN_MUE_OUT;
    else if (strstr(s, "dme"))
        svc = MN_MUE_DME;
    return svc;
}

static int digits_at(const char *s, size_t n, int *v)
{
    int x = 0;

    for (size_t i = 0; i < n; i++) {
        if (!mn_x__isdigit(s[i]))
            return 0;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return 1;
}

/* The period of a file from its name: "2024q3" (quarter), "eff_07-01-2024"
 * (MUE effective date) or "v303r0" (NCCI version). Writes a label and
 * returns a rank (newer is larger; a first day as a date when known). */
static int64_t period_of(const char *name, char *label, size_t cap,
                         int32_t *date)
{
    size_t n = strlen(name);
    int64_t rank = 0;
    int y;
    int q;
    int m;
    int d;

    label[0] = '\0';
    *date = MN_NODATE;
    for (size_t i = 0; i + 6 <= n && !rank; i++) {
        if (digits_at(name + i, 4, &y) && name[i + 4] == 'q' &&
            digits_at(name + i + 5, 1, &q) && y >= 1990 && y <= 2099 &&
            q >= 1 && q <= 4 && (i + 6 == n || !mn_x__isdigit(name[i + 6]))) {
            snprintf(label, cap, "%04dQ%d", y, q);
            *date = mn_x__days_from_civil(y, 3 * (q - 1) + 1, 1);
            rank = *date;
        }
    }
    for (size_t i = 0; i + 14 <= n && !rank; i++) {
        const char *p = name + i + 4;
        if (strncmp(name + i, "eff", 3) == 0 && digits_at(p, 2, &m) &&
            digits_at(p + 3, 2, &d) && digits_at(p + 6, 4, &y) && m >= 1 &&
            m <= 12 && d >= 1 && d <= 31 && y >= 1990 && y <= 2099) {
            snprintf(label, cap, "%04d-%02d-%02d", y, m, d);
            *date = mn_x__days_from_civil(y, m, d);
            rank = *date;
        }
    }
    for (size_t i = 0; i + 4 <= n && !rank; i++) {
        size_t j = i + 1;
        int v = 0;
        if (name[i] != 'v' || (i && mn_x__isalpha(name[i - 1])))
            continue;
        while (j < n && mn_x__isdigit(name[j]) && v < 100000)
            v = v * 10 + (name[j++] - '0');
        if (j - i >= 3 && j < n && name[j] == 'r') {
            size_t k = j + 1;
            int r = 0;
            while (k < n && mn_x__isdigit(name[k]) && r < 100)
                r = r * 10 + (name[k++] - '0');
            snprintf(label, cap, "v%dr%d", v, r);
            rank = (int64_t)v * 100 + r;
        }
    }
    return rank;
}

/* ------------------------------------------------------------------ */
/* Builder state                                                        */
/* ------------------------------------------------------------------ */

static int get_state(ncci_b **out, mn_kbb *b)
{
    ncci_b *s = mn_x__kbb_ext(b, MN_EXT_NCCI);
    int rc = MN_OK;

    if (!s) {
        s = mn_x__calloc(1, sizeof(*s));
        if (!s) {
            rc = MN_ENOMEM;
            goto done;
        }
        mn_x__kbb_ext_set(b, MN_EXT_NCCI, s, mn_x__ncci_state_free);
    }
    *out = s;
done:
    return rc;
}

/* Registers a source file; its index goes to *src. */
static int add_source(ncci_b *s, int64_t rank, uint8_t *src)
{
    int rc = MN_OK;

    if (s->n_src > MN_NCCI_MAX_SRC) {
        rc = MN_ELIMIT;
        goto done;
    }
    s->src_rank[s->n_src] = rank;
    *src = (uint8_t)s->n_src++;
done:
    return rc;
}

/* Keeps the label of the newest source. */
static void set_label(char *dst, int64_t *dst_rank, const char *label,
                      int64_t rank)
{
    if (label[0] && (!dst[0] || rank >= *dst_rank)) {
        snprintf(dst, MN_NCCI_LABEL, "%s", label);
        *dst_rank = rank;
    }
}

static int code_id(ncci_b *s, mn_key key, uint32_t *id)
{
    uint32_t n;
    int rc = MN_OK;

    if (mn_x__map_get(&s->ids, key, id))
        goto done;
    n = (uint32_t)MN_VEC_COUNT(&s->keys, uint64_t);
    if (n >= MN_NCCI_MAX_CODES) {
        rc = MN_ELIMIT;
        goto done;
    }
    if ((rc = mn_x__vec_push(&s->keys, &key, sizeof(key))) ||
        (rc = mn_x__map_put(&s->ids, key, n)))
        goto done;
    *id = n;
done:
    return rc;
}

/* Interns a text into one of the small text tables; *ix gets its index
 * or `none` when the table is full or the text empty. */
static int intern(mn_map *ids, char **tab, size_t *n, size_t max, const char *t,
                  size_t len, uint32_t none, uint32_t *ix)
{
    uint64_t h;
    uint32_t v;
    int rc = MN_OK;

    *ix = none;
    if (!len)
        goto done;
    h = mn_x__hash(t, len);
    if (mn_x__map_get(ids, h, &v) && strlen(tab[v]) == len &&
        memcmp(tab[v], t, len) == 0) {
        *ix = v;
        goto done;
    }
    for (size_t i = 0; i < *n; i++) {
        if (strlen(tab[i]) == len && memcmp(tab[i], t, len) == 0) {
            *ix = (uint32_t)i;
            goto done;
        }
    }
    if (*n >= max)
        goto done;
    tab[*n] = mn_x__strndup(t, len);
    if (!tab[*n] || mn_x__map_put(ids, h, (uint32_t)*n)) {
        mn_x__free(tab[*n]);
        tab[*n] = NULL;
        rc = MN_ENOMEM;
        goto done;
    }
    *ix = (uint32_t)(*n)++;
done:
    return rc;
}

/* ------------------------------------------------------------------ */
/* Fields                                                               */
/* ------------------------------------------------------------------ */

/* Field `col` of the record, trimmed ("" when absent). */
static const char *field(const rec *r, int col, size_t *len)
{
    const char *f = "";

    *len = 0;
    if (col >= 0 && (size_t)col < r->n) {
        f = r->f[col];
        *len = mn_x__trim(&f, r->len[col]);
    }
    return f;
}

/* A text field with doubled quotes undone, in `buf` when needed. */
static const char *text_field(const rec *r, int col, char *buf, size_t cap,
                              size_t *len)
{
    const char *f = field(r, col, len);
    size_t o = 0;

    if (col < 0 || (size_t)col >= r->n || !r->esc[col])
        return f;
    for (size_t i = 0; i < *len && o + 1 < cap; i++) {
        buf[o++] = f[i];
        if (f[i] == '"' && i + 1 < *len && f[i + 1] == '"')
            i++;
    }
    buf[o] = '\0';
    *len = o;
    return buf;
}

/* A HCPCS/CPT code: five letters or digits. */
static mn_key code5(const char *s, size_t n)
{
    mn_key k = 0;
    bool ok = n == 5;

    for (size_t i = 0; ok && i < n; i++) {
        int c = mn_x__toupper((unsigned char)s[i]);
        ok = mn_x__isdigit(c) || (c >= 'A' && c <= 'Z');
    }
    if (ok)
        k = mn_x__key(s, n);
    return k;
}

/* A date field: "" and "*" are no date (true, *d = MN_NODATE), as is
 * 9999-12-31; false when malformed. */
static bool date_field(const char *s, size_t n, int32_t *d)
{
    bool ok = true;

    *d = MN_NODATE;
    if (n == 0 || (n == 1 && s[0] == '*'))
        goto done;
    if ((n == 10 && memcmp(s, "9999-12-31", 10) == 0) ||
        (n == 8 && memcmp(s, "99991231", 8) == 0))
        goto done;
    ok = mn_x__parse_date(d, s, n, true);
    if (ok && *d > MN_D16_MAX && *d != MN_NODATE)
        *d = MN_NODATE; /* far future: no deletion in practice */
done:
    return ok;
}

/* Per-file reading context. */
typedef struct rd {
    ncci_b *s;
    const mn_src *src;
    mn_report *rep;
    mn_error *err;
    scan sc;
    rec rec;
    hdr h;
    uint8_t srcix;
} rd;

static size_t rec_no(const rd *r)
{
    return r->rec.line;
}

static bool blank_record(const rec *r)
{
    bool blank = true;

    for (size_t i = 0; i < r->n && blank; i++) {
        const char *f = r->f[i];
        blank = mn_x__trim(&f, r->len[i]) == 0;
    }
    return blank;
}

/* A failure while storing a row: the message and the line. */
static int fail(rd *r, int rc)
{
    if (rc == MN_ELIMIT)
        mn_x__err(r->err, rc, "too many codes or rows in the ncci tables");
    else
        mn_x__err(r->err, rc, "out of memory");
    if (r->err) {
        r->err->line = rec_no(r);
        r->err->column = 0;
    }
    return rc;
}

/* Reads the next record: 1, 0 at the end, or the error. */
static int next(rd *r)
{
    return scan_next(&r->sc, &r->rec, r->err);
}

/* ------------------------------------------------------------------ */
/* PTP                                                                  */
/* ------------------------------------------------------------------ */

static int load_ptp(rd *r, int table)
{
    int c1 = hdr_col(&r->h, "column1", true, NULL);
    int c2 = hdr_col(&r->h, "column2", true, NULL);
    int ceff = hdr_col(&r->h, "effective", false, NULL);
    int cdel = hdr_col(&r->h, "deletion", false, NULL);
    int cmod = hdr_col(&r->h, "modifier", false, NULL);
    int crat = hdr_col(&r->h, "rationale", false, NULL);
    mn_key last1 = 0;
    uint32_t last1_id = 0;
    const char *last_t = NULL;
    size_t last_tl = 0;
    uint32_t last_tix = MN_PTP_NO_TEXT;
    char tbuf[256];
    int rc = MN_OK;

    if (c1 == 0 && c2 == 1 && r->h.n >= 7) {
        /* the seven CMS columns, whose header cells may wrap over several
           lines: what the header line does not name is taken by position
           (the continuation lines are skipped as rows that are not
           edits) */
        ceff = ceff < 0 ? 3 : ceff;
        cdel = cdel < 0 ? 4 : cdel;
        cmod = cmod < 0 ? 5 : cmod;
        crat = crat < 0 ? 6 : crat;
    }
    if (c1 < 0 || c2 < 0 || cmod < 0 || cdel < 0) {
        r->rep->layout = NULL;
        snprintf(r->rep->note, sizeof(r->rep->note),
                 "ptp header lacks column 1, column 2, deletion date or "
                 "modifier");
        goto done;
    }
    /* about 60 bytes a row: one reservation instead of many copies */
    if ((rc = mn_x__vec_reserve(&r->s->ptp,
                                r->src->len / 60 * sizeof(ncci_row)))) {
        rc = fail(r, rc);
        goto done;
    }
    for (;;) {
        const char *f;
        size_t fl;
        mn_key k1;
        mn_key k2;
        int32_t eff = MN_NODATE;
        int32_t del = MN_NODATE;
        ncci_row row;
        uint32_t tix = MN_PTP_NO_TEXT;

        rc = next(r);
        if (rc <= 0)
            break;
        rc = MN_OK;
        if (blank_record(&r->rec))
            continue;
        f = field(&r->rec, c1, &fl);
        k1 = code5(f, fl);
        f = field(&r->rec, c2, &fl);
        k2 = code5(f, fl);
        if (!k1 || !k2) {
            mn_x__report_skip(r->rep,
                              k1 || k2 ? "bad code"
                                       : "not an edit row (notes or header "
                                         "continuation)",
                              rec_no(r));
            continue;
        }
        f = field(&r->rec, cmod, &fl);
        if (fl != 1 || (f[0] != '0' && f[0] != '1' && f[0] != '9')) {
            mn_x__report_skip(r->rep, "bad modifier indicator", rec_no(r));
            continue;
        }
        if (f[0] == '9') {
            /* "not applicable": the row is no edit and marks no period
               (CMS uses it for edits deleted the day they took effect) */
            mn_x__report_skip(r->rep,
                              "modifier indicator 9 (not applicable: not an "
                              "edit)",
                              rec_no(r));
            continue;
        }
        memset(&row, 0, sizeof(row));
        row.mod = f[0] == '0' ? MN_PTP_MOD_NO : MN_PTP_MOD_YES;
        f = field(&r->rec, cdel, &fl);
        if (!date_field(f, fl, &del)) {
            mn_x__report_skip(r->rep, "bad deletion date", rec_no(r));
            continue;
        }
        f = field(&r->rec, ceff, &fl);
        if (!date_field(f, fl, &eff)) {
            mn_x__report_skip(r->rep, "bad effective date", rec_no(r));
            continue;
        }
        if (eff != MN_NODATE && del != MN_NODATE && del < eff) {
            mn_x__report_skip(r->rep, "deleted before it took effect",
                              rec_no(r));
            continue;
        }
        f = text_field(&r->rec, crat, tbuf, sizeof(tbuf), &fl);
        if (fl && last_t && fl == last_tl && memcmp(f, last_t, fl) == 0) {
            tix = last_tix;
        } else if (fl) {
            rc = intern(&r->s->ptp_text_ids, r->s->ptp_text, &r->s->n_ptp_text,
                        MN_PTP_NO_TEXT, f, fl, MN_PTP_NO_TEXT, &tix);
            if (rc) {
                rc = fail(r, rc);
                goto done;
            }
            last_tix = tix;
            last_t = tix == MN_PTP_NO_TEXT ? NULL : r->s->ptp_text[tix];
            last_tl = fl;
        }
        if (k1 != last1) {
            if ((rc = code_id(r->s, k1, &last1_id))) {
                rc = fail(r, rc);
                goto done;
            }
            last1 = k1;
        }
        row.col1 = last1_id;
        if ((rc = code_id(r->s, k2, &row.col2))) {
            rc = fail(r, rc);
            goto done;
        }
        row.eff = eff == MN_NODATE ? MN_D16_NONE_EFF : mn_x__d16(eff);
        row.del = del == MN_NODATE ? MN_D16_NONE_DEL : mn_x__d16(del);
        row.table = (uint8_t)table;
        row.text = (uint8_t)tix;
        row.src = r->srcix;
        if ((rc = mn_x__vec_push(&r->s->ptp, &row, sizeof(row)))) {
            rc = fail(r, rc);
            goto done;
        }
        r->rep->rows++;
    }
done:
    return rc < 0 ? rc : MN_OK;
}

/* ------------------------------------------------------------------ */
/* MUE                                                                  */
/* ------------------------------------------------------------------ */

static int load_mue(rd *r, int file_svc)
{
    int ccode = hdr_col(&r->h, "hcpcs", false, NULL);
    int cunits = hdr_col(&r->h, "mueunits", true, NULL);
    int cmai = hdr_col(&r->h, "muemai", true, NULL);
    int crat = hdr_col(&r->h, "rationale", false, NULL);
    int csvc = hdr_col(&r->h, "mueservice", true, NULL);
    char tbuf[256];
    int rc = MN_OK;

    if (cunits < 0)
        cunits = hdr_col(&r->h, "muevalue", false, NULL);
    if (cmai < 0)
        cmai = hdr_col(&r->h, "adjudicationindicator", false, NULL);
    if (cunits >= 0 && file_svc < 0)
        file_svc = service_of(r->h.name[cunits]);
    if (ccode < 0 || cunits < 0 || cmai < 0 || (file_svc < 0 && csvc < 0)) {
        r->rep->layout = NULL;
        snprintf(r->rep->note, sizeof(r->rep->note),
                 ccode < 0 || cunits < 0 || cmai < 0
                     ? "mue header lacks the code, value or adjudication "
                       "indicator column"
                     : "cannot tell the mue service (practitioner, "
                       "outpatient hospital, dme) from the name or header");
        goto done;
    }
    for (;;) {
        const char *f;
        size_t fl;
        ncci_mue_row row;
        unsigned long units = 0;
        uint32_t tix = MN_MUE_NO_TEXT;
        int svc = file_svc;

        rc = next(r);
        if (rc <= 0)
            break;
        rc = MN_OK;
        if (blank_record(&r->rec))
            continue;
        memset(&row, 0, sizeof(row));
        f = field(&r->rec, ccode, &fl);
        row.m.code = code5(f, fl);
        if (!row.m.code) {
            mn_x__report_skip(r->rep,
                              fl ? "not an mue row (bad code or notes)"
                                 : "missing code",
                              rec_no(r));
            continue;
        }
        f = field(&r->rec, cunits, &fl);
        if (!mn_x__parse_uint(&units, f, fl) || units > UINT32_MAX) {
            mn_x__report_skip(r->rep,
                              fl ? "bad mue value" : "no published mue value",
                              rec_no(r));
            continue;
        }
        f = field(&r->rec, cmai, &fl);
        if (!fl || f[0] < '1' || f[0] > '3' ||
            (fl > 1 && mn_x__isdigit(f[1]))) {
            mn_x__report_skip(r->rep, "bad mue adjudication indicator",
                              rec_no(r));
            continue;
        }
        row.m.mai = (uint8_t)(f[0] - '0');
        if (csvc >= 0) {
            char nm[COL_NAME];
            f = field(&r->rec, csvc, &fl);
            norm(nm, sizeof(nm), f, fl);
            svc = fl ? service_of(nm) : file_svc;
            if (svc < 0) {
                mn_x__report_skip(r->rep, "unknown mue service", rec_no(r));
                continue;
            }
        }
        f = text_field(&r->rec, crat, tbuf, sizeof(tbuf), &fl);
        rc = intern(&r->s->mue_text_ids, r->s->mue_text, &r->s->n_mue_text,
                    MN_MUE_NO_TEXT, f, fl, MN_MUE_NO_TEXT, &tix);
        if (rc) {
            rc = fail(r, rc);
            goto done;
        }
        row.m.units = (uint32_t)units;
        row.m.service = (uint8_t)svc;
        row.m.text = (uint8_t)tix;
        row.src = r->srcix;
        if ((rc = mn_x__vec_push(&r->s->mue, &row, sizeof(row)))) {
            rc = fail(r, rc);
            goto done;
        }
        r->rep->rows++;
    }
done:
    return rc < 0 ? rc : MN_OK;
}

/* ------------------------------------------------------------------ */
/* AOC                                                                  */
/* ------------------------------------------------------------------ */

static int load_aoc(rd *r)
{
    int cadd = hdr_col(&r->h, "addoncode", true, NULL);
    int cprim = hdr_col(&r->h, "primarycode", true, NULL);
    int ctype = hdr_col(&r->h, "edittype", false, NULL);
    int ceff = hdr_col(&r->h, "eff", false, NULL);
    int cdel[MAX_COLS];
    size_t ndel = 0;
    int rc = MN_OK;

    if (cadd < 0)
        cadd = hdr_col(&r->h, "addoncode", false, "del");
    if (cprim < 0)
        cprim = hdr_col(&r->h, "primarycode", false, "del");
    for (size_t i = 0; i < r->h.n; i++) {
        if (strstr(r->h.name[i], "del"))
            cdel[ndel++] = (int)i;
    }
    if (cadd < 0 || cprim < 0 || ctype < 0) {
        r->rep->layout = NULL;
        snprintf(r->rep->note, sizeof(r->rep->note),
                 "aoc header lacks add-on code, primary code or edit type");
        goto done;
    }
    for (;;) {
        const char *f;
        size_t fl;
        ncci_aoc_row row;
        bool bad_date = false;

        rc = next(r);
        if (rc <= 0)
            break;
        rc = MN_OK;
        if (blank_record(&r->rec))
            continue;
        memset(&row, 0, sizeof(row));
        f = field(&r->rec, cadd, &fl);
        row.a.addon = code5(f, fl);
        if (!row.a.addon) {
            mn_x__report_skip(r->rep, "not an aoc row (bad add-on code)",
                              rec_no(r));
            continue;
        }
        f = field(&r->rec, cprim, &fl);
        if (fl == 5 && mn_x__contains_ci(f, fl, "CCCCC")) {
            row.a.primary = 0; /* any primary */
        } else {
            row.a.primary = code5(f, fl);
            if (!row.a.primary) {
                mn_x__report_skip(r->rep, "bad primary code", rec_no(r));
                continue;
            }
        }
        f = field(&r->rec, ctype, &fl);
        if (!fl || f[0] < '1' || f[0] > '3' ||
            (fl > 1 && mn_x__isdigit(f[1]))) {
            mn_x__report_skip(r->rep, "bad aoc edit type", rec_no(r));
            continue;
        }
        row.a.type = (uint32_t)(f[0] - '0');
        f = field(&r->rec, ceff, &fl);
        bad_date = !date_field(f, fl, &row.a.effective);
        /* the edit ends with the first of its deletion dates (edit,
           add-on code, primary code) */
        row.a.deleted = MN_NODATE;
        for (size_t i = 0; i < ndel && !bad_date; i++) {
            int32_t d;
            f = field(&r->rec, cdel[i], &fl);
            bad_date = !date_field(f, fl, &d);
            if (!bad_date && d != MN_NODATE &&
                (row.a.deleted == MN_NODATE || d < row.a.deleted))
                row.a.deleted = d;
        }
        if (bad_date) {
            mn_x__report_skip(r->rep, "bad date", rec_no(r));
            continue;
        }
        row.src = r->srcix;
        if ((rc = mn_x__vec_push(&r->s->aoc, &row, sizeof(row)))) {
            rc = fail(r, rc);
            goto done;
        }
        r->rep->rows++;
    }
done:
    return rc < 0 ? rc : MN_OK;
}

/* ------------------------------------------------------------------ */
/* Entry                                                                */
/* ------------------------------------------------------------------ */

/* Records the period a file covers: from its first day (a quarter's, an
 * effective date's or the date given at build) to the end of that
 * quarter; undated when the name has only a version ("v303r0") or
 * nothing. A table whose rows carry their own effective and deletion
 * dates (the CMS PTP and add-on code layouts: `history`) also judges the
 * dates before its quarter, so only its end is set. */
static void cover(mn_report *rep, int kind, int32_t first, const char *label,
                  bool history)
{
    int y;
    int m;
    int d;
    int32_t end;
    char q[16];

    if (first == MN_NODATE) {
        mn_x__report_cover(rep, kind, KB_CF_UNDATED, MN_NODATE, MN_NODATE,
                           label);
        return;
    }
    mn_x__civil_from_days(first, &y, &m, &d);
    m = (m - 1) / 3 * 3 + 4; /* first month of the next quarter */
    end = m > 12 ? mn_x__days_from_civil(y + 1, 1, 1) - 1
                 : mn_x__days_from_civil(y, m, 1) - 1;
    snprintf(q, sizeof(q), "%04dQ%d", y, (m - 1) / 3);
    mn_x__report_cover(rep, kind, 0, history ? MN_NODATE : first, end, q);
}

int mn_x__load_ncci(mn_kbb *b, const mn_src *src, mn_report *rep, mn_error *err)
{
    rd r;
    bool first = false;
    char label[MN_NCCI_LABEL];
    int32_t date;
    int64_t rank;
    int kind;
    const char *name;
    int rc = MN_OK;

    memset(&r, 0, sizeof(r));
    if (!b || !src || !rep || (!src->data && src->len)) {
        rc = mn_x__err(err, MN_EINVAL, "invalid arguments");
        goto done;
    }
    name = src->name ? src->name : "";
    r.sc.p = src->data ? src->data : "";
    r.sc.end = r.sc.p + src->len;
    r.sc.delim = detect_delim(r.sc.p, src->len);
    r.sc.quotes = r.sc.delim != '\t';
    r.sc.line = 1;
    kind = find_header(&r.sc, &r.rec, &first);
    if (kind == NK_NONE) {
        rep->layout = NULL;
        snprintf(rep->note, sizeof(rep->note),
                 "header does not match any ncci layout (mue, ptp, aoc)");
        goto done;
    }
    if ((rc = get_state(&r.s, b)))
        goto nomem;
    rank = period_of(name, label, sizeof(label), &date);
    if (src->date) {
        /* a date given at build: that quarter, newer than any by name */
        date = src->date;
        mn_x__format_date(label, date);
        rank = date;
    }
    if ((rc = add_source(r.s, rank, &r.srcix))) {
        rc = mn_x__err(err, rc, "too many ncci source files");
        goto done;
    }
    mn_x__kbb_saw_date(b, date);
    r.src = src;
    r.rep = rep;
    r.err = err;
    hdr_read(&r.h, &r.rec);
    if (kind == NK_PTP) {
        int t = table_of_name(name);
        rep->layout = first && hdr_col(&r.h, "effective", false, NULL) < 0
                          ? LAYOUT_PTP_CSV
                          : LAYOUT_PTP_CMS;
        if (t < 0) {
            rep->layout = NULL;
            snprintf(rep->note, sizeof(rep->note),
                     "ptp file: cannot tell the practitioner from the "
                     "hospital table by the file name");
            goto done;
        }
        snprintf(rep->note, sizeof(rep->note), "%s ptp edits%s%s",
                 TABLE_NAME[t], label[0] ? " " : "", label);
        set_label(r.s->ptp_label[t], &r.s->ptp_rank[t], label, rank);
        cover(rep, MN_SOURCE_NCCI_PTP_PRACTITIONER + t, date, label,
              rep->layout == LAYOUT_PTP_CMS);
        rc = load_ptp(&r, t);
    } else if (kind == NK_MUE) {
        int svc = service_of(name);
        bool csv_layout = hdr_col(&r.h, "mueunits", true, NULL) >= 0;
        rep->layout = csv_layout ? LAYOUT_MUE_CSV : LAYOUT_MUE_CMS;
        rc = load_mue(&r, svc);
        if (rc || !rep->layout)
            goto done;
        if (svc < 0) {
            int cu = hdr_col(&r.h, "muevalue", false, NULL);
            svc = cu >= 0 ? service_of(r.h.name[cu]) : -1;
        }
        if (svc >= 0) {
            snprintf(rep->note, sizeof(rep->note), "%s services mues%s%s",
                     SERVICE_NAME[svc], label[0] ? " " : "", label);
            set_label(r.s->mue_label[svc], &r.s->mue_rank[svc], label, rank);
            cover(rep, MN_SOURCE_NCCI_MUE_PRACTITIONER + svc, date, label,
                  false);
        }
    } else {
        rep->layout = hdr_col(&r.h, "eff", false, NULL) < 0 &&
                              hdr_col(&r.h, "del", false, NULL) < 0
                          ? LAYOUT_AOC_CSV
                          : LAYOUT_AOC_CMS;
        snprintf(rep->note, sizeof(rep->note), "add-on code edits%s%s",
                 label[0] ? " " : "", label);
        set_label(r.s->aoc_label, &r.s->aoc_rank, label, rank);
        cover(rep, MN_SOURCE_NCCI_AOC, date, label,
              rep->layout == LAYOUT_AOC_CMS);
        rc = load_aoc(&r);
    }
    goto done;
nomem:
    rc = mn_x__err(err, MN_ENOMEM, "out of memory");
done:
    return rc ? mn_x__src_fail(err, src, rc) : MN_OK;
}
