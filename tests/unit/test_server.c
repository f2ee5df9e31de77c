/* test_server.c: mednec serve without sockets: routes, admission
 * (methods, CORS, Content-Type, limits, bearer tokens, CDS Hooks JWTs),
 * the handlers' answers, metrics and KB reload, through srv_dispatch.
 * The HTTP side (libmicrohttpd) is tested by tests/server. */
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <jansson.h>
#include <jwt.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "srv.h"

#define BASE "https://cds.example.org"
#define ISS "https://ehr.example.org"
#define TOKEN "test-token-0123456789abcdef"

static char dir[] = "/tmp/mednec-test-server-XXXXXX";
static char kb_path[600], kb2_path[600], jwks_path[600], token_path[600];
static char *es_pem, *rs_pem, *es256_pem;
static srv *S;

/* ---- keys ------------------------------------------------------------------
 */

static void b64url(char *out, const unsigned char *p, size_t n)
{
    static const char al[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        out[o++] = al[(v >> 18) & 63];
        out[o++] = al[(v >> 12) & 63];
        if (i + 1 < n)
            out[o++] = al[(v >> 6) & 63];
        if (i + 2 < n)
            out[o++] = al[v & 63];
    }
    out[o] = '\0';
}

/* A big-endian integer as exactly `size` bytes (leading zeros dropped or
 * added), base64url. */
static void b64int(char *out, const gnutls_datum_t *d, size_t size)
{
    unsigned char buf[600];
    size_t skip = 0;
    while (skip < d->size && d->data[skip] == 0 && d->size - skip > size)
        skip++;
    memset(buf, 0, sizeof(buf));
    memcpy(buf + (size - (d->size - skip)), d->data + skip, d->size - skip);
    b64url(out, buf, size);
}

static char *pem_of(gnutls_x509_privkey_t k)
{
    gnutls_datum_t out;
    char *s;
    if (gnutls_x509_privkey_export2(k, GNUTLS_X509_FMT_PEM, &out) < 0)
        return NULL;
    s = strndup((const char *)out.data, out.size);
    gnutls_free(out.data);
    return s;
}

static int make_keys(void)
{
    gnutls_x509_privkey_t ec, rsa, ec256;
    gnutls_datum_t x, y, k, m, e, x2, y2, k2;
    gnutls_ecc_curve_t curve;
    char bx[80], by[80], bm[400], be[16], bx2[64], by2[64];
    FILE *f;

    gnutls_x509_privkey_init(&ec);
    gnutls_x509_privkey_init(&rsa);
    gnutls_x509_privkey_init(&ec256);
    if (gnutls_x509_privkey_generate(
            ec256, GNUTLS_PK_ECDSA,
            GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) < 0 ||
        gnutls_x509_privkey_generate(
            ec, GNUTLS_PK_ECDSA,
            GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1), 0) < 0 ||
        gnutls_x509_privkey_generate(rsa, GNUTLS_PK_RSA, 2048, 0) < 0)
        return -1;
    gnutls_x509_privkey_export_ecc_raw(ec, &curve, &x, &y, &k);
    gnutls_x509_privkey_export_rsa_raw(rsa, &m, &e, NULL, NULL, NULL, NULL);
    gnutls_x509_privkey_export_ecc_raw(ec256, &curve, &x2, &y2, &k2);
    b64int(bx2, &x2, 32);
    b64int(by2, &y2, 32);
    es256_pem = pem_of(ec256);
    b64int(bx, &x, 48);
    b64int(by, &y, 48);
    b64int(bm, &m, 256);
    b64int(be, &e, e.size > 3 && e.data[0] == 0 ? e.size - 1 : e.size);
    es_pem = pem_of(ec);
    rs_pem = pem_of(rsa);
    f = fopen(jwks_path, "w");
    if (!f)
        return -1;
    fprintf(f,
            "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-384\",\"kid\":\"k-es\","
            "\"use\":\"sig\",\"alg\":\"ES384\",\"x\":\"%s\",\"y\":\"%s\"},"
            "{\"kty\":\"RSA\",\"kid\":\"k-rs\",\"n\":\"%s\",\"e\":\"%s\"},"
            "{\"kty\":\"EC\",\"crv\":\"P-384\",\"kid\":\"k-enc\",\"use\":"
            "\"enc\",\"x\":\"%s\",\"y\":\"%s\"},"
            "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"k-es256\","
            "\"x\":\"%s\",\"y\":\"%s\"}]}\n",
            bx, by, bm, be, bx, by, bx2, by2);
    fclose(f);
    gnutls_free(x.data);
    gnutls_free(y.data);
    gnutls_free(k.data);
    gnutls_free(m.data);
    gnutls_free(e.data);
    gnutls_x509_privkey_deinit(ec);
    gnutls_x509_privkey_deinit(rsa);
    gnutls_free(x2.data);
    gnutls_free(y2.data);
    gnutls_free(k2.data);
    gnutls_x509_privkey_deinit(ec256);
    return es_pem && rs_pem && es256_pem ? 0 : -1;
}

/* A JWT; NULL fields are left out. */
static char *token(jwt_alg_t alg, const char *kid, const char *iss,
                   const char *aud, long exp_in, const char *jti)
{
    jwt_t *j = NULL;
    char *t;
    long now = (long)time(NULL);
    const char *key = alg == JWT_ALG_RS384 || alg == JWT_ALG_RS256 ||
                              alg == JWT_ALG_RS512 || alg == JWT_ALG_HS256
                          ? rs_pem
                      : alg == JWT_ALG_ES256 ? es256_pem
                                             : es_pem;

    jwt_new(&j);
    if (iss)
        jwt_add_grant(j, "iss", iss);
    if (aud)
        jwt_add_grant(j, "aud", aud);
    jwt_add_grant_int(j, "exp", now + exp_in);
    jwt_add_grant_int(j, "iat", now);
    if (jti)
        jwt_add_grant(j, "jti", jti);
    if (kid)
        jwt_add_header(j, "kid", kid);
    jwt_set_alg(j, alg, alg == JWT_ALG_NONE ? NULL : (const unsigned char *)key,
                alg == JWT_ALG_NONE ? 0 : (int)strlen(key));
    t = jwt_encode_str(j);
    jwt_free(j);
    return t;
}

/* ---- a fake transport -------------------------------------------------------
 */

typedef struct fake {
    const char *hname[8];
    char hval[8][8192];
    int nh;
    const char *qname[8];
    const char *qval[8];
    int nq;
} fake;

static const char *get_header(const srv_req *r, const char *name)
{
    const fake *f = r->transport;
    for (int i = 0; i < f->nh; i++) {
        if (!strcasecmp(f->hname[i], name))
            return f->hval[i];
    }
    return NULL;
}

static const char *get_query(const srv_req *r, const char *name)
{
    const fake *f = r->transport;
    for (int i = 0; i < f->nq; i++) {
        if (!strcmp(f->qname[i], name))
            return f->qval[i];
    }
    return NULL;
}

static void header(fake *f, const char *name, const char *value)
{
    f->hname[f->nh] = name;
    snprintf(f->hval[f->nh++], sizeof(f->hval[0]), "%s", value);
}

static void query(fake *f, const char *name, const char *value)
{
    f->qname[f->nq] = name;
    f->qval[f->nq++] = value;
}

/* The response body as text (a stream drained); caller frees. */
static char *body_of(srv_resp *resp)
{
    char *s;
    if (resp->stream) {
        mn_buf *b = NULL;
        mn_buf *all = NULL;
        mn_buf_new(&b, 0);
        mn_buf_new(&all, 0);
        while (resp->stream->next(resp->stream, b) == 1) {
            mn_buf_append(all, mn_buf_data(b), mn_buf_len(b));
            mn_buf_clear(b);
        }
        mn_buf_append(all, mn_buf_data(b), mn_buf_len(b));
        srv_resp_release(resp);
        s = strdup(mn_buf_data(all));
        mn_buf_free(b);
        mn_buf_free(all);
        return s;
    }
    if (resp->body)
        return strdup(mn_buf_data(resp->body));
    if (resp->static_body)
        return strndup(resp->static_body, resp->static_len);
    return strdup("");
}

static const char *resp_header(const srv_resp *resp, const char *name)
{
    for (int i = 0; i < resp->n_headers; i++) {
        if (!strcasecmp(resp->headers[i].name, name))
            return resp->headers[i].value;
    }
    return NULL;
}

/* Dispatches one request; returns the status, *body the body (freed by
 * the caller when non-NULL). */
static int call(int method, const char *path, fake *f, const char *body,
                char **out, srv_resp *keep)
{
    srv_req r;
    srv_resp resp;
    fake empty;

    memset(&empty, 0, sizeof(empty));
    memset(&r, 0, sizeof(r));
    r.s = S;
    r.method = method;
    r.path = path;
    r.header = get_header;
    r.query = get_query;
    r.transport = f ? f : &empty;
    r.body = body ? body : "";
    r.body_len = body ? strlen(body) : 0;
    r.spool_fd = -1;
    r.route_index = -1;
    snprintf(r.id, sizeof(r.id), "t");
    srv_dispatch(&r, &resp);
    if (out)
        *out = body_of(&resp);
    else
        srv_resp_release(&resp);
    if (keep)
        *keep = resp;
    return resp.status;
}

static const char *claim_json =
    "{\"id\":\"c-1\",\"jurisdiction\":\"J15\",\"date\":\"2025-03-03\","
    "\"patient\":{\"id\":\"p-secret\",\"age\":74,\"sex\":\"F\"},"
    "\"diagnoses\":[\"I10\"],\"lines\":[{\"code\":\"82306\"}]}";

/* ---- tests
 * ------------------------------------------------------------------------- */

static void test_routes(void)
{
    fake f;
    char *b = NULL;
    srv_resp resp;

    CHECK_INT(call(SRV_GET, "/healthz", NULL, NULL, &b, NULL), 200);
    CHECK_STR(b, "{\"status\":\"ok\"}");
    free(b);
    CHECK_INT(call(SRV_GET, "/nope", NULL, NULL, &b, NULL), 404);
    CHECK_CONTAINS(b, "\"code\":\"not_found\"");
    free(b);
    CHECK_INT(call(SRV_POST, "/healthz", NULL, NULL, &b, &resp), 405);
    CHECK_STR(resp_header(&resp, "Allow"), "GET, HEAD");
    free(b);
    CHECK_INT(call(SRV_GET, "/v1/check", NULL, NULL, NULL, &resp), 405);
    CHECK_STR(resp_header(&resp, "Allow"), "POST");
    /* CORS preflight on the CDS routes */
    memset(&f, 0, sizeof(f));
    header(&f, "Origin", "https://sandbox.example");
    CHECK_INT(call(SRV_OPTIONS, "/cds-services/mednec-order-sign", &f, NULL,
                   NULL, &resp),
              204);
    CHECK_STR(resp_header(&resp, "Access-Control-Allow-Origin"), "*");
    CHECK_CONTAINS(resp_header(&resp, "Access-Control-Allow-Headers"),
                   "Authorization");
    CHECK_CONTAINS(resp_header(&resp, "Access-Control-Allow-Methods"), "POST");
    /* and not on /v1 */
    CHECK_INT(call(SRV_OPTIONS, "/v1/check", &f, NULL, NULL, &resp), 405);
    CHECK(resp_header(&resp, "Access-Control-Allow-Origin") == NULL);
    /* the page and the document are built in */
    CHECK_INT(call(SRV_GET, "/", NULL, NULL, &b, &resp), 200);
    CHECK_CONTAINS(b, "<!doctype html>");
    CHECK_CONTAINS(resp.content_type, "text/html");
    CHECK(resp_header(&resp, "Content-Security-Policy") != NULL);
    free(b);
    CHECK_INT(call(SRV_GET, "/openapi.json", NULL, NULL, &b, NULL), 200);
    CHECK_CONTAINS(b, "\"openapi\": \"3.1.0\"");
    free(b);
    CHECK_INT(call(SRV_GET, "/app.js", NULL, NULL, NULL, NULL), 200);
    /* a body where none is taken */
    CHECK_INT(call(SRV_GET, "/healthz", NULL, "x", NULL, NULL), 400);
}

static void test_tokens(void)
{
    fake f;
    char *b = NULL;
    srv_resp resp;

    memset(&f, 0, sizeof(f));
    header(&f, "Content-Type", "application/json");
    CHECK_INT(call(SRV_POST, "/v1/check", &f, claim_json, &b, &resp), 401);
    CHECK_CONTAINS(resp_header(&resp, "WWW-Authenticate"), "Bearer");
    CHECK_CONTAINS(b, "\"code\":\"unauthorized\"");
    free(b);
    header(&f, "Authorization", "Bearer wrong-token-0123456789abcdef");
    CHECK_INT(call(SRV_POST, "/v1/check", &f, claim_json, NULL, NULL), 401);
    snprintf(f.hval[1], sizeof(f.hval[1]), "Bearer " TOKEN "x");
    CHECK_INT(call(SRV_POST, "/v1/check", &f, claim_json, NULL, NULL), 401);
    snprintf(f.hval[1], sizeof(f.hval[1]), "bearer " TOKEN);
    CHECK_INT(call(SRV_POST, "/v1/check", &f, claim_json, NULL, NULL), 200);
    /* /healthz and the page stay open; /metrics does not */
    CHECK_INT(call(SRV_GET, "/healthz", NULL, NULL, NULL, NULL), 200);
    CHECK_INT(call(SRV_GET, "/metrics", NULL, NULL, NULL, NULL), 401);
}

static fake authed(const char *ct)
{
    fake f;
    memset(&f, 0, sizeof(f));
    if (ct)
        header(&f, "Content-Type", ct);
    header(&f, "Authorization", "Bearer " TOKEN);
    return f;
}

static void test_check(void)
{
    fake f = authed("application/json; charset=utf-8");
    char *b = NULL;
    srv_resp resp;
    json_t *doc;

    CHECK_INT(call(SRV_POST, "/v1/check", &f, claim_json, &b, &resp), 200);
    doc = json_loads(b, 0, NULL);
    CHECK_STR(json_string_value(json_object_get(doc, "status")), "not_covered");
    CHECK_STR(json_string_value(json_object_get(
                  json_array_get(json_object_get(doc, "lines"), 0), "abn")),
              "recommended");
    json_decref(doc);
    /* the patient id never comes back */
    CHECK(strstr(b, "p-secret") == NULL);
    free(b);
    query(&f, "format", "text");
    CHECK_INT(call(SRV_POST, "/v1/check", &f, claim_json, &b, &resp), 200);
    CHECK_CONTAINS(b, "NOT COVERED");
    CHECK_CONTAINS(resp.content_type, "text/plain");
    free(b);
    f.qval[0] = "xml";
    CHECK_INT(call(SRV_POST, "/v1/check", &f, claim_json, &b, NULL), 400);
    CHECK_CONTAINS(b, "\"where\":\"format\"");
    free(b);
    f.nq = 0;
    /* 400 malformed JSON with its position, 422 a claim that is not one */
    CHECK_INT(call(SRV_POST, "/v1/check", &f, "{\"lines\": [", &b, NULL), 400);
    CHECK_CONTAINS(b, "\"code\":\"invalid_json\"");
    CHECK_CONTAINS(b, "line 1, column");
    free(b);
    CHECK_INT(call(SRV_POST, "/v1/check", &f,
                   "{\"lines\":[{\"code\":\"82306\",\"date\":\"2025-02-30\"}]}",
                   &b, NULL),
              422);
    CHECK_CONTAINS(b, "\"where\":\"lines[0].date\"");
    free(b);
    /* 415, 413 */
    f = authed("text/plain");
    CHECK_INT(call(SRV_POST, "/v1/check", &f, claim_json, &b, NULL), 415);
    CHECK_CONTAINS(b, "unsupported_media_type");
    free(b);
    f = authed(NULL);
    CHECK_INT(call(SRV_POST, "/v1/check", &f, claim_json, NULL, NULL), 415);
    f = authed("application/json");
    {
        char *big = malloc(70000);
        memset(big, ' ', 69999);
        big[69999] = '\0';
        big[0] = '{';
        big[69998] = '}';
        CHECK_INT(call(SRV_POST, "/v1/check", &f, big, &b, NULL), 413);
        CHECK_CONTAINS(b, "too_large");
        free(b);
        free(big);
    }
}

static void test_batch(void)
{
    fake f = authed("application/x-ndjson");
    char *b = NULL;
    char input[2000];
    char *line2;

    snprintf(input, sizeof(input),
             "%s\n\n{\"lines\":[{\"code\":\"82306\",\"date\":\"2025-02-30\"}]}"
             "\r\nnot json\n%s",
             claim_json, claim_json);
    CHECK_INT(call(SRV_POST, "/v1/batch", &f, input, &b, NULL), 200);
    /* four answers, in input order; errors name their input line */
    line2 = b ? strchr(b, '\n') : NULL;
    CHECK(b && !strncmp(b, "{\"id\":\"c-1\"", 11));
    CHECK(line2 && !strncmp(line2 + 1, "{\"input_line\":3,", 16));
    CHECK_CONTAINS(b, "{\"input_line\":4,");
    {
        int n = 0;
        for (const char *p = b; p && *p; p++)
            n += *p == '\n';
        CHECK_INT(n, 4);
    }
    free(b);
    f = authed("application/json");
    CHECK_INT(call(SRV_POST, "/v1/batch", &f, input, NULL, NULL), 415);
}

static void test_reference(void)
{
    fake f = authed(NULL);
    char *b = NULL;

    query(&f, "q", "vitamin d def");
    CHECK_INT(call(SRV_GET, "/v1/icd10", &f, NULL, &b, NULL), 200);
    CHECK_CONTAINS(b, "\"code\":\"E55.9\"");
    free(b);
    f.qval[0] = "";
    CHECK_INT(call(SRV_GET, "/v1/icd10", &f, NULL, &b, NULL), 400);
    CHECK_CONTAINS(b, "\"where\":\"q\"");
    free(b);
    f.nq = 0;
    query(&f, "code", "82306");
    query(&f, "jurisdiction", "KY");
    query(&f, "date", "2025-03-03");
    CHECK_INT(call(SRV_GET, "/v1/lookup", &f, NULL, &b, NULL), 200);
    CHECK_CONTAINS(b, "A99911");
    free(b);
    f.qval[2] = "2025-13-40";
    CHECK_INT(call(SRV_GET, "/v1/lookup", &f, NULL, &b, NULL), 400);
    free(b);
    f.nq = 0;
    CHECK_INT(call(SRV_GET, "/v1/lookup", &f, NULL, NULL, NULL), 400);
    CHECK_INT(call(SRV_GET, "/v1/kb", &f, NULL, &b, NULL), 200);
    CHECK_CONTAINS(b, "\"version\":");
    CHECK_CONTAINS(b, "\"source\":\"kb.mnkb\"");
    free(b);
}

static void cds_call(const char *tok, const char *path, int want,
                     const char *why)
{
    fake f;
    char *b = NULL;
    char *req = mn_t_slurp(MN_FIXTURES "/cds/order-sign.json", NULL);
    int got;

    memset(&f, 0, sizeof(f));
    header(&f, "Content-Type", "application/json");
    if (tok) {
        char h[4200];
        snprintf(h, sizeof(h), "Bearer %s", tok);
        header(&f, "Authorization", h);
    }
    got = call(SRV_POST, path, &f, req, &b, NULL);
    if (got != want)
        fprintf(stderr, "cds call: want %d, got %d: %s\n", want, got, b);
    CHECK_INT(got, want);
    if (why)
        CHECK_CONTAINS(b, why);
    if (want >= 400)
        CHECK_CONTAINS(b, "\"resourceType\":\"OperationOutcome\"");
    free(b);
    free(req);
}

static void test_jwt(void)
{
    const char *sign = "/cds-services/mednec-order-sign";
    const char *aud = BASE "/cds-services/mednec-order-sign";
    char *t;

    /* ES384 and RS384 (CDS Hooks recommends both) */
    t = token(JWT_ALG_ES384, "k-es", ISS, aud, 300, "jti-1");
    cds_call(t, sign, 200, "systemActions");
    /* the same jti again: a replay */
    cds_call(t, sign, 401, "jti replayed");
    free(t);
    t = token(JWT_ALG_RS384, "k-rs", ISS, aud, 300, "jti-2");
    cds_call(t, sign, 200, NULL);
    free(t);
    t = token(JWT_ALG_RS256, "k-rs", ISS, aud, 300, "jti-2b");
    cds_call(t, sign, 200, NULL);
    free(t);
    t = token(JWT_ALG_RS512, "k-rs", ISS, aud, 300, "jti-2c");
    cds_call(t, sign, 200, NULL);
    free(t);
    t = token(JWT_ALG_ES256, "k-es256", ISS, aud, 300, "jti-2d");
    cds_call(t, sign, 200, NULL);
    free(t);
    /* the P-256 key for ES384: the curve does not fit */
    t = token(JWT_ALG_ES384, "k-es256", ISS, aud, 300, "jti-2e");
    cds_call(t, sign, 401, "does not fit");
    free(t);
    /* a signature cut short; an RS384 token naming the EC key */
    t = token(JWT_ALG_ES384, "k-es", ISS, aud, 300, "jti-2f");
    {
        char *sig = strrchr(t, '.');
        sig[strlen(sig) / 2] = '\0';
    }
    cds_call(t, sign, 401, "signature");
    free(t);
    t = token(JWT_ALG_RS384, "k-es", ISS, aud, 300, "jti-2g");
    cds_call(t, sign, 401, "does not fit");
    free(t);
    /* what must be refused */
    cds_call(NULL, sign, 401, "no Authorization");
    t = token(JWT_ALG_ES384, "k-es", ISS, BASE "/cds-services/other", 300,
              "jti-3");
    cds_call(t, sign, 401, "aud");
    free(t);
    t = token(JWT_ALG_ES384, "k-es", "https://evil.example", aud, 300, "jti-4");
    cds_call(t, sign, 401, "issuer");
    free(t);
    t = token(JWT_ALG_ES384, "k-es", ISS, aud, -3600, "jti-5");
    cds_call(t, sign, 401, "expired");
    free(t);
    t = token(JWT_ALG_ES384, "k-es", ISS, aud, 7 * 86400, "jti-6");
    cds_call(t, sign, 401, "too far");
    free(t);
    t = token(JWT_ALG_ES384, "k-es", ISS, aud, 300, NULL);
    cds_call(t, sign, 401, "no jti");
    free(t);
    t = token(JWT_ALG_ES384, "nope", ISS, aud, 300, "jti-7");
    cds_call(t, sign, 401, "kid");
    free(t);
    t = token(JWT_ALG_ES384, NULL, ISS, aud, 300, "jti-8");
    cds_call(t, sign, 401, "no kid");
    free(t);
    /* a key of "use": "enc" is no signing key */
    t = token(JWT_ALG_ES384, "k-enc", ISS, aud, 300, "jti-8b");
    cds_call(t, sign, 401, "kid");
    free(t);
    /* the RSA key's public PEM as an HMAC secret: alg confusion */
    t = token(JWT_ALG_HS256, "k-rs", ISS, aud, 300, "jti-9");
    cds_call(t, sign, 401, "alg");
    free(t);
    t = token(JWT_ALG_NONE, "k-es", ISS, aud, 300, "jti-10");
    cds_call(t, sign, 401, "alg");
    free(t);
    /* an RSA key for an ES alg */
    t = token(JWT_ALG_ES384, "k-rs", ISS, aud, 300, "jti-11");
    cds_call(t, sign, 401, "does not fit");
    free(t);
    /* a tampered payload */
    t = token(JWT_ALG_ES384, "k-es", ISS, aud, 300, "jti-12");
    {
        char *dot = strchr(t, '.');
        dot[3] = dot[3] == 'A' ? 'B' : 'A';
    }
    cds_call(t, sign, 401, "signature");
    free(t);
    cds_call("a.b", sign, 401, "three parts");
    /* feedback: its own URL or the service's is the audience */
    {
        fake f;
        char *b = NULL;
        const char *fb = "{\"feedback\":[{\"card\":\"u\",\"outcome\":"
                         "\"overridden\",\"outcomeTimestamp\":\"t\"}]}";
        memset(&f, 0, sizeof(f));
        header(&f, "Content-Type", "application/json");
        t = token(JWT_ALG_ES384, "k-es", ISS, aud, 300, "jti-13");
        snprintf(f.hval[f.nh], sizeof(f.hval[0]), "Bearer %s", t);
        f.hname[f.nh++] = "Authorization";
        CHECK_INT(call(SRV_POST, "/cds-services/mednec-order-sign/feedback", &f,
                       fb, &b, NULL),
                  200);
        free(b);
        free(t);
    }
    /* discovery: open; a JWT that is sent must be right */
    {
        fake f;
        memset(&f, 0, sizeof(f));
        CHECK_INT(call(SRV_GET, "/cds-services", &f, NULL, NULL, NULL), 200);
        t = token(JWT_ALG_ES384, "k-es", ISS, BASE "/cds-services", 300,
                  "jti-14");
        snprintf(f.hval[0], sizeof(f.hval[0]), "Bearer %s", t);
        f.hname[0] = "Authorization";
        f.nh = 1;
        CHECK_INT(call(SRV_GET, "/cds-services", &f, NULL, NULL, NULL), 200);
        /* replayed now */
        CHECK_INT(call(SRV_GET, "/cds-services", &f, NULL, NULL, NULL), 401);
        free(t);
    }
}

static void test_cds_errors(void)
{
    fake f;
    char *b = NULL;
    char *t;
    const char *aud = BASE "/cds-services/mednec-order-sign";

    memset(&f, 0, sizeof(f));
    header(&f, "Content-Type", "application/json");
    t = token(JWT_ALG_ES384, "k-es", ISS, aud, 300, "e-1");
    snprintf(f.hval[f.nh], sizeof(f.hval[0]), "Bearer %s", t);
    f.hname[f.nh++] = "Authorization";
    free(t);
    /* malformed: 400 with an OperationOutcome naming the place */
    CHECK_INT(call(SRV_POST, "/cds-services/mednec-order-sign", &f,
                   "{\"hook\":\"order-sign\",\"hookInstance\":\"x\","
                   "\"context\":{}}",
                   &b, NULL),
              400);
    CHECK_CONTAINS(b, "\"expression\":[\"context.draftOrders\"]");
    free(b);
    /* no prefetch and no ICD-10-CM reason: 412 */
    t = token(JWT_ALG_ES384, "k-es", ISS, aud, 300, "e-2");
    snprintf(f.hval[1], sizeof(f.hval[0]), "Bearer %s", t);
    free(t);
    CHECK_INT(call(SRV_POST, "/cds-services/mednec-order-sign", &f,
                   "{\"hook\":\"order-sign\",\"hookInstance\":\"x\","
                   "\"context\":{\"draftOrders\":{\"resourceType\":\"Bundle\","
                   "\"entry\":[{\"resource\":{\"resourceType\":"
                   "\"ServiceRequest\",\"id\":\"s\",\"code\":{\"coding\":[{"
                   "\"system\":\"http://www.ama-assn.org/go/cpt\",\"code\":"
                   "\"82306\"}]}}}]}}}",
                   &b, NULL),
              412);
    CHECK_CONTAINS(b, "\"code\":\"required\"");
    free(b);
    /* an unknown service: 404 before the JWT is looked at */
    CHECK_INT(call(SRV_POST, "/cds-services/nope", &f, "{}", &b, NULL), 404);
    CHECK_CONTAINS(b, "OperationOutcome");
    free(b);
}

static void test_metrics(void)
{
    fake f = authed(NULL);
    char *b = NULL;

    CHECK_INT(call(SRV_GET, "/metrics", &f, NULL, &b, NULL), 200);
    CHECK_CONTAINS(b, "mednec_claims_checked_total");
    /* the checks above denied 82306 for I10 */
    CHECK(strstr(b, "mednec_findings_total{edit=\"policy.dx_not_supported\"} "
                    "0\n") == NULL);
    CHECK_CONTAINS(b,
                   "mednec_findings_total{edit=\"policy.dx_not_supported\"}");
    CHECK_CONTAINS(b, "mednec_kb_info{version=");
    CHECK_CONTAINS(b, "mednec_cds_feedback_total{outcome=\"overridden\"} 1");
    CHECK(strstr(b, "mednec_jwt_rejected_total 0") == NULL);
    /* never patient data */
    CHECK(strstr(b, "p-secret") == NULL);
    CHECK(strstr(b, "I10") == NULL);
    free(b);
}

static void test_reload(void)
{
    fake f = authed(NULL);
    char *b = NULL;
    srv_kb *old;
    char v1[32];
    mn_error err;

    CHECK_INT(call(SRV_GET, "/v1/kb", &f, NULL, &b, NULL), 200);
    CHECK_CONTAINS(b, "\"generation\":1");
    free(b);
    /* a request holding the old KB keeps it while the new one is swapped
     * in; the old one is freed by the last release (ASan sees misuse) */
    old = srv_kb_acquire(S);
    snprintf(v1, sizeof(v1), "%s", mn_kb_version(old->kb));
    CHECK_INT(rename(kb2_path, kb_path), 0);
    mn_error_clear(&err);
    CHECK_INT(srv_reload(S, &err), MN_OK);
    CHECK_STR(mn_kb_version(old->kb), v1);
    srv_kb_release(old);
    CHECK_INT(call(SRV_GET, "/v1/kb", &f, NULL, &b, NULL), 200);
    CHECK_CONTAINS(b, "\"generation\":2");
    CHECK(strstr(b, v1) == NULL);
    free(b);
    /* a broken file: the reload fails and the KB in use stays */
    {
        FILE *w = fopen(kb_path, "w");
        fputs("not a kb", w);
        fclose(w);
    }
    CHECK(srv_reload(S, &err) != MN_OK);
    CHECK_INT(call(SRV_GET, "/v1/kb", &f, NULL, &b, NULL), 200);
    CHECK_CONTAINS(b, "\"generation\":2");
    free(b);
}

static int build_kb(const char *path, const char *src, int builtin)
{
    mn_build_options o = MN_BUILD_OPTIONS_INIT;
    mn_build *b = NULL;
    mn_error err;
    int rc;

    mn_error_clear(&err);
    o.built = "2025-01-01";
    o.no_builtin = !builtin;
    rc = mn_build_new(&b, &o, &err);
    if (!rc)
        rc = mn_build_add_path(b, src, &err);
    if (!rc)
        rc = mn_build_write(b, path, &err);
    if (rc)
        fprintf(stderr, "build %s: %s\n", path, err.message);
    mn_build_free(b);
    return rc;
}

int main(void)
{
    srv_config cfg;
    mn_error err;
    FILE *f;

    if (!mkdtemp(dir))
        return 1;
    snprintf(kb_path, sizeof(kb_path), "%s/kb.mnkb", dir);
    snprintf(kb2_path, sizeof(kb2_path), "%s/kb2.mnkb", dir);
    snprintf(jwks_path, sizeof(jwks_path), "%s/jwks.json", dir);
    snprintf(token_path, sizeof(token_path), "%s/tokens", dir);
    if (build_kb(kb_path, MN_FIXTURES "/server", 1) ||
        build_kb(kb2_path, MN_FIXTURES "/server", 0) || make_keys())
        return 1;
    f = fopen(token_path, "w");
    fprintf(f, "# tokens for /v1\n\n" TOKEN "\n");
    fclose(f);
    memset(&cfg, 0, sizeof(cfg));
    cfg.kb_path = kb_path;
    cfg.jwks_file = jwks_path;
    cfg.issuers[0] = ISS;
    cfg.n_issuers = 1;
    cfg.token_file = token_path;
    cfg.base_url = BASE "/";
    cfg.max_body = 65536;
    cfg.today = "2025-03-01";
    mn_error_clear(&err);
    if (srv_new(&S, &cfg, &err)) {
        fprintf(stderr, "srv_new: %s\n", err.message);
        return 1;
    }
    RUN(test_routes);
    RUN(test_tokens);
    RUN(test_check);
    RUN(test_batch);
    RUN(test_reference);
    RUN(test_jwt);
    RUN(test_cds_errors);
    RUN(test_metrics);
    RUN(test_reload);
    srv_free(S);
    unlink(kb_path);
    unlink(kb2_path);
    unlink(jwks_path);
    unlink(token_path);
    rmdir(dir);
    free(es_pem);
    free(es256_pem);
    free(rs_pem);
    DONE();
}
