/* rng.c - xoshiro256** as a GSL generator, and stream keys for
 * reproducible parallel Monte Carlo. */
#include "mkba/rng.h"

#include <stdlib.h>

#include "mkba/mem.h"

typedef mkba_xoshiro_state xoshiro_state;

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* splitmix64 (Steele, Lea & Flood 2014): a well-mixed sequence from any
 * 64-bit value, the seeding its authors recommend for xoshiro. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The generator step, on a bare state (the same step as mkba_rng_next). */
static inline uint64_t next(xoshiro_state *st)
{
    uint64_t *s = st->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

static void seed_key(xoshiro_state *st, uint64_t key)
{
    uint64_t x = key;
    for (int i = 0; i < 4; i++)
        st->s[i] = splitmix64(&x);
    if (!(st->s[0] | st->s[1] | st->s[2] | st->s[3]))
        st->s[0] = 1; /* the all-zero state is the one fixed point */
}

static void xo_set(void *vstate, unsigned long seed)
{
    seed_key(vstate, (uint64_t)seed);
}

static unsigned long xo_get(void *vstate)
{
    return (unsigned long)(next(vstate) >> 32);
}

static double xo_get_double(void *vstate)
{
    /* 53 random bits in [0, 1): never 1, as GSL requires. */
    return (double)(next(vstate) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type xoshiro_type = {"xoshiro256**", 0xffffffffUL, 0,
                                          sizeof(xoshiro_state), xo_set, xo_get,
                                          xo_get_double};

const gsl_rng_type *mkba_rng_xoshiro = &xoshiro_type;

gsl_rng *mkba_rng_alloc(void)
{
    return mkba_xcheck(gsl_rng_alloc(mkba_rng_xoshiro), sizeof(xoshiro_state));
}

void mkba_rng_stream(gsl_rng *r, uint64_t seed, mkba_stream_kind kind, uint64_t index)
{
    /* Mix the three parts so that nearby seeds and indices give unrelated
     * keys: each part goes through a splitmix64 step before combining. */
    uint64_t a = seed, b = ((uint64_t)kind << 56) ^ index, c = index;
    uint64_t key = splitmix64(&a) ^ rotl(splitmix64(&b), 21) ^ rotl(splitmix64(&c), 42);
    seed_key(r->state, key);
}
