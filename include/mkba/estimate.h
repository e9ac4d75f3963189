/* estimate.h - effects of the pilot against regular practice, estimated
 * from a cohort: difference in means (Welch), difference-in-differences
 * (Welch on change scores), covariate-adjusted OLS with HC1 robust SEs.
 *
 * The array-level estimators take optional person weights (NULL = all 1):
 * a bootstrap replicate is one pass with integer resampling counts as
 * weights, with no copy of the data. Rows where any used value is NaN are
 * left out and counted.
 *
 * Conventions shared by every estimator below:
 * - A weight is a frequency weight: w = 2 gives exactly the result of
 *   listing the person twice, w = 0 that of leaving the person out.
 *   Weights must be finite and >= 0 (else MKBA_EINVAL). n_pilot, n_control
 *   and n_missing are sums of weights (rounded to whole persons).
 * - NaN marks a missing value; an infinite value is an error (MKBA_EINVAL).
 * - Each group needs a weight sum >= 2 of usable persons (MKBA_EINVAL,
 *   "too few persons to estimate: pilot has 1 with a value, at least 2
 *   needed").
 * - DIFF and DID: Welch SE sqrt(s_p^2/n_p + s_c^2/n_c) with unbiased
 *   variances (divisor sum of weights - 1) and Welch-Satterthwaite df; when
 *   both variances are 0 the SE is 0, df is INFINITY and the CI is
 *   [estimate, estimate].
 * - OLS: HC1 robust SE, t quantile with n - p df (n = sum of weights,
 *   p = covariates + 2). A covariate whose column is (within 1e-7 relative
 *   to its norm) constant or a linear combination of the intercept, the
 *   pilot dummy and the covariates before it is an error (MKBA_ENUM).
 * - mean_pilot / mean_control are the (weighted) means of the post-period
 *   outcome over the persons used.
 * - On failure *out is left unchanged and *err says why. */
#ifndef MKBA_ESTIMATE_H
#define MKBA_ESTIMATE_H

#include <stddef.h>
#include <stdint.h>

#include "mkba/cohort.h"
#include "mkba/error.h"

typedef enum {
    MKBA_EST_AUTO = 0, /* OLS if covariates, else DID if pre-period, else DIFF */
    MKBA_EST_DIFF,     /* difference in means, pilot - control */
    MKBA_EST_DID,      /* difference in mean change (post - pre) */
    MKBA_EST_OLS,      /* y (or y - pre when pre given) on pilot dummy + covariates */
    MKBA_EST_GIVEN,    /* not estimated: given in the model as estimate +/- SE */
    MKBA_EST_IPW,      /* inverse probability weighting on the propensity model */
    MKBA_EST_DR        /* doubly robust: augmented IPW with OLS outcome models */
} mkba_est_method;

/* "diff", "did", "ols", "given", "auto", "ipw", "dr" */
const char *mkba_est_method_name(mkba_est_method m);

typedef struct mkba_effect {
    mkba_est_method method;      /* the method used (never AUTO) */
    double estimate;             /* pilot - control, in the outcome's unit */
    double se;                   /* standard error */
    double df;                   /* degrees of freedom of the CI (INFINITY = normal) */
    double ci_lo, ci_hi;         /* 95% confidence interval */
    double mean_pilot;           /* mean outcome (post) in the pilot group */
    double mean_control;         /* mean outcome (post) in the control group */
    size_t n_pilot, n_control;   /* persons used */
    size_t n_missing;            /* persons left out for a missing value */
} mkba_effect;

typedef struct mkba_est_spec {
    const char *name;         /* effect name, e.g. "outflow_work" */
    size_t outcome;           /* cohort variable of the outcome */
    long pre;                 /* cohort variable of its pre-period value, or -1 */
    size_t n_cov;             /* covariates (cohort variables) */
    const size_t *cov;        /* categorical ones enter as dummies (first level = base) */
    mkba_est_method method;
    const struct mkba_ps_spec *ps; /* IPW and DR: the model's propensity model (pscore.h) */
} mkba_est_spec;

/* Estimate one effect from the cohort. Fails (MKBA_EINVAL / MKBA_ENUM) with
 * a message naming the effect when a group has fewer than 2 usable persons,
 * when DID is asked without a pre-period variable, or when the OLS design is
 * singular (e.g. a covariate constant in the data).
 *
 * AUTO means OLS when spec has covariates, else DID when it has a pre-period
 * variable, else DIFF. DIFF uses only the outcome; DID the outcome and pre;
 * OLS the outcome, pre (when given: the change is regressed) and the
 * covariates. A person is used when every variable the method uses has a
 * value; the others are counted in out->n_missing. A categorical covariate
 * enters as 0/1 dummies of the levels present among the persons used, the
 * first present level (lowest code) being the base; one with a single level
 * present is constant, an error like any constant covariate. Messages start
 * with "effect 'NAME': ", and a collinear covariate is named, e.g.
 * "effect 'x': covariates are collinear (the design matrix is singular);
 * drop 'age': it is constant among the persons used". */
mkba_status mkba_estimate(const mkba_cohort *c, const mkba_est_spec *spec,
                          mkba_effect *out, mkba_error *err);

/* The checks mkba_estimate makes before it estimates (every variable of
 * spec in the cohort, the method's needs) and the method it picks:
 * *method is spec->method with AUTO resolved. Its messages are
 * mkba_estimate's. For callers that estimate an effect their own way
 * (bootstrap.c's IPW/DR effects) and must fail where mkba_estimate does. */
mkba_status mkba_est_resolve(const mkba_cohort *c, const mkba_est_spec *spec,
                             mkba_est_method *method, mkba_error *err);

/* A column whose distance from the span of the columns before it is below
 * this fraction of its own norm counts as collinear. |R_jj| / ||X_j|| of an
 * unpivoted QR is exactly that distance; 1e-7 is the tolerance R's lm() uses
 * for the same test in its QR (dqrdc2). */
#define MKBA_EST_COLLINEAR_TOL 1e-7

/* The same test from cross-products instead of a QR: C (n x n, its lower
 * triangle) holds the centred cross-products of columns first .. n - 1
 * (rows and columns before 'first' unused), norm[j] each column's sum of
 * squares. R_jj^2 is the Cholesky pivot of C, taken on C scaled to a unit
 * diagonal (a 0/1 dummy beside an income costs no accuracy); a column
 * whose centred sum of squares, or pivot, is at most
 * MKBA_EST_COLLINEAR_TOL^2 times norm[j] is collinear. C is overwritten by
 * the scaled factor and s[j] receives the scale 1 / sqrt(C_jj). Returns the
 * first collinear column (a constant one before any other), or n. */
size_t mkba_est_collinear(double *C, size_t n, size_t first, const double *norm, double *s);

/* Array-level estimators; g[i] is 1 for pilot, 0 for control (anything else
 * is MKBA_EINVAL); w may be NULL. mkba_est_did estimates on the change
 * y - pre; its mean_pilot / mean_control are still means of y. Each call of
 * mkba_est_ols allocates its scratch space; use mkba_est_ols_ws to reuse it
 * across many fits (a bootstrap). */
mkba_status mkba_est_diff(const double *y, const uint8_t *g, const double *w,
                          size_t n, mkba_effect *out, mkba_error *err);
mkba_status mkba_est_did(const double *y, const double *pre, const uint8_t *g,
                         const double *w, size_t n, mkba_effect *out,
                         mkba_error *err);
/* x: k covariate columns of n values each (already dummy-coded); x may be
 * NULL when k is 0. A collinear covariate is named by its position:
 * "covariates are collinear (the design matrix is singular); drop covariate
 * x[1]: it is constant among the persons used" (or "...: it is a linear
 * combination of the intercept, the pilot dummy and the covariates before
 * it"). Fewer persons with all values than parameters is MKBA_EINVAL. */
mkba_status mkba_est_ols(const double *y, const double *pre, const uint8_t *g,
                         size_t k, const double *const *x, const double *w,
                         size_t n, mkba_effect *out, mkba_error *err);

/* Reusable scratch space for repeated OLS fits: buffers grow to the largest
 * fit seen and are kept, so a bootstrap allocates once. One workspace per
 * thread (it is not locked). Free with mkba_est_ws_free (NULL is a no-op). */
typedef struct mkba_est_ws mkba_est_ws;
mkba_est_ws *mkba_est_ws_alloc(void);
void mkba_est_ws_free(mkba_est_ws *ws);
/* mkba_est_ols using 'ws' for its scratch space; same results and errors.
 * A NULL ws works like mkba_est_ols (a workspace for this call only). */
mkba_status mkba_est_ols_ws(mkba_est_ws *ws, const double *y, const double *pre,
                            const uint8_t *g, size_t k, const double *const *x,
                            const double *w, size_t n, mkba_effect *out,
                            mkba_error *err);

/* The CI of a given effect (estimate +/- 1.959963984540054 SE, normal):
 * method GIVEN, df INFINITY, n's 0, means NaN (not known). */
void mkba_effect_given(double estimate, double se, mkba_effect *out);

/* The test of heterogeneity across subgroups (an outcome's `by`): are
 * the K subgroup effects tau_k (standard errors se_k) one effect seen
 * with noise? Cochran's Q = sum_k (tau_k - tau_bar)^2 / se_k^2, tau_bar
 * the inverse-variance weighted mean sum_k tau_k / se_k^2 / sum_k 1 / se_k^2;
 * under equal effects Q is chi-square with K - 1 df, and p = P(chi2 > Q)
 * (gsl_cdf_chisq_Q). A small p says the effect differs between subgroups. */
typedef struct mkba_het {
    double q;      /* Cochran's Q */
    double df;     /* K - 1 */
    double p;      /* P(chi-square with df degrees of freedom > q) */
    double pooled; /* tau_bar */
} mkba_het;

/* Fails (MKBA_EINVAL, *out unchanged) with fewer than 2 subgroups, or an
 * estimate or SE that is not finite, or an SE of 0 (its weight would be
 * infinite): "the heterogeneity test needs at least 2 subgroups with an
 * estimate, got 1", "... needs a finite estimate and a standard error
 * above 0 in every subgroup". */
mkba_status mkba_est_heterogeneity(size_t k, const double *tau, const double *se,
                                   mkba_het *out, mkba_error *err);

#endif
