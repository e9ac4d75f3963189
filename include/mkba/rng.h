/* rng.h - random number streams that make Monte Carlo results identical on
 * any number of threads or machines.
 *
 * Every unit of random work (a block of draws, a bootstrap replicate) gets
 * its own stream, derived from (run seed, kind of work, index of the unit)
 * alone. Which thread or process runs the unit does not matter, so any
 * split of the units gives the same numbers.
 *
 * The generator is xoshiro256** (Blackman & Vigna 2018) exposed as a GSL
 * generator type, so GSL's functions (gsl_ran_*) can draw from it; the hot
 * samplers in dist.c step it inline (mkba_rng_next). Its 256-bit
 * state is filled by splitmix64 from the 64-bit stream key; streams with
 * different keys do not overlap in practice (period 2^256 - 1). */
#ifndef MKBA_RNG_H
#define MKBA_RNG_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

typedef enum {
    MKBA_STREAM_DRAWS = 1,     /* parameter draws of the Monte Carlo, per block */
    MKBA_STREAM_BOOTSTRAP = 2, /* resampling of persons, per replicate */
    MKBA_STREAM_SENS = 3       /* sensitivity analysis samples, per block */
} mkba_stream_kind;

/* The GSL type: 32-bit integers (gsl_rng_get), 53-bit uniform doubles
 * (gsl_rng_uniform). gsl_rng_set(r, s) seeds like a stream of key s. */
extern const gsl_rng_type *mkba_rng_xoshiro;

/* ---- Fast path for samplers ----
 * GSL calls a generator through function pointers; the hot samplers
 * (dist.c) step xoshiro256** inline instead when the generator is ours.
 * The numbers are the same either way: mkba_rng_u01 equals
 * gsl_rng_uniform on an mkba_rng_xoshiro generator. */
typedef struct mkba_xoshiro_state {
    uint64_t s[4];
} mkba_xoshiro_state;

static inline int mkba_rng_is_xoshiro(const gsl_rng *r)
{
    return r->type == mkba_rng_xoshiro;
}

/* The next 64 bits (Blackman & Vigna's xoshiro256** step) of a bare
 * state: a hot loop that also stores bytes (which may alias anything)
 * steps a local copy of the state, which then stays in registers. */
static inline uint64_t mkba_xoshiro_next(mkba_xoshiro_state *st)
{
    uint64_t *s = st->s;
    const uint64_t x = s[1] * 5;
    const uint64_t result = ((x << 7) | (x >> 57)) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/* Uniform on [0, 1) with 53 random bits, from a bare state. */
static inline double mkba_xoshiro_u01(mkba_xoshiro_state *st)
{
    return (double)(mkba_xoshiro_next(st) >> 11) * 0x1.0p-53;
}

/* Jump-ahead: the polynomial x^steps modulo the characteristic polynomial
 * of xoshiro256**'s state transition, packed in 4 words (bit b of word i:
 * the coefficient of x^(64 i + b)). mkba_xoshiro_jump with it puts a state
 * where 'steps' calls of mkba_xoshiro_next would (Blackman & Vigna's jump()
 * with a polynomial of one's own; steps = 2^128 gives their JUMP). A few
 * hundred microseconds for any steps: make it once per distance. */
void mkba_xoshiro_jump_poly(uint64_t steps, uint64_t poly[4]);

/* Advance st by the steps of poly (from mkba_xoshiro_jump_poly): 256
 * generator steps whatever the distance. */
void mkba_xoshiro_jump(mkba_xoshiro_state *st, const uint64_t poly[4]);

/* The next 64 bits of generator r (of type mkba_rng_xoshiro). */
static inline uint64_t mkba_rng_next(gsl_rng *r)
{
    return mkba_xoshiro_next((mkba_xoshiro_state *)r->state);
}

/* Uniform on [0, 1) with 53 random bits. */
static inline double mkba_rng_u01(gsl_rng *r)
{
    return mkba_xoshiro_u01((mkba_xoshiro_state *)r->state);
}

/* A new generator of type mkba_rng_xoshiro (free with gsl_rng_free). */
gsl_rng *mkba_rng_alloc(void);

/* Put 'r' (of type mkba_rng_xoshiro) at the start of stream (seed, kind,
 * index). Cheap: four splitmix64 steps. */
void mkba_rng_stream(gsl_rng *r, uint64_t seed, mkba_stream_kind kind, uint64_t index);

#endif
