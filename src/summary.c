/* summary.c - statistics of Monte Carlo draws. */
#include "mkba/summary.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>

#include "mkba/appraisal.h"
#include "mkba/bootstrap.h"
#include "mkba/fsutil.h"
#include "mkba/mem.h"
#include "mkba/plan.h"
#include "mkba/sim.h"
#include "mkba/stream.h"
#include "mkba/voi.h"

/* The k-th smallest of x[0..n-1] (0-based), by quickselect (Hoare
 * partition, median of three): O(n) on average against O(n log n) for a
 * full sort, and it leaves x partitioned around position k. */
double mkba_stats_select(double *x, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (hi > lo) {
        size_t mid = lo + (hi - lo) / 2;
        double a = x[lo], b = x[mid], c = x[hi];
        double pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        size_t i = lo, j = hi;
        while (i <= j) {
            while (x[i] < pivot)
                i++;
            while (x[j] > pivot)
                j--;
            if (i <= j) {
                double t = x[i];
                x[i] = x[j];
                x[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return x[k];
    }
    return x[k];
}

/* GSL's interpolated quantile (gsl_stats_quantile_from_sorted_data) of
 * x[0..n-1] without sorting, at position q (n - 1) between order
 * statistics lo and lo + 1. The search is confined to x[from..to) (which
 * must hold positions lo and lo + 1 once partitioned): */
static double quantile_in(double *x, size_t n, double q, size_t from, size_t to)
{
    double pos = q * (double)(n - 1);
    size_t lo = (size_t)floor(pos);
    double delta = pos - (double)lo;
    double v = mkba_stats_select(x + from, to - from, lo - from);
    if (delta == 0 || lo + 1 >= to)
        return v;
    double next = x[lo + 1]; /* after selection: the smallest right of lo */
    for (size_t i = lo + 2; i < to; i++)
        if (x[i] < next)
            next = x[i];
    return (1 - delta) * v + delta * next;
}

/* Quantiles of large samples by brackets: a strided sample of x (the draws
 * are independent, so any stride is a fair sample) gives for each wanted
 * order statistic a value range [lo, hi] that holds it with near
 * certainty; one pass counts the values below each range and gathers those
 * inside, and the order statistic is then selected among the few gathered
 * (about 3% of n). The result is exact: when a range misses (count below
 * too high or too few gathered, as with data arranged against the stride)
 * it returns 0 and the caller selects over all of x. One pass instead of
 * three selections: the summary is the serial part of a threaded run. */
#define QB_SAMPLE 16384
enum { QB_N = 3 };

static int quantiles_bracketed(const double *x, size_t n, const double q[QB_N], double out[QB_N])
{
    double *smp = mkba_xmalloc(QB_SAMPLE * sizeof *smp), lo[QB_N], hi[QB_N];
    size_t k[QB_N], below[QB_N] = {0}, cnt[QB_N] = {0}, cap = n / 8 + 1;
    for (size_t i = 0; i < QB_SAMPLE; i++)
        smp[i] = x[(size_t)((double)i * (double)n / QB_SAMPLE)];
    gsl_sort(smp, 1, QB_SAMPLE);
    for (int j = 0; j < QB_N; j++) {
        k[j] = (size_t)floor(q[j] * (double)(n - 1));
        double r = q[j] * (QB_SAMPLE - 1);
        /* 4 binomial SDs of the sample rank either side, plus slack */
        double margin = 4 * sqrt(QB_SAMPLE * q[j] * (1 - q[j])) + 8;
        lo[j] = r - margin <= 0 ? -INFINITY : smp[(size_t)(r - margin)];
        hi[j] = r + 1 + margin >= QB_SAMPLE - 1 ? INFINITY : smp[(size_t)(r + 1 + margin)];
    }
    free(smp);
    double *buf = mkba_xmalloc(QB_N * cap * sizeof *buf);
    int ok = 1;
    for (size_t i = 0; i < n && ok; i++) {
        double v = x[i];
        for (int j = 0; j < QB_N; j++) { /* branch-free: random data defeats prediction */
            below[j] += v < lo[j];
            buf[j * cap + cnt[j]] = v; /* kept only when inside the range */
            cnt[j] += (v >= lo[j]) & (v <= hi[j]);
            ok &= cnt[j] < cap;
        }
    }
    for (int j = 0; j < QB_N && ok; j++) {
        size_t need = k[j] + 1 < n ? k[j] + 2 : k[j] + 1; /* order stats k and k + 1 */
        if (below[j] > k[j] || below[j] + cnt[j] < need) {
            ok = 0;
            break;
        }
        double *b = buf + j * cap;
        size_t kk = k[j] - below[j];
        double v = mkba_stats_select(b, cnt[j], kk);
        double delta = q[j] * (double)(n - 1) - (double)k[j];
        if (delta != 0 && k[j] + 1 < n) {
            double next = INFINITY; /* after selection: the smallest right of kk */
            for (size_t i = kk + 1; i < cnt[j]; i++)
                if (b[i] < next)
                    next = b[i];
            v = (1 - delta) * v + delta * next;
        }
        out[j] = v;
    }
    free(buf);
    return ok;
}

/* P5, P50 and P95: the median first, then P5 in the part left of it and
 * P95 in the part right of it, so each later search is over half the data. */
static void quantiles(double *x, size_t n, double *p5, double *p50, double *p95)
{
    double q[QB_N] = {0.05, 0.50, 0.95}, v[QB_N];
    if (n >= 8 * QB_SAMPLE && quantiles_bracketed(x, n, q, v)) {
        *p5 = v[0], *p50 = v[1], *p95 = v[2];
        return;
    }
    if (n < 64) { /* small: sort (insertion) and read off, as GSL does */
        for (size_t i = 1; i < n; i++)
            for (size_t j = i; j > 0 && x[j - 1] > x[j]; j--) {
                double t = x[j];
                x[j] = x[j - 1];
                x[j - 1] = t;
            }
        *p5 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.05);
        *p50 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.50);
        *p95 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.95);
        return;
    }
    size_t mid = (size_t)floor(0.5 * (double)(n - 1));
    *p50 = quantile_in(x, n, 0.50, 0, n);
    /* x[0..mid] <= x[mid] <= x[mid+1..n): order statistics of P5 (and the
     * next one) lie in [0, mid + 1), those of P95 in [mid, n). */
    *p5 = quantile_in(x, n, 0.05, 0, mid + 1);
    *p95 = quantile_in(x, n, 0.95, mid, n);
}

/* Mean and variance (n - 1) of x[i] * scale by two passes, the second with
 * the correction term of the corrected two-pass algorithm (Chan, Golub &
 * LeVeque 1983). Four running sums in a fixed order: the same bits every
 * time, and about 10x faster than GSL's running-mean recurrence, whose
 * division per value is a long dependency chain. With scale 1 the product
 * is x[i] itself (exact). A NaN variance stays NaN (fmax would make it 0). */
static inline void centred_sums(const double *x, size_t n, double scale, double *mean,
                                double *var)
{
    double s[4] = {0, 0, 0, 0}, d2[4] = {0, 0, 0, 0}, d1[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; j++)
            s[j] += x[i + j] * scale;
    for (; i < n; i++)
        s[0] += x[i] * scale;
    double m = ((s[0] + s[1]) + (s[2] + s[3])) / (double)n;
    for (i = 0; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; j++) {
            double d = x[i + j] * scale - m;
            d1[j] += d;
            d2[j] += d * d;
        }
    for (; i < n; i++) {
        double d = x[i] * scale - m;
        d1[0] += d;
        d2[0] += d * d;
    }
    double sum1 = (d1[0] + d1[1]) + (d1[2] + d1[3]), sum2 = (d2[0] + d2[1]) + (d2[2] + d2[3]);
    double v = (sum2 - sum1 * sum1 / (double)n) / (double)(n - 1);
    *mean = m;
    *var = isnan(v) ? v : fmax(0, v);
}

/* Mean and SD (n - 1) of the finite x[0..n-1]. When a sum overflows
 * (values near 1e308, or deviations whose squares pass 1e308) the sums are
 * redone on the values scaled by a power of two that brings the largest
 * |x| below 1, which is exact, and the results scaled back: a mean and an
 * SD that are representable are found whatever the sums; an SD that is
 * not (above DBL_MAX, as for -1.3e308 and 1.3e308) is NaN, never 0 or
 * infinity. Inputs whose sums do not overflow take the first path alone:
 * their results are the bits they always were. */
static void mean_sd(const double *x, size_t n, double *mean, double *sd)
{
    double m, v = 0;
    centred_sums(x, n, 1.0, &m, &v);
    if (n > 1 ? !isfinite(m) || !isfinite(v) : !isfinite(m)) {
        double top = 0;
        for (size_t i = 0; i < n; i++)
            top = fmax(top, fabs(x[i]));
        int e;
        frexp(top, &e); /* top = f 2^e, 0.5 <= f < 1 */
        centred_sums(x, n, ldexp(1, -e), &m, &v);
        m = ldexp(m, e);
        v = ldexp(sqrt(v), e); /* the SD: its square may not be representable */
        *mean = m;
        *sd = n > 1 && isfinite(v) ? v : n > 1 ? NAN : 0;
        return;
    }
    *mean = m;
    *sd = n > 1 ? sqrt(v) : 0;
}

void mkba_stats_of_finite(double *x, size_t m, size_t n_positive, mkba_stats *out)
{
    out->n = m;
    if (m == 0) {
        out->mean = out->sd = out->p5 = out->p50 = out->p95 = out->p_positive = NAN;
        return;
    }
    mean_sd(x, m, &out->mean, &out->sd);
    quantiles(x, m, &out->p5, &out->p50, &out->p95);
    out->p_positive = (double)n_positive / (double)m;
}

/* The finite values of x[0..n-1] moved to its front, in order; their
 * number, and in *pos how many are > 0. */
static size_t compact_finite(double *x, size_t n, size_t *pos)
{
    size_t m = 0;
    *pos = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) {
            x[m++] = x[i];
            *pos += x[i] > 0;
        }
    return m;
}

void mkba_stats_of(const double *x, size_t n, double *scratch, mkba_stats *out)
{
    size_t m = 0, pos = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) {
            scratch[m++] = x[i];
            pos += x[i] > 0;
        }
    mkba_stats_of_finite(scratch, m, pos, out);
}

/* The statistics of the finite values among buf[0..n-1] (reordered). */
static void stats_in_place(double *buf, size_t n, mkba_stats *out)
{
    size_t pos, m = compact_finite(buf, n, &pos);
    mkba_stats_of_finite(buf, m, pos, out);
}

/* The statistics and the EVPPI of the inputs, each input a task of the
 * thread runner (stream.h, mkba_stream_parallel): a task gets its input's
 * column (kept by the run, or made again: sim.h, MKBA_SIM_INPUTS_REGEN) and
 * computes both whole, so every value is the same on any number of
 * threads. The job is shared: the tasks only read it (and write disjoint
 * entries of mc); each thread's scratch is made at its first task. */
typedef struct evppi_scratch {
    int made;
    mkba_voi_work *w;     /* NULL: no EVPPI */
    mkba_sim_inputs *g;   /* NULL: the run kept the inputs */
    double *col, *theta;  /* [D] an input's draws; [n] those kept (or col) */
} evppi_scratch;

typedef struct evppi_job {
    const mkba_sim *sim;
    const mkba_plan *plan;
    mkba_mc *mc;
    const double *nb;     /* [P][n] net benefits of the kept draws; NULL: no EVPPI */
    const size_t *keep;   /* the kept draws */
    size_t P, n, n_in;
    double *evppi;        /* [n_in] */
    evppi_scratch *sc;    /* [threads] */
} evppi_job;

static void scratch_make(const evppi_job *j, evppi_scratch *x)
{
    const mkba_sim *sim = j->sim;
    size_t D = sim->draws;
    mkba_error err;
    mkba_error_clear(&err);
    /* nb passed mkba_voi_evpi, so this does not fail; if it did, the
     * inputs would keep NaN. */
    x->w = j->nb ? mkba_voi_work_alloc(j->nb, j->P, j->n, 1, &err) : NULL;
    x->g = sim->uncertain ? NULL : mkba_sim_inputs_alloc(j->plan, &sim->opts);
    x->col = mkba_xcalloc(D + 1, sizeof *x->col);
    x->theta = x->w && j->n < D ? mkba_xcalloc(j->n, sizeof *x->theta) : x->col;
    x->made = 1;
}

static void scratch_free(evppi_scratch *x)
{
    if (!x->made)
        return;
    mkba_voi_work_free(x->w);
    mkba_sim_inputs_free(x->g);
    if (x->theta != x->col)
        free(x->theta);
    free(x->col);
}

/* Input k: its statistics and its EVPPI. */
static void evppi_task(void *ctx, size_t k, size_t thread)
{
    const evppi_job *j = ctx;
    const mkba_sim *sim = j->sim;
    size_t D = sim->draws, U = sim->n_uncertain;
    evppi_scratch *x = &j->sc[thread];
    if (!x->made)
        scratch_make(j, x);
    if (x->g)
        mkba_sim_inputs_column(x->g, k, x->col);
    else
        memcpy(x->col, k < U ? sim->uncertain + k * D : sim->effects + (k - U) * D,
               D * sizeof *x->col);
    if (x->theta != x->col)
        for (size_t i = 0; i < j->n; i++)
            x->theta[i] = x->col[j->keep[i]];
    double e;
    mkba_error err;
    mkba_error_clear(&err);
    if (x->w && !mkba_voi_evppi_w(x->w, x->theta, mkba_voi_default_bins(j->n), &e, &err))
        j->evppi[k] = e;
    stats_in_place(x->col, D, k < U ? &j->mc->uncertain[k] : &j->mc->effects[k - U]);
}

/* Threads for the inputs: those of the simulation, fewer when there are
 * fewer inputs, and no more than about 1 GiB of scratch (48 bytes per draw
 * per thread). */
static size_t evppi_threads(const mkba_sim *sim, size_t n, size_t n_in)
{
    size_t t = sim->threads > 0 ? (size_t)sim->threads : 1;
    size_t by_memory = ((size_t)1 << 30) / (48 * (n ? n : 1));
    if (t > by_memory)
        t = by_memory;
    if (t > n_in)
        t = n_in;
    return t ? t : 1;
}

/* mc->p_best: the share of the n draws in which each alternative has the
 * highest NPV for society (the reference's is 0; a tie goes to the
 * alternative first in the scenarios' order, the reference first). */
static void best_shares(mkba_mc *mc, const double *nb, size_t P, size_t n)
{
    for (size_t s = 0; s <= P; s++)
        mc->p_best[s] = 0;
    for (size_t j = 0; j < n; j++) {
        size_t best = 0;
        double top = 0;
        for (size_t s = 0; s < P; s++)
            if (nb[s * n + j] > top)
                top = nb[s * n + j], best = s + 1;
        mc->p_best[best] += 1;
    }
    for (size_t s = 0; s <= P; s++)
        mc->p_best[s] = n ? mc->p_best[s] / (double)n : NAN;
}

/* The inputs' statistics and EVPPIs (evppi_task) on their threads;
 * nb NULL: the statistics alone. */
static void inputs_stats(const mkba_sim *sim, const mkba_plan *plan, mkba_mc *mc,
                         const double *nb, const size_t *keep, size_t P, size_t n)
{
    size_t n_in = sim->uncertain || sim->inputs_regen ? sim->n_uncertain + sim->n_outcomes : 0;
    if (n_in == 0)
        return;
    size_t threads = evppi_threads(sim, nb ? n : sim->draws, n_in);
    evppi_job job = {.sim = sim, .plan = plan, .mc = mc, .nb = nb, .keep = keep, .P = P,
                     .n = n, .n_in = n_in, .evppi = mc->evppi,
                     .sc = mkba_xcalloc(threads, sizeof *job.sc)};
    mkba_stream_parallel(n_in, (int)threads, evppi_task, &job);
    for (size_t t = 0; t < threads; t++)
        scratch_free(&job.sc[t]);
    free(job.sc);
}

/* EVPI of "reference or one of the projects" on society's NPV, and the
 * EVPPI of each uncertain input (regression on its drawn values), with the
 * inputs' statistics. */
static void value_of_information(const mkba_sim *sim, const mkba_plan *plan, mkba_mc *mc)
{
    size_t D = sim->draws, P = sim->n_scenarios - 1, K = sim->n_stakeholders;
    size_t n_in = sim->n_uncertain + sim->n_outcomes;
    mc->evppi = mkba_xcalloc(n_in + 1, sizeof *mc->evppi);
    mc->p_best = mkba_xcalloc(sim->n_scenarios + 1, sizeof *mc->p_best);
    for (size_t s = 0; s < sim->n_scenarios; s++)
        mc->p_best[s] = NAN;
    mc->evpi = NAN;
    for (size_t i = 0; i < n_in; i++)
        mc->evppi[i] = NAN;
    if (P == 0) {
        inputs_stats(sim, plan, mc, NULL, NULL, 0, 0);
        return;
    }
    double *nb = mkba_xcalloc(P * D, sizeof *nb);
    size_t *keep = mkba_xcalloc(D + 1, sizeof *keep), n = 0;
    for (size_t i = 0; i < D; i++) {
        int ok = 1;
        for (size_t s = 1; s <= P; s++) {
            size_t c = mkba_sim_col(sim, s, K);
            ok &= isfinite(sim->pv_benefits[c * D + i] - sim->pv_costs[c * D + i]);
        }
        if (ok)
            keep[n++] = i;
    }
    for (size_t s = 1; s <= P; s++) {
        size_t c = mkba_sim_col(sim, s, K);
        for (size_t j = 0; j < n; j++)
            nb[(s - 1) * n + j] = sim->pv_benefits[c * D + keep[j]] - sim->pv_costs[c * D + keep[j]];
    }
    mc->voi_draws = n;
    best_shares(mc, nb, P, n);
    mkba_voi v;
    mkba_error err;
    mkba_error_clear(&err);
    int evpi_ok = n > 0 && !mkba_voi_evpi(nb, P, n, 1, &v, &err);
    if (evpi_ok) {
        mc->evpi = v.evpi;
        mc->best = v.best == P ? 0 : v.best + 1;
    }
    inputs_stats(sim, plan, mc, evpi_ok ? nb : NULL, keep, P, n);
    free(nb);
    free(keep);
}

/* The quantile grid and histogram of society's NPV in scenario 's' from
 * its finite draws x[0..m-1] (any order; sorted here). A full sort: the
 * grid needs 201 order statistics. */
static void npv_shape(mkba_mc *mc, size_t s, double *x, size_t m)
{
    double *q = mc->npv_cdf + s * MKBA_MC_CDF;
    size_t *h = mc->hist + s * MKBA_MC_BINS;
    if (m == 0) {
        for (size_t i = 0; i < MKBA_MC_CDF; i++)
            q[i] = NAN;
        mc->hist_lo[s] = mc->hist_width[s] = NAN;
        return;
    }
    gsl_sort(x, 1, m);
    for (size_t i = 0; i < MKBA_MC_CDF; i++)
        q[i] = gsl_stats_quantile_from_sorted_data(x, 1, m, (double)i / (MKBA_MC_CDF - 1));
    double lo = x[0], hi = x[m - 1];
    double w = hi > lo ? (hi - lo) / MKBA_MC_BINS : 1; /* one value: a single bin */
    if (!isfinite(w)) /* hi - lo overflowed (draws near -1e308 and 1e308) */
        w = hi / MKBA_MC_BINS - lo / MKBA_MC_BINS;
    mc->hist_lo[s] = lo;
    mc->hist_width[s] = w;
    for (size_t i = 0; i < m; i++) {
        /* x - lo may overflow to infinity: the last bin, never a cast of it */
        double b = (x[i] - lo) / w;
        h[b < MKBA_MC_BINS ? (size_t)b : MKBA_MC_BINS - 1]++;
    }
}

/* x rounded to 6 significant digits: a statistic of values kept as floats
 * (7 digits), which would show their rounding (0.2 as 0.20000000298). */
static double float_digits(double x)
{
    if (!isfinite(x) || x == 0)
        return x;
    double scale = pow(10, 5 - floor(log10(fabs(x))));
    return isfinite(scale) && isfinite(x * scale) ? round(x * scale) / scale : x;
}

/* The summary's columns, each a task for mkba_stream_parallel: a task
 * computes its column's statistics whole (the same bits on any number of
 * threads) into its own entries of mc, with its thread's buffer. */
enum { T_HOLDER, T_FIN, T_ITEM, T_UNCERTAIN, T_EFFECT, T_KINDS };

typedef struct sum_job {
    const mkba_sim *sim;
    mkba_mc *mc;
    size_t first[T_KINDS + 1]; /* tasks [first[k], first[k + 1]) are of kind k */
    double **buf;              /* [threads] a column of draws each, made when first used */
} sum_job;

/* Stakeholder column c of mc (scenario c / (K + 1) >= 1): the PVs of
 * benefits and costs, the NPV (with society's shape) and the B/C ratio. */
static void holder_task(const sum_job *j, size_t c, double *buf)
{
    const mkba_sim *sim = j->sim;
    mkba_mc *mc = j->mc;
    size_t D = sim->draws, K = sim->n_stakeholders;
    size_t sc = mkba_sim_col(sim, c / (K + 1), c % (K + 1));
    const double *b = sim->pv_benefits + sc * D, *co = sim->pv_costs + sc * D;
    mkba_stats_of(b, D, buf, &mc->pv_benefits[c]);
    mkba_stats_of(co, D, buf, &mc->pv_costs[c]);
    for (size_t i = 0; i < D; i++) {
        /* A stakeholder whose benefits and costs cancel (an employer paying
         * out the production as wages and taxes) has NPV 0, not rounding
         * noise that would count as "positive" half of the time. An NPV
         * that overflowed stays infinite (left out, never taken for 0). */
        buf[i] = b[i] - co[i];
        if (isfinite(buf[i]) && fabs(buf[i]) <= 1e-12 * (fabs(b[i]) + fabs(co[i])))
            buf[i] = 0;
    }
    size_t pos, m = compact_finite(buf, D, &pos);
    mkba_stats_of_finite(buf, m, pos, &mc->npv[c]);
    if (mkba_stats_all_zero(&mc->npv[c]))
        mc->npv[c].p_positive = NAN; /* no chance to speak of: n/a, not 0% */
    if (c % (K + 1) == K)
        npv_shape(mc, c / (K + 1), buf, m);
    /* The B/C over the draws (appraisal.h, mkba_bcr: only where both present
     * values are positive). When some draw with finite values has no ratio,
     * its percentiles would describe a chosen part of the draws: every
     * statistic is NaN (n 0), which the outputs show as n/a. */
    int some_undefined = 0;
    for (size_t i = 0; i < D; i++) {
        buf[i] = mkba_bcr(b[i], co[i]);
        some_undefined |= isnan(buf[i]) && isfinite(b[i]) && isfinite(co[i]);
    }
    stats_in_place(buf, D, &mc->bcr[c]);
    if (some_undefined)
        mc->bcr[c] = (mkba_stats){NAN, NAN, NAN, NAN, NAN, NAN, 0};
}

/* mc->fin[c] from the run's payback and IRR per draw (sim.h, keep_finance). */
static void finance_task(const sum_job *j, size_t c, double *buf)
{
    const mkba_sim *sim = j->sim;
    size_t D = sim->draws, K = sim->n_stakeholders;
    size_t sc = mkba_sim_col(sim, c / (K + 1), c % (K + 1));
    mkba_mc_fin *f = &j->mc->fin[c];
    memcpy(f->payback, sim->payback_count + sc * MKBA_FIN_PAYBACK_N, sizeof f->payback);
    memcpy(f->irr_status, sim->irr_count + sc * MKBA_FIN_IRR_N, sizeof f->irr_status);
    size_t with_flows = D - f->payback[MKBA_FIN_NO_FLOWS] - f->payback[MKBA_FIN_UNDEFINED];
    f->p_payback = with_flows ? (double)f->payback[MKBA_FIN_PAID] / (double)with_flows : NAN;
    for (size_t i = 0; i < D; i++)
        buf[i] = sim->irr[sc * D + i]; /* NaN where none: left out */
    stats_in_place(buf, D, &f->irr);
    double *v[] = {&f->irr.mean, &f->irr.sd, &f->irr.p5, &f->irr.p50, &f->irr.p95};
    for (int i = 0; i < 5; i++)
        *v[i] = float_digits(*v[i]);
    f->irr_share = D ? (double)f->irr.n / (double)D : NAN;
}

static void sum_task(void *ctx, size_t task, size_t thread)
{
    const sum_job *j = ctx;
    const mkba_sim *sim = j->sim;
    mkba_mc *mc = j->mc;
    size_t D = sim->draws, K = sim->n_stakeholders, I = sim->n_items;
    if (!j->buf[thread])
        j->buf[thread] = mkba_xreallocarray(NULL, D + 1, sizeof(double));
    double *buf = j->buf[thread];
    int kind = 0;
    while (task >= j->first[kind + 1])
        kind++;
    size_t i = task - j->first[kind];
    switch (kind) {
    case T_HOLDER:
        holder_task(j, K + 1 + i, buf);
        break;
    case T_FIN:
        finance_task(j, K + 1 + i, buf);
        break;
    case T_ITEM:
        mkba_stats_of(sim->item_pv + i * D, D, buf, &mc->items[I + i]);
        break;
    case T_UNCERTAIN:
        mkba_stats_of(sim->uncertain + i * D, D, buf, &mc->uncertain[i]);
        break;
    default:
        mkba_stats_of(sim->effects + i * D, D, buf, &mc->effects[i]);
        break;
    }
}

/* Every column's statistics, on the run's threads. */
static void summarize_columns(const mkba_sim *sim, mkba_mc *mc)
{
    size_t S = sim->n_scenarios, K = sim->n_stakeholders, cols = (S - 1) * (K + 1);
    size_t n[T_KINDS] = {cols, sim->irr ? cols : 0, sim->item_pv ? (S - 1) * sim->n_items : 0,
                         0, 0}; /* the inputs: with their EVPPI (value_of_information) */
    sum_job j = {.sim = sim, .mc = mc};
    for (int k = 0; k < T_KINDS; k++)
        j.first[k + 1] = j.first[k] + n[k];
    int threads = sim->threads > 0 ? sim->threads : 1;
    j.buf = mkba_xcalloc((size_t)threads, sizeof *j.buf);
    mkba_stream_parallel(j.first[T_KINDS], threads, sum_task, &j);
    for (int t = 0; t < threads; t++)
        free(j.buf[t]);
    free(j.buf);
}

/* Item PVs by regeneration (sim.h, MKBA_SIM_ITEMS_REGEN): the run's draws
 * made again, a chunk of blocks at a time on the run's threads, and each
 * item's column fed to its own mkba_stream (stream.h) in draw order, the
 * columns shared out over the threads; again for every pass a stream asks
 * for. Memory: one chunk of REGEN_BYTES, whatever the draws. */
#define REGEN_BYTES ((size_t)16 << 20)

typedef struct regen_job {
    mkba_stream **st;
    const int *active;     /* [column] the stream wants this pass */
    const double *cols;    /* the chunk's item PVs, column-major */
    size_t n;              /* draws in the chunk */
} regen_job;

static void regen_task(void *ctx, size_t c, size_t thread)
{
    const regen_job *j = ctx;
    (void)thread;
    if (j->active[c])
        mkba_stream_add(j->st[c], j->cols + c * j->n, j->n);
}

static void items_by_regeneration(const mkba_sim *sim, const mkba_plan *plan, mkba_mc *mc)
{
    size_t I = sim->n_items, cols = (sim->n_scenarios - 1) * I, D = sim->draws;
    size_t B = MKBA_SIM_BLOCK, chunk = REGEN_BYTES / (cols * B * sizeof(double) + 1);
    chunk = chunk ? chunk : 1; /* in blocks */
    mkba_stream **st = mkba_xcalloc(cols + 1, sizeof *st);
    int *active = mkba_xcalloc(cols + 1, sizeof *active);
    for (size_t c = 0; c < cols; c++) {
        st[c] = mkba_stream_alloc();
        active[c] = 1;
    }
    size_t left = cols;
    while (left > 0) {
        for (size_t b0 = 0; b0 * B < D; b0 += chunk) {
            mkba_sim_opts o = sim->opts;
            o.first_block += b0;
            o.draws = D - b0 * B < chunk * B ? D - b0 * B : chunk * B;
            o.keep_items = MKBA_SIM_ITEMS_KEEP;
            o.keep_uncertain = o.keep_finance = 0;
            mkba_error err;
            mkba_error_clear(&err);
            mkba_sim *part = mkba_sim_run(plan, &o, &err); /* the run's options: valid */
            regen_job j = {.st = st, .active = active, .cols = part->item_pv, .n = part->draws};
            mkba_stream_parallel(cols, sim->threads, regen_task, &j);
            mkba_sim_free(part);
        }
        for (size_t c = 0; c < cols; c++)
            if (active[c] && !mkba_stream_end(st[c], &mc->items[I + c])) {
                active[c] = 0;
                left--;
            }
    }
    for (size_t c = 0; c < cols; c++)
        mkba_stream_free(st[c]);
    free(st);
    free(active);
}

mkba_mc *mkba_mc_summarize(const mkba_sim *sim, const mkba_plan *plan, uint64_t seed,
                           const double *boot, size_t n_boot, size_t n_boot_failed)
{
    mkba_mc *mc = mkba_xcalloc(1, sizeof *mc);
    size_t D = sim->draws, S = sim->n_scenarios, K = sim->n_stakeholders, I = sim->n_items;
    mc->draws = D;
    mc->seed = seed;
    mc->threads = sim->threads;
    mc->seconds = sim->seconds;
    mc->n_boot = n_boot;
    mc->n_boot_failed = n_boot_failed;
    mc->n_nonfinite = sim->n_nonfinite;
    mc->n_scenarios = S;
    mc->n_stakeholders = K;
    mc->n_items = I;
    mc->n_uncertain = sim->n_uncertain;
    mc->n_outcomes = sim->n_outcomes;
    mc->has_copula = plan->copula != NULL;
    size_t cols = S * (K + 1);
    mc->npv = mkba_xcalloc(cols, sizeof *mc->npv);
    mc->pv_benefits = mkba_xcalloc(cols, sizeof *mc->pv_benefits);
    mc->pv_costs = mkba_xcalloc(cols, sizeof *mc->pv_costs);
    mc->bcr = mkba_xcalloc(cols, sizeof *mc->bcr);
    mc->npv_cdf = mkba_xcalloc(S * MKBA_MC_CDF, sizeof *mc->npv_cdf);
    mc->hist_lo = mkba_xcalloc(S, sizeof *mc->hist_lo);
    mc->hist_width = mkba_xcalloc(S, sizeof *mc->hist_width);
    mc->hist = mkba_xcalloc(S * MKBA_MC_BINS, sizeof *mc->hist);
    if (sim->irr)
        mc->fin = mkba_xcalloc(cols, sizeof *mc->fin);
    mc->items = mkba_xcalloc(S * I + 1, sizeof *mc->items);
    mc->uncertain_names = mkba_xcalloc(sim->n_uncertain + 1, sizeof *mc->uncertain_names);
    mc->uncertain = mkba_xcalloc(sim->n_uncertain + 1, sizeof *mc->uncertain);
    for (size_t k = 0; k < sim->n_uncertain; k++)
        mc->uncertain_names[k] = mkba_xstrdup(plan->uncertain[k].name);
    mc->effects = mkba_xcalloc(sim->n_outcomes + 1, sizeof *mc->effects);
    mc->boot_lo = mkba_xcalloc(sim->n_outcomes + 1, sizeof *mc->boot_lo);
    mc->boot_hi = mkba_xcalloc(sim->n_outcomes + 1, sizeof *mc->boot_hi);
    for (size_t j = 0; j < sim->n_outcomes; j++) {
        mc->boot_lo[j] = mc->boot_hi[j] = NAN;
        if (boot)
            mkba_bootstrap_ci(boot, n_boot, sim->n_outcomes, j, 0.95, &mc->boot_lo[j],
                              &mc->boot_hi[j]);
    }
    summarize_columns(sim, mc);
    if (!sim->item_pv && sim->items_regen)
        items_by_regeneration(sim, plan, mc);
    value_of_information(sim, plan, mc);
    return mc;
}

void mkba_mc_free(mkba_mc *mc)
{
    if (!mc)
        return;
    free(mc->npv);
    free(mc->pv_benefits);
    free(mc->pv_costs);
    free(mc->bcr);
    free(mc->items);
    for (size_t k = 0; k < mc->n_uncertain; k++)
        free(mc->uncertain_names[k]);
    free(mc->uncertain_names);
    free(mc->uncertain);
    free(mc->effects);
    free(mc->boot_lo);
    free(mc->boot_hi);
    free(mc->evppi);
    free(mc->p_best);
    free(mc->npv_cdf);
    free(mc->hist_lo);
    free(mc->hist_width);
    free(mc->hist);
    free(mc->fin);
    free(mc);
}
