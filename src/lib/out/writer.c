/*
 * out/writer.c: the sticky-error writer of the output layer (writer.h),
 * and JSON string escaping, the one place it is done.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "out/writer.h"

/* `"" lit` only compiles for a string literal, whose sizeof is right */
#define PUT(b, lit) mn_x__buf_append((b), "" lit, sizeof(lit) - 1)
#define TRY(expr)                                                              \
    do {                                                                       \
        rc = (expr);                                                           \
        if (rc)                                                                \
            goto done;                                                         \
    } while (0)

/* Length of the valid UTF-8 sequence at `s` (at most `n` bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len = 0;
    unsigned c = s[0];

    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4;
    if (len > n)
        len = 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            len = 0;
    }
    /* overlong forms, surrogates and code points past U+10FFFF */
    if (len == 3 && ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f)))
        len = 0;
    if (len == 4 && ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f)))
        len = 0;
    return len;
}

/* How many bytes from `p` (of `len`) need neither escaping nor UTF-8
 * checking: 16 at a time with SSE2 (every x86-64 has it; the last 16, or
 * a short string copied into a padded block, in one more step), else 8
 * at a time, then one by one. */
#if defined(__SSE2__)
static inline unsigned special16(const unsigned char *p)
{
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i bslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    /* signed compare: below 0x20, or 0x80 and up (negative) */
    __m128i m = _mm_or_si128(
        _mm_cmpgt_epi8(space, v),
        _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)));
    return (unsigned)_mm_movemask_epi8(m);
}

static size_t plain_run(const unsigned char *p, size_t len)
{
    size_t i = 0;
    size_t r;
    unsigned mask;

    for (; i + 16 <= len; i += 16) {
        mask = special16(p + i);
        if (mask)
            return i + (size_t)__builtin_ctz(mask);
    }
    r = len - i;
    if (!r)
        return len;
    if (len >= 16) {
        /* the last 16 bytes: the first 16 - r were found plain above */
        mask = special16(p + len - 16) >> (16 - r);
    } else {
        unsigned char pad[16];
        memset(pad, 'a', sizeof(pad));
        memcpy(pad, p, r);
        mask = special16(pad) & ((1u << r) - 1);
    }
    return mask ? i + (size_t)__builtin_ctz(mask) : len;
}
#else
/* True when none of 8 bytes needs escaping or UTF-8 checking: no
 * control character, quote, backslash or byte >= 0x80. */
static inline bool plain8(const unsigned char *p)
{
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t high = 0x8080808080808080ULL;
    uint64_t w;
    uint64_t q;
    uint64_t b;

    memcpy(&w, p, 8);
    q = w ^ (ones * '"');
    b = w ^ (ones * '\\');
    return ((w & high) | ((w - ones * 0x20) & ~w & high) |
            ((q - ones) & ~q & high) | ((b - ones) & ~b & high)) == 0;
}

/* True when the byte needs escaping or UTF-8 checking. */
static inline bool special(unsigned char c)
{
    return c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
}

static size_t plain_run(const unsigned char *p, size_t len)
{
    size_t i = 0;

    while (i + 8 <= len && plain8(p + i))
        i += 8;
    while (i < len && !special(p[i]))
        i++;
    return i;
}
#endif

static int json_string(mn_buf *buf, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t run = 0; /* start of the bytes not yet copied */
    size_t i = 0;
    int rc = MN_OK;

    if (!s) {
        rc = PUT(buf, "null");
        goto done;
    }
    TRY(PUT(buf, "\""));
    while (i < len) {
        unsigned char ch;
        i += plain_run(p + i, len - i);
        if (i >= len)
            break;
        ch = p[i];
        char esc[6] = {'\\', 'u', '0', '0', 0, 0};
        size_t n = 0;
        size_t u;

        if (ch >= 0x80) {
            u = utf8_len(p + i, len - i);
            if (u) {
                i += u;
                continue;
            }
        }
        TRY(mn_x__buf_append(buf, s + run, i - run));
        if (ch >= 0x80) {
            /* not UTF-8 (a Latin-1 description, say): U+FFFD keeps the
             * output valid JSON */
            TRY(PUT(buf, "\xef\xbf\xbd"));
        } else {
            switch (ch) {
            case '"':
                esc[1] = '"';
                n = 2;
                break;
            case '\\':
                esc[1] = '\\';
                n = 2;
                break;
            case '\n':
                esc[1] = 'n';
                n = 2;
                break;
            case '\r':
                esc[1] = 'r';
                n = 2;
                break;
            case '\t':
                esc[1] = 't';
                n = 2;
                break;
            case '\b':
                esc[1] = 'b';
                n = 2;
                break;
            case '\f':
                esc[1] = 'f';
                n = 2;
                break;
            default:
                esc[4] = hex[ch >> 4];
                esc[5] = hex[ch & 15];
                n = 6;
                break;
            }
            TRY(mn_x__buf_append(buf, esc, n));
        }
        i++;
        run = i;
    }
    TRY(mn_x__buf_append(buf, s + run, len - run));
    rc = PUT(buf, "\"");
done:
    return rc;
}

void mn_x__out_json_strn(mn_out *w, const char *s, size_t len)
{
    if (w->rc == MN_OK)
        w->rc = json_string(w->buf, s, len);
}

void mn_x__out_json_str(mn_out *w, const char *s)
{
    if (w->rc == MN_OK)
        w->rc = json_string(w->buf, s, s ? strlen(s) : 0);
}

void mn_x__out_json_member(mn_out *w, const char *key, size_t key_len,
                           const char *value)
{
    if (!value)
        return;
    mn_x__out_raw(w, key, key_len);
    mn_x__out_json_str(w, value);
}

void mn_x__out_json_date(mn_out *w, int32_t days)
{
    char t[11];

    if (days == MN_NODATE) {
        MN_OUT_LIT(w, "null");
        return;
    }
    mn_x__format_date(t, days);
    mn_x__out_json_str(w, t);
}

void mn_x__out_puts(mn_out *w, const char *s)
{
    if (s)
        mn_x__out_raw(w, s, strlen(s));
}

void mn_x__out_int(mn_out *w, long long v)
{
    char tmp[24];
    size_t n = sizeof(tmp);
    unsigned long long u =
        v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

    do {
        tmp[--n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[--n] = '-';
    mn_x__out_raw(w, tmp + n, sizeof(tmp) - n);
}

void mn_x__out_amount(mn_out *w, int64_t cents)
{
    long long c = cents < 0 ? -(long long)cents : (long long)cents;
    char frac[3] = {(char)('0' + (c / 10) % 10), (char)('0' + c % 10), 0};

    if (cents < 0)
        MN_OUT_LIT(w, "-");
    mn_x__out_int(w, c / 100);
    MN_OUT_LIT(w, ".");
    mn_x__out_raw(w, frac, 2);
}

void mn_x__out_printf(mn_out *w, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    int n;

    if (w->rc != MN_OK)
        return;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        w->rc = MN_ERROR;
        return;
    }
    if ((size_t)n < sizeof(small)) {
        mn_x__out_raw(w, small, (size_t)n);
        return;
    }
    va_start(ap, fmt);
    w->rc = mn_x__buf_vprintf(w->buf, fmt, ap);
    va_end(ap);
}

void mn_x__out_text(mn_out *w, const char *s)
{
    size_t run = 0;
    size_t i = 0;

    for (; s && s[i]; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch != 0x7f)
            continue;
        mn_x__out_raw(w, s + run, i - run);
        MN_OUT_LIT(w, " ");
        run = i + 1;
    }
    if (s)
        mn_x__out_raw(w, s + run, i - run);
}

int mn_buf_append_json(mn_buf *buf, const char *s, size_t len)
{
    if (!buf || (!s && len))
        return MN_EINVAL;
    return json_string(buf, s, len);
}
