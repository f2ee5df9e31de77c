/* build/load/load_hcpcs.c: HCPCS Level II (CMS ANWEB fixed width, CSV layouts).
 */
#include <stdio.h>
#include <string.h>

#include "kb/kbfmt.h"
#include "build/load/loaders.h"

/* ANWEB record (1-based positions in the CMS record layout): code 1-5,
 * sequence 6-10, record id 11, long description 12-91, statute number
 * 171-180 (field 13), coverage code 230 (field 16), add date 269-276,
 * termination date 285-292. Below: 0-based offsets. */
#define AW_RID 10
#define AW_DESC 11
#define AW_DESC_END 91
#define AW_STATUTE 170
#define AW_STATUTE_LEN 10
#define AW_COV 229
#define AW_ADDED 268
#define AW_TERM 284
#define AW_DATE_LEN 8
#define AW_MAX_DESC 4096

/* ------------------------------------------------------------------ */
/* Shared                                                               */
/* ------------------------------------------------------------------ */

static bool code_ok(const char *s, size_t len)
{
    return mn_x__hcpcs2_shape(s, len) || mn_x__cpt_shape(s, len);
}

static int kbb_fail(mn_error *err, int rc, size_t line)
{
    mn_x__err(err, rc, "%s",
              rc == MN_ENOMEM ? "out of memory" : "cannot store hcpcs code");
    if (err) {
        err->line = line;
        err->column = 0;
    }
    return rc;
}

/* Blank -> MN_NODATE; false for a malformed date. */
static bool opt_date(int32_t *out, const char *s, size_t len)
{
    len = mn_x__trim(&s, len);
    *out = MN_NODATE;
    return len == 0 || mn_x__parse_date(out, s, len, true);
}

/* Length of a valid UTF-8 sequence at s (0 if invalid). */
static size_t utf8_len(const unsigned char *s, size_t len)
{
    size_t n = 0;

    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        n = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        n = 3;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        n = 4;
    if (n > len)
        n = 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            n = 0;
    }
    return n;
}

/* Appends text as UTF-8: valid UTF-8 is kept, other high bytes are read
 * as Latin-1 (older CMS files) and a no-break space becomes a space. */
static int append_text(mn_vec *v, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    int rc = MN_OK;

    for (size_t i = 0; i < len && rc == MN_OK;) {
        size_t n;
        unsigned char two[2];
        if (u[i] < 0x80) {
            size_t j = i;
            while (j < len && u[j] < 0x80)
                j++;
            rc = mn_x__vec_push(v, s + i, j - i);
            i = j;
            continue;
        }
        n = utf8_len(u + i, len - i);
        if (n) {
            rc = mn_x__vec_push(v, s + i, n);
            i += n;
            continue;
        }
        if (u[i] == 0xA0) {
            rc = mn_x__vec_push(v, " ", 1);
        } else {
            two[0] = (unsigned char)(0xC0 | (u[i] >> 6));
            two[1] = (unsigned char)(0x80 | (u[i] & 0x3F));
            rc = mn_x__vec_push(v, two, 2);
        }
        i++;
    }
    return rc;
}

/* Coverage code field (a letter; blank when the source gives none). */
typedef enum { COV_NONE, COV_KNOWN, COV_UNKNOWN } cov_kind;

static cov_kind cov_parse(unsigned *out, const char *s, size_t len)
{
    unsigned c;

    *out = 0;
    len = mn_x__trim(&s, len);
    if (len == 0)
        return COV_NONE;
    c = (unsigned)mn_x__toupper((unsigned char)s[0]);
    if (len != 1 || c == 0 || !kb_cov_ok(c))
        return COV_UNKNOWN;
    *out = c;
    return COV_KNOWN;
}

/* Counts a coverage code this build does not know: the row is kept with
 * the coverage unknown. */
static void cov_unknown(mn_report *rep, const char *s, size_t len,
                        size_t record)
{
    char shown[9];
    char why[64];
    size_t n = 0;

    len = mn_x__trim(&s, len);
    for (; n < len && n < sizeof(shown) - 1; n++) {
        unsigned char c = (unsigned char)s[n];
        shown[n] = c > 0x20 && c < 0x7f ? (char)c : '?';
    }
    shown[n] = '\0';
    snprintf(why, sizeof(why),
             "unknown coverage code '%s' (row kept, coverage unknown)", shown);
    mn_x__report_field(rep, why, record);
}

/* Stores the coverage code and the statute (as UTF-8 text; `tmp` is
 * scratch space). */
static int put_coverage(mn_kbb *b, int year, mn_key key, unsigned cov,
                        const char *statute, size_t statute_len, mn_vec *tmp)
{
    int rc;

    tmp->len = 0;
    statute_len = mn_x__trim(&statute, statute_len);
    if ((rc = append_text(tmp, statute, statute_len)))
        return rc;
    return mn_x__kbb_hcpcs_coverage(
        b, year, key, cov, tmp->len ? (const char *)tmp->data : NULL, tmp->len);
}

/* ------------------------------------------------------------------ */
/* Sniffing                                                             */
/* ------------------------------------------------------------------ */

/* A record line: 5 code characters, a 5-digit sequence, a record id. */
static bool anweb_record(const char *s, size_t len)
{
    bool ok = false;
    if (len <= AW_RID)
        goto done;
    for (size_t i = 5; i <= AW_RID; i++) {
        if (!mn_x__isdigit(s[i]))
            goto done;
    }
    ok = true;
done:
    return ok;
}

const char *mn_x__hcpcs_layout(const char *data, size_t len)
{
    const char *layout = NULL;
    const char *line = NULL;
    size_t line_len = 0;
    size_t pos = 0;
    mn_csv *csv = NULL;

    /* The ANWEB file opens with a few disclaimer lines. */
    for (int i = 0; i < 64; i++) {
        if (!mn_x__next_line(data, len, &pos, &line, &line_len))
            break;
        if (anweb_record(line, line_len) &&
            (line[AW_RID] == '3' || line[AW_RID] == '7') &&
            line_len > AW_TERM) {
            layout = MN_LAYOUT_HCPCS_ANWEB;
            goto done;
        }
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
    if (mn_x__csv_col(csv, "hcpcs_code") >= 0) {
        if (mn_x__csv_col(csv, "date_added") >= 0)
            layout = MN_LAYOUT_HCPCS_CSV;
        else if (mn_x__csv_col(csv, "hcpcs_description") >= 0)
            layout = MN_LAYOUT_HCPCS_DESC;
    }
done:
    mn_csv_free(csv);
    return layout;
}

/* ------------------------------------------------------------------ */
/* ANWEB                                                                */
/* ------------------------------------------------------------------ */

/* The procedure record being assembled (first line + continuations). */
typedef struct pending {
    bool active;
    char code[6];
    size_t line;
    int32_t added;
    int32_t term;
    cov_kind cov_kind;
    unsigned cov;
    char statute[AW_STATUTE_LEN];
    mn_vec desc;
    mn_vec tmp;
} pending;

static int flush(mn_kbb *b, int year, pending *p, mn_report *rep, mn_error *err)
{
    mn_key key;
    int rc = MN_OK;
    bool cpt;

    if (!p->active)
        goto done;
    p->active = false;
    key = mn_x__key(p->code, 5);
    /* CPT (Level I) descriptors are AMA copyright: never stored. */
    cpt = !mn_x__hcpcs2_shape(p->code, 5);
    rc = mn_x__kbb_hcpcs(b, year, key, p->added, p->term,
                         cpt ? NULL : (const char *)p->desc.data,
                         cpt ? 0 : p->desc.len);
    if (rc == MN_OK && p->cov_kind != COV_NONE)
        rc = put_coverage(b, year, key, p->cov, p->statute, AW_STATUTE_LEN,
                          &p->tmp);
    if (rc) {
        rc = kbb_fail(err, rc, p->line);
        goto done;
    }
    if (p->added != MN_NODATE)
        mn_x__kbb_saw_date(b, p->added);
    rep->rows++;
done:
    p->desc.len = 0;
    return rc;
}

static int load_anweb(mn_kbb *b, const mn_src *src, int year, mn_report *rep,
                      mn_error *err)
{
    pending p;
    const char *line = NULL;
    size_t line_len = 0;
    size_t pos = 0;
    size_t lineno = 0;
    size_t joined = 0;
    int rc = MN_OK;

    memset(&p, 0, sizeof(p));
    p.desc.max = AW_MAX_DESC;
    p.tmp.max = AW_MAX_DESC;
    while (mn_x__next_line(src->data, src->len, &pos, &line, &line_len)) {
        const char *why = NULL;
        const char *d;
        size_t dl;
        lineno++;
        if (line_len == 0)
            continue; /* blank line: not a record */
        if (!anweb_record(line, line_len)) {
            why = "not a code record";
        } else if (line[AW_RID] == '7' || line[AW_RID] == '8') {
            why = "modifier record";
        } else if (line[AW_RID] == '3') {
            rc = flush(b, year, &p, rep, err);
            if (rc)
                goto done;
            if (!code_ok(line, 5)) {
                why = "bad code";
            } else if (line_len < AW_ADDED + AW_DATE_LEN) {
                why = "truncated record";
            } else if (!opt_date(&p.added, line + AW_ADDED, AW_DATE_LEN) ||
                       !opt_date(&p.term, line + AW_TERM,
                                 line_len >= AW_TERM + AW_DATE_LEN
                                     ? AW_DATE_LEN
                                     : line_len - AW_TERM)) {
                why = "bad date";
            } else {
                memcpy(p.code, line, 5);
                p.code[5] = '\0';
                p.line = lineno;
                memcpy(p.statute, line + AW_STATUTE, AW_STATUTE_LEN);
                p.cov_kind = cov_parse(&p.cov, line + AW_COV, 1);
                if (p.cov_kind == COV_UNKNOWN)
                    cov_unknown(rep, line + AW_COV, 1, lineno);
                d = line + AW_DESC;
                dl = mn_x__trim(&d, AW_DESC_END - AW_DESC);
                rc = append_text(&p.desc, d, dl);
                if (rc) {
                    rc = kbb_fail(err, rc, lineno);
                    goto done;
                }
                p.active = true;
            }
        } else if (line[AW_RID] == '4') {
            if (!p.active || memcmp(p.code, line, 5) != 0) {
                why = "continuation without a first line";
            } else {
                d = line + AW_DESC;
                dl = line_len < AW_DESC_END ? line_len - AW_DESC
                                            : AW_DESC_END - AW_DESC;
                dl = mn_x__trim(&d, dl);
                if (dl) {
                    rc = append_text(&p.desc, " ", 1);
                    if (rc == MN_OK)
                        rc = append_text(&p.desc, d, dl);
                }
                if (rc == MN_ELIMIT) {
                    rc = MN_OK;
                    why = "description too long (cut)";
                }
                if (rc) {
                    rc = kbb_fail(err, rc, lineno);
                    goto done;
                }
                joined++;
            }
        } else {
            why = "unknown record type";
        }
        if (why)
            mn_x__report_skip(rep, why, lineno);
    }
    rc = flush(b, year, &p, rep, err);
    if (rc)
        goto done;
    snprintf(rep->note, sizeof(rep->note),
             "data year %d; %zu continuation lines joined", year, joined);
done:
    mn_x__vec_free(&p.desc);
    mn_x__vec_free(&p.tmp);
    return rc;
}

/* ------------------------------------------------------------------ */
/* CSV layouts                                                          */
/* ------------------------------------------------------------------ */

int mn_x__hcpcs_csv_year(const mn_src *src)
{
    mn_csv *csv = NULL;
    int cols[2];
    int year = 0;
    int rc = MN_OK;

    if (!src)
        goto done;
    rc = mn_x__csv_open(&csv, src->data, src->len, ',', NULL);
    if (rc)
        goto done;
    cols[0] = mn_x__csv_col(csv, "date_added");
    cols[1] = mn_x__csv_col(csv, "date_action");
    while ((rc = mn_csv_next(csv, NULL)) > 0) {
        for (int i = 0; i < 2; i++) {
            size_t len = 0;
            const char *f;
            int32_t d;
            int y;
            int m;
            int dd;
            if (cols[i] < 0)
                continue;
            f = mn_csv_field(csv, (size_t)cols[i], &len);
            if (!opt_date(&d, f, len) || d == MN_NODATE)
                continue;
            mn_x__civil_from_days(d, &y, &m, &dd);
            if (y > year)
                year = y;
        }
    }
done:
    mn_csv_free(csv);
    return rc == MN_ENOMEM ? -1 : year;
}

static int load_csv(mn_kbb *b, const mn_src *src, int year, bool desc_file,
                    mn_report *rep, mn_error *err)
{
    mn_csv *csv = NULL;
    mn_vec text = {NULL, 0, 0, 0};
    int c_code;
    int c_added = -1;
    int c_term = -1;
    int c_action = -1;
    int c_desc = -1;
    int c_type = -1;
    int c_cov = -1;     /* optional: older files have no coverage code */
    int c_statute = -1; /* optional */
    int rc;

    rc = mn_x__csv_open(&csv, src->data, src->len, ',', err);
    if (rc)
        goto done;
    c_code = mn_x__csv_col(csv, "hcpcs_code");
    if (desc_file) {
        c_desc = mn_x__csv_col(csv, "hcpcs_description");
        c_type = mn_x__csv_col(csv, "hcpcs_desc_type");
    } else {
        c_added = mn_x__csv_col(csv, "date_added");
        c_term = mn_x__csv_col(csv, "date_term");
        c_action = mn_x__csv_col(csv, "date_action");
        c_cov = mn_x__csv_col(csv, "cov");
        c_statute = mn_x__csv_col(csv, "statute");
    }
    for (;;) {
        const char *code;
        size_t code_len = 0;
        size_t n;
        size_t rec;
        int32_t added = MN_NODATE;
        int32_t term = MN_NODATE;
        int32_t action = MN_NODATE;
        const char *desc = NULL;
        size_t desc_len = 0;
        const char *cov_text = "";
        size_t cov_len = 0;
        cov_kind ck = COV_NONE;
        unsigned cov = 0;
        const char *why = NULL;
        char why_buf[64];

        rc = mn_csv_next(csv, err);
        if (rc <= 0)
            break;
        n = mn_csv_count(csv);
        rec = mn_csv_record(csv);
        if (n == 1 && mn_csv_field(csv, 0, NULL)[0] == '\0')
            continue; /* blank line */
        code = mn_csv_field(csv, (size_t)c_code, &code_len);
        code_len = mn_x__trim(&code, code_len);
        if ((size_t)c_code >= n || (desc_file && (size_t)c_desc >= n)) {
            why = "missing fields";
        } else if (!code_ok(code, code_len)) {
            why = code_len ? "bad code" : "missing code";
        } else if (desc_file) {
            size_t tl = 0;
            const char *t =
                c_type >= 0 ? mn_csv_field(csv, (size_t)c_type, &tl) : "long";
            tl = c_type >= 0 ? mn_x__trim(&t, tl) : 4;
            desc = mn_csv_field(csv, (size_t)c_desc, &desc_len);
            desc_len = mn_x__trim(&desc, desc_len);
            if (!(tl == 4 && mn_x__contains_ci(t, tl, "long"))) {
                snprintf(why_buf, sizeof(why_buf),
                         "description type not used (%.*s)",
                         (int)(tl < 20 ? tl : 20), t);
                why = why_buf;
            } else if (!mn_x__hcpcs2_shape(code, code_len)) {
                why = "level i code: descriptor not stored";
            } else if (desc_len == 0) {
                why = "missing description";
            }
        } else {
            size_t l1 = 0;
            size_t l2 = 0;
            size_t l3 = 0;
            const char *f1 =
                c_added >= 0 ? mn_csv_field(csv, (size_t)c_added, &l1) : "";
            const char *f2 =
                c_term >= 0 ? mn_csv_field(csv, (size_t)c_term, &l2) : "";
            const char *f3 =
                c_action >= 0 ? mn_csv_field(csv, (size_t)c_action, &l3) : "";
            if (!opt_date(&added, f1, l1) || !opt_date(&term, f2, l2) ||
                !opt_date(&action, f3, l3))
                why = "bad date";
            if (c_cov >= 0 && (size_t)c_cov < n) {
                cov_text = mn_csv_field(csv, (size_t)c_cov, &cov_len);
                ck = cov_parse(&cov, cov_text, cov_len);
            }
        }
        if (why) {
            mn_x__report_skip(rep, why, rec);
            continue;
        }
        text.len = 0;
        if (desc_len) {
            rc = append_text(&text, desc, desc_len);
            if (rc) {
                rc = kbb_fail(err, rc, mn_csv_line(csv));
                goto done;
            }
        }
        rc = mn_x__kbb_hcpcs(b, year, mn_x__key(code, code_len), added, term,
                             text.len ? (const char *)text.data : NULL,
                             text.len);
        if (rc == MN_OK && ck != COV_NONE) {
            size_t sl = 0;
            const char *st = c_statute >= 0 && (size_t)c_statute < n
                                 ? mn_csv_field(csv, (size_t)c_statute, &sl)
                                 : "";
            if (ck == COV_UNKNOWN)
                cov_unknown(rep, cov_text, cov_len, rec);
            rc = put_coverage(b, year, mn_x__key(code, code_len), cov, st, sl,
                              &text);
        }
        if (rc) {
            rc = kbb_fail(err, rc, mn_csv_line(csv));
            goto done;
        }
        if (added != MN_NODATE)
            mn_x__kbb_saw_date(b, added);
        if (action != MN_NODATE)
            mn_x__kbb_saw_date(b, action);
        rep->rows++;
    }
    if (rc == 0)
        snprintf(rep->note, sizeof(rep->note), "data year %d", year);
done:
    mn_csv_free(csv);
    mn_x__vec_free(&text);
    return rc < 0 ? rc : MN_OK;
}

int mn_x__load_hcpcs(mn_kbb *b, const mn_src *src, int data_year,
                     mn_report *rep, mn_error *err)
{
    const char *layout;
    int rc = MN_OK;

    if (!b || !src || !rep || (!src->data && src->len)) {
        rc = mn_x__err(err, MN_EINVAL, "invalid arguments");
        goto done;
    }
    layout = mn_x__hcpcs_layout(src->data, src->len);
    if (layout == MN_LAYOUT_NOMEM) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    if (!layout) {
        rc =
            mn_x__err(err, MN_EINVAL, "header does not match any hcpcs layout");
        if (err) {
            err->line = 1;
            err->column = 1;
        }
        goto done;
    }
    rep->layout = layout;
    if (data_year <= 0 && src->name)
        data_year = mn_x__year_in_name(src->name);
    if (data_year <= 0 && layout == MN_LAYOUT_HCPCS_CSV)
        data_year = mn_x__hcpcs_csv_year(src);
    if (data_year < 0) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    if (layout == MN_LAYOUT_HCPCS_ANWEB)
        rc = load_anweb(b, src, data_year, rep, err);
    else
        rc = load_csv(b, src, data_year, layout == MN_LAYOUT_HCPCS_DESC, rep,
                      err);
done:
    return rc ? mn_x__src_fail(err, src, rc) : MN_OK;
}
