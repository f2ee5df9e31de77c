/* test_cds.c: CDS Hooks requests read into claims (mn_cds_parse) and
 * answered with CRD 2.0.1 coverage information (mn_cds_respond), on the
 * server fixture KB (tests/fixtures/server) and the request fixtures
 * (tests/fixtures/cds), which follow the CDS Hooks and CRD examples. */
#include <jansson.h>

#include "harness.h"
#include "mednec.h"

#define CI_URL                                                                 \
    "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/"                  \
    "ext-coverage-information"

static mn_kb *kb;
static mn_ctx *ctx;

static int fixture_kb(void)
{
    mn_build_options o = MN_BUILD_OPTIONS_INIT;
    mn_build *b = NULL;
    void *bytes = NULL;
    size_t len = 0;
    mn_error err;
    int rc;

    mn_error_clear(&err);
    o.built = "2025-01-01";
    rc = mn_build_new(&b, &o, &err);
    if (!rc)
        rc = mn_build_add_path(b, MN_FIXTURES "/server", &err);
    if (!rc)
        rc = mn_build_to_memory(&bytes, &len, b, &err);
    if (!rc)
        rc = mn_kb_open_buffer(&kb, bytes, len, 1, &err);
    if (rc)
        fprintf(stderr, "fixture KB: %s\n", err.message);
    mn_kb_bytes_free(bytes);
    mn_build_free(b);
    return rc;
}

static char *fixture(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/cds/%s", MN_FIXTURES, name);
    return mn_t_slurp(path, len);
}

static mn_cds_request *parse(const char *service, const char *json, size_t len,
                             mn_error *err)
{
    mn_cds_options o = MN_CDS_OPTIONS_INIT;
    mn_cds_request *req = NULL;

    o.today = "2025-03-01";
    mn_error_clear(err);
    if (mn_cds_parse(&req, service, json, len, &o, err) != MN_OK)
        return NULL;
    return req;
}

static mn_cds_request *parse_file(const char *service, const char *name)
{
    size_t len = 0;
    char *json = fixture(name, &len);
    mn_error err;
    mn_cds_request *req;

    if (!json) {
        fprintf(stderr, "missing fixture %s\n", name);
        return NULL;
    }
    req = parse(service, json, len, &err);
    if (!req)
        fprintf(stderr, "%s: %s: %s\n", name, err.where, err.message);
    free(json);
    return req;
}

/* Answers the request and returns the response document (caller
 * decrefs). */
static json_t *respond(const mn_cds_request *req)
{
    mn_buf *out = NULL;
    mn_error err;
    json_t *doc = NULL;
    json_error_t je;

    mn_error_clear(&err);
    if (mn_buf_new(&out, 0))
        return NULL;
    if (mn_cds_respond(out, req, ctx, kb, NULL, &err) == MN_OK)
        doc = json_loads(mn_buf_data(out), JSON_REJECT_DUPLICATES, &je);
    else
        fprintf(stderr, "respond: %s\n", err.message);
    mn_buf_free(out);
    return doc;
}

/* The ext-coverage-information of a systemAction's resource. */
static json_t *coverage_info(json_t *action)
{
    json_t *exts =
        json_object_get(json_object_get(action, "resource"), "extension");
    for (size_t i = 0; i < json_array_size(exts); i++) {
        json_t *e = json_array_get(exts, i);
        if (!strcmp(json_string_value(json_object_get(e, "url")), CI_URL))
            return e;
    }
    return NULL;
}

/* The value (code or string) of sub-extension `url`, or NULL; *count
 * gets how many there are. */
static const char *sub(json_t *ci, const char *url, int *count)
{
    json_t *subs = json_object_get(ci, "extension");
    const char *v = NULL;
    int n = 0;

    for (size_t i = 0; i < json_array_size(subs); i++) {
        json_t *e = json_array_get(subs, i);
        if (strcmp(json_string_value(json_object_get(e, "url")), url) != 0)
            continue;
        n++;
        if (!v)
            v = json_string_value(json_object_get(e, "valueCode"));
        if (!v)
            v = json_string_value(json_object_get(e, "valueString"));
        if (!v)
            v = json_string_value(json_object_get(e, "valueDate"));
        if (!v)
            v = json_string_value(json_object_get(
                json_object_get(e, "valueReference"), "reference"));
        if (!v)
            v = json_string_value(json_object_get(
                json_object_get(e, "valueCodeableConcept"), "text"));
        if (!v && json_object_get(e, "extension"))
            v = "(complex)";
    }
    if (count)
        *count = n;
    return v;
}

static json_t *action_for(json_t *resp, const char *id)
{
    json_t *acts = json_object_get(resp, "systemActions");
    for (size_t i = 0; i < json_array_size(acts); i++) {
        json_t *a = json_array_get(acts, i);
        const char *rid = json_string_value(
            json_object_get(json_object_get(a, "resource"), "id"));
        if (rid && !strcmp(rid, id))
            return a;
    }
    return NULL;
}

/* CRD 2.0.1 invariants and the cardinalities of the extension. */
static void check_invariants(json_t *ci)
{
    int n;
    const char *covered = sub(ci, "covered", &n);

    CHECK_INT(n, 1);
    CHECK(covered &&
          (!strcmp(covered, "covered") || !strcmp(covered, "not-covered") ||
           !strcmp(covered, "conditional")));
    sub(ci, "coverage", &n);
    CHECK_INT(n, 1);
    sub(ci, "date", &n);
    CHECK_INT(n, 1);
    CHECK_STR(sub(ci, "date", NULL), "2025-03-01");
    sub(ci, "coverage-assertion-id", &n);
    CHECK_INT(n, 1);
    /* crd-ci-q2 (2.0.1 expression): not not-covered -> pa-needed */
    sub(ci, "pa-needed", &n);
    if (covered && !strcmp(covered, "not-covered"))
        CHECK_INT(n, 0);
    else
        CHECK_INT(n, 1);
    /* crd-ci-q3: info-needed -> something conditional */
    sub(ci, "info-needed", &n);
    if (n)
        CHECK(covered && !strcmp(covered, "conditional"));
    /* doc-purpose only with doc-needed */
    {
        int d = 0;
        int p = 0;
        sub(ci, "doc-needed", &d);
        sub(ci, "doc-purpose", &p);
        CHECK(p == 0 || d == 1);
    }
}

static void test_order_sign_mapping(void)
{
    mn_cds_request *req = parse_file("mednec-order-sign", "order-sign.json");
    mn_cds_order_info oi;
    mn_error err;

    CHECK(req != NULL);
    if (!req)
        return;
    CHECK_STR(mn_cds_request_hook(req), "order-sign");
    CHECK(mn_cds_request_missing(req) == NULL);
    CHECK_INT(mn_cds_order_count(req), 3);
    oi.version = MN_CDS_ORDER_INFO_VERSION;
    CHECK_INT(mn_cds_order(&oi, req, 0, &err), MN_OK);
    CHECK_STR(oi.resource_type, "ServiceRequest");
    CHECK_STR(oi.id, "vitd-1");
    CHECK_STR(oi.code, "82306");
    CHECK(oi.unmapped == NULL);
    CHECK_STR(oi.date, "2025-03-03");
    CHECK_INT(oi.date_from, MN_CDS_DATE_ORDER);
    /* where the service is performed: the lab's state, not the patient's */
    CHECK_STR(oi.state, "KY");
    CHECK_STR(oi.state_from, "Organization");
    CHECK_STR(oi.payer, "medicare");
    CHECK_STR(oi.coverage, "Coverage/cov-1");
    CHECK_STR(oi.claim_type, "professional");
    /* the order's reason first, then the active condition */
    CHECK_INT(oi.n_diagnoses, 2);
    CHECK_STR(oi.diagnoses[0], "I10");
    CHECK_STR(oi.diagnoses[1], "E11.9");
    CHECK_INT(mn_cds_order(&oi, req, 1, &err), MN_OK);
    /* reasonReference -> the Condition in prefetch */
    CHECK_INT(oi.n_diagnoses, 1);
    CHECK_STR(oi.diagnoses[0], "E11.9");
    CHECK_INT(mn_cds_order(&oi, req, 2, &err), MN_OK);
    CHECK(oi.code == NULL);
    CHECK(oi.unmapped != NULL);
    CHECK_INT(oi.date_from, MN_CDS_DATE_TODAY);
    CHECK_STR(oi.date, "2025-03-01");
    CHECK_INT(mn_cds_order(&oi, req, 3, &err), MN_EINVAL);
    oi.version = 99;
    CHECK_INT(mn_cds_order(&oi, req, 0, &err), MN_EINVAL);
    mn_cds_request_free(req);
}

static void test_order_sign_answer(void)
{
    mn_cds_request *req = parse_file("mednec-order-sign", "order-sign.json");
    json_t *resp = req ? respond(req) : NULL;
    json_t *cards = json_object_get(resp, "cards");
    json_t *a;
    json_t *ci;
    json_t *card;

    CHECK(resp != NULL);
    if (!resp) {
        mn_cds_request_free(req);
        return;
    }
    /* one systemAction per order, each an update carrying the extension */
    CHECK_INT(json_array_size(json_object_get(resp, "systemActions")), 3);
    for (size_t i = 0; i < 3; i++) {
        json_t *act = json_array_get(json_object_get(resp, "systemActions"), i);
        CHECK_STR(json_string_value(json_object_get(act, "type")), "update");
        CHECK(json_is_string(json_object_get(act, "description")));
        CHECK(coverage_info(act) != NULL);
        if (coverage_info(act))
            check_invariants(coverage_info(act));
    }
    /* 82306 for I10 and E11.9: not on the article's covered list */
    a = action_for(resp, "vitd-1");
    ci = coverage_info(a);
    CHECK_STR(sub(ci, "covered", NULL), "not-covered");
    CHECK_STR(sub(ci, "coverage", NULL), "Coverage/cov-1");
    CHECK_STR(sub(ci, "detail", NULL), "(complex)");
    /* the order is echoed whole: its reasons unchanged */
    CHECK_STR(json_string_value(json_object_get(
                  json_array_get(
                      json_object_get(
                          json_array_get(
                              json_object_get(json_object_get(a, "resource"),
                                              "reasonCode"),
                              0),
                          "coding"),
                      0),
                  "code")),
              "I10");
    /* 83036 for E11.9: no policy in this KB: covered, no card */
    ci = coverage_info(action_for(resp, "a1c-1"));
    CHECK_STR(sub(ci, "covered", NULL), "covered");
    CHECK_STR(sub(ci, "pa-needed", NULL), "no-auth");
    /* no billing code: conditional, what is missing named */
    ci = coverage_info(action_for(resp, "mri-1"));
    CHECK_STR(sub(ci, "covered", NULL), "conditional");
    CHECK_STR(sub(ci, "info-needed", NULL), "OTH");
    CHECK_CONTAINS(sub(ci, "reason", NULL), "no CPT or HCPCS code");
    /* assertion ids differ by order and repeat for the same request */
    CHECK(strcmp(sub(coverage_info(action_for(resp, "vitd-1")),
                     "coverage-assertion-id", NULL),
                 sub(coverage_info(action_for(resp, "a1c-1")),
                     "coverage-assertion-id", NULL)) != 0);

    /* one card: the order not covered */
    CHECK_INT(json_array_size(cards), 1);
    card = json_array_get(cards, 0);
    {
        const char *summary =
            json_string_value(json_object_get(card, "summary"));
        const char *detail = json_string_value(json_object_get(card, "detail"));
        json_t *src = json_object_get(card, "source");
        json_t *sugs = json_object_get(card, "suggestions");
        json_t *links = json_object_get(card, "links");
        json_t *over = json_object_get(card, "overrideReasons");
        CHECK(summary && strlen(summary) < 140);
        CHECK_CONTAINS(summary, "82306");
        CHECK_STR(json_string_value(json_object_get(card, "indicator")),
                  "warning");
        CHECK_STR(json_string_value(json_object_get(src, "label")),
                  "Medicare Part B");
        CHECK_STR(json_string_value(
                      json_object_get(json_object_get(src, "topic"), "code")),
                  "coverage-info");
        CHECK(json_is_string(json_object_get(card, "uuid")));
        /* the citation and the covered diagnoses, as information */
        CHECK_CONTAINS(detail, "A99911");
        CHECK_CONTAINS(detail, "E55.9 Vitamin D deficiency, unspecified");
        CHECK_CONTAINS(detail, "for information only");
        CHECK_CONTAINS(detail, "CMS-R-131");
        /* the only suggestion records the ABN; no action adds a diagnosis */
        CHECK_INT(json_array_size(sugs), 1);
        CHECK_STR(json_string_value(json_object_get(card, "selectionBehavior")),
                  "at-most-one");
        {
            json_t *s = json_array_get(sugs, 0);
            json_t *act = json_array_get(json_object_get(s, "actions"), 0);
            json_t *res = json_object_get(act, "resource");
            CHECK_INT(json_array_size(json_object_get(s, "actions")), 1);
            CHECK_STR(json_string_value(json_object_get(act, "type")),
                      "update");
            CHECK_CONTAINS(
                json_string_value(json_object_get(
                    json_array_get(json_object_get(res, "note"), 0), "text")),
                "CMS-R-131");
            CHECK_INT(json_array_size(json_object_get(res, "reasonCode")), 1);
            CHECK(json_object_get(res, "reasonReference") == NULL);
        }
        CHECK(json_array_size(over) >= 2);
        for (size_t i = 0; i < json_array_size(over); i++)
            CHECK(json_is_string(
                json_object_get(json_array_get(over, i), "display")));
        CHECK_INT(json_array_size(links), 1);
        CHECK_STR(json_string_value(
                      json_object_get(json_array_get(links, 0), "type")),
                  "absolute");
        CHECK_CONTAINS(
            json_string_value(json_object_get(json_array_get(links, 0), "url")),
            "https://www.cms.gov/medicare-coverage-database/");
    }
    /* the same request, the same answer */
    {
        json_t *again = respond(req);
        CHECK(again && json_equal(again, resp));
        json_decref(again);
    }
    json_decref(resp);
    mn_cds_request_free(req);
}

static void test_order_select(void)
{
    mn_cds_request *req =
        parse_file("mednec-order-select", "order-select.json");
    json_t *resp = req ? respond(req) : NULL;

    /* only the selected order is judged */
    CHECK_INT(mn_cds_order_count(req), 1);
    CHECK_INT(json_array_size(json_object_get(resp, "systemActions")), 1);
    CHECK(action_for(resp, "vitd-1") != NULL);
    json_decref(resp);
    mn_cds_request_free(req);
}

static void test_appointment_book(void)
{
    mn_cds_request *req =
        parse_file("mednec-appointment-book", "appointment-book.json");
    mn_cds_order_info oi;
    json_t *resp = req ? respond(req) : NULL;
    json_t *ci;

    CHECK_INT(mn_cds_order_count(req), 1);
    oi.version = MN_CDS_ORDER_INFO_VERSION;
    CHECK_INT(mn_cds_order(&oi, req, 0, NULL), MN_OK);
    /* the code of the ServiceRequest the appointment is based on */
    CHECK_STR(oi.code, "82306");
    CHECK_STR(oi.date, "2025-03-10");
    /* the practitioner role's location, in Ohio, a full state name */
    CHECK_STR(oi.state, "OH");
    CHECK_STR(oi.state_from, "PractitionerRole");
    /* the payer named by the Organization the Coverage points to */
    CHECK_STR(oi.payer, "medicare");
    ci = coverage_info(action_for(resp, "appt-1"));
    CHECK(ci != NULL);
    /* the appointment has no reason of its own: no diagnosis, and the
     * answer says one is needed */
    CHECK_INT(oi.n_diagnoses, 0);
    CHECK_STR(sub(ci, "covered", NULL), "conditional");
    CHECK_STR(sub(ci, "info-needed", NULL), "OTH");
    CHECK_CONTAINS(sub(ci, "reason", NULL), "diagnosis");
    if (ci)
        check_invariants(ci);
    json_decref(resp);
    mn_cds_request_free(req);
}

static void test_device_request(void)
{
    mn_cds_request *req =
        parse_file("mednec-order-sign", "device-request.json");
    mn_cds_order_info oi;
    json_t *resp = req ? respond(req) : NULL;

    oi.version = MN_CDS_ORDER_INFO_VERSION;
    CHECK_INT(mn_cds_order(&oi, req, 0, NULL), MN_OK);
    CHECK_STR(oi.code, "E0250");
    /* DMEPOS: the beneficiary's home address, not the prescriber's */
    CHECK_STR(oi.state, "TX");
    CHECK_STR(oi.state_from, "Patient");
    CHECK_STR(oi.claim_type, "dme");
    CHECK_STR(oi.date, "2025-02-20");
    CHECK_INT(oi.date_from, MN_CDS_DATE_AUTHORED);
    /* a contained Condition */
    CHECK_INT(oi.n_diagnoses, 1);
    CHECK_STR(oi.diagnoses[0], "M81.0");
    /* a single Coverage as the prefetch value, plan "Medicare Part B" */
    CHECK_STR(oi.payer, "medicare");
    CHECK_STR(oi.coverage, "Coverage/cov-2");
    CHECK(coverage_info(action_for(resp, "bed-1")) != NULL);
    json_decref(resp);
    mn_cds_request_free(req);
}

static void test_missing_prefetch(void)
{
    const char *no_prefetch =
        "{\"hook\":\"order-sign\",\"hookInstance\":\"x1\",\"context\":{"
        "\"draftOrders\":{\"resourceType\":\"Bundle\",\"entry\":[{"
        "\"resource\":{\"resourceType\":\"ServiceRequest\",\"id\":\"s\","
        "\"code\":{\"coding\":[{\"system\":\"http://www.ama-assn.org/go/"
        "cpt\",\"code\":\"82306\"}]}}}]}}}";
    const char *with_reason =
        "{\"hook\":\"order-sign\",\"hookInstance\":\"x2\",\"context\":{"
        "\"draftOrders\":{\"resourceType\":\"Bundle\",\"entry\":[{"
        "\"resource\":{\"resourceType\":\"ServiceRequest\",\"id\":\"s\","
        "\"code\":{\"coding\":[{\"system\":\"http://www.ama-assn.org/go/"
        "cpt\",\"code\":\"82306\"}]},\"reasonCode\":[{\"coding\":[{"
        "\"system\":\"http://hl7.org/fhir/sid/icd-10-cm\",\"code\":"
        "\"E55.9\"}]}]}}]}}}";
    const char *null_keys =
        "{\"hook\":\"order-sign\",\"hookInstance\":\"x3\",\"context\":{"
        "\"draftOrders\":{\"resourceType\":\"Bundle\",\"entry\":[{"
        "\"resource\":{\"resourceType\":\"ServiceRequest\",\"id\":\"s\","
        "\"code\":{\"coding\":[{\"system\":\"http://www.ama-assn.org/go/"
        "cpt\",\"code\":\"82306\"}]}}}]}},\"prefetch\":{\"patient\":null,"
        "\"coverage\":null}}";
    mn_error err;
    mn_cds_request *req;
    json_t *resp;

    /* nothing to judge necessity on, and no prefetch: 412 territory */
    req = parse("mednec-order-sign", no_prefetch, strlen(no_prefetch), &err);
    CHECK(req && mn_cds_request_missing(req) != NULL);
    mn_cds_request_free(req);
    /* a reason on the order is enough to answer */
    req = parse("mednec-order-sign", with_reason, strlen(with_reason), &err);
    CHECK(req && mn_cds_request_missing(req) == NULL);
    mn_cds_request_free(req);
    /* null prefetch keys: answer with what is known */
    req = parse("mednec-order-sign", null_keys, strlen(null_keys), &err);
    CHECK(req && mn_cds_request_missing(req) == NULL);
    resp = req ? respond(req) : NULL;
    {
        json_t *ci = coverage_info(action_for(resp, "s"));
        /* no Coverage sent: judged as Medicare, the reference says so */
        CHECK(ci != NULL);
        if (ci) {
            json_t *cov = json_array_get(json_object_get(ci, "extension"), 0);
            CHECK_CONTAINS(
                json_string_value(json_object_get(
                    json_object_get(cov, "valueReference"), "display")),
                "judged as Medicare");
            check_invariants(ci);
        }
    }
    json_decref(resp);
    mn_cds_request_free(req);
}

static void expect_error(const char *json, int code, const char *where)
{
    mn_error err;
    mn_cds_request *req = parse("mednec-order-sign", json, strlen(json), &err);

    CHECK(req == NULL);
    CHECK_INT(err.code, code);
    if (where)
        CHECK_STR(err.where, where);
    CHECK(err.message[0] && !strchr(err.message, '\n'));
    mn_cds_request_free(req);
}

static void test_malformed(void)
{
    mn_error err;
    mn_cds_request *req = NULL;

    expect_error("{\"hook\":", MN_EINVAL, "");
    expect_error("[]", MN_EINVAL, "");
    expect_error("{\"hookInstance\":\"x\",\"context\":{}}", MN_EINVAL, "hook");
    expect_error("{\"hook\":\"order-select\",\"hookInstance\":\"x\","
                 "\"context\":{}}",
                 MN_EINVAL, "hook");
    expect_error("{\"hook\":\"order-sign\",\"context\":{}}", MN_EINVAL,
                 "hookInstance");
    expect_error("{\"hook\":\"order-sign\",\"hookInstance\":\"x\"}", MN_EINVAL,
                 "context");
    expect_error("{\"hook\":\"order-sign\",\"hookInstance\":\"x\","
                 "\"context\":{}}",
                 MN_EINVAL, "context.draftOrders");
    expect_error("{\"hook\":\"order-sign\",\"hookInstance\":\"x\","
                 "\"context\":{\"draftOrders\":{\"resourceType\":\"Bundle\","
                 "\"entry\":[{\"resource\":7}]}}}",
                 MN_EINVAL, "context.draftOrders.entry[0]");
    expect_error("{\"hook\":\"order-sign\",\"hookInstance\":\"x\","
                 "\"context\":{\"draftOrders\":{\"resourceType\":\"Bundle\"}},"
                 "\"prefetch\":{\"patient\":7}}",
                 MN_EINVAL, "prefetch.patient");
    expect_error("{\"hook\":\"order-sign\",\"hookInstance\":\"x\","
                 "\"context\":{\"draftOrders\":{\"resourceType\":\"Bundle\","
                 "\"entry\":[{\"resource\":{\"resourceType\":"
                 "\"ServiceRequest\",\"code\":\"82306\"}}]}}}",
                 MN_EINVAL, "context.draftOrders.entry[0].resource");
    expect_error("{\"hook\":\"order-sign\",\"hook\":\"order-sign\"}", MN_EINVAL,
                 "");
    /* a syntax error has a line and column */
    mn_error_clear(&err);
    CHECK_INT(mn_cds_parse(&req, "mednec-order-sign", "{\n\"hook\" 1}", 11,
                           NULL, &err),
              MN_EINVAL);
    CHECK_INT(err.line, 2);
    CHECK(req == NULL);
    /* limits */
    {
        mn_cds_options o = MN_CDS_OPTIONS_INIT;
        o.max_input = 10;
        CHECK_INT(mn_cds_parse(&req, "mednec-order-sign",
                               "{\"hook\":1,\"x\":2}", 16, &o, &err),
                  MN_ELIMIT);
        o.max_input = 0;
        o.today = "2025-02-30";
        CHECK_INT(mn_cds_parse(&req, "mednec-order-sign", "{}", 2, &o, &err),
                  MN_EINVAL);
    }
    /* 65 orders: over the limit of 64 */
    {
        char *big = malloc(65 * 200 + 200);
        size_t n = 0;
        n += (size_t)sprintf(big + n,
                             "{\"hook\":\"order-sign\",\"hookInstance\":\"x\","
                             "\"context\":{\"draftOrders\":{\"resourceType\":"
                             "\"Bundle\",\"entry\":[");
        for (int i = 0; i < 65; i++)
            n += (size_t)sprintf(big + n,
                                 "%s{\"resource\":{\"resourceType\":"
                                 "\"ServiceRequest\",\"id\":\"s%d\"}}",
                                 i ? "," : "", i);
        n += (size_t)sprintf(big + n, "]}}}");
        CHECK_INT(mn_cds_parse(&req, "mednec-order-sign", big, n, NULL, &err),
                  MN_ELIMIT);
        free(big);
    }
    CHECK_INT(mn_cds_parse(&req, "no-such-service", "{}", 2, NULL, &err),
              MN_ENOTFOUND);
}

static void test_services_and_feedback(void)
{
    mn_buf *out = NULL;
    mn_error err;
    json_t *doc;
    mn_cds_feedback_counts c;
    const char *fb =
        "{\"feedback\":[{\"card\":\"u1\",\"outcome\":\"accepted\","
        "\"acceptedSuggestions\":[{\"id\":\"s1\"}],\"outcomeTimestamp\":"
        "\"2025-03-01T00:00:00Z\"},{\"card\":\"u2\",\"outcome\":"
        "\"overridden\",\"overrideReason\":{\"reason\":{\"code\":\"x\"},"
        "\"userComment\":\"c\"},\"outcomeTimestamp\":\"2025-03-01T00:00:00Z\""
        "}]}";

    CHECK_STR(mn_cds_crd_version(), "2.0.1");
    CHECK_STR(mn_cds_service_hook("mednec-order-sign"), "order-sign");
    CHECK_STR(mn_cds_service_hook("mednec-order-select"), "order-select");
    CHECK_STR(mn_cds_service_hook("mednec-appointment-book"),
              "appointment-book");
    CHECK(mn_cds_service_hook("order-sign") == NULL);
    CHECK(mn_cds_service_hook(NULL) == NULL);
    CHECK_INT(mn_buf_new(&out, 0), MN_OK);
    CHECK_INT(mn_cds_discovery(out, &err), MN_OK);
    doc = json_loads(mn_buf_data(out), 0, NULL);
    CHECK_INT(json_array_size(json_object_get(doc, "services")), 3);
    for (size_t i = 0; i < 3; i++) {
        json_t *s = json_array_get(json_object_get(doc, "services"), i);
        CHECK(json_is_string(json_object_get(s, "hook")));
        CHECK(json_is_string(json_object_get(s, "id")));
        CHECK(json_is_string(json_object_get(s, "description")));
        CHECK_STR(json_string_value(json_object_get(
                      json_object_get(s, "prefetch"), "patient")),
                  "Patient/{{context.patientId}}");
        CHECK_STR(json_string_value(json_object_get(
                      json_object_get(s, "extension"), "mednec-crd-version")),
                  "2.0.1");
    }
    json_decref(doc);
    mn_buf_free(out);

    CHECK_INT(mn_cds_feedback(&c, fb, strlen(fb), &err), MN_OK);
    CHECK_INT(c.accepted, 1);
    CHECK_INT(c.overridden, 1);
    {
        const char *no_sug = "{\"feedback\":[{\"card\":\"u\",\"outcome\":"
                             "\"accepted\",\"outcomeTimestamp\":\"t\"}]}";
        CHECK_INT(mn_cds_feedback(&c, no_sug, strlen(no_sug), &err), MN_EINVAL);
    }
    CHECK_STR(err.where, "feedback[0].acceptedSuggestions");
    {
        const char *maybe = "{\"feedback\":[{\"card\":\"u\",\"outcome\":"
                            "\"maybe\",\"outcomeTimestamp\":\"t\"}]}";
        CHECK_INT(mn_cds_feedback(&c, maybe, strlen(maybe), &err), MN_EINVAL);
    }
    CHECK_STR(err.where, "feedback[0].outcome");
    CHECK_INT(mn_cds_feedback(&c, "{}", 2, &err), MN_EINVAL);
    CHECK_INT(mn_cds_feedback(&c, "{", 1, &err), MN_EINVAL);
    CHECK(err.line >= 1);
}

int main(void)
{
    if (fixture_kb() || mn_ctx_new(&ctx, 0, NULL)) {
        fprintf(stderr, "cannot build the fixture KB\n");
        return 1;
    }
    RUN(test_order_sign_mapping);
    RUN(test_order_sign_answer);
    RUN(test_order_select);
    RUN(test_appointment_book);
    RUN(test_device_request);
    RUN(test_missing_prefetch);
    RUN(test_malformed);
    RUN(test_services_and_feedback);
    mn_ctx_free(ctx);
    mn_kb_free(kb);
    DONE();
}
