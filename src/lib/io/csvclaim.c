/*
 * io/csvclaim.c: claims as CSV rows (mednec/csvclaim.h).
 *
 * Rows are split from the stream (quoted fields may hold delimiters and
 * line breaks), each row's fields are read with the core CSV reader, and
 * the rows of one claim (one claim_id, adjacent) build one claim through
 * the claim setters.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "claim/claim_int.h"
#include "mednec/csv.h"
#include "mednec/csvclaim.h"

#define DEF_MAX_ROW ((size_t)1 << 20)

enum col {
    C_CLAIM_ID,
    C_PATIENT_ID,
    C_BIRTH_DATE,
    C_AGE,
    C_SEX,
    C_PAYER,
    C_JURISDICTION,
    C_CLAIM_TYPE,
    C_BILL_TYPE,
    C_POS,
    C_DATE,
    C_FREQUENCY,
    C_PROVIDER,
    C_PRIOR_AUTH,
    C_DIAGNOSES, /* the last claim-level column */
    C_LINE,
    C_CODE,
    C_MODIFIERS,
    C_UNITS,
    C_LINE_DATE,
    C_LINE_POS,
    C_POINTERS,
    C_CHARGE,
    C_ALLOWED,
    C_LINE_PROVIDER,
    C_REVENUE,
    C_COUNT
};

static const char *const col_names[C_COUNT] = {"claim_id",
                                               "patient_id",
                                               "birth_date",
                                               "age",
                                               "sex",
                                               "payer",
                                               "jurisdiction",
                                               "claim_type",
                                               "bill_type",
                                               "place_of_service",
                                               "date",
                                               "frequency",
                                               "provider",
                                               "prior_authorization",
                                               "diagnoses",
                                               "line",
                                               "code",
                                               "modifiers",
                                               "units",
                                               "line_date",
                                               "line_place_of_service",
                                               "dx_pointers",
                                               "charge",
                                               "allowed",
                                               "line_provider",
                                               "revenue_code"};

struct mn_csvclaim {
    mn_csvclaim_options o;
    mn_csv_options csv;
    mn_vec carry; /* a row cut by the end of a chunk */
    bool header_done;
    int col_of[C_COUNT]; /* field index of each column, -1 absent */
    size_t n_fields;
    size_t row; /* 1-based, the header is 1 */
    bool in_quote;
    size_t scan; /* bytes of carry already scanned */
    /* the claim being read */
    mn_claim *claim;
    char id[256];
    size_t first_row;
    size_t rows;
    bool failed;
    mn_error err;
    char *claim_vals[C_DIAGNOSES + 1]; /* claim-level values, by column */
    size_t claim_rows[C_DIAGNOSES + 1];
    mn_csvclaim_stats st;
    int rc;
};

static int fail(mn_error *err, const mn_csvclaim *r, size_t row, int col,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail(mn_error *err, const mn_csvclaim *r, size_t row, int col,
                const char *fmt, ...)
{
    va_list ap;

    mn_error_clear(err);
    if (!err)
        return MN_EINVAL;
    err->code = MN_EINVAL;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    if (col >= 0)
        snprintf(err->where, sizeof(err->where), "%s: row %zu, column %s",
                 r->o.name ? r->o.name : "", row, col_names[col]);
    else
        snprintf(err->where, sizeof(err->where), "%s: row %zu",
                 r->o.name ? r->o.name : "", row);
    err->record = row;
    return MN_EINVAL;
}

/* A setter failed: keep its message, say where. */
static void setter_failed(mn_csvclaim *r, int col, const mn_error *e)
{
    if (e->code == MN_ENOMEM) {
        r->rc = MN_ENOMEM;
        return;
    }
    fail(&r->err, r, r->row, col, "%s", e->message);
    r->failed = true;
}

static void emit(mn_csvclaim *r)
{
    mn_csvclaim_item it;
    int rc;

    if (!r->id[0] && !r->claim && !r->failed)
        return;
    if (r->claim && !r->failed) {
        /* lines without a date take the claim's */
        mn_claim *c = r->claim;
        for (size_t i = 0; i < c->n_lines && !r->failed; i++) {
            if (c->lines[i].date != MN_NODATE)
                continue;
            if (c->date != MN_NODATE)
                c->lines[i].date = c->date;
            else
                fail(&r->err, r, r->first_row + i, C_LINE_DATE,
                     "missing (no claim date either)");
            r->failed = r->failed || c->date == MN_NODATE;
        }
    }
    memset(&it, 0, sizeof(it));
    it.claim_id = r->id;
    it.first_row = r->first_row;
    it.rows = r->rows;
    if (r->failed || !r->claim) {
        it.error = &r->err;
        mn_claim_free(r->claim);
        r->st.failed++;
    } else {
        it.claim = r->claim;
        r->st.claims++;
    }
    r->claim = NULL;
    rc = r->o.on_item(r->o.payload, &it);
    if (rc && !r->rc)
        r->rc = rc;
    r->id[0] = '\0';
    r->failed = false;
    r->rows = 0;
    for (int i = 0; i <= C_DIAGNOSES; i++) {
        mn_x__free(r->claim_vals[i]);
        r->claim_vals[i] = NULL;
    }
}

/* Splits "a;b c|d,e" into items; calls `fn` for each. */
typedef int (*item_fn)(mn_csvclaim *r, const char *s, size_t n, size_t k);

static int each_item(mn_csvclaim *r, const char *s, size_t n, item_fn fn)
{
    size_t k = 0;
    size_t i = 0;
    int rc = MN_OK;

    while (rc == MN_OK && i < n) {
        size_t j = i;
        while (j < n && s[j] != ';' && s[j] != '|' && s[j] != ' ' &&
               s[j] != ',')
            j++;
        if (j > i)
            rc = fn(r, s + i, j - i, k++);
        i = j + 1;
    }
    return rc;
}

static int add_dx(mn_csvclaim *r, const char *s, size_t n, size_t k)
{
    mn_error e;
    int rc;

    (void)k;
    if (n > 5 && strncmp(s, "icd9:", 5) == 0)
        rc = mn_claim_add_diagnosis_icd9(r->claim, s + 5, n - 5, &e);
    else
        rc = mn_claim_add_diagnosis(r->claim, s, n, &e);
    if (rc)
        setter_failed(r, C_DIAGNOSES, &e);
    return rc;
}

static int add_mod(mn_csvclaim *r, const char *s, size_t n, size_t k)
{
    mn_error e;
    int rc;

    (void)k;
    rc = mn_claim_line_add_modifier(r->claim, r->claim->n_lines - 1, s, n, &e);
    if (rc)
        setter_failed(r, C_MODIFIERS, &e);
    return rc;
}

static int add_ptr(mn_csvclaim *r, const char *s, size_t n, size_t k)
{
    mn_error e;
    unsigned long v = 0;
    int rc;

    (void)k;
    if (!mn_x__parse_uint(&v, s, n) || v > 255) {
        fail(&r->err, r, r->row, C_POINTERS,
             "expected diagnosis numbers (1-based) separated by ';'");
        r->failed = true;
        return MN_EINVAL;
    }
    rc = mn_claim_line_add_pointer(r->claim, r->claim->n_lines - 1, (unsigned)v,
                                   &e);
    if (rc)
        setter_failed(r, C_POINTERS, &e);
    return rc;
}

/* "125", "125.5", "125.50" into cents. */
static bool amount(int64_t *out, const char *s, size_t n)
{
    int64_t v = 0;
    size_t i = 0;
    int dec = -1;

    for (; i < n; i++) {
        if (s[i] == '.' && dec < 0) {
            dec = 0;
            continue;
        }
        if (!mn_x__isdigit(s[i]) || dec >= 2 || v > 999999999999LL)
            return false;
        v = v * 10 + (s[i] - '0');
        if (dec >= 0)
            dec++;
    }
    if (n == 0 || (dec == 0))
        return false;
    while (dec < 2) {
        v *= 10;
        dec = dec < 0 ? 1 : dec + 1;
    }
    *out = v;
    return true;
}

typedef int (*str_set)(mn_claim *c, const char *s, size_t n, mn_error *err);

static int set_sex(mn_claim *c, const char *s, size_t n, mn_error *err)
{
    if (n != 1)
        return mn_x__err(err, MN_EINVAL, "expected M, F or U");
    return mn_claim_set_sex(c, (char)mn_x__toupper((unsigned char)s[0]), err);
}

static int set_age(mn_claim *c, const char *s, size_t n, mn_error *err)
{
    unsigned long v = 0;
    if (!mn_x__parse_uint(&v, s, n) || v > 130)
        return mn_x__err(err, MN_EINVAL, "expected an age from 0 to 130");
    return mn_claim_set_age(c, (int)v, err);
}

static int set_dx_list(mn_claim *c, const char *s, size_t n, mn_error *err);

static const str_set claim_setters[C_DIAGNOSES + 1] = {
    NULL, /* claim_id */
    mn_claim_set_patient_id,
    mn_claim_set_birth_date,
    set_age,
    set_sex,
    mn_claim_set_payer,
    mn_claim_set_jurisdiction,
    mn_claim_set_claim_type,
    mn_claim_set_bill_type,
    mn_claim_set_place_of_service,
    mn_claim_set_date,
    mn_claim_set_frequency,
    mn_claim_set_provider,
    mn_claim_set_prior_authorization,
    set_dx_list,
};

static int set_dx_list(mn_claim *c, const char *s, size_t n, mn_error *err)
{
    (void)c;
    (void)s;
    (void)n;
    (void)err;
    return MN_OK; /* handled by each_item */
}

static const char *field(const mn_csv *csv, const mn_csvclaim *r, int col,
                         size_t *n)
{
    *n = 0;
    if (r->col_of[col] < 0)
        return "";
    return mn_csv_field(csv, (size_t)r->col_of[col], n);
}

static void claim_level(mn_csvclaim *r, const mn_csv *csv)
{
    mn_error e;

    for (int col = C_PATIENT_ID; col <= C_DIAGNOSES && !r->failed; col++) {
        size_t n;
        const char *v = field(csv, r, col, &n);
        size_t t = n;
        const char *tv = v;
        t = mn_x__trim(&tv, t);
        if (!t)
            continue;
        if (r->claim_vals[col]) {
            if (strlen(r->claim_vals[col]) != t ||
                memcmp(r->claim_vals[col], tv, t) != 0) {
                fail(&r->err, r, r->row, col,
                     "differs from the claim's value on row %zu",
                     r->claim_rows[col]);
                r->failed = true;
            }
            continue;
        }
        r->claim_vals[col] = mn_x__strndup(tv, t);
        r->claim_rows[col] = r->row;
        if (!r->claim_vals[col]) {
            r->rc = MN_ENOMEM;
            return;
        }
        if (col == C_DIAGNOSES) {
            if (r->claim->n_lines) {
                fail(&r->err, r, r->row, col,
                     "the claim's diagnoses must be on its first row");
                r->failed = true;
            } else {
                each_item(r, tv, t, add_dx);
            }
        } else if (claim_setters[col](r->claim, tv, t, &e)) {
            setter_failed(r, col, &e);
        }
    }
}

static void line_level(mn_csvclaim *r, const mn_csv *csv)
{
    mn_error e;
    size_t n;
    const char *v;
    const char *code;
    size_t code_n;
    const char *date;
    size_t date_n;
    unsigned long units = 1;
    int idx;
    size_t li;

    code = field(csv, r, C_CODE, &code_n);
    code_n = mn_x__trim(&code, code_n);
    if (!code_n) {
        fail(&r->err, r, r->row, C_CODE, "missing (one service line a row)");
        r->failed = true;
        return;
    }
    v = field(csv, r, C_UNITS, &n);
    n = mn_x__trim(&v, n);
    if (n && (!mn_x__parse_uint(&units, v, n) || units < 1 || units > 9999)) {
        fail(&r->err, r, r->row, C_UNITS, "expected an integer from 1 to 9999");
        r->failed = true;
        return;
    }
    date = field(csv, r, C_LINE_DATE, &date_n);
    date_n = mn_x__trim(&date, date_n);
    idx = mn_claim_add_line(r->claim, code, code_n, (unsigned)units,
                            date_n ? date : NULL, date_n, &e);
    if (idx < 0) {
        setter_failed(r, strstr(e.where, ".date") ? C_LINE_DATE : C_CODE, &e);
        return;
    }
    li = (size_t)idx;
    v = field(csv, r, C_LINE, &n);
    n = mn_x__trim(&v, n);
    if (n) {
        unsigned long num = 0;
        if (!mn_x__parse_uint(&num, v, n) || num > 999999) {
            fail(&r->err, r, r->row, C_LINE,
                 "expected a line number from 1 to 999999");
            r->failed = true;
            return;
        }
        if (mn_claim_line_set_number(r->claim, li, (unsigned)num, &e)) {
            setter_failed(r, C_LINE, &e);
            return;
        }
    }
    v = field(csv, r, C_MODIFIERS, &n);
    n = mn_x__trim(&v, n);
    if (n && each_item(r, v, n, add_mod))
        return;
    v = field(csv, r, C_POINTERS, &n);
    n = mn_x__trim(&v, n);
    if (n && each_item(r, v, n, add_ptr))
        return;
    v = field(csv, r, C_LINE_POS, &n);
    n = mn_x__trim(&v, n);
    if (n && mn_claim_line_set_place_of_service(r->claim, li, v, n, &e)) {
        setter_failed(r, C_LINE_POS, &e);
        return;
    }
    {
        int64_t charge = MN_NO_AMOUNT;
        int64_t allowed = MN_NO_AMOUNT;
        v = field(csv, r, C_CHARGE, &n);
        n = mn_x__trim(&v, n);
        if (n && !amount(&charge, v, n)) {
            fail(&r->err, r, r->row, C_CHARGE,
                 "expected an amount in dollars (125.50)");
            r->failed = true;
            return;
        }
        v = field(csv, r, C_ALLOWED, &n);
        n = mn_x__trim(&v, n);
        if (n && !amount(&allowed, v, n)) {
            fail(&r->err, r, r->row, C_ALLOWED,
                 "expected an amount in dollars (125.50)");
            r->failed = true;
            return;
        }
        if (mn_claim_line_set_amounts(r->claim, li, charge, allowed, &e)) {
            setter_failed(r, C_CHARGE, &e);
            return;
        }
    }
    v = field(csv, r, C_LINE_PROVIDER, &n);
    n = mn_x__trim(&v, n);
    if (n && mn_claim_line_set_provider(r->claim, li, v, n, &e)) {
        setter_failed(r, C_LINE_PROVIDER, &e);
        return;
    }
    v = field(csv, r, C_REVENUE, &n);
    n = mn_x__trim(&v, n);
    if (n && mn_claim_line_set_revenue_code(r->claim, li, v, n, &e))
        setter_failed(r, C_REVENUE, &e);
}

static int header(mn_csvclaim *r, const mn_csv *csv, mn_error *err)
{
    size_t n = mn_csv_count(csv);

    for (int c = 0; c < C_COUNT; c++)
        r->col_of[c] = -1;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *h = mn_csv_field(csv, i, &len);
        int c = 0;
        len = mn_x__trim(&h, len);
        while (c < C_COUNT && !(strlen(col_names[c]) == len &&
                                memcmp(col_names[c], h, len) == 0))
            c++;
        if (c == C_COUNT)
            return fail(err, r, 1, -1,
                        "unknown column '%.*s' (docs/interchange.md lists "
                        "the columns)",
                        (int)(len < 40 ? len : 40), h);
        if (r->col_of[c] >= 0)
            return fail(err, r, 1, c, "the column is given twice");
        r->col_of[c] = (int)i;
    }
    if (r->col_of[C_CLAIM_ID] < 0)
        return fail(err, r, 1, C_CLAIM_ID, "the column is required");
    if (r->col_of[C_CODE] < 0)
        return fail(err, r, 1, C_CODE, "the column is required");
    r->n_fields = n;
    r->header_done = true;
    return MN_OK;
}

/* One complete row (without its line break). */
static int row(mn_csvclaim *r, const char *s, size_t n, mn_error *err)
{
    mn_csv *csv = NULL;
    mn_error e;
    int rc;
    const char *id;
    size_t id_n;
    bool empty = true;

    r->row++;
    if (n && s[n - 1] == '\r')
        n--;
    rc = mn_csv_new(&csv, s, n, &r->csv, &e);
    if (rc == MN_OK)
        rc = mn_csv_next(csv, &e);
    if (rc < 0) {
        if (rc == MN_ENOMEM) {
            mn_csv_free(csv);
            return MN_ENOMEM;
        }
        if (!r->header_done) {
            mn_csv_free(csv);
            return fail(err, r, r->row, -1, "%s", e.message);
        }
        /* a broken row: an error of its claim (or of its own) */
        emit(r);
        fail(&r->err, r, r->row, -1, "%s", e.message);
        r->failed = true;
        r->first_row = r->row;
        r->rows = 1;
        emit(r);
        mn_csv_free(csv);
        return r->rc;
    }
    if (rc == 0) { /* an empty line */
        r->st.blank++;
        mn_csv_free(csv);
        return MN_OK;
    }
    if (!r->header_done) {
        rc = header(r, csv, err);
        mn_csv_free(csv);
        return rc;
    }
    for (size_t i = 0; i < mn_csv_count(csv) && empty; i++) {
        size_t fl;
        const char *f = mn_csv_field(csv, i, &fl);
        empty = mn_x__trim(&f, fl) == 0;
    }
    if (empty) {
        r->st.blank++;
        mn_csv_free(csv);
        return MN_OK;
    }
    r->st.rows++;
    id = field(csv, r, C_CLAIM_ID, &id_n);
    id_n = mn_x__trim(&id, id_n);
    if (!id_n || id_n >= sizeof(r->id) || strlen(r->id) != id_n ||
        memcmp(r->id, id, id_n) != 0) {
        emit(r);
        if (r->rc) {
            mn_csv_free(csv);
            return r->rc;
        }
        memcpy(r->id, id, id_n < sizeof(r->id) ? id_n : 0);
        r->id[id_n < sizeof(r->id) ? id_n : 0] = '\0';
        r->first_row = r->row;
        if (!id_n || id_n >= sizeof(r->id)) {
            fail(&r->err, r, r->row, C_CLAIM_ID,
                 id_n ? "longer than 255 bytes" : "missing");
            r->failed = true;
        } else if (mn_claim_new(&r->claim, r->o.claim_options, &e) ||
                   mn_claim_set_id(r->claim, id, id_n, &e)) {
            setter_failed(r, C_CLAIM_ID, &e);
        }
    }
    r->rows++;
    if (mn_csv_count(csv) != r->n_fields && !r->failed) {
        fail(&r->err, r, r->row, -1, "%zu fields; the header has %zu",
             mn_csv_count(csv), r->n_fields);
        r->failed = true;
    }
    if (!r->failed && r->claim)
        claim_level(r, csv);
    if (!r->failed && r->claim)
        line_level(r, csv);
    mn_csv_free(csv);
    if (!r->id[0] && r->failed)
        emit(r); /* a row without a claim id stands alone */
    return r->rc;
}

int mn_csvclaim_new(mn_csvclaim **out, const mn_csvclaim_options *opts,
                    mn_error *err)
{
    mn_csvclaim *r;
    mn_csv_options co = MN_CSV_OPTIONS_INIT;

    if (!out || !opts || !opts->on_item ||
        opts->version != MN_CSVCLAIM_OPTIONS_VERSION)
        return mn_x__err(err, MN_EINVAL, "missing argument or callback");
    r = mn_x__calloc(1, sizeof(*r));
    if (!r)
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    r->o = *opts;
    if (!r->o.max_row)
        r->o.max_row = DEF_MAX_ROW;
    if (!r->o.delimiter)
        r->o.delimiter = ',';
    co.delimiter = r->o.delimiter;
    co.max_field = r->o.max_row;
    r->csv = co;
    r->carry.max = r->o.max_row + 1;
    *out = r;
    return MN_OK;
}

int mn_csvclaim_feed(mn_csvclaim *r, const char *data, size_t len,
                     mn_error *err)
{
    int rc = MN_OK;

    if (!r || (!data && len))
        return mn_x__err(err, MN_EINVAL, "missing argument");
    if (r->rc)
        return r->rc;
    r->st.bytes += len;
    while (rc == MN_OK && len) {
        /* the end of the row: a line break outside quotes */
        size_t i = 0;
        bool end = false;
        while (i < len && !end) {
            char c = data[i++];
            if (c == '"')
                r->in_quote = !r->in_quote;
            else if (c == '\n' && !r->in_quote)
                end = true;
        }
        if (r->carry.len + i > r->o.max_row + 1) {
            fail(err, r, r->row + 1, -1, "the row is longer than %zu bytes",
                 r->o.max_row);
            rc = err ? (err->code = MN_ELIMIT) : MN_ELIMIT;
            break;
        }
        if (!end) {
            rc = mn_x__vec_push(&r->carry, data, i);
            break;
        }
        if (r->carry.len) {
            rc = mn_x__vec_push(&r->carry, data, i - 1);
            if (rc == MN_OK)
                rc = row(r, (const char *)r->carry.data, r->carry.len, err);
            r->carry.len = 0;
        } else {
            rc = row(r, data, i - 1, err);
        }
        data += i;
        len -= i;
    }
    if (rc == MN_ENOMEM)
        mn_x__err(err, rc, "out of memory");
    r->rc = rc;
    return rc;
}

int mn_csvclaim_finish(mn_csvclaim *r, mn_error *err)
{
    int rc = MN_OK;

    if (!r)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    if (r->rc)
        return r->rc;
    if (r->carry.len)
        rc = row(r, (const char *)r->carry.data, r->carry.len, err);
    r->carry.len = 0;
    if (rc == MN_OK && !r->header_done)
        rc = fail(err, r, 1, -1, "no header row");
    if (rc == MN_OK)
        emit(r);
    if (rc == MN_OK)
        rc = r->rc;
    r->rc = rc;
    return rc;
}

void mn_csvclaim_free(mn_csvclaim *r)
{
    if (!r)
        return;
    mn_claim_free(r->claim);
    for (int i = 0; i <= C_DIAGNOSES; i++)
        mn_x__free(r->claim_vals[i]);
    mn_x__vec_free(&r->carry);
    mn_x__free(r);
}

void mn_csvclaim_get_stats(mn_csvclaim_stats *out, const mn_csvclaim *r)
{
    if (out && r)
        *out = r->st;
}
