/*
 * kbfix.h: a small knowledge base built through the builder API, shared by
 * the engine and KB tests. Codes are real ICD-10-CM / HCPCS codes; the
 * policies (A99xxx) are made up for the tests.
 */
#ifndef MN_KBFIX_H
#define MN_KBFIX_H

#include <string.h>

#include "build/writer/kbb.h"
#include "claim/jurisdiction.h"
#include "kb/kbfmt.h"
#include "kb/mcd_fmt.h"
#include "mednec.h"

static int32_t fx_date(const char *s)
{
    int32_t d = MN_NODATE;
    mn_x__parse_date(&d, s, strlen(s), false);
    return d;
}

static mn_key fx_key(const char *s)
{
    return mn_x__key(s, strlen(s));
}

static void fx_icd(mn_kbb *b, int fy, const char *code, int billable,
                   const char *desc)
{
    mn_x__kbb_icd(b, fy, fx_key(code), billable != 0, desc, strlen(desc));
}

static void fx_dx(mn_kbb *b, const char *art, int ver, int list, int group,
                  int ast, const char *code)
{
    mn_x__kbb_policy_dx(b, MN_PK_ARTICLE, art, ver, list, group, ast != 0,
                        fx_key(code));
}

/* A contractor of an article and the places its number names (the
 * derivation the MCD loader falls back on). */
static void fx_contractor(mn_kbb *b, const char *art, int ver,
                          const char *number)
{
    mn_area a;
    uint32_t ref = 0;

    mn_x__kbb_policy_contractor(b, MN_PK_ARTICLE, art, ver, number);
    if (!mn_x__contractor_area(number, strlen(number), &a) ||
        mn_x__kbb_policy_ref(b, MN_PK_ARTICLE, art, ver, &ref))
        return;
    for (int s = 0; s < MN_STATES; s++) {
        if (a.whole >> s & 1)
            mn_x__kbb_place(b, ref, s, -1, KB_PL_DERIVED, MN_NODATE, MN_NODATE);
    }
    for (int k = 0; k < MN_PARTS; k++) {
        if (a.parts >> k & 1)
            mn_x__kbb_place(b, ref, mn_x__part_state(k), k, KB_PL_DERIVED,
                            MN_NODATE, MN_NODATE);
    }
}

/* Builds the fixture KB into *bytes. Returns MN_OK. */
static int fx_build(void **bytes, size_t *len, int with_rules)
{
    mn_kbb *b = NULL;
    mn_error err;
    int rc;
    static const char *const fy24[][3] = {
        {"E11", "0", "Type 2 diabetes mellitus"},
        {"E11.65", "1", "Type 2 diabetes mellitus with hyperglycemia"},
        {"E11.9", "1", "Type 2 diabetes mellitus without complications"},
        {"E55.9", "1", "Vitamin D deficiency, unspecified"},
        {"E55.0", "1", "Rickets, active"},
        {"I10", "1", "Essential (primary) hypertension"},
        {"G47.33", "1", "Obstructive sleep apnea (adult) (pediatric)"},
        {"Z68.30", "1", "Body mass index [BMI] 30.0-30.9, adult"},
        {"Z68.41", "1", "Body mass index [BMI] 40.0-44.9, adult"},
        {"Z00.00", "1",
         "Encounter for general adult medical examination "
         "without abnormal findings"},
        {"R99", "1", "Ill-defined and unknown cause of mortality"},
        {"D50.9", "1", "Iron deficiency anemia, unspecified"},
        {"D51.0", "1",
         "Vitamin B12 deficiency anemia due to intrinsic "
         "factor deficiency"},
        {"N40.1", "1",
         "Benign prostatic hyperplasia with lower urinary "
         "tract symptoms"},
        {"O24.419", "1",
         "Gestational diabetes mellitus in pregnancy, "
         "unspecified control"},
        {"G89.3", "1", "Neoplasm related pain (chronic)"},
    };

    mn_error_clear(&err);
    if ((rc = mn_x__kbb_new(&b)))
        return rc;
    for (size_t i = 0; i < sizeof(fy24) / sizeof(fy24[0]); i++)
        fx_icd(b, 2024, fy24[i][0], fy24[i][1][0] == '1', fy24[i][2]);
    /* FY2022: no E55.0 yet (made-up history to test years) */
    for (size_t i = 0; i < sizeof(fy24) / sizeof(fy24[0]); i++) {
        if (strcmp(fy24[i][0], "E55.0") != 0)
            fx_icd(b, 2022, fy24[i][0], fy24[i][1][0] == '1', fy24[i][2]);
    }
    mn_x__kbb_hcpcs(b, 2024, fx_key("G0328"), fx_date("2004-01-01"), MN_NODATE,
                    "Fecal blood scrn immunoassay", 28);
    mn_x__kbb_hcpcs(b, 2024, fx_key("G0001"), fx_date("1991-01-01"),
                    fx_date("2012-12-31"), "Drawing blood for specimen", 26);
    mn_x__kbb_mce(b, 2024, fx_key("N40.1"), MN_MCE_MALE, 0, 124);
    mn_x__kbb_mce(b, 2024, fx_key("O24.419"), MN_MCE_MATERNITY, 9, 64);
    mn_x__kbb_mce(b, 2024, fx_key("O24.419"), MN_MCE_FEMALE, 0, 124);
    mn_x__kbb_mce(b, 2024, fx_key("G89.3"), MN_MCE_MANIFESTATION, 0, 124);

    /* A99001: vitamin D, CGS J15: Kentucky (15102) and Ohio (15202) */
    {
        mn_kbb_policy p = {MN_PK_ARTICLE,
                           "A99001",
                           3,
                           "Billing and Coding: "
                           "Vitamin D (test)",
                           fx_date("2020-01-01"),
                           MN_NODATE,
                           "L99001",
                           0};
        mn_x__kbb_policy(b, &p);
        mn_x__kbb_policy_code(b, MN_PK_ARTICLE, "A99001", 3, fx_key("82306"),
                              1);
        fx_contractor(b, "A99001", 3, "15102");
        fx_contractor(b, "A99001", 3, "15202");
        fx_dx(b, "A99001", 3, MN_DL_COVERED, 1, 0, "E55.9");
        fx_dx(b, "A99001", 3, MN_DL_COVERED, 1, 0, "E55.0");
        fx_dx(b, "A99001", 3, MN_DL_COVERED, 1, 0, "E11.65");
        fx_dx(b, "A99001", 3, MN_DL_NONCOVERED, 1, 0, "Z00.00");
    }
    /* A99002: two versions */
    {
        mn_kbb_policy v1 = {MN_PK_ARTICLE,
                            "A99002",
                            1,
                            "Iron (test)",
                            fx_date("2020-01-01"),
                            fx_date("2023-12-31"),
                            NULL,
                            0};
        mn_kbb_policy v2 = {
            MN_PK_ARTICLE,         "A99002",  2,    "Iron (test)",
            fx_date("2024-01-01"), MN_NODATE, NULL, 0};
        mn_x__kbb_policy(b, &v1);
        mn_x__kbb_policy(b, &v2);
        for (int v = 1; v <= 2; v++) {
            mn_x__kbb_policy_code(b, MN_PK_ARTICLE, "A99002", v,
                                  fx_key("83540"), 1);
            /* Northern and Southern California */
            fx_contractor(b, "A99002", v, "01112");
            fx_contractor(b, "A99002", v, "01182");
            fx_dx(b, "A99002", v, MN_DL_COVERED, 1, 0, "D50.9");
        }
        fx_dx(b, "A99002", 2, MN_DL_COVERED, 1, 0, "D51.0");
    }
    /* A99003: dual diagnosis, Noridian JE */
    {
        const char *para = "Codes with an asterisk require a secondary "
                           "diagnosis from Group 2.";
        static const char *const je[] = {"01112", "01182", "01212", "01312"};
        mn_x__kbb_policy_code(b, MN_PK_ARTICLE, "A99003", 0, fx_key("64582"),
                              1);
        for (size_t i = 0; i < sizeof(je) / sizeof(je[0]); i++)
            fx_contractor(b, "A99003", 0, je[i]);
        fx_dx(b, "A99003", 0, MN_DL_COVERED, 1, 1, "G47.33");
        fx_dx(b, "A99003", 0, MN_DL_COVERED, 2, 0, "Z68.30");
        mn_x__kbb_policy_group(b, MN_PK_ARTICLE, "A99003", 0, MN_DL_COVERED, 1,
                               para, strlen(para), NULL, 0);
    }
    /* A99004: no contractor known (the export gives none, no index):
       it may apply anywhere */
    {
        mn_x__kbb_policy_code(b, MN_PK_ARTICLE, "A99004", 1, fx_key("95810"),
                              1);
        fx_dx(b, "A99004", 1, MN_DL_COVERED, 1, 0, "G47.33");
    }
    /* lab NCDs */
    {
        mn_kbb_policy n21 = {MN_PK_NCD,
                             "190.21",
                             0,
                             "Glycated Hemoglobin/"
                             "Glycated Protein",
                             MN_NODATE,
                             MN_NODATE,
                             NULL,
                             MN_PF_LAB};
        mn_kbb_policy n15 = {MN_PK_NCD, "190.15",  0,    "Blood Counts",
                             MN_NODATE, MN_NODATE, NULL, MN_PF_LAB};
        mn_kbb_policy all = {MN_PK_NCD,
                             "ALL",
                             0,
                             "Non-covered for all lab "
                             "NCDs",
                             MN_NODATE,
                             MN_NODATE,
                             NULL,
                             MN_PF_LAB | MN_PF_ALL_LAB};
        mn_x__kbb_policy(b, &n21);
        mn_x__kbb_policy(b, &n15);
        mn_x__kbb_policy(b, &all);
        mn_x__kbb_policy_code(b, MN_PK_NCD, "190.21", 0, fx_key("83036"), 0);
        mn_x__kbb_policy_dx(b, MN_PK_NCD, "190.21", 0, MN_DL_COVERED, 0, false,
                            fx_key("E11.65"));
        mn_x__kbb_policy_dx(b, MN_PK_NCD, "190.21", 0, MN_DL_COVERED, 0, false,
                            fx_key("E11.9"));
        mn_x__kbb_policy_code(b, MN_PK_NCD, "190.15", 0, fx_key("85025"), 0);
        mn_x__kbb_policy_dx(b, MN_PK_NCD, "190.15", 0, MN_DL_NOT_SUPPORTED, 0,
                            false, fx_key("Z00.00"));
        mn_x__kbb_policy_dx(b, MN_PK_NCD, "ALL", 0, MN_DL_NONCOVERED, 0, false,
                            fx_key("R99"));
    }
    if (with_rules && (rc = mn_x__rules_add_builtin(b, &err)))
        goto done;
    rc = mn_x__kbb_serialize(b, "2026-11-01", bytes, len, &err);
done:
    mn_x__kbb_free(b);
    return rc;
}

#endif
