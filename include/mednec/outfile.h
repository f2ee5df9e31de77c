/*
 * mednec/outfile.h: writing an output file so that no reader ever sees
 * half of it.
 *
 * The bytes go to a new temporary file in the folder of the output
 * (`NAME.tmp-XXXXXX`), which mn_outfile_commit syncs and renames over the
 * output in one step. Until then the output, if it existed, is untouched,
 * and a run that stops early (an error, mn_outfile_free without a commit)
 * removes the temporary file. A front end that wants the same on a signal
 * removes mn_outfile_temp_path from its handler (the mednec command does,
 * on SIGINT, SIGTERM and SIGHUP).
 *
 * What is refused: an output that is a directory; one that is a device,
 * FIFO or socket unless `allow_special` (then it is written in place:
 * renaming over a device would replace the device); one that is the
 * caller's inputs (`inputs`), also when named through another path,
 * a symbolic link or a hard link; an existing file the caller may not
 * write (the rename would only need the folder), as the shell's `>` would.
 * A symbolic link is followed: the file it names is replaced and the link
 * stays. A new file gets `mode` less the umask; a replaced file keeps its
 * permissions.
 *
 * Every error names the output path and gives the system's reason
 * ("No space left on device"). One handle per thread.
 */
#ifndef MEDNEC_OUTFILE_H
#define MEDNEC_OUTFILE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mn_outfile mn_outfile;

/** How an output file is opened. Zero fields take the defaults. */
typedef struct mn_outfile_options {
    unsigned version;
    int allow_special; /* write an existing device, FIFO or socket in place
                          (default: refused) */
    const int *inputs; /* open file descriptors of the caller's inputs:
                          an output that is one of them (same device and
                          inode) is refused; borrowed for the call */
    size_t n_inputs;
    unsigned mode; /* permissions of a new file before the umask,
                      default 0666 */
} mn_outfile_options;
#define MN_OUTFILE_OPTIONS_VERSION 1
#define MN_OUTFILE_OPTIONS_INIT                                                \
    {                                                                          \
        MN_OUTFILE_OPTIONS_VERSION, 0, NULL, 0, 0                              \
    }

/**
 * Prepares the output `path` (NUL-terminated): checks what it names and
 * creates the temporary file beside it. `opts` may be NULL. On success
 * `*out` belongs to the caller (mn_outfile_free). Errors: MN_EINVAL (NULL
 * argument, the output is a directory, a special file not allowed, or one
 * of the inputs), MN_EIO (cannot create or open, with the reason: a missing or
 * read-only folder...), MN_EVERSION (options version), MN_ENOMEM.
 */
MN_API int mn_outfile_open(mn_outfile **out, const char *path,
                           const mn_outfile_options *opts, mn_error *err);

/**
 * The temporary file being written, or NULL when the output is written in
 * place (a special file) or after the commit. Borrowed; valid until the
 * commit or mn_outfile_free. A signal handler may unlink() a copy of it.
 */
MN_API const char *mn_outfile_temp_path(const mn_outfile *f);

/** The output path as given to mn_outfile_open. Borrowed. */
MN_API const char *mn_outfile_path(const mn_outfile *f);

/**
 * Appends `len` bytes. Errors: MN_EINVAL (NULL handle, or the handle has
 * already failed or been committed), MN_EIO (cannot write: full disk,
 * file too large...; the handle then refuses further writes).
 */
MN_API int mn_outfile_write(mn_outfile *f, const void *data, size_t len,
                            mn_error *err);

/**
 * Syncs the temporary file to disk and renames it over the output (a
 * special file is only closed). After MN_OK the handle only awaits
 * mn_outfile_free. Errors: MN_EINVAL (NULL handle, already failed or
 * committed), MN_EIO (sync, close or rename failed; the output is left as
 * it was and the temporary file is removed by mn_outfile_free).
 */
MN_API int mn_outfile_commit(mn_outfile *f, mn_error *err);

/** Closes the handle; without a successful commit the temporary file is
 * removed and the output left as it was. NULL is accepted. */
MN_API void mn_outfile_free(mn_outfile *f);

#ifdef __cplusplus
}
#endif
#endif
