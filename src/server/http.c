/*
 * http.c: the libmicrohttpd glue. One request: the headers arrive (route
 * and admission: a refusal is sent before any body is read), the body
 * arrives in pieces (kept in memory; a /v1/batch upload past 1 MiB is
 * spooled to an unlinked temporary file), then the handler runs and its
 * response is queued. A streamed response (/v1/batch) is pulled by
 * libmicrohttpd through stream_read. When the request is done, one log
 * line and the metrics.
 *
 * Limits and their answers:
 *   body larger than the route's limit     413 (before reading it when
 *                                              Content-Length says so)
 *   request headers too large             431 (libmicrohttpd)
 *   more open connections than allowed    503 and the connection closed
 *   a request slower than --request-timeout to arrive: 408 when it does
 *     arrive; closed when still arriving at twice that (libmicrohttpd
 *     cannot answer in the middle of an upload); idle connections close
 *     after --request-timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

#define SPOOL_AFTER ((size_t)1 << 20)

/* The socket context of a connection over the limit. */
static int over_limit_mark;

typedef struct http_req {
    srv_req r;
    struct MHD_Connection *con;
    uint64_t start_us;
    int refused; /* a response was queued before the body */
    char *body;
    size_t len;
    size_t cap;
    size_t max;
    uint64_t received;
    int too_large;
    int unexpected_body;
    int timed_out;
    int body_failed; /* no memory or no spool for the body */
    int status;      /* queued status, 0: none */
    uint64_t out_bytes;
    int batch_slot;
} http_req;

/* ---- request accessors --------------------------------------------------- */

static const char *get_header(const srv_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->transport, MHD_HEADER_KIND, name);
}

static const char *get_query(const srv_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->transport, MHD_GET_ARGUMENT_KIND,
                                       name);
}

static int method_of(const char *m)
{
    if (!strcmp(m, "GET"))
        return SRV_GET;
    if (!strcmp(m, "POST"))
        return SRV_POST;
    if (!strcmp(m, "OPTIONS"))
        return SRV_OPTIONS;
    if (!strcmp(m, "HEAD"))
        return SRV_HEAD;
    return SRV_OTHER;
}

/* ---- streamed responses ------------------------------------------------- */

typedef struct stream_ctx {
    srv_stream *st;
    mn_buf *pending;
    size_t off;
    http_req *h;
} stream_ctx;

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    stream_ctx *sc = cls;
    size_t avail;

    (void)pos;
    while (sc->off == mn_buf_len(sc->pending)) {
        int rc;
        mn_buf_clear(sc->pending);
        sc->off = 0;
        rc = sc->st->next(sc->st, sc->pending);
        if (rc == 0)
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (rc < 0)
            return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    avail = mn_buf_len(sc->pending) - sc->off;
    if (avail > max)
        avail = max;
    memcpy(buf, mn_buf_data(sc->pending) + sc->off, avail);
    sc->off += avail;
    if (sc->h)
        sc->h->out_bytes += avail;
    return (ssize_t)avail;
}

static void stream_free(void *cls)
{
    stream_ctx *sc = cls;
    sc->st->free(sc->st);
    mn_buf_free(sc->pending);
    free(sc);
}

/* ---- queueing a response ------------------------------------------------- */

static enum MHD_Result queue(http_req *h, srv_resp *resp)
{
    struct MHD_Response *mr = NULL;
    enum MHD_Result ok;
    srv *s = h->r.s;

    if (resp->stream) {
        stream_ctx *sc = calloc(1, sizeof(*sc));
        if (sc && mn_buf_new(&sc->pending, 0) == MN_OK) {
            sc->st = resp->stream;
            sc->h = h;
            mr = MHD_create_response_from_callback(
                MHD_SIZE_UNKNOWN, 65536, stream_read, sc, stream_free);
            if (mr)
                resp->stream = NULL; /* owned by the response now */
        }
        if (!mr) {
            if (sc)
                mn_buf_free(sc->pending);
            free(sc);
            srv_resp_release(resp);
            srv_error(&h->r, resp, 500, NULL, "out of memory", NULL);
        }
    }
    if (!mr && resp->body) {
        mr = MHD_create_response_from_buffer(mn_buf_len(resp->body),
                                             (void *)mn_buf_data(resp->body),
                                             MHD_RESPMEM_MUST_COPY);
        h->out_bytes = mn_buf_len(resp->body);
    } else if (!mr) {
        mr = MHD_create_response_from_buffer(resp->static_len,
                                             (void *)resp->static_body,
                                             MHD_RESPMEM_PERSISTENT);
        h->out_bytes = resp->static_len;
    }
    if (!mr)
        return MHD_NO;
    if (resp->content_type)
        MHD_add_response_header(mr, "Content-Type", resp->content_type);
    MHD_add_response_header(mr, "X-Request-Id", h->r.id);
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    for (int i = 0; i < resp->n_headers; i++)
        MHD_add_response_header(mr, resp->headers[i].name,
                                resp->headers[i].value);
    if (resp->close || atomic_load(&s->draining))
        MHD_add_response_header(mr, "Connection", "close");
    h->status = resp->status;
    ok = MHD_queue_response(h->con, (unsigned)resp->status, mr);
    MHD_destroy_response(mr);
    return ok;
}

/* ---- the body --------------------------------------------------------------
 */

static int spool_open(http_req *h)
{
    char path[] = "/tmp/mednec-batch-XXXXXX";
    const char *dir = getenv("TMPDIR");
    char buf[512];
    int fd;

    if (dir && dir[0]) {
        snprintf(buf, sizeof(buf), "%s/mednec-batch-XXXXXX", dir);
        fd = mkostemp(buf, O_CLOEXEC);
        if (fd >= 0)
            unlink(buf);
    } else {
        fd = mkostemp(path, O_CLOEXEC);
        if (fd >= 0)
            unlink(path);
    }
    if (fd < 0)
        return -1;
    h->r.spool_fd = fd;
    h->r.body_spooled = 1;
    return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Appends upload data; -1 when memory or the spool fails. */
static int take_body(http_req *h, const char *data, size_t n)
{
    if (h->r.body_spooled) {
        if (write_all(h->r.spool_fd, data, n))
            return -1;
        h->r.spool_len += n;
        return 0;
    }
    if (h->r.route->body == SRV_BODY_LINES && h->len + n > SPOOL_AFTER) {
        if (spool_open(h) || write_all(h->r.spool_fd, h->body, h->len) ||
            write_all(h->r.spool_fd, data, n))
            return -1;
        h->r.spool_len = h->len + n;
        free(h->body);
        h->body = NULL;
        h->len = h->cap = 0;
        return 0;
    }
    if (h->len + n + 1 > h->cap) {
        size_t cap = h->cap ? h->cap : 4096;
        char *nb;
        while (cap < h->len + n + 1)
            cap *= 2;
        nb = realloc(h->body, cap);
        if (!nb)
            return -1;
        h->body = nb;
        h->cap = cap;
    }
    memcpy(h->body + h->len, data, n);
    h->len += n;
    h->body[h->len] = '\0';
    return 0;
}

/* ---- the access handler ------------------------------------------------- */

static void new_id(srv *s, char out[24])
{
    unsigned long long n = atomic_fetch_add(&s->next_id, 1);
    snprintf(out, 24, "%016llx", n);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con,
                                  const char *url, const char *method,
                                  const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    srv *s = cls;
    http_req *h = *con_cls;
    srv_resp resp;
    uint64_t now;

    (void)version;
    if (!h) {
        const union MHD_ConnectionInfo *ci;
        const char *cl;
        uint64_t length = 0;
        int has_length = 0;

        h = calloc(1, sizeof(*h));
        if (!h)
            return MHD_NO;
        *con_cls = h;
        h->con = con;
        h->start_us = srv_monotonic_us();
        h->r.s = s;
        h->r.method = method_of(method);
        h->r.path = url;
        h->r.header = get_header;
        h->r.query = get_query;
        h->r.transport = con;
        h->r.spool_fd = -1;
        h->r.route_index = -1;
        new_id(s, h->r.id);
        atomic_fetch_add(&s->metrics.in_flight, 1);

        ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        if (ci && ci->socket_context == &over_limit_mark) {
            srv_label(&h->r);
            memset(&resp, 0, sizeof(resp));
            srv_error(&h->r, &resp, 503, NULL,
                      "too many open connections; retry later", NULL);
            srv_resp_header(&resp, "Retry-After", "1");
            resp.close = 1;
            h->refused = 1;
            return queue(h, &resp);
        }
        cl =
            MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Content-Length");
        if (cl && cl[0]) {
            char *end = NULL;
            errno = 0;
            length = strtoull(cl, &end, 10);
            has_length = end && !*end && !errno;
        }
        if (srv_admit(&h->r, &resp, length, has_length)) {
            h->refused = 1;
            return queue(h, &resp);
        }
        if (h->r.route->body == SRV_BODY_LINES) {
            /* a batch slot for the time of the upload and the stream */
            long n = atomic_fetch_add(&s->metrics.batches, 1) + 1;
            h->batch_slot = 1;
            if (n > (long)s->cfg.max_batches) {
                memset(&resp, 0, sizeof(resp));
                srv_error(&h->r, &resp, 429, NULL,
                          "too many batches at once; retry later", NULL);
                srv_resp_header(&resp, "Retry-After", "1");
                h->refused = 1;
                return queue(h, &resp);
            }
        }
        h->max = h->r.route->body == SRV_BODY_LINES ? s->cfg.max_batch
                                                    : s->cfg.max_body;
        return MHD_YES;
    }
    if (h->refused)
        return MHD_YES;
    now = srv_monotonic_us();
    if (*size) {
        size_t n = *size;
        *size = 0;
        h->received += n;
        if (now - h->start_us > 2000000ull * s->cfg.request_timeout) {
            h->timed_out = 1;
            return MHD_NO; /* still arriving: close */
        }
        if (h->r.route->body == SRV_BODY_NONE) {
            h->unexpected_body = 1;
            return MHD_YES;
        }
        if (h->too_large || h->received > h->max) {
            /* read and drop the rest, up to four times the limit */
            h->too_large = 1;
            return h->received > 4 * (uint64_t)h->max ? MHD_NO : MHD_YES;
        }
        if (!h->body_failed && take_body(h, data, n))
            h->body_failed = 1; /* answered at the end of the body */
        return MHD_YES;
    }
    /* the whole request is in */
    memset(&resp, 0, sizeof(resp));
    if (now - h->start_us > 1000000ull * s->cfg.request_timeout) {
        h->timed_out = 1;
        srv_error(&h->r, &resp, 408, NULL,
                  "the request took too long to arrive", NULL);
        resp.close = 1;
    } else if (h->too_large) {
        srv_too_large(&h->r, &resp, h->max);
        srv_cors_headers(&h->r, &resp);
        resp.close = 1;
    } else if (h->body_failed) {
        srv_error(&h->r, &resp, 500, NULL, "cannot keep the request body",
                  NULL);
        resp.close = 1;
    } else if (h->unexpected_body) {
        srv_error(&h->r, &resp, 400, "unexpected_body",
                  "this route takes no body", NULL);
    } else {
        h->r.body = h->body ? h->body : "";
        h->r.body_len = h->len;
        srv_handle(&h->r, &resp);
    }
    return queue(h, &resp);
}

/* ---- completion: the log line and the metrics -----------------------------
 */

static void on_completed(void *cls, struct MHD_Connection *con, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    srv *s = cls;
    http_req *h = *con_cls;
    uint64_t us;
    int status;

    (void)con;
    if (!h)
        return;
    us = srv_monotonic_us() - h->start_us;
    status = h->status;
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && h->timed_out)
        status = 408;
    srv_metrics_request(s, h->r.route_index, status, us);
    if (s->cfg.log_requests)
        srv_log_request(
            s, h->r.id, h->r.method,
            h->r.route             ? h->r.route->name
            : h->r.route_index < 0 ? "(none)"
                                   : "(unknown)",
            status, us, h->received, h->out_bytes,
            toe == MHD_REQUEST_TERMINATED_COMPLETED_OK      ? NULL
            : toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? "timeout"
            : toe == MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN ? "shutdown"
                                                            : "closed");
    if (h->batch_slot)
        atomic_fetch_sub(&s->metrics.batches, 1);
    if (h->r.spool_fd >= 0)
        close(h->r.spool_fd);
    free(h->body);
    free(h);
    *con_cls = NULL;
    atomic_fetch_sub(&s->metrics.in_flight, 1);
}

static void on_connection(void *cls, struct MHD_Connection *con,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    srv *s = cls;

    (void)con;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        long n = atomic_fetch_add(&s->metrics.connections, 1) + 1;
        *socket_context =
            n > (long)s->cfg.max_connections ? &over_limit_mark : NULL;
    } else {
        atomic_fetch_sub(&s->metrics.connections, 1);
    }
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    char *q;
    char *e;

    (void)cls;
    vsnprintf(line, sizeof(line), fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    /* libmicrohttpd quotes the request's path in some messages
     * ("the request for `/...'"): a path is the client's text, so it is
     * left out */
    q = strchr(line, '`');
    e = q ? strchr(q + 1, '\'') : NULL;
    if (q && e)
        memmove(q + 1, e, strlen(e) + 1);
    srv_log(NULL, "http: %s", line);
}

/* ---- the daemon ------------------------------------------------------------
 */

struct http_daemon {
    struct MHD_Daemon *d;
    char *tls_key;
    char *tls_cert;
};

int http_start(http_daemon **out, srv *s, const http_options *o, mn_error *err)
{
    http_daemon *hd = calloc(1, sizeof(*hd));
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC |
                     MHD_USE_TURBO | MHD_USE_ERROR_LOG;
    struct MHD_OptionItem opts[16];
    int n = 0;

    *out = NULL;
    if (!hd) {
        snprintf(err->message, sizeof(err->message), "out of memory");
        return err->code = MN_ENOMEM;
    }
    if (o->addr->sa_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    /* the logger first: libmicrohttpd logs through it from then on */
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER,
                                        (intptr_t)mhd_log, NULL};
    if (o->tls_key) {
        flags |= MHD_USE_TLS;
        hd->tls_key = strdup(o->tls_key);
        hd->tls_cert = strdup(o->tls_cert);
        opts[n++] =
            (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, hd->tls_key};
        opts[n++] =
            (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, hd->tls_cert};
    }
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE,
                                        (intptr_t)o->threads, NULL};
    /* the hard limit leaves room to answer 503 to the connections over
     * the configured one */
    opts[n++] =
        (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT,
                                (intptr_t)(s->cfg.max_connections + 64), NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT,
                                        (intptr_t)s->cfg.request_timeout, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                                        (intptr_t)o->header_limit, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED,
                                        (intptr_t)on_completed, s};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_CONNECTION,
                                        (intptr_t)on_connection, s};
    opts[n++] =
        (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, (void *)o->addr};
    opts[n++] =
        (struct MHD_OptionItem){MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    hd->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
                             MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (!hd->d) {
        snprintf(err->message, sizeof(err->message),
                 "cannot listen (address in use, no permission, or bad TLS "
                 "key or certificate)");
        free(hd->tls_key);
        free(hd->tls_cert);
        free(hd);
        return err->code = MN_EIO;
    }
    *out = hd;
    return MN_OK;
}

unsigned http_port(http_daemon *hd)
{
    const union MHD_DaemonInfo *di =
        MHD_get_daemon_info(hd->d, MHD_DAEMON_INFO_BIND_PORT);
    return di ? di->port : 0;
}

void http_quiesce(http_daemon *hd)
{
    MHD_socket fd = MHD_quiesce_daemon(hd->d);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
}

void http_stop(http_daemon *hd)
{
    if (!hd)
        return;
    MHD_stop_daemon(hd->d);
    free(hd->tls_key);
    free(hd->tls_cert);
    free(hd);
}
