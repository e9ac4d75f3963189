/* check_model.c - model and scenario files: discounting, items, transfers,
 * scenarios against the reference, and the errors a user sees.
 *
 * Every expected number is derived independently of mkba's own loops: the
 * closed forms of annuities and geometric series, or a hand calculation in
 * the comment beside it. */
#include <check.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/dist.h"
#include "mkba/ini.h"
#include "mkba/model.h"
#include "mkba/prices.h"
#include "mkba/utf8.h"
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

/* A model without a cohort: effects are given, counts too. */
static const char *BASE_HEAD = "[model]\n"
                               "name = test\n"
                               "horizon = 10\n"
                               "first_year = 2020\n"
                               "price_year = 2020\n"
                               "discount_rate = 3%\n"
                               "discount_timing = end\n"
                               "stakeholders = city, people, state\n";

static char *model_with(const char *extra)
{
    size_t n = strlen(BASE_HEAD) + strlen(extra) + 1;
    char *text = malloc(n);
    snprintf(text, n, "%s%s", BASE_HEAD, extra);
    char *path = tu_write(dir, "model.ini", text);
    free(text);
    return path;
}

/* Open 'ref' with the projects; returns the appraisal (or NULL + err). */
static mkba_appraisal *appraise(const char *ref, size_t n, const char *const *proj,
                                mkba_error *err)
{
    mkba_error_clear(err);
    mkba_model *m = mkba_model_open(ref, n, proj, err);
    if (!m)
        return NULL;
    mkba_appraisal *a = mkba_model_appraise(m, err);
    mkba_model_free(m);
    return a;
}

static mkba_appraisal *appraise_pair(const char *model_extra, const char *scen_text,
                                     mkba_error *err)
{
    char *model = model_with(model_extra);
    char *scen = tu_write(dir, "project.ini", scen_text);
    const char *proj[] = {scen};
    mkba_appraisal *a = appraise(model, 1, proj, err);
    free(model);
    free(scen);
    return a;
}

static const char *PROJECT_ON = "[scenario]\nname = project\nbase = model.ini\n"
                                "[parameters]\non = 1\n";

/* ---------------------------------------------------------------- prices */

/* An index written like the CBS file: comments, the header, one row a
 * year. The numbers are round so that every factor below is a fraction a
 * reader can check by hand. */
static const char *INDEX = "# test index\n"
                           "year,index\n"
                           "2016,100\n"
                           "2017,102\n"
                           "2018,105\n"
                           "2019,110\n"
                           "2020,112\n";

START_TEST(price_year_rebases_parameter_and_items)
{
    /* Model price year 2020 (index 112):
     *   x = 1000 in 2018 prices        -> 1000 x 112 / 105 = 1066.666...
     *   item b: price = x               -> 1066.666... (x is rebased once)
     *   item c: price = 500, 2017       -> 500 x 112 / 102 = 549.0196...
     *   item d: no price, 200, 2019     -> 200 x 112 / 110 = 203.6363...
     *   item e: price = 70, no price_year -> 70 as written.
     * The project sets x = 2000: still in 2018 prices, 2000 x 112 / 105. */
    mkba_error err;
    free(tu_write(dir, "cpi.csv", INDEX));
    mkba_appraisal *a = appraise_pair(
        "[prices]\nindex = cpi.csv\n"
        "[parameters]\non = 0\n"
        "[param.x]\nvalue = 1000\nunit = EUR per person\nprice_year = 2018\n"
        "[item.b]\nkind = benefit\nstakeholder = city\nquantity = 1\nprice = x\nyears = 1\n"
        "[item.c]\nkind = cost\nstakeholder = city\nquantity = 1\nprice = 500\nyears = 1\n"
        "price_year = 2017\n"
        "[item.d]\nkind = cost\nstakeholder = people\nquantity = 200\nyears = 1\n"
        "price_year = 2019\n"
        "[item.e]\nkind = cost\nstakeholder = people\nquantity = 1\nprice = 70\nyears = 1\n",
        "[scenario]\nname = project\nbase = model.ini\n[parameters]\non = 1\nx = 2000\n", &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    ck_assert_double_eq_tol(a->flow[mkba_ap_fidx(a, 0, 0, 0)], 1000.0 * 112 / 105, 1e-9);
    ck_assert_double_eq_tol(a->flow[mkba_ap_fidx(a, 1, 0, 0)], 2000.0 * 112 / 105, 1e-9);
    ck_assert_double_eq_tol(a->flow[mkba_ap_fidx(a, 0, 1, 0)], 500.0 * 112 / 102, 1e-9);
    ck_assert_double_eq_tol(a->flow[mkba_ap_fidx(a, 0, 2, 0)], 200.0 * 112 / 110, 1e-9);
    ck_assert_double_eq(a->flow[mkba_ap_fidx(a, 0, 3, 0)], 70);
    /* The appraisal keeps the amount as written beside the rebased one. */
    const mkba_ap_param *x = &a->params[1];
    ck_assert_str_eq(x->name, "x");
    ck_assert_int_eq(x->price_year, 2018);
    ck_assert_double_eq_tol(x->price_factor, 112.0 / 105, 1e-15);
    ck_assert_double_eq_tol(x->base[0], 1000.0 * 112 / 105, 1e-9);
    ck_assert_double_eq_tol(mkba_ap_param_original(x, 0), 1000, 1e-9);
    ck_assert_double_eq_tol(mkba_ap_param_original(x, 1), 2000, 1e-9);
    ck_assert_int_eq(a->params[0].price_year, 0); /* 'on' is no amount */
    ck_assert_double_eq(mkba_ap_param_original(&a->params[0], 1), 1);
    ck_assert_int_eq(a->items[1].price_year, 2017);
    ck_assert_double_eq_tol(a->items[1].price_factor, 112.0 / 102, 1e-15);
    ck_assert_int_eq(a->items[0].price_year, 0);
    ck_assert_ptr_nonnull(a->price_index);
    ck_assert_double_eq(a->price_index_at, 112);
    mkba_appraisal_free(a);
}
END_TEST

START_TEST(price_year_rebases_distribution)
{
    /* The distribution is in the same year's prices as the value: with
     * f = 112 / 105, normal(100, 10) becomes normal(100 f, 10 f), and
     * lognormal(mu, sigma) of log X becomes lognormal(mu + log f, sigma).
     * y has no value: its base value is the mean 100, rebased to 100 f. */
    mkba_error err;
    free(tu_write(dir, "cpi.csv", INDEX));
    char *model = model_with("[prices]\nindex = cpi.csv\n"
                             "[param.y]\ndistribution = normal(100, 10)\nprice_year = 2018\n"
                             "[param.z]\nvalue = 1\ndistribution = lognormal(0, 0.5)\n"
                             "price_year = 2018\n"
                             "[item.b]\nkind = benefit\nstakeholder = city\nquantity = y\n"
                             "years = 1\n");
    mkba_error_clear(&err);
    mkba_model *m = mkba_model_open(model, 0, NULL, &err);
    ck_assert_msg(m != NULL, "%s", err.msg);
    const mkba_plan *plan = mkba_model_plan(m);
    double f = 112.0 / 105;
    ck_assert_uint_eq(plan->n_uncertain, 2);
    ck_assert_double_eq_tol(plan->uncertain[0].dist->p[0], 100 * f, 1e-12);
    ck_assert_double_eq_tol(plan->uncertain[0].dist->p[1], 10 * f, 1e-12);
    ck_assert_double_eq_tol(plan->uncertain[1].dist->p[0], log(f), 1e-15);
    ck_assert_double_eq_tol(plan->uncertain[1].dist->p[1], 0.5, 1e-15);
    mkba_appraisal *a = mkba_model_appraise(m, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    ck_assert_double_eq_tol(a->flow[mkba_ap_fidx(a, 0, 0, 0)], 100 * f, 1e-9);
    mkba_appraisal_free(a);
    mkba_model_free(m);
    free(model);
}
END_TEST

START_TEST(price_index_file)
{
    /* A good file: comments, blank lines, CRLF, a UTF-8 BOM, another column
     * order and the index column named by the caller. */
    mkba_error err;
    char *p = tu_write(dir, "ix.csv",
                       "\xEF\xBB\xBF# CBS\r\n\r\nindex_2015, year\r\n95.5,2014\r\n100,2015\r\n"
                       "# a comment between rows\n101.25, 2016\n");
    mkba_error_clear(&err);
    mkba_price_index *ix = mkba_price_index_read(p, "index_2015", &err);
    ck_assert_msg(ix != NULL, "%s", err.msg);
    ck_assert_int_eq(mkba_price_index_first(ix), 2014);
    ck_assert_int_eq(mkba_price_index_last(ix), 2016);
    ck_assert_double_eq(mkba_price_index_of(ix, 2016), 101.25);
    ck_assert_double_eq(mkba_price_index_of(ix, 2013), 0);
    ck_assert_double_eq(mkba_price_index_of(ix, 2017), 0);
    ck_assert_double_eq_tol(mkba_price_factor(ix, 2014, 2016), 101.25 / 95.5, 1e-15);
    ck_assert_double_eq(mkba_price_factor(ix, 2013, 2016), 0);
    mkba_price_index_free(ix);
    free(p);
    /* The data file shipped with mkba reads, and gives the factor of the
     * Almere example by hand: CBS 71905ned, 2017 2838.2, 2018 2886.8. */
    mkba_error_clear(&err);
    char *cbs = tu_src("data/cpi_cbs.csv");
    ix = mkba_price_index_read(cbs, NULL, &err);
    free(cbs);
    ck_assert_msg(ix != NULL, "%s", err.msg);
    ck_assert_int_eq(mkba_price_index_first(ix), 2000);
    ck_assert_double_eq_tol(mkba_price_factor(ix, 2017, 2018), 2886.8 / 2838.2, 1e-15);
    /* 2020-2024 are chained from CBS's yearly changes 1.3, 2.7, 10.0, 3.8 and
     * 3.3%, each year rounded to 0.1 index points (< 3e-5 of it) */
    double chained = 1.013 * 1.027 * 1.100 * 1.038 * 1.033;
    ck_assert(fabs(mkba_price_factor(ix, 2019, 2024) / chained - 1) < 1e-4);
    mkba_price_index_free(ix);
}
END_TEST

START_TEST(error_price_index_file)
{
    /* Each bad file gives its line and what was expected. */
    static const struct {
        const char *text;
        long line;
        const char *msg;
    } cases[] = {
        {"# x\nyr,index\n2017,1\n", 2,
         "expected the columns 'year' and 'index' (e.g. year,index), no 'year' found"},
        {"year,cpi\n2017,1\n", 1,
         "expected the columns 'year' and 'index' (e.g. year,index), no 'index' found"},
        {"year,index\n2017,101.7\n2018,1O3.4\n", 3,
         "column index: expected an index number > 0 with '.' as the decimal point, got "
         "'1O3.4'"},
        {"year,index\n2017,101,7\n", 2, "expected 2 fields like the header, got 3"},
        {"year,index\n2017,0\n", 2,
         "column index: expected an index number > 0 with '.' as the decimal point, got '0'"},
        {"year,index\n2017,1\n2017,2\n", 3, "year 2017 is listed twice (also on an earlier line)"},
        {"year,index\n2017,1\n2019,2\n", 3,
         "year 2018 is missing: expected 2018 after 2017 (line 2), got 2019 (every year from "
         "the first to the last)"},
        {"year,index\n2017,1\n2018,2\n2016,3\n", 4,
         "expected the years in increasing order, got 2016 after 2018 (line 3)"},
        {"year,index\n'17,1\n", 2, "expected a year from 1900 to 2200, got ''17'"},
        {"# only comments\n\n", 2, "no years; expected a header (year,index) and one row per "
                                   "year"},
        {"year,index\n", 1, "no years; expected a header (year,index) and one row per year"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mkba_error err;
        mkba_error_clear(&err);
        char *p = tu_write(dir, "bad.csv", cases[i].text);
        mkba_price_index *ix = mkba_price_index_read(p, NULL, &err);
        ck_assert_msg(ix == NULL, "case %zu read", i);
        ck_assert_int_eq(err.code, MKBA_EINVAL);
        ck_assert_str_eq(err.file, p);
        ck_assert_int_eq(err.line, cases[i].line);
        ck_assert_str_eq(err.msg, cases[i].msg);
        free(p);
    }
}
END_TEST

/* ---------------------------------------------------------------- discounting */

START_TEST(annuity_end_of_year)
{
    /* A benefit of 1000 a year for 10 years at 3%, end-of-year timing:
     * PV = 1000 * (1 - 1.03^-10) / 0.03 (ordinary annuity). */
    mkba_error err;
    mkba_appraisal *a = appraise_pair("[parameters]\non = 0\n"
                                      "[item.b]\nkind = benefit\nstakeholder = city\n"
                                      "quantity = on\nprice = 1000\n",
                                      PROJECT_ON, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    double expect = 1000 * (1 - pow(1.03, -10)) / 0.03;
    mkba_balance *soc = &a->balance[mkba_ap_bidx(a, 1, a->n_stakeholders)];
    ck_assert_double_eq_tol(soc->pv_benefits, expect, 1e-9);
    ck_assert_double_eq_tol(soc->npv, expect, 1e-9);
    ck_assert_double_eq_tol(soc->benefits, 10000, 1e-9); /* 10 x 1000 undiscounted */
    ck_assert(isnan(soc->bcr));                          /* no costs: no ratio */
    /* The reference (scenario 0) has the item at 0: no difference with itself. */
    ck_assert_double_eq(a->balance[mkba_ap_bidx(a, 0, a->n_stakeholders)].npv, 0);
    mkba_appraisal_free(a);
}
END_TEST

START_TEST(annuity_start_and_mid)
{
    /* Start-of-year: annuity due = ordinary annuity * 1.03.
     * Mid-year: each factor is the start factor / sqrt(1.03). */
    mkba_error err;
    const char *extra = "[parameters]\non = 0\n"
                        "[item.b]\nkind = benefit\nstakeholder = city\nquantity = on * 1000\n";
    const char *timings[] = {"start", "mid"};
    double ordinary = 1000 * (1 - pow(1.03, -10)) / 0.03;
    double expect[] = {ordinary * 1.03, ordinary * 1.03 / sqrt(1.03)};
    for (int i = 0; i < 2; i++) {
        char head[600];
        snprintf(head, sizeof head,
                 "[model]\nname = t\nhorizon = 10\nfirst_year = 2020\nprice_year = 2020\n"
                 "discount_rate = 0.03\ndiscount_timing = %s\nstakeholders = city\n%s",
                 timings[i], extra);
        char *model = tu_write(dir, "model.ini", head);
        char *scen = tu_write(dir, "project.ini", PROJECT_ON);
        const char *proj[] = {scen};
        mkba_appraisal *a = appraise(model, 1, proj, &err);
        ck_assert_msg(a != NULL, "%s", err.msg);
        ck_assert_double_eq_tol(a->balance[mkba_ap_bidx(a, 1, 1)].pv_benefits, expect[i],
                                1e-9);
        mkba_appraisal_free(a);
        free(model);
        free(scen);
    }
}
END_TEST

START_TEST(stepped_schedule)
{
    /* Rates 4% in years 1-2, 2% from year 3; end-of-year timing, a cost of 100
     * in year 4 only: DF_4 = 1 / (1.04^2 * 1.02^2). */
    mkba_error err;
    char *model = tu_write(dir, "model.ini",
                           "[model]\nname = t\nhorizon = 6\nfirst_year = 2020\n"
                           "price_year = 2020\ndiscount_rate = 1-2: 4%, 3-: 2%\n"
                           "discount_timing = end\nstakeholders = city\n"
                           "[parameters]\non = 0\n"
                           "[item.c]\nkind = cost\nstakeholder = city\nquantity = on\n"
                           "price = 100\nyears = 4\n");
    char *scen = tu_write(dir, "project.ini", PROJECT_ON);
    const char *proj[] = {scen};
    mkba_appraisal *a = appraise(model, 1, proj, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    double df4 = 1 / (1.04 * 1.04 * 1.02 * 1.02);
    ck_assert_double_eq_tol(a->discount[mkba_ap_tidx(a, 1, 3)], df4, 1e-15);
    ck_assert_double_eq(a->rate[mkba_ap_tidx(a, 1, 1)], 0.04);
    ck_assert_double_eq(a->rate[mkba_ap_tidx(a, 1, 2)], 0.02);
    mkba_balance *b = &a->balance[mkba_ap_bidx(a, 1, 1)];
    ck_assert_double_eq_tol(b->pv_costs, 100 * df4, 1e-12);
    ck_assert_double_eq_tol(b->npv, -100 * df4, 1e-12);
    ck_assert_double_eq_tol(b->costs, 100, 1e-12);
    mkba_appraisal_free(a);
    free(model);
    free(scen);
}
END_TEST

START_TEST(dropoff_geometric)
{
    /* 1000 in year 1, falling 20% a year over years 1-10, 3% end of year:
     * PV = sum_{t=1..10} 1000 * 0.8^(t-1) / 1.03^t
     *    = (1000 / 1.03) * (1 - q^10) / (1 - q), q = 0.8 / 1.03. */
    mkba_error err;
    mkba_appraisal *a = appraise_pair("[parameters]\non = 0\nd = 0.2\n"
                                      "[item.b]\nkind = benefit\nstakeholder = people\n"
                                      "quantity = on * 1000\ndropoff = d\n",
                                      PROJECT_ON, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    double q = 0.8 / 1.03;
    double expect = 1000 / 1.03 * (1 - pow(q, 10)) / (1 - q);
    ck_assert_double_eq_tol(a->item_pv[1 * a->n_items + 0], expect, 1e-9);
    /* Undiscounted: 1000 * (1 - 0.8^10) / 0.2. */
    ck_assert_double_eq_tol(a->balance[mkba_ap_bidx(a, 1, 1)].benefits,
                            1000 * (1 - pow(0.8, 10)) / 0.2, 1e-9);
    mkba_appraisal_free(a);
}
END_TEST

/* ------------------------------------------------------- stakeholders, transfers */

/* mkba_npv: benefits minus costs, 0 where they cancel to rounding noise.
 * 0.1 + 0.2 - 0.3 is 2^-54 (5.55e-17) in doubles, not 0: the rule makes
 * it 0. Near the largest double the size |b| + |c| overflows, and
 * a real NPV stays: 1.2e308 - 1.6e308 = -4e307, as the subtraction gives
 * it; an NPV that overflows stays infinite. */
START_TEST(npv_rule)
{
    volatile double x = 0.1, y = 0.2, z = 0.3; /* computed at run time */
    double b = x + y, c = z;
    ck_assert(b - c != 0); /* the noise the rule is for */
    ck_assert_double_eq(mkba_npv(b, c), 0);
    ck_assert_double_eq(mkba_npv(1.2e308, 1.6e308), 1.2e308 - 1.6e308);
    ck_assert_double_eq(mkba_npv(1.5e308, -1.5e308), INFINITY);
    ck_assert_double_eq(mkba_npv(5, 2), 3);
    ck_assert(isnan(mkba_npv(NAN, 1)));
}
END_TEST

START_TEST(transfer_cancels_for_society)
{
    /* Year 1 only (DF = 1/1.03): benefit 300 to people, cost 100 to city,
     * transfer 50 from state to city.
     *   city:   PV benefits 50/1.03, PV costs 100/1.03 -> NPV -50/1.03
     *   people: PV benefits 300/1.03                   -> NPV 300/1.03
     *   state:  PV costs 50/1.03                       -> NPV -50/1.03
     *   society (no transfer): 300/1.03 - 100/1.03 = 200/1.03, B/C 3. */
    mkba_error err;
    mkba_appraisal *a = appraise_pair(
        "[parameters]\non = 0\n"
        "[item.b]\nkind = benefit\nstakeholder = people\nquantity = on * 300\nyears = 1\n"
        "[item.c]\nkind = cost\nstakeholder = city\nquantity = on * 100\nyears = 1\n"
        "[item.t]\nkind = transfer\ngainer = city\nloser = state\nquantity = on * 50\n"
        "years = 1\n",
        PROJECT_ON, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    double d = 1 / 1.03;
    ck_assert_double_eq_tol(a->balance[mkba_ap_bidx(a, 1, 0)].npv, -50 * d, 1e-12);
    ck_assert_double_eq_tol(a->balance[mkba_ap_bidx(a, 1, 0)].pv_benefits, 50 * d, 1e-12);
    ck_assert_double_eq_tol(a->balance[mkba_ap_bidx(a, 1, 1)].npv, 300 * d, 1e-12);
    ck_assert_double_eq_tol(a->balance[mkba_ap_bidx(a, 1, 2)].npv, -50 * d, 1e-12);
    mkba_balance *soc = &a->balance[mkba_ap_bidx(a, 1, 3)];
    ck_assert_double_eq_tol(soc->npv, 200 * d, 1e-12);
    ck_assert_double_eq_tol(soc->pv_benefits, 300 * d, 1e-12);
    ck_assert_double_eq_tol(soc->pv_costs, 100 * d, 1e-12);
    ck_assert_double_eq_tol(soc->bcr, 3.0, 1e-12);
    /* Sum over stakeholders equals society's NPV (transfers cancel). */
    double sum = 0;
    for (size_t k = 0; k < 3; k++)
        sum += a->balance[mkba_ap_bidx(a, 1, k)].npv;
    ck_assert_double_eq_tol(sum, soc->npv, 1e-12);
    /* Net flows per stakeholder in year 1, undiscounted. */
    ck_assert_double_eq_tol(a->net_flow[(1 * 4 + 0) * 10 + 0], -50, 1e-12);
    ck_assert_double_eq_tol(a->net_flow[(1 * 4 + 3) * 10 + 0], 200, 1e-12);
    mkba_appraisal_free(a);
}
END_TEST

/* ------------------------------------------------------------- scenarios */

START_TEST(scenarios_override_and_add)
{
    /* Reference: cost 100/yr in years 1-2 (regular staff). Project A:
     * parameters change that cost to 150, disables item 'x', adds a new
     * item 'extra' (cost 10 in year 1). Project B = the model itself.
     * Undiscounted deltas for A: staff +50 +50, x -20 (year 1), extra +10
     * -> costs 50 + 50 - 20 + 10 = 90. */
    mkba_error err;
    char *model = model_with("[parameters]\nstaff = 100\n"
                             "[item.staff]\nkind = cost\nstakeholder = city\nquantity = staff\n"
                             "years = 1-2\n"
                             "[item.x]\nkind = cost\nstakeholder = city\nquantity = 20\n"
                             "years = 1\n");
    char *ref = tu_write(dir, "ref.ini", "[scenario]\nname = ref\nbase = model.ini\n");
    char *sa = tu_write(dir, "a.ini",
                        "[scenario]\nname = a\nlabel = Project A\nbase = model.ini\n"
                        "reference = ref.ini\n[parameters]\nstaff = 150\n"
                        "[item.x]\nenabled = no\n"
                        "[item.extra]\nkind = cost\nstakeholder = state\nquantity = 10\n"
                        "years = 1\n");
    const char *proj[] = {sa, model};
    mkba_appraisal *a = appraise(NULL, 2, proj, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    ck_assert_uint_eq(a->n_scenarios, 3);
    ck_assert_str_eq(a->scenarios[0].name, "ref");
    ck_assert_str_eq(a->scenarios[1].label, "Project A");
    ck_assert_uint_eq(a->n_items, 3);
    ck_assert_str_eq(a->items[2].name, "extra");
    ck_assert_double_eq_tol(a->balance[mkba_ap_bidx(a, 1, 3)].costs, 90, 1e-12);
    ck_assert_double_eq_tol(a->balance[mkba_ap_bidx(a, 1, 2)].costs, 10, 1e-12);
    /* Scenario B is the base model: the same as the reference. */
    ck_assert_double_eq(a->balance[mkba_ap_bidx(a, 2, 3)].npv, 0);
    /* The reference keeps its own flows (100 in year 1). */
    ck_assert_double_eq(a->flow[mkba_ap_fidx(a, 0, 0, 0)], 100);
    ck_assert_double_eq(a->flow[mkba_ap_fidx(a, 0, 2, 0)], 0);
    ck_assert_int_eq(strlen(a->scenarios[1].sha256), 64);
    mkba_appraisal_free(a);
    free(model);
    free(ref);
    free(sa);
}
END_TEST

START_TEST(scenario_discount_rate)
{
    /* A project scenario at 2.25% discounts its delta at 2.25%: one benefit
     * of 1000 in year 2, end of year: 1000 / 1.0225^2. */
    mkba_error err;
    mkba_appraisal *a = appraise_pair("[parameters]\non = 0\n"
                                      "[item.b]\nkind = benefit\nstakeholder = city\n"
                                      "quantity = on * 1000\nyears = 2\n",
                                      "[scenario]\nbase = model.ini\n[model]\n"
                                      "discount_rate = 2.25%\n[parameters]\non = 1\n",
                                      &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    ck_assert_double_eq_tol(a->item_pv[1 * a->n_items], 1000 / (1.0225 * 1.0225), 1e-9);
    ck_assert_double_eq(a->rate[mkba_ap_tidx(a, 0, 0)], 0.03);
    mkba_appraisal_free(a);
}
END_TEST

START_TEST(given_effects_and_counts)
{
    /* effect.work = 0.05 +/- 0.02 given; 200 pilot persons; benefit
     * = effect * n_pilot * 1000 in year 1 = 10000, end of year -> 10000/1.03;
     * se.work is a name too: the second item is se * 100 = 2 in year 1. */
    mkba_error err;
    mkba_appraisal *a = appraise_pair(
        "[cohort]\nn_pilot = 200\nn_control = 300\n"
        "[effect.work]\nestimate = 0.05\nse = 0.02\nlabel = Work\n"
        "[parameters]\non = 0\n"
        "[item.b]\nkind = benefit\nstakeholder = city\nquantity = on * effect.work * n_pilot\n"
        "price = 1000\nyears = 1\n"
        "[item.s]\nkind = benefit\nstakeholder = city\nquantity = on * se.work * 100\n"
        "years = 1\n",
        PROJECT_ON, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    ck_assert_double_eq_tol(a->item_pv[1 * a->n_items + 0], 10000 / 1.03, 1e-9);
    ck_assert_double_eq_tol(a->item_pv[1 * a->n_items + 1], 2 / 1.03, 1e-12);
    ck_assert_uint_eq(a->n_effects, 1);
    ck_assert_int_eq(a->effects[0].e.method, MKBA_EST_GIVEN);
    /* CI of a given effect: 0.05 +/- 1.959964 * 0.02. */
    ck_assert_double_eq_tol(a->effects[0].e.ci_lo, 0.05 - 1.959963984540054 * 0.02, 1e-12);
    mkba_appraisal_free(a);
}
END_TEST

START_TEST(parameters_in_dependency_order)
{
    /* c = b * 2, b = a + 1, a = 3 written in reverse order: c = 8. */
    mkba_error err;
    mkba_appraisal *a = appraise_pair("[parameters]\non = 0\nc = b * 2\nb = a + 1\na = 3\n"
                                      "[item.b]\nkind = benefit\nstakeholder = city\n"
                                      "quantity = on * c\nyears = 1\n",
                                      PROJECT_ON, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    ck_assert_double_eq(a->delta[mkba_ap_fidx(a, 1, 0, 0)], 8);
    mkba_appraisal_free(a);
}
END_TEST

/* ------------------------------------------------------------- errors */

/* Expect opening/appraising to fail with 'line' and a message containing
 * 'msg' (and 'where' when given). */
static void expect_error(const char *model_extra, const char *scen, long line,
                         const char *where, const char *msg)
{
    mkba_error err;
    mkba_appraisal *a = appraise_pair(model_extra, scen ? scen : PROJECT_ON, &err);
    ck_assert_msg(a == NULL, "expected an error containing '%s'", msg);
    ck_assert_msg(tu_contains(err.msg, msg), "message '%s' lacks '%s'", err.msg, msg);
    if (line >= 0)
        ck_assert_int_eq(err.line, line);
    if (where)
        ck_assert_str_eq(err.where, where);
    ck_assert(err.file[0] != '\0');
}

/* BASE_HEAD has 8 lines; the extra text starts on line 9. */
START_TEST(error_unknown_key)
{
    expect_error("[parameters]\non = 0\n[item.b]\nkind = benefit\nstakeholder = city\n"
                 "quantity = 1\nprise = 3\n",
                 NULL, 15, "[item.b] prise", "unknown key 'prise' (known: label, kind,");
}
END_TEST

START_TEST(error_unknown_section)
{
    expect_error("[parameters]\non = 0\n[itme.b]\nkind = benefit\n", NULL, 11, "[itme.b]",
                 "unknown section [itme.b]");
}
END_TEST

START_TEST(error_unknown_name)
{
    expect_error("[parameters]\non = 0\n[item.b]\nkind = benefit\nstakeholder = city\n"
                 "quantity = on * bogus\n",
                 NULL, 14, "[item.b] quantity", "unknown name 'bogus'");
}
END_TEST

START_TEST(error_thousands_separator)
{
    /* A given effect, a parameter value with its distribution (the range
     * check of the value must not read 1.350 as 1.35 first), and an item. */
    expect_error("[parameters]\non = 0\n[effect.g]\nestimate = 1.350\nse = 1\n", NULL, 12,
                 "[effect.g] estimate",
                 "'1.350' looks like a number with '.' between thousands: write 1350 if '.' "
                 "separates thousands, or 1.3500 if it is the decimal point");
    expect_error("[parameters]\non = 0\n[param.c]\nvalue = 1.350\ndistribution = "
                 "uniform(1, 2)\n",
                 NULL, 12, "[param.c] value", "'1.350' looks like a number");
    expect_error("[parameters]\non = 0\n[item.b]\nkind = benefit\nstakeholder = city\n"
                 "quantity = on * 12.500.000\n",
                 NULL, 14, "[item.b] quantity",
                 "'12.500.000' looks like a number with '.' between thousands: write 12500000 "
                 "(without separators)");
}
END_TEST

/* A correlation is no amount (its range is -1 to 1): "1.000" is a plain 1
 * there, not a thousand; a perfect correlation makes the matrix singular,
 * and that is what the message says. */
START_TEST(correlation_written_with_decimals)
{
    expect_error("[parameters]\non = 0\n[param.a]\ndistribution = normal(1, 1)\n[param.b]\n"
                 "distribution = normal(2, 1)\n[correlations]\na, b = 1.000\n",
                 NULL, 15, "[correlations]", "the correlation matrix is not positive definite");
}
END_TEST

START_TEST(utf8_check_and_bom)
{
    /* Valid: ASCII, e-acute (C3 A9), the euro sign (E2 82 AC), U+D7FF
     * (ED 9F BF, just below the surrogates), U+1D11E (F0 9D 84 9E), and
     * U+10FFFF (F4 8F BF BF), the last code point. */
    const char ok[] = "a \xC3\xA9 \xE2\x82\xAC \xED\x9F\xBF \xF0\x9D\x84\x9E \xF4\x8F\xBF\xBF";
    ck_assert_uint_eq(mkba_utf8_check(ok, sizeof ok - 1), sizeof ok - 1);
    /* Invalid, each after "ab": the offset of the bad lead byte is 2. */
    const char *bad[] = {"ab\xC0\xAF",         /* overlong '/' */
                         "ab\xE0\x80\xAF",     /* overlong 3-byte */
                         "ab\xF0\x80\x80\xAF", /* overlong 4-byte */
                         "ab\xED\xA0\x80",     /* surrogate U+D800 */
                         "ab\xF4\x90\x80\x80", /* beyond U+10FFFF */
                         "ab\xF5\x80\x80\x80", /* F5 never starts a sequence */
                         "ab\xFF",
                         "ab\x80",             /* a continuation without a lead */
                         "ab\xE2\x82",         /* cut short */
                         "ab\xC3" "A"};        /* a lead byte, then ASCII */
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(mkba_utf8_check(bad[i], strlen(bad[i])) == 2, "case %zu", i);
    /* A byte order mark at the start of the model is fine. */
    size_t n = strlen(BASE_HEAD) + 64;
    char *text = malloc(n);
    snprintf(text, n, "\xEF\xBB\xBF%s[parameters]\non = 0\n", BASE_HEAD);
    char *model = tu_write(dir, "model.ini", text);
    char *scen = tu_write(dir, "project.ini", PROJECT_ON);
    const char *proj[] = {scen};
    mkba_error err;
    mkba_appraisal *a = appraise(model, 1, proj, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    ck_assert_str_eq(a->model_name, "test");
    mkba_appraisal_free(a);
    free(text);
    free(model);
    free(scen);
}
END_TEST

START_TEST(old_mac_line_ends)
{
    /* A model and a scenario saved with CR alone at each line end (old
     * Mac line ends) read as with LF: the same appraisal (the NPV compared
     * with the LF file's, not with a number), where the reader used to see
     * one line longer than its limit; also with a final LF an editor added
     * (CR still ends most lines). In a file of LF lines a CR is a character
     * of its line, escaped where it is shown (check_cli's hostile model). */
    size_t n = strlen(BASE_HEAD) + 64;
    char *text = malloc(n), *proj_text = strdup(PROJECT_ON);
    snprintf(text, n, "%s[parameters]\non = 0\n", BASE_HEAD);
    char *model = tu_write(dir, "model.ini", text);
    char *scen = tu_write(dir, "project.ini", proj_text);
    const char *proj[] = {scen};
    mkba_error err;
    mkba_appraisal *lf = appraise(model, 1, proj, &err);
    ck_assert_msg(lf != NULL, "%s", err.msg);
    for (char *p = text; *p; p++)
        *p = *p == '\n' ? '\r' : *p;
    for (char *p = proj_text; *p; p++)
        *p = *p == '\n' ? '\r' : *p;
    free(model), free(scen);
    size_t tl = strlen(text);
    text[tl - 1] = '\n'; /* the last line end a LF, as an editor may add */
    model = tu_write(dir, "model.ini", text);
    scen = tu_write(dir, "project.ini", proj_text);
    proj[0] = scen;
    mkba_appraisal *cr = appraise(model, 1, proj, &err);
    ck_assert_msg(cr != NULL, "%s", err.msg);
    ck_assert_str_eq(cr->model_name, "test");
    ck_assert_uint_eq(cr->n_items, lf->n_items);
    size_t soc = mkba_ap_bidx(lf, 1, lf->n_stakeholders);
    ck_assert(cr->balance[soc].npv == lf->balance[soc].npv);
    mkba_appraisal_free(lf);
    mkba_appraisal_free(cr);
    free(text), free(proj_text), free(model), free(scen);
}
END_TEST

START_TEST(error_cycle)
{
    expect_error("[parameters]\non = 0\na = b + 1\nb = a * 2\n", NULL, -1, NULL,
                 "cycle (involving: a, b)");
}
END_TEST

START_TEST(error_division_by_zero)
{
    expect_error("[parameters]\non = 0\nz = 0\n[item.b]\nkind = benefit\n"
                 "stakeholder = city\nquantity = 1 / z\n",
                 NULL, 15, "[item.b] quantity", "'1 / z' evaluates to infinity in scenario 'base'");
}
END_TEST

START_TEST(error_unknown_stakeholder)
{
    expect_error("[parameters]\non = 0\n[item.b]\nkind = benefit\nstakeholder = ctiy\n"
                 "quantity = 1\n",
                 NULL, 13, "[item.b] stakeholder", "unknown stakeholder 'ctiy'");
}
END_TEST

START_TEST(error_years_beyond_horizon)
{
    expect_error("[parameters]\non = 0\n[item.b]\nkind = benefit\nstakeholder = city\n"
                 "quantity = 1\nyears = 3-12\n",
                 NULL, 15, "[item.b] years", "year 12 is beyond the horizon of 10 years");
}
END_TEST

START_TEST(error_dropoff_range)
{
    expect_error("[parameters]\non = 0\n[item.b]\nkind = benefit\nstakeholder = city\n"
                 "quantity = 1\ndropoff = 1.5\n",
                 NULL, 15, "[item.b] dropoff", "drop-off must be between 0 and 1");
}
END_TEST

START_TEST(error_scenario_changes_identity)
{
    expect_error("[parameters]\non = 0\n[item.b]\nkind = benefit\nstakeholder = city\n"
                 "quantity = 1\n",
                 "[scenario]\nbase = model.ini\n[item.b]\nstakeholder = state\n", 4,
                 "[item.b] stakeholder", "a scenario cannot change 'stakeholder' of item 'b'");
}
END_TEST

START_TEST(error_header_values)
{
    const char *cases[][3] = {
        {"horizon = 0", "horizon", "expected a whole number of years from 1 to 200, got '0'"},
        {"horizon = 1000", "horizon", "from 1 to 200, got '1000'"},
        {"discount_rate = 3", "discount_rate", "(a percentage? write 0.03 or 3%)"},
        {"discount_rate = abc", "discount_rate", "expected a rate such as 0.0225 or 2.25%"},
        {"discount_timing = later", "discount_timing", "expected 'start', 'mid' or 'end'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[800];
        const char *key = cases[i][1];
        snprintf(text, sizeof text,
                 "[model]\nname = t\n%s\nfirst_year = 2020\nprice_year = 2020\n%s"
                 "stakeholders = city\n",
                 cases[i][0],
                 strcmp(key, "discount_rate") == 0
                     ? ""
                     : (strcmp(key, "horizon") == 0 ? "discount_rate = 0.03\n"
                                                    : "discount_rate = 0.03\nhorizon = 5\n"));
        char *model = tu_write(dir, "m.ini", text);
        if (strcmp(key, "discount_rate") == 0) {
            free(model);
            snprintf(text, sizeof text,
                     "[model]\nname = t\n%s\nhorizon = 5\nfirst_year = 2020\n"
                     "price_year = 2020\nstakeholders = city\n",
                     cases[i][0]);
            model = tu_write(dir, "m.ini", text);
        }
        mkba_error err;
        mkba_error_clear(&err);
        mkba_model *m = mkba_model_open(model, 0, NULL, &err);
        ck_assert_msg(m == NULL, "case %zu accepted", i);
        ck_assert_msg(tu_contains(err.msg, cases[i][2]), "case %zu: '%s'", i, err.msg);
        ck_assert_int_eq(err.line, 3);
        free(model);
    }
}
END_TEST

/* A percentage below 0.1% is read as written (0.04% is a rate of
 * 0.0004), with a warning per rate that names file, line and key, in the
 * base model, in a schedule and in a scenario (its decimal comma read as
 * a point); 0.1%, 0% and 0.0005 (no '%') say nothing. */
START_TEST(small_percent_rate_warns)
{
    mkba_error err;
    char *model = tu_write(dir, "model.ini",
                           "[model]\nname = t\nhorizon = 4\nfirst_year = 2020\n"
                           "price_year = 2020\ndiscount_rate = 1-2: 0.04%, 3-: 0%\n"
                           "discount_timing = end\nstakeholders = city\n"
                           "[parameters]\non = 0\n"
                           "[item.c]\nkind = cost\nstakeholder = city\nquantity = on\n"
                           "price = 100\n");
    char *p1 = tu_write(dir, "p1.ini", "[scenario]\nname = p1\nbase = model.ini\n"
                                       "[model]\ndiscount_rate = 0,05%\n[parameters]\non = 1\n");
    char *p2 = tu_write(dir, "p2.ini", "[scenario]\nname = p2\nbase = model.ini\n"
                                       "[model]\ndiscount_rate = 0.1%\n[parameters]\non = 1\n");
    char *p3 = tu_write(dir, "p3.ini", "[scenario]\nname = p3\nbase = model.ini\n"
                                       "[model]\ndiscount_rate = 0.0005\n[parameters]\non = 1\n");
    const char *proj[] = {p1, p2, p3};
    mkba_appraisal *a = appraise(model, 3, proj, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    ck_assert_double_eq_tol(a->rate[mkba_ap_tidx(a, 0, 0)], 0.0004, 1e-18); /* as written */
    ck_assert_double_eq_tol(a->rate[mkba_ap_tidx(a, 1, 0)], 0.0005, 1e-18);
    ck_assert_uint_eq(a->n_warnings, 2);
    const mkba_warning *w = &a->warnings[0];
    ck_assert_int_eq(w->kind, MKBA_WARN_SMALL_PERCENT);
    ck_assert_str_eq(w->at.file, model);
    ck_assert_int_eq(w->at.line, 6);
    ck_assert_str_eq(w->at.where, "[model] discount_rate");
    /* 0.04% = 0.0004; meant as 4% = 0.04 */
    ck_assert_str_eq(w->at.msg, "'0.04%' reads as 0.04 percent, a rate of 0.0004; did you mean "
                                "4% (0.04)?");
    ck_assert_str_eq(mkba_warning_kind_name(w->kind), "small_percent");
    w = &a->warnings[1];
    ck_assert_str_eq(w->at.file, p1);
    ck_assert_int_eq(w->at.line, 5);
    ck_assert_str_eq(w->at.msg, "'0.05%' reads as 0.05 percent, a rate of 0.0005; did you mean "
                                "5% (0.05)?");
    mkba_appraisal_free(a);
    free(model), free(p1), free(p2), free(p3);
}
END_TEST

/* --reference (mkba_model_open's 'reference') naming another file than a
 * scenario's own reference key, or a file whose own reference is a project
 * of the run (the two swapped): a warning each, at the key's line. The
 * reference taken from the key, or given as the same file, says nothing. */
START_TEST(reference_other_than_own_warns)
{
    mkba_error err;
    char *model = model_with("[parameters]\non = 0\n");
    char *ref = tu_write(dir, "ref.ini", "[scenario]\nname = ref\nbase = model.ini\n");
    char *alt = tu_write(dir, "alt.ini", "[scenario]\nname = alt\nbase = model.ini\n");
    char *proj = tu_write(dir, "proj.ini", "[scenario]\nname = proj\nbase = model.ini\n"
                                           "reference = ref.ini\n[parameters]\non = 1\n");
    const char *p[] = {proj}, *r[] = {ref};
    mkba_appraisal *a = appraise(NULL, 1, p, &err); /* the key's reference */
    ck_assert_msg(a != NULL, "%s", err.msg);
    ck_assert_uint_eq(a->n_warnings, 0);
    mkba_appraisal_free(a);
    a = appraise(ref, 1, p, &err); /* the same file given */
    ck_assert_uint_eq(a->n_warnings, 0);
    mkba_appraisal_free(a);
    a = appraise(alt, 1, p, &err); /* another file */
    ck_assert_msg(a != NULL, "%s", err.msg);
    ck_assert_uint_eq(a->n_warnings, 1);
    ck_assert_int_eq(a->warnings[0].kind, MKBA_WARN_REFERENCE);
    ck_assert_str_eq(a->warnings[0].at.file, proj);
    ck_assert_int_eq(a->warnings[0].at.line, 4);
    ck_assert(tu_contains(a->warnings[0].at.msg, "names 'ref.ini' as its reference, but "
                                                 "--reference gives"));
    mkba_appraisal_free(a);
    a = appraise(proj, 1, r, &err); /* swapped */
    ck_assert_msg(a != NULL, "%s", err.msg);
    ck_assert_uint_eq(a->n_warnings, 1);
    ck_assert_str_eq(a->warnings[0].at.file, proj);
    ck_assert_int_eq(a->warnings[0].at.line, 4);
    ck_assert(tu_contains(a->warnings[0].at.msg, "are the reference and the project swapped"));
    mkba_appraisal_free(a);
    free(model), free(ref), free(alt), free(proj);
}
END_TEST

START_TEST(error_no_reference)
{
    char *model = model_with("");
    char *scen = tu_write(dir, "p.ini", "[scenario]\nbase = model.ini\n");
    const char *proj[] = {scen};
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_model_open(NULL, 1, proj, &err));
    ck_assert(tu_contains(err.msg, "no reference alternative: add 'reference = FILE'"));
    free(model);
    free(scen);
}
END_TEST

START_TEST(error_syntax_and_long_line)
{
    mkba_error err;
    char *bad = tu_write(dir, "bad.ini", "[model]\nname = x\nthis line has no equals\n");
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_model_open(bad, 0, NULL, &err));
    ck_assert_int_eq(err.line, 3);
    ck_assert(tu_contains(err.msg, "syntax error"));
    char longline[400];
    memset(longline, 'x', sizeof longline);
    memcpy(longline, "name = ", 7);
    longline[sizeof longline - 2] = '\n';
    longline[sizeof longline - 1] = '\0';
    char text[600];
    snprintf(text, sizeof text, "[model]\n%s", longline);
    free(bad);
    bad = tu_write(dir, "bad.ini", text);
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_model_open(bad, 0, NULL, &err));
    ck_assert_int_eq(err.line, 2);
    ck_assert(tu_contains(err.msg, "line longer than 198 characters"));
    free(bad);
}
END_TEST

START_TEST(error_duplicate_key)
{
    expect_error("[parameters]\non = 0\non = 1\n", NULL, 11, NULL,
                 "key 'on' appears twice in [parameters] (first on line 10)");
}
END_TEST

START_TEST(continuation_lines)
{
    /* An indented line continues the value above: quantity = on * 2 + 3 = 5. */
    mkba_error err;
    mkba_appraisal *a = appraise_pair("[parameters]\non = 0\n[item.b]\nkind = benefit\n"
                                      "stakeholder = city\nquantity = on * 2\n    + on * 3\n"
                                      "years = 1\n",
                                      PROJECT_ON, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    ck_assert_double_eq(a->delta[mkba_ap_fidx(a, 1, 0, 0)], 5);
    mkba_appraisal_free(a);
}
END_TEST

START_TEST(two_scenarios_add_the_same_item)
{
    /* Projects A and B both add 'extra' (cost to the state): A with 10 in
     * year 1, B with 20 in year 1; each sees its own, the reference none. */
    mkba_error err;
    char *model = model_with("[parameters]\non = 0\n");
    char *ref = tu_write(dir, "ref.ini", "[scenario]\nname = ref\nbase = model.ini\n");
    const char *add = "[scenario]\nname = %s\nbase = model.ini\nreference = ref.ini\n"
                      "[item.extra]\nkind = cost\nstakeholder = state\nquantity = %d\nyears = 1\n";
    char text[400];
    snprintf(text, sizeof text, add, "a", 10);
    char *sa = tu_write(dir, "a.ini", text);
    snprintf(text, sizeof text, add, "b", 20);
    char *sb = tu_write(dir, "b.ini", text);
    const char *proj[] = {sa, sb};
    mkba_appraisal *a = appraise(NULL, 2, proj, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    ck_assert_double_eq(a->balance[mkba_ap_bidx(a, 1, 3)].costs, 10);
    ck_assert_double_eq(a->balance[mkba_ap_bidx(a, 2, 3)].costs, 20);
    /* The same name with another stakeholder is an error. */
    snprintf(text, sizeof text,
             "[scenario]\nname = b\nbase = model.ini\nreference = ref.ini\n"
             "[item.extra]\nkind = cost\nstakeholder = city\nquantity = 1\n");
    free(sb);
    sb = tu_write(dir, "b.ini", text);
    proj[1] = sb;
    mkba_error_clear(&err);
    ck_assert_ptr_null(appraise(NULL, 2, proj, &err));
    ck_assert_msg(tu_contains(err.msg, "item 'extra' is also added by another scenario"), "%s",
                  err.msg);
    mkba_appraisal_free(a);
    free(model), free(ref), free(sa), free(sb);
}
END_TEST

START_TEST(error_reserved_and_duplicate_names)
{
    mkba_error err;
    char *m = tu_write(dir, "m.ini", "[model]\nname = t\nhorizon = 1\nfirst_year = 2020\n"
                                     "price_year = 2020\ndiscount_rate = 0\n"
                                     "stakeholders = city, society\n");
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_model_open(m, 0, NULL, &err));
    ck_assert(tu_contains(err.msg, "'society' is reserved"));
    free(m);
    char *model = model_with("");
    char *p1 = tu_write(dir, "p1.ini", "[scenario]\nname = same\nbase = model.ini\n");
    char *p2 = tu_write(dir, "p2.ini", "[scenario]\nname = same\nbase = model.ini\n");
    const char *proj[] = {p1, p2};
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_model_open(model, 2, proj, &err));
    ck_assert_msg(tu_contains(err.msg, "two scenarios of this run are named 'same'"), "%s", err.msg);
    free(model), free(p1), free(p2);
}
END_TEST

/* ------------------------------------------------------------- warnings */

#define GIVEN_WORK                                                                              \
    "[cohort]\nn_pilot = 200\nn_control = 300\n"                                               \
    "[effect.work]\nestimate = 0.05\nse = 0.02\n"                                             \
    "[parameters]\non = 0\n"

START_TEST(warn_effect_without_switch)
{
    /* Item 'b' reads effect.work through g = effect.work * 2 and has no
     * switch: 0.05 x 2 x 200 = 20 in year 1 in both scenarios. Item 's'
     * has the switch (0 against 10). Item 'z' reads effect.zero, which is
     * 0: its flow is 0 in both, nothing drops out, no warning. */
    mkba_error err;
    mkba_appraisal *a = appraise_pair(
        GIVEN_WORK "g = effect.work * 2\n"
                   "[effect.zero]\nestimate = 0\nse = 0.1\n"
                   "[item.b]\nkind = benefit\nstakeholder = city\nquantity = g * n_pilot\n"
                   "years = 1\n"
                   "[item.s]\nkind = benefit\nstakeholder = city\n"
                   "quantity = on * effect.work * n_pilot\nyears = 1\n"
                   "[item.z]\nkind = benefit\nstakeholder = city\nprice = effect.zero\n"
                   "quantity = n_pilot\nyears = 1\n",
        PROJECT_ON, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    ck_assert_uint_eq(a->n_warnings, 1);
    const mkba_warning *w = &a->warnings[0];
    ck_assert_int_eq(w->kind, MKBA_WARN_PILOT_SWITCH);
    ck_assert_str_eq(w->name, "b");
    ck_assert_str_eq(w->effect, "work");
    ck_assert_uint_eq(w->scenario, 1);
    ck_assert_str_eq(w->at.where, "[item.b] quantity");
    ck_assert(tu_contains(w->at.msg, "uses effect.work but gives the same flow in scenario"));
    mkba_appraisal_free(a);
}
END_TEST

START_TEST(warn_value_outside_p1_p99)
{
    /* uniform(0, 100): P1 = 1, P99 = 99. a = 0.5 is outside, b = 1 and
     * c = 99 are on the edges (inside). d is outside in the base model
     * but the project gives it its own value, so it is drawn only in the
     * reference: still one warning, at its base model line. */
    mkba_error err;
    mkba_appraisal *a = appraise_pair(
        "[param.a]\nvalue = 0.5\ndistribution = uniform(0, 100)\n"
        "[param.b]\nvalue = 1\ndistribution = uniform(0, 100)\n"
        "[param.c]\nvalue = 99\ndistribution = uniform(0, 100)\n"
        "[param.d]\nvalue = 2 * 60\ndistribution = uniform(0, 100)\n"
        "[parameters]\non = 0\n"
        "[item.x]\nkind = benefit\nstakeholder = city\nquantity = on * (a + b + c + d)\n",
        "[scenario]\nname = p\nbase = model.ini\nreference = model.ini\n"
        "[parameters]\non = 1\nd = 50\n",
        &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    ck_assert_uint_eq(a->n_warnings, 2);
    const mkba_warning *w = &a->warnings[0];
    ck_assert_int_eq(w->kind, MKBA_WARN_OUTSIDE_DIST);
    ck_assert_str_eq(w->name, "a");
    ck_assert_str_eq(w->dist, "uniform(0, 100)");
    ck_assert_double_eq_tol(w->value, 0.5, 1e-15);
    ck_assert_double_eq_tol(w->p1, 1, 1e-12);
    ck_assert_double_eq_tol(w->p99, 99, 1e-12);
    ck_assert_int_eq(w->at.line, 10); /* 8 header lines, [param.a], value */
    ck_assert_str_eq(w->at.msg, "0.5 is outside the P1-P99 interval of its distribution "
                                "uniform(0, 100) (1 to 99): the base case and the Monte Carlo "
                                "tell different stories; check the value or the distribution");
    w = &a->warnings[1];
    ck_assert_str_eq(w->name, "d");
    ck_assert_double_eq(w->value, 120);
    ck_assert_int_eq(w->at.line, 19);
    mkba_appraisal_free(a);
}
END_TEST

START_TEST(almere_training_cost_agrees)
{
    /* The Almere learning track: the value 2 x 24 x 40 x 62 + 25,000 =
     * 144,040 (its label) and lognormal(100000 to 200000), a 90% interval:
     * median sqrt(1e5 x 2e5) = 141,421.36, sigma = ln 2 / (2 x 1.6448536)
     * = 0.2107042, mean = median x exp(sigma^2 / 2) = 144,596 (within 0.4%
     * of the value). No warning of either kind in the three projects. */
    char *ref = tu_src("scenarios/almere-regular.ini");
    char *p1 = tu_src("scenarios/almere-pilot.ini"), *p2 = tu_src("scenarios/almere-liaison.ini");
    char *p3 = tu_src("scenarios/almere-pilot-2025.ini");
    const char *proj[] = {p1, p2, p3};
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = mkba_model_open(ref, 3, proj, &err);
    ck_assert_msg(m != NULL, "%s", err.msg);
    const mkba_plan *plan = mkba_model_plan(m);
    const mkba_dist *d = NULL;
    for (size_t i = 0; i < plan->n_uncertain; i++)
        if (strcmp(plan->uncertain[i].name, "training_cost") == 0)
            d = plan->uncertain[i].dist;
    ck_assert_ptr_nonnull(d);
    double sigma = log(2) / (2 * 1.6448536269514722);
    ck_assert_double_eq_tol(mkba_dist_mean(d), sqrt(1e5 * 2e5) * exp(sigma * sigma / 2), 1e-6);
    ck_assert(fabs(mkba_dist_mean(d) / 144040 - 1) < 0.005);
    /* The effects as if estimated (their values do not matter here, only
     * that they are not 0): every item then differs where it should. */
    mkba_model_set_cohort_counts(m, 100, 100);
    for (size_t i = 0; i < mkba_model_n_outcomes(m); i++) {
        mkba_effect e = {0};
        e.estimate = 0.5, e.se = 0.1, e.mean_pilot = 2, e.mean_control = 1.5;
        mkba_model_set_effect(m, i, &e, 0, 0);
    }
    mkba_appraisal *a = mkba_model_appraise(m, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    char buf[2048];
    ck_assert_msg(a->n_warnings == 0, "%s", a->n_warnings ? mkba_error_format(&a->warnings[0].at,
                                                                               buf, sizeof buf)
                                                            : "");
    mkba_appraisal_free(a);
    mkba_model_free(m);
    free(ref), free(p1), free(p2), free(p3);
}
END_TEST

/* ------------------------------------------------------------- scale */

/* A growing text for generated models. */
typedef struct text {
    char *s;
    size_t n, cap;
} text;

static void text_add(text *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(t->s ? t->s + t->n : NULL, t->s ? t->cap - t->n : 0, fmt, ap);
        va_end(ap);
        ck_assert_int_ge(k, 0);
        if (t->s && t->n + (size_t)k < t->cap) {
            t->n += (size_t)k;
            return;
        }
        t->cap = 2 * (t->cap + (size_t)k + 1);
        t->s = realloc(t->s, t->cap);
        ck_assert_ptr_nonnull(t->s);
    }
}

#define N_SCALE 20000

/* A chain p0 = 1, p_i = p_{i-1} + 1 written last parameter first, so that
 * no parameter can be computed before the ones after it in the file;
 * 'closed' makes it a cycle (p0 reads the last one). */
static char *chain_model(int closed)
{
    text t = {0};
    text_add(&t, "[parameters]\non = 0\n");
    for (long i = N_SCALE - 1; i >= 0; i--) {
        if (i > 0)
            text_add(&t, "p%ld = p%ld + 1\n", i, i - 1);
        else if (closed)
            text_add(&t, "p0 = p%d + 1\n", N_SCALE - 1);
        else
            text_add(&t, "p0 = 1\n");
    }
    text_add(&t, "[item.b]\nkind = benefit\nstakeholder = city\nquantity = on * p%d\n"
                 "years = 1\n",
             N_SCALE - 1);
    return t.s;
}

START_TEST(long_chain_in_reverse_order)
{
    char *extra = chain_model(0);
    mkba_error err;
    mkba_appraisal *a = appraise_pair(extra, PROJECT_ON, &err);
    free(extra);
    ck_assert_msg(a != NULL, "%s", err.msg);
    /* p_i = i + 1, so p19999 = 20000, a benefit in year 1 discounted at
     * the end of the year at 3%: NPV = 20000 / 1.03. */
    const mkba_balance *b = &a->balance[mkba_ap_bidx(a, 1, a->n_stakeholders)];
    ck_assert_double_eq_tol(b->npv, N_SCALE / 1.03, 1e-9);
    ck_assert_uint_eq(a->n_params, N_SCALE + 1);
    mkba_appraisal_free(a);
}
END_TEST

START_TEST(long_cycle)
{
    char *extra = chain_model(1);
    mkba_error err;
    mkba_appraisal *a = appraise_pair(extra, PROJECT_ON, &err);
    free(extra);
    ck_assert_ptr_null(a);
    /* Every parameter but 'on' is on the cycle; they are named in file
     * order (the last one first, on line 11: BASE_HEAD has 8 lines, then
     * [parameters] and on = 0) as far as the message has room. */
    ck_assert_msg(tu_contains(err.msg, "parameters depend on each other in a cycle "
                                       "(involving: p19999, p19998, p19997, "),
                  "%s", err.msg);
    ck_assert_msg(tu_contains(err.msg, " more)"), "%s", err.msg);
    ck_assert_int_eq(err.line, 11);
    ck_assert_str_eq(err.where, "[parameters] p19999");
}
END_TEST

START_TEST(wide_model_summed_by_items)
{
    /* 20,000 parameters in [param.X] sections, p_i = i + 1, summed ten at
     * a time by 2,000 items (each in year 1). */
    text t = {0};
    text_add(&t, "[parameters]\non = 0\n");
    for (int i = 0; i < N_SCALE; i++)
        text_add(&t, "[param.p%d]\nvalue = %d\nunit = EUR\n", i, i + 1);
    for (int j = 0; j < N_SCALE / 10; j++) {
        text_add(&t, "[item.i%d]\nkind = benefit\nstakeholder = city\nyears = 1\n"
                     "quantity = on * (p%d",
                 j, 10 * j);
        for (int k = 1; k < 10; k++)
            text_add(&t, " + p%d", 10 * j + k);
        text_add(&t, ")\n");
    }
    mkba_error err;
    mkba_appraisal *a = appraise_pair(t.s, PROJECT_ON, &err);
    free(t.s);
    ck_assert_msg(a != NULL, "%s", err.msg);
    /* sum of 1..20000 = 20000 * 20001 / 2 = 200,010,000 in year 1,
     * discounted at the end of the year at 3%. */
    const mkba_balance *b = &a->balance[mkba_ap_bidx(a, 1, a->n_stakeholders)];
    ck_assert_double_eq_tol(b->npv, 200010000.0 / 1.03, 1e-6);
    ck_assert_uint_eq(a->n_items, N_SCALE / 10);
    mkba_appraisal_free(a);
}
END_TEST

START_TEST(evaluation_order_is_sweep_order)
{
    /* c reads b, which comes after it in the file: a sweep in file order
     * takes a, b, d and then c in a second sweep. The plan keeps that
     * order (not a, d, b, c), so evaluation errors come in the same order
     * as before parameters were sorted topologically. */
    char *model = model_with("[parameters]\non = 0\nc = b + 1\na = 1\nb = a\nd = 2\n");
    char *scen = tu_write(dir, "project.ini", PROJECT_ON);
    const char *proj[] = {scen};
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = mkba_model_open(model, 1, proj, &err);
    ck_assert_msg(m != NULL, "%s", err.msg);
    const mkba_plan *p = mkba_model_plan(m);
    const char *want[] = {"on", "a", "b", "d", "c"};
    ck_assert_uint_eq(p->scenarios[0].n_params, 5);
    for (size_t i = 0; i < 5; i++)
        ck_assert_str_eq(p->slot_names[p->scenarios[0].params[i].slot], want[i]);
    mkba_model_free(m);
    free(model);
    free(scen);
}
END_TEST

/* ------------------------------------------------------ propensity model */

/* A model with a cohort file (mkba_model_open does not read it), four
 * covariates and one outcome; BASE_HEAD has 8 lines, so [cohort] is on
 * line 9, the outcome's method on line 21 (text added to it from line
 * 22), [propensity] on line 22 and its covariates on line 23 when the
 * outcome gets no text (the added [propensity] text from line 24). '%s'
 * are, in order: text added to the outcome, the covariates, text added
 * to [propensity]. */
static const char *PS_MODEL = "[cohort]\n"                  /*  9 */
                              "file = cohort.csv\n"         /* 10 */
                              "group_column = group\n"      /* 11 */
                              "[covariate.age]\n"           /* 12 */
                              "column = age_years\n"        /* 13 */
                              "[covariate.female]\n"        /* 14 */
                              "type = binary\n"             /* 15 */
                              "[covariate.household]\n"     /* 16 */
                              "type = category\n"           /* 17 */
                              "[covariate.months_before]\n" /* 18 */
                              "type = nonneg\n"             /* 19 */
                              "[outcome.work]\n"            /* 20 */
                              "method = ipw\n%s"            /* 21 */
                              "[propensity]\n"              /* 22 */
                              "covariates = %s\n%s";        /* 23 */

static mkba_model *open_ps(const char *outcome_extra, const char *covariates,
                           const char *ps_extra, mkba_error *err)
{
    char extra[2000];
    snprintf(extra, sizeof extra, PS_MODEL, outcome_extra, covariates, ps_extra);
    char *model = model_with(extra);
    mkba_error_clear(err);
    mkba_model *m = mkba_model_open(model, 0, NULL, err);
    free(model);
    return m;
}

/* The cohort variable named 'name' of an opened model. */
static long ps_var(const mkba_model *m, const char *name)
{
    const mkba_cohort_spec *cs = mkba_model_cohort_spec(m);
    for (size_t i = 0; i < cs->n_vars; i++)
        if (strcmp(cs->vars[i].name, name) == 0)
            return (long)i;
    ck_abort_msg("no cohort variable '%s'", name);
    return -1;
}

START_TEST(ps_spec_terms)
{
    /* The example, with blanks around the operators: one term per
     * list entry in the order written; a square has b = a, a product b =
     * the other variable, a covariate alone b = -1. Defaults: att, no trim. */
    mkba_error err;
    mkba_model *m = open_ps("", "age, age ^ 2, household, months_before, age * female, female",
                            "", &err);
    ck_assert_msg(m != NULL, "%s", err.msg);
    const mkba_ps_spec *ps = mkba_model_ps_spec(m);
    ck_assert_ptr_nonnull(ps);
    long age = ps_var(m, "age"), fem = ps_var(m, "female");
    long hh = ps_var(m, "household"), mb = ps_var(m, "months_before");
    const long want[6][2] = {{age, -1}, {age, age}, {hh, -1}, {mb, -1}, {age, fem}, {fem, -1}};
    ck_assert_uint_eq(ps->n_terms, 6);
    for (size_t i = 0; i < 6; i++) {
        ck_assert_int_eq((long)ps->terms[i].a, want[i][0]);
        ck_assert_int_eq(ps->terms[i].b, want[i][1]);
    }
    const mkba_cohort_spec *cs = mkba_model_cohort_spec(m);
    ck_assert_int_eq(cs->vars[hh].type, MKBA_VAR_CATEGORY); /* read as [covariate.household] */
    ck_assert_int_eq(cs->vars[fem].type, MKBA_VAR_BINARY);
    ck_assert_int_eq(ps->estimand, MKBA_ESTIMAND_ATT);
    ck_assert(ps->trim == 0);
    const mkba_est_spec *es = mkba_model_est_spec(m, 0);
    ck_assert_int_eq(es->method, MKBA_EST_IPW);
    ck_assert_ptr_eq(es->ps, ps); /* the model's own spec, not a copy */
    mkba_model_free(m);
}
END_TEST

/* A covariate section with no key at all is a section all the same: the
 * column is named like the covariate (inih reports sections only through
 * their keys; the INI reader sees the header itself). */
START_TEST(ps_empty_covariate_section)
{
    mkba_error err;
    mkba_model *m = open_ps("", "age, educ", "[covariate.educ]\n", &err);
    ck_assert_msg(m != NULL, "%s", err.msg);
    const mkba_ps_spec *ps = mkba_model_ps_spec(m);
    long educ = ps_var(m, "educ");
    ck_assert_int_ge(educ, 0);
    ck_assert_uint_eq(ps->n_terms, 2);
    ck_assert_int_eq((long)ps->terms[1].a, educ);
    ck_assert_str_eq(mkba_model_cohort_spec(m)->vars[educ].column, "educ");
    mkba_model_free(m);
    /* an empty section twice is still a section twice */
    m = open_ps("", "age", "[covariate.educ]\n[covariate.educ]\n", &err);
    ck_assert(m == NULL);
    ck_assert_msg(strstr(err.msg, "section [covariate.educ] appears twice"), "%s", err.msg);
}
END_TEST

START_TEST(ps_spec_estimand_and_trim)
{
    /* trim as a share or a percentage (1% = 0.01); 0 is the default, no
     * trimming; the estimand in either case. */
    const char *tails[] = {"estimand = ate\ntrim = 0.01\n", "estimand = ATT\ntrim = 1%\n",
                           "trim = 0\n", "trim = 0.49\n"};
    const mkba_estimand est[] = {MKBA_ESTIMAND_ATE, MKBA_ESTIMAND_ATT, MKBA_ESTIMAND_ATT,
                                 MKBA_ESTIMAND_ATT};
    const double trim[] = {0.01, 0.01, 0, 0.49};
    for (size_t i = 0; i < 4; i++) {
        mkba_error err;
        mkba_model *m = open_ps("", "age", tails[i], &err);
        ck_assert_msg(m != NULL, "case %zu: %s", i, err.msg);
        const mkba_ps_spec *ps = mkba_model_ps_spec(m);
        ck_assert_int_eq(ps->estimand, est[i]);
        ck_assert_double_eq_tol(ps->trim, trim[i], 1e-15);
        ck_assert_uint_eq(ps->n_terms, 1);
        mkba_model_free(m);
    }
}
END_TEST

START_TEST(ps_outcome_specs)
{
    /* dr with an outcome model (its covariates) and without (n_cov 0: the
     * estimator then uses the propensity terms); ipw with a pre-period
     * column (the change); an ols outcome beside them has no ps. */
    mkba_error err;
    mkba_model *m = open_ps("pre_column = work_before\n"
                            "[outcome.care]\nmethod = dr\ncovariates = age, household\n"
                            "[outcome.stay]\nmethod = DR\n"
                            "[outcome.hours]\nmethod = ols\ncovariates = age\n",
                            "age, household", "", &err);
    ck_assert_msg(m != NULL, "%s", err.msg);
    const mkba_ps_spec *ps = mkba_model_ps_spec(m);
    ck_assert_uint_eq(mkba_model_n_outcomes(m), 4);
    const mkba_est_spec *work = mkba_model_est_spec(m, 0), *care = mkba_model_est_spec(m, 1);
    const mkba_est_spec *stay = mkba_model_est_spec(m, 2), *hours = mkba_model_est_spec(m, 3);
    ck_assert_int_eq(work->method, MKBA_EST_IPW);
    ck_assert_int_eq(work->pre, ps_var(m, "work.pre"));
    ck_assert_int_eq(care->method, MKBA_EST_DR);
    ck_assert_uint_eq(care->n_cov, 2);
    ck_assert_int_eq((long)care->cov[1], ps_var(m, "household"));
    ck_assert_ptr_eq(care->ps, ps);
    ck_assert_int_eq(stay->method, MKBA_EST_DR);
    ck_assert_uint_eq(stay->n_cov, 0);
    ck_assert_ptr_eq(stay->ps, ps);
    ck_assert_int_eq(hours->method, MKBA_EST_OLS);
    ck_assert_ptr_null(hours->ps);
    mkba_model_free(m);

    /* Without [propensity]: no spec. */
    char *model = model_with("[cohort]\nfile = c.csv\ngroup_column = g\n[outcome.w]\n");
    mkba_error_clear(&err);
    m = mkba_model_open(model, 0, NULL, &err);
    ck_assert_msg(m != NULL, "%s", err.msg);
    ck_assert_ptr_null(mkba_model_ps_spec(m));
    ck_assert_ptr_null(mkba_model_est_spec(m, 0)->ps);
    mkba_model_free(m);
    free(model);
}
END_TEST

/* Every refused [propensity] and ipw/dr outcome: file, line, where and the
 * message. */
START_TEST(error_ps_terms)
{
    static const struct {
        const char *outcome, *covariates, *tail;
        long line;
        const char *where, *msg;
    } cases[] = {
        {"", "age, age^3", "", 23, "[propensity] covariates",
         "term 'age^3': only squares (NAME^2) are supported; for another power add a column "
         "to the cohort file"},
        {"", "age, age**2", "", 23, "[propensity] covariates",
         "term 'age**2': write a square as NAME^2 (e.g. age^2)"},
        {"", "age, female, age*female*age", "", 23, "[propensity] covariates",
         "term 'age*female*age': a product of more than two covariates is not supported; "
         "write products of two, as A*B"},
        {"", "log(age)", "", 23, "[propensity] covariates",
         "term 'log(age)': expected a covariate, NAME^2 or A*B (e.g. age, age^2, age*female)"},
        {"", "age^x", "", 23, "[propensity] covariates",
         "term 'age^x': expected a covariate, NAME^2 or A*B"},
        {"", "age*", "", 23, "[propensity] covariates",
         "term 'age*': expected a covariate, NAME^2 or A*B"},
        {"", "age,, female", "", 23, "[propensity] covariates",
         "term 2 is empty (a comma too many?): expected a comma-separated list of covariates, "
         "squares (age^2) and products (age*female)"},
        {"", "age, female,", "", 23, "[propensity] covariates", "term 3 is empty"},
        {"", "", "", 23, "[propensity] covariates", "term 1 is empty"},
        {"", "age, agee^2", "", 23, "[propensity] covariates",
         "term 'agee^2': no section [covariate.agee] for covariate 'agee'; did you mean "
         "'age'?"},
        {"", "age, age", "", 23, "[propensity] covariates", "term 'age' is listed twice"},
        {"", "age, female, age*female, female * age", "", 23, "[propensity] covariates",
         "term 'female * age' is listed twice (also as 'age*female')"},
        {"", "age, age*age", "", 23, "[propensity] covariates",
         "term 'age*age': a covariate times itself is its square: write age^2"},
        {"", "age*female, age", "", 23, "[propensity] covariates",
         "term 'age*female': list 'female' on its own too (A*B adds only the product column, "
         "like A:B in R)"},
        {"", "female^2", "", 23, "[propensity] covariates",
         "term 'female^2': 'female' is a 0/1 covariate, so its square equals itself; list "
         "'female' alone"},
        {"", "household^2", "", 23, "[propensity] covariates",
         "term 'household^2': 'household' is a category covariate; a square needs a number "
         "covariate"},
        {"", "age, household, age*household", "", 23, "[propensity] covariates",
         "term 'age*household': 'household' is a category covariate; a product takes number "
         "and 0/1 covariates"},
        {"", "age", "estimand = atc\n", 24, "[propensity] estimand",
         "expected att (the effect on the pilot's participants, the default) or ate (the "
         "effect on everyone in the cohort), got 'atc'"},
        {"", "age", "trim = 0.5\n", 24, "[propensity] trim",
         "expected a share from 0 to below 0.5 (persons with a propensity below it or above 1 "
         "minus it are left out), got 0.5"},
        {"", "age", "trim = 5\n", 24, "[propensity] trim",
         "got 5 (a percentage? write 0.01 or 1%)"},
        {"", "age", "trim = -0.01\n", 24, "[propensity] trim", "got -0.01"},
        {"", "age", "trim = some\n", 24, "[propensity] trim",
         "expected a share of persons such as 0.01 or 1% (0: no trimming), got 'some'"},
        {"", "age", "covariate = age\n", 24, "[propensity] covariate",
         "unknown key 'covariate' (known: covariates, estimand, trim); did you mean "
         "'covariates'?"},
        {"estimand = ate\n", "age", "", 22, "[outcome.work] estimand",
         "'estimand' is set once for all ipw and dr outcomes, in [propensity]; move it there"},
        {"trim = 0.01\n", "age", "", 22, "[outcome.work] trim",
         "'trim' is set once for all ipw and dr outcomes, in [propensity]; move it there"},
        {"covariates = age\n", "age", "", 22, "[outcome.work] covariates",
         "method 'ipw' uses no outcome covariates (the covariates of [propensity] adjust); "
         "remove them, or use method 'dr' for an outcome model with covariates"},
        {"[outcome.x]\nmethod = weighting\n", "age", "", 23, "[outcome.x] method",
         "expected auto, diff, did, ols, ipw or dr, got 'weighting'"},
        {"", "age", "[param.a]\nvalue = 1\n[propensity]\ntrim = 0.01\n", 26, NULL,
         "section [propensity] appears twice (first on line 22)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mkba_error err;
        mkba_model *m = open_ps(cases[i].outcome, cases[i].covariates, cases[i].tail, &err);
        ck_assert_msg(m == NULL, "case %zu accepted", i);
        ck_assert_msg(tu_contains(err.msg, cases[i].msg), "case %zu: '%s' lacks '%s'", i,
                      err.msg, cases[i].msg);
        ck_assert_msg(err.line == cases[i].line, "case %zu: line %ld", i, err.line);
        if (cases[i].where)
            ck_assert_str_eq(err.where, cases[i].where);
        ck_assert(tu_contains(err.file, "model.ini"));
    }
}
END_TEST

START_TEST(error_ps_missing)
{
    /* ipw and dr without [propensity]: named at the outcome's method. */
    const char *methods[] = {"ipw", "dr"};
    for (int i = 0; i < 2; i++) {
        char model[300];
        snprintf(model, sizeof model,
                 "[cohort]\nfile = c.csv\ngroup_column = g\n[outcome.work]\nmethod = %s\n",
                 methods[i]);
        char msg[300];
        snprintf(msg, sizeof msg,
                 "outcome 'work': method '%s' needs a propensity model: add a [propensity] "
                 "section with covariates (e.g. covariates = age, household)",
                 methods[i]);
        expect_error(model, NULL, 13, "[outcome.work] method", msg);
    }
    /* [propensity] without covariates, or without a cohort file. */
    expect_error("[cohort]\nfile = c.csv\ngroup_column = g\n[propensity]\ntrim = 0.01\n", NULL,
                 12, "[propensity]",
                 "missing key 'covariates' (the terms of the propensity model, e.g. covariates "
                 "= age, age^2, household)");
    expect_error("[covariate.age]\n[propensity]\ncovariates = age\n", NULL, 10, "[propensity]",
                 "a propensity model needs a cohort file in [cohort]");
}
END_TEST

START_TEST(error_ps_in_scenario)
{
    /* A scenario may not change the propensity model: the effects are
     * estimated once, for the base model. */
    char extra[2000];
    snprintf(extra, sizeof extra, PS_MODEL, "", "age", "");
    expect_error(extra, "[scenario]\nbase = model.ini\n[propensity]\ncovariates = age\n", 3,
                 "[propensity]",
                 "a scenario cannot change the propensity model: [propensity] is set once, in "
                 "the base model (for another propensity model, write another model file)");
}
END_TEST

static Suite *model_suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("discounting");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, annuity_end_of_year);
    tcase_add_test(tc, annuity_start_and_mid);
    tcase_add_test(tc, stepped_schedule);
    tcase_add_test(tc, small_percent_rate_warns);
    tcase_add_test(tc, reference_other_than_own_warns);
    tcase_add_test(tc, dropoff_geometric);
    suite_add_tcase(s, tc);
    tc = tcase_create("stakeholders");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, transfer_cancels_for_society);
    tcase_add_test(tc, npv_rule);
    suite_add_tcase(s, tc);
    tc = tcase_create("scenarios");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, scenarios_override_and_add);
    tcase_add_test(tc, scenario_discount_rate);
    tcase_add_test(tc, given_effects_and_counts);
    tcase_add_test(tc, parameters_in_dependency_order);
    tcase_add_test(tc, continuation_lines);
    tcase_add_test(tc, two_scenarios_add_the_same_item);
    suite_add_tcase(s, tc);
    tc = tcase_create("warnings");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, warn_effect_without_switch);
    tcase_add_test(tc, warn_value_outside_p1_p99);
    tcase_add_test(tc, almere_training_cost_agrees);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, error_unknown_key);
    tcase_add_test(tc, error_unknown_section);
    tcase_add_test(tc, error_unknown_name);
    tcase_add_test(tc, error_cycle);
    tcase_add_test(tc, utf8_check_and_bom);
    tcase_add_test(tc, old_mac_line_ends);
    tcase_add_test(tc, error_thousands_separator);
    tcase_add_test(tc, correlation_written_with_decimals);
    tcase_add_test(tc, error_division_by_zero);
    tcase_add_test(tc, error_unknown_stakeholder);
    tcase_add_test(tc, error_years_beyond_horizon);
    tcase_add_test(tc, error_dropoff_range);
    tcase_add_test(tc, error_scenario_changes_identity);
    tcase_add_test(tc, error_header_values);
    tcase_add_test(tc, error_no_reference);
    tcase_add_test(tc, error_syntax_and_long_line);
    tcase_add_test(tc, error_duplicate_key);
    tcase_add_test(tc, error_reserved_and_duplicate_names);
    suite_add_tcase(s, tc);
    tc = tcase_create("prices");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, price_year_rebases_parameter_and_items);
    tcase_add_test(tc, price_year_rebases_distribution);
    tcase_add_test(tc, price_index_file);
    tcase_add_test(tc, error_price_index_file);
    suite_add_tcase(s, tc);
    tc = tcase_create("propensity");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, ps_spec_terms);
    tcase_add_test(tc, ps_empty_covariate_section);
    tcase_add_test(tc, ps_spec_estimand_and_trim);
    tcase_add_test(tc, ps_outcome_specs);
    tcase_add_test(tc, error_ps_terms);
    tcase_add_test(tc, error_ps_missing);
    tcase_add_test(tc, error_ps_in_scenario);
    suite_add_tcase(s, tc);
    tc = tcase_create("scale");
    tcase_add_checked_fixture(tc, setup, teardown);
    /* A guard for valgrind, not a measurement: the quadratic reader took
     * hours on these models. */
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, long_chain_in_reverse_order);
    tcase_add_test(tc, long_cycle);
    tcase_add_test(tc, wide_model_summed_by_items);
    tcase_add_test(tc, evaluation_order_is_sweep_order);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off(); /* as in mkba: every GSL status is checked */
    return tu_run_suite(model_suite());
}
