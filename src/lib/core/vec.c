/* vec.c: capped growable vectors, arenas and text buffers. */
#include <stdio.h>
#include <string.h>

#include "core/util.h"

int mn_x__vec_reserve(mn_vec *v, size_t extra)
{
    size_t need;
    size_t cap;
    unsigned char *p;

    if (!mn_x__add(&need, v->len, extra))
        return MN_ELIMIT;
    if (v->max && need > v->max)
        return MN_ELIMIT;
    if (need <= v->cap)
        return MN_OK;
    cap = v->cap ? v->cap : 64;
    while (cap < need) {
        if (!mn_x__mul(&cap, cap, 2))
            return MN_ELIMIT;
    }
    if (v->max && cap > v->max)
        cap = v->max;
    p = mn_x__realloc(v->data, cap);
    if (!p)
        return MN_ENOMEM;
    v->data = p;
    v->cap = cap;
    return MN_OK;
}

int mn_x__vec_push(mn_vec *v, const void *data, size_t len)
{
    int rc = mn_x__vec_reserve(v, len);
    if (rc)
        return rc;
    if (len)
        memcpy(v->data + v->len, data, len);
    v->len += len;
    return MN_OK;
}

void mn_x__vec_free(mn_vec *v)
{
    mn_x__free(v->data);
    v->data = NULL;
    v->len = v->cap = 0;
}

/* Arena */

typedef struct chunk {
    struct chunk *next;
    size_t size;
    size_t used;
    /* data follows, max-aligned */
} chunk;

struct mn_arena {
    chunk *head;
    size_t total;
    size_t max;
};

#define ARENA_CHUNK 65536
#define ALIGN 16

int mn_x__arena_new(mn_arena **out, size_t max_bytes)
{
    mn_arena *a = mn_x__calloc(1, sizeof(*a));
    *out = NULL;
    if (!a)
        return MN_ENOMEM;
    a->max = max_bytes ? max_bytes : (size_t)256 << 20;
    *out = a;
    return MN_OK;
}

void mn_x__arena_free(mn_arena *a)
{
    chunk *c;
    chunk *n;

    if (!a)
        return;
    for (c = a->head; c; c = n) {
        n = c->next;
        mn_x__free(c);
    }
    mn_x__free(a);
}

void mn_x__arena_reset(mn_arena *a)
{
    chunk *c;
    chunk *n;

    if (!a || !a->head)
        return;
    /* keep the first (largest-so-far) chunk, free the rest */
    for (c = a->head->next; c; c = n) {
        n = c->next;
        a->total -= c->size;
        mn_x__free(c);
    }
    a->head->next = NULL;
    a->head->used = 0;
}

static size_t hdr_size(void)
{
    return (sizeof(chunk) + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

void *mn_x__arena_alloc(mn_arena *a, size_t size)
{
    chunk *c = a->head;
    size_t want = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);

    if (want < size)
        return NULL;
    if (!c || c->size - c->used < want) {
        size_t csize = want > ARENA_CHUNK ? want : ARENA_CHUNK;
        size_t alloc;
        if (c && c->size * 2 > csize && c->size < ((size_t)8 << 20))
            csize = c->size * 2;
        if (!mn_x__add(&alloc, csize, hdr_size()))
            return NULL;
        if (a->total + alloc > a->max)
            return NULL;
        c = mn_x__malloc(alloc);
        if (!c)
            return NULL;
        c->size = csize;
        c->used = 0;
        c->next = a->head;
        a->head = c;
        a->total += alloc;
    }
    void *p = (unsigned char *)c + hdr_size() + c->used;
    c->used += want;
    return p;
}

char *mn_x__arena_strndup(mn_arena *a, const char *s, size_t len)
{
    char *p = mn_x__arena_alloc(a, len + 1);
    if (p) {
        if (len)
            memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

char *mn_x__arena_vprintf(mn_arena *a, const char *fmt, va_list ap)
{
    va_list again;
    char small[256];
    int n;
    char *p = NULL;

    va_copy(again, ap);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    if (n >= 0 && (p = mn_x__arena_alloc(a, (size_t)n + 1)) != NULL) {
        if ((size_t)n < sizeof(small))
            memcpy(p, small, (size_t)n + 1);
        else
            vsnprintf(p, (size_t)n + 1, fmt, again);
    }
    va_end(again);
    return p;
}

char *mn_x__arena_printf(mn_arena *a, const char *fmt, ...)
{
    va_list ap;
    char *p;

    va_start(ap, fmt);
    p = mn_x__arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

/* Public text buffer */

int mn_buf_new(mn_buf **out, size_t max)
{
    mn_buf *b = mn_x__calloc(1, sizeof(*b));
    *out = NULL;
    if (!b)
        return MN_ENOMEM;
    b->v.max = max ? max : (size_t)64 << 20;
    *out = b;
    return MN_OK;
}

void mn_buf_free(mn_buf *buf)
{
    if (!buf)
        return;
    mn_x__vec_free(&buf->v);
    mn_x__free(buf);
}

void mn_buf_clear(mn_buf *buf)
{
    if (buf)
        buf->v.len = 0;
}

int mn_buf_append(mn_buf *buf, const void *data, size_t len)
{
    if (!buf || (!data && len))
        return MN_EINVAL;
    return mn_x__buf_append(buf, (const char *)data, len);
}

const char *mn_buf_data(const mn_buf *buf)
{
    if (!buf || !buf->v.data)
        return "";
    return (const char *)buf->v.data;
}

size_t mn_buf_len(const mn_buf *buf)
{
    return buf ? buf->v.len : 0;
}

int mn_x__buf_append_slow(mn_buf *b, const char *s, size_t len)
{
    int rc = mn_x__vec_reserve(&b->v, len + 1);
    if (rc) {
        if (rc == MN_ELIMIT)
            b->v.len = 0; /* left empty and reusable */
        return rc;
    }
    if (len)
        memcpy(b->v.data + b->v.len, s, len);
    b->v.len += len;
    b->v.data[b->v.len] = '\0';
    return MN_OK;
}

int mn_x__buf_puts(mn_buf *b, const char *s)
{
    return mn_x__buf_append(b, s, strlen(s));
}

int mn_x__buf_vprintf(mn_buf *b, const char *fmt, va_list ap)
{
    va_list again;
    char small[512];
    int n;
    int rc;

    va_copy(again, ap);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    if (n < 0) {
        rc = MN_ERROR;
    } else if ((size_t)n < sizeof(small)) {
        rc = mn_x__buf_append(b, small, (size_t)n);
    } else if ((rc = mn_x__vec_reserve(&b->v, (size_t)n + 1)) == MN_OK) {
        vsnprintf((char *)b->v.data + b->v.len, (size_t)n + 1, fmt, again);
        b->v.len += (size_t)n;
    }
    va_end(again);
    return rc;
}

int mn_x__buf_printf(mn_buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = mn_x__buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}
