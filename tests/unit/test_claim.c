/*
 * test_claim.c: the claim model, its setters and the contract JSON parser.
 */
#include <time.h>

#include "claim/claim_int.h"
#include "harness.h"

/* The contract example (contract.md section 2). */
static const char *const CONTRACT =
    "{\n"
    "  \"id\": \"c-1001\",\n"
    "  \"payer\": \"medicare\",\n"
    "  \"jurisdiction\": \"JE\",\n"
    "  \"claim_type\": \"professional\",\n"
    "  \"place_of_service\": \"11\",\n"
    "  \"patient\": {\"id\": \"p-77\", \"birth_date\": \"1950-04-02\", "
    "\"sex\": \"F\"},\n"
    "  \"diagnoses\": [\"E11.65\", \"I10\"],\n"
    "  \"lines\": [\n"
    "    {\"code\": \"83036\", \"modifiers\": [], \"units\": 1, "
    "\"date\": \"2026-03-02\", \"dx_pointers\": [1]}\n"
    "  ],\n"
    "  \"history\": [\n"
    "    {\"code\": \"83036\", \"date\": \"2026-01-10\", \"units\": 1}\n"
    "  ]\n"
    "}\n";

/* A claim around one line (given as JSON object text). */
#define ONE_LINE(line)                                                         \
    "{\"date\":\"2026-03-02\",\"diagnoses\":[\"E11.65\",\"I10\"],"             \
    "\"lines\":[" line "]}"

static int32_t day(int y, int m, int d)
{
    return mn_x__days_from_civil(y, m, d);
}

static int parse(mn_claim **out, const char *json, mn_error *err)
{
    return mn_claim_parse_json(out, json, strlen(json), NULL, err);
}

/* Parses `json` expecting failure `rc_` at `path_` with a message that
 * contains `msg_`; checks that *out is NULL. */
#define EXPECT_ERR(json, rc_, path_, msg_)                                     \
    do {                                                                       \
        mn_claim *c_ = (mn_claim *)&c_;                                        \
        mn_error e_;                                                           \
        const char *j_ = (json);                                               \
        CHECK_INT(mn_claim_parse_json(&c_, j_, strlen(j_), NULL, &e_), rc_);   \
        CHECK(c_ == NULL);                                                     \
        CHECK_INT(e_.code, rc_);                                               \
        CHECK_STR(e_.where, path_);                                            \
        CHECK_CONTAINS(e_.message, msg_);                                      \
        if (c_ != (mn_claim *)&c_)                                             \
            mn_claim_free(c_);                                                 \
    } while (0)

/* Text buffer for generated inputs. */
typedef struct gen {
    char *p;
    size_t len;
    size_t cap;
} gen;

static void gen_put(gen *g, const char *s, size_t n)
{
    if (g->len + n + 1 > g->cap) {
        size_t cap = g->cap ? g->cap : 256;
        while (cap < g->len + n + 1)
            cap *= 2;
        g->p = realloc(g->p, cap);
        if (!g->p) {
            fprintf(stderr, "out of memory\n");
            exit(2);
        }
        g->cap = cap;
    }
    memcpy(g->p + g->len, s, n);
    g->len += n;
    g->p[g->len] = '\0';
}

static void gen_puts(gen *g, const char *s)
{
    gen_put(g, s, strlen(s));
}

static void gen_rep(gen *g, const char *s, size_t times)
{
    for (size_t i = 0; i < times; i++)
        gen_puts(g, s);
}

/* A claim with `n` lines. */
static void gen_lines(gen *g, size_t n)
{
    g->len = 0;
    gen_puts(g, "{\"id\":\"big\",\"date\":\"2026-03-02\","
                "\"diagnoses\":[\"E11.65\",\"I10\"],\"lines\":[");
    for (size_t i = 0; i < n; i++) {
        gen_puts(g, i ? ",{\"code\":\"83036\",\"units\":2,"
                        "\"modifiers\":[\"qw\"],\"dx_pointers\":[1,2]}"
                      : "{\"code\":\"83036\",\"units\":2,"
                        "\"modifiers\":[\"qw\"],\"dx_pointers\":[1,2]}");
    }
    gen_puts(g, "]}");
}

/* ------------------------------------------------------------------ */

static void test_contract_example(void)
{
    mn_claim *c = NULL;
    mn_error err;

    CHECK_INT(parse(&c, CONTRACT, &err), MN_OK);
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK_STR(c->id, "c-1001");
    CHECK_STR(c->payer_text, "medicare");
    CHECK_INT(c->payer, MN_PAYER_MEDICARE);
    CHECK_STR(c->jurisdiction, "JE");
    CHECK_INT(c->institutional, 0);
    CHECK_STR(c->pos, "11");
    CHECK_INT(c->date, MN_NODATE);
    CHECK_INT(c->birth_date, day(1950, 4, 2));
    CHECK_INT(c->age, -1);
    CHECK_INT(c->sex, 'F');
    CHECK_INT(c->n_dx, 2);
    CHECK_STR(c->dx[0].text, "E11.65");
    CHECK(c->dx[0].key == mn_x__key("E1165", 5));
    CHECK_STR(c->dx[1].text, "I10");
    CHECK_INT(mn_claim_line_count(c), 1);
    CHECK_STR(c->lines[0].code_text, "83036");
    CHECK(c->lines[0].code == mn_x__key("83036", 5));
    CHECK_INT(c->lines[0].n_modifiers, 0);
    CHECK_INT(c->lines[0].units, 1);
    CHECK_INT(c->lines[0].date, day(2026, 3, 2));
    CHECK_STR(c->lines[0].pos, "");
    CHECK_INT(c->lines[0].n_pointers, 1);
    CHECK_INT(c->lines[0].pointers[0], 1);
    CHECK_INT(c->n_hist, 1);
    CHECK(c->hist[0].code == mn_x__key("83036", 5));
    CHECK_INT(c->hist[0].date, day(2026, 1, 10));
    CHECK_INT(c->hist[0].units, 1);
    CHECK_INT(mn_x__claim_age_on(c, day(2026, 3, 2)), 75);
    CHECK_INT(mn_x__claim_age_on(c, day(2026, 4, 1)), 75);
    CHECK_INT(mn_x__claim_age_on(c, day(2026, 4, 2)), 76);
    mn_claim_free(c);
}

static void test_defaults_and_normalising(void)
{
    mn_claim *c = NULL;
    mn_error err;

    /* payer default, line date from the claim date, units default,
     * lower-case input upper-cased, undotted diagnosis dotted */
    CHECK_INT(parse(&c,
                    "{\"date\":\"2026-03-02\",\"jurisdiction\":\"j15\","
                    "\"diagnoses\":[\"e1165\",\"z00.00\"],\"lines\":["
                    "{\"code\":\"g0103\",\"modifiers\":[\"ga\",\"Rt\"],"
                    "\"place_of_service\":\"22\"},"
                    "{\"code\":\"0001U\",\"date\":\"2026-03-03\","
                    "\"units\":9999}],"
                    "\"patient\":{\"age\":67,\"sex\":\"m\"}}",
                    &err),
              MN_OK);
    if (c) {
        CHECK(c->id == NULL);
        CHECK_INT(c->payer, MN_PAYER_MEDICARE);
        CHECK_STR(c->payer_text, "medicare");
        CHECK_STR(c->jurisdiction, "J15");
        CHECK_INT(c->date, day(2026, 3, 2));
        CHECK_STR(c->dx[0].text, "E11.65");
        CHECK_STR(c->dx[1].text, "Z00.00");
        CHECK_STR(c->lines[0].code_text, "G0103");
        CHECK_INT(c->lines[0].units, 1);
        CHECK_INT(c->lines[0].date, day(2026, 3, 2));
        CHECK_INT(c->lines[0].n_modifiers, 2);
        CHECK_STR(c->lines[0].modifiers[0], "GA");
        CHECK_STR(c->lines[0].modifiers[1], "RT");
        CHECK_STR(c->lines[0].pos, "22");
        CHECK_INT(c->lines[0].n_pointers, 0);
        CHECK_STR(c->lines[1].code_text, "0001U");
        CHECK_INT(c->lines[1].date, day(2026, 3, 3));
        CHECK_INT(c->lines[1].units, 9999);
        CHECK_INT(c->age, 67);
        CHECK_INT(c->sex, 'M');
        CHECK_INT(mn_x__claim_age_on(c, day(2030, 1, 1)), 67);
        CHECK_INT(mn_x__claim_age_on(c, MN_NODATE), 67);
        CHECK_INT(c->n_hist, 0);
    }
    mn_claim_free(c);

    /* other payers keep their text; institutional with a bill type;
     * null members count as absent */
    CHECK_INT(parse(&c,
                    "{\"payer\":\"Aetna PPO\",\"claim_type\":\"institutional\","
                    "\"bill_type\":\"0131\",\"id\":null,\"history\":null,"
                    "\"lines\":[{\"code\":\"80061\",\"date\":\"2026-01-02\","
                    "\"units\":null}]}",
                    &err),
              MN_OK);
    if (c) {
        CHECK_INT(c->payer, MN_PAYER_OTHER);
        CHECK_STR(c->payer_text, "Aetna PPO");
        CHECK_INT(c->institutional, 1);
        CHECK_STR(c->bill_type, "0131");
        CHECK(c->id == NULL);
        CHECK_INT(c->sex, 'U');
        CHECK_INT(mn_x__claim_age_on(c, day(2026, 1, 2)), -1);
    }
    mn_claim_free(c);

    CHECK_INT(parse(&c,
                    "{\"payer\":\"MEDICAID\",\"lines\":[{\"code\":\"80061\","
                    "\"date\":\"2024-02-29\"}]}",
                    &err),
              MN_OK);
    if (c) {
        CHECK_INT(c->payer, MN_PAYER_MEDICAID);
        CHECK_STR(c->payer_text, "MEDICAID");
        CHECK_INT(c->lines[0].date, day(2024, 2, 29));
    }
    mn_claim_free(c);

    /* unknown fields are accepted when asked */
    {
        mn_claim_options o = MN_CLAIM_OPTIONS_INIT;
        const char *j = "{\"extra\":{\"x\":[1,2]},\"patient\":{\"ssn\":1},"
                        "\"lines\":[{\"code\":\"80061\",\"price\":2.5,"
                        "\"date\":\"2026-01-02\"}],"
                        "\"history\":[{\"code\":\"80061\","
                        "\"date\":\"2025-01-02\",\"npi\":\"1\"}]}";
        o.allow_unknown = 1;
        CHECK_INT(mn_claim_parse_json(&c, j, strlen(j), &o, &err), MN_OK);
        CHECK_INT(mn_claim_line_count(c), 1);
        mn_claim_free(c);
    }
}

static void test_syntax_errors(void)
{
    mn_claim *c = (mn_claim *)&c;
    mn_error err;

    /* malformed JSON: line and column from the parser */
    CHECK_INT(parse(&c, "{\n  \"id\": \"x\",\n  \"lines\" []\n}", &err),
              MN_EINVAL);
    CHECK(c == NULL);
    CHECK_INT(err.code, MN_EINVAL);
    CHECK_INT(err.line, 3);
    CHECK(err.column > 0);
    CHECK(err.offset > 0);
    CHECK_STR(err.where, "");
    CHECK_CONTAINS(err.message, "':' expected");
    {
        char line[300];
        mn_error_format(line, sizeof(line), &err);
        CHECK_CONTAINS(line, "line 3, column");
    }

    /* trailing garbage */
    c = (mn_claim *)&c;
    CHECK_INT(parse(&c, ONE_LINE("{\"code\":\"83036\"}") " x", &err),
              MN_EINVAL);
    CHECK(c == NULL);
    CHECK_CONTAINS(err.message, "end of file expected");
    CHECK_INT(err.line, 1);

    /* trailing whitespace is fine */
    CHECK_INT(parse(&c, ONE_LINE("{\"code\":\"83036\"}") " \n\t ", &err),
              MN_OK);
    mn_claim_free(c);

    /* duplicate keys, at any depth */
    EXPECT_ERR("{\"id\":\"a\",\"id\":\"b\",\"lines\":[]}", MN_EINVAL, "",
               "duplicate object key");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"units\":1,\"units\":2}"),
               MN_EINVAL, "", "duplicate object key");

    /* empty input, whitespace only, not an object */
    EXPECT_ERR("", MN_EINVAL, "", "empty input");
    EXPECT_ERR("  \n ", MN_EINVAL, "", "expected");
    EXPECT_ERR("[1,2]", MN_EINVAL, "", "expected a JSON object");
    EXPECT_ERR("\"claim\"", MN_EINVAL, "", "expected");
    EXPECT_ERR("{", MN_EINVAL, "", "");
    EXPECT_ERR("{\"id\":\"x\\u0000y\"}", MN_EINVAL, "", "");
    EXPECT_ERR("{\"id\":\"\xff\"}", MN_EINVAL, "", "");
    EXPECT_ERR("{\"lines\":[{\"units\":99999999999999999999999}]}", MN_EINVAL,
               "", "");

    /* NUL bytes inside the input: never read past, never accepted */
    {
        static const char nul1[] = "{\"id\":\"a\0b\",\"lines\":[]}";
        static const char nul2[] = "{\"id\":\"ab\"}\0 ";
        static const char nul3[] = "\0{}";
        c = (mn_claim *)&c;
        CHECK_INT(mn_claim_parse_json(&c, nul1, sizeof(nul1) - 1, NULL, &err),
                  MN_EINVAL);
        CHECK(c == NULL);
        CHECK_INT(err.line, 1);
        CHECK_INT(mn_claim_parse_json(&c, nul2, sizeof(nul2) - 1, NULL, &err),
                  MN_EINVAL);
        CHECK_INT(mn_claim_parse_json(&c, nul3, sizeof(nul3) - 1, NULL, &err),
                  MN_EINVAL);
        CHECK(c == NULL);
    }

    /* the length is honoured: no terminating NUL is assumed */
    {
        const char *j = ONE_LINE("{\"code\":\"83036\"}") "GARBAGE";
        size_t n = strlen(j) - strlen("GARBAGE");
        CHECK_INT(mn_claim_parse_json(&c, j, n, NULL, &err), MN_OK);
        mn_claim_free(c);
    }

    /* bad arguments */
    CHECK_INT(mn_claim_parse_json(NULL, "{}", 2, NULL, &err), MN_EINVAL);
    c = (mn_claim *)&c;
    CHECK_INT(mn_claim_parse_json(&c, NULL, 3, NULL, &err), MN_EINVAL);
    CHECK(c == NULL);
    CHECK_INT(mn_claim_parse_json(&c, "{]", 2, NULL, NULL), MN_EINVAL);
}

static void test_type_errors(void)
{
    EXPECT_ERR("{\"id\":5,\"lines\":[]}", MN_EINVAL, "id", "expected a string");
    EXPECT_ERR("{\"payer\":true}", MN_EINVAL, "payer", "expected a string");
    EXPECT_ERR("{\"patient\":[]}", MN_EINVAL, "patient", "expected an object");
    EXPECT_ERR("{\"patient\":{\"age\":\"70\"}}", MN_EINVAL, "patient.age",
               "expected an integer from 0 to 130");
    EXPECT_ERR("{\"patient\":{\"age\":131}}", MN_EINVAL, "patient.age",
               "expected an integer from 0 to 130");
    EXPECT_ERR("{\"patient\":{\"age\":-1}}", MN_EINVAL, "patient.age",
               "from 0 to 130");
    EXPECT_ERR("{\"patient\":{\"sex\":\"X\"}}", MN_EINVAL, "patient.sex",
               "expected M, F or U");
    EXPECT_ERR("{\"patient\":{\"sex\":\"FM\"}}", MN_EINVAL, "patient.sex",
               "expected M, F or U");
    EXPECT_ERR("{\"patient\":{\"id\":7}}", MN_EINVAL, "patient.id",
               "expected a string");
    EXPECT_ERR("{\"diagnoses\":\"E11.9\"}", MN_EINVAL, "diagnoses",
               "expected an array");
    EXPECT_ERR("{\"diagnoses\":[\"E11.9\",9]}", MN_EINVAL, "diagnoses[1]",
               "expected a string");
    EXPECT_ERR("{\"lines\":{}}", MN_EINVAL, "lines", "expected an array");
    EXPECT_ERR("{\"lines\":[5]}", MN_EINVAL, "lines[0]", "expected an object");
    EXPECT_ERR(ONE_LINE("{\"code\":83036}"), MN_EINVAL, "lines[0].code",
               "expected a string");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"units\":\"1\"}"), MN_EINVAL,
               "lines[0].units", "expected an integer from 1 to 9999");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\"},{\"code\":\"83036\","
                        "\"units\":1.5}"),
               MN_EINVAL, "lines[1].units",
               "expected an integer from 1 to 9999");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"units\":0}"), MN_EINVAL,
               "lines[0].units", "expected an integer from 1 to 9999");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"units\":10000}"), MN_EINVAL,
               "lines[0].units", "expected an integer from 1 to 9999");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"units\":true}"), MN_EINVAL,
               "lines[0].units", "expected an integer");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"modifiers\":\"GA\"}"), MN_EINVAL,
               "lines[0].modifiers", "expected an array");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"modifiers\":[\"GA\",1]}"),
               MN_EINVAL, "lines[0].modifiers[1]", "expected a string");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"modifiers\":[\"G\"]}"),
               MN_EINVAL, "lines[0].modifiers[0]", "modifier");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"modifiers\":[\"G-\"]}"),
               MN_EINVAL, "lines[0].modifiers[0]", "modifier");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"dx_pointers\":[\"1\"]}"),
               MN_EINVAL, "lines[0].dx_pointers[0]", "diagnosis number");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"dx_pointers\":1}"), MN_EINVAL,
               "lines[0].dx_pointers", "expected an array");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"place_of_service\":11}"),
               MN_EINVAL, "lines[0].place_of_service", "expected a string");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"place_of_service\":\"1\"}"),
               MN_EINVAL, "lines[0].place_of_service", "two-digit");
    EXPECT_ERR("{\"place_of_service\":\"1a\"}", MN_EINVAL, "place_of_service",
               "two-digit");
    EXPECT_ERR("{\"date\":\"2026-01-01\",\"lines\":[{\"code\":\"83036\"}],"
               "\"history\":{}}",
               MN_EINVAL, "history", "expected an array");
    EXPECT_ERR("{\"date\":\"2026-01-01\",\"lines\":[{\"code\":\"83036\"}],"
               "\"history\":[[]]}",
               MN_EINVAL, "history[0]", "expected an object");
    EXPECT_ERR("{\"claim_type\":\"dental\"}", MN_EINVAL, "claim_type",
               "expected professional, institutional or dme");
    EXPECT_ERR("{\"bill_type\":\"131\"}", MN_EINVAL, "bill_type",
               "only allowed when claim_type is institutional");
    EXPECT_ERR("{\"claim_type\":\"institutional\",\"bill_type\":\"13\"}",
               MN_EINVAL, "bill_type", "3 or 4 digits");
    EXPECT_ERR("{\"jurisdiction\":\"J-E\"}", MN_EINVAL, "jurisdiction",
               "letters or digits");
    EXPECT_ERR("{\"jurisdiction\":\"ABCDEFGHIJKLMNOPQ\"}", MN_EINVAL,
               "jurisdiction", "1 to 16");
    EXPECT_ERR("{\"payer\":\"\"}", MN_EINVAL, "payer", "payer");
}

static void test_missing(void)
{
    EXPECT_ERR("{}", MN_EINVAL, "lines", "missing");
    EXPECT_ERR("{\"lines\":null}", MN_EINVAL, "lines", "missing");
    EXPECT_ERR("{\"lines\":[]}", MN_EINVAL, "lines",
               "at least one line is required");
    EXPECT_ERR("{\"lines\":[{\"code\":\"83036\"}]}", MN_EINVAL, "lines[0].date",
               "missing (no claim date either)");
    {
        mn_claim *c = NULL;
        mn_error err;
        char line[300];
        CHECK_INT(parse(&c, "{\"lines\":[{\"code\":\"83036\"}]}", &err),
                  MN_EINVAL);
        mn_error_format(line, sizeof(line), &err);
        CHECK_STR(line, "lines[0].date: missing (no claim date either)");
    }
    EXPECT_ERR("{\"lines\":[{\"code\":\"83036\",\"date\":\"2026-01-01\"},"
               "{\"code\":\"83036\"}]}",
               MN_EINVAL, "lines[1].date", "missing (no claim date either)");
    EXPECT_ERR(ONE_LINE("{\"units\":1}"), MN_EINVAL, "lines[0].code",
               "missing");
    EXPECT_ERR("{\"date\":\"2026-01-01\",\"lines\":[{\"code\":\"83036\"}],"
               "\"history\":[{\"code\":\"83036\"}]}",
               MN_EINVAL, "history[0].date", "missing");
    EXPECT_ERR("{\"date\":\"2026-01-01\",\"lines\":[{\"code\":\"83036\"}],"
               "\"history\":[{\"date\":\"2025-01-01\"}]}",
               MN_EINVAL, "history[0].code", "missing");
}

static void test_unknown_fields(void)
{
    EXPECT_ERR("{\"id\":\"a\",\"ssn\":\"123\",\"lines\":[]}", MN_EINVAL, "ssn",
               "unknown field");
    EXPECT_ERR("{\"patient\":{\"name\":\"Jo\"}}", MN_EINVAL, "patient.name",
               "unknown field");
    EXPECT_ERR("{\"patient\":{\"name\":null}}", MN_EINVAL, "patient.name",
               "unknown field");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\"},{\"code\":\"83036\","
                        "\"tooth\":10}"),
               MN_EINVAL, "lines[1].tooth", "unknown field");
    EXPECT_ERR("{\"date\":\"2026-01-01\",\"lines\":[{\"code\":\"83036\"}],"
               "\"history\":[{\"code\":\"83036\",\"date\":\"2025-01-01\"},"
               "{\"code\":\"83036\",\"date\":\"2025-01-01\",\"npi\":\"1\"}]}",
               MN_EINVAL, "history[1].npi", "unknown field");
    /* a hostile key stays on one line and within bounds */
    {
        mn_claim *c = NULL;
        mn_error err;
        CHECK_INT(parse(&c, "{\"a\\nb\\u0001c\":1}", &err), MN_EINVAL);
        CHECK_STR(err.where, "a?b?c");
        CHECK_STR(err.message, "unknown field");
    }
}

/* Money on lines and history entries: dollars, at most two decimals. */
static void test_amounts(void)
{
    mn_claim *c = NULL;
    mn_error err;

    CHECK_INT(parse(&c,
                    ONE_LINE("{\"code\":\"97110\",\"charge\":160.5,"
                             "\"allowed\":112.08},{\"code\":\"97110\","
                             "\"charge\":0},{\"code\":\"97110\","
                             "\"allowed\":99999999.99,\"charge\":null}"),
                    &err),
              MN_OK);
    if (c) {
        CHECK(c->lines[0].charge == 16050);
        CHECK(c->lines[0].allowed == 11208);
        CHECK(c->lines[1].charge == 0);
        CHECK(c->lines[1].allowed == MN_NO_AMOUNT);
        CHECK(c->lines[2].charge == MN_NO_AMOUNT);
        CHECK(c->lines[2].allowed == MN_MAX_AMOUNT);
    }
    mn_claim_free(c);
    /* an exponent or a value that needs jansson gives the same cents */
    CHECK_INT(
        parse(&c, ONE_LINE("{\"code\":\"97110\",\"charge\":1.2e2}"), &err),
        MN_OK);
    if (c)
        CHECK(c->lines[0].charge == 12000);
    mn_claim_free(c);
    CHECK_INT(parse(&c,
                    "{\"date\":\"2026-03-02\",\"lines\":[{\"code\":"
                    "\"97110\"}],\"history\":[{\"code\":\"97110\","
                    "\"date\":\"2026-01-05\",\"modifiers\":[\"gp\",\"KX\"],"
                    "\"allowed\":31.2}]}",
                    &err),
              MN_OK);
    if (c) {
        CHECK_INT(c->hist[0].n_modifiers, 2);
        CHECK_STR(c->hist[0].modifiers[0], "GP");
        CHECK_STR(c->hist[0].modifiers[1], "KX");
        CHECK(c->hist[0].allowed == 3120);
        CHECK(c->hist[0].charge == MN_NO_AMOUNT);
    }
    mn_claim_free(c);
    EXPECT_ERR(ONE_LINE("{\"code\":\"97110\",\"charge\":-1}"), MN_EINVAL,
               "lines[0].charge", "amount from 0 to 99999999.99");
    EXPECT_ERR(ONE_LINE("{\"code\":\"97110\",\"charge\":\"10\"}"), MN_EINVAL,
               "lines[0].charge", "amount from 0");
    EXPECT_ERR(ONE_LINE("{\"code\":\"97110\",\"allowed\":100000000}"),
               MN_EINVAL, "lines[0].allowed", "amount from 0");
    EXPECT_ERR(ONE_LINE("{\"code\":\"97110\",\"allowed\":12.345}"), MN_EINVAL,
               "lines[0].allowed", "two decimal places");
    EXPECT_ERR("{\"date\":\"2026-03-02\",\"lines\":[{\"code\":\"97110\"}],"
               "\"history\":[{\"code\":\"97110\",\"date\":\"2026-01-05\","
               "\"modifiers\":[\"G\"]}]}",
               MN_EINVAL, "history[0].modifiers[0]", "two letters or digits");
    EXPECT_ERR("{\"date\":\"2026-03-02\",\"lines\":[{\"code\":\"97110\"}],"
               "\"history\":[{\"code\":\"97110\",\"date\":\"2026-01-05\","
               "\"charge\":true}]}",
               MN_EINVAL, "history[0].charge", "amount from 0");
    /* the diagnoses a prior service was billed with */
    CHECK_INT(parse(&c,
                    "{\"date\":\"2026-03-02\",\"lines\":[{\"code\":"
                    "\"82270\"}],\"history\":[{\"code\":\"82270\",\"date\":"
                    "\"2026-01-05\",\"diagnoses\":[\"k92.1\",\"Z1211\"]}]}",
                    &err),
              MN_OK);
    if (c) {
        CHECK_INT(c->hist[0].n_dx, 2);
        CHECK(c->hist[0].dx[0] == mn_x__key("K921", 4));
        CHECK(c->hist[0].dx[1] == mn_x__key("Z1211", 5));
    }
    mn_claim_free(c);
    EXPECT_ERR("{\"date\":\"2026-03-02\",\"lines\":[{\"code\":\"82270\"}],"
               "\"history\":[{\"code\":\"82270\",\"date\":\"2026-01-05\","
               "\"diagnoses\":[\"K92.1\",\"99213\"]}]}",
               MN_EINVAL, "history[0].diagnoses[1]", "ICD-10-CM");
    EXPECT_ERR("{\"date\":\"2026-03-02\",\"lines\":[{\"code\":\"82270\"}],"
               "\"history\":[{\"code\":\"82270\",\"date\":\"2026-01-05\","
               "\"diagnoses\":[\"A00\",\"A00\",\"A00\",\"A00\",\"A00\","
               "\"A00\",\"A00\",\"A00\",\"A00\",\"A00\",\"A00\",\"A00\","
               "\"A00\"]}]}",
               MN_ELIMIT, "history[0].diagnoses", "too many diagnoses");
    EXPECT_ERR("{\"date\":\"2026-03-02\",\"lines\":[{\"code\":\"82270\"}],"
               "\"history\":[{\"code\":\"82270\",\"date\":\"2026-01-05\","
               "\"diagnoses\":\"K92.1\"}]}",
               MN_EINVAL, "history[0].diagnoses", "expected an array");
    /* setters */
    CHECK_INT(mn_claim_new(&c, NULL, &err), MN_OK);
    if (c) {
        CHECK_INT(mn_claim_add_line(c, "97110", 5, 1, "2026-01-01", 10, &err),
                  0);
        CHECK_INT(mn_claim_line_set_amounts(c, 0, 100, MN_NO_AMOUNT, &err),
                  MN_OK);
        CHECK_INT(mn_claim_line_set_amounts(c, 0, -5, MN_NO_AMOUNT, &err),
                  MN_EINVAL);
        CHECK_STR(err.where, "lines[0].charge");
        CHECK_INT(mn_claim_line_set_amounts(c, 1, 1, 1, &err), MN_EINVAL);
        CHECK_INT(
            mn_claim_add_history(c, "97110", 5, "2025-01-01", 10, 1, &err), 0);
        CHECK_INT(
            mn_claim_add_history(c, "97112", 5, "2025-01-02", 10, 1, &err), 1);
        CHECK_INT(mn_claim_history_set_amounts(c, 1, MN_NO_AMOUNT,
                                               MN_MAX_AMOUNT + 1, &err),
                  MN_EINVAL);
        CHECK_STR(err.where, "history[1].allowed");
        CHECK_INT(mn_claim_history_add_modifier(c, 2, "GP", 2, &err),
                  MN_EINVAL);
        CHECK_INT(mn_claim_history_add_modifier(c, 1, "GP", 2, &err), MN_OK);
        CHECK_STR(c->hist[1].modifiers[0], "GP");
    }
    mn_claim_free(c);
}

static void test_dates(void)
{
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"date\":\"2024-02-30\"}"),
               MN_EINVAL, "lines[0].date", "not a valid calendar date");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"date\":\"2023-02-29\"}"),
               MN_EINVAL, "lines[0].date", "not a valid calendar date");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"date\":\"2024-13-01\"}"),
               MN_EINVAL, "lines[0].date", "not a valid calendar date");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"date\":\"2024-1-01\"}"),
               MN_EINVAL, "lines[0].date",
               "expected a date in the form YYYY-MM-DD");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"date\":\"01/02/2024\"}"),
               MN_EINVAL, "lines[0].date", "YYYY-MM-DD");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"date\":\"20240102\"}"),
               MN_EINVAL, "lines[0].date", "YYYY-MM-DD");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"date\":\"\\n\\u0007\"}"),
               MN_EINVAL, "lines[0].date", "expected a date in the form");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"date\":20240102}"), MN_EINVAL,
               "lines[0].date", "expected a string");
    EXPECT_ERR("{\"date\":\"2024-02-30\"}", MN_EINVAL, "date",
               "not a valid calendar date");
    EXPECT_ERR("{\"patient\":{\"birth_date\":\"1950-02-29\"}}", MN_EINVAL,
               "patient.birth_date", "not a valid date (expected YYYY-MM-DD)");
    /* the birth date (PHI) is never repeated in the message */
    {
        mn_claim *c = NULL;
        mn_error e;
        const char *j = "{\"patient\":{\"birth_date\":\"1950-02-29\"},"
                        "\"lines\":[]}";
        mn_error_clear(&e);
        CHECK(mn_claim_parse_json(&c, j, strlen(j), NULL, &e) != MN_OK);
        CHECK(strstr(e.message, "1950") == NULL);
        mn_claim_free(c);
    }
    EXPECT_ERR("{\"date\":\"2026-01-01\",\"lines\":[{\"code\":\"83036\"}],"
               "\"history\":[{\"code\":\"83036\",\"date\":\"2025-00-01\"}]}",
               MN_EINVAL, "history[0].date", "not a valid calendar date");
    /* no date of service, patient id or other value of the claim is ever
       quoted in a message, not even jansson's "near '...'" */
    {
        static const char *const bad[] = {
            "{\"patient\":{\"id\":\"PHI-77\" \"birth_date\":1}}",
            "{\"patient\":{\"id\":PHI-77}}",
            "{\"lines\":[{\"code\":\"83036\",\"date\":\"2024-07-31x\"}]}",
            "{\"lines\":[{\"code\":\"83036\",\"date\":\"2024-02-30\"}]}",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            mn_claim *c = NULL;
            mn_error e;
            char line[700];
            mn_error_clear(&e);
            CHECK(mn_claim_parse_json(&c, bad[i], strlen(bad[i]), NULL, &e) !=
                  MN_OK);
            mn_error_format(line, sizeof(line), &e);
            CHECK(strstr(line, "PHI") == NULL);
            CHECK(strstr(line, "2024-") == NULL);
            mn_claim_free(c);
        }
    }
}

/* A code of the wrong shape is kept and judged on its line (code.invalid,
 * dx.invalid): one bad line must not reject the claim. Only what is no
 * code at all is an input error. */
static void test_codes(void)
{
    static const struct {
        const char *json;
        int line_bad;       /* lines[0].not_procedure */
        int dx_bad;         /* diagnoses[1].not_icd */
        const char *dxtext; /* diagnoses[1] as kept */
    } kept[] = {
        {"{\"diagnoses\":[\"E11.65\",\"XYZ\"],\"lines\":[{\"code\":\"83036\","
         "\"date\":\"2026-03-02\"}]}",
         0, 1, "XYZ"},
        {"{\"diagnoses\":[\"E11.65\",\"e1.165\"],\"lines\":[{\"code\":"
         "\"83036\","
         "\"date\":\"2026-03-02\"}]}",
         0, 1, "E1.165"},
        {"{\"diagnoses\":[\"E11.65\",\"E11.65123\"],\"lines\":[{\"code\":"
         "\"83036\",\"date\":\"2026-03-02\"}]}",
         0, 1, "E11.65123"},
        {ONE_LINE("{\"code\":\"8303\"}"), 1, 0, "I10"},
        {ONE_LINE("{\"code\":\"830366\"}"), 1, 0, "I10"},
        {ONE_LINE("{\"code\":\"abcde\"}"), 1, 0, "I10"},
        {ONE_LINE("{\"code\":\"Z9999\"}"), 1, 0, "I10"},
        {ONE_LINE("{\"code\":\"G0439\"}"), 0, 0, "I10"},
    };
    for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
        mn_claim *c = NULL;
        mn_error e;
        CHECK_INT(parse(&c, kept[i].json, &e), MN_OK);
        if (!c)
            continue;
        CHECK_INT(c->lines[0].not_procedure, kept[i].line_bad);
        CHECK_INT(c->dx[1].not_icd, kept[i].dx_bad);
        CHECK_STR(c->dx[1].text, kept[i].dxtext);
        mn_claim_free(c);
    }
    EXPECT_ERR("{\"diagnoses\":[\"\"]}", MN_EINVAL, "diagnoses[0]",
               "expected a diagnosis code");
    EXPECT_ERR("{\"diagnoses\":[\"E11-65\"]}", MN_EINVAL, "diagnoses[0]",
               "expected a diagnosis code");
    EXPECT_ERR("{\"diagnoses\":[\"E11.6512345\"]}", MN_EINVAL, "diagnoses[0]",
               "expected a diagnosis code");
    EXPECT_ERR(ONE_LINE("{\"code\":\"\"}"), MN_EINVAL, "lines[0].code",
               "expected a procedure code");
    EXPECT_ERR(ONE_LINE("{\"code\":\"ABCDEFGH\"}"), MN_EINVAL, "lines[0].code",
               "expected a procedure code");
    EXPECT_ERR(ONE_LINE("{\"code\":\"830.36\"}"), MN_EINVAL, "lines[0].code",
               "expected a procedure code");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83 36\"}"), MN_EINVAL, "lines[0].code",
               "expected a procedure code");
    EXPECT_ERR("{\"date\":\"2026-01-01\",\"lines\":[{\"code\":\"83036\"}],"
               "\"history\":[{\"code\":\"X\",\"date\":\"2025-01-01\"}]}",
               MN_EINVAL, "history[0].code", "CPT or HCPCS");
    /* a birth date after the date of service is an input error */
    EXPECT_ERR("{\"patient\":{\"birth_date\":\"2026-03-03\"},"
               "\"lines\":[{\"code\":\"83036\",\"date\":\"2026-03-02\"}]}",
               MN_EINVAL, "patient.birth_date",
               "the birth date is after the date of service of line 1");
    EXPECT_ERR("{\"date\":\"2026-03-02\",\"patient\":{\"birth_date\":"
               "\"2026-03-03\"},\"lines\":[{\"code\":\"83036\"},"
               "{\"code\":\"83036\",\"date\":\"2026-03-04\"}]}",
               MN_EINVAL, "patient.birth_date", "of line 1");
    {
        /* born on the date of service is fine */
        mn_claim *c = NULL;
        mn_error e;
        CHECK_INT(parse(&c,
                        "{\"patient\":{\"birth_date\":\"2026-03-02\"},"
                        "\"lines\":[{\"code\":\"83036\",\"date\":"
                        "\"2026-03-02\"}]}",
                        &e),
                  MN_OK);
        mn_claim_free(c);
    }
}

static void test_pointers(void)
{
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"dx_pointers\":[1,3]}"),
               MN_EINVAL, "lines[0].dx_pointers[1]",
               "expected a diagnosis number from 1 to 2");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"dx_pointers\":[0]}"), MN_EINVAL,
               "lines[0].dx_pointers[0]", "from 1 to 2");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"dx_pointers\":[-1]}"), MN_EINVAL,
               "lines[0].dx_pointers[0]", "from 1 to 2");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"dx_pointers\":"
                        "[4294967297]}"),
               MN_EINVAL, "lines[0].dx_pointers[0]", "from 1 to 2");
    EXPECT_ERR("{\"date\":\"2026-01-01\",\"lines\":[{\"code\":\"83036\","
               "\"dx_pointers\":[1]}]}",
               MN_EINVAL, "lines[0].dx_pointers[0]", "has none");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"dx_pointers\":"
                        "[1,2,1,2,1,2,1,2,1,2,1,2,1]}"),
               MN_ELIMIT, "lines[0].dx_pointers", "max 12");
    EXPECT_ERR(ONE_LINE("{\"code\":\"83036\",\"modifiers\":"
                        "[\"a1\",\"a2\",\"a3\",\"a4\",\"a5\",\"a6\",\"a7\","
                        "\"a8\",\"a9\"]}"),
               MN_ELIMIT, "lines[0].modifiers", "max 8");
    /* diagnoses after the lines in the document still count */
    {
        mn_claim *c = NULL;
        mn_error err;
        CHECK_INT(parse(&c,
                        "{\"lines\":[{\"code\":\"83036\",\"dx_pointers\":"
                        "[2,1],\"date\":\"2026-01-01\"}],"
                        "\"diagnoses\":[\"E11.65\",\"I10\"]}",
                        &err),
                  MN_OK);
        if (c) {
            CHECK_INT(c->lines[0].n_pointers, 2);
            CHECK_INT(c->lines[0].pointers[0], 2);
            CHECK_INT(c->lines[0].pointers[1], 1);
        }
        mn_claim_free(c);
    }
}

/* The two parsers behind mn_claim_parse_json (claim.c). */
int mn_x__claim_parse_fast(mn_claim **out, const char *json, size_t len,
                           const mn_claim_options *opts);
int mn_x__claim_parse_jansson(mn_claim **out, const char *json, size_t len,
                              const mn_claim_options *opts, mn_error *err);

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* True when two parsed claims hold the same data. */
static int same_claim(const mn_claim *a, const mn_claim *b)
{
    int same =
        same_str(a->id, b->id) && same_str(a->payer_text, b->payer_text) &&
        a->payer == b->payer && same_str(a->jurisdiction, b->jurisdiction) &&
        a->institutional == b->institutional &&
        strcmp(a->bill_type, b->bill_type) == 0 &&
        strcmp(a->pos, b->pos) == 0 && a->date == b->date &&
        a->birth_date == b->birth_date && a->age == b->age &&
        a->sex == b->sex && a->n_dx == b->n_dx && a->n_lines == b->n_lines &&
        a->n_hist == b->n_hist && same_str(a->provider, b->provider) &&
        same_str(a->prior_auth, b->prior_auth) && a->frequency == b->frequency;

    for (size_t i = 0; same && i < a->n_dx; i++)
        same = a->dx[i].key == b->dx[i].key &&
               strcmp(a->dx[i].text, b->dx[i].text) == 0;
    for (size_t i = 0; same && i < a->n_lines; i++) {
        const mn_claim_line *x = &a->lines[i];
        const mn_claim_line *y = &b->lines[i];
        same = x->code == y->code && strcmp(x->code_text, y->code_text) == 0 &&
               x->n_modifiers == y->n_modifiers && x->units == y->units &&
               x->date == y->date && strcmp(x->pos, y->pos) == 0 &&
               x->n_pointers == y->n_pointers && x->charge == y->charge &&
               x->allowed == y->allowed && x->number == y->number &&
               same_str(mn_claim_line_provider(a, i),
                        mn_claim_line_provider(b, i)) &&
               strcmp(x->revenue, y->revenue) == 0;
        for (unsigned m = 0; same && m < x->n_modifiers; m++)
            same = strcmp(x->modifiers[m], y->modifiers[m]) == 0;
        for (unsigned m = 0; same && m < x->n_pointers; m++)
            same = x->pointers[m] == y->pointers[m];
    }
    for (size_t i = 0; same && i < a->n_hist; i++)
        same = a->hist[i].code == b->hist[i].code &&
               a->hist[i].date == b->hist[i].date &&
               a->hist[i].units == b->hist[i].units &&
               a->hist[i].charge == b->hist[i].charge &&
               a->hist[i].allowed == b->hist[i].allowed &&
               a->hist[i].n_modifiers == b->hist[i].n_modifiers &&
               memcmp(a->hist[i].modifiers, b->hist[i].modifiers,
                      sizeof(a->hist[i].modifiers)) == 0;
    return same;
}

/* Runs both parsers; the fast one may decline, but when it accepts, the
 * jansson one must accept the same claim. Returns 1 when jansson accepted,
 * 2 when both did, else 0. */
static int differ(const char *json, size_t len, const mn_claim_options *o)
{
    mn_claim *a = NULL;
    mn_claim *b = NULL;
    mn_error err;
    int fast_rc = mn_x__claim_parse_fast(&a, json, len, o);
    int slow_rc = mn_x__claim_parse_jansson(&b, json, len, o, &err);

    if (fast_rc == MN_OK) {
        CHECK_INT(slow_rc, MN_OK);
        if (slow_rc == MN_OK && !same_claim(a, b)) {
            CHECK(0 && "fast and jansson parsers disagree");
            fprintf(stderr, "  input: %.*s\n", (int)len, json);
        }
        if (slow_rc != MN_OK)
            fprintf(stderr, "  input: %.*s\n  jansson: %s\n", (int)len, json,
                    err.message);
    } else {
        CHECK(a == NULL);
    }
    mn_claim_free(a);
    mn_claim_free(b);
    return (slow_rc == MN_OK) + (fast_rc == MN_OK && slow_rc == MN_OK);
}

static const char *const DIFF_SEEDS[] = {
    NULL, /* CONTRACT */
    "{\"date\":\"2026-03-02\",\"diagnoses\":[\"E11.65\",\"I10\"],\"lines\":["
    "{\"code\":\"83036\",\"units\":2,\"dx_pointers\":[2,1],"
    "\"modifiers\":[\"QW\",\"91\"],\"place_of_service\":\"81\"},"
    "{\"code\":\"g0103\",\"date\":null}],\"patient\":{\"age\":70,"
    "\"sex\":\"M\",\"id\":null}}",
    "{\"payer\":\"medicaid\",\"claim_type\":\"institutional\","
    "\"bill_type\":\"131\",\"jurisdiction\":\"jh\",\"lines\":[{\"code\":"
    "\"80061\",\"date\":\"2025-12-31\"}],\"history\":[{\"code\":\"80061\","
    "\"date\":\"2024-12-01\",\"units\":3},{\"date\":\"2024-01-01\","
    "\"code\":\"80061\"}],\"id\":\"x\"}",
    "{\"lines\":[{\"date\":\"2026-01-01\",\"code\":\"97110\",\"units\":4}],"
    "\"date\":\"2026-01-02\",\"diagnoses\":[]}",
    "{\"bill_type\":\"131\",\"claim_type\":\"institutional\",\"lines\":["
    "{\"code\":\"80061\",\"date\":\"2025-12-31\"}]}",
    "{\"lines\":[{\"code\":\"80061\",\"dx_pointers\":[1]}],"
    "\"diagnoses\":[\"I10\"],\"date\":\"2026-01-01\"}",
    "{\"date\":\"2026-01-02\",\"lines\":[{\"code\":\"97110\",\"units\":4,"
    "\"modifiers\":[\"GP\"],\"charge\":160.5,\"allowed\":112.08}],"
    "\"history\":[{\"code\":\"97140\",\"date\":\"2025-12-01\","
    "\"modifiers\":[\"GP\",\"KX\"],\"charge\":0.99,\"allowed\":null}]}",
    "{\"id\":\"c9\",\"provider\":\"1234567893\",\"frequency\":\"7\","
    "\"prior_authorization\":\"PA77\",\"claim_type\":\"institutional\","
    "\"lines\":[{\"code\":\"80061\",\"date\":\"2025-12-31\","
    "\"number\":4,\"provider\":\"1111111112\",\"revenue_code\":"
    "\"0300\"},{\"code\":\"80053\",\"date\":\"2025-12-31\",\"number\":2,"
    "\"provider\":\"1111111112\"}]}",
};

static void test_fast_path_agrees(void)
{
    static const char tokens[][8] = {
        "null", "1", "0",     "-1", "1.0",     "\"\"", "[]",      "{}",
        ",",    ":", "\"a\"", "\\", "\"I10\"", "99",   "\"x\":1", " "};
    mn_claim_options lax = MN_CLAIM_OPTIONS_INIT;
    char buf[2048];
    unsigned long long rng = 42;
    size_t accepted = 0;
    size_t valid = 0;
    size_t runs = 0;

    lax.allow_unknown = 1;
    lax.max_string = 8;
    CHECK(differ(CONTRACT, strlen(CONTRACT), NULL) == 2);
    for (size_t s = 0; s < sizeof(DIFF_SEEDS) / sizeof(DIFF_SEEDS[0]); s++) {
        const char *seed = DIFF_SEEDS[s] ? DIFF_SEEDS[s] : CONTRACT;
        size_t n = strlen(seed);
        differ(seed, n, NULL);
        for (int i = 0; i < 4000; i++) {
            size_t len = n;
            memcpy(buf, seed, n);
            /* one or two edits: change a byte, drop a span, insert a
             * token */
            for (int e = 0; e < 1 + i % 2; e++) {
                size_t at;
                rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
                at = (size_t)(rng >> 33) % (len + 1);
                switch ((rng >> 20) % 5) {
                case 0:
                    if (at < len)
                        buf[at] = (char)((rng >> 40) & 0x7f);
                    break;
                case 3: /* mostly keeps the document valid */
                    if (at < len && mn_x__isdigit(buf[at]))
                        buf[at] = (char)('0' + (rng >> 40) % 10);
                    else if (at < len && mn_x__isalpha(buf[at]))
                        buf[at] ^= 0x20;
                    break;
                case 1: {
                    size_t k = (size_t)((rng >> 45) % 6);
                    if (at + k > len)
                        k = len - at;
                    memmove(buf + at, buf + at + k, len - at - k);
                    len -= k;
                    break;
                }
                default: {
                    const char *t = tokens[(rng >> 50) % 16];
                    size_t k = strlen(t);
                    if (len + k < sizeof(buf)) {
                        memmove(buf + at + k, buf + at, len - at);
                        memcpy(buf + at, t, k);
                        len += k;
                    }
                    break;
                }
                }
            }
            switch (differ(buf, len, (i & 8) ? &lax : NULL)) {
            case 2:
                accepted++;
                valid++;
                break;
            case 1:
                valid++;
                break;
            default:
                break;
            }
            runs++;
        }
    }
    fprintf(stderr,
            "  %zu mutated claims, %zu valid, %zu of them read by "
            "the fast path\n",
            runs, valid, accepted);
    CHECK(accepted > valid / 2);
}

/* The extensions for claims from X12, FHIR and CSV: providers, line
 * numbers, frequency, prior authorization, revenue codes, ICD-9-CM. */
static void test_interchange_fields(void)
{
    static const char json[] =
        "{\"id\":\"A1\",\"provider\":\"1234567893\",\"frequency\":\"8\","
        "\"prior_authorization\":\"PA-1\",\"diagnoses\":[\"E11.9\","
        "{\"code\":\"250.00\",\"system\":\"icd-9-cm\"},{\"code\":\"I10\"}],"
        "\"lines\":[{\"code\":\"83036\",\"date\":\"2024-01-02\","
        "\"number\":7,\"provider\":\"1111111112\"},{\"code\":\"80053\","
        "\"date\":\"2024-01-02\",\"revenue_code\":\"300\"}]}";
    mn_claim *c = NULL;
    mn_error err;

    CHECK_INT(mn_claim_parse_json(&c, json, strlen(json), NULL, &err), MN_OK);
    if (!c)
        return;
    CHECK_STR(mn_claim_get_id(c), "A1");
    CHECK_INT(mn_claim_get_frequency(c), '8');
    CHECK_STR(c->prior_auth, "PA-1");
    CHECK_INT(c->n_dx, 3);
    CHECK_INT(c->dx[1].icd9, 1);
    CHECK_STR(c->dx[1].text, "250.00");
    CHECK_INT(c->dx[0].icd9, 0);
    CHECK_INT(mn_claim_line_number(c, 0), 7);
    CHECK_INT(mn_claim_line_number(c, 1), 2); /* by position */
    CHECK_STR(mn_claim_line_provider(c, 0), "1111111112");
    CHECK_STR(mn_claim_line_provider(c, 1), "1234567893"); /* the claim's */
    CHECK_STR(c->lines[1].revenue, "0300");
    CHECK(mn_claim_line_provider(c, 2) == NULL);
    CHECK_INT(mn_claim_has_patient_id(c), 0);

    /* setters refuse what is wrong, naming the member */
    CHECK_INT(mn_claim_line_set_number(c, 1, 7, &err), MN_EINVAL);
    CHECK_STR(err.where, "lines[1].number");
    CHECK_CONTAINS(err.message, "used twice");
    CHECK_INT(mn_claim_line_set_number(c, 1, 0, &err), MN_EINVAL);
    CHECK_INT(mn_claim_set_frequency(c, "78", 2, &err), MN_EINVAL);
    CHECK_STR(err.where, "frequency");
    CHECK_INT(mn_claim_set_provider(c, " 12", 3, &err), MN_EINVAL);
    CHECK_INT(mn_claim_line_set_revenue_code(c, 0, "03a0", 4, &err), MN_EINVAL);
    CHECK_STR(err.where, "lines[0].revenue_code");
    CHECK_INT(mn_claim_add_diagnosis_icd9(c, "E11.9", 5, &err), MN_EINVAL);
    CHECK_INT(mn_claim_add_diagnosis_icd9(c, "V72.31", 6, &err), MN_OK);
    CHECK_INT(mn_claim_add_diagnosis_icd9(c, "E8889", 5, &err), MN_OK);
    CHECK_INT(mn_claim_add_diagnosis_icd9(c, "4019", 4, &err), MN_OK);
    CHECK_INT(mn_claim_add_diagnosis_icd9(c, "40190", 5, &err), MN_OK);
    CHECK_INT(mn_claim_add_diagnosis_icd9(c, "401901", 6, &err), MN_EINVAL);
    CHECK_INT(mn_claim_add_diagnosis_icd9(c, "40.1", 4, &err), MN_EINVAL);
    mn_claim_free(c);

    /* a code system other than the two */
    {
        static const char other[] =
            "{\"diagnoses\":[{\"code\":\"X\",\"system\":\"snomed\"}],"
            "\"lines\":[{\"code\":\"83036\",\"date\":\"2024-01-02\"}]}";
        c = NULL;
        CHECK_INT(mn_claim_parse_json(&c, other, strlen(other), NULL, &err),
                  MN_EINVAL);
    }
    CHECK_STR(err.where, "diagnoses[0].system");
    CHECK(c == NULL);
}

static double now(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_limits(void)
{
    gen g = {NULL, 0, 0};
    mn_claim *c = NULL;
    mn_error err;
    double t0;

    /* 1000 lines: the default maximum, accepted */
    gen_lines(&g, 1000);
    CHECK_INT(mn_claim_parse_json(&c, g.p, g.len, NULL, &err), MN_OK);
    CHECK_INT(mn_claim_line_count(c), 1000);
    if (c) {
        CHECK_STR(c->lines[999].modifiers[0], "QW");
        CHECK_INT(c->lines[999].n_pointers, 2);
    }
    mn_claim_free(c);

    /* 1001 and 5000 lines */
    gen_lines(&g, 1001);
    c = (mn_claim *)&c;
    CHECK_INT(mn_claim_parse_json(&c, g.p, g.len, NULL, &err), MN_ELIMIT);
    CHECK(c == NULL);
    CHECK_STR(err.where, "lines");
    CHECK_STR(err.message, "too many lines (max 1000)");
    gen_lines(&g, 5000);
    CHECK_INT(mn_claim_parse_json(&c, g.p, g.len, NULL, &err), MN_ELIMIT);
    CHECK_STR(err.message, "too many lines (max 1000)");

    /* a smaller limit by option */
    {
        mn_claim_options o = MN_CLAIM_OPTIONS_INIT;
        o.max_lines = 10;
        gen_lines(&g, 11);
        CHECK_INT(mn_claim_parse_json(&c, g.p, g.len, &o, &err), MN_ELIMIT);
        CHECK_STR(err.message, "too many lines (max 10)");
        o.max_input = 64;
        CHECK_INT(mn_claim_parse_json(&c, g.p, g.len, &o, &err), MN_ELIMIT);
        CHECK_CONTAINS(err.message, "input too large (max 64 bytes)");
    }

    /* 1 MB strings: a limit error with the path, quickly */
    t0 = now();
    g.len = 0;
    gen_puts(&g, "{\"id\":\"");
    gen_rep(&g, "x", 1 << 20);
    gen_puts(&g, "\",\"lines\":[]}");
    c = (mn_claim *)&c;
    CHECK_INT(mn_claim_parse_json(&c, g.p, g.len, NULL, &err), MN_ELIMIT);
    CHECK(c == NULL);
    CHECK_STR(err.where, "id");
    CHECK_STR(err.message, "too long (max 256 bytes)");
    g.len = 0;
    gen_puts(&g, "{\"patient\":{\"id\":\"");
    gen_rep(&g, "x", 1 << 20);
    gen_puts(&g, "\"}}");
    CHECK_INT(mn_claim_parse_json(&c, g.p, g.len, NULL, &err), MN_ELIMIT);
    CHECK_STR(err.where, "patient.id");
    g.len = 0;
    gen_puts(&g, "{\"date\":\"2026-01-01\",\"lines\":[{\"code\":\"");
    gen_rep(&g, "8", 1 << 20);
    gen_puts(&g, "\"}]}");
    CHECK_INT(mn_claim_parse_json(&c, g.p, g.len, NULL, &err), MN_ELIMIT);
    CHECK_STR(err.where, "lines[0].code");
    CHECK_STR(err.message, "too long (max 256 bytes)");
    CHECK(now() - t0 < 2.0);

    g.len = 0;
    gen_puts(&g, "{\"date\":\"2026-01-01\",\"lines\":[{\"code\":\"83036\","
                 "\"modifiers\":[\"GA\",\"");
    gen_rep(&g, "m", 1 << 20);
    gen_puts(&g, "\"]}]}");
    CHECK_INT(mn_claim_parse_json(&c, g.p, g.len, NULL, &err), MN_ELIMIT);
    CHECK_STR(err.where, "lines[0].modifiers[1]");
    CHECK_STR(err.message, "too long (max 256 bytes)");
    g.len = 0;
    gen_puts(&g, "{\"patient\":{\"sex\":\"");
    gen_rep(&g, "F", 1 << 20);
    gen_puts(&g, "\"}}");
    CHECK_INT(mn_claim_parse_json(&c, g.p, g.len, NULL, &err), MN_ELIMIT);
    CHECK_STR(err.where, "patient.sex");
    CHECK(now() - t0 < 2.0);

    /* 257 bytes is over, 256 is not */
    g.len = 0;
    gen_puts(&g, "{\"date\":\"2026-01-01\",\"lines\":[{\"code\":\"83036\"}],"
                 "\"payer\":\"");
    gen_rep(&g, "p", 256);
    gen_puts(&g, "\"}");
    CHECK_INT(mn_claim_parse_json(&c, g.p, g.len, NULL, &err), MN_OK);
    mn_claim_free(c);
    g.len = 0;
    gen_puts(&g, "{\"payer\":\"");
    gen_rep(&g, "p", 257);
    gen_puts(&g, "\"}");
    CHECK_INT(mn_claim_parse_json(&c, g.p, g.len, NULL, &err), MN_ELIMIT);
    CHECK_STR(err.where, "payer");

    /* too many diagnoses, history entries */
    g.len = 0;
    gen_puts(&g, "{\"diagnoses\":[\"I10\"");
    gen_rep(&g, ",\"I10\"", 99);
    gen_puts(&g, "]}");
    CHECK_INT(mn_claim_parse_json(&c, g.p, g.len, NULL, &err), MN_ELIMIT);
    CHECK_STR(err.where, "diagnoses");
    CHECK_STR(err.message, "too many diagnoses (max 99)");
    {
        mn_claim_options o = MN_CLAIM_OPTIONS_INIT;
        o.max_history = 2;
        g.len = 0;
        gen_puts(&g, "{\"date\":\"2026-01-01\",\"lines\":[{\"code\":\"83036\""
                     "}],\"history\":[");
        gen_puts(&g, "{\"code\":\"83036\",\"date\":\"2025-01-01\"},"
                     "{\"code\":\"83036\",\"date\":\"2025-02-01\"},"
                     "{\"code\":\"83036\",\"date\":\"2025-03-01\"}]}");
        CHECK_INT(mn_claim_parse_json(&c, g.p, g.len, &o, &err), MN_ELIMIT);
        CHECK_STR(err.where, "history");
        CHECK_STR(err.message, "too many history entries (max 2)");
        o.max_history = 3;
        CHECK_INT(mn_claim_parse_json(&c, g.p, g.len, &o, &err), MN_OK);
        CHECK_INT(c ? c->n_hist : 0, 3);
        mn_claim_free(c);
    }

    /* deep nesting: an error, never a crash */
    t0 = now();
    g.len = 0;
    gen_rep(&g, "[", 100000);
    c = (mn_claim *)&c;
    CHECK_INT(mn_claim_parse_json(&c, g.p, g.len, NULL, &err), MN_ELIMIT);
    CHECK(c == NULL);
    CHECK(err.line > 0);
    g.len = 0;
    gen_puts(&g, "{\"id\":");
    gen_rep(&g, "{\"a\":", 100000);
    CHECK_INT(mn_claim_parse_json(&c, g.p, g.len, NULL, &err), MN_ELIMIT);
    g.len = 0;
    gen_puts(&g, "{\"lines\":");
    gen_rep(&g, "[", 50000);
    gen_rep(&g, "]", 50000);
    gen_puts(&g, "}");
    CHECK_INT(mn_claim_parse_json(&c, g.p, g.len, NULL, &err), MN_ELIMIT);
    CHECK(now() - t0 < 2.0);
    free(g.p);
}

static void test_setters(void)
{
    mn_claim *c = NULL;
    mn_error err;
    int idx;

    CHECK_INT(mn_claim_new(&c, NULL, &err), MN_OK);
    if (!c)
        return;
    CHECK_STR(c->payer_text, "medicare");
    CHECK_INT(c->sex, 'U');
    CHECK_INT(c->age, -1);
    CHECK_INT(mn_claim_line_count(c), 0);

    CHECK_INT(mn_claim_set_id(c, "c-9", 3, &err), MN_OK);
    CHECK_STR(c->id, "c-9");
    CHECK_INT(mn_claim_set_id(c, "c-10xx", 4, &err), MN_OK);
    CHECK_STR(c->id, "c-10");
    CHECK_INT(mn_claim_set_id(c, NULL, 0, &err), MN_OK);
    CHECK(c->id == NULL);
    CHECK_INT(mn_claim_set_payer(c, "medicaid", 8, &err), MN_OK);
    CHECK_INT(c->payer, MN_PAYER_MEDICAID);
    CHECK_INT(mn_claim_set_payer(c, "bcbs", 4, &err), MN_OK);
    CHECK_INT(c->payer, MN_PAYER_OTHER);
    CHECK_STR(c->payer_text, "bcbs");
    CHECK_INT(mn_claim_set_jurisdiction(c, "jh", 2, &err), MN_OK);
    CHECK_STR(c->jurisdiction, "JH");
    CHECK_INT(mn_claim_set_jurisdiction(c, "J H", 3, &err), MN_EINVAL);
    CHECK_STR(err.where, "jurisdiction");
    CHECK_STR(c->jurisdiction, "JH");
    CHECK_INT(mn_claim_set_place_of_service(c, "81", 2, &err), MN_OK);
    CHECK_STR(c->pos, "81");
    CHECK_INT(mn_claim_set_place_of_service(c, "811", 3, &err), MN_EINVAL);
    CHECK_STR(err.where, "place_of_service");
    CHECK_INT(mn_claim_set_birth_date(c, "2000-02-29", 10, &err), MN_OK);
    CHECK_INT(mn_claim_set_birth_date(c, "2001-02-29", 10, &err), MN_EINVAL);
    CHECK_STR(err.where, "patient.birth_date");
    CHECK_STR(err.message, "not a valid date (expected YYYY-MM-DD)");
    CHECK_INT(mn_claim_set_age(c, 131, &err), MN_EINVAL);
    CHECK_STR(err.where, "patient.age");
    CHECK_INT(mn_claim_set_age(c, 30, &err), MN_OK);
    CHECK_INT(mn_claim_set_sex(c, 'f', &err), MN_OK);
    CHECK_INT(c->sex, 'F');
    CHECK_INT(mn_claim_set_sex(c, 'Q', &err), MN_EINVAL);
    CHECK_INT(c->sex, 'F');

    /* birth date wins over age; leap-day birthdays */
    CHECK_INT(mn_x__claim_age_on(c, day(2021, 2, 28)), 20);
    CHECK_INT(mn_x__claim_age_on(c, day(2021, 3, 1)), 21);
    CHECK_INT(mn_x__claim_age_on(c, day(2024, 2, 29)), 24);
    CHECK_INT(mn_x__claim_age_on(c, day(2000, 2, 29)), 0);
    CHECK_INT(mn_x__claim_age_on(c, MN_NODATE), 30);
    CHECK_INT(mn_x__claim_age_on(c, day(1999, 1, 1)), 30);
    CHECK_INT(mn_x__claim_age_on(NULL, day(1999, 1, 1)), -1);

    CHECK_INT(mn_claim_add_diagnosis(c, "r7309", 5, &err), MN_OK);
    CHECK_STR(c->dx[0].text, "R73.09");
    CHECK_INT(mn_claim_add_diagnosis(c, "R73..09", 7, &err), MN_EINVAL);
    CHECK_STR(err.where, "diagnoses[1]");
    CHECK_INT(mn_claim_add_diagnosis(c, "Z13.1", 5, &err), MN_OK);
    CHECK_INT(c->n_dx, 2);

    idx = mn_claim_add_line(c, "82947", 5, 1, "2026-02-01", 10, &err);
    CHECK_INT(idx, 0);
    idx = mn_claim_add_line(c, "g0103", 5, 2, NULL, 0, &err);
    CHECK_INT(idx, 1);
    CHECK_INT(c->lines[1].date, MN_NODATE);
    CHECK_STR(c->lines[1].code_text, "G0103");
    CHECK_INT(mn_claim_add_line(c, "82947", 5, 0, NULL, 0, &err), MN_EINVAL);
    CHECK_STR(err.where, "lines[2].units");
    CHECK_INT(mn_claim_add_line(c, "82947", 5, 1, "2026-2-1", 8, &err),
              MN_EINVAL);
    CHECK_STR(err.where, "lines[2].date");
    CHECK_INT(mn_claim_add_line(c, "82.94", 5, 1, NULL, 0, &err), MN_EINVAL);
    CHECK_STR(err.where, "lines[2].code");
    CHECK_INT(mn_claim_line_count(c), 2);

    CHECK_INT(mn_claim_line_add_modifier(c, 1, "gz", 2, &err), MN_OK);
    CHECK_STR(c->lines[1].modifiers[0], "GZ");
    CHECK_INT(mn_claim_line_add_modifier(c, 1, "GZ1", 3, &err), MN_EINVAL);
    CHECK_STR(err.where, "lines[1].modifiers[1]");
    CHECK_INT(mn_claim_line_add_modifier(c, 5, "GZ", 2, &err), MN_EINVAL);
    for (int i = 1; i < MN_MAX_MODIFIERS; i++)
        CHECK_INT(mn_claim_line_add_modifier(c, 0, "59", 2, &err), MN_OK);
    CHECK_INT(mn_claim_line_add_modifier(c, 0, "59", 2, &err), MN_OK);
    CHECK_INT(mn_claim_line_add_modifier(c, 0, "59", 2, &err), MN_ELIMIT);
    CHECK_INT(mn_claim_line_add_pointer(c, 0, 2, &err), MN_OK);
    CHECK_INT(mn_claim_line_add_pointer(c, 0, 3, &err), MN_EINVAL);
    CHECK_STR(err.where, "lines[0].dx_pointers[1]");
    CHECK_STR(err.message, "expected a diagnosis number from 1 to 2");
    CHECK_INT(mn_claim_line_add_pointer(c, 0, 0, &err), MN_EINVAL);
    CHECK_INT(c->lines[0].n_pointers, 1);

    CHECK_INT(mn_claim_add_history(c, "82947", 5, "2025-12-01", 10, 1, &err),
              MN_OK);
    CHECK_INT(mn_claim_add_history(c, "82947", 5, NULL, 0, 1, &err), MN_EINVAL);
    CHECK_STR(err.where, "history[1].date");
    CHECK_STR(err.message, "missing");
    CHECK_INT(mn_claim_add_history(c, "82947", 5, "2025-12-01", 10, 0, &err),
              MN_EINVAL);
    CHECK_STR(err.where, "history[1].units");
    CHECK_INT(c->n_hist, 1);

    /* argument misuse is an error, not a crash */
    CHECK_INT(mn_claim_set_id(NULL, "x", 1, &err), MN_EINVAL);
    CHECK_INT(mn_claim_set_id(c, NULL, 3, &err), MN_EINVAL);
    CHECK_INT(mn_claim_add_line(NULL, "82947", 5, 1, NULL, 0, &err), MN_EINVAL);
    CHECK_INT(mn_claim_line_add_pointer(NULL, 0, 1, NULL), MN_EINVAL);
    CHECK_INT(mn_claim_new(NULL, NULL, &err), MN_EINVAL);
    CHECK_INT(mn_claim_line_count(NULL), 0);
    mn_claim_free(c);
    mn_claim_free(NULL);

    /* limits apply to the setters too */
    {
        mn_claim_options o = MN_CLAIM_OPTIONS_INIT;
        o.max_lines = 1;
        o.max_string = 5;
        o.max_diagnoses = 1;
        CHECK_INT(mn_claim_new(&c, &o, &err), MN_OK);
        CHECK_INT(mn_claim_set_id(c, "123456", 6, &err), MN_ELIMIT);
        CHECK_STR(err.message, "too long (max 5 bytes)");
        CHECK_STR(err.where, "id");
        CHECK_INT(mn_claim_add_line(c, "82947", 5, 1, NULL, 0, &err), 0);
        CHECK_INT(mn_claim_add_line(c, "82947", 5, 1, NULL, 0, &err),
                  MN_ELIMIT);
        CHECK_STR(err.where, "lines");
        CHECK_INT(mn_claim_add_diagnosis(c, "I10", 3, &err), MN_OK);
        CHECK_INT(mn_claim_add_diagnosis(c, "I10", 3, &err), MN_ELIMIT);
        mn_claim_free(c);
    }
}

/* Not a benchmark: a rough figure so regressions are visible in logs. */
static void test_speed(void)
{
    gen g = {NULL, 0, 0};
    mn_claim *c = NULL;
    mn_error err;
    double t0;
    double dt;
    size_t lines = 0;
    int rc = MN_OK;

    gen_lines(&g, 1);
    t0 = now();
    for (int i = 0; i < 20000 && rc == MN_OK; i++) {
        rc = mn_claim_parse_json(&c, CONTRACT, strlen(CONTRACT), NULL, &err);
        lines += mn_claim_line_count(c);
        mn_claim_free(c);
    }
    dt = now() - t0;
    CHECK_INT(rc, MN_OK);
    fprintf(stderr, "  contract example: %.0f claims/s\n",
            (double)lines / (dt > 0 ? dt : 1e-9));
    gen_lines(&g, 1000);
    t0 = now();
    lines = 0;
    for (int i = 0; i < 20 && rc == MN_OK; i++) {
        rc = mn_claim_parse_json(&c, g.p, g.len, NULL, &err);
        lines += mn_claim_line_count(c);
        mn_claim_free(c);
    }
    dt = now() - t0;
    CHECK_INT(rc, MN_OK);
    fprintf(stderr, "  1000-line claims: %.0f lines/s\n",
            (double)lines / (dt > 0 ? dt : 1e-9));
    free(g.p);
}

int main(void)
{
    RUN(test_contract_example);
    RUN(test_defaults_and_normalising);
    RUN(test_syntax_errors);
    RUN(test_type_errors);
    RUN(test_missing);
    RUN(test_unknown_fields);
    RUN(test_amounts);
    RUN(test_dates);
    RUN(test_codes);
    RUN(test_pointers);
    RUN(test_limits);
    RUN(test_fast_path_agrees);
    RUN(test_setters);
    RUN(test_interchange_fields);
    RUN(test_speed);
    DONE();
}
