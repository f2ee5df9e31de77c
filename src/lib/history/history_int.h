/*
 * history_int.h: internals of the SQLite history store, shared with its
 * tests only.
 */
#ifndef MN_HISTORY_INT_H
#define MN_HISTORY_INT_H

#include <stdint.h>

#include "mednec/history.h"

/* PRAGMA application_id of a history store: "MNHS". */
#define MN_HISTORY_APP_ID 0x4d4e4853

/* The one query of the read path; the tests check its plan. */
extern const char mn_x__history_lookup_sql[];

#endif
