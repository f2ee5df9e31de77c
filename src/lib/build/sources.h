/*
 * build/sources.h: finding source files for a KB build (internal).
 *
 * build/sources.c walks folders (sorted by name), ZIP archives (members, and
 * ZIPs inside ZIPs up to MN_SRC_ZIP_DEPTH levels) and .gz files, and lists
 * every file it meets. Only the files a `want` callback asks for are read
 * (and decompressed) into memory; the others are listed by name so that
 * the build can still report them.
 */
#ifndef MN_BUILD_SOURCES_H
#define MN_BUILD_SOURCES_H

#include "build/load/loaders.h"

/* How deep ZIPs may nest (a ZIP in a folder is level 1): the MCD export
 * is three (all_data.zip -> all_article.zip -> all_article_csv.zip), and
 * one more for a user's own ZIP around it. */
#define MN_SRC_ZIP_DEPTH 4
/* How deep folders may nest (guards against symbolic link loops). */
#define MN_SRC_DIR_DEPTH 32
/* Default cap on the (decompressed) size of one file: 1 GiB. */
#define MN_SRC_MAX_FILE ((size_t)1 << 30)

/* One file met while walking the queued paths. */
typedef struct mn_srcfile {
    char *path;      /* "dir/file.csv", "a.zip!b.zip!c.csv" */
    char *name;      /* base name, lower case, ".gz" removed */
    char *container; /* folder or "archive[!member dir]" holding it */
    char *data;      /* contents (NUL-terminated) or NULL if not read */
    size_t len;
    const char *note; /* static: why it was not read, or NULL */
} mn_srcfile;

/* The files met so far, in walk order. */
typedef struct mn_srclist {
    mn_srcfile *items;
    size_t n;
    size_t cap;
} mn_srclist;

/* Returns true when a file of this (lower-case, .gz-less) name should be
 * read into memory. */
typedef bool (*mn_src_want)(void *payload, const char *name);

/*
 * Adds the file or folder `path` (and everything under it) to `list`.
 * Files are read when `want` says so, each capped at `max_file` bytes
 * after decompression (0: MN_SRC_MAX_FILE). Errors: MN_ENOTFOUND (no such
 * path), MN_EIO (unreadable file, corrupt ZIP or gzip data), MN_ELIMIT
 * (a file over the cap, folders nested too deep), MN_ENOMEM; `err->where`
 * names the file. Files added before an error stay in `list`.
 */
int mn_x__sources_add(mn_srclist *list, const char *path, size_t max_file,
                      mn_src_want want, void *payload, mn_error *err);

/* Releases the data of one file early (it stays listed). */
void mn_x__sources_drop(mn_srcfile *f);

/* Frees every file and the list itself (NULL-safe, leaves it empty). */
void mn_x__sources_free(mn_srclist *list);

#endif
