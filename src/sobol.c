/* sobol.c - Sobol' first-order and total-order indices by Saltelli's
 * (2010) sampling scheme, with bootstrap percentile intervals.
 *
 * Steps: draw the A and B matrices and build every A_B^(j) (one array of
 * N (d + 2) points, layout in sobol.h), evaluate the model once on all of
 * them, check the outputs are finite, then estimate the indices on the N
 * rows and on n_boot resamples of the rows. The estimators only ever read
 * rows through an index array, so the full sample and a resample share
 * one code path. */
#include "mkba/sobol.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

#include "mkba/mem.h"
#include "mkba/rng.h"

#define WHERE "sobol"

/* ======================= Arguments ======================= */

static mkba_status check_args(const mkba_dist *const *inputs, size_t d, size_t m,
                              mkba_sobol_model model, const mkba_sobol_opts *o,
                              mkba_error *err)
{
    if (inputs == NULL || model == NULL || o == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "", 0, WHERE,
                              "the inputs, the model and the options must be given");
    if (d == 0)
        return mkba_error_set(err, MKBA_EINVAL, "", 0, WHERE,
                              "at least one input is needed (d = 0)");
    if (m == 0)
        return mkba_error_set(err, MKBA_EINVAL, "", 0, WHERE,
                              "at least one output is needed (m = 0)");
    if (o->n < 2)
        return mkba_error_set(err, MKBA_EINVAL, "", 0, WHERE,
                              "the base sample size N must be at least 2, got %zu", o->n);
    for (size_t j = 0; j < d; j++)
        if (inputs[j] == NULL)
            return mkba_error_set(err, MKBA_EINVAL, "", 0, WHERE,
                                  "input %zu has no distribution", j + 1);
    /* Every array below is at most N (d + 2) * max(d, m) or m d n_boot doubles. */
    const size_t lim = SIZE_MAX / sizeof(double);
    const size_t w = d > m ? d : m;
    if (d > lim - 2 || o->n > lim / (d + 2) || o->n * (d + 2) > lim / w ||
        (o->n_boot > 0 && m * d > lim / o->n_boot))
        return mkba_error_set(err, MKBA_EINVAL, "", 0, WHERE,
                              "the sample is too large: N = %zu with %zu inputs, %zu outputs",
                              o->n, d, m);
    return MKBA_OK;
}

/* ======================= Sample ======================= */

/* Write row i of A (a), of B (b) and of every A_B^(j) into x. */
static void put_row(double *x, size_t n, size_t d, size_t i, const double *a, const double *b)
{
    for (size_t k = 0; k < d; k++) {
        x[i * d + k] = a[k];
        x[(n + i) * d + k] = b[k];
    }
    for (size_t j = 0; j < d; j++) {
        double *row = x + ((2 + j) * n + i) * d;
        for (size_t k = 0; k < d; k++)
            row[k] = k == j ? b[k] : a[k];
    }
}

/* The N (d + 2) points. Row i draws its A row then its B row from the
 * stream of block i / MKBA_SOBOL_BLOCK. Uniforms are shifted by half a
 * step (2^-54) into (0, 1), so unbounded quantiles stay finite. */
static double *make_sample(const mkba_dist *const *inputs, size_t d, size_t n, uint64_t seed)
{
    double *x = mkba_xcalloc(n * (d + 2) * d, sizeof(double));
    double *ab = mkba_xcalloc(2 * d, sizeof(double));
    gsl_rng *r = mkba_xcheck(mkba_rng_alloc(), sizeof(gsl_rng));
    for (size_t i = 0; i < n; i++) {
        if (i % MKBA_SOBOL_BLOCK == 0)
            mkba_rng_stream(r, seed, MKBA_STREAM_SENS, i / MKBA_SOBOL_BLOCK);
        for (size_t k = 0; k < 2 * d; k++)
            ab[k] = mkba_dist_quantile(inputs[k % d], mkba_rng_u01(r) + 0x1.0p-54);
        put_row(x, n, d, i, ab, ab + d);
    }
    gsl_rng_free(r);
    free(ab);
    return x;
}

/* 1-based point and output of the first non-finite y, or 0 if none. */
static size_t first_nonfinite(const double *y, size_t n_pts, size_t m, size_t *out)
{
    for (size_t i = 0; i < n_pts * m; i++)
        if (!isfinite(y[i])) {
            *out = i % m + 1;
            return i / m + 1;
        }
    return 0;
}

/* ======================= Estimators ======================= */

/* What the estimators read: the outputs regrouped by output and row,
 * z[(o * N + i) * (d + 2) + k] = output o at row i of A (k = 0), of B
 * (k = 1), of A_B^(j) (k = 2 + j), so that a resampled row is one
 * contiguous run of d + 2 values. */
typedef struct est_in {
    double *z;              /* [m][N][d + 2] */
    size_t n, d, m;         /* N, inputs, outputs */
} est_in;

/* Regroup y ([N (d + 2)][m], layout of sobol.h) into e->z. */
static void regroup(est_in *e, const double *y)
{
    const size_t w = e->d + 2;
    e->z = mkba_xcalloc(e->m * e->n * w, sizeof(double));
    for (size_t o = 0; o < e->m; o++)
        for (size_t i = 0; i < e->n; i++)
            for (size_t k = 0; k < w; k++)
                e->z[(o * e->n + i) * w + k] = y[(k * e->n + i) * e->m + o];
}

/* S_j and ST_j of output o on the rows idx[0..N-1] (see sobol.h); returns
 * V. With V == 0 or not finite the indices are NaN. */
static double estimate(const est_in *e, size_t o, const size_t *idx, double *s, double *st)
{
    const size_t n = e->n, d = e->d, w = d + 2;
    const double *z = e->z + o * n * w;
    double mean = 0.0, ss = 0.0;
    for (size_t i = 0; i < n; i++)
        mean += z[idx[i] * w] + z[idx[i] * w + 1];
    mean /= (double)(2 * n);
    for (size_t j = 0; j < d; j++)
        s[j] = st[j] = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double *row = z + idx[i] * w;
        const double fa = row[0], fb = row[1], da = fa - mean, db = fb - mean;
        ss += da * da + db * db;
        for (size_t j = 0; j < d; j++) {
            const double diff = row[2 + j] - fa;
            s[j] += fb * diff;
            st[j] += diff * diff;
        }
    }
    const double v = ss / (double)(2 * n - 1);
    /* An overflowed V (outputs near 1e308) would make every index 0: NaN */
    const int ok = v > 0.0 && isfinite(v);
    for (size_t j = 0; j < d; j++) {
        s[j] = ok ? s[j] / (double)n / v : NAN;
        st[j] = ok ? st[j] / (double)(2 * n) / v : NAN;
    }
    return v;
}

/* ======================= Bootstrap ======================= */

/* The 2.5% and 97.5% percentiles of the non-NaN values of v[0..n-1]
 * (reordered in place); NaN when none is left. */
static void percentiles(double *v, size_t n, double *lo, double *hi)
{
    size_t k = 0;
    for (size_t b = 0; b < n; b++)
        if (!isnan(v[b]))
            v[k++] = v[b];
    if (k == 0) {
        *lo = *hi = NAN;
        return;
    }
    gsl_sort(v, 1, k);
    *lo = gsl_stats_quantile_from_sorted_data(v, 1, k, 0.025);
    *hi = gsl_stats_quantile_from_sorted_data(v, 1, k, 0.975);
}

/* Replicate b: N row indices drawn uniformly with replacement from its own
 * stream. floor(u N) is uniform on 0..N-1 up to a bias of N 2^-53. */
static void resample(gsl_rng *r, uint64_t seed, size_t b, size_t n, size_t *idx)
{
    mkba_rng_stream(r, seed, MKBA_STREAM_SENS, MKBA_SOBOL_BOOT_INDEX + (uint64_t)b);
    for (size_t i = 0; i < n; i++) {
        const size_t k = (size_t)(mkba_rng_u01(r) * (double)n);
        idx[i] = k < n ? k : n - 1;
    }
}

/* Fill the four CI arrays of s from n_boot replicates. */
static void bootstrap(mkba_sobol *s, const est_in *e, const mkba_sobol_opts *o)
{
    const size_t nb = o->n_boot, md = e->m * e->d;
    double *bs = mkba_xcalloc(md * nb, sizeof(double));   /* [m][d][n_boot] S */
    double *bt = mkba_xcalloc(md * nb, sizeof(double));   /* [m][d][n_boot] ST */
    double *sj = mkba_xcalloc(2 * e->d, sizeof(double));
    size_t *idx = mkba_xcalloc(e->n, sizeof(size_t));
    gsl_rng *r = mkba_xcheck(mkba_rng_alloc(), sizeof(gsl_rng));
    for (size_t b = 0; b < nb; b++) {
        resample(r, o->seed, b, e->n, idx);
        for (size_t out = 0; out < e->m; out++) {
            estimate(e, out, idx, sj, sj + e->d);
            for (size_t j = 0; j < e->d; j++) {
                bs[(out * e->d + j) * nb + b] = sj[j];
                bt[(out * e->d + j) * nb + b] = sj[e->d + j];
            }
        }
    }
    for (size_t k = 0; k < md; k++) {
        percentiles(bs + k * nb, nb, &s->first_lo[k], &s->first_hi[k]);
        percentiles(bt + k * nb, nb, &s->total_lo[k], &s->total_hi[k]);
    }
    gsl_rng_free(r);
    free(idx), free(sj), free(bt), free(bs);
}

/* ======================= Public ======================= */

static mkba_sobol *sobol_alloc(size_t d, size_t m)
{
    mkba_sobol *s = mkba_xcalloc(1, sizeof(*s));
    s->d = d;
    s->m = m;
    double **arrays[] = {&s->first, &s->total, &s->first_lo,
                         &s->first_hi, &s->total_lo, &s->total_hi};
    for (size_t k = 0; k < sizeof(arrays) / sizeof(arrays[0]); k++)
        *arrays[k] = mkba_xcalloc(m * d, sizeof(double));
    s->variance = mkba_xcalloc(m, sizeof(double));
    return s;
}

/* Point estimates on all N rows; CIs NaN when there is no bootstrap. */
static void point_estimates(mkba_sobol *s, const est_in *e)
{
    size_t *idx = mkba_xcalloc(e->n, sizeof(size_t));
    for (size_t i = 0; i < e->n; i++)
        idx[i] = i;
    for (size_t o = 0; o < e->m; o++) {
        s->variance[o] = estimate(e, o, idx, s->first + o * e->d, s->total + o * e->d);
        for (size_t j = 0; j < e->d; j++) {
            const size_t k = o * e->d + j;
            s->first_lo[k] = s->first_hi[k] = s->total_lo[k] = s->total_hi[k] = NAN;
        }
    }
    free(idx);
}

mkba_sobol *mkba_sobol_run(const mkba_dist *const *inputs, size_t d, size_t m,
                           mkba_sobol_model model, void *ctx, const mkba_sobol_opts *o,
                           mkba_error *err)
{
    if (check_args(inputs, d, m, model, o, err) != MKBA_OK)
        return NULL;
    const size_t n = o->n, n_pts = n * (d + 2);
    double *x = make_sample(inputs, d, n, o->seed);
    double *y = mkba_xcalloc(n_pts * m, sizeof(double));
    size_t bad_out = 0, bad_pt = 0;
    if (model(ctx, x, n_pts, d, y, m) != 0) {
        mkba_error_set(err, MKBA_EINVAL, "", 0, WHERE, "the model could not be evaluated");
        free(x), free(y);
        return NULL;
    }
    if ((bad_pt = first_nonfinite(y, n_pts, m, &bad_out)) != 0) {
        mkba_error_set(err, MKBA_ENUM, "", 0, WHERE,
                       "the model gave a non-finite value for output %zu at point %zu of %zu",
                       bad_out, bad_pt, n_pts);
        free(x), free(y);
        return NULL;
    }
    free(x);
    mkba_sobol *s = sobol_alloc(d, m);
    s->evaluations = n_pts;
    s->n = n;
    s->seed = o->seed;
    est_in e = {NULL, n, d, m};
    regroup(&e, y);
    free(y);
    point_estimates(s, &e);
    if (o->n_boot > 0)
        bootstrap(s, &e, o);
    free(e.z);
    return s;
}

void mkba_sobol_free(mkba_sobol *s)
{
    if (s == NULL)
        return;
    free(s->first), free(s->total), free(s->first_lo), free(s->first_hi);
    free(s->total_lo), free(s->total_hi), free(s->variance);
    free(s);
}
