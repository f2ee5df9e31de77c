/*
 * history_int.h: internals of the SQLite history store, shared with its
 * tests only.
 */
#ifndef MN_HISTORY_INT_H
#define MN_HISTORY_INT_H

#include <stdint.h>

#include <sqlite3.h>

#include "mednec/history.h"

/* PRAGMA application_id of a history store: "MNHS". */
#define MN_HISTORY_APP_ID 0x4d4e4853

/* Opens the existing store `path` read-only (with `flags` added to
 * SQLITE_OPEN_READONLY), falling back to immutable=1 when its folder
 * cannot hold the WAL side files (history.c says when), and reads its
 * application id and schema version. Errors: MN_ENOTFOUND (no such file),
 * MN_EINVAL (a directory, not a regular file, not an SQLite database),
 * MN_EIO, MN_ENOMEM; `err` names the path. */
int mn_x__history_open_read(sqlite3 **out, const char *path, int flags,
                            int64_t *app, int64_t *schema, mn_error *err);

/* The one query of the read path; the tests check its plan. */
extern const char mn_x__history_lookup_sql[];

#endif
