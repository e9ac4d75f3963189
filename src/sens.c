/* sens.c - one-way sensitivity (tornado) and switching values, evaluated
 * on the compiled plan through the Monte Carlo's evaluator with given
 * points instead of random draws; the points of an analysis go to it at
 * once, so they share the run's threads, and the switching values'
 * searches (one evaluation after another) are tasks of the thread runner
 * (stream.h). */
#include "mkba/sens.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/dist.h"
#include "mkba/expr.h"
#include "mkba/mem.h"
#include "mkba/sim.h"
#include "mkba/stream.h"

/* Base values: the reference scenario's parameters evaluated at the base
 * slots (a parameter's 'value' is its base case), effects at their
 * estimates. */
static void base_inputs(const mkba_plan *p, double *x)
{
    double *slots = mkba_xmalloc(p->n_slots * sizeof *slots);
    memcpy(slots, p->base_slots, p->n_slots * sizeof *slots);
    const mkba_plan_scenario *ref = &p->scenarios[0];
    for (size_t i = 0; i < ref->n_params; i++)
        slots[ref->params[i].slot] = mkba_expr_eval(ref->params[i].expr, slots);
    for (size_t k = 0; k < p->n_uncertain; k++)
        x[k] = slots[p->uncertain[k].slot];
    for (size_t j = 0; j < p->n_outcomes; j++)
        x[p->n_uncertain + j] = slots[p->outcome_slots[j]];
    free(slots);
}

static long slot_of(const mkba_plan *p, const char *name)
{
    for (size_t i = 0; i < p->n_slots; i++)
        if (strcmp(p->slot_names[i], name) == 0)
            return (long)i;
    return -1;
}

static void describe_inputs(const mkba_plan *p, mkba_sens *s, const double *base)
{
    size_t U = p->n_uncertain, n = U + p->n_outcomes;
    s->inputs = mkba_xcalloc(n + 1, sizeof *s->inputs);
    s->n_inputs = n;
    for (size_t k = 0; k < U; k++) {
        mkba_sens_input *in = &s->inputs[k];
        const mkba_dist *d = p->uncertain[k].dist;
        in->name = mkba_xstrdup(p->uncertain[k].name);
        in->base = base[k];
        in->lo = mkba_dist_quantile(d, 0.10);
        in->hi = mkba_dist_quantile(d, 0.90);
        in->range_lo = mkba_dist_quantile(d, 0.001);
        in->range_hi = mkba_dist_quantile(d, 0.999);
        if (p->uncertain[k].effect >= 0) { /* an effect: searched as wide as below */
            double reach = fmax(20 * sqrt(mkba_dist_var(d)), fmax(1.0, fabs(in->base)));
            in->range_lo = fmin(in->range_lo, in->base - reach);
            in->range_hi = fmax(in->range_hi, in->base + reach);
        }
    }
    for (size_t j = 0; j < p->n_outcomes; j++) {
        /* A cohort effect varies as normal(estimate, SE). */
        mkba_sens_input *in = &s->inputs[U + j];
        const char *name = p->slot_names[p->outcome_slots[j]];
        char se_name[320];
        snprintf(se_name, sizeof se_name, "se.%s", name + strlen("effect."));
        long se_slot = slot_of(p, se_name);
        double se = se_slot >= 0 ? p->base_slots[se_slot] : 0;
        in->name = mkba_xstrdup(name);
        in->base = base[U + j];
        in->lo = in->base - gsl_cdf_ugaussian_Pinv(0.90) * se;
        in->hi = in->base + gsl_cdf_ugaussian_Pinv(0.90) * se;
        /* Break-even effects are often far from the estimate (that is the
         * point of asking): search 20 SE either way, at least 1 unit. */
        double reach = fmax(20 * se, fmax(1.0, fabs(in->base)));
        in->range_lo = in->base - reach;
        in->range_hi = in->base + reach;
    }
}

/* Evaluate n points (rows of n_inputs values) on 'threads' threads; the
 * project scenarios' NPVs go to npv[point][scenario][K + 1]. */
static mkba_status evaluate(const mkba_plan *p, const double *x, size_t n, int threads,
                            double *npv, mkba_error *err)
{
    mkba_sim_opts o = {.draws = n, .threads = threads, .inputs = x};
    mkba_sim *sim = mkba_sim_run(p, &o, err);
    if (!sim)
        return err->code ? err->code : MKBA_EINVAL;
    size_t S = p->n_scenarios, K = p->n_stakeholders;
    for (size_t i = 0; i < n; i++)
        for (size_t sc = 0; sc < S; sc++)
            for (size_t k = 0; k <= K; k++) {
                double v = 0;
                if (sc > 0) {
                    size_t c = mkba_sim_col(sim, sc, k);
                    v = mkba_npv(sim->pv_benefits[c * n + i], sim->pv_costs[c * n + i]);
                }
                npv[(i * S + sc) * (K + 1) + k] = v;
            }
    mkba_sim_free(sim);
    return MKBA_OK;
}

typedef struct root_ctx {
    const mkba_plan *p;
    const double *base;
    size_t input, scenario, k;  /* k: stakeholder, or n_stakeholders for society */
    double *row, *npv;
    mkba_status st;
    mkba_error *err;
} root_ctx;

/* Society's NPV of one scenario with one input at v. */
static double npv_at(double v, void *arg)
{
    root_ctx *c = arg;
    size_t n = c->p->n_uncertain + c->p->n_outcomes;
    memcpy(c->row, c->base, n * sizeof *c->row);
    c->row[c->input] = v;
    if (!c->st)
        c->st = evaluate(c->p, c->row, 1, 1, c->npv, c->err);
    return c->st ? NAN : c->npv[c->scenario * (c->p->n_stakeholders + 1) + c->k];
}

static void switching_value(root_ctx *c, const mkba_sens_input *in, double *value,
                            mkba_switch_status *status)
{
    double a = in->range_lo, b = in->range_hi;
    double fa = npv_at(a, c), fb = npv_at(b, c);
    *value = NAN;
    if (!isfinite(fa) || !isfinite(fb) || !(a < b)) {
        *status = MKBA_SWITCH_NONE;
        return;
    }
    if (fa == fb) {
        *status = MKBA_SWITCH_FLAT;
        return;
    }
    if (fa == 0 || fb == 0) {
        *value = fa == 0 ? a : b;
        *status = MKBA_SWITCH_FOUND;
        return;
    }
    if ((fa < 0) == (fb < 0)) {
        *status = MKBA_SWITCH_NONE;
        return;
    }
    gsl_function f = {npv_at, c};
    gsl_root_fsolver *solver = mkba_xcheck(gsl_root_fsolver_alloc(gsl_root_fsolver_brent), 64);
    if (gsl_root_fsolver_set(solver, &f, a, b) != GSL_SUCCESS) {
        gsl_root_fsolver_free(solver);
        *status = MKBA_SWITCH_NONE;
        return;
    }
    int rc = GSL_CONTINUE;
    for (int iter = 0; iter < 200 && rc == GSL_CONTINUE; iter++) {
        if (gsl_root_fsolver_iterate(solver) != GSL_SUCCESS)
            break;
        double lo = gsl_root_fsolver_x_lower(solver), hi = gsl_root_fsolver_x_upper(solver);
        /* Absolute tolerance too, scaled to the range: a root at exactly 0
         * never meets a purely relative one. */
        rc = gsl_root_test_interval(lo, hi, 1e-12 * (b - a), 1e-12);
    }
    *value = gsl_root_fsolver_root(solver);
    *status = rc == GSL_SUCCESS ? MKBA_SWITCH_FOUND : MKBA_SWITCH_NONE;
    if (rc != GSL_SUCCESS)
        *value = NAN;
    gsl_root_fsolver_free(solver);
}

/* Order of the inputs by society's swing in scenario 'sc', largest first;
 * ties keep model order (insertion sort: stable, and n is small). */
static void sort_order(mkba_sens *s, size_t sc)
{
    size_t n = s->n_inputs, K = s->n_stakeholders, *o = s->order + sc * n;
    double *swing = mkba_xcalloc(n + 1, sizeof *swing);
    for (size_t i = 0; i < n; i++) {
        o[i] = i;
        swing[i] = fabs(s->npv_hi[mkba_sens_idx(s, i, sc, K)] -
                        s->npv_lo[mkba_sens_idx(s, i, sc, K)]);
    }
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && swing[o[j - 1]] < swing[o[j]]; j--) {
            size_t t = o[j];
            o[j] = o[j - 1];
            o[j - 1] = t;
        }
    free(swing);
}

/* The switching values: one search a task, task (i * (S - 1) + sc - 1) *
 * (K + 1) + k for input i, project scenario sc, stakeholder k (K:
 * society). Each thread's point and NPVs are made at its first task, its
 * first failure kept in its own error. */
typedef struct switch_job {
    const mkba_plan *p;
    mkba_sens *s;
    const double *base;
    double **row, **npv;    /* [threads] */
    mkba_status *st;        /* [threads] */
    mkba_error *err;        /* [threads] */
} switch_job;

static void switch_task(void *ctx, size_t task, size_t thread)
{
    switch_job *j = ctx;
    mkba_sens *s = j->s;
    size_t N = s->n_inputs, S = s->n_scenarios, K = s->n_stakeholders;
    size_t k = task % (K + 1), sc = 1 + task / (K + 1) % (S - 1), i = task / (K + 1) / (S - 1);
    if (j->st[thread])
        return;
    if (!j->row[thread]) {
        j->row[thread] = mkba_xcalloc_own(N + 1, sizeof *j->row[thread]);
        j->npv[thread] = mkba_xcalloc_own(S * (K + 1), sizeof *j->npv[thread]);
    }
    root_ctx c = {j->p, j->base, i, sc, k, j->row[thread], j->npv[thread], MKBA_OK,
                  &j->err[thread]};
    size_t at = (i * S + sc) * K + k;
    switching_value(&c, &s->inputs[i], k == K ? &s->switching[i * S + sc] : &s->switching_by[at],
                    k == K ? &s->switch_status[i * S + sc] : &s->switch_status_by[at]);
    j->st[thread] = c.st;
}

static mkba_status switching_values(const mkba_plan *p, mkba_sens *s, const double *base,
                                    int threads, mkba_error *err)
{
    size_t T = threads > 1 ? (size_t)threads : 1;
    size_t n = s->n_inputs * (s->n_scenarios - 1) * (s->n_stakeholders + 1);
    switch_job j = {p, s, base, mkba_xcalloc(T, sizeof *j.row), mkba_xcalloc(T, sizeof *j.npv),
                    mkba_xcalloc(T, sizeof *j.st), mkba_xcalloc(T, sizeof *j.err)};
    mkba_stream_parallel(n, (int)T, switch_task, &j);
    mkba_status st = MKBA_OK;
    for (size_t t = 0; t < T; t++) {
        if (j.st[t] && !st) {
            st = j.st[t];
            if (err)
                *err = j.err[t];
        }
        free(j.row[t]);
        free(j.npv[t]);
    }
    free(j.row), free(j.npv), free(j.st), free(j.err);
    return st;
}

mkba_sens *mkba_sens_run(const mkba_plan *p, mkba_error *err)
{
    return mkba_sens_run_threads(p, 1, err);
}

mkba_sens *mkba_sens_run_threads(const mkba_plan *p, int threads, mkba_error *err)
{
    size_t U = p->n_uncertain, N = U + p->n_outcomes, S = p->n_scenarios, K = p->n_stakeholders;
    mkba_sens *s = mkba_xcalloc(1, sizeof *s);
    s->threads = threads > 0 ? threads : mkba_sim_cores();
    s->n_scenarios = S;
    s->n_stakeholders = K;
    double *base = mkba_xcalloc(N + 1, sizeof *base);
    base_inputs(p, base);
    describe_inputs(p, s, base);
    size_t per = S * (K + 1);
    s->npv_base = mkba_xcalloc(per, sizeof *s->npv_base);
    s->npv_lo = mkba_xcalloc(N * per + 1, sizeof *s->npv_lo);
    s->npv_hi = mkba_xcalloc(N * per + 1, sizeof *s->npv_hi);
    s->order = mkba_xcalloc(S * N + 1, sizeof *s->order);
    s->switching = mkba_xcalloc(N * S + 1, sizeof *s->switching);
    s->switch_status = mkba_xcalloc(N * S + 1, sizeof *s->switch_status);
    s->switching_by = mkba_xcalloc(N * S * K + 1, sizeof *s->switching_by);
    s->switch_status_by = mkba_xcalloc(N * S * K + 1, sizeof *s->switch_status_by);
    /* Points: the base, then each input at lo and at hi. */
    size_t n_pts = 1 + 2 * N;
    double *x = mkba_xcalloc(n_pts * N + 1, sizeof *x);
    double *npv = mkba_xcalloc(n_pts * per, sizeof *npv);
    for (size_t i = 0; i < n_pts; i++)
        memcpy(x + i * N, base, N * sizeof *x);
    for (size_t i = 0; i < N; i++) {
        x[(1 + 2 * i) * N + i] = s->inputs[i].lo;
        x[(2 + 2 * i) * N + i] = s->inputs[i].hi;
    }
    mkba_status st = evaluate(p, x, n_pts, s->threads, npv, err);
    if (!st) {
        memcpy(s->npv_base, npv, per * sizeof *npv);
        for (size_t i = 0; i < N; i++) {
            memcpy(s->npv_lo + i * per, npv + (1 + 2 * i) * per, per * sizeof *npv);
            memcpy(s->npv_hi + i * per, npv + (2 + 2 * i) * per, per * sizeof *npv);
        }
        for (size_t sc = 0; sc < S; sc++)
            sort_order(s, sc);
        if (S > 1)
            st = switching_values(p, s, base, s->threads, err);
    }
    free(x);
    free(npv);
    free(base);
    if (st) {
        mkba_sens_free(s);
        return NULL;
    }
    return s;
}

static long find_input(const mkba_sens *s, const char *name)
{
    for (size_t i = 0; i < s->n_inputs; i++)
        if (strcmp(s->inputs[i].name, name) == 0)
            return (long)i;
    return -1;
}

mkba_status mkba_sens_twoway(mkba_sens *s, const mkba_plan *p, const char *a, const char *b,
                             size_t steps, mkba_error *err)
{
    long ia = find_input(s, a), ib = find_input(s, b);
    const char *bad = ia < 0 ? a : ib < 0 ? b : NULL;
    if (bad)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "two-way analysis: '%s' is not an uncertain input (give it a "
                              "distribution, or name an effect as effect.NAME)",
                              bad);
    if (ia == ib)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "two-way analysis needs two different inputs");
    if (steps < 2 || steps > 101)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "two-way analysis: steps must be from 2 to 101, got %zu", steps);
    size_t N = s->n_inputs, S = s->n_scenarios, K = s->n_stakeholders, n = steps * steps;
    free(s->grid_a_values);
    free(s->grid_b_values);
    free(s->grid);
    s->grid_a = (size_t)ia;
    s->grid_b = (size_t)ib;
    s->grid_steps = steps;
    s->grid_a_values = mkba_xcalloc(steps, sizeof *s->grid_a_values);
    s->grid_b_values = mkba_xcalloc(steps, sizeof *s->grid_b_values);
    s->grid = mkba_xcalloc(S * n, sizeof *s->grid);
    const mkba_sens_input *in_a = &s->inputs[ia], *in_b = &s->inputs[ib];
    for (size_t k = 0; k < steps; k++) {
        double f = (double)k / (double)(steps - 1);
        s->grid_a_values[k] = in_a->lo + f * (in_a->hi - in_a->lo);
        s->grid_b_values[k] = in_b->lo + f * (in_b->hi - in_b->lo);
    }
    double *x = mkba_xcalloc(n * N + 1, sizeof *x), *npv = mkba_xcalloc(n * S * (K + 1), sizeof *npv);
    for (size_t i = 0; i < steps; i++)
        for (size_t j = 0; j < steps; j++) {
            double *row = x + (i * steps + j) * N;
            for (size_t k = 0; k < N; k++)
                row[k] = s->inputs[k].base;
            row[ia] = s->grid_a_values[i];
            row[ib] = s->grid_b_values[j];
        }
    mkba_status st = evaluate(p, x, n, s->threads, npv, err);
    if (!st)
        for (size_t sc = 0; sc < S; sc++)
            for (size_t q = 0; q < n; q++)
                s->grid[sc * n + q] = npv[(q * S + sc) * (K + 1) + K];
    free(x);
    free(npv);
    return st;
}

typedef struct sobol_ctx {
    const mkba_plan *p;
    int threads;
    mkba_error *err;
} sobol_ctx;

/* Points a task of the copy of the Sobol model's outputs (below). */
#define SOBOL_COPY_POINTS 4096

typedef struct sobol_copy {
    const mkba_plan *p;
    const mkba_sim *sim;
    size_t n, m;
    double *y;
} sobol_copy;

/* Points [task SOBOL_COPY_POINTS, ...) of the simulation's columns into
 * their rows of y. */
static void sobol_copy_task(void *ctx, size_t task, size_t thread)
{
    const sobol_copy *c = ctx;
    const mkba_sim *sim = c->sim;
    size_t K = c->p->n_stakeholders, n = c->n, first = task * SOBOL_COPY_POINTS;
    size_t end = n - first < SOBOL_COPY_POINTS ? n : first + SOBOL_COPY_POINTS;
    (void)thread;
    for (size_t sc = 1; sc < c->p->n_scenarios; sc++)
        for (size_t k = 0; k <= K; k++) {
            size_t col = mkba_sim_col(sim, sc, k), out = (sc - 1) * (K + 1) + k;
            for (size_t i = first; i < end; i++)
                c->y[i * c->m + out] =
                    mkba_npv(sim->pv_benefits[col * n + i], sim->pv_costs[col * n + i]);
        }
}

/* The Sobol model: NPVs of the project scenarios per stakeholder at n
 * points, evaluated and copied on the analysis's threads. */
static int sobol_model(void *ctx, const double *x, size_t n, size_t d, double *y, size_t m)
{
    sobol_ctx *c = ctx;
    (void)d;
    mkba_sim_opts o = {.draws = n, .threads = c->threads, .inputs = x};
    mkba_sim *sim = mkba_sim_run(c->p, &o, c->err);
    if (!sim)
        return 1;
    sobol_copy job = {c->p, sim, n, m, y};
    mkba_stream_parallel((n + SOBOL_COPY_POINTS - 1) / SOBOL_COPY_POINTS, c->threads,
                         sobol_copy_task, &job);
    mkba_sim_free(sim);
    return 0;
}

mkba_status mkba_sens_sobol(mkba_sens *s, const mkba_plan *p, size_t n, uint64_t seed,
                            int threads, mkba_error *err)
{
    size_t U = p->n_uncertain, N = s->n_inputs, K = s->n_stakeholders;
    if (N == 0)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "Sobol indices need at least one uncertain input");
    mkba_dist *effects = mkba_xcalloc(N - U + 1, sizeof *effects);
    const mkba_dist **inputs = mkba_xcalloc(N, sizeof *inputs);
    for (size_t k = 0; k < U; k++)
        inputs[k] = p->uncertain[k].dist;
    for (size_t j = 0; j < N - U; j++) {
        /* A cohort effect: normal(estimate, SE); its P10/P90 give the SE. */
        const mkba_sens_input *in = &s->inputs[U + j];
        double se = (in->hi - in->lo) / (2 * 1.2815515655446004);
        if (se > 0) {
            effects[j].kind = MKBA_DIST_NORMAL;
            effects[j].p[0] = in->base;
            effects[j].p[1] = se;
        } else {
            mkba_dist_fixed(&effects[j], in->base);
        }
        inputs[U + j] = &effects[j];
    }
    if (threads <= 0)
        threads = mkba_sim_cores();
    sobol_ctx ctx = {p, threads, err};
    mkba_sobol_opts o = {.n = n, .seed = seed, .n_boot = 200, .threads = threads};
    size_t m = (s->n_scenarios - 1) * (K + 1);
    mkba_sobol_free(s->sobol);
    s->sobol = mkba_sobol_run(inputs, N, m ? m : 1, sobol_model, &ctx, &o, err);
    s->sobol_correlated = p->copula != NULL;
    free(inputs);
    free(effects);
    return s->sobol ? MKBA_OK : (err->code ? err->code : MKBA_EINVAL);
}

void mkba_sens_free(mkba_sens *s)
{
    if (!s)
        return;
    mkba_sobol_free(s->sobol);
    free(s->grid_a_values);
    free(s->grid_b_values);
    free(s->grid);
    for (size_t i = 0; i < s->n_inputs; i++)
        free(s->inputs[i].name);
    free(s->inputs);
    free(s->npv_base);
    free(s->npv_lo);
    free(s->npv_hi);
    free(s->order);
    free(s->switching);
    free(s->switch_status);
    free(s->switching_by);
    free(s->switch_status_by);
    free(s);
}
