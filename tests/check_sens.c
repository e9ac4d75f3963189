/* check_sens.c - one-way sensitivity and switching values against closed
 * forms, on models whose answers are known by construction. */
#include <check.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/model.h"
#include "mkba/sens.h"
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

/* Rate 0, horizon 1: NPV = benefits - costs in year 1. */
static const char *HEAD = "[model]\nname = t\nhorizon = 1\nfirst_year = 2020\n"
                          "price_year = 2020\ndiscount_rate = 0\nstakeholders = city, people\n";

static mkba_model *open_model(const char *text)
{
    size_t n = strlen(HEAD) + strlen(text) + 1;
    char *full = malloc(n);
    snprintf(full, n, "%s%s", HEAD, text);
    char *mp = tu_write(dir, "model.ini", full);
    char *pp = tu_write(dir, "p.ini", "[scenario]\nname = p\nbase = model.ini\n[parameters]\n"
                                      "on = 1\n");
    const char *proj[] = {pp};
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = mkba_model_open(mp, 1, proj, &err);
    ck_assert_msg(m != NULL, "%s (line %ld)", err.msg, err.line);
    free(full), free(mp), free(pp);
    return m;
}

static mkba_sens *run(const mkba_model *m)
{
    mkba_error err;
    mkba_error_clear(&err);
    mkba_sens *s = mkba_sens_run(mkba_model_plan(m), &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    return s;
}

static size_t input_index(const mkba_sens *s, const char *name)
{
    for (size_t i = 0; i < s->n_inputs; i++)
        if (strcmp(s->inputs[i].name, name) == 0)
            return i;
    ck_abort_msg("no input %s", name);
    return 0;
}

START_TEST(switching_value_linear)
{
    /* Benefit 20 * x to people, cost 150 to the city: NPV = 20x - 150, zero
     * at x = 7.5 (inside uniform(0, 10)). The cost c ~ uniform(100, 200):
     * NPV = 20 * 5 - c is zero at c = 100 (the base x = value 5): at the
     * range's edge, found there. */
    mkba_model *m = open_model("[parameters]\non = 0\n"
                               "[param.x]\nvalue = 5\ndistribution = uniform(0, 10)\n"
                               "[param.c]\nvalue = 150\ndistribution = uniform(100, 200)\n"
                               "[item.b]\nkind = benefit\nstakeholder = people\nquantity = on * 20 * x\n"
                               "[item.k]\nkind = cost\nstakeholder = city\nquantity = on * c\n");
    mkba_sens *s = run(m);
    size_t x = input_index(s, "x"), c = input_index(s, "c");
    ck_assert_int_eq(s->switch_status[x * s->n_scenarios + 1], MKBA_SWITCH_FOUND);
    ck_assert_double_eq_tol(s->switching[x * s->n_scenarios + 1], 7.5, 1e-9);
    /* With x at base 5: NPV = 100 - c, zero at c = 100 (the uniform's lower
     * end; the search range is its P0.1 = 100.1 .. P99.9: none inside). */
    ck_assert_int_eq(s->switch_status[c * s->n_scenarios + 1], MKBA_SWITCH_NONE);
    /* Per stakeholder: people's NPV 20x is zero at x = 0, the range's lower
     * end (P0.1 = 0.01): none inside; the city's NPV -c does not depend on x. */
    size_t S = s->n_scenarios, K = s->n_stakeholders;
    ck_assert_int_eq(s->switch_status_by[(x * S + 1) * K + 1], MKBA_SWITCH_NONE);
    ck_assert_int_eq(s->switch_status_by[(x * S + 1) * K + 0], MKBA_SWITCH_FLAT);
    /* Base NPV: 20 * 5 - 150 = -50 for society. */
    ck_assert_double_eq_tol(s->npv_base[1 * 3 + 2], -50, 1e-9);
    /* x at P10 = 1 and P90 = 9: NPV -130 and 30; people's NPV 20 and 180. */
    ck_assert_double_eq_tol(s->inputs[x].lo, 1, 1e-12);
    ck_assert_double_eq_tol(s->inputs[x].hi, 9, 1e-12);
    ck_assert_double_eq_tol(s->npv_lo[mkba_sens_idx(s, x, 1, 2)], -130, 1e-9);
    ck_assert_double_eq_tol(s->npv_hi[mkba_sens_idx(s, x, 1, 2)], 30, 1e-9);
    ck_assert_double_eq_tol(s->npv_hi[mkba_sens_idx(s, x, 1, 1)], 180, 1e-9);
    mkba_sens_free(s);
    mkba_model_free(m);
}
END_TEST

START_TEST(tornado_order_by_construction)
{
    /* Three inputs, uniform(0, 10) each (P10 1, P90 9, a range of 8), with
     * coefficients 1, 5 and 3: swings 8, 40 and 24, so the order is b, c, a;
     * d is not used by any item: swing 0, last, "no effect". */
    mkba_model *m = open_model("[parameters]\non = 0\n"
                               "[param.a]\ndistribution = uniform(0, 10)\n"
                               "[param.b]\ndistribution = uniform(0, 10)\n"
                               "[param.c]\ndistribution = uniform(0, 10)\n"
                               "[param.d]\ndistribution = uniform(0, 10)\n"
                               "[item.i]\nkind = benefit\nstakeholder = city\n"
                               "quantity = on * (a + 5 * b + 3 * c)\n");
    mkba_sens *s = run(m);
    const size_t *o = s->order + 1 * s->n_inputs;
    ck_assert_str_eq(s->inputs[o[0]].name, "b");
    ck_assert_str_eq(s->inputs[o[1]].name, "c");
    ck_assert_str_eq(s->inputs[o[2]].name, "a");
    ck_assert_str_eq(s->inputs[o[3]].name, "d");
    size_t b = o[0];
    ck_assert_double_eq_tol(fabs(s->npv_hi[mkba_sens_idx(s, b, 1, 2)] -
                                 s->npv_lo[mkba_sens_idx(s, b, 1, 2)]),
                            40, 1e-9);
    ck_assert_int_eq(s->switch_status[o[3] * s->n_scenarios + 1], MKBA_SWITCH_FLAT);
    /* NPV = a + 5b + 3c > 0 on the whole range of a (base: means 5, so 45 + a):
     * no break-even for a. */
    ck_assert_int_eq(s->switch_status[o[2] * s->n_scenarios + 1], MKBA_SWITCH_NONE);
    mkba_sens_free(s);
    mkba_model_free(m);
}
END_TEST

START_TEST(effect_break_even)
{
    /* A given effect 0.02 +/- 0.01 on 500 persons worth 1000 each, against a
     * cost of 30000: NPV = 500 * 1000 * e - 30000, zero at e = 0.06 (inside
     * the search range of 20 SE = 0.2 either way). P10/P90 of the effect:
     * 0.02 -/+ 1.2815516 * 0.01. */
    mkba_model *m = open_model("[cohort]\nn_pilot = 500\nn_control = 500\n"
                               "[effect.work]\nestimate = 0.02\nse = 0.01\n"
                               "[parameters]\non = 0\n"
                               "[item.b]\nkind = benefit\nstakeholder = people\n"
                               "quantity = on * effect.work * n_pilot\nprice = 1000\n"
                               "[item.k]\nkind = cost\nstakeholder = city\nquantity = on * 30000\n");
    mkba_sens *s = run(m);
    size_t e = input_index(s, "effect.work");
    ck_assert_double_eq_tol(s->inputs[e].lo, 0.02 - 1.2815515655446004 * 0.01, 1e-12);
    ck_assert_double_eq_tol(s->switching[e * s->n_scenarios + 1], 0.06, 1e-9);
    /* People's NPV 500000 e is zero at e = 0 (inside [0.02 - 1, 0.02 + 1]). */
    ck_assert_int_eq(s->switch_status_by[(e * s->n_scenarios + 1) * 2 + 1], MKBA_SWITCH_FOUND);
    ck_assert_double_eq_tol(s->switching_by[(e * s->n_scenarios + 1) * 2 + 1], 0, 1e-9);
    mkba_sens_free(s);
    mkba_model_free(m);
}
END_TEST

/* The one-way analysis, the switching values (a search a task), the
 * two-way grid and the Sobol indices are the same bits on 1, 2 and 3
 * threads. Five inputs and two stakeholders: 15 searches. */
START_TEST(same_on_any_number_of_threads)
{
    mkba_model *m = open_model("[cohort]\nn_pilot = 500\nn_control = 500\n"
                               "[effect.work]\nestimate = 0.02\nse = 0.01\n"
                               "[parameters]\non = 0\n"
                               "[param.price]\ndistribution = lognormal(mean = 1000, sd = 200)\n"
                               "[param.cost]\ndistribution = gamma(mean = 30000, sd = 5000)\n"
                               "[param.share]\ndistribution = beta(mean = 0.4, sd = 0.1)\n"
                               "[param.extra]\ndistribution = triangular(0, 1000, 5000)\n"
                               "[item.b]\nkind = benefit\nstakeholder = people\n"
                               "quantity = on * effect.work * n_pilot\nprice = price\n"
                               "[item.k]\nkind = cost\nstakeholder = city\n"
                               "quantity = on * (cost + extra)\n"
                               "[item.t]\nkind = transfer\ngainer = people\nloser = city\n"
                               "quantity = on * share * 10000\n");
    const mkba_plan *p = mkba_model_plan(m);
    mkba_sens *s[3];
    for (int t = 0; t < 3; t++) {
        mkba_error err;
        mkba_error_clear(&err);
        s[t] = mkba_sens_run_threads(p, t + 1, &err);
        ck_assert_msg(s[t] != NULL, "%s", err.msg);
        ck_assert_int_eq(s[t]->threads, t + 1);
        ck_assert_msg(mkba_sens_twoway(s[t], p, "price", "effect.work", 9, &err) == MKBA_OK, "%s",
                      err.msg);
        ck_assert_msg(mkba_sens_sobol(s[t], p, 1500, 5, t + 1, &err) == MKBA_OK, "%s", err.msg);
    }
    size_t N = s[0]->n_inputs, S = s[0]->n_scenarios, K = s[0]->n_stakeholders;
    ck_assert_uint_eq(N, 5);
    size_t per = S * (K + 1), md = s[0]->sobol->m * s[0]->sobol->d;
    for (int t = 1; t < 3; t++) {
        ck_assert(memcmp(s[t]->npv_base, s[0]->npv_base, per * sizeof(double)) == 0);
        ck_assert(memcmp(s[t]->npv_lo, s[0]->npv_lo, N * per * sizeof(double)) == 0);
        ck_assert(memcmp(s[t]->npv_hi, s[0]->npv_hi, N * per * sizeof(double)) == 0);
        ck_assert(memcmp(s[t]->switching, s[0]->switching, N * S * sizeof(double)) == 0);
        ck_assert(memcmp(s[t]->switch_status, s[0]->switch_status,
                         N * S * sizeof *s[0]->switch_status) == 0);
        ck_assert(memcmp(s[t]->switching_by, s[0]->switching_by, N * S * K * sizeof(double)) == 0);
        ck_assert(memcmp(s[t]->switch_status_by, s[0]->switch_status_by,
                         N * S * K * sizeof *s[0]->switch_status_by) == 0);
        ck_assert(memcmp(s[t]->grid, s[0]->grid, S * 81 * sizeof(double)) == 0);
        ck_assert(memcmp(s[t]->sobol->first, s[0]->sobol->first, md * sizeof(double)) == 0);
        ck_assert(memcmp(s[t]->sobol->total_hi, s[0]->sobol->total_hi, md * sizeof(double)) == 0);
    }
    /* Something was found to compare: society's break-even effect, where
     * 500 * 1000 * e (the price at its base) meets the costs (above 30000
     * at base, so e > 0.06, inside its search range of 1 either way). */
    size_t e = input_index(s[0], "effect.work");
    ck_assert_int_eq(s[0]->switch_status[e * S + 1], MKBA_SWITCH_FOUND);
    ck_assert_double_gt(s[0]->switching[e * S + 1], 0.06);
    for (int t = 0; t < 3; t++)
        mkba_sens_free(s[t]);
    mkba_model_free(m);
}
END_TEST

static Suite *sens_suite(void)
{
    Suite *s = suite_create("sens");
    TCase *tc = tcase_create("one-way");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, switching_value_linear);
    tcase_add_test(tc, tornado_order_by_construction);
    tcase_add_test(tc, effect_break_even);
    tcase_add_test(tc, same_on_any_number_of_threads);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    return tu_run_suite(sens_suite());
}
