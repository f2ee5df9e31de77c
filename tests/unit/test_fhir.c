/*
 * test_fhir.c: FHIR R4 Claim in (mednec/fhir.h): what each element
 * becomes, references resolved in contained resources and Bundles,
 * NDJSON and whole documents, errors named by their FHIR path, and reading
 * in chunks of any size.
 */
#include <stdbool.h>

#include "claim/claim_int.h"
#include "harness.h"
#include "mednec.h"

static const char CLAIM[] =
    "{\"resourceType\":\"Claim\",\"id\":\"F1\",\"status\":\"active\","
    "\"type\":{\"coding\":[{\"code\":\"professional\"}]},"
    "\"contained\":[{\"resourceType\":\"Patient\",\"id\":\"p\","
    "\"birthDate\":\"1951-02-03\",\"gender\":\"male\"},"
    "{\"resourceType\":\"Location\",\"id\":\"loc\",\"address\":{\"state\":"
    "\"OH\"}}],"
    "\"patient\":{\"reference\":\"#p\"},"
    "\"billablePeriod\":{\"start\":\"2025-03-02\"},"
    "\"insurer\":{\"display\":\"Medicare Part B\"},"
    "\"provider\":{\"identifier\":{\"system\":"
    "\"http://hl7.org/fhir/sid/us-npi\",\"value\":\"1234567893\"}},"
    "\"facility\":{\"reference\":\"#loc\"},"
    "\"careTeam\":[{\"sequence\":1,\"provider\":{\"identifier\":{\"value\":"
    "\"1111111112\"}},\"role\":{\"coding\":[{\"code\":\"primary\"}]}},"
    "{\"sequence\":2,\"provider\":{\"identifier\":{\"value\":"
    "\"3333333338\"}}}],"
    "\"insurance\":[{\"sequence\":1,\"focal\":true,\"coverage\":"
    "{\"display\":\"x\"},\"preAuthRef\":[\"PA9\"]}],"
    "\"diagnosis\":[{\"sequence\":1,\"diagnosisCodeableConcept\":{\"coding\":"
    "[{\"system\":\"http://hl7.org/fhir/sid/icd-10-cm\",\"code\":\"E11.65\"}"
    "]}},{\"sequence\":2,\"diagnosisCodeableConcept\":{\"coding\":[{\"system"
    "\":\"http://hl7.org/fhir/sid/icd-10-cm\",\"code\":\"I10\"}]}}],"
    "\"item\":[{\"sequence\":3,\"productOrService\":{\"coding\":[{\"system\":"
    "\"http://www.ama-assn.org/go/cpt\",\"code\":\"83036\"}]},"
    "\"modifier\":[{\"coding\":[{\"code\":\"QW\"}]}],"
    "\"diagnosisSequence\":[2,1],\"quantity\":{\"value\":1.5},"
    "\"net\":{\"value\":40.5},\"careTeamSequence\":[2],"
    "\"locationCodeableConcept\":{\"coding\":[{\"code\":\"11\"}]}},"
    "{\"sequence\":4,\"productOrService\":{\"coding\":[{\"system\":"
    "\"https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets\",\"code\":"
    "\"G0103\"}]},\"servicedDate\":\"2025-03-04\"}]}";

typedef struct got {
    mn_claim *claims[8];
    size_t n;
    char errors[8][600];
    size_t n_err;
    char refs[8][64];
    char text[4096];
} got;

static int on_item(void *p, mn_fhir_item *it)
{
    got *g = p;
    char buf[700];

    if (it->claim) {
        if (g->n < 8) {
            snprintf(g->refs[g->n], 64, "%s", it->patient_reference);
            g->claims[g->n++] = it->claim;
        } else {
            mn_claim_free(it->claim);
        }
        snprintf(buf, sizeof(buf), "claim %s line %zu entry %zu\n",
                 it->claim_id, it->line, it->entry);
    } else {
        mn_error_format(buf, sizeof(buf), it->error);
        if (g->n_err < 8)
            snprintf(g->errors[g->n_err++], 600, "%.590s", buf);
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
                 " (line %zu entry %zu)\n", it->line, it->entry);
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

static int read_all(got *g, const char *data, size_t len, size_t chunk)
{
    mn_fhir_options o = MN_FHIR_OPTIONS_INIT;
    mn_fhir *r = NULL;
    mn_error err;
    int rc;

    memset(g, 0, sizeof(*g));
    o.on_item = on_item;
    o.payload = g;
    rc = mn_fhir_new(&r, &o, &err);
    for (size_t at = 0; rc == MN_OK && at < len;) {
        size_t n = chunk && chunk < len - at ? chunk : len - at;
        rc = mn_fhir_feed(r, data + at, n, &err);
        at += n;
    }
    if (rc == MN_OK)
        rc = mn_fhir_finish(r, &err);
    mn_fhir_free(r);
    return rc;
}

static void test_claim(void)
{
    got g;
    const mn_claim *c;
    char d[11];

    CHECK_INT(read_all(&g, CLAIM, sizeof(CLAIM) - 1, 0), MN_OK);
    CHECK_INT(g.n_err, 0);
    if (g.n_err)
        fprintf(stderr, "  %s\n", g.errors[0]);
    CHECK_INT(g.n, 1);
    if (!g.n)
        goto done;
    c = g.claims[0];
    CHECK_STR(c->id, "F1");
    CHECK_STR(c->patient_id, "p");
    CHECK_STR(g.refs[0], "#p");
    mn_x__format_date(d, c->birth_date);
    CHECK_STR(d, "1951-02-03");
    CHECK_INT(c->sex, 'M');
    CHECK_STR(c->payer_text, "medicare");
    CHECK_STR(c->jurisdiction, "OH");
    CHECK_STR(c->provider, "1111111112"); /* the primary care team member */
    CHECK_STR(c->prior_auth, "PA9");
    CHECK_INT(c->n_dx, 2);
    CHECK_INT(c->n_lines, 2);
    CHECK_INT(mn_claim_line_number(c, 0), 3);
    CHECK_INT(c->lines[0].units, 2);
    CHECK_INT(c->lines[0].charge, 4050);
    CHECK_INT(c->lines[0].n_pointers, 2);
    CHECK_INT(c->lines[0].pointers[0], 2);
    CHECK_STR(c->lines[0].modifiers[0], "QW");
    CHECK_STR(c->lines[0].pos, "11");
    CHECK_STR(mn_claim_line_provider(c, 0), "3333333338");
    mn_x__format_date(d, c->lines[0].date); /* the billable period's start */
    CHECK_STR(d, "2025-03-02");
    mn_x__format_date(d, c->lines[1].date);
    CHECK_STR(d, "2025-03-04");
    CHECK_STR(c->lines[1].code_text, "G0103");
done:
    got_free(&g);
}

/* NDJSON: claims, a blank line, bad lines named by line number. */
static void test_ndjson(void)
{
    static char nd[8192];
    static got whole;
    static got part;

    snprintf(nd, sizeof(nd),
             "%s\n\n{\"resourceType\":\"Patient\",\"id\":\"x\"}\n"
             "{\"resourceType\":\"Claim\",\"id\":\n%s\n"
             "{\"resourceType\":\"Bundle\",\"entry\":[]}\n",
             CLAIM, CLAIM);
    CHECK_INT(read_all(&whole, nd, strlen(nd), 0), MN_OK);
    CHECK_INT(whole.n, 2);
    CHECK_INT(whole.n_err, 3);
    CHECK_CONTAINS(whole.text, "resourceType: expected a Claim or a Bundle "
                               "of Claims (line 3 entry 0)");
    CHECK_CONTAINS(whole.text, "(line 4 entry 0)");
    CHECK_CONTAINS(whole.text, "claim F1 line 5 entry 0");
    CHECK_CONTAINS(whole.text, "no Claim in the Bundle (line 6");
    for (size_t chunk = 1; chunk < 200; chunk += 7) {
        CHECK_INT(read_all(&part, nd, strlen(nd), chunk), MN_OK);
        CHECK_STR(part.text, whole.text);
        got_free(&part);
    }
    got_free(&whole);
}

/* A pretty-printed Bundle: read whole; references by fullUrl and by
 * Type/id. */
static void test_bundle(void)
{
    static const char bundle[] =
        "{\n \"resourceType\": \"Bundle\",\n \"type\": \"collection\",\n"
        " \"entry\": [\n"
        "  {\"fullUrl\": \"urn:uuid:1\", \"resource\": {\"resourceType\": "
        "\"Patient\", \"id\": \"pp\", \"gender\": \"female\", \"birthDate\": "
        "\"1940-01-01\"}},\n"
        "  {\"fullUrl\": \"https://x.org/fhir/Location/l1\", \"resource\": "
        "{\"resourceType\": \"Location\", \"id\": \"l1\", \"address\": "
        "{\"state\": \"KY\"}}},\n"
        "  {\"resource\": {\"resourceType\": \"Claim\", \"id\": \"B1\", "
        "\"patient\": {\"reference\": \"urn:uuid:1\"}, \"facility\": "
        "{\"reference\": \"Location/l1\"}, \"item\": [{\"sequence\": 1, "
        "\"productOrService\": {\"coding\": [{\"system\": "
        "\"http://www.ama-assn.org/go/cpt\", \"code\": \"80053\"}]}, "
        "\"servicedDate\": \"2025-01-02\"}]}},\n"
        "  {\"resource\": {\"resourceType\": \"Claim\", \"id\": \"B2\", "
        "\"status\": \"cancelled\", \"patient\": {\"reference\": "
        "\"Patient/pp\"}, \"related\": [], \"item\": [{\"productOrService\": "
        "{\"coding\": [{\"system\": \"http://www.ama-assn.org/go/cpt\", "
        "\"code\": \"80053\"}]}, \"servicedDate\": \"2025-01-02\"}]}}\n"
        " ]\n}\n";
    got g;
    char d[11];

    CHECK_INT(read_all(&g, bundle, sizeof(bundle) - 1, 5), MN_OK);
    CHECK_INT(g.n, 2);
    CHECK_INT(g.n_err, 0);
    if (g.n == 2) {
        CHECK_INT(g.claims[0]->sex, 'F');
        mn_x__format_date(d, g.claims[0]->birth_date);
        CHECK_STR(d, "1940-01-01");
        CHECK_STR(g.claims[0]->jurisdiction, "KY");
        /* urn:uuid:1 names the Patient whose id is pp */
        CHECK_STR(g.claims[0]->patient_id, "pp");
        CHECK_INT(g.claims[1]->frequency, '8');
        CHECK_STR(g.claims[1]->patient_id, "pp");
        CHECK_INT(g.claims[1]->sex, 'F');
    }
    CHECK_CONTAINS(g.text, "claim B1 line 1 entry 3");
    got_free(&g);
}

/* Errors name the FHIR path and quote no patient value. */
static void test_errors(void)
{
    static const struct {
        const char *from, *to, *want;
    } cases[] = {
        {"\"patient\":{\"reference\":\"#p\"},", "", "Claim.patient: missing"},
        {"http://www.ama-assn.org/go/cpt", "http://snomed.info/sct",
         "Claim.item[0].productOrService: no coding with the CPT or HCPCS"},
        {"\"diagnosisSequence\":[2,1]", "\"diagnosisSequence\":[7,1]",
         "Claim.item[0].diagnosisSequence[0]: not the sequence of a "
         "Claim.diagnosis"},
        {"\"servicedDate\":\"2025-03-04\"", "\"servicedDate\":\"2025-02-30\"",
         "Claim.item[1].servicedDate:"},
        {"\"code\":\"E11.65\"", "\"code\":\"E11.65\",\"x\":1",
         NULL}, /* unknown members are allowed in FHIR */
        {"\"billablePeriod\":{\"start\":\"2025-03-02\"},", "",
         "Claim.item[0]: servicedDate: missing (and no "
         "Claim.billablePeriod)"},
        {"\"quantity\":{\"value\":1.5}", "\"quantity\":{\"value\":0}",
         "Claim.item[0]: quantity.value: expected 1 to 9999"},
    };
    static char doc[sizeof(CLAIM) + 64];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        got g;
        const char *at = strstr(CLAIM, cases[i].from);
        size_t k;
        CHECK(at != NULL);
        if (!at)
            continue;
        k = (size_t)(at - CLAIM);
        memcpy(doc, CLAIM, k);
        snprintf(doc + k, sizeof(doc) - k, "%s%s", cases[i].to,
                 at + strlen(cases[i].from));
        CHECK_INT(read_all(&g, doc, strlen(doc), 0), MN_OK);
        if (cases[i].want) {
            CHECK_INT(g.n, 0);
            CHECK_INT(g.n_err, 1);
            CHECK_CONTAINS(g.errors[0], cases[i].want);
            /* the patient's values are never in the message */
            CHECK(!strstr(g.errors[0], "1951"));
        } else {
            CHECK_INT(g.n, 1);
        }
        got_free(&g);
    }
}

/* A document over max_document is refused as such; misuse. */
static void test_limits(void)
{
    mn_fhir_options o = MN_FHIR_OPTIONS_INIT;
    mn_fhir *r = NULL;
    mn_error err;
    got g;
    static const char pretty[] = "{\n\"resourceType\":\"Claim\",\n";

    memset(&g, 0, sizeof(g));
    o.on_item = on_item;
    o.payload = &g;
    o.max_document = 64;
    CHECK_INT(mn_fhir_new(&r, &o, &err), MN_OK);
    CHECK_INT(mn_fhir_feed(r, pretty, sizeof(pretty) - 1, &err), MN_OK);
    CHECK_INT(mn_fhir_feed(r, CLAIM, sizeof(CLAIM) - 1, &err), MN_ELIMIT);
    CHECK_CONTAINS(err.message, "larger than 64 bytes");
    mn_fhir_free(r);
    o.on_item = NULL;
    r = NULL;
    CHECK_INT(mn_fhir_new(&r, &o, &err), MN_EINVAL);
    CHECK(r == NULL);
    got_free(&g);
}

int main(void)
{
    RUN(test_claim);
    RUN(test_ndjson);
    RUN(test_bundle);
    RUN(test_errors);
    RUN(test_limits);
    DONE();
}
