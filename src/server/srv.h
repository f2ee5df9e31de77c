/*
 * srv.h: mednec serve, the HTTP front end (internal to src/server).
 *
 * Layers of the front end, top to bottom:
 *   serve_main.c  options, start, signals (SIGTERM drain, SIGHUP reload)
 *   http.c        libmicrohttpd glue: bodies, limits, connections, logs
 *   router.c      routes, admission (auth, CORS, limits), dispatch
 *   api.c cds.c   handlers: read the request, call the library, write
 *   errors.c      mn_error -> HTTP status and JSON error body
 *   jwt.c         CDS Hooks JWT verification (JWKS file, jti cache)
 *   kbref.c       the shared KB, reference-counted, swapped on reload
 *   metrics.c     counters and the Prometheus text
 * Everything below http.c works on srv_req/srv_resp and never sees a
 * socket: the fuzz target and the unit tests call srv_dispatch directly.
 * The front end uses only the public headers of the library.
 */
#ifndef MN_SRV_H
#define MN_SRV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "mednec.h"

/* ---- configuration ------------------------------------------------------ */

#define SRV_MAX_ISSUERS 8

typedef struct srv_config {
    const char *kb_path;      /* NULL: MEDNEC_KB, default, built-in */
    const char *history_path; /* NULL: none */
    const char *token_file;   /* bearer tokens for /v1, NULL: open */
    const char *jwks_file;    /* CDS Hooks: keys of the EHRs */
    const char *issuers[SRV_MAX_ISSUERS]; /* allowed iss, none: any */
    int n_issuers;
    int cds_insecure;        /* accept CDS calls without a JWT */
    const char *base_url;    /* public base URL (JWT aud), NULL: derived */
    const char *cors_origin; /* Access-Control-Allow-Origin, "*" */
    size_t max_body;         /* bytes of one JSON request body */
    size_t max_batch;        /* bytes of one /v1/batch upload */
    unsigned max_connections;
    unsigned max_batches;     /* /v1/batch streams at once */
    unsigned request_timeout; /* seconds for a request to arrive */
    unsigned jwt_max_age;     /* seconds a JWT may live (exp - now) */
    const char *today;        /* fixed date for tests, NULL: today (UTC) */
    int log_requests;         /* one line per request on stderr */
} srv_config;

/* ---- the shared knowledge base ------------------------------------------ */

/* A loaded KB and its reference count. The server holds one reference to
 * the current KB; every request holds one while it runs. A reload swaps in
 * a new one; the old one is freed when its last request ends. */
typedef struct srv_kb {
    mn_kb *kb;
    atomic_int refs;
    uint64_t generation;
    char loaded_at[32]; /* UTC time of loading, ISO 8601 */
} srv_kb;

/* ---- metrics ------------------------------------------------------------ */

enum { SRV_N_BUCKETS = 14 };
#define SRV_MAX_ROUTES 24
#define SRV_N_STATUS 16
#define SRV_MAX_EDITS 128

typedef struct srv_metrics {
    atomic_ulong requests[SRV_MAX_ROUTES][SRV_N_STATUS];
    atomic_ulong latency[SRV_MAX_ROUTES][SRV_N_BUCKETS + 1];
    atomic_ulong latency_us_sum[SRV_MAX_ROUTES];
    atomic_ulong claims;                      /* claims checked */
    atomic_ulong lines;                       /* lines checked */
    atomic_ulong findings[SRV_MAX_EDITS + 1]; /* by edit; last: others */
    char edit_ids[SRV_MAX_EDITS][48];         /* metrics.c */
    atomic_int n_edits;
    atomic_ulong feedback_accepted;
    atomic_ulong feedback_overridden;
    atomic_ulong reloads_ok;
    atomic_ulong reloads_failed;
    atomic_ulong jwt_rejected;
    atomic_long connections; /* open now */
    atomic_long in_flight;   /* requests being handled now */
    atomic_long batches;     /* /v1/batch streams now */
} srv_metrics;

/* ---- the server --------------------------------------------------------- */

struct srv_jwt;
struct srv_tokens;

typedef struct srv {
    srv_config cfg;
    uint64_t serial; /* tells this server's thread-local workers apart */
    pthread_mutex_t kb_lock;
    srv_kb *kb; /* current; under kb_lock */
    uint64_t kb_generation;
    mn_history_memory *history; /* immutable once loaded, or NULL */
    mn_history_source history_src;
    struct srv_jwt *jwt;       /* NULL: no JWT verification */
    struct srv_tokens *tokens; /* NULL: /v1 open */
    srv_metrics metrics;
    atomic_int draining; /* SIGTERM seen: /readyz says 503 */
    atomic_ullong next_id;
    char base_url[512]; /* no trailing slash */
    pthread_mutex_t workers_lock;
    struct srv_worker *workers;
} srv;

/* Per-thread scratch: the engine context and output buffers. */
typedef struct srv_worker {
    mn_ctx *ctx;
    mn_buf *out;
    mn_buf *tmp;
    struct srv_worker *next;
} srv_worker;

/* ---- requests and responses --------------------------------------------- */

enum srv_method {
    SRV_GET = 1,
    SRV_POST = 2,
    SRV_OPTIONS = 4,
    SRV_HEAD = 8,
    SRV_OTHER = 16
};

struct srv_req;
typedef const char *(*srv_getter)(const struct srv_req *r, const char *name);

typedef struct srv_route srv_route;

typedef struct srv_req {
    srv *s;
    int method;       /* enum srv_method */
    const char *path; /* without the query string */
    srv_getter header;
    srv_getter query;
    void *transport; /* the MHD connection, or the test driver's data */
    const char *body;
    size_t body_len;
    int body_spooled; /* /v1/batch: the body is in `spool`, not `body` */
    int spool_fd;
    uint64_t spool_len;
    char id[24];
    /* set by srv_route_request */
    const srv_route *route;
    int route_index;
    char service_id[64]; /* /cds-services/{id} */
} srv_req;

/* A streamed response body (/v1/batch): `next` appends the next part to
 * `out` and returns 1, 0 at the end, or a negative mn_code. */
typedef struct srv_stream {
    int (*next)(struct srv_stream *st, mn_buf *out);
    void (*free)(struct srv_stream *st);
} srv_stream;

#define SRV_MAX_HEADERS 8

typedef struct srv_resp {
    int status;
    const char *content_type;
    /* exactly one of: a buffer (copied by the transport), static bytes,
     * a stream */
    mn_buf *body;
    const char *static_body;
    size_t static_len;
    srv_stream *stream;
    int close; /* ask the transport to close the connection */
    int n_headers;
    struct {
        const char *name;
        char value[320];
    } headers[SRV_MAX_HEADERS];
} srv_resp;

/* ---- routes -------------------------------------------------------------- */

enum srv_auth {
    SRV_AUTH_NONE = 0, /* open: the page, health, metrics, discovery */
    SRV_AUTH_TOKEN,    /* /v1: bearer token when --token-file is given */
    SRV_AUTH_JWT       /* CDS Hooks service calls */
};

enum srv_body {
    SRV_BODY_NONE = 0,
    SRV_BODY_JSON,  /* application/json, at most max_body */
    SRV_BODY_LINES, /* JSON Lines, at most max_batch, spooled */
};

typedef void (*srv_handler)(srv_req *r, srv_resp *resp);

struct srv_route {
    const char *path; /* "/v1/check"; "/cds-services/{id}" */
    int methods;      /* enum srv_method bits */
    int auth;         /* enum srv_auth */
    int body;         /* enum srv_body */
    int cors;         /* CORS headers and preflight */
    srv_handler handler;
    const char *name; /* label in logs and metrics: the path template */
};

/* ---- functions ----------------------------------------------------------- */

/* serve_main.c */
int cmd_serve(int argc, char **argv);

/* server lifetime (serve_main.c): creates the server with its KB,
 * history, keys and tokens; srv_free releases everything. */
int srv_new(srv **out, const srv_config *cfg, mn_error *err);
void srv_free(srv *s);
/* Loads the KB again from the configured path and swaps it in. */
int srv_reload(srv *s, mn_error *err);

/* kbref.c */
int srv_kb_load(srv_kb **out, const char *path, uint64_t generation,
                mn_error *err);
srv_kb *srv_kb_acquire(srv *s);
void srv_kb_release(srv_kb *k);
void srv_kb_swap(srv *s, srv_kb *k);

/* worker.c: this thread's scratch for server `s` (created on first use);
 * NULL when out of memory. */
srv_worker *srv_worker_get(srv *s);
void srv_workers_free(srv *s);

/* router.c */
const srv_route *srv_routes(size_t *n);
/* Finds the route, checks the method, authentication, content type and
 * declared length. Returns 0 when the request may go on, or fills `resp`
 * with the refusal (or the CORS preflight answer) and returns 1. */
int srv_admit(srv_req *r, srv_resp *resp, uint64_t content_length,
              int has_length);
/* Sets the route of a request by its path alone (for the log and the
 * metrics of a request refused before admission). */
void srv_label(srv_req *r);
/* Runs the handler of an admitted request whose body has been read. */
void srv_handle(srv_req *r, srv_resp *resp);
/* Both, for a request given whole (fuzz target, tests). */
void srv_dispatch(srv_req *r, srv_resp *resp);
/* 413: a REST error, or an OperationOutcome on the CDS routes. */
void srv_too_large(srv_req *r, srv_resp *resp, size_t max);
/* Adds the CORS headers of a route (when it has them). */
void srv_cors_headers(srv_req *r, srv_resp *resp);
/* Frees what a response owns (a stream not yet handed over). */
void srv_resp_release(srv_resp *resp);

/* errors.c: the one mapping from an error to a status and body */
int srv_status_for(int code, const mn_error *err);
void srv_error(srv_req *r, srv_resp *resp, int status, const char *code,
               const char *message, const char *where);
void srv_error_from(srv_req *r, srv_resp *resp, int rc, const mn_error *err);
/* CDS Hooks errors: an OperationOutcome */
void srv_cds_error(srv_req *r, srv_resp *resp, int status, const char *issue,
                   const char *message, const char *where);
void srv_resp_header(srv_resp *resp, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A status code's reason phrase */
const char *srv_reason(int status);

/* api.c: handlers */
void srv_h_page(srv_req *r, srv_resp *resp);
void srv_h_asset(srv_req *r, srv_resp *resp);
void srv_h_openapi(srv_req *r, srv_resp *resp);
void srv_h_healthz(srv_req *r, srv_resp *resp);
void srv_h_readyz(srv_req *r, srv_resp *resp);
void srv_h_metrics(srv_req *r, srv_resp *resp);
void srv_h_check(srv_req *r, srv_resp *resp);
void srv_h_batch(srv_req *r, srv_resp *resp);
void srv_h_lookup(srv_req *r, srv_resp *resp);
void srv_h_icd10(srv_req *r, srv_resp *resp);
void srv_h_kb(srv_req *r, srv_resp *resp);

/* cds.c: CDS Hooks handlers */
void srv_h_cds_discovery(srv_req *r, srv_resp *resp);
void srv_h_cds_service(srv_req *r, srv_resp *resp);
void srv_h_cds_feedback(srv_req *r, srv_resp *resp);

/* jwt.c */
int srv_jwt_new(struct srv_jwt **out, const char *jwks_path,
                const char *const *issuers, int n_issuers, unsigned max_age,
                mn_error *err);
void srv_jwt_free(struct srv_jwt *j);
/* Verifies `Authorization: Bearer <jwt>` for the endpoint `aud`. Returns
 * 0, or -1 with a short reason (no patient data) in `why`. */
int srv_jwt_verify(struct srv_jwt *j, const char *authorization,
                   const char *aud, int64_t now, char *why, size_t why_size);

/* tokens (api.c): bearer tokens for /v1 */
int srv_tokens_load(struct srv_tokens **out, const char *path, mn_error *err);
void srv_tokens_free(struct srv_tokens *t);
int srv_tokens_check(const struct srv_tokens *t, const char *authorization);

/* metrics.c */
int srv_status_index(int status);
void srv_metrics_request(srv *s, int route, int status, uint64_t micros);
void srv_metrics_result(srv *s, const mn_result *res);
/* Lists an edit id in /metrics before it is first counted. */
void srv_metrics_register_edit(srv *s, const char *id);
int srv_metrics_render(srv *s, mn_buf *out);

/* assets (generated by cmake/embed_assets.cmake) */
typedef struct srv_asset {
    const char *path; /* "/", "/app.js" */
    const char *type;
    const unsigned char *data;
    size_t len;
} srv_asset;
const srv_asset *srv_asset_find(const char *path);

/* log.c: one line on stderr per call, written whole (no patient data:
 * ids, routes, statuses, counts). `s` may be NULL. */
void srv_log(srv *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void srv_log_request(srv *s, const char *id, int method, const char *route,
                     int status, uint64_t micros, uint64_t in_bytes,
                     uint64_t out_bytes, const char *note);

/* util */
int64_t srv_now(void);           /* seconds since the epoch */
uint64_t srv_monotonic_us(void); /* microseconds, monotonic */
void srv_today(char out[11], const srv *s);

#endif
