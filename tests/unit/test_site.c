/*
 * test_site.c: body site (laterality), modifier conflicts, the ABN decision
 * and suggested modifiers (check_site.c, laterality.c), on small KBs built
 * through the builder. Codes and descriptions are real ICD-10-CM FY2024;
 * the policies (A99xxx, L99xxx) are made up for the tests.
 */
#include "check/check.h"
#include "harness.h"
#include "kb/kb_int.h"
#include "build/writer/kbb.h"
#include "check/laterality.h"
#include "kb/mcd_fmt.h"
#include "claim/jurisdiction.h"
#include "mednec.h"

static mn_kb *kb;
static mn_kb *kb_noicd;
static mn_ctx *ctx;
static mn_claim *claim;

static mn_key key(const char *s)
{
    return mn_x__key(s, strlen(s));
}

/* An article placed in Kentucky (contractor 15102). */
static void kentucky(mn_kbb *b, const char *art, int ver)
{
    uint32_t ref = 0;

    mn_x__kbb_policy_contractor(b, MN_PK_ARTICLE, art, ver, "15102");
    if (mn_x__kbb_policy_ref(b, MN_PK_ARTICLE, art, ver, &ref) == MN_OK)
        mn_x__kbb_place(b, ref, mn_x__state_index("KY", 2), -1, KB_PL_DERIVED,
                        MN_NODATE, MN_NODATE);
}

static int32_t date(const char *s)
{
    int32_t d = MN_NODATE;
    mn_x__parse_date(&d, s, strlen(s), false);
    return d;
}

static const char *const icd[][2] = {
    {"M17.0", "Bilateral primary osteoarthritis of knee"},
    {"M17.10", "Unilateral primary osteoarthritis, unspecified knee"},
    {"M17.11", "Unilateral primary osteoarthritis, right knee"},
    {"M17.12", "Unilateral primary osteoarthritis, left knee"},
    {"H60.331", "Swimmer's ear, right ear"},
    {"H60.332", "Swimmer's ear, left ear"},
    {"H60.333", "Swimmer's ear, bilateral"},
    {"H60.339", "Swimmer's ear, unspecified ear"},
    {"H02.831", "Dermatochalasis of right upper eyelid"},
    {"H02.834", "Dermatochalasis of left upper eyelid"},
    {"S62.610A", "Displaced fracture of proximal phalanx of right index "
                 "finger, initial encounter for closed fracture"},
    {"S62.611A", "Displaced fracture of proximal phalanx of left index "
                 "finger, initial encounter for closed fracture"},
    {"S92.411A", "Displaced fracture of proximal phalanx of right great "
                 "toe, initial encounter for closed fracture"},
    {"S92.412A", "Displaced fracture of proximal phalanx of left great toe, "
                 "initial encounter for closed fracture"},
    {"I50.1", "Left ventricular failure, unspecified"},
    {"E11.3593", "Type 2 diabetes mellitus with proliferative diabetic "
                 "retinopathy without macular edema, bilateral"},
    {"I10", "Essential (primary) hypertension"},
    {"E55.9", "Vitamin D deficiency, unspecified"},
    {"E11.65", "Type 2 diabetes mellitus with hyperglycemia"},
    {"Z00.00", "Encounter for general adult medical examination without "
               "abnormal findings"},
    {"N40.1", "Benign prostatic hyperplasia with lower urinary tract "
              "symptoms"},
};

/* The test KB; with_icd 0 leaves out the ICD-10-CM table. */
static int build(mn_kb **out, int with_icd)
{
    mn_kbb *b = NULL;
    mn_error err;
    void *bytes = NULL;
    size_t len = 0;
    int rc;
    mn_kbb_policy art = {MN_PK_ARTICLE, "A99001",  3,        "Vitamin D (test)",
                         MN_NODATE,     MN_NODATE, "L99001", 0};
    mn_kbb_policy art2 = {MN_PK_ARTICLE, "A99005",  1,    "No LCD (test)",
                          MN_NODATE,     MN_NODATE, NULL, 0};
    mn_kbb_policy ncd = {MN_PK_NCD, "190.21",  0,    "Glycated Hemoglobin",
                         MN_NODATE, MN_NODATE, NULL, MN_PF_LAB};

    mn_error_clear(&err);
    if ((rc = mn_x__kbb_new(&b)))
        return rc;
    for (size_t i = 0; with_icd && i < sizeof(icd) / sizeof(icd[0]); i++)
        mn_x__kbb_icd(b, 2024, key(icd[i][0]), true, icd[i][1],
                      strlen(icd[i][1]));
    mn_x__kbb_mce(b, 2024, key("N40.1"), MN_MCE_MALE, 0, 124);
    mn_x__kbb_policy(b, &art);
    mn_x__kbb_policy_code(b, MN_PK_ARTICLE, "A99001", 3, key("82306"), 1);
    kentucky(b, "A99001", 3);
    mn_x__kbb_policy_dx(b, MN_PK_ARTICLE, "A99001", 3, MN_DL_COVERED, 1, false,
                        key("E55.9"));
    mn_x__kbb_policy_dx(b, MN_PK_ARTICLE, "A99001", 3, MN_DL_NONCOVERED, 1,
                        false, key("Z00.00"));
    mn_x__kbb_policy(b, &art2);
    mn_x__kbb_policy_code(b, MN_PK_ARTICLE, "A99005", 1, key("97110"), 1);
    kentucky(b, "A99005", 1);
    mn_x__kbb_policy_dx(b, MN_PK_ARTICLE, "A99005", 1, MN_DL_COVERED, 1, false,
                        key("M17.11"));
    mn_x__kbb_policy(b, &ncd);
    mn_x__kbb_policy_code(b, MN_PK_NCD, "190.21", 0, key("83036"), 0);
    mn_x__kbb_policy_dx(b, MN_PK_NCD, "190.21", 0, MN_DL_COVERED, 0, false,
                        key("E11.65"));
    rc = mn_x__kbb_serialize(b, "2026-11-01", &bytes, &len, &err);
    mn_x__kbb_free(b);
    if (!rc)
        rc = mn_kb_open_buffer(out, bytes, len, 1, &err);
    mn_x__free(bytes);
    return rc;
}

/* Parses and checks a claim; the result is borrowed from ctx. */
static const mn_result *run_on(const mn_kb *k, const char *json)
{
    const mn_result *res = NULL;
    mn_error err;

    mn_error_clear(&err);
    mn_claim_free(claim);
    claim = NULL;
    if (mn_claim_parse_json(&claim, json, strlen(json), NULL, &err)) {
        fprintf(stderr, "parse: %s\n", err.message);
        return NULL;
    }
    if (mn_check(&res, ctx, k, claim, &err)) {
        fprintf(stderr, "check: %s\n", err.message);
        return NULL;
    }
    return res;
}

/* A one-line claim in Kentucky on 2024-05-01 (female patient, 74). */
static const mn_result *line(const char *payer, const char *dx,
                             const char *code, const char *mods,
                             const char *extra)
{
    static char json[1024];
    snprintf(json, sizeof(json),
             "{\"id\":\"t\",\"payer\":\"%s\",\"jurisdiction\":\"KY\","
             "\"patient\":{\"birth_date\":\"1950-04-02\",\"sex\":\"F\"},"
             "\"diagnoses\":[%s],\"lines\":[{\"code\":\"%s\",\"date\":"
             "\"2024-05-01\",\"modifiers\":[%s]%s}]}",
             payer, dx, code, mods, extra);
    return run_on(kb, json);
}

#define MC(dx, code, mods) line("medicare", dx, code, mods, "")

static const mn_finding *find_lr(const mn_line_result *lr, const char *edit)
{
    for (size_t i = 0; lr && i < lr->n_findings; i++) {
        if (!strcmp(lr->findings[i].edit->id, edit))
            return &lr->findings[i];
    }
    return NULL;
}

static size_t count_lr(const mn_line_result *lr, const char *edit)
{
    size_t n = 0;
    for (size_t i = 0; lr && i < lr->n_findings; i++)
        n += !strcmp(lr->findings[i].edit->id, edit);
    return n;
}

static const mn_line_result *l0(const mn_result *r)
{
    return r && r->n_lines ? &r->lines[0] : NULL;
}

static const mn_finding *find(const mn_result *r, const char *edit)
{
    return find_lr(l0(r), edit);
}

static bool suggests(const mn_line_result *lr, const char *m)
{
    for (size_t i = 0; lr && i < lr->n_suggested; i++) {
        if (!strcmp(lr->suggested[i], m))
            return true;
    }
    return false;
}

/* ------------------------------------------------------------------ */

static unsigned side(const char *d)
{
    return mn_x__side_of_desc(d, strlen(d));
}

static void test_side_of_desc(void)
{
    CHECK_INT(side("Unilateral primary osteoarthritis, right knee"),
              MN_SIDE_RIGHT);
    CHECK_INT(side("Swimmer's ear, left ear"), MN_SIDE_LEFT);
    CHECK_INT(side("Bilateral primary osteoarthritis of knee"),
              MN_SIDE_BILATERAL);
    CHECK_INT(side("Swimmer's ear, unspecified ear"), 0);
    CHECK_INT(side("Age-related nuclear cataract, unspecified eye"), 0);
    CHECK_INT(side("Essential (primary) hypertension"), 0);
    CHECK_INT(side("RIGHT KNEE"), MN_SIDE_RIGHT);
    /* both sides named separately */
    CHECK_INT(side("Blindness, right eye, low vision left eye"),
              MN_SIDE_RIGHT | MN_SIDE_LEFT);
    CHECK(side("Homonymous bilateral field defects, right side") &
          MN_SIDE_BILATERAL);
    /* whole words only */
    CHECK_INT(side("Leftover rightness, bilaterally"), 0);
    CHECK_INT(side("pain,left-knee"), MN_SIDE_LEFT);
    /* unpaired structures and the verb */
    CHECK_INT(side("Left ventricular failure, unspecified"), 0);
    CHECK_INT(side("Right heart failure due to left heart failure"), 0);
    CHECK_INT(side("Left bundle-branch block, unspecified"), 0);
    CHECK_INT(side("ST elevation (STEMI) myocardial infarction involving "
                   "left anterior descending coronary artery"),
              0);
    CHECK_INT(side("Contusion of descending [left] colon, initial encounter"),
              0);
    CHECK_INT(side("Left sided colitis without complications"), 0);
    CHECK_INT(side("Persistent left superior vena cava"), 0);
    CHECK_INT(side("Adhesions due to foreign body accidentally left in body "
                   "following surgical operation"),
              0);
    /* paired structures near those words stay sided */
    CHECK_INT(side("Malignant neoplasm of left main bronchus"), MN_SIDE_LEFT);
    CHECK_INT(side("Cerebral infarction due to thrombosis of left anterior "
                   "cerebral artery"),
              MN_SIDE_LEFT);
    CHECK_INT(mn_x__side_of_desc(NULL, 0), 0);
    CHECK_INT(mn_x__side_of_desc("right", 0), 0);
    CHECK_INT(mn_x__side_of_desc("rightx", 5), MN_SIDE_RIGHT);
}

static void test_side_of_modifier(void)
{
    static const char *const right[] = {"RT", "E3", "E4", "F5", "F6",
                                        "F7", "F8", "F9", "T5", "T6",
                                        "T7", "T8", "T9"};
    static const char *const left[] = {"LT", "E1", "E2", "FA", "F1", "F2", "F3",
                                       "F4", "TA", "T1", "T2", "T3", "T4"};
    static const char *const none[] = {"LC", "LD", "LM", "RC", "RI", "TC",
                                       "FB", "FX", "E5", "EA", "T0", "59",
                                       "GA", "KX", "XS", "26"};
    for (size_t i = 0; i < sizeof(right) / sizeof(right[0]); i++)
        CHECK_INT(mn_x__side_of_modifier(right[i]), MN_SIDE_RIGHT);
    for (size_t i = 0; i < sizeof(left) / sizeof(left[0]); i++)
        CHECK_INT(mn_x__side_of_modifier(left[i]), MN_SIDE_LEFT);
    for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
        CHECK_INT(mn_x__side_of_modifier(none[i]), 0);
    CHECK_INT(mn_x__side_of_modifier("50"), MN_SIDE_BILATERAL);
    CHECK_STR(mn_x__side_name(MN_SIDE_RIGHT), "the right side");
    CHECK_STR(mn_x__side_name(MN_SIDE_LEFT), "the left side");
    CHECK_STR(mn_x__side_name(MN_SIDE_BILATERAL), "both sides");
    CHECK_STR(mn_x__side_name(0), "no side");
}

/* ------------------------------------------------------------------ */

/* Checks that the line has exactly one laterality review naming `dx`. */
static void expect_mismatch(const mn_result *r, const char *dx)
{
    const mn_finding *f = find(r, "laterality.mismatch");
    CHECK(f != NULL);
    CHECK_INT(count_lr(l0(r), "laterality.mismatch"), 1);
    if (!f)
        return;
    CHECK_INT(f->severity, MN_SEVERITY_REVIEW);
    CHECK_INT(mn_result_status(r), MN_STATUS_CONDITIONAL);
    CHECK_STR(f->carc, "4");
    CHECK_STR(f->dx, dx);
    CHECK_STR(f->policy_kind, "rule");
    CHECK(f->source != NULL);
    CHECK(f->fix != NULL);
    CHECK_STR(mn_abn_name(l0(r)->abn), "not_needed");
    CHECK(l0(r)->abn_reason == NULL);
}

static void expect_clean(const mn_result *r)
{
    CHECK(r != NULL);
    CHECK(find(r, "laterality.mismatch") == NULL);
    CHECK_INT(mn_result_status(r), MN_STATUS_COVERED);
}

static void test_laterality_sides(void)
{
    const mn_result *r;

    /* both ways, on the knee and the ear */
    expect_clean(MC("\"M17.11\"", "27447", "\"RT\""));
    r = MC("\"M17.11\"", "27447", "\"LT\"");
    expect_mismatch(r, "M17.11");
    CHECK_CONTAINS(find(r, "laterality.mismatch")->message, "LT (left side)");
    CHECK_CONTAINS(find(r, "laterality.mismatch")->message, "right knee");
    expect_clean(MC("\"M17.12\"", "27447", "\"LT\""));
    expect_mismatch(MC("\"M17.12\"", "27447", "\"RT\""), "M17.12");
    expect_mismatch(MC("\"H60.332\"", "69210", "\"RT\""), "H60.332");
    expect_clean(MC("\"H60.331\"", "69210", "\"RT\""));
    /* bilateral and unspecified do not conflict */
    expect_clean(MC("\"M17.0\"", "27447", "\"RT\""));
    expect_clean(MC("\"M17.0\"", "27447", "\"LT\""));
    expect_clean(MC("\"H60.333\"", "69210", "\"LT\""));
    expect_clean(MC("\"E11.3593\"", "67228", "\"RT\""));
    expect_clean(MC("\"M17.10\"", "27447", "\"LT\""));
    expect_clean(MC("\"H60.339\"", "69210", "\"RT\""));
    expect_clean(MC("\"I10\"", "27447", "\"RT\""));
    /* a named structure, not a side */
    expect_clean(MC("\"I50.1\"", "93306", "\"RT\""));
    /* no side modifier: nothing to compare */
    expect_clean(MC("\"M17.11\"", "27447", ""));
    /* a bilateral diagnosis next to the opposite side */
    expect_clean(MC("\"M17.12\",\"M17.0\"", "27447", "\"RT\""));
}

static void test_laterality_pointers(void)
{
    const mn_result *r;

    /* one pointed diagnosis names the line's side: consistent */
    expect_clean(MC("\"M17.11\",\"M17.12\"", "27447", "\"LT\""));
    r = line("medicare", "\"M17.11\",\"M17.12\"", "27447", "\"LT\"",
             ",\"dx_pointers\":[1]");
    expect_mismatch(r, "M17.11");
    r = line("medicare", "\"M17.11\",\"M17.12\"", "27447", "\"LT\"",
             ",\"dx_pointers\":[2]");
    expect_clean(r);
    /* an unsided diagnosis does not rescue the other side */
    expect_mismatch(MC("\"I10\",\"M17.12\"", "27447", "\"RT\""), "M17.12");
    /* other payers get the same review */
    expect_mismatch(line("acme", "\"M17.12\"", "27447", "\"RT\"", ""),
                    "M17.12");
}

static void test_laterality_bilateral(void)
{
    const mn_result *r = MC("\"M17.11\"", "27447", "\"50\"");
    const mn_finding *f;

    expect_mismatch(r, "M17.11");
    f = find(r, "laterality.mismatch");
    if (f) {
        CHECK_CONTAINS(f->message, "Modifier 50");
        CHECK_CONTAINS(f->message, "only the right side");
    }
    expect_mismatch(MC("\"M17.12\"", "27447", "\"50\""), "M17.12");
    expect_clean(MC("\"M17.11\",\"M17.12\"", "27447", "\"50\""));
    expect_clean(MC("\"M17.0\"", "27447", "\"50\""));
    expect_clean(MC("\"M17.10\"", "27447", "\"50\""));
    /* RT and LT on one line report both sides */
    r = MC("\"M17.12\"", "27447", "\"RT\",\"LT\"");
    expect_mismatch(r, "M17.12");
    f = find(r, "laterality.mismatch");
    if (f)
        CHECK_CONTAINS(f->message, "RT and LT");
    expect_clean(MC("\"M17.11\",\"M17.12\"", "27447", "\"RT\",\"LT\""));
}

static void test_laterality_digits_eyelids(void)
{
    const mn_result *r;

    /* eyelids: E1/E2 left, E3/E4 right */
    r = MC("\"H02.831\"", "15823", "\"E1\"");
    expect_mismatch(r, "H02.831");
    CHECK_CONTAINS(find(r, "laterality.mismatch")->message,
                   "left upper eyelid");
    expect_mismatch(MC("\"H02.831\"", "15823", "\"E2\""), "H02.831");
    expect_clean(MC("\"H02.831\"", "15823", "\"E3\""));
    expect_clean(MC("\"H02.831\"", "15823", "\"E4\""));
    expect_mismatch(MC("\"H02.834\"", "15823", "\"E4\""), "H02.834");
    expect_clean(MC("\"H02.834\"", "15823", "\"E1\""));
    /* fingers: FA, F1-F4 left; F5-F9 right */
    r = MC("\"S62.610A\"", "26720", "\"F1\"");
    expect_mismatch(r, "S62.610A");
    CHECK_CONTAINS(find(r, "laterality.mismatch")->message,
                   "left hand, second digit");
    expect_mismatch(MC("\"S62.610A\"", "26720", "\"FA\""), "S62.610A");
    expect_clean(MC("\"S62.610A\"", "26720", "\"F6\""));
    expect_clean(MC("\"S62.611A\"", "26720", "\"F1\""));
    expect_mismatch(MC("\"S62.611A\"", "26720", "\"F9\""), "S62.611A");
    /* toes: TA, T1-T4 left; T5-T9 right */
    r = MC("\"S92.411A\"", "28490", "\"TA\"");
    expect_mismatch(r, "S92.411A");
    CHECK_CONTAINS(find(r, "laterality.mismatch")->message, "left great toe");
    expect_clean(MC("\"S92.411A\"", "28490", "\"T5\""));
    expect_mismatch(MC("\"S92.412A\"", "28490", "\"T5\""), "S92.412A");
    expect_clean(MC("\"S92.412A\"", "28490", "\"TA\""));
    /* two digits of opposite hands: both sides */
    expect_mismatch(MC("\"S62.611A\"", "26720", "\"F1\",\"F6\""), "S62.611A");
}

static void test_laterality_no_icd_table(void)
{
    const mn_result *r =
        run_on(kb_noicd,
               "{\"diagnoses\":[\"M17.12\"],\"lines\":[{\"code\":"
               "\"27447\",\"date\":\"2024-05-01\",\"modifiers\":[\"RT\"]}]}");
    CHECK(r != NULL);
    CHECK(find(r, "laterality.mismatch") == NULL);
}

/* ------------------------------------------------------------------ */

static void test_modifier_conflicts(void)
{
    static const char *const pairs[][2] = {
        {"GA", "GZ"}, {"GA", "KX"}, {"GY", "GZ"}, {"GA", "GY"}, {"GA", "GX"}};
    char mods[32];
    const mn_result *r;
    const mn_finding *f;

    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        snprintf(mods, sizeof(mods), "\"%s\",\"%s\"", pairs[i][0], pairs[i][1]);
        r = MC("\"I10\"", "27447", mods);
        f = find(r, "modifier.conflict");
        CHECK(f != NULL);
        CHECK_INT(count_lr(l0(r), "modifier.conflict"), 1);
        CHECK_INT(mn_result_status(r), MN_STATUS_INVALID);
        if (!f)
            continue;
        CHECK_INT(f->severity, MN_SEVERITY_DENY);
        CHECK_STR(f->carc, "4");
        CHECK_CONTAINS(f->message, pairs[i][0]);
        CHECK_CONTAINS(f->message, pairs[i][1]);
        CHECK(f->source != NULL);
        CHECK(f->fix != NULL);
        /* GA still means an ABN is on file; nothing is recommended */
        CHECK_STR(mn_abn_name(l0(r)->abn),
                  strcmp(pairs[i][0], "GA") ? "not_needed" : "on_file");
        CHECK(l0(r)->abn_reason == NULL);
        CHECK(!suggests(l0(r), "GA"));
    }
    /* GA with GZ is unprocessable: MA130 */
    r = MC("\"I10\"", "27447", "\"GZ\",\"GA\"");
    f = find(r, "modifier.conflict");
    if (f)
        CHECK_STR(f->rarc, "MA130");
    /* three modifiers, three conflicts */
    r = MC("\"I10\"", "27447", "\"GA\",\"GZ\",\"GY\"");
    CHECK_INT(count_lr(l0(r), "modifier.conflict"), 3);
    /* compatible pairs */
    r = MC("\"I10\"", "27447", "\"GA\",\"RT\"");
    CHECK(find(r, "modifier.conflict") == NULL);
    r = MC("\"I10\"", "27447", "\"KX\",\"GZ\"");
    CHECK(find(r, "modifier.conflict") == NULL);
    r = MC("\"I10\"", "27447", "\"GX\",\"GY\"");
    CHECK(find(r, "modifier.conflict") == NULL);
    /* other payers: the modifiers still contradict each other */
    r = line("acme", "\"I10\"", "27447", "\"GA\",\"GZ\"", "");
    CHECK(find(r, "modifier.conflict") != NULL);
    CHECK_STR(mn_abn_name(l0(r)->abn), "not_needed");
}

/* ------------------------------------------------------------------ */

static void test_abn_med_nec(void)
{
    const mn_result *r = MC("\"I10\"", "82306", "");
    const mn_line_result *lr = l0(r);
    const mn_finding *f;

    CHECK_INT(mn_result_status(r), MN_STATUS_NOT_COVERED);
    CHECK_STR(mn_abn_name(lr->abn), "recommended");
    CHECK_INT(lr->n_suggested, 1);
    CHECK_STR(lr->suggested[0], "GA");
    CHECK(!suggests(lr, "GZ"));
    CHECK_STR(lr->abn_reason,
              "Medicare does not pay for this test for your condition "
              "(diagnosis not covered by the local policy L99001).");
    f = find(r, "abn.recommended");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(f->severity, MN_SEVERITY_INFO);
        CHECK_CONTAINS(f->fix, "GA");
        CHECK_CONTAINS(f->fix, "GZ");
    }
    /* every denial carries its CARC */
    f = find(r, "policy.dx_not_supported");
    if (f) {
        CHECK_STR(f->carc, "50");
        CHECK_STR(f->rarc, "N115");
    }

    /* explicit non-covered list */
    r = MC("\"Z00.00\"", "82306", "");
    CHECK_STR(mn_abn_name(l0(r)->abn), "recommended");
    CHECK_CONTAINS(l0(r)->abn_reason, "lists the diagnosis as not covered");
    /* NCD */
    r = MC("\"I10\"", "83036", "");
    CHECK_STR(mn_abn_name(l0(r)->abn), "recommended");
    CHECK_STR(l0(r)->abn_reason,
              "Medicare does not pay for this test for your condition "
              "(diagnosis not covered by the national coverage "
              "determination 190.21).");
    /* an article without an LCD; not a lab code */
    r = MC("\"I10\"", "97110", "");
    CHECK_STR(l0(r)->abn_reason,
              "Medicare does not pay for this service for your condition "
              "(diagnosis not covered by the local billing article "
              "A99005).");

    /* GA: on file, nothing more to suggest */
    r = MC("\"I10\"", "82306", "\"GA\"");
    CHECK_STR(mn_abn_name(l0(r)->abn), "on_file");
    CHECK_INT(l0(r)->n_suggested, 0);
    CHECK(l0(r)->abn_reason == NULL);
    CHECK(find(r, "abn.recommended") == NULL);
    /* GZ: the provider chose liability */
    r = MC("\"I10\"", "82306", "\"GZ\"");
    CHECK_STR(mn_abn_name(l0(r)->abn), "not_needed");
    CHECK_INT(l0(r)->n_suggested, 0);
    CHECK(l0(r)->abn_reason == NULL);
    /* covered */
    r = MC("\"E55.9\"", "82306", "");
    CHECK_STR(mn_abn_name(l0(r)->abn), "not_needed");
    CHECK(l0(r)->abn_reason == NULL);
    CHECK_INT(l0(r)->n_suggested, 0);
    /* GA on a covered line: the notice is still on file */
    r = MC("\"E55.9\"", "82306", "\"GA\"");
    CHECK_STR(mn_abn_name(l0(r)->abn), "on_file");
    /* not Medicare */
    r = line("acme", "\"I10\"", "82306", "", "");
    CHECK_STR(mn_abn_name(l0(r)->abn), "not_needed");
    CHECK_INT(l0(r)->n_suggested, 0);
    CHECK(l0(r)->abn_reason == NULL);
}

static void test_abn_coding_denials(void)
{
    const mn_result *r;

    /* an invalid diagnosis: coding, provider liable */
    r = MC("\"Q99.9\"", "27447", "");
    CHECK_INT(mn_result_status(r), MN_STATUS_INVALID);
    CHECK_STR(mn_abn_name(l0(r)->abn), "not_needed");
    CHECK_INT(l0(r)->n_suggested, 0);
    CHECK(l0(r)->abn_reason == NULL);
    /* an MCE sex edit: not covered, but not a medical-necessity denial */
    r = MC("\"N40.1\"", "27447", "");
    CHECK(find(r, "dx.sex_conflict") != NULL);
    CHECK_INT(mn_result_status(r), MN_STATUS_NOT_COVERED);
    CHECK_STR(mn_abn_name(l0(r)->abn), "not_needed");
    CHECK(l0(r)->abn_reason == NULL);
    CHECK(!suggests(l0(r), "GA"));
    /* a policy denial on an invalid line: fix the coding first */
    r = MC("\"I10\",\"Q99.9\"", "82306", "");
    CHECK_INT(mn_result_status(r), MN_STATUS_INVALID);
    CHECK_STR(mn_abn_name(l0(r)->abn), "not_needed");
    /* a laterality review is not an ABN case */
    r = MC("\"M17.12\"", "27447", "\"RT\"");
    CHECK_STR(mn_abn_name(l0(r)->abn), "not_needed");
}

/* ------------------------------------------------------------------ */
/* Direct calls: findings the service-rules and NCCI modules will make */

static mn_line_result dlr;
static mn_cdx d_cdx[8]; /* the claim's diagnoses as the checks see them */
static mn_prior dprior;
static long d_fill = -1; /* 16-byte blocks to take from the arena first */
static long d_filled;    /* how many were taken */
static bool d_nomem;     /* check_site ran out of memory */

/* Runs check_site alone on line 1 of `json` after a finding `edit` with
 * `status` (none when edit is NULL); `prior` is a prior service of the
 * same code ("" for none). */
static const mn_line_result *direct(const char *json, const char *edit,
                                    mn_status status, bool med_nec,
                                    const char *prior, const char *ncci_mod)
{
    mn_error err;
    mn_lstate s;

    mn_error_clear(&err);
    mn_claim_free(claim);
    claim = NULL;
    if (mn_claim_parse_json(&claim, json, strlen(json), NULL, &err)) {
        fprintf(stderr, "parse: %s\n", err.message);
        return NULL;
    }
    mn_ctx_reset(ctx);
    memset(&dlr, 0, sizeof(dlr));
    memset(&s, 0, sizeof(s));
    dlr.line = 1;
    dlr.status = MN_STATUS_COVERED;
    s.ctx = ctx;
    s.kb = kb;
    s.claim = claim;
    s.line = &claim->lines[0];
    s.lr = &dlr;
    s.date = claim->lines[0].date;
    s.icd_year = mn_x__kb_icd_year(kb, s.date);
    s.mce_ver = -1;
    for (size_t i = 0; i < claim->n_dx && i < 8; i++) {
        d_cdx[i].key = claim->dx[i].key;
        d_cdx[i].text = claim->dx[i].text;
        s.dx[s.n_dx++] = &d_cdx[i];
    }
    s.cdx = d_cdx;
    if (prior && prior[0]) {
        memset(&dprior, 0, sizeof(dprior));
        dprior.code = claim->lines[0].code;
        dprior.date = date(prior);
        dprior.units = 1;
        dprior.status = -1;
        s.prior = &dprior;
        s.n_prior = 1;
    }
    if (ncci_mod)
        dlr.suggested[dlr.n_suggested++] = ncci_mod;
    if (edit) {
        const mn_edit_info *e = mn_edit_find(edit);
        mn_finding *f = NULL;
        CHECK(e != NULL);
        if (e)
            f = mn_x__finding_add_as(&s, mn_x__edit_id(e),
                                     status == MN_STATUS_CONDITIONAL
                                         ? MN_SEVERITY_REVIEW
                                         : MN_SEVERITY_DENY,
                                     status, "test finding");
        CHECK(f != NULL);
        if (f)
            f->med_nec = med_nec; /* what the module that found it says */
    }
    d_filled = 0;
    while (d_filled < d_fill && mn_x__arena_alloc(ctx->arena, 16))
        d_filled++;
    mn_x__check_site(&s);
    d_nomem = s.nomem;
    if (d_fill < 0)
        CHECK(!s.nomem);
    return &dlr;
}

#define ONE(code, mods)                                                        \
    "{\"patient\":{\"age\":70,\"sex\":\"F\"},\"diagnoses\":[\"I10\"],"         \
    "\"lines\":[{\"code\":\"" code "\",\"date\":\"2024-05-01\","               \
    "\"modifiers\":[" mods "]}]}"

static void test_excluded_gy(void)
{
    const mn_line_result *lr = direct(ONE("92015", ""), "statutory.excluded",
                                      MN_STATUS_EXCLUDED, false, NULL, NULL);
    const mn_finding *f;

    CHECK_STR(mn_abn_name(lr->abn), "not_needed");
    CHECK(lr->abn_reason == NULL);
    CHECK(suggests(lr, "GY"));
    CHECK(!suggests(lr, "GA"));
    CHECK(!suggests(lr, "GX"));
    f = find_lr(lr, "modifier.suggested");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(f->severity, MN_SEVERITY_INFO);
        CHECK_CONTAINS(f->fix, "GX");
    }
    CHECK_INT(lr->status, MN_STATUS_EXCLUDED);
    /* GY present: nothing to add */
    lr = direct(ONE("92015", "\"GY\""), "statutory.excluded",
                MN_STATUS_EXCLUDED, false, NULL, NULL);
    CHECK_INT(lr->n_suggested, 0);
    CHECK(find_lr(lr, "modifier.suggested") == NULL);
    /* GX with GY: a voluntary notice on an excluded service is fine */
    lr = direct(ONE("92015", "\"GX\",\"GY\""), "statutory.excluded",
                MN_STATUS_EXCLUDED, false, NULL, NULL);
    CHECK(find_lr(lr, "modifier.suggested") == NULL);
    CHECK(find_lr(lr, "modifier.conflict") == NULL);
    /* GZ on an excluded line: conflict once GY is added; GY replaces it */
    lr = direct(ONE("92015", "\"GZ\""), "statutory.excluded",
                MN_STATUS_EXCLUDED, false, NULL, NULL);
    CHECK(suggests(lr, "GY"));
    f = find_lr(lr, "modifier.suggested");
    if (f)
        CHECK_CONTAINS(f->fix, "in place of");
    /* excluded even when a medical-necessity edit also failed: no ABN */
    lr = direct(ONE("92015", ""), "statutory.excluded", MN_STATUS_EXCLUDED,
                true, NULL, NULL);
    CHECK_STR(mn_abn_name(lr->abn), "not_needed");
    CHECK(!suggests(lr, "GA"));
}

static void test_gx_note(void)
{
    const mn_line_result *lr =
        direct(ONE("82306", "\"GX\""), "policy.dx_not_supported",
               MN_STATUS_NOT_COVERED, true, NULL, NULL);
    const mn_finding *f = find_lr(lr, "modifier.suggested");

    CHECK(f != NULL);
    if (f)
        CHECK_CONTAINS(f->message, "GX");
    /* GX is not an ABN for a medical-necessity denial */
    CHECK_STR(mn_abn_name(lr->abn), "recommended");
    CHECK(suggests(lr, "GA"));
    CHECK(!suggests(lr, "GX"));
    f = find_lr(lr, "abn.recommended");
    CHECK(f != NULL);
    if (f)
        CHECK_CONTAINS(f->fix, "GA is not combined with GX; remove GX.");
    lr = direct(ONE("97110", "\"GP\",\"KX\",\"GY\""), "policy.dx_not_supported",
                MN_STATUS_NOT_COVERED, true, NULL, NULL);
    f = find_lr(lr, "abn.recommended");
    CHECK(f != NULL);
    if (f)
        CHECK_CONTAINS(f->fix, "remove GY, KX.");
    lr = direct(ONE("97110", ""), "policy.dx_not_supported",
                MN_STATUS_NOT_COVERED, true, NULL, NULL);
    f = find_lr(lr, "abn.recommended");
    if (f)
        CHECK(strstr(f->fix, "remove") == NULL);
}

static void test_kx(void)
{
    const mn_line_result *lr =
        direct(ONE("97110", "\"GP\""), "therapy.kx_required",
               MN_STATUS_CONDITIONAL, false, NULL, NULL);
    const mn_finding *f = find_lr(lr, "modifier.suggested");

    CHECK(suggests(lr, "KX"));
    CHECK_STR(mn_abn_name(lr->abn), "not_needed");
    CHECK(f != NULL);
    if (f)
        CHECK_CONTAINS(f->message, "only if the medical record documents");
    CHECK_INT(lr->status, MN_STATUS_CONDITIONAL);
    lr = direct(ONE("97110", "\"GP\",\"KX\""), "therapy.kx_required",
                MN_STATUS_CONDITIONAL, false, NULL, NULL);
    CHECK(!suggests(lr, "KX"));
    /* GA: the ABN route instead, and no KX to conflict with it */
    lr = direct(ONE("97110", "\"GP\",\"GA\""), "therapy.kx_required",
                MN_STATUS_CONDITIONAL, false, NULL, NULL);
    CHECK(!suggests(lr, "KX"));
    CHECK_STR(mn_abn_name(lr->abn), "on_file");
    /* no therapy finding: no KX */
    lr = direct(ONE("97110", "\"GP\""), NULL, MN_STATUS_COVERED, false, NULL,
                NULL);
    CHECK_INT(lr->n_suggested, 0);
}

static void test_frequency_reason(void)
{
    const mn_line_result *lr =
        direct(ONE("G0121", ""), "frequency.exceeded", MN_STATUS_NOT_COVERED,
               true, "2024-01-10", NULL);

    CHECK_STR(mn_abn_name(lr->abn), "recommended");
    CHECK_STR(lr->abn_reason, "Medicare pays for this service only a limited "
                              "number of times in a period; you had it on "
                              "2024-01-10.");
    lr = direct(ONE("80061", ""), "frequency.exceeded", MN_STATUS_NOT_COVERED,
                true, NULL, NULL);
    CHECK_CONTAINS(lr->abn_reason, "this test only a limited number");
    CHECK_CONTAINS(lr->abn_reason, "limit has been reached");
    /* the other medical-necessity edits of the service rules */
    lr = direct(ONE("G0121", ""), "age.out_of_range", MN_STATUS_NOT_COVERED,
                true, NULL, NULL);
    CHECK_CONTAINS(lr->abn_reason, "age");
    lr = direct(ONE("G0121", ""), "setting.not_allowed", MN_STATUS_NOT_COVERED,
                true, NULL, NULL);
    CHECK_CONTAINS(lr->abn_reason, "setting");
    lr = direct(ONE("G0121", ""), "sex.mismatch", MN_STATUS_NOT_COVERED, true,
                NULL, NULL);
    CHECK_CONTAINS(lr->abn_reason, "sex");
    /* a medical-necessity denial of an edit with no patient text of its
       own in the edit table */
    lr = direct(ONE("G0121", ""), "laterality.mismatch", MN_STATUS_NOT_COVERED,
                true, NULL, NULL);
    CHECK_CONTAINS(lr->abn_reason, "reasonable and necessary");
}

static void test_coding_denial_direct(void)
{
    /* MUE and PTP denials are coding denials: no ABN (contract 3) */
    const mn_line_result *lr = direct(ONE("97110", ""), "units.mue_exceeded",
                                      MN_STATUS_NOT_COVERED, false, NULL, NULL);
    CHECK_STR(mn_abn_name(lr->abn), "not_needed");
    CHECK(lr->abn_reason == NULL);
    CHECK_INT(lr->n_suggested, 0);
    lr = direct(ONE("97110", ""), "ncci.ptp", MN_STATUS_NOT_COVERED, false,
                NULL, "59");
    CHECK_STR(mn_abn_name(lr->abn), "not_needed");
    CHECK_INT(lr->n_suggested, 1);
    CHECK_STR(lr->suggested[0], "59");
}

static void test_suggestions_kept(void)
{
    /* an NCCI bypass modifier suggested earlier stays first; GA follows */
    const mn_line_result *lr =
        direct(ONE("82306", ""), "policy.dx_not_supported",
               MN_STATUS_NOT_COVERED, true, NULL, "XS");
    CHECK_INT(lr->n_suggested, 2);
    CHECK_STR(lr->suggested[0], "XS");
    CHECK_STR(lr->suggested[1], "GA");
    /* no duplicates, and the list never overflows */
    lr = direct(ONE("82306", ""), "policy.dx_not_supported",
                MN_STATUS_NOT_COVERED, true, NULL, "GA");
    CHECK_INT(lr->n_suggested, 1);
    dlr.n_suggested = 4;
    dlr.suggested[1] = dlr.suggested[2] = dlr.suggested[3] = "59";
    dlr.status = MN_STATUS_EXCLUDED;
    {
        mn_lstate s;
        memset(&s, 0, sizeof(s));
        s.ctx = ctx;
        s.kb = kb;
        s.claim = claim;
        s.line = &claim->lines[0];
        s.lr = &dlr;
        s.date = claim->lines[0].date;
        s.icd_year = -1;
        mn_x__check_site(&s);
    }
    CHECK_INT(dlr.n_suggested, 4);
}

/* ------------------------------------------------------------------ */

static void test_render(void)
{
    mn_buf *buf = NULL;
    mn_error err;
    const mn_result *r = MC("\"I10\"", "82306", "");

    mn_error_clear(&err);
    CHECK_INT(mn_buf_new(&buf, 0), MN_OK);
    CHECK_INT(mn_result_render(buf, r, kb, MN_FORMAT_JSON, &err), MN_OK);
    CHECK_CONTAINS(mn_buf_data(buf),
                   "\"abn\":\"recommended\",\"abn_reason\":\"Medicare does "
                   "not pay for this test for your condition");
    CHECK_CONTAINS(mn_buf_data(buf), "\"suggested_modifiers\":[\"GA\"]");
    mn_buf_clear(buf);
    CHECK_INT(mn_result_render(buf, r, kb, MN_FORMAT_TEXT, &err), MN_OK);
    CHECK_CONTAINS(mn_buf_data(buf), "ABN reason: Medicare does not pay");
    CHECK_CONTAINS(mn_buf_data(buf), "(ABN recommended; append GA)");

    r = MC("\"M17.12\"", "27447", "\"RT\"");
    mn_buf_clear(buf);
    CHECK_INT(mn_result_render(buf, r, kb, MN_FORMAT_JSON, &err), MN_OK);
    CHECK(strstr(mn_buf_data(buf), "abn_reason") == NULL);
    CHECK_CONTAINS(mn_buf_data(buf), "\"edit\":\"laterality.mismatch\","
                                     "\"severity\":\"review\"");
    CHECK_CONTAINS(mn_buf_data(buf), "\"carc\":\"4\"");
    mn_buf_clear(buf);
    CHECK_INT(mn_result_render(buf, r, kb, MN_FORMAT_TEXT, &err), MN_OK);
    CHECK(strstr(mn_buf_data(buf), "ABN reason") == NULL);
    CHECK_CONTAINS(mn_buf_data(buf), "CONDITIONAL");
    mn_buf_free(buf);
}

/* The arena runs out at every point of check_site: the state says so,
 * and nothing is read or written out of bounds (ASan). */
static void oom_sweep(const char *json, const char *edit, mn_status st,
                      size_t want_findings)
{
    mn_ctx *keep = ctx;
    mn_ctx *small = NULL;
    mn_error err;
    long full;
    int fails = 0;
    int passes = 0;

    mn_error_clear(&err);
    /* one 64 KiB chunk and no room for a second */
    CHECK_INT(mn_ctx_new(&small, 65536 + 64, &err), MN_OK);
    if (!small)
        return;
    ctx = small;
    d_fill = 1L << 20;
    direct(json, edit, st, true, NULL, NULL);
    full = d_filled;
    CHECK(d_nomem);
    for (long k = 0; k <= 600; k++) {
        const mn_line_result *lr;
        d_fill = full - k;
        lr = direct(json, edit, st, true, NULL, NULL);
        if (d_nomem) {
            fails++;
            continue;
        }
        passes++;
        CHECK_INT(lr->n_findings, want_findings);
    }
    CHECK(fails > 0);
    CHECK(passes > 0);
    d_fill = -1;
    ctx = keep;
    mn_ctx_free(small);
}

static void test_out_of_memory(void)
{
    /* laterality review, GX note, ABN with its reason and note */
    oom_sweep("{\"diagnoses\":[\"M17.12\"],\"lines\":[{\"code\":"
              "\"82306\",\"date\":\"2024-05-01\",\"modifiers\":"
              "[\"RT\",\"GX\"]}]}",
              "policy.dx_not_supported", MN_STATUS_NOT_COVERED, 4);
    /* four conflicts (the finding array grows) */
    oom_sweep("{\"diagnoses\":[\"I10\"],\"lines\":[{\"code\":"
              "\"97110\",\"date\":\"2024-05-01\",\"modifiers\":"
              "[\"GA\",\"GZ\",\"GY\",\"KX\"]}]}",
              "therapy.kx_required", MN_STATUS_CONDITIONAL, 5);
}

int main(void)
{
    mn_error err;

    mn_error_clear(&err);
    if (build(&kb, 1) || build(&kb_noicd, 0) || mn_ctx_new(&ctx, 0, &err)) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    RUN(test_side_of_desc);
    RUN(test_side_of_modifier);
    RUN(test_laterality_sides);
    RUN(test_laterality_pointers);
    RUN(test_laterality_bilateral);
    RUN(test_laterality_digits_eyelids);
    RUN(test_laterality_no_icd_table);
    RUN(test_modifier_conflicts);
    RUN(test_abn_med_nec);
    RUN(test_abn_coding_denials);
    RUN(test_excluded_gy);
    RUN(test_gx_note);
    RUN(test_kx);
    RUN(test_frequency_reason);
    RUN(test_coding_denial_direct);
    RUN(test_suggestions_kept);
    RUN(test_render);
    RUN(test_out_of_memory);
    mn_claim_free(claim);
    mn_ctx_free(ctx);
    mn_kb_free(kb);
    mn_kb_free(kb_noicd);
    DONE();
}
