/* alloc.c: the one module that calls the C allocator, plus errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#ifdef MN_OOM_TESTING
/* Test builds only (tests/oom): fail the Nth allocation of this thread.
 * Release and sanitizer builds have no such state. */
static _Thread_local long oom_countdown = -1;
static _Thread_local long oom_calls; /* allocations since the last set */

void mn_x__oom_fail_after(long n)
{
    oom_countdown = n;
    oom_calls = 0;
}

long mn_x__oom_calls(void)
{
    return oom_calls;
}

static int oom_now(void)
{
    oom_calls++;
    if (oom_countdown < 0)
        return 0;
    if (oom_countdown == 0)
        return 1;
    oom_countdown--;
    return 0;
}
#define OOM_NOW() oom_now()
#else
#define OOM_NOW() 0
#endif

void *mn_x__malloc(size_t size)
{
    if (OOM_NOW())
        return NULL;
    return malloc(size ? size : 1);
}

void *mn_x__calloc(size_t n, size_t size)
{
    if (OOM_NOW())
        return NULL;
    return calloc(n ? n : 1, size ? size : 1);
}

void *mn_x__realloc(void *ptr, size_t size)
{
    if (OOM_NOW())
        return NULL;
    return realloc(ptr, size ? size : 1);
}

void mn_x__free(void *ptr)
{
    free(ptr);
}

char *mn_x__strndup(const char *s, size_t len)
{
    char *p = mn_x__malloc(len + 1);
    if (p) {
        if (len)
            memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

int mn_x__err(mn_error *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return code;
    /* an error is set whole: no field of an earlier error survives */
    memset(err, 0, sizeof(*err));
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return code;
}

void mn_x__err_at(mn_error *err, const char *where, size_t line, size_t column)
{
    if (!err)
        return;
    if (where)
        snprintf(err->where, sizeof(err->where), "%s", where);
    err->line = line;
    err->column = column;
}

void mn_error_clear(mn_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
}

const char *mn_error_format(char *out, size_t size, const mn_error *err)
{
    if (!out || size == 0)
        return out;
    if (!err) {
        snprintf(out, size, "unknown error");
        return out;
    }
    const char *msg = err->message[0] ? err->message : mn_strerror(err->code);
    if (err->where[0] && err->line)
        snprintf(out, size, "%s:%zu:%zu: %s", err->where, err->line,
                 err->column, msg);
    else if (err->where[0])
        snprintf(out, size, "%s: %s", err->where, msg);
    else if (err->line)
        snprintf(out, size, "line %zu, column %zu: %s", err->line, err->column,
                 msg);
    else
        snprintf(out, size, "%s", msg);
    return out;
}

const char *mn_strerror(int code)
{
    switch (code) {
    case MN_OK:
        return "ok";
    case MN_ENOTFOUND:
        return "not found";
    case MN_EINVAL:
        return "invalid input";
    case MN_ELIMIT:
        return "limit exceeded";
    case MN_ENOMEM:
        return "out of memory";
    case MN_EIO:
        return "i/o error";
    case MN_EBADKB:
        return "corrupt knowledge base";
    case MN_EVERSION:
        return "unsupported version";
    default:
        return "error";
    }
}

const char *mn_version(void)
{
    return MN_VERSION_STRING;
}
