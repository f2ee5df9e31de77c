/*
 * output.c: the standard streams and the output files of the mednec
 * command.
 *
 * - Standard output goes through a stream that remembers why the first
 *   write failed, so that "mednec check >/dev/full" says "No space left
 *   on device" and exits 3, whichever printf met the error.
 * - A closed standard stream is replaced by /dev/null opened the wrong
 *   way round (stdin write-only, stdout and stderr read-only): reading or
 *   writing it then fails with EBADF as it would have, and a file the
 *   command opens later can never become descriptor 0, 1 or 2 (a history
 *   store read as stdin, results or messages written into a KB).
 * - Output files (build -o, batch -o) are mn_outfile handles; their
 *   temporary file is removed on SIGINT, SIGTERM and SIGHUP.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Why the first write to standard output failed (0: none yet). */
static int stdout_errno;
/* The failure has been reported on stderr. */
static int stdout_reported;

static ssize_t stdout_write(void *cookie, const char *buf, size_t len)
{
    size_t done = 0;

    (void)cookie;
    while (done < len) {
        ssize_t n = write(STDOUT_FILENO, buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (!stdout_errno)
                stdout_errno = n < 0 ? errno : EIO;
            /* a short count tells stdio the write failed */
            return (ssize_t)done;
        }
        done += (size_t)n;
    }
    return (ssize_t)done;
}

/* Reopens a closed descriptor 0, 1 or 2 on /dev/null, the wrong way
 * round, so that using it fails as it would have. */
static void reserve(int fd, int flags)
{
    int got;

    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
        return;
    got = open("/dev/null", flags | O_CLOEXEC);
    if (got >= 0 && got != fd) {
        /* a lower descriptor was closed too and took this one */
        dup2(got, fd);
        close(got);
    }
}

void cli_stdio_init(void)
{
    cookie_io_functions_t io = {NULL, stdout_write, NULL, NULL};
    FILE *f;

    reserve(STDIN_FILENO, O_WRONLY);
    reserve(STDOUT_FILENO, O_RDONLY);
    reserve(STDERR_FILENO, O_RDONLY);
    f = fopencookie(NULL, "w", io);
    if (f) {
        setvbuf(f, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, 1 << 16);
        stdout = f;
    }
}

void cli_sys_error(const char *cmd, const char *where, const char *what,
                   int errnum)
{
    fprintf(stderr, "mednec%s%s: %s: %s: %s\n", cmd ? " " : "", cmd ? cmd : "",
            where, what, strerror(errnum));
}

int cli_stdout_finish(const char *cmd, int exit_code)
{
    if (fflush(stdout) != 0 || ferror(stdout) || stdout_errno) {
        if (!stdout_reported)
            cli_sys_error(cmd, "standard output", "cannot write",
                          stdout_errno ? stdout_errno : EIO);
        stdout_reported = 1;
        if (exit_code < EXIT_INPUT)
            exit_code = EXIT_INPUT;
    }
    return exit_code;
}

int cli_stdout_write(const char *cmd, const void *data, size_t len)
{
    if (len && fwrite(data, 1, len, stdout) != len)
        return cli_stdout_finish(cmd, EXIT_INPUT);
    if (stdout_errno)
        return cli_stdout_finish(cmd, EXIT_INPUT);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Output files                                                        */
/* ------------------------------------------------------------------ */

/* The temporary file to remove if a signal ends the command. */
static char guard_path[PATH_MAX];
static volatile sig_atomic_t guard_armed;
static const int guard_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define N_GUARD_SIGNALS (sizeof(guard_signals) / sizeof(guard_signals[0]))

static void on_signal(int sig)
{
    if (guard_armed)
        unlink(guard_path);
    /* then die of the signal, as without the handler */
    signal(sig, SIG_DFL);
    raise(sig);
}

static void block_signals(sigset_t *old)
{
    sigset_t set;

    sigemptyset(&set);
    for (size_t i = 0; i < N_GUARD_SIGNALS; i++)
        sigaddset(&set, guard_signals[i]);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

static void install_handlers(void)
{
    static int installed;

    if (installed)
        return;
    installed = 1;
    for (size_t i = 0; i < N_GUARD_SIGNALS; i++) {
        struct sigaction sa;
        struct sigaction old;
        /* a signal the caller ignores (nohup) stays ignored */
        if (sigaction(guard_signals[i], NULL, &old) == 0 &&
            old.sa_handler == SIG_IGN)
            continue;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(guard_signals[i], &sa, NULL);
    }
}

int cli_outfile_open(mn_outfile **out, const char *path,
                     const mn_outfile_options *opts, mn_error *err)
{
    sigset_t old;
    const char *temp;
    int rc;

    install_handlers();
    block_signals(&old);
    rc = mn_outfile_open(out, path, opts, err);
    temp = rc == MN_OK ? mn_outfile_temp_path(*out) : NULL;
    if (temp && strlen(temp) < sizeof(guard_path)) {
        memcpy(guard_path, temp, strlen(temp) + 1);
        guard_armed = 1;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

int cli_outfile_commit(mn_outfile *f, mn_error *err)
{
    sigset_t old;
    int rc;

    /* no signal between the rename and the disarming */
    block_signals(&old);
    rc = mn_outfile_commit(f, err);
    if (rc == MN_OK)
        guard_armed = 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

void cli_outfile_free(mn_outfile *f)
{
    sigset_t old;

    block_signals(&old);
    mn_outfile_free(f);
    guard_armed = 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}
