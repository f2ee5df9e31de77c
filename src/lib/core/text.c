/* text.c: dates, code keys and ASCII helpers (never locale-dependent). */
#include <stdio.h>
#include <string.h>

#include "core/util.h"

/* Howard Hinnant's days_from_civil. */
int32_t mn_x__days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + (int)doe - 719468);
}

void mn_x__civil_from_days(int32_t z0, int *y, int *m, int *d)
{
    int z = z0 + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int yy = (int)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned dd = doy - (153 * mp + 2) / 5 + 1;
    unsigned mm = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (mm <= 2);
    *m = (int)mm;
    *d = (int)dd;
}

static int days_in_month(int y, int m)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dim[m - 1];
}

static bool digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!mn_x__isdigit(s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool make_date(int32_t *out, int y, int m, int d)
{
    if (y < 1850 || y > 9999 || m < 1 || m > 12 || d < 1 ||
        d > days_in_month(y, m))
        return false;
    *out = mn_x__days_from_civil(y, m, d);
    return true;
}

bool mn_x__parse_date(int32_t *out, const char *s, size_t len, bool lenient)
{
    int y;
    int m;
    int d;

    if (len == 10 && s[4] == '-' && s[7] == '-' && digits(s, 4, &y) &&
        digits(s + 5, 2, &m) && digits(s + 8, 2, &d))
        return make_date(out, y, m, d);
    if (!lenient)
        return false;
    if (len == 8 && digits(s, 4, &y) && digits(s + 4, 2, &m) &&
        digits(s + 6, 2, &d))
        return make_date(out, y, m, d);
    if (len == 10 && s[2] == '/' && s[5] == '/' && digits(s, 2, &m) &&
        digits(s + 3, 2, &d) && digits(s + 6, 4, &y))
        return make_date(out, y, m, d);
    /* 2019-01-07 00:00:00 and similar timestamps */
    if (len > 10 && (s[10] == ' ' || s[10] == 'T'))
        return mn_x__parse_date(out, s, 10, false);
    return false;
}

void mn_x__format_date(char out[11], int32_t days)
{
    int y;
    int m;
    int d;

    if (days == MN_NODATE || days == MN_FOREVER) {
        out[0] = '\0';
        return;
    }
    /* digits by hand: dates are written on every checked line */
    mn_x__civil_from_days(days, &y, &m, &d);
    y = y < 0 ? 0 : y % 10000;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10 % 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10 % 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

int mn_x__fiscal_year(int32_t days)
{
    int y;
    int m;
    int d;
    mn_x__civil_from_days(days, &y, &m, &d);
    return m >= 10 ? y + 1 : y;
}

mn_key mn_x__key(const char *s, size_t len)
{
    mn_key k = 0;
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        int c = mn_x__toupper((unsigned char)s[i]);
        if (c == '.')
            continue;
        if (!(mn_x__isdigit(c) || (c >= 'A' && c <= 'Z')))
            return 0;
        if (n == 8)
            return 0;
        k = (k << 8) | (mn_key)c;
        n++;
    }
    if (n == 0)
        return 0;
    return k << (8 * (8 - n));
}

size_t mn_x__key_text(char *out, mn_key key)
{
    size_t n = 0;
    for (int i = 7; i >= 0; i--) {
        char c = (char)((key >> (8 * i)) & 0xff);
        if (!c)
            break;
        out[n++] = c;
    }
    out[n] = '\0';
    return n;
}

size_t mn_x__icd_dotted(char *out, mn_key key)
{
    char raw[9];
    size_t n = mn_x__key_text(raw, key);
    if (n <= 3) {
        memcpy(out, raw, n + 1);
        return n;
    }
    memcpy(out, raw, 3);
    out[3] = '.';
    memcpy(out + 4, raw + 3, n - 3 + 1);
    return n + 1;
}

bool mn_x__icd_shape(const char *s, size_t len)
{
    char raw[8];
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.') {
            if (i != 3)
                return false;
            continue;
        }
        if (n == 7)
            return false;
        raw[n++] = (char)mn_x__toupper((unsigned char)s[i]);
    }
    if (n < 3)
        return false;
    if (!(raw[0] >= 'A' && raw[0] <= 'Z'))
        return false;
    if (!mn_x__isdigit(raw[1]))
        return false;
    if (!(mn_x__isdigit(raw[2]) || (raw[2] >= 'A' && raw[2] <= 'Z')))
        return false;
    for (size_t i = 3; i < n; i++) {
        if (!(mn_x__isdigit(raw[i]) || (raw[i] >= 'A' && raw[i] <= 'Z')))
            return false;
    }
    return true;
}

bool mn_x__cpt_shape(const char *s, size_t len)
{
    if (len != 5)
        return false;
    for (size_t i = 0; i < 4; i++) {
        if (!mn_x__isdigit(s[i]))
            return false;
    }
    int c = mn_x__toupper((unsigned char)s[4]);
    /* Category II (F), III (T), PLA (U), MAAA (M), vaccine administration
       (A, e.g. 0001A) */
    return mn_x__isdigit(c) || c == 'F' || c == 'T' || c == 'U' || c == 'M' ||
           c == 'A';
}

bool mn_x__hcpcs2_shape(const char *s, size_t len)
{
    if (len != 5)
        return false;
    int c = mn_x__toupper((unsigned char)s[0]);
    if (!(c >= 'A' && c <= 'V'))
        return false;
    for (size_t i = 1; i < 5; i++) {
        if (!mn_x__isdigit(s[i]))
            return false;
    }
    return true;
}

int mn_x__strcasecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = mn_x__tolower((unsigned char)*a);
        int cb = mn_x__tolower((unsigned char)*b);
        if (ca != cb)
            return ca - cb;
        if (!ca)
            return 0;
    }
}

const char *mn_x__path_name(const char *path)
{
    const char *name = path;
    for (const char *p = path; *p; p++) {
        if (*p == '/' || *p == '!')
            name = p + 1;
    }
    return name;
}

bool mn_x__contains_ci(const char *hay, size_t hay_len, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return true;
    for (size_t i = 0; i + n <= hay_len; i++) {
        size_t j = 0;
        while (j < n && mn_x__tolower((unsigned char)hay[i + j]) ==
                            mn_x__tolower((unsigned char)needle[j]))
            j++;
        if (j == n)
            return true;
    }
    return false;
}

size_t mn_x__trim(const char **s, size_t len)
{
    const char *p = *s;
    while (len && mn_x__isspace((unsigned char)*p)) {
        p++;
        len--;
    }
    while (len && mn_x__isspace((unsigned char)p[len - 1]))
        len--;
    *s = p;
    return len;
}

bool mn_x__parse_uint(unsigned long *out, const char *s, size_t len)
{
    unsigned long v = 0;
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!mn_x__isdigit(s[i]))
            return false;
        if (v > (~0UL - 9) / 10)
            return false;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    *out = v;
    return true;
}
