/* check_sobol.c - Sobol' indices against closed forms: the Ishigami
 * function (the standard test of variance-based sensitivity analysis) and
 * linear models; the sample layout the model sees; errors.
 *
 * Tolerances. With N = 20000 the estimators' standard errors, worked out
 * by a separate plain-Python Monte Carlo of the per-row terms (sd of
 * f(B)(f(A_B^j) - f(A)) / V and of (f(A) - f(A_B^j))^2 / 2V, over sqrt N)
 * are 0.008-0.011 (S_j) and 0.0035-0.011 (ST_j) for Ishigami and at most
 * 0.009 for the linear models below; V itself carries a relative error of
 * about 0.8%. So 0.03 is about 3 standard errors. The seed is fixed, so
 * the tests are deterministic; the bound says a correct estimator passes
 * for most seeds, a wrong one (a missing 1/2, a swapped matrix) does not. */
#include <check.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/dist.h"
#include "mkba/sobol.h"
#include "testutil.h"

#define TOL 0.03
#define N_BIG 20000

/* ---- Models ---- */

static const double ISHI_A = 7.0, ISHI_B = 0.1;

/* Y = sin x1 + a sin^2 x2 + b x3^4 sin x1. */
static int ishigami(void *ctx, const double *x, size_t n, size_t d, double *y, size_t m)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++) {
        const double *p = x + i * d;
        const double s2 = sin(p[1]);
        y[i * m] = sin(p[0]) + ISHI_A * s2 * s2 + ISHI_B * pow(p[2], 4) * sin(p[0]);
    }
    return 0;
}

/* m outputs, output o = sum_j c[o * d + j] x_j. */
static int linear(void *ctx, const double *x, size_t n, size_t d, double *y, size_t m)
{
    const double *c = ctx;
    for (size_t i = 0; i < n; i++)
        for (size_t o = 0; o < m; o++) {
            double s = 0.0;
            for (size_t j = 0; j < d; j++)
                s += c[o * d + j] * x[i * d + j];
            y[i * m + o] = s;
        }
    return 0;
}

static int failing(void *ctx, const double *x, size_t n, size_t d, double *y, size_t m)
{
    (void)ctx, (void)x, (void)n, (void)d, (void)y, (void)m;
    return 1;
}

/* Output 0 is x1 everywhere but NaN at point 3 (1-based). */
static int nan_model(void *ctx, const double *x, size_t n, size_t d, double *y, size_t m)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        for (size_t o = 0; o < m; o++)
            y[i * m + o] = i == 2 && o == 0 ? NAN : x[i * d];
    return 0;
}

/* Output 0 constant 5, output 1 = x1 + x2. */
static int half_constant(void *ctx, const double *x, size_t n, size_t d, double *y, size_t m)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++) {
        y[i * m] = 5.0;
        y[i * m + 1] = x[i * d] + x[i * d + 1];
    }
    return 0;
}

/* Records what the model was called with and checks the layout of
 * sobol.h: rows [0, N) A, [N, 2N) B, [(2 + j) N, (3 + j) N) A_B^(j). */
typedef struct spy {
    size_t n_base;          /* N expected */
    size_t calls, n, d, m;  /* what the last call saw */
    int layout_ok;          /* 1 when every A_B^(j) row matches A and B */
    int in_range;           /* 1 when every value lies in (0, 1) */
} spy;

static int spy_model(void *ctx, const double *x, size_t n, size_t d, double *y, size_t m)
{
    spy *s = ctx;
    s->calls++, s->n = n, s->d = d, s->m = m;
    s->layout_ok = n == s->n_base * (d + 2);
    s->in_range = 1;
    const size_t nb = s->n_base;
    for (size_t i = 0; i < n * d; i++)
        s->in_range &= x[i] > 0.0 && x[i] < 1.0;
    for (size_t j = 0; j < d && s->layout_ok; j++)
        for (size_t i = 0; i < nb; i++)
            for (size_t k = 0; k < d; k++) {
                const double want = k == j ? x[(nb + i) * d + k] : x[i * d + k];
                s->layout_ok &= x[((2 + j) * nb + i) * d + k] == want;
            }
    for (size_t i = 0; i < n * m; i++)
        y[i] = x[(i / m) * d];
    return 0;
}

/* ---- Helpers ---- */

static mkba_dist parse(const char *text)
{
    mkba_dist d;
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_msg(mkba_dist_parse(text, &d, &err) == MKBA_OK, "%s", err.msg);
    return d;
}

static mkba_sobol *run_ok(const mkba_dist *const *in, size_t d, size_t m, mkba_sobol_model f,
                          void *ctx, size_t n, uint64_t seed, size_t n_boot)
{
    const mkba_sobol_opts o = {.n = n, .seed = seed, .n_boot = n_boot, .threads = 1};
    mkba_error err;
    mkba_error_clear(&err);
    mkba_sobol *s = mkba_sobol_run(in, d, m, f, ctx, &o, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    return s;
}

/* Three inputs uniform(-pi, pi). */
typedef struct three {
    mkba_dist u[3];
    const mkba_dist *p[3];
} three;

static void three_init(three *t, const char *text)
{
    for (size_t j = 0; j < 3; j++) {
        t->u[j] = parse(text);
        t->p[j] = &t->u[j];
    }
}

static mkba_sobol *run_ishigami(uint64_t seed)
{
    three t;
    three_init(&t, "uniform(-3.141592653589793, 3.141592653589793)");
    return run_ok(t.p, 3, 1, ishigami, NULL, N_BIG, seed, 200);
}

/* Analytic Ishigami values (Sobol' & Levitan 1999; Saltelli et al. 2008,
 * "Global Sensitivity Analysis. The Primer", sec. 4.9):
 *   V   = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2
 *   V1  = (1 + b pi^4/5)^2 / 2,  V2 = a^2/8,  V3 = 0,
 *   V13 = b^2 pi^8 (1/18 - 1/50), all other interactions 0.
 * S_j = V_j / V; ST1 = (V1 + V13)/V, ST2 = V2/V, ST3 = V13/V
 * (about 0.3139, 0.4424, 0 and 0.5576, 0.4424, 0.2437). */
typedef struct ishi_exact {
    double v, s[3], st[3];
} ishi_exact;

static ishi_exact ishigami_exact(void)
{
    const double a = ISHI_A, b = ISHI_B, p4 = pow(M_PI, 4), p8 = pow(M_PI, 8);
    const double v = a * a / 8 + b * p4 / 5 + b * b * p8 / 18 + 0.5;
    const double v1 = (1 + b * p4 / 5) * (1 + b * p4 / 5) / 2, v2 = a * a / 8;
    const double v13 = b * b * p8 * (1.0 / 18 - 1.0 / 50);
    ishi_exact e = {v, {v1 / v, v2 / v, 0.0}, {(v1 + v13) / v, v2 / v, v13 / v}};
    return e;
}

/* ---- Ishigami ---- */

START_TEST(ishigami_indices)
{
    mkba_sobol *s = run_ishigami(42);
    const ishi_exact e = ishigami_exact();
    ck_assert_uint_eq(s->d, 3);
    ck_assert_uint_eq(s->m, 1);
    ck_assert_uint_eq(s->evaluations, (size_t)N_BIG * 5);  /* N (d + 2) */
    for (size_t j = 0; j < 3; j++) {
        ck_assert_msg(fabs(s->first[j] - e.s[j]) < TOL, "S%zu = %g, exact %g", j + 1,
                      s->first[j], e.s[j]);
        ck_assert_msg(fabs(s->total[j] - e.st[j]) < TOL, "ST%zu = %g, exact %g", j + 1,
                      s->total[j], e.st[j]);
    }
    /* V-hat's SE is 0.11 (the Python check above): 0.5 is about 4.5 SE. */
    ck_assert_double_eq_tol(s->variance[0], e.v, 0.5);
    mkba_sobol_free(s);
}
END_TEST

START_TEST(ishigami_bootstrap_ci)
{
    mkba_sobol *s = run_ishigami(7);
    const ishi_exact e = ishigami_exact();
    for (size_t j = 0; j < 3; j++) {
        ck_assert_msg(s->first_lo[j] < s->first_hi[j] && s->total_lo[j] < s->total_hi[j],
                      "empty CI for input %zu", j + 1);
        /* A 95% CI of half-width about 2 SE (0.01-0.02) is not wide. */
        ck_assert_msg(s->first_hi[j] - s->first_lo[j] < 0.1, "S%zu CI too wide", j + 1);
        ck_assert_msg(e.s[j] >= s->first_lo[j] - 0.01 && e.s[j] <= s->first_hi[j] + 0.01,
                      "S%zu exact %g outside [%g, %g]", j + 1, e.s[j], s->first_lo[j],
                      s->first_hi[j]);
        ck_assert_msg(e.st[j] >= s->total_lo[j] - 0.01 && e.st[j] <= s->total_hi[j] + 0.01,
                      "ST%zu exact %g outside [%g, %g]", j + 1, e.st[j], s->total_lo[j],
                      s->total_hi[j]);
    }
    mkba_sobol_free(s);
}
END_TEST

static int same_results(const mkba_sobol *a, const mkba_sobol *b)
{
    const size_t k = a->m * a->d * sizeof(double);
    return memcmp(a->first, b->first, k) == 0 && memcmp(a->total, b->total, k) == 0 &&
           memcmp(a->first_lo, b->first_lo, k) == 0 && memcmp(a->first_hi, b->first_hi, k) == 0 &&
           memcmp(a->total_lo, b->total_lo, k) == 0 && memcmp(a->total_hi, b->total_hi, k) == 0 &&
           memcmp(a->variance, b->variance, a->m * sizeof(double)) == 0;
}

START_TEST(seed_determines_results)
{
    mkba_sobol *a = run_ishigami(123), *b = run_ishigami(123), *c = run_ishigami(124);
    ck_assert_msg(same_results(a, b), "same seed gave different results");
    ck_assert_msg(memcmp(a->first, c->first, 3 * sizeof(double)) != 0 &&
                      memcmp(a->first_lo, c->first_lo, 3 * sizeof(double)) != 0,
                  "different seeds gave the same results");
    mkba_sobol_free(a), mkba_sobol_free(b), mkba_sobol_free(c);
}
END_TEST

/* The model's sample, the indices and their intervals are the same bits on
 * 1, 2 and 3 threads: the sample's blocks of rows (three and a part, of
 * MKBA_SOBOL_BLOCK), the outputs and the bootstrap replicates are shared
 * out, each written by one task from its own random stream. */
typedef struct kept_sample {
    double *x;
    size_t n;
} kept_sample;

static int linear_keep(void *ctx, const double *x, size_t n, size_t d, double *y, size_t m)
{
    static double c[6] = {1, 2, 3, 3, 0, 1};
    kept_sample *k = ctx;
    k->x = malloc(n * d * sizeof *x);
    memcpy(k->x, x, n * d * sizeof *x);
    k->n = n * d;
    return linear(c, x, n, d, y, m);
}

START_TEST(same_on_any_number_of_threads)
{
    mkba_dist in[3];
    const mkba_dist *p[3];
    const char *text[3] = {"gamma(2, 3)", "beta(2, 5)", "uniform(-1, 1)"};
    for (int j = 0; j < 3; j++) {
        mkba_error err;
        mkba_error_clear(&err);
        ck_assert(mkba_dist_parse(text[j], &in[j], &err) == MKBA_OK);
        p[j] = &in[j];
    }
    size_t n = 3 * MKBA_SOBOL_BLOCK + 100;
    mkba_sobol *s[3];
    kept_sample k[3];
    for (int t = 0; t < 3; t++) {
        const mkba_sobol_opts o = {.n = n, .seed = 99, .n_boot = 60, .threads = t + 1};
        mkba_error err;
        mkba_error_clear(&err);
        s[t] = mkba_sobol_run(p, 3, 2, linear_keep, &k[t], &o, &err);
        ck_assert_msg(s[t] != NULL, "%s", err.msg);
    }
    for (int t = 1; t < 3; t++) {
        ck_assert_uint_eq(k[t].n, k[0].n);
        ck_assert_msg(memcmp(k[t].x, k[0].x, k[0].n * sizeof(double)) == 0,
                      "the sample differs on %d threads", t + 1);
        ck_assert_msg(same_results(s[t], s[0]), "the results differ on %d threads", t + 1);
    }
    /* the intervals were computed (not all NaN), so they were compared */
    ck_assert(s[0]->first_lo[0] < s[0]->first_hi[0]);
    for (int t = 0; t < 3; t++) {
        free(k[t].x);
        mkba_sobol_free(s[t]);
    }
}
END_TEST

/* ---- Linear models ---- */

/* Y_o = sum_j c_oj x_j, x_j iid uniform(-1, 1): Var Y_o = sum_j c_oj^2 / 3
 * and there are no interactions, so S_j = ST_j = c_oj^2 / sum_k c_ok^2.
 * Output 0: c = (1, 2, 3): 1/14, 4/14, 9/14. Output 1: c = (3, 0, 1):
 * 9/10, 0, 1/10; for x2 the model's output does not change at all when
 * x2 does, so its S and ST are exactly 0 (every f(A_B^2) - f(A) is 0). */
START_TEST(linear_two_outputs)
{
    three t;
    three_init(&t, "uniform(-1, 1)");
    double c[6] = {1, 2, 3, 3, 0, 1};
    mkba_sobol *s = run_ok(t.p, 3, 2, linear, c, N_BIG, 2024, 50);
    for (size_t o = 0; o < 2; o++) {
        const double sum = c[o * 3] * c[o * 3] + c[o * 3 + 1] * c[o * 3 + 1] +
                           c[o * 3 + 2] * c[o * 3 + 2];
        /* relative SE of V-hat < sqrt(2 / 2N) = 0.7% (kurtosis < 3): 3% is > 4 SE */
        ck_assert_double_eq_tol(s->variance[o], sum / 3, 0.03 * sum / 3);
        for (size_t j = 0; j < 3; j++) {
            const double want = c[o * 3 + j] * c[o * 3 + j] / sum;
            ck_assert_msg(fabs(s->first[o * 3 + j] - want) < TOL, "out %zu S%zu = %g, want %g", o,
                          j + 1, s->first[o * 3 + j], want);
            ck_assert_msg(fabs(s->total[o * 3 + j] - want) < TOL, "out %zu ST%zu = %g, want %g",
                          o, j + 1, s->total[o * 3 + j], want);
        }
    }
    ck_assert_double_eq(s->first[4], 0.0);
    ck_assert_double_eq(s->total[4], 0.0);
    ck_assert_double_eq(s->total_lo[4], 0.0);
    ck_assert_double_eq(s->total_hi[4], 0.0);
    mkba_sobol_free(s);
}
END_TEST

/* A constant output has V = 0: its indices and CIs are NaN, while the
 * other output (x1 + x2: S = ST = 1/2, 1/2) is estimated as usual. */
START_TEST(constant_output_nan)
{
    three t;
    three_init(&t, "uniform(0, 1)");
    mkba_sobol *s = run_ok(t.p, 2, 2, half_constant, NULL, N_BIG, 5, 20);
    ck_assert_double_eq(s->variance[0], 0.0);
    for (size_t j = 0; j < 2; j++) {
        ck_assert(isnan(s->first[j]) && isnan(s->total[j]));
        ck_assert(isnan(s->first_lo[j]) && isnan(s->total_hi[j]));
        ck_assert_double_eq_tol(s->first[2 + j], 0.5, TOL);
        ck_assert_double_eq_tol(s->total[2 + j], 0.5, TOL);
    }
    mkba_sobol_free(s);
}
END_TEST

/* ---- Sample layout ---- */

START_TEST(one_call_saltelli_layout)
{
    three t;
    three_init(&t, "uniform(0, 1)");
    spy sp = {7, 0, 0, 0, 0, 0, 0};
    mkba_sobol *s = run_ok(t.p, 3, 2, spy_model, &sp, 7, 1, 0);
    ck_assert_uint_eq(sp.calls, 1);
    ck_assert_uint_eq(sp.n, 7 * 5);
    ck_assert_uint_eq(sp.d, 3);
    ck_assert_uint_eq(sp.m, 2);
    ck_assert_msg(sp.layout_ok, "A_B^(j) rows are not A with column j from B");
    ck_assert_msg(sp.in_range, "uniform(0, 1) draws outside (0, 1)");
    /* no bootstrap: the CIs are NaN */
    ck_assert(isnan(s->first_lo[0]) && isnan(s->total_hi[5]));
    mkba_sobol_free(s);
}
END_TEST

/* ---- Errors ---- */

static mkba_sobol *run_bad(const mkba_dist *const *in, size_t d, size_t m, mkba_sobol_model f,
                           size_t n, mkba_error *err)
{
    const mkba_sobol_opts o = {.n = n, .seed = 1, .n_boot = 10, .threads = 1};
    mkba_error_clear(err);
    return mkba_sobol_run(in, d, m, f, NULL, &o, err);
}

START_TEST(errors)
{
    three t;
    three_init(&t, "uniform(0, 1)");
    mkba_error err;
    ck_assert_ptr_null(run_bad(t.p, 3, 1, ishigami, 1, &err));
    ck_assert_int_eq(err.code, MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "the base sample size N must be at least 2, got 1");
    ck_assert_ptr_null(run_bad(t.p, 0, 1, ishigami, 10, &err));
    ck_assert_int_eq(err.code, MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "at least one input is needed (d = 0)");
    ck_assert_ptr_null(run_bad(t.p, 3, 0, ishigami, 10, &err));
    ck_assert_str_eq(err.msg, "at least one output is needed (m = 0)");
    ck_assert_ptr_null(run_bad(t.p, 3, 1, failing, 10, &err));
    ck_assert_int_eq(err.code, MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "the model could not be evaluated");
    ck_assert_ptr_null(run_bad(t.p, 3, 2, nan_model, 10, &err));
    ck_assert_int_eq(err.code, MKBA_ENUM);
    ck_assert_str_eq(err.msg, "the model gave a non-finite value for output 1 at point 3 of 50");
    ck_assert_ptr_null(run_bad(NULL, 3, 1, ishigami, 10, &err));
    ck_assert_int_eq(err.code, MKBA_EINVAL);
    const mkba_dist *holes[3] = {t.p[0], NULL, t.p[2]};
    ck_assert_ptr_null(run_bad(holes, 3, 1, ishigami, 10, &err));
    ck_assert_str_eq(err.msg, "input 2 has no distribution");
    ck_assert_ptr_null(run_bad(t.p, 3, 1, ishigami, SIZE_MAX / 2, &err));
    ck_assert_int_eq(err.code, MKBA_EINVAL);
    mkba_sobol_free(NULL);
}
END_TEST

static Suite *sobol_suite(void)
{
    Suite *s = suite_create("sobol");
    TCase *tc = tcase_create("ishigami");
    tcase_set_timeout(tc, 60);  /* seconds; well under 1 s normally, slower under valgrind */
    tcase_add_test(tc, ishigami_indices);
    tcase_add_test(tc, ishigami_bootstrap_ci);
    tcase_add_test(tc, seed_determines_results);
    tcase_add_test(tc, same_on_any_number_of_threads);
    suite_add_tcase(s, tc);
    tc = tcase_create("linear");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, linear_two_outputs);
    tcase_add_test(tc, constant_output_nan);
    tcase_add_test(tc, one_call_saltelli_layout);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_test(tc, errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    return tu_run_suite(sobol_suite());
}
