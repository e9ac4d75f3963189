/* strmap.c - string -> index map: open addressing, linear probing. */
#include "mkba/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/mem.h"

typedef struct slot {
    size_t key;     /* offset of the key in the arena, + 1; 0: empty */
    size_t len;
    uint64_t hash;
    long value;
} slot;

/* Keys live back to back in one arena (a million cohort ids are a million
 * short strings: one allocation, not a million). */
struct mkba_strmap {
    slot *slots;
    size_t cap;     /* a power of two */
    size_t n;
    char *arena;
    size_t arena_len, arena_cap;
};

/* FNV-1a, 64 bits, then a final mix (MurmurHash3's fmix64): the table
 * takes the low bits, and FNV's low bits alone spread names that differ
 * in their last digits ("p17", "p18") poorly. Short keys, no adversary
 * that profits from collisions. */
static uint64_t hash_bytes(const char *key, size_t len)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

mkba_strmap *mkba_strmap_alloc(void)
{
    mkba_strmap *m = mkba_xcalloc(1, sizeof *m);
    m->cap = 16;
    m->slots = mkba_xcalloc(m->cap, sizeof *m->slots);
    return m;
}

void mkba_strmap_free(mkba_strmap *m)
{
    if (!m)
        return;
    free(m->arena);
    free(m->slots);
    free(m);
}

/* The slot holding the key, or the empty slot where it would go (key
 * NULL: the first empty slot, for rehashing). */
static slot *probe(slot *slots, size_t cap, const char *arena, const char *key, size_t len,
                   uint64_t h)
{
    for (size_t i = (size_t)h & (cap - 1);; i = (i + 1) & (cap - 1)) {
        slot *s = &slots[i];
        if (!s->key || (key && s->hash == h && s->len == len &&
                        memcmp(arena + s->key - 1, key, len) == 0))
            return s;
    }
}

static void grow(mkba_strmap *m)
{
    size_t cap = 2 * m->cap;
    slot *slots = mkba_xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key)
            *probe(slots, cap, NULL, NULL, 0, m->slots[i].hash) = m->slots[i];
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
}

long mkba_strmap_put(mkba_strmap *m, const char *key, size_t len, long value)
{
    if (2 * (m->n + 1) > m->cap)
        grow(m);
    uint64_t h = hash_bytes(key, len);
    slot *s = probe(m->slots, m->cap, m->arena, key, len, h);
    if (s->key)
        return s->value;
    if (m->arena_len + len + 1 > m->arena_cap) {
        while (m->arena_len + len + 1 > m->arena_cap)
            m->arena_cap = m->arena_cap ? 2 * m->arena_cap : 4096;
        m->arena = mkba_xrealloc(m->arena, m->arena_cap);
    }
    memcpy(m->arena + m->arena_len, key, len); /* keys may hold any byte */
    m->arena[m->arena_len + len] = '\0';
    s->key = m->arena_len + 1;
    m->arena_len += len + 1;
    s->len = len;
    s->hash = h;
    s->value = value;
    m->n++;
    return value;
}

long mkba_strmap_get(const mkba_strmap *m, const char *key, size_t len)
{
    if (!m)
        return -1;
    const slot *s = probe(m->slots, m->cap, m->arena, key, len, hash_bytes(key, len));
    return s->key ? s->value : -1;
}
