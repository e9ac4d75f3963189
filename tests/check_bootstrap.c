/* check_bootstrap.c - tests of the bootstrap module.
 *
 * Expected values come from outside the module under test:
 * - statistical facts about the bootstrap of a mean (the multinomial
 *   counts have expectation 1 for every person, so the replicate mean of a
 *   difference in means is the sample difference; the bootstrap SE of a
 *   mean is sqrt((n-1)/n) s/sqrt(n), i.e. the Welch SE to 0.03% at n = 2000),
 *   with tolerances derived in the comments;
 * - the estimate module's array-level estimators (mkba_est_diff/did/ols)
 *   called by the test with the replicate's counts as weights, and
 *   mkba_estimate on the full cohort;
 * - sums and weighted means computed in the test itself;
 * - quantiles of a small sorted sample worked by hand;
 * - the resampling counts drawn here from the definition (the stream of
 *   rng.h read through GSL's interface, Lemire's rule), and the
 *   generator stepped one value at a time for its jump-ahead.
 * Data are drawn in the test with GSL's mt19937 (not the module's
 * generator). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>

#include "mkba/cpu.h"
#include "mkba/bootstrap.h"
#include "mkba/cohort.h"
#include "mkba/error.h"
#include "mkba/estimate.h"
#include "mkba/rng.h"
#include "testutil.h"

/* ============================== test cohorts ============================= */

enum { V_Y, V_PRE, V_POST, V_AGE, V_DIST, V_Z, NV };

static const mkba_cohort_var tvars[NV] = {
    {"y", NULL, MKBA_VAR_NUMBER, 0},   {"pre", NULL, MKBA_VAR_NUMBER, 0},
    {"post", NULL, MKBA_VAR_NUMBER, 0}, {"age", NULL, MKBA_VAR_NUMBER, 0},
    {"district", NULL, MKBA_VAR_CATEGORY, 0}, {"z", NULL, MKBA_VAR_NUMBER, 0}};

/* Columns of a synthetic cohort (the test keeps them to recompute). */
typedef struct tdata {
    size_t n;
    uint8_t *g;
    double *col[NV];
} tdata;

/* n persons, pilot with probability 1/2: y = 10 + pilot + 0.05 age + N(0,3),
 * post = pre + 2 pilot + N(0,2), district uniform over 0..2. */
static tdata tdata_make(size_t n, unsigned long seed)
{
    tdata d = {.n = n, .g = malloc(n)};
    ck_assert_ptr_nonnull(d.g);
    for (int v = 0; v < NV; v++) {
        d.col[v] = malloc(n * sizeof(double));
        ck_assert_ptr_nonnull(d.col[v]);
    }
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    ck_assert_ptr_nonnull(r);
    gsl_rng_set(r, seed);
    for (size_t i = 0; i < n; i++) {
        int p = gsl_rng_uniform(r) < 0.5;
        d.g[i] = p ? MKBA_PILOT : MKBA_CONTROL;
        d.col[V_AGE][i] = 20 + 40 * gsl_rng_uniform(r);
        d.col[V_DIST][i] = (double)gsl_rng_uniform_int(r, 3);
        d.col[V_Y][i] = 10 + p + 0.05 * d.col[V_AGE][i] + gsl_ran_gaussian(r, 3);
        d.col[V_PRE][i] = 20 + gsl_ran_gaussian(r, 5);
        d.col[V_POST][i] = d.col[V_PRE][i] + 2 * p + gsl_ran_gaussian(r, 2);
        d.col[V_Z][i] = gsl_ran_gaussian(r, 1);
    }
    gsl_rng_free(r);
    return d;
}

static mkba_cohort *tdata_cohort(const tdata *d)
{
    mkba_cohort *c = mkba_cohort_from_arrays(d->n, d->g, NV, tvars,
                                             (const double *const *)d->col);
    ck_assert_ptr_nonnull(c);
    return c;
}

static void tdata_free(tdata *d)
{
    free(d->g);
    for (int v = 0; v < NV; v++)
        free(d->col[v]);
}

static const size_t cov_age_dist[2] = {V_AGE, V_DIST};

/* The three kinds of effect on the test cohort. */
static const mkba_est_spec spec3[3] = {
    {"y_diff", V_Y, -1, 0, NULL, MKBA_EST_DIFF, NULL},
    {"post_did", V_POST, V_PRE, 0, NULL, MKBA_EST_DID, NULL},
    {"y_ols", V_Y, -1, 2, cov_age_dist, MKBA_EST_OLS, NULL}};

/* |a - b| within a relative 1e-12 (sums taken in another order). */
static void assert_close(double a, double b)
{
    ck_assert_double_eq_tol(a, b, 1e-12 * (1 + fabs(b)));
}

/* Mean and SD of column j of a B x stride replicate matrix (no NaNs). */
static void col_stats(const double *rep, size_t B, size_t stride, size_t j, double *mean,
                      double *sd)
{
    *mean = gsl_stats_mean(rep + j, stride, B);
    *sd = gsl_stats_sd(rep + j, stride, B);
}

/* ====================== replicates around the estimate =================== */

/* The mean of the replicates of a difference in means: every person's count
 * has expectation 1, so E*[replicate] is exactly the sample difference, and
 * the mean of B replicates lies within 4 SD/sqrt(B) of it (4 sigma). */
START_TEST(test_mean_converges)
{
    tdata d = tdata_make(5000, 11);
    mkba_cohort *c = tdata_cohort(&d);
    mkba_effect e;
    ck_assert_int_eq(mkba_estimate(c, &spec3[0], &e, NULL), MKBA_OK);
    enum { B = 400 };
    double *rep = malloc(B * sizeof *rep);
    size_t failed = 99;
    ck_assert_int_eq(mkba_bootstrap(c, spec3, 1, B, 7, 2, rep, &failed, NULL), MKBA_OK);
    ck_assert_uint_eq(failed, 0);
    double mean, sd;
    col_stats(rep, B, 1, 0, &mean, &sd);
    ck_assert(sd > 0);
    ck_assert_double_lt(fabs(mean - e.estimate), 4 * sd / sqrt(B));
    free(rep);
    mkba_cohort_free(c);
    tdata_free(&d);
}
END_TEST

/* Bootstrap against the analytic (Welch) interval of a difference in means:
 * n = 2000 per group, pilot N(1, 2^2), control N(0, 1.5^2), B = 2000.
 * - SE: the SD of the replicates estimates sqrt((n-1)/n) x Welch SE (a
 *   0.03% difference); its own Monte Carlo error is about SE/sqrt(2B) =
 *   1.6% of SE, so 10% is over 6 sigma.
 * - Endpoints: the 2.5% quantile of B normal replicates has a Monte Carlo
 *   SD of sqrt(p(1-p)/B)/phi(1.96) SE = 0.00349/0.0584 SE = 0.060 SE; the
 *   t (df ~ 3700) and normal quantiles differ by 0.0006 SE. 0.15 SE is 2.5
 *   sigma; the data and streams are fixed, so the test is deterministic. */
START_TEST(test_welch_agreement)
{
    enum { N = 2000, B = 2000 };
    static double y[2 * N];
    static uint8_t g[2 * N];
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 2024);
    for (size_t i = 0; i < 2 * N; i++) {
        g[i] = i % 2 ? MKBA_PILOT : MKBA_CONTROL;
        y[i] = g[i] == MKBA_PILOT ? 1 + gsl_ran_gaussian(r, 2) : gsl_ran_gaussian(r, 1.5);
    }
    gsl_rng_free(r);
    const mkba_cohort_var var = {"y", NULL, MKBA_VAR_NUMBER, 0};
    const double *cols[1] = {y};
    mkba_cohort *c = mkba_cohort_from_arrays(2 * N, g, 1, &var, cols);
    ck_assert_ptr_nonnull(c);
    /* The analytic interval, computed here from the two samples (stride 2:
     * pilot at odd, control at even indices). */
    double mp = gsl_stats_mean(y + 1, 2, N), mc = gsl_stats_mean(y, 2, N);
    double a = gsl_stats_variance(y + 1, 2, N) / N, b = gsl_stats_variance(y, 2, N) / N;
    double se = sqrt(a + b), df = (a + b) * (a + b) / (a * a / (N - 1) + b * b / (N - 1));
    double half = gsl_cdf_tdist_Pinv(0.975, df) * se;
    const mkba_est_spec spec = {"y", 0, -1, 0, NULL, MKBA_EST_DIFF, NULL};
    double *rep = malloc(B * sizeof *rep);
    ck_assert_int_eq(mkba_bootstrap(c, &spec, 1, B, 99, 0, rep, NULL, NULL), MKBA_OK);
    double mean, sd, lo, hi;
    col_stats(rep, B, 1, 0, &mean, &sd);
    ck_assert_double_lt(fabs(sd / se - 1), 0.10);
    mkba_bootstrap_ci(rep, B, 1, 0, 0.95, &lo, &hi);
    ck_assert_double_lt(fabs(lo - (mp - mc - half)), 0.15 * se);
    ck_assert_double_lt(fabs(hi - (mp - mc + half)), 0.15 * se);
    free(rep);
    mkba_cohort_free(c);
}
END_TEST

/* DID and OLS: all-one counts give mkba_estimate's estimates, DIFF and
 * DID exactly (the same sums in the same order), OLS to rounding (the
 * replicate solves the normal equations, mkba_estimate a QR: both are
 * accurate to about 1e-15 relative on this well-conditioned design, so
 * 1e-12 leaves room); the replicate mean is within 4 SD/sqrt(B) of the full
 * estimate (exact in expectation for DID; the O(1/n) bias of the OLS
 * coefficient's bootstrap mean, n = 1500, is far below 4 SD/sqrt(B)). */
START_TEST(test_did_ols)
{
    tdata d = tdata_make(1500, 5);
    mkba_cohort *c = tdata_cohort(&d);
    uint32_t *ones = malloc(d.n * sizeof *ones);
    for (size_t i = 0; i < d.n; i++)
        ones[i] = 1;
    double est[3];
    size_t failed = 99;
    ck_assert_int_eq(mkba_bootstrap_replicate(c, spec3, 3, ones, est, &failed, NULL), MKBA_OK);
    ck_assert_uint_eq(failed, 0);
    mkba_effect e[3];
    for (int j = 0; j < 3; j++) {
        ck_assert_int_eq(mkba_estimate(c, &spec3[j], &e[j], NULL), MKBA_OK);
        if (j < 2)
            ck_assert(est[j] == e[j].estimate); /* exactly */
        else
            ck_assert_double_eq_tol(est[j], e[j].estimate, 1e-12 * fabs(e[j].estimate));
    }
    enum { B = 300 };
    double *rep = malloc(3 * B * sizeof *rep);
    ck_assert_int_eq(mkba_bootstrap(c, spec3, 3, B, 3, 2, rep, &failed, NULL), MKBA_OK);
    ck_assert_uint_eq(failed, 0);
    for (int j = 1; j < 3; j++) {
        double mean, sd;
        col_stats(rep, B, 3, (size_t)j, &mean, &sd);
        ck_assert(sd > 0);
        ck_assert_double_lt(fabs(mean - e[j].estimate), 4 * sd / sqrt(B));
    }
    free(rep);
    free(ones);
    mkba_cohort_free(c);
    tdata_free(&d);
}
END_TEST

/* Every replicate of mkba_bootstrap is the estimators of the estimate
 * module run with that replicate's counts (mkba_bootstrap_counts) as
 * frequency weights; the OLS design is dummy-coded here (district levels
 * 1 and 2, level 0 the base). */
START_TEST(test_replicates_are_weighted_estimates)
{
    tdata d = tdata_make(600, 17);
    mkba_cohort *c = tdata_cohort(&d);
    enum { B = 12 };
    double rep[3 * B];
    ck_assert_int_eq(mkba_bootstrap(c, spec3, 3, B, 1234, 3, rep, NULL, NULL), MKBA_OK);
    uint32_t *cnt = malloc(d.n * sizeof *cnt);
    double *w = malloc(d.n * sizeof *w), *d1 = malloc(d.n * sizeof *d1),
           *d2 = malloc(d.n * sizeof *d2);
    for (size_t i = 0; i < d.n; i++) {
        d1[i] = d.col[V_DIST][i] == 1;
        d2[i] = d.col[V_DIST][i] == 2;
    }
    const double *xs[3] = {d.col[V_AGE], d1, d2};
    for (size_t r = 0; r < B; r++) {
        ck_assert_int_eq(mkba_bootstrap_counts(c, 1234, r, cnt, NULL), MKBA_OK);
        for (size_t i = 0; i < d.n; i++)
            w[i] = cnt[i];
        mkba_effect e;
        ck_assert_int_eq(mkba_est_diff(d.col[V_Y], d.g, w, d.n, &e, NULL), MKBA_OK);
        assert_close(rep[3 * r], e.estimate);
        ck_assert_int_eq(mkba_est_did(d.col[V_POST], d.col[V_PRE], d.g, w, d.n, &e, NULL),
                         MKBA_OK);
        assert_close(rep[3 * r + 1], e.estimate);
        ck_assert_int_eq(mkba_est_ols(d.col[V_Y], NULL, d.g, 3, xs, w, d.n, &e, NULL), MKBA_OK);
        assert_close(rep[3 * r + 2], e.estimate);
    }
    /* mkba_bootstrap_replicate on the same counts: the same numbers. */
    double est[3];
    ck_assert_int_eq(mkba_bootstrap_replicate(c, spec3, 3, cnt, est, NULL, NULL), MKBA_OK);
    for (int j = 0; j < 3; j++)
        ck_assert(est[j] == rep[3 * (B - 1) + j]);
    free(cnt);
    free(w);
    free(d1);
    free(d2);
    mkba_cohort_free(c);
    tdata_free(&d);
}
END_TEST

/* The OLS replicates solve the normal equations of the count-weighted
 * cross-products; mkba_est_ols a QR of the weighted design. On random
 * data with covariates of very different scale (an income near 3e4, a
 * year near 2010 with a spread of 6, a 0/1 dummy), a pre-period value,
 * missing values and a 3-level category, both agree to a relative 1e-9
 * on every replicate (the QR's and the Cholesky's rounding errors are
 * each some 1e-13 here: the columns are centred before the cross-products
 * are taken). */
enum { W_Y, W_PRE, W_INC, W_YEAR, W_AGE, W_DIST, W_Z, NW };

START_TEST(test_ols_equals_qr)
{
    enum { N = 900, B = 24 };
    static const mkba_cohort_var vars[NW] = {
        {"y", NULL, MKBA_VAR_NUMBER, 0},      {"pre", NULL, MKBA_VAR_NUMBER, 0},
        {"income", NULL, MKBA_VAR_NUMBER, 0}, {"year", NULL, MKBA_VAR_NUMBER, 0},
        {"age", NULL, MKBA_VAR_NUMBER, 0},    {"district", NULL, MKBA_VAR_CATEGORY, 0},
        {"z", NULL, MKBA_VAR_NUMBER, 0}};
    static double col[NW][N], d1[N], d2[N];
    uint8_t g[N];
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 31);
    for (size_t i = 0; i < N; i++) {
        g[i] = gsl_rng_uniform(r) < 0.4 ? MKBA_PILOT : MKBA_CONTROL;
        col[W_INC][i] = gsl_ran_lognormal(r, 10.3, 0.4);
        col[W_YEAR][i] = 2000 + (double)gsl_rng_uniform_int(r, 21);
        col[W_AGE][i] = i % 7 == 3 ? NAN : 20 + 40 * gsl_rng_uniform(r);
        col[W_DIST][i] = (double)gsl_rng_uniform_int(r, 3);
        col[W_Z][i] = gsl_rng_uniform(r) < 0.3;
        col[W_PRE][i] = 20 + gsl_ran_gaussian(r, 5);
        col[W_Y][i] = i % 11 == 5 ? NAN
                                  : col[W_PRE][i] + 1.5 * g[i] + 1e-4 * col[W_INC][i] +
                                        0.2 * (col[W_YEAR][i] - 2010) + gsl_ran_gaussian(r, 2);
        d1[i] = col[W_DIST][i] == 1;
        d2[i] = col[W_DIST][i] == 2;
    }
    gsl_rng_free(r);
    const double *cols[NW];
    for (int v = 0; v < NW; v++)
        cols[v] = col[v];
    mkba_cohort *c = mkba_cohort_from_arrays(N, g, NW, vars, cols);
    ck_assert_ptr_nonnull(c);
    static const size_t cov[5] = {W_INC, W_YEAR, W_AGE, W_DIST, W_Z};
    const mkba_est_spec spec = {"y", W_Y, W_PRE, 5, cov, MKBA_EST_OLS, NULL};
    const double *xs[6] = {col[W_INC], col[W_YEAR], col[W_AGE], d1, d2, col[W_Z]};
    double rep[B], est;
    size_t failed = 9;
    ck_assert_int_eq(mkba_bootstrap(c, &spec, 1, B, 5, 2, rep, &failed, NULL), MKBA_OK);
    ck_assert_uint_eq(failed, 0);
    uint32_t cnt[N];
    double w[N];
    for (size_t b = 0; b < B; b++) {
        ck_assert_int_eq(mkba_bootstrap_counts(c, 5, b, cnt, NULL), MKBA_OK);
        for (size_t i = 0; i < N; i++)
            w[i] = cnt[i];
        mkba_effect e;
        ck_assert_int_eq(mkba_est_ols(col[W_Y], col[W_PRE], g, 6, xs, w, N, &e, NULL), MKBA_OK);
        ck_assert_double_eq_tol(rep[b], e.estimate, 1e-9 * fabs(e.estimate));
    }
    /* All-one counts: mkba_estimate's estimate to 1e-12. */
    for (size_t i = 0; i < N; i++)
        cnt[i] = 1;
    mkba_effect full;
    ck_assert_int_eq(mkba_estimate(c, &spec, &full, NULL), MKBA_OK);
    ck_assert_int_eq(mkba_bootstrap_replicate(c, &spec, 1, cnt, &est, NULL, NULL), MKBA_OK);
    ck_assert_double_eq_tol(est, full.estimate, 1e-12 * fabs(full.estimate));
    mkba_cohort_free(c);
}
END_TEST

/* A numeric covariate without variation in a replicate: x0 is 0 but for
 * person 7 (5), x1 is 3 but for person 7 (2). A replicate that does not
 * draw person 7 has x0 all zero and x1 constant (the intercept's multiple,
 * which centring turns into a column of rounding noise, not zeros): NaN
 * for both, exactly there; elsewhere the QR's estimate (relative 1e-9). */
START_TEST(test_singular_numeric)
{
    enum { N = 40, B = 120 };
    uint8_t g[N];
    double y[N], x0[N], x1[N];
    for (size_t i = 0; i < N; i++) {
        g[i] = i < N / 2 ? MKBA_PILOT : MKBA_CONTROL;
        x0[i] = i == 7 ? 5 : 0;
        x1[i] = i == 7 ? 2 : 3;
        y[i] = (double)(i % 5) + 0.5 * g[i] + 0.1 * (double)(i % 3);
    }
    const mkba_cohort_var vars[3] = {{"y", NULL, MKBA_VAR_NUMBER, 0},
                                     {"x0", NULL, MKBA_VAR_NUMBER, 0},
                                     {"x1", NULL, MKBA_VAR_NUMBER, 0}};
    const double *cols[3] = {y, x0, x1};
    mkba_cohort *c = mkba_cohort_from_arrays(N, g, 3, vars, cols);
    ck_assert_ptr_nonnull(c);
    const size_t c0[1] = {1}, c1[1] = {2};
    const mkba_est_spec specs[2] = {{"a", 0, -1, 1, c0, MKBA_EST_OLS, NULL},
                                    {"b", 0, -1, 1, c1, MKBA_EST_OLS, NULL}};
    double rep[2 * B];
    size_t failed = 0, expected = 0;
    ck_assert_int_eq(mkba_bootstrap(c, specs, 2, B, 6, 3, rep, &failed, NULL), MKBA_OK);
    uint32_t cnt[N];
    double w[N];
    for (size_t r = 0; r < B; r++) {
        ck_assert_int_eq(mkba_bootstrap_counts(c, 6, r, cnt, NULL), MKBA_OK);
        for (int j = 0; j < 2; j++)
            ck_assert_int_eq(isnan(rep[2 * r + j]) != 0, cnt[7] == 0);
        expected += 2 * (cnt[7] == 0);
        if (cnt[7] == 0)
            continue;
        for (size_t i = 0; i < N; i++)
            w[i] = cnt[i];
        const double *xa[1] = {x0}, *xb[1] = {x1};
        mkba_effect e;
        ck_assert_int_eq(mkba_est_ols(y, NULL, g, 1, xa, w, N, &e, NULL), MKBA_OK);
        ck_assert_double_eq_tol(rep[2 * r], e.estimate, 1e-9 * fabs(e.estimate));
        ck_assert_int_eq(mkba_est_ols(y, NULL, g, 1, xb, w, N, &e, NULL), MKBA_OK);
        ck_assert_double_eq_tol(rep[2 * r + 1], e.estimate, 1e-9 * fabs(e.estimate));
    }
    ck_assert_uint_eq(failed, expected);
    /* P(person 7 not drawn) = (19/20)^20 = 0.358: about 43 of 120. */
    ck_assert(expected > 2 * 20 && expected < 2 * 70);
    mkba_cohort_free(c);
}
END_TEST

/* ============================== stratification ========================== */

/* Each replicate draws n_pilot persons among the pilot group and n_control
 * among the control group. A person's count is Binomial(n_g, 1/n_g), so
 * the share of zero counts is (1 - 1/n_g)^n_g: 0.3660 for n_g = 300 and
 * 0.3642 for n_g = 100 (about 0.366 overall); over 30 replicates of 400
 * persons its SD is about sqrt(0.366 x 0.634 / 12000) = 0.0044, so 0.02 is
 * over 4 sigma. Over the 30 replicates every person is drawn: one
 * that never is has probability (1 - 1/n_g)^(30 n_g) < 0.367^30 = 1e-13.
 * The same (seed, r) gives the same counts. */
START_TEST(test_strata)
{
    enum { NP = 100, NC = 300, N = NP + NC };
    uint8_t g[N];
    double y[N];
    for (size_t i = 0; i < N; i++) { /* pilot persons spread over the cohort */
        g[i] = i % 4 == 1 ? MKBA_PILOT : MKBA_CONTROL;
        y[i] = (double)i;
    }
    const mkba_cohort_var var = {"y", NULL, MKBA_VAR_NUMBER, 0};
    const double *cols[1] = {y};
    mkba_cohort *c = mkba_cohort_from_arrays(N, g, 1, &var, cols);
    ck_assert_ptr_nonnull(c);
    uint32_t cnt[N], again[N], next[N];
    size_t zeros = 0, total[N] = {0};
    for (size_t r = 0; r < 30; r++) {
        ck_assert_int_eq(mkba_bootstrap_counts(c, 8, r, cnt, NULL), MKBA_OK);
        size_t sum[2] = {0, 0};
        for (size_t i = 0; i < N; i++) {
            sum[g[i]] += cnt[i];
            total[i] += cnt[i];
            zeros += cnt[i] == 0;
        }
        ck_assert_uint_eq(sum[MKBA_PILOT], NP);
        ck_assert_uint_eq(sum[MKBA_CONTROL], NC);
    }
    ck_assert_double_lt(fabs((double)zeros / (30.0 * N) - 0.366), 0.02);
    for (size_t i = 0; i < N; i++)
        ck_assert_uint_gt(total[i], 0);
    ck_assert_int_eq(mkba_bootstrap_counts(c, 8, 5, cnt, NULL), MKBA_OK);
    ck_assert_int_eq(mkba_bootstrap_counts(c, 8, 5, again, NULL), MKBA_OK);
    ck_assert_int_eq(mkba_bootstrap_counts(c, 8, 6, next, NULL), MKBA_OK);
    ck_assert(memcmp(cnt, again, sizeof cnt) == 0);
    ck_assert(memcmp(cnt, next, sizeof cnt) != 0);
    mkba_cohort_free(c);
}
END_TEST

/* ============================== determinism ============================= */

/* Threads 1, 2, 3 and all cores: bit-identical replicates; another seed
 * gives other replicates. B is odd and prime: the threads' tasks hold
 * unequal numbers of replicates. */
START_TEST(test_threads_identical)
{
    tdata d = tdata_make(800, 23);
    mkba_cohort *c = tdata_cohort(&d);
    enum { B = 61 };
    static double rep[4][3 * B], other[3 * B];
    const int threads[4] = {1, 2, 3, 0};
    size_t failed[4];
    for (int t = 0; t < 4; t++)
        ck_assert_int_eq(mkba_bootstrap(c, spec3, 3, B, 77, threads[t], rep[t], &failed[t], NULL),
                         MKBA_OK);
    for (int t = 1; t < 4; t++) {
        ck_assert(memcmp(rep[0], rep[t], sizeof rep[0]) == 0);
        ck_assert_uint_eq(failed[t], failed[0]);
    }
    ck_assert_int_eq(mkba_bootstrap(c, spec3, 3, B, 78, 2, other, NULL, NULL), MKBA_OK);
    for (size_t j = 0; j < 3 * B; j++) /* each value differs (continuous data) */
        ck_assert(rep[0][j] != other[j]);
    mkba_cohort_free(c);
    tdata_free(&d);
}
END_TEST

/* A run cut into K contiguous parts (as mkba_mpi_bootstrap does over MPI
 * processes: odd starts, a thread's two replicates split across parts),
 * each part on 1 or 2 threads: the rows of the whole run, bit for bit, and
 * the parts' failures add up to the whole's. */
START_TEST(test_parts_identical)
{
    tdata d = tdata_make(800, 23);
    mkba_cohort *c = tdata_cohort(&d);
    enum { B = 61 };
    static double whole[3 * B], parts[3 * B];
    size_t failed_whole;
    ck_assert_int_eq(mkba_bootstrap(c, spec3, 3, B, 77, 2, whole, &failed_whole, NULL), MKBA_OK);
    for (size_t K = 2; K <= 4; K++) {
        memset(parts, 0, sizeof parts);
        size_t failed = 0;
        for (size_t r = 0; r < K; r++) {
            size_t lo = B * r / K, hi = B * (r + 1) / K, f;
            ck_assert_int_eq(mkba_bootstrap_part(c, spec3, 3, lo, hi - lo, 77, 1 + (int)(r % 2),
                                                 parts + lo * 3, &f, NULL),
                             MKBA_OK);
            failed += f;
        }
        ck_assert(memcmp(whole, parts, sizeof whole) == 0);
        ck_assert_uint_eq(failed, failed_whole);
    }
    mkba_cohort_free(c);
    tdata_free(&d);
}
END_TEST

/* ============================== missing values =========================== */

/* Weighted difference in means over the persons with a value, computed
 * here: sum(c v) / sum(c) per group, v = y or y - pre. */
static double hand_diff(const tdata *d, const uint32_t *cnt, int outcome, int pre)
{
    double s[2] = {0, 0}, w[2] = {0, 0};
    for (size_t i = 0; i < d->n; i++) {
        double v = d->col[outcome][i] - (pre >= 0 ? d->col[pre][i] : 0);
        if (isnan(v))
            continue;
        s[d->g[i]] += cnt[i] * v;
        w[d->g[i]] += cnt[i];
    }
    return s[MKBA_PILOT] / w[MKBA_PILOT] - s[MKBA_CONTROL] / w[MKBA_CONTROL];
}

/* A missing y leaves the person out of the y effect only; a missing pre
 * leaves the person out of the DID only; z's effect is untouched. */
START_TEST(test_nan_per_effect)
{
    tdata d = tdata_make(400, 31);
    const mkba_est_spec specs[3] = {{"y", V_Y, -1, 0, NULL, MKBA_EST_DIFF, NULL},
                                    {"post", V_POST, V_PRE, 0, NULL, MKBA_EST_DID, NULL},
                                    {"z", V_Z, -1, 0, NULL, MKBA_EST_DIFF, NULL}};
    enum { B = 20 };
    static double full[3 * B], holes[3 * B];
    mkba_cohort *c = tdata_cohort(&d);
    ck_assert_int_eq(mkba_bootstrap(c, specs, 3, B, 5, 2, full, NULL, NULL), MKBA_OK);
    mkba_cohort_free(c);
    for (size_t i = 0; i < d.n; i += 7)
        d.col[V_Y][i] = NAN;
    for (size_t i = 3; i < d.n; i += 9)
        d.col[V_PRE][i] = NAN;
    c = tdata_cohort(&d);
    size_t failed = 99;
    ck_assert_int_eq(mkba_bootstrap(c, specs, 3, B, 5, 2, holes, &failed, NULL), MKBA_OK);
    ck_assert_uint_eq(failed, 0);
    uint32_t *cnt = malloc(d.n * sizeof *cnt);
    for (size_t r = 0; r < B; r++) {
        ck_assert_int_eq(mkba_bootstrap_counts(c, 5, r, cnt, NULL), MKBA_OK);
        assert_close(holes[3 * r], hand_diff(&d, cnt, V_Y, -1));
        assert_close(holes[3 * r + 1], hand_diff(&d, cnt, V_POST, V_PRE));
        ck_assert(holes[3 * r] != full[3 * r]);         /* the holes matter */
        ck_assert(holes[3 * r + 1] != full[3 * r + 1]);
        ck_assert(holes[3 * r + 2] == full[3 * r + 2]); /* z: the same replicate */
    }
    free(cnt);
    mkba_cohort_free(c);
    tdata_free(&d);
}
END_TEST

/* ================================ failures =============================== */

/* OLS with a district level held by one person (index 7): a replicate that
 * does not draw that person has a zero dummy column, a singular design:
 * NaN there and counted, and only there (levels 0 and 1 have 19 and 20
 * persons over both groups, so they cannot vanish in practice). */
START_TEST(test_singular_replicate)
{
    enum { N = 40, B = 200 };
    uint8_t g[N];
    double y[N], dist[N];
    for (size_t i = 0; i < N; i++) {
        g[i] = i < N / 2 ? MKBA_PILOT : MKBA_CONTROL;
        dist[i] = i == 7 ? 2 : (double)(i % 2);
        y[i] = (double)(i % 5) + 0.5 * g[i] + dist[i];
    }
    const mkba_cohort_var vars[2] = {{"y", NULL, MKBA_VAR_NUMBER, 0},
                                     {"district", NULL, MKBA_VAR_CATEGORY, 0}};
    const double *cols[2] = {y, dist};
    mkba_cohort *c = mkba_cohort_from_arrays(N, g, 2, vars, cols);
    ck_assert_ptr_nonnull(c);
    const size_t cov[1] = {1};
    const mkba_est_spec spec = {"y", 0, -1, 1, cov, MKBA_EST_OLS, NULL};
    double rep[B];
    size_t failed = 0, expected = 0;
    ck_assert_int_eq(mkba_bootstrap(c, &spec, 1, B, 2, 2, rep, &failed, NULL), MKBA_OK);
    uint32_t cnt[N];
    for (size_t r = 0; r < B; r++) {
        ck_assert_int_eq(mkba_bootstrap_counts(c, 2, r, cnt, NULL), MKBA_OK);
        ck_assert_int_eq(isnan(rep[r]) != 0, cnt[7] == 0);
        expected += cnt[7] == 0;
    }
    ck_assert_uint_eq(failed, expected);
    /* P(person 7 not drawn) = (19/20)^20 = 0.358: about 72 of 200. */
    ck_assert(expected > 40 && expected < 110);
    mkba_cohort_free(c);
}
END_TEST

/* DIFF with too few persons left: the pilot group has 3 persons, one
 * without a value. A replicate drawing that person 2 or 3 times leaves a
 * weight below 2 with a value: NaN, counted. */
START_TEST(test_diff_too_few)
{
    enum { N = 13, B = 100 };
    uint8_t g[N] = {1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    double y[N] = {1, NAN, 3, 2, 4, 6, 1, 5, 7, 2, 2, 9, 0};
    const mkba_cohort_var var = {"y", NULL, MKBA_VAR_NUMBER, 0};
    const double *cols[1] = {y};
    mkba_cohort *c = mkba_cohort_from_arrays(N, g, 1, &var, cols);
    ck_assert_ptr_nonnull(c);
    const mkba_est_spec spec = {"y", 0, -1, 0, NULL, MKBA_EST_DIFF, NULL};
    double rep[B];
    size_t failed = 0, expected = 0;
    ck_assert_int_eq(mkba_bootstrap(c, &spec, 1, B, 4, 1, rep, &failed, NULL), MKBA_OK);
    uint32_t cnt[N];
    for (size_t r = 0; r < B; r++) {
        ck_assert_int_eq(mkba_bootstrap_counts(c, 4, r, cnt, NULL), MKBA_OK);
        ck_assert_int_eq(isnan(rep[r]) != 0, cnt[1] >= 2);
        expected += cnt[1] >= 2;
    }
    ck_assert_uint_eq(failed, expected);
    /* P(count >= 2) for Binomial(3, 1/3) = 3 (1/9)(2/3) + 1/27 = 7/27 = 0.26. */
    ck_assert(expected > 10 && expected < 45);
    mkba_cohort_free(c);
}
END_TEST

/* Counts of 256 and more (stored with a carry): the replicate still equals
 * the weighted estimators, also when such a person has no value. */
START_TEST(test_large_counts)
{
    tdata d = tdata_make(200, 41);
    d.col[V_Y][4] = NAN;
    mkba_cohort *c = tdata_cohort(&d);
    uint32_t *cnt = malloc(d.n * sizeof *cnt);
    double *w = malloc(d.n * sizeof *w);
    for (size_t i = 0; i < d.n; i++)
        cnt[i] = (uint32_t)(i % 3);
    cnt[4] = 300;   /* no y value */
    cnt[5] = 256;
    cnt[6] = 70000;
    cnt[9] = 511;
    for (size_t i = 0; i < d.n; i++)
        w[i] = cnt[i];
    double est[3];
    size_t failed = 99;
    ck_assert_int_eq(mkba_bootstrap_replicate(c, spec3, 3, cnt, est, &failed, NULL), MKBA_OK);
    ck_assert_uint_eq(failed, 0);
    mkba_effect e;
    ck_assert_int_eq(mkba_est_diff(d.col[V_Y], d.g, w, d.n, &e, NULL), MKBA_OK);
    assert_close(est[0], e.estimate);
    ck_assert_int_eq(mkba_est_did(d.col[V_POST], d.col[V_PRE], d.g, w, d.n, &e, NULL), MKBA_OK);
    assert_close(est[1], e.estimate);
    double *d1 = malloc(d.n * sizeof *d1), *d2 = malloc(d.n * sizeof *d2);
    for (size_t i = 0; i < d.n; i++) {
        d1[i] = d.col[V_DIST][i] == 1;
        d2[i] = d.col[V_DIST][i] == 2;
    }
    const double *xs[3] = {d.col[V_AGE], d1, d2};
    ck_assert_int_eq(mkba_est_ols(d.col[V_Y], NULL, d.g, 3, xs, w, d.n, &e, NULL), MKBA_OK);
    assert_close(est[2], e.estimate);
    free(d1);
    free(d2);
    free(w);
    free(cnt);
    mkba_cohort_free(c);
    tdata_free(&d);
}
END_TEST

/* The setup copies the DIFF/DID values in chunks of persons, side by side
 * on the threads (bootstrap.c: chunks of 8192 persons, each group's
 * positions and missing values continuing where the chunk before left
 * them). A cohort of three chunks, with missing values at the chunks'
 * edges and scattered: every replicate is the weighted difference in
 * means over the persons with a value, computed here with the counts of
 * mkba_bootstrap_counts (hand_diff sums in cohort order, as the bootstrap
 * does within each group, so the two agree bit for bit), on 1, 2 and 3
 * threads. A misplaced chunk, or a missing value listed in the wrong
 * chunk, changes a group's sum or weight. */
START_TEST(test_setup_chunks)
{
    tdata d = tdata_make(2 * 8192 + 777, 43);
    static const size_t edge_y[] = {0, 8191, 8192, 8193, 16383, 16384, 2 * 8192 + 776};
    static const size_t edge_pre[] = {8190, 8192, 16384, 16385};
    for (size_t k = 0; k < sizeof edge_y / sizeof *edge_y; k++)
        d.col[V_Y][edge_y[k]] = NAN;
    for (size_t k = 0; k < sizeof edge_pre / sizeof *edge_pre; k++)
        d.col[V_PRE][edge_pre[k]] = NAN;
    for (size_t i = 5; i < d.n; i += 53)
        d.col[V_Y][i] = NAN;
    for (size_t i = 11; i < d.n; i += 71)
        d.col[V_PRE][i] = NAN;
    mkba_cohort *c = tdata_cohort(&d);
    const mkba_est_spec specs[3] = {{"y", V_Y, -1, 0, NULL, MKBA_EST_DIFF, NULL},
                                    {"post", V_POST, V_PRE, 0, NULL, MKBA_EST_DID, NULL},
                                    {"z", V_Z, -1, 0, NULL, MKBA_EST_DIFF, NULL}};
    enum { B = 13 };
    static double rep[3][3 * B];
    for (int t = 0; t < 3; t++)
        ck_assert_int_eq(mkba_bootstrap(c, specs, 3, B, 17, t + 1, rep[t], NULL, NULL), MKBA_OK);
    ck_assert(memcmp(rep[0], rep[1], sizeof rep[0]) == 0);
    ck_assert(memcmp(rep[0], rep[2], sizeof rep[0]) == 0);
    uint32_t *cnt = malloc(d.n * sizeof *cnt);
    ck_assert_ptr_nonnull(cnt);
    for (size_t r = 0; r < B; r++) {
        ck_assert_int_eq(mkba_bootstrap_counts(c, 17, r, cnt, NULL), MKBA_OK);
        ck_assert(rep[0][3 * r] == hand_diff(&d, cnt, V_Y, -1));
        ck_assert(rep[0][3 * r + 1] == hand_diff(&d, cnt, V_POST, V_PRE));
        ck_assert(rep[0][3 * r + 2] == hand_diff(&d, cnt, V_Z, -1));
    }
    free(cnt);
    mkba_cohort_free(c);
    tdata_free(&d);
}
END_TEST

/* ================================= errors ================================ */

START_TEST(test_errors)
{
    tdata d = tdata_make(50, 3);
    mkba_cohort *c = tdata_cohort(&d);
    double out[30];
    mkba_error err;

    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_bootstrap(c, spec3, 3, 0, 1, 1, out, NULL, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "the bootstrap needs at least 1 replicate (B is 0)");

    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_bootstrap(c, spec3, 0, 10, 1, 1, out, NULL, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "the bootstrap needs at least one effect (n_specs is 0)");

    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_bootstrap(NULL, spec3, 3, 10, 1, 1, out, NULL, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "the bootstrap needs a cohort");

    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_bootstrap(c, spec3, 3, 10, 1, 1, NULL, NULL, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "the bootstrap needs an output array of B x n_specs values");

    /* An effect that fails on the full cohort: mkba_estimate's message. */
    const mkba_est_spec bad[2] = {spec3[0], {"hours", V_POST, -1, 0, NULL, MKBA_EST_DID, NULL}};
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_bootstrap(c, bad, 2, 10, 1, 1, out, NULL, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "effect 'hours': method did needs a pre-period column");

    const mkba_est_spec constant[1] = {{"y", V_Y, -1, 1, (const size_t[]){V_DIST}, MKBA_EST_OLS, NULL}};
    for (size_t i = 0; i < d.n; i++)
        d.col[V_DIST][i] = 1;
    mkba_cohort *c1 = tdata_cohort(&d);
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_bootstrap(c1, constant, 1, 10, 1, 1, out, NULL, &err), MKBA_ENUM);
    ck_assert_str_eq(err.msg, "effect 'y': covariates are collinear (the design matrix is "
                              "singular); drop 'district': it is constant among the persons "
                              "used");
    mkba_cohort_free(c1);

    uint32_t cnt[50];
    double est[3];
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_bootstrap_counts(NULL, 1, 0, cnt, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "bootstrap counts need a cohort and an array for the counts");
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_bootstrap_replicate(c, spec3, 3, NULL, est, NULL, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg,
                     "a bootstrap replicate needs counts and an array for the estimates");
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_bootstrap_replicate(c, spec3, 0, cnt, est, NULL, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "the bootstrap needs at least one effect (n_specs is 0)");
    mkba_cohort_free(c);
    tdata_free(&d);
}
END_TEST

/* The setup checks every effect on the full cohort side by side on the
 * threads, but reports the first effect, in order, that mkba_estimate
 * fails, with mkba_estimate's message: an OLS effect whose covariate is
 * constant before a DIFF effect with too few persons, and the other way
 * round, on 1 and 2 threads (the output untouched). */
START_TEST(test_first_error_in_order)
{
    tdata d = tdata_make(300, 47);
    size_t pilot = 0;
    for (size_t i = 0; i < d.n; i++) {
        d.col[V_DIST][i] = 2; /* constant: the OLS effect on it fails */
        if (d.g[i] == MKBA_PILOT && pilot++ > 0)
            d.col[V_Z][i] = NAN; /* one pilot person keeps z: the DIFF fails */
    }
    mkba_cohort *c = tdata_cohort(&d);
    static const size_t cov_dist[1] = {V_DIST};
    const mkba_est_spec ok = {"y", V_Y, -1, 0, NULL, MKBA_EST_DIFF, NULL};
    const mkba_est_spec ols = {"y_ols", V_Y, -1, 1, cov_dist, MKBA_EST_OLS, NULL};
    const mkba_est_spec diff = {"z", V_Z, -1, 0, NULL, MKBA_EST_DIFF, NULL};
    const mkba_est_spec orders[2][3] = {{ok, ols, diff}, {ok, diff, ols}};
    for (int o = 0; o < 2; o++) {
        mkba_effect e;
        mkba_error want, got;
        mkba_error_clear(&want);
        ck_assert_int_eq(mkba_estimate(c, &orders[o][0], &e, NULL), MKBA_OK);
        mkba_status code = mkba_estimate(c, &orders[o][1], &e, &want);
        ck_assert_int_ne(code, MKBA_OK);
        ck_assert_int_ne(mkba_estimate(c, &orders[o][2], &e, NULL), MKBA_OK);
        for (int threads = 1; threads <= 2; threads++) {
            double out[3 * 4] = {0};
            mkba_error_clear(&got);
            ck_assert_int_eq(mkba_bootstrap(c, orders[o], 3, 4, 1, threads, out, NULL, &got),
                             code);
            ck_assert_str_eq(got.msg, want.msg);
            for (size_t j = 0; j < 3 * 4; j++)
                ck_assert(out[j] == 0);
        }
    }
    mkba_cohort_free(c);
    tdata_free(&d);
}
END_TEST

/* ========================== percentile intervals ======================== */

/* Column 1 of a 6 x 2 matrix: {5, NaN, 1, 3, 2, 4}, sorted without NaN
 * {1, 2, 3, 4, 5}. GSL's quantile at f is x[i] + (f(n-1) - i)(x[i+1] - x[i]),
 * i = floor(f(n-1)): level 0.5 -> f 0.25, 0.75 -> positions 1, 3 -> 2, 4;
 * level 0.9 -> f 0.05, 0.95 -> positions 0.2, 3.8 -> 1.2, 4.8. */
START_TEST(test_ci)
{
    const double rep[12] = {9, 5, 9, NAN, 9, 1, 9, 3, 9, 2, 9, 4};
    double lo, hi;
    mkba_bootstrap_ci(rep, 6, 2, 1, 0.5, &lo, &hi);
    ck_assert_double_eq_tol(lo, 2, 1e-12);
    ck_assert_double_eq_tol(hi, 4, 1e-12);
    mkba_bootstrap_ci(rep, 6, 2, 1, 0.9, &lo, &hi);
    ck_assert_double_eq_tol(lo, 1.2, 1e-12);
    ck_assert_double_eq_tol(hi, 4.8, 1e-12);
    mkba_bootstrap_ci(rep, 6, 2, 0, 0.9, &lo, &hi); /* a constant column */
    ck_assert_double_eq_tol(lo, 9, 1e-12);
    ck_assert_double_eq_tol(hi, 9, 1e-12);
    const double none[3] = {NAN, NAN, NAN};
    mkba_bootstrap_ci(none, 3, 1, 0, 0.95, &lo, &hi);
    ck_assert(isnan(lo) && isnan(hi));
    mkba_bootstrap_ci(rep, 6, 2, 2, 0.95, &lo, &hi); /* j >= stride */
    ck_assert(isnan(lo) && isnan(hi));
    mkba_bootstrap_ci(rep, 6, 2, 1, 1.5, &lo, &hi); /* level outside [0, 1] */
    ck_assert(isnan(lo) && isnan(hi));
    mkba_bootstrap_ci(rep, 6, 2, 1, 0.5, NULL, &hi); /* lo may be NULL */
    ck_assert_double_eq_tol(hi, 4, 1e-12);
}
END_TEST

/* ================================ the draws ============================== */

/* Jumping ahead d steps puts the generator where d steps of it do, for
 * distances below, at and above a word of the polynomial and far ones;
 * two jumps add up. (The characteristic polynomial also gives
 * x^(2^128) = Blackman & Vigna's published JUMP constant, checked when it
 * was derived; 2^128 steps do not fit the argument.) */
START_TEST(test_jump)
{
    static const uint64_t dist[] = {0, 1, 2, 63, 64, 255, 256, 4097, 1000003};
    for (size_t k = 0; k < sizeof dist / sizeof *dist; k++) {
        mkba_xoshiro_state a = {{0x9e3779b97f4a7c15ULL, 12345, 0xdeadbeefULL, 7 + k}}, b = a;
        uint64_t poly[4];
        mkba_xoshiro_jump_poly(dist[k], poly);
        mkba_xoshiro_jump(&a, poly);
        for (uint64_t d = 0; d < dist[k]; d++)
            mkba_xoshiro_next(&b);
        ck_assert_msg(memcmp(&a, &b, sizeof a) == 0, "jump of %llu", (unsigned long long)dist[k]);
    }
    mkba_xoshiro_state a = {{1, 2, 3, 4}}, b = a;
    uint64_t p1[4], p2[4], p3[4];
    mkba_xoshiro_jump_poly(70001, p1);
    mkba_xoshiro_jump_poly(123456789, p2);
    mkba_xoshiro_jump_poly(70001 + 123456789, p3);
    mkba_xoshiro_jump(&a, p1);
    mkba_xoshiro_jump(&a, p2);
    mkba_xoshiro_jump(&b, p3);
    ck_assert(memcmp(&a, &b, sizeof a) == 0);
}
END_TEST

/* The counts of replicate r as bootstrap.h defines them, drawn here
 * through GSL's interface: stream (seed, MKBA_STREAM_BOOTSTRAP, r), the
 * n_pilot draws among the pilot persons (cohort order), then the
 * n_control among the control persons, each Lemire's multiply-shift of
 * gsl_rng_get with his rejection step. *redrawn counts the values drawn
 * again. */
static void reference_counts(const uint8_t *g, size_t n, uint64_t seed, size_t r, uint32_t *cnt,
                             size_t *redrawn)
{
    size_t *rows = malloc(n * sizeof *rows);
    ck_assert_ptr_nonnull(rows);
    gsl_rng *rng = mkba_rng_alloc();
    mkba_rng_stream(rng, seed, MKBA_STREAM_BOOTSTRAP, r);
    memset(cnt, 0, n * sizeof *cnt);
    static const int order[2] = {MKBA_PILOT, MKBA_CONTROL};
    for (int o = 0; o < 2; o++) {
        uint32_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (g[i] == order[o])
                rows[m++] = i;
        for (uint32_t d = 0; d < m; d++) {
            uint64_t x = (uint64_t)gsl_rng_get(rng) * m;
            if ((uint32_t)x < m)
                while ((uint32_t)x < (0u - m) % m) {
                    ++*redrawn;
                    x = (uint64_t)gsl_rng_get(rng) * m;
                }
            cnt[rows[x >> 32]]++;
        }
    }
    gsl_rng_free(rng);
    free(rows);
}

/* mkba_bootstrap_counts against the reference on two cohorts, with the
 * processor's vector code and with the portable code: groups of 69921 and
 * 69553 persons (2^32 mod m is nearly m for both: a value is drawn again
 * with probability 1.6e-5, about once per group and replicate, so the
 * redraws are exercised; neither is a multiple of 4), and groups of 3001
 * and 5003 persons (the first drawn one value at a time, the second with
 * the vector code where there is one). */
START_TEST(test_counts_reference)
{
    static const size_t size[2][2] = {{69553, 69921}, {5003, 3001}}; /* [control, pilot] */
    for (int k = 0; k < 2; k++) {
        size_t n = size[k][0] + size[k][1];
        uint8_t *g = malloc(n);
        double *y = malloc(n * sizeof *y);
        uint32_t *want = malloc(n * sizeof *want), *got = malloc(n * sizeof *got);
        ck_assert(g && y && want && got);
        size_t left[2] = {size[k][0], size[k][1]};
        for (size_t i = 0; i < n; i++) { /* the groups interleaved: 2 pilot, 2 control */
            int gr = left[MKBA_PILOT] && (i / 2 % 2 || !left[MKBA_CONTROL]);
            g[i] = gr ? MKBA_PILOT : MKBA_CONTROL;
            left[g[i]]--;
            y[i] = (double)i;
        }
        const mkba_cohort_var var = {"y", NULL, MKBA_VAR_NUMBER, 0};
        const double *cols[1] = {y};
        mkba_cohort *c = mkba_cohort_from_arrays(n, g, 1, &var, cols);
        ck_assert_ptr_nonnull(c);
        size_t redrawn = 0;
        for (size_t r = 0; r < 12; r++) {
            reference_counts(g, n, 99, r, want, &redrawn);
            for (int vec = 1; vec >= 0; vec--) {
                mkba_cpu_limit(vec ? MKBA_VEC_AVX512 : MKBA_VEC_PORTABLE);
                ck_assert_int_eq(mkba_bootstrap_counts(c, 99, r, got, NULL), MKBA_OK);
                ck_assert_msg(memcmp(want, got, n * sizeof *got) == 0, "cohort %d replicate %zu%s",
                              k, r, vec ? "" : " (portable code)");
            }
            mkba_cpu_limit(MKBA_VEC_AVX512);
        }
        if (k == 0)
            ck_assert_uint_gt(redrawn, 0);
        mkba_cohort_free(c);
        free(g);
        free(y);
        free(want);
        free(got);
    }
}
END_TEST

/* Replicates of DIFF/DID effects in blocks of every width (5 effects: a
 * block of 4 and one of 1; 3 effects; 2 effects), with groups large
 * enough for the vector draws and 151 replicates (tasks of 8, the last of
 * 7 summed as 4 + 2 + 1): the same bits on 1 and 2 threads and with the
 * portable code, and equal to mkba_est_diff / mkba_est_did with the
 * replicate's counts as weights. */
START_TEST(test_vector_sums)
{
    tdata d = tdata_make(12000, 29);
    for (size_t i = 0; i < d.n; i += 37)
        d.col[V_Z][i] = NAN;
    mkba_cohort *c = tdata_cohort(&d);
    const mkba_est_spec specs[5] = {{"y", V_Y, -1, 0, NULL, MKBA_EST_DIFF, NULL},
                                    {"post", V_POST, V_PRE, 0, NULL, MKBA_EST_DID, NULL},
                                    {"z", V_Z, -1, 0, NULL, MKBA_EST_DIFF, NULL},
                                    {"age", V_AGE, -1, 0, NULL, MKBA_EST_DIFF, NULL},
                                    {"pre", V_PRE, -1, 0, NULL, MKBA_EST_DIFF, NULL}};
    enum { B = 151 };
    static double rep[3][5 * B];
    uint32_t *cnt = malloc(d.n * sizeof *cnt);
    double *w = malloc(d.n * sizeof *w);
    ck_assert(cnt && w);
    static const size_t n_eff[3] = {5, 3, 2};
    for (int k = 0; k < 3; k++) {
        size_t ne = n_eff[k];
        ck_assert_int_eq(mkba_bootstrap(c, specs, ne, B, 5, 1, rep[0], NULL, NULL), MKBA_OK);
        ck_assert_int_eq(mkba_bootstrap(c, specs, ne, B, 5, 2, rep[1], NULL, NULL), MKBA_OK);
        mkba_cpu_limit(MKBA_VEC_PORTABLE);
        ck_assert_int_eq(mkba_bootstrap(c, specs, ne, B, 5, 1, rep[2], NULL, NULL), MKBA_OK);
        mkba_cpu_limit(MKBA_VEC_AVX512);
        ck_assert(memcmp(rep[0], rep[1], ne * B * sizeof **rep) == 0);
        ck_assert(memcmp(rep[0], rep[2], ne * B * sizeof **rep) == 0);
        for (size_t r = 0; r < B; r += 25) {
            ck_assert_int_eq(mkba_bootstrap_counts(c, 5, r, cnt, NULL), MKBA_OK);
            for (size_t i = 0; i < d.n; i++)
                w[i] = cnt[i];
            for (size_t j = 0; j < ne; j++) {
                mkba_effect e;
                if (specs[j].pre >= 0)
                    ck_assert_int_eq(mkba_est_did(d.col[specs[j].outcome],
                                                  d.col[specs[j].pre], d.g, w, d.n, &e, NULL),
                                     MKBA_OK);
                else
                    ck_assert_int_eq(mkba_est_diff(d.col[specs[j].outcome], d.g, w, d.n, &e,
                                                   NULL),
                                     MKBA_OK);
                assert_close(rep[0][r * ne + j], e.estimate);
            }
        }
    }
    free(cnt);
    free(w);
    mkba_cohort_free(c);
    tdata_free(&d);
}
END_TEST

/* Complete rows: those without a NaN, in order; none when every row has
 * one. */
START_TEST(test_complete_rows)
{
    const double rep[4 * 2] = {1, 2, NAN, 3, 4, 5, 6, NAN};
    double out[4 * 2];
    ck_assert_uint_eq(mkba_bootstrap_complete(rep, 4, 2, out), 2);
    ck_assert(out[0] == 1 && out[1] == 2 && out[2] == 4 && out[3] == 5);
    const double bad[2] = {NAN, NAN};
    ck_assert_uint_eq(mkba_bootstrap_complete(bad, 2, 1, out), 0);
}
END_TEST

static Suite *bootstrap_suite(void)
{
    Suite *s = suite_create("bootstrap");
    TCase *tc = tcase_create("replicates");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_complete_rows);
    tcase_add_test(tc, test_mean_converges);
    tcase_add_test(tc, test_welch_agreement);
    tcase_add_test(tc, test_did_ols);
    tcase_add_test(tc, test_replicates_are_weighted_estimates);
    tcase_add_test(tc, test_ols_equals_qr);
    suite_add_tcase(s, tc);
    tc = tcase_create("strata");
    tcase_add_test(tc, test_strata);
    suite_add_tcase(s, tc);
    tc = tcase_create("draws");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_jump);
    tcase_add_test(tc, test_counts_reference);
    tcase_add_test(tc, test_vector_sums);
    suite_add_tcase(s, tc);
    tc = tcase_create("determinism");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_threads_identical);
    tcase_add_test(tc, test_parts_identical);
    suite_add_tcase(s, tc);
    tc = tcase_create("missing");
    tcase_add_test(tc, test_nan_per_effect);
    tcase_add_test(tc, test_setup_chunks);
    suite_add_tcase(s, tc);
    tc = tcase_create("failures");
    tcase_add_test(tc, test_singular_replicate);
    tcase_add_test(tc, test_singular_numeric);
    tcase_add_test(tc, test_diff_too_few);
    tcase_add_test(tc, test_large_counts);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_first_error_in_order);
    suite_add_tcase(s, tc);
    tc = tcase_create("ci");
    tcase_add_test(tc, test_ci);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(bootstrap_suite());
}
