/* check_sim.c - the Monte Carlo: expected values in closed form,
 * reproducibility across thread counts, common random numbers, and the
 * model's uncertainty sections.
 *
 * Tolerances: a Monte Carlo mean of N independent draws with standard
 * deviation sigma has standard error sigma / sqrt(N); the tests accept
 * 5 standard errors (a false alarm about once in 1.7 million runs, and the
 * seeds are fixed, so a test either always passes or always fails). */
#include <check.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mkba/cpu.h"
#include "mkba/expr.h"
#include "mkba/mem.h"
#include "mkba/model.h"
#include "mkba/sim.h"
#include "mkba/stream.h"
#include "mkba/summary.h"
#include "mkba/voi.h"
#include "testutil.h"

static char *dir;

static void setup(void)
{
    dir = tu_tmpdir();
}

static void teardown(void)
{
    tu_rmtree(dir);
    free(dir);
}

static const char *HEAD = "[model]\nname = t\nhorizon = 3\nfirst_year = 2020\n"
                          "price_year = 2020\ndiscount_rate = 0\nstakeholders = city, people\n";

/* Open model 'text' with a project scenario that sets on = 1. */
static mkba_model *open_model(const char *text, const char *project)
{
    size_t n = strlen(HEAD) + strlen(text) + 1;
    char *full = malloc(n);
    snprintf(full, n, "%s%s", HEAD, text);
    char *mp = tu_write(dir, "model.ini", full);
    char *pp = tu_write(dir, "project.ini",
                        project ? project
                                : "[scenario]\nname = p\nbase = model.ini\n[parameters]\non = 1\n");
    const char *proj[] = {pp};
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = mkba_model_open(mp, 1, proj, &err);
    ck_assert_msg(m != NULL, "%s (line %ld, %s)", err.msg, err.line, err.where);
    free(full);
    free(mp);
    free(pp);
    return m;
}

static mkba_sim *run(const mkba_model *m, size_t draws, uint64_t seed, int threads)
{
    mkba_sim_opts o = {.draws = draws, .seed = seed, .threads = threads, .keep_items = 1,
                       .keep_uncertain = 1, .keep_finance = 1};
    mkba_error err;
    mkba_error_clear(&err);
    mkba_sim *s = mkba_sim_run(mkba_model_plan(m), &o, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    return s;
}

static double col_mean(const double *x, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    return sum / (double)n;
}

/* ------------------------------------------------------------ closed forms */

START_TEST(linear_model_mean)
{
    /* Benefit x in each of 3 years (rate 0), x ~ normal(100, 10):
     * NPV = 3x, E = 300, SD = 30. Cost y * 2 in year 1, y ~ uniform(0, 10):
     * E = 10, SD = 2 * 10 / sqrt(12). Society NPV = 3x - 2y:
     * E = 290, Var = 900 + 400/12. */
    mkba_model *m = open_model("[parameters]\non = 0\n"
                               "[param.x]\ndistribution = normal(100, 10)\n"
                               "[param.y]\ndistribution = uniform(0, 10)\n"
                               "[item.b]\nkind = benefit\nstakeholder = city\nquantity = on * x\n"
                               "[item.c]\nkind = cost\nstakeholder = people\n"
                               "quantity = on * y * 2\nyears = 1\n",
                               NULL);
    size_t N = 100000;
    mkba_sim *s = run(m, N, 7, 2);
    size_t soc = mkba_sim_col(s, 1, 2);
    double *npv = malloc(N * sizeof *npv), *scratch = malloc(N * sizeof *scratch);
    for (size_t i = 0; i < N; i++)
        npv[i] = s->pv_benefits[soc * N + i] - s->pv_costs[soc * N + i];
    mkba_stats st;
    mkba_stats_of(npv, N, scratch, &st);
    double sd = sqrt(900 + 400.0 / 12);
    ck_assert_double_eq_tol(st.mean, 290, 5 * sd / sqrt((double)N));
    /* The sample SD of N normal-ish draws: SE about sd / sqrt(2N). */
    ck_assert_double_eq_tol(st.sd, sd, 5 * sd / sqrt(2.0 * (double)N));
    /* P5 of 3x - 2y ~ approximately normal: 290 - 1.645 sd (the uniform part is
     * small); within 1.5 (about 5 SE of a quantile estimate here). */
    ck_assert_double_eq_tol(st.p5, 290 - 1.6448536 * sd, 1.5);
    /* The drawn parameters themselves. */
    ck_assert_double_eq_tol(col_mean(s->uncertain, N), 100, 5 * 10 / sqrt((double)N));
    ck_assert_double_eq_tol(col_mean(s->uncertain + N, N), 5, 5 * (10 / sqrt(12.0)) / sqrt((double)N));
    free(npv);
    free(scratch);
    mkba_sim_free(s);
    mkba_model_free(m);
}
END_TEST

START_TEST(product_of_independent)
{
    /* quantity = a * b, a ~ gamma(mean 4, sd 2), b ~ beta(mean 0.25, sd 0.1),
     * independent: E[ab] = 4 * 0.25 = 1; Var[ab] = E[a^2]E[b^2] - 1
     * = (16 + 4)(0.0625 + 0.01) - 1 = 0.45. Year 1 only. */
    mkba_model *m = open_model("[parameters]\non = 0\n"
                               "[param.a]\ndistribution = gamma(mean = 4, sd = 2)\n"
                               "[param.b]\ndistribution = beta(mean = 0.25, sd = 0.1)\n"
                               "[item.b]\nkind = benefit\nstakeholder = city\n"
                               "quantity = on * a * b\nyears = 1\n",
                               NULL);
    size_t N = 200000;
    mkba_sim *s = run(m, N, 11, 0);
    double mean = col_mean(s->pv_benefits + mkba_sim_col(s, 1, 2) * N, N);
    ck_assert_double_eq_tol(mean, 1.0, 5 * sqrt(0.45 / (double)N));
    mkba_sim_free(s);
    mkba_model_free(m);
}
END_TEST

START_TEST(no_uncertainty_equals_deterministic)
{
    /* Without distributions every draw equals the deterministic appraisal. */
    mkba_model *m = open_model("[parameters]\non = 0\nx = 120\n"
                               "[item.b]\nkind = benefit\nstakeholder = city\nquantity = on * x\n"
                               "dropoff = 0.25\n",
                               NULL);
    mkba_error err;
    mkba_error_clear(&err);
    mkba_appraisal *a = mkba_model_appraise(m, &err);
    ck_assert_ptr_nonnull(a);
    mkba_sim *s = run(m, 1000, 3, 1);
    double det = a->balance[mkba_ap_bidx(a, 1, 2)].npv;
    /* 120 + 90 + 67.5 (drop-off 25% a year, rate 0) */
    ck_assert_double_eq_tol(det, 277.5, 1e-9);
    for (size_t i = 0; i < s->draws; i++)
        ck_assert_double_eq_tol(s->pv_benefits[mkba_sim_col(s, 1, 2) * s->draws + i], det, 1e-9);
    mkba_appraisal_free(a);
    mkba_sim_free(s);
    mkba_model_free(m);
}
END_TEST

/* Payback and IRR, the base case and every draw of a run without
 * uncertainty. Project rate 20%, discounted at the start of the year: DF =
 * 1, 1/1.2, 1/1.44. city pays 100 in year 1, gains 108 in year 2 and 54 in
 * year 3 (drop-off 50%), and pays people a transfer of 50 in year 2.
 *   city:    -100, 58, 54; discounted -100, 48.33, 37.5, cumulative -100,
 *            -51.67, -14.17: no payback (never); IRR: -100 u^2 + 58 u + 54 = 0,
 *            u = (58 + sqrt(58^2 + 21600)) / 200 = (58 + 158) / 200 = 1.08: 8%
 *   people:  0, 50, 0: never in deficit, year 1; one sign: no IRR
 *   society: -100, 108, 54 (the transfer cancels); discounted -100, 90, 37.5,
 *            cumulative -100, -10, 27.5: year 3 (undiscounted it would be
 *            year 2); IRR: u = (108 + sqrt(108^2 + 21600)) / 200,
 *            r = (sqrt(33264) - 92) / 200 = 45.2% */
static const char *FIN_MODEL = "[parameters]\non = 0\n"
                               "[item.c]\nkind = cost\nstakeholder = city\n"
                               "quantity = on * 100\nyears = 1\n"
                               "[item.b]\nkind = benefit\nstakeholder = city\n"
                               "quantity = on * 108\nyears = 2-3\ndropoff = 0.5\n"
                               "[item.t]\nkind = transfer\ngainer = people\nloser = city\n"
                               "quantity = on * 50\nyears = 2\n";
static const char *FIN_PROJECT = "[scenario]\nname = p\nbase = model.ini\n"
                                 "[model]\ndiscount_rate = 20%\n[parameters]\non = 1\n";

START_TEST(payback_and_irr_without_uncertainty)
{
    mkba_model *m = open_model(FIN_MODEL, FIN_PROJECT);
    mkba_error err;
    mkba_error_clear(&err);
    mkba_appraisal *a = mkba_model_appraise(m, &err);
    ck_assert_ptr_nonnull(a);
    const mkba_fin *city = &a->fin[mkba_ap_bidx(a, 1, 0)], *people = &a->fin[mkba_ap_bidx(a, 1, 1)],
                   *soc = &a->fin[mkba_ap_bidx(a, 1, 2)];
    double r_city = 0.08, r_soc = (sqrt(33264.0) - 92) / 200;
    ck_assert_int_eq(city->payback, MKBA_FIN_NEVER);
    ck_assert_int_eq(city->irr_status, MKBA_FIN_IRR_UNIQUE);
    ck_assert_double_eq_tol(city->irr, r_city, 1e-10);
    ck_assert_int_eq(people->payback, MKBA_FIN_PAID);
    ck_assert_int_eq(people->year, 1);
    ck_assert_int_eq(people->irr_status, MKBA_FIN_IRR_NONE);
    ck_assert_int_eq(soc->payback, MKBA_FIN_PAID);
    ck_assert_int_eq(soc->year, 3);
    ck_assert_double_eq_tol(soc->irr, r_soc, 1e-10);
    /* the reference against itself: no flows */
    ck_assert_int_eq(a->fin[mkba_ap_bidx(a, 0, 2)].payback, MKBA_FIN_NO_FLOWS);
    ck_assert_int_eq(a->fin[mkba_ap_bidx(a, 0, 2)].irr_status, MKBA_FIN_IRR_NONE);
    /* every draw the same */
    size_t N = 300;
    mkba_sim *s = run(m, N, 3, 2);
    for (size_t i = 0; i < N; i++) {
        ck_assert_float_eq_tol(s->irr[mkba_sim_col(s, 1, 0) * N + i], r_city, 1e-6);
        ck_assert(isnan(s->irr[mkba_sim_col(s, 1, 1) * N + i]));
        ck_assert_float_eq_tol(s->irr[mkba_sim_col(s, 1, 2) * N + i], r_soc, 1e-6);
    }
    const size_t *pc = s->payback_count, *ic = s->irr_count;
    ck_assert_uint_eq(pc[mkba_sim_col(s, 1, 0) * MKBA_FIN_PAYBACK_N + MKBA_FIN_NEVER], N);
    ck_assert_uint_eq(pc[mkba_sim_col(s, 1, 1) * MKBA_FIN_PAYBACK_N + MKBA_FIN_PAID], N);
    ck_assert_uint_eq(pc[mkba_sim_col(s, 1, 2) * MKBA_FIN_PAYBACK_N + MKBA_FIN_PAID], N);
    ck_assert_uint_eq(ic[mkba_sim_col(s, 1, 1) * MKBA_FIN_IRR_N + MKBA_FIN_IRR_NONE], N);
    mkba_mc *mc = mkba_mc_summarize(s, mkba_model_plan(m), 3, NULL, 0, 0);
    ck_assert_double_eq(mc->fin[mkba_mc_idx(mc, 1, 0)].p_payback, 0.0);
    ck_assert_double_eq(mc->fin[mkba_mc_idx(mc, 1, 2)].p_payback, 1.0);
    ck_assert_double_eq(mc->fin[mkba_mc_idx(mc, 1, 1)].irr_share, 0.0);
    ck_assert_double_eq_tol(mc->fin[mkba_mc_idx(mc, 1, 2)].irr.p50, r_soc, 1e-6);
    mkba_mc_free(mc);
    mkba_appraisal_free(a);
    mkba_sim_free(s);
    mkba_model_free(m);
}
END_TEST

START_TEST(payback_and_irr_over_draws)
{
    /* city pays 100 in year 1 and gains x ~ uniform(0, 220) in year 2 (rate
     * 0): flows -100, x, 0. Pays back (in year 2) when x >= 100: P = 120 / 220.
     * IRR: -100 u^2 + x u = 0, u = x / 100, r = x / 100 - 1, one sign change:
     * unique, in the range -99%..1000% when x >= 1 (outside: P = 1 / 220); over
     * those x ~ uniform(1, 220): P50 = 110.5 / 100 - 1, P5 = (1 + 0.05 * 219) /
     * 100 - 1, P95 = (1 + 0.95 * 219) / 100 - 1. people have no flows at all.
     * Tolerances: 5 standard errors (a share: sqrt(p (1 - p) / N); a quantile
     * of a uniform of width 2.19: 2.19 sqrt(p (1 - p) / N), at most 0.0035). */
    mkba_model *m = open_model("[parameters]\non = 0\n"
                               "[param.x]\ndistribution = uniform(0, 220)\n"
                               "[item.c]\nkind = cost\nstakeholder = city\n"
                               "quantity = on * 100\nyears = 1\n"
                               "[item.b]\nkind = benefit\nstakeholder = city\n"
                               "quantity = on * x\nyears = 2\n",
                               NULL);
    size_t N = 100000;
    mkba_sim *s = run(m, N, 17, 2);
    mkba_mc *mc = mkba_mc_summarize(s, mkba_model_plan(m), 17, NULL, 0, 0);
    const mkba_mc_fin *city = &mc->fin[mkba_mc_idx(mc, 1, 0)], *people = &mc->fin[mkba_mc_idx(mc, 1, 1)];
    double p = 120.0 / 220;
    ck_assert_double_eq_tol(city->p_payback, p, 5 * sqrt(p * (1 - p) / (double)N));
    double q = 1.0 / 220, out = (double)city->irr_status[MKBA_FIN_IRR_OUTSIDE] / (double)N;
    ck_assert_double_eq_tol(out, q, 5 * sqrt(q * (1 - q) / (double)N));
    ck_assert_uint_eq(city->irr_status[MKBA_FIN_IRR_UNIQUE] + city->irr_status[MKBA_FIN_IRR_OUTSIDE], N);
    ck_assert_double_eq_tol(city->irr_share, 1 - q, 5 * sqrt(q * (1 - q) / (double)N));
    ck_assert_double_eq_tol(city->irr.p50, 110.5 / 100 - 1, 0.0175);
    ck_assert_double_eq_tol(city->irr.p5, (1 + 0.05 * 219) / 100 - 1, 0.0175);
    ck_assert_double_eq_tol(city->irr.p95, (1 + 0.95 * 219) / 100 - 1, 0.0175);
    /* people: no flows in any draw, so no share to give */
    ck_assert_uint_eq(people->payback[MKBA_FIN_NO_FLOWS], N);
    ck_assert(isnan(people->p_payback));
    ck_assert_uint_eq(people->irr_status[MKBA_FIN_IRR_NONE], N);
    ck_assert_uint_eq(people->irr.n, 0);
    /* society is city here */
    ck_assert_double_eq(mc->fin[mkba_mc_idx(mc, 1, 2)].p_payback, city->p_payback);
    mkba_mc_free(mc);
    mkba_sim_free(s);
    mkba_model_free(m);
}
END_TEST

START_TEST(uncertain_dropoff)
{
    /* quantity 100 over 3 years, drop-off d ~ uniform(0, 0.5), rate 0:
     * PV = 100 (1 + (1-d) + (1-d)^2); with e = 1-d ~ U(0.5, 1):
     * E[e] = 0.75, E[e^2] = (1 - 0.125) / (3 * 0.5) = 0.58333...
     * E[PV] = 100 (1 + 0.75 + 0.583333) = 233.333...; SD < 100. */
    mkba_model *m = open_model("[parameters]\non = 0\n"
                               "[param.d]\ndistribution = uniform(0, 0.5)\n"
                               "[item.b]\nkind = benefit\nstakeholder = city\nquantity = on * 100\n"
                               "dropoff = d\n",
                               NULL);
    size_t N = 100000;
    mkba_sim *s = run(m, N, 5, 2);
    double mean = col_mean(s->pv_benefits + mkba_sim_col(s, 1, 2) * N, N);
    ck_assert_double_eq_tol(mean, 100 * (1 + 0.75 + 0.875 / 1.5), 5 * 100 / sqrt((double)N));
    mkba_sim_free(s);
    mkba_model_free(m);
}
END_TEST

/* Items whose drop-offs are drawn, each PV against its closed form per
 * draw (rate 0, so PV = quantity * sum_{k < L} e^k with e = 1 - drop-off
 * over L years): a and d share the drop-off z / 10, b has another (w / 10)
 * over the same years, c shares a's drop-off over other years (2-3). The
 * annuity of a drop-off is worked out once for the items that share it,
 * and must not be taken for another drop-off or other years. */
START_TEST(shared_and_other_dropoffs)
{
    mkba_model *m = open_model("[parameters]\non = 0\n"
                               "[param.z]\ndistribution = uniform(0, 1)\n"
                               "[param.w]\ndistribution = uniform(0, 1)\n"
                               "[item.a]\nkind = benefit\nstakeholder = city\nquantity = on * 100\n"
                               "dropoff = z / 10\n"
                               "[item.b]\nkind = benefit\nstakeholder = city\nquantity = on * 10\n"
                               "dropoff = w / 10\n"
                               "[item.c]\nkind = cost\nstakeholder = city\nquantity = on\n"
                               "years = 2-3\ndropoff = z / 10\n"
                               "[item.d]\nkind = benefit\nstakeholder = people\nquantity = on * 1000\n"
                               "dropoff = z / 10\n",
                               NULL);
    const mkba_plan *p = mkba_model_plan(m);
    size_t N = 3 * MKBA_SIM_BLOCK + 7, kz = 0;
    ck_assert_uint_eq(p->n_uncertain, 2);
    ck_assert_uint_eq(p->n_items, 4);
    if (strcmp(p->uncertain[0].name, "z") != 0)
        kz = 1;
    mkba_sim *s = run(m, N, 3, 1);
    for (size_t i = 0; i < N; i++) {
        double e = 1 - s->uncertain[kz * N + i] / 10, f = 1 - s->uncertain[(1 - kz) * N + i] / 10;
        double want[4] = {100 * (1 + e + e * e), 10 * (1 + f + f * f), 1 + e,
                          1000 * (1 + e + e * e)};
        for (size_t it = 0; it < 4; it++) {
            double got = s->item_pv[it * N + i];
            ck_assert_msg(fabs(got - want[it]) <= 1e-12 * want[it], "item %zu draw %zu: %.17g, "
                          "expected %.17g", it, i, got, want[it]);
        }
    }
    mkba_sim_free(s);
    mkba_model_free(m);
}
END_TEST

START_TEST(given_effect_is_drawn)
{
    /* effect.e = 0.1 +/- 0.02 (normal); benefit = effect * 1000 in year 1:
     * mean 100, SD 20. */
    mkba_model *m = open_model("[effect.e]\nestimate = 0.1\nse = 0.02\n"
                               "[parameters]\non = 0\n"
                               "[item.b]\nkind = benefit\nstakeholder = city\n"
                               "quantity = on * effect.e * 1000\nyears = 1\n",
                               NULL);
    size_t N = 100000;
    mkba_sim *s = run(m, N, 9, 2);
    double *x = s->pv_benefits + mkba_sim_col(s, 1, 2) * N, *scratch = malloc(N * sizeof *scratch);
    mkba_stats st;
    mkba_stats_of(x, N, scratch, &st);
    ck_assert_double_eq_tol(st.mean, 100, 5 * 20 / sqrt((double)N));
    ck_assert_double_eq_tol(st.sd, 20, 5 * 20 / sqrt(2.0 * (double)N));
    free(scratch);
    mkba_sim_free(s);
    mkba_model_free(m);
}
END_TEST

START_TEST(stats_match_gsl)
{
    /* mkba_stats_of's quantiles by selection equal GSL's quantiles of the
     * sorted data (the same interpolation), for small and large n, with ties;
     * mean and SD equal gsl_stats_mean / gsl_stats_sd; P(> 0) is a count. */
    size_t sizes[] = {1, 2, 3, 7, 20, 63, 64, 65, 100, 1000, 100001, 131072, 300001};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++) {
        size_t n = sizes[t];
        double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *sc = malloc(n * sizeof *sc);
        size_t pos = 0;
        for (size_t i = 0; i < n; i++) {
            x[i] = t % 2 ? floor(gsl_rng_uniform(r) * 10) - 3 : gsl_ran_gaussian(r, 5);
            y[i] = x[i];
            pos += x[i] > 0;
        }
        gsl_sort(y, 1, n);
        mkba_stats st;
        mkba_stats_of(x, n, sc, &st);
        ck_assert_double_eq(st.p5, gsl_stats_quantile_from_sorted_data(y, 1, n, 0.05));
        ck_assert_double_eq(st.p50, gsl_stats_quantile_from_sorted_data(y, 1, n, 0.50));
        ck_assert_double_eq(st.p95, gsl_stats_quantile_from_sorted_data(y, 1, n, 0.95));
        ck_assert_double_eq_tol(st.mean, gsl_stats_mean(y, 1, n), 1e-9);
        if (n > 1) /* GSL's running recurrence vs our two-pass sums: rounding only */
            ck_assert_double_eq_tol(st.sd, gsl_stats_sd(y, 1, n), 1e-12 * gsl_stats_sd(y, 1, n));
        ck_assert_double_eq(st.p_positive, (double)pos / (double)n);
        free(x), free(y), free(sc);
    }
    gsl_rng_free(r);
}
END_TEST

START_TEST(stats_near_overflow)
{
    double sc[4];
    mkba_stats st;
    /* 1e308, 1.2e308, 1.4e308, 1.6e308: the sum (5.2e308) overflows, the
     * statistics do not. By hand, in units of 1e308: mean 1.3; deviations
     * -0.3, -0.1, 0.1, 0.3, squares 0.2 in all, SD sqrt(0.2 / 3) =
     * 0.2581988897471611; P5 at position 0.15: 1 + 0.15 * 0.2 = 1.03; P50
     * 1.3; P95 at 2.85: 1.4 + 0.85 * 0.2 = 1.57. Before: mean infinity and
     * SD 0. */
    const double big[] = {1e308, 1.2e308, 1.4e308, 1.6e308};
    mkba_stats_of(big, 4, sc, &st);
    ck_assert_double_eq_tol(st.mean, 1.3e308, 1e-14 * 1.3e308);
    ck_assert_double_eq_tol(st.sd, 0.2581988897471611e308, 1e-14 * 0.26e308);
    ck_assert_double_eq_tol(st.p5, 1.03e308, 1e-14 * 1.03e308);
    ck_assert_double_eq_tol(st.p50, 1.3e308, 1e-14 * 1.3e308);
    ck_assert_double_eq_tol(st.p95, 1.57e308, 1e-14 * 1.57e308);
    ck_assert_double_eq(st.p_positive, 1);
    /* +-1e200 twice: the squares (1e400) overflow; mean 0, SD
     * 1e200 sqrt(4 / 3) = 1.1547005383792515e200. Before: infinity. */
    const double wide[] = {1e200, -1e200, 1e200, -1e200};
    mkba_stats_of(wide, 4, sc, &st);
    ck_assert_double_eq(st.mean, 0);
    ck_assert_double_eq_tol(st.sd, 1.1547005383792515e200, 1e-14 * 1.16e200);
    /* -1.3e308 and 1.3e308: mean 0, SD 1.3e308 sqrt(2) = 1.84e308, above
     * the largest double (1.797e308): not representable, NaN (n/a), never 0
     * or infinity. */
    const double apart[] = {-1.3e308, 1.3e308};
    mkba_stats_of(apart, 2, sc, &st);
    ck_assert_double_eq(st.mean, 0);
    ck_assert(isnan(st.sd));
    /* Ordinary values keep their bits: 1, 2, 3, 4 -> mean 2.5, SD
     * sqrt(5 / 3) exactly as the double computes it. */
    const double small[] = {1, 2, 3, 4};
    mkba_stats_of(small, 4, sc, &st);
    ck_assert_double_eq(st.mean, 2.5);
    ck_assert_double_eq(st.sd, sqrt(5.0 / 3.0));
}
END_TEST

START_TEST(npv_shape_of_uniform)
{
    /* Society's NPV = x in year 1, x ~ uniform(0, 10): the quantile at p is
     * 10 p (closed form), the grid's ends are the sample's min and max, the
     * median equals the summary's P50 (same interpolation), and each of the
     * 40 equal-width bins over [min, max] holds about N/40 draws: binomial
     * SD sqrt(N (1/40)(39/40)), 5 SD accepted. */
    mkba_model *m = open_model("[parameters]\non = 0\n"
                               "[param.x]\ndistribution = uniform(0, 10)\n"
                               "[item.b]\nkind = benefit\nstakeholder = city\n"
                               "quantity = on * x\nyears = 1\n",
                               NULL);
    size_t N = 40000;
    mkba_sim *s = run(m, N, 5, 2);
    mkba_mc *mc = mkba_mc_summarize(s, mkba_model_plan(m), 5, NULL, 0, 0);
    const double *q = mc->npv_cdf + MKBA_MC_CDF; /* scenario 1 */
    const double *x = s->pv_benefits + mkba_sim_col(s, 1, 2) * N;
    double lo = x[0], hi = x[0];
    for (size_t i = 1; i < N; i++)
        lo = fmin(lo, x[i]), hi = fmax(hi, x[i]);
    ck_assert_double_eq(q[0], lo);
    ck_assert_double_eq(q[MKBA_MC_CDF - 1], hi);
    ck_assert_double_eq(q[(MKBA_MC_CDF - 1) / 2], mc->npv[mkba_mc_idx(mc, 1, 2)].p50);
    for (size_t i = 1; i < MKBA_MC_CDF; i++) {
        double p = (double)i / (MKBA_MC_CDF - 1);
        ck_assert(q[i] >= q[i - 1]);
        /* quantile SE of a uniform: 10 sqrt(p(1-p)/N) <= 0.025; 5 SE */
        ck_assert_double_eq_tol(q[i], 10 * p, 0.125);
    }
    ck_assert_double_eq(mc->hist_lo[1], lo);
    ck_assert_double_eq_tol(mc->hist_width[1], (hi - lo) / MKBA_MC_BINS, 1e-12);
    size_t total = 0;
    double sd = sqrt((double)N * (1.0 / 40) * (39.0 / 40));
    for (size_t b = 0; b < MKBA_MC_BINS; b++) {
        size_t c = mc->hist[MKBA_MC_BINS + b];
        total += c;
        ck_assert_double_eq_tol((double)c, (double)N / 40, 5 * sd);
    }
    ck_assert_uint_eq(total, N);
    mkba_mc_free(mc);
    mkba_sim_free(s);
    mkba_model_free(m);
}
END_TEST

START_TEST(large_quantiles_exact_on_awkward_data)
{
    /* Large samples take a sampled-bracket path; whatever the data's order
     * its quantiles must still equal GSL's on the sorted data: sorted,
     * reversed, all equal, two values, and a pattern that puts the same value
     * at every multiple of a stride (so a strided sample sees only it). */
    size_t n = 262147;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *sc = malloc(n * sizeof *sc);
    for (int pattern = 0; pattern < 5; pattern++) {
        for (size_t i = 0; i < n; i++) {
            switch (pattern) {
            case 0: x[i] = (double)i; break;
            case 1: x[i] = (double)(n - i); break;
            case 2: x[i] = 3.5; break;
            case 3: x[i] = i % 3 ? 1 : -1; break;
            default: x[i] = i % 16 ? (double)(i % 1000) : 1e9; break;
            }
            y[i] = x[i];
        }
        gsl_sort(y, 1, n);
        mkba_stats st;
        mkba_stats_of(x, n, sc, &st);
        ck_assert_double_eq(st.p5, gsl_stats_quantile_from_sorted_data(y, 1, n, 0.05));
        ck_assert_double_eq(st.p50, gsl_stats_quantile_from_sorted_data(y, 1, n, 0.50));
        ck_assert_double_eq(st.p95, gsl_stats_quantile_from_sorted_data(y, 1, n, 0.95));
    }
    free(x), free(y), free(sc);
}
END_TEST

static long resolve_xyz(const char *name, size_t len, void *ctx)
{
    (void)ctx;
    const char *names[] = {"x", "y", "z"};
    for (long i = 0; i < 3; i++)
        if (strlen(names[i]) == len && strncmp(names[i], name, len) == 0)
            return i;
    return -1;
}

START_TEST(block_eval_equals_scalar_eval)
{
    /* The Monte Carlo evaluates expressions block-wise; every operator form
     * must give exactly what the scalar evaluator gives, draw by draw: a
     * slot pushed and combined at once with a slot or a constant (each
     * operator, either way round), into an array of its own, into the
     * column of a slot it does not read (the bottom of the stack), and
     * into the column of a slot it reads (which must be read first), in
     * the portable and the AVX2 code. */
    const char *srcs[] = {"x + y * z", "(x - y) / (z + 1)", "-x ^ 2 + y ^ 3", "min(x, y, 2) * max(z, 0.5)",
                          "abs(x - 3) + sqrt(abs(y)) + exp(z / 10) + log(abs(x) + 1)",
                          "pow(abs(x), 0.5) - 2 / y + (1 - z) * (x + 1) / 3", "7", "x", "2 - x",
                          "y / 4 - (x * (y - (z + (x - 1))))", "x - y", "x / z", "y ^ x", "x ^ 2",
                          "min(x, z)", "max(y, x)", "3 - x", "2 / x", "2 ^ z", "min(1, x)",
                          "max(0, z)", "x * 0.5", "z + 1", "y ^ 0.5"};
    enum { N = 37, STRIDE = 40 };
    double slots[4 * STRIDE], work[4 * STRIDE], out[N], scalar[3], scratch[64 * STRIDE];
    for (int i = 0; i < N; i++) {
        slots[0 * STRIDE + i] = i * 0.37 - 5;
        slots[1 * STRIDE + i] = 1.5 + i % 7;
        slots[2 * STRIDE + i] = (i % 5) - 2.25;
        slots[3 * STRIDE + i] = -1;
    }
    for (size_t k = 0; k < sizeof srcs / sizeof srcs[0]; k++) {
        mkba_error err;
        mkba_error_clear(&err);
        mkba_expr *e = mkba_expr_compile(srcs[k], resolve_xyz, NULL, &err);
        ck_assert_msg(e != NULL, "%s: %s", srcs[k], err.msg);
        ck_assert(mkba_expr_depth(e) <= 64);
        for (int where = 0; where < 6; where++) { /* out, slot 3, slot x; portable, AVX2 */
            memcpy(work, slots, sizeof work);
            double *o = where % 3 == 0 ? out : work + (where % 3 == 1 ? 3 : 0) * STRIDE;
            mkba_cpu_limit(where / 3 ? MKBA_VEC_AVX512 : MKBA_VEC_PORTABLE);
            mkba_expr_eval_block(e, work, STRIDE, N, o, scratch);
            mkba_cpu_limit(MKBA_VEC_AVX512);
            for (int i = 0; i < N; i++) {
                for (int j = 0; j < 3; j++)
                    scalar[j] = slots[j * STRIDE + i];
                double v = mkba_expr_eval(e, scalar);
                ck_assert_msg(memcmp(&v, &o[i], sizeof v) == 0, "%s (%d) draw %d: %g vs %g",
                              srcs[k], where, i, v, o[i]);
            }
        }
        mkba_expr_free(e);
    }
}
END_TEST


/* ------------------------------------------------------------ streaming */

/* Feed x[0..n-1] to a stream in uneven chunks, as many passes as it asks;
 * returns the passes. */
static int stream_stats_keep(const double *x, size_t n, size_t keep_max, mkba_stats *out)
{
    mkba_stream *st = keep_max ? mkba_stream_alloc_keep(keep_max) : mkba_stream_alloc();
    int more = 1, passes = 0;
    while (more) {
        for (size_t i = 0, c = 1; i < n; i += c, c = c * 3 % 9973 + 1)
            mkba_stream_add(st, x + i, i + c <= n ? c : n - i);
        more = mkba_stream_end(st, out);
        passes++;
    }
    mkba_stream_free(st);
    return passes;
}

/* Sums at the edges of the doubles, the same in mkba_stats_of and the
 * stream: (1) deviations whose sum squared overflows while their squares'
 * sum does not (the first 16,384 values 0, so the shift is 0, the rest
 * +-1e151 plus 1e150): the SD is GSL's of the values scaled by 2^-500
 * (exact), scaled back, not 0 as (sum d)^2 / n made it; (2) a constant
 * column: its mean is its value exactly and its SD 0 (the deviations from
 * the sample's mean sum exactly), where a sum of the values is off in the
 * last digits; (3) -0 and +0 mixed: every quantile +0. */
START_TEST(stream_sums_at_the_edges)
{
    size_t n = 100000, S = MKBA_STREAM_SAMPLE;
    double *x = malloc(n * sizeof *x), *sc = malloc(n * sizeof *sc);
    for (int kind = 0; kind < 3; kind++) {
        for (size_t i = 0; i < n; i++)
            x[i] = kind == 0 ? (i < S ? 0 : (i % 2 ? 1e151 : -1e151) + 1e150)
                   : kind == 1 ? 80.400838452788292
                               : (i % 3 ? -0.0 : 0.0);
        mkba_stats a, b;
        mkba_stats_of(x, n, sc, &a);
        stream_stats_keep(x, n, 0, &b);
        if (kind == 0) {
            for (size_t i = 0; i < n; i++)
                sc[i] = ldexp(x[i], -500);
            double want = ldexp(gsl_stats_sd(sc, 1, n), 500);
            ck_assert_msg(fabs(a.sd - want) <= 1e-12 * want, "sd %.17g, want %.17g", a.sd, want);
        } else if (kind == 1) {
            ck_assert(a.mean == 80.400838452788292 && a.sd == 0);
        } else {
            double q[] = {a.p5, a.p50, a.p95, b.p5, b.p50, b.p95};
            for (int k = 0; k < 6; k++)
                ck_assert(q[k] == 0 && !signbit(q[k]));
        }
        double va[] = {a.mean, a.sd, a.p5, a.p50, a.p95}, vb[] = {b.mean, b.sd, b.p5, b.p50, b.p95};
        ck_assert(memcmp(va, vb, sizeof va) == 0);
    }
    free(x);
    free(sc);
}
END_TEST

/* mkba_stats_select_ranks puts the order statistics of the ranks asked for
 * in their places, the values GSL's sort puts there (gsl_sort), with no
 * greater value before and no smaller one after each, and moves the values
 * only: random values, few distinct values (ties), sorted and reversed
 * values, -0 and +0 with infinities; fewer values than a partition takes
 * (a sort) and many; one rank, neighbours, ranks far apart. */
START_TEST(select_ranks_equals_sort)
{
    size_t sizes[] = {1, 5, 63, 64, 65, 1000, 16384, 100003};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    double *x = malloc(100003 * sizeof *x), *y = malloc(100003 * sizeof *y);
    double *ref = malloc(100003 * sizeof *ref);
    for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
        size_t n = sizes[z];
        for (int kind = 0; kind < 5; kind++) {
            for (size_t i = 0; i < n; i++)
                x[i] = kind == 0   ? gsl_ran_gaussian(r, 1)
                       : kind == 1 ? (double)gsl_rng_uniform_int(r, 3)
                       : kind == 2 ? (double)i
                       : kind == 3 ? (double)(n - i)
                       : i % 5 == 0 ? -0.0 : i % 5 == 1 ? 0.0 : i % 5 == 2 ? INFINITY
                       : i % 5 == 3 ? -INFINITY : gsl_ran_gaussian(r, 1);
            memcpy(ref, x, n * sizeof *x);
            gsl_sort(ref, 1, n);
            size_t want[][6] = {{0}, {n - 1}, {n / 2}, {n / 20, n / 20 + 1},
                                {n / 20, n / 2, n - n / 20 - 1},
                                {n / 30, n / 25, n / 2 - n / 30, n / 2 + n / 30, n - n / 25, n - 1}};
            size_t nwant[] = {1, 1, 1, 2, 3, 6};
            for (size_t w = 0; w < sizeof nwant / sizeof *nwant; w++) {
                size_t ks[6], nk = 0; /* increasing, below n */
                for (size_t e = 0; e < nwant[w]; e++)
                    if (want[w][e] < n && (nk == 0 || want[w][e] > ks[nk - 1]))
                        ks[nk++] = want[w][e];
                memcpy(y, x, n * sizeof *x);
                mkba_stats_select_ranks(y, n, ks, nk);
                for (size_t e = 0; e < nk; e++) {
                    size_t k = ks[e];
                    ck_assert_msg(y[k] == ref[k], "n %zu kind %d rank %zu: %g, want %g", n, kind,
                                  k, y[k], ref[k]);
                    for (size_t i = 0; i < n; i++)
                        ck_assert(i < k ? y[i] <= y[k] : i > k ? y[i] >= y[k] : 1);
                }
                mkba_stats_sort(y, n); /* the same values, bit for bit */
                memcpy(ref, x, n * sizeof *x);
                mkba_stats_sort(ref, n);
                ck_assert(memcmp(y, ref, n * sizeof *y) == 0);
                gsl_sort(ref, 1, n);
            }
        }
    }
    gsl_rng_free(r);
    free(x);
    free(y);
    free(ref);
}
END_TEST

/* The streamed statistics are mkba_stats_of's bits for the column held
 * whole (its sums in the same order, its quantiles exact order
 * statistics): continuous values with NaN and infinity among them, ties
 * (two values), a constant, a tie amid two other values, sums that
 * overflow (the whole column), fewer values than the sample, and point
 * masses amid continuous values. Each in one pass as a rule, and again
 * with at most 1,024 values kept per quantile, so that the quantiles pass
 * to bins and a second pass (a crowded bin counted by its distinct values,
 * or the whole column), and again with the AVX2 and the portable sweeps
 * in place of the processor's widest (AVX-512). Before stream.c, none of
 * this existed. */
START_TEST(stream_equals_stats_of)
{
    size_t N = 9 * MKBA_STREAM_SAMPLE + 123, BIG = (size_t)1 << 21;
    double *x = malloc(BIG * sizeof *x), *sc = malloc(BIG * sizeof *sc);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (int kind = 0; kind < 11; kind++) {
        size_t n = kind == 5 ? MKBA_STREAM_SAMPLE / 3 : kind == 7 ? MKBA_STREAM_SAMPLE
                   : kind == 8 ? MKBA_STREAM_SAMPLE + 1 : kind >= 9 ? BIG : N;
        for (size_t i = 0; i < n; i++) {
            double g = gsl_ran_gaussian(r, 1);
            x[i] = kind == 0   ? 1e6 + 3e4 * g + (i % 1000 == 7 ? NAN : 0)
                   : kind == 1 ? (g > 0.3)
                   : kind == 2 ? 42.5
                   : kind == 3 ? 1.5e308 * (g > 0 ? 1 : 0.9)
                   : kind == 4 ? (i % 777 == 1 ? INFINITY : gsl_ran_exponential(r, 2))
                   : kind == 5 || kind == 7 || kind == 8 ? g
                   /* a point mass of 4% amid continuous values, at the median and
                      at P5: more values than a bin keeps (crowded), not all equal */
                   : kind == 9 ? (i % 25 == 0 ? 0 : g)
                   : kind == 10 ? (i % 25 == 0 ? -1.645 : g)
                   /* a tie crowding the median's bin with a second value: the whole column */
                               : (fabs(g) < 0.0025 ? 1e-12 : g > 0 ? 1 : 0);
        }
        mkba_stats a;
        mkba_stats_of(x, n, sc, &a);
        /* keep_max 1024; the AVX2 sweep; the portable one (each where the
           processor has it, else the next narrower) */
        for (int run = 0; run < 4; run++) {
            int small = run == 1;
            mkba_cpu_limit(run < 2 ? 2 : 4 - run);
            mkba_stats b;
            int passes = stream_stats_keep(x, n, small ? 1024 : 0, &b);
            mkba_cpu_limit(MKBA_VEC_AVX512);
            /* the point masses counted at the range's ends: one pass; with
               the bins, two (the point mass a crowded bin of one value) */
            if (kind >= 9)
                ck_assert_int_eq(passes, small ? 2 : 1);
            if (kind == 0 || kind == 4) /* continuous: one pass as a rule, bins two */
                ck_assert_int_eq(passes, small ? 2 : 1);
            if (kind == 3) /* sums that overflow: the whole column */
                ck_assert_int_eq(passes, 2);
            ck_assert_msg(a.n == b.n, "kind %d: n %zu vs %zu", kind, a.n, b.n);
            double va[] = {a.mean, a.sd, a.p5, a.p50, a.p95, a.p_positive};
            double vb[] = {b.mean, b.sd, b.p5, b.p50, b.p95, b.p_positive};
            for (int k = 0; k < 6; k++)
                ck_assert_msg(memcmp(&va[k], &vb[k], sizeof va[k]) == 0,
                              "kind %d (run %d), statistic %d: %.17g vs %.17g", kind, run, k,
                              va[k], vb[k]);
        }
    }
    gsl_rng_free(r);
    free(x);
    free(sc);
}
END_TEST


/* ------------------------------------------------------------ reproducibility */

static const char *MIXED = "[parameters]\non = 0\n"
                           "[param.x]\ndistribution = lognormal(mean = 50, sd = 10)\n"
                           "[param.y]\ndistribution = pert(1, 2, 5)\n"
                           "[param.z]\ndistribution = triangular(0, 1, 3)\n"
                           "[correlations]\nx, y = 0.5\n"
                           "[item.b]\nkind = benefit\nstakeholder = city\nquantity = on * x * y\n"
                           "dropoff = z / 10\n"
                           "[item.c]\nkind = transfer\ngainer = people\nloser = city\n"
                           "quantity = on * z\n";

/* MIXED with 'more' sections after it, opened as open_model does. */
static mkba_model *open_mixed(const char *more)
{
    char *text = mkba_xasprintf("%s%s", MIXED, more);
    mkba_model *m = open_model(text, NULL);
    free(text);
    return m;
}

START_TEST(identical_for_any_thread_count)
{
    mkba_model *m = open_model(MIXED, NULL);
    /* 10 blocks and a partial one, so threads share the work unevenly. */
    size_t N = 10 * MKBA_SIM_BLOCK + 77;
    mkba_sim *s1 = run(m, N, 2024, 1), *s2 = run(m, N, 2024, 2), *s3 = run(m, N, 2024, 3);
    size_t cols = (s1->n_scenarios - 1) * (s1->n_stakeholders + 1);
    size_t bytes = cols * N * sizeof(double);
    ck_assert(memcmp(s1->pv_benefits, s2->pv_benefits, bytes) == 0);
    ck_assert(memcmp(s1->pv_benefits, s3->pv_benefits, bytes) == 0);
    ck_assert(memcmp(s1->pv_costs, s3->pv_costs, bytes) == 0);
    ck_assert(memcmp(s1->uncertain, s3->uncertain, 3 * N * sizeof(double)) == 0);
    ck_assert(memcmp(s1->item_pv, s2->item_pv, (s1->n_scenarios - 1) * s1->n_items * N * sizeof(double)) == 0);
    /* The summaries too: the EVPPI of the inputs is shared out over the
     * simulation's threads, each input computed whole by one of them. */
    mkba_mc *m1 = mkba_mc_summarize(s1, mkba_model_plan(m), 2024, NULL, 0, 0);
    mkba_mc *m3 = mkba_mc_summarize(s3, mkba_model_plan(m), 2024, NULL, 0, 0);
    size_t n_in = s1->n_uncertain + s1->n_outcomes;
    ck_assert_uint_ge(n_in, 3);
    ck_assert(memcmp(m1->evppi, m3->evppi, n_in * sizeof *m1->evppi) == 0);
    ck_assert(memcmp(m1->npv, m3->npv, cols * sizeof *m1->npv) == 0);
    /* payback and IRR per draw (the drop-off z / 10 is drawn: its flows too) */
    ck_assert(memcmp(s1->irr, s2->irr, cols * N * sizeof *s1->irr) == 0);
    ck_assert(memcmp(s1->irr, s3->irr, cols * N * sizeof *s1->irr) == 0);
    ck_assert(memcmp(s1->payback_count, s3->payback_count,
                     cols * MKBA_FIN_PAYBACK_N * sizeof *s1->payback_count) == 0);
    ck_assert(memcmp(s1->irr_count, s3->irr_count, cols * MKBA_FIN_IRR_N * sizeof *s1->irr_count) == 0);
    ck_assert(memcmp(m1->fin + s1->n_stakeholders + 1, m3->fin + s1->n_stakeholders + 1,
                     cols * sizeof *m1->fin) == 0);
    ck_assert(m1->evpi == m3->evpi);
    mkba_mc_free(m1);
    mkba_mc_free(m3);
    mkba_sim *other = run(m, N, 2025, 2);
    ck_assert(memcmp(s1->pv_benefits, other->pv_benefits, bytes) != 0);
    /* A run of fewer draws is a prefix of a longer one (blocks are fixed). */
    mkba_sim *shorter = run(m, 3 * MKBA_SIM_BLOCK, 2024, 2);
    ck_assert(memcmp(shorter->uncertain, s1->uncertain, 3 * MKBA_SIM_BLOCK * sizeof(double)) == 0);
    mkba_sim_free(s1);
    mkba_sim_free(s2);
    mkba_sim_free(s3);
    mkba_sim_free(other);
    mkba_sim_free(shorter);
    mkba_model_free(m);
}
END_TEST

/* The portable evaluation gives the AVX2 evaluation's bits (cpu.h), in
 * every column and count: drop-offs drawn (shared by two items, outside
 * 0..1 in some draws: NaN), fixed and none; a reference whose items have
 * flows (a quantity without 'on') and one whose items have none; costs,
 * benefits and a transfer; flows of both signs (IRR found); a parameter
 * the project fixes (kept aside); a part block at the end. With and
 * without the inputs kept (then drawn straight into their columns). */
START_TEST(portable_equals_avx2)
{
    mkba_model *m = open_model("[parameters]\non = 0\n"
                               "[param.x]\ndistribution = lognormal(mean = 50, sd = 10)\n"
                               "[param.y]\ndistribution = pert(1, 2, 5)\n"
                               "[param.z]\ndistribution = uniform(-0.2, 1.2)\n"
                               "[param.v]\ndistribution = normal(0, 40)\n"
                               "[correlations]\nx, y = 0.5\n"
                               "[item.b]\nkind = benefit\nstakeholder = city\nquantity = on * x * y\n"
                               "dropoff = z\n"
                               "[item.c]\nkind = cost\nstakeholder = city\nquantity = (1 + on) * x\n"
                               "years = 1-2\n"
                               "[item.d]\nkind = benefit\nstakeholder = people\nquantity = on * 10 + v\n"
                               "dropoff = z\n"
                               "[item.t]\nkind = transfer\ngainer = people\nloser = city\n"
                               "quantity = on * y\nyears = 2-3\ndropoff = 0.1\n"
                               "[item.s]\nkind = cost\nstakeholder = people\nquantity = on * v\n",
                               "[scenario]\nname = p\nbase = model.ini\n[parameters]\non = 1\nv = 5\n");
    const mkba_plan *p = mkba_model_plan(m);
    size_t N = 5 * MKBA_SIM_BLOCK + 41, cols = (p->n_scenarios - 1) * (p->n_stakeholders + 1);
    for (int keep_in = 0; keep_in < 2; keep_in++) {
        mkba_sim_opts o = {.draws = N, .seed = 17, .threads = 2, .keep_items = 1,
                           .keep_uncertain = keep_in, .keep_finance = 1};
        mkba_error err;
        mkba_error_clear(&err);
        mkba_cpu_limit(MKBA_VEC_PORTABLE);
        mkba_sim *a = mkba_sim_run(p, &o, &err);
        mkba_cpu_limit(MKBA_VEC_AVX512);
        mkba_sim *b = mkba_sim_run(p, &o, &err);
        ck_assert(a && b);
        ck_assert(memcmp(a->pv_benefits, b->pv_benefits, cols * N * sizeof(double)) == 0);
        ck_assert(memcmp(a->pv_costs, b->pv_costs, cols * N * sizeof(double)) == 0);
        ck_assert(memcmp(a->item_pv, b->item_pv, (p->n_scenarios - 1) * p->n_items * N *
                                                     sizeof(double)) == 0);
        ck_assert(memcmp(a->irr, b->irr, cols * N * sizeof(float)) == 0);
        ck_assert(memcmp(a->payback_count, b->payback_count,
                         cols * MKBA_FIN_PAYBACK_N * sizeof(size_t)) == 0);
        ck_assert(memcmp(a->irr_count, b->irr_count, cols * MKBA_FIN_IRR_N * sizeof(size_t)) == 0);
        ck_assert_uint_eq(a->n_nonfinite, b->n_nonfinite);
        if (keep_in)
            ck_assert(memcmp(a->uncertain, b->uncertain, p->n_uncertain * N * sizeof(double)) == 0);
        /* the cases are there: NaN from drop-offs outside 0..1 (z < 0 in 1/7 of
           the draws), and unique IRRs for city (-2x, then benefits) */
        ck_assert_uint_gt(b->n_nonfinite, N / 10);
        ck_assert_uint_gt(b->irr_count[mkba_sim_col(b, 1, 0) * MKBA_FIN_IRR_N + MKBA_FIN_IRR_UNIQUE], 0);
        mkba_sim_free(a);
        mkba_sim_free(b);
    }
    mkba_model_free(m);
}
END_TEST

/* The sign of a zero difference of present values follows IEEE
 * arithmetic, x * ax - y * ay, also where the reference's item is +0 in
 * every draw (then y * ay is not worked out: x * ax - +0 is x * ax). With
 * x ~ uniform(1, 2) > 0 and factors > 0 (rate 0, three years):
 *   a: 0 * (x - 2x) = -0 in both scenarios: -0 - -0 = +0;
 *   b: (0.5 - on) * 0 * x: project -0.5 * 0 = -0, reference +0:
 *      -0 - +0 = -0;
 *   c: (on - 0.5) * 0 * x: project +0, reference -0: +0 - -0 = +0. */
START_TEST(signed_zeros_of_item_pv)
{
    mkba_model *m = open_model("[parameters]\non = 0\n"
                               "[param.x]\ndistribution = uniform(1, 2)\n"
                               "[item.a]\nkind = benefit\nstakeholder = city\nquantity = 0 * (x - 2 * x)\n"
                               "[item.b]\nkind = benefit\nstakeholder = city\n"
                               "quantity = (0.5 - on) * 0 * x\n"
                               "[item.c]\nkind = cost\nstakeholder = people\n"
                               "quantity = (on - 0.5) * 0 * x\n",
                               NULL);
    size_t N = MKBA_SIM_BLOCK + 3;
    for (int vec = 0; vec < 2; vec++) {
        mkba_cpu_limit(vec ? MKBA_VEC_AVX512 : MKBA_VEC_PORTABLE);
        mkba_sim *s = run(m, N, 8, 1);
        for (size_t i = 0; i < N; i++) {
            ck_assert(s->item_pv[0 * N + i] == 0 && !signbit(s->item_pv[0 * N + i]));
            ck_assert(s->item_pv[1 * N + i] == 0 && signbit(s->item_pv[1 * N + i]));
            ck_assert(s->item_pv[2 * N + i] == 0 && !signbit(s->item_pv[2 * N + i]));
        }
        mkba_sim_free(s);
    }
    mkba_cpu_limit(MKBA_VEC_AVX512);
    mkba_model_free(m);
}
END_TEST

/* A run in an earlier run's memory (the chunks of a summary) writes every
 * value: its columns and counts equal a fresh run's bit for bit, though
 * the memory held other draws; with other draws than the old result it
 * gets memory of its own, the same way. */
START_TEST(reuse_equals_fresh)
{
    mkba_model *m = open_model(MIXED, NULL);
    const mkba_plan *p = mkba_model_plan(m);
    mkba_error err;
    mkba_error_clear(&err);
    for (int other_size = 0; other_size < 2; other_size++) {
        size_t N = 3 * MKBA_SIM_BLOCK + 5;
        mkba_sim_opts o = {.draws = N, .seed = 9, .threads = 2, .keep_items = 1,
                           .keep_uncertain = 1, .keep_finance = 1};
        mkba_sim *old = mkba_sim_run(p, &o, &err);
        o.first_block = 40;
        o.draws = N = other_size ? N + 300 : N;
        mkba_sim *fresh = mkba_sim_run(p, &o, &err), *reused = mkba_sim_run_reuse(p, &o, old, &err);
        ck_assert(fresh && reused);
        size_t cols = (p->n_scenarios - 1) * (p->n_stakeholders + 1);
        ck_assert(memcmp(fresh->pv_benefits, reused->pv_benefits, cols * N * sizeof(double)) == 0);
        ck_assert(memcmp(fresh->pv_costs, reused->pv_costs, cols * N * sizeof(double)) == 0);
        ck_assert(memcmp(fresh->item_pv, reused->item_pv,
                         (p->n_scenarios - 1) * p->n_items * N * sizeof(double)) == 0);
        ck_assert(memcmp(fresh->uncertain, reused->uncertain, p->n_uncertain * N * sizeof(double)) == 0);
        ck_assert(memcmp(fresh->irr, reused->irr, cols * N * sizeof(float)) == 0);
        ck_assert(memcmp(fresh->payback_count, reused->payback_count,
                         cols * MKBA_FIN_PAYBACK_N * sizeof(size_t)) == 0);
        ck_assert(memcmp(fresh->irr_count, reused->irr_count, cols * MKBA_FIN_IRR_N * sizeof(size_t)) == 0);
        ck_assert_uint_eq(fresh->n_nonfinite, reused->n_nonfinite);
        ck_assert_uint_eq(reused->opts.first_block, 40);
        mkba_sim_free(fresh);
        mkba_sim_free(reused);
    }
    mkba_model_free(m);
}
END_TEST

/* The shape of a column fed in uneven chunks, as many passes as it asks;
 * returns the passes. */
static int shape_of(const double *x, size_t n, double *q, double *lo, double *w, size_t *h)
{
    mkba_shape *sh = mkba_shape_alloc(MKBA_MC_CDF, MKBA_MC_BINS);
    int more = 1, passes = 0;
    while (more) {
        for (size_t i = 0, c = 1; i < n; i += c, c = c * 7 % 30011 + 1)
            mkba_shape_add(sh, x + i, i + c <= n ? c : n - i);
        more = mkba_shape_end(sh, q, lo, w, h);
        passes++;
    }
    mkba_shape_free(sh);
    return passes;
}

/* mkba_shape's quantiles and histogram are those of the finite values
 * sorted whole: each quantile gsl_stats_quantile_from_sorted_data's at
 * p = i / 200, the histogram 40 equal bins from the smallest to the
 * largest value (the definition in summary.h, computed here directly).
 * Data: normal with NaN and infinity among them; a heavy tail; 70% ties at
 * 0 (the wanted bins crowded by one value); a first sample of one value
 * and the rest below it (one fine bin crowded by many values: the whole
 * column); fewer values than the sample; none finite; a point mass amid
 * continuous values (two passes). */
START_TEST(shape_equals_sorted)
{
    size_t N = (size_t)1 << 21;
    double *x = malloc(N * sizeof *x), *sorted = malloc(N * sizeof *sorted);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (int kind = 0; kind < 7; kind++) {
        size_t n = kind == 4 ? MKBA_STREAM_SAMPLE / 5 : kind == 3 || kind == 6 ? N : N / 8;
        for (size_t i = 0; i < n; i++) {
            double g = gsl_ran_gaussian(r, 1);
            x[i] = kind == 0   ? -3e5 + 1e5 * g + (i % 1013 == 5 ? NAN : i % 977 == 3 ? -INFINITY : 0)
                   : kind == 1 ? exp(2.5 * g)
                   : kind == 2 ? (g < 0.52 ? 0 : g)
                   : kind == 3 ? (i < MKBA_STREAM_SAMPLE ? 5.0 : gsl_rng_uniform(r))
                   : kind == 4 ? g
                   : kind == 6 ? (i % 5 < 3 ? 0.35 : g) /* a point mass of 60% amid values */
                               : NAN;
        }
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (isfinite(x[i]))
                sorted[m++] = x[i];
        gsl_sort(sorted, 1, m);
        double q[MKBA_MC_CDF], lo, w;
        size_t h[MKBA_MC_BINS], hs = 0;
        int passes = shape_of(x, n, q, &lo, &w, h);
        if (kind == 6) /* the point mass in a bin of its own: no pass over the whole */
            ck_assert_int_eq(passes, 2);
        if (m == 0) {
            ck_assert(isnan(q[0]) && isnan(q[MKBA_MC_CDF - 1]) && isnan(lo) && isnan(w));
            continue;
        }
        for (int i = 0; i < MKBA_MC_CDF; i++) {
            double want = gsl_stats_quantile_from_sorted_data(sorted, 1, m, i / 200.0);
            ck_assert_msg(memcmp(&q[i], &want, sizeof want) == 0,
                          "kind %d, quantile %d: %.17g vs %.17g", kind, i, q[i], want);
        }
        double wlo = sorted[0], ww = (sorted[m - 1] - sorted[0]) / MKBA_MC_BINS;
        ck_assert(lo == wlo && w == ww);
        size_t want_h[MKBA_MC_BINS] = {0};
        for (size_t i = 0; i < m; i++) {
            double b = (sorted[i] - wlo) / ww;
            want_h[b < MKBA_MC_BINS ? (size_t)b : MKBA_MC_BINS - 1]++;
        }
        for (int b = 0; b < MKBA_MC_BINS; b++) {
            ck_assert_uint_eq(h[b], want_h[b]);
            hs += h[b];
        }
        ck_assert_uint_eq(hs, m);
    }
    gsl_rng_free(r);
    free(x);
    free(sorted);
}
END_TEST

/* mkba_mc_stream of p with options o, which must succeed. */
static mkba_mc *stream_ok(const mkba_plan *p, const mkba_sim_opts *o)
{
    mkba_error err;
    mkba_error_clear(&err);
    mkba_mc *mc = mkba_mc_stream(p, o, NULL, 0, 0, &err);
    ck_assert_msg(mc != NULL, "%s", err.msg);
    return mc;
}

/* Every statistic in a and b the same bits. */
static void assert_mc_same(const mkba_mc *a, const mkba_mc *b, const char *what)
{
    size_t S = a->n_scenarios, K1 = a->n_stakeholders + 1, n_in = a->n_uncertain + a->n_outcomes;
#define SAME(f, n) ck_assert_msg(memcmp(a->f, b->f, (n) * sizeof *(a->f)) == 0, "%s: " #f " differs", what)
    SAME(npv, S * K1);
    SAME(pv_benefits, S * K1);
    SAME(pv_costs, S * K1);
    SAME(bcr, S * K1);
    SAME(items + a->n_items, (S - 1) * a->n_items);
    SAME(uncertain, a->n_uncertain);
    SAME(evppi, n_in);
    SAME(p_best, S);
    SAME(npv_cdf, S * MKBA_MC_CDF);
    SAME(hist, S * MKBA_MC_BINS);
    SAME(hist_lo, S);
    SAME(hist_width, S);
    SAME(fin + K1, (S - 1) * K1);
#undef SAME
    ck_assert_msg(a->evpi == b->evpi && a->best == b->best && a->voi_draws == b->voi_draws,
                  "%s: value of information differs", what);
    ck_assert_uint_eq(a->n_nonfinite, b->n_nonfinite);
}

/* A run streamed (mkba_mc_stream: no draws kept, every pass makes them
 * again) has the summary of the same run kept in memory, bit for bit, on
 * any number of threads: over many chunks of draws, past the EVPPI's
 * sample, with items, inputs (one discrete) and finance. */
START_TEST(streamed_equals_kept)
{
    mkba_model *m = open_mixed("[param.w]\ndistribution = discrete(1: 3, 2: 1)\n"
                               "[item.d]\nkind = benefit\nstakeholder = people\nquantity = on * w\n");
    const mkba_plan *p = mkba_model_plan(m);
    size_t N = 2 * MKBA_VOI_SAMPLE + 77;
    mkba_sim *kept = run(m, N, 5, 2);
    mkba_mc *a = mkba_mc_summarize(kept, p, 5, NULL, 0, 0);
    size_t n_in = a->n_uncertain + a->n_outcomes;
    for (int threads = 1; threads <= 3; threads += 2) {
        mkba_sim_opts o = {.draws = N, .seed = 5, .threads = threads,
                           .keep_items = MKBA_SIM_ITEMS_AUTO,
                           .keep_uncertain = MKBA_SIM_INPUTS_REGEN, .keep_finance = 1};
        mkba_mc *b = stream_ok(p, &o);
        assert_mc_same(a, b, "streamed");
        ck_assert(!isnan(a->evppi[0]) && a->voi_draws == N && a->uncertain[0].n == N); /* computed */
        mkba_mc_free(b);
    }
    /* The columns kept and the inputs made again on their own, a part of the
       draws per thread (mkba_sim_inputs_all): the same statistics and EVPPI. */
    mkba_sim_opts ro = {.draws = N, .seed = 5, .threads = 3, .keep_items = MKBA_SIM_ITEMS_KEEP,
                        .keep_uncertain = MKBA_SIM_INPUTS_REGEN, .keep_finance = 1};
    mkba_error rerr;
    mkba_error_clear(&rerr);
    mkba_sim *regen = mkba_sim_run(p, &ro, &rerr);
    ck_assert_msg(regen != NULL, "%s", rerr.msg);
    mkba_mc *c = mkba_mc_summarize(regen, p, 5, NULL, 0, 0);
    ck_assert(memcmp(a->uncertain, c->uncertain, a->n_uncertain * sizeof *a->uncertain) == 0);
    ck_assert(memcmp(a->evppi, c->evppi, n_in * sizeof *a->evppi) == 0);
    mkba_mc_free(c);
    mkba_sim_free(regen);
    mkba_mc_free(a);
    mkba_sim_free(kept);
    mkba_model_free(m);
}
END_TEST

/* The wave (summary.c): each thread makes units of a few blocks of draws
 * and feeds them to every column's statistics itself, each column taking
 * the units in draw order whichever threads hold them. Bit for bit the
 * summary of one thread: with 60 items more (units of two blocks), draws
 * that end inside a block, fewer units than threads, more threads than
 * the machine has cores, society's shape in a pass of its own, and the
 * columns kept in memory. */
START_TEST(wave_identical_for_any_thread_count)
{
    char *more = mkba_xasprintf("[param.w]\ndistribution = discrete(1: 3, 2: 1)\n");
    for (int i = 0; i < 60; i++) {
        char *next = mkba_xasprintf("%s[item.i%d]\nkind = cost\nstakeholder = city\n"
                                    "quantity = on * w * %d\n", more, i, i + 1);
        free(more);
        more = next;
    }
    mkba_model *m = open_mixed(more);
    free(more);
    const mkba_plan *p = mkba_model_plan(m);
    size_t Ns[] = {1, MKBA_SIM_BLOCK + 1, 9 * MKBA_SIM_BLOCK + 77, MKBA_MC_CHUNK + 333};
    int shapes[] = {MKBA_SIM_SHAPE_KEEP, MKBA_SIM_SHAPE_PASS}, threads[] = {2, 3, 8};
    for (size_t n = 0; n < sizeof Ns / sizeof *Ns; n++) {
        for (int sh = 0; sh < 2; sh++) {
            mkba_sim_opts o = {.draws = Ns[n], .seed = 13, .threads = 1,
                               .keep_items = MKBA_SIM_ITEMS_AUTO,
                               .keep_uncertain = MKBA_SIM_INPUTS_REGEN, .keep_finance = 1,
                               .shape = shapes[sh]};
            mkba_mc *a = stream_ok(p, &o);
            ck_assert(a->voi_draws == Ns[n] && a->items[a->n_items + 10].n == Ns[n]); /* computed */
            for (int t = 0; t < 3; t++) {
                o.threads = threads[t];
                mkba_mc *b = stream_ok(p, &o);
                char *what = mkba_xasprintf("%zu draws, shape %d, %d threads", Ns[n], shapes[sh],
                                            threads[t]);
                assert_mc_same(a, b, what);
                free(what);
                mkba_mc_free(b);
            }
            mkba_mc_free(a);
        }
        mkba_sim *k1 = run(m, Ns[n], 13, 1), *k3 = run(m, Ns[n], 13, 3);
        mkba_mc *a = mkba_mc_summarize(k1, p, 13, NULL, 0, 0);
        mkba_mc *b = mkba_mc_summarize(k3, p, 13, NULL, 0, 0);
        assert_mc_same(a, b, "kept");
        mkba_mc_free(a);
        mkba_mc_free(b);
        mkba_sim_free(k1);
        mkba_sim_free(k3);
    }
    mkba_model_free(m);
}
END_TEST

/* Processes simulated by threads that trade through memory: a stand-in
 * for MPI (mpi.c) under summary.h's contract (mkba_mc_ranks), so the
 * summary shared out over processes runs in every build, sanitizers
 * included. A contract broken (a message unmatched, too long for its
 * room) is counted in 'bad'. */
typedef struct team {
    int size;
    atomic_int bad;
    pthread_barrier_t bar;
    mkba_mc_msg **send;         /* [size] each member's messages of the exchange */
    size_t *n_send;
    void **x;                   /* [size] each member's values of the reduction */
} team;

typedef struct member {
    team *t;
    int rank;
    mkba_mc_ranks ranks;
    const mkba_plan *plan;
    mkba_sim_opts o;
    mkba_mc *mc;
} member;

static void team_exchange(void *ctx, mkba_mc_msg *send, size_t n_send, mkba_mc_msg *recv,
                          size_t n_recv)
{
    member *m = ctx;
    team *t = m->t;
    t->send[m->rank] = send;
    t->n_send[m->rank] = n_send;
    pthread_barrier_wait(&t->bar);
    size_t *next = calloc((size_t)t->size, sizeof *next), got = 0;
    for (size_t i = 0; i < n_recv; i++) { /* each sender's messages to me, in order */
        int q = recv[i].peer;
        while (next[q] < t->n_send[q] && t->send[q][next[q]].peer != m->rank)
            next[q]++;
        const mkba_mc_msg *s = next[q] < t->n_send[q] ? &t->send[q][next[q]++] : NULL;
        if (!s || s->bytes > recv[i].bytes) {
            atomic_fetch_add(&t->bad, 1);
            continue;
        }
        memcpy(recv[i].p, s->p, s->bytes);
        recv[i].bytes = s->bytes;
        got++;
    }
    size_t sent_to_me = 0; /* every message sent to me received */
    for (int q = 0; q < t->size; q++)
        for (size_t i = 0; i < t->n_send[q]; i++)
            sent_to_me += t->send[q][i].peer == m->rank;
    if (sent_to_me != got)
        atomic_fetch_add(&t->bad, 1);
    free(next);
    pthread_barrier_wait(&t->bar); /* the senders' data stay until all is copied */
}

static void team_reduce(void *ctx, void *x, size_t n, int op)
{
    member *m = ctx;
    team *t = m->t;
    t->x[m->rank] = x;
    pthread_barrier_wait(&t->bar);
    size_t size = op == MKBA_MC_OR ? 1 : sizeof(uint64_t);
    unsigned char *all = calloc(n + 1, size);
    for (int q = 0; q < t->size; q++)
        for (size_t i = 0; i < n; i++)
            if (op == MKBA_MC_OR) {
                all[i] |= ((const unsigned char *)t->x[q])[i];
            } else {
                uint64_t a, b;
                memcpy(&a, all + i * size, size);
                memcpy(&b, (const unsigned char *)t->x[q] + i * size, size);
                a += b;
                memcpy(all + i * size, &a, size);
            }
    pthread_barrier_wait(&t->bar); /* every member has read every x */
    memcpy(x, all, n * size);
    free(all);
}

static void *member_run(void *arg)
{
    member *m = arg;
    mkba_error err;
    mkba_error_clear(&err);
    m->mc = mkba_mc_stream_ranks(m->plan, &m->o, NULL, 0, 0, &m->ranks, &err);
    return NULL;
}

/* mkba_mc_stream_ranks on K simulated processes; process 0's summary. */
static mkba_mc *stream_on(const mkba_plan *p, const mkba_sim_opts *o, int K, int *bad)
{
    team t = {.size = K};
    atomic_init(&t.bad, 0);
    pthread_barrier_init(&t.bar, NULL, (unsigned)K);
    t.send = calloc((size_t)K, sizeof *t.send);
    t.n_send = calloc((size_t)K, sizeof *t.n_send);
    t.x = calloc((size_t)K, sizeof *t.x);
    member *m = calloc((size_t)K, sizeof *m);
    pthread_t *tid = calloc((size_t)K, sizeof *tid);
    for (int r = 0; r < K; r++) {
        m[r] = (member){.t = &t, .rank = r, .plan = p, .o = *o};
        m[r].ranks = (mkba_mc_ranks){.rank = r, .size = K, .exchange = team_exchange,
                                     .reduce = team_reduce, .ctx = &m[r]};
        ck_assert_int_eq(pthread_create(&tid[r], NULL, member_run, &m[r]), 0);
    }
    for (int r = 0; r < K; r++)
        pthread_join(tid[r], NULL);
    for (int r = 1; r < K; r++) {
        ck_assert(m[r].mc != NULL);
        mkba_mc_free(m[r].mc);
    }
    mkba_mc *mc = m[0].mc;
    *bad = atomic_load(&t.bad);
    pthread_barrier_destroy(&t.bar);
    free(t.send);
    free(t.n_send);
    free(t.x);
    free(m);
    free(tid);
    return mc;
}

/* The summary shared out over K processes (each making every K-th chunk
 * and running the statistics of its share of the columns) is the summary
 * of one, bit for bit, for K = 2 to 4: over three chunks (two rounds of
 * chunks for K = 2, a process without a chunk for K = 4), with items,
 * inputs (one discrete), finance and value of information, society's NPV
 * shape from its draws kept or from a pass of its own, and an input whose
 * sums overflow (values near 1e200), which takes a pass of its own. */
START_TEST(shared_over_processes_equals_one)
{
    mkba_model *m = open_mixed("[param.w]\ndistribution = discrete(1: 3, 2: 1)\n"
                               "[param.huge]\ndistribution = uniform(1e200, 9e200)\n"
                               "[item.d]\nkind = benefit\nstakeholder = people\nquantity = on * w\n");
    const mkba_plan *p = mkba_model_plan(m);
    size_t N = 2 * MKBA_MC_CHUNK + 77;
    int shapes[] = {MKBA_SIM_SHAPE_KEEP, MKBA_SIM_SHAPE_PASS};
    for (int sh = 0; sh < 2; sh++) {
        mkba_sim_opts o = {.draws = N, .seed = 5, .threads = 2, .keep_items = MKBA_SIM_ITEMS_AUTO,
                           .keep_uncertain = MKBA_SIM_INPUTS_REGEN, .keep_finance = 1,
                           .shape = shapes[sh]};
        mkba_mc *a = stream_ok(p, &o);
        size_t n_in = a->n_uncertain + a->n_outcomes;
        ck_assert(!isnan(a->evppi[0]) && !isnan(a->npv_cdf[MKBA_MC_CDF]));
        ck_assert(a->uncertain[n_in - 1].n == N); /* huge: its second pass ran */
        for (int K = 2; K <= 4; K++) {
            int bad;
            mkba_mc *b = stream_on(p, &o, K, &bad);
            ck_assert_msg(bad == 0, "K = %d: %d messages out of order", K, bad);
            char what[32];
            snprintf(what, sizeof what, "K = %d", K);
            assert_mc_same(a, b, what);
            mkba_mc_free(b);
        }
        mkba_mc_free(a);
    }
    mkba_model_free(m);
}
END_TEST

/* Progress: reported from the thread that called mkba_sim_run (a
 * terminal's progress bar must not be drawn from a worker), with the
 * draws done never going back, and once at the end with every draw. */
typedef struct progress_seen {
    pthread_t caller;
    int calls, finals, other_thread, backwards;
    size_t last, total;
} progress_seen;

static void on_progress(void *ctx, size_t done, size_t total)
{
    progress_seen *p = ctx;
    p->calls++;
    p->other_thread += !pthread_equal(pthread_self(), p->caller);
    p->backwards += done < p->last || done > total;
    p->finals += done == total;
    p->last = done;
    p->total = total;
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

START_TEST(progress_from_the_callers_thread)
{
    mkba_model *m = open_model(MIXED, NULL);
    size_t N = 1000 * MKBA_SIM_BLOCK + 5;
    for (int threads = 1; threads <= 2; threads++) {
        progress_seen seen = {.caller = pthread_self()};
        mkba_sim_opts o = {.draws = N, .seed = 3, .threads = threads, .keep_finance = 1,
                           .progress = on_progress, .progress_ctx = &seen};
        mkba_error err;
        mkba_error_clear(&err);
        double t0 = seconds_now();
        mkba_sim *s = mkba_sim_run(mkba_model_plan(m), &o, &err);
        double took = seconds_now() - t0;
        ck_assert_msg(s != NULL, "%s", err.msg);
        ck_assert_int_eq(seen.other_thread, 0);
        ck_assert_int_eq(seen.backwards, 0);
        ck_assert_int_eq(seen.finals, 1);
        ck_assert_uint_eq(seen.last, N);
        ck_assert_uint_eq(seen.total, N);
        /* About ten a second: a run of 0.3 s or more has reported before its end. */
        if (took >= 0.3)
            ck_assert_msg(seen.calls >= 2, "%d threads: %d calls in %.2f s", threads, seen.calls,
                          took);
        mkba_sim_free(s);
    }
    mkba_model_free(m);
}
END_TEST

/* Item PVs left to regeneration (MKBA_SIM_ITEMS_REGEN) give the statistics
 * of the kept ones, bit for bit, on any number of threads; the run keeps
 * none of them. Items: continuous (b), a constant (k), two-valued (d). */
START_TEST(items_by_regeneration_equal_kept)
{
    mkba_model *m = open_mixed("[param.w]\ndistribution = discrete(1: 3, 2: 1)\n"
                               "[item.k]\nkind = cost\nstakeholder = city\nquantity = on * 5\n"
                               "[item.d]\nkind = benefit\nstakeholder = people\nquantity = on * w\n");
    size_t sizes[] = {3 * MKBA_SIM_BLOCK + 5, 9 * MKBA_STREAM_SAMPLE + 77};
    for (int z = 0; z < 2; z++) {
        size_t N = sizes[z];
        mkba_sim *kept = run(m, N, 11, 2);
        mkba_mc *a = mkba_mc_summarize(kept, mkba_model_plan(m), 11, NULL, 0, 0);
        for (int threads = 1; threads <= 3; threads += 2) {
            mkba_sim_opts o = {.draws = N, .seed = 11, .threads = threads,
                               .keep_items = MKBA_SIM_ITEMS_REGEN, .keep_uncertain = 1,
                               .keep_finance = 1};
            mkba_error err;
            mkba_error_clear(&err);
            mkba_sim *s = mkba_sim_run(mkba_model_plan(m), &o, &err);
            ck_assert(s != NULL && s->item_pv == NULL && s->items_regen);
            mkba_mc *b = mkba_mc_summarize(s, mkba_model_plan(m), 11, NULL, 0, 0);
            size_t I = a->n_items;
            ck_assert_uint_eq(I, 4);
            for (size_t i = I; i < 2 * I; i++)
                ck_assert_msg(memcmp(&a->items[i], &b->items[i], sizeof a->items[i]) == 0,
                              "N %zu, %d threads, item %zu: mean %.17g vs %.17g", N, threads,
                              i - I, a->items[i].mean, b->items[i].mean);
            ck_assert(memcmp(a->npv, b->npv, 2 * 3 * sizeof *a->npv) == 0);
            mkba_mc_free(b);
            mkba_sim_free(s);
        }
        mkba_mc_free(a);
        mkba_sim_free(kept);
    }
    mkba_model_free(m);
}
END_TEST

/* Inputs left to regeneration (MKBA_SIM_INPUTS_REGEN): mkba_sim_inputs
 * makes each column the run would keep, bit for bit, in any order of the
 * columns (a copula's x and y, independent z and w) and all at once
 * (mkba_sim_inputs_all), also for a part of a run (first_block); and the
 * summary's statistics and EVPPI of the inputs are those of the kept
 * columns on any number of threads. */
START_TEST(inputs_by_regeneration_equal_kept)
{
    mkba_model *m = open_mixed("[param.w]\ndistribution = discrete(1: 3, 2: 1)\n");
    const mkba_plan *p = mkba_model_plan(m);
    size_t N = 3 * MKBA_SIM_BLOCK + 5, U = p->n_uncertain;
    ck_assert_uint_eq(U, 4);
    mkba_sim *kept = run(m, N, 11, 2);
    double *col = malloc(N * sizeof *col);
    mkba_sim_inputs *g = mkba_sim_inputs_alloc(p, &kept->opts);
    size_t order[] = {0, 1, 2, 3, 3, 1, 2, 0, 2};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        size_t k = order[i];
        mkba_sim_inputs_column(g, k, col);
        ck_assert_msg(memcmp(col, kept->uncertain + k * N, N * sizeof *col) == 0,
                      "input %zu (call %zu) differs", k, i);
    }
    mkba_sim_inputs_free(g);
    double *all = malloc(U * N * sizeof *all);
    g = mkba_sim_inputs_alloc(p, &kept->opts);
    mkba_sim_inputs_all(g, all, N);
    ck_assert(memcmp(all, kept->uncertain, U * N * sizeof *all) == 0);
    mkba_sim_inputs_free(g);
    free(all);
    mkba_sim_opts part = kept->opts;
    part.first_block = 2;
    part.draws = N - 2 * MKBA_SIM_BLOCK;
    g = mkba_sim_inputs_alloc(p, &part);
    for (size_t k = 0; k < U; k++) {
        mkba_sim_inputs_column(g, k, col);
        ck_assert(memcmp(col, kept->uncertain + k * N + 2 * MKBA_SIM_BLOCK,
                         part.draws * sizeof *col) == 0);
    }
    mkba_sim_inputs_free(g);
    mkba_mc *a = mkba_mc_summarize(kept, p, 11, NULL, 0, 0);
    for (int threads = 1; threads <= 3; threads += 2) {
        mkba_sim_opts o = kept->opts;
        o.threads = threads;
        o.keep_uncertain = MKBA_SIM_INPUTS_REGEN;
        mkba_error err;
        mkba_error_clear(&err);
        mkba_sim *s = mkba_sim_run(p, &o, &err);
        ck_assert(s != NULL && s->uncertain == NULL && s->inputs_regen);
        mkba_mc *b = mkba_mc_summarize(s, p, 11, NULL, 0, 0);
        ck_assert(memcmp(a->uncertain, b->uncertain, U * sizeof *a->uncertain) == 0);
        ck_assert(memcmp(a->evppi, b->evppi, U * sizeof *a->evppi) == 0);
        ck_assert(a->uncertain[0].n == N && a->evppi[0] == a->evppi[0]); /* computed, not NaN */
        mkba_mc_free(b);
        mkba_sim_free(s);
    }
    mkba_mc_free(a);
    free(col);
    mkba_sim_free(kept);
    mkba_model_free(m);
}
END_TEST

START_TEST(common_random_numbers)
{
    /* Two project scenarios that differ by a fixed cost of 7 in year 1: with
     * common random numbers their NPVs differ by exactly 7 in every draw. */
    mkba_model *m = open_model(MIXED, NULL);
    char *p2 = tu_write(dir, "p2.ini",
                        "[scenario]\nname = p2\nbase = model.ini\n[parameters]\non = 1\n"
                        "[item.fixed]\nkind = cost\nstakeholder = city\nquantity = 7\nyears = 1\n");
    char *mp = malloc(strlen(dir) + 20), *pp = malloc(strlen(dir) + 20);
    sprintf(mp, "%s/model.ini", dir);
    sprintf(pp, "%s/project.ini", dir);
    const char *proj[] = {pp, p2};
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m2 = mkba_model_open(mp, 2, proj, &err);
    ck_assert_msg(m2 != NULL, "%s", err.msg);
    size_t N = 5000;
    mkba_sim *s = run(m2, N, 1, 2);
    size_t a = mkba_sim_col(s, 1, 2), b = mkba_sim_col(s, 2, 2);
    for (size_t i = 0; i < N; i++) {
        double npv1 = s->pv_benefits[a * N + i] - s->pv_costs[a * N + i];
        double npv2 = s->pv_benefits[b * N + i] - s->pv_costs[b * N + i];
        ck_assert_double_eq_tol(npv1 - npv2, 7, 1e-9);
    }
    mkba_sim_free(s);
    mkba_model_free(m2);
    mkba_model_free(m);
    free(mp);
    free(pp);
    free(p2);
}
END_TEST

START_TEST(scenario_fixes_a_parameter)
{
    /* The project fixes x = 10 (overriding its distribution): every draw of
     * the project has quantity 10 in year 1. */
    mkba_model *m = open_model("[parameters]\non = 0\n"
                               "[param.x]\ndistribution = normal(100, 10)\n"
                               "[item.b]\nkind = benefit\nstakeholder = city\nquantity = on * x\n"
                               "years = 1\n",
                               "[scenario]\nbase = model.ini\n[parameters]\non = 1\nx = 10\n");
    mkba_sim *s = run(m, 600, 4, 2);
    for (size_t i = 0; i < 600; i++)
        ck_assert_double_eq(s->pv_benefits[mkba_sim_col(s, 1, 2) * 600 + i], 10);
    mkba_sim_free(s);
    mkba_model_free(m);
}
END_TEST

/* Scenarios in turn fix an uncertain parameter and draw it: the project
 * 'a' fixes x = 10, the project 'b' after it (and the reference before)
 * see the draw of x again. Rate 0, one year: each project's PV of the
 * benefit on * x is its x, against the reference's 0. */
START_TEST(scenarios_fix_and_draw_in_turn)
{
    char *mp = tu_write(dir, "model.ini",
                        "[model]\nname = t\nhorizon = 1\nfirst_year = 2020\nprice_year = 2020\n"
                        "discount_rate = 0\nstakeholders = city\n"
                        "[parameters]\non = 0\n"
                        "[param.x]\ndistribution = normal(100, 10)\n"
                        "[item.b]\nkind = benefit\nstakeholder = city\nquantity = on * x\n");
    char *pa = tu_write(dir, "a.ini", "[scenario]\nname = a\nbase = model.ini\n"
                                      "[parameters]\non = 1\nx = 10\n");
    char *pb = tu_write(dir, "b.ini", "[scenario]\nname = b\nbase = model.ini\n"
                                      "[parameters]\non = 1\n");
    const char *proj[] = {pa, pb};
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = mkba_model_open(mp, 2, proj, &err);
    ck_assert_msg(m != NULL, "%s", err.msg);
    size_t N = 2 * MKBA_SIM_BLOCK + 9;
    for (int threads = 1; threads <= 2; threads++) {
        mkba_sim *s = run(m, N, 8, threads);
        ck_assert_uint_eq(s->n_scenarios, 3);
        const double *a = s->pv_benefits + mkba_sim_col(s, 1, 1) * N;
        const double *b = s->pv_benefits + mkba_sim_col(s, 2, 1) * N;
        for (size_t i = 0; i < N; i++) {
            ck_assert_double_eq(a[i], 10);
            ck_assert_double_eq(b[i], s->uncertain[i]); /* the draw, not 10 */
        }
        ck_assert_double_eq_tol(col_mean(b, N), 100, 5 * 10 / sqrt((double)N));
        mkba_sim_free(s);
    }
    mkba_model_free(m);
    free(mp), free(pa), free(pb);
}
END_TEST

START_TEST(nonfinite_for_one_stakeholder_is_counted)
{
    /* A transfer cancels for society, so a transfer that is not finite only
     * shows for its stakeholders: such draws are still counted. The
     * transfer's drop-off d ~ uniform(-1, 1) is outside 0..1 about half the
     * time (d < 0), which gives no valid amount: count between 40% and 60%
     * of 2000 draws (a binomial with SD about 22 draws). */
    mkba_model *m = open_model("[parameters]\non = 0\n"
                               "[param.d]\ndistribution = uniform(-1, 1)\n"
                               "[item.t]\nkind = transfer\ngainer = city\nloser = people\n"
                               "quantity = on * 10\ndropoff = d\n",
                               NULL);
    mkba_sim *s = run(m, 2000, 8, 2);
    ck_assert_msg(s->n_nonfinite > 800 && s->n_nonfinite < 1200, "%zu", s->n_nonfinite);
    mkba_sim_free(s);
    mkba_model_free(m);
}
END_TEST

/* ------------------------------------------------------------ model errors */

static void expect_model_error(const char *text, long line, const char *msg)
{
    size_t n = strlen(HEAD) + strlen(text) + 1;
    char *full = malloc(n);
    snprintf(full, n, "%s%s", HEAD, text);
    char *mp = tu_write(dir, "model.ini", full);
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = mkba_model_open(mp, 0, NULL, &err);
    ck_assert_msg(m == NULL, "accepted: %s", text);
    ck_assert_msg(tu_contains(err.msg, msg), "'%s' lacks '%s'", err.msg, msg);
    ck_assert_int_eq(err.line, line);
    free(full);
    free(mp);
}

START_TEST(uncertainty_errors)
{
    /* HEAD has 7 lines; the text starts on line 8. */
    expect_model_error("[param.x]\ndistribution = normal(1, -2)\n", 9, "sd must be > 0");
    expect_model_error("[param.x]\ndistribution = normale(1, 2)\n", 9,
                       "unknown distribution 'normale'");
    expect_model_error("[param.x]\nvalue = 1\n[param.y]\nvalue = 2\n[correlations]\nx, y = 0.5\n",
                       13, "'x' is not an uncertain parameter");
    expect_model_error("[param.a]\ndistribution = uniform(0, 1)\n"
                       "[param.b]\ndistribution = uniform(0, 1)\n"
                       "[param.c]\ndistribution = uniform(0, 1)\n"
                       "[correlations]\na, b = 0.9\nb, c = 0.9\na, c = -0.9\n",
                       14, "not positive definite");
    expect_model_error("[param.a]\ndistribution = uniform(0, 1)\n[param.b]\nvalue = 1\n"
                       "[correlations]\na, b = 1.5\n",
                       13, "'b' is not an uncertain parameter");
    expect_model_error("[simulation]\ndraws = 0\n", 9, "expected a whole number from 1 to");
    expect_model_error("[param.a]\ndistribution = uniform(0, 1)\n"
                       "[param.b]\ndistribution = uniform(0, 1)\n"
                       "[correlations]\na, b = 0.5\nb, a = -0.5\n",
                       14, "this pair already has a correlation");
}
END_TEST

START_TEST(scenario_cannot_set_distribution)
{
    size_t n = strlen(HEAD) + 64;
    char *full = malloc(n);
    snprintf(full, n, "%s[param.x]\nvalue = 1\n", HEAD);
    char *mp = tu_write(dir, "model.ini", full);
    char *pp = tu_write(dir, "p.ini", "[scenario]\nbase = model.ini\n[param.x]\n"
                                      "distribution = normal(1, 1)\n");
    const char *proj[] = {pp};
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_model_open(mp, 1, proj, &err));
    ck_assert(tu_contains(err.msg, "distributions are set in the base model"));
    ck_assert_int_eq(err.line, 4);
    free(full);
    free(mp);
    free(pp);
}
END_TEST

static Suite *sim_suite(void)
{
    Suite *s = suite_create("sim");
    TCase *tc = tcase_create("closed forms");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, linear_model_mean);
    tcase_add_test(tc, product_of_independent);
    tcase_add_test(tc, npv_shape_of_uniform);
    tcase_add_test(tc, large_quantiles_exact_on_awkward_data);
    tcase_add_test(tc, no_uncertainty_equals_deterministic);
    tcase_add_test(tc, uncertain_dropoff);
    tcase_add_test(tc, shared_and_other_dropoffs);
    tcase_add_test(tc, payback_and_irr_without_uncertainty);
    tcase_add_test(tc, payback_and_irr_over_draws);
    tcase_add_test(tc, given_effect_is_drawn);
    tcase_add_test(tc, stats_match_gsl);
    tcase_add_test(tc, stats_near_overflow);
    tcase_add_test(tc, block_eval_equals_scalar_eval);
    tcase_add_test(tc, select_ranks_equals_sort);
    tcase_add_test(tc, stream_equals_stats_of);
    tcase_add_test(tc, stream_sums_at_the_edges);
    tcase_add_test(tc, shape_equals_sorted);
    suite_add_tcase(s, tc);
    tc = tcase_create("reproducibility");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, identical_for_any_thread_count);
    tcase_add_test(tc, reuse_equals_fresh);
    tcase_add_test(tc, portable_equals_avx2);
    tcase_add_test(tc, signed_zeros_of_item_pv);
    tcase_add_test(tc, progress_from_the_callers_thread);
    tcase_add_test(tc, items_by_regeneration_equal_kept);
    tcase_add_test(tc, inputs_by_regeneration_equal_kept);
    tcase_add_test(tc, streamed_equals_kept);
    tcase_add_test(tc, wave_identical_for_any_thread_count);
    tcase_add_test(tc, shared_over_processes_equals_one);
    tcase_add_test(tc, common_random_numbers);
    tcase_add_test(tc, scenario_fixes_a_parameter);
    tcase_add_test(tc, scenarios_fix_and_draw_in_turn);
    tcase_add_test(tc, nonfinite_for_one_stakeholder_is_counted);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, uncertainty_errors);
    tcase_add_test(tc, scenario_cannot_set_distribution);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    return tu_run_suite(sim_suite());
}
