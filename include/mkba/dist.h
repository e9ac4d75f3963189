/* dist.h - probability distributions of uncertain model parameters, and
 * the Gaussian copula that correlates them.
 *
 * A distribution is written in a model file as a call:
 *   normal(mean, sd)            normal(a to b)   (a 90% interval: P5 = a, P95 = b)
 *   truncnormal(mean, sd, lo, hi)
 *   lognormal(mean = m, sd = s) (mean and SD of the variable itself)
 *   lognormal(mu, sigma)        (of the variable's logarithm)
 *   lognormal(a to b)           (a 90% interval, 0 < a < b)
 *   gamma(shape, scale)         gamma(mean = m, sd = s)
 *   beta(a, b)                  beta(mean = m, sd = s)   (0 < m < 1)
 *   uniform(lo, hi)   triangular(min, mode, max)   pert(min, mode, max)
 *   discrete(v1: w1, v2: w2, ...)   (values with weights > 0)
 * Names are case-insensitive; blanks are free. Arguments are all
 * positional or all named (names as in the comments of mkba_dist_kind
 * below, e.g. normal(sd = 2, mean = 10), gamma(shape = 2, scale = 3)).
 * Numbers are plain decimals ('.' whatever the locale), finite.
 * A bare number ("0.3") or fixed(0.3) is MKBA_DIST_FIXED.
 * discrete(): weights are normalised, values sorted ascending; a value
 * listed twice is an error (a likely slip, so it is not merged).
 *
 * Sampling and quantiles allocate nothing and are safe to call from many
 * threads at once (each with its own gsl_rng). GSL's error handler must be
 * off in the program (gsl_set_error_handler_off() in main). */
#ifndef MKBA_DIST_H
#define MKBA_DIST_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

#include "mkba/error.h"

typedef enum {
    MKBA_DIST_FIXED = 0,  /* not uncertain: always p[0] */
    MKBA_DIST_NORMAL,     /* p[0] mean, p[1] sd */
    MKBA_DIST_TRUNCNORMAL,/* p[0] mean, p[1] sd, p[2] lo, p[3] hi (of the untruncated normal) */
    MKBA_DIST_LOGNORMAL,  /* p[0] mu, p[1] sigma of log X */
    MKBA_DIST_GAMMA,      /* p[0] shape k, p[1] scale theta */
    MKBA_DIST_BETA,       /* p[0] a, p[1] b */
    MKBA_DIST_UNIFORM,    /* p[0] lo, p[1] hi */
    MKBA_DIST_TRIANGULAR, /* p[0] min, p[1] mode, p[2] max */
    MKBA_DIST_PERT,       /* p[0] min, p[1] mode, p[2] max; beta with lambda = 4 */
    MKBA_DIST_DISCRETE    /* n values with cumulative probabilities */
} mkba_dist_kind;

typedef struct mkba_dist {
    mkba_dist_kind kind;
    double p[4];          /* parameters in the canonical form above */
    size_t n;             /* discrete: number of values */
    double *values;       /* discrete: [n], ascending */
    double *cum;          /* discrete: [n] cumulative probabilities, cum[n-1] = 1 */
} mkba_dist;

/* Parse 'text' into *d (whose old content is overwritten, not freed).
 * Syntax errors give MKBA_EPARSE, bad values MKBA_EINVAL. On failure fills err->msg with what was wrong and what was
 * expected (e.g. "beta mean must be between 0 and 1, got 1.2",
 * "normal() sd must be > 0, got -1", "uniform() needs lo < hi, got 5 and 2",
 * "unknown distribution 'normale' (known: normal, truncnormal, ...)");
 * the caller adds file, line and key; *d is then a fixed 0 that owns
 * nothing. The result owns 'values' and 'cum' (mkba_dist_free). */
mkba_status mkba_dist_parse(const char *text, mkba_dist *d, mkba_error *err);
/* *d = the fixed value (owns nothing; the old content is not freed). */
void mkba_dist_fixed(mkba_dist *d, double value);
void mkba_dist_free(mkba_dist *d); /* frees the arrays, not d; NULL is a no-op */
/* Deep copy into *dst (old content not freed); always MKBA_OK. */
mkba_status mkba_dist_copy(mkba_dist *dst, const mkba_dist *src);

/* Scale the variable by f > 0 in place: the distribution of f X (an
 * amount rebased to another year's prices, model.h). Returns 0 and leaves
 * *d as it was for a beta, which lives on 0 to 1 (a share, not an amount),
 * and for f not finite and > 0. */
int mkba_dist_scale(mkba_dist *d, double f);

/* One draw (for independent parameters). On an mkba_rng_xoshiro generator
 * normal, lognormal, gamma, beta, PERT, uniform and triangular use mkba's
 * inline samplers (ziggurat, Marsaglia-Tsang; a lognormal's exp is
 * mkba_exp, exp.h); otherwise GSL's.
 * truncnormal: rejection from the normal when [lo, hi] holds more than
 * half its mass, else the inverse CDF at one uniform. */
double mkba_dist_sample(const mkba_dist *d, gsl_rng *r);
/* n draws into x[0..n-1]: the numbers of n calls of mkba_dist_sample, in
 * the same order, with the kind's constants worked out once (the Monte
 * Carlo's inner loop draws a parameter for a whole block this way). */
void mkba_dist_sample_n(const mkba_dist *d, gsl_rng *r, double *x, size_t n);
/* The quantile (inverse CDF) at u in (0, 1) (for the copula); u outside
 * [0, 1] is clamped to it (0 and 1 give the ends of the support, maybe
 * infinite), NaN gives NaN. discrete: the smallest value with F >= u. */
double mkba_dist_quantile(const mkba_dist *d, double u);
/* The 1st and 99th percentiles (P1, P99): where a base value can sit
 * without contradicting its distribution (the model warns outside them).
 * Every kind has a quantile function, so these are exact: P1 and P99 of a
 * discrete distribution are values of it (a value of weight below 1% at an
 * end lies outside); a fixed value is its own P1 and P99. */
void mkba_dist_p1_p99(const mkba_dist *d, double *p1, double *p99);
/* Closed-form mean and variance. */
double mkba_dist_mean(const mkba_dist *d);
double mkba_dist_var(const mkba_dist *d);
/* The name of the kind ("normal", ...). */
const char *mkba_dist_name(mkba_dist_kind k);

/* ---- Gaussian copula ----
 * Correlations are given as rank (Spearman) correlations, the ones an
 * analyst can judge; they are turned into the normal copula's Pearson
 * correlations by rho = 2 sin(pi * rho_s / 6), which makes the sampled
 * rank correlation equal the one asked for. */
typedef struct mkba_copula mkba_copula;

/* 'rank_corr' is an n x n row-major symmetric matrix with unit diagonal.
 * Fails with "the correlation matrix is not positive definite" (or says
 * which entry is outside [-1, 1] or not symmetric, 1-based), also when the
 * Pearson matrix made from it is not. Returns NULL then (err filled:
 * MKBA_EINVAL for the entries, MKBA_ENUM for not positive definite).
 * GSL's error handler must be off. The result owns its own copy. */
mkba_copula *mkba_copula_alloc(size_t n, const double *rank_corr, mkba_error *err);
void mkba_copula_free(mkba_copula *c); /* NULL is a no-op */
size_t mkba_copula_dim(const mkba_copula *c);
/* n correlated uniforms in (0, 1): u = Phi(L z), z standard normal,
 * clamped to [1e-16, 1 - 1e-16] so quantiles stay finite. 'u' has room
 * for mkba_copula_dim(c) values. Allocates nothing. */
void mkba_copula_sample(const mkba_copula *c, gsl_rng *r, double *u);
/* The same draw before Phi: n correlated standard normals y = L z. */
void mkba_copula_sample_z(const mkba_copula *c, gsl_rng *r, double *y);
/* n such draws, draw i into y[i * dim .. (i + 1) * dim): the numbers of n
 * calls of mkba_copula_sample_z. */
void mkba_copula_sample_zn(const mkba_copula *c, gsl_rng *r, double *y, size_t n);
/* Phi(y), clamped like mkba_copula_sample's uniforms. */
double mkba_copula_uniform(double y);
/* A marginal's value for the copula normal y: its quantile at Phi(y),
 * computed directly (mean + sd y, or its mkba_exp) for normal and lognormal. */
double mkba_dist_from_normal(const mkba_dist *d, double y);
/* x[i] = mkba_dist_from_normal(d, y[i * stride]) for i < n. */
void mkba_dist_from_normal_n(const mkba_dist *d, const double *y, size_t stride, double *x,
                             size_t n);

#endif
