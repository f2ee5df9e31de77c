/* map.c: linear-probing hash map; keys are mixed before probing. */
#include <string.h>
#include <xxhash.h>

#include "core/map.h"
#include "core/util.h"

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

bool mn_x__map_get(const mn_map *m, uint64_t key, uint32_t *val)
{
    if (!m->cap)
        return false;
    size_t mask = m->cap - 1;
    for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
        if (!m->used[i])
            return false;
        if (m->keys[i] == key) {
            *val = m->vals[i];
            return true;
        }
    }
}

static int grow(mn_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    mn_map n = {0};
    n.keys = mn_x__malloc(cap * sizeof(uint64_t));
    n.vals = mn_x__malloc(cap * sizeof(uint32_t));
    n.used = mn_x__calloc(cap, 1);
    n.cap = cap;
    if (!n.keys || !n.vals || !n.used) {
        mn_x__map_free(&n);
        return MN_ENOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (m->used[i])
            mn_x__map_put(&n, m->keys[i], m->vals[i]);
    }
    mn_x__map_free(m);
    *m = n;
    return MN_OK;
}

int mn_x__map_put(mn_map *m, uint64_t key, uint32_t val)
{
    if ((m->n + 1) * 4 > m->cap * 3) {
        int rc = grow(m);
        if (rc)
            return rc;
    }
    size_t mask = m->cap - 1;
    for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
        if (!m->used[i]) {
            m->used[i] = 1;
            m->keys[i] = key;
            m->vals[i] = val;
            m->n++;
            return MN_OK;
        }
        if (m->keys[i] == key) {
            m->vals[i] = val;
            return MN_OK;
        }
    }
}

void mn_x__map_free(mn_map *m)
{
    mn_x__free(m->keys);
    mn_x__free(m->vals);
    mn_x__free(m->used);
    memset(m, 0, sizeof(*m));
}

uint64_t mn_x__hash(const void *data, size_t len)
{
    return XXH3_64bits(data, len);
}
