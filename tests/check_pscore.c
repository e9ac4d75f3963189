/* check_pscore.c - tests of the propensity model, IPW and DR.
 *
 * Every expected number comes from R, not from mkba: tests/data/ps/
 * reference.R writes the two data sets (confounded.csv: generated with a
 * known effect and confounding; lalonde.csv: MatchIt's LaLonde /
 * Dehejia-Wahba job-training data) and computes each value with glm(),
 * sandwich and numDeriv (the M-estimation sandwich with A by numerical
 * differentiation, independent of mkba's analytic derivatives), and
 * survey::svyglm as a cross-check; reference.txt is its output. The tests
 * read reference.txt (R is not needed to run them) and require agreement
 * to 1e-6 relative. Cases: a = confounded y, b = its change y - y_pre,
 * c = y_bin with a misspecified model, a_trim = a with trim 0.05,
 * d = lalonde re78, e = lalonde with age^2 and educ*married. */
#include <check.h>
#include <math.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/bootstrap.h"
#include "mkba/cohort.h"
#include "mkba/estimate.h"
#include "mkba/pscore.h"
#include "testutil.h"

#define RTOL 1e-6

/* ------------------------------------------------------------ reference */

static char *ref_text;

static void ref_load(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/ps/reference.txt", tu_srcdir());
    ref_text = tu_read(path);
    ck_assert_msg(ref_text != NULL, "cannot read %s", path);
}

/* The value of "name = value" in reference.txt (the test fails if absent). */
static double ref(const char *name)
{
    if (!ref_text)
        ref_load();
    size_t len = strlen(name);
    for (const char *s = ref_text; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : NULL)
        if (strncmp(s, name, len) == 0 && strncmp(s + len, " = ", 3) == 0)
            return strtod(s + len + 3, NULL);
    ck_abort_msg("reference value '%s' not found", name);
    return NAN;
}

static void near(double got, double want, const char *what)
{
    double tol = RTOL * fmax(fabs(want), 1e-300);
    ck_assert_msg(fabs(got - want) <= tol, "%s: mkba %.17g, R %.17g (rel. diff %.3g)", what, got,
                  want, fabs(got - want) / fabs(want));
}

static void near_ref(double got, const char *name)
{
    near(got, ref(name), name);
}

/* -------------------------------------------------------------- cohorts */

typedef struct data {
    mkba_cohort *c;
    mkba_est_term terms[12];
    mkba_ps_spec ps;
} data;

/* confounded.csv: vars 0 age, 1 female, 2 household, 3 months_before,
 * 4 y, 5 y_pre, 6 y_bin. */
static void load_confounded(data *d)
{
    static const mkba_cohort_var vars[] = {
        {"age", "age", MKBA_VAR_NUMBER, 0},
        {"female", "female", MKBA_VAR_BINARY, 0},
        {"household", "household", MKBA_VAR_CATEGORY, 0},
        {"months_before", "months_before", MKBA_VAR_NUMBER, 0},
        {"y", "y", MKBA_VAR_NUMBER, 0},
        {"y_pre", "y_pre", MKBA_VAR_NUMBER, 0},
        {"y_bin", "y_bin", MKBA_VAR_BINARY, 0}};
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/ps/confounded.csv", tu_srcdir());
    mkba_cohort_spec cs = {.file = path, .group_column = "group", .pilot_value = "pilot",
                           .control_value = "control", .n_vars = 7, .vars = vars};
    mkba_error err;
    mkba_error_clear(&err);
    memset(d, 0, sizeof *d);
    d->c = mkba_cohort_read(&cs, &err);
    ck_assert_msg(d->c != NULL, "%s", err.msg);
}

/* lalonde.csv: vars 0 age, 1 educ, 2 race, 3 married, 4 nodegree, 5 re74,
 * 6 re75, 7 re78. */
static void load_lalonde(data *d)
{
    static const mkba_cohort_var vars[] = {
        {"age", "age", MKBA_VAR_NUMBER, 0},       {"educ", "educ", MKBA_VAR_NUMBER, 0},
        {"race", "race", MKBA_VAR_CATEGORY, 0},   {"married", "married", MKBA_VAR_BINARY, 0},
        {"nodegree", "nodegree", MKBA_VAR_BINARY, 0}, {"re74", "re74", MKBA_VAR_NUMBER, 0},
        {"re75", "re75", MKBA_VAR_NUMBER, 0},     {"re78", "re78", MKBA_VAR_NUMBER, 0}};
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/ps/lalonde.csv", tu_srcdir());
    mkba_cohort_spec cs = {.file = path, .group_column = "group", .pilot_value = "pilot",
                           .control_value = "control", .n_vars = 8, .vars = vars};
    mkba_error err;
    mkba_error_clear(&err);
    memset(d, 0, sizeof *d);
    d->c = mkba_cohort_read(&cs, &err);
    ck_assert_msg(d->c != NULL, "%s", err.msg);
}

/* Terms from a list: {a, b} pairs, b = -1 alone, b = a squared. */
static void set_terms(data *d, const long (*t)[2], size_t n, mkba_estimand est, double trim)
{
    for (size_t k = 0; k < n; k++)
        d->terms[k] = (mkba_est_term){(size_t)t[k][0], t[k][1]};
    d->ps = (mkba_ps_spec){.n_terms = n, .terms = d->terms, .estimand = est, .trim = trim};
}

/* Case a/b/a_trim's propensity model: age, age^2, female, household,
 * months_before. */
static void terms_a(data *d, mkba_estimand est, double trim)
{
    static const long t[][2] = {{0, -1}, {0, 0}, {1, -1}, {2, -1}, {3, -1}};
    set_terms(d, t, 5, est, trim);
}

/* Case c: no square (misspecified). */
static void terms_c(data *d, mkba_estimand est)
{
    static const long t[][2] = {{0, -1}, {1, -1}, {2, -1}, {3, -1}};
    set_terms(d, t, 4, est, 0);
}

static void terms_d(data *d, mkba_estimand est)
{
    static const long t[][2] = {{0, -1}, {1, -1}, {2, -1}, {3, -1}, {4, -1}, {5, -1}, {6, -1}};
    set_terms(d, t, 7, est, 0);
}

/* Case e: age, age^2, educ, race, married, nodegree, re74, re75,
 * educ*married. */
static void terms_e(data *d, mkba_estimand est)
{
    static const long t[][2] = {{0, -1}, {0, 0},  {1, -1}, {2, -1}, {3, -1},
                                {4, -1}, {5, -1}, {6, -1}, {1, 3}};
    set_terms(d, t, 9, est, 0);
}

static mkba_effect estimate(const data *d, size_t outcome, long pre, mkba_est_method m)
{
    mkba_est_spec spec = {.name = "x", .outcome = outcome, .pre = pre, .method = m,
                          .ps = &d->ps};
    mkba_effect e;
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_msg(mkba_estimate(d->c, &spec, &e, &err) == MKBA_OK, "%s", err.msg);
    ck_assert(e.method == m);
    ck_assert(isinf(e.df));
    return e;
}

/* Estimate and SE of ipw and dr for the estimand, against case 'k'. */
static void check_methods(const data *d, const char *k, size_t outcome, long pre)
{
    const char *est = mkba_estimand_name(d->ps.estimand);
    const mkba_est_method ms[2] = {MKBA_EST_IPW, MKBA_EST_DR};
    for (int i = 0; i < 2; i++) {
        mkba_effect e = estimate(d, outcome, pre, ms[i]);
        char name[160];
        const char *mn = mkba_est_method_name(ms[i]);
        snprintf(name, sizeof name, "%s.%s.%s.estimate", k, mn, est);
        near_ref(e.estimate, name);
        snprintf(name, sizeof name, "%s.%s.%s.se", k, mn, est);
        near_ref(e.se, name);
        snprintf(name, sizeof name, "%s.%s.%s.ci_low", k, mn, est);
        near_ref(e.ci_lo, name);
        snprintf(name, sizeof name, "%s.%s.%s.ci_high", k, mn, est);
        near_ref(e.ci_hi, name);
    }
}

/* Coefficients, their SEs, balance and ESS against case 'k' (R names:
 * "household=couple" is mkba's "household: couple"). */
static void check_diag(const data *d, const char *k, const char *glm_prefix)
{
    mkba_error err;
    mkba_error_clear(&err);
    mkba_ps_diag *dg = mkba_ps_diagnose(d->c, &d->ps, &err);
    ck_assert_msg(dg != NULL, "%s", err.msg);
    const char *est = mkba_estimand_name(d->ps.estimand);
    char name[200], rname[120];
    for (size_t j = 0; j < dg->n_coef; j++) {
        snprintf(rname, sizeof rname, "%s", j == 0 ? "(Intercept)" : dg->name[j]);
        char *colon = strstr(rname, ": ");
        if (colon) {
            *colon = '=';
            memmove(colon + 1, colon + 2, strlen(colon + 2) + 1);
        }
        snprintf(name, sizeof name, "%s.glm.coef[%s]", glm_prefix, rname);
        near_ref(dg->coef[j], name);
        snprintf(name, sizeof name, "%s.glm.se[%s]", glm_prefix, rname);
        near_ref(dg->se[j], name);
        if (j == 0) {
            ck_assert(isnan(dg->smd_before[0]) && isnan(dg->smd_after[0]));
            continue;
        }
        snprintf(name, sizeof name, "%s.balance.%s.smd_before[%s]", k, est, rname);
        near_ref(dg->smd_before[j], name);
        snprintf(name, sizeof name, "%s.balance.%s.smd_after[%s]", k, est, rname);
        near_ref(dg->smd_after[j], name);
    }
    /* the log-likelihood, which decides IRLS's step halving */
    snprintf(name, sizeof name, "%s.glm.deviance", glm_prefix);
    near_ref(dg->deviance, name);
    snprintf(name, sizeof name, "%s.balance.%s.ess_pilot", k, est);
    near_ref(dg->ess[1], name);
    snprintf(name, sizeof name, "%s.balance.%s.ess_control", k, est);
    near_ref(dg->ess[0], name);
    size_t binned[2] = {0, 0};
    for (int g = 0; g < 2; g++)
        for (size_t b = 0; b < MKBA_PS_BINS; b++)
            binned[g] += dg->bins[g][b];
    ck_assert_uint_eq(binned[1], dg->n[1]); /* every fitted person in one bin */
    ck_assert_uint_eq(binned[0], dg->n[0]);
    mkba_ps_diag_free(dg);
}

/* ---------------------------------------------------------------- tests */

START_TEST(confounded_att)
{
    data d;
    load_confounded(&d);
    terms_a(&d, MKBA_ESTIMAND_ATT, 0);
    check_methods(&d, "a", 4, -1);
    check_diag(&d, "a", "a");
    /* the naive difference is visibly biased: it misses the truth by more
     * than 4 of its SEs, IPW and DR by less than 1 of theirs */
    mkba_est_spec naive = {.name = "x", .outcome = 4, .pre = -1, .method = MKBA_EST_DIFF};
    mkba_effect e;
    ck_assert(mkba_estimate(d.c, &naive, &e, NULL) == MKBA_OK);
    double truth = ref("truth.y.att_with_y");
    ck_assert(fabs(e.estimate - truth) > 4 * e.se);
    mkba_effect ipw = estimate(&d, 4, -1, MKBA_EST_IPW), dr = estimate(&d, 4, -1, MKBA_EST_DR);
    ck_assert(fabs(ipw.estimate - truth) < ipw.se && fabs(dr.estimate - truth) < dr.se);
    /* persons: 336 pilot, 1164 control, 30 without y (reference.R) */
    ck_assert_uint_eq(ipw.n_pilot, (size_t)ref("a.n_est_pilot"));
    ck_assert_uint_eq(ipw.n_control, (size_t)ref("a.n_est_control"));
    ck_assert_uint_eq(ipw.n_missing, (size_t)ref("truth.n_missing_y"));
    mkba_cohort_free(d.c);
}
END_TEST

/* n_rare: the smallest group x value cell of a 0/1 column. Counted with
 *   awk -F, 'NR>1{c[$1" "$3]++} END{for(k in c) print k, c[k]}' confounded.csv
 * female: pilot 126 zeros / 210 ones, control 551 / 613; and with $4 for
 * household: pilot couple 75, single 133, single_parent 128 (of 336);
 * control 393, 544, 227 (of 1164); and the persons with a non-zero value
 * (awk -F, 'NR>1 && $5 != 0{c[$1]++} END{for(k in c) print k, c[k]}'):
 * age (and its square) every one, months_before 329 pilot, 1114 control. */
START_TEST(rare_cells)
{
    data d;
    load_confounded(&d);
    terms_a(&d, MKBA_ESTIMAND_ATT, 0);
    mkba_ps_diag *dg = mkba_ps_diagnose(d.c, &d.ps, NULL);
    ck_assert_ptr_nonnull(dg);
    /* columns: (intercept), age, age^2, female, household: couple,
     * household: single, months_before */
    ck_assert_uint_eq(dg->n_coef, 7);
    ck_assert_str_eq(dg->name[4], "household: couple");
    /* household's dummies also carry its base level's cells (single_parent:
     * 128 pilot, 227 control): single's own smallest cell is 133, so 128 */
    const size_t want[7] = {SIZE_MAX, 336, 336, 126, 75, 128, 329};
    for (size_t j = 0; j < 7; j++)
        ck_assert_uint_eq(dg->n_rare[j], want[j]);
    mkba_ps_diag_free(dg);
    mkba_cohort_free(d.c);
}
END_TEST

START_TEST(confounded_ate)
{
    data d;
    load_confounded(&d);
    terms_a(&d, MKBA_ESTIMAND_ATE, 0);
    check_methods(&d, "a", 4, -1);
    check_diag(&d, "a", "a");
    mkba_cohort_free(d.c);
}
END_TEST

START_TEST(confounded_change_score)
{
    data d;
    load_confounded(&d);
    for (int est = 0; est < 2; est++) {
        terms_a(&d, (mkba_estimand)est, 0);
        check_methods(&d, "b", 4, 5);
    }
    mkba_cohort_free(d.c);
}
END_TEST

START_TEST(confounded_binary_misspecified)
{
    data d;
    load_confounded(&d);
    for (int est = 0; est < 2; est++) {
        terms_c(&d, (mkba_estimand)est);
        check_methods(&d, "c", 6, -1);
        check_diag(&d, "c", "c");
    }
    mkba_cohort_free(d.c);
}
END_TEST

START_TEST(confounded_trimmed)
{
    data d;
    load_confounded(&d);
    for (int est = 0; est < 2; est++) {
        terms_a(&d, (mkba_estimand)est, 0.05);
        check_methods(&d, "a_trim.trimmed", 4, -1);
        check_diag(&d, "a_trim.trimmed", "a_trim.trimmed");
    }
    mkba_error err;
    mkba_ps_diag *dg = mkba_ps_diagnose(d.c, &d.ps, &err);
    ck_assert_uint_eq(dg->n_trimmed[1], (size_t)ref("a_trim.trim.dropped_pilot"));
    ck_assert_uint_eq(dg->n_trimmed[0], (size_t)ref("a_trim.trim.dropped_control"));
    ck_assert_uint_eq(dg->n[1], (size_t)ref("a_trim.trimmed.n_ps_pilot"));
    ck_assert_uint_eq(dg->n[0], (size_t)ref("a_trim.trimmed.n_ps_control"));
    mkba_ps_diag_free(dg);
    mkba_cohort_free(d.c);
}
END_TEST

START_TEST(lalonde_main_effects)
{
    data d;
    load_lalonde(&d);
    for (int est = 0; est < 2; est++) {
        terms_d(&d, (mkba_estimand)est);
        check_methods(&d, "d", 7, -1);
        check_diag(&d, "d", "d");
    }
    mkba_cohort_free(d.c);
}
END_TEST

START_TEST(lalonde_square_and_interaction)
{
    data d;
    load_lalonde(&d);
    for (int est = 0; est < 2; est++) {
        terms_e(&d, (mkba_estimand)est);
        check_methods(&d, "e", 7, -1);
        check_diag(&d, "e", "e");
    }
    mkba_cohort_free(d.c);
}
END_TEST

/* ------------------------------------------------------------ bootstrap */

/* A replicate with every count 1 is the estimate itself; with every count
 * 2 the same estimate (a frequency weight of 2 = the person listed twice,
 * and listing everyone twice changes no mean and no MLE). */
START_TEST(replicate_counts)
{
    data d;
    load_confounded(&d);
    terms_a(&d, MKBA_ESTIMAND_ATT, 0);
    mkba_est_spec specs[3] = {
        {.name = "ipw", .outcome = 4, .pre = -1, .method = MKBA_EST_IPW, .ps = &d.ps},
        {.name = "diff", .outcome = 4, .pre = -1, .method = MKBA_EST_DIFF},
        {.name = "dr", .outcome = 6, .pre = -1, .method = MKBA_EST_DR, .ps = &d.ps}};
    size_t n = mkba_cohort_size(d.c);
    uint32_t *counts = malloc(n * sizeof *counts);
    double est[3], want[3];
    for (size_t j = 0; j < 3; j++) {
        mkba_effect e;
        ck_assert(mkba_estimate(d.c, &specs[j], &e, NULL) == MKBA_OK);
        want[j] = e.estimate;
    }
    for (uint32_t k = 1; k <= 2; k++) {
        for (size_t i = 0; i < n; i++)
            counts[i] = k;
        size_t failed = 99;
        mkba_error err;
        mkba_error_clear(&err);
        ck_assert_msg(mkba_bootstrap_replicate(d.c, specs, 3, counts, est, &failed, &err) ==
                          MKBA_OK,
                      "%s", err.msg);
        ck_assert_uint_eq(failed, 0);
        for (size_t j = 0; j < 3; j++) {
            if (k == 1)
                ck_assert_msg(est[j] == want[j], "%zu: %.17g vs %.17g", j, est[j], want[j]);
            else
                ck_assert(fabs(est[j] - want[j]) <= 1e-9 * fabs(want[j]));
        }
    }
    free(counts);
    mkba_cohort_free(d.c);
}
END_TEST

/* The bootstrap refits the propensity model in every replicate: its SD of
 * the IPW and DR estimates agrees with the sandwich SE (which counts the
 * propensity model's uncertainty) within the bootstrap's own sampling
 * error (B = 400: the SD's relative SE is about 1 / sqrt(2B) = 3.5%; 15%
 * allowed), and the replicates are the same on 1 and 2 threads. */
START_TEST(bootstrap_matches_sandwich)
{
    data d;
    load_confounded(&d);
    terms_a(&d, MKBA_ESTIMAND_ATT, 0);
    mkba_est_spec specs[2] = {
        {.name = "ipw", .outcome = 4, .pre = -1, .method = MKBA_EST_IPW, .ps = &d.ps},
        {.name = "dr", .outcome = 4, .pre = -1, .method = MKBA_EST_DR, .ps = &d.ps}};
    enum { B = 400 };
    double *r1 = malloc(2 * B * sizeof *r1), *r2 = malloc(2 * B * sizeof *r2);
    size_t failed = 0;
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_msg(mkba_bootstrap(d.c, specs, 2, B, 7, 1, r1, &failed, &err) == MKBA_OK, "%s",
                  err.msg);
    ck_assert_uint_eq(failed, 0);
    ck_assert(mkba_bootstrap(d.c, specs, 2, B, 7, 2, r2, &failed, &err) == MKBA_OK);
    ck_assert(memcmp(r1, r2, 2 * B * sizeof *r1) == 0);
    const char *se_name[2] = {"a.ipw.att.se", "a.dr.att.se"};
    for (size_t j = 0; j < 2; j++) {
        double s = 0, ss = 0;
        for (size_t r = 0; r < B; r++)
            s += r1[r * 2 + j];
        double mean = s / B;
        for (size_t r = 0; r < B; r++)
            ss += (r1[r * 2 + j] - mean) * (r1[r * 2 + j] - mean);
        double sd = sqrt(ss / (B - 1)), se = ref(se_name[j]);
        ck_assert_msg(fabs(sd / se - 1) < 0.15, "%s: bootstrap SD %g, sandwich %g",
                      se_name[j], sd, se);
    }
    free(r1);
    free(r2);
    mkba_cohort_free(d.c);
}
END_TEST

/* The cohort with person i listed cnt[i] times (confounded.csv's 7
 * variables, in cohort order). */
static mkba_cohort *expanded(const mkba_cohort *c, const uint32_t *cnt)
{
    static const mkba_cohort_var vars[7] = {
        {"age", NULL, MKBA_VAR_NUMBER, 0},         {"female", NULL, MKBA_VAR_BINARY, 0},
        {"household", NULL, MKBA_VAR_CATEGORY, 0}, {"months_before", NULL, MKBA_VAR_NUMBER, 0},
        {"y", NULL, MKBA_VAR_NUMBER, 0},           {"y_pre", NULL, MKBA_VAR_NUMBER, 0},
        {"y_bin", NULL, MKBA_VAR_BINARY, 0}};
    size_t n = mkba_cohort_size(c), m = 0;
    for (size_t i = 0; i < n; i++)
        m += cnt[i];
    uint8_t *g = malloc(m);
    double *col[7];
    for (int v = 0; v < 7; v++)
        col[v] = malloc(m * sizeof(double));
    for (size_t i = 0, k = 0; i < n; i++)
        for (uint32_t t = 0; t < cnt[i]; t++, k++) {
            g[k] = mkba_cohort_group(c)[i];
            for (int v = 0; v < 7; v++)
                col[v][k] = mkba_cohort_column(c, (size_t)v)[i];
        }
    mkba_cohort *x = mkba_cohort_from_arrays(m, g, 7, vars, (const double *const *)col);
    ck_assert(x != NULL);
    free(g);
    for (int v = 0; v < 7; v++)
        free(col[v]);
    return x;
}

/* The estimands of the replicate tests: the ATT, the ATE, and the ATT
 * with trimming. */
typedef struct ps_case {
    mkba_estimand est;
    double trim;
} ps_case;
static const ps_case PS_CASES[3] = {{MKBA_ESTIMAND_ATT, 0}, {MKBA_ESTIMAND_ATE, 0},
                                    {MKBA_ESTIMAND_ATT, 0.05}};

/* Their effects: IPW and DR on the outcome, DR on its change. */
static void ps_specs(data *d, mkba_est_spec specs[3])
{
    specs[0] = (mkba_est_spec){.name = "ipw", .outcome = 4, .pre = -1, .method = MKBA_EST_IPW,
                               .ps = &d->ps};
    specs[1] = (mkba_est_spec){.name = "dr", .outcome = 4, .pre = -1, .method = MKBA_EST_DR,
                               .ps = &d->ps};
    specs[2] = (mkba_est_spec){.name = "dr_change", .outcome = 4, .pre = 5,
                               .method = MKBA_EST_DR, .ps = &d->ps};
}

/* A replicate refits the propensity model by IRLS from the full-data fit
 * (pscore.c); the maximum likelihood fit with the counts as frequency
 * weights is the fit on the cohort with every person listed as often as
 * drawn, which mkba_estimate makes from 0 (its own code path: no weights,
 * no bootstrap). Both converge to the same fit (to IRLS_TOL, 1e-11 in the
 * coefficients), so every IPW and DR replicate equals that estimate to
 * 1e-9 relative: for the ATT and the ATE, with trimming (which the
 * replicate redoes on its own fit), on the outcome and its change. */
START_TEST(replicate_is_cold_fit_on_copies)
{
    data d;
    load_confounded(&d);
    const ps_case *cases = PS_CASES;
    size_t n = mkba_cohort_size(d.c);
    uint32_t *cnt = malloc(n * sizeof *cnt);
    for (int k = 0; k < 3; k++) {
        terms_a(&d, cases[k].est, cases[k].trim);
        mkba_est_spec specs[3];
        ps_specs(&d, specs);
        for (size_t r = 0; r < 3; r++) {
            ck_assert(mkba_bootstrap_counts(d.c, 31, r, cnt, NULL) == MKBA_OK);
            double est[3];
            size_t failed = 99;
            ck_assert(mkba_bootstrap_replicate(d.c, specs, 3, cnt, est, &failed, NULL) == MKBA_OK);
            ck_assert_uint_eq(failed, 0);
            mkba_cohort *x = expanded(d.c, cnt);
            for (size_t j = 0; j < 3; j++) {
                mkba_effect e;
                mkba_error err;
                mkba_error_clear(&err);
                ck_assert_msg(mkba_estimate(x, &specs[j], &e, &err) == MKBA_OK, "%s", err.msg);
                ck_assert_msg(fabs(est[j] - e.estimate) <= 1e-9 * fabs(e.estimate),
                              "case %d replicate %zu %s: %.17g vs %.17g", k, r, specs[j].name,
                              est[j], e.estimate);
            }
            mkba_cohort_free(x);
        }
    }
    free(cnt);
    mkba_cohort_free(d.c);
}
END_TEST

/* The bootstrap's plan is built on its threads (the fit beside the
 * checks, the effects coded side by side): with trimming (the outcome
 * models checked on the trimmed fit) and without, for the ATT and the
 * ATE, the replicates on 2 and 3 threads are those on 1 bit for bit, and
 * each is the replicate mkba_bootstrap_replicate computes alone on its
 * counts (a plan built on one thread). */
START_TEST(bootstrap_plan_on_threads)
{
    data d;
    load_confounded(&d);
    const ps_case *cases = PS_CASES;
    size_t n = mkba_cohort_size(d.c);
    uint32_t *cnt = malloc(n * sizeof *cnt);
    enum { B = 6 };
    for (int k = 0; k < 3; k++) {
        terms_a(&d, cases[k].est, cases[k].trim);
        mkba_est_spec specs[3];
        ps_specs(&d, specs);
        double rep[3][3 * B];
        for (int t = 0; t < 3; t++)
            ck_assert(mkba_bootstrap(d.c, specs, 3, B, 9, t + 1, rep[t], NULL, NULL) == MKBA_OK);
        ck_assert(memcmp(rep[0], rep[1], sizeof rep[0]) == 0);
        ck_assert(memcmp(rep[0], rep[2], sizeof rep[0]) == 0);
        for (size_t r = 0; r < B; r++) {
            double est[3];
            ck_assert(mkba_bootstrap_counts(d.c, 9, r, cnt, NULL) == MKBA_OK);
            ck_assert(mkba_bootstrap_replicate(d.c, specs, 3, cnt, est, NULL, NULL) == MKBA_OK);
            ck_assert(memcmp(est, rep[0] + 3 * r, sizeof est) == 0);
        }
    }
    free(cnt);
    mkba_cohort_free(d.c);
}
END_TEST

/* --------------------------------------------------------------- errors */

/* A cohort of n persons from arrays: columns x0 (number), x1 (0/1), x2
 * (category), y. */
static mkba_cohort *small(size_t n, const uint8_t *g, const double *x0, const double *x1,
                          const double *x2, const double *y)
{
    static const mkba_cohort_var vars[4] = {{"age", NULL, MKBA_VAR_NUMBER, 0},
                                            {"female", NULL, MKBA_VAR_BINARY, 0},
                                            {"district", NULL, MKBA_VAR_CATEGORY, 0},
                                            {"y", NULL, MKBA_VAR_NUMBER, 0}};
    const double *cols[4] = {x0, x1, x2, y};
    mkba_cohort *c = mkba_cohort_from_arrays(n, g, 4, vars, cols);
    ck_assert(c != NULL);
    return c;
}

/* The message of estimating y by IPW on the given terms; the bootstrap on
 * 2 threads (which checks the propensity model beside its fit, and stops
 * the fit where a check fails) gives mkba_estimate's message too. */
static void expect_error(mkba_cohort *c, const long (*t)[2], size_t n_terms, const char *want)
{
    data d;
    memset(&d, 0, sizeof d);
    d.c = c;
    set_terms(&d, t, n_terms, MKBA_ESTIMAND_ATT, 0);
    mkba_est_spec spec = {.name = "y", .outcome = 3, .pre = -1, .method = MKBA_EST_IPW,
                          .ps = &d.ps};
    mkba_effect e;
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert(mkba_estimate(c, &spec, &e, &err) != MKBA_OK);
    ck_assert_msg(strstr(err.msg, want) != NULL, "message: %s\nwanted: %s", err.msg, want);
    ck_assert_msg(strncmp(err.msg, "effect 'y': ", 12) == 0, "%s", err.msg);
    mkba_error boot;
    mkba_error_clear(&boot);
    double out[2];
    ck_assert_int_eq(mkba_bootstrap(c, &spec, 1, 2, 1, 2, out, NULL, &boot), err.code);
    ck_assert_str_eq(boot.msg, err.msg);
    mkba_error_clear(&err);
    ck_assert(mkba_ps_diagnose(c, &d.ps, &err) == NULL);
    ck_assert_msg(strstr(err.msg, want) != NULL, "diagnose: %s", err.msg);
    mkba_cohort_free(c);
}

enum { N = 12 };
static const uint8_t G[N] = {1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0};
static const double Y[N] = {5, 6, 7, 5, 6, 8, 4, 5, 3, 4, 6, 5};
static const double AGE[N] = {20, 30, 40, 50, 25, 35, 22, 33, 44, 55, 28, 38};
static const double FEM[N] = {0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1};
static const double DIS[N] = {0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};

START_TEST(error_separation)
{
    /* every pilot person is younger than every control person */
    const double age[N] = {20, 21, 22, 23, 24, 25, 30, 31, 32, 33, 34, 35};
    static const long t[][2] = {{0, -1}, {1, -1}};
    expect_error(small(N, G, age, FEM, DIS, Y), t, 2,
                 "'age' separates the groups: every pilot person's value is at or below "
                 "every control person's");
}
END_TEST

/* The bootstrap checks its IPW/DR effects together (one fit), but fails
 * where mkba_estimate fails, with its message, and on the first effect in
 * order that fails: the propensity model's error at the first IPW effect;
 * a DR effect whose outcome model is singular after a good IPW effect; a
 * bad DIFF effect before either. On 1 and 2 threads (the checks then run
 * side by side, and all of them). */
START_TEST(bootstrap_error_is_estimate_error)
{
    /* every pilot person is younger than every control person */
    const double age_sep[N] = {20, 21, 22, 23, 24, 25, 30, 31, 32, 33, 34, 35};
    static const long t_age[][2] = {{0, -1}};
    static const long t_two[][2] = {{0, -1}, {1, -1}};
    static const size_t cov_dis[2] = {2, 1}; /* district, then female (= district here) */
    static const struct {
        const double *age, *fem;
        const long (*terms)[2];
        size_t n_terms;
        size_t bad;            /* the spec whose error is expected */
    } cases[3] = {{NULL, NULL, t_age, 1, 1}, {AGE, DIS, t_two, 2, 2}, {AGE, DIS, t_two, 2, 0}};
    for (int k = 0; k < 3; k++) {
        data d;
        memset(&d, 0, sizeof d);
        d.c = small(N, G, cases[k].age ? cases[k].age : age_sep, cases[k].fem ? cases[k].fem : FEM,
                    DIS, Y);
        set_terms(&d, cases[k].terms, cases[k].n_terms, MKBA_ESTIMAND_ATT, 0);
        mkba_est_spec specs[3] = {
            {.name = "y_diff", .outcome = k == 2 ? 99 : 3, .pre = -1, .method = MKBA_EST_DIFF},
            {.name = "y_ipw", .outcome = 3, .pre = -1, .method = MKBA_EST_IPW, .ps = &d.ps},
            {.name = "y_dr", .outcome = 3, .pre = -1, .n_cov = 2, .cov = cov_dis,
             .method = MKBA_EST_DR, .ps = &d.ps}};
        mkba_effect e;
        mkba_error want, got;
        mkba_error_clear(&want);
        mkba_error_clear(&got);
        ck_assert(mkba_estimate(d.c, &specs[cases[k].bad], &e, &want) != MKBA_OK);
        for (size_t j = 0; j < cases[k].bad; j++)
            ck_assert(mkba_estimate(d.c, &specs[j], &e, NULL) == MKBA_OK);
        double out[3 * 2];
        for (int threads = 1; threads <= 2; threads++) {
            mkba_error_clear(&got);
            ck_assert(mkba_bootstrap(d.c, specs, 3, 2, 1, threads, out, NULL, &got) == want.code);
            ck_assert_msg(strcmp(got.msg, want.msg) == 0, "case %d: '%s' vs '%s'", k, got.msg,
                          want.msg);
        }
        mkba_cohort_free(d.c);
    }
}
END_TEST

/* Nearly collinear propensity covariates of large size (an income near
 * 5e4, and 3 x income + 7 + s u with u standard normal): the distance of
 * the second from the span of the intercept and the first is about
 * s sqrt(n), its norm about 1.5e5 sqrt(n), so R_jj / |x_j| is about
 * s / 1.5e5 (the rule R's lm() uses, and the QR that mkba used before the
 * cross-products: collinear below 1e-7). s = 1e-3 (6.7e-9) is collinear,
 * s = 0.1 (6.7e-7) is not: the centred, equilibrated cross-products tell
 * them apart where the raw ones (their cancellation is some 1e-16 x
 * (1.5e5)^2 n against R_jj^2 = 1e-6 n) could not. */
START_TEST(near_collinear_large_values)
{
    enum { M = 400 };
    static const mkba_cohort_var vars[3] = {{"income", NULL, MKBA_VAR_NUMBER, 0},
                                            {"income3", NULL, MKBA_VAR_NUMBER, 0},
                                            {"y", NULL, MKBA_VAR_NUMBER, 0}};
    uint8_t g[M];
    double inc[M], inc3[M], y[M];
    static const double scale[2] = {1e-3, 0.1};
    for (int k = 0; k < 2; k++) {
        unsigned long state = 12345;
        for (size_t i = 0; i < M; i++) {
            /* a small LCG and Box-Muller: data independent of mkba */
            state = state * 6364136223846793005UL + 1442695040888963407UL;
            double u1 = ((double)(state >> 11) + 0.5) / 9007199254740992.0;
            state = state * 6364136223846793005UL + 1442695040888963407UL;
            double u2 = ((double)(state >> 11) + 0.5) / 9007199254740992.0;
            double z = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
            g[i] = i % 2;
            inc[i] = 50000 + 10000 * u2;
            inc3[i] = 3 * inc[i] + 7 + scale[k] * z;
            y[i] = (double)(i % 7);
        }
        const double *cols[3] = {inc, inc3, y};
        mkba_cohort *c = mkba_cohort_from_arrays(M, g, 3, vars, cols);
        ck_assert(c != NULL);
        data d;
        memset(&d, 0, sizeof d);
        d.c = c;
        static const long t[][2] = {{0, -1}, {1, -1}};
        set_terms(&d, t, 2, MKBA_ESTIMAND_ATT, 0);
        mkba_error err;
        mkba_error_clear(&err);
        mkba_ps_diag *dg = mkba_ps_diagnose(c, &d.ps, &err);
        if (k == 0)
            ck_assert_msg(dg == NULL && tu_contains(err.msg, "the design is singular: 'income3' "
                                                             "is a linear combination of the "
                                                             "intercept and the terms listed "
                                                             "before it"),
                          "%s", err.msg);
        else
            ck_assert_msg(!tu_contains(err.msg, "singular"), "%s", err.msg);
        mkba_ps_diag_free(dg);
        mkba_cohort_free(c);
    }
}
END_TEST

START_TEST(error_level_in_one_group)
{
    /* district level 2 only among the control persons */
    const double dis[N] = {0, 1, 0, 1, 0, 1, 0, 1, 2, 2, 0, 1};
    static const long t[][2] = {{0, -1}, {2, -1}};
    expect_error(small(N, G, AGE, FEM, dis, Y), t, 2,
                 "covariate 'district': its level number 3 (in order of first appearance in "
                 "the cohort file) occurs in the control group only");
}
END_TEST

START_TEST(error_group_without_values)
{
    /* no pilot person has a value for female */
    const double fem[N] = {NAN, NAN, NAN, NAN, NAN, NAN, 1, 0, 0, 1, 0, 1};
    static const long t[][2] = {{0, -1}, {1, -1}};
    expect_error(small(N, G, AGE, fem, DIS, Y), t, 2,
                 "covariate 'female' has no value for any person of the pilot group");
}
END_TEST

START_TEST(error_constant_and_collinear)
{
    const double fem[N] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    static const long t1[][2] = {{0, -1}, {1, -1}};
    expect_error(small(N, G, AGE, fem, DIS, Y), t1, 2,
                 "'female' is constant among the persons used");
    /* district (0/1 as a category) equals female here */
    static const long t2[][2] = {{1, -1}, {2, -1}};
    expect_error(small(N, G, AGE, DIS, DIS, Y), t2, 2,
                 "the design is singular: 'district' (its level number 2 in order of first "
                 "appearance) is a linear combination of the intercept and the terms listed "
                 "before it");
}
END_TEST

START_TEST(error_combined_separation)
{
    /* No single covariate separates the groups, but age + 10 * female
     * does: pilot persons have age + 10 female < 40, control ones > 40. */
    const double age[N] = {20, 35, 25, 22, 28, 38, 32, 45, 50, 41, 42, 60};
    const double fem[N] = {1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0};
    static const long t[][2] = {{0, -1}, {1, -1}};
    expect_error(small(N, G, age, fem, DIS, Y), t, 2,
                 "a combination of covariates separates the pilot from the control group");
}
END_TEST

/* ----------------------------------------------------------- end to end */

static const char *E2E_MODEL =
    "[model]\nname = ps\nhorizon = 2\nfirst_year = 2020\nprice_year = 2020\n"
    "currency = EUR\ndiscount_rate = 3%%\nstakeholders = city\n"
    "[stakeholder.city]\nlabel = City\n"
    "[cohort]\nfile = %s\ngroup_column = group\npilot_value = pilot\n"
    "control_value = control\n"
    "[outcome.y_naive]\ncolumn = y\nmethod = diff\n"
    "[outcome.y_ipw]\ncolumn = y\nmethod = ipw\n"
    "[outcome.y_dr]\ncolumn = y\nmethod = dr\n"
    "[propensity]\ncovariates = age, age^2, female, household, months_before\n%s"
    "[covariate.age]\n[covariate.female]\ntype = binary\n"
    "[covariate.household]\ntype = category\n[covariate.months_before]\n"
    "[parameters]\npilot = 0\n"
    "[item.gain]\nstakeholder = city\nkind = benefit\nquantity = pilot * effect.y_dr\n"
    "price = 100\n";

/* The field 'col' (0-based) of the line of 'csv' that starts with 'key,'. */
static double csv_field(const char *csv, const char *key, int col)
{
    size_t len = strlen(key);
    for (const char *s = csv; s; s = strchr(s, '\n'), s = s ? s + 1 : NULL)
        if (strncmp(s, key, len) == 0 && s[len] == ',') {
            const char *f = s;
            for (int k = 0; k < col && f; k++)
                f = strchr(f, ',') ? strchr(f, ',') + 1 : NULL;
            ck_assert_ptr_nonnull(f);
            return strtod(f, NULL);
        }
    ck_abort_msg("no line '%s' in\n%s", key, csv);
    return NAN;
}

/* mkba run with ipw and dr writes their estimates, SEs and the balance as
 * R computes them (case a), and the propensity block everywhere. */
START_TEST(e2e_run)
{
    char rel[1024], csv[PATH_MAX], model[8192];
    snprintf(rel, sizeof rel, "%s/tests/data/ps/confounded.csv", tu_srcdir());
    ck_assert_ptr_nonnull(realpath(rel, csv)); /* the run is in another directory */
    snprintf(model, sizeof model, E2E_MODEL, csv, "");
    free(tu_write(tu_tmp, "model.ini", model));
    free(tu_write(tu_tmp, "ref.ini", "[scenario]\nname = ref\nbase = model.ini\n"));
    free(tu_write(tu_tmp, "pilot.ini", "[scenario]\nname = pilot\nbase = model.ini\n"
                                  "reference = ref.ini\n[parameters]\npilot = 1\n"));
    const char *args[] = {"run", "pilot.ini", "--draws", "200", "--bootstrap", "100",
                          "--out", "out", "--no-charts", NULL};
    char *out = NULL, *err = NULL;
    ck_assert_msg(tu_run(tu_tmp, args, &out, &err) == 0, "%s", err);
    ck_assert_msg(tu_contains(out, "Propensity model (ATT"), "%s", out);
    /* the SE says which it is */
    ck_assert_msg(tu_contains(out, "SE by the\n  M-estimation sandwich") ||
                      tu_contains(out, "SE by the M-estimation sandwich"),
                  "%s", out);
    char *path = tu_path(tu_tmp, "out/effects.csv");
    char *eff = tu_read(path);
    free(path);
    /* effects.csv: effect,label,method,estimate,se,ci_lo,ci_hi,... */
    near(csv_field(eff, "y_ipw", 3), ref("a.ipw.att.estimate"), "effects.csv ipw");
    near(csv_field(eff, "y_ipw", 4), ref("a.ipw.att.se"), "effects.csv ipw se");
    near(csv_field(eff, "y_dr", 3), ref("a.dr.att.estimate"), "effects.csv dr");
    near(csv_field(eff, "y_dr", 6), ref("a.dr.att.ci_high"), "effects.csv dr ci_high");
    path = tu_path(tu_tmp, "out/balance.csv");
    char *bal = tu_read(path);
    free(path);
    near(csv_field(bal, "months_before", 2), ref("a.balance.att.smd_after[months_before]"),
         "balance.csv");
    path = tu_path(tu_tmp, "out/results.json");
    char *json = tu_read(path);
    free(path);
    ck_assert(tu_contains(json, "\"propensity\":\t{"));
    free(eff);
    free(bal);
    free(json);
    free(out);
    free(err);
}
END_TEST

/* A propensity model that cannot be fitted stops the run with the model
 * file named, and writes nothing. */
START_TEST(e2e_separation_error)
{
    free(tu_write(tu_tmp, "c.csv", "group,age,female,household,months_before,y\n"
                              "pilot,20,0,a,1,5\npilot,21,1,b,2,6\npilot,22,0,a,3,7\n"
                              "control,30,1,b,1,4\ncontrol,31,0,a,2,5\ncontrol,32,1,b,3,6\n"));
    char model[4096];
    snprintf(model, sizeof model, E2E_MODEL, "c.csv", "");
    free(tu_write(tu_tmp, "model.ini", model));
    const char *args[] = {"estimate", "model.ini", NULL};
    char *out = NULL, *err = NULL;
    ck_assert_int_ne(tu_run(tu_tmp, args, &out, &err), 0);
    ck_assert_msg(tu_contains(err, "model.ini: effect 'y_ipw': propensity model: 'age' "
                                   "separates the groups"),
                  "%s", err);
    free(out);
    free(err);
}
END_TEST

/* ------------------------------------------------------- review cases */

/* Propensities within 1e-13 of 0 and 1 where the groups still overlap:
 * the MLE exists (the pilot has a person at x = -0.2 and the control group
 * one at 0.2, so no cut separates them), the fit converges, and the ATE runs
 * on finite weights. */
START_TEST(extreme_but_overlapping)
{
    enum { M = 81 };
    uint8_t g[M];
    double x[M], f0[M], c0[M], y[M];
    for (size_t i = 0; i < M; i++) {
        x[i] = -8 + 0.2 * (double)i;
        g[i] = x[i] > 0.1;
        f0[i] = (double)(i % 2);
        c0[i] = (double)(i % 3 == 0);
        y[i] = 1 + x[i] + g[i];
    }
    g[39] = 1; /* x = -0.2 */
    g[41] = 0; /* x = 0.2 */
    mkba_cohort *c = small(M, g, x, f0, c0, y);
    data d;
    memset(&d, 0, sizeof d);
    d.c = c;
    static const long t[][2] = {{0, -1}};
    set_terms(&d, t, 1, MKBA_ESTIMAND_ATE, 0);
    mkba_ps_diag *dg = mkba_ps_diagnose(c, &d.ps, NULL);
    ck_assert_ptr_nonnull(dg);
    /* a steep but finite slope: at x = +-8 the log-odds pass +-30, so some
     * propensities lie within 1e-13 of 0 and 1 */
    ck_assert_msg(fabs(dg->coef[1]) * 8 > 30, "slope %g", dg->coef[1]);
    mkba_ps_diag_free(dg);
    mkba_est_spec spec = {.name = "y", .outcome = 3, .pre = -1, .method = MKBA_EST_IPW,
                          .ps = &d.ps};
    mkba_effect e;
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_msg(mkba_estimate(c, &spec, &e, &err) == MKBA_OK, "%s", err.msg);
    ck_assert(isfinite(e.estimate) && isfinite(e.se));
    mkba_cohort_free(c);
}
END_TEST

/* Trimming that leaves a level in one group says so, and says to lower
 * trim (confounded.csv at 0.49: 16 persons remain; checked in R). */
START_TEST(trimming_removes_overlap)
{
    data d;
    load_confounded(&d);
    terms_a(&d, MKBA_ESTIMAND_ATT, 0.49);
    mkba_est_spec spec = {.name = "y", .outcome = 4, .pre = -1, .method = MKBA_EST_IPW,
                          .ps = &d.ps};
    mkba_effect e;
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert(mkba_estimate(d.c, &spec, &e, &err) != MKBA_OK);
    ck_assert_msg(tu_contains(err.msg, "effect 'y': propensity model: after trimming at 0.49, "
                                       "covariate 'household': its level number 2"),
                  "%s", err.msg);
    ck_assert(tu_contains(err.msg, "; or lower trim"));
    /* trimmed persons count as left out: used + left out = the cohort */
    terms_a(&d, MKBA_ESTIMAND_ATT, 0.05);
    ck_assert(mkba_estimate(d.c, &spec, &e, NULL) == MKBA_OK);
    ck_assert_uint_eq(e.n_pilot + e.n_control + e.n_missing, 1500);
    mkba_cohort_free(d.c);
}
END_TEST

/* A DR outcome covariate that is collinear among the control persons is
 * named (here: female equals district's level 2 among them). */
START_TEST(dr_outcome_model_named)
{
    enum { M = 24 };
    uint8_t g[M];
    double age[M], fem[M], dis[M], y[M];
    for (size_t i = 0; i < M; i++) {
        g[i] = i < 12;
        age[i] = 20 + (double)((i * 7) % 23);
        dis[i] = (double)(i % 2);
        fem[i] = g[i] ? (double)((i / 2) % 2) : dis[i];
        y[i] = (double)(i % 5);
    }
    mkba_cohort *c = small(M, g, age, fem, dis, y);
    data d;
    memset(&d, 0, sizeof d);
    d.c = c;
    static const long t[][2] = {{0, -1}};
    set_terms(&d, t, 1, MKBA_ESTIMAND_ATT, 0);
    const size_t cov[2] = {1, 2};
    mkba_est_spec spec = {.name = "y", .outcome = 3, .pre = -1, .n_cov = 2, .cov = cov,
                          .method = MKBA_EST_DR, .ps = &d.ps};
    mkba_effect e;
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert(mkba_estimate(c, &spec, &e, &err) != MKBA_OK);
    ck_assert_msg(tu_contains(err.msg, "effect 'y': outcome model among the control persons: "
                                       "the design is singular: 'district' (its level number "
                                       "2 in order of first appearance) is a linear "
                                       "combination"),
                  "%s", err.msg);
    mkba_cohort_free(c);
}
END_TEST

/* A covariate constant in the pilot group (ATT) is measured on the pooled
 * SD, not reported as balanced: here the pilot's age is 30 for all 6 and
 * the control ages are 20, 25, ..., 45, so before weighting the SMD is
 * (30 - 32.5) / sqrt((0 + 56) / 2) with 56 the control variance
 * ((12.5^2 + 7.5^2 + 2.5^2) * 2 / 5 = 87.5 ... computed below). */
START_TEST(smd_constant_in_pilot)
{
    enum { M = 12 };
    static const uint8_t g[M] = {1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0};
    static const double age[M] = {30, 30, 30, 30, 30, 30, 20, 25, 30, 35, 40, 45};
    static const double fem[M] = {0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1};
    static const double y[M] = {1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6};
    mkba_cohort *c = small(M, g, age, fem, DIS, y);
    data d;
    memset(&d, 0, sizeof d);
    d.c = c;
    static const long t[][2] = {{1, -1}, {0, -1}};
    set_terms(&d, t, 2, MKBA_ESTIMAND_ATT, 0);
    mkba_ps_diag *dg = mkba_ps_diagnose(c, &d.ps, NULL);
    ck_assert_ptr_nonnull(dg);
    /* control mean 32.5, variance (12.5^2 + 7.5^2 + 2.5^2) * 2 / 5 = 87.5;
     * pooled SD sqrt((0 + 87.5) / 2) */
    double want = (30 - 32.5) / sqrt(87.5 / 2);
    ck_assert_str_eq(dg->name[2], "age");
    ck_assert_msg(fabs(dg->smd_before[2] - want) < 1e-12, "%.17g vs %.17g", dg->smd_before[2],
                  want);
    ck_assert(isfinite(dg->smd_after[2]));
    mkba_ps_diag_free(dg);
    mkba_cohort_free(c);
}
END_TEST

/* A level held by 3 pilot persons and 1 control person: in the replicates
 * that draw no copy of that control person the propensity model separates
 * the groups (about (1 - 1/40)^40 = 36% of them). The run warns, and the
 * Monte Carlo draws only from the replicates in which every effect was
 * estimated: no draw is lost as non-finite. */
START_TEST(e2e_failed_replicates)
{
    char csv[4096] = "group,age,female,household,months_before,y\n";
    size_t len = strlen(csv);
    for (int i = 0; i < 80; i++) {
        int pilot = i < 40;
        const char *hh = (pilot && i < 3) || i == 40 ? "rare" : i % 2 ? "a" : "b";
        len += (size_t)snprintf(csv + len, sizeof csv - len, "%s,%d,%d,%s,%d,%d\n",
                                pilot ? "pilot" : "control", 20 + (i * 7) % 40, i % 2, hh,
                                i % 13, (i * 5) % 11 + pilot);
    }
    free(tu_write(tu_tmp, "c.csv", csv));
    char model[8192];
    snprintf(model, sizeof model, E2E_MODEL, "c.csv", "");
    /* the propensity model on age and household only */
    char *at = strstr(model, "covariates = age, age^2, female, household, months_before");
    ck_assert_ptr_nonnull(at);
    memcpy(at, "covariates = age, household                              ", 57);
    free(tu_write(tu_tmp, "model.ini", model));
    free(tu_write(tu_tmp, "ref.ini", "[scenario]\nname = ref\nbase = model.ini\n"));
    free(tu_write(tu_tmp, "pilot.ini", "[scenario]\nname = pilot\nbase = model.ini\n"
                                       "reference = ref.ini\n[parameters]\npilot = 1\n"));
    const char *args[] = {"run", "pilot.ini", "--draws", "400", "--bootstrap", "100", NULL};
    char *out = NULL, *err = NULL;
    ck_assert_msg(tu_run(tu_tmp, args, &out, &err) == 0, "%s", err);
    /* The share of failed replicates follows the rare level's control
     * person back (36% for 1 of 40, 13% for 2 of 40 by the same formula),
     * and that count is withheld (the balance table's x): "some". */
    ck_assert_msg(tu_contains(err, "effect 'y_dr' could not be estimated in some bootstrap "
                                   "replicates (their share is withheld"), "%s", err);
    ck_assert_msg(!tu_contains(err, "% of the bootstrap"), "%s", err);
    ck_assert_msg(!tu_contains(out, "non-finite"), "%s", out);
    ck_assert_msg(tu_contains(out, "Some bootstrap estimates could not be made"), "%s", out);
    ck_assert_msg(tu_contains(out, "draws use the replicates in"), "%s", out);
    free(out);
    free(err);
}
END_TEST

Suite *pscore_suite(void)
{
    Suite *s = suite_create("pscore");
    TCase *tc = tcase_create("r_reference");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, confounded_att);
    tcase_add_test(tc, confounded_ate);
    tcase_add_test(tc, rare_cells);
    tcase_add_test(tc, confounded_change_score);
    tcase_add_test(tc, confounded_binary_misspecified);
    tcase_add_test(tc, confounded_trimmed);
    tcase_add_test(tc, lalonde_main_effects);
    tcase_add_test(tc, lalonde_square_and_interaction);
    suite_add_tcase(s, tc);
    tc = tcase_create("bootstrap");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, replicate_counts);
    tcase_add_test(tc, bootstrap_matches_sandwich);
    tcase_add_test(tc, replicate_is_cold_fit_on_copies);
    tcase_add_test(tc, bootstrap_plan_on_threads);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_test(tc, error_separation);
    tcase_add_test(tc, error_level_in_one_group);
    tcase_add_test(tc, error_group_without_values);
    tcase_add_test(tc, error_constant_and_collinear);
    tcase_add_test(tc, near_collinear_large_values);
    tcase_add_test(tc, bootstrap_error_is_estimate_error);
    tcase_add_test(tc, error_combined_separation);
    tcase_add_test(tc, extreme_but_overlapping);
    tcase_add_test(tc, trimming_removes_overlap);
    tcase_add_test(tc, dr_outcome_model_named);
    tcase_add_test(tc, smd_constant_in_pilot);
    suite_add_tcase(s, tc);
    tc = tcase_create("e2e");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
    tcase_add_test(tc, e2e_run);
    tcase_add_test(tc, e2e_separation_error);
    tcase_add_test(tc, e2e_failed_replicates);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    int rc = tu_run_suite(pscore_suite());
    free(ref_text);
    return rc;
}
