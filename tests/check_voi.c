/* check_voi.c - EVPI and EVPPI against closed forms (the positive part of
 * a normal, Clark's maximum of two normals, E[max(theta, 0)] for a
 * standard normal theta) on draws made here with GSL, and against small
 * cases worked by hand. */
#include <check.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/cpu.h"
#include "mkba/stream.h"
#include "mkba/summary.h"
#include "mkba/voi.h"
#include "testutil.h"

#define N_EVPI 400000   /* draws for the EVPI closed forms */
#define N_EVPPI 200000  /* draws for the EVPPI cases: default bins 200, 1000 per bin */

/* Fixed-seed mt19937, so every run sees the same draws. */
static gsl_rng *rng_new(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    ck_assert_ptr_nonnull(r);
    gsl_rng_set(r, seed);
    return r;
}

static double *normals(gsl_rng *r, size_t n, double mu, double sigma)
{
    double *x = malloc(n * sizeof *x);
    ck_assert_ptr_nonnull(x);
    for (size_t i = 0; i < n; i++)
        x[i] = mu + gsl_ran_gaussian(r, sigma);
    return x;
}

/* Sample SD (n - 1) of x[0..n-1]. */
static double sample_sd(const double *x, size_t n)
{
    double m = 0, s = 0;
    for (size_t i = 0; i < n; i++)
        m += x[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        s += (x[i] - m) * (x[i] - m);
    return sqrt(s / (double)(n - 1));
}

static mkba_voi evpi_ok(const double *nb, size_t K, size_t n, int include_zero)
{
    mkba_voi v;
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_voi_evpi(nb, K, n, include_zero, &v, &err), MKBA_OK);
    ck_assert_int_eq(err.code, MKBA_OK);
    return v;
}

static double evppi_ok(const double *nb, size_t K, size_t n, int include_zero,
                       const double *theta, size_t bins)
{
    double e = -1;
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_voi_evppi(nb, K, n, include_zero, theta, bins, &e, &err), MKBA_OK);
    return e;
}

/* ------------------------------------------------------------------ EVPI */

/* One option A ~ N(mu, sigma^2) against the reference (0). EVPI =
 * E[max(X, 0)] - max(mu, 0) with E[max(X, 0)] = mu Phi(mu/sigma) +
 * sigma phi(mu/sigma) (the mean of a normal's positive part). The
 * estimate is the mean of the per-draw regret r_i = max(X_i, 0) - X_i [A
 * best] (= max(X_i, 0) when the reference is best), so its SE is
 * sd(r) / sqrt(n); the choice of the best option is certain here
 * (|mu| / (sigma / sqrt(n)) >= 1500), so no selection term. */
static void check_positive_part(double mu, double sigma, unsigned long seed, size_t want_best)
{
    gsl_rng *r = rng_new(seed);
    double *x = normals(r, N_EVPI, mu, sigma);
    double *reg = malloc(N_EVPI * sizeof *reg);
    ck_assert_ptr_nonnull(reg);
    for (size_t i = 0; i < N_EVPI; i++)
        reg[i] = fmax(x[i], 0) - (want_best == 0 ? x[i] : 0);
    double se = sample_sd(reg, N_EVPI) / sqrt((double)N_EVPI);
    double z = mu / sigma;
    double closed = mu * gsl_cdf_ugaussian_P(z) + sigma * gsl_ran_ugaussian_pdf(z) - fmax(mu, 0);

    mkba_voi v = evpi_ok(x, 1, N_EVPI, 1);
    ck_assert_uint_eq(v.best, want_best);
    /* The expected NB of the best option: mu (A) or 0 (the reference); the
     * sample mean of A is within 5 sigma / sqrt(n) of mu. */
    ck_assert_double_eq_tol(v.expected_best, want_best == 0 ? mu : 0,
                            5 * sigma / sqrt((double)N_EVPI));
    /* 5 SE; the 1e-6 floor is for mu = 3000, sigma = 500, where
     * P(X < 0) = Phi(-6) ~ 1e-9: no draw of 400000 is likely below 0
     * (n Phi(-6) ~ 4e-4), so reg = 0, se = 0 and the estimate is 0 against
     * a closed form of ~7.8e-8. */
    ck_assert_double_ge(v.evpi, 0);
    ck_assert_double_eq_tol(v.evpi, closed, 5 * se + 1e-6);
    free(reg);
    free(x);
    gsl_rng_free(r);
}

START_TEST(evpi_normal_vs_reference)
{
    /* mu = -1000, sigma = 2000: z = -0.5, EVPI = -1000 Phi(-0.5) +
     * 2000 phi(0.5) = -308.538 + 704.130 = 395.59 (python3 check);
     * the reference is best (index K = 1). */
    check_positive_part(-1000, 2000, 20240601UL, 1);
}
END_TEST

START_TEST(evpi_normal_tiny)
{
    /* mu = 3000, sigma = 500: z = 6, EVPI = 500 (phi(6) - 6 Phi(-6)) =
     * 500 (6.076e-9 - 5.920e-9) ~ 7.8e-8: A is best, perfect information
     * is worth (almost) nothing. */
    check_positive_part(3000, 500, 20240602UL, 0);
}
END_TEST

START_TEST(evpi_two_normals_clark)
{
    /* A ~ N(1000, 1500^2), B ~ N(800, 1000^2), independent, no reference.
     * Clark (1961): E[max(A, B)] = muA Phi(d/t) + muB Phi(-d/t) + t phi(d/t),
     * d = muA - muB = 200, t = sqrt(1500^2 + 1000^2) = 1802.78; EVPI =
     * E[max] - 1000 = 623.62 (python3 with math.erfc, run once). A is best
     * with certainty (d / (t / sqrt(n)) = 70); SE = sd(max(A,B) - A) / sqrt(n). */
    const double muA = 1000, sA = 1500, muB = 800, sB = 1000;
    gsl_rng *r = rng_new(7UL);
    double *nb = malloc(2 * N_EVPI * sizeof *nb);
    ck_assert_ptr_nonnull(nb);
    for (size_t i = 0; i < N_EVPI; i++) {
        nb[i] = muA + gsl_ran_gaussian(r, sA);
        nb[N_EVPI + i] = muB + gsl_ran_gaussian(r, sB);
    }
    double *reg = malloc(N_EVPI * sizeof *reg);
    ck_assert_ptr_nonnull(reg);
    for (size_t i = 0; i < N_EVPI; i++)
        reg[i] = fmax(nb[i], nb[N_EVPI + i]) - nb[i];
    double se = sample_sd(reg, N_EVPI) / sqrt((double)N_EVPI);
    double d = muA - muB, t = sqrt(sA * sA + sB * sB);
    double emax = muA * gsl_cdf_ugaussian_P(d / t) + muB * gsl_cdf_ugaussian_P(-d / t) +
                  t * gsl_ran_ugaussian_pdf(d / t);

    mkba_voi v = evpi_ok(nb, 2, N_EVPI, 0);
    ck_assert_uint_eq(v.best, 0);
    ck_assert_double_eq_tol(v.expected_best, muA, 5 * sA / sqrt((double)N_EVPI));
    ck_assert_double_eq_tol(v.evpi, emax - muA, 5 * se);
    ck_assert_double_eq_tol(v.evpi, 623.62, 5 * se + 0.01); /* the python3 figure */
    free(reg);
    free(nb);
    gsl_rng_free(r);
}
END_TEST

START_TEST(evpi_by_hand)
{
    /* A = {10, -20, 30, -40} (mean -5), B = {-5, 5, -5, 5} (mean 0), the
     * reference 0. Best mean 0: B and the reference tie, the lower index
     * wins: best = 1. Per-draw max (with 0): 10, 5, 30, 5 -> mean 12.5;
     * EVPI = 12.5 - 0. */
    const double nb[] = {10, -20, 30, -40, -5, 5, -5, 5};
    mkba_voi v = evpi_ok(nb, 2, 4, 1);
    ck_assert_uint_eq(v.best, 1);
    ck_assert_double_eq_tol(v.expected_best, 0, 1e-12);
    ck_assert_double_eq_tol(v.evpi, 12.5, 1e-12);
    /* Without the reference: max(A, B) = 10, 5, 30, 5 -> same 12.5, B best. */
    v = evpi_ok(nb, 2, 4, 0);
    ck_assert_uint_eq(v.best, 1);
    ck_assert_double_eq_tol(v.evpi, 12.5, 1e-12);
    /* A alone against the reference: mean -5 < 0, reference best (index 1);
     * EVPI = mean max(A, 0) = (10 + 30) / 4 = 10. */
    v = evpi_ok(nb, 1, 4, 1);
    ck_assert_uint_eq(v.best, 1);
    ck_assert_double_eq_tol(v.expected_best, 0, 1e-12);
    ck_assert_double_eq_tol(v.evpi, 10, 1e-12);
    /* A alone, no reference: one option, nothing to learn: EVPI = 0. */
    v = evpi_ok(nb, 1, 4, 0);
    ck_assert_uint_eq(v.best, 0);
    ck_assert_double_eq_tol(v.expected_best, -5, 1e-12);
    ck_assert_double_eq_tol(v.evpi, 0, 1e-12);
}
END_TEST

/* ----------------------------------------------------------------- EVPPI */

/* theta ~ N(0, 1) and NB_A = a theta + b eps, eps ~ N(0, 1) independent,
 * against the reference, over N_EVPPI draws and the default 200 bins. */
typedef struct evppi_case {
    double evpi, evppi;
} evppi_case;

static evppi_case run_linear(double a, double b, unsigned long seed)
{
    gsl_rng *r = rng_new(seed);
    double *theta = normals(r, N_EVPPI, 0, 1);
    double *nb = malloc(N_EVPPI * sizeof *nb);
    ck_assert_ptr_nonnull(nb);
    for (size_t i = 0; i < N_EVPPI; i++)
        nb[i] = a * theta[i] + b * gsl_ran_gaussian(r, 1);
    ck_assert_uint_eq(mkba_voi_default_bins(N_EVPPI), 200);
    evppi_case c;
    c.evpi = evpi_ok(nb, 1, N_EVPPI, 1).evpi;
    c.evppi = evppi_ok(nb, 1, N_EVPPI, 1, theta, 200);
    free(nb);
    free(theta);
    gsl_rng_free(r);
    return c;
}

START_TEST(evppi_all_from_theta)
{
    /* NB = theta: knowing theta is knowing everything, EVPPI = EVPI. On the
     * same draws EVPI - EVPPI is, per group, mean max(theta, 0) -
     * max(mean theta, 0) (>= 0, Jensen), nonzero only in the group where
     * theta crosses 0; for a group of range w holding 1/200 of the draws it
     * is at most w/4 / 200. Near 0, w ~ 1 / (200 phi(0)) = 0.0125, so the
     * gap is <= 1.6e-5, 4e-5 of EVPI (~0.399). We allow 1e-3 relative. */
    evppi_case c = run_linear(1, 0, 11UL);
    ck_assert_double_eq_tol(c.evpi, 0.3989, 0.01); /* phi(0), 5 SE = 0.0065 */
    ck_assert_double_le(c.evppi, c.evpi);
    ck_assert_double_eq_tol(c.evppi, c.evpi, 1e-3 * c.evpi);
}
END_TEST

START_TEST(evppi_theta_irrelevant)
{
    /* NB = eps: theta tells nothing, EVPPI = 0 in truth. The estimator sees
     * 200 group means of 1000 eps each, ebar_b ~ N(0, s^2), s = 1/sqrt(1000)
     * = 0.0316, and averages max(ebar_b, 0): E = s phi(0) = 0.0126 (the
     * over-fit the header documents), SD of that average s sqrt(1/2 -
     * 1/(2 pi)) / sqrt(200) = 0.0013. Bound: 0.0126 + 5 x 0.0013 ~ 0.019,
     * under 5% of the EVPI (E[max(eps, 0)] = 0.399). */
    evppi_case c = run_linear(0, 1, 12UL);
    ck_assert_double_ge(c.evppi, 0);
    ck_assert_double_lt(c.evppi, 0.019);
    ck_assert_double_gt(c.evpi, 0.39); /* 0.3989 - 5 SE (0.0065) */
}
END_TEST

START_TEST(evppi_theta_plus_noise)
{
    /* NB = theta + eps, sd(eps) = 1: E[NB | theta] = theta, so EVPPI(theta)
     * = E[max(theta, 0)] - max(E NB, 0) = phi(0) = 0.39894. Tolerance:
     * MC SD of mean max(theta, 0) is sqrt(1/2 - 1/(2 pi)) / sqrt(n) =
     * 0.0013 (x5 = 0.0065), plus the noise over-fit near theta = 0
     * (phi(0) s^2 / 2 = 0.0002 with s^2 = 1/1000; we allow 0.001), plus
     * the selection term max(mean NB, 0) (E ~ 0.4 sqrt(2/n) = 0.0013):
     * 0.0065 + 0.001 + 0.0013 < 0.009. EVPI = E[max(theta + eps, 0)] =
     * sqrt(2) phi(0) = 0.564. */
    evppi_case c = run_linear(1, 1, 13UL);
    ck_assert_double_eq_tol(c.evppi, 0.39894, 0.009);
    ck_assert_double_eq_tol(c.evpi, 0.56419, 0.01);
    ck_assert_double_le(c.evppi, c.evpi);
}
END_TEST

START_TEST(evppi_discrete_theta)
{
    /* theta in {0, 1} (half each), NB = eps: with ties kept together there
     * are two groups of n/2, ebar ~ N(0, 2/n), s = 0.00316, so EVPPI ~
     * s phi(0) - E max(mean, 0) ~ 0.0013 - 0.0009 ~ 0.0004, SD < s/2
     * = 0.0016. Splitting ties over the 200 requested bins would give
     * ~0.0126 as in evppi_theta_irrelevant; we require < 0.006. */
    gsl_rng *r = rng_new(14UL);
    double *theta = malloc(N_EVPPI * sizeof *theta);
    double *nb = malloc(N_EVPPI * sizeof *nb);
    ck_assert_ptr_nonnull(theta);
    ck_assert_ptr_nonnull(nb);
    for (size_t i = 0; i < N_EVPPI; i++) {
        theta[i] = (double)(i % 2);
        nb[i] = gsl_ran_gaussian(r, 1);
    }
    double e = evppi_ok(nb, 1, N_EVPPI, 1, theta, 200);
    ck_assert_double_ge(e, 0);
    ck_assert_double_lt(e, 0.006);
    free(nb);
    free(theta);
    gsl_rng_free(r);
}
END_TEST

START_TEST(evppi_by_hand)
{
    /* Six draws, shuffled; sorted by theta: theta 1: NB -3, 1; theta 2:
     * NB 4, 2; theta 3: NB -1, -1. Mean NB = 2/6 = 1/3 > 0: A best.
     * Three groups (one per theta value): g = -1, 3, -1;
     * EVPPI = mean max(g, 0) - 1/3 = (2 x 3)/6 - 1/3 = 2/3.
     * EVPI = mean max(NB, 0) - 1/3 = (1 + 4 + 2)/6 - 1/3 = 5/6. */
    const double theta[] = {3, 1, 2, 1, 3, 2};
    const double nb[] = {-1, -3, 4, 1, -1, 2};
    ck_assert_double_eq_tol(evpi_ok(nb, 1, 6, 1).evpi, 5.0 / 6, 1e-12);
    ck_assert_double_eq_tol(evppi_ok(nb, 1, 6, 1, theta, 3), 2.0 / 3, 1e-12);
    /* 4 bins: sizes 2, 2, 1, 1; the third boundary (after 5 draws) would
     * split theta = 3, so it moves to 6 and the fourth group is empty:
     * the same three groups. 6 bins: every boundary splits a pair of
     * ties, again three groups. Both give 2/3. */
    ck_assert_double_eq_tol(evppi_ok(nb, 1, 6, 1, theta, 4), 2.0 / 3, 1e-12);
    ck_assert_double_eq_tol(evppi_ok(nb, 1, 6, 1, theta, 6), 2.0 / 3, 1e-12);
    /* 1 bin: g = 1/3 everywhere, max(1/3, 0) - 1/3 = 0. */
    ck_assert_double_eq_tol(evppi_ok(nb, 1, 6, 1, theta, 1), 0, 1e-12);
    /* 2 bins: groups {theta 1, 2} (NB -3, 1, 4, 2: g = 1) and {theta 3}
     * (g = -1): (4 x 1 + 2 x 0)/6 - 1/3 = 1/3. */
    ck_assert_double_eq_tol(evppi_ok(nb, 1, 6, 1, theta, 2), 1.0 / 3, 1e-12);
}
END_TEST

START_TEST(evppi_signs_zeros_and_extremes)
{
    /* The draws are grouped by sorted theta: negative, signed-zero,
     * subnormal and huge values must sort as numbers do, -0 equal to 0.
     * theta = {3, -0, -1e300, 0, 7e-310, -2.5}, NB = {-3, -3, -1, 2, 2, 4}:
     * mean NB = 1/6 > 0, so the project is chosen; a group's regret is
     * count x max(-g, 0). Sorted: -1e300 (-1), -2.5 (4), {-0, 0} (-3, 2),
     * 7e-310 (2), 3 (-3).
     * 6 bins: groups {-1}, {4}, {-3, 2} (a boundary never splits ties),
     * {2}, {-3}: regrets 1 + 0 + 2 x 0.5 + 0 + 3 = 5, EVPPI 5/6. (-0 apart
     * from 0 would give {-3}, {2}: 7/6.)
     * 2 bins: the boundary after 3 draws moves past the tie: {-1, 4, -3, 2}
     * g = 0.5, {2, -3} g = -0.5: regret 1, EVPPI 1/6. (Sorting the raw
     * bits, negatives after the positives, would give {-3, 2, 2} g = 1/3
     * and {-3, 4, -1} g = 0: EVPPI 0.) */
    const double theta[] = {3, -0.0, -1e300, 0.0, 7e-310, -2.5};
    const double nb[] = {-3, -3, -1, 2, 2, 4};
    ck_assert_double_eq_tol(evppi_ok(nb, 1, 6, 1, theta, 6), 5.0 / 6, 1e-12);
    ck_assert_double_eq_tol(evppi_ok(nb, 1, 6, 1, theta, 2), 1.0 / 6, 1e-12);
}
END_TEST

START_TEST(evppi_depends_on_the_order_of_theta_only)
{
    /* Grouping uses only the order of theta, so doubling theta (exact in
     * binary) gives bit-identical EVPPI, and listing the draws in reverse
     * gives the same groups (sums in another order: 1e-12 relative). */
    gsl_rng *r = rng_new(21UL);
    double *theta = normals(r, N_EVPPI, 0, 1), *nb = normals(r, N_EVPPI, 0.1, 1);
    double *t2 = malloc(N_EVPPI * sizeof *t2), *tr = malloc(N_EVPPI * sizeof *tr);
    double *nr = malloc(N_EVPPI * sizeof *nr);
    ck_assert(t2 && tr && nr);
    for (size_t i = 0; i < N_EVPPI; i++)
        nb[i] += theta[i];
    for (size_t i = 0; i < N_EVPPI; i++) {
        t2[i] = 2 * theta[i];
        tr[i] = theta[N_EVPPI - 1 - i];
        nr[i] = nb[N_EVPPI - 1 - i];
    }
    double e = evppi_ok(nb, 1, N_EVPPI, 1, theta, 200);
    ck_assert(e > 0);
    ck_assert(evppi_ok(nb, 1, N_EVPPI, 1, t2, 200) == e);
    ck_assert_double_eq_tol(evppi_ok(nr, 1, N_EVPPI, 1, tr, 200), e, 1e-12 * e);
    free(theta), free(nb), free(t2), free(tr), free(nr);
    gsl_rng_free(r);
}
END_TEST

/* The streamed EVPPI cuts its groups at the quantiles of the first
 * 'sample' draws when the input has more distinct values. By hand, 8 draws, one option against the reference,
 * 2 bins:
 *   theta 1 2 3 4 10 0 2.5 5, nb -1 -1 2 2 2 1 2 2; mean nb 9/8 > 0: the
 *   option is best; EVPI = mean max(nb, 0) - nb = (1 + 1) / 8 = 0.25.
 * Sample of 4 (1 2 3 4): the threshold is its 2nd value, 2; theta <= 2
 * holds the draws 1 2 0 with nb -1 -1 1, mean -1/3: regret 1/3 for 3
 * draws; the rest has mean 2: regret 0. EVPPI = 1 / 8 = 0.125.
 * All 8 as the sample (0 1 2 2.5 | 3 4 5 10): threshold 2.5; the low
 * group's nb 1 -1 -1 2 has mean 1/4 > 0: EVPPI 0, as mkba_voi_evppi. */
START_TEST(evppi_groups_from_sample)
{
    const double theta[] = {1, 2, 3, 4, 10, 0, 2.5, 5}, nb[] = {-1, -1, 2, 2, 2, 1, 2, 2};
    mkba_voi v = evpi_ok(nb, 1, 8, 1);
    ck_assert_double_eq_tol(v.evpi, 0.25, 1e-15);
    const size_t sample[] = {4, 8};
    const double want[] = {0.125, 0};
    for (int c = 0; c < 2; c++) {
        mkba_voi_groups *g = mkba_voi_groups_alloc(1, 1, 2, sample[c], sample[c]);
        mkba_voi_groups_add(g, theta, nb, 8, 3); /* in two chunks */
        mkba_voi_groups_add(g, theta + 3, nb + 3, 8, 5);
        double e = -1;
        mkba_error err;
        mkba_error_clear(&err);
        ck_assert_int_eq(mkba_voi_groups_end(g, &v, &e, &err), MKBA_OK);
        ck_assert_double_eq_tol(e, want[c], 1e-15);
        mkba_voi_groups_free(g);
    }
    ck_assert_double_eq_tol(evppi_ok(nb, 1, 8, 1, theta, 2), 0, 1e-15);
    /* An input with no more distinct values than the sample (3 here, a
     * sample of 4) is cut at the quantiles of all its draws, as
     * mkba_voi_evppi cuts them: theta 3 3 1 2 1 2 1 2 with nb +1 for 2
     * and 3, -1 for 1; mean 2/8 > 0: the option is best; EVPI 3/8. All
     * draws, 3 bins of 8: ends at positions 3 and 6 of 1 1 1 2 2 2 3 3, so
     * one group per value; the 1s lose 1 each: EVPPI 3/8. (Cut at the
     * first 4 draws, 1 2 3 3, the groups would be {1, 2} and {3}, the first
     * with mean 0: EVPPI 0.) */
    const double t3[] = {3, 3, 1, 2, 1, 2, 1, 2}, n3[] = {1, 1, -1, 1, -1, 1, -1, 1};
    mkba_voi v3 = evpi_ok(n3, 1, 8, 1);
    ck_assert_double_eq_tol(v3.evpi, 3.0 / 8, 1e-15);
    mkba_voi_groups *g = mkba_voi_groups_alloc(1, 1, 3, 4, 4);
    mkba_voi_groups_add(g, t3, n3, 8, 5);
    mkba_voi_groups_add(g, t3 + 5, n3 + 5, 8, 3);
    double e = -1;
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_voi_groups_end(g, &v3, &e, &err), MKBA_OK);
    ck_assert_double_eq_tol(e, 3.0 / 8, 1e-15);
    ck_assert_double_eq_tol(evppi_ok(n3, 1, 8, 1, t3, 3), 3.0 / 8, 1e-15);
    mkba_voi_groups_free(g);
}
END_TEST

/* Fed in uneven chunks, mkba_voi_sums and mkba_voi_groups (the sample
 * holding every draw) give mkba_voi_evpi's and mkba_voi_evppi's bits, and
 * the shares of the draws in which each option is best count them. */
START_TEST(streamed_equals_arrays)
{
    gsl_rng *r = rng_new(31UL);
    size_t n = 50000, K = 2;
    double *theta = normals(r, n, 0, 1), *nb = normals(r, K * n, 0.02, 1);
    for (size_t i = 0; i < n; i++)
        nb[i] += 0.5 * theta[i];
    mkba_voi want = evpi_ok(nb, K, n, 1);
    double want_e = evppi_ok(nb, K, n, 1, theta, mkba_voi_default_bins(n));
    mkba_voi_sums *s = mkba_voi_sums_alloc(K, 1);
    mkba_voi_groups *g = mkba_voi_groups_alloc(K, 1, 0, n, n);
    for (size_t i = 0, c = 1; i < n; i += c, c = c * 5 % 4001 + 1) {
        size_t len = i + c <= n ? c : n - i;
        mkba_voi_sums_add(s, nb + i, n, len);
        mkba_voi_groups_add(g, theta + i, nb + i, n, len);
    }
    mkba_voi v;
    double p[3], e;
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_voi_sums_end(s, &v, p, &err), MKBA_OK);
    ck_assert(v.evpi == want.evpi && v.best == want.best && v.expected_best == want.expected_best);
    ck_assert_int_eq(mkba_voi_groups_end(g, &v, &e, &err), MKBA_OK);
    ck_assert(e == want_e && e > 0);
    size_t top[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        size_t b = 2; /* the reference, 0, wins ties */
        double best = 0;
        for (size_t k = 0; k < K; k++)
            if (nb[k * n + i] > best)
                best = nb[k * n + i], b = k;
        top[b]++;
    }
    for (int k = 0; k < 3; k++)
        ck_assert(p[k] == (double)top[k] / (double)n);
    mkba_voi_sums_free(s);
    mkba_voi_groups_free(g);
    free(theta);
    free(nb);
    gsl_rng_free(r);
    /* Sums that overflow: no EVPI, but the shares of best are counts and
     * stand (by hand: option 0 best in draws 0 and 2, the reference in 1). */
    const double huge[] = {1e308, -1, 1e308};
    s = mkba_voi_sums_alloc(1, 1);
    mkba_voi_sums_add(s, huge, 3, 3);
    ck_assert_int_eq(mkba_voi_sums_end(s, &v, p, &err), MKBA_ENUM);
    ck_assert(p[0] == 2.0 / 3 && p[1] == 1.0 / 3);
    mkba_voi_sums_free(s);
}
END_TEST

START_TEST(evppi_two_options)
{
    /* K = 2, no reference, by hand. theta = {1, 2, 3, 4}; A = {4, 0, 0, 0}
     * (mean 1), B = {0, 0, 2, 2} (mean 1): tie, A best (lower index).
     * Bins 2: group {1, 2}: gA = 2, gB = 0; group {3, 4}: gA = 0, gB = 2;
     * EVPPI = (2 x 2 + 2 x 2)/4 - 1 = 1. EVPI = mean max(A, B) - 1 =
     * (4 + 0 + 2 + 2)/4 - 1 = 1: here theta explains the whole choice. */
    const double theta[] = {1, 2, 3, 4};
    const double nb[] = {4, 0, 0, 0, 0, 0, 2, 2};
    mkba_voi v = evpi_ok(nb, 2, 4, 0);
    ck_assert_uint_eq(v.best, 0);
    ck_assert_double_eq_tol(v.evpi, 1, 1e-12);
    ck_assert_double_eq_tol(evppi_ok(nb, 2, 4, 0, theta, 2), 1, 1e-12);
    /* With the reference too: the same (0 never beats the better group
     * mean 2). */
    ck_assert_double_eq_tol(evppi_ok(nb, 2, 4, 1, theta, 2), 1, 1e-12);
}
END_TEST

START_TEST(default_bins)
{
    /* max(10, min(200, n / 50)), at most n. */
    ck_assert_uint_eq(mkba_voi_default_bins(0), 0);
    ck_assert_uint_eq(mkba_voi_default_bins(7), 7);
    ck_assert_uint_eq(mkba_voi_default_bins(100), 10);
    ck_assert_uint_eq(mkba_voi_default_bins(5000), 100);
    ck_assert_uint_eq(mkba_voi_default_bins(1000000), 200);
}
END_TEST

/* ------------------------------------------- streamed, against plain sums
 * The streamed sums take their draws a block at a time (groups or value
 * slots first, then the sums) with one to three options unrolled, the
 * groups found by portable code or by the processor's AVX2 code; these
 * tests redo every sum plainly, draw by draw in draw order, each draw's
 * group by counting the thresholds below it one by one, and want the same
 * bits, on data made awkward for that: chunks of 1, 255, 256 and 257
 * draws, the sample ending inside a chunk or held whole by the first,
 * runs of ties, draws equal to the thresholds, -0 next to 0, cells crowded
 * with thresholds, values far beyond them, ties for the best option, one
 * to three options, and net benefits whose sums lose digits unless added
 * in the same order. */

#define PLAIN_N 6000
#define PLAIN_SAMPLE 1500
#define PLAIN_BINS 40

static size_t plain_group_start(size_t b, size_t n, size_t bins)
{
    return b * (n / bins) + (b < n % bins ? b : n % bins);
}

/* The regret of a group, as the documentation of mkba_voi_evppi weighs it:
 * its draws times (the highest mean, 0 counted with the reference, minus
 * the mean of the option best over all draws), floored at 0. */
static double plain_group_regret(size_t K, int iz, size_t best, size_t count, const double *sums)
{
    if (count == 0)
        return 0;
    double top = 0, chosen = 0;
    for (size_t k = 0; k < K; k++) {
        double m = sums[k] / (double)count;
        if ((k == 0 && !iz) || m > top)
            top = m;
        if (k == best)
            chosen = m;
    }
    return (double)count * (top - chosen > 0 ? top - chosen : 0);
}

static int cmp_plain(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* EVPPI with groups cut at the first 'sample' draws' values: their sorted
 * values at the ends of 'bins' equal-count groups (once each) are the
 * thresholds, and a draw's group is the number of thresholds below it. */
static double plain_sample_evppi(const double *theta, const double *nb, size_t stride, size_t K,
                                 size_t n, int iz, const mkba_voi *v)
{
    size_t m = n < PLAIN_SAMPLE ? n : PLAIN_SAMPLE, c = 0;
    double *s = malloc(m * sizeof *s), t[PLAIN_BINS];
    memcpy(s, theta, m * sizeof *s);
    qsort(s, m, sizeof *s, cmp_plain);
    for (size_t b = 1; b < PLAIN_BINS; b++) {
        double x = s[plain_group_start(b, m, PLAIN_BINS) - 1];
        if (c == 0 || x > t[c - 1])
            t[c++] = x;
    }
    double *sum = calloc((c + 1) * K, sizeof *sum), total = 0;
    size_t *count = calloc(c + 1, sizeof *count);
    for (size_t i = 0; i < n; i++) {
        size_t g = 0;
        for (size_t j = 0; j < c; j++)
            g += t[j] < theta[i];
        count[g]++;
        for (size_t k = 0; k < K; k++)
            sum[g * K + k] += nb[k * stride + i];
    }
    for (size_t g = 0; g <= c; g++)
        total += plain_group_regret(K, iz, v->best, count[g], sum + g * K);
    free(s);
    free(sum);
    free(count);
    double e = total / (double)n;
    return e < 0 ? 0 : (e > v->evpi ? v->evpi : e);
}

/* EVPPI with groups of all the draws by distinct value (-0 is 0): each
 * value's sums in draw order, then 'bins' equal-count groups of the sorted
 * values, a group ending at the end of the value that holds its last draw
 * (the values' sums added in the order of the values). */
typedef struct plain_draw {
    double x;
    size_t i;
} plain_draw;

static int cmp_plain_draw(const void *a, const void *b)
{
    const plain_draw *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return (p->i > q->i) - (p->i < q->i);
}

static double plain_value_evppi(const double *theta, const double *nb, size_t stride, size_t K,
                                size_t n, int iz, const mkba_voi *v)
{
    plain_draw *d = malloc(n * sizeof *d);
    for (size_t i = 0; i < n; i++)
        d[i] = (plain_draw){theta[i] == 0 ? 0 : theta[i], i};
    qsort(d, n, sizeof *d, cmp_plain_draw); /* by value, then in draw order */
    double sums[3], vsum[3], total = 0;
    size_t from = 0, r = 0; /* r: the first draw of the next value */
    for (size_t b = 0; b < PLAIN_BINS && r < n; b++) {
        size_t to = plain_group_start(b + 1, n, PLAIN_BINS), count = 0;
        if (to <= from)
            continue;
        memset(sums, 0, sizeof sums);
        while (r < n && from + count < to) { /* the next value, whole */
            memset(vsum, 0, sizeof vsum);
            size_t e = r;
            for (; e < n && d[e].x == d[r].x; e++)
                for (size_t k = 0; k < K; k++)
                    vsum[k] += nb[k * stride + d[e].i];
            for (size_t k = 0; k < K; k++)
                sums[k] += vsum[k];
            count += e - r;
            r = e;
        }
        total += plain_group_regret(K, iz, v->best, count, sums);
        from += count;
    }
    free(d);
    double e = total / (double)n;
    return e < 0 ? 0 : (e > v->evpi ? v->evpi : e);
}

/* mkba_voi_sums' values by their definition: per draw the best option
 * (the reference on ties, then the lowest index), each option's sum and
 * regret in draw order. */
static void plain_evpi(const double *nb, size_t stride, size_t K, size_t n, int iz, mkba_voi *v,
                       double *p_top)
{
    double sum[3] = {0}, regret[4] = {0};
    size_t top_n[4] = {0};
    for (size_t i = 0; i < n; i++) {
        double top = iz ? 0 : nb[i];
        size_t arg = iz ? K : 0;
        for (size_t k = 0; k < K; k++)
            if (nb[k * stride + i] > top)
                top = nb[k * stride + i], arg = k;
        for (size_t k = 0; k < K; k++) {
            sum[k] += nb[k * stride + i];
            regret[k] += top - nb[k * stride + i];
        }
        regret[K] += top;
        top_n[arg]++;
    }
    size_t best = 0; /* the highest mean, the lowest index on ties; the reference if below 0 */
    for (size_t k = 1; k < K; k++)
        if (sum[k] / (double)n > sum[best] / (double)n)
            best = k;
    double top = sum[best] / (double)n;
    if (iz && top < 0)
        best = K, top = 0;
    v->best = best;
    v->expected_best = top;
    v->evpi = regret[best] / (double)n;
    for (size_t k = 0; k <= K; k++)
        p_top[k] = (double)top_n[k] / (double)n;
}

/* theta of the plain tests. Kind 0: 25 values -3, -2.75, .., 3, the j-th
 * with probability (2j + 1) / 625 (runs of ties, draws equal to the
 * thresholds, rare values that share a group), 0 every other time as -0.
 * Kind 1: 90% in [0, 1e-3) (so the thresholds crowd the first cells), the
 * rest in [10, 110); after the sample every fifth draw repeats a sample
 * value (on a threshold now and then) and a few are +-1e308, far beyond
 * the thresholds. Kind 2: one value (no threshold at all). Kind 3: kind
 * 1's draws after the sample, with a sample spread evenly over [-1, 1)
 * (at most one threshold a cell: the groups are found four draws at a
 * time where the processor can), -0 and 0 among them. */
static double plain_theta(gsl_rng *r, int kind, size_t i, const double *theta)
{
    double u = gsl_rng_uniform(r);
    if (kind == 0) {
        double x = floor(u * u * 25) / 4 - 3;
        return x == 0 && i % 2 ? -0.0 : x;
    }
    if (kind == 2)
        return 7;
    if (i >= PLAIN_SAMPLE && i % 5 == 0)
        return theta[i % PLAIN_SAMPLE];
    if (i >= PLAIN_SAMPLE && i % 97 == 0)
        return i % 2 ? 1e308 : -1e308;
    if (kind == 3)
        return i % 101 == 0 ? (i % 2 ? -0.0 : 0) : 2 * u - 1;
    return u < 0.9 ? 1e-3 * u : 10 + 1000 * (u - 0.9);
}

START_TEST(streamed_equals_plain_sums)
{
    const size_t n = PLAIN_N, stride = PLAIN_N + 13, chunks[] = {1, 255, 256, 257, 1000, 3, 511};
    double *theta = malloc(n * sizeof *theta), *nb = malloc(3 * stride * sizeof *nb);
    ck_assert(theta && nb);
    int inside = 0; /* results strictly between 0 and the EVPI */
    for (int kind = 0; kind < 4; kind++) {
        gsl_rng *r = rng_new(71UL + (unsigned long)kind);
        for (size_t i = 0; i < n; i++)
            theta[i] = plain_theta(r, kind, i, theta);
        /* Net benefits that follow theta (bounded: atan), with noise and
         * spikes of +-1e4 whose sums keep their low digits only in the same
         * order. */
        for (size_t k = 0; k < 3; k++)
            for (size_t i = 0; i < n; i++)
                nb[k * stride + i] = 0.3 * (double)(k + 1) * atan(theta[i]) - 0.2 * (double)k +
                                     gsl_ran_gaussian(r, 1) +
                                     (i % 89 == 0 ? 1e4 : i % 89 == 1 ? -1e4 : 0);
        /* Ties for the best of a draw: every option 0 (-0 for option 1),
         * or every option the same. */
        for (size_t i = 0; i < n; i += 13)
            for (size_t k = 0; k < 3; k++)
                nb[k * stride + i] = i % 2 ? (k == 1 ? -0.0 : 0) : nb[i];
        gsl_rng_free(r);
        for (size_t K = 1; K <= 3; K++)
            for (int iz = 0; iz <= 1; iz++)
                for (int way = 0; way < 4; way++) {
                    /* By distinct value or by cut groups; the groups found
                     * by the portable code, or by the processor's AVX2 code
                     * where it has it. */
                    int by_value = way / 2, vector = way % 2;
                    /* The table's limit: kind 0 has 25 values (all in
                     * its sample here), kinds 1 and 3 about 1500 in their
                     * sample and 6000 in all. */
                    size_t values = by_value ? (kind == 0 ? 25 : n)
                                             : (kind == 0 ? 24 : kind == 2 ? 0 : 2000);
                    mkba_cpu_limit(vector ? MKBA_VEC_AVX512 : MKBA_VEC_PORTABLE);
                    mkba_voi_sums *s = mkba_voi_sums_alloc(K, iz);
                    mkba_voi_groups *g =
                        mkba_voi_groups_alloc(K, iz, PLAIN_BINS, PLAIN_SAMPLE, values);
                    for (size_t i = 0, c = 0, len; i < n; i += len, c++) {
                        /* with the reference, a first chunk that holds the sample */
                        len = c == 0 && iz ? PLAIN_SAMPLE + 200 : chunks[c % 7];
                        len = n - i < len ? n - i : len;
                        mkba_voi_sums_add(s, nb + i, stride, len);
                        mkba_voi_groups_add(g, theta + i, nb + i, stride, len);
                    }
                    mkba_voi v, want;
                    double p[4], want_p[4], e = -1;
                    mkba_error err;
                    mkba_error_clear(&err);
                    ck_assert_int_eq(mkba_voi_sums_end(s, &v, p, &err), MKBA_OK);
                    plain_evpi(nb, stride, K, n, iz, &want, want_p);
                    ck_assert(v.evpi == want.evpi && v.best == want.best &&
                              v.expected_best == want.expected_best);
                    for (size_t k = 0; k <= K; k++)
                        ck_assert(p[k] == want_p[k]);
                    ck_assert_int_eq(mkba_voi_groups_end(g, &v, &e, &err), MKBA_OK);
                    double plain = by_value ? plain_value_evppi(theta, nb, stride, K, n, iz, &v)
                                            : plain_sample_evppi(theta, nb, stride, K, n, iz, &v);
                    ck_assert_msg(e == plain,
                                  "kind %d K %zu iz %d by value %d vector %d: %.17g, plain %.17g",
                                  kind, K, iz, by_value, vector, e, plain);
                    inside += e > 0 && e < v.evpi;
                    mkba_voi_sums_free(s);
                    mkba_voi_groups_free(g);
                }
    }
    mkba_cpu_limit(MKBA_VEC_AVX512);
    ck_assert_int_ge(inside, 48); /* of 96: most cases are not clamped */
    free(theta);
    free(nb);
}
END_TEST

/* A non-finite theta is named by its draw (the first of them): in the
 * sample, in the chunk that completes it, and later inside a chunk; with
 * the distinct values' table given up (101 values, 50 kept) and kept up
 * (200), which sees the value before the groups do. */
START_TEST(streamed_nonfinite_theta)
{
    size_t n = 3000;
    const size_t first_bad[] = {500, 1200, 2345};
    double *theta = malloc(n * sizeof *theta), *nb = malloc(n * sizeof *nb);
    ck_assert(theta && nb);
    for (int c = 0; c < 6; c++) {
        for (size_t i = 0; i < n; i++)
            theta[i] = (double)(i % 101), nb[i] = (double)(i % 7) - 3;
        theta[first_bad[c % 3]] = NAN;
        theta[2800] = -INFINITY;
        mkba_voi_groups *g = mkba_voi_groups_alloc(1, 1, 10, 1000, c < 3 ? 50 : 200);
        for (size_t i = 0; i < n; i += 700)
            mkba_voi_groups_add(g, theta + i, nb + i, n, n - i < 700 ? n - i : 700);
        mkba_voi v = {1, 0, 0};
        double e = 42;
        mkba_error err;
        mkba_error_clear(&err);
        ck_assert_int_eq(mkba_voi_groups_end(g, &v, &e, &err), MKBA_EINVAL);
        char want[80];
        snprintf(want, sizeof want, "EVPPI: parameter value in draw %zu is not finite",
                 first_bad[c % 3]);
        ck_assert_str_eq(err.msg, want);
        ck_assert_double_eq(e, 42);
        mkba_voi_groups_free(g);
    }
    free(theta);
    free(nb);
}
END_TEST

/* mkba_cuts_cells and mkba_cuts_below_in (stream.h; the EVPPI's group
 * lookup) count the sorted values below a value as mkba_cuts_below does:
 * for values on, next to, between and beyond them, -0 and 0, with no
 * value, one value (a zero range), and values that crowd a cell. */
START_TEST(cuts_without_branches)
{
    double t[64];
    const size_t sizes[] = {0, 1, 20};
    for (int c = 0; c < 3; c++) {
        size_t n = sizes[c];
        for (size_t j = 0; j < n; j++) /* 15 in [0, 1.5e-8], then 1 2 3 4 1000 */
            t[j] = j < 15 ? 1e-9 * (double)j : j < 19 ? (double)(j - 14) : 1000;
        mkba_cuts cuts;
        mkba_cuts_init(&cuts, t, n, 16);
        unsigned steps = 0;
        while (((size_t)1 << steps) <= mkba_cuts_crowd(&cuts))
            steps++;
        ck_assert_uint_eq(steps, n == 20 ? 5 : n); /* 19 in the first of 16 cells over [0, 1000] */
        for (size_t j = n; j < n + ((size_t)1 << steps); j++)
            t[j] = INFINITY;
        double v[128];
        size_t m = 0;
        const double fixed[] = {-DBL_MAX, -1e300, -1, -0.0, 0, 0.5, 2.5, 999, 1e300, DBL_MAX};
        for (size_t j = 0; j < 10; j++)
            v[m++] = fixed[j];
        for (size_t j = 0; j < n; j++) {
            v[m++] = t[j];
            v[m++] = nextafter(t[j], -INFINITY);
            v[m++] = nextafter(t[j], INFINITY);
        }
        uint32_t cell[128];
        mkba_cuts_cells(&cuts, v, m, cell);
        for (size_t j = 0; j < m; j++) {
            ck_assert_uint_eq(cell[j], mkba_cuts_cell(&cuts, v[j]));
            ck_assert_uint_eq(mkba_cuts_below_in(&cuts, cell[j], v[j], steps),
                              mkba_cuts_below(&cuts, v[j]));
        }
        mkba_cuts_free(&cuts);
    }
}
END_TEST

/* --------------------------------------------------- order statistics
 * mkba_stats_order (summary.h; the EVPPI's thresholds) gives the values a
 * full sort puts at the wanted positions, bit for bit: checked against
 * qsort in the order of mkba_stats_sort (-0 before +0), on samples that
 * take its radix select down each of its paths: one or a few buckets
 * (ties, one value), a heavy tail and values of both signs (keys far
 * apart), clusters at two scales (levels deep), infinities, the largest
 * and the subnormal values, and sizes on both sides of the small sort. */

static int cmp_sorted(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    if (x != y)
        return x < y ? -1 : 1;
    return (signbit(y) != 0) - (signbit(x) != 0); /* -0 first */
}

static double order_value(gsl_rng *r, int kind, size_t i)
{
    double g = gsl_ran_gaussian(r, 1), u = gsl_rng_uniform(r);
    switch (kind) {
    case 0:
        return 100 + 15 * g;
    case 1:
        return exp(3 * g);
    case 2: /* both signs, and zeros of both signs */
        return i % 7 == 0 ? (i % 2 ? -0.0 : 0.0) : g;
    case 3:
        return floor(20 * u);
    case 4:
        return -2.5;
    case 5: {
        const double far[] = {INFINITY, -INFINITY, DBL_MAX, -DBL_MAX, DBL_TRUE_MIN,
                              -3 * DBL_TRUE_MIN, DBL_MIN, -0.0, 0.0};
        return i % 3 == 0 ? far[(i / 3) % 9] : g;
    }
    default:
        return i % 2 ? 1 + 1e-12 * u : 1e6 + u;
    }
}

START_TEST(order_statistics_as_sorted)
{
    const size_t sizes[] = {1, 2, 31, 32, 33, 100, 1000, 5000, 70000};
    gsl_rng *r = rng_new(91UL);
    for (int kind = 0; kind < 7; kind++)
        for (size_t c = 0; c < sizeof sizes / sizeof *sizes; c++) {
            size_t n = sizes[c], npos = 0;
            double *x = malloc(n * sizeof *x), *copy = malloc(n * sizeof *copy),
                   *sorted = malloc(n * sizeof *sorted), *out = malloc((n + 203) * sizeof *out);
            size_t *pos = malloc((n + 203) * sizeof *pos);
            ck_assert(x && copy && sorted && out && pos);
            for (size_t i = 0; i < n; i++)
                x[i] = order_value(r, kind, i);
            memcpy(copy, x, n * sizeof *x);
            memcpy(sorted, x, n * sizeof *x);
            qsort(sorted, n, sizeof *sorted, cmp_sorted);
            if (n <= 100) { /* every position */
                for (size_t i = 0; i < n; i++)
                    pos[npos++] = i;
            } else { /* the ends of 200 equal groups, the first and last twice */
                pos[npos++] = 0;
                pos[npos++] = 0;
                for (size_t b = 1; b < 200; b++)
                    pos[npos++] = plain_group_start(b, n, 200) - 1;
                pos[npos++] = n - 1;
                pos[npos++] = n - 1;
            }
            mkba_stats_order(x, n, pos, npos, out);
            for (size_t j = 0; j < npos; j++)
                ck_assert_msg(memcmp(&out[j], &sorted[pos[j]], sizeof out[j]) == 0,
                              "kind %d n %zu position %zu: %.17g, sorted %.17g", kind, n, pos[j],
                              out[j], sorted[pos[j]]);
            ck_assert(memcmp(x, copy, n * sizeof *x) == 0); /* x is not changed */
            free(x);
            free(copy);
            free(sorted);
            free(out);
            free(pos);
        }
    gsl_rng_free(r);
}
END_TEST

/* ---------------------------------------------------------------- errors */

static void expect_evpi_error(const double *nb, size_t K, size_t n, mkba_voi *out,
                              const char *msg)
{
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_voi_evpi(nb, K, n, 1, out, &err), MKBA_EINVAL);
    ck_assert_int_eq(err.code, MKBA_EINVAL);
    ck_assert_str_eq(err.msg, msg);
}

static void expect_evppi_error(const double *nb, size_t K, size_t n, const double *theta,
                               size_t bins, double *res, const char *msg)
{
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_voi_evppi(nb, K, n, 1, theta, bins, res, &err), MKBA_EINVAL);
    ck_assert_int_eq(err.code, MKBA_EINVAL);
    ck_assert_str_eq(err.msg, msg);
}

START_TEST(errors_evpi)
{
    const double nb[] = {1, 2, 3};
    mkba_voi v = {42, 7, 42};
    expect_evpi_error(NULL, 1, 3, &v, "EVPI: net benefits missing (NULL)");
    expect_evpi_error(nb, 0, 3, &v, "EVPI: no decision options (K = 0)");
    expect_evpi_error(nb, 1, 0, &v, "EVPI: no draws (n = 0)");
    expect_evpi_error(nb, 1, 3, NULL, "EVPI: no place for the result (NULL)");
    const double bad[] = {1, NAN, 3, 4, 5, INFINITY};
    expect_evpi_error(bad, 2, 3, &v, "EVPI: net benefit of option 0 in draw 1 is not finite");
    /* Failure leaves *out alone. */
    ck_assert_double_eq(v.evpi, 42);
    ck_assert_uint_eq(v.best, 7);
    /* NULL err is allowed. */
    ck_assert_int_eq(mkba_voi_evpi(NULL, 1, 3, 1, &v, NULL), MKBA_EINVAL);
    /* Overflowing sums: MKBA_ENUM. */
    const double huge[] = {1e308, 1e308};
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_voi_evpi(huge, 1, 2, 1, &v, &err), MKBA_ENUM);
    ck_assert_str_eq(err.msg, "EVPI: the sums overflow (net benefits too large)");
}
END_TEST

START_TEST(errors_evppi)
{
    const double nb[] = {1, 2, 3};
    const double theta[] = {0, 1, 2};
    double e = 42;
    expect_evppi_error(NULL, 1, 3, theta, 2, &e, "EVPPI: net benefits missing (NULL)");
    expect_evppi_error(nb, 0, 3, theta, 2, &e, "EVPPI: no decision options (K = 0)");
    expect_evppi_error(nb, 1, 0, theta, 2, &e, "EVPPI: no draws (n = 0)");
    expect_evppi_error(nb, 1, 3, NULL, 2, &e, "EVPPI: parameter draws missing (NULL)");
    expect_evppi_error(nb, 1, 3, theta, 2, NULL, "EVPPI: no place for the result (NULL)");
    expect_evppi_error(nb, 1, 3, theta, 0, &e,
                       "EVPPI: bins must be between 1 and the number of draws (3), got 0");
    expect_evppi_error(nb, 1, 3, theta, 4, &e,
                       "EVPPI: bins must be between 1 and the number of draws (3), got 4");
    const double bad_theta[] = {0, 1, INFINITY};
    expect_evppi_error(nb, 1, 3, bad_theta, 2, &e,
                       "EVPPI: parameter value in draw 2 is not finite");
    const double bad_nb[] = {1, 2, NAN};
    expect_evppi_error(bad_nb, 1, 3, theta, 2, &e,
                       "EVPPI: net benefit of option 0 in draw 2 is not finite");
    ck_assert_double_eq(e, 42); /* untouched on failure */
}
END_TEST

static Suite *voi_suite(void)
{
    Suite *s = suite_create("voi");
    TCase *tc = tcase_create("evpi");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, evpi_normal_vs_reference);
    tcase_add_test(tc, evpi_normal_tiny);
    tcase_add_test(tc, evpi_two_normals_clark);
    tcase_add_test(tc, evpi_by_hand);
    suite_add_tcase(s, tc);

    tc = tcase_create("evppi");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, evppi_all_from_theta);
    tcase_add_test(tc, evppi_theta_irrelevant);
    tcase_add_test(tc, evppi_theta_plus_noise);
    tcase_add_test(tc, evppi_discrete_theta);
    tcase_add_test(tc, evppi_by_hand);
    tcase_add_test(tc, evppi_two_options);
    tcase_add_test(tc, evppi_groups_from_sample);
    tcase_add_test(tc, streamed_equals_arrays);
    tcase_add_test(tc, evppi_signs_zeros_and_extremes);
    tcase_add_test(tc, evppi_depends_on_the_order_of_theta_only);
    tcase_add_test(tc, default_bins);
    tcase_add_test(tc, streamed_equals_plain_sums);
    tcase_add_test(tc, streamed_nonfinite_theta);
    tcase_add_test(tc, cuts_without_branches);
    tcase_add_test(tc, order_statistics_as_sorted);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_test(tc, errors_evpi);
    tcase_add_test(tc, errors_evppi);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(voi_suite());
}
