/* syserr.c: errors of system calls, with the reason the system gives. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"

void mn_x__strerror(int errnum, char *out, size_t size)
{
    /* the XSI strerror_r: 0 on success, the text in `out` */
    if (size && (errnum == 0 || strerror_r(errnum, out, size) != 0))
        snprintf(out, size, "system error %d", errnum);
}

int mn_x__err_sys(mn_error *err, int code, int errnum, const char *where,
                  const char *what)
{
    char reason[128];

    if (code == 0 && (errnum == ENOENT || errnum == ENOTDIR))
        code = MN_ENOTFOUND;
    else if (code == 0 && errnum == ENOMEM)
        code = MN_ENOMEM;
    else if (code == 0)
        code = MN_EIO;
    mn_x__strerror(errnum, reason, sizeof(reason));
    if (err) {
        /* set whole, as mn_x__err does: nothing of an earlier error */
        memset(err, 0, sizeof(*err));
        err->code = code;
        snprintf(err->message, sizeof(err->message), "%s: %s", what, reason);
        if (where)
            mn_x__err_at(err, where, 0, 0);
    }
    return code;
}
