/*
 * router.c: the routes, admission (method, authentication, CORS, content
 * type, declared length, the batch slots) and dispatch to the handlers.
 * Nothing here knows the transport: http.c calls srv_admit when the
 * headers are in and srv_handle when the body is; srv_dispatch does both
 * for a request given whole.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "srv.h"

static const srv_route routes[] = {
    {"/", SRV_GET | SRV_HEAD, SRV_AUTH_NONE, SRV_BODY_NONE, 0, srv_h_page, "/"},
    {"/app.js", SRV_GET | SRV_HEAD, SRV_AUTH_NONE, SRV_BODY_NONE, 0,
     srv_h_asset, "/app.js"},
    {"/app.css", SRV_GET | SRV_HEAD, SRV_AUTH_NONE, SRV_BODY_NONE, 0,
     srv_h_asset, "/app.css"},
    {"/openapi.json", SRV_GET | SRV_HEAD, SRV_AUTH_NONE, SRV_BODY_NONE, 0,
     srv_h_openapi, "/openapi.json"},
    {"/healthz", SRV_GET | SRV_HEAD, SRV_AUTH_NONE, SRV_BODY_NONE, 0,
     srv_h_healthz, "/healthz"},
    {"/readyz", SRV_GET | SRV_HEAD, SRV_AUTH_NONE, SRV_BODY_NONE, 0,
     srv_h_readyz, "/readyz"},
    {"/metrics", SRV_GET, SRV_AUTH_TOKEN, SRV_BODY_NONE, 0, srv_h_metrics,
     "/metrics"},
    {"/v1/check", SRV_POST, SRV_AUTH_TOKEN, SRV_BODY_JSON, 0, srv_h_check,
     "/v1/check"},
    {"/v1/batch", SRV_POST, SRV_AUTH_TOKEN, SRV_BODY_LINES, 0, srv_h_batch,
     "/v1/batch"},
    {"/v1/lookup", SRV_GET, SRV_AUTH_TOKEN, SRV_BODY_NONE, 0, srv_h_lookup,
     "/v1/lookup"},
    {"/v1/icd10", SRV_GET, SRV_AUTH_TOKEN, SRV_BODY_NONE, 0, srv_h_icd10,
     "/v1/icd10"},
    {"/v1/kb", SRV_GET, SRV_AUTH_TOKEN, SRV_BODY_NONE, 0, srv_h_kb, "/v1/kb"},
    {"/cds-services", SRV_GET, SRV_AUTH_NONE, SRV_BODY_NONE, 1,
     srv_h_cds_discovery, "/cds-services"},
    {"/cds-services/{id}", SRV_POST, SRV_AUTH_JWT, SRV_BODY_JSON, 1,
     srv_h_cds_service, "/cds-services/{id}"},
    {"/cds-services/{id}/feedback", SRV_POST, SRV_AUTH_JWT, SRV_BODY_JSON, 1,
     srv_h_cds_feedback, "/cds-services/{id}/feedback"},
};
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

const srv_route *srv_routes(size_t *n)
{
    *n = N_ROUTES;
    return routes;
}

/* Matches `path` against a route; fills the {id} of a CDS route. */
static int match(const srv_route *rt, const char *path, char *id,
                 size_t id_size)
{
    const char *brace = strchr(rt->path, '{');
    size_t pre;
    const char *rest;
    const char *tail;
    size_t n;

    if (!brace)
        return strcmp(rt->path, path) == 0;
    pre = (size_t)(brace - rt->path);
    if (strncmp(rt->path, path, pre) != 0)
        return 0;
    rest = path + pre;
    n = strcspn(rest, "/");
    tail = strchr(brace, '}') + 1;
    if (n == 0 || n >= id_size || strcmp(rest + n, tail) != 0)
        return 0;
    memcpy(id, rest, n);
    id[n] = '\0';
    return 1;
}

void srv_label(srv_req *r)
{
    char id[sizeof(r->service_id)];

    for (size_t i = 0; i < N_ROUTES; i++) {
        if (match(&routes[i], r->path, id, sizeof(id))) {
            r->route = &routes[i];
            r->route_index = (int)i;
            return;
        }
    }
}

static void allow_header(srv_resp *resp, int methods, int cors)
{
    char v[64] = "";
    size_t n = 0;
    static const struct {
        int bit;
        const char *name;
    } m[] = {{SRV_GET, "GET"},
             {SRV_HEAD, "HEAD"},
             {SRV_POST, "POST"},
             {SRV_OPTIONS, "OPTIONS"}};

    if (cors)
        methods |= SRV_OPTIONS;
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
        if (methods & m[i].bit)
            n += (size_t)snprintf(v + n, sizeof(v) - n, "%s%s", n ? ", " : "",
                                  m[i].name);
    }
    srv_resp_header(resp, "Allow", "%s", v);
}

void srv_cors_headers(srv_req *r, srv_resp *resp)
{
    const char *origin = r->s->cfg.cors_origin ? r->s->cfg.cors_origin : "*";

    if (!r->route || !r->route->cors)
        return;
    srv_resp_header(resp, "Access-Control-Allow-Origin", "%s", origin);
    srv_resp_header(resp, "Access-Control-Expose-Headers", "X-Request-Id");
    if (strcmp(origin, "*") != 0)
        srv_resp_header(resp, "Vary", "Origin");
}

/* "application/json; charset=utf-8" -> does the media type equal one of
 * the NULL-terminated `types`? */
static int media_type_is(const char *ct, const char *const *types)
{
    size_t n;

    if (!ct)
        return 0;
    while (*ct == ' ')
        ct++;
    n = strcspn(ct, "; \t");
    for (; *types; types++) {
        if (strlen(*types) == n && strncasecmp(ct, *types, n) == 0)
            return 1;
    }
    return 0;
}

static const char *const json_types[] = {"application/json",
                                         "application/fhir+json", NULL};
static const char *const lines_types[] = {
    "application/x-ndjson", "application/jsonl", "application/json-lines",
    "application/x-jsonlines", NULL};

/* The aud a CDS Hooks JWT must carry for this request. */
static void audience(const srv_req *r, char *out, size_t size)
{
    snprintf(out, size, "%s%s", r->s->base_url, r->path);
}

static int jwt_ok(srv_req *r, srv_resp *resp, const char *auth)
{
    char aud[700];
    char why[128];
    srv *s = r->s;

    if (!s->jwt) {
        if (s->cfg.cds_insecure)
            return 1;
        srv_cds_error(r, resp, 401, "security",
                      "this server verifies no CDS Hooks JWT: start it with "
                      "--cds-jwks (or --cds-insecure for a local trial)",
                      NULL);
        return 0;
    }
    audience(r, aud, sizeof(aud));
    if (srv_jwt_verify(s->jwt, auth, aud, srv_now(), why, sizeof(why)) == 0)
        return 1;
    /* feedback: the service's own endpoint is an accepted audience too */
    if (strstr(r->path, "/feedback")) {
        snprintf(aud, sizeof(aud), "%s/cds-services/%s", s->base_url,
                 r->service_id);
        if (srv_jwt_verify(s->jwt, auth, aud, srv_now(), why, sizeof(why)) == 0)
            return 1;
    }
    atomic_fetch_add(&s->metrics.jwt_rejected, 1);
    srv_cds_error(r, resp, 401, "security", why, NULL);
    srv_resp_header(resp, "WWW-Authenticate", "Bearer realm=\"cds-hooks\"");
    return 0;
}

int srv_admit(srv_req *r, srv_resp *resp, uint64_t content_length,
              int has_length)
{
    const srv_route *rt = NULL;
    int path_found = 0;
    int methods = 0;
    int cors = 0;
    srv *s = r->s;
    const char *auth;

    memset(resp, 0, sizeof(*resp));
    resp->status = 200;
    for (size_t i = 0; i < N_ROUTES; i++) {
        char id[sizeof(r->service_id)];
        if (!match(&routes[i], r->path, id, sizeof(id)))
            continue;
        path_found = 1;
        methods |= routes[i].methods;
        cors |= routes[i].cors;
        if (routes[i].methods & r->method) {
            rt = &routes[i];
            r->route_index = (int)i;
            snprintf(r->service_id, sizeof(r->service_id), "%s",
                     strchr(routes[i].path, '{') ? id : "");
        }
    }
    if (!path_found) {
        r->route_index = -1;
        srv_error(r, resp, 404, NULL, "no such resource", r->path);
        return 1;
    }
    if (!rt) {
        /* the first route of the path labels the request */
        for (size_t i = 0; i < N_ROUTES; i++) {
            char id[sizeof(r->service_id)];
            if (match(&routes[i], r->path, id, sizeof(id))) {
                r->route = &routes[i];
                r->route_index = (int)i;
                snprintf(r->service_id, sizeof(r->service_id), "%s",
                         strchr(routes[i].path, '{') ? id : "");
                break;
            }
        }
        if (r->method == SRV_OPTIONS && cors) {
            /* CORS preflight: browser-based EHR sandboxes */
            resp->status = 204;
            srv_cors_headers(r, resp);
            srv_resp_header(resp, "Access-Control-Allow-Methods",
                            "GET, POST, OPTIONS");
            srv_resp_header(resp, "Access-Control-Allow-Headers",
                            "Authorization, Content-Type");
            srv_resp_header(resp, "Access-Control-Max-Age", "600");
            return 1;
        }
        srv_error(r, resp, 405, NULL, "method not allowed here", r->path);
        allow_header(resp, methods, cors);
        srv_cors_headers(r, resp);
        return 1;
    }
    r->route = rt;
    /* a CDS route names a service that exists */
    if (r->service_id[0] && !mn_cds_service_hook(r->service_id)) {
        srv_cds_error(r, resp, 404, "not-found", "no such CDS service",
                      r->path);
        srv_cors_headers(r, resp);
        return 1;
    }
    auth = r->header(r, "Authorization");
    switch (rt->auth) {
    case SRV_AUTH_TOKEN:
        if (s->tokens && !srv_tokens_check(s->tokens, auth)) {
            srv_error(r, resp, 401, NULL,
                      "a valid bearer token is required (Authorization: "
                      "Bearer ...)",
                      NULL);
            srv_resp_header(resp, "WWW-Authenticate",
                            "Bearer realm=\"mednec\"");
            return 1;
        }
        break;
    case SRV_AUTH_JWT:
        if (!jwt_ok(r, resp, auth)) {
            srv_cors_headers(r, resp);
            return 1;
        }
        break;
    default:
        /* discovery: open, but a JWT that is sent must be valid */
        if (rt->cors && auth && s->jwt && !jwt_ok(r, resp, auth)) {
            srv_cors_headers(r, resp);
            return 1;
        }
        break;
    }
    if (rt->body != SRV_BODY_NONE) {
        const char *ct = r->header(r, "Content-Type");
        size_t max =
            rt->body == SRV_BODY_LINES ? s->cfg.max_batch : s->cfg.max_body;
        if (!media_type_is(ct, rt->body == SRV_BODY_LINES ? lines_types
                                                          : json_types)) {
            if (rt->cors)
                srv_cds_error(r, resp, 415, "not-supported",
                              "send Content-Type: application/json", NULL);
            else
                srv_error(r, resp, 415, NULL,
                          rt->body == SRV_BODY_LINES
                              ? "send Content-Type: application/x-ndjson "
                                "(JSON Lines)"
                              : "send Content-Type: application/json",
                          "Content-Type");
            srv_cors_headers(r, resp);
            return 1;
        }
        if (has_length && content_length > max) {
            srv_too_large(r, resp, max);
            srv_cors_headers(r, resp);
            return 1;
        }
    }
    return 0;
}

void srv_too_large(srv_req *r, srv_resp *resp, size_t max)
{
    char msg[96];

    snprintf(msg, sizeof(msg), "the body is larger than %zu bytes", max);
    if (r->route && r->route->cors)
        srv_cds_error(r, resp, 413, "too-costly", msg, NULL);
    else
        srv_error(r, resp, 413, NULL, msg, NULL);
}

void srv_handle(srv_req *r, srv_resp *resp)
{
    r->route->handler(r, resp);
    srv_cors_headers(r, resp);
}

void srv_dispatch(srv_req *r, srv_resp *resp)
{
    if (srv_admit(r, resp, r->body_len, 1))
        return;
    if (r->route->body == SRV_BODY_NONE && r->body_len) {
        srv_error(r, resp, 400, "unexpected_body", "this route takes no body",
                  NULL);
        return;
    }
    if (r->route->body != SRV_BODY_NONE &&
        r->body_len > (r->route->body == SRV_BODY_LINES ? r->s->cfg.max_batch
                                                        : r->s->cfg.max_body)) {
        srv_too_large(r, resp,
                      r->route->body == SRV_BODY_LINES ? r->s->cfg.max_batch
                                                       : r->s->cfg.max_body);
        return;
    }
    srv_handle(r, resp);
}

void srv_resp_release(srv_resp *resp)
{
    if (resp->stream) {
        resp->stream->free(resp->stream);
        resp->stream = NULL;
    }
}
