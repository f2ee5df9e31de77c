/* csv.c: strict RFC 4180 reader with limits and locations. */
#include <string.h>

#include "mednec/csv.h"
#include "core/util.h"

struct mn_csv {
    const char *data;
    size_t len;
    size_t pos;
    size_t line;     /* current line (1-based) */
    size_t line_pos; /* offset where the current line starts */
    size_t rec_line;
    size_t record;
    mn_csv_options o;
    mn_vec text; /* unescaped field bytes, NUL-separated */
    mn_vec offs; /* size_t offsets into text */
    int done;
};

int mn_csv_new(mn_csv **out, const char *data, size_t len,
               const mn_csv_options *opts, mn_error *err)
{
    mn_csv *c;

    *out = NULL;
    c = mn_x__calloc(1, sizeof(*c));
    if (!c)
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    if (opts)
        c->o = *opts;
    else {
        mn_csv_options d = MN_CSV_OPTIONS_INIT;
        c->o = d;
    }
    if (!c->o.delimiter)
        c->o.delimiter = ',';
    if (!c->o.quote)
        c->o.quote = '"';
    if (!c->o.max_fields)
        c->o.max_fields = 512;
    if (!c->o.max_field)
        c->o.max_field = (size_t)1 << 20;
    c->data = data;
    c->len = data ? len : 0;
    c->line = 1;
    if (c->len >= 3 && memcmp(c->data, "\xEF\xBB\xBF", 3) == 0)
        c->pos = 3;
    *out = c;
    return MN_OK;
}

void mn_csv_free(mn_csv *csv)
{
    if (!csv)
        return;
    mn_x__vec_free(&csv->text);
    mn_x__vec_free(&csv->offs);
    mn_x__free(csv);
}

static int fail(mn_csv *c, mn_error *err, int code, const char *msg)
{
    size_t col = c->pos - c->line_pos + 1;
    mn_x__err(err, code, "%s", msg);
    if (err) {
        err->line = c->line;
        err->column = col;
        err->offset = c->pos;
        err->record = c->record;
    }
    c->done = 1;
    return code;
}

static int end_field(mn_csv *c, size_t start, mn_error *err)
{
    int rc;
    if (MN_VEC_COUNT(&c->offs, size_t) >= c->o.max_fields)
        return fail(c, err, MN_ELIMIT, "too many fields in record");
    if (c->text.len - start > c->o.max_field)
        return fail(c, err, MN_ELIMIT, "field too long");
    rc = mn_x__vec_push(&c->text, "", 1);
    if (!rc)
        rc = mn_x__vec_push(&c->offs, &start, sizeof(start));
    if (rc)
        return fail(c, err, rc,
                    rc == MN_ENOMEM ? "out of memory" : "record too large");
    return MN_OK;
}

static int put(mn_csv *c, size_t start, char ch, mn_error *err)
{
    if (c->text.len - start >= c->o.max_field)
        return fail(c, err, MN_ELIMIT, "field too long");
    if (mn_x__vec_push(&c->text, &ch, 1))
        return fail(c, err, MN_ENOMEM, "out of memory");
    return MN_OK;
}

static void newline(mn_csv *c)
{
    c->line++;
    c->line_pos = c->pos;
}

int mn_csv_next(mn_csv *c, mn_error *err)
{
    const char d = c->o.delimiter;
    const char q = c->o.no_quote ? '\0' : c->o.quote;
    size_t start;
    int rc;

    c->text.len = 0;
    c->offs.len = 0;
    if (c->done || c->pos >= c->len)
        return 0;
    c->rec_line = c->line;
    c->record++;
    start = 0;
    for (;;) {
        /* at the start of a field */
        start = c->text.len;
        if (q && c->pos < c->len && c->data[c->pos] == q) {
            size_t qline = c->line;
            size_t qcol = c->pos - c->line_pos + 1;
            c->pos++;
            for (;;) {
                if (c->pos >= c->len) {
                    mn_x__err(err, MN_EINVAL,
                              "unterminated quoted field (opened at line "
                              "%zu, column %zu)",
                              qline, qcol);
                    if (err) {
                        err->line = qline;
                        err->column = qcol;
                        err->record = c->record;
                    }
                    c->done = 1;
                    return MN_EINVAL;
                }
                char ch = c->data[c->pos];
                if (ch == q) {
                    if (c->pos + 1 < c->len && c->data[c->pos + 1] == q) {
                        if ((rc = put(c, start, q, err)))
                            return rc;
                        c->pos += 2;
                        continue;
                    }
                    c->pos++;
                    break;
                }
                if ((rc = put(c, start, ch, err)))
                    return rc;
                c->pos++;
                if (ch == '\n')
                    newline(c);
            }
            if (c->pos < c->len && c->data[c->pos] != d &&
                c->data[c->pos] != '\n' && c->data[c->pos] != '\r')
                return fail(c, err, MN_EINVAL,
                            "unexpected character after closing quote");
        } else {
            while (c->pos < c->len) {
                char ch = c->data[c->pos];
                if (ch == d || ch == '\n' || ch == '\r')
                    break;
                if (q && ch == q)
                    return fail(c, err, MN_EINVAL,
                                "quote inside an unquoted field");
                if ((rc = put(c, start, ch, err)))
                    return rc;
                c->pos++;
            }
        }
        if ((rc = end_field(c, start, err)))
            return rc;
        if (c->pos >= c->len)
            return 1;
        if (c->data[c->pos] == d) {
            c->pos++;
            continue;
        }
        /* end of record */
        if (c->data[c->pos] == '\r') {
            c->pos++;
            if (c->pos < c->len && c->data[c->pos] == '\n')
                c->pos++;
        } else {
            c->pos++;
        }
        newline(c);
        return 1;
    }
}

size_t mn_csv_count(const mn_csv *csv)
{
    return MN_VEC_COUNT(&csv->offs, size_t);
}

const char *mn_csv_field(const mn_csv *csv, size_t i, size_t *len)
{
    size_t n = mn_csv_count(csv);
    size_t off;
    size_t end;

    if (i >= n) {
        if (len)
            *len = 0;
        return "";
    }
    off = MN_VEC_AT(&csv->offs, size_t, i);
    end = (i + 1 < n) ? MN_VEC_AT(&csv->offs, size_t, i + 1) - 1
                      : csv->text.len - 1;
    if (len)
        *len = end - off;
    return (const char *)csv->text.data + off;
}

size_t mn_csv_line(const mn_csv *csv)
{
    return csv->rec_line;
}

size_t mn_csv_record(const mn_csv *csv)
{
    return csv->record;
}
