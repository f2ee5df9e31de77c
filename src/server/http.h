/* http.h: the libmicrohttpd daemon behind mednec serve (http.c). */
#ifndef MN_SRV_HTTP_H
#define MN_SRV_HTTP_H

#include <sys/socket.h>

#include "srv.h"

typedef struct http_daemon http_daemon;

typedef struct http_options {
    const struct sockaddr *addr; /* where to listen (port 0: any free) */
    unsigned threads;            /* the thread pool */
    size_t header_limit;         /* memory for one connection's headers */
    const char *tls_key;         /* PEM text, NULL: plain HTTP */
    const char *tls_cert;
} http_options;

/* Starts listening. MN_EIO when the address cannot be bound. */
int http_start(http_daemon **out, srv *s, const http_options *o, mn_error *err);
/* The port actually bound (for port 0). */
unsigned http_port(http_daemon *hd);
/* Stops accepting connections; the open ones go on. */
void http_quiesce(http_daemon *hd);
/* Closes every connection and stops the threads. */
void http_stop(http_daemon *hd);

#endif
