/* pscore.h - effects from non-randomised pilots: the propensity model
 * (logistic regression of pilot membership on covariates, by IRLS), the
 * weighting estimators built on it (IPW and doubly robust AIPW, for the
 * ATT or the ATE, with normalised weights and M-estimation sandwich
 * standard errors) and its diagnostics (balance, overlap, effective sample
 * sizes).
 *
 * The definitions, exactly (the tests compare them with R to 1e-6):
 *
 * Propensity model. Design X = (1, terms...); a term is a variable
 * (numeric: one column; category: a 0/1 dummy per level but the base, the
 * first level present in cohort order), its square or the product of two
 * variables (the product column only). Fitted by maximum likelihood
 * (IRLS, R's glm(family = binomial)) on the persons with every variable
 * of the model. e_i = 1 / (1 + exp(-X_i'b)). With trim = t > 0, persons
 * with e_i outside [t, 1 - t] are left out and the model is refitted once
 * on the rest (the final model).
 *
 * Weights. ATT (the default: the effect on the pilot's own participants):
 * w = 1 in the pilot, e / (1 - e) in the control group. ATE: 1 / e in the
 * pilot, 1 / (1 - e) in the control group. Normalised (Hajek): each
 * group's weighted mean divides by its weight sum.
 *
 * IPW: tau = wmean_pilot(v) - wmean_control(v), v the outcome (or its
 * change from the pre-period value). DR: OLS outcome models m0 (fitted on
 * the control persons) and, for the ATE, m1 (on the pilot persons), with
 * the outcome's covariates (or the propensity model's terms when it has
 * none); ATT: tau = mean_pilot(v - m0) - wmean_control(v - m0); ATE:
 * tau = mean(m1 - m0) + wmean_pilot(v - m1) - wmean_control(v - m0).
 * Consistent when either the propensity model or the outcome model is
 * right.
 *
 * Standard errors: the stacked M-estimation sandwich A^-1 B A^-T over the
 * propensity model, the outcome models and the weighted means together,
 * so the uncertainty of the estimated propensity counts; no small-sample
 * correction; the CI is normal (df = INFINITY).
 *
 * Balance: the standardised mean difference of every design column, before
 * and after weighting, over the same standard deviation (ATT: the pilot's;
 * ATE: sqrt of the mean of the two groups' variances); |SMD| > 0.1 counts
 * as imbalanced (MKBA_PS_SMD_LIMIT). Effective sample size of a group:
 * (sum w)^2 / sum w^2.
 *
 * Fits run on many threads at once (bootstrap replicates): GSL's error
 * handler must be off in the program (gsl_set_error_handler_off() in
 * main), so that a singular system is a status, not an abort. */
#ifndef MKBA_PSCORE_H
#define MKBA_PSCORE_H

#include <stddef.h>
#include <stdint.h>

#include "mkba/cohort.h"
#include "mkba/error.h"
#include "mkba/estimate.h"

#define MKBA_PS_SMD_LIMIT 0.1 /* |SMD| above this: imbalanced */
#define MKBA_PS_BINS 20       /* overlap histogram: bins of width 0.05 over [0, 1] */

typedef enum {
    MKBA_ESTIMAND_ATT = 0, /* average effect on the pilot's participants */
    MKBA_ESTIMAND_ATE      /* average effect on everyone in the cohort */
} mkba_estimand;

const char *mkba_estimand_name(mkba_estimand e); /* "att", "ate" */

/* A term of a model: cohort variable a alone (b = -1), squared (b = a), or
 * times variable b (b != a). */
typedef struct mkba_est_term {
    size_t a;
    long b;
} mkba_est_term;

/* The propensity model of a model's [propensity] section. */
typedef struct mkba_ps_spec {
    size_t n_terms;
    const mkba_est_term *terms;
    mkba_estimand estimand;
    double trim;           /* 0: no trimming; else in (0, 0.5) */
} mkba_ps_spec;

/* The fitted propensity model and its diagnostics, for the outputs. */
typedef struct mkba_ps_diag {
    mkba_estimand estimand;
    size_t n_coef;         /* design columns, the intercept first */
    char **name;           /* [n_coef] "(intercept)", "age", "household: single parent",
                              "age^2", "age*female" */
    double *coef;          /* [n_coef] coefficients (log-odds) */
    double *se;            /* [n_coef] their model-based standard errors (glm's) */
    size_t *n_rare;        /* [n_coef] the smallest non-zero count of persons with
                              a value in a group, for a column of two values (0/1,
                              1/2); for another, of persons with a value other than
                              0; SIZE_MAX where none is few: the outputs withhold a
                              column resting on a small group */
    double *smd_before;    /* [n_coef] standardised mean difference, unweighted */
    double *smd_after;     /* [n_coef] ... with the propensity weights (NaN at 0) */
    int iterations;        /* IRLS iterations of the final fit */
    double deviance;       /* -2 x its log-likelihood (R: deviance(glm(...))) */
    size_t n[2];           /* persons in the fitted sample (index: group code) */
    size_t n_missing;      /* persons left out for a missing covariate */
    size_t n_trimmed[2];   /* persons left out by trimming */
    double ess[2];         /* effective sample size of each group */
    size_t bins[2][MKBA_PS_BINS]; /* propensity histogram per group; the outputs
                              merge bins below the disclosure threshold */
} mkba_ps_diag;

/* Fit the propensity model on the cohort and compute its diagnostics.
 * Errors (MKBA_EINVAL / MKBA_ENUM) name the covariate: a term whose
 * variable is missing for every person of a group, a category level seen
 * in one group only, a covariate that separates the groups (no overlap),
 * a singular design (constant or collinear column), a fit that does not
 * converge. Returns NULL on error. */
mkba_ps_diag *mkba_ps_diagnose(const mkba_cohort *c, const mkba_ps_spec *ps, mkba_error *err);
/* An empty diagnostics object for n_coef columns (every array allocated,
 * zeroed; names NULL until set), freed by mkba_ps_diag_free. */
mkba_ps_diag *mkba_ps_diag_alloc(size_t n_coef);
void mkba_ps_diag_free(mkba_ps_diag *d); /* NULL is a no-op */

/* The effect of spec (method IPW or DR) on the cohort; mkba_estimate calls
 * this for those methods. */
mkba_status mkba_ps_estimate(const mkba_cohort *c, const mkba_est_spec *spec,
                             mkba_effect *out, mkba_error *err);

/* The bootstrap's side: the IPW and DR effects among specs coded once
 * (the design, outcomes and outcome designs of the persons with every
 * covariate) and the propensity model fitted once on the full data for
 * all of them. Every IPW/DR effect is checked, in the order of specs, as
 * mkba_estimate checks it but for its standard error: on the first that
 * fails, NULL with *err exactly mkba_estimate's error for it and *failed
 * (may be NULL) its index; NULL also when specs holds no IPW/DR effect
 * (*failed then SIZE_MAX). On up to 'threads' threads (<= 1: the caller's
 * only): the checks and the effects' coding run beside the fit, which
 * stays on one thread; the plan and the error are the same on any number. */
typedef struct mkba_ps_plan mkba_ps_plan;
mkba_ps_plan *mkba_ps_plan_new(const mkba_cohort *c, const mkba_est_spec *specs,
                               size_t n_specs, int threads, size_t *failed, mkba_error *err);
void mkba_ps_plan_free(mkba_ps_plan *p); /* NULL is a no-op */

/* Scratch space of one thread's replicates (not locked). */
typedef struct mkba_ps_ws mkba_ps_ws;
mkba_ps_ws *mkba_ps_ws_alloc(const mkba_ps_plan *p);
void mkba_ps_ws_free(mkba_ps_ws *ws); /* NULL is a no-op */

/* One replicate: frequency weights w (cohort order; NULL = all 1), the
 * propensity model refitted (IRLS from the full-data fit, to the same
 * convergence as from 0; trimmed and refitted as on the full data), then
 * est[k] = the estimate of every IPW/DR spec k given to mkba_ps_plan_new
 * (other entries untouched). An effect that cannot be estimated (the fit
 * separates, a group has no weight) gets NaN; returns how many did. Each
 * replicate's fit is the maximum likelihood fit with its weights to IRLS's
 * tolerance (1e-11 relative in the coefficients), whatever the start: the
 * tests compare replicates with fits from 0 to 1e-9. With w NULL the
 * estimates equal mkba_ps_estimate's exactly (IRLS stops at once at the
 * full-data fit). */
size_t mkba_ps_replicate(const mkba_ps_plan *p, mkba_ps_ws *ws, const double *w, double *est);

#endif
