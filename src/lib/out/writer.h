/*
 * out/writer.h: the one writer of the output layer (writer.c). A sticky-
 * error writer over an mn_buf: once an append fails, every later append is
 * a no-op, and the error is read once at the end (curl's dynbuf). The
 * renderers (render.c, lookup.c) write straight through without checking
 * each call. JSON strings are escaped here and only here.
 */
#ifndef MN_OUT_WRITER_H
#define MN_OUT_WRITER_H

#include "core/util.h"

typedef struct mn_out {
    mn_buf *buf;
    int rc; /* MN_OK, or the first error (MN_ELIMIT, MN_ENOMEM) */
} mn_out;

static inline void mn_x__out_init(mn_out *w, mn_buf *buf)
{
    w->buf = buf;
    w->rc = MN_OK;
}

/* Appends `len` bytes. */
static inline void mn_x__out_raw(mn_out *w, const char *s, size_t len)
{
    if (w->rc == MN_OK)
        w->rc = mn_x__buf_append(w->buf, s, len);
}

/* A string literal, without its NUL. */
#define MN_OUT_LIT(w, lit) mn_x__out_raw((w), "" lit, sizeof(lit) - 1)

/* Appends a NUL-terminated string as is (NULL: nothing). */
void mn_x__out_puts(mn_out *w, const char *s);
/* Appends a decimal integer. */
void mn_x__out_int(mn_out *w, long long v);
/* Appends an amount in cents as dollars with two decimals ("125.50"). */
void mn_x__out_amount(mn_out *w, int64_t cents);
/* Appends printf output (for the text renderings; not on hot paths). */
void mn_x__out_printf(mn_out *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends `s` as a JSON string literal, quotes included; NULL as null.
 * Control characters are escaped, invalid UTF-8 becomes U+FFFD. */
void mn_x__out_json_str(mn_out *w, const char *s);
void mn_x__out_json_strn(mn_out *w, const char *s, size_t len);
/* `"name":value` members: `key` is the literal `,"name":` (or
 * `"name":`); the member is left out when `value` is NULL. */
void mn_x__out_json_member(mn_out *w, const char *key, size_t key_len,
                           const char *value);
#define MN_OUT_MEMBER(w, lit, v)                                               \
    mn_x__out_json_member((w), "" lit, sizeof(lit) - 1, (v))
/* A date (days since 1970) as a JSON string, null for MN_NODATE. */
void mn_x__out_json_date(mn_out *w, int32_t days);

/* The brief JSON of a result (brief.c). */
struct mn_result;
void mn_x__render_brief(mn_out *w, const struct mn_result *res);
/* `,"cross_claim":{...}` when the edits across claims were asked for
 * (brief.c). */
void mn_x__out_cross(mn_out *w, const struct mn_result *res);

/* Appends `s` on one line of text: control characters become spaces. */
void mn_x__out_text(mn_out *w, const char *s);

#endif
