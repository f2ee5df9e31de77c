/*
 * core/util.h: shared internals: allocation, errors, arena, buffers, dates,
 * code keys. Never installed.
 */
#ifndef MN_UTIL_H
#define MN_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mednec/common.h"

/* Allocation: the only place that calls malloc/realloc/free. */
void *mn_x__malloc(size_t size);
void *mn_x__calloc(size_t n, size_t size);
void *mn_x__realloc(void *ptr, size_t size);
void mn_x__free(void *ptr);
char *mn_x__strndup(const char *s, size_t len);

/* Overflow-checked size arithmetic: return false on overflow. */
static inline bool mn_x__mul(size_t *out, size_t a, size_t b)
{
    return !__builtin_mul_overflow(a, b, out);
}
static inline bool mn_x__add(size_t *out, size_t a, size_t b)
{
    return !__builtin_add_overflow(a, b, out);
}

/* Fills `err` (NULL allowed) and returns `code`. */
int mn_x__err(mn_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sets the location part of `err`. */
void mn_x__err_at(mn_error *err, const char *where, size_t line, size_t column);
/* A failed system call: sets `err` whole to "`what`: <the reason errnum
 * names>" (strerror) located at `where` (NULL: no location) and returns
 * `code`, or when `code` is 0 the code for that errno: MN_ENOTFOUND
 * (ENOENT, ENOTDIR), MN_ENOMEM, else MN_EIO. Thread-safe (strerror_r).
 * core/syserr.c. */
int mn_x__err_sys(mn_error *err, int code, int errnum, const char *where,
                  const char *what);
/* The system's text for errnum (strerror_r) into `out` of `size` bytes. */
void mn_x__strerror(int errnum, char *out, size_t size);

/* Growable byte vector with a cap. */
typedef struct mn_vec {
    unsigned char *data;
    size_t len;
    size_t cap;
    size_t max;
} mn_vec;
int mn_x__vec_reserve(mn_vec *v, size_t extra);
int mn_x__vec_push(mn_vec *v, const void *data, size_t len);
void mn_x__vec_free(mn_vec *v);

/* Typed helpers over mn_vec. */
#define MN_VEC_AT(v, type, i) (((type *)(v)->data)[i])
#define MN_VEC_COUNT(v, type) ((v)->len / sizeof(type))

/* Arena: bump allocation in chunks; reset frees all at once. */
typedef struct mn_arena mn_arena;
int mn_x__arena_new(mn_arena **out, size_t max_bytes);
void mn_x__arena_free(mn_arena *a);
void mn_x__arena_reset(mn_arena *a);
void *mn_x__arena_alloc(mn_arena *a, size_t size);
char *mn_x__arena_strndup(mn_arena *a, const char *s, size_t len);
char *mn_x__arena_vprintf(mn_arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
char *mn_x__arena_printf(mn_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Buffers (the public mn_buf). The contents stay NUL-terminated. */
struct mn_buf {
    mn_vec v;
};
int mn_x__buf_append_slow(mn_buf *b, const char *s, size_t len);
/* Appends len bytes; MN_ELIMIT leaves the buffer empty and reusable. */
static inline int mn_x__buf_append(mn_buf *b, const char *s, size_t len)
{
    mn_vec *v = &b->v;
    if (v->cap - v->len > len) {
        if (len)
            __builtin_memcpy(v->data + v->len, s, len);
        v->len += len;
        v->data[v->len] = '\0';
        return MN_OK;
    }
    return mn_x__buf_append_slow(b, s, len);
}
int mn_x__buf_puts(mn_buf *b, const char *s);
int mn_x__buf_vprintf(mn_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
int mn_x__buf_printf(mn_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Dates are days since 1970-01-01 (proleptic Gregorian). */
#define MN_NODATE INT32_MIN
#define MN_FOREVER INT32_MAX
int32_t mn_x__days_from_civil(int y, int m, int d);
void mn_x__civil_from_days(int32_t days, int *y, int *m, int *d);
/* Parses exactly YYYY-MM-DD (also MM/DD/YYYY and YYYYMMDD when
 * `lenient`); returns false for malformed or impossible dates. */
bool mn_x__parse_date(int32_t *out, const char *s, size_t len, bool lenient);
/* Writes YYYY-MM-DD (11 bytes with NUL). */
void mn_x__format_date(char out[11], int32_t days);
/* Fiscal year of a date: Oct 1 starts the next FY. */
int mn_x__fiscal_year(int32_t days);

/* Code keys: up to 8 upper-case ASCII characters, dots removed, packed
 * big-endian so integer order is text order. 0 means "not a code". */
typedef uint64_t mn_key;
mn_key mn_x__key(const char *s, size_t len);
/* Writes the key as text (undotted), returns length. out >= 9 bytes. */
size_t mn_x__key_text(char *out, mn_key key);
/* Writes an ICD-10-CM key dotted (E1165 -> E11.65). out >= 10 bytes. */
size_t mn_x__icd_dotted(char *out, mn_key key);
/* True when `s` has the shape of an ICD-10-CM code (dotted or not). */
bool mn_x__icd_shape(const char *s, size_t len);
/* True when `s` has the shape of a CPT (5 digits; 4 digits + F/T/U) or a
 * HCPCS Level II code (letter + 4 digits). */
bool mn_x__cpt_shape(const char *s, size_t len);
bool mn_x__hcpcs2_shape(const char *s, size_t len);

/* ASCII helpers that never look at the locale. */
static inline bool mn_x__isdigit(int c)
{
    return c >= '0' && c <= '9';
}
static inline bool mn_x__isalpha(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
static inline int mn_x__toupper(int c)
{
    return (c >= 'a' && c <= 'z') ? c - 32 : c;
}
static inline int mn_x__tolower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}
static inline bool mn_x__isspace(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}
/* Case-insensitive ASCII compare of NUL-terminated strings. */
int mn_x__strcasecmp(const char *a, const char *b);
/* The last part of a source path: "dir/a.zip!b/c.csv" -> "c.csv". A KB
 * records its sources by name, not by where the build found them, so the
 * same files give the same bytes from any folder or archive. */
const char *mn_x__path_name(const char *path);
bool mn_x__contains_ci(const char *hay, size_t hay_len, const char *needle);
/* Trims ASCII space; returns new length, moves *s. */
size_t mn_x__trim(const char **s, size_t len);
/* Parses a non-negative decimal integer; false on junk or overflow. */
bool mn_x__parse_uint(unsigned long *out, const char *s, size_t len);

#endif
