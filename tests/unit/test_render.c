/*
 * test_render.c: result rendering (contract JSON and text) and status
 * names. Results are built by hand: they are plain structs.
 */
#include <time.h>

#include <jansson.h>

#include "check/check.h"
#include "harness.h"
#include "build/writer/kbb.h"
#include "kb/kb_int.h"

/* A KB with one described code, E11.9 (E11.65 has no description). */
static mn_kb *desc_kb(void)
{
    static const char d[] = "Type 2 diabetes mellitus without complications";
    mn_kbb *b = NULL;
    void *bytes = NULL;
    size_t len = 0;
    mn_kb *kb = NULL;
    mn_error err;

    mn_error_clear(&err);
    mn_x__kbb_new(&b);
    mn_x__kbb_icd(b, 2024, mn_x__key("E11.9", 5), true, d, sizeof(d) - 1);
    mn_x__kbb_icd(b, 2024, mn_x__key("E11.65", 6), true, NULL, 0);
    if (mn_x__kbb_serialize(b, "2026-01-01", &bytes, &len, &err) == MN_OK)
        mn_kb_open_buffer(&kb, bytes, len, 1, &err);
    mn_x__free(bytes);
    mn_x__kbb_free(b);
    return kb;
}

/* One result with three lines: a denial with a full citation, a line
 * with hostile text, and a clean line. */
typedef struct fixture {
    mn_finding f1[2];
    mn_finding f2[1];
    mn_line_result lines[3];
    mn_result res;
} fixture;

static void make_fixture(fixture *x, const mn_kb *kb)
{
    mn_finding *f;

    memset(x, 0, sizeof(*x));
    x->res.kb = kb;
    f = &x->f1[0];
    f->edit = mn_edit_find("policy.dx_not_supported");
    f->severity = MN_SEVERITY_DENY;
    f->message = "No diagnosis on the line supports 83036 under A56767.";
    f->policy_kind = "article";
    f->policy_id = "A56767";
    f->policy_version = 17;
    f->group = 1;
    f->policy_title = "Billing and Coding: Glycated Hemoglobin";
    f->related = "L33996";
    f->source = NULL;
    f->carc = "50";
    f->rarc = "N386";
    f->dx = "I10";
    f->fix = "Add a covered diagnosis if documented, or get an ABN (GA).";
    f->supporting[0] = mn_x__key("E11.9", 5);
    f->supporting[1] = mn_x__key("E11.65", 6);
    f->n_supporting = 2;
    f->payable_again = MN_NODATE;
    f = &x->f1[1];
    f->edit = mn_edit_find("policy.none");
    f->severity = MN_SEVERITY_INFO;
    f->message = "judged on its own";
    f->policy_version = -1;
    x->lines[0].line = 1;
    memcpy(x->lines[0].code, "83036", 6);
    x->lines[0].status = MN_STATUS_NOT_COVERED;
    x->lines[0].abn = MN_ABN_RECOMMENDED;
    x->lines[0].suggested[0] = "GA";
    x->lines[0].n_suggested = 1;
    x->lines[0].findings = x->f1;
    x->lines[0].n_findings = 2;

    f = &x->f2[0];
    f->edit = mn_edit_find("frequency.exceeded");
    f->severity = MN_SEVERITY_REVIEW;
    f->message = "quote \" backslash \\ newline \n tab \t bell \a "
                 "del \x7f caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 "
                 "bad \xff\xc3 end";
    f->policy_kind = "ncd";
    f->policy_id = "190.21";
    f->policy_version = 0;
    f->group = 0;
    f->carc = "151";
    f->rarc = NULL;
    f->source = "rules/lab.mnr:12";
    f->n_supporting = 0;
    x->lines[1].line = 2;
    memcpy(x->lines[1].code, "G0103", 6);
    x->lines[1].status = MN_STATUS_CONDITIONAL;
    x->lines[1].abn = MN_ABN_NOT_NEEDED;
    x->lines[1].findings = x->f2;
    x->lines[1].n_findings = 1;

    x->lines[2].line = 3;
    memcpy(x->lines[2].code, "ABCDEFGH", 8); /* fills the field */
    x->lines[2].status = MN_STATUS_COVERED;
    x->lines[2].abn = MN_ABN_NOT_NEEDED;

    x->res.id = "c-\"1001\"";
    x->res.status = MN_STATUS_NOT_COVERED;
    x->res.lines = x->lines;
    x->res.n_lines = 3;
}

static json_t *render_parse(const mn_result *res, const mn_kb *kb)
{
    mn_buf *buf = NULL;
    json_t *j = NULL;
    json_error_t je;
    mn_error err;

    CHECK_INT(mn_buf_new(&buf, 0), MN_OK);
    CHECK_INT(mn_result_render(buf, res, kb, MN_FORMAT_JSON, &err), MN_OK);
    j = json_loadb(mn_buf_data(buf), mn_buf_len(buf), JSON_REJECT_DUPLICATES,
                   &je);
    if (!j)
        fprintf(stderr, "  %s\n  in: %s\n", je.text, mn_buf_data(buf));
    CHECK(j != NULL);
    mn_buf_free(buf);
    return j;
}

static const char *sget(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static void test_status_names(void)
{
    CHECK_STR(mn_status_name(MN_STATUS_INVALID), "invalid");
    CHECK_STR(mn_status_name(MN_STATUS_EXCLUDED), "excluded");
    CHECK_STR(mn_status_name(MN_STATUS_NOT_COVERED), "not_covered");
    CHECK_STR(mn_status_name(MN_STATUS_CONDITIONAL), "conditional");
    CHECK_STR(mn_status_name(MN_STATUS_INDETERMINATE), "indeterminate");
    CHECK_STR(mn_status_name(MN_STATUS_COVERED), "covered");
    CHECK_STR(mn_status_name((mn_status)42), "invalid");
    CHECK_STR(mn_status_name((mn_status)-1), "invalid");
}

static void test_json_shape(void)
{
    fixture x;
    json_t *j;
    mn_kb *kb;
    json_t *ln;
    json_t *f;
    json_t *pol;
    json_t *arr;

    kb = desc_kb();
    make_fixture(&x, kb);
    j = render_parse(&x.res, kb);
    x.res.kb = NULL; /* the KB goes: the result may not use it any more */
    mn_kb_free(kb);
    if (!j)
        return;
    CHECK_STR(sget(j, "id"), "c-\"1001\"");
    CHECK_STR(sget(j, "status"), "not_covered");
    CHECK_INT(strlen(sget(json_object_get(j, "knowledge_base"), "version")),
              16);
    CHECK_STR(sget(json_object_get(j, "knowledge_base"), "built"),
              "2026-01-01");
    CHECK_INT(json_array_size(json_object_get(j, "lines")), 3);

    ln = json_array_get(json_object_get(j, "lines"), 0);
    CHECK_INT(json_integer_value(json_object_get(ln, "line")), 1);
    CHECK_STR(sget(ln, "code"), "83036");
    CHECK_STR(sget(ln, "status"), "not_covered");
    CHECK_STR(sget(ln, "abn"), "recommended");
    CHECK_INT(json_array_size(json_object_get(ln, "suggested_modifiers")), 1);
    CHECK_STR(json_string_value(json_array_get(
                  json_object_get(ln, "suggested_modifiers"), 0)),
              "GA");
    CHECK_INT(json_array_size(json_object_get(ln, "findings")), 2);

    f = json_array_get(json_object_get(ln, "findings"), 0);
    CHECK_STR(sget(f, "edit"), "policy.dx_not_supported");
    CHECK_STR(sget(f, "severity"), "deny");
    CHECK_CONTAINS(sget(f, "message"), "No diagnosis");
    pol = json_object_get(f, "policy");
    CHECK(json_is_object(pol));
    CHECK_STR(sget(pol, "kind"), "article");
    CHECK_STR(sget(pol, "id"), "A56767");
    CHECK_INT(json_integer_value(json_object_get(pol, "version")), 17);
    CHECK_INT(json_integer_value(json_object_get(pol, "group")), 1);
    CHECK_STR(sget(pol, "title"), "Billing and Coding: Glycated Hemoglobin");
    CHECK_STR(sget(pol, "related"), "L33996");
    CHECK(json_object_get(pol, "source") == NULL); /* null members omitted */
    CHECK_STR(sget(f, "carc"), "50");
    CHECK_STR(sget(f, "rarc"), "N386");
    CHECK_STR(sget(f, "diagnosis"), "I10");
    CHECK_CONTAINS(sget(f, "fix"), "ABN (GA)");
    CHECK_INT(json_array_size(json_object_get(f, "supporting_diagnoses")), 2);
    arr = json_object_get(f, "supporting_diagnoses");
    CHECK_STR(json_string_value(json_array_get(arr, 0)), "E11.9");
    CHECK_STR(json_string_value(json_array_get(arr, 1)), "E11.65");
    CHECK_INT(json_array_size(json_object_get(f, "supporting_detail")), 2);
    {
        json_t *d = json_array_get(json_object_get(f, "supporting_detail"), 0);
        CHECK_STR(sget(d, "code"), "E11.9");
        CHECK_STR(sget(d, "description"),
                  "Type 2 diabetes mellitus without complications");
        d = json_array_get(json_object_get(f, "supporting_detail"), 1);
        CHECK_STR(sget(d, "code"), "E11.65");
        CHECK(json_is_null(json_object_get(d, "description")));
    }

    /* a finding without a citation: no policy, null codes, no extras */
    f = json_array_get(json_object_get(ln, "findings"), 1);
    CHECK_STR(sget(f, "severity"), "info");
    CHECK(json_object_get(f, "policy") == NULL);
    CHECK(json_is_null(json_object_get(f, "carc")));
    CHECK(json_is_null(json_object_get(f, "rarc")));
    CHECK(json_object_get(f, "diagnosis") == NULL);
    CHECK(json_object_get(f, "fix") == NULL);
    CHECK(json_is_array(json_object_get(f, "supporting_diagnoses")));
    CHECK_INT(json_array_size(json_object_get(f, "supporting_diagnoses")), 0);
    CHECK(json_object_get(f, "supporting_detail") == NULL);

    /* version 0 is a version; group 0 is none */
    ln = json_array_get(json_object_get(j, "lines"), 1);
    CHECK_STR(sget(ln, "status"), "conditional");
    CHECK_STR(sget(ln, "abn"), "not_needed");
    CHECK_INT(json_array_size(json_object_get(ln, "suggested_modifiers")), 0);
    f = json_array_get(json_object_get(ln, "findings"), 0);
    CHECK_STR(sget(f, "severity"), "review");
    pol = json_object_get(f, "policy");
    CHECK_STR(sget(pol, "kind"), "ncd");
    CHECK_INT(json_integer_value(json_object_get(pol, "version")), 0);
    CHECK(json_object_get(pol, "group") == NULL);
    CHECK(json_object_get(pol, "title") == NULL);
    CHECK_STR(sget(pol, "source"), "rules/lab.mnr:12");
    CHECK_STR(sget(f, "carc"), "151");
    CHECK(json_is_null(json_object_get(f, "rarc")));

    /* a code filling its field; abn defaults to not_needed */
    ln = json_array_get(json_object_get(j, "lines"), 2);
    CHECK_STR(sget(ln, "code"), "ABCDEFGH");
    CHECK_STR(sget(ln, "status"), "covered");
    CHECK_STR(sget(ln, "abn"), "not_needed");
    CHECK_INT(json_array_size(json_object_get(ln, "findings")), 0);
    json_decref(j);

    /* no id, no lines */
    x.res.id = NULL;
    x.res.n_lines = 0;
    x.res.status = MN_STATUS_COVERED;
    j = render_parse(&x.res, NULL);
    if (j) {
        CHECK(json_is_null(json_object_get(j, "id")));
        CHECK_INT(json_array_size(json_object_get(j, "lines")), 0);
        CHECK_STR(sget(j, "status"), "covered");
    }
    json_decref(j);
}

static void test_json_escaping(void)
{
    fixture x;
    json_t *j;
    const char *msg;

    make_fixture(&x, NULL);
    j = render_parse(&x.res, NULL);
    if (!j)
        return;
    msg =
        sget(json_array_get(
                 json_object_get(json_array_get(json_object_get(j, "lines"), 1),
                                 "findings"),
                 0),
             "message");
    CHECK_STR(msg, "quote \" backslash \\ newline \n tab \t bell \a "
                   "del \x7f caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 "
                   "bad \xef\xbf\xbd\xef\xbf\xbd end");
    json_decref(j);

    /* the escapes themselves */
    {
        mn_buf *b = NULL;
        CHECK_INT(mn_buf_new(&b, 0), MN_OK);
        CHECK_INT(mn_buf_append_json(b, "a\"b\\c\n\r\t\b\f\x01\x1f/", 13),
                  MN_OK);
        CHECK_STR(mn_buf_data(b),
                  "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f/\"");
        mn_buf_clear(b);
        CHECK_INT(mn_buf_append_json(b, "x\0y", 3), MN_OK);
        CHECK_STR(mn_buf_data(b), "\"x\\u0000y\"");
        mn_buf_clear(b);
        CHECK_INT(mn_buf_append_json(b, NULL, 0), MN_OK);
        CHECK_STR(mn_buf_data(b), "null");
        mn_buf_clear(b);
        CHECK_INT(mn_buf_append_json(b, "", 0), MN_OK);
        CHECK_STR(mn_buf_data(b), "\"\"");
        mn_buf_clear(b);
        /* overlong, surrogate, past U+10FFFF, truncated: replaced */
        {
            static const char bad[] = "\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80"
                                      "\x80|\xe2\x82";
            CHECK_INT(mn_buf_append_json(b, bad, sizeof(bad) - 1), MN_OK);
        }
        CHECK_STR(mn_buf_data(b), "\"\xef\xbf\xbd\xef\xbf\xbd|"
                                  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
                                  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                                  "\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\"");
        mn_buf_free(b);
    }
    /* the block scan (16 bytes at a time, then the tail): every length up
     * to 70 with one byte that needs care at every position, against the
     * escape written out here; the string is cut from a larger buffer so
     * that what follows it is never read as part of it */
    {
        static const char *const what[][2] = {{"\"", "\\\""},
                                              {"\\", "\\\\"},
                                              {"\n", "\\n"},
                                              {"\x01", "\\u0001"},
                                              {"\xc3\xa9", "\xc3\xa9"},
                                              {"\xff", "\xef\xbf\xbd"}};
        mn_buf *b = NULL;
        char src[96];
        char want[256];
        int bad = 0;
        CHECK_INT(mn_buf_new(&b, 0), MN_OK);
        for (size_t len = 0; b && len <= 70; len++) {
            for (size_t w = 0; w < sizeof(what) / sizeof(what[0]); w++) {
                size_t wl = strlen(what[w][0]);
                for (size_t pos = 0; pos + wl <= len || pos == 0; pos++) {
                    size_t n = 0;
                    memset(src, '"', sizeof(src)); /* after the string */
                    memset(src, 'a', len);
                    if (pos + wl <= len)
                        memcpy(src + pos, what[w][0], wl);
                    want[n++] = '"';
                    if (pos + wl <= len) {
                        size_t el = strlen(what[w][1]);
                        memset(want + n, 'a', pos);
                        memcpy(want + n + pos, what[w][1], el);
                        memset(want + n + pos + el, 'a', len - pos - wl);
                        n += len - wl + el;
                    } else {
                        memset(want + n, 'a', len);
                        n += len;
                    }
                    want[n++] = '"';
                    want[n] = '\0';
                    mn_buf_clear(b);
                    if (mn_buf_append_json(b, src, len) != MN_OK ||
                        strcmp(mn_buf_data(b), want) != 0) {
                        if (!bad++)
                            fprintf(stderr, "len %zu pos %zu: %s != %s\n", len,
                                    pos, mn_buf_data(b), want);
                    }
                    if (pos + wl > len)
                        break;
                }
            }
        }
        CHECK_INT(bad, 0);
        mn_buf_free(b);
    }
}

static void test_text(void)
{
    fixture x;
    mn_buf *b = NULL;
    mn_error err;
    const char *t;

    mn_kb *kb = desc_kb();

    make_fixture(&x, kb);
    CHECK_INT(mn_buf_new(&b, 0), MN_OK);
    CHECK_INT(mn_result_render(b, &x.res, kb, MN_FORMAT_TEXT, &err), MN_OK);
    t = mn_buf_data(b);
    CHECK_CONTAINS(t, "Claim c-\"1001\": NOT COVERED (3 lines)\n");
    CHECK_CONTAINS(t, "\nLine 1  83036  NOT COVERED  (ABN recommended; "
                      "append GA)\n");
    CHECK_CONTAINS(t, "deny   policy.dx_not_supported: No diagnosis");
    CHECK_CONTAINS(t, "policy: article A56767 v17 group 1, LCD L33996: "
                      "Billing and Coding: Glycated Hemoglobin\n");
    CHECK_CONTAINS(t, "expected denial: CARC 50, RARC N386\n");
    CHECK_CONTAINS(t, "fix: Add a covered diagnosis");
    CHECK_CONTAINS(t, "  E11.9    Type 2 diabetes mellitus without "
                      "complications\n");
    CHECK_CONTAINS(t, "  E11.65\n");
    CHECK_CONTAINS(t, "\nLine 2  G0103  CONDITIONAL\n");
    CHECK_CONTAINS(t, "policy: NCD 190.21 v0\n");
    CHECK_CONTAINS(t, "source: rules/lab.mnr:12\n");
    CHECK_CONTAINS(t, "expected denial: CARC 151\n");
    /* hostile text stays on its line */
    CHECK_CONTAINS(t, "newline   tab   bell");
    CHECK_CONTAINS(t, "\nLine 3  ABCDEFGH  COVERED\n");
    mn_buf_free(b);

    /* ABN on file, modifiers without an ABN */
    x.lines[0].abn = MN_ABN_ON_FILE;
    x.lines[1].suggested[0] = "GY";
    x.lines[1].suggested[1] = "KX";
    x.lines[1].n_suggested = 2;
    x.res.id = NULL;
    CHECK_INT(mn_buf_new(&b, 0), MN_OK);
    CHECK_INT(mn_result_render(b, &x.res, NULL, MN_FORMAT_TEXT, &err), MN_OK);
    t = mn_buf_data(b);
    CHECK_CONTAINS(t, "Claim (no id): NOT COVERED");
    CHECK_CONTAINS(t, "NOT COVERED  (ABN on file; append GA)\n");
    CHECK_CONTAINS(t, "CONDITIONAL  (append GY, KX)\n");
    mn_buf_free(b);

    /* a RARC alone; an MCE citation whose id names its kind */
    x.f2[0].carc = NULL;
    x.f2[0].rarc = "N1";
    x.f2[0].policy_kind = "mce";
    x.f2[0].policy_id = "MCE v41";
    x.f2[0].policy_version = -1;
    CHECK_INT(mn_buf_new(&b, 0), MN_OK);
    CHECK_INT(mn_result_render(b, &x.res, NULL, MN_FORMAT_TEXT, &err), MN_OK);
    t = mn_buf_data(b);
    CHECK_CONTAINS(t, "expected denial: RARC N1\n");
    CHECK_CONTAINS(t, "policy: MCE v41\n");
    mn_buf_free(b);
    mn_kb_free(kb); /* the result borrows the KB's strings until here */
}

static void test_render_errors(void)
{
    fixture x;
    mn_buf *b = NULL;
    mn_error err;

    make_fixture(&x, NULL);
    CHECK_INT(mn_buf_new(&b, 64), MN_OK);
    CHECK_INT(mn_result_render(NULL, &x.res, NULL, MN_FORMAT_JSON, &err),
              MN_EINVAL);
    CHECK_INT(mn_result_render(b, NULL, NULL, MN_FORMAT_JSON, &err), MN_EINVAL);
    CHECK_INT(mn_result_render(b, &x.res, NULL, (mn_format)9, &err), MN_EINVAL);
    /* too large for the buffer: a limit error, the buffer left empty */
    CHECK_INT(mn_result_render(b, &x.res, NULL, MN_FORMAT_JSON, &err),
              MN_ELIMIT);
    CHECK_INT(err.code, MN_ELIMIT);
    CHECK_INT(mn_buf_len(b), 0);
    CHECK_INT(mn_result_render(b, &x.res, NULL, MN_FORMAT_TEXT, NULL),
              MN_ELIMIT);
    mn_buf_free(b);
}

/* Appends to what the buffer holds (JSON Lines). */
static void test_append(void)
{
    fixture x;
    mn_buf *b = NULL;
    const char *p;
    const char *nl;

    make_fixture(&x, NULL);
    CHECK_INT(mn_buf_new(&b, 0), MN_OK);
    CHECK_INT(mn_result_render(b, &x.res, NULL, MN_FORMAT_JSON, NULL), MN_OK);
    CHECK_INT(mn_x__buf_puts(b, "\n"), MN_OK);
    CHECK_INT(mn_result_render(b, &x.res, NULL, MN_FORMAT_JSON, NULL), MN_OK);
    p = mn_buf_data(b);
    nl = strchr(p, '\n');
    CHECK(nl != NULL);
    if (nl) {
        /* no raw newline inside a rendered result */
        CHECK(strchr(nl + 1, '\n') == NULL);
        CHECK_INT((size_t)(nl - p) * 2 + 1, mn_buf_len(b));
    }
    mn_buf_free(b);
}

static double now(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* With a real KB: the stamp, and parse + check + render end to end. */
static void test_with_kb(void)
{
    static const char claim[] =
        "{\"id\":\"c-1001\",\"payer\":\"medicare\",\"jurisdiction\":\"JE\","
        "\"claim_type\":\"professional\",\"place_of_service\":\"11\","
        "\"patient\":{\"id\":\"p-77\",\"birth_date\":\"1950-04-02\","
        "\"sex\":\"F\"},\"diagnoses\":[\"E11.65\",\"I10\"],\"lines\":["
        "{\"code\":\"83036\",\"modifiers\":[],\"units\":1,"
        "\"date\":\"2026-03-02\",\"dx_pointers\":[1]}],\"history\":["
        "{\"code\":\"83036\",\"date\":\"2026-01-10\",\"units\":1}]}";
    mn_kb *kb = NULL;
    mn_ctx *ctx = NULL;
    mn_claim *c = NULL;
    const mn_result *res = NULL;
    mn_buf *b = NULL;
    mn_error err;
    json_t *j = NULL;
    int rc;
    double t0;
    int n = 0;

    rc = mn_kb_open_builtin(&kb, &err);
    if (rc != MN_OK) {
        fprintf(stderr, "  no built-in KB (%s); skipped\n", err.message);
        return;
    }
    CHECK_INT(mn_ctx_new(&ctx, 0, &err), MN_OK);
    CHECK_INT(mn_buf_new(&b, 0), MN_OK);
    CHECK_INT(mn_claim_parse_json(&c, claim, sizeof(claim) - 1, NULL, &err),
              MN_OK);
    if (ctx && c && b) {
        CHECK_INT(mn_check(&res, ctx, kb, c, &err), MN_OK);
        if (res) {
            CHECK_INT(mn_result_render(b, res, kb, MN_FORMAT_JSON, &err),
                      MN_OK);
            j = json_loadb(mn_buf_data(b), mn_buf_len(b), 0, NULL);
            CHECK(j != NULL);
            CHECK_STR(sget(json_object_get(j, "knowledge_base"), "version"),
                      mn_kb_version(kb));
            CHECK_STR(sget(json_object_get(j, "knowledge_base"), "built"),
                      mn_kb_built(kb));
            CHECK_STR(sget(j, "id"), "c-1001");
            CHECK_INT(json_array_size(json_object_get(j, "lines")), 1);
            json_decref(j);
            mn_buf_clear(b);
            CHECK_INT(mn_result_render(b, res, kb, MN_FORMAT_TEXT, &err),
                      MN_OK);
            CHECK_CONTAINS(mn_buf_data(b), "Knowledge base ");
        }
        mn_claim_free(c);
        c = NULL;
        /* a rough figure for the logs, not a benchmark */
        t0 = now();
        rc = MN_OK;
        for (n = 0; n < 20000 && rc == MN_OK; n++) {
            rc = mn_claim_parse_json(&c, claim, sizeof(claim) - 1, NULL, &err);
            if (rc == MN_OK)
                rc = mn_check(&res, ctx, kb, c, &err);
            mn_buf_clear(b);
            if (rc == MN_OK)
                rc = mn_result_render(b, res, kb, MN_FORMAT_JSON, &err);
            mn_ctx_reset(ctx);
            mn_claim_free(c);
            c = NULL;
        }
        CHECK_INT(rc, MN_OK);
        fprintf(stderr, "  parse+check+render: %.0f one-line claims/s\n",
                (double)n / (now() - t0 + 1e-9));
    }
    mn_claim_free(c);
    mn_buf_free(b);
    mn_ctx_free(ctx);
    mn_kb_free(kb);
}

int main(void)
{
    RUN(test_status_names);
    RUN(test_json_shape);
    RUN(test_json_escaping);
    RUN(test_text);
    RUN(test_render_errors);
    RUN(test_append);
    RUN(test_with_kb);
    DONE();
}
