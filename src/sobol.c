/* sobol.c - Sobol' first-order and total-order indices by Saltelli's
 * (2010) sampling scheme, with bootstrap percentile intervals.
 *
 * Steps: draw the A and B matrices and build every A_B^(j) (one array of
 * N (d + 2) points, layout in sobol.h), evaluate the model once on all of
 * them, check the outputs are finite, then estimate the indices on the N
 * rows and on n_boot resamples of the rows. The estimators only ever read
 * rows through an index array, so the full sample and a resample share
 * one code path.
 *
 * Threads (the one thread runner, stream.h): the sample's blocks of rows,
 * the outputs' regrouping and point estimates, and the bootstrap
 * replicates are tasks; each writes only its own results and draws from
 * its own random stream, so the bits do not depend on the threads. */
#include "mkba/sobol.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

#include "mkba/mem.h"
#include "mkba/rng.h"
#include "mkba/stream.h"

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

/* Each thread's generator and A and B row, made at its first task. */
typedef struct sample_job {
    const mkba_dist *const *inputs;
    size_t d, n;
    uint64_t seed;
    double *x;
    gsl_rng **r;            /* [threads] */
    double **ab;            /* [threads][2 d] */
} sample_job;

/* Rows [blk MKBA_SOBOL_BLOCK, ...) of the sample, from block blk's stream. */
static void sample_task(void *ctx, size_t blk, size_t thread)
{
    sample_job *j = ctx;
    const size_t d = j->d;
    if (!j->r[thread]) {
        j->r[thread] = mkba_rng_alloc();
        j->ab[thread] = mkba_xcalloc_own(2 * d, sizeof(double));
    }
    gsl_rng *r = j->r[thread];
    double *ab = j->ab[thread];
    mkba_rng_stream(r, j->seed, MKBA_STREAM_SENS, blk);
    size_t end = (blk + 1) * MKBA_SOBOL_BLOCK < j->n ? (blk + 1) * MKBA_SOBOL_BLOCK : j->n;
    for (size_t i = blk * MKBA_SOBOL_BLOCK; i < end; i++) {
        for (size_t k = 0; k < 2 * d; k++)
            ab[k] = mkba_dist_quantile(j->inputs[k % d], mkba_rng_u01(r) + 0x1.0p-54);
        put_row(j->x, j->n, d, i, ab, ab + d);
    }
}

/* The N (d + 2) points. Row i draws its A row then its B row from the
 * stream of block i / MKBA_SOBOL_BLOCK. Uniforms are shifted by half a
 * step (2^-54) into (0, 1), so unbounded quantiles stay finite. */
static double *make_sample(const mkba_dist *const *inputs, size_t d, size_t n, uint64_t seed,
                           int threads)
{
    size_t T = threads > 1 ? (size_t)threads : 1;
    sample_job j = {inputs, d, n, seed, mkba_xcalloc(n * (d + 2) * d, sizeof(double)),
                    mkba_xcalloc(T, sizeof(gsl_rng *)), mkba_xcalloc(T, sizeof(double *))};
    mkba_stream_parallel((n + MKBA_SOBOL_BLOCK - 1) / MKBA_SOBOL_BLOCK, (int)T, sample_task, &j);
    for (size_t t = 0; t < T; t++) {
        if (j.r[t])
            gsl_rng_free(j.r[t]);
        free(j.ab[t]);
    }
    free(j.r);
    free(j.ab);
    return j.x;
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

/* Rows a task of the regrouping (below). */
#define REGROUP_ROWS 4096

typedef struct regroup_job {
    est_in *e;
    const double *y;
    size_t parts;           /* tasks an output */
} regroup_job;

/* Rows [part REGROUP_ROWS, ...) of output o into e->z, o = task / parts. */
static void regroup_task(void *ctx, size_t task, size_t thread)
{
    regroup_job *j = ctx;
    est_in *e = j->e;
    const size_t w = e->d + 2, o = task / j->parts, first = task % j->parts * REGROUP_ROWS;
    const size_t end = e->n - first < REGROUP_ROWS ? e->n : first + REGROUP_ROWS;
    (void)thread;
    for (size_t i = first; i < end; i++)
        for (size_t k = 0; k < w; k++)
            e->z[(o * e->n + i) * w + k] = j->y[(k * e->n + i) * e->m + o];
}

/* Regroup y ([N (d + 2)][m], layout of sobol.h) into e->z, a block of rows
 * of an output a task. */
static void regroup(est_in *e, const double *y, int threads)
{
    e->z = mkba_xcalloc(e->m * e->n * (e->d + 2), sizeof(double));
    regroup_job j = {e, y, (e->n + REGROUP_ROWS - 1) / REGROUP_ROWS};
    mkba_stream_parallel(e->m * j.parts, threads, regroup_task, &j);
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

/* The bootstrap: replicate b's indices of every output into bs and bt
 * ([m][d][n_boot]); each thread's generator and index arrays made at its
 * first replicate. */
typedef struct boot_job {
    const est_in *e;
    const mkba_sobol_opts *o;
    double *bs, *bt;
    gsl_rng **r;            /* [threads] */
    size_t **idx;           /* [threads][N] */
    double **sj;            /* [threads][2 d] */
} boot_job;

static void boot_task(void *ctx, size_t b, size_t thread)
{
    boot_job *j = ctx;
    const est_in *e = j->e;
    const size_t nb = j->o->n_boot;
    if (!j->r[thread]) {
        j->r[thread] = mkba_rng_alloc();
        j->idx[thread] = mkba_xcalloc_own(e->n, sizeof(size_t));
        j->sj[thread] = mkba_xcalloc_own(2 * e->d, sizeof(double));
    }
    size_t *idx = j->idx[thread];
    double *sj = j->sj[thread];
    resample(j->r[thread], j->o->seed, b, e->n, idx);
    for (size_t out = 0; out < e->m; out++) {
        estimate(e, out, idx, sj, sj + e->d);
        for (size_t k = 0; k < e->d; k++) {
            j->bs[(out * e->d + k) * nb + b] = sj[k];
            j->bt[(out * e->d + k) * nb + b] = sj[e->d + k];
        }
    }
}

/* Fill the four CI arrays of s from n_boot replicates. */
static void bootstrap(mkba_sobol *s, const est_in *e, const mkba_sobol_opts *o)
{
    const size_t nb = o->n_boot, md = e->m * e->d;
    size_t T = o->threads > 1 ? (size_t)o->threads : 1;
    boot_job j = {e, o, mkba_xcalloc(md * nb, sizeof(double)), mkba_xcalloc(md * nb, sizeof(double)),
                  mkba_xcalloc(T, sizeof(gsl_rng *)), mkba_xcalloc(T, sizeof(size_t *)),
                  mkba_xcalloc(T, sizeof(double *))};
    mkba_stream_parallel(nb, (int)T, boot_task, &j);
    for (size_t k = 0; k < md; k++) {
        percentiles(j.bs + k * nb, nb, &s->first_lo[k], &s->first_hi[k]);
        percentiles(j.bt + k * nb, nb, &s->total_lo[k], &s->total_hi[k]);
    }
    for (size_t t = 0; t < T; t++) {
        if (j.r[t])
            gsl_rng_free(j.r[t]);
        free(j.idx[t]);
        free(j.sj[t]);
    }
    free(j.r), free(j.idx), free(j.sj), free(j.bt), free(j.bs);
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

typedef struct point_job {
    mkba_sobol *s;
    const est_in *e;
    const size_t *idx;      /* 0..N-1 */
} point_job;

static void point_task(void *ctx, size_t o, size_t thread)
{
    point_job *j = ctx;
    const size_t d = j->e->d;
    (void)thread;
    j->s->variance[o] = estimate(j->e, o, j->idx, j->s->first + o * d, j->s->total + o * d);
    for (size_t k = o * d; k < (o + 1) * d; k++)
        j->s->first_lo[k] = j->s->first_hi[k] = j->s->total_lo[k] = j->s->total_hi[k] = NAN;
}

/* Point estimates on all N rows, an output a task; CIs NaN when there is
 * no bootstrap. */
static void point_estimates(mkba_sobol *s, const est_in *e, int threads)
{
    size_t *idx = mkba_xcalloc(e->n, sizeof(size_t));
    for (size_t i = 0; i < e->n; i++)
        idx[i] = i;
    point_job j = {s, e, idx};
    mkba_stream_parallel(e->m, threads, point_task, &j);
    free(idx);
}

mkba_sobol *mkba_sobol_run(const mkba_dist *const *inputs, size_t d, size_t m,
                           mkba_sobol_model model, void *ctx, const mkba_sobol_opts *o,
                           mkba_error *err)
{
    if (check_args(inputs, d, m, model, o, err) != MKBA_OK)
        return NULL;
    const size_t n = o->n, n_pts = n * (d + 2);
    double *x = make_sample(inputs, d, n, o->seed, o->threads);
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
    regroup(&e, y, o->threads);
    free(y);
    point_estimates(s, &e, o->threads);
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
