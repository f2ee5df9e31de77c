/*
 * api.c: the /v1 REST handlers, health, readiness, metrics and the
 * embedded files. Each handler reads its parameters, calls the library
 * and writes the library's output; the decisions are the library's.
 */
#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "srv.h"

#define JSON_TYPE "application/json; charset=utf-8"

/* ---- bearer tokens ---------------------------------------------------------
 */

#define MAX_TOKENS 64

/* Tokens are kept as SHA-256 digests: a check hashes the presented token
 * and compares digests in constant time, so neither a token's content
 * nor its length shows in the time a refusal takes. */
struct srv_tokens {
    unsigned char digest[MAX_TOKENS][32];
    int n;
};

int srv_tokens_load(struct srv_tokens **out, const char *path, mn_error *err)
{
    struct srv_tokens *t = calloc(1, sizeof(*t));
    FILE *f = NULL;
    char line[1024];
    int rc = MN_OK;

    *out = NULL;
    if (!t) {
        snprintf(err->message, sizeof(err->message), "out of memory");
        return err->code = MN_ENOMEM;
    }
    f = fopen(path, "r");
    if (!f) {
        snprintf(err->message, sizeof(err->message), "cannot open: %s",
                 strerror(errno));
        snprintf(err->where, sizeof(err->where), "%s", path);
        free(t);
        return err->code = MN_EIO;
    }
    while (fgets(line, sizeof(line), f)) {
        size_t n = strcspn(line, "\r\n");
        char *p = line;
        line[n] = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        n = strlen(p);
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            p[--n] = '\0';
        if (!n || p[0] == '#')
            continue;
        if (t->n == MAX_TOKENS) {
            snprintf(err->message, sizeof(err->message), "more than %d tokens",
                     MAX_TOKENS);
            rc = err->code = MN_ELIMIT;
            break;
        }
        if (n < 16) {
            snprintf(err->message, sizeof(err->message),
                     "a token shorter than 16 characters");
            rc = err->code = MN_EINVAL;
            break;
        }
        gnutls_hash_fast(GNUTLS_DIG_SHA256, p, n, t->digest[t->n++]);
    }
    fclose(f);
    if (rc == MN_OK && t->n == 0) {
        snprintf(err->message, sizeof(err->message), "no token in the file");
        rc = err->code = MN_EINVAL;
    }
    if (rc) {
        snprintf(err->where, sizeof(err->where), "%s", path);
        free(t);
        return rc;
    }
    *out = t;
    return MN_OK;
}

void srv_tokens_free(struct srv_tokens *t)
{
    free(t);
}

int srv_tokens_check(const struct srv_tokens *t, const char *authorization)
{
    unsigned char d[32];
    const char *tok;
    int found = 0;

    if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
        return 0;
    tok = authorization + 7;
    while (*tok == ' ')
        tok++;
    gnutls_hash_fast(GNUTLS_DIG_SHA256, tok, strlen(tok), d);
    for (int i = 0; i < t->n; i++) {
        unsigned char diff = 0;
        for (int k = 0; k < 32; k++)
            diff |= (unsigned char)(d[k] ^ t->digest[i][k]);
        found |= diff == 0;
    }
    return found;
}

/* ---- small helpers ---------------------------------------------------------
 */

static int dump_to_buf(const char *text, size_t size, void *data)
{
    return mn_buf_append(data, text, size) == MN_OK ? 0 : -1;
}

/* Answers with the worker's output buffer holding `doc` (stolen). */
static void send_json(srv_req *r, srv_resp *resp, int status, json_t *doc)
{
    srv_worker *w = srv_worker_get(r->s);
    int rc = MN_ENOMEM;

    if (w && doc) {
        mn_buf_clear(w->out);
        rc = json_dump_callback(doc, dump_to_buf, w->out, JSON_COMPACT) == 0
                 ? MN_OK
                 : MN_ENOMEM;
    }
    json_decref(doc);
    if (rc) {
        srv_error(r, resp, 500, NULL, "out of memory", NULL);
        return;
    }
    resp->status = status;
    resp->content_type = JSON_TYPE;
    resp->body = w->out;
}

static void bad_param(srv_req *r, srv_resp *resp, const char *name,
                      const char *msg)
{
    srv_error(r, resp, 400, "invalid_parameter", msg, name);
}

static mn_check_options check_options(srv *s)
{
    mn_check_options o = MN_CHECK_OPTIONS_INIT;
    if (s->history)
        o.history = &s->history_src;
    return o;
}

/* ---- files, health, metrics ------------------------------------------------
 */

static void send_asset(srv_resp *resp, const srv_asset *a)
{
    resp->status = 200;
    resp->content_type = a->type;
    resp->static_body = (const char *)a->data;
    resp->static_len = a->len;
    srv_resp_header(resp, "Cache-Control", "no-cache");
}

void srv_h_page(srv_req *r, srv_resp *resp)
{
    const srv_asset *a = srv_asset_find("/");

    if (!a) {
        srv_error(r, resp, 404, NULL, "the page is not built in", NULL);
        return;
    }
    send_asset(resp, a);
    srv_resp_header(resp, "Content-Security-Policy",
                    "default-src 'self'; img-src 'self' data:; "
                    "frame-ancestors 'none'");
}

void srv_h_asset(srv_req *r, srv_resp *resp)
{
    const srv_asset *a = srv_asset_find(r->path);

    if (!a) {
        srv_error(r, resp, 404, NULL, "no such file", r->path);
        return;
    }
    send_asset(resp, a);
}

void srv_h_openapi(srv_req *r, srv_resp *resp)
{
    const srv_asset *a = srv_asset_find("/openapi.json");

    if (!a) {
        srv_error(r, resp, 404, NULL, "no OpenAPI document built in", NULL);
        return;
    }
    send_asset(resp, a);
}

void srv_h_healthz(srv_req *r, srv_resp *resp)
{
    (void)r;
    resp->status = 200;
    resp->content_type = JSON_TYPE;
    resp->static_body = "{\"status\":\"ok\"}";
    resp->static_len = strlen(resp->static_body);
}

void srv_h_readyz(srv_req *r, srv_resp *resp)
{
    srv_kb *k;
    json_t *doc;

    if (atomic_load(&r->s->draining)) {
        send_json(r, resp, 503, json_pack("{s:s}", "status", "draining"));
        return;
    }
    k = srv_kb_acquire(r->s);
    doc = json_pack("{s:s,s:s}", "status", "ready", "kb", mn_kb_version(k->kb));
    srv_kb_release(k);
    send_json(r, resp, 200, doc);
}

void srv_h_metrics(srv_req *r, srv_resp *resp)
{
    srv_worker *w = srv_worker_get(r->s);

    if (!w) {
        srv_error(r, resp, 500, NULL, "out of memory", NULL);
        return;
    }
    mn_buf_clear(w->out);
    if (srv_metrics_render(r->s, w->out)) {
        srv_error(r, resp, 500, NULL, "cannot write the metrics", NULL);
        return;
    }
    resp->status = 200;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    resp->body = w->out;
}

/* ---- POST /v1/check
 * ---------------------------------------------------------- */

void srv_h_check(srv_req *r, srv_resp *resp)
{
    srv *s = r->s;
    srv_worker *w = srv_worker_get(s);
    const char *format = r->query(r, "format");
    mn_format fmt = MN_FORMAT_JSON;
    mn_claim *claim = NULL;
    const mn_result *res = NULL;
    mn_check_options co = check_options(s);
    srv_kb *k = NULL;
    mn_error err;
    int rc;

    mn_error_clear(&err);
    if (format && !strcmp(format, "text"))
        fmt = MN_FORMAT_TEXT;
    else if (format && strcmp(format, "json") != 0) {
        bad_param(r, resp, "format", "format must be json or text");
        return;
    }
    if (!w) {
        srv_error(r, resp, 500, NULL, "out of memory", NULL);
        return;
    }
    rc = mn_claim_parse_json(&claim, r->body, r->body_len, NULL, &err);
    if (rc) {
        srv_error_from(r, resp, rc, &err);
        return;
    }
    k = srv_kb_acquire(s);
    rc = mn_check_with(&res, w->ctx, k->kb, claim, &co, &err);
    if (rc == MN_OK) {
        mn_buf_clear(w->out);
        rc = mn_result_render(w->out, res, k->kb, fmt, &err);
        srv_metrics_result(s, res);
    }
    mn_claim_free(claim);
    srv_kb_release(k);
    if (rc) {
        srv_error_from(r, resp, rc, &err);
        return;
    }
    resp->status = 200;
    resp->content_type =
        fmt == MN_FORMAT_TEXT ? "text/plain; charset=utf-8" : JSON_TYPE;
    resp->body = w->out;
}

/* ---- POST /v1/batch: JSON Lines in, JSON Lines out --------------------------
 */

#define MAX_CLAIM ((size_t)4 << 20)
#define PART_BYTES ((size_t)64 << 10)

typedef struct batch_stream {
    srv_stream base;
    srv *s;
    srv_kb *k;
    int fd;         /* the spool, or -1 */
    char *mem;      /* the body in memory, owned */
    size_t mem_len; /* bytes of mem */
    size_t mem_pos;
    char *buf; /* read buffer (spool) */
    size_t cap, len, pos;
    int eof;
    int skipping; /* inside a line longer than MAX_CLAIM */
    size_t line_no;
} batch_stream;

/* The next input line (without its newline and a trailing \r), or NULL
 * at the end. *too_long: the line was longer than MAX_CLAIM (skipped). */
static const char *next_line(batch_stream *b, size_t *len, int *too_long)
{
    *too_long = 0;
    if (b->fd < 0) {
        const char *p = b->mem + b->mem_pos;
        const char *nl;
        size_t n;
        if (b->mem_pos >= b->mem_len)
            return NULL;
        nl = memchr(p, '\n', b->mem_len - b->mem_pos);
        n = nl ? (size_t)(nl - p) : b->mem_len - b->mem_pos;
        b->mem_pos += n + (nl != NULL);
        b->line_no++;
        if (n > MAX_CLAIM) {
            *too_long = 1;
            n = 0;
        }
        if (n && p[n - 1] == '\r')
            n--;
        *len = n;
        return p;
    }
    for (;;) {
        char *nl = b->len > b->pos
                       ? memchr(b->buf + b->pos, '\n', b->len - b->pos)
                       : NULL;
        if (nl || (b->eof && b->len > b->pos)) {
            char *p = b->buf + b->pos;
            size_t n = nl ? (size_t)(nl - p) : b->len - b->pos;
            b->pos += n + (nl != NULL);
            b->line_no++;
            if (b->skipping) {
                b->skipping = 0;
                *too_long = 1;
                n = 0;
            }
            if (n && p[n - 1] == '\r')
                n--;
            *len = n;
            return p;
        }
        if (b->eof)
            return NULL;
        /* keep the partial line, read more */
        memmove(b->buf, b->buf + b->pos, b->len - b->pos);
        b->len -= b->pos;
        b->pos = 0;
        if (b->len == b->cap) {
            /* a line longer than the buffer: drop what we have */
            b->skipping = 1;
            b->len = 0;
        }
        {
            ssize_t got = read(b->fd, b->buf + b->len, b->cap - b->len);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0)
                b->eof = 1;
            else
                b->len += (size_t)got;
        }
    }
}

static int json_escape(mn_buf *out, const char *s)
{
    json_t *str = json_string(s);
    char *t = str ? json_dumps(str, JSON_ENCODE_ANY) : NULL;
    int rc = t ? mn_buf_append(out, t, strlen(t)) : MN_ENOMEM;
    free(t);
    json_decref(str);
    return rc;
}

static int batch_next(srv_stream *st, mn_buf *out)
{
    batch_stream *b = (batch_stream *)st;
    srv_worker *w = srv_worker_get(b->s);
    mn_check_options co = check_options(b->s);
    int wrote = 0;

    if (!w)
        return MN_ENOMEM;
    while (mn_buf_len(out) < PART_BYTES) {
        size_t len = 0;
        int too_long = 0;
        const char *line = next_line(b, &len, &too_long);
        mn_claim *c = NULL;
        const mn_result *res = NULL;
        mn_error err;
        int rc;

        if (!line)
            return wrote || mn_buf_len(out) ? 1 : 0;
        if (!too_long) {
            size_t k = 0;
            while (k < len && (line[k] == ' ' || line[k] == '\t'))
                k++;
            if (k == len)
                continue; /* blank lines are skipped */
        }
        wrote = 1;
        mn_error_clear(&err);
        if (too_long) {
            rc = err.code = MN_ELIMIT;
            snprintf(err.message, sizeof(err.message),
                     "the claim is longer than %zu bytes", MAX_CLAIM);
        } else {
            rc = mn_claim_parse_json(&c, line, len, NULL, &err);
        }
        if (rc == MN_OK)
            rc = mn_check_with(&res, w->ctx, b->k->kb, c, &co, &err);
        if (rc == MN_OK) {
            rc = mn_result_render(out, res, b->k->kb, MN_FORMAT_JSON, &err);
            srv_metrics_result(b->s, res);
        } else if (rc == MN_EINVAL || rc == MN_ELIMIT) {
            char text[700];
            char head[64];
            mn_error_format(text, sizeof(text), &err);
            snprintf(head, sizeof(head),
                     "{\"input_line\":%zu,\"error\":", b->line_no);
            rc = mn_buf_append(out, head, strlen(head));
            if (rc == MN_OK)
                rc = json_escape(out, text);
            if (rc == MN_OK)
                rc = mn_buf_append(out, "}", 1);
        }
        mn_claim_free(c);
        if (rc == MN_OK)
            rc = mn_buf_append(out, "\n", 1);
        if (rc)
            return rc < 0 ? rc : MN_ERROR;
    }
    return 1;
}

static void batch_free(srv_stream *st)
{
    batch_stream *b = (batch_stream *)st;
    srv_kb_release(b->k);
    if (b->fd >= 0)
        close(b->fd);
    free(b->mem);
    free(b->buf);
    free(b);
}

void srv_h_batch(srv_req *r, srv_resp *resp)
{
    batch_stream *b = calloc(1, sizeof(*b));

    if (!b) {
        srv_error(r, resp, 500, NULL, "out of memory", NULL);
        return;
    }
    b->base.next = batch_next;
    b->base.free = batch_free;
    b->s = r->s;
    b->fd = -1;
    if (r->body_spooled) {
        /* the stream reads the spool; the request no longer closes it */
        b->fd = r->spool_fd;
        r->spool_fd = -1;
        b->cap = MAX_CLAIM + 65536;
        b->buf = malloc(b->cap);
        if (!b->buf || lseek(b->fd, 0, SEEK_SET) != 0) {
            batch_free(&b->base);
            srv_error(r, resp, 500, NULL, "cannot read the spooled upload",
                      NULL);
            return;
        }
    } else {
        b->mem = malloc(r->body_len + 1);
        if (!b->mem) {
            free(b);
            srv_error(r, resp, 500, NULL, "out of memory", NULL);
            return;
        }
        memcpy(b->mem, r->body, r->body_len);
        b->mem_len = r->body_len;
    }
    b->k = srv_kb_acquire(r->s);
    resp->status = 200;
    resp->content_type = "application/x-ndjson";
    resp->stream = &b->base;
}

/* ---- GET /v1/lookup
 * ------------------------------------------------------------- */

void srv_h_lookup(srv_req *r, srv_resp *resp)
{
    srv_worker *w = srv_worker_get(r->s);
    const char *code = r->query(r, "code");
    const char *max = r->query(r, "max_dx");
    mn_lookup_options o = MN_LOOKUP_OPTIONS_INIT;
    srv_kb *k;
    mn_error err;
    int rc;

    if (!code || !code[0]) {
        bad_param(r, resp, "code", "give a procedure code: ?code=82306");
        return;
    }
    if (!w) {
        srv_error(r, resp, 500, NULL, "out of memory", NULL);
        return;
    }
    o.jurisdiction = r->query(r, "jurisdiction");
    if (o.jurisdiction && !o.jurisdiction[0])
        o.jurisdiction = NULL;
    o.date = r->query(r, "date");
    if (o.date && !o.date[0])
        o.date = NULL;
    if (max && max[0]) {
        char *end = NULL;
        unsigned long v = strtoul(max, &end, 10);
        if (*end || v > 100000) {
            bad_param(r, resp, "max_dx", "max_dx must be 0 to 100000");
            return;
        }
        o.max_dx = v;
    }
    mn_error_clear(&err);
    mn_buf_clear(w->out);
    k = srv_kb_acquire(r->s);
    rc = mn_lookup(w->out, k->kb, code, &o, MN_FORMAT_JSON, &err);
    srv_kb_release(k);
    if (rc == MN_EINVAL) {
        bad_param(r, resp, err.where[0] ? err.where : "code", err.message);
        return;
    }
    if (rc) {
        srv_error_from(r, resp, rc, &err);
        return;
    }
    resp->status = 200;
    resp->content_type = JSON_TYPE;
    resp->body = w->out;
}

/* ---- GET /v1/icd10
 * ---------------------------------------------------------------- */

void srv_h_icd10(srv_req *r, srv_resp *resp)
{
    const char *q = r->query(r, "q");
    const char *max = r->query(r, "max");
    const char *billable = r->query(r, "billable");
    mn_icd_search_options o = MN_ICD_SEARCH_OPTIONS_INIT;
    mn_icd_hit hits[100];
    size_t n = 0;
    size_t want = 20;
    json_t *list;
    json_t *doc;
    srv_kb *k;
    mn_error err;
    int rc;

    if (!q || !q[0]) {
        bad_param(r, resp, "q", "give a code prefix or words: ?q=vitamin+d");
        return;
    }
    if (max && max[0]) {
        char *end = NULL;
        unsigned long v = strtoul(max, &end, 10);
        if (*end || v < 1 || v > 100) {
            bad_param(r, resp, "max", "max must be 1 to 100");
            return;
        }
        want = v;
    }
    o.date = r->query(r, "date");
    if (o.date && !o.date[0])
        o.date = NULL;
    o.billable_only = billable && !strcmp(billable, "true");
    mn_error_clear(&err);
    k = srv_kb_acquire(r->s);
    rc = mn_kb_icd_search(hits, want, &n, k->kb, q, strlen(q), &o, &err);
    if (rc) {
        srv_kb_release(k);
        bad_param(r, resp, err.where[0] ? err.where : "q", err.message);
        return;
    }
    list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list,
                              json_pack("{s:s,s:s,s:b}", "code", hits[i].code,
                                        "description", hits[i].description,
                                        "billable", hits[i].billable));
    doc = json_pack("{s:s,s:o}", "kb", mn_kb_version(k->kb), "results", list);
    srv_kb_release(k);
    send_json(r, resp, 200, doc);
}

/* ---- GET /v1/kb
 * ------------------------------------------------------------------ */

/* The dates of service the KB covers, by source, and what it lacks: the
 * members of `mednec kb info --format json` (docs/json.md) but its
 * source, which may be a path on the server. Left out if it cannot be
 * made (the rest of the answer stands). */
static void add_coverage(json_t *doc, const mn_kb *kb)
{
    static const char *const keys[] = {"coverage", "covers", "rule_packs",
                                       "missing", "counts"};
    mn_buf *b = NULL;
    mn_error err;
    json_t *info = NULL;

    if (mn_buf_new(&b, 0) == MN_OK &&
        mn_kb_info_render(b, kb, NULL, MN_FORMAT_JSON, &err) == MN_OK)
        info = json_loadb(mn_buf_data(b), mn_buf_len(b), 0, NULL);
    for (size_t i = 0; info && i < sizeof(keys) / sizeof(keys[0]); i++) {
        json_t *v = json_object_get(info, keys[i]);
        if (v)
            json_object_set(doc, keys[i], v);
    }
    json_decref(info);
    mn_buf_free(b);
}

void srv_h_kb(srv_req *r, srv_resp *resp)
{
    srv_kb *k = srv_kb_acquire(r->s);
    mn_kb_stats st;
    json_t *stats;
    json_t *doc;
    const char *src = mn_kb_source(k->kb);
    const char *base = strrchr(src, '/');

    mn_kb_get_stats(&st, k->kb);
    stats = json_pack(
        "{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "bytes", (json_int_t)st.bytes,
        "icd_codes", (json_int_t)st.icd_codes, "icd_years",
        (json_int_t)st.icd_years, "hcpcs_codes", (json_int_t)st.hcpcs_codes,
        "mce_edits", (json_int_t)st.mce_edits, "policies",
        (json_int_t)st.policies, "policy_codes", (json_int_t)st.policy_codes,
        "policy_diagnoses", (json_int_t)st.policy_dx, "rules",
        (json_int_t)st.rules);
    if (stats && st.icd_years) {
        json_object_set_new(stats, "icd_first_fy",
                            json_integer(st.icd_first_fy));
        json_object_set_new(stats, "icd_last_fy", json_integer(st.icd_last_fy));
    }
    /* the file's name only: where it sits on the server is no one's
     * business */
    doc = json_pack("{s:s,s:s,s:s,s:I,s:s,s:I,s:o}", "version",
                    mn_kb_version(k->kb), "built", mn_kb_built(k->kb), "source",
                    base ? base + 1 : src, "format", (json_int_t)mn_kb_format(),
                    "loaded_at", k->loaded_at, "generation",
                    (json_int_t)k->generation, "stats", stats);
    if (doc)
        add_coverage(doc, k->kb);
    srv_kb_release(k);
    send_json(r, resp, 200, doc);
}
