/*
 * metrics.c: counters kept with relaxed atomics on the request path and
 * written in the Prometheus text format (version 0.0.4) by GET /metrics.
 * Labels are routes, statuses, edit ids and the KB version: never a
 * patient, a claim or a code from a claim.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "srv.h"

static const int statuses[SRV_N_STATUS - 1] = {
    200, 204, 400, 401, 404, 405, 408, 412, 413, 415, 422, 429, 431, 500, 503};

/* upper bounds of the latency buckets, microseconds */
static const uint64_t bucket_us[SRV_N_BUCKETS] = {
    100,   250,   500,    1000,   2500,   5000,    10000,
    25000, 50000, 100000, 250000, 500000, 1000000, 5000000};

int srv_status_index(int status)
{
    for (int i = 0; i < SRV_N_STATUS - 1; i++) {
        if (statuses[i] == status)
            return i;
    }
    return SRV_N_STATUS - 1; /* "other" */
}

void srv_metrics_request(srv *s, int route, int status, uint64_t micros)
{
    srv_metrics *m = &s->metrics;
    int r =
        route < 0 || route >= SRV_MAX_ROUTES - 1 ? SRV_MAX_ROUTES - 1 : route;
    int b = 0;

    atomic_fetch_add_explicit(&m->requests[r][srv_status_index(status)], 1,
                              memory_order_relaxed);
    while (b < SRV_N_BUCKETS && micros > bucket_us[b])
        b++;
    atomic_fetch_add_explicit(&m->latency[r][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->latency_us_sum[r], micros,
                              memory_order_relaxed);
}

/* ---- findings by edit id ------------------------------------------------ */

/* Edit ids are registered on first sight: a slot is written under the
 * lock, then published by the count; readers scan the published slots. */
static pthread_mutex_t edits_lock = PTHREAD_MUTEX_INITIALIZER;

static int edit_slot(srv *s, const char *id)
{
    srv_metrics *m = &s->metrics;
    int n = atomic_load_explicit(&m->n_edits, memory_order_acquire);
    int slot = -1;

    for (int i = 0; i < n; i++) {
        if (!strcmp(m->edit_ids[i], id))
            return i;
    }
    pthread_mutex_lock(&edits_lock);
    n = atomic_load_explicit(&m->n_edits, memory_order_relaxed);
    for (int i = 0; i < n && slot < 0; i++) {
        if (!strcmp(m->edit_ids[i], id))
            slot = i;
    }
    if (slot < 0 && n < SRV_MAX_EDITS) {
        snprintf(m->edit_ids[n], sizeof(m->edit_ids[n]), "%s", id);
        atomic_store_explicit(&m->n_edits, n + 1, memory_order_release);
        slot = n;
    }
    pthread_mutex_unlock(&edits_lock);
    return slot < 0 ? SRV_MAX_EDITS : slot;
}

void srv_metrics_register_edit(srv *s, const char *id)
{
    (void)edit_slot(s, id);
}

void srv_metrics_result(srv *s, const mn_result *res)
{
    srv_metrics *m = &s->metrics;
    size_t lines = mn_result_line_count(res);

    atomic_fetch_add_explicit(&m->claims, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->lines, lines, memory_order_relaxed);
    for (size_t l = 0; l < lines; l++) {
        size_t nf = mn_result_finding_count(res, l);
        for (size_t f = 0; f < nf; f++) {
            const char *id = mn_result_finding_edit(res, l, f);
            if (id)
                atomic_fetch_add_explicit(&m->findings[edit_slot(s, id)], 1,
                                          memory_order_relaxed);
        }
    }
}

/* ---- the text format ------------------------------------------------------
 */

static int put(mn_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int put(mn_buf *b, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0)
        return MN_ERROR;
    return mn_buf_append(
        b, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static unsigned long ld(atomic_ulong *a)
{
    return atomic_load_explicit(a, memory_order_relaxed);
}

int srv_metrics_render(srv *s, mn_buf *out)
{
    srv_metrics *m = &s->metrics;
    size_t nr;
    const srv_route *routes = srv_routes(&nr);
    srv_kb *k = srv_kb_acquire(s);
    int rc = MN_OK;
    int n_edits;

#define PUT(...)                                                               \
    do {                                                                       \
        if (rc == MN_OK)                                                       \
            rc = put(out, __VA_ARGS__);                                        \
    } while (0)

    PUT("# HELP mednec_http_requests_total HTTP requests by route and "
        "status.\n# TYPE mednec_http_requests_total counter\n");
    for (size_t r = 0; r < SRV_MAX_ROUTES; r++) {
        const char *name = r < nr                    ? routes[r].name
                           : r == SRV_MAX_ROUTES - 1 ? "(none)"
                                                     : NULL;
        if (!name)
            continue;
        for (int st = 0; st < SRV_N_STATUS; st++) {
            unsigned long v = ld(&m->requests[r][st]);
            if (!v)
                continue;
            if (st < SRV_N_STATUS - 1)
                PUT("mednec_http_requests_total{route=\"%s\",status=\"%d\"} "
                    "%lu\n",
                    name, statuses[st], v);
            else
                PUT("mednec_http_requests_total{route=\"%s\",status=\"other\"}"
                    " %lu\n",
                    name, v);
        }
    }
    PUT("# HELP mednec_http_request_duration_seconds Time from the request's "
        "first byte to its last response byte.\n"
        "# TYPE mednec_http_request_duration_seconds histogram\n");
    for (size_t r = 0; r < nr && r < SRV_MAX_ROUTES - 1; r++) {
        unsigned long cum = 0;
        unsigned long total = 0;
        for (int b = 0; b <= SRV_N_BUCKETS; b++)
            total += ld(&m->latency[r][b]);
        if (!total)
            continue;
        for (int b = 0; b < SRV_N_BUCKETS; b++) {
            cum += ld(&m->latency[r][b]);
            PUT("mednec_http_request_duration_seconds_bucket{route=\"%s\","
                "le=\"%g\"} %lu\n",
                routes[r].name, (double)bucket_us[b] / 1e6, cum);
        }
        PUT("mednec_http_request_duration_seconds_bucket{route=\"%s\","
            "le=\"+Inf\"} %lu\n",
            routes[r].name, total);
        PUT("mednec_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n",
            routes[r].name, (double)ld(&m->latency_us_sum[r]) / 1e6);
        PUT("mednec_http_request_duration_seconds_count{route=\"%s\"} %lu\n",
            routes[r].name, total);
    }
    PUT("# HELP mednec_claims_checked_total Claims checked (REST, batch and "
        "CDS Hooks).\n# TYPE mednec_claims_checked_total counter\n"
        "mednec_claims_checked_total %lu\n",
        ld(&m->claims));
    PUT("# HELP mednec_lines_checked_total Claim lines checked.\n"
        "# TYPE mednec_lines_checked_total counter\n"
        "mednec_lines_checked_total %lu\n",
        ld(&m->lines));
    PUT("# HELP mednec_findings_total Findings by edit id.\n"
        "# TYPE mednec_findings_total counter\n");
    n_edits = atomic_load_explicit(&m->n_edits, memory_order_acquire);
    for (int e = 0; e < n_edits; e++)
        PUT("mednec_findings_total{edit=\"%s\"} %lu\n", m->edit_ids[e],
            ld(&m->findings[e]));
    if (ld(&m->findings[SRV_MAX_EDITS]))
        PUT("mednec_findings_total{edit=\"other\"} %lu\n",
            ld(&m->findings[SRV_MAX_EDITS]));
    PUT("# HELP mednec_kb_info The knowledge base in use.\n"
        "# TYPE mednec_kb_info gauge\n"
        "mednec_kb_info{version=\"%s\",built=\"%s\",generation=\"%llu\"} 1\n",
        mn_kb_version(k->kb), mn_kb_built(k->kb),
        (unsigned long long)k->generation);
    PUT("# HELP mednec_kb_reloads_total Knowledge-base reloads (SIGHUP).\n"
        "# TYPE mednec_kb_reloads_total counter\n"
        "mednec_kb_reloads_total{result=\"ok\"} %lu\n"
        "mednec_kb_reloads_total{result=\"failed\"} %lu\n",
        ld(&m->reloads_ok), ld(&m->reloads_failed));
    PUT("# HELP mednec_cds_feedback_total CDS Hooks feedback entries.\n"
        "# TYPE mednec_cds_feedback_total counter\n"
        "mednec_cds_feedback_total{outcome=\"accepted\"} %lu\n"
        "mednec_cds_feedback_total{outcome=\"overridden\"} %lu\n",
        ld(&m->feedback_accepted), ld(&m->feedback_overridden));
    PUT("# HELP mednec_jwt_rejected_total CDS Hooks calls refused for their "
        "JWT.\n# TYPE mednec_jwt_rejected_total counter\n"
        "mednec_jwt_rejected_total %lu\n",
        ld(&m->jwt_rejected));
    PUT("# HELP mednec_open_connections Open HTTP connections.\n"
        "# TYPE mednec_open_connections gauge\n"
        "mednec_open_connections %ld\n",
        atomic_load(&m->connections));
    PUT("# HELP mednec_requests_in_flight Requests being handled.\n"
        "# TYPE mednec_requests_in_flight gauge\n"
        "mednec_requests_in_flight %ld\n",
        atomic_load(&m->in_flight));
    PUT("# HELP mednec_batches_in_flight /v1/batch uploads and streams.\n"
        "# TYPE mednec_batches_in_flight gauge\n"
        "mednec_batches_in_flight %ld\n",
        atomic_load(&m->batches));
#undef PUT
    srv_kb_release(k);
    return rc;
}
