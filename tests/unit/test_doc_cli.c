/*
 * test_doc_cli.c: the documents as a person gets them, through the
 * mednec command: the ABN's PDF read back with pdftotext blank by blank,
 * one letter-size page, every font embedded (pdffonts), the page rendered
 * with pdftoppm and compared with a small reference image; letters that
 * pass their own completeness check in every format, and one missing two
 * elements that fails naming both; appeals; and bad input: one line on
 * stderr, exit 3, and no file (an older file of the name left alone).
 *
 * Skips (77) when poppler-utils are not installed. The reference image is
 * rewritten with MN_UPDATE_REFERENCE=1 (look at it before committing).
 */
#define _POSIX_C_SOURCE 200809L
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cairo.h>

#include "harness.h"

#define REFERENCE MN_FIXTURES "/docs/abn-reference.png"

static char tmpdir[] = "/tmp/mn_doc_cli_XXXXXX";
static char *o, *e;

static int sh(const char *cmd)
{
    int status = system(cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Runs `mednec ARGS` (in tmpdir); captures stdout and stderr. */
static int run(const char *args)
{
    char cmd[8192];
    int rc;
    snprintf(cmd, sizeof(cmd), "cd %s && %s %s >out 2>err", tmpdir, MN_CLI,
             args);
    rc = sh(cmd);
    free(o);
    free(e);
    snprintf(cmd, sizeof(cmd), "%s/out", tmpdir);
    o = mn_t_slurp(cmd, NULL);
    snprintf(cmd, sizeof(cmd), "%s/err", tmpdir);
    e = mn_t_slurp(cmd, NULL);
    return rc;
}

/* Output of a shell command run in tmpdir (caller frees). */
static char *capture(const char *command)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "cd %s && %s >cap 2>/dev/null", tmpdir, command);
    if (sh(cmd) != 0)
        return NULL;
    snprintf(cmd, sizeof(cmd), "%s/cap", tmpdir);
    return mn_t_slurp(cmd, NULL);
}

static int one_line(const char *s)
{
    return s && s[0] && strchr(s, '\n') == s + strlen(s) - 1;
}

static int exists(const char *name)
{
    char p[400];
    struct stat st;
    snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
    return stat(p, &st) == 0;
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

/* Collapses every run of white space to one space, in place. */
static char *flat(char *s)
{
    char *w = s;
    int sp = 0;
    for (char *r = s; s && *r; r++) {
        if (*r == ' ' || *r == '\n' || *r == '\t' || *r == '\f') {
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

/* `value` follows `label` in `text` (a blank and what fills it). */
static int field(const char *text, const char *label, const char *value)
{
    const char *l = text ? strstr(text, label) : NULL;
    const char *v = l ? strstr(l + strlen(label), value) : NULL;
    /* the value comes right after its label, not somewhere later */
    return v && (size_t)(v - (l + strlen(label))) < 200;
}

static const char claim[] =
    "{\"id\":\"c-1\",\"patient\":{\"id\":\"p\",\"birth_date\":\"1952-08-14\","
    "\"sex\":\"F\"},\"diagnoses\":[\"Z00.00\"],\"lines\":[{\"code\":"
    "\"G0439\",\"date\":\"2025-03-02\",\"charge\":175.5}],\"history\":[{"
    "\"code\":\"G0439\",\"date\":\"2024-06-10\"}]}\n";

/* A covered line, dated where the built-in KB's code sets cover it. */
static const char covered[] =
    "{\"patient\":{\"id\":\"p\",\"age\":70,\"sex\":\"F\"},\"diagnoses\":"
    "[\"I10\"],\"lines\":[{\"code\":\"99213\",\"date\":\"2024-09-03\","
    "\"charge\":90}]}\n";

static const char facts[] =
    "{\"notifier\":{\"name\":\"Lakeside Family Medicine\",\"address\":"
    "\"120 Harbor Road\\nErie, PA 16501\",\"phone\":\"(814) 555-0142\"},"
    "\"patient\":{\"name\":\"Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m-N\xc3\xba\xc3"
    "\xb1"
    "ez\",\"record_number\":\"MRN-0042\",\"birth_date\":\"1952-08-14\","
    "\"medicare_id\":\"1EG4TE5MK73\"},"
    "\"provider\":{\"name\":\"Lakeside Family Medicine\",\"npi\":"
    "\"1234567893\",\"phone\":\"(814) 555-0142\"},"
    "\"payer\":{\"name\":\"Novitas Solutions\"},"
    "\"prescriber\":{\"name\":\"Dana Whitfield\",\"credentials\":\"MD\","
    "\"npi\":\"1234567893\",\"phone\":\"(814) 555-0142\","
    "\"relationship\":\"primary care physician since 2015\"},"
    "\"service\":{\"quantity\":\"1 visit\",\"frequency\":\"once a year\","
    "\"duration\":\"one visit\"},"
    "\"condition_since\":\"2015\","
    "\"history\":\"Hypertension and prediabetes followed yearly.\","
    "\"test_results\":[{\"date\":\"2025-01-10\",\"test\":\"HbA1c\","
    "\"result\":\"6.1%\"}],"
    "\"prior_treatments\":[{\"treatment\":\"Lifestyle program\",\"start\":"
    "\"2023-01-05\",\"outcome\":\"weight down 4 kg\"}],"
    "\"functional_limits\":\"None limiting daily life.\","
    "\"rationale\":\"The visit updates the prevention plan.\","
    "\"consequences\":\"the prevention plan lapses.\","
    "\"expected_outcome\":\"An updated written prevention plan.\"}\n";

/* ---- the reference image ---- */

/* Mean absolute difference (0-255) between two grey PNGs of one size, and
 * the share of pixels that differ by more than 96; -1 when they cannot be
 * compared. */
static double compare_png(const char *a, const char *b, double *share)
{
    cairo_surface_t *x = cairo_image_surface_create_from_png(a);
    cairo_surface_t *y = cairo_image_surface_create_from_png(b);
    double sum = 0;
    long far = 0;
    double r = -1;
    int w, h;

    *share = 1;
    if (cairo_surface_status(x) || cairo_surface_status(y))
        goto done;
    w = cairo_image_surface_get_width(x);
    h = cairo_image_surface_get_height(x);
    if (w != cairo_image_surface_get_width(y) ||
        h != cairo_image_surface_get_height(y) || w == 0 || h == 0)
        goto done;
    cairo_surface_flush(x);
    cairo_surface_flush(y);
    for (int j = 0; j < h; j++) {
        const unsigned char *px = cairo_image_surface_get_data(x) +
                                  (size_t)j * cairo_image_surface_get_stride(x);
        const unsigned char *py = cairo_image_surface_get_data(y) +
                                  (size_t)j * cairo_image_surface_get_stride(y);
        for (int i = 0; i < w; i++) {
            /* RGB24 (grey loaded as RGB): the low byte is blue = grey */
            int d = (int)px[4 * i] - (int)py[4 * i];
            if (d < 0)
                d = -d;
            sum += d;
            far += d > 96;
        }
    }
    r = sum / ((double)w * h);
    *share = (double)far / ((double)w * h);
done:
    cairo_surface_destroy(x);
    cairo_surface_destroy(y);
    return r;
}

static void test_abn_pdf(void)
{
    char *t;
    double share = 1, diff;

    put("claim.json", claim);
    put("facts.json", facts);
    CHECK_INT(run("abn --facts facts.json -o abn.pdf claim.json"), 0);
    CHECK(exists("abn.pdf"));
    /* one US-letter page, every font embedded */
    t = capture("pdfinfo abn.pdf");
    CHECK(t && strstr(t, "Pages:") &&
          strtol(strstr(t, "Pages:") + 6, NULL, 10) == 1);
    CHECK_CONTAINS(t, "612 x 792 pts (letter)");
    CHECK_CONTAINS(t, "Advance Beneficiary Notice of Noncoverage (ABN)");
    free(t);
    t = capture("pdffonts abn.pdf | tail -n +3");
    CHECK(t && t[0]);
    for (char *l = t; l && *l;) {
        char *nl = strchr(l, '\n');
        if (nl)
            *nl = '\0';
        /* name type encoding emb sub uni id: "emb" is the 4th from the end
         */
        CHECK(strstr(l, " yes ") != NULL);
        if (!strstr(l, " yes "))
            fprintf(stderr, "not embedded: %s\n", l);
        l = nl ? nl + 1 : NULL;
    }
    free(t);
    /* the text, blank by blank, as a patient reads it */
    t = flat(capture("pdftotext -raw abn.pdf -"));
    CHECK(field(t, "Notifier:", "Lakeside Family Medicine"));
    CHECK(field(t, "Lakeside Family Medicine",
                "120 Harbor Road Erie, PA "
                "16501 (814) 555-0142"));
    CHECK(field(t, "Patient Name:",
                "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m-N\xc3\xba\xc3\xb1"
                "ez"));
    CHECK(field(t, "Identification Number:", "MRN-0042"));
    CHECK(field(t, "NOTE: If Medicare doesn't pay for",
                "service below, you "
                "may have to pay."));
    CHECK(field(t, "We expect Medicare may not pay for the", "service below."));
    CHECK(field(t, "Service", "Reason Medicare May Not Pay: Estimated Cost"));
    CHECK(field(t, "Estimated Cost", "HCPCS code G0439"));
    CHECK(field(t, "HCPCS code G0439",
                "Medicare pays for this service only a limited number of "
                "times in a period; you had it on June 10, 2024."));
    CHECK(field(t, "you had it on June 10, 2024.", "$175.50"));
    CHECK_CONTAINS(t, "WHAT YOU NEED TO DO NOW:");
    CHECK_CONTAINS(t, "OPTIONS: Check only one box. We cannot choose a box "
                      "for you.");
    CHECK_CONTAINS(t, "OPTION 1. I want the service listed above.");
    CHECK_CONTAINS(t, "OPTION 2. I want the service listed above, but do not "
                      "bill Medicare.");
    CHECK_CONTAINS(t, "OPTION 3. I don't want the service listed above.");
    CHECK_CONTAINS(t, "Additional Information:");
    CHECK_CONTAINS(t, "1-800-MEDICARE (1-800-633-4227/TTY: 1-877-486-2048)");
    CHECK_CONTAINS(t, "Signature:");
    CHECK_CONTAINS(t, "Date:");
    CHECK_CONTAINS(t, "The valid OMB control number for this information "
                      "collection is 0938-0566.");
    CHECK_CONTAINS(t, "Form CMS-R-131 (Exp. 01/31/2026)");
    CHECK_CONTAINS(t, "Form Approved OMB No. 0938-0566");
    /* the blank labels are removed, as CMS recommends */
    CHECK(strstr(t, "A. Notifier") == NULL);
    free(t);
    /* the page as an image, against the reference (small: 30 dpi, grey) */
    {
        char cmd[600];
        snprintf(cmd, sizeof(cmd),
                 "cd %s && pdftoppm -r 30 -gray -png -singlefile abn.pdf "
                 "page",
                 tmpdir);
        CHECK_INT(sh(cmd), 0);
        snprintf(cmd, sizeof(cmd), "%s/page.png", tmpdir);
        if (getenv("MN_UPDATE_REFERENCE")) {
            char cp[800];
            snprintf(cp, sizeof(cp), "cp %s %s", cmd, REFERENCE);
            CHECK_INT(sh(cp), 0);
        }
        diff = compare_png(cmd, REFERENCE, &share);
        CHECK(diff >= 0 && diff < 2.0);
        CHECK(share < 0.005);
        if (!(diff >= 0 && diff < 2.0 && share < 0.005))
            fprintf(stderr, "page differs from %s: mean %.2f, far %.4f\n",
                    REFERENCE, diff, share);
        /* the comparison sees a change: the same notice for a covered
           service as a voluntary one is not the reference */
        CHECK_INT(run("abn --facts facts.json --items-header 'Wellness "
                      "visit' --additional 'Payment plans are available.' "
                      "-o abn2.pdf claim.json"),
                  0);
        snprintf(cmd, sizeof(cmd),
                 "cd %s && pdftoppm -r 30 -gray -png -singlefile abn2.pdf "
                 "page2",
                 tmpdir);
        CHECK_INT(sh(cmd), 0);
        snprintf(cmd, sizeof(cmd), "%s/page2.png", tmpdir);
        diff = compare_png(cmd, REFERENCE, &share);
        CHECK(diff >= 2.0 || share >= 0.005);
    }
}

static void test_abn_formats(void)
{
    char *t;

    CHECK_INT(run("abn --facts facts.json -o abn.html claim.json"), 0);
    t = capture("cat abn.html");
    CHECK_CONTAINS(t, "<!DOCTYPE html>");
    CHECK_CONTAINS(t, "data-element=\"abn.F.1\">$175.50</span>");
    free(t);
    CHECK_INT(run("abn --facts facts.json --format md -o - claim.json"), 0);
    CHECK_CONTAINS(o, "| HCPCS code G0439 | Medicare pays for this service");
    CHECK_INT(run("abn --facts facts.json -o abn.txt claim.json"), 0);
    t = capture("cat abn.txt");
    CHECK_CONTAINS(t, "[ ] OPTION 3.");
    free(t);
    /* the editions, listed */
    CHECK_INT(run("abn --list-editions"), 0);
    CHECK_CONTAINS(o, "cms-r-131-2023-en");
    CHECK_CONTAINS(o, "missing");
    /* flags instead of the facts file; --labels prints A.-J. */
    CHECK_INT(run("abn --notifier-name 'Lab One' --notifier-address "
                  "'1 Main St' --notifier-phone 555-0100 --patient-name 'J "
                  "Doe' --cost G0439=12.5 --labels --format text -o - "
                  "claim.json"),
              0);
    CHECK_CONTAINS(o, "A. Notifier: Lab One");
    CHECK_CONTAINS(o, "$12.50");
    CHECK_CONTAINS(o, "G. OPTIONS:");
}

/* A refusal: exit 3, one line on stderr, and no file. */
static void refused(const char *args, const char *why, const char *out)
{
    CHECK_INT(run(args), 3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, why);
    if (!one_line(e))
        fprintf(stderr, "stderr: %s\n", e ? e : "(null)");
    CHECK(!exists(out));
}

static void test_bad_input(void)
{
    char *t;

    put("covered.json", covered);
    put("nobody.json", "{\"patient\":{\"name\":\"X\"}}\n");
    refused("abn --facts nobody.json -o bad1.pdf claim.json", "blank A",
            "bad1.pdf");
    refused("abn --facts facts.json --patient-id 1EG4-TE5-MK73 -o bad2.pdf "
            "claim.json",
            "MBI", "bad2.pdf");
    CHECK(strstr(e, "TE5") == NULL);
    refused("abn --facts facts.json --patient-id 123-45-6789 -o bad3.pdf "
            "claim.json",
            "Social Security", "bad3.pdf");
    refused("abn --facts facts.json -o bad4.pdf covered.json",
            "no line of the claim needs an ABN", "bad4.pdf");
    refused("abn --facts facts.json --line 1 -o bad5.pdf covered.json",
            "blanket", "bad5.pdf");
    refused("abn --facts facts.json --date 2026-12-04 -o bad6.pdf "
            "claim.json",
            "Exp. 03/31/2029", "bad6.pdf");
    /* an older file of the name is left as it was */
    put("keep.pdf", "old");
    refused("abn --facts nobody.json -o keep.pdf claim.json", "blank A",
            "nothing");
    t = capture("cat keep.pdf");
    CHECK_STR(t, "old");
    free(t);
    /* malformed facts: the file, the field */
    put("typo.json", "{\"patient\":{\"nmae\":\"X\"}}");
    refused("abn --facts typo.json -o bad7.pdf claim.json",
            "typo.json: patient.nmae: unknown field", "bad7.pdf");
    /* never over an input: the claim stays a claim */
    CHECK_INT(run("abn --facts facts.json -o claim.json claim.json"), 3);
    CHECK(one_line(e));
    t = capture("cat claim.json");
    CHECK_STR(t, claim);
    free(t);
    CHECK_INT(run("abn --facts facts.json -o ./facts.json claim.json"), 3);
    /* a patient's document is readable by its owner only */
    {
        char p[400];
        struct stat st;
        snprintf(p, sizeof(p), "%s/abn.pdf", tmpdir);
        CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600);
    }
    /* an unwritable place */
    CHECK_INT(run("abn --facts facts.json -o /nonexistent/dir/abn.pdf "
                  "claim.json"),
              3);
    CHECK(one_line(e));
    /* usage */
    CHECK_INT(run("abn --facts facts.json claim.json"), 2);
    CHECK_INT(run("abn --facts facts.json --format docx -o x claim.json"), 2);
    CHECK_INT(run("abn --help"), 0);
    CHECK_INT(run("letter --help"), 0);
    CHECK_INT(run("appeal --help"), 0);
    /* a letter file that is not text, and a PDF that is broken */
    {
        char p[400];
        FILE *f;
        snprintf(p, sizeof(p), "%s/binary.doc", tmpdir);
        f = fopen(p, "wb");
        if (f) {
            fwrite("PK\3\4\0\0\x14\0binary", 1, 14, f);
            fclose(f);
        }
    }
    CHECK_INT(run("letter check binary.doc"), 3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, "not a letter");
    put("broken.pdf", "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"
                      "trailer << /Root 1 0 R >>\n%%EOF\n");
    CHECK_INT(run("letter check broken.pdf"), 3);
    CHECK(one_line(e));
    CHECK_INT(run("letter check nosuchfile.txt"), 3);
    CHECK(one_line(e));
}

static void test_letters(void)
{
    static const char *const formats[] = {"pdf", "html", "md", "text"};
    char args[600];
    char *t;

    put("lab.json",
        "{\"id\":\"c-9\",\"patient\":{\"id\":\"p\",\"birth_date\":"
        "\"1958-04-02\",\"sex\":\"F\"},\"diagnoses\":[\"E11.65\"],"
        "\"lines\":[{\"code\":\"83036\",\"date\":\"2025-03-03\"}]}");
    for (size_t i = 0; i < 4; i++) {
        snprintf(args, sizeof(args),
                 "letter --facts facts.json --date 2025-03-01 -o letter.%s "
                 "lab.json",
                 formats[i]);
        CHECK_INT(run(args), 0);
        snprintf(args, sizeof(args), "letter check letter.%s", formats[i]);
        CHECK_INT(run(args), 0);
        CHECK_CONTAINS(o, ": complete");
        if (!strstr(o ? o : "", ": complete"))
            fprintf(stderr, "%s", o ? o : "");
    }
    /* the PDF reads as a letter: who, about whom, what, which policy */
    t = flat(capture("pdftotext letter.pdf -"));
    CHECK(field(t, "Patient:", "Zo\xc3\xab"));
    CHECK(field(t, "Date of birth:", "August 14, 1952"));
    CHECK(field(t, "Medicare number:", "1EG4TE5MK73"));
    CHECK(field(t, "CPT/HCPCS code", "83036"));
    CHECK(field(t, "Diagnoses", "ICD-10-CM E11.65"));
    CHECK(field(t, "NPI:", "1234567893"));
    free(t);
    CHECK_INT(run("letter check --format json letter.pdf"), 0);
    CHECK_CONTAINS(o, "\"format\":\"pdf\"");
    CHECK_CONTAINS(o, "\"page\":1");
    /* a letter missing two elements fails, naming both */
    {
        char cmd[600];
        snprintf(cmd, sizeof(cmd),
                 "cd %s && grep -v -e '^Date of birth:' -e '^NPI:' "
                 "letter.text >two-missing.txt",
                 tmpdir);
        CHECK_INT(sh(cmd), 0);
    }
    CHECK_INT(run("letter check two-missing.txt"), 1);
    CHECK_CONTAINS(o, "INCOMPLETE");
    CHECK_CONTAINS(o, "MISSING  patient.dob");
    CHECK_CONTAINS(o, "MISSING  prescriber.npi");
    CHECK_CONTAINS(o, "2 required elements missing");
    /* facts that the template needs and the file lacks: nothing written */
    refused("letter --facts nobody.json -o thin.pdf lab.json",
            "needs facts that are missing", "thin.pdf");
    CHECK_INT(run("letter -o x.pdf lab.json"), 2);
}

static void test_appeal(void)
{
    char *t;

    put("covered.json", covered);
    CHECK_INT(run("appeal --facts facts.json --notice-date 2025-04-10 "
                  "--carc 50 --rarc N386 --group CO --claim-number "
                  "22125100123450 --document 'Progress note' --date "
                  "2025-05-01 -o appeal.pdf covered.json"),
              0);
    t = flat(capture("pdftotext appeal.pdf -"));
    CHECK(field(t, "Beneficiary:", "Zo\xc3\xab"));
    CHECK(field(t, "Claim number:", "22125100123450"));
    CHECK(field(t, "CARC 50:",
                "the payer does not consider the service "
                "medically necessary."));
    CHECK_CONTAINS(t, "must be filed within 120 days of receipt: by August "
                      "13, 2025.");
    CHECK_CONTAINS(t, "Redetermination");
    CHECK_CONTAINS(t, "Judicial review");
    free(t);
    refused("appeal --facts facts.json --notice-date 2025-04-10 --carc 151 "
            "-o ap2.pdf claim.json",
            "agrees with the denial", "ap2.pdf");
    CHECK_INT(run("appeal --facts facts.json --notice-date 2025-04-10 "
                  "--carc 151 --force -o ap3.pdf claim.json"),
              0);
    CHECK_CONTAINS(e, "warning: drafted with --force");
    refused("appeal --facts facts.json --notice-date 2025-04-10 --carc 16 "
            "--rarc MA130 --force -o ap4.pdf covered.json",
            "MA130", "ap4.pdf");
    CHECK_INT(run("appeal --facts facts.json -o ap5.pdf covered.json"), 2);
}

/* The usage errors the three commands share: -o, --format, --line. */
static void test_usage(void)
{
    static const char *const cmds[] = {
        "abn --facts facts.json", "letter --facts facts.json",
        "appeal --facts facts.json --notice-date 2024-10-01"};
    char args[300];

    put("u.json", covered);
    for (size_t i = 0; i < 3; i++) {
        snprintf(args, sizeof(args), "%s u.json", cmds[i]);
        CHECK_INT(run(args), 2);
        CHECK(one_line(e));
        CHECK_CONTAINS(e, "give -o FILE");
        snprintf(args, sizeof(args), "%s --format doc -o u.x u.json", cmds[i]);
        CHECK_INT(run(args), 2);
        CHECK_CONTAINS(e, "--format must be pdf, html, md or text");
        snprintf(args, sizeof(args), "%s --line 0 -o u.pdf u.json", cmds[i]);
        CHECK_INT(run(args), 2);
        CHECK_CONTAINS(e, "--line: expected a line number from 1");
        CHECK(!exists("u.pdf") && !exists("u.x"));
    }
}

/* A two-line claim and the payer's 835 that pays the first line and
 * denies the second: the appeal takes the denial from the 835. */
static const char two_lines[] =
    "{\"id\":\"c-835\",\"patient\":{\"id\":\"p\",\"age\":70,\"sex\":\"F\"},"
    "\"diagnoses\":[\"I10\"],\"lines\":[{\"code\":\"99213\",\"date\":"
    "\"2024-09-03\",\"charge\":90},{\"code\":\"99214\",\"date\":"
    "\"2024-09-03\",\"charge\":130}]}\n";

/* An 835 with one claim payment for `id`; `dtm` adds the production date. */
static void put_835(const char *name, const char *id, int dtm)
{
    char text[2000];
    snprintf(text, sizeof(text),
             "ISA*00*          *00*          *ZZ*PAYER          *ZZ*"
             "PROVIDER       *241001*1200*^*00501*000000007*0*P*:~\n"
             "GS*HP*PAYER*PROVIDER*20241001*1200*7*X*005010X221A1~\n"
             "ST*835*0001~\nBPR*I*60*C*ACH************20241003~\n"
             "TRN*1*77*1123456789~\n%s"
             "N1*PR*NOVITAS SOLUTIONS~\nN1*PE*LAKESIDE*XX*1234567893~\n"
             "LX*1~\nCLP*%s*1*220*60**MB*24275000999901~\n"
             "SVC*HC:99213*90*60**1~\nDTM*472*20240903~\n"
             "CAS*CO*45*30~\nSVC*HC:99214*130*0**1~\nDTM*472*20240903~\n"
             "CAS*CO*50*130~\nREF*0K*L99999~\nLQ*HE*N115~\n"
             "SE*%d*0001~\nGE*1*7~\nIEA*1*000000007~\n",
             dtm ? "DTM*405*20241001~\n" : "", id, dtm ? 17 : 16);
    put(name, text);
}

static void test_appeal_remit(void)
{
    char *t;

    put("two.json", two_lines);
    put_835("r.835", "c-835", 1);
    CHECK_INT(run("appeal --facts facts.json --remit r.835 --date "
                  "2024-10-20 -o r.pdf two.json"),
              0);
    t = flat(capture("pdftotext r.pdf -"));
    /* the denied line, not the paid one (a CO-45 reduction) */
    CHECK(field(t, "Line denied:", "line 2, code 99214"));
    CHECK(field(t, "Claim number:", "24275000999901"));
    CHECK(field(t, "Initial determination dated:",
                "October 1, 2024 (the 835's production date, DTM*405)"));
    CHECK(field(t, "CARC 50:", "the payer does not consider"));
    CHECK_CONTAINS(t, "RARC N115");
    CHECK(field(t, "Policy cited by the payer:", "L99999."));
    CHECK_CONTAINS(t, "by February 3, 2025.");
    CHECK_CONTAINS(t, "$130.00");
    free(t);
    /* --notice-date wins over the 835's date */
    CHECK_INT(run("appeal --facts facts.json --remit r.835 --notice-date "
                  "2024-10-05 --date 2024-10-20 -o r2.pdf two.json"),
              0);
    t = flat(capture("pdftotext r2.pdf -"));
    CHECK_CONTAINS(t, "October 5, 2024 (the notice date given with");
    free(t);
    /* --line asks for a line the 835 did not deny */
    refused("appeal --facts facts.json --remit r.835 --line 1 -o r3.pdf "
            "two.json",
            "no denied service line for --line", "r3.pdf");
    /* another claim's payment only */
    put_835("other.835", "c-999", 1);
    refused("appeal --facts facts.json --remit other.835 -o r4.pdf two.json",
            "no claim payment (CLP) for the claim's id", "r4.pdf");
    /* no production date and no --notice-date */
    put_835("nodtm.835", "c-835", 0);
    refused("appeal --facts facts.json --remit nodtm.835 -o r5.pdf two.json",
            "give --notice-date", "r5.pdf");
    /* a claim without an id cannot be found in an 835 */
    refused("appeal --facts facts.json --remit r.835 -o r6.pdf covered.json",
            "the claim has no id", "r6.pdf");
    /* the codes come from the 835, not from flags too */
    CHECK_INT(run("appeal --facts facts.json --remit r.835 --carc 50 -o "
                  "r7.pdf two.json"),
              2);
    CHECK(!exists("r7.pdf"));
    refused("appeal --facts facts.json --remit missing.835 -o r8.pdf "
            "two.json",
            "missing.835", "r8.pdf");
}

/* The README's commands, as written, from the repository's root. */
static void test_readme(void)
{
    char cmd[2000];
    char *t;
    static const char root[] = MN_CASES "/../..";

    snprintf(cmd, sizeof(cmd),
             "cd %s && %s abn --facts examples/facts.json -o %s/r-abn.pdf "
             "examples/awv-too-soon.json 2>%s/r-err",
             root, MN_CLI, tmpdir, tmpdir);
    CHECK_INT(sh(cmd), 0);
    t = flat(capture("pdftotext -raw r-abn.pdf -"));
    CHECK_CONTAINS(t, "you had it on December 11, 2023.");
    CHECK_CONTAINS(t, "Yearly wellness visit (G0439)");
    free(t);
    /* the visit of September 2024 is within the 2023 edition's dates */
    t = capture("cat r-err");
    CHECK(t && strstr(t, "has passed its expiration date") == NULL);
    free(t);
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s letter --facts examples/facts.json --date "
             "2024-03-01 -o %s/r-letter.pdf examples/lab-order.json && %s "
             "letter check %s/r-letter.pdf >/dev/null",
             root, MN_CLI, tmpdir, MN_CLI, tmpdir);
    CHECK_INT(sh(cmd), 0);
    t = capture("pdfinfo r-letter.pdf");
    CHECK(t && strstr(t, "Pages:") &&
          strtol(strstr(t, "Pages:") + 6, NULL, 10) == 2);
    free(t);
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s appeal --facts examples/facts.json --notice-date "
             "2024-04-10 --carc 50 --group CO --date 2024-05-01 -o "
             "%s/r-appeal.pdf examples/lab-order.json",
             root, MN_CLI, tmpdir);
    CHECK_INT(sh(cmd), 0);
    t = flat(capture("pdftotext r-appeal.pdf -"));
    CHECK_CONTAINS(t, "by August 13, 2024.");
    free(t);
    /* the same denial read from the README's 835 */
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s appeal --facts examples/facts.json --remit "
             "examples/lab-denial.835 --date 2024-05-01 -o %s/r-appeal2.pdf "
             "examples/lab-order.json",
             root, MN_CLI, tmpdir);
    CHECK_INT(sh(cmd), 0);
    t = flat(capture("pdftotext r-appeal2.pdf -"));
    CHECK_CONTAINS(t, "CARC 50:");
    CHECK_CONTAINS(t, "RARC N386:");
    CHECK_CONTAINS(t, "Claim number: 24101000123401");
    CHECK_CONTAINS(t, "by August 13, 2024.");
    free(t);
    /* the README's batch, report and denials */
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s batch tests/fixtures/interchange/claims.837 -o "
             "%s/r-results.jsonl 2>/dev/null; test $? = 1 && %s report "
             "%s/r-results.jsonl -o %s/r-report.html && %s denials "
             "examples/lab-denial.835 >/dev/null",
             root, MN_CLI, tmpdir, MN_CLI, tmpdir, tmpdir, MN_CLI);
    CHECK_INT(sh(cmd), 0);
}

int main(void)
{
    char cmd[400];

    if (sh("command -v pdftotext >/dev/null && command -v pdftoppm "
           ">/dev/null && command -v pdffonts >/dev/null && command -v "
           "pdfinfo >/dev/null") != 0) {
        fprintf(stderr, "poppler-utils not installed "
                        "(scripts/install-deps.sh): skipped\n");
        return MN_SKIP;
    }
    if (!mkdtemp(tmpdir))
        return 1;
    RUN(test_abn_pdf);
    RUN(test_abn_formats);
    RUN(test_bad_input);
    RUN(test_letters);
    RUN(test_appeal);
    RUN(test_usage);
    RUN(test_appeal_remit);
    RUN(test_readme);
    free(o);
    free(e);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (sh(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmpdir);
    DONE();
}
