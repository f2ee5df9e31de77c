/*
 * errors.c: the one mapping from a library error to an HTTP status and a
 * JSON error body, and the OperationOutcome of the CDS Hooks endpoints.
 *
 *   MN_EINVAL   JSON syntax (a line and column, no path)  400 invalid_json
 *               anything else (a JSON path, a value)      422 invalid_input
 *   MN_ELIMIT   an input limit                            413 too_large
 *   MN_ENOTFOUND                                          404 not_found
 *   others (out of memory, I/O, a corrupt KB, internal)   500 internal
 * (503 is the connection limit's and a draining server's status.)
 *
 * Messages are the library's one-line messages: they name a field or a
 * position, never a patient.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "srv.h"

const char *srv_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Unknown";
    }
}

int srv_status_for(int code, const mn_error *err)
{
    switch (code) {
    case MN_OK:
        return 200;
    case MN_EINVAL:
        return err && err->line && !err->where[0] ? 400 : 422;
    case MN_ELIMIT:
        return 413;
    case MN_ENOTFOUND:
        return 404;
    default:
        return 500;
    }
}

static const char *slug(int status)
{
    switch (status) {
    case 400:
        return "invalid_json";
    case 401:
        return "unauthorized";
    case 404:
        return "not_found";
    case 405:
        return "method_not_allowed";
    case 408:
        return "timeout";
    case 413:
        return "too_large";
    case 415:
        return "unsupported_media_type";
    case 422:
        return "invalid_input";
    case 429:
        return "too_many_requests";
    case 503:
        return "unavailable";
    default:
        return "internal";
    }
}

void srv_resp_header(srv_resp *resp, const char *name, const char *fmt, ...)
{
    va_list ap;

    if (resp->n_headers == SRV_MAX_HEADERS)
        return;
    resp->headers[resp->n_headers].name = name;
    va_start(ap, fmt);
    vsnprintf(resp->headers[resp->n_headers].value,
              sizeof(resp->headers[0].value), fmt, ap);
    va_end(ap);
    resp->n_headers++;
}

/* Writes `doc` (stolen) into the worker's output buffer as the body. */
static void json_body(srv_req *r, srv_resp *resp, json_t *doc, const char *type)
{
    srv_worker *w = srv_worker_get(r->s);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;

    json_decref(doc);
    resp->content_type = type;
    if (!w || !text) {
        free(text);
        resp->status = 503;
        resp->static_body = "{\"error\":{\"code\":\"unavailable\","
                            "\"message\":\"out of memory\"}}";
        resp->static_len = strlen(resp->static_body);
        resp->body = NULL;
        return;
    }
    mn_buf_clear(w->out);
    if (mn_buf_append(w->out, text, strlen(text)) == MN_OK)
        resp->body = w->out;
    free(text);
}

void srv_error(srv_req *r, srv_resp *resp, int status, const char *code,
               const char *message, const char *where)
{
    json_t *e = json_object();

    resp->status = status;
    resp->stream = NULL;
    resp->static_body = NULL;
    resp->body = NULL;
    json_object_set_new(e, "code", json_string(code ? code : slug(status)));
    json_object_set_new(e, "message", json_string(message ? message : ""));
    if (where && where[0])
        json_object_set_new(e, "where", json_string(where));
    json_body(r, resp, json_pack("{s:o}", "error", e),
              "application/json; charset=utf-8");
}

void srv_error_from(srv_req *r, srv_resp *resp, int rc, const mn_error *err)
{
    int status = srv_status_for(rc, err);
    char where[300] = "";
    const char *msg = err && err->message[0] ? err->message : mn_strerror(rc);

    if (err && err->where[0])
        snprintf(where, sizeof(where), "%s", err->where);
    else if (err && err->line)
        snprintf(where, sizeof(where), "line %zu, column %zu", err->line,
                 err->column);
    /* internal errors say what failed, not the library's detail */
    if (status == 500)
        msg = mn_strerror(rc);
    srv_error(r, resp, status, NULL, msg, where);
}

void srv_cds_error(srv_req *r, srv_resp *resp, int status, const char *issue,
                   const char *message, const char *where)
{
    json_t *is = json_pack("{s:s,s:s,s:s}", "severity", "error", "code", issue,
                           "diagnostics", message ? message : "");
    json_t *oo;

    if (is && where && where[0])
        json_object_set_new(is, "expression", json_pack("[s]", where));
    oo = json_pack("{s:s,s:[o]}", "resourceType", "OperationOutcome", "issue",
                   is);
    resp->status = status;
    resp->stream = NULL;
    resp->static_body = NULL;
    resp->body = NULL;
    json_body(r, resp, oo, "application/fhir+json; charset=utf-8");
}
