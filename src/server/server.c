/*
 * server.c: the server's lifetime: configuration defaults, the KB, the
 * history copy, the keys and tokens; reload.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv.h"

static atomic_ullong serials = 1;

int srv_new(srv **out, const srv_config *cfg, mn_error *err)
{
    srv *s = calloc(1, sizeof(*s));
    srv_kb *k = NULL;
    int rc;

    *out = NULL;
    if (!s) {
        snprintf(err->message, sizeof(err->message), "out of memory");
        return err->code = MN_ENOMEM;
    }
    s->cfg = *cfg;
    if (!s->cfg.max_body)
        s->cfg.max_body = (size_t)4 << 20;
    if (!s->cfg.max_batch)
        s->cfg.max_batch = (size_t)256 << 20;
    if (!s->cfg.max_connections)
        s->cfg.max_connections = 256;
    if (!s->cfg.max_batches)
        s->cfg.max_batches = 2;
    if (!s->cfg.request_timeout)
        s->cfg.request_timeout = 30;
    if (!s->cfg.jwt_max_age)
        s->cfg.jwt_max_age = 3600;
    if (!s->cfg.cors_origin)
        s->cfg.cors_origin = "*";
    s->serial = atomic_fetch_add(&serials, 1);
    pthread_mutex_init(&s->kb_lock, NULL);
    pthread_mutex_init(&s->workers_lock, NULL);
    atomic_init(&s->next_id, ((unsigned long long)s->serial << 40) ^
                                 ((unsigned long long)srv_now() << 8));
    snprintf(s->base_url, sizeof(s->base_url), "%s",
             cfg->base_url ? cfg->base_url : "http://localhost");
    {
        size_t n = strlen(s->base_url);
        while (n && s->base_url[n - 1] == '/')
            s->base_url[--n] = '\0';
    }
    if ((rc = srv_kb_load(&k, cfg->kb_path, 1, err)))
        goto fail;
    s->kb = k;
    s->kb_generation = 1;
    if (cfg->history_path) {
        if ((rc = mn_history_memory_load(&s->history, cfg->history_path, err)))
            goto fail;
        mn_history_memory_source(&s->history_src, s->history);
    }
    if (cfg->jwks_file &&
        (rc = srv_jwt_new(&s->jwt, cfg->jwks_file, cfg->issuers, cfg->n_issuers,
                          s->cfg.jwt_max_age, err)))
        goto fail;
    if (cfg->token_file &&
        (rc = srv_tokens_load(&s->tokens, cfg->token_file, err)))
        goto fail;
    *out = s;
    return MN_OK;
fail:
    srv_free(s);
    return rc;
}

void srv_free(srv *s)
{
    if (!s)
        return;
    srv_kb_release(s->kb);
    mn_history_memory_free(s->history);
    srv_jwt_free(s->jwt);
    srv_tokens_free(s->tokens);
    srv_workers_free(s);
    pthread_mutex_destroy(&s->kb_lock);
    pthread_mutex_destroy(&s->workers_lock);
    free(s);
}

int srv_reload(srv *s, mn_error *err)
{
    srv_kb *k = NULL;
    uint64_t gen;
    int rc;

    pthread_mutex_lock(&s->kb_lock);
    gen = s->kb_generation + 1;
    pthread_mutex_unlock(&s->kb_lock);
    rc = srv_kb_load(&k, s->cfg.kb_path, gen, err);
    if (rc) {
        atomic_fetch_add(&s->metrics.reloads_failed, 1);
        return rc;
    }
    srv_kb_swap(s, k);
    atomic_fetch_add(&s->metrics.reloads_ok, 1);
    return MN_OK;
}
