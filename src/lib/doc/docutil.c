/* doc/docutil.c: money, long dates and today's date for the documents. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "doc/doc_int.h"

void mn_x__money(char out[24], int64_t cents)
{
    char digits[24];
    int64_t dollars;
    int n;
    size_t o = 0;

    if (cents < 0)
        cents = 0;
    dollars = cents / 100;
    n = snprintf(digits, sizeof(digits), "%lld", (long long)dollars);
    out[o++] = '$';
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    snprintf(out + o, 24 - o, ".%02d", (int)(cents % 100));
}

void mn_x__long_date(char out[40], int32_t days, const char *lang)
{
    static const char *const en[] = {
        "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December"};
    static const char *const es[] = {
        "enero", "febrero", "marzo",      "abril",   "mayo",      "junio",
        "julio", "agosto",  "septiembre", "octubre", "noviembre", "diciembre"};
    int y, m, d;

    if (days == MN_NODATE) {
        out[0] = '\0';
        return;
    }
    mn_x__civil_from_days(days, &y, &m, &d);
    if (lang && strcmp(lang, "es") == 0)
        snprintf(out, 40, "%d de %s de %d", d, es[m - 1], y);
    else
        snprintf(out, 40, "%s %d, %d", en[m - 1], d, y);
}

int32_t mn_x__today(void)
{
    time_t t = time(NULL);
    struct tm tm;

    if (t == (time_t)-1 || !gmtime_r(&t, &tm))
        return MN_NODATE;
    return mn_x__days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}
