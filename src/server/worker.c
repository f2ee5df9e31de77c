/*
 * worker.c: per-thread scratch (the engine context and output buffers)
 * and small utilities.
 *
 * libmicrohttpd runs every request of a connection on one thread of its
 * pool; each thread gets its own context on first use, so nothing on the
 * check path is shared but the immutable KB. The thread-local pointers are
 * tagged with the server's serial number: a thread that served an earlier
 * server (tests, the fuzz target) makes a new worker.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "srv.h"

static _Thread_local uint64_t tl_serial;
static _Thread_local srv_worker *tl_worker;

srv_worker *srv_worker_get(srv *s)
{
    srv_worker *w;

    if (tl_serial == s->serial && tl_worker)
        return tl_worker;
    w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    /* the context's arena may grow to 64 MiB: a 1,000-line claim */
    if (mn_ctx_new(&w->ctx, (size_t)64 << 20, NULL) ||
        mn_buf_new(&w->out, (size_t)64 << 20) ||
        mn_buf_new(&w->tmp, (size_t)64 << 20)) {
        mn_ctx_free(w->ctx);
        mn_buf_free(w->out);
        mn_buf_free(w->tmp);
        free(w);
        return NULL;
    }
    pthread_mutex_lock(&s->workers_lock);
    w->next = s->workers;
    s->workers = w;
    pthread_mutex_unlock(&s->workers_lock);
    tl_serial = s->serial;
    tl_worker = w;
    return w;
}

void srv_workers_free(srv *s)
{
    srv_worker *w = s->workers;

    while (w) {
        srv_worker *next = w->next;
        mn_ctx_free(w->ctx);
        mn_buf_free(w->out);
        mn_buf_free(w->tmp);
        free(w);
        w = next;
    }
    s->workers = NULL;
    /* this thread's pointer must not outlive the server */
    if (tl_serial == s->serial) {
        tl_serial = 0;
        tl_worker = NULL;
    }
}

int64_t srv_now(void)
{
    return (int64_t)time(NULL);
}

uint64_t srv_monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void srv_today(char out[11], const srv *s)
{
    time_t now;
    struct tm tm;

    if (s->cfg.today) {
        snprintf(out, 11, "%s", s->cfg.today);
        return;
    }
    now = time(NULL);
    gmtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}
