/*
 * test_kbinfo.c: what mednec/kbinfo.h says about knowledge bases:
 * mn_kb_info_render (what a KB covers, lacks and counts) and mn_kb_diff
 * (what an update changed), on the built-in KB and on two small KBs a
 * quarter apart.
 */
#define _POSIX_C_SOURCE 200809L

#include <jansson.h>

#include "harness.h"

#include "build/load/loaders.h"
#include "kb/kb_int.h"
#include "mednec.h"

static mn_src src_of(const char *name, const char *text)
{
    mn_src s;
    s.path = name;
    s.name = name;
    s.data = text;
    s.len = strlen(text);
    s.date = 0;
    return s;
}

static void ncci(mn_kbb *b, const char *name, const char *text)
{
    mn_src s = src_of(name, text);
    mn_report rep;
    mn_error err;
    memset(&rep, 0, sizeof(rep));
    mn_error_clear(&err);
    CHECK_INT(mn_x__load_ncci(b, &s, &rep, &err), MN_OK);
}

static void policy(mn_kbb *b, const char *id, int version, int32_t ending,
                   const char *codes, const char *covered)
{
    mn_kbb_policy p;
    memset(&p, 0, sizeof(p));
    p.kind = MN_PK_ARTICLE;
    p.id = id;
    p.version = version;
    p.title = "Billing and Coding: test";
    p.effective = mn_x__days_from_civil(2020, 1, 1);
    p.ending = ending;
    CHECK_INT(mn_x__kbb_policy(b, &p), MN_OK);
    for (const char *c = codes; c && *c; c += 5) {
        CHECK_INT(mn_x__kbb_policy_code(b, MN_PK_ARTICLE, id, version,
                                        mn_x__key(c, 5), 0),
                  MN_OK);
        if (c[5] == ',')
            c++;
    }
    for (const char *d = covered; d && *d;) {
        const char *e = strchr(d, ',');
        size_t l = e ? (size_t)(e - d) : strlen(d);
        CHECK_INT(mn_x__kbb_policy_dx(b, MN_PK_ARTICLE, id, version,
                                      MN_DL_COVERED, 1, false, mn_x__key(d, l)),
                  MN_OK);
        d = e ? e + 1 : d + l;
    }
}

/* Two KBs: a quarter and the next. */
static mn_kb *small_kb(int newer)
{
    mn_kbb *b = NULL;
    mn_error err;
    void *bytes = NULL;
    size_t len = 0;
    mn_kb *kb = NULL;
    int fy = newer ? 2025 : 2024;
    const char *ptp_head = "\"column1\",\"column2\",\"deletion_date\","
                           "\"modifier\",\"rationale\"\n";
    char text[512];

    mn_error_clear(&err);
    CHECK_INT(mn_x__kbb_new(&b), MN_OK);
    mn_x__kbb_icd(b, fy, mn_x__key("E119", 4), true, "x", 1);
    mn_x__kbb_icd(b, fy, mn_x__key("E11", 3), false, "x", 1);
    mn_x__kbb_icd(b, fy, mn_x__key(newer ? "E11A" : "E1100", newer ? 4 : 5),
                  true, "x", 1);
    mn_x__kbb_icd(b, fy, mn_x__key("R99", 3), !newer, "x", 1);
    mn_x__kbb_hcpcs(b, 2024, mn_x__key("G0439", 5),
                    mn_x__days_from_civil(2011, 1, 1), MN_NODATE, NULL, 0);
    mn_x__kbb_hcpcs(
        b, 2024, mn_x__key("G0202", 5), mn_x__days_from_civil(2001, 1, 1),
        newer ? mn_x__days_from_civil(2024, 12, 31) : MN_NODATE, NULL, 0);
    mn_x__kbb_hcpcs(b, 2024, mn_x__key(newer ? "G0500" : "G0400", 5),
                    mn_x__days_from_civil(2011, 1, 1), MN_NODATE, NULL, 0);
    mn_x__kbb_hcpcs_coverage(b, 2024, mn_x__key("G0439", 5), newer ? 'M' : 'C',
                             NULL, 0);
    mn_x__kbb_modifier(b, "GA", "x", 1);
    if (newer)
        mn_x__kbb_modifier(b, "X1", "x", 1);
    /* A1 unchanged, A2 revised (codes and diagnoses), A3 retired, A4
       removed, A5 added */
    policy(b, "A1", 1, MN_NODATE, "82306", "E55.9");
    policy(b, "A2", 1, MN_NODATE, "82306,82652", "E55.9,E55.0");
    if (newer)
        policy(b, "A2", 2, MN_NODATE, "82306,83036", "E55.9,E21.0");
    policy(b, "A3", 1, newer ? mn_x__days_from_civil(2024, 12, 31) : MN_NODATE,
           "82306", NULL);
    if (!newer)
        policy(b, "A4", 1, MN_NODATE, "82306", NULL);
    else
        policy(b, "A5", 1, MN_NODATE, "82306", NULL);
    snprintf(text, sizeof(text),
             "%s\"20610\",\"99213\",\"*\",1,\"x\"\n"
             "\"%s\",\"99213\",\"*\",1,\"x\"\n"
             "\"20550\",\"99213\",\"%s\",1,\"x\"\n",
             ptp_head, newer ? "20552" : "20551", newer ? "20241231" : "*");
    ncci(b,
         newer ? "ncci_ptp_prac_2024q4_all.csv"
               : "ncci_ptp_prac_2024q3_all"
                 ".csv",
         text);
    snprintf(text, sizeof(text),
             "\"hcpcs_code\",\"mue_units\",\"mue_mai\",\"mue_rationale\","
             "\"mue_service\"\n"
             "\"96372\",%d,3,\"x\",\"Practitioner\"\n"
             "\"%s\",1,1,\"x\",\"Practitioner\"\n",
             newer ? 4 : 3, newer ? "11043" : "11042");
    ncci(b, "ncci_mue_prac.csv", text);
    snprintf(text, sizeof(text),
             "\"primary_code\",\"add_on_code\",\"aoc_edit_type\"\n"
             "\"99291\",\"99292\",1\n\"%s\",\"99153\",1\n%s",
             newer ? "99152" : "99151", newer ? "\"CCCCC\",\"0054T\",2\n" : "");
    ncci(b, "ncci_aoc.csv", text);
    CHECK_INT(mn_x__kbb_serialize(b, "2026-01-01", &bytes, &len, &err), MN_OK);
    mn_x__kbb_free(b);
    CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err), MN_OK);
    mn_kb_bytes_free(bytes);
    return kb;
}

/* The strings of a JSON array, comma-joined. */
static const char *strs(json_t *a)
{
    static char buf[1024];
    size_t i;
    json_t *v;
    buf[0] = '\0';
    json_array_foreach(a, i, v)
    {
        const char *s = json_string_value(v);
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
                 i ? "," : "", s ? s : "?");
    }
    return buf;
}

static void test_diff(void)
{
    mn_kb *a = small_kb(0);
    mn_kb *z = small_kb(1);
    mn_kb_diff_summary s;
    mn_kb_diff_options o = MN_KB_DIFF_OPTIONS_INIT;
    mn_buf *buf = NULL;
    mn_error err;
    json_t *j;
    json_error_t je;

    CHECK(a && z);
    if (!a || !z)
        goto done;
    CHECK_INT(mn_buf_new(&buf, 0), MN_OK);
    /* counts only */
    CHECK_INT(mn_kb_diff(&s, NULL, a, z, NULL, MN_FORMAT_JSON, &err), MN_OK);
    CHECK_INT(s.icd_added, 1);
    CHECK_INT(s.icd_deleted, 1);
    CHECK_INT(s.icd_billable_changed, 1);
    CHECK_INT(s.hcpcs_added, 1);
    CHECK_INT(s.hcpcs_deleted, 1);
    CHECK_INT(s.hcpcs_terminated, 1);
    CHECK_INT(s.hcpcs_coverage_changed, 1);
    CHECK_INT(s.modifiers_added, 1);
    CHECK_INT(s.modifiers_deleted, 0);
    CHECK_INT(s.policies_added, 1);
    CHECK_INT(s.policies_revised, 1);
    CHECK_INT(s.policies_retired, 2);
    CHECK_INT(s.ptp_added, 1);
    CHECK_INT(s.ptp_deleted, 2); /* 20551/99213 gone, 20550/99213 ended */
    CHECK_INT(s.mue_added, 1);
    CHECK_INT(s.mue_deleted, 1);
    CHECK_INT(s.mue_changed, 1);
    CHECK_INT(s.aoc_added, 2); /* one for any primary (CCCCC) */
    CHECK_INT(s.aoc_deleted, 1);
    /* the same KB: nothing */
    CHECK_INT(mn_kb_diff(&s, NULL, a, a, NULL, MN_FORMAT_TEXT, &err), MN_OK);
    CHECK_INT(s.icd_added + s.policies_revised + s.ptp_added + s.mue_changed,
              0);

    /* JSON: every list with its count */
    CHECK_INT(mn_kb_diff(&s, buf, a, z, NULL, MN_FORMAT_JSON, &err), MN_OK);
    j = json_loads(mn_buf_data(buf), 0, &je);
    CHECK(j != NULL);
    if (j) {
        json_t *icd = json_object_get(j, "icd10cm");
        json_t *pol = json_object_get(j, "policies");
        json_t *rev = json_array_get(json_object_get(pol, "revised"), 0);
        json_t *ch = json_object_get(rev, "changes");
        CHECK_STR(strs(json_object_get(icd, "added")), "E11.A");
        CHECK_STR(strs(json_object_get(icd, "deleted")), "E11.00");
        CHECK_STR(json_string_value(json_object_get(icd, "new_version")),
                  "FY2025 (from 2024-10-01)");
        CHECK_STR(strs(json_object_get(json_object_get(j, "hcpcs"), "added")),
                  "G0500");
        CHECK_STR(json_string_value(json_object_get(rev, "id")), "A2");
        CHECK_INT(json_integer_value(json_object_get(rev, "old_version")), 1);
        CHECK_INT(json_integer_value(json_object_get(rev, "new_version")), 2);
        CHECK_STR(strs(json_object_get(json_object_get(ch, "codes"), "added")),
                  "83036");
        CHECK_STR(
            strs(json_object_get(json_object_get(ch, "codes"), "deleted")),
            "82652");
        CHECK_STR(
            strs(json_object_get(json_object_get(ch, "covered"), "added")),
            "E21.0");
        CHECK_STR(
            strs(json_object_get(json_object_get(ch, "covered"), "deleted")),
            "E55.0");
        CHECK_INT(json_integer_value(json_object_get(pol, "retired_count")), 2);
        CHECK_INT(json_integer_value(json_object_get(
                      json_object_get(j, "summary"), "ptp_deleted")),
                  2);
        {
            json_t *aoc = json_object_get(json_object_get(j, "ncci"), "aoc");
            json_t *any = json_array_get(json_object_get(aoc, "added"), 0);
            CHECK_STR(json_string_value(json_object_get(any, "addon")),
                      "0054T");
            CHECK(json_is_null(json_object_get(any, "primary")));
        }
        json_decref(j);
    }
    /* text, cut to one item per list */
    mn_buf_clear(buf);
    o.max_items = 1;
    CHECK_INT(mn_kb_diff(&s, buf, a, z, &o, MN_FORMAT_TEXT, &err), MN_OK);
    CHECK_CONTAINS(mn_buf_data(buf), "ICD-10-CM, newest versions FY2024 "
                                     "(from 2023-10-01) -> FY2025 (from "
                                     "2024-10-01): 1 added, 1 deleted");
    CHECK_CONTAINS(mn_buf_data(buf), "article A2 v1 -> v2");
    CHECK_CONTAINS(mn_buf_data(buf), "retired (2): article A3 v1 (ends "
                                     "2024-12-31) ... and 1 more");
    CHECK_CONTAINS(mn_buf_data(buf), "NCCI PTP edits in force, practitioner:"
                                     " 1 added, 2 deleted");
    o.version = 7;
    CHECK_INT(mn_kb_diff(&s, buf, a, z, &o, MN_FORMAT_TEXT, &err), MN_EINVAL);
    CHECK_INT(mn_kb_diff(&s, buf, NULL, z, NULL, MN_FORMAT_TEXT, &err),
              MN_EINVAL);
done:
    mn_buf_free(buf);
    mn_kb_free(a);
    mn_kb_free(z);
}

static void test_info(void)
{
    mn_kb *kb = NULL;
    mn_buf *buf = NULL;
    mn_kb_info_options o = MN_KB_INFO_OPTIONS_INIT;
    mn_source_kind miss[MN_SOURCE_KIND_END_];
    mn_error err;
    json_t *j;
    json_error_t je;

    CHECK_INT(mn_kb_open_builtin(&kb, &err), MN_OK);
    CHECK_INT(mn_buf_new(&buf, 0), MN_OK);
    if (!kb || !buf)
        goto done;
    CHECK_INT(mn_kb_info_render(buf, kb, NULL, MN_FORMAT_JSON, &err), MN_OK);
    j = json_loads(mn_buf_data(buf), 0, &je);
    CHECK(j != NULL);
    if (j) {
        json_t *cov = json_object_get(j, "coverage");
        json_t *c0 = json_array_get(cov, 0);
        json_t *covers = json_object_get(j, "covers");
        json_t *icd = json_array_get(covers, 0);
        json_t *p1 = json_array_get(json_object_get(icd, "periods"), 1);
        CHECK_STR(json_string_value(json_object_get(j, "source")), "builtin");
        CHECK_INT(json_integer_value(json_object_get(j, "format")),
                  mn_kb_format());
        CHECK_STR(json_string_value(json_object_get(c0, "kind")), "icd10cm");
        CHECK_STR(json_string_value(json_object_get(c0, "from")), "2021-01-01");
        CHECK(json_is_true(json_object_get(c0, "dated")));
        /* Jan 2021 and FY2022 join: one period, then FY2024 */
        CHECK_STR(json_string_value(json_object_get(icd, "kind")), "icd10cm");
        CHECK_STR(json_string_value(json_object_get(p1, "from")), "2023-10-01");
        CHECK_STR(json_string_value(json_object_get(p1, "to")), "2024-09-30");
        CHECK_CONTAINS(strs(json_object_get(j, "missing")), "mcd");
        CHECK(json_integer_value(json_object_get(json_object_get(j, "counts"),
                                                 "hcpcs_modifiers")) > 300);
        json_decref(j);
    }
    mn_buf_clear(buf);
    o.brief = 1;
    CHECK_INT(mn_kb_info_render(buf, kb, &o, MN_FORMAT_TEXT, &err), MN_OK);
    CHECK_CONTAINS(mn_buf_data(buf), "holds: ICD-10-CM 2021-01-01 to "
                                     "2022-09-30, 2023-10-01 to 2024-09-30\n");
    CHECK_CONTAINS(mn_buf_data(buf), "lacks: Medicare Code Editor, MCD");
    o.brief = 3;
    CHECK_INT(mn_kb_info_render(buf, kb, &o, MN_FORMAT_TEXT, &err), MN_EINVAL);
    CHECK_INT(mn_kb_missing(kb, miss, MN_SOURCE_KIND_END_), 10);
    CHECK_INT(miss[0], MN_SOURCE_MCE);
    CHECK_INT(mn_kb_missing(kb, NULL, 0), 10);
    CHECK_STR(mn_source_kind_name(MN_SOURCE_NCCI_MUE_DME), "ncci_mue_dme");
    CHECK_STR(mn_source_kind_name((mn_source_kind)99), "unknown");
done:
    mn_buf_free(buf);
    mn_kb_free(kb);
}

int main(void)
{
    RUN(test_diff);
    RUN(test_info);
    DONE();
}
