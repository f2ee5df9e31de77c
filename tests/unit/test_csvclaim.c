/*
 * test_csvclaim.c: claims as CSV rows (mednec/csvclaim.h): rows grouped
 * by claim_id, claim-level values on any row and in conflict, quoting,
 * errors located by row and column, the header's own errors, TSV, chunks;
 * and the CSV writer's rows.
 */
#include <stdbool.h>

#include "claim/claim_int.h"
#include "harness.h"
#include "mednec.h"

typedef struct got {
    mn_claim *claims[8];
    size_t n;
    char errors[8][400];
    size_t n_err;
    char text[4096];
} got;

static int on_item(void *p, mn_csvclaim_item *it)
{
    got *g = p;
    char buf[600];

    if (it->claim) {
        snprintf(buf, sizeof(buf), "claim %s rows %zu-%zu\n", it->claim_id,
                 it->first_row, it->first_row + it->rows - 1);
        if (g->n < 8)
            g->claims[g->n++] = it->claim;
        else
            mn_claim_free(it->claim);
    } else {
        mn_error_format(buf, sizeof(buf), it->error);
        if (g->n_err < 8)
            snprintf(g->errors[g->n_err++], 400, "%.390s", buf);
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " [%s]\n",
                 it->claim_id);
    }
    snprintf(g->text + strlen(g->text), sizeof(g->text) - strlen(g->text), "%s",
             buf);
    return MN_OK;
}

static void got_free(got *g)
{
    for (size_t i = 0; i < g->n; i++)
        mn_claim_free(g->claims[i]);
    memset(g, 0, sizeof(*g));
}

static int read_all(got *g, const char *data, size_t chunk, char delim,
                    mn_error *err)
{
    mn_csvclaim_options o = MN_CSVCLAIM_OPTIONS_INIT;
    mn_csvclaim *r = NULL;
    size_t len = strlen(data);
    int rc;

    memset(g, 0, sizeof(*g));
    o.name = "t.csv";
    o.on_item = on_item;
    o.payload = g;
    if (delim)
        o.delimiter = delim;
    rc = mn_csvclaim_new(&r, &o, err);
    for (size_t at = 0; rc == MN_OK && at < len;) {
        size_t n = chunk && chunk < len - at ? chunk : len - at;
        rc = mn_csvclaim_feed(r, data + at, n, err);
        at += n;
    }
    if (rc == MN_OK)
        rc = mn_csvclaim_finish(r, err);
    mn_csvclaim_free(r);
    return rc;
}

static const char CSV[] =
    "claim_id,patient_id,birth_date,sex,jurisdiction,diagnoses,line,code,"
    "modifiers,units,line_date,dx_pointers,charge,allowed,line_provider,"
    "provider,frequency,prior_authorization\r\n"
    "K1,P1,1950-04-02,F,KY,\"E11.65;I10\",1,83036,QW,1,2025-03-02,2,40.5,"
    "30,,1234567893,7,PA1\r\n"
    "K1,,,,,,2,99213,\"25;GT\",1,2025-03-02,1,95.00,,3333333338,,,\r\n"
    "\r\n"
    "K2,P2,,M,,\"Z12.11 icd9:V72.31\",,G0121,,1,2025-03-03,,,,,,,\r\n";

static void test_rows(void)
{
    got g;
    mn_error err;
    const mn_claim *c;

    CHECK_INT(read_all(&g, CSV, 0, 0, &err), MN_OK);
    CHECK_INT(g.n_err, 0);
    if (g.n_err)
        fprintf(stderr, "  %s\n", g.errors[0]);
    CHECK_STR(g.text, "claim K1 rows 2-3\nclaim K2 rows 5-5\n");
    CHECK_INT(g.n, 2);
    if (g.n < 2)
        goto done;
    c = g.claims[0];
    CHECK_STR(c->patient_id, "P1");
    CHECK_STR(c->jurisdiction, "KY");
    CHECK_STR(c->provider, "1234567893");
    CHECK_INT(c->frequency, '7');
    CHECK_STR(c->prior_auth, "PA1");
    CHECK_INT(c->n_dx, 2);
    CHECK_INT(c->n_lines, 2);
    CHECK_INT(c->lines[0].charge, 4050);
    CHECK_INT(c->lines[0].allowed, 3000);
    CHECK_INT(c->lines[0].pointers[0], 2);
    CHECK_INT(c->lines[1].n_modifiers, 2);
    CHECK_STR(c->lines[1].modifiers[1], "GT");
    CHECK_STR(mn_claim_line_provider(c, 1), "3333333338");
    CHECK_INT(mn_claim_line_number(c, 1), 2);
    c = g.claims[1];
    CHECK_INT(c->n_dx, 2);
    CHECK_INT(c->dx[1].icd9, 1);
    CHECK_STR(c->dx[1].text, "V72.31");
    CHECK_INT(c->sex, 'M');
done:
    got_free(&g);
}

/* Chunks of any size, and TSV, read the same. */
static void test_chunks_tsv(void)
{
    static got whole;
    static got part;
    static char tsv[sizeof(CSV)];
    mn_error err;
    bool quote = false;
    size_t n = 0;

    CHECK_INT(read_all(&whole, CSV, 0, 0, &err), MN_OK);
    for (size_t chunk = 1; chunk < 64; chunk++) {
        CHECK_INT(read_all(&part, CSV, chunk, 0, &err), MN_OK);
        CHECK_STR(part.text, whole.text);
        got_free(&part);
    }
    for (const char *p = CSV; *p; p++) {
        if (*p == '"') {
            quote = !quote;
            continue;
        }
        tsv[n++] = *p == ',' && !quote ? '\t' : *p;
    }
    tsv[n] = '\0';
    CHECK_INT(read_all(&part, tsv, 3, '\t', &err), MN_OK);
    CHECK_STR(part.text, whole.text);
    got_free(&part);
    got_free(&whole);
}

/* Errors: located by row and column, the claim's other rows consumed, the
 * next claims read. */
static void test_errors(void)
{
    got g;
    mn_error err;
    static const char data[] =
        "claim_id,code,line_date,diagnoses,units,sex,charge\n"
        "A,83036,2024-02-30,E11.65,1,F,\n"
        "A,83036,2024-06-03,,1,F,\n"
        "B,83036,2024-06-03,E11.65,0,F,\n"
        "C,83036,2024-06-03,E11.65,1,F,\n"
        "C,83036,2024-06-03,,1,M,\n"
        "D,83036,2024-06-03,E11.65,1,F,12.345\n"
        ",83036,2024-06-03,E11.65,1,F,\n"
        "E,83036,2024-06-03,\"E11.65\n"
        "F,83036,2024-06-03,E11.65,1,F,\n";

    CHECK_INT(read_all(&g, data, 0, 0, &err), MN_OK);
    CHECK_CONTAINS(g.text, "t.csv: row 2, column line_date");
    CHECK_CONTAINS(g.text, "[A]");
    CHECK_CONTAINS(g.text, "t.csv: row 4, column units: expected an integer "
                           "from 1 to 9999 [B]");
    CHECK_CONTAINS(g.text, "t.csv: row 6, column sex: differs from the "
                           "claim's value on row 5 [C]");
    CHECK_CONTAINS(g.text, "t.csv: row 7, column charge: expected an amount");
    CHECK_CONTAINS(g.text, "t.csv: row 8, column claim_id: missing []");
    /* an unclosed quote runs to the end: one broken row */
    CHECK(strstr(g.text, "claim F") == NULL);
    CHECK_INT(g.n, 0);
    got_free(&g);
}

/* The header: unknown columns, repeated or missing ones stop the read. */
static void test_header(void)
{
    got g;
    mn_error err;

    CHECK_INT(read_all(&g, "claim_id,code,colour\nA,83036,red\n", 0, 0, &err),
              MN_EINVAL);
    CHECK_CONTAINS(err.message, "unknown column 'colour'");
    got_free(&g);
    CHECK_INT(read_all(&g, "claim_id,units\nA,1\n", 0, 0, &err), MN_EINVAL);
    CHECK_STR(err.where, "t.csv: row 1, column code");
    got_free(&g);
    CHECK_INT(read_all(&g, "claim_id,code,code\n", 0, 0, &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "given twice");
    got_free(&g);
    CHECK_INT(read_all(&g, "", 0, 0, &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "no header row");
    got_free(&g);
}

/* The writer: a row per line, quoted where needed, an error row. */
static void test_writer(void)
{
    mn_kb *kb = NULL;
    mn_ctx *ctx = NULL;
    mn_claim *c = NULL;
    const mn_result *res = NULL;
    mn_buf *b = NULL;
    mn_error err;
    static const char json[] =
        "{\"id\":\"W,1\",\"provider\":\"N1\",\"diagnoses\":[\"I10\"],"
        "\"lines\":[{\"code\":\"83036\",\"date\":\"2024-06-03\",\"charge\":"
        "12,\"modifiers\":[\"QW\",\"91\"]}]}";

    CHECK_INT(mn_kb_open_builtin(&kb, &err), MN_OK);
    CHECK_INT(mn_ctx_new(&ctx, 0, &err), MN_OK);
    CHECK_INT(mn_buf_new(&b, 0), MN_OK);
    CHECK_INT(mn_claim_parse_json(&c, json, sizeof(json) - 1, NULL, &err),
              MN_OK);
    CHECK_INT(mn_check(&res, ctx, kb, c, &err), MN_OK);
    CHECK_INT(mn_csvclaim_write_header(b, &err), MN_OK);
    CHECK_INT(mn_csvclaim_write_result(b, res, &err), MN_OK);
    CHECK_INT(mn_csvclaim_write_error(b, "W\"2", "bad, very", &err), MN_OK);
    CHECK_STR(mn_buf_data(b),
              "claim_id,line,code,date,status,abn,edits,carc,rarc,policies,"
              "diagnoses,provider,charge,units,modifiers,error\r\n"
              "\"W,1\",1,83036,2024-06-03,covered,not_needed,,,,,I10,N1,"
              "12.00,1,QW;91,\r\n"
              "\"W\"\"2\",,,,error,,,,,,,,,,,\"bad, very\"\r\n");
    mn_buf_free(b);
    mn_claim_free(c);
    mn_ctx_free(ctx);
    mn_kb_free(kb);
}

int main(void)
{
    RUN(test_rows);
    RUN(test_chunks_tsv);
    RUN(test_errors);
    RUN(test_header);
    RUN(test_writer);
    DONE();
}
