/*
 * outfile.c: an output file written beside its final name and renamed
 * into place (mednec/outfile.h).
 *
 * The temporary file is created with open(O_CREAT | O_EXCL) rather than
 * mkstemp so that the kernel applies the umask to a new output, as it
 * would for fopen: a batch's results hold claim data and should not be
 * more readable than the user's other files.
 */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mednec/outfile.h"
#include "core/util.h"

#define TEMP_SUFFIX ".tmp-XXXXXX"
#define TEMP_TRIES 100

struct mn_outfile {
    char *path;   /* as given, for messages */
    char *target; /* what is replaced: the path, or the file a link names */
    char *temp;   /* the temporary file; NULL when written in place */
    int fd;
    int failed;
    int committed;
};

/* Six characters for the temporary name: collisions are only retried
 * (O_EXCL decides), so a mix of time, pid and address is enough. */
static void fill_suffix(char *x, unsigned attempt, const void *salt)
{
    static const char set[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    struct timespec ts;
    uint64_t v;

    clock_gettime(CLOCK_REALTIME, &ts);
    v = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
        ((uint64_t)getpid() << 16) ^ (uint64_t)(uintptr_t)salt ^
        ((uint64_t)attempt * 0x9e3779b97f4a7c15u);
    /* splitmix64 finaliser */
    v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9u;
    v = (v ^ (v >> 27)) * 0x94d049bb133111ebu;
    v ^= v >> 31;
    for (int i = 0; i < 6; i++) {
        x[i] = set[v % (sizeof(set) - 1)];
        v /= sizeof(set) - 1;
    }
}

/* Creates the temporary file beside f->target. */
static int create_temp(mn_outfile *f, const struct stat *old, unsigned mode,
                       mn_error *err)
{
    size_t n = strlen(f->target);
    int rc = MN_OK;
    int e = 0;

    f->temp = mn_x__malloc(n + sizeof(TEMP_SUFFIX));
    if (!f->temp) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    memcpy(f->temp, f->target, n);
    memcpy(f->temp + n, TEMP_SUFFIX, sizeof(TEMP_SUFFIX));
    for (unsigned i = 0; i < TEMP_TRIES && f->fd < 0; i++) {
        fill_suffix(f->temp + n + sizeof(TEMP_SUFFIX) - 7, i, f);
        f->fd = open(f->temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                     (mode_t)mode);
        e = errno;
        if (f->fd < 0 && e != EEXIST)
            break;
    }
    if (f->fd < 0) {
        mn_x__free(f->temp);
        f->temp = NULL;
        rc = mn_x__err_sys(err, MN_EIO, e, f->path,
                           "cannot create a temporary file beside it");
        goto done;
    }
    /* a replaced file keeps its permissions */
    if (old && fchmod(f->fd, old->st_mode & 07777) != 0) {
        rc = mn_x__err_sys(err, MN_EIO, errno, f->path,
                           "cannot give the new file the permissions of "
                           "the old one");
    }
done:
    return rc;
}

int mn_outfile_open(mn_outfile **out, const char *path,
                    const mn_outfile_options *opts, mn_error *err)
{
    mn_outfile_options o = MN_OUTFILE_OPTIONS_INIT;
    mn_outfile *f = NULL;
    char resolved[PATH_MAX];
    struct stat st;
    struct stat in;
    int exists = 0;
    int rc = MN_OK;

    if (out)
        *out = NULL;
    if (!out || !path || !*path) {
        rc = mn_x__err(err, MN_EINVAL, "no output path");
        goto done;
    }
    if (opts && opts->version != MN_OUTFILE_OPTIONS_VERSION) {
        rc = mn_x__err(err, MN_EVERSION, "unknown output options version %u",
                       opts->version);
        goto done;
    }
    if (opts)
        o = *opts;
    f = mn_x__calloc(1, sizeof(*f));
    if (!f)
        goto nomem;
    f->fd = -1;
    f->path = mn_x__strndup(path, strlen(path));
    if (!f->path)
        goto nomem;
    /* a symbolic link: replace the file it names, keep the link */
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        if (!realpath(path, resolved)) {
            rc = mn_x__err_sys(err, MN_EIO, errno, path,
                               "cannot follow the link");
            goto done;
        }
        f->target = mn_x__strndup(resolved, strlen(resolved));
    } else {
        f->target = mn_x__strndup(path, strlen(path));
    }
    if (!f->target)
        goto nomem;
    if (stat(f->target, &st) == 0) {
        exists = 1;
    } else if (errno != ENOENT) {
        rc = mn_x__err_sys(err, MN_EIO, errno, path, "cannot open");
        goto done;
    }
    if (exists && S_ISDIR(st.st_mode)) {
        rc = mn_x__err(err, MN_EINVAL, "is a directory");
        mn_x__err_at(err, path, 0, 0);
        goto done;
    }
    if (exists && !S_ISREG(st.st_mode) && !o.allow_special) {
        rc = mn_x__err(err, MN_EINVAL,
                       "not a regular file (a device, FIFO or socket): not "
                       "replaced");
        mn_x__err_at(err, path, 0, 0);
        goto done;
    }
    for (size_t i = 0; exists && S_ISREG(st.st_mode) && i < o.n_inputs; i++) {
        if (o.inputs && fstat(o.inputs[i], &in) == 0 &&
            in.st_dev == st.st_dev && in.st_ino == st.st_ino) {
            rc = mn_x__err(err, MN_EINVAL,
                           "is the input: writing it would destroy the input");
            mn_x__err_at(err, path, 0, 0);
            goto done;
        }
    }
    /* a file the user may not write is not replaced behind their back
     * (the rename needs only the folder), as the shell's > would refuse */
    if (exists && S_ISREG(st.st_mode) &&
        faccessat(AT_FDCWD, f->target, W_OK, AT_EACCESS) != 0) {
        rc = mn_x__err_sys(err, MN_EIO, errno, path, "cannot write");
        goto done;
    }
    if (exists && !S_ISREG(st.st_mode)) {
        f->fd = open(f->target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (f->fd < 0) {
            rc = mn_x__err_sys(err, MN_EIO, errno, path, "cannot open");
            goto done;
        }
    } else {
        rc = create_temp(f, exists ? &st : NULL, o.mode ? o.mode : 0666, err);
        if (rc)
            goto done;
    }
    *out = f;
    f = NULL;
    goto done;
nomem:
    rc = mn_x__err(err, MN_ENOMEM, "out of memory");
done:
    mn_outfile_free(f);
    return rc;
}

const char *mn_outfile_temp_path(const mn_outfile *f)
{
    return f && !f->committed ? f->temp : NULL;
}

const char *mn_outfile_path(const mn_outfile *f)
{
    return f ? f->path : NULL;
}

int mn_outfile_write(mn_outfile *f, const void *data, size_t len, mn_error *err)
{
    const unsigned char *p = data;
    int rc = MN_OK;

    if (!f || f->fd < 0 || f->failed || (!data && len)) {
        rc = mn_x__err(err, MN_EINVAL, "output file not open for writing");
        goto done;
    }
    while (len > 0) {
        ssize_t n = write(f->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            f->failed = 1;
            rc = mn_x__err_sys(err, MN_EIO, n < 0 ? errno : EIO, f->path,
                               "cannot write");
            goto done;
        }
        p += n;
        len -= (size_t)n;
    }
done:
    return rc;
}

/* Makes the rename itself durable; best effort (not every file system
 * can sync a folder). */
static void sync_folder(const char *target)
{
    const char *slash = strrchr(target, '/');
    char dir[PATH_MAX];
    int fd;

    if (!slash)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == target)
        snprintf(dir, sizeof(dir), "/");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - target), target);
    fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

int mn_outfile_commit(mn_outfile *f, mn_error *err)
{
    int fd;
    int rc = MN_OK;

    if (!f || f->fd < 0 || f->failed) {
        rc = mn_x__err(err, MN_EINVAL, "output file not open for writing");
        goto done;
    }
    fd = f->fd;
    f->fd = -1;
    f->failed = 1; /* until the rename succeeds */
    if (f->temp && fsync(fd) != 0) {
        rc = mn_x__err_sys(err, MN_EIO, errno, f->path, "cannot write");
        close(fd);
        goto done;
    }
    if (close(fd) != 0) {
        rc = mn_x__err_sys(err, MN_EIO, errno, f->path, "cannot write");
        goto done;
    }
    if (f->temp && rename(f->temp, f->target) != 0) {
        rc = mn_x__err_sys(err, MN_EIO, errno, f->path,
                           "cannot rename the temporary file over it");
        goto done;
    }
    if (f->temp)
        sync_folder(f->target);
    f->failed = 0;
    f->committed = 1;
done:
    return rc;
}

void mn_outfile_free(mn_outfile *f)
{
    if (!f)
        return;
    if (f->fd >= 0)
        close(f->fd);
    if (f->temp && !f->committed)
        unlink(f->temp);
    mn_x__free(f->temp);
    mn_x__free(f->target);
    mn_x__free(f->path);
    mn_x__free(f);
}
