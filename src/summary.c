/* summary.c - statistics of Monte Carlo draws. */
#include "mkba/summary.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* One 3-way partition of x[0..n) around p without a branch on the values
 * (random data defeats prediction): the values below p to the front of
 * tmp, those above it to its back, those equal to it to the front of x
 * (never ahead of the value read); then x is made [below][equal][above].
 * The end of 'below' into *l, the start of 'above' into *r. */
static void partition3(double *x, size_t n, double p, double *tmp, size_t *l, size_t *r)
{
    size_t lt = 0, gt = n, eq = 0;
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        size_t below = v < p, above = v > p;
        tmp[lt] = v;
        lt += below;
        tmp[gt - 1] = v; /* gt >= n - i >= 1 */
        gt -= above;
        x[eq] = v;
        eq += 1 - below - above;
    }
    memmove(x + lt, x, eq * sizeof *x);
    memcpy(x, tmp, lt * sizeof *x);
    memcpy(x + gt, tmp + gt, (n - gt) * sizeof *x);
    *l = lt;
    *r = gt;
}

static double median3(double a, double b, double c)
{
    return a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
}

/* select_ranks for x[0..n) at ranks ks[0..nk) - off; 'depth' partitions
 * more at most, then a sort (a bound on unlucky pivots). The ranks on
 * either side of a pivot share the partitions until they part, which for
 * the few ranks asked for is quicker than Floyd and Rivest's brackets
 * around each. */
static void select_in(double *x, size_t n, const size_t *ks, size_t nk, size_t off, double *tmp,
                      int depth)
{
    while (nk > 0) {
        if (n < 64 || depth-- == 0) {
            mkba_stats_sort(x, n);
            return;
        }
        size_t e = n / 8; /* the median of three medians of three */
        double p = median3(median3(x[0], x[e], x[2 * e]), median3(x[3 * e], x[4 * e], x[5 * e]),
                           median3(x[6 * e], x[7 * e], x[n - 1]));
        size_t l, r, a = 0, b;
        partition3(x, n, p, tmp, &l, &r);
        while (a < nk && ks[a] - off < l)
            a++;
        for (b = a; b < nk && ks[b] - off < r; b++) /* ranks in [l, r): p itself */
            ;
        if (b < nk)
            select_in(x + r, n - r, ks + b, nk - b, off + r, tmp, depth);
        n = l;
        nk = a;
    }
}

void mkba_stats_select_ranks(double *x, size_t n, const size_t *ks, size_t nk)
{
    if (nk == 0)
        return;
    double *tmp = n < 64 ? NULL : mkba_xreallocarray(NULL, n, sizeof *tmp);
    int depth = 8;
    for (size_t m = n; m > 1; m /= 2)
        depth += 2;
    select_in(x, n, ks, nk, 0, tmp, depth);
    free(tmp);
}

/* An unsigned key whose order is the order of x (finite or infinite; -0
 * before +0), and back. */
static uint64_t sort_key(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return (u >> 63) ? ~u : u | (UINT64_C(1) << 63);
}

static double key_value(uint64_t u)
{
    u = (u >> 63) ? u & ~(UINT64_C(1) << 63) : ~u;
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* An LSD radix sort of the keys in 11-bit digits, passes whose digit is
 * the same for every key skipped: several times faster than qsort on the
 * samples the streams sort (16,384 to 65,536 values). */
#define RADIX_BITS 11
#define RADIX (1u << RADIX_BITS)
#define RADIX_PASSES 6

void mkba_stats_sort(double *x, size_t n)
{
    if (n < 64) { /* insertion */
        for (size_t i = 1; i < n; i++)
            for (size_t j = i; j > 0 && x[j - 1] > x[j]; j--) {
                double t = x[j];
                x[j] = x[j - 1];
                x[j - 1] = t;
            }
        return;
    }
    uint64_t *a = mkba_xreallocarray(NULL, n, sizeof *a), *b = mkba_xreallocarray(NULL, n, sizeof *b);
    size_t *cnt = mkba_xcalloc((size_t)RADIX_PASSES * RADIX, sizeof *cnt);
    for (size_t i = 0; i < n; i++) {
        a[i] = sort_key(x[i]);
        for (int p = 0; p < RADIX_PASSES; p++)
            cnt[(size_t)p * RADIX + ((a[i] >> (p * RADIX_BITS)) & (RADIX - 1))]++;
    }
    for (int p = 0; p < RADIX_PASSES; p++) {
        size_t *c = cnt + (size_t)p * RADIX, sum = 0;
        int trivial = 0;
        for (size_t d = 0; d < RADIX; d++) {
            size_t k = c[d];
            trivial |= k == n;
            c[d] = sum;
            sum += k;
        }
        if (trivial)
            continue;
        for (size_t i = 0; i < n; i++)
            b[c[(a[i] >> (p * RADIX_BITS)) & (RADIX - 1)]++] = a[i];
        uint64_t *t = a;
        a = b;
        b = t;
    }
    for (size_t i = 0; i < n; i++)
        x[i] = key_value(a[i]);
    free(a);
    free(b);
    free(cnt);
}

/* Order statistics of keys by their leading digits (an MSD radix
 * select): the keys are counted in up to 2^ORDER_BITS buckets of their
 * range and put in order of bucket, and each bucket that holds a wanted
 * position is done the same way, down to ORDER_SMALL keys, which are
 * sorted. Each level narrows the range by the digit's bits, so
 * the work is a few passes over the keys whatever their spread (the
 * floating-point keys of a heavy tail, or of values of both signs, take a
 * level or two more). out[j] = the (pos[j] - base)-th smallest of
 * key[0..n); pos ascending. tmp: n keys; key is scratch after. The
 * frames take 8 KiB of stack each, at most 64 / 4 + 1 deep. */
#define ORDER_BITS 10
#define ORDER_SMALL 32

static void order_keys(uint64_t *key, uint64_t *tmp, size_t n, const size_t *pos, size_t npos,
                       size_t base, uint64_t *out)
{
    if (npos == 0)
        return;
    if (n <= ORDER_SMALL) {
        for (size_t i = 1; i < n; i++)
            for (size_t j = i; j > 0 && key[j - 1] > key[j]; j--) {
                uint64_t t = key[j];
                key[j] = key[j - 1];
                key[j - 1] = t;
            }
        for (size_t j = 0; j < npos; j++)
            out[j] = key[pos[j] - base];
        return;
    }
    uint64_t lo = key[0], hi = key[0];
    for (size_t i = 1; i < n; i++) {
        lo = key[i] < lo ? key[i] : lo;
        hi = key[i] > hi ? key[i] : hi;
    }
    if (lo == hi) {
        for (size_t j = 0; j < npos; j++)
            out[j] = lo;
        return;
    }
    unsigned bits = 4, width = 0, shift;
    while (bits < ORDER_BITS && ((size_t)16 << bits) <= n) /* some 8 to 16 keys a bucket */
        bits++;
    for (uint64_t r = hi - lo; r; r >>= 1)
        width++;
    shift = width > bits ? width - bits : 0;
    size_t nb = (size_t)((hi - lo) >> shift) + 1;
    uint32_t count[(1u << ORDER_BITS) + 1], at[1u << ORDER_BITS];
    memset(count, 0, nb * sizeof *count);
    for (size_t i = 0; i < n; i++)
        count[(key[i] - lo) >> shift]++;
    for (size_t b = 0, start = 0; b < nb; start += count[b++])
        at[b] = (uint32_t)start;
    for (size_t i = 0; i < n; i++)
        tmp[at[(key[i] - lo) >> shift]++] = key[i];
    for (size_t b = 0, start = 0, j = 0; b < nb && j < npos; start += count[b++]) {
        size_t k = j;
        while (k < npos && pos[k] - base < start + count[b])
            k++;
        if (k > j)
            order_keys(tmp + start, key + start, count[b], pos + j, k - j, base + start, out + j);
        j = k;
    }
}

void mkba_stats_order(const double *x, size_t n, const size_t *pos, size_t npos, double *out)
{
    if (npos == 0)
        return;
    if (n >= UINT32_MAX) { /* beyond the buckets' counters: a copy sorted */
        double *s = mkba_xreallocarray(NULL, n, sizeof *s);
        memcpy(s, x, n * sizeof *s);
        mkba_stats_sort(s, n);
        for (size_t j = 0; j < npos; j++)
            out[j] = s[pos[j]];
        free(s);
        return;
    }
    uint64_t *key = mkba_xreallocarray(NULL, 2 * n + npos, sizeof *key);
    uint64_t *tmp = key + n, *got = tmp + n;
    for (size_t i = 0; i < n; i++)
        key[i] = sort_key(x[i]);
    order_keys(key, tmp, n, pos, npos, 0, got);
    for (size_t j = 0; j < npos; j++)
        out[j] = key_value(got[j]);
    free(key);
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
    mkba_stats_sort(smp, QB_SAMPLE);
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
    if (n < 64) { /* small: sort and read off, as GSL does */
        mkba_stats_sort(x, n);
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

/* Four running sums of x[i] * scale - shift over x[0..n) (values grouped by
 * four into lanes 0..3, the last n % 4 into lane 0), and of their squares
 * when sq is not NULL. */
static inline void lane_sums(const double *x, size_t n, double scale, double shift, double *sum,
                             double *sq)
{
    double s[4] = {0, 0, 0, 0}, q[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; j++) {
            double d = x[i + j] * scale - shift;
            s[j] += d;
            q[j] += d * d;
        }
    for (; i < n; i++) {
        double d = x[i] * scale - shift;
        s[0] += d;
        q[0] += d * d;
    }
    *sum = (s[0] + s[1]) + (s[2] + s[3]);
    if (sq)
        *sq = (q[0] + q[1]) + (q[2] + q[3]);
}

/* Mean and variance (n - 1) of x[i] * scale from the deviations d from a
 * shift K, the mean of the first MKBA_STREAM_SAMPLE values (all of them
 * when there are no more): mean = K + sum d / n, var = (sum d^2 - sum d
 * (sum d / n)) / (n - 1). With K the mean this is the corrected two-pass
 * algorithm (Chan, Golub & LeVeque 1983); with K the mean of a sample of
 * 16,384 draws, K is within about SD / 128 of the mean and the correction
 * stays as small, and the sums of the deviations, being small, carry far
 * less rounding than a sum of the values would (a constant column's mean
 * is its value). The sums need no pass after the first, so a stream
 * (stream.h) gets the same bits without holding the column. Four running
 * sums in a fixed order: the same bits every time. With scale 1 the
 * product is x[i] itself (exact). A variance that is not finite stays so
 * (fmax would make -inf 0): the caller rescales. */
static inline void centred_sums(const double *x, size_t n, double scale, double *mean,
                                double *var)
{
    double head, sum1, sum2;
    size_t h = n < MKBA_STREAM_SAMPLE ? n : MKBA_STREAM_SAMPLE;
    lane_sums(x, h, scale, 0, &head, NULL);
    double shift = head / (double)h;
    lane_sums(x, n, scale, shift, &sum1, &sum2);
    double v = (sum2 - sum1 * (sum1 / (double)n)) / (double)(n - 1);
    *mean = shift + sum1 / (double)n;
    *var = isfinite(v) ? fmax(0, v) : v;
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
    out->p5 = mkba_stats_zero(out->p5);
    out->p50 = mkba_stats_zero(out->p50);
    out->p95 = mkba_stats_zero(out->p95);
    out->p_positive = (double)n_positive / (double)m;
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

/* x rounded to 6 significant digits: a statistic of values kept as floats
 * (7 digits), which would show their rounding (0.2 as 0.20000000298). */
static double float_digits(double x)
{
    if (!isfinite(x) || x == 0)
        return x;
    double scale = pow(10, 5 - floor(log10(fabs(x))));
    return isfinite(scale) && isfinite(x * scale) ? round(x * scale) / scale : x;
}

/* ------------------------------------------------------------- passes
 * Every statistic is a stream (stream.h, voi.h) fed the run's draws in
 * draw order, some blocks of draws at a time, in as many passes as the
 * streams ask for; a stream's result does not depend on how its values
 * are cut into pieces. The draws come from the run's memory where it kept
 * them, or are made again (sim.h: the draws are reproducible block by
 * block), so the results are the same bits whether the run kept its
 * columns or none (mkba_mc_stream), and on any number of threads: in one
 * process the threads feed each column's streams its units in turn (the
 * wave, below). Over several processes (mkba_mc_ranks) each takes a fixed
 * share of the tasks and of the chunks of CHUNK draws to make, and gets
 * the columns of its tasks from every chunk's maker, in draw order as
 * well: the same bits again, whatever the number of processes. */
#define CHUNK MKBA_MC_CHUNK
_Static_assert(CHUNK % MKBA_SIM_BLOCK == 0, "a chunk is whole blocks of draws");

enum { T_HOLDER, T_FIN, T_ITEM, T_INPUT, T_KINDS };
enum { H_B, H_C, H_NPV, H_BCR, H_N };

typedef struct holder_st {      /* a stakeholder column: PVs, NPV, B/C, and society's shape */
    mkba_stream *st[H_N];
    int active[H_N];
    int some_undefined;         /* a draw with finite PVs and no B/C ratio */
    mkba_shape *shape;          /* society: its NPV's quantiles and histogram */
    int shape_active;
    double *npv;                /* society with MKBA_SIM_SHAPE_KEEP: its NPV per draw */
} holder_st;

typedef struct input_st {       /* an input: its statistics and its EVPPI */
    mkba_stream *st;
    int active;
    mkba_voi_groups *g;         /* NULL: no EVPPI */
} input_st;

/* The columns of draws [first, first + n) of the run: where each column's
 * values of the chunk start (NULL: not loaded in this pass). */
typedef struct chunk {
    size_t first, n;
    const double **b, **c;      /* [cols] stakeholder columns (mkba_sim_col order) */
    const float **irr;          /* [cols] */
    const double **items;       /* [(S - 1) * I] */
    const double **in;          /* [n_in] the uncertain quantities, then the effects */
    const double *nb;           /* [P][n_kept] society's NPV of each project, kept draws */
    const size_t *kept;         /* [n_kept] the kept draws' offsets; NULL: all n */
    size_t n_kept;
} chunk;

typedef struct pass_job {
    const mkba_sim *sim;
    const mkba_plan *plan;
    mkba_mc *mc;
    size_t cols, P, n_in;
    size_t first[T_KINDS + 1];  /* tasks [first[k], first[k + 1]) are of kind k */
    holder_st *h;               /* [cols] */
    mkba_stream **irr;          /* [cols] or NULL */
    mkba_stream **item;         /* [(S - 1) * I] */
    input_st *in;               /* [n_in] */
    int *fin_active, *item_active;
    int with_voi;               /* value of information in pass 1 (a project to choose) */
    mkba_voi_sums *voi;         /* its sums; NULL: none, or another process's */
    int pass;
    chunk ch;                   /* what the tasks read */
    double **buf;               /* [threads] CHUNK doubles each, made when first used */
    const mkba_mc_ranks *ranks; /* the processes sharing the tasks; NULL: this one alone */
    int *owner;                 /* [tasks] each task's process; NULL: all this one's */
    unsigned char *wants;       /* [tasks] a task (any process's) needs its columns this pass */
    unsigned char *nb_to;       /* [processes] a process gets society's NPV this pass */
    size_t *run, n_run;         /* this process's tasks that need their columns this pass */
} pass_job;

static int task_kind(const pass_job *j, size_t task)
{
    int kind = 0;
    while (task >= j->first[kind + 1])
        kind++;
    return kind;
}

static int mine(const pass_job *j, size_t task)
{
    return !j->owner || j->owner[task] == j->ranks->rank;
}

/* Stakeholder column c (mkba_sim_col numbering) of chunk ch. */
static void holder_feed(pass_job *j, const chunk *ch, size_t c, double *buf)
{
    holder_st *h = &j->h[c];
    size_t n = ch->n; /* project columns are the run's columns, in order */
    const double *b = ch->b[c], *co = ch->c[c];
    if (h->active[H_B])
        mkba_stream_add(h->st[H_B], b, n);
    if (h->active[H_C])
        mkba_stream_add(h->st[H_C], co, n);
    if (h->active[H_NPV] || h->shape_active) {
        for (size_t i = 0; i < n; i++)
            buf[i] = mkba_npv(b[i], co[i]); /* an infinite one is left out */
        if (h->active[H_NPV])
            mkba_stream_add(h->st[H_NPV], buf, n);
        if (h->npv)
            memcpy(h->npv + ch->first, buf, n * sizeof *buf);
        else if (h->shape_active)
            mkba_shape_add(h->shape, buf, n);
    }
    if (h->active[H_BCR]) {
        /* The B/C over the draws (appraisal.h, mkba_bcr: only where both
         * present values are positive). */
        for (size_t i = 0; i < n; i++) {
            buf[i] = mkba_bcr(b[i], co[i]);
            h->some_undefined |= isnan(buf[i]) && isfinite(b[i]) && isfinite(co[i]);
        }
        mkba_stream_add(h->st[H_BCR], buf, n);
    }
}

/* Input k of chunk ch: its statistics and, in pass 1, its EVPPI groups. */
static void input_feed(pass_job *j, const chunk *ch, size_t k, double *buf)
{
    input_st *x = &j->in[k];
    const double *col = ch->in[k];
    if (x->active)
        mkba_stream_add(x->st, col, ch->n);
    if (j->pass != 1 || !x->g)
        return;
    const double *theta = col;
    if (ch->kept) {
        for (size_t i = 0; i < ch->n_kept; i++)
            buf[i] = col[ch->kept[i]];
        theta = buf;
    }
    mkba_voi_groups_add(x->g, theta, ch->nb, ch->n_kept, ch->n_kept);
}

/* Task 'task' of the pass fed chunk ch; buf: room for CHUNK doubles. */
static void task_feed(pass_job *j, const chunk *ch, size_t task, double *buf)
{
    int kind = task_kind(j, task);
    size_t i = task - j->first[kind];
    switch (kind) {
    case T_HOLDER:
        holder_feed(j, ch, i, buf);
        break;
    case T_FIN:
        if (j->fin_active[i]) {
            const float *f = ch->irr[i];
            for (size_t d = 0; d < ch->n; d++)
                buf[d] = f[d]; /* NaN where none: left out */
            mkba_stream_add(j->irr[i], buf, ch->n);
        }
        break;
    case T_ITEM:
        if (j->item_active[i])
            mkba_stream_add(j->item[i], ch->items[i], ch->n);
        break;
    default:
        input_feed(j, ch, i, buf);
        break;
    }
}

/* This thread's room for task_feed. */
static double *thread_buf(pass_job *j, size_t thread)
{
    if (!j->buf[thread])
        j->buf[thread] = mkba_xcalloc_own(CHUNK + 1, sizeof(double));
    return j->buf[thread];
}

/* This process's r-th task of the pass, on chunk j->ch. */
static void pass_task(void *ctx, size_t r, size_t thread)
{
    pass_job *j = ctx;
    task_feed(j, &j->ch, j->run[r], thread_buf(j, thread));
}
/* What the current pass needs of each kind of column. */
typedef struct needs {
    int bc, items, inputs;
} needs;

/* Whether task t (this process's) needs its columns in the current pass. */
static int task_wants(const pass_job *j, size_t t)
{
    int kind = task_kind(j, t);
    size_t i = t - j->first[kind];
    if (kind == T_HOLDER) {
        const holder_st *h = &j->h[i];
        return h->active[H_B] | h->active[H_C] | h->active[H_NPV] | h->active[H_BCR] |
               (h->shape_active && !h->npv);
    }
    if (kind == T_FIN)
        return j->fin_active[i];
    if (kind == T_ITEM)
        return j->item_active[i];
    return j->in[i].active | (j->pass == 1 && j->in[i].g != NULL);
}

/* What the current pass needs, agreed by every process (each says which of
 * its tasks need their columns), and this process's tasks of it (j->run);
 * 0 when no task needs another pass. */
static int pass_needs(pass_job *j, needs *w)
{
    size_t T = j->first[T_KINDS];
    for (size_t t = 0; t < T; t++)
        j->wants[t] = mine(j, t) && task_wants(j, t);
    if (j->ranks)
        j->ranks->reduce(j->ranks->ctx, j->wants, T, MKBA_MC_OR);
    *w = (needs){0, 0, 0};
    j->n_run = 0;
    for (size_t t = 0; t < T; t++) {
        if (!j->wants[t])
            continue;
        int kind = task_kind(j, t);
        w->bc |= kind == T_HOLDER || kind == T_FIN;
        w->items |= kind == T_ITEM;
        w->inputs |= kind == T_INPUT;
        if (mine(j, t))
            j->run[j->n_run++] = t;
    }
    /* society's NPV for the value of information: to its sums (process 0)
     * and to the processes of the inputs' groups */
    int voi = j->pass == 1 && j->with_voi;
    w->bc |= voi;
    for (int q = 0; j->ranks && q < j->ranks->size; q++)
        j->nb_to[q] = voi && q == 0;
    for (size_t t = j->first[T_INPUT]; j->ranks && voi && t < T; t++)
        j->nb_to[j->owner[t]] |= j->wants[t];
    return w->bc || w->items || w->inputs;
}

/* Scratch for a chunk's columns that are made again. */
typedef struct chunk_mem {
    mkba_sim *part;             /* the chunk's draws evaluated again */
    double *in;                 /* [n_in][CHUNK] the inputs made again */
    double *nb;                 /* [P][CHUNK] */
    size_t *kept;               /* [CHUNK] */
    size_t n_nonfinite;
    size_t *payback, *irr_count; /* summed over the chunks of pass 1 (columns made again) */
} chunk_mem;

/* The run's options for draws [first, first + n) of it. */
static mkba_sim_opts chunk_opts(const mkba_sim *sim, size_t first, size_t n)
{
    mkba_sim_opts o = sim->opts;
    o.first_block += first / MKBA_SIM_BLOCK;
    o.draws = n;
    o.progress = NULL;
    o.progress_ctx = NULL;
    return o;
}

typedef struct inputs_job {
    const mkba_sim *sim;
    const mkba_plan *plan;
    size_t first, n, n_in, parts;
    double *out;                /* [n_in][n] */
} inputs_job;

/* Part t of a chunk's inputs: whole blocks, so each part's draws are the
 * run's (mkba_sim_inputs replays each block's stream). */
static void inputs_task(void *ctx, size_t t, size_t thread)
{
    const inputs_job *j = ctx;
    (void)thread;
    size_t blocks = (j->n + MKBA_SIM_BLOCK - 1) / MKBA_SIM_BLOCK;
    size_t b0 = blocks * t / j->parts, b1 = blocks * (t + 1) / j->parts;
    size_t d0 = b0 * MKBA_SIM_BLOCK, d1 = b1 * MKBA_SIM_BLOCK < j->n ? b1 * MKBA_SIM_BLOCK : j->n;
    if (d1 <= d0)
        return;
    mkba_sim_opts o = chunk_opts(j->sim, j->first + d0, d1 - d0);
    mkba_sim_inputs *g = mkba_sim_inputs_alloc(j->plan, &o);
    mkba_sim_inputs_all(g, j->out + d0, j->n); /* each input drawn once, in place */
    mkba_sim_inputs_free(g);
}

/* The options of the chunks a pass makes again (their draws' first block
 * and number aside), or 0 when the pass makes none: the columns it needs
 * that the run did not keep. */
static int part_template(const pass_job *j, needs w, mkba_sim_opts *o)
{
    const mkba_sim *sim = j->sim;
    int bc_kept = sim->pv_benefits != NULL, items_kept = sim->item_pv != NULL;
    if (!((w.bc && !bc_kept) || (w.items && !items_kept)))
        return 0;
    *o = chunk_opts(sim, 0, 0);
    o->keep_items = w.items && !items_kept ? MKBA_SIM_ITEMS_KEEP : MKBA_SIM_ITEMS_NONE;
    /* the inputs come with the draws made again, else on their own */
    o->keep_uncertain = w.inputs && !sim->uncertain ? MKBA_SIM_INPUTS_KEEP : MKBA_SIM_INPUTS_NONE;
    o->keep_finance = !bc_kept && sim->opts.keep_finance;
    return 1;
}

/* Set ch to draws [first, first + n): from the run's memory, or made
 * again (on 'threads' threads) in cm, as the pass needs them. */
static void chunk_load(pass_job *j, chunk_mem *cm, chunk *ch, size_t first, size_t n, needs w,
                       const mkba_sim_opts *part, int threads)
{
    const mkba_sim *sim = j->sim;
    size_t D = sim->draws, items = j->first[T_ITEM + 1] - j->first[T_ITEM];
    ch->first = first, ch->n = n;
    ch->nb = NULL, ch->kept = NULL, ch->n_kept = 0;
    int bc_kept = sim->pv_benefits != NULL, items_kept = sim->item_pv != NULL;
    int in_kept = sim->uncertain != NULL;
    mkba_sim_opts o = part ? *part : (mkba_sim_opts){.draws = 0};
    o.first_block += first / MKBA_SIM_BLOCK;
    o.draws = n;
    o.threads = threads;
    if (part) { /* in the last chunk's memory */
        mkba_error err;
        mkba_error_clear(&err);
        cm->part = mkba_sim_run_reuse(j->plan, &o, cm->part, &err); /* the run's options: valid */
    } else {
        mkba_sim_free(cm->part);
        cm->part = NULL;
    }
    const mkba_sim *bc = bc_kept ? sim : cm->part;
    size_t off = bc_kept ? first : 0, stride = bc_kept ? D : n;
    for (size_t c = 0; c < j->cols; c++) {
        ch->b[c] = w.bc ? bc->pv_benefits + c * stride + off : NULL;
        ch->c[c] = w.bc ? bc->pv_costs + c * stride + off : NULL;
        ch->irr[c] = w.bc && bc->irr ? bc->irr + c * stride + off : NULL;
    }
    const double *item0 = !w.items ? NULL : items_kept ? sim->item_pv + first : cm->part->item_pv;
    stride = items_kept ? D : n;
    for (size_t i = 0; i < items; i++)
        ch->items[i] = item0 ? item0 + i * stride : NULL;
    const double *unc = NULL, *eff = NULL;
    if (w.inputs) {
        const mkba_sim *src = in_kept ? sim : cm->part && cm->part->uncertain ? cm->part : NULL;
        if (src) {
            unc = src->uncertain + (in_kept ? first : 0);
            eff = src->effects + (in_kept ? first : 0);
            stride = in_kept ? D : n;
        } else {
            inputs_job ij = {.sim = sim, .plan = j->plan, .first = first, .n = n,
                             .n_in = j->n_in, .out = cm->in,
                             .parts = threads > 1 ? (size_t)threads : 1};
            mkba_stream_parallel(ij.parts, (int)ij.parts, inputs_task, &ij);
            unc = cm->in;
            eff = cm->in + sim->n_uncertain * n;
            stride = n;
        }
    }
    for (size_t k = 0, U = sim->n_uncertain; k < j->n_in; k++)
        ch->in[k] = !unc ? NULL : k < U ? unc + k * stride : eff + (k - U) * stride;
}

/* Pass 1 of the value of information: society's NPV of each project in
 * the chunk's draws where all are finite (the others are left out). */
static void chunk_nb(pass_job *j, chunk_mem *cm, chunk *ch)
{
    size_t P = j->P, K = j->sim->n_stakeholders, n = ch->n, m = 0;
    for (size_t i = 0; i < n; i++) {
        int ok = 1;
        for (size_t s = 1; s <= P; s++) {
            size_t c = mkba_sim_col(j->sim, s, K);
            ok &= isfinite(ch->b[c][i] - ch->c[c][i]);
        }
        if (ok)
            cm->kept[m++] = i;
    }
    for (size_t s = 1; s <= P; s++) {
        const double *b = ch->b[mkba_sim_col(j->sim, s, K)];
        const double *c = ch->c[mkba_sim_col(j->sim, s, K)];
        for (size_t i = 0; i < m; i++)
            cm->nb[(s - 1) * m + i] = mkba_npv(b[cm->kept[i]], c[cm->kept[i]]);
    }
    ch->nb = cm->nb;
    ch->n_kept = m;
    ch->kept = m < n ? cm->kept : NULL;
}

/* The run's payback and IRR counts and its non-finite draws, from a chunk
 * made again (the run kept none). */
static void chunk_counts(const pass_job *j, chunk_mem *cm)
{
    const mkba_sim *part = cm->part;
    if (!part || j->sim->pv_benefits)
        return;
    cm->n_nonfinite += part->n_nonfinite;
    if (!part->irr)
        return;
    for (size_t i = 0; i < j->cols * MKBA_FIN_PAYBACK_N; i++)
        cm->payback[i] += part->payback_count[i];
    for (size_t i = 0; i < j->cols * MKBA_FIN_IRR_N; i++)
        cm->irr_count[i] += part->irr_count[i];
}

/* The end of a pass for this process's r-th task of it: a stream that is
 * done leaves the job. */
static void end_task(void *ctx, size_t r, size_t thread)
{
    pass_job *j = ctx;
    (void)thread;
    mkba_mc *mc = j->mc;
    size_t K = j->sim->n_stakeholders, U = j->sim->n_uncertain, task = j->run[r];
    int kind = task_kind(j, task);
    size_t i = task - j->first[kind], m = K + 1 + i; /* mc's numbering: scenario 0 unused */
    if (kind == T_HOLDER) {
        holder_st *h = &j->h[i];
        mkba_stats *out[H_N] = {&mc->pv_benefits[m], &mc->pv_costs[m], &mc->npv[m], &mc->bcr[m]};
        for (int k = 0; k < H_N; k++)
            if (h->active[k] && !mkba_stream_end(h->st[k], out[k]))
                h->active[k] = 0;
        if (h->shape_active) {
            size_t s = m / (K + 1);
            double *q = mc->npv_cdf + s * MKBA_MC_CDF, *hist_lo = &mc->hist_lo[s],
                   *hist_width = &mc->hist_width[s];
            size_t *hist = mc->hist + s * MKBA_MC_BINS;
            if (h->npv) { /* kept in pass 1 */
                mkba_shape_whole(h->shape, h->npv, j->sim->draws, q, hist_lo, hist_width, hist);
                h->shape_active = 0;
            } else {
                h->shape_active = mkba_shape_end(h->shape, q, hist_lo, hist_width, hist);
            }
        }
    } else if (kind == T_FIN) {
        if (j->fin_active[i] && !mkba_stream_end(j->irr[i], &mc->fin[m].irr))
            j->fin_active[i] = 0;
    } else if (kind == T_ITEM) {
        if (j->item_active[i] && !mkba_stream_end(j->item[i], &mc->items[mc->n_items + i]))
            j->item_active[i] = 0;
    } else if (j->in[i].active &&
               !mkba_stream_end(j->in[i].st, i < U ? &mc->uncertain[i] : &mc->effects[i - U])) {
        j->in[i].active = 0;
    }
}

/* End a pass: each column's streams on the threads (society's shape, a
 * sort of its kept NPVs, first). */
static void pass_end(pass_job *j)
{
    int threads = j->sim->threads > 0 ? j->sim->threads : 1;
    mkba_stream_parallel(j->n_run, threads, end_task, j);
}

/* After pass 1: the value of information from the sums (process 0's),
 * and from the groups given the sums' result (each input's process). */
static void voi_end(pass_job *j)
{
    mkba_mc *mc = j->mc;
    size_t P = j->P;
    struct {
        mkba_voi v;
        uint64_t ok;
    } r; /* all bytes set: or-ed over the processes, where only one set them */
    memset(&r, 0, sizeof r);
    mkba_error err;
    mkba_error_clear(&err);
    if (j->voi) {
        double *p_top = mkba_xcalloc(P + 1, sizeof *p_top);
        size_t n = mkba_voi_sums_count(j->voi);
        mc->voi_draws = n;
        r.ok = n > 0 && !mkba_voi_sums_end(j->voi, &r.v, p_top, &err);
        if (n > 0) { /* p_top[P] is the reference's */
            mc->p_best[0] = p_top[P];
            for (size_t s = 0; s < P; s++)
                mc->p_best[s + 1] = p_top[s];
        }
        if (r.ok) {
            mc->evpi = r.v.evpi;
            mc->best = r.v.best == P ? 0 : r.v.best + 1;
        }
        free(p_top);
    }
    if (j->ranks)
        j->ranks->reduce(j->ranks->ctx, &r, sizeof r, MKBA_MC_OR);
    for (size_t k = 0; k < j->n_in; k++) {
        double e;
        if (r.ok && j->in[k].g && !mkba_voi_groups_end(j->in[k].g, &r.v, &e, &err))
            mc->evppi[k] = e;
        mkba_voi_groups_free(j->in[k].g);
        j->in[k].g = NULL;
    }
}

/* Each process's tasks (ranks): the tasks in order cut into ranges of about
 * equal cost per chunk, process r taking range r. The costs are about
 * those measured per column (in halves of an item's statistic): a
 * stakeholder's four statistics 10 (society's shape 2 more), an IRR's
 * statistic 1 (floats, most of them no IRR), an item's 2, an input's 2
 * and its value of information groups about 1 + P (P projects). */
static void share_tasks(pass_job *j, int shape)
{
    size_t T = j->first[T_KINDS], total = 0, before = 0, K = j->sim->n_stakeholders;
    size_t *cost = mkba_xcalloc(T + 1, sizeof *cost);
    for (size_t t = 0; t < T; t++) {
        int kind = task_kind(j, t);
        size_t i = t - j->first[kind];
        size_t society_shape = i % (K + 1) == K && shape != MKBA_SIM_SHAPE_NONE;
        cost[t] = kind == T_HOLDER  ? 10 + 2 * society_shape
                  : kind == T_FIN   ? 1
                  : kind == T_ITEM  ? 2
                                    : 2 + (j->with_voi ? 1 + j->P : 0);
        total += cost[t];
    }
    size_t ranks = (size_t)j->ranks->size;
    j->owner = mkba_xcalloc(T + 1, sizeof *j->owner);
    for (size_t t = 0; t < T; t++) { /* the range of the middle of its cost */
        j->owner[t] = (int)((2 * before + cost[t]) * ranks / (2 * total));
        before += cost[t];
    }
    free(cost);
}

static void chunk_alloc(chunk *ch, const pass_job *j)
{
    size_t items = j->first[T_ITEM + 1] - j->first[T_ITEM];
    ch->b = mkba_xcalloc_own(j->cols + 1, sizeof *ch->b);
    ch->c = mkba_xcalloc_own(j->cols + 1, sizeof *ch->c);
    ch->irr = mkba_xcalloc_own(j->cols + 1, sizeof *ch->irr);
    ch->items = mkba_xcalloc_own(items + 1, sizeof *ch->items);
    ch->in = mkba_xcalloc_own(j->n_in + 1, sizeof *ch->in);
}

static void chunk_free(chunk *ch)
{
    free(ch->b);
    free(ch->c);
    free(ch->irr);
    free(ch->items);
    free(ch->in);
}

/* Set up the streams of every column of 'sim' (its columns kept or not)
 * that is this process's (ranks: its share of the tasks). */
static void job_init(pass_job *j, const mkba_sim *sim, const mkba_plan *plan, mkba_mc *mc,
                     const mkba_mc_ranks *ranks)
{
    size_t S = sim->n_scenarios, K = sim->n_stakeholders;
    *j = (pass_job){.sim = sim, .plan = plan, .mc = mc, .cols = (S - 1) * (K + 1), .P = S - 1,
                    .with_voi = S > 1, .ranks = ranks};
    int with_inputs = sim->uncertain || sim->inputs_regen || !sim->pv_benefits;
    j->n_in = with_inputs ? sim->n_uncertain + sim->n_outcomes : 0;
    int fin = sim->pv_benefits ? sim->irr != NULL : sim->opts.keep_finance;
    size_t items = sim->item_pv || sim->items_regen || !sim->pv_benefits ? (S - 1) * sim->n_items : 0;
    size_t n[T_KINDS] = {j->cols, fin ? j->cols : 0, items, j->n_in};
    for (int k = 0; k < T_KINDS; k++)
        j->first[k + 1] = j->first[k] + n[k];
    int shape = sim->pv_benefits ? MKBA_SIM_SHAPE_PASS : sim->opts.shape; /* kept: in memory */
    if (ranks && j->first[T_KINDS] > 0)
        share_tasks(j, shape);
    j->h = mkba_xcalloc_own(j->cols + 1, sizeof *j->h);
    for (size_t c = 0; c < j->cols; c++) {
        if (!mine(j, j->first[T_HOLDER] + c))
            continue;
        for (int k = 0; k < H_N; k++) {
            j->h[c].st[k] = mkba_stream_alloc();
            j->h[c].active[k] = 1;
        }
        if (c % (K + 1) == K && shape != MKBA_SIM_SHAPE_NONE) {
            j->h[c].shape = mkba_shape_alloc(MKBA_MC_CDF, MKBA_MC_BINS);
            j->h[c].shape_active = 1;
            if (shape == MKBA_SIM_SHAPE_KEEP)
                j->h[c].npv = mkba_xreallocarray(NULL, sim->draws, sizeof *j->h[c].npv);
        }
    }
    j->fin_active = mkba_xcalloc(j->cols + 1, sizeof *j->fin_active);
    if (fin) {
        j->irr = mkba_xcalloc(j->cols + 1, sizeof *j->irr);
        for (size_t c = 0; c < j->cols; c++)
            if (mine(j, j->first[T_FIN] + c)) {
                j->irr[c] = mkba_stream_alloc();
                j->fin_active[c] = 1;
            }
    }
    j->item = mkba_xcalloc(items + 1, sizeof *j->item);
    j->item_active = mkba_xcalloc(items + 1, sizeof *j->item_active);
    for (size_t i = 0; i < items; i++)
        if (mine(j, j->first[T_ITEM] + i)) {
            j->item[i] = mkba_stream_alloc();
            j->item_active[i] = 1;
        }
    if (j->with_voi && (!ranks || ranks->rank == 0))
        j->voi = mkba_voi_sums_alloc(j->P, 1);
    j->in = mkba_xcalloc(j->n_in + 1, sizeof *j->in);
    for (size_t k = 0; k < j->n_in; k++)
        if (mine(j, j->first[T_INPUT] + k)) {
            j->in[k].st = mkba_stream_alloc();
            j->in[k].active = 1;
            if (j->with_voi)
                j->in[k].g = mkba_voi_groups_alloc(j->P, 1, 0, MKBA_VOI_SAMPLE, MKBA_VOI_VALUES);
        }
    int threads = sim->threads > 0 ? sim->threads : 1;
    j->buf = mkba_xcalloc((size_t)threads, sizeof *j->buf);
    chunk_alloc(&j->ch, j);
    j->wants = mkba_xcalloc(j->first[T_KINDS] + 1, 1);
    j->run = mkba_xcalloc(j->first[T_KINDS] + 1, sizeof *j->run);
    j->nb_to = mkba_xcalloc(ranks ? (size_t)ranks->size : 1, 1);
}

static void job_free(pass_job *j)
{
    int threads = j->sim->threads > 0 ? j->sim->threads : 1;
    for (int t = 0; t < threads; t++)
        free(j->buf[t]);
    free(j->buf);
    for (size_t c = 0; c < j->cols; c++) {
        for (int k = 0; k < H_N; k++)
            mkba_stream_free(j->h[c].st[k]);
        mkba_shape_free(j->h[c].shape);
        free(j->h[c].npv);
        if (j->irr)
            mkba_stream_free(j->irr[c]);
    }
    free(j->h);
    free(j->irr);
    free(j->fin_active);
    for (size_t i = 0; i < j->first[T_ITEM + 1] - j->first[T_ITEM]; i++)
        mkba_stream_free(j->item[i]);
    free(j->item);
    free(j->item_active);
    for (size_t k = 0; k < j->n_in; k++) {
        mkba_stream_free(j->in[k].st);
        mkba_voi_groups_free(j->in[k].g);
    }
    free(j->in);
    mkba_voi_sums_free(j->voi);
    chunk_free(&j->ch);
    free(j->wants);
    free(j->run);
    free(j->nb_to);
    free(j->owner);
}

/* The finance of each column: the counts (the run's, or summed over pass
 * 1's chunks) and its IRR's statistics to 6 digits. */
static void finance_end(pass_job *j, const size_t *payback, const size_t *irr_count)
{
    size_t K = j->sim->n_stakeholders, D = j->sim->draws;
    for (size_t c = 0; c < j->cols; c++) {
        mkba_mc_fin *f = &j->mc->fin[K + 1 + c];
        memcpy(f->payback, payback + c * MKBA_FIN_PAYBACK_N, sizeof f->payback);
        memcpy(f->irr_status, irr_count + c * MKBA_FIN_IRR_N, sizeof f->irr_status);
        size_t with_flows = D - f->payback[MKBA_FIN_NO_FLOWS] - f->payback[MKBA_FIN_UNDEFINED];
        f->p_payback = with_flows ? (double)f->payback[MKBA_FIN_PAID] / (double)with_flows : NAN;
        double *v[] = {&f->irr.mean, &f->irr.sd, &f->irr.p5, &f->irr.p50, &f->irr.p95};
        for (int i = 0; i < 5; i++)
            *v[i] = float_digits(*v[i]);
        f->irr_share = D ? (double)f->irr.n / (double)D : NAN;
    }
}


/* Where a pass's progress goes; the chunks' tasks run on 'threads'. */
typedef struct feed {
    int threads;
    mkba_sim_progress_fn progress;
    void *ctx;
    double shown;
    size_t total;
} feed;

/* Show the progress of a pass through draw 'done' of it, at most about ten
 * times a second. */
static void feed_progress(pass_job *j, feed *f, size_t done)
{
    if (f->progress && mkba_stream_seconds() - f->shown >= 0.1) {
        done += (size_t)(j->pass - 1) * j->sim->draws;
        f->progress(f->ctx, done < f->total ? done : f->total - 1, f->total);
        f->shown = mkba_stream_seconds();
    }
}

/* This process's tasks of the pass fed chunk j->ch. */
static void feed_chunk(pass_job *j, feed *f)
{
    mkba_stream_parallel(j->n_run, f->threads, pass_task, j);
    feed_progress(j, f, j->ch.first + j->ch.n);
}

/* Room in cm for a chunk of n draws made again. */
static void chunk_mem_init(chunk_mem *cm, const pass_job *j, size_t n)
{
    *cm = (chunk_mem){.in = mkba_xcalloc_own(j->n_in * n + 1, sizeof *cm->in),
                      .nb = mkba_xcalloc_own(j->P * n + 1, sizeof *cm->nb),
                      .kept = mkba_xcalloc_own(n + 1, sizeof *cm->kept),
                      .payback = mkba_xcalloc_own(j->cols * MKBA_FIN_PAYBACK_N + 1, sizeof *cm->payback),
                      .irr_count = mkba_xcalloc_own(j->cols * MKBA_FIN_IRR_N + 1, sizeof *cm->irr_count)};
}

static void chunk_mem_fini(chunk_mem *cm)
{
    mkba_sim_free(cm->part);
    free(cm->in);
    free(cm->nb);
    free(cm->kept);
    free(cm->payback);
    free(cm->irr_count);
}

/* ------------------------------------------ a pass in one process: the wave
 * The draws are cut into units of whole blocks, small enough that a unit's
 * columns stay in a core's cache (UNIT_BYTES). A thread takes the next
 * unit, makes it (or finds it in the run's memory) and feeds it to every
 * task of the pass itself, so that no column's values move from the core
 * that made them to another: with a chunk's blocks made on every thread and
 * its columns fed on every thread, half of what a task read with 2
 * threads came from the other core, and 2 threads took 12% more processor
 * time than 1. A task still takes the units in draw order: a task is fed
 * unit u once it has been fed unit u - 1 (fed[r]), the ready tasks first,
 * so the threads follow one another through the tasks. A thread with
 * nothing of its own ready makes its next unit (it holds up to LANES), or
 * else feeds another thread's unit to a ready task (those values come
 * from the other core, but the thread would only wait). Units are taken
 * in order, and the tasks of the oldest unit not yet fed to every task
 * are ready: no deadlock, however few threads the runner gives. */
#define UNIT_BYTES ((size_t)1 << 20)

/* A unit a thread holds: made or loaded, and being fed. */
typedef struct lane {
    chunk_mem cm;               /* the unit made again */
    chunk ch;                   /* the unit */
    atomic_size_t done;         /* slots fed it */
} lane;

#define LANES 2 /* units a thread holds at most */

typedef struct wave {
    pass_job *j;
    needs w;
    const mkba_sim_opts *part;
    feed *f;
    size_t unit, n_units;       /* draws a unit; units */
    size_t n_slots;             /* the tasks of j->run, then (pass 1) the value of information's
                                   sums */
    atomic_size_t next;         /* the next unit to take */
    atomic_size_t *fed;         /* [n_slots] units fed to each slot */
    atomic_int *claim;          /* [n_slots] 1: a thread feeds the slot */
    size_t ring;                /* units held at most: threads * LANES */
    atomic_size_t *ring_u;      /* [ring] u + 1 when unit u (at u % ring) is ready to feed */
    lane **ring_lane;           /* [ring] its lane (set before ring_u) */
    atomic_size_t *ring_owner;  /* [ring] the thread that holds it */
    lane *lanes;                /* [threads][LANES] */
} wave;

/* Draws in a unit: whole blocks, as many as keep the columns the pass reads
 * within UNIT_BYTES, at most a chunk. */
static size_t unit_draws(const pass_job *j, needs w)
{
    size_t items = j->first[T_ITEM + 1] - j->first[T_ITEM];
    size_t per_draw = sizeof(double) * (2 * j->cols + j->P + (w.items ? items : 0) +
                                        (w.inputs ? j->n_in : 0)) +
                      sizeof(float) * j->cols + sizeof(size_t);
    size_t blocks = UNIT_BYTES / (per_draw * MKBA_SIM_BLOCK);
    if (blocks > CHUNK / MKBA_SIM_BLOCK)
        blocks = CHUNK / MKBA_SIM_BLOCK;
    return (blocks ? blocks : 1) * MKBA_SIM_BLOCK;
}

/* Unit u made or loaded in lane l of 'thread', and made ready to feed. */
static void lane_take(wave *v, lane *l, size_t u, size_t thread)
{
    pass_job *j = v->j;
    size_t D = j->sim->draws, first = u * v->unit;
    chunk_load(j, &l->cm, &l->ch, first, D - first < v->unit ? D - first : v->unit, v->w,
               v->part, 1);
    if (j->pass == 1) {
        chunk_counts(j, &l->cm);
        if (j->voi)
            chunk_nb(j, &l->cm, &l->ch);
    }
    atomic_store(&l->done, 0);
    v->ring_lane[u % v->ring] = l;
    atomic_store_explicit(&v->ring_owner[u % v->ring], thread, memory_order_relaxed);
    atomic_store_explicit(&v->ring_u[u % v->ring], u + 1, memory_order_release);
}

/* Each slot whose next unit is ready, fed it: of this thread's units, or
 * (steal) of any thread's; how many. A slot is fed by one thread at a time
 * (claim), each unit in turn (fed). While a thread holds slot r's claim and
 * fed[r] is u, unit u is not done, so its ring entry and lane are not
 * taken for another: at most 'ring' units are taken and not done, and
 * they are consecutive (a unit is done only when every unit before it is).
 * So the lane is read only then. */
static size_t slots_feed(wave *v, size_t thread, int steal, double *buf)
{
    pass_job *j = v->j;
    size_t n = 0;
    for (size_t r = 0; r < v->n_slots; r++) {
        size_t u = atomic_load_explicit(&v->fed[r], memory_order_acquire), at = u % v->ring;
        int free_claim = 0;
        if (u >= v->n_units ||
            atomic_load_explicit(&v->ring_u[at], memory_order_acquire) != u + 1 ||
            (!steal && atomic_load_explicit(&v->ring_owner[at], memory_order_relaxed) != thread) ||
            !atomic_compare_exchange_strong(&v->claim[r], &free_claim, 1))
            continue;
        if (atomic_load_explicit(&v->fed[r], memory_order_acquire) == u) { /* not fed meanwhile */
            lane *l = v->ring_lane[at];
            if (r == j->n_run)
                mkba_voi_sums_add(j->voi, l->ch.nb, l->ch.n_kept, l->ch.n_kept);
            else
                task_feed(j, &l->ch, j->run[r], buf);
            atomic_store_explicit(&v->fed[r], u + 1, memory_order_release);
            atomic_fetch_add_explicit(&l->done, 1, memory_order_release);
            n++;
        }
        atomic_store_explicit(&v->claim[r], 0, memory_order_release);
    }
    return n;
}

/* A wait past the spin: 50 microseconds asleep, so that a thread that
 * waits long (at the end of a pass, or with more threads than cores)
 * leaves the processor to the others. */
static void nap(void)
{
    struct timespec ts = {0, 50000};
    nanosleep(&ts, NULL);
}

/* Whether every slot has been fed every unit. */
static int wave_done(wave *v)
{
    for (size_t r = 0; r < v->n_slots; r++)
        if (atomic_load_explicit(&v->fed[r], memory_order_acquire) < v->n_units)
            return 0;
    return 1;
}

/* A thread of the wave: it feeds its own units; else makes
 * the next unit when it has a free lane; else feeds other threads' units
 * (their data come from another core, but the thread would only wait);
 * until every unit is fed. */
static void wave_task(void *ctx, size_t t, size_t thread)
{
    wave *v = ctx;
    pass_job *j = v->j;
    lane *ls = v->lanes + thread * LANES; /* in place: ring_lane points at them */
    int held[LANES] = {0};
    double *buf = thread_buf(j, thread);
    int more = 1;
    mkba_stream_spin spin = {0, 0};
    (void)t;
    for (;;) {
        size_t fed = slots_feed(v, thread, 0, buf), n_held = 0, free_lane = LANES;
        for (size_t k = 0; k < LANES; k++) {
            if (held[k] && atomic_load_explicit(&ls[k].done, memory_order_acquire) == v->n_slots) {
                held[k] = 0;
                if (thread == 0)
                    feed_progress(j, v->f, ls[k].ch.first + ls[k].ch.n);
            }
            n_held += held[k];
            if (!held[k])
                free_lane = k;
        }
        if (fed > 0) {
            spin = (mkba_stream_spin){0, 0};
            continue;
        }
        if (more && free_lane < LANES) {
            size_t u = atomic_fetch_add(&v->next, 1);
            if (u < v->n_units) {
                lane_take(v, &ls[free_lane], u, thread);
                held[free_lane] = 1;
            } else {
                more = 0;
            }
            continue;
        }
        if (slots_feed(v, thread, 1, buf) > 0)
            spin = (mkba_stream_spin){0, 0};
        else if (n_held == 0 && !more && wave_done(v))
            break;
        else if (!mkba_stream_spin_round(&spin)) /* nothing ready: another thread makes it */
            nap();
    }
}

/* The counts of the units made again (chunk_counts) of 'from', added to 'to'. */
static void counts_add(const pass_job *j, chunk_mem *to, const chunk_mem *from)
{
    to->n_nonfinite += from->n_nonfinite;
    for (size_t i = 0; i < j->cols * MKBA_FIN_PAYBACK_N; i++)
        to->payback[i] += from->payback[i];
    for (size_t i = 0; i < j->cols * MKBA_FIN_IRR_N; i++)
        to->irr_count[i] += from->irr_count[i];
}

/* A pass in one process: the wave over its units, on f->threads threads,
 * but no more than the cores, or WAVE_FEW where there are fewer: each
 * holds up to LANES units of about UNIT_BYTES (--threads 4096 would take
 * gigabytes), and more threads than cores only wait on one another. A few
 * all the same, so that the tests run the wave on several threads on any
 * machine. The results are the same on any number. */
#define WAVE_FEW 8

static void pass_alone(pass_job *j, chunk_mem *cm, needs w, const mkba_sim_opts *part, feed *f)
{
    size_t T = (size_t)f->threads, cores = (size_t)mkba_sim_cores();
    if (T > cores && T > WAVE_FEW)
        T = cores > WAVE_FEW ? cores : WAVE_FEW;
    wave v = {.j = j, .w = w, .part = part, .f = f, .unit = unit_draws(j, w)};
    v.n_units = (j->sim->draws + v.unit - 1) / v.unit;
    if (T > v.n_units)
        T = v.n_units;
    v.n_slots = j->n_run + (j->pass == 1 && j->voi);
    atomic_init(&v.next, 0);
    v.fed = mkba_xcalloc(v.n_slots + 1, sizeof *v.fed);
    v.claim = mkba_xcalloc(v.n_slots + 1, sizeof *v.claim);
    for (size_t r = 0; r < v.n_slots; r++) {
        atomic_init(&v.fed[r], 0);
        atomic_init(&v.claim[r], 0);
    }
    v.ring = T * LANES;
    v.ring_u = mkba_xcalloc(v.ring, sizeof *v.ring_u);
    v.ring_lane = mkba_xcalloc(v.ring, sizeof *v.ring_lane);
    v.ring_owner = mkba_xcalloc(v.ring, sizeof *v.ring_owner);
    for (size_t k = 0; k < v.ring; k++) {
        atomic_init(&v.ring_u[k], 0);
        atomic_init(&v.ring_owner[k], 0);
    }
    v.lanes = mkba_xcalloc(v.ring, sizeof *v.lanes);
    for (size_t k = 0; k < v.ring; k++) {
        chunk_mem_init(&v.lanes[k].cm, j, v.unit);
        chunk_alloc(&v.lanes[k].ch, j);
        atomic_init(&v.lanes[k].done, 0);
    }
    mkba_stream_parallel(T, (int)T, wave_task, &v);
    for (size_t k = 0; k < v.ring; k++) {
        counts_add(j, cm, &v.lanes[k].cm);
        chunk_mem_fini(&v.lanes[k].cm);
        chunk_free(&v.lanes[k].ch);
    }
    free(v.fed);
    free(v.claim);
    free(v.ring_u);
    free(v.ring_lane);
    free(v.ring_owner);
    free(v.lanes);
}

/* ------------------------------------------ a pass over several processes */

/* One message of 'bytes' (listed in list[*k] when list is not NULL): the
 * maker's data at p (at NULL), or room for it at offset *at of 'room'
 * (advanced; room NULL: only counted), whose address it returns. */
static void *msg_add(mkba_mc_msg *list, size_t *k, const void *p, size_t bytes, int peer,
                     unsigned char *room, size_t *at)
{
    void *where = (void *)p;
    if (at) {
        where = room ? room + *at : NULL;
        *at += (bytes + 15) / 16 * 16; /* every column aligned */
    }
    if (list)
        list[*k] = (mkba_mc_msg){.p = where, .bytes = bytes, .peer = peer};
    (*k)++;
    return where;
}

/* The messages of chunk ch between its maker and process q, in the order
 * both list them: the columns of q's tasks of the pass (a stakeholder's
 * benefits, then its costs), then in pass 1, when q takes society's NPV
 * (nb_to), the kept draws and that NPV (chunk_nb). The maker (cm: its
 * chunk's memory) lists its chunk's data; q lists room for them (at) and
 * points ch at it. Returns how many. */
static size_t chunk_msgs(pass_job *j, int q, chunk *ch, const chunk_mem *cm, int peer,
                         unsigned char *room, size_t *at, mkba_mc_msg *list)
{
    size_t k = 0, n = ch->n, dbl = n * sizeof(double);
    for (size_t t = 0; t < j->first[T_KINDS]; t++) {
        if (!j->wants[t] || j->owner[t] != q)
            continue;
        int kind = task_kind(j, t);
        size_t i = t - j->first[kind];
        if (kind == T_HOLDER) {
            ch->b[i] = msg_add(list, &k, ch->b[i], dbl, peer, room, at);
            ch->c[i] = msg_add(list, &k, ch->c[i], dbl, peer, room, at);
        } else if (kind == T_FIN) {
            ch->irr[i] = msg_add(list, &k, ch->irr[i], n * sizeof(float), peer, room, at);
        } else if (kind == T_ITEM) {
            ch->items[i] = msg_add(list, &k, ch->items[i], dbl, peer, room, at);
        } else {
            ch->in[i] = msg_add(list, &k, ch->in[i], dbl, peer, room, at);
        }
    }
    if (j->nb_to[q]) {
        size_t m = cm ? ch->n_kept : n; /* q: room for all */
        const size_t *kept = msg_add(list, &k, cm ? cm->kept : NULL, m * sizeof *kept, peer,
                                     room, at);
        const double *nb = msg_add(list, &k, cm ? cm->nb : NULL, j->P * m * sizeof *nb, peer,
                                   room, at);
        if (!cm)
            ch->kept = kept, ch->nb = nb;
    }
    return k;
}

/* A round's messages and room, kept from round to round. */
typedef struct rounds {
    chunk made;                 /* the chunk this process made */
    mkba_mc_msg *send, *recv;
    size_t cap_send, cap_recv;
    unsigned char *room;        /* this process's columns of the round's chunks */
    size_t cap_room;
    size_t *at;                 /* [processes] where each chunk's columns start in room */
    size_t *kept;               /* [processes] each chunk's message of its kept draws in recv */
} rounds;

static size_t chunk_draws(size_t D, size_t x)
{
    return D - x * CHUNK < CHUNK ? D - x * CHUNK : CHUNK;
}

/* A round of a pass (ranks), chunks [r0, r0 + processes): process r
 * makes chunk r0 + r and sends every process the columns of its tasks;
 * every process gets its tasks' columns of each chunk of the round and
 * feeds them to its tasks in chunk order. So each makes a chunk and runs
 * its share of the statistics, holding its chunk and its columns of the
 * round's chunks. */
static void pass_round(pass_job *j, chunk_mem *cm, rounds *rd, size_t r0, needs w,
                       const mkba_sim_opts *part, feed *f)
{
    const mkba_mc_ranks *R = j->ranks;
    size_t D = j->sim->draws, chunks = (D + CHUNK - 1) / CHUNK, me = r0 + (size_t)R->rank;
    size_t end = chunks - r0 < (size_t)R->size ? chunks : r0 + (size_t)R->size;
    size_t n_send = 0, n_recv = 0, bytes = 0;
    if (me < end) {
        chunk_load(j, cm, &rd->made, me * CHUNK, chunk_draws(D, me), w, part,
                   j->sim->threads > 1 ? j->sim->threads : 1);
        if (j->pass == 1) {
            chunk_counts(j, cm);
            if (j->with_voi)
                chunk_nb(j, cm, &rd->made);
        }
        for (int q = 0; q < R->size; q++)
            n_send += chunk_msgs(j, q, &rd->made, cm, q, NULL, NULL, NULL);
    }
    for (size_t x = r0; x < end; x++) {
        j->ch.n = chunk_draws(D, x);
        rd->at[x - r0] = bytes;
        n_recv += chunk_msgs(j, R->rank, &j->ch, NULL, (int)(x - r0), NULL, &bytes, NULL);
    }
    if (n_send > rd->cap_send)
        rd->send = mkba_xreallocarray(rd->send, rd->cap_send = n_send, sizeof *rd->send);
    if (n_recv > rd->cap_recv)
        rd->recv = mkba_xreallocarray(rd->recv, rd->cap_recv = n_recv, sizeof *rd->recv);
    if (bytes > rd->cap_room) {
        free(rd->room);
        rd->room = mkba_xmalloc(rd->cap_room = bytes);
    }
    size_t k = 0;
    for (int q = 0; me < end && q < R->size; q++)
        k += chunk_msgs(j, q, &rd->made, cm, q, NULL, NULL, rd->send + k);
    k = 0;
    for (size_t x = r0; x < end; x++) {
        size_t at = rd->at[x - r0];
        j->ch.n = chunk_draws(D, x);
        k += chunk_msgs(j, R->rank, &j->ch, NULL, (int)(x - r0), rd->room, &at, rd->recv + k);
        if (j->nb_to[R->rank])
            rd->kept[x - r0] = k - 2; /* the last but one */
    }
    R->exchange(R->ctx, rd->send, n_send, rd->recv, n_recv);
    for (size_t x = r0; x < end; x++) {
        chunk *ch = &j->ch;
        size_t at = rd->at[x - r0];
        ch->first = x * CHUNK;
        ch->n = chunk_draws(D, x);
        ch->nb = NULL, ch->kept = NULL, ch->n_kept = 0;
        chunk_msgs(j, R->rank, ch, NULL, (int)(x - r0), rd->room, &at, NULL);
        if (j->nb_to[R->rank]) {
            ch->n_kept = rd->recv[rd->kept[x - r0]].bytes / sizeof *ch->kept;
            if (ch->n_kept == ch->n)
                ch->kept = NULL;
        }
        if (j->pass == 1 && j->voi)
            mkba_voi_sums_add(j->voi, ch->nb, ch->n_kept, ch->n_kept);
        feed_chunk(j, f);
    }
}

/* A pass over several processes (ranks): its chunks in rounds. */
static void pass_shared(pass_job *j, chunk_mem *cm, rounds *rd, needs w,
                        const mkba_sim_opts *part, feed *f)
{
    size_t D = j->sim->draws, chunks = (D + CHUNK - 1) / CHUNK;
    for (size_t r0 = 0; r0 < chunks; r0 += (size_t)j->ranks->size)
        pass_round(j, cm, rd, r0, w, part, f);
}

/* Task t's results in mc, copied to rec (put) or from it: a record of
 * REC_BYTES, which process 0 gathers from each task's process. */
#define REC_BYTES \
    (H_N * sizeof(mkba_stats) + (MKBA_MC_CDF + 2) * sizeof(double) + MKBA_MC_BINS * sizeof(size_t))

static unsigned char *rec_field(unsigned char *rec, void *p, size_t bytes, int put)
{
    if (put)
        memcpy(rec, p, bytes);
    else
        memcpy(p, rec, bytes);
    return rec + bytes;
}

static void task_record(pass_job *j, size_t t, unsigned char *rec, int put)
{
    mkba_mc *mc = j->mc;
    size_t K = j->sim->n_stakeholders, U = j->sim->n_uncertain;
    int kind = task_kind(j, t);
    size_t i = t - j->first[kind], m = K + 1 + i, s = m / (K + 1);
    if (kind == T_HOLDER) {
        mkba_stats *out[H_N] = {&mc->pv_benefits[m], &mc->pv_costs[m], &mc->npv[m], &mc->bcr[m]};
        for (int k = 0; k < H_N; k++)
            rec = rec_field(rec, out[k], sizeof *out[k], put);
        if (i % (K + 1) == K) { /* society: its shape */
            rec = rec_field(rec, mc->npv_cdf + s * MKBA_MC_CDF, MKBA_MC_CDF * sizeof(double), put);
            rec = rec_field(rec, &mc->hist_lo[s], sizeof(double), put);
            rec = rec_field(rec, &mc->hist_width[s], sizeof(double), put);
            rec_field(rec, mc->hist + s * MKBA_MC_BINS, MKBA_MC_BINS * sizeof(size_t), put);
        }
    } else if (kind == T_FIN) {
        rec_field(rec, &mc->fin[m].irr, sizeof(mkba_stats), put);
    } else if (kind == T_ITEM) {
        rec_field(rec, &mc->items[mc->n_items + i], sizeof(mkba_stats), put);
    } else {
        rec = rec_field(rec, i < U ? &mc->uncertain[i] : &mc->effects[i - U], sizeof(mkba_stats),
                        put);
        rec_field(rec, &mc->evppi[i], sizeof(double), put);
    }
}

/* Every task's results from its process to process 0 (ranks): each
 * process's records where the others' are 0, or-ed. */
static void gather_results(pass_job *j)
{
    size_t T = j->first[T_KINDS];
    unsigned char *rec = mkba_xcalloc(T * REC_BYTES + 1, 1);
    for (size_t t = 0; t < T; t++)
        if (mine(j, t))
            task_record(j, t, rec + t * REC_BYTES, 1);
    j->ranks->reduce(j->ranks->ctx, rec, T * REC_BYTES, MKBA_MC_OR);
    for (size_t t = 0; j->ranks->rank == 0 && t < T; t++)
        task_record(j, t, rec + t * REC_BYTES, 0);
    free(rec);
}

/* The counts of the chunks made again (chunk_counts), summed over the
 * processes (ranks). */
static void sum_counts(pass_job *j, chunk_mem *cm)
{
    size_t np = j->cols * MKBA_FIN_PAYBACK_N, ni = j->cols * MKBA_FIN_IRR_N;
    uint64_t *v = mkba_xcalloc(1 + np + ni, sizeof *v);
    v[0] = cm->n_nonfinite;
    for (size_t i = 0; i < np; i++)
        v[1 + i] = cm->payback[i];
    for (size_t i = 0; i < ni; i++)
        v[1 + np + i] = cm->irr_count[i];
    j->ranks->reduce(j->ranks->ctx, v, 1 + np + ni, MKBA_MC_SUM);
    cm->n_nonfinite = (size_t)v[0];
    for (size_t i = 0; i < np; i++)
        cm->payback[i] = (size_t)v[1 + i];
    for (size_t i = 0; i < ni; i++)
        cm->irr_count[i] = (size_t)v[1 + np + i];
    free(v);
}

/* Every statistic of the run into mc, in passes over its draws, on this
 * process alone or shared out over 'ranks' (the whole summary on process
 * 0); with 'progress', its progress about ten times a second, counted as
 * the passes of the rule: one, or two when society's NPV is not kept for
 * its shape (another is rare and short of the end). */
static void summarize_passes(const mkba_sim *sim, const mkba_plan *plan, mkba_mc *mc,
                             const mkba_mc_ranks *ranks, mkba_sim_progress_fn progress,
                             void *progress_ctx)
{
    pass_job j;
    job_init(&j, sim, plan, mc, ranks);
    size_t D = sim->draws;
    chunk_mem cm;
    chunk_mem_init(&cm, &j, ranks ? (D < CHUNK ? D : CHUNK) : 0); /* alone: the wave's own */
    /* one pass as a rule; two when society's NPV shape takes its own */
    feed f = {.threads = sim->threads > 0 ? sim->threads : 1, .progress = progress,
              .ctx = progress_ctx, .shown = mkba_stream_seconds(),
              .total = (sim->opts.shape == MKBA_SIM_SHAPE_PASS ? 2 : 1) * D};
    rounds rd = {.at = NULL};
    if (ranks) {
        chunk_alloc(&rd.made, &j);
        rd.at = mkba_xcalloc((size_t)ranks->size, sizeof *rd.at);
        rd.kept = mkba_xcalloc((size_t)ranks->size, sizeof *rd.kept);
    }
    needs w;
    for (j.pass = 1; pass_needs(&j, &w); j.pass++) {
        mkba_sim_opts part;
        int made = part_template(&j, w, &part);
        if (ranks)
            pass_shared(&j, &cm, &rd, w, made ? &part : NULL, &f);
        else
            pass_alone(&j, &cm, w, made ? &part : NULL, &f);
        mkba_sim_free(cm.part);
        cm.part = NULL;
        if (j.pass == 1 && j.with_voi)
            voi_end(&j);
        pass_end(&j);
    }
    for (size_t c = 0; c < j.cols; c++) {
        size_t m = sim->n_stakeholders + 1 + c;
        if (mkba_stats_all_zero(&mc->npv[m]))
            mc->npv[m].p_positive = NAN; /* no chance to speak of: n/a, not 0% */
        /* When some draw with finite values has no B/C ratio, its
         * percentiles would describe a chosen part of the draws: every
         * statistic is NaN (n 0), which the outputs show as n/a. */
        if (j.h[c].some_undefined)
            mc->bcr[m] = (mkba_stats){NAN, NAN, NAN, NAN, NAN, NAN, 0};
    }
    if (ranks) {
        sum_counts(&j, &cm);
        gather_results(&j);
        chunk_free(&rd.made);
        free(rd.send);
        free(rd.recv);
        free(rd.room);
        free(rd.at);
        free(rd.kept);
    }
    if (progress)
        progress(progress_ctx, f.total, f.total);
    if (j.irr)
        finance_end(&j, sim->pv_benefits ? sim->payback_count : cm.payback,
                    sim->pv_benefits ? sim->irr_count : cm.irr_count);
    if (!sim->pv_benefits)
        mc->n_nonfinite = cm.n_nonfinite;
    chunk_mem_fini(&cm);
    job_free(&j);
}

static mkba_mc *mc_alloc(const mkba_sim *sim, const mkba_plan *plan, uint64_t seed,
                         const double *boot, size_t n_boot, size_t n_boot_failed)
{
    mkba_mc *mc = mkba_xcalloc(1, sizeof *mc);
    size_t S = sim->n_scenarios, K = sim->n_stakeholders, I = sim->n_items;
    mc->draws = sim->draws;
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
    size_t cols = S * (K + 1), n_in = sim->n_uncertain + sim->n_outcomes;
    mc->npv = mkba_xcalloc(cols, sizeof *mc->npv);
    mc->pv_benefits = mkba_xcalloc(cols, sizeof *mc->pv_benefits);
    mc->pv_costs = mkba_xcalloc(cols, sizeof *mc->pv_costs);
    mc->bcr = mkba_xcalloc(cols, sizeof *mc->bcr);
    mc->npv_cdf = mkba_xcalloc(S * MKBA_MC_CDF, sizeof *mc->npv_cdf);
    mc->hist_lo = mkba_xcalloc(S, sizeof *mc->hist_lo);
    mc->hist_width = mkba_xcalloc(S, sizeof *mc->hist_width);
    mc->hist = mkba_xcalloc(S * MKBA_MC_BINS, sizeof *mc->hist);
    for (size_t i = 0; i < S * MKBA_MC_CDF; i++) /* no shape made (MKBA_SIM_SHAPE_NONE) */
        mc->npv_cdf[i] = NAN;
    for (size_t s = 0; s < S; s++)
        mc->hist_lo[s] = mc->hist_width[s] = NAN;
    if (sim->pv_benefits ? sim->irr != NULL : sim->opts.keep_finance)
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
    mc->evppi = mkba_xcalloc(n_in + 1, sizeof *mc->evppi);
    mc->p_best = mkba_xcalloc(S + 1, sizeof *mc->p_best);
    for (size_t s = 0; s < S; s++)
        mc->p_best[s] = NAN;
    mc->evpi = NAN;
    for (size_t i = 0; i < n_in; i++)
        mc->evppi[i] = NAN;
    return mc;
}

mkba_mc *mkba_mc_summarize(const mkba_sim *sim, const mkba_plan *plan, uint64_t seed,
                           const double *boot, size_t n_boot, size_t n_boot_failed)
{
    mkba_mc *mc = mc_alloc(sim, plan, seed, boot, n_boot, n_boot_failed);
    summarize_passes(sim, plan, mc, NULL, NULL, NULL);
    return mc;
}

mkba_mc *mkba_mc_stream(const mkba_plan *plan, const mkba_sim_opts *o, const double *boot,
                        size_t n_boot, size_t n_boot_failed, mkba_error *err)
{
    return mkba_mc_stream_ranks(plan, o, boot, n_boot, n_boot_failed, NULL, err);
}

mkba_mc *mkba_mc_stream_ranks(const mkba_plan *plan, const mkba_sim_opts *o, const double *boot,
                              size_t n_boot, size_t n_boot_failed, const mkba_mc_ranks *ranks,
                              mkba_error *err)
{
    if (o->draws == 0)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "the number of draws must be at least 1"),
               NULL;
    if (o->bootstrap && o->n_boot == 0)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL, "no bootstrap replicates"), NULL;
    /* The run's shape without its columns: every chunk is made again. */
    mkba_sim sim = {.draws = o->draws, .n_scenarios = plan->n_scenarios,
                    .n_items = plan->n_items, .n_stakeholders = plan->n_stakeholders,
                    .n_uncertain = plan->n_uncertain, .n_outcomes = plan->n_outcomes,
                    .opts = *o, .threads = o->threads > 0 ? o->threads : mkba_sim_cores()};
    size_t blocks = (o->draws + MKBA_SIM_BLOCK - 1) / MKBA_SIM_BLOCK;
    if ((size_t)sim.threads > blocks) /* as mkba_sim_run counts them */
        sim.threads = (int)blocks;
    sim.opts.progress = NULL;
    sim.opts.progress_ctx = NULL;
    sim.opts.threads = sim.threads;
    double t0 = mkba_stream_seconds();
    mkba_mc *mc = mc_alloc(&sim, plan, o->seed, boot, n_boot, n_boot_failed);
    summarize_passes(&sim, plan, mc, ranks, o->progress, o->progress_ctx);
    mc->seconds = mkba_stream_seconds() - t0;
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
