/* sens.h - deterministic sensitivity analysis: one-way analysis (the
 * tornado) and switching values.
 *
 * The inputs are the model's uncertain quantities (parameters with a
 * distribution, given effects) and the effects estimated from the cohort
 * (taken as normal with their standard error). Each is moved on its own,
 * the others held at their base values, and the model is evaluated on the
 * compiled plan (mkba_sim_run with given points, no random draws).
 *
 *   tornado:   each input at its P10 and P90; the NPV at both, overall and
 *              per stakeholder, and the swing |NPV(P90) - NPV(P10)|,
 *              inputs sorted by society's swing;
 *   switching: the input value at which the NPV of a project (society's,
 *              and each stakeholder's)
 *              scenario is 0 (GSL's Brent solver), searched between the
 *              input's P0.1 and P99.9, for an effect at least 20 SE (and 1
 *              unit) either side of its estimate, since break-even effects
 *              are often far from the estimate; NaN with status
 *              MKBA_SWITCH_NONE when the NPV keeps its sign on that range. */
#ifndef MKBA_SENS_H
#define MKBA_SENS_H

#include <stddef.h>

#include "mkba/error.h"
#include "mkba/plan.h"
#include "mkba/sobol.h"

typedef enum {
    MKBA_SWITCH_FOUND = 0,  /* value in 'switching' */
    MKBA_SWITCH_NONE,       /* no zero of the NPV within the input's range */
    MKBA_SWITCH_FLAT        /* the NPV does not depend on this input */
} mkba_switch_status;

typedef struct mkba_sens_input {
    char *name;             /* parameter name, or "effect.X" */
    double base;            /* value in the base case */
    double lo, hi;          /* P10 and P90: the one-way range */
    double range_lo, range_hi; /* where a switching value is searched */
} mkba_sens_input;

typedef struct mkba_sens {
    size_t n_inputs;
    mkba_sens_input *inputs;
    size_t n_scenarios;     /* as in the plan; [0] is the reference (unused) */
    size_t n_stakeholders;  /* index n_stakeholders = society */
    double *npv_base;       /* [n_scenarios][K + 1] */
    double *npv_lo;         /* [n_inputs][n_scenarios][K + 1] NPV with the input at lo */
    double *npv_hi;         /* [n_inputs][n_scenarios][K + 1] NPV with the input at hi */
    size_t *order;          /* [n_scenarios][n_inputs] inputs by society's swing, largest first */
    double *switching;      /* [n_inputs][n_scenarios] society's break-even value */
    mkba_switch_status *switch_status; /* [n_inputs][n_scenarios] */
    /* The same per stakeholder: [n_inputs][n_scenarios][n_stakeholders],
     * the value at which that stakeholder's NPV is zero. */
    double *switching_by;
    mkba_switch_status *switch_status_by;

    /* Two-way grid (after mkba_sens_twoway; grid_steps 0 otherwise). */
    size_t grid_a, grid_b;  /* the two inputs */
    size_t grid_steps;
    double *grid_a_values;  /* [grid_steps] */
    double *grid_b_values;  /* [grid_steps] */
    double *grid;           /* [n_scenarios][steps a][steps b] society's NPV */

    /* Sobol indices (after mkba_sens_sobol; NULL otherwise). Output
     * (s - 1) * (K + 1) + k is the NPV of project scenario s for
     * stakeholder k (k = K: society). */
    mkba_sobol *sobol;
    int sobol_correlated;   /* the model has correlations the indices ignore */
    int threads;            /* the threads the analyses share (mkba_sens_run_threads) */
} mkba_sens;

/* Run the one-way analysis and the switching values on 'plan' (whose base
 * slots hold the estimated effects), on 'threads' threads (<= 0: all
 * cores), which mkba_sens_twoway then uses too; the results are the same
 * bits on any number. Fails on out-of-range numbers only. */
mkba_sens *mkba_sens_run_threads(const mkba_plan *plan, int threads, mkba_error *err);
/* The same on one thread. */
mkba_sens *mkba_sens_run(const mkba_plan *plan, mkba_error *err);

/* Two-way analysis of inputs 'a' and 'b' (names as in s->inputs): each
 * from its P10 to its P90 in 'steps' equal steps (2 to 101), the others at
 * base; society's NPV of every project scenario on the grid is stored in
 * s->grid, evaluated on s->threads threads. Fails with a message naming an
 * unknown input. */
mkba_status mkba_sens_twoway(mkba_sens *s, const mkba_plan *plan, const char *a, const char *b,
                             size_t steps, mkba_error *err);
/* Global sensitivity: Sobol first- and total-order indices of every
 * project scenario's NPV (per stakeholder and for society) with respect to
 * the inputs, by Saltelli sampling with base sample size 'n' and bootstrap
 * CIs; inputs drawn independently from their distributions (cohort effects
 * normal with their SE), so correlations of the model are ignored here
 * (sobol_correlated says so). On 'threads' threads (<= 0: all cores): the
 * sample, the model's evaluations and the bootstrap; the same bits on any
 * number. */
mkba_status mkba_sens_sobol(mkba_sens *s, const mkba_plan *plan, size_t n, uint64_t seed,
                            int threads, mkba_error *err);

void mkba_sens_free(mkba_sens *s); /* NULL is a no-op */

static inline size_t mkba_sens_idx(const mkba_sens *s, size_t input, size_t scenario, size_t k)
{
    return (input * s->n_scenarios + scenario) * (s->n_stakeholders + 1) + k;
}

#endif
