/*
 * log.c: the server's log on stderr, one line per event, each line
 * written with one write() so that lines from different threads never
 * mix. A request line carries the request id, method, route template (not
 * the path or query: /v1/icd10?q= may hold what a coder typed), status,
 * latency and byte counts; never a claim, a patient or a diagnosis.
 */
#include <stdarg.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "srv.h"

static size_t stamp(char *out, size_t size)
{
    struct timeval tv;
    struct tm tm;
    size_t n;

    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t)snprintf(out + n, size - n, ".%03dZ ",
                          (int)(tv.tv_usec / 1000));
    return n;
}

static void emit(char *line, size_t n, size_t size)
{
    ssize_t w;

    if (n >= size - 1)
        n = size - 2;
    line[n++] = '\n';
    w = write(STDERR_FILENO, line, n);
    (void)w;
}

void srv_log(srv *s, const char *fmt, ...)
{
    char line[1024];
    size_t n = stamp(line, sizeof(line));
    va_list ap;
    int k;

    (void)s;
    va_start(ap, fmt);
    k = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
    va_end(ap);
    if (k > 0)
        n += (size_t)k;
    emit(line, n, sizeof(line));
}

static const char *method_name(int m)
{
    switch (m) {
    case SRV_GET:
        return "GET";
    case SRV_POST:
        return "POST";
    case SRV_OPTIONS:
        return "OPTIONS";
    case SRV_HEAD:
        return "HEAD";
    default:
        return "OTHER";
    }
}

void srv_log_request(srv *s, const char *id, int method, const char *route,
                     int status, uint64_t micros, uint64_t in_bytes,
                     uint64_t out_bytes, const char *note)
{
    char line[512];
    size_t n = stamp(line, sizeof(line));
    int k;

    (void)s;
    k = snprintf(
        line + n, sizeof(line) - n,
        "req=%s %s %s %d %llu.%03llums in=%llu out=%llu%s%s", id,
        method_name(method), route, status, (unsigned long long)(micros / 1000),
        (unsigned long long)(micros % 1000), (unsigned long long)in_bytes,
        (unsigned long long)out_bytes, note ? " " : "", note ? note : "");
    if (k > 0)
        n += (size_t)k;
    emit(line, n, sizeof(line));
}
