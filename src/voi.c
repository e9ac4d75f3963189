/* voi.c - expected value of perfect (EVPI) and partial perfect (EVPPI)
 * information from Monte Carlo draws of the options' net benefits.
 *
 * Both are means of a regret that is >= 0 draw by draw (or group by group)
 * rather than a difference of two large means, so they stay >= 0 and lose
 * no digits to cancellation when the value of information is small. */
#include "mkba/voi.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/cpu.h"
#include "mkba/mem.h"
#include "mkba/stream.h"
#include "mkba/summary.h"

/* The checks both functions share; 'what' names the caller in messages. */
static mkba_status check_nb(const double *nb, size_t K, size_t n, const char *what,
                            mkba_error *err)
{
    if (nb == NULL)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "%s: net benefits missing (NULL)", what);
    if (K == 0)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "%s: no decision options (K = 0)", what);
    if (n == 0)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL, "%s: no draws (n = 0)", what);
    if (K > SIZE_MAX / n)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "%s: %zu options x %zu draws is too many", what, K, n);
    for (size_t k = 0; k < K; k++)
        for (size_t i = 0; i < n; i++)
            if (!isfinite(nb[k * n + i]))
                return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                                      "%s: net benefit of option %zu in draw %zu is not finite",
                                      what, k, i);
    return MKBA_OK;
}

/* ------------------------------------------------------------- EVPI */

struct mkba_voi_sums {
    size_t K, n;
    int include_zero;
    double *sum;      /* [K] net benefit of each option, in draw order */
    double *regret;   /* [K + 1] regret of choosing option j (K: the reference) */
    size_t *top;      /* [K + 1] draws in which option j is best */
};

mkba_voi_sums *mkba_voi_sums_alloc(size_t K, int include_zero)
{
    mkba_voi_sums *s = mkba_xcalloc_own(1, sizeof *s);
    s->K = K;
    s->include_zero = include_zero;
    s->sum = mkba_xcalloc_own(K + 1, sizeof *s->sum);
    s->regret = mkba_xcalloc_own(K + 1, sizeof *s->regret);
    s->top = mkba_xcalloc_own(K + 1, sizeof *s->top);
    return s;
}

void mkba_voi_sums_free(mkba_voi_sums *s)
{
    if (!s)
        return;
    free(s->sum);
    free(s->regret);
    free(s->top);
    free(s);
}

size_t mkba_voi_sums_count(const mkba_voi_sums *s)
{
    return s->n;
}

/* Per draw: each option's sum, and the regret of every option that could
 * turn out best (max_k nb_ki - nb_ji >= 0), so the best option need not be
 * known before the draws are: one running sum each, in draw order. The
 * best is picked without a branch on the draws (which would be mispredicted
 * about as often as the options trade places). */
static inline void sums_rows(mkba_voi_sums *s, size_t K, const double *restrict nb,
                             size_t stride, size_t n)
{
    int iz = s->include_zero;
    double *restrict sum = s->sum, *restrict regret = s->regret;
    size_t *restrict top_n = s->top;
    for (size_t i = 0; i < n; i++) {
        double top = iz ? 0 : nb[i];
        size_t arg = K; /* the reference wins ties; then the lowest index */
        for (size_t k = 0; k < K; k++) {
            double v = nb[k * stride + i];
            sum[k] += v;
            int take = v > top || (!iz && k == 0);
            top = take ? v : top;
            arg = take ? k : arg;
        }
        for (size_t k = 0; k < K; k++)
            regret[k] += top - nb[k * stride + i];
        regret[K] += top; /* the reference: 0 */
        top_n[arg]++;
    }
}

void mkba_voi_sums_add(mkba_voi_sums *s, const double *nb, size_t stride, size_t n)
{
    switch (s->K) { /* one to three projects: the loops over them unrolled */
    case 1:
        sums_rows(s, 1, nb, stride, n);
        break;
    case 2:
        sums_rows(s, 2, nb, stride, n);
        break;
    case 3:
        sums_rows(s, 3, nb, stride, n);
        break;
    default:
        sums_rows(s, s->K, nb, stride, n);
    }
    s->n += n;
}

mkba_status mkba_voi_sums_end(const mkba_voi_sums *s, mkba_voi *out, double *p_top,
                              mkba_error *err)
{
    size_t K = s->K, n = s->n;
    if (n == 0)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL, "EVPI: no draws (n = 0)");
    /* The option with the highest mean (lowest index on ties; K = the
     * reference, mean 0, when include_zero and every mean is below 0). */
    size_t best = K;
    double top = 0;
    for (size_t k = 0; k < K; k++) {
        double m = s->sum[k] / (double)n;
        if (best == K ? (!s->include_zero || m >= 0) : m > top) {
            best = k;
            top = m;
        }
    }
    if (p_top) /* counts: never overflow */
        for (size_t k = 0; k <= K; k++)
            p_top[k] = (double)s->top[k] / (double)n;
    double evpi = s->regret[best] / (double)n;
    if (!isfinite(top) || !isfinite(evpi))
        return mkba_error_set(err, MKBA_ENUM, NULL, 0, NULL,
                              "EVPI: the sums overflow (net benefits too large)");
    out->evpi = evpi;
    out->best = best;
    out->expected_best = top;
    return MKBA_OK;
}

mkba_status mkba_voi_evpi(const double *nb, size_t K, size_t n, int include_zero,
                          mkba_voi *out, mkba_error *err)
{
    mkba_status st = check_nb(nb, K, n, "EVPI", err);
    if (st != MKBA_OK)
        return st;
    if (out == NULL)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "EVPI: no place for the result (NULL)");
    mkba_voi_sums *s = mkba_voi_sums_alloc(K, include_zero);
    mkba_voi_sums_add(s, nb, n, n);
    st = mkba_voi_sums_end(s, out, NULL, err);
    mkba_voi_sums_free(s);
    return st;
}

size_t mkba_voi_default_bins(size_t n)
{
    size_t b = n / 50;
    b = b > 200 ? 200 : b;
    b = b < 10 ? 10 : b;
    return b > n ? n : b;
}

/* ------------------------------------------------------------ EVPPI */

/* Start of group b of 'bins' equal-count groups of n sorted draws: the
 * first n % bins groups hold one draw more. No product, so no overflow. */
static size_t group_start(size_t b, size_t n, size_t bins)
{
    size_t q = n / bins, r = n % bins;
    return b * q + (b < r ? b : r);
}

/* A draw's group is the number of thresholds below its value (mkba_cuts,
 * over CELLS cells). */
#define CELLS 4096

/* Draws are taken BLOCK at a time, each step over the whole block: every
 * draw's group (or value's slot) first, by lookups with no branch on the
 * values, then the sums. Each group still adds its draws in draw order, so
 * the sums have the same bits as draw by draw. */
#define BLOCK 256

/* On x86-64 processors with AVX2 the groups are found four draws at a
 * time (gathers); every other processor runs the portable code. The
 * groups, so the sums, are the same either way. */
#if defined(__GNUC__) && defined(__x86_64__)
#define VOI_AVX2 1
#include <immintrin.h>
#else
#define VOI_AVX2 0
#endif

static int have_vector(void)
{
    return VOI_AVX2 && mkba_cpu_avx2();
}

struct mkba_voi_groups {
    size_t K, bins, sample, n;
    int include_zero;
    int cut;             /* the thresholds are set */
    size_t bad;          /* first draw with a non-finite theta + 1 (0: none) */
    double *buf;         /* until cut: [sample] theta, then [K][sample] nb (none when the
                          * first chunk holds the whole sample) */
    size_t nbuf;
    double *t;           /* t[g] < t[g + 1]; group g: (t[g - 1], t[g]]; after the last,
                          * +inf as far as mkba_cuts_below_in reads */
    size_t groups;       /* thresholds + 1 */
    mkba_cuts cuts;      /* the thresholds below a value: its group */
    unsigned steps;      /* halvings of mkba_cuts_below_in: 2^steps > the most in a cell */
    int vector;          /* the processor's AVX2 code may find the groups */
    double *first;       /* [cells] with it and steps 1: each cell's first threshold */
    double *sum;         /* [groups][K] */
    size_t *count;       /* [groups] */
    /* Each distinct value's count and sums, while there are no more than
     * 'values' of them (a discrete input, bootstrap replicates): then the
     * groups are cut at the quantiles of all the draws, as mkba_voi_evppi
     * cuts them. Made from the sample once it is complete. */
    size_t values;       /* the most distinct values kept */
    int many;            /* more distinct values: the cut groups count */
    size_t vslots, vused;
    unsigned vshift;     /* 64 - log2(vslots): a hash's top bits pick a slot */
    uint64_t *vkey;      /* [vslots] a value's bits */
    size_t *vcount;      /* [vslots] its draws; 0: an empty slot */
    double *vsum;        /* [vslots][K] */
};

mkba_voi_groups *mkba_voi_groups_alloc(size_t K, int include_zero, size_t bins, size_t sample,
                                       size_t values)
{
    mkba_voi_groups *g = mkba_xcalloc_own(1, sizeof *g);
    g->K = K;
    g->include_zero = include_zero;
    g->bins = bins;
    g->sample = sample ? sample : 1;
    g->values = values;
    g->vector = have_vector();
    return g;
}

void mkba_voi_groups_free(mkba_voi_groups *g)
{
    if (!g)
        return;
    free(g->buf);
    free(g->t);
    free(g->first);
    mkba_cuts_free(&g->cuts);
    free(g->vkey);
    free(g->vcount);
    free(g->vsum);
    free(g->sum);
    free(g->count);
    free(g);
}

/* sum[at[i] * K + k] += nb[k * stride + i] for the m draws, in draw
 * order, and with count, count[at[i]]++. */
static inline void add_rows(double *restrict sum, size_t *restrict count, size_t K,
                            const size_t *restrict at, const double *restrict nb, size_t stride,
                            size_t m)
{
    for (size_t i = 0; i < m; i++) {
        if (count)
            count[at[i]]++;
        for (size_t k = 0; k < K; k++)
            sum[at[i] * K + k] += nb[k * stride + i];
    }
}

/* add_rows with one to three projects unrolled (K a constant in each
 * copy), inlined for count NULL or not. */
static inline __attribute__((always_inline)) void add_rows_k(double *sum, size_t *count,
                                                             size_t K, const size_t *at,
                                                             const double *nb, size_t stride,
                                                             size_t m)
{
    switch (K) {
    case 1:
        add_rows(sum, count, 1, at, nb, stride, m);
        break;
    case 2:
        add_rows(sum, count, 2, at, nb, stride, m);
        break;
    case 3:
        add_rows(sum, count, 3, at, nb, stride, m);
        break;
    default:
        add_rows(sum, count, K, at, nb, stride, m);
    }
}

/* add_rows_k with the test of count taken out of the loop. */
static void add_sums(double *sum, size_t *count, size_t K, const size_t *at, const double *nb,
                     size_t stride, size_t m)
{
    if (count)
        add_rows_k(sum, count, K, at, nb, stride, m);
    else
        add_rows_k(sum, NULL, K, at, nb, stride, m);
}

/* The first of x[0..n-1] that is not finite (n: none), a block at a time
 * by a test that vectorises: an exponent of all ones (inf, NaN) is the
 * one that carries into the sign bit when its lowest bit is added. */
#define EXPONENT UINT64_C(0x7ff0000000000000)
#define EXPONENT_LOW (UINT64_C(1) << 52)
static size_t first_nonfinite(const double *x, size_t n)
{
    for (size_t i0 = 0; i0 < n; i0 += BLOCK) {
        size_t m = n - i0 < BLOCK ? n - i0 : BLOCK;
        uint64_t bad = 0;
        for (size_t i = 0; i < m; i++) {
            uint64_t u;
            memcpy(&u, &x[i0 + i], sizeof u);
            bad |= (u & EXPONENT) + EXPONENT_LOW;
        }
        if (bad >> 63)
            for (size_t i = 0; i < m; i++)
                if (!isfinite(x[i0 + i]))
                    return i0 + i;
    }
    return n;
}

/* The groups of m <= BLOCK draws: mkba_cuts_cells, then
 * mkba_cuts_below_in. Nonzero when a value is not finite (the groups are
 * then within range, but meaningless). */
static int block_groups(const mkba_cuts *c, unsigned steps, const double *theta, size_t m,
                        size_t *group)
{
    uint32_t cell[BLOCK];
    int bad = first_nonfinite(theta, m) < m;
    mkba_cuts_cells(c, theta, m, cell);
    if (steps == 1) /* at most one threshold a cell: the usual case */
        for (size_t i = 0; i < m; i++)
            group[i] = mkba_cuts_below_in(c, cell[i], theta[i], 1);
    else
        for (size_t i = 0; i < m; i++)
            group[i] = mkba_cuts_below_in(c, cell[i], theta[i], steps);
    return bad;
}

#if VOI_AVX2
/* block_groups with at most one threshold a cell (steps 1), four draws at
 * a time with AVX2: the same cells (the clamps as max and min, NaN to 0),
 * then the cell's start plus one above its first threshold, first[cell] =
 * t[start[cell]], so that the two gathers need not wait for each other. */
__attribute__((target("avx2"))) static int block_groups_avx2(const mkba_cuts *c,
                                                             const double *first,
                                                             const double *theta, size_t m,
                                                             size_t *group)
{
    const __m256d t0 = _mm256_set1_pd(c->t0), inv = _mm256_set1_pd(c->inv),
                  zero = _mm256_setzero_pd(), last = _mm256_set1_pd((double)c->cells - 1);
    const __m256i exponent = _mm256_set1_epi64x((long long)EXPONENT),
                  low = _mm256_set1_epi64x((long long)EXPONENT_LOW), one = _mm256_set1_epi64x(1);
    const int *start = (const int *)c->start;
    __m256i bad = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 4 <= m; i += 4) {
        __m256d v = _mm256_loadu_pd(theta + i);
        bad = _mm256_or_si256(bad, _mm256_add_epi64(_mm256_and_si256(_mm256_castpd_si256(v),
                                                                      exponent), low));
        __m256d x = _mm256_mul_pd(_mm256_sub_pd(v, t0), inv);
        x = _mm256_min_pd(_mm256_max_pd(x, zero), last); /* max: the second if x is NaN */
        __m128i cell = _mm256_cvttpd_epi32(x);
        __m256i lo = _mm256_cvtepu32_epi64(_mm_i32gather_epi32(start, cell, 4));
        __m256d below = _mm256_cmp_pd(_mm256_i32gather_pd(first, cell, 8), v, _CMP_LT_OQ);
        lo = _mm256_add_epi64(lo, _mm256_and_si256(_mm256_castpd_si256(below), one));
        _mm256_storeu_si256((__m256i *)(void *)(group + i), lo);
    }
    return _mm256_movemask_pd(_mm256_castsi256_pd(bad)) |
           (i < m && block_groups(c, 1, theta + i, m - i, group + i));
}
#endif

/* The counts and sums of n draws into their groups, a block at a time.
 * Returns the first draw whose value is not finite (n: none), the draws
 * before its block added. */
static size_t add_draws(mkba_voi_groups *g, const double *theta, const double *nb, size_t stride,
                        size_t n)
{
    size_t group[BLOCK];
    for (size_t i0 = 0; i0 < n; i0 += BLOCK) {
        size_t m = n - i0 < BLOCK ? n - i0 : BLOCK;
        const double *th = theta + i0;
#if VOI_AVX2
        int bad = g->first ? block_groups_avx2(&g->cuts, g->first, th, m, group)
                           : block_groups(&g->cuts, g->steps, th, m, group);
#else
        int bad = block_groups(&g->cuts, g->steps, th, m, group);
#endif
        if (bad)
            return i0 + first_nonfinite(th, m);
        add_sums(g->sum, g->count, g->K, group, nb + i0, stride, m);
    }
    return n;
}

/* A value's bits, -0 as 0 (equal, as the groups compare), without a
 * branch on the value. */
static uint64_t value_bits(double v)
{
    uint64_t k;
    memcpy(&k, &v, sizeof k);
    return k == UINT64_C(1) << 63 ? 0 : k;
}

/* A value's first slot in a table of 2^(64 - shift): the top bits of its
 * bits mixed (mkba_stream_hash), whose low bits are much the same for small
 * integers (24 of them would take some 2.7 probes each in 256 slots). */
static size_t value_hash(uint64_t k, unsigned shift)
{
    return (size_t)(mkba_stream_hash(k) >> shift);
}

/* A value's slot. */
static size_t value_slot(const mkba_voi_groups *g, uint64_t k)
{
    size_t mask = g->vslots - 1, h = value_hash(k, g->vshift);
    while (g->vcount[h] && g->vkey[h] != k)
        h = (h + 1) & mask;
    return h;
}

/* Whether x[0..m) has more than 'most' distinct values: a set of their
 * bits (at most half full; ~0, a NaN, marks an empty slot), given up at
 * the first value too many. */
static int many_values(const double *x, size_t m, size_t most)
{
    if (m <= most)
        return 0;
    size_t slots = 256, used = 0;
    unsigned shift = 64 - 8;
    for (; slots < 2 * most; slots *= 2)
        shift--;
    uint64_t *set = mkba_xreallocarray(NULL, slots, sizeof *set);
    memset(set, 0xff, slots * sizeof *set);
    int many = 0;
    for (size_t i = 0; i < m && !many; i++) {
        uint64_t k = value_bits(x[i]);
        size_t h = value_hash(k, shift);
        while (set[h] != k && set[h] != ~UINT64_C(0))
            h = (h + 1) & (slots - 1);
        if (set[h] != k) {
            many = used == most;
            set[h] = k;
            used++;
        }
    }
    free(set);
    return many;
}

static void values_free(mkba_voi_groups *g)
{
    free(g->vkey);
    free(g->vcount);
    free(g->vsum);
    g->vkey = NULL;
    g->vcount = NULL;
    g->vsum = NULL;
}

/* The table at twice its slots (kept at most half full). */
static void values_grow(mkba_voi_groups *g)
{
    size_t old = g->vslots, K = g->K;
    uint64_t *key = g->vkey;
    size_t *count = g->vcount;
    double *sum = g->vsum;
    g->vslots = old ? 2 * old : 256;
    g->vshift = old ? g->vshift - 1 : 64 - 8;
    g->vkey = mkba_xcalloc_own(g->vslots, sizeof *g->vkey);
    g->vcount = mkba_xcalloc_own(g->vslots, sizeof *g->vcount);
    g->vsum = mkba_xcalloc_own(g->vslots * K + 1, sizeof *g->vsum);
    for (size_t i = 0; i < old; i++)
        if (count[i]) {
            size_t h = value_slot(g, key[i]);
            g->vkey[h] = key[i];
            g->vcount[h] = count[i];
            memcpy(g->vsum + h * K, sum + i * K, K * sizeof *sum);
        }
    free(key);
    free(count);
    free(sum);
}

/* Each draw into its value's count and sums, until there are too many
 * distinct values. A
 * block's draws are counted as they are looked up (a slot with a count is
 * taken), their sums added after, before the table grows (the slots move). */
static void add_values(mkba_voi_groups *g, const double *theta, const double *nb, size_t stride,
                       size_t n)
{
    size_t at[BLOCK];
    for (size_t i0 = 0; i0 < n; i0 += BLOCK) {
        size_t m = n - i0 < BLOCK ? n - i0 : BLOCK, from = 0;
        for (size_t i = 0; i < m; i++) {
            uint64_t k = value_bits(theta[i0 + i]);
            size_t h = value_slot(g, k);
            if (!g->vcount[h]) {
                if (g->vused == g->values) {
                    g->many = 1;
                    values_free(g);
                    return;
                }
                if (2 * (g->vused + 1) > g->vslots) {
                    add_sums(g->vsum, NULL, g->K, at + from, nb + i0 + from, stride, i - from);
                    from = i;
                    values_grow(g);
                    h = value_slot(g, k);
                }
                g->vkey[h] = k;
                g->vused++;
            }
            g->vcount[h]++;
            at[i] = h;
        }
        add_sums(g->vsum, NULL, g->K, at + from, nb + i0 + from, stride, m - from);
    }
}

/* The end of the sample: its m draws (or all draws if fewer), from the
 * buffer or straight from a chunk that holds them all. With more than
 * 'values' distinct values the table of them would have overflowed
 * already, so it is never made (a continuous input); else it is filled
 * from the sample, in draw order, and kept up from here. Then the
 * thresholds: the groups' last values among the sample's order statistics
 * (each run of ties kept in one group), and the sample's draws into their
 * groups. */
static void cut_groups(mkba_voi_groups *g, const double *theta, const double *nb, size_t stride,
                       size_t m)
{
    size_t bins = g->bins ? g->bins : mkba_voi_default_bins(m);
    bins = bins > UINT32_MAX ? UINT32_MAX : bins;
    if (many_values(theta, m, g->values)) {
        g->many = 1;
    } else {
        values_grow(g);
        add_values(g, theta, nb, stride, m);
    }
    g->t = mkba_xreallocarray(NULL, bins + 1, sizeof *g->t);
    size_t c = 0, ends = m > 0 ? bins - 1 : 0;
    size_t *pos = mkba_xreallocarray(NULL, ends + 1, sizeof *pos);
    for (size_t b = 0; b < ends; b++)
        pos[b] = group_start(b + 1, m, bins) - 1;
    mkba_stats_order(theta, m, pos, ends, g->t);
    free(pos);
    for (size_t b = 0; b < ends; b++)
        if (c == 0 || g->t[b] > g->t[c - 1])
            g->t[c++] = g->t[b];
    g->groups = c + 1;
    mkba_cuts_init(&g->cuts, g->t, c, CELLS);
    /* The branch-free search reads 2^steps - 1 values from a cell's
     * first: past the last threshold, +inf. */
    size_t crowd = mkba_cuts_crowd(&g->cuts), pad = 1;
    for (g->steps = 0; pad <= crowd; g->steps++)
        pad *= 2;
    if (pad > bins + 1 - c)
        g->cuts.t = g->t = mkba_xreallocarray(g->t, c + pad, sizeof *g->t);
    for (size_t i = c; i < c + pad; i++)
        g->t[i] = INFINITY;
    if (g->vector && g->steps == 1) {
        g->first = mkba_xreallocarray(NULL, g->cuts.cells, sizeof *g->first);
        for (size_t cell = 0; cell < g->cuts.cells; cell++)
            g->first[cell] = g->t[g->cuts.start[cell]];
    }
    g->sum = mkba_xcalloc_own(g->groups * g->K, sizeof *g->sum);
    g->count = mkba_xcalloc_own(g->groups, sizeof *g->count);
    g->cut = 1;
    add_draws(g, theta, nb, stride, m); /* checked before */
    free(g->buf);
    g->buf = NULL;
}

void mkba_voi_groups_add(mkba_voi_groups *g, const double *theta, const double *nb,
                         size_t stride, size_t n)
{
    if (!g->bad && !g->cut) { /* the sample's draws, checked before they are cut */
        size_t m = g->sample - g->nbuf < n ? g->sample - g->nbuf : n, i = first_nonfinite(theta, m);
        g->bad = i < m ? g->n + i + 1 : 0;
    }
    if (g->bad) {
        g->n += n;
        return;
    }
    size_t i = 0;
    if (!g->cut && g->nbuf == 0 && n >= g->sample) { /* the whole sample: no copy */
        cut_groups(g, theta, nb, stride, g->sample);
        i = g->sample;
    }
    if (!g->cut && !g->buf && n > 0) /* made at the first draw, freed once the groups are cut */
        g->buf = mkba_xreallocarray(NULL, (1 + g->K) * g->sample, sizeof *g->buf);
    for (; i < n && !g->cut; i++) {
        g->buf[g->nbuf] = theta[i];
        for (size_t k = 0; k < g->K; k++)
            g->buf[(1 + k) * g->sample + g->nbuf] = nb[k * stride + i];
        if (++g->nbuf == g->sample)
            cut_groups(g, g->buf, g->buf + g->sample, g->sample, g->nbuf);
    }
    /* The draws after the sample are checked as they go into their groups
     * (a value not finite may pass through the distinct values' table and
     * the groups before it: the end only reports it). */
    if (i < n && !g->many)
        add_values(g, theta + i, nb + i, stride, n - i);
    if (i < n) {
        size_t bad = add_draws(g, theta + i, nb + i, stride, n - i);
        g->bad = bad < n - i ? g->n + i + bad + 1 : 0;
    }
    g->n += n;
}

/* A group of 'count' draws with sums[K]: its count times the regret of
 * the best option on average against the group's best (0 <= EVPPI <= EVPI:
 * Jensen per group). */
static double group_regret(const mkba_voi_groups *g, size_t count, const double *sums,
                           const mkba_voi *v)
{
    if (count == 0)
        return 0;
    double top = 0, chosen = 0;
    int have = g->include_zero; /* the reference's mean is 0 */
    for (size_t k = 0; k < g->K; k++) {
        double m = sums[k] / (double)count;
        if (!have || m > top)
            top = m;
        have = 1;
        if (k == v->best)
            chosen = m;
    }
    double r = top - chosen; /* best == K: chosen = 0, the reference */
    return (double)count * (r > 0 ? r : 0);
}

typedef struct value_entry {
    double v;
    size_t slot;
} value_entry;

static int cmp_value(const void *a, const void *b)
{
    double x = ((const value_entry *)a)->v, y = ((const value_entry *)b)->v;
    return (x > y) - (x < y);
}

/* The summed regrets of the equal-count groups of all the draws from their
 * distinct values in order (a run of ties never split: a group ends at the
 * end of the value that holds its last draw), as mkba_voi_evppi groups. */
static double value_groups(const mkba_voi_groups *g, const mkba_voi *v)
{
    size_t K = g->K, n = g->n, m = 0;
    size_t bins = g->bins ? g->bins : mkba_voi_default_bins(n);
    value_entry *e = mkba_xcalloc(g->vused + 1, sizeof *e);
    for (size_t h = 0; h < g->vslots; h++)
        if (g->vcount[h]) {
            memcpy(&e[m].v, &g->vkey[h], sizeof e[m].v);
            e[m++].slot = h;
        }
    qsort(e, m, sizeof *e, cmp_value);
    double *sums = mkba_xcalloc(K + 1, sizeof *sums), s = 0;
    size_t from = 0, i = 0;
    for (size_t b = 0; b < bins && i < m; b++) {
        size_t to = group_start(b + 1, n, bins), count = 0;
        if (to <= from)
            continue; /* swallowed by the previous group's run of ties */
        memset(sums, 0, K * sizeof *sums);
        for (; i < m && from + count < to; i++) {
            count += g->vcount[e[i].slot];
            for (size_t k = 0; k < K; k++)
                sums[k] += g->vsum[e[i].slot * K + k];
        }
        s += group_regret(g, count, sums, v);
        from += count;
    }
    free(sums);
    free(e);
    return s;
}

mkba_status mkba_voi_groups_end(mkba_voi_groups *g, const mkba_voi *v, double *evppi,
                                mkba_error *err)
{
    size_t K = g->K, n = g->n;
    if (g->bad)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "EVPPI: parameter value in draw %zu is not finite", g->bad - 1);
    if (g->bins > n)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "EVPPI: bins must be between 1 and the number of draws (%zu), got %zu",
                              n, g->bins);
    double s = 0;
    if (!g->cut) /* fewer draws than the sample: buf holds them (none: NULL) */
        cut_groups(g, g->buf, g->buf ? g->buf + g->sample : NULL, g->sample, g->nbuf);
    if (!g->many && n > 0) {
        s = value_groups(g, v);
    } else {
        for (size_t b = 0; b < g->groups; b++)
            s += group_regret(g, g->count[b], g->sum + b * K, v);
    }
    double e = s / (double)n;
    if (!isfinite(v->expected_best) || !isfinite(v->evpi) || !isfinite(e))
        return mkba_error_set(err, MKBA_ENUM, NULL, 0, NULL,
                              "EVPPI: the sums overflow (net benefits too large)");
    /* The clamp only removes rounding. */
    *evppi = e < 0 ? 0 : (e > v->evpi ? v->evpi : e);
    return MKBA_OK;
}

mkba_status mkba_voi_evppi(const double *nb, size_t K, size_t n, int include_zero,
                           const double *theta, size_t bins, double *evppi,
                           mkba_error *err)
{
    mkba_status st = check_nb(nb, K, n, "EVPPI", err);
    if (st != MKBA_OK)
        return st;
    if (theta == NULL)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "EVPPI: parameter draws missing (NULL)");
    if (evppi == NULL)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "EVPPI: no place for the result (NULL)");
    if (bins < 1 || bins > n)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "EVPPI: bins must be between 1 and the number of draws (%zu), got %zu",
                              n, bins);
    mkba_voi v;
    mkba_voi_sums *s = mkba_voi_sums_alloc(K, include_zero);
    mkba_voi_sums_add(s, nb, n, n);
    st = mkba_voi_sums_end(s, &v, NULL, err);
    mkba_voi_sums_free(s);
    if (st == MKBA_OK && !isfinite(v.evpi))
        st = MKBA_ENUM;
    if (st != MKBA_OK) {
        if (st == MKBA_ENUM)
            mkba_error_set(err, MKBA_ENUM, NULL, 0, NULL,
                           "EVPPI: the sums overflow (net benefits too large)");
        return st;
    }
    mkba_voi_groups *g = mkba_voi_groups_alloc(K, include_zero, bins, n, n);
    mkba_voi_groups_add(g, theta, nb, n, n);
    st = mkba_voi_groups_end(g, &v, evppi, err);
    mkba_voi_groups_free(g);
    return st;
}
