/* sobol.h - global sensitivity analysis: Sobol' first-order and
 * total-order indices, with bootstrap confidence intervals.
 *
 * The one-way analysis (sens.h) moves one input at a time; Sobol' indices
 * split the output's variance over the inputs while all of them vary at
 * once, so interactions show up (as ST_j - S_j). The model is a callback,
 * so any function of d inputs and m outputs can be analysed.
 *
 * Method (Saltelli et al. 2010, "Variance based sensitivity analysis of
 * model output", Comput. Phys. Commun. 181):
 *   A, B      two N x d matrices of independent draws (uniforms mapped
 *             through each input's quantile function);
 *   A_B^(j)   A with its column j taken from B;
 *   S_j  = (1/N)  sum_i f(B)_i (f(A_B^j)_i - f(A)_i) / V    (Saltelli 2010)
 *   ST_j = (1/2N) sum_i (f(A)_i - f(A_B^j)_i)^2 / V        (Jansen 1999)
 *   V    = the sample variance of the 2N values f(A) and f(B) pooled.
 * All N (d + 2) points go to the model in one call (so it can batch):
 * rows [0, N) are A, [N, 2N) are B, [(2 + j) N, (3 + j) N) are A_B^(j).
 * 95% confidence intervals: the N row indices are resampled with
 * replacement n_boot times, S and ST recomputed (V too), and the 2.5% and
 * 97.5% percentiles taken (GSL's interpolated quantile).
 *
 * Randomness: uniforms come from mkba_rng_stream(seed, MKBA_STREAM_SENS,
 * index): the sample's rows in blocks of MKBA_SOBOL_BLOCK rows (block k
 * uses index k), bootstrap replicate b uses index MKBA_SOBOL_BOOT_INDEX
 * + b. Results depend on the seed (and N, n_boot) only.
 *
 * Indices are estimates: S_j can come out slightly below 0 or ST_j above
 * 1; they are reported as computed, not clipped. An output whose variance
 * V is 0 (constant) has no variance to split: its indices and CIs are NaN.
 * A bootstrap replicate whose V is 0 is left out of the percentiles. */
#ifndef MKBA_SOBOL_H
#define MKBA_SOBOL_H

#include <stddef.h>
#include <stdint.h>

#include "mkba/dist.h"
#include "mkba/error.h"

#define MKBA_SOBOL_BLOCK 1024                     /* sample rows per rng stream */
#define MKBA_SOBOL_BOOT_INDEX (UINT64_C(1) << 62) /* stream index of replicate 0 */

/* Evaluate the model at n points x[i * d + j] (d inputs each), writing m
 * outputs per point: y[i * m + o]. Returns 0 on success, non-zero when it
 * could not evaluate (the analysis then fails). */
typedef int (*mkba_sobol_model)(void *ctx, const double *x, size_t n, size_t d, double *y,
                                size_t m);

typedef struct mkba_sobol_opts {
    size_t n;               /* base sample size N (>= 2) */
    uint64_t seed;          /* run seed */
    size_t n_boot;          /* bootstrap resamples for CIs, e.g. 200; 0: CIs are NaN */
    int threads;            /* threads for the sample and the estimates (<= 1: one); the
                               results are the same bits on any number (the model's
                               evaluation is the callback's to share out) */
} mkba_sobol_opts;

typedef struct mkba_sobol {
    size_t d, m;             /* inputs, outputs */
    double *first, *total;   /* [m][d] first-order S_j and total-order ST_j */
    double *first_lo, *first_hi, *total_lo, *total_hi; /* [m][d] 95% bootstrap percentile CIs */
    double *variance;        /* [m] total variance of each output */
    size_t evaluations;      /* N (d + 2) */
    size_t n;                /* the base sample size N, and the seed, as run */
    uint64_t seed;           /*   (provenance: the same N and seed give the same indices) */
} mkba_sobol;

/* Compute the indices of the m outputs of 'model' for the d inputs with
 * distributions inputs[0..d-1] (borrowed; read only). 'ctx' is passed to
 * the model as is. Returns a new result (mkba_sobol_free), or NULL with
 * 'err' filled (MKBA_EINVAL) when N < 2, d == 0, m == 0, an argument is
 * NULL, N (d + 2) points do not fit in memory sizes, or the model returns
 * non-zero ("the model could not be evaluated"); MKBA_ENUM when the model
 * gives a non-finite output. Results ([o * d + j]) are in the struct. */
mkba_sobol *mkba_sobol_run(const mkba_dist *const *inputs, size_t d, size_t m,
                           mkba_sobol_model model, void *ctx, const mkba_sobol_opts *o,
                           mkba_error *err);
void mkba_sobol_free(mkba_sobol *s); /* NULL is a no-op */

#endif
