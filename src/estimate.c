/* estimate.c - effects of the pilot against regular practice: difference in
 * means and difference-in-differences with Welch standard errors, and
 * covariate-adjusted OLS with HC1 robust standard errors.
 *
 * Everything works on column arrays with optional frequency weights, so a
 * bootstrap replicate is the same call with resampling counts as weights.
 * mkba_estimate() is the cohort-level entry point: it picks the columns,
 * dummy-codes categorical covariates and names the effect in messages.
 *
 * Numerics: means and variances are two-pass (the data are in memory). OLS
 * is solved by Householder QR of the sqrt(w)-scaled design; the same R gives
 * the rank check and the bread of the sandwich, so no normal equations are
 * formed. */
#include "mkba/estimate.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "mkba/mem.h"
#include "mkba/pscore.h"

#define Z975 1.959963984540054 /* standard normal 0.975 quantile */

#define COLLINEAR_TOL MKBA_EST_COLLINEAR_TOL

size_t mkba_est_collinear(double *C, size_t n, size_t first, const double *norm, double *s)
{
    double tol2 = COLLINEAR_TOL * COLLINEAR_TOL;
    for (size_t j = first; j < n; j++) {
        if (!(C[j * n + j] > tol2 * norm[j]))
            return j; /* (nearly) constant: collinear with the intercept */
        s[j] = 1 / sqrt(C[j * n + j]);
    }
    for (size_t i = first; i < n; i++)
        for (size_t j = first; j <= i; j++)
            C[i * n + j] *= s[i] * s[j];
    for (size_t j = first; j < n; j++) {
        double d = C[j * n + j];
        for (size_t l = first; l < j; l++)
            d -= C[j * n + l] * C[j * n + l];
        /* d = R_jj^2 / C_jj: the share of the column's centred variation
         * the columns before it do not explain */
        if (!(d > tol2 * norm[j] * s[j] * s[j]))
            return j;
        C[j * n + j] = sqrt(d);
        for (size_t i = j + 1; i < n; i++) {
            double v = C[i * n + j];
            for (size_t l = first; l < j; l++)
                v -= C[i * n + l] * C[j * n + l];
            C[i * n + j] = v / C[j * n + j];
        }
    }
    return n;
}

const char *mkba_est_method_name(mkba_est_method m)
{
    switch (m) {
    case MKBA_EST_AUTO:
        return "auto";
    case MKBA_EST_DIFF:
        return "diff";
    case MKBA_EST_DID:
        return "did";
    case MKBA_EST_OLS:
        return "ols";
    case MKBA_EST_GIVEN:
        return "given";
    case MKBA_EST_IPW:
        return "ipw";
    case MKBA_EST_DR:
        return "dr";
    }
    return "?";
}

/* ============================== shared parts ============================= */

/* t quantile 0.975 for df degrees of freedom (normal when df is infinite). */
static double t975(double df)
{
    return isinf(df) ? Z975 : gsl_cdf_tdist_Pinv(0.975, df);
}

/* Check groups and weights before any arithmetic. */
static mkba_status check_input(const double *y, const uint8_t *g, const double *w,
                               size_t n, mkba_error *err)
{
    if (n && (!y || !g))
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL, "no outcome or group values");
    for (size_t i = 0; i < n; i++) {
        if (g[i] != MKBA_PILOT && g[i] != MKBA_CONTROL)
            return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                                  "group value %u is neither 1 (pilot) nor 0 (control)",
                                  (unsigned)g[i]);
        if (w && !(w[i] >= 0 && isfinite(w[i])))
            return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                                  "a weight is negative or not finite; weights must be >= 0");
    }
    return MKBA_OK;
}

/* 1 if x is usable, 0 if missing (NaN); infinite values are an error. */
static int usable(double x, mkba_status *st, mkba_error *err)
{
    if (isinf(x))
        *st = mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                             "an infinite value in the data; only NaN marks a missing value");
    return !isnan(x);
}

/* Both groups need a weight sum of at least 2 usable persons. The message
 * names the group, not its count: a count that small discloses persons. */
static mkba_status check_counts(const double wsum[2], mkba_error *err)
{
    static const char *const names[2] = {"control", "pilot"};
    const int order[2] = {MKBA_PILOT, MKBA_CONTROL};
    for (int k = 0; k < 2; k++) {
        int gi = order[k];
        if (!(wsum[gi] >= 2))
            return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                                  "too few persons to estimate: the %s group has %s with a "
                                  "value, at least 2 needed",
                                  names[gi], wsum[gi] > 0 ? "fewer than 2" : "none");
    }
    return MKBA_OK;
}

/* A weight sum as a count of persons (weights are meant to be counts). */
static size_t persons(double wsum)
{
    return (size_t)floor(wsum + 0.5);
}

/* Fill the CI from estimate, se and df; fail on a non-finite result. */
static mkba_status finish(mkba_effect *e, mkba_error *err)
{
    if (!isfinite(e->estimate) || !isfinite(e->se))
        return mkba_error_set(err, MKBA_ENUM, NULL, 0, NULL,
                              "the estimate or its standard error is not finite "
                              "(values too large?)");
    double half = e->se > 0 ? t975(e->df) * e->se : 0;
    if (!isfinite(half))
        return mkba_error_set(err, MKBA_ENUM, NULL, 0, NULL,
                              "the t quantile for %g degrees of freedom is not finite", e->df);
    e->ci_lo = e->estimate - half;
    e->ci_hi = e->estimate + half;
    return MKBA_OK;
}

/* =========================== DIFF and DID (Welch) ======================== */

/* Welch on v_i = y_i (pre NULL) or y_i - pre_i. */
static mkba_status welch(const double *y, const double *pre, const uint8_t *g,
                         const double *w, size_t n, mkba_est_method method,
                         mkba_effect *out, mkba_error *err)
{
    mkba_status st = check_input(y, g, w, n, err);
    if (st)
        return st;
    double W[2] = {0, 0}, sy[2] = {0, 0}, sv[2] = {0, 0}, missing = 0;
    for (size_t i = 0; i < n && !st; i++) {
        double wi = w ? w[i] : 1;
        int ok = usable(y[i], &st, err);
        if (pre)
            ok &= usable(pre[i], &st, err);
        if (!ok) {
            missing += wi;
            continue;
        }
        W[g[i]] += wi;
        sy[g[i]] += wi * y[i];
        sv[g[i]] += wi * (pre ? y[i] - pre[i] : y[i]);
    }
    if (st || (st = check_counts(W, err)))
        return st;
    double mv[2], ss[2] = {0, 0};
    for (int k = 0; k < 2; k++)
        mv[k] = sv[k] / W[k];
    for (size_t i = 0; i < n; i++) { /* second pass: squared deviations */
        if (isnan(y[i]) || (pre && isnan(pre[i])))
            continue;
        double d = (pre ? y[i] - pre[i] : y[i]) - mv[g[i]];
        ss[g[i]] += (w ? w[i] : 1) * d * d;
    }
    /* a, b: the squared standard errors of the two group means. */
    double a = ss[1] / (W[1] - 1) / W[1], b = ss[0] / (W[0] - 1) / W[0];
    mkba_effect e = {.method = method,
                     .estimate = mv[1] - mv[0],
                     .se = sqrt(a + b),
                     /* Welch-Satterthwaite; no variance at all: normal. */
                     .df = a + b > 0
                               ? (a + b) * (a + b) / (a * a / (W[1] - 1) + b * b / (W[0] - 1))
                               : INFINITY,
                     .mean_pilot = sy[1] / W[1],
                     .mean_control = sy[0] / W[0],
                     .n_pilot = persons(W[1]),
                     .n_control = persons(W[0]),
                     .n_missing = persons(missing)};
    if ((st = finish(&e, err)))
        return st;
    *out = e;
    return MKBA_OK;
}

mkba_status mkba_est_diff(const double *y, const uint8_t *g, const double *w,
                          size_t n, mkba_effect *out, mkba_error *err)
{
    return welch(y, NULL, g, w, n, MKBA_EST_DIFF, out, err);
}

mkba_status mkba_est_did(const double *y, const double *pre, const uint8_t *g,
                         const double *w, size_t n, mkba_effect *out,
                         mkba_error *err)
{
    if (n && !pre)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "method did needs a pre-period column");
    return welch(y, pre, g, w, n, MKBA_EST_DID, out, err);
}

/* ================================== OLS ================================== */

struct mkba_est_ws {
    size_t cap_rows, cap_cols; /* capacity of the buffers below */
    size_t *rows;              /* [cap_rows] data row of each design row */
    double *X;                 /* [cap_rows * cap_cols] scaled design, then QR */
    double *yv;                /* [cap_rows] scaled response */
    double *res;               /* [cap_rows] residual of the scaled fit */
    double *tau;               /* [cap_cols] Householder coefficients */
    double *beta;              /* [cap_cols] coefficients */
    double *a;                 /* [cap_cols] column of (X'WX)^-1 for the pilot dummy */
    double *cnorm;             /* [cap_cols] norm of each design column */
};

mkba_est_ws *mkba_est_ws_alloc(void)
{
    return mkba_xcalloc(1, sizeof(mkba_est_ws));
}

void mkba_est_ws_free(mkba_est_ws *ws)
{
    if (!ws)
        return;
    free(ws->rows);
    free(ws->X);
    free(ws->yv);
    free(ws->res);
    free(ws->tau);
    free(ws->beta);
    free(ws->a);
    free(ws->cnorm);
    free(ws);
}

/* Grow the buffers to hold an m x p fit (m, p >= 1). */
static void ws_reserve(mkba_est_ws *ws, size_t m, size_t p)
{
    int grown = m > ws->cap_rows || p > ws->cap_cols;
    if (m > ws->cap_rows) {
        ws->rows = mkba_xreallocarray(ws->rows, m, sizeof *ws->rows);
        ws->yv = mkba_xreallocarray(ws->yv, m, sizeof *ws->yv);
        ws->res = mkba_xreallocarray(ws->res, m, sizeof *ws->res);
        ws->cap_rows = m;
    }
    if (p > ws->cap_cols) {
        ws->tau = mkba_xreallocarray(ws->tau, p, sizeof *ws->tau);
        ws->beta = mkba_xreallocarray(ws->beta, p, sizeof *ws->beta);
        ws->a = mkba_xreallocarray(ws->a, p, sizeof *ws->a);
        ws->cnorm = mkba_xreallocarray(ws->cnorm, p, sizeof *ws->cnorm);
        ws->cap_cols = p;
    }
    if (grown) /* the content of X is per fit: nothing to keep */
        ws->X = mkba_xreallocarray(ws->X, ws->cap_rows, ws->cap_cols * sizeof *ws->X);
}

/* Design value of data row i in column j: 1, g, x_1 .. x_k. */
static double design(const uint8_t *g, const double *const *x, size_t i, size_t j)
{
    return j == 0 ? 1.0 : j == 1 ? (double)g[i] : x[j - 2][i];
}

/* Where an OLS fit failed for a singular design: the offending design
 * column (>= 2: covariate j - 2) and whether it is constant. */
typedef struct ols_bad {
    size_t col;
    int constant;
} ols_bad;

/* 1 if design column j takes a single value over the m used rows. */
static int constant_column(const mkba_est_ws *ws, size_t m, const uint8_t *g,
                           const double *const *x, size_t j)
{
    double first = design(g, x, ws->rows[0], j);
    for (size_t r = 1; r < m; r++)
        if (design(g, x, ws->rows[r], j) != first)
            return 0;
    return 1;
}

/* Select the used rows, check counts, fill e's means and counts. Returns
 * the number of design rows in *m. */
static mkba_status ols_rows(mkba_est_ws *ws, const double *y, const double *pre,
                            const uint8_t *g, size_t k, const double *const *x,
                            const double *w, size_t n, mkba_effect *e, size_t *m,
                            mkba_error *err)
{
    double W[2] = {0, 0}, sy[2] = {0, 0}, missing = 0;
    mkba_status st = MKBA_OK;
    ws_reserve(ws, n ? n : 1, k + 2);
    *m = 0;
    for (size_t i = 0; i < n && !st; i++) {
        double wi = w ? w[i] : 1;
        int ok = usable(y[i], &st, err);
        if (pre)
            ok &= usable(pre[i], &st, err);
        for (size_t j = 0; j < k; j++)
            ok &= usable(x[j][i], &st, err);
        if (!ok)
            missing += wi;
        else if (wi > 0) { /* a zero weight adds nothing to any sum */
            ws->rows[(*m)++] = i;
            W[g[i]] += wi;
            sy[g[i]] += wi * y[i];
        }
    }
    if (st || (st = check_counts(W, err)))
        return st;
    size_t p = k + 2;
    if (*m < p || W[0] + W[1] <= (double)p)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "too few persons to estimate: no more persons with all values "
                              "than the %zu parameters of the OLS model (intercept, pilot and "
                              "%zu covariates)",
                              p, k);
    e->mean_pilot = sy[1] / W[1];
    e->mean_control = sy[0] / W[0];
    e->n_pilot = persons(W[1]);
    e->n_control = persons(W[0]);
    e->n_missing = persons(missing);
    e->df = W[0] + W[1] - (double)p;
    return MKBA_OK;
}

/* The fit itself: QR of the scaled design, rank check, coefficients, HC1.
 * A singular design returns MKBA_ENUM with *bad set and err untouched. */
static mkba_status ols_fit(mkba_est_ws *ws, size_t m, const double *y, const double *pre,
                           const uint8_t *g, size_t k, const double *const *x,
                           const double *w, mkba_effect *e, ols_bad *bad, mkba_error *err)
{
    size_t p = k + 2;
    /* Rows scaled by sqrt(w): the least-squares fit of frequency weights. */
    for (size_t j = 0; j < p; j++)
        ws->cnorm[j] = 0;
    for (size_t r = 0; r < m; r++) {
        size_t i = ws->rows[r];
        double s = w ? sqrt(w[i]) : 1;
        for (size_t j = 0; j < p; j++) {
            double v = s * design(g, x, i, j);
            ws->X[r * p + j] = v;
            ws->cnorm[j] += v * v;
        }
        ws->yv[r] = s * (pre ? y[i] - pre[i] : y[i]);
    }
    gsl_matrix_view X = gsl_matrix_view_array(ws->X, m, p);
    gsl_vector_view tau = gsl_vector_view_array(ws->tau, p);
    if (gsl_linalg_QR_decomp(&X.matrix, &tau.vector))
        return mkba_error_set(err, MKBA_ENUM, NULL, 0, NULL, "QR decomposition failed");
    for (size_t j = 0; j < p; j++) {
        if (!(fabs(ws->X[j * p + j]) > COLLINEAR_TOL * sqrt(ws->cnorm[j]))) {
            bad->col = j;
            bad->constant = constant_column(ws, m, g, x, j);
            return MKBA_ENUM;
        }
    }
    gsl_vector_view yv = gsl_vector_view_array(ws->yv, m);
    gsl_vector_view res = gsl_vector_view_array(ws->res, m);
    gsl_vector_view beta = gsl_vector_view_array(ws->beta, p);
    if (gsl_linalg_QR_lssolve(&X.matrix, &tau.vector, &yv.vector, &beta.vector, &res.vector))
        return mkba_error_set(err, MKBA_ENUM, NULL, 0, NULL, "least-squares solve failed");
    /* a = (X'WX)^-1 e_1 = R^-1 R^-T e_1: the pilot column of the bread. */
    gsl_matrix_view R = gsl_matrix_submatrix(&X.matrix, 0, 0, p, p);
    gsl_vector_view a = gsl_vector_view_array(ws->a, p);
    gsl_vector_set_basis(&a.vector, 1);
    if (gsl_blas_dtrsv(CblasUpper, CblasTrans, CblasNonUnit, &R.matrix, &a.vector) ||
        gsl_blas_dtrsv(CblasUpper, CblasNoTrans, CblasNonUnit, &R.matrix, &a.vector))
        return mkba_error_set(err, MKBA_ENUM, NULL, 0, NULL, "triangular solve failed");
    /* HC1: Var(b_g) = a' [sum_i w_i e_i^2 x_i x_i'] a * n / (n - p), with the
     * unscaled residual e_i; a weight w counts the person w times. */
    double meat = 0, n_w = e->df + (double)p;
    for (size_t r = 0; r < m; r++) {
        size_t i = ws->rows[r];
        double fit = 0, xa = 0;
        for (size_t j = 0; j < p; j++) {
            double v = design(g, x, i, j);
            fit += v * ws->beta[j];
            xa += v * ws->a[j];
        }
        double ei = (pre ? y[i] - pre[i] : y[i]) - fit;
        meat += (w ? w[i] : 1) * ei * ei * xa * xa;
    }
    e->method = MKBA_EST_OLS;
    e->estimate = ws->beta[1];
    e->se = sqrt(meat * n_w / e->df);
    return finish(e, err);
}

/* The OLS core: errors other than a singular design are set in err. */
static mkba_status ols(mkba_est_ws *ws, const double *y, const double *pre,
                       const uint8_t *g, size_t k, const double *const *x,
                       const double *w, size_t n, mkba_effect *out, ols_bad *bad,
                       mkba_error *err)
{
    mkba_status st = check_input(y, g, w, n, err);
    if (st)
        return st;
    for (size_t j = 0; j < k && n; j++)
        if (!x || !x[j])
            return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                                  "covariate x[%zu] has no values", j);
    mkba_effect e;
    memset(&e, 0, sizeof e);
    size_t m;
    if ((st = ols_rows(ws, y, pre, g, k, x, w, n, &e, &m, err)) ||
        (st = ols_fit(ws, m, y, pre, g, k, x, w, &e, bad, err)))
        return st;
    *out = e;
    return MKBA_OK;
}

/* ols() with the message for a singular design written. */
static mkba_status ols_report(mkba_est_ws *ws, const double *y, const double *pre,
                              const uint8_t *g, size_t k, const double *const *x,
                              const double *w, size_t n, mkba_effect *out, mkba_error *err)
{
    ols_bad bad = {0, 0};
    mkba_status st = ols(ws, y, pre, g, k, x, w, n, out, &bad, err);
    if (st == MKBA_ENUM && (!err || err->code == MKBA_OK)) {
        if (bad.col < 2)
            return mkba_error_set(err, MKBA_ENUM, NULL, 0, NULL,
                                  "the design matrix is singular");
        return mkba_error_set(err, MKBA_ENUM, NULL, 0, NULL,
                              "covariates are collinear (the design matrix is singular); "
                              "drop covariate x[%zu]: %s",
                              bad.col - 2,
                              bad.constant ? "it is constant among the persons used"
                                           : "it is a linear combination of the intercept, "
                                             "the pilot dummy and the covariates before it");
    }
    return st;
}

mkba_status mkba_est_ols(const double *y, const double *pre, const uint8_t *g,
                         size_t k, const double *const *x, const double *w,
                         size_t n, mkba_effect *out, mkba_error *err)
{
    mkba_est_ws *ws = mkba_est_ws_alloc();
    mkba_status st = ols_report(ws, y, pre, g, k, x, w, n, out, err);
    mkba_est_ws_free(ws);
    return st;
}

mkba_status mkba_est_ols_ws(mkba_est_ws *ws, const double *y, const double *pre,
                            const uint8_t *g, size_t k, const double *const *x,
                            const double *w, size_t n, mkba_effect *out,
                            mkba_error *err)
{
    if (!ws) /* no workspace: a one-off one */
        return mkba_est_ols(y, pre, g, k, x, w, n, out, err);
    return ols_report(ws, y, pre, g, k, x, w, n, out, err);
}

/* ============================ from a cohort ============================== */

/* The OLS design built from the cohort: one column per numeric covariate,
 * one dummy per non-base level present for a categorical one. */
typedef struct design_cols {
    size_t k;            /* design covariate columns */
    const double **x;    /* [k] borrowed cohort columns or owned dummies */
    double **owned;      /* [k] the dummies to free (NULL for borrowed) */
    size_t *cov;         /* [k] position in spec->cov it comes from */
    size_t *level;       /* [k] its level code (categorical only) */
} design_cols;

static void design_free(design_cols *d)
{
    for (size_t j = 0; j < d->k; j++)
        free(d->owned[j]);
    free(d->x);
    free(d->owned);
    free(d->cov);
    free(d->level);
}

/* 1 where the person has every value OLS uses (outcome, pre, covariates). */
static uint8_t *complete_rows(const mkba_cohort *c, const mkba_est_spec *spec)
{
    size_t n = mkba_cohort_size(c);
    uint8_t *ok = mkba_xmalloc(n ? n : 1);
    const double *y = mkba_cohort_column(c, spec->outcome);
    const double *pre = spec->pre >= 0 ? mkba_cohort_column(c, (size_t)spec->pre) : NULL;
    for (size_t i = 0; i < n; i++)
        ok[i] = !isnan(y[i]) && !(pre && isnan(pre[i]));
    for (size_t v = 0; v < spec->n_cov; v++) {
        const double *x = mkba_cohort_column(c, spec->cov[v]);
        for (size_t i = 0; i < n; i++)
            ok[i] &= !isnan(x[i]);
    }
    return ok;
}

/* Add the dummies of categorical covariate v. Returns the number of levels
 * present among the used persons. */
static size_t add_dummies(const mkba_cohort *c, const uint8_t *ok, size_t v,
                          size_t col, design_cols *d)
{
    size_t n = mkba_cohort_size(c), L = mkba_cohort_levels(c, col, NULL);
    const double *x = mkba_cohort_column(c, col);
    uint8_t *present = mkba_xcalloc(L ? L : 1, 1);
    for (size_t i = 0; i < n; i++)
        if (ok[i] && x[i] >= 0 && x[i] < (double)L)
            present[(size_t)x[i]] = 1;
    size_t n_present = 0;
    for (size_t l = 0; l < L; l++) {
        if (!present[l] || n_present++ == 0) /* the first present level is the base */
            continue;
        double *dummy = mkba_xreallocarray(NULL, n ? n : 1, sizeof *dummy);
        for (size_t i = 0; i < n; i++)
            dummy[i] = isnan(x[i]) ? NAN : (double)(x[i] == (double)l);
        d->x[d->k] = dummy;
        d->owned[d->k] = dummy;
        d->cov[d->k] = v;
        d->level[d->k++] = l;
    }
    free(present);
    return n_present;
}

/* Build the design; a categorical covariate with one level present is
 * reported as constant (*constant_cov = its position, return MKBA_ENUM). */
static mkba_status build_design(const mkba_cohort *c, const mkba_est_spec *spec,
                                design_cols *d, size_t *constant_cov)
{
    uint8_t *ok = complete_rows(c, spec);
    size_t cap = 0;
    for (size_t v = 0; v < spec->n_cov; v++) {
        size_t col = spec->cov[v];
        cap += mkba_cohort_var_type(c, col) == MKBA_VAR_CATEGORY ? mkba_cohort_levels(c, col, NULL)
                                                                 : 1;
    }
    cap = cap ? cap : 1;
    d->k = 0;
    d->x = mkba_xcalloc(cap, sizeof *d->x);
    d->owned = mkba_xcalloc(cap, sizeof *d->owned);
    d->cov = mkba_xcalloc(cap, sizeof *d->cov);
    d->level = mkba_xcalloc(cap, sizeof *d->level);
    mkba_status st = MKBA_OK;
    for (size_t v = 0; v < spec->n_cov && !st; v++) {
        size_t col = spec->cov[v];
        if (mkba_cohort_var_type(c, col) != MKBA_VAR_CATEGORY) {
            d->x[d->k] = mkba_cohort_column(c, col);
            d->cov[d->k++] = v;
        } else if (add_dummies(c, ok, v, col, d) == 1) {
            *constant_cov = v;
            st = MKBA_ENUM;
        }
    }
    free(ok);
    return st;
}

#define COLLINEAR_MSG "effect '%s': covariates are collinear (the design matrix is singular); "

static mkba_status estimate_ols(const mkba_cohort *c, const mkba_est_spec *spec,
                                const char *name, mkba_effect *out, mkba_error *err)
{
    design_cols d;
    size_t constant_cov = 0;
    mkba_status st = build_design(c, spec, &d, &constant_cov);
    if (st) {
        design_free(&d);
        return mkba_error_set(err, st, NULL, 0, NULL,
                              COLLINEAR_MSG "drop '%s': it is constant among the persons used",
                              name, mkba_cohort_var_name(c, spec->cov[constant_cov]));
    }
    const double *pre = spec->pre >= 0 ? mkba_cohort_column(c, (size_t)spec->pre) : NULL;
    mkba_error local;
    mkba_error_clear(&local);
    ols_bad bad = {0, 0};
    mkba_est_ws *ws = mkba_est_ws_alloc();
    st = ols(ws, mkba_cohort_column(c, spec->outcome), pre, mkba_cohort_group(c), d.k, d.x, NULL,
             mkba_cohort_size(c), out, &bad, &local);
    mkba_est_ws_free(ws);
    if (st && local.code)
        mkba_error_set(err, st, NULL, 0, NULL, "effect '%s': %s", name, local.msg);
    else if (st && bad.col < 2)
        mkba_error_set(err, st, NULL, 0, NULL, "effect '%s': the design matrix is singular",
                       name);
    else if (st) {
        size_t j = bad.col - 2, col = spec->cov[d.cov[j]];
        const char *var = mkba_cohort_var_name(c, col);
        char what[320] = "";
        /* a level by its position, never its text (a cell of the cohort) */
        if (mkba_cohort_var_type(c, col) == MKBA_VAR_CATEGORY &&
            d.level[j] < mkba_cohort_levels(c, col, NULL))
            snprintf(what, sizeof what, " (its level number %zu in order of first appearance)",
                     d.level[j] + 1);
        mkba_error_set(err, st, NULL, 0, NULL, COLLINEAR_MSG "drop '%s': %s%s", name, var,
                       bad.constant ? "it is constant among the persons used"
                                    : "it is a linear combination of the pilot group and "
                                      "the covariates before it",
                       what);
    }
    design_free(&d);
    return st;
}

/* The method AUTO stands for, or an error for an impossible choice. */
static mkba_status resolve_method(const mkba_est_spec *spec, const char *name,
                                  mkba_est_method *m, mkba_error *err)
{
    *m = spec->method;
    if (*m == MKBA_EST_AUTO)
        *m = spec->n_cov > 0 ? MKBA_EST_OLS : spec->pre >= 0 ? MKBA_EST_DID : MKBA_EST_DIFF;
    if (*m == MKBA_EST_DID && spec->pre < 0)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "effect '%s': method did needs a pre-period column", name);
    if ((*m == MKBA_EST_IPW || *m == MKBA_EST_DR) && !spec->ps)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "effect '%s': method %s needs a propensity model", name,
                              mkba_est_method_name(*m));
    if (*m != MKBA_EST_DIFF && *m != MKBA_EST_DID && *m != MKBA_EST_OLS &&
        *m != MKBA_EST_IPW && *m != MKBA_EST_DR)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "effect '%s': method '%s' cannot be estimated from the cohort",
                              name, mkba_est_method_name(*m));
    return MKBA_OK;
}

/* Every variable the spec names must be in the cohort. */
static mkba_status check_spec(const mkba_cohort *c, const mkba_est_spec *spec,
                              const char *name, mkba_error *err)
{
    size_t nv = mkba_cohort_nvars(c);
    int bad = spec->outcome >= nv || spec->pre >= (long)nv || spec->pre < -1 ||
              (spec->n_cov && !spec->cov);
    for (size_t v = 0; v < spec->n_cov && !bad; v++)
        bad = spec->cov[v] >= nv;
    if (bad)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "effect '%s': a variable it uses is not in the cohort", name);
    return MKBA_OK;
}

mkba_status mkba_est_resolve(const mkba_cohort *c, const mkba_est_spec *spec,
                             mkba_est_method *method, mkba_error *err)
{
    if (!c || !spec)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "no cohort or no effect to estimate");
    const char *name = spec->name ? spec->name : "?";
    mkba_status st = check_spec(c, spec, name, err);
    return st ? st : resolve_method(spec, name, method, err);
}

mkba_status mkba_estimate(const mkba_cohort *c, const mkba_est_spec *spec,
                          mkba_effect *out, mkba_error *err)
{
    if (!c || !spec || !out)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "no cohort or no effect to estimate");
    const char *name = spec->name ? spec->name : "?";
    mkba_est_method m;
    mkba_status st = mkba_est_resolve(c, spec, &m, err);
    if (st)
        return st;
    if (m == MKBA_EST_OLS)
        return estimate_ols(c, spec, name, out, err);
    if (m == MKBA_EST_IPW || m == MKBA_EST_DR)
        return mkba_ps_estimate(c, spec, out, err);
    mkba_error local;
    mkba_error_clear(&local);
    const double *y = mkba_cohort_column(c, spec->outcome);
    const uint8_t *g = mkba_cohort_group(c);
    size_t n = mkba_cohort_size(c);
    if (m == MKBA_EST_DID)
        st = mkba_est_did(y, mkba_cohort_column(c, (size_t)spec->pre), g, NULL, n, out, &local);
    else
        st = mkba_est_diff(y, g, NULL, n, out, &local);
    if (st)
        mkba_error_set(err, st, NULL, 0, NULL, "effect '%s': %s", name, local.msg);
    return st;
}

void mkba_effect_given(double estimate, double se, mkba_effect *out)
{
    mkba_effect e = {.method = MKBA_EST_GIVEN,
                     .estimate = estimate,
                     .se = se,
                     .df = INFINITY,
                     .ci_lo = estimate - Z975 * se,
                     .ci_hi = estimate + Z975 * se,
                     .mean_pilot = NAN,
                     .mean_control = NAN};
    *out = e;
}

/* Cochran's Q (Cochran 1954): weights w_k = 1 / se_k^2, the pooled
 * tau_bar = sum w_k tau_k / sum w_k, Q = sum w_k (tau_k - tau_bar)^2,
 * chi-square with K - 1 df under equal effects. */
mkba_status mkba_est_heterogeneity(size_t k, const double *tau, const double *se,
                                   mkba_het *out, mkba_error *err)
{
    if (k < 2 || !tau || !se)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "the heterogeneity test needs at least 2 subgroups with an "
                              "estimate, got %zu",
                              tau && se ? k : 0);
    double sw = 0, swt = 0;
    for (size_t i = 0; i < k; i++) {
        if (!(isfinite(tau[i]) && isfinite(se[i]) && se[i] > 0))
            return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                                  "the heterogeneity test needs a finite estimate and a "
                                  "standard error above 0 in every subgroup");
        double w = 1.0 / (se[i] * se[i]);
        sw += w;
        swt += w * tau[i];
    }
    double bar = swt / sw, q = 0;
    for (size_t i = 0; i < k; i++)
        q += (tau[i] - bar) * (tau[i] - bar) / (se[i] * se[i]);
    out->q = q;
    out->df = (double)(k - 1);
    out->p = gsl_cdf_chisq_Q(q, out->df);
    out->pooled = bar;
    return MKBA_OK;
}
