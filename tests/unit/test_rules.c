/*
 * test_rules.c: service rules: the language (errors with their
 * locations), the KB sections (round trip, validation at open), and the
 * checks through mn_check on a KB built with the builder from the
 * built-in packs and a test pack: each preventive rule on both sides of
 * its boundary, families, diagnosis- and modifier-conditioned rules,
 * age, sex, exclusions, places of service, requirements.
 */
#include <xxhash.h>

#include "check/check.h"
#include "harness.h"
#include "kb/kb_int.h"
#include "build/writer/kbb.h"
#include "mednec.h"
#include "mednec/history.h"
#include "build/writer/srules_build.h"

static mn_kb *kb;
static mn_ctx *ctx;
static mn_claim *claim;

/* Test rules for the statements the built-in packs do not use. */
static const char test_pack[] =
    "pack test-pack\n"
    "covers 2020-01-01\n" /* vouched: a rule out of force is no limit */
    "rule t.pos\n"
    "  effective 2020-01-01\n"
    "  source \"test: office or outpatient hospital only\"\n"
    "  codes 12345\n"
    "  pos-allow 11 22\n"
    "end\n"
    "rule t.pos.deny\n"
    "  effective 2020-01-01\n"
    "  source \"test: never inpatient\"\n"
    "  codes 12346\n"
    "  pos-deny 21 23\n"
    "end\n"
    "rule t.kx\n"
    "  effective 2020-01-01\n"
    "  source \"test: KX\"\n"
    "  codes 12347\n"
    "  requires kx \"the policy's coverage criteria are met\"\n"
    "end\n"
    "rule t.prior_auth\n"
    "  effective 2020-01-01\n"
    "  source \"test: prior authorization\"\n"
    "  codes 12348\n"
    "  requires prior-auth \"the contractor's approval\"\n"
    "end\n"
    "rule t.dated\n"
    "  effective 2022-01-01 to 2022-12-31\n"
    "  source \"test: 2022 only\"\n"
    "  codes 12349\n"
    "  frequency 1 per lifetime\n"
    "end\n"
    "rule t.calendar\n"
    "  effective 2020-01-01\n"
    "  source \"test: calendar year\"\n"
    "  codes 12350\n"
    "  frequency 2 per calendar-year\n"
    "end\n"
    "rule t.days\n"
    "  effective 2020-01-01\n"
    "  source \"test: rolling days\"\n"
    "  codes 12351\n"
    "  frequency 1 per 30 days\n"
    "end\n";

/*
 * KB and claims
 */

/* The code sets of the test KB: the diagnoses and HCPCS Level II codes
 * the tests use, valid on every date they use (fiscal years 2014 to 2027),
 * so that the rules are judged and no line lacks a code set (a KB without
 * one makes every line indeterminate: check/data.c). */
static int add_code_sets(mn_kbb *b)
{
    static const char *const dx[] = {
        "B19.20", "E03.9",  "E11.9",   "F17.210", "H27.01", "H52.4",
        "H90.3",  "I10",    "M17.11",  "R13.10",  "Z00.00", "Z11.4",
        "Z11.59", "Z12.11", "Z12.12",  "Z12.5",   "Z13.1",  "Z34.00",
        "Z72.51", "Z72.89", "Z87.891", "Z96.1",   "Z98.42", "Z00.01",
        "Z72.52", "Z72.53", "Z77.29",  "K92.1",   "Z34.80", "F10.10"};
    static const char *const hcpcs[] = {
        "G0101", "G0102", "G0103", "G0104", "G0105", "G0117", "G0118",
        "G0121", "G0328", "G0402", "G0438", "G0439", "G0442", "G0443",
        "G0444", "G0472", "G0475", "G0476", "Q0091", "V2020", "V2100",
        "V2200", "V2520", "V2599", "V2600", "V2632", "V5060", "V5299"};
    mn_kbb_cover c;
    int rc = MN_OK;

    for (int fy = 2014; fy <= 2027 && !rc; fy++) {
        for (size_t i = 0; i < sizeof(dx) / sizeof(dx[0]) && !rc; i++)
            rc = mn_x__kbb_icd(b, fy, mn_x__key(dx[i], strlen(dx[i])), true,
                               "test diagnosis", 14);
    }
    for (size_t i = 0; i < sizeof(hcpcs) / sizeof(hcpcs[0]) && !rc; i++)
        rc = mn_x__kbb_hcpcs(b, 2024, mn_x__key(hcpcs[i], 5),
                             mn_x__days_from_civil(2000, 1, 1), MN_NODATE, NULL,
                             0);
    memset(&c, 0, sizeof(c));
    c.kind = MN_SOURCE_HCPCS;
    c.from = mn_x__days_from_civil(2014, 1, 1);
    c.to = mn_x__days_from_civil(2027, 12, 31);
    c.label = "test codes";
    if (!rc)
        rc = mn_x__kbb_cover(b, &c);
    return rc;
}

static int build_kb(mn_kb **out, const char *extra, mn_error *err)
{
    mn_kbb *b = NULL;
    void *bytes = NULL;
    size_t len = 0;
    int rc;

    *out = NULL;
    mn_error_clear(err);
    if ((rc = mn_x__kbb_new(&b)))
        return rc;
    if ((rc = add_code_sets(b)) ||
        (extra && (rc = mn_x__rules_compile(b, "test.mnr", extra, strlen(extra),
                                            err))) ||
        (rc = mn_x__rules_add_builtin(b, err)) ||
        (rc = mn_x__kbb_serialize(b, "2026-11-01", &bytes, &len, err)))
        goto done;
    rc = mn_kb_open_buffer(out, bytes, len, 1, err);
done:
    mn_x__free(bytes);
    mn_x__kbb_free(b);
    return rc;
}

static const mn_result *check_json(const char *json,
                                   const mn_check_options *opts)
{
    const mn_result *res = NULL;
    mn_error err;
    mn_error_clear(&err);
    mn_claim_free(claim);
    claim = NULL;
    if (mn_claim_parse_json(&claim, json, strlen(json), NULL, &err)) {
        char line[700];
        fprintf(stderr, "parse: %s\n%s\n", mn_error_format(line, 700, &err),
                json);
        return NULL;
    }
    if (mn_check_with(&res, ctx, kb, claim, opts, &err)) {
        fprintf(stderr, "check: %s\n", err.message);
        return NULL;
    }
    return res;
}

/* Appends `items` (comma-separated) as a JSON array of strings. */
static size_t json_list(char *out, size_t size, const char *items)
{
    size_t n = 0;
    const char *p = items;
    n += (size_t)snprintf(out + n, size - n, "[");
    while (p && *p) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        n += (size_t)snprintf(out + n, size - n, "%s\"%.*s\"",
                              p == items ? "" : ",", (int)l, p);
        p = e ? e + 1 : NULL;
    }
    n += (size_t)snprintf(out + n, size - n, "]");
    return n;
}

/*
 * One line: `patient` is the JSON of the patient object's members,
 * `dx` and `mods` comma-separated, `hist` "CODE@DATE,CODE@DATE".
 */
static const mn_result *one(const char *patient, const char *dx,
                            const char *code, const char *date,
                            const char *mods, const char *hist)
{
    static char json[8192];
    size_t n = 0;
    const char *p = hist;

    n += (size_t)snprintf(
        json + n, sizeof(json) - n,
        "{\"id\":\"t\",\"patient\":{%s},\"diagnoses\":", patient);
    n += json_list(json + n, sizeof(json) - n, dx ? dx : "Z00.00");
    n += (size_t)snprintf(json + n, sizeof(json) - n,
                          ",\"lines\":[{\"code\":\"%s\",\"date\":\"%s\","
                          "\"modifiers\":",
                          code, date);
    n += json_list(json + n, sizeof(json) - n, mods ? mods : "");
    n += (size_t)snprintf(json + n, sizeof(json) - n, "}],\"history\":[");
    while (p && *p) {
        const char *at = strchr(p, '@');
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (!at || at - p != 5)
            break;
        n += (size_t)snprintf(json + n, sizeof(json) - n,
                              "%s{\"code\":\"%.5s\",\"date\":\"%.*s\"}",
                              p == hist ? "" : ",", p, (int)(l - 6), at + 1);
        p = e ? e + 1 : NULL;
    }
    snprintf(json + n, sizeof(json) - n, "]}");
    return check_json(json, NULL);
}

static const mn_finding *find(const mn_result *r, size_t line, const char *edit)
{
    if (!r || line >= r->n_lines)
        return NULL;
    for (size_t i = 0; i < r->lines[line].n_findings; i++) {
        if (!strcmp(r->lines[line].findings[i].edit->id, edit))
            return &r->lines[line].findings[i];
    }
    return NULL;
}

/* Number of findings from service rules on a line. */
static size_t rule_findings(const mn_result *r, size_t line)
{
    size_t n = 0;
    if (!r || line >= r->n_lines)
        return 0;
    for (size_t i = 0; i < r->lines[line].n_findings; i++) {
        const mn_finding *f = &r->lines[line].findings[i];
        n += f->policy_kind && !strcmp(f->policy_kind, "rule");
    }
    return n;
}

static const char *rule_of(const mn_finding *f)
{
    return f && f->policy_id ? f->policy_id : "(none)";
}

/* Line 1 of `r` has status `st` and, when `edit` is given, that finding
 * from rule `rule`; without `edit`, no finding from any rule. */
#define LINE_IS(r, st, edit, rule)                                             \
    do {                                                                       \
        const mn_result *r_ = (r);                                             \
        const char *e_ = (edit);                                               \
        CHECK(r_ != NULL);                                                     \
        if (r_) {                                                              \
            CHECK_STR(mn_status_name(r_->lines[0].status),                     \
                      mn_status_name(st));                                     \
            if (e_) {                                                          \
                CHECK(find(r_, 0, e_) != NULL);                                \
                CHECK_STR(rule_of(find(r_, 0, e_)), rule);                     \
            } else {                                                           \
                CHECK_INT(rule_findings(r_, 0), 0);                            \
            }                                                                  \
        }                                                                      \
    } while (0)

#define MSG(r, edit) (find((r), 0, (edit)) ? find((r), 0, (edit))->message : "")

#define WOMAN_54 "\"birth_date\":\"1970-03-10\",\"sex\":\"F\""
#define MAN_60 "\"birth_date\":\"1964-03-10\",\"sex\":\"M\""

/*
 * The language
 */

static int lang(const char *text, mn_error *err)
{
    mn_kbb *b = NULL;
    int rc;
    mn_error_clear(err);
    if (mn_x__kbb_new(&b))
        return MN_ENOMEM;
    rc = mn_x__rules_compile(b, "t.mnr", text, strlen(text), err);
    mn_x__kbb_free(b);
    return rc;
}

#define HEAD "rule r\n effective 2024-01-01\n source \"s\"\n"

/* `body` (after HEAD, lines 4...) fails with `msg` at line:col. */
#define LANG_ERR(body, msg, at_line, at_col)                                   \
    do {                                                                       \
        mn_error e_;                                                           \
        CHECK_INT(lang(HEAD body, &e_), MN_EINVAL);                            \
        CHECK_CONTAINS(e_.message, msg);                                       \
        CHECK_INT(e_.line, at_line);                                           \
        CHECK_INT(e_.column, at_col);                                          \
        CHECK_STR(e_.where, "t.mnr");                                          \
    } while (0)

static void test_language_ok(void)
{
    mn_error err;
    CHECK_INT(lang(HEAD " codes 77067 G0101-G0105 0001F-0003F\n"
                        " family each\n"
                        " frequency 2 per 12 months spacing 6 months\n"
                        " more-often-if \"documented need\"\n"
                        " when-dx Z12.31 Z13.* O09.9* z72.51\n"
                        " unless-dx Z34*\n"
                        " when-modifier TS ts\n"
                        " unless-modifier GA\n"
                        " when-age 40..\n"
                        " age 35..77 after-birthday\n"
                        " sex F\n"
                        " exclude \"a reason\" carc 49 rarc N130\n"
                        " pos-allow 11 22\n"
                        " pos-deny 21\n"
                        " requires documentation \"a note\"\n"
                        "end\n",
                   &err),
              MN_OK);
    /* every period form */
    CHECK_INT(lang(HEAD " codes 1 2\nend\n", &err), MN_EINVAL);
    CHECK_INT(lang("rule a\n effective 2024-01-01\n source \"s\"\n codes "
                   "G0439\n frequency 1 per 11 full-months-after\nend\n"
                   "rule b\n effective 2024-01-01\n source \"s\"\n codes "
                   "G0439\n frequency 1 per 365 days\nend\n"
                   "rule c\n effective 2024-01-01\n source \"s\"\n codes "
                   "G0439\n frequency 3 per calendar-year\nend\n"
                   "rule d\n effective 2024-01-01\n source \"s\"\n codes "
                   "G0439\n frequency 1 per 3 years spacing 30 days\nend\n"
                   "rule e\n effective 2024-01-01\n source \"s\"\n codes "
                   "any\n when-modifier GP\n requires kx \"x\"\nend\n"
                   "rule f\n effective 2024-01-01\n source \"s\"\n codes "
                   "G0439\n age ..64\n requires prior-auth \"x\"\nend\n",
                   &err),
              MN_OK);
    /* policy rules keep working next to service rules */
    CHECK_INT(lang("pack p\nrule n\n effective 2020-01-01\n source \"s\"\n "
                   "ncd 190.15 inverted\nend\n" HEAD " codes 77067\n sex F\n"
                   "end\n",
                   &err),
              MN_OK);
}

static void test_language_errors(void)
{
    mn_error err;
    char many[1024];
    size_t n;

    LANG_ERR(" codes 77067 X1\n frequency 1 per lifetime\nend\n",
             "'X1' is not a CPT or HCPCS code", 4, 14);
    LANG_ERR(" codes G0101-Q0091\n sex F\nend\n", "same letters", 4, 8);
    LANG_ERR(" codes 99397-99381\n sex F\nend\n", "LO <= HI", 4, 8);
    LANG_ERR(" codes 0001F-0003T\n sex F\nend\n", "same letters", 4, 8);
    LANG_ERR(" codes 10000-99999\n sex F\nend\n", "code range too long", 4, 8);
    LANG_ERR(" codes\nend\n", "expected one or more codes", 4, 2);
    LANG_ERR(" codes \"77067\"\nend\n", "a code is not quoted", 4, 8);
    LANG_ERR(" codes 77067\n frequncy 1 per lifetime\nend\n",
             "unknown statement 'frequncy'", 5, 2);
    LANG_ERR(" codes any 77067\n sex F\nend\n", "'codes any' takes no", 4, 2);
    LANG_ERR(" codes 77067\n when-dx 123\n sex F\nend\n",
             "'123' is not a diagnosis", 5, 10);
    LANG_ERR(" codes 77067\n unless-dx Z12.31000\n sex F\nend\n",
             "not a diagnosis", 5, 12);
    LANG_ERR(" codes 77067\n when-modifier GAX\n sex F\nend\n",
             "'GAX' is not a modifier", 5, 16);
    LANG_ERR(" codes 77067\n when-modifier A B C D E F G H I\n",
             "is not a modifier", 5, 16);
    LANG_ERR(" codes 77067\n when-modifier A1 A2 A3 A4 A5 A6 A7 A8 A9\n",
             "at most 8 modifiers", 5, 40);
    LANG_ERR(" codes 77067\n pos-allow 1\nend\n", "two digits", 5, 12);
    LANG_ERR(" codes 77067\n pos-deny 11 00\nend\n", "two digits", 5, 14);
    LANG_ERR(" codes 77067\n age 50..40\nend\n", "expected an age range", 5, 6);
    LANG_ERR(" codes 77067\n age 50\nend\n", "expected an age range", 5, 6);
    LANG_ERR(" codes 77067\n age ..\nend\n", "expected an age range", 5, 6);
    LANG_ERR(" codes 77067\n age x..\nend\n", "expected an age range", 5, 6);
    LANG_ERR(" codes 77067\n age 10..200\nend\n", "expected an age range", 5,
             6);
    LANG_ERR(" codes 77067\n age ..60 after-birthday\nend\n",
             "'after-birthday' needs a lower age", 5, 11);
    LANG_ERR(" codes 77067\n age 50..\n age 60..\nend\n", "one 'age", 6, 2);
    LANG_ERR(" codes 77067\n when-age 40\n sex F\nend\n",
             "expected an age range", 5, 11);
    LANG_ERR(" codes 77067\n sex X\nend\n", "'sex F' or 'sex M'", 5, 2);
    LANG_ERR(" codes 77067\n frequency 0 per lifetime\nend\n",
             "expected 'frequency N per PERIOD'", 5, 12);
    LANG_ERR(" codes 77067\n frequency 1 lifetime\nend\n",
             "expected 'frequency N per PERIOD'", 5, 12);
    LANG_ERR(" codes 77067\n frequency 1 per 12 weeks\nend\n",
             "expected days, months, years or full-months-after", 5, 21);
    LANG_ERR(" codes 77067\n frequency 1 per 0 days\nend\n",
             "days must be from 1", 5, 18);
    LANG_ERR(" codes 77067\n frequency 1 per 1300 months\nend\n",
             "months must be from 1", 5, 18);
    LANG_ERR(" codes 77067\n frequency 1 per 12\nend\n",
             "expected 'lifetime', 'calendar-year'", 5, 18);
    LANG_ERR(" codes 77067\n frequency 1 per lifetime extra\nend\n",
             "'spacing N UNIT'", 5, 27);
    LANG_ERR(" codes 77067\n frequency 2 per 12 months spacing 6\nend\n",
             "'spacing N UNIT'", 5, 28);
    LANG_ERR(" codes 77067\n frequency 2 per 12 months spacing 1 years\nend\n",
             "expected days, months or full-months-after", 5, 38);
    LANG_ERR(" codes 77067\n frequency 1 per lifetime\n frequency 1 per "
             "lifetime\nend\n",
             "one 'frequency' per rule", 6, 2);
    LANG_ERR(" codes 77067\n sex F\n more-often-if \"x\"\nend\n",
             "'more-often-if' needs a 'frequency'", 6, 2);
    LANG_ERR(" codes 77067\n family G0438\n sex F\nend\n",
             "'family' needs a 'frequency'", 5, 2);
    LANG_ERR(" codes 77067\n family each G0438\n frequency 1 per lifetime\n"
             "end\n",
             "'family each' takes no codes", 5, 2);
    LANG_ERR(" codes 77067\n more-often-if x\n", "expected 'more-often-if", 5,
             2);
    LANG_ERR(" age 50..\n sex F\nend\n", "rule 'r' has no 'codes'", 4, 1);
    LANG_ERR(" codes 77067\n when-dx Z12.31\nend\n", "limits nothing", 6, 1);
    LANG_ERR(" article A57759 statutory routine\nend\n",
             "expected 'statutory \"what the statute excludes\"'", 4, 17);
    LANG_ERR(" article A57759 statutory \"a\" \"b\"\nend\n",
             "expected 'statutory", 4, 17);
    LANG_ERR(" article A57759 statutory\nend\n", "expected 'statutory", 4, 17);
    CHECK_INT(
        lang(HEAD " lcd L33636 statutory \"routine foot care\"\nend\n", &err),
        MN_OK);
    LANG_ERR(" codes any\n kx-threshold 2,330\nend\n",
             "expected 'kx-threshold DOLLARS'", 5, 15);
    LANG_ERR(" codes any\n kx-threshold 12.345\nend\n", "at most two decimals",
             5, 15);
    LANG_ERR(" codes any\n review-threshold 0\nend\n",
             "expected 'review-threshold DOLLARS'", 5, 19);
    LANG_ERR(" codes any\n review-threshold 1000000.01\nend\n",
             "0.01 to 1000000", 5, 19);
    LANG_ERR(" codes any\n kx-threshold\nend\n", "expected 'kx-threshold", 5,
             2);
    LANG_ERR(" codes any\n kx-threshold 10\n kx-threshold 20\nend\n",
             "one 'kx-threshold' per rule", 6, 2);
    CHECK_INT(lang(HEAD " codes any\n when-modifier GO\n kx-threshold 2330.5\n"
                        " review-threshold 3000.00\nend\n",
                   &err),
              MN_OK);
    LANG_ERR(" ncd 190.15 inverted\n codes 77067\n",
             "either a policy rule or a service rule", 5, 2);
    LANG_ERR(" codes 77067\n ncd 190.15 inverted\n",
             "either a policy rule or a service rule", 5, 2);
    LANG_ERR(" codes 77067\n exclude reason\nend\n",
             "expected 'exclude \"reason\"'", 5, 2);
    LANG_ERR(" codes 77067\n exclude \"x\" carc\nend\n", "'carc CODE'", 5, 14);
    LANG_ERR(" codes 77067\n exclude \"x\" carc 1234\nend\n",
             "CARC code too long", 5, 19);
    LANG_ERR(" codes 77067\n exclude \"x\" rarc N-1\nend\n", "not a RARC", 5,
             19);
    LANG_ERR(" codes 77067\n requires \"x\"\nend\n",
             "expected 'requires documentation|prior-auth|kx", 5, 2);
    LANG_ERR(" codes 77067\n requires documentation\nend\n",
             "expected 'requires documentation|prior-auth|kx", 5, 2);
    LANG_ERR(" codes 77067\n requires kx \"a\"\n requires kx \"b\"\nend\n",
             "one 'requires' per rule", 6, 2);
    LANG_ERR(" codes 77067\n sex F\nend extra\n", "'end' takes nothing", 6, 5);
    LANG_ERR(" effective 2024-02-01\n", "one 'effective' per rule", 4, 2);
    /* a rule defined twice in one file */
    CHECK_INT(lang(HEAD " codes 77067\n sex F\nend\n" HEAD " codes 77067\n"
                        " sex F\nend\n",
                   &err),
              MN_EINVAL);
    CHECK_CONTAINS(err.message, "rule 'r' is defined twice");
    CHECK_INT(err.line, 7);
    /* too many words on a line */
    n = (size_t)snprintf(many, sizeof(many), HEAD " codes");
    for (int i = 0; i < 70; i++)
        n += (size_t)snprintf(many + n, sizeof(many) - n, " %05d", 10000 + i);
    snprintf(many + n, sizeof(many) - n, "\n sex F\nend\n");
    CHECK_INT(lang(many, &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "continue the list on another line");
    CHECK_INT(err.line, 4);
    /* ...which a list may do */
    CHECK_INT(lang(HEAD " codes 10000 10001\n codes 10002\n when-dx Z13.1\n"
                        " when-dx Z13.2\n sex F\nend\n",
                   &err),
              MN_OK);
}

/*
 * The KB sections
 */

static const mn_srules_view *view(const mn_kb *k)
{
    return k ? k->ext_view[MN_SRULES_VIEW] : NULL;
}

static const kb_srule *rule_named(const mn_kb *k, const char *id,
                                  uint32_t *index)
{
    const mn_srules_view *v = view(k);
    for (size_t i = 0; v && i < v->n_rule; i++) {
        if (!strcmp(kb_s(k, v->rule[i].id), id)) {
            if (index)
                *index = (uint32_t)i;
            return &v->rule[i];
        }
    }
    return NULL;
}

/* Number of index entries of `code` pointing at rule `ri`. */
static size_t index_hits(const mn_kb *k, const char *code, uint32_t ri)
{
    const mn_srules_view *v = view(k);
    mn_key key = mn_x__key(code, strlen(code));
    size_t n = 0;
    for (size_t i = 0; v && i < v->n_idx; i++)
        n += v->idx[i].code == key && v->idx[i].rule == ri;
    return n;
}

static void test_compile_round_trip(void)
{
    const char *pack = "pack rt\n"
                       "rule rt.one\n"
                       "  effective 2024-01-01 to 2025-12-31\n"
                       "  source \"round trip\"\n"
                       "  codes 99381-99387 G0439 G0439 0001F-0003F\n"
                       "  family G0439 G0438 G0439\n"
                       "  frequency 2 per 12 months spacing 6 months\n"
                       "  more-often-if \"documented\"\n"
                       "  when-dx Z13.1 O09.9*\n"
                       "  unless-dx Z34.*\n"
                       "  when-modifier ts\n"
                       "  unless-modifier GA GZ\n"
                       "  age 50.. after-birthday\n"
                       "  when-age 40..80\n"
                       "  sex M\n"
                       "  exclude \"because\" carc 49\n"
                       "  pos-allow 11 99 64\n"
                       "  pos-deny 21\n"
                       "  requires prior-auth \"an approval\"\n"
                       "end\n"
                       "rule rt.any\n"
                       "  effective 2024-01-01\n"
                       "  source \"any code\"\n"
                       "  codes any\n"
                       "  when-modifier GN\n"
                       "  frequency 1 per 1 day\n"
                       "end\n";
    mn_kbb *b = NULL;
    void *b1 = NULL;
    void *b2 = NULL;
    size_t l1 = 0;
    size_t l2 = 0;
    mn_kb *k = NULL;
    mn_error err;
    uint32_t ri = 0;
    const kb_srule *r;
    const mn_srules_view *v;

    mn_error_clear(&err);
    /* the same input gives the same bytes */
    for (int pass = 0; pass < 2; pass++) {
        CHECK_INT(mn_x__kbb_new(&b), MN_OK);
        CHECK_INT(mn_x__rules_compile(b, "rt.mnr", pack, strlen(pack), &err),
                  MN_OK);
        CHECK_INT(mn_x__kbb_serialize(b, "2026-01-01", pass ? &b2 : &b1,
                                      pass ? &l2 : &l1, &err),
                  MN_OK);
        mn_x__kbb_free(b);
        b = NULL;
    }
    CHECK(l1 == l2 && l1 && memcmp(b1, b2, l1) == 0);
    CHECK_INT(mn_kb_open_buffer(&k, b1, l1, 1, &err), MN_OK);
    v = view(k);
    CHECK(v != NULL);
    if (!v)
        goto done;
    CHECK_INT(v->n_rule, 2);
    CHECK_INT(v->n_any, 1);
    /* 7 + 1 (deduplicated) + 3 codes, plus the any entry */
    CHECK_INT(v->n_idx, 12);
    for (size_t i = 1; i < v->n_idx; i++)
        CHECK(v->idx[i - 1].code < v->idx[i].code ||
              (v->idx[i - 1].code == v->idx[i].code &&
               v->idx[i - 1].rule < v->idx[i].rule));
    r = rule_named(k, "rt.one", &ri);
    CHECK(r != NULL);
    if (!r)
        goto done;
    CHECK_INT(index_hits(k, "99384", ri), 1);
    CHECK_INT(index_hits(k, "99388", ri), 0);
    CHECK_INT(index_hits(k, "0002F", ri), 1);
    CHECK_INT(index_hits(k, "G0439", ri), 1);
    CHECK_STR(kb_s(k, r->source), "round trip");
    CHECK_STR(kb_s(k, r->pack), "rt");
    CHECK_STR(kb_s(k, r->exclude), "because");
    CHECK_STR(kb_s(k, r->doc), "an approval");
    CHECK_STR(kb_s(k, r->more_often), "documented");
    CHECK_INT(r->req_kind, SR_REQ_PRIOR_AUTH);
    CHECK_STR(r->carc, "49");
    CHECK_STR(r->rarc, "");
    CHECK_INT(r->effective, mn_x__days_from_civil(2024, 1, 1));
    CHECK_INT(r->ending, mn_x__days_from_civil(2025, 12, 31));
    CHECK_INT(r->freq_unit, MN_FREQ_MONTHS);
    CHECK_INT(r->freq_n, 2);
    CHECK_INT(r->freq_period, 12);
    CHECK_INT(r->spacing_unit, MN_FREQ_MONTHS);
    CHECK_INT(r->spacing, 6);
    CHECK_INT(r->sex, 'M');
    CHECK_INT(r->age_lo, 50);
    CHECK_INT(r->age_hi, SR_AGE_NONE);
    CHECK_INT(r->when_age_lo, 40);
    CHECK_INT(r->when_age_hi, 80);
    CHECK(r->flags & SR_F_AFTER_BIRTHDAY);
    CHECK(r->flags & SR_F_WHEN_AGE);
    CHECK(!(r->flags & SR_F_FAMILY_EACH));
    CHECK_INT(r->n_when_mod, 1);
    CHECK(r->when_mod[0][0] == 'T' && r->when_mod[0][1] == 'S');
    CHECK_INT(r->n_unless_mod, 2);
    CHECK(r->pos_allow[0] >> 11 & 1);
    CHECK(r->pos_allow[1] >> (99 - 64) & 1);
    CHECK(r->pos_allow[1] >> 0 & 1);
    CHECK(!(r->pos_allow[0] >> 21 & 1));
    CHECK(r->pos_deny[0] >> 21 & 1);
    CHECK_INT(r->n_when_dx, 2);
    CHECK_INT(r->n_unless_dx, 1);
    CHECK(v->dx[r->dx_first].key == mn_x__key("Z131", 4));
    CHECK(v->dx[r->dx_first].mask == ~(uint64_t)0);
    CHECK(v->dx[r->dx_first + 1].key == mn_x__key("O099", 4));
    CHECK(v->dx[r->dx_first + 1].mask == 0xffffffff00000000ULL);
    CHECK(v->dx[r->dx_first + 2].key == mn_x__key("Z34", 3));
    /* the family, sorted and without the duplicate */
    CHECK_INT(r->n_fam, 2);
    CHECK(v->fam[r->fam_first] == mn_x__key("G0438", 5));
    CHECK(v->fam[r->fam_first + 1] == mn_x__key("G0439", 5));
    r = rule_named(k, "rt.any", NULL);
    CHECK(r && (r->flags & SR_F_ANY_CODE) && (r->flags & SR_F_FAMILY_EACH));
    CHECK(r && r->freq_unit == MN_FREQ_DAYS && r->freq_period == 1);
done:
    mn_kb_free(k);
    mn_x__free(b1);
    mn_x__free(b2);
}

/* A pack given to the build comes first and overrides a built-in rule of
 * the same id; the built-in packs hold no duplicate. */
static void test_override_and_builtin(void)
{
    const char *over = "rule aaa.once\n effective 2024-01-01\n source "
                       "\"local policy\"\n codes 76706\n frequency 2 per "
                       "lifetime\nend\n";
    mn_kb *k = NULL;
    mn_kb *plain = NULL;
    mn_error err;
    const kb_srule *r;

    CHECK_INT(build_kb(&k, over, &err), MN_OK);
    CHECK_INT(mn_kb_open_builtin(&plain, &err), MN_OK);
    r = rule_named(k, "aaa.once", NULL);
    CHECK(r && r->freq_n == 2);
    CHECK_STR(r ? kb_s(k, r->source) : "", "local policy");
    CHECK(view(k) && view(plain) && view(k)->n_rule == view(plain)->n_rule);
    r = rule_named(plain, "aaa.once", NULL);
    CHECK(r && r->freq_n == 1);
    /* every built-in rule carries a source and an effective date */
    for (size_t i = 0; view(plain) && i < view(plain)->n_rule; i++) {
        CHECK(view(plain)->rule[i].source.len > 0);
        CHECK(view(plain)->rule[i].effective != MN_NODATE);
    }
    CHECK(view(plain) && view(plain)->n_rule >= 35);
    mn_kb_free(k);
    mn_kb_free(plain);
}

/* A copy of `bytes` with one section's record changed by `edit`, then
 * re-checksummed; returns the open result. */
static int open_modified(const void *bytes, size_t len, uint32_t id,
                         void (*edit)(void *sec, size_t sec_len), mn_error *err)
{
    unsigned char *copy = malloc(len);
    kb_header *h = (kb_header *)copy;
    kb_section *secs = (kb_section *)(copy + sizeof(*h));
    mn_kb *k = NULL;
    int rc;

    memcpy(copy, bytes, len);
    for (uint32_t i = 0; i < h->n_sections; i++) {
        if (secs[i].id == id)
            edit(copy + secs[i].offset, secs[i].length);
    }
    h->checksum = XXH3_64bits(copy + sizeof(*h), len - sizeof(*h));
    mn_error_clear(err);
    rc = mn_kb_open_buffer(&k, copy, len, 1, err);
    mn_kb_free(k);
    free(copy);
    return rc;
}

static void bad_unit(void *sec, size_t len)
{
    if (len >= sizeof(kb_srule))
        ((kb_srule *)sec)[0].freq_unit = 77;
}

static void bad_order(void *sec, size_t len)
{
    kb_srindex *x = sec;
    if (len >= 2 * sizeof(kb_srindex)) {
        kb_srindex t = x[len / sizeof(*x) - 1];
        x[len / sizeof(*x) - 1] = x[0];
        x[0] = t;
    }
}

static void bad_rule_ref(void *sec, size_t len)
{
    if (len >= sizeof(kb_srindex))
        ((kb_srindex *)sec)[len / sizeof(kb_srindex) - 1].rule = 100000;
}

static void bad_string(void *sec, size_t len)
{
    if (len >= sizeof(kb_srule))
        ((kb_srule *)sec)[0].source.off = 0x7fffffff;
}

static void bad_dx_range(void *sec, size_t len)
{
    if (len >= sizeof(kb_srule))
        ((kb_srule *)sec)[0].n_when_dx = 1000000;
}

static void bad_dates(void *sec, size_t len)
{
    if (len >= sizeof(kb_srule)) {
        ((kb_srule *)sec)[0].effective = 20000;
        ((kb_srule *)sec)[0].ending = 10000;
    }
}

static void test_validation_at_open(void)
{
    mn_kbb *b = NULL;
    void *bytes = NULL;
    size_t len = 0;
    mn_error err;

    mn_error_clear(&err);
    CHECK_INT(mn_x__kbb_new(&b), MN_OK);
    CHECK_INT(mn_x__rules_add_builtin(b, &err), MN_OK);
    CHECK_INT(mn_x__kbb_serialize(b, "2026-01-01", &bytes, &len, &err), MN_OK);
    mn_x__kbb_free(b);
    if (!bytes)
        return;
    CHECK_INT(open_modified(bytes, len, SR_SEC_RULE, bad_unit, &err),
              MN_EBADKB);
    CHECK_CONTAINS(err.message, "service rules: frequency");
    CHECK_INT(open_modified(bytes, len, SR_SEC_INDEX, bad_order, &err),
              MN_EBADKB);
    CHECK_CONTAINS(err.message, "service rules: index");
    CHECK_INT(open_modified(bytes, len, SR_SEC_INDEX, bad_rule_ref, &err),
              MN_EBADKB);
    CHECK_CONTAINS(err.message, "index entry");
    CHECK_INT(open_modified(bytes, len, SR_SEC_RULE, bad_string, &err),
              MN_EBADKB);
    CHECK_CONTAINS(err.message, "string reference");
    CHECK_INT(open_modified(bytes, len, SR_SEC_RULE, bad_dx_range, &err),
              MN_EBADKB);
    CHECK_CONTAINS(err.message, "diagnosis range");
    CHECK_INT(open_modified(bytes, len, SR_SEC_RULE, bad_dates, &err),
              MN_EBADKB);
    CHECK_CONTAINS(err.message, "effective dates");
    mn_x__free(bytes);
}

/*
 * The checks: preventive services
 */

static void test_awv(void)
{
    const mn_result *r;
    const mn_finding *f;

    r = one(WOMAN_54, NULL, "G0439", "2024-06-30", NULL, "G0438@2023-07-15");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded", "awv.subsequent");
    f = find(r, 0, "frequency.exceeded");
    if (f) {
        CHECK_CONTAINS(f->message, "2023-07-15");
        CHECK_CONTAINS(f->message, "payable again from 2024-07-01");
        CHECK_CONTAINS(f->message, "11 full months");
        CHECK_CONTAINS(f->message, "G0438, G0439");
        CHECK_STR(f->carc, "151");
        CHECK_STR(f->policy_kind, "rule");
        CHECK_CONTAINS(f->source, "medicare-facts 3.2");
        CHECK(f->severity == MN_SEVERITY_DENY);
    }
    /* a frequency denial is a medical-necessity denial: ABN, GA */
    CHECK_STR(r ? mn_abn_name(r->lines[0].abn) : "", "recommended");
    CHECK(r && r->lines[0].n_suggested == 1 &&
          !strcmp(r->lines[0].suggested[0], "GA"));
    r = one(WOMAN_54, NULL, "G0439", "2024-07-01", NULL, "G0438@2023-07-15");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one(WOMAN_54, NULL, "G0439", "2024-06-30", NULL, "G0439@2023-07-15");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded", "awv.subsequent");
    /* with GA the ABN is on file */
    r = one(WOMAN_54, NULL, "G0439", "2024-06-30", "GA", "G0439@2023-07-15");
    CHECK_STR(r ? mn_abn_name(r->lines[0].abn) : "", "on_file");
    /* the initial AWV once per lifetime */
    r = one(WOMAN_54, NULL, "G0438", "2024-06-30", NULL, "G0438@2015-01-01");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded", "awv.initial.once");
    CHECK_CONTAINS(MSG(r, "frequency.exceeded"), "not payable again");
    CHECK_CONTAINS(MSG(r, "frequency.exceeded"), "2015-01-01");
    /* not within 12 months of the IPPE */
    r = one(WOMAN_54, NULL, "G0438", "2024-07-14", NULL, "G0402@2023-07-15");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "awv.initial.after_ippe");
    CHECK_CONTAINS(MSG(r, "frequency.exceeded"), "from 2024-07-15");
    r = one(WOMAN_54, NULL, "G0438", "2024-07-15", NULL, "G0402@2023-07-15");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one(WOMAN_54, NULL, "G0402", "2024-07-15", NULL, "G0402@2010-07-15");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded", "ippe.once");
    /* before the rules take effect the pack does not judge the line, and
       says so: the built-in preventive pack covers its rules' span, from
       2024-01-01 (not a silent "covered") */
    r = one(WOMAN_54, NULL, "G0439", "2023-12-31", NULL, "G0439@2023-07-15");
    LINE_IS(r, MN_STATUS_INDETERMINATE, "kb.outside_range", "awv.subsequent");
    CHECK_CONTAINS(MSG(r, "kb.outside_range"), "medicare-preventive");
    CHECK_CONTAINS(MSG(r, "kb.outside_range"), "from 2024-01-01");
    CHECK(find(r, 0, "frequency.exceeded") == NULL);
}

static void test_mammography(void)
{
    const mn_result *r;

    r = one(WOMAN_54, "Z00.00", "77067", "2024-05-31", NULL,
            "77067@2023-06-30");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "mammography.annual");
    CHECK_CONTAINS(MSG(r, "frequency.exceeded"), "from 2024-06-01");
    r = one(WOMAN_54, "Z00.00", "77067", "2024-06-01", NULL,
            "77067@2023-06-30");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    /* 35-39: one baseline */
    r = one("\"birth_date\":\"1987-01-01\",\"sex\":\"F\"", NULL, "77067",
            "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one("\"birth_date\":\"1987-01-01\",\"sex\":\"F\"", NULL, "77067",
            "2024-06-01", NULL, "77067@2023-01-10");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "mammography.baseline");
    CHECK_CONTAINS(MSG(r, "frequency.exceeded"), "not payable again");
    /* at 40, the baseline of 39 counts for the annual rule */
    r = one("\"birth_date\":\"1984-01-01\",\"sex\":\"F\"", NULL, "77067",
            "2024-06-01", NULL, "77067@2023-12-01");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "mammography.annual");
    CHECK_CONTAINS(MSG(r, "frequency.exceeded"), "from 2024-12-01");
    /* under 35 */
    r = one("\"birth_date\":\"1994-01-01\",\"sex\":\"F\"", NULL, "77067",
            "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "age.out_of_range", "mammography.age");
    CHECK_STR(find(r, 0, "age.out_of_range")
                  ? find(r, 0, "age.out_of_range")->carc
                  : "",
              "6");
    CHECK_CONTAINS(MSG(r, "age.out_of_range"), "35 and over; the patient "
                                               "is 30");
    CHECK_STR(r ? mn_abn_name(r->lines[0].abn) : "", "recommended");
    /* the day before and the day of the 35th birthday */
    r = one("\"birth_date\":\"1989-06-02\",\"sex\":\"F\"", NULL, "77067",
            "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "age.out_of_range", "mammography.age");
    r = one("\"birth_date\":\"1989-06-01\",\"sex\":\"F\"", NULL, "77067",
            "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    /* men */
    r = one(MAN_60, NULL, "77067", "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "sex.mismatch", "mammography.sex");
    CHECK_STR(find(r, 0, "sex.mismatch") ? find(r, 0, "sex.mismatch")->carc
                                         : "",
              "7");
    /* no age, no sex: indeterminate, said once per line */
    r = one("\"sex\":\"F\"", NULL, "77067", "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_INDETERMINATE, "age.unknown", "mammography.age");
    CHECK(find(r, 0, "age.unknown") &&
          find(r, 0, "age.unknown")->severity == MN_SEVERITY_REVIEW);
    CHECK_INT(rule_findings(r, 0), 1);
    r = one("\"birth_date\":\"1970-03-10\"", NULL, "77067", "2024-06-01", NULL,
            "");
    LINE_IS(r, MN_STATUS_INDETERMINATE, "sex.unknown", "mammography.sex");
    /* an age instead of a birth date */
    r = one("\"age\":54,\"sex\":\"F\"", NULL, "77067", "2024-06-01", NULL,
            "77067@2023-07-01");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "mammography.annual");
}

static void test_pelvic(void)
{
    const mn_result *r;

    /* normal risk: 24 months */
    r = one(WOMAN_54, "Z00.00", "Q0091", "2024-01-09", NULL,
            "Q0091@2022-01-10");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "pelvic.normal_risk");
    CHECK_CONTAINS(MSG(r, "frequency.exceeded"), "from 2024-01-10");
    r = one(WOMAN_54, "Z00.00", "Q0091", "2024-01-10", NULL,
            "Q0091@2022-01-10");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one(WOMAN_54, "Z00.00", "Q0091", "2024-06-10", NULL,
            "Q0091@2023-06-10");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "pelvic.normal_risk");
    /* high risk (a pointed Z72.51): 12 months */
    r = one(WOMAN_54, "Z72.51", "Q0091", "2024-06-09", NULL,
            "Q0091@2023-06-10");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded", "pelvic.high_risk");
    r = one(WOMAN_54, "Z72.51", "Q0091", "2024-06-10", NULL,
            "Q0091@2023-06-10");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    /* each code on its own */
    r = one(WOMAN_54, "Z00.00", "G0101", "2024-06-10", NULL,
            "Q0091@2023-06-10");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one(MAN_60, "Z00.00", "G0101", "2024-06-10", NULL, "");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "sex.mismatch", "pelvic.sex");
    /* HPV co-test: women 30-65, every 5 years */
    r = one(WOMAN_54, NULL, "G0476", "2024-06-09", NULL, "G0476@2019-06-10");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded", "hpv.cotest");
    r = one(WOMAN_54, NULL, "G0476", "2024-06-10", NULL, "G0476@2019-06-10");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one("\"birth_date\":\"1958-01-01\",\"sex\":\"F\"", NULL, "G0476",
            "2024-06-10", NULL, "");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "age.out_of_range", "hpv.cotest");
}

static void test_prostate(void)
{
    const char *m50 = "\"birth_date\":\"1974-06-15\",\"sex\":\"M\"";
    const mn_result *r;

    /* from the day after the 50th birthday */
    r = one(m50, "Z12.5", "G0103", "2024-06-15", NULL, "");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "age.out_of_range", "prostate.screening");
    CHECK_CONTAINS(MSG(r, "age.out_of_range"), "day after the patient turns "
                                               "50");
    r = one(m50, "Z12.5", "G0103", "2024-06-16", NULL, "");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one(m50, "Z12.5", "G0103", "2024-06-14", NULL, "");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "age.out_of_range", "prostate.screening");
    CHECK_CONTAINS(MSG(r, "age.out_of_range"), "the patient is 49");
    /* with only an age, 50 is enough */
    r = one("\"age\":50,\"sex\":\"M\"", "Z12.5", "G0103", "2024-06-16", NULL,
            "");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    /* annual, each code on its own */
    r = one(MAN_60, "Z12.5", "G0103", "2024-05-31", NULL, "G0103@2023-06-20");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "prostate.screening");
    r = one(MAN_60, "Z12.5", "G0103", "2024-06-01", NULL, "G0103@2023-06-20");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one(MAN_60, "Z12.5", "G0102", "2024-05-31", NULL, "G0103@2023-06-20");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one(WOMAN_54, "Z12.5", "G0102", "2024-05-31", NULL, "");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "sex.mismatch", "prostate.screening");
}

/* `code` on 2024-06-09 with diagnosis `dx`, after an 82270 on 2024-01-10
 * billed with the diagnoses `prior_dx` (JSON strings). */
static const mn_result *fobt_after(const char *code, const char *dx,
                                   const char *prior_dx)
{
    char json[1024];
    snprintf(json, sizeof(json),
             "{\"patient\":{" WOMAN_54 "},\"diagnoses\":[\"%s\"],"
             "\"lines\":[{\"code\":\"%s\",\"date\":\"2024-06-09\"}],"
             "\"history\":[{\"code\":\"82270\",\"date\":\"2024-01-10\","
             "\"diagnoses\":[%s]}]}",
             dx, code, prior_dx);
    return check_json(json, NULL);
}

static void test_colorectal(void)
{
    const mn_result *r;

    r = one("\"birth_date\":\"1979-06-02\",\"sex\":\"F\"", "Z12.11", "G0121",
            "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "age.out_of_range",
            "crc.colonoscopy.average_risk");
    r = one("\"birth_date\":\"1979-06-01\",\"sex\":\"F\"", "Z12.11", "G0121",
            "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    /* 120 months, as stated */
    r = one(WOMAN_54, "Z12.11", "G0121", "2024-06-09", NULL,
            "G0121@2014-06-10");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "crc.colonoscopy.average_risk");
    CHECK_CONTAINS(MSG(r, "frequency.exceeded"), "from 2024-06-10");
    r = one(WOMAN_54, "Z12.11", "G0121", "2024-06-10", NULL,
            "G0121@2014-06-10");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    /* 48 months after a screening sigmoidoscopy */
    r = one(WOMAN_54, "Z12.11", "G0121", "2024-06-09", NULL,
            "G0104@2020-06-10");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "crc.colonoscopy.after_sigmoidoscopy");
    r = one(WOMAN_54, "Z12.11", "G0121", "2024-06-10", NULL,
            "G0104@2020-06-10");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    /* high risk: 23 full months after the month */
    r = one(WOMAN_54, NULL, "G0105", "2024-04-30", NULL, "G0105@2022-05-10");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "crc.colonoscopy.high_risk");
    r = one(WOMAN_54, NULL, "G0105", "2024-05-01", NULL, "G0105@2022-05-10");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    /* stool tests: 82270 and G0328 share 12 months */
    r = one(WOMAN_54, "Z12.11", "G0328", "2024-06-09", NULL,
            "82270@2023-06-10");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "crc.fobt.immunoassay");
    CHECK_CONTAINS(MSG(r, "frequency.exceeded"), "82270, G0328");
    r = one(WOMAN_54, "Z12.11", "G0328", "2024-06-10", NULL,
            "82270@2023-06-10");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one(WOMAN_54, "Z12.12", "82270", "2024-06-09", NULL,
            "G0328@2023-06-10");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded", "crc.fobt.guaiac");
    /* 82270 without a screening diagnosis is diagnostic: no limit */
    r = one(WOMAN_54, "I10", "82270", "2024-06-09", NULL, "G0328@2023-06-10");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    /* a prior 82270 whose diagnoses are known counts only when it was a
       screening: against 82270 itself and against G0328, which shares the
       limit */
    r = fobt_after("82270", "Z12.11", "\"K92.1\"");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = fobt_after("G0328", "Z12.11", "\"K92.1\",\"R19.5\"");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = fobt_after("82270", "Z12.11", "\"I10\",\"Z12.11\"");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded", "crc.fobt.guaiac");
    r = fobt_after("G0328", "Z12.11", "\"Z12.12\"");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "crc.fobt.immunoassay");
    /* more diagnoses than a prior service keeps: treated as unknown */
    r = fobt_after("G0328", "Z12.11",
                   "\"K92.1\",\"R19.5\",\"I10\",\"E11.9\",\"E78.5\"");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "crc.fobt.immunoassay");
    /* a G0328 (no diagnosis condition of its own) counts whatever its
       diagnoses */
    r = one(WOMAN_54, "Z12.11", "82270", "2024-06-09", NULL, NULL);
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = check_json("{\"patient\":{" WOMAN_54 "},\"diagnoses\":[\"Z12.11\"],"
                   "\"lines\":[{\"code\":\"82270\",\"date\":\"2024-06-09\"}],"
                   "\"history\":[{\"code\":\"G0328\",\"date\":"
                   "\"2024-01-10\",\"diagnoses\":[\"K92.1\"]}]}",
                   NULL);
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded", "crc.fobt.guaiac");
    /* on one claim: a diagnostic 82270 line does not use up the G0328 */
    r = check_json("{\"patient\":{" WOMAN_54 "},\"diagnoses\":[\"Z12.11\","
                   "\"K92.1\"],\"lines\":[{\"code\":\"82270\",\"date\":"
                   "\"2024-06-01\",\"dx_pointers\":[2]},{\"code\":\"G0328\","
                   "\"date\":\"2024-06-09\",\"dx_pointers\":[1]}]}",
                   NULL);
    CHECK(r && r->lines[1].status == MN_STATUS_COVERED);
    /* mt-sDNA: 45 and over, every 3 years */
    r = one(WOMAN_54, NULL, "81528", "2024-08-30", NULL, "81528@2021-08-31");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded", "crc.mtsdna");
    r = one(WOMAN_54, NULL, "81528", "2024-08-31", NULL, "81528@2021-08-31");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one("\"birth_date\":\"1980-01-01\",\"sex\":\"M\"", NULL, "81528",
            "2024-08-31", NULL, "");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "age.out_of_range", "crc.mtsdna");
}

static void test_bone_aaa_lung(void)
{
    const mn_result *r;
    const mn_finding *f;

    /* more often when documented: a review, the line conditional */
    r = one(WOMAN_54, NULL, "77080", "2024-04-30", NULL, "77080@2022-05-10");
    LINE_IS(r, MN_STATUS_CONDITIONAL, "frequency.exceeded", "bone_mass.dxa");
    f = find(r, 0, "frequency.exceeded");
    CHECK(f && f->severity == MN_SEVERITY_REVIEW && f->carc == NULL);
    CHECK_CONTAINS(f ? f->message : "", "More often is covered when "
                                        "documented");
    CHECK_STR(r ? mn_abn_name(r->lines[0].abn) : "", "not_needed");
    r = one(WOMAN_54, NULL, "77080", "2024-05-01", NULL, "77080@2022-05-10");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one(MAN_60, NULL, "76706", "2024-05-01", NULL, "76706@2020-01-01");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded", "aaa.once");
    r = one(MAN_60, NULL, "76706", "2024-05-01", NULL, "");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    /* units beyond the limit on one line */
    {
        const char *j = "{\"patient\":{" MAN_60 "},\"diagnoses\":[\"I10\"],"
                        "\"lines\":[{\"code\":\"76706\",\"units\":2,"
                        "\"date\":\"2024-05-01\"}]}";
        r = check_json(j, NULL);
        LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded", "aaa.once");
        CHECK_CONTAINS(MSG(r, "frequency.exceeded"), "the line has 2 units");
    }
    /* lung screening: 50-77, annual */
    r = one("\"birth_date\":\"1946-05-01\",\"sex\":\"M\"", "Z87.891", "71271",
            "2024-05-01", NULL, "");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "age.out_of_range", "lung.ldct");
    CHECK_CONTAINS(MSG(r, "age.out_of_range"), "50 to 77; the patient is 78");
    r = one("\"birth_date\":\"1946-05-02\",\"sex\":\"M\"", "Z87.891", "71271",
            "2024-05-01", NULL, "");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one(MAN_60, "Z87.891", "71271", "2024-05-31", NULL, "71271@2023-06-15");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded", "lung.ldct");
    r = one(MAN_60, "Z87.891", "71271", "2024-06-01", NULL, "71271@2023-06-15");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
}

static void test_diabetes(void)
{
    const mn_result *r;

    /* one per 12 months, the three codes together */
    r = one(WOMAN_54, "Z13.1", "82950", "2024-06-01", NULL, "82947@2024-01-15");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "diabetes.screening");
    CHECK_CONTAINS(MSG(r, "frequency.exceeded"), "from 2025-01-15");
    r = one(WOMAN_54, "Z13.1", "82950", "2025-01-15", NULL, "82947@2024-01-15");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    /* pre-diabetes (TS): two, six months apart */
    r = one(WOMAN_54, "Z13.1", "82947", "2024-07-14", "TS", "82947@2024-01-15");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "diabetes.screening.prediabetes");
    CHECK_CONTAINS(MSG(r, "frequency.exceeded"), "6 months apart");
    CHECK_CONTAINS(MSG(r, "frequency.exceeded"), "from 2024-07-15");
    r = one(WOMAN_54, "Z13.1", "82947", "2024-07-15", "TS", "82947@2024-01-15");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one(WOMAN_54, "Z13.1", "82947", "2025-01-14", "TS",
            "82947@2024-01-15,82947@2024-07-15");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "diabetes.screening.prediabetes");
    /* a diagnostic glucose test: no screening limit */
    r = one(WOMAN_54, "E11.9", "82947", "2024-06-01", NULL, "82947@2024-01-15");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
}

static void test_infections(void)
{
    const mn_result *r;

    r = one(WOMAN_54, "Z11.59", "G0472", "2024-06-01", NULL,
            "G0472@2016-01-01");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded", "hepc.once");
    r = one(WOMAN_54, "Z72.89", "G0472", "2024-05-31", NULL,
            "G0472@2023-06-15");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded", "hepc.high_risk");
    r = one(WOMAN_54, "Z72.89", "G0472", "2024-06-01", NULL,
            "G0472@2023-06-15");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    /* HIV: 15-65 without risk; annual except in pregnancy */
    r = one("\"birth_date\":\"1954-01-01\",\"sex\":\"M\"", "Z11.4", "G0475",
            "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "age.out_of_range", "hiv.age");
    r = one("\"birth_date\":\"1954-01-01\",\"sex\":\"M\"", "Z11.4,Z72.89",
            "G0475", "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one(WOMAN_54, "Z11.4", "G0475", "2024-06-01", NULL, "G0475@2024-02-01");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded", "hiv.annual");
    r = one("\"birth_date\":\"1994-01-01\",\"sex\":\"F\"", "Z11.4,Z34.00",
            "G0475", "2024-06-01", NULL, "G0475@2024-02-01");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
}

static void test_counseling(void)
{
    const mn_result *r;

    r = one(WOMAN_54, NULL, "G0443", "2024-09-01", NULL,
            "G0443@2024-01-10,G0443@2024-03-01,G0443@2024-05-01,"
            "G0443@2024-07-01");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "alcohol.counseling");
    CHECK_CONTAINS(MSG(r, "frequency.exceeded"), "4 prior services count");
    CHECK_CONTAINS(MSG(r, "frequency.exceeded"), "from 2025-01-10");
    r = one(WOMAN_54, NULL, "G0443", "2024-09-01", NULL,
            "G0443@2024-03-01,G0443@2024-05-01,G0443@2024-07-01");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one(WOMAN_54, NULL, "G0442", "2024-05-31", NULL, "G0442@2023-06-01");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "alcohol.screening");
    r = one(WOMAN_54, NULL, "G0444", "2024-06-01", NULL, "G0444@2023-06-30");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one(WOMAN_54, NULL, "G0444", "2024-05-31", NULL, "G0444@2023-06-30");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "depression.annual");
    r = one(WOMAN_54, NULL, "G0118", "2024-05-31", NULL, "G0117@2023-06-30");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded", "glaucoma.annual");
    /* tobacco: 8 sessions per 12 months, both codes */
    r = one(WOMAN_54, "F17.210", "99407", "2024-12-31", NULL,
            "99406@2024-01-02,99406@2024-01-09,99407@2024-01-16,"
            "99406@2024-01-23,99406@2024-06-03,99406@2024-06-10,"
            "99407@2024-06-17,99406@2024-06-24");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "tobacco.counseling");
    CHECK_CONTAINS(MSG(r, "frequency.exceeded"), "from 2025-01-02");
    r = one(WOMAN_54, "F17.210", "99407", "2025-01-02", NULL,
            "99406@2024-01-02,99406@2024-01-09,99407@2024-01-16,"
            "99406@2024-01-23,99406@2024-06-03,99406@2024-06-10,"
            "99407@2024-06-17,99406@2024-06-24");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
}

static void test_lab_frequencies(void)
{
    const mn_result *r;

    r = one(WOMAN_54, "E03.9", "84443", "2024-06-01", NULL,
            "84443@2023-09-01,84443@2024-02-01");
    LINE_IS(r, MN_STATUS_CONDITIONAL, "frequency.exceeded",
            "lab.190.22.thyroid");
    CHECK_CONTAINS(MSG(r, "frequency.exceeded"), "thyroid therapy changed");
    r = one(WOMAN_54, "E03.9", "84443", "2024-09-01", NULL,
            "84443@2023-09-01,84443@2024-02-01");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one(WOMAN_54, "E03.9", "84439", "2024-06-01", NULL,
            "84443@2023-09-01,84443@2024-02-01");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one(WOMAN_54, "B19.20", "80074", "2024-06-01", NULL,
            "80074@2019-02-01");
    LINE_IS(r, MN_STATUS_CONDITIONAL, "frequency.exceeded",
            "lab.190.33.hepatitis_panel");
}

/*
 * Exclusions, therapy, the test pack's statements
 */

static void test_exclusions(void)
{
    const mn_result *r;
    const mn_finding *f;

    r = one(WOMAN_54, "Z00.00", "99396", "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_EXCLUDED, "statutory.excluded",
            "exclusion.routine_physical");
    f = find(r, 0, "statutory.excluded");
    CHECK(f && f->severity == MN_SEVERITY_DENY);
    CHECK_STR(f ? f->carc : "", "49");
    CHECK(f && f->rarc == NULL);
    CHECK_CONTAINS(f ? f->message : "", "routine physical examination");
    CHECK_CONTAINS(f ? f->source : "", "1862(a)(7)");
    /* statutory: no ABN; GY is check_site's suggestion */
    CHECK_STR(r ? mn_abn_name(r->lines[0].abn) : "", "not_needed");
    CHECK_STR(r ? mn_status_name(r->status) : "", "excluded");
    r = one(WOMAN_54, "Z00.00", "99381", "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_EXCLUDED, "statutory.excluded",
            "exclusion.routine_physical");
    r = one(WOMAN_54, "Z00.00", "99397", "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_EXCLUDED, "statutory.excluded",
            "exclusion.routine_physical");
    r = one(WOMAN_54, "Z00.00", "99398", "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one(WOMAN_54, "Z00.00", "99213", "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one(WOMAN_54, "H90.3", "V5060", "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_EXCLUDED, "statutory.excluded",
            "exclusion.hearing_aids");
    f = find(r, 0, "statutory.excluded");
    CHECK_STR(f ? f->carc : "", "96");
    CHECK_STR(f ? f->rarc : "", "N130");
    r = one(WOMAN_54, "H90.3", "V5299", "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    /* eyeglasses: excluded unless a diagnosis shows cataract surgery */
    r = one(WOMAN_54, "H52.4", "V2100", "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_EXCLUDED, "statutory.excluded",
            "exclusion.eyeglasses");
    CHECK_CONTAINS(MSG(r, "statutory.excluded"), "except after cataract");
    r = one(WOMAN_54, "H52.4", "V2020", "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_EXCLUDED, "statutory.excluded",
            "exclusion.eyeglasses");
    r = one(WOMAN_54, "H52.4", "V2599", "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_EXCLUDED, "statutory.excluded",
            "exclusion.eyeglasses");
    r = one(WOMAN_54, "Z96.1,H52.4", "V2100", "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one(WOMAN_54, "Z98.42", "V2200", "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one(WOMAN_54, "H27.01", "V2520", "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    /* outside the ranges: an intraocular lens, a low vision aid */
    r = one(WOMAN_54, "H52.4", "V2632", "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one(WOMAN_54, "H52.4", "V2600", "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
}

static void test_therapy_and_requirements(void)
{
    const mn_result *r;

    r = one(WOMAN_54, "M17.11", "97110", "2024-06-01", "GP", "");
    LINE_IS(r, MN_STATUS_CONDITIONAL, "documentation.required",
            "therapy.plan_of_care");
    CHECK_CONTAINS(MSG(r, "documentation.required"), "plan of care");
    {
        /* and the progress report, its own requirement and citation */
        bool progress = false;
        for (size_t k = 0; r && k < r->lines[0].n_findings; k++) {
            const mn_finding *f = &r->lines[0].findings[k];
            if (!strcmp(f->edit->id, "documentation.required") &&
                !strcmp(rule_of(f), "therapy.progress_report"))
                progress = strstr(f->message, "every 10 treatment days") &&
                           strstr(f->source, "10 treatment days");
        }
        CHECK(progress);
    }
    r = one(WOMAN_54, "R13.10", "92526", "2024-06-01", "GN,KX", "");
    LINE_IS(r, MN_STATUS_CONDITIONAL, "documentation.required",
            "therapy.plan_of_care");
    r = one(WOMAN_54, "M17.11", "97110", "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    /* requires kx: met by the modifier */
    r = one(WOMAN_54, "I10", "12347", "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_CONDITIONAL, "therapy.kx_required", "t.kx");
    r = one(WOMAN_54, "I10", "12347", "2024-06-01", "KX", "");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    r = one(WOMAN_54, "I10", "12348", "2024-06-01", NULL, "");
    LINE_IS(r, MN_STATUS_CONDITIONAL, "prior_auth.required", "t.prior_auth");
    CHECK_CONTAINS(MSG(r, "prior_auth.required"), "contractor's approval");
}

static const mn_result *with_pos(const char *claim_pos, const char *line_pos,
                                 const char *code)
{
    char json[1024];
    snprintf(json, sizeof(json),
             "{\"patient\":{" WOMAN_54 "},%s%s%s\"diagnoses\":[\"I10\"],"
             "\"lines\":[{\"code\":\"%s\",\"date\":\"2024-06-01\"%s%s%s}]}",
             claim_pos ? "\"place_of_service\":\"" : "",
             claim_pos ? claim_pos : "", claim_pos ? "\"," : "", code,
             line_pos ? ",\"place_of_service\":\"" : "",
             line_pos ? line_pos : "", line_pos ? "\"" : "");
    return check_json(json, NULL);
}

static void test_place_of_service(void)
{
    const mn_result *r;
    const mn_finding *f;

    r = with_pos("21", NULL, "12345");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "setting.not_allowed", "t.pos");
    f = find(r, 0, "setting.not_allowed");
    CHECK_STR(f ? f->carc : "", "58");
    CHECK_CONTAINS(f ? f->message : "", "place of service 21");
    CHECK_STR(r ? mn_abn_name(r->lines[0].abn) : "", "recommended");
    LINE_IS(with_pos("11", NULL, "12345"), MN_STATUS_COVERED, NULL, NULL);
    LINE_IS(with_pos("21", "22", "12345"), MN_STATUS_COVERED, NULL, NULL);
    LINE_IS(with_pos("11", "21", "12345"), MN_STATUS_NOT_COVERED,
            "setting.not_allowed", "t.pos");
    /* no place of service: nothing to judge */
    LINE_IS(with_pos(NULL, NULL, "12345"), MN_STATUS_COVERED, NULL, NULL);
    LINE_IS(with_pos("23", NULL, "12346"), MN_STATUS_NOT_COVERED,
            "setting.not_allowed", "t.pos.deny");
    LINE_IS(with_pos("11", NULL, "12346"), MN_STATUS_COVERED, NULL, NULL);
}

static void test_periods_and_dates(void)
{
    const mn_result *r;

    /* a rule in force only in 2022 */
    r = one(WOMAN_54, "I10", "12349", "2022-06-01", NULL, "12349@2021-01-01");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded", "t.dated");
    /* in 2023 no rule of the pack limits 12349, and the pack vouches
       for 2023 (covers 2020-01-01): covered, and the result says why */
    r = one(WOMAN_54, "I10", "12349", "2023-06-01", NULL, "12349@2021-01-01");
    CHECK(r && r->lines[0].status == MN_STATUS_COVERED);
    CHECK(find(r, 0, "kb.rule_not_in_force") != NULL);
    CHECK_CONTAINS(MSG(r, "kb.rule_not_in_force"), "t.dated");
    /* two per calendar year */
    r = one(WOMAN_54, "I10", "12350", "2024-12-31", NULL,
            "12350@2024-01-05,12350@2024-06-01");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded", "t.calendar");
    CHECK_CONTAINS(MSG(r, "frequency.exceeded"), "from 2025-01-01");
    r = one(WOMAN_54, "I10", "12350", "2025-01-01", NULL,
            "12350@2024-01-05,12350@2024-06-01");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    /* one per 30 days */
    r = one(WOMAN_54, "I10", "12351", "2025-01-13", NULL, "12351@2024-12-15");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded", "t.days");
    r = one(WOMAN_54, "I10", "12351", "2025-01-14", NULL, "12351@2024-12-15");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    /* later services do not count against an earlier date */
    r = one(WOMAN_54, "I10", "12351", "2025-01-14", NULL, "12351@2025-01-20");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
}

/*
 * Lines of one claim, the history store, payers
 */

static void test_same_claim(void)
{
    const mn_result *r;
    const mn_finding *f;

    /* two AWVs on one day: the second is denied */
    r = check_json("{\"patient\":{" WOMAN_54 "},\"diagnoses\":[\"Z00.00\"],"
                   "\"lines\":[{\"code\":\"G0439\",\"date\":\"2024-06-03\"},"
                   "{\"code\":\"G0439\",\"date\":\"2024-06-03\"}]}",
                   NULL);
    CHECK(r && r->n_lines == 2);
    if (r && r->n_lines == 2) {
        CHECK_INT(r->lines[0].status, MN_STATUS_COVERED);
        CHECK_INT(r->lines[1].status, MN_STATUS_NOT_COVERED);
        f = find(r, 1, "frequency.exceeded");
        CHECK_CONTAINS(f ? f->message : "", "2024-06-03");
        CHECK_STR(mn_abn_name(r->lines[1].abn), "recommended");
    }
    /* out of date order: the later service is the one denied */
    r = check_json("{\"patient\":{" WOMAN_54 "},\"diagnoses\":[\"Z00.00\"],"
                   "\"lines\":[{\"code\":\"G0439\",\"date\":\"2024-06-03\"},"
                   "{\"code\":\"G0439\",\"date\":\"2023-12-01\"}]}",
                   NULL);
    if (r && r->n_lines == 2) {
        CHECK_INT(r->lines[0].status, MN_STATUS_NOT_COVERED);
        CHECK_CONTAINS(MSG(r, "frequency.exceeded"), "2023-12-01");
        /* 2023-12-01 is before the preventive pack's rules */
        CHECK_INT(r->lines[1].status, MN_STATUS_INDETERMINATE);
    }
    /* a line already denied does not count against a later one */
    r = check_json("{\"patient\":{" WOMAN_54 "},\"diagnoses\":[\"Z00.00\"],"
                   "\"lines\":[{\"code\":\"G0439\",\"date\":\"2024-06-03\"},"
                   "{\"code\":\"G0439\",\"date\":\"2024-07-02\"}],"
                   "\"history\":[{\"code\":\"G0439\",\"date\":"
                   "\"2023-07-15\"}]}",
                   NULL);
    if (r && r->n_lines == 2) {
        CHECK_INT(r->lines[0].status, MN_STATUS_NOT_COVERED);
        CHECK_INT(r->lines[1].status, MN_STATUS_COVERED);
    }
    /* the professional and technical components of one service */
    r = check_json("{\"patient\":{" MAN_60 "},\"diagnoses\":[\"I10\"],"
                   "\"lines\":[{\"code\":\"76706\",\"modifiers\":[\"TC\"],"
                   "\"date\":\"2024-06-03\"},{\"code\":\"76706\","
                   "\"modifiers\":[\"26\"],\"date\":\"2024-06-03\"}]}",
                   NULL);
    if (r && r->n_lines == 2) {
        CHECK_INT(r->lines[0].status, MN_STATUS_COVERED);
        CHECK_INT(r->lines[1].status, MN_STATUS_COVERED);
    }
}

typedef struct fake_store {
    const mn_history_service *svc;
    size_t n;
} fake_store;

static int fake_lookup(void *self, const char *patient_id, size_t id_len,
                       int32_t from, int32_t to, mn_history_cb cb,
                       void *payload, mn_error *err)
{
    fake_store *st = self;
    (void)patient_id;
    (void)id_len;
    (void)from;
    (void)to;
    (void)err;
    for (size_t i = 0; i < st->n; i++) {
        int rc = cb(payload, &st->svc[i]);
        if (rc)
            return rc;
    }
    return MN_OK;
}

static const mn_result *with_store(int status, const char *mods)
{
    static mn_history_service svc;
    static fake_store st;
    static mn_history_source src;
    mn_check_options o = MN_CHECK_OPTIONS_INIT;

    memset(&svc, 0, sizeof(svc));
    svc.code = "G0439";
    svc.code_len = 5;
    svc.date = mn_x__days_from_civil(2023, 7, 15);
    svc.units = 1;
    svc.status = status;
    svc.modifiers = mods;
    svc.modifiers_len = mods ? strlen(mods) : 0;
    svc.claim_key = "other-claim";
    svc.claim_key_len = 11;
    st.svc = &svc;
    st.n = 1;
    src.version = MN_HISTORY_SOURCE_VERSION;
    src.self = &st;
    src.lookup = fake_lookup;
    o.history = &src;
    return check_json("{\"id\":\"c\",\"patient\":{\"id\":\"p1\"," WOMAN_54
                      "},\"diagnoses\":[\"Z00.00\"],\"lines\":[{\"code\":"
                      "\"G0439\",\"date\":\"2024-06-03\"}]}",
                      &o);
}

/* A store whose service carries amounts, seen through a version 2 or a
 * version 1 source (whose services have no amount fields). */
static const mn_result *threshold_store(unsigned version)
{
    static mn_history_service svc;
    static fake_store st;
    static mn_history_source src;
    mn_check_options o = MN_CHECK_OPTIONS_INIT;

    memset(&svc, 0, sizeof(svc));
    svc.code = "97110";
    svc.code_len = 5;
    svc.date = mn_x__days_from_civil(2024, 5, 1);
    svc.units = 1;
    svc.status = -1;
    svc.modifiers = "GP";
    svc.modifiers_len = 2;
    svc.claim_key = "other-claim";
    svc.claim_key_len = 11;
    svc.charge = MN_NO_AMOUNT;
    svc.allowed = 230000;
    st.svc = &svc;
    st.n = 1;
    src.version = version;
    src.self = &st;
    src.lookup = fake_lookup;
    o.history = &src;
    return check_json("{\"id\":\"c\",\"patient\":{\"id\":\"p1\"," WOMAN_54
                      "},\"diagnoses\":[\"I10\"],\"lines\":[{\"code\":"
                      "\"97110\",\"modifiers\":[\"GN\"],\"allowed\":30.01,"
                      "\"date\":\"2024-11-04\"}]}",
                      &o);
}

static void test_threshold_store(void)
{
    const mn_result *r = threshold_store(MN_HISTORY_SOURCE_VERSION);

    CHECK(find(r, 0, "therapy.kx_required") != NULL);
    CHECK_STR(rule_of(find(r, 0, "therapy.kx_required")),
              "therapy.kx_threshold.pt_slp.2024");
    CHECK_CONTAINS(MSG(r, "therapy.kx_required"),
                   "come to $2,330.01 with this line");
    CHECK_CONTAINS(MSG(r, "therapy.kx_required"), "threshold of $2,330.00");
    /* a version 1 source has no amounts: the prior service is unknown */
    r = threshold_store(1);
    CHECK(find(r, 0, "therapy.kx_required") == NULL);
}

/* G0443 (4 per 12 months) on 2024-06-03: the store holds two services,
 * the claim's `history` lists `inline_hist` (JSON entries). */
static const mn_result *counseling_with_copies(const char *inline_hist)
{
    static mn_history_service svc[2];
    static fake_store st;
    static mn_history_source src;
    static const int days[2][3] = {{2024, 1, 10}, {2024, 3, 10}};
    mn_check_options o = MN_CHECK_OPTIONS_INIT;
    char json[1024];

    memset(svc, 0, sizeof(svc));
    for (int i = 0; i < 2; i++) {
        svc[i].code = "G0443";
        svc[i].code_len = 5;
        svc[i].date = mn_x__days_from_civil(days[i][0], days[i][1], days[i][2]);
        svc[i].units = 1;
        svc[i].status = -1;
        svc[i].claim_key = "older";
        svc[i].claim_key_len = 5;
        svc[i].line = (unsigned)i + 1;
        svc[i].charge = svc[i].allowed = MN_NO_AMOUNT;
    }
    st.svc = svc;
    st.n = 2;
    src.version = MN_HISTORY_SOURCE_VERSION;
    src.self = &st;
    src.lookup = fake_lookup;
    o.history = &src;
    snprintf(json, sizeof(json),
             "{\"id\":\"c\",\"patient\":{\"id\":\"p1\"," WOMAN_54
             "},\"diagnoses\":[\"F10.10\"],\"lines\":[{\"code\":"
             "\"G0443\",\"date\":\"2024-06-03\"}],\"history\":[%s]}",
             inline_hist);
    return check_json(json, &o);
}

/* Services the claim repeats from the store count once. */
static void test_history_copies(void)
{
    const mn_result *r;

    /* the claim repeats both stored services: 2 prior + this = 3 of 4 */
    r = counseling_with_copies("{\"code\":\"G0443\",\"date\":\"2024-01-10\"},"
                               "{\"code\":\"G0443\",\"date\":\"2024-03-10\"}");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    /* one more, not in the store: 3 prior + this = 4 of 4 */
    r = counseling_with_copies("{\"code\":\"G0443\",\"date\":\"2024-01-10\"},"
                               "{\"code\":\"G0443\",\"date\":\"2024-04-10\"}");
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    /* two on one stored day: one is the store's, the other is new */
    r = counseling_with_copies("{\"code\":\"G0443\",\"date\":\"2024-03-10\"},"
                               "{\"code\":\"G0443\",\"date\":\"2024-03-10\"},"
                               "{\"code\":\"G0443\",\"date\":\"2024-05-10\"}");
    LINE_IS(r, MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "alcohol.counseling");
    CHECK_CONTAINS(MSG(r, "frequency.exceeded"), "4 prior services count");
}

static void test_history_store(void)
{
    /* unknown and paid services count; denials do not */
    LINE_IS(with_store(-1, NULL), MN_STATUS_NOT_COVERED, "frequency.exceeded",
            "awv.subsequent");
    LINE_IS(with_store(MN_STATUS_COVERED, NULL), MN_STATUS_NOT_COVERED,
            "frequency.exceeded", "awv.subsequent");
    LINE_IS(with_store(MN_STATUS_CONDITIONAL, NULL), MN_STATUS_NOT_COVERED,
            "frequency.exceeded", "awv.subsequent");
    LINE_IS(with_store(MN_STATUS_INDETERMINATE, "GA"), MN_STATUS_NOT_COVERED,
            "frequency.exceeded", "awv.subsequent");
    LINE_IS(with_store(MN_STATUS_NOT_COVERED, "GA"), MN_STATUS_COVERED, NULL,
            NULL);
    LINE_IS(with_store(MN_STATUS_EXCLUDED, NULL), MN_STATUS_COVERED, NULL,
            NULL);
    LINE_IS(with_store(MN_STATUS_INVALID, NULL), MN_STATUS_COVERED, NULL, NULL);
}

static void test_payer(void)
{
    const mn_result *r = check_json(
        "{\"payer\":\"medicaid\",\"patient\":{" MAN_60 "},\"diagnoses\":"
        "[\"Z00.00\"],\"lines\":[{\"code\":\"77067\",\"date\":"
        "\"2024-06-03\"},{\"code\":\"99396\",\"date\":\"2024-06-03\"}]}",
        NULL);
    CHECK(r != NULL);
    CHECK_INT(rule_findings(r, 0), 0);
    CHECK_INT(rule_findings(r, 1), 0);
}

/* Many prior services (past the check's stack buffer) and a context too
 * small for them: MN_ENOMEM or a result, never a crash (ASan). */
static void test_many_priors_and_memory(void)
{
    static char json[40000];
    size_t n = 0;
    mn_ctx *keep = ctx;
    mn_ctx *small = NULL;
    mn_error err;
    const mn_result *r;
    int fails = 0;
    int passes = 0;

    n += (size_t)snprintf(json + n, sizeof(json) - n,
                          "{\"patient\":{" WOMAN_54 "},\"diagnoses\":[\"I10\"],"
                          "\"lines\":[{\"code\":\"G0443\",\"date\":"
                          "\"2024-06-03\"},{\"code\":\"G0443\",\"date\":"
                          "\"2024-06-04\"}],\"history\":[");
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(json + n, sizeof(json) - n,
                              "%s{\"code\":\"%s\",\"date\":\"2020-%02d-%02d\"}",
                              i ? "," : "", i % 2 ? "G0443" : "99213",
                              1 + i % 12, 1 + i % 28);
    snprintf(json + n, sizeof(json) - n, "]}");
    r = check_json(json, NULL);
    LINE_IS(r, MN_STATUS_COVERED, NULL, NULL);
    mn_error_clear(&err);
    for (size_t max = 2048; max <= 300000; max += 4096) {
        const mn_result *res = NULL;
        int rc;
        if (mn_ctx_new(&small, max, &err))
            continue;
        rc = mn_check(&res, small, kb, claim, &err);
        CHECK(rc == MN_OK || rc == MN_ENOMEM);
        fails += rc == MN_ENOMEM;
        passes += rc == MN_OK;
        mn_ctx_free(small);
        small = NULL;
    }
    CHECK(fails > 0);
    CHECK(passes > 0);
    ctx = keep;
}

int main(void)
{
    mn_error err;

    if (build_kb(&kb, test_pack, &err) || mn_ctx_new(&ctx, 0, &err)) {
        char line[700];
        fprintf(stderr, "setup: %s\n", mn_error_format(line, 700, &err));
        return 1;
    }
    RUN(test_language_ok);
    RUN(test_language_errors);
    RUN(test_compile_round_trip);
    RUN(test_override_and_builtin);
    RUN(test_validation_at_open);
    RUN(test_awv);
    RUN(test_mammography);
    RUN(test_pelvic);
    RUN(test_prostate);
    RUN(test_colorectal);
    RUN(test_bone_aaa_lung);
    RUN(test_diabetes);
    RUN(test_infections);
    RUN(test_counseling);
    RUN(test_lab_frequencies);
    RUN(test_exclusions);
    RUN(test_therapy_and_requirements);
    RUN(test_place_of_service);
    RUN(test_periods_and_dates);
    RUN(test_same_claim);
    RUN(test_history_store);
    RUN(test_threshold_store);
    RUN(test_history_copies);
    RUN(test_payer);
    RUN(test_many_priors_and_memory);
    mn_claim_free(claim);
    mn_ctx_free(ctx);
    mn_kb_free(kb);
    DONE();
}
