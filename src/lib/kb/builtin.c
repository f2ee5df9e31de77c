/*
 * kb/builtin.c: the knowledge base compiled into the library. Its bytes
 * are produced at build time by tools/genkb.c (the built-in rule packs and
 * the compact code lists) and embedded by kb/builtin_kb.S; opening it maps
 * nothing and builds nothing, it only validates the bytes.
 */
#include <stdio.h>

#include "kb/kb_int.h"

extern const unsigned char mn_x__builtin_kb[];
extern const unsigned char mn_x__builtin_kb_end[];

int mn_kb_open_builtin(mn_kb **out, mn_error *err)
{
    size_t len = (size_t)(mn_x__builtin_kb_end - mn_x__builtin_kb);
    int rc;

    if (!out)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    rc = mn_kb_open_buffer(out, mn_x__builtin_kb, len, 0, err);
    if (rc == MN_OK)
        snprintf((*out)->source, sizeof((*out)->source), "builtin");
    return rc;
}
