/*
 * kbref.c: the knowledge base every request shares, reference-counted.
 *
 * The server holds one reference to the current KB and each request one
 * more while it runs (srv_kb_acquire/srv_kb_release). A reload opens the
 * new KB first (outside the lock: opening validates the whole file), then
 * swaps the pointer under the lock; the old KB is freed by whichever
 * request drops its last reference. The lock guards only the pointer and
 * the count of the swap: acquiring is a lock, an increment and an unlock.
 * The file is read into memory, not mapped: a KB file overwritten in
 * place (cp) while the server runs would otherwise fault its reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "srv.h"

int srv_kb_load(srv_kb **out, const char *path, uint64_t generation,
                mn_error *err)
{
    srv_kb *k = calloc(1, sizeof(*k));
    const char *env = getenv("MEDNEC_KB");
    struct stat st;
    struct tm tm;
    time_t now = time(NULL);
    int rc;

    *out = NULL;
    if (!k) {
        snprintf(err->message, sizeof(err->message), "out of memory");
        return err->code = MN_ENOMEM;
    }
    /* the same choice as the other commands: --kb, $MEDNEC_KB, the
     * installed default, the built-in KB */
    if (path)
        rc = mn_kb_open_read(&k->kb, path, err);
    else if (env && env[0])
        rc = mn_kb_open_read(&k->kb, env, err);
#ifdef MN_DEFAULT_KB
    else if (stat(MN_DEFAULT_KB, &st) == 0)
        rc = mn_kb_open_read(&k->kb, MN_DEFAULT_KB, err);
#endif
    else
        rc = mn_kb_open_builtin(&k->kb, err);
    (void)st;
    if (rc) {
        free(k);
        return rc;
    }
    atomic_init(&k->refs, 1);
    k->generation = generation;
    gmtime_r(&now, &tm);
    strftime(k->loaded_at, sizeof(k->loaded_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
    *out = k;
    return MN_OK;
}

srv_kb *srv_kb_acquire(srv *s)
{
    srv_kb *k;

    pthread_mutex_lock(&s->kb_lock);
    k = s->kb;
    atomic_fetch_add_explicit(&k->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&s->kb_lock);
    return k;
}

void srv_kb_release(srv_kb *k)
{
    if (!k)
        return;
    if (atomic_fetch_sub_explicit(&k->refs, 1, memory_order_acq_rel) == 1) {
        mn_kb_free(k->kb);
        free(k);
    }
}

void srv_kb_swap(srv *s, srv_kb *k)
{
    srv_kb *old;

    pthread_mutex_lock(&s->kb_lock);
    old = s->kb;
    s->kb = k;
    s->kb_generation = k->generation;
    pthread_mutex_unlock(&s->kb_lock);
    srv_kb_release(old);
}
