/*
 * cds.c: the CDS Hooks handlers. Discovery, the service call and feedback
 * are answered by the library (mednec/cds.h); here only the HTTP side:
 * statuses, OperationOutcome bodies, counts.
 */
#include <stdio.h>
#include <string.h>

#include "srv.h"

#define JSON_TYPE "application/json; charset=utf-8"

void srv_h_cds_discovery(srv_req *r, srv_resp *resp)
{
    srv_worker *w = srv_worker_get(r->s);
    mn_error err;
    int rc;

    mn_error_clear(&err);
    if (!w) {
        srv_cds_error(r, resp, 500, "exception", "out of memory", NULL);
        return;
    }
    mn_buf_clear(w->out);
    if ((rc = mn_cds_discovery(w->out, &err))) {
        srv_cds_error(r, resp, 500, "exception", mn_strerror(rc), NULL);
        return;
    }
    resp->status = 200;
    resp->content_type = JSON_TYPE;
    resp->body = w->out;
}

static void count_result(void *payload, const mn_result *res)
{
    srv_metrics_result(payload, res);
}

/* The OperationOutcome issue code of a library error. */
static const char *issue_code(int status)
{
    switch (status) {
    case 400:
        return "structure";
    case 404:
        return "not-found";
    case 413:
        return "too-costly";
    case 422:
        return "invalid";
    default:
        return "exception";
    }
}

void srv_h_cds_service(srv_req *r, srv_resp *resp)
{
    srv *s = r->s;
    srv_worker *w = srv_worker_get(s);
    mn_cds_request *req = NULL;
    mn_cds_options o = MN_CDS_OPTIONS_INIT;
    mn_cds_respond_options ro = MN_CDS_RESPOND_OPTIONS_INIT;
    srv_kb *k = NULL;
    char today[11];
    char where[300] = "";
    mn_error err;
    int rc;

    mn_error_clear(&err);
    if (!w) {
        srv_cds_error(r, resp, 500, "exception", "out of memory", NULL);
        return;
    }
    srv_today(today, s);
    o.today = today;
    o.max_input = s->cfg.max_body;
    rc = mn_cds_parse(&req, r->service_id, r->body, r->body_len, &o, &err);
    if (rc) {
        /* a malformed CDS Hooks request is a 400 with an OperationOutcome
         * (CDS Hooks 2.0), whatever part of it is wrong */
        int status = rc == MN_EINVAL ? 400 : srv_status_for(rc, &err);
        if (err.where[0])
            snprintf(where, sizeof(where), "%s", err.where);
        else if (err.line)
            snprintf(where, sizeof(where), "line %zu, column %zu", err.line,
                     err.column);
        srv_cds_error(r, resp, status, issue_code(status),
                      status == 500 ? mn_strerror(rc) : err.message, where);
        return;
    }
    if (mn_cds_request_missing(req)) {
        srv_cds_error(r, resp, 412, "required", mn_cds_request_missing(req),
                      "prefetch");
        mn_cds_request_free(req);
        return;
    }
    if (s->history)
        ro.history = &s->history_src;
    ro.on_result = count_result;
    ro.payload = s;
    k = srv_kb_acquire(s);
    mn_buf_clear(w->out);
    rc = mn_cds_respond(w->out, req, w->ctx, k->kb, &ro, &err);
    srv_kb_release(k);
    mn_cds_request_free(req);
    if (rc) {
        int status = srv_status_for(rc, &err);
        srv_cds_error(r, resp, status, issue_code(status), mn_strerror(rc),
                      NULL);
        return;
    }
    resp->status = 200;
    resp->content_type = JSON_TYPE;
    resp->body = w->out;
}

void srv_h_cds_feedback(srv_req *r, srv_resp *resp)
{
    mn_cds_feedback_counts c;
    mn_error err;
    int rc;

    mn_error_clear(&err);
    rc = mn_cds_feedback(&c, r->body, r->body_len, &err);
    if (rc) {
        int status = rc == MN_EINVAL ? 400 : srv_status_for(rc, &err);
        char where[300] = "";
        if (err.where[0])
            snprintf(where, sizeof(where), "%s", err.where);
        else if (err.line)
            snprintf(where, sizeof(where), "line %zu, column %zu", err.line,
                     err.column);
        srv_cds_error(r, resp, status, issue_code(status), err.message, where);
        return;
    }
    atomic_fetch_add(&r->s->metrics.feedback_accepted, c.accepted);
    atomic_fetch_add(&r->s->metrics.feedback_overridden, c.overridden);
    resp->status = 200;
    resp->content_type = JSON_TYPE;
    resp->static_body = "{}";
    resp->static_len = 2;
}
