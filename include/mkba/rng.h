/* rng.h - random number streams that make Monte Carlo results identical on
 * any number of threads or machines.
 *
 * Every unit of random work (a block of draws, a bootstrap replicate) gets
 * its own stream, derived from (run seed, kind of work, index of the unit)
 * alone. Which thread or process runs the unit does not matter, so any
 * split of the units gives the same numbers.
 *
 * The generator is xoshiro256** (Blackman & Vigna 2018) exposed as a GSL
 * generator type, so GSL's samplers (gsl_ran_*) draw from it. Its 256-bit
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

/* A new generator of type mkba_rng_xoshiro (free with gsl_rng_free). */
gsl_rng *mkba_rng_alloc(void);

/* Put 'r' (of type mkba_rng_xoshiro) at the start of stream (seed, kind,
 * index). Cheap: four splitmix64 steps. */
void mkba_rng_stream(gsl_rng *r, uint64_t seed, mkba_stream_kind kind, uint64_t index);

#endif
