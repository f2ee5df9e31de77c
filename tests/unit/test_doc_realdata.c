/*
 * test_doc_realdata.c: documents from a knowledge base compiled from the
 * real CMS files in ../shared/data (skips when they are absent): the ABN
 * of a lab test the lab NCD list does not cover for the patient's
 * diagnosis, read back as a patient would (pdftotext), with the HCPCS
 * Level II description in blank D; and the letter for the same test with
 * a covered diagnosis, citing the NCD.
 */
#define _POSIX_C_SOURCE 200809L
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "mednec.h"

static char tmpdir[] = "/tmp/mn_doc_real_XXXXXX";

static int sh(const char *cmd)
{
    int status = system(cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void put(const char *name, const char *text)
{
    char p[400];
    FILE *f;
    snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
    f = fopen(p, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static char *flat_file(const char *name)
{
    char p[400];
    char *s, *w;
    int sp = 0;
    snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
    s = mn_t_slurp(p, NULL);
    w = s;
    for (char *r = s; s && *r; r++) {
        if (*r == ' ' || *r == '\n' || *r == '\f') {
            sp = 1;
            continue;
        }
        if (sp && w != s)
            *w++ = ' ';
        sp = 0;
        *w++ = *r;
    }
    if (s)
        *w = '\0';
    return s;
}

static const char facts[] =
    "{\"notifier\":{\"name\":\"Lakeside Family Medicine\",\"address\":"
    "\"120 Harbor Road, Erie, PA 16501\",\"phone\":\"(814) 555-0142\"},"
    "\"patient\":{\"name\":\"Ana Ruiz\",\"birth_date\":\"1958-04-02\","
    "\"medicare_id\":\"1EG4TE5MK73\"},"
    "\"payer\":{\"name\":\"Novitas Solutions\"},"
    "\"prescriber\":{\"name\":\"Dana Whitfield\",\"credentials\":\"MD\","
    "\"npi\":\"1234567893\",\"phone\":\"(814) 555-0142\","
    "\"relationship\":\"treating oncologist since 2019\"},"
    "\"service\":{\"quantity\":\"1 test\",\"frequency\":\"every 3 months\","
    "\"duration\":\"12 months\"},\"condition_since\":\"March 2019\","
    "\"history\":\"Breast cancer treated in 2019, on surveillance.\","
    "\"test_results\":[{\"date\":\"2025-02-10\",\"test\":\"CA 27.29\","
    "\"result\":\"44 U/mL\"}],"
    "\"prior_treatments\":[{\"treatment\":\"Lumpectomy\",\"start\":"
    "\"2019-04-15\",\"outcome\":\"no disease until 2024\"}],"
    "\"functional_limits\":\"Back pain limits walking.\","
    "\"rationale\":\"A rising marker with bone pain suggests recurrence.\","
    "\"consequences\":\"recurrence could go undetected.\","
    "\"expected_outcome\":\"Early treatment of a recurrence.\"}";

int main(void)
{
    char cmd[2000];
    char *t;
    struct stat st;

    if (stat(MN_SHARED_DATA "/lab-ncd", &st) != 0 ||
        stat(MN_SHARED_DATA "/hcpcs", &st) != 0) {
        fprintf(stderr, "no reference data in %s: skipped\n", MN_SHARED_DATA);
        return MN_SKIP;
    }
    if (sh("command -v pdftotext >/dev/null") != 0) {
        fprintf(stderr, "pdftotext not installed: skipped\n");
        return MN_SKIP;
    }
    if (!mkdtemp(tmpdir))
        return 1;
    snprintf(cmd, sizeof(cmd), "%s build --quiet -o %s/kb.mnkb %s >/dev/null",
             MN_CLI, tmpdir, MN_SHARED_DATA);
    CHECK_INT(sh(cmd), 0);
    put("facts.json", facts);
    /* CA 27.29 for hypertension: not on NCD 190.29's covered list; a PSA
     * screening for a woman: the service's own sex limit */
    put("claim.json",
        "{\"id\":\"c-1\",\"patient\":{\"id\":\"p\",\"birth_date\":"
        "\"1958-04-02\",\"sex\":\"F\"},\"diagnoses\":[\"I10\"],\"lines\":["
        "{\"code\":\"86300\",\"date\":\"2025-03-03\",\"charge\":58},"
        "{\"code\":\"G0103\",\"date\":\"2025-03-03\",\"charge\":31.5}]}");
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s abn --kb kb.mnkb --facts facts.json -o abn.pdf "
             "claim.json && pdftotext -raw abn.pdf abn.txt",
             tmpdir, MN_CLI);
    CHECK_INT(sh(cmd), 0);
    t = flat_file("abn.txt");
    CHECK_CONTAINS(t, "Laboratory tests Reason Medicare May Not Pay: "
                      "Estimated Cost");
    CHECK_CONTAINS(t, "CPT code 86300 Medicare does not pay for this test "
                      "for your condition (diagnosis not covered by the "
                      "national coverage determination 190.29). $58.00");
    /* HCPCS Level II words for blank D, from the CMS file */
    CHECK_CONTAINS(t, "Prostate cancer screening; prostate specific antigen "
                      "test (psa) (G0103)");
    CHECK_CONTAINS(t, "$31.50");
    CHECK_CONTAINS(t, "If Medicare doesn't pay for laboratory tests below");
    CHECK_CONTAINS(t, "Patient Name: Ana Ruiz");
    free(t);
    /* the letter for the test with a covered diagnosis cites the NCD */
    put("covered.json",
        "{\"id\":\"c-2\",\"patient\":{\"id\":\"p\",\"birth_date\":"
        "\"1958-04-02\",\"sex\":\"F\"},\"diagnoses\":[\"C50.011\"],\"lines\":"
        "[{\"code\":\"86300\",\"date\":\"2025-03-03\"}]}");
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s letter --kb kb.mnkb --facts facts.json --date "
             "2025-03-01 -o letter.pdf covered.json && %s letter check "
             "letter.pdf >check.txt && pdftotext letter.pdf letter.txt",
             tmpdir, MN_CLI, MN_CLI);
    CHECK_INT(sh(cmd), 0);
    t = flat_file("letter.txt");
    CHECK_CONTAINS(t, "governed by National Coverage Determination (NCD) "
                      "190.29");
    CHECK_CONTAINS(t, "The patient's diagnosis C50.011 (Malignant neoplasm "
                      "of nipple and areola, right female breast) is on its "
                      "list of covered diagnoses.");
    free(t);
    t = flat_file("check.txt");
    CHECK_CONTAINS(t, "complete");
    free(t);
    /* and the appeal of a CO-50 denial of it: the criterion is met */
    snprintf(cmd, sizeof(cmd),
             "cd %s && sed 's/\"notifier\"/\"provider\"/' facts.json "
             ">afacts.json && %s appeal --kb kb.mnkb --facts afacts.json "
             "--notice-date 2025-04-10 --carc 50 --rarc N386 --date "
             "2025-05-01 --format text -o appeal.txt covered.json",
             tmpdir, MN_CLI);
    CHECK_INT(sh(cmd), 0);
    t = flat_file("appeal.txt");
    CHECK_CONTAINS(t, "The diagnosis must be on the covered list of National "
                      "Coverage Determination 190.29. Met: the claim reports "
                      "diagnosis C50.011");
    free(t);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    sh(cmd);
    DONE();
}
