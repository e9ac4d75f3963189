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

/* The characteristic polynomial of the state transition less its x^256
 * term (bit b of word i: the coefficient of x^(64 i + b)): the linear
 * recurrence of any state bit, found by Berlekamp-Massey on 512 steps of
 * the generator. x^(2^128) modulo it is Blackman & Vigna's published JUMP
 * constant, which the tests check. */
static const uint64_t CHARPOLY[4] = {0x9d116f2bb0f0f001ULL, 0x0280002bcefd1a5eULL,
                                     0x04b4edcf26259f85ULL, 0x0003c03c3f3ecb19ULL};

/* r = a * b modulo the characteristic polynomial (GF(2) polynomials of
 * degree below 256; r may be a or b). */
static void poly_mulmod(const uint64_t a_[4], const uint64_t b[4], uint64_t r[4])
{
    uint64_t a[4] = {a_[0], a_[1], a_[2], a_[3]}, acc[4] = {0, 0, 0, 0};
    for (int i = 0; i < 256; i++) {
        if (b[i / 64] >> (i % 64) & 1)
            for (int k = 0; k < 4; k++)
                acc[k] ^= a[k];
        uint64_t top = a[3] >> 63; /* a = a * x mod the polynomial */
        for (int k = 3; k > 0; k--)
            a[k] = a[k] << 1 | a[k - 1] >> 63;
        a[0] <<= 1;
        if (top)
            for (int k = 0; k < 4; k++)
                a[k] ^= CHARPOLY[k];
    }
    for (int k = 0; k < 4; k++)
        r[k] = acc[k];
}

void mkba_xoshiro_jump_poly(uint64_t steps, uint64_t poly[4])
{
    uint64_t r[4] = {1, 0, 0, 0}, x[4] = {2, 0, 0, 0}; /* r = 1, x = the polynomial x */
    for (; steps; steps >>= 1) {
        if (steps & 1)
            poly_mulmod(r, x, r);
        poly_mulmod(x, x, x);
    }
    for (int k = 0; k < 4; k++)
        poly[k] = r[k];
}

void mkba_xoshiro_jump(mkba_xoshiro_state *st, const uint64_t poly[4])
{
    /* A^steps s = sum of poly_i A^i s (Cayley-Hamilton) */
    uint64_t acc[4] = {0, 0, 0, 0};
    for (int i = 0; i < 256; i++) {
        if (poly[i / 64] >> (i % 64) & 1)
            for (int k = 0; k < 4; k++)
                acc[k] ^= st->s[k];
        next(st);
    }
    for (int k = 0; k < 4; k++)
        st->s[k] = acc[k];
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
    /* as gsl_rng_alloc, and freed by gsl_rng_free, but with the state in
     * lines of its own: each thread's generator is written at every draw */
    gsl_rng *r = mkba_xmalloc(sizeof *r);
    r->type = mkba_rng_xoshiro;
    r->state = mkba_xcalloc_own(1, sizeof(xoshiro_state));
    gsl_rng_set(r, gsl_rng_default_seed);
    return r;
}

void mkba_rng_stream(gsl_rng *r, uint64_t seed, mkba_stream_kind kind, uint64_t index)
{
    /* Mix the three parts so that nearby seeds and indices give unrelated
     * keys: each part goes through a splitmix64 step before combining. */
    uint64_t a = seed, b = ((uint64_t)kind << 56) ^ index, c = index;
    uint64_t key = splitmix64(&a) ^ rotl(splitmix64(&b), 21) ^ rotl(splitmix64(&c), 42);
    seed_key(r->state, key);
}
