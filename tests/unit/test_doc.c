/*
 * test_doc.c: the document layer through its public API: identification
 * number shapes, the facts file, the data (editions, templates), the ABN
 * (blanks, editions by date, refusals), letters and their completeness
 * check, appeals (deadline, refusals), and the renderers' limits.
 */
#define _POSIX_C_SOURCE 200809L
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "mednec.h"

static mn_kb *kb;
static mn_docdata *dd;

/* A checked claim: its result lives in ctx. */
typedef struct checked {
    mn_ctx *ctx;
    mn_claim *claim;
    const mn_result *res;
} checked;

static int check(checked *c, const char *json)
{
    mn_error err;
    int rc;

    memset(c, 0, sizeof(*c));
    mn_error_clear(&err);
    rc = mn_claim_parse_json(&c->claim, json, strlen(json), NULL, &err);
    if (!rc)
        rc = mn_ctx_new(&c->ctx, 0, &err);
    if (!rc)
        rc = mn_check(&c->res, c->ctx, kb, c->claim, &err);
    if (rc)
        fprintf(stderr, "check: %s\n", err.message);
    return rc;
}

static void unchecked(checked *c)
{
    mn_ctx_free(c->ctx);
    mn_claim_free(c->claim);
}

static mn_facts *facts_of(const char *json)
{
    mn_facts *f = NULL;
    mn_error err;
    if (mn_facts_parse_json(&f, json, strlen(json), &err))
        fprintf(stderr, "facts: %s: %s\n", err.where, err.message);
    return f;
}

/* A subsequent annual wellness visit nine months after the last one:
 * frequency.exceeded, ABN recommended. */
static const char awv[] =
    "{\"id\":\"c-1\",\"patient\":{\"id\":\"p\",\"birth_date\":\"1952-08-14\","
    "\"sex\":\"F\"},\"diagnoses\":[\"Z00.00\"],\"lines\":[{\"code\":"
    "\"G0439\",\"date\":\"2025-03-02\",\"charge\":175.5}],\"history\":[{"
    "\"code\":\"G0439\",\"date\":\"2024-06-10\"}]}";

/* The AWV above, a covered line (dated where the built-in KB's code sets
 * cover it), and a hearing aid (statutory). */
static const char mixed[] =
    "{\"id\":\"c-2\",\"patient\":{\"id\":\"p\",\"birth_date\":\"1952-08-14\","
    "\"sex\":\"F\"},\"diagnoses\":[\"Z00.00\",\"H90.3\"],\"lines\":["
    "{\"code\":\"G0439\",\"date\":\"2025-03-02\",\"charge\":175.5,"
    "\"dx_pointers\":[1]},"
    "{\"code\":\"99213\",\"date\":\"2024-09-03\",\"charge\":90,"
    "\"dx_pointers\":[2]},"
    "{\"code\":\"V5030\",\"date\":\"2025-03-02\",\"charge\":1200,"
    "\"dx_pointers\":[2]}],"
    "\"history\":[{\"code\":\"G0439\",\"date\":\"2024-06-10\"}]}";

static const char facts_abn[] =
    "{\"notifier\":{\"name\":\"Lakeside Family Medicine\",\"address\":"
    "\"120 Harbor Road\\nErie, PA 16501\",\"phone\":\"(814) 555-0142\"},"
    "\"patient\":{\"name\":\"Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m\","
    "\"record_number\":\"MRN-0042\"}}";

static void test_id_shapes(void)
{
    CHECK_INT(mn_id_shape("1EG4-TE5-MK73"), MN_ID_MBI);
    CHECK_INT(mn_id_shape("1eg4te5mk73"), MN_ID_MBI);
    CHECK_INT(mn_id_shape("123-45-6789"), MN_ID_SSN);
    CHECK_INT(mn_id_shape("123 45 6789"), MN_ID_SSN);
    CHECK_INT(mn_id_shape("123456789A"), MN_ID_HICN);
    CHECK_INT(mn_id_shape("123-45-6789C1"), MN_ID_HICN);
    CHECK_INT(mn_id_shape("MRN-004211"), MN_ID_OK);
    CHECK_INT(mn_id_shape("12345678"), MN_ID_OK);
    CHECK_INT(mn_id_shape("1234567890"), MN_ID_OK);
    CHECK_INT(mn_id_shape(""), MN_ID_OK);
    CHECK_INT(mn_id_shape(NULL), MN_ID_OK);
}

static void test_facts(void)
{
    mn_facts *f = NULL;
    mn_error err;
    static const char *const bad[][2] = {
        {"{\"patient\":{\"nme\":\"x\"}}", "patient.nme"},
        {"{\"patient\":{\"birth_date\":\"1950-02-30\"}}", "patient.birth_date"},
        {"{\"prescriber\":{\"npi\":\"1234567890\"}}", "prescriber.npi"},
        {"{\"test_results\":[{\"date\":\"2025-01-01\",\"tset\":\"x\"}]}",
         "test_results[0].tset"},
        {"{\"evidence\":[1]}", "evidence[0]"},
        {"{\"request\":\"please\"}", "request"},
        {"{\"items\":[{\"code\":\"E0601\",\"cost\":-1}]}", "items[0].cost"},
    };

    CHECK_INT(mn_facts_parse_json(&f, facts_abn, strlen(facts_abn), &err),
              MN_OK);
    mn_facts_free(f);
    f = NULL;
    {
        static const char npi[] = "{\"prescriber\":{\"npi\":\"1234567893\"}}";
        CHECK_INT(mn_facts_parse_json(&f, npi, sizeof(npi) - 1, &err), MN_OK);
    }
    mn_facts_free(f);
    f = NULL;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_INT(mn_facts_parse_json(&f, bad[i][0], strlen(bad[i][0]), &err),
                  MN_EINVAL);
        CHECK(f == NULL);
        CHECK_STR(err.where, bad[i][1]);
        CHECK(strchr(err.message, '\n') == NULL);
    }
    /* syntax: line and column, and no quote of the input */
    CHECK_INT(mn_facts_parse_json(&f, "{\n \"patient\": {\"name\": \"Zo\"\n",
                                  29, &err),
              MN_EINVAL);
    CHECK(err.line >= 2);
    CHECK(strstr(err.message, "Zo") == NULL);
    CHECK_INT(mn_facts_parse_json(&f, "[1]", 3, &err), MN_EINVAL);
    {
        /* over 4,000 bytes in one text */
        char big[5000];
        memcpy(big, "{\"history\":\"", 12);
        memset(big + 12, 'a', 4100);
        memcpy(big + 4112, "\"}", 3);
        CHECK_INT(mn_facts_parse_json(&f, big, strlen(big), &err), MN_EINVAL);
        CHECK_STR(err.where, "history");
    }
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    if (fp) {
        fputs(text, fp);
        fclose(fp);
    }
}

static void test_data(void)
{
    mn_abn_edition_info e;
    mn_docdata *mine = NULL;
    mn_error err;
    char dir[] = "/tmp/mn_docdata_XXXXXX";
    char path[300];
    size_t n = mn_docdata_edition_count(dd);
    int en2023 = 0, es_unverified = 0, missing = 0;

    CHECK(n >= 8);
    for (size_t i = 0; i < n; i++) {
        e.version = MN_ABN_EDITION_INFO_VERSION;
        CHECK_INT(mn_docdata_edition(&e, dd, i, NULL), MN_OK);
        if (!strcmp(e.id, "cms-r-131-2023-en")) {
            en2023 = 1;
            CHECK_STR(e.omb, "0938-0566");
            CHECK_STR(e.expires, "2026-01-31");
            CHECK_STR(e.label, "Form CMS-R-131 (Exp. 01/31/2026)");
            CHECK(e.has_text && !e.unverified);
        }
        if (!strcmp(e.language, "es") && e.has_text)
            es_unverified += e.unverified > 0;
        missing += !e.has_text;
    }
    CHECK(en2023);
    CHECK(es_unverified >= 1);
    CHECK_INT(missing, 2);
    e.version = MN_ABN_EDITION_INFO_VERSION;
    CHECK_INT(mn_docdata_edition(&e, dd, n, &err), MN_EINVAL);

    /* a user folder: a bad file is named with its line */
    if (!mkdtemp(dir))
        return;
    snprintf(path, sizeof(path), "%s/letters", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/letters/lab.txt", dir);
    write_file(path, "kind: lab\n# fine\nthis is not a header line\n");
    CHECK_INT(mn_docdata_open(&mine, dir, &err), MN_EINVAL);
    CHECK(mine == NULL);
    CHECK_CONTAINS(err.where, "letters/lab.txt");
    CHECK_INT(err.line, 3);
    write_file(path, "kind: lab\n[letter]\nx\n[letter]\ny\n");
    CHECK_INT(mn_docdata_open(&mine, dir, &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "given twice");
    /* an edition whose text lacks a section */
    snprintf(path, sizeof(path), "%s/abn", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/letters/lab.txt", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/abn/x.txt", dir);
    write_file(path, "edition: x\nlanguage: en\nlabel: X\nomb: 1\n"
                     "in_use_from: 2030-01-01\ntext: yes\n[title]\nT\n");
    CHECK_INT(mn_docdata_open(&mine, dir, &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "lacks the section");
    /* a checklist pattern that does not compile */
    unlink(path);
    snprintf(path, sizeof(path), "%s/letters/checklist.txt", dir);
    write_file(path, "[a]\ntitle: A\nkinds: all\nrequired: yes\n"
                     "pattern: (unclosed\n");
    CHECK_INT(mn_docdata_open(&mine, dir, &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "pattern 1 of [a]");
    unlink(path);
    snprintf(path, sizeof(path), "%s/letters", dir);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/abn", dir);
    rmdir(path);
    /* an empty folder adds nothing and is fine */
    CHECK_INT(mn_docdata_open(&mine, dir, &err), MN_OK);
    CHECK_INT(mn_docdata_edition_count(mine), n);
    mn_docdata_free(mine);
    rmdir(dir);
    CHECK_INT(mn_docdata_open(&mine, "/nonexistent/folder", &err), MN_EIO);
}

static mn_doc *abn(const checked *c, const mn_facts *f, const mn_abn_options *o,
                   mn_error *err)
{
    mn_doc *d = NULL;
    mn_abn_new(&d, dd, c->res, c->claim, f, o, err);
    return d;
}

static void test_abn_blanks(void)
{
    checked c;
    mn_facts *f = facts_of(facts_abn);
    mn_abn_options o = MN_ABN_OPTIONS_INIT;
    mn_line_info li;
    mn_doc *d;
    mn_error err;

    if (check(&c, awv))
        return;
    li.version = MN_LINE_INFO_VERSION;
    CHECK_INT(mn_result_line(&li, c.res, 0, NULL), MN_OK);
    CHECK_INT(li.abn, MN_ABN_RECOMMENDED);
    d = abn(&c, f, &o, &err);
    CHECK(d != NULL);
    if (d) {
        CHECK_INT(mn_doc_get_kind(d), MN_DOC_ABN);
        CHECK_STR(mn_doc_field(d, "abn.B"),
                  "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m");
        CHECK_STR(mn_doc_field(d, "abn.C"), "MRN-0042");
        CHECK_CONTAINS(mn_doc_field(d, "abn.A"), "Lakeside Family Medicine");
        CHECK_CONTAINS(mn_doc_field(d, "abn.A"), "(814) 555-0142");
        /* blank E is the result's reason, its date written out */
        CHECK_STR(li.abn_reason, "Medicare pays for this service only a "
                                 "limited number of times in a period; you "
                                 "had it on 2024-06-10.");
        CHECK_STR(mn_doc_field(d, "abn.E.1"),
                  "Medicare pays for this service only a limited number of "
                  "times in a period; you had it on June 10, 2024.");
        CHECK_STR(mn_doc_field(d, "abn.F.1"), "$175.50");
        CHECK_STR(mn_doc_field(d, "abn.D.1"), "HCPCS code G0439");
        CHECK_STR(mn_doc_field(d, "abn.D"), "Service");
        CHECK_STR(mn_doc_field(d, "abn.edition"), "cms-r-131-2023-en");
        CHECK(mn_doc_field(d, "abn.E.2") == NULL);
        CHECK_INT(mn_doc_warning_count(d), 0);
    }
    mn_doc_free(d);
    /* the user's description and cost win; H; a header */
    {
        mn_doc_item it = {"G0439", "Yearly wellness visit", 9900};
        o.items = &it;
        o.n_items = 1;
        o.additional = "Ask us about a payment plan.";
        o.items_header = "Wellness visit";
        d = abn(&c, f, &o, &err);
        CHECK(d != NULL);
        CHECK_STR(mn_doc_field(d, "abn.D.1"), "Yearly wellness visit (G0439)");
        CHECK_STR(mn_doc_field(d, "abn.F.1"), "$99.00");
        CHECK_STR(mn_doc_field(d, "abn.H"), "Ask us about a payment plan.");
        CHECK_STR(mn_doc_field(d, "abn.D"), "Wellness visit");
        mn_doc_free(d);
    }
    unchecked(&c);
    mn_facts_free(f);
}

static void test_abn_editions(void)
{
    static const struct {
        const char *date;
        const char *edition;
        int warnings;
    } cases[] = {{"2019-05-01", "cms-r-131-2017-en", 0},
                 {"2022-05-01", "cms-r-131-2020-en", 0},
                 {"2024-05-01", "cms-r-131-2023-en", 0},
                 /* expired 2026-01-31, in use to 2026-05-11 */
                 {"2026-03-01", "cms-r-131-2023-en", 1}};
    checked c;
    mn_facts *f = facts_of(facts_abn);
    mn_abn_options o = MN_ABN_OPTIONS_INIT;
    mn_doc *d;
    mn_error err;

    if (check(&c, awv))
        return;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        o.date = cases[i].date;
        d = abn(&c, f, &o, &err);
        CHECK(d != NULL);
        CHECK_STR(mn_doc_field(d, "abn.edition"), cases[i].edition);
        CHECK_INT(mn_doc_warning_count(d), cases[i].warnings);
        mn_doc_free(d);
    }
    /* from 2026-05-12 the 2026 edition is required: its text is not in
     * the data, so the notice is refused, and says how to proceed */
    o.date = "2026-12-04";
    d = abn(&c, f, &o, &err);
    CHECK(d == NULL);
    CHECK_INT(err.code, MN_EINVAL);
    CHECK_CONTAINS(err.message, "Exp. 03/31/2029");
    CHECK_CONTAINS(err.message, "not in mednec's data");
    /* an explicit edition outside its period: made, with a warning */
    o.edition = "cms-r-131-2023-en";
    d = abn(&c, f, &o, &err);
    CHECK(d != NULL);
    CHECK(mn_doc_warning_count(d) >= 1);
    mn_doc_free(d);
    o.edition = "cms-r-131-1999-en";
    CHECK(abn(&c, f, &o, &err) == NULL);
    CHECK_CONTAINS(err.message, "no ABN edition");
    /* Spanish: refused until verified, a marked draft on request */
    o.edition = NULL;
    o.date = "2024-05-01";
    o.language = "es";
    CHECK(abn(&c, f, &o, &err) == NULL);
    CHECK_CONTAINS(err.message, "not verified");
    o.allow_unverified = 1;
    d = abn(&c, f, &o, &err);
    CHECK(d != NULL);
    CHECK_STR(mn_doc_field(d, "abn.edition"), "cms-r-131-2023-es");
    CHECK_CONTAINS(mn_doc_field(d, "abn.E.1"), "Medicare paga este servicio");
    CHECK_STR(mn_doc_field(d, "abn.D"), "Servicio");
    CHECK(mn_doc_warning_count(d) >= 1);
    CHECK_CONTAINS(mn_doc_warning(d, 0), "draft");
    mn_doc_free(d);
    unchecked(&c);
    mn_facts_free(f);
}

static void test_abn_refusals(void)
{
    checked c, m, cov;
    mn_facts *f = facts_of(facts_abn);
    mn_abn_options o = MN_ABN_OPTIONS_INIT;
    mn_doc *d;
    mn_error err;
    size_t line2 = 2, line3 = 3, line1 = 1;

    if (check(&c, awv) || check(&m, mixed) ||
        check(&cov, "{\"patient\":{\"id\":\"p\",\"age\":70,\"sex\":\"F\"},"
                    "\"diagnoses\":[\"I10\"],\"lines\":[{\"code\":\"99213\","
                    "\"date\":\"2025-03-02\",\"charge\":90}]}"))
        return;
    /* blank A and B are required */
    CHECK(abn(&c, NULL, &o, &err) == NULL);
    CHECK_CONTAINS(err.message, "blank A");
    o.notifier_name = "N";
    o.notifier_address = "A";
    o.notifier_phone = "P";
    CHECK(abn(&c, NULL, &o, &err) == NULL);
    CHECK_CONTAINS(err.message, "blank B");
    /* the patient's Medicare number or SSN never goes in blank C; the
     * message does not repeat the value */
    o.patient_id = "1EG4-TE5-MK73";
    CHECK(abn(&c, f, &o, &err) == NULL);
    CHECK_CONTAINS(err.message, "MBI");
    CHECK(strstr(err.message, "TE5") == NULL);
    o.patient_id = "123-45-6789";
    CHECK(abn(&c, f, &o, &err) == NULL);
    CHECK_CONTAINS(err.message, "Social Security");
    o.patient_id = "123456789A";
    CHECK(abn(&c, f, &o, &err) == NULL);
    CHECK_CONTAINS(err.message, "HICN");
    o.patient_id = NULL;
    o.notifier_name = o.notifier_address = o.notifier_phone = NULL;
    /* a claim whose result recommends no ABN: a blank notice */
    CHECK(abn(&cov, f, &o, &err) == NULL);
    CHECK_CONTAINS(err.message, "no line of the claim needs an ABN");
    /* asking for a covered line: a blanket notice */
    o.lines = &line2;
    o.n_lines = 1;
    CHECK(abn(&m, f, &o, &err) == NULL);
    CHECK_CONTAINS(err.message, "blanket");
    /* a statutory exclusion needs --voluntary */
    o.lines = &line3;
    CHECK(abn(&m, f, &o, &err) == NULL);
    CHECK_CONTAINS(err.message, "--voluntary");
    o.voluntary = 1;
    d = abn(&m, f, &o, &err);
    CHECK(d != NULL);
    CHECK_CONTAINS(mn_doc_field(d, "abn.E.1"),
                   "Medicare never pays for this item");
    CHECK_STR(mn_doc_field(d, "abn.D"), "Item");
    mn_doc_free(d);
    /* by default only the lines that need one: line 1 (and 3 when
     * voluntary), never the covered line 2 */
    o.lines = NULL;
    o.n_lines = 0;
    d = abn(&m, f, &o, &err);
    CHECK(d != NULL);
    CHECK(mn_doc_field(d, "abn.E.2") != NULL);
    CHECK(mn_doc_field(d, "abn.E.3") == NULL);
    CHECK_STR(mn_doc_field(d, "abn.D"), "Items and services");
    mn_doc_free(d);
    o.voluntary = 0;
    d = abn(&m, f, &o, &err);
    CHECK(d != NULL);
    CHECK(mn_doc_field(d, "abn.E.2") == NULL);
    mn_doc_free(d);
    /* a line asked for twice, or out of range */
    {
        size_t twice[2] = {1, 1};
        o.lines = twice;
        o.n_lines = 2;
        CHECK(abn(&m, f, &o, &err) == NULL);
        o.lines = &line3;
        o.n_lines = 1;
        line3 = 9;
        CHECK(abn(&m, f, &o, &err) == NULL);
        CHECK_CONTAINS(err.message, "no line 9");
        o.lines = &line1;
    }
    unchecked(&c);
    /* no charge and no cost: blank F would be empty */
    if (!check(&c, "{\"patient\":{\"id\":\"p\",\"birth_date\":\"1952-08-14\","
                   "\"sex\":\"F\"},\"diagnoses\":[\"Z00.00\"],\"lines\":[{"
                   "\"code\":\"G0439\",\"date\":\"2025-03-02\"}],"
                   "\"history\":[{\"code\":\"G0439\",\"date\":"
                   "\"2024-06-10\"}]}")) {
        CHECK(abn(&c, f, &o, &err) == NULL);
        CHECK_CONTAINS(err.message, "no estimated cost");
        unchecked(&c);
    }
    /* not a Medicare claim */
    if (!check(&c, "{\"payer\":\"acme\",\"patient\":{\"id\":\"p\","
                   "\"birth_date\":\"1952-08-14\",\"sex\":\"F\"},"
                   "\"diagnoses\":[\"Z00.00\"],\"lines\":[{\"code\":"
                   "\"G0439\",\"date\":\"2025-03-02\",\"charge\":1}],"
                   "\"history\":[{\"code\":\"G0439\",\"date\":"
                   "\"2024-06-10\"}]}")) {
        CHECK(abn(&c, f, &o, &err) == NULL);
        CHECK_CONTAINS(err.message, "not Medicare");
        unchecked(&c);
    }
    unchecked(&m);
    unchecked(&cov);
    mn_facts_free(f);
}

static void test_abn_render(void)
{
    checked c;
    mn_facts *f = facts_of(facts_abn);
    mn_abn_options o = MN_ABN_OPTIONS_INIT;
    mn_doc *d;
    mn_buf *buf = NULL;
    mn_error err;
    size_t pages = 0;

    if (check(&c, awv))
        return;
    d = abn(&c, f, &o, &err);
    mn_buf_new(&buf, 0);
    CHECK_INT(mn_doc_render(buf, d, MN_DOC_PDF, &pages, &err), MN_OK);
    CHECK_INT(pages, 1);
    CHECK(mn_buf_len(buf) > 1000 && !memcmp(mn_buf_data(buf), "%PDF-", 5));
    mn_buf_clear(buf);
    CHECK_INT(mn_doc_render(buf, d, MN_DOC_HTML, &pages, &err), MN_OK);
    CHECK_INT(pages, 0);
    CHECK_CONTAINS(mn_buf_data(buf), "data-element=\"abn.E.1\"");
    CHECK_CONTAINS(mn_buf_data(buf), "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m");
    mn_buf_clear(buf);
    CHECK_INT(mn_doc_render(buf, d, MN_DOC_MARKDOWN, NULL, &err), MN_OK);
    CHECK_CONTAINS(mn_buf_data(buf), "- [ ] **OPTION 1.**");
    CHECK_CONTAINS(mn_buf_data(buf), "| HCPCS code G0439 |");
    mn_buf_clear(buf);
    CHECK_INT(mn_doc_render(buf, d, MN_DOC_TEXT, NULL, &err), MN_OK);
    CHECK_CONTAINS(mn_buf_data(buf), "[ ] OPTION 2.");
    /* HTML escapes what a user typed */
    mn_doc_free(d);
    o.additional = "<script>alert(1)</script> & more";
    d = abn(&c, f, &o, &err);
    mn_buf_clear(buf);
    CHECK_INT(mn_doc_render(buf, d, MN_DOC_HTML, NULL, &err), MN_OK);
    CHECK(strstr(mn_buf_data(buf), "<script>") == NULL);
    CHECK_CONTAINS(mn_buf_data(buf), "&lt;script&gt;alert(1)&lt;/script&gt; "
                                     "&amp; more");
    /* a small buffer: MN_ELIMIT, and the buffer is left as it was */
    mn_buf_free(buf);
    mn_buf_new(&buf, 2000);
    CHECK_INT(mn_doc_render(buf, d, MN_DOC_PDF, NULL, &err), MN_ELIMIT);
    CHECK_INT(mn_buf_len(buf), 0);
    CHECK_INT(mn_doc_render(buf, d, MN_DOC_HTML, NULL, &err), MN_ELIMIT);
    CHECK_INT(mn_buf_len(buf), 0);
    mn_buf_free(buf);
    mn_doc_free(d);
    unchecked(&c);
    /* too many items for one page: refused, not split */
    {
        char json[20000];
        size_t n = (size_t)snprintf(
            json, sizeof(json),
            "{\"patient\":{\"id\":\"p\",\"birth_date\":\"1952-08-14\","
            "\"sex\":\"F\"},\"diagnoses\":[\"Z00.00\"],\"history\":[{"
            "\"code\":\"G0439\",\"date\":\"2024-06-10\"}],\"lines\":[");
        for (int i = 0; i < 30; i++)
            n += (size_t)snprintf(json + n, sizeof(json) - n,
                                  "%s{\"code\":\"G0439\",\"date\":"
                                  "\"2025-03-%02d\",\"charge\":10}",
                                  i ? "," : "", i + 1);
        snprintf(json + n, sizeof(json) - n, "]}");
        if (!check(&c, json)) {
            d = abn(&c, f, &o, &err);
            CHECK(d != NULL);
            mn_buf_new(&buf, 0);
            CHECK_INT(mn_doc_render(buf, d, MN_DOC_PDF, &pages, &err),
                      MN_ELIMIT);
            CHECK_CONTAINS(err.message, "one page");
            CHECK_INT(mn_buf_len(buf), 0);
            mn_buf_free(buf);
            mn_doc_free(d);
            unchecked(&c);
        }
    }
    mn_facts_free(f);
}

/* ---- letters ---- */

static const char lab_claim[] =
    "{\"id\":\"c-9\",\"patient\":{\"id\":\"p\",\"birth_date\":\"1958-04-02\","
    "\"sex\":\"F\"},\"diagnoses\":[\"E11.65\"],\"lines\":[{\"code\":"
    "\"83036\",\"date\":\"2025-03-03\",\"charge\":22}]}";

static const char lfacts[] =
    "{\"patient\":{\"name\":\"Ana Ruiz\",\"birth_date\":\"1958-04-02\","
    "\"medicare_id\":\"1EG4TE5MK73\"},"
    "\"payer\":{\"name\":\"Novitas Solutions\"},"
    "\"request\":\"prior_authorization\","
    "\"prescriber\":{\"name\":\"Dana Whitfield\",\"credentials\":\"MD\","
    "\"npi\":\"1234567893\",\"phone\":\"(814) 555-0142\","
    "\"relationship\":\"primary care physician since 2015\"},"
    "\"service\":{\"quantity\":\"1 test\",\"frequency\":\"every 3 months\","
    "\"duration\":\"12 months\"},"
    "\"condition_since\":\"2015\","
    "\"history\":\"Type 2 diabetes with poor control.\","
    "\"test_results\":[{\"date\":\"2025-01-10\",\"test\":\"HbA1c\","
    "\"result\":\"9.1%\"}],"
    "\"prior_treatments\":[{\"treatment\":\"Metformin\",\"start\":"
    "\"2015-06-01\",\"outcome\":\"HbA1c above 8% despite full dose\"}],"
    "\"functional_limits\":\"Neuropathy limits walking.\","
    "\"rationale\":\"The HbA1c guides the insulin dose.\","
    "\"consequences\":\"hyperglycemia and its complications may go "
    "unnoticed.\","
    "\"expected_outcome\":\"HbA1c under 7.5% within a year.\"}";

static mn_lcheck *check_text(const char *text, size_t len, const char *kind)
{
    mn_lcheck *c = NULL;
    mn_lcheck_options o = MN_LCHECK_OPTIONS_INIT;
    mn_error err;
    o.kind = kind;
    if (mn_letter_check(&c, dd, text, len, &o, &err))
        fprintf(stderr, "letter check: %s\n", err.message);
    return c;
}

static int element_found(const mn_lcheck *c, const char *id, size_t *line)
{
    for (size_t i = 0; i < mn_lcheck_count(c); i++) {
        mn_lcheck_element e;
        e.version = MN_LCHECK_ELEMENT_VERSION;
        if (mn_lcheck_element_at(&e, c, i, NULL) == MN_OK &&
            !strcmp(e.id, id)) {
            if (line)
                *line = e.line;
            return e.found;
        }
    }
    return -1;
}

static void test_letter(void)
{
    checked c;
    mn_facts *f = facts_of(lfacts);
    mn_letter_options o = MN_LETTER_OPTIONS_INIT;
    mn_doc *d = NULL;
    mn_buf *buf = NULL;
    mn_error err;
    static const mn_doc_format fmts[] = {MN_DOC_TEXT, MN_DOC_MARKDOWN,
                                         MN_DOC_HTML, MN_DOC_PDF};

    if (!f || check(&c, lab_claim))
        return;
    o.date = "2025-03-01";
    CHECK_INT(mn_letter_new(&d, dd, c.res, f, &o, &err), MN_OK);
    CHECK_STR(mn_doc_field(d, "letter.kind"), "lab");
    mn_buf_new(&buf, 0);
    /* every generated letter passes its own completeness check */
    for (size_t i = 0; i < 4; i++) {
        mn_lcheck *lc;
        size_t pages = 0;
        mn_buf_clear(buf);
        CHECK_INT(mn_doc_render(buf, d, fmts[i], &pages, &err), MN_OK);
        lc = check_text(mn_buf_data(buf), mn_buf_len(buf), NULL);
        CHECK(lc != NULL);
        if (!lc)
            continue;
        CHECK_INT(mn_lcheck_missing(lc), 0);
        CHECK_STR(mn_lcheck_kind(lc), "general");
        CHECK_STR(mn_lcheck_input_format(lc),
                  i == 0 ? "text"
                         : (i == 1 ? "markdown" : (i == 2 ? "html" : "pdf")));
        if (mn_lcheck_missing(lc)) {
            mn_buf *r = NULL;
            mn_buf_new(&r, 0);
            mn_lcheck_render(r, lc, MN_FORMAT_TEXT, NULL);
            fprintf(stderr, "%s", mn_buf_data(r));
            mn_buf_free(r);
        }
        mn_lcheck_free(lc);
    }
    /* the text says what the result says: the line's diagnosis and why */
    mn_buf_clear(buf);
    mn_doc_render(buf, d, MN_DOC_TEXT, NULL, &err);
    CHECK_CONTAINS(mn_buf_data(buf), "ICD-10-CM E11.65");
    CHECK_CONTAINS(mn_buf_data(buf), "request for prior authorization");
    CHECK_CONTAINS(mn_buf_data(buf), "NPI: 1234567893");
    CHECK_CONTAINS(mn_buf_data(buf), "March 1, 2025");
    mn_doc_free(d);
    d = NULL;
    /* missing facts: every one named, nothing made */
    {
        mn_facts *thin = facts_of("{\"patient\":{\"name\":\"Ana Ruiz\"},"
                                  "\"prescriber\":{\"name\":\"D\"}}");
        CHECK_INT(mn_letter_new(&d, dd, c.res, thin, &o, &err), MN_EINVAL);
        CHECK(d == NULL);
        CHECK_CONTAINS(err.message, "missing");
        CHECK_CONTAINS(err.message, "prescriber.npi");
        CHECK_CONTAINS(err.message, "patient.birth_date");
        CHECK_CONTAINS(err.message, "more");
        CHECK(strstr(err.message, "Ana") == NULL);
        mn_facts_free(thin);
    }
    /* a user template: an unknown placeholder names the line */
    {
        static const char tpl[] = "kind: lab\n[letter]\nDear {payer.name}\n"
                                  "\nSee {nothing.here}.\n";
        o.template_text = tpl;
        o.template_len = sizeof(tpl) - 1;
        o.template_name = "my.txt";
        CHECK_INT(mn_letter_new(&d, dd, c.res, f, &o, &err), MN_EINVAL);
        CHECK_CONTAINS(err.message, "{nothing.here}");
        CHECK_STR(err.where, "my.txt");
        CHECK_INT(err.line, 5);
        o.template_text = NULL;
    }
    /* the kind: from the code, or given */
    o.kind = "x-ray";
    CHECK_INT(mn_letter_new(&d, dd, c.res, f, &o, &err), MN_EINVAL);
    o.kind = NULL;
    o.line = 2;
    CHECK_INT(mn_letter_new(&d, dd, c.res, f, &o, &err), MN_EINVAL);
    mn_buf_free(buf);
    unchecked(&c);
    mn_facts_free(f);
}

static void test_letter_dme(void)
{
    checked c;
    mn_letter_options o = MN_LETTER_OPTIONS_INIT;
    mn_doc *d = NULL;
    mn_buf *buf = NULL;
    mn_error err;
    char json[4096];
    mn_facts *f;
    mn_lcheck *lc;

    if (check(&c, "{\"claim_type\":\"dme\",\"patient\":{\"id\":\"p\","
                  "\"birth_date\":\"1950-01-20\",\"sex\":\"M\"},"
                  "\"diagnoses\":[\"G47.33\"],\"lines\":[{\"code\":"
                  "\"E0601\",\"date\":\"2025-04-02\"}]}"))
        return;
    o.date = "2025-03-25";
    /* the encounter 2024-09-20 is within six months of 2025-03-20 */
    snprintf(json, sizeof(json),
             "%.*s,\"face_to_face_date\":\"2024-09-20\","
             "\"order_date\":\"2025-03-20\"}",
             (int)strlen(lfacts) - 1, lfacts);
    f = facts_of(json);
    CHECK_INT(mn_letter_new(&d, dd, c.res, f, &o, &err), MN_OK);
    mn_buf_new(&buf, 0);
    mn_doc_render(buf, d, MN_DOC_TEXT, NULL, &err);
    CHECK_CONTAINS(mn_buf_data(buf), "Standard written order");
    CHECK_CONTAINS(mn_buf_data(buf), "181 days before the order date");
    lc = check_text(mn_buf_data(buf), mn_buf_len(buf), NULL);
    CHECK(lc && !strcmp(mn_lcheck_kind(lc), "dme"));
    CHECK_INT(mn_lcheck_missing(lc), 0);
    CHECK_INT(element_found(lc, "dme.f2f_timing", NULL), 1);
    mn_lcheck_free(lc);
    /* the same letter with the encounter moved back past six months:
     * the check finds the timing wrong */
    {
        char *t = strdup(mn_buf_data(buf));
        char *p = strstr(t, "September 20, 2024");
        if (p)
            memcpy(p, "September 19, 2024", 18);
        lc = check_text(t, strlen(t), NULL);
        CHECK_INT(element_found(lc, "dme.f2f_timing", NULL), 0);
        CHECK_INT(element_found(lc, "dme.f2f", NULL), 1);
        CHECK_INT(mn_lcheck_missing(lc), 1);
        mn_lcheck_free(lc);
        free(t);
    }
    mn_doc_free(d);
    d = NULL;
    mn_facts_free(f);
    /* and the letter itself is refused */
    snprintf(json, sizeof(json),
             "%.*s,\"face_to_face_date\":\"2024-09-19\","
             "\"order_date\":\"2025-03-20\"}",
             (int)strlen(lfacts) - 1, lfacts);
    f = facts_of(json);
    CHECK_INT(mn_letter_new(&d, dd, c.res, f, &o, &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "more than six months");
    mn_facts_free(f);
    snprintf(json, sizeof(json),
             "%.*s,\"face_to_face_date\":\"2025-03-21\","
             "\"order_date\":\"2025-03-20\"}",
             (int)strlen(lfacts) - 1, lfacts);
    f = facts_of(json);
    CHECK_INT(mn_letter_new(&d, dd, c.res, f, &o, &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "after the order date");
    mn_facts_free(f);
    /* without the dates the DME letter lists them as missing */
    f = facts_of(lfacts);
    CHECK_INT(mn_letter_new(&d, dd, c.res, f, &o, &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "face_to_face_date, order_date");
    mn_facts_free(f);
    mn_buf_free(buf);
    unchecked(&c);
}

static void test_letter_check(void)
{
    static const char letter[] =
        "Dana Whitfield, MD\nNPI 1234567893\nPhone (814) 555-0142\n\n"
        "March 1, 2025\n\nTo: Medical Director, Novitas\n\n"
        "Re: prior authorization for CPT code 83036\n"
        "Patient: Ana Ruiz\nDate of birth: April 2, 1958\n"
        "Medicare number: 1EG4TE5MK73\n"
        "Quantity: 1; frequency: every 3 months; duration: 12 months\n"
        "Diagnosis: E11.65, diagnosed in 2015.\n"
        "Clinical history of poor control. Functional limitations: "
        "neuropathy.\nTest results: HbA1c 9.1%.\n"
        "Metformin was tried and failed.\n"
        "The test is medically necessary because it guides the dose.\n"
        "Without it, complications may go unnoticed.\n"
        "Expected outcome: HbA1c under 7.5%.\n"
        "Evidence: ADA guidelines.\n"
        "I am her primary care physician.\nSincerely,\n";
    size_t line = 0;
    mn_lcheck *lc = check_text(letter, sizeof(letter) - 1, NULL);
    mn_lcheck_options o = MN_LCHECK_OPTIONS_INIT;
    mn_error err;
    mn_lcheck *bad = NULL;
    mn_buf *buf = NULL;

    CHECK(lc != NULL);
    if (!lc)
        return;
    CHECK_INT(mn_lcheck_missing(lc), 0);
    CHECK_INT(element_found(lc, "patient.dob", &line), 1);
    CHECK_INT(line, 11);
    CHECK_INT(element_found(lc, "prescriber.npi", &line), 1);
    CHECK_INT(line, 2);
    mn_lcheck_free(lc);
    /* the same letter without its date of birth and NPI fails, naming both
     */
    {
        char *t = strdup(letter);
        char *p = strstr(t, "Date of birth: April 2, 1958\n");
        memset(p, ' ', 28);
        p = strstr(t, "NPI 1234567893");
        memset(p, ' ', 14);
        lc = check_text(t, strlen(t), NULL);
        CHECK_INT(mn_lcheck_missing(lc), 2);
        CHECK_INT(element_found(lc, "patient.dob", NULL), 0);
        CHECK_INT(element_found(lc, "prescriber.npi", NULL), 0);
        mn_buf_new(&buf, 0);
        CHECK_INT(mn_lcheck_render(buf, lc, MN_FORMAT_TEXT, NULL), MN_OK);
        CHECK_CONTAINS(mn_buf_data(buf), "MISSING  patient.dob");
        CHECK_CONTAINS(mn_buf_data(buf), "MISSING  prescriber.npi");
        CHECK_CONTAINS(mn_buf_data(buf), "2 required elements missing");
        mn_buf_clear(buf);
        CHECK_INT(mn_lcheck_render(buf, lc, MN_FORMAT_JSON, NULL), MN_OK);
        CHECK_CONTAINS(mn_buf_data(buf), "\"complete\":false");
        CHECK_CONTAINS(mn_buf_data(buf), "\"missing\":2");
        mn_buf_free(buf);
        mn_lcheck_free(lc);
        free(t);
    }
    /* HTML: tags and entities gone, lines from the source */
    lc = check_text("<!DOCTYPE html><html><head><title>Date of birth"
                    "</title><style>p{}</style></head><body>\n<p>Patient:"
                    " A&amp;B</p>\n<p>DOB: 1958-04-02</p>\n</body></html>",
                    141, NULL);
    CHECK(lc != NULL);
    if (lc) {
        CHECK_STR(mn_lcheck_input_format(lc), "html");
        CHECK_INT(element_found(lc, "patient.dob", &line), 1);
        CHECK_INT(line, 3);
        CHECK_INT(element_found(lc, "patient.name", &line), 1);
        CHECK_INT(line, 2);
        mn_lcheck_free(lc);
    }
    /* not text, not a PDF, nothing: one-line errors */
    CHECK_INT(mn_letter_check(&bad, dd, "abc\0def", 7, &o, &err), MN_EINVAL);
    CHECK(bad == NULL);
    CHECK_CONTAINS(err.message, "not a letter");
    CHECK_INT(mn_letter_check(&bad, dd, "\xff\xfe\x41", 3, &o, &err),
              MN_EINVAL);
    CHECK_INT(mn_letter_check(&bad, dd, "%PDF-1.4 junk", 13, &o, &err),
              MN_EINVAL);
    CHECK(strchr(err.message, '\n') == NULL);
    CHECK_INT(mn_letter_check(&bad, dd, "\n\n  \n", 5, &o, &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "no text");
    o.kind = "fax";
    CHECK_INT(mn_letter_check(&bad, dd, "x", 1, &o, &err), MN_EINVAL);
}

/* ---- appeals ---- */

static const char afacts[] =
    "{\"patient\":{\"name\":\"Ana Ruiz\",\"medicare_id\":\"1EG4TE5MK73\"},"
    "\"provider\":{\"name\":\"Lakeside Family Medicine\",\"npi\":"
    "\"1234567893\",\"phone\":\"(814) 555-0142\"},"
    "\"documents\":[\"Progress note of 2025-02-10\"]}";

static void test_appeal(void)
{
    checked cov, awvc;
    mn_facts *f = facts_of(afacts);
    mn_denial den;
    mn_appeal_options o = MN_APPEAL_OPTIONS_INIT;
    const char *carc[] = {"50"};
    const char *rarc[] = {"N386"};
    const char *ma130[] = {"MA130"};
    mn_doc *d = NULL;
    mn_buf *buf = NULL;
    mn_error err;

    if (!f ||
        check(&cov, "{\"id\":\"c-5\",\"patient\":{\"id\":\"p\","
                    "\"age\":70,\"sex\":\"F\"},\"diagnoses\":[\"I10\"],"
                    "\"lines\":[{\"code\":\"99213\",\"date\":"
                    "\"2022-05-10\",\"charge\":90}]}") ||
        check(&awvc, awv))
        return;
    memset(&den, 0, sizeof(den));
    den.version = MN_DENIAL_VERSION;
    den.amount = MN_NO_AMOUNT;
    den.carc = carc;
    den.n_carc = 1;
    den.rarc = rarc;
    den.n_rarc = 1;
    den.group = "CO";
    o.date = "2022-06-01";
    /* the date of the notice is required */
    CHECK_INT(mn_appeal_new(&d, dd, cov.res, cov.claim, f, &den, &o, &err),
              MN_EINVAL);
    CHECK_CONTAINS(err.message, "deadline");
    /* Palmetto's example: a notice of 5/15/2022 is presumed received on
     * 5/20; 120 days later is 9/17/2022 */
    den.notice_date = "2022-05-15";
    CHECK_INT(mn_appeal_new(&d, dd, cov.res, cov.claim, f, &den, &o, &err),
              MN_OK);
    CHECK_STR(mn_doc_field(d, "appeal.deadline.iso"), "2022-09-17");
    mn_buf_new(&buf, 0);
    mn_doc_render(buf, d, MN_DOC_TEXT, NULL, &err);
    CHECK_CONTAINS(mn_buf_data(buf), "May 20, 2022");
    CHECK_CONTAINS(mn_buf_data(buf), "405.942(a)(2)");
    CHECK_CONTAINS(mn_buf_data(buf), "CARC 50: the payer does not consider");
    CHECK_CONTAINS(mn_buf_data(buf), "RARC N386: the decision was based on a "
                                     "National Coverage Determination");
    CHECK_CONTAINS(mn_buf_data(buf), "section 1862(a)(1)(A)");
    CHECK_CONTAINS(mn_buf_data(buf), "$180 in 2022");
    CHECK_CONTAINS(mn_buf_data(buf), "the 2022 amount is not in mednec's data");
    CHECK_CONTAINS(mn_buf_data(buf), "amount in controversy on this line is "
                                     "$90.00");
    CHECK_CONTAINS(mn_buf_data(buf), "Progress note of 2025-02-10");
    CHECK_INT(mn_doc_warning_count(d), 0);
    mn_doc_free(d);
    d = NULL;
    /* a shown later receipt moves the deadline */
    den.received_date = "2022-06-01";
    CHECK_INT(mn_appeal_new(&d, dd, cov.res, cov.claim, f, &den, &o, &err),
              MN_OK);
    CHECK_STR(mn_doc_field(d, "appeal.deadline.iso"), "2022-09-29");
    mn_doc_free(d);
    d = NULL;
    den.received_date = "2022-05-01";
    CHECK_INT(mn_appeal_new(&d, dd, cov.res, cov.claim, f, &den, &o, &err),
              MN_EINVAL);
    den.received_date = NULL;
    /* a letter dated after the deadline: made, with a warning */
    o.date = "2022-10-01";
    CHECK_INT(mn_appeal_new(&d, dd, cov.res, cov.claim, f, &den, &o, &err),
              MN_OK);
    CHECK(mn_doc_warning_count(d) == 1);
    mn_doc_free(d);
    d = NULL;
    o.date = "2022-06-01";
    /* MA130: never appealable, even forced */
    den.rarc = ma130;
    o.force = 1;
    CHECK_INT(mn_appeal_new(&d, dd, cov.res, cov.claim, f, &den, &o, &err),
              MN_EINVAL);
    CHECK_CONTAINS(err.message, "MA130");
    CHECK_CONTAINS(err.message, "correct");
    o.force = 0;
    den.rarc = rarc;
    /* the check agrees with a frequency denial: refused unless forced */
    den.notice_date = "2025-04-10";
    CHECK_INT(mn_appeal_new(&d, dd, awvc.res, awvc.claim, f, &den, &o, &err),
              MN_EINVAL);
    CHECK_CONTAINS(err.message, "agrees with the denial");
    CHECK_CONTAINS(err.message, "frequency.exceeded");
    CHECK_CONTAINS(err.message, "--force");
    o.force = 1;
    CHECK_INT(mn_appeal_new(&d, dd, awvc.res, awvc.claim, f, &den, &o, &err),
              MN_OK);
    CHECK(mn_doc_warning_count(d) >= 1);
    mn_buf_clear(buf);
    mn_doc_render(buf, d, MN_DOC_TEXT, NULL, &err);
    CHECK_CONTAINS(mn_buf_data(buf), "To be shown by the records");
    mn_doc_free(d);
    d = NULL;
    o.force = 0;
    /* the appellant and the beneficiary are required */
    {
        mn_facts *thin = facts_of("{\"patient\":{\"name\":\"Ana\"}}");
        den.notice_date = "2022-05-15";
        CHECK_INT(
            mn_appeal_new(&d, dd, cov.res, cov.claim, thin, &den, &o, &err),
            MN_EINVAL);
        CHECK_CONTAINS(err.message, "patient.medicare_id");
        CHECK_CONTAINS(err.message, "provider.name");
        mn_facts_free(thin);
    }
    mn_buf_free(buf);
    unchecked(&cov);
    unchecked(&awvc);
    mn_facts_free(f);
}

int main(void)
{
    mn_error err;

    if (mn_kb_open_builtin(&kb, &err) || mn_docdata_open(&dd, NULL, &err)) {
        fprintf(stderr, "setup: %s\n", err.message);
        return 1;
    }
    RUN(test_id_shapes);
    RUN(test_facts);
    RUN(test_data);
    RUN(test_abn_blanks);
    RUN(test_abn_editions);
    RUN(test_abn_refusals);
    RUN(test_abn_render);
    RUN(test_letter);
    RUN(test_letter_dme);
    RUN(test_letter_check);
    RUN(test_appeal);
    mn_docdata_free(dd);
    mn_kb_free(kb);
    DONE();
}
