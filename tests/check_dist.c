/* check_dist.c - tests of the dist module: parsing every form and every
 * error message, the parameter conversions, closed-form moments, sample
 * moments of the samplers and of the quantile functions, quantiles against
 * the CDFs, discrete frequencies, the Gaussian copula (rank correlations,
 * its error messages) and determinism of the draws.
 *
 * Expected moments come from numeric integration (mpmath quad) of
 * each density with mpmath (python3, 30 digits), run once by the author,
 * independent of the closed forms in src/dist.c; the formula is in the
 * comment next to each number.
 *
 * Statistical tolerances. With N independent draws the sample mean has
 * standard error SE_m = sqrt(var / N); the sample variance s^2 has
 * Var(s^2) = sigma^4 (g2 / N + 2 / (N - 1)) ~ sigma^4 (g2 + 2) / N, where
 * g2 is the excess kurtosis, so SE_v = var sqrt((g2 + 2) / N). Each check
 * allows 5 SE: a correct sampler fails one with probability 6e-7, and the
 * streams are fixed anyway, so the suite is deterministic. */
#include <check.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/dist.h"
#include "mkba/error.h"
#include "mkba/exp.h"
#include "mkba/rng.h"
#include "testutil.h"

#define SEED 20240601u
#define N_SAMPLE 200000  /* draws for the sampler moments */
#define N_QUANT 100000   /* draws for the quantile moments (Pinv is slower) */

/* ============================== helpers ================================ */

static gsl_rng *stream(uint64_t index)
{
    gsl_rng *r = mkba_rng_alloc();
    mkba_rng_stream(r, SEED, MKBA_STREAM_DRAWS, index);
    return r;
}

static void parse_ok(const char *text, mkba_dist *d)
{
    mkba_error err;
    mkba_error_clear(&err);
    mkba_status st = mkba_dist_parse(text, d, &err);
    ck_assert_msg(st == MKBA_OK, "'%s' failed: %s", text, err.msg);
    ck_assert_int_eq(err.code, MKBA_OK);
}

/* |got - want| <= tol * max(1, |want|) */
static void near(double got, double want, double tol, const char *what)
{
    double scale = fabs(want) > 1 ? fabs(want) : 1;
    ck_assert_msg(fabs(got - want) <= tol * scale, "%s: got %.17g, want %.17g", what, got, want);
}

/* What a distribution should look like: its moments and support. */
typedef struct expect {
    const char *text;  /* as parsed */
    double mean;       /* exact mean */
    double var;        /* exact variance */
    double g2;         /* excess kurtosis, for SE of the sample variance */
    double lo, hi;     /* support (may be infinite) */
} expect;

/* The moments table. Means and variances by closed form (comment) and
 * confirmed by mpmath integration of the density; g2 from the same
 * integration. */
static const expect table[] = {
    /* normal: mean mu, var sd^2 = 4, g2 = 0 */
    {"normal(10, 2)", 10, 4, 0, -INFINITY, INFINITY},
    /* truncnormal, mass Z = Phi(b) - Phi(a), lambda = (phi(a) - phi(b))/Z:
     * mean = mu + sd lambda, var = sd^2 (1 + (a phi(a) - b phi(b))/Z - lambda^2);
     * numbers from mpmath quad of phi over [lo, hi]. Z = 0.8186: rejection. */
    {"truncnormal(0, 1, -1, 2)", 0.229637179091329, 0.519762539211534, -0.719828, -1, 2},
    /* Z = 0.1573, a >= 0: inverse CDF through upper tails */
    {"truncnormal(0, 1, 1, 3)", 1.51004951324398, 0.173452904924122, 0.614638, 1, 3},
    /* Z = 0.02275, b <= 0: inverse CDF through lower tails */
    {"truncnormal(10, 2, 0, 6)", 5.25363983009373, 0.456721608119557, 2.96756, 0, 6},
    /* Z = 0.1972 across 0 */
    {"truncnormal(0, 1, -0.2, 0.3)", 0.0489669985418798, 0.0206596053844677, -1.19131, -0.2, 0.3},
    /* Z = 2.86e-7, far in the tail (Phi(5) - Phi(6) would cancel) */
    {"truncnormal(0, 1, 5, 6)", 5.18314709047717, 0.0294524307684831, 2.49187, 5, 6},
    /* lognormal from mean/sd: mean 10, var 4 by construction;
     * g2 = e^{4s2} + 2e^{3s2} + 3e^{2s2} - 6 with s2 = ln 1.04 */
    {"lognormal(mean = 10, sd = 2)", 10, 4, 0.664387, 0, INFINITY},
    /* lognormal(mu 1, sigma 0.5): mean e^{1.125} = 3.08021684891803,
     * var (e^{0.25} - 1) e^{2.25} = 2.69475812434495 */
    {"lognormal(1, 0.5)", 3.08021684891803, 2.69475812434495, 5.89845, 0, INFINITY},
    /* gamma(k, theta): mean k theta, var k theta^2, g2 = 6/k */
    {"gamma(2, 3)", 6, 18, 3, 0, INFINITY},
    {"gamma(0.5, 2)", 1, 2, 12, 0, INFINITY},          /* k < 1: the other GSL branch */
    {"gamma(mean = 6, sd = 3)", 6, 9, 1.5, 0, INFINITY}, /* k = 4, theta = 1.5 */
    /* beta(a, b): mean a/(a+b), var ab/((a+b)^2 (a+b+1)):
     * beta(2, 5): 2/7, 10/392 */
    {"beta(2, 5)", 2.0 / 7, 10.0 / 392, -0.12, 0, 1},
    /* beta(mean .3, sd .1): a = 6, b = 14; mean 0.3, var 0.01 */
    {"beta(mean = 0.3, sd = 0.1)", 0.3, 0.01, -0.0711462, 0, 1},
    /* beta(.5, .5): mean 1/2, var .25/(1 * 2) = 0.125 (a, b < 1 branch) */
    {"beta(0.5, 0.5)", 0.5, 0.125, -1.5, 0, 1},
    /* uniform: (lo+hi)/2 = 1, (hi-lo)^2/12 = 16/12, g2 = -6/5 */
    {"uniform(-1, 3)", 1, 16.0 / 12, -1.2, -1, 3},
    /* triangular: (a+b+c)/3 = 5/3, (a^2+b^2+c^2-ab-ac-bc)/18 = 13/18, g2 = -3/5 */
    {"triangular(0, 1, 4)", 5.0 / 3, 13.0 / 18, -0.6, 0, 4},
    /* pert(0,1,4) = 4 beta(2, 4): mean (min+4 mode+max)/6 = 4/3,
     * var 16 * 8/(36 * 7) = 128/252 */
    {"pert(0, 1, 4)", 4.0 / 3, 128.0 / 252, -0.375, 0, 4},
    /* pert(10,30,40) = 10 + 30 beta(11/3, 7/3): mean 170/6, var 900 (77/9)/(36 * 7) */
    {"pert(10, 30, 40)", 170.0 / 6, 900 * (77.0 / 9) / 252, -0.545455, 10, 40},
    /* discrete: mean .2 + 1 + 1.5 = 2.7, var E[x^2] - 2.7^2 = 9.7 - 7.29 = 2.41 */
    {"discrete(1: 0.2, 2: 0.5, 5: 0.3)", 2.7, 2.41, -1.24629, 1, 5},
};
#define N_TABLE (sizeof table / sizeof table[0])

/* Sample mean and variance of n draws (by the sampler or by quantile of a
 * uniform) within 5 SE of the exact ones, all inside the support. */
static void check_draws(const expect *e, int by_quantile, size_t n, uint64_t index)
{
    mkba_dist d;
    parse_ok(e->text, &d);
    gsl_rng *r = stream(index);
    double mean = 0, m2 = 0; /* Welford */
    size_t outside = 0;      /* counted, not asserted: a passing ck_assert costs a write() */
    for (size_t i = 0; i < n; i++) {
        double x = by_quantile ? mkba_dist_quantile(&d, gsl_rng_uniform_pos(r))
                               : mkba_dist_sample(&d, r);
        outside += !(x >= e->lo && x <= e->hi);
        double delta = x - mean;
        mean += delta / (double)(i + 1);
        m2 += delta * (x - mean);
    }
    ck_assert_msg(outside == 0, "%s: %zu draws outside the support", e->text, outside);
    double var = m2 / (double)(n - 1);
    double se_m = sqrt(e->var / (double)n);
    double se_v = e->var * sqrt((e->g2 + 2) / (double)n);
    const char *how = by_quantile ? "quantile" : "sample";
    ck_assert_msg(fabs(mean - e->mean) < 5 * se_m, "%s %s mean %.6g, want %.6g (5 SE = %.3g)",
                  e->text, how, mean, e->mean, 5 * se_m);
    ck_assert_msg(fabs(var - e->var) < 5 * se_v, "%s %s var %.6g, want %.6g (5 SE = %.3g)",
                  e->text, how, var, e->var, 5 * se_v);
    gsl_rng_free(r);
    mkba_dist_free(&d);
}

/* =============================== parse ================================= */

START_TEST(test_parse_positional)
{
    mkba_dist d;
    parse_ok("normal(10, 2)", &d);
    ck_assert_int_eq(d.kind, MKBA_DIST_NORMAL);
    ck_assert_double_eq(d.p[0], 10);
    ck_assert_double_eq(d.p[1], 2);
    parse_ok("  NorMal ( 1.5e1 ,.5 )  ", &d); /* case, blanks, exponent, no leading digit */
    ck_assert_int_eq(d.kind, MKBA_DIST_NORMAL);
    ck_assert_double_eq(d.p[0], 15);
    ck_assert_double_eq(d.p[1], 0.5);
    parse_ok("truncnormal(0, 1, -1, +2.)", &d);
    ck_assert_int_eq(d.kind, MKBA_DIST_TRUNCNORMAL);
    ck_assert_double_eq(d.p[2], -1);
    ck_assert_double_eq(d.p[3], 2);
    parse_ok("lognormal(1, 0.5)", &d); /* mu, sigma as given */
    ck_assert_int_eq(d.kind, MKBA_DIST_LOGNORMAL);
    ck_assert_double_eq(d.p[0], 1);
    ck_assert_double_eq(d.p[1], 0.5);
    parse_ok("gamma(2, 3)", &d);
    ck_assert_int_eq(d.kind, MKBA_DIST_GAMMA);
    ck_assert_double_eq(d.p[0], 2);
    ck_assert_double_eq(d.p[1], 3);
    parse_ok("beta(2,5)", &d);
    ck_assert_int_eq(d.kind, MKBA_DIST_BETA);
    ck_assert_double_eq(d.p[1], 5);
    parse_ok("uniform(-1, 3)", &d);
    ck_assert_int_eq(d.kind, MKBA_DIST_UNIFORM);
    ck_assert_double_eq(d.p[0], -1);
    parse_ok("triangular(0, 1, 4)", &d);
    ck_assert_int_eq(d.kind, MKBA_DIST_TRIANGULAR);
    ck_assert_double_eq(d.p[2], 4);
    parse_ok("PERT(2, 2, 4)", &d); /* mode at min is allowed */
    ck_assert_int_eq(d.kind, MKBA_DIST_PERT);
    ck_assert_double_eq(d.p[1], 2);
}
END_TEST

START_TEST(test_parse_named)
{
    mkba_dist d;
    parse_ok("normal(sd = 2, mean = 10)", &d); /* any order */
    ck_assert_int_eq(d.kind, MKBA_DIST_NORMAL);
    ck_assert_double_eq(d.p[0], 10);
    ck_assert_double_eq(d.p[1], 2);
    parse_ok("gamma(Scale=3, SHAPE=2)", &d); /* names are case-insensitive */
    ck_assert_double_eq(d.p[0], 2);
    ck_assert_double_eq(d.p[1], 3);
    parse_ok("beta(b = 5, a = 2)", &d);
    ck_assert_double_eq(d.p[0], 2);
    ck_assert_double_eq(d.p[1], 5);
    parse_ok("lognormal(sigma = 0.5, mu = 1)", &d);
    ck_assert_double_eq(d.p[0], 1);
    ck_assert_double_eq(d.p[1], 0.5);
    parse_ok("triangular(max = 4, min = 0, mode = 1)", &d);
    ck_assert_double_eq(d.p[0], 0);
    ck_assert_double_eq(d.p[1], 1);
    ck_assert_double_eq(d.p[2], 4);
    parse_ok("truncnormal(lo = -1, hi = 2, mean = 0, sd = 1)", &d);
    ck_assert_double_eq(d.p[0], 0);
    ck_assert_double_eq(d.p[1], 1);
    ck_assert_double_eq(d.p[2], -1);
    ck_assert_double_eq(d.p[3], 2);
}
END_TEST

START_TEST(test_parse_fixed)
{
    mkba_dist d;
    parse_ok(" 3.5 ", &d);
    ck_assert_int_eq(d.kind, MKBA_DIST_FIXED);
    ck_assert_double_eq(d.p[0], 3.5);
    parse_ok("-1e-3", &d);
    ck_assert_double_eq(d.p[0], -0.001);
    parse_ok("fixed(2)", &d);
    ck_assert_int_eq(d.kind, MKBA_DIST_FIXED);
    ck_assert_double_eq(d.p[0], 2);
    ck_assert_double_eq(mkba_dist_mean(&d), 2);
    ck_assert_double_eq(mkba_dist_var(&d), 0);
    ck_assert_double_eq(mkba_dist_quantile(&d, 0.3), 2);
    gsl_rng *r = stream(0);
    ck_assert_double_eq(mkba_dist_sample(&d, r), 2);
    gsl_rng_free(r);
    mkba_dist_fixed(&d, -7.25);
    ck_assert_int_eq(d.kind, MKBA_DIST_FIXED);
    ck_assert_double_eq(d.p[0], -7.25);
    ck_assert_ptr_null(d.values);
    mkba_dist_free(&d); /* owns nothing: a no-op */
    mkba_dist_free(NULL);
}
END_TEST

START_TEST(test_parse_discrete)
{
    mkba_dist d;
    /* Unsorted, weights 3:2:5 of total 10: sorted values 1, 2, 5 with
     * probabilities .2, .5, .3, so cum = .2, .7, 1. */
    parse_ok("discrete(5: 3, 1: 2, 2: 5)", &d);
    ck_assert_int_eq(d.kind, MKBA_DIST_DISCRETE);
    ck_assert_uint_eq(d.n, 3);
    ck_assert_double_eq(d.values[0], 1);
    ck_assert_double_eq(d.values[1], 2);
    ck_assert_double_eq(d.values[2], 5);
    near(d.cum[0], 0.2, 1e-15, "cum[0]");
    near(d.cum[1], 0.7, 1e-15, "cum[1]");
    ck_assert_double_eq(d.cum[2], 1);

    /* A deep copy: freeing the original leaves the copy intact (ASan). */
    mkba_dist c;
    ck_assert_int_eq(mkba_dist_copy(&c, &d), MKBA_OK);
    ck_assert_ptr_ne(c.values, d.values);
    mkba_dist_free(&d);
    ck_assert_ptr_null(d.values);
    ck_assert_double_eq(c.values[2], 5);
    near(mkba_dist_mean(&c), 2.7, 1e-14, "copy mean"); /* .2 + 1 + 1.5 */
    mkba_dist_free(&c);

    parse_ok("discrete(-7.5: 1)", &d); /* one value: always it */
    ck_assert_uint_eq(d.n, 1);
    ck_assert_double_eq(mkba_dist_quantile(&d, 0.999), -7.5);
    ck_assert_double_eq(mkba_dist_var(&d), 0);
    mkba_dist_free(&d);
}
END_TEST

/* The decimal point is '.', whatever the locale (a Dutch LC_NUMERIC has
 * ','); the locale is only changed when the system has one of these. */
START_TEST(test_parse_locale)
{
    const char *const locales[] = {"nl_NL.UTF-8", "nl_NL.utf8", "de_DE.UTF-8", "fr_FR.UTF-8"};
    for (size_t i = 0; i < sizeof locales / sizeof locales[0]; i++)
        if (setlocale(LC_NUMERIC, locales[i]))
            break;
    mkba_dist d;
    parse_ok("normal(1.5, 0.25)", &d);
    setlocale(LC_NUMERIC, "C");
    ck_assert_double_eq(d.p[0], 1.5);
    ck_assert_double_eq(d.p[1], 0.25);
}
END_TEST

/* ============================ parse errors ============================= */

typedef struct bad_case {
    const char *text;  /* input */
    mkba_status code;  /* status */
    const char *msg;   /* exact message */
} bad_case;

static const bad_case bad_cases[] = {
    /* syntax */
    {"", MKBA_EPARSE, "empty distribution: expected e.g. 'normal(10, 2)' or a number"},
    {"(1, 2)", MKBA_EPARSE, "expected a distribution such as 'normal(10, 2)', got '('"},
    {"5 6", MKBA_EPARSE, "unexpected text after the number: '6'"},
    {"normal 10, 2", MKBA_EPARSE, "normal(): expected '(' after the name, got '10'"},
    {"normal(10, 2", MKBA_EPARSE, "normal(): missing ')'"},
    {"normal(10, 2) x", MKBA_EPARSE, "unexpected text after ')': 'x'"},
    {"normal(10, 2))", MKBA_EPARSE, "unexpected text after ')': ')'"},
    {"normal(10, abc)", MKBA_EPARSE, "normal(): expected a number, got 'abc'"},
    {"normal(nan, 1)", MKBA_EPARSE, "normal(): expected a number, got 'nan'"},
    {"normal(10; 2)", MKBA_EPARSE, "normal(): expected ',' or ')' after an argument, got ';'"},
    {"normal(0x10, 1)", MKBA_EPARSE, "normal(): expected ',' or ')' after an argument, got 'x10'"},
    {"normal(10,", MKBA_EPARSE, "normal(): expected a number, got the end of the text"},
    {"normal(mean = , sd = 2)", MKBA_EPARSE, "normal(): expected a number, got ','"},
    {"normal(1e999, 1)", MKBA_EINVAL, "normal(): number '1e999' is out of range"},
    /* names and argument counts */
    {"normale(1, 2)", MKBA_EINVAL,
     "unknown distribution 'normale' (known: normal, truncnormal, lognormal, gamma, beta, "
     "uniform, triangular, pert, discrete, fixed)"},
    {"normal(1, 2, 3)", MKBA_EINVAL, "normal() takes 2 arguments (mean, sd) or 'a to b', got 3"},
    {"normal()", MKBA_EINVAL, "normal() takes 2 arguments (mean, sd) or 'a to b', got 0"},
    {"lognormal(1, 2, 3)", MKBA_EINVAL,
     "lognormal() takes 2 arguments (mu, sigma) or (mean = m, sd = s), or 'a to b', got 3"},
    {"truncnormal(0, 1, 2)", MKBA_EINVAL,
     "truncnormal() takes 4 arguments (mean, sd, lo, hi), got 3"},
    {"fixed(1, 2)", MKBA_EINVAL, "fixed() takes 1 argument (value), got 2"},
    {"gamma(2, scale = 3)", MKBA_EINVAL, "gamma(): do not mix named and positional arguments"},
    {"gamma(rate = 2, shape = 1)", MKBA_EINVAL,
     "gamma(): unknown argument 'rate' (expected shape, scale or mean, sd)"},
    {"gamma(mean = 6, scale = 2)", MKBA_EINVAL,
     "gamma(): 'scale' does not go with 'mean' (expected shape, scale or mean, sd)"},
    {"gamma(mean = 6)", MKBA_EINVAL, "gamma(): missing argument 'sd'"},
    {"gamma(mean = 6, sd = 1, SD = 2)", MKBA_EINVAL, "gamma(): argument 'sd' given twice"},
    {"normal(5 to 20, 3)", MKBA_EINVAL, "normal(): 'a to b' must be the only argument"},
    {"uniform(5 to 20)", MKBA_EINVAL,
     "uniform() does not take 'a to b' (only normal() and lognormal() do)"},
    {"normal(1: 2, 3)", MKBA_EINVAL, "normal(): 'value: weight' is for discrete() only"},
    /* values */
    {"normal(10, -1)", MKBA_EINVAL, "normal() sd must be > 0, got -1"},
    {"normal(10, 0)", MKBA_EINVAL, "normal() sd must be > 0, got 0"},
    {"normal(20 to 5)", MKBA_EINVAL, "normal() needs a < b in 'a to b', got 20 and 5"},
    {"lognormal(0 to 5)", MKBA_EINVAL, "lognormal() needs 0 < a < b in 'a to b', got 0 and 5"},
    {"lognormal(mean = -1, sd = 2)", MKBA_EINVAL, "lognormal() mean must be > 0, got -1"},
    {"lognormal(mean = 10, sd = 0)", MKBA_EINVAL, "lognormal() sd must be > 0, got 0"},
    {"lognormal(1, 0)", MKBA_EINVAL, "lognormal() sigma must be > 0, got 0"},
    {"gamma(0, 1)", MKBA_EINVAL, "gamma() shape must be > 0, got 0"},
    {"gamma(2, -3)", MKBA_EINVAL, "gamma() scale must be > 0, got -3"},
    {"gamma(mean = -6, sd = 3)", MKBA_EINVAL, "gamma() mean must be > 0, got -6"},
    {"gamma(mean = 1, sd = 1e-200)", MKBA_EINVAL, "gamma(): the parameters are out of range"},
    {"beta(0, 1)", MKBA_EINVAL, "beta() a must be > 0, got 0"},
    {"beta(1, -2)", MKBA_EINVAL, "beta() b must be > 0, got -2"},
    {"beta(mean = 1.2, sd = 0.1)", MKBA_EINVAL, "beta mean must be between 0 and 1, got 1.2"},
    /* sqrt(0.3 * 0.7) = 0.458258 */
    {"beta(mean = 0.3, sd = 0.5)", MKBA_EINVAL,
     "beta sd too large for mean 0.3: sd must be < 0.458"},
    {"uniform(5, 2)", MKBA_EINVAL, "uniform() needs lo < hi, got 5 and 2"},
    {"uniform(2, 2)", MKBA_EINVAL, "uniform() needs lo < hi, got 2 and 2"},
    /* max - min beyond DBL_MAX: draws min + (max - min) u would all be inf */
    {"uniform(-1.7e308, 1.7e308)", MKBA_EINVAL, "uniform() from -1.7e+308 to 1.7e+308 spans "
     "more than the largest number (about 1.8e308): give the amounts in thousands or millions"},
    {"pert(-1e308, 0, 1e308)", MKBA_EINVAL, "pert() from -1e+308 to 1e+308 spans more than the "
     "largest number (about 1.8e308): give the amounts in thousands or millions"},
    {"triangular(0, 5, 4)", MKBA_EINVAL,
     "triangular() needs min <= mode <= max and min < max, got 0, 5, 4"},
    {"pert(3, 3, 3)", MKBA_EINVAL, "pert() needs min <= mode <= max and min < max, got 3, 3, 3"},
    {"truncnormal(0, 1, 2, 1)", MKBA_EINVAL, "truncnormal() needs lo < hi, got 2 and 1"},
    {"truncnormal(0, 0, 1, 2)", MKBA_EINVAL, "truncnormal() sd must be > 0, got 0"},
    {"truncnormal(0, 1, 31, 40)", MKBA_EINVAL,
     "truncnormal() [lo, hi] lies more than 30 sd from the mean"},
    /* discrete */
    {"discrete()", MKBA_EINVAL, "discrete() needs at least one 'value: weight'"},
    {"discrete(1: 0.5, 2)", MKBA_EINVAL, "discrete() argument 2 is not 'value: weight'"},
    {"discrete(1: 0.5, 2: 0)", MKBA_EINVAL, "discrete() weight must be > 0, got 0 (value 2)"},
    {"discrete(1: 0.5, 3: 1, 1: 0.5)", MKBA_EINVAL, "discrete() value 1 is listed twice"},
};

START_TEST(test_parse_errors)
{
    const bad_case *c = &bad_cases[_i];
    mkba_dist d;
    mkba_error err;
    mkba_error_clear(&err);
    mkba_status st = mkba_dist_parse(c->text, &d, &err);
    ck_assert_msg(st == c->code, "'%s': status %d, want %d (%s)", c->text, st, c->code, err.msg);
    ck_assert_int_eq(err.code, c->code);
    ck_assert_str_eq(err.msg, c->msg);
    /* On failure *d is a fixed 0 that owns nothing. */
    ck_assert_int_eq(d.kind, MKBA_DIST_FIXED);
    ck_assert_double_eq(d.p[0], 0);
    ck_assert_ptr_null(d.values);
    ck_assert_ptr_null(d.cum);
}
END_TEST

START_TEST(test_parse_null)
{
    mkba_dist d;
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_dist_parse(NULL, &d, &err), MKBA_EPARSE);
    ck_assert_str_eq(err.msg, "empty distribution: expected e.g. 'normal(10, 2)' or a number");
    /* A NULL error is allowed: the status still says what happened. */
    ck_assert_int_eq(mkba_dist_parse("normal(1, -1)", &d, NULL), MKBA_EINVAL);
}
END_TEST

/* ============================ conversions ============================== */

START_TEST(test_convert_lognormal)
{
    mkba_dist d;
    /* sigma^2 = ln(1 + 4/100), mu = ln 10 - sigma^2/2 (mpmath):
     * mu = 2.2829747364174051, sigma = 0.19804220043536502 */
    parse_ok("lognormal(mean = 10, sd = 2)", &d);
    near(d.p[0], 2.2829747364174051, 1e-14, "mu");
    near(d.p[1], 0.19804220043536502, 1e-14, "sigma");
    near(mkba_dist_mean(&d), 10, 1e-13, "round-trip mean");
    near(mkba_dist_var(&d), 4, 1e-12, "round-trip var");
    /* 90% interval: mu = (ln 5 + ln 20)/2 = ln 10 = 2.3025850929940459,
     * sigma = ln 4/(2 * 1.6448536269514722) = 0.42140356394179934 */
    parse_ok("lognormal(5 to 20)", &d);
    near(d.p[0], 2.3025850929940459, 1e-14, "interval mu");
    near(d.p[1], 0.42140356394179934, 1e-14, "interval sigma");
    near(mkba_dist_quantile(&d, 0.05), 5, 1e-9, "P5");
    near(mkba_dist_quantile(&d, 0.95), 20, 1e-9, "P95");
}
END_TEST

START_TEST(test_convert_normal_interval)
{
    mkba_dist d;
    /* mean = (5 + 20)/2 = 12.5, sd = 15/(2 * 1.6448536269514722) = 4.5596762393382688 */
    parse_ok("normal(5 to 20)", &d);
    near(d.p[0], 12.5, 1e-15, "mean");
    near(d.p[1], 4.5596762393382688, 1e-14, "sd");
    near(mkba_dist_quantile(&d, 0.05), 5, 1e-9, "P5");
    near(mkba_dist_quantile(&d, 0.95), 20, 1e-9, "P95");
    parse_ok("normal(-20 TO -5)", &d); /* 'to' in any case, negative ends */
    near(mkba_dist_quantile(&d, 0.05), -20, 1e-9, "P5 negative");
    near(mkba_dist_quantile(&d, 0.95), -5, 1e-9, "P95 negative");
}
END_TEST

START_TEST(test_convert_gamma_beta_pert)
{
    mkba_dist d;
    /* gamma: k = mean^2/sd^2 = 36/9 = 4, theta = sd^2/mean = 9/6 = 1.5 */
    parse_ok("gamma(mean = 6, sd = 3)", &d);
    near(d.p[0], 4, 1e-14, "gamma k");
    near(d.p[1], 1.5, 1e-14, "gamma theta");
    /* beta: nu = .3 * .7/.01 - 1 = 20, a = .3 * 20 = 6, b = .7 * 20 = 14 */
    parse_ok("beta(sd = 0.1, mean = 0.3)", &d);
    near(d.p[0], 6, 1e-12, "beta a");
    near(d.p[1], 14, 1e-12, "beta b");
    near(mkba_dist_mean(&d), 0.3, 1e-14, "beta mean");
    near(mkba_dist_var(&d), 0.01, 1e-14, "beta var");
    /* PERT(0, 1, 4): alpha = 1 + 4/4 = 2, beta = 1 + 12/4 = 4; its median is
     * 4 x the median of beta(2, 4), checked through GSL's beta CDF. */
    parse_ok("pert(0, 1, 4)", &d);
    near(gsl_cdf_beta_P(mkba_dist_quantile(&d, 0.5) / 4, 2, 4), 0.5, 1e-10, "pert median");
}
END_TEST

/* ======================= closed-form moments =========================== */

START_TEST(test_closed_moments)
{
    const expect *e = &table[_i];
    mkba_dist d;
    parse_ok(e->text, &d);
    near(mkba_dist_mean(&d), e->mean, 1e-11, e->text);
    near(mkba_dist_var(&d), e->var, 1e-10, e->text);
    mkba_dist_free(&d);
}
END_TEST

START_TEST(test_sample_moments)
{
    check_draws(&table[_i], 0, N_SAMPLE, 100 + (uint64_t)_i);
}
END_TEST

START_TEST(test_quantile_moments)
{
    check_draws(&table[_i], 1, N_QUANT, 200 + (uint64_t)_i);
}
END_TEST

/* ======================== quantile vs CDF ============================== */

/* The CDFs, written out independently of dist.c's inverses. */
static double cdf_trunc(double x, double mu, double sd, double lo, double hi)
{
    double a = (lo - mu) / sd, b = (hi - mu) / sd, z = (x - mu) / sd;
    if (a >= 0) /* upper tails: Q(a) - Q(z) over Q(a) - Q(b) */
        return (gsl_cdf_ugaussian_Q(a) - gsl_cdf_ugaussian_Q(z)) /
               (gsl_cdf_ugaussian_Q(a) - gsl_cdf_ugaussian_Q(b));
    return (gsl_cdf_ugaussian_P(z) - gsl_cdf_ugaussian_P(a)) /
           (gsl_cdf_ugaussian_P(b) - gsl_cdf_ugaussian_P(a));
}

/* triangular(a, c, b): (x-a)^2/((b-a)(c-a)) below c, 1 - (b-x)^2/((b-a)(b-c)) above */
static double cdf_tri(double x, double a, double c, double b)
{
    if (x < c)
        return (x - a) * (x - a) / ((b - a) * (c - a));
    return 1 - (b - x) * (b - x) / ((b - a) * (b - c));
}

START_TEST(test_quantile_cdf)
{
    static const double us[] = {0.001, 0.01, 0.1, 0.37, 0.5, 0.9, 0.99, 0.999};
    mkba_dist dn, dt, dt2, dl, dg, dg2, db, du, dtr, dp;
    parse_ok("normal(10, 2)", &dn);
    parse_ok("truncnormal(0, 1, -1, 2)", &dt);
    parse_ok("truncnormal(0, 1, 5, 6)", &dt2);
    parse_ok("lognormal(1, 0.5)", &dl);
    parse_ok("gamma(2, 3)", &dg);
    parse_ok("gamma(0.5, 2)", &dg2);
    parse_ok("beta(2, 5)", &db);
    parse_ok("uniform(-1, 3)", &du);
    parse_ok("triangular(0, 1, 4)", &dtr);
    parse_ok("pert(0, 1, 4)", &dp); /* = 4 beta(2, 4) */
    for (size_t i = 0; i < sizeof us / sizeof us[0]; i++) {
        double u = us[i];
        near(gsl_cdf_gaussian_P(mkba_dist_quantile(&dn, u) - 10, 2), u, 1e-12, "normal");
        near(cdf_trunc(mkba_dist_quantile(&dt, u), 0, 1, -1, 2), u, 1e-12, "truncnormal");
        near(cdf_trunc(mkba_dist_quantile(&dt2, u), 0, 1, 5, 6), u, 1e-9, "truncnormal tail");
        near(gsl_cdf_lognormal_P(mkba_dist_quantile(&dl, u), 1, 0.5), u, 1e-12, "lognormal");
        near(gsl_cdf_gamma_P(mkba_dist_quantile(&dg, u), 2, 3), u, 1e-10, "gamma");
        near(gsl_cdf_gamma_P(mkba_dist_quantile(&dg2, u), 0.5, 2), u, 1e-10, "gamma k<1");
        near(gsl_cdf_beta_P(mkba_dist_quantile(&db, u), 2, 5), u, 1e-10, "beta");
        near((mkba_dist_quantile(&du, u) + 1) / 4, u, 1e-15, "uniform");
        near(cdf_tri(mkba_dist_quantile(&dtr, u), 0, 1, 4), u, 1e-13, "triangular");
        near(gsl_cdf_beta_P(mkba_dist_quantile(&dp, u) / 4, 2, 4), u, 1e-10, "pert");
    }
    /* Ends: clamped u, and NaN. */
    ck_assert_double_eq(mkba_dist_quantile(&du, 0), -1);
    ck_assert_double_eq(mkba_dist_quantile(&du, 1), 3);
    ck_assert_double_eq(mkba_dist_quantile(&du, -2), -1);
    ck_assert(isnan(mkba_dist_quantile(&du, NAN)));
    /* The copula's extreme uniforms give finite quantiles, tails included. */
    ck_assert(isfinite(mkba_dist_quantile(&dn, 1e-16)));
    ck_assert(isfinite(mkba_dist_quantile(&dn, 1 - 1e-16)));
    double x = mkba_dist_quantile(&dt2, 1e-16);
    ck_assert(x >= 5 && x <= 6);
    x = mkba_dist_quantile(&dt2, 1 - 1e-16);
    ck_assert(x >= 5 && x <= 6);
}
END_TEST

/* P1 and P99 of each family, by closed form (the model warns when a
 * parameter's base value lies outside them). z99 = Phi^-1(0.99) =
 * 2.3263478740408408 (mpmath: sqrt(2) erfinv(0.98)). */
START_TEST(test_p1_p99)
{
    const double z99 = 2.3263478740408408;
    struct {
        const char *text;
        double p1, p99, tol;
    } cases[] = {
        /* mean -+ z99 sd */
        {"normal(10, 2)", 10 - 2 * z99, 10 + 2 * z99, 1e-12},
        /* a 90% interval 'a to b': mean (a + b)/2, sd (b - a)/(2 z95) */
        {"normal(0 to 2)", 1 - z99 / 1.6448536269514722, 1 + z99 / 1.6448536269514722, 1e-12},
        /* truncated to [-1, 1] (symmetric): Phi^-1(Phi(-1) + u (Phi(1) - Phi(-1))) at
         * u = 0.01 and 0.99, Phi(1) = 0.8413447460685429 (mpmath) */
        {"truncnormal(0, 1, -1, 1)",
         gsl_cdf_ugaussian_Pinv(0.15865525393145707 + 0.01 * 0.6826894921370859),
         gsl_cdf_ugaussian_Pinv(0.15865525393145707 + 0.99 * 0.6826894921370859), 1e-12},
        /* exp(mu -+ z99 sigma) */
        {"lognormal(1, 0.5)", exp(1 - 0.5 * z99), exp(1 + 0.5 * z99), 1e-12},
        /* gamma(1, theta) is the exponential: -theta ln(1 - u) */
        {"gamma(1, 3)", -3 * log(0.99), 3 * log(100), 1e-10},
        /* beta(2, 1): F(x) = x^2, so x = sqrt(u) */
        {"beta(2, 1)", 0.1, sqrt(0.99), 1e-10},
        {"uniform(-1, 3)", -1 + 4 * 0.01, -1 + 4 * 0.99, 1e-14},
        /* triangular(0, 5, 10): F(x) = x^2/50 below the mode, so P1 = sqrt(0.5);
         * symmetric, so P99 = 10 - sqrt(0.5) */
        {"triangular(0, 5, 10)", sqrt(0.5), 10 - sqrt(0.5), 1e-12},
        /* pert(0, 0, 1) = beta(1, 5): F(x) = 1 - (1 - x)^5, x = 1 - (1 - u)^(1/5) */
        {"pert(0, 0, 1)", 1 - pow(0.99, 0.2), 1 - pow(0.01, 0.2), 1e-10},
        /* F: 1 -> 0.005, 2 -> 0.995, 3 -> 1: both ends weigh under 1% */
        {"discrete(1: 0.005, 2: 0.99, 3: 0.005)", 2, 2, 0},
        {"7.5", 7.5, 7.5, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mkba_dist d;
        double p1, p99;
        parse_ok(cases[i].text, &d);
        mkba_dist_p1_p99(&d, &p1, &p99);
        near(p1, cases[i].p1, cases[i].tol, cases[i].text);
        near(p99, cases[i].p99, cases[i].tol, cases[i].text);
        mkba_dist_free(&d);
    }
}
END_TEST

/* ============================== discrete =============================== */

START_TEST(test_discrete_quantile)
{
    mkba_dist d;
    parse_ok("discrete(1: 0.2, 2: 0.5, 5: 0.3)", &d); /* F: 1 -> .2, 2 -> .7, 5 -> 1 */
    ck_assert_double_eq(mkba_dist_quantile(&d, 0.01), 1);
    ck_assert_double_eq(mkba_dist_quantile(&d, 0.19), 1);
    ck_assert_double_eq(mkba_dist_quantile(&d, 0.21), 2);
    ck_assert_double_eq(mkba_dist_quantile(&d, 0.69), 2);
    ck_assert_double_eq(mkba_dist_quantile(&d, 0.71), 5);
    ck_assert_double_eq(mkba_dist_quantile(&d, 0.9999), 5);
    ck_assert_double_eq(mkba_dist_quantile(&d, 1), 5);
    mkba_dist_free(&d);
}
END_TEST

/* Frequencies of each value within 5 SE = 5 sqrt(p (1 - p)/N). */
START_TEST(test_discrete_freq)
{
    static const double values[] = {-3, 0.5, 2, 10};
    static const double probs[] = {0.1, 0.4, 0.25, 0.25}; /* weights 2:8:5:5 over 20 */
    mkba_dist d;
    parse_ok("discrete(10: 5, -3: 2, 2: 5, 0.5: 8)", &d);
    gsl_rng *r = stream(300);
    long count[5] = {0, 0, 0, 0, 0}; /* [4]: not a listed value */
    for (int i = 0; i < N_SAMPLE; i++) {
        double x = mkba_dist_sample(&d, r);
        int k = 0;
        while (k < 4 && values[k] != x)
            k++;
        count[k]++;
    }
    ck_assert_int_eq(count[4], 0);
    for (int k = 0; k < 4; k++) {
        double f = (double)count[k] / N_SAMPLE;
        double se = sqrt(probs[k] * (1 - probs[k]) / N_SAMPLE);
        ck_assert_msg(fabs(f - probs[k]) < 5 * se, "value %g: frequency %.5f, want %.2f",
                      values[k], f, probs[k]);
    }
    gsl_rng_free(r);
    mkba_dist_free(&d);
}
END_TEST

/* ============================ determinism ============================== */

START_TEST(test_same_stream_same_draws)
{
    const expect *e = &table[_i];
    mkba_dist d;
    parse_ok(e->text, &d);
    gsl_rng *a = stream(400), *b = stream(400), *c = stream(401);
    int differ = 0, same = 1;
    for (int i = 0; i < 1000; i++) {
        double x = mkba_dist_sample(&d, a), y = mkba_dist_sample(&d, b);
        same &= memcmp(&x, &y, sizeof x) == 0;
        differ |= mkba_dist_sample(&d, c) != x;
    }
    ck_assert_msg(same, "%s: the same stream gave different draws", e->text);
    ck_assert_msg(differ, "%s: another stream gave the same 1000 draws", e->text);
    gsl_rng_free(a);
    gsl_rng_free(b);
    gsl_rng_free(c);
    mkba_dist_free(&d);
}
END_TEST

/* A batch of draws (mkba_dist_sample_n) is the draws one at a time, bit
 * for bit, and leaves the generator where they do: on mkba's generator
 * (the inline samplers, their constants made once a batch) and on a GSL
 * one (GSL's samplers). */
START_TEST(test_sample_n_is_one_at_a_time)
{
    const expect *e = &table[_i];
    mkba_dist d;
    parse_ok(e->text, &d);
    enum { N = 777 };
    double one[N + 1], batch[N + 1];
    for (int gsl = 0; gsl <= 1; gsl++) {
        gsl_rng *a = gsl ? gsl_rng_alloc(gsl_rng_mt19937) : stream(700);
        gsl_rng *b = gsl ? gsl_rng_alloc(gsl_rng_mt19937) : stream(700);
        for (int i = 0; i < N; i++)
            one[i] = mkba_dist_sample(&d, a);
        mkba_dist_sample_n(&d, b, batch, N);
        one[N] = gsl_rng_uniform(a); /* where the generators were left */
        batch[N] = gsl_rng_uniform(b);
        ck_assert_msg(memcmp(one, batch, sizeof one) == 0, "%s (%s generator)", e->text,
                      gsl ? "GSL's" : "mkba's");
        gsl_rng_free(a);
        gsl_rng_free(b);
    }
    mkba_dist_free(&d);
}
END_TEST

/* Marsaglia & Tsang's gamma method as published (ACM TOMS 26(3), 2000),
 * with their squeeze and log test only, on the standard normals and
 * uniforms of r, for the draws of mkba's sampler, which spares most
 * logarithms with a tighter squeeze of its own that must accept only
 * where theirs does. k < 1: Gamma(k + 1) U^(1/k), U drawn first. */
static double mt_gamma(gsl_rng *r, double k)
{
    mkba_dist z;
    mkba_dist_fixed(&z, 0);
    z.kind = MKBA_DIST_NORMAL;
    z.p[1] = 1; /* 0 + 1 z: the ziggurat's normal itself */
    double ub = k < 1 ? mkba_rng_u01(r) : 0, kk = k < 1 ? k + 1 : k;
    double d = kk - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = mkba_dist_sample(&z, r);
            v = 1.0 + c * x;
        } while (v <= 0);
        v = v * v * v;
        double u = mkba_rng_u01(r), x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2 || log(u) < 0.5 * x2 + d * (1.0 - v + log(v)))
            return k < 1 ? d * v * pow(1.0 - ub, 1.0 / k) : d * v;
    }
}

/* Gamma and beta draws are Marsaglia & Tsang's bit for bit, at shapes
 * from the boosted k < 1 to k = 1e24, where the rounding of the terms of
 * their log test that cancel (some 1e-4) makes it reject 1 draw in 20,000
 * (5e-5 in 1e7 draws of a separate simulation), so a squeeze whose margin
 * did not grow with sqrt(d) would accept some of those. */
START_TEST(test_gamma_is_marsaglia_tsang)
{
    static const char *const texts[] = {"gamma(0.3, 1)", "gamma(1, 1)", "gamma(2.5, 1)",
                                        "gamma(16, 1)", "gamma(1e6, 1)", "gamma(1e24, 1)",
                                        "beta(2, 5)", "beta(9.5, 22.3)"};
    enum { N = 100000 };
    static double got[N];
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        mkba_dist d;
        parse_ok(texts[t], &d);
        gsl_rng *a = stream(900 + t), *b = stream(900 + t);
        mkba_dist_sample_n(&d, a, got, N);
        size_t differ = 0;
        for (size_t i = 0; i < N; i++) {
            double want = mt_gamma(b, d.p[0]);
            if (d.kind == MKBA_DIST_BETA) {
                double y = mt_gamma(b, d.p[1]);
                want = want / (want + y);
            }
            differ += memcmp(&got[i], &want, sizeof want) != 0;
        }
        ck_assert_msg(differ == 0, "%s: %zu of %d draws differ", texts[t], differ, (int)N);
        gsl_rng_free(a);
        gsl_rng_free(b);
        mkba_dist_free(&d);
    }
}
END_TEST

/* A lognormal draw is mkba_exp(mu + sigma z), z the standard normal the
 * same stream gives, whether sampled or made from a copula's normals:
 * not the C library's exp, whose last bit differs between processors
 * with FMA and without for about 1 argument in 1,500 (glibc), which
 * 100,000 draws would show on either kind. */
START_TEST(test_lognormal_is_mkba_exp)
{
    enum { N = 100000 };
    static double got[N], z[N], from_z[N];
    mkba_dist d, n01;
    parse_ok("lognormal(1, 0.5)", &d);
    parse_ok("normal(0, 1)", &n01);
    gsl_rng *a = stream(950), *b = stream(950);
    mkba_dist_sample_n(&d, a, got, N);
    mkba_dist_sample_n(&n01, b, z, N); /* 0 + 1 z: the ziggurat's normal itself */
    mkba_dist_from_normal_n(&d, z, 1, from_z, N);
    size_t differ = 0, differ_copula = 0;
    for (size_t i = 0; i < N; i++) {
        double want = mkba_exp(1 + 0.5 * z[i]);
        differ += memcmp(&got[i], &want, sizeof want) != 0;
        differ_copula += memcmp(&from_z[i], &want, sizeof want) != 0;
    }
    ck_assert_msg(differ == 0, "%zu of %d lognormal draws are not mkba_exp's", differ, (int)N);
    ck_assert_msg(differ_copula == 0, "%zu of %d copula lognormals are not mkba_exp's",
                  differ_copula, (int)N);
    gsl_rng_free(a);
    gsl_rng_free(b);
    mkba_dist_free(&d);
    mkba_dist_free(&n01);
}
END_TEST

START_TEST(test_names)
{
    ck_assert_str_eq(mkba_dist_name(MKBA_DIST_FIXED), "fixed");
    ck_assert_str_eq(mkba_dist_name(MKBA_DIST_NORMAL), "normal");
    ck_assert_str_eq(mkba_dist_name(MKBA_DIST_TRUNCNORMAL), "truncnormal");
    ck_assert_str_eq(mkba_dist_name(MKBA_DIST_LOGNORMAL), "lognormal");
    ck_assert_str_eq(mkba_dist_name(MKBA_DIST_GAMMA), "gamma");
    ck_assert_str_eq(mkba_dist_name(MKBA_DIST_BETA), "beta");
    ck_assert_str_eq(mkba_dist_name(MKBA_DIST_UNIFORM), "uniform");
    ck_assert_str_eq(mkba_dist_name(MKBA_DIST_TRIANGULAR), "triangular");
    ck_assert_str_eq(mkba_dist_name(MKBA_DIST_PERT), "pert");
    ck_assert_str_eq(mkba_dist_name(MKBA_DIST_DISCRETE), "discrete");
    ck_assert_str_eq(mkba_dist_name((mkba_dist_kind)99), "unknown");
}
END_TEST

/* =============================== copula ================================ */

typedef struct ranked {
    double v;          /* value */
    size_t i;          /* its index */
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    double x = ((const ranked *)a)->v, y = ((const ranked *)b)->v;
    return (x > y) - (x < y);
}

/* Ranks 1..n of x (continuous: no ties) into rank[]. */
static void ranks(const double *x, size_t n, double *rank)
{
    ranked *t = malloc(n * sizeof *t);
    ck_assert_ptr_nonnull(t);
    for (size_t i = 0; i < n; i++) {
        t[i].v = x[i];
        t[i].i = i;
    }
    qsort(t, n, sizeof *t, cmp_ranked);
    for (size_t k = 0; k < n; k++)
        rank[t[k].i] = (double)(k + 1);
    free(t);
}

static double pearson(const double *x, const double *y, size_t n)
{
    double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    for (size_t i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / sqrt(sxx * syy);
}

static double spearman(const double *x, const double *y, size_t n)
{
    double *rx = malloc(n * sizeof *rx), *ry = malloc(n * sizeof *ry);
    ck_assert(rx && ry);
    ranks(x, n, rx);
    ranks(y, n, ry);
    double r = pearson(rx, ry, n);
    free(rx);
    free(ry);
    return r;
}

#define N_COP 100000

/* Asked rank correlations 0.6 (1-2), -0.3 (1-3), 0 (2-3), with lognormal,
 * beta and uniform marginals through the quantiles. The Spearman estimate
 * has SE <= 1/sqrt(N - 1) = 0.0032 (its value under independence; smaller
 * under correlation), so 0.01 is over 3 SE. The copula's normals
 * Phi^-1(u) must have Pearson 2 sin(pi 0.6/6) = 0.6180339887498949
 * (mpmath); Pearson r has SE ~ (1 - rho^2)/sqrt(N) = 0.00195, 5 SE = 0.0098
 * (so 0.6, the Spearman value, would fail: 0.018 away). */
START_TEST(test_copula_rank_corr)
{
    const double rc[9] = {1, 0.6, -0.3, 0.6, 1, 0, -0.3, 0, 1};
    mkba_error err;
    mkba_error_clear(&err);
    mkba_copula *c = mkba_copula_alloc(3, rc, &err);
    ck_assert_msg(c != NULL, "%s", err.msg);
    ck_assert_uint_eq(mkba_copula_dim(c), 3);
    mkba_dist dl, db;
    parse_ok("lognormal(mean = 10, sd = 2)", &dl);
    parse_ok("beta(2, 5)", &db);
    double *x = malloc(3 * N_COP * sizeof *x), *z = malloc(2 * N_COP * sizeof *z);
    ck_assert(x && z);
    double *x1 = x, *x2 = x + N_COP, *x3 = x + 2 * N_COP;
    gsl_rng *r = stream(500);
    double u[3], usum = 0;
    size_t outside = 0;
    for (size_t i = 0; i < N_COP; i++) {
        mkba_copula_sample(c, r, u);
        for (int k = 0; k < 3; k++)
            outside += !(u[k] > 0 && u[k] < 1);
        x1[i] = mkba_dist_quantile(&dl, u[0]);
        x2[i] = mkba_dist_quantile(&db, u[1]);
        x3[i] = u[2];
        usum += u[2];
        z[i] = gsl_cdf_ugaussian_Pinv(u[0]);
        z[N_COP + i] = gsl_cdf_ugaussian_Pinv(u[1]);
    }
    ck_assert_uint_eq(outside, 0);
    double s12 = spearman(x1, x2, N_COP), s13 = spearman(x1, x3, N_COP);
    double s23 = spearman(x2, x3, N_COP);
    ck_assert_msg(fabs(s12 - 0.6) < 0.01, "Spearman 1-2 = %.4f, want 0.6", s12);
    ck_assert_msg(fabs(s13 + 0.3) < 0.01, "Spearman 1-3 = %.4f, want -0.3", s13);
    ck_assert_msg(fabs(s23) < 0.01, "Spearman 2-3 = %.4f, want 0", s23);
    double p12 = pearson(z, z + N_COP, N_COP);
    ck_assert_msg(fabs(p12 - 0.6180339887498949) < 0.0098, "Pearson of normals = %.4f", p12);
    /* The marginals stay uniform: mean 1/2 with SE sqrt(1/12/N) = 0.00091. */
    ck_assert_msg(fabs(usum / N_COP - 0.5) < 5 * sqrt(1.0 / 12 / N_COP), "mean u = %g",
                  usum / N_COP);
    gsl_rng_free(r);
    free(x);
    free(z);
    mkba_dist_free(&dl);
    mkba_dist_free(&db);
    mkba_copula_free(c);
    mkba_copula_free(NULL);
}
END_TEST

START_TEST(test_copula_same_stream)
{
    const double rc[4] = {1, -0.5, -0.5, 1};
    mkba_copula *c = mkba_copula_alloc(2, rc, NULL);
    ck_assert_ptr_nonnull(c);
    gsl_rng *a = stream(600), *b = stream(600);
    int same = 1;
    for (int i = 0; i < 1000; i++) {
        double ua[2], ub[2];
        mkba_copula_sample(c, a, ua);
        mkba_copula_sample(c, b, ub);
        same &= memcmp(ua, ub, sizeof ua) == 0;
    }
    ck_assert(same);
    gsl_rng_free(a);
    gsl_rng_free(b);
    mkba_copula_free(c);
}
END_TEST

/* The copula's normals for a block of draws, and the marginals made from
 * them in a batch, are those of one draw at a time, bit for bit. */
START_TEST(test_copula_batch_is_one_at_a_time)
{
    const double rc[9] = {1, 0.4, -0.2, 0.4, 1, 0.1, -0.2, 0.1, 1};
    mkba_copula *c = mkba_copula_alloc(3, rc, NULL);
    ck_assert_ptr_nonnull(c);
    const char *marg[] = {"normal(10, 2)", "lognormal(1, 0.5)", "gamma(2, 3)"};
    enum { N = 300 };
    static double zone[N * 3 + 1], zbatch[N * 3 + 1], xone[N], xbatch[N];
    for (int gsl = 0; gsl <= 1; gsl++) {
        gsl_rng *a = gsl ? gsl_rng_alloc(gsl_rng_mt19937) : stream(800);
        gsl_rng *b = gsl ? gsl_rng_alloc(gsl_rng_mt19937) : stream(800);
        for (int i = 0; i < N; i++)
            mkba_copula_sample_z(c, a, zone + 3 * i);
        mkba_copula_sample_zn(c, b, zbatch, N);
        zone[3 * N] = gsl_rng_uniform(a);
        zbatch[3 * N] = gsl_rng_uniform(b);
        ck_assert(memcmp(zone, zbatch, sizeof zone) == 0);
        for (int k = 0; k < 3; k++) {
            mkba_dist d;
            parse_ok(marg[k], &d);
            for (int i = 0; i < N; i++)
                xone[i] = mkba_dist_from_normal(&d, zone[3 * i + k]);
            mkba_dist_from_normal_n(&d, zbatch + k, 3, xbatch, N);
            ck_assert_msg(memcmp(xone, xbatch, sizeof xone) == 0, "%s", marg[k]);
            mkba_dist_free(&d);
        }
        gsl_rng_free(a);
        gsl_rng_free(b);
    }
    mkba_copula_free(c);
}
END_TEST

typedef struct bad_matrix {
    size_t n;          /* order */
    double m[9];       /* row-major */
    mkba_status code;  /* status */
    const char *msg;   /* exact message */
} bad_matrix;

static const bad_matrix bad_matrices[] = {
    /* Pearson 2 sin(pi .9/6) = .908 with signs (+, -, +): det = 1 - 2(.908^3)
     * - 3(.908^2) < 0, so not positive definite. */
    {3, {1, 0.9, -0.9, 0.9, 1, 0.9, -0.9, 0.9, 1}, MKBA_ENUM,
     "the correlation matrix is not positive definite"},
    /* rank correlation 1: only semi-definite */
    {2, {1, 1, 1, 1}, MKBA_ENUM, "the correlation matrix is not positive definite"},
    {2, {1, 0.5, 0.4, 1}, MKBA_EINVAL,
     "the correlation matrix is not symmetric: entry (1, 2) is 0.5 but entry (2, 1) is 0.4"},
    {3, {1, 0, 0, 0, 1, 1.5, 0, 1.5, 1}, MKBA_EINVAL,
     "the correlation matrix entry (2, 3) is 1.5, outside [-1, 1]"},
    {3, {1, 0, 0, 0, 0.9, 0, 0, 0, 1}, MKBA_EINVAL,
     "the correlation matrix must have 1 on the diagonal, entry (2, 2) is 0.9"},
    {2, {1, NAN, NAN, 1}, MKBA_EINVAL,
     "the correlation matrix entry (1, 2) is nan, outside [-1, 1]"},
    {0, {0}, MKBA_EINVAL, "the correlation matrix is empty"},
};

START_TEST(test_copula_errors)
{
    const bad_matrix *b = &bad_matrices[_i];
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_copula_alloc(b->n, b->m, &err));
    ck_assert_int_eq(err.code, b->code);
    ck_assert_str_eq(err.msg, b->msg);
}
END_TEST

/* ================================ main ================================= */

/* The standard normal sampler's distribution function, not only its
 * moments: the share of 2,000,000 draws below x against Phi(x) at points
 * across the body and in the ziggurat's tail (beyond 3.4426), each within
 * 5 standard errors sqrt(Phi (1 - Phi) / N). A wrong table or wedge test
 * shows up here even when mean and variance look right. */
START_TEST(test_normal_cdf)
{
    enum { N = 2000000 };
    const double xs[] = {-4.0, -3.5, -3.0, -2.0, -1.0, -0.5, 0.0, 0.3, 1.0, 2.0, 3.0, 3.5, 4.0};
    enum { NX = sizeof xs / sizeof xs[0] };
    size_t below[NX] = {0};
    mkba_dist d;
    mkba_dist_fixed(&d, 0);
    d.kind = MKBA_DIST_NORMAL;
    d.p[0] = 0;
    d.p[1] = 1;
    gsl_rng *r = mkba_rng_alloc();
    mkba_rng_stream(r, 99, MKBA_STREAM_DRAWS, 0);
    for (size_t i = 0; i < N; i++) {
        double z = mkba_dist_sample(&d, r);
        for (size_t k = 0; k < NX; k++)
            below[k] += z < xs[k];
    }
    gsl_rng_free(r);
    for (size_t k = 0; k < NX; k++) {
        double p = gsl_cdf_ugaussian_P(xs[k]), se = sqrt(p * (1 - p) / N);
        double emp = (double)below[k] / N;
        ck_assert_msg(fabs(emp - p) < 5 * se, "x = %g: share %.6f, Phi %.6f (se %.2g)", xs[k], emp,
                      p, se);
    }
}
END_TEST

static Suite *dist_suite(void)
{
    Suite *s = suite_create("dist");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_parse_positional);
    tcase_add_test(tc, test_normal_cdf);
    tcase_add_test(tc, test_parse_named);
    tcase_add_test(tc, test_parse_fixed);
    tcase_add_test(tc, test_parse_discrete);
    tcase_add_test(tc, test_parse_locale);
    tcase_add_test(tc, test_parse_null);
    tcase_add_test(tc, test_names);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_loop_test(tc, test_parse_errors, 0, (int)(sizeof bad_cases / sizeof bad_cases[0]));
    suite_add_tcase(s, tc);

    tc = tcase_create("conversions");
    tcase_add_test(tc, test_convert_lognormal);
    tcase_add_test(tc, test_convert_normal_interval);
    tcase_add_test(tc, test_convert_gamma_beta_pert);
    suite_add_tcase(s, tc);

    tc = tcase_create("moments");
    tcase_set_timeout(tc, 300); /* sanitizers and valgrind are slow */
    tcase_add_loop_test(tc, test_closed_moments, 0, (int)N_TABLE);
    tcase_add_loop_test(tc, test_sample_moments, 0, (int)N_TABLE);
    tcase_add_loop_test(tc, test_quantile_moments, 0, (int)N_TABLE);
    suite_add_tcase(s, tc);

    tc = tcase_create("quantile");
    tcase_add_test(tc, test_quantile_cdf);
    tcase_add_test(tc, test_discrete_quantile);
    tcase_add_test(tc, test_p1_p99);
    tcase_add_test(tc, test_discrete_freq);
    suite_add_tcase(s, tc);

    tc = tcase_create("determinism");
    tcase_add_loop_test(tc, test_same_stream_same_draws, 0, (int)N_TABLE);
    tcase_add_loop_test(tc, test_sample_n_is_one_at_a_time, 0, (int)N_TABLE);
    tcase_add_test(tc, test_gamma_is_marsaglia_tsang);
    tcase_add_test(tc, test_lognormal_is_mkba_exp);
    tcase_add_test(tc, test_copula_same_stream);
    tcase_add_test(tc, test_copula_batch_is_one_at_a_time);
    suite_add_tcase(s, tc);

    tc = tcase_create("copula");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_copula_rank_corr);
    tcase_add_loop_test(tc, test_copula_errors, 0,
                        (int)(sizeof bad_matrices / sizeof bad_matrices[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off(); /* every GSL status is checked */
    return tu_run_suite(dist_suite());
}
