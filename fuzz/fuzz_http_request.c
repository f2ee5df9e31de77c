/*
 * fuzz_http_request.c: the request path of mednec serve without sockets:
 * routing, admission (methods, Content-Type, bearer tokens, CDS Hooks
 * JWTs, CORS), body parsing (claims, JSON Lines, CDS Hooks requests and
 * the FHIR-to-claim mapping, feedback) and the handlers' answers.
 *
 * The input is an HTTP/1.1 request as it would arrive: a request line,
 * headers, an empty line and the body. The first byte picks the server:
 * bit 0 one that verifies JWTs against a JWK Set (else CDS calls are
 * accepted unsigned), bit 1 one with bearer tokens on /v1. Invariants:
 * every request gets a status from 200 to 599 and, but for 204, a body
 * (or a stream that ends); an error body is JSON; nothing leaks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "srv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FIELDS 32

typedef struct fake {
    char *method;
    char *path;
    char *names[MAX_FIELDS];
    char *values[MAX_FIELDS];
    int n_headers;
    char *qnames[MAX_FIELDS];
    char *qvalues[MAX_FIELDS];
    int n_query;
} fake;

static const char *get_header(const srv_req *r, const char *name)
{
    const fake *f = r->transport;
    for (int i = 0; i < f->n_headers; i++) {
        if (!strcasecmp(f->names[i], name))
            return f->values[i];
    }
    return NULL;
}

static const char *get_query(const srv_req *r, const char *name)
{
    const fake *f = r->transport;
    for (int i = 0; i < f->n_query; i++) {
        if (!strcmp(f->qnames[i], name))
            return f->qvalues[i];
    }
    return NULL;
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

/* Splits "k=v&k2=v2" in place (no percent-decoding: the fuzzer writes
 * what it means). */
static void split_query(fake *f, char *q)
{
    while (q && *q && f->n_query < MAX_FIELDS) {
        char *amp = strchr(q, '&');
        char *eq;
        if (amp)
            *amp = '\0';
        eq = strchr(q, '=');
        if (eq) {
            *eq = '\0';
            f->qnames[f->n_query] = q;
            f->qvalues[f->n_query++] = eq + 1;
        }
        q = amp ? amp + 1 : NULL;
    }
}

static srv *servers[4];

static const char jwks[] =
    "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"fuzz\",\"use\":"
    "\"sig\",\"x\":\"A1lQMEXnK4sq9enY7PqbaZA7qKzt2kTdHAYyPJrJvgU\",\"y\":"
    "\"LI2bkZ2DBR7EnXA9Qs7AI8X5U6E93OnrcQFBE-IV7VA\"}]}";

static srv *server(int kind)
{
    srv_config cfg;
    mn_error err;
    char jwks_path[] = "/tmp/mednec-fuzz-jwks-XXXXXX";
    char tok_path[] = "/tmp/mednec-fuzz-tok-XXXXXX";
    int fd;

    if (servers[kind])
        return servers[kind];
    memset(&cfg, 0, sizeof(cfg));
    cfg.today = "2025-03-01";
    cfg.max_body = 65536;
    cfg.max_batch = 65536;
    cfg.cds_insecure = !(kind & 1);
    if (kind & 1) {
        fd = mkstemp(jwks_path);
        if (fd < 0 || write(fd, jwks, sizeof(jwks) - 1) < 0)
            abort();
        close(fd);
        cfg.jwks_file = jwks_path;
    }
    if (kind & 2) {
        fd = mkstemp(tok_path);
        if (fd < 0 || write(fd, "fuzz-token-0123456789\n", 22) < 0)
            abort();
        close(fd);
        cfg.token_file = tok_path;
    }
    mn_error_clear(&err);
    if (srv_new(&servers[kind], &cfg, &err))
        abort();
    if (kind & 1)
        unlink(jwks_path);
    if (kind & 2)
        unlink(tok_path);
    return servers[kind];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy;
    char *p;
    char *end;
    char *line_end;
    char *q;
    fake f;
    srv_req r;
    srv_resp resp;
    int kind;

    if (size < 1 || size > 200000)
        return 0;
    kind = data[0] & 3;
    copy = malloc(size);
    if (!copy)
        return 0;
    memcpy(copy, data + 1, size - 1);
    copy[size - 1] = '\0';
    end = copy + size - 1;
    memset(&f, 0, sizeof(f));
    memset(&r, 0, sizeof(r));
    /* request line */
    line_end = strstr(copy, "\r\n");
    if (!line_end)
        goto done;
    *line_end = '\0';
    f.method = copy;
    p = strchr(copy, ' ');
    if (!p)
        goto done;
    *p++ = '\0';
    f.path = p;
    p = strchr(p, ' ');
    if (p)
        *p = '\0';
    q = strchr(f.path, '?');
    if (q) {
        *q++ = '\0';
        split_query(&f, q);
    }
    if (f.path[0] != '/')
        goto done;
    /* headers up to the empty line */
    p = line_end + 2;
    while (p < end) {
        char *colon;
        line_end = strstr(p, "\r\n");
        if (!line_end)
            goto done;
        if (line_end == p) {
            p += 2;
            break;
        }
        *line_end = '\0';
        colon = strchr(p, ':');
        if (colon && f.n_headers < MAX_FIELDS) {
            *colon = '\0';
            colon++;
            while (*colon == ' ')
                colon++;
            f.names[f.n_headers] = p;
            f.values[f.n_headers++] = colon;
        }
        p = line_end + 2;
    }
    r.s = server(kind);
    r.method = method_of(f.method);
    r.path = f.path;
    r.header = get_header;
    r.query = get_query;
    r.transport = &f;
    r.body = p < end ? p : "";
    r.body_len = p < end ? (size_t)(end - p) : 0;
    r.spool_fd = -1;
    r.route_index = -1;
    snprintf(r.id, sizeof(r.id), "fuzz");
    srv_dispatch(&r, &resp);
    if (resp.status < 200 || resp.status > 599)
        __builtin_trap();
    if (resp.stream) {
        mn_buf *out = NULL;
        int rc = 1;
        int parts = 0;
        if (mn_buf_new(&out, 0) == MN_OK) {
            while (rc == 1 && parts++ < 100000) {
                mn_buf_clear(out);
                rc = resp.stream->next(resp.stream, out);
            }
            mn_buf_free(out);
        }
        if (rc == 1)
            __builtin_trap(); /* a stream that never ends */
        srv_resp_release(&resp);
    } else if (resp.status != 204 && !resp.body && !resp.static_body) {
        __builtin_trap();
    }
    if (resp.status >= 400 && resp.body && mn_buf_data(resp.body)[0] != '{')
        __builtin_trap();
done:
    free(copy);
    return 0;
}
