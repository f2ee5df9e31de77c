/*
 * test_report.c: the audit report (mednec/report.h, `mednec report`) and
 * `mednec denials`. The report's figures are the same whether it reads
 * results through the result API, as full JSON or as brief JSON; they are
 * the ones the fixture claims (tests/fixtures/interchange, checked with
 * the data-driven cases' KB) must give; lines that are not results are
 * counted without their content reaching a message; the provider outlier
 * test flags the provider it should; tables keep at most max_keys rows;
 * the HTML escapes what it shows. `mednec denials` reads the fixture 835
 * (tests/fixtures/interchange/remit.835, written for this test).
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "mednec.h"

#define FIX MN_FIXTURES "/interchange/"

static char tmpdir[] = "/tmp/mn_report_XXXXXX";
static char kb_path[400];

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n)
        buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Runs the CLI; stdout in *out, stderr in *errout (callers free; either
 * may be NULL). Returns the exit code. */
static int run(const char *args, char **out, char **errout)
{
    char cmd[2048];
    char o[500], e[500];
    int status;

    snprintf(o, sizeof(o), "%s/out", tmpdir);
    snprintf(e, sizeof(e), "%s/err", tmpdir);
    snprintf(cmd, sizeof(cmd), "%s %s >%s 2>%s", MN_CLI, args, o, e);
    status = system(cmd);
    if (out) {
        free(*out);
        *out = slurp(o);
    }
    if (errout) {
        free(*errout);
        *errout = slurp(e);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Adds every line of `jsonl` to a new report; returns its JSON. */
static char *report_of_jsonl(const char *jsonl, const mn_report_options *o)
{
    mn_report *r = NULL;
    mn_buf *b = NULL;
    mn_error err;
    char *json = NULL;

    CHECK_INT(mn_report_new(&r, o, &err), MN_OK);
    for (const char *p = jsonl; r && p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len)
            CHECK_INT(mn_report_add_json(r, p, len, &err), MN_OK);
        p = nl ? nl + 1 : NULL;
    }
    if (r && mn_buf_new(&b, 0) == MN_OK &&
        mn_report_write_json(b, r, &err) == MN_OK)
        json = strndup(mn_buf_data(b), mn_buf_len(b));
    mn_buf_free(b);
    mn_report_free(r);
    return json;
}

/* The figures of the fixture claims checked one by one through the
 * library, read through the result API. */
static char *report_of_api(void)
{
    char *claims = slurp(FIX "claims.jsonl");
    mn_kb *kb = NULL;
    mn_ctx *ctx = NULL;
    mn_report *r = NULL;
    mn_buf *b = NULL;
    mn_error err;
    char *json = NULL;

    CHECK(claims != NULL);
    CHECK_INT(mn_kb_open(&kb, kb_path, &err), MN_OK);
    CHECK_INT(mn_ctx_new(&ctx, 0, &err), MN_OK);
    CHECK_INT(mn_report_new(&r, NULL, &err), MN_OK);
    for (const char *p = claims; kb && ctx && r && p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        mn_claim *c = NULL;
        const mn_result *res = NULL;
        if (len) {
            CHECK_INT(mn_claim_parse_json(&c, p, len, NULL, &err), MN_OK);
            if (c)
                CHECK_INT(mn_check(&res, ctx, kb, c, &err), MN_OK);
            if (res)
                CHECK_INT(mn_report_add_result(r, res, &err), MN_OK);
            mn_claim_free(c);
        }
        p = nl ? nl + 1 : NULL;
    }
    if (r && mn_buf_new(&b, 0) == MN_OK &&
        mn_report_write_json(b, r, &err) == MN_OK)
        json = strndup(mn_buf_data(b), mn_buf_len(b));
    mn_buf_free(b);
    mn_report_free(r);
    mn_ctx_free(ctx);
    mn_kb_free(kb);
    free(claims);
    return json;
}

/* The row of `table` whose `key` member is `value`, or NULL. */
static json_t *row(json_t *root, const char *table, const char *key,
                   const char *value)
{
    size_t i;
    json_t *v;

    json_array_foreach(json_object_get(root, table), i, v)
    {
        const char *k = json_string_value(json_object_get(v, key));
        if (k && strcmp(k, value) == 0)
            return v;
    }
    return NULL;
}

static long long ival(json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

static double dval(json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

static void test_same_figures(void)
{
    char args[1200];
    char *full = NULL, *brief = NULL;
    char *a, *b, *c;
    json_t *root;
    json_error_t je;
    json_t *r;

    /* judged alone: what mn_check gives one claim at a time */
    snprintf(args, sizeof(args),
             "batch --kb %s --no-cross-claim --no-progress %sclaims.jsonl",
             kb_path, FIX);
    CHECK_INT(run(args, &full, NULL), 1);
    snprintf(args, sizeof(args),
             "batch --kb %s --no-cross-claim --no-progress --detail brief "
             "%sclaims.837",
             kb_path, FIX);
    CHECK_INT(run(args, &brief, NULL), 1);
    a = report_of_jsonl(full ? full : "", NULL);
    b = report_of_jsonl(brief ? brief : "", NULL);
    c = report_of_api();
    CHECK(a && b && c);
    CHECK_STR(a, b);
    CHECK_STR(a, c);
    root = a ? json_loads(a, 0, &je) : NULL;
    CHECK(root != NULL);
    if (root) {
        json_t *t = json_object_get(root, "totals");
        CHECK_INT(ival(root, "claims"), 8);
        CHECK_INT(ival(t, "lines"), 10);
        CHECK_INT(ival(t, "lines_with_charge"), 10);
        CHECK(dval(t, "charges") > 1442.74 && dval(t, "charges") < 1442.76);
        /* C2 dx not supported, C5 line 2 PTP, C8 ICD-9; C4's MUE is only
         * across claims */
        CHECK_INT(ival(t, "denied"), 3);
        CHECK_INT(ival(t, "mue"), 0);
        CHECK_INT(ival(t, "ptp"), 1);
        CHECK(dval(t, "charges_at_risk") > 255.49 &&
              dval(t, "charges_at_risk") < 255.51);
        CHECK((r = row(root, "by_edit", "edit", "policy.dx_not_supported")));
        CHECK_INT(ival(r, "denied"), 1);
        CHECK((r = row(root, "by_edit", "edit", "dx.icd9")));
        CHECK_INT(ival(r, "denied"), 1);
        CHECK((r = row(root, "by_edit", "edit", "ncci.ptp")));
        CHECK_INT(ival(r, "denied"), 1);
        CHECK_STR(json_string_value(json_object_get(r, "title")),
                  mn_edit_find("ncci.ptp")->title);
        CHECK(row(root, "by_edit", "edit", "units.mue_exceeded") == NULL);
        r = json_array_get(json_object_get(root, "unsupported_pairs"), 0);
        CHECK_STR(json_string_value(json_object_get(r, "code")), "82306");
        CHECK_STR(json_string_value(json_object_get(r, "diagnosis")), "I10");
        CHECK((r = row(root, "by_month", "month", "2024-06")));
        CHECK_INT(ival(r, "lines"), 10);
        CHECK((r = row(root, "by_code", "code", "20610")));
        CHECK_INT(ival(r, "denied"), 1);
        CHECK((r = row(root, "providers", "provider", "1111111112")));
        CHECK_INT(ival(r, "lines"), 8);
        CHECK((r = row(root, "providers", "provider", "3333333338")));
        CHECK_INT(ival(r, "lines"), 1);
        CHECK_INT(ival(json_object_get(root, "cross_claim"), "checked"), 0);
        json_decref(root);
    }
    free(a);
    free(b);
    free(c);

    /* across claims (batch's default), full and brief still agree, and
     * C4's MUE is there */
    snprintf(args, sizeof(args), "batch --kb %s --no-progress %sclaims.csv",
             kb_path, FIX);
    CHECK_INT(run(args, &full, NULL), 1);
    snprintf(args, sizeof(args),
             "batch --kb %s --no-progress --detail brief %sclaims.fhir.json",
             kb_path, FIX);
    CHECK_INT(run(args, &brief, NULL), 1);
    a = report_of_jsonl(full ? full : "", NULL);
    b = report_of_jsonl(brief ? brief : "", NULL);
    CHECK(a && b);
    CHECK_STR(a, b);
    root = a ? json_loads(a, 0, &je) : NULL;
    if (root) {
        CHECK_INT(ival(json_object_get(root, "totals"), "denied"), 4);
        CHECK_INT(ival(json_object_get(root, "totals"), "mue"), 1);
        CHECK_INT(ival(json_object_get(root, "cross_claim"), "checked"), 8);
        json_decref(root);
    }
    free(a);
    free(b);

    /* the CLI writes the library's figures */
    snprintf(args, sizeof(args), "%s/brief.jsonl", tmpdir);
    {
        FILE *f = fopen(args, "wb");
        CHECK(f != NULL);
        if (f) {
            fputs(brief ? brief : "", f);
            fclose(f);
        }
    }
    {
        char cmd[1400];
        char *out = NULL;
        char *want = report_of_jsonl(brief ? brief : "", NULL);
        json_t *x, *y;
        snprintf(cmd, sizeof(cmd), "report --json %s", args);
        CHECK_INT(run(cmd, &out, NULL), 0);
        x = out ? json_loads(out, 0, &je) : NULL;
        y = want ? json_loads(want, 0, &je) : NULL;
        CHECK(x && y);
        if (x && y) {
            json_object_del(x, "source");
            json_object_del(y, "source");
            CHECK(json_equal(x, y));
        }
        json_decref(x);
        json_decref(y);
        free(out);
        free(want);
    }
    free(full);
    free(brief);
}

static void test_not_results(void)
{
    mn_report *r = NULL;
    mn_buf *b = NULL;
    mn_error err;
    static const char broken[] = "{\"patient\":{\"id\":\"SECRET-ID-77\"";
    static const char record[] =
        "{\"error\":{\"code\":\"input\",\"message\":\"x\"},\"line\":3}";
    static const char other[] = "{\"id\":\"x\",\"status\":\"covered\"}";
    static const char noline[] =
        "{\"id\":\"x\",\"status\":\"covered\",\"lines\":[{\"status\":"
        "\"covered\"}]}";

    CHECK_INT(mn_report_new(&r, NULL, &err), MN_OK);
    if (!r)
        return;
    CHECK_INT(mn_report_add_json(r, broken, sizeof(broken) - 1, &err),
              MN_EINVAL);
    CHECK(strstr(err.message, "SECRET") == NULL);
    CHECK_CONTAINS(err.message, "not json");
    CHECK_INT(mn_report_add_json(r, record, sizeof(record) - 1, &err), MN_OK);
    CHECK_INT(mn_report_add_json(r, other, sizeof(other) - 1, &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "not a result");
    CHECK_INT(mn_report_add_json(r, noline, sizeof(noline) - 1, &err),
              MN_EINVAL);
    CHECK_CONTAINS(err.message, "lines[0]");
    CHECK_INT(mn_report_add_json(NULL, other, 3, &err), MN_EINVAL);
    CHECK_INT(mn_report_add_result(r, NULL, &err), MN_EINVAL);
    CHECK_INT(mn_buf_new(&b, 0), MN_OK);
    CHECK_INT(mn_report_write_json(b, r, &err), MN_OK);
    CHECK_CONTAINS(mn_buf_data(b), "\"error_records\":1");
    CHECK_CONTAINS(mn_buf_data(b), "\"unreadable_lines\":2");
    mn_buf_free(b);
    mn_report_free(r);
    {
        mn_report_options o = MN_REPORT_OPTIONS_INIT;
        o.version = 99;
        r = NULL;
        CHECK_INT(mn_report_new(&r, &o, &err), MN_EINVAL);
        CHECK(r == NULL);
    }
}

/* A brief result line of one line. */
static void brief_line(mn_buf *b, const char *provider, const char *code,
                       const char *status, const char *edit)
{
    char tmp[600];
    int n = snprintf(
        tmp, sizeof(tmp),
        "{\"id\":\"c\",\"status\":\"%s\",\"lines\":[{\"line\":1,\"code\":"
        "\"%s\",\"date\":\"2024-03-05\",\"status\":\"%s\",\"units\":1,"
        "\"charge\":10.25,\"provider\":\"%s\",\"diagnoses\":[\"I10\"],"
        "\"edits\":[%s%s%s],\"carc\":[],\"rarc\":[],\"citations\":[]}]}\n",
        status, code, status, provider, edit ? "\"" : "", edit ? edit : "",
        edit ? "\"" : "");
    mn_buf_append(b, tmp, (size_t)n);
}

/* A finding about data the KB lacks (kb.outside_range, citing "icd10cm")
 * counts by edit, not as a policy; the line's real policy does, in the
 * brief and the full forms alike. */
static void test_kb_citations(void)
{
    static const char brief[] =
        "{\"id\":\"c\",\"status\":\"not_covered\",\"lines\":[{\"line\":1,"
        "\"code\":\"82306\",\"date\":\"2024-03-05\",\"status\":"
        "\"not_covered\",\"units\":1,\"charge\":10,\"diagnoses\":[\"I10\"],"
        "\"edits\":[\"kb.outside_range\",\"policy.dx_not_supported\"],"
        "\"carc\":[\"50\"],\"rarc\":[],\"citations\":[\"icd10cm\","
        "\"A99101\"]}]}\n";
    static const char full[] =
        "{\"id\":\"c\",\"status\":\"not_covered\",\"lines\":[{\"line\":1,"
        "\"code\":\"82306\",\"date\":\"2024-03-05\",\"status\":"
        "\"not_covered\",\"units\":1,\"charge\":10,\"diagnoses\":[\"I10\"],"
        "\"findings\":[{\"edit\":\"kb.outside_range\",\"severity\":"
        "\"review\",\"policy\":{\"kind\":\"kb\",\"id\":\"icd10cm\"}},"
        "{\"edit\":\"policy.dx_not_supported\",\"severity\":\"deny\","
        "\"carc\":\"50\",\"policy\":{\"kind\":\"article\",\"id\":"
        "\"A99101\"}}]}]}\n";
    const char *inputs[2] = {brief, full};

    for (int i = 0; i < 2; i++) {
        char *json = report_of_jsonl(inputs[i], NULL);
        json_error_t je;
        json_t *root = json ? json_loads(json, 0, &je) : NULL;
        CHECK(root != NULL);
        if (root) {
            CHECK(row(root, "by_edit", "edit", "kb.outside_range") != NULL);
            CHECK(row(root, "by_policy", "policy", "A99101") != NULL);
            CHECK(row(root, "by_policy", "policy", "icd10cm") == NULL);
        }
        json_decref(root);
        free(json);
    }
}

static void test_outliers(void)
{
    mn_buf *in = NULL;
    char *json;
    json_t *root;
    json_error_t je;
    char prov[16];

    CHECK_INT(mn_buf_new(&in, 0), MN_OK);
    if (!in)
        return;
    /* ten providers deny 3 of 30 lines, one denies 24 of 30 (an outlier),
     * one denies all of its 5 (too few lines for the test), and one has
     * MUE denials on 9 of 30 (an outlier by its MUE rate) */
    for (int p = 0; p < 10; p++) {
        snprintf(prov, sizeof(prov), "10000000%02d", p);
        for (int i = 0; i < 30; i++)
            brief_line(in, prov, "99213", i < 3 ? "not_covered" : "covered",
                       i < 3 ? "policy.dx_not_supported" : NULL);
    }
    for (int i = 0; i < 30; i++)
        brief_line(in, "2000000000", "99213",
                   i < 24 ? "not_covered" : "covered",
                   i < 24 ? "policy.dx_not_supported" : NULL);
    for (int i = 0; i < 5; i++)
        brief_line(in, "3000000000", "99213", "not_covered",
                   "policy.dx_not_supported");
    for (int i = 0; i < 30; i++)
        brief_line(in, "4000000000", "96372", i < 9 ? "not_covered" : "covered",
                   i < 9 ? "units.mue_exceeded" : NULL);
    mn_buf_append(in, "", 1);
    json = report_of_jsonl(mn_buf_data(in), NULL);
    root = json ? json_loads(json, 0, &je) : NULL;
    CHECK(root != NULL);
    if (root) {
        size_t i;
        json_t *v;
        int flagged = 0;
        json_t *ot = json_object_get(root, "outlier_test");
        CHECK_INT(ival(ot, "providers"), 12);
        json_array_foreach(json_object_get(root, "providers"), i, v)
        {
            const char *p = json_string_value(json_object_get(v, "provider"));
            bool out = json_is_true(json_object_get(v, "outlier"));
            flagged += out;
            if (strcmp(p, "2000000000") == 0) {
                CHECK(out);
                CHECK(dval(v, "z_denial_rate") >= 2);
            } else if (strcmp(p, "4000000000") == 0) {
                CHECK(out);
                CHECK(dval(v, "z_mue") >= 2);
            } else {
                CHECK(!out);
            }
        }
        CHECK_INT(flagged, 2);
        json_decref(root);
    }
    free(json);

    /* with a minimum of 40 lines no provider is tested */
    {
        mn_report_options o = MN_REPORT_OPTIONS_INIT;
        o.min_provider_lines = 40;
        json = report_of_jsonl(mn_buf_data(in), &o);
        CHECK_CONTAINS(json, "\"outlier_test\":{\"providers\":0");
        CHECK(json && !strstr(json, "\"outlier\":true"));
        free(json);
    }
    /* two rows kept per table: the other codes are counted together */
    {
        mn_report_options o = MN_REPORT_OPTIONS_INIT;
        mn_buf *more = NULL;
        o.max_keys = 2;
        CHECK_INT(mn_buf_new(&more, 0), MN_OK);
        brief_line(more, "1", "A0001", "covered", NULL);
        brief_line(more, "1", "A0002", "covered", NULL);
        brief_line(more, "1", "A0003", "not_covered", "ncci.ptp");
        brief_line(more, "1", "A0004", "covered", NULL);
        brief_line(more, "1", "A0001", "covered", NULL);
        mn_buf_append(more, "", 1);
        json = report_of_jsonl(mn_buf_data(more), &o);
        root = json ? json_loads(json, 0, &je) : NULL;
        CHECK(root != NULL);
        if (root) {
            json_t *other = json_object_get(root, "by_code_other");
            CHECK_INT(json_array_size(json_object_get(root, "by_code")), 2);
            CHECK_INT(ival(other, "keys"), 2);
            CHECK_INT(ival(other, "lines"), 2);
            CHECK_INT(ival(other, "denied"), 1);
            CHECK_INT(ival(row(root, "by_code", "code", "A0001"), "lines"), 2);
            json_decref(root);
        }
        free(json);
        mn_buf_free(more);
    }
    mn_buf_free(in);
}

static void test_html(void)
{
    mn_report_options o = MN_REPORT_OPTIONS_INIT;
    mn_report *r = NULL;
    mn_buf *b = NULL;
    mn_buf *in = NULL;
    mn_error err;
    const char *html;

    o.title = "Q1 <audit> & \"review\"";
    CHECK_INT(mn_report_new(&r, &o, &err), MN_OK);
    CHECK_INT(mn_buf_new(&in, 0), MN_OK);
    CHECK_INT(mn_buf_new(&b, 0), MN_OK);
    if (!r || !in || !b)
        goto done;
    brief_line(in, "<b>1</b>", "99213", "not_covered", "ncci.ptp");
    brief_line(in, "<b>1</b>", "99213", "covered", NULL);
    CHECK_INT(mn_report_add_json(
                  r, mn_buf_data(in),
                  (size_t)(strchr(mn_buf_data(in), '\n') - mn_buf_data(in)),
                  &err),
              MN_OK);
    CHECK_INT(mn_report_write_html(b, r, &err), MN_OK);
    mn_buf_append(b, "", 1);
    html = mn_buf_data(b);
    CHECK_CONTAINS(html, "<title>Q1 &lt;audit&gt; &amp; &quot;review&quot;"
                         "</title>");
    CHECK_CONTAINS(html, "&lt;b&gt;1&lt;/b&gt;");
    CHECK(strstr(html, "<b>1</b>") == NULL);
    CHECK(strstr(html, "<script") == NULL);
    CHECK(strstr(html, "http://") == NULL && strstr(html, "https://") == NULL);
    CHECK_CONTAINS(html, "<svg");
    CHECK_CONTAINS(html, "@page{size:letter");
    CHECK_CONTAINS(html, "<b id=\"claims\">1</b>");
    CHECK_CONTAINS(html, "<b id=\"denied\">1</b>");
    CHECK_CONTAINS(html, "<b id=\"denial-rate\">100.0%</b>");
    CHECK_CONTAINS(html, "<b id=\"at-risk\">$10.25</b>");
    CHECK_CONTAINS(html, "<table id=\"by-edit\">");
    CHECK_CONTAINS(html, "fewer than three such providers");
done:
    mn_buf_free(in);
    mn_buf_free(b);
    mn_report_free(r);
}

static void test_report_cli(void)
{
    char args[1200];
    char path[600];
    char *out = NULL, *err = NULL;
    FILE *f;

    snprintf(path, sizeof(path), "%s/mixed.jsonl", tmpdir);
    f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("{\"id\":\"c\",\"status\":\"covered\",\"lines\":[{\"line\":1,"
          "\"code\":\"99213\",\"status\":\"covered\",\"units\":1,"
          "\"edits\":[]}]}\n"
          "\n"
          "{\"name\":\"SECRET PATIENT\"\n",
          f);
    fclose(f);
    snprintf(args, sizeof(args), "report -o %s/r.html %s", tmpdir, path);
    CHECK_INT(run(args, &out, &err), 3);
    CHECK_CONTAINS(err, "mixed.jsonl: line 3: not json");
    CHECK(err && !strstr(err, "SECRET"));
    snprintf(args, sizeof(args), "%s/r.html", tmpdir);
    free(out);
    out = slurp(args);
    CHECK_CONTAINS(out, "<b id=\"claims\">1</b>");
    CHECK_CONTAINS(out, "error records and unreadable lines");
    snprintf(args, sizeof(args), "report --top 0 %s", path);
    CHECK_INT(run(args, &out, &err), 2);
    CHECK_INT(run("report --bogus", &out, &err), 2);
    CHECK_INT(run("report /nonexistent/results.jsonl", &out, &err), 3);
    snprintf(args, sizeof(args), "report -o /nonexistent/dir/r.html %s", path);
    CHECK_INT(run(args, &out, &err), 3);
    CHECK_INT(run("report --help", &out, &err), 0);
    CHECK_CONTAINS(out, "usage: mednec report");
    free(out);
    free(err);
}

static void test_denials(void)
{
    char *out = NULL, *err = NULL;
    json_t *root;
    json_error_t je;
    char path[600];
    FILE *f;

    CHECK_INT(run("denials " FIX "remit.835", &out, &err), 0);
    CHECK_CONTAINS(out, "3 claim payments, 4 service lines; 3 denied lines "
                        "($235.50 charged), 1 claims denied whole");
    CHECK_INT(run("denials --format json " FIX "remit.835", &out, &err), 0);
    root = out ? json_loads(out, 0, &je) : NULL;
    CHECK(root != NULL);
    if (root) {
        json_t *r;
        CHECK_INT(ival(root, "claims"), 3);
        CHECK_INT(ival(root, "services"), 4);
        CHECK_INT(ival(root, "denied_lines"), 3);
        CHECK_INT(ival(root, "claims_denied"), 1);
        CHECK((r = row(root, "by_carc", "carc", "CO-50")));
        CHECK(dval(r, "charges") > 40.49 && dval(r, "charges") < 40.51);
        CHECK((r = row(root, "by_carc", "carc", "CO-97")));
        CHECK_INT(ival(r, "lines"), 1);
        CHECK((r = row(root, "by_carc", "carc", "CO-16")));
        /* the deductible line of R3 is not a denial */
        CHECK(row(root, "by_carc", "carc", "PR-1") == NULL);
        CHECK(row(root, "by_code", "code", "80061") == NULL);
        CHECK((r = row(root, "by_rarc", "rarc", "N115")));
        CHECK((r = row(root, "by_policy", "policy", "L33252")));
        CHECK_INT(ival(r, "lines"), 1);
        CHECK((r = row(root, "by_code", "code", "(claim)")));
        json_decref(root);
    }
    CHECK_INT(run("denials --format jsonl " FIX "remit.835", &out, &err), 0);
    {
        int lines = 0;
        for (const char *p = out; p && (p = strchr(p, '\n')); p++)
            lines++;
        CHECK_INT(lines, 3);
    }
    CHECK_CONTAINS(out, "{\"claim_id\":\"R1\",\"claim_status\":\"1\","
                        "\"payer_claim_number\":\"ICN0001\",\"line\":1,"
                        "\"code\":\"83036\"");
    CHECK_CONTAINS(out, "\"line\":0,\"code\":null");
    CHECK_CONTAINS(out, "\"adjustments\":[{\"group\":\"CO\",\"carc\":\"97\","
                        "\"amount\":100.00}],\"remarks\":[\"M15\"]");
    CHECK(out && !strstr(out, "PATIENT"));
    /* from stdin, to a file */
    snprintf(path, sizeof(path),
             "denials --format jsonl -o %s/d.jsonl - < " FIX "remit.835",
             tmpdir);
    CHECK_INT(run(path, &out, &err), 0);
    snprintf(path, sizeof(path), "%s/d.jsonl", tmpdir);
    free(out);
    out = slurp(path);
    CHECK_CONTAINS(out, "\"claim_id\":\"R3\"");

    /* a remittance cut short: what was read is written, the error says
     * where, exit 3 */
    snprintf(path, sizeof(path), "%s/cut.835", tmpdir);
    {
        char *remit = slurp(FIX "remit.835");
        char *cut = remit ? strstr(remit, "CLP*R3") : NULL;
        f = fopen(path, "wb");
        CHECK(f && cut);
        if (f && cut)
            fwrite(remit, 1, (size_t)(cut - remit), f);
        if (f)
            fclose(f);
        free(remit);
    }
    {
        char args[800];
        snprintf(args, sizeof(args), "denials --format json %s", path);
        CHECK_INT(run(args, &out, &err), 3);
        CHECK_CONTAINS(out, "\"claims\":2");
        CHECK_CONTAINS(err, "cut.835");
        CHECK_CONTAINS(err, "error");
    }
    /* a transaction set without its envelope: the standard separators */
    snprintf(path, sizeof(path), "%s/bare.835", tmpdir);
    {
        char *remit = slurp(FIX "remit.835");
        char *st = remit ? strstr(remit, "ST*835") : NULL;
        char *ge = remit ? strstr(remit, "GE*") : NULL;
        f = fopen(path, "wb");
        CHECK(f && st && ge);
        if (f && st && ge)
            fwrite(st, 1, (size_t)(ge - st), f);
        if (f)
            fclose(f);
        free(remit);
    }
    {
        char args[800];
        snprintf(args, sizeof(args), "denials --format json %s", path);
        CHECK_INT(run(args, &out, &err), 0);
        CHECK_CONTAINS(out, "\"claims\":3,\"services\":4,\"denied_lines\":3");
    }
    CHECK_INT(run("denials --format xml " FIX "remit.835", &out, &err), 2);
    CHECK_INT(run("denials --top 0 " FIX "remit.835", &out, &err), 2);
    CHECK_INT(run("denials /nonexistent.835", &out, &err), 3);
    /* an 837 is not a remittance */
    CHECK_INT(run("denials " FIX "claims.837", &out, &err), 3);
    CHECK_CONTAINS(err, "837");
    free(out);
    free(err);
}

int main(void)
{
    char args[800];
    char *out = NULL;

    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(kb_path, sizeof(kb_path), "%s/cases.mnkb", tmpdir);
    snprintf(args, sizeof(args), "build --quiet -o %s %s/kb", kb_path,
             MN_CASES);
    if (run(args, &out, NULL) != 0) {
        fprintf(stderr, "cannot build the cases KB\n");
        return 1;
    }
    free(out);
    RUN(test_same_figures);
    RUN(test_not_results);
    RUN(test_kb_citations);
    RUN(test_outliers);
    RUN(test_html);
    RUN(test_report_cli);
    RUN(test_denials);
    snprintf(args, sizeof(args), "rm -rf %s", tmpdir);
    if (system(args) != 0)
        fprintf(stderr, "cannot remove %s\n", tmpdir);
    DONE();
}
