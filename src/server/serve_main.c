/*
 * serve_main.c: `mednec serve`: options, start, signals. Built into the
 * mednec command (it uses the command line's option parser); the server
 * itself is the mednec_server library.
 *
 * Signals are blocked in every thread and taken by the main thread with
 * sigwait: SIGHUP reloads the KB (the requests in flight finish on the old
 * one), SIGTERM and SIGINT stop accepting, let the requests in flight
 * finish (at most --grace seconds) and exit 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "http.h"
#include "srv.h"

static const char *help =
    "usage: mednec serve [--kb FILE] [--listen ADDR:PORT] [--threads N]\n"
    "                    [--history DB] [--token-file FILE]\n"
    "                    [--cds-jwks FILE] [--cds-issuer ISS]...\n"
    "                    [--cds-insecure] [--base-url URL]\n"
    "                    [--tls-cert FILE --tls-key FILE] [--port-file FILE]\n"
    "                    [--max-body BYTES] [--max-batch BYTES]\n"
    "                    [--max-connections N] [--max-batches N]\n"
    "                    [--request-timeout S] [--header-limit BYTES]\n"
    "                    [--jwt-max-age S] [--grace S] [--cors-origin O]\n"
    "                    [--quiet] [--list-routes] [--today YYYY-MM-DD]\n"
    "\n"
    "HTTP service: the REST API (/v1), CDS Hooks with Da Vinci CRD coverage\n"
    "information (/cds-services), the coder page (/), /healthz, /readyz,\n"
    "/metrics and /openapi.json. Default listen address 127.0.0.1:8080\n"
    "(port 0: any free port, written to --port-file and the log).\n"
    "SIGHUP reloads the KB; SIGTERM drains and exits. See docs/server.md.\n";

#define MAX_ISS SRV_MAX_ISSUERS
static const char *issuers[MAX_ISS];
static int n_issuers;

static int repeat(const char *name, const char *value)
{
    if (!strcmp(name, "--cds-issuer")) {
        if (n_issuers == MAX_ISS) {
            fprintf(stderr, "mednec serve: at most %d --cds-issuer\n", MAX_ISS);
            return 1;
        }
        issuers[n_issuers++] = value;
    }
    return 0;
}

static int number(const char *s, const char *name, unsigned long long lo,
                  unsigned long long hi, unsigned long long *out)
{
    char *end = NULL;
    unsigned long long v;

    if (!s)
        return 0;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (!s[0] || *end || errno || v < lo || v > hi) {
        fprintf(stderr, "mednec serve: %s must be %llu to %llu\n", name, lo,
                hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* "127.0.0.1:8080", "[::1]:8080", ":8080" (all IPv4 addresses), "8080". */
static int parse_listen(const char *s, struct sockaddr_storage *ss, char *host,
                        size_t host_size, unsigned *port)
{
    const char *colon;
    char h[256];
    struct addrinfo hints;
    struct addrinfo *ai = NULL;
    unsigned long long p;

    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof(h))
            return -1;
        memcpy(h, s + 1, (size_t)(close - s - 1));
        h[close - s - 1] = '\0';
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon) {
            snprintf(h, sizeof(h), "127.0.0.1");
            colon = s - 1;
        } else {
            if ((size_t)(colon - s) >= sizeof(h))
                return -1;
            memcpy(h, s, (size_t)(colon - s));
            h[colon - s] = '\0';
            if (!h[0])
                snprintf(h, sizeof(h), "0.0.0.0");
        }
    }
    if (number(colon + 1, "the port", 0, 65535, &p))
        return -1;
    memset(&hints, 0, sizeof(hints));
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(h, colon + 1, &hints, &ai) || !ai)
        return -1;
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    snprintf(host, host_size, "%s", h);
    *port = (unsigned)p;
    return 0;
}

static char *read_text(const char *path, mn_error *err)
{
    char *text = NULL;
    size_t len = 0;

    if (cli_read(&text, &len, path, (size_t)1 << 20, err))
        return NULL;
    return text;
}

/* Writes the port atomically (a reader never sees half a number). */
static int write_port_file(const char *path, unsigned port)
{
    char tmp[4096];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
    f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f, "%u\n", port);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    const char *kb_path = NULL, *listen = "127.0.0.1:8080", *threads_s = NULL;
    const char *history = NULL, *token_file = NULL, *jwks = NULL;
    const char *base_url = NULL, *tls_cert = NULL, *tls_key = NULL;
    const char *port_file = NULL, *max_body = NULL, *max_batch = NULL;
    const char *max_conn = NULL, *max_batches = NULL, *timeout = NULL;
    const char *header_limit = NULL, *jwt_age = NULL, *grace_s = NULL;
    const char *cors = NULL, *today = NULL;
    int want_help = 0, insecure = 0, quiet = 0, list_routes = 0;
    const cli_opt opts[] = {
        {"--kb", 1, &kb_path, NULL},
        {"--listen", 1, &listen, NULL},
        {"--threads", 1, &threads_s, NULL},
        {"--history", 1, &history, NULL},
        {"--token-file", 1, &token_file, NULL},
        {"--cds-jwks", 1, &jwks, NULL},
        {"--cds-issuer", 1, NULL, NULL},
        {"--cds-insecure", 0, NULL, &insecure},
        {"--base-url", 1, &base_url, NULL},
        {"--tls-cert", 1, &tls_cert, NULL},
        {"--tls-key", 1, &tls_key, NULL},
        {"--port-file", 1, &port_file, NULL},
        {"--max-body", 1, &max_body, NULL},
        {"--max-batch", 1, &max_batch, NULL},
        {"--max-connections", 1, &max_conn, NULL},
        {"--max-batches", 1, &max_batches, NULL},
        {"--request-timeout", 1, &timeout, NULL},
        {"--header-limit", 1, &header_limit, NULL},
        {"--jwt-max-age", 1, &jwt_age, NULL},
        {"--grace", 1, &grace_s, NULL},
        {"--cors-origin", 1, &cors, NULL},
        {"--today", 1, &today, NULL},
        {"--quiet", 0, NULL, &quiet},
        {"--list-routes", 0, NULL, &list_routes},
        {"--help", 0, NULL, &want_help},
        {NULL, 0, NULL, NULL},
    };
    const char *args[1];
    int nargs = 0;
    srv_config cfg;
    srv *s = NULL;
    http_daemon *hd = NULL;
    http_options ho;
    struct sockaddr_storage addr;
    char host[256];
    unsigned port = 0;
    unsigned long long threads = 0, v;
    unsigned long long grace = 10;
    char *key_pem = NULL, *cert_pem = NULL;
    sigset_t set;
    mn_error err;
    int rc;
    int exit_code = EXIT_INTERNAL;

    n_issuers = 0;
    mn_error_clear(&err);
    memset(&cfg, 0, sizeof(cfg));
    if ((rc = cli_parse(argc, argv, opts, args, &nargs, 0, repeat)))
        return rc;
    if (want_help) {
        fputs(help, stdout);
        return EXIT_CLEAN;
    }
    if (list_routes) {
        size_t n;
        const srv_route *rt = srv_routes(&n);
        for (size_t i = 0; i < n; i++) {
            static const char *const names[] = {"GET", "POST", "OPTIONS",
                                                "HEAD"};
            for (int b = 0; b < 4; b++) {
                if (rt[i].methods & (1 << b))
                    printf("%s %s\n", names[b], rt[i].path);
            }
            if (rt[i].cors)
                printf("OPTIONS %s\n", rt[i].path);
        }
        return EXIT_CLEAN;
    }
    if (parse_listen(listen, &addr, host, sizeof(host), &port)) {
        fprintf(stderr, "mednec serve: --listen: expected ADDR:PORT "
                        "(127.0.0.1:8080, [::1]:8080, :8080)\n");
        return EXIT_USAGE;
    }
    if (!tls_cert != !tls_key) {
        fprintf(stderr, "mednec serve: --tls-cert and --tls-key go "
                        "together\n");
        return EXIT_USAGE;
    }
    if (jwks && insecure) {
        fprintf(stderr, "mednec serve: --cds-jwks and --cds-insecure "
                        "exclude each other\n");
        return EXIT_USAGE;
    }
    cfg.kb_path = kb_path;
    cfg.history_path = history;
    if (!cfg.history_path && getenv("MEDNEC_HISTORY") &&
        getenv("MEDNEC_HISTORY")[0])
        cfg.history_path = getenv("MEDNEC_HISTORY");
    cfg.token_file = token_file;
    cfg.jwks_file = jwks;
    for (int i = 0; i < n_issuers; i++)
        cfg.issuers[i] = issuers[i];
    cfg.n_issuers = n_issuers;
    cfg.cds_insecure = insecure;
    cfg.cors_origin = cors;
    cfg.today = today;
    cfg.log_requests = !quiet;
    if (number(threads_s, "--threads", 1, 256, &threads) ||
        number(max_body, "--max-body", 1024, (unsigned long long)1 << 30, &v) ||
        (max_body && ((cfg.max_body = (size_t)v), 0)) ||
        number(max_batch, "--max-batch", 1024, (unsigned long long)1 << 40,
               &v) ||
        (max_batch && ((cfg.max_batch = (size_t)v), 0)) ||
        number(max_conn, "--max-connections", 1, 100000, &v) ||
        (max_conn && ((cfg.max_connections = (unsigned)v), 0)) ||
        number(max_batches, "--max-batches", 1, 1000, &v) ||
        (max_batches && ((cfg.max_batches = (unsigned)v), 0)) ||
        number(timeout, "--request-timeout", 1, 3600, &v) ||
        (timeout && ((cfg.request_timeout = (unsigned)v), 0)) ||
        number(jwt_age, "--jwt-max-age", 10, 86400, &v) ||
        (jwt_age && ((cfg.jwt_max_age = (unsigned)v), 0)) ||
        number(grace_s, "--grace", 0, 3600, &grace))
        return EXIT_USAGE;
    memset(&ho, 0, sizeof(ho));
    ho.header_limit = 32768;
    if (number(header_limit, "--header-limit", 4096, 1 << 20, &v))
        return EXIT_USAGE;
    if (header_limit)
        ho.header_limit = (size_t)v;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned long long)n : 1;
    }
    if (today) {
        /* a fixed "today" is for tests: a real calendar date */
        int32_t days;
        if (strlen(today) != 10 ||
            mn_history_date(&days, today, strlen(today)) != MN_OK) {
            fprintf(stderr, "mednec serve: --today must be a date, "
                            "YYYY-MM-DD\n");
            return EXIT_USAGE;
        }
    }
    if (tls_cert) {
        if (!(cert_pem = read_text(tls_cert, &err)) ||
            !(key_pem = read_text(tls_key, &err))) {
            cli_error("serve", &err);
            exit_code = EXIT_INPUT;
            goto done;
        }
    }

    /* every thread started from here on inherits the blocked signals */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    if ((rc = srv_new(&s, &cfg, &err))) {
        cli_error("serve", &err);
        exit_code = cli_exit_for(rc);
        goto done;
    }
    {
        /* mednec's edit ids are listed in /metrics from the start */
        for (size_t i = 0; i < mn_edit_count(); i++)
            srv_metrics_register_edit(s, mn_edit_at(i)->id);
    }
    ho.addr = (const struct sockaddr *)&addr;
    ho.threads = (unsigned)threads;
    ho.tls_cert = cert_pem;
    ho.tls_key = key_pem;
    if ((rc = http_start(&hd, s, &ho, &err))) {
        snprintf(err.where, sizeof(err.where), "%s", listen);
        cli_error("serve", &err);
        exit_code = EXIT_INPUT;
        goto done;
    }
    port = http_port(hd);
    if (base_url)
        snprintf(s->base_url, sizeof(s->base_url), "%s", base_url);
    else if (strchr(host, ':'))
        snprintf(s->base_url, sizeof(s->base_url), "%s://[%s]:%u",
                 tls_cert ? "https" : "http", host, port);
    else
        snprintf(s->base_url, sizeof(s->base_url), "%s://%s:%u",
                 tls_cert ? "https" : "http",
                 strcmp(host, "0.0.0.0") ? host : "localhost", port);
    {
        size_t n = strlen(s->base_url);
        while (n && s->base_url[n - 1] == '/')
            s->base_url[--n] = '\0';
    }
    if (port_file && write_port_file(port_file, port)) {
        fprintf(stderr, "mednec serve: cannot write %s\n", port_file);
        exit_code = EXIT_INPUT;
        goto done;
    }
    {
        srv_kb *k = srv_kb_acquire(s);
        srv_log(s,
                "mednec serve %s: listening on %s://%s%s%s:%u, %llu threads, "
                "kb %s (built %s), CRD %s, CDS auth %s, /v1 %s",
                mn_version(), tls_cert ? "https" : "http",
                strchr(host, ':') ? "[" : "", host,
                strchr(host, ':') ? "]" : "", port, threads,
                mn_kb_version(k->kb), mn_kb_built(k->kb), mn_cds_crd_version(),
                s->jwt     ? "JWT (JWK Set)"
                : insecure ? "NONE (--cds-insecure)"
                           : "refused (no --cds-jwks)",
                s->tokens ? "bearer token" : "open");
        srv_kb_release(k);
    }
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            mn_error rerr;
            uint64_t t0 = srv_monotonic_us();
            mn_error_clear(&rerr);
            if (srv_reload(s, &rerr) == MN_OK) {
                srv_kb *k = srv_kb_acquire(s);
                srv_log(s, "reload: kb %s (built %s), generation %llu, %.1f ms",
                        mn_kb_version(k->kb), mn_kb_built(k->kb),
                        (unsigned long long)k->generation,
                        (double)(srv_monotonic_us() - t0) / 1000.0);
                srv_kb_release(k);
            } else {
                char line[700];
                mn_error_format(line, sizeof(line), &rerr);
                srv_log(s, "reload failed, the old kb stays: %s", line);
            }
            continue;
        }
        break;
    }
    /* drain: no new connections; the requests in flight finish */
    {
        uint64_t t0 = srv_monotonic_us();
        long left;
        atomic_store(&s->draining, 1);
        http_quiesce(hd);
        srv_log(s, "stopping: %ld requests in flight",
                atomic_load(&s->metrics.in_flight));
        while ((left = atomic_load(&s->metrics.in_flight)) > 0 &&
               srv_monotonic_us() - t0 < grace * 1000000ull) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        http_stop(hd);
        hd = NULL;
        srv_log(s, "stopped after %.0f ms%s",
                (double)(srv_monotonic_us() - t0) / 1000.0,
                left > 0 ? ": grace time over, requests cut" : "");
    }
    exit_code = EXIT_CLEAN;
done:
    http_stop(hd);
    srv_free(s);
    free(cert_pem);
    free(key_pem);
    return exit_code;
}
