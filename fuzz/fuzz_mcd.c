/*
 * fuzz_mcd.c: the MCD export loader and the placement of its policies
 * (mn_build on MCD tables and the documents index).
 *
 * The input is a set of tables: segments separated by a line "@@", each
 * starting with a line holding the table's number in `tables` below (its
 * remainder is the table's text). The tables are written to a private
 * temporary folder and built, with one fixed ICD-10-CM file, into a KB in
 * memory. Invariants: the build never crashes; a failure carries a
 * message and a code; a KB the build writes always opens (the writer and
 * the validation at open agree), and a claim checked against it in a few
 * jurisdictions gives a result.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mednec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const tables[] = {
    "contractor.csv",
    "contractor_jurisdiction.csv",
    "state_lookup.csv",
    "state_x_region.csv",
    "contractor_type_lookup.csv",
    "article.csv",
    "lcd.csv",
    "article_x_contractor.csv",
    "lcd_x_contractor.csv",
    "article_related_documents.csv",
    "lcd_related_documents.csv",
    "article_x_icd10_covered.csv",
    "article_x_hcpc_code.csv",
    "lcd_x_hcpc_code.csv",
    "article_x_hcpc_modifier.csv",
    "article_x_urls.csv",
    "ncd_trkg.csv",
    "documents_latest_2025-08.csv",
    "article_future_retire.csv",
    "lcd_future_retire.csv",
};
#define N_TABLES (sizeof(tables) / sizeof(tables[0]))

static const char icd[] =
    "00001 C43     0 Malignant melanoma of skin                             "
    "      Malignant melanoma of skin\n"
    "00002 C430    1 Malignant melanoma of lip                              "
    "      Malignant melanoma of lip\n"
    "00003 C4A     0 Merkel cell carcinoma                                  "
    "      Merkel cell carcinoma\n"
    "00004 C4A0    1 Merkel cell carcinoma of lip                           "
    "      Merkel cell carcinoma of lip\n"
    "00005 C44     0 Other and unspecified malignant neoplasm of skin       "
    "      Other and unspecified malignant neoplasm of skin\n"
    "00006 C4400   1 Unspecified malignant neoplasm of skin of lip          "
    "      Unspecified malignant neoplasm of skin of lip\n"
    "00007 E559    1 Vitamin D deficiency, unspecified                      "
    "      Vitamin D deficiency, unspecified\n";

static char dir[64];

static void cleanup(void)
{
    char path[128];

    for (size_t i = 0; i < N_TABLES; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, tables[i]);
        unlink(path);
    }
    snprintf(path, sizeof(path), "%s/icd10cm_order_2024.txt", dir);
    unlink(path);
    rmdir(dir);
}

static int write_file(const char *name, const uint8_t *p, size_t n)
{
    char path[128];
    FILE *f;
    int ok;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f)
        return 0;
    ok = fwrite(p, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

/* A claim of code 82306 and diagnosis E55.9 in `jur`. */
static void check_claim(const mn_kb *kb, const char *jur)
{
    char json[256];
    mn_claim *c = NULL;
    mn_ctx *ctx = NULL;
    const mn_result *res = NULL;
    mn_error err;

    snprintf(json, sizeof(json),
             "{\"jurisdiction\":\"%s\",\"diagnoses\":[\"E55.9\"],\"lines\":"
             "[{\"code\":\"82306\",\"date\":\"2024-07-01\"}]}",
             jur);
    if (mn_claim_parse_json(&c, json, strlen(json), NULL, &err) == MN_OK &&
        mn_ctx_new(&ctx, 0, &err) == MN_OK &&
        mn_check(&res, ctx, kb, c, &err) == MN_OK &&
        mn_result_line_count(res) != 1)
        __builtin_trap();
    mn_ctx_free(ctx);
    mn_claim_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    const uint8_t *p = data;
    const uint8_t *end = data + size;
    bool written[N_TABLES];
    mn_build_options o = MN_BUILD_OPTIONS_INIT;
    mn_build *b = NULL;
    void *bytes = NULL;
    size_t len = 0;
    mn_kb *kb = NULL;
    mn_error err;
    int rc;

    if (!ready) {
        snprintf(dir, sizeof(dir), "/tmp/mn_fuzz_mcd_XXXXXX");
        if (!mkdtemp(dir))
            return 0;
        atexit(cleanup);
        ready = 1;
    }
    memset(written, 0, sizeof(written));
    for (size_t i = 0; i < N_TABLES; i++) {
        char path[128];
        snprintf(path, sizeof(path), "%s/%s", dir, tables[i]);
        unlink(path);
    }
    if (!write_file("icd10cm_order_2024.txt", (const uint8_t *)icd,
                    sizeof(icd) - 1))
        return 0;
    while (p < end) {
        const uint8_t *sep = NULL;
        const uint8_t *nl;
        unsigned long t = 0;
        for (const uint8_t *q = p; q + 3 < end && !sep; q++) {
            if (q[0] == '\n' && q[1] == '@' && q[2] == '@' && q[3] == '\n')
                sep = q;
        }
        if (!sep)
            sep = end;
        nl = memchr(p, '\n', (size_t)(sep - p));
        for (const uint8_t *q = p; q < (nl ? nl : sep) && q < p + 4; q++) {
            if (*q >= '0' && *q <= '9')
                t = t * 10 + (unsigned long)(*q - '0');
        }
        t %= N_TABLES;
        if (nl && !written[t]) {
            if (!write_file(tables[t], nl + 1, (size_t)(sep - nl - 1)))
                return 0;
            written[t] = true;
        }
        p = sep + (sep < end ? 4 : 0);
    }
    o.built = "2025-01-01";
    o.no_builtin = 1;
    mn_error_clear(&err);
    rc = mn_build_new(&b, &o, &err);
    if (rc == MN_OK)
        rc = mn_build_add_path(b, dir, &err);
    if (rc == MN_OK)
        rc = mn_build_to_memory(&bytes, &len, b, &err);
    if (rc != MN_OK && (err.code != rc || !err.message[0])) {
        fprintf(stderr, "build: %d, error %d '%s' at %s\n", rc, err.code,
                err.message, err.where);
        __builtin_trap();
    }
    if (rc == MN_OK) {
        if (mn_kb_open_buffer(&kb, bytes, len, 0, &err) != MN_OK) {
            fprintf(stderr, "open: %s\n", err.message);
            __builtin_trap();
        }
        check_claim(kb, "CA");
        check_claim(kb, "CA-SOUTHERN");
        check_claim(kb, "01182");
        check_claim(kb, "KY");
        mn_kb_free(kb);
    }
    mn_kb_bytes_free(bytes);
    mn_build_free(b);
    return 0;
}
