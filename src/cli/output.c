/*
 * output.c: the output files of the mednec command (build -o, batch -o):
 * mn_outfile handles whose temporary file is removed on SIGINT, SIGTERM
 * and SIGHUP.
 */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

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
