/* test_freq.c: frequency semantics (freq.c), each at its boundaries: the
 * day before a service becomes payable and the day it does. */
#include "core/freq.h"
#include "harness.h"
#include "core/util.h"

static int32_t D(const char *s)
{
    int32_t d = MN_NODATE;
    if (!mn_x__parse_date(&d, s, strlen(s), false))
        fprintf(stderr, "bad test date %s\n", s);
    return d;
}

static const char *T(int32_t d)
{
    static char buf[4][11];
    static int k;
    k = (k + 1) % 4;
    if (d == MN_FOREVER)
        return "forever";
    mn_x__format_date(buf[k], d);
    return buf[k];
}

/* A prior service on `prior` counts on `before` and no longer on `from`,
 * which is its expiry. */
#define BOUNDARY(unit, period, prior, before, from)                            \
    do {                                                                       \
        CHECK(mn_x__freq_counts(unit, period, D(prior), D(before)));           \
        CHECK(!mn_x__freq_counts(unit, period, D(prior), D(from)));            \
        CHECK_STR(T(mn_x__freq_expiry(unit, period, D(prior))), from);         \
    } while (0)

static void test_months(void)
{
    CHECK_STR(T(mn_x__freq_add_months(D("2024-01-31"), 1)), "2024-02-29");
    CHECK_STR(T(mn_x__freq_add_months(D("2023-01-31"), 1)), "2023-02-28");
    CHECK_STR(T(mn_x__freq_add_months(D("2024-02-29"), 12)), "2025-02-28");
    CHECK_STR(T(mn_x__freq_add_months(D("2024-02-29"), 48)), "2028-02-29");
    CHECK_STR(T(mn_x__freq_add_months(D("2023-12-15"), 1)), "2024-01-15");
    CHECK_STR(T(mn_x__freq_add_months(D("2024-03-31"), -1)), "2024-02-29");
    CHECK_STR(T(mn_x__freq_add_months(D("2024-05-31"), 1)), "2024-06-30");
    CHECK_INT(mn_x__freq_month_index(D("2024-01-01")), 2024 * 12);
    CHECK_INT(mn_x__freq_month_index(D("2024-12-31")), 2024 * 12 + 11);
    CHECK_STR(T(mn_x__freq_month_first(2025 * 12 + 1)), "2025-02-01");
    CHECK_STR(T(mn_x__freq_month_first(1969 * 12 + 11)), "1969-12-01");
}

static void test_lifetime(void)
{
    CHECK(mn_x__freq_counts(MN_FREQ_LIFETIME, 0, D("1990-01-01"),
                            D("2090-12-31")));
    CHECK(mn_x__freq_counts(MN_FREQ_LIFETIME, 0, D("2024-05-01"),
                            D("2024-05-01")));
    /* a later service does not count against an earlier date */
    CHECK(!mn_x__freq_counts(MN_FREQ_LIFETIME, 0, D("2024-05-02"),
                             D("2024-05-01")));
    CHECK_INT(mn_x__freq_expiry(MN_FREQ_LIFETIME, 0, D("2024-05-01")),
              MN_FOREVER);
}

/* "at least N full months have passed following the month of the last
 * service": payable iff month(new) - month(last) > N. */
static void test_full_months(void)
{
    /* annual (11): any day of January 2019 -> any day of January 2020
       (NGS); March 2013 -> March 1, 2014 (TMA) */
    BOUNDARY(MN_FREQ_FULL_MONTHS, 11, "2019-01-31", "2019-12-31", "2020-01-01");
    BOUNDARY(MN_FREQ_FULL_MONTHS, 11, "2019-01-01", "2019-12-31", "2020-01-01");
    BOUNDARY(MN_FREQ_FULL_MONTHS, 11, "2013-03-20", "2014-02-28", "2014-03-01");
    /* year-end and leap days */
    BOUNDARY(MN_FREQ_FULL_MONTHS, 11, "2023-12-31", "2024-11-30", "2024-12-01");
    BOUNDARY(MN_FREQ_FULL_MONTHS, 11, "2024-02-29", "2025-01-31", "2025-02-01");
    BOUNDARY(MN_FREQ_FULL_MONTHS, 11, "2023-03-01", "2024-02-29", "2024-03-01");
    /* 24-month benefits (23), and 47, 59, 119 */
    BOUNDARY(MN_FREQ_FULL_MONTHS, 23, "2022-05-10", "2024-04-30", "2024-05-01");
    BOUNDARY(MN_FREQ_FULL_MONTHS, 47, "2020-02-29", "2024-01-31", "2024-02-01");
    BOUNDARY(MN_FREQ_FULL_MONTHS, 59, "2019-12-31", "2024-11-30", "2024-12-01");
    BOUNDARY(MN_FREQ_FULL_MONTHS, 119, "2014-07-04", "2024-06-30",
             "2024-07-01");
    /* the month rule itself, over two years of pairs */
    for (int32_t p = D("2023-01-01"); p < D("2024-12-31"); p += 13) {
        for (int32_t d = p; d < p + 800; d += 7) {
            int32_t diff =
                mn_x__freq_month_index(d) - mn_x__freq_month_index(p);
            CHECK(mn_x__freq_counts(MN_FREQ_FULL_MONTHS, 11, p, d) ==
                  !(diff > 11));
            CHECK(mn_x__freq_counts(MN_FREQ_FULL_MONTHS, 23, p, d) ==
                  !(diff > 23));
        }
    }
}

static void test_days(void)
{
    /* 365 days across a leap year and not */
    BOUNDARY(MN_FREQ_DAYS, 365, "2024-01-01", "2024-12-30", "2024-12-31");
    BOUNDARY(MN_FREQ_DAYS, 365, "2023-01-01", "2023-12-31", "2024-01-01");
    BOUNDARY(MN_FREQ_DAYS, 365, "2024-02-29", "2025-02-27", "2025-02-28");
    BOUNDARY(MN_FREQ_DAYS, 1, "2024-06-01", "2024-06-01", "2024-06-02");
    BOUNDARY(MN_FREQ_DAYS, 30, "2024-12-15", "2025-01-13", "2025-01-14");
}

static void test_rolling_months(void)
{
    BOUNDARY(MN_FREQ_MONTHS, 12, "2023-03-15", "2024-03-14", "2024-03-15");
    /* Feb 29 + 12 months: the end of February */
    BOUNDARY(MN_FREQ_MONTHS, 12, "2024-02-29", "2025-02-27", "2025-02-28");
    BOUNDARY(MN_FREQ_MONTHS, 24, "2022-01-10", "2024-01-09", "2024-01-10");
    BOUNDARY(MN_FREQ_MONTHS, 48, "2020-02-29", "2024-02-28", "2024-02-29");
    BOUNDARY(MN_FREQ_MONTHS, 120, "2014-06-10", "2024-06-09", "2024-06-10");
    BOUNDARY(MN_FREQ_MONTHS, 36, "2021-08-31", "2024-08-30", "2024-08-31");
    BOUNDARY(MN_FREQ_MONTHS, 1, "2024-01-31", "2024-02-28", "2024-02-29");
}

static void test_calendar_year(void)
{
    BOUNDARY(MN_FREQ_CALENDAR_YEAR, 0, "2024-01-01", "2024-12-31",
             "2025-01-01");
    BOUNDARY(MN_FREQ_CALENDAR_YEAR, 0, "2024-12-31", "2024-12-31",
             "2025-01-01");
    BOUNDARY(MN_FREQ_CALENDAR_YEAR, 0, "2023-06-30", "2023-12-31",
             "2024-01-01");
}

static mn_freq_verdict eval(mn_freq f, const char *const *dates, size_t n,
                            const char *date, uint32_t units)
{
    mn_freq_item items[16];
    mn_freq_verdict v;
    for (size_t i = 0; i < n; i++) {
        items[i].date = D(dates[i]);
        items[i].units = 1;
        items[i].expiry = 0;
    }
    mn_x__freq_eval(&v, &f, items, n, D(date), units);
    return v;
}

static void test_eval_basic(void)
{
    mn_freq annual = {MN_FREQ_FULL_MONTHS, 1, 11, MN_FREQ_NONE, 0};
    mn_freq life = {MN_FREQ_LIFETIME, 1, 0, MN_FREQ_NONE, 0};
    const char *one[] = {"2023-07-15"};
    const char *future[] = {"2024-09-01"};
    mn_freq_verdict v;

    v = eval(annual, one, 1, "2024-06-30", 1);
    CHECK(!v.allowed);
    CHECK_STR(T(v.next), "2024-07-01");
    CHECK_STR(T(v.blocking), "2023-07-15");
    CHECK_INT(v.counted, 1);
    CHECK(!v.by_spacing);
    v = eval(annual, one, 1, "2024-07-01", 1);
    CHECK(v.allowed);
    CHECK_INT(v.counted, 0);
    /* no prior service; a later one is ignored */
    v = eval(annual, NULL, 0, "2024-07-01", 1);
    CHECK(v.allowed);
    v = eval(annual, future, 1, "2024-07-01", 1);
    CHECK(v.allowed);
    /* lifetime: never again */
    v = eval(life, one, 1, "2060-01-01", 1);
    CHECK(!v.allowed);
    CHECK_INT(v.next, MN_FOREVER);
    CHECK_STR(T(v.blocking), "2023-07-15");
    /* two units on one line of a once-only service */
    v = eval(life, NULL, 0, "2024-01-01", 2);
    CHECK(!v.allowed);
    CHECK(v.units_exceed);
    CHECK_INT(v.next, MN_FOREVER);
    CHECK_INT(v.blocking, MN_NODATE);
}

static void test_eval_counts(void)
{
    /* up to 4 per 12 months (alcohol counseling) */
    mn_freq four = {MN_FREQ_MONTHS, 4, 12, MN_FREQ_NONE, 0};
    const char *s4[] = {"2024-03-01", "2024-01-10", "2024-05-01", "2024-07-01"};
    /* 2 per calendar year */
    mn_freq cy = {MN_FREQ_CALENDAR_YEAR, 2, 0, MN_FREQ_NONE, 0};
    const char *s2[] = {"2024-01-05", "2024-06-01"};
    /* 8 sessions per 12 months (tobacco) */
    mn_freq eight = {MN_FREQ_MONTHS, 8, 12, MN_FREQ_NONE, 0};
    const char *s8[] = {"2024-01-02", "2024-01-09", "2024-01-16", "2024-01-23",
                        "2024-06-03", "2024-06-10", "2024-06-17", "2024-06-24"};
    mn_freq_verdict v;

    v = eval(four, s4, 3, "2024-09-01", 1);
    CHECK(v.allowed);
    CHECK_INT(v.counted, 3);
    v = eval(four, s4, 4, "2024-09-01", 1);
    CHECK(!v.allowed);
    CHECK_INT(v.counted, 4);
    /* the first to lapse is the January one */
    CHECK_STR(T(v.next), "2025-01-10");
    CHECK_STR(T(v.blocking), "2024-01-10");
    v = eval(four, s4, 4, "2025-01-09", 1);
    CHECK(!v.allowed);
    v = eval(four, s4, 4, "2025-01-10", 1);
    CHECK(v.allowed);
    /* two units need two to lapse */
    v = eval(four, s4, 4, "2025-01-10", 2);
    CHECK(!v.allowed);
    CHECK_STR(T(v.next), "2025-03-01");

    v = eval(cy, s2, 2, "2024-12-31", 1);
    CHECK(!v.allowed);
    CHECK_STR(T(v.next), "2025-01-01");
    v = eval(cy, s2, 2, "2025-01-01", 1);
    CHECK(v.allowed);
    v = eval(cy, s2, 1, "2024-12-31", 1);
    CHECK(v.allowed);

    v = eval(eight, s8, 8, "2024-12-31", 1);
    CHECK(!v.allowed);
    CHECK_STR(T(v.next), "2025-01-02");
    v = eval(eight, s8, 8, "2025-01-02", 1);
    CHECK(v.allowed);
    v = eval(eight, s8, 7, "2024-12-31", 1);
    CHECK(v.allowed);
    v = eval(eight, s8, 7, "2024-12-31", 2);
    CHECK(!v.allowed);
}

static void test_eval_weights(void)
{
    mn_freq four = {MN_FREQ_DAYS, 4, 365, MN_FREQ_NONE, 0};
    mn_freq_item it[2];
    mn_freq_verdict v;

    it[0].date = D("2024-01-01");
    it[0].units = 3;
    it[1].date = D("2024-02-01");
    it[1].units = 1;
    mn_x__freq_eval(&v, &four, it, 2, D("2024-03-01"), 1);
    CHECK(!v.allowed);
    CHECK_INT(v.counted, 4);
    CHECK_STR(T(v.next), "2024-12-31");
    CHECK_STR(T(v.blocking), "2024-01-01");
}

/* 2 per 12 months at least 6 months apart (diabetes screening, TS) */
static void test_spacing(void)
{
    mn_freq ts = {MN_FREQ_MONTHS, 2, 12, MN_FREQ_MONTHS, 6};
    mn_freq full = {MN_FREQ_MONTHS, 2, 12, MN_FREQ_FULL_MONTHS, 5};
    mn_freq days = {MN_FREQ_MONTHS, 2, 12, MN_FREQ_DAYS, 180};
    const char *one[] = {"2024-01-15"};
    const char *two[] = {"2024-01-15", "2024-07-15"};
    const char *eom[] = {"2024-08-31"};
    mn_freq_verdict v;

    v = eval(ts, one, 1, "2024-07-14", 1);
    CHECK(!v.allowed);
    CHECK(v.by_spacing);
    CHECK_STR(T(v.next), "2024-07-15");
    CHECK_STR(T(v.blocking), "2024-01-15");
    v = eval(ts, one, 1, "2024-07-15", 1);
    CHECK(v.allowed);
    /* count full: the first lapses a year on */
    v = eval(ts, two, 2, "2025-01-14", 1);
    CHECK(!v.allowed);
    CHECK(!v.by_spacing);
    CHECK_STR(T(v.next), "2025-01-15");
    v = eval(ts, two, 2, "2025-01-15", 1);
    CHECK(v.allowed);
    /* both rules fail: the later day wins */
    v = eval(ts, two, 2, "2024-08-01", 1);
    CHECK(!v.allowed);
    CHECK_STR(T(v.next), "2025-01-15");
    /* month-end spacing: Aug 31 + 6 months = end of February */
    v = eval(ts, eom, 1, "2025-02-27", 1);
    CHECK(!v.allowed);
    CHECK_STR(T(v.next), "2025-02-28");
    v = eval(ts, eom, 1, "2025-02-28", 1);
    CHECK(v.allowed);
    /* spacing in full months and in days */
    v = eval(full, one, 1, "2024-06-30", 1);
    CHECK(!v.allowed);
    CHECK_STR(T(v.next), "2024-07-01");
    CHECK(mn_x__freq_spaced(MN_FREQ_FULL_MONTHS, 5, D("2024-01-15"),
                            D("2024-07-01")));
    v = eval(days, one, 1, "2024-07-12", 1);
    CHECK(!v.allowed);
    CHECK_STR(T(v.next), "2024-07-13");
    CHECK(mn_x__freq_spaced(MN_FREQ_NONE, 0, D("2024-01-15"), D("2024-01-15")));
}

int main(void)
{
    RUN(test_months);
    RUN(test_lifetime);
    RUN(test_full_months);
    RUN(test_days);
    RUN(test_rolling_months);
    RUN(test_calendar_year);
    RUN(test_eval_basic);
    RUN(test_eval_counts);
    RUN(test_eval_weights);
    RUN(test_spacing);
    DONE();
}
