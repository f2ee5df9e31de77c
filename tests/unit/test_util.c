/* test_util.c: dates, keys, code shapes, CSV reader. */
#include "harness.h"
#include "mednec/csv.h"
#include "core/util.h"

static void test_dates(void)
{
    int32_t d;
    int y, m, dd;
    char t[11];
    CHECK(mn_x__parse_date(&d, "2024-02-29", 10, false));
    CHECK(!mn_x__parse_date(&d, "2023-02-29", 10, false));
    CHECK(!mn_x__parse_date(&d, "2024-02-30", 10, false));
    CHECK(!mn_x__parse_date(&d, "2024-13-01", 10, false));
    CHECK(!mn_x__parse_date(&d, "2024-1-01", 9, false));
    CHECK(!mn_x__parse_date(&d, "10/01/2015", 10, false));
    CHECK(mn_x__parse_date(&d, "10/01/2015", 10, true));
    mn_x__format_date(t, d);
    CHECK_STR(t, "2015-10-01");
    CHECK(mn_x__parse_date(&d, "20151001", 8, true));
    CHECK_INT(mn_x__fiscal_year(d), 2016);
    CHECK(mn_x__parse_date(&d, "2015-09-30", 10, false));
    CHECK_INT(mn_x__fiscal_year(d), 2015);
    CHECK_INT(mn_x__days_from_civil(1970, 1, 1), 0);
    mn_x__civil_from_days(mn_x__days_from_civil(2000, 2, 29), &y, &m, &dd);
    CHECK(y == 2000 && m == 2 && dd == 29);
}

static void test_keys(void)
{
    char t[12];
    mn_key a = mn_x__key("E11.65", 6);
    CHECK(a == mn_x__key("e1165", 5));
    CHECK(mn_x__key("E11", 3) < a);
    CHECK(a < mn_x__key("E1166", 5));
    CHECK(mn_x__key("", 0) == 0);
    CHECK(mn_x__key("E11-65", 6) == 0);
    CHECK(mn_x__key("123456789", 9) == 0);
    mn_x__icd_dotted(t, a);
    CHECK_STR(t, "E11.65");
    mn_x__icd_dotted(t, mn_x__key("I10", 3));
    CHECK_STR(t, "I10");
    CHECK(mn_x__icd_shape("E11.65", 6));
    CHECK(mn_x__icd_shape("S72001A", 7));
    CHECK(!mn_x__icd_shape("E1", 2));
    CHECK(!mn_x__icd_shape("E11.6.5", 7));
    CHECK(!mn_x__icd_shape("11.65", 5));
    CHECK(mn_x__cpt_shape("83036", 5));
    CHECK(mn_x__cpt_shape("0466T", 5));
    CHECK(mn_x__cpt_shape("3008F", 5));
    CHECK(mn_x__cpt_shape("0001A", 5));
    CHECK(!mn_x__cpt_shape("8303", 4));
    CHECK(mn_x__hcpcs2_shape("G0103", 5));
    CHECK(!mn_x__hcpcs2_shape("GG103", 5));
}

static void test_csv(void)
{
    const char *data = "\xEF\xBB\xBF"
                       "a,b,c\r\n1,\"x, \"\"y\"\"\nz\",\r\n"
                       "last,row";
    mn_csv *c = NULL;
    mn_error err;
    size_t len;
    mn_error_clear(&err);
    CHECK_INT(mn_csv_new(&c, data, strlen(data), NULL, &err), MN_OK);
    CHECK_INT(mn_csv_next(c, &err), 1);
    CHECK_INT(mn_csv_count(c), 3);
    CHECK_STR(mn_csv_field(c, 0, &len), "a");
    CHECK_INT(mn_csv_next(c, &err), 1);
    CHECK_STR(mn_csv_field(c, 1, &len), "x, \"y\"\nz");
    CHECK_STR(mn_csv_field(c, 2, &len), "");
    CHECK_INT(mn_csv_line(c), 2);
    CHECK_INT(mn_csv_next(c, &err), 1);
    CHECK_INT(mn_csv_line(c), 4);
    CHECK_STR(mn_csv_field(c, 1, NULL), "row");
    CHECK_INT(mn_csv_next(c, &err), 0);
    mn_csv_free(c);

    data = "a,b\n1,\"open\n2,3\n";
    mn_csv_new(&c, data, strlen(data), NULL, &err);
    CHECK_INT(mn_csv_next(c, &err), 1);
    CHECK_INT(mn_csv_next(c, &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "unterminated");
    CHECK_INT(err.line, 2);
    CHECK_INT(err.column, 3);
    mn_csv_free(c);

    data = "a,b\n1,x\"y\n";
    mn_csv_new(&c, data, strlen(data), NULL, &err);
    mn_csv_next(c, &err);
    CHECK_INT(mn_csv_next(c, &err), MN_EINVAL);
    CHECK_INT(err.line, 2);
    CHECK_INT(err.column, 4);
    mn_csv_free(c);

    data = "\"a\"b\n";
    mn_csv_new(&c, data, strlen(data), NULL, &err);
    CHECK_INT(mn_csv_next(c, &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "after closing quote");
    mn_csv_free(c);

    {
        mn_csv_options o = MN_CSV_OPTIONS_INIT;
        o.max_fields = 3;
        data = "a,b,c,d\n";
        mn_csv_new(&c, data, strlen(data), &o, &err);
        CHECK_INT(mn_csv_next(c, &err), MN_ELIMIT);
        mn_csv_free(c);
        o.max_fields = 0;
        o.max_field = 4;
        data = "abcde\n";
        mn_csv_new(&c, data, strlen(data), &o, &err);
        CHECK_INT(mn_csv_next(c, &err), MN_ELIMIT);
        mn_csv_free(c);
        o.max_field = 0;
        o.delimiter = '\t';
        o.no_quote = 1;
        data = "a\t\"b\tc\n";
        mn_csv_new(&c, data, strlen(data), &o, &err);
        CHECK_INT(mn_csv_next(c, &err), 1);
        CHECK_INT(mn_csv_count(c), 3);
        CHECK_STR(mn_csv_field(c, 1, NULL), "\"b");
        mn_csv_free(c);
    }
    /* a flood of delimiters stays linear and bounded */
    {
        size_t n = 1 << 20;
        char *big = malloc(n + 1);
        memset(big, ',', n);
        big[n] = '\0';
        mn_csv_new(&c, big, n, NULL, &err);
        CHECK_INT(mn_csv_next(c, &err), MN_ELIMIT);
        mn_csv_free(c);
        free(big);
    }
}

static void test_buf(void)
{
    mn_buf *b = NULL;
    CHECK_INT(mn_buf_new(&b, 8), MN_OK);
    CHECK_INT(mn_x__buf_puts(b, "1234"), MN_OK);
    CHECK_INT(mn_x__buf_puts(b, "56789"), MN_ELIMIT);
    CHECK_INT(mn_buf_len(b), 0);
    CHECK_INT(mn_x__buf_puts(b, "ok"), MN_OK);
    CHECK_STR(mn_buf_data(b), "ok");
    mn_buf_free(b);
}

int main(void)
{
    RUN(test_dates);
    RUN(test_keys);
    RUN(test_csv);
    RUN(test_buf);
    DONE();
}
