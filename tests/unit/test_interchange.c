/*
 * test_interchange.c: `mednec batch` on one set of claims given as JSON
 * Lines, X12 837 (837P and 837I), a FHIR Bundle and CSV
 * (tests/fixtures/interchange, written for this test): every format gives
 * the same line statuses and edits, whatever the number of threads and
 * whatever the output (JSON full or brief, CSV, FHIR ClaimResponse). The
 * KB is the data-driven cases' (tests/cases/kb), so the claims meet real
 * edits: a diagnosis the article does not cover, an MUE across two
 * claims, a PTP pair, an ICD-9-CM diagnosis. Then --record fills a
 * history store that a later run reads across claims.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "harness.h"

#define FIX MN_FIXTURES "/interchange/"

static char tmpdir[] = "/tmp/mn_ic_XXXXXX";
static char kb[400];

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

/* Runs the CLI; stdout in *out (caller frees). Returns the exit code. */
static int run(const char *args, char **out)
{
    char cmd[4096];
    char o[500];
    int status;

    snprintf(o, sizeof(o), "%s/out", tmpdir);
    snprintf(cmd, sizeof(cmd), "%s %s >%s 2>%s/err", MN_CLI, args, o, tmpdir);
    status = system(cmd);
    free(*out);
    *out = slurp(o);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* "C1:1 covered [] | C2:1 not_covered [policy.dx_not_supported] | ..."
 * from brief or full JSON Lines, sorted by claim and line. */
typedef struct row {
    char key[32];
    char text[200];
} row;

static int cmp_row(const void *a, const void *b)
{
    return strcmp(((const row *)a)->key, ((const row *)b)->key);
}

static void summary_json(const char *jsonl, char *out, size_t size)
{
    row rows[64];
    size_t n = 0;
    const char *p = jsonl;

    out[0] = '\0';
    while (p && *p && n < 64) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        json_error_t je;
        json_t *r = json_loadb(p, len, 0, &je);
        json_t *lines = json_object_get(r, "lines");
        size_t i;
        json_t *ln;
        CHECK(r != NULL);
        json_array_foreach(lines, i, ln)
        {
            row *x = &rows[n++];
            json_t *edits = json_object_get(ln, "edits");
            size_t k;
            json_t *e;
            char list[128] = "";
            if (!edits) {
                /* the full result: its denial and review findings */
                json_array_foreach(json_object_get(ln, "findings"), k, e)
                {
                    const char *sev =
                        json_string_value(json_object_get(e, "severity"));
                    if (sev && strcmp(sev, "info") != 0)
                        snprintf(list + strlen(list),
                                 sizeof(list) - strlen(list), "%s ",
                                 json_string_value(json_object_get(e, "edit")));
                }
            } else {
                json_array_foreach(edits, k, e)
                    snprintf(list + strlen(list), sizeof(list) - strlen(list),
                             "%s ", json_string_value(e));
            }
            snprintf(x->key, sizeof(x->key), "%s:%03lld",
                     json_string_value(json_object_get(r, "id")),
                     json_integer_value(json_object_get(ln, "line")));
            {
                char key[32];
                memcpy(key, x->key, sizeof(key));
                snprintf(x->text, sizeof(x->text), "%s %s[%s]", key,
                         json_string_value(json_object_get(ln, "status")),
                         list);
            }
            if (n == 64)
                break;
        }
        json_decref(r);
        p = nl ? nl + 1 : NULL;
    }
    qsort(rows, n, sizeof(rows[0]), cmp_row);
    for (size_t i = 0; i < n; i++)
        snprintf(out + strlen(out), size - strlen(out), "%s | ", rows[i].text);
}

/* The same from the CSV output: claim_id, line, ..., status (col 4),
 * edits (col 6). */
static void summary_csv(const char *csv, char *out, size_t size)
{
    row rows[64];
    size_t n = 0;
    const char *p = csv ? strchr(csv, '\n') : NULL; /* after the header */

    out[0] = '\0';
    while (p && *++p && n < 64) {
        char line[512];
        char *f[16];
        size_t nf = 0;
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        row *x = &rows[n++];
        char edits[128] = "";
        if (len >= sizeof(line))
            len = sizeof(line) - 1;
        memcpy(line, p, len);
        line[len] = '\0';
        if (len && line[len - 1] == '\r')
            line[len - 1] = '\0';
        for (char *s = line; nf < 16;) {
            f[nf++] = s;
            s = strchr(s, ',');
            if (!s)
                break;
            *s++ = '\0';
        }
        if (nf > 6) {
            for (char *e = strtok(f[6], ";"); e; e = strtok(NULL, ";"))
                snprintf(edits + strlen(edits), sizeof(edits) - strlen(edits),
                         "%s ", e);
        }
        snprintf(x->key, sizeof(x->key), "%.16s:%03d", f[0],
                 nf > 1 ? atoi(f[1]) : 0);
        {
            char key[32];
            memcpy(key, x->key, sizeof(key));
            snprintf(x->text, sizeof(x->text), "%s %.16s[%.100s]", key,
                     nf > 4 ? f[4] : "?", edits);
        }
        p = nl;
    }
    qsort(rows, n, sizeof(rows[0]), cmp_row);
    for (size_t i = 0; i < n; i++)
        snprintf(out + strlen(out), size - strlen(out), "%s | ", rows[i].text);
}

/* The same from FHIR ClaimResponses: the line status extension and the
 * edits of the process notes the item points to. */
static void summary_fhir(const char *ndjson, char *out, size_t size)
{
    row rows[64];
    size_t n = 0;
    const char *p = ndjson;

    out[0] = '\0';
    while (p && *p && n < 64) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        json_error_t je;
        json_t *r = json_loadb(p, len, 0, &je);
        const char *id = json_string_value(json_object_get(
            json_object_get(json_object_get(r, "request"), "identifier"),
            "value"));
        json_t *notes = json_object_get(r, "processNote");
        size_t i;
        json_t *it;
        CHECK(r != NULL);
        CHECK_STR(json_string_value(json_object_get(r, "resourceType")),
                  "ClaimResponse");
        json_array_foreach(json_object_get(r, "item"), i, it)
        {
            row *x = &rows[n++];
            char list[128] = "";
            size_t k;
            json_t *num;
            const char *status = json_string_value(json_object_get(
                json_array_get(json_object_get(it, "extension"), 0),
                "valueCode"));
            json_array_foreach(json_object_get(it, "noteNumber"), k, num)
            {
                json_t *note =
                    json_array_get(notes, (size_t)json_integer_value(num) - 1);
                snprintf(
                    list + strlen(list), sizeof(list) - strlen(list), "%s ",
                    json_string_value(json_object_get(
                        json_array_get(json_object_get(note, "extension"), 0),
                        "valueCode")));
            }
            snprintf(x->key, sizeof(x->key), "%s:%03lld", id,
                     json_integer_value(json_object_get(it, "itemSequence")));
            {
                char key[32];
                memcpy(key, x->key, sizeof(key));
                snprintf(x->text, sizeof(x->text), "%s %s[%s]", key, status,
                         list);
            }
            if (n == 64)
                break;
        }
        json_decref(r);
        p = nl ? nl + 1 : NULL;
    }
    qsort(rows, n, sizeof(rows[0]), cmp_row);
    for (size_t i = 0; i < n; i++)
        snprintf(out + strlen(out), size - strlen(out), "%s | ", rows[i].text);
}

static const char *const inputs[] = {"claims.jsonl", "claims.837",
                                     "claims.fhir.json", "claims.csv"};

static const char expected[] =
    "C1:001 covered[] | C2:001 not_covered[policy.dx_not_supported ] | "
    "C3:001 covered[] | C4:001 not_covered[units.mue_exceeded ] | "
    "C5:001 covered[] | C5:002 not_covered[ncci.ptp ] | C6:001 covered[] | "
    "C6:002 covered[] | C7:001 covered[] | C8:001 invalid[dx.icd9 ] | ";

/* Every input format, every thread count, brief and full: the same. */
static void test_same_everywhere(void)
{
    char *out = NULL;
    char args[1024];
    static char got[4096];

    for (size_t i = 0; i < 4; i++) {
        for (int threads = 1; threads <= 3; threads++) {
            snprintf(args, sizeof(args),
                     "batch --kb %s --threads %d --detail brief %s%s", kb,
                     threads, FIX, inputs[i]);
            CHECK_INT(run(args, &out), 1);
            summary_json(out, got, sizeof(got));
            if (strcmp(got, expected) != 0)
                fprintf(stderr, "  %s, %d threads:\n  %s\n", inputs[i], threads,
                        got);
            CHECK_STR(got, expected);
        }
        snprintf(args, sizeof(args), "batch --kb %s %s%s", kb, FIX, inputs[i]);
        CHECK_INT(run(args, &out), 1);
        summary_json(out, got, sizeof(got));
        CHECK_STR(got, expected);
        snprintf(args, sizeof(args), "batch --kb %s --output-format csv %s%s",
                 kb, FIX, inputs[i]);
        CHECK_INT(run(args, &out), 1);
        summary_csv(out, got, sizeof(got));
        CHECK_STR(got, expected);
        snprintf(args, sizeof(args), "batch --kb %s --output-format fhir %s%s",
                 kb, FIX, inputs[i]);
        CHECK_INT(run(args, &out), 1);
        summary_fhir(out, got, sizeof(got));
        CHECK_STR(got, expected);
    }
    /* the CSV as TSV (a header with tabs and no comma), from stdin */
    snprintf(args, sizeof(args),
             "batch --kb %s --detail brief - < %s/claims.tsv", kb, tmpdir);
    {
        char tsv[600];
        char *csv = slurp(FIX "claims.csv");
        FILE *f;
        snprintf(tsv, sizeof(tsv), "%s/claims.tsv", tmpdir);
        f = fopen(tsv, "wb");
        CHECK(csv && f);
        for (char *p = csv; p && *p; p++)
            *p = *p == ',' ? '\t' : *p;
        if (f && csv)
            fputs(csv, f);
        if (f)
            fclose(f);
        free(csv);
    }
    CHECK_INT(run(args, &out), 1);
    summary_json(out, got, sizeof(got));
    CHECK_STR(got, expected);
    /* judged alone, C4 meets no MUE */
    snprintf(args, sizeof(args),
             "batch --kb %s --no-cross-claim --detail brief %sclaims.837", kb,
             FIX);
    CHECK_INT(run(args, &out), 1);
    summary_json(out, got, sizeof(got));
    CHECK_CONTAINS(got, "C4:001 covered[]");
    free(out);
}

/* What the results carry for a report, and the FHIR response's parts. */
static void test_output_fields(void)
{
    char *out = NULL;
    char args[1024];

    snprintf(args, sizeof(args),
             "batch --kb %s --output-format fhir %sclaims.fhir.json", kb, FIX);
    CHECK_INT(run(args, &out), 1);
    /* the patient reference of the Claim, CARC/RARC in the X12 systems */
    CHECK_CONTAINS(out, "\"patient\":{\"reference\":\"Patient/P1\"}");
    CHECK_CONTAINS(out, "\"system\":\"https://x12.org/codes/claim-"
                        "adjustment-reason-codes\",\"code\":\"50\"");
    CHECK_CONTAINS(out, "\"system\":\"https://x12.org/codes/remittance-"
                        "advice-remark-codes\",\"code\":\"N115\"");
    snprintf(args, sizeof(args), "batch --kb %s --detail brief %sclaims.837",
             kb, FIX);
    CHECK_INT(run(args, &out), 1);
    CHECK_CONTAINS(out, "\"date\":\"2024-06-05\"");
    CHECK_CONTAINS(out, "\"provider\":\"3333333338\"");
    CHECK_CONTAINS(out, "\"charge\":40.50");
    CHECK_CONTAINS(out, "\"diagnoses\":[\"E11.65\"]");
    CHECK_CONTAINS(out, "\"diagnoses\":[\"250.00\"]");
    CHECK_CONTAINS(out, "\"citations\":[\"A99101\"]");
    CHECK_CONTAINS(out,
                   "\"cross_claim\":{\"status\":\"checked\",\"services\":3}");
    free(out);
}

/* --record files the run's claims and statuses; a later run reads them
 * across claims, and a void takes one back. */
static void test_record(void)
{
    char *out = NULL;
    char args[1024];
    char path[500];
    FILE *f;

    snprintf(args, sizeof(args),
             "batch --kb %s --record --history %s/h.db %sclaims.837", kb,
             tmpdir, FIX);
    CHECK_INT(run(args, &out), 1);
    /* one more unit of 96372 the same day, on a claim of its own: the
       store already holds four (C3 and C4), MUE 3 */
    snprintf(path, sizeof(path), "%s/later.jsonl", tmpdir);
    f = fopen(path, "w");
    fputs("{\"id\":\"L1\",\"jurisdiction\":\"KY\",\"provider\":\"1111111112\","
          "\"patient\":{\"id\":\"P1\"},\"diagnoses\":[\"M17.11\"],\"lines\":"
          "[{\"code\":\"96372\",\"date\":\"2024-06-03\"}]}\n",
          f);
    fclose(f);
    snprintf(args, sizeof(args),
             "batch --kb %s --history %s/h.db --detail brief %s", kb, tmpdir,
             path);
    CHECK_INT(run(args, &out), 1);
    CHECK_CONTAINS(out, "units.mue_exceeded");
    /* C3 and C4 voided (frequency 8), recorded: L1 alone is within */
    f = fopen(path, "w");
    fputs("{\"id\":\"C3\",\"frequency\":\"8\",\"provider\":\"1111111112\","
          "\"patient\":{\"id\":\"P1\"},\"diagnoses\":[\"M17.11\"],\"lines\":"
          "[{\"code\":\"96372\",\"date\":\"2024-06-03\"}]}\n"
          "{\"id\":\"C4\",\"frequency\":\"8\",\"provider\":\"1111111112\","
          "\"patient\":{\"id\":\"P1\"},\"diagnoses\":[\"M17.11\"],\"lines\":"
          "[{\"code\":\"96372\",\"date\":\"2024-06-03\"}]}\n",
          f);
    fclose(f);
    snprintf(args, sizeof(args), "batch --kb %s --record --history %s/h.db %s",
             kb, tmpdir, path);
    run(args, &out);
    f = fopen(path, "w");
    fputs("{\"id\":\"L1\",\"jurisdiction\":\"KY\",\"provider\":\"1111111112\","
          "\"patient\":{\"id\":\"P1\"},\"diagnoses\":[\"M17.11\"],\"lines\":"
          "[{\"code\":\"96372\",\"date\":\"2024-06-03\"}]}\n",
          f);
    fclose(f);
    snprintf(args, sizeof(args),
             "batch --kb %s --history %s/h.db --detail brief %s", kb, tmpdir,
             path);
    CHECK_INT(run(args, &out), 0);
    CHECK(out && !strstr(out, "units.mue_exceeded"));
    /* --record without a store is a usage error */
    snprintf(args, sizeof(args), "batch --kb %s --record %sclaims.837", kb,
             FIX);
    CHECK_INT(run(args, &out), 2);
    free(out);
}

/* Errors in place: an 837 claim with an error, a FHIR claim and a CSV row
 * that cannot be read; the exit code says so and the others are checked. */
static void test_errors_in_place(void)
{
    char *out = NULL;
    char args[1024];
    char path[500];
    char *text;
    char *at;
    FILE *f;

    text = slurp(FIX "claims.837");
    CHECK(text != NULL);
    if (!text)
        return;
    at = strstr(text, "HI*ABK:I10~");
    CHECK(at != NULL);
    if (at)
        memcpy(at, "HI*ABK:~   ", 11);
    snprintf(path, sizeof(path), "%s/bad.837", tmpdir);
    f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    free(text);
    snprintf(args, sizeof(args), "batch --kb %s --detail brief %s", kb, path);
    CHECK_INT(run(args, &out), 3);
    CHECK_CONTAINS(out, "{\"id\":\"C2\",\"error\":");
    CHECK_CONTAINS(out, "element HI01-2");
    CHECK_CONTAINS(out, "\"x12\":{\"interchange\":\"000000777\"");
    CHECK_CONTAINS(out, "\"id\":\"C3\"");

    snprintf(path, sizeof(path), "%s/bad.csv", tmpdir);
    f = fopen(path, "w");
    fputs("claim_id,code,line_date,diagnoses,units\n"
          "A,83036,2024-06-03,E11.65,1\n"
          "B,83036,2024-02-30,E11.65,1\n"
          "C,83036,2024-06-03,E11.65,x\n"
          "D,83036,2024-06-03,E11.65,1\n",
          f);
    fclose(f);
    snprintf(args, sizeof(args), "batch --kb %s --detail brief %s", kb, path);
    CHECK_INT(run(args, &out), 3);
    CHECK_CONTAINS(out, "{\"id\":\"B\",\"error\":");
    CHECK_CONTAINS(out, "row 3, column line_date");
    CHECK_CONTAINS(out, "row 4, column units");
    CHECK_CONTAINS(out, "\"id\":\"D\"");
    free(out);
}

/* Many blocks of generated claims (tools/gen_claims: 300 patients, so
 * claims meet across blocks): the output is the same byte for byte
 * whatever --threads is, X12 being read while the previous block is
 * checked, and the edits across claims do find services of other
 * claims. */
static void test_threads_identical(void)
{
    char args[2048];
    char path[600];
    char *out = NULL;
    char *one = NULL;
    int status;

    snprintf(path, sizeof(path), "%s/gen.837", tmpdir);
    snprintf(args, sizeof(args),
             "%s --lines 30000 --providers 12 --patients 300 "
             "--claims-per-set 700 --seed 11 -o %s 2>/dev/null",
             MN_GEN_CLAIMS, path);
    status = system(args);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    for (int threads = 1; threads <= 3; threads++) {
        snprintf(args, sizeof(args),
                 "batch --kb %s --threads %d --detail brief %s", kb, threads,
                 path);
        CHECK_INT(run(args, &out), 1);
        if (threads == 1) {
            one = out;
            out = NULL;
            /* about 12,000 claims: three blocks of 4,096 */
            CHECK(one && strlen(one) > 2000000);
            CHECK_CONTAINS(one, "\"cross_claim\":{\"status\":\"checked\","
                                "\"services\":1");
            CHECK_CONTAINS(one, "units.mue_exceeded");
            CHECK_CONTAINS(one, "ncci.ptp");
        } else {
            CHECK(out && one && strcmp(out, one) == 0);
        }
    }
    snprintf(args, sizeof(args),
             "batch --kb %s --threads 1 --output-format csv %s", kb, path);
    CHECK_INT(run(args, &out), 1);
    free(one);
    one = out;
    out = NULL;
    snprintf(args, sizeof(args),
             "batch --kb %s --threads 3 --output-format csv %s", kb, path);
    CHECK_INT(run(args, &out), 1);
    CHECK(out && one && strcmp(out, one) == 0);
    free(one);
    free(out);
}

int main(void)
{
    char cmd[1200];
    char *out = NULL;

    if (!mkdtemp(tmpdir))
        return 1;
    snprintf(kb, sizeof(kb), "%s/cases.mnkb", tmpdir);
    snprintf(cmd, sizeof(cmd), "build --quiet -o %s %s/kb", kb, MN_CASES);
    if (run(cmd, &out) != 0) {
        fprintf(stderr, "cannot build the cases KB\n");
        return 1;
    }
    free(out);
    RUN(test_same_everywhere);
    RUN(test_output_fields);
    RUN(test_record);
    RUN(test_errors_in_place);
    RUN(test_threads_identical);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmpdir);
    DONE();
}
