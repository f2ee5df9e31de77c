/* map.h: open-addressing hash map from 64-bit keys to 32-bit values. */
#ifndef MN_MAP_H
#define MN_MAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

typedef struct mn_map {
    uint64_t *keys;
    uint32_t *vals;
    uint8_t *used;
    size_t cap; /* power of two */
    size_t n;
} mn_map;

/* Finds `key`; returns true and sets *val when present. */
bool mn_x__map_get(const mn_map *m, uint64_t key, uint32_t *val);
/* Inserts or replaces. MN_OK or MN_ENOMEM. */
int mn_x__map_put(mn_map *m, uint64_t key, uint32_t val);
void mn_x__map_free(mn_map *m);
/* A 64-bit hash of bytes (XXH3). */
uint64_t mn_x__hash(const void *data, size_t len);

#endif
