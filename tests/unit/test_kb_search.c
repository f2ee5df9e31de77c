/* test_kb_search.c: ICD-10-CM search for type-ahead (mn_kb_icd_search). */
#include "harness.h"
#include "kbfix.h"

static mn_kb *fx_kb(void)
{
    void *bytes = NULL;
    size_t len = 0;
    mn_kb *kb = NULL;

    if (fx_build(&bytes, &len, 0) == MN_OK)
        mn_kb_open_buffer(&kb, bytes, len, 1, NULL);
    mn_x__free(bytes);
    return kb;
}

static size_t search(mn_kb *kb, const char *q, const char *date, int billable,
                     mn_icd_hit *hits, size_t max)
{
    mn_icd_search_options o = MN_ICD_SEARCH_OPTIONS_INIT;
    size_t n = 99;
    mn_error err;

    o.date = date;
    o.billable_only = billable;
    mn_error_clear(&err);
    if (mn_kb_icd_search(hits, max, &n, kb, q, strlen(q), &o, &err)) {
        fprintf(stderr, "search '%s': %s\n", q, err.message);
        return 999;
    }
    return n;
}

static void test_prefix(void)
{
    mn_kb *kb = fx_kb();
    mn_icd_hit h[20];

    CHECK(kb != NULL);
    CHECK_INT(search(kb, "E11", NULL, 0, h, 20), 3);
    CHECK_STR(h[0].code, "E11");
    CHECK_INT(h[0].billable, 0);
    CHECK_STR(h[1].code, "E11.65");
    CHECK_INT(h[1].billable, 1);
    CHECK_STR(h[1].description, "Type 2 diabetes mellitus with hyperglycemia");
    CHECK_STR(h[2].code, "E11.9");
    /* dotted, undotted, lower case: the same codes */
    CHECK_INT(search(kb, "e11.6", NULL, 0, h, 20), 1);
    CHECK_STR(h[0].code, "E11.65");
    CHECK_INT(search(kb, "E116", NULL, 0, h, 20), 1);
    CHECK_STR(h[0].code, "E11.65");
    /* billable only leaves the category out */
    CHECK_INT(search(kb, "E11", NULL, 1, h, 20), 2);
    CHECK_STR(h[0].code, "E11.65");
    /* a prefix and a word */
    CHECK_INT(search(kb, "E11 without", NULL, 0, h, 20), 1);
    CHECK_STR(h[0].code, "E11.9");
    /* max */
    CHECK_INT(search(kb, "E1", NULL, 0, h, 2), 2);
    CHECK_STR(h[0].code, "E11");
    CHECK_STR(h[1].code, "E11.65");
    CHECK_INT(search(kb, "Q99", NULL, 0, h, 20), 0);
    mn_kb_free(kb);
}

static void test_words(void)
{
    mn_kb *kb = fx_kb();
    mn_icd_hit h[20];

    /* equal scores: the shorter description first */
    CHECK_INT(search(kb, "vitamin def", NULL, 0, h, 20), 2);
    CHECK_STR(h[0].code, "E55.9");
    CHECK_STR(h[1].code, "D51.0");
    /* "b12" is shaped like a code, but no code is under it: a word */
    CHECK_INT(search(kb, "vitamin b12", NULL, 0, h, 20), 1);
    CHECK_STR(h[0].code, "D51.0");
    /* case and punctuation do not matter */
    CHECK_INT(search(kb, "  VITAMIN,  D!", NULL, 0, h, 20), 2);
    /* a word at the start of a description word ranks above one found
     * inside a word */
    CHECK_INT(search(kb, "hyper", NULL, 0, h, 20), 3);
    CHECK_STR(h[0].code, "I10"); /* equal scores: the shortest first */
    CHECK_STR(h[1].code, "E11.65");
    CHECK_STR(h[2].code, "N40.1");
    /* "d": hits with a word starting with d come before the others */
    {
        size_t n = search(kb, "d", NULL, 0, h, 20);
        int seen_inside = 0;
        int disorder = 0;
        CHECK(n > 2 && n <= 20);
        for (size_t i = 0; i < n && i < 20; i++) {
            const char *d = h[i].description;
            int start = d[0] == 'd' || d[0] == 'D';
            for (const char *p = d; *p && !start; p++)
                start = !(p[0] >= 'a' && p[0] <= 'z') &&
                        !(p[0] >= 'A' && p[0] <= 'Z') &&
                        !(p[0] >= '0' && p[0] <= '9') &&
                        (p[1] == 'd' || p[1] == 'D');
            if (!start)
                seen_inside = 1;
            else if (seen_inside)
                disorder = 1;
        }
        CHECK(seen_inside);
        CHECK(!disorder);
    }
    CHECK_INT(search(kb, "tension", NULL, 0, h, 20), 1);
    CHECK_STR(h[0].code, "I10");
    CHECK_INT(search(kb, "diabetes", NULL, 0, h, 20), 4);
    /* words that do not all occur: nothing */
    CHECK_INT(search(kb, "vitamin kidney", NULL, 0, h, 20), 0);
    mn_kb_free(kb);
}

/* The words in the order typed outrank a shorter description that has
 * them in another order. */
static void test_phrase(void)
{
    mn_kbb *b = NULL;
    void *bytes = NULL;
    size_t len = 0;
    mn_kb *kb = NULL;
    mn_icd_hit h[4];
    const char *a = "Other specified vitamin D deficiency of the elderly";
    const char *c = "Deficiency of vitamin D";

    CHECK_INT(mn_x__kbb_new(&b), MN_OK);
    mn_x__kbb_icd(b, 2024, fx_key("E55.8"), true, a, strlen(a));
    mn_x__kbb_icd(b, 2024, fx_key("E55.1"), true, c, strlen(c));
    CHECK_INT(mn_x__kbb_serialize(b, "2026-11-01", &bytes, &len, NULL), MN_OK);
    CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, NULL), MN_OK);
    CHECK_INT(search(kb, "vitamin d def", NULL, 0, h, 4), 2);
    CHECK_STR(h[0].code, "E55.8");
    CHECK_INT(search(kb, "def vitamin", NULL, 0, h, 4), 2);
    CHECK_STR(h[0].code, "E55.1");
    mn_kb_free(kb);
    mn_x__free(bytes);
    mn_x__kbb_free(b);
}

static void test_years(void)
{
    mn_kb *kb = fx_kb();
    mn_icd_hit h[20];

    /* E55.0 exists from FY2024 only in the fixture */
    CHECK_INT(search(kb, "rickets", NULL, 0, h, 20), 1);
    CHECK_INT(search(kb, "rickets", "2024-03-01", 0, h, 20), 1);
    CHECK_INT(search(kb, "rickets", "2022-03-01", 0, h, 20), 0);
    CHECK_INT(search(kb, "E55", "2022-03-01", 0, h, 20), 1);
    mn_kb_free(kb);
}

static void test_errors(void)
{
    mn_kb *kb = fx_kb();
    mn_kb *builtin = NULL;
    mn_icd_hit h[4];
    mn_icd_search_options o = MN_ICD_SEARCH_OPTIONS_INIT;
    char longq[300];
    size_t n = 7;
    mn_error err;

    mn_error_clear(&err);
    CHECK_INT(mn_kb_icd_search(h, 4, &n, kb, " ,;- ", 5, NULL, &err),
              MN_EINVAL);
    CHECK_CONTAINS(err.message, "empty query");
    CHECK_INT(n, 0);
    CHECK_INT(mn_kb_icd_search(h, 0, &n, kb, "E11", 3, NULL, &err), MN_EINVAL);
    CHECK_INT(mn_kb_icd_search(h, 1001, &n, kb, "E11", 3, NULL, &err),
              MN_EINVAL);
    CHECK_INT(mn_kb_icd_search(NULL, 4, &n, kb, "E11", 3, NULL, &err),
              MN_EINVAL);
    memset(longq, 'a', sizeof(longq));
    CHECK_INT(mn_kb_icd_search(h, 4, &n, kb, longq, 257, NULL, &err),
              MN_ELIMIT);
    CHECK_INT(
        mn_kb_icd_search(h, 4, &n, kb, "a b c d e f g h i", 17, NULL, &err),
        MN_ELIMIT);
    CHECK_INT(mn_kb_icd_search(h, 4, &n, kb, "a b c d e f g h", 15, NULL, &err),
              MN_OK);
    o.date = "2024-02-30";
    CHECK_INT(mn_kb_icd_search(h, 4, &n, kb, "E11", 3, &o, &err), MN_EINVAL);
    CHECK_STR(err.where, "date");
    o.date = NULL;
    o.version = 99;
    CHECK_INT(mn_kb_icd_search(h, 4, &n, kb, "E11", 3, &o, &err), MN_EINVAL);
    /* the built-in KB holds the codes without their descriptions: a code
     * prefix finds them, words find nothing */
    CHECK_INT(mn_kb_open_builtin(&builtin, &err), MN_OK);
    n = 0;
    CHECK_INT(mn_kb_icd_search(h, 4, &n, builtin, "E11.6", 5, NULL, &err),
              MN_OK);
    CHECK(n > 0);
    for (size_t i = 0; i < n; i++)
        CHECK(strncmp(h[i].code, "E11.6", 5) == 0);
    n = 7;
    CHECK_INT(mn_kb_icd_search(h, 4, &n, builtin, "diabetes", 8, NULL, &err),
              MN_OK);
    CHECK_INT(n, 0);
    mn_kb_free(builtin);
    mn_kb_free(kb);
}

int main(void)
{
    RUN(test_prefix);
    RUN(test_words);
    RUN(test_phrase);
    RUN(test_years);
    RUN(test_errors);
    DONE();
}
