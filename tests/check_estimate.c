/* check_estimate.c - tests of the estimate module: difference in means and
 * difference-in-differences worked by hand (means, variances, Welch SE,
 * Welch-Satterthwaite df, t quantiles from a table), OLS on an exact system
 * and on a system with residuals whose coefficient and HC1 SE come from an
 * independent exact computation (python3 with fractions, script below),
 * frequency weights against duplicated rows, NaN rows, the cohort-level
 * entry point (method choice, dummy coding) and the error messages.
 *
 * t quantiles t_{0.975,df}, from a printed t table (and re-derived by
 * integrating the t density with python3, Simpson's rule + bisection):
 *   df 4: 2.776445   df 5: 2.570582   df 6: 2.446912
 *   df 1323/409 = 3.2347188 (not in a table): 3.0557127104 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/cohort.h"
#include "mkba/error.h"
#include "mkba/estimate.h"
#include "testutil.h"

#define T4 2.776445  /* t_{0.975,4}, table */
#define T5 2.570582  /* t_{0.975,5}, table */
#define T6 2.446912  /* t_{0.975,6}, table */
#define TOL 1e-9     /* for values computed in closed form */
#define TTOL 2e-6    /* for CIs using a 7-digit table quantile (times SE < 2) */

/* Every field of two effects equal (doubles to a relative 1e-12). */
static void assert_same_effect(const mkba_effect *a, const mkba_effect *b)
{
    const double x[] = {a->estimate, a->se,    a->df,         a->ci_lo,
                        a->ci_hi,    a->mean_pilot, a->mean_control};
    const double y[] = {b->estimate, b->se,    b->df,         b->ci_lo,
                        b->ci_hi,    b->mean_pilot, b->mean_control};
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++) {
        if (isinf(x[i]) || isinf(y[i]))
            ck_assert(x[i] == y[i]);
        else
            ck_assert_double_eq_tol(x[i], y[i], 1e-12 * (1 + fabs(y[i])));
    }
    ck_assert_int_eq(a->method, b->method);
    ck_assert_uint_eq(a->n_pilot, b->n_pilot);
    ck_assert_uint_eq(a->n_control, b->n_control);
    ck_assert_uint_eq(a->n_missing, b->n_missing);
}

/* ========================= difference in means ========================= */

/* pilot {1,2,3,4}, control {2,4,6}:
 *   mean_p = 10/4 = 2.5, mean_c = 12/3 = 4, estimate = -1.5
 *   s_p^2 = (2.25 + .25 + .25 + 2.25)/3 = 5/3, s_c^2 = (4 + 0 + 4)/2 = 4
 *   a = s_p^2/n_p = 5/12, b = s_c^2/n_c = 4/3; SE^2 = a + b = 21/12 = 1.75
 *   df = (a+b)^2 / (a^2/3 + b^2/2) = 3.0625 / (25/432 + 384/432)
 *      = 3.0625 * 432/409 = 1323/409 = 3.23471883
 *   t_{0.975,1323/409} = 3.0557127104 (python3 integration, header) */
static const double diff_y[] = {1, 2, 3, 4, 2, 4, 6};
static const uint8_t diff_g[] = {1, 1, 1, 1, 0, 0, 0};

START_TEST(test_diff_welch)
{
    mkba_effect e;
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_est_diff(diff_y, diff_g, NULL, 7, &e, &err), MKBA_OK);
    ck_assert_int_eq(e.method, MKBA_EST_DIFF);
    ck_assert_double_eq_tol(e.mean_pilot, 2.5, TOL);
    ck_assert_double_eq_tol(e.mean_control, 4.0, TOL);
    ck_assert_double_eq_tol(e.estimate, -1.5, TOL);
    ck_assert_double_eq_tol(e.se, sqrt(1.75), TOL);
    ck_assert_double_eq_tol(e.df, 1323.0 / 409.0, TOL);
    ck_assert_double_eq_tol(e.ci_lo, -1.5 - 3.0557127104 * sqrt(1.75), 1e-8);
    ck_assert_double_eq_tol(e.ci_hi, -1.5 + 3.0557127104 * sqrt(1.75), 1e-8);
    ck_assert_uint_eq(e.n_pilot, 4);
    ck_assert_uint_eq(e.n_control, 3);
    ck_assert_uint_eq(e.n_missing, 0);
}
END_TEST

/* pilot {1,...,6}, control {2,2}: mean_p 3.5, mean_c 2, estimate 1.5;
 * s_p^2 = 17.5/5 = 3.5, s_c^2 = 0, SE = sqrt(3.5/6) = sqrt(7/12);
 * with b = 0, df = a^2 / (a^2/5) = 5 exactly: t_{0.975,5} = 2.570582. */
START_TEST(test_diff_table_df5)
{
    const double y[] = {1, 2, 3, 4, 5, 6, 2, 2};
    const uint8_t g[] = {1, 1, 1, 1, 1, 1, 0, 0};
    mkba_effect e;
    ck_assert_int_eq(mkba_est_diff(y, g, NULL, 8, &e, NULL), MKBA_OK);
    ck_assert_double_eq_tol(e.estimate, 1.5, TOL);
    ck_assert_double_eq_tol(e.se, sqrt(7.0 / 12.0), TOL);
    ck_assert_double_eq_tol(e.df, 5.0, TOL);
    ck_assert_double_eq_tol(e.ci_lo, 1.5 - T5 * sqrt(7.0 / 12.0), TTOL);
    ck_assert_double_eq_tol(e.ci_hi, 1.5 + T5 * sqrt(7.0 / 12.0), TTOL);
}
END_TEST

/* pilot {1,2,3}, control {4,5,6}: estimate -3, both variances 1,
 * SE = sqrt(1/3 + 1/3) = sqrt(2/3); equal n and variances give
 * df = 2(n-1) = 4: (2/3)^2 / (2 * (1/3)^2 / 2) = (4/9)/(1/9) = 4. */
START_TEST(test_diff_equal_var)
{
    const double y[] = {1, 2, 3, 4, 5, 6};
    const uint8_t g[] = {1, 1, 1, 0, 0, 0};
    mkba_effect e;
    ck_assert_int_eq(mkba_est_diff(y, g, NULL, 6, &e, NULL), MKBA_OK);
    ck_assert_double_eq_tol(e.estimate, -3.0, TOL);
    ck_assert_double_eq_tol(e.se, sqrt(2.0 / 3.0), TOL);
    ck_assert_double_eq_tol(e.df, 4.0, TOL);
    ck_assert_double_eq_tol(e.ci_lo, -3.0 - T4 * sqrt(2.0 / 3.0), TTOL);
    ck_assert_double_eq_tol(e.ci_hi, -3.0 + T4 * sqrt(2.0 / 3.0), TTOL);
}
END_TEST

/* No variance in either group: SE 0, df INFINITY, CI collapses (documented). */
START_TEST(test_diff_zero_variance)
{
    const double y[] = {3, 3, 1, 1};
    const uint8_t g[] = {1, 1, 0, 0};
    mkba_effect e;
    ck_assert_int_eq(mkba_est_diff(y, g, NULL, 4, &e, NULL), MKBA_OK);
    ck_assert_double_eq_tol(e.estimate, 2.0, TOL); /* 3 - 1 */
    ck_assert(e.se == 0);
    ck_assert(isinf(e.df) && e.df > 0);
    ck_assert(e.ci_lo == 2.0 && e.ci_hi == 2.0);
}
END_TEST

/* ====================== difference-in-differences ====================== */

/* pilot:   pre {1,2,3}, post {3,5,4} -> change {2,3,1}: mean 2, var 1
 * control: pre {2,2,4}, post {3,2,6} -> change {1,0,2}: mean 1, var 1
 * estimate = 2 - 1 = 1; SE = sqrt(1/3 + 1/3) = sqrt(2/3); df = 4 (equal n
 * and variances); means of post: pilot 12/3 = 4, control 11/3. */
static const double did_pre[] = {1, 2, 3, 2, 2, 4};
static const double did_post[] = {3, 5, 4, 3, 2, 6};
static const uint8_t did_g[] = {1, 1, 1, 0, 0, 0};

START_TEST(test_did_hand)
{
    mkba_effect e;
    ck_assert_int_eq(mkba_est_did(did_post, did_pre, did_g, NULL, 6, &e, NULL), MKBA_OK);
    ck_assert_int_eq(e.method, MKBA_EST_DID);
    ck_assert_double_eq_tol(e.estimate, 1.0, TOL);
    ck_assert_double_eq_tol(e.se, sqrt(2.0 / 3.0), TOL);
    ck_assert_double_eq_tol(e.df, 4.0, TOL);
    ck_assert_double_eq_tol(e.ci_lo, 1.0 - T4 * sqrt(2.0 / 3.0), TTOL);
    ck_assert_double_eq_tol(e.ci_hi, 1.0 + T4 * sqrt(2.0 / 3.0), TTOL);
    ck_assert_double_eq_tol(e.mean_pilot, 4.0, TOL);
    ck_assert_double_eq_tol(e.mean_control, 11.0 / 3.0, TOL);
    ck_assert_uint_eq(e.n_pilot, 3);
    ck_assert_uint_eq(e.n_control, 3);
}
END_TEST

/* ================================= OLS ================================= */

/* y = 1 + 2 g + 3 x exactly: coefficient of g is 2, residuals 0, so the
 * HC1 SE is 0 (to rounding) and the CI is [2, 2]; df = 6 - 3 = 3. */
START_TEST(test_ols_exact)
{
    const uint8_t g[] = {1, 1, 1, 0, 0, 0};
    const double x[] = {0, 1, 2, 0, 1, 3};
    const double y[] = {3, 6, 9, 1, 4, 10}; /* 1 + 2g + 3x row by row */
    const double *xs[] = {x};
    mkba_effect e;
    ck_assert_int_eq(mkba_est_ols(y, NULL, g, 1, xs, NULL, 6, &e, NULL), MKBA_OK);
    ck_assert_int_eq(e.method, MKBA_EST_OLS);
    ck_assert_double_eq_tol(e.estimate, 2.0, 1e-12);
    ck_assert_double_eq_tol(e.se, 0.0, 1e-12);
    ck_assert_double_eq_tol(e.df, 3.0, TOL);
    ck_assert_double_eq_tol(e.ci_lo, 2.0, 1e-10);
    ck_assert_double_eq_tol(e.ci_hi, 2.0, 1e-10);
    ck_assert_double_eq_tol(e.mean_pilot, 6.0, TOL);   /* (3+6+9)/3 */
    ck_assert_double_eq_tol(e.mean_control, 5.0, TOL); /* (1+4+10)/3 */
}
END_TEST

/* 11 persons, y on [1, g, x, d1, d2] (d1, d2: dummies of a 3-level
 * category, level 0 = base). Expected values from this python3 script, run
 * once (exact rational arithmetic, plain lists; its output follows):
 *
 *   from fractions import Fraction as F
 *   import math
 *   rows = [  # g, x, cat, y
 *    (1, F(2), 0, F(5)), (1, F(3), 1, F(15,2)), (1, F(1), 2, F(4)),
 *    (1, F(4), 0, F(9)), (1, F(5,2), 1, F(6)),
 *    (0, F(3,2), 0, F(3)), (0, F(7,2), 2, F(13,2)), (0, F(2), 1, F(9,2)),
 *    (0, F(1,2), 0, F(1)), (0, F(3), 2, F(11,2)), (0, F(5,2), 1, F(4))]
 *   X = [[F(1), F(g), x, F(int(c == 1)), F(int(c == 2))] for g, x, c, y in rows]
 *   Y = [y for *_, y in rows]
 *   n, p = len(X), len(X[0])
 *   XtX = [[sum(X[i][a] * X[i][b] for i in range(n)) for b in range(p)]
 *          for a in range(p)]
 *   def inv(M):   # Gauss-Jordan
 *       k = len(M); A = [row[:] + [F(int(i == j)) for j in range(k)]
 *                        for i, row in enumerate(M)]
 *       for c in range(k):
 *           piv = next(r for r in range(c, k) if A[r][c] != 0)
 *           A[c], A[piv] = A[piv], A[c]
 *           d = A[c][c]; A[c] = [v / d for v in A[c]]
 *           for r in range(k):
 *               if r != c and A[r][c] != 0:
 *                   f = A[r][c]; A[r] = [a - f * b for a, b in zip(A[r], A[c])]
 *       return [row[k:] for row in A]
 *   B = inv(XtX)
 *   Xty = [sum(X[i][a] * Y[i] for i in range(n)) for a in range(p)]
 *   beta = [sum(B[a][b] * Xty[b] for b in range(p)) for a in range(p)]
 *   e = [Y[i] - sum(X[i][a] * beta[a] for a in range(p)) for i in range(n)]
 *   M = [[sum(e[i]**2 * X[i][a] * X[i][b] for i in range(n)) for b in range(p)]
 *        for a in range(p)]
 *   V = [[sum(B[a][c] * M[c][d] * B[d][b] for c in range(p) for d in range(p))
 *         for b in range(p)] for a in range(p)]
 *   var_g = V[1][1] * F(n, n - p)          # HC1
 *   print(beta[1], float(var_g), math.sqrt(var_g))
 *
 * Output: beta = [2/9, 5/3, 31/18, 5/36, 1/4]; b_g = 5/3;
 *   HC1 var = 0.0868558315974868, SE = 0.294713134416311; df = 11 - 5 = 6.
 * Means of y: pilot 31.5/5 = 6.3, control 24.5/6 = 4.0833333. */
static const uint8_t ols_g[] = {1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0};
static const double ols_x[] = {2, 3, 1, 4, 2.5, 1.5, 3.5, 2, 0.5, 3, 2.5};
static const double ols_cat[] = {0, 1, 2, 0, 1, 0, 2, 1, 0, 2, 1};
static const double ols_y[] = {5, 7.5, 4, 9, 6, 3, 6.5, 4.5, 1, 5.5, 4};
#define OLS_N 11
#define OLS_BG (5.0 / 3.0)
#define OLS_SE 0.294713134416311

/* The two dummy columns of ols_cat (levels 1 and 2; level 0 = base). */
static void ols_dummies(double d1[OLS_N], double d2[OLS_N])
{
    for (size_t i = 0; i < OLS_N; i++) {
        d1[i] = ols_cat[i] == 1;
        d2[i] = ols_cat[i] == 2;
    }
}

static void check_ols_reference(const mkba_effect *e)
{
    ck_assert_int_eq(e->method, MKBA_EST_OLS);
    ck_assert_double_eq_tol(e->estimate, OLS_BG, 1e-12);
    ck_assert_double_eq_tol(e->se, OLS_SE, 1e-12);
    ck_assert_double_eq_tol(e->df, 6.0, TOL);
    ck_assert_double_eq_tol(e->ci_lo, OLS_BG - T6 * OLS_SE, TTOL);
    ck_assert_double_eq_tol(e->ci_hi, OLS_BG + T6 * OLS_SE, TTOL);
    ck_assert_double_eq_tol(e->mean_pilot, 6.3, TOL);
    ck_assert_double_eq_tol(e->mean_control, 24.5 / 6.0, TOL);
    ck_assert_uint_eq(e->n_pilot, 5);
    ck_assert_uint_eq(e->n_control, 6);
}

START_TEST(test_ols_hc1)
{
    double d1[OLS_N], d2[OLS_N];
    ols_dummies(d1, d2);
    const double *xs[] = {ols_x, d1, d2};
    mkba_effect e;
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_est_ols(ols_y, NULL, ols_g, 3, xs, NULL, OLS_N, &e, &err), MKBA_OK);
    check_ols_reference(&e);
    ck_assert_uint_eq(e.n_missing, 0);
}
END_TEST

/* One workspace for many fits of different shapes gives the same answers. */
START_TEST(test_ols_workspace)
{
    double d1[OLS_N], d2[OLS_N];
    ols_dummies(d1, d2);
    const double *xs[] = {ols_x, d1, d2};
    mkba_est_ws *ws = mkba_est_ws_alloc();
    mkba_effect e;
    for (int rep = 0; rep < 3; rep++) {
        ck_assert_int_eq(mkba_est_ols_ws(ws, ols_y, NULL, ols_g, 3, xs, NULL, OLS_N, &e, NULL),
                         MKBA_OK);
        check_ols_reference(&e);
        /* a smaller fit in between: y = 1 + 2g + 3x exactly (see above) */
        const uint8_t g[] = {1, 1, 1, 0, 0, 0};
        const double x[] = {0, 1, 2, 0, 1, 3}, y[] = {3, 6, 9, 1, 4, 10};
        const double *xs1[] = {x};
        ck_assert_int_eq(mkba_est_ols_ws(ws, y, NULL, g, 1, xs1, NULL, 6, &e, NULL), MKBA_OK);
        ck_assert_double_eq_tol(e.estimate, 2.0, 1e-12);
    }
    mkba_est_ws_free(ws);
    mkba_est_ws_free(NULL);
    /* no workspace: a one-off one, same answer */
    ck_assert_int_eq(mkba_est_ols_ws(NULL, ols_y, NULL, ols_g, 3, xs, NULL, OLS_N, &e, NULL),
                     MKBA_OK);
    check_ols_reference(&e);
}
END_TEST

/* OLS of y on [1, g] alone: the coefficient is mean_p - mean_c, the
 * difference in means. Its HC1 variance has a closed form: b_g = sum_i a_i
 * y_i with a_i = 1/n_p (pilot), -1/n_c (control), residual e_i = y_i minus
 * its group mean, so HC0 = sum a_i^2 e_i^2 = (n_p-1) s_p^2/n_p^2 +
 * (n_c-1) s_c^2/n_c^2 (each Welch term times (n_g-1)/n_g), and HC1 = HC0 *
 * n/(n-2). For diff_y: 7/5 * (3*(5/3)/16 + 2*4/9) = 7/5 * (5/16 + 8/9)
 * = 7/5 * 173/144 = 1211/720; df = 7 - 2 = 5. */
START_TEST(test_ols_no_covariates)
{
    mkba_effect d, o;
    ck_assert_int_eq(mkba_est_diff(diff_y, diff_g, NULL, 7, &d, NULL), MKBA_OK);
    ck_assert_int_eq(mkba_est_ols(diff_y, NULL, diff_g, 0, NULL, NULL, 7, &o, NULL), MKBA_OK);
    ck_assert_double_eq_tol(o.estimate, d.estimate, 1e-12);
    ck_assert_double_eq_tol(o.estimate, -1.5, 1e-12);
    ck_assert_double_eq_tol(o.se, sqrt(1211.0 / 720.0), 1e-12);
    ck_assert_double_eq_tol(o.df, 5.0, TOL);
    ck_assert_double_eq_tol(o.ci_lo, -1.5 - T5 * sqrt(1211.0 / 720.0), TTOL);
    ck_assert_double_eq_tol(o.mean_pilot, d.mean_pilot, 1e-12);
    ck_assert_double_eq_tol(o.mean_control, d.mean_control, 1e-12);
}
END_TEST

/* OLS of y - pre on [1, g] is the difference in mean change: the DID
 * estimate of the hand-worked table, 1. Its HC1 SE by the closed form
 * above: n_p = n_c = 3, s^2 = 1 each: 6/4 * (2/9 + 2/9) = 2/3. */
START_TEST(test_ols_with_pre)
{
    mkba_effect o;
    ck_assert_int_eq(mkba_est_ols(did_post, did_pre, did_g, 0, NULL, NULL, 6, &o, NULL), MKBA_OK);
    ck_assert_double_eq_tol(o.estimate, 1.0, 1e-12);
    ck_assert_double_eq_tol(o.se, sqrt(2.0 / 3.0), 1e-12);
    ck_assert_double_eq_tol(o.mean_pilot, 4.0, TOL); /* post means, as for DID */
}
END_TEST

/* ====================== weights: w = 2 is a duplicate ==================== */

START_TEST(test_weights_diff_did)
{
    /* row 1 (pilot) and row 4 (control) weighted 2 vs written twice */
    const double w[] = {1, 2, 1, 1, 2, 1};
    const uint8_t g2[] = {1, 1, 1, 1, 0, 0, 0, 0};
    const double wc[] = {1, 1, 2, 1, 1, 2};   /* weights on the control rows */
    mkba_effect a, b;
    ck_assert_int_eq(mkba_est_diff(did_post, did_g, w, 6, &a, NULL), MKBA_OK);
    const double post_dup[] = {3, 5, 5, 4, 3, 2, 2, 6};
    const double pre_dup[] = {1, 2, 2, 3, 2, 2, 2, 4};
    ck_assert_int_eq(mkba_est_diff(post_dup, g2, NULL, 8, &b, NULL), MKBA_OK);
    assert_same_effect(&a, &b);
    ck_assert_uint_eq(a.n_pilot, 4);
    ck_assert_int_eq(mkba_est_did(did_post, did_pre, did_g, w, 6, &a, NULL), MKBA_OK);
    ck_assert_int_eq(mkba_est_did(post_dup, pre_dup, g2, NULL, 8, &b, NULL), MKBA_OK);
    assert_same_effect(&a, &b);
    /* last rows of each group doubled */
    ck_assert_int_eq(mkba_est_did(did_post, did_pre, did_g, wc, 6, &a, NULL), MKBA_OK);
    const double post3[] = {3, 5, 4, 4, 3, 2, 6, 6}, pre3[] = {1, 2, 3, 3, 2, 2, 4, 4};
    ck_assert_int_eq(mkba_est_did(post3, pre3, g2, NULL, 8, &b, NULL), MKBA_OK);
    assert_same_effect(&a, &b);
}
END_TEST

START_TEST(test_weights_ols)
{
    double d1[OLS_N], d2[OLS_N];
    ols_dummies(d1, d2);
    const double *xs[] = {ols_x, d1, d2};
    /* weight 2 on row 2 and 0 on row 7 ... */
    double w[OLS_N];
    for (size_t i = 0; i < OLS_N; i++)
        w[i] = 1;
    w[2] = 2;
    w[7] = 0;
    mkba_effect a, b;
    ck_assert_int_eq(mkba_est_ols(ols_y, NULL, ols_g, 3, xs, w, OLS_N, &a, NULL), MKBA_OK);
    /* ... equals the table with row 2 written twice and row 7 left out */
    double y[OLS_N], g_x[OLS_N], c1[OLS_N], c2[OLS_N];
    uint8_t g[OLS_N];
    size_t m = 0;
    for (size_t i = 0; i < OLS_N; i++) {
        for (int rep = 0; rep < (int)w[i]; rep++, m++) {
            y[m] = ols_y[i];
            g[m] = ols_g[i];
            g_x[m] = ols_x[i];
            c1[m] = d1[i];
            c2[m] = d2[i];
        }
    }
    ck_assert_uint_eq(m, OLS_N); /* 11 + 1 - 1 */
    const double *xs2[] = {g_x, c1, c2};
    ck_assert_int_eq(mkba_est_ols(y, NULL, g, 3, xs2, NULL, m, &b, NULL), MKBA_OK);
    assert_same_effect(&a, &b);
    ck_assert_uint_eq(a.n_pilot, 6);   /* 5 + 1 */
    ck_assert_uint_eq(a.n_control, 5); /* 6 - 1 */
    ck_assert(fabs(a.estimate - OLS_BG) > 1e-6); /* the weights did change the fit */
}
END_TEST

/* A NaN row with weight 3 counts as 3 missing persons. */
START_TEST(test_weights_missing_and_bad)
{
    const double y[] = {1, 2, 3, 4, NAN, 2, 4, 6};
    const uint8_t g[] = {1, 1, 1, 1, 1, 0, 0, 0};
    const double w[] = {1, 1, 1, 1, 3, 1, 1, 1};
    mkba_effect e;
    ck_assert_int_eq(mkba_est_diff(y, g, w, 8, &e, NULL), MKBA_OK);
    ck_assert_uint_eq(e.n_missing, 3);
    ck_assert_double_eq_tol(e.estimate, -1.5, TOL); /* as test_diff_welch */
    const double wneg[] = {1, 1, 1, 1, 1, -1, 1, 1};
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_est_diff(y, g, wneg, 8, &e, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "a weight is negative or not finite; weights must be >= 0");
}
END_TEST

/* ============================== NaN rows =============================== */

START_TEST(test_nan_rows)
{
    mkba_effect a, b;
    /* diff: diff_y with a NaN pilot and a NaN control row added */
    const double y[] = {1, NAN, 2, 3, 4, 2, 4, NAN, 6};
    const uint8_t g[] = {1, 1, 1, 1, 1, 0, 0, 0, 0};
    ck_assert_int_eq(mkba_est_diff(y, g, NULL, 9, &a, NULL), MKBA_OK);
    ck_assert_uint_eq(a.n_missing, 2);
    ck_assert_uint_eq(a.n_pilot, 4);
    ck_assert_uint_eq(a.n_control, 3);
    ck_assert_double_eq_tol(a.estimate, -1.5, TOL);  /* as test_diff_welch */
    ck_assert_double_eq_tol(a.se, sqrt(1.75), TOL);

    /* did: a row with only post, one with only pre: both left out */
    const double pre[] = {1, 2, 3, NAN, 2, 2, 4, 5};
    const double post[] = {3, 5, 4, 7, 3, 2, 6, NAN};
    const uint8_t g2[] = {1, 1, 1, 1, 0, 0, 0, 0};
    ck_assert_int_eq(mkba_est_did(post, pre, g2, NULL, 8, &a, NULL), MKBA_OK);
    ck_assert_uint_eq(a.n_missing, 2);
    ck_assert_double_eq_tol(a.estimate, 1.0, TOL);     /* as test_did_hand */
    ck_assert_double_eq_tol(a.mean_pilot, 4.0, TOL);   /* the 7 is left out */

    /* ols: a NaN covariate leaves the row out */
    double d1[OLS_N + 1], d2[OLS_N + 1], x[OLS_N + 1], yy[OLS_N + 1];
    uint8_t gg[OLS_N + 1];
    ols_dummies(d1, d2);
    memcpy(x, ols_x, sizeof ols_x);
    memcpy(yy, ols_y, sizeof ols_y);
    memcpy(gg, ols_g, sizeof ols_g);
    x[OLS_N] = NAN, yy[OLS_N] = 100, gg[OLS_N] = 1, d1[OLS_N] = 0, d2[OLS_N] = 1;
    const double *xs[] = {x, d1, d2};
    ck_assert_int_eq(mkba_est_ols(yy, NULL, gg, 3, xs, NULL, OLS_N + 1, &b, NULL), MKBA_OK);
    check_ols_reference(&b);
    ck_assert_uint_eq(b.n_missing, 1);
}
END_TEST

/* ================================ errors ================================ */

START_TEST(test_err_too_few)
{
    mkba_error err;
    mkba_effect e = {.estimate = 42};
    mkba_error_clear(&err);
    /* pilot: 2 rows, one NaN */
    const double y[] = {1, NAN, 2, 4, 6};
    const uint8_t g[] = {1, 1, 0, 0, 0};
    ck_assert_int_eq(mkba_est_diff(y, g, NULL, 5, &e, &err), MKBA_EINVAL);
    /* the group is named, its count of 1 is not (a count below min_group) */
    ck_assert_str_eq(err.msg, "too few persons to estimate: the pilot group has fewer than 2 "
                              "with a value, at least 2 needed");
    ck_assert(e.estimate == 42); /* out untouched on failure */
    /* control empty */
    const uint8_t g1[] = {1, 1, 1, 1, 1};
    const double y1[] = {1, 2, 3, 4, 5};
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_est_did(y1, y1, g1, NULL, 5, &e, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "too few persons to estimate: the control group has none with a "
                              "value, at least 2 needed");
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_est_ols(y, NULL, g, 0, NULL, NULL, 5, &e, &err), MKBA_EINVAL);
    /* the group is named, its count of 1 is not (a count below min_group) */
    ck_assert_str_eq(err.msg, "too few persons to estimate: the pilot group has fewer than 2 "
                              "with a value, at least 2 needed");
    /* OLS: 2 + 2 persons cannot carry 1 + 1 + 3 parameters */
    const double y4[] = {1, 2, 3, 5}, x4[] = {1, 2, 4, 3};
    const uint8_t g4[] = {1, 1, 0, 0};
    const double *xs[] = {x4, x4, x4};
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_est_ols(y4, NULL, g4, 3, xs, NULL, 4, &e, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "too few persons to estimate: no more persons with all values "
                              "than the 5 parameters of the OLS model (intercept, pilot and 3 "
                              "covariates)");
    /* did without pre at array level */
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_est_did(y, NULL, g, NULL, 5, &e, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "method did needs a pre-period column");
}
END_TEST

START_TEST(test_err_collinear)
{
    mkba_error err;
    mkba_effect e;
    const uint8_t g[] = {1, 1, 1, 0, 0, 0};
    const double y[] = {3, 6, 9, 1, 4, 11};
    const double x[] = {0, 1, 2, 0, 1, 3};
    const double konst[] = {7, 7, 7, 7, 7, 7};
    const double like_g[] = {3, 3, 3, 1, 1, 1};       /* 1 + 2g */
    const double combo[] = {-1, 2, 5, -1, 2, 8};      /* 3x - 1 */
    const double *c1[] = {x, konst};
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_est_ols(y, NULL, g, 2, c1, NULL, 6, &e, &err), MKBA_ENUM);
    ck_assert_str_eq(err.msg, "covariates are collinear (the design matrix is singular); "
                              "drop covariate x[1]: it is constant among the persons used");
    const double *c2[] = {like_g};
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_est_ols(y, NULL, g, 1, c2, NULL, 6, &e, &err), MKBA_ENUM);
    ck_assert_str_eq(err.msg, "covariates are collinear (the design matrix is singular); "
                              "drop covariate x[0]: it is a linear combination of the "
                              "intercept, the pilot dummy and the covariates before it");
    const double *c3[] = {x, combo};
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_est_ols(y, NULL, g, 2, c3, NULL, 6, &e, &err), MKBA_ENUM);
    ck_assert(strstr(err.msg, "drop covariate x[1]: it is a linear combination") != NULL);
}
END_TEST

START_TEST(test_err_bad_input)
{
    mkba_error err;
    mkba_effect e;
    const double y[] = {1, 2, INFINITY, 4};
    const uint8_t g[] = {1, 1, 0, 0};
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_est_diff(y, g, NULL, 4, &e, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "an infinite value in the data; only NaN marks a missing value");
    const uint8_t g2[] = {1, 2, 0, 0};
    const double y2[] = {1, 2, 3, 4};
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_est_diff(y2, g2, NULL, 4, &e, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "group value 2 is neither 1 (pilot) nor 0 (control)");
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_est_ols(y2, NULL, g, 1, NULL, NULL, 4, &e, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "covariate x[0] has no values");
}
END_TEST

/* ============================ from a cohort ============================= */

/* Variables: 0 y, 1 pre, 2 x, 3 cat (category), 4 konst, 5 region */
static mkba_cohort *make_cohort(size_t n, const uint8_t *g, const double *y, const double *pre,
                                const double *x, const double *cat, const double *konst,
                                const double *region)
{
    const mkba_cohort_var vars[] = {
        {"y", NULL, MKBA_VAR_NUMBER, 0},      {"pre", NULL, MKBA_VAR_NUMBER, 0},
        {"x", NULL, MKBA_VAR_NUMBER, 0},      {"cat", NULL, MKBA_VAR_CATEGORY, 0},
        {"konst", NULL, MKBA_VAR_NUMBER, 0},  {"region", NULL, MKBA_VAR_CATEGORY, 0}};
    const double *cols[] = {y, pre, x, cat, konst, region};
    mkba_cohort *c = mkba_cohort_from_arrays(n, g, 6, vars, cols);
    ck_assert_ptr_nonnull(c);
    return c;
}

/* The OLS reference table as a cohort (pre, konst, region are fillers). */
static mkba_cohort *ols_cohort(size_t extra, const double *cat_shift)
{
    size_t n = OLS_N + extra;
    double y[OLS_N + 1], pre[OLS_N + 1], x[OLS_N + 1], cat[OLS_N + 1], k[OLS_N + 1],
        region[OLS_N + 1];
    uint8_t g[OLS_N + 1];
    for (size_t i = 0; i < OLS_N; i++) {
        y[i] = ols_y[i], pre[i] = 0, x[i] = ols_x[i], k[i] = 7, g[i] = ols_g[i];
        cat[i] = ols_cat[i] + (cat_shift ? *cat_shift : 0);
        region[i] = ols_g[i]; /* equals the pilot dummy */
    }
    if (extra) { /* a person with a new level of cat but no outcome */
        y[OLS_N] = NAN, pre[OLS_N] = 0, x[OLS_N] = 1, k[OLS_N] = 7, g[OLS_N] = 0;
        cat[OLS_N] = 4, region[OLS_N] = 0;
    }
    return make_cohort(n, g, y, pre, x, cat, k, region);
}

START_TEST(test_estimate_ols_categorical)
{
    size_t cov[] = {2, 3}; /* x, cat */
    mkba_est_spec s = {.name = "work", .outcome = 0, .pre = -1, .n_cov = 2, .cov = cov,
                       .method = MKBA_EST_AUTO};
    mkba_error err;
    mkba_effect e;
    mkba_error_clear(&err);
    mkba_cohort *c = ols_cohort(0, NULL);
    ck_assert_int_eq(mkba_estimate(c, &s, &e, &err), MKBA_OK);
    check_ols_reference(&e); /* AUTO with covariates = OLS; cat -> 2 dummies */
    mkba_cohort_free(c);

    /* levels 1..3 present, level 0 never: the base is level 1, same fit;
     * and a level (4) seen only where the outcome is missing adds nothing */
    double shift = 1;
    c = ols_cohort(1, &shift);
    ck_assert_int_eq(mkba_estimate(c, &s, &e, &err), MKBA_OK);
    check_ols_reference(&e);
    ck_assert_uint_eq(e.n_missing, 1);
    mkba_cohort_free(c);
}
END_TEST

START_TEST(test_estimate_methods)
{
    /* the hand-worked DID table, with x a filler covariate */
    const double x[] = {1, 4, 2, 8, 5, 7}, k[] = {7, 7, 7, 7, 7, 7};
    const double cat[] = {0, 1, 0, 1, 0, 1};
    mkba_cohort *c = make_cohort(6, did_g, did_post, did_pre, x, cat, k, cat);
    mkba_est_spec s = {.name = "work", .outcome = 0, .pre = 1, .method = MKBA_EST_AUTO};
    mkba_effect e;
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_estimate(c, &s, &e, &err), MKBA_OK); /* pre -> DID */
    ck_assert_int_eq(e.method, MKBA_EST_DID);
    ck_assert_double_eq_tol(e.estimate, 1.0, TOL);
    ck_assert_double_eq_tol(e.se, sqrt(2.0 / 3.0), TOL);
    s.pre = -1;
    ck_assert_int_eq(mkba_estimate(c, &s, &e, &err), MKBA_OK); /* neither -> DIFF */
    ck_assert_int_eq(e.method, MKBA_EST_DIFF);
    ck_assert_double_eq_tol(e.estimate, 4.0 - 11.0 / 3.0, TOL); /* post means */
    s.method = MKBA_EST_OLS; /* explicit OLS, no covariates */
    ck_assert_int_eq(mkba_estimate(c, &s, &e, &err), MKBA_OK);
    ck_assert_int_eq(e.method, MKBA_EST_OLS);
    ck_assert_double_eq_tol(e.estimate, 4.0 - 11.0 / 3.0, 1e-12);
    s.method = MKBA_EST_DIFF; /* explicit DIFF ignores pre */
    s.pre = 1;
    ck_assert_int_eq(mkba_estimate(c, &s, &e, &err), MKBA_OK);
    ck_assert_int_eq(e.method, MKBA_EST_DIFF);
    ck_assert_double_eq_tol(e.estimate, 4.0 - 11.0 / 3.0, TOL);
    ck_assert_int_eq(err.code, MKBA_OK);
    mkba_cohort_free(c);
}
END_TEST

START_TEST(test_estimate_errors)
{
    const double x[] = {1, 4, 2, 8, 5, 7}, k[] = {7, 7, 7, 7, 7, 7};
    const double cat[] = {0, 0, 0, 0, 0, 0};    /* one level only */
    const double region[] = {1, 1, 1, 0, 0, 0}; /* level 1 = pilot */
    const double y1[] = {3, NAN, NAN, 3, 2, 6};
    mkba_cohort *c = make_cohort(6, did_g, did_post, did_pre, x, cat, k, region);
    mkba_cohort *c1 = make_cohort(6, did_g, y1, did_pre, x, cat, k, region);
    mkba_effect e;
    mkba_error err;

    mkba_est_spec s = {.name = "work", .outcome = 0, .pre = -1, .method = MKBA_EST_DID};
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_estimate(c, &s, &e, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "effect 'work': method did needs a pre-period column");

    s.method = MKBA_EST_AUTO;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_estimate(c1, &s, &e, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "effect 'work': too few persons to estimate: the pilot group has "
                              "fewer than 2 with a value, at least 2 needed");

    size_t cov_k[] = {2, 4}; /* x, konst */
    s.n_cov = 2, s.cov = cov_k;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_estimate(c, &s, &e, &err), MKBA_ENUM);
    ck_assert_str_eq(err.msg, "effect 'work': covariates are collinear (the design matrix "
                              "is singular); drop 'konst': it is constant among the persons "
                              "used");

    size_t cov_cat[] = {3}; /* a category with one level present */
    s.n_cov = 1, s.cov = cov_cat;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_estimate(c, &s, &e, &err), MKBA_ENUM);
    ck_assert_str_eq(err.msg, "effect 'work': covariates are collinear (the design matrix "
                              "is singular); drop 'cat': it is constant among the persons "
                              "used");

    size_t cov_reg[] = {2, 5}; /* region's level 1 is exactly the pilot group */
    s.n_cov = 2, s.cov = cov_reg;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_estimate(c, &s, &e, &err), MKBA_ENUM);
    ck_assert_str_eq(err.msg, "effect 'work': covariates are collinear (the design matrix "
                              "is singular); drop 'region': it is a linear combination of the "
                              "pilot group and the covariates before it (its level number "
                              "2 in order of first appearance)");

    size_t cov_bad[] = {99};
    s.n_cov = 1, s.cov = cov_bad;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_estimate(c, &s, &e, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "effect 'work': a variable it uses is not in the cohort");

    s.n_cov = 0, s.method = MKBA_EST_GIVEN;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_estimate(c, &s, &e, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "effect 'work': method 'given' cannot be estimated from the "
                              "cohort");
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_estimate(NULL, &s, &e, &err), MKBA_EINVAL);
    mkba_cohort_free(c);
    mkba_cohort_free(c1);
}
END_TEST

/* ============================ given, names ============================== */

START_TEST(test_given_and_names)
{
    mkba_effect e;
    mkba_effect_given(10, 2, &e);
    ck_assert_int_eq(e.method, MKBA_EST_GIVEN);
    ck_assert_double_eq_tol(e.ci_lo, 10 - 2 * 1.959963984540054, 1e-12); /* z_0.975 */
    ck_assert_double_eq_tol(e.ci_hi, 10 + 2 * 1.959963984540054, 1e-12);
    ck_assert(isinf(e.df));
    ck_assert_uint_eq(e.n_pilot + e.n_control + e.n_missing, 0);
    ck_assert(isnan(e.mean_pilot) && isnan(e.mean_control));
    ck_assert_str_eq(mkba_est_method_name(MKBA_EST_AUTO), "auto");
    ck_assert_str_eq(mkba_est_method_name(MKBA_EST_DIFF), "diff");
    ck_assert_str_eq(mkba_est_method_name(MKBA_EST_DID), "did");
    ck_assert_str_eq(mkba_est_method_name(MKBA_EST_OLS), "ols");
    ck_assert_str_eq(mkba_est_method_name(MKBA_EST_GIVEN), "given");
}
END_TEST

/* Cochran's Q by hand: tau = (1, 2, 4), se = (1, 1, 2), so w = (1, 1, 1/4),
 * tau_bar = (1 + 2 + 1) / (9/4) = 16/9,
 * Q = (1 - 16/9)^2 + (2 - 16/9)^2 + (4 - 16/9)^2 / 4 = 49/81 + 4/81 + 100/81
 *   = 17/9; with 2 df the chi-square tail is exp(-Q/2) = exp(-17/18). */
START_TEST(test_heterogeneity)
{
    const double tau[3] = {1, 2, 4}, se[3] = {1, 1, 2};
    mkba_het h;
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_est_heterogeneity(3, tau, se, &h, &err), MKBA_OK);
    ck_assert_double_eq_tol(h.q, 17.0 / 9.0, 1e-14);
    ck_assert_double_eq(h.df, 2);
    ck_assert_double_eq_tol(h.p, exp(-17.0 / 18.0), 1e-14);
    ck_assert_double_eq_tol(h.pooled, 16.0 / 9.0, 1e-14);
    /* equal effects: Q = 0, p = 1; 1 df: p = P(|Z| > sqrt(Q)) = 2 (1 - Phi(sqrt Q)):
     * tau = (0, 2), se = (1, 1): tau_bar 1, Q = 2, p = erfc(1) */
    const double same[2] = {3, 3}, t2[2] = {0, 2}, s2[2] = {1, 1};
    ck_assert_int_eq(mkba_est_heterogeneity(2, same, s2, &h, &err), MKBA_OK);
    ck_assert_double_eq_tol(h.q, 0, 1e-15);
    ck_assert_double_eq_tol(h.p, 1, 1e-15);
    ck_assert_int_eq(mkba_est_heterogeneity(2, t2, s2, &h, &err), MKBA_OK);
    ck_assert_double_eq_tol(h.q, 2, 1e-15);
    ck_assert_double_eq_tol(h.p, erfc(1.0), 1e-14);
    /* too few subgroups, a zero SE */
    ck_assert_int_eq(mkba_est_heterogeneity(1, tau, se, &h, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "the heterogeneity test needs at least 2 subgroups with an "
                              "estimate, got 1");
    const double s0[2] = {1, 0};
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_est_heterogeneity(2, t2, s0, &h, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "the heterogeneity test needs a finite estimate and a standard "
                              "error above 0 in every subgroup");
}
END_TEST

static Suite *estimate_suite(void)
{
    Suite *s = suite_create("estimate");
    TCase *tc = tcase_create("diff");
    tcase_add_test(tc, test_diff_welch);
    tcase_add_test(tc, test_diff_table_df5);
    tcase_add_test(tc, test_diff_equal_var);
    tcase_add_test(tc, test_diff_zero_variance);
    suite_add_tcase(s, tc);
    tc = tcase_create("did");
    tcase_add_test(tc, test_did_hand);
    suite_add_tcase(s, tc);
    tc = tcase_create("ols");
    tcase_add_test(tc, test_ols_exact);
    tcase_add_test(tc, test_ols_hc1);
    tcase_add_test(tc, test_ols_workspace);
    tcase_add_test(tc, test_ols_no_covariates);
    tcase_add_test(tc, test_ols_with_pre);
    suite_add_tcase(s, tc);
    tc = tcase_create("weights");
    tcase_add_test(tc, test_weights_diff_did);
    tcase_add_test(tc, test_weights_ols);
    tcase_add_test(tc, test_weights_missing_and_bad);
    suite_add_tcase(s, tc);
    tc = tcase_create("missing");
    tcase_add_test(tc, test_nan_rows);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_test(tc, test_err_too_few);
    tcase_add_test(tc, test_err_collinear);
    tcase_add_test(tc, test_err_bad_input);
    suite_add_tcase(s, tc);
    tc = tcase_create("cohort");
    tcase_add_test(tc, test_estimate_ols_categorical);
    tcase_add_test(tc, test_estimate_methods);
    tcase_add_test(tc, test_estimate_errors);
    suite_add_tcase(s, tc);
    tc = tcase_create("given");
    tcase_add_test(tc, test_given_and_names);
    suite_add_tcase(s, tc);
    tc = tcase_create("subgroups");
    tcase_add_test(tc, test_heterogeneity);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(estimate_suite());
}
